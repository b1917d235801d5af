"""course_lib.quadratics: every formula checked against an independent computation (the 2 x 2
matrix's eigenvalues, simulated trajectories, the optimizer on the full quadratic, grid search)."""

import numpy as np
import pytest

from course_lib.optimizers import momentum_update
from course_lib.quadratics import (
    critical_beta,
    eigen_directions,
    gd_optimal,
    momentum_rate,
    polyak_optimal,
    quadratic_rate,
    regime,
    trajectories,
)


def spectral_radius(alpha, beta, lam):
    M = np.array([[1 - alpha * lam, beta], [-alpha * lam, beta]])   # (x, v) -> (x', v')
    return np.max(np.abs(np.linalg.eigvals(M)))


def test_rate_is_the_spectral_radius_of_one_step():
    rng = np.random.default_rng(0)
    for _ in range(500):
        alpha, beta, lam = rng.uniform(0, 3), rng.uniform(0, 0.999), rng.uniform(0, 3)
        assert momentum_rate(alpha, beta, lam) == pytest.approx(spectral_radius(alpha, beta, lam),
                                                                rel=1e-6)


def test_rate_is_vectorised():
    alphas, betas = np.meshgrid(np.geomspace(1e-3, 3, 7), np.linspace(0, 0.99, 5))
    rates = momentum_rate(alphas, betas, 2.0)
    assert rates.shape == (5, 7)
    assert rates[3, 4] == pytest.approx(spectral_radius(alphas[3, 4], betas[3, 4], 2.0))


def test_rate_matches_simulated_trajectories():
    # away from critical damping the state shrinks by the rate per step, for large k
    rng = np.random.default_rng(1)
    checked = 0
    while checked < 40:
        alpha, beta, lam = 10 ** rng.uniform(-2, 0.3), rng.uniform(0, 0.95), rng.uniform(0.1, 2.5)
        rate = momentum_rate(alpha, beta, lam)
        if not 0.5 < rate < 0.99 or abs((1 + beta - alpha * lam) ** 2 - 4 * beta) < 0.05:
            continue
        x = trajectories(alpha, beta, [lam], [1.0], 1200)[:, 0]
        window = np.abs(x[-200:]).max() / np.abs(x[-1200:-1000]).max()
        assert window ** (1 / 1000) == pytest.approx(rate, rel=0.01), (alpha, beta, lam)
        checked += 1


def test_beta_zero_is_gradient_descent_and_the_stability_boundary():
    assert momentum_rate(0.3, 0.0, 2.0) == pytest.approx(0.4)
    assert momentum_rate(0.8, 0.0, 2.0) == pytest.approx(0.6)
    rng = np.random.default_rng(2)
    for _ in range(300):
        beta, alpha_lam = rng.uniform(0, 0.99), rng.uniform(0.01, 5)
        if abs(alpha_lam - 2 * (1 + beta)) < 1e-3:
            continue
        assert (momentum_rate(alpha_lam, beta, 1.0) < 1) == (alpha_lam < 2 * (1 + beta))


def test_critical_damping_is_where_the_roots_meet_and_the_best_beta_for_alpha():
    for alpha, lam in [(0.1, 0.1), (0.1, 2.0), (0.3, 1.0)]:
        beta_c = critical_beta(alpha, lam)
        assert (1 + beta_c - alpha * lam) ** 2 == pytest.approx(4 * beta_c)
        betas = np.linspace(0, 0.99, 9901)
        best = betas[np.argmin(momentum_rate(alpha, betas, lam))]
        assert best == pytest.approx(beta_c, abs=2e-4)
        assert momentum_rate(alpha, beta_c, lam) == pytest.approx(abs(1 - np.sqrt(alpha * lam)))


def test_gradient_descent_optimum_by_grid_search():
    alpha, rate = gd_optimal(0.1, 2.0)
    alphas = np.linspace(0.01, 1.0, 99001)
    rates = quadratic_rate(alphas, np.zeros_like(alphas), [0.1, 2.0])
    assert alphas[np.argmin(rates)] == pytest.approx(alpha, abs=1e-4)
    assert rates.min() == pytest.approx(rate, abs=1e-6) and rate == pytest.approx(19 / 21)


def test_polyak_optimum_by_grid_search_and_kappa_formula():
    mu, L = 0.1, 2.0
    alpha, beta, rate = polyak_optimal(mu, L)
    kappa = L / mu
    assert rate == pytest.approx((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1))
    assert quadratic_rate(alpha, beta, [mu, L]) == pytest.approx(rate, rel=1e-6)
    assert critical_beta(alpha, mu) == pytest.approx(beta)         # both ends critically damped
    A, B = np.meshgrid(np.linspace(0.5, 2.0, 601), np.linspace(0.0, 0.9, 451))
    grid = quadratic_rate(A, B, [mu, 0.5, L])                       # a middle eigenvalue changes nothing
    assert grid.min() >= rate - 1e-9
    assert grid.min() == pytest.approx(rate, abs=5e-3)


def test_trajectories_are_momentum_on_the_full_quadratic_in_eigen_coordinates():
    rng = np.random.default_rng(3)
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    A = Q @ np.diag([0.2, 1.0, 3.0]) @ Q.T
    lams, V = eigen_directions(A)
    assert np.allclose(lams, [0.2, 1.0, 3.0])
    theta_star, theta = rng.normal(size=3), rng.normal(size=3)
    x0 = V.T @ (theta - theta_star)
    xs = trajectories(0.2, 0.7, lams, x0, 50)
    v = np.zeros(3)
    for k in range(1, 51):
        theta, v = momentum_update(theta, v, A @ (theta - theta_star), 0.2, 0.7)
        assert np.allclose(V.T @ (theta - theta_star), xs[k])


def test_trajectories_stop_at_overflow_and_check_shapes():
    xs = trajectories(100.0, 0.0, [2.0], [1.0], 400)
    assert xs.shape == (401, 1) and np.isinf(xs[-1, 0]) and np.isfinite(xs[50, 0])
    with pytest.raises(ValueError, match="shape"):
        trajectories(0.1, 0.0, [1.0, 2.0], [1.0], 5)


def test_eigen_directions_refuses_a_non_symmetric_matrix():
    with pytest.raises(ValueError, match="symmetric"):
        eigen_directions(np.array([[1.0, 2.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="square"):
        eigen_directions(np.ones((2, 3)))


@pytest.mark.parametrize("alpha, beta, lam, expected", [
    (0.1, 0.0, 2.0, "monotone"), (0.8, 0.0, 2.0, "zigzag"), (0.1, 0.9, 0.1, "oscillating"),
    (1.2, 0.3, 2.0, "zigzag"), (0.1, 0.5, 2.0, "oscillating"),
])
def test_regime_names_what_the_trajectory_does(alpha, beta, lam, expected):
    assert regime(alpha, beta, lam) == expected
    x = trajectories(alpha, beta, [lam], [1.0], 60)[:, 0]
    flips = np.sum(np.sign(x[1:]) != np.sign(x[:-1]))
    if expected == "monotone":
        assert flips == 0
    elif expected == "zigzag":
        assert flips >= 55
    else:
        assert 1 <= flips < 55


def test_nesterov_rate_is_the_spectral_radius_and_matches_simulation():
    from course_lib.optimizers import nesterov_update
    from course_lib.quadratics import nesterov_rate

    rng = np.random.default_rng(4)
    for _ in range(300):
        alpha, beta, lam = rng.uniform(0, 2), rng.uniform(0, 0.99), rng.uniform(0, 3)
        h = alpha * lam
        M = np.array([[1 - h, beta * (1 - h)], [-h, beta * (1 - h)]])
        assert nesterov_rate(alpha, beta, lam) == pytest.approx(np.max(np.abs(np.linalg.eigvals(M))),
                                                                rel=1e-6, abs=1e-12)
    for alpha, beta, lam in [(0.1, 0.9, 2.0), (0.3, 0.5, 1.0), (0.6, 0.9, 2.0)]:
        x, v, norms = np.array([1.0]), np.array([0.0]), []
        for _ in range(1200):
            x, v = nesterov_update(x, v, lam * (x + beta * v), alpha, beta)
            norms.append(max(abs(x[0]), abs(v[0])))
        window = max(norms[-200:]) / max(norms[-1200:-1000])
        assert window ** (1 / 1000) == pytest.approx(nesterov_rate(alpha, beta, lam), rel=0.01)


def test_nesterov_stability_bound():
    from course_lib.quadratics import nesterov_rate

    for beta in [0.0, 0.5, 0.9]:
        bound = 2 * (1 + beta) / (1 + 2 * beta)
        assert nesterov_rate(bound * 0.999, beta, 1.0) < 1 < nesterov_rate(bound * 1.001, beta, 1.0)
    # the valley's steep direction at beta = 0.9: the explorer's 0.63 converges, 0.71 diverges
    assert nesterov_rate(0.631, 0.9, 2.0) < 1 < nesterov_rate(0.708, 0.9, 2.0)
