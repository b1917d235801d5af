"""Exercises of 01_generalization: the closed-form ridge fit and choosing a degree on a validation set."""

import numpy as np

from ..generalization import least_squares, polynomial_features
from .core import Case, Exercise

NOTEBOOK = "01_generalization"


def ridge_fit(X, y, lam):
    """L2-regularized least squares (ridge regression), every coefficient penalized:

        theta = argmin_theta ||X theta - y||^2 + lam ||theta||^2 = (X^T X + lam I)^-1 X^T y

    (the squared errors are SUMMED, not averaged; no 1/2 factor). With lam = 0 and X of full
    column rank this is ordinary least squares.
    Shapes: X (n, p), y (n,), lam >= 0  ->  theta (p,).
    """
    X = np.asarray(X, dtype=np.float64)
    if lam < 0:
        raise ValueError(f"lam must be >= 0, got {lam}")
    return least_squares(X, y, l2=float(lam))


def choose_degree(x_train, y_train, x_val, y_val, degrees):
    """Pick the polynomial degree with the smallest validation MSE.

    For each degree d in `degrees` (in the given order): fit theta by plain least squares on
    the training set, theta = argmin sum_i (sum_k theta_k x_i^k - y_i)^2 (k = 0..d), and compute
    val_mse_d = 1/n_val sum_j (sum_k theta_k x_j^k - y_j)^2 on the validation set.
    Returns (best_degree, val_mse): the degree with the smallest val_mse (the first one on a
    tie) as an int, and val_mse as an array in the order of `degrees`.
    Shapes: x_train, y_train (n,), x_val, y_val (n_val,), degrees (D,)  ->  (int, (D,)).
    """
    x_train = np.asarray(x_train, dtype=np.float64)
    x_val = np.asarray(x_val, dtype=np.float64)
    val_mse = []
    for d in degrees:
        theta = least_squares(polynomial_features(x_train, int(d)), y_train)
        residual = polynomial_features(x_val, int(d)) @ theta - np.asarray(y_val, dtype=np.float64)
        val_mse.append(np.mean(residual ** 2))
    val_mse = np.array(val_mse)
    return int(degrees[int(np.argmin(val_mse))]), val_mse


def _ridge_cases(rng):
    X_tall = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    cases = [
        Case("edge: lam = 0 on a full-rank X is ordinary least squares",
             (X_tall, np.array([1.0, 2.0, 2.0]), 0.0)),
        Case("small: identity X, lam = 1 halves y (theta = y / (1 + lam))",
             (np.eye(3), np.array([2.0, -4.0, 6.0]), 1.0)),
        Case("edge: one feature, one example", (np.array([[2.0]]), np.array([3.0]), 0.5)),
        Case("more features than examples (p > n) with lam = 0.1",
             (rng.normal(size=(3, 6)), rng.normal(size=3), 0.1)),
        Case("a large lam shrinks theta toward 0", (rng.normal(size=(8, 3)), rng.normal(size=8), 1e3)),
    ]
    for k in range(4):
        n, p = int(rng.integers(4, 15)), int(rng.integers(2, 6))
        lam = float(10 ** rng.uniform(-2, 1))
        cases.append(Case(f"random #{k + 1}", (rng.normal(size=(n, p)), rng.normal(size=n), lam)))
    return cases


def _degree_cases(rng):
    x_train = np.linspace(-1, 1, 12)
    x_val = np.linspace(-0.95, 0.95, 8)
    line = Case("a noisy line: degree 1 wins on validation, the largest degree on training",
                (x_train, 0.5 * x_train + 0.3 * np.sin(7 * x_train), x_val, 0.5 * x_val, [1, 3, 6, 9]))
    cubic = Case("degrees not starting at 0 nor sorted: return the degree, not its index",
                 (x_train, x_train ** 3 - x_train + 0.1 * np.cos(9 * x_train), x_val, x_val ** 3 - x_val,
                  [5, 1, 3]))
    cases = [line, cubic]
    for k in range(4):
        n, n_val = int(rng.integers(12, 30)), int(rng.integers(5, 15))
        xt, xv = np.sort(rng.uniform(-1, 1, n)), rng.uniform(-1, 1, n_val)
        f = np.sin(np.pi * xt), np.sin(np.pi * xv)
        noise = 0.3
        degrees = sorted(rng.choice(np.arange(0, 9), size=4, replace=False).tolist())
        cases.append(Case(f"random #{k + 1}", (xt, f[0] + noise * rng.normal(size=n), xv,
                                                f[1] + noise * rng.normal(size=n_val), degrees)))
    return cases


EXERCISES = [
    Exercise(
        id="ridge_fit",
        notebook=NOTEBOOK,
        points=2,
        reference=ridge_fit,
        make_cases=_ridge_cases,
        rtol=1e-6,
        atol=1e-9,
        hint="Solve (X.T @ X + lam * np.eye(p)) theta = X.T @ y with np.linalg.solve: lam times the "
             "IDENTITY, no 1/2 and no 1/n factor.",
    ),
    Exercise(
        id="choose_degree",
        notebook=NOTEBOOK,
        points=2,
        reference=choose_degree,
        make_cases=_degree_cases,
        rtol=1e-6,
        atol=1e-9,
        hint="Fit on the TRAINING set only (np.linalg.lstsq on the columns x**0..x**d), score each "
             "degree by the MEAN squared error on the VALIDATION set, return degrees[argmin], not the index.",
    ),
]
