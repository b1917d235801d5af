"""Run a student's functions in a separate, limited process and collect their raw outputs.

    runs, setup_errors = run(cells, exercises, forbidden, timeout=120, memory_mb=512)

One child process (child.py) per submitted notebook, started with this Python, in its own
session, MPLBACKEND=Agg, one BLAS thread, limits on CPU time, memory and file size. Its stdin is
an empty pipe and its stdout and stderr a pipe the grader drains (the last LOG_BYTES are kept for
a crash's message): never a host file, whose mode or owner it could change. The grader sends the
definitions, then (once they ran) the cases' inputs, on a pipe; the child sends back plain data
(see wire.py) on another pipe, one authenticated line per case (the protocol is in child.py).
The grader reads exactly the sequence it expects: a line it cannot verify, or one that comes
early, late, twice or out of order, makes the whole notebook "invalid". A child that dies or
hangs loses only the exercise it was running: the grader then starts a new child for the
exercises left.

Where the child runs (`mode()`, recorded in grading.json as "sandbox"):

* "bubblewrap" (when `bwrap` is installed and works; Debian's `bubblewrap`): every child runs in
  its own mount, PID, network, IPC, UTS, cgroup and user namespaces as uid 65534 with no
  capabilities, and dies with the grader. It sees only the system (/usr, the library folders, a
  few files of /etc), this Python's installation, the virtual environment (all read-only), and,
  over course_lib, the notebook's student copy (stubs.py: the notebook's references and
  off-limits functions are stubs that raise "off limits"; no registry, check or grader;
  datafiles, the capstone's held-out digits, empty); the child's own code (child.py, wire.py, runner.py)
  is mounted at CHILD_ROOT, outside that copy. Its own /proc, a minimal /dev (null, zero,
  urandom...) and a private 64 MB /tmp. No SUBMISSIONS, OUT, solutions/ or repository, no
  network, no other process: it can signal and read nothing of the grader or the other
  children, and when its notebook is done the namespace ends, with every process in it.
  The kernel enforces the rules with a seccomp filter (seccomp.py; `bwrap --seccomp`, and exec
  stacked by the child before student code): no new process (fork, vfork, clone without
  CLONE_THREAD, clone3), no exec, no chmod/chown, no ptrace or process_vm_*, no mount, unshare,
  setns, bpf, keyctl, personality... So the per-process limits (memory, CPU) are the notebook's.
* "separate-users" (no bubblewrap; the grader is root and an unprivileged user can run this
  Python): each child runs as its own unused uid (SANDBOX_UIDS); it cannot write course_lib,
  site-packages or OUT, read the grader's memory or environment, or signal the grader or the
  other children; when it ends, every process of that uid is killed and its files in the shared
  temporary folders (SHARED_TMP) are deleted. The child loads the whole seccomp filter itself.
* "plain" (neither): the child runs as the grader's user, in a fresh temporary folder, with the
  same seccomp filter loaded by itself.

Time limits count CPU seconds of the child, so a slow or shared CPU (a container's 0.5 vCPU)
does not fail honest code: each exercise has `timeout` CPU seconds for all its cases, the whole
notebook `timeout` CPU seconds over its children; a child that waits instead of computing is
stopped after WALL_FACTOR times the limit of wall-clock time. When the grading of a notebook
ends, the child's process group is killed (and, outside bubblewrap, every process still
carrying this child's token in its environment). Nothing here compares answers: score.py does,
in the grader's process.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
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

from . import seccomp, stubs, wire

PYTHON = sys.executable
CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "child.py")
# what the child runs, mounted under bubblewrap in CHILD_ROOT (as in course_lib: wire.py loads
# ../testfunctions.py), outside the course_lib the student sees (stubs.py)
CHILD_FILES = ("grading/child.py", "grading/wire.py", "grading/runner.py", "testfunctions.py")
CHILD_ROOT = "/course_grade"
COURSE_LIB = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
HIDDEN = ("datafiles",)             # course_lib folders the child never sees (the held-out digits)
SETUP_SECONDS = 30.0            # at most this long to define the functions (imports, classes)
STATEMENT_SECONDS = 10.0        # one top-level statement that takes longer is skipped (a setup error)
# Time limits (these, the notebook's --timeout and each exercise's) count the child's CPU seconds,
# so a slow or shared CPU (a container's 0.5 vCPU) does not fail honest code; a child that waits
# (sleeps, blocks) is stopped after WALL_FACTOR times the limit of wall-clock time.
WALL_FACTOR = 3.0
CPU_CHECK_SECONDS = 0.25        # how often the grader reads the child's CPU time
MAX_RESULT_BYTES = 16 << 20     # the most a child may send back (the largest right answer is ~10 kB)
FILE_BYTES = 64 << 20           # the largest file a child may write
LOG_BYTES = 8192                # the tail of the child's stdout/stderr the grader keeps
TMP_BYTES = 64 << 20            # the size of the child's private /tmp under bubblewrap
TOKEN = "COURSE_GRADE_TOKEN"
SANDBOX_UIDS = range(61184, 65520)   # systemd's range for dynamic users: normally no account there
SANDBOX_UID = 65534                  # "nobody": the child's uid inside bubblewrap
SHARED_TMP = ("/tmp", "/var/tmp", "/dev/shm")
MODE_VARIABLE = "COURSE_GRADE_SANDBOX"   # "bubblewrap", "separate-users" or "plain": insist on one
MODES = ("bubblewrap", "separate-users", "plain")
_uids_in_use: set[int] = set()
# bench.py sets a list here: each child then appends when its phases happened (time.time()):
# start (before bwrap/Popen), entered (child.py's main, before numpy), imported (numpy imported),
# ready (its top-level code ran), finished (last case), ended (killed and cleaned up). The child's
# two times are its own word: for measuring, never for grading.
PHASES: list[dict] | None = None
_uids_lock = threading.Lock()


class Tampered(Exception):
    """The result channel carried a line the grader did not expect."""


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

    outcome  "ran" (every case answered), "timeout", "crashed" or "invalid" (the notebook's
             process wrote to the grader's channel or left threads running; message says how)
    results  one dict per case answered: {"value": ..., "mutated": bool, "course_lib": str | None}
             or {"error": "...", "not_implemented": bool, "course_lib": str | None}; "course_lib"
             names the reference code that ran during the case (or at top level), if any
    course_lib  the first case's "course_lib" that is not None
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
    dies during an exercise is replaced by a new one for the exercises after it. A child that
    breaks the protocol or leaves threads running makes every exercise "invalid".
    """
    runs: dict[str, ExerciseRun] = {}
    setup_errors: list[str] = []
    wall_end = time.monotonic() + WALL_FACTOR * timeout
    cpu_used = 0.0                               # CPU seconds of this notebook's children so far
    remaining = list(exercises)
    while remaining:
        if cpu_used >= timeout or time.monotonic() >= wall_end:
            for job in remaining:
                runs[job.id] = ExerciseRun(job.id, "timeout", message=f"the notebook's time limit of "
                                           f"{timeout:g} s was reached before this exercise ran")
            break
        child = Child(cells, remaining, forbidden, timeout - cpu_used, memory_mb)
        try:
            finished, stopped, reason = child.supervise(wall_end, timeout - cpu_used)
        except Tampered as exc:
            message = f"the notebook's process {exc}; all its results are void"
            return {job.id: ExerciseRun(job.id, "invalid", message=message) for job in exercises}, []
        finally:
            cpu_used += child.cpu()
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
    """One child process: start it, feed it, read its messages, kill it and everything it started."""

    def __init__(self, cells: list[dict], exercises: list[ExerciseJob], forbidden: dict, cpu_left: float,
                 memory_mb: int):
        self.order = [job.id for job in exercises]
        self.exercises = {job.id: job for job in exercises}
        self.setup_errors: list[str] = []
        self.ready = False                      # True once the functions are defined
        self.mode = mode()[0]
        # under bubblewrap: the notebook's course_lib (built before any fd or folder exists here)
        course_copy = stubs.student_copy(forbidden["codes"]) if self.mode == "bubblewrap" else None
        self.base = tempfile.mkdtemp(prefix="course-grade-")
        self.workdir = os.path.join(self.base, "work")
        os.mkdir(self.workdir, 0o700)
        self.uid = take_uid() if self.mode == "separate-users" else None
        if self.uid is not None:                 # root: the child gets its own unprivileged user
            os.chmod(self.base, 0o711)
            os.chown(self.workdir, self.uid, self.uid)
        user = {} if self.uid is None else {"user": self.uid, "group": self.uid, "extra_groups": []}
        self.log = bytearray()                  # the tail of the child's stdout and stderr
        self.key = secrets.token_bytes(32)
        self.lines = 0                          # authenticated lines read so far
        self.cpu_seen = 0.0                     # the child's CPU seconds, as last measured
        self.processes: list[psutil.Process] = []
        self.processes_found = -math.inf        # when self.processes was last looked up
        self.processes_final = False            # looked up after "ready": no new ones can come
        setup = {
            "cells": cells,
            "forbidden": forbidden,
            "cpu_seconds": max(1, math.ceil(cpu_left) + 2),      # the kernel's backstop
            "memory_bytes": memory_mb << 20,
            "file_bytes": FILE_BYTES,
            "statement_seconds": STATEMENT_SECONDS,
            "statement_wall_seconds": WALL_FACTOR * STATEMENT_SECONDS,
            "sys_path": child_sys_path(),
            "pid_namespace": self.mode == "bubblewrap",     # the child's own: see child.make_pid_watch
            "seccomp": (None if seccomp_program("child") is None      # the filter the child loads itself
                        else base64.b64encode(seccomp_program("child")).decode()),
            "exercises": [{"id": j.id, "function": j.function, "n_cases": len(j.cases)} for j in exercises],
        }
        cases = [[{"args": wire.to_plain(tuple(a)), "kwargs": wire.to_plain(dict(k))} for a, k in j.cases]
                 for j in exercises]
        self.token = secrets.token_hex(12)
        home = "/tmp" if self.mode == "bubblewrap" else self.workdir
        env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": home, "TMPDIR": home,
               "LANG": "C.UTF-8", "MPLBACKEND": "Agg", "MPLCONFIGDIR": home,
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               TOKEN: self.token}
        read_fd, write_fd = os.pipe()           # results: child -> grader
        job_read, job_write = os.pipe()         # the job: grader -> child
        self.fd, self.buffer, self.received = read_fd, bytearray(), 0
        self.scanned = 0                        # bytes of buffer known to hold no newline
        self.poller = select.poll()
        self.poller.register(read_fd, select.POLLIN | select.POLLHUP)
        # stdin: an empty pipe (EOF at once); stdout and stderr: a pipe the grader drains. Never a
        # host file: the child could change its mode or owner (the seccomp filter refuses that too).
        stdin_read, stdin_write = os.pipe()
        os.close(stdin_write)
        log_read, log_write = os.pipe()
        filter_fd = None
        command = [PYTHON, "-I", "-S", CHILD, str(job_read), str(write_fd)]
        if self.mode == "bubblewrap":
            if seccomp_program("bwrap") is not None:
                filter_fd = seccomp.program_fd(seccomp_program("bwrap"))
            command = bwrap_command(env, filter_fd, course_copy) + [
                PYTHON, "-I", "-S", f"{CHILD_ROOT}/grading/child.py", str(job_read), str(write_fd)]
        self.times = {"start": time.time()}
        try:
            self.proc = subprocess.Popen(
                command, cwd="/" if self.mode == "bubblewrap" else self.workdir, env=env,
                stdin=stdin_read, stdout=log_write, stderr=log_write,
                pass_fds=tuple(fd for fd in (write_fd, job_read, filter_fd) if fd is not None),
                start_new_session=True, **user)
        except BaseException:                    # could not start: leave no folder, fd or uid behind
            for fd in (read_fd, job_write, log_read):
                os.close(fd)
            shutil.rmtree(self.base, ignore_errors=True)
            with _uids_lock:
                _uids_in_use.discard(self.uid)
            raise
        finally:
            for fd in (write_fd, job_read, stdin_read, log_write, filter_fd):
                if fd is not None:
                    os.close(fd)
        self.job_fd = job_write
        self.drainer = threading.Thread(target=self._drain, args=(log_read,), daemon=True)
        self.drainer.start()
        self.send_cases = threading.Event()     # set when "ready" came (or when giving up)
        self.writer = threading.Thread(target=self._feed, args=(setup, cases), daemon=True)
        self.writer.start()

    # --- writing -------------------------------------------------------------------------------
    def _feed(self, setup: dict, cases: list) -> None:
        """Send the key and the setup now, the cases once the child is ready (never before: the
        student's top-level code runs in between)."""
        try:
            _write_all(self.job_fd, self.key + _framed(setup))
            self.send_cases.wait()
            if self.ready:
                _write_all(self.job_fd, _framed(cases))
        except OSError:                          # the child is gone: the reader finds out why
            pass

    def _drain(self, fd: int) -> None:
        """Read the child's stdout and stderr until every writer closed them; keep the last
        LOG_BYTES (for the message of a crash), drop the rest."""
        try:
            while True:
                data = os.read(fd, 1 << 16)
                if not data:
                    return
                self.log += data
                if len(self.log) > 2 * LOG_BYTES:
                    del self.log[:-LOG_BYTES]
        except OSError:
            return
        finally:
            os.close(fd)

    # --- reading -------------------------------------------------------------------------------
    def cpu(self) -> float:
        """CPU seconds (user + system) the child's processes used so far (under bubblewrap: bwrap
        and the Python inside it); the last value seen once they are gone. The processes are
        looked up at most once a second until the child is ready, once then, never after (the
        filter lets no new ones start), so a check costs one read of /proc/<pid>/stat per process."""
        now = time.monotonic()
        if not self.processes_final and (self.ready or now >= self.processes_found + 1.0):
            try:
                self.processes = [psutil.Process(pid) for pid in descendants(self.proc.pid)]
            except psutil.Error:
                pass
            self.processes_found, self.processes_final = now, self.ready
        total = 0.0
        for process in self.processes:
            try:
                times = process.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                continue
        self.cpu_seen = max(self.cpu_seen, total)
        return self.cpu_seen

    def next_message(self, deadline: float, cpu_deadline: float = math.inf) -> dict | str:
        """The next authenticated message, or "timeout" (the wall-clock `deadline` passed, or the
        child's CPU seconds reached `cpu_deadline`), "exited" or "too much output"; raises
        Tampered for a line the child's own code did not write."""
        next_check = 0.0
        while True:
            newline = self.buffer.find(b"\n", self.scanned)   # not from 0: a long line stays linear
            self.scanned = len(self.buffer) if newline < 0 else 0
            if newline >= 0:
                line = bytes(self.buffer[:newline])
                del self.buffer[: newline + 1]
                return self._verify(line)
            now = time.monotonic()
            left = deadline - now
            if left <= 0:
                return "timeout"
            if now >= next_check:
                if self.cpu() >= cpu_deadline:
                    return "timeout"
                next_check = now + CPU_CHECK_SECONDS
            if self.poller.poll(int(min(left, CPU_CHECK_SECONDS) * 1000) + 1):
                data = os.read(self.fd, 1 << 20)
                if not data:
                    return self._closed()
                self.received += len(data)
                if self.received > MAX_RESULT_BYTES:
                    return "too much output"
                self.buffer += data
            elif self.proc.poll() is not None and not self.poller.poll(0):
                return self._closed()                  # dead, though a grandchild may hold the pipe

    def _closed(self) -> str:
        if self.buffer:
            raise Tampered("left an unfinished line on the grader's result channel")
        return "exited"

    def _verify(self, line: bytes) -> dict:
        tag, _, body = line.partition(b" ")
        expected = hmac.new(self.key, str(self.lines).encode() + b":" + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(tag, expected.encode()):
            raise Tampered(f"wrote to the grader's result channel (line {self.lines + 1} is not the "
                           "grader's child's)")
        self.lines += 1
        try:
            message = json.loads(body)
        except (ValueError, RecursionError):
            raise Tampered("sent a result line the grader cannot read") from None
        if not isinstance(message, dict):
            raise Tampered("sent a result line the grader cannot read")
        return message

    def supervise(self, deadline: float, cpu_left: float = math.inf
                  ) -> tuple[dict[str, ExerciseRun], ExerciseRun | None, str]:
        """Read until the child finishes or fails; the lines must come exactly in the protocol's
        order (child.py), else Tampered.

        Returns (finished runs, the run that was stopped or None, why the child stopped).
        """
        finished: dict[str, ExerciseRun] = {}
        current: ExerciseRun | None = None
        self.cpu_left, self.deadline = cpu_left, deadline
        setup = (time.monotonic() + WALL_FACTOR * SETUP_SECONDS, SETUP_SECONDS)     # (wall, CPU)
        exercise = (deadline, cpu_left)
        try:
            while True:
                wall, cpu = exercise if current else ((deadline, cpu_left) if self.ready else setup)
                message = self.next_message(min(wall, deadline), min(cpu, cpu_left))
                if isinstance(message, str):
                    return finished, self._stopped(current, message), self._reason(message)
                event = message.get("event")
                if not self.ready:
                    if event != "ready":
                        raise Tampered(f"sent {str(event)[:40]!r} before the functions were defined")
                    self.ready = True
                    self.times["ready"] = time.time()
                    timing = message.get("timing")
                    if type(timing) is list and len(timing) == 2 and all(type(t) is float for t in timing):
                        self.times["entered"], self.times["imported"] = timing
                    self.setup_errors = [str(e)[:500] for e in message.get("setup_errors", [])][:20]
                    threads = message.get("threads")
                    if threads != 0:
                        raise Tampered(f"left {threads} thread(s) running after its top-level code; "
                                       "the grader does not run functions next to threads")
                    if message.get("spawned") is not False:
                        raise Tampered("started a thread or a process in its top-level code; the "
                                       "grader does not run functions next to them")
                    self.send_cases.set()
                    continue
                position = len(finished)
                if current is None:
                    if position == len(self.order):
                        if event != "finished":
                            raise Tampered(f"sent {str(event)[:40]!r} after its last exercise")
                        self.times["finished"] = time.time()
                        return finished, None, "finished"
                    if event != "start" or message.get("exercise") != self.order[position]:
                        raise Tampered(f"sent {str(event)[:40]!r} where exercise "
                                       f"{self.order[position]!r} should start")
                    job = self.exercises[self.order[position]]
                    current = ExerciseRun(job.id)
                    exercise = (time.monotonic() + WALL_FACTOR * job.timeout, self.cpu() + job.timeout)
                    continue
                job = self.exercises[current.id]
                over = len(current.results) == len(job.cases) or bool(
                    current.results and "error" in current.results[-1])
                if event == "done" and message.get("exercise") == current.id and over:
                    finished[current.id] = current
                    current = None
                elif event == "case" and not over and message.get("exercise") == current.id \
                        and message.get("index") == len(current.results):
                    result = _case_result(message)
                    current.results.append(result)
                    current.course_lib = current.course_lib or result["course_lib"]
                else:
                    raise Tampered(f"sent {str(event)[:40]!r} out of order in exercise {current.id!r}")
        finally:
            self.send_cases.set()                 # the writer stops waiting

    def _stopped(self, current: ExerciseRun | None, why: str) -> ExerciseRun | None:
        if current is None:
            return None
        if why == "timeout":
            current.outcome = "timeout"
            job = self.exercises[current.id]
            if time.monotonic() >= self.deadline or self.cpu_seen >= self.cpu_left:
                current.message = "the notebook's time limit was reached while this exercise ran"
            else:
                current.message = (f"took longer than {job.timeout:g} s of CPU time (or "
                                   f"{WALL_FACTOR * job.timeout:g} s in all) for its {len(job.cases)} cases "
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
        if self.mode == "bubblewrap" and code is not None and 128 < code < 128 + 65:
            code = 128 - code                    # bwrap exits with 128 + the signal that killed the child
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            what = {"SIGSEGV": "crashed (segmentation fault)", "SIGXCPU": "ran out of CPU time",
                    "SIGKILL": "was killed (out of memory or time)", "SIGABRT": "aborted"}
            text = f"the process {what.get(name, 'was stopped')} ({name})"
        else:
            text = f"the process exited early with code {code} (os._exit, sys.exit or a crash)"
        return text + (f"; last output: {tail}" if tail else "")

    def _log_tail(self) -> str:
        self.drainer.join(timeout=1)             # the child is dead: what it wrote is read soon
        lines = [line.strip() for line in bytes(self.log[-2000:]).decode("utf-8", "replace").splitlines()]
        lines = [line for line in lines if line]
        fatal = [line for line in lines if line.startswith("Fatal Python error")]
        return (fatal or lines or [""])[-1][:200]

    # --- cleaning up ---------------------------------------------------------------------------
    def cleanup(self) -> None:
        """Kill the child and its process group (under bubblewrap: its whole PID namespace);
        outside bubblewrap also every process carrying its token or uid; delete its files."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.send_cases.set()
        os.close(self.job_fd)                    # the writer, if still writing, gets EPIPE/EBADF
        self.writer.join(timeout=5)
        if self.mode != "bubblewrap":            # the namespace ended with bwrap: nothing to sweep
            kill_by_token(self.token, self.uid)
        os.close(self.fd)
        shutil.rmtree(self.base, ignore_errors=True)
        if self.uid is not None:
            remove_files_of(self.uid)
            with _uids_lock:
                _uids_in_use.discard(self.uid)
        self.times["ended"] = time.time()
        if PHASES is not None:
            PHASES.append(self.times)


@functools.cache
def mode() -> tuple[str, str]:
    """(sandbox, why): "bubblewrap" when `bwrap` runs this Python with numpy, else "separate-users"
    when the grader is root and a uid from SANDBOX_UIDS can run it, else "plain"; `why` says why
    a fallback was used ("" for bubblewrap). COURSE_GRADE_SANDBOX=<mode> insists on one mode
    (an error if it cannot run here)."""
    wanted = os.environ.get(MODE_VARIABLE, "")
    if wanted and wanted not in MODES:
        raise RuntimeError(f"{MODE_VARIABLE}={wanted!r}: expected one of {', '.join(MODES)}")
    reasons = []
    if wanted in ("", "bubblewrap"):
        problem = bubblewrap_problem()
        if problem is None:
            return "bubblewrap", ""
        if wanted:
            raise RuntimeError(f"{MODE_VARIABLE}=bubblewrap, but {problem}")
        reasons.append(problem)
    if wanted in ("", "separate-users"):
        if separate_users():
            return "separate-users", "; ".join(reasons)
        if wanted:
            raise RuntimeError(f"{MODE_VARIABLE}=separate-users, but the grader is not root or no "
                               "unprivileged user can run this Python")
        reasons.append("no separate users: " + ("the grader is not root" if os.geteuid() != 0 else
                                                "an unprivileged user cannot run this Python"))
    return "plain", "; ".join(reasons) or f"{MODE_VARIABLE}=plain"


def bubblewrap_problem() -> str | None:
    """None if bubblewrap can run this Python with numpy, else why not."""
    if shutil.which("bwrap") is None:
        return "bwrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    program = seccomp_program("bwrap")
    filter_fd = None if program is None else seccomp.program_fd(program)
    command = bwrap_command({"PATH": os.defpath}, filter_fd) + [PYTHON, "-I", "-c", "import numpy"]
    try:
        probe = subprocess.run(command, cwd="/", stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
                               pass_fds=() if filter_fd is None else (filter_fd,))
    except (OSError, subprocess.SubprocessError) as exc:
        return f"bwrap could not start ({exc})"
    finally:
        if filter_fd is not None:
            os.close(filter_fd)
    if probe.returncode != 0:
        lines = probe.stderr.decode("utf-8", "replace").strip().splitlines()
        return f"bwrap could not run this Python ({(lines or [f'code {probe.returncode}'])[-1][:200]})"
    return None


def seccomp_program(where: str) -> bytes | None:
    """The seccomp program (seccomp.py) for `bwrap --seccomp` ("bwrap": all but exec, which bwrap
    itself needs once) or for the child to load itself ("child": under bubblewrap exec alone,
    stacked on bwrap's; in the other modes the whole program). None where seccomp.py does not know
    the architecture."""
    if not seccomp.supported():
        return None
    if where == "bwrap":
        return seccomp.program()
    return seccomp.program(exec_only=mode()[0] == "bubblewrap", exec_too=True)


def bwrap_command(env: dict, filter_fd: int | None = None, course_lib: str | None = None) -> list[str]:
    """bwrap and its options (see the module docstring), with `--seccomp filter_fd` when given,
    and the folder `course_lib` (stubs.student_copy) mounted over course_lib when given (else
    course_lib itself, datafiles hidden); PYTHON and its arguments follow."""
    args = ["bwrap", "--unshare-all", "--unshare-user", "--disable-userns",
            "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
            "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--hostname", "sandbox",
            "--ro-bind", "/usr", "/usr"]
    for folder in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(folder):
            args += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            args += ["--ro-bind", folder, folder]
    for path in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime"):
        if os.path.exists(path):
            args += ["--ro-bind", path, path]
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(TMP_BYTES), "--tmpfs", "/tmp"]
    for folder in python_folders():
        args += ["--ro-bind", folder, folder]
    args += ["--ro-bind", course_lib or COURSE_LIB, COURSE_LIB]     # after the venv: it may be inside
    for name in HIDDEN if course_lib is None else ():               # an empty folder over each hidden one
        if os.path.isdir(os.path.join(COURSE_LIB, name)):
            args += ["--tmpfs", os.path.join(COURSE_LIB, name)]
    for name in CHILD_FILES:
        args += ["--ro-bind", os.path.join(COURSE_LIB, name), f"{CHILD_ROOT}/{name}"]
    args += ["--chdir", "/tmp", "--clearenv"]
    if filter_fd is not None:
        args += ["--seccomp", str(filter_fd)]
    for name, value in env.items():
        args += ["--setenv", name, value]
    return args + ["--"]


@functools.cache
def child_sys_path() -> list[str]:
    """What the child (started with -S: no site module, so no .pth file runs at its start: ~70 ms
    less) adds to sys.path: this Python's site-packages folders, and course_lib's parent folder
    unless course_lib is in one of them (an editable install)."""
    import site

    folders = [f for f in site.getsitepackages() if os.path.isdir(f)]
    parent = os.path.dirname(COURSE_LIB)
    return folders if parent in folders else folders + [parent]


def python_folders() -> list[str]:
    """The folders the child needs besides the system and course_lib: this Python's installation
    (its real place, e.g. under /root/.pyenv) and the virtual environment; none inside another."""
    prefixes = (sys.base_prefix, sys.base_exec_prefix, sys.prefix, sys.exec_prefix)
    folders = {os.path.realpath(p) for p in prefixes}
    folders.add(os.path.dirname(os.path.dirname(os.path.realpath(PYTHON))))   # .../bin/python -> ...
    folders = {f for f in folders if not f.startswith("/usr/") and f != "/usr" and os.path.isdir(f)}
    return sorted(f for f in folders if not any(f.startswith(g + os.sep) for g in folders if g != f))


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


def descendants(pid: int) -> list[int]:
    """pid and its descendants, from /proc/<pid>/task/<pid>/children (a few small reads, where
    psutil's children() reads every process's stat); psutil's when that file does not exist."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children") as f:
                todo += [int(child) for child in f.read().split()]
        except FileNotFoundError:
            if current == pid and os.path.isdir(f"/proc/{pid}"):     # a kernel without the file
                return [pid] + [p.pid for p in psutil.Process(pid).children(recursive=True)]
        except (OSError, ValueError):
            continue
    return found


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
    """One case's reply as ExerciseRun.results holds it. A reply without the watch's verdict
    counts as a reference call: a missing verdict is never clean."""
    watch = message.get("course_lib", "no verdict from the reference watch came back")
    watch = None if watch is None else str(watch)[:300]
    if "error" in message:
        return {"error": str(message["error"])[:500], "not_implemented": bool(message.get("not_implemented")),
                "course_lib": watch}
    try:
        value = wire.from_plain(message.get("value"))
    except Exception:  # whatever an odd message holds, it is this case's wrong answer, not a grader error
        value = wire.Unreadable("malformed value")
    return {"value": value, "mutated": bool(message.get("mutated")), "course_lib": watch}


def _framed(document) -> bytes:
    """A JSON document with its length in front (8 bytes, big-endian), as child.read_message reads it."""
    data = json.dumps(document, allow_nan=True, separators=(",", ":")).encode()
    return len(data).to_bytes(8, "big") + data


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
