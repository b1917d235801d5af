"""Class H: wrong answers written on 2026-12-07 by a helper who read only the student notebooks
(each exercise's text, signature and docstring) and the lecture, nothing of the registry, the
checker or the other classes. It plays about a dozen students whose slips are mostly in how they
read the notebook: which array is which argument, which rows validate, where a cycle starts, what
belongs to one array and what to the whole step, a warning they skipped, a copy they did not make.
Helpers whose names start with an underscore are the students' own earlier (correct) functions,
which the notebooks tell them to reuse; they are not answers.

46 answers over 37 exercise ids. Each was run once through `evaluate(..., watch_references=False)`
(all in one process); every kept answer came out "failed" or "error" (forward_propagation's and
softmax_cross_entropy_backward's raise inside the student's own code, as they would in class).
Two answers passed and were dropped, unchanged otherwise:
* kl_divergence, "skips every zero, not only p = 0" (mask (p > 0) & (q > 0)): on the check's cases
  it evidently gives the same results as the right sum, so it is right in effect there;
* numerical_gradient, "nudges a copy" (central differences on a private copy of x, f called with
  the copy): the check's functions evidently read the array they are passed, so it is right in
  effect.
"""
import numpy as np

from course_lib import nn
from course_lib.generalization import polynomial_features
from course_lib.graph import node_partials, node_value

from . import eighth

# --------------------------------------------------------------------------------------------
# the students' own earlier functions (correct), reused as the notebooks ask
# --------------------------------------------------------------------------------------------

def _ridge_fit(X, y, lam):
    p = X.shape[1]
    return np.linalg.solve(X.T @ X + lam * np.eye(p), X.T @ y)


def _min_norm_least_squares(Phi, y):
    U, s, Vt = np.linalg.svd(Phi, full_matrices=False)
    if s.size == 0 or s[0] == 0:
        return np.zeros(Phi.shape[1]), 0
    keep = s > 1e-10 * s[0]
    theta = Vt[keep].T @ ((U[:, keep].T @ y) / s[keep])
    return theta, int(keep.sum())


def _relu_backward(dh, z):
    return dh * (z > 0)


def _linear_backward(dh, x, W):
    return dh @ W.T, x.T @ dh, dh.sum(axis=0)


def _softmax_cross_entropy_backward(logits, y):
    N, K = logits.shape
    p = nn.softmax(logits)
    return (p - np.eye(K)[y]) / N


def _adagrad_step(theta, r, g, alpha, eps):
    r = r + g ** 2
    return theta - alpha / np.sqrt(r + eps) * g, r


def _adam_step(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    t = t + 1
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g ** 2
    s_hat = s / (1 - beta_1 ** t)
    r_hat = r / (1 - beta_2 ** t)
    return theta - alpha / np.sqrt(r_hat + eps) * s_hat, s, r, t


# --------------------------------------------------------------------------------------------
# 00 welcome
# --------------------------------------------------------------------------------------------

@eighth("mse")
def mse_divides_by_number_of_rows(o, y):
    # "1/m sum over the m examples": m is the number of examples, i.e. rows
    return float(np.sum((o - y) ** 2) / len(y))


# --------------------------------------------------------------------------------------------
# 01 generalization
# --------------------------------------------------------------------------------------------

@eighth("ridge_fit")
def ridge_fit_leaves_constant_term_unpenalized(X, y, lam):
    # read the remark about fit_polynomial and did the same: theta_0 is the bias, not penalized
    p = X.shape[1]
    penalty = np.eye(p)
    penalty[0, 0] = 0.0
    return np.linalg.solve(X.T @ X + lam * penalty, X.T @ y)


@eighth("ridge_fit")
def ridge_fit_from_the_mean_squared_error(X, y, lam):
    # the loss of the course is the MSE, so the data term is averaged over the n examples
    n, p = X.shape
    return np.linalg.solve(X.T @ X / n + lam * np.eye(p), X.T @ y / n)


@eighth("choose_degree")
def choose_degree_scores_each_fit_on_the_data_it_was_fitted_on(x_train, y_train, x_val, y_val, degrees):
    val_mse = []
    for d in degrees:
        Phi = polynomial_features(x_train, int(d))
        theta = np.linalg.lstsq(Phi, y_train, rcond=None)[0]
        val_mse.append(np.mean((Phi @ theta - y_train) ** 2))
    val_mse = np.array(val_mse)
    return int(degrees[int(np.argmin(val_mse))]), val_mse


@eighth("choose_lambda")
def choose_lambda_validates_on_the_first_rows(X, y, lambdas, n_val):
    X_val, y_val = X[:n_val], y[:n_val]
    X_tr, y_tr = X[n_val:], y[n_val:]
    val_mse = np.array([np.mean((X_val @ _ridge_fit(X_tr, y_tr, lam) - y_val) ** 2) for lam in lambdas])
    tied = np.flatnonzero(val_mse == val_mse.min())
    best_lam = max(lambdas[i] for i in tied)
    return best_lam, val_mse, _ridge_fit(X, y, best_lam)


@eighth("choose_lambda")
def choose_lambda_returns_the_fit_it_validated(X, y, lambdas, n_val):
    n = len(y)
    X_tr, y_tr = X[: n - n_val], y[: n - n_val]
    X_val, y_val = X[n - n_val:], y[n - n_val:]
    fits = [_ridge_fit(X_tr, y_tr, lam) for lam in lambdas]
    val_mse = np.array([np.mean((X_val @ theta - y_val) ** 2) for theta in fits])
    tied = np.flatnonzero(val_mse == val_mse.min())
    k = max(tied, key=lambda i: lambdas[i])
    return lambdas[k], val_mse, fits[k]          # the validated model is the one we trust


# --------------------------------------------------------------------------------------------
# 02 double descent
# --------------------------------------------------------------------------------------------

@eighth("min_norm_least_squares")
def min_norm_with_a_fixed_absolute_cutoff(Phi, y):
    U, s, Vt = np.linalg.svd(Phi, full_matrices=False)
    # round-off in float64 is about 1e-16, so anything below 1e-10 is surely noise: drop it
    keep = s > 1e-10
    theta = Vt[keep].T @ ((U[:, keep].T @ y) / s[keep])
    return theta, int(keep.sum())


@eighth("double_descent_errors")
def double_descent_takes_the_last_p_features(X_train, y_train, X_test, y_test, V, c, p_values):
    Phi_train = np.maximum(0.0, X_train @ V + c)
    Phi_test = np.maximum(0.0, X_test @ V + c)
    train_mse, test_mse = [], []
    for p in p_values:
        theta, _ = _min_norm_least_squares(Phi_train[:, -p:], y_train)
        train_mse.append(np.mean((Phi_train[:, -p:] @ theta - y_train) ** 2))
        test_mse.append(np.mean((Phi_test[:, -p:] @ theta - y_test) ** 2))
    return np.array(train_mse), np.array(test_mse)


# --------------------------------------------------------------------------------------------
# 03 maximum likelihood
# --------------------------------------------------------------------------------------------

@eighth("cross_entropy")
def cross_entropy_with_the_roles_of_p_and_q_swapped(p, q):
    # H(p, q): the model q weighs the log of the data p
    mask = q > 0
    return float(-np.sum(q[mask] * np.log(p[mask])))


@eighth("conditional_entropy")
def conditional_entropy_conditions_on_the_columns(p_xy):
    p_marginal = p_xy.sum(axis=0)                 # p(x) = sum over y
    ratio = np.divide(p_xy, p_marginal[None, :], out=np.zeros_like(p_xy), where=p_xy > 0)
    mask = p_xy > 0
    return float(-np.sum(p_xy[mask] * np.log(ratio[mask])))


@eighth("conditional_entropy")
def conditional_entropy_plain_average_over_x(p_xy):
    # "the entropy of Y that remains once x is known, averaged over x"
    entropies = []
    for row in p_xy:
        p_x = row.sum()
        if p_x == 0:
            continue
        cond = row[row > 0] / p_x
        entropies.append(-np.sum(cond * np.log(cond)))
    return float(np.mean(entropies))


@eighth("unbiased_variance")
def unbiased_variance_one_mean_for_the_whole_batch(x):
    x = np.asarray(x, dtype=float)
    n = x.shape[-1]
    mu = x.mean()
    return np.sum((x - mu) ** 2, axis=-1) / (n - 1)


@eighth("gaussian_nll")
def gaussian_nll_reads_sigma_as_the_variance(y, mu, sigma):
    # N(y; mu, sigma^2): the second parameter is what goes into the density
    return float(np.mean(0.5 * np.log(2 * np.pi * sigma) + (y - mu) ** 2 / (2 * sigma)))


@eighth("gaussian_nll")
def gaussian_nll_keeps_only_the_lecture_terms(y, mu, sigma):
    # the constant -m log(2 pi sigma^2)^(-1/2) becomes log sqrt(2 pi) per example
    return float(np.mean(0.5 * np.log(2 * np.pi) + (y - mu) ** 2 / (2 * sigma ** 2)))


# --------------------------------------------------------------------------------------------
# 04 gradient descent
# --------------------------------------------------------------------------------------------

@eighth("gradient_descent")
def gradient_descent_updates_theta0_itself(A, b, theta0, alpha, n_steps):
    theta = theta0
    thetas = [theta]
    losses = [0.5 * theta @ A @ theta - b @ theta]
    for k in range(1, n_steps + 1):
        theta -= alpha * (A @ theta - b)
        if not np.all(np.isfinite(theta)) or np.any(np.abs(theta) > 1e6):
            return np.array(thetas), np.array(losses), f"diverged at step {k}"
        thetas.append(theta)
        losses.append(0.5 * theta @ A @ theta - b @ theta)
    return np.array(thetas), np.array(losses), ""


@eighth("gradient_descent")
def gradient_descent_reports_the_loop_index(A, b, theta0, alpha, n_steps):
    theta = np.array(theta0, dtype=float)
    thetas = [theta.copy()]
    losses = [0.5 * theta @ A @ theta - b @ theta]
    for k in range(n_steps):
        theta = theta - alpha * (A @ theta - b)
        if not np.all(np.isfinite(theta)) or np.any(np.abs(theta) > 1e6):
            return np.array(thetas), np.array(losses), f"diverged at step {k}"
        thetas.append(theta)
        losses.append(0.5 * theta @ A @ theta - b @ theta)
    return np.array(thetas), np.array(losses), ""


@eighth("minibatch_gradient")
def minibatch_gradient_drops_repeated_indices(w, b, X, y, batch):
    rows = np.unique(batch)              # the same example twice would count it double
    residual = X[rows] @ w + b - y[rows]
    m = len(rows)
    return 2 * X[rows].T @ residual / m, float(2 * residual.sum() / m)


@eighth("sgd_mean_squared_error")
def sgd_mse_noise_term_with_alpha_not_squared(alphas, a, sigma, theta_0):
    m = [theta_0 ** 2]
    for alpha in alphas:
        m.append((1 - alpha * a) ** 2 * m[-1] + alpha * sigma ** 2)
    return np.array(m)


# --------------------------------------------------------------------------------------------
# 05 backpropagation
# --------------------------------------------------------------------------------------------

@eighth("forward_propagation")
def forward_propagation_collects_each_parent_once(nodes):
    u = []
    for node in nodes:
        A = [u[j] for j in sorted(set(node["parents"]))]   # the set of predecessors' values
        u.append(node_value(node, A))
    return u


@eighth("backpropagation")
def backpropagation_assigns_instead_of_summing(nodes, u):
    n = len(nodes)
    g = [0.0] * n
    g[n - 1] = 1.0
    for j in range(n - 1, -1, -1):
        parents = nodes[j]["parents"]
        if not parents:
            continue
        partials = node_partials(nodes[j], [u[k] for k in parents])
        for position, i in enumerate(parents):
            g[i] = g[j] * partials[position]
    return g


@eighth("backpropagation")
def backpropagation_finds_the_parent_with_index(nodes, u):
    n = len(nodes)
    g = [0.0] * n
    g[n - 1] = 1.0
    for j in range(n - 1, -1, -1):
        parents = nodes[j]["parents"]
        if not parents:
            continue
        partials = node_partials(nodes[j], [u[k] for k in parents])
        for i in set(parents):
            g[i] += g[j] * partials[parents.index(i)]
    return g


@eighth("relu_backward")
def relu_backward_masks_where_the_gradient_is_positive(dh, z):
    return dh * (dh > 0)


@eighth("sigmoid_backward")
def sigmoid_backward_uses_z_as_the_sigmoid(dh, z):
    return dh * z * (1 - z)


@eighth("linear_backward")
def linear_backward_averages_the_bias_gradient(dh, x, W):
    return dh @ W.T, x.T @ dh, dh.mean(axis=0)


@eighth("gradient_check")
def gradient_check_entry_by_entry_like_cs231n(analytic, numerical, tiny=1e-12):
    if isinstance(analytic, (list, tuple)):
        a = np.concatenate([np.ravel(v) for v in analytic])
        n = np.concatenate([np.ravel(v) for v in numerical])
    else:
        a, n = np.ravel(analytic), np.ravel(numerical)
    return float(np.max(np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), tiny)))


@eighth("softmax_cross_entropy_backward")
def softmax_ce_backward_one_hot_as_wide_as_the_labels(logits, y):
    N = len(y)
    one_hot = np.eye(y.max() + 1)[y]
    return (nn.softmax(logits) - one_hot) / N


@eighth("mlp_backward")
def mlp_backward_forgets_the_relu(X, y, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    H = np.maximum(Z1, 0.0)
    O = H @ W2 + b2
    dO = _softmax_cross_entropy_backward(O, y)
    dH, dW2, db2 = _linear_backward(dO, H, W2)
    _, dW1, db1 = _linear_backward(dH, X, W1)     # H = ReLU(Z1) already applied in the forward pass
    return dW1, db1, dW2, db2


# --------------------------------------------------------------------------------------------
# 06 SGD, momentum, Nesterov
# --------------------------------------------------------------------------------------------

@eighth("momentum_step")
def momentum_step_moves_with_the_old_velocity(theta, v, g, alpha, beta):
    theta_new = theta + v
    v_new = beta * v - alpha * g
    return theta_new, v_new


@eighth("momentum_step")
def momentum_step_updates_in_place(theta, v, g, alpha, beta):
    v *= beta
    v -= alpha * g
    theta += v
    return theta, v


@eighth("nesterov_step")
def nesterov_step_without_the_look_ahead_move(theta, v, g, alpha, beta):
    # the caller already went to the look-ahead point and took g there: only the last two lines
    v_new = beta * v - alpha * g
    theta_new = theta - alpha * g
    return theta_new, v_new


@eighth("momentum_rate")
def momentum_rate_position_moves_with_old_velocity(alpha, beta, lam):
    M = np.array([[1.0, 1.0],
                  [-alpha * lam, beta]])
    return float(np.max(np.abs(np.linalg.eigvals(M))))


@eighth("nesterov_rate")
def nesterov_rate_from_the_last_line_only(alpha, beta, lam):
    # v' = beta v - alpha g,  x' = x - alpha g,  with g = lam (x + beta v)
    M = np.array([[1 - alpha * lam, -alpha * lam * beta],
                  [-alpha * lam, beta * (1 - alpha * lam)]])
    return float(np.max(np.abs(np.linalg.eigvals(M))))


# --------------------------------------------------------------------------------------------
# 07 AdaGrad, RMSProp
# --------------------------------------------------------------------------------------------

@eighth("adagrad_step")
def adagrad_step_divides_before_accumulating(theta, r, g, alpha, eps):
    theta_new = theta - alpha / np.sqrt(r + eps) * g
    r_new = r + g ** 2
    return theta_new, r_new


@eighth("adagrad_steps")
def adagrad_steps_one_accumulator_for_the_whole_model(thetas, rs, gs, alpha, eps):
    # r sums the squared gradient of the model: every parameter's g^2 goes in
    if rs is None:
        rs = [np.zeros_like(theta, dtype=float) for theta in thetas]
    total = sum(float(np.sum(g ** 2)) for g in gs)
    new_rs = [r + total for r in rs]
    new_thetas = [theta - alpha / np.sqrt(r + eps) * g for theta, r, g in zip(thetas, new_rs, gs)]
    return new_thetas, new_rs


@eighth("rmsprop_step")
def rmsprop_step_with_the_two_weights_swapped(theta, r, g, alpha, beta, eps):
    r_new = (1 - beta) * r + beta * g ** 2
    return theta - alpha / np.sqrt(r_new + eps) * g, r_new


# --------------------------------------------------------------------------------------------
# 08 Adam
# --------------------------------------------------------------------------------------------

@eighth("uncorrected_step_lengths")
def uncorrected_lengths_counting_t_from_zero(beta_1, beta_2, T):
    t = np.arange(T)
    lengths = (1 - beta_1 ** t) / np.sqrt(1 - beta_2 ** t)
    return lengths, int(np.argmax(lengths)) + 1


@eighth("adam_step")
def adam_step_corrects_with_the_count_before_incrementing(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g ** 2
    s_hat = s / (1 - beta_1 ** t)
    r_hat = r / (1 - beta_2 ** t)
    t = t + 1
    return theta - alpha / np.sqrt(r_hat + eps) * s_hat, s, r, t


@eighth("adam_steps")
def adam_steps_counts_a_step_per_array(thetas, ss, rs, t, gs, alpha, beta_1, beta_2, eps):
    if ss is None:
        ss = [np.zeros_like(theta, dtype=float) for theta in thetas]
        rs = [np.zeros_like(theta, dtype=float) for theta in thetas]
    new_thetas, new_ss, new_rs = [], [], []
    for theta, s, r, g in zip(thetas, ss, rs, gs):
        theta, s, r, t = _adam_step(theta, s, r, t, g, alpha, beta_1, beta_2, eps)
        new_thetas.append(theta)
        new_ss.append(s)
        new_rs.append(r)
    return new_thetas, new_ss, new_rs, t


@eighth("adam_steps")
def adam_steps_starts_both_moments_in_one_list(thetas, ss, rs, t, gs, alpha, beta_1, beta_2, eps):
    if ss is None:
        ss = rs = [np.zeros_like(theta, dtype=float) for theta in thetas]
    new_thetas = []
    for j in range(len(thetas)):
        theta, s, r, _ = _adam_step(thetas[j], ss[j], rs[j], t, gs[j], alpha, beta_1, beta_2, eps)
        new_thetas.append(theta)
        ss[j] = s
        rs[j] = r
    return new_thetas, ss, rs, t + 1


# --------------------------------------------------------------------------------------------
# 09 optimizer race
# --------------------------------------------------------------------------------------------

@eighth("steps_to_converge")
def steps_to_converge_first_time_within_tol(losses, loss_min, tol):
    within = np.flatnonzero(np.asarray(losses) - loss_min <= tol)
    return int(within[0]) if len(within) else -1


@eighth("escape_step")
def escape_step_the_sphere_is_not_inside(path, center, radius):
    d = np.linalg.norm(np.asarray(path) - center, axis=1)
    inside = np.flatnonzero(d < radius)
    if len(inside) == 0:
        return -1
    j = inside[0]
    out = np.flatnonzero(d[j + 1:] > radius)
    return int(j + 1 + out[0]) if len(out) else -1


# --------------------------------------------------------------------------------------------
# 10 learning-rate schedules
# --------------------------------------------------------------------------------------------

@eighth("exponential_decay")
def exponential_decay_c_is_the_end_over_the_start(t, alpha_0, alpha_end, T):
    # alpha_t = alpha_0 c^t, and c is how much of alpha_0 is left at the end
    c = alpha_end / alpha_0
    return alpha_0 * c ** np.minimum(t, T)


@eighth("exponential_decay")
def exponential_decay_keeps_decaying_after_T(t, alpha_0, alpha_end, T):
    c = (alpha_end / alpha_0) ** (1.0 / T)
    return alpha_0 * c ** np.asarray(t, dtype=float)


@eighth("cosine_restarts")
def cosine_restarts_lengthens_the_cycle_before_moving_its_start(t, alpha_0, T, m):
    t = np.asarray(t, dtype=float)
    out = np.empty(t.shape)
    for index in np.ndindex(t.shape):
        start, length = 0.0, float(T)
        while t[index] >= start + length:
            length *= m
            start += length
        out[index] = alpha_0 * (1 + np.cos(np.pi * (t[index] - start) / length)) / 2
    return out


@eighth("warmup_cosine")
def warmup_cosine_cosine_not_shifted_by_the_warmup(t, alpha_0, warmup_steps, T):
    t = np.asarray(t, dtype=float)
    W = warmup_steps
    warm = alpha_0 * t / max(W, 1)
    cosine = alpha_0 * (1 + np.cos(np.pi * np.minimum(t, T) / T)) / 2
    return np.where(t < W, warm, np.where(t <= W + T, cosine, 0.0))


# --------------------------------------------------------------------------------------------
# 11 capstone
# --------------------------------------------------------------------------------------------

@eighth("confusion_matrix")
def confusion_matrix_adds_with_fancy_indexing(y_true, y_pred, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=int)
    C[y_true, y_pred] += 1
    return C
