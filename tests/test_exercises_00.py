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
