"""A third class of wrong answers, written after every change to the catalogue, never used to
tune it: the out-of-sample figure of tests/test_wrong_answers.py. 17 of 29 named when first
measured; 19 after the generic NaN/inf and one-entry-short transforms it suggested. Three answers
written for it were left out: two are right in effect (the losses computed before each step give
the same list; epsilon divided by the second bias correction is the lecture's second form) and one
is a gap in choose_degree's cases (the LAST degree on a tie: no case has a tie). Registered with
`@third(...)`."""
import numpy as np

from . import third


@third("mse")
def mse_abs_of_mean(o, y):
    return float(abs(np.mean(o - y)))


@third("mse")
def mse_squares_summed_per_column(o, y):
    return float(np.mean(np.sum((o - y) ** 2, axis=0)))


@third("ridge_fit")
def ridge_pinv_ignores_lam(X, y, lam):
    return np.linalg.pinv(X) @ y


@third("ridge_fit")
def ridge_lam_times_n(X, y, lam):
    n, p = X.shape
    return np.linalg.solve(X.T @ X + n * lam * np.eye(p), X.T @ y)


@third("conditional_entropy")
def cond_log2(p_xy):
    p = np.asarray(p_xy, float)
    px = p.sum(axis=1, keepdims=True)
    m = p > 0
    return float(-np.sum(p[m] * np.log2((p / np.where(px > 0, px, 1))[m])))


@third("conditional_entropy")
def cond_unweighted_mean_of_rows(p_xy):
    p = np.asarray(p_xy, float)
    px = p.sum(axis=1, keepdims=True)
    cond = np.where(p > 0, p / np.where(px > 0, px, 1), 1)
    rows = -np.sum(np.where(p > 0, cond * np.log(cond), 0), axis=1)
    return float(np.mean(rows))


@third("gaussian_nll")
def nll_variance_in_log_without_pi(y, mu, sigma):
    return float(np.mean(0.5 * np.log(sigma ** 2) + (y - mu) ** 2 / (2 * sigma ** 2)))


@third("gaussian_nll")
def nll_sum_of_squares_over_sigma(y, mu, sigma):
    return float(np.mean(0.5 * np.log(2 * np.pi * sigma ** 2) + (y - mu) ** 2 / sigma ** 2))


@third("gradient_descent")
def gd_message_wording(A, b, theta0, alpha, n_steps):
    th = np.array(theta0, float)
    ths, ls = [th], [0.5 * th @ A @ th - b @ th]
    for k in range(1, n_steps + 1):
        th = th - alpha * (A @ th - b)
        if not np.all(np.isfinite(th)) or np.max(np.abs(th)) > 1e6:
            return np.array(ths), np.array(ls), f"diverged after {k} steps"
        ths.append(th)
        ls.append(0.5 * th @ A @ th - b @ th)
    return np.array(ths), np.array(ls), ""


@third("relu_backward")
def relu_sign_of_z(dh, z):
    return dh * np.sign(z)


@third("sigmoid_backward")
def sig_uses_one_plus_exp(dh, z):
    e = np.exp(-z)
    return dh * e / (1 + e)


@third("linear_backward")
def lin_all_means(dh, x, W):
    n = dh.shape[0]
    return dh @ W.T / n, x.T @ dh / n, dh.mean(axis=0)


@third("numerical_gradient")
def ng_forward_only_with_2eps(f, x, eps=1e-6):
    xs = x if isinstance(x, list) else [x]
    out = []
    for a in xs:
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            old = a[i]
            base = f(x)
            a[i] = old + eps
            g[i] = (f(x) - base) / (2 * eps)
            a[i] = old
        out.append(g)
    return out if isinstance(x, list) else out[0]


@third("gradient_check")
def gc_no_tiny_nan(analytic, numerical, tiny=1e-12):
    a = np.concatenate([np.ravel(v) for v in (analytic if isinstance(analytic, list) else [analytic])])
    n = np.concatenate([np.ravel(v) for v in (numerical if isinstance(numerical, list) else [numerical])])
    with np.errstate(all="ignore"):
        return float(np.max(np.abs(a - n)) / np.max(np.abs(a) + np.abs(n)))


@third("softmax_cross_entropy_backward")
def sce_mean_over_everything(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / p.size


@third("mlp_backward")
def mlp_db2_mean(X, y, W1, b1, W2, b2):
    z1 = X @ W1 + b1
    h = np.maximum(0, z1)
    o = h @ W2 + b2
    p = np.exp(o - o.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    do = p / len(y)
    dh = do @ W2.T * (z1 > 0)
    return X.T @ dh, dh.sum(axis=0), h.T @ do, do.mean(axis=0)


@third("nesterov_step")
def nest_v_with_plus(theta, v, g, alpha, beta):
    v_new = beta * v + alpha * g
    return theta + beta * v - alpha * g, v_new


@third("momentum_rate")
def rate_without_abs_of_c(alpha, beta, lam):
    c = 1 + np.asarray(beta, float) - np.asarray(alpha, float) * np.asarray(lam, float)
    D = c * c - 4 * np.asarray(beta, float)
    out = np.where(D < 0, np.sqrt(beta), (c + np.sqrt(np.maximum(D, 0))) / 2)
    return float(out) if out.ndim == 0 else out


@third("rmsprop_step")
def rms_returns_sqrt_r(theta, r, g, alpha, beta, eps):
    r = beta * r + (1 - beta) * g * g
    return theta - alpha * g / np.sqrt(r + eps), np.sqrt(r)


@third("adagrad_steps")
def adas_shared_list_alias(thetas, rs, gs, alpha, eps):
    if rs is None:
        rs = [np.zeros_like(t) for t in thetas]
    new_r = [r + g * g for r, g in zip(rs, gs)]
    return [t - alpha * g / np.sqrt(r + eps) for t, r, g in zip(thetas, new_r, gs)], rs



@third("steps_to_converge")
def conv_relative_tolerance(losses, loss_min, tol):
    losses = np.asarray(losses)
    within = losses - loss_min <= tol * max(abs(loss_min), 1)
    if not within[-1]:
        return -1
    out = np.flatnonzero(~within)
    return 0 if len(out) == 0 else int(out[-1]) + 1


@third("escape_step")
def esc_counts_from_one(path, center, radius):
    d = np.linalg.norm(np.asarray(path) - center, axis=1)
    inside = d <= radius
    if not inside.any():
        return -1
    j = int(np.argmax(inside))
    out = np.flatnonzero(~inside[j:])
    return -1 if len(out) == 0 else j + int(out[0]) + 1


@third("exponential_decay")
def exp_never_reaches(t, alpha_0, alpha_end, T):
    t = np.minimum(np.asarray(t, float), T)
    return alpha_0 * (alpha_end / alpha_0) ** (t / T) + alpha_end * (t == T) * 0.01


@third("cosine_restarts")
def cr_restart_at_multiples_of_T_times_m(t, alpha_0, T, m):
    t = np.asarray(t, float)
    length = T * m
    return alpha_0 * (1 + np.cos(np.pi * (t % length) / length)) / 2


@third("warmup_cosine")
def wc_warmup_reaches_peak_late(t, alpha_0, warmup_steps, T):
    t = np.asarray(t, float)
    return np.where(t <= warmup_steps, alpha_0 * t / (warmup_steps + 1),
                    alpha_0 * (1 + np.cos(np.pi * np.minimum(t - warmup_steps, T) / T)) / 2)


@third("confusion_matrix")
def cm_bincount_flat_wrong_order(y_true, y_pred, n_classes):
    counts = np.bincount(y_pred * n_classes + y_true, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes)


@third("double_descent_errors")
def dd_fit_with_lstsq_default(X_train, y_train, X_test, y_test, V, c, p_values):
    Ptr, Pte = np.maximum(0, X_train @ V + c), np.maximum(0, X_test @ V + c)
    tr, te = [], []
    for p in p_values:
        th = np.linalg.lstsq(Ptr[:, :p], y_train, rcond=None)[0] * 0.99
        tr.append(np.mean((Ptr[:, :p] @ th - y_train) ** 2))
        te.append(np.mean((Pte[:, :p] @ th - y_test) ** 2))
    return np.array(tr), np.array(te)


@third("kl_divergence")
def kl_abs(p, q):
    p, q = np.asarray(p), np.asarray(q)
    m = p > 0
    return float(np.sum(np.abs(p[m] * np.log(p[m] / q[m]))))
