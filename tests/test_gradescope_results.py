"""results.json by Gradescope's spec (tests/gradescope_schema.py), written in-process by the same
`run` that run_autograder calls, under a temporary AUTOGRADER_ROOT (no venv needed here; the
bundle's own venv is tested in test_gradescope_bundle.py): every text in the "text" format with
what the student chose (file names, exception messages) made plain, each test numbered and
tagged with its notebook, no top-level max_score, and the assignment's points printed by the
bundle command."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import nbformat
import pytest
from gradescope_schema import check_results, validate
from test_grading import WELCOME, save, welcome

from course_lib import exercises
from course_lib.grading import grade, gradescope, report
from course_lib.grading.cli import main

HOSTILE_NAME = "<b>bold<i>\x1b[2J\x1b[31mred\rover\u202eevil\nline.txt"


def autograder_root(tmp_path: Path, notebooks: dict, others: dict = (), config: dict | None = None) -> Path:
    """AUTOGRADER_ROOT with source/config.json and submission/ holding `notebooks` and `others`."""
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    (root / "source" / "config.json").write_text(json.dumps(
        config or {"notebooks": [WELCOME], "timeout": 60.0, "memory_mb": 2048, "seed": 3}))
    for name, nb in notebooks.items():
        nbformat.write(nb, root / "submission" / f"{name}.ipynb")
    for name, text in dict(others).items():
        (root / "submission" / name).write_text(text)
    return root


def run(root: Path) -> dict:
    assert gradescope.run(root) == 0
    return json.loads((root / "results" / "results.json").read_text())


def test_course_grades_results_json_follows_the_spec_too(tmp_path):
    """OUT/gradescope/<student>/results.json of `course-grade` is the same writer's."""
    save(tmp_path / "subs", "ann", welcome())
    grade(tmp_path / "subs", tmp_path / "out", notebooks=[WELCOME], progress=False)
    check_results(json.loads((tmp_path / "out" / "gradescope" / "ann" / "results.json").read_text()))
    assert report.notebook_number("06_sgd_momentum_nesterov", 1) == 6
    assert report.notebook_number("extra", 3) == 3


def test_results_json_follows_the_spec_numbered_and_tagged(tmp_path):
    data = run(autograder_root(tmp_path, {WELCOME: welcome()}))
    check_results(data)
    ids = [ex.id for ex in exercises.for_notebook(WELCOME)]
    assert [t["number"] for t in data["tests"]] == [f"0.{k}" for k in range(1, len(ids) + 1)]
    assert [t["tags"] for t in data["tests"]] == [[WELCOME]] * len(ids)
    assert [t["name"] for t in data["tests"]] == [f"{WELCOME}: {i}" for i in ids]
    assert data["score"] == sum(t["max_score"] for t in data["tests"]) > 0
    assert data["output"].startswith(f"{data['score']:g} of {gradescope.total_points([WELCOME]):g} points")


def test_student_chosen_text_is_plain_text(tmp_path):
    """A file name and an exception message full of HTML, escape codes, CR and a bidi override:
    the format is "text" (Gradescope renders no HTML), and no control character gets through."""
    raiser = welcome("def mse(o, y):\n    raise ValueError('<script>x</script>\\x1b[2J\\rgone\\u202e')\n")
    data = run(autograder_root(tmp_path, {WELCOME: raiser}, {HOSTILE_NAME: "hello"}))
    check_results(data)                      # no control characters in any text, every format "text"
    skipped = data["output"].splitlines()[1]
    assert len(data["output"].splitlines()) == 2           # the newline in the name did not add a line
    assert skipped.startswith("skipped: <b>bold<i>") and "red" in skipped and "evil" in skipped
    message = data["tests"][0]["output"]
    assert "<script>x</script>" in message and "gone" in message and data["tests"][0]["score"] == 0


def test_the_placeholder_and_failure_texts_follow_the_spec(tmp_path):
    check_results(gradescope.failed_results(RuntimeError("boom\x1b[0m"), 1.5))
    assert "tell your instructor" in gradescope.failed_results(RuntimeError("x"), 0)["output"]
    root = autograder_root(tmp_path, {WELCOME: welcome()})
    (root / "source" / "config.json").write_text("{ broken")         # grading itself fails
    data = run(root)
    check_results(data)
    assert data["score"] == 0 and "JSONDecodeError" in data["output"] and "instructor" in data["output"]


def good_results() -> dict:
    return {"score": 1.0, "execution_time": 0, "output": "1 of 1 points.", "output_format": "text",
            "test_output_format": "text", "tests": [
                {"name": f"{WELCOME}: mse", "number": "0.1", "tags": [WELCOME], "score": 1.0,
                 "max_score": 1.0, "status": "passed", "output": "", "output_format": "text"}]}


@pytest.mark.parametrize("change", [
    {"max_score": 1.0},                                  # not in the spec
    {"output_format": "rich"},                           # not a format
    {"stdout_visibility": "sometimes"},
    {"tests": [{"name": "x", "max_score": 1.0}]},         # no score anywhere
    {"tests": [{"name": "x", "score": 1, "status": "ok"}]},
    {"tests": [{"name": "x", "score": 1, "tags": "00_welcome"}]},
    {"leaderboard": [{"name": "accuracy"}]},
    {"output": "a\x1b[31mred"},                          # a control character
    {"output_format": "html"},                           # valid, but the course promises "text"
])
def test_the_checker_refuses_what_the_spec_or_the_course_does_not_allow(change):
    check_results(good_results())
    with pytest.raises((AssertionError, jsonschema.ValidationError)):
        check_results({**good_results(), **change})


def test_the_schema_accepts_the_specs_own_example():
    validate({"score": 44.0, "execution_time": 136, "output": "Text relevant to the entire submission",
              "output_format": "simple_format", "test_output_format": "text", "test_name_format": "text",
              "visibility": "after_due_date", "stdout_visibility": "visible", "extra_data": {},
              "tests": [{"score": 2.0, "max_score": 2.0, "status": "passed", "name": "Your name here",
                         "name_format": "text", "number": "1.1", "output": "Giant multiline string",
                         "output_format": "text", "tags": ["tag1", "tag2", "tag3"], "visibility": "visible",
                         "extra_data": {}}],
              "leaderboard": [{"name": "Accuracy", "value": .926},
                              {"name": "Time", "value": 15.1, "order": "asc"},
                              {"name": "Stars", "value": "*****"}]})
    validate({"tests": [{"name": "Compilation check", "status": "passed", "score": 0}]})


def test_the_bundle_command_says_what_to_set_the_assignments_points_to(tmp_path, capsys):
    assert main(["gradescope-bundle", str(tmp_path / "a.zip"), "--notebook", WELCOME]) == 0
    points = sum(ex.points for ex in exercises.for_notebook(WELCOME))
    assert f"set the assignment's points to {points:g}" in capsys.readouterr().out
    assert main(["gradescope-bundle", str(tmp_path / "b.zip")]) == 0
    everything = sum(ex.points for ex in exercises.all_exercises())
    assert f"set the assignment's points to {everything:g}" in capsys.readouterr().out
