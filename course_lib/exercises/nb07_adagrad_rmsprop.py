"""Exercises of 07_adagrad_rmsprop: the AdaGrad and RMSProp steps, and AdaGrad over a list of
parameter arrays.

The cases catch the classic mistakes: epsilon outside the square root (PyTorch's placement,
sqrt(r) + eps instead of the lecture's sqrt(r + eps)) by cases with a small r or a large eps;
updating theta with the OLD r (the first step, r = 0); a missing (1 - beta); and in-place
updates of r or theta (the inputs are arrays and must not change).

adagrad_steps is the step a real model needs: its parameters are a LIST of arrays of different
shapes (a weight matrix and a bias vector), each with its own accumulator r, and at the first
step there is no state yet (rs is None). The reference loops optimizers.adagrad_update.
"""

import numpy as np

from ..optimizers import _divide_by_root, adagrad_update, rmsprop_update
from .core import Case, Exercise, Mistake
from .misconceptions import lifted, slip

NOTEBOOK = "07_adagrad_rmsprop"


def _adagrad_cases(rng):
    cases = [
        Case("edge: first step (r = 0): each coordinate moves by about alpha",
             (np.array([1.0, 2.0]), np.zeros(2), np.array([0.5, -4.0]), 0.1, 1e-8)),
        Case("edge: a zero gradient in one coordinate",
             (np.array([1.0, 2.0]), np.array([1.0, 1.0]), np.array([0.0, 2.0]), 0.1, 1e-8)),
        Case("eps placement: tiny gradients, r = 0, eps = 1e-8 (sqrt(r + eps), not sqrt(r) + eps)",
             (np.array([1.0, -1.0]), np.zeros(2), np.array([1e-3, -2e-4]), 0.1, 1e-8)),
        Case("eps placement: a large eps = 0.25",
             (np.array([1.0, -1.0]), np.array([0.5, 2.0]), np.array([1.0, -1.0]), 0.1, 0.25)),
        Case("a (2, 3) matrix, r from earlier steps",
             (np.ones((2, 3)), np.full((2, 3), 4.0), np.arange(6.0).reshape(2, 3), 0.5, 1e-8)),
    ]
    for k in range(4):
        n = int(rng.integers(1, 6))
        cases.append(Case(f"random #{k + 1}", (rng.normal(size=n), rng.uniform(0.0, 3.0, size=n),
                                                rng.normal(size=n), float(rng.uniform(0.01, 1.0)),
                                                float(10 ** rng.uniform(-8, -1)))))
    return cases


def _rmsprop_cases(rng):
    cases = [
        Case("edge: first step (r = 0), beta = 0.9: r becomes 0.1 g^2",
             (np.array([1.0, 2.0]), np.zeros(2), np.array([0.5, -4.0]), 0.01, 0.9, 1e-8)),
        Case("edge: beta = 0: r = g^2",
             (np.array([1.0, 2.0]), np.array([9.0, 9.0]), np.array([0.5, -4.0]), 0.01, 0.0, 1e-8)),
        Case("small: r = [1, 4], g = [1, -1], beta = 0.9",
             (np.array([0.0, 0.0]), np.array([1.0, 4.0]), np.array([1.0, -1.0]), 0.1, 0.9, 1e-8)),
        Case("eps placement: tiny gradients, r = 0, eps = 1e-8 (sqrt(r + eps), not sqrt(r) + eps)",
             (np.array([1.0, -1.0]), np.zeros(2), np.array([1e-3, -2e-4]), 0.01, 0.9, 1e-8)),
        Case("eps placement: a large eps = 0.25",
             (np.array([1.0, -1.0]), np.array([0.5, 2.0]), np.array([1.0, -1.0]), 0.1, 0.9, 0.25)),
        Case("a (2, 3) matrix, r from earlier steps",
             (np.ones((2, 3)), np.full((2, 3), 4.0), np.arange(6.0).reshape(2, 3), 0.05, 0.99, 1e-8)),
    ]
    for k in range(4):
        n = int(rng.integers(1, 6))
        cases.append(Case(f"random #{k + 1}", (rng.normal(size=n), rng.uniform(0.0, 3.0, size=n),
                                                rng.normal(size=n), float(rng.uniform(0.001, 0.5)),
                                                float(rng.uniform(0.5, 0.999)),
                                                float(10 ** rng.uniform(-8, -1)))))
    return cases


def adagrad_steps(thetas, rs, gs, alpha, eps):
    """One AdaGrad step on every parameter array of a model.

        for each array j:  r_j <- r_j + g_j^2;   theta_j <- theta_j - alpha / sqrt(r_j + eps) * g_j

    thetas, gs: lists of arrays, gs[j] of the shape of thetas[j]; rs: the list of accumulators
    of the previous step, or None at the first step (then every r_j starts at zeros of the shape
    of theta_j). Returns (thetas, rs): two new lists of new arrays; the inputs do not change.
    """
    if rs is None:
        rs = [np.zeros(np.shape(theta)) for theta in thetas]
    steps = [adagrad_update(theta, r, g, alpha, eps) for theta, r, g in zip(thetas, rs, gs, strict=True)]
    return [theta for theta, _ in steps], [r for _, r in steps]


def _model(rng, shapes):
    return [rng.normal(size=shape) for shape in shapes]


def _steps_cases(rng):
    W, b = np.array([[1.0, -1.0, 0.5], [0.0, 2.0, -2.0]]), np.array([0.5, -0.5])
    gW, gb = np.array([[0.1, 0.0, -3.0], [1.0, 1.0, 1.0]]), np.array([2.0, -0.01])
    cases = [
        Case("edge: the first step (rs is None) of a layer: W (2, 3) and b (2,)",
             ([W, b], None, [gW, gb], 0.1, 1e-8)),
        Case("edge: one parameter array, rs from earlier steps",
             ([np.array([1.0, 2.0])], [np.array([4.0, 0.25])], [np.array([1.0, -1.0])], 0.5, 1e-8)),
        Case("two arrays with their own history; a zero gradient in b",
             ([W, b], [np.full((2, 3), 9.0), np.array([0.0, 1.0])], [gW, np.zeros(2)], 0.1, 1e-8)),
        Case("three arrays of different shapes, first step, a large eps",
             ([W, b, np.array([3.0])], None, [gW, gb, np.array([-1.0])], 0.2, 0.25)),
    ]
    for k in range(4):
        shapes = [tuple(int(n) for n in rng.integers(1, 4, size=int(rng.integers(1, 3))))
                  for _ in range(int(rng.integers(1, 4)))]
        rs = None if k % 2 == 0 else [rng.uniform(0.0, 3.0, size=shape) for shape in shapes]
        cases.append(Case(f"random #{k + 1}" + (" (first step)" if rs is None else ""),
                          (_model(rng, shapes), rs, _model(rng, shapes), float(rng.uniform(0.01, 1.0)),
                           float(10 ** rng.uniform(-8, -1)))))
    return cases


# ----------------------------------------------------------------------------------------------
# Common wrong answers, as the check names them
# ----------------------------------------------------------------------------------------------

def _adagrad_eps_outside(theta, r, g, alpha, eps):
    r = r + g * g
    return theta - alpha * g / (np.sqrt(r) + eps), r


def _adagrad_old_r(theta, r, g, alpha, eps):
    return theta - alpha / np.sqrt(r + eps) * g, r + g * g


def _adagrad_no_root(theta, r, g, alpha, eps):
    r = r + g * g
    return theta - alpha / (r + eps) * g, r


def _adagrad_abs_g(theta, r, g, alpha, eps):
    r = r + np.abs(g)
    return theta - alpha / np.sqrt(r + eps) * g, r


def _adagrad_returns_old_r(theta, r, g, alpha, eps):
    return theta - alpha / np.sqrt(r + g * g + eps) * g, r


def _rmsprop_eps_outside(theta, r, g, alpha, beta, eps):
    r = beta * r + (1 - beta) * g * g
    return theta - alpha * g / (np.sqrt(r) + eps), r


def _adagrad_overwritten(theta, r, g, alpha, eps):
    r = g * g
    return theta - alpha / np.sqrt(r + eps) * g, r


def _rmsprop_overwritten(theta, r, g, alpha, beta, eps):
    r = (1 - beta) * g * g
    return theta - alpha / np.sqrt(r + eps) * g, r


def _rmsprop_abs_g(theta, r, g, alpha, beta, eps):
    r = beta * r + (1 - beta) * np.abs(g)
    return theta - alpha / np.sqrt(r + eps) * g, r


def _rmsprop_no_one_minus_beta(theta, r, g, alpha, beta, eps):
    r = beta * r + g * g
    return theta - alpha / np.sqrt(r + eps) * g, r


def _rmsprop_betas_swapped(theta, r, g, alpha, beta, eps):
    r = (1 - beta) * r + beta * g * g
    return theta - alpha / np.sqrt(r + eps) * g, r


def _rmsprop_bias_corrected(theta, r, g, alpha, beta, eps):
    r = beta * r + (1 - beta) * g * g
    return theta - alpha / np.sqrt(r / (1 - beta) + eps) * g, r


def _rmsprop_old_r(theta, r, g, alpha, beta, eps):
    return theta - alpha / np.sqrt(r + eps) * g, beta * r + (1 - beta) * g * g


def _rmsprop_adagrad_sum(theta, r, g, alpha, beta, eps):
    r = r + g * g
    return theta - alpha / np.sqrt(r + eps) * g, r


def _steps_state_restarted(thetas, rs, gs, alpha, eps):
    return adagrad_steps(thetas, None, gs, alpha, eps)


def _steps_state_not_returned(thetas, rs, gs, alpha, eps):
    new_thetas, new_rs = adagrad_steps(thetas, rs, gs, alpha, eps)
    return new_thetas, (rs if rs is not None else [np.zeros(np.shape(theta)) for theta in thetas])


def _steps_one_accumulator(thetas, rs, gs, alpha, eps):
    # one number for the whole model: the sum of every squared gradient, shared by all arrays
    total = sum(float(np.sum(g * g)) for g in gs)
    if rs is not None:
        total += float(rs[0].flat[0])
    new_rs = [np.full(np.shape(theta), total) for theta in thetas]
    return [theta - alpha / np.sqrt(total + eps) * g for theta, g in zip(thetas, gs)], new_rs


def _steps_first_array_only(thetas, rs, gs, alpha, eps):
    new_thetas, new_rs = adagrad_steps(thetas, rs, gs, alpha, eps)
    return [new_thetas[0], *thetas[1:]], [new_rs[0], *(rs or [np.zeros(np.shape(t)) for t in thetas])[1:]]


# optimizers' private helper for the step alpha / sqrt(r + eps) * g (with the 0/0 case at eps = 0
# handled): it is the part of both updates the exercises are about, so calling it scores 0.
_STEP_HELPERS = (_divide_by_root,)

_EPS_HINT = "epsilon belongs INSIDE the square root, together with r (the lecture's form, not PyTorch's)."

EXERCISES = [
    Exercise(
        id="adagrad_step",
        transcription=True,   # the formula is shown right before it (issue 22)
        notebook=NOTEBOOK,
        points=2,
        reference=adagrad_update,
        make_cases=_adagrad_cases,
        forbidden=_STEP_HELPERS,
        outputs=("theta", "r"),
        hints=(
            "r collects the squared gradients of each coordinate, and theta's step uses the "
            "UPDATED r, so even the first step divides by something that is not zero.",
            "Look at the first-step case: each coordinate should move by about alpha, whatever the "
            "size of its gradient. " + _EPS_HINT,
            "Return new arrays in the order theta then r; adding into the caller's r in place is "
            "caught.",
        ),
        mistakes=(
            slip("eps_outside_root", _adagrad_eps_outside),
            slip("old_state_in_step", _adagrad_old_r, state="r"),
            slip("state_overwritten", _adagrad_overwritten, state="r"),
            Mistake("no square root over r + eps", _adagrad_no_root,
                    nudge="The step divides by the square ROOT of r plus epsilon, so that the step "
                          "has the scale of alpha."),
            slip("abs_not_square", _adagrad_abs_g),
            slip("state_not_updated", _adagrad_returns_old_r, state="r"),
        ),
    ),
    Exercise(
        id="rmsprop_step",
        notebook=NOTEBOOK,
        points=2,
        reference=rmsprop_update,
        make_cases=_rmsprop_cases,
        forbidden=_STEP_HELPERS,
        outputs=("theta", "r"),
        hints=(
            "r is a moving average of the squared gradients: the old r keeps the weight beta, "
            "the new squared gradient gets the rest, and theta's step uses the UPDATED r.",
            "Check the first-step case: there r must be a tenth of the squared gradient when "
            "beta is 0.9. " + _EPS_HINT,
            "No bias correction in RMSProp (that is Adam's); return new arrays, theta then r.",
        ),
        mistakes=(
            slip("eps_outside_root", _rmsprop_eps_outside),
            slip("state_overwritten", _rmsprop_overwritten, state="r"),
            Mistake("the new squared gradient added without the factor one minus beta",
                    _rmsprop_no_one_minus_beta,
                    nudge="A moving average weighs the old r by beta and the new squared gradient "
                          "by one minus beta."),
            Mistake("betas swapped (the new gradient weighted by beta)", _rmsprop_betas_swapped,
                    nudge="The OLD r keeps the large weight beta; the new squared gradient gets "
                          "only one minus beta."),
            Mistake("a bias correction RMSProp does not have", _rmsprop_bias_corrected,
                    nudge="RMSProp has no bias correction: the step divides by the root of r itself "
                          "(that correction is Adam's)."),
            slip("old_state_in_step", _rmsprop_old_r, state="r"),
            slip("abs_not_square", _rmsprop_abs_g),
            Mistake("the running sum of AdaGrad instead of a moving average", _rmsprop_adagrad_sum,
                    nudge="RMSProp forgets: the old r is multiplied by beta before the new squared "
                          "gradient is added, unlike AdaGrad's growing sum."),
        ),
    ),
    Exercise(
        id="adagrad_steps",
        notebook=NOTEBOOK,
        points=3,
        reference=adagrad_steps,
        make_cases=_steps_cases,
        outputs=("thetas", "rs"),
        forbidden=(adagrad_update, *_STEP_HELPERS),
        hints=(
            "Every parameter array has its own accumulator, of its own shape; at the first step "
            "there is none yet, so you create them, starting from zero.",
            "Do the AdaGrad step array by array, pairing each theta with its own r and g, and "
            "collect the results in two new lists (theta's first, then the accumulators).",
            "Which output is wrong in the failing case? If only rs is wrong, look at what you "
            "return as the state; if a later array is wrong, check that your loop reaches it.",
        ),
        mistakes=(
            Mistake("the accumulators restarted at zero on every call", _steps_state_restarted,
                    nudge="Only the FIRST step starts from zero (when the accumulators are "
                          "missing); later calls continue from the ones they are given."),
            Mistake("the old accumulators returned (the state is never updated)",
                    _steps_state_not_returned,
                    nudge="Return the updated accumulators: the next step must start from them."),
            Mistake("one accumulator for the whole model instead of one per coordinate",
                    _steps_one_accumulator,
                    nudge="AdaGrad adapts per coordinate: every entry of every parameter array has "
                          "its own accumulator."),
            Mistake("only the first parameter array updated", _steps_first_array_only,
                    nudge="Every parameter array of the list takes its step; check that your loop "
                          "reaches each of them."),
        ),
    ),
]

# The one-array step's mistakes carried over to the step on a list of arrays (misconceptions.lifted),
# so a slip named in adagrad_step is named in adagrad_steps too.
_BY_ID = {ex.id: ex for ex in EXERCISES}
_BY_ID["adagrad_steps"].mistakes += lifted(_BY_ID["adagrad_step"].mistakes, "adagrad",
                                          step=_BY_ID["adagrad_step"].reference)
