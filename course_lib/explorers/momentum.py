"""Why momentum works, on a quadratic (notebook 06), after Goh's Distill article (2017).

    from course_lib.explorers.momentum import MomentumExplorer
    MomentumExplorer()            # the valley J = 0.05 x^2 + y^2: eigenvalues 0.1 and 2

Left: x_k / x_0 along each eigen-direction of the quadratic against the step k, for the chosen
alpha and beta (momentum with beta = 0 is gradient descent). Right: the convergence rate of the
whole quadratic over the (alpha, beta) plane (a heatmap, darker = faster; white where it
diverges), with the critical-damping curve of each eigen-direction, gradient descent's best
alpha and Polyak's optimal (alpha, beta) marked, and the sliders' point. The numbers come from
course_lib.quadratics; this module only draws. Once the student's momentum_rate passed its
check, a switch lets the readout's rates come from it (the map stays the reference's).
"""

from __future__ import annotations

import numpy as np

from ..quadratics import (
    critical_beta,
    gd_optimal,
    momentum_rate,
    polyak_optimal,
    quadratic_rate,
    regime,
    trajectories,
)
from .base import Explorer, implementation_switch, log_slider, slider

COLORS = ("C0", "C3", "C2", "C4")


def steps_per_digit(rate):
    """How many steps shrink the distance by 10 at this rate: log(0.1) / log(rate) (inf if
    rate >= 1, 0 if rate = 0)."""
    if rate >= 1:
        return np.inf
    if rate == 0:
        return 0.0
    return float(np.log(0.1) / np.log(rate))


class MomentumExplorer(Explorer):
    """Momentum's eigen-directions and its convergence rate over the (alpha, beta) plane.

    MomentumExplorer(lams=(0.1, 2.0), alpha=0.1, beta=0.0, steps=100, question=None)
    lams: the eigenvalues of the quadratic (at most 4), default the valley's 0.1 and 2.
    Controls: alpha (log slider 1e-3 .. 10^0.6), beta (0 .. 0.99), steps (10 .. 300), and which
    momentum_rate computes the readout's rates (yours once it passed its check, or the reference).
    """

    alpha_range = (-3.0, 0.6)

    def __init__(self, lams=(0.1, 2.0), alpha=0.1, beta=0.0, steps=100, question=None):
        self.lams = np.sort(np.asarray(lams, dtype=np.float64))
        if self.lams.ndim != 1 or not 1 <= self.lams.size <= len(COLORS) or np.any(self.lams <= 0):
            raise ValueError(f"lams must be 1 to {len(COLORS)} positive eigenvalues, got {lams!r}")
        controls = {
            "alpha": log_slider("learning rate α", alpha, *self.alpha_range, step=0.01),
            "beta": slider("momentum β", beta, 0.0, 0.99, 0.01),
            "steps": slider("steps", steps, 10, 300, 10),
            "implementation": implementation_switch("momentum_rate", momentum_rate, label="momentum_rate"),
        }
        if question is None:
            question = ("set β = 0 and find the α at which both directions shrink equally fast; "
                        "then move to Polyak's star. How much faster is it?")
        self._steps_shown = None
        super().__init__(controls, main="alpha", lr="alpha", figsize=(11.0, 4.2), question=question)

    # -- static part ----------------------------------------------------------------------------
    def setup(self, fig):
        self.ax_path, self.ax_rate = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
        ax = self.ax_path
        ax.axhline(0.0, color="0.6", lw=0.8)
        self.lines = [ax.plot([], [], "-", color=c, lw=1.5, label=f"λ = {lam:g}")[0]
                      for lam, c in zip(self.lams, COLORS)]
        ax.set(ylim=(-1.3, 1.3), xlabel="step k", ylabel="x_k / x_0 along the eigen-direction",
               title="Each eigen-direction on its own")
        ax.legend(loc="upper right", fontsize=8)

        ax = self.ax_rate
        alphas = np.geomspace(10 ** self.alpha_range[0], 10 ** self.alpha_range[1], 240)
        betas = np.linspace(0.0, 0.99, 200)
        A, B = np.meshgrid(alphas, betas)
        rate = quadratic_rate(A, B, self.lams)
        shown = np.ma.masked_where(rate >= 1, rate)
        mu, L = self.lams[0], self.lams[-1]
        gd_alpha, gd_rate = gd_optimal(mu, L)
        p_alpha, p_beta, p_rate = polyak_optimal(mu, L)
        floor = np.floor(p_rate * 10) / 10           # the best rate there is, rounded down
        mesh = ax.pcolormesh(A, B, shown, cmap="viridis", vmin=floor, vmax=1.0, shading="auto")
        fig.colorbar(mesh, ax=ax, label="convergence rate (< 1 converges)")
        for lam, color in zip(self.lams, COLORS):
            on = alphas * lam <= 4
            ax.plot(alphas[on], critical_beta(alphas[on], lam), "--", color=color, lw=1.2,
                    label=f"critical damping, λ = {lam:g}")
        ax.plot([gd_alpha], [0.0], "s", color="orange", mec="k", ms=7, clip_on=False,
                label=f"best GD: α = {gd_alpha:.3g}, rate {gd_rate:.3f}")
        ax.plot([p_alpha], [p_beta], "*", color="gold", mec="k", ms=14,
                label=f"Polyak: α = {p_alpha:.3g}, β = {p_beta:.3f}, rate {p_rate:.3f}")
        self.point, = ax.plot([], [], "o", color="white", mec="red", mew=2, ms=9)
        ax.set(xscale="log", xlim=(alphas[0], alphas[-1]), ylim=(0.0, 0.99), xlabel="learning rate α",
               ylabel="momentum β", title="Rate of the whole quadratic (white: diverges)")
        ax.legend(loc="upper left", fontsize=7, framealpha=0.9)
        fig.subplots_adjust(left=0.07, right=0.97, bottom=0.13, top=0.91, wspace=0.22)
        return [*self.lines, self.point]

    @staticmethod
    def _until_it_leaves(x, bound=10.0):
        """x_k up to the first step where |x_k| > bound (that point kept, to show the curve
        leave the plot), then nothing: a diverging direction is a line that leaves, not a wall
        of zigzags."""
        out = np.array(x, dtype=np.float64)
        outside = np.nonzero(~(np.abs(out) <= bound))[0]
        if outside.size:
            out[outside[0]] = np.sign(out[outside[0]]) * bound if np.isfinite(out[outside[0]]) else bound
            out[outside[0] + 1:] = np.nan
        return out

    # -- what the sliders change ----------------------------------------------------------------
    def update(self, alpha, beta, steps, implementation=momentum_rate):
        limits_changed = steps != self._steps_shown
        if limits_changed:
            self.ax_path.set_xlim(0, steps)
            self._steps_shown = steps
        xs = trajectories(alpha, beta, self.lams, np.ones_like(self.lams), steps)
        k = np.arange(steps + 1)
        for line, x in zip(self.lines, xs.T):
            line.set_data(k, self._until_it_leaves(x))
        rates = [float(implementation(alpha, beta, float(lam))) for lam in self.lams]
        rate = max(rates)
        slowest = self.lams[int(np.argmax(rates))]
        lines = [f"α = {alpha:.3g}, β = {beta:.2f}"]
        lines += [f"λ = {lam:g}: rate {r:.3f}, {regime(alpha, beta, lam)}"
                  for lam, r in zip(self.lams, rates)]
        lines.append(f"quadratic: rate {rate:.3f} (slowest λ = {slowest:g})")
        if rate < 1:
            lines.append(f"10× closer every {steps_per_digit(rate):.1f} steps")
        self.show_numbers(lines)           # under the plot: the browser draws the text
        self.point.set_data([alpha], [beta])
        if rate >= 1:
            # no number that changes with α: the warning is drawn once per (λ, β), the rates
            # are in the readout under the plot
            self.say(f"diverged: the rate along λ = {slowest:g} is ≥ 1, |x_k| grows "
                     f"(converges only while α λ < 2 (1 + β) = {2 * (1 + beta):.2f})")
        else:
            self.say("")
        return limits_changed
