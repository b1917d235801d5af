"""The student's own view: course-progress / make progress grades notebooks/ with the grader,
make submit packs notebooks/*.ipynb into the zip that Gradescope's bundle and course-grade take."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile

import nbformat
import pytest
from test_grading import ROOT, WELCOME, welcome

from course_lib import exercises
from course_lib.grading import grade, progress, submit

SECOND = "06_sgd_momentum_nesterov"


@pytest.fixture
def my_notebooks(tmp_path):
    """A student's notebooks/: 00_welcome done, 06 as released (not attempted)."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nbformat.write(welcome(), folder / f"{WELCOME}.ipynb")
    shutil.copy(ROOT / "notebooks" / f"{SECOND}.ipynb", folder)
    return folder


def test_course_progress_prints_passed_out_of_total_and_points(my_notebooks, capsys):
    assert progress.main(["--notebooks", str(my_notebooks), "--notebook", WELCOME, SECOND]) == 0
    captured = capsys.readouterr()
    lines = {line.split()[0]: line for line in captured.out.splitlines() if line.strip()}
    assert lines[WELCOME].split()[1:] == ["1", "of", "1", "1", "/", "1"]
    second = [e.id for e in exercises.for_notebook(SECOND)]
    assert len(second) >= 2                                              # something to leave undone
    assert lines[SECOND].split()[1:4] == ["0", "of", str(len(second))]        # as released: nothing passes
    assert all(f"{name} (" in captured.out for name in second)              # each listed as left to do
    assert "grading" in captured.err and "notebook" in captured.err      # the tqdm bar ran
    assert len(list(my_notebooks.iterdir())) == 2                      # nothing written next to them


def test_course_progress_without_a_notebooks_folder_says_so(tmp_path, capsys):
    assert progress.main(["--notebooks", str(tmp_path / "nowhere")]) == 2
    assert "no folder" in capsys.readouterr().err


def test_submit_zip_is_graded_by_course_grade_like_the_notebooks(my_notebooks, tmp_path):
    out = tmp_path / "submission.zip"
    assert submit.main(["--notebooks", str(my_notebooks), "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == sorted(p.name for p in my_notebooks.glob("*.ipynb"))
        z.extractall(tmp_path / "subs" / "me")          # as the README tells an instructor
    summary = grade(tmp_path / "subs", tmp_path / "out", notebooks=[WELCOME, SECOND], progress=False, seed=1)
    status = {(r["notebook"], r["exercise"]): r["status"] for r in summary.rows()}
    assert status[(WELCOME, "mse")] == "passed"
    assert [status[(SECOND, e.id)] != "passed" for e in exercises.for_notebook(SECOND)] == \
        [True] * len(exercises.for_notebook(SECOND))


@pytest.mark.parametrize("content, reason", [("{ not json", "not valid JSON"), ("", "empty"),
                                             ('{"cells": []}', "nbformat")])
def test_submit_refuses_an_unreadable_notebook_with_the_reason(my_notebooks, tmp_path, capsys, content,
                                                               reason):
    (my_notebooks / "07_adagrad_rmsprop.ipynb").write_text(content)
    out = tmp_path / "submission.zip"
    assert submit.main(["--notebooks", str(my_notebooks), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "07_adagrad_rmsprop.ipynb" in err and reason in err
    assert not out.exists()


@pytest.mark.skipif(shutil.which("make") is None and os.environ.get("CI") != "true",
                    reason="make is not installed (in CI the test runs, and fails without make)")
def test_make_progress_and_make_submit_on_the_course(tmp_path):
    run = subprocess.run(["make", "-s", "progress"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "00_welcome" in run.stdout and "total" in run.stdout and "11_capstone_digits" in run.stdout
    out = tmp_path / "s.zip"
    run = subprocess.run(["make", "-s", "submit", f"SUBMISSION={out}"], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
