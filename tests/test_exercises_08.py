"""08_adam: both lecture forms of Adam pass; adam_steps shares one t; the course_lib blocks that
answer the exercises are caught.

(The contract every exercise shares, reference passes, hint levels, named outputs, mistakes that
fail, lives in tests/test_hints.py; here only what is particular to this notebook.)
"""

import math

import numpy as np

from course_lib import exercises
from course_lib.checking import evaluate
from course_lib.optimizers import adam_update

IDS = ["uncorrected_step_lengths", "adam_step", "adam_steps"]


def test_the_notebook_has_these_exercises():
    assert [ex.id for ex in exercises.for_notebook("08_adam")] == IDS


def test_adam_update_and_the_adam_class_are_caught():
    from course_lib.optimizers import Adam

    def adam_step(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
        return adam_update(theta, s, r, t, g, alpha, beta_1, beta_2, eps)

    def adam_step_by_class(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
        optimizer = Adam(alpha, beta_1, beta_2, eps)
        optimizer.step(np.zeros_like(theta), lambda _: g)
        return theta, s, r, t

    assert "adam_update" in evaluate("adam_step", adam_step).message
    assert "adam_update" in evaluate("adam_step", adam_step_by_class).message


def test_outputs_are_named():
    assert exercises.get("adam_step").outputs == ("theta", "s", "r", "t")
    assert exercises.get("adam_steps").outputs == ("thetas", "ss", "rs", "t")


def test_uncorrected_lengths_are_what_the_uncorrected_optimizer_does():
    """The exercise's closed form against 60 steps of optimizers.adam_update_no_bias_correction
    with a constant gradient (eps = 0), and the issue's numbers: 6.57 alpha at t = 12 for 0.9 and
    0.999; exactly alpha at t = 1 when (1 - beta_1)^2 = 1 - beta_2."""
    from course_lib.optimizers import adam_update_no_bias_correction

    lengths, t_max = exercises.get("uncorrected_step_lengths").reference(0.9, 0.999, 60)
    theta, s, r, t, steps = np.zeros(2), np.zeros(2), np.zeros(2), 0, []
    for _ in range(60):
        new, s, r, t = adam_update_no_bias_correction(theta, s, r, t, np.array([0.3, -2.0]),
                                                      0.01, 0.9, 0.999, 0.0)
        steps.append(np.abs(new - theta) / 0.01)
        theta = new
    np.testing.assert_allclose(np.array(steps), np.repeat(lengths[:, None], 2, axis=1), rtol=1e-9)
    assert t_max == 12 and math.isclose(lengths[11], 6.5685, rel_tol=1e-4)
    first, _ = exercises.get("uncorrected_step_lengths").reference(0.9, 0.99, 1)
    assert math.isclose(first[0], 1.0, rel_tol=1e-12)


def test_the_uncorrected_adam_blocks_are_caught():
    from course_lib import optimizers

    def through_the_ratio(beta_1, beta_2, T):
        lengths = optimizers.uncorrected_adam_step_ratio(beta_1, beta_2, np.arange(1, T + 1))
        lengths = np.atleast_1d(lengths)
        return lengths, int(np.argmax(lengths)) + 1

    def by_running_the_optimizer(beta_1, beta_2, T):
        theta, s, r, t, lengths = np.zeros(1), np.zeros(1), np.zeros(1), 0, []
        for _ in range(T):
            new, s, r, t = optimizers.adam_update_no_bias_correction(theta, s, r, t, np.ones(1), 1.0,
                                                                     beta_1, beta_2, 0.0)
            lengths.append(float(abs(new - theta)[0]))
            theta = new
        return np.array(lengths), int(np.argmax(lengths)) + 1

    for shortcut, name in [(through_the_ratio, "uncorrected_adam_step_ratio"),
                           (by_running_the_optimizer, "adam_update_no_bias_correction")]:
        assert evaluate("uncorrected_step_lengths", shortcut, watch_references=False).passed
        outcome = evaluate("uncorrected_step_lengths", shortcut)
        assert outcome.status == "failed" and name in outcome.message


def adam_in_place(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    t = t + 1
    s *= beta_1
    s += (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g * g
    return theta - alpha / np.sqrt(r / (1 - beta_2**t) + eps) * s / (1 - beta_1**t), s, r, t


def test_in_place_adam_fails():
    assert evaluate("adam_step", adam_in_place).status == "failed"


def adam_second_form(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    t = t + 1
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g * g
    alpha_t = alpha * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    return theta - alpha_t / np.sqrt(r + eps) * s, s, r, t


def adam_steps_student(thetas, ss, rs, t, gs, alpha, beta_1, beta_2, eps):
    if ss is None:
        ss = [np.zeros_like(theta) for theta in thetas]
        rs = [np.zeros_like(theta) for theta in thetas]
    t = t + 1
    out = [[], [], []]
    for theta, s, r, g in zip(thetas, ss, rs, gs):
        s = beta_1 * s + (1 - beta_1) * g
        r = beta_2 * r + (1 - beta_2) * g**2
        theta = theta - alpha * (s / (1 - beta_1**t)) / np.sqrt(r / (1 - beta_2**t) + eps)
        for lst, value in zip(out, (theta, s, r)):
            lst.append(value)
    return out[0], out[1], out[2], t


def adam_steps_second_form(thetas, ss, rs, t, gs, alpha, beta_1, beta_2, eps):
    if ss is None:
        ss = [np.zeros_like(theta) for theta in thetas]
        rs = [np.zeros_like(theta) for theta in thetas]
    steps = [adam_second_form(theta, s, r, t, g, alpha, beta_1, beta_2, eps)
             for theta, s, r, g in zip(thetas, ss, rs, gs)]
    return [x[0] for x in steps], [x[1] for x in steps], [x[2] for x in steps], t + 1


def test_both_lecture_forms_pass():
    for seed in range(5):
        assert evaluate("adam_step", adam_second_form, seed=seed).passed
        assert evaluate("adam_steps", adam_steps_student, seed=seed).passed
        assert evaluate("adam_steps", adam_steps_second_form, seed=seed).passed


def test_first_adam_step_by_hand():
    # t = 1: s_hat = g, r_hat = g^2, step = alpha g / sqrt(g^2) = alpha sign(g) for eps = 0
    theta, s, r, t = exercises.get("adam_step").reference(
        np.array([1.0, 2.0]), np.zeros(2), np.zeros(2), 0, np.array([0.5, -4.0]), 0.01, 0.9, 0.999, 0.0)
    assert t == 1 and np.allclose(theta, [0.99, 2.01])
    assert np.allclose(s, [0.05, -0.4]) and np.allclose(r, [0.001 * 0.25, 0.001 * 16])


def test_adam_steps_by_hand_shares_t():
    thetas, ss, rs, t = exercises.get("adam_steps").reference(
        [np.array([1.0]), np.array([2.0, 3.0])], None, None, 0,
        [np.array([0.5]), np.array([-4.0, 1.0])], 0.01, 0.9, 0.999, 0.0)
    assert t == 1        # one step for the whole model, not one per array
    assert np.allclose(thetas[0], [0.99]) and np.allclose(thetas[1], [2.01, 2.99])


def test_the_update_without_bias_correction_given_alpha_t_scores_zero():
    # adam_update_no_bias_correction with alpha_t as its step size is the lecture's second form.
    from course_lib.optimizers import adam_update_no_bias_correction

    def adam_step(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
        alpha_t = alpha * math.sqrt(1 - beta_2 ** (t + 1)) / (1 - beta_1 ** (t + 1))
        return adam_update_no_bias_correction(theta, s, r, t, g, alpha_t, beta_1, beta_2, eps)

    assert not evaluate("adam_step", adam_step).passed
