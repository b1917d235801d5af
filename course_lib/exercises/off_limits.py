"""Collecting what an exercise may not call: every function and class a course_lib module defines.

    forbidden=everything_in(schedules)      # each schedule class, its methods, the module's functions

The reference watch (grading/references.py) compares code objects, so a class is listed with
the functions defined in its body (methods, property getters); the class itself is listed too,
so that the grader's static check names it when a notebook imports it.
"""

import inspect


def everything_in(*modules) -> tuple:
    """Every class (with its methods) and function defined in the given modules, in order."""
    found = []
    for module in modules:
        for obj in vars(module).values():
            if getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj):
                found.append(obj)
            elif inspect.isclass(obj):
                found += [obj, *methods_of(obj)]
    return tuple(dict.fromkeys(found))


def methods_of(cls) -> list:
    """The functions written in the body of `cls` (methods, static/class methods, property
    getters); generated ones (a dataclass's __init__) are left out."""
    source = inspect.getsourcefile(cls)
    out = []
    for obj in vars(cls).values():
        function = getattr(obj, "fget", None) or getattr(obj, "__func__", obj)
        if inspect.isfunction(function) and function.__code__.co_filename == source:
            out.append(function)
    return out
