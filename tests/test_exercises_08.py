"""08_adam: the references pass, classic wrong implementations fail their checks."""

import math

import numpy as np
import pytest

from course_lib import exercises
from course_lib.checking import evaluate
from course_lib.optimizers import adam_update


@pytest.mark.parametrize("exercise_id", ["ema_weights", "adam_alpha_t", "adam_step"])
def test_reference_passes(exercise_id):
    ex = exercises.get(exercise_id)
    assert ex.notebook == "08_adam"
    assert evaluate(exercise_id, ex.reference, watch_references=False).passed


def test_ema_weights_by_hand_sum_to_lecture_total():
    w = exercises.get("ema_weights").reference(0.9, 3)
    assert np.allclose(w, [0.081, 0.09, 0.1])
    for beta, t in [(0.9, 1), (0.999, 10), (0.999, 1000)]:
        assert math.isclose(exercises.get("ema_weights").reference(beta, t).sum(), 1 - beta**t)


@pytest.mark.parametrize("wrong", [
    lambda beta, t: (1 - beta) * beta ** np.arange(t),                # newest first
    lambda beta, t: beta ** (t - np.arange(1, t + 1)),                # no (1 - beta)
    lambda beta, t: (1 - beta) * beta ** (t - np.arange(1, t + 1) + 1),  # exponent off by one
])
def test_wrong_ema_weights_fail(wrong):
    assert evaluate("ema_weights", wrong).status == "failed"


def test_alpha_t_by_hand():
    assert math.isclose(exercises.get("adam_alpha_t").reference(0.001, 0.9, 0.999, 1),
                        0.001 * math.sqrt(0.001) / 0.1)


@pytest.mark.parametrize("wrong", [
    lambda alpha, b1, b2, t: alpha * (1 - b2**t) / (1 - b1**t),             # no square root
    lambda alpha, b1, b2, t: alpha * math.sqrt(1 - b1**t) / (1 - b2**t),    # betas swapped
    lambda alpha, b1, b2, t: alpha * math.sqrt((1 - b2**t) / (1 - b1**t)),  # root over both
])
def test_wrong_alpha_t_fails(wrong):
    assert evaluate("adam_alpha_t", wrong).status == "failed"


def adam_no_bias_correction(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    t = t + 1
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g * g
    return theta - alpha / np.sqrt(r + eps) * s, s, r, t


def adam_only_s_corrected(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    t = t + 1
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g * g
    return theta - alpha / np.sqrt(r + eps) * s / (1 - beta_1**t), s, r, t


def adam_eps_outside(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    t = t + 1
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g * g
    s_hat, r_hat = s / (1 - beta_1**t), r / (1 - beta_2**t)
    return theta - alpha * s_hat / (np.sqrt(r_hat) + eps), s, r, t


def adam_t_not_incremented(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    theta, s, r, _ = adam_update(theta, s, r, t, g, alpha, beta_1, beta_2, eps)
    return theta, s, r, t


def adam_old_t_in_correction(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g * g
    with np.errstate(all="ignore"):
        s_hat, r_hat = s / (1 - beta_1**t), r / (1 - beta_2**t)
        theta = theta - alpha / np.sqrt(r_hat + eps) * s_hat
    return theta, s, r, t + 1


def adam_in_place(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    t = t + 1
    s *= beta_1
    s += (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g * g
    return theta - alpha / np.sqrt(r / (1 - beta_2**t) + eps) * s / (1 - beta_1**t), s, r, t


def adam_g_instead_of_s(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    t = t + 1
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g * g
    return theta - alpha / np.sqrt(r / (1 - beta_2**t) + eps) * g, s, r, t


def adam_keras(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    t = t + 1                          # keras.optimizers.Adam: the second form, eps OUTSIDE the root
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g * g
    alpha_t = alpha * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    return theta - alpha_t * s / (np.sqrt(r) + eps), s, r, t


def adam_betas_swapped_in_correction(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    t = t + 1
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g * g
    s_hat, r_hat = s / (1 - beta_2**t), r / (1 - beta_1**t)
    return theta - alpha / np.sqrt(r_hat + eps) * s_hat, s, r, t


def adam_second_form_root_over_both(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    t = t + 1
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g * g
    alpha_t = alpha * math.sqrt((1 - beta_2**t) / (1 - beta_1**t))
    return theta - alpha_t / np.sqrt(r + eps) * s, s, r, t


@pytest.mark.parametrize("wrong", [adam_no_bias_correction, adam_only_s_corrected, adam_eps_outside,
                                   adam_t_not_incremented, adam_old_t_in_correction, adam_in_place,
                                   adam_g_instead_of_s, adam_keras, adam_betas_swapped_in_correction,
                                   adam_second_form_root_over_both])
def test_wrong_adam_fails(wrong):
    assert evaluate("adam_step", wrong).status == "failed"


def test_both_lecture_forms_of_adam_pass():
    def second_form(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
        return adam_update(theta, s, r, t, g, alpha, beta_1, beta_2, eps, form="alpha_t")
    assert evaluate("adam_step", second_form).passed


def test_first_adam_step_by_hand():
    # t = 1: s_hat = g, r_hat = g^2, step = alpha g / sqrt(g^2 + eps) = alpha sign(g) for eps = 0
    theta, s, r, t = exercises.get("adam_step").reference(
        np.array([1.0, 2.0]), np.zeros(2), np.zeros(2), 0, np.array([0.5, -4.0]), 0.01, 0.9, 0.999, 0.0)
    assert t == 1 and np.allclose(theta, [0.99, 2.01])
    assert np.allclose(s, [0.05, -0.4]) and np.allclose(r, [0.001 * 0.25, 0.001 * 16])
