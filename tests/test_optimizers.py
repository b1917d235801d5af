"""Tests of course_lib.optimizers against the lecture's formulas, computed by hand.

Most hand computations use J(theta) = theta^2, so g = 2 theta, starting from theta_0 = 1.
"""

import math
import warnings

import numpy as np
import pytest

from course_lib.optimizers import (
    OPTIMIZERS,
    SGD,
    AdaGrad,
    Adam,
    AdamW,
    Momentum,
    Nesterov,
    RMSProp,
    adagrad_update,
    adam_update,
    momentum_update,
    nesterov_from_lookahead,
    nesterov_lookahead,
    nesterov_to_lookahead,
    nesterov_update,
    nesterov_update_lookahead,
    rmsprop_update,
    rmsprop_update_pytorch,
    sgd_update,
)
from course_lib.schedules import InverseTimeDecay


def grad_square(theta):
    """Gradient of J(theta) = sum theta^2."""
    return 2 * theta


def two_steps(opt, theta0=(1.0,)):
    theta0 = np.array(theta0)
    theta1 = opt.step(theta0, grad_square)
    theta2 = opt.step(theta1, grad_square)
    return theta1, theta2


def every_optimizer():
    return [
        SGD(0.1),
        Momentum(0.1, momentum=0.9),
        Nesterov(0.1, momentum=0.9),
        AdaGrad(0.1),
        RMSProp(0.01, beta=0.9),
        Adam(0.1),
        Adam(0.1, form="alpha_t"),
        AdamW(0.1, weight_decay=0.05),
    ]


# ---------------------------------------------------------------- first two steps, by hand


def test_sgd_two_steps_by_hand():
    theta1, theta2 = two_steps(SGD(0.1), (1.0, -2.0))
    # theta1 = theta0 - 0.1 * 2 theta0 = 0.8 theta0
    assert theta1 == pytest.approx([1 - 0.1 * 2, -2 - 0.1 * (-4)])  # [0.8, -1.6]
    assert theta2 == pytest.approx([0.8 - 0.1 * 1.6, -1.6 - 0.1 * (-3.2)])  # [0.64, -1.28]


def test_momentum_two_steps_by_hand():
    opt = Momentum(0.1, momentum=0.9)
    theta1 = opt.step(np.array([1.0]), grad_square)
    # g = 2, v = 0.9 * 0 - 0.1 * 2 = -0.2, theta = 1 - 0.2 = 0.8
    assert opt.v[0] == pytest.approx([-0.2])
    assert theta1 == pytest.approx([0.8])
    theta2 = opt.step(theta1, grad_square)
    # g = 1.6, v = 0.9 * (-0.2) - 0.1 * 1.6 = -0.18 - 0.16 = -0.34, theta = 0.8 - 0.34 = 0.46
    assert opt.v[0] == pytest.approx([-0.34])
    assert theta2 == pytest.approx([0.46])


def test_nesterov_two_steps_by_hand_with_gradient_at_the_lookahead():
    opt = Nesterov(0.1, momentum=0.9)
    points = []

    def grad_fn(theta):
        points.append(float(theta[0]))
        return 2 * theta

    theta1 = opt.step(np.array([1.0]), grad_fn)
    # v = 0: look-ahead 1 + 0.9 * 0 = 1, g = 2, v = -0.2, theta = 1 + 0 - 0.2 = 0.8
    assert theta1 == pytest.approx([0.8])
    theta2 = opt.step(theta1, grad_fn)
    # look-ahead 0.8 + 0.9 * (-0.2) = 0.62, g = 1.24, v = -0.18 - 0.124 = -0.304,
    # theta = 0.62 - 0.124 = 0.496 (= 0.8 + v)
    assert points == pytest.approx([1.0, 0.62])
    assert opt.v[0] == pytest.approx([-0.304])
    assert theta2 == pytest.approx([0.496])


def test_adagrad_two_steps_by_hand():
    eps = 1e-8
    theta1, theta2 = two_steps(AdaGrad(0.1, epsilon=eps))
    # g = 2, r = 0 + 4 = 4, theta = 1 - 0.1 / sqrt(4 + eps) * 2 = 0.9
    hand1 = 1 - 0.1 / math.sqrt(4 + eps) * 2
    # g = 1.8, r = 4 + 3.24 = 7.24, theta = 0.9 - 0.1 / sqrt(7.24) * 1.8 = 0.9 - 0.066896
    g2 = 2 * hand1
    hand2 = hand1 - 0.1 / math.sqrt(4 + g2**2 + eps) * g2
    assert theta1 == pytest.approx([hand1], rel=1e-12)
    assert theta2 == pytest.approx([hand2], rel=1e-12)
    assert theta2 == pytest.approx([0.833104], abs=1e-6)


def test_rmsprop_two_steps_by_hand():
    eps = 1e-8
    theta1, theta2 = two_steps(RMSProp(0.01, beta=0.9, epsilon=eps))
    # g = 2, r = 0.9 * 0 + 0.1 * 4 = 0.4, theta = 1 - 0.01 / sqrt(0.4) * 2 = 1 - 0.0316228
    hand1 = 1 - 0.01 / math.sqrt(0.4 + eps) * 2
    # g = 1.9367544, r = 0.9 * 0.4 + 0.1 * g^2 = 0.36 + 0.3751018 = 0.7351018
    g2 = 2 * hand1
    r2 = 0.9 * 0.4 + 0.1 * g2**2
    hand2 = hand1 - 0.01 / math.sqrt(r2 + eps) * g2
    assert theta1 == pytest.approx([hand1], rel=1e-12)
    assert theta2 == pytest.approx([hand2], rel=1e-12)
    assert theta1 == pytest.approx([0.968377], abs=1e-6)
    assert theta2 == pytest.approx([0.945788], abs=1e-6)


@pytest.mark.parametrize("form", ["bias_corrected", "alpha_t"])
def test_adam_two_steps_by_hand(form):
    opt = Adam(0.1, beta_1=0.9, beta_2=0.999, epsilon=0.0, form=form)
    theta1, theta2 = two_steps(opt)
    # t = 1: g = 2, s = 0.1 * 2 = 0.2, r = 0.001 * 4 = 0.004,
    #        s_hat = 0.2 / 0.1 = 2, r_hat = 0.004 / 0.001 = 4, theta = 1 - 0.1 * 2 / 2 = 0.9
    assert theta1 == pytest.approx([0.9], rel=1e-12)
    # t = 2: g = 1.8, s = 0.9 * 0.2 + 0.1 * 1.8 = 0.36, r = 0.999 * 0.004 + 0.001 * 3.24 = 0.007236
    #        s_hat = 0.36 / (1 - 0.81), r_hat = 0.007236 / (1 - 0.998001)
    s_hat = 0.36 / (1 - 0.9**2)
    r_hat = 0.007236 / (1 - 0.999**2)
    assert theta2 == pytest.approx([0.9 - 0.1 / math.sqrt(r_hat) * s_hat], rel=1e-12)
    assert theta2 == pytest.approx([0.800412], abs=1e-6)
    assert opt.s[0] == pytest.approx([0.36]) and opt.r[0] == pytest.approx([0.007236])
    assert opt.t == 2


def test_pure_functions_first_step_by_hand():
    theta, g = np.array([1.0, -2.0]), np.array([2.0, -4.0])
    zero = np.zeros(2)
    assert sgd_update(theta, g, 0.1) == pytest.approx([0.8, -1.6])
    new, v = momentum_update(theta, np.array([0.5, 0.5]), g, 0.1, 0.9)
    # v = 0.9 * 0.5 - 0.1 g = [0.45 - 0.2, 0.45 + 0.4]
    assert v == pytest.approx([0.25, 0.85]) and new == pytest.approx([1.25, -1.15])
    assert nesterov_lookahead(theta, np.array([0.5, 0.5]), 0.9) == pytest.approx([1.45, -1.55])
    new, v = nesterov_update(theta, np.array([0.5, 0.5]), g, 0.1, 0.9)
    # theta + beta v - alpha g = [1 + 0.45 - 0.2, -2 + 0.45 + 0.4]
    assert new == pytest.approx([1.25, -1.15]) and v == pytest.approx([0.25, 0.85])
    new, r = adagrad_update(theta, zero, g, 0.1, 0.0)
    assert r == pytest.approx([4.0, 16.0]) and new == pytest.approx([0.9, -1.9])
    new, r = rmsprop_update(theta, zero, g, 0.1, 0.9, 0.0)
    # r = 0.1 g^2 = [0.4, 1.6]; step = 0.1 g / sqrt(r) = 0.1 sign(g) / sqrt(0.1)
    assert r == pytest.approx([0.4, 1.6])
    assert new == pytest.approx([1 - 0.1 / math.sqrt(0.1), -2 + 0.1 / math.sqrt(0.1)])
    new, s, r, t = adam_update(theta, zero, zero, 0, g, 0.1, 0.9, 0.999, 0.0)
    assert t == 1 and s == pytest.approx([0.2, -0.4]) and r == pytest.approx([0.004, 0.016])
    assert new == pytest.approx([0.9, -1.9])  # the first Adam step is alpha sign(g)


# ---------------------------------------------------------------- facts from the lecture


def test_adam_two_forms_agree_when_epsilon_is_zero_and_differ_otherwise():
    def grad_fn(theta):  # an anisotropic quadratic with a cross term
        return np.array([2 * theta[0] + theta[1], theta[0] + 20 * theta[1]])

    def run(form, eps):
        opt, theta = Adam(0.05, epsilon=eps, form=form), np.array([3.0, -1.0])
        for _ in range(50):
            theta = opt.step(theta, grad_fn)
        return theta

    np.testing.assert_allclose(run("bias_corrected", 0.0), run("alpha_t", 0.0), rtol=1e-12)
    assert not np.allclose(run("bias_corrected", 1e-2), run("alpha_t", 1e-2), rtol=1e-6)


def test_adagrad_effective_step_decays_as_alpha_over_sqrt_t():
    alpha, g0 = 0.1, np.array([3.0, -0.5])
    opt, theta = AdaGrad(alpha, epsilon=0.0), np.zeros(2)
    for t in range(1, 101):
        new = opt.step(theta, lambda th: g0)
        # r = t g0^2, so the step is alpha / sqrt(t g0^2) g0 = alpha / sqrt(t) sign(g0)
        np.testing.assert_allclose(new - theta, -alpha / math.sqrt(t) * np.sign(g0), rtol=1e-12)
        theta = new
    # with the default epsilon the effective rate is (alpha / sqrt t) / sqrt(g0^2 + eps / t)
    opt, theta = AdaGrad(alpha), np.zeros(2)
    for _ in range(100):
        theta = opt.step(theta, lambda th: g0)
    step_101 = opt.step(theta, lambda th: g0) - theta
    np.testing.assert_allclose(step_101, -alpha / math.sqrt(101) * np.sign(g0), rtol=1e-7)


def test_rmsprop_r_after_one_step_is_one_tenth_g_squared():
    g = np.array([3.0, -0.5, 0.0])
    opt = RMSProp(0.01, beta=0.9)
    opt.step(np.ones(3), lambda theta: g)
    assert opt.r[0] == pytest.approx(0.1 * g**2)  # (1 - beta) g^2 = [0.9, 0.025, 0]
    assert opt.r[0] == pytest.approx([0.9, 0.025, 0.0])
    _, r = rmsprop_update(np.ones(3), np.zeros(3), g, 0.01, 0.5, 1e-8)
    assert r == pytest.approx(0.5 * g**2)


def test_adam_r_has_total_weight_one_minus_beta_2_to_the_t():
    beta_2 = 0.999
    theta, s, r, t = np.zeros(1), np.zeros(1), np.zeros(1), 0
    for _ in range(30):  # g^2 = 1 every step: r_t is the total weight itself
        theta, s, r, t = adam_update(theta, s, r, t, np.ones(1), 0.001, 0.9, beta_2, 1e-8)
        assert r[0] == pytest.approx(1 - beta_2**t, rel=1e-10)
    # and for varying gradients r_t = (1 - beta_2) sum_i beta_2^(t - i) g_i^2
    gs = np.linspace(-2.0, 3.0, 12)
    opt = Adam(0.001, beta_2=beta_2)
    theta = np.zeros(1)
    for g in gs:
        theta = opt.step(theta, lambda th, g=g: np.array([g]))
    t = len(gs)
    expected = (1 - beta_2) * sum(beta_2 ** (t - i) * gs[i - 1] ** 2 for i in range(1, t + 1))
    assert opt.r[0][0] == pytest.approx(expected, rel=1e-12)


def test_robbins_monro_decaying_rate_converges_constant_rate_stalls_at_noise_floor():
    # J(theta) = theta^2 / 2 with noisy gradients g = theta + sigma xi, 400 independent runs.
    sigma, runs, T = 1.0, 400, 2000

    def mean_squared_error(learning_rate, seed=0):
        rng = np.random.default_rng(seed)
        opt, theta = SGD(learning_rate), np.full(runs, 5.0)
        errors = {}
        for t in range(1, T + 1):
            theta = opt.step(theta, lambda th: th + sigma * rng.standard_normal(runs))
            if t in (T // 2, T):
                errors[t] = float(np.mean(theta**2))
        return errors

    constant = mean_squared_error(0.1)
    decaying = mean_squared_error(InverseTimeDecay(1.0))  # alpha_t = 1 / t
    # constant alpha: theta_t+1 = (1 - alpha) theta_t - alpha sigma xi has stationary variance
    # alpha sigma^2 / (2 - alpha) = 0.1 / 1.9 = 0.0526: it stops improving
    floor = 0.1 * sigma**2 / (2 - 0.1)
    assert constant[T] == pytest.approx(floor, rel=0.25)
    assert constant[T // 2] == pytest.approx(floor, rel=0.25)
    # alpha_t = 1/t: theta_T+1 is minus the mean of T noises, variance sigma^2 / T -> 0
    assert decaying[T] == pytest.approx(sigma**2 / T, rel=0.25)
    assert decaying[T] < 0.6 * decaying[T // 2]  # still improving, like 1/T
    assert decaying[T] < constant[T] / 50


def test_nesterov_lookahead_form_visits_the_same_points():
    def grad_fn(theta):  # Rosenbrock gradient
        x, y = theta
        return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])

    alpha, beta = 1e-3, 0.9
    theta, v = np.array([-1.2, 1.0]), np.zeros(2)
    phi, v_phi = nesterov_to_lookahead(theta, v, beta), np.zeros(2)
    opt, theta_class = Nesterov(alpha, momentum=beta), theta.copy()
    for _ in range(40):
        g = grad_fn(nesterov_lookahead(theta, v, beta))
        theta, v = nesterov_update(theta, v, g, alpha, beta)
        phi, v_phi = nesterov_update_lookahead(phi, v_phi, grad_fn(phi), alpha, beta)
        theta_class = opt.step(theta_class, grad_fn)
        np.testing.assert_allclose(phi, nesterov_to_lookahead(theta, v, beta), rtol=1e-12)
        np.testing.assert_allclose(nesterov_from_lookahead(phi, v_phi, beta), theta, rtol=1e-12)
        np.testing.assert_array_equal(theta_class, theta)
    assert not np.allclose(phi, theta)  # the two forms store different points


def test_rmsprop_pytorch_form_epsilon_outside_the_root():
    theta, r = np.zeros(2), np.zeros(2)
    g = np.array([1.0, 1e-6])
    lecture, _ = rmsprop_update(theta, r, g, 0.01, 0.9, 0.0)
    pytorch, r_pt = rmsprop_update_pytorch(theta, r, g, 0.01, 0.9, 0.0)
    np.testing.assert_allclose(pytorch, lecture, rtol=1e-14)  # eps = 0: identical
    eps = 1e-8
    lecture, _ = rmsprop_update(theta, r, g, 0.01, 0.9, eps)
    pytorch, _ = rmsprop_update_pytorch(theta, r, g, 0.01, 0.9, eps)
    # large gradient: sqrt(0.1) >> eps either way, both steps 0.01 / sqrt(0.1)
    assert lecture[0] == pytest.approx(pytorch[0], rel=1e-6)
    # small gradient 1e-6: r = 1e-13; lecture sqrt(1e-13 + 1e-8) = 1.00005e-4,
    # pytorch sqrt(1e-13) + 1e-8 = 3.2623e-7: steps 1e-8 / 1e-4 = 1e-4 vs 1e-8 / 3.26e-7 = 0.0307
    assert lecture[1] == pytest.approx(-0.01 * 1e-6 / math.sqrt(1e-13 + 1e-8))
    assert pytorch[1] == pytest.approx(-0.01 * 1e-6 / (math.sqrt(1e-13) + 1e-8))
    assert abs(pytorch[1]) > 100 * abs(lecture[1])


def test_keras_adam_epsilon_acts_as_epsilon_over_sqrt_one_minus_beta_2_t():
    # Keras: theta - alpha_t s / (sqrt(r) + eps); check it equals the bias-corrected step with
    # eps / sqrt(1 - beta_2^t) outside the root, as the Adam docstring claims.
    alpha, b1, b2, eps = 0.01, 0.9, 0.999, 1e-3
    s, r = np.zeros(2), np.zeros(2)
    for t, g in enumerate([np.array([0.3, -0.01]), np.array([0.1, 0.02])], start=1):
        s = b1 * s + (1 - b1) * g
        r = b2 * r + (1 - b2) * g * g
        alpha_t = alpha * math.sqrt(1 - b2**t) / (1 - b1**t)
        keras_step = alpha_t * s / (np.sqrt(r) + eps)
        s_hat, r_hat = s / (1 - b1**t), r / (1 - b2**t)
        rewritten = alpha * s_hat / (np.sqrt(r_hat) + eps / math.sqrt(1 - b2**t))
        np.testing.assert_allclose(keras_step, rewritten, rtol=1e-12)
    assert "eps / sqrt(1 - beta_2^t)" in Adam.__doc__


# ---------------------------------------------------------------- interface


def test_determinism_bit_for_bit():
    def run(opt):
        rng = np.random.default_rng(7)
        params = [rng.normal(size=(3, 4)), rng.normal(size=4)]
        noise = np.random.default_rng(11)
        for _ in range(25):
            params = opt.step(params, lambda p: [2 * a + noise.normal(size=a.shape) for a in p])
        return params

    for opt in every_optimizer():
        first, second = run(opt), run(type(opt)(**_arguments_of(opt)))
        for a, b in zip(first, second, strict=True):
            np.testing.assert_array_equal(a, b)
        opt.reset()
        for a, b in zip(run(opt), first, strict=True):
            np.testing.assert_array_equal(a, b)


def _arguments_of(opt):
    names = ("alpha", "momentum", "beta", "beta_1", "beta_2", "epsilon", "weight_decay", "form")
    return {name: getattr(opt, name) for name in names if hasattr(opt, name)}


@pytest.mark.parametrize("opt", every_optimizer(), ids=repr)
def test_step_does_not_mutate_inputs(opt):
    theta = [np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([0.1, 0.2])]
    grads = [np.array([[0.3, -0.1], [2.0, 0.0]]), np.array([-1.0, 1.0])]
    theta_copy = [a.copy() for a in theta]
    grads_copy = [a.copy() for a in grads]
    for _ in range(3):
        new = opt.step(theta, lambda p: grads)
    for a, b in zip(theta + grads, theta_copy + grads_copy, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(new[0], theta[0])
    single = np.array([1.0, 2.0])
    opt.reset()
    opt.step(single, lambda p: np.array([1.0, 1.0]))
    np.testing.assert_array_equal(single, [1.0, 2.0])


@pytest.mark.parametrize("opt", every_optimizer(), ids=repr)
def test_list_of_arrays_is_the_same_as_each_array_alone(opt):
    def grad_fn(params):
        return [np.sin(a) + 0.5 * a for a in params]

    W, b = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]]), np.array([0.2, -0.7, 1.5])
    params = [W, b]
    alone_W, alone_b = type(opt)(**_arguments_of(opt)), type(opt)(**_arguments_of(opt))
    for _ in range(5):
        params = opt.step(params, grad_fn)
        W = alone_W.step(W, lambda a: grad_fn([a])[0])
        b = alone_b.step(b, lambda a: grad_fn([a])[0])
    assert isinstance(params, list) and len(params) == 2
    np.testing.assert_array_equal(params[0], W)
    np.testing.assert_array_equal(params[1], b)
    assert params[0].dtype == np.float64 and params[0].shape == (2, 3)


def test_single_array_in_single_array_out_and_float64():
    theta = SGD(0.5).step(np.array([1, 2]), lambda th: th)  # integer input
    assert isinstance(theta, np.ndarray) and theta.dtype == np.float64
    np.testing.assert_array_equal(theta, [0.5, 1.0])


def test_reset_clears_state():
    opt = Adam(0.1)
    first = two_steps(opt)
    assert opt.t == 2 and opt.s is not None
    opt.reset()
    assert opt.t == 0 and opt.s is None and opt.r is None
    np.testing.assert_array_equal(two_steps(opt)[1], first[1])


def test_epsilon_zero_is_accepted_without_nan_or_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for opt in (AdaGrad(0.1, epsilon=0), RMSProp(0.1, epsilon=0), Adam(0.1, epsilon=0),
                    Adam(0.1, epsilon=0, form="alpha_t")):  # fmt: skip
            theta = np.array([1.0, 5.0])
            for _ in range(3):  # the second coordinate always has gradient 0
                theta = opt.step(theta, lambda th: np.array([2 * th[0], 0.0]))
            assert np.all(np.isfinite(theta)) and theta[1] == 5.0
        theta, _ = rmsprop_update_pytorch(np.ones(1), np.zeros(1), np.zeros(1), 0.1, 0.9, 0.0)
        assert theta[0] == 1.0


def test_learning_rate_schedule_is_called_with_the_step_number():
    seen = []

    def schedule(t):
        seen.append(t)
        return 0.1

    opt = Momentum(schedule)
    theta = np.ones(2)
    for _ in range(3):
        theta = opt.step(theta, grad_square)
    assert seen == [1, 2, 3]
    opt.reset()
    opt.step(theta, grad_square)
    assert seen[-1] == 1
    # alpha_t = 1 / t with a constant gradient 1: theta_3 = 0 - (1 + 1/2 + 1/3)
    opt, theta = SGD(InverseTimeDecay(1.0)), np.zeros(1)
    for _ in range(3):
        theta = opt.step(theta, lambda th: np.ones(1))
    assert theta == pytest.approx([-(1 + 1 / 2 + 1 / 3)])


def test_schedule_returning_a_negative_rate_raises():
    opt = SGD(lambda t: 0.1 - 0.05 * t)
    theta = opt.step(np.ones(1), grad_square)  # t = 1: 0.05
    theta = opt.step(theta, grad_square)  # t = 2: 0.0 is allowed
    with pytest.raises(ValueError, match="schedule must return a number >= 0, got -0.05"):
        opt.step(theta, grad_square)  # t = 3: -0.05


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: SGD(-0.1), r"alpha \(the learning rate\) must be .*>= 0"),
        (lambda: SGD(float("nan")), "alpha"),
        (lambda: SGD("0.1"), "alpha"),
        (lambda: Momentum(0.1, momentum=1.0), r"momentum must be a number in \[0, 1\)"),
        (lambda: Nesterov(0.1, momentum=-0.1), r"momentum must be a number in \[0, 1\)"),
        (lambda: AdaGrad(0.1, epsilon=-1e-8), r"epsilon must be a number in \[0, inf\)"),
        (lambda: RMSProp(0.1, beta=1.5), r"beta must be a number in \[0, 1\)"),
        (lambda: Adam(beta_1=1.0), r"beta_1 must be a number in \[0, 1\)"),
        (lambda: Adam(beta_2=-0.5), r"beta_2 must be a number in \[0, 1\)"),
        (lambda: Adam(form="keras"), "form must be one of"),
    ],
)
def test_bad_hyperparameters_raise_value_error_naming_parameter_and_range(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_mismatched_gradient_structure_raises():
    theta = [np.zeros((2, 3)), np.zeros(3)]
    with pytest.raises(ValueError, match=r"gradient\[1\] must have shape \(3,\) to match theta"):
        SGD(0.1).step(theta, lambda p: [np.zeros((2, 3)), np.zeros(4)])
    with pytest.raises(ValueError, match="list of 2 arrays to match theta, got a list of 1"):
        SGD(0.1).step(theta, lambda p: [np.zeros((2, 3))])
    with pytest.raises(ValueError, match="list of 2 arrays to match theta, got ndarray"):
        SGD(0.1).step(theta, lambda p: np.zeros(3))
    with pytest.raises(ValueError, match=r"gradient must have shape \(2,\) to match theta"):
        Adam().step(np.zeros(2), lambda p: np.zeros(3))


def test_changing_parameter_shapes_needs_reset():
    opt = Momentum(0.1)
    opt.step(np.zeros(2), grad_square)
    with pytest.raises(ValueError, match="call reset"):
        opt.step(np.zeros(3), grad_square)
    opt.reset()
    assert opt.step(np.zeros(3), grad_square).shape == (3,)


def test_registry_and_defaults():
    assert list(OPTIMIZERS) == ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam", "AdamW"]
    adam = Adam()
    assert (adam.alpha, adam.beta_1, adam.beta_2, adam.epsilon) == (
        0.001, 0.9, 0.999, 1e-8)  # fmt: skip
    assert Momentum(0.1).momentum == 0.9 and Nesterov(0.1).momentum == 0.9
    assert RMSProp(0.1).beta == 0.9 and AdaGrad(0.1).epsilon == 1e-8
    assert repr(SGD(0.1)) == "SGD(alpha=0.1)"


# ---------------------------------------------------------------- the one driver


def test_init_functions_give_zero_state_of_the_shape_of_theta():
    from course_lib.optimizers import accumulator_init, adam_init, momentum_init, sgd_init

    theta = np.ones((2, 3))
    assert sgd_init(theta) == ()
    (v,) = momentum_init(theta)
    (r,) = accumulator_init(theta)
    s, r2, t = adam_init(theta)
    for a in (v, r, s, r2):
        assert a.shape == (2, 3) and not a.any()
    assert t == 0


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_a_copy_of_the_reference_step_runs_the_same_path_through_the_driver(name):
    """update= replaces the per-array step (as a student's function does): a copy of the
    reference must give bit-for-bit the same parameters as the class itself."""
    cls = OPTIMIZERS[name]
    calls = []

    def copy_of_reference(*args):
        calls.append(args[0].shape)
        return cls.entry.update(*args)

    params = [np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([0.1, -0.2])]
    ours, theirs = cls(0.05, update=copy_of_reference), cls(0.05)
    a, b = params, params
    for _ in range(4):
        a = ours.step(a, lambda p: [np.sin(x) + x for x in p])
        b = theirs.step(b, lambda p: [np.sin(x) + x for x in p])
    assert calls == [(2, 2), (2,)] * 4          # the driver did call the copy, once per array and step
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


def test_make_optimizer_takes_the_lecture_symbols_and_names_unknown_ones():
    from course_lib.optimizers import defaults, make_optimizer

    opt = make_optimizer("RMSProp", 0.1, {"beta": 0.5, "eps": 0.0})
    assert isinstance(opt, RMSProp) and (opt.beta, opt.epsilon) == (0.5, 0.0)
    assert make_optimizer("Nesterov", 0.1, {"beta": 0.7}).momentum == 0.7
    assert defaults("Adam") == {"beta_1": 0.9, "beta_2": 0.999, "eps": 1e-8}
    with pytest.raises(ValueError, match=r"SGD has no hyperparameter\(s\) \['beta'\]"):
        make_optimizer("SGD", 0.1, {"beta": 0.9})
    with pytest.raises(ValueError, match="optimizer must be one of"):
        make_optimizer("Adamax", 0.1)


def test_a_step_function_returning_the_wrong_structure_is_named():
    opt = Momentum(0.1, update=lambda theta, v, g, alpha, beta: theta)
    with pytest.raises(ValueError, match=r"must return a tuple \(theta, v\)"):
        opt.step(np.ones(2), grad_square)
