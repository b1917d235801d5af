"""Hints never contain code, and every listed mistake is recognised by name.

A hint names the idea or narrows it down in words; it never states the code (issue 12): no
assignment, no numpy call, no code-like expression such as `beta * v - alpha * g`. Each hint is
read two ways: with regular expressions for the unmistakable signs (np., axis=, .T, x[0], **), and
with Python's own parser on every run of words that could be code, flagging what only code has
(assignments, calls of numpy-like functions, attribute access, indexing, products of names).
"""

from __future__ import annotations

import ast
import re

import numpy as np
import pytest

from course_lib import exercises
from course_lib.checking import evaluate
from course_lib.exercises.core import arguments

CODE_PATTERNS = {
    "a numpy call": re.compile(r"\b(np|numpy)\s*\.\s*\w"),
    "an assignment": re.compile(r"(?<![=<>!+\-*/])\b[A-Za-z_]\w*(\[[^\]]*\])?\s*(\+|-|\*|/)?=(?!=)\s*\S"),
    "a keyword argument": re.compile(r"\b(axis|keepdims|dtype|ddof|out)\s*="),
    "an attribute": re.compile(r"\b[A-Za-z_]\w*\.(T|shape|ndim|size|dtype|sum|mean|max|min|copy|reshape"
                               r"|astype|append|dot)\b"),
    "indexing": re.compile(r"\b[A-Za-z_]\w*\[[^\]\s]*[\w:][^\]]*\]"),
    "a power operator": re.compile(r"\*\*"),
    "a matrix product": re.compile(r"\w\s*@\s*\w"),
    "a return statement": re.compile(r"\breturn\s*\(\s*\w+\s*,"),
    "a definition": re.compile(r"\bdef\s+\w+\s*\(|\blambda(\s+\w+(\s*,\s*\w+)*)?\s*:|\bimport\s+\w"),
}

# Calls that read as code, not as mathematical notation.
CODE_FUNCTIONS = {"sqrt", "exp", "log", "sum", "mean", "max", "min", "maximum", "minimum", "abs", "arange",
                  "zeros", "ones", "zeros_like", "ones_like", "dot", "where", "clip", "reshape", "argmax",
                  "len", "range", "float", "int", "array", "asarray", "outer", "eye", "full", "var",
                  "pinv", "solve", "lstsq", "cos", "sin", "round", "isnan", "allclose", "copy"}
PRODUCTS = (ast.Mult, ast.Pow, ast.MatMult, ast.FloorDiv)
# Naming a course_lib building block ("or use nn.softmax") is a pointer, not code; calling it is code.
COURSE_MODULES = {"nn", "optimizers", "schedules", "data", "training", "graph", "gradcheck", "estimators",
                  "generalization", "landscapes", "quadratics", "course_lib"}
WORD = re.compile(r"\*\*|[A-Za-z_]\w*|\d+(?:\.\d+)?(?:e-?\d+)?|[-+*/@=<>!%.,()\[\]^:]")


def code_in(hint: str) -> str | None:
    """What in `hint` is code, or None."""
    for what, pattern in CODE_PATTERNS.items():
        found = pattern.search(hint)
        if found:
            return f"{what}: {found.group(0)!r}"
    tokens = list(WORD.finditer(hint))
    for i in range(len(tokens)):
        for j in range(i + 1, min(len(tokens), i + 16) + 1):
            text = hint[tokens[i].start(): tokens[j - 1].end()]
            try:
                tree = ast.parse(text)
            except (SyntaxError, ValueError):
                continue
            why = code_node(tree, text)
            if why:
                return f"{why}: {text!r}"
    return None


def code_node(tree: ast.AST, text: str) -> str | None:
    """What in a parsed run of words only code has, or None (prose and math notation pass)."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.NamedExpr)):
            return "an assignment"
        if isinstance(node, (ast.FunctionDef, ast.Lambda, ast.Import, ast.ImportFrom)):
            return "a definition"
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in CODE_FUNCTIONS or node.keywords or isinstance(func, ast.Attribute):
                return "a call"
        if isinstance(node, ast.Attribute):
            segment = ast.get_source_segment(text, node) or ""
            pointer = isinstance(node.value, ast.Name) and node.value.id in COURSE_MODULES
            if re.search(r"\w\.[A-Za-z_]", segment) and not re.fullmatch(r"(e\.g|i\.e)\w*", segment) \
                    and not pointer:
                return "an attribute"
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            return "indexing"
        if isinstance(node, ast.BinOp) and isinstance(node.op, PRODUCTS):
            if any(isinstance(n, ast.Name) for n in ast.walk(node)):
                return "a product of names"
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
            return "a return statement"
    return None


CODE_HINTS = [
    "First v = beta * v - alpha * g (minus!), then theta = theta + v.",
    "theta - alpha / np.sqrt(r_hat + eps) * s_hat",
    "Increment t FIRST, update s and r, then return (theta, s, r, t).",
    "dW = X.T @ dZ and db sums dZ over the batch.",
    "Sum over the batch with axis=0.",
    "w_i is (1 - beta) * beta**(t - i) for i from 1 to t.",
    "Use np.arange(1, t + 1): oldest first.",
    "the velocity is beta * v - alpha * g",
    "the mask is dh[z > 0]",
    "divide by sqrt(r + eps)",
    "t += 1 first",
    "lambda x: x * 2",
    "the loss is nn.softmax(o) minus the one-hot",
    "take X.T first",
]
PROSE_HINTS = [
    "The velocity must be updated before theta moves.",
    "Epsilon goes inside the square root, next to r.",
    "The bias correction uses the new step count t, e.g. the first step is t = 1 after the increment.",
    "db sums over the batch; it does not average. Look at the shapes of dW and W.",
    "Which output is wrong? Compare s and r with the lecture's moving averages (1 - beta_1 weighs g).",
    "The loss is a mean over the batch: divide by N. Input and output have the same shape.",
    "On one eigen-direction the gradient is lambda times the distance x to the minimum.",
    "Large logits overflow the exponential: subtract each row's largest logit first, or use nn.softmax.",
]


@pytest.mark.parametrize("hint", CODE_HINTS)
def test_the_detector_finds_code(hint):
    assert code_in(hint), hint


@pytest.mark.parametrize("hint", [h for h in PROSE_HINTS if "t = 1" not in h])
def test_the_detector_lets_prose_pass(hint):
    assert code_in(hint) is None, code_in(hint)


def test_an_assignment_in_prose_is_still_an_assignment():
    assert code_in(PROSE_HINTS[2]) and "assignment" in code_in(PROSE_HINTS[2])


def all_hints():
    return [(ex.id, level, text) for ex in exercises.all_exercises()
            for level, text in enumerate(ex.hints, start=1)]


@pytest.mark.parametrize("exercise_id, level, hint", all_hints(),
                         ids=[f"{i}-{level}" for i, level, _ in all_hints()])
def test_no_hint_contains_code(exercise_id, level, hint):
    assert code_in(hint) is None, f"hint {level} of {exercise_id} contains {code_in(hint)}"


# --- mistakes ----------------------------------------------------------------------------------

def mistakes():
    return [(ex.id, m) for ex in exercises.all_exercises() for m in ex.mistakes]


def test_there_are_hints_and_mistakes_to_check():
    """The parametrized tests of this file vanish, not fail, on an empty registry."""
    assert len(exercises.all_exercises()) >= 36
    assert len(all_hints()) >= 2 * len(exercises.all_exercises())
    assert len(mistakes()) >= 2 * len(exercises.all_exercises())


def test_every_mistake_has_a_name_that_completes_the_sentence():
    for exercise_id, mistake in mistakes():
        name = mistake.name
        assert name and not name.endswith(".") and not name.lower().startswith(("this is", "what ")) \
            and "\n" not in name and len(name) < 120, (exercise_id, name)


@pytest.mark.parametrize("exercise_id, mistake", mistakes(),
                         ids=[f"{i}-{m.name}" for i, m in mistakes()])
def test_every_mistake_fails_check_and_is_named(exercise_id, mistake):
    outcome = evaluate(exercise_id, mistake.function, watch_references=False)
    assert outcome.status in ("failed", "error"), (exercise_id, mistake.name, outcome.status)
    ex = exercises.get(exercise_id)
    named_somewhere = mistake.name in outcome.mistakes or any(
        named_on(ex, case, mistake) for case in ex.check_cases())
    assert named_somewhere, f"{mistake.name!r} of {exercise_id} is never recognised by name"


def named_on(ex, case, mistake) -> bool:
    """True if the judge names `mistake` when a student returns exactly its output on `case`."""
    from course_lib.exercises.judging import judge

    try:
        args, kwargs = arguments(case)
        with np.errstate(all="ignore"):
            got = mistake.function(*args, **kwargs)
    except Exception:  # noqa: BLE001 - a mistake that cannot run on this case names nothing
        return False
    verdict = judge(ex, [case], [ex.expected(case)], [{"value": got, "mutated": False}])
    return verdict.status == "failed" and mistake.name in verdict.mistakes


def test_a_recognised_mistake_is_named_in_the_report(capsys, monkeypatch):
    """Whatever the registry holds: a mistake added to `mse` is named by check()."""
    from course_lib.checking import check
    from course_lib.exercises import Mistake

    def half(o, y):
        return 0.5 * float(np.mean((np.asarray(o) - np.asarray(y)) ** 2))

    ex = exercises.get("mse")
    monkeypatch.setattr(ex, "mistakes", (Mistake("the 1/2 factor of some textbooks", half), *ex.mistakes))
    check("mse", half)
    assert "this is what the 1/2 factor of some textbooks gives" in capsys.readouterr().out


def check_seeds_for(ex) -> tuple:
    """Seeds to try: three for a normal exercise (check() draws several more from each), one for a
    slow one such as the capstone's training run."""
    return (0, 7, 13) if ex.check_seeds > 1 else (0,)


@pytest.mark.parametrize("exercise_id", [ex.id for ex in exercises.all_exercises()])
def test_every_exercise_teaches_in_levels_and_catches_its_mistakes(exercise_id):
    """The registry's contract for every exercise of the course, in one place: at least two hint
    levels, outputs named as the exercise calls them, at least two named mistakes; the reference
    passes its own check and every mistake fails it, at every seed tried."""
    ex = exercises.get(exercise_id)
    assert len(ex.hints) >= 2, f"{exercise_id} needs at least two levels of hints"
    assert ex.outputs, f"{exercise_id} does not name its outputs"
    assert len(ex.mistakes) >= 2, f"{exercise_id} lists fewer than two common mistakes"
    for seed in check_seeds_for(ex):
        outcome = evaluate(exercise_id, ex.reference, seed=seed, watch_references=False)
        assert outcome.passed, (exercise_id, seed, outcome.message)
        for mistake in ex.mistakes:
            status = evaluate(exercise_id, mistake.function, seed=seed, watch_references=False).status
            assert status in ("failed", "error"), (exercise_id, mistake.name, seed, status)


# --- hints follow the diagnosis (issue 21, item 2) --------------------------------------------------

def all_nudges():
    """Every nudge a check can show: each registered mistake's, each catalogued idea's (its fields
    filled in as the exercises fill them), and those of the variants built from the references."""
    from course_lib.exercises import misconceptions

    found = [(f"{ex.id}: {m.name}", m.nudge) for ex in exercises.all_exercises() for m in ex.mistakes]
    fields = {"state": "r", "n": 5, "upstream": "dh", "what": "db", "a": "theta", "b": "v",
              "got": "shape (1, 2)", "expected": "shape (2,)", "direction": "too large", "param": "eps",
              "default": "1e-06", "base": 2, "cause": "a division by zero", "offset": "+0.5",
              "wrong": 4, "right": 5, "how": "mean", "small": "(4,)", "large": "(4, 6)",
              "order": "dW1, db1, dW2, db2"}
    found += [(f"idea {key}", misconceptions.idea(key, **fields).nudge) for key in misconceptions.IDEAS]
    for ex in exercises.all_exercises():
        found += [(f"{ex.id}: {m.name}", m.nudge) for m in misconceptions.twin_mistakes(ex)]
        for case in ex.cases(0)[:3]:
            found += [(f"{ex.id}: {m.name}", m.nudge) for m in misconceptions.default_variants(ex, case)]
    return found


@pytest.mark.parametrize("label, nudge", all_nudges(), ids=[label for label, _ in all_nudges()])
def test_no_nudge_contains_code(label, nudge):
    assert nudge and code_in(nudge) is None, f"the nudge of {label} contains {code_in(nudge)}"


def test_the_detector_reads_the_nudges():
    """The nudges are checked by the same detector: a nudge with code in it is caught."""
    assert code_in("Move epsilon: divide by sqrt(r) + eps instead.")
    assert len(all_nudges()) > len(mistakes())


@pytest.mark.parametrize("exercise_id, mistake", mistakes(), ids=[f"{i}-{m.name}" for i, m in mistakes()])
def test_a_named_mistake_makes_hint_1_its_nudge(exercise_id, mistake):
    """When the check names a mistake, hint 1 is the nudge of the first one named (its own, unless a
    synonym listed earlier gives the same answer), and the exercise's ladder follows."""
    from course_lib.exercises.judging import judge

    ex = exercises.get(exercise_id)
    named = False
    for case in ex.check_cases():
        try:
            args, kwargs = arguments(case)
            with np.errstate(all="ignore"):
                got = mistake.function(*args, **kwargs)
        except Exception:  # noqa: BLE001 - this mistake raises on this case
            continue
        verdict = judge(ex, [case], [ex.expected(case)], [{"value": got, "mutated": False}])
        if verdict.status != "failed" or not verdict.mistakes:
            continue
        by_name = {m.name: m.nudge for m in ex.mistakes}
        hints = ex.hint_levels(len(ex.hints) + 1, verdict)
        assert hints[0] == verdict.nudge and hints[1:] == list(ex.hints)
        if verdict.mistakes[0] in by_name:
            assert verdict.nudge == by_name[verdict.mistakes[0]]
        if mistake.name in verdict.mistakes:
            named = True
            if verdict.mistakes[0] == mistake.name:     # else a synonym listed earlier comes first
                assert hints[0] == mistake.nudge
            break
    assert named, f"{mistake.name!r} of {exercise_id} is never named"


def test_the_issues_examples_get_a_hint_about_their_mistake():
    """backpropagation's fork mistake -> hint 1 about forks; adam_step's epsilon outside the root
    -> hint 1 about epsilon (issue 21)."""
    fork = next(m for m in exercises.get("backpropagation").mistakes if "fork" in m.name)
    outcome = evaluate("backpropagation", fork.function, watch_references=False)
    assert "fork" in exercises.get("backpropagation").hint_levels(1, outcome)[0]
    eps = next(m for m in exercises.get("adam_step").mistakes if "epsilon" in m.name)
    outcome = evaluate("adam_step", eps.function, watch_references=False)
    assert outcome.mistake == "epsilon outside the square root"
    assert "epsilon belongs INSIDE the square root" in exercises.get("adam_step").hint_levels(1, outcome)[0]


def test_the_grader_gives_the_nudge_as_its_hint():
    from test_one_verdict import graded

    def eps_outside(theta, r, g, alpha, beta, eps):
        r = beta * r + (1 - beta) * g * g
        return theta - alpha * g / (np.sqrt(r) + eps), r

    result = graded("rmsprop_step", eps_outside, 1000)
    assert "Hint: epsilon belongs INSIDE the square root" in result.message


def test_an_unnamed_failure_gets_the_ladder():
    ex = exercises.get("mse")
    outcome = evaluate("mse", lambda o, y: 0.123)
    assert not outcome.mistakes and ex.hint_levels(1, outcome) == [ex.hints[0]]
