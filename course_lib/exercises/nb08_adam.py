"""Exercises of 08_adam: the weights of an exponential moving average, Adam's alpha_t, Adam's step.

adam_step accepts either of the lecture's two forms of Adam (they differ only through where
eps acts). The cases catch: a missing bias correction (first steps, t = 0 and t = 9), a bias
correction with the old t (t = 0 divides by zero), t not incremented, eps outside the square
root (tiny gradients at t = 0), and in-place updates of s, r or theta.
"""

import math

import numpy as np

from ..optimizers import adam_update
from .core import Case, Exercise, compare

NOTEBOOK = "08_adam"


def ema_weights(beta, t):
    """The weight of each g_i^2 in r_t = beta r_{t-1} + (1 - beta) g_t^2, with r_0 = 0.

        r_t = sum_{i=1}^t w_i g_i^2,   w_i = (1 - beta) beta^(t - i),   i = 1, ..., t

    beta: float in [0, 1); t: int >= 1. Returns an array of shape (t,): w_1, ..., w_t
    (oldest first; the newest gradient has the largest weight 1 - beta). The weights sum to
    1 - beta^t, the lecture's total weight.
    """
    i = np.arange(1, t + 1)
    return (1 - beta) * beta ** (t - i)


def adam_alpha_t(alpha, beta_1, beta_2, t):
    """The step size of the lecture's second form of Adam, at step t >= 1.

        alpha_t = alpha sqrt(1 - beta_2^t) / (1 - beta_1^t)

    Returns a float.
    """
    return alpha * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)


def adam_reference(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    """The lecture's first form of Adam (bias-corrected s_hat, r_hat); see adam_update."""
    return adam_update(theta, s, r, t, g, alpha, beta_1, beta_2, eps, form="bias_corrected")


def _adam_judge(case, expected, got):
    """Right if it matches the lecture's first form, or (as well) its second form."""
    reason = compare(expected, got, rtol=1e-7, atol=1e-10)
    if reason is None:
        return None
    second = adam_update(*case.args, form="alpha_t")
    if compare(second, got, rtol=1e-7, atol=1e-10) is None:
        return None
    return reason


def _ema_cases(rng):
    cases = [
        Case("edge: t = 1, beta = 0.9: one weight, 1 - beta", (0.9, 1)),
        Case("small: t = 3, beta = 0.9: [0.081, 0.09, 0.1]", (0.9, 3)),
        Case("edge: beta = 0: only the newest gradient counts", (0.0, 4)),
        Case("beta = 0.999, t = 1000 (Adam's beta_2)", (0.999, 1000)),
    ]
    for k in range(3):
        cases.append(Case(f"random #{k + 1}", (float(rng.uniform(0.5, 0.999)), int(rng.integers(2, 50)))))
    return cases


def _alpha_t_cases(rng):
    cases = [
        Case("edge: t = 1 with the defaults: alpha sqrt(0.001) / 0.1", (0.001, 0.9, 0.999, 1)),
        Case("t = 10", (0.01, 0.9, 0.999, 10)),
        Case("large t = 100000: alpha_t is about alpha", (0.001, 0.9, 0.999, 100000)),
        Case("beta_1 = 0.5, beta_2 = 0.9, t = 3", (1.0, 0.5, 0.9, 3)),
    ]
    for k in range(3):
        cases.append(Case(f"random #{k + 1}", (float(rng.uniform(0.001, 1.0)), float(rng.uniform(0.5, 0.95)),
                                                float(rng.uniform(0.9, 0.9999)), int(rng.integers(1, 200)))))
    return cases


def _adam_cases(rng):
    two = (2,)
    cases = [
        Case("edge: first step (t = 0, s = r = 0): each coordinate moves by about alpha",
             (np.array([1.0, 2.0]), np.zeros(two), np.zeros(two), 0, np.array([0.5, -4.0]),
              0.01, 0.9, 0.999, 1e-8)),
        Case("first step with tiny gradients: eps inside the root",
             (np.array([1.0, -1.0]), np.zeros(two), np.zeros(two), 0, np.array([1e-3, -2e-4]),
              0.01, 0.9, 0.999, 1e-8)),
        Case("t = 9: both moments carry history, bias correction still large",
             (np.array([0.5, -0.5]), np.array([0.2, -0.1]), np.array([0.004, 0.001]), 9,
              np.array([1.0, 0.5]), 0.01, 0.9, 0.999, 1e-8)),
        Case("large t = 10000: bias correction about 1",
             (np.array([0.5, -0.5]), np.array([0.2, -0.1]), np.array([0.04, 0.01]), 10000,
              np.array([1.0, 0.5]), 0.001, 0.9, 0.999, 1e-8)),
        Case("eps = 0, t = 2",
             (np.array([0.5, -0.5]), np.array([0.1, -0.1]), np.array([0.001, 0.004]), 2,
              np.array([1.0, 0.5]), 0.1, 0.8, 0.99, 0.0)),
        Case("a (2, 3) matrix, t = 4",
             (np.ones((2, 3)), np.full((2, 3), 0.1), np.full((2, 3), 0.01), 4,
              np.arange(6.0).reshape(2, 3) - 2.0, 0.05, 0.9, 0.999, 1e-8)),
    ]
    for k in range(4):
        n = int(rng.integers(1, 6))
        t = int(rng.integers(0, 50))
        s = np.zeros(n) if t == 0 else 0.3 * rng.normal(size=n)
        r = np.zeros(n) if t == 0 else 0.1 * rng.uniform(0.0, 1.0, size=n)
        cases.append(Case(f"random #{k + 1}", (rng.normal(size=n), s, r, t, rng.normal(size=n),
                                                float(rng.uniform(0.001, 0.1)), float(rng.uniform(0.5, 0.95)),
                                                float(rng.uniform(0.9, 0.9999)),
                                                float(10 ** rng.uniform(-8, -2)))))
    return cases


EXERCISES = [
    Exercise(
        id="ema_weights",
        notebook=NOTEBOOK,
        points=1,
        reference=ema_weights,
        make_cases=_ema_cases,
        hint="w_i = (1 - beta) * beta**(t - i) for i = 1, ..., t (np.arange(1, t + 1)): oldest first.",
    ),
    Exercise(
        id="adam_alpha_t",
        notebook=NOTEBOOK,
        points=1,
        reference=adam_alpha_t,
        make_cases=_alpha_t_cases,
        hint="alpha * sqrt(1 - beta_2**t) / (1 - beta_1**t): the square root only over beta_2's factor.",
    ),
    Exercise(
        id="adam_step",
        notebook=NOTEBOOK,
        points=3,
        reference=adam_reference,
        make_cases=_adam_cases,
        judge=_adam_judge,
        hint="Increment t FIRST, update s and r (new arrays), divide by (1 - beta_1**t) and "
             "(1 - beta_2**t), then theta - alpha / np.sqrt(r_hat + eps) * s_hat; return (theta, s, r, t).",
    ),
]
