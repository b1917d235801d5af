"""Exercises of 06_sgd_momentum_nesterov: the SGD, momentum and Nesterov steps as pure functions.

Each step function takes the parameters theta, the optimizer's state and the gradient g as
numpy arrays and returns NEW arrays (the inputs must not change). The cases use arrays of a few
shapes, alpha != 1 and beta != 0, and a non-zero velocity v, so that a sign error in v, a
missing alpha or beta, or an in-place update is caught.
"""

import numpy as np

from ..optimizers import momentum_update, nesterov_lookahead, nesterov_update, sgd_update
from .core import Case, Exercise

NOTEBOOK = "06_sgd_momentum_nesterov"


def _arrays(rng, shape, k):
    return tuple(rng.normal(size=shape) for _ in range(k))


def _random_velocity_cases(rng, n=4):
    """Random (theta, v, g, alpha, beta) cases for the momentum and Nesterov steps."""
    cases = []
    for k in range(n):
        theta, v, g = _arrays(rng, (int(rng.integers(1, 6)),), 3)
        cases.append(Case(f"random #{k + 1}", (theta, v, g, float(rng.uniform(0.01, 0.5)),
                                                float(rng.uniform(0.5, 0.99)))))
    return cases


def _sgd_cases(rng):
    cases = [
        Case("edge: zero gradient leaves theta unchanged", (np.array([1.0, -2.0]), np.zeros(2), 0.1)),
        Case("edge: alpha = 0", (np.array([1.0, -2.0]), np.array([3.0, 4.0]), 0.0)),
        Case("small: theta = [1, 2], g = [10, -10], alpha = 0.01",
             (np.array([1.0, 2.0]), np.array([10.0, -10.0]), 0.01)),
        Case("a (3, 2) matrix of parameters", (np.arange(6.0).reshape(3, 2), np.ones((3, 2)), 0.5)),
    ]
    for k in range(4):
        theta, g = _arrays(rng, (int(rng.integers(1, 6)),), 2)
        cases.append(Case(f"random #{k + 1}", (theta, g, float(rng.uniform(0.001, 0.5)))))
    return cases


def _momentum_cases(rng):
    cases = [
        Case("edge: first step (v = 0): v = -alpha g",
             (np.array([1.0, 2.0]), np.zeros(2), np.array([0.5, -1.0]), 0.1, 0.9)),
        Case("edge: beta = 0 is plain SGD",
             (np.array([1.0, 2.0]), np.array([3.0, -3.0]), np.array([0.5, -1.0]), 0.1, 0.0)),
        Case("edge: zero gradient: v decays by beta, theta keeps moving",
             (np.array([0.0, 0.0]), np.array([1.0, -2.0]), np.zeros(2), 0.1, 0.5)),
        Case("small: v = [1, -1], g = [2, 4], alpha = 0.1, beta = 0.9",
             (np.array([1.0, 2.0]), np.array([1.0, -1.0]), np.array([2.0, 4.0]), 0.1, 0.9)),
        Case("a (2, 3) matrix of parameters",
             (np.ones((2, 3)), np.full((2, 3), 0.5), np.arange(6.0).reshape(2, 3), 0.05, 0.8)),
    ]
    return cases + _random_velocity_cases(rng)


def _lookahead_cases(rng):
    cases = [
        Case("edge: v = 0: the look-ahead point is theta", (np.array([1.0, -2.0]), np.zeros(2), 0.9)),
        Case("small: theta = [1, 2], v = [1, -1], beta = 0.9",
             (np.array([1.0, 2.0]), np.array([1.0, -1.0]), 0.9)),
        Case("a (2, 2) matrix", (np.eye(2), np.ones((2, 2)), 0.5)),
    ]
    for k in range(3):
        theta, v = _arrays(rng, (int(rng.integers(1, 6)),), 2)
        cases.append(Case(f"random #{k + 1}", (theta, v, float(rng.uniform(0.5, 0.99)))))
    return cases


def _nesterov_cases(rng):
    cases = [
        Case("edge: first step (v = 0): like momentum's first step",
             (np.array([1.0, 2.0]), np.zeros(2), np.array([0.5, -1.0]), 0.1, 0.9)),
        Case("edge: zero gradient: theta moves by beta v",
             (np.array([0.0, 0.0]), np.array([1.0, -2.0]), np.zeros(2), 0.1, 0.5)),
        Case("small: v = [1, -1], g = [2, 4], alpha = 0.1, beta = 0.9",
             (np.array([1.0, 2.0]), np.array([1.0, -1.0]), np.array([2.0, 4.0]), 0.1, 0.9)),
        Case("a (2, 3) matrix of parameters",
             (np.ones((2, 3)), np.full((2, 3), 0.5), np.arange(6.0).reshape(2, 3), 0.05, 0.8)),
    ]
    return cases + _random_velocity_cases(rng)


EXERCISES = [
    Exercise(
        id="sgd_step",
        notebook=NOTEBOOK,
        points=1,
        reference=sgd_update,
        make_cases=_sgd_cases,
        hint="Return theta - alpha * g as a new array (do not use -= on theta).",
    ),
    Exercise(
        id="momentum_step",
        notebook=NOTEBOOK,
        points=2,
        reference=momentum_update,
        make_cases=_momentum_cases,
        hint="First v = beta * v - alpha * g (minus!), then theta = theta + v; return (theta, v).",
    ),
    Exercise(
        id="nesterov_lookahead",
        notebook=NOTEBOOK,
        points=1,
        reference=nesterov_lookahead,
        make_cases=_lookahead_cases,
        hint="The look-ahead point is where momentum alone would carry theta: theta + beta * v.",
    ),
    Exercise(
        id="nesterov_step",
        notebook=NOTEBOOK,
        points=2,
        reference=nesterov_update,
        make_cases=_nesterov_cases,
        hint="g was taken at theta + beta v: the new v is beta * v - alpha * g and the new theta "
             "is theta + beta * v - alpha * g (= theta + new v); return (theta, v).",
    ),
]
