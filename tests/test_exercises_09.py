"""09_optimizer_race: values by hand.

(The contract every exercise shares, reference passes, hint levels, named outputs, mistakes that
fail, lives in tests/test_hints.py; here only what is particular to this notebook.)
"""


import numpy as np

from course_lib.exercises import nb09_optimizer_race as ex


def test_steps_to_converge_by_hand():
    assert ex.steps_to_converge(np.array([4.0, 0.01, 2.0, 1.5, 0.05, 0.02]), 0.0, 0.1) == 4
    assert ex.steps_to_converge(np.array([1.0, 0.5, 0.25]), 0.0, 0.25) == 2
    assert ex.steps_to_converge(np.array([1.0, 0.5, 0.3]), 0.0, 0.25) == -1
    assert ex.steps_to_converge(np.array([0.0]), 0.0, 0.0) == 0


def test_escape_step_by_hand():
    path = np.array([[-1.5, 0.0], [-0.8, 0.0], [-0.3, 0.01], [0.0, 0.3], [0.0, 0.9], [0.0, 2.0]])
    assert ex.escape_step(path, np.zeros(2), 0.5) == 4
    assert ex.escape_step(path, np.zeros(2), 0.1) == -1   # never within 0.1
    assert ex.escape_step(path, np.zeros(2), 5.0) == -1   # never leaves
    assert ex.escape_step(path, np.array([0.0, 0.9]), 0.2) == 5  # enters at 4 (d = 0), leaves at 5
