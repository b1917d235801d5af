"""Exercises of 05_backpropagation: references pass and agree with finite differences; every
listed mistake fails its check and is recognisable on the failing case; hand-written right
answers pass; shortcuts through course_lib fail; hints contain no code.

(The contract every exercise shares, reference passes, hint levels, named outputs, mistakes that
fail, lives in tests/test_hints.py; here only what is particular to this notebook.)
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from course_lib import exercises, gradcheck, graph, nn
from course_lib.checking import evaluate
from course_lib.exercises.core import arguments
from course_lib.exercises.nb05_backpropagation import mlp_backward, mlp_loss
from course_lib.gradcheck import numerical_gradient, numerical_gradient_array, relative_error
from course_lib.grading import wire

NOTEBOOK = "05_backpropagation"
IDS = ["forward_propagation", "backpropagation", "relu_backward", "sigmoid_backward",
       "linear_backward", "numerical_gradient", "gradient_check",
       "softmax_cross_entropy_backward", "mlp_backward", "debugged_backward", "harmless_bug"]
ROOT = Path(__file__).resolve().parents[1]


def test_the_notebook_has_these_exercises():
    assert [ex.id for ex in exercises.for_notebook(NOTEBOOK)] == IDS


# ---------------------------------------------------------------------------------------------
# the references are right: finite differences and the lecture's table


def test_activation_backwards_match_finite_differences_on_every_case():
    forwards = {"relu_backward": nn.relu_forward, "sigmoid_backward": nn.sigmoid_forward}
    for exercise_id, forward in forwards.items():
        ex = exercises.get(exercise_id)
        for case in ex.cases(seed=1):
            dh, z = (np.array(a, dtype=np.float64) for a in case.args)
            if np.any(z == 0) and exercise_id == "relu_backward":
                continue  # no derivative at the kink; see the next test
            numerical = numerical_gradient_array(forward, z, dh)
            np.testing.assert_allclose(ex.expected(case), numerical, rtol=1e-6, atol=1e-9, err_msg=case.name)


def test_relu_kink_finite_difference_is_one_half_while_the_reference_says_zero():
    z = np.array([0.0])
    numerical = numerical_gradient_array(nn.relu_forward, z, np.array([1.0]))
    assert numerical[0] == pytest.approx(0.5)
    assert nn.relu_backward(np.array([1.0]), z)[0] == 0.0


def test_linear_backward_matches_finite_differences_on_every_case():
    ex = exercises.get("linear_backward")
    for case in ex.cases(seed=2):
        dh, x, W = (np.array(a, dtype=np.float64) for a in case.args)
        b = np.zeros(W.shape[1])
        numerical = numerical_gradient_array(lambda xWb: xWb[0] @ xWb[1] + xWb[2], [x, W, b], dh)
        assert relative_error(list(ex.expected(case)), numerical) < 1e-7, case.name


def test_softmax_cross_entropy_backward_matches_finite_differences_on_every_case():
    ex = exercises.get("softmax_cross_entropy_backward")
    for case in ex.cases(seed=4):
        z, y = np.array(case.args[0], dtype=np.float64), case.args[1]
        numerical = numerical_gradient(lambda z, y=y: nn.softmax_cross_entropy(z, y), z)
        assert relative_error(ex.expected(case), numerical) < 1e-6, case.name
        assert np.all(np.isfinite(ex.expected(case))), case.name


def test_mlp_backward_matches_finite_differences_on_every_case():
    """Every case but the one with z1 exactly 0: at the ReLU's kink a central difference averages
    the two one-sided slopes, while the exercise's subgradient there is 0 (tested below)."""
    ex = exercises.get("mlp_backward")
    kinks = 0
    for case in ex.cases(seed=3):
        X, y, *params = (np.array(a) for a in case.args)
        params = [p.astype(np.float64) for p in params]
        if np.any(X @ params[0] + params[1] == 0):
            kinks += 1
            continue
        numerical = numerical_gradient(lambda p, X=X, y=y: mlp_loss(X, y, *p), params)
        assert relative_error(list(mlp_backward(X, y, *params)), numerical) < 1e-6, case.name
    assert kinks == 1


def test_mlp_backward_at_the_kink_takes_slope_zero():
    """At z1 = 0 the reference's gradient is the one-sided limit from z1 < 0 (slope 0): nudging the
    zero bias a little down changes nothing, so a mask from z1 >= 0 gives a different answer."""
    ex = exercises.get("mlp_backward")
    case = next(c for c in ex.cases(seed=0) if c.name.startswith("z1 exactly 0"))
    X, y, W1, b1, W2, b2 = case.args
    below = b1 - 1e-12 * (b1 == 0)
    assert all(np.allclose(a, b, atol=1e-9) for a, b in zip(mlp_backward(*case.args),
                                                           mlp_backward(X, y, W1, below, W2, b2)))
    ge = exercises.get("mlp_backward").mistakes
    assert any(m.idea == "relu_mask_missing" for m in ge)


def test_mlp_backward_agrees_with_the_course_mlp():
    X = np.random.default_rng(0).normal(size=(7, 4))
    y = np.array([0, 1, 2, 0, 1, 2, 2])
    net = nn.MLP([4, 5, 3], activation="relu", seed=1)
    loss, grads = net.loss_and_grads(X, y, loss="cross_entropy")
    assert mlp_loss(X, y, *net.params) == pytest.approx(loss)
    for a, b in zip(mlp_backward(X, y, *net.params), grads):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_backpropagation_cases_hold_the_lectures_table():
    ex = exercises.get("backpropagation")
    case = next(c for c in ex.cases(seed=0) if "worked example" in c.name)
    nodes, u = case.args
    g = ex.expected(case)
    index = {node["name"]: i for i, node in enumerate(nodes)}
    for key, value in nn.LECTURE_VALUES.items():
        assert (g[index[key[4:]]] if key.startswith("dL/d") else u[index[key]]) == value, key


def test_backpropagation_random_cases_have_forks_and_match_finite_differences():
    ex = exercises.get("backpropagation")
    for seed in range(5):
        for case in [c for c in ex.cases(seed) if c.name.startswith("random")]:
            nodes, u = case.args
            assert max(sum(i in n["parents"] for n in nodes) for i in range(len(nodes))) >= 2
            g = ex.expected(case)
            for i, node in enumerate(nodes):
                if node["op"] == "input":
                    up = [dict(n, value=n["value"] + 1e-6) if j == i else n for j, n in enumerate(nodes)]
                    down = [dict(n, value=n["value"] - 1e-6) if j == i else n for j, n in enumerate(nodes)]
                    numeric = (graph.forward_propagation(up)[-1] - graph.forward_propagation(down)[-1]) / 2e-6
                    assert g[i] == pytest.approx(numeric, rel=1e-6, abs=1e-8)


def test_cases_are_plain_data():
    """Cases travel to the grader's sandbox in its wire format: arrays, numbers, containers and
    the named test functions (sent by name); never an object the other side cannot rebuild."""
    def unreadable(value):
        if isinstance(value, wire.Unreadable):
            return True
        if isinstance(value, (list, tuple)):
            return any(unreadable(v) for v in value)
        if isinstance(value, dict):
            return any(unreadable(v) for v in value.values())
        return False
    for exercise_id in IDS:
        for case in exercises.get(exercise_id).cases(seed=0):
            assert not unreadable(wire.loads(wire.dumps((case.args, case.kwargs)))), (exercise_id, case.name)
    json.dumps(exercises.get("backpropagation").cases(0)[1].args)


def test_mlp_inputs_stay_small_enough_to_show():
    for case in exercises.get("mlp_backward").cases(seed=0):
        assert all(np.size(a) <= 24 for a in case.args), case.name


# ---------------------------------------------------------------------------------------------
# mistakes and known-wrong answers


MISTAKES = [(ex_id, k) for ex_id in IDS for k in range(len(exercises.get(ex_id).mistakes))]


def test_every_exercise_lists_mistakes_and_levelled_hints_and_outputs():
    for exercise_id in IDS:
        ex = exercises.get(exercise_id)
        assert len(ex.mistakes) >= 3, exercise_id
        assert len(ex.hints) >= 2, exercise_id
        assert ex.outputs, exercise_id
    assert exercises.get("mlp_backward").outputs == ("dW1", "db1", "dW2", "db2")


@pytest.mark.parametrize("exercise_id, k", MISTAKES)
@pytest.mark.parametrize("seed", [0, 3])
def test_each_mistake_fails_and_is_recognisable_on_its_failing_case(exercise_id, k, seed):
    ex = exercises.get(exercise_id)
    mistake = ex.mistakes[k]
    outcome = evaluate(exercise_id, mistake.function, seed=seed, watch_references=False)
    if outcome.status == "error":
        # a mistake that raises (the parents' values as a set: node_value's IndexError) is
        # recognised by its error, type and message
        assert mistake.name in outcome.mistakes, (mistake.name, outcome.message)
        return
    assert outcome.status == "failed", (mistake.name, outcome.message)
    # on the failing case the mistake returns a value (not an exception) that differs from the
    # reference, so a student answer equal to it can be named
    args, kwargs = arguments(outcome.case)         # what the student's function is called with
    got = mistake.function(*args, **kwargs)
    assert ex.verdict(outcome.case, ex.expected(outcome.case), got) is not None
    assert "\n" not in mistake.name and "=" not in mistake.name


def _onehot_of_width_ymax_plus_1(logits, y):
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return (p - np.eye(y.max() + 1)[y]) / len(y)


def _numerical_gradient_without_restoring(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += eps
        f_plus = f(x)
        x[i] -= 2 * eps
        g[i] = (f_plus - f(x)) / (2 * eps)
    return g


def _numerical_gradient_restoring_by_adding(f, x, eps=1e-6):
    """Restores each entry by adding eps back: off by a rounding error, which a check catches."""
    arrays = [x] if isinstance(x, np.ndarray) else list(x)
    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            a[i] += eps
            f_plus = f(x)
            a[i] -= 2 * eps
            g[i] = (f_plus - f(x)) / (2 * eps)
            a[i] += eps
        grads.append(g)
    return grads[0] if isinstance(x, np.ndarray) else grads


OTHER_WRONG = {
    # not listed as Mistakes: they raise, or return the right values while doing harm
    "softmax_cross_entropy_backward": [_onehot_of_width_ymax_plus_1],
    "numerical_gradient": [_numerical_gradient_without_restoring],
    "linear_backward": [lambda dh, x, W: (dh @ W.T, x.T @ dh)],
}


@pytest.mark.parametrize("exercise_id, k", [(i, k) for i in OTHER_WRONG for k in range(len(OTHER_WRONG[i]))])
@pytest.mark.parametrize("seed", [0, 5])
def test_other_known_wrong_answers_fail(exercise_id, k, seed):
    outcome = evaluate(exercise_id, OTHER_WRONG[exercise_id][k], seed=seed)
    assert outcome.status in ("failed", "error"), outcome.message


def test_restoring_by_adding_eps_back_is_caught_and_the_advice_matches_the_rule():
    """The exercise says: nudge x itself. So the advice for an x left changed by round-off is to put
    the saved value back, never "return a new array instead" (issue 21)."""
    outcome = evaluate("numerical_gradient", _numerical_gradient_restoring_by_adding)
    assert outcome.status == "failed"
    assert "new array" not in outcome.message and "saved old value" in outcome.message
    assert outcome.mistake == "restoring x by arithmetic (plus eps, minus twice eps, plus eps)"
    assert "saved value back" in exercises.get("numerical_gradient").hint_levels(1, outcome)[0]


def test_onehot_of_width_ymax_plus_1_fails_at_every_seed():
    """The fixed case 'a batch without the highest class' makes this seed-independent."""
    for seed in range(10):
        assert not evaluate("softmax_cross_entropy_backward", _onehot_of_width_ymax_plus_1,
                            seed=seed).passed


# ---------------------------------------------------------------------------------------------
# right answers written by hand pass (with the watch on), shortcuts do not


def _forward(nodes):
    u = []
    for node in nodes:
        A = [u[j] for j in node["parents"]]
        u.append(graph.node_value(node, A))
    return u


def _backward_by_pushing(nodes, u):
    """Right, and not the reference's loop: each node pushes its g to its parents."""
    g = [0.0] * len(nodes)
    g[-1] = 1.0
    for j in range(len(nodes) - 1, -1, -1):
        A = [u[k] for k in nodes[j]["parents"]]
        for k, partial in zip(nodes[j]["parents"], graph.node_partials(nodes[j], A)):
            g[k] += g[j] * partial
    return g


def _numerical_gradient(f, x, eps=1e-6):
    grads = []
    for a in [x] if isinstance(x, np.ndarray) else x:
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            old = a[i]
            a[i] = old + eps
            f_plus = f(x)
            a[i] = old - eps
            f_minus = f(x)
            a[i] = old
            g[i] = (f_plus - f_minus) / (2 * eps)
        grads.append(g)
    return grads[0] if isinstance(x, np.ndarray) else grads


def _gradient_check(analytic, numerical, tiny=1e-12):
    a = np.concatenate([np.ravel(v) for v in (analytic if isinstance(analytic, list) else [analytic])])
    n = np.concatenate([np.ravel(v) for v in (numerical if isinstance(numerical, list) else [numerical])])
    return np.max(np.abs(a - n)) / max(np.max(np.abs(a) + np.abs(n)), tiny)


def _softmax_ce_backward(logits, y):
    n = logits.shape[0]
    d = nn.softmax(logits)
    d[np.arange(n), y] -= 1
    return d / n


RIGHT = {
    "forward_propagation": _forward,
    "backpropagation": _backward_by_pushing,
    "numerical_gradient": _numerical_gradient,
    "gradient_check": _gradient_check,
    "softmax_cross_entropy_backward": _softmax_ce_backward,
    "mlp_backward": lambda X, y, W1, b1, W2, b2: _mlp_right(X, y, W1, b1, W2, b2),
}


def _mlp_right(X, y, W1, b1, W2, b2):
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    do = _softmax_ce_backward(h @ W2 + b2, y)
    dz1 = (do @ W2.T) * (z1 > 0)
    return X.T @ dz1, dz1.sum(axis=0), h.T @ do, do.sum(axis=0)


@pytest.mark.parametrize("exercise_id", list(RIGHT))
@pytest.mark.parametrize("seed", [0, 11])
def test_right_hand_written_answers_pass_with_the_watch_on(exercise_id, seed):
    outcome = evaluate(exercise_id, RIGHT[exercise_id], seed=seed)
    assert outcome.passed, outcome.message


def _mlp_through_the_course_mlp(X, y, W1, b1, W2, b2):
    net = nn.MLP([W1.shape[0], W1.shape[1], W2.shape[1]])
    net.params[:] = [W1, b1, W2, b2]
    return tuple(net.loss_and_grads(X, y, loss="cross_entropy")[1])


SHORTCUTS = {
    "forward_propagation": lambda nodes: graph.worked_example_graph() and graph.forward_propagation(nodes),
    "backpropagation": lambda nodes, u: graph.backpropagation(nodes, u),
    "relu_backward": lambda dh, z: dh * nn.relu_derivative(z),
    "sigmoid_backward": lambda dh, z: nn.sigmoid_backward(dh, z),
    "linear_backward": lambda dh, x, W: nn.linear_backward(dh, x, W),
    "numerical_gradient": lambda f, x, eps=1e-6: gradcheck.numerical_gradient(f, x, eps),
    "gradient_check": lambda a, n: gradcheck.relative_error(a, n),
    "softmax_cross_entropy_backward": lambda z, y: nn.softmax_cross_entropy_backward(z, y),
    "mlp_backward": _mlp_through_the_course_mlp,
    "debugged_backward": lambda X, Y, W1, b1, W2, b2: exercises.get("debugged_backward").reference(
        X, Y, W1, b1, W2, b2),
    "harmless_bug": lambda: exercises.get("harmless_bug").reference(),
}


def _debugged_through_nn(X, Y, W1, b1, W2, b2):
    z = X @ W1 + b1
    h = np.maximum(z, 0.0)
    dh, dW2, db2 = nn.linear_backward(2 * (h @ W2 + b2 - Y) / len(X), h, W2)
    _, dW1, db1 = nn.linear_backward(nn.relu_backward(dh, z), X, W1)
    return dW1, db1, dW2, db2


def test_the_debugged_pass_through_nn_backward_functions_scores_zero():
    assert evaluate("debugged_backward", _debugged_through_nn, watch_references=False).passed
    outcome = evaluate("debugged_backward", _debugged_through_nn)
    assert outcome.status == "failed" and "reference code" in outcome.message


@pytest.mark.parametrize("exercise_id", IDS)
def test_shortcuts_through_course_lib_fail(exercise_id):
    outcome = evaluate(exercise_id, SHORTCUTS[exercise_id])
    assert outcome.status == "failed" and "reference code" in outcome.message, outcome.message


def test_mlp_backward_may_call_the_students_own_pieces_and_nn_softmax():
    def linear_backward(dh, x, W):
        return dh @ W.T, x.T @ dh, dh.sum(axis=0)

    def mlp(X, y, W1, b1, W2, b2):
        z1 = X @ W1 + b1
        h = np.maximum(z1, 0)
        dh, dW2, db2 = linear_backward(_softmax_ce_backward(h @ W2 + b2, y), h, W2)
        _, dW1, db1 = linear_backward(dh * (z1 > 0), X, W1)
        return dW1, db1, dW2, db2

    assert evaluate("mlp_backward", mlp).passed


# ---------------------------------------------------------------------------------------------
# hints and the notebook


CODE_LIKE = re.compile(r"=|np\.|@|\.T\b|axis|\w\(|\[|\*|\bdef\b")


def test_hint_checker_catches_code():
    for code in ["dx = dh W", "use np.sum", "x.T @ dh", "dh.sum(axis=0)", "sigma(z) * (1 - sigma(z))"]:
        assert CODE_LIKE.search(code), code


@pytest.mark.parametrize("folder", ["solutions", "notebooks"])
def test_the_notebook_does_not_import_its_references(folder):
    import nbformat

    nb = nbformat.read(ROOT / folder / f"{NOTEBOOK}.ipynb", as_version=4)
    imports = "\n".join(line for cell in nb.cells if cell.cell_type == "code"
                        for line in cell.source.splitlines() if "import" in line)
    for name in IDS + ["relative_error", "numerical_gradient_array", "worked_example_graph"]:
        assert not re.search(rf"\b{name}\b", imports), name
    assert "nb05_backpropagation" not in imports


# ---------------------------------------------------------------------------------------------
# the grader: plain-data graphs and named test functions cross the sandbox; one verdict


WRONG_CELLS = {
    "backpropagation": '''
def backpropagation(nodes, u):
    from course_lib import graph as g
    return g.backpropagation(nodes, u)
''',
    "numerical_gradient": '''
def numerical_gradient(f, x, eps=1e-6):
    arrays = [x] if isinstance(x, np.ndarray) else list(x)
    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            old = a[i]
            f_0 = f(x)
            a[i] = old + eps
            g[i] = (f(x) - f_0) / eps
            a[i] = old
        grads.append(g)
    return grads[0] if isinstance(x, np.ndarray) else grads
''',
    "softmax_cross_entropy_backward": '''
def softmax_cross_entropy_backward(logits, y):
    return (nn.softmax(logits) - np.eye(y.max() + 1)[y]) / len(y)
''',
}


def _notebook_function(nb, name):
    """The function `name` as the notebook defines it (its cells run top to bottom, the
    imports and definitions only)."""
    namespace = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.lstrip().startswith(("import", "from", "def")):
            exec(compile(cell.source, f"<{NOTEBOOK}>", "exec"), namespace)
    return namespace[name]


@pytest.mark.parametrize("seed", [3])
def test_the_grader_agrees_with_check(tmp_path, seed):
    import nbformat

    from course_lib.grading import grade

    nb = nbformat.read(ROOT / "solutions" / f"{NOTEBOOK}.ipynb", as_version=4)
    for cell in nb.cells:
        for name, source in WRONG_CELLS.items():
            if cell.cell_type == "code" and cell.source.lstrip().startswith(f"def {name}("):
                cell.source = source.strip()
    (tmp_path / "in" / "carol").mkdir(parents=True)
    nbformat.write(nb, tmp_path / "in" / "carol" / f"{NOTEBOOK}.ipynb")
    grade(tmp_path / "in", tmp_path / "out", jobs=1, notebooks=[NOTEBOOK], seed=seed, progress=False)
    import csv

    with open(tmp_path / "out" / "grades.csv", newline="") as f:
        rows = {row["exercise"]: row for row in csv.DictReader(f)}
    wrong = {*WRONG_CELLS, "mlp_backward"}   # mlp_backward calls the wrong softmax gradient
    for exercise_id in IDS:
        points, full = float(rows[exercise_id]["points"]), float(rows[exercise_id]["max_points"])
        outcome = evaluate(exercise_id, _notebook_function(nb, exercise_id), seed=seed)
        assert outcome.passed == (points == full), (exercise_id, outcome.message)
        if exercise_id in wrong:
            assert points == 0.0, (exercise_id, rows[exercise_id]["message"])
        else:
            assert points == full, (exercise_id, rows[exercise_id]["message"])
    assert "course" in rows["backpropagation"]["message"] or "reference" in rows["backpropagation"]["message"]


def test_every_explorer_question_has_an_answer_and_the_off_limits_line_is_there():
    import nbformat

    nb = nbformat.read(ROOT / "solutions" / f"{NOTEBOOK}.ipynb", as_version=4)
    explorers = [k for k, cell in enumerate(nb.cells)
                 if cell.cell_type == "code" and re.search(r"Explorer\(", cell.source)]
    assert explorers
    for k in explorers:
        after = nb.cells[k + 1]
        assert after.cell_type == "markdown" and after.source.startswith("<details><summary>Answer")
    text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    assert text.count("**Off limits in this notebook's exercises:**") == 1
    assert "derived in `03" not in text


# ---------------------------------------------------------------------------------------------
# Exercise 10: the buggy backward pass (issue 22)


def _buggy_backward_from_the_notebook():
    """The student notebook's buggy_backward: its source lines and the function itself."""
    cells = json.loads((ROOT / "notebooks" / f"{NOTEBOOK}.ipynb").read_text())["cells"]
    source = next("".join(c["source"]) for c in cells
                  if c["cell_type"] == "code" and "def buggy_backward(" in "".join(c["source"]))
    function_source = source.split("\n\n\n")[0]
    namespace = {"np": np}
    exec(function_source, namespace)  # noqa: S102 - our own notebook's cell
    return function_source.splitlines(), namespace["buggy_backward"]


def test_the_registry_knows_the_lines_of_the_notebooks_bugs():
    from course_lib.exercises.nb05_backpropagation import BUGGY_LINES

    lines, _ = _buggy_backward_from_the_notebook()
    assert lines[0].startswith("def buggy_backward(")
    assert lines[BUGGY_LINES["missing 1/N"] - 1].strip() == "do = 2 * (o - Y)"
    assert lines[BUGGY_LINES["harmless mask h > 0"] - 1].strip() == "dz = dh * (h > 0)"
    assert lines[BUGGY_LINES["transposed dW1"] - 1].strip() == "dW1 = dz.T @ X"


def test_the_notebooks_buggy_backward_fails_and_is_named():
    _, buggy = _buggy_backward_from_the_notebook()
    outcome = evaluate("debugged_backward", buggy)
    assert outcome.status == "failed"
    assert "the buggy function unchanged" in outcome.message


def test_the_harmless_bug_is_harmless_and_the_other_two_are_not():
    """Fixing only the two real bugs (keeping h > 0) passes; fixing either one alone does not."""
    lines, _ = _buggy_backward_from_the_notebook()
    source = "\n".join(lines)
    both = source.replace("do = 2 * (o - Y)", "do = 2 * (o - Y) / len(X)").replace("dz.T @ X", "X.T @ dz")
    for text, passes in [(both, True),
                         (source.replace("do = 2 * (o - Y)", "do = 2 * (o - Y) / len(X)"), False),
                         (source.replace("dz.T @ X", "X.T @ dz"), False),
                         (source.replace("(h > 0)", "(z > 0)"), False)]:
        namespace = {"np": np}
        exec(text, namespace)  # noqa: S102
        assert evaluate("debugged_backward", namespace["buggy_backward"]).passed is passes


def test_the_debugged_reference_agrees_with_finite_differences():
    from course_lib.exercises.nb05_backpropagation import regression_mlp_backward, regression_mlp_loss

    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(7, 3)), rng.normal(size=(7, 2))
    params = [rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(4, 2)), rng.normal(size=2)]
    numerical = numerical_gradient(lambda p: regression_mlp_loss(X, Y, *p), params)
    analytic = regression_mlp_backward(X, Y, *params)
    assert relative_error(list(analytic), numerical) < 1e-7


@pytest.mark.parametrize("answer", [(6, "a"), (11, "a"), (10, "b"), (10, "d"), (3, "a")])
def test_a_wrong_harmless_answer_fails_without_printing_the_answer(answer):
    from course_lib.checking import report

    outcome = evaluate("harmless_bug", lambda: answer)
    assert outcome.status == "failed"
    text = report(outcome, hint=3)
    assert "(10, 'a')" not in text and "10, 'a'" not in text
    assert "sha256:" in text.split("expected:")[1].splitlines()[0]      # only the digest is shown


def test_the_harmless_answer_passes_in_any_letter_case():
    assert evaluate("harmless_bug", lambda: (10, "a")).passed
    assert evaluate("harmless_bug", lambda: (10, " A ")).passed
    assert not evaluate("harmless_bug", lambda: (10.0, "a")).passed     # a line number is an int


def test_sigma_squared_and_a_gradient_check_of_sums_are_named():
    # class B's answers, as its author wrote them (tests/wrong_answers/second_class.py)
    from wrong_answers.second_class import gc_sum_not_max, sig_squared

    for exercise_id, function, name in [
            ("sigmoid_backward", sig_squared, "sigma squared instead of sigma times one minus sigma"),
            ("gradient_check", gc_sum_not_max, "sums over all entries instead of the two maxima")]:
        verdict = evaluate(exercise_id, function, watch_references=False)
        assert name in verdict.mistakes, (exercise_id, verdict.message)


def test_a_one_sided_difference_over_twice_eps_is_named():
    # class C's answer: f(x + eps) - f(x), over 2 eps (tests/wrong_answers/third_class.py)
    from wrong_answers.third_class import ng_forward_only_with_2eps

    verdict = evaluate("numerical_gradient", ng_forward_only_with_2eps, watch_references=False)
    assert "a one-sided difference divided by twice eps (half the slope)" in verdict.mistakes, verdict.message
