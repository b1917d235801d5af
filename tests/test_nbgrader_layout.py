"""nbgrader's exchange: course-grade reads `submitted/<student>/<assignment>/<notebook>.ipynb`
(detected by itself or with --layout nbgrader) and writes nbgrader export's CSV columns."""

from __future__ import annotations

import csv

import nbformat
import pytest
from test_grading import ROOT, WELCOME, read_grades, save, welcome

from course_lib.grading import grade, nbgrader
from course_lib.grading.cli import main

STAMP = "2026-11-30 09:15:02.123456 UTC"


def read_export(path) -> tuple[list[str], dict[tuple[str, str], dict]]:
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, {(r["assignment"], r["student_id"]): r for r in reader}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """An nbgrader course folder: alice right (with timestamp.txt), bob wrong, carol nothing,
    dave submitted into a linked assignment folder, erin's notebook is a link."""
    course = tmp_path_factory.mktemp("course")
    submitted = course / "submitted"
    save(submitted / "alice", "ps1", welcome())
    (submitted / "alice" / "ps1" / "timestamp.txt").write_text(STAMP + "\n")
    save(submitted / "bob", "ps1", welcome("def mse(o, y):\n    return 0.0\n"))
    (submitted / "carol").mkdir()
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    save(elsewhere, "ps1", welcome())
    (submitted / "dave").mkdir()
    (submitted / "dave" / "ps1").symlink_to(elsewhere / "ps1", target_is_directory=True)
    (submitted / "erin" / "ps1").mkdir(parents=True)
    (submitted / "erin" / "ps1" / f"{WELCOME}.ipynb").symlink_to(elsewhere / "ps1" / f"{WELCOME}.ipynb")
    out = tmp_path_factory.mktemp("out")
    summary = grade(course, out, jobs=2, notebooks=[WELCOME], progress=False, seed=3)
    return course, out, summary


def test_the_layout_is_detected_and_graded(course):
    root, out, summary = course
    assert summary.layout == "nbgrader"
    assert nbgrader.detect(root) and nbgrader.detect(root / "submitted")
    grades = read_grades(out)
    assert grades[("alice", "mse")]["status"] == "passed"
    assert grades[("bob", "mse")]["status"] == "failed"
    assert grades[("carol", "mse")]["status"] == "missing"
    erin = grades[("erin", "mse")]
    assert erin["status"] == "invalid" and "symbolic link" in erin["message"]
    dave = grades[("dave", "mse")]                               # the linked folder is not read
    assert dave["status"] == "invalid" and "dave/ps1/ is a symbolic link" in dave["message"]
    assert any("dave/ps1" in u and "symbolic link" in u for u in summary.unknown)


def test_the_export_has_nbgraders_columns_and_values(course):
    _, out, _ = course
    fields, rows = read_export(out / "nbgrader-grades.csv")
    assert fields == ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                      "raw_score", "late_submission_penalty", "score", "max_score"]
    assert set(rows) == {("ps1", s) for s in ("alice", "bob", "carol", "dave", "erin")}
    alice = rows[("ps1", "alice")]
    assert (alice["timestamp"], float(alice["raw_score"]), float(alice["score"]), float(alice["max_score"])) \
        == ("2026-11-30 09:15:02.123456", 1.0, 1.0, 1.0)           # UTC, no zone: as nbgrader export
    assert float(alice["late_submission_penalty"]) == 0.0
    for student in ("bob", "carol", "dave", "erin"):
        row = rows[("ps1", student)]
        assert (float(row["score"]), float(row["max_score"])) == (0.0, 1.0)
    assert rows[("ps1", "carol")]["timestamp"] == ""


def test_a_plain_submissions_folder_is_not_taken_for_nbgrader(tmp_path):
    save(tmp_path / "subs", "ada", welcome())
    assert not nbgrader.detect(tmp_path / "subs")
    summary = grade(tmp_path / "subs", tmp_path / "out", notebooks=[WELCOME], progress=False)
    assert summary.layout == "folders" and not (tmp_path / "out" / "nbgrader-grades.csv").exists()


def test_cli_layout_option_and_several_assignments(tmp_path):
    submitted = tmp_path / "submitted"
    save(submitted / "ada", "week1", welcome())
    nb6 = nbformat.read(ROOT / "solutions" / "06_sgd_momentum_nesterov.ipynb", as_version=4)
    save(submitted / "ada", "week2", nb6, "06_sgd_momentum_nesterov")
    (submitted / "ada" / "week2" / "data.csv").write_text("=1+1\n")
    out = tmp_path / "out"
    assert main([str(submitted), "--out", str(out), "--layout", "nbgrader", "--quiet", "--notebook",
                 WELCOME, "06_sgd_momentum_nesterov"]) == 0
    _, rows = read_export(out / "nbgrader-grades.csv")
    assert set(rows) == {("week1", "ada"), ("week2", "ada")}
    assert float(rows[("week1", "ada")]["max_score"]) == 1.0
    assert float(rows[("week2", "ada")]["score"]) == float(rows[("week2", "ada")]["max_score"]) > 1



def test_the_export_neutralises_a_student_id_that_a_spreadsheet_would_run(tmp_path):
    """nbgrader's student ids are folder names the student may choose: the export goes through
    the CSV neutraliser like grades.csv."""
    formula = "=HYPERLINK(\"evil.example\",\"click\")"
    save(tmp_path / "submitted" / formula, "ps1", welcome())
    grade(tmp_path, tmp_path / "out", notebooks=[WELCOME], progress=False, seed=3)
    _, rows = read_export(tmp_path / "out" / "nbgrader-grades.csv")
    assert set(rows) == {("ps1", "'" + formula)}


# --- nbgrader as nbgrader does it (issue 19, item 6) ---------------------------------------------

@pytest.mark.parametrize("text, exported", [
    ("2026-12-01 09:05:00.000000 CET", "2026-12-01 08:05:00"),               # nbgrader submit's format
    ("2015-02-02 14:58:23.948203 America/Los_Angeles", "2015-02-02 22:58:23.948203"),   # its tests' stamp
    ("2026-11-30 09:15:02.123456 UTC\n", "2026-11-30 09:15:02.123456"),
    ("2026-07-01 12:00:00", "2026-07-01 12:00:00"),                          # no zone: as it is
    ("", ""), ("not a time at all", ""), ("9999-99-99 99:99:99 UTC", ""),
])
def test_timestamps_are_exported_as_nbgrader_export_writes_them(text, exported):
    """utils.parse_utc (UTC, zone dropped), then str(datetime) as CsvExportPlugin writes it."""
    assert nbgrader.export_timestamp(text) == exported


def nbgrader_course(root, with_source: bool):
    """A course whose only assignment is hw1 (00_welcome): ann right, ben wrong, cal no folder."""
    if with_source:
        save(root / "source", "hw1", welcome())
        save(root / "source", "essay", '{"cells": [], "nbformat": 4}', "essay")   # not the course's
    save(root / "submitted" / "ann", "hw1", welcome())
    save(root / "submitted" / "ben", "hw1", welcome("def mse(o, y):\n    return 0.0\n"))
    (root / "submitted" / "cal").mkdir()
    for student in ("ann", "ben"):
        folder = root / "submitted" / student / "hw1"
        (folder / "timestamp.txt").write_text("2026-12-01 09:05:00.000000 CET")
        (folder / "submission_secret.txt").write_text(f"secret-of-{student}")


@pytest.mark.parametrize("with_source", [True, False])
def test_only_the_courses_real_assignments_are_exported(tmp_path, with_source):
    nbgrader_course(tmp_path / "course", with_source)
    summary = grade(tmp_path / "course", tmp_path / "out", progress=False, seed=3)    # every notebook
    assert summary.layout == "nbgrader" and summary.assignments == {"hw1": [WELCOME]}
    _, rows = read_export(tmp_path / "out" / "nbgrader-grades.csv")
    assert set(rows) == {("hw1", s) for s in ("ann", "ben", "cal")}        # no phantom "06_sgd..."
    assert {r["notebook"] for r in summary.rows()} == {WELCOME}
    assert rows[("hw1", "ann")]["timestamp"] == "2026-12-01 08:05:00"
    assert float(rows[("hw1", "ann")]["score"]) == float(rows[("hw1", "ann")]["max_score"]) > 0
    assert rows[("hw1", "cal")]["timestamp"] == "" and float(rows[("hw1", "cal")]["score"]) == 0
    assert not [u for u in summary.unknown if "submission_secret" in u or "timestamp" in u], summary.unknown


def release_feedback_finds(course_feedback, assignment: str) -> dict[str, tuple[str, str, str]]:
    """What nbgrader's ExchangeReleaseFeedback.copy_files (exchange/default/release_feedback.py)
    reads from <course>/feedback: it globs feedback/*/<assignment>/*.html, takes student and
    notebook ids from the path, and opens timestamp.txt and submission_secret.txt beside the html
    (a missing one stops it). student -> (notebook, timestamp, secret)."""
    import glob
    import os
    import re

    found = {}
    for html_file in glob.glob(os.path.join(course_feedback, "*", assignment, "*.html")):
        regexp = re.escape(os.path.sep).join([re.escape(str(course_feedback)), "(?P<student_id>.*)",
                                              re.escape(assignment), "(?P<notebook_id>.*).html"])
        m = re.match(regexp, html_file)
        folder = os.path.split(html_file)[0]
        timestamp = open(os.path.join(folder, "timestamp.txt")).read()
        with open(os.path.join(folder, "submission_secret.txt")) as fh:
            found[m["student_id"]] = (m["notebook_id"], timestamp, fh.read())
    return found


def test_feedback_is_where_release_feedback_takes_it(tmp_path):
    nbgrader_course(tmp_path / "course", with_source=True)
    out = tmp_path / "out"
    grade(tmp_path / "course", out, notebooks=[WELCOME], progress=False, seed=3)
    found = release_feedback_finds(out / "feedback", "hw1")
    assert found == {s: (WELCOME, "2026-12-01 09:05:00.000000 CET", f"secret-of-{s}") for s in ("ann", "ben")}
    page = (out / "feedback" / "ben" / "hw1" / f"{WELCOME}.html").read_text()
    assert "failed" in page and "mse" in page
    assert (out / "feedback" / "ann.html").is_file()          # the course-grade page as ever
