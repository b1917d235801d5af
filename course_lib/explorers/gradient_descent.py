"""Explorers of 04_gradient_descent. They only draw; the numbers come from the modules below.

    LearningRateExplorer   alpha on a log slider's stops (0.5 among them), on a 1-D and a 2-D
                           convex function
    BatchSizeExplorer      minibatch SGD on linear regression: noise and cost against batch size
    RobbinsMonroExplorer   alpha_t = alpha_0 / t^p on a noisy convex problem
    ConvexityExplorer      f(t x1 + (1 - t) x2) <= t f(x1) + (1 - t) f(x2), and the f'' test

Numerics: course_lib.landscapes (descend_1d, step_size_regime, FUNCTIONS, and the loss landscape
of a small MLP: course_lib.loss_surface),
course_lib.data (make_linear_data), course_lib.estimators (minibatch_sgd, gradient_cloud),
course_lib.schedules (power_schedule, expected_squared_error, sgd_noisy_run).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..data import make_linear_data
from ..estimators import full_mse, gradient_cloud, minibatch_sgd
from ..generalization import minibatch_gradient
from ..landscapes import FUNCTIONS, LANDSCAPES, step_size_regime
from ..quadratics import gradient_descent
from ..schedules import expected_squared_error, power_schedule, robbins_monro_conditions, sgd_noisy_run
from .base import Explorer, implementation_switch, rate_slider, slider
from .quicktext import QuickText

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
            "alpha": rate_slider("learning rate alpha", 0.1, -3.0, 0.5, exact=(0.5,)),  # x = 0 in one step
            "run": implementation_switch("gradient_descent", gradient_descent,
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
        # the regimes in the plot change only at their boundaries: drawn from saved pixels;
        # the factors change with every move: printed under the plot (text is slow to draw)
        regime_y, regime_x = (step_size_regime(alpha, c, self.steps) for c in (2.0, 0.1))
        self.regime_1d.set_text(regime_y)
        self.regime_2d.set_text(f"along y: {regime_y}\nalong x: {regime_x}")
        for text in (self.regime_1d, self.regime_2d):
            self.snapshot(text, text.get_text(), overlay=True)
        self.show_numbers([f"f(x) = x²:          1 − 2α = {1 - 2 * alpha:.3g} ({regime_y})",
                           f"J = 0.05 x² + y²:   along y 1 − 2α = {1 - 2 * alpha:.3g}, "
                           f"along x 1 − 0.1α = {1 - 0.1 * alpha:.3g}"])
        parts = []
        if message_1d:
            parts.append(f"x²: {message_1d}")
        if message_2d:
            parts.append(f"valley: {message_2d}")
        self.say("; ".join(parts))


# ----------------------------------------------------------------------------------------------
# 2. The batch size
# ----------------------------------------------------------------------------------------------


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
            "gradient": implementation_switch("minibatch_gradient", minibatch_gradient,
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
        fig.tight_layout()
        return [self.line_steps, self.line_examples, self.cloud]

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
        self.show_numbers([f"m = {b}: spread {std:.3f}",
                           f"spread(m=1) / sqrt(m) = {std_1 / np.sqrt(b):.3f}",
                           f"cost per step: {b} examples"])
        self.say("")
        return limits_changed


# ----------------------------------------------------------------------------------------------
# 3. Robbins-Monro
# ----------------------------------------------------------------------------------------------


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
                                                robbins_monro_conditions,
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
        fig.tight_layout()
        return [self.line_alpha, self.line_sum, self.line_sum2, self.line_run, self.line_expected]

    def curves(self, p):
        """(alpha_t, sum alpha_t, sum alpha_t², E[error²], one run) at the shown t, for this p;
        kept per p: the two recursions over 10,000 steps cost 3 ms, and the slider has 31 stops,
        all computed when the explorer is built (about 0.1 s)."""
        cache = self.__dict__.setdefault("_curves", {})
        key = round(float(p), 9)
        if key not in cache:
            alphas = power_schedule(self.alpha_0, p, self.t)
            show = self.show
            cache[key] = (alphas[show - 1], np.cumsum(alphas)[show - 1],
                          np.cumsum(alphas**2)[show - 1], expected_squared_error(alphas),
                          sgd_noisy_run(alphas))
        return cache[key]

    def update(self, p, conditions):
        if not self.__dict__.get("_curves"):
            control = self.controls["p"]
            for stop in np.arange(control.min, control.max + control.step / 2, control.step):
                self.curves(stop)
        alpha_shown, sums, sums_sq, expected, run = self.curves(p)
        show = self.show
        self.line_alpha.set_data(show, alpha_shown)
        self.line_sum.set_data(show, sums)
        self.line_sum2.set_data(show, sums_sq)
        self.line_expected.set_data(show, expected[show])
        self.line_run.set_data(show, np.maximum(run[show] ** 2, 1e-12))
        names = ("alpha_t > 0", "sum alpha_t = inf", "sum alpha_t² < inf")
        holds = conditions(self.alpha_0, float(p))
        lines = [f"{'yes' if h else 'NO '} {n}" for h, n in zip(holds, names)]
        self.show_numbers(lines + [f"E[error²] at t={self.T}: {expected[-1]:.2g}"])
        self.say("")


# ----------------------------------------------------------------------------------------------
# 4. Convexity
# ----------------------------------------------------------------------------------------------

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
        # its numbers change with every move: a QuickText (cached glyphs, ~1 ms instead of ~6)
        self.text = self.ax_f.add_artist(QuickText(0.5, 0.03, "", transform=self.ax_f.transAxes,
                                                   ha="center", fontsize=8, family="monospace"))
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
