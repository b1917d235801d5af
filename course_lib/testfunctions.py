"""Named scalar test functions f(x) -> float, with known gradients, for checking gradient code.

    f = TEST_FUNCTIONS["sum of cubes"]       # f(x) = sum_i x_i^3,  gradient 3 x^2

The numerical_gradient exercise of 05_backpropagation passes these as its `f`. A function cannot
travel to the grader's sandbox as code, so the grader's wire format (grading/wire.py) sends one
of these by its NAME and the sandbox looks the same function up here: only numpy is imported, so
the sandbox can load this file by path.
"""

import numpy as np


def sum_of_cubes(x):
    """f(x) = sum_i x_i^3;  df/dx = 3 x^2.  x: array of any shape."""
    return np.sum(x**3)


def log_sum_exp(x):
    """f(x) = log sum_i exp(x_i), computed stably;  df/dx = softmax(x).  x: 1-D array."""
    m = np.max(x)
    return np.log(np.sum(np.exp(x - m))) + m


def softmax_cross_entropy_mod_labels(z):
    """Mean cross-entropy of softmax(z) with labels y_n = n mod K:
    f(z) = -(1/N) sum_n log softmax(z_n)_{y_n};  df/dz = (softmax(z) - onehot(y)) / N.  z: (N, K)."""
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = np.arange(z.shape[0])
    return -np.mean(log_p[n, n % z.shape[1]])


def squared_product(x):
    """f([A, B]) = sum_ij ((A B)_ij)^2;  df/dA = 2 (A B) B^T,  df/dB = 2 A^T (A B).
    x: a list of two arrays A (m, k) and B (k, n)."""
    return np.sum((x[0] @ x[1]) ** 2)


TEST_FUNCTIONS = {
    "sum of cubes": sum_of_cubes,
    "log-sum-exp": log_sum_exp,
    "softmax cross-entropy": softmax_cross_entropy_mod_labels,
    "squared product": squared_product,
}
