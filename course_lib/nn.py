"""Layers and losses as forward/backward pairs, and a small multilayer perceptron (MLP).

Every layer is a pair of plain functions in the style of cs231n's ``layers.py``, except that the
backward function receives the forward inputs explicitly instead of a cache object:

    h = linear_forward(x, W, b)          dx, dW, db = linear_backward(dh, x, W)
    a = relu_forward(z)                  dz = relu_backward(da, z)

``dh`` always means dL/dh, the derivative of the (scalar) loss L with respect to the output h of
the function, with the same shape as h. A backward function returns dL/d(input) by the chain rule
(lecture, "Backpropagation"): dL/dx = dL/dh * dh/dx.

Notation follows the lecture: a layer computes h = f(W x + b). Here examples are rows of a batch
matrix, so the same layer reads h = f(x W + b) with x of shape (N, D) and W of shape (D, M).
All arrays are float64. MSE has no 1/2 factor: d/do (o - y)^2 = 2 (o - y).
"""

import numpy as np

# --------------------------------------------------------------------------------------------
# input checking helpers


def _as_float_array(a, name):
    """Return `a` as a float64 array, or raise ValueError naming `name`."""
    try:
        return np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be an array of numbers, got {type(a).__name__}") from err


def _check_same_shape(a, b, name_a, name_b):
    if a.shape != b.shape:
        raise ValueError(
            f"{name_b} must have the shape of {name_a} {a.shape}, got {b.shape}"
        )


def _gradient_and_input(dh, z):
    """An element-wise layer's backward arguments: dh and z as float64 arrays of one shape."""
    dh = _as_float_array(dh, "dh")
    z = _as_float_array(z, "z")
    _check_same_shape(z, dh, "z", "dh")
    return dh, z


def _linear_arguments(x, W, b):
    """linear_forward's x (N, D), W (D, M), b (M,) as float64 arrays, or a ValueError naming
    the shapes that disagree."""
    x = _as_float_array(x, "x")
    W = _as_float_array(W, "W")
    b = _as_float_array(b, "b")
    if x.ndim != 2:
        raise ValueError(f"x must be a 2-D batch of shape (N, D), got shape {x.shape}")
    if W.ndim != 2 or W.shape[0] != x.shape[1]:
        raise ValueError(
            f"W must have shape ({x.shape[1]}, M) to match x of shape {x.shape}, got {W.shape}"
        )
    if b.shape != (W.shape[1],):
        raise ValueError(
            f"b must have shape ({W.shape[1]},) to match W of shape {W.shape}, got {b.shape}"
        )
    return x, W, b


def _linear_backward_arguments(dh, x, W):
    """linear_backward's dh (N, M), x (N, D), W (D, M) as float64 arrays, or a ValueError."""
    dh = _as_float_array(dh, "dh")
    x = _as_float_array(x, "x")
    W = _as_float_array(W, "W")
    if x.ndim != 2 or W.ndim != 2 or W.shape[0] != x.shape[1]:
        raise ValueError(
            f"x (N, D) and W (D, M) must agree, got x of shape {x.shape} and W of shape {W.shape}"
        )
    expected = (x.shape[0], W.shape[1])
    if dh.shape != expected:
        raise ValueError(
            f"dh must have shape {expected} to match x {x.shape} and W {W.shape}, got {dh.shape}"
        )
    return dh, x, W


def _output_and_target(o, y, o_name="o", y_name="y"):
    """A loss's prediction and target: float64 arrays of one shape with at least one element."""
    o = _as_float_array(o, o_name)
    y = _as_float_array(y, y_name)
    _check_same_shape(o, y, o_name, y_name)
    if o.size == 0:
        raise ValueError(f"{o_name} and {y_name} must contain at least one element, got empty arrays")
    return o, y


def _as_labels(y, n, k):
    """Return integer labels y of shape (n,) with values in 0..k-1, or raise ValueError."""
    y = np.asarray(y)
    if y.shape != (n,):
        raise ValueError(f"labels y must have shape ({n},) to match the logits, got {y.shape}")
    if y.dtype.kind not in "iu":
        if y.dtype.kind != "f" or not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
            raise ValueError(f"labels y must be integers 0..{k - 1}, got dtype {y.dtype}")
    y = y.astype(np.int64)
    if n > 0 and (y.min() < 0 or y.max() >= k):
        raise ValueError(
            f"labels y must lie in 0..{k - 1} for {k} classes, got values in {y.min()}..{y.max()}"
        )
    return y


# --------------------------------------------------------------------------------------------
# linear layer


def linear_forward(x, W, b):
    """Linear (fully connected) layer: h = x W + b.

    Shapes: x (N, D), W (D, M), b (M,)  ->  h (N, M).
    Row n is one example: h[n, m] = sum_d x[n, d] W[d, m] + b[m]
    (the lecture's h_i = sum_j w_ij x_j + b_i, written for a batch of row vectors).
    """
    x, W, b = _linear_arguments(x, W, b)
    return x @ W + b


def linear_backward(dh, x, W):
    """Backward pass of h = x W + b.

    Shapes: dh (N, M), x (N, D), W (D, M)  ->  dx (N, D), dW (D, M), db (M,).
    Formulas (chain rule, summing over the batch for the shared parameters):
        dx = dh W^T        dW = x^T dh        db = sum_n dh[n, :]
    """
    dh, x, W = _linear_backward_arguments(dh, x, W)
    return dh @ W.T, x.T @ dh, dh.sum(axis=0)


# --------------------------------------------------------------------------------------------
# activations


def relu_forward(z):
    """ReLU, element-wise: relu(z) = max(0, z).   Shapes: z (any)  ->  same shape."""
    z = _as_float_array(z, "z")
    return np.maximum(z, 0.0)


def relu_derivative(z, at_zero=0.0):
    """Element-wise derivative of ReLU, with a chosen value at exactly z = 0.

        d relu(z) / dz = 1 if z > 0,  at_zero if z == 0,  0 if z < 0.

    The lecture writes the value at 0 as NaN: ReLU has a kink there and no derivative.
    ``relu_derivative(z, at_zero=np.nan)`` shows that convention; the default 0.0 is what
    ``relu_backward`` uses (see there why). Shapes: z (any) -> same shape.
    """
    z = _as_float_array(z, "z")
    return np.where(z > 0, 1.0, np.where(z < 0, 0.0, at_zero))


def relu_backward(dh, z):
    """Backward pass of h = relu(z):  dz = dh * relu'(z),  relu'(z) = 1 if z > 0 else 0.

    Shapes: dh, z (same, any)  ->  dz (same).
    At exactly z = 0 the derivative does not exist (the lecture writes NaN). We return 0 there:
    0 is a valid subgradient (any value in [0, 1] is), it is what PyTorch and TensorFlow do, and a
    NaN would spread through every later sum and destroy all gradients. With real-valued inputs
    z = 0 exactly is rare: it needs the inputs and the bias of a unit to cancel exactly (e.g. all zero).
    """
    dh, z = _gradient_and_input(dh, z)
    return dh * relu_derivative(z, at_zero=0.0)


def sigmoid_forward(z):
    """Logistic sigmoid, element-wise: sigma(z) = 1 / (1 + exp(-z)).

    Numerically stable: with e = exp(-|z|) (never overflows),
        sigma(z) = 1 / (1 + e)   for z >= 0,      sigma(z) = e / (1 + e)   for z < 0.
    Shapes: z (any) -> same shape.
    """
    z = _as_float_array(z, "z")
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_backward(dh, z):
    """Backward pass of h = sigma(z):  dz = dh * sigma(z) (1 - sigma(z)).   Shapes: same, any."""
    dh, z = _gradient_and_input(dh, z)
    s = sigmoid_forward(z)
    return dh * s * (1.0 - s)


def tanh_forward(z):
    """Hyperbolic tangent, element-wise: tanh(z) = (e^z - e^-z) / (e^z + e^-z).   Shapes: any."""
    z = _as_float_array(z, "z")
    return np.tanh(z)


def tanh_backward(dh, z):
    """Backward pass of h = tanh(z):  dz = dh * (1 - tanh(z)^2).   Shapes: same, any."""
    dh, z = _gradient_and_input(dh, z)
    return dh * (1.0 - np.tanh(z) ** 2)


# --------------------------------------------------------------------------------------------
# losses


def mse_loss(o, y):
    """Mean squared error over all N elements:  L = (1/N) sum (o - y)^2   (no 1/2 factor).

    Shapes: o, y (same, any; N = o.size)  ->  float.
    """
    o, y = _output_and_target(o, y)
    return float(np.mean((o - y) ** 2))


def mse_backward(o, y):
    """Gradient of mse_loss with respect to o:  dL/do = 2 (o - y) / N,  N = o.size.

    Shapes: o, y (same, any)  ->  do (same).
    """
    o, y = _output_and_target(o, y)
    return 2.0 * (o - y) / o.size


def softmax(logits):
    """Softmax over the last axis:  softmax(z)_k = exp(z_k) / sum_j exp(z_j).

    Numerically stable: we subtract max_j z_j first, which leaves the result unchanged
    (numerator and denominator are both multiplied by exp(-max z)) and keeps exp() <= 1.
    Shapes: logits (..., K)  ->  probabilities (..., K), each row summing to 1.
    """
    z = _as_float_array(logits, "logits")
    if z.ndim == 0:
        raise ValueError("logits must have at least one axis (..., K), got a scalar")
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _log_softmax(z):
    """log softmax(z) = z - max z - log sum_j exp(z_j - max z), stable."""
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _check_logits(logits):
    z = _as_float_array(logits, "logits")
    if z.ndim != 2 or z.shape[0] == 0 or z.shape[1] == 0:
        raise ValueError(f"logits must have shape (N, K) with N, K >= 1, got {z.shape}")
    return z


def softmax_cross_entropy(logits, y):
    """Mean negative log-likelihood of integer labels under a softmax over the logits.

        L = (1/N) sum_n -log softmax(z_n)_{y_n}
          = (1/N) sum_n ( log sum_k exp(z_nk) - z_{n, y_n} )      (computed stably)

    Shapes: logits (N, K) float, y (N,) integer labels in 0..K-1  ->  float.
    """
    z = _check_logits(logits)
    y = _as_labels(y, *z.shape)
    n = z.shape[0]
    return float(-np.mean(_log_softmax(z)[np.arange(n), y]))


def softmax_cross_entropy_backward(logits, y):
    """Gradient of softmax_cross_entropy with respect to the logits (averaged over the batch):

        dL/dz_nk = (softmax(z_n)_k - [k == y_n]) / N

    Derivation for one example (p = softmax(z), loss l = -log p_y): softmax's Jacobian is
    dp_j/dz_k = p_j ([j == k] - p_k), so dl/dz_k = -(1/p_y) dp_y/dz_k = p_k - [k == y]; the
    one-hot vector [k == y] has width K = logits.shape[1] even when a batch lacks some class.
    The mean over N examples divides by N. softmax() subtracts max_k z_k, so logits near 1000
    do not overflow. This is the reference of the exercise softmax_cross_entropy_backward (05).
    Shapes: logits (N, K), y (N,)  ->  dlogits (N, K).
    """
    z = _check_logits(logits)
    y = _as_labels(y, *z.shape)
    n = z.shape[0]
    dz = softmax(z)
    dz[np.arange(n), y] -= 1.0
    return dz / n


def _gaussian_arguments(y, mu, sigma):
    """y and mu as float64 arrays of one shape, sigma > 0 broadcastable to it."""
    y = _as_float_array(y, "y")
    mu = _as_float_array(mu, "mu")
    _check_same_shape(y, mu, "y", "mu")
    return y, mu, _check_sigma(sigma, y.shape)


def _check_sigma(sigma, shape):
    sigma = _as_float_array(sigma, "sigma")
    if not np.all(sigma > 0):
        raise ValueError(f"sigma must be positive, got {sigma}")
    try:
        fits = np.broadcast_shapes(sigma.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"sigma must be a scalar or broadcast to shape {shape}, "
                         f"got shape {sigma.shape}")
    return sigma


def gaussian_nll(y, mu, sigma):
    """Mean negative log-likelihood of y under N(mu, sigma^2) (lecture, "MSE as MLE"):

        L = (1/N) sum_i [ (1/2) log(2 pi sigma^2) + (y_i - mu_i)^2 / (2 sigma^2) ]

    For a fixed sigma the first term is a constant, so minimizing L over mu is minimizing the
    MSE (1/N) sum (y_i - mu_i)^2.
    Shapes: y, mu (same, any; N = y.size); sigma > 0, a scalar or broadcastable  ->  float.
    """
    y, mu, sigma = _gaussian_arguments(y, mu, sigma)
    nll = 0.5 * np.log(2 * np.pi * sigma**2) + (y - mu) ** 2 / (2 * sigma**2)
    return float(np.mean(np.broadcast_to(nll, y.shape)))


def gaussian_nll_backward(y, mu, sigma):
    """Gradient of gaussian_nll with respect to mu:  dL/dmu_i = (mu_i - y_i) / (N sigma^2).

    (= mse_backward(mu, y) / (2 sigma^2): the same direction as the MSE gradient.)
    Shapes: y, mu (same, any); sigma scalar or broadcastable  ->  dmu (shape of mu).
    """
    y, mu, sigma = _gaussian_arguments(y, mu, sigma)
    return (mu - y) / (y.size * sigma**2)


# --------------------------------------------------------------------------------------------
# entropy and divergences of discrete distributions


def _check_distribution(p, name, atol=1e-8):
    p = _as_float_array(p, name)
    if p.ndim == 0 or p.shape[-1] == 0:
        raise ValueError(f"{name} must be a distribution (..., K), got {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(f"{name} must have non-negative finite entries, got {p}")
    sums = p.sum(axis=-1)
    if not np.allclose(sums, 1.0, rtol=0, atol=atol):
        raise ValueError(f"{name} must sum to 1 over its last axis, got sums {sums}")
    return p


def _two_distributions(p, q):
    """p and q as distributions (..., K) of one shape."""
    p = _check_distribution(p, "p")
    q = _check_distribution(q, "q")
    _check_same_shape(p, q, "p", "q")
    return p, q


def _sum_p_log_q(p, q):
    """sum_k p_k log q_k over the last axis, with 0 log q = 0 and -inf where p_k > 0 = q_k."""
    safe_q = np.where(q > 0, q, 1.0)  # log is only taken where it is finite
    terms = np.where(p > 0, p * np.log(safe_q), 0.0)
    total = terms.sum(axis=-1)
    impossible = np.any((p > 0) & (q == 0), axis=-1)
    total = np.where(impossible, -np.inf, total)
    return float(total) if total.ndim == 0 else total


def entropy(p):
    """Entropy of a discrete distribution, in nats:  H(p) = -sum_k p_k log p_k  (0 log 0 = 0).

    Shapes: p (K,) -> float, or (..., K) -> (...) for a batch of distributions.
    """
    p = _check_distribution(p, "p")
    return -_sum_p_log_q(p, p)


def cross_entropy(p, q):
    """Cross-entropy in nats:  H(p, q) = -sum_k p_k log q_k  (0 log q = 0; +inf if some
    p_k > 0 where q_k = 0).   Shapes: p, q (same; (K,) -> float or (..., K) -> (...)).
    """
    p, q = _two_distributions(p, q)
    return -_sum_p_log_q(p, q)


def kl_divergence(p, q):
    """Kullback-Leibler divergence in nats:  D_KL(p || q) = sum_k p_k log(p_k / q_k)
    = H(p, q) - H(p) >= 0, zero iff p = q (0 log 0 = 0; +inf if some p_k > 0 = q_k).

    Shapes: p, q (same; (K,) -> float or (..., K) -> (...)).
    """
    p, q = _two_distributions(p, q)
    return _sum_p_log_q(p, p) - _sum_p_log_q(p, q)


# --------------------------------------------------------------------------------------------
# the multilayer perceptron

ACTIVATIONS = {
    "relu": (relu_forward, relu_backward),
    "tanh": (tanh_forward, tanh_backward),
    "sigmoid": (sigmoid_forward, sigmoid_backward),
}


class MLP:
    """A multilayer perceptron: linear layers with a hidden activation f, linear output.

        h_0 = X,   z_k = h_{k-1} W_k + b_k,   h_k = f(z_k) for hidden k,   output = z_L.

    Usage:
        net = MLP([n_in, n_hidden, ..., n_out], activation="relu", seed=0)
        net.params            # [W1, b1, W2, b2, ...], W_k (fan_in, fan_out), b_k (fan_out,)
        net.predict(X)        # (batch, n_out) outputs (logits for classification)
        loss, grads = net.loss_and_grads(X, Y, loss="mse")            # Y (batch, n_out)
        loss, grads = net.loss_and_grads(X, y, loss="cross_entropy")  # y (batch,) labels
        MLP(sizes, backward=f)  # cross-entropy gradients from f(X, y, *params) instead, e.g. a
                                # student's mlp_backward of 05 (course_lib.yours.your_mlp)

    Initialization (seeded, biases 0): hidden layers with ReLU use He init,
    W ~ N(0, 2 / fan_in); tanh/sigmoid hidden layers and the linear output layer use Xavier
    (Glorot) init, W ~ N(0, 2 / (fan_in + fan_out)). Updating ``net.params[k][...]`` in place
    changes the network.
    """

    def __init__(self, sizes, activation="relu", seed=0, backward=None):
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}"
            )
        sizes = list(sizes)
        if len(sizes) < 2 or not all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1 for s in sizes
        ):
            raise ValueError(
                f"sizes must be a list of at least 2 positive integers [n_in, ..., n_out], "
                f"got {sizes}"
            )
        self.sizes = [int(s) for s in sizes]
        self.activation = activation
        self.seed = seed
        self.backward = backward
        rng = np.random.default_rng(seed)
        self.params = []
        n_layers = len(self.sizes) - 1
        for k in range(n_layers):
            fan_in, fan_out = self.sizes[k], self.sizes[k + 1]
            is_hidden = k < n_layers - 1
            if is_hidden and activation == "relu":
                std = np.sqrt(2.0 / fan_in)  # He et al. (2015)
            else:
                std = np.sqrt(2.0 / (fan_in + fan_out))  # Glorot & Bengio (2010)
            self.params.append(rng.normal(0.0, std, size=(fan_in, fan_out)))
            self.params.append(np.zeros(fan_out))

    def __repr__(self):
        return f"MLP({self.sizes}, activation={self.activation!r}, seed={self.seed})"

    @property
    def n_layers(self):
        """Number of linear layers (= len(params) // 2)."""
        return len(self.params) // 2

    def _check_X(self, X):
        X = _as_float_array(X, "X")
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(
                f"X must have shape (batch, {self.sizes[0]}) for this MLP, got {X.shape}"
            )
        return X

    def forward(self, X):
        """Forward pass keeping every intermediate value.

        Returns (hs, zs): hs[k] is the input of layer k+1 (hs[0] = X, hs[k] = f(zs[k-1])),
        zs[k] = hs[k] W_{k+1} + b_{k+1} is its pre-activation; the output is zs[-1].
        Shapes: X (batch, n_in); hs[k] (batch, sizes[k]); zs[k] (batch, sizes[k+1]).
        """
        X = self._check_X(X)
        f, _ = ACTIVATIONS[self.activation]
        hs, zs = [X], []
        for k in range(self.n_layers):
            W, b = self.params[2 * k], self.params[2 * k + 1]
            zs.append(linear_forward(hs[-1], W, b))
            if k < self.n_layers - 1:
                hs.append(f(zs[-1]))
        return hs, zs

    def predict(self, X):
        """Network output (logits for classification). Shapes: X (batch, n_in) -> (batch, n_out)."""
        return self.forward(X)[1][-1]

    def loss(self, X, Y, loss="mse"):
        """The loss only; see loss_and_grads."""
        return self.loss_and_grads(X, Y, loss=loss)[0]

    def loss_and_grads(self, X, Y, loss="mse"):
        """Loss on a batch and its gradient with respect to every parameter (backpropagation).

        loss="mse":           L = mean over all elements of (output - Y)^2,  Y (batch, n_out).
        loss="cross_entropy": L = (1/batch) sum_n -log softmax(output_n)_{y_n},  y (batch,)
                              integer labels in 0..n_out-1.
        Backward, from do = dL/d(output), for k = L, ..., 1:
            dh_{k-1}, dW_k, db_k = linear_backward(dz_k, h_{k-1}, W_k)
            dz_{k-1} = dh_{k-1} * f'(z_{k-1})
        Returns (float, grads) with grads[i] of the shape of params[i].
        """
        hs, zs = self.forward(X)
        out = zs[-1]
        if loss == "mse":
            Y = _as_float_array(Y, "Y")
            if Y.shape != out.shape:
                raise ValueError(
                    f"Y must have shape {out.shape} (batch, n_out) for loss='mse', got {Y.shape}"
                )
            if self.backward is not None:
                raise ValueError("this MLP's backward function is for loss='cross_entropy', not 'mse'")
            value, dz = mse_loss(out, Y), mse_backward(out, Y)
        elif loss == "cross_entropy":
            value = softmax_cross_entropy(out, Y)
            if self.backward is not None:       # another backward pass, e.g. a student's
                return value, list(self.backward(X, Y, *self.params))
            dz = softmax_cross_entropy_backward(out, Y)
        else:
            raise ValueError(f"loss must be 'mse' or 'cross_entropy', got {loss!r}")
        _, f_backward = ACTIVATIONS[self.activation]
        grads = [None] * len(self.params)
        for k in reversed(range(self.n_layers)):
            dh, grads[2 * k], grads[2 * k + 1] = linear_backward(dz, hs[k], self.params[2 * k])
            if k > 0:
                dz = f_backward(dh, zs[k - 1])
        return value, grads

    def accuracy(self, X, y):
        """Fraction of examples whose arg max output equals the label:  mean[argmax o_n = y_n]."""
        out = self.predict(X)
        y = _as_labels(y, *out.shape)
        return float(np.mean(np.argmax(out, axis=1) == y))


# --------------------------------------------------------------------------------------------
# the lecture's worked backpropagation example

WORKED_EXAMPLE = {
    "x1": 1.0, "x2": 2.0,
    # hidden layer: w1, w3, w5 leave x1 (to h1, h2, h3); w2, w4, w6 leave x2
    "w1": 2.0, "w2": 1.0, "w3": 1.0, "w4": -2.0, "w5": 1.0, "w6": 2.0,
    # output layer: o = w7 h1 + w8 h2 + w9 h3
    "w7": -1.0, "w8": 3.0, "w9": 2.0,
    "gold": 3.0,
}
"""Inputs of the lecture's example (slide "Backpropagation Example"); ReLU, no biases."""

LECTURE_VALUES = {
    # forward values, from the slide's figure
    "i1": 4.0, "i2": -3.0, "i3": 5.0,
    "h1": 4.0, "h2": 0.0, "h3": 5.0,
    "o": 6.0,
    "L": 9.0,  # not on the slide; by hand: (o - gold)^2 = (6 - 3)^2
    # derivatives, from the slide's table
    "dL/do": 6.0,
    "dL/dw7": 24.0, "dL/dw8": 0.0, "dL/dw9": 30.0,
    "dL/dw1": -6.0, "dL/dw2": -12.0, "dL/dw3": 0.0,
    "dL/dw4": 0.0, "dL/dw5": 12.0, "dL/dw6": 24.0,
    "dL/dh1": -6.0, "dL/dh2": 18.0, "dL/dh3": 12.0,
    "dL/di1": -6.0, "dL/di2": 0.0, "dL/di3": 12.0,
    "dL/dx1": 0.0, "dL/dx2": 18.0,
}
"""The lecture's numbers, typed in from the slides, to compare with worked_example()."""


def worked_example(values=None):
    """Reproduce the lecture's backpropagation example with the layer functions of this module.

    Network: i = x W1 (x = [x1, x2], W1[j, k] = weight from x_j to h_k, so
    W1 = [[w1, w3, w5], [w2, w4, w6]]); h = relu(i); o = h W2 with W2 = [w7, w8, w9]^T;
    L = (o - gold)^2. Then backward: dL/do = 2 (o - gold), and linear_backward/relu_backward
    give dL/dh, dL/dw7..w9, dL/di, dL/dw1..w6, dL/dx.
    `values` overrides entries of WORKED_EXAMPLE (e.g. {"w4": 0.5}).
    Returns a dict with the keys of LECTURE_VALUES ("i1", "h1", "o", "L", "dL/do", "dL/dw7", ...).
    """
    v = dict(WORKED_EXAMPLE)
    if values is not None:
        unknown = set(values) - set(v)
        if unknown:
            raise ValueError(f"values may only set {sorted(v)}, got unknown keys {sorted(unknown)}")
        v.update(values)
    x = np.array([[v["x1"], v["x2"]]])
    W1 = np.array([[v["w1"], v["w3"], v["w5"]], [v["w2"], v["w4"], v["w6"]]])
    W2 = np.array([[v["w7"]], [v["w8"]], [v["w9"]]])
    gold = np.array([[v["gold"]]])
    i = linear_forward(x, W1, np.zeros(3))
    h = relu_forward(i)
    o = linear_forward(h, W2, np.zeros(1))
    L = mse_loss(o, gold)  # one element, so this is (o - gold)^2
    do = mse_backward(o, gold)
    dh, dW2, _ = linear_backward(do, h, W2)
    di = relu_backward(dh, i)
    dx, dW1, _ = linear_backward(di, x, W1)
    result = {}
    for k in range(3):
        result[f"i{k + 1}"] = float(i[0, k])
        result[f"h{k + 1}"] = float(h[0, k])
    result["o"] = float(o[0, 0])
    result["L"] = L
    result["dL/do"] = float(do[0, 0])
    for k in range(3):
        result[f"dL/dw{k + 7}"] = float(dW2[k, 0])
        result[f"dL/dw{2 * k + 1}"] = float(dW1[0, k])  # from x1 to h_{k+1}
        result[f"dL/dw{2 * k + 2}"] = float(dW1[1, k])  # from x2 to h_{k+1}
        result[f"dL/dh{k + 1}"] = float(dh[0, k])
        result[f"dL/di{k + 1}"] = float(di[0, k])
    result["dL/dx1"] = float(dx[0, 0])
    result["dL/dx2"] = float(dx[0, 1])
    return {key: result[key] for key in LECTURE_VALUES}
