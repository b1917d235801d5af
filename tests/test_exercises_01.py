"""01_generalization: the references agree with hand computations.

(The contract every exercise shares, reference passes, hint levels, named outputs, mistakes that
fail, lives in tests/test_hints.py; here only what is particular to this notebook.)
"""

import numpy as np

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


def right_choose(x_train, y_train, x_val, y_val, degrees):
    def design(x, d):
        return np.asarray(x, float)[:, None] ** np.arange(d + 1)
    errors = np.array([np.mean((design(x_val, d) @ np.linalg.lstsq(design(x_train, d), y_train, rcond=None)[0]
                                - y_val) ** 2) for d in degrees])
    return degrees[int(np.argmin(errors))], errors


def test_choose_degree_with_lstsq_or_polyfit_passes():
    def with_polyfit(x_train, y_train, x_val, y_val, degrees):
        errors = np.array([np.mean((np.polyval(np.polyfit(x_train, y_train, d), x_val) - y_val) ** 2)
                           for d in degrees])
        return degrees[int(np.argmin(errors))], errors
    assert evaluate("choose_degree", right_choose).passed
    assert evaluate("choose_degree", with_polyfit).passed


def right_choose_lambda(X, y, lambdas, n_val):
    """Written independently of the reference: a loop, ties resolved by scanning."""
    X, y = np.asarray(X, float), np.asarray(y, float)
    X_tr, y_tr, X_val, y_val = X[:-n_val], y[:-n_val], X[-n_val:], y[-n_val:]
    errors = []
    for lam in lambdas:
        theta = right_ridge(X_tr, y_tr, lam)
        errors.append(np.mean((X_val @ theta - y_val) ** 2))
    best = None
    for lam, err in zip(lambdas, errors):
        if err == min(errors) and (best is None or lam > best):
            best = lam
    return best, np.array(errors), right_ridge(X, y, best)


def test_choose_lambda_written_independently_passes():
    assert evaluate("choose_lambda", right_choose_lambda).passed


def test_choose_lambda_prefers_the_largest_lambda_on_a_tie():
    X = np.vstack([np.eye(2), np.zeros((2, 2))])      # validation rows all zero: every lam ties
    y = np.array([1.0, 2.0, 3.0, 4.0])
    best, errors, theta = get("choose_lambda").reference(X, y, [0.5, 2.0, 1.0], 2)
    assert best == 2.0 and np.allclose(errors, 12.5)
    assert np.allclose(theta, [1.0 / 3.0, 2.0 / 3.0])   # refit on all rows: y_i / (1 + lam)


def test_ridge_by_weight_decay_gradient_descent_scores_zero():
    # Gradient descent with weight decay converges to the ridge solution (the notebook shows it),
    # so run long enough it reaches the check's tolerance: it must be off limits.
    from course_lib.generalization import weight_decay_gradient_descent

    def by_weight_decay(X, y, lam):
        X = np.asarray(X, float)
        n = len(y)
        alpha = 1 / np.linalg.eigvalsh(2 / n * X.T @ X + 2 * lam / n * np.eye(X.shape[1])).max()
        return weight_decay_gradient_descent(X, y, 2 * lam / n, alpha, 20000)[-1]

    assert not evaluate("ridge_fit", by_weight_decay).passed
