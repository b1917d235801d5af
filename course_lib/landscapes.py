"""2-D loss landscapes with exact gradients, and optimizer trajectories on them.

Each landscape is a function J(theta) of theta = (x, y) with its exact gradient, its known
minima and a plotting window:

    from course_lib.landscapes import LANDSCAPES, trajectory
    from course_lib.optimizers import Momentum
    valley = LANDSCAPES["valley"]
    result = trajectory(Momentum(0.1), valley, steps=200)
    result.path        # (k + 1, 2) float64: theta_0, theta_1, ..., theta_k
    result.losses      # (k + 1,)   J(theta_i)
    result.message     # "" or "diverged at step k"

Landscapes (keys of LANDSCAPES):
    valley       0.05 x^2 + y^2: an ill-conditioned quadratic (Hessian diag(0.1, 2),
                 condition number 20), a long narrow valley; minimum (0, 0)
    rosenbrock   (1 - x)^2 + 100 (y - x^2)^2: a curved banana valley; minimum (1, 1)
    beale        (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2: flat plateaus
                 and very steep walls; minimum (3, 0.5)
    saddle       x^2 - y^2: no minimum, a saddle point at (0, 0), unbounded below
    wells        (x^2 - 1)^2 + (y^2 - 1)^2 + 0.3 x + 0.2 y: four local minima of different
                 depths near (+-1, +-1); the global one near (-1.04, -1.02)
    himmelblau   (x^2 + y - 11)^2 + (x + y^2 - 7)^2: four minima, all with J = 0
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .optimizers import OPTIMIZERS, make_optimizer


@dataclass(frozen=True)
class Landscape:
    """A 2-D test function with exact gradient, minima and plotting window.

    name: key in LANDSCAPES; title: for plot titles (with the formula).
    f: f(x, y) -> J, element-wise, works on floats and on grids (arrays of any shape).
    grad_xy: grad_xy(x, y) -> (dJ/dx, dJ/dy), exact.
    minima: the local minima as (x, y) tuples, the global minimum first (empty for the saddle).
    saddles: saddle points worth marking, as (x, y) tuples.
    xlim, ylim: plotting window (min, max); start: default starting point theta_0.
    log_levels: whether contour levels should be log-spaced (steep functions).
    """

    name: str
    title: str
    f: Callable
    grad_xy: Callable
    minima: tuple
    xlim: tuple
    ylim: tuple
    start: tuple
    saddles: tuple = ()
    log_levels: bool = False

    def loss(self, theta):
        """J(theta) for theta of shape (2,): a float."""
        return self.f(theta[0], theta[1])

    def grad(self, theta):
        """The exact gradient at theta, shape (2,) -> shape (2,) float64 array."""
        theta = np.asarray(theta, dtype=np.float64)
        if theta.shape != (2,):
            raise ValueError(f"theta must have shape (2,) on a 2-D landscape, got {theta.shape}")
        return np.array(self.grad_xy(theta[0], theta[1]), dtype=np.float64)

    def grid(self, n=200):
        """(X, Y, Z) on an n x n grid over xlim x ylim, for contour plots; each (n, n)."""
        xs = np.linspace(*self.xlim, n)
        ys = np.linspace(*self.ylim, n)
        X, Y = np.meshgrid(xs, ys)
        return X, Y, self.f(X, Y)

    def levels(self, n=20, grid_size=200):
        """n increasing contour levels for the plotting window (log-spaced if log_levels)."""
        Z = self.grid(grid_size)[2]
        if not self.log_levels:
            return np.linspace(Z.min(), Z.max(), n)
        lowest = self.f(*self.minima[0]) if self.minima else Z.min()
        above = Z - lowest
        return lowest + np.geomspace(max(np.percentile(above, 0.5), 1e-3), above.max(), n)

    def __repr__(self):
        return f"Landscape({self.name!r})"


# ----------------------------------------------------------------------------------------------
# The functions and their exact gradients
# ----------------------------------------------------------------------------------------------


def valley_f(x, y):
    """J = 0.05 x^2 + y^2  (Hessian diag(0.1, 2): the y direction is 20x steeper)."""
    return 0.05 * x * x + y * y


def valley_grad(x, y):
    """dJ/dx = 0.1 x,  dJ/dy = 2 y."""
    return 0.1 * x, 2.0 * y


def rosenbrock_f(x, y):
    """J = (1 - x)^2 + 100 (y - x^2)^2."""
    return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)


def rosenbrock_grad(x, y):
    """dJ/dx = -2 (1 - x) - 400 x (y - x^2),  dJ/dy = 200 (y - x^2)."""
    return -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)


def beale_f(x, y):
    """J = a^2 + b^2 + c^2 with a = 1.5 - x + xy, b = 2.25 - x + xy^2, c = 2.625 - x + xy^3."""
    a = 1.5 - x + x * y
    b = 2.25 - x + x * y * y
    c = 2.625 - x + x * y * y * y
    return a * a + b * b + c * c


def beale_grad(x, y):
    """dJ/dx = 2a (y - 1) + 2b (y^2 - 1) + 2c (y^3 - 1),  dJ/dy = 2a x + 2b 2xy + 2c 3xy^2."""
    a = 1.5 - x + x * y
    b = 2.25 - x + x * y * y
    c = 2.625 - x + x * y * y * y
    dx = 2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y * y * y - 1)
    dy = 2 * a * x + 2 * b * 2 * x * y + 2 * c * 3 * x * y * y
    return dx, dy


def saddle_f(x, y):
    """J = x^2 - y^2."""
    return x * x - y * y


def saddle_grad(x, y):
    """dJ/dx = 2x,  dJ/dy = -2y."""
    return 2 * x, -2 * y


WELLS_TILT = (0.3, 0.2)


def wells_f(x, y):
    """J = (x^2 - 1)^2 + (y^2 - 1)^2 + 0.3 x + 0.2 y: a tilted double well in each coordinate."""
    return (x * x - 1) * (x * x - 1) + (y * y - 1) * (y * y - 1) + 0.3 * x + 0.2 * y


def wells_grad(x, y):
    """dJ/dx = 4x (x^2 - 1) + 0.3,  dJ/dy = 4y (y^2 - 1) + 0.2."""
    return 4 * x * (x * x - 1) + 0.3, 4 * y * (y * y - 1) + 0.2


def himmelblau_f(x, y):
    """J = (x^2 + y - 11)^2 + (x + y^2 - 7)^2."""
    return (x * x + y - 11) * (x * x + y - 11) + (x + y * y - 7) * (x + y * y - 7)


def himmelblau_grad(x, y):
    """dJ/dx = 4x (x^2 + y - 11) + 2 (x + y^2 - 7),  dJ/dy = 2 (x^2 + y - 11) + 4y (x + y^2 - 7)."""
    p = x * x + y - 11
    q = x + y * y - 7
    return 4 * x * p + 2 * q, 2 * p + 4 * y * q


def _wells_minima():
    """The four minima of wells_f, global first: each coordinate solves 4u^3 - 4u + tilt = 0
    with 12u^2 - 4 > 0 (two of the three real roots)."""
    per_coordinate = []
    for tilt in WELLS_TILT:
        roots = np.roots([4.0, 0.0, -4.0, tilt]).real
        per_coordinate.append([u for u in sorted(roots) if 12 * u * u - 4 > 0])
    minima = [(float(x), float(y)) for x in per_coordinate[0] for y in per_coordinate[1]]
    return tuple(sorted(minima, key=lambda m: wells_f(*m)))


def _polish(grad_xy, guess, iterations=6, h=1e-6):
    """Refine a stationary point with Newton's method (Hessian by central differences of the
    exact gradient); used once at import for minima known only to a few digits."""
    theta = np.array(guess, dtype=np.float64)
    for _ in range(iterations):
        g = np.array(grad_xy(*theta))
        H = np.empty((2, 2))
        for j in range(2):
            e = np.zeros(2)
            e[j] = h
            H[:, j] = (np.array(grad_xy(*(theta + e))) - np.array(grad_xy(*(theta - e)))) / (2 * h)
        theta = theta - np.linalg.solve(H, g)
    return float(theta[0]), float(theta[1])


_HIMMELBLAU_GUESSES = ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                       (3.584428, -1.848126))  # fmt: skip


LANDSCAPES = {
    "valley": Landscape(
        name="valley",
        title="Ill-conditioned valley  0.05 x² + y²",
        f=valley_f,
        grad_xy=valley_grad,
        minima=((0.0, 0.0),),
        xlim=(-10.0, 10.0),
        ylim=(-4.0, 4.0),
        start=(-9.0, 2.5),
    ),
    "rosenbrock": Landscape(
        name="rosenbrock",
        title="Rosenbrock  (1 - x)² + 100 (y - x²)²",
        f=rosenbrock_f,
        grad_xy=rosenbrock_grad,
        minima=((1.0, 1.0),),
        xlim=(-2.0, 2.0),
        ylim=(-1.0, 3.0),
        start=(-1.2, 1.0),
        log_levels=True,
    ),
    "beale": Landscape(
        name="beale",
        title="Beale",
        f=beale_f,
        grad_xy=beale_grad,
        minima=((3.0, 0.5),),
        xlim=(-4.5, 4.5),
        ylim=(-4.5, 4.5),
        start=(1.0, 1.5),
        log_levels=True,
    ),
    "saddle": Landscape(
        name="saddle",
        title="Saddle  x² - y²",
        f=saddle_f,
        grad_xy=saddle_grad,
        minima=(),
        saddles=((0.0, 0.0),),
        xlim=(-2.0, 2.0),
        ylim=(-2.0, 2.0),
        start=(-1.5, 0.001),
    ),
    "wells": Landscape(
        name="wells",
        title="Four wells  (x² - 1)² + (y² - 1)² + 0.3 x + 0.2 y",
        f=wells_f,
        grad_xy=wells_grad,
        minima=_wells_minima(),
        xlim=(-2.0, 2.0),
        ylim=(-2.0, 2.0),
        start=(1.6, 1.9),
    ),
    "himmelblau": Landscape(
        name="himmelblau",
        title="Himmelblau  (x² + y - 11)² + (x + y² - 7)²",
        f=himmelblau_f,
        grad_xy=himmelblau_grad,
        minima=tuple(_polish(himmelblau_grad, m) for m in _HIMMELBLAU_GUESSES),
        xlim=(-5.0, 5.0),
        ylim=(-5.0, 5.0),
        start=(0.0, 0.0),
        log_levels=True,
    ),
}


# ----------------------------------------------------------------------------------------------
# Trajectories
# ----------------------------------------------------------------------------------------------


@dataclass
class Trajectory:
    """The result of trajectory().

    path: (k + 1, 2) float64, theta_0 ... theta_k (k = steps, or fewer after a divergence;
        the point that diverged is NOT included, so every row is finite and plottable).
    losses: (k + 1,) float64, J at each row of path.
    diverged_at: the step number (1-based) whose iterate diverged, or None.
    message: "diverged at step k" or "".
    reason: why it diverged (e.g. "theta is not finite"), or "".
    """

    path: np.ndarray
    losses: np.ndarray
    diverged_at: int | None = None
    message: str = ""
    reason: str = ""


def trajectory(optimizer, landscape, start=None, steps=200, noise=0.0, seed=0,
               bound=1e6, max_loss=1e12):  # fmt: skip
    """Run `steps` optimizer steps on a landscape from `start`; stop early on divergence.

        theta_0 = start;  theta_i = optimizer.step(theta_{i-1}, grad),  i = 1, ..., steps

    optimizer: an optimizer of course_lib.optimizers (anything with reset() and
        step(theta, grad_fn)); it is reset() first, so repeated calls give the same path.
    landscape: a Landscape or a key of LANDSCAPES.
    start: (x, y), default landscape.start.
    noise: standard deviation of Gaussian noise added to each gradient (a stochastic gradient),
        drawn from np.random.default_rng(seed); 0 = exact gradients.
    The run stops at step k ("diverged at step k") when theta_k is not finite, |x| or |y| >
    bound, or |J(theta_k)| > max_loss. No floating-point warnings are emitted.
    Returns a Trajectory (path (k + 1, 2), losses (k + 1,), diverged_at, message, reason).
    """
    if isinstance(landscape, str):
        if landscape not in LANDSCAPES:
            raise ValueError(f"landscape must be one of {sorted(LANDSCAPES)}, got {landscape!r}")
        landscape = LANDSCAPES[landscape]
    theta = np.array(landscape.start if start is None else start, dtype=np.float64)
    if theta.shape != (2,) or not np.all(np.isfinite(theta)):
        raise ValueError(f"start must be two finite numbers (x, y), got {start!r}")
    if not (isinstance(steps, (int, np.integer)) and steps >= 0):
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    if not noise >= 0:
        raise ValueError(f"noise must be a number >= 0, got {noise!r}")

    grad_fn = landscape.grad
    if noise > 0:
        rng = np.random.default_rng(seed)

        def grad_fn(theta):
            return landscape.grad(theta) + noise * rng.standard_normal(2)

    optimizer.reset()
    path = np.empty((steps + 1, 2))
    losses = np.empty(steps + 1)
    path[0] = theta
    losses[0] = landscape.loss(theta)
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            theta = optimizer.step(theta, grad_fn)
            loss = landscape.loss(theta)
            x, y, loss = float(theta[0]), float(theta[1]), float(loss)
            reason = ""
            if not (math.isfinite(x) and math.isfinite(y)):
                reason = "theta is not finite"
            elif abs(x) > bound or abs(y) > bound:
                reason = f"|x| or |y| exceeded {bound:g}"
            elif not abs(loss) <= max_loss:  # also catches nan
                reason = f"|J(theta)| exceeded {max_loss:g}"
            if reason:
                return Trajectory(path[:k].copy(), losses[:k].copy(), k,
                                  f"diverged at step {k}", reason)  # fmt: skip
            path[k] = theta
            losses[k] = loss
    return Trajectory(path, losses)


# ----------------------------------------------------------------------------------------------
# Runs of the lecture's optimizers on the landscapes (06-09): one optimizer, or the race
# ----------------------------------------------------------------------------------------------


def plot_bound(landscape):
    """How far theta may go before a run counts as diverged: 5 times the plot window."""
    return 5.0 * max(abs(v) for v in (*landscape.xlim, *landscape.ylim))


def loss_gap(landscape, losses):
    """J - J(theta*) (clipped at 1e-16, for a log scale), or plain J on a landscape without
    minima (the saddle). losses: (k + 1,) -> (k + 1,)."""
    if not landscape.minima:
        return np.asarray(losses)
    best = landscape.f(*landscape.minima[0])
    return np.maximum(np.asarray(losses) - best, 1e-16)


def run(name, alpha, hyper=None, landscape="valley", steps=100, update=None, noise=0.0, seed=0,
        start=None, lookahead=None, bound=None):
    """The Trajectory of optimizer `name` (course_lib.optimizers.make_optimizer) on a landscape.

    name: a key of optimizers.OPTIMIZERS or optimizers.VARIANTS; alpha: the learning rate;
    hyper: the other hyperparameters in the lecture's symbols ({"beta": 0.9}); the ones the
    optimizer does not have are ignored, so one dict serves several optimizers; update,
    lookahead: a student's step (and Nesterov look-ahead) in place of the reference.
    A run "diverges" at step k when theta_k is not finite, J is huge or theta left the box
    |x|, |y| <= bound (default plot_bound(landscape), 5 times the plotting window).
    Returns a Trajectory: path (k + 1, 2), losses (k + 1,), message "" or "diverged at step k".
    """
    landscape = LANDSCAPES[landscape] if isinstance(landscape, str) else landscape
    optimizer = make_optimizer(name, alpha, hyper, update, lookahead, keep_own=True)
    bound = plot_bound(landscape) if bound is None else bound
    return trajectory(optimizer, landscape, start=start, steps=steps, noise=noise, seed=seed,
                      bound=bound)


RACERS = tuple(name for name, cls in OPTIMIZERS.items() if cls.entry.learning_rates.race)
"""The optimizers in the race of 09, in legend order: those of optimizers.OPTIMIZERS whose
catalogue entry has race learning rates."""

RACE_STEPS = 150
"""Steps of every race (frames of the animation)."""

RACE_LANDSCAPES = ("valley", "rosenbrock", "saddle", "beale", "wells")

BASE_LEARNING_RATES = {landscape: {name: OPTIMIZERS[name].entry.learning_rates.race[landscape]
                                   for name in RACERS} for landscape in RACE_LANDSCAPES}
"""alpha of each racer, per landscape (from each optimizer's catalogue entry), chosen so that each
one makes visible progress in RACE_STEPS steps (as in Alec Radford's animations, every optimizer
gets its own alpha). Other hyperparameters are the lecture's defaults: beta = 0.9 (momentum,
Nesterov, RMSProp), beta_1 = 0.9, beta_2 = 0.999, eps = 1e-8 (see each entry)."""

STARTS = {
    "valley": {"(-9, 2.5): far along the valley": (-9.0, 2.5),
               "(-9, 0.2): almost on the valley floor": (-9.0, 0.2),
               "(6, -3.5): steep side": (6.0, -3.5)},
    "rosenbrock": {"(-1.2, 1): the classic start": (-1.2, 1.0),
                   "(-1.5, 2.5): high on the wall": (-1.5, 2.5),
                   "(1.5, -0.5): other side": (1.5, -0.5)},
    "saddle": {"(-1.5, 0.001): just off the ridge": (-1.5, 0.001),
               "(-1.5, 0.3): clearly off the ridge": (-1.5, 0.3),
               "(-1.5, 0): exactly on the ridge": (-1.5, 0.0)},
    "beale": {"(1, 1.5): on the plateau": (1.0, 1.5),
              "(-1, -1.5): the other plateau": (-1.0, -1.5),
              "(4, 2): near a steep wall": (4.0, 2.0)},
    "wells": {"(1.6, 1.9): above the worst well": (1.6, 1.9),
              "(0.05, 0.05): on the central hill": (0.05, 0.05),
              "(-1.9, 1.9): top left": (-1.9, 1.9)},
}
"""Starting points of the race per landscape: label -> (x, y); the first one is the default."""


def race_bound(landscape):
    """How far theta may go before a racer counts as diverged: plot_bound (5 times the plot
    window), except on the saddle, which is unbounded below: there only |theta| > 1e6 counts."""
    return plot_bound(landscape) if landscape.minima else 1e6


def run_race(landscape="valley", start=None, alphas=None, steps=RACE_STEPS, noise=0.0, seed=0,
             updates=None):
    """Every racer's Trajectory on one landscape from one start.

    alphas: dict name -> learning rate (default BASE_LEARNING_RATES[landscape]).
    noise, seed: Gaussian noise of standard deviation `noise` on every gradient (the same noise
    for every racer), as in trajectory.
    updates: dict name -> (update, lookahead) of step functions to run instead of the
    references (course_lib.yours.your_updates() gives the student's that passed); None = the
    references.
    Returns dict name -> Trajectory (path (k + 1, 2), losses (k + 1,), message "" or
    "diverged at step k").
    """
    scape = LANDSCAPES[landscape] if isinstance(landscape, str) else landscape
    alphas = BASE_LEARNING_RATES[scape.name] if alphas is None else alphas
    updates = {} if updates is None else updates
    results = {}
    for name in RACERS:
        update, lookahead = updates.get(name, (None, None))
        results[name] = run(name, alphas[name], None, scape, steps, update, noise, seed, start,
                            lookahead, bound=race_bound(scape))
    return results


# ----------------------------------------------------------------------------------------------
# Gradient descent in 1-D, and 1-D functions for convexity (04)
# ----------------------------------------------------------------------------------------------


def descend_1d(step, grad, x0, alpha, steps, bound=1e6):
    """Gradient descent on a 1-D function:  x_k = step(x_{k-1}, grad(x_{k-1}), alpha).

    step(theta, g, alpha) works on arrays of shape (1,); grad maps a float to a float.
    Stops when |x_k| > bound or x_k is not finite, like landscapes.trajectory.
    Returns (xs (k + 1,) the finite iterates, message "" or "diverged at step k").
    """
    xs = [float(x0)]
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            x = float(np.asarray(step(np.array([xs[-1]]), np.array([grad(xs[-1])]), alpha))[0])
            if not np.isfinite(x) or abs(x) > bound:
                return np.array(xs), f"diverged at step {k}"
            xs.append(x)
    return np.array(xs), ""


def step_size_regime(alpha, curvature, steps):
    """Name the behaviour of gradient descent on a quadratic with this curvature (f'' = c):
    x_k = (1 - alpha c)^k x_0, so the factor 1 - alpha c decides everything:

        0 < 1 - alpha c, with |1 - alpha c|^steps > 0.1  ->  "too small"
        0 <= 1 - alpha c < 1 (and converged)               ->  "about right"
        -1 < 1 - alpha c < 0                               ->  "oscillating (still converging)"
        1 - alpha c = -1                                   ->  "bouncing forever"
        1 - alpha c < -1                                   ->  "divergent"
    """
    factor = 1 - alpha * curvature
    if factor < -1:
        return "divergent"
    if factor == -1:
        return "bouncing forever"
    if factor < 0:
        return "oscillating (still converging)"
    if factor**steps > 0.1:
        return "too small"
    return "about right"


FUNCTIONS = {
    "x²": (lambda x: x**2, lambda x: np.full_like(x, 2.0), (-2.0, 2.0)),
    "exp(x)": (np.exp, np.exp, (-2.0, 2.0)),
    "-log(x)": (lambda x: -np.log(x), lambda x: 1 / x**2, (0.05, 3.0)),
    "x⁴ - 2x² + 0.5x (not convex)": (lambda x: x**4 - 2 * x**2 + 0.5 * x,
                                     lambda x: 12 * x**2 - 4, (-1.7, 1.7)),
}
"""name -> (f, f'', plotting domain). The first three are the lecture's convex examples."""
