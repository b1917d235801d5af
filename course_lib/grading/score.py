"""Score a student's answers in the grader's own process: cases, reference answers, verdicts.

    prepared = prepare(exercises.for_notebook("00_welcome"), seed=1234)
    result = score(prepared[0], run)          # run: what the sandbox brought back

The cases are drawn from a seed chosen at grading time; the expected values come from the
reference implementation and the verdict from `exercises.judging.judge`, the same judge `check`
uses. Points are all or nothing per exercise, as in the notebook's check: an exercise passes
when every case passes. Statuses:

    passed         every case right                        full points
    failed         a wrong answer (or the reference code was called)
    not_attempted  the function still raises NotImplementedError
    error          the function raised, or its process crashed
    timeout        the exercise (or the notebook) ran out of time
    missing        no such notebook, or no such function in it
    invalid        the notebook file could not be read

Feedback: the first failing case, every wrong output and the mistake it matches, the level-1
hint. Expected values (and the returned ones) are shown only for public cases (fixed inputs,
Exercise.is_public); for a random case the feedback names the case and what is wrong, so
resubmitting into the same seed does not reveal answers.
Printed output, warnings and stderr are never looked at.

Every text that reaches a report passes safe_text() once, where it enters the data the reports are
written from: a Result's fields here (also when read back from the cache), the students' names and
the skipped files in batch's Graded and Summary. The writers (CSV, HTML, JSON, terminal) then only
add their own escaping (formulas in CSV, markup in HTML).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, fields

from ..exercises import Case, Exercise
from ..exercises.core import (
    ERROR,
    FAILED,
    NOT_ATTEMPTED,
    NOT_ATTEMPTED_MESSAGE,
    PASSED,
    TIMEOUT,
    inputs_text,
    is_complex,
    labels,
    named,
)
from ..exercises.judging import judge
from .sandbox import ExerciseRun

MISSING, INVALID = "missing", "invalid"
STATUSES = (PASSED, FAILED, NOT_ATTEMPTED, ERROR, TIMEOUT, MISSING, INVALID)
HIDDEN = "(not shown for random cases: they change with each grading)"
# core.compare's error sizes: for a random case, "max abs error" and one resubmission into the same
# seed tell the expected value, so the feedback of a random case names the wrong output only
ERROR_SIZE = re.compile(r": max abs error [^,;]*, max rel error (?:n/a \(the expected value is 0\)|[^;]*)")

__all__ = ["PASSED", "FAILED", "NOT_ATTEMPTED", "ERROR", "TIMEOUT", "MISSING", "INVALID", "STATUSES",
           "NOT_ATTEMPTED_MESSAGE", "Prepared", "Result", "prepare", "not_graded", "zero", "score",
           "is_complex", "one_line"]


@dataclass
class Prepared:
    """The judge's side of one exercise: its cases for this seed and the reference answers."""

    exercise: Exercise
    cases: list[Case]
    expected: list
    broken: str = ""          # why the course's own reference could not answer a case (not graded)


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
    fingerprint: str = ""     # of the graded answer's normalised syntax tree (copies.py), for class.html

    def __post_init__(self):
        for name in TEXT_FIELDS:
            setattr(self, name, safe_text(getattr(self, name)))
        self.points, self.max_points = float(self.points), float(self.max_points)
        self.n_cases, self.n_passed = int(self.n_cases), int(self.n_passed)

    def to_dict(self) -> dict:
        return asdict(self)


TEXT_FIELDS = [f.name for f in fields(Result) if f.type == "str"]
# terminal escape sequences: CSI (colours, cursor), OSC (OSC 52 writes the clipboard), DCS/SOS/PM/APC,
# and the two-byte ones
TERMINAL_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]"
                              r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
                              r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[@-Z\\-_]")


def safe_text(text, exact: bool = False) -> str:
    """`text` made safe for every report (CSV, HTML, JSON, a terminal), once.

    A byte that was not UTF-8 (a file name's, kept by Python as a surrogate escape) becomes
    `\\xNN`, any other lone surrogate `\\uNNNN`; terminal escape sequences (ANSI CSI, OSC such as
    OSC 52, DCS...) are removed whole, tabs and line breaks become spaces, and the other control
    and format characters (category C: bell, ESC, bidi overrides...) are removed. With
    `exact=True` (students' names, which identify them) nothing is removed: every character that
    is not printable is written `\\uNNNN` and a backslash `\\\\`, so that two different names never
    read the same."""
    text = text if isinstance(text, str) else str(text)
    if text.isprintable() and not (exact and "\\" in text):
        return text
    if not exact:
        text = TERMINAL_ESCAPES.sub("", text)
    out = []
    for c in text:
        if c.isprintable():
            out.append("\\\\" if exact and c == "\\" else c)
        elif "\udc80" <= c <= "\udcff":
            out.append(f"\\x{ord(c) - 0xDC00:02x}")          # surrogateescape: the byte that was not UTF-8
        elif exact:
            out.append(f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}")
        elif c in "\t\n\r\v\f" or unicodedata.category(c)[0] == "Z":
            out.append(" ")
        elif unicodedata.category(c) == "Cs":
            out.append(f"\\u{ord(c):04x}")
    return "".join(out)


def prepare(exercises: list[Exercise], seed: int) -> list[Prepared]:
    """Draw every exercise's cases from `seed` and compute the reference answers. An exercise whose
    own cases or reference fail (a course bug, not a student's) is `broken`, with the exercise, the
    case and the seed named: its rows say so and the other exercises are graded."""
    return [_prepare_one(ex, seed) for ex in exercises]


def _prepare_one(ex: Exercise, seed: int) -> Prepared:
    case_name = "(drawing the cases)"
    try:
        cases, expected = ex.cases(seed), []
        for case in cases:
            case_name = f"case '{case.name}'"
            expected.append(ex.expected(case))
    except Exception as exc:  # noqa: BLE001 - the course's bug: this exercise's rows say so
        why = one_line(f"{type(exc).__name__}: {exc}", 300)
        return Prepared(ex, [], [], broken=f"the course's reference for {ex.id} failed on {case_name} of "
                                           f"seed {seed} ({why})")
    return Prepared(ex, cases, expected)


def not_graded(prepared: Prepared) -> Result:
    """The row of an exercise the course could not prepare: no points, and whose fault it is."""
    return zero(prepared.exercise, ERROR, f"not graded: {prepared.broken}. This is a fault of the course, "
                "not of your answer: the instructor has been told and will grade it again")


def zero(exercise: Exercise, status: str, message: str) -> Result:
    """A result with no points (missing, invalid, not attempted...)."""
    return Result(exercise.id, 0.0, float(exercise.points), status, one_line(message))


def score(prepared: Prepared, run: ExerciseRun, kind: str | None = None) -> Result:
    """The grade of one run's answers (judging.judge); `kind` is how the graded definition's body
    looks (core.definition_kind: "stub", "leftover", "code"), if known."""
    ex, cases = prepared.exercise, prepared.cases
    incomplete = ({"timeout": TIMEOUT, "invalid": INVALID}.get(run.outcome, ERROR),
                  run.message or "no answer came back for this case")
    verdict = judge(ex, cases, prepared.expected, run.results, kind=kind, course_lib=run.course_lib,
                    incomplete=incomplete)
    if verdict.status == PASSED:
        return Result(ex.id, float(ex.points), float(ex.points), PASSED, verdict.message,
                      verdict.n_cases, verdict.n_passed)
    if verdict.case is None:
        return Result(ex.id, 0.0, float(ex.points), verdict.status, one_line(verdict.message),
                      verdict.n_cases, verdict.n_passed)
    case = verdict.case
    public = ex.is_public(case)
    told = verdict.message if public else ERROR_SIZE.sub("", verdict.message)
    message = f"case '{case.name}': {told}"
    if verdict.status in (FAILED, ERROR) and run.outcome == "ran":
        message += f". Hint: {ex.hint_levels(1, verdict)[0]}"
    shown = verdict.compared and public
    inputs = inputs_text(ex, case, 120)
    names = labels(ex, verdict)
    expected = named(verdict.expected, names, 300) if shown else HIDDEN if verdict.compared else ""
    return Result(ex.id, 0.0, float(ex.points), verdict.status, one_line(message), verdict.n_cases,
                  verdict.n_passed, case=case.name, inputs=inputs, expected=expected,
                  got=named(verdict.got, names, 300) if shown else "")


def one_line(text: str, limit: int = 700) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
