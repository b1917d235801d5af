"""Exercises of 08_adam: the step length of Adam WITHOUT its bias correction (derived: the question
behind the correction), Adam's step, and Adam over a list of parameter arrays.

adam_step (reference: optimizers.adam_update) and adam_steps accept either of the lecture's two
forms of Adam (they differ only through where eps acts). The cases catch: a missing bias
correction (first steps, t = 0 and t = 9), a bias correction with the old t (t = 0 divides by
zero), t not incremented, eps outside the square root (tiny gradients at t = 0), and in-place
updates of s, r or theta. adam_steps adds the decisions of a real model: a list of arrays of
different shapes, moments created at the first step (ss = rs = None), and ONE step count t
shared by every array.
"""

import numpy as np

from ..optimizers import (
    _divide_by_root,
    adam_update,
    adam_update_no_bias_correction,
    uncorrected_adam_step_ratio,
)
from .core import Case, Exercise, Mistake, compare
from .misconceptions import lifted, slip

NOTEBOOK = "08_adam"


def uncorrected_step_lengths(beta_1, beta_2, T):
    """How long the steps of Adam without the bias correction are, for a gradient that never
    changes (eps = 0), in units of alpha: for t = 1..T

        lengths[t - 1] = (1 - beta_1^t) / sqrt(1 - beta_2^t)   (optimizers.uncorrected_adam_step_ratio)

    and t_max, the step (counted from 1) with the longest one, the first on a tie.
    beta_1, beta_2 in [0, 1); T >= 1 an int. Returns (lengths (T,), t_max int).
    """
    lengths = uncorrected_adam_step_ratio(beta_1, beta_2, np.arange(1, int(T) + 1))
    lengths = np.atleast_1d(np.asarray(lengths, dtype=np.float64))
    return lengths, int(np.argmax(lengths)) + 1


adam_reference = adam_update
"""The reference of adam_step: optimizers.adam_update itself (first form; the judge also accepts
the second). Kept under this name for course_lib.explorers.capstone, which imports it."""


def adam_steps(thetas, ss, rs, t, gs, alpha, beta_1, beta_2, eps):
    """One Adam step (the lecture's first form) on every parameter array of a model.

        t <- t + 1                                   (ONCE per step, shared by all arrays)
        for each array j:
            s_j <- beta_1 s_j + (1 - beta_1) g_j;    r_j <- beta_2 r_j + (1 - beta_2) g_j^2
            theta_j <- theta_j - alpha / sqrt(r_j / (1 - beta_2^t) + eps) * s_j / (1 - beta_1^t)

    thetas, gs: lists of arrays, gs[j] of the shape of thetas[j]; ss, rs: the moment lists of
    the previous step, or None at the first step (t = 0; then they start at zeros of the shape of
    each theta_j); t: the number of steps done so far. Returns (thetas, ss, rs, t): new lists of
    new arrays and the new step count. The reference loops optimizers.adam_update.
    """
    if ss is None or rs is None:
        ss = [np.zeros(np.shape(theta)) for theta in thetas]
        rs = [np.zeros(np.shape(theta)) for theta in thetas]
    steps = [adam_update(theta, s, r, t, g, alpha, beta_1, beta_2, eps)
             for theta, s, r, g in zip(thetas, ss, rs, gs, strict=True)]
    return ([step[0] for step in steps], [step[1] for step in steps], [step[2] for step in steps],
            t + 1)


def _second_form(case):
    """What the lecture's second form (alpha_t) returns for a case of adam_step or adam_steps."""
    if isinstance(case.args[0], list):
        thetas, ss, rs, t, gs, *hyper = case.args
        if ss is None or rs is None:
            ss = rs = [np.zeros(np.shape(theta)) for theta in thetas]
        steps = [adam_update(theta, s, r, t, g, *hyper, form="alpha_t")
                 for theta, s, r, g in zip(thetas, ss, rs, gs)]
        return [x[0] for x in steps], [x[1] for x in steps], [x[2] for x in steps], t + 1
    return adam_update(*case.args, form="alpha_t")


def _adam_judge(case, expected, got):
    """Right if it matches the lecture's first form, or (as well) its second form."""
    reason = compare(expected, got, rtol=1e-7, atol=1e-10)
    if reason is None or compare(_second_form(case), got, rtol=1e-7, atol=1e-10) is None:
        return None
    return reason


def _uncorrected_cases(rng):
    cases = [
        Case("edge: T = 1, the notebook's betas 0.9 and 0.999: sqrt(10) = 3.16", (0.9, 0.999, 1)),
        Case("the notebook's betas over 50 steps: where is the longest step?", (0.9, 0.999, 50)),
        Case("beta_2 = 0.99: (1 - beta_1)^2 = 1 - beta_2, the first step is exactly alpha", (0.9, 0.99, 30)),
        Case("beta_1 = beta_2 = 0.9: never longer than alpha (the longest is the last)", (0.9, 0.9, 20)),
        Case("edge: beta_1 = 0 (no momentum)", (0.0, 0.999, 5)),
        Case("edge: beta_2 = 0 (r is the newest g^2)", (0.9, 0.0, 6)),
    ]
    for k in range(4):
        cases.append(Case(f"random #{k + 1}", (float(rng.uniform(0.5, 0.99)), float(rng.uniform(0.9, 0.9999)),
                                                int(rng.integers(2, 200)))))
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


def _steps_cases(rng):
    W, b = np.array([[1.0, -1.0, 0.5], [0.0, 2.0, -2.0]]), np.array([0.5, -0.5])
    gW, gb = np.array([[0.1, 0.0, -3.0], [1.0, 1.0, 1.0]]), np.array([2.0, -0.01])
    hyper = (0.01, 0.9, 0.999, 1e-8)
    cases = [
        Case("edge: the first step (t = 0, ss = rs = None) of a layer: W (2, 3) and b (2,)",
             ([W, b], None, None, 0, [gW, gb], *hyper)),
        Case("edge: one parameter array at t = 3",
             ([np.array([1.0, 2.0])], [np.array([0.1, -0.2])], [np.array([0.01, 0.04])], 3,
              [np.array([1.0, -1.0])], *hyper)),
        Case("three arrays at t = 9: the bias correction uses ONE shared t",
             ([W, b, np.array([3.0])], [0.1 * gW, 0.1 * gb, np.array([0.2])],
              [0.01 * gW**2, 0.01 * gb**2, np.array([0.004])], 9,
              [gW, gb, np.array([-1.0])], 0.05, 0.8, 0.99, 1e-8)),
        Case("three arrays, first step, tiny gradients: eps inside the root",
             ([W, b, np.array([3.0])], None, None, 0, [1e-3 * gW, 1e-3 * gb, np.array([-2e-4])],
              *hyper)),
    ]
    for k in range(4):
        shapes = [tuple(int(n) for n in rng.integers(1, 4, size=int(rng.integers(1, 3))))
                  for _ in range(int(rng.integers(2, 4)))]
        t = 0 if k % 2 == 0 else int(rng.integers(1, 40))
        ss = None if t == 0 else [0.3 * rng.normal(size=shape) for shape in shapes]
        rs = None if t == 0 else [0.1 * rng.uniform(0.0, 1.0, size=shape) for shape in shapes]
        cases.append(Case(f"random #{k + 1}" + (" (first step)" if t == 0 else ""),
                          ([rng.normal(size=shape) for shape in shapes], ss, rs, t,
                           [rng.normal(size=shape) for shape in shapes],
                           float(rng.uniform(0.001, 0.1)), float(rng.uniform(0.5, 0.95)),
                           float(rng.uniform(0.9, 0.9999)), float(10 ** rng.uniform(-8, -2)))))
    return cases


# ----------------------------------------------------------------------------------------------
# Common wrong answers, as the check names them
# ----------------------------------------------------------------------------------------------

def _lengths(ratio, offset=0):
    """A (wrong) step-length rule ratio(beta_1, beta_2, t) and the 1-based index of its longest step."""
    def wrong(beta_1, beta_2, T):
        t = np.arange(1, int(T) + 1, dtype=np.float64)
        with np.errstate(all="ignore"):
            lengths = np.asarray(ratio(beta_1, beta_2, t), dtype=np.float64) * np.ones_like(t)
        return lengths, int(np.argmax(lengths)) + 1 + offset
    return wrong


UNCORRECTED_MISTAKES = (
    Mistake("the corrected Adam's step (exactly alpha at every step)", _lengths(lambda b1, b2, t: 1.0)),
    Mistake("the square root of 1 - beta_2^t forgotten",
            _lengths(lambda b1, b2, t: (1 - b1**t) / (1 - b2**t))),
    Mistake("the two betas swapped", _lengths(lambda b1, b2, t: (1 - b2**t) / np.sqrt(1 - b1**t))),
    Mistake("the moments after t + 1 steps (t off by one)",
            _lengths(lambda b1, b2, t: (1 - b1 ** (t + 1)) / np.sqrt(1 - b2 ** (t + 1)))),
    Mistake("the moments' sums taken as one (s = (1 - beta_1) g, r = (1 - beta_2) g^2 at every step)",
            _lengths(lambda b1, b2, t: (1 - b1) / np.sqrt(1 - b2))),
    Mistake("the index of the longest step counted from 0",
            _lengths(lambda b1, b2, t: (1 - b1**t) / np.sqrt(1 - b2**t), offset=-1)),
)


def _moments(s, r, g, beta_1, beta_2):
    return beta_1 * s + (1 - beta_1) * g, beta_2 * r + (1 - beta_2) * g * g


def _adam_no_bias_correction(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    s, r = _moments(s, r, g, beta_1, beta_2)
    return theta - alpha / np.sqrt(r + eps) * s, s, r, t + 1


def _adam_only_s_corrected(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    s, r = _moments(s, r, g, beta_1, beta_2)
    return theta - alpha / np.sqrt(r + eps) * s / (1 - beta_1 ** (t + 1)), s, r, t + 1


def _adam_only_r_corrected(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    s, r = _moments(s, r, g, beta_1, beta_2)
    return theta - alpha / np.sqrt(r / (1 - beta_2 ** (t + 1)) + eps) * s, s, r, t + 1


def _adam_eps_outside(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    s, r = _moments(s, r, g, beta_1, beta_2)
    s_hat, r_hat = s / (1 - beta_1 ** (t + 1)), r / (1 - beta_2 ** (t + 1))
    return theta - alpha * s_hat / (np.sqrt(r_hat) + eps), s, r, t + 1


def _adam_t_not_incremented(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    theta, s, r, _ = adam_update(theta, s, r, t, g, alpha, beta_1, beta_2, eps)
    return theta, s, r, t


def _adam_old_t_in_correction(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    s, r = _moments(s, r, g, beta_1, beta_2)
    with np.errstate(all="ignore"):
        theta = theta - alpha / np.sqrt(r / (1 - beta_2**t) + eps) * s / (1 - beta_1**t)
    return theta, s, r, t + 1


def _adam_old_moments_in_step(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    t = t + 1
    with np.errstate(all="ignore"):
        theta = theta - alpha / np.sqrt(r / (1 - beta_2**t) + eps) * s / (1 - beta_1**t)
    s, r = _moments(s, r, g, beta_1, beta_2)
    return theta, s, r, t


def _adam_betas_swapped(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    s, r = _moments(s, r, g, beta_1, beta_2)
    s_hat, r_hat = s / (1 - beta_2 ** (t + 1)), r / (1 - beta_1 ** (t + 1))
    return theta - alpha / np.sqrt(r_hat + eps) * s_hat, s, r, t + 1


def _adam_g_instead_of_s(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    s, r = _moments(s, r, g, beta_1, beta_2)
    return theta - alpha / np.sqrt(r / (1 - beta_2 ** (t + 1)) + eps) * g, s, r, t + 1


def _adam_keras(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    s, r = _moments(s, r, g, beta_1, beta_2)
    alpha_t = alpha * np.sqrt(1 - beta_2 ** (t + 1)) / (1 - beta_1 ** (t + 1))
    return theta - alpha_t * s / (np.sqrt(r) + eps), s, r, t + 1


def _adam_root_over_both(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    s, r = _moments(s, r, g, beta_1, beta_2)
    alpha_t = alpha * np.sqrt((1 - beta_2 ** (t + 1)) / (1 - beta_1 ** (t + 1)))
    return theta - alpha_t / np.sqrt(r + eps) * s, s, r, t + 1


def _adam_corrected_state(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    s, r = _moments(s, r, g, beta_1, beta_2)
    s_hat, r_hat = s / (1 - beta_1 ** (t + 1)), r / (1 - beta_2 ** (t + 1))
    return theta - alpha / np.sqrt(r_hat + eps) * s_hat, s_hat, r_hat, t + 1


def _steps_t_per_array(thetas, ss, rs, t, gs, alpha, beta_1, beta_2, eps):
    if ss is None or rs is None:
        ss = [np.zeros(np.shape(theta)) for theta in thetas]
        rs = [np.zeros(np.shape(theta)) for theta in thetas]
    out = ([], [], [])
    for theta, s, r, g in zip(thetas, ss, rs, gs):
        theta, s, r, t = adam_update(theta, s, r, t, g, alpha, beta_1, beta_2, eps)
        for lst, value in zip(out, (theta, s, r)):
            lst.append(value)
    return (*out, t)


def _steps_t_not_incremented(thetas, ss, rs, t, gs, alpha, beta_1, beta_2, eps):
    return (*adam_steps(thetas, ss, rs, t, gs, alpha, beta_1, beta_2, eps)[:3], t)


def _steps_state_restarted(thetas, ss, rs, t, gs, alpha, beta_1, beta_2, eps):
    return adam_steps(thetas, None, None, 0, gs, alpha, beta_1, beta_2, eps)


def _steps_no_bias_correction(thetas, ss, rs, t, gs, alpha, beta_1, beta_2, eps):
    if ss is None or rs is None:
        ss = [np.zeros(np.shape(theta)) for theta in thetas]
        rs = [np.zeros(np.shape(theta)) for theta in thetas]
    out = [_adam_no_bias_correction(theta, s, r, t, g, alpha, beta_1, beta_2, eps)
           for theta, s, r, g in zip(thetas, ss, rs, gs)]
    return [o[0] for o in out], [o[1] for o in out], [o[2] for o in out], t + 1


_FORMS_HINT = ("Either of the lecture's two forms is accepted: bias-corrected moments, or the "
               "corrections folded into the step size alpha_t.")

# The notebook's comparison update without bias correction, given alpha_t as its step size, is the
# lecture's second form (and passed adam_step); _divide_by_root is the step alpha / sqrt(r + eps) s.
_OTHER_UPDATES = (adam_update_no_bias_correction, _divide_by_root)

EXERCISES = [
    Exercise(
        id="uncorrected_step_lengths",
        notebook=NOTEBOOK,
        points=2,
        reference=uncorrected_step_lengths,
        make_cases=_uncorrected_cases,
        outputs=("lengths", "t_max"),
        hints=(
            "With the same gradient at every step, each moving average is that gradient (or its "
            "square) times the total weight of its t terms, which the lecture computed: one minus "
            "beta to the power t.",
            "Without the correction the step is alpha times s over the square root of r: the "
            "gradient cancels, and what is left depends on beta_1, beta_2 and t only.",
            "t counts from 1 (the first step already has t equal to 1), and t_max is a step "
            "number, not an index into the array.",
        ),
        mistakes=UNCORRECTED_MISTAKES,
        forbidden=(uncorrected_adam_step_ratio, adam_update_no_bias_correction, adam_update),
    ),
    Exercise(
        id="adam_step",
        notebook=NOTEBOOK,
        points=3,
        transcription=True,   # the formula is shown right before it (issue 22)
        reference=adam_update,
        make_cases=_adam_cases,
        forbidden=_OTHER_UPDATES,
        judge=_adam_judge,
        outputs=("theta", "s", "r", "t"),
        hints=(
            "The step counter moves first: the bias corrections of this step use the NEW t, "
            "which is at least 1, so nothing is divided by zero.",
            "Both moments are moving averages like RMSProp's r; only the step divides them by "
            "their total weights, and the state you return is the UNcorrected s and r. "
            + _FORMS_HINT,
            "epsilon sits inside the square root, next to the (corrected) second moment. Return "
            "new arrays and the new t, in the order theta, s, r, t.",
        ),
        mistakes=(
            slip("no_bias_correction", _adam_no_bias_correction),
            Mistake("only the first moment bias-corrected", _adam_only_s_corrected,
                    nudge="Both moments start at zero: the second moment needs its own correction "
                          "too, with beta_2."),
            Mistake("only the second moment bias-corrected", _adam_only_r_corrected,
                    nudge="Both moments start at zero: the first moment needs its own correction "
                          "too, with beta_1 (its size sets the step's length early on)."),
            slip("eps_outside_root", _adam_eps_outside),
            slip("t_not_incremented", _adam_t_not_incremented),
            slip("t_off_by_one", _adam_old_t_in_correction),
            slip("old_state_in_step", _adam_old_moments_in_step, state="s and r"),
            Mistake("betas swapped in the bias correction", _adam_betas_swapped,
                    nudge="Each moment is corrected with its own beta: the first moment with "
                          "beta_1, the second with beta_2."),
            Mistake("the raw gradient in the step instead of the first moment", _adam_g_instead_of_s,
                    nudge="The step moves along the (corrected) first moment, the moving average of "
                          "gradients, not along the raw gradient."),
            Mistake("the Keras form: the second form with epsilon outside the root", _adam_keras,
                    nudge="Epsilon sits inside the square root, next to the second moment, in both "
                          "of the lecture's forms."),
            Mistake("the square root taken over both corrections in alpha_t", _adam_root_over_both,
                    nudge="In the second form only the second moment's correction is under the "
                          "square root; the first moment's correction divides without a root."),
            Mistake("the bias-corrected moments returned as the state (the state is s and r)",
                    _adam_corrected_state,
                    nudge="The corrections are only for the step: the state you return is the "
                          "UNcorrected s and r."),
        ),
    ),
    Exercise(
        id="adam_steps",
        notebook=NOTEBOOK,
        points=3,
        reference=adam_steps,
        make_cases=_steps_cases,
        judge=_adam_judge,
        outputs=("thetas", "ss", "rs", "t"),
        forbidden=(adam_update, *_OTHER_UPDATES),
        hints=(
            "The step count belongs to the optimizer, not to an array: one call is ONE step for "
            "every parameter array, so t moves once, and each array keeps its own two moments.",
            "At the first step there are no moments yet: create them, starting from zero with the "
            "shape of each parameter array. Then do Adam's step array by array with the same new t.",
            "Which output is wrong in the failing case? A wrong t, or arrays after the first that "
            "move too little, point at the counter; wrong ss or rs at the state you return. "
            + _FORMS_HINT,
        ),
        mistakes=(
            Mistake("t incremented once per array instead of once per step", _steps_t_per_array,
                    nudge="One call is one step of the whole optimizer: t grows by one, once, and "
                          "every array uses that same new t."),
            slip("t_not_incremented", _steps_t_not_incremented),
            Mistake("the moments restarted at zero on every call", _steps_state_restarted,
                    nudge="Only the first step starts the moments from zero (when they are "
                          "missing); later calls continue from the ones given."),
            slip("no_bias_correction", _steps_no_bias_correction),
        ),
    ),
]

# The one-array step's mistakes carried over to the step on a list of arrays (misconceptions.lifted),
# so a slip named in adam_step is named in adam_steps too.
_BY_ID = {ex.id: ex for ex in EXERCISES}
_BY_ID["adam_steps"].mistakes += lifted(_BY_ID["adam_step"].mistakes, "adam",
                                          step=_BY_ID["adam_step"].reference)
