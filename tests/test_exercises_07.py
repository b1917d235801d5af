"""07_adagrad_rmsprop: adagrad_steps manages one accumulator per parameter array and changes none
in place; the course_lib blocks that answer the exercises are caught.

(The contract every exercise shares, reference passes, hint levels, named outputs, mistakes that
fail, lives in tests/test_hints.py; here only what is particular to this notebook.)
"""

import numpy as np

from course_lib import exercises
from course_lib.checking import evaluate

IDS = ["adagrad_step", "rmsprop_step", "adagrad_steps"]


def test_the_notebook_has_these_exercises():
    assert [ex.id for ex in exercises.for_notebook("07_adagrad_rmsprop")] == IDS


def test_outputs_are_named():
    assert exercises.get("adagrad_step").outputs == ("theta", "r")
    assert exercises.get("rmsprop_step").outputs == ("theta", "r")
    assert exercises.get("adagrad_steps").outputs == ("thetas", "rs")


def adagrad_in_place(theta, r, g, alpha, eps):
    r += g * g
    return theta - alpha / np.sqrt(r + eps) * g, r


def rmsprop_in_place(theta, r, g, alpha, beta, eps):
    r *= beta
    r += (1 - beta) * g * g
    return theta - alpha / np.sqrt(r + eps) * g, r


def adagrad_eps_ignored(theta, r, g, alpha, eps):
    r = r + g * g
    with np.errstate(all="ignore"):
        return theta - alpha / np.sqrt(r) * g, r


def test_in_place_and_eps_ignored_fail():
    assert evaluate("adagrad_step", adagrad_in_place).status == "failed"
    assert evaluate("rmsprop_step", rmsprop_in_place).status == "failed"
    assert evaluate("adagrad_step", adagrad_eps_ignored).status == "failed"


def adagrad_steps_student(thetas, rs, gs, alpha, eps):
    # a student's loop over the arrays, written without course_lib
    if rs is None:
        rs = [np.zeros_like(theta) for theta in thetas]
    new_thetas, new_rs = [], []
    for theta, r, g in zip(thetas, rs, gs):
        r = r + g**2
        new_thetas.append(theta - alpha * g / np.sqrt(r + eps))
        new_rs.append(r)
    return new_thetas, new_rs


def adagrad_steps_calling_the_reference(thetas, rs, gs, alpha, eps):
    from course_lib.optimizers import adagrad_update
    if rs is None:
        rs = [np.zeros_like(theta) for theta in thetas]
    pairs = [adagrad_update(theta, r, g, alpha, eps) for theta, r, g in zip(thetas, rs, gs)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def test_a_student_loop_passes_and_looping_the_reference_does_not():
    for seed in range(5):
        assert evaluate("adagrad_steps", adagrad_steps_student, seed=seed).passed
    outcome = evaluate("adagrad_steps", adagrad_steps_calling_the_reference)
    assert outcome.status == "failed" and "adagrad_update" in outcome.message


def test_first_rmsprop_step_by_hand():
    # r = 0.1 g^2 = [0.025, 1.6]; step = 0.01 g / sqrt(r) = 0.01 sign(g) / sqrt(0.1)
    theta, r = exercises.get("rmsprop_step").reference(
        np.array([1.0, 2.0]), np.zeros(2), np.array([0.5, -4.0]), 0.01, 0.9, 0.0)
    assert np.allclose(r, [0.025, 1.6])
    assert np.allclose(theta, [1.0 - 0.01 / np.sqrt(0.1), 2.0 + 0.01 / np.sqrt(0.1)])


def test_adagrad_steps_by_hand_keeps_one_accumulator_per_array():
    thetas, rs = exercises.get("adagrad_steps").reference(
        [np.array([[1.0, 2.0]]), np.array([0.0])], None, [np.array([[3.0, 0.0]]), np.array([-2.0])],
        0.5, 0.0)
    assert np.allclose(rs[0], [[9.0, 0.0]]) and np.allclose(rs[1], [4.0])
    assert np.allclose(thetas[0], [[0.5, 2.0]]) and np.allclose(thetas[1], [0.5])


def adagrad_steps_in_place(thetas, rs, gs, alpha, eps):
    # right values, but the caller's arrays inside the lists are changed
    if rs is None:
        rs = [np.zeros_like(theta) for theta in thetas]
    for theta, r, g in zip(thetas, rs, gs):
        r += g * g
        theta -= alpha * g / np.sqrt(r + eps)
    return thetas, rs


def test_in_place_updates_inside_the_lists_fail():
    assert evaluate("adagrad_steps", adagrad_steps_in_place).status == "failed"


def adagrad_steps_empties_the_gradient_list(thetas, rs, gs, alpha, eps):
    # right values in new lists, but the caller's list of gradients is emptied
    if rs is None:
        rs = [np.zeros_like(theta) for theta in thetas]
    new_rs = [r + g * g for r, g in zip(rs, gs)]
    new_thetas = [theta - alpha * g / np.sqrt(r + eps) for theta, g, r in zip(thetas, gs, new_rs)]
    gs.clear()
    return new_thetas, new_rs


def test_a_list_argument_that_shrinks_fails():
    assert evaluate("adagrad_steps", adagrad_steps_empties_the_gradient_list).status == "failed"


def graded_adagrad_steps(tmp_path, function) -> dict:
    """grades.csv's rows (by exercise) of a 07 solution notebook whose adagrad_steps is `function`."""
    import csv
    import inspect
    from pathlib import Path

    import nbformat

    from course_lib.grading import grade

    root = Path(__file__).resolve().parent.parent
    nb = nbformat.read(root / "solutions" / "07_adagrad_rmsprop.ipynb", as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("def adagrad_steps(")]
    assert len(cells) == 1
    source = inspect.getsource(function)
    cells[0].source = source.replace(function.__name__, "adagrad_steps")
    (tmp_path / "in" / "dana").mkdir(parents=True)
    nbformat.write(nb, tmp_path / "in" / "dana" / "07_adagrad_rmsprop.ipynb")
    grade(tmp_path / "in", tmp_path / "out", jobs=1, notebooks=["07_adagrad_rmsprop"], progress=False)
    with open(tmp_path / "out" / "grades.csv", newline="") as f:
        return {row["exercise"]: row for row in csv.DictReader(f)}


def test_the_grader_also_fails_a_list_argument_that_shrinks(tmp_path):
    rows = graded_adagrad_steps(tmp_path, adagrad_steps_empties_the_gradient_list)
    assert rows["adagrad_steps"]["status"] == "failed", rows["adagrad_steps"]
    assert "in place" in rows["adagrad_steps"]["message"]
    assert rows["adagrad_step"]["status"] == "passed", rows["adagrad_step"]


def test_the_grader_also_fails_in_place_updates_inside_the_lists(tmp_path):
    """The sandbox compares the arrays inside list arguments too, so check() and the grader agree."""
    rows = graded_adagrad_steps(tmp_path, adagrad_steps_in_place)
    assert rows["adagrad_steps"]["status"] == "failed", rows["adagrad_steps"]
    assert "in place" in rows["adagrad_steps"]["message"]
    assert rows["adagrad_step"]["status"] == "passed", rows["adagrad_step"]


def test_the_private_step_helper_of_optimizers_scores_zero():
    # optimizers._divide_by_root is alpha / sqrt(r + eps) * g with the eps = 0 corner handled:
    # the part of the step these exercises teach, so it must be off limits like the updates.
    from course_lib.optimizers import _divide_by_root

    def adagrad_step(theta, r, g, alpha, eps):
        r = r + g * g
        return theta - _divide_by_root(alpha, r, eps, g), r

    def rmsprop_step(theta, r, g, alpha, beta, eps):
        r = beta * r + (1 - beta) * g * g
        return theta - _divide_by_root(alpha, r, eps, g), r

    assert not evaluate("adagrad_step", adagrad_step).passed
    assert not evaluate("rmsprop_step", rmsprop_step).passed
