"""Exercises of 02_double_descent: the minimum-norm least-squares fit through the SVD (with a
cutoff the student chooses), and the double-descent curve of random ReLU features."""

import numpy as np

from ..generalization import (
    double_descent_curve,
    fit_random_features,
    gradient_descent_closed_form,
    least_squares,
    relu_features,
    weight_decay_gradient_descent,
)
from .core import Case, Exercise, Mistake, compare
from .misconceptions import slip

NOTEBOOK = "02_double_descent"

# Gradient descent from 0 converges to the minimum-norm solution; gradient_descent_closed_form with
# infinitely many epochs IS that solution (it fits every p of double_descent_errors), so both
# gradient-descent fits are off limits like least_squares.
_GD_FITS = (gradient_descent_closed_form, weight_decay_gradient_descent)

# A singular value s_k is noise when s_k <= cutoff * s_max. Any relative cutoff in this range is
# a defensible choice (round-off of an SVD is about 1e-16 s_max times a small factor; features we
# trust are far above 1e-6 s_max), so the judge accepts every rank it can give.
CUTOFF_RANGE = (1e-13, 1e-6)
CUTOFF = 1e-10


def truncated_svd_solution(Phi, y, rank):
    """theta = sum_{k < rank} (u_k . y / s_k) v_k: the minimum-norm least-squares solution of
    Phi theta ~ y using the `rank` largest singular values of Phi = U diag(s) V^T."""
    U, s, Vt = np.linalg.svd(np.asarray(Phi, dtype=np.float64), full_matrices=False)
    y = np.asarray(y, dtype=np.float64)
    return Vt[:rank].T @ ((U[:, :rank].T @ y) / s[:rank])


def numerical_rank(Phi, cutoff=CUTOFF):
    """The number of singular values of Phi above cutoff * (largest singular value)."""
    s = np.linalg.svd(np.asarray(Phi, dtype=np.float64), compute_uv=False)
    return int(np.sum(s > cutoff * s[0])) if s.size and s[0] > 0 else 0


def min_norm_least_squares(Phi, y):
    """The minimum-norm least-squares solution, through the SVD Phi = U diag(s) V^T:

        theta = sum_{k: s_k > cutoff s_1} (u_k^T y / s_k) v_k,     rank = #{k: s_k > cutoff s_1}

    Among all theta minimizing ||Phi theta - y||^2 it is the one with the smallest ||theta||
    (the pseudo-inverse solution pinv(Phi) y); the directions with s_k = 0 are the null space,
    where theta gets no component. Singular values at round-off level (s_k <= cutoff s_1) are
    treated as zero: dividing by them would blow theta up with noise. Here cutoff = 1e-10.
    Shapes: Phi (n, p), y (n,)  ->  (theta (p,), rank an int).
    """
    rank = numerical_rank(Phi)
    return truncated_svd_solution(Phi, y, rank), rank


def double_descent_errors(X_train, y_train, X_test, y_test, V, c, p_values):
    """Train and test MSE of random ReLU features regression against the number of features:

        Phi = relu(X V + c)   (feature k of example i: max(0, x_i . V[:, k] + c_k))
        for each p in p_values: theta_p = minimum-norm least squares on the FIRST p features of
        Phi_train; train_mse_p = (1/n) ||Phi_train[:, :p] theta_p - y_train||^2 and test_mse_p
        the same on the test set.

    Shapes: X_train (n, dim), y_train (n,), X_test (n_test, dim), y_test (n_test,), V (dim, P),
    c (P,), p_values (k,) integers in 1..P  ->  (train_mse (k,), test_mse (k,)).
    """
    V, c = np.asarray(V, dtype=np.float64), np.asarray(c, dtype=np.float64)
    Phi_train, Phi_test = relu_features(X_train, V, c), relu_features(X_test, V, c)
    train_mse, test_mse = [], []
    for p in p_values:
        theta, _ = min_norm_least_squares(Phi_train[:, :p], y_train)
        train_mse.append(np.mean((Phi_train[:, :p] @ theta - y_train) ** 2))
        test_mse.append(np.mean((Phi_test[:, :p] @ theta - y_test) ** 2))
    return np.array(train_mse), np.array(test_mse)


def judge_min_norm(case, expected, got):
    """Right when rank is what some relative cutoff in CUTOFF_RANGE gives, and theta is the
    minimum-norm solution with that many singular values."""
    Phi, y = case.args
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return "expected a tuple (theta, rank)"
    theta, rank = got
    if isinstance(rank, (bool, np.bool_)) or not isinstance(rank, (int, np.integer)):
        return f"rank must be an int (the number of singular values you kept), got {type(rank).__name__}"
    low, high = numerical_rank(Phi, CUTOFF_RANGE[1]), numerical_rank(Phi, CUTOFF_RANGE[0])
    if not low <= rank <= high:
        s = np.linalg.svd(np.asarray(Phi, dtype=np.float64), compute_uv=False)
        return (f"rank {rank} is not defensible here: singular values relative to the largest are "
                f"{np.array2string(s / s[0], precision=2, threshold=8)}; a relative cutoff between "
                f"1e-13 and 1e-6 keeps {low if low == high else f'{low} to {high}'} of them")
    return compare(truncated_svd_solution(Phi, y, int(rank)), theta, rtol=1e-6, atol=1e-9, where="theta")


# ---------------------------------------------------------------------------------------------
# cases


def _min_norm_cases(rng):
    dup = rng.normal(size=(6, 1))
    near = rng.normal(size=(8, 3))
    near = np.hstack([near, near[:, :1] + 1e-8 * rng.normal(size=(8, 1))])
    cases = [
        Case("edge: one equation, two unknowns: theta = y x / ||x||^2",
             (np.array([[3.0, 4.0]]), np.array([5.0]))),
        Case("more features than examples (p > n): interpolate with the smallest norm",
             (rng.normal(size=(3, 7)), rng.normal(size=3))),
        Case("more examples than features (p < n): ordinary least squares",
             (rng.normal(size=(8, 3)), rng.normal(size=8))),
        Case("square and invertible (p = n): theta = Phi^-1 y",
             (rng.normal(size=(4, 4)), rng.normal(size=4))),
        Case("rank-deficient: two identical columns share the weight (a singular value at round-off)",
             (np.hstack([dup, dup, rng.normal(size=(6, 1))]), rng.normal(size=6))),
        Case("edge: a feature that is zero on every example (a zero column)",
             (np.hstack([rng.normal(size=(5, 2)), np.zeros((5, 1))]), rng.normal(size=5))),
        Case("tiny scale: Phi times 1e-12 (the cutoff must be relative to the largest singular value)",
             (1e-12 * rng.normal(size=(5, 3)), rng.normal(size=5))),
        Case("a feature on a small scale (1e-4): a real direction, not round-off; keep it",
             (rng.normal(size=(6, 3)) * np.array([1.0, 1.0, 1e-4]), rng.normal(size=6))),
        Case("nearly collinear: a column equals another up to 1e-8 (keeping or dropping it: both defensible)",
             (near, rng.normal(size=8))),
    ]
    for k in range(4):
        n, p = int(rng.integers(2, 12)), int(rng.integers(2, 12))
        cases.append(Case(f"random #{k + 1} ({n} examples, {p} features)",
                          (rng.normal(size=(n, p)), rng.normal(size=n))))
    return cases


def _errors_cases(rng):
    X = np.array([[1.0, -1.0], [0.5, 2.0], [-2.0, 0.0]])
    V = np.array([[1.0, 0.0, 2.0, -1.0], [0.0, 1.0, -1.0, 0.5]])
    c = np.array([0.5, -0.5, 1.0, 0.0])
    X_test = np.array([[0.0, 1.0], [1.0, 1.0]])
    cases = [
        Case("small: 3 examples, 4 features, p = 1..4 (the threshold p = n = 3 inside)",
             (X, np.array([1.0, 0.0, -1.0]), X_test, np.array([0.5, 1.0]), V, c, [1, 2, 3, 4])),
        Case("p_values not sorted, and repeated", (X, np.array([2.0, 1.0, 0.0]), X_test,
                                                    np.array([0.0, 0.0]), V, c, [4, 1, 4, 2])),
        Case("edge: a feature switched off everywhere (a large negative offset)",
             (X, np.array([1.0, 2.0, 3.0]), X_test, np.array([1.0, 1.0]), V,
              np.array([0.5, -50.0, 1.0, 0.0]), [1, 2, 3])),
    ]
    for k in range(3):
        n, dim, P = int(rng.integers(5, 15)), int(rng.integers(1, 5)), int(rng.integers(5, 30))
        X_train = rng.normal(size=(n, dim))
        X_te = rng.normal(size=(int(rng.integers(3, 20)), dim))
        w = rng.normal(size=dim)
        p_values = sorted(rng.choice(np.arange(1, P + 1), size=min(P, 6), replace=False).tolist())
        cases.append(Case(f"random #{k + 1}: n = {n}, dim = {dim}, up to {P} features",
                          (X_train, X_train @ w + 0.3 * rng.normal(size=n), X_te, X_te @ w,
                           rng.normal(size=(dim, P)) / np.sqrt(dim), 0.5 * rng.normal(size=P), p_values)))
    return cases


# ---------------------------------------------------------------------------------------------
# known wrong answers


def _pinv_rank(solve):
    def wrong(Phi, y):
        return solve(np.asarray(Phi, dtype=np.float64), np.asarray(y, dtype=np.float64)), numerical_rank(Phi)
    return wrong


def _zero_padded(Phi, y):
    """An interpolating theta (solve on the first n columns), but not the shortest one."""
    n, p = Phi.shape
    if p <= n:
        return np.linalg.lstsq(Phi, y, rcond=None)[0]
    theta = np.zeros(p)
    theta[:n] = np.linalg.solve(Phi[:, :n], y)
    return theta


def _every_singular_value(Phi, y):
    with np.errstate(all="ignore"):
        s = np.linalg.svd(np.asarray(Phi, dtype=np.float64), compute_uv=False)
        return truncated_svd_solution(Phi, y, len(s)), len(s)


def _absolute_cutoff(Phi, y):
    s = np.linalg.svd(np.asarray(Phi, dtype=np.float64), compute_uv=False)
    rank = int(np.sum(s > 1e-10))
    return truncated_svd_solution(Phi, y, rank), rank


MIN_NORM_MISTAKES = (
    Mistake("an interpolating theta that is not the shortest one", _pinv_rank(_zero_padded),
            nudge="Among all solutions pick the one with the smallest norm: no component "
                  "along the null space."),
    Mistake("the gradient direction Phi^T y", _pinv_rank(lambda Phi, y: Phi.T @ y),
            nudge="Along each kept singular direction divide the projection of y by the "
                  "singular value; the raw projection is not the solution."),
    Mistake("dividing by every singular value, even those at round-off level", _every_singular_value,
            nudge="Singular values at round-off level count as zero: leave their directions "
                  "out instead of dividing by them."),
    Mistake("an absolute cutoff on the singular values (not relative to the largest)", _absolute_cutoff,
            nudge="Decide what counts as zero RELATIVE to the largest singular value: a "
                  "scaled matrix has the same rank."),
    Mistake("the number of columns reported as the rank",
            lambda Phi, y: (min_norm_least_squares(Phi, y)[0], np.shape(Phi)[1]),
            nudge="The rank is the number of singular values kept, which can be fewer than "
                  "the columns."),
)


def _errors_with(features=None, first=True, reduce=np.mean, on_train=False, fit_all=False):
    def wrong(X_train, y_train, X_test, y_test, V, c, p_values):
        make = features or (lambda X: np.maximum(np.asarray(X, dtype=np.float64) @ V + c, 0.0))
        Phi_train, Phi_test = make(X_train), make(X_test)
        train_mse, test_mse = [], []
        for p in p_values:
            cols = slice(0, p) if first else slice(Phi_train.shape[1] - p, None)
            A, B = Phi_train[:, cols], Phi_test[:, cols]
            theta = np.linalg.pinv(A) @ y_train
            if fit_all:
                theta = np.linalg.pinv(Phi_train) @ y_train
                A, B = Phi_train, Phi_test
            train_mse.append(reduce((A @ theta - y_train) ** 2))
            test_mse.append(reduce(((A @ theta - y_train) if on_train else (B @ theta - y_test)) ** 2))
        return np.array(train_mse), np.array(test_mse)
    return wrong


ERRORS_MISTAKES = (
    Mistake("the offset c added after the relu",
            lambda *a: _errors_with(features=lambda X: np.maximum(np.asarray(X) @ a[4], 0.0) + a[5])(*a),
            nudge="The offset goes INSIDE the relu: each feature is the relu of the "
                  "projection plus its offset."),
    Mistake("features without the offset c",
            lambda *a: _errors_with(features=lambda X: np.maximum(np.asarray(X) @ a[4], 0.0))(*a),
            nudge="Each random feature has its own offset c, added before the relu."),
    Mistake("the last p features instead of the first p", _errors_with(first=False),
            nudge="Capacity p means the FIRST p features of the fixed list."),
    slip("summed_errors", _errors_with(reduce=np.sum)),
    Mistake("the test error measured on the training set", _errors_with(on_train=True),
            nudge="Measure the test error on the test inputs and targets, with the theta "
                  "fitted on the training set."),
    Mistake("every feature fitted, whatever p is", _errors_with(fit_all=True),
            nudge="For each p fit only the first p features, so that capacity grows along "
                  "p_values."),
)


EXERCISES = [
    Exercise(
        id="min_norm_least_squares",
        notebook=NOTEBOOK,
        points=3,
        reference=min_norm_least_squares,
        make_cases=_min_norm_cases,
        outputs=("theta", "rank"),
        judge=judge_min_norm,
        hints=(
            "In the basis of the singular vectors the least-squares problem splits into independent "
            "one-dimensional problems, one per singular value; directions with a zero singular value "
            "are the null space, where the shortest solution puts nothing.",
            "Along a kept direction the coefficient is the projection of y on the left singular "
            "vector divided by the singular value; a singular value at round-off level must count "
            "as zero, or dividing by it fills theta with amplified noise.",
            "Decide what 'at round-off level' means relative to the LARGEST singular value (a matrix "
            "scaled by 1e-12 has the same rank), and report how many singular values you kept.",
        ),
        mistakes=MIN_NORM_MISTAKES,
        forbidden=(least_squares, fit_random_features, truncated_svd_solution, numerical_rank, *_GD_FITS),
    ),
    Exercise(
        id="double_descent_errors",
        notebook=NOTEBOOK,
        points=3,
        reference=double_descent_errors,
        make_cases=_errors_cases,
        rtol=1e-6,
        atol=1e-9,
        outputs=("train_mse", "test_mse"),
        hints=(
            "Build the features once for the training and once for the test inputs with the same "
            "frozen V and c; capacity p means using only the first p of them.",
            "For each p, fit on the training features only (the minimum-norm solution), then measure "
            "the mean squared error of that same theta on both sets.",
            "The offset goes inside the relu, and p_values may come in any order: return the errors "
            "in the order of p_values.",
        ),
        mistakes=ERRORS_MISTAKES,
        forbidden=(relu_features, least_squares, fit_random_features, double_descent_curve, *_GD_FITS),
    ),
]
