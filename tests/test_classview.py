"""OUT/class.html, the instructor's view: pass rates as charts, most frequent failures (named
misconceptions first), the students who most need help."""

from __future__ import annotations

import base64
import re

from test_grading import WELCOME, save, welcome

from course_lib.grading import classview, grade
from course_lib.grading.batch import Graded, Summary
from course_lib.grading.score import Result

NAMED = "case 'random 2': wrong theta; this is what epsilon outside the square root gives"


def result(exercise, status, message="", points=1.0):
    return Result(exercise, points if status == "passed" else 0.0, points, status, message)


def make_summary() -> Summary:
    """5 students; 08_adam: adam_step passed by 1 (two named mistakes, one 'off by'), ema by 4."""
    rows = {
        "ann": [("adam_step", "passed", ""), ("ema_weights", "passed", "")],
        "ben": [("adam_step", "failed", NAMED), ("ema_weights", "passed", "")],
        "cy": [("adam_step", "failed", NAMED.replace("random 2", "edge 1")), ("ema_weights", "passed", "")],
        "<script>dee": [("adam_step", "failed", "case 'edge 0': output s is off by 3.5e-2, see above"),
                        ("ema_weights", "failed", "case 'edge 0': weights do not sum to 1")],
        "eve": [("adam_step", "not_attempted", "not attempted"), ("ema_weights", "passed", "")],
    }
    graded = [Graded(s, "08_adam", [result(e, st, m) for e, st, m in r]) for s, r in rows.items()]
    graded.append(Graded("ann", WELCOME, [result("mse", "passed")]))
    for s in ("ben", "cy", "<script>dee", "eve"):
        graded.append(Graded(s, WELCOME, [result("mse", "error", "case 'edge 1': your function raised "
                                                                 f"ValueError: bad {len(s)}")]))
    return Summary(graded, list(rows), [], 1, 0.0)


def test_failure_kind_names_the_misconception_else_the_first_clause():
    assert classview.failure_kind(NAMED) == "epsilon outside the square root"
    assert classview.failure_kind("case 'x': output s is off by 3; look at s") == "output s is off by 3"
    assert classview.failure_kind("your function raised ValueError: no") == "your function raised ValueError"


def test_pass_rates_and_most_frequent_failures():
    stats = classview.exercise_stats(make_summary())
    adam = stats["08_adam"]
    assert (adam["adam_step"]["passed"], adam["adam_step"]["students"]) == (1, 5)
    assert adam["adam_step"]["failure"] == ("epsilon outside the square root", 2)
    assert adam["ema_weights"]["failure"] == ("weights do not sum to 1", 1)
    assert stats[WELCOME]["mse"]["failure"] == ("your function raised ValueError", 4)   # numbers grouped


def test_the_table_says_who_has_not_tried_beside_the_most_frequent_failure():
    stats = classview.exercise_stats(make_summary())
    assert stats["08_adam"]["adam_step"]["open"] == 1 and stats["08_adam"]["ema_weights"]["open"] == 0
    assert classview.failure_text(stats["08_adam"]["adam_step"]) == (
        "epsilon outside the square root (2 students); not attempted or not handed in: 1 student")
    assert classview.failure_text(stats["08_adam"]["ema_weights"]) == "weights do not sum to 1 (1 student)"
    assert classview.failure_text({"passed": 3, "students": 3, "open": 0}) == "none"


def test_students_who_most_need_help_come_first():
    helped = classview.students_needing_help(make_summary())
    assert [h["student"] for h in helped] == ["<script>dee", "ben", "cy", "eve"]
    assert "ann" not in [h["student"] for h in helped]          # full points: not listed


def test_every_figure_has_a_title_and_labelled_axes():
    figures = classview.figures(make_summary())
    assert len(figures) == 3                      # the class histogram + one per notebook
    for fig in figures:
        for ax in fig.axes:
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    bars = [p.get_width() for p in figures[1].axes[0].patches]     # 00_welcome: mse passed by 1 of 5
    assert bars == [20.0]


def test_the_page_embeds_the_charts_and_escapes_names():
    page = classview.class_html(make_summary())
    images = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page)
    assert len(images) == 3
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert "<script>dee" not in page and "&lt;script&gt;dee" in page
    assert "epsilon outside the square root (2 students)" in page


def test_grading_writes_class_html(tmp_path):
    save(tmp_path / "subs", "good", welcome())
    save(tmp_path / "subs", "bad", welcome("def mse(o, y):\n    return 0.0\n"))
    grade(tmp_path / "subs", tmp_path / "out", notebooks=[WELCOME], progress=False)
    page = (tmp_path / "out" / "class.html").read_text()
    assert page.count("data:image/png;base64,") == 2 and "1 of 2" in page
