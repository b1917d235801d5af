"""Without make: `python -m course_lib.lab` sets up .venv as `make lab` does (make runs it) and
starts JupyterLab on the welcome notebook; repo2docker's postBuild (Binder, JupyterHub) installs
course_lib and the lab settings into its environment."""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
from pathlib import Path

from lab_harness import ROOT, lands_on_the_welcome_notebook, started_lab

SETTINGS = ROOT / "course_lib" / "lab" / "overrides.json"
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)      # the Python a student has


def lab(*args, **kwargs):
    return subprocess.run([BASE_PYTHON, "-m", "course_lib.lab", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, **kwargs)


def test_dry_run_lists_the_set_up_of_make_lab_and_changes_nothing(tmp_path):
    venv = tmp_path / "venv"
    run = lab("--dry-run", "--venv", str(venv))
    assert run.returncode == 0, run.stderr
    lines = [line for line in run.stdout.splitlines() if line.startswith("+ ")]
    assert "-m venv" in lines[0] and str(venv) in lines[0]
    assert any(f"-r {ROOT / 'requirements.txt'}" in line for line in lines)
    assert any(f"--no-deps -e {ROOT}" in line for line in lines)
    settings = venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert any(str(settings) in line for line in lines)
    assert "-m jupyterlab" in lines[-1] and "/lab/tree/notebooks/00_welcome.ipynb" in lines[-1]
    assert not venv.exists()


def test_setup_only_on_the_existing_venv_leaves_it_ready():
    run = lab("--setup-only")
    assert run.returncode == 0, run.stdout + run.stderr
    assert filecmp.cmp(SETTINGS, ROOT / ".venv" / "share" / "jupyter" / "lab" / "settings" / "overrides.json",
                       shallow=False)
    assert (ROOT / ".venv" / ".installed").exists()


def test_python_m_course_lib_lab_serves_the_course_on_the_welcome_notebook(tmp_path):
    def python_m_lab(port, workspaces):
        return [BASE_PYTHON, "-m", "course_lib.lab", "--", "--no-browser", "--ip", "127.0.0.1",
                "--port", str(port), "--IdentityProvider.token=", f"--LabApp.workspaces_dir={workspaces}"]

    with started_lab(python_m_lab, tmp_path) as url:
        assert lands_on_the_welcome_notebook(url)


def test_postbuild_installs_course_lib_and_the_lab_settings(tmp_path):
    env_dir = tmp_path / "binder-env"          # stands for repo2docker's environment
    subprocess.run([BASE_PYTHON, "-m", "venv", str(env_dir)], check=True, timeout=120)
    env = dict(os.environ, PATH=f"{env_dir / 'bin'}{os.pathsep}{os.environ['PATH']}")
    env.pop("VIRTUAL_ENV", None)
    run = subprocess.run(["bash", str(ROOT / "postBuild")], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    where = subprocess.run([str(env_dir / "bin" / "python"), "-I", "-c",
                            "import course_lib; print(course_lib.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where) == ROOT / "course_lib" / "__init__.py"
    installed = env_dir / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert filecmp.cmp(SETTINGS, installed, shallow=False)
    assert os.access(ROOT / "postBuild", os.X_OK)
    assert (ROOT / "runtime.txt").read_text().strip() == "python-3.11"


def test_readme_starts_with_make_lab_and_make_test_then_the_command_without_make():
    readme = (ROOT / "README.md").read_text()
    head = readme[: readme.index("## The notebooks")]
    assert head.index("make lab") < head.index("make test") < head.index("python -m course_lib.lab")
