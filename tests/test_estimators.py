"""Tests of course_lib.estimators: variance estimators, Monte Carlo bias, Gaussian MLE and
the lecture's "MSE as MLE"."""

import numpy as np
import pytest

from course_lib.estimators import (
    biased_variance,
    compare_nll_and_mse_fits,
    fit_line,
    gaussian_mle,
    gaussian_sampler,
    monte_carlo,
    sample_mean,
    unbiased_variance,
)
from course_lib.nn import gaussian_nll


def test_hand_values():
    x = np.array([1.0, 2.0, 3.0, 4.0])  # mean 2.5, squared deviations sum to 5
    assert sample_mean(x) == 2.5
    assert biased_variance(x) == 5 / 4
    assert unbiased_variance(x) == 5 / 3
    assert gaussian_mle(x) == (2.5, 5 / 4)
    batch = np.stack([x, 2 * x])
    np.testing.assert_array_equal(biased_variance(batch), [5 / 4, 5.0])


def test_gaussian_mle_maximizes_the_likelihood():
    x = np.random.default_rng(0).normal(3.0, 2.0, size=50)
    mu, var = gaussian_mle(x)
    best = gaussian_nll(x, np.full(50, mu), np.sqrt(var))
    for dmu, dvar in [(0.01, 0), (-0.01, 0), (0, 0.01), (0, -0.01)]:
        assert gaussian_nll(x, np.full(50, mu + dmu), np.sqrt(var + dvar)) > best


# Monte Carlo tolerances: the mean of T estimates has standard error se = sd / sqrt(T), which
# monte_carlo returns as bias_se; a correct expectation lies within 4 se with probability
# 99.994%, and the runs are seeded, so these tests are deterministic as well.


@pytest.mark.parametrize("n", [2, 5, 20])
def test_biased_variance_expectation_is_1_minus_1_over_n_sigma2(n):
    sigma = 2.0
    r = monte_carlo(biased_variance, sigma**2, n, n_trials=100_000, seed=n,
                    sample=gaussian_sampler(mu=1.0, sigma=sigma))
    expected = (1 - 1 / n) * sigma**2  # the lecture: E[sigma_hat^2] = (1 - 1/n) sigma^2
    assert abs(r["mean"] - expected) < 4 * r["bias_se"]
    assert abs(r["bias"] - (-(sigma**2) / n)) < 4 * r["bias_se"]
    assert abs(r["bias"]) > 10 * r["bias_se"]  # the bias is really there


@pytest.mark.parametrize("n", [2, 5, 20])
def test_unbiased_variance_has_no_bias(n):
    r = monte_carlo(unbiased_variance, 9.0, n, n_trials=100_000, seed=100 + n,
                    sample=gaussian_sampler(sigma=3.0))
    assert abs(r["bias"]) < 4 * r["bias_se"]


def test_biased_estimator_can_have_smaller_mse():
    # Gaussian, sigma = 1, n = 5: MSE(1/n) = (2n - 1)/n^2 = 0.36 < MSE(1/(n-1)) = 2/(n-1) = 0.5
    n, T = 5, 100_000
    for estimator, expected in [(biased_variance, 9 / 25), (unbiased_variance, 0.5)]:
        r = monte_carlo(estimator, 1.0, n, n_trials=T, seed=1)
        sq = (r["estimates"] - 1.0) ** 2
        assert abs(r["mse"] - expected) < 4 * sq.std() / np.sqrt(T)
        assert r["mse"] == pytest.approx(r["bias"] ** 2 + r["variance"], rel=1e-10)


def test_monte_carlo_is_seeded_and_vectorized():
    a = monte_carlo(sample_mean, 0.0, 10, n_trials=1000, seed=3)
    b = monte_carlo(sample_mean, 0.0, 10, n_trials=1000, seed=3)
    assert a["estimates"].shape == (1000,) and np.array_equal(a["estimates"], b["estimates"])
    # Var[mean of 10 N(0,1)] = 1/10; relative sd of a variance from 1000 values ~ 4.5%
    assert a["variance"] == pytest.approx(0.1, rel=0.2)


@pytest.mark.parametrize("sigma", [0.1, 1.0, 5.0])
def test_nll_with_fixed_sigma_gives_the_mse_fit(sigma):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 30)
    y = 2 * x - 0.5 + 0.3 * rng.normal(size=30)
    r = compare_nll_and_mse_fits(x, y, sigma=sigma)
    np.testing.assert_allclose(r["theta_mse"], r["theta_least_squares"], atol=1e-9)
    np.testing.assert_allclose(r["theta_nll"], r["theta_least_squares"], atol=1e-9)
    assert r["max_difference"] < 1e-9


def test_fit_line_losses():
    x = np.array([-1.0, 0.0, 1.0])
    y = np.array([1.0, 2.0, 3.0])  # exactly y = x + 2
    theta, J, steps = fit_line(x, y, loss="mse")
    np.testing.assert_allclose(theta, [1.0, 2.0], atol=1e-10)
    assert J < 1e-20 and steps > 0
    theta, J, _ = fit_line(x, y, loss="gaussian_nll", sigma=1.0)
    np.testing.assert_allclose(theta, [1.0, 2.0], atol=1e-10)
    assert J == pytest.approx(0.5 * np.log(2 * np.pi))  # only the constant term is left


@pytest.mark.parametrize("call, match", [
    (lambda: unbiased_variance([1.0]), r"at least 2 values, got shape \(1,\)"),
    (lambda: biased_variance(3.0), r"at least 1 values, got shape \(\)"),
    (lambda: gaussian_sampler(sigma=0), r"sigma must be positive, got 0"),
    (lambda: monte_carlo(lambda s: s, 0.0, 3, n_trials=10),
     r"\(10, 3\) to \(10,\).*got shape \(10, 3\)"),
    (lambda: monte_carlo(sample_mean, 0.0, 0), r"n must be >= 1.*n=0"),
    (lambda: fit_line([1.0, 2.0], [1.0]), r"same length.*\(2,\) and \(1,\)"),
    (lambda: fit_line([1.0, 2.0], [1.0, 2.0], loss="mae"), r"'mse' or 'gaussian_nll', got 'mae'"),
])
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
