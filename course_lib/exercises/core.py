"""What an exercise is, a case, a mistake and a verdict (judging.py holds the one judge).

An exercise is a function the student writes in a notebook. The registry knows, for each one:
its id, the notebook, the name of the function the student defines, its points, the reference
implementation, how to make test cases (fixed edge cases plus random ones from a seed), the
tolerance, its hints (in levels), its common mistakes and the names of its outputs.

One verdict: `judging.judge(exercise, cases, expected, answers)` turns the student's answers into a
`Verdict` (passed, failed, not attempted, error, timeout; the first failing case; every wrong
output by name; the misconception the answer matches). The in-notebook `check` (checking.py) and
the grader (grading/score.py) both call it, with answers in the same form and the same values
(check() sends each answer through the grader's wire format first), so a check that passes means
full points from the grader.

Fixed and random cases: a case is *public* (fixed) when its inputs do not depend on the seed:
`Exercise.is_public(case)` compares the case with the case of the same name drawn from two
other seeds (`Case.public=True/False` overrides that). check() shows everything, since the
student runs it; the grader's feedback shows expected values only for public cases, so
resubmitting into the same seed does not reveal answers.

Inputs and outputs of exercise functions are plain data: numbers, strings, numpy arrays, and
tuples/lists/dicts of them. That is what lets the grader run the student's function in another
process and read its answers back without unpickling anything.
"""

from __future__ import annotations

import ast
import copy
import inspect
import re
import textwrap
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..testfunctions import closed_over

PASSED, FAILED, NOT_ATTEMPTED, ERROR, TIMEOUT = "passed", "failed", "not_attempted", "error", "timeout"
NOT_ATTEMPTED_MESSAGE = "not attempted: the function still raises NotImplementedError"
LEFTOVER_MESSAGE = ("your function still starts with (or contains) the line `raise NotImplementedError()`, "
                    "so your code never runs: delete the raise NotImplementedError() line")


@dataclass
class Case:
    """One test input: `function(*args, **kwargs)`.

    `name` says in words what the case is ("edge: all zeros", "random #3"). `secret` holds data
    only the judge sees (for example true labels), never sent to the student's function.
    `public`: None (the default) lets Exercise.is_public decide from the inputs; True or False
    says whether the grader's feedback may show this case's expected value.
    """

    name: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    secret: dict = field(default_factory=dict)
    public: bool | None = None


@dataclass(frozen=True)
class Mistake:
    """A common wrong answer, named so that a failing check can say what the student did.

    `name` completes the sentence "this is what <name> gives", e.g. "epsilon outside the square
    root"; `function` has the exercise's signature and returns what that mistake returns.
    `nudge` is the first hint shown when the check names this mistake (words, never code); without
    one, a nudge is made from the name. `idea` is the key of the catalogued misconception it makes
    (misconceptions.py), if any: `misconceptions.slip(key, function)` fills name, nudge and idea.
    """

    name: str
    function: Callable
    nudge: str = ""
    idea: str = ""

    def __post_init__(self):
        if not self.nudge:
            # the name read back, unless it holds something that reads as code (a = b, f(x), lambda)
            slip = "the slip just named" if re.search(r"=|\w\(|\blambda\b", self.name) else self.name
            object.__setattr__(self, "nudge", f"Your answer is exactly what {slip} gives. Find the step of "
                                              "your code that does that, and compare it with the "
                                              "exercise's formula.")


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
    check_seeds check() runs the fixed cases and the random cases of seeds 0 .. check_seeds - 1;
                by default 5, or 1 for an exercise allowed over a minute (a training run per case)
    ideas       keys of catalogued misconceptions (misconceptions.IDEAS) that need the exercise's
                consent, e.g. "restore_exactly" (numerical_gradient must change x in place). The
                catalogue's other ideas apply wherever they fit, without being listed.
    transcription  True when the answer is a direct transcription of a formula or algorithm the
                notebook shows right before the exercise (a warm-up, not a derivation); the course
                keeps at most 8 of them (tests/test_course_shape.py counts)
    summary     optional summary(cases, values) -> str, added to the verdict's message on a pass
                (what a judged answer reached, e.g. the capstone's accuracy and its margin)
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
    check_seeds: int | None = None
    ideas: tuple[str, ...] = ()
    transcription: bool = False
    summary: Callable[[list, list], str] | None = None
    _fixed: set | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        if not self.function:
            self.function = self.id
        if isinstance(self.hints, str):
            self.hints = (self.hints,)
        if not self.hints:
            if not self.hint:
                raise ValueError(f"exercise {self.id!r} needs at least one hint")
            self.hints = (self.hint,)
        self.hints = tuple(self.hints)
        self.hint = self.hints[0]          # level 1, the one shown first
        if isinstance(self.outputs, str):
            self.outputs = (self.outputs,)
        if self.check_seeds is None:
            self.check_seeds = 1 if self.timeout > 60 else 5

    def cases(self, seed: int = 0) -> list[Case]:
        """The test cases drawn with `np.random.default_rng(seed)`."""
        return self.make_cases(np.random.default_rng(seed))

    def check_cases(self) -> list[Case]:
        """What check() runs: every case of seed 0, then the random (not public) cases of seeds
        1 .. check_seeds - 1, named with their seed ("random #2 (seed 3)")."""
        cases = self.cases(0)
        for seed in range(1, self.check_seeds):
            for case in self.cases(seed):
                if not self.is_public(case):
                    cases.append(Case(f"{case.name} (seed {seed})", case.args, case.kwargs, case.secret,
                                      public=False))
        return cases

    def is_public(self, case: Case) -> bool:
        """True for a fixed case: its inputs are the same whatever the seed (or `case.public`)."""
        if case.public is not None:
            return case.public
        if self._fixed is None:
            draws = [{c.name: c for c in self.cases(seed)} for seed in (0, 1, 2)]
            self._fixed = {name for name, c in draws[0].items()
                           if all(name in d and same_data((c.args, c.kwargs, c.secret),
                                                          (d[name].args, d[name].kwargs, d[name].secret))
                                  for d in draws[1:])}
        return case.name in self._fixed

    def expected(self, case: Case):
        """The reference answer for one case (computed on a copy of the inputs)."""
        args, kwargs = arguments(case)
        return self.reference(*args, **kwargs)

    def verdict(self, case: Case, expected, got) -> str | None:
        """None when `got` is right for this case, else a one-line reason."""
        if self.judge is not None:
            return self.judge(case, expected, got)
        return compare(expected, got, self.rtol, self.atol, names=self.outputs)

    def hints_for(self, verdict: Verdict | None = None) -> tuple[str, ...]:
        """The hint ladder for a verdict: when it names a mistake, that mistake's nudge comes first
        and the exercise's ladder follows; otherwise the ladder alone."""
        nudge = getattr(verdict, "nudge", "") if verdict is not None else ""
        return (nudge, *self.hints) if nudge else self.hints

    def hint_levels(self, level: int, verdict: Verdict | None = None) -> list[str]:
        """Hints 1 .. level (never beyond the last one) of `hints_for(verdict)`."""
        hints = self.hints_for(verdict)
        return list(hints[: max(1, min(level, len(hints)))])


def arguments(case: Case) -> tuple[tuple, dict]:
    """A fresh copy of a case's (args, kwargs) for the reference or a known mistake, with the
    closures the student's function gets too (testfunctions.closed_over, as grading/runner.py's
    inputs)."""
    args, kwargs = copy.deepcopy((case.args, case.kwargs))
    return closed_over(tuple(args)), kwargs


def same_data(a, b) -> bool:
    """True if two plain-data structures are equal (arrays: same dtype, shape and values)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype
                and a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")))
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same_data(a[k], b[k]) for k in a)
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - an odd object is simply not the same data
        return False


# ---------------------------------------------------------------------------------------------
# The verdict: one judging loop for check() and the grader
# ---------------------------------------------------------------------------------------------

@dataclass
class Verdict:
    """How one function did on one exercise's cases.

    status      passed | failed | not_attempted | error | timeout
    message     one line: why it failed (every wrong output, the named mistake)
    case        the first failing case (None when no single case is to blame), `index` its position
    expected, got   the values of that case, when `compared` (a wrong value, not an exception)
    reasons     one line per wrong output, named as in the exercise, state before theta
    mistakes    the names of the Mistakes whose output equals the student's ("epsilon outside ..."),
                `mistake` the first of them
    nudge       the first hint about the named misconception ("" when none is named)
    """

    exercise_id: str
    status: str
    n_cases: int = 0
    n_passed: int = 0
    message: str = ""
    case: Case | None = None
    index: int | None = None
    expected: Any = None
    got: Any = None
    compared: bool = False
    reasons: list[str] = field(default_factory=list)
    mistake: str | None = None
    mistakes: list[str] = field(default_factory=list)
    nudge: str = ""

    @property
    def passed(self) -> bool:
        return self.status == PASSED


def wrong_outputs(exercise: Exercise, case: Case, expected, got) -> list[str]:
    """Why `got` is wrong, one line per wrong output (named, state before theta); [] if right."""
    unreadable = _unreadable(got)
    if unreadable is not None:
        if unreadable == "complex":
            return ["your function returned complex numbers; the answer is real"]
        return [f"your function returned {_unreadable_text(unreadable)}; return numbers, arrays, "
                "tuples, lists or dicts"]
    if is_complex(got) and not is_complex(expected):
        return ["your function returned complex numbers; the answer is real"]
    try:
        reason = exercise.verdict(case, expected, got)
    except Exception as exc:  # noqa: BLE001 - an odd answer can trip a judge: still a wrong answer
        reason = f"the answer could not be compared with the expected one ({type(exc).__name__})"
    if reason is None:
        return []
    reasons = [reason]
    nodes = graph_nodes(case)
    if nodes is not None and isinstance(expected, list) and len(expected) == len(nodes):
        # one number per node: the judge names the first wrong node; list every wrong one by name
        labels = output_names(exercise, expected, case)
        if isinstance(got, (list, tuple, np.ndarray)) and len(got) == len(expected):
            wrong = [label for label, e, g in zip(labels, expected, got)
                     if _safe_compare(e, g, exercise.rtol, exercise.atol)]
            if len(wrong) > 1:
                reasons.append(f"wrong at {len(wrong)} of {len(labels)} nodes: {', '.join(wrong)}")
        return reasons
    names = output_names(exercise, expected)
    if len(names) > 1 and isinstance(got, (tuple, list)) and len(got) == len(names):
        per_output = {}
        for name, e, g in zip(names, expected, got):
            try:
                why = compare(e, g, exercise.rtol, exercise.atol, where=name)
            except Exception:  # noqa: BLE001
                why = f"{name} could not be compared"
            if why:
                per_output[name] = why
        if per_output:
            reasons = [per_output[name] for name in state_first(names) if name in per_output]
    low = low_precision(got)
    if low:
        digits = np.finfo(np.dtype(low)).precision
        reasons.append(f"your answer is {low}, which keeps only about {digits} digits: compute in float64, "
                       "numpy's default")
    return reasons


def _safe_compare(e, g, rtol, atol) -> str | None:
    try:
        return compare(e, g, rtol, atol)
    except Exception:  # noqa: BLE001 - an odd value is a wrong value
        return "could not be compared"


def graph_nodes(case: Case | None) -> list | None:
    """The nodes of a case whose first input is a computational graph (a list of node dicts with
    "op" and "name", as in course_lib/graph.py), else None."""
    if case is None or not case.args:
        return None
    nodes = case.args[0]
    if isinstance(nodes, list) and nodes and all(isinstance(n, dict) and "op" in n and "name" in n
                                                 for n in nodes):
        return nodes
    return None


def output_names(exercise: Exercise, expected, case: Case | None = None) -> tuple[str, ...]:
    """The names of the outputs: the exercise's; one per node, "g(x)", for a list with one value per
    node of the case's graph; else "output 0", "output 1", ... for a tuple."""
    nodes = graph_nodes(case)
    if nodes is not None and isinstance(expected, (list, tuple)) and len(expected) == len(nodes) \
            and len(exercise.outputs) == 1:
        return tuple(f"{exercise.outputs[0]}({node['name']})" for node in nodes)
    if isinstance(expected, (tuple, list)):
        if len(exercise.outputs) == len(expected) or len(exercise.outputs) == 1:
            return tuple(exercise.outputs)   # one name: the list is one output (the capstone's params)
        return tuple(f"output {k}" for k in range(len(expected)))
    return tuple(exercise.outputs[:1])


def state_first(names) -> list[str]:
    """The outputs in the exercise's order, with theta moved after the state (v, s, r, t...)."""
    return sorted(names, key=lambda name: name == "theta")


def low_precision(value) -> str | None:
    """'float32' (or float16...) if `value` holds floating arrays with fewer than 64 bits."""
    if isinstance(value, (np.ndarray, np.generic)):
        dtype = np.asarray(value).dtype
        if dtype.kind in "fc" and dtype.itemsize < (8 if dtype.kind == "f" else 16):
            return str(dtype)
        return None
    if isinstance(value, (tuple, list)):
        return next((low for low in map(low_precision, value) if low), None)
    if isinstance(value, dict):
        return next((low for low in map(low_precision, value.values()) if low), None)
    return None


def _unreadable(value) -> str | None:
    """The type name of the first value the grader's wire format could not read, or None."""
    if type(value).__name__ == "Unreadable" and hasattr(value, "type_name"):
        return value.type_name
    if isinstance(value, (list, tuple)):
        return next((u for u in map(_unreadable, value) if u is not None), None)
    if isinstance(value, dict):
        return next((u for u in map(_unreadable, value.values()) if u is not None), None)
    return None


def _unreadable_text(type_name: str) -> str:
    return f"<a {type_name}, which the grader cannot read>"


def is_complex(value) -> bool:
    """True if `value` holds a complex number with a nonzero imaginary part (compare drops it)."""
    if isinstance(value, (list, tuple)):
        return any(is_complex(v) for v in value)
    if isinstance(value, dict):
        return any(is_complex(v) for v in value.values())
    if isinstance(value, (complex, np.complexfloating, np.ndarray)):
        return bool(np.iscomplexobj(value) and np.any(np.imag(value) != 0))
    return False


# ---------------------------------------------------------------------------------------------
# Is it attempted? The function's source decides
# ---------------------------------------------------------------------------------------------

def definition_kind(function) -> str | None:
    """How a function's body looks: "stub", "leftover", "code", or None if its source is unknown.

    "stub"      only a docstring, comments, `pass` and a top-level `raise NotImplementedError`
                (the release version: not attempted);
    "leftover"  a top-level `raise NotImplementedError` plus other code (the student wrote code
                but left the raise line: it must be deleted);
    "code"      no top-level raise NotImplementedError (one raised for some inputs only is a
                failing case, not "not attempted").
    `function` is a function object (its source is read with inspect) or an ast.FunctionDef.
    """
    node = function
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
        except (OSError, TypeError, SyntaxError, ValueError):
            return None
        name = getattr(function, "__name__", "")
        found = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and n.name == name]
        if not found:
            return None
        node = found[0]
    raises = [s for s in node.body if _raises_not_implemented(s)]
    if not raises:
        return "code"
    other = [s for s in node.body if not _raises_not_implemented(s) and not _trivial(s)]
    return "leftover" if other else "stub"


def _raises_not_implemented(statement: ast.stmt) -> bool:
    if not isinstance(statement, ast.Raise) or statement.exc is None:
        return False
    exc = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
    return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"


def _trivial(statement: ast.stmt) -> bool:
    """A docstring, `pass` or `...`."""
    return isinstance(statement, ast.Pass) or (
        isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
        and (isinstance(statement.value.value, str) or statement.value.value is Ellipsis))


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
    if type(value).__name__ == "Unreadable" and hasattr(value, "type_name"):
        return _unreadable_text(value.type_name)
    return type(value).__name__


def _is_number(x) -> bool:
    return isinstance(x, (int, float, np.number)) and not isinstance(x, (bool, np.bool_))


def compare(expected, got, rtol: float = 1e-7, atol: float = 1e-10, where: str = "",
            names: tuple[str, ...] = ()) -> str | None:
    """None if `got` matches `expected` within np.allclose(got, expected, rtol, atol), else why.

    Structure is compared first (tuple length, dict keys, array shapes), then NaN/inf, then the
    values; the message names the shapes, or the largest absolute and relative errors (the
    relative error is "n/a" where every expected value is 0). `names` names the elements of a
    returned tuple ("theta", "v"); without them they are "output 0", "output 1", ...
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
            inner = f"{where}[{k}]" if where else (names[k] if len(names) == len(expected) else f"output {k}")
            reason = compare(e, g, rtol, atol, where=inner)
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
        return None if got == expected else f"expected {expected!r}{at}, got {describe(got)}"

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
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        if np.allclose(g, exp, rtol=rtol, atol=atol, equal_nan=True):
            return None
        special = ~np.isfinite(exp) & ~((g == exp) | (np.isnan(g) & np.isnan(exp)))
        if special.any():
            kind = "NaN" if np.isnan(exp[special]).any() else "-inf" if (exp[special] < 0).all() else "inf"
            if exp.ndim == 0:
                return f"expected {kind}{at}, got {describe(got)}"
            return (f"wrong values{at}: expected {kind} at {int(special.sum())} of {exp.size} entries, "
                    f"got other values there")
        err = np.where(np.isfinite(exp), np.abs(g - exp), 0.0)
        abs_err = float(np.max(err))
        wrong = ~np.isclose(g, exp, rtol=rtol, atol=atol, equal_nan=True)
        nonzero = np.isfinite(exp) & (exp != 0) & wrong
        rel = err[nonzero] / np.abs(exp[nonzero])
        # the relative error of the WRONG entries: where they all expect 0 it does not exist
        rel_text = f"{float(np.max(rel)):.3g}" if rel.size else "n/a (the expected value is 0 there)"
    return f"wrong values{at}: max abs error {abs_err:.3g}, max rel error {rel_text}"


# ---------------------------------------------------------------------------------------------
# Showing values in messages
# ---------------------------------------------------------------------------------------------

SMALL_ARRAY = 30       # arrays with at most this many elements are shown whole (a 3 x 3 matrix, ...)


def short(value, limit: int = 160) -> str:
    """A compact text for reports that never cuts an array in the middle: a small array is shown
    whole, a larger one as its shape, dtype and a few values; tuples and lists element by element
    (cut between elements, with how many were left out, beyond `limit` characters)."""
    if isinstance(value, np.ndarray):
        return _array_text(value)
    if isinstance(value, np.generic):
        return repr(value.item())
    if isinstance(value, float):
        return repr(value) if len(repr(value)) <= 12 else f"{value:.6g}"
    if graph_nodes(Case("", (value,))) is not None:
        return graph_text(value)
    if isinstance(value, (tuple, list)):
        if isinstance(value, list) and len(value) > SMALL_ARRAY and all(_is_number(v) for v in value):
            return f"list of {len(value)} numbers: {_few(np.asarray(value, dtype=float))}"
        open_, close = ("(", ")") if isinstance(value, tuple) else ("[", "]")
        return open_ + _joined([short(v, limit) for v in value], limit) + close
    if isinstance(value, dict):
        return "{" + _joined([f"{k!r}: {short(v, limit)}" for k, v in value.items()], limit) + "}"
    if isinstance(value, types.FunctionType):      # e.g. a named test function of testfunctions.py
        return f"the function {value.__name__}"
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def graph_text(nodes: list) -> str:
    """A graph node by node, in its order: 'x = 2.5, w = -1.0, p = mul(x, w), L = square(p)' (an
    input shows its value, any other node its op applied to its parents' names)."""
    parts = []
    for node in nodes:
        name = short(node.get("name"), 30).strip("'")
        if node.get("op") == "input":
            parts.append(f"{name} = {short(node.get('value'), 30)}")
        else:
            parents = [short(nodes[j].get("name"), 30).strip("'")
                       if isinstance(j, int) and 0 <= j < len(nodes) else short(j, 30)
                       for j in (node.get("parents") or [])]
            parts.append(f"{name} = {short(node.get('op'), 30).strip(chr(39))}({', '.join(parents)})")
    return f"graph of {len(nodes)} nodes: " + ", ".join(parts)


def labels(exercise: Exercise, verdict) -> tuple[str, ...]:
    """The names to show a verdict's expected and returned values under: the exercise's output
    names, or one per node ("g(x)") when the answer has a value per node of the case's graph."""
    return output_names(exercise, verdict.expected, verdict.case) if graph_nodes(verdict.case) is not None \
        else tuple(exercise.outputs)


def named(values, names: tuple[str, ...], limit: int = 160) -> str:
    """'theta = [...], v = [...]' for a tuple whose elements have names, else short(values)."""
    if isinstance(values, (tuple, list, np.ndarray)) and names and len(names) == len(values) \
            and len(names) > 1:
        return ", ".join(f"{name} = {short(v, limit)}" for name, v in zip(names, values))
    return short(values, limit)


def inputs_text(exercise: Exercise, case: Case, limit: int = 100) -> str:
    """The case's inputs, named by the reference's parameters where they are known."""
    try:
        parameters = list(inspect.signature(exercise.reference).parameters)
    except (TypeError, ValueError):
        parameters = []
    parts = [f"{parameters[k]}={short(a, limit)}" if k < len(parameters) else short(a, limit)
             for k, a in enumerate(case.args)]
    parts += [f"{k}={short(v, limit)}" for k, v in case.kwargs.items()]
    return ", ".join(parts)


def _joined(parts: list[str], limit: int) -> str:
    shown, length = [], 0
    for k, part in enumerate(parts):
        if shown and length + len(part) > limit:
            return ", ".join(shown) + f", ... ({len(parts) - k} more)"
        shown.append(part)
        length += len(part) + 2
    return ", ".join(shown)


def _array_text(array: np.ndarray) -> str:
    if array.ndim == 0:
        return repr(array.item())
    if array.size <= SMALL_ARRAY and array.dtype.kind in "biufc":
        with np.printoptions(precision=6, linewidth=10_000):
            text = " ".join(np.array2string(array, separator=", ").split())
        return text if array.ndim == 1 else f"{text} (shape {array.shape})"
    dtype = array.dtype
    if dtype.kind not in "biufc" or array.size == 0:
        return f"array of shape {array.shape}, {dtype}"
    return f"array of shape {array.shape}, {dtype}: {_few(array.ravel())}"


def _few(flat: np.ndarray) -> str:
    """The first three and the last value of a flat array, and its min and max."""
    def fmt(x):
        return f"{x:.4g}" if isinstance(x, float) else repr(x)
    items = [fmt(x) for x in flat[:3].tolist()] + ["...", fmt(flat[-1].item())]
    if flat.dtype.kind in "fc" and not np.iscomplexobj(flat):
        with np.errstate(invalid="ignore"):
            return f"[{', '.join(items)}], min {np.nanmin(flat):.4g}, max {np.nanmax(flat):.4g}" \
                if np.isfinite(flat).any() else f"[{', '.join(items)}]"
    return f"[{', '.join(items)}]"
