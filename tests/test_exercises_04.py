"""04_gradient_descent: the references agree with hand computations and finite differences.

(The contract every exercise shares, reference passes, hint levels, named outputs, mistakes that
fail, lives in tests/test_hints.py; here only what is particular to this notebook.)
"""

import numpy as np
import pytest

from course_lib import optimizers
from course_lib.checking import evaluate
from course_lib.exercises import nb04_gradient_descent as ex
from course_lib.gradcheck import numerical_gradient


def test_gradient_descent_by_hand():
    # f(x) = x^2 = (1/2) 2 x^2: x_k = (1 - 2 alpha)^k x_0; alpha = 1/4 halves x each step
    thetas, losses, message = ex.gradient_descent(np.array([[2.0]]), np.zeros(1), np.array([-4.0]), 0.25, 3)
    assert np.allclose(thetas[:, 0], [-4.0, -2.0, -1.0, -0.5]) and np.allclose(losses, [16.0, 4.0, 1.0, 0.25])
    assert message == ""
    # alpha = 1.1: |x_k| = 4 * 1.2^k passes 1e6 first at k = ceil(log(250000) / log(1.2)) = 69
    thetas, _, message = ex.gradient_descent(np.array([[2.0]]), np.zeros(1), np.array([-4.0]), 1.1, 100)
    assert message == "diverged at step 69" and len(thetas) == 69


def test_gradient_descent_converges_to_the_minimum_of_the_quadratic():
    A, b = np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([1.0, -1.0])
    thetas, losses, _ = ex.gradient_descent(A, b, np.zeros(2), 0.4, 300)
    assert np.allclose(thetas[-1], np.linalg.solve(A, b)) and np.all(np.diff(losses) <= 1e-15)


def test_gradient_descent_written_independently_passes():
    def run(A, b, theta0, alpha, n_steps):
        path = [np.array(theta0, dtype=float)]
        message = ""
        for k in range(1, n_steps + 1):
            new = path[-1] - alpha * (A @ path[-1] - b)
            if not np.isfinite(new).all() or np.abs(new).max() > 1e6:
                message = f"diverged at step {k}"
                break
            path.append(new)
        path = np.array(path)
        return path, np.array([0.5 * t @ A @ t - b @ t for t in path]), message
    assert evaluate("gradient_descent", run).passed


def test_sgd_update_is_a_shortcut_that_scores_zero():
    def with_sgd_update(A, b, theta0, alpha, n_steps):
        return _run_with(optimizers.sgd_update, A, b, theta0, alpha, n_steps)
    assert "reference code" in evaluate("gradient_descent", with_sgd_update).message


def _run_with(step, A, b, theta0, alpha, n_steps):
    path = [np.asarray(theta0, float)]
    for _ in range(n_steps):
        path.append(step(path[-1], A @ path[-1] - b, alpha))
    return np.array(path), np.array([0.5 * t @ A @ t - b @ t for t in path]), ""


def test_minibatch_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(12, 3)), rng.normal(size=12)
    batch = np.array([0, 4, 4, 9])
    w, b = rng.normal(size=3), 0.7
    params = np.r_[w, b]

    def J(params):  # numerical_gradient perturbs `params` in place and calls J(params)
        return float(np.mean((X[batch] @ params[:3] + params[3] - y[batch]) ** 2))

    numeric = numerical_gradient(J, params)
    dw, db = ex.minibatch_gradient(w, b, X, y, batch)
    np.testing.assert_allclose(np.r_[dw, db], numeric, rtol=1e-6, atol=1e-8)


def test_robbins_monro_lecture_schedules():
    assert ex.robbins_monro_conditions(0.5, 1.0) == (True, True, True)    # alpha_0 / t
    assert ex.robbins_monro_conditions(0.1, 0.0) == (True, True, False)   # constant
    assert ex.robbins_monro_conditions(1.0, 0.5) == (True, True, False)   # 1 / sqrt(t)
    assert ex.robbins_monro_conditions(1.0, 2.0) == (True, False, True)
    assert ex.robbins_monro_conditions(0.0, 0.5) == (False, False, True)  # alpha_0 = 0, p <= 1/2


def test_ignoring_alpha_0_fails_whatever_the_seed():
    wrong = ex.ROBBINS_MONRO_MISTAKES[-1].function
    for seed in range(20):
        outcome = evaluate("robbins_monro_conditions", wrong, seed=seed, watch_references=False)
        assert outcome.status == "failed"


def test_the_minibatch_gradient_through_nn_backward_functions_scores_zero():
    # mse_backward's output fed to linear_backward (w as a one-column W) is the whole answer.
    from course_lib import nn

    def minibatch_gradient(w, b, X, y, batch):
        do = nn.mse_backward(X[batch] @ w + b, y[batch])
        _, dW, db = nn.linear_backward(do[:, None], X[batch], w[:, None])
        return dW[:, 0], float(db[0])

    assert not evaluate("minibatch_gradient", minibatch_gradient).passed


def test_the_mean_squared_error_recursion_matches_sampled_runs():
    """The exercise's m_t is E[(theta_t - theta*)^2] of the sampled noisy SGD (schedules.sgd_noisy_run):
    the mean over 4000 runs agrees within 4 standard errors at every step, and a constant alpha
    stalls at the fixed point alpha sigma^2 / (a (2 - alpha a)) (0.8 / 1.2 for the notebook's numbers)."""
    from course_lib.schedules import sgd_noisy_run

    alphas = 0.6 / np.arange(1, 31) ** 0.7
    m = ex.sgd_mean_squared_error(alphas, 1.5, 0.8, 2.0)
    runs = np.array([sgd_noisy_run(alphas, a=1.5, sigma=0.8, theta_0=2.0, seed=s) for s in range(4000)]) ** 2
    se = runs.std(axis=0) / np.sqrt(len(runs))
    assert m.shape == (31,) and m[0] == 4.0
    assert np.all(np.abs(runs.mean(axis=0)[1:] - m[1:]) < 4 * se[1:] + 1e-12)
    assert ex.sgd_mean_squared_error(np.full(400, 0.8), 1.0, 1.0, 5.0)[-1] == pytest.approx(0.8 / 1.2)


@pytest.mark.parametrize("index", range(len(ex.MSE_RECURSION_MISTAKES)))
def test_each_wrong_recursion_fails_and_is_named(index):
    mistake = ex.MSE_RECURSION_MISTAKES[index]
    outcome = evaluate("sgd_mean_squared_error", mistake.function, watch_references=False)
    assert outcome.status == "failed" and mistake.name in outcome.message


def test_the_schedules_blocks_answer_the_recursion_and_are_caught():
    from course_lib import schedules

    def through_the_block(alphas, a, sigma, theta_0):
        return schedules.expected_squared_error(alphas, a=a, sigma=sigma, theta_0=theta_0)

    assert evaluate("sgd_mean_squared_error", through_the_block, watch_references=False).passed
    outcome = evaluate("sgd_mean_squared_error", through_the_block)
    assert outcome.status == "failed" and "expected_squared_error" in outcome.message


def test_the_robbins_monro_answer_is_not_stated_before_the_exercise():
    """Issue 22: the markdown before robbins_monro_conditions must not say for which p the
    conditions hold (it did: 'the conditions hold exactly for 1/2 < p <= 1')."""
    import nbformat

    from course_lib.release import ROOT

    cells = nbformat.read(ROOT / "notebooks" / "04_gradient_descent.ipynb", as_version=4).cells
    before = []
    for cell in cells:
        if cell.cell_type == "code" and "def robbins_monro_conditions(" in cell.source:
            break
        if cell.cell_type == "markdown":
            before.append(cell.source)
    text = "\n".join(before)
    assert "robbins_monro_conditions" in text       # the exercise is introduced ...
    assert "hold exactly for" not in text and "fail the third" not in text   # ... but not answered
