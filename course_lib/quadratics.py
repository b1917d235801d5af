"""Gradient descent and momentum on a quadratic, one eigen-direction at a time.

The quadratic J(theta) = 1/2 (theta - theta*)^T A (theta - theta*), A symmetric positive definite,
has the gradient g = A (theta - theta*). Write A = Q diag(lambda_1, ..., lambda_n) Q^T (the
eigen-directions are the columns of Q) and x = Q^T (theta - theta*): in these coordinates the
gradient is g_i = lambda_i x_i, so gradient descent and momentum act on every eigen-direction
separately, as on the 1-D quadratic J = 1/2 lambda x^2 (the valley of course_lib.landscapes,
J = 0.05 x^2 + y^2, has lambda = 0.1 along x and lambda = 2 along y).

Momentum (the lecture: v <- beta v - alpha g, theta <- theta + v) on one direction is linear in
the pair (x, v):

    v' = beta v - alpha lambda x
    x' = x + v' = (1 - alpha lambda) x + beta v

    (x', v') = M (x, v),   M = [[1 - alpha lambda,  beta],
                                [  - alpha lambda,  beta]]

so x_k = (combination of) z_1^k and z_2^k, with z_1, z_2 the eigenvalues of M, the roots of

    z^2 - (1 + beta - alpha lambda) z + beta = 0      (trace 1 + beta - alpha lambda, det beta).

The convergence rate of the direction is the spectral radius max(|z_1|, |z_2|): the distance to
the minimum shrinks by about that factor per step. beta = 0 is gradient descent, with the rate
|1 - alpha lambda|. This is the analysis of Goh, "Why Momentum Really Works", Distill 2017, and
of Polyak, 1964 (there with the velocity z = -v / alpha; the same algorithm for a constant alpha).

Functions (all vectorised: alpha, beta, lam may be numpy arrays that broadcast):
    eigen_directions(A)               the eigenvalues (ascending) and eigen-directions of A
    momentum_rate(alpha, beta, lam)   the rate of one direction (graded in notebook 06)
    quadratic_rate(alpha, beta, lams) the rate of the whole quadratic: the worst direction
    nesterov_rate(alpha, beta, lam)   the same for Nesterov momentum (gradient at x + beta v)
    critical_beta(alpha, lam)         critical damping: the beta where the two roots meet
    regime(alpha, beta, lam)          "monotone", "zigzag" or "oscillating": how x_k moves
    gd_optimal(mu, L)                 the best alpha of gradient descent and its rate
    polyak_optimal(mu, L)             Polyak's best alpha, beta of momentum and its rate
    trajectories(alpha, beta, lams, x0, steps)   x_k of every direction, simulated
"""

from __future__ import annotations

import numpy as np

from .optimizers import momentum_update, sgd_update


def eigen_directions(A):
    """The eigenvalues and eigen-directions of a symmetric matrix A.

        A = Q diag(lams) Q^T,   lams ascending (lams[0] = mu, the flattest; lams[-1] = L)

    A: array (n, n), symmetric (checked). Returns (lams, Q): lams of shape (n,), Q of shape
    (n, n) with the eigen-direction of lams[i] in column i.
    """
    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"A must be a square matrix, got shape {A.shape}")
    if not np.allclose(A, A.T):
        raise ValueError("A must be symmetric (the Hessian of a quadratic)")
    return np.linalg.eigh(A)


def _spectral_radius(trace, det):
    """max(|z_1|, |z_2|) for the roots of z^2 - trace z + det = 0, element-wise (det >= 0):
    sqrt(det) for complex roots, (|trace| + sqrt(trace^2 - 4 det)) / 2 for real ones."""
    discriminant = trace**2 - 4 * det
    real = (np.abs(trace) + np.sqrt(np.maximum(discriminant, 0.0))) / 2
    return np.where(discriminant < 0, np.sqrt(np.abs(det)), real)


def momentum_rate(alpha, beta, lam):
    """The convergence rate of momentum along one eigen-direction (curvature lam).

        rate = max(|z_1|, |z_2|),  z_1, z_2 the roots of  z^2 - (1 + beta - alpha lam) z + beta = 0

    With D = (1 + beta - alpha lam)^2 - 4 beta:
        D < 0  (complex roots: the direction oscillates)   rate = sqrt(beta)
        D >= 0 (real roots)                                rate = (|1 + beta - alpha lam| + sqrt(D)) / 2
    beta = 0 gives gradient descent's |1 - alpha lam|. rate < 1 (convergence) exactly when
    0 < alpha lam < 2 (1 + beta) for 0 <= beta < 1.

    alpha >= 0, 0 <= beta < 1, lam >= 0: numbers or arrays that broadcast. Returns a float
    (numbers) or an array of the broadcast shape.
    """
    alpha, beta, lam = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in (alpha, beta, lam)))
    rate = _spectral_radius(1 + beta - alpha * lam, beta)
    return float(rate) if rate.ndim == 0 else rate


def nesterov_rate(alpha, beta, lam):
    """The convergence rate of Nesterov momentum (the lecture's form) along one eigen-direction.

    The gradient is taken at the look-ahead point, g = lam (x + beta v), so with h = alpha lam

        v' = beta v - h (x + beta v)
        x' = x + v'            ->   M = [[1 - h, beta (1 - h)],
                                         [  - h, beta (1 - h)]]

    with trace (1 + beta)(1 - h) and determinant beta (1 - h); the rate is M's spectral radius.
    A direction converges exactly when 0 < h < 2 (1 + beta) / (1 + 2 beta) (for 0 <= beta < 1),
    a smaller range than momentum's 2 (1 + beta): the look-ahead damps the flat directions and
    amplifies the steep ones. Numbers or arrays that broadcast; returns a float or an array.
    """
    alpha, beta, lam = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in (alpha, beta, lam)))
    h = alpha * lam
    rate = _spectral_radius((1 + beta) * (1 - h), beta * (1 - h))
    return float(rate) if rate.ndim == 0 else rate


def quadratic_rate(alpha, beta, lams):
    """The convergence rate of momentum on the whole quadratic: its slowest eigen-direction.

        rate = max_i momentum_rate(alpha, beta, lams[i])

    alpha, beta: numbers or arrays of one shape (e.g. a grid); lams: the eigenvalues, a sequence.
    Returns a float or an array of the shape of alpha and beta.
    """
    rates = [momentum_rate(alpha, beta, lam) for lam in np.asarray(lams, dtype=np.float64)]
    return np.maximum.reduce(rates) if np.ndim(rates[0]) else float(max(rates))


def critical_beta(alpha, lam):
    """Critical damping: the momentum beta at which the two roots of the direction lam meet.

        beta_c = (1 - sqrt(alpha lam))^2        (for 0 < alpha lam <= 4)

    Below beta_c the direction creeps to 0 without oscillating (real roots), above it it
    oscillates with the rate sqrt(beta) (complex roots); at beta_c the rate is
    sqrt(beta_c) = |1 - sqrt(alpha lam)|, the best rate for this alpha. Returns a float or array.
    """
    value = (1 - np.sqrt(np.asarray(alpha, dtype=np.float64) * lam)) ** 2
    return float(value) if np.ndim(value) == 0 else value


def regime(alpha, beta, lam):
    """How x_k moves along the direction lam, from the roots z_1, z_2 (see momentum_rate):

        "oscillating"  complex roots, (1 + beta - alpha lam)^2 < 4 beta: x_k swings around 0 like a
                       damped spring, its amplitude shrinking by sqrt(beta) per step
        "zigzag"       real roots and 1 + beta - alpha lam < 0: the dominant root is negative,
                       x_k changes sign at every step (gradient descent with alpha lam > 1)
        "monotone"     real, non-negative dominant root: x_k creeps to 0 without crossing it

    Numbers only (alpha, beta, lam floats). Returns one of the three strings.
    """
    trace = 1 + beta - alpha * lam
    if trace**2 < 4 * beta:
        return "oscillating"
    return "zigzag" if trace < 0 else "monotone"


def gd_optimal(mu, L):
    """The best constant learning rate of gradient descent on a quadratic with eigenvalues in
    [mu, L], and its rate (the flattest and the steepest direction shrink equally fast):

        alpha* = 2 / (L + mu),   rate* = (L - mu) / (L + mu) = (kappa - 1) / (kappa + 1),  kappa = L / mu

    Returns (alpha*, rate*) as floats.
    """
    return 2 / (L + mu), (L - mu) / (L + mu)


def polyak_optimal(mu, L):
    """Polyak's (1964) best alpha and beta of momentum on a quadratic with eigenvalues in [mu, L]:

        alpha* = (2 / (sqrt(L) + sqrt(mu)))^2
        beta*  = ((sqrt(L) - sqrt(mu)) / (sqrt(L) + sqrt(mu)))^2
        rate*  = sqrt(beta*) = (sqrt(kappa) - 1) / (sqrt(kappa) + 1),   kappa = L / mu

    At (alpha*, beta*) both extreme directions are critically damped (beta* = critical_beta of
    mu and of L). Returns (alpha*, beta*, rate*) as floats.
    """
    root_L, root_mu = np.sqrt(L), np.sqrt(mu)
    beta = ((root_L - root_mu) / (root_L + root_mu)) ** 2
    return float((2 / (root_L + root_mu)) ** 2), float(beta), float(np.sqrt(beta))


def trajectories(alpha, beta, lams, x0, steps):
    """Run momentum (optimizers.momentum_update) on the quadratic in eigen-coordinates.

        g_k = lams * x_k;   v_{k+1} = beta v_k - alpha g_k;   x_{k+1} = x_k + v_{k+1};   v_0 = 0

    alpha, beta: numbers (beta = 0: gradient descent); lams, x0: arrays of shape (n,), the
    eigenvalues and the starting distance along each eigen-direction; steps: int >= 0.
    Returns an array (steps + 1, n): row k is x_k. A run that overflows is cut short and padded
    with inf (numpy's warnings silenced), so a diverging alpha gives a finite-size answer.
    """
    lams = np.asarray(lams, dtype=np.float64)
    x = np.array(x0, dtype=np.float64)
    if x.shape != lams.shape:
        raise ValueError(f"x0 must have the shape of lams {lams.shape}, got {x.shape}")
    v = np.zeros_like(x)
    path = np.full((steps + 1, x.size), np.inf)
    path[0] = x
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, steps + 1):
            x, v = momentum_update(x, v, lams * x, alpha, beta)
            if not np.all(np.isfinite(x)):
                break
            path[k] = x
    return path


# ----------------------------------------------------------------------------------------------
# Gradient descent on J = 1/2 theta^T A theta - b^T theta, with its divergence report (04), and the
# noisy quadratic a schedule is designed for (10): the references and data of their exercises
# ----------------------------------------------------------------------------------------------


BOUND = 1e6   # a run whose parameters leave [-BOUND, BOUND] has diverged (as landscapes.trajectory)


def quadratic_loss(A, b, theta):
    """J(theta) = (1/2) theta^T A theta - b^T theta, whose gradient is A theta - b (A symmetric)."""
    return float(0.5 * theta @ A @ theta - b @ theta)


def gradient_descent(A, b, theta0, alpha, n_steps):
    """Gradient descent (lecture, "Gradient Descent") on the quadratic

        J(theta) = (1/2) theta^T A theta - b^T theta,   grad J(theta) = A theta - b   (A symmetric)
        theta_k = theta_{k-1} - alpha grad J(theta_{k-1}),   k = 1, ..., n_steps

    The run stops early at the first step k whose theta_k is not finite or has a coordinate
    with |theta_k,j| > 1e6: it has diverged, theta_k is NOT kept, and the message is
    "diverged at step k". Otherwise the message is "".
    Shapes: A (D, D), b (D,), theta0 (D,), alpha >= 0, n_steps >= 0  ->
    (thetas (k + 1, D): theta_0 .. theta_k, the iterates kept;  losses (k + 1,): J of each;  message).
    """
    A = np.asarray(A, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    theta = np.asarray(theta0, dtype=np.float64)
    thetas, losses = [theta], [quadratic_loss(A, b, theta)]
    with np.errstate(all="ignore"):
        for k in range(1, int(n_steps) + 1):
            theta = sgd_update(theta, A @ theta - b, alpha)
            if not np.all(np.isfinite(theta)) or np.max(np.abs(theta)) > BOUND:
                return np.array(thetas), np.array(losses), f"diverged at step {k}"
            thetas.append(theta)
            losses.append(quadratic_loss(A, b, theta))
    return np.array(thetas), np.array(losses), ""


NOISY_QUADRATIC = {"curvatures": (1.0, 0.02), "theta_0": (3.0, 10.0), "noise": 0.1, "runs": 50}
"""J(theta) = sum_i lambda_i theta_i^2 with curvatures lambda = (1, 0.02): a valley 50 times
steeper across than along. Every step sees the gradient plus Gaussian noise,
g = 2 lambda theta + noise xi, xi ~ N(0, I), as a minibatch gradient would; `runs` independent
runs are averaged."""


BUDGET = 300


TARGET_LOSS = 0.0015


def noisy_quadratic_loss(alphas, seed=0):
    """Run SGD, theta <- theta - alpha_t g, on NOISY_QUADRATIC with the learning rates `alphas`
    (one per step) and return the final J(theta), averaged over the independent runs.

    alphas: (n,) float array; seed: of the gradient noise. Returns a float (inf if a run
    diverged).
    """
    spec = NOISY_QUADRATIC
    curvatures = np.asarray(spec["curvatures"])
    rng = np.random.default_rng(seed)
    theta = np.tile(np.asarray(spec["theta_0"]), (spec["runs"], 1))
    with np.errstate(all="ignore"):
        for alpha in np.asarray(alphas, dtype=np.float64):
            g = 2 * curvatures * theta + spec["noise"] * rng.standard_normal(theta.shape)
            theta = theta - alpha * g
        loss = float(np.mean(np.sum(curvatures * theta**2, axis=1)))
    return loss if np.isfinite(loss) else float("inf")
