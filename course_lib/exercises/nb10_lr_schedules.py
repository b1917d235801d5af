"""Exercises of 10_lr_schedules: three learning-rate schedules as functions of an array of steps.

Each takes t, a float array of step numbers t >= 0 (any shape), and returns alpha_t, a float
array of the same shape. The references are the schedules of course_lib.schedules.
"""

import numpy as np

from ..schedules import CosineDecay, ExponentialDecay, LinearWarmup
from .core import Case, Exercise

NOTEBOOK = "10_lr_schedules"


def exponential_decay(t, alpha_0, c, decay_steps):
    """alpha_t = alpha_0 c^(t / decay_steps)   (lecture: alpha = alpha_initial c^t).

    t: float array of steps >= 0 (any shape); alpha_0 >= 0; c in (0, 1]; decay_steps > 0 (the
    rate is multiplied by c every decay_steps steps, smoothly in between).
    Returns a float array of the shape of t.
    """
    return ExponentialDecay(alpha_0, c, decay_steps)(np.asarray(t, dtype=np.float64))


def cosine_decay(t, alpha_0, T, alpha_end):
    """alpha_t = alpha_end + (alpha_0 - alpha_end) (1 + cos(pi min(t, T) / T)) / 2.

    Half a cosine from alpha_0 at t = 0 down to alpha_end at t = T, then constant alpha_end.
    t: float array of steps >= 0; alpha_0 >= alpha_end >= 0; T > 0.
    Returns a float array of the shape of t.
    """
    return CosineDecay(alpha_0, T, alpha_end)(np.asarray(t, dtype=np.float64))


def warmup_cosine(t, alpha_0, warmup_steps, T):
    """Linear warmup for W = warmup_steps steps, then cosine decay to 0 over T steps.

        alpha_t = alpha_0 t / W                                      for t < W
        alpha_t = alpha_0 (1 + cos(pi min(t - W, T) / T)) / 2        for t >= W

    The rate climbs from 0 to its peak alpha_0 at t = W, then decays as if training started at
    step W, and reaches 0 at t = W + T.
    t: float array of steps >= 0; alpha_0 >= 0; warmup_steps > 0; T > 0.
    Returns a float array of the shape of t.
    """
    schedule = LinearWarmup(CosineDecay(alpha_0, T), warmup_steps)
    return schedule(np.asarray(t, dtype=np.float64))


# ---------------------------------------------------------------------------------------------
# cases


def _steps(rng, top):
    """A sorted float array of random steps in [0, top], with 0 and top included."""
    return np.sort(np.concatenate([[0.0, float(top)], rng.uniform(0, top, size=int(rng.integers(3, 10)))]))


def _exponential_cases(rng):
    cases = [
        Case("edge: t = 0 gives alpha_0", (np.array([0.0]), 0.1, 0.5, 1.0)),
        Case("c = 0.5 each step: 1, 0.5, 0.25, 0.125", (np.array([0.0, 1.0, 2.0, 3.0]), 1.0, 0.5, 1.0)),
        Case("decay_steps = 10: halves every 10 steps, smoothly in between (no floor)",
             (np.array([0.0, 5.0, 10.0, 15.0, 20.0]), 0.2, 0.5, 10.0)),
        Case("c = 1: no decay", (np.array([0.0, 7.0, 100.0]), 0.3, 1.0, 4.0)),
        Case("a 2-D array of steps (keep the shape)",
             (np.array([[0.0, 100.0], [200.0, 300.0]]), 0.01, 0.9, 100.0)),
    ]
    for k in range(3):
        cases.append(Case(f"random #{k + 1}", (_steps(rng, 1000), float(rng.uniform(1e-3, 1)),
                                               float(rng.uniform(0.5, 0.999)), float(rng.integers(1, 200)))))
    return cases


def _cosine_cases(rng):
    cases = [
        Case("edge: t = 0 gives alpha_0, t = T gives alpha_end", (np.array([0.0, 100.0]), 0.1, 100.0, 0.001)),
        Case("half way, t = T / 2: the mean of alpha_0 and alpha_end", (np.array([50.0]), 0.1, 100.0, 0.0)),
        Case("a quarter of the way (cos(pi/4), not cos(pi/2))", (np.array([25.0, 75.0]), 1.0, 100.0, 0.0)),
        Case("after T it stays at alpha_end (min(t, T))",
             (np.array([100.0, 150.0, 250.0]), 0.1, 100.0, 0.01)),
        Case("alpha_end > 0 (the cosine spans alpha_0 - alpha_end)", (np.array([0.0, 10.0, 20.0, 30.0, 40.0]),
                                                                       0.5, 40.0, 0.1)),
        Case("a 2-D array of steps (keep the shape)", (np.array([[0.0, 1.0], [2.0, 3.0]]), 0.2, 3.0, 0.0)),
    ]
    for k in range(3):
        T = float(rng.integers(10, 500))
        alpha_0 = float(rng.uniform(1e-3, 1))
        alpha_end = float(rng.uniform(0, alpha_0 / 2))
        cases.append(Case(f"random #{k + 1}", (_steps(rng, 1.5 * T), alpha_0, T, alpha_end)))
    return cases


def _warmup_cases(rng):
    cases = [
        Case("edge: t = 0 gives 0 (the warmup starts from 0)", (np.array([0.0]), 0.1, 10.0, 100.0)),
        Case("the warmup is linear and reaches the peak alpha_0 at t = W",
             (np.array([0.0, 2.5, 5.0, 7.5, 10.0]), 0.4, 10.0, 100.0)),
        Case("the cosine starts at t = W, not at t = 0 (shift by W)",
             (np.array([10.0, 60.0, 110.0]), 0.4, 10.0, 100.0)),
        Case("the cosine lasts T steps AFTER the warmup: 0 at t = W + T and after",
             (np.array([105.0, 110.0, 200.0]), 1.0, 10.0, 100.0)),
        Case("a long warmup, W > T", (np.array([0.0, 100.0, 200.0, 250.0, 300.0]), 0.05, 200.0, 100.0)),
        Case("non-integer steps inside the warmup", (np.array([0.5, 1.5, 2.25]), 0.3, 3.0, 10.0)),
    ]
    for k in range(3):
        W, T = float(rng.integers(1, 100)), float(rng.integers(10, 500))
        alpha_0 = float(rng.uniform(1e-3, 1))
        cases.append(Case(f"random #{k + 1}", (_steps(rng, 1.2 * (W + T)), alpha_0, W, T)))
    return cases


EXERCISES = [
    Exercise(
        id="exponential_decay",
        notebook=NOTEBOOK,
        points=1,
        reference=exponential_decay,
        make_cases=_exponential_cases,
        hint="alpha_0 * c ** (t / decay_steps), element-wise on the array t; no rounding of t / decay_steps.",
    ),
    Exercise(
        id="cosine_decay",
        notebook=NOTEBOOK,
        points=1,
        reference=cosine_decay,
        make_cases=_cosine_cases,
        hint="Use np.minimum(t, T) / T as the progress p, then alpha_end + (alpha_0 - alpha_end) * "
             "(1 + np.cos(np.pi * p)) / 2.",
    ),
    Exercise(
        id="warmup_cosine",
        notebook=NOTEBOOK,
        points=2,
        reference=warmup_cosine,
        make_cases=_warmup_cases,
        hint="Compute both pieces for every t (alpha_0 * t / W, and the cosine of np.minimum(t - W, T) / T "
             "clipped at t - W >= 0) and choose with np.where(t < W, ...).",
    ),
]
