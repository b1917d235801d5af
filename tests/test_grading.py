"""The autograder end to end: solutions score full marks, student notebooks zero, hostile
submissions get the right status while the rest of their batch still scores full marks.

Fixture submissions are made in tmp_path from solutions/ and notebooks/; the hostile ones are
variants of 00_welcome's `mse` exercise (fast to grade).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import nbformat
import psutil
import pytest
from gradescope_schema import check_results
from jsonschema import ValidationError

from course_lib import exercises
from course_lib.grading import grade
from course_lib.grading.cli import main

ROOT = Path(__file__).resolve().parent.parent
WELCOME = "00_welcome"
GOOD_MSE = "def mse(o, y):\n    return float(np.mean((np.asarray(o) - np.asarray(y)) ** 2))\n"


def graded_notebooks(folder: str) -> list[Path]:
    known = set(exercises.notebooks())
    return [p for p in sorted((ROOT / folder).glob("*.ipynb")) if p.stem in known]


def welcome(mse_source: str | None = GOOD_MSE, extra: list[str] = (), outputs: list | None = None):
    """The welcome solution notebook with the mse cell replaced and extra code cells appended."""
    nb = nbformat.read(ROOT / "solutions" / f"{WELCOME}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and "def mse" in cell.source:
            cell.source = mse_source if mse_source is not None else "pass"
            if outputs is not None:
                cell.outputs = outputs
    for source in extra:
        nb.cells.append(nbformat.v4.new_code_cell(source))
    return nb


def save(folder: Path, student: str, nb, name: str = WELCOME) -> None:
    (folder / student).mkdir(parents=True, exist_ok=True)
    if isinstance(nb, (bytes, str)):
        data = nb.encode() if isinstance(nb, str) else nb
        (folder / student / f"{name}.ipynb").write_bytes(data)
    else:
        nbformat.write(nb, folder / student / f"{name}.ipynb")


def read_grades(out: Path) -> dict[tuple[str, str], dict]:
    with open(out / "grades.csv", newline="") as f:
        return {(r["student"], r["exercise"]): r for r in csv.DictReader(f)}


# --- solutions and untouched student notebooks ---------------------------------------------------

def test_every_solution_scores_full_marks_and_every_student_notebook_zero(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    for path in graded_notebooks("solutions"):
        save(subs, "solution", nbformat.read(path, as_version=4), path.stem)
    for path in graded_notebooks("notebooks"):
        save(subs, "untouched", nbformat.read(path, as_version=4), path.stem)
    names = [p.stem for p in graded_notebooks("solutions")]
    summary = grade(subs, out, jobs=2, notebooks=names, progress=False, seed=7)
    rows = summary.rows()
    solution = [r for r in rows if r["student"] == "solution"]
    assert {r["notebook"] for r in solution} == set(names)
    for r in solution:
        assert (r["status"], r["points"]) == ("passed", r["max_points"]), r
    student_names = {p.stem for p in graded_notebooks("notebooks")}
    for r in rows:
        if r["student"] == "untouched" and r["notebook"] in student_names:
            assert (r["status"], r["points"]) == ("not_attempted", 0.0), r


# --- the hostile batch ---------------------------------------------------------------------------

HOSTILE = {
    "loop": ("def mse(o, y):\n    while True:\n        pass\n", "timeout"),
    "exit": ("def mse(o, y):\n    import os\n    os._exit(0)\n", "error"),
    "segfault": ("def mse(o, y):\n    import faulthandler\n    faulthandler._sigsegv()\n", "error"),
    "ctypes": ("def mse(o, y):\n    import ctypes\n    return ctypes.string_at(0)\n", "error"),
    "memory": ("def mse(o, y):\n    hog = []\n    while True:\n        hog.append(np.empty(10**8))\n",
               "error"),
    "raiser": ("def mse(o, y):\n    raise ValueError('<b>bold</b> & <script>alert(1)</script>')\n", "error"),
    "half": ("def mse(o, y):\n    return 0.5 * float(np.mean((o - y) ** 2))\n", "failed"),
    "in_place": ("def mse(o, y):\n    o -= y\n    return float(np.mean(o ** 2))\n", "failed"),
    "returns_object": ("def mse(o, y):\n    return object()\n", "failed"),
    "reference_import": ("from course_lib.nn import mse_loss as mse\n", "failed"),
    "reference_inside": ("def mse(o, y):\n    from course_lib.nn import mse_loss as m\n"
                         "    return m(o, y)\n", "failed"),
    "reference_importlib": ("import importlib\n\ndef mse(o, y):\n"
                            "    module = importlib.import_module('course' + '_lib.nn')\n"
                            "    return getattr(module, 'mse' + '_loss')(o, y)\n", "failed"),
    "huge_output": ("def mse(o, y):\n    print('x' * 100_000_000)\n    import sys\n"
                    "    sys.stderr.write('warning! ' * 1000)\n"
                    "    import warnings; warnings.warn('careful')\n" + GOOD_MSE.split("\n", 1)[1], "passed"),
    "left_running": ("import subprocess\n\ndef mse(o, y):\n"
                     "    subprocess.Popen(['sleep', '987651'])\n"
                     "    subprocess.Popen(['sleep', '987652'], start_new_session=True)\n"
                     + GOOD_MSE.split("\n", 1)[1], "error"),     # the sandbox refuses new processes
    "forged_frames": ("import os, sys\n\ndef mse(o, y):\n"
                      "    os.write(int(sys.argv[2]), b'[' * 100000 + b'\\n'"
                      " + b'{\"event\":\"case\",\"exercise\":\"mse\",\"index\":0,\"value\":{\"__ndarray__\":"
                      "\"<f8\",\"shape\":[99999999999999999999],\"data\":\"\"}}\\n')\n"
                      + GOOD_MSE.split("\n", 1)[1], "invalid"),   # lines not from the grader's child
    "huge_answer": ("def mse(o, y):\n    return np.ones(3_000_000)\n", "error"),   # 32 MB of JSON
    "unhashable_key": ("def mse(o, y):\n    return {(1, object()): 2.0}\n", "failed"),
    "complex": ("def mse(o, y):\n    return np.mean((np.asarray(o) - np.asarray(y)) ** 2) + 5j\n", "failed"),
    "not_attempted": ("def mse(o, y):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n",
                      "not_attempted"),
    "no_function": (None, "missing"),
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    subs = tmp_path_factory.mktemp("subs")
    out = tmp_path_factory.mktemp("out")
    for student, (source, _) in HOSTILE.items():
        save(subs, student, welcome(source))
    save(subs, "good", welcome())
    save(subs, "patched", welcome(
        "def mse(o, y):\n    return 0.0\n",
        extra=["np.mean = lambda *a, **k: 0.0\n",
               "def check(*args, **kwargs):\n    print('all tests passed')\n",
               "check('mse', mse)\nprint('✅ [mse] mse(): passed all 8 cases (1 point).')\n"],
        outputs=[nbformat.v4.new_output("stream", name="stdout", text="all tests passed\n")]))
    save(subs, "patch_inside", welcome("def mse(o, y):\n    np.mean = lambda *a, **k: 0.0\n    return 0.0\n"))
    # deleted and shuffled cells: only the def and the imports, the def first, plus a magic line
    nb = welcome()
    code = [c for c in nb.cells if c.cell_type == "code"]
    magic = nbformat.v4.new_code_cell("%matplotlib inline\n!ls")
    nb.cells = [c for c in code if "def mse" in c.source] + [magic]
    nb.cells += [c for c in code if "import numpy" in c.source]
    save(subs, "shuffled", nb)
    # the definition in effect at the check cell is graded; without a check cell, the last one
    save(subs, "checked_wins", welcome(GOOD_MSE, extra=["def mse(o, y):\n    return -1.0\n"]))
    save(subs, "checked_bad", welcome("def mse(o, y):\n    return -1.0\n", extra=[GOOD_MSE]))
    nb = welcome("def mse(o, y):\n    return -1.0\n", extra=[GOOD_MSE])
    nb.cells = [c for c in nb.cells if "check(" not in c.source]
    save(subs, "last_wins", nb)
    save(subs, "leftover_raise", welcome("def mse(o, y):\n    raise NotImplementedError()\n"
                                         + GOOD_MSE.split("\n", 1)[1]))
    save(subs, "invalid_json", "{ this is not json")
    save(subs, "empty", b"")
    save(subs, "wrong_format", json.dumps({"nbformat": 5, "nbformat_minor": 0, "cells": [], "metadata": {}}))
    outside = tmp_path_factory.mktemp("outside")
    save(subs, "writer", welcome(
        "def mse(o, y):\n"
        f"    targets = [{str(out / 'grades.csv')!r}, {str(outside / 'planted.txt')!r}]\n"
        "    for path in targets + ['../escaped.txt']:\n"
        "        try:\n"
        "            open(path, 'w').write('student,points\\nwriter,1000\\n')\n"
        "        except OSError:\n"
        "            pass\n"
        "    return 0.0\n"))
    (subs / "good" / "notes.txt").write_text("not a notebook")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(exercises.get("mse"), "timeout", 3.0)
        summary = grade(subs, out, jobs=2, notebooks=[WELCOME], progress=False, timeout=30)
    return summary, out


@pytest.mark.parametrize("student", sorted(HOSTILE))
def test_hostile_submission_gets_its_status(hostile, student):
    summary, out = hostile
    row = read_grades(out)[(student, "mse")]
    expected = HOSTILE[student][1]
    assert row["status"] == expected, row
    assert float(row["points"]) == (1.0 if expected == "passed" else 0.0)


def test_the_rest_of_the_batch_still_scores_full_marks(hostile):
    summary, out = hostile
    grades = read_grades(out)
    for student in ("good", "shuffled", "last_wins", "checked_wins", "huge_output"):
        assert grades[(student, "mse")]["status"] == "passed", grades[(student, "mse")]


def test_messages_say_what_happened(hostile):
    grades = read_grades(hostile[1])
    assert "longer than 3 s" in grades[("loop", "mse")]["message"]
    assert "segmentation fault" in grades[("segfault", "mse")]["message"]
    assert "exited early" in grades[("exit", "mse")]["message"]
    assert "MemoryError" in grades[("memory", "mse")]["message"]
    assert "in place" in grades[("in_place", "mse")]["message"]
    assert "cannot read" in grades[("returns_object", "mse")]["message"]
    for student in ("reference_import", "reference_inside", "reference_importlib"):
        assert "reference code" in grades[(student, "mse")]["message"], student
    assert "mse_loss" in grades[("reference_importlib", "mse")]["message"]   # caught at run time
    assert "complex" in grades[("complex", "mse")]["message"]                # not silently dropped
    assert "larger than the grader accepts" in grades[("huge_answer", "mse")]["message"]
    assert "cannot read" in grades[("unhashable_key", "mse")]["message"]      # not a grader error
    assert "result channel" in grades[("forged_frames", "mse")]["message"]
    assert "does not allow ctypes" in grades[("ctypes", "mse")]["message"]
    assert "does not allow subprocess.Popen" in grades[("left_running", "mse")]["message"]


def test_the_definition_the_student_checked_is_graded(hostile):
    grades = read_grades(hostile[1])
    checked_bad = grades[("checked_bad", "mse")]
    assert checked_bad["status"] == "failed"
    assert "graded the definition in cell 6; `mse` is defined 2 times" in checked_bad["message"]
    assert "graded the definition in cell 6" in grades[("checked_wins", "mse")]["message"]
    assert "defined 2 times" in grades[("last_wins", "mse")]["message"]
    assert "defined" not in grades[("good", "mse")]["message"]


def test_a_leftover_raise_line_is_named_not_called_not_attempted(hostile):
    row = read_grades(hostile[1])[("leftover_raise", "mse")]
    assert row["status"] == "error" and "delete the raise NotImplementedError() line" in row["message"]


def test_patched_numpy_redefined_check_and_fake_output_do_not_raise_the_grade(hostile):
    grades = read_grades(hostile[1])
    assert grades[("patched", "mse")]["status"] == "failed"
    assert grades[("patch_inside", "mse")]["status"] == "failed"


def test_malformed_notebooks_are_invalid_with_a_reason(hostile):
    grades = read_grades(hostile[1])
    assert "not valid JSON" in grades[("invalid_json", "mse")]["message"]
    assert "empty" in grades[("empty", "mse")]["message"]
    assert "nbformat=5" in grades[("wrong_format", "mse")]["message"]
    for student in ("invalid_json", "empty", "wrong_format"):
        assert grades[(student, "mse")]["status"] == "invalid"


def test_no_process_started_by_a_submission_survives(hostile):
    for process in psutil.process_iter(["cmdline"]):
        assert process.info["cmdline"] not in (["sleep", "987651"], ["sleep", "987652"])


def test_files_written_by_a_submission_do_not_change_the_grades(hostile):
    summary, out = hostile
    grades = read_grades(out)
    assert grades[("writer", "mse")]["status"] == "failed"
    assert "writer,1000" not in (out / "grades.csv").read_text()
    totals = {row[0]: row[1] for row in csv.reader(open(out / "summary.csv"))}
    assert totals["writer"] == "0" and totals["good"] == "1"


def test_unknown_files_are_reported_and_skipped(hostile):
    summary = hostile[0]
    assert any("good/notes.txt" in u for u in summary.unknown)


def test_feedback_escapes_what_students_control(hostile):
    out = hostile[1]
    page = (out / "feedback" / "raiser.html").read_text()
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page
    half = (out / "feedback" / "half.html").read_text()
    assert "expected" in half and "got" in half and "failed" in half


# --- Gradescope ------------------------------------------------------------------------------------

def check_gradescope(data: dict) -> None:
    """Gradescope's results.json spec, as a JSON Schema, and the course's rules on top of it."""
    check_results(data)
    assert data["tests"]


def test_gradescope_results_validate(hostile):
    out = hostile[1]
    files = sorted((out / "gradescope").glob("*/results.json"))
    assert len(files) == len(hostile[0].students)
    for path in files:
        check_gradescope(json.loads(path.read_text()))
    good = json.loads((out / "gradescope" / "good" / "results.json").read_text())
    assert good["score"] == good["tests"][0]["max_score"] == 1 and good["tests"][0]["status"] == "passed"
    with pytest.raises(ValidationError):          # the checker itself can fail
        check_gradescope({**good, "tests": [{**good["tests"][0], "status": "ok"}]})


# --- cache and command line ------------------------------------------------------------------------

def test_rerun_uses_the_cache_and_regrades_what_changed(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    save(subs, "a", welcome())
    save(subs, "b", welcome("def mse(o, y):\n    return 0.0\n"))
    first = grade(subs, out, jobs=2, notebooks=[WELCOME], progress=False)
    assert first.n_fresh == 2
    again = grade(subs, out, jobs=2, notebooks=[WELCOME], progress=False)
    assert again.n_fresh == 0 and again.seed == first.seed and again.rows() == first.rows()
    save(subs, "b", welcome())
    third = grade(subs, out, jobs=2, notebooks=[WELCOME], progress=False)
    assert third.n_fresh == 1 and read_grades(out)[("b", "mse")]["status"] == "passed"
    forced = grade(subs, out, jobs=2, notebooks=[WELCOME], progress=False, force=True, seed=3)
    assert forced.n_fresh == 2 and json.loads((out / "grading.json").read_text())["seed"] == 3


def test_cli_exit_codes_and_help(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for word in ("SUBMISSIONS", "--jobs", "--timeout", "--notebook", "--force", "not_attempted",
                 "Gradescope"):
        assert word in text
    assert main([str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 2
    save(tmp_path / "subs", "a", welcome("def mse(o, y):\n    return 0.0\n"))
    subs, out = str(tmp_path / "subs"), str(tmp_path / "out")
    assert main([subs, "--out", out, "--notebook", "99_nope"]) == 2
    assert main([subs, "--out", out, "--notebook", WELCOME, "--quiet"]) == 0
    assert read_grades(tmp_path / "out")[("a", "mse")]["status"] == "failed"
