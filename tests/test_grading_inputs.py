"""Hostile inputs to the grader (issue 14, item 4): links, names, formulas, escape codes, deep
nesting, and notebooks that made the static analysis quadratic. Each attack is a submission in
one batch of 00_welcome (fast to grade); the honest student in the same batch keeps full marks."""

from __future__ import annotations

import csv
import io
import json
import sys

import nbformat
import pytest
from gradescope_schema import check_results
from test_grading import WELCOME, read_grades, save, welcome

from course_lib.grading import find, grade, report
from course_lib.grading.cli import main

LONG = "ü" * 5 + "x" * 225 + " ;<b>&'\\ n"        # 240 characters, 245 bytes: the longest folder name
FORMULA = '=HYPERLINK("evil.example","click")'          # a folder name: no slash
ESCAPES = "esc\x1b[31mred\x1b[0m\x07bell\rreturn"


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    subs = tmp_path_factory.mktemp("subs")
    out = tmp_path_factory.mktemp("out")
    solutions = tmp_path_factory.mktemp("solutions")      # what a link would point at
    nbformat.write(welcome(), solutions / f"{WELCOME}.ipynb")
    save(subs, "honest", welcome())
    (subs / "linked_notebook").mkdir()
    (subs / "linked_notebook" / f"{WELCOME}.ipynb").symlink_to(solutions / f"{WELCOME}.ipynb")
    (subs / "linked_folder").symlink_to(solutions, target_is_directory=True)
    for name in (LONG, FORMULA, ESCAPES, "-1+2", "@SUM(A1)", "\tTAB"):
        save(subs, name, welcome())
    save(subs, "deep_json", '{"cells": ' + "[" * 100_000 + "]" * 100_000 + ', "nbformat": 4}')
    save(subs, "deep_code", welcome(extra=["x = " + "(" * 50_000 + ")" * 50_000 + "\n",
                                           "y = " + "-" * 200_000 + "1\n"]))
    save(subs, "unwritable", welcome())
    (out / "feedback" / "unwritable.html").mkdir(parents=True)     # its report cannot be written
    summary = grade(subs, out, jobs=2, notebooks=[WELCOME], progress=False, seed=11, layout="folders")
    return summary, subs, out


def test_symlinked_notebook_and_folder_are_refused_with_a_reason(batch):
    _, _, out = batch
    grades = read_grades(out)
    # refused when the batch is discovered (the reason says what to submit instead)
    for student, instead in (("linked_notebook", "submit the file itself"),
                             ("linked_folder", "submit the files themselves")):
        row = grades[(student, "mse")]
        assert (row["status"], row["points"]) == ("invalid", "0.0"), row
        assert "symbolic link" in row["message"] and instead in row["message"], row
    assert grades[("honest", "mse")]["status"] == "passed"


def test_a_notebook_replaced_by_a_link_after_discovery_is_refused(tmp_path):
    """The second guard: a file that became a link between discovery and grading."""
    from course_lib import exercises
    from course_lib.grading.batch import Submission, grade_submission
    from course_lib.grading.score import prepare

    real = tmp_path / "real.ipynb"
    nbformat.write(welcome(), real)
    link = tmp_path / f"{WELCOME}.ipynb"
    link.symlink_to(real)
    prepared = prepare(exercises.for_notebook(WELCOME), 0)
    results = grade_submission(Submission("mallory", WELCOME, link), prepared, timeout=30, memory_mb=1024)
    assert [(r.status, r.points) for r in results] == [("invalid", 0.0)], results
    assert "symbolic link" in results[0].message


def test_every_name_gets_its_reports_and_file_names_are_bounded(batch):
    summary, _, out = batch
    for student in (LONG, FORMULA, ESCAPES):
        name = report.file_name(student)
        assert len(name.encode()) <= 100 and "/" not in name and not name.startswith(".")
        assert (out / "feedback" / f"{name}.html").is_file(), student
        data = json.loads((out / "gradescope" / name / "results.json").read_text())
        check_results(data)
        assert data["score"] == 1
    names = [report.file_name(s) for s in summary.students]
    assert len(set(names)) == len(names)                     # no two students share a file
    assert report.file_name("ada") == "ada" and report.file_name("..") != ".."


def test_a_report_that_cannot_be_written_is_shown_and_the_others_are_written(batch, capsys):
    summary, _, out = batch
    assert any("unwritable" in e for e in summary.report_errors), summary.report_errors
    assert "unwritable" in report.error_table(summary)
    assert (out / "feedback" / "honest.html").is_file() and (out / "grading.json").is_file()


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(batch):
    _, _, out = batch
    for file in ("grades.csv", "summary.csv"):
        text = (out / file).read_text()
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        assert "'" + FORMULA in cells and "'-1+2" in cells and "'@SUM(A1)" in cells
        assert "\\u0009TAB" in cells         # a name's tab is shown escaped (score.safe_text), never raw
        assert not any(c.startswith(report.FORMULA_START) for c in cells), file
    for start in report.FORMULA_START:
        assert report.csv_cell(start + "x") == "'" + start + "x"
    assert report.csv_cell("ada") == "ada" and report.csv_cell(1.5) == "1.5"


def test_the_terminal_tables_carry_no_control_characters(batch):
    summary = batch[0]
    for text in (report.class_table(summary), report.error_table(summary)):
        assert not any(ord(c) < 32 and c != "\n" or ord(c) == 127 for c in text)
    assert "esc\\u001b[31mred" in report.class_table(summary)           # escaped, not lost


def test_json_nested_too_deep_is_invalid_and_deep_code_is_not_a_grader_error(batch):
    grades = read_grades(batch[2])
    row = grades[("deep_json", "mse")]
    assert row["status"] == "invalid" and "nested too deeply" in row["message"], row
    assert grades[("deep_code", "mse")]["status"] == "passed", grades[("deep_code", "mse")]


def test_cli_prints_names_without_escape_codes(batch, capsys):
    _, subs, tmp = batch
    assert main([str(subs), "--out", str(tmp / "again"), "--notebook", WELCOME, "--seed", "11"]) == 0
    printed = capsys.readouterr().out
    assert "\x1b" not in printed and "\x07" not in printed and "symbolic link" in printed


# --- the static analysis is close to linear --------------------------------------------------------

def analysis_steps(n: int) -> int:
    """Lines of find.py executed to read and analyse a notebook with `n` lines of `mse = mse`."""
    nb = welcome(extra=["mse = mse\n" * n, "from numpy import *\n" * (n // 10)])
    count = 0
    here = find.__file__

    def tracer(frame, event, arg):
        nonlocal count
        if frame.f_code.co_filename != here:
            return None
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        program = find.parse_notebook(nb, WELCOME)
        program.course_lib_use("mse", lambda obj: False)
        program.cells_for(["mse"])
    finally:
        sys.settrace(None)
    return count


def test_static_analysis_work_grows_linearly_with_the_notebook():
    small, large = analysis_steps(400), analysis_steps(3200)
    # 8x the statements: linear work is ~8x the steps, the former quadratic analysis was ~50x
    assert large < 10 * small, (small, large)
    assert large > 4 * small                # the counter does count the statements' work


def test_a_huge_notebook_of_rebindings_still_grades(tmp_path):
    subs = tmp_path / "subs"
    save(subs, "rebinder", welcome(extra=["mse = mse\n" * 20_000]))
    summary = grade(subs, tmp_path / "out", jobs=1, notebooks=[WELCOME], progress=False)
    assert [r["status"] for r in summary.rows()] == ["passed"]

