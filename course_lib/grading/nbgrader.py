"""nbgrader's exchange: read its collected submissions, write its gradebook's CSV.

An nbgrader course keeps what `nbgrader collect` gathered in

    <course>/submitted/<student_id>/<assignment>/<notebook>.ipynb
    <course>/submitted/<student_id>/<assignment>/timestamp.txt     (when the student submitted)

and `nbgrader export` writes a CSV with one row per assignment and student, in the columns of
EXPORT_FIELDS. `course-grade <course>/submitted` (or `<course>`) grades such a tree, detected by
itself or with `--layout nbgrader`, and writes OUT/nbgrader-grades.csv in those columns, so the
course keeps its workflow and only the autograding changes. Each assignment's score is the sum of
its notebooks' points; there is no due date or late penalty here (the columns are left empty / 0).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from .. import exercises

EXPORT_FIELDS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                 "raw_score", "late_submission_penalty", "score", "max_score"]
MAX_TIMESTAMP = 64        # characters of timestamp.txt kept


def root(submissions: Path) -> Path:
    """The folder holding the students: `submissions`, or its `submitted/` (an nbgrader course)."""
    inner = Path(submissions) / "submitted"
    return inner if inner.is_dir() and not inner.is_symlink() else Path(submissions)


def detect(submissions: Path) -> bool:
    """True if `submissions` looks like nbgrader's layout: it has `submitted/`, or its student
    folders hold assignment folders with the course's notebooks and no notebook of their own."""
    submissions = Path(submissions)
    if (submissions / "submitted").is_dir():
        return True
    known = {f"{n}.ipynb" for n in exercises.notebooks()}
    nested = False
    for student in _folders(submissions):
        names = {p.name for p in student.iterdir()}
        if names & known:
            return False
        nested = nested or any(p.name in known for a in _folders(student) for p in a.iterdir())
    return nested


def _folders(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir()
                  if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))


def discover(submissions: Path, notebooks: list[str]):
    """(submissions, unknown files, students) of an nbgrader tree, as batch.discover returns them.

    A notebook a student did not submit belongs to the assignment most classmates submitted it
    in; a student or assignment folder, or a notebook, that is a symbolic link is refused."""
    from .batch import Submission, notebook_files

    top = root(submissions)
    found: dict[str, dict[str, tuple]] = {}          # student -> notebook -> (path, refused, assignment, ts)
    linked: dict[str, set[str]] = {}                 # student -> assignment folders that are links
    unknown, students = [], []
    for entry in sorted(top.iterdir()):
        if entry.name.startswith("."):
            continue
        if not entry.is_symlink() and not entry.is_dir():
            unknown.append(f"{entry.name}: not a student folder")
            continue
        students.append(entry.name)
        found[entry.name], linked[entry.name] = {}, set()
        if entry.is_symlink():
            why = f"{entry.name}/ is a symbolic link; links are not followed"
            found[entry.name] = {n: (None, why, "", "") for n in notebooks}
            continue
        for assignment in sorted(entry.iterdir()):
            prefix = f"{entry.name}/{assignment.name}/"
            if assignment.name.startswith("."):
                continue
            if assignment.is_symlink():
                linked[entry.name].add(assignment.name)
                unknown.append(f"{prefix[:-1]}: a symbolic link, not followed")
                continue
            if not assignment.is_dir():
                unknown.append(f"{prefix[:-1]}: not an assignment folder")
                continue
            files, more = notebook_files(assignment, notebooks, prefix)
            unknown += [u for u in more if not u.startswith(f"{prefix}timestamp.txt:")]
            stamp = read_timestamp(assignment / "timestamp.txt")
            for notebook, (path, refused) in files.items():
                if notebook in found[entry.name]:
                    unknown.append(f"{prefix}{notebook}.ipynb: also in another assignment; "
                                   f"graded the one in {found[entry.name][notebook][2]}")
                    continue
                found[entry.name][notebook] = (path, refused, assignment.name, stamp)
    usual = {n: Counter(f[n][2] for f in found.values() if n in f and f[n][2]).most_common(1)
             for n in notebooks}
    items = []
    for student in students:
        for n in notebooks:
            path, refused, assignment, stamp = found[student].get(n, (None, "", "", ""))
            assignment = assignment or (usual[n][0][0] if usual[n] else n)
            if path is None and not refused and assignment in linked[student]:
                refused = f"{student}/{assignment}/ is a symbolic link; links are not followed"
            items.append(Submission(student, n, path, refused, assignment, stamp))
    return items, unknown, students


def read_timestamp(path: Path) -> str:
    """The first line of nbgrader's timestamp.txt (e.g. "2026-11-30 13:20:00.000000 UTC"), or ""."""
    try:
        if path.is_symlink() or not path.is_file():
            return ""
        with open(path, encoding="utf-8", errors="replace") as f:
            line = f.read(4 * MAX_TIMESTAMP).splitlines()
    except OSError:
        return ""
    return "".join(c for c in (line[0] if line else "") if c.isprintable())[:MAX_TIMESTAMP].strip()


def gradebook_rows(summary) -> list[dict]:
    """One row per (assignment, student) in EXPORT_FIELDS, as `nbgrader export` writes them."""
    notebooks_of: dict[str, set[str]] = {}
    by_key: dict[tuple[str, str], list] = {}          # (assignment, student) -> graded notebooks
    for g in summary.graded:
        notebooks_of.setdefault(g.assignment, set()).add(g.notebook)
        by_key.setdefault((g.assignment, g.student), []).append(g)
    rows = []
    for assignment in sorted(notebooks_of):
        for student in summary.students:
            graded = by_key.get((assignment, student), [])
            raw = sum(r.points for g in graded for r in g.results)
            most = sum(r.max_points for g in graded for r in g.results)
            stamps = sorted({g.timestamp for g in graded if g.timestamp})
            rows.append({"assignment": assignment, "duedate": "", "timestamp": stamps[-1] if stamps else "",
                         "student_id": student, "last_name": "", "first_name": "", "email": "",
                         "raw_score": raw, "late_submission_penalty": 0.0, "score": raw, "max_score": most})
    return rows


def gradebook_csv(summary) -> str:
    """gradebook_rows() as CSV text (through report._csv, which neutralises formulas)."""
    from .report import _csv

    return _csv([EXPORT_FIELDS] + [[row[k] for k in EXPORT_FIELDS] for row in gradebook_rows(summary)])
