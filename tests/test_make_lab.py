"""`make lab` serves JupyterLab on the course, opening the welcome notebook (README's first command)."""

import os
import shutil
import signal
import subprocess
import time
import urllib.request

import pytest
from lab_harness import ROOT, free_port


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_serves_the_course_with_the_welcome_notebook(tmp_path):
    port = free_port()
    env = dict(os.environ, HOME=str(tmp_path), JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"), JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"),
               IPYTHONDIR=str(tmp_path / "ipython"))
    log = tmp_path / "lab.log"
    args = (f"--no-browser --ip 127.0.0.1 --port {port} --IdentityProvider.token= "
            f"--LabApp.workspaces_dir={tmp_path / 'ws'}")
    with open(log, "wb") as out:
        proc = subprocess.Popen(["make", "-s", "lab", f"LAB_ARGS={args}"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        status = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and status != 200:
            assert proc.poll() is None, f"make lab exited early:\n{log.read_text()[-2000:]}"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status", timeout=2) as r:
                    status = r.status
            except OSError:
                time.sleep(0.5)
        assert status == 200, f"/api/status did not answer 200:\n{log.read_text()[-2000:]}"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents/notebooks/00_welcome.ipynb",
                                    timeout=5) as r:
            assert r.status == 200     # served from the course folder
        # the address a student opens (and `make lab` opens in their browser) lands on the welcome notebook
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
            assert r.geturl() == f"http://127.0.0.1:{port}/lab/tree/notebooks/00_welcome.ipynb"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
