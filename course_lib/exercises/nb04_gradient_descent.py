"""Exercises of 04_gradient_descent: one step, a minibatch gradient, the Robbins-Monro conditions."""

import numpy as np

from ..optimizers import sgd_update
from .core import Case, Exercise

NOTEBOOK = "04_gradient_descent"


def gradient_descent_step(theta, g, alpha):
    """One step of gradient descent (lecture, "Gradient Descent"):

        theta <- theta - alpha g

    theta, g: arrays of the same shape (any); alpha >= 0 a number. Returns a new array.
    """
    return sgd_update(np.asarray(theta, dtype=np.float64), np.asarray(g, dtype=np.float64), alpha)


def minibatch_gradient(w, b, X, y, batch):
    """The minibatch estimate of the gradient of the linear-regression MSE (no 1/2 factor):

        J_B(w, b) = (1/m) sum_{i in B} (x_i w + b - y_i)^2,   m = len(batch)
        dJ_B/dw = (2/m) sum_{i in B} (x_i w + b - y_i) x_i,   dJ_B/db = (2/m) sum_{i in B} (x_i w + b - y_i)

    w (D,), b a number, X (N, D), y (N,), batch (m,) integer row indices into X (an index may
    repeat: examples are drawn independently). Returns (dw (D,), db float).
    """
    X_B = np.asarray(X, dtype=np.float64)[batch]
    y_B = np.asarray(y, dtype=np.float64)[batch]
    m = len(batch)
    residual = X_B @ w + b - y_B
    return 2.0 / m * X_B.T @ residual, float(2.0 / m * residual.sum())


def robbins_monro_conditions(alpha_0, p):
    """Which of the lecture's Robbins-Monro conditions hold for alpha_t = alpha_0 / t^p, t = 1, 2, ...

        (1) alpha_t > 0 for all t,   (2) sum_t alpha_t = +infinity,   (3) sum_t alpha_t^2 < infinity

    alpha_0 >= 0 and p (any real) are numbers. sum_t 1/t^p is finite exactly when p > 1 (so
    sum_t alpha_t^2 = alpha_0^2 sum_t 1/t^(2p) is finite exactly when p > 1/2 or alpha_0 = 0).
    Returns a tuple of three bools (condition 1, condition 2, condition 3).
    """
    positive = alpha_0 > 0
    sum_is_infinite = alpha_0 > 0 and p <= 1
    sum_of_squares_is_finite = alpha_0 == 0 or p > 0.5
    return bool(positive), bool(sum_is_infinite), bool(sum_of_squares_is_finite)


def _step_cases(rng):
    cases = [
        Case("edge: alpha = 0 (nothing moves)", (np.array([1.0, -2.0]), np.array([3.0, 4.0]), 0.0)),
        Case("edge: zero gradient (a minimum)", (np.array([0.5, 0.5]), np.zeros(2), 0.1)),
        Case("small: go AGAINST the gradient", (np.array([1.0]), np.array([2.0]), 0.25)),
        Case("small: a (2, 2) matrix of parameters", (np.eye(2), np.ones((2, 2)), 0.5)),
    ]
    for k in range(4):
        shape = (int(rng.integers(1, 6)),) if k % 2 == 0 else (2, int(rng.integers(1, 4)))
        cases.append(Case(f"random #{k + 1}", (rng.normal(size=shape), rng.normal(size=shape),
                                               float(rng.uniform(0.001, 1.0)))))
    return cases


def _minibatch_cases(rng):
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, -1.0]])
    y = np.array([1.0, 2.0, 0.0, 1.0])
    w = np.array([0.5, -0.5])
    cases = [
        Case("edge: one example (online SGD)", (w, 0.0, X, y, np.array([2]))),
        Case("edge: the whole training set (batch gradient descent)", (w, 0.5, X, y, np.arange(4))),
        Case("small: two examples, nonzero bias", (w, 1.0, X, y, np.array([0, 3]))),
        Case("small: an example drawn twice", (w, -1.0, X, y, np.array([1, 1, 3]))),
    ]
    for k in range(4):
        N, D = int(rng.integers(5, 40)), int(rng.integers(1, 5))
        m = int(rng.integers(1, N))
        Xr = rng.normal(size=(N, D))
        yr = Xr @ rng.normal(size=D) + 0.3 * rng.normal(size=N)
        cases.append(Case(f"random #{k + 1}: N={N}, D={D}, m={m}",
                          (rng.normal(size=D), float(rng.normal()), Xr, yr,
                           rng.integers(0, N, size=m))))
    return cases


def _robbins_monro_cases(rng):
    cases = [
        Case("edge: constant alpha_t = 0.1 (p = 0)", (0.1, 0.0)),
        Case("edge: p = 1, the lecture's alpha_0 / t", (0.5, 1.0)),
        Case("edge: p = 1/2, alpha_0 / sqrt(t) (sum of squares is the harmonic series)", (1.0, 0.5)),
        Case("edge: p = 2 (decays too fast)", (1.0, 2.0)),
        Case("edge: alpha_0 = 0 (never moves)", (0.0, 1.0)),
        Case("small: p = 0.75", (0.3, 0.75)),
        Case("small: p = 1.01", (0.3, 1.01)),
        Case("small: p = 0.4", (2.0, 0.4)),
        Case("small: p = -1 (a growing learning rate)", (0.01, -1.0)),
    ]
    for k in range(4):
        cases.append(Case(f"random #{k + 1}", (float(rng.uniform(0.01, 2.0)),
                                               float(np.round(rng.uniform(-0.5, 2.5), 2)))))
    return cases


EXERCISES = [
    Exercise(
        id="gradient_descent_step",
        notebook=NOTEBOOK,
        points=1,
        reference=gradient_descent_step,
        make_cases=_step_cases,
        hint="Return a NEW array theta - alpha * g (minus: we walk downhill; do not use -=).",
    ),
    Exercise(
        id="minibatch_gradient",
        notebook=NOTEBOOK,
        points=2,
        reference=minibatch_gradient,
        make_cases=_minibatch_cases,
        hint="Take the rows X[batch], y[batch]; residual r = X_B w + b - y_B; "
             "dw = 2/m X_B^T r, db = 2/m sum(r), with m = len(batch) and no 1/2 factor.",
    ),
    Exercise(
        id="robbins_monro_conditions",
        notebook=NOTEBOOK,
        points=1,
        reference=robbins_monro_conditions,
        make_cases=_robbins_monro_cases,
        hint="sum 1/t^p diverges exactly when p <= 1; the squares are 1/t^(2p), finite exactly "
             "when 2p > 1; and alpha_0 = 0 makes every alpha_t zero.",
    ),
]
