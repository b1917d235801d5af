"""The Gradescope autograder bundle, set up and run as Gradescope would, under a temporary
AUTOGRADER_ROOT: setup.sh really builds its venv (this machine's Python, pip's cache and PyPI),
then run_autograder grades honest, blank and hostile submissions, and each results.json must be
valid and give exactly the scores `course-grade` gives the same notebooks with the same seed."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from gradescope_schema import check_results
from test_grading import ROOT, WELCOME, check_gradescope, save, welcome

from course_lib.grading import grade, submit
from course_lib.grading.cli import main

NOTEBOOKS = [WELCOME, "06_sgd_momentum_nesterov"]
SEED = 5


def pins(path: Path) -> dict[str, str]:
    """package -> pinned version of a requirements file (names normalised as pip does)."""
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"{path.name}: {line!r} is not pinned with =="
            found[re.sub(r"[-_.]+", "-", name).lower()] = version
    return found


def test_grading_requirements_are_pinned_as_in_requirements_txt():
    grading, lab = pins(ROOT / "requirements-grading.txt"), pins(ROOT / "requirements.txt")
    assert {"numpy", "nbformat", "tqdm", "psutil", "matplotlib"} <= set(grading)
    for name, version in grading.items():
        assert lab.get(name) == version, f"{name}: {version} here, {lab.get(name)} in requirements.txt"
    assert "jupyterlab" not in grading and "playwright" not in grading      # only what grading needs


def submissions() -> dict[str, dict[str, object]]:
    """student -> {notebook: content}: honest, blank, hostile."""
    solution = {n: nbformat.read(ROOT / "solutions" / f"{n}.ipynb", as_version=4) for n in NOTEBOOKS}
    blank = {n: nbformat.read(ROOT / "notebooks" / f"{n}.ipynb", as_version=4) for n in NOTEBOOKS}
    return {
        "honest": solution,
        "blank": blank,
        "half_done": {WELCOME: solution[WELCOME], NOTEBOOKS[1]: blank[NOTEBOOKS[1]]},
        "hostile": {
            WELCOME: welcome("import os, json\n\ndef mse(o, y):\n"
                             "    for root in ('/autograder', os.environ.get('AUTOGRADER_ROOT', '')):\n"
                             "        try:\n"
                             "            p = os.path.join(root, 'results', 'results.json')\n"
                             "            open(p, 'w').write(json.dumps({'score': 1000}))\n"
                             "        except OSError:\n"
                             "            pass\n"
                             "    os._exit(0)\n"),
            NOTEBOOKS[1]: "{ not json",
        },
        "reference": {WELCOME: welcome("from course_lib.nn import mse_loss as mse\n")},
    }


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    """An AUTOGRADER_ROOT with the unzipped bundle in source/ and setup.sh run."""
    root = tmp_path_factory.mktemp("autograder")
    bundle = root / "autograder.zip"
    assert main(["gradescope-bundle", str(bundle), "--notebook", *NOTEBOOKS, "--seed", str(SEED)]) == 0
    with zipfile.ZipFile(bundle) as z:
        z.extractall(root / "source")
        modes = {i.filename: i.external_attr >> 16 for i in z.infolist()}
    for script in ("setup.sh", "run_autograder"):
        assert modes[script] & 0o111, f"{script} is not executable in the zip"
        os.chmod(root / "source" / script, 0o755)
    base = getattr(sys, "_base_executable", sys.executable)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=base)
    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env, capture_output=True,
                           text=True, timeout=600)
    assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-3000:]
    return root, env


def run_autograder(root: Path, env: dict, student: str, notebooks: dict) -> dict:
    submission = root / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    submission.mkdir()
    results = root / "results" / "results.json"
    results.unlink(missing_ok=True)
    for name, nb in notebooks.items():
        path = submission / f"{name}.ipynb"
        path.write_text(nb) if isinstance(nb, str) else nbformat.write(nb, path)
    run = subprocess.run([str(root / "source" / "run_autograder")], env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    return json.loads(results.read_text())


@pytest.mark.slow
def test_setup_builds_its_own_venv_with_the_pinned_packages_and_course_lib(autograder):
    root, _ = autograder
    python = root / "venv" / "bin" / "python"
    probe = subprocess.run([str(python), "-I", "-c", "import course_lib, numpy, nbformat; "
                            "print(course_lib.__file__); print(numpy.__version__)"],
                           capture_output=True, text=True, check=True).stdout.split()
    assert probe[0].startswith(str(root / "venv")), probe     # the copy from the zip, not this checkout
    assert probe[1] == pins(ROOT / "requirements-grading.txt")["numpy"]
    ipywidgets = subprocess.run([str(python), "-c", "import ipywidgets"], capture_output=True)
    assert ipywidgets.returncode != 0                          # only what grading needs


@pytest.mark.slow
def test_run_autograder_gives_course_grades_scores(autograder, tmp_path):
    root, env = autograder
    subs = tmp_path / "subs"
    for student, notebooks in submissions().items():
        for name, nb in notebooks.items():
            save(subs, student, nb, name)
    summary = grade(subs, tmp_path / "out", jobs=2, notebooks=NOTEBOOKS, seed=SEED, progress=False)
    expected = {}
    for row in summary.rows():
        expected.setdefault(row["student"], {})[f"{row['notebook']}: {row['exercise']}"] = row["points"]
    for student, notebooks in submissions().items():
        data = run_autograder(root, env, student, notebooks)
        check_gradescope(data)
        got = {t["name"]: t["score"] for t in data["tests"]}
        assert got == expected[student], student
        assert data["score"] == sum(expected[student].values()), student
    assert expected["honest"] and all(v > 0 for v in expected["honest"].values())
    assert sum(expected["blank"].values()) == 0 and sum(expected["hostile"].values()) == 0
    assert 0 < sum(expected["half_done"].values()) < sum(expected["honest"].values())


@pytest.mark.slow
def test_a_make_submit_zip_is_graded_as_uploaded(autograder, tmp_path):
    """Gradescope unzips the student's upload into submission/: the zip of `make submit` as it is,
    or a zip of the folder that holds it."""
    root, env = autograder
    mine = tmp_path / "notebooks"
    mine.mkdir()
    for name in NOTEBOOKS:
        shutil.copy(ROOT / "solutions" / f"{name}.ipynb", mine)
    assert submit.write_zip(mine, tmp_path / "submission.zip") == []
    for inner in ("", "my-folder/"):
        submission = root / "submission"
        shutil.rmtree(submission, ignore_errors=True)
        with zipfile.ZipFile(tmp_path / "submission.zip") as z:
            for info in z.infolist():
                target = submission / inner / info.filename
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(z.read(info))
        run = subprocess.run([str(root / "source" / "run_autograder")], env=env, capture_output=True,
                             text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-2000:]
        data = json.loads((root / "results" / "results.json").read_text())
        check_gradescope(data)
        assert data["score"] == sum(t["max_score"] for t in data["tests"]) > 0, inner


# --- run_autograder always answers ----------------------------------------------------------------

@contextlib.contextmanager
def moved(path: Path):
    """`path` moved out of the way (what a broken venv looks like), put back afterwards."""
    away = path.with_name(path.name + ".away")
    path.rename(away)
    try:
        yield away
    finally:
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
        away.rename(path)


def site_packages(root: Path) -> Path:
    return next((root / "venv" / "lib").glob("python3*/site-packages"))


@pytest.mark.slow
def test_the_placeholder_is_written_before_grading_and_replaced(autograder, tmp_path):
    """When the grader starts, results.json already says "grading did not finish" (what the student
    sees if it never does); the grader's results replace it."""
    root, env = autograder
    python = root / "venv" / "bin" / "python"
    spy = tmp_path / "seen-at-start.json"
    with moved(python) as real:
        python.write_text(f'#!/bin/sh\ncp "{root}/results/results.json" "{spy}"\nexec "{real}" "$@"\n')
        python.chmod(0o755)
        data = run_autograder(root, env, "honest", {WELCOME: submissions()["honest"][WELCOME]})
    placeholder = json.loads(spy.read_text())
    check_results(placeholder)
    assert placeholder["score"] == 0 and "Grading did not finish" in placeholder["output"]
    assert "instructor" in placeholder["output"]
    check_gradescope(data)
    assert data["score"] > 0 and "did not finish" not in data["output"]


@pytest.mark.slow
@pytest.mark.parametrize("breakage", ["no python", "python fails at once", "course_lib missing",
                                      "course_lib broken"])
def test_a_broken_venv_still_yields_a_valid_results_json(autograder, breakage):
    root, env = autograder
    python = root / "venv" / "bin" / "python"
    target = {"no python": python, "python fails at once": python,
              "course_lib missing": site_packages(root) / "course_lib",
              "course_lib broken": site_packages(root) / "course_lib" / "grading" / "__init__.py"}[breakage]
    with moved(target):
        if breakage == "python fails at once":
            python.write_text("#!/bin/sh\nexit 137\n")
            python.chmod(0o755)
        elif breakage == "course_lib broken":
            target.write_text("raise ImportError('a broken install')\n")
        data = run_autograder(root, env, "honest", {WELCOME: submissions()["honest"][WELCOME]})
    check_results(data)
    assert data["score"] == 0 and data["tests"] == []
    assert "not graded" in data["output"] and "tell your instructor" in data["output"]
    assert "did not finish" not in data["output"]           # the placeholder was replaced by the reason
    assert data["output"] != "autograder failed"
