"""Write what a grading run found: CSV grade book, HTML feedback, Gradescope results, tables.

    OUT/grades.csv                          student, notebook, exercise, points, max_points, status, message
    OUT/summary.csv                         student, total, max
    OUT/feedback/<student>.html             per exercise: status, points, the first failing case
    OUT/gradescope/<student>/results.json   Gradescope's autograder format
    OUT/grading.json                        the seed, the limits and the grader version used
    OUT/class.html                          the instructor's view of the class (classview.py)
    OUT/nbgrader-grades.csv                 nbgrader export's columns (nbgrader layout only)
    OUT/feedback/<student>/<assignment>/<notebook>.html (+ timestamp.txt, submission_secret.txt)
                                            nbgrader layout only: what `nbgrader release_feedback` reads

Every file is written to a temporary name and then renamed, so a reader never sees half a file.
The text written here is already safe (score.safe_text, applied once where it enters the summary:
no invalid UTF-8, lone surrogates, control characters or terminal escapes); each writer adds only
its own format's escaping: HTML markup is escaped, and in every CSV a cell that a spreadsheet
would run as a formula (starting with =, +, -, @, tab or CR) gets a leading apostrophe. A
student's file names come from file_name(): any folder name, however long or strange, gets its
reports, and no two folder names share one. A report that cannot be written, or one notebook's
part of it, is listed in summary.report_errors while everything else is written.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import os
import re
import tempfile
from pathlib import Path

from . import classview, nbgrader
from .score import PASSED, safe_text

GRADE_FIELDS = ["student", "notebook", "exercise", "points", "max_points", "status", "message"]


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write `text` to `path` through a temporary file in the same folder and os.replace."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text if isinstance(text, bytes) else text.encode("utf-8"))
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_all(summary, out: Path, class_view: bool = True) -> None:
    """Write every report of `summary` (a batch.Summary) into `out` (class.html if `class_view`).

    Each file is written on its own: one that fails (a folder in its place, a full disk, a bug
    on an unforeseen input) is listed in summary.report_errors and the others are still written."""
    out = Path(out)

    def attempt(what: str, write) -> None:
        try:
            write()
        except Exception as exc:  # noqa: BLE001 - one report must not sink the others
            summary.report_errors.append(safe_text(f"{what} not written: {type(exc).__name__}: {exc}")[:300])

    attempt("grades.csv", lambda: write_atomic(out / "grades.csv", grades_csv(summary)))
    attempt("summary.csv", lambda: write_atomic(out / "summary.csv", summary_csv(summary)))
    by_student: dict[str, list] = {student: [] for student in summary.students}
    for g in summary.graded:
        by_student.setdefault(g.student, []).append(g)
    for student, graded in by_student.items():
        name = summary.files.get(student) or file_name(student)
        attempt(f"reports of {student[:60]!r}", lambda student=student, graded=graded, name=name: (
            write_atomic(out / "feedback" / f"{name}.html", feedback_html(student, graded, summary)),
            write_atomic(out / "gradescope" / name / "results.json",
                         json.dumps(gradescope_results(graded), indent=1))))
    if summary.layout == "nbgrader":
        attempt("nbgrader-grades.csv",
                lambda: write_atomic(out / "nbgrader-grades.csv", gradebook_csv(summary)))
        for g in summary.graded:
            if g.folder is not None:
                attempt(f"nbgrader feedback of {g.student[:60]!r} for {g.assignment}/{g.notebook}",
                        lambda g=g: write_nbgrader_feedback(g, out, summary))
    if class_view:
        attempt("class.html", lambda: write_atomic(out / "class.html", classview.class_html(summary)))
    attempt("grading.json",
            lambda: write_atomic(out / "grading.json", json.dumps(summary.settings, indent=1)))


def write_nbgrader_feedback(g, out: Path, summary) -> None:
    """OUT/feedback/<student>/<assignment>/<notebook>.html with the submission's timestamp.txt and
    submission_secret.txt copied beside it (nbgrader.py says why: release_feedback reads both)."""
    folder = out / "feedback" / g.file / file_name(g.assignment)
    write_atomic(folder / f"{g.notebook}.html", feedback_html(g.student, [g], summary))
    for name in nbgrader.SUBMISSION_FILES:
        text = nbgrader.read_small(g.folder / name)
        if text:
            write_atomic(folder / name, text)


def gradebook_csv(summary) -> str:
    """nbgrader.gradebook_rows() as CSV text (through _csv, which neutralises formulas)."""
    fields = nbgrader.EXPORT_FIELDS
    return _csv([fields] + [[row[k] for k in fields] for row in nbgrader.gradebook_rows(summary)])


SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}")


def file_name(student: str) -> str:
    """A file name for `student`'s reports, different for every name by construction: the name
    itself when it is a plain one (letters, digits, `_.@+-`, at most 100 characters, never `.`
    or `..`); else its plain characters (at most 40), `~` and a hash of the whole name. A plain
    name holds no `~`, so no folder name can take the file name of another (`bob!` is
    `bob~<hash>`, and a folder really called `bob-<hash>` keeps its own name)."""
    if SAFE_NAME.fullmatch(student) and student not in (".", ".."):
        return student
    plain = re.sub(r"[^A-Za-z0-9_.@+-]+", "_", student).strip("._")[:40]
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{plain}~{digest}" if plain else f"~{digest}"


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """The text of a CSV cell; one a spreadsheet would run as a formula gets a leading apostrophe."""
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv(rows: list[list]) -> str:
    """CSV text, every cell through csv_cell() (every CSV the grader writes goes through here)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([[csv_cell(v) for v in row] for row in rows])
    return buffer.getvalue()


def terminal_text(text: str) -> str:
    """score.safe_text, for text that did not come through a summary (it is idempotent)."""
    return safe_text(text)


def grades_csv(summary) -> str:
    return _csv([GRADE_FIELDS] + [[row[k] for k in GRADE_FIELDS] for row in summary.rows()])


def summary_csv(summary) -> str:
    rows = [[student, f"{total:g}", f"{most:g}"] for student, (total, most) in summary.totals().items()]
    return _csv([["student", "total", "max"]] + rows)


# --- Gradescope -------------------------------------------------------------------------------

# Gradescope's spec (gradescope/autograder_samples, docs/specs.md; tests/gradescope_schema.py holds
# it as a JSON Schema): top level score, execution_time (seconds), output, output_format,
# test_output_format, test_name_format, visibility, stdout_visibility, extra_data, tests,
# leaderboard; per test score, max_score, status, name, name_format, number, output,
# output_format, tags, visibility, extra_data. There is no top-level max_score: Gradescope's total
# is the assignment's points, which the instructor sets to what `course-grade gradescope-bundle`
# prints. Every text is in the "text" format (no HTML, Markdown or ANSI rendered), so what a
# student chose (file names, exception messages) needs only its control characters made plain.
GRADESCOPE_FORMAT = "text"


def gradescope_text(text: str) -> str:
    """`text` for Gradescope's "text" format: our own line breaks kept, each line terminal_text()."""
    return "\n".join(terminal_text(line) for line in str(text).split("\n"))


def notebook_number(notebook: str, position: int) -> int:
    """The notebook's number: its name's leading digits ("06_sgd..." -> 6), else `position`."""
    digits = notebook[:len(notebook) - len(notebook.lstrip("0123456789"))]
    return int(digits) if digits else position


def gradescope_results(graded: list, notes: list[str] = ()) -> dict:
    """One student's results in Gradescope's results.json format: one test per exercise, numbered
    notebook.exercise ("6.2") and tagged with its notebook; `notes` (skipped files...) one line
    each under the score."""
    tests = []
    for position, g in enumerate(graded, 1):
        for k, r in enumerate(g.results, 1):
            lines = [" ".join(r.message.splitlines())]
            if r.case:
                lines += [f"case: {r.case}", f"inputs: {r.inputs}", f"expected: {r.expected}"]
                if r.got:
                    lines.append(f"got: {r.got}")
            tests.append({"name": terminal_text(f"{g.notebook}: {r.exercise}"),
                          "name_format": GRADESCOPE_FORMAT,
                          "number": f"{notebook_number(g.notebook, position)}.{k}",
                          "tags": [terminal_text(g.notebook)], "score": r.points, "max_score": r.max_points,
                          "status": "passed" if r.status == PASSED else "failed",
                          "output": gradescope_text("\n".join(lines)), "output_format": GRADESCOPE_FORMAT,
                          "visibility": "visible"})
    score = sum(t["score"] for t in tests)
    most = sum(t["max_score"] for t in tests)
    output = [f"{score:g} of {most:g} points."]
    output += [terminal_text(" ".join(str(n).splitlines())) for n in notes]
    return {"score": score, "execution_time": int(round(sum(g.seconds for g in graded))),
            "output": "\n".join(output), "output_format": GRADESCOPE_FORMAT,
            "test_output_format": GRADESCOPE_FORMAT, "test_name_format": GRADESCOPE_FORMAT,
            "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}


# --- HTML feedback ----------------------------------------------------------------------------

_STYLE = """body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;width:100%;margin-bottom:1.5em}th,td{border:1px solid #ccc;padding:.4em;
text-align:left;vertical-align:top}th{background:#f3f3f3}.passed{color:#176b1f}.other{color:#a11}
pre{white-space:pre-wrap;margin:.2em 0;font-size:.9em;background:#f8f8f8;padding:.3em}"""


def feedback_html(student: str, graded: list, summary=None) -> str:
    """A page for one student: per notebook a table of exercises, with the first failing case.
    A notebook whose part cannot be rendered gets a line saying so (and summary.report_errors one),
    the rest of the page is written."""
    e = html.escape
    total = sum(r.points for g in graded for r in g.results)
    most = sum(r.max_points for g in graded for r in g.results)
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Feedback for {e(student)}</title>"
             f"<style>{_STYLE}</style></head><body><h1>Feedback for {e(student)}</h1>"
             f"<p><b>{total:g} of {most:g} points.</b> Each exercise was run on fixed edge cases and fresh "
             "random cases; it scores its points when every case is right.</p>"]
    for g in graded:
        try:
            parts.append(notebook_html(g))
        except Exception as exc:  # noqa: BLE001 - one notebook's part must not sink the page
            parts.append(f"<h2>{e(g.notebook)}</h2><p>This part of the feedback could not be written; "
                         "your instructor has the grades.</p>")
            if summary is not None:
                summary.report_errors.append(safe_text(f"feedback of {student[:60]!r} for {g.notebook}: "
                                                       f"{type(exc).__name__}: {exc}")[:300])
    parts.append("</body></html>\n")
    return "\n".join(parts)


def notebook_html(g) -> str:
    """One notebook's table of the feedback page."""
    e = html.escape
    parts = [f"<h2>{e(g.notebook)}</h2><table><tr><th>exercise</th><th>status</th>"
             "<th>points</th><th>details</th></tr>"]
    for r in g.results:
        css = "passed" if r.status == PASSED else "other"
        details = f"<div>{e(r.message)}</div>"
        if r.case:
            rows = [("case", r.case), ("inputs", r.inputs), ("expected", r.expected)]
            rows += [("got", r.got)] if r.got else []
            details += "".join(f"<div><b>{name}</b><pre>{e(value)}</pre></div>" for name, value in rows)
        parts.append(f"<tr><td>{e(r.exercise)}</td><td class='{css}'>{e(r.status.replace('_', ' '))}</td>"
                     f"<td>{r.points:g} / {r.max_points:g}</td><td>{details}</td></tr>")
    parts.append("</table>")
    return "".join(parts)


# --- terminal tables --------------------------------------------------------------------------

def class_table(summary) -> str:
    """Per student: points, maximum, and how many exercises have each status."""
    lines = [f"{'student':<24} {'points':>8} {'max':>6}  statuses"]
    counted: dict[str, dict[str, int]] = {}
    for g in summary.graded:
        counts = counted.setdefault(g.student, {})
        for r in g.results:
            counts[r.status] = counts.get(r.status, 0) + 1
    for student, (points, most) in summary.totals().items():
        counts = counted.get(student, {})
        text = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        lines.append(f"{terminal_text(student)[:24]:<24} {points:>8g} {most:>6g}  {text}")
    return "\n".join(lines)


def error_table(summary) -> str:
    """Rows whose status is error, timeout or invalid, and the files that were skipped."""
    lines = []
    for row in summary.rows():
        if row["status"] in ("error", "timeout", "invalid"):
            lines.append(f"{terminal_text(row['student'])[:20]:<20} {row['notebook'][:22]:<22} "
                         f"{row['exercise'][:18]:<18} {row['status']:<8} "
                         f"{terminal_text(row['message'])[:100]}")
    lines += [f"skipped: {terminal_text(name)}" for name in summary.unknown]
    lines += [f"report error: {terminal_text(text)}" for text in summary.report_errors]
    return "\n".join(lines)
