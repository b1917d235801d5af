"""Capacity, regularization and generalization: models whose fit has a closed form.

- polynomial regression of any degree, with optional L2 regularization (ridge);
- train / validation / test splitting;
- random ReLU features regression with minimum-norm least squares, and the double-descent
  curve it produces (Belkin et al. 2019, https://arxiv.org/abs/1812.11118, cited by the
  lecture): with label noise the test error peaks where the number of features reaches the
  number of training examples (the interpolation threshold) and falls again beyond it.

All fits solve a least-squares problem with design matrix Phi (n, p), one row per example.
"""

import numpy as np

from course_lib.nn import mse_loss
from course_lib.optimizers import make_optimizer


def _as_vector(a, name):
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of shape (n,), got shape {a.shape}")
    return a


# --------------------------------------------------------------------------------------------
# least squares, with and without L2


def least_squares(Phi, y, l2=0.0, penalize=None):
    """theta minimizing  ||Phi theta - y||^2 + l2 * sum_k penalize_k theta_k^2.

    l2 = 0: the minimum-norm least-squares solution theta = pinv(Phi) y (np.linalg.lstsq); when
            several theta fit equally well (p > n) it is the one with the smallest ||theta||.
    l2 > 0: ridge regression, theta = (Phi^T Phi + l2 D)^-1 Phi^T y with D = diag(penalize)
            (D = I by default). We compute it as the least-squares solution of the stacked
            system [Phi; sqrt(l2 D)] theta = [y; 0], which has exactly these normal equations
            but avoids squaring the condition number of Phi.
    Note the penalty is added to the SUM of squared errors; for the mean (MSE) use l2 / n.
    Shapes: Phi (n, p), y (n,), penalize (p,) of 0/1 (or None)  ->  theta (p,).
    """
    Phi = np.asarray(Phi, dtype=np.float64)
    y = _as_vector(y, "y")
    if Phi.ndim != 2 or Phi.shape[0] != y.shape[0]:
        raise ValueError(f"Phi must have shape ({y.shape[0]}, p) to match y, got {Phi.shape}")
    if l2 < 0:
        raise ValueError(f"l2 must be >= 0, got {l2}")
    p = Phi.shape[1]
    if penalize is None:
        penalize = np.ones(p)
    penalize = np.asarray(penalize, dtype=np.float64)
    if penalize.shape != (p,):
        raise ValueError(f"penalize must have shape ({p},), got {penalize.shape}")
    if l2 > 0:
        Phi = np.vstack([Phi, np.diag(np.sqrt(l2 * penalize))])
        y = np.concatenate([y, np.zeros(p)])
    return np.linalg.lstsq(Phi, y, rcond=None)[0]


# --------------------------------------------------------------------------------------------
# polynomial regression


def polynomial_features(x, degree):
    """Phi[i, k] = x_i^k for k = 0..degree (column 0 is the constant 1, the bias).

    Shapes: x (n,)  ->  Phi (n, degree + 1).
    """
    x = _as_vector(x, "x")
    if not isinstance(degree, (int, np.integer)) or isinstance(degree, bool) or degree < 0:
        raise ValueError(f"degree must be a non-negative integer, got {degree!r}")
    return x[:, None] ** np.arange(degree + 1)


def fit_polynomial(x, y, degree, l2=0.0, penalize_bias=False):
    """Fit y ~ sum_k theta_k x^k (k = 0..degree) by least squares with optional L2:

        theta = argmin sum_i (Phi_i theta - y_i)^2 + l2 * sum_{k >= 1} theta_k^2
              = (Phi^T Phi + l2 D)^-1 Phi^T y,   D = diag(0, 1, ..., 1)

    The bias theta_0 is NOT penalized by default (penalize_bias=False): shifting all targets by
    a constant should shift the fit, not be resisted by the regularizer. With l2 = 0 and
    degree + 1 > n the minimum-norm interpolating polynomial is returned.
    Shapes: x, y (n,)  ->  theta (degree + 1,).
    """
    Phi = polynomial_features(x, degree)
    penalize = np.ones(degree + 1)
    if not penalize_bias:
        penalize[0] = 0.0
    return least_squares(Phi, y, l2=l2, penalize=penalize)


def predict_polynomial(theta, x):
    """y_hat_i = sum_k theta_k x_i^k.   Shapes: theta (degree + 1,), x (n,)  ->  (n,)."""
    theta = _as_vector(theta, "theta")
    return polynomial_features(x, len(theta) - 1) @ theta


# --------------------------------------------------------------------------------------------
# splitting


def train_val_test_split(X, y, fractions=(0.6, 0.2, 0.2), seed=0):
    """Shuffle the examples (seeded) and cut them into train, validation and test sets.

    Sizes: n_train = round(f_train n), n_val = round(f_val n), n_test = the rest.
    The validation set is for choosing hyperparameters (degree, l2, ...); the test set only
    estimates the generalization error of the final choice.
    Shapes: X (n, ...), y (n,)  ->  ((X_train, y_train), (X_val, y_val), (X_test, y_test)).
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must have the same number of rows, got shapes "
                         f"{X.shape} and {y.shape}")
    fractions = np.asarray(fractions, dtype=np.float64)
    if fractions.shape != (3,) or np.any(fractions < 0) or abs(fractions.sum() - 1) > 1e-9:
        raise ValueError(f"fractions must be 3 non-negative numbers (train, val, test) summing "
                         f"to 1, got {fractions.tolist()}")
    n = X.shape[0]
    n_train = int(round(fractions[0] * n))
    n_val = min(int(round(fractions[1] * n)), n - n_train)
    order = np.random.default_rng(seed).permutation(n)
    parts = np.split(order, [n_train, n_train + n_val])
    return tuple((X[idx], y[idx]) for idx in parts)


# --------------------------------------------------------------------------------------------
# random ReLU features and double descent


def make_random_features(dim, n_features, seed=0, bias_std=0.5):
    """Random first-layer weights of a random-features model (they are never trained):
    V (dim, n_features) with V_jk ~ N(0, 1/dim), c (n_features,) with c_k ~ N(0, bias_std^2).
    Feature k of an input x is phi_k(x) = relu(x . V[:, k] + c_k).
    """
    if dim < 1 or n_features < 1:
        raise ValueError(f"dim and n_features must be >= 1, got {dim} and {n_features}")
    rng = np.random.default_rng(seed)
    V = rng.standard_normal((dim, n_features)) / np.sqrt(dim)
    c = bias_std * rng.standard_normal(n_features)
    return V, c


def relu_features(X, V, c):
    """Phi = relu(X V + c).   Shapes: X (n, dim), V (dim, p), c (p,)  ->  Phi (n, p)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != V.shape[0]:
        raise ValueError(f"X must have shape (n, {V.shape[0]}) to match V of shape {V.shape}, "
                         f"got {X.shape}")
    return np.maximum(X @ V + c, 0.0)


def fit_random_features(X, y, n_features, l2=0.0, seed=0):
    """Random ReLU features regression: y ~ relu(X V + c) theta, only theta is fitted:
    theta = pinv(Phi) y (minimum norm; l2 = 0) or the ridge solution (l2 > 0).
    Returns (V, c, theta); predict with relu_features(X_new, V, c) @ theta.
    Shapes: X (n, dim), y (n,)  ->  V (dim, p), c (p,), theta (p,).
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n, dim), got {X.shape}")
    V, c = make_random_features(X.shape[1], n_features, seed=seed)
    theta = least_squares(relu_features(X, V, c), y, l2=l2)
    return V, c, theta


def teacher_function(X):
    """The target of the double-descent task:  f(x) = (x_1 + ... + x_dim) / sqrt(dim),
    which has variance 1 for x ~ N(0, I).   Shapes: X (n, dim) -> (n,)."""
    X = np.asarray(X, dtype=np.float64)
    return X.sum(axis=1) / np.sqrt(X.shape[1])


def make_double_descent_data(n_train=40, n_test=500, dim=8, noise=0.3, seed=0):
    """x ~ N(0, I_dim); y = teacher_function(x) + noise * eps (label noise) on the training set.
    The test targets are noise-free, so test MSE measures the error of the learned function.
    Returns X_train (n_train, dim), y_train (n_train,), X_test (n_test, dim), y_test (n_test,).
    """
    rng = np.random.default_rng(seed)
    X_train = rng.standard_normal((n_train, dim))
    X_test = rng.standard_normal((n_test, dim))
    y_train = teacher_function(X_train) + noise * rng.standard_normal(n_train)
    return X_train, y_train, X_test, teacher_function(X_test)


def double_descent_curve(n_features=None, n_train=40, n_test=500, dim=8, noise=0.3, l2=0.0,
                         n_seeds=5, seed=0):
    """Train and test MSE of random ReLU features regression versus the number of features p.

    For each of n_seeds seeds (seed, seed + 1, ...): draw a data set (make_double_descent_data)
    and max(n_features) random features; for every p fit theta on the first p features with
    least_squares(Phi[:, :p], y, l2). Errors are averaged over the seeds.
    With l2 = 0 and label noise the test error peaks at p = n_train, where a unique
    interpolating theta first exists and is forced to fit the noise with huge weights; beyond
    it the minimum-norm solution gets smaller and the test error falls again. l2 > 0 flattens
    the peak. Defaults take well under a second.
    Returns {"n_features": (P,), "train_mse": (P,), "test_mse": (P,), "n_train": n_train}.
    """
    if n_features is None:
        n_features = np.arange(1, 201)
    n_features = np.asarray(n_features)
    if n_features.ndim != 1 or n_features.size == 0 or n_features.min() < 1:
        raise ValueError(f"n_features must be a non-empty 1-D list of positive integers, "
                         f"got {n_features}")
    if n_seeds < 1:
        raise ValueError(f"n_seeds must be >= 1, got {n_seeds}")
    train_mse = np.zeros(len(n_features))
    test_mse = np.zeros(len(n_features))
    for s in range(seed, seed + n_seeds):
        X_train, y_train, X_test, y_test = make_double_descent_data(
            n_train, n_test, dim, noise, seed=s)
        V, c = make_random_features(dim, int(n_features.max()), seed=s + 10_000)
        Phi_train, Phi_test = relu_features(X_train, V, c), relu_features(X_test, V, c)
        for k, p in enumerate(n_features):
            theta = least_squares(Phi_train[:, :p], y_train, l2=l2)
            train_mse[k] += mse_loss(Phi_train[:, :p] @ theta, y_train) / n_seeds
            test_mse[k] += mse_loss(Phi_test[:, :p] @ theta, y_test) / n_seeds
    return {"n_features": n_features, "train_mse": train_mse, "test_mse": test_mse,
            "n_train": n_train}


# --------------------------------------------------------------------------------------------
# L2 regularization as weight decay, and epoch-wise double descent (notebooks 01 and 02)


def weight_decay_gradient_descent(X, y, decay, alpha, n_steps, theta0=None):
    """Full-batch gradient descent on the MSE of a linear model, with weight decay:

        g = (2/n) X^T (X theta - y)                  (gradient of the MSE, no 1/2 factor)
        theta <- (1 - alpha decay) theta - alpha g   (= theta - alpha (g + decay theta))

    This is gradient descent on J(theta) = MSE(theta) + (decay / 2) ||theta||^2: "weight decay"
    is the L2 penalty seen from inside the update. Its fixed point solves
    (2/n) X^T (X theta - y) + decay theta = 0, which is the ridge solution with
    lam = n decay / 2:  theta = (X^T X + (n decay / 2) I)^-1 X^T y. decay = 0 is plain
    gradient descent. theta0 defaults to 0.
    Shapes: X (n, p), y (n,)  ->  thetas (n_steps + 1, p), theta_0 first.
    """
    X = np.asarray(X, dtype=np.float64)
    y = _as_vector(y, "y")
    if X.ndim != 2 or X.shape[0] != y.shape[0]:
        raise ValueError(f"X must have shape ({y.shape[0]}, p) to match y, got {X.shape}")
    n, p = X.shape
    theta = np.zeros(p) if theta0 is None else np.asarray(theta0, dtype=np.float64).copy()
    thetas = [theta]
    for _ in range(int(n_steps)):
        g = 2.0 / n * X.T @ (X @ theta - y)
        theta = (1 - alpha * decay) * theta - alpha * g
        thetas.append(theta)
    return np.array(thetas)


def gradient_descent_closed_form(X, y, alpha, epochs):
    """The iterates of plain full-batch gradient descent on the MSE from theta_0 = 0, in closed
    form. With X = U diag(s) V^T, each step multiplies the error along v_k by (1 - alpha 2 s_k^2 / n),
    so after t steps

        theta_t = sum_k (1 - (1 - 2 alpha s_k^2 / n)^t) (u_k . y / s_k) v_k

    (theta_t -> the minimum-norm least-squares solution as t -> infinity when 2 alpha s_1^2 / n < 2).
    It equals weight_decay_gradient_descent(X, y, 0, alpha, t)[t] and costs one SVD, whatever t.
    Shapes: X (n, p), y (n,), epochs (T,) integers  ->  thetas (T, p).
    """
    X = np.asarray(X, dtype=np.float64)
    y = _as_vector(y, "y")
    n = X.shape[0]
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    keep = s > 1e-12 * s[0]
    U, s, Vt = U[:, keep], s[keep], Vt[keep]
    factor = 1 - 2 * alpha * s**2 / n
    if np.any(np.abs(factor) >= 1):
        raise ValueError(f"alpha = {alpha} is too large: gradient descent diverges "
                         f"(alpha must be below n / s_max^2 = {n / s[0] ** 2:.3g})")
    epochs = np.asarray(epochs, dtype=np.float64)
    fitted = 1 - np.sign(factor) ** epochs[:, None] * np.abs(factor) ** epochs[:, None]
    return (fitted * (U.T @ y / s)) @ Vt


def make_two_speed_data(n_train=40, n_fast=30, n_slow=2, fast_signal=2.0, slow_signal=1.0,
                        noise=0.3, seed=0):
    """Linear regression data whose features are learned at two speeds by gradient descent.

    Inputs x ~ N(0, I_(n_fast + n_slow)); targets y = x . beta + noise * eps (label noise) with
    beta_fast ~ N(0, fast_signal^2 / n_fast I), beta_slow ~ N(0, slow_signal^2 / n_slow I), so
    the two groups carry signal variances fast_signal^2 and slow_signal^2 on average.
    Returns X (n_train, n_fast + n_slow), y (n_train,), beta (n_fast + n_slow,).
    """
    rng = np.random.default_rng(seed)
    beta = np.r_[fast_signal * rng.standard_normal(n_fast) / np.sqrt(n_fast),
                 slow_signal * rng.standard_normal(n_slow) / np.sqrt(n_slow)]
    X = rng.standard_normal((n_train, n_fast + n_slow))
    return X, X @ beta + noise * rng.standard_normal(n_train), beta


def epoch_wise_double_descent(epochs=None, n_train=40, n_fast=30, n_slow=2, slow_scale=0.01,
                              fast_signal=2.0, slow_signal=1.0, noise=0.3, n_seeds=30, seed=0):
    """Train and test error of gradient descent against epochs, for a linear model whose inputs
    come at two scales (after Heckel and Yilmaz 2021, https://arxiv.org/abs/2007.10099).

    The model sees features phi(x) = (x_fast, slow_scale * x_slow) and predicts phi(x) . theta,
    trained by full-batch gradient descent on the MSE from theta = 0 with
    alpha = n / (4 s_max^2) (a quarter of the stability limit); one step = one epoch. A feature
    of scale a moves a^2 times slower, so the fast group is learned first, the slow group about
    1 / slow_scale^2 times later. The effective capacity grows with training: after t epochs only
    the directions with 2 alpha s_k^2 t / n >~ 1 are fitted. Data: make_two_speed_data (label
    noise `noise`); the test error is exact, E_x (phi(x) . theta - x . beta)^2
    = ||scale * theta - beta||^2 for x ~ N(0, I), with noise-free test targets.
    Errors are averaged over n_seeds data sets (seed, seed + 1, ...).
    Returns {"epochs" (T,), "train_mse" (T,), "test_mse" (T,), "alpha" (n_seeds,)}.
    """
    if epochs is None:
        epochs = np.unique(np.logspace(0, 6, 150).astype(np.int64))
    epochs = np.asarray(epochs)
    scale = np.r_[np.ones(n_fast), slow_scale * np.ones(n_slow)]
    train = np.zeros(len(epochs))
    test = np.zeros(len(epochs))
    alphas = []
    for s in range(seed, seed + n_seeds):
        X, y, beta = make_two_speed_data(n_train, n_fast, n_slow, fast_signal, slow_signal, noise, seed=s)
        Phi = X * scale
        alpha = n_train / (4 * np.linalg.norm(Phi, 2) ** 2)
        thetas = gradient_descent_closed_form(Phi, y, alpha, epochs)
        train += np.mean((thetas @ Phi.T - y) ** 2, axis=1) / n_seeds
        test += np.sum((thetas * scale - beta) ** 2, axis=1) / n_seeds
        alphas.append(alpha)
    return {"epochs": epochs, "train_mse": train, "test_mse": test, "alpha": np.array(alphas)}


# ----------------------------------------------------------------------------------------------
# Double descent, fast (02's explorer): the random-features curves from SVD summaries
#
# Why a slider move is cheap. With the thin SVD Phi_p = U diag(s) W^T of the first p features,
#
#     theta = W diag(d) U^T y,   d_i = s_i / (s_i^2 + l2)   (l2 = 0: d_i = 1 / s_i, 0 for s_i ~ 0),
#
# so the train MSE, the test MSE and ||theta||^2 are simple sums over the singular directions i.
# We compute the SVDs once per n (cached) and keep, per seed and p: s, U^T f and U^T eps (the
# clean targets and the noise of y = f + noise * eps), and the test-set Gram matrix of the
# directions, G = W^T (Phi_test^T Phi_test / m) W. A move of the noise or ridge slider is then a
# few array operations on these (about 10 ms with the plot), and a move of the features slider
# only moves a marker. The first visit of a new n costs one SVD per (seed, p): 0.1-0.5 s.
# ----------------------------------------------------------------------------------------------


def feature_grid(max_features=200):
    """Every p up to 80 (the thresholds p = n <= 60 and their surroundings), then every 5th p up to
    max_features, where the curves are smooth. Shape (P,), about 105 values for max_features = 200."""
    return np.unique(np.r_[np.arange(1, min(max_features, 80) + 1), np.arange(80, max_features + 1, 5),
                           max_features])


def spectral_cache(n_train, features, n_test=500, dim=8, n_seeds=5, seed=0):
    """SVD summaries of the random-features problem for every p in `features` and every seed.

    Returns a dict of arrays, padded with zeros to r = n_train singular directions:
      s (S, P, r), uf = U^T f_train, ue = U^T eps (S, P, r), G (S, P, r, r), h = W^T Phi_test^T f / m
      (S, P, r), and per seed ff = ||f_train||^2, fe = f_train . eps, ee = ||eps||^2, f2 = mean f_test^2.
    """
    features = np.asarray(features)
    S, P, r = n_seeds, len(features), n_train
    out = {name: np.zeros((S, P, r)) for name in ("s", "uf", "ue", "h", "tol")}
    out["G"] = np.zeros((S, P, r, r))
    for name in ("ff", "fe", "ee", "f2"):
        out[name] = np.zeros(S)
    for i, s_ in enumerate(range(seed, seed + n_seeds)):
        X_train, y_one, X_test, f_test = make_double_descent_data(n_train, n_test, dim, noise=1.0, seed=s_)
        f_train = teacher_function(X_train)
        eps = y_one - f_train   # the same draw for every noise level: y = f_train + noise * eps
        V, c = make_random_features(dim, int(features.max()), seed=s_ + 10_000)
        Phi_train, Phi_test = relu_features(X_train, V, c), relu_features(X_test, V, c)
        C = Phi_test.T @ Phi_test / n_test
        k = Phi_test.T @ f_test / n_test
        out["ff"][i], out["fe"][i], out["ee"][i] = f_train @ f_train, f_train @ eps, eps @ eps
        out["f2"][i] = np.mean(f_test ** 2)
        for j, p in enumerate(features):
            U, s, Wt = np.linalg.svd(Phi_train[:, :p], full_matrices=False)
            q = len(s)
            out["s"][i, j, :q] = s
            out["tol"][i, j, :q] = np.finfo(np.float64).eps * max(n_train, p) * s[0]
            out["uf"][i, j, :q] = U.T @ f_train
            out["ue"][i, j, :q] = U.T @ eps
            out["G"][i, j, :q, :q] = Wt @ C[:p, :p] @ Wt.T
            out["h"][i, j, :q] = Wt @ k[:p]
    return out


def curves_from_cache(cache, noise, l2):
    """Train MSE, test MSE and ||theta||^2 against p, averaged over the seeds.

    With c = U^T y = uf + noise ue and a = d * c (theta = W a):
      test MSE  = a^T G a - 2 a . h + mean(f_test^2)
      train MSE = (||y||^2 - ||c||^2 + sum_i (1 - s_i d_i)^2 c_i^2) / n
      ||theta||^2 = sum_i a_i^2
    Returns three arrays of shape (P,).
    """
    s = cache["s"]
    with np.errstate(divide="ignore", invalid="ignore"):
        if l2 > 0:
            d = s / (s ** 2 + l2)
        else:   # minimum norm: invert only the nonzero singular values (as np.linalg.lstsq does)
            d = np.where(s > cache["tol"], 1.0 / s, 0.0)
    c = cache["uf"] + noise * cache["ue"]
    a = d * c
    Ga = np.matmul(cache["G"], a[..., None])[..., 0]
    test = np.sum(a * Ga, axis=-1) - 2 * np.sum(a * cache["h"], axis=-1) + cache["f2"][:, None]
    y2 = cache["ff"] + 2 * noise * cache["fe"] + noise ** 2 * cache["ee"]
    n_train = s.shape[-1]
    train = (y2[:, None] - np.sum(c ** 2, axis=-1) + np.sum((1 - s * d) ** 2 * c ** 2, axis=-1)) / n_train
    norm2 = np.sum(a ** 2, axis=-1)
    # round-off can make a zero training error slightly negative
    return np.maximum(train, 0).mean(axis=0), np.maximum(test, 0).mean(axis=0), norm2.mean(axis=0)


# ---------------------------------------------------------------------------------------------
# A fair optimizer comparison (09): one training run, reproducible from its seed
# ---------------------------------------------------------------------------------------------

COMPARISON_STEPS, COMPARISON_BATCH = 60, 16


def comparison_data():
    """The fixed data set of 09's fair comparison: 300 examples, 6 features of scales 0.2 .. 3
    (an ill-conditioned least-squares problem), y = X w + noise 0.5, split 150 / 75 / 75 into
    train / val / test (train_val_test_split, seed 0). Returns the three (X, y) pairs."""
    rng = np.random.default_rng(2026)
    X = rng.normal(size=(300, 6)) * np.geomspace(0.2, 3.0, 6)
    y = X @ rng.normal(size=6) + 0.5 * rng.normal(size=300)
    return train_val_test_split(X, y, (0.5, 0.25, 0.25), seed=0)


_COMPARISON = None


def comparison_run(name, alpha, seed, split="val"):
    """Train a linear model y ~ x theta (no bias) with optimizer `name` (optimizers.OPTIMIZERS, its
    default hyperparameters) at learning rate alpha for COMPARISON_STEPS minibatch steps of
    COMPARISON_BATCH examples on the training split, and return the MSE on `split` ("train",
    "val" or "test"); a run that diverges returns inf.

    Everything random comes from `seed` alone, never from the optimizer: theta_0 ~ N(0, I) and the
    minibatches (rows drawn with replacement) are the same for every optimizer with the same
    seed. That is what makes a comparison fair: the optimizers see the same start and the same
    data in the same order. Minibatch gradient of the MSE: g = (2/m) X_B^T (X_B theta - y_B).
    """
    global _COMPARISON
    if _COMPARISON is None:
        _COMPARISON = comparison_data()
    (X, y), (X_val, y_val), (X_test, y_test) = _COMPARISON
    data = {"train": (X, y), "val": (X_val, y_val), "test": (X_test, y_test)}
    if split not in data:
        raise ValueError(f"split must be 'train', 'val' or 'test', got {split!r}")
    rng = np.random.default_rng(int(seed))
    theta = rng.normal(size=X.shape[1])
    batches = rng.integers(0, len(y), size=(COMPARISON_STEPS, COMPARISON_BATCH))
    optimizer = make_optimizer(name, float(alpha))
    with np.errstate(all="ignore"):
        for batch in batches:
            X_B, y_B = X[batch], y[batch]
            gradient = lambda t, X_B=X_B, y_B=y_B: 2.0 / len(y_B) * X_B.T @ (X_B @ t - y_B)  # noqa: E731
            theta = optimizer.step(theta, gradient)
            if not np.all(np.isfinite(theta)) or np.max(np.abs(theta)) > 1e6:
                return float("inf")
        X_s, y_s = data[split]
        loss = float(np.mean((X_s @ theta - y_s) ** 2))
    return loss if np.isfinite(loss) else float("inf")


# ----------------------------------------------------------------------------------------------
# Ridge in closed form (01) and the minibatch gradient of linear regression (04): the references
# of their exercises (course_lib/exercises points at them)
# ----------------------------------------------------------------------------------------------


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


def minibatch_gradient(w, b, X, y, batch):
    """The minibatch estimate of the gradient of the linear-regression MSE (no 1/2 factor):

        J_B(w, b) = (1/m) sum_{i in B} (x_i w + b - y_i)^2,   m = len(batch)
        dJ_B/dw = (2/m) sum_{i in B} (x_i w + b - y_i) x_i,   dJ_B/db = (2/m) sum_{i in B} (x_i w + b - y_i)

    w (D,), b a number, X (N, D), y (N,), batch (m,) integer row indices into X (an index may
    repeat: examples are drawn independently). Returns (dw (D,), db float).
    """
    X_B = np.asarray(X, dtype=np.float64)[batch]
    y_B = np.asarray(y, dtype=np.float64)[batch]
    m = len(batch)
    residual = X_B @ w + b - y_B
    return 2.0 / m * X_B.T @ residual, float(2.0 / m * residual.sum())
