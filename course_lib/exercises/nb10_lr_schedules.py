"""Exercises of 10_lr_schedules: schedules derived from a requirement, and one designed to reach a target.

The first three take t, a float array of step numbers t >= 0 (any shape), and return alpha_t, a
float array of the same shape; their references are built on the schedules of
course_lib.schedules, which are off limits (every class of that module, OFF_LIMITS).
`design_schedule` is judged, not compared: its learning rates drive minibatch-like SGD on a noisy
quadratic (NOISY_QUADRATIC) and must bring the loss below TARGET_LOSS within the budget.
"""

import numpy as np

from .. import schedules
from ..quadratics import BUDGET, NOISY_QUADRATIC, TARGET_LOSS, noisy_quadratic_loss  # noqa: F401 - the design exercise's data
from ..schedules import CosineDecay, CosineRestarts, ExponentialDecay, LinearWarmup
from .core import Case, Exercise, Mistake
from .off_limits import everything_in

NOTEBOOK = "10_lr_schedules"
OFF_LIMITS = everything_in(schedules)


def exponential_decay(t, alpha_0, alpha_end, T):
    """Exponential decay from alpha_0 at t = 0 to alpha_end at t = T, then constant alpha_end.

        alpha_t = alpha_0 c^(min(t, T))   with c chosen so that alpha_T = alpha_end:
        c = (alpha_end / alpha_0)^(1 / T),  so  alpha_t = alpha_0 (alpha_end / alpha_0)^(min(t, T) / T)

    (lecture: alpha = alpha_initial c^t). t: float array of steps >= 0 (any shape);
    alpha_0 > 0, alpha_end > 0, T > 0. Returns a float array of the shape of t.
    """
    t = np.minimum(np.asarray(t, dtype=np.float64), T)
    return ExponentialDecay(alpha_0, alpha_end / alpha_0, decay_steps=T)(t)


def cosine_restarts(t, alpha_0, T, m):
    """Cosine decay to 0 with warm restarts (SGDR, Loshchilov & Hutter 2017).

        cycle i = 0, 1, ... lasts T_i = T m^i steps and starts at S_i = T (m^i - 1) / (m - 1)
                  (S_i = T i when m = 1);
        alpha_t = alpha_0 (1 + cos(pi (t - S_i) / T_i)) / 2   for S_i <= t < S_i + T_i

    t: float array of steps >= 0; alpha_0 >= 0; T > 0; m >= 1. Returns a float array of the
    shape of t.
    """
    return CosineRestarts(alpha_0, period=T, period_factor=m)(np.asarray(t, dtype=np.float64))


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
# designing a schedule for a budget


def design_schedule(n_steps):
    """A schedule that reaches TARGET_LOSS on NOISY_QUADRATIC within n_steps = BUDGET steps.

    Large steps first, to travel along the flat direction (alpha below the stability limit
    2 / (2 lambda_max) = 1 of the steep one), small steps at the end, so that the noise averages
    out: a half cosine from 0.9 to 0 over the budget.
    Returns (n_steps,) float array of alpha_0, ..., alpha_{n-1}.
    """
    t = np.arange(n_steps, dtype=np.float64)
    return 0.9 * (1 + np.cos(np.pi * t / n_steps)) / 2


def design_judge(case, expected, got):
    """Right when the learning rates `got` bring the averaged final loss below TARGET_LOSS."""
    n_steps = case.args[0]
    try:
        alphas = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"expected an array of {n_steps} learning rates, got {type(got).__name__}"
    if alphas.shape != (n_steps,):
        return f"expected {n_steps} learning rates (shape ({n_steps},)), got shape {alphas.shape}"
    if not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
        return "every learning rate must be a finite number >= 0"
    loss = noisy_quadratic_loss(alphas, case.secret["seed"])
    if loss > TARGET_LOSS:
        what = "diverged" if not np.isfinite(loss) else f"ended at loss {loss:.4f}"
        return (f"with your schedule SGD {what} (mean of {NOISY_QUADRATIC['runs']} noisy runs, "
                f"noise seed {case.secret['seed']}); the target is below {TARGET_LOSS}")
    return None


# ---------------------------------------------------------------------------------------------
# cases


def _steps(rng, top):
    """A sorted float array of random steps in [0, top], with 0 and top included."""
    return np.sort(np.concatenate([[0.0, float(top)], rng.uniform(0, top, size=int(rng.integers(3, 10)))]))


def _exponential_cases(rng):
    cases = [
        Case("edge: t = 0 gives alpha_0, t = T gives alpha_end", (np.array([0.0, 100.0]), 0.1, 0.001, 100.0)),
        Case("half way: the geometric mean of alpha_0 and alpha_end (not the arithmetic one)",
             (np.array([50.0]), 0.1, 0.001, 100.0)),
        Case("every step multiplies by the same c: 1, 0.5, 0.25, 0.125", (np.array([0.0, 1.0, 2.0, 3.0]), 1.0,
                                                                           0.125, 3.0)),
        Case("after T it stays at alpha_end", (np.array([10.0, 20.0, 40.0]), 0.2, 0.02, 10.0)),
        Case("alpha_end = alpha_0: no decay", (np.array([0.0, 7.0, 100.0]), 0.3, 0.3, 4.0)),
        Case("a 2-D array of steps (keep the shape)",
             (np.array([[0.0, 100.0], [200.0, 300.0]]), 0.01, 0.0001, 300.0)),
    ]
    for k in range(3):
        alpha_0 = float(rng.uniform(1e-3, 1))
        T = float(rng.integers(10, 1000))
        cases.append(Case(f"random #{k + 1}", (_steps(rng, 1.3 * T), alpha_0,
                                               alpha_0 * float(rng.uniform(1e-3, 0.5)), T)))
    return cases


def _restart_cases(rng):
    cases = [
        Case("edge: t = 0 gives alpha_0", (np.array([0.0]), 0.1, 10.0, 2.0)),
        Case("m = 1: every cycle lasts T, the rate jumps back to alpha_0 at T, 2T, ...",
             (np.array([0.0, 5.0, 9.0, 10.0, 15.0, 20.0, 25.0]), 1.0, 10.0, 1.0)),
        Case("m = 2: cycles of 10, 20, 40 steps start at 0, 10, 30, 70",
             (np.array([0.0, 5.0, 10.0, 20.0, 30.0, 50.0, 69.0, 70.0]), 1.0, 10.0, 2.0)),
        Case("just before a restart the rate is almost 0", (np.array([9.999, 29.999]), 0.5, 10.0, 2.0)),
        Case("non-integer factor m = 1.5 (cycles 4, 6, 9)", (np.array([0.0, 2.0, 4.0, 7.0, 10.0, 14.5, 19.0]),
                                                              0.2, 4.0, 1.5)),
        Case("a 2-D array of steps (keep the shape)", (np.array([[0.0, 3.0], [6.0, 12.0]]), 0.1, 4.0, 2.0)),
    ]
    for k in range(3):
        T = float(rng.integers(5, 50))
        m = float(rng.choice([1.0, 2.0, float(rng.uniform(1.1, 3.0))]))
        cases.append(Case(f"random #{k + 1}", (_steps(rng, 12 * T), float(rng.uniform(1e-3, 1)), T, m)))
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


def _design_cases(rng):
    cases = [Case(f"noise seed {seed}", (BUDGET,), secret={"seed": seed}) for seed in (0, 1)]
    for k in range(2):
        seed = int(rng.integers(2, 2**31 - 1))
        cases.append(Case(f"random noise #{k + 1} (seed {seed})", (BUDGET,), secret={"seed": seed}))
    return cases


# ---------------------------------------------------------------------------------------------
# common mistakes


def _exp_no_clamp(t, alpha_0, alpha_end, T):
    return alpha_0 * (alpha_end / alpha_0) ** (np.asarray(t) / T)


def _exp_ratio_per_step(t, alpha_0, alpha_end, T):      # c = alpha_end / alpha_0 used as the per-step factor
    return alpha_0 * (alpha_end / alpha_0) ** np.minimum(t, T)


def _exp_linear(t, alpha_0, alpha_end, T):              # a straight line instead of a geometric one
    return alpha_0 + (alpha_end - alpha_0) * np.minimum(t, T) / T


def _exp_flattened(t, alpha_0, alpha_end, T):
    return exponential_decay(np.ravel(t), alpha_0, alpha_end, T)


def _restart_modulo(t, alpha_0, T, m):                  # every cycle T long, whatever m
    return alpha_0 * (1 + np.cos(np.pi * (np.asarray(t) % T) / T)) / 2


def _restart_no_restart(t, alpha_0, T, m):              # one cosine, then 0
    return alpha_0 * (1 + np.cos(np.pi * np.minimum(t, T) / T)) / 2


def _restart_wrong_start(t, alpha_0, T, m):             # cycle i starts at T m^i instead of the sum
    t = np.asarray(t, dtype=np.float64)
    i = np.floor(np.log(np.maximum(t / T, 1.0)) / np.log(m)) if m > 1 else np.floor(t / T)
    start = np.where(t < T, 0.0, T * m**i) if m > 1 else T * i
    length = T * m ** (i + 1) - start if m > 1 else T
    return alpha_0 * (1 + np.cos(np.pi * (t - start) / length)) / 2


def _restart_full_cosine(t, alpha_0, T, m):             # cos(2 pi ...): up again within a cycle
    t_cur, T_i = np.vectorize(CosineRestarts(1.0, T, m).cycle)(np.asarray(t, dtype=np.float64))
    return alpha_0 * (1 + np.cos(2 * np.pi * t_cur / T_i)) / 2


def _warm_no_shift(t, alpha_0, W, T):
    t = np.asarray(t)
    return np.where(t < W, alpha_0 * t / W, alpha_0 * (1 + np.cos(np.pi * np.minimum(t, T) / T)) / 2)


def _warm_cosine_over_total(t, alpha_0, W, T):          # the cosine ends at T instead of W + T
    t = np.asarray(t)
    return np.where(t < W, alpha_0 * t / W,
                    alpha_0 * (1 + np.cos(np.pi * np.minimum(np.maximum(t - W, 0), T - W) / (T - W))) / 2)


def _warm_off_by_one(t, alpha_0, W, T):
    t = np.asarray(t)
    return np.where(t < W, alpha_0 * (t + 1) / W, warmup_cosine(t, alpha_0, W, T))


def _warm_no_clamp(t, alpha_0, W, T):
    t = np.asarray(t)
    return np.where(t < W, alpha_0 * t / W, alpha_0 * (1 + np.cos(np.pi * (t - W) / T)) / 2)


def _design_constant(n_steps):
    return np.full(n_steps, 0.3)


def _design_too_fast(n_steps):                          # exponential to 1e-4: stops before it arrives
    return 0.9 * (1e-4 / 0.9) ** (np.arange(n_steps) / n_steps)


def _design_too_large(n_steps):                         # above the stability limit 1 of the steep direction
    return np.full(n_steps, 1.05)


def _design_inverse_time(n_steps):                      # alpha_0 / t from the first step: too fast
    return 0.9 / np.arange(1, n_steps + 1)


EXERCISES = [
    Exercise(
        id="exponential_decay",
        notebook=NOTEBOOK,
        points=1,
        reference=exponential_decay,
        make_cases=_exponential_cases,
        hints=("Write alpha_t as alpha_0 times a constant factor c per step, and find c from the one "
               "condition you are given: the rate at step T.",
               "c to the power T must equal the ratio alpha_end over alpha_0; half way the rate is "
               "the geometric mean of the two ends. After T the rate stays put.",
               "Work on the whole array of steps at once and return an array of the same shape."),
        mistakes=(Mistake("no floor after T (it keeps decaying past alpha_end)", _exp_no_clamp,
                          nudge="After step T the rate stays at alpha_end: the decay stops there."),
                  Mistake("the ratio alpha_end / alpha_0 used as the factor of every step",
                          _exp_ratio_per_step,
                          nudge="The factor per step is the T-th root of the ratio, so that after T steps "
                                "the product is the ratio."),
                  Mistake("a straight line from alpha_0 to alpha_end", _exp_linear,
                          nudge="Exponential decay multiplies by the same factor each step: halfway the "
                                "rate is the geometric mean of the two ends, not their average."),
                  Mistake("a flattened array (the shape of t is lost)", _exp_flattened,
                          nudge="Work on the whole array of steps at once and return an array of the same "
                                "shape as t.")),
        outputs=("alpha_t",),
        forbidden=OFF_LIMITS,
    ),
    Exercise(
        id="cosine_restarts",
        notebook=NOTEBOOK,
        points=2,
        reference=cosine_restarts,
        make_cases=_restart_cases,
        hints=("For each step, find the cycle it falls in and how far into that cycle it is; the "
               "rate is a half cosine of that fraction.",
               "Cycle i starts where the cycles before it end: add up T, T m, T m squared, ... (a "
               "geometric series; with m equal to 1 it is just i times T).",
               "A step exactly at the start of a cycle belongs to the new cycle and gets alpha_0."),
        mistakes=(Mistake("every cycle T steps long, whatever m", _restart_modulo,
                          nudge="Each cycle is m times longer than the one before: T, T m, T m squared, "
                                "and so on."),
                  Mistake("no restart: one cosine, then 0", _restart_no_restart,
                          nudge="After each cycle the rate jumps back to alpha_0 and a new, longer cosine "
                                "starts."),
                  Mistake("cycle i starting at T m^i instead of after all earlier cycles",
                          _restart_wrong_start,
                          nudge="Cycle i starts where the earlier cycles end: add up all their lengths (a "
                                "geometric series)."),
                  Mistake("a full cosine period per cycle (the rate climbs back inside a cycle)",
                          _restart_full_cosine,
                          nudge="Within a cycle the cosine goes from its top to its bottom once: half a "
                                "period, so the rate only falls.")),
        outputs=("alpha_t",),
        forbidden=OFF_LIMITS,
    ),
    Exercise(
        id="warmup_cosine",
        notebook=NOTEBOOK,
        points=2,
        reference=warmup_cosine,
        make_cases=_warmup_cases,
        hints=("Two pieces: a straight climb from 0 to alpha_0 during the warmup, then a cosine that "
               "behaves as if training had started at step W.",
               "The cosine's clock starts at W and stops at W plus T: measure time since W, and keep "
               "the rate at 0 after the cosine ends.",
               "When you compute both pieces for the whole array, the cosine piece also sees steps "
               "before W: make sure its time since W never goes negative there."),
        mistakes=(Mistake("the cosine not shifted by the warmup", _warm_no_shift,
                          nudge="After the warmup the cosine behaves as if training started at step W: "
                                "measure its time from W."),
                  Mistake("the cosine ending at T instead of W + T", _warm_cosine_over_total,
                          nudge="The cosine lasts T steps counted from the end of the warmup, so it "
                                "reaches zero at W plus T."),
                  Mistake("a warmup that is one step ahead", _warm_off_by_one,
                          nudge="The warmup starts at zero: at step 0 the rate is 0, and it reaches "
                                "alpha_0 exactly at step W."),
                  Mistake("no floor after W + T (the cosine climbs back up)", _warm_no_clamp,
                          nudge="Once the cosine reaches zero at W plus T the rate stays at zero.")),
        outputs=("alpha_t",),
        forbidden=OFF_LIMITS,
    ),
    Exercise(
        id="design_schedule",
        notebook=NOTEBOOK,
        points=3,
        reference=design_schedule,
        make_cases=_design_cases,
        judge=design_judge,
        hints=("A constant rate cannot win here: large enough to cross the flat valley in the budget, "
               "it is too large for the noise at the end. The rate must change with the step.",
               "Early: as large as the steep direction allows, which is below one. Late: small, so "
               "the noise averages out. Decide how fast to go from one to the other.",
               "A decay that is too fast stops before it arrives, as exponential decay to a tiny "
               "rate does; compare a few shapes with noisy_quadratic_loss before you hand one in."),
        mistakes=(Mistake("a constant rate", _design_constant,
                          nudge="A constant rate cannot win here: large enough to cross the flat valley, "
                                "it is too large for the noise at the end. Let it change with time."),
                  Mistake("an exponential decay that is too fast", _design_too_fast,
                          nudge="A decay that is too fast stops before it arrives: keep the rate large "
                                "for longer."),
                  Mistake("a rate above the stability limit of the steep direction", _design_too_large,
                          nudge="Early steps must stay below the stability limit of the steep direction "
                                "(about one here), or that direction blows up."),
                  Mistake("inverse time decay from the first step", _design_inverse_time,
                          nudge="Inverse time decay falls steeply at the start: the flat direction needs "
                                "large steps for longer.")),
        outputs=("alphas",),
        forbidden=OFF_LIMITS,
    ),
]
