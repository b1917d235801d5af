"""Shared assertions for the per-notebook exercise tests (tests/test_exercises_0N.py): the
reference passes, every listed mistake fails check() (and is named in its report once check()
names mistakes), hints come in levels and contain no code."""

import re

from course_lib.checking import evaluate, report
from course_lib.exercises import get

CODE_IN_HINT = re.compile(r"np\.|\w\s*[-+*/]?=\s*[\w(\[]|\w\(\w|\[[\w:]+\]|\*\*")


def reference_passes(exercise_id):
    ex = get(exercise_id)
    outcome = evaluate(exercise_id, ex.reference, watch_references=False)
    assert outcome.passed, f"{exercise_id}: {outcome.message}"


def check_names_mistakes() -> bool:
    """True once check()'s report names the mistake a failing answer equals (issue 12)."""
    mistake = get("mse").mistakes[0]
    return mistake.name in report(evaluate("mse", mistake.function, watch_references=False))


def mistake_fails(exercise_id, mistake):
    """The mistake fails on its values: it lives in course_lib/exercises, where the reference watch
    would fail any call, so the watch is off here."""
    outcome = evaluate(exercise_id, mistake.function, watch_references=False)
    assert outcome.status == "failed", f"{mistake.name!r} was {outcome.status}: {outcome.message}"
    if check_names_mistakes():
        assert mistake.name in report(outcome)
    return outcome


def hints_are_levelled_and_code_free(exercise_id):
    ex = get(exercise_id)
    assert len(ex.hints) >= 2, f"{exercise_id} has {len(ex.hints)} hint level(s)"
    for hint in ex.hints:
        assert not CODE_IN_HINT.search(hint), f"{exercise_id}: hint looks like code: {hint!r}"
    assert ex.outputs, f"{exercise_id} names no outputs"
    assert ex.mistakes, f"{exercise_id} lists no mistakes"


def ids(exercises):
    return [(ex.id, m) for ex in exercises for m in ex.mistakes]
