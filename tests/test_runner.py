"""grading/runner.py: the one case runner and the one timer of check(), the loader and the child.

The rules are tested on the runner itself, and then end to end: check() in this process and the
real sandbox's child (course-grade) must agree on every kind of in-place change."""

from __future__ import annotations

import signal
import threading
import time

import numpy as np
import pytest
from test_exercises_07 import graded_adagrad_steps

from course_lib import checking
from course_lib.checking import evaluate
from course_lib.grading import child, runner, wire

SNAPSHOT, CHANGED = runner.make_snapshot(np.ndarray, np.array_equal)


def changes(function, *args, **kwargs) -> bool:
    """Whether calling function(*args, **kwargs) changes its inputs, by the runner's rule."""
    state = SNAPSHOT(args, kwargs)
    function(*args, **kwargs)
    return CHANGED(state, args, kwargs)


def _set(x, value):
    x[...] = value


@pytest.mark.parametrize("label, function, args, kwargs, expected", [
    ("reads only", lambda x: x.sum(), (np.ones(3),), {}, False),
    ("array written", lambda x: _set(x, 0), (np.ones(3),), {}, True),
    ("NaN stays NaN", lambda x: x.sum(), (np.array([np.nan, 1.0]),), {}, False),
    ("array reshaped in place", lambda x: x.resize(4, refcheck=False), (np.ones(2),), {}, True),
    ("array in a list written", lambda xs: _set(xs[1], 0), ([np.ones(2), np.ones(2)],), {}, True),
    ("array two lists deep written", lambda xs: _set(xs[0][0], 0), ([[np.ones(2)]],), {}, True),
    ("array in a tuple in a list", lambda xs: _set(xs[0][1], 0), ([(np.ones(1), np.ones(1))],), {}, True),
    ("list grown", lambda xs: xs.append(np.ones(1)), ([np.ones(1)],), {}, True),
    ("list emptied", lambda xs: xs.clear(), ([np.ones(1)],), {}, True),
    ("list element replaced by other values", lambda xs: xs.__setitem__(0, xs[0] + 1), ([np.ones(2)],), {},
     True),
    ("list element replaced by the same values", lambda xs: xs.__setitem__(0, xs[0].copy()), ([np.ones(2)],),
     {}, False),
    ("list element replaced by a list", lambda xs: xs.__setitem__(0, [1.0, 1.0]), ([np.ones(2)],), {}, True),
    ("list element made float32", lambda xs: xs.__setitem__(0, xs[0].astype(np.float32)), ([np.ones(2)],),
     {}, True),
    ("a number in a list replaced", lambda xs: xs.__setitem__(0, 2.0), ([1.0],), {}, True),
    ("a keyword argument written", lambda x, *, y: _set(y, 0), (np.ones(1),), {"y": np.ones(2)}, True),
])
def test_what_counts_as_an_input_changed_in_place(label, function, args, kwargs, expected):
    assert changes(function, *args, **kwargs) is expected, label


def test_a_subclass_put_into_a_list_never_runs_its_code():
    """The comparison uses exact types: an object the function puts into a list argument is never
    asked anything (its __eq__ or __array__ could lie, or attack the child)."""
    asked = []

    class Liar(np.ndarray):
        def __eq__(self, other):
            asked.append("eq")
            return True

    def swap(xs):
        xs[0] = np.zeros(2).view(Liar)

    assert changes(swap, [np.zeros(2)]) and not asked


def test_the_inputs_are_the_wire_copy_the_child_gets():
    args, kwargs = runner.inputs((np.arange(3.0), (1, [2.0])), {"k": np.float64(2)}, wire.to_plain,
                                 wire.from_plain, wire.closed_over)
    assert type(args) is tuple and type(args[1]) is tuple and type(args[1][1]) is list
    assert args[0].dtype == np.float64 and type(kwargs["k"]) is np.float64


def test_a_test_function_that_reads_x_through_a_closure_reads_the_very_x_the_function_gets():
    """numerical_gradient(f, x, eps) with f reading x through a closure: f changes when x itself is
    nudged, and a copy of x, however it is made, changes nothing (a student's working copy too)."""
    from course_lib.testfunctions import TEST_FUNCTIONS

    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    (f, got, eps), _ = runner.inputs((TEST_FUNCTIONS["sum of squares through a closure"], x, 1e-4), {},
                                     wire.to_plain, wire.from_plain, wire.closed_over)
    assert got is not x and f(got) == np.sum(x**2)
    working_copy = got.copy()
    working_copy[0, 0] += 1.0
    assert f(working_copy) == np.sum(x**2)           # the copy is not what f reads
    got[0, 0] += 1.0
    assert f(working_copy) == f(None) == np.sum(got**2) != np.sum(x**2)


def _call(**options):
    describe = child.make_describe(lambda on: None)
    return runner.make_call(describe, wire.to_plain, np.errstate, SNAPSHOT, CHANGED, **options)


def test_an_answer_is_a_value_or_an_error_and_exits_are_answers_too():
    call = _call()
    assert call(lambda x: x * 2, (np.ones(2),), {}) == {"value": wire.to_plain(np.full(2, 2.0)),
                                                         "mutated": False}
    assert call(lambda: 1 / 0, (), {})["error"].startswith("ZeroDivisionError: division by zero")
    assert call(lambda: (_ for _ in ()).throw(SystemExit(3)), (), {})["error"].startswith("SystemExit")
    assert call(lambda: (_ for _ in ()).throw(NotImplementedError()), (), {}) == \
        {"error": "NotImplementedError", "not_implemented": True}


def test_what_the_kernel_lets_through_is_not_an_answer():
    call = _call(let_through=(KeyboardInterrupt,))
    with pytest.raises(KeyboardInterrupt):
        call(lambda: (_ for _ in ()).throw(KeyboardInterrupt()), (), {})


# --- the timer --------------------------------------------------------------------------------

def test_the_timer_stops_a_loop_and_restores_the_previous_handler():
    before = signal.getsignal(signal.SIGALRM)
    with pytest.raises(runner.TimeUp, match="too slow"):
        with runner.time_limit(0.2, "too slow"):
            while True:
                pass
    assert signal.getsignal(signal.SIGALRM) is before and signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_an_outer_time_limit_keeps_its_deadline():
    started = time.monotonic()
    with pytest.raises(runner.TimeUp, match="outer"):
        with runner.time_limit(0.4, "outer"):
            with runner.time_limit(5.0, "inner"):          # does not extend the outer one
                time.sleep(0.1)
            while True:
                pass
    assert time.monotonic() - started < 2.0


def test_outside_the_main_thread_the_block_runs_unlimited():
    done = []

    def work():
        with runner.time_limit(0.01, "never"):
            time.sleep(0.05)
        done.append(True)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert done == [True]


def test_check_stops_an_endless_loop_at_the_graders_time_per_case(capsys):
    def mse(o, y):
        while True:
            pass

    verdict = evaluate("mse", mse, seconds=0.3)
    assert verdict.status == "timeout" and "took longer than 0.3 s of CPU time" in verdict.message
    assert runner.budget(20.0, 40, 10) == 80.0            # 4 seeds' worth of cases, 4 times the time
    checking.check("mse", mse, seconds=0.3)
    assert "took longer than 0.3 s" in capsys.readouterr().out


def test_the_time_counts_only_the_students_calls():
    budget = runner.Budget(0.3, "spent")
    for _ in range(3):
        time.sleep(0.35)                                  # e.g. the reference's expected values
        with budget.running():
            time.sleep(0.05)
    assert 0 < budget.wall_left < 0.9 - 0.1 and budget.cpu_left > 0


def test_cpu_time_counts_and_waiting_is_stopped_by_the_wall_clock():
    """A limit counts CPU seconds (a slow or shared CPU does not fail honest code), and a block
    that waits is stopped after WALL_FACTOR times the limit."""
    started = time.process_time()
    with pytest.raises(runner.TimeUp):
        with runner.time_limit(0.2, "busy", wall_seconds=600):    # only the CPU limit can fire
            while True:
                pass
    assert time.process_time() - started >= 0.1          # the CPU limit (kernel ticks: not exact)
    started = time.monotonic()
    with pytest.raises(runner.TimeUp, match="asleep"):
        with runner.time_limit(0.1, "asleep"):                    # no CPU used: the wall clock stops it
            time.sleep(5)
    assert 0.29 <= time.monotonic() - started < 5
    assert signal.getitimer(signal.ITIMER_PROF)[0] == signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_the_child_defines_with_the_same_timer():
    errors = child.define([{"filename": "<cell 1>", "source": "import time\nX = time.sleep(5)\n"
                            "while True:\n    pass\nY = 1", "keep": [0, 1, 3]}], namespace := {}, seconds=0.2)
    assert len(errors) == 1 and "took longer than 0.2 s of CPU time (or 0.6 s in all)" in errors[0]
    assert namespace["Y"] == 1 and "X" not in namespace


# --- check() and the real sandbox agree -------------------------------------------------------

def adagrad_steps_replacing_list_items(thetas, rs, gs, alpha, eps):
    # right values returned, but the caller's lists get new arrays
    if rs is None:
        rs = [np.zeros_like(theta) for theta in thetas]
    for j, g in enumerate(gs):
        rs[j] = rs[j] + g * g
        thetas[j] = thetas[j] - alpha * g / np.sqrt(rs[j] + eps)
    return list(thetas), list(rs)


def test_check_and_the_sandbox_agree_on_replaced_list_items(tmp_path):
    """A function that puts new arrays into the caller's lists: the child's old rule (arrays one
    level deep, compared by identity) gave it full points while check() failed it."""
    assert evaluate("adagrad_steps", adagrad_steps_replacing_list_items).status == "failed"
    rows = graded_adagrad_steps(tmp_path, adagrad_steps_replacing_list_items)
    assert rows["adagrad_steps"]["status"] == "failed", rows["adagrad_steps"]
    assert "in place" in rows["adagrad_steps"]["message"]


def test_a_statement_that_patches_builtins_does_not_switch_the_timer_off():
    """define() times every statement with functions bound before the first one runs: a student's
    top-level `builtins.zip = ...` (or min, max, any) does not switch off the next statement's limit."""
    source = ("import builtins\nbuiltins.zip = lambda *a: []\nbuiltins.min = lambda *a, **k: 1e9\n"
              "import time\nX = time.sleep(1.5)\n")
    import builtins

    saved = {name: getattr(builtins, name) for name in ("min", "zip")}
    try:
        namespace = {}
        cells = [{"filename": "<cell 1>", "source": source, "keep": [0, 1, 2, 3, 4]}]
        errors = child.define(cells, namespace, seconds=0.1, wall_seconds=0.3)
    finally:
        for name, value in saved.items():
            setattr(builtins, name, value)
    assert len(errors) == 1 and "took longer than 0.1 s of CPU time (or 0.3 s in all)" in errors[0]
    assert "X" not in namespace
