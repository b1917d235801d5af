"""The grader's parts on their own: the wire format, finding functions, scoring."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_lib import exercises
from course_lib.grading import find, references, score, wire
from course_lib.grading.sandbox import ExerciseRun

# --- wire ------------------------------------------------------------------------------------------

def test_wire_round_trips_plain_data():
    value = (1, 2.5, float("nan"), "s", None, True, [np.arange(6.0).reshape(2, 3), np.int32(7)],
             {"a": np.array([1, 2], dtype=np.uint8), 3: (np.float64(0.5),)}, np.array(2.0 + 1j))
    back = wire.loads(wire.dumps(value))
    assert isinstance(back, tuple) and back[:2] == (1, 2.5) and np.isnan(back[2])
    assert back[3:6] == ("s", None, True)
    np.testing.assert_array_equal(back[6][0], value[6][0])
    assert back[6][0].dtype == np.float64 and back[6][0].shape == (2, 3)
    assert isinstance(back[6][1], np.int32) and back[6][1] == 7
    assert back[7]["a"].dtype == np.uint8 and back[7][3] == (0.5,) and back[8] == 2.0 + 1j


def test_wire_never_rebuilds_objects_and_rejects_malformed_data():
    assert isinstance(wire.loads(wire.dumps(object())), wire.Unreadable)
    assert isinstance(wire.loads(wire.dumps(np.array(["a"]))), wire.Unreadable)      # not numeric
    assert isinstance(wire.loads(wire.dumps(np.array([object()]))), wire.Unreadable)
    for bad in [{"__ndarray__": "O", "shape": [1], "data": ""},
                {"__ndarray__": "<f8", "shape": [2], "data": "AAAAAAAAAAA="},   # 8 bytes for 2 floats
                {"__ndarray__": "<f8", "shape": [-1], "data": ""},
                {"__pickle__": "gASV"}, {"__dict__": [[[1], 2]]},
                {"__ndarray__": "<f8", "shape": [10**20], "data": ""},                # too big for C
                {"__dict__": [[{"__tuple__": [1, {"__unreadable__": "x"}]}, 2]]}]:     # unhashable key
        with pytest.raises(ValueError):
            wire.loads(json.dumps(bad))


# --- find ------------------------------------------------------------------------------------------

def notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# title")] + [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def test_only_definitions_imports_and_assignments_are_kept_and_only_what_is_needed_runs():
    program = find.parse_notebook(notebook(
        "import numpy as np\nimport ipywidgets\nSCALE = 2.0\nx = np.zeros(3)\nprint('hi')",
        "def helper(v):\n    return SCALE * v\n\ndef f(v):\n    return helper(np.asarray(v))",
        "f(3)\nclass Unused:\n    pass\nfor i in range(3):\n    pass\nw = ipywidgets.IntSlider()"), "nb")
    kept = {name for s in program.statements for name in s.names}
    assert kept == {"np", "ipywidgets", "SCALE", "x", "helper", "f", "Unused", "w"}   # no prints, loops
    needed = {name for s in program.needed(["f"]) for name in s.names}
    assert needed == {"np", "SCALE", "helper", "f"}                    # no ipywidgets, no x, no w
    cells = program.cells_for(["f"])
    assert [c["keep"] for c in cells] == [[0, 2], [0, 1]]


def test_parameters_and_locals_do_not_pull_in_top_level_statements():
    # `y` and `grid` are top-level variables of the notebook's demo cells, and also a parameter
    # and a local of mse: running `y = slow_demo()` or the explorer would be wrong (and slow)
    program = find.parse_notebook(notebook(
        "import numpy as np\ny = slow_demo()\ngrid = np.linspace(0, 1, 5)\nexplorer = Explorer(y)",
        "def mse(o, y):\n    grid = [v for v in np.asarray(o)]\n    return float(np.mean((o - y) ** 2))"),
        "nb")
    assert {name for s in program.needed(["mse"]) for name in s.names} == {"np", "mse"}


@pytest.mark.parametrize("source", [
    "mse = lambda o, y: float(np.mean((np.asarray(o) - np.asarray(y)) ** 2))",
    "HALF = np.float64(0.5)\nTWO = 1 / HALF\n"
    "def mse(o, y):\n    return float(np.mean(np.abs(np.asarray(o) - np.asarray(y)) ** TWO))",
    "def mse(o, y):\n    return float(np.mean((np.asarray(o) - np.asarray(y)) ** 2))\n"
    "def logged(f):\n    def inner(*a):\n        return f(*a)\n    return inner\nmse = logged(mse)",
])
def test_lambdas_computed_constants_and_rebinding_are_defined(source):
    from course_lib.grading import sandbox

    program = find.parse_notebook(notebook("import numpy as np", source), "nb")
    cases = [((np.array([0.0, 0.0]), np.array([1.0, 3.0])), {})]
    runs, errors = sandbox.run(program.cells_for(["mse"]), [sandbox.ExerciseJob("mse", "mse", 5.0, cases)],
                               {"codes": [], "prefixes": []}, timeout=20)
    assert errors == [] and runs["mse"].results[0]["value"] == 5.0, (errors, runs["mse"])


def test_a_timed_cell_and_a_global_counter_are_kept():
    program = find.parse_notebook(notebook(
        "%%time\nCALLS = 0\ndef f(v):\n    global CALLS\n    CALLS += 1\n    return v",
        "%%bash\necho hi"), "nb")
    assert {name for s in program.needed(["f"]) for name in s.names} == {"CALLS", "f"}


def test_magics_are_stripped_broken_cells_skipped_and_the_last_definition_wins():
    program = find.parse_notebook(notebook(
        "%matplotlib inline\n!pip list\nimport numpy as np",
        "def f(v):\n    return 1",
        "def broken(:",
        "%%bash\nnonsense here",
        "def f(v):\n    # YOUR CODE HERE\n    raise NotImplementedError()"), "nb")
    assert program.binding("np") is not None
    assert program.skipped == ["cell 4 is not valid Python and was skipped"]
    assert program.stub("f")                                                       # the later def wins
    assert not find.parse_notebook(notebook("def f(v):\n    return 1\n    raise NotImplementedError"),
                                   "nb").stub("f")


@pytest.mark.parametrize("source, flagged", [
    ("from course_lib.nn import mse_loss as mse", True),                 # the exercise's reference
    ("def mse(o, y):\n    from course_lib import nn as w\n    return w.mse_loss(o, y)", True),
    ("import course_lib.nn as ref\ndef mse(o, y):\n    return ref.mse_loss(o, y)", True),
    ("def mse(o, y):\n    from course_lib.exercises import nb00_welcome as w\n"
     "    return w.EXERCISES[0].reference(o, y)", True),
    ("from course_lib.checking import check\ndef mse(o, y):\n    check('mse', mse)\n    return 0.0", True),
    ("from course_lib import nn\ndef mse(o, y):\n    return float(nn.softmax(o)[0]) if 0 else 0.0", False),
    ("from course_lib.nn import mse_loss as reference\ndef mse(o, y):\n    return 0.0", False),
])
def test_static_reference_detection(source, flagged):
    program = find.parse_notebook(notebook("import numpy as np", source), "nb")
    exs = exercises.for_notebook("00_welcome")
    found = program.course_lib_use("mse", lambda obj: references.is_forbidden(obj, exs))
    assert (found is not None) == flagged, found


@pytest.mark.parametrize("source", [
    "import sys\ndef mse(o, y):\n    sys.setprofile(None)\n    return 0.0",
    "import threading\ndef mse(o, y):\n    threading.setprofile(None)\n    return 0.0",
    "from sys import settrace as quiet\ndef mse(o, y):\n    quiet(None)\n    return 0.0",
    "def helper():\n    import sys\n    sys.setprofile(None)\ndef mse(o, y):\n    helper()\n    return 0.0",
])
def test_switching_off_the_run_time_watch_is_flagged(source):
    program = find.parse_notebook(notebook("import numpy as np", source), "nb")
    found = program.course_lib_use("mse", lambda obj: False)
    assert found is not None and "watch" in found, found


@pytest.mark.parametrize("source, flagged", [
    ("from course_lib.data import load_digits\n"
     "def train_and_predict(X_train, y_train, X_test, seed):\n"
     "    X, y = load_digits()\n    return y[:len(X_test)]", True),   # looking the answers up
    ("from course_lib.data import load_digits\nX_ALL, Y_ALL = load_digits()\n"
     "def train_and_predict(X_train, y_train, X_test, seed):\n"
     "    return Y_ALL[:len(X_test)]", True),                           # through a top-level variable
    ("from course_lib.nn import MLP\n"
     "def train_and_predict(X_train, y_train, X_test, seed):\n"
     "    return MLP([64, 10]).predict(X_test).argmax(1)", True),       # the capstone's own code only
    ("from course_lib.nn import softmax\n"
     "def train_and_predict(X_train, y_train, X_test, seed):\n"
     "    return softmax(X_test[:, :10]).argmax(1)", False),             # building blocks are fine
])
def test_an_exercise_can_forbid_other_course_lib_functions(source, flagged):
    program = find.parse_notebook(notebook("import numpy as np", source), "nb")
    exs = exercises.for_notebook("11_capstone_digits")
    found = program.course_lib_use("train_and_predict", lambda obj: references.is_forbidden(obj, exs))
    assert (found is not None) == flagged, found


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"), (b"{oops", "not valid JSON"), (b"[1, 2]", "no cells"),
    (json.dumps({"nbformat": 5, "cells": []}).encode(), "nbformat=5"),
])
def test_unreadable_files_are_invalid_notebooks(tmp_path, data, reason):
    path = tmp_path / "x.ipynb"
    path.write_bytes(data)
    with pytest.raises(find.InvalidNotebook, match=reason):
        find.read_notebook(path)


# --- which definition is graded -----------------------------------------------------------------

GOOD = "def mse(o, y):\n    return 1.0\n"
BAD = "def mse(o, y):\n    return -1.0\n"


@pytest.mark.parametrize("sources, graded, note", [            # cell 1 is markdown: code starts at 2
    ([GOOD, "check('mse', mse)", BAD], 2, "graded the definition in cell 2; `mse` is defined 2 times"),
    ([BAD, "check('mse', mse)", GOOD, "check('mse', mse)"], 4, "cell 4; `mse` is defined 2 times"),
    ([BAD, GOOD], 3, "graded the definition in cell 3"),                          # no check: the last
    (["check('mse', mse)", BAD, GOOD], 4, "cell 4"),                              # check before any def
    ([GOOD, "def f():\n    check('mse', mse)\n", BAD], 4, "cell 4"),            # inside a function
    ([GOOD, "from course_lib import checking\nchecking.check('mse', mse)", BAD], 2, "cell 2"),
    ([GOOD + "check('mse', mse)\n" + BAD], 2, "graded the definition in cell 2; `mse` is defined 2"),
    ([GOOD, "check('other', mse)", BAD], 4, "cell 4"),                            # another exercise's check
    ([GOOD], 2, ""),
])
def test_the_definition_in_effect_at_the_check_cell_is_graded(sources, graded, note):
    program = find.parse_notebook(notebook(*sources), "nb")
    got = find.choose_graded_definition(program, "mse", "mse")
    assert (note in got) if note else got == ""
    definition = program.binding("mse")
    assert find.cell_number(program, definition.cell) == graded
    position = (definition.cell, definition.index)
    assert not [s for s in program.statements if "mse" in s.names and (s.cell, s.index) > position]


@pytest.mark.parametrize("body, kind", [
    ('"""doc"""\n    # YOUR CODE HERE\n    raise NotImplementedError()', "stub"),
    ("raise NotImplementedError()\n    return 1.0", "leftover"),
    ("x = 2\n    raise NotImplementedError", "leftover"),
    ("if o is None:\n        raise NotImplementedError()\n    return 1.0", "code"),
    ("return 1.0", "code"),
])
def test_a_stub_a_leftover_raise_line_and_code_are_told_apart(body, kind):
    program = find.parse_notebook(notebook(f"def mse(o, y):\n    {body}\n"), "nb")
    assert find.definition_kind_of(program, "mse") == kind
    assert program.stub("mse") == (kind == "stub")


# --- score -----------------------------------------------------------------------------------------

def test_score_is_all_or_nothing_and_reports_the_first_failing_case():
    prepared = score.prepare(exercises.for_notebook("00_welcome"), seed=5)[0]
    right = [{"value": e, "mutated": False} for e in prepared.expected]
    assert score.score(prepared, ExerciseRun("mse", results=right)).status == "passed"
    wrong = list(right)
    wrong[5] = {"value": prepared.expected[5] + 1.0, "mutated": False}
    result = score.score(prepared, ExerciseRun("mse", results=wrong))
    assert (result.status, result.points, result.n_passed) == ("failed", 0.0, 5)
    assert result.case == prepared.cases[5].name == "random #2"
    assert result.got == "" and "not shown" in result.expected          # a random case hides its values
    assert str(prepared.expected[5])[:6] not in result.message + result.expected + result.inputs
    assert "Hint:" in result.message and exercises.get("mse").hint in result.message
    fixed = list(right)
    fixed[1] = {"value": prepared.expected[1] + 1.0, "mutated": False}
    shown = score.score(prepared, ExerciseRun("mse", results=fixed))    # a fixed case shows them
    assert shown.case == prepared.cases[1].name and shown.got and shown.expected
    assert shown.expected == exercises.short(prepared.expected[1])
    cut = score.score(prepared, ExerciseRun("mse", "timeout", right[:3], message="too slow"))
    assert (cut.status, cut.n_passed) == ("timeout", 3)
    cheat = score.score(prepared, ExerciseRun("mse", results=right, course_lib="course_lib/x.py: mse()"))
    assert cheat.status == "failed" and "reference" in cheat.message


# --- sandbox -----------------------------------------------------------------------------------------

def test_a_hanging_or_crashing_exercise_does_not_lose_the_others():
    from course_lib.grading import sandbox

    source = ("import numpy as np\n"
              "def good(x):\n    return np.asarray(x) * 2\n"
              "def hang(x):\n    while True:\n        pass\n"
              "def crash(x):\n    import os\n    os._exit(1)\n")
    cells = find.parse_notebook(notebook(source), "nb").cells_for(["good", "hang", "crash"])
    cases = [((np.arange(3.0),), {}), ((np.ones(2),), {})]
    plan = [("a", "good"), ("b", "hang"), ("c", "good"), ("d", "crash"), ("e", "good")]
    jobs = [sandbox.ExerciseJob(name, function, 1.0, cases) for name, function in plan]
    runs, setup_errors = sandbox.run(cells, jobs, {"codes": [], "prefixes": []}, timeout=20)
    assert setup_errors == []
    assert [runs[k].outcome for k in "abcde"] == ["ran", "timeout", "ran", "crashed", "ran"]
    for k in "ace":
        np.testing.assert_array_equal(runs[k].results[0]["value"], [0.0, 2.0, 4.0])
        assert len(runs[k].results) == 2


def test_a_slow_top_level_statement_costs_only_the_functions_that_read_it(monkeypatch):
    from course_lib.grading import sandbox

    monkeypatch.setattr(sandbox, "STATEMENT_SECONDS", 0.5)
    program = find.parse_notebook(notebook(
        "import numpy as np\ndef endless():\n    while True:\n        pass\n",
        "DATA = endless()\nHALF = np.float64(0.5)",
        "def uses_data(x):\n    return DATA\n\ndef halves(x):\n    return HALF * x"), "nb")
    jobs = [sandbox.ExerciseJob(name, name, 5.0, [((2.0,), {})]) for name in ("uses_data", "halves")]
    runs, errors = sandbox.run(program.cells_for(["uses_data", "halves"]), jobs,
                               {"codes": [], "prefixes": []}, timeout=20)
    assert len(errors) == 1 and "longer than 0.5 s" in errors[0], errors
    assert "NameError" in runs["uses_data"].results[0]["error"]
    assert runs["halves"].results[0]["value"] == 1.0


def test_a_child_that_cannot_start_leaves_no_folder_behind(monkeypatch, tmp_path):
    import tempfile

    from course_lib.grading import sandbox

    # a private temp root: other tests grading in parallel create folders in /tmp meanwhile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(sandbox, "PYTHON", "/nonexistent/python")
    monkeypatch.setattr(sandbox, "mode", lambda: ("plain", "test"))     # bwrap would start, then fail
    with pytest.raises(OSError):
        sandbox.run([], [sandbox.ExerciseJob("f", "f", 1.0, [])], {"codes": [], "prefixes": []})
    assert list(tmp_path.glob("course-grade-*")) == []


@pytest.fixture
def separate_users(monkeypatch):
    """The sandbox with one uid per child: as is when this Python can be run by other users, else
    through a minimal virtual environment of the system's Python of the same version that reads
    this venv's packages (this venv's Python may live under /root); skipped when not root."""
    import os
    import shutil
    import sys
    import sysconfig
    import tempfile

    from course_lib.grading import sandbox

    if os.geteuid() != 0:
        pytest.skip("only root can give each child its own uid")
    monkeypatch.setenv(sandbox.MODE_VARIABLE, "separate-users")     # not bubblewrap, even if installed
    sandbox.mode.cache_clear()
    sandbox.separate_users.cache_clear()
    folder = None
    if not sandbox.separate_users():
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        system = shutil.which(f"python{version}", path="/usr/local/bin:/usr/bin")
        if system is None:
            pytest.skip(f"no system python{version} that an unprivileged user could run")
        folder = Path(tempfile.mkdtemp(prefix="grading-python-"))
        site = folder / "lib" / f"python{version}" / "site-packages"
        site.mkdir(parents=True)
        (folder / "bin").mkdir()
        (folder / "bin" / "python").symlink_to(system)
        (folder / "pyvenv.cfg").write_text(f"home = {Path(system).parent}\n")
        packages = sysconfig.get_paths()["purelib"]
        (site / "venv.pth").write_text(f"import site; site.addsitedir({packages!r})\n")
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o755)
        monkeypatch.setattr(sandbox, "PYTHON", str(folder / "bin" / "python"))
        sandbox.separate_users.cache_clear()
        if not sandbox.separate_users():
            shutil.rmtree(folder)
            pytest.skip("no Python that an unprivileged user can run")
    sandbox.mode.cache_clear()
    yield sandbox
    sandbox.separate_users.cache_clear()
    sandbox.mode.cache_clear()
    if folder is not None:
        shutil.rmtree(folder)


def test_a_child_of_a_root_grader_runs_as_its_own_unprivileged_user(separate_users, tmp_path):
    import os
    import tempfile

    import psutil

    sandbox = separate_users
    guarded = Path(tempfile.mkdtemp(prefix="grading-guarded-"))   # like course_lib or OUT: root's
    guarded.chmod(0o755)
    source = (
        "import os, subprocess\n"
        "def escapes(x):\n"
        "    found = []\n"
        "    attempts = {'signal the grader': lambda: os.kill(os.getppid(), 0),\n"
        "                'read its environment': lambda: open(f'/proc/{os.getppid()}/environ').read(),\n"
        f"                'write its files': lambda: open({str(guarded / 'planted')!r}, 'w').close()}}\n"
        "    for what, attempt in attempts.items():\n"
        "        try:\n"
        "            attempt()\n"
        "            found.append(what)\n"
        "        except (OSError, RuntimeError):\n"
        "            pass\n"
        "    return len(found)\n"
        "def forks(x):\n"
        "    n = 0\n"
        "    for _ in range(150):\n"
        "        try:\n"
        "            if os.fork() == 0:\n"
        "                import time; time.sleep(60); os._exit(0)\n"
        "        except (OSError, RuntimeError):\n"   # RuntimeError: the child's guard refuses fork
        "            break\n"
        "        n += 1\n"
        "    return n\n"
        "def leaves(x):\n"
        "    try:\n"
        "        subprocess.Popen(['sleep', '987655'], env={}, start_new_session=True)\n"
        "    except RuntimeError:\n"
        "        pass\n"
        "    open('/tmp/grading-left-behind-987655', 'w').write('x')\n"
        "    return 0\n")
    cells = find.parse_notebook(notebook(source), "nb").cells_for(["escapes", "forks", "leaves"])
    jobs = [sandbox.ExerciseJob(name, name, 10.0, [((1.0,), {})]) for name in ("escapes", "forks", "leaves")]
    try:
        runs, errors = sandbox.run(cells, jobs, {"codes": [], "prefixes": []}, timeout=30)
        assert errors == [] and all(runs[k].outcome == "ran" for k in runs), (errors, runs)
        assert runs["escapes"].results[0]["value"] == 0
        assert runs["forks"].results[0]["value"] < 100                  # RLIMIT_NPROC holds
        assert not os.path.exists("/tmp/grading-left-behind-987655")
        assert not [p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] == ["sleep", "987655"]]
    finally:
        for process in psutil.process_iter(["cmdline"]):
            if process.info["cmdline"] == ["sleep", "987655"]:
                process.kill()
        for path in (guarded / "planted", Path("/tmp/grading-left-behind-987655")):
            path.unlink(missing_ok=True)
        guarded.rmdir()


def test_a_forbidden_class_is_watched_through_its_own_methods():
    import dataclasses

    from course_lib import optimizers
    from course_lib.grading import sandbox

    ex = dataclasses.replace(exercises.get("mse"), forbidden=(optimizers.Adam,))
    program = find.parse_notebook(notebook(
        "import numpy as np\nfrom course_lib import optimizers",
        "def mse(o, y):\n    getattr(optimizers, 'Ad' + 'am')()\n    return 0.0\n"
        "def allowed(o, y):\n    optimizers.SGD(0.1)\n    return 0.0"), "nb")
    cases = [((np.zeros(2), np.ones(2)), {})]
    jobs = [sandbox.ExerciseJob(name, name, 5.0, cases) for name in ("mse", "allowed")]
    runs, errors = sandbox.run(program.cells_for(["mse", "allowed"]), jobs, references.forbidden_code([ex]),
                               timeout=20)
    assert errors == [] and "Adam.__init__" in runs["mse"].results[0]["course_lib"], (errors, runs)
    assert runs["allowed"].results[0]["course_lib"] is None and runs["allowed"].course_lib is None


def _fake_child(tmp_path, lines: list[dict]) -> str:
    """A stand-in for child.py that reads the key and sends `lines`, correctly authenticated."""
    script = tmp_path / "fake_child.py"
    script.write_text(
        "import hashlib, hmac, json, os, sys\n"
        "job, out = int(sys.argv[1]), int(sys.argv[2])\n"
        "key = b''\n"
        "while len(key) < 32:\n"
        "    key += os.read(job, 32 - len(key))\n"
        f"for n, line in enumerate({lines!r}):\n"
        "    body = json.dumps(line).encode()\n"
        "    tag = hmac.new(key, str(n).encode() + b':' + body, hashlib.sha256).hexdigest().encode()\n"
        "    os.write(out, tag + b' ' + body + b'\\n')\n")
    return str(script)


READY = {"event": "ready", "setup_errors": [], "threads": 0, "spawned": False}
START, DONE = {"event": "start", "exercise": "a"}, {"event": "done", "exercise": "a"}
FINISHED = {"event": "finished"}


def _case(index, watch=None, **extra):
    return {"event": "case", "exercise": "a", "index": index, "value": float(index), "mutated": False,
            "course_lib": watch, **extra}


@pytest.mark.parametrize("lines, outcome", [
    ([READY, START, _case(0), _case(1), DONE, FINISHED], "ran"),
    ([READY, START, _case(0), _case(0), _case(1), DONE, FINISHED], "invalid"),        # duplicate
    ([READY, START, _case(0), DONE, FINISHED], "invalid"),                            # done too early
    ([READY, START, _case(0), _case(1), _case(2), DONE, FINISHED], "invalid"),        # one too many
    ([START, READY, _case(0), _case(1), DONE, FINISHED], "invalid"),                  # before ready
    ([READY, START, _case(1), _case(0), DONE, FINISHED], "invalid"),                  # out of order
    ([READY, START, _case(0), _case(1), DONE, DONE, FINISHED], "invalid"),            # extra done
    ([READY | {"threads": 1}, START, _case(0), _case(1), DONE, FINISHED], "invalid"),  # a thread left
    ([READY | {"spawned": True}, START, _case(0), _case(1), DONE, FINISHED], "invalid"),  # one started
])
def test_the_grader_reads_exactly_the_protocol(monkeypatch, tmp_path, lines, outcome):
    from course_lib.grading import sandbox

    monkeypatch.setattr(sandbox, "mode", lambda: ("plain", "test"))
    monkeypatch.setattr(sandbox, "CHILD", _fake_child(tmp_path, lines))
    job = sandbox.ExerciseJob("a", "f", 5.0, [((1.0,), {}), ((2.0,), {})])
    runs, _ = sandbox.run([], [job], {"codes": [], "prefixes": []}, timeout=20)
    assert runs["a"].outcome == outcome, runs
    if outcome == "ran":
        assert [r["value"] for r in runs["a"].results] == [0.0, 1.0] and runs["a"].course_lib is None
    else:
        assert runs["a"].results == [] and "void" in runs["a"].message


def test_a_case_without_the_watchs_verdict_counts_as_a_reference_call(monkeypatch, tmp_path):
    from course_lib.grading import sandbox

    silent = {k: v for k, v in _case(1).items() if k != "course_lib"}
    monkeypatch.setattr(sandbox, "mode", lambda: ("plain", "test"))
    lines = [READY, START, _case(0), silent, DONE, FINISHED]
    monkeypatch.setattr(sandbox, "CHILD", _fake_child(tmp_path, lines))
    job = sandbox.ExerciseJob("a", "f", 5.0, [((1.0,), {}), ((2.0,), {})])
    runs, _ = sandbox.run([], [job], {"codes": [], "prefixes": []}, timeout=20)
    assert runs["a"].results[0]["course_lib"] is None
    assert "no verdict" in runs["a"].results[1]["course_lib"] and "no verdict" in runs["a"].course_lib


def test_a_line_the_child_did_not_authenticate_voids_the_notebook(monkeypatch, tmp_path):
    from course_lib.grading import sandbox

    script = _fake_child(tmp_path, [READY, START, _case(0)])
    with open(script, "a") as f:                  # then an unauthenticated case line, as a student would
        f.write("os.write(out, b'0 ' + json.dumps({'event': 'case', 'exercise': 'a', 'index': 1, "
                "'value': 1.0, 'mutated': False, 'course_lib': None}).encode() + b'\\n')\n")
    monkeypatch.setattr(sandbox, "mode", lambda: ("plain", "test"))
    monkeypatch.setattr(sandbox, "CHILD", script)
    job = sandbox.ExerciseJob("a", "f", 5.0, [((1.0,), {}), ((2.0,), {})])
    runs, _ = sandbox.run([], [job], {"codes": [], "prefixes": []}, timeout=20)
    assert runs["a"].outcome == "invalid" and "result channel" in runs["a"].message, runs
