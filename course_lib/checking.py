"""check(): run a student's function on an exercise's cases and print a friendly report.

    from course_lib.checking import check
    check("mse", mse)

prints either "passed" or the first failing case: its inputs, the expected and the returned
value, the largest absolute/relative error, and a hint. A function that still raises
NotImplementedError is "not attempted yet"; a wrong shape, a NaN or an exception inside the
student's code is reported as such. `check` itself never raises, so a student notebook runs top
to bottom whatever state its exercises are in.

A function that passes is remembered: `implementation("mse", reference)` then returns the
student's function, so explorers can run the student's own code.
"""

from __future__ import annotations

import copy
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import exercises
from .exercises import Case, short

PASSED, FAILED, NOT_ATTEMPTED, ERROR = "passed", "failed", "not_attempted", "error"

_passed_functions: dict[str, Callable] = {}


@dataclass
class Outcome:
    """The result of running one function on one exercise's cases."""

    exercise_id: str
    status: str                     # passed | failed | not_attempted | error
    n_cases: int = 0
    n_passed: int = 0
    message: str = ""               # one line: why it failed
    case: Case | None = None        # the first failing case
    expected: object = None
    got: object = None
    details: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == PASSED


def _changed_inputs(before: tuple, after: tuple) -> bool:
    """True if any array argument was modified in place."""
    for b, a in zip(before, after):
        if isinstance(b, np.ndarray) and isinstance(a, np.ndarray):
            if b.shape != a.shape or not np.array_equal(b, a, equal_nan=True):
                return True
    return False


def evaluate(exercise_id: str, function: Callable, seed: int = 0,
             watch_references: bool = True) -> Outcome:
    """Run `function` on every case of the exercise and compare with the reference.

    Stops at the first failing case. Never raises for anything the student's code does. A call
    into the course's reference code fails the exercise, as in the grader; `watch_references=False`
    turns that off, for testing the reference itself.
    """
    ex = exercises.get(exercise_id)
    if not callable(function):
        return Outcome(exercise_id, ERROR, message=f"expected a function, got {type(function).__name__}")
    cases = ex.cases(seed)
    watch = _reference_watch(ex, function, enabled=watch_references)
    n_passed = 0
    for case in cases:
        expected = ex.expected(case)
        args, kwargs = copy.deepcopy((case.args, case.kwargs))
        try:
            with np.errstate(all="ignore"):
                got = watch.call(function, args, kwargs)
        except NotImplementedError:
            return Outcome(exercise_id, NOT_ATTEMPTED, len(cases), n_passed,
                           message="not attempted yet: the function still raises NotImplementedError")
        except Exception as exc:  # the student's code failed: report it, don't crash
            tb = traceback.extract_tb(exc.__traceback__)
            line = f" (line {tb[-1].lineno} of {tb[-1].name})" if tb else ""
            return Outcome(exercise_id, ERROR, len(cases), n_passed,
                           message=f"your function raised {type(exc).__name__}: {exc}{line}",
                           case=case)
        if watch.found:   # the grader scores this 0: say so now, not after grading
            return Outcome(exercise_id, FAILED, len(cases), n_passed, case=case,
                           message=f"your function calls the course's reference code ({watch.found}); "
                                   "the grader scores that 0: write it yourself")
        reason = ex.verdict(case, expected, got)
        if reason is None and _changed_inputs(case.args, args):
            reason = "your function changed one of its input arrays in place; return a new array instead"
        if reason is not None:
            return Outcome(exercise_id, FAILED, len(cases), n_passed, message=reason,
                           case=case, expected=expected, got=got)
        n_passed += 1
    return Outcome(exercise_id, PASSED, len(cases), n_passed)


def _reference_watch(ex, function, enabled: bool = True):
    """The grader's run-time watch for calls into reference code (grading/references.py), so that
    `check` fails what the grader would score 0."""
    from .grading.child import CourseWatch
    from .grading.references import forbidden_code

    forbidden = forbidden_code(exercises.for_notebook(ex.notebook)) if enabled else \
        {"codes": [], "prefixes": []}
    code = getattr(function, "__code__", None)
    student_files = {code.co_filename} if code is not None else set()
    return CourseWatch(forbidden, student_files)


def report(outcome: Outcome) -> str:
    """The text that `check` prints."""
    ex = exercises.get(outcome.exercise_id)
    head = f"[{ex.id}] {ex.function}()"
    if outcome.status == PASSED:
        unit = "point" if ex.points == 1 else "points"
        return f"✅ {head}: passed all {outcome.n_cases} cases ({ex.points:g} {unit})."
    if outcome.status == NOT_ATTEMPTED:
        return f"⏳ {head}: not attempted yet. Write your code where it says YOUR CODE HERE."
    lines = [f"❌ {head}: {outcome.n_passed} of {outcome.n_cases} cases passed; this one did not:"]
    if outcome.case is not None:
        lines.append(f"   case:     {outcome.case.name}")
        names = ", ".join([short(a, 100) for a in outcome.case.args]
                          + [f"{k}={short(v, 100)}" for k, v in outcome.case.kwargs.items()])
        lines.append(f"   inputs:   {names}")
    if outcome.status == FAILED:
        lines.append(f"   expected: {short(outcome.expected)}")
        lines.append(f"   got:      {short(outcome.got)}")
    lines.append(f"   problem:  {outcome.message}")
    lines.append(f"   hint:     {ex.hint}")
    return "\n".join(lines)


def check(exercise_id: str, function: Callable, seed: int = 0) -> None:
    """Check a student's function against the reference and print the report.

    A passing function is remembered for `implementation`.
    """
    try:
        outcome = evaluate(exercise_id, function, seed)
    except KeyError as exc:
        print(f"❌ {exc.args[0]}")
        return
    if outcome.passed:
        _passed_functions[exercise_id] = function
    else:
        _passed_functions.pop(exercise_id, None)
    print(report(outcome))


def implementation(exercise_id: str, reference: Callable | None = None) -> Callable:
    """The student's function if it passed `check`, else `reference` (by default the exercise's
    own reference, looked up in the registry, so a notebook need not import it)."""
    if exercise_id in _passed_functions:
        return _passed_functions[exercise_id]
    return reference if reference is not None else exercises.get(exercise_id).reference


def has_passed(exercise_id: str) -> bool:
    """True once the student's function for this exercise has passed `check`."""
    return exercise_id in _passed_functions


def passed_functions() -> dict[str, Callable]:
    """Every exercise id whose student function has passed `check`, with that function (a copy)."""
    return dict(_passed_functions)
