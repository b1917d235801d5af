"""Explorer of 01_generalization: polynomial degree, training-set size, noise and L2 strength.

Left: the training points, the true function f(x) = sin(pi x) and the fitted polynomial
    y_hat(x) = sum_k theta_k x^k,  theta = (X^T X + lambda I)^-1 X^T y   (ridge_fit).
Right: train and test MSE against the degree (0..15) for the current n, noise and lambda, with
the current degree marked and the noise floor noise^2 (the test MSE of the true function).
"""

from __future__ import annotations

import numpy as np

from ..data import make_regression_1d
from ..generalization import polynomial_features
from ..generalization import ridge_fit as reference_ridge_fit
from .base import Explorer, implementation_switch, log_slider, slider

MAX_DEGREE = 15
Y_LIMITS = (-2.5, 2.5)
MSE_LIMITS = (1e-4, 1e2)


class GeneralizationExplorer(Explorer):
    """Fit polynomials of degree 0..15 with L2 penalty lambda to n noisy samples of sin(pi x)."""

    def __init__(self, degree=3, n_train=15, noise=0.2, lam=1e-8, n_test=500, seed=0, ridge_fit=None):
        self.seed = seed
        self.n_test = n_test
        self.x_grid = np.linspace(-1, 1, 300)
        self.degrees = np.arange(MAX_DEGREE + 1)
        impl = implementation_switch("ridge_fit", reference_ridge_fit, label="ridge_fit")
        if ridge_fit is not None:
            impl.options = [("given", ridge_fit)]
        controls = {
            "degree": slider("degree", degree, 0, MAX_DEGREE, 1),
            "n_train": slider("training points n", n_train, 5, 60, 1),
            "noise": slider("noise std", noise, 0.0, 1.0, 0.05),
            "lam": log_slider("lambda", lam, -10, 2, step=0.25),
            "ridge_fit": impl,
        }
        super().__init__(controls, main="degree", figsize=(10.0, 4.0),
                         question="with n = 15 and noise 0.2, which degree has the lowest test error? "
                                  "Set degree 15: how large must lambda be to bring the test error back "
                                  "down, and what happens to the training error meanwhile?")

    def setup(self, fig):
        self.ax_fit, self.ax_err = fig.subplots(1, 2)
        self.ax_fit.plot(self.x_grid, np.sin(np.pi * self.x_grid), color="gray", ls="--",
                         label="true f(x) = sin(pi x)")
        self.ax_fit.set(title="Training data and the fitted polynomial", xlabel="x", ylabel="y",
                        xlim=(-1.05, 1.05), ylim=Y_LIMITS)
        self.points, = self.ax_fit.plot([], [], "o", color="C0", ms=5, label="training set")
        self.fit_line, = self.ax_fit.plot([], [], color="C1", lw=2, label="fit")
        self.ax_fit.legend(loc="upper left", fontsize=8)
        self.ax_err.set(title="Error against capacity (degree)", xlabel="polynomial degree",
                        ylabel="MSE (log scale)", yscale="log", xlim=(-0.5, MAX_DEGREE + 0.5),
                        ylim=MSE_LIMITS)
        self.train_line, = self.ax_err.plot([], [], "o-", color="C0", ms=3, label="train MSE")
        self.test_line, = self.ax_err.plot([], [], "o-", color="C3", ms=3, label="test MSE")
        self.floor = self.ax_err.axhline(1.0, color="gray", ls=":", label="noise floor noise^2")
        self.marker, = self.ax_err.plot([], [], "s", color="k", ms=9, mfc="none", label="current degree")
        self.ax_err.legend(loc="upper left", fontsize=8)
        fig.tight_layout()
        return [self.points, self.fit_line, self.train_line, self.test_line, self.floor, self.marker]

    def errors(self, degree, n_train, noise, lam, ridge_fit):
        """Fit every degree 0..15; returns (x, y, theta of `degree`, train MSE (16,), test MSE (16,)).

        The fits do not depend on `degree`: they are kept for the last (n, noise, lambda, fit),
        so moving the degree slider (the main one) only picks one of them."""
        key = (int(n_train), noise, lam, ridge_fit)
        if getattr(self, "_fits", (None,))[0] != key:
            x, y, f = make_regression_1d(int(n_train), noise=noise, seed=self.seed)
            x_test, y_test, _ = make_regression_1d(self.n_test, noise=noise, seed=self.seed + 1)
            train, test, thetas = [], [], []
            for d in self.degrees:
                theta = np.asarray(ridge_fit(polynomial_features(x, int(d)), y, lam), dtype=np.float64)
                train.append(np.mean((polynomial_features(x, int(d)) @ theta - y) ** 2))
                test.append(np.mean((polynomial_features(x_test, int(d)) @ theta - y_test) ** 2))
                thetas.append(theta)
            self._fits = (key, (x, y, thetas, np.array(train), np.array(test)))
        x, y, thetas, train, test = self._fits[1]
        return x, y, thetas[int(degree)], train, test

    def update(self, degree, n_train, noise, lam, ridge_fit):
        try:
            x, y, theta, train, test = self.errors(degree, n_train, noise, lam, ridge_fit)
        except np.linalg.LinAlgError as exc:
            self.fit_line.set_data([], [])
            self.say(f"ridge_fit failed ({exc}): X^T X + lambda I is singular; increase lambda")
            return False
        self.points.set_data(x, y)
        y_hat = polynomial_features(self.x_grid, int(degree)) @ theta
        self.fit_line.set_data(self.x_grid, y_hat)
        low, high = MSE_LIMITS
        # clip so that a zero training error or a huge test error stays visible at the plot's edge
        self.train_line.set_data(self.degrees, np.clip(np.nan_to_num(train, nan=high), low, high))
        self.test_line.set_data(self.degrees, np.clip(np.nan_to_num(test, nan=high), low, high))
        self.floor.set_ydata([max(noise ** 2, low)] * 2)
        self.marker.set_data([degree], [np.clip(np.nan_to_num(test[degree], nan=high), low, high)])
        text = self.message(degree, int(n_train), lam, theta, y_hat)
        # a failed fit is a warning (in the plot); the other remarks are notes under it
        self.say(text, in_plot=text.startswith("the fit failed"))
        return False

    @staticmethod
    def message(degree, n_train, lam, theta, y_hat):
        """A sentence for the situations worth a remark (else "")."""
        if not np.all(np.isfinite(theta)):
            return "the fit failed: theta contains NaN or inf"
        if degree + 1 > n_train and lam < 1e-6:
            return f"{degree + 1} coefficients > {n_train} points: the fit interpolates (train MSE ~ 0)"
        if np.max(np.abs(y_hat)) > 10 * Y_LIMITS[1]:
            return f"overfitting: the fit leaves the plot (|y_hat| up to {np.max(np.abs(y_hat)):.2g})"
        if lam >= 10:
            return f"lambda = {lam:.3g}: theta is pushed toward 0 (underfitting)"
        return ""
