"""Exercises of 01_generalization: the closed-form ridge fit, choosing a degree and choosing the
penalty strength on a validation split."""

import numpy as np

from ..generalization import (
    fit_polynomial,
    least_squares,
    polynomial_features,
    ridge_fit,
    weight_decay_gradient_descent,
)
from .core import Case, Exercise, Mistake
from .misconceptions import slip

NOTEBOOK = "01_generalization"


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


def choose_lambda(X, y, lambdas, n_val):
    """Choose the ridge penalty lam on a validation split, then refit on all the data.

    1. Split: the LAST n_val rows of (X, y) are the validation set, the others the training set.
    2. For each lam in `lambdas` (in the given order): theta_lam = ridge_fit(X_train, y_train, lam)
       and val_mse_lam = (1/n_val) ||X_val theta_lam - y_val||^2.
    3. best_lam: the lam with the smallest val_mse; on a tie the LARGEST such lam (the simplest,
       most regularized model among equally good ones).
    4. Refit: theta = ridge_fit(X, y, best_lam) on ALL n rows, now that lam is fixed.
    Shapes: X (n, p), y (n,), lambdas (L,) >= 0, 1 <= n_val < n  ->
    (best_lam float, val_mse (L,), theta (p,)).
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n_train = len(y) - int(n_val)
    val_mse = np.array([np.mean((X[n_train:] @ ridge_fit(X[:n_train], y[:n_train], lam) - y[n_train:]) ** 2)
                        for lam in lambdas])
    ties = np.flatnonzero(val_mse <= val_mse.min())
    best = float(max(lambdas[k] for k in ties))
    return best, val_mse, ridge_fit(X, y, best)


# ---------------------------------------------------------------------------------------------
# cases


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


def _lambda_cases(rng):
    x = np.linspace(-1, 1, 16)
    X_poly = x[:, None] ** np.arange(8)
    y_poly = np.sin(np.pi * x) + 0.3 * np.cos(13 * x)
    X_tie = np.vstack([rng.normal(size=(6, 3)), np.zeros((3, 3))])
    cases = [
        Case("a degree-7 polynomial on 16 points, the last 6 for validation",
             (X_poly, y_poly, [1e-8, 1e-4, 1e-2, 1.0, 100.0], 6)),
        Case("edge: the validation inputs are all zero, every lam predicts 0 there: a tie, take the largest",
             (X_tie, rng.normal(size=9), [0.1, 10.0, 1.0], 3)),
        Case("lambdas not sorted: return the lambda itself, not its index",
             (X_poly, y_poly, [100.0, 1e-3, 10.0, 0.1], 4)),
        Case("edge: one validation example", (X_poly[:, :4], y_poly, [1e-6, 1e-2, 1.0], 1)),
    ]
    for k in range(4):
        n, p = int(rng.integers(10, 30)), int(rng.integers(2, 8))
        X = rng.normal(size=(n, p))
        y = X @ rng.normal(size=p) + rng.normal(size=n)
        lambdas = np.round(10 ** rng.uniform(-3, 2, size=5), 4).tolist()
        n_val = int(rng.integers(2, n // 2))
        cases.append(Case(f"random #{k + 1}: n = {n}, p = {p}", (X, y, lambdas, n_val)))
    return cases


# ---------------------------------------------------------------------------------------------
# known wrong answers


def _least_squares(X, y):
    return np.linalg.lstsq(np.asarray(X, float), np.asarray(y, float), rcond=None)[0]


def _solve(X, y, lam, scale=1.0, identity=True):
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    penalty = lam * scale * (np.eye(X.shape[1]) if identity else 1.0)
    return np.linalg.solve(X.T @ X + penalty, X.T @ y)


RIDGE_MISTAKES = (
    Mistake("lam added to every entry of X^T X instead of its diagonal",
            lambda X, y, lam: _solve(X, y, lam, identity=False)),
    Mistake("a 1/2 factor on the penalty", lambda X, y, lam: _solve(X, y, lam, scale=0.5)),
    Mistake("the penalty scaled by n (a mean instead of a sum of squared errors)",
            lambda X, y, lam: _solve(X, y, lam, scale=len(y))),
    Mistake("lam ignored (ordinary least squares)",
            lambda X, y, lam: _least_squares(X, y)),
    Mistake("shrinking the least-squares fit after the fact",
            lambda X, y, lam: _least_squares(X, y) / (1 + lam)),
)


def _fit(x, y, d):
    return np.linalg.lstsq(np.asarray(x, float)[:, None] ** np.arange(d + 1), y, rcond=None)[0]


def _mse(theta, x, y):
    return float(np.mean((np.asarray(x, float)[:, None] ** np.arange(len(theta)) @ theta - y) ** 2))


def _degree_errors(x_train, y_train, x_val, y_val, degrees):
    return np.array([_mse(_fit(x_train, y_train, d), x_val, y_val) for d in degrees])


def _by_training_error(x_train, y_train, x_val, y_val, degrees):
    # the training errors chosen by, and returned as the errors (a student who returns the true
    # validation errors is named too: only the degree is then wrong, and it is this one's)
    train = np.array([_mse(_fit(x_train, y_train, d), x_train, y_train) for d in degrees])
    return degrees[int(np.argmin(train))], train


def _fit_on_validation(x_train, y_train, x_val, y_val, degrees):
    errors = np.array([_mse(_fit(x_val, y_val, min(d, len(x_val) - 1)), x_val, y_val) for d in degrees])
    return degrees[int(np.argmin(errors))], errors


DEGREE_MISTAKES = (
    Mistake("the position in degrees instead of the degree",
            lambda *a: (int(np.argmin(_degree_errors(*a))), _degree_errors(*a)),
            nudge="Return the chosen degree itself, the value from the list, not its "
                  "position in it."),
    slip("selected_on_training", _by_training_error),
    slip("summed_errors", function=
            lambda *a: (a[4][int(np.argmin(_degree_errors(*a)))], _degree_errors(*a) * len(a[3]))),
    Mistake("fitting on the validation set", _fit_on_validation,
            nudge="Fit each candidate on the training set only; the validation set only "
                  "scores it."),
)


def _lambda_run(X, y, lambdas, n_val, validation_first=False, by_train=False, refit=True,
                smallest_on_tie=False, index=False):
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    n_val = int(n_val)
    val = slice(0, n_val) if validation_first else slice(len(y) - n_val, None)
    train = slice(n_val, None) if validation_first else slice(0, len(y) - n_val)
    thetas = [ridge_fit(X[train], y[train], lam) for lam in lambdas]
    val_mse = np.array([np.mean((X[val] @ t - y[val]) ** 2) for t in thetas])
    score = np.array([np.mean((X[train] @ t - y[train]) ** 2) for t in thetas]) if by_train else val_mse
    ties = np.flatnonzero(score <= score.min())
    k = min(ties, key=lambda j: lambdas[j]) if smallest_on_tie else max(ties, key=lambda j: lambdas[j])
    best = float(k) if index else float(lambdas[k])
    theta = ridge_fit(X, y, lambdas[k]) if refit else thetas[k]
    return best, (score if by_train else val_mse), theta


LAMBDA_MISTAKES = (
    Mistake("the smallest lam on a tie", lambda *a: _lambda_run(*a, smallest_on_tie=True),
            nudge="Among equally good penalties prefer the LARGEST: the most regularized "
                  "model that does as well."),
    slip("selected_on_training", lambda *a: _lambda_run(*a, by_train=True)),
    Mistake("theta not refitted on all the data (the training part only)",
            lambda *a: _lambda_run(*a, refit=False),
            nudge="Once the penalty is chosen, fit the returned theta on ALL the rows."),
    Mistake("the FIRST n_val rows as the validation set", lambda *a: _lambda_run(*a, validation_first=True),
            nudge="The validation rows are the LAST n_val rows; the training rows come "
                  "before them."),
    Mistake("the position in lambdas instead of the lambda", lambda *a: _lambda_run(*a, index=True),
            nudge="Return the chosen penalty itself, the value from the list, not its position in it."),
)


# weight_decay_gradient_descent converges to the ridge solution (notebook 01 shows it), so run long
# enough it answers ridge_fit to the check's tolerance.
_FITS = (least_squares, fit_polynomial, weight_decay_gradient_descent)

EXERCISES = [
    Exercise(
        id="ridge_fit",
        notebook=NOTEBOOK,
        points=2,
        reference=ridge_fit,
        make_cases=_ridge_cases,
        rtol=1e-6,
        atol=1e-9,
        outputs=("theta",),
        hints=(
            "Set the gradient of the penalized sum of squared errors to zero: that gives a linear "
            "system for theta, the normal equations with the penalty added.",
            "The penalty adds lam to the DIAGONAL of the p by p matrix only (lam times the identity), "
            "with no factor one half and no division by n; solve the system rather than invert.",
        ),
        mistakes=RIDGE_MISTAKES,
        forbidden=_FITS,
    ),
    Exercise(
        id="choose_degree",
        notebook=NOTEBOOK,
        points=2,
        reference=choose_degree,
        make_cases=_degree_cases,
        rtol=1e-6,
        atol=1e-9,
        outputs=("best_degree", "val_mse"),
        hints=(
            "Fit each candidate on the training set only, and judge it only on the validation set.",
            "The score of a degree is the MEAN squared error on the validation examples; the answer "
            "is the degree itself, which need not equal its position in the list.",
        ),
        mistakes=DEGREE_MISTAKES,
        forbidden=_FITS,
    ),
    Exercise(
        id="choose_lambda",
        notebook=NOTEBOOK,
        points=3,
        reference=choose_lambda,
        make_cases=_lambda_cases,
        rtol=1e-6,
        atol=1e-9,
        outputs=("best_lam", "val_mse", "theta"),
        hints=(
            "Three stages: hold out the validation rows, score every lam by the error of a model fitted "
            "without them, and only once lam is fixed use every row for the final fit.",
            "The validation rows are the LAST n_val rows. Among equally good lams prefer the largest: "
            "it is the simplest model that does as well.",
            "The returned theta is fitted on all n rows with the chosen lam; the validation errors "
            "come from fits on the training rows only.",
        ),
        mistakes=LAMBDA_MISTAKES,
        forbidden=_FITS,
    ),
]
