"""Shared checks for the registry entries of 06-08: the reference passes its own cases at several
seeds, every listed mistake fails by its values at 20 seeds, and there are at least two levels of
hints. (Whether a hint contains code, and whether some course_lib callable answers an exercise
unwatched, is tested for every exercise of the course by tests/test_hints.py and
tests/test_shortcuts.py.)
"""

from course_lib import exercises
from course_lib.checking import evaluate


def assert_reference_passes(exercise_id, seeds=(0, 1, 2)):
    ex = exercises.get(exercise_id)
    for seed in seeds:
        outcome = evaluate(exercise_id, ex.reference, seed=seed, watch_references=False)
        assert outcome.passed, (seed, outcome.message)


def assert_mistakes_fail(exercise_id, seeds=range(20)):
    """Every listed mistake fails by its values (not by a reference call), at every seed, and its
    name is one line that completes "this is what <name> gives"."""
    ex = exercises.get(exercise_id)
    assert len(ex.mistakes) >= 2, f"{exercise_id} lists fewer than 2 mistakes"
    for mistake in ex.mistakes:
        assert mistake.name[0].islower() and "\n" not in mistake.name and not mistake.name.endswith(".")
        for seed in seeds:
            outcome = evaluate(exercise_id, mistake.function, seed=seed, watch_references=False)
            assert outcome.status == "failed", (mistake.name, seed, outcome.status, outcome.message)


def assert_hint_levels(exercise_id):
    assert len(exercises.get(exercise_id).hints) >= 2, f"{exercise_id} needs at least 2 levels of hints"
