"""Exercises of 04_gradient_descent: a whole gradient-descent run on a quadratic (with its
divergence report), a minibatch gradient (derived by the student), the Robbins-Monro conditions
(derived: the notebook does not state for which p they hold), and the mean squared error of SGD on
a noisy convex problem (the student derives its recursion; the notebook then finds its noise floor
and the best decay exponent with it)."""

import numpy as np

from ..generalization import gradient_descent_closed_form, minibatch_gradient, weight_decay_gradient_descent
from ..landscapes import trajectory
from ..nn import MLP, gaussian_nll_backward, linear_backward, mse_backward
from ..optimizers import SGD, sgd_update
from ..quadratics import BOUND, gradient_descent, quadratic_loss
from ..schedules import expected_squared_error, robbins_monro_conditions, sgd_noisy_run
from .core import Case, Exercise, Mistake
from .misconceptions import slip

NOTEBOOK = "04_gradient_descent"


def sgd_mean_squared_error(alphas, a, sigma, theta_0):
    """E[(theta_t - theta*)^2], t = 0..T, of SGD on J(theta) = (a/2)(theta - theta*)^2 whose
    gradients carry independent noise, g_t = a (theta_{t-1} - theta*) + sigma eps_t, eps_t ~ N(0, 1):

        theta_t - theta* = (1 - alpha_t a)(theta_{t-1} - theta*) - alpha_t sigma eps_t
        m_t = (1 - alpha_t a)^2 m_{t-1} + alpha_t^2 sigma^2,     m_0 = theta_0^2   (theta* = 0)

    (the cross term vanishes: eps_t has mean 0 and is independent of theta_{t-1}).
    alphas (T,) the rates alpha_1..alpha_T; a >= 0, sigma >= 0, theta_0 numbers -> m (T + 1,).
    The numerics live in schedules.expected_squared_error.
    """
    return expected_squared_error(np.asarray(alphas, dtype=np.float64), a=float(a), sigma=float(sigma),
                                  theta_0=float(theta_0))


# ---------------------------------------------------------------------------------------------
# cases


def _spd(rng, D, low=0.2, high=3.0):
    """A random symmetric positive definite matrix with eigenvalues in [low, high]."""
    Q, _ = np.linalg.qr(rng.normal(size=(D, D)))
    return Q @ np.diag(rng.uniform(low, high, D)) @ Q.T


def _gd_cases(rng):
    one = np.array([[2.0]])          # f(x) = x^2 = (1/2) 2 x^2, f'' = 2
    valley = np.diag([0.1, 2.0])     # J = 0.05 x^2 + y^2
    cases = [
        Case("edge: f(x) = x^2, alpha = 1/2 reaches the minimum in one step",
             (one, np.zeros(1), np.array([-4.0]), 0.5, 3)),
        Case("edge: n_steps = 0 (only the start)", (valley, np.zeros(2), np.array([1.0, 1.0]), 0.1, 0)),
        Case("edge: f(x) = x^2, alpha = 1.1 diverges (|x| passes 1e6 at some step)",
             (one, np.zeros(1), np.array([-4.0]), 1.1, 100)),
        Case("edge: alpha = 1 on f(x) = x^2 bounces between -4 and 4 forever (not a divergence)",
             (one, np.zeros(1), np.array([-4.0]), 1.0, 6)),
        Case("edge: diverges at step 1 (a huge alpha)", (valley, np.zeros(2), np.array([2.0, 1.0]), 1e7, 5)),
        Case("the valley 0.05 x^2 + y^2 with alpha = 0.9: zigzags across, crawls along",
             (valley, np.zeros(2), np.array([-4.0, 1.5]), 0.9, 25)),
        Case("b != 0: the minimum is at A^-1 b, not at 0",
             (np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([1.0, -1.0]), np.zeros(2), 0.3, 15)),
    ]
    for k in range(5):
        D = int(rng.integers(1, 5))
        A = _spd(rng, D)
        largest = np.linalg.eigvalsh(A).max()
        alpha = float(rng.uniform(0.1, 2.4) / largest)     # about one run in six diverges
        cases.append(Case(f"random #{k + 1}: D = {D}, alpha lambda_max = {alpha * largest:.2f}",
                          (A, rng.normal(size=D), 3 * rng.normal(size=D), alpha, int(rng.integers(5, 60)))))
    cases.append(Case("random: a divergent run in 3-D", (_spd(rng, 3, 1.0, 2.0), rng.normal(size=3),
                                                         rng.normal(size=3), 1.5, 200)))
    return cases


def _minibatch_cases(rng):
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, -1.0]])
    y = np.array([1.0, 2.0, 0.0, 1.0])
    w = np.array([0.5, -0.5])
    cases = [
        Case("edge: one example (online SGD)", (w, 0.3, X, y, np.array([2]))),
        Case("edge: the whole training set (batch gradient descent)", (w, 0.5, X, y, np.arange(4))),
        Case("small: three examples, nonzero bias", (w, 1.0, X, y, np.array([0, 3, 1]))),
        Case("small: an example drawn twice", (w, -1.0, X, y, np.array([1, 1, 3]))),
    ]
    for k in range(4):
        N, D = int(rng.integers(5, 40)), int(rng.integers(1, 5))
        m = int(rng.integers(1, N))
        Xr = rng.normal(size=(N, D))
        yr = Xr @ rng.normal(size=D) + 0.3 * rng.normal(size=N)
        cases.append(Case(f"random #{k + 1}: N={N}, D={D}, m={m}",
                          (rng.normal(size=D), float(rng.normal()), Xr, yr,
                           rng.integers(0, N, size=m))))
    return cases


def _robbins_monro_cases(rng):
    cases = [
        Case("edge: constant alpha_t = 0.1 (p = 0)", (0.1, 0.0)),
        Case("edge: p = 1, the lecture's alpha_0 / t", (0.5, 1.0)),
        Case("edge: p = 1/2, alpha_0 / sqrt(t) (sum of squares is the harmonic series)", (1.0, 0.5)),
        Case("edge: p = 2 (decays too fast)", (1.0, 2.0)),
        Case("edge: alpha_0 = 0 (never moves)", (0.0, 1.0)),
        Case("edge: alpha_0 = 0 with p = 1/2 (every alpha_t^2 is 0: that sum is finite)", (0.0, 0.5)),
        Case("edge: alpha_0 = 0 with p = 0 (a constant 0)", (0.0, 0.0)),
        Case("small: p = 0.75", (0.3, 0.75)),
        Case("small: p = 1.01", (0.3, 1.01)),
        Case("small: p = 0.4", (2.0, 0.4)),
        Case("small: p = -1 (a growing learning rate)", (0.01, -1.0)),
    ]
    for k in range(4):
        cases.append(Case(f"random #{k + 1}", (float(rng.uniform(0.01, 2.0)),
                                               float(np.round(rng.uniform(-0.5, 2.5), 2)))))
    return cases


def _mse_recursion_cases(rng):
    cases = [
        Case("edge: no steps (T = 0): only m_0", (np.zeros(0), 1.0, 1.0, 5.0)),
        Case("edge: alpha = 0 never moves", (np.zeros(3), 1.0, 1.0, 2.0)),
        Case("edge: no noise (sigma = 0): m shrinks by (1 - alpha a)^2 per step",
             (np.full(4, 0.25), 1.0, 0.0, 2.0)),
        Case("edge: alpha a = 1 jumps to the minimum, then only the noise is left",
             (np.full(3, 0.5), 2.0, 1.0, 3.0)),
        Case("small: the notebook's constant alpha = 0.8, a = 1, sigma = 1",
             (np.full(5, 0.8), 1.0, 1.0, 5.0)),
        Case("small: a = 3, sigma = 2 (curvature and noise enter differently)",
             (np.array([0.1, 0.2, 0.05]), 3.0, 2.0, 1.5)),
        Case("small: alpha a > 2 grows (1 - alpha a is below -1)", (np.full(3, 1.5), 2.0, 0.5, 1.0)),
    ]
    for k in range(4):
        T = int(rng.integers(2, 40))
        p = float(rng.uniform(0.0, 1.5))
        alphas = float(rng.uniform(0.05, 0.9)) / np.arange(1, T + 1) ** p
        cases.append(Case(f"random #{k + 1}: T = {T}, alpha_0 / t^{p:.2f}",
                          (alphas, float(rng.uniform(0.3, 2.0)), float(rng.uniform(0.1, 2.0)),
                           float(rng.normal(scale=3.0)))))
    return cases


# ---------------------------------------------------------------------------------------------
# known wrong answers


def _run(A, b, theta0, alpha, n_steps, gradient=None, keep_diverged=False, offset=0, stop=True,
         loss=quadratic_loss):
    """A configurable gradient-descent run, to build the mistakes below."""
    A, b = np.asarray(A, dtype=np.float64), np.asarray(b, dtype=np.float64)
    gradient = gradient or (lambda theta: A @ theta - b)
    theta = np.asarray(theta0, dtype=np.float64)
    thetas, losses = [theta], [loss(A, b, theta)]
    with np.errstate(all="ignore"):
        for k in range(1, int(n_steps) + 1):
            theta = theta - alpha * gradient(theta)
            bad = not np.all(np.isfinite(theta)) or np.max(np.abs(theta)) > BOUND
            if bad and stop:
                if keep_diverged:
                    thetas.append(theta)
                    losses.append(loss(A, b, theta))
                return np.array(thetas), np.array(losses), f"diverged at step {k + offset}"
            thetas.append(theta)
            losses.append(loss(A, b, theta))
    return np.array(thetas), np.array(losses), ""


def _uphill(A, b, theta0, alpha, n_steps):
    A, b = np.asarray(A, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return _run(A, b, theta0, alpha, n_steps, gradient=lambda theta: -(A @ theta - b))


def _twice_gradient(A, b, theta0, alpha, n_steps):
    A, b = np.asarray(A, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return _run(A, b, theta0, alpha, n_steps, gradient=lambda theta: 2 * A @ theta - b)


def _plus_b(A, b, theta0, alpha, n_steps):
    A, b = np.asarray(A, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return _run(A, b, theta0, alpha, n_steps, gradient=lambda theta: A @ theta + b)


def _no_start(A, b, theta0, alpha, n_steps):
    thetas, losses, message = _run(A, b, theta0, alpha, n_steps)
    return thetas[1:], losses[1:], message


def _no_half_in_loss(A, b, theta0, alpha, n_steps):
    return _run(A, b, theta0, alpha, n_steps, loss=lambda A, b, t: float(t @ A @ t - b @ t))


GD_MISTAKES = (
    Mistake("a step along the gradient (uphill)", _uphill,
            nudge="Each step moves theta AGAINST the gradient: downhill."),
    Mistake("the gradient 2 A theta - b (the 1/2 of J cancels the 2 of the derivative)", _twice_gradient,
            nudge="Differentiate J yourself: the one half in front of the quadratic term "
                  "cancels the two of its derivative."),
    Mistake("the wrong sign of b in the gradient", _plus_b,
            nudge="The linear term of J is minus b times theta, so b enters the gradient "
                  "with a minus sign."),
    Mistake("a trajectory without the starting point theta_0", _no_start,
            nudge="The recorded iterates start with theta_0 itself, before the first step."),
    Mistake("a loss without the 1/2 of J", _no_half_in_loss,
            nudge="J has a one half in front of its quadratic term: keep it when you "
                  "evaluate the loss."),
    Mistake("keeping the diverged iterate in the trajectory",
            lambda A, b, theta0, alpha, n_steps: _run(A, b, theta0, alpha, n_steps, keep_diverged=True),
            nudge="Test for divergence right after each step, before storing: the diverged "
                  "iterate is dropped."),
    Mistake("counting the steps from 0 in the divergence message",
            lambda A, b, theta0, alpha, n_steps: _run(A, b, theta0, alpha, n_steps, offset=-1),
            nudge="Steps count from 1: the first step taken is step 1 in the message."),
    Mistake("a run that never stops when it diverges",
            lambda A, b, theta0, alpha, n_steps: _run(A, b, theta0, alpha, n_steps, stop=False),
            nudge="Stop at the first iterate that is not finite or has a coordinate beyond "
                  "the bound."),
)


def _scaled(factor):
    def wrong(w, b, X, y, batch):
        dw, db = minibatch_gradient(w, b, X, y, batch)
        return dw * factor(batch, y), db * factor(batch, y)
    return wrong


MINIBATCH_MISTAKES = (
    slip("half_squared_error", _scaled(lambda batch, y: 0.5)),
    Mistake("the gradient of the whole training set instead of the batch",
            lambda w, b, X, y, batch: minibatch_gradient(w, b, X, y, np.arange(len(y))),
            nudge="Only the examples in the batch count: select their rows first."),
    slip("batch_mean_missing", _scaled(lambda batch, y: len(batch))),
    Mistake("dividing by the training-set size N instead of the batch size m",
            _scaled(lambda batch, y: len(batch) / len(y)),
            nudge="The estimate is an average over the batch: divide by the batch size, not "
                  "by the size of the training set."),
    Mistake("dropping repeated indices of the batch",
            lambda w, b, X, y, batch: minibatch_gradient(w, b, X, y, np.unique(batch)),
            nudge="An index may repeat in a batch (examples are drawn independently): each "
                  "occurrence counts."),
    Mistake("ignoring the bias b in the residual",
            lambda w, b, X, y, batch: minibatch_gradient(w, 0.0, X, y, batch),
            nudge="The residual of each example includes the bias b: prediction plus b "
                  "minus target."),
)


ROBBINS_MONRO_MISTAKES = (
    Mistake("requiring p < 1 for the sum to diverge (p = 1, the harmonic series, diverges too)",
            lambda a, p: (a > 0, a > 0 and p < 1, a == 0 or p > 0.5),
            nudge="The harmonic series, one over t summed, diverges: the sum of the rates is infinite for "
                  "every exponent up to AND including one."),
    Mistake("taking p = 1/2 as fine for the squares (their sum is the harmonic series)",
            lambda a, p: (a > 0, a > 0 and p <= 1, a == 0 or p >= 0.5),
            nudge="At exponent one half the squares are one over t: the harmonic series, which diverges. "
                  "The sum of squares is finite only for exponents strictly above one half."),
    Mistake("using the p > 1 test of the plain sum for the sum of squares",
            lambda a, p: (a > 0, a > 0 and p <= 1, a == 0 or p > 1)),
    Mistake("ignoring alpha_0 = 0 (all three then depend on alpha_0)",
            lambda a, p: (True, p <= 1, p > 0.5),
            nudge="With a zero initial rate every rate is zero: the rates are not positive, their sum is "
                  "finite, and so is the sum of their squares, whatever the exponent."),
    Mistake("ignoring alpha_0 = 0 in the sum of squares only",
            lambda a, p: (a > 0, a > 0 and p <= 1, p > 0.5),
            nudge="With a zero initial rate every square is zero too, so the sum of squares is finite "
                  "whatever the exponent."),
)


def _recursion(factor, noise, start=True):
    """A configurable (wrong) recursion m_t = factor(alpha, a) m_{t-1} + noise(alpha, sigma)."""
    def wrong(alphas, a, sigma, theta_0):
        m = [float(theta_0) ** 2]
        for alpha in np.asarray(alphas, dtype=np.float64).tolist():
            m.append(factor(alpha, a) * m[-1] + noise(alpha, sigma))
        return np.array(m if start else m[1:])
    return wrong


MSE_RECURSION_MISTAKES = (
    Mistake("the contraction (1 - alpha a) not squared",
            _recursion(lambda al, a: 1 - al * a, lambda al, s: al * al * s * s)),
    Mistake("the noise term with alpha instead of alpha^2",
            _recursion(lambda al, a: (1 - al * a) ** 2, lambda al, s: al * s * s)),
    Mistake("sigma instead of sigma^2 in the noise term",
            _recursion(lambda al, a: (1 - al * a) ** 2, lambda al, s: al * al * s)),
    Mistake("the curvature a left out of the contraction",
            _recursion(lambda al, a: (1 - al) ** 2, lambda al, s: al * al * s * s)),
    Mistake("the noise term left out (the deterministic run's squared error)",
            _recursion(lambda al, a: (1 - al * a) ** 2, lambda al, s: 0.0)),
    Mistake("m_1 .. m_T without the start m_0",
            _recursion(lambda al, a: (1 - al * a) ** 2, lambda al, s: al * al * s * s, start=False)),
)


EXERCISES = [
    Exercise(
        id="gradient_descent",
        notebook=NOTEBOOK,
        points=3,
        reference=gradient_descent,
        make_cases=_gd_cases,
        outputs=("thetas", "losses", "message"),
        hints=(
            "Each step moves theta against the gradient of J at the CURRENT theta; the run records "
            "every iterate it keeps, starting with theta_0, and the loss of each.",
            "Differentiate J yourself: the 1/2 in front of the quadratic term cancels the 2 of the "
            "derivative, and the linear term contributes minus b.",
            "Test for divergence right after each step, before storing: a non-finite theta or a "
            "coordinate beyond 1e6 ends the run, that iterate is dropped, and k in the message is "
            "the number of the step that went too far (the first step is step 1).",
        ),
        mistakes=GD_MISTAKES,
        forbidden=(sgd_update, SGD.step, trajectory, weight_decay_gradient_descent,
                   gradient_descent_closed_form),
    ),
    Exercise(
        id="minibatch_gradient",
        notebook=NOTEBOOK,
        points=2,
        reference=minibatch_gradient,
        make_cases=_minibatch_cases,
        outputs=("dw", "db"),
        hints=(
            "Only the examples in the batch count, each as often as its index appears, and the "
            "estimate is an average over the batch.",
            "Both outputs share the same residual of each batch example; the MSE has no 1/2, so "
            "the factor in front is 2 over the batch size m (not over N).",
            "For dw, each residual multiplies the input row it came from, summed over the batch; "
            "for db, the residuals alone.",
        ),
        mistakes=MINIBATCH_MISTAKES,
        # notebook 05's backward functions: mse_backward's output fed to linear_backward (with w
        # as a one-column W) is this gradient, and mse_backward alone does the 2 / m part
        forbidden=(mse_backward, linear_backward, gaussian_nll_backward, MLP.loss_and_grads),
    ),
    Exercise(
        id="robbins_monro_conditions",
        notebook=NOTEBOOK,
        points=1,
        reference=robbins_monro_conditions,
        make_cases=_robbins_monro_cases,
        outputs=("alpha_t > 0", "sum alpha_t = inf", "sum alpha_t^2 < inf"),
        hints=(
            "Compare each series with the p-series: the sum of 1 over t to the power q is finite "
            "exactly when q is larger than 1.",
            "The squares form a p-series with twice the exponent; p equal to 1 and p equal to 1/2 "
            "are the borderline cases, so decide on which side each one falls.",
            "When alpha_0 is zero every alpha_t is zero: the first two conditions fail and the sum "
            "of squares is finite, whatever p is.",
        ),
        mistakes=ROBBINS_MONRO_MISTAKES,
    ),    Exercise(
        id="sgd_mean_squared_error",
        notebook=NOTEBOOK,
        points=2,
        reference=sgd_mean_squared_error,
        make_cases=_mse_recursion_cases,
        rtol=1e-9,
        atol=1e-12,
        outputs=("m",),
        hints=(
            "Square the update of the distance to the minimum and take the expectation: the "
            "noise of step t is independent of where the previous step left theta and has mean "
            "zero, so the cross term vanishes.",
            "Two terms survive: the previous mean squared error times the square of the "
            "contraction factor one minus alpha_t a, plus the variance the noise injects, "
            "alpha_t squared times sigma squared.",
            "The output starts with m_0, the squared distance of the start (the minimum is at "
            "zero), so it has one entry more than the list of learning rates.",
        ),
        mistakes=MSE_RECURSION_MISTAKES,
        forbidden=(expected_squared_error, sgd_noisy_run),
    ),
]
