"""A second class of wrong answers, written AFTER the catalogue was built and never used to tune
it (tests/test_wrong_answers.py reports its naming rate separately, as the out-of-sample figure).
Registered with `@later(...)`."""
import numpy as np

from . import later


@later("mse")
def mse_mean_of_abs_squared_rows(o, y):
    return float(np.mean(np.sum((o - y) ** 2, axis=-1)))


@later("mse")
def mse_difference_squared_after_mean(o, y):
    return float(np.mean(o - y) ** 2)


@later("mse")
def mse_n_minus_one(o, y):
    d = np.ravel(o - y)
    return float(np.sum(d ** 2) / (d.size - 1))


@later("ridge_fit")
def ridge_lam_on_xtx_only_off_diagonal_sign(X, y, lam):
    return np.linalg.solve(X.T @ X - lam * np.eye(X.shape[1]), X.T @ y)


@later("ridge_fit")
def ridge_lam_half(X, y, lam):
    return np.linalg.solve(X.T @ X + lam / 2 * np.eye(X.shape[1]), X.T @ y)


@later("ridge_fit")
def ridge_uses_inverse_of_xxt(X, y, lam):
    n = X.shape[0]
    return X.T @ np.linalg.solve(X @ X.T + lam * np.eye(n), y) * 0.5


@later("cross_entropy")
def ce_mean_over_classes(p, q):
    p, q = np.asarray(p), np.asarray(q)
    m = p > 0
    return float(-np.sum(p[m] * np.log(q[m])) / len(p))


@later("cross_entropy")
def ce_entropy_of_p(p, q):
    p = np.asarray(p)
    m = p > 0
    return float(-np.sum(p[m] * np.log(p[m])))


@later("cross_entropy")
def ce_log10(p, q):
    p, q = np.asarray(p), np.asarray(q)
    m = p > 0
    return float(-np.sum(p[m] * np.log10(q[m])))


@later("kl_divergence")
def kl_minus_sign(p, q):
    p, q = np.asarray(p), np.asarray(q)
    m = p > 0
    return float(-np.sum(p[m] * np.log(p[m] / q[m])))


@later("kl_divergence")
def kl_difference_of_logs_unweighted(p, q):
    p, q = np.asarray(p), np.asarray(q)
    m = p > 0
    return float(np.sum(np.log(p[m] / q[m])))


@later("kl_divergence")
def kl_mean(p, q):
    p, q = np.asarray(p), np.asarray(q)
    m = p > 0
    return float(np.mean(np.where(m, p * np.log(np.where(m, p, 1) / q), 0)))


@later("unbiased_variance")
def var_ddof1_all_entries(x):
    return np.var(x, ddof=1)


@later("unbiased_variance")
def var_sum_not_divided(x):
    x = np.asarray(x)
    return np.sum((x - x.mean(axis=-1, keepdims=True)) ** 2, axis=-1)


@later("unbiased_variance")
def var_keepdims(x):
    return np.var(x, axis=-1, ddof=1, keepdims=True)


@later("gaussian_nll")
def nll_positive_log_likelihood(y, mu, sigma):
    return float(-np.mean(0.5 * np.log(2 * np.pi * sigma ** 2) + (y - mu) ** 2 / (2 * sigma ** 2)))


@later("gaussian_nll")
def nll_log_sigma_only(y, mu, sigma):
    return float(np.mean(np.log(sigma) + (y - mu) ** 2 / (2 * sigma ** 2)))


@later("minibatch_gradient")
def mb_sign_flipped_residual(w, b, X, y, batch):
    Xb, yb = X[batch], y[batch]
    r = yb - Xb @ w - b
    return 2 * Xb.T @ r / len(batch), float(2 * r.mean())


@later("minibatch_gradient")
def mb_outputs_swapped(w, b, X, y, batch):
    Xb, yb = X[batch], y[batch]
    r = Xb @ w + b - yb
    return float(2 * r.mean()), 2 * Xb.T @ r / len(batch)


@later("minibatch_gradient")
def mb_first_m_rows(w, b, X, y, batch):
    m = len(batch)
    Xb, yb = X[:m], y[:m]
    r = Xb @ w + b - yb
    return 2 * Xb.T @ r / m, float(2 * r.mean())


@later("relu_backward")
def relu_in_place(dh, z):
    dh[z <= 0] = 0
    return dh


@later("relu_backward")
def relu_returns_relu_of_z(dh, z):
    return dh * np.maximum(z, 0)


@later("sigmoid_backward")
def sig_tanh_derivative(dh, z):
    return dh * (1 - np.tanh(z) ** 2)


@later("sigmoid_backward")
def sig_squared(dh, z):
    s = 1 / (1 + np.exp(-z))
    return dh * s ** 2


@later("linear_backward")
def lin_dx_no_transpose_square(dh, x, W):
    return dh @ W.T, x.T @ dh, dh.sum(axis=0) / 2


@later("linear_backward")
def lin_returns_db_first(dh, x, W):
    return dh.sum(axis=0), x.T @ dh, dh @ W.T


@later("softmax_cross_entropy_backward")
def sce_divides_by_k(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / logits.shape[1]


@later("softmax_cross_entropy_backward")
def sce_onehot_with_bincount_width(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    onehot = np.zeros((len(y), len(np.unique(y))))
    onehot[np.arange(len(y)), np.searchsorted(np.unique(y), y)] = 1
    return (p - onehot) / len(y)


@later("momentum_step")
def mom_returns_v_first(theta, v, g, alpha, beta):
    v = beta * v - alpha * g
    return v, theta + v


@later("momentum_step")
def mom_alpha_on_velocity(theta, v, g, alpha, beta):
    v = beta * v - g
    return theta + alpha * v, v


@later("momentum_step")
def mom_in_place_theta(theta, v, g, alpha, beta):
    v = beta * v - alpha * g
    theta += v
    return theta, v


@later("adagrad_step")
def ada_eps_squared_inside(theta, r, g, alpha, eps):
    r = r + g * g
    return theta - alpha * g / np.sqrt(r + eps ** 2), r


@later("adagrad_step")
def ada_returns_r_then_theta(theta, r, g, alpha, eps):
    r = r + g * g
    return r, theta - alpha * g / np.sqrt(r + eps)


@later("adagrad_step")
def ada_plus_step(theta, r, g, alpha, eps):
    r = r + g * g
    return theta + alpha * g / np.sqrt(r + eps), r


@later("rmsprop_step")
def rms_in_place(theta, r, g, alpha, beta, eps):
    r *= beta
    r += (1 - beta) * g * g
    return theta - alpha * g / np.sqrt(r + eps), r


@later("rmsprop_step")
def rms_sqrt_of_g_not_squared(theta, r, g, alpha, beta, eps):
    r = beta * r + (1 - beta) * np.abs(g)
    return theta - alpha * g / np.sqrt(r + eps), r


@later("adam_step")
def adam_old_state_in_step(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    t = t + 1
    s_new = beta_1 * s + (1 - beta_1) * g
    r_new = beta_2 * r + (1 - beta_2) * g * g
    s_hat, r_hat = s / (1 - beta_1 ** t), r / (1 - beta_2 ** t)
    return theta - alpha * s_hat / np.sqrt(r_hat + eps), s_new, r_new, t


@later("adam_step")
def adam_in_place(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    t += 1
    s *= beta_1
    s += (1 - beta_1) * g
    r *= beta_2
    r += (1 - beta_2) * g * g
    return theta - alpha * (s / (1 - beta_1 ** t)) / np.sqrt(r / (1 - beta_2 ** t) + eps), s, r, t


@later("adam_step")
def adam_t_plus_two(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    t = t + 1
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g * g
    tt = t + 1
    return theta - alpha * (s / (1 - beta_1 ** tt)) / np.sqrt(r / (1 - beta_2 ** tt) + eps), s, r, t


@later("adam_steps")
def adams_old_state_returned(thetas, ss, rs, t, gs, alpha, beta_1, beta_2, eps):
    if ss is None:
        ss = [np.zeros_like(x) for x in thetas]
        rs = [np.zeros_like(x) for x in thetas]
    t = t + 1
    out = []
    for th, s, r, g in zip(thetas, ss, rs, gs):
        s2 = beta_1 * s + (1 - beta_1) * g
        r2 = beta_2 * r + (1 - beta_2) * g * g
        out.append(th - alpha * (s2 / (1 - beta_1 ** t)) / np.sqrt(r2 / (1 - beta_2 ** t) + eps))
    return out, ss, rs, t




@later("steps_to_converge")
def conv_counts_steps(losses, loss_min, tol):
    within = np.asarray(losses) - loss_min <= tol
    return int(np.sum(within)) if within[-1] else -1


@later("steps_to_converge")
def conv_one_based(losses, loss_min, tol):
    within = np.asarray(losses) - loss_min <= tol
    if not within[-1]:
        return -1
    out = np.flatnonzero(~within)
    return 1 if len(out) == 0 else int(out[-1]) + 2


@later("escape_step")
def esc_first_entry(path, center, radius):
    d = np.linalg.norm(np.asarray(path) - center, axis=1)
    inside = d <= radius
    return int(np.argmax(inside)) if inside.any() else -1


@later("exponential_decay")
def exp_denominator_T_plus_one(t, alpha_0, alpha_end, T):
    t = np.minimum(np.asarray(t, float), T)
    return alpha_0 * (alpha_end / alpha_0) ** (t / (T + 1))


@later("warmup_cosine")
def wc_cosine_full_period(t, alpha_0, warmup_steps, T):
    t = np.asarray(t, float)
    return np.where(t < warmup_steps, alpha_0 * t / warmup_steps,
                    alpha_0 * (1 + np.cos(2 * np.pi * np.minimum(t - warmup_steps, T) / T)) / 2)


@later("warmup_cosine")
def wc_warmup_from_alpha_over_w(t, alpha_0, warmup_steps, T):
    t = np.asarray(t, float)
    return np.where(t < warmup_steps, alpha_0 * (t + 1) / (warmup_steps + 1),
                    alpha_0 * (1 + np.cos(np.pi * np.minimum(t - warmup_steps, T) / T)) / 2)


@later("confusion_matrix")
def cm_float_counts_transposed(y_true, y_pred, n_classes):
    C = np.zeros((n_classes, n_classes))
    np.add.at(C, (y_pred, y_true), 1)
    return C


@later("gradient_check")
def gc_sum_not_max(analytic, numerical, tiny=1e-12):
    a = np.concatenate([np.ravel(v) for v in (analytic if isinstance(analytic, list) else [analytic])])
    n = np.concatenate([np.ravel(v) for v in (numerical if isinstance(numerical, list) else [numerical])])
    return float(np.sum(np.abs(a - n)) / max(np.sum(np.abs(a) + np.abs(n)), tiny))
