"""Tests of course_lib.landscapes: exact gradients, minima, trajectories and divergence."""

import warnings

import numpy as np
import pytest

from course_lib.landscapes import LANDSCAPES, Landscape, Trajectory, trajectory
from course_lib.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSProp

NAMES = sorted(LANDSCAPES)


def finite_difference_gradient(landscape, theta, h=1e-6):
    g = np.zeros(2)
    for j in range(2):
        e = np.zeros(2)
        e[j] = h
        g[j] = (landscape.loss(theta + e) - landscape.loss(theta - e)) / (2 * h)
    return g


def finite_difference_hessian(landscape, theta, h=1e-5):
    H = np.zeros((2, 2))
    for j in range(2):
        e = np.zeros(2)
        e[j] = h
        H[:, j] = (landscape.grad(theta + e) - landscape.grad(theta - e)) / (2 * h)
    return H


def test_the_issue_landscapes_exist():
    assert {"valley", "rosenbrock", "beale", "saddle", "wells"} <= set(LANDSCAPES)
    for name, landscape in LANDSCAPES.items():
        assert isinstance(landscape, Landscape) and landscape.name == name


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_finite_differences(name):
    landscape = LANDSCAPES[name]
    rng = np.random.default_rng(0)
    points = rng.uniform([landscape.xlim[0], landscape.ylim[0]],
                         [landscape.xlim[1], landscape.ylim[1]], size=(20, 2))  # fmt: skip
    for theta in points:
        exact = landscape.grad(theta)
        numeric = finite_difference_gradient(landscape, theta)
        scale = max(1.0, np.abs(exact).max())
        np.testing.assert_allclose(exact, numeric, atol=1e-6 * scale)


@pytest.mark.parametrize("name", NAMES)
def test_minima_are_minima_and_the_first_is_global(name):
    landscape = LANDSCAPES[name]
    for m in landscape.minima:
        theta = np.array(m)
        assert np.abs(landscape.grad(theta)).max() < 1e-8
        assert np.all(np.linalg.eigvalsh(finite_difference_hessian(landscape, theta)) > 0)
        assert landscape.xlim[0] < m[0] < landscape.xlim[1]
        assert landscape.ylim[0] < m[1] < landscape.ylim[1]
    if landscape.minima:
        X, Y, Z = landscape.grid(300)
        assert landscape.f(*landscape.minima[0]) <= Z.min() + 1e-12
        values = [landscape.f(*m) for m in landscape.minima]
        assert values[0] == min(values)


def test_known_minimum_values():
    assert LANDSCAPES["valley"].f(0.0, 0.0) == 0.0
    assert LANDSCAPES["rosenbrock"].f(1.0, 1.0) == 0.0
    assert LANDSCAPES["beale"].f(3.0, 0.5) == 0.0
    assert len(LANDSCAPES["wells"].minima) == 4
    depths = sorted(LANDSCAPES["wells"].f(*m) for m in LANDSCAPES["wells"].minima)
    assert depths[0] < depths[1] < depths[2] < depths[3]  # four local minima, different depths
    for m in LANDSCAPES["himmelblau"].minima:
        assert LANDSCAPES["himmelblau"].f(*m) == pytest.approx(0.0, abs=1e-20)


def test_saddle_has_no_minimum_and_an_indefinite_hessian_at_0():
    saddle = LANDSCAPES["saddle"]
    assert saddle.minima == () and saddle.saddles == ((0.0, 0.0),)
    np.testing.assert_array_equal(saddle.grad([0.0, 0.0]), [0.0, 0.0])
    assert saddle.f(1.0, 0.0) == 1.0 and saddle.f(0.0, 1.0) == -1.0
    eigenvalues = np.linalg.eigvalsh(finite_difference_hessian(saddle, np.zeros(2)))
    assert eigenvalues == pytest.approx([-2.0, 2.0])


def test_valley_is_ill_conditioned():
    H = finite_difference_hessian(LANDSCAPES["valley"], np.array([1.0, 1.0]))
    eigenvalues = np.linalg.eigvalsh(H)
    assert eigenvalues == pytest.approx([0.1, 2.0])  # condition number 20


@pytest.mark.parametrize("name", NAMES)
def test_f_is_vectorized_and_plotting_helpers(name):
    landscape = LANDSCAPES[name]
    X, Y, Z = landscape.grid(50)
    assert X.shape == Y.shape == Z.shape == (50, 50)
    assert Z[7, 11] == landscape.f(X[7, 11], Y[7, 11])
    levels = landscape.levels(12)
    assert levels.shape == (12,) and np.all(np.diff(levels) > 0)
    x0, y0 = landscape.start
    assert landscape.xlim[0] < x0 < landscape.xlim[1] and landscape.ylim[0] < y0 < landscape.ylim[1]
    assert isinstance(landscape.title, str) and landscape.title


def test_grad_checks_the_shape():
    with pytest.raises(ValueError, match=r"theta must have shape \(2,\).*got \(3,\)"):
        LANDSCAPES["valley"].grad(np.zeros(3))


def test_trajectory_path_and_losses():
    valley = LANDSCAPES["valley"]
    result = trajectory(SGD(0.5), valley, start=(-9.0, 2.5), steps=100)
    assert isinstance(result, Trajectory)
    assert result.path.shape == (101, 2) and result.path.dtype == np.float64
    assert result.losses.shape == (101,)
    assert result.diverged_at is None and result.message == ""
    # SGD on 0.05 x^2 + y^2: x <- (1 - 0.5 * 0.1) x = 0.95 x, y <- (1 - 0.5 * 2) y = 0
    assert result.path[0] == pytest.approx([-9.0, 2.5])
    assert result.path[1] == pytest.approx([-9.0 * 0.95, 0.0])
    assert result.path[100] == pytest.approx([-9.0 * 0.95**100, 0.0])
    np.testing.assert_array_equal(result.losses, valley.f(result.path[:, 0], result.path[:, 1]))
    default = trajectory(SGD(0.5), "valley", steps=3)  # a name works, start defaults
    assert default.path[0] == pytest.approx(valley.start)


def test_divergence_reports_the_step_without_warnings():
    # SGD with alpha = 1.5 on 0.05 x^2 + y^2: y <- (1 - 1.5 * 2) y = -2 y, so |y_k| = 2.5 * 2^k
    # first exceeds 1e6 at k = 19 (2.5 * 2^18 = 655360, 2.5 * 2^19 = 1310720).
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = trajectory(SGD(1.5), LANDSCAPES["valley"], start=(-9.0, 2.5), steps=200)
    assert result.diverged_at == 19
    assert result.message == "diverged at step 19"
    assert result.path.shape == (19, 2) and result.losses.shape == (19,)
    assert np.all(np.isfinite(result.path)) and abs(result.path[-1, 1]) == 2.5 * 2**18


def test_overflow_to_infinity_is_caught_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = trajectory(SGD(1e300), LANDSCAPES["rosenbrock"], steps=50)
        beale = trajectory(Momentum(0.05), LANDSCAPES["beale"], steps=200)
    assert result.diverged_at is not None and result.message.startswith("diverged at step ")
    assert result.reason
    assert np.all(np.isfinite(result.path)) and np.all(np.isfinite(result.losses))
    assert beale.diverged_at is not None and beale.message == f"diverged at step {beale.diverged_at}"


def every_optimizer():
    return [SGD(0.01), Momentum(0.01), Nesterov(0.01), AdaGrad(0.5), RMSProp(0.05), Adam(0.05)]


@pytest.mark.parametrize("name", ["rosenbrock", "wells", "saddle"])
def test_trajectories_are_deterministic_bit_for_bit(name):
    for opt in every_optimizer():
        first = trajectory(opt, name, steps=100)
        second = trajectory(opt, name, steps=100)  # same object: trajectory resets it
        np.testing.assert_array_equal(first.path, second.path)
        np.testing.assert_array_equal(first.losses, second.losses)
        noisy = trajectory(opt, name, steps=50, noise=0.5, seed=3)
        again = trajectory(type(opt)(opt.alpha), name, steps=50, noise=0.5, seed=3)
        np.testing.assert_array_equal(noisy.path, again.path)
        other = trajectory(opt, name, steps=50, noise=0.5, seed=4)
        assert not np.array_equal(noisy.path, other.path)


def test_optimizers_reach_the_valley_minimum():
    for opt in (Momentum(0.5), Nesterov(0.5), Adam(0.5)):
        result = trajectory(opt, "valley", steps=500)
        assert result.diverged_at is None
        assert np.abs(result.path[-1]).max() < 1e-2, opt


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"start": (1.0, 2.0, 3.0)}, "start must be two finite numbers"),
        ({"start": (np.nan, 0.0)}, "start must be two finite numbers"),
        ({"steps": -1}, "steps must be an integer >= 0"),
        ({"noise": -0.1}, "noise must be a number >= 0"),
    ],
)
def test_trajectory_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        trajectory(SGD(0.1), "valley", **kwargs)
    with pytest.raises(ValueError, match="landscape must be one of"):
        trajectory(SGD(0.1), "himalaya")
