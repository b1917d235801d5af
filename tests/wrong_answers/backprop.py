"""Wrong answers for notebook 05, as students write them."""
import math

import numpy as np

from . import wrong

_F = {
    "add": lambda A: sum(A), "sub": lambda A: A[0] - A[1], "mul": lambda A: A[0] * A[1],
    "square": lambda A: A[0] ** 2, "relu": lambda A: max(0.0, A[0]),
    "sigmoid": lambda A: 1 / (1 + math.exp(-A[0])), "tanh": lambda A: math.tanh(A[0]),
}


def _local(op, A):
    if op == "add":
        return [1.0] * len(A)
    if op == "sub":
        return [1.0, -1.0]
    if op == "mul":
        return [A[1], A[0]]
    if op == "square":
        return [2 * A[0]]
    if op == "relu":
        return [1.0 if A[0] > 0 else 0.0]
    if op == "sigmoid":
        s = 1 / (1 + math.exp(-A[0]))
        return [s * (1 - s)]
    return [1 - math.tanh(A[0]) ** 2]


# --- forward_propagation ---
@wrong("forward_propagation")
def fp_only_last(nodes):
    u = []
    for node in nodes:
        u.append(node["value"] if node["op"] == "input" else _F[node["op"]]([u[j] for j in node["parents"]]))
    return u[-1]


@wrong("forward_propagation")
def fp_parents_as_set(nodes):
    u = []
    for node in nodes:
        A = [u[j] for j in sorted(set(node["parents"]))]
        if node["op"] == "input":
            u.append(float(node["value"]))
        elif node["op"] in ("mul", "sub") and len(A) == 1:
            u.append(A[0])
        else:
            u.append(float(_F[node["op"]](A)))
    return u


@wrong("forward_propagation")
def fp_sub_reversed(nodes):
    u = []
    for node in nodes:
        A = [u[j] for j in node["parents"]]
        if node["op"] == "input":
            u.append(float(node["value"]))
        elif node["op"] == "sub":
            u.append(A[1] - A[0])
        else:
            u.append(float(_F[node["op"]](A)))
    return u


@wrong("forward_propagation")
def fp_relu_as_abs(nodes):
    u = []
    for node in nodes:
        A = [u[j] for j in node["parents"]]
        if node["op"] == "input":
            u.append(float(node["value"]))
        elif node["op"] == "relu":
            u.append(abs(A[0]))
        else:
            u.append(float(_F[node["op"]](A)))
    return u


# --- backpropagation ---
@wrong("backpropagation")
def bp_overwrites_at_fork(nodes, u):
    n = len(nodes)
    g = [0.0] * n
    g[-1] = 1.0
    for j in range(n - 1, -1, -1):
        parents = nodes[j]["parents"]
        if not parents:
            continue
        partials = _local(nodes[j]["op"], [u[k] for k in parents])
        for k, d in zip(parents, partials):
            g[k] = g[j] * d
    return g


@wrong("backpropagation")
def bp_forward_order(nodes, u):
    n = len(nodes)
    g = [0.0] * n
    g[-1] = 1.0
    for j in range(n):
        parents = nodes[j]["parents"]
        if not parents:
            continue
        partials = _local(nodes[j]["op"], [u[k] for k in parents])
        for k, d in zip(parents, partials):
            g[k] += g[j] * d
    return g


@wrong("backpropagation")
def bp_repeated_parent_once(nodes, u):
    n = len(nodes)
    g = [0.0] * n
    g[-1] = 1.0
    for j in range(n - 1, -1, -1):
        parents = nodes[j]["parents"]
        if not parents:
            continue
        partials = _local(nodes[j]["op"], [u[k] for k in parents])
        done = set()
        for k, d in zip(parents, partials):
            if k in done:
                continue
            done.add(k)
            g[k] += g[j] * d
    return g


@wrong("backpropagation")
def bp_forgets_upstream(nodes, u):
    n = len(nodes)
    g = [0.0] * n
    g[-1] = 1.0
    for j in range(n - 1, -1, -1):
        parents = nodes[j]["parents"]
        if not parents:
            continue
        partials = _local(nodes[j]["op"], [u[k] for k in parents])
        for k, d in zip(parents, partials):
            g[k] += d
    return g


# --- relu_backward ---
@wrong("relu_backward")
def relu_ge_zero(dh, z):
    return dh * (z >= 0)


@wrong("relu_backward")
def relu_mask_from_dh(dh, z):
    return dh * (dh > 0)


@wrong("relu_backward")
def relu_mask_only(dh, z):
    return (np.asarray(z) > 0).astype(float)


@wrong("relu_backward")
def relu_applied_to_dh(dh, z):
    return np.maximum(0, dh)


# --- sigmoid_backward ---
def _sig(z):
    return 1 / (1 + np.exp(-z))


@wrong("sigmoid_backward")
def sig_on_z_not_sigma(dh, z):
    return dh * z * (1 - z)


@wrong("sigmoid_backward")
def sig_forgot_dh(dh, z):
    s = _sig(z)
    return s * (1 - s)


@wrong("sigmoid_backward")
def sig_missing_square(dh, z):
    return dh * np.exp(-z) / (1 + np.exp(-z))


@wrong("sigmoid_backward")
def sig_precedence(dh, z):
    s = _sig(z)
    return dh * s - s ** 2


# --- linear_backward ---
@wrong("linear_backward")
def lin_mean_over_batch(dh, x, W):
    n = x.shape[0]
    return dh @ W.T, x.T @ dh / n, dh.mean(axis=0)


@wrong("linear_backward")
def lin_dW_transposed(dh, x, W):
    return dh @ W.T, dh.T @ x, dh.sum(axis=0)


@wrong("linear_backward")
def lin_db_mean(dh, x, W):
    return dh @ W.T, x.T @ dh, dh.mean(axis=0)


@wrong("linear_backward")
def lin_db_keepdims(dh, x, W):
    return dh @ W.T, x.T @ dh, dh.sum(axis=0, keepdims=True)


# --- numerical_gradient ---
@wrong("numerical_gradient")
def ng_forward_difference(f, x, eps=1e-6):
    xs = x if isinstance(x, list) else [x]
    grads = []
    for a in xs:
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            old = a[i]
            f0 = f(x)
            a[i] = old + eps
            f1 = f(x)
            a[i] = old
            g[i] = (f1 - f0) / eps
        grads.append(g)
    return grads if isinstance(x, list) else grads[0]


@wrong("numerical_gradient")
def ng_over_eps_not_2eps(f, x, eps=1e-6):
    xs = x if isinstance(x, list) else [x]
    grads = []
    for a in xs:
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            old = a[i]
            a[i] = old + eps
            fp = f(x)
            a[i] = old - eps
            fm = f(x)
            a[i] = old
            g[i] = (fp - fm) / eps
        grads.append(g)
    return grads if isinstance(x, list) else grads[0]


@wrong("numerical_gradient")
def ng_nudges_copies(f, x, eps=1e-6):
    if isinstance(x, list):
        grads = []
        for k, a in enumerate(x):
            g = np.zeros_like(a)
            for i in np.ndindex(a.shape):
                xp = [b.copy() for b in x]
                xm = [b.copy() for b in x]
                xp[k][i] += eps
                xm[k][i] -= eps
                g[i] = (f(xp) - f(xm)) / (2 * eps)
            grads.append(g)
        return grads
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += eps
        xm[i] -= eps
        g[i] = (f(xp) - f(xm)) / (2 * eps)
    return g


@wrong("numerical_gradient")
def ng_restores_by_arithmetic(f, x, eps=1e-6):
    xs = x if isinstance(x, list) else [x]
    grads = []
    for a in xs:
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            a[i] += eps
            fp = f(x)
            a[i] -= 2 * eps
            fm = f(x)
            a[i] += eps
            g[i] = (fp - fm) / (2 * eps)
        grads.append(g)
    return grads if isinstance(x, list) else grads[0]


@wrong("numerical_gradient")
def ng_ignores_given_eps(f, x, eps=1e-6):
    h = 1e-5
    xs = x if isinstance(x, list) else [x]
    grads = []
    for a in xs:
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            old = a[i]
            a[i] = old + h
            fp = f(x)
            a[i] = old - h
            fm = f(x)
            a[i] = old
            g[i] = (fp - fm) / (2 * h)
        grads.append(g)
    return grads if isinstance(x, list) else grads[0]


# --- gradient_check ---
def _flat(v):
    return np.concatenate([np.ravel(a) for a in v]) if isinstance(v, (list, tuple)) else np.ravel(v)


@wrong("gradient_check")
def gc_entrywise(analytic, numerical, tiny=1e-12):
    a, n = _flat(analytic), _flat(numerical)
    return float(np.max(np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), tiny)))


@wrong("gradient_check")
def gc_no_abs_in_denominator(analytic, numerical, tiny=1e-12):
    a, n = _flat(analytic), _flat(numerical)
    return float(np.max(np.abs(a - n)) / max(np.max(np.abs(a + n)), tiny))


@wrong("gradient_check")
def gc_norms(analytic, numerical, tiny=1e-12):
    a, n = _flat(analytic), _flat(numerical)
    return float(np.linalg.norm(a - n) / max(np.linalg.norm(a) + np.linalg.norm(n), tiny))


@wrong("gradient_check")
def gc_first_array_only(analytic, numerical, tiny=1e-12):
    a = np.ravel(analytic[0] if isinstance(analytic, list) else analytic)
    n = np.ravel(numerical[0] if isinstance(numerical, list) else numerical)
    return float(np.max(np.abs(a - n)) / max(np.max(np.abs(a) + np.abs(n)), tiny))


# --- softmax_cross_entropy_backward ---
def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@wrong("softmax_cross_entropy_backward")
def sce_no_mean(logits, y):
    p = _softmax(logits)
    p[np.arange(len(y)), y] -= 1
    return p


@wrong("softmax_cross_entropy_backward")
def sce_onehot_width_from_labels(logits, y):
    onehot = np.eye(y.max() + 1)[y]
    return (_softmax(logits) - onehot) / len(y)


@wrong("softmax_cross_entropy_backward")
def sce_unstable_softmax(logits, y):
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


@wrong("softmax_cross_entropy_backward")
def sce_onehot_minus_p(logits, y):
    onehot = np.zeros_like(logits)
    onehot[np.arange(len(y)), y] = 1
    return (onehot - _softmax(logits)) / len(y)


@wrong("softmax_cross_entropy_backward")
def sce_softmax_over_batch(logits, y):
    z = logits - logits.max(axis=0, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=0, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


# --- mlp_backward ---
def _mlp(X, y, W1, b1, W2, b2, mask="gt", mean=True, relu_grad=True):
    z1 = X @ W1 + b1
    h = np.maximum(0, z1)
    o = h @ W2 + b2
    do = _softmax(o)
    do[np.arange(len(y)), y] -= 1
    if mean:
        do /= len(y)
    dW2, db2 = h.T @ do, do.sum(axis=0)
    dh = do @ W2.T
    if relu_grad:
        m = {"gt": z1 > 0, "ge": z1 >= 0, "dh": dh > 0}[mask]
        dz1 = dh * m
    else:
        dz1 = dh
    return X.T @ dz1, dz1.sum(axis=0), dW2, db2


@wrong("mlp_backward")
def mlp_mask_ge(X, y, W1, b1, W2, b2):
    return _mlp(X, y, W1, b1, W2, b2, mask="ge")


@wrong("mlp_backward")
def mlp_mask_from_dh(X, y, W1, b1, W2, b2):
    return _mlp(X, y, W1, b1, W2, b2, mask="dh")


@wrong("mlp_backward")
def mlp_no_mean(X, y, W1, b1, W2, b2):
    return _mlp(X, y, W1, b1, W2, b2, mean=False)


@wrong("mlp_backward")
def mlp_forgot_relu(X, y, W1, b1, W2, b2):
    return _mlp(X, y, W1, b1, W2, b2, relu_grad=False)
