"""Exercises of 05_backpropagation: backward passes of ReLU, sigmoid, a linear layer and an MLP.

Every backward function receives dh = dL/dh (the derivative of the loss with respect to the
function's output) and the forward inputs, and returns dL/d(input) by the chain rule.
"""

import numpy as np

from .. import nn
from .core import Case, Exercise

NOTEBOOK = "05_backpropagation"


def mlp_backward(X, y, W1, b1, W2, b2):
    """Gradients of a one-hidden-layer ReLU network with softmax cross-entropy.

    Forward:  z1 = X W1 + b1,  h = relu(z1),  o = h W2 + b2,
              L = (1/N) sum_n -log softmax(o_n)_{y_n}.
    Backward: do = (softmax(o) - onehot(y)) / N
              dh, dW2, db2 = linear_backward(do, h, W2)     (dW2 = h^T do, db2 = sum_n do_n)
              dz1 = dh * [z1 > 0]
              _, dW1, db1 = linear_backward(dz1, X, W1)
    Shapes: X (N, D), y (N,) int labels in 0..K-1, W1 (D, H), b1 (H,), W2 (H, K), b2 (K,)
            -> (dW1 (D, H), db1 (H,), dW2 (H, K), db2 (K,)).
    """
    z1 = nn.linear_forward(X, W1, b1)
    h = nn.relu_forward(z1)
    o = nn.linear_forward(h, W2, b2)
    do = nn.softmax_cross_entropy_backward(o, y)
    dh, dW2, db2 = nn.linear_backward(do, h, W2)
    dz1 = nn.relu_backward(dh, z1)
    _, dW1, db1 = nn.linear_backward(dz1, X, W1)
    return dW1, db1, dW2, db2


def mlp_loss(X, y, W1, b1, W2, b2):
    """The loss whose gradient mlp_backward returns: mean softmax cross-entropy (a float)."""
    h = nn.relu_forward(nn.linear_forward(X, W1, b1))
    return nn.softmax_cross_entropy(nn.linear_forward(h, W2, b2), y)


# ---------------------------------------------------------------------------------------------
# cases


def _relu_cases(rng):
    cases = [
        Case("edge: z exactly 0 (return 0 there, like PyTorch)",
             (np.array([1.0, 2.0, 3.0]), np.array([-1.0, 0.0, 1.0]))),
        Case("negative upstream gradient dh with positive z", (np.array([-2.0, -0.5]), np.array([3.0, 0.1]))),
        Case("dh and z of opposite signs (mask by z, not by dh)",
             (np.array([[1.0, -1.0], [-3.0, 2.0]]), np.array([[-1.0, 2.0], [4.0, -0.5]]))),
    ]
    for k in range(3):
        shape = (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
        cases.append(Case(f"random #{k + 1}, shape {shape}",
                          (rng.normal(size=shape), rng.normal(size=shape))))
    return cases


def _sigmoid_cases(rng):
    cases = [
        Case("edge: z = 0, where sigma'(0) = 1/4", (np.array([1.0]), np.array([0.0]))),
        Case("z of +-2 with dh = 1 (is it sigma(z)(1 - sigma(z)) or z(1 - z)?)",
             (np.array([1.0, 1.0]), np.array([2.0, -2.0]))),
        Case("large |z| = 40: a tiny derivative, no overflow",
             (np.array([3.0, -3.0]), np.array([40.0, -40.0]))),
        Case("dh not all ones (multiply by dh)",
             (np.array([[0.5, -2.0, 3.0]]), np.array([[1.0, -0.5, 0.25]]))),
    ]
    for k in range(3):
        shape = (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
        cases.append(Case(f"random #{k + 1}, shape {shape}",
                          (rng.normal(size=shape), 3 * rng.normal(size=shape))))
    return cases


def _linear_cases(rng):
    cases = [
        Case("edge: one example, N = 1", (np.array([[1.0, -2.0]]), np.array([[3.0, 4.0, 5.0]]),
                                           np.array([[1.0, 0.0], [0.0, 1.0], [2.0, -1.0]]))),
        Case("square W, D = M = 2 (a transposed W or dW has the right shape but wrong values)",
             (np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.0]]),
              np.array([[1.0, 0.0], [2.0, 1.0], [-1.0, 3.0]]),
              np.array([[1.0, 2.0], [3.0, 4.0]]))),
        Case("a batch of 4 (db sums over the batch, it does not average)",
             (np.ones((4, 3)), np.arange(8.0).reshape(4, 2), np.arange(6.0).reshape(2, 3))),
    ]
    for k in range(3):
        n, d, m = (int(v) for v in rng.integers(1, 6, size=3))
        cases.append(Case(f"random #{k + 1}: N={n}, D={d}, M={m}",
                          (rng.normal(size=(n, m)), rng.normal(size=(n, d)), rng.normal(size=(d, m)))))
    return cases


def _mlp_args(rng, n, d, h, k):
    X = rng.normal(size=(n, d))
    y = rng.integers(0, k, size=n)
    W1 = rng.normal(size=(d, h)) / np.sqrt(d)
    b1 = 0.1 * rng.normal(size=h)
    W2 = rng.normal(size=(h, k)) / np.sqrt(h)
    b2 = 0.1 * rng.normal(size=k)
    return X, y, W1, b1, W2, b2


def _mlp_cases(rng):
    fixed = np.random.default_rng(2024)
    X, y, W1, b1, W2, b2 = _mlp_args(fixed, 5, 3, 4, 3)
    W1_dead = W1.copy()
    b1_dead = b1.copy()
    W1_dead[:, 0] = 0.0
    b1_dead[0] = -1.0  # hidden unit 0 is dead for every example: its gradients are 0
    cases = [
        Case("edge: one example, 2 inputs, 2 hidden units, 2 classes",
             (np.array([[1.0, 2.0]]), np.array([1]), np.array([[1.0, -1.0], [0.5, 0.5]]),
              np.array([0.0, 0.1]), np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([0.0, 0.0]))),
        Case("a batch of 5 (the loss is a MEAN over the batch: divide by N)", (X, y, W1, b1, W2, b2)),
        Case("a dead hidden unit (z1 < 0 for every example)", (X, y, W1_dead, b1_dead, W2, b2)),
    ]
    for k in range(3):
        n, d, h, c = (int(v) for v in rng.integers(2, 7, size=4))
        cases.append(Case(f"random #{k + 1}: N={n}, D={d}, H={h}, K={c}", _mlp_args(rng, n, d, h, c)))
    return cases


EXERCISES = [
    Exercise(
        id="relu_backward",
        notebook=NOTEBOOK,
        points=1,
        reference=nn.relu_backward,
        make_cases=_relu_cases,
        hint="dz = dh * (z > 0): pass the gradient where the input z was positive, 0 elsewhere "
             "(also at z = 0).",
    ),
    Exercise(
        id="sigmoid_backward",
        notebook=NOTEBOOK,
        points=1,
        reference=nn.sigmoid_backward,
        make_cases=_sigmoid_cases,
        hint="Compute s = sigma(z) = 1 / (1 + exp(-z)) from the INPUT z, then dz = dh * s * (1 - s).",
    ),
    Exercise(
        id="linear_backward",
        notebook=NOTEBOOK,
        points=2,
        reference=nn.linear_backward,
        make_cases=_linear_cases,
        hint="dx = dh @ W.T, dW = x.T @ dh, db = dh.sum(axis=0); check every shape against the "
             "forward pass.",
    ),
    Exercise(
        id="mlp_backward",
        notebook=NOTEBOOK,
        points=3,
        reference=mlp_backward,
        make_cases=_mlp_cases,
        hint="Recompute the forward pass, start from do = (softmax(o) - onehot(y)) / N and go back "
             "layer by layer with your linear_backward and relu_backward.",
    ),
]
