"""Hostile submissions against the grader under bubblewrap (issue 14).

Each attack is a student notebook, graded with `course_lib.grading.grade` next to honest
classmates. Wherever it can, an attack returns the right answer only if it worked, so a hole in
the sandbox shows up as points. The tests assert that every attack fails (0 points, or "invalid"
where the submission tampered with the grader's channel), that the honest classmates keep full
marks, that nothing of the class is left running, that nothing is written outside OUT, and that
grading.json names the sandbox.

Without bubblewrap these tests are skipped with the reason, except in CI (CI=true), where a
missing bubblewrap is a failure: .ci/run installs it.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import time
from pathlib import Path

import nbformat
import numpy as np
import psutil
import pytest

from course_lib import exercises
from course_lib.grading import grade, sandbox

ROOT = Path(__file__).resolve().parent.parent
COURSE_LIB = ROOT / "course_lib"
WELCOME, BACKPROP, CAPSTONE = "00_welcome", "05_backpropagation", "11_capstone_digits"
RIGHT = "float(np.mean((np.asarray(o, dtype=float) - np.asarray(y, dtype=float)) ** 2))"
GOOD_MSE = f"import numpy as np\n\ndef mse(o, y):\n    return {RIGHT}\n"
REFERENCE = ("import importlib\n\ndef reference():\n"     # the exercise's reference, hidden from find.py
             "    return getattr(importlib.import_module('course' + '_lib.nn'), 'mse' + '_loss')\n")
MARK = "98761"             # in the command line of every process an attack starts


@pytest.fixture(scope="module", autouse=True)
def bubblewrap():
    """Skip without bubblewrap (fail in CI); otherwise make sure the grader uses it."""
    sandbox.mode.cache_clear()
    used, why = sandbox.mode()
    if used != "bubblewrap":
        message = f"bubblewrap is not available: {why}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI must run these tests: .ci/run installs bubblewrap)")
        pytest.skip(message)


def notebook(sources: list[str], name: str = WELCOME) -> nbformat.NotebookNode:
    """The solution notebook `name` with its exercise cells replaced by `sources`' cells
    (a welcome notebook: just these cells)."""
    if name == WELCOME:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
        return nb
    nb = nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4)
    for source in sources:
        function = source.split("def ", 1)[1].split("(", 1)[0]
        for cell in nb.cells:
            if cell.cell_type == "code" and f"def {function}(" in cell.source:
                cell.source = source
    return nb


def attacks(out: Path, subs: Path, outside: Path, port: int) -> dict[str, tuple[list[str], str]]:
    """student -> (cells of their 00_welcome notebook, what the attack tries)."""
    grader = os.getpid()
    return {
        "kills": ([
            "import os, signal\nimport numpy as np\n\n"
            "def family(pid):\n"             # the grader's descendants: classmates, their sandboxes
            "    try:\n"
            "        ppid = int(open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[1])\n"
            "    except (OSError, ValueError, IndexError):\n"
            "        return False\n"
            f"    return ppid == {grader} or (ppid > 1 and ppid != pid and family(ppid))\n\n"
            "def mse(o, y):\n"
            "    hits = 0\n"
            "    victims = [int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) != os.getpid()\n"
            "               and family(int(p))]\n"
            f"    for pid in [{grader}] + victims:\n"
            "        for kill in (os.kill, os.killpg):\n"
            "            try:\n"
            "                kill(pid, signal.SIGKILL)\n"
            "                hits += 1\n"
            "            except (OSError, RuntimeError):\n"
            "                pass\n"
            f"    return {RIGHT} if hits else -1.0\n"], "kill the grader and the classmates"),
        "plants_cache": ([
            "import hashlib, json, os\nimport numpy as np\n\n"
            "def mse(o, y):\n"
            "    try:\n"
            f"        settings = json.loads(open({str(out / 'grading.json')!r}).read())\n"
            f"        mine = open({str(subs / 'plants_cache' / f'{WELCOME}.ipynb')!r}, 'rb').read()\n"
            "    except OSError:\n"
            "        return -1.0\n"
            "    key = hashlib.sha256(json.dumps([hashlib.sha256(mine).hexdigest(), settings],\n"
            "                                    sort_keys=True).encode()).hexdigest()\n"
            "    row = {'exercise': 'mse', 'points': 1.0, 'max_points': 1.0, 'status': 'passed',\n"
            "           'message': 'planted', 'n_cases': 8, 'n_passed': 8}\n"
            f"    folder = {str(out / '.cache' / 'plants_cache')!r}\n"
            "    os.makedirs(folder, exist_ok=True)\n"
            f"    with open(os.path.join(folder, '{WELCOME}.json'), 'w') as f:\n"
            "        json.dump({'key': key, 'results': [row]}, f)\n"
            "    return -1.0\n"], "plant a cache entry that gives it full points on the next run"),
        "daemon": ([
            "import os, subprocess\nimport numpy as np\n\n"
            "def mse(o, y):\n"
            f"    line = 'echo daemon,mse,1000 >> {out / 'grades.csv'}'\n"
            "    try:\n"
            f"        subprocess.Popen(['sh', '-c', f'sleep 1.5; {{line}} # {MARK}1'],\n"
            "                         start_new_session=True)\n"
            "    except RuntimeError:\n"
            "        pass\n"
            "    try:\n"
            "        if os.fork() == 0:\n"
            "            os.setsid()\n"
            f"            os.execvp('sh', ['sh', '-c', f'sleep 1.5; {{line}} # {MARK}2'])\n"
            "    except RuntimeError:\n"
            "        pass\n"
            "    return -1.0\n"], "leave a daemon that appends a row to grades.csv after grading"),
        "reads_proc": ([
            "import numpy as np\n\n"
            "def mse(o, y):\n"
            "    read, why = 0, []\n"
            f"    for name in ('environ', 'cmdline', 'maps', 'mem'):\n"
            "        try:\n"
            f"            with open(f'/proc/{grader}/{{name}}', 'rb') as f:\n"
            "                read += len(f.read(64))\n"
            "        except (OSError, RuntimeError) as exc:\n"
            "            why.append(str(exc))\n"
            f"    if read:\n        return {RIGHT}\n"
            "    raise RuntimeError('read nothing: ' + why[0])\n"],
                       "read the grader's memory, seed and environment in /proc"),
        "execs_classmate": ([
            "import json\nimport numpy as np\n\n"
            "def mse(o, y):\n"
            "    try:\n"
            f"        cells = json.load(open({str(subs / 'good' / f'{WELCOME}.ipynb')!r}))['cells']\n"
            "    except OSError:\n"
            "        return -1.0\n"
            "    scope = {}\n"
            "    exec(''.join(cells[0]['source']), scope)\n"
            "    return scope['mse'](o, y)\n"], "execute a classmate's notebook"),
        "forges_lines": ([
            "import json, os, sys\nimport numpy as np\n\n"
            "def mse(o, y):\n"
            f"    value = {RIGHT}\n"
            "    fd = int(sys.argv[2])\n"
            "    for line in ({'event': 'case', 'exercise': 'mse', 'index': 7, 'value': value,\n"
            "                  'mutated': False, 'course_lib': None},\n"
            "                 {'event': 'done', 'exercise': 'mse'}, {'event': 'finished'}):\n"
            "        os.write(fd, json.dumps(line).encode() + b'\\n')\n"
            "    return value\n"], "forge the case and 'done' lines of a right answer"),
        "writes_protocol": ([
            "import json, os\nimport numpy as np\n\n"
            "def mse(o, y):\n"
            "    lines = [{'event': 'case', 'exercise': 'mse', 'index': i, 'value': 0.0, 'mutated': False,\n"
            "              'course_lib': None} for i in range(8)]\n"
            "    lines += [{'event': 'done', 'exercise': 'mse'}, {'event': 'finished'}]\n"
            "    data = b''.join(json.dumps(line).encode() + b'\\n' for line in lines)\n"
            "    for fd in range(3, 64):\n"
            "        try:\n"
            "            os.write(fd, data)\n"
            "        except OSError:\n"
            "            pass\n"
            "    os._exit(0)\n"], "write the whole result protocol to every open file descriptor"),
        "reads_stack": ([
            REFERENCE + "import gc, os, sys\nimport numpy as np\n\n"
            "def steal():\n"
            "    found, frames = [], []\n"
            "    try:\n"
            "        frames.append(getattr(sys, '_get' + 'frame')())\n"   # past find.py's static check
            "    except Exception:\n"
            "        pass\n"
            "    try:\n"
            "        raise KeyError\n"
            "    except KeyError as exc:\n"
            "        try:\n"
            "            frames.append(exc.__traceback__.tb_frame)\n"
            "        except Exception:\n"
            "            pass\n"
            "    for frame in frames:\n"
            "        while frame is not None:\n"
            "            found += [v for v in frame.f_locals.values() if isinstance(v, (list, dict))]\n"
            "            frame = frame.f_back\n"
            "    try:\n"
            "        found += [o for o in gc.get_objects() if isinstance(o, dict) and 'args' in o]\n"
            "    except Exception:\n"
            "        pass\n"
            "    try:\n"
            "        os.set_blocking(int(sys.argv[1]), False)\n"
            "        found.append(os.read(int(sys.argv[1]), 1 << 20))\n"
            "    except Exception:\n"
            "        pass\n"
            "    cases = [o for o in found if isinstance(o, dict) and 'args' in o]\n"
            "    return [(o['args'], reference()(*o['args'])) for o in cases]\n\n"
            "STOLEN = steal()\n\n"
            "def mse(o, y):\n"
            "    for args, answer in STOLEN:\n"
            "        if np.array_equal(np.asarray(args[0]), np.asarray(o)):\n"
            "            return answer\n"
            "    return -1000.0 - len(STOLEN)\n"], "read the cases from the stack at top level"),
        "encoder_hooks": ([
            "import numpy as np\n\n"
            "class Meta(type):\n"
            "    def __eq__(cls, other):\n"
            "        return True\n"
            "    __hash__ = type.__hash__\n\n"
            "class Answer(metaclass=Meta):\n"
            "    @property\n"
            "    def __class__(self):\n"
            "        return float\n\n"
            "def mse(o, y):\n"
            "    return Answer()\n"], "a metaclass __eq__ and a custom __class__ in the returned value"),
        "thread": ([
            REFERENCE + "import queue, threading, _thread\nimport numpy as np\n\n"
            "REFUSED = []\n\n"
            "def start():\n"
            "    jobs, answers = queue.Queue(), queue.Queue()\n"
            "    def serve():\n"
            "        while True:\n"
            "            o, y = jobs.get()\n"
            "            answers.put(reference()(o, y))\n"
            "    for starter in (lambda: threading.Thread(target=serve, daemon=True).start(),\n"
            "                    lambda: _thread.start_new_thread(serve, ())):\n"
            "        try:\n"
            "            starter()\n"
            "        except RuntimeError as exc:\n"
            "            REFUSED.append(str(exc))\n"
            "    return jobs, answers\n\n"
            "WORKER = start()\n\n"
            "def mse(o, y):\n"
            "    if len(REFUSED) == 2:\n"                 # both starters refused: say so in the row
            "        raise RuntimeError('refused: ' + REFUSED[0])\n"
            "    WORKER[0].put((o, y))\n"
            "    return WORKER[1].get(timeout=0.5)\n"],
                   "a thread started at top level calls the reference unwatched"),
        "thread_alive": ([
            "import _imp, importlib.machinery, time\nimport numpy as np\n\n"
            "def spin():\n"                              # a fresh _thread, past the locked one
            "    fresh = _imp.create_builtin(importlib.machinery.ModuleSpec('_thread', None))\n"
            "    return fresh.start_new_thread(time.sleep, (30,))\n\n"
            "SPINNER = spin()\n\n"
            f"def mse(o, y):\n    return {RIGHT} if SPINNER else -1.0\n"],
                         "leave a thread running after the top-level code"),
        "thread_in_call": ([
            REFERENCE + "import _imp, importlib.machinery, time\nimport numpy as np\n\n"
            "def mse(o, y):\n"                          # an unwatched thread computes the answer
            "    fresh = _imp.create_builtin(importlib.machinery.ModuleSpec('_thread', None))\n"
            "    answer = []\n"
            "    fresh.start_new_thread(lambda: (answer.append(reference()(o, y)), time.sleep(30)), ())\n"
            "    while not answer:\n"
            "        time.sleep(0.001)\n"
            "    return answer[0]\n"], "an unwatched thread, started in the function, calls the reference"),
        "thread_ends_in_call": ([
            REFERENCE + "import _imp, importlib.machinery, time\nimport numpy as np\n\n"
            "def mse(o, y):\n"                          # ... and is over before the function returns
            "    fresh = _imp.create_builtin(importlib.machinery.ModuleSpec('_thread', None))\n"
            "    answer = []\n"
            "    fresh.start_new_thread(lambda: answer.append(reference()(o, y)), ())\n"
            "    while not answer:\n"
            "        time.sleep(0.001)\n"
            "    time.sleep(0.05)\n"
            "    return answer[0]\n"], "an unwatched thread that ends before the function returns"),
        "fresh_sys": ([
            REFERENCE + "import _imp, importlib, importlib.machinery, sys\nimport numpy as np\n\n"
            "def mse(o, y):\n"                          # get the watch back, empty its list of references
            "    for fresh in (lambda: _imp.create_builtin(importlib.machinery.ModuleSpec('sys', None)),\n"
            "                  lambda: importlib.reload(sys)):\n"
            "        try:\n"
            "            watch = getattr(fresh(), 'get' + 'profile')()\n"   # past find.py's static check
            "        except Exception:\n"
            "            continue\n"
            "        for cell in getattr(watch, '__closure__', None) or ():\n"
            "            if isinstance(cell.cell_contents, (frozenset, tuple)):\n"
            "                cell.cell_contents = type(cell.cell_contents)()\n"
            "    return reference()(o, y)\n"], "a fresh sys module hands back the watch, which is emptied"),
        "drops_watch": ([
            REFERENCE + "import sys\nimport numpy as np\n\n"
            "def dive(depth):\n"                       # at the limit, the profile hook itself overflows
            "    try:\n"
            "        return dive(depth + 1)\n"
            "    except RecursionError:\n"
            "        return depth\n\n"
            "def mse(o, y):\n"
            "    dive(0)\n"
            "    return reference()(o, y)\n"], "make the watch raise, so that CPython drops it"),
        "signal_frame": ([
            REFERENCE + "import signal, time\nimport numpy as np\n\n"
            "def wipe(signum, frame):\n"                 # the interrupted frame: walk to the child's locals
            "    while frame is not None:\n"
            "        for name in ('reset', 'trust'):\n"
            "            if callable(frame.f_locals.get(name)):\n"
            "                frame.f_locals[name](*(() if name == 'reset' else (True,)))\n"
            "        frame = frame.f_back\n\n"
            "def mse(o, y):\n"
            "    try:\n"
            "        signal.signal(signal.SIGALRM, wipe)\n"
            "        signal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)\n"
            "    except RuntimeError:\n"
            "        pass\n"
            "    value = reference()(o, y)\n"
            "    time.sleep(0.02)\n"
            "    return value\n"], "a signal handler gets the child's frame and clears the watch"),
        "process_at_top_level": ([
            "import os, _posixsubprocess\nimport numpy as np\n\n"
            "def spawn():\n"                             # past subprocess.Popen's audit event
            "    errors = os.pipe()\n"
            f"    command = [b'/bin/sh', b'-c', b'sleep 5 # {MARK}3']\n"
            "    return _posixsubprocess.fork_exec(command, [command[0]], True, (errors[1],), None, None,\n"
            "                                      -1, -1, -1, -1, -1, -1, *errors, False, True, -1,\n"
            "                                      None, None, None, -1, None, False)\n\n"
            "SERVER = spawn()\n\n"
            f"def mse(o, y):\n    return {RIGHT} if SERVER else -1.0\n"],
                                 "a process started at top level (a server that could answer unwatched)"),
        "fork_exec_200": ([
            "import os, sys, _posixsubprocess\nimport numpy as np\n\n"
            "def mse(o, y):\n"                            # past the guard: no audit event for this
            "    started = []\n"
            "    for _ in range(200):\n"
            "        errors = os.pipe()\n"
            f"        command = [b'/bin/sh', b'-c', b'sleep 5 # {MARK}4']\n"
            "        try:\n"
            "            started.append(_posixsubprocess.fork_exec(\n"
            "                command, [command[0]], True, (errors[1],), None, None, -1, -1, -1, -1, -1, -1,\n"
            "                *errors, False, True, -1, None, None, None, -1, None, False))\n"
            "        except OSError:\n"
            "            pass\n"
            f"    return {RIGHT} if started else -1.0\n"], "start 200 processes past the guard"),
        "fchmod_stdio": ([
            "import os, stat\nimport numpy as np\n\n"
            "def mse(o, y):\n"
            "    changed = 0\n"
            "    for fd in (0, 1, 2):\n"
            "        for change in (lambda: os.fchmod(fd, 0o6777), lambda: os.fchown(fd, 0, 0)):\n"
            "            try:\n"
            "                change()\n"
            "                changed += 1\n"
            "            except OSError:\n"
            "                pass\n"
            f"    return {RIGHT} if changed else -1.0\n"],
                         "make the grader's log setuid root (fchmod of stdout)"),
        "host_stdio": ([
            "import os, stat\nimport numpy as np\n\n"
            "def mse(o, y):\n"                            # a host file or device, rather than a pipe
            "    odd = [fd for fd in (0, 1, 2) if not stat.S_ISFIFO(os.fstat(fd).st_mode)]\n"
            f"    return {RIGHT} if odd else -1.0\n"], "find a host file on stdin, stdout or stderr"),
        "proc_dir_fd": ([
            "import os\nimport numpy as np\n\n"
            "def mse(o, y):\n"
            "    opened = 0\n"
            "    os.chdir('/usr/lib')\n"              # so the path is not resolved from the dir_fd's folder
            "    for folder, path in (('/', 'proc/self/mem'), ('/tmp', '../proc/self/mem'),\n"
            "                         ('/', './tmp/../proc/self/maps'), ('/tmp', '../dev/fd/../mem')):\n"
            "        try:\n"
            "            fd = os.open(folder, os.O_RDONLY)\n"
            "            os.close(os.open(path, os.O_RDONLY, dir_fd=fd))\n"
            "            opened += 1\n"
            "        except (OSError, RuntimeError):\n"
            "            pass\n"
            f"    return {RIGHT} if opened else -1.0\n"], "open /proc/self/mem relative to a dir_fd of /"),
        "subinterpreter": ([
            "import numpy as np\n\n"
            "def mse(o, y):\n"
            "    try:\n"
            "        import _xxsubinterpreters as interpreters\n"
            "        interpreters.run_string(interpreters.create(), 'import sys')\n"
            "    except (ImportError, RuntimeError):\n"
            "        return -1.0\n"
            f"    return {RIGHT}\n"], "run code in a subinterpreter (no audit hook, no watch)"),
        "subinterpreter_by_hand": ([
            "import _imp, glob, sys\nimport numpy as np\nfrom importlib.machinery import ModuleSpec\n\n"
            "def mse(o, y):\n"
            "    files = glob.glob(sys.base_prefix + '/lib/python3*/lib-dynload/_xxsubinterpreters*.so')\n"
            "    try:\n"
            "        module = _imp.create_dynamic(ModuleSpec('_xxsubinterpreters', None, origin=files[0]))\n"
            "        module.run_string(module.create(), 'import sys')\n"
            "    except (ImportError, RuntimeError, IndexError):\n"
            "        return -1.0\n"
            f"    return {RIGHT}\n"], "load the subinterpreters' module past the import system"),
        "renumbered_code": ([
            REFERENCE + "\nimport types\nimport numpy as np\n\n"
            "def mse(o, y):\n"                            # a copy of the reference's code, renumbered
            "    code = reference().__code__\n"
            "    code = code.replace(co_firstlineno=code.co_firstlineno + 1000, co_filename='mine')\n"
            "    return types.FunctionType(code, reference().__globals__)(o, y)\n"],
                            "call a renumbered copy of the reference's code object"),
        "code_reassigned": ([
            REFERENCE + "\nimport numpy as np\n\n"
            "def mse(o, y):\n"
            "    def mine(o, y):\n        return 0.0\n"
            "    mine.__code__ = reference().__code__.replace(co_filename='mine')\n"
            "    for name, value in vars(importlib.import_module('course' + '_lib.nn')).items():\n"
            "        globals().setdefault(name, value)\n"      # the helpers the reference's code uses
            "    return mine(o, y)\n"], "reassign the reference's code to an own function"),
        "source_exec": ([
            REFERENCE + "\nimport numpy as np\n\n"
            "def mse(o, y):\n"                            # the reference's source from disk, exec'd
            "    source = open(importlib.import_module('course' + '_lib.nn').__file__).read()\n"
            "    start = source.index('def mse' + '_loss(')\n"
            "    end = source.index('\\ndef ', start)\n"
            "    scope = dict(vars(importlib.import_module('course' + '_lib.nn')))\n"
            "    exec(source[start:end], scope)\n"
            "    return scope['mse' + '_loss'](o, y)\n"],
                        "read the reference's source from disk and exec it"),
        "network": ([
            "import socket\nimport numpy as np\n\n"
            "def mse(o, y):\n"
            f"    for address in [('127.0.0.1', {port}), ('1.1.1.1', 53)]:\n"
            "        try:\n"
            "            socket.create_connection(address, timeout=1).close()\n"
            f"            return {RIGHT}\n"
            "        except OSError:\n"
            "            pass\n"
            "    return -1.0\n"], "connect to the network"),
        "writes_outside": ([
            "import os\nimport numpy as np\n\n"
            "def mse(o, y):\n"
            "    written = 0\n"
            f"    for path in [{str(COURSE_LIB / f'planted_{MARK}.py')!r},\n"
            f"                 {str(outside / 'planted.txt')!r}, {str(subs / 'good' / 'planted.txt')!r},\n"
            f"                 '/tmp/planted_{MARK}.txt']:\n"
            "        try:\n"
            "            with open(path, 'w') as f:\n"
            "                f.write('x')\n"
            "            written += os.path.dirname(path) != '/tmp'\n"
            "        except OSError:\n"
            "            pass\n"
            f"    return {RIGHT} if written else -1.0\n"],
                           "write into course_lib, SUBMISSIONS and the grader's /tmp"),
    }


HELD_OUT = (
    "import os\nimport numpy as np\nimport course_lib\n\n"
    "def train_network(X_train, y_train, seed):\n"
    "    path = os.path.join(os.path.dirname(course_lib.__file__), 'data' + 'files', 'digits.npz')\n"
    "    with np.load(path) as data:\n"
    "        images, labels = data['images'], data['labels']\n"
    "    rows = images.reshape(len(images), 64) / 16.0\n"
    "    return [rows.T, -0.5 * np.sum(rows ** 2, axis=1), np.eye(10)[labels], np.zeros(10)]\n")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade the attacks, two honest classmates and a capstone that reads the held-out digits;
    then grade again into the same OUT (the run that a planted cache entry or a daemon targets)."""
    subs, out = tmp_path_factory.mktemp("subs"), tmp_path_factory.mktemp("out")
    outside = tmp_path_factory.mktemp("outside")
    server = socket.create_server(("127.0.0.1", 0))
    connections = []

    def accept():
        while True:
            try:
                connections.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    plan = attacks(out, subs, outside, server.getsockname()[1])
    for student, (cells, _) in plan.items():
        (subs / student).mkdir()
        nbformat.write(notebook(cells), subs / student / f"{WELCOME}.ipynb")
    for student, source in [("good", GOOD_MSE), ("slow_good", GOOD_MSE.replace(
            "def mse(o, y):\n", "import time\n\ndef mse(o, y):\n    time.sleep(0.05)\n"))]:
        (subs / student).mkdir()
        nbformat.write(notebook([source]), subs / student / f"{WELCOME}.ipynb")
    (subs / "honest_backprop").mkdir()                # building blocks (nn.softmax...) still work
    (subs / "honest_backprop" / f"{BACKPROP}.ipynb").write_bytes(
        (ROOT / "solutions" / f"{BACKPROP}.ipynb").read_bytes())
    (subs / "held_out").mkdir()
    nbformat.write(notebook([HELD_OUT], CAPSTONE), subs / "held_out" / f"{CAPSTONE}.ipynb")
    before = tree_digest(subs)
    try:
        first = grade(subs, out, jobs=2, notebooks=[WELCOME, BACKPROP, CAPSTONE], progress=False, timeout=60)
        second = grade(subs, out, jobs=2, notebooks=[WELCOME, BACKPROP, CAPSTONE], progress=False, timeout=60)
        time.sleep(2.5)                          # a daemon's "sleep 1.5" would be over by now
    finally:
        server.close()
    return {"first": first, "second": second, "out": out, "subs": subs, "outside": outside,
            "before": before, "plan": plan, "connections": connections}


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def rows(summary, student: str) -> list[dict]:
    return [r for r in summary.rows() if r["student"] == student and r["status"] != "missing"]


@pytest.mark.parametrize("student", [
    "kills", "plants_cache", "daemon", "reads_proc", "execs_classmate", "forges_lines", "writes_protocol",
    "reads_stack", "encoder_hooks", "thread", "thread_alive", "thread_in_call", "thread_ends_in_call",
    "fresh_sys", "drops_watch", "signal_frame", "process_at_top_level", "network", "writes_outside",
    "fork_exec_200", "fchmod_stdio", "host_stdio", "proc_dir_fd", "subinterpreter", "subinterpreter_by_hand",
    "renumbered_code", "code_reassigned", "source_exec"])
def test_every_attack_fails(graded, student):
    what = graded["plan"][student][1]
    for run in ("first", "second"):
        [row] = rows(graded[run], student)
        assert row["points"] == 0.0, (what, row)
        assert row["status"] in ("failed", "error", "invalid"), (what, row)


def test_writing_to_the_result_channel_voids_the_notebook(graded):
    for student in ("forges_lines", "writes_protocol"):
        [row] = rows(graded["first"], student)
        assert row["status"] == "invalid" and "result channel" in row["message"], row


def test_raw_threads_are_refused(graded):
    """threading's and _thread's starters refuse (the "thread" attack reports it), and so does a
    fresh _thread module; were it not, a thread left running after the top-level
    code would void the notebook, and one started during a case would make the case an error."""
    [row] = rows(graded["first"], "thread")      # threading's and _thread's starters refuse
    assert "does not allow threads" in row["message"], row
    for student, seen in [("thread_alive", "thread(s) running"), ("thread_in_call", "thread(s) running"),
                          ("thread_ends_in_call", "started a thread or a process")]:
        [row] = rows(graded["first"], student)
        assert row["status"] in ("error", "invalid"), row
        assert "fresh copy of this built-in module" in row["message"] or seen in row["message"], row


def test_a_process_cannot_be_started_at_top_level_or_in_a_call(graded):
    """`_posixsubprocess.fork_exec` has no audit event: the kernel's seccomp filter refuses the
    clone (EPERM), at top level (a setup error, so the function that needs it fails) and in a
    call (200 attempts, none started)."""
    [row] = rows(graded["first"], "process_at_top_level")
    assert row["status"] == "error" and "Operation not permitted" in row["message"], row
    [row] = rows(graded["first"], "fork_exec_200")
    assert (row["status"], row["got"]) == ("failed", "-1.0"), row


def test_stdio_is_pipes_whose_mode_the_child_cannot_change(graded):
    """stdin, stdout and stderr are pipes (no host file), and fchmod/fchown on them is refused by
    the kernel (the issue's setuid log)."""
    for student in ("fchmod_stdio", "host_stdio"):
        [row] = rows(graded["first"], student)
        assert (row["status"], row["got"]) == ("failed", "-1.0"), row


def test_dir_fd_opens_of_proc_and_subinterpreters_are_refused(graded):
    for student in ("proc_dir_fd", "subinterpreter", "subinterpreter_by_hand"):
        [row] = rows(graded["first"], student)
        assert (row["status"], row["got"]) == ("failed", "-1.0"), row


KERNEL_PROBE = """
import errno, importlib.util, os, sys
spec = importlib.util.spec_from_file_location("child", sys.argv[1])
child = importlib.util.module_from_spec(spec)
spec.loader.exec_module(child)
child.load_seccomp(bytes.fromhex(sys.argv[2]))     # what child.py loads before student code
def attempt(name, action):
    try:
        action()
        print(name, "allowed")
    except OSError as exc:
        print(name, errno.errorcode[exc.errno])
attempt("fork", lambda: os.fork() or os.wait())     # a forked child would print "fork allowed" too
attempt("exec", lambda: os.execv("/bin/true", ["true"]))
attempt("fchmod", lambda: os.fchmod(1, 0o6777))
attempt("chmod", lambda: os.chmod("/tmp", 0o777))
import threading
threading.Thread(target=print, args=("thread", "allowed")).start()
"""


def test_the_seccomp_filter_refuses_fork_exec_and_fchmod():
    """The kernel, not Python, refuses: plain os.fork/execv/fchmod (no guard is loaded here)
    in bubblewrap with the grader's two filters (bwrap's, then the child's exec filter), while
    threads still start."""
    import subprocess

    program = sandbox.seccomp_program("bwrap")
    fd = sandbox.seccomp.program_fd(program)
    try:
        command = sandbox.bwrap_command({"PATH": os.defpath}, fd) + [
            sandbox.PYTHON, "-I", "-c", KERNEL_PROBE, "/child.py", sandbox.seccomp_program("child").hex()]
        runner = os.path.join(os.path.dirname(sandbox.CHILD), "runner.py")   # child.py's sibling
        command[command.index("--clearenv"):command.index("--clearenv")] = [
            "--ro-bind", sandbox.CHILD, "/child.py", "--ro-bind", runner, "/runner.py"]
        done = subprocess.run(command, pass_fds=(fd,), capture_output=True, text=True, timeout=60)
    finally:
        os.close(fd)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:5] == ["fork EPERM", "exec EPERM", "fchmod EPERM", "chmod EPERM",
                                           "thread allowed"], done.stdout


def test_processes_cannot_exceed_the_notebooks_memory(tmp_path):
    """Four processes of 300 MB each under --memory 512: none can start, so the notebook's
    memory is its one process's limit; the honest classmate keeps full marks."""
    subs, out = tmp_path / "subs", tmp_path / "out"
    hog = (
        "import os, select, sys, time, _posixsubprocess\nimport numpy as np\n\n"
        "def mse(o, y):\n"
        "    out = os.pipe()\n"
        "    for _ in range(4):\n"
        "        errors = os.pipe()\n"
        "        command = [sys.executable.encode(), b'-c',\n"
        f"                   b'x = bytes(1) * (300 << 20); print(1, flush=True); "
        f"import time; time.sleep(3) # {MARK}5']\n"
        "        try:\n"
        "            _posixsubprocess.fork_exec(\n"
        "                command, [command[0]], True, tuple(sorted((errors[1], out[1]))), None, None,\n"
        "                -1, -1, -1, out[1], -1, -1, *errors, False, True, -1, None, None, None, -1,\n"
        "                None, False)\n"
        "        except OSError:\n"
        "            pass\n"
        "    os.close(out[1])\n"
        "    held, until = b'', time.monotonic() + 3\n"
        "    while held.count(b'1') < 4 and time.monotonic() < until:\n"
        "        if select.select([out[0]], [], [], 0.2)[0]:\n"
        "            held += os.read(out[0], 64) or b'-'\n"
        f"    return {RIGHT} if held.count(b'1') == 4 else -1.0\n")   # 1.2 GB held at once
    for student, source in (("hog", hog), ("good", GOOD_MSE)):
        (subs / student).mkdir(parents=True)
        nbformat.write(notebook([source]), subs / student / f"{WELCOME}.ipynb")
    summary = grade(subs, out, jobs=2, notebooks=[WELCOME], progress=False, timeout=60, memory_mb=512)
    [row] = rows(summary, "hog")
    assert (row["status"], row["points"]) == ("failed", 0.0), row["message"]
    [row] = rows(summary, "good")
    assert (row["status"], row["points"]) == ("passed", 1.0), row


@pytest.mark.parametrize("student", ["fresh_sys", "drops_watch", "signal_frame"])
def test_the_watch_cannot_be_switched_off(graded, student):
    [row] = rows(graded["first"], student)
    assert row["status"] == "failed" and "reference code" in row["message"], row


def test_nothing_is_found_on_the_stack_or_in_the_garbage_collector(graded):
    [row] = rows(graded["first"], "reads_stack")
    assert row["got"] == "-1000.0", (row["status"], row["message"])   # STOLEN was empty


def test_opening_files_in_proc_is_refused(graded):
    """The child's audit hook refuses /proc before the sandbox's own /proc is even reached."""
    [row] = rows(graded["first"], "reads_proc")
    assert row["status"] == "error" and "does not allow opening files in /proc" in row["message"], row


def test_the_held_out_digits_are_not_readable(graded):
    by_exercise = {r["exercise"]: r for r in rows(graded["first"], "held_out")}
    assert by_exercise["confusion_matrix"]["status"] == "passed"       # the rest of that notebook grades
    held_out = by_exercise["train_network"]
    assert held_out["points"] == 0.0 and "digits.npz" in held_out["message"], held_out


def test_what_a_notebook_may_not_call_is_not_in_its_sandbox(graded):
    """A copy of the reference's code (renumbered, or put into an own function) and its source
    read from disk are the stub's: they raise "off limits" (stubs.py)."""
    for student in ("renumbered_code", "code_reassigned", "source_exec"):
        [row] = rows(graded["first"], student)
        assert row["status"] in ("failed", "error") and "off limits" in row["message"], row


def test_the_building_blocks_still_work(graded):
    """05's solution uses nn.softmax and other allowed blocks next to stubbed references."""
    found = [r for r in rows(graded["first"], "honest_backprop") if r["notebook"] == BACKPROP]
    assert found and all(r["status"] == "passed" for r in found), found


def test_the_student_copy_holds_stubs_and_no_registry():
    """The copy the sandbox mounts: each reference and off-limits function of the notebook is a
    stub at its own first line (so the watch still names it), the registry, check and grader are
    absent, and the rest is course_lib's own text."""
    import ast

    from course_lib.grading import references, stubs

    for name in (WELCOME, BACKPROP, CAPSTONE):
        forbidden = references.forbidden_code(exercises.for_notebook(name))
        copy = Path(stubs.student_copy(forbidden["codes"]))
        assert not any((copy / part).exists() for part in ("exercises", "checking.py", "grading", "yours.py"))
        assert list((copy / "datafiles").iterdir()) == []
        for filename, line in forbidden["codes"]:
            if not filename.startswith(str(COURSE_LIB)):
                continue                                  # generated code (a dataclass's __init__)
            stubbed = copy / Path(filename).relative_to(COURSE_LIB)
            if stubbed.parts[len(copy.parts)] == "exercises":
                continue                                  # defined in the registry: absent
            tree = ast.parse(stubbed.read_text())
            [node] = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.Lambda))
                      and (stubs.first_line(n) if isinstance(n, ast.FunctionDef) else n.lineno) == line]
            body = ast.unparse(node.body if isinstance(node, ast.Lambda) else node.body[0])
            assert "off limits" in body, (filename, line, body)
            if isinstance(node, ast.FunctionDef):
                assert len(node.body) == 1, (filename, line)
        nn_copy = (copy / "nn.py").read_text()
        assert nn_copy.count("\n") == (COURSE_LIB / "nn.py").read_text().count("\n")
        assert "def softmax(" in nn_copy and "off limits: softmax()" not in nn_copy


def test_honest_classmates_keep_full_marks(graded):
    for run in ("first", "second"):
        for student in ("good", "slow_good"):
            [row] = rows(graded[run], student)
            assert (row["status"], row["points"]) == ("passed", 1.0), row


def test_nothing_of_the_class_is_left_running(graded):
    assert graded["connections"] == []
    for process in psutil.process_iter(["cmdline"]):
        assert not any(MARK in part for part in process.info["cmdline"] or []), process.info
    left = [p.cmdline() for p in psutil.Process().children(recursive=True)
            if p.name() in ("bwrap", "sh", "sleep") or any("child.py" in part for part in p.cmdline())]
    assert left == []
    assert "1000" not in (graded["out"] / "grades.csv").read_text()


def test_nothing_is_written_outside_out(graded):
    assert tree_digest(graded["subs"]) == graded["before"]
    assert list(graded["outside"].iterdir()) == []
    assert not (COURSE_LIB / f"planted_{MARK}.py").exists()
    assert not Path(f"/tmp/planted_{MARK}.txt").exists()
    assert "planted" not in (graded["out"] / ".cache" / "plants_cache" / f"{WELCOME}.json").read_text()


def test_grading_json_names_the_sandbox(graded):
    settings = json.loads((graded["out"] / "grading.json").read_text())
    assert settings["sandbox"] == "bubblewrap" and "sandbox_why" not in settings


def test_the_encoder_never_runs_student_code():
    """A returned value whose class or metaclass has code of its own: the encoder must not call
    any of it (the next exercise reports how often it ran)."""
    from course_lib.grading import find

    source = (
        "import numpy as np\nCALLS = []\n\n"
        "class Meta(type):\n"
        "    def __eq__(cls, other):\n        CALLS.append('eq')\n        return True\n"
        "    def __hash__(cls):\n        CALLS.append('hash')\n        return 0\n"
        "    def __instancecheck__(cls, other):\n        CALLS.append('instancecheck')\n        return True\n"
        "    def __subclasscheck__(cls, other):\n        CALLS.append('subclasscheck')\n        return True\n"
        "    @property\n    def __name__(cls):\n        CALLS.append('name')\n        return 'float'\n\n"
        "class Answer(metaclass=Meta):\n"
        "    @property\n    def __class__(self):\n        CALLS.append('class')\n        return float\n"
        "    def __getattribute__(self, name):\n        CALLS.append(name)\n"
        "        return object.__getattribute__(self, name)\n\n"
        "class Number(float):\n"
        "    def __repr__(self):\n        CALLS.append('repr')\n        return '1.0'\n\n"
        "class Array(np.ndarray):\n"
        "    def __array_finalize__(self, obj):\n        CALLS.append('finalize')\n\n"
        "def evil(x):\n"
        "    return [Answer(), Number(2.0), np.zeros(2).view(Array), {Answer(): Answer()}, (Answer(),)]\n\n"
        "def probe(x):\n    return list(CALLS)\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    cells = find.parse_notebook(nb, "nb").cells_for(["evil", "probe"])
    jobs = [sandbox.ExerciseJob(name, name, 10.0, [((1.0,), {})]) for name in ("evil", "probe")]
    runs, errors = sandbox.run(cells, jobs, {"codes": [], "prefixes": []}, timeout=30)
    assert errors == [] and runs["evil"].outcome == "ran", (errors, runs)
    calls = runs["probe"].results[0]["value"]
    assert calls == ["finalize"], calls                   # only the student's own view() ran it


def test_exercises_are_the_ones_graded():
    """The attacks target what the grader grades: mse in 00_welcome, train_network in the capstone."""
    assert [e.function for e in exercises.for_notebook(WELCOME)] == ["mse"]
    assert "train_network" in [e.function for e in exercises.for_notebook(CAPSTONE)]
    assert np.load(COURSE_LIB / "datafiles" / "digits.npz")["labels"].shape == (1797,)   # it exists here
