"""Collecting what an exercise may not call: every function and class a course_lib module defines.

    forbidden=everything_in(schedules)      # each schedule class and each of the module's functions

A class stands for all the functions written in its body (grading/references.py expands it, so
`Adam(...).step` counts), and the grader's static check names it when a notebook imports it.
"""

import inspect


def everything_in(*modules) -> tuple:
    """Every class and function defined in the given modules (not imported into them), in order."""
    found = [obj for module in modules for obj in vars(module).values()
             if getattr(obj, "__module__", None) == module.__name__
             and (inspect.isfunction(obj) or inspect.isclass(obj))]
    return tuple(dict.fromkeys(found))
