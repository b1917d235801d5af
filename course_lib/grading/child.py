"""The program that runs inside the sandbox: define a student's functions, call them, report.

Started by `sandbox.py` as `python -I -S child.py JOB_FD RESULT_FD` (inside bubblewrap where it
exists, from /course_grade/grading/, outside the course_lib the student sees; -S: no site module,
the setup names the folders for sys.path). stdin is an empty pipe, stdout and stderr a pipe the
grader drains. JOB_FD is a pipe from the grader that carries, in this order:

    32 bytes      the key of this run (see "The protocol" below)
    8 + n bytes   the setup: the student's definitions, the reference watch, the limits, the
                  seccomp program to load (grading/seccomp.py), sys.path, and per exercise its
                  id, function name and number of cases
    8 + n bytes   the cases' inputs: sent by the grader only after "ready", i.e. after the
                  student's top-level code has run, so that code never sees them

RESULT_FD is a pipe that only the grader reads (the student's prints go to a size-capped log).

The protocol. Every line is `<mac> <json>` where mac = HMAC-SHA256(key, "<n>:<json>") and n
counts the lines from 0, so a line the child did not write, or a line moved, dropped or
repeated, is detected. The grader expects exactly this sequence and nothing else:

    {"event": "ready", "setup_errors": [...], "threads": 0, "spawned": false}
    for each exercise, in the order of the setup:
      {"event": "start", "exercise": "mse"}
      one line per case, in order, until all ran or one raised:
      {"event": "case", "exercise": "mse", "index": 0, "value": <wire data>, "mutated": false,
       "course_lib": null}
      {"event": "case", "exercise": "mse", "index": 1, "error": "...", "not_implemented": false,
       "course_lib": "course_lib/nn.py: mse_loss()"}
      {"event": "done", "exercise": "mse"}
    {"event": "finished"}

"course_lib" is the reference watch's verdict for that case: the reference code (references.py)
that ran while the case ran, or while the top-level definitions ran, else null.

What student code cannot reach. First of all the kernel's: the child loads the grader's seccomp
filter (under bubblewrap, bwrap loaded all of it but exec, which the child adds), so no new
process, exec, chmod/chown, ptrace... whatever Python does. Then, as a second layer, before any
student code runs, the child installs an audit hook
(sys.addaudithook; it cannot be removed) and a profile hook (sys.setprofile) that stays on for the
rest of the process. The audit hook refuses, to student code: frame objects (sys._getframe,
tracebacks' and generators' frames, sys._current_frames), the garbage collector's object lists,
ctypes, /proc (its own process's memory; also relative to a dir_fd: a relative path through
proc/ or with '..' after a folder), symbolic links, subinterpreters (no audit hook runs in one:
_xxsubinterpreters and its kin, imported or loaded with _imp.create_dynamic), new audit hooks,
changing the profile or trace function, threads and new processes; signal handlers (they
receive frames), gc.set_debug and fresh copies of the built-in modules locked here are refused
too. Everything the verdict and the
protocol depend on (the key, inside a C HMAC object; the watch's state; the loop over the cases)
lives in local variables of the closures below, bound before student code runs, and the cases
arrive only after it ran. `sys.modules["__main__"]` is the student's namespace, as in a notebook.
Under bubblewrap the child has its own PID namespace: a thread or process started by whatever
route (the id counter of the namespace moves) voids the notebook at top level and fails the
case during a call; a watch that CPython dropped (a profile hook that raised) fails every later
case.

Imports only the standard library, numpy and wire.py (loaded by path, so the course_lib package
itself is not imported and the student's code starts with a clean module table; under bubblewrap
the course_lib it would import is the notebook's copy of grading/stubs.py).
"""

from __future__ import annotations

import _hashlib
import _imp
import _json
import _signal
import _thread
import ast
import base64
import builtins
import faulthandler
import gc
import importlib.machinery
import importlib.util
import io
import json
import os
import resource
import signal
import sys
import threading
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
COURSE_LIB = os.path.dirname(HERE) + os.sep


def load_sibling(name: str):
    """grading/<name>.py loaded by path (in the sandbox the course_lib package is not imported)."""
    spec = importlib.util.spec_from_file_location(f"_course_grade_{name}", os.path.join(HERE, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


try:    # imported as course_lib.grading.child (check() in the notebook, yours.py)
    from . import runner
except ImportError:     # run as `python -I child.py` in the sandbox
    runner = load_sibling("runner")
LOG_LIMIT = 1_000_000          # characters of stdout/stderr kept from Python prints
KEY_BYTES = 32

# audit events refused to student code (see the module docstring)
REFUSED_EVENTS = frozenset({
    "sys._getframe", "sys._current_frames", "sys.settrace", "sys.setprofile", "sys.addaudithook",
    "gc.get_objects", "gc.get_referrers", "gc.get_referents",
    "os.fork", "os.forkpty", "os.posix_spawn", "os.exec", "os.spawn", "os.system", "subprocess.Popen",
    "_thread.start_new_thread", "os.symlink",
})
FRAME_ATTRIBUTES = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})
REFUSED_IMPORTS = frozenset({"_thread", "_ctypes", "gc"})   # fresh copies of what was locked away
# subinterpreters run code with no audit hook and no watch: neither imported nor loaded by hand
SUBINTERPRETERS = ("_xxsubinterpreters", "_interpreters", "_xxinterpchannels", "_interpchannels",
                   "_interpqueues", "_xxinterpqueues")
LOCKED_BUILTINS = frozenset({"sys", "builtins", "_thread", "_imp", "_signal", "gc"})   # see lock_builtins


class Refused(RuntimeError, AttributeError, ValueError):
    """What student code gets for a refused operation (AttributeError and ValueError too, so the
    standard library's `try: sys._getframe(...) except (AttributeError, ValueError)` still works)."""


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
    """CPU time, address space, file size, no core files; fewer processes when not root. A limit
    the grader itself runs under (a prlimit'd or container-limited grader) is never raised."""
    def lower(kind, soft, hard):
        ceiling = resource.getrlimit(kind)[1]
        if ceiling != resource.RLIM_INFINITY:
            soft, hard = min(soft, ceiling), min(hard, ceiling)
        resource.setrlimit(kind, (soft, hard))

    lower(resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 5)
    lower(resource.RLIMIT_AS, memory_bytes, memory_bytes)
    lower(resource.RLIMIT_FSIZE, file_bytes, file_bytes)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # writing past the limit fails, does not kill
    if os.geteuid() != 0:                           # root ignores RLIMIT_NPROC
        mine = sum(1 for p in os.listdir("/proc") if p.isdigit() and _owned(p))
        resource.setrlimit(resource.RLIMIT_NPROC, (mine + 64, mine + 64))


def load_seccomp(program: bytes) -> None:
    """Load the grader's seccomp program (grading/seccomp.py) on this process: from now on the
    kernel refuses what it lists, to this process and to anything it could start; a filter cannot
    be removed. prctl(PR_SET_NO_NEW_PRIVS) first, as the kernel requires (bubblewrap set it
    already). ctypes is used here, before student code runs (numpy imports it anyway); the guard
    refuses every ctypes call to student code."""
    import ctypes

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = SockFprog(len(program) // 8, ctypes.addressof(buffer))
    pr_set_no_new_privs, pr_set_seccomp, seccomp_mode_filter = 38, 22, 2
    if libc.prctl(pr_set_no_new_privs, 1, None, 0, 0) != 0 or \
            libc.prctl(pr_set_seccomp, seccomp_mode_filter, ctypes.addressof(fprog), 0, 0) != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"could not load the seccomp filter: {os.strerror(number)}")
    del libc, buffer, fprog


def _owned(pid: str) -> bool:
    try:
        return os.stat(f"/proc/{pid}").st_uid == os.geteuid()
    except OSError:
        return False


def read_exactly(fd: int, n: int) -> bytearray:
    """n bytes from fd into a fresh bytearray (mutable, so a key can be wiped after use)."""
    buffer = bytearray(n)
    view, got = memoryview(buffer), 0
    while got < n:
        k = os.readv(fd, [view[got:]])
        if k == 0:
            raise EOFError("the grader closed the job channel")
        got += k
    return buffer


def read_message(fd: int):
    """One length-prefixed JSON document from fd."""
    size = int.from_bytes(read_exactly(fd, 8), "big")
    return json.loads(bytes(read_exactly(fd, size)))


def make_reporter(fd: int, key: bytearray):
    """`send(message)`: one authenticated line to the grader (see the protocol). The key goes into
    a C HMAC object and is wiped here; json's C encoder and os.write are bound now, so a student
    who patches json, hmac or os later changes nothing."""
    mac = _hashlib.hmac_new(key, digestmod="sha256")
    key[:] = bytes(len(key))
    encode = _json.make_encoder(None, None, _json.encode_basestring_ascii, None, ":", ",",
                                False, False, True)
    write, join, encode_str, counter = os.write, "".join, str.encode, [0]
    to_bytes = int.__str__

    def send(message: dict) -> None:
        text = join(encode(message, 0))
        data = encode_str(text)
        tag = mac.copy()
        tag.update(encode_str(to_bytes(counter[0]) + ":"))
        tag.update(data)
        counter[0] += 1
        view = memoryview(encode_str(tag.hexdigest() + " ") + data + b"\n")
        while view:
            view = view[write(fd, view):]

    return send


def make_guard():
    """(audit hook, trust): the hook refuses REFUSED_EVENTS to student code; `trust(True)` lets
    the child's own code through (only for reading a traceback). It also creates built-in modules
    for lock_builtins(), refusing fresh copies of LOCKED_BUILTINS."""
    trusted = [True]
    create_builtin, module_spec, locked = _imp.create_builtin, importlib.machinery.ModuleSpec, LOCKED_BUILTINS
    create_dynamic, subinterpreters = _imp.create_dynamic, SUBINTERPRETERS
    basename = os.path.basename
    refused, frames, imports = REFUSED_EVENTS, FRAME_ATTRIBUTES, REFUSED_IMPORTS
    realpath, fspath, startswith, str_type, bytes_type, int_type = (
        os.path.realpath, os.fsdecode, str.startswith, str, bytes, int)
    get_type, refuse = type, Refused

    def hook(event, args):
        if event == "course_grade.create_builtin":
            spec, box = args
            name = spec.name
            if get_type(name) is not str_type or name in locked:
                raise refuse("the grader does not allow a fresh copy of this built-in module")
            box.append(create_builtin(module_spec(name, None)))
            return
        if event == "course_grade.create_dynamic" and trusted[0]:
            box = args[1]
            box.append(create_dynamic(args[0]))
            return
        if trusted[0]:
            return
        if event == "object.__getattr__":        # the most frequent: the watch reads frame.f_code
            if args[1] in frames:
                raise refuse("the grader does not allow reading frames in submissions")
            return
        if event in refused or startswith(event, "ctypes."):
            raise refuse("the grader does not allow " + event + " in submissions")
        if event == "import" and get_type(args[0]) is str_type and (
                args[0] in imports or startswith(args[0].rpartition(".")[2], subinterpreters)):
            raise refuse("the grader does not allow importing this module"
                         + (" (subinterpreters)" if args[0] not in imports else " again"))
        if event == "course_grade.create_dynamic":
            spec, box = args
            name, origin = spec.name, spec.origin
            if get_type(name) is not str_type or startswith(name.rpartition(".")[2], subinterpreters) or (
                    get_type(origin) is str_type and startswith(basename(origin), subinterpreters)):
                raise refuse("the grader does not allow importing this module (subinterpreters)")
            box.append(create_dynamic(spec))
            return
        if event == "open":
            path = args[0]
            kind = get_type(path)
            if kind is not int_type and (kind is str_type or kind is bytes_type):
                path = fspath(path)
                if startswith(realpath(path), "/proc"):
                    raise refuse("the grader does not allow opening files in /proc")
                if not startswith(path, "/"):        # maybe relative to a dir_fd the event does not show
                    parts = [p for p in path.split("/") if p not in ("", ".")]
                    leading = 0
                    while leading < len(parts) and parts[leading] == "..":
                        leading += 1
                    if "proc" in parts or ".." in parts[leading:]:    # ".." after a link: /dev/fd/..
                        raise refuse("the grader does not allow opening files in /proc (a relative "
                                     "path through proc/, or with '..' after a folder)")

    def trust(on: bool) -> None:
        trusted[0] = on

    return hook, trust


def make_watch(forbidden: dict, student_files: frozenset):
    """(profile, verdict, reset): a profile hook that notices when the course's reference code
    (see references.py) runs, and the verdict since the last reset: "course_lib/nn.py: mse_loss()"
    or None. A call counts when its code is a reference function's or lives in a forbidden folder;
    the verdict names the first one the student's own code called (else the first called from
    elsewhere, else the first forbidden module imported)."""
    codes = frozenset((filename, line) for filename, line in forbidden["codes"])
    prefixes = tuple(forbidden["prefixes"])
    state = [None, None, None]      # direct, indirect, imported
    here, cut = HERE, len(forbidden.get("course_lib", COURSE_LIB))
    startswith, exact = str.startswith, str.__str__   # exact(s): a plain str, never a subclass's code

    def profile(frame, event, arg):
        if event != "call" or state[0] is not None:
            return
        code = frame.f_code
        filename = exact(code.co_filename)
        if (filename, code.co_firstlineno) not in codes and (
                not startswith(filename, prefixes) or startswith(filename, here)):
            return
        where = "course_lib/" + filename[cut:] + ": " + exact(code.co_qualname) + "()"
        back = frame.f_back
        caller = exact(back.f_code.co_filename) if back is not None else ""
        if exact(code.co_name) == "<module>":
            if state[2] is None:
                state[2] = "import of course_lib/" + filename[cut:]
        elif caller in student_files:
            state[0] = where
        elif state[1] is None:
            state[1] = where

    def verdict():
        return state[0] or state[1] or state[2]

    def reset():
        state[0] = state[1] = state[2] = None

    return profile, verdict, reset


class CourseWatch:
    """The same watch for a notebook's check() (outside the sandbox): `call(function, args, kwargs)`
    runs the function under make_watch's profile hook; `found` is the verdict."""

    def __init__(self, forbidden: dict, student_files: set[str]):
        self._profile, self._verdict, self._reset = make_watch(forbidden, frozenset(student_files))

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
        return self._verdict()


def lock_builtins() -> None:
    """`_imp.create_builtin` (how a built-in module is created, also by importlib.reload) now goes
    through the audit hook, which holds the real one: a fresh `sys` would bring back
    `sys.getprofile`, a fresh `_thread` an unwatched thread starter. The replacement holds nothing."""
    scope = {"__builtins__": {}, "audit": sys.audit}
    exec("def create_builtin(spec):\n    box = []\n    audit('course_grade.create_builtin', spec, box)\n"
         "    return box[0]\n"
         "def create_dynamic(spec, file=None):\n    box = []\n"
         "    audit('course_grade.create_dynamic', spec, box)\n"
         "    return box[0]\n", scope)
    _imp.create_builtin = scope["create_builtin"]
    _imp.create_dynamic = scope["create_dynamic"]     # extension modules: subinterpreters refused


def refuse_threads_and_handlers() -> None:
    """New threads cannot start: threading's and _thread's starters refuse, and a Thread that
    slipped through would die at its first step (sys.setprofile is refused to it). No signal
    handler can be installed (a handler gets the frame it interrupts: the child's own, whose
    locals hold the watch and the reporter), and the garbage collector cannot be told to keep
    what it collects (gc.garbage would hold frames). None of this holds anything of the child's."""
    def refused(*args, **kwargs):
        raise Refused("the grader does not allow threads, signal handlers or gc.set_debug in submissions")

    _thread.start_new_thread = _thread.start_new = threading._start_new_thread = refused
    threading.setprofile(refused)               # and threading.getprofile() does not show the watch
    signal.signal = _signal.signal = refused
    gc.set_debug = refused


def define(cells: list[dict], namespace: dict, seconds: float | None = None, describe=None,
           set_handler=None, wall_seconds: float | None = None) -> list[str]:
    """Execute the kept top-level statements of each cell; return one line per failure.

    With `seconds` (in the sandbox), a statement that runs longer (a slow cell's
    `data = train(...)` that a function reads) is stopped and reported, so it costs only the
    functions that need it: `seconds` of CPU time, or `wall_seconds` (default runner.WALL_FACTOR x
    seconds) in all, timed by runner.make_timer, the one timer of check(), the loader and the
    child. `describe` is make_describe's function, bound by the caller (outside
    the sandbox, e.g. in the capstone's explorer, one without a guard).
    """
    describe = describe or make_describe(lambda on: None)
    start, stop = runner.make_timer(TimeoutError, set_handler or signal.signal)   # bound before student code
    wall_seconds = wall_seconds or runner.WALL_FACTOR * (seconds or 0)
    message = (f"this statement took longer than {seconds or 0:g} s of CPU time (or {wall_seconds:g} s "
               "in all) and was skipped")
    statements = []
    for cell in cells:                          # compiled before any student code runs
        tree = ast.parse(cell["source"])
        for index in cell["keep"]:
            module = ast.Module(body=[tree.body[index]], type_ignores=[])
            where = f"{cell['filename']}, line {tree.body[index].lineno}"
            statements.append((where, compile(module, cell["filename"], "exec")))
    errors, append, exec_ = [], list.append, exec
    for where, code in statements:
        token = start(seconds, message, wall_seconds) if seconds else None
        try:
            exec_(code, namespace)
        except BaseException as exc:  # noqa: B036 - the student's code may raise anything
            append(errors, where + ": " + describe(exc))
        finally:
            if token is not None:
                stop(token)
    return errors


def make_describe(trust):
    """describe(exc) -> 'ZeroDivisionError: division by zero (line 3 of mse)', from the student's code.

    The exception is the student's: its __str__ runs under the guard, its class's name is read
    without calling its class's code, and only the walk over the traceback is trusted. During
    that walk no student code can run: every name it uses is bound here, signals are blocked
    (handlers already pending run before) and the cyclic garbage collector (finalizers) is off.
    """
    get_type, str_type, startswith, here = type, str, str.startswith, HERE
    int_str, str_str = int.__str__, str.__str__
    type_name = type.__dict__["__name__"].__get__     # a class's own name, whatever its metaclass says
    traceback_of = BaseException.__traceback__.__get__  # not a property the student's class defines
    sigmask, block, setmask, everything = signal.pthread_sigmask, signal.SIG_BLOCK, signal.SIG_SETMASK, \
        signal.valid_signals()
    gc_enabled, gc_disable, gc_enable = gc.isenabled, gc.disable, gc.enable

    course, libraries = os.path.dirname(here) + os.sep, tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})

    def trusted_walk(tb) -> str:
        # the student's deepest line, and whether the error came from course code it called (issue 21:
        # "line 47 of <lambda>" in graph.py is no help); numpy's and Python's own frames are skipped
        where, student, inside_course = "", "", False
        try:
            mask = sigmask(block, everything)      # pending handlers run here, still untrusted
        except BaseException:  # noqa: B036 - a student's signal handler may raise anything
            mask = None
        collecting = gc_enabled()
        gc_disable()
        trust(True)
        try:
            while tb is not None:
                code = tb.tb_frame.f_code
                if get_type(code.co_filename) is str_type and not startswith(code.co_filename, here):
                    where = " (line " + int_str(tb.tb_lineno) + " of " + str_str(code.co_name) + ")"
                    if startswith(code.co_filename, course):
                        inside_course = True
                    elif not startswith(code.co_filename, libraries):
                        student, inside_course = where, False
                tb = tb.tb_next
            if inside_course:
                where = " (raised inside course code, from your input to it" + \
                    (" at " + student[2:-1] + ")" if student else ")")
            elif student:
                where = student
        finally:
            trust(False)
            if collecting:
                gc_enable()
            try:
                if mask is not None:
                    sigmask(setmask, mask)
            except BaseException:  # noqa: B036 - handlers run again here, untrusted
                pass
        return where

    def describe(exc: BaseException) -> str:
        where = trusted_walk(traceback_of(exc))
        try:
            message = exc.__str__()
            message = message if get_type(message) is str_type else "(an unprintable message)"
        except BaseException:  # noqa: B036 - a student's __str__ may raise anything
            message = "(an unprintable message)"
        name = str_str(type_name(get_type(exc)))     # a class's __name__ may be set to a str subclass
        text = name + ": " + message if message else name
        return (text if len(text) < 300 else text[:297] + "...") + where

    return describe


def load_wire():
    return load_sibling("wire")


def make_thread_counter():
    """count() -> the threads of this process besides the main one, from /proc (no student object
    is asked, and the functions it uses are bound now)."""
    listdir, length, os_error = os.listdir, len, OSError

    def count() -> int:
        try:
            return length(listdir("/proc/self/task")) - 1
        except os_error:
            return 0

    return count


def make_pid_watch(own_namespace: bool):
    """last() -> the last process or thread id handed out in this PID namespace (bubblewrap gives
    the child its own, so any change means this process started a thread or a process), or -1 if
    that cannot be read any more; without an own namespace, always 0 (other processes move it)."""
    if not own_namespace:
        return lambda: 0
    fd = os.open("/proc/sys/kernel/ns_last_pid", os.O_RDONLY)   # opened before student code runs
    inode = os.fstat(fd).st_ino
    pread, fstat, to_int, error = os.pread, os.fstat, int, Exception

    def last() -> int:
        try:
            if fstat(fd).st_ino != inode:            # the student put another file on our fd
                return -1
            return to_int(pread(fd, 32, 0))
        except error:
            return -1

    return last


def main(job_fd: int, result_fd: int) -> None:
    entered = time.time()                         # for the grader's benchmark (bench.py): the phases
    key = read_exactly(job_fd, KEY_BYTES)
    setup = read_message(job_fd)
    sys.path.extend(setup.get("sys_path", []))    # started with -S: site-packages, without .pth files
    import numpy as np

    imported = time.time()
    os.set_inheritable(result_fd, False)        # programs the student starts do not get the pipes
    os.set_inheritable(job_fd, False)
    limit_resources(setup["cpu_seconds"], setup["memory_bytes"], setup["file_bytes"])
    if setup.get("seccomp"):
        load_seccomp(base64.b64decode(setup["seccomp"]))
    sys.stdout = CappedText(sys.stdout, LOG_LIMIT)
    sys.stderr = CappedText(sys.stderr, LOG_LIMIT)
    faulthandler.enable(file=sys.__stderr__)      # a segfault leaves a traceback in the log
    send = make_reporter(result_fd, key)
    del key
    wire = load_wire()
    student_files = frozenset(cell["filename"] for cell in setup["cells"])
    profile, verdict, reset = make_watch(setup["forbidden"], student_files)
    hook, trust = make_guard()
    describe = make_describe(trust)
    set_handler, profile_of = _signal.signal, sys.getprofile      # the real ones, before the locks
    last_pid = make_pid_watch(setup.get("pid_namespace", False))
    run_cases = make_case_runner(send, verdict, reset, describe, wire.to_plain, wire.from_plain,
                                 wire.closed_over, np.errstate, np.array_equal, np.ndarray,
                                 make_thread_counter(), last_pid, profile_of, profile)
    threads, clock, read, exit_ = make_thread_counter(), time.perf_counter, read_message, os._exit
    blocking = os.set_blocking
    main_module = types.ModuleType("__main__")
    namespace = main_module.__dict__
    namespace["__builtins__"] = builtins
    sys.modules["__main__"] = main_module         # the student's namespace, as in a notebook
    refuse_threads_and_handlers()
    sys.setprofile(profile)
    sys.getprofile = lambda: None                 # the watch is not handed to student code
    sys.addaudithook(hook)
    lock_builtins()
    trust(False)
    # --- from here on student code may run: only the locals bound above are used --------------
    started, mark = clock(), last_pid()
    errors = define(setup["cells"], namespace, setup["statement_seconds"], describe, set_handler,
                    setup.get("statement_wall_seconds"))
    top_level = verdict()
    if top_level is None and profile_of() is not profile:   # it raised (RecursionError...): dropped
        top_level = "the reference watch was switched off"
    reset()
    alive = threads()
    spawned = mark == -1 or last_pid() != mark        # a thread or process, however short-lived
    send({"event": "ready", "setup_errors": errors, "threads": alive, "spawned": spawned,
          "seconds": clock() - started, "timing": [entered, imported]})
    if alive or spawned:
        exit_(0)                                  # the grader refuses the notebook: nothing to run
    blocking(job_fd, True)                        # whatever the student's code did to it
    run_cases(setup["exercises"], read(job_fd), namespace, top_level)
    send({"event": "finished"})
    exit_(0)                                      # skip the student's atexit handlers


def make_case_runner(send, verdict, reset, describe, to_plain, from_plain, closed_over, errstate,
                     array_equal, ndarray, threads, last_pid, profile_of, profile):
    """The loop over the exercises and their cases, with everything it calls bound here, before
    student code runs (a student who patches builtins, numpy or this module's globals later
    changes neither the sequence of lines nor the verdicts).

    A case's verdict covers everything since the previous case's (student code that runs in
    between, in a signal handler or a finalizer, counts for the next case) and the top level.
    A case during which a thread or process was started (seen by last_pid) or after which a
    thread is still running is an error: threads and processes are refused to student code, so
    one that exists came around the guard, unwatched."""
    enumerate_, callable_, zip_, get = enumerate, callable, zip, dict.get
    int_str = int.__str__
    snapshot, changed = runner.make_snapshot(ndarray, array_equal)
    call = runner.make_call(describe, to_plain, errstate, snapshot, changed)   # the one case runner

    def run_cases(exercises, cases, namespace, top_level):
        for exercise, inputs in zip_(exercises, cases):
            name = exercise["id"]
            function = get(namespace, exercise["function"])
            send({"event": "start", "exercise": name})
            for index, case in enumerate_(inputs):
                mark = last_pid()
                if callable_(function):
                    reply = call(function, closed_over(from_plain(case["args"])),
                                 from_plain(case["kwargs"]))
                else:
                    reply = {"error": "no function " + exercise["function"] + "() is defined",
                             "not_implemented": False}
                alive = threads()
                if alive:
                    reply = {"error": "the function left " + int_str(alive) + " thread(s) running; the "
                             "grader does not allow threads", "not_implemented": False}
                elif mark == -1 or last_pid() != mark:
                    reply = {"error": "the function started a thread or a process; the grader does not "
                             "allow either", "not_implemented": False}
                found = verdict() or ("at top level: " + top_level if top_level else None)
                if profile_of() is not profile:   # a profile hook that raises is dropped by CPython
                    found = found or "the reference watch was switched off"
                reset()
                try:
                    send({"event": "case", "exercise": name, "index": index, **reply, "course_lib": found})
                except (TypeError, ValueError, OverflowError):  # a value json cannot write
                    send({"event": "case", "exercise": name, "index": index,
                          "value": {"__unreadable__": "value"}, "mutated": False, "course_lib": found})
                if "error" in reply:
                    break                    # the exercise has failed: the remaining cases would not count
            send({"event": "done", "exercise": name})

    return run_cases


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
