"""`make bench`, part 1: a newcomer's path, from a fresh clone to the welcome notebook's first plot.

In a fresh `git clone` of this repository (its committed HEAD) in a temporary folder, as a student
would: `make lab` (which sets up .venv, then starts JupyterLab), timed until

1. set-up: the set-up says `.venv` is ready (and with which installer: uv or pip);
2. lab answering: JupyterLab's /api/status answers 200;
3. notebook open: the welcome notebook open in headless Chromium (Debian's, through Playwright)
   with its kernel ready;
4. first plot: the environment self-test cell and the explorer cell run (as a student runs them
   with Shift+Enter), and the explorer's plot drawn (not blank).

Each part's seconds are printed, and the total against the target (< 20 s with warm package
caches, issue 24). Before the timed run, a set-up in a throwaway venv of the same clone fills the
caches (uv's, or pip's), unless --cold. --installer pip times the fallback without uv
(COURSE_SETUP_INSTALLER=pip). The machine's load average is printed: on a shared machine the
numbers grow with it; so the CPU seconds of the set-up and of the lab's processes are printed too.

    python -m tests.bench_newcomer [--installer uv|pip] [--cold] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from lab_harness import CHROMIUM, NotebookPage, free_port, launch_browser  # noqa: E402

TARGET_SECONDS = 20.0
MIN_INK = 0.01           # share of non-white pixels of a drawn plot (as in tests/test_browser.py)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


class Lines:
    """A process's output, read in a thread: each line with the seconds since `start` it came at."""

    def __init__(self, proc: subprocess.Popen, start: float):
        self.seen: list[tuple[float, str]] = []
        self._thread = threading.Thread(target=self._read, args=(proc, start), daemon=True)
        self._thread.start()

    def _read(self, proc, start):
        for raw in proc.stdout:
            self.seen.append((time.monotonic() - start, raw.decode(errors="replace").rstrip()))

    def first(self, text: str) -> tuple[float, str] | None:
        return next(((t, line) for t, line in self.seen if text in line), None)

    def tail(self, n: int = 30) -> str:
        return "\n".join(line for _, line in self.seen[-n:])


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU seconds of `make lab`'s processes: (the set-up, which has ended and been waited for, so
    it counts in make's children times; the ones still running: the lab server and the kernel)."""
    import psutil

    make = psutil.Process(pid)
    done = make.cpu_times().children_user + make.cpu_times().children_system
    running = 0.0
    for proc in [make, *make.children(recursive=True)]:
        try:
            t = proc.cpu_times()
        except psutil.Error:
            continue
        running += t.user + t.system + (t.children_user + t.children_system if proc is not make else 0.0)
    return done, running


def cell_index(page, text: str) -> int:
    """Index of the first code cell of the open notebook whose source contains `text`."""
    index = page.evaluate(
        "(text) => Array.from(window.jupyterapp.shell.currentWidget.content.model.cells)"
        ".findIndex(c => c.type === 'code' && c.sharedModel.getSource().includes(text))", text)
    if index < 0:
        raise RuntimeError(f"no code cell with {text!r} in the welcome notebook")
    return index


def run_cell(page, index: int, timeout: float = 60.0) -> None:
    """Run one cell as Shift+Enter does (JupyterLab's notebook:run-cell), wait until it ran."""
    page.evaluate("async (i) => { const nb = window.jupyterapp.shell.currentWidget.content;"
                  " nb.activeCellIndex = i; await window.jupyterapp.commands.execute('notebook:run-cell'); }",
                  index)
    page.wait_for_function(
        "(i) => { const c = window.jupyterapp.shell.currentWidget.content.model.cells.get(i);"
        " return typeof c.executionCount === 'number' && c.executionState !== 'running'; }",
        arg=index, timeout=timeout * 1000)


def browser_cpu_seconds() -> float:
    """CPU seconds of the Chromium processes this benchmark started (through Playwright)."""
    import psutil

    total = 0.0
    for proc in psutil.Process().children(recursive=True):
        try:
            if "chrom" in proc.name().lower():
                t = proc.cpu_times()
                total += t.user + t.system
        except psutil.Error:
            continue
    return total


def first_plot(url: str) -> tuple[float, float, float]:
    """(seconds to the notebook open with its kernel ready, seconds from then to the plot drawn,
    the browser's CPU seconds)."""
    from playwright.sync_api import sync_playwright

    start = time.monotonic()
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            nb = NotebookPage(page, SimpleNamespace(url=url), "notebooks/00_welcome.ipynb")
            opened = time.monotonic() - start
            run_cell(page, cell_index(page, "import course_lib"))
            run_cell(page, cell_index(page, "Explorer("))
            img = NotebookPage.plot_of(nb.explorers()[0])
            img.wait_for(timeout=60_000)
            deadline = time.monotonic() + 60
            while nb.ink(img) < MIN_INK:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the explorer's plot stayed blank; errors shown: {nb.errors()}")
                time.sleep(0.05)
            return opened, time.monotonic() - start - opened, browser_cpu_seconds()
        finally:
            browser.close()


def newcomer(installer: str, cold: bool, keep: bool) -> int:
    if not Path(CHROMIUM).exists():
        print(f"newcomer's path: skipped, {CHROMIUM} is missing (apt-get install chromium)")
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="course-newcomer-"))
    clone = tmp / "course"
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_DATA_DIR=str(tmp / "data"),
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), IPYTHONDIR=str(tmp / "ipython"),
               MPLCONFIGDIR=str(tmp / "mpl"))
    for var in ("VIRTUAL_ENV", "COURSE_SETUP_INSTALLER", "MAKEFLAGS", "MAKELEVEL", "MFLAGS"):
        env.pop(var, None)
    if installer == "pip":
        env["COURSE_SETUP_INSTALLER"] = "pip"
    proc = None
    try:
        t = time.monotonic()
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        cloned = time.monotonic() - t
        if not cold:            # fill the package caches, as a second clone on the same machine finds them
            warm = [sys.executable, "-m", "course_lib.lab", "--setup-only", "--venv", str(tmp / "warm")]
            subprocess.run(warm, cwd=clone, env=env, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            shutil.rmtree(tmp / "warm")
        print(f"\n== A newcomer's path (issue 24): fresh clone -> make lab -> first plot; {load()}")
        port = free_port()
        lab_args = (f"--no-browser --ip 127.0.0.1 --port {port} --IdentityProvider.token= "
                    f"--LabApp.workspaces_dir={tmp / 'workspaces'} --LabApp.expose_app_in_browser=True")
        start = time.monotonic()
        proc = subprocess.Popen(["make", "-s", "lab", f"LAB_ARGS={lab_args}"], cwd=clone, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        lines = Lines(proc, start)
        url = f"http://127.0.0.1:{port}"
        answered = None
        while answered is None:
            if proc.poll() is not None:
                time.sleep(0.2)
                raise RuntimeError(f"make lab exited with {proc.returncode}:\n{lines.tail()}")
            if time.monotonic() - start > 600:
                raise TimeoutError(f"JupyterLab did not answer in 600 s:\n{lines.tail()}")
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=2) as response:
                    if response.status == 200:
                        answered = time.monotonic() - start
            except OSError:
                time.sleep(0.1)
        ready = lines.first("is ready (installed with")
        if ready is None:
            raise RuntimeError(f"the set-up did not say it was ready:\n{lines.tail()}")
        setup_s, used = ready[0], ready[1].rsplit("installed with ", 1)[1].rstrip(")")
        opened, plotted, cpu_browser = first_plot(url)
        cpu_setup, cpu_lab = cpu_seconds(proc.pid)
        total = answered + opened + plotted
        rows = [(f"set-up of .venv ({used})", setup_s), ("JupyterLab answering", answered - setup_s),
                ("welcome notebook open, kernel ready", opened),
                ("self-test + explorer run, plot drawn", plotted)]
        print(f"{'part':<40} {'seconds':>8}")
        print(f"{'(git clone, not counted)':<40} {cloned:8.1f}")
        for name, seconds in rows:
            print(f"{name:<40} {seconds:8.1f}")
        mark = "" if total < TARGET_SECONDS else "   MISSED"
        print(f"{'total: make lab to the first plot':<40} {total:8.1f}   (target < {TARGET_SECONDS:g} s"
              f"{', warm caches' if not cold else ', caches as found'}){mark}")
        print(f"CPU seconds (about the same on an idle machine): set-up {cpu_setup:.1f}, JupyterLab server "
              f"and kernel {cpu_lab:.1f}, Chromium {cpu_browser:.1f}; after: {load()}")
        return 0
    finally:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        if keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--installer", choices=["uv", "pip"], default="uv",
                   help="uv (the default set-up: uv when it can be had) or pip (the fallback, forced)")
    p.add_argument("--cold", action="store_true", help="no warm-up set-up: the caches as they are")
    p.add_argument("--keep", action="store_true", help="keep the temporary clone")
    args = p.parse_args(argv)
    return newcomer(args.installer, args.cold, args.keep)


if __name__ == "__main__":
    sys.exit(main())
