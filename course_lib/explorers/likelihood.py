"""Explorers of 03_maximum_likelihood: estimator bias against n, cross-entropy and KL of two
discrete distributions, and the sigma of the Gaussian noise model in "MSE as MLE"."""

from __future__ import annotations

import numpy as np

from .. import estimators, nn
from .base import Explorer, implementation_switch, log_slider, slider

# ----------------------------------------------------------------------------------------------
# 1. The bias of the variance estimator against the sample size n
# ----------------------------------------------------------------------------------------------


class VarianceBiasExplorer(Explorer):
    """Monte Carlo: draw `trials` samples x_1..x_n ~ N(0, sigma^2) and compute on each
        sigma_hat^2 = (1/n) sum_i (x_i - mu_hat)^2     (biased, the Gaussian MLE)
        s^2         = 1/(n-1) sum_i (x_i - mu_hat)^2   (unbiased)
    Left: histograms of both estimates for the chosen n, their means, sigma^2 and the
    lecture's (1 - 1/n) sigma^2. Right: the mean of each estimator against n.
    """

    def __init__(self, sigma=1.0, n_max=40, trials=4000, seed=0):
        self.sigma2 = float(sigma) ** 2
        self.ns = np.arange(2, n_max + 1)
        rng = np.random.default_rng(seed)
        data = sigma * rng.standard_normal((trials, n_max))
        self.bins = np.linspace(0.0, 3.0 * self.sigma2, 61)
        self.hist = {}
        self.stats = {}
        for n in self.ns:
            biased = estimators.biased_variance(data[:, :n])
            unbiased = estimators.unbiased_variance(data[:, :n])
            width = self.bins[1] - self.bins[0]
            self.hist[n] = [np.histogram(v, self.bins)[0] / (trials * width) for v in (biased, unbiased)]
            self.stats[n] = {name: (v.mean(), v.var(), np.mean((v - self.sigma2) ** 2))
                             for name, v in (("biased", biased), ("unbiased", unbiased))}
        controls = {"n": slider("sample size n", 5, 2, int(n_max), 1)}
        super().__init__(controls, main="n", figsize=(10.0, 3.8),
                         question="at n = 2, how far below sigma^2 is the mean of the biased "
                                  "estimator, and which estimator has the smaller spread? "
                                  "From which n on is the bias below 5%?")

    def setup(self, fig):
        self.ax_hist, self.ax_mean = fig.subplots(1, 2)
        ax = self.ax_hist
        centers = 0.5 * (self.bins[1:] + self.bins[:-1])
        self.centers = centers
        top = max(max(h.max() for h in pair) for n, pair in self.hist.items() if n >= 3)
        ax.set(title="Estimates of sigma² over many samples", xlabel="estimate of sigma²",
               ylabel="density", xlim=(0, self.bins[-1]), ylim=(0, 1.1 * top))
        ax.axvline(self.sigma2, color="black", lw=1.5, label="true sigma²")
        self.h_biased, = ax.step(centers, np.zeros_like(centers), where="mid", color="C3",
                                 label="biased (1/n)")
        self.h_unbiased, = ax.step(centers, np.zeros_like(centers), where="mid", color="C0",
                                   label="unbiased (1/(n-1))")
        self.m_biased = ax.axvline(0, color="C3", ls="--", lw=1.2)
        self.m_lecture = ax.axvline(0, color="C3", ls=":", lw=2.5, alpha=0.6,
                                    label="lecture (1 - 1/n) sigma²")
        self.m_unbiased = ax.axvline(0, color="C0", ls="--", lw=1.2)
        ax.legend(loc="upper right", fontsize=7)

        ax = self.ax_mean
        means_b = [self.stats[n]["biased"][0] for n in self.ns]
        means_u = [self.stats[n]["unbiased"][0] for n in self.ns]
        ax.plot(self.ns, (1 - 1 / self.ns) * self.sigma2, color="C3", lw=2.5, alpha=0.4,
                label="lecture: (1 - 1/n) sigma²")
        ax.plot(self.ns, means_b, "o", color="C3", ms=3, label="mean of biased (Monte Carlo)")
        ax.plot(self.ns, means_u, "o", color="C0", ms=3, label="mean of unbiased (Monte Carlo)")
        ax.axhline(self.sigma2, color="black", lw=1)
        ax.set(title="E[estimate] against n: the bias goes to 0", xlabel="sample size n",
               ylabel="mean of the estimates", ylim=(0.4 * self.sigma2, 1.15 * self.sigma2))
        ax.legend(loc="lower right", fontsize=7)
        self.n_line = ax.axvline(5, color="gray", lw=1)
        fig.tight_layout()
        return [self.h_biased, self.h_unbiased, self.m_biased, self.m_lecture, self.m_unbiased,
                self.n_line]

    def update(self, n):
        hb, hu = self.hist[n]
        self.h_biased.set_ydata(hb)
        self.h_unbiased.set_ydata(hu)
        (mb, vb, eb), (mu, vu, eu) = self.stats[n]["biased"], self.stats[n]["unbiased"]
        lecture = (1 - 1 / n) * self.sigma2
        self.m_biased.set_xdata([mb, mb])
        self.m_lecture.set_xdata([lecture, lecture])
        self.m_unbiased.set_xdata([mu, mu])
        self.n_line.set_xdata([n, n])
        self.show_numbers([f"n = {n}",              # under the plot: the browser draws the text
                           f"lecture (1-1/n)s² = {lecture:.3f}",
                           f"mean biased       = {mb:.3f}",
                           f"mean unbiased     = {mu:.3f}",
                           f"variance: biased {vb:.3f}, unbiased {vu:.3f}",
                           f"MSE:      biased {eb:.3f}, unbiased {eu:.3f}"])
        self.say("")


# ----------------------------------------------------------------------------------------------
# 2. Cross-entropy and KL divergence of two discrete distributions
# ----------------------------------------------------------------------------------------------


def bump_distribution(center, width, K=6, floor=0.02):
    """A discrete distribution on {0, ..., K-1} shaped like a bump:

        p_k proportional to exp(-(k - center)^2 / (2 width^2)),  mixed with the uniform
        distribution:  (1 - floor) p + floor / K   (so no p_k is 0 and every KL is finite).

    center, width > 0, floor in [0, 1] numbers. Returns an array (K,) summing to 1.
    """
    if width <= 0:
        raise ValueError(f"width must be positive, got {width}")
    k = np.arange(K, dtype=np.float64)
    p = np.exp(-((k - center) ** 2) / (2 * width**2))
    p = p / p.sum()
    return (1 - floor) * p + floor / K


class CrossEntropyExplorer(Explorer):
    """Two discrete distributions p (the data) and q (the model) on K outcomes; the bars show
    H(p), KL(p || q), H(p, q) and KL(q || p), computed with the student's functions once
    they pass their checks. The identity H(p, q) = H(p) + KL(p || q) is drawn as a stacked bar.
    """

    K = 6

    def __init__(self):
        controls = {
            "q_center": slider("q center", 1.0, 0.0, 5.0, 0.1),
            "q_width": slider("q width", 1.0, 0.4, 3.0, 0.1),
            "p_center": slider("p center", 3.0, 0.0, 5.0, 0.1),
            "p_width": slider("p width", 0.8, 0.4, 3.0, 0.1),
            "cross_entropy": implementation_switch("cross_entropy", nn.cross_entropy,
                                                   label="cross_entropy"),
            "kl_divergence": implementation_switch("kl_divergence", nn.kl_divergence,
                                                   label="kl_divergence"),
        }
        super().__init__(controls, main="q_center", figsize=(10.0, 3.8),
                         question="move q onto p: what does KL(p || q) become, and what is "
                                  "then left of H(p, q)? Make q wide and p narrow, then the "
                                  "other way round: is KL symmetric?")

    def setup(self, fig):
        self.ax_dist, self.ax_bars = fig.subplots(1, 2)
        k = np.arange(self.K)
        ax = self.ax_dist
        self.bars_p = ax.bar(k - 0.2, np.zeros(self.K), width=0.4, color="C0", label="p (data)")
        self.bars_q = ax.bar(k + 0.2, np.zeros(self.K), width=0.4, color="C1", label="q (model)")
        ax.set(title="Two distributions on K = 6 outcomes", xlabel="outcome k", ylabel="probability",
               ylim=(0, 1.0), xticks=k)
        ax.legend(loc="upper right", fontsize=8)
        ax = self.ax_bars
        x = np.arange(4)
        self.bar_h = ax.bar(x[:1], [0.0], color="C0", width=0.6)[0]
        self.bar_kl = ax.bar(x[1:2], [0.0], color="C3", width=0.6)[0]
        self.bar_ce_low = ax.bar(x[2:3], [0.0], color="C0", width=0.6, label="H(p)")[0]
        self.bar_ce_high = ax.bar(x[2:3], [0.0], color="C3", width=0.6, label="KL(p || q)")[0]
        self.bar_klr = ax.bar(x[3:4], [0.0], color="gray", width=0.6, label="KL(q || p)")[0]
        self.ce_line = ax.hlines(0, 1.65, 2.35, color="black", lw=2, label="H(p, q) computed")
        ax.set_xticks(x, ["H(p)", "KL(p||q)", "H(p,q)\n= H(p) + KL", "KL(q||p)"])
        ax.set(title="Entropy, cross-entropy and KL (nats)", ylabel="nats", ylim=(0, 6.5))
        ax.legend(loc="upper left", fontsize=7)
        fig.tight_layout()
        return [*self.bars_p, *self.bars_q, self.bar_h, self.bar_kl, self.bar_ce_low,
                self.bar_ce_high, self.bar_klr, self.ce_line]

    def update(self, q_center, q_width, p_center, p_width, cross_entropy, kl_divergence):
        p = bump_distribution(p_center, p_width, self.K)
        q = bump_distribution(q_center, q_width, self.K)
        for bar, value in zip(self.bars_p, p):
            bar.set_height(value)
        for bar, value in zip(self.bars_q, q):
            bar.set_height(value)
        H = nn.entropy(p)
        ce = float(cross_entropy(p.copy(), q.copy()))
        kl = float(kl_divergence(p.copy(), q.copy()))
        kl_reverse = float(kl_divergence(q.copy(), p.copy()))
        self.bar_h.set_height(H)
        self.bar_kl.set_height(kl)
        self.bar_ce_low.set_height(H)
        self.bar_ce_high.set_y(H)
        self.bar_ce_high.set_height(kl)
        self.bar_klr.set_height(kl_reverse)
        self.ce_line.set_segments([[(1.65, ce), (2.35, ce)]])
        self.show_numbers([f"H(p)        = {H:.4f}", f"KL(p||q)    = {kl:.4f}",
                           f"H(p) + KL   = {H + kl:.4f}", f"H(p,q)      = {ce:.4f}",
                           f"KL(q||p)    = {kl_reverse:.4f}"])
        self.say("")


# ----------------------------------------------------------------------------------------------
# 3. The sigma of the Gaussian noise model: NLL and MSE have the same minimizer
# ----------------------------------------------------------------------------------------------


class NoiseSigmaExplorer(Explorer):
    """Regression through the origin, y_hat = w x, with the model p(y | x) = N(y; w x, sigma^2).
    Left: data, the line and its +-sigma, +-2 sigma bands. Right: the mean Gaussian NLL against w
    for the chosen sigma (student's gaussian_nll once it passes) and the MSE on a second axis;
    their minimizers coincide for every sigma.
    """

    def __init__(self, x, y):
        self.x = np.asarray(x, dtype=np.float64)
        self.y = np.asarray(y, dtype=np.float64)
        self.w_grid = np.linspace(-1.0, 5.0, 121)
        self.xs = np.linspace(self.x.min(), self.x.max(), 50)
        self.mse = np.array([np.mean((w * self.x - self.y) ** 2) for w in self.w_grid])
        self.w_mse = float(self.x @ self.y / (self.x @ self.x))  # closed-form least squares
        # fixed NLL axis (symlog) covering every sigma of the slider: no redraw of the axes
        sigmas = np.logspace(-1.3, 0.5, 10)
        nll = self.mse[None, :] / (2 * sigmas[:, None] ** 2) + 0.5 * np.log(2 * np.pi * sigmas[:, None] ** 2)
        positive = nll.min() > 0
        self.nll_scale = "log" if positive else "symlog"
        low = nll.min() / 1.5 if positive else nll.min() - 0.5
        self.nll_limits = (low, nll.max() * 1.5)
        controls = {
            "sigma": log_slider("sigma of the noise model", 0.3, -1.3, 0.5),
            "w": slider("slope w", 1.0, -1.0, 5.0, 0.05),
            "gaussian_nll": implementation_switch("gaussian_nll", nn.gaussian_nll,
                                                  label="gaussian_nll"),
        }
        self._shown = None
        super().__init__(controls, main="sigma", figsize=(10.0, 3.8),
                         question="change sigma from 0.05 to 3: does the w with the smallest NLL "
                                  "move? What does sigma change about the NLL curve?")

    def setup(self, fig):
        self.ax_fit, self.ax_nll = fig.subplots(1, 2)
        ax = self.ax_fit
        ax.plot(self.x, self.y, "o", color="black", ms=4, label="data")
        self.line, = ax.plot([], [], color="C1", label="mean w x")
        self.band1 = ax.fill_between(self.xs, 0 * self.xs, 0 * self.xs, color="C1", alpha=0.25,
                                     label="± sigma")
        self.band2 = ax.fill_between(self.xs, 0 * self.xs, 0 * self.xs, color="C1", alpha=0.12,
                                     label="± 2 sigma")
        span = self.y.max() - self.y.min()
        ax.set(title="The model N(y; w x, sigma²)", xlabel="x", ylabel="y",
               ylim=(self.y.min() - 0.5 * span, self.y.max() + 0.5 * span))
        ax.legend(loc="upper left", fontsize=7)
        ax = self.ax_nll
        self.nll_curve, = ax.plot([], [], color="C0", label="mean NLL (left axis)")
        self.nll_point, = ax.plot([], [], "o", color="C1", ms=7)
        self.nll_min = ax.axvline(0, color="C0", ls="--", lw=1.2, label="argmin NLL")
        ax.set_yscale(self.nll_scale)
        ax.set(title="NLL and MSE against w", xlabel="slope w", ylabel=f"mean NLL ({self.nll_scale} scale)",
               xlim=(self.w_grid[0], self.w_grid[-1]), ylim=self.nll_limits)
        twin = ax.twinx()
        twin.plot(self.w_grid, self.mse, color="gray", lw=3, alpha=0.35, label="MSE (right axis)")
        twin.axvline(self.w_mse, color="gray", ls=":", lw=2.5, label="argmin MSE")
        twin.set_ylabel("MSE")
        twin.set_ylim(0, self.mse.max() * 1.05)
        lines = ax.get_legend_handles_labels()
        more = twin.get_legend_handles_labels()
        ax.legend(lines[0] + more[0], lines[1] + more[1], loc="lower right", fontsize=7)
        fig.tight_layout()
        return [self.line, self.band1, self.band2, self.nll_curve, self.nll_point, self.nll_min]

    @staticmethod
    def _band_vertices(xs, low, high):
        return [np.concatenate([np.stack([xs, low], 1), np.stack([xs[::-1], high[::-1]], 1)])]

    def update(self, sigma, w, gaussian_nll):
        if self._shown != (sigma, gaussian_nll):
            nll = np.array([gaussian_nll(self.y, wg * self.x, sigma) for wg in self.w_grid],
                           dtype=np.float64)
            self.nll = nll
            self.nll_curve.set_data(self.w_grid, nll)
            w_best = self.w_grid[np.argmin(nll)]
            self.nll_min.set_xdata([w_best, w_best])
            self._shown = (sigma, gaussian_nll)
        mean = w * self.xs
        self.line.set_data(self.xs, mean)
        self.band1.set_verts(self._band_vertices(self.xs, mean - sigma, mean + sigma))
        self.band2.set_verts(self._band_vertices(self.xs, mean - 2 * sigma, mean + 2 * sigma))
        nll_here = float(gaussian_nll(self.y, w * self.x, sigma))
        mse_here = float(np.mean((w * self.x - self.y) ** 2))
        self.nll_point.set_data([w], [nll_here])
        const = 0.5 * np.log(2 * np.pi * sigma**2)
        # the numbers go in the note under the plot (in the plot they covered the legend)
        self.say(f"argmin NLL (grid) = {self.w_grid[np.argmin(self.nll)]:.2f}, "
                 f"argmin MSE = {self.w_mse:.3f};   at w = {w:.2f}: NLL = {nll_here:.3f} = "
                 f"MSE/(2 sigma²) + ½ log(2 pi sigma²) = {mse_here / (2 * sigma**2) + const:.3f}",
                 in_plot=False)
