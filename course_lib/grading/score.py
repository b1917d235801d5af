"""Score a student's answers in the grader's own process: cases, reference answers, verdicts.

    prepared = prepare(exercises.for_notebook("00_welcome"), seed=1234)
    result = score(prepared[0], run)          # run: what the sandbox brought back

The cases are drawn from a seed chosen at grading time; the expected values come from the
reference implementation and the comparison from Exercise.verdict (the same one `check` uses).
Points are all or nothing per exercise, as in the notebook's check: an exercise passes when
every case passes. Statuses:

    passed         every case right                        full points
    failed         a wrong answer (or the reference code was called)
    not_attempted  the function still raises NotImplementedError
    error          the function raised, or its process crashed
    timeout        the exercise (or the notebook) ran out of time
    missing        no such notebook, or no such function in it
    invalid        the notebook file could not be read

Printed output, warnings and stderr are never looked at.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..exercises import Case, Exercise, short
from .sandbox import ExerciseRun
from .wire import Unreadable

PASSED, FAILED, NOT_ATTEMPTED, ERROR = "passed", "failed", "not_attempted", "error"
TIMEOUT, MISSING, INVALID = "timeout", "missing", "invalid"
STATUSES = (PASSED, FAILED, NOT_ATTEMPTED, ERROR, TIMEOUT, MISSING, INVALID)
NOT_ATTEMPTED_MESSAGE = "not attempted: the function still raises NotImplementedError"


@dataclass
class Prepared:
    """The judge's side of one exercise: its cases for this seed and the reference answers."""

    exercise: Exercise
    cases: list[Case]
    expected: list


@dataclass
class Result:
    """The grade of one exercise, and the first failing case for the feedback."""

    exercise: str
    points: float
    max_points: float
    status: str
    message: str
    n_cases: int = 0
    n_passed: int = 0
    case: str = ""            # the first failing case: its name, inputs, expected and returned value
    inputs: str = ""
    expected: str = ""
    got: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def prepare(exercises: list[Exercise], seed: int) -> list[Prepared]:
    """Draw every exercise's cases from `seed` and compute the reference answers."""
    return [Prepared(ex, cases, [ex.expected(case) for case in cases])
            for ex in exercises for cases in [ex.cases(seed)]]


def zero(exercise: Exercise, status: str, message: str) -> Result:
    """A result with no points (missing, invalid, not attempted...)."""
    return Result(exercise.id, 0.0, float(exercise.points), status, one_line(message))


def score(prepared: Prepared, run: ExerciseRun) -> Result:
    """Compare the answers of one run with the reference answers, case by case."""
    ex, cases = prepared.exercise, prepared.cases
    if run.course_lib:
        return zero(ex, FAILED, f"{ex.function}() calls the course's reference code ({run.course_lib}); "
                                "write your own implementation")
    n_passed = 0
    for index, case in enumerate(cases):
        if index >= len(run.results):
            status = {"timeout": TIMEOUT, "invalid": INVALID}.get(run.outcome, ERROR)
            text = run.message or "no answer came back for this case"
            return failing(prepared, index, status, text, n_passed)
        answer = run.results[index]
        if "error" in answer:
            if answer["not_implemented"]:
                return zero(ex, NOT_ATTEMPTED, NOT_ATTEMPTED_MESSAGE)
            return failing(prepared, index, ERROR, f"your function raised {answer['error']}", n_passed)
        got = answer["value"]
        if contains_unreadable(got):
            reason = f"your function returned {got!r}; return numbers, arrays, tuples, lists or dicts"
        elif is_complex(got) and not is_complex(prepared.expected[index]):
            reason = "your function returned complex numbers; the answer is real"
        else:
            try:
                reason = ex.verdict(case, prepared.expected[index], got)
            except Exception as exc:  # an odd answer can trip a judge: it is still a wrong answer
                reason = f"the answer could not be compared with the expected one ({type(exc).__name__})"
            if reason is None and answer.get("mutated"):
                reason = "your function changed one of its input arrays in place; return a new array instead"
        if reason is not None:
            return failing(prepared, index, FAILED, reason, n_passed, got=got)
        n_passed += 1
    return Result(ex.id, float(ex.points), float(ex.points), PASSED,
                  f"passed all {len(cases)} cases", len(cases), n_passed)


def failing(prepared: Prepared, index: int, status: str, message: str, n_passed: int,
            got=None) -> Result:
    """A zero-point result that shows the case `index`."""
    ex, case = prepared.exercise, prepared.cases[index]
    inputs = ", ".join([short(a, 120) for a in case.args]
                       + [f"{k}={short(v, 120)}" for k, v in case.kwargs.items()])
    return Result(ex.id, 0.0, float(ex.points), status,
                  one_line(f"case '{case.name}': {message}"), len(prepared.cases), n_passed,
                  case=case.name, inputs=inputs, expected=short(prepared.expected[index], 300),
                  got="" if status != FAILED else short(got, 300))


def contains_unreadable(value) -> bool:
    if isinstance(value, Unreadable):
        return True
    if isinstance(value, (list, tuple)):
        return any(contains_unreadable(v) for v in value)
    if isinstance(value, dict):
        return any(contains_unreadable(v) for v in value.values())
    return False


def is_complex(value) -> bool:
    """True if `value` holds a complex number with a nonzero imaginary part (compare drops it)."""
    if isinstance(value, (list, tuple)):
        return any(is_complex(v) for v in value)
    if isinstance(value, dict):
        return any(is_complex(v) for v in value.values())
    if isinstance(value, (complex, np.complexfloating, np.ndarray)):
        return bool(np.iscomplexobj(value) and np.any(np.imag(value) != 0))
    return False


def one_line(text: str, limit: int = 400) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
