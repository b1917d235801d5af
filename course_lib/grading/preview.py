"""What the grader would reject in a graded function, read from its code without running it.

    grading_preview(train_network)         # prints whether the grader can run it as it is
    grading_problems(function) -> [str]    # the same, as sentences

check() in the notebook runs the function in the student's kernel, where every cell has run, so
it cannot see that the function reads another cell's variables; the grader runs it in a fresh
process with only the notebook's top-level imports, defs and constants. This preview reads the
function's bytecode (and that of the notebook functions it calls) for such reads and for calls
the grader scores 0. Used by 11_capstone_digits.
"""

from __future__ import annotations

import dis
import sys
import types

from .references import is_forbidden

# ---------------------------------------------------------------------------------------------
# the graded run: what the grader sees that check() in the notebook does not

# Helpers of course_lib.yours and the capstone explorer that run the student's functions through
# checking.implementation: handy in the notebook, but inside a graded function the grader counts
# that as calling the course's checking code (score 0). schedule_for_run, steps_per_epoch and
# GOOD_LEARNING_RATES are fine.
KERNEL_ONLY = ("your_mlp", "your_optimizer", "your_update", "your_updates", "compare_optimizers",
               "CapstoneExplorer", "load_your_functions", "whose")
KERNEL_MODULES = ("course_lib.yours", "course_lib.explorers.capstone")


def _global_names(code: types.CodeType) -> set[str]:
    """The global names a function's code (and the code of functions nested in it) reads."""
    names = {ins.argval for ins in dis.get_instructions(code) if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _is_literal(value) -> bool:
    """A number, string, bool or None, or a list/tuple/dict/set of them (what `N = 10` binds)."""
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
        return True
    if isinstance(value, (list, tuple, set, frozenset)):
        return all(_is_literal(v) for v in value)
    if isinstance(value, dict):
        return all(_is_literal(k) and _is_literal(v) for k, v in value.items())
    return False


def _imported(value, namespace: dict) -> bool:
    """True if `value` is a module-level object of a module the namespace imports from (not of
    the namespace's own module: in a notebook that is __main__, where every cell's variables live)."""
    modules = {getattr(v, "__module__", None) for v in namespace.values()}
    modules |= {v.__name__ for v in namespace.values() if isinstance(v, types.ModuleType)}
    for name in modules:
        module = sys.modules.get(name) if isinstance(name, str) else None
        if module is None or vars(module) is namespace:    # the notebook's own namespace
            continue
        if any(v is value for v in vars(module).values()):
            return True
    return False


def grading_problems(function, notebook: str = "11_capstone_digits") -> list[str]:
    """What the grader would reject in `function` (and the notebook functions it calls), read from
    its code without running it. check() in the notebook catches forbidden calls too, but it runs
    the function in this kernel, where every cell has run, so it cannot see reads of other cells'
    variables.

    The grader runs only the notebook's imports, defs, classes and the top-level assignments the
    functions need, in a fresh process, and scores 0 a function that calls forbidden course code.
    Reported, one sentence each:
      * load_digits (the hidden test digits come from it) or a reference of this notebook;
      * the helpers in KERNEL_ONLY (your_mlp, your_optimizer, ...), which go through the check
        machinery of this kernel;
      * a global variable computed by another cell (X_val, data, trainer, ...): in the grader it
        does not exist.
    Returns [] when none of these is found (the grader's own check at run time is stricter).
    """
    from ..data import load_digits
    from ..exercises import for_notebook

    exercises_here = for_notebook(notebook)
    problems, seen, todo = [], set(), [function]
    while todo:
        current = todo.pop()
        namespace = current.__globals__
        for name in sorted(_global_names(current.__code__)):
            if name in seen or name not in namespace:
                continue                               # builtins (len, range) are fine
            seen.add(name)
            value = namespace[name]
            if value is load_digits:
                problems.append(f"it calls {name}(), which loads the digits the grader tests on: "
                                "forbidden, this exercise scores 0; train only on X_train, y_train")
            elif is_forbidden(value, exercises_here):
                problems.append(f"it uses {name}, the course's reference or checking code: scores 0")
            elif (getattr(value, "__module__", None) in KERNEL_MODULES
                  and getattr(value, "__name__", "") in KERNEL_ONLY):
                problems.append(f"it uses {name} from course_lib.yours, which runs your functions through "
                                "check(); the grader counts that as calling the course's checking code "
                                "(scores 0): use MLP, an optimizer from course_lib.optimizers and train")
            elif isinstance(value, types.FunctionType) and value.__module__ == function.__module__:
                todo.append(value)                     # a helper defined in the notebook: read it too
            elif isinstance(value, (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType)):
                continue
            elif _is_literal(value) or _imported(value, namespace):
                continue
            else:
                problems.append(f"it reads {name} (a {type(value).__name__}), computed by another "
                                "cell; the grader runs your functions in a fresh process, where "
                                f"{name} may not exist or hold something else: use only the arguments")
    return problems


def grading_preview(function, notebook: str = "11_capstone_digits") -> None:
    """Print whether the grader can run `function` as it is (the problems of grading_problems)."""
    name = getattr(function, "__name__", "the function")
    if "NotImplementedError" in _global_names(function.__code__):
        print(f"\u23f3 {name}: not attempted yet (it still raises NotImplementedError).")
        return
    problems = grading_problems(function, notebook)
    if not problems:
        print(f"\u2705 {name}: the grader can run it as it is: it uses only its arguments and what "
              "this notebook imports or defines at the top level.")
    else:
        print(f"\u274c {name}: the grader would score this 0 or fail it, even if check() passed:")
        for problem in problems:
            print(f"   - {problem}")
