"""00_welcome's warm-up, by hand.

(The contract every exercise shares, reference passes, hint levels, named outputs, mistakes that
fail, lives in tests/test_hints.py; here only what is particular to this notebook.)
"""

import numpy as np

from course_lib.checking import evaluate
from course_lib.exercises import for_notebook


def test_mse_by_hand():
    assert evaluate("mse", lambda o, y: float(np.mean((np.asarray(o) - np.asarray(y)) ** 2))).passed
    assert for_notebook("00_welcome")[0].reference(np.array([0.0, 0.0]), np.array([1.0, 3.0])) == 5.0


def test_the_mse_through_gaussian_nll_scores_zero():
    # With sigma^2 = 1/2 the Gaussian NLL is the MSE plus log(pi) / 2: a course_lib shortcut.
    from course_lib import nn

    def mse(o, y):
        return float(nn.gaussian_nll(np.ravel(y), np.ravel(o), 1 / np.sqrt(2)) - 0.5 * np.log(np.pi))

    assert not evaluate("mse", mse).passed


def test_the_mse_through_estimators_full_mse_scores_zero():
    # full_mse(w, b, X, y) with the outputs as X's one column, w = 1 and b = 0 is the MSE.
    from course_lib.estimators import full_mse

    def mse(o, y):
        return full_mse(np.ones(1), 0.0, np.ravel(o)[:, None], np.ravel(y))

    assert not evaluate("mse", mse).passed


def test_the_mean_error_squared_is_named():
    # (mean of the errors)^2: errors of +1 and -1 cancel before they are squared
    verdict = evaluate("mse", lambda o, y: float(np.mean(np.asarray(o) - np.asarray(y)) ** 2))
    assert list(verdict.mistakes) == ["the mean error squared (averaged before squaring)"], verdict.message
