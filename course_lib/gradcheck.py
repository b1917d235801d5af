"""Gradient checking by central finite differences.

The derivative of a scalar function f at x along coordinate i is approximated by

    df/dx_i  ~  (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

whose error is O(eps^2) (plus rounding error of about |f| * 1e-16 / eps). An analytic gradient a
is compared with the numerical one n by the relative error

    gradient_check(a, n) = max_i |a_i - n_i| / max( max_i (|a_i| + |n_i|), tiny )

which is about 1e-10 or less for a correct float64 gradient and O(1) for a wrong one.
(cs231n's notes divide entry by entry instead; dividing by the largest entry does not blow up
where a gradient entry is near 0.) `numerical_gradient` and `gradient_check` are the references
of the exercises of the same names in 05_backpropagation.
"""

import numpy as np


def _as_list(arrays):
    """(list of arrays, was_single): accept one array or a list/tuple of arrays."""
    if isinstance(arrays, np.ndarray):
        return [arrays], True
    if isinstance(arrays, (list, tuple)) and all(isinstance(a, np.ndarray) for a in arrays):
        return list(arrays), False
    raise ValueError(
        f"expected a numpy array or a list of numpy arrays, got {type(arrays).__name__}"
    )


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of a scalar function f with respect to the array(s) x.

        n_i = (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)   for every entry i of every array.

    f is called as f(x), with the entries of x changed IN PLACE (and restored), as in cs231n's
    eval_numerical_gradient. So a function of its argument works, ``numerical_gradient(
    testfunctions.sum_of_cubes, x)``, and so does one that reads shared arrays, such as a network's
    parameters: ``numerical_gradient(lambda params: net.loss(X, Y), net.params)``. x must hold
    float64 arrays. Shapes: x (any) -> gradient (same); x a list of arrays -> a list of gradients.
    """
    arrays, single = _as_list(x)
    for k, a in enumerate(arrays):
        if a.dtype != np.float64:
            raise ValueError(f"array {k} must have dtype float64 to be perturbed, got {a.dtype}")
    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            old = a[i]
            a[i] = old + eps
            f_plus = float(f(x))
            a[i] = old - eps
            f_minus = float(f(x))
            a[i] = old
            g[i] = (f_plus - f_minus) / (2 * eps)
        grads.append(g)
    return grads[0] if single else grads


def numerical_gradient_array(f, x, dout, eps=1e-6):
    """Numerical gradient of the scalar sum(f(x) * dout) with respect to the array(s) x.

    This checks a backward function: if h = f(x) and dout = dL/dh, then by the chain rule
    dL/dx = d/dx sum(h * dout), which is what backward(dout, ...) must return.
    f is called as f(x), with x changed in place (and restored), as in numerical_gradient.
    Shapes: dout (shape of f(x)), x (any or a list) -> same as x.
    """
    dout = np.asarray(dout, dtype=np.float64)

    def scalar(x):
        out = np.asarray(f(x), dtype=np.float64)
        if out.shape != dout.shape:
            raise ValueError(f"dout must have the shape of f(x) {out.shape}, got {dout.shape}")
        return np.sum(out * dout)

    return numerical_gradient(scalar, x, eps)


def gradient_check(analytic, numerical, tiny=1e-12):
    """Relative error = max_i |a_i - n_i| / max( max_i (|a_i| + |n_i|), tiny ).

    a and n may be arrays of the same shape or lists of such arrays (all entries are pooled,
    so one wrong array among several shows). `tiny` avoids 0/0 when both gradients are zero.
    Shapes: analytic, numerical (same shapes) -> float.
    """
    a_list = list(analytic) if isinstance(analytic, (list, tuple)) else [analytic]
    n_list = list(numerical) if isinstance(numerical, (list, tuple)) else [numerical]
    if len(a_list) != len(n_list):
        raise ValueError(f"expected {len(n_list)} analytic gradients, got {len(a_list)}")
    for k, (a, n) in enumerate(zip(a_list, n_list, strict=True)):
        if np.shape(a) != np.shape(n):
            raise ValueError(f"gradient {k} must have shape {np.shape(n)}, got {np.shape(a)}")
    a = np.concatenate([np.ravel(v) for v in a_list]).astype(np.float64)
    n = np.concatenate([np.ravel(v) for v in n_list]).astype(np.float64)
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - n)) / max(float(np.max(np.abs(a) + np.abs(n))), tiny))


relative_error = gradient_check   # the name the course's tests and older cells use


def check_gradient(f, x, analytic, eps=1e-6):
    """Relative error between an analytic gradient and numerical_gradient(f, x, eps)."""
    return gradient_check(analytic, numerical_gradient(f, x, eps))


def check_loss_and_grads(loss_and_grads, params, eps=1e-6):
    """Check a function returning (loss, grads), e.g. ``lambda params: net.loss_and_grads(X, Y)``.

    loss_and_grads(params) gets `params` (a list of float64 arrays, changed in place and
    restored) and returns (float loss, list of gradients shaped like params).
    Returns (max relative error over all parameters, list of per-parameter relative errors).
    """
    params, _ = _as_list(params)
    _, analytic = loss_and_grads(params)
    analytic, _ = _as_list(analytic)
    if len(analytic) != len(params):
        raise ValueError(f"expected {len(params)} gradients (one per parameter), "
                         f"got {len(analytic)}")
    numerical = numerical_gradient(lambda p: loss_and_grads(p)[0], params, eps)
    errors = [gradient_check(a, n) for a, n in zip(analytic, numerical, strict=True)]
    return max(errors), errors
