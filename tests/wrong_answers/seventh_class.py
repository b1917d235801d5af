"""The seventh class: an ordinary cohort of mixed ability taking the course for the first time.

Written on 2026-12-06 by a helper who read only the student notebooks (each exercise's text,
signature and docstring) and the lecture, never the registry, its mistakes, the misconception
catalogue, the checker or another class's answers. The students: strong ones with one subtle slip,
average ones who mix up two similar formulas from different notebooks (RMSProp and AdaGrad,
momentum and Nesterov, MSE and NLL, Adam's two forms), some who copy a framework's convention
(PyTorch, Keras, Hugging Face, cs231n) instead of the lecture's, some who get shapes, axes or
broadcasting wrong, and some who misread what the function must return.

58 answers over 39 exercises (60 were written; every one below failed or raised when run once
through `evaluate(..., watch_references=False)`, and only the status was looked at). Two were
dropped because they passed, being right in effect on what is graded:
* kl_divergence, "skips every zero": it masked `(p > 0) & (q > 0)`, so a term with q_k = 0 < p_k
  gives nothing instead of an infinite divergence; it differs from the right answer only when such
  a term exists, and it passed.
* gradient_check, "sum of the two maxima": it divided by max|a| + max|n| instead of
  max_i(|a_i| + |n_i|); for two gradients that nearly agree the largest entries sit at the same
  place, so the two denominators (and the relative errors) are practically the same, and it passed.
"""
import numpy as np

from course_lib import nn
from course_lib.generalization import polynomial_features
from course_lib.graph import node_partials, node_value

from . import seventh

# ----------------------------------------------------------------------------- 00 welcome

@seventh("mse")
def mse_with_the_textbooks_one_half(o, y):
    # the student's old course wrote the loss as 1/2 (o - y)^2 "so the derivative is nice"
    return float(0.5 * np.mean((o - y) ** 2))


# ----------------------------------------------------------------------------- 01 generalization

@seventh("ridge_fit")
def ridge_fit_leaves_the_intercept_unpenalized(X, y, lam):
    # read the remark about fit_polynomial and copied its habit: theta_0 is not penalized
    p = X.shape[1]
    penalty = np.eye(p)
    penalty[0, 0] = 0.0
    return np.linalg.solve(X.T @ X + lam * penalty, X.T @ y)


@seventh("ridge_fit")
def ridge_fit_for_the_averaged_loss(X, y, lam):
    # derived the gradient of (1/n)||X theta - y||^2 + lam ||theta||^2, as in sklearn's docs
    n, p = X.shape
    return np.linalg.solve(X.T @ X / n + lam * np.eye(p), X.T @ y / n)


@seventh("choose_degree")
def choose_degree_scores_on_the_training_set(x_train, y_train, x_val, y_val, degrees):
    val_mse = []
    for d in degrees:
        features = polynomial_features(x_train, d)
        theta = np.linalg.lstsq(features, y_train, rcond=None)[0]
        val_mse.append(np.mean((features @ theta - y_train) ** 2))   # the fit's own rows
    val_mse = np.array(val_mse)
    return int(degrees[int(np.argmin(val_mse))]), val_mse


@seventh("choose_lambda")
def choose_lambda_first_minimum_on_a_tie(X, y, lambdas, n_val):
    def ridge(A, b, lam):
        return np.linalg.solve(A.T @ A + lam * np.eye(A.shape[1]), A.T @ b)

    X_tr, y_tr, X_val, y_val = X[:-n_val], y[:-n_val], X[-n_val:], y[-n_val:]
    val_mse = np.array([np.mean((X_val @ ridge(X_tr, y_tr, lam) - y_val) ** 2) for lam in lambdas])
    best_lam = lambdas[int(np.argmin(val_mse))]          # argmin: the first one wins a tie
    return best_lam, val_mse, ridge(X, y, best_lam)


@seventh("choose_lambda")
def choose_lambda_returns_the_fit_on_the_training_rows(X, y, lambdas, n_val):
    def ridge(A, b, lam):
        return np.linalg.solve(A.T @ A + lam * np.eye(A.shape[1]), A.T @ b)

    X_tr, y_tr, X_val, y_val = X[:-n_val], y[:-n_val], X[-n_val:], y[-n_val:]
    fits = [ridge(X_tr, y_tr, lam) for lam in lambdas]
    val_mse = np.array([np.mean((X_val @ theta - y_val) ** 2) for theta in fits])
    tied = [k for k, v in enumerate(val_mse) if v == val_mse.min()]
    k_best = max(tied, key=lambda k: lambdas[k])
    return lambdas[k_best], val_mse, fits[k_best]        # the fit that was validated, no refit


# ----------------------------------------------------------------------------- 02 double descent

@seventh("min_norm_least_squares")
def min_norm_with_an_absolute_cutoff(Phi, y):
    U, s, Vt = np.linalg.svd(Phi, full_matrices=False)
    # 1e-10 is far above float64 round-off (1e-16) and far below any real singular value
    rank = int(np.sum(s > 1e-10))
    theta = Vt[:rank].T @ ((U[:, :rank].T @ y) / s[:rank])
    return theta, rank


@seventh("double_descent_errors")
def double_descent_features_without_the_offset(X_train, y_train, X_test, y_test, V, c, p_values):
    def min_norm(Phi, y):
        U, s, Vt = np.linalg.svd(Phi, full_matrices=False)
        rank = int(np.sum(s > 1e-10 * s[0])) if s.size and s[0] > 0 else 0
        return Vt[:rank].T @ ((U[:, :rank].T @ y) / s[:rank]), rank

    Phi_train = np.maximum(0, X_train @ V)               # max(0, XV): the c got lost
    Phi_test = np.maximum(0, X_test @ V)
    train_mse, test_mse = [], []
    for p in p_values:
        theta, _ = min_norm(Phi_train[:, :p], y_train)
        train_mse.append(np.mean((Phi_train[:, :p] @ theta - y_train) ** 2))
        test_mse.append(np.mean((Phi_test[:, :p] @ theta - y_test) ** 2))
    return np.array(train_mse), np.array(test_mse)


# ----------------------------------------------------------------------------- 03 maximum likelihood

@seventh("cross_entropy")
def cross_entropy_straight_from_the_formula(p, q):
    # -sum p log q, no special case: "0 times anything is 0" (not when the log is -inf)
    return float(-np.sum(p * np.log(q)))


@seventh("kl_divergence")
def kl_divergence_with_the_arguments_swapped(p, q):
    mask = q > 0
    return float(np.sum(q[mask] * np.log(q[mask] / p[mask])))



@seventh("conditional_entropy")
def conditional_entropy_normalizes_the_columns(p_xy):
    p_y = p_xy.sum(axis=0, keepdims=True)               # axis 0: sums over x, gives p(y)
    total = 0.0
    for i in range(p_xy.shape[0]):
        for j in range(p_xy.shape[1]):
            if p_xy[i, j] > 0:
                total -= p_xy[i, j] * np.log(p_xy[i, j] / p_y[0, j])
    return float(total)


@seventh("conditional_entropy")
def conditional_entropy_plain_average_over_x(p_xy):
    entropies = []
    for row in p_xy:
        p_x = row.sum()
        if p_x == 0:
            continue
        cond = row[row > 0] / p_x
        entropies.append(-np.sum(cond * np.log(cond)))
    return float(np.mean(entropies))                     # forgot the weights p(x)


@seventh("unbiased_variance")
def unbiased_variance_mean_without_keepdims(x):
    n = x.shape[-1]
    mu = x.mean(axis=-1)
    return np.sum((x - mu) ** 2, axis=-1) / (n - 1)


@seventh("gaussian_nll")
def gaussian_nll_drops_the_log_sigma(y, mu, sigma):
    # followed the lecture's derivation, which throws the sigma term away as a constant
    return float(np.mean((y - mu) ** 2 / (2 * sigma ** 2)) + 0.5 * np.log(2 * np.pi))


@seventh("gaussian_nll")
def gaussian_nll_as_pytorchs_gaussiannllloss(y, mu, sigma):
    # torch.nn.GaussianNLLLoss: 0.5 (log var + (input - target)^2 / var), full=False by default
    var = np.asarray(sigma, dtype=float) ** 2
    return float(np.mean(0.5 * (np.log(var) + (y - mu) ** 2 / var)))


# ----------------------------------------------------------------------------- 04 gradient descent

@seventh("gradient_descent")
def gradient_descent_only_looks_for_inf_and_nan(A, b, theta0, alpha, n_steps):
    def J(theta):
        return 0.5 * theta @ A @ theta - b @ theta

    theta = np.array(theta0, dtype=float)
    thetas, losses, message = [theta.copy()], [J(theta)], ""
    for k in range(1, n_steps + 1):
        theta = theta - alpha * (A @ theta - b)
        if not np.all(np.isfinite(theta)):
            message = f"diverged at step {k}"
            break
        thetas.append(theta.copy())
        losses.append(J(theta))
    return np.array(thetas), np.array(losses), message


@seventh("gradient_descent")
def gradient_descent_counts_steps_from_zero(A, b, theta0, alpha, n_steps):
    def J(theta):
        return 0.5 * theta @ A @ theta - b @ theta

    theta = np.array(theta0, dtype=float)
    thetas, losses, message = [theta.copy()], [J(theta)], ""
    for k in range(n_steps):
        theta = theta - alpha * (A @ theta - b)
        if not np.all(np.isfinite(theta)) or np.any(np.abs(theta) > 1e6):
            message = f"diverged at step {k}"
            break
        thetas.append(theta.copy())
        losses.append(J(theta))
    return np.array(thetas), np.array(losses), message


@seventh("minibatch_gradient")
def minibatch_gradient_without_the_two(w, b, X, y, batch):
    Xb, yb = X[batch], y[batch]
    residual = Xb @ w + b - yb
    return Xb.T @ residual / len(batch), float(np.mean(residual))


@seventh("minibatch_gradient")
def minibatch_gradient_drops_repeated_indices(w, b, X, y, batch):
    rows = np.unique(batch)                              # "the same example twice is a bug"
    Xb, yb = X[rows], y[rows]
    residual = Xb @ w + b - yb
    return 2 * Xb.T @ residual / len(rows), float(2 * np.mean(residual))


@seventh("sgd_mean_squared_error")
def sgd_mse_factor_not_squared(alphas, a, sigma, theta_0):
    m = [theta_0 ** 2]
    for alpha in alphas:
        m.append((1 - alpha * a) * m[-1] + alpha ** 2 * sigma ** 2)
    return np.array(m)


# ----------------------------------------------------------------------------- 05 backpropagation

@seventh("forward_propagation")
def forward_propagation_parents_as_a_set(nodes):
    # the lecture writes A(i) as a set {u(j) | j in P(u(i))}
    u = []
    for node in nodes:
        A = list({u[j] for j in node["parents"]})
        u.append(node_value(node, A))
    return u


@seventh("backpropagation")
def backpropagation_finds_only_the_first_position_of_a_parent(nodes, u):
    n = len(nodes)
    g = [0.0] * n
    g[n - 1] = 1.0
    for i in range(n - 2, -1, -1):
        total = 0.0
        for j in range(i + 1, n):
            parents = nodes[j]["parents"]
            if i in parents:
                partials = node_partials(nodes[j], [u[k] for k in parents])
                total += g[j] * partials[parents.index(i)]
        g[i] = total
    return g


@seventh("backpropagation")
def backpropagation_overwrites_at_a_fork(nodes, u):
    n = len(nodes)
    g = [0.0] * n
    g[n - 1] = 1.0
    for i in range(n - 2, -1, -1):
        for j in range(i + 1, n):
            parents = nodes[j]["parents"]
            partials = node_partials(nodes[j], [u[k] for k in parents])
            for position, parent in enumerate(parents):
                if parent == i:
                    g[i] = g[j] * partials[position]
    return g


@seventh("relu_backward")
def relu_backward_masks_where_the_gradient_is_positive(dh, z):
    return np.where(dh > 0, dh, 0.0)


@seventh("sigmoid_backward")
def sigmoid_backward_treats_z_as_the_output(dh, z):
    return dh * z * (1 - z)


@seventh("linear_backward")
def linear_backward_dW_transposed(dh, x, W):
    return dh @ W.T, dh.T @ x, dh.sum(axis=0)


@seventh("linear_backward")
def linear_backward_averages_the_bias(dh, x, W):
    return dh @ W.T, x.T @ dh, dh.mean(axis=0)


@seventh("numerical_gradient")
def numerical_gradient_never_puts_the_value_back(f, x, eps=1e-6):
    arrays = x if isinstance(x, list) else [x]
    grads = []
    for arr in arrays:
        grad = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            old = arr[idx]
            arr[idx] = old + eps
            f_plus = f(x)
            arr[idx] = old - eps
            f_minus = f(x)
            grad[idx] = (f_plus - f_minus) / (2 * eps)
        grads.append(grad)
    return grads if isinstance(x, list) else grads[0]


@seventh("gradient_check")
def gradient_check_entry_by_entry_like_cs231n(analytic, numerical, tiny=1e-12):
    if isinstance(analytic, (list, tuple)):
        a = np.concatenate([np.ravel(v) for v in analytic])
        n = np.concatenate([np.ravel(v) for v in numerical])
    else:
        a, n = np.ravel(analytic), np.ravel(numerical)
    return float(np.max(np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), tiny)))



@seventh("softmax_cross_entropy_backward")
def softmax_ce_backward_for_the_summed_loss(logits, y):
    dlogits = nn.softmax(logits).copy()
    dlogits[np.arange(len(y)), y] -= 1
    return dlogits


@seventh("softmax_cross_entropy_backward")
def softmax_ce_backward_one_hot_sized_by_the_labels(logits, y):
    one_hot = np.eye(y.max() + 1)[y]
    return (nn.softmax(logits) - one_hot) / len(y)


@seventh("mlp_backward")
def mlp_backward_recomputes_the_forward_pass_without_b1(X, y, W1, b1, W2, b2):
    def linear_back(dh, x, W):
        return dh @ W.T, x.T @ dh, dh.sum(axis=0)

    Z1 = X @ W1                                          # + b1 forgotten here
    H = np.maximum(Z1, 0.0)
    O = H @ W2 + b2
    dO = nn.softmax(O).copy()
    dO[np.arange(len(y)), y] -= 1
    dO /= len(y)
    dH, dW2, db2 = linear_back(dO, H, W2)
    dZ1 = np.where(Z1 > 0, dH, 0.0)
    _, dW1, db1 = linear_back(dZ1, X, W1)
    return dW1, db1, dW2, db2


# ----------------------------------------------------------------------------- 06 momentum, Nesterov

@seventh("momentum_step")
def momentum_step_pytorchs_buffer(theta, v, g, alpha, beta):
    # torch.optim.SGD(momentum=beta): buf = beta buf + g, p -= lr buf
    v = beta * v + g
    return theta - alpha * v, v


@seventh("momentum_step")
def momentum_step_moves_with_the_old_velocity(theta, v, g, alpha, beta):
    theta_new = theta + v
    v_new = beta * v - alpha * g
    return theta_new, v_new


@seventh("nesterov_step")
def nesterov_step_without_the_look_ahead_move(theta, v, g, alpha, beta):
    # "the caller already went to the look-ahead point", so only the last two lines remain
    v_new = beta * v - alpha * g
    return theta - alpha * g, v_new


@seventh("nesterov_step")
def nesterov_step_in_the_frameworks_form(theta, v, g, alpha, beta):
    # keras / torch (nesterov=True): p += beta v_new - lr g
    v_new = beta * v - alpha * g
    return theta + beta * v_new - alpha * g, v_new


@seventh("momentum_rate")
def momentum_rate_with_the_old_velocity(alpha, beta, lam):
    M = np.array([[1.0, 1.0],
                  [-alpha * lam, beta]])
    return float(np.max(np.abs(np.linalg.eigvals(M))))


@seventh("momentum_rate")
def momentum_rate_largest_eigenvalue_not_its_modulus(alpha, beta, lam):
    M = np.array([[1 - alpha * lam, beta],
                  [-alpha * lam, beta]])
    return float(np.max(np.linalg.eigvals(M).real))


@seventh("nesterov_rate")
def nesterov_rate_matrix_norm(alpha, beta, lam):
    M = np.array([[1 - alpha * lam, beta * (1 - alpha * lam)],
                  [-alpha * lam, beta * (1 - alpha * lam)]])
    return float(np.linalg.norm(M, 2))


# ----------------------------------------------------------------------------- 07 AdaGrad, RMSProp

@seventh("adagrad_step")
def adagrad_step_eps_outside_the_root(theta, r, g, alpha, eps):
    r = r + g ** 2
    return theta - alpha * g / (np.sqrt(r) + eps), r


@seventh("adagrad_step")
def adagrad_step_divides_by_the_old_r(theta, r, g, alpha, eps):
    theta_new = theta - alpha / np.sqrt(r + eps) * g
    return theta_new, r + g ** 2


@seventh("rmsprop_step")
def rmsprop_step_keeps_adagrads_sum(theta, r, g, alpha, beta, eps):
    r = beta * r + g ** 2
    return theta - alpha / np.sqrt(r + eps) * g, r


@seventh("rmsprop_step")
def rmsprop_step_beta_on_the_new_gradient(theta, r, g, alpha, beta, eps):
    r = (1 - beta) * r + beta * g ** 2
    return theta - alpha / np.sqrt(r + eps) * g, r


@seventh("adagrad_steps")
def adagrad_steps_updates_in_place(thetas, rs, gs, alpha, eps):
    if rs is None:
        rs = [np.zeros_like(theta) for theta in thetas]
    for theta, r, g in zip(thetas, rs, gs):
        r += g ** 2
        theta -= alpha * g / np.sqrt(r + eps)
    return thetas, rs


# ----------------------------------------------------------------------------- 08 Adam

@seventh("uncorrected_step_lengths")
def uncorrected_lengths_with_the_correction_factor_instead(beta_1, beta_2, T):
    t = np.arange(1, T + 1)
    lengths = np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)   # alpha_t / alpha of the second form
    return lengths, int(np.argmax(lengths)) + 1


@seventh("adam_step")
def adam_step_counts_after_the_correction(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g ** 2
    s_hat = s / (1 - beta_1 ** t)
    r_hat = r / (1 - beta_2 ** t)
    theta = theta - alpha / np.sqrt(r_hat + eps) * s_hat
    return theta, s, r, t + 1


@seventh("adam_step")
def adam_step_both_forms_at_once(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    t = t + 1
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g ** 2
    s_hat = s / (1 - beta_1 ** t)
    r_hat = r / (1 - beta_2 ** t)
    alpha_t = alpha * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    return theta - alpha_t / np.sqrt(r_hat + eps) * s_hat, s, r, t


@seventh("adam_steps")
def adam_steps_one_count_per_array(thetas, ss, rs, t, gs, alpha, beta_1, beta_2, eps):
    def adam_step(theta, s, r, t, g):
        t = t + 1
        s = beta_1 * s + (1 - beta_1) * g
        r = beta_2 * r + (1 - beta_2) * g ** 2
        s_hat, r_hat = s / (1 - beta_1 ** t), r / (1 - beta_2 ** t)
        return theta - alpha / np.sqrt(r_hat + eps) * s_hat, s, r, t

    if ss is None:
        ss = [np.zeros_like(theta) for theta in thetas]
        rs = [np.zeros_like(theta) for theta in thetas]
    new_thetas, new_ss, new_rs = [], [], []
    for theta, s, r, g in zip(thetas, ss, rs, gs):
        theta, s, r, t = adam_step(theta, s, r, t, g)
        new_thetas.append(theta)
        new_ss.append(s)
        new_rs.append(r)
    return new_thetas, new_ss, new_rs, t


@seventh("adam_steps")
def adam_steps_returns_the_count_it_was_given(thetas, ss, rs, t, gs, alpha, beta_1, beta_2, eps):
    if ss is None:
        ss = [np.zeros_like(theta) for theta in thetas]
        rs = [np.zeros_like(theta) for theta in thetas]
    step = t + 1
    new_thetas, new_ss, new_rs = [], [], []
    for theta, s, r, g in zip(thetas, ss, rs, gs):
        s = beta_1 * s + (1 - beta_1) * g
        r = beta_2 * r + (1 - beta_2) * g ** 2
        s_hat, r_hat = s / (1 - beta_1 ** step), r / (1 - beta_2 ** step)
        new_thetas.append(theta - alpha / np.sqrt(r_hat + eps) * s_hat)
        new_ss.append(s)
        new_rs.append(r)
    return new_thetas, new_ss, new_rs, t


# ----------------------------------------------------------------------------- 09 optimizer race

@seventh("steps_to_converge")
def steps_to_converge_first_dip(losses, loss_min, tol):
    close = np.nonzero(np.asarray(losses) - loss_min <= tol)[0]
    return int(close[0]) if len(close) else -1


@seventh("steps_to_converge")
def steps_to_converge_index_of_the_last_excursion(losses, loss_min, tol):
    far = np.nonzero(np.asarray(losses) - loss_min > tol)[0]
    if len(far) == 0:
        return 0
    if far[-1] == len(losses) - 1:
        return -1
    return int(far[-1])                                  # the last step still outside


@seventh("escape_step")
def escape_step_sphere_counts_as_outside(path, center, radius):
    d = np.linalg.norm(path - center, axis=1)
    inside = np.nonzero(d < radius)[0]
    if len(inside) == 0:
        return -1
    j = inside[0]
    out = np.nonzero(d[j + 1:] > radius)[0]
    return int(j + 1 + out[0]) if len(out) else -1


# ----------------------------------------------------------------------------- 10 schedules

@seventh("exponential_decay")
def exponential_decay_keeps_falling_after_T(t, alpha_0, alpha_end, T):
    return alpha_0 * (alpha_end / alpha_0) ** (np.asarray(t) / T)


@seventh("exponential_decay")
def exponential_decay_operator_precedence_in_c(t, alpha_0, alpha_end, T):
    c = alpha_end / alpha_0 ** (1 / T)
    return alpha_0 * c ** np.minimum(np.asarray(t), T)


@seventh("cosine_restarts")
def cosine_restarts_every_cycle_T_long(t, alpha_0, T, m):
    t_cur = np.asarray(t) % T
    return alpha_0 * (1 + np.cos(np.pi * t_cur / T)) / 2


@seventh("cosine_restarts")
def cosine_restarts_cycle_starts_worked_out_for_m_2(t, alpha_0, T, m):
    # cycles T, 2T, 4T start at 0, T, 3T, 7T = T (m^i - 1)
    t = np.asarray(t, dtype=float)
    if m == 1:
        t_cur, T_i = t % T, T
    else:
        i = np.floor(np.log(t / T + 1) / np.log(m) + 1e-12)
        T_i = T * m ** i
        t_cur = t - T * (m ** i - 1)
    return alpha_0 * (1 + np.cos(np.pi * t_cur / T_i)) / 2


@seventh("warmup_cosine")
def warmup_cosine_T_is_the_whole_budget(t, alpha_0, warmup_steps, T):
    # like transformers' get_cosine_schedule_with_warmup: T counts the warmup too
    t = np.asarray(t, dtype=float)
    W = warmup_steps
    warm = alpha_0 * t / max(W, 1)
    progress = np.clip((t - W) / (T - W), 0.0, 1.0)
    cosine = alpha_0 * (1 + np.cos(np.pi * progress)) / 2
    return np.where(t < W, warm, cosine)


# ----------------------------------------------------------------------------- 11 capstone

@seventh("confusion_matrix")
def confusion_matrix_fancy_index_increment(y_true, y_pred, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=int)
    C[y_true, y_pred] += 1
    return C
