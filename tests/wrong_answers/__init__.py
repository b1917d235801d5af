"""A held-out class of wrong answers, written as students slip, for measuring the feedback.

Written on 2026-12-06 BEFORE reading the registry's `mistakes=` lists (only the exercises'
references, docstrings and case names were read), so the naming rate measured on them is an
honest estimate of how often a wrong answer nobody anticipated gets a named misconception.
Each module registers its functions with `@wrong("exercise_id")`; the function's name says the
slip in the author's words, not in the registry's. Do not add a function here because the
registry names it: add new slips only as a student would write them.
"""

from __future__ import annotations

import importlib
import pkgutil

WRONG: list[tuple[str, object]] = []
LATER: list[tuple[str, object]] = []
THIRD: list[tuple[str, object]] = []
FOURTH: list[tuple[str, object]] = []
FIFTH: list[tuple[str, object]] = []
SIXTH: list[tuple[str, object]] = []
SEVENTH: list[tuple[str, object]] = []


def wrong(exercise_id: str):
    def register(function):
        WRONG.append((exercise_id, function))
        return function
    return register


def later(exercise_id: str):
    """Registers a wrong answer of the second class (second_class.py), written after the catalogue."""
    def register(function):
        LATER.append((exercise_id, function))
        return function
    return register


def third(exercise_id: str):
    """Registers a wrong answer of the third class (third_class.py), written after every change."""
    def register(function):
        THIRD.append((exercise_id, function))
        return function
    return register


def fourth(exercise_id: str):
    """Registers a wrong answer of the fourth class (fourth_class.py), written by someone who never
    read the registry or the catalogue; the catalogue's generic transforms were tuned on it."""
    def register(function):
        FOURTH.append((exercise_id, function))
        return function
    return register


def fifth(exercise_id: str):
    """Registers a wrong answer of the fifth class (fifth_class.py), written like the fourth and
    never used to tune anything: the out-of-sample figure."""
    def register(function):
        FIFTH.append((exercise_id, function))
        return function
    return register


def sixth(exercise_id: str):
    """Registers a wrong answer of the sixth class (sixth_class.py), written like the fourth, after
    the generic ideas the fourth suggested; the catalogue was tuned on it in turn."""
    def register(function):
        SIXTH.append((exercise_id, function))
        return function
    return register


def seventh(exercise_id: str):
    """Registers a wrong answer of the seventh class (seventh_class.py), written after every change
    of this round and never used to tune anything: the final out-of-sample figure."""
    def register(function):
        SEVENTH.append((exercise_id, function))
        return function
    return register


def seventh_class() -> list[tuple[str, object]]:
    """(exercise id, function) for every wrong answer of the seventh class."""
    _load()
    return list(SEVENTH)


def sixth_class() -> list[tuple[str, object]]:
    """(exercise id, function) for every wrong answer of the sixth class."""
    _load()
    return list(SIXTH)


def fourth_class() -> list[tuple[str, object]]:
    """(exercise id, function) for every wrong answer of the fourth class."""
    _load()
    return list(FOURTH)


def fifth_class() -> list[tuple[str, object]]:
    """(exercise id, function) for every wrong answer of the fifth class."""
    _load()
    return list(FIFTH)


def third_class() -> list[tuple[str, object]]:
    """(exercise id, function) for every wrong answer of the third class."""
    _load()
    return list(THIRD)


def _load():
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


def all_wrong() -> list[tuple[str, object]]:
    """(exercise id, function) for every wrong answer of the first class."""
    _load()
    return list(WRONG)


def second_class() -> list[tuple[str, object]]:
    """(exercise id, function) for every wrong answer of the second class."""
    _load()
    return list(LATER)
