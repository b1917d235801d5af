"""Without make: `python -m course_lib.lab` sets up .venv as `make lab` does (make runs it) and
starts JupyterLab on the welcome notebook, with uv when it can be had and venv + pip otherwise
(the same environment either way); repo2docker's postBuild (Binder, JupyterHub) adds the lab
settings to an image that works without the repository folder.

The set-ups run on a small copy of the course (course_lib, pyproject.toml and requirements.txt cut
to a few of its pins), so each path takes seconds; the packages come from the same caches and
index as a real set-up. The real requirements.txt is set up by `make test` itself and in
`make bench` (tests/bench_newcomer.py)."""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lab_harness import ROOT, lands_on_the_welcome_notebook, started_lab

from course_lib.lab.__main__ import INSTALLER_VAR, TOOLS_VAR, UV_VERSION, find_uv, install_lab_config

SETTINGS = ROOT / "course_lib" / "lab" / "overrides.json"
FAVICON_BUSY = "@jupyterlab/application-extension:faviconbusy"
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)      # the Python a student has
SMALL = ("nbformat", "tqdm")     # pins of requirements.txt; nbformat brings dependencies of its own
# what repo2docker's build and a student's clone on a hub use of the repository
REPOSITORY = ("course_lib", "notebooks", "pyproject.toml", "requirements.txt", "requirements-grading.txt",
              "postBuild", "runtime.txt", "Makefile")
SEEDS = {"pip", "setuptools", "wheel", "packaging"}   # what `python -m venv` / `uv venv --seed` add


def lab(*args, cwd=ROOT, env=None):
    return subprocess.run([BASE_PYTHON, "-m", "course_lib.lab", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600, env=env)


def without_uv(**extra) -> dict[str, str]:
    """This environment with no uv on the PATH, no active venv, and `extra` set."""
    dirs = [d for d in os.environ["PATH"].split(os.pathsep) if d]
    with_uv = [d for d in dirs if (Path(d) / "uv").exists()]
    if any((Path(d) / tool).exists() for d in with_uv for tool in ("bash", "make", "git")):
        pytest.skip(f"uv is installed next to the system's tools ({with_uv}): no PATH without it")
    path = [d for d in dirs if d not in with_uv]
    env = dict(os.environ, PATH=os.pathsep.join(path))
    env.pop("VIRTUAL_ENV", None)
    env.pop(INSTALLER_VAR, None)
    return env | extra


def small_course(where: Path) -> Path:
    """A copy of the course that `python -m course_lib.lab` can set up in seconds."""
    shutil.copytree(ROOT / "course_lib", where / "course_lib", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", where)
    pins = [line for line in (ROOT / "requirements.txt").read_text().splitlines()
            if line.split("==")[0] in SMALL]
    assert len(pins) == len(SMALL)
    (where / "requirements.txt").write_text("\n".join(pins) + "\n")
    return where


def distributions(venv: Path) -> dict[str, str]:
    """name -> version of everything installed in `venv`."""
    code = ("import importlib.metadata as m, json, re; print(json.dumps({re.sub(r'[-_.]+', '-', "
            "d.metadata['Name']).lower(): d.version for d in m.distributions()}))")
    out = subprocess.run([str(venv / "bin" / "python"), "-I", "-c", code], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out)


def assert_lab_config(env: Path) -> None:
    """The settings overrides copied into `env`, and the busy favicon turned off in the page config
    JupyterLab in `env` reads (its sys-prefix labconfig)."""
    assert filecmp.cmp(SETTINGS, env / "share" / "jupyter" / "lab" / "settings" / "overrides.json",
                       shallow=False)
    page_config = json.loads((env / "etc" / "jupyter" / "labconfig" / "page_config.json").read_text())
    assert page_config["disabledExtensions"].get(FAVICON_BUSY) is True, page_config


def test_the_page_config_is_merged_into_what_the_environment_has(tmp_path):
    """Another package's disabled extension stays disabled; a broken page config is replaced."""
    labconfig = tmp_path / "etc" / "jupyter" / "labconfig"
    labconfig.mkdir(parents=True)
    (labconfig / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"other-extension": True}, "deferredExtensions": {"x": True}}))
    install_lab_config(tmp_path)
    assert_lab_config(tmp_path)
    merged = json.loads((labconfig / "page_config.json").read_text())
    assert merged["disabledExtensions"]["other-extension"] is True
    assert merged["deferredExtensions"] == {"x": True}

    (labconfig / "page_config.json").write_text("{not json")
    install_lab_config(tmp_path)
    replaced = json.loads((labconfig / "page_config.json").read_text())
    assert replaced == {"disabledExtensions": {FAVICON_BUSY: True}, "lockedExtensions": {FAVICON_BUSY: True}}


def assert_ready(course: Path, venv: Path, installer: str) -> dict[str, str]:
    """The set-up's promises: the pins (and their dependencies), pip, course_lib editable from
    the course folder, the lab settings, the stamp naming the installer."""
    installed = distributions(venv)
    for line in (course / "requirements.txt").read_text().split():
        name, version = line.split("==")
        assert installed.get(name) == version, f"{name}: {installed.get(name)}, pinned {version}"
    assert "jsonschema" in installed                       # nbformat's own dependency
    assert "pip" in installed
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "--version"], check=True, capture_output=True)
    where = subprocess.run([str(venv / "bin" / "python"), "-I", "-c",
                            "import course_lib; print(course_lib.__file__)"],
                           capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where) == course / "course_lib" / "__init__.py"          # editable: the course's own files
    assert_lab_config(venv)
    assert (venv / ".installed").read_text() == f"installer: {installer}\n"
    return installed


@pytest.fixture(scope="module")
def uv_setup(tmp_path_factory):
    """No uv on the PATH: the set-up pip-installs uv into a fresh tool environment, then uses it."""
    tmp = tmp_path_factory.mktemp("uv-setup")
    course, tools = small_course(tmp / "course"), tmp / "tools"
    run = lab("--setup-only", cwd=course, env=without_uv(**{TOOLS_VAR: str(tools)}))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return course, tools, run


def test_dry_run_lists_the_set_up_of_make_lab_and_changes_nothing(tmp_path):
    venv = tmp_path / "venv"
    run = lab("--dry-run", "--venv", str(venv), env=without_uv(**{INSTALLER_VAR: "pip"}))
    assert run.returncode == 0, run.stderr
    assert f"with pip ({INSTALLER_VAR}=pip)" in run.stdout
    lines = [line for line in run.stdout.splitlines() if line.startswith("+ ")]
    assert "-m venv" in lines[0] and str(venv) in lines[0]
    assert any(f"-r {ROOT / 'requirements.txt'}" in line for line in lines)
    assert any(f"--no-deps -e {ROOT}" in line for line in lines)
    settings = venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert any(str(settings) in line for line in lines)
    assert any(str(venv / "etc" / "jupyter" / "labconfig" / "page_config.json") in line for line in lines)
    assert "-m jupyterlab" in lines[-1] and "/lab/tree/notebooks/00_welcome.ipynb" in lines[-1]
    assert not venv.exists()


def test_dry_run_without_uv_says_it_would_install_uv_and_installs_nothing(tmp_path):
    venv, tools = tmp_path / "venv", tmp_path / "tools"
    run = lab("--dry-run", "--setup-only", "--venv", str(venv), env=without_uv(**{TOOLS_VAR: str(tools)}))
    assert run.returncode == 0, run.stderr
    assert f"would pip-install uv=={UV_VERSION} into {tools}" in run.stdout
    assert f"uv venv --seed --python {BASE_PYTHON} {venv}" in run.stdout
    python, requirements = venv / "bin" / "python", ROOT / "requirements.txt"
    assert f"pip install --python {python} -r {requirements} -e {ROOT}" in run.stdout
    assert not venv.exists() and not tools.exists()


def test_without_uv_the_set_up_installs_uv_into_a_tool_env_and_sets_up_with_it(uv_setup):
    course, tools, run = uv_setup
    assert f"no uv found; installing uv {UV_VERSION} with pip into {tools}" in run.stdout
    assert f"with uv (uv {UV_VERSION}, just installed into {tools})" in run.stdout
    assert f"uv=={UV_VERSION}" in run.stdout
    assert subprocess.run([str(tools / "bin" / "uv"), "--version"], capture_output=True, text=True,
                          check=True).stdout.split()[:2] == ["uv", UV_VERSION]
    assert not [p for p in tools.parent.iterdir() if p.name.endswith(".tmp")]      # nothing half made
    assert_ready(course, course / ".venv", "uv")


def test_an_installed_uv_is_used_and_no_tool_env_is_made(uv_setup, tmp_path):
    course, tools, _ = uv_setup
    unused = tmp_path / "no-tools"
    env = without_uv(**{TOOLS_VAR: str(unused)})
    env["PATH"] = f"{tools / 'bin'}{os.pathsep}{env['PATH']}"        # uv on the PATH, as a student's
    run = lab("--setup-only", "--venv", str(tmp_path / "venv"), cwd=course, env=env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "with uv (installed)" in run.stdout
    assert not unused.exists()
    assert_ready(course, tmp_path / "venv", "uv")
    again = lab("--setup-only", "--venv", str(tmp_path / "venv"), cwd=course, env=env)
    assert "is up to date" in again.stdout and "uv venv" not in again.stdout


@pytest.fixture(scope="module")
def pip_setup(uv_setup, tmp_path_factory):
    """COURSE_SETUP_INSTALLER=pip: venv + pip, no uv; (course, venv, output, what it installed)."""
    course, _, _ = uv_setup
    tmp = tmp_path_factory.mktemp("pip-setup")
    venv, unused = tmp / "venv", tmp / "no-tools"
    run = lab("--setup-only", "--venv", str(venv), cwd=course,
              env=without_uv(**{INSTALLER_VAR: "pip", TOOLS_VAR: str(unused)}))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert not unused.exists()
    return course, venv, run, assert_ready(course, venv, "pip")


def test_forced_pip_makes_the_same_environment_as_uv(pip_setup):
    course, _, run, by_pip = pip_setup
    assert f"with pip ({INSTALLER_VAR}=pip)" in run.stdout
    assert "uv venv" not in run.stdout and "uv pip" not in run.stdout
    by_uv = distributions(course / ".venv")
    strip = lambda found: {k: v for k, v in found.items() if k not in SEEDS}          # noqa: E731
    assert strip(by_pip) == strip(by_uv)


def test_when_uv_fails_the_set_up_falls_back_to_pip_and_says_so(pip_setup, tmp_path):
    """A uv that runs but cannot install (say, the only package index is one pip is configured
    for): the set-up redoes its work with pip. On the pip venv, with its stamp gone (a changed
    requirements.txt) and a pinned package removed, which pip must put back."""
    course, venv, _, _ = pip_setup
    (venv / ".installed").unlink()
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "uninstall", "--quiet", "--yes", "tqdm"],
                   check=True, capture_output=True)
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "uv").write_text("#!/bin/sh\n[ \"$1\" = --version ] && echo 'uv 0.0.0' && exit 0\n"
                             "echo 'error: no index reachable' >&2; exit 2\n")
    (fake / "uv").chmod(0o755)
    env = without_uv()
    env["PATH"] = f"{fake}{os.pathsep}{env['PATH']}"
    run = lab("--setup-only", "--venv", str(venv), cwd=course, env=env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "with uv (installed)" in run.stdout
    assert f"uv failed at: {fake / 'uv'} pip install" in run.stdout
    assert "with venv + pip instead" in run.stdout
    assert_ready(course, venv, "pip")


def test_insisting_on_uv_where_it_cannot_be_installed_fails_with_the_reason(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    run = lab("--setup-only", "--venv", str(tmp_path / "venv"),
              env=without_uv(**{INSTALLER_VAR: "uv", TOOLS_VAR: str(blocker / "tools")}))
    assert run.returncode != 0
    assert "could not install uv" in run.stdout
    assert f"{INSTALLER_VAR}=uv, but uv could not be installed" in run.stderr
    assert not (tmp_path / "venv").exists()


def test_setup_only_on_the_existing_venv_leaves_it_ready():
    run = lab("--setup-only")
    assert run.returncode == 0, run.stdout + run.stderr
    assert_lab_config(ROOT / ".venv")
    assert (ROOT / ".venv" / ".installed").exists()


def test_python_m_course_lib_lab_serves_the_course_on_the_welcome_notebook(tmp_path):
    def python_m_lab(port, workspaces):
        return [BASE_PYTHON, "-m", "course_lib.lab", "--", "--no-browser", "--ip", "127.0.0.1",
                "--port", str(port), "--IdentityProvider.token=", f"--LabApp.workspaces_dir={workspaces}"]

    with started_lab(python_m_lab, tmp_path) as url:
        assert lands_on_the_welcome_notebook(url)


# --- Binder and JupyterHub (repo2docker) ----------------------------------------------------------
def copy_repository(where: Path) -> Path:
    for name in REPOSITORY:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, where / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            where.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, where / name)
    return where


def image_env(env_dir: Path) -> Path:
    """A fresh environment with what grading needs (stands for repo2docker's, where requirements.txt
    is installed), made with the set-up's own uv when it can be had (seconds), else venv + pip."""
    uv, _ = find_uv()
    grading = str(ROOT / "requirements-grading.txt")
    if uv:
        subprocess.run([uv, "venv", "--seed", "--quiet", "--python", BASE_PYTHON, str(env_dir)], check=True)
        subprocess.run([uv, "pip", "install", "--quiet", "--python", str(env_dir / "bin" / "python"),
                        "-r", grading], check=True)
    else:
        subprocess.run([BASE_PYTHON, "-m", "venv", str(env_dir)], check=True)
        subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r", grading],
                       check=True)
    return env_dir


@pytest.mark.parametrize("repo2docker_installs", [True, False], ids=["pip-install-dot", "postBuild-alone"])
def test_postbuild_image_works_after_the_repository_folder_is_moved_away(tmp_path, repo2docker_installs):
    """repo2docker's steps (its own `pip install .`, since pyproject.toml has [project] and
    [build-system]; then postBuild), then the repository folder moved, as a persistent home
    mounted over it hides it: course_lib still imports and course-progress still runs."""
    repo = tmp_path / "repo"
    copy_repository(repo)
    env_dir = image_env(tmp_path / "image-env")
    env = dict(os.environ, PATH=f"{env_dir / 'bin'}{os.pathsep}{os.environ['PATH']}")
    env.pop("VIRTUAL_ENV", None)
    if repo2docker_installs:
        subprocess.run([str(env_dir / "bin" / "pip"), "install", "--quiet", "--no-cache-dir", "."], cwd=repo,
                       env=env, check=True, timeout=600)
    run = subprocess.run(["bash", str(repo / "postBuild")], cwd=repo, env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert_lab_config(env_dir)
    assert os.access(ROOT / "postBuild", os.X_OK)
    assert (ROOT / "runtime.txt").read_text().strip() == "python-3.11"

    repo.rename(tmp_path / "moved")              # the image's /home/jovyan, hidden by the mounted home
    where = subprocess.run([str(env_dir / "bin" / "python"), "-I", "-c",
                            "import course_lib; print(course_lib.__file__)"], cwd=tmp_path, env=env,
                           capture_output=True, text=True)
    assert where.returncode == 0, where.stderr[-2000:]
    assert Path(where.stdout.strip()).is_relative_to(env_dir)
    helped = subprocess.run([str(env_dir / "bin" / "course-progress"), "--help"], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert helped.returncode == 0 and "usage: course-progress" in helped.stdout, helped.stderr[-2000:]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_on_a_hub_make_progress_and_make_submit_use_the_installed_course_lib(tmp_path):
    """A student's clone on a hub (nbgitpuller) has no .venv; course_lib is in the image's Python:
    make progress and make submit run with it and build no .venv."""
    clone = tmp_path / "clone"
    copy_repository(clone)
    env_dir = image_env(tmp_path / "image-env")
    subprocess.run([str(env_dir / "bin" / "pip"), "install", "--quiet", "--no-deps", "."],
                   check=True, timeout=600, cwd=clone)
    env = dict(os.environ, PATH=f"{env_dir / 'bin'}{os.pathsep}{os.environ['PATH']}")
    env.pop("VIRTUAL_ENV", None)
    progress = subprocess.run(["make", "-s", "progress"], cwd=clone, env=env, capture_output=True, text=True,
                              timeout=600)
    assert progress.returncode == 0, progress.stdout[-2000:] + progress.stderr[-2000:]
    assert "00_welcome" in progress.stdout and "total" in progress.stdout
    submission = tmp_path / "submission.zip"
    submit = subprocess.run(["make", "-s", "submit", f"SUBMISSION={submission}"], cwd=clone, env=env,
                            capture_output=True, text=True, timeout=600)
    assert submit.returncode == 0, submit.stdout[-2000:] + submit.stderr[-2000:]
    assert submission.is_file()
    assert not (clone / ".venv").exists()


def test_readme_starts_with_make_lab_and_make_test_then_the_command_without_make():
    readme = (ROOT / "README.md").read_text()
    head = readme[: readme.index("## The notebooks")]
    assert head.index("make lab") < head.index("make test") < head.index("python -m course_lib.lab")
