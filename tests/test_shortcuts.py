"""The shortcut finder: no public course_lib callable may answer an exercise unwatched.

For every exercise, every public function and class of course_lib (except the registry, the check,
the grader, the explorers and the release tool) is called with the exercise's case arguments, as
given and through the obvious adapters (a class called with the first k arguments, then the
instance, or one of its public methods, called with the rest). Any adapter that answers all of the
exercise's cases is then run through check() itself, under the reference watch: if check() accepts
it, a student could get full points by calling course_lib, and the test names it. The cure is to
make that building block the exercise's reference, or to list it in the exercise's `forbidden`.
"""

from __future__ import annotations

import copy
import functools
import importlib
import inspect
import pkgutil
import signal
from collections.abc import Callable

import numpy as np
import pytest

import course_lib
from course_lib import exercises
from course_lib.checking import evaluate

SKIPPED = ("course_lib.exercises", "course_lib.checking", "course_lib.grading", "course_lib.explorers",
           "course_lib.release")          # release: the notebook release tool, which writes files
SECONDS_PER_CALL = 1.0


def candidates() -> list[tuple[str, Callable]]:
    """('nn.mse_loss', function) for every public function and class defined in course_lib."""
    found = []
    for info in pkgutil.walk_packages(course_lib.__path__, "course_lib."):
        if info.name.startswith(SKIPPED):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj) or inspect.isclass(obj):
                found.append((f"{info.name.removeprefix('course_lib.')}.{name}", obj))
    return found


def adapters(name: str, obj: Callable, n_args: int) -> list[tuple[str, Callable]]:
    """The ways a student could call `obj` in place of the exercise function."""
    if not inspect.isclass(obj):
        return [(name, lambda *args, **kwargs: obj(*args, **kwargs))]
    out = []
    methods = ["__call__"] + [m for m, f in vars(obj).items() if not m.startswith("_") and callable(f)]
    for k in range(n_args + 1):
        for method in methods:
            if method == "__call__" and not any("__call__" in vars(k) for k in obj.__mro__[:-1]):
                continue

            def adapter(*args, _k=k, _method=method, **kwargs):
                instance = obj(*args[:_k])
                return getattr(instance, _method)(*args[_k:], **kwargs)
            label = f"{name}(first {k} arguments)" + ("" if method == "__call__" else f".{method}") + "(rest)"
            out.append((label, adapter))
    for i in range(n_args):            # the step t first for the function, last for the class
        for method in methods:
            if method == "__call__" and not any("__call__" in vars(k) for k in obj.__mro__[:-1]):
                continue

            def one_out(*args, _i=i, _method=method, **kwargs):
                instance = obj(*args[:_i], *args[_i + 1:], **kwargs)
                return getattr(instance, _method)(args[_i])
            label = f"{name}(all arguments but #{i})" + ("" if method == "__call__" else f".{method}") + \
                f"(argument #{i})"
            out.append((label, one_out))
    return out


class TookTooLong(Exception):
    pass


def call_briefly(function, args, kwargs):
    """function(*args, **kwargs) on copies of the inputs, stopped after SECONDS_PER_CALL."""
    def stop(signum, frame):
        raise TookTooLong()
    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, SECONDS_PER_CALL)
    try:
        args, kwargs = copy.deepcopy((args, kwargs))
        with np.errstate(all="ignore"):
            return function(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def answers_every_case(ex, function, cases, expected) -> bool:
    for k, case in enumerate(cases):
        try:
            got = call_briefly(function, case.args, case.kwargs)
            if k not in expected:
                expected[k] = ex.expected(case)
            if ex.verdict(case, expected[k], got) is not None:
                return False
        except BaseException as exc:  # noqa: B036 - whatever a candidate raises, it is no answer
            if isinstance(exc, KeyboardInterrupt):
                raise
            return False
    return True


def shortcuts(ex) -> list[str]:
    """The course_lib callables (with their adapter) that check() accepts for exercise `ex`."""
    cases, expected = ex.cases(0), {}
    n_args = max(len(c.args) for c in cases)
    found = []
    for name, obj in CANDIDATES:
        for label, adapter in adapters(name, obj, n_args):
            if answers_every_case(ex, adapter, cases, expected):
                verdict = evaluate(ex.id, adapter)           # check() itself, with the reference watch
                if verdict.passed:
                    found.append(label)
                break                                          # one adapter per callable is enough
    return found


CANDIDATES = candidates()


@functools.cache
def shortcuts_of(exercise_id: str) -> tuple[str, ...]:
    return tuple(shortcuts(exercises.get(exercise_id)))


def test_the_finder_sees_the_course_numerics():
    names = {name for name, _ in CANDIDATES}
    assert {"nn.mse_loss", "optimizers.adam_update", "schedules.CosineDecay"} <= names
    assert not any(n.startswith(("exercises.", "grading.", "explorers.", "checking.")) for n in names)
    assert len(exercises.all_exercises()) >= 36      # the test below has exercises to try


@pytest.mark.parametrize("exercise_id", [ex.id for ex in exercises.all_exercises()])
def test_no_course_lib_callable_answers_an_exercise_unwatched(exercise_id):
    found = shortcuts_of(exercise_id)
    assert not found, f"{exercise_id}: check() accepts a call of {', '.join(found)}: make it the " \
                      "reference or list it in the exercise's forbidden"


def test_the_finder_reports_a_building_block_behind_a_thin_reference(monkeypatch):
    """The trap of issue 12: the registry's reference wraps a building block that is not watched."""
    from course_lib import nn

    ex = exercises.get("mse")
    monkeypatch.setattr(ex, "reference", lambda o, y: nn.mse_loss(o, y))
    assert "nn.mse_loss" in shortcuts(ex)


def own_mse(o, y):
    return float(np.mean((np.asarray(o, dtype=float) - np.asarray(y, dtype=float)) ** 2))


@pytest.fixture
def listed_block(monkeypatch):
    """An exercise (in a notebook of its own) whose reference is its own code and whose forbidden
    list holds the course_lib block that computes the same thing."""
    from course_lib import nn
    from course_lib.exercises import Exercise

    ex = Exercise("shortcut_probe", "99_probe", 1, own_mse, exercises.get("mse").make_cases,
                  hints=("average the squared errors",), forbidden=(nn.mse_loss,), check_seeds=1)
    monkeypatch.setitem(exercises._load(), ex.id, ex)
    return ex


def test_a_listed_block_is_watched(listed_block):
    assert "nn.mse_loss" not in shortcuts(listed_block)


def test_the_finder_reports_a_block_taken_off_the_forbidden_list(listed_block, monkeypatch):
    monkeypatch.setattr(listed_block, "forbidden", ())
    assert "nn.mse_loss" in shortcuts(listed_block)
