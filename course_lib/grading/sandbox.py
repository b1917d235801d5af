"""Run a student's functions in a separate, limited process and collect their raw outputs.

    runs, setup_errors = run(cells, exercises, timeout=120, memory_mb=2048)

One child process (child.py) per submitted notebook, started with this Python in a fresh
temporary directory, in its own session (process group), with no stdin, MPLBACKEND=Agg, one
BLAS thread, limits on CPU time, memory and file size, and the student's prints going to a
size-capped log file. The grader sends the definitions and the cases' inputs; the child sends
back plain data on a pipe (see wire.py), one line per case, so a child that dies or hangs loses
only the exercise it was running: the grader then starts a new child for the exercises left.

Time limits: each exercise has `timeout` seconds for all its cases; the whole notebook has
`timeout` seconds. When the grading of a notebook ends, the process group is killed and every
process still carrying this child's token in its environment (daemons that left the group) too.
Nothing here compares answers: score.py does, in the grader's process.

When the grader runs as root (a container, Gradescope) and an unprivileged user can run this
Python (not so if it lives under /root), each child runs as its own unused uid (SANDBOX_UIDS):
it cannot write course_lib, site-packages or OUT, read the grader's memory or environment, or
signal the grader or the other children; when it ends, every process of that uid is killed
(however it left the session) and its files in the shared temporary folders (SHARED_TMP) are
deleted.
"""

from __future__ import annotations

import functools
import json
import math
import os
import pwd
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

import psutil

from . import wire

PYTHON = sys.executable
CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "child.py")
SETUP_SECONDS = 30.0            # at most this long to define the functions (imports, classes)
STATEMENT_SECONDS = 10.0        # one top-level statement that takes longer is skipped (a setup error)
MAX_RESULT_BYTES = 16 << 20     # the most a child may send back (the largest right answer is ~10 kB)
FILE_BYTES = 64 << 20           # the largest file (or log) a child may write
TOKEN = "COURSE_GRADE_TOKEN"
SANDBOX_UIDS = range(61184, 65520)   # systemd's range for dynamic users: normally no account there
SHARED_TMP = ("/tmp", "/var/tmp", "/dev/shm")
_uids_in_use: set[int] = set()
_uids_lock = threading.Lock()


@dataclass
class ExerciseJob:
    """One exercise to run: the function's name, its time limit and the inputs of its cases."""

    id: str
    function: str
    timeout: float
    cases: list[tuple[tuple, dict]]


@dataclass
class ExerciseRun:
    """What came back for one exercise.

    outcome  "ran" (every case answered), "timeout" or "crashed" (message says how)
    results  one dict per case answered: {"value": ..., "mutated": bool} or
             {"error": "...", "not_implemented": bool}
    course_lib  the course_lib code the function called while it ran, if any
    """

    id: str
    outcome: str = "ran"
    results: list[dict] = field(default_factory=list)
    course_lib: str | None = None
    message: str = ""


def run(cells: list[dict], exercises: list[ExerciseJob], forbidden: dict, timeout: float = 120.0,
        memory_mb: int = 2048) -> tuple[dict[str, ExerciseRun], list[str]]:
    """Run the exercises' functions in child processes; return their runs and the setup errors.

    `cells` are {"filename", "source", "keep"} as made by find.py; `forbidden` is the reference
    code the child watches for (references.forbidden_code). A child that times out or
    dies during an exercise is replaced by a new one for the exercises after it.
    """
    runs: dict[str, ExerciseRun] = {}
    setup_errors: list[str] = []
    deadline = time.monotonic() + timeout
    remaining = list(exercises)
    while remaining:
        if time.monotonic() >= deadline:
            for job in remaining:
                runs[job.id] = ExerciseRun(job.id, "timeout", message=f"the notebook's time limit of "
                                           f"{timeout:g} s was reached before this exercise ran")
            break
        child = Child(cells, remaining, forbidden, deadline, memory_mb)
        try:
            finished, stopped, reason = child.supervise(deadline)
        finally:
            child.cleanup()
        setup_errors = child.setup_errors or setup_errors
        runs.update(finished)
        if stopped is not None:
            runs[stopped.id] = stopped
        remaining = [job for job in remaining if job.id not in runs]
        if not remaining or stopped is not None:
            continue
        if not child.ready:                      # died or hung while defining the functions
            outcome = "timeout" if reason == "time limit reached" else "crashed"
            for job in remaining:
                runs[job.id] = ExerciseRun(job.id, outcome, message=f"while defining the functions: {reason}")
            break
        job = remaining.pop(0)                   # died between two exercises: blame the next one
        runs[job.id] = ExerciseRun(job.id, "crashed", message=reason)
    return runs, setup_errors


class Child:
    """One child process: start it, read its messages, kill it and everything it started."""

    def __init__(self, cells: list[dict], exercises: list[ExerciseJob], forbidden: dict, deadline: float,
                 memory_mb: int):
        self.exercises = {job.id: job for job in exercises}
        self.setup_errors: list[str] = []
        self.ready = False                      # True once the functions are defined
        self.base = tempfile.mkdtemp(prefix="course-grade-")
        self.workdir = os.path.join(self.base, "work")
        os.mkdir(self.workdir, 0o700)
        self.uid = take_uid() if separate_users() else None
        if self.uid is not None:                 # root: the child gets its own unprivileged user
            os.chmod(self.base, 0o711)
            os.chown(self.workdir, self.uid, self.uid)
        user = {} if self.uid is None else {"user": self.uid, "group": self.uid, "extra_groups": []}
        self.log_path = os.path.join(self.base, "log.txt")
        job_path = os.path.join(self.workdir, ".job.json")
        job = {
            "cells": cells,
            "forbidden": forbidden,
            "cpu_seconds": max(1, math.ceil(deadline - time.monotonic()) + 2),
            "memory_bytes": memory_mb << 20,
            "file_bytes": FILE_BYTES,
            "statement_seconds": STATEMENT_SECONDS,
            "exercises": [{"id": j.id, "function": j.function,
                           "cases": [{"args": wire.to_plain(tuple(a)), "kwargs": wire.to_plain(dict(k))}
                                     for a, k in j.cases]} for j in exercises],
        }
        with open(job_path, "w", encoding="utf-8") as f:
            json.dump(job, f)
        self.token = secrets.token_hex(12)
        env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": self.workdir, "TMPDIR": self.workdir,
               "LANG": "C.UTF-8", "MPLBACKEND": "Agg", "MPLCONFIGDIR": self.workdir,
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               TOKEN: self.token}
        read_fd, write_fd = os.pipe()
        self.fd, self.buffer, self.received = read_fd, bytearray(), 0
        self.scanned = 0                        # bytes of buffer known to hold no newline
        self.poller = select.poll()
        self.poller.register(read_fd, select.POLLIN | select.POLLHUP)
        try:
            with open(self.log_path, "wb") as log:
                self.proc = subprocess.Popen(
                    [PYTHON, "-I", CHILD, job_path, str(write_fd)], cwd=self.workdir, env=env,
                    stdin=subprocess.DEVNULL, stdout=log, stderr=log, pass_fds=(write_fd,),
                    start_new_session=True, **user)
        except BaseException:                    # could not start: leave no folder, fd or uid behind
            os.close(read_fd)
            shutil.rmtree(self.base, ignore_errors=True)
            with _uids_lock:
                _uids_in_use.discard(self.uid)
            raise
        finally:
            os.close(write_fd)

    # --- reading -------------------------------------------------------------------------------
    def next_message(self, deadline: float) -> dict | str:
        """The next message, or "timeout", "exited" or "too much output"."""
        while True:
            newline = self.buffer.find(b"\n", self.scanned)   # not from 0: a long line stays linear
            self.scanned = len(self.buffer) if newline < 0 else 0
            if newline >= 0:
                line = bytes(self.buffer[:newline])
                del self.buffer[: newline + 1]
                try:
                    message = json.loads(line)
                except (ValueError, RecursionError):
                    continue                         # not ours: ignore
                if isinstance(message, dict):
                    return message
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                return "timeout"
            if self.poller.poll(int(min(left, 0.25) * 1000) + 1):
                data = os.read(self.fd, 1 << 20)
                if not data:
                    return "exited"
                self.received += len(data)
                if self.received > MAX_RESULT_BYTES:
                    return "too much output"
                self.buffer += data
            elif self.proc.poll() is not None and not self.poller.poll(0):
                return "exited"                      # dead, though a grandchild may hold the pipe

    def supervise(self, deadline: float) -> tuple[dict[str, ExerciseRun], ExerciseRun | None, str]:
        """Read until the child finishes or fails.

        Returns (finished runs, the run that was stopped or None, why the child stopped).
        """
        finished: dict[str, ExerciseRun] = {}
        current: ExerciseRun | None = None
        setup_deadline = min(deadline, time.monotonic() + SETUP_SECONDS)
        exercise_deadline = deadline
        while True:
            limit = exercise_deadline if current else (deadline if self.ready else setup_deadline)
            message = self.next_message(min(limit, deadline))
            if isinstance(message, str):
                return finished, self._stopped(current, message, deadline), self._reason(message)
            event = message.get("event")
            if event == "ready" and not self.ready:
                self.ready = True
                self.setup_errors = [str(e)[:500] for e in message.get("setup_errors", [])][:20]
            elif event == "start" and self.ready and not current:
                job = self.exercises.get(message.get("exercise"))
                if job is None or job.id in finished:
                    continue
                current = ExerciseRun(job.id)
                exercise_deadline = time.monotonic() + job.timeout
            elif event == "case" and current and message.get("exercise") == current.id \
                    and message.get("index") == len(current.results):
                current.results.append(_case_result(message))
            elif event == "done" and current and message.get("exercise") == current.id:
                hit = message.get("course_lib")
                current.course_lib = str(hit)[:300] if hit else None
                finished[current.id] = current
                current = None
            elif event == "finished" and self.ready:
                return finished, None, "the process stopped without answering"

    def _stopped(self, current: ExerciseRun | None, why: str, deadline: float) -> ExerciseRun | None:
        if current is None:
            return None
        if why == "timeout":
            current.outcome = "timeout"
            job = self.exercises[current.id]
            if time.monotonic() >= deadline:
                current.message = "the notebook's time limit was reached while this exercise ran"
            else:
                current.message = (f"took longer than {job.timeout:g} s for its {len(job.cases)} cases "
                                   f"(stopped after {len(current.results)}); is there an endless loop?")
        else:
            current.outcome = "crashed"
            current.message = self._reason(why)
        return current

    def _reason(self, why: str) -> str:
        if why == "timeout":
            return "time limit reached"
        if why == "too much output":
            return "the function's results were larger than the grader accepts"
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "the process closed its result channel"
        tail = self._log_tail()
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            what = {"SIGSEGV": "crashed (segmentation fault)", "SIGXCPU": "ran out of CPU time",
                    "SIGKILL": "was killed (out of memory or time)", "SIGABRT": "aborted"}
            text = f"the process {what.get(name, 'was stopped')} ({name})"
        else:
            text = f"the process exited early with code {code} (os._exit, sys.exit or a crash)"
        return text + (f"; last output: {tail}" if tail else "")

    def _log_tail(self) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(max(0, os.path.getsize(self.log_path) - 2000))
                lines = [line.strip() for line in f.read().decode("utf-8", "replace").splitlines()]
        except OSError:
            return ""
        lines = [line for line in lines if line]
        fatal = [line for line in lines if line.startswith("Fatal Python error")]
        return (fatal or lines or [""])[-1][:200]

    # --- cleaning up ---------------------------------------------------------------------------
    def cleanup(self) -> None:
        """Kill the child, its process group and every process carrying its token or uid; delete its files."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        kill_by_token(self.token, self.uid)
        os.close(self.fd)
        shutil.rmtree(self.base, ignore_errors=True)
        if self.uid is not None:
            remove_files_of(self.uid)
            with _uids_lock:
                _uids_in_use.discard(self.uid)


@functools.cache
def separate_users() -> bool:
    """True if the grader is root and a uid from SANDBOX_UIDS can run PYTHON with numpy."""
    if os.geteuid() != 0:
        return False
    uid = take_uid()
    try:
        probe = subprocess.run([PYTHON, "-I", "-c", "import numpy"], user=uid, group=uid, extra_groups=[],
                               cwd="/", env={"PATH": os.defpath}, capture_output=True, timeout=60)
        return probe.returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        with _uids_lock:
            _uids_in_use.discard(uid)


def take_uid() -> int:
    """A uid from SANDBOX_UIDS with no account and no running process, reserved until released."""
    running = {p.info["uids"].real for p in psutil.process_iter(["uids"]) if p.info["uids"]}
    with _uids_lock:
        for _ in range(50):
            uid = SANDBOX_UIDS[secrets.randbelow(len(SANDBOX_UIDS))]
            if uid in running or uid in _uids_in_use:
                continue
            try:
                pwd.getpwuid(uid)
                continue                         # a real account: not ours to use
            except KeyError:
                _uids_in_use.add(uid)
                return uid
    raise RuntimeError(f"no free uid in {SANDBOX_UIDS} for the sandbox")


def remove_files_of(uid: int) -> None:
    """Delete what `uid` left at the top of the shared temporary folders (it can write nowhere else)."""
    for folder in SHARED_TMP:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                continue


def kill_by_token(token: str, uid: int | None = None, rounds: int = 5) -> None:
    """Kill every process whose environment carries TOKEN=token, or that runs as `uid` (repeat while
    new ones appear)."""
    for _ in range(rounds):
        found = []
        for process in psutil.process_iter():
            try:
                if (uid is not None and uid in process.uids()) or process.environ().get(TOKEN) == token:
                    found.append(process)
                    process.kill()
            except (psutil.Error, OSError):
                continue
        if not found:
            return
        psutil.wait_procs(found, timeout=1)


def _case_result(message: dict) -> dict:
    if "error" in message:
        return {"error": str(message["error"])[:500], "not_implemented": bool(message.get("not_implemented"))}
    try:
        return {"value": wire.from_plain(message.get("value")), "mutated": bool(message.get("mutated"))}
    except Exception:  # whatever a forged message holds, it is this case's wrong answer, not a grader error
        return {"value": wire.Unreadable("malformed value"), "mutated": False}
