"""The program that runs inside the sandbox: define a student's functions, call them, report.

Started by `sandbox.py` as `python -I child.py JOB_FILE RESULT_FD` in a fresh temporary
directory. It limits its own resources, reads the job (the student's definitions and the cases'
inputs, written by the grader), deletes the job file, executes the definitions, then calls each
exercise function on each case and writes one JSON line per event to RESULT_FD, a pipe that only
the grader reads (the student's prints go to a size-capped log instead):

    {"event": "ready", "setup_errors": [...]}
    {"event": "start", "exercise": "mse"}
    {"event": "case", "exercise": "mse", "index": 0, "value": <wire data>, "mutated": false}
    {"event": "case", "exercise": "mse", "index": 1, "error": "ZeroDivisionError: ...",
     "not_implemented": false}
    {"event": "done", "exercise": "mse", "course_lib": null}
    {"event": "finished"}

"course_lib" names the reference code (references.py) the student's function called while it
ran, if any (a profile hook watches every Python call): that scores zero. Nothing here decides
a grade: the grader compares the values with the reference in its own process.

Imports only the standard library, numpy and wire.py (loaded by path, so the course_lib package
itself is not imported and the student's code starts with a clean module table).
"""

from __future__ import annotations

import ast
import faulthandler
import importlib.util
import io
import json
import os
import resource
import signal
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
COURSE_LIB = os.path.dirname(HERE) + os.sep
LOG_LIMIT = 1_000_000          # characters of stdout/stderr kept from Python prints


class CappedText(io.TextIOBase):
    """A text stream that passes on the first `limit` characters and silently drops the rest."""

    def __init__(self, stream, limit: int):
        self.stream, self.left = stream, limit

    def write(self, text) -> int:
        text = str(text)
        if self.left > 0:
            part = text[: self.left]
            self.left -= len(part)
            try:
                self.stream.write(part)
            except OSError:
                self.left = 0
        return len(text)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError:
            pass

    def writable(self) -> bool:
        return True


def limit_resources(cpu_seconds: int, memory_bytes: int, file_bytes: int) -> None:
    """CPU time, address space, file size, no core files; fewer processes when not root."""
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # writing past the limit fails, does not kill
    if os.geteuid() != 0:                           # root ignores RLIMIT_NPROC
        mine = sum(1 for p in os.listdir("/proc") if p.isdigit() and _owned(p))
        resource.setrlimit(resource.RLIMIT_NPROC, (mine + 64, mine + 64))


def _owned(pid: str) -> bool:
    try:
        return os.stat(f"/proc/{pid}").st_uid == os.geteuid()
    except OSError:
        return False


class Reporter:
    """Writes one JSON line per event to the grader's pipe."""

    def __init__(self, fd: int):
        self.fd = fd

    def send(self, **message) -> None:
        data = (json.dumps(message, allow_nan=True, separators=(",", ":")) + "\n").encode()
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]


class CourseWatch:
    """Notices when the student's code calls the course's reference code (see references.py).

    A profile hook sees every Python call while the student's function runs; a call is
    forbidden when its code is a reference function's or lives in a forbidden folder. `found`
    names the first one the student's own code called (else the first called from elsewhere,
    else the first forbidden module imported).
    """

    def __init__(self, forbidden: dict, student_files: set[str]):
        self.codes = {(filename, line) for filename, line in forbidden["codes"]}
        self.prefixes = tuple(forbidden["prefixes"])
        self.student_files = student_files
        self.direct: str | None = None
        self.indirect: str | None = None
        self.imported: str | None = None

    def _profile(self, frame, event, arg):
        if event != "call" or self.direct is not None:
            return
        code = frame.f_code
        if (code.co_filename, code.co_firstlineno) not in self.codes and (
                not code.co_filename.startswith(self.prefixes) or code.co_filename.startswith(HERE)):
            return
        where = f"course_lib/{code.co_filename[len(COURSE_LIB):]}: {code.co_name}()"
        caller = frame.f_back.f_code.co_filename if frame.f_back else ""
        if code.co_name == "<module>":
            self.imported = self.imported or f"import of {where.split(':')[0]}"
        elif caller in self.student_files:
            self.direct = where
        else:
            self.indirect = self.indirect or where

    def call(self, function, args, kwargs):
        threading.setprofile(self._profile)
        sys.setprofile(self._profile)
        try:
            return function(*args, **kwargs)
        finally:
            sys.setprofile(None)
            threading.setprofile(None)

    @property
    def found(self) -> str | None:
        return self.direct or self.indirect or self.imported


def define(cells: list[dict], namespace: dict, seconds: float | None = None) -> list[str]:
    """Execute the kept top-level statements of each cell; return one line per failure.

    With `seconds` (in the sandbox), a statement that runs longer (a slow cell's
    `data = train(...)` that a function reads) is stopped and reported, so it costs only the
    functions that need it.
    """
    def too_slow(signum, frame):
        raise TimeoutError(f"this statement took longer than {seconds:g} s and was skipped")

    errors = []
    previous = signal.signal(signal.SIGALRM, too_slow) if seconds else None
    for cell in cells:
        tree = ast.parse(cell["source"])
        for index in cell["keep"]:
            module = ast.Module(body=[tree.body[index]], type_ignores=[])
            try:
                if seconds:
                    signal.setitimer(signal.ITIMER_REAL, seconds)
                exec(compile(module, cell["filename"], "exec"), namespace)
            except BaseException as exc:  # noqa: B036 - the student's code may raise anything
                errors.append(f"{cell['filename']}, line {tree.body[index].lineno}: {describe_error(exc)}")
            finally:
                if seconds:
                    signal.setitimer(signal.ITIMER_REAL, 0)
    if seconds:
        signal.signal(signal.SIGALRM, previous)
    return errors


def describe_error(exc: BaseException) -> str:
    """'ZeroDivisionError: division by zero (line 3 of mse)', from the student's code."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith(HERE)]
    where = f" (line {frames[-1].lineno} of {frames[-1].name})" if frames else ""
    text = f"{type(exc).__name__}: {exc}"
    return (text if len(text) < 300 else text[:297] + "...") + where


def run_exercise(exercise: dict, namespace: dict, forbidden: dict, student_files: set[str], wire,
                 reporter: Reporter) -> None:
    """Call the exercise's function on each case and report each result; stop at the first error."""
    name, function = exercise["id"], namespace.get(exercise["function"])
    reporter.send(event="start", exercise=name)
    watch = CourseWatch(forbidden, student_files)
    for index, case in enumerate(exercise["cases"]):
        message = {"event": "case", "exercise": name, "index": index}
        if not callable(function):
            message.update(error=f"no function {exercise['function']}() is defined", not_implemented=False)
        else:
            message.update(call(function, wire.from_plain(case["args"]), wire.from_plain(case["kwargs"]),
                                watch, wire))
        reporter.send(**message)
        if "error" in message:
            break                        # the exercise has failed: the remaining cases would not count
    reporter.send(event="done", exercise=name, course_lib=watch.found)


def call(function, args: tuple, kwargs: dict, watch: CourseWatch, wire) -> dict:
    """Call the student's function once: {"value": ..., "mutated": bool} or {"error": ...}."""
    import numpy as np

    before = [a.copy() if isinstance(a, np.ndarray) else None for a in args]
    try:
        with np.errstate(all="ignore"):
            value = watch.call(function, args, kwargs)
    except NotImplementedError:
        return {"error": "NotImplementedError", "not_implemented": True}
    except BaseException as exc:  # noqa: B036 - SystemExit, KeyboardInterrupt... are errors too
        return {"error": describe_error(exc), "not_implemented": False}
    mutated = any(b is not None and isinstance(a, np.ndarray)
                  and (a.shape != b.shape or not np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
                  for a, b in zip(args, before))
    return {"value": wire.to_plain(value), "mutated": mutated}


def load_wire():
    spec = importlib.util.spec_from_file_location("_course_grade_wire", os.path.join(HERE, "wire.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(job_path: str, result_fd: int) -> None:
    with open(job_path, encoding="utf-8") as f:
        job = json.load(f)
    os.unlink(job_path)
    os.set_inheritable(result_fd, False)        # programs the student starts do not get the pipe
    limit_resources(job["cpu_seconds"], job["memory_bytes"], job["file_bytes"])
    sys.stdout = CappedText(sys.stdout, LOG_LIMIT)
    sys.stderr = CappedText(sys.stderr, LOG_LIMIT)
    faulthandler.enable(file=sys.__stderr__)      # a segfault leaves a traceback in the log
    reporter = Reporter(result_fd)
    wire = load_wire()
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    started = time.perf_counter()
    errors = define(job["cells"], namespace, job["statement_seconds"])
    reporter.send(event="ready", setup_errors=errors, seconds=time.perf_counter() - started)
    for exercise in job["exercises"]:
        student_files = {cell["filename"] for cell in job["cells"]}
        run_exercise(exercise, namespace, job["forbidden"], student_files, wire, reporter)
    reporter.send(event="finished")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)                                  # skip the student's atexit handlers


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
