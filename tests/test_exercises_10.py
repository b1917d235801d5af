"""10_lr_schedules: values by hand, the designed schedule is judged by running it, and course_lib's
schedules score 0.

(The contract every exercise shares, reference passes, hint levels, named outputs, mistakes that
fail, lives in tests/test_hints.py; here only what is particular to this notebook.)
"""


import numpy as np
import pytest

from course_lib import schedules
from course_lib.checking import evaluate
from course_lib.exercises import nb10_lr_schedules as ex


def test_values_by_hand():
    assert np.allclose(ex.exponential_decay(np.array([0.0, 1.0, 2.0, 5.0]), 1.0, 0.25, 2.0),
                       [1.0, 0.5, 0.25, 0.25])
    assert np.allclose(ex.cosine_restarts(np.array([0.0, 5.0, 10.0, 20.0, 30.0]), 1.0, 10.0, 2.0),
                       [1.0, 0.5, 1.0, 0.5, 1.0])
    assert np.allclose(ex.warmup_cosine(np.array([0.0, 5.0, 10.0, 60.0, 110.0, 500.0]), 0.4, 10.0, 100.0),
                       [0.0, 0.2, 0.4, 0.2, 0.0, 0.0])


def test_no_constant_rate_reaches_the_target_and_the_reference_does_with_a_margin():
    for alpha in np.arange(0.2, 0.8, 0.05):
        assert min(ex.noisy_quadratic_loss(np.full(ex.BUDGET, alpha), s) for s in range(5)) > ex.TARGET_LOSS
    worst = max(ex.noisy_quadratic_loss(ex.design_schedule(ex.BUDGET), s) for s in range(20))
    assert worst < 0.8 * ex.TARGET_LOSS


def test_design_judge_rejects_malformed_rates():
    case = ex.EXERCISES[-1].cases(0)[0]
    assert "shape" in ex.design_judge(case, None, np.ones(3))
    assert ">= 0" in ex.design_judge(case, None, -ex.design_schedule(ex.BUDGET))
    assert "diverged" in ex.design_judge(case, None, np.full(ex.BUDGET, 3.0))


@pytest.mark.parametrize("shortcut, exercise_id", [
    (lambda t, a0, a_end, T: schedules.ExponentialDecay(a0, a_end / a0, T)(np.minimum(t, T)),
     "exponential_decay"),
    (lambda t, a0, T, m: schedules.CosineRestarts(a0, T, m)(t), "cosine_restarts"),
    (lambda t, a0, W, T: schedules.LinearWarmup(schedules.CosineDecay(a0, T), W)(t), "warmup_cosine"),
    (lambda n: schedules.CosineDecay(0.9, n)(np.arange(n, dtype=float)), "design_schedule"),
])
def test_course_schedules_score_zero(shortcut, exercise_id):
    outcome = evaluate(exercise_id, shortcut)
    assert outcome.status == "failed" and "reference code" in outcome.message
