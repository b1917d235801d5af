"""course_lib/kernel.py without a browser: an IPython shell in this process stands for the
Jupyter kernel, and JPY_SESSION_NAME names a temporary notebook file, as Jupyter's server does.

Stale functions: a function whose cell was edited (and the notebook saved) after the cell last
ran is named once, in one line, by check() and when later cells or explorers use it
(checking.implementation, which course_lib.yours goes through)."""

from __future__ import annotations

import os
import time

import nbformat
import pytest

from course_lib import checking, kernel, yours

HEAD = "import numpy as np\nfrom course_lib.checking import check, implementation"
MSE_A = "def mse(o, y):\n    return float(np.mean((np.asarray(o) - np.asarray(y)) ** 2))"
MSE_B = "def mse(o, y):\n    d = np.asarray(o) - np.asarray(y)\n    return float(np.mean(d * d))"
STEP_A = "def momentum_step(theta, v, g, alpha, beta):\n    v = beta * v - alpha * g\n    return theta + v, v"
STEP_B = "def momentum_step(theta, v, g, alpha, beta):\n    v = beta * v + alpha * g\n    return theta + v, v"


@pytest.fixture
def ipython(tmp_path, monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    shell = InteractiveShell.instance(config=config)
    shell.reset(new_session=True)
    kernel.watch_runs(shell)            # what importing course_lib.checking does in a new kernel
    yield shell
    shell.reset(new_session=True)
    InteractiveShell.clear_instance()
    for exercise in ("mse", "momentum_step"):
        checking._passed_functions.pop(exercise, None)


def run(shell, *cells):
    for source in cells:
        result = shell.run_cell(source, store_history=True)
        assert result.success, source


def save(path, *cells):
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]), path)


def stale_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "edited after it last ran" in line]


def test_a_function_edited_after_its_cell_ran_is_named_once(ipython, tmp_path, monkeypatch, capsys):
    notebook = tmp_path / "00_welcome.ipynb"
    monkeypatch.setenv("JPY_SESSION_NAME", str(notebook))
    run(ipython, HEAD, MSE_A, "check('mse', mse)")
    save(notebook, HEAD, MSE_A, "check('mse', mse)")
    run(ipython, "f = implementation('mse')")
    assert stale_lines(capsys.readouterr().out) == []          # saved as it ran: nothing to say
    save(notebook, HEAD, MSE_B, "check('mse', mse)")             # edited and saved, not run
    kernel._stale.clear()                                        # (the file is looked at once a second)
    run(ipython, "f = implementation('mse')", "f = implementation('mse')", "check('mse', mse)")
    lines = stale_lines(capsys.readouterr().out)
    assert len(lines) == 1 and lines[0].startswith("⚠️  mse: its cell was edited")


def test_a_newer_version_not_saved_yet_is_not_stale(ipython, tmp_path, monkeypatch, capsys):
    notebook = tmp_path / "00_welcome.ipynb"
    monkeypatch.setenv("JPY_SESSION_NAME", str(notebook))
    save(notebook, HEAD, MSE_A)
    run(ipython, HEAD, MSE_A, MSE_B, "check('mse', mse)")        # B ran after A; the file still has A
    assert stale_lines(capsys.readouterr().out) == []


def test_a_cell_edited_and_run_but_not_saved_yet_is_not_stale(ipython, tmp_path, monkeypatch, capsys):
    """A fresh kernel: the file has A (saved earlier, never run here); the student edits the cell
    to B and runs it before the autosave. The kernel's B is newer than the file: nothing to say."""
    notebook = tmp_path / "00_welcome.ipynb"
    monkeypatch.setenv("JPY_SESSION_NAME", str(notebook))
    save(notebook, HEAD, MSE_A, "check('mse', mse)")
    run(ipython, HEAD, MSE_B, "check('mse', mse)", "f = implementation('mse')")
    assert stale_lines(capsys.readouterr().out) == []


def test_the_loaders_optimizers_say_it_too(ipython, tmp_path, monkeypatch, capsys):
    """A step function passed, then its cell was edited: the race (yours.your_update) still runs
    the version that passed, and says so."""
    notebook = tmp_path / "06_sgd_momentum_nesterov.ipynb"
    monkeypatch.setenv("JPY_SESSION_NAME", str(notebook))
    run(ipython, HEAD, STEP_A, "check('momentum_step', momentum_step)")
    save(notebook, HEAD, STEP_B, "check('momentum_step', momentum_step)")
    kernel._stale.clear()                                        # (the file is looked at once a second)
    update, _ = yours.your_update("Momentum")
    assert update is ipython.user_ns["momentum_step"]
    assert len(stale_lines(capsys.readouterr().out)) == 1


def test_without_a_saved_notebook_nothing_is_said(ipython, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    run(ipython, HEAD, MSE_A, "check('mse', mse)", "implementation('mse')")
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "renamed.ipynb"))     # no such file any more
    kernel._stale.clear()
    run(ipython, "implementation('mse')")
    assert stale_lines(capsys.readouterr().out) == []


def test_in_a_real_kernel_started_as_jupyters_server_starts_it(tmp_path):
    """An ipykernel with JPY_SESSION_NAME set, as Jupyter's server starts one (no browser): its cell
    files, its history and its events are what kernel.py reads. A global the grader does not keep
    fails check(); an edit saved after the cell ran is named once."""
    from jupyter_client.manager import start_new_kernel

    notebook = tmp_path / "00_welcome.ipynb"
    save(notebook, HEAD, MSE_A)
    env = {**os.environ, "JPY_SESSION_NAME": str(notebook), "HOME": str(tmp_path),
           "IPYTHONDIR": str(tmp_path / "ipython"), "MPLBACKEND": "Agg"}
    manager, client = start_new_kernel(kernel_name="python3", env=env)

    def run(code: str) -> str:
        out = []

        def hook(message):
            if message["msg_type"] == "stream":
                out.append(message["content"]["text"])
            elif message["msg_type"] == "error":
                out.append(f"{message['content']['ename']}: {message['content']['evalue']}")

        client.execute_interactive(code, output_hook=hook, timeout=120)
        return "".join(out)

    try:
        assert run(HEAD) == "" and run(MSE_A) == ""
        assert run("check('mse', mse)").startswith("✅")
        time.sleep(kernel.STALE_RECHECK_SECONDS + 0.1)
        save(notebook, HEAD, MSE_B)                          # edited and saved after the cell ran
        said = run("f = implementation('mse')") + run("f = implementation('mse')")
        assert len(stale_lines(said)) == 1, said
        text = run("for k in range(1):\n    scale = 1.0\n"
                   "def mse(o, y):\n    return scale * float(np.mean((np.asarray(o) - np.asarray(y)) ** 2))\n"
                   "check('mse', mse)")
        assert text.startswith("❌") and "uses the global `scale`, which the grader does not keep" in text
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
