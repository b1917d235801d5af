"""00_welcome's warm-up: the reference passes, every listed mistake fails, hints carry no code."""

import numpy as np
import pytest
from exercise_contract import hints_are_levelled_and_code_free, ids, mistake_fails, reference_passes

from course_lib.checking import evaluate
from course_lib.exercises import for_notebook

EXERCISES = for_notebook("00_welcome")


@pytest.mark.parametrize("exercise_id", [ex.id for ex in EXERCISES])
def test_reference_passes_and_hints_are_levelled(exercise_id):
    reference_passes(exercise_id)
    hints_are_levelled_and_code_free(exercise_id)


@pytest.mark.parametrize("exercise_id, mistake", ids(EXERCISES), ids=lambda v: getattr(v, "name", v))
def test_listed_mistakes_fail(exercise_id, mistake):
    mistake_fails(exercise_id, mistake)


def test_mse_by_hand():
    assert evaluate("mse", lambda o, y: float(np.mean((np.asarray(o) - np.asarray(y)) ** 2))).passed
    assert for_notebook("00_welcome")[0].reference(np.array([0.0, 0.0]), np.array([1.0, 3.0])) == 5.0
