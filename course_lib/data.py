"""Data sets: seeded synthetic generators and the 8x8 handwritten digits (shipped, offline).

Every generator takes a `seed` and uses its own np.random.default_rng(seed): the same seed
always gives the same data, and nothing touches numpy's global random state.
Splitting into train/validation/test sets lives in course_lib.generalization.
"""

from importlib import resources

import numpy as np


def default_function(x):
    """The default true function of make_regression_1d:  f(x) = sin(pi x)."""
    return np.sin(np.pi * np.asarray(x, dtype=np.float64))


def make_regression_1d(n, noise=0.1, seed=0, f=default_function, x_range=(-1.0, 1.0)):
    """A 1-D regression data set:  y_i = f(x_i) + noise * eps_i,  eps_i ~ N(0, 1),
    x_i ~ Uniform(x_range), returned sorted by x (convenient for plotting).

    Returns (x, y, f): x (n,), y (n,) float64 and the true function f (to plot it or to
    compute the noise-free target f(x)).
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if noise < 0:
        raise ValueError(f"noise must be >= 0 (a standard deviation), got {noise}")
    low, high = x_range
    if not low < high:
        raise ValueError(f"x_range must be (low, high) with low < high, got {x_range}")
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(low, high, size=n))
    fx = np.asarray(f(x), dtype=np.float64)
    if fx.shape != (n,):
        raise ValueError(f"f must map x of shape ({n},) to shape ({n},), got {fx.shape}")
    return x, fx + noise * rng.standard_normal(n), f


CLASSIFICATION_KINDS = ("blobs", "moons", "circles", "spiral")


def make_classification_2d(n, seed=0, kind="moons", noise=0.1, n_classes=2):
    """A 2-D classification data set of n points: X (n, 2) float64, y (n,) int64 in 0..C-1.

    kind = "blobs":   C Gaussian clusters, centers on a circle of radius 2, std 0.5 + noise.
           "moons":   two interleaving half circles (C = 2), plus N(0, noise^2) jitter.
           "circles": a disc inside a ring (C = 2; radii 0.5 and 1), plus jitter.
           "spiral":  C spiral arms (cs231n's toy data), angle jitter scaled by noise.
    Points are assigned to classes in turn (class sizes differ by at most 1) and shuffled.
    """
    if kind not in CLASSIFICATION_KINDS:
        raise ValueError(f"kind must be one of {CLASSIFICATION_KINDS}, got {kind!r}")
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if kind in ("moons", "circles") and n_classes != 2:
        raise ValueError(f"kind={kind!r} has exactly 2 classes, got n_classes={n_classes}")
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % n_classes).astype(np.int64)
    t = rng.uniform(0.0, 1.0, size=n)  # position along the shape of the class
    if kind == "blobs":
        angle = 2 * np.pi * y / n_classes
        centers = 2.0 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
        X = centers + (0.5 + noise) * rng.standard_normal((n, 2))
    elif kind == "moons":
        a = np.pi * t
        upper = np.stack([np.cos(a), np.sin(a)], axis=1)
        lower = np.stack([1 - np.cos(a), 0.5 - np.sin(a)], axis=1)
        X = np.where(y[:, None] == 0, upper, lower) + noise * rng.standard_normal((n, 2))
    elif kind == "circles":
        a = 2 * np.pi * t
        radius = np.where(y == 0, 0.5, 1.0)
        X = radius[:, None] * np.stack([np.cos(a), np.sin(a)], axis=1)
        X += noise * rng.standard_normal((n, 2))
    else:  # spiral
        a = 4.0 * t + 2 * np.pi * y / n_classes + 2 * noise * rng.standard_normal(n)
        X = t[:, None] * np.stack([np.sin(a), np.cos(a)], axis=1)
    return X.astype(np.float64), y


def load_digits():
    """The 8x8 handwritten digits shipped in course_lib/datafiles/digits.npz (never downloaded).

    1,797 images of the digits 0-9 with pixel values 0..16: the test set of the UCI "Optical
    Recognition of Handwritten Digits" data (Alpaydin & Kaynak, 1998; CC BY 4.0), exactly as
    scikit-learn ships it. See course_lib/datafiles/README.md.
    Returns X (1797, 64) float64 = pixels / 16 in [0, 1] (row-major 8x8 images; reshape a row
    to (8, 8) to view it) and y (1797,) int64 labels 0..9.
    """
    path = resources.files("course_lib") / "datafiles" / "digits.npz"
    with path.open("rb") as fh, np.load(fh) as data:
        images = data["images"]
        labels = data["labels"]
    X = images.reshape(len(images), 64).astype(np.float64) / 16.0
    y = labels.astype(np.int64)
    return X, y


def make_linear_data(N=1024, w_true=(2.0, -1.0), b_true=0.5, noise=1.0, seed=0):
    """y = X w_true + b_true + noise * eps with X ~ N(0, I), eps ~ N(0, 1).
    Returns X (N, D) and y (N,)."""
    rng = np.random.default_rng(seed)
    w_true = np.asarray(w_true, dtype=np.float64)
    X = rng.standard_normal((N, len(w_true)))
    y = X @ w_true + b_true + noise * rng.standard_normal(N)
    return X, y
