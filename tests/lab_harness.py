"""Drive the course's own JupyterLab in headless Chromium, as a student would.

Used by the browser tests (tests/test_browser.py) and the benchmark (tests/benchmark.py).
JupyterLab is started from this virtual environment, with the lab settings that `make lab`
installs, on a free loopback port, with HOME and every Jupyter/IPython/matplotlib folder in a
temporary directory. Chromium is Debian's (/usr/bin/chromium), driven by Playwright.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OVERRIDES = Path(sys.prefix) / "share/jupyter/lab/settings/overrides.json"
PAGE_CONFIG = Path(sys.prefix) / "etc/jupyter/labconfig/page_config.json"

# JavaScript run in the page -------------------------------------------------------------------
# How much of an <img> is not background: the share of sampled pixels that are not near-white.
JS_INK = """(img) => {
  if (!img.complete || !img.naturalWidth) return 0;
  const c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  let ink = 0, n = 0;
  for (let i = 0; i < d.length; i += 4 * 7) { n++; if (d[i] + d[i+1] + d[i+2] < 700) ink++; }
  return ink / n;
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def started_lab(command_for_port, tmp_path: Path, timeout: float = 90):
    """Start the course's lab as a student would (`command_for_port(port, workspaces)` gives the
    command: `make lab ...` or `python -m course_lib.lab -- ...`) with HOME and Jupyter's folders
    in tmp_path; yield its base URL once /api/status answers 200; stop its process group."""
    port = free_port()
    env = dict(os.environ, HOME=str(tmp_path), JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"), JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"),
               IPYTHONDIR=str(tmp_path / "ipython"))
    log = tmp_path / "lab.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(command_for_port(port, tmp_path / "ws"), cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        status, deadline = None, time.monotonic() + timeout
        while time.monotonic() < deadline and status != 200:
            assert proc.poll() is None, f"the lab exited early:\n{log.read_text()[-2000:]}"
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=2) as response:
                    status = response.status
            except OSError:
                time.sleep(0.5)
        assert status == 200, f"/api/status did not answer 200:\n{log.read_text()[-2000:]}"
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def lands_on_the_welcome_notebook(url: str) -> bool:
    """True if the address a student opens redirects to notebooks/00_welcome.ipynb."""
    with urllib.request.urlopen(f"{url}/", timeout=10) as response:
        return response.geturl() == f"{url}/lab/tree/notebooks/00_welcome.ipynb"


class LabServer:
    """A JupyterLab server on a copy of the course's notebooks; stop() ends it and its kernels.

    It serves a temporary copy of notebooks/ and solutions/, so nothing a test does (JupyterLab
    autosaves notebooks with their outputs) can touch the committed files.
    """

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tmp = Path(tempfile.mkdtemp(prefix="course-lab-"))
        root = self.tmp / "course"
        for folder in ("notebooks", "solutions"):
            shutil.copytree(ROOT / folder, root / folder)
        self.root = root
        self.log = open(self.tmp / "server.log", "wb")
        env = dict(os.environ)
        for var, sub in [("HOME", "home"), ("JUPYTER_CONFIG_DIR", "config"),
                         ("JUPYTER_DATA_DIR", "data"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                         ("IPYTHONDIR", "ipython"), ("MPLCONFIGDIR", "mpl")]:
            (self.tmp / sub).mkdir()
            env[var] = str(self.tmp / sub)
        env.pop("JUPYTER_PATH", None)
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip", "127.0.0.1",
               "--port", str(self.port), "--IdentityProvider.token=", "--ServerApp.password=",
               f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
               f"--LabApp.workspaces_dir={self.tmp / 'workspaces'}",
               "--ServerApp.disable_check_xsrf=True"]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        self.proc = subprocess.Popen(cmd, env=env, cwd=self.tmp, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}: {self.log_text()}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{self.url}/api/status", timeout=2) as response:
                    if response.status == 200:
                        return
            time.sleep(0.3)
        raise RuntimeError(f"JupyterLab did not answer /api/status in {timeout} s: {self.log_text()}")

    def log_text(self) -> str:
        self.log.flush()
        return (self.tmp / "server.log").read_text(errors="replace")[-3000:]

    def api(self, method: str, path: str):
        request = urllib.request.Request(f"{self.url}{path}", method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Delete every session (and so its kernel)."""
        with contextlib.suppress(Exception):
            for session in self.api("GET", "/api/sessions"):
                self.api("DELETE", f"/api/sessions/{session['id']}")

    def stop(self) -> None:
        self.shutdown_kernels()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def launch_browser(playwright):
    """Debian's Chromium, headless, with the flags that work on this machine."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)


JS_OUTSIDE_CELLS = """(panel) => {
    const found = [];
    panel.querySelectorAll('.jp-Notebook .jp-Cell').forEach((cell, k) => {
        const name = el => el.tagName.toLowerCase() + [...el.classList].map(c => '.' + c).join('');
        if (!getComputedStyle(cell).contain.includes('paint')) found.push(`cell ${k} is not paint-contained`);
        const box = cell.getBoundingClientRect();
        for (const el of cell.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.width === 0 && r.height === 0) continue;
            if (r.left >= box.left - 1 && r.right <= box.right + 1 &&
                r.top >= box.top - 1 && r.bottom <= box.bottom + 1) continue;
            let clipped = false;
            for (let up = el.parentElement; up && up !== cell; up = up.parentElement) {
                const style = getComputedStyle(up);
                if (style.overflowX !== 'visible' || style.overflowY !== 'visible') { clipped = true; break; }
            }
            const where = b => `x ${b.left.toFixed(0)}-${b.right.toFixed(0)}, ` +
                `y ${b.top.toFixed(0)}-${b.bottom.toFixed(0)}`;
            if (!clipped) found.push(`cell ${k}: ${name(el)} at ${where(r)}; the cell at ${where(box)}`);
        }
    });
    return found;
}"""

JS_CONTROLS_TOUCHING = """(explorer) => {
    // what a control shows: its buttons, its slider's track, the text of its labels and readouts
    // (a readout's box is wider than its number), as boxes on the page
    const ink = control => {
        const boxes = [...control.querySelectorAll('button, .slider-container')]
            .map(el => el.getBoundingClientRect());
        for (const el of control.querySelectorAll('.widget-label, .widget-readout')) {
            const range = document.createRange();
            range.selectNodeContents(el);
            boxes.push(range.getBoundingClientRect());
        }
        const shown = boxes.filter(b => b.width > 0 && b.height > 0);
        return shown.length ? {left: Math.min(...shown.map(b => b.left)),
                               right: Math.max(...shown.map(b => b.right)),
                               top: Math.min(...shown.map(b => b.top)),
                               bottom: Math.max(...shown.map(b => b.bottom))} : null;
    };
    const row = explorer.querySelector('.widget-hbox');
    const found = [];
    if (!row) return found;
    const controls = [...row.children].map(el => [el, ink(el)]).filter(([, box]) => box);
    const label = el => (el.querySelector('.widget-label')?.textContent || el.className).trim();
    for (let i = 0; i < controls.length; i++) {
        for (let j = i + 1; j < controls.length; j++) {
            const [[ea, a], [eb, b]] = [controls[i], controls[j]];
            if (a.bottom <= b.top || b.bottom <= a.top) continue;          // not on one row
            const gap = Math.max(b.left - a.right, a.left - b.right);
            if (gap < MIN_GAP) found.push(`'${label(ea)}' and '${label(eb)}' ${gap.toFixed(0)} px apart`);
        }
    }
    return found;
}""".replace("MIN_GAP", "12")


class NotebookPage:
    """One notebook open in JupyterLab in a browser page."""

    def __init__(self, page, server: LabServer, relpath: str):
        self.page = page
        self.server = server
        self.relpath = relpath
        page.goto(f"{server.url}/lab/tree/{relpath}?reset", wait_until="domcontentloaded")
        self.panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        self.panel.wait_for(timeout=60_000)
        page.wait_for_function(
            "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
            " return w && w.context && w.context.isReady && w.sessionContext.isReady; }",
            timeout=60_000)

    def kernel_status(self) -> str:
        """'idle', 'busy', 'starting', ... as JupyterLab sees the notebook's kernel."""
        return self.page.evaluate(
            "() => { const s = window.jupyterapp.shell.currentWidget.sessionContext.session;"
            " return s && s.kernel ? s.kernel.status : 'none'; }")

    def _count(self, condition: str) -> int:
        return self.page.evaluate(
            "() => Array.from(window.jupyterapp.shell.currentWidget.content.model.cells)"
            f".filter(c => c.type === 'code' && ({condition})).length")

    def run_all(self, timeout: float = 120.0) -> float:
        """Run every cell as a student does (Run menu, Run All Cells); wait until all have run.

        Returns the seconds it took. Run All stops at a cell that raises: then it returns early
        and `errors()` says what went wrong.
        """
        executed = "typeof c.executionCount === 'number' && c.executionState !== 'running'"
        n_code = self._count("true")
        start = time.monotonic()
        started = False
        while not started:
            self.page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(
                timeout=60_000)
            self.page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            self.page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
            clicked = time.monotonic()
            while time.monotonic() - clicked < 10 and not started:
                started = self._count("typeof c.executionCount === 'number' || "
                                      "c.executionState === 'running'") > 0
                time.sleep(0.1)
            if time.monotonic() - start > timeout:
                raise TimeoutError(f"{self.relpath}: Run All did not start any cell")
        deadline = start + timeout
        while time.monotonic() < deadline:
            busy = self.kernel_status() != "idle"
            if self._count(executed) == n_code and not busy:
                return time.monotonic() - start
            if not busy and self.errors() and time.monotonic() - start > 2:
                return time.monotonic() - start
            time.sleep(0.25)
        raise TimeoutError(f"{self.relpath}: cells did not all run in {timeout} s")

    def errors(self) -> list[str]:
        """Texts of error outputs and broken widgets shown in the notebook."""
        found = []
        for loc in self.panel.locator("[data-mime-type='application/vnd.jupyter.error']").all():
            found.append(loc.text_content()[:500])
        text = self.panel.text_content()   # every cell, also those scrolled out of view
        if "Error displaying widget" in text:
            found.append("Error displaying widget")
        if "Traceback (most recent call last)" in text:
            found.append("a traceback is shown")
        return found

    def cells_drawing_outside(self) -> list[str]:
        """What a cell holds outside its own box (cells are paint-contained: see
        course_lib.explorers.base.CELL_PAINT_STYLE, which would clip it): one line per element
        whose box goes more than a pixel past its cell's, unless a scrolling box inside the cell
        clips it. Also a line per cell that is not paint-contained."""
        return self.panel.evaluate(JS_OUTSIDE_CELLS)

    def controls_touching(self, explorer) -> list[str]:
        """Pairs of an explorer's controls side by side on one row whose buttons, tracks
        and texts are less than 12 px apart (two
        implementation switches that abut read as one group of buttons)."""
        return explorer.evaluate(JS_CONTROLS_TOUCHING)

    def explorers(self):
        return self.panel.locator(".course-explorer").all()

    @staticmethod
    def plot_of(explorer):
        return explorer.locator("img.explorer-plot").first

    def ink(self, img) -> float:
        return img.evaluate(JS_INK)

    @staticmethod
    def press_on_slider(slider, key: str, times: int = 1) -> None:
        handle = slider.locator(".noUi-handle").first
        handle.focus()
        for _ in range(times):
            handle.press(key)

    def wait_src_change(self, img, old_src: str, timeout: float = 10.0) -> float:
        """Seconds until the image shows a new picture (raises TimeoutError)."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if img.get_attribute("src") != old_src:
                return time.monotonic() - start
            time.sleep(0.01)
        raise TimeoutError("the plot did not change")
