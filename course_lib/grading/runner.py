"""One case runner and one timer: how a student's function is run on a case, for check() in the
notebook (checking.py, yours.py) and for the grader's sandboxed child (child.py).

What is defined here, once:

* **a case's inputs** are what the grader sends the child: the registry's (args, kwargs) through
  the wire format (`inputs`), so the function gets the same types in check() and in the sandbox;
* **an answer** to a case (`make_call`) is {"value": <encoded>, "mutated": bool} or
  {"error": "ZeroDivisionError: ... (line 3 of mse)", "not_implemented": bool}; everything the
  function raises is its answer (SystemExit and KeyboardInterrupt too), except what the caller
  lets through (in the kernel: the student's stop button and this module's time-out);
* **an input changed in place** (`make_snapshot`): an array the function was given, as an argument
  or at any depth inside list and tuple arguments, whose shape, dtype or values changed, or a
  list that grew, shrank or had an element replaced by something else (another type, other
  values); checked with exact types only, so none of the student's code runs while it is checked;
* **a time-out** (`budget`, `make_timer`): an exercise's `timeout` is the time its function may
  take for the cases of one seed (what the grader runs); check() runs more cases (several seeds)
  and gets the same time per case. The time counts the student's calls only. In the kernel the
  timer is SIGALRM (main thread only); in the sandbox the grader also stops the child from
  outside at the exercise's deadline (student code could block the signal).

Standard library only (numpy's functions are passed in): child.py loads this file by path inside
the sandbox, where course_lib's registry is not importable. Every factory binds what it uses when
it is called (before any student code runs in the child), so a student who patches builtins,
numpy or this module later changes nothing.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager


def budget(timeout: float, n_cases: int, n_graded: int) -> float:
    """Seconds for `n_cases` cases of an exercise whose grader allows `timeout` s for its
    `n_graded` cases (one seed): the same time per case."""
    return timeout * max(1, n_cases) / max(1, n_graded)


def timeout_message(seconds: float, n_cases: int, n_answered: int) -> str:
    """The one sentence for a function stopped at its time limit."""
    return (f"took longer than {seconds:g} s for its {n_cases} cases (stopped after {n_answered}); "
            "is there an endless loop?")


def inputs(args, kwargs, to_plain, from_plain):
    """(args, kwargs) as the child receives them: sent through the wire format (a fresh copy)."""
    return from_plain(to_plain(tuple(args))), from_plain(to_plain(dict(kwargs)))


def make_snapshot(ndarray, array_equal, max_depth: int = 32):
    """(snapshot, changed): snapshot(args, kwargs) before the call, changed(state, args, kwargs)
    after it: True when an input was changed in place (see the module docstring)."""
    get_type, len_, range_, list_, tuple_, dict_ = type, len, range, list, tuple, dict
    copy = ndarray.copy
    plain = (int, float, bool, str, bytes, complex, type(None))

    def take(value, depth):
        kind = get_type(value)
        if kind is ndarray:
            return copy(value)
        if (kind is list_ or kind is tuple_) and depth < max_depth:
            return kind([take(item, depth + 1) for item in value])
        return value

    def differs(before, after, depth) -> bool:
        kind = get_type(before)
        if kind is ndarray:
            if get_type(after) is not ndarray or after.shape != before.shape or after.dtype != before.dtype:
                return True
            return not array_equal(before, after, equal_nan=before.dtype.kind in "fc")
        if (kind is list_ or kind is tuple_) and depth < max_depth:
            if get_type(after) is not kind or len_(after) != len_(before):
                return True
            for k in range_(len_(before)):
                if differs(before[k], after[k], depth + 1):
                    return True
            return False
        if after is before:
            return False
        return not (kind in plain and get_type(after) is kind and after == before)

    def snapshot(args, kwargs):
        return take(tuple_(args), 0), dict_((key, take(value, 0)) for key, value in kwargs.items())

    def changed(state, args, kwargs) -> bool:
        before_args, before_kwargs = state
        if differs(before_args, tuple_(args), 0):
            return True
        for key in before_kwargs:
            if differs(before_kwargs[key], kwargs[key], 0):
                return True
        return False

    return snapshot, changed


def make_call(describe, encode, errstate, snapshot, changed, invoke=None, let_through=()):
    """call(function, args, kwargs) -> one case's answer (see the module docstring).

    describe(exc) -> text (child.make_describe); encode(value) -> what the answer carries (the
    wire's to_plain in the child, its round trip in check()); errstate: numpy's; invoke(function,
    args, kwargs) runs the call (check(): under the reference watch); `let_through`: exception
    classes that are not the function's answer but propagate (the kernel's interrupt, the timer)."""
    not_implemented, base = NotImplementedError, BaseException
    invoke = invoke or (lambda function, args, kwargs: function(*args, **kwargs))
    let_through = tuple(let_through)

    def call(function, args, kwargs) -> dict:
        state = snapshot(args, kwargs)
        try:
            with errstate(all="ignore"):
                value = invoke(function, args, kwargs)
        except let_through:
            raise
        except not_implemented:
            return {"error": "NotImplementedError", "not_implemented": True}
        except base as exc:  # noqa: B036 - SystemExit, KeyboardInterrupt... are the function's answer
            return {"error": describe(exc), "not_implemented": False}
        try:
            mutated = changed(state, args, kwargs)
            return {"value": encode(value), "mutated": mutated is True}
        except let_through:
            raise
        except base as exc:  # noqa: B036 - patched numpy, or a value that fights back
            return {"error": describe(exc), "not_implemented": False}

    return call


class TimeUp(BaseException):
    """Raised by the kernel's timer (time_limit). A BaseException, so that the case runner, which
    turns the student's exceptions into answers, lets it through when told to."""


def make_timer(exception=TimeUp, set_handler=None, setitimer=None, getitimer=None, clock=None):
    """(start, stop): start(seconds, message) arms SIGALRM to raise exception(message) in the main
    thread after `seconds`; stop(token) disarms it and returns the seconds that passed. An outer
    timer already running keeps its deadline (it is re-armed, minus the time spent here).

    The handler is compiled with no builtins and holds only the exception class and the message,
    so the student's code it interrupts sees nothing of the caller. Pass the real signal
    functions, bound before student code runs (the sandbox's child does)."""
    set_handler = set_handler or signal.signal
    setitimer, getitimer = setitimer or signal.setitimer, getitimer or signal.getitimer
    clock, real, alarm = clock or time.monotonic, signal.ITIMER_REAL, signal.SIGALRM
    box = ["", exception]
    scope = {"__builtins__": {}, "box": box}
    exec("def handler(signum, frame):\n    raise box[1](box[0])\n", scope)
    handler, max_ = scope["handler"], max

    def start(seconds: float, message: str):
        outer_left, outer_message = getitimer(real)[0], box[0]
        if outer_left > 0 and outer_left < seconds:   # the outer deadline comes first: its message
            seconds, message = outer_left, outer_message
        box[0] = message
        previous = set_handler(alarm, handler)
        setitimer(real, seconds)
        return previous, outer_left, outer_message, clock()

    def stop(token) -> float:
        previous, outer_left, outer_message, began = token
        setitimer(real, 0)
        spent = clock() - began
        set_handler(alarm, previous)
        box[0] = outer_message
        if outer_left > 0:                       # the outer timer's deadline, as it was
            setitimer(real, max_(outer_left - spent, 1e-6))
        return spent

    return start, stop


_start, _stop = make_timer()


@contextmanager
def time_limit(seconds: float | None, message: str):
    """Raise TimeUp(message) in the block after `seconds` (SIGALRM: only in the main thread, where
    the Jupyter kernel runs cells; elsewhere, or with seconds None, the block runs unlimited)."""
    if seconds is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    token = _start(seconds, message)
    try:
        yield
    finally:
        _stop(token)


class Budget:
    """Seconds shared by the calls of one exercise: `with budget.running(): call(...)` counts only
    the time inside (expected values computed in between do not count); TimeUp once it is spent."""

    def __init__(self, seconds: float, message: str):
        self.left, self.message = seconds, message

    @contextmanager
    def running(self):
        if self.left <= 0:
            raise TimeUp(self.message)
        began = time.monotonic()
        try:
            with time_limit(self.left, self.message):
                yield
        finally:
            self.left -= time.monotonic() - began
