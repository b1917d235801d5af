"""The one judge: a student's answers to an exercise's cases become a Verdict, with the
misconception the answer matches named (misconceptions.py's catalogue, the exercise's own mistakes).

`judge(exercise, cases, expected, answers)` is called by the in-notebook check() (checking.py) and
by the grader (grading/score.py) with answers in the same form, so both reach the same verdict.
The order of imports runs one way: core (what an exercise, a case and a verdict are) <-
misconceptions (the catalogue) <- judging (this module).
"""

from __future__ import annotations

import threading
import warnings

import numpy as np

from . import misconceptions
from .core import (
    ERROR,
    FAILED,
    LEFTOVER_MESSAGE,
    NOT_ATTEMPTED,
    NOT_ATTEMPTED_MESSAGE,
    PASSED,
    Case,
    Exercise,
    Mistake,
    Verdict,
    arguments,
    compare,
    wrong_outputs,
)


def judge(exercise: Exercise, cases: list[Case], expected: list, answers: list[dict], *,
          kind: str | None = None, course_lib: str | None = None,
          incomplete: tuple[str, str] = (ERROR, "no answer came back for this case")) -> Verdict:
    """The verdict on a function's answers to `cases` (whose reference answers are `expected`).

    answers     one dict per case answered, in order: {"value": v, "mutated": bool} or
                {"error": "ZeroDivisionError: ...", "not_implemented": bool}, each with an optional
                "course_lib": the reference code that case called (or None)
    kind        how the function's source looks (definition_kind): "stub" (the release stub),
                "leftover" (code plus a leftover top-level raise NotImplementedError), "code",
                or None if unknown (then NotImplementedError on the first case is "not attempted")
    course_lib  the reference code the function called, if known only for the whole run
    incomplete  (status, message) for a case with no answer (the run timed out or crashed)

    All or nothing: the first failing case decides, and every wrong output of it is listed.
    """
    n = len(cases)
    hit = course_lib or next((a.get("course_lib") for a in answers if a.get("course_lib")), None)
    if hit:
        return Verdict(exercise.id, FAILED, n, 0,
                       f"{exercise.function}() calls the course's reference code ({hit}); "
                       "that scores 0: write it yourself")
    n_passed = 0
    for index, case in enumerate(cases):
        def failing(status, reasons, index=index, case=case, n_passed=n_passed, **values):
            return Verdict(exercise.id, status, n, n_passed, "; ".join(reasons), case, index,
                           reasons=list(reasons), **values)

        if index >= len(answers):
            return failing(incomplete[0], [incomplete[1]])
        answer = answers[index]
        if "error" in answer:
            if answer.get("not_implemented"):
                if kind == "stub" or (kind is None and index == 0):
                    return Verdict(exercise.id, NOT_ATTEMPTED, n, 0, NOT_ATTEMPTED_MESSAGE)
                if kind == "leftover":
                    return failing(ERROR, [LEFTOVER_MESSAGE])
                return failing(ERROR, ["your function raised NotImplementedError on this case; it must "
                                       "answer every case"])
            verdict = failing(ERROR, [f"your function raised {answer['error']}"])
            with MISTAKES_LOCK:
                found = [(m.name, m.nudge)
                         for m in misconceptions.recognise_error(exercise, case, answer["error"])]
            if not found and index < len(expected) and misconceptions.width_from_data(answer["error"],
                                                                                     expected[index]):
                found = [(misconceptions.IDEAS["width_from_labels"].name,
                          misconceptions.IDEAS["width_from_labels"].nudge)]
            lost = None if found else (misconceptions.lost_axis(answer["error"])
                                       or misconceptions.singular(exercise, case, answer["error"]))
            if lost is not None:
                found = [(lost.name, lost.nudge)]
            return _named(verdict, found)
        got = answer["value"]
        reasons = wrong_outputs(exercise, case, expected[index], got)
        mutated = not reasons and answer.get("mutated")
        if mutated:
            slip = misconceptions.mutation_idea(exercise)
            reasons = [MUTATED_MESSAGES.get(slip.key, MUTATED_MESSAGES["in_place"])]
        if reasons:
            verdict = failing(FAILED, reasons, expected=expected[index], got=got, compared=True)
            found = [(slip.name, slip.nudge)] if mutated else \
                recognise(exercise, case, expected[index], got)
            where = ""
            if not found and not mutated:
                found, where = _named_later(exercise, cases, expected, answers, index)
            elif len({name for name, _ in found}) > 1 and not mutated:
                # several slips give this (edge) case's answer: keep those the random cases confirm
                later, _ = _named_later(exercise, cases, expected, answers, index)
                found = [pair for pair in found if pair in later] or found
            if not mutated and answer.get("mutated"):
                # wrong values AND an input changed in place: the change is a fact, and often the
                # cause (theta = theta0, then theta -= ...: every row of the path is the last one)
                slip = misconceptions.mutation_idea(exercise)
                found, where = [(slip.name, slip.nudge), *(p for p in found if p[0] != slip.name)], ""
            return _named(verdict, found, where)
        n_passed += 1
    note = ""
    if exercise.summary is not None:
        try:
            note = "; " + exercise.summary(cases, [a["value"] for a in answers[:n]])
        except Exception:  # noqa: BLE001 - a summary is a courtesy: it never changes the verdict
            note = ""
    return Verdict(exercise.id, PASSED, n, n_passed, f"passed all {n} cases{note}")


MUTATED_MESSAGES = {
    "in_place": "your function changed one of its input arrays in place; return a new array instead",
    "restore_exactly": "x is not exactly as it was after your function: put each nudged entry back to "
                       "its saved old value (adding and subtracting eps leaves round-off behind)",
}


LOOK_AHEAD = 3
"""When the first failing case names no misconception, the answers to the next LOOK_AHEAD RANDOM
cases are looked at too: an edge case can hide the pattern a random case shows, and an edge case is
degenerate by design (a constant array, sigma(40) = 1), so only random cases are trusted to name a
slip this way. check() runs that many random cases after the first wrong value, and the grader's
child runs every case, so both have them."""


def _named_later(exercise: Exercise, cases: list[Case], expected: list, answers: list[dict],
                 index: int) -> tuple[list[tuple[str, str]], str]:
    """The misconceptions named on EVERY wrong answer among the next LOOK_AHEAD random cases after
    `index` (at least two of them wrong): a slip that shows on every random case, not a coincidence
    of one draw, and so the same whatever the seed. Returns them and where: "on the random cases"."""
    seen, wrong, common = 0, 0, None
    for later in range(index + 1, min(len(answers), len(expected))):
        answer = answers[later]
        if "value" not in answer or answer.get("mutated") or seen == LOOK_AHEAD:
            break
        case = cases[later]
        if exercise.is_public(case):
            continue
        seen += 1
        if wrong_outputs(exercise, case, expected[later], answer["value"]):
            found = recognise(exercise, case, expected[later], answer["value"])
            common = found if common is None else [pair for pair in common if pair in found]
            if not common:
                return [], ""
            wrong += 1
    if common and wrong >= 2:
        return common, "on the random cases, "
    return [], ""


def _named(verdict: Verdict, found: list[tuple[str, str]], where: str = "") -> Verdict:
    """`verdict` with the misconceptions found ((name, nudge) pairs) named in its message (`where`:
    the later case they were found on, if not this one)."""
    names = list(dict.fromkeys(name for name, _ in found))
    if names:
        verdict.mistakes = names
        verdict.mistake = names[0]
        verdict.nudge = next(nudge for name, nudge in found if name == names[0])
        verdict.message += f"; {where}{mistake_sentence(names)}"
    return verdict



def mistake_sentence(names: list[str]) -> str:
    """'this is what epsilon outside the square root gives' (several: '..., or what B gives')."""
    return "this is what " + " gives, or what ".join(names) + " gives"


MISTAKES_LOCK = threading.RLock()
"""Held while mistakes run: a catalogue variant swaps a course_lib building block for its wrong
twin for the duration of one call (misconceptions.twin_variant), and the grader judges from
several threads."""


def recognise(exercise: Exercise, case: Case, expected, got) -> list[tuple[str, str]]:
    """(name, nudge) of the misconceptions that give `got` on `case`: the exercise's Mistakes and
    the catalogue's variants built from its reference first; if none matches, the catalogue's
    transforms of the expected answer (sign, 1/N, transpose, shape, old state...)."""
    built = () if exercise.check_seeds < 2 else (   # a training run per case: too slow to rerun
        *misconceptions.twin_mistakes(exercise), *misconceptions.default_variants(exercise, case))
    with MISTAKES_LOCK:     # the exercise's own mistakes first; the built variants only if none fits
        found = [(m.name, m.nudge) for m in
                 _matching(exercise, case, expected, got, exercise.mistakes)
                 or _matching(exercise, case, expected, got, built)]
    if not found:
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                found = [(i.name, i.nudge) for i in
                         misconceptions.recognise_shape_of_error(exercise, case, expected, got)]
        except Exception:  # noqa: BLE001 - an odd answer is simply not recognised
            found = []
    return found


def recognise_mistakes(exercise: Exercise, case: Case, expected, got) -> list[str]:
    """The names of the misconceptions that give `got` on `case` (see `recognise`)."""
    return list(dict.fromkeys(name for name, _ in recognise(exercise, case, expected, got)))


def _matching(exercise: Exercise, case: Case, expected, got, mistakes) -> list[Mistake]:
    """The Mistakes whose output on `case` is `got` (and differs from `expected`); if none, those
    that explain every wrong output of a tuple of named outputs (the student made the slip in theta
    but returned the right state, say): each wrong output equals the mistake's, which is wrong too."""
    found, partial = [], []
    for mistake in mistakes:
        try:
            args, kwargs = arguments(case)
            with np.errstate(all="ignore"):
                value = mistake.function(*args, **kwargs)
            if exercise.verdict(case, expected, value) is None:
                continue                        # on this case the mistake gives the right answer
            if compare(value, got, exercise.rtol, exercise.atol) is None:
                found.append(mistake)
            elif not found and _explains(exercise, expected, value, got):
                partial.append(mistake)
        except Exception:  # noqa: BLE001 - a mistake that cannot run on this case names nothing
            continue
    return found or partial


def _explains(exercise: Exercise, expected, value, got) -> bool:
    """True if every wrong output of `got` (a tuple of the exercise's named outputs) equals the
    same output of `value`, and that output of `value` is wrong too."""
    n = len(exercise.outputs)
    if n < 2 or not all(isinstance(v, (tuple, list)) and len(v) == n for v in (expected, value, got)):
        return False
    rtol, atol = exercise.rtol, exercise.atol
    wrong = [k for k in range(n) if compare(expected[k], got[k], rtol, atol) is not None]
    return bool(wrong) and all(compare(value[k], got[k], rtol, atol) is None
                               and compare(expected[k], value[k], rtol, atol) is not None for k in wrong)
