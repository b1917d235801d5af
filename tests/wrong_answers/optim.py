"""Wrong answers for notebooks 06-11, as students write them."""
import math

import numpy as np

from . import wrong


# --- 06 momentum_step ---
@wrong("momentum_step")
def mom_theta_with_old_v(theta, v, g, alpha, beta):
    theta = theta + v
    v = beta * v - alpha * g
    return theta, v


@wrong("momentum_step")
def mom_plus_velocity_minus_theta(theta, v, g, alpha, beta):
    v = beta * v + alpha * g
    return theta + v, v


@wrong("momentum_step")
def mom_ema_form(theta, v, g, alpha, beta):
    v = beta * v - (1 - beta) * alpha * g
    return theta + v, v


@wrong("momentum_step")
def mom_in_place(theta, v, g, alpha, beta):
    v *= beta
    v -= alpha * g
    return theta + v, v


# --- 06 nesterov_step ---
@wrong("nesterov_step")
def nest_gradient_step_only(theta, v, g, alpha, beta):
    v = beta * v - alpha * g
    return theta - alpha * g, v


@wrong("nesterov_step")
def nest_lookahead_plus_new_v(theta, v, g, alpha, beta):
    look = theta + beta * v
    v = beta * v - alpha * g
    return look + v, v


@wrong("nesterov_step")
def nest_sutskever(theta, v, g, alpha, beta):
    v_new = beta * v - alpha * g
    return theta - beta * v + (1 + beta) * v_new, v_new


@wrong("nesterov_step")
def nest_returns_lookahead(theta, v, g, alpha, beta):
    v = beta * v - alpha * g
    return theta + beta * v, v


# --- 06 momentum_rate ---
def _rate_from_matrix(M):
    return float(np.max(np.abs(np.linalg.eigvals(M))))


def _vec(function, alpha, beta, lam):
    out = np.vectorize(function, otypes=[float])(alpha, beta, lam)
    return float(out) if out.ndim == 0 else out


@wrong("momentum_rate")
def rate_matrix_old_v(alpha, beta, lam):
    # v' = beta v - alpha lam x;  x' = x + v  (the old v)
    return _vec(lambda a, b, la: _rate_from_matrix(np.array([[b, -a * la], [1.0, 1.0]])), alpha, beta, lam)


@wrong("momentum_rate")
def rate_no_abs(alpha, beta, lam):
    def one(a, b, la):
        c = 1 + b - a * la
        D = c * c - 4 * b
        return math.sqrt(b) if D < 0 else (c + math.sqrt(D)) / 2
    return _vec(one, alpha, beta, lam)


@wrong("momentum_rate")
def rate_beta_for_complex(alpha, beta, lam):
    def one(a, b, la):
        c = 1 + b - a * la
        D = c * c - 4 * b
        return b if D < 0 else (abs(c) + math.sqrt(D)) / 2
    return _vec(one, alpha, beta, lam)


@wrong("momentum_rate")
def rate_gd_only(alpha, beta, lam):
    return _vec(lambda a, b, la: abs(1 - a * la), alpha, beta, lam)


# --- 07 adagrad_step ---
@wrong("adagrad_step")
def ada_eps_outside(theta, r, g, alpha, eps):
    r = r + g ** 2
    return theta - alpha * g / (np.sqrt(r) + eps), r


@wrong("adagrad_step")
def ada_no_accumulation(theta, r, g, alpha, eps):
    r = g ** 2
    return theta - alpha * g / np.sqrt(r + eps), r


@wrong("adagrad_step")
def ada_old_r(theta, r, g, alpha, eps):
    new_r = r + g ** 2
    return theta - alpha * g / np.sqrt(r + eps), new_r


@wrong("adagrad_step")
def ada_in_place(theta, r, g, alpha, eps):
    r += g * g
    return theta - alpha / np.sqrt(r + eps) * g, r


@wrong("adagrad_step")
def ada_forgot_root(theta, r, g, alpha, eps):
    r = r + g * g
    return theta - alpha / (r + eps) * g, r


# --- 07 rmsprop_step ---
@wrong("rmsprop_step")
def rms_swapped_beta(theta, r, g, alpha, beta, eps):
    r = (1 - beta) * r + beta * g ** 2
    return theta - alpha * g / np.sqrt(r + eps), r


@wrong("rmsprop_step")
def rms_old_r(theta, r, g, alpha, beta, eps):
    r_new = beta * r + (1 - beta) * g ** 2
    return theta - alpha * g / np.sqrt(r + eps), r_new


@wrong("rmsprop_step")
def rms_no_one_minus_beta(theta, r, g, alpha, beta, eps):
    r = beta * r + g ** 2
    return theta - alpha * g / np.sqrt(r + eps), r


@wrong("rmsprop_step")
def rms_eps_outside(theta, r, g, alpha, beta, eps):
    r = beta * r + (1 - beta) * g * g
    return theta - alpha * g / (np.sqrt(r) + eps), r


# --- 07 adagrad_steps ---
@wrong("adagrad_steps")
def adas_eps_outside(thetas, rs, gs, alpha, eps):
    if rs is None:
        rs = [np.zeros_like(t) for t in thetas]
    new_r = [r + g ** 2 for r, g in zip(rs, gs)]
    return [t - alpha * g / (np.sqrt(r) + eps) for t, r, g in zip(thetas, new_r, gs)], new_r


@wrong("adagrad_steps")
def adas_in_place(thetas, rs, gs, alpha, eps):
    if rs is None:
        rs = [np.zeros_like(t) for t in thetas]
    for r, g in zip(rs, gs):
        r += g ** 2
    return [t - alpha * g / np.sqrt(r + eps) for t, r, g in zip(thetas, rs, gs)], rs


@wrong("adagrad_steps")
def adas_old_r(thetas, rs, gs, alpha, eps):
    if rs is None:
        rs = [np.zeros_like(t) for t in thetas]
    new_r = [r + g ** 2 for r, g in zip(rs, gs)]
    return [t - alpha * g / np.sqrt(r + eps) for t, r, g in zip(thetas, rs, gs)], new_r


@wrong("adagrad_steps")
def adas_first_step_r_is_one(thetas, rs, gs, alpha, eps):
    if rs is None:
        rs = [np.ones_like(t) for t in thetas]
    new_r = [r + g ** 2 for r, g in zip(rs, gs)]
    return [t - alpha * g / np.sqrt(r + eps) for t, r, g in zip(thetas, new_r, gs)], new_r


# --- 08 ema_weights: removed with the exercise (issue 22 replaced it by uncorrected_step_lengths) ---




# --- 08 adam_step ---
@wrong("adam_step")
def adam_eps_outside(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    t = t + 1
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g * g
    return theta - alpha * (s / (1 - beta_1 ** t)) / (np.sqrt(r / (1 - beta_2 ** t)) + eps), s, r, t


@wrong("adam_step")
def adam_correction_with_old_t(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g * g
    tt = max(t, 1)
    theta = theta - alpha / np.sqrt(r / (1 - beta_2 ** tt) + eps) * s / (1 - beta_1 ** tt)
    return theta, s, r, t + 1


@wrong("adam_step")
def adam_returns_old_t(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    t1 = t + 1
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g * g
    theta = theta - alpha / np.sqrt(r / (1 - beta_2 ** t1) + eps) * s / (1 - beta_1 ** t1)
    return theta, s, r, t


@wrong("adam_step")
def adam_corrections_swapped(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    t = t + 1
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g * g
    return theta - alpha / np.sqrt(r / (1 - beta_1 ** t) + eps) * s / (1 - beta_2 ** t), s, r, t


@wrong("adam_step")
def adam_no_bias_correction(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    t = t + 1
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g * g
    return theta - alpha / np.sqrt(r + eps) * s, s, r, t


# --- 08 adam_steps ---
def _adam_one(theta, s, r, t, g, alpha, b1, b2, eps, outside=False):
    s = b1 * s + (1 - b1) * g
    r = b2 * r + (1 - b2) * g * g
    sh, rh = s / (1 - b1 ** t), r / (1 - b2 ** t)
    step = alpha * sh / (np.sqrt(rh) + eps) if outside else alpha * sh / np.sqrt(rh + eps)
    return theta - step, s, r


@wrong("adam_steps")
def adams_t_per_array(thetas, ss, rs, t, gs, alpha, beta_1, beta_2, eps):
    if ss is None:
        ss = [np.zeros_like(x) for x in thetas]
        rs = [np.zeros_like(x) for x in thetas]
    out = ([], [], [])
    for th, s, r, g in zip(thetas, ss, rs, gs):
        t += 1
        for lst, val in zip(out, _adam_one(th, s, r, t, g, alpha, beta_1, beta_2, eps)):
            lst.append(val)
    return out[0], out[1], out[2], t


@wrong("adam_steps")
def adams_eps_outside(thetas, ss, rs, t, gs, alpha, beta_1, beta_2, eps):
    if ss is None:
        ss = [np.zeros_like(x) for x in thetas]
        rs = [np.zeros_like(x) for x in thetas]
    t += 1
    res = [_adam_one(th, s, r, t, g, alpha, beta_1, beta_2, eps, outside=True)
           for th, s, r, g in zip(thetas, ss, rs, gs)]
    return [x[0] for x in res], [x[1] for x in res], [x[2] for x in res], t


@wrong("adam_steps")
def adams_t_not_returned_incremented(thetas, ss, rs, t, gs, alpha, beta_1, beta_2, eps):
    if ss is None:
        ss = [np.zeros_like(x) for x in thetas]
        rs = [np.zeros_like(x) for x in thetas]
    res = [_adam_one(th, s, r, t + 1, g, alpha, beta_1, beta_2, eps)
           for th, s, r, g in zip(thetas, ss, rs, gs)]
    return [x[0] for x in res], [x[1] for x in res], [x[2] for x in res], t


@wrong("adam_steps")
def adams_only_when_none_initialises_s(thetas, ss, rs, t, gs, alpha, beta_1, beta_2, eps):
    if ss is None:
        ss = [np.zeros_like(x) for x in thetas]
    if rs is None:
        rs = [g ** 2 for g in gs]
    t += 1
    res = [_adam_one(th, s, r, t, g, alpha, beta_1, beta_2, eps)
           for th, s, r, g in zip(thetas, ss, rs, gs)]
    return [x[0] for x in res], [x[1] for x in res], [x[2] for x in res], t


# --- 09 steps_to_converge ---
@wrong("steps_to_converge")
def conv_first_within(losses, loss_min, tol):
    within = np.asarray(losses) - loss_min <= tol
    if not within[-1]:
        return -1
    return int(np.argmax(within))


@wrong("steps_to_converge")
def conv_strict(losses, loss_min, tol):
    within = np.asarray(losses) - loss_min < tol
    if not within[-1]:
        return -1
    out = np.flatnonzero(~within)
    return 0 if len(out) == 0 else int(out[-1]) + 1


@wrong("steps_to_converge")
def conv_last_outside_index(losses, loss_min, tol):
    within = np.asarray(losses) - loss_min <= tol
    if not within[-1]:
        return -1
    out = np.flatnonzero(~within)
    return 0 if len(out) == 0 else int(out[-1])


@wrong("steps_to_converge")
def conv_forgets_loss_min(losses, loss_min, tol):
    within = np.asarray(losses) <= tol
    if not within[-1]:
        return -1
    out = np.flatnonzero(~within)
    return 0 if len(out) == 0 else int(out[-1]) + 1


# --- 09 escape_step ---
@wrong("escape_step")
def esc_squared_distance(path, center, radius):
    d = np.sum((np.asarray(path) - center) ** 2, axis=1)
    inside = d <= radius
    if not inside.any():
        return -1
    j = int(np.argmax(inside))
    out = np.flatnonzero(~inside[j:])
    return -1 if len(out) == 0 else j + int(out[0])


@wrong("escape_step")
def esc_strict_inside(path, center, radius):
    d = np.linalg.norm(np.asarray(path) - center, axis=1)
    inside = d < radius
    if not inside.any():
        return -1
    j = int(np.argmax(inside))
    out = np.flatnonzero(~inside[j:])
    return -1 if len(out) == 0 else j + int(out[0])


@wrong("escape_step")
def esc_last_inside(path, center, radius):
    d = np.linalg.norm(np.asarray(path) - center, axis=1)
    inside = d <= radius
    if not inside.any():
        return -1
    j = int(np.argmax(inside))
    out = np.flatnonzero(~inside[j:])
    return -1 if len(out) == 0 else j + int(out[0]) - 1


@wrong("escape_step")
def esc_no_center(path, center, radius):
    d = np.linalg.norm(np.asarray(path), axis=1)
    inside = d <= radius
    if not inside.any():
        return -1
    j = int(np.argmax(inside))
    out = np.flatnonzero(~inside[j:])
    return -1 if len(out) == 0 else j + int(out[0])


# --- 10 exponential_decay ---
@wrong("exponential_decay")
def exp_no_clamp(t, alpha_0, alpha_end, T):
    return alpha_0 * (alpha_end / alpha_0) ** (np.asarray(t, float) / T)


@wrong("exponential_decay")
def exp_c_without_root(t, alpha_0, alpha_end, T):
    return alpha_0 * (alpha_end / alpha_0) ** np.minimum(t, T)


@wrong("exponential_decay")
def exp_natural(t, alpha_0, alpha_end, T):
    return alpha_0 * np.exp(-np.minimum(t, T) / T)


@wrong("exponential_decay")
def exp_T_minus_one(t, alpha_0, alpha_end, T):
    return alpha_0 * (alpha_end / alpha_0) ** (np.minimum(t, T) / (T - 1))


# --- 10 cosine_restarts ---
@wrong("cosine_restarts")
def cr_ignores_m(t, alpha_0, T, m):
    t = np.asarray(t, float)
    return alpha_0 * (1 + np.cos(np.pi * (t % T) / T)) / 2


@wrong("cosine_restarts")
def cr_no_half(t, alpha_0, T, m):
    t = np.asarray(t, float)
    out = np.empty_like(t)
    for idx, tt in np.ndenumerate(t):
        start, length = 0.0, T
        while tt >= start + length:
            start += length
            length *= m
        out[idx] = alpha_0 * np.cos(np.pi * (tt - start) / length)
    return out


@wrong("cosine_restarts")
def cr_period_not_grown(t, alpha_0, T, m):
    t = np.asarray(t, float)
    out = np.empty_like(t)
    for idx, tt in np.ndenumerate(t):
        start, length = 0.0, T
        while tt >= start + length:
            start += length
            length *= m
        out[idx] = alpha_0 * (1 + np.cos(np.pi * (tt - start) / T)) / 2
    return out


@wrong("cosine_restarts")
def cr_flattens(t, alpha_0, T, m):
    t = np.ravel(np.asarray(t, float))
    out = []
    for tt in t:
        start, length = 0.0, T
        while tt >= start + length:
            start += length
            length *= m
        out.append(alpha_0 * (1 + np.cos(np.pi * (tt - start) / length)) / 2)
    return np.array(out)


# --- 10 warmup_cosine ---
@wrong("warmup_cosine")
def wc_cosine_not_shifted(t, alpha_0, warmup_steps, T):
    t = np.asarray(t, float)
    return np.where(t < warmup_steps, alpha_0 * t / warmup_steps,
                    alpha_0 * (1 + np.cos(np.pi * np.minimum(t, T) / T)) / 2)


@wrong("warmup_cosine")
def wc_warmup_off_by_one(t, alpha_0, warmup_steps, T):
    t = np.asarray(t, float)
    return np.where(t < warmup_steps, alpha_0 * (t + 1) / warmup_steps,
                    alpha_0 * (1 + np.cos(np.pi * np.minimum(t - warmup_steps, T) / T)) / 2)


@wrong("warmup_cosine")
def wc_no_clamp(t, alpha_0, warmup_steps, T):
    t = np.asarray(t, float)
    return np.where(t < warmup_steps, alpha_0 * t / warmup_steps,
                    alpha_0 * (1 + np.cos(np.pi * (t - warmup_steps) / T)) / 2)


@wrong("warmup_cosine")
def wc_cosine_over_total(t, alpha_0, warmup_steps, T):
    t = np.asarray(t, float)
    return np.where(t < warmup_steps, alpha_0 * t / warmup_steps,
                    alpha_0 * (1 + np.cos(np.pi * np.minimum(t - warmup_steps, T) / (T + warmup_steps))) / 2)


# --- 11 confusion_matrix ---
@wrong("confusion_matrix")
def cm_transposed(y_true, y_pred, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=int)
    for a, b in zip(y_true, y_pred):
        C[b, a] += 1
    return C


@wrong("confusion_matrix")
def cm_fancy_index_marks(y_true, y_pred, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=int)
    C[y_true, y_pred] += 1
    return C


@wrong("confusion_matrix")
def cm_width_from_labels(y_true, y_pred, n_classes):
    k = int(max(np.max(y_true), np.max(y_pred))) + 1
    C = np.zeros((k, k), dtype=int)
    np.add.at(C, (y_true, y_pred), 1)
    return C


@wrong("confusion_matrix")
def cm_normalised_rows(y_true, y_pred, n_classes):
    C = np.zeros((n_classes, n_classes))
    np.add.at(C, (y_true, y_pred), 1)
    return C / np.maximum(C.sum(axis=1, keepdims=True), 1)
