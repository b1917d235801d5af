"""The exercise registry: the one place that knows every graded exercise of the course.

One module per notebook (`nb00_welcome.py`, ...), each with `NOTEBOOK = "00_welcome"` and
`EXERCISES = [Exercise(...), ...]`. The in-notebook `check` and the grader both read it, and
both judge answers with `judge` (core.py): one verdict.
"""

from __future__ import annotations

import importlib
import pkgutil

from .core import Case, Exercise, Mistake, Verdict, compare, describe, short
from .judging import judge

__all__ = ["Case", "Exercise", "Mistake", "Verdict", "compare", "describe", "judge", "short", "get",
           "all_exercises", "for_notebook", "notebooks"]

_REGISTRY: dict[str, Exercise] | None = None


def _load() -> dict[str, Exercise]:
    global _REGISTRY
    if _REGISTRY is None:
        registry: dict[str, Exercise] = {}
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
            if not info.name.startswith("nb"):
                continue
            module = importlib.import_module(f"{__name__}.{info.name}")
            for ex in module.EXERCISES:
                if ex.notebook != module.NOTEBOOK:
                    raise ValueError(f"exercise {ex.id!r} in {info.name} names notebook "
                                     f"{ex.notebook!r}, expected {module.NOTEBOOK!r}")
                if ex.id in registry:
                    raise ValueError(f"exercise id {ex.id!r} is defined twice")
                registry[ex.id] = ex
        _REGISTRY = registry
    return _REGISTRY


def get(exercise_id: str) -> Exercise:
    """The exercise with this id; a KeyError lists the known ids."""
    registry = _load()
    if exercise_id not in registry:
        raise KeyError(f"no exercise {exercise_id!r}; known: {', '.join(sorted(registry))}")
    return registry[exercise_id]


def all_exercises() -> list[Exercise]:
    """Every exercise, ordered by notebook then by definition order."""
    return sorted(_load().values(), key=lambda ex: ex.notebook)


def for_notebook(notebook: str) -> list[Exercise]:
    """The exercises of one notebook ("05_backpropagation"), in definition order."""
    return [ex for ex in _load().values() if ex.notebook == notebook]


def notebooks() -> list[str]:
    """The notebooks that have graded exercises."""
    return sorted({ex.notebook for ex in _load().values()})
