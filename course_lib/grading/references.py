"""What counts as calling the course's reference code from an exercise.

An exercise may use numpy, its own notebook's functions and course_lib's building blocks
(`nn.softmax` in a backward pass is fine). It may not use:
  * the reference implementation of any exercise of the notebook being graded, or a function
    an exercise lists as `forbidden` (the capstone may not load the digits it is tested on), and
  * anything from the exercise registry, the check or the grader (course_lib.exercises,
    course_lib.checking, course_lib.grading), where references and answers live.

find.py checks this statically in the grader (names imported from course_lib and resolved here);
child.py checks it while the function runs (a profile hook compares every called code object
with `forbidden_code`), which also catches getattr/importlib/exec tricks.
"""

from __future__ import annotations

import functools
import importlib
import os
import types

from ..exercises import Exercise

FORBIDDEN_MODULES = ("course_lib.exercises", "course_lib.checking", "course_lib.grading")
COURSE_LIB = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def reference_functions(exercises: list[Exercise]) -> list[types.FunctionType]:
    """The Python functions behind the exercises' references and their `forbidden` entries
    (unwrapping partials and decorators; for a class, every method, property and static or
    class method defined in the class itself, not its bases, so `Adam(...).step` counts and a
    base class shared with allowed classes does not)."""
    out = []
    for entry in [f for ex in exercises for f in (ex.reference, *ex.forbidden)]:
        members = [entry]
        if isinstance(entry, type):
            members = list(vars(entry).values())
        for function in members:
            if isinstance(function, (staticmethod, classmethod)):
                function = function.__func__
            elif isinstance(function, property):
                out += [f for f in (function.fget, function.fset) if isinstance(f, types.FunctionType)]
                continue
            while isinstance(function, functools.partial) or hasattr(function, "__wrapped__"):
                function = function.func if isinstance(function, functools.partial) else function.__wrapped__
            if isinstance(function, types.FunctionType):
                out.append(function)
    return out


def forbidden_code(exercises: list[Exercise]) -> dict:
    """For the child: the references' code (file, first line) and the forbidden source folders."""
    codes = [f.__code__ for f in reference_functions(exercises)]
    return {
        "course_lib": COURSE_LIB + os.sep,        # the watch names files relative to it
        "codes": [[code.co_filename, code.co_firstlineno] for code in codes],
        "prefixes": [os.path.join(COURSE_LIB, "exercises") + os.sep, os.path.join(COURSE_LIB, "checking.py"),
                     os.path.join(COURSE_LIB, "grading") + os.sep],
    }


def _forbidden_objects(exercises: list[Exercise]) -> tuple[set[int], set[int]]:
    """(ids of the reference functions and entries, ids of their code objects), computed once per
    list of registry exercises (they live as long as the process, so their ids stay theirs)."""
    key = tuple(id(ex) for ex in exercises)
    if key not in _FORBIDDEN_CACHE:
        functions = reference_functions(exercises)
        entries = [f for ex in exercises for f in (ex.reference, *ex.forbidden)]
        objects = {id(f) for f in functions} | {id(f) for f in entries}
        _FORBIDDEN_CACHE[key] = (objects, {id(f.__code__) for f in functions}, (list(exercises), functions))
    objects, codes, _kept = _FORBIDDEN_CACHE[key]
    return objects, codes


_FORBIDDEN_CACHE: dict[tuple, tuple] = {}


def is_forbidden(obj, exercises: list[Exercise]) -> bool:
    """True for a reference function, or any module/function of the registry, check or grader."""
    if isinstance(obj, types.ModuleType):
        return obj.__name__.startswith(FORBIDDEN_MODULES)
    objects, codes = _forbidden_objects(exercises)
    if id(obj) in objects or id(getattr(obj, "__code__", None)) in codes:
        return True
    return str(getattr(obj, "__module__", "")).startswith(FORBIDDEN_MODULES)


def resolve(module: str, attributes: list[str]):
    """The object `module.attr1.attr2...` (importing course_lib modules as needed), or None."""
    if not module.startswith("course_lib"):
        return None
    try:
        obj = importlib.import_module(module)
    except Exception:  # a name that does not exist (or fails to import) is not a reference
        return None
    for name in attributes:
        if hasattr(obj, name):
            obj = getattr(obj, name)
        elif isinstance(obj, types.ModuleType):
            try:
                obj = importlib.import_module(f"{obj.__name__}.{name}")
            except Exception:
                return None
        else:
            return None
    return obj
