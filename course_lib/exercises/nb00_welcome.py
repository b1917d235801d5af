"""Exercises of 00_welcome: the warm-up."""

import numpy as np

from ..nn import mse_loss
from .core import Case, Exercise

NOTEBOOK = "00_welcome"


def _mse_cases(rng):
    cases = [
        Case("edge: a perfect prediction", (np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0]))),
        Case("edge: one example", (np.array([2.0]), np.array([-1.0]))),
        Case("small: errors of 1 and 3", (np.array([0.0, 0.0]), np.array([1.0, 3.0]))),
        Case("a (3, 2) matrix of outputs", (np.arange(6.0).reshape(3, 2), np.ones((3, 2)))),
    ]
    for k in range(4):
        m = int(rng.integers(1, 20))
        cases.append(Case(f"random #{k + 1}", (rng.normal(size=m), rng.normal(size=m))))
    return cases


EXERCISES = [
    Exercise(
        id="mse",
        notebook=NOTEBOOK,
        points=1,
        reference=mse_loss,   # MSE = 1/m sum_i (o_i - y_i)^2, no 1/2 factor
        make_cases=_mse_cases,
        hint="Average (o - y)**2 over every element: np.mean, no 1/2 factor.",
    ),
]
