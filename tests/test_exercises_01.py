"""The checks of 01_generalization accept right answers and reject the classic wrong ones."""

import numpy as np
import pytest

from course_lib.checking import evaluate
from course_lib.exercises import get


def right_ridge(X, y, lam):
    X, y = np.asarray(X, float), np.asarray(y, float)
    return np.linalg.solve(X.T @ X + lam * np.eye(X.shape[1]), X.T @ y)


def test_ridge_reference_matches_hand_computations():
    ridge = get("ridge_fit").reference
    # identity X: (I + lam I) theta = y  ->  theta = y / (1 + lam)
    assert np.allclose(ridge(np.eye(3), np.array([2.0, -4.0, 6.0]), 1.0), [1.0, -2.0, 3.0])
    # one feature: theta = x y / (x^2 + lam) = 2 * 3 / (4 + 0.5)
    assert np.allclose(ridge(np.array([[2.0]]), np.array([3.0]), 0.5), [6.0 / 4.5])


def test_normal_equations_solution_passes():
    assert evaluate("ridge_fit", right_ridge).passed


@pytest.mark.parametrize("wrong", [
    lambda X, y, lam: np.linalg.solve(X.T @ X + lam, X.T @ y),                  # lam added to every entry
    lambda X, y, lam: np.linalg.solve(X.T @ X + lam / 2 * np.eye(X.shape[1]), X.T @ y),  # 1/2 factor
    lambda X, y, lam: np.linalg.solve(X.T @ X + lam * len(y) * np.eye(X.shape[1]), X.T @ y),  # mean vs sum
    lambda X, y, lam: np.linalg.lstsq(X, y, rcond=None)[0],                     # ignores lam
    lambda X, y, lam: np.linalg.lstsq(X, y, rcond=None)[0] / (1 + lam),         # shrinks after the fit
])
def test_wrong_ridge_fails(wrong):
    assert evaluate("ridge_fit", wrong).status in ("failed", "error")


def _fit(x, y, d):
    return np.linalg.lstsq(x[:, None] ** np.arange(d + 1), y, rcond=None)[0]


def _mse(theta, x, y):
    return np.mean((x[:, None] ** np.arange(len(theta)) @ theta - y) ** 2)


def right_choose(x_train, y_train, x_val, y_val, degrees):
    errors = np.array([_mse(_fit(x_train, y_train, d), x_val, y_val) for d in degrees])
    return degrees[int(np.argmin(errors))], errors


def test_choose_degree_with_polyfit_passes():
    def with_polyfit(x_train, y_train, x_val, y_val, degrees):
        errors = np.array([np.mean((np.polyval(np.polyfit(x_train, y_train, d), x_val) - y_val) ** 2)
                           for d in degrees])
        return degrees[int(np.argmin(errors))], errors
    assert evaluate("choose_degree", right_choose).passed
    assert evaluate("choose_degree", with_polyfit).passed


def index_not_degree(x_train, y_train, x_val, y_val, degrees):
    _, errors = right_choose(x_train, y_train, x_val, y_val, degrees)
    return int(np.argmin(errors)), errors


def by_training_error(x_train, y_train, x_val, y_val, degrees):
    errors = np.array([_mse(_fit(x_train, y_train, d), x_val, y_val) for d in degrees])
    train = [_mse(_fit(x_train, y_train, d), x_train, y_train) for d in degrees]
    return degrees[int(np.argmin(train))], errors


def sum_not_mean(x_train, y_train, x_val, y_val, degrees):
    best, errors = right_choose(x_train, y_train, x_val, y_val, degrees)
    return best, errors * len(y_val)


def fit_on_validation(x_train, y_train, x_val, y_val, degrees):
    errors = np.array([_mse(_fit(x_val, y_val, min(d, len(x_val) - 1)), x_val, y_val) for d in degrees])
    return degrees[int(np.argmin(errors))], errors


@pytest.mark.parametrize("wrong", [index_not_degree, by_training_error, sum_not_mean, fit_on_validation])
def test_wrong_choose_degree_fails(wrong):
    assert evaluate("choose_degree", wrong).status == "failed"
