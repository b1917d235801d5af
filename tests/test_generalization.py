"""Tests of course_lib.generalization: least squares / ridge, polynomials, splits, random
features and the double-descent curve."""


import numpy as np
import pytest

from course_lib.generalization import (
    double_descent_curve,
    fit_polynomial,
    fit_random_features,
    least_squares,
    make_double_descent_data,
    make_random_features,
    polynomial_features,
    predict_polynomial,
    relu_features,
    train_val_test_split,
)


def test_polynomial_features_hand_values():
    np.testing.assert_array_equal(polynomial_features([2.0, -1.0], 3),
                                  [[1, 2, 4, 8], [1, -1, 1, -1]])


def test_fit_polynomial_recovers_a_noiseless_polynomial():
    x = np.linspace(-1, 1, 20)
    y = 1 - 2 * x + 0.5 * x**3
    theta = fit_polynomial(x, y, degree=3)
    np.testing.assert_allclose(theta, [1, -2, 0, 0.5], atol=1e-12)
    np.testing.assert_allclose(predict_polynomial(theta, [2.0]), [1 - 4 + 4], atol=1e-12)


@pytest.mark.parametrize("penalize_bias", [False, True])
def test_ridge_equals_the_closed_form(penalize_bias):
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-1, 1, 15), rng.normal(size=15)
    l2, degree = 0.3, 4
    Phi = x[:, None] ** np.arange(degree + 1)
    D = np.eye(degree + 1)
    if not penalize_bias:
        D[0, 0] = 0.0
    expected = np.linalg.inv(Phi.T @ Phi + l2 * D) @ Phi.T @ y  # (X^T X + lambda D)^-1 X^T y
    theta = fit_polynomial(x, y, degree, l2=l2, penalize_bias=penalize_bias)
    np.testing.assert_allclose(theta, expected, rtol=1e-10, atol=1e-12)


def test_bias_is_not_penalized_by_default():
    x = np.linspace(-1, 1, 11)
    y = 5.0 + x
    # a huge penalty kills every penalized weight: the fit becomes the mean of y (or 0)
    np.testing.assert_allclose(fit_polynomial(x, y, 2, l2=1e12), [5.0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(fit_polynomial(x, y, 2, l2=1e12, penalize_bias=True), 0, atol=1e-9)


def test_l2_shrinks_the_weights():
    rng = np.random.default_rng(1)
    x, y = rng.uniform(-1, 1, 12), rng.normal(size=12)
    norms = [np.linalg.norm(fit_polynomial(x, y, 9, l2=l2)[1:]) for l2 in (0.0, 1e-3, 1e-1, 10)]
    assert all(a > b for a, b in zip(norms, norms[1:], strict=False))


def test_minimum_norm_interpolation():
    rng = np.random.default_rng(2)
    Phi, y = rng.normal(size=(5, 12)), rng.normal(size=5)
    theta = least_squares(Phi, y)
    np.testing.assert_allclose(Phi @ theta, y, atol=1e-12)  # interpolates
    np.testing.assert_allclose(theta, np.linalg.pinv(Phi) @ y, atol=1e-12)
    # any other interpolating solution theta + null-space vector has a larger norm
    null = np.linalg.svd(Phi)[2][-1]
    assert np.linalg.norm(theta + 0.1 * null) > np.linalg.norm(theta)


def test_train_val_test_split():
    X = np.arange(100).reshape(50, 2).astype(float)
    y = np.arange(50)
    (Xtr, ytr), (Xva, yva), (Xte, yte) = train_val_test_split(X, y, (0.6, 0.2, 0.2), seed=0)
    assert (len(ytr), len(yva), len(yte)) == (30, 10, 10)
    all_y = np.concatenate([ytr, yva, yte])
    assert sorted(all_y.tolist()) == list(range(50))  # disjoint and complete
    for Xs, ys in [(Xtr, ytr), (Xva, yva), (Xte, yte)]:
        np.testing.assert_array_equal(Xs[:, 0], 2 * ys)  # rows stay paired with labels
    assert not np.array_equal(ytr, np.arange(30))  # shuffled
    again = train_val_test_split(X, y, (0.6, 0.2, 0.2), seed=0)
    assert np.array_equal(again[0][1], ytr)
    assert not np.array_equal(train_val_test_split(X, y, seed=1)[0][1], ytr)


def test_random_features_interpolate_when_p_at_least_n():
    X, y, _, _ = make_double_descent_data(n_train=20, dim=3, seed=0)
    V, c, theta = fit_random_features(X, y, n_features=50, seed=0)
    Phi = relu_features(X, V, c)
    assert Phi.shape == (20, 50) and np.all(Phi >= 0)
    np.testing.assert_allclose(Phi @ theta, y, atol=1e-9)
    V2, c2 = make_random_features(3, 50, seed=0)
    assert np.array_equal(V, V2) and np.array_equal(c, c2)


def test_double_descent_peak_at_the_interpolation_threshold():
    curve = double_descent_curve()
    p, train, test = curve["n_features"], curve["train_mse"], curve["test_mse"]
    n = curve["n_train"]
    assert n == 40 and p.min() == 1 and p.max() == 200
    assert p[np.argmax(test)] == n  # the peak is at n_features == n_train
    assert test.max() > 20 * test[0] and test.max() > 20 * test[-1]  # a clear peak
    assert test[-1] < test[p == n - 10][0]  # and the error falls again beyond it
    assert np.all(train[p >= n] < 1e-12) and np.all(train[p < n - 1] > 1e-4)  # interpolation


def test_double_descent_peak_moves_with_n_train_and_l2_removes_it():
    curve = double_descent_curve(n_features=np.arange(1, 81), n_train=25, n_seeds=3, seed=7)
    peak = curve["n_features"][np.argmax(curve["test_mse"])]
    assert abs(peak - 25) <= 2
    ridge = double_descent_curve(n_features=np.arange(1, 81), n_train=25, n_seeds=3, seed=7,
                                 l2=0.1)
    at_n = curve["n_features"] == 25
    assert ridge["test_mse"][at_n][0] < 0.2 * curve["test_mse"][at_n][0]
    near = np.abs(curve["n_features"] - 25) <= 5  # no peak left around the threshold
    assert ridge["test_mse"][at_n][0] < 1.5 * ridge["test_mse"][near].min()


@pytest.mark.parametrize("call, match", [
    (lambda: polynomial_features(np.ones((2, 2)), 2), r"x must be a 1-D.*\(2, 2\)"),
    (lambda: polynomial_features([1.0], -1), r"degree must be a non-negative integer, got -1"),
    (lambda: least_squares(np.ones((3, 2)), np.ones(4)), r"Phi must have shape \(4, p\).*\(3, 2\)"),
    (lambda: least_squares(np.ones((3, 2)), np.ones(3), l2=-1), r"l2 must be >= 0, got -1"),
    (lambda: train_val_test_split(np.ones((4, 1)), np.ones(3)), r"same number of rows"),
    (lambda: train_val_test_split(np.ones((4, 1)), np.ones(4), (0.5, 0.5, 0.5)),
     r"summing to 1, got \[0\.5, 0\.5, 0\.5\]"),
    (lambda: relu_features(np.ones((2, 3)), np.ones((4, 5)), np.ones(5)),
     r"X must have shape \(n, 4\).*got \(2, 3\)"),
    (lambda: double_descent_curve(n_features=[0, 5]), r"positive integers"),
])
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
