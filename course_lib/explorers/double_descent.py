"""Explorer of 02_double_descent: random ReLU features regression, test error against the
number of features p, for any label noise, number of training samples n and ridge strength.

The model and the data are those of course_lib.generalization.double_descent_curve (same seeds,
so the curves agree with it): Phi = relu(X V + c) with random V, c, and only theta is fitted,

    theta = argmin ||Phi theta - y||^2 + l2 ||theta||^2     (l2 = 0: the minimum-norm solution).

The numbers come from course_lib.generalization: spectral_cache (the SVDs, once per n) and
curves_from_cache (a slider move: a few array operations), which explain why a move is cheap.
"""

from __future__ import annotations

import numpy as np

from ..generalization import curves_from_cache, feature_grid, spectral_cache
from .base import Explorer, log_slider, slider

MSE_LIMITS = (1e-3, 1e4)
NORM_LIMITS = (1e-1, 1e4)


class DoubleDescentExplorer(Explorer):
    """Left: train and test MSE against p (log scale) with the interpolation threshold p = n.
    Right: the norm of the fitted theta against p. Sliders: p (marker), label noise, n, ridge l2.
    """

    def __init__(self, n_features=40, noise=0.3, n_train=40, l2=1e-8, max_features=200, n_seeds=5,
                 n_test=500, dim=8, seed=0, n_train_values=(10, 20, 30, 40, 50, 60)):
        self.features = feature_grid(max_features)
        self.settings = dict(n_test=n_test, dim=dim, n_seeds=n_seeds, seed=seed)
        self.n_train_values = tuple(n_train_values)
        self._caches = {}
        self._curves = {}
        self.cache(n_train)   # the other n are computed on their first visit (0.1-0.5 s each), then kept
        controls = {
            "n_features": slider("features p", n_features, 1, max_features, 1),
            "noise": slider("label noise std", noise, 0.0, 1.0, 0.05),
            "n_train": slider("training samples n", n_train, min(n_train_values), max(n_train_values),
                              n_train_values[1] - n_train_values[0]),
            "l2": log_slider("ridge l2", l2, -8, 1, step=0.25),
        }
        super().__init__(controls, main="n_features", figsize=(10.0, 4.0),
                         question="where is the test-error peak for n = 20, 40 and 60? Set the label noise "
                                  "to 0 and then to 1: how does the peak change? Which ridge strength l2 "
                                  "removes it, and what does that cost far from the peak?")

    def cache(self, n_train):
        """The spectral cache of one n (computed on first use, then kept)."""
        if n_train not in self._caches:
            self._caches[n_train] = spectral_cache(n_train, self.features, **self.settings)
        return self._caches[n_train]

    def curves(self, n_train, noise, l2):
        """(train MSE, test MSE, ||theta||^2) against p; the last few settings are remembered."""
        key = (n_train, round(noise, 6), l2)
        if key not in self._curves:
            if len(self._curves) > 64:
                self._curves.clear()
            self._curves[key] = curves_from_cache(self.cache(n_train), noise, l2)
        return self._curves[key]

    def setup(self, fig):
        self.ax_err, self.ax_norm = fig.subplots(1, 2)
        p_max = self.features[-1]
        self.ax_err.set(title="Double descent: error against the number of features",
                        xlabel="number of random features p", ylabel="MSE (log scale)",
                        yscale="log", xlim=(0, p_max), ylim=MSE_LIMITS)
        self.train_line, = self.ax_err.plot([], [], color="C0", ls="--", label="train MSE")
        self.test_line, = self.ax_err.plot([], [], color="C3", label="test MSE")
        self.threshold = self.ax_err.axvline(1, color="gray", ls=":", label="interpolation threshold p = n")
        self.marker, = self.ax_err.plot([], [], "s", color="k", mfc="none", ms=9, label="current p")
        self.ax_err.legend(loc="upper right", fontsize=8)
        self.ax_norm.set(title="Size of the fitted weights", xlabel="number of random features p",
                         ylabel="||theta|| (log scale)", yscale="log", xlim=(0, p_max),
                         ylim=NORM_LIMITS)
        self.norm_line, = self.ax_norm.plot([], [], color="C2", label="||theta||")
        self.threshold_norm = self.ax_norm.axvline(1, color="gray", ls=":")
        self.norm_marker, = self.ax_norm.plot([], [], "s", color="k", mfc="none", ms=9)
        self.ax_norm.legend(loc="upper right", fontsize=8)
        fig.tight_layout()
        return [self.train_line, self.test_line, self.threshold, self.marker, self.norm_line,
                self.threshold_norm, self.norm_marker]

    def update(self, n_features, noise, n_train, l2):
        n_train = min(self.n_train_values, key=lambda v: abs(v - n_train))
        train, test, norm2 = self.curves(n_train, noise, l2)
        low, high = MSE_LIMITS
        p = self.features
        self.train_line.set_data(p, np.clip(train, low, high))
        self.test_line.set_data(p, np.clip(test, low, high))
        self.norm_line.set_data(p, np.clip(np.sqrt(norm2), *NORM_LIMITS))
        for line in (self.threshold, self.threshold_norm):
            line.set_xdata([n_train, n_train])
        k = int(np.argmin(np.abs(p - n_features)))   # the nearest p of the grid
        self.marker.set_data([p[k]], [np.clip(test[k], low, high)])
        self.norm_marker.set_data([p[k]], [np.clip(np.sqrt(norm2[k]), *NORM_LIMITS)])
        peak = int(p[np.argmax(test)])
        if p[k] == n_train:
            self.say(f"p = n = {n_train}: the interpolation threshold", in_plot=False)
        elif test.max() < 2 * test.min() and l2 > 1e-3:
            self.say(f"l2 = {l2:.2g}: no peak left (highest test MSE at p = {peak})", in_plot=False)
        else:
            self.say("")
        return False
