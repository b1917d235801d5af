"""Shared checks for an exercise's registry entry (used by the tests of 06-08).

Each one can fail: a reference that does not pass its own cases, a listed mistake that passes
(or gives the reference's answer on every case), a hint that contains code, a course_lib
callable that answers an exercise without being its reference or listed in `forbidden`.
"""

import copy
import importlib
import inspect
import re

from course_lib import exercises
from course_lib.checking import evaluate

CODE_IN_HINT = re.compile(r"=|\*|np\.|\w\(|\[\w*\]|\bdef \w|\blambda \w*:")


def assert_reference_passes(exercise_id, seeds=(0, 1, 2)):
    ex = exercises.get(exercise_id)
    for seed in seeds:
        outcome = evaluate(exercise_id, ex.reference, seed=seed, watch_references=False)
        assert outcome.passed, (seed, outcome.message)


def assert_mistakes_fail(exercise_id, seeds=range(20)):
    """Every listed mistake fails by its values (not by a reference call), at every seed, and its
    name is one line."""
    ex = exercises.get(exercise_id)
    assert len(ex.mistakes) >= 2, f"{exercise_id} lists fewer than 2 mistakes"
    for mistake in ex.mistakes:
        assert mistake.name and "\n" not in mistake.name
        for seed in seeds:
            outcome = evaluate(exercise_id, mistake.function, seed=seed, watch_references=False)
            assert outcome.status == "failed", (mistake.name, seed, outcome.status, outcome.message)


def assert_hints_without_code(exercise_id):
    ex = exercises.get(exercise_id)
    assert len(ex.hints) >= 2, f"{exercise_id} needs at least 2 levels of hints"
    for hint in ex.hints:
        found = CODE_IN_HINT.search(hint)
        assert found is None, f"hint of {exercise_id} looks like code near {found.group()!r}: {hint}"


SCANNED = ["course_lib.optimizers", "course_lib.quadratics", "course_lib.landscapes",
           "course_lib.schedules", "course_lib.nn", "course_lib.estimators",
           "course_lib.generalization", "course_lib.gradcheck", "course_lib.explorers.optimizers",
           "course_lib.explorers.momentum"]


def _candidates():
    """(name, callable) for every public function and class of the scanned modules."""
    out = []
    for module_name in SCANNED:
        module = importlib.import_module(module_name)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module_name:
                continue
            if inspect.isfunction(obj) or (inspect.isclass(obj) and "Explorer" not in name):
                out.append((f"{module_name}.{name}", obj))
    return out


def _adapters(obj, n_args):
    """The ways a student could call obj with the exercise's arguments: directly, and for a
    class, constructed with the first k arguments and the instance called with the rest."""
    if not inspect.isclass(obj):
        return [lambda *args: obj(*args)]
    return [lambda *args, k=k: obj(*args[:k])(*args[k:]) for k in range(n_args + 1)]


def shortcuts(exercise_id, watch_references=True):
    """Names of course_lib callables that pass the exercise's cases although check() lets them
    through (neither the reference nor forbidden): each is a way to score without writing it.
    With watch_references=False: every callable that answers the exercise (the reference too)."""
    ex = exercises.get(exercise_id)
    n_args = len(ex.cases(0)[0].args)
    found = []
    for name, obj in _candidates():
        for adapter in _adapters(obj, n_args):
            case = ex.cases(0)[0]
            try:
                adapter(*copy.deepcopy(case.args))
            except Exception:
                continue
            if evaluate(exercise_id, adapter, watch_references=watch_references).passed:
                found.append(name)
                break
    return found
