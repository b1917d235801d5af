"""`make bench`: how fast the course is on this machine. Prints tables; no pass/fail.

1. every notebook (solution and student version) in a fresh kernel: seconds and peak kernel memory;
2. every explorer: kernel-side update latency (compute + redraw + JPEG) over 50 moves of its main
   slider between 25 of its stops (values a key press can reach), repeated --sweeps times (pooled
   median and p95); and end to end in JupyterLab (key press to a new plot), median of --presses
   presses, on the machine as it is, loaded with busy processes until the MLP epoch takes 15 ms
   (the issue's loaded machine), and throttled (each process of the stack held by a cgroup CPU
   quota to the share of a core at which the epoch takes 15 ms: a uniformly slower machine; root);
3. grading throughput, and its ratio to executing the same notebooks with nbclient;
4. one epoch of the digits MLP (64-32-10, batch 32) with course_lib, and with PyTorch if installed.

Targets (from the issues): every notebook under 10 s and 500 MB, the whole course under 60 s;
explorer updates p95 <= 30 ms kernel side and median <= 100 ms end to end (issue 15);
course_lib within 1.5x of PyTorch. A missed target is marked "MISSED". On a shared, loaded
machine the explorer numbers grow with the load: the machine's load average is printed.

    python -m tests.benchmark [--skip-browser] [--copies N] [--sweeps N] [--presses N]
    python -m tests.benchmark --explorers-only [--notebook 09_optimizer_race ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import nbclient
import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

NOTEBOOK_SECONDS, NOTEBOOK_MB, COURSE_SECONDS = 10.0, 500.0, 60.0
KERNEL_P95_MS, BROWSER_MEDIAN_MS, TORCH_RATIO = 30.0, 100.0, 1.5
CAPSTONE_MEDIAN_MS = 150.0
SLOW_EPOCH_MS = 15.0
"""The explorer targets must hold on a machine whose MLP epoch (mlp_epoch_ms) takes this long
(issue 21: a loaded 2-core machine, 15.6 ms): kernel timings are shown scaled to it, browser
timings are measured on two such machines made from this one (Load, Throttle)."""

# Run in the kernel after the notebook: its peak memory, then 50 moves of each explorer's main slider.
MEMORY_CELL = "import resource as _r; print('__PEAK_KB__', _r.getrusage(_r.RUSAGE_SELF).ru_maxrss)"
EXPLORER_CELL = r'''
import gc as _gc, json as _json, time as _time
import numpy as _np
import ipywidgets as _W
from course_lib.explorers.base import Explorer as _Explorer

def _zigzag(values, n=50):
    """n settings that each differ from the one before, sweeping the range back and forth."""
    values = list(values)
    if len(values) < 2:
        return []
    path = values + values[-2:0:-1]
    return [path[k % len(path)] for k in range(n)]

def _stops(low, high, step):
    """25 values spread over low..high that the slider can show: low + k step (a key press
    moves by one step; the browser sends nothing in between)."""
    k = _np.unique(_np.linspace(0, round((high - low) / step), 25).round())
    return (low + k * step).round(10)

def _sweep(w, n=50):
    if isinstance(w, (_W.SelectionSlider, _W.Dropdown, _W.ToggleButtons, _W.SelectionRangeSlider)):
        return "index", _zigzag(_stops(0, len(w.options) - 1, 1).astype(int).tolist(), n)
    if isinstance(w, _W.FloatLogSlider):
        return "value", _zigzag(w.base ** _stops(w.min, w.max, w.step), n)
    if isinstance(w, _W.IntSlider):
        return "value", _zigzag(sorted(set(_np.linspace(w.min, w.max, 25).round().astype(int).tolist())), n)
    return "value", _zigzag(_stops(w.min, w.max, w.step), n)

import course_lib.explorers.base as _base
from course_lib.training import calibration_ms as _calibration
_base_loop, _base._running_loop = _base._running_loop, lambda: None   # time every move on its own
_results = []
_epoch = [_calibration()]          # the machine's speed right now, in this kernel
for _e in [o for o in _gc.get_objects() if isinstance(o, _Explorer)]:
    _main = [w for w in _e.controls.values() if "explorer-main" in w._dom_classes]
    if not _main:
        continue
    _attr, _settings = _sweep(_main[0])
    _times, _slow = [], []
    for _v in _settings * __SWEEPS__:
        _t = _time.perf_counter(); setattr(_main[0], _attr, _v); _full = _time.perf_counter() - _t
        if _e._has_slow:   # key to plot is the cheap part: the slow part follows once keys rest
            _t = _time.perf_counter(); _e.refresh(slow=False); _times.append(_time.perf_counter() - _t)
            _slow.append(_full)
        else:
            _times.append(_full)
    if _times:
        _results.append({"explorer": type(_e).__name__, "ms": [1000 * t for t in _times],
                         "slow_ms": [1000 * t for t in _slow]})
_base._running_loop = _base_loop
_epoch.append(_calibration())
for _r in _results:
    _r["epoch_ms"] = sum(_epoch) / len(_epoch)
print("__EXPLORERS__", _json.dumps(_results))
'''


def _mark(ok: bool) -> str:
    return "" if ok else "  MISSED"


def run_notebook(path: Path, measure_explorers: bool, sweeps: int = 1) -> dict:
    """Execute a notebook in a fresh kernel; seconds (kernel start included), peak MB, explorers."""
    nb = nbformat.read(path, as_version=4)
    n_cells = len(nb.cells)
    nb.cells.append(nbformat.v4.new_code_cell(MEMORY_CELL))
    if measure_explorers:
        nb.cells.append(nbformat.v4.new_code_cell(EXPLORER_CELL.replace("__SWEEPS__", str(sweeps))))
    finished = {}

    def on_cell_executed(cell, cell_index, execute_reply):
        if cell_index < n_cells:   # the last call is the notebook's last code cell
            finished["t"] = time.perf_counter()

    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}},
                                     on_cell_executed=on_cell_executed)
    start = time.perf_counter()
    client.execute()
    result = {"seconds": finished["t"] - start, "peak_mb": None, "explorers": []}
    for cell in nb.cells[n_cells:]:
        for out in cell.get("outputs", []):
            text = out.get("text", "")
            if "__PEAK_KB__" in text:
                result["peak_mb"] = int(text.split()[-1]) / 1024
            if "__EXPLORERS__" in text:
                result["explorers"] = json.loads(text.split("__EXPLORERS__", 1)[1])
    return result


def _load() -> str:
    import os

    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f}, {five:.1f}, {fifteen:.1f} on {os.cpu_count()} cores"


def bench_notebooks(sweeps: int = 1, explorers_only: bool = False,
                    names: list[str] | None = None) -> tuple[list[dict], float]:
    from tqdm import tqdm

    rows = []
    folders = ("solutions",) if explorers_only else ("solutions", "notebooks")
    paths = [p for folder in folders for p in sorted((ROOT / folder).glob("*.ipynb"))
             if not names or p.stem in names]
    print(f"(before: {_load()})")
    for path in tqdm(paths, desc="notebooks", unit="nb"):
        r = run_notebook(path, measure_explorers=path.parent.name == "solutions", sweeps=sweeps)
        rows.append({"notebook": f"{path.parent.name}/{path.name}", **r})
    print("\n## Notebooks in a fresh kernel (kernel start included)")
    print(f"{'notebook':48s} {'seconds':>8s} {'peak MB':>8s}")
    for r in rows:
        ok = r["seconds"] < NOTEBOOK_SECONDS and (r["peak_mb"] or 0) < NOTEBOOK_MB
        print(f"{r['notebook']:48s} {r['seconds']:8.2f} {r['peak_mb'] or float('nan'):8.0f}{_mark(ok)}")
    for folder in folders:
        total = sum(r["seconds"] for r in rows if r["notebook"].startswith(folder))
        print(f"{'whole course, ' + folder + '/':48s} {total:8.2f}{_mark(total < COURSE_SECONDS)}")
    print(f"targets: each notebook < {NOTEBOOK_SECONDS:.0f} s and < {NOTEBOOK_MB:.0f} MB; "
          f"the whole course < {COURSE_SECONDS:.0f} s")

    print(f"\n## Explorer updates, kernel side ({sweeps} x 50 moves of the main slider: compute + "
          f"redraw + JPEG; after: {_load()})")
    print(f"calibration: one epoch of the digits MLP, measured in each notebook's kernel before and "
          f"after its sweeps ('epoch ms'); the targets hold on a machine where it takes "
          f"{SLOW_EPOCH_MS:g} ms: 'at {SLOW_EPOCH_MS:g}' = p95 x {SLOW_EPOCH_MS:g} / epoch ms")
    print(f"{'notebook':34s} {'explorer':28s} {'epoch ms':>8s} {'median ms':>10s} {'p95 ms':>8s} "
          f"{'at ' + format(SLOW_EPOCH_MS, 'g'):>7s}  {'slow part p95':>13s}")
    for r in rows:
        for e in r["explorers"]:
            p95 = float(np.percentile(e["ms"], 95))
            scale = SLOW_EPOCH_MS / e["epoch_ms"]
            slow = f"{float(np.percentile(e['slow_ms'], 95)):13.1f}" if e.get("slow_ms") else ""
            print(f"{r['notebook'].removeprefix('solutions/'):34s} {e['explorer']:28s} "
                  f"{e['epoch_ms']:8.1f} {statistics.median(e['ms']):10.1f} {p95:8.1f} "
                  f"{p95 * scale:7.1f}  {slow:>13s}{_mark(p95 * scale < KERNEL_P95_MS)}")
    print(f"target: p95 < {KERNEL_P95_MS:.0f} ms on a machine whose MLP epoch takes {SLOW_EPOCH_MS:g} ms "
          "(the capstone's slow part, its divergence probe, runs once the slider rests)")
    solution_seconds = [r["seconds"] for r in rows if r["notebook"].startswith("solutions/")]
    return rows, statistics.mean(solution_seconds) if solution_seconds else float("nan")


def mlp_epoch_ms(epochs: int = 5) -> float:
    """The calibration figure, in this process (course_lib.training.calibration_ms)."""
    from course_lib.training import calibration_ms

    return calibration_ms(epochs)


# In the page: note when the slider's handle gets a key down and when the plot's image has a new
# source that is decoded (ready to paint): the latency a student sees. The harness stays off the
# page's main thread while it is measured: the key goes to the focused handle as a plain key press
# (a locator's press first runs Playwright's actionability and hit-target checks in the page), and
# the wait polls a flag in the page every 100 ms instead of reading the image's source over the
# DevTools protocol every 10 ms. A Chromium trace showed both running on the main thread inside
# the measured window (3-5 ms tasks each, about 15 ms a press on a quiet machine).
JS_ARM = """([handle, img]) => {
    const box = {key: null, shown: null, old: img.src};
    window.__benchPress = box;
    handle.addEventListener("keydown", () => { if (box.key === null) box.key = performance.now(); },
                            {capture: true, once: true});
    const observer = new MutationObserver(() => {
        if (img.src === box.old) return;
        observer.disconnect();
        const done = () => { box.shown = performance.now(); };
        img.decode().then(done, done);
    });
    observer.observe(img, {attributes: true, attributeFilter: ["src"]});
}"""
JS_SHOWN = "() => window.__benchPress.shown !== null && window.__benchPress.key !== null"
JS_LATENCY = "() => window.__benchPress.shown - window.__benchPress.key"


class Load:
    """Busy processes that make this machine as slow as the one the targets are set for.

    The issue measured its browser medians on a loaded 2-core machine whose MLP epoch took 15.6 ms.
    This makes such a machine out of this one: it starts processes that only spin, one at a time,
    until the calibration epoch (measured here, while they spin) takes at least SLOW_EPOCH_MS, at
    most MAX_BUSY of them; between notebooks it measures again, adds one while the epoch is under
    SLOW_EPOCH_MS and takes one away when it is over 1.6 times that (this machine's own speed
    varies: other machines share its host). The
    kernel, the server and Chromium then share the cores with them, as they share a hub with other
    students' kernels.
    """

    MAX_BUSY = 8

    def __init__(self):
        self.procs = []

    def __enter__(self):
        slow_in_a_row = 0
        while slow_in_a_row < 2:                  # two readings at the target's speed in a row
            if self.epoch() >= SLOW_EPOCH_MS:
                slow_in_a_row += 1
            elif self.add():
                slow_in_a_row = 0
            else:
                break
        return self

    def add(self) -> bool:
        import subprocess

        if len(self.procs) >= self.MAX_BUSY:
            return False
        self.procs.append(subprocess.Popen([sys.executable, "-c", "while True: pass"]))
        time.sleep(0.5)
        return True

    def remove(self) -> None:
        if len(self.procs) > 1:
            proc = self.procs.pop()
            proc.kill()
            proc.wait()

    @staticmethod
    def epoch() -> float:
        """The calibration varies from one run to the next under load (the busy processes and
        this one take turns on the cores): the median of five."""
        return statistics.median(mlp_epoch_ms() for _ in range(5))

    def __exit__(self, *exc):
        for proc in self.procs:
            proc.kill()
            proc.wait()


class Throttle:
    """A uniformly slower machine made from this one: each process of the stack (the server, the
    kernel, every Chromium process) is held to the same share of a core by a cgroup CPU quota of its
    own, the share at which the calibration epoch, measured in such a group, takes SLOW_EPOCH_MS.

    Where Load's busy processes take turns with the stack (the scheduler favours a process that
    wakes up, such as a browser handling a key press), a quota slows every part of the path alike.
    It needs root and the cpu controller of cgroup v1 (cpu.cfs_quota_us) or v2 (cpu.max); without
    them the column says why. Between notebooks the share follows the epoch, as Load's count does.
    """

    V1, V2 = Path("/sys/fs/cgroup/cpu"), Path("/sys/fs/cgroup")
    PERIOD_US = 10_000

    def __init__(self):
        self.share = 1.0
        self.groups: list[Path] = []
        self.why_not = self._why_not()

    def _root(self) -> Path | None:
        """The cgroup folder whose children get CPU quotas: v1's cpu controller, else v2's root."""
        if self.V1.joinpath("cpu.cfs_quota_us").exists():
            return self.V1
        controllers = self.V2 / "cgroup.controllers"
        if controllers.exists() and "cpu" in controllers.read_text().split():
            return self.V2
        return None

    def _why_not(self) -> str:
        if sys.platform != "linux":
            return "needs Linux cgroups"
        if self._root() is None:
            return "no cgroup cpu controller"
        try:
            probe = self._root() / f"course-bench-{time.time_ns()}"
            probe.mkdir()
            probe.rmdir()
        except OSError as exc:
            return f"cannot make a cgroup ({exc.strerror}; it needs root)"
        return ""

    def _group(self, name: str) -> Path:
        v1 = self._root() == self.V1
        group = self._root() / f"course-bench-{name}"
        group.mkdir(exist_ok=True)
        quota = max(1000, int(self.share * self.PERIOD_US))
        if v1:
            (group / "cpu.cfs_period_us").write_text(str(self.PERIOD_US))
            (group / "cpu.cfs_quota_us").write_text(str(quota))
        else:
            (group / "cpu.max").write_text(f"{quota} {self.PERIOD_US}")
        self.groups.append(group)
        return group

    def hold(self, pids) -> None:
        """Each process (all its threads) into a group of its own, with the current share."""
        for pid in pids:
            try:
                (self._group(str(pid)) / "cgroup.procs").write_text(str(pid))
            except OSError:
                pass                  # it has exited

    def release(self) -> None:
        """Every held process back to the root group; the groups removed."""
        root = self._root()
        for group in self.groups:
            try:
                for pid in (group / "cgroup.procs").read_text().split():
                    (root / "cgroup.procs").write_text(pid)
                group.rmdir()
            except OSError:
                pass
        self.groups = []

    def epoch(self) -> float:
        """The calibration epoch of this process held to the current share."""
        import os

        self.hold([os.getpid()])
        try:
            return Load.epoch()
        finally:
            self.release()

    LOW, HIGH = SLOW_EPOCH_MS, 1.2 * SLOW_EPOCH_MS      # the epochs the share is held between
    ACCEPT = (0.9 * SLOW_EPOCH_MS, 1.2 * SLOW_EPOCH_MS)  # a notebook's epoch measured inside this
    TRIES = 3                                            # or measured again, at most this often

    def follow(self, epoch: float) -> None:
        """A new share from an epoch measured at the current one, when it left LOW to HIGH (the
        machine's own speed moves): half way (in ratio) towards their middle, since an epoch
        under a quota is noisy (on the development machine the same share gave 9-22 ms)."""
        if not self.LOW <= epoch <= self.HIGH:
            self.share = min(1.0, self.share * (epoch / ((self.LOW + self.HIGH) / 2)) ** 0.5)

    def __enter__(self):
        if not self.why_not:                      # two readings in the range in a row, as Load
            self.share = min(1.0, Load.epoch() / ((self.LOW + self.HIGH) / 2))
            in_range = 0
            for _ in range(8):
                epoch = self.epoch()
                in_range = in_range + 1 if self.LOW <= epoch <= self.HIGH else 0
                if in_range == 2:
                    break
                self.follow(epoch)
        return self

    def __exit__(self, *exc):
        self.release()


def stack_pids(server) -> list[int]:
    """The processes a student's key press goes through: Chromium's (children of this process,
    but not Playwright's driver), the JupyterLab server and its kernels."""
    import os

    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue

    def descendants(pid):
        found = [child for child, parent in parents.items() if parent == pid]
        return found + [d for child in found for d in descendants(child)]

    def command(pid):
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return b""

    chromium = [pid for pid in descendants(os.getpid()) if b"chromium" in command(pid)]
    return chromium + [server.proc.pid] + descendants(server.proc.pid)


def _press_explorers(browser, server, path: Path, presses: int,
                     throttle: Throttle | None = None) -> dict:
    """{explorer index: median ms from key down to the new plot decoded} for one notebook: Run
    All, then each explorer's main slider pressed `presses` times, alternately right and left, at
    a student's pace. With a throttle, the stack is held to its share while the keys are pressed
    (Run All runs at full speed)."""
    from lab_harness import NotebookPage
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    found = {}
    try:
        nb = NotebookPage(page, server, f"solutions/{path.name}")
        nb.run_all(timeout=600)
        time.sleep(2)   # the page settles after Run All (a student reads, then presses)
        if throttle is not None:
            throttle.hold(stack_pids(server))
        for k, explorer in enumerate(nb.explorers()):
            main = explorer.locator(".explorer-main")
            if not main.count():
                continue
            img = nb.plot_of(explorer)
            explorer.scroll_into_view_if_needed()
            in_page = []
            handle = main.first.locator(".noUi-handle").first
            handle.focus()
            top = handle.get_attribute("aria-valuemax")
            at_top = handle.get_attribute("aria-valuenow") == top
            keys = ("ArrowLeft", "ArrowRight") if at_top else ("ArrowRight", "ArrowLeft")
            elements = [handle.element_handle(), img.element_handle()]   # found once: a
            for i in range(presses):                 # locator runs a query in the page
                page.evaluate(JS_ARM, elements)
                page.keyboard.press(keys[i % 2])
                try:
                    page.wait_for_function(JS_SHOWN, timeout=5000, polling=100)
                    in_page.append(page.evaluate(JS_LATENCY))
                except PlaywrightTimeout:
                    pass   # at the end of its range: that key press changed nothing
                time.sleep(0.15)   # a student's pace, not a held key
            if in_page:
                found[k] = statistics.median(in_page)
    finally:
        if throttle is not None:
            throttle.release()
        page.close()
        server.shutdown_kernels()
    return found


def _browser_medians(presses: int, names: list[str] | None, load: Load | None = None,
                     throttle: Throttle | None = None) -> dict:
    """{(notebook, explorer index): (median ms from key down to the new plot decoded, the MLP epoch
    in ms of the machine it was measured on, tries)}, notebook by notebook (_press_explorers).

    The epoch is measured right after the notebook. With a throttle it is measured at the share
    before and after the presses, and their mean is the notebook's epoch: when it is outside
    Throttle.ACCEPT (this machine's own speed moved, or one reading was noisy), the share follows it
    and the notebook is measured again, at most Throttle.TRIES times; the table keeps the try whose
    epoch is nearest to the range, chosen by the epoch alone, never by the latencies."""
    from lab_harness import LabServer, launch_browser
    from playwright.sync_api import sync_playwright

    medians = {}
    server = LabServer()
    try:
        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            for path in sorted((ROOT / "solutions").glob("*.ipynb")):
                if names and path.stem not in names:
                    continue
                if throttle is None:
                    found = _press_explorers(browser, server, path, presses)
                    epoch, tries = Load.epoch(), 1
                else:
                    found, epoch, tries = _throttled_tries(browser, server, path, presses, throttle)
                medians.update({(path.stem, k): (ms, epoch, tries) for k, ms in found.items()})
                if throttle is not None:
                    throttle.follow(epoch)
                if load is not None and epoch < SLOW_EPOCH_MS:
                    load.add()
                elif load is not None and epoch > 1.6 * SLOW_EPOCH_MS:
                    load.remove()
            browser.close()
    finally:
        server.stop()
    return medians


def _throttled_tries(browser, server, path: Path, presses: int, throttle: Throttle):
    """(medians, epoch, tries) of the try whose epoch (the mean of one measured before the presses
    and one after) is nearest to Throttle.ACCEPT; it stops at the first try inside it."""
    low, high = throttle.ACCEPT
    tries = []
    for _ in range(throttle.TRIES):
        before = throttle.epoch()
        found = _press_explorers(browser, server, path, presses, throttle)
        epoch = (before + throttle.epoch()) / 2
        tries.append((max(low - epoch, epoch - high, 0.0), found, epoch))
        if low <= epoch <= high:
            break
        throttle.follow(epoch)
    _, found, epoch = min(tries, key=lambda t: t[0])
    return found, epoch, len(tries)


def bench_browser(presses: int = 10, names: list[str] | None = None) -> None:
    from lab_harness import CHROMIUM

    print(f"\n## Explorer updates end to end in JupyterLab (key press to a new plot; {_load()})")
    if not Path(CHROMIUM).exists():
        print(f"skipped: {CHROMIUM} is missing (apt-get install chromium)")
        return
    quiet = _browser_medians(presses, names)
    with Load() as load:
        loaded = _browser_medians(presses, names, load)
    with Throttle() as throttle:
        held = {} if throttle.why_not else _browser_medians(presses, names, throttle=throttle)
    print(f"median of {presses} presses, measured in the page from the key down on the slider to the "
          f"new image decoded; 'epoch': the MLP epoch measured right after the notebook, on the "
          f"machine the column measured. Two machines whose epoch takes {SLOW_EPOCH_MS:g} ms (the "
          f"target's), made from this one:\n"
          f"'loaded': busy processes beside the stack ({len(load.procs)} at the end), as on a shared hub. "
          f"'throttled': every process of the stack (the server, the kernel, each Chromium process) "
          f"held to {throttle.share:.2f} of a core (at the end) by a cgroup CPU quota of its own, as "
          f"on a uniformly slower machine; its epoch is the mean of one measured before the presses "
          f"and one after, and a notebook whose epoch left {Throttle.ACCEPT[0]:g}-"
          f"{Throttle.ACCEPT[1]:g} ms was measured again at a share that followed it ('tries', at "
          f"most {Throttle.TRIES}; the try nearest that range is shown)"
          + (f" (not measured: {throttle.why_not})" if throttle.why_not else ""))
    print(f"{'notebook':34s} {'explorer':>8s} {'as is':>7s} {'epoch':>6s} {'loaded':>7s} {'epoch':>6s} "
          f"{'throttled':>9s} {'epoch':>6s} {'tries':>5s}")
    nan = (float("nan"), float("nan"), 0)
    for key in sorted(set(quiet) | set(loaded) | set(held)):
        stem, k = key
        target = CAPSTONE_MEDIAN_MS if stem.startswith("11_") else BROWSER_MEDIAN_MS
        q, q_epoch, _ = quiet.get(key, nan)
        ms, epoch, _ = loaded.get(key, nan)
        t_ms, t_epoch, tries = held.get(key, nan)
        ok = ms < target and epoch >= 0.9 * SLOW_EPOCH_MS
        if not throttle.why_not:
            ok = ok and t_ms < target and t_epoch >= 0.9 * SLOW_EPOCH_MS
        print(f"{stem:34s} {k:8d} {q:7.0f} {q_epoch:6.1f} {ms:7.0f} {epoch:6.1f} {t_ms:9.0f} {t_epoch:6.1f}"
              f" {tries:5d}{_mark(ok)}")
    print(f"target: median < {BROWSER_MEDIAN_MS:.0f} ms (the capstone < {CAPSTONE_MEDIAN_MS:.0f} ms) on a "
          f"machine whose MLP epoch takes {SLOW_EPOCH_MS:g} ms: 'loaded' and 'throttled', MISSED also where "
          f"a column's epoch stayed under {0.9 * SLOW_EPOCH_MS:g} ms")


def bench_grading(copies: int, nbclient_seconds_per_notebook: float) -> None:
    from bench_grading import grading_throughput, report

    result = grading_throughput(copies=copies)
    print(f"\n## Grading ({copies} students x every graded notebook, the grader's default sandbox and jobs)")
    print("\n".join(report(result, nbclient_seconds_per_notebook)))


def bench_training(epochs: int = 5) -> None:
    from course_lib.data import load_digits

    X, y = load_digits()
    print("\n## One epoch of the digits MLP (64-32-10, ReLU, batch 32, SGD), median of "
          f"{epochs} epochs (the calibration figure of the explorer tables)")
    ours = mlp_epoch_ms(epochs) / 1000
    rng = np.random.default_rng(0)
    print(f"course_lib (numpy, float64): {1000 * ours:.1f} ms")
    try:
        import torch
    except ImportError:
        print("PyTorch: not installed, comparison skipped (pip install torch to compare)")
        return
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10)).double()
    optim = torch.optim.SGD(model.parameters(), lr=0.1)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    times = []
    for _ in range(epochs):
        order = torch.from_numpy(rng.permutation(len(X)))
        start = time.perf_counter()
        for i in range(0, len(X), 32):
            idx = order[i:i + 32]
            optim.zero_grad()
            torch.nn.functional.cross_entropy(model(Xt[idx]), yt[idx]).backward()
            optim.step()
        times.append(time.perf_counter() - start)
    theirs = statistics.median(times)
    ratio = ours / theirs
    print(f"PyTorch {torch.__version__} (float64): {1000 * theirs:.1f} ms -> course_lib takes "
          f"{ratio:.2f}x PyTorch's time{_mark(ratio <= TORCH_RATIO)} (target <= {TORCH_RATIO}x)")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Measure the course's speed on this machine.")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--copies", type=int, default=4, help="students in the grading benchmark")
    parser.add_argument("--sweeps", type=int, default=3, help="sweeps of each explorer's main slider")
    parser.add_argument("--presses", type=int, default=10, help="key presses per explorer in the browser")
    parser.add_argument("--explorers-only", action="store_true",
                        help="only the explorers (solutions/ notebooks), no grading or training")
    parser.add_argument("--notebook", nargs="*", default=None, help="only these notebooks (stems)")
    args = parser.parse_args(argv)
    _, seconds_per_notebook = bench_notebooks(args.sweeps, args.explorers_only, args.notebook)
    if not args.skip_browser:
        bench_browser(args.presses, args.notebook)
    if args.explorers_only:
        return
    bench_grading(args.copies, seconds_per_notebook)
    bench_training()


if __name__ == "__main__":
    main()
