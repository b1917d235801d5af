"""`make lab` serves JupyterLab on the course, opening the welcome notebook (README's first command)."""

import shutil
import urllib.request

import pytest
from lab_harness import lands_on_the_welcome_notebook, started_lab


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_serves_the_course_with_the_welcome_notebook(tmp_path):
    def make_lab(port, workspaces):
        args = (f"--no-browser --ip 127.0.0.1 --port {port} --IdentityProvider.token= "
                f"--LabApp.workspaces_dir={workspaces}")
        return ["make", "-s", "lab", f"LAB_ARGS={args}"]

    with started_lab(make_lab, tmp_path) as url:
        with urllib.request.urlopen(f"{url}/api/contents/notebooks/00_welcome.ipynb", timeout=5) as r:
            assert r.status == 200     # served from the course folder
        # the address a student opens (and `make lab` opens in their browser) lands on the welcome notebook
        assert lands_on_the_welcome_notebook(url)
