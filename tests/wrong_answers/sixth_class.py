"""Sixth class: a mixed class of wrong answers, written on 2026-12-06 by a helper who read only the
student notebooks (each exercise's text, signature and docstring) and the lecture, never the
registry, its mistakes, the misconception catalogue, the checker or the other classes.

The students: some translate the lecture's formulas very literally but misread its notation
(indices, which symbol is which, t against t - 1, what a sum runs over, operator precedence);
some write explicit Python loops with index slips; some return the wrong thing or the wrong
type or shape; some handle edge cases badly (zeros, empty rows, ties, exact boundaries, the
first or last step, repeated indices, aliasing and in-place changes).

75 answers over 39 exercise ids (at most 2 per id). Each was run once through
`course_lib.checking.evaluate(id, function, watch_references=False)`, looking at the status only;
73 failed and 2 raised an error. Three more were written and dropped because they passed (they
are right in effect on every case that is checked):

* kl_divergence, `kl_masks_where_q_is_zero`: skipped every term with q_k = 0. It differs from
  the right sum only where q_k = 0 and p_k > 0, where it should be infinite. It passed, so that
  case either is not among the checked ones or is not told apart.
* sigmoid_backward, `sigmoid_backward_quotient_form_overflows`: dh * e^{-z} / (1 + e^{-z})^2 is
  exactly sigma'(z), and it becomes NaN only for z < -709 (where e^{-z} overflows). Everywhere
  else it is correct.
* gradient_check, `gradient_check_max_of_each_then_add`: divided by max|a| + max|n| instead of
  max(|a_i| + |n_i|). The two denominators differ only when the largest entries of the two
  gradients sit at different places, and then at most by a factor of 2, so the relative error
  has the right order of magnitude.
"""
import numpy as np

from . import sixth

# --------------------------------------------------------------------------- 00 welcome

@sixth("mse")
def mse_loop_over_rows_divides_by_m_only(o, y):
    # "1/m sum_i (f(x_i) - y_i)^2": m examples, so divide by m; each row's squares summed first
    o, y = np.asarray(o, dtype=float), np.asarray(y, dtype=float)
    total = 0.0
    for i in range(len(o)):
        total += np.sum((o[i] - y[i]) ** 2)
    return float(total / len(o))


@sixth("mse")
def mse_mean_along_axis_zero_returns_array(o, y):
    # averaged over the examples (axis 0): gives one MSE per output column for (m, k) inputs
    return np.mean((np.asarray(o) - np.asarray(y)) ** 2, axis=0)


# --------------------------------------------------------------------------- 01 generalization

@sixth("ridge_fit")
def ridge_adds_lambda_to_every_entry_of_gram(X, y, lam):
    # "X^T X + lambda": numpy adds the scalar to every entry, not only the diagonal
    return np.linalg.solve(X.T @ X + lam, X.T @ y)


@sixth("ridge_fit")
def ridge_with_averaged_errors(X, y, lam):
    # wrote the loss with the mean of the errors, as in the MSE notebook
    n, p = X.shape
    return np.linalg.solve(X.T @ X / n + lam * np.eye(p), X.T @ y / n)


@sixth("choose_degree")
def choose_degree_returns_position(x_train, y_train, x_val, y_val, degrees):
    val_mse = []
    for d in degrees:
        coeffs = np.polyfit(x_train, y_train, d)
        val_mse.append(np.mean((np.polyval(coeffs, x_val) - y_val) ** 2))
    val_mse = np.array(val_mse)
    best = int(np.argmin(val_mse))        # position in the list, returned as the degree
    return best, val_mse


@sixth("choose_degree")
def choose_degree_mixes_coefficient_orders(x_train, y_train, x_val, y_val, degrees):
    # numpy.polynomial's polyfit gives theta_0 first, np.polyval wants the highest power first
    val_mse = np.zeros(len(degrees))
    for k, d in enumerate(degrees):
        theta = np.polynomial.polynomial.polyfit(x_train, y_train, d)
        val_mse[k] = np.mean((np.polyval(theta, x_val) - y_val) ** 2)
    return int(degrees[int(np.argmin(val_mse))]), val_mse


@sixth("choose_lambda")
def choose_lambda_validates_on_first_rows(X, y, lambdas, n_val):
    # held out the first n_val rows instead of the last ones
    p = X.shape[1]
    X_val, y_val = X[:n_val], y[:n_val]
    X_tr, y_tr = X[n_val:], y[n_val:]
    val_mse = []
    for lam in lambdas:
        theta = np.linalg.solve(X_tr.T @ X_tr + lam * np.eye(p), X_tr.T @ y_tr)
        val_mse.append(np.mean((X_val @ theta - y_val) ** 2))
    val_mse = np.array(val_mse)
    best = max(lam for lam, e in zip(lambdas, val_mse) if e == val_mse.min())
    theta = np.linalg.solve(X.T @ X + best * np.eye(p), X.T @ y)
    return best, val_mse, theta


@sixth("choose_lambda")
def choose_lambda_tie_takes_first(X, y, lambdas, n_val):
    p = X.shape[1]
    n = len(y)
    X_tr, y_tr, X_val, y_val = X[: n - n_val], y[: n - n_val], X[n - n_val:], y[n - n_val:]
    val_mse = np.array([np.mean((X_val @ np.linalg.solve(X_tr.T @ X_tr + lam * np.eye(p), X_tr.T @ y_tr)
                                 - y_val) ** 2) for lam in lambdas])
    best = lambdas[int(np.argmin(val_mse))]       # argmin: the first of equal scores
    theta = np.linalg.solve(X.T @ X + best * np.eye(p), X.T @ y)
    return best, val_mse, theta


# --------------------------------------------------------------------------- 02 double descent

@sixth("min_norm_least_squares")
def min_norm_absolute_cutoff(Phi, y):
    # singular values below 1e-10 are round-off (absolute threshold, not relative to s_1)
    U, s, Qt = np.linalg.svd(Phi, full_matrices=False)
    keep = s > 1e-10
    theta = Qt[keep].T @ ((U[:, keep].T @ y) / s[keep])
    return theta, int(np.sum(keep))


@sixth("min_norm_least_squares")
def min_norm_rank_is_number_of_singular_values(Phi, y):
    # cutoff relative to s_1 (1e-10 is between the round-off level and real small values)
    U, s, Qt = np.linalg.svd(Phi, full_matrices=False)
    keep = s > 1e-10 * s[0]
    theta = Qt[keep].T @ ((U[:, keep].T @ y) / s[keep])
    return theta, len(s)                  # how many singular values there are


@sixth("double_descent_errors")
def double_descent_forgot_relu_on_test_features(X_train, y_train, X_test, y_test, V, c, p_values):
    Phi_train = np.maximum(0, X_train @ V + c)
    Phi_test = X_test @ V + c                     # copy-paste: the max(0, .) went missing
    train_mse, test_mse = [], []
    for p in p_values:
        A = Phi_train[:, :p]
        U, s, Qt = np.linalg.svd(A, full_matrices=False)
        keep = s > 1e-10 * s[0]
        theta = Qt[keep].T @ ((U[:, keep].T @ y_train) / s[keep])
        train_mse.append(np.mean((A @ theta - y_train) ** 2))
        test_mse.append(np.mean((Phi_test[:, :p] @ theta - y_test) ** 2))
    return np.array(train_mse), np.array(test_mse)


@sixth("double_descent_errors")
def double_descent_takes_last_p_features(X_train, y_train, X_test, y_test, V, c, p_values):
    Phi_train = np.maximum(0, X_train @ V + c)
    Phi_test = np.maximum(0, X_test @ V + c)
    train_mse = np.zeros(len(p_values))
    test_mse = np.zeros(len(p_values))
    for k, p in enumerate(p_values):
        theta = np.linalg.pinv(Phi_train[:, -p:]) @ y_train      # "p features": took them from the end
        train_mse[k] = np.mean((Phi_train[:, -p:] @ theta - y_train) ** 2)
        test_mse[k] = np.mean((Phi_test[:, -p:] @ theta - y_test) ** 2)
    return train_mse, test_mse


# --------------------------------------------------------------------------- 03 maximum likelihood

@sixth("cross_entropy")
def cross_entropy_literal_sum_no_zero_guard(p, q):
    # H(p, q) = -sum_k p_k log q_k, exactly as written
    return float(-np.sum(p * np.log(q)))


@sixth("cross_entropy")
def cross_entropy_arguments_read_the_other_way(p, q):
    # read H(p, q) as "the entropy of q measured against p"
    q = np.asarray(q, dtype=float)
    p = np.asarray(p, dtype=float)
    mask = q > 0
    return float(-np.sum(q[mask] * np.log(p[mask])))


@sixth("kl_divergence")
def kl_sign_of_log_ratio_flipped(p, q):
    # one sum: p_k (log q_k - log p_k)
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    mask = p > 0
    return float(np.sum(p[mask] * np.log(q[mask] / p[mask])))


@sixth("conditional_entropy")
def conditional_entropy_marginal_from_columns(p_xy):
    # p(x) = sum_y p(x, y) ... took the sum along the wrong axis (the marginal of y)
    p_x = p_xy.sum(axis=0)
    total = 0.0
    n_x, n_y = p_xy.shape
    for i in range(n_x):
        for j in range(n_y):
            if p_xy[i, j] > 0:
                total -= p_xy[i, j] * np.log(p_xy[i, j] / p_x[j])
    return float(total)


@sixth("conditional_entropy")
def conditional_entropy_weights_by_p_x_twice(p_xy):
    # H(Y|X) = sum_x p(x) H(Y | X = x), with H(Y | X = x) = -sum_y p(x, y) log p(y|x)
    n_x, n_y = p_xy.shape
    total = 0.0
    for i in range(n_x):
        p_x = p_xy[i].sum()
        if p_x == 0:
            continue                                 # a value of x that never occurs
        h_row = 0.0
        for j in range(n_y):
            if p_xy[i, j] > 0:
                h_row -= p_xy[i, j] * np.log(p_xy[i, j] / p_x)
        total += p_x * h_row
    return float(total)


@sixth("unbiased_variance")
def unbiased_variance_count_from_first_axis(x):
    x = np.asarray(x, dtype=float)
    n = len(x)                                      # number of samples ... of the first axis
    mu = x.mean(axis=-1, keepdims=True)
    return np.sum((x - mu) ** 2, axis=-1) / (n - 1)


@sixth("unbiased_variance")
def unbiased_variance_one_mean_for_whole_batch(x):
    x = np.asarray(x, dtype=float)
    n = x.shape[-1]
    mu = x.mean()                                   # mu_hat: the mean of the data
    return np.sum((x - mu) ** 2, axis=-1) / (n - 1)


@sixth("gaussian_nll")
def gaussian_nll_power_binds_to_log(y, mu, sigma):
    # lecture: -log(2 pi sigma^2)^{-1/2} + (y - mu)^2 / (2 sigma^2), typed as it reads
    sigma = np.asarray(sigma, dtype=float)
    return float(np.mean(-np.log(2 * np.pi * sigma ** 2) ** (-1 / 2) + (y - mu) ** 2 / (2 * sigma ** 2)))


@sixth("gaussian_nll")
def gaussian_nll_dropped_the_two_pi(y, mu, sigma):
    # kept the sigma term (it varies per example), dropped log sqrt(2 pi) as "a constant"
    sigma = np.asarray(sigma, dtype=float)
    return float(np.mean(np.log(sigma) + (y - mu) ** 2 / (2 * sigma ** 2)))


# --------------------------------------------------------------------------- 04 gradient descent

@sixth("gradient_descent")
def gradient_descent_keeps_the_diverged_iterate(A, b, theta0, alpha, n_steps):
    theta = np.array(theta0, dtype=float)
    thetas = [theta.copy()]
    losses = [0.5 * theta @ A @ theta - b @ theta]
    for k in range(1, n_steps + 1):
        theta = theta - alpha * (A @ theta - b)
        thetas.append(theta.copy())
        losses.append(0.5 * theta @ A @ theta - b @ theta)
        if not np.all(np.isfinite(theta)) or np.any(np.abs(theta) > 1e6):
            return np.array(thetas), np.array(losses), f"diverged at step {k}"
    return np.array(thetas), np.array(losses), ""


@sixth("gradient_descent")
def gradient_descent_loss_without_the_half(A, b, theta0, alpha, n_steps):
    theta = np.array(theta0, dtype=float)
    thetas, losses = [theta], [theta @ A @ theta - b @ theta]
    for k in range(1, n_steps + 1):
        new = theta - alpha * (A @ theta - b)
        if not np.all(np.isfinite(new)) or np.max(np.abs(new)) > 1e6:
            return np.array(thetas), np.array(losses), f"diverged at step {k}"
        theta = new
        thetas.append(theta)
        losses.append(theta @ A @ theta - b @ theta)
    return np.array(thetas), np.array(losses), ""


@sixth("minibatch_gradient")
def minibatch_gradient_drops_repeated_indices(w, b, X, y, batch):
    batch = np.unique(batch)                         # the same example should not count twice
    r = X[batch] @ w + b - y[batch]
    m = len(batch)
    return 2 * X[batch].T @ r / m, float(2 * np.sum(r) / m)


@sixth("minibatch_gradient")
def minibatch_gradient_divides_by_dataset_size(w, b, X, y, batch):
    dw = np.zeros_like(w, dtype=float)
    db = 0.0
    for i in batch:
        r = X[i] @ w + b - y[i]
        dw += 2 * r * X[i]
        db += 2 * r
    N = len(y)
    return dw / N, db / N


@sixth("sgd_mean_squared_error")
def sgd_mse_noise_term_alpha_not_squared(alphas, a, sigma, theta_0):
    m = [theta_0 ** 2]
    for alpha in alphas:
        m.append((1 - alpha * a) ** 2 * m[-1] + alpha * sigma ** 2)
    return np.array(m)


@sixth("sgd_mean_squared_error")
def sgd_mse_alpha_index_one_behind(alphas, a, sigma, theta_0):
    # alpha_t used at step t; the array starts at alpha_1 ... so step t reads alphas[t - 1]
    T = len(alphas)
    m = np.zeros(T + 1)
    m[0] = theta_0 ** 2
    for t in range(1, T + 1):
        alpha = alphas[t - 2]                        # "t - 1" once more for the m_{t-1}
        m[t] = (1 - alpha * a) ** 2 * m[t - 1] + alpha ** 2 * sigma ** 2
    return m


# --------------------------------------------------------------------------- 05 backpropagation

from course_lib.graph import node_partials, node_value  # noqa: E402  (the notebook allows these)


@sixth("forward_propagation")
def forward_propagation_parents_read_as_lecture_numbers(nodes):
    # the lecture numbers nodes from 1, so parent j is u[j - 1]
    u = []
    for node in nodes:
        A = [u[j - 1] for j in node["parents"]]
        u.append(node_value(node, A))
    return u


@sixth("forward_propagation")
def forward_propagation_returns_only_the_output(nodes):
    u = []
    for node in nodes:
        u.append(node_value(node, [u[j] for j in node["parents"]]))
    return u[-1]                                     # "Return u^(n)"


@sixth("backpropagation")
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


@sixth("backpropagation")
def backpropagation_loop_stops_before_first_node(nodes, u):
    n = len(nodes)
    g = [0.0] * n
    g[-1] = 1.0
    for i in range(n - 2, 0, -1):                    # "for i = n - 1, ..., 1"
        for j in range(i + 1, n):
            parents = nodes[j]["parents"]
            A = [u[k] for k in parents]
            partials = node_partials(nodes[j], A)
            for pos, k in enumerate(parents):
                if k == i:
                    g[i] += g[j] * partials[pos]
    return g


@sixth("relu_backward")
def relu_backward_passes_gradient_at_zero(dh, z):
    return dh * (z >= 0)


@sixth("relu_backward")
def relu_backward_zeroes_dh_in_place(dh, z):
    dh[z <= 0] = 0.0
    return dh


@sixth("sigmoid_backward")
def sigmoid_backward_treats_z_as_output(dh, z):
    return dh * z * (1 - z)


@sixth("linear_backward")
def linear_backward_dW_transposed(dh, x, W):
    return dh @ W.T, dh.T @ x, dh.sum(axis=0)


@sixth("linear_backward")
def linear_backward_bias_summed_over_outputs(dh, x, W):
    return dh @ W.T, x.T @ dh, dh.sum(axis=1)


@sixth("numerical_gradient")
def numerical_gradient_one_sided(f, x, eps=1e-6):
    arrays = x if isinstance(x, list) else [x]
    grads = []
    f0 = f(x)
    for a in arrays:
        grad = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            old = a[idx]
            a[idx] = old + eps
            grad[idx] = (f(x) - f0) / eps
            a[idx] = old
        grads.append(grad)
    return grads if isinstance(x, list) else grads[0]


@sixth("numerical_gradient")
def numerical_gradient_nudges_a_copy(f, x, eps=1e-6):
    def one(a, call):
        grad = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            plus, minus = a.copy(), a.copy()
            plus[idx] += eps
            minus[idx] -= eps
            grad[idx] = (call(plus) - call(minus)) / (2 * eps)
        return grad

    if isinstance(x, list):
        out = []
        for k in range(len(x)):
            out.append(one(x[k], lambda a, k=k: f(x[:k] + [a] + x[k + 1:])))
        return out
    return one(x, f)


@sixth("gradient_check")
def gradient_check_entry_by_entry(analytic, numerical, tiny=1e-12):
    # the cs231n way: divide each entry by its own size
    if isinstance(analytic, (list, tuple)):
        a = np.concatenate([np.ravel(v) for v in analytic])
        n = np.concatenate([np.ravel(v) for v in numerical])
    else:
        a, n = np.ravel(analytic), np.ravel(numerical)
    return float(np.max(np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), tiny)))


@sixth("softmax_cross_entropy_backward")
def softmax_ce_backward_one_hot_width_from_labels(logits, y):
    from course_lib import nn
    p = nn.softmax(logits)
    one_hot = np.eye(y.max() + 1)[y]                 # as many columns as there are labels
    return (p - one_hot) / len(y)


@sixth("softmax_cross_entropy_backward")
def softmax_ce_backward_for_the_summed_loss(logits, y):
    from course_lib import nn
    p = nn.softmax(logits)
    p[np.arange(len(y)), y] -= 1
    return p


@sixth("mlp_backward")
def mlp_backward_skips_the_relu_mask(X, y, W1, b1, W2, b2):
    from course_lib import nn
    Z1 = X @ W1 + b1
    H = np.maximum(Z1, 0)
    O = H @ W2 + b2
    dO = nn.softmax(O)
    dO[np.arange(len(y)), y] -= 1
    dO /= len(y)
    dW2, db2 = H.T @ dO, dO.sum(axis=0)
    dH = dO @ W2.T
    dW1, db1 = X.T @ dH, dH.sum(axis=0)              # the ReLU has slope 1 where it is active...
    return dW1, db1, dW2, db2


@sixth("mlp_backward")
def mlp_backward_returns_in_backward_order(X, y, W1, b1, W2, b2):
    from course_lib import nn
    Z1 = X @ W1 + b1
    H = np.maximum(Z1, 0)
    P = nn.softmax(H @ W2 + b2)
    dO = (P - np.eye(W2.shape[1])[y]) / len(y)
    dW2, db2 = H.T @ dO, dO.sum(axis=0)
    dZ1 = (dO @ W2.T) * (Z1 > 0)
    dW1, db1 = X.T @ dZ1, dZ1.sum(axis=0)
    return dW2, db2, dW1, db1                        # in the order backprop computes them


# --------------------------------------------------------------------------- 06 momentum, Nesterov

@sixth("momentum_step")
def momentum_step_moves_with_the_old_velocity(theta, v, g, alpha, beta):
    theta_new = theta + v
    v_new = beta * v - alpha * g
    return theta_new, v_new


@sixth("momentum_step")
def momentum_step_updates_in_place(theta, v, g, alpha, beta):
    v *= beta
    v -= alpha * g
    theta += v
    return theta, v


@sixth("nesterov_step")
def nesterov_step_without_the_lookahead_shift(theta, v, g, alpha, beta):
    # the caller already went to theta + beta v for g, so only the last two lines remain
    v_new = beta * v - alpha * g
    theta_new = theta - alpha * g
    return theta_new, v_new


@sixth("nesterov_step")
def nesterov_step_returns_the_lookahead_point(theta, v, g, alpha, beta):
    v_new = beta * v - alpha * g
    theta_new = theta + beta * v_new - alpha * g
    return theta_new, v_new


@sixth("momentum_rate")
def momentum_rate_position_uses_old_velocity(alpha, beta, lam):
    # x' = x + v, v' = beta v - alpha lam x
    M = np.array([[1.0, 1.0], [-alpha * lam, beta]])
    return float(np.max(np.abs(np.linalg.eigvals(M))))


@sixth("momentum_rate")
def momentum_rate_largest_eigenvalue_not_modulus(alpha, beta, lam):
    M = np.array([[1 - alpha * lam, beta], [-alpha * lam, beta]])
    return float(np.max(np.linalg.eigvals(M)).real)


@sixth("nesterov_rate")
def nesterov_rate_matrix_norm_for_spectral_radius(alpha, beta, lam):
    # v' = beta v - alpha lam (x + beta v), x' = x + v'
    M = np.array([[1 - alpha * lam, beta - alpha * lam * beta],
                  [-alpha * lam, beta - alpha * lam * beta]])
    return float(np.linalg.norm(M, 2))


@sixth("nesterov_rate")
def nesterov_rate_gradient_at_theta(alpha, beta, lam):
    # g = lam x (took the gradient where theta is)
    M = np.array([[1 - alpha * lam, beta], [-alpha * lam, beta]])
    return float(max(abs(np.linalg.eigvals(M))))


# --------------------------------------------------------------------------- 07 AdaGrad, RMSProp

@sixth("adagrad_step")
def adagrad_step_eps_outside_root(theta, r, g, alpha, eps):
    r_new = r + g ** 2
    return theta - alpha * g / (np.sqrt(r_new) + eps), r_new


@sixth("adagrad_step")
def adagrad_step_uses_r_before_adding_g(theta, r, g, alpha, eps):
    theta_new = theta - alpha / np.sqrt(r + eps) * g
    return theta_new, r + g * g


@sixth("adagrad_steps")
def adagrad_steps_state_shaped_like_first_array(thetas, rs, gs, alpha, eps):
    if rs is None:
        rs = [np.zeros_like(thetas[0])] * len(thetas)
    new_thetas, new_rs = [], []
    for theta, r, g in zip(thetas, rs, gs):
        r = r + g ** 2
        new_thetas.append(theta - alpha / np.sqrt(r + eps) * g)
        new_rs.append(r)
    return new_thetas, new_rs


@sixth("adagrad_steps")
def adagrad_steps_changes_the_given_lists(thetas, rs, gs, alpha, eps):
    if rs is None:
        rs = [np.zeros_like(th) for th in thetas]
    for j in range(len(thetas)):
        rs[j] = rs[j] + gs[j] ** 2
        thetas[j] = thetas[j] - alpha / np.sqrt(rs[j] + eps) * gs[j]
    return thetas, rs


@sixth("rmsprop_step")
def rmsprop_step_beta_on_the_new_gradient(theta, r, g, alpha, beta, eps):
    r_new = (1 - beta) * r + beta * g ** 2
    return theta - alpha / np.sqrt(r_new + eps) * g, r_new


@sixth("rmsprop_step")
def rmsprop_step_no_square_root(theta, r, g, alpha, beta, eps):
    r_new = beta * r + (1 - beta) * g ** 2
    return theta - alpha * g / (r_new + eps), r_new


# --------------------------------------------------------------------------- 08 Adam

@sixth("uncorrected_step_lengths")
def uncorrected_lengths_t_max_counted_from_zero(beta_1, beta_2, T):
    t = np.arange(1, T + 1)
    lengths = (1 - beta_1 ** t) / np.sqrt(1 - beta_2 ** t)
    return lengths, int(np.argmax(lengths))


@sixth("uncorrected_step_lengths")
def uncorrected_lengths_forgot_the_square_root(beta_1, beta_2, T):
    lengths = np.zeros(T)
    for t in range(1, T + 1):
        lengths[t - 1] = (1 - beta_1 ** t) / (1 - beta_2 ** t)
    return lengths, int(np.argmax(lengths)) + 1


@sixth("adam_step")
def adam_step_corrects_with_the_old_t(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g ** 2
    s_hat = s / (1 - beta_1 ** t)
    r_hat = r / (1 - beta_2 ** t)
    t = t + 1
    return theta - alpha / np.sqrt(r_hat + eps) * s_hat, s, r, t


@sixth("adam_step")
def adam_step_returns_t_unchanged(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    step = t + 1
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g ** 2
    s_hat, r_hat = s / (1 - beta_1 ** step), r / (1 - beta_2 ** step)
    return theta - alpha * s_hat / np.sqrt(r_hat + eps), s, r, t


@sixth("adam_steps")
def adam_steps_counts_a_step_per_array(thetas, ss, rs, t, gs, alpha, beta_1, beta_2, eps):
    if ss is None:
        ss = [np.zeros_like(th) for th in thetas]
        rs = [np.zeros_like(th) for th in thetas]
    new_thetas, new_ss, new_rs = [], [], []
    for theta, s, r, g in zip(thetas, ss, rs, gs):
        t += 1
        s = beta_1 * s + (1 - beta_1) * g
        r = beta_2 * r + (1 - beta_2) * g ** 2
        s_hat, r_hat = s / (1 - beta_1 ** t), r / (1 - beta_2 ** t)
        new_thetas.append(theta - alpha / np.sqrt(r_hat + eps) * s_hat)
        new_ss.append(s)
        new_rs.append(r)
    return new_thetas, new_ss, new_rs, t


@sixth("adam_steps")
def adam_steps_moment_lists_aliased(thetas, ss, rs, t, gs, alpha, beta_1, beta_2, eps):
    if ss is None:
        ss = rs = [np.zeros_like(th) for th in thetas]
    t = t + 1
    new_thetas = []
    for j in range(len(thetas)):
        ss[j] = beta_1 * ss[j] + (1 - beta_1) * gs[j]
        rs[j] = beta_2 * rs[j] + (1 - beta_2) * gs[j] ** 2
        s_hat, r_hat = ss[j] / (1 - beta_1 ** t), rs[j] / (1 - beta_2 ** t)
        new_thetas.append(thetas[j] - alpha / np.sqrt(r_hat + eps) * s_hat)
    return new_thetas, ss, rs, t


# --------------------------------------------------------------------------- 09 optimizer race

@sixth("steps_to_converge")
def steps_to_converge_first_dip(losses, loss_min, tol):
    if losses[-1] - loss_min > tol:
        return -1
    for k, loss in enumerate(losses):
        if loss - loss_min <= tol:
            return k
    return -1


@sixth("steps_to_converge")
def steps_to_converge_strict_tolerance(losses, loss_min, tol):
    inside = np.asarray(losses) - loss_min < tol
    if not inside[-1]:
        return -1
    k = len(inside) - 1
    while k > 0 and inside[k - 1]:
        k -= 1
    return int(k)


@sixth("escape_step")
def escape_step_sphere_not_inside(path, center, radius):
    d = np.linalg.norm(path - center, axis=1)
    inside = np.nonzero(d < radius)[0]
    if len(inside) == 0:
        return -1
    j = inside[0]
    out = np.nonzero(d[j + 1:] > radius)[0]
    return int(j + 1 + out[0]) if len(out) else -1


@sixth("escape_step")
def escape_step_first_step_outside_at_all(path, center, radius):
    d = np.sqrt(np.sum((path - center) ** 2, axis=1))
    if not np.any(d <= radius):
        return -1
    for k in range(len(d)):
        if d[k] > radius:
            return k
    return -1


# --------------------------------------------------------------------------- 10 schedules

@sixth("exponential_decay")
def exponential_decay_root_binds_to_alpha_0(t, alpha_0, alpha_end, T):
    c = alpha_end / alpha_0 ** (1 / T)              # meant (alpha_end / alpha_0) ** (1 / T)
    return alpha_0 * c ** np.minimum(t, T)


@sixth("exponential_decay")
def exponential_decay_keeps_decaying_after_T(t, alpha_0, alpha_end, T):
    c = (alpha_end / alpha_0) ** (1.0 / T)
    return alpha_0 * c ** np.asarray(t, dtype=float)


@sixth("cosine_restarts")
def cosine_restarts_cycle_boundary_off_by_one(t, alpha_0, T, m):
    t_arr = np.asarray(t, dtype=float)
    out = np.zeros(t_arr.shape)
    for idx in np.ndindex(t_arr.shape):
        start, length = 0.0, float(T)
        while t_arr[idx] > start + length:          # still past this cycle's end?
            start += length
            length *= m
        out[idx] = alpha_0 * (1 + np.cos(np.pi * (t_arr[idx] - start) / length)) / 2
    return out


@sixth("cosine_restarts")
def cosine_restarts_ignores_growing_cycles(t, alpha_0, T, m):
    t_cur = np.asarray(t) % T
    return alpha_0 * (1 + np.cos(np.pi * t_cur / T)) / 2


@sixth("warmup_cosine")
def warmup_cosine_cosine_not_shifted(t, alpha_0, warmup_steps, T):
    t = np.asarray(t, dtype=float)
    W = warmup_steps
    cosine = alpha_0 * (1 + np.cos(np.pi * np.minimum(t, W + T) / T)) / 2
    return np.where(t < W, alpha_0 * t / W, np.where(t > W + T, 0.0, cosine))


@sixth("warmup_cosine")
def warmup_cosine_no_clamp_after_end(t, alpha_0, warmup_steps, T):
    t = np.asarray(t, dtype=float)
    W = warmup_steps
    return np.where(t < W, alpha_0 * t / W, alpha_0 * (1 + np.cos(np.pi * (t - W) / T)) / 2)


# --------------------------------------------------------------------------- 11 capstone

@sixth("confusion_matrix")
def confusion_matrix_fancy_index_increment(y_true, y_pred, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=int)
    C[y_true, y_pred] += 1                           # one += per pair ... duplicates collapse
    return C


@sixth("confusion_matrix")
def confusion_matrix_rows_are_predictions(y_true, y_pred, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=int)
    for t, p in zip(y_true, y_pred):
        C[p, t] += 1
    return C
