"""Messages that mislead (issue 21, item 3): one test per point, each failing before its fix.

Every message is produced by the one judge (exercises.core) for check() and the grader alike;
where the grader's own text matters, it is read through score.score as test_one_verdict does.
"""

from __future__ import annotations

import numpy as np

from course_lib import exercises
from course_lib.checking import evaluate, report
from course_lib.exercises.core import compare, short

# --- numerical_gradient: the advice matches the rule; a closure over x ----------------------------

def _restores_by_arithmetic(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += eps
        f_plus = f(x)
        x[i] -= 2 * eps
        f_minus = f(x)
        x[i] += eps
        g[i] = (f_plus - f_minus) / (2 * eps)
    return g


def _nudges_copies(f, x, eps=1e-6):
    if isinstance(x, list):
        out = []
        for k, a in enumerate(x):
            g = np.zeros_like(a)
            for i in np.ndindex(a.shape):
                plus, minus = [b.copy() for b in x], [b.copy() for b in x]
                plus[k][i] += eps
                minus[k][i] -= eps
                g[i] = (f(plus) - f(minus)) / (2 * eps)
            out.append(g)
        return out
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += eps
        minus[i] -= eps
        g[i] = (f(plus) - f(minus)) / (2 * eps)
    return g


def test_restoring_x_by_arithmetic_is_not_told_to_return_a_new_array():
    outcome = evaluate("numerical_gradient", _restores_by_arithmetic)
    assert not outcome.passed
    assert "new array" not in outcome.message, outcome.message
    assert "saved old value" in outcome.message


def test_nudging_copies_fails_on_a_function_that_reads_x_through_a_closure():
    from test_one_verdict import graded

    outcome = evaluate("numerical_gradient", _nudges_copies)
    assert not outcome.passed and "closure" in outcome.case.name
    assert outcome.mistake == "nudging a copy of x instead of x itself"
    for seed in (1000, 1001):
        result = graded("numerical_gradient", _nudges_copies, seed)
        assert result.points == 0 and "nudging a copy of x" in result.message


def _nudges_one_working_copy(f, x, eps=1e-6):
    """Central differences on ONE private copy of x, nudged and restored in place, f called with it
    (the first array f ever sees is that copy: a closure bound to it would read the copy)."""
    work = [a.copy() for a in ([x] if isinstance(x, np.ndarray) else x)]
    grads = []
    for a in work:
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            old = a[i]
            a[i] = old + eps
            f_plus = f(work[0] if isinstance(x, np.ndarray) else work)
            a[i] = old - eps
            f_minus = f(work[0] if isinstance(x, np.ndarray) else work)
            a[i] = old
            g[i] = (f_plus - f_minus) / (2 * eps)
        grads.append(g)
    return grads[0] if isinstance(x, np.ndarray) else grads


def test_nudging_one_working_copy_fails_too():
    """A class of wrong answers found this one passing: f's closure bound to the first array it was
    called with, which was the student's working copy. f now closes over the case's x itself."""
    from test_one_verdict import graded

    outcome = evaluate("numerical_gradient", _nudges_one_working_copy)
    assert not outcome.passed and "closure" in outcome.case.name
    assert outcome.mistake == "nudging a copy of x instead of x itself"
    for seed in (1000, 1001):
        assert graded("numerical_gradient", _nudges_one_working_copy, seed).points == 0


def test_leaving_out_the_terms_where_q_is_zero_is_wrong_and_named():
    """p_k > 0 where q_k = 0: the data shows what the model rules out, so the cross-entropy and the
    divergence are infinite. An answer that masks q_k = 0 as well as p_k = 0 passed every case
    before there was such a case (a class of wrong answers found it)."""
    from test_one_verdict import graded

    def kl_masks_both(p, q):
        keep = (p > 0) & (q > 0)
        return float(np.sum(p[keep] * np.log(p[keep] / q[keep])))

    def cross_entropy_masks_both(p, q):
        keep = (p > 0) & (q > 0)
        return float(-np.sum(p[keep] * np.log(q[keep])))

    for exercise_id, function in (("kl_divergence", kl_masks_both),
                                  ("cross_entropy", cross_entropy_masks_both)):
        outcome = evaluate(exercise_id, function)
        assert not outcome.passed and "q_k = 0 where p_k > 0" in outcome.case.name
        assert outcome.message.startswith("expected inf, got number"), outcome.message
        assert outcome.mistake.startswith("leaving out the terms where q_k is zero"), outcome.mistakes
        assert graded(exercise_id, function, 1000).points == 0


def test_the_closure_test_function_crosses_the_wire_by_name():
    from course_lib.grading import wire
    from course_lib.testfunctions import TEST_FUNCTIONS, squares_through_closure

    assert TEST_FUNCTIONS["sum of squares through a closure"] is squares_through_closure
    assert wire.loads(wire.dumps(squares_through_closure)) is squares_through_closure


# --- small arrays whole, graphs by node -------------------------------------------------------------

def test_a_three_by_three_matrix_is_printed_whole():
    C = np.array([[1, 0, 0], [0, 2, 1], [3, 0, 2]])
    text = short(C)
    assert "..." not in text and "[3, 0, 2]" in text
    assert "..." not in short(np.arange(30.0)) and "..." in short(np.arange(31.0))


def test_a_confusion_matrix_failure_shows_both_matrices_whole():
    def one_too_many_on_the_diagonal(y_true, y_pred, n_classes):
        C = np.zeros((n_classes, n_classes), dtype=np.int64)
        np.add.at(C, (y_true, y_pred), 1)
        return C + np.eye(n_classes, dtype=np.int64)

    outcome = evaluate("confusion_matrix", one_too_many_on_the_diagonal)
    assert outcome.expected.shape == (3, 3)
    text = report(outcome)
    expected_line = next(line for line in text.splitlines() if "expected:" in line)
    assert "..." not in expected_line and "min" not in expected_line


def test_a_graph_input_is_shown_node_by_node():
    ex = exercises.get("forward_propagation")
    case = next(c for c in ex.cases(0) if c.name.startswith("the chain"))
    text = short(case.args[0])
    assert "more)" not in text and "{" not in text
    assert "x = " in text and "square(x)" in text


def test_backpropagation_entries_are_labelled_by_node():
    def overwrites_at_forks(nodes, u):
        from course_lib import graph
        g = [0.0] * len(nodes)
        g[-1] = 1.0
        for j in range(len(nodes) - 1, -1, -1):
            parents = nodes[j].get("parents", [])
            for k, d in zip(parents, graph.node_partials(nodes[j], [u[p] for p in parents])):
                g[k] = g[j] * d
        return g

    outcome = evaluate("backpropagation", overwrites_at_forks)
    text = report(outcome)
    assert "output 0" not in text and "output 1" not in text
    names = [node["name"] for node in outcome.case.args[0]]
    assert f"g({names[0]})" in text


# --- relative error where the expected value is 0 ---------------------------------------------------

def test_relative_error_is_na_where_the_wrong_entries_expect_zero():
    reason = compare(np.array([0.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0]))
    assert "max rel error n/a" in reason and "max rel error 0" not in reason


def test_relu_backward_letting_the_gradient_through_at_zero_shows_no_relative_error_of_zero():
    outcome = evaluate("relu_backward", lambda dh, z: dh * (z >= 0))
    assert "max rel error 0" not in outcome.message and "n/a" in outcome.message


# --- exceptions inside course code ------------------------------------------------------------------

def test_an_exception_in_course_code_is_attributed_to_the_students_input():
    def forward_propagation(nodes):
        from course_lib import graph
        u = []
        for node in nodes:
            A = {u[j] for j in node["parents"]}          # a set: course code cannot index it
            u.append(float(node["value"]) if node["op"] == "input" else graph.OPS[node["op"]][1](A))
        return u

    outcome = evaluate("forward_propagation", forward_propagation, watch_references=False)
    assert outcome.status == "error"
    assert "<lambda>" not in outcome.message
    assert "inside course code, from your input to it at line" in outcome.message
    assert "of forward_propagation" in outcome.message


def test_an_exception_in_numpy_names_the_students_line():
    def ridge_fit(X, y, lam):
        return np.linalg.solve(np.zeros((X.shape[1], X.shape[1])), X.T @ y)

    outcome = evaluate("ridge_fit", ridge_fit)
    assert outcome.status == "error" and "of ridge_fit)" in outcome.message, outcome.message


# --- the one-hot width from y.max() + 1 -------------------------------------------------------------

def test_a_one_hot_width_from_the_labels_is_named_not_a_raw_broadcasting_error():
    from test_one_verdict import graded

    def width_from_labels(logits, y):
        z = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return (p - np.eye(y.max() + 1)[y]) / len(y)

    outcome = evaluate("softmax_cross_entropy_backward", width_from_labels)
    assert outcome.mistake and "one-hot width taken from the labels" in outcome.mistake
    ladder = exercises.get("softmax_cross_entropy_backward").hint_levels(1, outcome)
    assert "number of classes" in ladder[0]
    result = graded("softmax_cross_entropy_backward", width_from_labels, 1000)
    assert result.points == 0 and "one-hot width taken from the labels" in result.message


def test_the_sandboxed_grader_fails_a_numerical_gradient_that_nudges_copies(tmp_path):
    """End to end: the closure case reaches the sandbox by name, and the copy-nudging answer scores 0
    there with its misconception named, as in check()."""
    import inspect
    from pathlib import Path

    import nbformat

    from course_lib.grading import grade

    root = Path(__file__).resolve().parent.parent
    nb = nbformat.read(root / "solutions" / "05_backpropagation.ipynb", as_version=4)
    source = "import numpy as np\n\n" + \
        inspect.getsource(_nudges_copies).replace("_nudges_copies", "numerical_gradient")
    for cell in nb.cells:
        if cell.cell_type == "code" and "def numerical_gradient" in cell.source:
            cell.source = source
    (tmp_path / "subs" / "ann").mkdir(parents=True)
    nbformat.write(nb, tmp_path / "subs" / "ann" / "05_backpropagation.ipynb")
    summary = grade(tmp_path / "subs", tmp_path / "out", jobs=1, notebooks=["05_backpropagation"],
                    progress=False, seed=11)
    row = next(r for r in summary.rows() if r["exercise"] == "numerical_gradient")
    assert row["points"] == 0 and "nudging a copy of x instead of x itself" in row["message"], row
    assert all(r["points"] > 0 for r in summary.rows() if r["exercise"] != "numerical_gradient")


def test_wrong_values_from_an_input_changed_in_place_name_the_change_first():
    """theta = theta0, then theta -= ...: theta0 itself moves, and every row of the path is the last
    theta. The values are wrong AND an input changed in place: the change is named first (with its
    nudge as hint 1), not only the pattern of the wrong values (class H: 'a slip at the first entry
    only' alone, whose nudge sent the student looking at where a loop starts)."""
    from test_one_verdict import graded
    from wrong_answers.eighth_class import gradient_descent_updates_theta0_itself as moves_theta0

    outcome = evaluate("gradient_descent", moves_theta0)
    assert not outcome.passed and outcome.message.startswith("wrong values")
    assert outcome.mistake == "changing an input array in place", outcome.mistakes
    assert outcome.nudge.startswith("Your function changed an array it was given")
    assert "this is what changing an input array in place gives" in graded(
        "gradient_descent", moves_theta0, 1000).message
