"""Exercises of 00_welcome: the warm-up."""

import numpy as np

from ..estimators import full_mse
from ..nn import gaussian_nll, gaussian_nll_backward, mse_backward, mse_loss
from .core import Case, Exercise, Mistake
from .misconceptions import slip

NOTEBOOK = "00_welcome"


def _mse_cases(rng):
    cases = [
        Case("edge: a perfect prediction", (np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0]))),
        Case("small: errors of 1 and 3", (np.array([0.0, 0.0]), np.array([1.0, 3.0]))),
        Case("edge: one example", (np.array([2.0]), np.array([-1.0]))),
        Case("a (3, 2) matrix of outputs", (np.arange(6.0).reshape(3, 2), np.ones((3, 2)))),
    ]
    for k in range(4):
        m = int(rng.integers(1, 20))
        cases.append(Case(f"random #{k + 1}", (rng.normal(size=m), rng.normal(size=m))))
    return cases


def _mean(values):
    return float(np.mean(values))


MSE_MISTAKES = (
    slip("half_squared_error", function=
            lambda o, y: 0.5 * _mean((np.asarray(o) - np.asarray(y)) ** 2)),
    slip("summed_errors", lambda o, y: float(np.sum((np.asarray(o) - np.asarray(y)) ** 2))),
    Mistake("absolute errors instead of squared ones",
            lambda o, y: _mean(np.abs(np.asarray(o) - np.asarray(y)))),
    Mistake("the square root of the MSE (RMSE)",
            lambda o, y: float(np.sqrt(_mean((np.asarray(o) - np.asarray(y)) ** 2)))),
    Mistake("dividing by the number of rows only (not by every element)",
            lambda o, y: float(np.sum((np.asarray(o) - np.asarray(y)) ** 2) / len(np.asarray(o)))),
    Mistake("the error not squared (positive and negative errors cancel)",
            lambda o, y: _mean(np.asarray(o) - np.asarray(y))),
    Mistake("the mean error squared (averaged before squaring)",
            lambda o, y: _mean(np.asarray(o) - np.asarray(y)) ** 2,
            nudge="Square each error first, then average: averaged first, positive and negative "
                  "errors cancel before they are squared (errors of +1 and -1 would give 0)."),
)


EXERCISES = [
    Exercise(
        id="mse",
        notebook=NOTEBOOK,
        points=1,
        transcription=True,   # the formula is shown right before it (issue 22)
        reference=mse_loss,   # MSE = 1/m sum_i (o_i - y_i)^2, no 1/2 factor
        make_cases=_mse_cases,
        outputs=("MSE",),
        hints=(
            "Square each difference between output and target, then average.",
            "The average runs over every element of the arrays (all rows and all columns), and "
            "there is no factor one half in this course.",
        ),
        mistakes=MSE_MISTAKES,
        # gaussian_nll is MSE / (2 sigma^2) + log(2 pi sigma^2) / 2: shifted and scaled it is the MSE;
        # estimators.full_mse(w, b, X, y) with X = o as one column, w = 1, b = 0 is the MSE
        forbidden=(mse_backward, gaussian_nll, gaussian_nll_backward, full_mse),
    ),
]
