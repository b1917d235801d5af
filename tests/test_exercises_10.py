"""Exercises of 10_lr_schedules: the references pass, classic mistakes fail, values by hand."""

import numpy as np
import pytest

from course_lib.checking import evaluate
from course_lib.exercises import nb10_lr_schedules as ex


def test_references_pass():
    for exercise in ex.EXERCISES:
        assert evaluate(exercise.id, exercise.reference, watch_references=False).passed


def test_values_by_hand():
    assert np.allclose(ex.exponential_decay(np.array([0.0, 1.0, 2.0]), 1.0, 0.5, 1.0), [1.0, 0.5, 0.25])
    assert np.allclose(ex.cosine_decay(np.array([0.0, 50.0, 100.0, 200.0]), 0.1, 100.0, 0.0),
                       [0.1, 0.05, 0.0, 0.0])
    assert np.allclose(ex.warmup_cosine(np.array([0.0, 5.0, 10.0, 60.0, 110.0, 500.0]), 0.4, 10.0, 100.0),
                       [0.0, 0.2, 0.4, 0.2, 0.0, 0.0])


def _exp_no_decay_steps(t, alpha_0, c, decay_steps):
    return alpha_0 * c ** np.asarray(t)


def _exp_staircase(t, alpha_0, c, decay_steps):
    return alpha_0 * c ** np.floor(np.asarray(t) / decay_steps)


def _exp_times(t, alpha_0, c, decay_steps):  # decay_steps multiplies instead of divides
    return alpha_0 * c ** (np.asarray(t) * decay_steps)


def _exp_flattened(t, alpha_0, c, decay_steps):
    return alpha_0 * c ** (np.ravel(t) / decay_steps)


@pytest.mark.parametrize("wrong", [_exp_no_decay_steps, _exp_staircase, _exp_times, _exp_flattened])
def test_wrong_exponential_decay_fails(wrong):
    assert evaluate("exponential_decay", wrong).status == "failed"


def _cos_no_clamp(t, alpha_0, T, alpha_end):
    return alpha_end + (alpha_0 - alpha_end) * (1 + np.cos(np.pi * np.asarray(t) / T)) / 2


def _cos_no_half(t, alpha_0, T, alpha_end):
    return alpha_end + (alpha_0 - alpha_end) * (1 + np.cos(np.pi * np.minimum(t, T) / T))


def _cos_half_period(t, alpha_0, T, alpha_end):  # cos(pi/2 p): a quarter wave
    return alpha_end + (alpha_0 - alpha_end) * np.cos(np.pi / 2 * np.minimum(t, T) / T)


def _cos_ignores_end(t, alpha_0, T, alpha_end):
    return alpha_0 * (1 + np.cos(np.pi * np.minimum(t, T) / T)) / 2


def _cos_adds_end(t, alpha_0, T, alpha_end):
    return alpha_end + alpha_0 * (1 + np.cos(np.pi * np.minimum(t, T) / T)) / 2


@pytest.mark.parametrize("wrong", [_cos_no_clamp, _cos_no_half, _cos_half_period, _cos_ignores_end,
                                   _cos_adds_end])
def test_wrong_cosine_decay_fails(wrong):
    assert evaluate("cosine_decay", wrong).status == "failed"


def _warm_no_shift(t, alpha_0, W, T):
    t = np.asarray(t)
    return np.where(t < W, alpha_0 * t / W, ex.cosine_decay(t, alpha_0, T, 0.0))


def _warm_cosine_over_total(t, alpha_0, W, T):  # the cosine ends at T instead of W + T
    t = np.asarray(t)
    return np.where(t < W, alpha_0 * t / W, ex.cosine_decay(np.maximum(t - W, 0), alpha_0, T - W, 0.0))


def _warm_off_by_one(t, alpha_0, W, T):
    t = np.asarray(t)
    return np.where(t < W, alpha_0 * (t + 1) / W, ex.cosine_decay(np.maximum(t - W, 0), alpha_0, T, 0.0))


def _warm_from_alpha_0_over_w(t, alpha_0, W, T):  # starts at alpha_0 / W instead of 0
    t = np.asarray(t)
    after = ex.cosine_decay(np.maximum(t - W, 0), alpha_0, T, 0.0)
    return np.where(t < W, alpha_0 * np.maximum(t, 1) / W, after)


def _warm_no_clamp(t, alpha_0, W, T):
    t = np.asarray(t)
    return np.where(t < W, alpha_0 * t / W, alpha_0 * (1 + np.cos(np.pi * (t - W) / T)) / 2)


@pytest.mark.parametrize("wrong", [_warm_no_shift, _warm_cosine_over_total, _warm_off_by_one,
                                   _warm_from_alpha_0_over_w, _warm_no_clamp])
def test_wrong_warmup_cosine_fails(wrong):
    assert evaluate("warmup_cosine", wrong).status == "failed"
