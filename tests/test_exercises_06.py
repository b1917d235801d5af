"""06_sgd_momentum_nesterov: the references pass, classic wrong steps fail their checks."""

import numpy as np
import pytest

from course_lib import exercises
from course_lib.checking import evaluate


@pytest.mark.parametrize("exercise_id", ["sgd_step", "momentum_step", "nesterov_lookahead",
                                         "nesterov_step"])
def test_reference_passes(exercise_id):
    ex = exercises.get(exercise_id)
    assert ex.notebook == "06_sgd_momentum_nesterov"
    assert evaluate(exercise_id, ex.reference, watch_references=False).passed


def sgd_plus(theta, g, alpha):
    return theta + alpha * g


def sgd_in_place(theta, g, alpha):
    theta -= alpha * g
    return theta


def sgd_no_alpha(theta, g, alpha):
    return theta - g


@pytest.mark.parametrize("wrong", [sgd_plus, sgd_in_place, sgd_no_alpha])
def test_wrong_sgd_fails(wrong):
    assert evaluate("sgd_step", wrong).status == "failed"


def momentum_v_sign(theta, v, g, alpha, beta):
    v = beta * v + alpha * g           # v with the opposite sign convention
    return theta - v, v


def momentum_theta_minus(theta, v, g, alpha, beta):
    v = beta * v - alpha * g
    return theta - v, v


def momentum_pytorch(theta, v, g, alpha, beta):
    b = beta * v + g                   # PyTorch's buffer instead of the lecture's v
    return theta - alpha * b, b


def momentum_old_v(theta, v, g, alpha, beta):
    return theta + v, beta * v - alpha * g


def momentum_in_place(theta, v, g, alpha, beta):
    v *= beta
    v -= alpha * g
    return theta + v, v


def momentum_no_beta(theta, v, g, alpha, beta):
    v = v - alpha * g
    return theta + v, v


@pytest.mark.parametrize("wrong", [momentum_v_sign, momentum_theta_minus, momentum_pytorch,
                                   momentum_old_v, momentum_in_place, momentum_no_beta])
def test_wrong_momentum_fails(wrong):
    assert evaluate("momentum_step", wrong).status == "failed"


@pytest.mark.parametrize("wrong", [
    lambda theta, v, beta: theta - beta * v,
    lambda theta, v, beta: theta + v,
    lambda theta, v, beta: beta * (theta + v),
])
def test_wrong_lookahead_fails(wrong):
    assert evaluate("nesterov_lookahead", wrong).status == "failed"


def nesterov_as_momentum_forgot_lookahead(theta, v, g, alpha, beta):
    return theta - alpha * g, beta * v - alpha * g    # the lecture's last line alone


def nesterov_stored_form(theta, v, g, alpha, beta):
    v = beta * v - alpha * g                           # the framework form applied to theta
    return theta + beta * v - alpha * g, v


def nesterov_v_sign(theta, v, g, alpha, beta):
    v_new = beta * v + alpha * g
    return theta + beta * v - alpha * g, v_new


def nesterov_in_place(theta, v, g, alpha, beta):
    theta += beta * v
    v = beta * v - alpha * g
    return theta - alpha * g, v


@pytest.mark.parametrize("wrong", [nesterov_as_momentum_forgot_lookahead, nesterov_stored_form,
                                   nesterov_v_sign, nesterov_in_place])
def test_wrong_nesterov_fails(wrong):
    assert evaluate("nesterov_step", wrong).status == "failed"


def test_lecture_numbers_by_hand():
    ex = exercises.get("momentum_step")
    theta, v = ex.reference(np.array([1.0, 2.0]), np.array([1.0, -1.0]), np.array([2.0, 4.0]), 0.1, 0.9)
    # v = 0.9 [1, -1] - 0.1 [2, 4] = [0.7, -1.3]; theta = [1.7, 0.7]
    assert np.allclose(v, [0.7, -1.3]) and np.allclose(theta, [1.7, 0.7])
    theta, v = exercises.get("nesterov_step").reference(
        np.array([1.0, 2.0]), np.array([1.0, -1.0]), np.array([2.0, 4.0]), 0.1, 0.9)
    assert np.allclose(v, [0.7, -1.3]) and np.allclose(theta, [1.7, 0.7])
