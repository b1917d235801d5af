"""Exercises of 07_adagrad_rmsprop: the AdaGrad and RMSProp steps as pure functions.

The cases catch the classic mistakes: epsilon outside the square root (PyTorch's placement,
sqrt(r) + eps instead of the lecture's sqrt(r + eps)) by cases with a small r or a large eps;
updating theta with the OLD r (the first step, r = 0); a missing (1 - beta); and in-place
updates of r or theta (the inputs are arrays and must not change).
"""

import numpy as np

from ..optimizers import adagrad_update, rmsprop_update
from .core import Case, Exercise

NOTEBOOK = "07_adagrad_rmsprop"


def _adagrad_cases(rng):
    cases = [
        Case("edge: first step (r = 0): each coordinate moves by about alpha",
             (np.array([1.0, 2.0]), np.zeros(2), np.array([0.5, -4.0]), 0.1, 1e-8)),
        Case("edge: a zero gradient in one coordinate",
             (np.array([1.0, 2.0]), np.array([1.0, 1.0]), np.array([0.0, 2.0]), 0.1, 1e-8)),
        Case("eps placement: tiny gradients, r = 0, eps = 1e-8 (sqrt(r + eps), not sqrt(r) + eps)",
             (np.array([1.0, -1.0]), np.zeros(2), np.array([1e-3, -2e-4]), 0.1, 1e-8)),
        Case("eps placement: a large eps = 0.25",
             (np.array([1.0, -1.0]), np.array([0.5, 2.0]), np.array([1.0, -1.0]), 0.1, 0.25)),
        Case("a (2, 3) matrix, r from earlier steps",
             (np.ones((2, 3)), np.full((2, 3), 4.0), np.arange(6.0).reshape(2, 3), 0.5, 1e-8)),
    ]
    for k in range(4):
        n = int(rng.integers(1, 6))
        cases.append(Case(f"random #{k + 1}", (rng.normal(size=n), rng.uniform(0.0, 3.0, size=n),
                                                rng.normal(size=n), float(rng.uniform(0.01, 1.0)),
                                                float(10 ** rng.uniform(-8, -1)))))
    return cases


def _rmsprop_cases(rng):
    cases = [
        Case("edge: first step (r = 0), beta = 0.9: r becomes 0.1 g^2",
             (np.array([1.0, 2.0]), np.zeros(2), np.array([0.5, -4.0]), 0.01, 0.9, 1e-8)),
        Case("edge: beta = 0: r = g^2",
             (np.array([1.0, 2.0]), np.array([9.0, 9.0]), np.array([0.5, -4.0]), 0.01, 0.0, 1e-8)),
        Case("small: r = [1, 4], g = [1, -1], beta = 0.9",
             (np.array([0.0, 0.0]), np.array([1.0, 4.0]), np.array([1.0, -1.0]), 0.1, 0.9, 1e-8)),
        Case("eps placement: tiny gradients, r = 0, eps = 1e-8 (sqrt(r + eps), not sqrt(r) + eps)",
             (np.array([1.0, -1.0]), np.zeros(2), np.array([1e-3, -2e-4]), 0.01, 0.9, 1e-8)),
        Case("eps placement: a large eps = 0.25",
             (np.array([1.0, -1.0]), np.array([0.5, 2.0]), np.array([1.0, -1.0]), 0.1, 0.9, 0.25)),
        Case("a (2, 3) matrix, r from earlier steps",
             (np.ones((2, 3)), np.full((2, 3), 4.0), np.arange(6.0).reshape(2, 3), 0.05, 0.99, 1e-8)),
    ]
    for k in range(4):
        n = int(rng.integers(1, 6))
        cases.append(Case(f"random #{k + 1}", (rng.normal(size=n), rng.uniform(0.0, 3.0, size=n),
                                                rng.normal(size=n), float(rng.uniform(0.001, 0.5)),
                                                float(rng.uniform(0.5, 0.999)),
                                                float(10 ** rng.uniform(-8, -1)))))
    return cases


EXERCISES = [
    Exercise(
        id="adagrad_step",
        notebook=NOTEBOOK,
        points=2,
        reference=adagrad_update,
        make_cases=_adagrad_cases,
        hint="First r = r + g**2 (a new array, not +=), then theta = theta - alpha / np.sqrt(r + eps) * g "
             "with eps INSIDE the root; return (theta, r).",
    ),
    Exercise(
        id="rmsprop_step",
        notebook=NOTEBOOK,
        points=2,
        reference=rmsprop_update,
        make_cases=_rmsprop_cases,
        hint="First r = beta * r + (1 - beta) * g**2, then theta = theta - alpha / np.sqrt(r + eps) * g "
             "with eps INSIDE the root; return (theta, r).",
    ),
]
