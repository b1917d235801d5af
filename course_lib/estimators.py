"""Estimators, their bias and variance, and maximum likelihood estimation (MLE).

An estimator computes an estimate theta_hat from a sample x_1, ..., x_n. Its
    bias = E[theta_hat] - theta,   variance = Var[theta_hat],   MSE = E[(theta_hat - theta)^2]
                                                              = bias^2 + variance,
where E is over random samples. Monte Carlo approximates E by averaging over many samples.
The lecture's example: sigma_hat^2 = (1/n) sum_i (x_i - mu_hat)^2 is biased,
E[sigma_hat^2] = (1 - 1/n) sigma^2, and dividing by n - 1 instead removes the bias.
"""

import numpy as np

from course_lib.nn import gaussian_nll, gaussian_nll_backward, mse_backward, mse_loss


def _as_sample(x, min_n):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 0 or x.shape[-1] < min_n:
        raise ValueError(f"the sample (last axis of x) must have at least {min_n} values, "
                         f"got shape {x.shape}")
    return x


def sample_mean(x):
    """mu_hat = (1/n) sum_i x_i over the last axis.   Shapes: (..., n) -> (...)."""
    return _as_sample(x, 1).mean(axis=-1)


def biased_variance(x):
    """sigma_hat^2 = (1/n) sum_i (x_i - mu_hat)^2 over the last axis (the Gaussian MLE);
    E[sigma_hat^2] = (1 - 1/n) sigma^2.   Shapes: (..., n) -> (...)."""
    x = _as_sample(x, 1)
    return np.mean((x - x.mean(axis=-1, keepdims=True)) ** 2, axis=-1)


def unbiased_variance(x):
    """s^2 = 1/(n - 1) sum_i (x_i - mu_hat)^2 over the last axis (needs n >= 2);
    E[s^2] = sigma^2.   Shapes: (..., n) -> (...)."""
    x = _as_sample(x, 2)
    n = x.shape[-1]
    return np.sum((x - x.mean(axis=-1, keepdims=True)) ** 2, axis=-1) / (n - 1)


def gaussian_mle(x):
    """Maximum likelihood estimate of N(mu, sigma^2) from a sample x (last axis):

        argmax_{mu, sigma^2} prod_i N(x_i; mu, sigma^2)
          = ( mu_hat = (1/n) sum_i x_i,   sigma_hat^2 = (1/n) sum_i (x_i - mu_hat)^2 )

    (set the derivatives of the summed log-likelihood to 0). Returns (mu_hat, sigma_hat^2).
    """
    return sample_mean(x), biased_variance(x)


def gaussian_sampler(mu=0.0, sigma=1.0):
    """A sampler for monte_carlo: sample(rng, shape) draws N(mu, sigma^2) values."""
    if sigma <= 0:
        raise ValueError(f"sigma must be positive, got {sigma}")
    return lambda rng, shape: mu + sigma * rng.standard_normal(shape)


def monte_carlo(estimator, true_value, n, n_trials=10_000, seed=0, sample=None):
    """Monte Carlo estimate of an estimator's bias, variance and MSE.

    Draws n_trials independent samples of size n at once (an array (n_trials, n)), applies the
    estimator to the last axis (it must map (n_trials, n) -> (n_trials,), like biased_variance)
    and averages:
        mean = (1/T) sum_t theta_hat_t,   bias = mean - true_value,
        variance = (1/T) sum_t (theta_hat_t - mean)^2,   mse = (1/T) sum_t (theta_hat_t - theta)^2,
        bias_se = sqrt(variance / T)   (standard error of `mean` and `bias`: a true bias of 0
                                        gives |bias| < 3 bias_se in 99.7% of runs)
    `sample(rng, shape)` draws the data; default N(0, 1) (see gaussian_sampler).
    Returns a dict with these keys and the array "estimates" (n_trials,).
    """
    if n < 1 or n_trials < 2:
        raise ValueError(f"n must be >= 1 and n_trials >= 2, got n={n}, n_trials={n_trials}")
    sample = gaussian_sampler() if sample is None else sample
    rng = np.random.default_rng(seed)
    data = np.asarray(sample(rng, (n_trials, n)), dtype=np.float64)
    estimates = np.asarray(estimator(data), dtype=np.float64)
    if estimates.shape != (n_trials,):
        raise ValueError(f"estimator must map samples of shape {(n_trials, n)} to "
                         f"({n_trials},) (reduce the last axis), got shape {estimates.shape}")
    mean = estimates.mean()
    variance = np.mean((estimates - mean) ** 2)
    return {"mean": float(mean), "bias": float(mean - true_value), "variance": float(variance),
            "mse": float(np.mean((estimates - true_value) ** 2)),
            "bias_se": float(np.sqrt(variance / n_trials)), "estimates": estimates}


def fit_line(x, y, loss="mse", sigma=1.0, max_steps=100_000, tol=1e-12):
    """Fit y ~ a x + b by gradient descent on the mean loss, theta = (a, b) starting at 0:

        loss="mse":          J(theta) = (1/m) sum_i (a x_i + b - y_i)^2
        loss="gaussian_nll": J(theta) = (1/m) sum_i -log N(y_i; a x_i + b, sigma^2)
                                      = MSE / (2 sigma^2) + (1/2) log(2 pi sigma^2)

    theta <- theta - alpha grad J(theta), with alpha = 1 / (largest eigenvalue of the Hessian
    of J), which converges for a quadratic J; stops when ||grad J|| < tol or after max_steps.
    Convergence is slow when x is far from centered (ill-conditioned Hessian): center x first.
    Gradients come from nn.mse_backward / nn.gaussian_nll_backward and the chain rule
    dJ/da = sum_i dJ/dmu_i x_i, dJ/db = sum_i dJ/dmu_i.
    Returns (theta (2,), J(theta), number of steps).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape or x.size < 2:
        raise ValueError(f"x and y must be 1-D of the same length >= 2, got shapes "
                         f"{x.shape} and {y.shape}")
    if loss == "mse":
        J, dJ_dmu, curvature = mse_loss, mse_backward, 2.0
    elif loss == "gaussian_nll":
        def J(mu, y):
            return gaussian_nll(y, mu, sigma)

        def dJ_dmu(mu, y):
            return gaussian_nll_backward(y, mu, sigma)

        curvature = 1.0 / sigma**2
    else:
        raise ValueError(f"loss must be 'mse' or 'gaussian_nll', got {loss!r}")
    A = np.stack([x, np.ones_like(x)], axis=1)  # mu = A theta
    hessian = curvature * A.T @ A / len(x)
    alpha = 1.0 / np.linalg.eigvalsh(hessian).max()
    theta = np.zeros(2)
    steps = 0
    grad = A.T @ dJ_dmu(A @ theta, y)
    while np.linalg.norm(grad) >= tol and steps < max_steps:
        theta = theta - alpha * grad
        grad = A.T @ dJ_dmu(A @ theta, y)
        steps += 1
    return theta, J(A @ theta, y), steps


def compare_nll_and_mse_fits(x, y, sigma=1.0):
    """The lecture's "MSE as MLE": with sigma fixed, argmin Gaussian NLL = argmin MSE.

    Fits a line both ways with fit_line and also solves least squares in closed form.
    Returns {"theta_mse", "theta_nll", "theta_least_squares", "max_difference"}.
    """
    theta_mse, _, _ = fit_line(x, y, loss="mse")
    theta_nll, _, _ = fit_line(x, y, loss="gaussian_nll", sigma=sigma)
    A = np.stack([np.asarray(x, dtype=np.float64), np.ones(len(x))], axis=1)
    theta_ls = np.linalg.lstsq(A, np.asarray(y, dtype=np.float64), rcond=None)[0]
    return {"theta_mse": theta_mse, "theta_nll": theta_nll, "theta_least_squares": theta_ls,
            "max_difference": float(np.max(np.abs(theta_mse - theta_nll)))}


# ----------------------------------------------------------------------------------------------
# Minibatch estimates of the gradient of linear regression, and SGD with them (04)
# ----------------------------------------------------------------------------------------------


def full_mse(w, b, X, y):
    """J(w, b) = (1/N) sum_i (x_i w + b - y_i)^2 on the whole data set."""
    return float(np.mean((X @ w + b - y) ** 2))


def minibatch_sgd(gradient, X, y, batch_size, alpha, steps, seed=0):
    """Minibatch SGD on linear regression from w = 0, b = 0:

        B_k = batch_size indices drawn uniformly with replacement (all N rows if batch_size >= N)
        (dw, db) = gradient(w, b, X, y, B_k);   w <- w - alpha dw;   b <- b - alpha db

    gradient: a function like minibatch_gradient. Returns the full-data MSE after each step,
    an array (steps + 1,) starting with the initial loss.
    """
    rng = np.random.default_rng(seed)
    N, D = X.shape
    w, b = np.zeros(D), 0.0
    losses = [full_mse(w, b, X, y)]
    for _ in range(steps):
        batch = np.arange(N) if batch_size >= N else rng.integers(0, N, size=batch_size)
        dw, db = gradient(w, b, X, y, batch)
        w = w - alpha * np.asarray(dw, dtype=np.float64)
        b = b - alpha * float(db)
        losses.append(full_mse(w, b, X, y))
    return np.array(losses)


def gradient_cloud(gradient, X, y, batch_size, n_estimates=200, seed=0):
    """n_estimates minibatch estimates of dJ/dw at w = 0, b = 0: an array (n_estimates, D)."""
    rng = np.random.default_rng(seed)
    N, D = X.shape
    w = np.zeros(D)
    batches = [rng.integers(0, N, size=batch_size) for _ in range(n_estimates)]
    return np.array([np.asarray(gradient(w, 0.0, X, y, batch)[0], dtype=np.float64)
                     for batch in batches])
