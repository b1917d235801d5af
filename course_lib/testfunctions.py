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


def squares_through_closure(x):
    """f = sum_i W_i^2 for the array W that f reads through a closure, not through its argument:
    like ``f = lambda _: np.sum(W**2)`` with x = W, or a network's loss that reads its parameters.
    df/dW = 2 W. Called as it is, it reads its argument (W = x). In an exercise's case the function
    under test gets it closed over the case's x, the very array it receives (`closed_over`): f then
    changes only when x ITSELF is nudged, and a numerical gradient that nudges a copy of x, however
    it made it, sees f constant and returns zeros."""
    return np.sum(np.asarray(x, dtype=np.float64) ** 2)


TEST_FUNCTIONS = {
    "sum of cubes": sum_of_cubes,
    "log-sum-exp": log_sum_exp,
    "softmax cross-entropy": softmax_cross_entropy_mod_labels,
    "squared product": squared_product,
    "sum of squares through a closure": squares_through_closure,
}


READS_ARGUMENT = {"sum of squares through a closure": 1}
"""The test functions that read an argument of the call through a closure, and its position:
numerical_gradient(f, x, eps) reads x, argument 1."""


def make_closed_over():
    """closed_over(arguments) -> a case's arguments as the function under test receives them: each
    test function of READS_ARGUMENT replaced by a closure over the argument it reads (that very
    array object). Everything it uses is bound here, when this module is loaded: in the grader's
    sandbox that is before any student code runs, so patched builtins change nothing."""
    pairs = tuple((TEST_FUNCTIONS[name], position) for name, position in READS_ARGUMENT.items())
    list_, tuple_, len_, range_ = list, tuple, len, range

    def reading(function, array):
        def f(_):
            return function(array)
        return f

    def closed_over(arguments):
        out = list_(arguments)
        for function, position in pairs:
            for k in range_(len_(out)):
                if out[k] is function and 0 <= position < len_(out):
                    out[k] = reading(function, arguments[position])
        return tuple_(out)

    return closed_over


closed_over = make_closed_over()
