"""Exercises of 06_sgd_momentum_nesterov: the momentum and Nesterov steps, and momentum's rate.

The step functions take the parameters theta, the velocity v and the gradient g as numpy arrays
and return NEW arrays (the inputs must not change). The cases use arrays of a few shapes,
alpha != 1 and beta != 0, and a non-zero velocity v, so that a sign error in v, a missing alpha
or beta, or an in-place update is caught. (Plain SGD is run in 04's gradient_descent exercise.)

momentum_rate asks for a derivation: one momentum step on an eigen-direction of a quadratic is a
2 x 2 linear map of (x, v), and the rate is its spectral radius (course_lib.quadratics).
nesterov_rate asks for the same derivation for Nesterov, whose gradient is taken at the
look-ahead point x + beta v: the student then finds with it that Nesterov's stability bound is
alpha lam < 2 (1 + beta) / (1 + 2 beta) (alpha < 0.68 at beta = 0.9, lam = 2, against momentum's 1.9).
"""

import numpy as np

from .. import quadratics
from ..optimizers import momentum_update, nesterov_update, nesterov_update_lookahead
from .core import Case, Exercise, Mistake
from .misconceptions import slip

NOTEBOOK = "06_sgd_momentum_nesterov"


def _arrays(rng, shape, k):
    return tuple(rng.normal(size=shape) for _ in range(k))


def _random_velocity_cases(rng, n=4):
    """Random (theta, v, g, alpha, beta) cases for the momentum and Nesterov steps."""
    cases = []
    for k in range(n):
        theta, v, g = _arrays(rng, (int(rng.integers(1, 6)),), 3)
        cases.append(Case(f"random #{k + 1}", (theta, v, g, float(rng.uniform(0.01, 0.5)),
                                                float(rng.uniform(0.5, 0.99)))))
    return cases


def _momentum_cases(rng):
    cases = [
        Case("edge: first step (v = 0)",
             (np.array([1.0, 2.0]), np.zeros(2), np.array([0.5, -1.0]), 0.1, 0.9)),
        Case("edge: beta = 0 is plain SGD",
             (np.array([1.0, 2.0]), np.array([3.0, -3.0]), np.array([0.5, -1.0]), 0.1, 0.0)),
        Case("edge: zero gradient: v decays by beta, theta keeps moving",
             (np.array([0.0, 0.0]), np.array([1.0, -2.0]), np.zeros(2), 0.1, 0.5)),
        Case("small: v = [1, -1], g = [2, 4], alpha = 0.1, beta = 0.9",
             (np.array([1.0, 2.0]), np.array([1.0, -1.0]), np.array([2.0, 4.0]), 0.1, 0.9)),
        Case("a (2, 3) matrix of parameters",
             (np.ones((2, 3)), np.full((2, 3), 0.5), np.arange(6.0).reshape(2, 3), 0.05, 0.8)),
    ]
    return cases + _random_velocity_cases(rng)


def _nesterov_cases(rng):
    cases = [
        Case("edge: first step (v = 0): like momentum's first step",
             (np.array([1.0, 2.0]), np.zeros(2), np.array([0.5, -1.0]), 0.1, 0.9)),
        Case("edge: zero gradient: theta moves by beta v",
             (np.array([0.0, 0.0]), np.array([1.0, -2.0]), np.zeros(2), 0.1, 0.5)),
        Case("small: v = [1, -1], g = [2, 4], alpha = 0.1, beta = 0.9",
             (np.array([1.0, 2.0]), np.array([1.0, -1.0]), np.array([2.0, 4.0]), 0.1, 0.9)),
        Case("a (2, 3) matrix of parameters",
             (np.ones((2, 3)), np.full((2, 3), 0.5), np.arange(6.0).reshape(2, 3), 0.05, 0.8)),
    ]
    return cases + _random_velocity_cases(rng)


def _random_rate_cases(rng):
    """Six random (alpha, beta, lam): alpha log-uniform in [0.01, 3.2], beta in [0, 0.99), lam in
    [0.05, 3] (the random cases of both rate exercises)."""
    return [Case(f"random #{k + 1}", (float(10 ** rng.uniform(-2, 0.5)), float(rng.uniform(0.0, 0.99)),
                                      float(rng.uniform(0.05, 3.0)))) for k in range(6)]


def _rate_cases(rng):
    cases = [
        Case("edge: beta = 0 is gradient descent, alpha lam = 0.5", (0.25, 0.0, 2.0)),
        Case("edge: beta = 0 and alpha lam = 1.5 (gradient descent zigzags)", (0.75, 0.0, 2.0)),
        Case("complex roots: the valley's flat direction, alpha = 0.1, beta = 0.9", (0.1, 0.9, 0.1)),
        Case("real roots, both positive: alpha = 0.1, beta = 0.1, lam = 2", (0.1, 0.1, 2.0)),
        Case("real roots, one negative: alpha = 1.2, beta = 0.3, lam = 2", (1.2, 0.3, 2.0)),
        Case("diverges: alpha lam = 4 > 2 (1 + beta) with beta = 0.5", (2.0, 0.5, 2.0)),
        Case("critical damping: beta = (1 - sqrt(alpha lam))^2 = 0.81", (0.1, 0.81, 0.1)),
        Case("lam = 0: a flat direction never moves (rate 1)", (0.5, 0.5, 0.0)),
    ]
    return cases + _random_rate_cases(rng)


def _nesterov_rate_cases(rng):
    cases = [
        Case("edge: beta = 0 is gradient descent, alpha lam = 0.5", (0.25, 0.0, 2.0)),
        Case("edge: beta = 0 and alpha lam = 1.5 (gradient descent zigzags)", (0.75, 0.0, 2.0)),
        Case("the valley's flat direction, alpha = 0.1, beta = 0.9", (0.1, 0.9, 0.1)),
        Case("the valley's steep direction at alpha = 0.6, beta = 0.9: still converges", (0.6, 0.9, 2.0)),
        Case("alpha = 0.7, beta = 0.9, lam = 2: diverges, where momentum still converges", (0.7, 0.9, 2.0)),
        Case("alpha lam = 1: the look-ahead gradient cancels everything (rate 0)", (0.5, 0.9, 2.0)),
        Case("real roots: alpha = 0.1, beta = 0.1, lam = 2", (0.1, 0.1, 2.0)),
        Case("lam = 0: a flat direction never moves (rate 1)", (0.5, 0.5, 0.0)),
    ]
    return cases + _random_rate_cases(rng)


# ----------------------------------------------------------------------------------------------
# Common wrong answers, as the check names them
# ----------------------------------------------------------------------------------------------

def _momentum_v_plus(theta, v, g, alpha, beta):
    v = beta * v + alpha * g
    return theta - v, v


def _momentum_theta_minus(theta, v, g, alpha, beta):
    v = beta * v - alpha * g
    return theta - v, v


def _momentum_pytorch(theta, v, g, alpha, beta):
    b = beta * v + g
    return theta - alpha * b, b


def _momentum_old_v(theta, v, g, alpha, beta):
    return theta + v, beta * v - alpha * g


def _momentum_no_beta(theta, v, g, alpha, beta):
    v = v - alpha * g
    return theta + v, v


def _momentum_no_alpha(theta, v, g, alpha, beta):
    v = beta * v - g
    return theta + v, v


def _nesterov_no_lookahead_in_theta(theta, v, g, alpha, beta):
    return theta - alpha * g, beta * v - alpha * g


def _nesterov_new_v_twice(theta, v, g, alpha, beta):
    v = beta * v - alpha * g
    return theta + beta * v - alpha * g, v


def _nesterov_v_plus(theta, v, g, alpha, beta):
    return theta + beta * v - alpha * g, beta * v + alpha * g


def _nesterov_lookahead_returned(theta, v, g, alpha, beta):
    v_new = beta * v - alpha * g
    return theta + v_new + beta * v_new, v_new


def _momentum_ema_form(theta, v, g, alpha, beta):
    v = beta * v - (1 - beta) * alpha * g
    return theta + v, v


def _nesterov_ema_form(theta, v, g, alpha, beta):
    v_new = beta * v - (1 - beta) * alpha * g
    return theta + v_new, v_new


def _rate_of_map(function):
    """rate(alpha, beta, lam) for numbers or arrays, from the 2 by 2 map that `function` builds."""
    def rate(alpha, beta, lam):
        out = np.vectorize(lambda a, b, la: float(np.max(np.abs(np.linalg.eigvals(function(a, b, la))))),
                           otypes=[float])(alpha, beta, lam)
        return float(out) if out.ndim == 0 else out
    return rate


# v' = beta v - alpha lam x, then x' = x + v with the OLD v: the pair maps by [[beta, -alpha lam], [1, 1]]
_rate_old_v_in_theta = _rate_of_map(lambda a, b, la: np.array([[b, -a * la], [1.0, 1.0]]))


def _rate_beta_not_root(alpha, beta, lam):
    c = 1 + np.asarray(beta, dtype=float) - np.asarray(alpha, dtype=float) * np.asarray(lam, dtype=float)
    D = c * c - 4 * np.asarray(beta, dtype=float)
    out = np.where(D < 0, beta, (np.abs(c) + np.sqrt(np.maximum(D, 0))) / 2)
    return float(out) if out.ndim == 0 else out


def _rate_gradient_descent(alpha, beta, lam):
    return abs(1 - alpha * lam)


def _rate_sqrt_beta(alpha, beta, lam):
    return float(np.sqrt(beta))


def _rate_smallest_root(alpha, beta, lam):
    return float(np.min(np.abs(np.roots([1.0, -(1 + beta - alpha * lam), beta]))))


def _rate_real_part(alpha, beta, lam):
    return float(np.max(np.abs(np.real(np.roots([1.0, -(1 + beta - alpha * lam), beta])))))


def _rate_wrong_sign(alpha, beta, lam):
    # the map of (x, v) written with +alpha lam: the update climbs the quadratic
    return float(np.max(np.abs(np.roots([1.0, -(1 + beta + alpha * lam), beta]))))


def _momentum_map(alpha, beta, lam):
    """The pair (x, v) after one momentum step on lambda x^2 / 2: v' = beta v - h x, x' = x + v'."""
    h = alpha * lam
    return np.array([[1 - h, beta], [-h, beta]], dtype=np.float64)


def _nesterov_map(alpha, beta, lam):
    """The same for Nesterov, the gradient taken at x + beta v: v' = beta v - h (x + beta v)."""
    h = alpha * lam
    return np.array([[1 - h, beta * (1 - h)], [-h, beta * (1 - h)]], dtype=np.float64)


def _radius(matrix):
    return float(np.max(np.abs(np.linalg.eigvals(np.array(matrix, dtype=np.float64)))))


def _radius_eigvalsh(matrix):
    """The slip: numpy's eigvalsh, which assumes a symmetric matrix and reads its lower triangle."""
    return float(np.max(np.abs(np.linalg.eigvalsh(matrix))))


def _norm(matrix):
    """The slip: the matrix's 2-norm (largest singular value) instead of its spectral radius."""
    return float(np.linalg.norm(matrix, 2))


def _rate_norm(alpha, beta, lam):
    return _norm(_momentum_map(alpha, beta, lam))


def _nrate_norm(alpha, beta, lam):
    return _norm(_nesterov_map(alpha, beta, lam))


def _rate_eigvalsh(alpha, beta, lam):
    return _radius_eigvalsh(_momentum_map(alpha, beta, lam))


def _nrate_eigvalsh(alpha, beta, lam):
    return _radius_eigvalsh(_nesterov_map(alpha, beta, lam))


def _nrate_momentum(alpha, beta, lam):
    return _radius(_momentum_map(alpha, beta, lam))


def _nrate_lookahead_then_new_v(alpha, beta, lam):
    # theta moved to the look-ahead point AND then by the whole new velocity
    h = alpha * lam
    return _radius([[1 - h, beta * (2 - h)], [-h, beta * (1 - h)]])


def _nrate_wrong_sign(alpha, beta, lam):
    return _radius(_nesterov_map(-alpha, beta, lam))      # h = -alpha lam: the map climbs


def _nrate_smallest_root(alpha, beta, lam):
    return float(np.min(np.abs(np.linalg.eigvals(_nesterov_map(alpha, beta, lam)))))


def _nrate_old_v_in_theta(alpha, beta, lam):
    # x' = x + beta v - h x: the gradient step taken at theta, only the velocity looks ahead
    h = alpha * lam
    return _radius([[1 - h, beta], [-h, beta * (1 - h)]])


EXERCISES = [
    Exercise(
        id="momentum_step",
        notebook=NOTEBOOK,
        points=2,
        transcription=True,   # the formula is shown right before it (issue 22)
        reference=momentum_update,
        make_cases=_momentum_cases,
        outputs=("theta", "v"),
        forbidden=(nesterov_update, nesterov_update_lookahead),
        hints=(
            "The velocity changes first, and theta then moves by the NEW velocity; in the "
            "lecture's convention v points the way theta moves, downhill.",
            "Look at the edge cases: with a zero gradient the velocity shrinks by the factor beta "
            "and theta still moves; with beta equal to zero the step must be plain SGD.",
            "Return new arrays, in the order theta then v; changing the caller's v or theta in "
            "place is caught.",
        ),
        mistakes=(
            slip("v_sign_convention", function=
                    _momentum_v_plus),
            Mistake("theta moved against v instead of along it", _momentum_theta_minus,
                    nudge="In the lecture's convention the velocity already points downhill: theta "
                          "moves by PLUS the new velocity."),
            Mistake("the PyTorch buffer of summed gradients returned instead of the lecture's v",
                    _momentum_pytorch,
                    nudge="The lecture's velocity includes the learning rate: it is beta times the "
                          "old velocity minus alpha times the gradient, not a buffer of gradients "
                          "alone."),
            slip("old_state_in_step", _momentum_old_v, state="v"),
            slip("ema_form", _momentum_ema_form),
            Mistake("a velocity that does not decay (beta left out)", _momentum_no_beta,
                    nudge="The old velocity is damped by the factor beta before the new gradient "
                          "step is added."),
            Mistake("the gradient added without the learning rate alpha", _momentum_no_alpha,
                    nudge="The gradient enters the velocity scaled by the learning rate alpha."),
        ),
    ),
    Exercise(
        id="nesterov_step",
        notebook=NOTEBOOK,
        points=2,
        transcription=True,   # the formula is shown right before it (issue 22)
        reference=nesterov_update,
        make_cases=_nesterov_cases,
        outputs=("theta", "v"),
        forbidden=(momentum_update, nesterov_update_lookahead),
        hints=(
            "g was taken at the look-ahead point: the returned theta is the look-ahead point "
            "moved by the gradient step, and it must stay the lecture's iterate, not the next "
            "look-ahead point.",
            "Follow the lecture's four lines in order, with the OLD v where the first line uses "
            "it; with a zero gradient theta moves by beta times the old velocity.",
            "Put together, the new theta equals the old theta plus the new velocity: compare your "
            "two outputs on the failing case.",
        ),
        mistakes=(
            Mistake("theta moved by the gradient step only (the look-ahead move forgotten)",
                    _nesterov_no_lookahead_in_theta,
                    nudge="The returned theta includes the look-ahead move: beta times the OLD "
                          "velocity, plus the gradient step."),
            Mistake("the look-ahead move made with the NEW velocity", _nesterov_new_v_twice,
                    nudge="The look-ahead move uses the velocity from before this step: the old v, "
                          "scaled by beta."),
            slip("v_sign_convention", _nesterov_v_plus),
            Mistake("the next look-ahead point returned instead of theta (the frameworks' form)",
                    _nesterov_lookahead_returned,
                    nudge="Return the lecture's iterate theta, not the point where the next "
                          "gradient will be taken."),
            slip("ema_form", _nesterov_ema_form),
        ),
    ),
    Exercise(
        id="momentum_rate",
        notebook=NOTEBOOK,
        points=3,
        reference=quadratics.momentum_rate,
        make_cases=_rate_cases,
        rtol=1e-6,
        atol=1e-9,
        outputs=("rate",),
        forbidden=(quadratics.quadratic_rate, quadratics._spectral_radius),
        hints=(
            "On one eigen-direction the gradient is the curvature (lambda) times the distance x to the "
            "minimum, so one momentum step maps the pair of x and v linearly to the next pair: write "
            "that map as a 2 by 2 matrix.",
            "The rate is how much that matrix stretches after many steps: the largest absolute "
            "value of its eigenvalues (the spectral radius). The eigenvalues can be complex.",
            "Check yourself on the edge cases: with beta equal to zero the rate is gradient "
            "descent's factor, the absolute value of one minus alpha lambda; when the eigenvalues "
            "are complex their absolute value is the square root of beta.",
        ),
        mistakes=(
            Mistake("gradient descent's rate (beta ignored)", _rate_gradient_descent,
                    nudge="Momentum's map involves beta: with beta above zero the rate is not the "
                          "absolute value of one minus alpha lambda."),
            Mistake("the complex-root formula used for every beta", _rate_sqrt_beta,
                    nudge="The square root of beta is the rate only when the eigenvalues are "
                          "complex; with real eigenvalues take the larger absolute value of the two "
                          "real roots."),
            Mistake("the smaller eigenvalue in absolute value instead of the larger",
                    _rate_smallest_root,
                    nudge="After many steps the largest eigenvalue in absolute value dominates: the "
                          "rate is the spectral radius, the LARGER one."),
            Mistake("the real parts of the eigenvalues instead of their absolute values",
                    _rate_real_part,
                    nudge="Complex eigenvalues stretch by their modulus, not by their real part: "
                          "take absolute values."),
            Mistake("the map built with the gradient's sign flipped (theta climbs)",
                    _rate_wrong_sign,
                    nudge="The gradient along the direction is plus lambda times the distance, and "
                          "the velocity takes MINUS alpha times it."),
            slip("old_state_in_step", _rate_old_v_in_theta, state="v"),
            slip("eigvalsh_nonsymmetric", _rate_eigvalsh),
            slip("norm_not_radius", _rate_norm),
            Mistake("beta instead of its square root for complex eigenvalues", _rate_beta_not_root,
                    nudge="Complex eigenvalues come in a conjugate pair whose product is beta, so each "
                          "has absolute value the square root of beta, not beta."),
        ),
    ),
    Exercise(
        id="nesterov_rate",
        notebook=NOTEBOOK,
        points=3,
        reference=quadratics.nesterov_rate,
        make_cases=_nesterov_rate_cases,
        rtol=1e-6,
        atol=1e-9,
        outputs=("rate",),
        forbidden=(quadratics._spectral_radius, quadratics.momentum_rate, quadratics.quadratic_rate),
        hints=(
            "Same recipe as momentum_rate, with one change: the gradient is taken at the look-ahead "
            "point, so on one eigen-direction it is the curvature times x plus beta v, not times x.",
            "Write the new v first, then the new x as the old x plus the new v (the lecture's lines "
            "put together); both are linear in the old pair, which gives the 2 by 2 matrix.",
            "Check yourself: with beta equal to zero you get gradient descent's factor, and when "
            "alpha lambda is exactly one the look-ahead gradient cancels the whole step, so the "
            "rate is zero.",
        ),
        mistakes=(
            Mistake("momentum's rate (the gradient taken at theta, not at the look-ahead point)",
                    _nrate_momentum),
            Mistake("theta moved to the look-ahead point and then by the whole new velocity",
                    _nrate_lookahead_then_new_v),
            Mistake("the look-ahead used for v only, theta stepped with the gradient at theta",
                    _nrate_old_v_in_theta),
            Mistake("the map built with the gradient's sign flipped (theta climbs)", _nrate_wrong_sign),
            Mistake("the smaller eigenvalue in absolute value instead of the larger", _nrate_smallest_root),
            slip("eigvalsh_nonsymmetric", _nrate_eigvalsh),
            slip("norm_not_radius", _nrate_norm),
        ),
    ),
]
