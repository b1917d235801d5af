"""Explorer of 02_double_descent: random ReLU features regression, test error against the
number of features p, for any label noise, number of training samples n and ridge strength.

The model and the data are those of course_lib.generalization.double_descent_curve (same seeds,
so the curves agree with it): Phi = relu(X V + c) with random V, c, and only theta is fitted,

    theta = argmin ||Phi theta - y||^2 + l2 ||theta||^2     (l2 = 0: the minimum-norm solution).

Why a slider move is cheap. With the thin SVD Phi_p = U diag(s) W^T of the first p features,

    theta = W diag(d) U^T y,   d_i = s_i / (s_i^2 + l2)   (l2 = 0: d_i = 1 / s_i, 0 for s_i ~ 0),

so the train MSE, the test MSE and ||theta||^2 are simple sums over the singular directions i.
We compute the SVDs once per n (cached) and keep, per seed and p: s, U^T f and U^T eps (the
clean targets and the noise of y = f + noise * eps), and the test-set Gram matrix of the
directions, G = W^T (Phi_test^T Phi_test / m) W. A move of the noise or ridge slider is then a
few array operations on these (about 10 ms with the plot), and a move of the features slider
only moves a marker. The first visit of a new n costs one SVD per (seed, p): 0.1-0.5 s.
"""

from __future__ import annotations

import numpy as np

from ..generalization import make_double_descent_data, make_random_features, relu_features, teacher_function
from .base import Explorer, log_slider, slider

MSE_LIMITS = (1e-3, 1e4)
NORM_LIMITS = (1e-1, 1e4)


def feature_grid(max_features=200):
    """Every p up to 80 (the thresholds p = n <= 60 and their surroundings), then every 5th p up to
    max_features, where the curves are smooth. Shape (P,), about 105 values for max_features = 200."""
    return np.unique(np.r_[np.arange(1, min(max_features, 80) + 1), np.arange(80, max_features + 1, 5),
                           max_features])


def spectral_cache(n_train, features, n_test=500, dim=8, n_seeds=5, seed=0):
    """SVD summaries of the random-features problem for every p in `features` and every seed.

    Returns a dict of arrays, padded with zeros to r = n_train singular directions:
      s (S, P, r), uf = U^T f_train, ue = U^T eps (S, P, r), G (S, P, r, r), h = W^T Phi_test^T f / m
      (S, P, r), and per seed ff = ||f_train||^2, fe = f_train . eps, ee = ||eps||^2, f2 = mean f_test^2.
    """
    features = np.asarray(features)
    S, P, r = n_seeds, len(features), n_train
    out = {name: np.zeros((S, P, r)) for name in ("s", "uf", "ue", "h", "tol")}
    out["G"] = np.zeros((S, P, r, r))
    for name in ("ff", "fe", "ee", "f2"):
        out[name] = np.zeros(S)
    for i, s_ in enumerate(range(seed, seed + n_seeds)):
        X_train, y_one, X_test, f_test = make_double_descent_data(n_train, n_test, dim, noise=1.0, seed=s_)
        f_train = teacher_function(X_train)
        eps = y_one - f_train   # the same draw for every noise level: y = f_train + noise * eps
        V, c = make_random_features(dim, int(features.max()), seed=s_ + 10_000)
        Phi_train, Phi_test = relu_features(X_train, V, c), relu_features(X_test, V, c)
        C = Phi_test.T @ Phi_test / n_test
        k = Phi_test.T @ f_test / n_test
        out["ff"][i], out["fe"][i], out["ee"][i] = f_train @ f_train, f_train @ eps, eps @ eps
        out["f2"][i] = np.mean(f_test ** 2)
        for j, p in enumerate(features):
            U, s, Wt = np.linalg.svd(Phi_train[:, :p], full_matrices=False)
            q = len(s)
            out["s"][i, j, :q] = s
            out["tol"][i, j, :q] = np.finfo(np.float64).eps * max(n_train, p) * s[0]
            out["uf"][i, j, :q] = U.T @ f_train
            out["ue"][i, j, :q] = U.T @ eps
            out["G"][i, j, :q, :q] = Wt @ C[:p, :p] @ Wt.T
            out["h"][i, j, :q] = Wt @ k[:p]
    return out


def curves_from_cache(cache, noise, l2):
    """Train MSE, test MSE and ||theta||^2 against p, averaged over the seeds.

    With c = U^T y = uf + noise ue and a = d * c (theta = W a):
      test MSE  = a^T G a - 2 a . h + mean(f_test^2)
      train MSE = (||y||^2 - ||c||^2 + sum_i (1 - s_i d_i)^2 c_i^2) / n
      ||theta||^2 = sum_i a_i^2
    Returns three arrays of shape (P,).
    """
    s = cache["s"]
    with np.errstate(divide="ignore", invalid="ignore"):
        if l2 > 0:
            d = s / (s ** 2 + l2)
        else:   # minimum norm: invert only the nonzero singular values (as np.linalg.lstsq does)
            d = np.where(s > cache["tol"], 1.0 / s, 0.0)
    c = cache["uf"] + noise * cache["ue"]
    a = d * c
    Ga = np.matmul(cache["G"], a[..., None])[..., 0]
    test = np.sum(a * Ga, axis=-1) - 2 * np.sum(a * cache["h"], axis=-1) + cache["f2"][:, None]
    y2 = cache["ff"] + 2 * noise * cache["fe"] + noise ** 2 * cache["ee"]
    n_train = s.shape[-1]
    train = (y2[:, None] - np.sum(c ** 2, axis=-1) + np.sum((1 - s * d) ** 2 * c ** 2, axis=-1)) / n_train
    norm2 = np.sum(a ** 2, axis=-1)
    # round-off can make a zero training error slightly negative
    return np.maximum(train, 0).mean(axis=0), np.maximum(test, 0).mean(axis=0), norm2.mean(axis=0)


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
