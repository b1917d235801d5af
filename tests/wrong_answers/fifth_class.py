"""Fifth class: a class weaker on the mathematics and prone to numpy misuse.

Written on 2026-12-06 by a helper who read only the student notebooks (each exercise's text,
signature and docstring) and the lecture, never the registry, the checker or the other classes.
The students misread formulas, confuse definitions (variance and standard deviation, sum and
mean, p(x) and p(y), the state and the corrected estimate), get special cases wrong, misread what
is to be returned, and trip over numpy (broadcasting a scalar, in-place updates through aliases,
fancy-indexed `+=`, an axis, operator precedence, the real part of a complex eigenvalue).
45 answers over 38 exercises, each run once through `evaluate` (watch_references=False) and
kept only if it failed or raised. Dropped because it passed (one of 46 written):
gradient_check_denominator_sum_of_the_two_maxima (denominator max|a| + max|n| instead of
max(|a| + |n|)): max(|a| + |n|) <= max|a| + max|n| <= 2 max(|a| + |n|), so the error is off by
at most a factor of 2, and exactly right when both arrays peak at the same entry, as nearly equal
gradients do: right in effect.
"""
import numpy as np

from course_lib import nn
from course_lib.graph import node_partials, node_value

from . import fifth

# ----------------------------------------------------------------------------- 00 welcome

@fifth("mse")
def mse_returns_the_root_mean_square(o, y):
    # "mean squared error" read as the usual error measure, with the root taken at the end
    return float(np.sqrt(np.mean((o - y) ** 2)))


@fifth("mse")
def mse_divides_by_the_number_of_examples_only(o, y):
    # the lecture's 1/m: m = number of examples, so divide the total by len(o)
    return float(np.sum((o - y) ** 2) / len(o))


# ----------------------------------------------------------------------------- 01 generalization

@fifth("ridge_fit")
def ridge_fit_adds_lambda_to_every_entry(X, y, lam):
    # M = X^T X + lambda, written as a scalar plus: numpy broadcasts it over the whole matrix
    M = X.T @ X + lam
    c = X.T @ y
    return np.linalg.solve(M, c)


def _design(x, degree):
    return np.vander(np.asarray(x, dtype=float), degree + 1, increasing=True)


@fifth("choose_degree")
def choose_degree_sums_the_validation_errors(x_train, y_train, x_val, y_val, degrees):
    val = []
    for d in degrees:
        theta = np.linalg.lstsq(_design(x_train, d), y_train, rcond=None)[0]
        residual = _design(x_val, d) @ theta - y_val
        val.append(np.sum(residual ** 2))          # squared error of the validation set
    val = np.array(val)
    return int(list(degrees)[int(np.argmin(val))]), val


def _ridge(X, y, lam):
    return np.linalg.solve(X.T @ X + lam * np.eye(X.shape[1]), X.T @ y)


@fifth("choose_lambda")
def choose_lambda_returns_the_fit_it_validated(X, y, lambdas, n_val):
    X_tr, y_tr = X[:-n_val], y[:-n_val]
    X_va, y_va = X[-n_val:], y[-n_val:]
    val, thetas = [], []
    for lam in lambdas:
        theta = _ridge(X_tr, y_tr, lam)
        thetas.append(theta)
        val.append(np.mean((X_va @ theta - y_va) ** 2))
    val = np.array(val)
    best = [k for k in range(len(lambdas)) if val[k] == val.min()]
    k = max(best, key=lambda k: lambdas[k])
    # the theta that won on validation is the answer: no need to fit again
    return lambdas[k], val, thetas[k]


# ----------------------------------------------------------------------------- 02 double descent

@fifth("min_norm_least_squares")
def min_norm_divides_by_squared_singular_values(Phi, y):
    # cutoff 1e-10 relative to s_1: far above round-off (1e-16 s_1), far below real directions
    U, s, Qt = np.linalg.svd(Phi, full_matrices=False)
    keep = s > 1e-10 * s[0]
    # the pseudo-inverse of Phi^T Phi: divide by s^2, as in the normal equations
    theta = Qt[keep].T @ ((U[:, keep].T @ y) / s[keep] ** 2)
    return theta, int(np.sum(keep))


@fifth("min_norm_least_squares")
def min_norm_with_an_absolute_cutoff(Phi, y):
    # anything below 1e-10 is round-off in float64
    U, s, Qt = np.linalg.svd(Phi, full_matrices=False)
    keep = s > 1e-10
    theta = Qt[keep].T @ ((U[:, keep].T @ y) / s[keep])
    return theta, int(np.sum(keep))


def _min_norm(Phi, y):
    U, s, Qt = np.linalg.svd(Phi, full_matrices=False)
    keep = s > 1e-10 * s[0]
    return Qt[keep].T @ ((U[:, keep].T @ y) / s[keep]), int(np.sum(keep))


@fifth("double_descent_errors")
def double_descent_fits_all_features_once_and_truncates(X_train, y_train, X_test, y_test, V, c, p_values):
    F_train = np.maximum(0, X_train @ V + c)
    F_test = np.maximum(0, X_test @ V + c)
    theta_all, _ = _min_norm(F_train, y_train)      # one fit; its first p coefficients: the p-feature model
    train_mse, test_mse = [], []
    for p in p_values:
        theta = theta_all[:p]
        train_mse.append(np.mean((F_train[:, :p] @ theta - y_train) ** 2))
        test_mse.append(np.mean((F_test[:, :p] @ theta - y_test) ** 2))
    return np.array(train_mse), np.array(test_mse)


# ----------------------------------------------------------------------------- 03 maximum likelihood

@fifth("cross_entropy")
def cross_entropy_averages_over_the_classes(p, q):
    mask = p > 0
    return float(-np.mean(p[mask] * np.log(q[mask])))


@fifth("kl_divergence")
def kl_divergence_ratio_upside_down(p, q):
    # log p - log q ... written as one log of a ratio, the ratio the wrong way round
    mask = p > 0
    return float(np.sum(p[mask] * np.log(q[mask] / p[mask])))


@fifth("conditional_entropy")
def conditional_entropy_divides_by_the_column_sums(p_xy):
    p_x = p_xy.sum(axis=0)                      # sum over the other variable
    cond = np.zeros_like(p_xy)
    np.divide(p_xy, p_x, out=cond, where=p_xy > 0)
    mask = p_xy > 0
    return float(-np.sum(p_xy[mask] * np.log(cond[mask])))


@fifth("conditional_entropy")
def conditional_entropy_adds_up_the_row_entropies(p_xy):
    p_x = p_xy.sum(axis=1, keepdims=True)
    cond = np.zeros_like(p_xy)
    np.divide(p_xy, p_x, out=cond, where=p_x > 0)
    mask = cond > 0
    # H(Y | X = x) for every x, added up
    return float(-np.sum(cond[mask] * np.log(cond[mask])))


@fifth("unbiased_variance")
def unbiased_variance_returns_the_standard_deviation(x):
    n = x.shape[-1]
    mu = np.sum(x, axis=-1, keepdims=True) / n
    return np.sqrt(np.sum((x - mu) ** 2, axis=-1) / (n - 1))


@fifth("unbiased_variance")
def unbiased_variance_multiplies_by_the_bias_factor(x):
    # E[sigma_hat^2] = (1 - 1/n) sigma^2, so the correction is the factor (1 - 1/n)
    n = x.shape[-1]
    mu = np.sum(x, axis=-1, keepdims=True) / n
    biased = np.sum((x - mu) ** 2, axis=-1) / n
    return (1 - 1 / n) * biased


@fifth("gaussian_nll")
def gaussian_nll_takes_sigma_for_the_variance(y, mu, sigma):
    # N(y; mu, sigma^2) with sigma^2 the second argument ... and sigma is what we are given
    var = sigma
    return float(np.mean(0.5 * np.log(2 * np.pi * var) + (y - mu) ** 2 / (2 * var)))


@fifth("gaussian_nll")
def gaussian_nll_loses_the_half_of_the_log(y, mu, sigma):
    # -log sqrt(1/(2 pi sigma^2)) written as log(2 pi sigma^2)
    return float(np.mean(np.log(2 * np.pi * sigma ** 2) + (y - mu) ** 2 / (2 * sigma ** 2)))


# ----------------------------------------------------------------------------- 04 gradient descent

@fifth("gradient_descent")
def gradient_descent_loss_without_the_half(A, b, theta0, alpha, n_steps):
    theta = np.array(theta0, dtype=float)
    thetas = [theta.copy()]
    losses = [theta @ A @ theta - b @ theta]
    message = ""
    for k in range(1, n_steps + 1):
        theta = theta - alpha * (A @ theta - b)
        if not np.all(np.isfinite(theta)) or np.any(np.abs(theta) > 1e6):
            message = f"diverged at step {k}"
            break
        thetas.append(theta.copy())
        losses.append(theta @ A @ theta - b @ theta)
    return np.array(thetas), np.array(losses), message


@fifth("minibatch_gradient")
def minibatch_gradient_divides_by_the_training_set_size(w, b, X, y, batch):
    Xb, yb = X[batch], y[batch]
    r = Xb @ w + b - yb
    N = len(X)
    return 2 * Xb.T @ r / N, 2 * np.sum(r) / N


@fifth("sgd_mean_squared_error")
def sgd_mse_noise_term_with_alpha_not_squared(alphas, a, sigma, theta_0):
    m = [theta_0 ** 2]
    for alpha in alphas:
        m.append((1 - alpha * a) ** 2 * m[-1] + alpha * sigma ** 2)
    return np.array(m)


# ----------------------------------------------------------------------------- 05 backpropagation

@fifth("forward_propagation")
def forward_propagation_parent_values_as_a_set(nodes):
    u = []
    for node in nodes:
        A = list({u[j] for j in node["parents"]})     # the lecture's set A of predecessor values
        u.append(node_value(node, A))
    return u


@fifth("backpropagation")
def backpropagation_counts_a_repeated_parent_once(nodes, u):
    n = len(nodes)
    g = [0.0] * n
    g[n - 1] = 1.0
    for i in range(n - 2, -1, -1):
        for j in range(i + 1, n):
            parents = nodes[j]["parents"]
            if i in parents:
                A = [u[k] for k in parents]
                g[i] += g[j] * node_partials(nodes[j], A)[parents.index(i)]
    return g


@fifth("relu_backward")
def relu_backward_zeroes_dh_in_place(dh, z):
    dh[z <= 0] = 0
    return dh


@fifth("sigmoid_backward")
def sigmoid_backward_uses_z_as_the_output(dh, z):
    # sigma' = sigma (1 - sigma)
    return dh * z * (1 - z)


@fifth("linear_backward")
def linear_backward_averages_the_bias_gradient(dh, x, W):
    dx = dh @ W.T
    dW = x.T @ dh
    db = dh.mean(axis=0)             # the bias is shared by the batch: average its gradient
    return dx, dW, db


@fifth("numerical_gradient")
def numerical_gradient_never_puts_x_back(f, x, eps=1e-6):
    arrays = x if isinstance(x, list) else [x]
    grads = []
    for a in arrays:
        grad = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            a[idx] += eps
            f_plus = f(x)
            a[idx] -= 2 * eps
            f_minus = f(x)
            grad[idx] = (f_plus - f_minus) / (2 * eps)
        grads.append(grad)
    return grads if isinstance(x, list) else grads[0]


@fifth("softmax_cross_entropy_backward")
def softmax_ce_backward_subtracts_one_from_whole_columns(logits, y):
    p = nn.softmax(logits)
    p[:, y] -= 1
    return p / len(y)


@fifth("softmax_cross_entropy_backward")
def softmax_ce_backward_one_hot_sized_by_the_labels(logits, y):
    p = nn.softmax(logits)
    K = int(y.max()) + 1
    return (p - np.eye(K)[y]) / len(y)


def _sce_backward(logits, y):
    p = nn.softmax(logits).copy()
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


def _linear_backward(dh, x, W):
    return dh @ W.T, x.T @ dh, dh.sum(axis=0)


def _relu_backward(dh, z):
    return dh * (z > 0)


@fifth("mlp_backward")
def mlp_backward_second_layer_sees_the_pre_activation(X, y, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    H = np.maximum(Z1, 0.0)
    O = H @ W2 + b2
    dO = _sce_backward(O, y)
    dH, dW2, db2 = _linear_backward(dO, Z1, W2)      # input of the second layer
    dZ1 = _relu_backward(dH, Z1)
    _, dW1, db1 = _linear_backward(dZ1, X, W1)
    return dW1, db1, dW2, db2


# ----------------------------------------------------------------------------- 06 momentum, Nesterov

@fifth("momentum_step")
def momentum_step_updates_in_place(theta, v, g, alpha, beta):
    v *= beta
    v -= alpha * g
    theta += v
    return theta, v


@fifth("nesterov_step")
def nesterov_step_thinks_the_lookahead_is_done(theta, v, g, alpha, beta):
    # the caller already moved to the look-ahead point and took g there: last two lines only
    v_new = beta * v - alpha * g
    theta_new = theta - alpha * g
    return theta_new, v_new


@fifth("momentum_rate")
def momentum_rate_modulus_of_the_real_part(alpha, beta, lam):
    M = np.array([[1 - alpha * lam, beta],
                  [-alpha * lam, beta]])
    z = np.linalg.eigvals(M)
    return float(np.max(np.abs(z.real)))


@fifth("nesterov_rate")
def nesterov_rate_gradient_at_the_current_point(alpha, beta, lam):
    # v' = beta v - alpha lam x ; x' = x + v'
    M = np.array([[1 - alpha * lam, beta],
                  [-alpha * lam, beta]])
    return float(np.max(np.abs(np.linalg.eigvals(M))))


# ----------------------------------------------------------------------------- 07 AdaGrad, RMSProp

@fifth("adagrad_step")
def adagrad_step_squares_the_gradient_as_a_dot_product(theta, r, g, alpha, eps):
    r_new = r + g @ g                    # g^2 = g . g
    theta_new = theta - alpha / np.sqrt(r_new + eps) * g
    return theta_new, r_new


@fifth("adagrad_steps")
def adagrad_steps_one_accumulator_per_array(thetas, rs, gs, alpha, eps):
    # each parameter array gets its own learning rate
    if rs is None:
        rs = [0.0 for _ in thetas]
    new_thetas, new_rs = [], []
    for theta, r, g in zip(thetas, rs, gs):
        r = r + np.sum(g ** 2)
        new_thetas.append(theta - alpha / np.sqrt(r + eps) * g)
        new_rs.append(r)
    return new_thetas, new_rs


@fifth("rmsprop_step")
def rmsprop_step_weights_the_wrong_way_round(theta, r, g, alpha, beta, eps):
    r_new = (1 - beta) * r + beta * g ** 2
    theta_new = theta - alpha / np.sqrt(r_new + eps) * g
    return theta_new, r_new


# ----------------------------------------------------------------------------- 08 Adam

@fifth("uncorrected_step_lengths")
def uncorrected_lengths_are_the_correction_factor(beta_1, beta_2, T):
    # alpha_t / alpha from the lecture's second form
    t = np.arange(1, T + 1)
    lengths = np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    return lengths, int(np.argmax(lengths)) + 1


@fifth("uncorrected_step_lengths")
def uncorrected_lengths_forget_the_square_root(beta_1, beta_2, T):
    t = np.arange(1, T + 1)
    s = 1 - beta_1 ** t              # s_t = (1 - beta_1^t) g
    r = 1 - beta_2 ** t              # r_t = (1 - beta_2^t) g^2
    lengths = s / r
    return lengths, int(np.argmax(lengths)) + 1


@fifth("adam_step")
def adam_step_keeps_the_corrected_moments(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    t = t + 1
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g ** 2
    s = s / (1 - beta_1 ** t)
    r = r / (1 - beta_2 ** t)
    theta = theta - alpha / np.sqrt(r + eps) * s
    return theta, s, r, t


@fifth("adam_steps")
def adam_steps_counts_a_step_per_array(thetas, ss, rs, t, gs, alpha, beta_1, beta_2, eps):
    if ss is None:
        ss = [np.zeros_like(th) for th in thetas]
        rs = [np.zeros_like(th) for th in thetas]
    new_thetas, new_ss, new_rs = [], [], []
    for theta, s, r, g in zip(thetas, ss, rs, gs):
        t += 1
        s = beta_1 * s + (1 - beta_1) * g
        r = beta_2 * r + (1 - beta_2) * g ** 2
        s_hat = s / (1 - beta_1 ** t)
        r_hat = r / (1 - beta_2 ** t)
        new_thetas.append(theta - alpha / np.sqrt(r_hat + eps) * s_hat)
        new_ss.append(s)
        new_rs.append(r)
    return new_thetas, new_ss, new_rs, t


# ----------------------------------------------------------------------------- 09 optimizer race

@fifth("steps_to_converge")
def steps_to_converge_first_time_within_tol(losses, loss_min, tol):
    if losses[-1] - loss_min > tol:
        return -1
    within = np.where(losses - loss_min <= tol)[0]
    return int(within[0])


@fifth("escape_step")
def escape_step_argmax_over_the_whole_path(path, center, radius):
    d = np.linalg.norm(path - center, axis=1)
    inside = d <= radius
    if not inside.any():
        return -1
    outside = d > radius
    if not outside[np.argmax(inside):].any():
        return -1
    return int(np.argmax(outside))        # first step outside the ball


# ----------------------------------------------------------------------------- 10 schedules

@fifth("exponential_decay")
def exponential_decay_operator_precedence_in_c(t, alpha_0, alpha_end, T):
    c = alpha_end / alpha_0 ** (1 / T)
    return alpha_0 * c ** np.minimum(t, T)


@fifth("cosine_restarts")
def cosine_restarts_geometric_series_without_m_equal_1(t, alpha_0, T, m):
    t = np.asarray(t, dtype=float)
    # cycle i starts at T (m^i - 1) / (m - 1)
    i = np.floor(np.log(1 + t * (m - 1) / T) / np.log(m))
    start = T * (m ** i - 1) / (m - 1)
    T_i = T * m ** i
    return alpha_0 * (1 + np.cos(np.pi * (t - start) / T_i)) / 2


@fifth("warmup_cosine")
def warmup_cosine_cosine_counts_from_zero(t, alpha_0, warmup_steps, T):
    t = np.asarray(t, dtype=float)
    W = warmup_steps
    warm = alpha_0 * t / W
    cos = alpha_0 * (1 + np.cos(np.pi * np.minimum(t, T) / T)) / 2
    out = np.where(t < W, warm, cos)
    return np.where(t > W + T, 0.0, out)


# ----------------------------------------------------------------------------- 11 capstone

@fifth("confusion_matrix")
def confusion_matrix_fancy_index_increment(y_true, y_pred, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=int)
    C[y_true, y_pred] += 1
    return C
