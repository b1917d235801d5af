"""What an exercise is, and how one answer is compared with the reference.

An exercise is a function the student writes in a notebook. The registry knows, for each one:
its id, the notebook, the name of the function the student defines, its points, the reference
implementation, how to make test cases (fixed edge cases plus random ones from a seed), the
tolerance, and a hint. Both the in-notebook `check` and the grader use these definitions, so a
case that fails in the notebook fails in the gradebook too.

Inputs and outputs of exercise functions are plain data: numbers, strings, numpy arrays, and
tuples/lists/dicts of them. That is what lets the grader run the student's function in another
process and read its answers back without unpickling anything.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Case:
    """One test input: `function(*args, **kwargs)`.

    `name` says in words what the case is ("edge: all zeros", "random #3"). `secret` holds data
    only the judge sees (for example true labels), never sent to the student's function.
    """

    name: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    secret: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Mistake:
    """A common wrong answer, named so that a failing check can say what the student did.

    `name` completes the sentence "this is what <name> gives", e.g. "epsilon outside the square
    root"; `function` has the exercise's signature and returns what that mistake returns.
    """

    name: str
    function: Callable


@dataclass
class Exercise:
    """A graded exercise.

    id          unique across the course, e.g. "mse"
    notebook    the notebook it lives in, e.g. "00_welcome"
    function    the name of the function the student defines (defaults to id)
    points      what it is worth
    reference   the reference implementation (same signature as the student's function)
    make_cases  make_cases(rng) -> list[Case]: fixed edge cases first, then random ones
    rtol, atol  tolerance of np.allclose(got, expected, rtol, atol)
    hints       levels of help, shown one at a time: level 1 names the idea ("the velocity
                changes before theta moves"), later levels narrow it down (which output, which
                part of the formula). Never code: no assignment, no numpy call. (`hint=` with
                one sentence is still accepted and becomes level 1.)
    mistakes    common wrong answers (Mistake(name, function)); a failing answer that equals a
                mistake's output on the failing case is named in the message
    outputs     names of the returned values as the exercise calls them, e.g. ("theta", "v");
                one name for a single value; empty: "output 0", "output 1", ...
    judge       optional judge(case, expected, got) -> None if right, else a message; replaces
                the default comparison (for answers that are right in more than one way)
    timeout     seconds the grader allows all of this exercise's cases together
    forbidden   other course_lib functions the student's function may not call (the grader scores
                such a call 0, like a call of the reference), e.g. the loader of the held-out data
    """

    id: str
    notebook: str
    points: float
    reference: Callable
    make_cases: Callable[[np.random.Generator], list[Case]]
    hint: str = ""
    function: str = ""
    rtol: float = 1e-7
    atol: float = 1e-10
    judge: Callable[[Case, Any, Any], str | None] | None = None
    timeout: float = 20.0
    forbidden: tuple = ()
    hints: tuple[str, ...] = ()
    mistakes: tuple[Mistake, ...] = ()
    outputs: tuple[str, ...] = ()

    def __post_init__(self):
        if not self.function:
            self.function = self.id
        if isinstance(self.hints, str):
            self.hints = (self.hints,)
        if not self.hints:
            if not self.hint:
                raise ValueError(f"exercise {self.id!r} needs at least one hint")
            self.hints = (self.hint,)
        self.hint = self.hints[0]          # level 1, the one shown first

    def cases(self, seed: int = 0) -> list[Case]:
        """The test cases drawn with `np.random.default_rng(seed)`."""
        return self.make_cases(np.random.default_rng(seed))

    def expected(self, case: Case):
        """The reference answer for one case (computed on a copy of the inputs)."""
        args, kwargs = copy.deepcopy((case.args, case.kwargs))
        return self.reference(*args, **kwargs)

    def verdict(self, case: Case, expected, got) -> str | None:
        """None when `got` is right for this case, else a one-line reason."""
        if self.judge is not None:
            return self.judge(case, expected, got)
        return compare(expected, got, self.rtol, self.atol)


# ---------------------------------------------------------------------------------------------
# Comparing an answer with the expected value
# ---------------------------------------------------------------------------------------------

def describe(value) -> str:
    """A short description of a value's type and shape, for messages: 'array of shape (3, 4)'."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape}" if value.ndim else f"scalar {value.item()!r}"
    if isinstance(value, (tuple, list)):
        return f"{type(value).__name__} of length {len(value)}"
    if isinstance(value, (bool, np.bool_)):
        return f"bool {bool(value)}"
    if isinstance(value, (int, float, np.number)):
        return f"number {value!r}"
    if value is None:
        return "None"
    return type(value).__name__


def _is_number(x) -> bool:
    return isinstance(x, (int, float, np.number)) and not isinstance(x, (bool, np.bool_))


def compare(expected, got, rtol: float = 1e-7, atol: float = 1e-10, where: str = "") -> str | None:
    """None if `got` matches `expected` within np.allclose(got, expected, rtol, atol), else why.

    Structure is compared first (tuple length, dict keys, array shapes), then NaN/inf, then the
    values; the message names the shapes, or the largest absolute and relative errors.
    """
    at = f" in {where}" if where else ""
    if isinstance(expected, list) and isinstance(got, np.ndarray):
        expected = np.asarray(expected)   # a list of numbers may come back as an array
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)):
            return f"expected a {type(expected).__name__} of {len(expected)} values{at}, got {describe(got)}"
        if len(got) != len(expected):
            return f"expected {len(expected)} values{at}, got {len(got)}"
        for k, (e, g) in enumerate(zip(expected, got)):
            reason = compare(e, g, rtol, atol, where=f"{where}[{k}]" if where else f"output {k}")
            if reason:
                return reason
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return f"expected a dict{at}, got {describe(got)}"
        if set(got) != set(expected):
            return f"expected keys {sorted(expected)}{at}, got {sorted(got)}"
        for key in expected:
            reason = compare(expected[key], got[key], rtol, atol, where=f"{where}[{key!r}]")
            if reason:
                return reason
        return None
    if isinstance(expected, str) or expected is None or isinstance(expected, (bool, np.bool_)):
        return None if got == expected else f"expected {expected!r}{at}, got {got!r}"

    # numbers and arrays
    exp = np.asarray(expected, dtype=np.float64)
    wanted = "a number" if exp.ndim == 0 else f"an array of shape {exp.shape}"
    if not (_is_number(got) or isinstance(got, np.ndarray)):
        if isinstance(got, (list, tuple)) and exp.ndim > 0:
            try:
                got = np.asarray(got, dtype=np.float64)
            except (TypeError, ValueError):
                return f"expected {wanted}{at}, got {describe(got)}"
        else:
            return f"expected {wanted}{at}, got {describe(got)}"
    try:
        g = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"expected numbers{at}, got an array of {np.asarray(got).dtype}"
    if g.shape != exp.shape:
        return f"expected shape {exp.shape}{at}, got shape {g.shape}"
    bad = ~np.isfinite(g) & np.isfinite(exp)
    if bad.any():
        kind = "NaN" if np.isnan(g[bad]).any() else "inf"
        return f"the answer{at} contains {kind} where a finite number was expected"
    with np.errstate(invalid="ignore", over="ignore"):
        if np.allclose(g, exp, rtol=rtol, atol=atol, equal_nan=True):
            return None
        err = np.abs(g - exp)
        abs_err = float(np.nanmax(err))
        rel_err = float(np.nanmax(err / np.maximum(np.abs(exp), 1e-300)))
    return f"wrong values{at}: max abs error {abs_err:.3g}, max rel error {rel_err:.3g}"


def short(value, limit: int = 160) -> str:
    """A compact, truncated repr for reports."""
    with np.printoptions(precision=4, suppress=True, threshold=12, edgeitems=2, linewidth=100):
        if isinstance(value, np.ndarray):
            text = np.array2string(value, separator=", ")
            if value.ndim:
                text = f"{text}  (shape {value.shape})"
        elif isinstance(value, np.generic):
            text = repr(value.item())
        elif isinstance(value, tuple):
            text = "(" + ", ".join(short(v, limit) for v in value) + ")"
        else:
            text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
