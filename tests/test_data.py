"""Tests of course_lib.data: seeded generators and the shipped digits."""

import numpy as np
import pytest

from course_lib.data import (
    CLASSIFICATION_KINDS,
    default_function,
    load_digits,
    make_classification_2d,
    make_regression_1d,
)


def test_regression_1d_seeded_shapes_and_noise():
    x, y, f = make_regression_1d(2000, noise=0.2, seed=3)
    assert x.shape == y.shape == (2000,) and x.dtype == y.dtype == np.float64
    assert np.all(np.diff(x) >= 0) and x.min() >= -1 and x.max() <= 1
    assert f is default_function
    residual = y - np.sin(np.pi * x)
    # sample std of 2000 N(0, 0.2^2) values: standard error 0.2 / sqrt(4000) ~ 0.003
    assert residual.std() == pytest.approx(0.2, abs=0.015)
    x2, y2, _ = make_regression_1d(2000, noise=0.2, seed=3)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    assert not np.array_equal(y, make_regression_1d(2000, noise=0.2, seed=4)[1])


def test_regression_1d_custom_function_without_noise():
    x, y, f = make_regression_1d(10, noise=0.0, seed=0, f=lambda t: 3 * t + 1, x_range=(0, 2))
    np.testing.assert_array_equal(y, 3 * x + 1)
    assert x.min() >= 0 and x.max() <= 2


@pytest.mark.parametrize("kind", CLASSIFICATION_KINDS)
def test_classification_2d(kind):
    n_classes = 3 if kind in ("blobs", "spiral") else 2
    X, y = make_classification_2d(301, seed=1, kind=kind, n_classes=n_classes)
    assert X.shape == (301, 2) and X.dtype == np.float64
    assert y.shape == (301,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=n_classes)
    assert len(counts) == n_classes and counts.max() - counts.min() <= 1
    X2, y2 = make_classification_2d(301, seed=1, kind=kind, n_classes=n_classes)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    # the classes are different distributions: their means or spreads differ
    stats = [np.r_[X[y == c].mean(0), np.linalg.norm(X[y == c], axis=1).mean()]
             for c in range(n_classes)]
    assert np.ptp(np.array(stats), axis=0).max() > 0.2


def test_circles_radii():
    X, y = make_classification_2d(400, seed=0, kind="circles", noise=0.0)
    r = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(r[y == 0], 0.5)
    np.testing.assert_allclose(r[y == 1], 1.0)


def test_load_digits():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.all(np.isin(X * 16, np.arange(17)))  # pixels were integers 0..16
    # class sizes of the UCI optical digits test set (as in scikit-learn's load_digits)
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


@pytest.mark.parametrize("call, match", [
    (lambda: make_regression_1d(0), r"n must be a positive integer, got 0"),
    (lambda: make_regression_1d(5, noise=-1), r"noise must be >= 0.*-1"),
    (lambda: make_regression_1d(5, x_range=(1, 0)), r"low < high, got \(1, 0\)"),
    (lambda: make_regression_1d(5, f=lambda x: x[:2]), r"f must map x of shape \(5,\).*\(2,\)"),
    (lambda: make_classification_2d(10, kind="swirl"), r"kind must be one of.*'swirl'"),
    (lambda: make_classification_2d(10, kind="moons", n_classes=3), r"exactly 2 classes"),
    (lambda: make_classification_2d(10, kind="blobs", n_classes=1), r"at least 2, got 1"),
])
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
