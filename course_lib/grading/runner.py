"""One case runner and one timer: how a student's function is run on a case, for check() in the
notebook (checking.py, yours.py) and for the grader's sandboxed child (child.py).

What is defined here, once:

* **a case's inputs** are what the grader sends the child: the registry's (args, kwargs) through
  the wire format (`inputs`), so the function gets the same types in check() and in the sandbox,
  and then a test function that reads an argument through a closure closed over that very
  argument (the wire's `closed_over`, from testfunctions.py);
* **an answer** to a case (`make_call`) is {"value": <encoded>, "mutated": bool} or
  {"error": "ZeroDivisionError: ... (line 3 of mse)", "not_implemented": bool}; everything the
  function raises is its answer (SystemExit and KeyboardInterrupt too), except what the caller
  lets through (in the kernel: the student's stop button and this module's time-out);
* **an input changed in place** (`make_snapshot`): an array the function was given, as an argument
  or at any depth inside list and tuple arguments, whose shape, dtype or values changed, or a
  list that grew, shrank or had an element replaced by something else (another type, other
  values); checked with exact types only, so none of the student's code runs while it is checked;
* **a time-out** (`budget`, `make_timer`): an exercise's `timeout` is the CPU time its function
  may take for the cases of one seed (what the grader runs), with WALL_FACTOR times that in all
  as a backstop; check() runs more cases (several seeds) and gets the same time per case. The
  time counts the student's calls only. The timer is ITIMER_PROF + ITIMER_REAL (main thread
  only); in the sandbox the grader also stops the child from outside at the exercise's deadline
  (student code could block the signals).

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
    return (f"took longer than {seconds:g} s of CPU time (or {WALL_FACTOR * seconds:g} s in all) for its "
            f"{n_cases} cases (stopped after {n_answered}); is there an endless loop?")


def inputs(args, kwargs, to_plain, from_plain, closed_over):
    """(args, kwargs) as the child receives them: sent through the wire format (a fresh copy),
    closures bound to the arguments they read (closed_over)."""
    return closed_over(from_plain(to_plain(tuple(args)))), from_plain(to_plain(dict(kwargs)))


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


WALL_FACTOR = 3.0
"""A limit of s seconds of CPU time also stops a block after WALL_FACTOR * s seconds in all (one
that waits, sleeps or is starved of CPU), as the grader does."""


def make_timer(exception=TimeUp, set_handler=None, setitimer=None, getitimer=None, cpu_clock=None,
               wall_clock=None):
    """(start, stop): start(seconds, message, wall_seconds=None) raises exception(message) in the
    main thread once the process has used `seconds` of CPU time (ITIMER_PROF, SIGPROF: a slow or
    shared CPU does not count against the student) or `wall_seconds` (default WALL_FACTOR *
    seconds) have passed (ITIMER_REAL, SIGALRM); stop(token) disarms both and returns the
    (CPU, wall) seconds spent. Outer timers keep their deadlines (re-armed, minus the time spent).

    The handler is compiled with no builtins and holds only the exception class and the message,
    so the student's code it interrupts sees nothing of the caller. Pass the real signal
    functions, bound before student code runs (the sandbox's child does)."""
    set_handler = set_handler or signal.signal
    setitimer, getitimer = setitimer or signal.setitimer, getitimer or signal.getitimer
    cpu_clock, wall_clock = cpu_clock or time.process_time, wall_clock or time.monotonic
    clocks = ((signal.ITIMER_PROF, signal.SIGPROF), (signal.ITIMER_REAL, signal.SIGALRM))
    box = ["", exception]
    scope = {"__builtins__": {}, "box": box}
    exec("def handler(signum, frame):\n    raise box[1](box[0])\n", scope)
    handler, factor = scope["handler"], WALL_FACTOR
    zip_, any_, min_, max_ = zip, any, min, max          # bound now: student code may patch builtins

    def start(seconds: float, message: str, wall_seconds: float | None = None):
        limits = [seconds, wall_seconds or factor * seconds]
        outer = [getitimer(timer)[0] for timer, _ in clocks]
        outer_message = box[0]
        if any_(0 < left <= limit for left, limit in zip_(outer, limits)):   # an outer deadline first
            message = outer_message
        box[0] = message
        previous = [set_handler(signum, handler) for _, signum in clocks]
        for (timer, _), left, limit in zip_(clocks, outer, limits):
            setitimer(timer, min_(left, limit) if left > 0 else limit)
        return previous, outer, outer_message, cpu_clock(), wall_clock()

    def stop(token) -> tuple[float, float]:
        previous, outer, outer_message, cpu_began, wall_began = token
        for timer, _ in clocks:
            setitimer(timer, 0)
        spent = (cpu_clock() - cpu_began, wall_clock() - wall_began)
        for (_, signum), old in zip_(clocks, previous):
            set_handler(signum, old)
        box[0] = outer_message
        for (timer, _), left, used in zip_(clocks, outer, spent):
            if left > 0:                         # the outer timer's deadline, as it was
                setitimer(timer, max_(left - used, 1e-6))
        return spent

    return start, stop


_start, _stop = make_timer()


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None, message: str, wall_seconds: float | None = None):
    """Raise TimeUp(message) in the block after `seconds` of CPU time (or `wall_seconds`, default
    WALL_FACTOR * seconds, in all). Signals: only in the main thread, where the Jupyter kernel
    runs cells; elsewhere, or with seconds None, the block runs unlimited."""
    if seconds is None or not _main_thread():
        yield
        return
    token = _start(seconds, message, wall_seconds)
    try:
        yield
    finally:
        _stop(token)


class Budget:
    """Seconds shared by the calls of one exercise: `with budget.running(): call(...)` counts only
    the time inside (expected values computed in between do not count): `seconds` of CPU time and
    WALL_FACTOR times that in all; TimeUp once either is spent."""

    def __init__(self, seconds: float, message: str):
        self.cpu_left, self.wall_left, self.message = seconds, WALL_FACTOR * seconds, message

    @contextmanager
    def running(self):
        if self.cpu_left <= 0 or self.wall_left <= 0:
            raise TimeUp(self.message)
        if not _main_thread():
            yield
            return
        token = _start(self.cpu_left, self.message, self.wall_left)
        try:
            yield
        finally:
            cpu, wall = _stop(token)
            self.cpu_left -= cpu
            self.wall_left -= wall
