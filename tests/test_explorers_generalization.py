"""Explorers of 01_generalization and 02_double_descent: they draw, react to every slider,
say something sensible at the extremes, and agree with the reference code."""


import numpy as np
import pytest
from explorer_checks import assert_control_changes_plot, assert_shows_jpeg

from course_lib import generalization
from course_lib.explorers.double_descent import DoubleDescentExplorer
from course_lib.explorers.generalization import GeneralizationExplorer
from course_lib.generalization import curves_from_cache, spectral_cache


@pytest.fixture(scope="module")
def poly():
    return GeneralizationExplorer()


@pytest.fixture(scope="module")
def dd():
    return DoubleDescentExplorer(n_seeds=2, n_train_values=(10, 20, 30), n_train=20, n_features=10)


def _moves_change_the_picture(explorer, moves):
    assert_shows_jpeg(explorer)
    for name, value in moves:
        assert_control_changes_plot(explorer, name, value)


def test_polynomial_explorer_reacts_to_every_slider(poly):
    _moves_change_the_picture(poly, [("degree", 9), ("n_train", 30), ("noise", 0.5), ("lam", 1e-2)])


def test_polynomial_explorer_extremes_give_a_message_not_a_traceback(poly):
    poly.controls["lam"].value = 1e-10
    poly.controls["n_train"].value = 5
    poly.controls["degree"].value = 15
    assert "interpolates" in poly.note.value
    assert poly._message_text.get_text() == "", "a remark, not a warning: under the plot, not over it"
    poly.controls["lam"].value = 100.0
    assert "underfitting" in poly.note.value


def test_polynomial_explorer_errors_match_a_direct_fit(poly):
    ridge = lambda X, y, lam: np.linalg.solve(X.T @ X + lam * np.eye(X.shape[1]), X.T @ y)  # noqa: E731
    x, y, theta, train, test = poly.errors(3, 20, 0.2, 1e-3, ridge)
    coefficients = generalization.least_squares(generalization.polynomial_features(x, 3), y, l2=1e-3)
    assert np.allclose(theta, coefficients)
    assert np.isclose(train[3], np.mean((generalization.polynomial_features(x, 3) @ theta - y) ** 2))
    _, _, _, train, _ = poly.errors(3, 20, 0.2, 1e-12, generalization.least_squares)
    assert np.all(np.diff(train[:8]) <= 1e-9), "training error cannot grow with the degree at lambda ~ 0"


def test_polynomial_explorer_reports_a_failing_ridge_fit():
    def broken(X, y, lam):
        raise np.linalg.LinAlgError("Singular matrix")
    explorer = GeneralizationExplorer(ridge_fit=broken)
    assert "singular" in explorer.note.value


def test_double_descent_explorer_reacts_to_every_slider(dd):
    _moves_change_the_picture(dd, [("n_features", 20), ("noise", 0.8), ("n_train", 30), ("l2", 1e-1)])


def test_double_descent_explorer_names_the_threshold(dd):
    dd.controls["l2"].value = 1e-8
    dd.controls["n_train"].value = 20
    dd.controls["n_features"].value = 20
    assert "interpolation threshold" in dd.note.value


@pytest.mark.parametrize("noise, l2", [(0.5, 0.0), (1.0, 1e-2), (0.0, 1e-8)])
def test_spectral_shortcut_equals_fitting_every_model(noise, l2):
    features = np.arange(1, 31)
    cache = spectral_cache(10, features, n_test=50, dim=8, n_seeds=2)
    train, test, _ = curves_from_cache(cache, noise, l2)
    direct = generalization.double_descent_curve(features, n_train=10, n_test=50, dim=8, noise=noise,
                                                 l2=l2, n_seeds=2)
    assert np.allclose(train, direct["train_mse"], rtol=1e-6, atol=1e-10)
    assert np.allclose(test, direct["test_mse"], rtol=1e-6, atol=1e-10)


def test_theta_norm_is_that_of_the_min_norm_fit():
    features = np.array([5, 10, 20])
    cache = spectral_cache(10, features, n_test=20, dim=8, n_seeds=1)
    _, _, norm2 = curves_from_cache(cache, 0.5, 0.0)
    X, y, _, _ = generalization.make_double_descent_data(10, 20, 8, 0.5, seed=0)
    V, c = generalization.make_random_features(8, 20, seed=10_000)
    Phi = generalization.relu_features(X, V, c)
    expected = [np.sum((np.linalg.pinv(Phi[:, :p]) @ y) ** 2) for p in features]
    assert np.allclose(norm2, expected, rtol=1e-6)


def test_moving_the_degree_reuses_the_fits_and_a_new_lambda_refits():
    """The 16 fits depend on n, noise and lambda, not on the degree shown (the main slider)."""
    calls = []

    def counting_fit(X, y, lam):
        calls.append(X.shape[1])
        return generalization.ridge_fit(X, y, lam)

    explorer = GeneralizationExplorer(degree=3, n_train=15, noise=0.2, lam=1e-8, ridge_fit=counting_fit)
    assert len(calls) == 16
    fresh = GeneralizationExplorer(degree=7, n_train=15, noise=0.2, lam=1e-8)
    explorer.controls["degree"].value = 7
    assert len(calls) == 16
    assert np.array_equal(explorer.fit_line.get_ydata(), fresh.fit_line.get_ydata())
    explorer.controls["lam"].value = 1e-2
    assert len(calls) == 32
