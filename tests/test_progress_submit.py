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


# --- submit what you checked: a ✅ in the saved notebook that the saved function does not earn ---

PASSED_OUTPUT = [nbformat.v4.new_output("stream", name="stdout",
                                        text="✅ [mse] mse(): passed all 24 cases (1 point).\n")]
HALF_MSE = "def mse(o, y):\n    return 0.5 * float(np.mean((np.asarray(o) - np.asarray(y)) ** 2))\n"


def with_check_output(nb, outputs):
    """`nb` with its check("mse", mse) cell's saved output replaced."""
    cells = [c for c in nb.cells if c.cell_type == "code" and c.source.strip() == 'check("mse", mse)']
    assert len(cells) == 1
    cells[0].outputs = outputs
    cells[0].execution_count = 3
    return nb


@pytest.fixture
def edited_after_check(tmp_path):
    """00_welcome whose check cell shows ✅ but whose mse was edited afterwards (a 1/2 factor), and
    06 as released (no outputs: nothing shown)."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nbformat.write(with_check_output(welcome(HALF_MSE), PASSED_OUTPUT), folder / f"{WELCOME}.ipynb")
    shutil.copy(ROOT / "notebooks" / f"{SECOND}.ipynb", folder)
    return folder


def test_progress_lists_a_check_that_shows_passed_while_the_saved_function_fails(edited_after_check, capsys):
    argv = ["--notebooks", str(edited_after_check), "--notebook", WELCOME, SECOND, "--quiet"]
    assert progress.main(argv) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.strip().startswith(WELCOME) and "✅ cell 8" in line]
    assert len(rows) == 1 and "mse" in rows[0] and "failed" in rows[0], out
    assert "edited after its check ran, or the notebook was not saved" in out
    assert SECOND not in "".join(line for line in out.splitlines() if "✅ cell" in line)   # nothing shown


def test_an_honest_check_output_and_a_shown_failure_are_not_listed(tmp_path, capsys):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nbformat.write(with_check_output(welcome(), PASSED_OUTPUT), folder / f"{WELCOME}.ipynb")
    assert progress.main(["--notebooks", str(folder), "--notebook", WELCOME, "--quiet"]) == 0
    assert "✅ cell" not in capsys.readouterr().out
    failed = [nbformat.v4.new_output("stream", name="stdout", text="❌ [mse] mse(): 0 of 24 cases passed\n")]
    nbformat.write(with_check_output(welcome(HALF_MSE), failed), folder / f"{WELCOME}.ipynb")
    assert progress.main(["--notebooks", str(folder), "--notebook", WELCOME, "--quiet"]) == 0
    assert "✅ cell" not in capsys.readouterr().out


def test_submit_prints_the_mismatches_before_writing_the_zip(edited_after_check, tmp_path, capsys):
    out = tmp_path / "submission.zip"
    assert submit.main(["--notebooks", str(edited_after_check), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "✅ cell 8" in text and "graded as saved: 0 of" in text
    assert text.index("✅ cell 8") < text.index(f"wrote {out}")
    with zipfile.ZipFile(out) as z:                   # written all the same: the student decides
        assert sorted(z.namelist()) == sorted(p.name for p in edited_after_check.glob("*.ipynb"))
    assert submit.main(["--notebooks", str(edited_after_check), "--out", str(out), "--no-grading"]) == 0
    assert "graded as saved" not in capsys.readouterr().out
