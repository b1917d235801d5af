"""nbgrader's formats: its course folder, its timestamps, its export columns, its feedback folders.

An nbgrader course keeps what `nbgrader collect` gathered in

    <course>/submitted/<student_id>/<assignment>/<notebook>.ipynb
    <course>/submitted/<student_id>/<assignment>/timestamp.txt          (when the student submitted)
    <course>/submitted/<student_id>/<assignment>/submission_secret.txt  (nbgrader >= 0.9.3)

and the assignments as the instructor wrote them in `<course>/source/<assignment>/` (released
copies in `<course>/release/<assignment>/`). `course-grade <course>/submitted` (or `<course>`)
reads that tree (collect.py walks it with the helpers here) and writes

    OUT/nbgrader-grades.csv   the columns of `nbgrader export` (EXPORT_FIELDS), one row per
                              assignment and student (report.gradebook_csv, from gradebook_rows)
    OUT/feedback/<student_id>/<assignment>/<notebook>.html, with the submission's timestamp.txt
                              and submission_secret.txt beside it: the folder `nbgrader
                              release_feedback` reads (copy OUT/feedback into <course>/feedback)

What was followed, in nbgrader's own source (github.com/jupyter/nbgrader, main, 2026):
  * nbgrader/plugins/export.py, CsvExportPlugin.export: the columns; one row per assignment of the
    gradebook and student; a student with no submission gets an empty timestamp and 0 points;
    each value written with str() (a timestamp is the datetime autograde stored).
  * nbgrader/utils.py, parse_utc, as coursedir.get_existing_timestamp applies it to
    timestamp.txt's stripped text: "<date> <time> <zone>" is read with dateutil and the zone
    (a name, or an int read as seconds), converted to UTC and stored without a zone, so the export
    shows str(datetime): "2026-12-01 08:05:00" (with ".ffffff" only when there are microseconds).
  * nbgrader/exchange/default/release_feedback.py, ExchangeReleaseFeedback.copy_files: it globs
    `feedback/<student>/<assignment>/*.html`, takes the notebook id from the file name and reads
    `timestamp.txt` and `submission_secret.txt` in the same folder (the secret names the released
    file: notebook_hash(secret, notebook_id)); converters/base.py's init_assignment copies those
    files from the submission into that folder when nbgrader generates feedback itself.
There is no gradebook database here: names, e-mails and due dates are empty, the late penalty 0.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import dateutil.parser
import dateutil.tz

EXPORT_FIELDS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                 "raw_score", "late_submission_penalty", "score", "max_score"]
SUBMISSION_FILES = ("timestamp.txt", "submission_secret.txt")    # nbgrader's, copied beside feedback
MAX_SMALL_FILE = 4096          # bytes of timestamp.txt / submission_secret.txt read


def root(submissions: Path) -> Path:
    """The folder holding the students: `submissions`, or its `submitted/` (an nbgrader course)."""
    inner = Path(submissions) / "submitted"
    return inner if inner.is_dir() and not inner.is_symlink() else Path(submissions)


def course_folder(submissions: Path) -> Path | None:
    """The course folder (the one holding `submitted/`), or None when it cannot be told."""
    submissions = Path(submissions)
    if (submissions / "submitted").is_dir():
        return submissions
    return submissions.parent if submissions.name == "submitted" else None


def detect(submissions: Path) -> bool:
    """True if `submissions` is nbgrader's layout: it has `submitted/`, it is called `submitted`,
    or a student's assignment folder holds nbgrader's timestamp.txt. (Notebooks one folder down
    alone do not tell: a student's GitHub repository has them in `notebooks/`.)"""
    submissions = Path(submissions)
    if course_folder(submissions) is not None:
        return True
    try:
        return any((assignment / "timestamp.txt").is_file()
                   for student in _folders(submissions) for assignment in _folders(student))
    except OSError:
        return False


def _folders(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir()
                  if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))


def course_assignments(submissions: Path, notebooks: set[str]) -> dict[str, list[str]]:
    """assignment -> the course notebooks it holds, from the course's `source/` (else `release/`)
    folder: the assignments nbgrader's gradebook knows. {} when there is no such folder."""
    course = course_folder(submissions)
    for name in ("source", "release"):
        folder = course / name if course is not None else None
        if folder is None or not folder.is_dir() or folder.is_symlink():
            continue
        found = {}
        for assignment in _folders(folder):
            held = sorted(p.stem for p in assignment.glob("*.ipynb") if p.stem in notebooks)
            if held:
                found[assignment.name] = held
        if found:
            return found
    return {}


def read_small(path: Path) -> str:
    """The text of one of nbgrader's small files (timestamp.txt, submission_secret.txt), or ""
    when it is missing, a link or not a file; at most MAX_SMALL_FILE bytes are read."""
    try:
        if path.is_symlink() or not path.is_file():
            return ""
        with open(path, "rb") as f:
            return f.read(MAX_SMALL_FILE).decode("utf-8", "replace")
    except OSError:
        return ""


def export_timestamp(text: str) -> str:
    """timestamp.txt's text as `nbgrader export` writes it: parse_utc's naive UTC datetime, as str().

    "2026-12-01 09:05:00.000000 CET" -> "2026-12-01 08:05:00"; "" for no or an unreadable stamp
    (nbgrader would stop with "Invalid timestamp string"; one student's file must not stop the
    class). The zone is read as parse_utc reads it: an int as an offset in seconds (dateutil's
    tzinfos), else a name through dateutil.tz.gettz; a name it does not know leaves the time as it is."""
    text = text.strip()
    if not text:
        return ""
    try:
        parts = text.split(" ")
        if len(parts) == 3:
            try:
                zone = int(parts[2])
            except ValueError:
                zone = dateutil.tz.gettz(parts[2])
            stamp = dateutil.parser.parse(" ".join(parts[:2] + ["TZ"]), tzinfos={"TZ": zone})
        else:
            stamp = dateutil.parser.parse(text)
        if stamp.tzinfo is not None:
            stamp = (stamp - stamp.utcoffset()).replace(tzinfo=None)
    except (ValueError, OverflowError, TypeError, LookupError):
        return ""
    return str(stamp) if isinstance(stamp, datetime) else ""


def gradebook_rows(summary) -> list[dict]:
    """One row per (assignment, student) in EXPORT_FIELDS, as `nbgrader export` writes them: the
    course's assignments only (summary.assignments), an assignment's score the sum of its
    notebooks' points, its max_score the sum of their maxima."""
    by_key: dict[tuple[str, str], list] = {}          # (assignment, student) -> graded notebooks
    for g in summary.graded:
        by_key.setdefault((g.assignment, g.student), []).append(g)
    rows = []
    for assignment in sorted(summary.assignments):
        for student in summary.students:
            graded = by_key.get((assignment, student), [])
            raw = sum(r.points for g in graded for r in g.results)
            most = sum(r.max_points for g in graded for r in g.results)
            stamps = sorted({export_timestamp(g.timestamp) for g in graded} - {""})
            rows.append({"assignment": assignment, "duedate": "", "timestamp": stamps[-1] if stamps else "",
                         "student_id": student, "last_name": "", "first_name": "", "email": "",
                         "raw_score": raw, "late_submission_penalty": 0.0, "score": raw, "max_score": most})
    return rows
