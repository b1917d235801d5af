"""07_adagrad_rmsprop: the references pass, classic wrong steps fail their checks."""

import numpy as np
import pytest

from course_lib import exercises
from course_lib.checking import evaluate


@pytest.mark.parametrize("exercise_id", ["adagrad_step", "rmsprop_step"])
def test_reference_passes(exercise_id):
    ex = exercises.get(exercise_id)
    assert ex.notebook == "07_adagrad_rmsprop"
    assert evaluate(exercise_id, ex.reference, watch_references=False).passed


def adagrad_eps_outside(theta, r, g, alpha, eps):
    r = r + g * g
    return theta - alpha * g / (np.sqrt(r) + eps), r


def adagrad_old_r(theta, r, g, alpha, eps):
    theta = theta - alpha / np.sqrt(r + eps) * g
    return theta, r + g * g


def adagrad_in_place(theta, r, g, alpha, eps):
    r += g * g
    return theta - alpha / np.sqrt(r + eps) * g, r


def adagrad_no_root(theta, r, g, alpha, eps):
    r = r + g * g
    return theta - alpha / (r + eps) * g, r


def adagrad_eps_ignored(theta, r, g, alpha, eps):
    r = r + g * g
    with np.errstate(all="ignore"):
        return theta - alpha / np.sqrt(r) * g, r


def adagrad_g_not_squared(theta, r, g, alpha, eps):
    r = r + np.abs(g)
    return theta - alpha / np.sqrt(r + eps) * g, r


def adagrad_returns_old_r(theta, r, g, alpha, eps):
    r_new = r + g * g
    return theta - alpha / np.sqrt(r_new + eps) * g, r


@pytest.mark.parametrize("wrong", [adagrad_eps_outside, adagrad_old_r, adagrad_in_place,
                                   adagrad_no_root, adagrad_eps_ignored, adagrad_g_not_squared,
                                   adagrad_returns_old_r])
def test_wrong_adagrad_fails(wrong):
    assert evaluate("adagrad_step", wrong).status == "failed"


def rmsprop_eps_outside(theta, r, g, alpha, beta, eps):
    r = beta * r + (1 - beta) * g * g
    return theta - alpha * g / (np.sqrt(r) + eps), r


def rmsprop_no_one_minus_beta(theta, r, g, alpha, beta, eps):
    r = beta * r + g * g
    return theta - alpha / np.sqrt(r + eps) * g, r


def rmsprop_betas_swapped(theta, r, g, alpha, beta, eps):
    r = (1 - beta) * r + beta * g * g
    return theta - alpha / np.sqrt(r + eps) * g, r


def rmsprop_in_place(theta, r, g, alpha, beta, eps):
    r *= beta
    r += (1 - beta) * g * g
    return theta - alpha / np.sqrt(r + eps) * g, r


def rmsprop_bias_corrected(theta, r, g, alpha, beta, eps):
    r = beta * r + (1 - beta) * g * g   # dividing the first r by (1 - beta) is not the lecture's
    return theta - alpha / np.sqrt(r / (1 - beta) + eps) * g, r


def rmsprop_old_r(theta, r, g, alpha, beta, eps):
    with np.errstate(all="ignore"):     # theta updated with the r of the previous step
        theta = theta - alpha / np.sqrt(r + eps) * g
    return theta, beta * r + (1 - beta) * g * g


def rmsprop_adagrad_sum(theta, r, g, alpha, beta, eps):
    r = r + g * g                        # AdaGrad's sum instead of the moving average
    return theta - alpha / np.sqrt(r + eps) * g, r


@pytest.mark.parametrize("wrong", [rmsprop_eps_outside, rmsprop_no_one_minus_beta,
                                   rmsprop_betas_swapped, rmsprop_in_place, rmsprop_bias_corrected,
                                   rmsprop_old_r, rmsprop_adagrad_sum])
def test_wrong_rmsprop_fails(wrong):
    assert evaluate("rmsprop_step", wrong).status == "failed"


def test_first_rmsprop_step_by_hand():
    # r = 0.1 g^2 = [0.025, 1.6]; step = 0.01 g / sqrt(r + 1e-8) = 0.01 sign(g) / sqrt(0.1)
    theta, r = exercises.get("rmsprop_step").reference(
        np.array([1.0, 2.0]), np.zeros(2), np.array([0.5, -4.0]), 0.01, 0.9, 0.0)
    assert np.allclose(r, [0.025, 1.6])
    assert np.allclose(theta, [1.0 - 0.01 / np.sqrt(0.1), 2.0 + 0.01 / np.sqrt(0.1)])
