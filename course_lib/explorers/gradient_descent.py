"""Explorers of 04_gradient_descent, and the small helpers they need.

    LearningRateExplorer   alpha on a log slider, on a 1-D and a 2-D convex function
    BatchSizeExplorer      minibatch SGD on linear regression: noise and cost against batch size
    RobbinsMonroExplorer   alpha_t = alpha_0 / t^p on a noisy convex problem
    ConvexityExplorer      f(t x1 + (1 - t) x2) <= t f(x1) + (1 - t) f(x2), and the f'' test

plus the loss-landscape helpers of Li et al. (2018), "Visualizing the Loss Landscape of Neural
Nets" (https://arxiv.org/abs/1712.09913): a small MLP trained on the digits, filter-normalized
random directions, the loss along a line and on a 2-D slice.
"""

from __future__ import annotations

import functools

import ipywidgets as widgets
import numpy as np

from .. import data, nn, training
from ..exercises import nb04_gradient_descent as reference
from ..landscapes import LANDSCAPES
from ..optimizers import SGD
from .base import Explorer, implementation_switch, log_slider, slider

# ----------------------------------------------------------------------------------------------
# Small helpers
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


# ----------------------------------------------------------------------------------------------
# 1. The learning rate
# ----------------------------------------------------------------------------------------------


class LearningRateExplorer(Explorer):
    """Gradient descent theta <- theta - alpha grad J, run by the student's gradient_descent (once
    it passes), on f(x) = x^2 (f'' = 2) and on the valley J = 0.05 x^2 + y^2 (curvatures 0.1 and 2).
    Divergence stops the run and shows "diverged at step k".
    """

    x0 = -4.0
    steps = 30

    def __init__(self):
        self.valley = LANDSCAPES["valley"]
        controls = {
            "alpha": log_slider("learning rate alpha", 0.1, -3.0, 0.5),
            "run": implementation_switch("gradient_descent", reference.gradient_descent,
                                         label="gradient_descent"),
        }
        super().__init__(controls, main="alpha", lr="alpha", figsize=(11.0, 3.8),
                         question="find alpha where x = 0 is reached in ONE step on x², the "
                                  "alpha where the iterates start to zigzag, and the smallest "
                                  "alpha that diverges. How do they relate to f'' = 2?")

    def setup(self, fig):
        self.ax_1d, self.ax_2d, self.ax_loss = fig.subplots(1, 3)
        xs = np.linspace(-6, 6, 200)
        ax = self.ax_1d
        ax.plot(xs, xs**2, color="gray")
        self.path_1d, = ax.plot([], [], "o-", color="C1", ms=3, lw=1)
        ax.set(title="f(x) = x²", xlabel="x", ylabel="f(x)", xlim=(-6, 6), ylim=(-1, 36))
        self.regime_1d = ax.text(0.5, 0.97, "", transform=ax.transAxes, ha="center", va="top",
                                 fontsize=9, color="C1", bbox=dict(facecolor="white", edgecolor="none"))
        ax = self.ax_2d
        X, Y, Z = self.valley.grid(120)
        ax.contour(X, Y, Z, levels=self.valley.levels(15), colors="gray", linewidths=0.6)
        ax.plot(*self.valley.minima[0], "k*", ms=10)
        self.path_2d, = ax.plot([], [], "o-", color="C0", ms=3, lw=1)
        ax.set(title="J = 0.05 x² + y²", xlabel="x", ylabel="y", xlim=self.valley.xlim,
               ylim=self.valley.ylim)
        self.regime_2d = ax.text(0.5, 0.97, "", transform=ax.transAxes, ha="center", va="top",
                                 fontsize=9, color="C0", bbox=dict(facecolor="white", edgecolor="none"))
        ax = self.ax_loss
        self.loss_1d, = ax.semilogy([], [], "o-", color="C1", ms=3, label="f(x) = x²")
        self.loss_2d, = ax.semilogy([], [], "o-", color="C0", ms=3, label="J = 0.05 x² + y²")
        ax.set(title="Loss against step", xlabel="step k", ylabel="loss (log scale)",
               xlim=(0, self.steps), ylim=(1e-10, 1e13))
        ax.legend(loc="lower left", fontsize=8)
        fig.tight_layout()
        return [self.path_1d, self.regime_1d, self.path_2d, self.regime_2d, self.loss_1d,
                self.loss_2d]

    def update(self, alpha, run):
        # run = gradient_descent(A, b, theta0, alpha, n_steps) on J = (1/2) theta^T A theta - b^T theta:
        # x^2 is A = [[2]], the valley 0.05 x^2 + y^2 is A = diag(0.1, 2), both with b = 0
        thetas, _, message_1d = run(np.array([[2.0]]), np.zeros(1), np.array([self.x0]), alpha, self.steps)
        xs = np.asarray(thetas, dtype=np.float64)[:, 0]
        self.path_1d.set_data(xs, xs**2)
        start = np.array(self.valley.start, dtype=np.float64)
        path, losses, message_2d = run(np.diag([0.1, 2.0]), np.zeros(2), start, alpha, self.steps)
        path = np.asarray(path, dtype=np.float64)
        self.path_2d.set_data(path[:, 0], path[:, 1])
        floor = 1e-10
        self.loss_1d.set_data(np.arange(len(xs)), np.maximum(xs**2, floor))
        self.loss_2d.set_data(np.arange(len(losses)), np.maximum(np.asarray(losses, dtype=np.float64), floor))
        self.regime_1d.set_text(f"1 - 2 alpha = {1 - 2 * alpha:.3g}\n"
                                f"{step_size_regime(alpha, 2.0, self.steps)}")
        self.regime_2d.set_text(f"along y: {step_size_regime(alpha, 2.0, self.steps)}\n"
                                f"along x: {step_size_regime(alpha, 0.1, self.steps)}")
        parts = []
        if message_1d:
            parts.append(f"x²: {message_1d}")
        if message_2d:
            parts.append(f"valley: {message_2d}")
        self.say("; ".join(parts))


# ----------------------------------------------------------------------------------------------
# 2. The batch size
# ----------------------------------------------------------------------------------------------


def make_linear_data(N=1024, w_true=(2.0, -1.0), b_true=0.5, noise=1.0, seed=0):
    """y = X w_true + b_true + noise * eps with X ~ N(0, I), eps ~ N(0, 1).
    Returns X (N, D) and y (N,)."""
    rng = np.random.default_rng(seed)
    w_true = np.asarray(w_true, dtype=np.float64)
    X = rng.standard_normal((N, len(w_true)))
    y = X @ w_true + b_true + noise * rng.standard_normal(N)
    return X, y


def full_mse(w, b, X, y):
    """J(w, b) = (1/N) sum_i (x_i w + b - y_i)^2 on the whole data set."""
    return float(np.mean((X @ w + b - y) ** 2))


def minibatch_sgd(gradient, X, y, batch_size, alpha, steps, seed=0):
    """Minibatch SGD on linear regression from w = 0, b = 0:

        B_k = batch_size indices drawn uniformly with replacement (all N rows if batch_size >= N)
        (dw, db) = gradient(w, b, X, y, B_k);   w <- w - alpha dw;   b <- b - alpha db

    gradient: a function like minibatch_gradient. Returns the full-data MSE after each step,
    an array (steps + 1,) starting with the initial loss.
    """
    rng = np.random.default_rng(seed)
    N, D = X.shape
    w, b = np.zeros(D), 0.0
    losses = [full_mse(w, b, X, y)]
    for _ in range(steps):
        batch = np.arange(N) if batch_size >= N else rng.integers(0, N, size=batch_size)
        dw, db = gradient(w, b, X, y, batch)
        w = w - alpha * np.asarray(dw, dtype=np.float64)
        b = b - alpha * float(db)
        losses.append(full_mse(w, b, X, y))
    return np.array(losses)


def gradient_cloud(gradient, X, y, batch_size, n_estimates=200, seed=0):
    """n_estimates minibatch estimates of dJ/dw at w = 0, b = 0: an array (n_estimates, D)."""
    rng = np.random.default_rng(seed)
    N, D = X.shape
    w = np.zeros(D)
    batches = [rng.integers(0, N, size=batch_size) for _ in range(n_estimates)]
    return np.array([np.asarray(gradient(w, 0.0, X, y, batch)[0], dtype=np.float64)
                     for batch in batches])


class BatchSizeExplorer(Explorer):
    """Minibatch SGD on linear regression (MSE, no 1/2) with the student's minibatch_gradient
    once it passes. Left: full-data loss against steps; middle: against examples seen
    (steps x batch size); right: 200 minibatch estimates of the gradient at w = 0.
    """

    batch_sizes = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
    alpha = 0.05
    steps = 150

    def __init__(self, X=None, y=None):
        if X is None:
            X, y = make_linear_data()
        self.X = np.asarray(X, dtype=np.float64)
        self.y = np.asarray(y, dtype=np.float64)
        N = len(self.y)
        options = [(f"{b} (all: batch GD)" if b >= N else str(b), b) for b in self.batch_sizes if b <= N]
        self._computed_for = None
        controls = {
            "batch_size": widgets.SelectionSlider(options=options, value=8, description="batch size m",
                                                  continuous_update=True,
                                                  style={"description_width": "initial"}),
            "gradient": implementation_switch("minibatch_gradient", reference.minibatch_gradient,
                                              label="gradient"),
        }
        self.options = [b for _, b in options]
        super().__init__(controls, main="batch_size", figsize=(11.0, 3.8),
                         question="how much does the spread of the gradient estimates shrink "
                                  "when m grows 4x? Which m reaches loss 1.5 with the fewest "
                                  "examples seen, and which with the fewest steps?")

    def _compute(self, gradient):
        self.curves = {b: minibatch_sgd(gradient, self.X, self.y, b, self.alpha, self.steps, seed=b)
                       for b in self.options}
        self.clouds = {b: gradient_cloud(gradient, self.X, self.y, b, seed=b) for b in self.options}
        self.true_gradient = np.asarray(gradient(np.zeros(self.X.shape[1]), 0.0, self.X, self.y,
                                                 np.arange(len(self.y)))[0], dtype=np.float64)
        self._computed_for = gradient

    def setup(self, fig):
        self.ax_steps, self.ax_examples, self.ax_cloud = fig.subplots(1, 3)
        self._compute(self.controls["gradient"].value)
        steps = np.arange(self.steps + 1)
        self.faint_steps, self.faint_examples = [], []
        for b in self.options:
            color = (0.6, 0.6, 0.6)
            self.faint_steps.append(self.ax_steps.semilogy(steps, self.curves[b], color=color, lw=0.6)[0])
            self.faint_examples.append(self.ax_examples.loglog(np.maximum(steps * b, 1), self.curves[b],
                                                               color=color, lw=0.6)[0])
        A = np.c_[self.X, np.ones(len(self.y))]
        best = np.linalg.lstsq(A, self.y, rcond=None)[0]  # least squares: the lowest MSE
        noise_floor = full_mse(best[:-1], best[-1], self.X, self.y)
        for ax in (self.ax_steps, self.ax_examples):
            ax.axhline(noise_floor, color="black", ls=":", lw=1, label="best possible MSE")
        self.line_steps, = self.ax_steps.semilogy([], [], color="C0", lw=2, label="chosen m")
        self.line_examples, = self.ax_examples.loglog([], [], color="C0", lw=2, label="chosen m")
        self.ax_steps.set(title=f"Full-data MSE against steps (alpha = {self.alpha})", xlabel="step",
                          ylabel="MSE (log scale)")
        self.ax_examples.set(title="... against examples seen (cost)", xlabel="examples seen = step x m",
                             ylabel="MSE (log scale)")
        self.ax_steps.legend(loc="upper right", fontsize=7)
        ax = self.ax_cloud
        spread = np.abs(self.clouds[self.options[0]] - self.true_gradient).max(axis=0)
        gx, gy = self.true_gradient
        ax.set(title="Gradient estimates at w = 0", xlabel="dJ/dw1", ylabel="dJ/dw2",
               xlim=(gx - spread[0], gx + spread[0]), ylim=(gy - spread[1], gy + spread[1]))
        self.cloud = ax.scatter([], [], s=6, color="C0", alpha=0.5)
        ax.plot([gx], [gy], "k*", ms=12, label="full-batch gradient")
        ax.legend(loc="upper right", fontsize=7)
        self.text = ax.text(0.02, 0.03, "", transform=ax.transAxes, fontsize=8, family="monospace")
        fig.tight_layout()
        return [self.line_steps, self.line_examples, self.cloud, self.text]

    def update(self, batch_size, gradient):
        limits_changed = False
        if gradient is not self._computed_for:
            self._compute(gradient)
            steps = np.arange(self.steps + 1)
            for b, a, c in zip(self.options, self.faint_steps, self.faint_examples):
                a.set_ydata(self.curves[b])
                c.set_data(np.maximum(steps * b, 1), self.curves[b])
            limits_changed = True
        b = batch_size
        steps = np.arange(self.steps + 1)
        self.line_steps.set_data(steps, self.curves[b])
        self.line_examples.set_data(np.maximum(steps * b, 1), self.curves[b])
        cloud = self.clouds[b]
        self.cloud.set_offsets(cloud)
        std = float(np.sqrt(np.mean(np.sum((cloud - self.true_gradient) ** 2, axis=1))))
        std_1 = float(np.sqrt(np.mean(np.sum((self.clouds[1] - self.true_gradient) ** 2, axis=1))))
        self.text.set_text(f"m = {b}: spread {std:.3f}\n"
                           f"spread(m=1) / sqrt(m) = {std_1 / np.sqrt(b):.3f}\n"
                           f"cost per step: {b} examples")
        self.say("")
        return limits_changed


# ----------------------------------------------------------------------------------------------
# 3. Robbins-Monro
# ----------------------------------------------------------------------------------------------


def power_schedule(alpha_0, p, t):
    """alpha_t = alpha_0 / t^p for t = 1, 2, ... (p = 0 constant, p = 1 the lecture's 1/t,
    p = 1/2 inverse square root). t: array of step numbers >= 1 -> array of the same shape."""
    return alpha_0 / np.asarray(t, dtype=np.float64) ** p


def expected_squared_error(alphas, a=1.0, sigma=1.0, theta_0=5.0):
    """E[(theta_t - theta*)^2] of SGD on J(theta) = (a/2) (theta - theta*)^2 with noisy gradients
    g = a (theta - theta*) + sigma eps, eps ~ N(0, 1):  theta_t - theta* = (1 - alpha_t a)
    (theta_{t-1} - theta*) - alpha_t sigma eps_t, hence exactly

        m_t = (1 - alpha_t a)^2 m_{t-1} + alpha_t^2 sigma^2,   m_0 = theta_0^2  (theta* = 0).

    alphas: (T,) learning rates alpha_1..alpha_T. Returns (T + 1,) m_0..m_T.
    """
    m = [float(theta_0) ** 2]
    s2 = float(sigma) ** 2
    for alpha in np.asarray(alphas, dtype=np.float64).tolist():
        c = 1.0 - alpha * a
        m.append(c * c * m[-1] + alpha * alpha * s2)
    return np.array(m)


def sgd_noisy_run(alphas, a=1.0, sigma=1.0, theta_0=5.0, seed=0):
    """One sampled run of the same noisy SGD: returns theta_0..theta_T, an array (T + 1,)."""
    noise = (sigma * np.random.default_rng(seed).standard_normal(len(alphas))).tolist()
    theta = [float(theta_0)]
    for alpha, eps in zip(np.asarray(alphas, dtype=np.float64).tolist(), noise):
        theta.append(theta[-1] - alpha * (a * theta[-1] + eps))
    return np.array(theta)


class RobbinsMonroExplorer(Explorer):
    """alpha_t = alpha_0 / t^p on the noisy convex problem of expected_squared_error.
    Left: the schedule. Middle: the partial sums sum alpha_t and sum alpha_t^2. Right: the
    exact E[(theta_t - theta*)^2] and one sampled run, beside the noise floor of a constant rate.
    """

    alpha_0 = 0.8
    T = 10_000

    def __init__(self):
        self.t = np.arange(1, self.T + 1)
        self.show = np.unique(np.geomspace(1, self.T, 300).astype(int))  # t values drawn
        controls = {
            "p": slider("exponent p in alpha_0 / t^p", 1.0, 0.0, 1.5, 0.05),
            "conditions": implementation_switch("robbins_monro_conditions",
                                                reference.robbins_monro_conditions,
                                                label="conditions"),
        }
        super().__init__(controls, main="p", figsize=(11.0, 3.8),
                         question="compare p = 0, p = 0.75, p = 1 and p = 1.5: which ones keep "
                                  "improving, which stall at a floor, which stop short? Which "
                                  "Robbins-Monro condition fails in each stalled case?")

    def setup(self, fig):
        self.ax_alpha, self.ax_sums, self.ax_error = fig.subplots(1, 3)
        t = self.t
        for p in (0.0, 0.5, 1.0, 1.5):
            self.ax_alpha.loglog(t, power_schedule(self.alpha_0, p, t), color="gray", lw=0.6)
        self.line_alpha, = self.ax_alpha.loglog([], [], color="C0", lw=2)
        self.ax_alpha.set(title=f"alpha_t = {self.alpha_0} / t^p", xlabel="step t",
                          ylabel="alpha_t (log scale)", ylim=(1e-7, 2))
        self.line_sum, = self.ax_sums.loglog([], [], color="C0", lw=2, label="sum alpha_t")
        self.line_sum2, = self.ax_sums.loglog([], [], color="C3", lw=2, label="sum alpha_t²")
        self.ax_sums.set(title="Partial sums up to t", xlabel="step t", ylabel="partial sum (log scale)",
                         ylim=(0.3, 3e4), xlim=(1, self.T))
        self.ax_sums.legend(loc="upper left", fontsize=7)
        a, sigma = 1.0, 1.0
        floor = self.alpha_0 * sigma**2 / (2 * a - self.alpha_0 * a**2)
        self.ax_error.axhline(floor, color="black", ls=":", lw=1, label="noise floor of constant alpha_0")
        self.line_run, = self.ax_error.loglog([], [], color="C0", lw=0.6, alpha=0.6,
                                              label="one run (theta_t - theta*)²")
        self.line_expected, = self.ax_error.loglog([], [], color="C0", lw=2,
                                                   label="E[(theta_t - theta*)²] (exact)")
        self.ax_error.set(title="Noisy convex problem: error", xlabel="step t",
                          ylabel="squared error (log scale)", ylim=(1e-7, 1e2), xlim=(1, self.T))
        self.ax_error.legend(loc="lower left", fontsize=7)
        self.text = self.ax_alpha.text(0.03, 0.03, "", transform=self.ax_alpha.transAxes, fontsize=8,
                                       family="monospace")
        fig.tight_layout()
        return [self.line_alpha, self.line_sum, self.line_sum2, self.line_run, self.line_expected,
                self.text]

    def update(self, p, conditions):
        alphas = power_schedule(self.alpha_0, p, self.t)
        show = self.show
        self.line_alpha.set_data(show, alphas[show - 1])
        self.line_sum.set_data(show, np.cumsum(alphas)[show - 1])
        self.line_sum2.set_data(show, np.cumsum(alphas**2)[show - 1])
        expected = expected_squared_error(alphas)
        run = sgd_noisy_run(alphas)
        self.line_expected.set_data(show, expected[show])
        self.line_run.set_data(show, np.maximum(run[show] ** 2, 1e-12))
        names = ("alpha_t > 0", "sum alpha_t = inf", "sum alpha_t² < inf")
        holds = conditions(self.alpha_0, float(p))
        lines = [f"{'yes' if h else 'NO '} {n}" for h, n in zip(holds, names)]
        self.text.set_text("\n".join(lines) + f"\nE[error²] at t={self.T}: {expected[-1]:.2g}")
        self.say("")


# ----------------------------------------------------------------------------------------------
# 4. Convexity
# ----------------------------------------------------------------------------------------------

FUNCTIONS = {
    "x²": (lambda x: x**2, lambda x: np.full_like(x, 2.0), (-2.0, 2.0)),
    "exp(x)": (np.exp, np.exp, (-2.0, 2.0)),
    "-log(x)": (lambda x: -np.log(x), lambda x: 1 / x**2, (0.05, 3.0)),
    "x⁴ - 2x² + 0.5x (not convex)": (lambda x: x**4 - 2 * x**2 + 0.5 * x,
                                     lambda x: 12 * x**2 - 4, (-1.7, 1.7)),
}
"""name -> (f, f'', plotting domain). The first three are the lecture's convex examples."""


class ConvexityExplorer(Explorer):
    """Left: f, the chord between (x1, f(x1)) and (x2, f(x2)), and at x = t x1 + (1 - t) x2 the
    values f(x) and t f(x1) + (1 - t) f(x2). Right: f'' (convex iff f'' >= 0 everywhere).
    x1 and x2 are given as positions 0..1 inside the plotted domain.
    """

    def __init__(self):
        controls = {
            "t": slider("t", 0.5, 0.0, 1.0, 0.01),
            "x1": slider("x1 (position in the domain)", 0.2, 0.0, 1.0, 0.01),
            "x2": slider("x2 (position in the domain)", 0.8, 0.0, 1.0, 0.01),
            "function": widgets.Dropdown(options=list(FUNCTIONS), value="x⁴ - 2x² + 0.5x (not convex)",
                                         description="f"),
        }
        self._shown = None
        super().__init__(controls, main="t", figsize=(10.0, 3.8),
                         question="for the non-convex f, find x1, x2 and t where the curve lies "
                                  "ABOVE the chord; where is f'' < 0 there? Then try to break the "
                                  "inequality for x², exp(x) and -log(x).")

    def setup(self, fig):
        self.ax_f, self.ax_f2 = fig.subplots(1, 2)
        self.curve, = self.ax_f.plot([], [], color="gray", lw=2)
        self.curve2, = self.ax_f2.plot([], [], color="C2", lw=2)
        self.ax_f2.axhline(0, color="black", lw=0.8)
        self.negative = None
        self.chord, = self.ax_f.plot([], [], "o-", color="C0", lw=1.5, label="chord t f(x1) + (1-t) f(x2)")
        self.gap, = self.ax_f.plot([], [], color="C2", lw=3)
        self.point_f, = self.ax_f.plot([], [], "o", color="C3", ms=7, label="f(t x1 + (1-t) x2)")
        self.point_chord, = self.ax_f.plot([], [], "s", color="C0", ms=7)
        self.ax_f.set(xlabel="x", ylabel="f(x)")
        self.ax_f.legend(loc="upper center", fontsize=7)
        self.ax_f2.set(title="Second-derivative test: f''(x) >= 0 everywhere?", xlabel="x",
                       ylabel="f''(x)")
        self.text = self.ax_f.text(0.5, 0.03, "", transform=self.ax_f.transAxes, ha="center",
                                   fontsize=8, family="monospace")
        fig.tight_layout()
        return [self.chord, self.gap, self.point_f, self.point_chord, self.text]

    def _draw_function(self, name):
        f, f2, (low, high) = FUNCTIONS[name]
        xs = np.linspace(low, high, 300)
        ys, ys2 = f(xs), f2(xs)
        self.curve.set_data(xs, ys)
        pad = 0.08 * (ys.max() - ys.min())
        self.ax_f.set(xlim=(low, high), ylim=(ys.min() - pad, ys.max() + 3 * pad),
                      title=f"f(x) = {name.split(' (')[0]}: curve below the chord?")
        self.curve2.set_data(xs, ys2)
        pad2 = 0.1 * (ys2.max() - min(ys2.min(), 0)) + 1e-9
        self.ax_f2.set(xlim=(low, high), ylim=(min(ys2.min(), 0) - pad2, ys2.max() + pad2))
        if self.negative is not None:
            self.negative.remove()
        self.negative = self.ax_f2.fill_between(xs, ys2, 0, where=ys2 < 0, color="C3", alpha=0.3,
                                                label="f'' < 0: not convex here")
        self.ax_f2.legend(loc="upper center", fontsize=7)

    def update(self, t, x1, x2, function):
        limits_changed = False
        if function != self._shown:
            self._draw_function(function)
            self._shown = function
            limits_changed = True
        f, _, (low, high) = FUNCTIONS[function]
        a, b = low + x1 * (high - low), low + x2 * (high - low)
        x = t * a + (1 - t) * b
        fx = float(f(np.float64(x)))
        chord = float(t * f(np.float64(a)) + (1 - t) * f(np.float64(b)))
        self.chord.set_data([a, b], [f(np.float64(a)), f(np.float64(b))])
        self.point_f.set_data([x], [fx])
        self.point_chord.set_data([x], [chord])
        ok = fx <= chord + 1e-12
        self.gap.set_data([x, x], [fx, chord])
        self.gap.set_color("C2" if ok else "C3")
        sign = "<=" if ok else ">"
        verdict = "holds" if ok else "VIOLATED: not convex"
        self.text.set_text(f"f(x) = {fx:.3f} {sign} {chord:.3f} = chord   ({verdict})")
        self.say("")
        return limits_changed


# ----------------------------------------------------------------------------------------------
# Loss landscape of a small MLP on the digits (Li et al. 2018)
# ----------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=2)
def train_digits_mlp(hidden=32, epochs=4, seed=0):
    """Train a small MLP [64, hidden, 10] (ReLU) on the 8x8 digits with minibatch SGD
    (alpha = 0.1, m = 32) for a few epochs; cached, so it runs once per session (< 1 s).

    Split: the first 1,200 images for training, the other 597 for testing.
    Returns a dict: sizes, theta_0 (initial params), theta (trained params, lists of arrays),
    X_train, y_train, X_test, y_test, history. Treat the arrays as read-only.
    """
    X, y = data.load_digits()
    X_train, y_train, X_test, y_test = X[:1200], y[:1200], X[1200:], y[1200:]
    sizes = [64, hidden, 10]
    net = nn.MLP(sizes, activation="relu", seed=seed)
    theta_0 = [p.copy() for p in net.params]
    history = training.train(net, SGD(0.1), X_train, y_train, X_test, y_test, epochs=epochs,
                             batch_size=32, seed=seed, progress=False)
    return {"sizes": sizes, "theta_0": theta_0, "theta": [p.copy() for p in net.params],
            "X_train": X_train, "y_train": y_train, "X_test": X_test, "y_test": y_test,
            "history": history}


def loss_at(sizes, params, X, y):
    """Mean cross-entropy of the MLP [sizes] (ReLU) with these parameters on (X, y):
    a forward pass only, J = (1/N) sum_n -log softmax(f(x_n; theta))_{y_n}."""
    net = nn.MLP(sizes, activation="relu", seed=0)
    net.params = list(params)
    return nn.softmax_cross_entropy(net.predict(X), y)


def filter_normalized_direction(params, seed=0):
    """A random direction d with the structure of params, filter-normalized (Li et al. 2018):

        d ~ N(0, I);  for every filter j of a weight matrix W (here: column W[:, j], the
        weights into unit j)   d[:, j] <- d[:, j] / ||d[:, j]|| * ||W[:, j]||;   biases: d = 0.

    So a step of length 1 along d changes every unit's weights by as much as their own size,
    which makes plots of different networks comparable. params: [W1, b1, W2, b2, ...].
    Returns a list of arrays with the shapes of params.
    """
    rng = np.random.default_rng(seed)
    direction = []
    for k, p in enumerate(params):
        if k % 2 == 1:  # a bias vector
            direction.append(np.zeros_like(p))
            continue
        d = rng.standard_normal(p.shape)
        d *= np.linalg.norm(p, axis=0) / np.linalg.norm(d, axis=0)
        direction.append(d)
    return direction


def loss_along_line(sizes, theta_a, theta_b, X, y, coefficients):
    """J((1 - c) theta_a + c theta_b) for each c in coefficients -> array (len(coefficients),)."""
    return np.array([loss_at(sizes, [(1 - c) * a + c * b for a, b in zip(theta_a, theta_b)], X, y)
                     for c in coefficients])


def loss_on_plane(sizes, theta, d1, d2, X, y, coordinates):
    """J(theta + u d1 + v d2) for u, v in coordinates -> array (len(v), len(u)) (rows: v)."""
    grid = np.empty((len(coordinates), len(coordinates)))
    for i, v in enumerate(coordinates):
        for j, u in enumerate(coordinates):
            params = [p + u * a + v * b for p, a, b in zip(theta, d1, d2)]
            grid[i, j] = loss_at(sizes, params, X, y)
    return grid
