"""One verdict: check() fails exactly when the grader scores 0, at any seed.

For every exercise, its reference, every Mistake in the registry and every known-wrong
implementation still kept in tests/test_exercises_NN.py is judged twice: by check() (evaluate:
the fixed cases and the random cases of several seeds) and by the grader's scoring path
(score.prepare and score.score, with the answers produced as the sandbox's child produces them
but in this process, for speed, through the child's own case runner, grading/runner.py) at 5
seeds the check never uses (COURSE_VERDICT_SEEDS=20, e.g. in a nightly job, for more). A function
that passes check() must get full points at every seed, and one that fails it must get 0 at
every seed: the fixed cases must cover every seed-dependent bug. One real `grade` run ties the
two paths end to end.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import inspect
import json
import os
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_lib import exercises
from course_lib.checking import evaluate
from course_lib.exercises.core import definition_kind
from course_lib.grading import child, grade, references, runner, score, wire
from course_lib.grading.sandbox import ExerciseRun

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
GRADER_SEEDS = range(1000, 1000 + int(os.environ.get("COURSE_VERDICT_SEEDS", "5")))


def known_wrong() -> list[tuple[str, str, object]]:
    """(notebook prefix "08", label, function) for the wrong implementations kept in
    tests/test_exercises_NN.py: module-level helper functions and parametrized callables."""
    found = []
    for path in sorted(TESTS.glob("test_exercises_*.py")):
        prefix = path.stem.rsplit("_", 1)[-1]
        spec = importlib.util.spec_from_file_location(f"_one_verdict_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name, obj in vars(module).items():
            if name.startswith("test_") or name.startswith("_") or not inspect.isfunction(obj) \
                    or obj.__module__ != module.__name__:
                if name.startswith("test_"):
                    for mark in getattr(obj, "pytestmark", []):
                        if mark.name == "parametrize":
                            values = mark.args[1]
                            for k, value in enumerate(values):
                                value = getattr(value, "values", value)
                                for v in value if isinstance(value, tuple) else (value,):
                                    if inspect.isfunction(v):
                                        found.append((prefix, f"{path.stem}::{name}[{k}]", v))
                continue
            found.append((prefix, f"{path.stem}::{name}", obj))
    return found


def accepts(function, case) -> bool:
    try:
        inspect.signature(function).bind(*case.args, **case.kwargs)
        return True
    except (TypeError, ValueError):
        return False


def pairings() -> list[tuple[str, str, object]]:
    """(exercise id, label, function): references, mistakes, and known-wrong functions paired with
    every exercise of their notebook whose cases they can be called with."""
    out = []
    for ex in exercises.all_exercises():
        if ex.check_seeds < 2:
            continue                    # a training run per case (check() runs one seed): too slow
            #                             for 20 seeds here; its own tests compare check and grader
        out.append((ex.id, "reference", ex.reference))
        out += [(ex.id, f"mistake: {m.name}", m.function) for m in ex.mistakes]
    slow = {ex.id for ex in exercises.all_exercises() if ex.check_seeds < 2}
    for prefix, label, function in known_wrong():
        for ex in exercises.all_exercises():
            if ex.notebook.startswith(prefix) and ex.id not in slow and accepts(function, ex.cases(0)[0]):
                out.append((ex.id, label, function))
    return out


@functools.cache
def prepared(exercise_id: str, seed: int) -> score.Prepared:
    return score.prepare([exercises.get(exercise_id)], seed)[0]


def child_answer(function, case, watch) -> dict:
    """One case's answer as the sandbox's child makes it and the grader reads it back: the child's
    case runner (runner.make_call, as child.make_case_runner binds it) on the inputs as the grader
    sends them, the value through the wire format, and the reference watch's verdict."""
    snapshot, changed = runner.make_snapshot(np.ndarray, np.array_equal)
    call = runner.make_call(child.make_describe(lambda on: None), wire.to_plain, np.errstate, snapshot,
                            changed, invoke=watch.call)
    answer = call(function, *runner.inputs(case.args, case.kwargs, wire.to_plain, wire.from_plain,
                                           wire.closed_over))
    if "value" in answer:           # the child's json line, and the grader's reading of it
        try:
            answer["value"] = wire.from_plain(json.loads(json.dumps(answer["value"], allow_nan=True)))
        except (TypeError, ValueError, OverflowError):
            answer["value"] = wire.Unreadable("value")
    answer["course_lib"] = watch.found
    return answer


def graded(exercise_id: str, function, seed: int) -> score.Result:
    """The grader's score (score.score) for `function` at `seed`, with answers made in this process."""
    p = prepared(exercise_id, seed)
    watch = child.CourseWatch(references.forbidden_code(exercises.for_notebook(p.exercise.notebook)),
                              {function.__code__.co_filename})
    run = ExerciseRun(exercise_id)
    for case in p.cases:
        run.results.append(child_answer(function, case, watch))
        if "error" in run.results[-1]:
            break                                   # the child stops at the first error too
    return score.score(p, run, definition_kind(function))


PAIRS = pairings()


def disagreements(exercise_id: str, function, watch: bool = True) -> tuple[object, list[str]]:
    """check()'s verdict, and the grader seeds at which the grader's score does not match it."""
    verdict = evaluate(exercise_id, function, watch_references=watch)
    ex = exercises.get(exercise_id)
    disagree = []
    for seed in GRADER_SEEDS:
        result = graded(exercise_id, function, seed)
        full = result.points == ex.points
        if full != verdict.passed or (not full and result.points != 0):
            disagree.append(f"seed {seed}: grader {result.status} {result.points:g} ({result.message[:120]})")
    return verdict, disagree


@pytest.mark.parametrize("exercise_id, label, function", PAIRS,
                         ids=[f"{e}-{label}" for e, label, _ in PAIRS])
def test_check_fails_exactly_when_the_grader_gives_zero(exercise_id, label, function):
    if label == "reference":
        assert evaluate(exercise_id, function, watch_references=False).passed
        return
    verdict, disagree = disagreements(exercise_id, function)
    if label.startswith("mistake"):
        assert not verdict.passed, f"the mistake {label} passes check()"
    assert not disagree, (f"check() says {verdict.status} ({verdict.message[:150]}), the grader disagrees at "
                          f"{len(disagree)} of {len(GRADER_SEEDS)} seeds: " + "; ".join(disagree[:3]))


def test_a_bug_that_only_some_seeds_catch_is_reported(monkeypatch):
    """The comparison can fail: a wrong answer that only some random cases expose (like a one-hot of
    width y.max() + 1) fails check() but passes the grader at some seeds."""
    from course_lib.exercises import Case, Exercise

    def make_cases(rng):
        return [Case("fixed", (np.array([0.0, 1.0]),))] + \
               [Case(f"random #{k}", (rng.normal(size=3),)) for k in range(2)]

    def total(x):
        return float(np.sum(x))

    def wrong_when_large(x):
        return float(np.sum(x)) + (1.0 if np.max(x) > 1.8 else 0.0)

    ex = Exercise("seed_probe", "99_probe", 1, total, make_cases, hints=("add them up",))
    monkeypatch.setitem(exercises._load(), ex.id, ex)
    verdict, disagree = disagreements(ex.id, wrong_when_large)
    assert not verdict.passed and disagree


def test_there_is_something_to_compare():
    labels = [label for _, label, _ in PAIRS]
    assert sum(label == "reference" for label in labels) >= 20
    assert sum(label.startswith("test_exercises") for label in labels) >= 30


def test_the_grader_scores_the_reference_full_at_every_seed():
    for exercise_id in [ex.id for ex in exercises.all_exercises() if ex.check_seeds > 1]:
        for seed in GRADER_SEEDS[:3]:
            p = prepared(exercise_id, seed)
            run = ExerciseRun(exercise_id, results=[{"value": wire.loads(wire.dumps(e)), "mutated": False}
                                                    for e in p.expected])
            assert score.score(p, run).status == "passed", (exercise_id, seed)


# --- one real grading run ---------------------------------------------------------------------

WELCOME_VARIANTS = {
    "right": "def mse(o, y):\n    return float(np.mean((np.asarray(o) - np.asarray(y)) ** 2))\n",
    "half": "def mse(o, y):\n    return 0.5 * float(np.mean((np.asarray(o) - np.asarray(y)) ** 2))\n",
    "complex": "def mse(o, y):\n    return np.mean((np.asarray(o) - np.asarray(y)) ** 2) + 1e-30j\n",
    "float32": "def mse(o, y):\n    return np.float32(np.mean((o - y) ** 2) + 1e-6)\n",
    "some_inputs": "def mse(o, y):\n    if np.ndim(o) > 1:\n        raise NotImplementedError()\n"
                   "    return float(np.mean((np.asarray(o) - np.asarray(y)) ** 2))\n",
}


def test_a_real_grading_run_agrees_with_check(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    source = nbformat.read(ROOT / "solutions" / "00_welcome.ipynb", as_version=4)
    verdicts = {}
    for student, code in WELCOME_VARIANTS.items():
        nb = copy.deepcopy(source)
        for cell in nb.cells:
            if cell.cell_type == "code" and "def mse" in cell.source:
                cell.source = code
        (subs / student).mkdir(parents=True)
        nbformat.write(nb, subs / student / "00_welcome.ipynb")
        namespace = {"np": np}
        exec(compile(code, f"<{student}>", "exec"), namespace)
        verdicts[student] = evaluate("mse", namespace["mse"])
    summary = grade(subs, out, jobs=2, notebooks=["00_welcome"], progress=False, seed=4321)
    rows = {r["student"]: r for r in summary.rows()}
    for student, verdict in verdicts.items():
        assert (rows[student]["points"] == 1.0) == verdict.passed, (student, rows[student], verdict.message)
        assert (rows[student]["points"] == 0.0) == (not verdict.passed), student
    assert verdicts["right"].passed and not verdicts["half"].passed
    assert "complex" in rows["complex"]["message"] and "complex" in verdicts["complex"].message
    assert rows["some_inputs"]["status"] == verdicts["some_inputs"].status == "error"


# --- one verdict for notebook globals: check() in a kernel judges with the grader's namespace ----

GLOBALS_HEAD = "import numpy as np\nfrom course_lib.checking import check"
SCALED_MSE = ("def mse(o, y):\n    factor = scales[-1] / 2 if 'scales' in globals() else 1.0\n"
              "    return factor * float(scale * np.mean((np.asarray(o) - np.asarray(y)) ** 2))")
GLOBAL_VARIANTS = {       # name: (cells, check()'s status); the grader must give 0 to all but "kept"
    "kept": (["scale = 1.0"], "passed"),
    "for_loop": (["for k in range(1):\n    scale = 1.0"], "error"),
    "if_block": (["if True:\n    scale = 1.0"], "error"),
    "global_in_a_function": (["def setup():\n    global scale\n    scale = 1.0", "setup()"], "error"),
    "through_a_kept_one": (["with open(__file__ if False else '/dev/null'):\n    factor = 1.0",
                            "scale = factor"], "error"),
    "changed_after": (["scale = 0.5", "scale += 0.5"], "failed"),
    "built_in_a_loop": (["scales = [0.5]", "for k in range(1):\n    scales.append(2.0)",
                         "scale = 1.0"], "failed"),
    "item_changed": (["scale = np.array([0.5])", "scale[0] = 1.0"], "failed"),
    "reads_a_name_kept_later": (["rng = np.random.default_rng(0)", "scale = 1.0 + 0 * rng.normal()",
                                 "rng = np.random.default_rng(1)"], "error"),
    "from_the_reference": (["from course_lib.exercises import get\n"
                            "scale = 1.0 + 0 * get('mse').reference(np.zeros(1), np.zeros(1))"], "failed"),
}


@pytest.fixture(scope="module")
def ipython(tmp_path_factory):
    """An IPython shell in this process, as a Jupyter kernel runs one (its history in memory)."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path_factory.mktemp("ipython")))
    shell = InteractiveShell.instance(config=config)
    yield shell
    shell.reset(new_session=True)
    InteractiveShell.clear_instance()
    monkeypatch.undo()


def run_cells(shell, cells: list[str]):
    shell.reset(new_session=True)
    for source in cells:
        result = shell.run_cell(source, store_history=True)
        assert result.error_in_exec is None and result.error_before_exec is None, source


def test_check_in_a_kernel_fails_globals_the_grader_does_not_keep_and_the_grader_agrees(ipython, tmp_path,
                                                                                        capsys):
    subs = tmp_path / "subs"
    verdicts = {}
    for student, (cells, status) in GLOBAL_VARIANTS.items():
        program = [GLOBALS_HEAD, *cells, SCALED_MSE]
        run_cells(ipython, program)
        verdicts[student] = evaluate("mse", ipython.user_ns["mse"])
        assert verdicts[student].status == status, (student, verdicts[student].message)
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in program])
        (subs / student).mkdir(parents=True)
        nbformat.write(nb, subs / student / "00_welcome.ipynb")
    assert "uses the global `scale`, which the grader does not keep: it is set by a `for` loop in " \
        "cell In [2]" in verdicts["for_loop"].message
    assert "`factor` (through `scale`)" in verdicts["through_a_kept_one"].message
    assert "changed it since" in verdicts["changed_after"].message
    assert "`scales.append(...)` in a `for` loop in cell In [3]" in verdicts["built_in_a_loop"].message
    assert "`scale[0] = ...`" in verdicts["item_changed"].message
    assert "keeps only the last definition of `rng`" in verdicts["reads_a_name_kept_later"].message
    assert "reference code" in verdicts["from_the_reference"].message
    run_cells(ipython, [GLOBALS_HEAD, *GLOBAL_VARIANTS["for_loop"][0], SCALED_MSE, "check('mse', mse)"])
    assert "❌" in capsys.readouterr().out                  # what the student sees in the check cell
    summary = grade(subs, tmp_path / "out", jobs=2, notebooks=["00_welcome"], progress=False, seed=99)
    rows = {r["student"]: r for r in summary.rows()}
    for student, verdict in verdicts.items():
        assert (rows[student]["points"] == 1.0) == verdict.passed, (student, rows[student]["message"])
        assert rows[student]["points"] in (0.0, 1.0)


RIGHT_BODY = "        return float(np.mean((np.asarray(o) - np.asarray(y)) ** 2))"
HIDDEN_DEFINITIONS = {       # the function itself made where the grader does not look
    "def_in_if": f"if True:\n    def mse(o, y):\n{RIGHT_BODY}",
    "def_in_try": f"try:\n    def mse(o, y):\n{RIGHT_BODY}\nexcept ImportError:\n    pass",
    "right_def_hidden_behind_a_wrong_one": f"def mse(o, y):\n    return 0.0\n\n"
                                           f"for _ in range(1):\n    def mse(o, y):\n{RIGHT_BODY}",
}


def test_check_fails_a_function_made_where_the_grader_does_not_look_and_the_grader_agrees(ipython, tmp_path):
    subs = tmp_path / "subs"
    for student, cell in HIDDEN_DEFINITIONS.items():
        run_cells(ipython, [GLOBALS_HEAD, cell])
        verdict = evaluate("mse", ipython.user_ns["mse"])
        assert verdict.status == "error" and "defined at the top level of a cell" in verdict.message, \
            (student, verdict.message)
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in [GLOBALS_HEAD, cell]])
        (subs / student).mkdir(parents=True)
        nbformat.write(nb, subs / student / "00_welcome.ipynb")
    summary = grade(subs, tmp_path / "out", jobs=2, notebooks=["00_welcome"], progress=False, seed=7)
    assert {r["student"]: r["points"] for r in summary.rows()} == dict.fromkeys(HIDDEN_DEFINITIONS, 0.0)


def test_outside_a_kernel_check_judges_as_before():
    """Tests and scripts call check() with functions of their own modules: nothing to compare."""
    scale = 1.0

    def mse(o, y):
        return scale * float(np.mean((np.asarray(o) - np.asarray(y)) ** 2))

    assert evaluate("mse", mse).passed
