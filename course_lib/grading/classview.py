"""The instructor's view of a graded class: OUT/class.html, one page to plan the next lecture.

    page = class_html(summary)        # summary: a batch.Summary

Per notebook, a bar chart of the share of students who passed each exercise; per exercise, the
most frequent failure (the misconception the registry names, when the result's message names one:
"... this is what <name> gives", else the first clause of the message), and the students who
most need help (lowest share of points, then most failures); possible copies (copies.py): students
whose answers to an exercise are the same once names, comments and formatting are set aside, and
answers that are a copy of course_lib's reference, flagged for a person to look at (grades are
never changed; the rule is in copies.py and on the page). Figures are drawn with matplotlib's
Agg canvas on their own Figure objects and embedded in the page as base64 PNG, so the page is a
single file. Everything students control is escaped.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections import Counter

from . import copies
from .score import ERROR, FAILED, PASSED, TIMEOUT

FAILURES = (FAILED, ERROR, TIMEOUT)
MISCONCEPTION = re.compile(r"this is what (.+?) gives")
NEEDS_HELP = 10               # students listed


def failure_kind(message: str) -> str:
    """What went wrong, in a few words: the named misconception, else the message's first clause."""
    named = MISCONCEPTION.search(message)
    if named:
        return named.group(1).strip()
    text = re.sub(r"^case '[^']*':\s*", "", message.strip())
    return re.split(r"[;:(]|\. |, ", text, maxsplit=1)[0].strip()[:100]


def exercise_stats(summary) -> dict[str, dict[str, dict]]:
    """notebook -> exercise -> {"passed": n, "students": n, "open": n (not attempted, missing or
    unreadable), "failure": (kind, count), if any failed}."""
    stats: dict[str, dict[str, dict]] = {}
    kinds: dict[tuple[str, str], Counter] = {}
    shown: dict[tuple[str, str, str], str] = {}
    for g in summary.graded:
        for r in g.results:
            entry = stats.setdefault(g.notebook, {}).setdefault(r.exercise,
                                                                 {"passed": 0, "students": 0, "open": 0})
            entry["students"] += 1
            entry["passed"] += r.status == PASSED
            entry["open"] += r.status not in FAILURES and r.status != PASSED
            if r.status in FAILURES:
                kind = failure_kind(r.message)
                key = re.sub(r"\d+(\.\d+)?(e[-+]?\d+)?", "#", kind)    # "off by 3" and "off by 4" agree
                kinds.setdefault((g.notebook, r.exercise), Counter())[key] += 1
                shown.setdefault((g.notebook, r.exercise, key), kind)
    for (notebook, exercise), counter in kinds.items():
        key, count = counter.most_common(1)[0]
        stats[notebook][exercise]["failure"] = (shown[(notebook, exercise, key)], count)
    return stats


def students(n: int) -> str:
    return f"{n} student" if n == 1 else f"{n} students"


def failure_text(entry: dict) -> str:
    """The table cell: the most frequent failure and how many had it; else who has not tried."""
    failure, open_ = entry.get("failure"), entry.get("open", 0)
    parts = [f"{html.escape(failure[0])} ({students(failure[1])})"] if failure else []
    if open_:
        parts.append(f"not attempted or not handed in: {students(open_)}")
    return "; ".join(parts) or "none"


def students_needing_help(summary, limit: int = NEEDS_HELP) -> list[dict]:
    """The `limit` students with the lowest share of points (ties: more failures first)."""
    rows = []
    results_of: dict[str, list] = {}
    for g in summary.graded:
        results_of.setdefault(g.student, []).extend(g.results)
    for student, (points, most) in summary.totals().items():
        results = results_of.get(student, [])
        failures = sum(r.status in FAILURES for r in results)
        open_ = [r.exercise for r in results if r.status != PASSED]
        rows.append({"student": student, "points": points, "max": most, "failures": failures,
                     "not_passed": open_, "share": points / most if most else 0.0})
    rows.sort(key=lambda row: (row["share"], -row["failures"], row["student"]))
    return [row for row in rows if row["share"] < 1.0][:limit]


def pass_rate_figure(notebook: str, exercises: dict[str, dict]):
    """A horizontal bar chart: per exercise of `notebook`, the share of students who passed."""
    from matplotlib.figure import Figure

    names = list(exercises)
    shares = [100.0 * e["passed"] / e["students"] if e["students"] else 0.0 for e in exercises.values()]
    fig = Figure(figsize=(7, 0.45 * len(names) + 1.7), layout="constrained")
    ax = fig.add_subplot()
    colors = ["#2a7" if s >= 80 else "#e92" if s >= 50 else "#c33" for s in shares]
    bars = ax.barh(names, shares, color=colors)
    ax.bar_label(bars, labels=[f"{s:.0f}%" for s in shares], padding=3)
    ax.set_xlim(0, 110)
    ax.invert_yaxis()
    ax.set_title(f"{notebook}\nshare of students who passed each exercise")
    ax.set_xlabel("students who passed (%)")
    ax.set_ylabel("exercise")
    return fig


def totals_figure(summary):
    """A histogram of the students' shares of the points."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    shares = [100.0 * p / m if m else 0.0 for p, m in summary.totals().values()]
    fig = Figure(figsize=(7, 3), layout="constrained")
    ax = fig.add_subplot()
    ax.hist(shares, bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.001], color="#47a", edgecolor="white")
    ax.set_title("How the class did: students by share of the points")
    ax.set_xlabel("share of the points (%)")
    ax.set_ylabel("students")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))     # whole students
    return fig


def figures(summary) -> list:
    """Every figure of the page: the class histogram, then one pass-rate chart per notebook."""
    stats = exercise_stats(summary)
    return [totals_figure(summary)] + [pass_rate_figure(n, stats[n]) for n in sorted(stats)]


def png_base64(fig) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buffer)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


_STYLE = """body{font-family:system-ui,sans-serif;max-width:64em;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;width:100%;margin-bottom:1.5em}th,td{border:1px solid #ccc;padding:.4em;
text-align:left;vertical-align:top}th{background:#f3f3f3}img{max-width:100%}"""


def copies_section(summary) -> list[str]:
    """The page's "Possible copies" section (copies.possible_copies, with the rule it applies)."""
    e = html.escape
    found = copies.possible_copies(summary)
    parts = ["<h2>Possible copies</h2>",
             "<p>For a person to look at; no grade was changed. Answers are compared after dropping "
             "comments, docstrings and formatting and renaming every variable, so renamed variables and "
             f"reformatted code still match. Answers under {copies.MIN_NODES} syntax nodes (one-line "
             "formulas that honest students write alike) are not compared; an answer shared by more than "
             f"max(2, {copies.COMMON_SHARE:.0%} of the students who answered) is the common way to write "
             "it and is only counted. One student's answer that is course_lib's reference is listed from "
             f"{copies.REFERENCE_MIN_NODES} nodes (shorter references are written the natural way).</p>"]
    rows = [(nb, ex, ", ".join(students), f"the same answer ({size} nodes)")
            for nb, ex, students, size in found.groups]
    rows += [(nb, ex, ", ".join(students), f"the same as course_lib's {reference} ({size} nodes)")
             for nb, ex, students, reference, size in found.references]
    rows += [(nb, ex, student, "built from a code object, not written")
             for nb, ex, student in found.code_objects]
    if rows:
        parts.append("<table><tr><th>notebook</th><th>exercise</th><th>students</th>"
                     "<th>what is alike</th></tr>")
        parts += [f"<tr><td>{e(nb)}</td><td>{e(ex)}</td><td>{e(who)}</td><td>{e(what)}</td></tr>"
                  for nb, ex, who, what in sorted(rows)]
        parts.append("</table>")
    else:
        parts.append("<p>None found.</p>")
    if found.common:
        parts.append("<p>Common answers, not listed: " + "; ".join(
            f"{e(nb)} {e(ex)}: {n} of {answered} students" for nb, ex, n, answered in found.common) + ".</p>")
    return parts


def class_html(summary) -> str:
    """The page: the class at a glance, per notebook the chart and the table, who needs help."""
    e = html.escape
    stats = exercise_stats(summary)
    charts = figures(summary)
    n = len(summary.students)
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>The class</title><style>{_STYLE}"
             f"</style></head><body><h1>The class: {n} students</h1>",
             "<img alt='students by share of the points' "
             f"src='data:image/png;base64,{png_base64(charts[0])}'>"]
    parts.append("<h2>Students who most need help</h2>")
    helped = students_needing_help(summary)
    if helped:
        parts.append("<table><tr><th>student</th><th>points</th><th>failed, error or timeout</th>"
                     "<th>exercises not passed</th></tr>")
        for row in helped:
            parts.append(f"<tr><td>{e(row['student'])}</td><td>{row['points']:g} / {row['max']:g}</td>"
                         f"<td>{row['failures']}</td><td>{e(', '.join(row['not_passed']))}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>Every student has full points.</p>")
    parts += copies_section(summary)
    for notebook, fig in zip(sorted(stats), charts[1:]):
        parts.append(f"<h2>{e(notebook)}</h2><img alt='share of students who passed each exercise of "
                     f"{e(notebook)}' src='data:image/png;base64,{png_base64(fig)}'>")
        parts.append("<table><tr><th>exercise</th><th>passed</th><th>most frequent failure</th></tr>")
        for exercise, entry in stats[notebook].items():
            text = failure_text(entry)
            parts.append(f"<tr><td>{e(exercise)}</td><td>{entry['passed']} of {entry['students']}</td>"
                         f"<td>{text}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
