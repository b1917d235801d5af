"""04_gradient_descent exercises: the references pass, classic mistakes fail, and the
references agree with hand computations and finite differences."""

import numpy as np
import pytest

from course_lib.checking import evaluate
from course_lib.exercises import nb04_gradient_descent as ex
from course_lib.gradcheck import numerical_gradient


def test_references_pass():
    for exercise in ex.EXERCISES:
        assert evaluate(exercise.id, exercise.reference, watch_references=False).passed, exercise.id


def test_step_by_hand():
    np.testing.assert_allclose(ex.gradient_descent_step(np.array([1.0]), np.array([2.0]), 0.25), [0.5])


def _in_place(theta, g, alpha):
    theta -= alpha * g
    return theta


@pytest.mark.parametrize("wrong", [
    lambda theta, g, alpha: theta + alpha * g,        # uphill
    lambda theta, g, alpha: theta - g,                # forgot alpha
    lambda theta, g, alpha: theta - alpha * g / 2,
    _in_place,                                        # modifies the input
])
def test_step_mistakes_fail(wrong):
    assert evaluate("gradient_descent_step", wrong).status == "failed"


def test_minibatch_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(12, 3)), rng.normal(size=12)
    batch = np.array([0, 4, 4, 9])
    w, b = rng.normal(size=3), 0.7

    params = np.r_[w, b]

    def J():  # numerical_gradient perturbs `params` in place and calls J()
        return float(np.mean((X[batch] @ params[:3] + params[3] - y[batch]) ** 2))

    numeric = numerical_gradient(J, params)
    dw, db = ex.minibatch_gradient(w, b, X, y, batch)
    np.testing.assert_allclose(np.r_[dw, db], numeric, rtol=1e-6, atol=1e-8)


def _half(w, b, X, y, batch):
    dw, db = ex.minibatch_gradient(w, b, X, y, batch)
    return dw / 2, db / 2


def _whole_set(w, b, X, y, batch):
    return ex.minibatch_gradient(w, b, X, y, np.arange(len(y)))


def _sum_not_mean(w, b, X, y, batch):
    dw, db = ex.minibatch_gradient(w, b, X, y, batch)
    return dw * len(batch), db * len(batch)


def _divide_by_N(w, b, X, y, batch):
    dw, db = ex.minibatch_gradient(w, b, X, y, batch)
    return dw * len(batch) / len(y), db * len(batch) / len(y)


def _unique_rows(w, b, X, y, batch):
    return ex.minibatch_gradient(w, b, X, y, np.unique(batch))


def _no_bias(w, b, X, y, batch):
    return ex.minibatch_gradient(w, 0.0, X, y, batch)


@pytest.mark.parametrize("wrong", [_half, _whole_set, _sum_not_mean, _divide_by_N, _unique_rows, _no_bias])
def test_minibatch_mistakes_fail(wrong):
    assert evaluate("minibatch_gradient", wrong).status == "failed"


def test_robbins_monro_lecture_schedules():
    assert ex.robbins_monro_conditions(0.5, 1.0) == (True, True, True)    # alpha_0 / t
    assert ex.robbins_monro_conditions(0.1, 0.0) == (True, True, False)   # constant
    assert ex.robbins_monro_conditions(1.0, 0.5) == (True, True, False)   # 1 / sqrt(t)
    assert ex.robbins_monro_conditions(1.0, 2.0) == (True, False, True)


@pytest.mark.parametrize("wrong", [
    lambda a, p: (a > 0, a > 0 and p < 1, a == 0 or p > 0.5),     # p = 1 is fine
    lambda a, p: (a > 0, a > 0 and p <= 1, a == 0 or p >= 0.5),   # 1/sqrt(t) squared diverges
    lambda a, p: (a > 0, a > 0 and p <= 1, a == 0 or p > 1),      # confused the two series
    lambda a, p: (True, p <= 1, p > 0.5),                         # ignores alpha_0 = 0
])
def test_robbins_monro_mistakes_fail(wrong):
    assert evaluate("robbins_monro_conditions", wrong).status == "failed"
