"""The checks of 02_double_descent accept right answers and reject the classic wrong ones."""

import numpy as np
import pytest

from course_lib.checking import evaluate
from course_lib.exercises import get


def test_references_match_hand_computations():
    features = get("random_relu_features").reference
    X = np.array([[1.0, -1.0]])
    V = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert np.allclose(features(X, V, np.array([0.5, 0.5])), [[1.5, 0.0]])   # relu(1.5), relu(-0.5)
    min_norm = get("min_norm_least_squares").reference
    # one equation 3 a + 4 b = 5: the shortest solution is along (3, 4): (3, 4) * 5 / 25
    assert np.allclose(min_norm(np.array([[3.0, 4.0]]), np.array([5.0])), [0.6, 0.8])


def test_right_answers_pass():
    assert evaluate("random_relu_features", lambda X, V, c: np.maximum(X @ V + c, 0)).passed
    assert evaluate("min_norm_least_squares", lambda Phi, y: np.linalg.pinv(Phi) @ y).passed
    assert evaluate("min_norm_least_squares", lambda Phi, y: np.linalg.lstsq(Phi, y, rcond=None)[0]).passed


@pytest.mark.parametrize("wrong", [
    lambda X, V, c: np.maximum(X @ V, 0) + c,        # bias after the relu
    lambda X, V, c: np.maximum(X @ V, 0),            # no bias
    lambda X, V, c: np.abs(X @ V + c),               # not a relu
    lambda X, V, c: np.maximum(X @ V.T + c, 0),      # V transposed
])
def test_wrong_features_fail(wrong):
    assert evaluate("random_relu_features", wrong).status in ("failed", "error")


def zero_padded(Phi, y):
    """An interpolating theta (solve on the first n columns), but not the shortest one."""
    n, p = Phi.shape
    if p <= n:
        return np.linalg.lstsq(Phi, y, rcond=None)[0]
    theta = np.zeros(p)
    theta[:n] = np.linalg.solve(Phi[:, :n], y)
    return theta


@pytest.mark.parametrize("wrong", [
    lambda Phi, y: np.linalg.solve(Phi.T @ Phi, Phi.T @ y),          # normal equations: singular for p > n
    lambda Phi, y: Phi.T @ np.linalg.solve(Phi @ Phi.T, y),          # kernel form: singular for p < n
    zero_padded,
    lambda Phi, y: Phi.T @ y,                                         # gradient direction, not a solution
])
def test_wrong_min_norm_fails(wrong):
    assert evaluate("min_norm_least_squares", wrong).status in ("failed", "error")
