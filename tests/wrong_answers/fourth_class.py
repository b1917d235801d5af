"""The fourth class of wrong answers: written on 2026-12-06 by a helper who read only the student
notebooks (each exercise's text, signature and docstring; the lecture only as the notebooks quote
it), never the registry, the catalogue, the checking code or the other classes. It plays about a
dozen students: roughly half careless but capable (an index or loop position, an axis, the order of
two updates, numpy fancy indexing, broadcasting, a lost keepdims, a 0-based argmax, a strict
inequality, aliasing of a list), half with a conceptual misreading (averaged instead of summed
errors, scoring on the training set, no refit, an absolute cutoff, the wrong weighting of H(Y|X=x),
a sign, the velocity of the previous step, a missing ReLU slope, the bias correction of one moment
only, a step count per array, a schedule shifted toward its end value, ...). The private helpers
_ridge, _min_norm and _poly stand for the student's own correct functions of earlier exercises.

All answers were written before any check ran, then each was run once through
course_lib.checking.evaluate (status only). 46 answers over 38 exercise ids.

Dropped because it passed (right in effect on the check's cases):
* kl_divergence, kl_skips_terms_where_q_is_zero: it masks q_k = 0 along with p_k = 0; it differs
  from the correct sum only where q_k = 0 < p_k (the divergence is infinite there), so on cases
  without such an entry it computes exactly the right number.
"""
import numpy as np

from course_lib import nn
from course_lib.graph import node_partials, node_value

from . import fourth


def _ridge(X, y, lam):
    # the student's own (correct) ridge_fit of 01, called by choose_lambda
    return np.linalg.solve(X.T @ X + lam * np.eye(X.shape[1]), X.T @ y)


def _min_norm(Phi, y):
    # the student's own (correct) min_norm_least_squares of 02, called by double_descent_errors
    U, s, Vt = np.linalg.svd(Phi, full_matrices=False)
    keep = s > 1e-10 * s.max() if s.size and s.max() > 0 else np.zeros(s.shape, bool)
    return Vt[keep].T @ ((U[:, keep].T @ y) / s[keep])


def _poly(x, d):
    return np.vander(x, d + 1, increasing=True)


# ---------------------------------------------------------------- 00 welcome

@fourth("mse")
def mse_sums_each_row_then_averages(o, y):
    # sums the squared errors along the last axis, then takes the mean of what is left
    return float(np.mean(np.sum((o - y) ** 2, axis=-1)))


# ---------------------------------------------------------------- 01 generalization

@fourth("ridge_fit")
def ridge_fit_with_averaged_errors(X, y, lam):
    # uses the MSE (errors divided by n) in the loss, so lambda weighs n times more
    n, p = X.shape
    M = X.T @ X / n + lam * np.eye(p)
    c = X.T @ y / n
    return np.linalg.solve(M, c)


@fourth("choose_degree")
def choose_degree_returns_the_position(x_train, y_train, x_val, y_val, degrees):
    val_mse = []
    for d in degrees:
        theta = np.linalg.lstsq(_poly(x_train, d), y_train, rcond=None)[0]
        val_mse.append(np.mean((_poly(x_val, d) @ theta - y_val) ** 2))
    val_mse = np.array(val_mse)
    return int(np.argmin(val_mse)), val_mse


@fourth("choose_degree")
def choose_degree_scores_on_the_training_set(x_train, y_train, x_val, y_val, degrees):
    # the error is measured on the data the polynomial was fitted to
    val_mse = []
    for d in degrees:
        A = _poly(x_train, d)
        theta = np.linalg.lstsq(A, y_train, rcond=None)[0]
        val_mse.append(np.mean((A @ theta - y_train) ** 2))
    val_mse = np.array(val_mse)
    return int(list(degrees)[int(np.argmin(val_mse))]), val_mse


@fourth("choose_lambda")
def choose_lambda_validates_on_the_first_rows(X, y, lambdas, n_val):
    X_val, y_val = X[:n_val], y[:n_val]
    X_tr, y_tr = X[n_val:], y[n_val:]
    val_mse = np.array([np.mean((X_val @ _ridge(X_tr, y_tr, lam) - y_val) ** 2) for lam in lambdas])
    best = max(lam for lam, err in zip(lambdas, val_mse) if err == val_mse.min())
    return best, val_mse, _ridge(X, y, best)


@fourth("choose_lambda")
def choose_lambda_keeps_the_training_fit(X, y, lambdas, n_val):
    # returns the theta fitted on the training rows for the chosen lambda (no refit on all rows)
    n = X.shape[0]
    X_tr, y_tr = X[: n - n_val], y[: n - n_val]
    X_val, y_val = X[n - n_val:], y[n - n_val:]
    thetas = [_ridge(X_tr, y_tr, lam) for lam in lambdas]
    val_mse = np.array([np.mean((X_val @ th - y_val) ** 2) for th in thetas])
    candidates = [k for k in range(len(lambdas)) if val_mse[k] == val_mse.min()]
    k = max(candidates, key=lambda k: lambdas[k])
    return lambdas[k], val_mse, thetas[k]


# ---------------------------------------------------------------- 02 double descent

@fourth("min_norm_least_squares")
def min_norm_with_an_absolute_cutoff(Phi, y):
    U, s, Vt = np.linalg.svd(Phi, full_matrices=False)
    # anything below 1e-10 is round-off: double precision has about 16 digits, so 1e-10 is safely
    # above the noise and far below any real singular value
    keep = s > 1e-10
    theta = Vt[keep].T @ ((U[:, keep].T @ y) / s[keep])
    return theta, int(np.sum(keep))


@fourth("double_descent_errors")
def double_descent_errors_uses_the_loop_position_as_p(X_train, y_train, X_test, y_test, V, c, p_values):
    Phi_train = np.maximum(0, X_train @ V + c)
    Phi_test = np.maximum(0, X_test @ V + c)
    train_mse, test_mse = [], []
    for k, p in enumerate(p_values):  # noqa: B007 - the slip: p is never used
        theta = _min_norm(Phi_train[:, : k + 1], y_train)
        train_mse.append(np.mean((Phi_train[:, : k + 1] @ theta - y_train) ** 2))
        test_mse.append(np.mean((Phi_test[:, : k + 1] @ theta - y_test) ** 2))
    return np.array(train_mse), np.array(test_mse)


# ---------------------------------------------------------------- 03 maximum likelihood

@fourth("cross_entropy")
def cross_entropy_without_the_zero_rule(p, q):
    return float(-np.sum(p * np.log(q)))


@fourth("conditional_entropy")
def conditional_entropy_normalizes_the_columns(p_xy):
    p_x = p_xy.sum(axis=0)
    cond = np.divide(p_xy, p_x, out=np.zeros_like(p_xy, dtype=float), where=p_xy > 0)
    mask = p_xy > 0
    return float(-np.sum(p_xy[mask] * np.log(cond[mask])))


@fourth("conditional_entropy")
def conditional_entropy_plain_average_over_x(p_xy):
    # H(Y|X=x) for every x that occurs, then the average over those x
    entropies = []
    for row in p_xy:
        total = row.sum()
        if total == 0:
            continue
        q = row[row > 0] / total
        entropies.append(-np.sum(q * np.log(q)))
    return float(np.mean(entropies))


@fourth("unbiased_variance")
def unbiased_variance_mean_loses_its_axis(x):
    n = x.shape[-1]
    mu = x.mean(axis=-1)
    return np.sum((x - mu) ** 2, axis=-1) / (n - 1)


@fourth("gaussian_nll")
def gaussian_nll_log_of_sigma_not_variance(y, mu, sigma):
    return float(np.mean(0.5 * np.log(2 * np.pi * sigma) + (y - mu) ** 2 / (2 * sigma ** 2)))


# ---------------------------------------------------------------- 04 gradient descent

@fourth("gradient_descent")
def gradient_descent_keeps_the_diverged_iterate(A, b, theta0, alpha, n_steps):
    def J(th):
        return 0.5 * th @ A @ th - b @ th

    theta = np.array(theta0, dtype=float)
    thetas, losses = [theta.copy()], [J(theta)]
    for k in range(1, n_steps + 1):
        theta = theta - alpha * (A @ theta - b)
        thetas.append(theta)
        losses.append(J(theta))
        if not np.all(np.isfinite(theta)) or np.any(np.abs(theta) > 1e6):
            return np.array(thetas), np.array(losses), f"diverged at step {k}"
    return np.array(thetas), np.array(losses), ""


@fourth("gradient_descent")
def gradient_descent_gradient_with_plus_b(A, b, theta0, alpha, n_steps):
    # derivative of -b^T theta taken as +b
    def J(th):
        return 0.5 * th @ A @ th - b @ th

    theta = np.array(theta0, dtype=float)
    thetas, losses = [theta.copy()], [J(theta)]
    for k in range(1, n_steps + 1):
        new = theta - alpha * (A @ theta + b)
        if not np.all(np.isfinite(new)) or np.any(np.abs(new) > 1e6):
            return np.array(thetas), np.array(losses), f"diverged at step {k}"
        theta = new
        thetas.append(theta)
        losses.append(J(theta))
    return np.array(thetas), np.array(losses), ""


@fourth("minibatch_gradient")
def minibatch_gradient_divides_by_the_dataset_size(w, b, X, y, batch):
    Xb, yb = X[batch], y[batch]
    residual = Xb @ w + b - yb
    N = len(y)
    return 2 * Xb.T @ residual / N, float(2 * residual.sum() / N)


@fourth("sgd_mean_squared_error")
def sgd_mse_contraction_not_squared(alphas, a, sigma, theta_0):
    # E[(1 - alpha a) theta - alpha sigma eps]^2, with the first factor carried over unsquared
    m = [theta_0 ** 2]
    for alpha in alphas:
        m.append((1 - alpha * a) * m[-1] + alpha ** 2 * sigma ** 2)
    return np.array(m, dtype=float)


# ---------------------------------------------------------------- 05 backpropagation

@fourth("forward_propagation")
def forward_propagation_parents_counted_from_one(nodes):
    # the lecture numbers the nodes from 1
    u = []
    for node in nodes:
        A = [u[j - 1] for j in node["parents"]]
        u.append(node_value(node, A))
    return u


@fourth("backpropagation")
def backpropagation_assigns_instead_of_adding(nodes, u):
    n = len(nodes)
    g = [0.0] * n
    g[n - 1] = 1.0
    for j in range(n - 1, -1, -1):
        parents = nodes[j]["parents"]
        if not parents:
            continue
        partials = node_partials(nodes[j], [u[i] for i in parents])
        for pos, i in enumerate(parents):
            g[i] = g[j] * partials[pos]
    return g


@fourth("backpropagation")
def backpropagation_looks_up_the_parent_position_once(nodes, u):
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


@fourth("relu_backward")
def relu_backward_masks_by_the_incoming_gradient(dh, z):
    # pass the gradient where it is positive
    return np.where(dh > 0, dh, 0.0)


@fourth("sigmoid_backward")
def sigmoid_backward_uses_z_as_the_output(dh, z):
    return dh * z * (1 - z)


@fourth("linear_backward")
def linear_backward_bias_summed_over_the_wrong_axis(dh, x, W):
    return dh @ W.T, x.T @ dh, dh.sum(axis=1)


@fourth("numerical_gradient")
def numerical_gradient_one_sided(f, x, eps=1e-6):
    arrays = x if isinstance(x, list) else [x]
    f0 = f(x)
    grads = []
    for a in arrays:
        grad = np.zeros_like(a)
        for i in range(a.size):
            old = a.flat[i]
            a.flat[i] = old + eps
            grad.flat[i] = (f(x) - f0) / eps
            a.flat[i] = old
        grads.append(grad)
    return grads if isinstance(x, list) else grads[0]


@fourth("numerical_gradient")
def numerical_gradient_restores_by_adding_back(f, x, eps=1e-6):
    arrays = x if isinstance(x, list) else [x]
    grads = []
    for a in arrays:
        grad = np.zeros_like(a)
        for i in range(a.size):
            a.flat[i] += eps
            plus = f(x)
            a.flat[i] -= 2 * eps
            minus = f(x)
            a.flat[i] += eps
            grad.flat[i] = (plus - minus) / (2 * eps)
        grads.append(grad)
    return grads if isinstance(x, list) else grads[0]


@fourth("gradient_check")
def gradient_check_averages_the_arrays(analytic, numerical, tiny=1e-12):
    def one(a, n):
        a, n = np.asarray(a, float), np.asarray(n, float)
        return np.max(np.abs(a - n)) / max(np.max(np.abs(a) + np.abs(n)), tiny)

    if isinstance(analytic, (list, tuple)):
        return float(np.mean([one(a, n) for a, n in zip(analytic, numerical)]))
    return float(one(analytic, numerical))


@fourth("softmax_cross_entropy_backward")
def softmax_ce_backward_one_hot_sized_by_the_labels(logits, y):
    N = logits.shape[0]
    one_hot = np.eye(y.max() + 1)[y]
    return (nn.softmax(logits) - one_hot) / N


@fourth("mlp_backward")
def mlp_backward_without_the_relu_slope(X, y, W1, b1, W2, b2):
    N = X.shape[0]
    Z1 = X @ W1 + b1
    H = np.maximum(Z1, 0.0)
    O = H @ W2 + b2
    dO = nn.softmax(O)
    dO[np.arange(N), y] -= 1
    dO /= N
    dW2 = H.T @ dO
    db2 = dO.sum(axis=0)
    dH = dO @ W2.T
    dZ1 = dH            # the ReLU was already applied in the forward pass
    dW1 = X.T @ dZ1
    db1 = dZ1.sum(axis=0)
    return dW1, db1, dW2, db2


# ---------------------------------------------------------------- 06 momentum and Nesterov

@fourth("momentum_step")
def momentum_step_moves_with_the_old_velocity(theta, v, g, alpha, beta):
    theta_new = theta + v
    v_new = beta * v - alpha * g
    return theta_new, v_new


@fourth("nesterov_step")
def nesterov_step_theta_already_at_the_lookahead(theta, v, g, alpha, beta):
    # the caller moved theta to theta + beta v, so only the last two lines are left
    v_new = beta * v - alpha * g
    theta_new = theta - alpha * g
    return theta_new, v_new


@fourth("momentum_rate")
def momentum_rate_matrix_with_the_old_velocity(alpha, beta, lam):
    M = np.array([[1.0, 1.0],
                  [-alpha * lam, beta]])
    return float(np.max(np.abs(np.linalg.eigvals(M))))


@fourth("nesterov_rate")
def nesterov_rate_with_eigvalsh(alpha, beta, lam):
    c = 1 - alpha * lam
    M = np.array([[c, beta * c],
                  [-alpha * lam, beta * c]])
    return float(np.max(np.abs(np.linalg.eigvalsh(M))))


# ---------------------------------------------------------------- 07 AdaGrad and RMSProp

@fourth("adagrad_step")
def adagrad_step_divides_by_the_old_r(theta, r, g, alpha, eps):
    theta_new = theta - alpha / np.sqrt(r + eps) * g
    r_new = r + g ** 2
    return theta_new, r_new


@fourth("rmsprop_step")
def rmsprop_step_adds_the_full_square(theta, r, g, alpha, beta, eps):
    # keep beta of the old r and add the new g^2
    r_new = beta * r + g ** 2
    theta_new = theta - alpha / np.sqrt(r_new + eps) * g
    return theta_new, r_new


@fourth("adagrad_steps")
def adagrad_steps_zeros_shaped_like_the_first_array(thetas, rs, gs, alpha, eps):
    if rs is None:
        rs = [np.zeros_like(thetas[0])] * len(thetas)
    new_thetas, new_rs = [], []
    for theta, r, g in zip(thetas, rs, gs):
        r = r + g ** 2
        new_thetas.append(theta - alpha / np.sqrt(r + eps) * g)
        new_rs.append(r)
    return new_thetas, new_rs


# ---------------------------------------------------------------- 08 Adam

@fourth("uncorrected_step_lengths")
def uncorrected_step_lengths_argmax_as_the_step(beta_1, beta_2, T):
    t = np.arange(1, T + 1)
    lengths = (1 - beta_1 ** t) / np.sqrt(1 - beta_2 ** t)
    return lengths, int(np.argmax(lengths))


@fourth("adam_step")
def adam_step_corrects_before_counting_the_step(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g ** 2
    s_hat = s / (1 - beta_1 ** t)
    r_hat = r / (1 - beta_2 ** t)
    theta = theta - alpha / np.sqrt(r_hat + eps) * s_hat
    return theta, s, r, t + 1


@fourth("adam_step")
def adam_step_corrects_only_the_second_moment(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    # s is a momentum: it only needs to point the right way, its size does not matter
    t = t + 1
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g ** 2
    r_hat = r / (1 - beta_2 ** t)
    theta = theta - alpha / np.sqrt(r_hat + eps) * s
    return theta, s, r, t


@fourth("adam_steps")
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


# ---------------------------------------------------------------- 09 the race

@fourth("steps_to_converge")
def steps_to_converge_first_time_within_tol(losses, loss_min, tol):
    gap = np.asarray(losses) - loss_min
    if gap[-1] > tol:
        return -1
    return int(np.nonzero(gap <= tol)[0][0])


@fourth("escape_step")
def escape_step_sphere_is_outside(path, center, radius):
    d = np.linalg.norm(path - center, axis=1)
    inside = np.nonzero(d < radius)[0]
    if len(inside) == 0:
        return -1
    j = inside[0]
    out = np.nonzero(d[j + 1:] > radius)[0]
    return int(j + 1 + out[0]) if len(out) else -1


# ---------------------------------------------------------------- 10 schedules

@fourth("exponential_decay")
def exponential_decay_toward_the_end_value(t, alpha_0, alpha_end, T):
    # decays from alpha_0 toward alpha_end with the factor c = alpha_end / alpha_0 over T steps
    tt = np.minimum(np.asarray(t, dtype=float), T)
    return alpha_end + (alpha_0 - alpha_end) * (alpha_end / alpha_0) ** (tt / T)


@fourth("cosine_restarts")
def cosine_restarts_cycle_starts_at_T_times_m_to_the_i_minus_one(t, alpha_0, T, m):
    t = np.asarray(t, dtype=float)
    if m == 1:
        t_cur, T_i = t % T, T
    else:
        # the cycles start at 0, T, 3T, 7T, ... = T (m^i - 1)
        i = np.floor(np.log(t / T + 1) / np.log(m))
        t_cur = t - T * (m ** i - 1)
        T_i = T * m ** i
    return alpha_0 * (1 + np.cos(np.pi * t_cur / T_i)) / 2


@fourth("cosine_restarts")
def cosine_restarts_geometric_sum_for_every_m(t, alpha_0, T, m):
    t = np.asarray(t, dtype=float)
    i = np.floor(np.log(1 + t * (m - 1) / T) / np.log(m))
    start = T * (m ** i - 1) / (m - 1)
    T_i = T * m ** i
    return alpha_0 * (1 + np.cos(np.pi * (t - start) / T_i)) / 2


@fourth("warmup_cosine")
def warmup_cosine_cosine_not_shifted_by_warmup(t, alpha_0, warmup_steps, T):
    t = np.asarray(t, dtype=float)
    W = warmup_steps
    warm = alpha_0 * t / max(W, 1)
    cos = alpha_0 * (1 + np.cos(np.pi * np.minimum(t, T) / T)) / 2
    return np.where(t < W, warm, np.where(t >= W + T, 0.0, cos))


# ---------------------------------------------------------------- 11 capstone

@fourth("confusion_matrix")
def confusion_matrix_fancy_index_increment(y_true, y_pred, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=int)
    C[y_true, y_pred] += 1
    return C
