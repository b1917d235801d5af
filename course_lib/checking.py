"""check(): run a student's function on an exercise's cases and print a friendly report.

    from course_lib.checking import check
    check("mse", mse)              # the report, with the level-1 hint if it fails
    check("mse", mse, hint=2)      # more help: hints up to level 2

runs the exercise's fixed cases and the random cases of several seeds, and prints either
"passed" or the first failing case: its inputs, the expected and the returned values (outputs
named as in the exercise: theta, v, s, ...), every wrong output, the misconception the answer
matches ("this is what epsilon outside the square root gives"), and a hint. A function that still
raises NotImplementedError is "not attempted yet"; a wrong shape, a NaN or an exception inside
the student's code is reported as such. `check` itself never raises, so a student notebook runs
top to bottom whatever state its exercises are in.

One verdict: each case is run by the grader's case runner (grading/runner.py, which the sandbox's
child runs too: the inputs and the answer through the grader's wire format, in-place changes, the
time limit) and judged by `exercises.judging.judge`, the grader's own judge; in a notebook, the
function is also judged with the globals the grader would give it (kernel.grader_problems). So a
check that passes means full points. A function whose cell was edited after it ran is named once
(kernel.stale_note).

A function that passes is remembered: `implementation("mse")` then returns the student's
function, so explorers can run the student's own code.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import exercises, kernel
from .exercises.core import (
    ERROR,
    FAILED,
    NOT_ATTEMPTED,
    PASSED,
    TIMEOUT,
    Verdict,
    definition_kind,
    inputs_text,
    labels,
    named,
    wrong_outputs,
)
from .exercises.judging import LOOK_AHEAD, judge, mistake_sentence
from .grading import runner, wire

__all__ = ["check", "evaluate", "report", "implementation", "has_passed", "passed_functions",
           "Outcome", "PASSED", "FAILED", "NOT_ATTEMPTED", "ERROR"]

Outcome = Verdict          # what evaluate returns (the name earlier versions used)

_passed_functions: dict[str, Callable] = {}


def as_graded(value):
    """`value` as the grader reads it: sent through the grader's wire format (JSON), so check()
    judges exactly what the grader would (a complex number or an object becomes unreadable)."""
    try:
        return wire.loads(wire.dumps(value))
    except Exception:  # noqa: BLE001 - whatever cannot be encoded, the grader cannot read either
        return wire.Unreadable(type(value).__name__)


def evaluate(exercise_id: str, function: Callable, seed: int | None = None,
             watch_references: bool = True, seconds: float | None = None) -> Verdict:
    """Run `function` on the exercise's cases and judge its answers (judging.judge).

    The cases are `Exercise.check_cases()` (fixed cases and the random cases of several seeds), or
    those of one `seed`, each run by the grader's case runner (grading/runner.py: the inputs as
    the grader sends them, in-place changes, errors). Never raises for anything the student's code
    does. A call into the course's reference code fails the exercise, as in the grader;
    `watch_references=False` turns that off, for testing the reference itself. The function's
    calls get the grader's time per case (runner.budget; `seconds` overrides it), and then stop
    with status "timeout".
    """
    ex = exercises.get(exercise_id)
    if not callable(function):
        return Verdict(exercise_id, ERROR, message=f"expected a function, got {type(function).__name__}")
    try:
        status, problems = kernel.grader_problems(function, ex)   # in a notebook: the grader's globals
    except Exception:  # noqa: BLE001 - an odd kernel state must not break check(): judge as the cases say
        status, problems = "", []
    if problems and definition_kind(function) != "stub":
        return Verdict(exercise_id, status, message="; ".join(problems), reasons=problems)
    cases = ex.check_cases() if seed is None else ex.cases(seed)
    watch = _reference_watch(ex, function, enabled=watch_references)
    call = _case_runner(watch)
    if seconds is None:
        seconds = runner.budget(ex.timeout, len(cases), len(ex.cases(0)))
    budget = runner.Budget(seconds, "")
    answers, expected = [], []
    first_wrong = None          # then: random cases answered after the first wrong one
    for case in cases:
        expected.append(ex.expected(case))
        args, kwargs = runner.inputs(case.args, case.kwargs, wire.to_plain, wire.from_plain,
                                     wire.closed_over)
        budget.message = runner.timeout_message(seconds, len(cases), len(answers))
        try:
            with budget.running():
                with hidden_as_in_the_grader():
                    answer = call(function, args, kwargs)
        except runner.TimeUp as exc:
            return judge(ex, cases, expected, answers, kind=definition_kind(function),
                         course_lib=watch.found, incomplete=(TIMEOUT, str(exc)))
        answer["course_lib"] = watch.found
        answers.append(answer)
        if "error" in answer or answer["course_lib"] or answer["mutated"]:
            break                     # the first failing case decides: no need to run the rest
        if first_wrong is None:
            if wrong_outputs(ex, case, expected[-1], answer["value"]):
                first_wrong = 0
        elif not ex.is_public(case):
            first_wrong += 1          # ... and the next LOOK_AHEAD random ones may name its misconception
        if first_wrong is not None and (first_wrong >= LOOK_AHEAD or ex.check_seeds < 2):
            break
    return judge(ex, cases, expected, answers, kind=definition_kind(function))


def _case_runner(watch) -> Callable:
    """The grader's case runner (grading/runner.py), with the kernel's choices: the call runs under
    the reference watch, the value goes through the wire (as_graded), and the student's stop
    button and the time limit are not answers but stop check()."""
    snapshot, changed = runner.make_snapshot(np.ndarray, np.array_equal)
    return runner.make_call(_describe_error, as_graded, np.errstate, snapshot, changed, invoke=watch.call,
                            let_through=(KeyboardInterrupt, runner.TimeUp))


_HIDDEN = {"on": False, "installed": False}


def hidden_as_in_the_grader():
    """While the student's function runs, opening a file in course_lib/datafiles (the capstone's
    held-out digits) raises FileNotFoundError, as in the grader's sandbox, which hides that folder
    (grading/sandbox.py HIDDEN): reading the file cannot pass check() and then fail the grader.

    An audit hook (sys.addaudithook: installed once, it cannot be removed) that acts only inside
    this context, on the "open" event."""
    import contextlib
    import os
    import sys

    from .grading.sandbox import HIDDEN

    if not _HIDDEN["installed"]:
        folders = tuple(os.path.join(os.path.realpath(os.path.dirname(__file__)), name) + os.sep
                        for name in HIDDEN)

        def grader_hides_datafiles(event, args, folders=folders, state=_HIDDEN):
            if state["on"] and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
                path = os.path.realpath(os.fsdecode(args[0]))
                if path.startswith(folders):
                    raise FileNotFoundError(2, "No such file or directory (the grader hides the "
                                               "course's data files from your code, and so does check())",
                                            path)

        sys.addaudithook(grader_hides_datafiles)
        _HIDDEN["installed"] = True

    @contextlib.contextmanager
    def hidden():
        _HIDDEN["on"] = True
        try:
            yield
        finally:
            _HIDDEN["on"] = False

    return hidden()




def _describe_error(exc: BaseException) -> str:
    """'ZeroDivisionError: division by zero (line 3 of mse)': the grader's own wording
    (grading/child.py's describe, here without the sandbox's guard)."""
    from .grading.child import make_describe

    return make_describe(lambda trusted: None)(exc)


def _reference_watch(ex, function, enabled: bool = True):
    """The grader's run-time watch for calls into reference code (grading/references.py), so that
    `check` fails what the grader would score 0."""
    from .grading.child import CourseWatch
    from .grading.references import forbidden_code

    forbidden = forbidden_code(exercises.for_notebook(ex.notebook)) if enabled else \
        {"codes": [], "prefixes": []}
    code = getattr(function, "__code__", None)
    student_files = {code.co_filename} if code is not None else set()
    return CourseWatch(forbidden, student_files)


def report(outcome: Verdict, hint: int = 1, function: Callable | None = None) -> str:
    """The text that `check` prints; `hint` is how many levels of hints to show."""
    ex = exercises.get(outcome.exercise_id)
    head = f"[{ex.id}] {ex.function}()"
    name = getattr(function, "__name__", ex.function) if function is not None else ex.function
    warning = [] if name == ex.function else [
        f"⚠️  your function is called {name!r}, but the grader looks for a function named {ex.function!r}: "
        f"rename it (def {ex.function}(...)), or the grader will not find it."]
    if outcome.status == PASSED:
        unit = "point" if ex.points == 1 else "points"
        summary = outcome.message.split("; ", 1)[1:] if ex.summary else []   # e.g. the accuracy reached
        return "\n".join([f"✅ {head}: passed all {outcome.n_cases} cases ({ex.points:g} {unit})."]
                         + [f"   {text}" for text in summary] + warning)
    if outcome.status == NOT_ATTEMPTED:
        return "\n".join([f"⏳ {head}: not attempted yet. Write your code where it says YOUR CODE HERE."]
                         + warning)
    if outcome.case is None:
        return "\n".join([f"❌ {head}: {outcome.message}"] + warning)
    lines = [f"❌ {head}: {outcome.n_passed} of {outcome.n_cases} cases passed; this one did not:",
             f"   case:     {outcome.case.name}"]
    lines.append(f"   inputs:   {inputs_text(ex, outcome.case)}")
    if outcome.compared:
        lines.append(f"   expected: {named(outcome.expected, labels(ex, outcome))}")
        lines.append(f"   got:      {named(outcome.got, labels(ex, outcome))}")
    label = "problem: " if len(outcome.reasons) <= 1 else "problems:"
    for k, reason in enumerate(outcome.reasons or [outcome.message]):
        lines.append(f"   {label if k == 0 else ' ' * len(label)} {reason}")
    if outcome.mistakes:
        lines.append(f"   {mistake_sentence(outcome.mistakes)}.")
    if outcome.status in (FAILED, ERROR):
        ladder = ex.hints_for(outcome)          # the named mistake's nudge first, then the ladder
        shown = ex.hint_levels(hint, outcome)
        for level, text in enumerate(shown, start=1):
            lines.append(f"   hint {level} of {len(ladder)}: {text}")
        if hint > len(ladder):
            levels = "1 level" if len(ladder) == 1 else f"{len(ladder)} levels"
            lines.append(f"   (this exercise has {levels} of hints: that was all of them)")
        if len(shown) < len(ladder):
            lines.append(f"   more help: check({ex.id!r}, {name}, hint={len(shown) + 1})")
    return "\n".join(lines + warning)


def check(exercise_id: str, function: Callable, hint: int = 1, seed: int | None = None,
          seconds: float | None = None) -> None:
    """Check a student's function against the reference and print the report.

    `hint=2` (3, ...) shows more levels of hints. A passing function is remembered for
    `implementation`. `seconds`: the time limit of its calls (default: the grader's, per case).
    """
    run_check(exercise_id, function, hint, seed, seconds)


def run_check(exercise_id: str, function: Callable, hint: int = 1, seed: int | None = None,
              seconds: float | None = None) -> Verdict | None:
    """check(), returning the verdict (None for an unknown exercise)."""
    try:
        outcome = evaluate(exercise_id, function, seed, seconds=seconds)
    except KeyError as exc:
        print(f"❌ {exc.args[0]}")
        return None
    if outcome.passed:
        _passed_functions[exercise_id] = function
    else:
        _passed_functions.pop(exercise_id, None)
    print(report(outcome, hint, function))
    _say_if_stale(function)
    return outcome


def implementation(exercise_id: str, reference: Callable | None = None) -> Callable:
    """The student's function if it passed `check`, else `reference` (by default the exercise's
    own reference, looked up in the registry, so a notebook need not import it)."""
    if exercise_id in _passed_functions:
        function = _passed_functions[exercise_id]
        _say_if_stale(function)
        return function
    return reference if reference is not None else exercises.get(exercise_id).reference


_stale_said: set = set()


def _say_if_stale(function: Callable) -> None:
    """Print, once, that the notebook's cell defining `function` was edited after it ran
    (kernel.stale_note: the saved notebook against this kernel)."""
    try:
        note = kernel.stale_note(function)
    except Exception:  # noqa: BLE001 - a note about staleness must never break a check or an explorer
        return
    if note and (note, id(function)) not in _stale_said:
        _stale_said.add((note, id(function)))
        print(note)


def has_passed(exercise_id: str) -> bool:
    """True once the student's function for this exercise has passed `check`."""
    return exercise_id in _passed_functions


def passed_functions() -> dict[str, Callable]:
    """Every exercise id whose student function has passed `check`, with that function (a copy)."""
    return dict(_passed_functions)
