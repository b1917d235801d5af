"""Wrong answers for notebooks 00-04, as students write them."""
import numpy as np

from . import wrong


# --- 00 mse ---
@wrong("mse")
def mse_half(o, y):
    return 0.5 * np.mean((o - y) ** 2)


@wrong("mse")
def mse_sum(o, y):
    return np.sum((np.asarray(o) - np.asarray(y)) ** 2)


@wrong("mse")
def mse_root(o, y):
    return float(np.sqrt(np.mean((np.asarray(o) - np.asarray(y)) ** 2)))


@wrong("mse")
def mse_by_rows(o, y):
    o, y = np.asarray(o, float), np.asarray(y, float)
    return float(np.sum((o - y) ** 2) / len(o))


# --- 01 ridge_fit ---
@wrong("ridge_fit")
def ridge_lam_not_identity(X, y, lam):
    return np.linalg.solve(X.T @ X + lam, X.T @ y)


@wrong("ridge_fit")
def ridge_mean_loss(X, y, lam):
    n, p = X.shape
    return np.linalg.solve(X.T @ X / n + lam * np.eye(p), X.T @ y / n)


@wrong("ridge_fit")
def ridge_bias_unpenalised(X, y, lam):
    p = X.shape[1]
    eye = np.eye(p)
    eye[0, 0] = 0
    return np.linalg.solve(X.T @ X + lam * eye, X.T @ y)


@wrong("ridge_fit")
def ridge_lam_squared(X, y, lam):
    return np.linalg.solve(X.T @ X + lam ** 2 * np.eye(X.shape[1]), X.T @ y)


# --- 01 choose_degree ---
def _fit_poly(x, y, d):
    A = np.vander(x, d + 1, increasing=True)
    return np.linalg.lstsq(A, y, rcond=None)[0]


@wrong("choose_degree")
def degree_index_not_value(x_train, y_train, x_val, y_val, degrees):
    mses = []
    for d in degrees:
        theta = _fit_poly(x_train, y_train, d)
        mses.append(np.mean((np.vander(x_val, d + 1, increasing=True) @ theta - y_val) ** 2))
    return int(np.argmin(mses)), np.array(mses)


@wrong("choose_degree")
def degree_sum_of_squares(x_train, y_train, x_val, y_val, degrees):
    mses = []
    for d in degrees:
        theta = _fit_poly(x_train, y_train, d)
        mses.append(np.sum((np.vander(x_val, d + 1, increasing=True) @ theta - y_val) ** 2))
    return int(degrees[int(np.argmin(mses))]), np.array(mses)


@wrong("choose_degree")
def degree_d_columns(x_train, y_train, x_val, y_val, degrees):
    mses = []
    for d in degrees:
        A = np.vander(x_train, d, increasing=True)
        theta = np.linalg.lstsq(A, y_train, rcond=None)[0]
        mses.append(np.mean((np.vander(x_val, d, increasing=True) @ theta - y_val) ** 2))
    return int(degrees[int(np.argmin(mses))]), np.array(mses)


@wrong("choose_degree")
def degree_training_error(x_train, y_train, x_val, y_val, degrees):
    mses = []
    for d in degrees:
        theta = _fit_poly(x_train, y_train, d)
        mses.append(np.mean((np.vander(x_train, d + 1, increasing=True) @ theta - y_train) ** 2))
    return int(degrees[int(np.argmin(mses))]), np.array(mses)


# --- 01 choose_lambda ---
def _ridge(X, y, lam):
    return np.linalg.solve(X.T @ X + lam * np.eye(X.shape[1]), X.T @ y)


@wrong("choose_lambda")
def lambda_first_rows_validate(X, y, lambdas, n_val):
    Xv, yv, Xt, yt = X[:n_val], y[:n_val], X[n_val:], y[n_val:]
    mses = np.array([np.mean((Xv @ _ridge(Xt, yt, lam) - yv) ** 2) for lam in lambdas])
    best = float(lambdas[int(np.argmin(mses))])
    return best, mses, _ridge(X, y, best)


@wrong("choose_lambda")
def lambda_tie_smallest(X, y, lambdas, n_val):
    Xt, yt, Xv, yv = X[:-n_val], y[:-n_val], X[-n_val:], y[-n_val:]
    mses = np.array([np.mean((Xv @ _ridge(Xt, yt, lam) - yv) ** 2) for lam in lambdas])
    best = float(lambdas[int(np.argmin(mses))])
    return best, mses, _ridge(X, y, best)


@wrong("choose_lambda")
def lambda_no_refit(X, y, lambdas, n_val):
    Xt, yt, Xv, yv = X[:-n_val], y[:-n_val], X[-n_val:], y[-n_val:]
    mses = np.array([np.mean((Xv @ _ridge(Xt, yt, lam) - yv) ** 2) for lam in lambdas])
    ties = np.flatnonzero(mses == mses.min())
    best = float(max(lambdas[k] for k in ties))
    return best, mses, _ridge(Xt, yt, best)


@wrong("choose_lambda")
def lambda_sum_errors(X, y, lambdas, n_val):
    Xt, yt, Xv, yv = X[:-n_val], y[:-n_val], X[-n_val:], y[-n_val:]
    mses = np.array([np.sum((Xv @ _ridge(Xt, yt, lam) - yv) ** 2) for lam in lambdas])
    ties = np.flatnonzero(mses == mses.min())
    best = float(max(lambdas[k] for k in ties))
    return best, mses, _ridge(X, y, best)


# --- 02 min_norm_least_squares ---
@wrong("min_norm_least_squares")
def minnorm_no_cutoff(Phi, y):
    U, s, Vt = np.linalg.svd(Phi, full_matrices=False)
    return Vt.T @ ((U.T @ y) / s), len(s)


@wrong("min_norm_least_squares")
def minnorm_rank_from_shape(Phi, y):
    U, s, Vt = np.linalg.svd(Phi, full_matrices=False)
    r = int(np.sum(s > 1e-10 * s[0]))
    return Vt[:r].T @ ((U[:, :r].T @ y) / s[:r]), min(Phi.shape)


@wrong("min_norm_least_squares")
def minnorm_absolute_cutoff(Phi, y):
    U, s, Vt = np.linalg.svd(Phi, full_matrices=False)
    r = int(np.sum(s > 1e-10))
    return Vt[:r].T @ ((U[:, :r].T @ y) / s[:r]), r


@wrong("min_norm_least_squares")
def minnorm_multiply_by_s(Phi, y):
    U, s, Vt = np.linalg.svd(Phi, full_matrices=False)
    r = int(np.sum(s > 1e-10 * s[0]))
    return Vt[:r].T @ ((U[:, :r].T @ y) * s[:r]), r


# --- 02 double_descent_errors ---
def _minnorm(Phi, y):
    return np.linalg.pinv(Phi, rcond=1e-10) @ y


@wrong("double_descent_errors")
def dd_no_relu(X_train, y_train, X_test, y_test, V, c, p_values):
    Ptr, Pte = X_train @ V + c, X_test @ V + c
    tr, te = [], []
    for p in p_values:
        th = _minnorm(Ptr[:, :p], y_train)
        tr.append(np.mean((Ptr[:, :p] @ th - y_train) ** 2))
        te.append(np.mean((Pte[:, :p] @ th - y_test) ** 2))
    return np.array(tr), np.array(te)


@wrong("double_descent_errors")
def dd_sum_not_mean(X_train, y_train, X_test, y_test, V, c, p_values):
    Ptr, Pte = np.maximum(0, X_train @ V + c), np.maximum(0, X_test @ V + c)
    tr, te = [], []
    for p in p_values:
        th = _minnorm(Ptr[:, :p], y_train)
        tr.append(np.sum((Ptr[:, :p] @ th - y_train) ** 2))
        te.append(np.sum((Pte[:, :p] @ th - y_test) ** 2))
    return np.array(tr), np.array(te)


@wrong("double_descent_errors")
def dd_last_p_features(X_train, y_train, X_test, y_test, V, c, p_values):
    Ptr, Pte = np.maximum(0, X_train @ V + c), np.maximum(0, X_test @ V + c)
    tr, te = [], []
    for p in p_values:
        th = _minnorm(Ptr[:, -p:], y_train)
        tr.append(np.mean((Ptr[:, -p:] @ th - y_train) ** 2))
        te.append(np.mean((Pte[:, -p:] @ th - y_test) ** 2))
    return np.array(tr), np.array(te)


@wrong("double_descent_errors")
def dd_no_bias_c(X_train, y_train, X_test, y_test, V, c, p_values):
    Ptr, Pte = np.maximum(0, X_train @ V), np.maximum(0, X_test @ V)
    tr, te = [], []
    for p in p_values:
        th = _minnorm(Ptr[:, :p], y_train)
        tr.append(np.mean((Ptr[:, :p] @ th - y_train) ** 2))
        te.append(np.mean((Pte[:, :p] @ th - y_test) ** 2))
    return np.array(tr), np.array(te)


# --- 03 cross_entropy ---
@wrong("cross_entropy")
def ce_no_minus(p, q):
    p, q = np.asarray(p), np.asarray(q)
    m = p > 0
    return float(np.sum(p[m] * np.log(q[m])))


@wrong("cross_entropy")
def ce_swapped(p, q):
    p, q = np.asarray(p), np.asarray(q)
    m = q > 0
    return float(-np.sum(q[m] * np.log(p[m])))


@wrong("cross_entropy")
def ce_no_zero_convention(p, q):
    return float(-np.sum(p * np.log(q)))


@wrong("cross_entropy")
def ce_log2(p, q):
    p, q = np.asarray(p), np.asarray(q)
    m = p > 0
    return float(-np.sum(p[m] * np.log2(q[m])))


# --- 03 kl_divergence ---
@wrong("kl_divergence")
def kl_swapped(p, q):
    p, q = np.asarray(p), np.asarray(q)
    m = q > 0
    return float(np.sum(q[m] * np.log(q[m] / p[m])))


@wrong("kl_divergence")
def kl_no_zero_convention(p, q):
    return float(np.sum(p * np.log(p / q)))


@wrong("kl_divergence")
def kl_ratio_upside_down(p, q):
    p, q = np.asarray(p), np.asarray(q)
    m = p > 0
    return float(np.sum(p[m] * np.log(q[m] / p[m])))


@wrong("kl_divergence")
def kl_log2(p, q):
    p, q = np.asarray(p), np.asarray(q)
    m = p > 0
    return float(np.sum(p[m] * np.log2(p[m] / q[m])))


# --- 03 conditional_entropy ---
def _h(p):
    p = p[p > 0]
    return -np.sum(p * np.log(p))


@wrong("conditional_entropy")
def ce_wrong_marginal_axis(p_xy):
    p_xy = np.asarray(p_xy, float)
    return float(_h(p_xy.ravel()) - _h(p_xy.sum(axis=0)))


@wrong("conditional_entropy")
def ce_joint_only(p_xy):
    return float(_h(np.asarray(p_xy, float).ravel()))


@wrong("conditional_entropy")
def ce_condition_wrong_way(p_xy):
    p_xy = np.asarray(p_xy, float)
    p_y = p_xy.sum(axis=0, keepdims=True)
    m = p_xy > 0
    cond = np.where(m, p_xy / np.where(p_y > 0, p_y, 1), 1)
    return float(-np.sum(p_xy[m] * np.log(cond[m])))


@wrong("conditional_entropy")
def ce_plus_not_minus(p_xy):
    p_xy = np.asarray(p_xy, float)
    return float(_h(p_xy.ravel()) + _h(p_xy.sum(axis=1)))


# --- 03 unbiased_variance ---
@wrong("unbiased_variance")
def var_divides_by_n(x):
    return np.var(x, axis=-1)


@wrong("unbiased_variance")
def var_first_axis(x):
    return np.var(x, axis=0, ddof=1)


@wrong("unbiased_variance")
def var_std(x):
    return np.std(x, axis=-1, ddof=1)


@wrong("unbiased_variance")
def var_global_mean(x):
    x = np.asarray(x, float)
    n = x.shape[-1]
    return np.sum((x - np.mean(x)) ** 2, axis=-1) / (n - 1)


# --- 03 gaussian_nll ---
@wrong("gaussian_nll")
def nll_sigma_not_squared(y, mu, sigma):
    return float(np.mean(0.5 * np.log(2 * np.pi * sigma) + (y - mu) ** 2 / (2 * sigma ** 2)))


@wrong("gaussian_nll")
def nll_sum(y, mu, sigma):
    return float(np.sum(0.5 * np.log(2 * np.pi * sigma ** 2) + (y - mu) ** 2 / (2 * sigma ** 2)))


@wrong("gaussian_nll")
def nll_no_constant(y, mu, sigma):
    return float(np.mean((y - mu) ** 2 / (2 * sigma ** 2)))


@wrong("gaussian_nll")
def nll_missing_half_in_log(y, mu, sigma):
    return float(np.mean(np.log(2 * np.pi * sigma ** 2) + (y - mu) ** 2 / (2 * sigma ** 2)))


# --- 04 gradient_descent ---
def _J(A, b, th):
    return 0.5 * th @ A @ th - b @ th


@wrong("gradient_descent")
def gd_keeps_diverged(A, b, theta0, alpha, n_steps):
    th = np.array(theta0, float)
    ths, ls = [th], [_J(A, b, th)]
    for k in range(1, n_steps + 1):
        th = th - alpha * (A @ th - b)
        ths.append(th)
        ls.append(_J(A, b, th))
        if not np.all(np.isfinite(th)) or np.max(np.abs(th)) > 1e6:
            return np.array(ths), np.array(ls), f"diverged at step {k}"
    return np.array(ths), np.array(ls), ""


@wrong("gradient_descent")
def gd_gradient_ascent(A, b, theta0, alpha, n_steps):
    th = np.array(theta0, float)
    ths, ls = [th], [_J(A, b, th)]
    for k in range(1, n_steps + 1):
        th = th + alpha * (A @ th - b)
        if not np.all(np.isfinite(th)) or np.max(np.abs(th)) > 1e6:
            return np.array(ths), np.array(ls), f"diverged at step {k}"
        ths.append(th)
        ls.append(_J(A, b, th))
    return np.array(ths), np.array(ls), ""


@wrong("gradient_descent")
def gd_loss_without_half(A, b, theta0, alpha, n_steps):
    th = np.array(theta0, float)
    ths, ls = [th], [th @ A @ th - b @ th]
    for k in range(1, n_steps + 1):
        th = th - alpha * (A @ th - b)
        if not np.all(np.isfinite(th)) or np.max(np.abs(th)) > 1e6:
            return np.array(ths), np.array(ls), f"diverged at step {k}"
        ths.append(th)
        ls.append(th @ A @ th - b @ th)
    return np.array(ths), np.array(ls), ""


@wrong("gradient_descent")
def gd_step_counted_from_zero(A, b, theta0, alpha, n_steps):
    th = np.array(theta0, float)
    ths, ls = [th], [_J(A, b, th)]
    for k in range(n_steps):
        th = th - alpha * (A @ th - b)
        if not np.all(np.isfinite(th)) or np.max(np.abs(th)) > 1e6:
            return np.array(ths), np.array(ls), f"diverged at step {k}"
        ths.append(th)
        ls.append(_J(A, b, th))
    return np.array(ths), np.array(ls), ""


# --- 04 minibatch_gradient ---
@wrong("minibatch_gradient")
def mb_whole_dataset(w, b, X, y, batch):
    r = X @ w + b - y
    return 2 / len(y) * X.T @ r, float(2 / len(y) * r.sum())


@wrong("minibatch_gradient")
def mb_no_two(w, b, X, y, batch):
    Xb, yb = X[batch], y[batch]
    r = Xb @ w + b - yb
    return Xb.T @ r / len(batch), float(r.mean())


@wrong("minibatch_gradient")
def mb_divide_by_N(w, b, X, y, batch):
    Xb, yb = X[batch], y[batch]
    r = Xb @ w + b - yb
    return 2 * Xb.T @ r / len(X), float(2 * r.sum() / len(X))


@wrong("minibatch_gradient")
def mb_unique_batch(w, b, X, y, batch):
    idx = np.unique(batch)
    Xb, yb = X[idx], y[idx]
    r = Xb @ w + b - yb
    return 2 * Xb.T @ r / len(idx), float(2 * r.mean())


# --- 04 robbins_monro_conditions ---
@wrong("robbins_monro_conditions")
def rm_strict_p_lt_1(alpha_0, p):
    return alpha_0 > 0, alpha_0 > 0 and p < 1, alpha_0 == 0 or p > 0.5


@wrong("robbins_monro_conditions")
def rm_squares_need_p_gt_1(alpha_0, p):
    return alpha_0 > 0, alpha_0 > 0 and p <= 1, alpha_0 == 0 or p > 1


@wrong("robbins_monro_conditions")
def rm_squares_p_ge_half(alpha_0, p):
    return alpha_0 > 0, alpha_0 > 0 and p <= 1, alpha_0 == 0 or p >= 0.5


@wrong("robbins_monro_conditions")
def rm_ignores_alpha0(alpha_0, p):
    return alpha_0 > 0, p <= 1, p > 0.5
