"""Exercises of 02_double_descent: random ReLU features and the minimum-norm least-squares fit."""

import numpy as np

from ..generalization import least_squares, relu_features
from .core import Case, Exercise

NOTEBOOK = "02_double_descent"


def random_relu_features(X, V, c):
    """The features of a random-features model:  Phi_ik = relu(x_i . V[:, k] + c_k) = max(0, (X V + c)_ik).

    Shapes: X (n, dim), V (dim, p), c (p,)  ->  Phi (n, p).
    """
    return relu_features(X, np.asarray(V, dtype=np.float64), np.asarray(c, dtype=np.float64))


def min_norm_least_squares(Phi, y):
    """The minimum-norm least-squares solution theta = pinv(Phi) y.

    Among all theta minimizing ||Phi theta - y||^2 it is the one with the smallest ||theta||:
      p <= n, full column rank:  theta = (Phi^T Phi)^-1 Phi^T y   (the unique least-squares fit)
      p >= n, full row rank:     theta = Phi^T (Phi Phi^T)^-1 y   (interpolates: Phi theta = y)
    and pinv covers every other case (rank-deficient Phi).
    Shapes: Phi (n, p), y (n,)  ->  theta (p,).
    """
    return least_squares(Phi, y)


def _features_cases(rng):
    X = np.array([[1.0, -1.0], [0.5, 2.0], [-2.0, 0.0]])
    V = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]])
    cases = [
        Case("small: 3 examples, dim 2, p = 3 features, zero bias", (X, V, np.zeros(3))),
        Case("edge: a large negative bias switches every feature off", (X, V, np.full(3, -10.0))),
        Case("the bias shifts each feature before the relu", (X, V, np.array([0.5, -0.5, 1.0]))),
        Case("square V (dim = p = 2): V, not V.T",
             (X, np.array([[1.0, 2.0], [-3.0, 0.5]]), np.array([0.1, 0.2]))),
    ]
    for k in range(4):
        n, dim, p = (int(v) for v in rng.integers(1, 8, size=3))
        cases.append(Case(f"random #{k + 1}", (rng.normal(size=(n, dim)), rng.normal(size=(dim, p)),
                                               rng.normal(size=p))))
    return cases


def _min_norm_cases(rng):
    dup = rng.normal(size=(6, 1))
    cases = [
        Case("edge: one equation, two unknowns: theta = y x / ||x||^2",
             (np.array([[3.0, 4.0]]), np.array([5.0]))),
        Case("more features than examples (p > n): interpolate with the smallest norm",
             (rng.normal(size=(3, 7)), rng.normal(size=3))),
        Case("more examples than features (p < n): ordinary least squares",
             (rng.normal(size=(8, 3)), rng.normal(size=8))),
        Case("square and invertible (p = n): theta = Phi^-1 y",
             (rng.normal(size=(4, 4)), rng.normal(size=4))),
        Case("rank-deficient: two identical columns share the weight",
             (np.hstack([dup, dup, rng.normal(size=(6, 1))]), rng.normal(size=6))),
    ]
    for k in range(4):
        n, p = int(rng.integers(2, 12)), int(rng.integers(2, 12))
        cases.append(Case(f"random #{k + 1} ({n} examples, {p} features)",
                          (rng.normal(size=(n, p)), rng.normal(size=n))))
    return cases


EXERCISES = [
    Exercise(
        id="random_relu_features",
        notebook=NOTEBOOK,
        points=1,
        reference=random_relu_features,
        make_cases=_features_cases,
        hint="np.maximum(X @ V + c, 0): the bias c is added to every row BEFORE the relu.",
    ),
    Exercise(
        id="min_norm_least_squares",
        notebook=NOTEBOOK,
        points=2,
        reference=min_norm_least_squares,
        make_cases=_min_norm_cases,
        rtol=1e-6,
        atol=1e-9,
        hint="np.linalg.pinv(Phi) @ y handles every shape; the normal equations (Phi^T Phi)^-1 fail "
             "when p > n, and zero-padding a square solve is an interpolating theta but not the shortest.",
    ),
]
