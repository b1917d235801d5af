"""generalization's gradient-descent block: weight decay is ridge seen from inside the update,
the closed-form iterates are gradient descent, and the two-speed model shows epoch-wise double
descent (a fall, a rise, a second fall below the first minimum) while its training error only falls."""

import numpy as np
import pytest

from course_lib import generalization as G


def test_weight_decay_converges_to_ridge_with_lam_n_decay_over_2():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 4)), rng.normal(size=20)
    decay = 0.1
    hessian = 2 / 20 * X.T @ X + decay * np.eye(4)
    thetas = G.weight_decay_gradient_descent(X, y, decay, 1 / np.linalg.eigvalsh(hessian).max(), 2000)
    ridge = np.linalg.solve(X.T @ X + 20 * decay / 2 * np.eye(4), X.T @ y)
    assert np.allclose(thetas[-1], ridge, atol=1e-10)
    assert not np.allclose(thetas[-1], np.linalg.solve(X.T @ X + decay * np.eye(4), X.T @ y), atol=1e-3)


def test_one_weight_decay_step_by_hand():
    X, y = np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([1.0, 1.0])
    theta = np.array([1.0, 1.0])
    # g = (2/2) X^T (X theta - y) = X^T [0, 1] = [0, 2];  (1 - 0.1 * 0.5) theta - 0.1 g
    step = G.weight_decay_gradient_descent(X, y, 0.5, 0.1, 1, theta0=theta)[1]
    assert np.allclose(step, [0.95, 0.75])


def test_closed_form_equals_explicit_gradient_descent():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(15, 6)) * np.r_[np.ones(4), 0.1, 0.1], rng.normal(size=15)
    alpha = 15 / (4 * np.linalg.norm(X, 2) ** 2)
    explicit = G.weight_decay_gradient_descent(X, y, 0.0, alpha, 500)
    closed = G.gradient_descent_closed_form(X, y, alpha, np.arange(501))
    assert np.allclose(explicit, closed, atol=1e-10)


def test_closed_form_refuses_a_diverging_alpha():
    X, y = np.eye(3), np.ones(3)
    with pytest.raises(ValueError, match="too large"):
        G.gradient_descent_closed_form(X, y, 10.0, [1, 2])


def test_epoch_wise_double_descent_has_two_descents_and_one_speed_has_one():
    result = G.epoch_wise_double_descent(n_seeds=10)
    test, train, epochs = result["test_mse"], result["train_mse"], result["epochs"]
    first = int(np.argmin(test[epochs <= 300]))
    peak = first + int(np.argmax(test[first:]))
    assert test[first] < 0.7 * test[peak] and test[-1] < 0.5 * test[first]
    assert np.all(np.diff(train) <= 1e-12)
    one_speed = G.epoch_wise_double_descent(slow_scale=1.0, n_seeds=10)["test_mse"]
    bottom = int(np.argmin(one_speed))
    assert one_speed[bottom:].max() <= 1.01 * one_speed[-1]     # after its minimum no second fall: one U
