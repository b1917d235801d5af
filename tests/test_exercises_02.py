"""02_double_descent: any defensible SVD cutoff is accepted.

(The contract every exercise shares, reference passes, hint levels, named outputs, mistakes that
fail, lives in tests/test_hints.py; here only what is particular to this notebook.)
"""

import numpy as np
import pytest

from course_lib import generalization
from course_lib.checking import evaluate
from course_lib.exercises import get


def test_min_norm_by_hand():
    min_norm = get("min_norm_least_squares").reference
    # one equation 3 a + 4 b = 5: the shortest solution is along (3, 4): (3, 4) * 5 / 25
    theta, rank = min_norm(np.array([[3.0, 4.0]]), np.array([5.0]))
    assert np.allclose(theta, [0.6, 0.8]) and rank == 1


def svd_with_cutoff(cutoff):
    def solve(Phi, y):
        U, s, Vt = np.linalg.svd(np.asarray(Phi, float), full_matrices=False)
        keep = s > cutoff * s[0]
        return Vt[keep].T @ ((U[:, keep].T @ y) / s[keep]), int(keep.sum())
    return solve


@pytest.mark.parametrize("cutoff", [1e-12, 1e-10, 1e-7])
def test_any_defensible_cutoff_passes(cutoff):
    assert evaluate("min_norm_least_squares", svd_with_cutoff(cutoff)).passed


def test_pinv_with_matrix_rank_passes():
    def with_pinv(Phi, y):
        tolerance = 1e-10 * np.linalg.norm(Phi, 2)
        return np.linalg.pinv(Phi, rcond=1e-10) @ y, int(np.linalg.matrix_rank(Phi, tol=tolerance))
    assert evaluate("min_norm_least_squares", with_pinv).passed


@pytest.mark.parametrize("wrong", [
    lambda Phi, y: (np.linalg.solve(Phi.T @ Phi, Phi.T @ y), Phi.shape[1]),      # normal equations
    lambda Phi, y: (Phi.T @ np.linalg.solve(Phi @ Phi.T, y), Phi.shape[0]),      # kernel form
    lambda Phi, y: np.linalg.pinv(Phi) @ y,                                       # no rank
    svd_with_cutoff(1e-3),                                                        # drops real directions
])
def test_other_wrong_min_norm_fail(wrong):
    assert evaluate("min_norm_least_squares", wrong).status in ("failed", "error")


def test_double_descent_errors_agree_with_the_course_curve():
    X_train, y_train, X_test, y_test = generalization.make_double_descent_data(n_train=20, seed=0)
    V, c = generalization.make_random_features(X_train.shape[1], 60, seed=10_000)
    p_values = [5, 19, 20, 21, 60]
    train, test = get("double_descent_errors").reference(X_train, y_train, X_test, y_test, V, c, p_values)
    curve = generalization.double_descent_curve(p_values, n_train=20, n_seeds=1)
    assert np.allclose(train, curve["train_mse"], atol=1e-12)
    assert np.allclose(test, curve["test_mse"], rtol=1e-6)
    assert train[-1] < 1e-20 and test[2] == test.max()     # interpolation; the peak at p = n


def test_double_descent_errors_with_pinv_passes():
    def with_pinv(X_train, y_train, X_test, y_test, V, c, p_values):
        A, B = np.maximum(X_train @ V + c, 0), np.maximum(X_test @ V + c, 0)
        out = [(np.mean((A[:, :p] @ np.linalg.pinv(A[:, :p]) @ y_train - y_train) ** 2),
                np.mean((B[:, :p] @ np.linalg.pinv(A[:, :p]) @ y_train - y_test) ** 2)) for p in p_values]
        return np.array([o[0] for o in out]), np.array([o[1] for o in out])
    assert evaluate("double_descent_errors", with_pinv).passed


def test_double_descent_errors_by_gradient_descent_closed_form_scores_zero():
    # Infinitely many epochs of gradient descent from 0 is the minimum-norm fit: a course_lib
    # call that answers the fitting part, like least_squares, so it must be off limits.
    from course_lib.generalization import gradient_descent_closed_form

    def by_closed_form(X_train, y_train, X_test, y_test, V, c, p_values):
        F_train, F_test = np.maximum(X_train @ V + c, 0), np.maximum(X_test @ V + c, 0)
        train, test = [], []
        for p in p_values:
            s_max = np.linalg.svd(F_train[:, :p], compute_uv=False)[0]
            alpha = 0.99 * len(y_train) / (2 * s_max ** 2)
            theta = gradient_descent_closed_form(F_train[:, :p], y_train, alpha, [np.inf])[0]
            train.append(np.mean((F_train[:, :p] @ theta - y_train) ** 2))
            test.append(np.mean((F_test[:, :p] @ theta - y_test) ** 2))
        return np.array(train), np.array(test)

    assert not evaluate("double_descent_errors", by_closed_form).passed
