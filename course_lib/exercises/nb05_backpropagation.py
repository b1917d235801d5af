"""Exercises of 05_backpropagation: the lecture's forward propagation and backpropagation over a
scalar graph, the backward passes of ReLU, sigmoid and a linear layer, the finite-difference
gradient and the gradient check, the gradient of softmax cross-entropy, and a whole MLP; then a
debugging exercise (issue 22): a regression MLP's backward pass with three planted bugs, which the
student localizes with their own gradient check, fixes (debugged_backward, graded by running it)
and explains (harmless_bug: which bug changes nothing, and why; the answer is compared through a
digest so that a failing check does not print it).

Every backward function receives dh = dL/dh (the derivative of the loss with respect to the
function's output) and the forward inputs, and returns dL/d(input) by the chain rule.
"""

import hashlib
import math

import numpy as np

from .. import gradcheck, graph, nn
from ..testfunctions import TEST_FUNCTIONS
from .core import Case, Exercise, Mistake, describe
from .misconceptions import slip

NOTEBOOK = "05_backpropagation"


def mlp_backward(X, y, W1, b1, W2, b2):
    """Gradients of a one-hidden-layer ReLU network with softmax cross-entropy.

    Forward:  z1 = X W1 + b1,  h = relu(z1),  o = h W2 + b2,
              L = (1/N) sum_n -log softmax(o_n)_{y_n}.
    Backward: do = softmax_cross_entropy_backward(o, y)       (= (softmax(o) - onehot(y)) / N)
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


def regression_mlp_backward(X, Y, W1, b1, W2, b2):
    """Gradients of the debugging exercise's network: a ReLU hidden layer and a linear output,
    with the lecture's MSE summed over the outputs and averaged over the N examples:

        z = X W1 + b1,  h = relu(z),  o = h W2 + b2,   L = (1/N) sum_n ||o_n - Y_n||^2
        do = 2 (o - Y) / N;  dW2 = h^T do, db2 = sum_n do_n;  dh = do W2^T;  dz = dh [z > 0];
        dW1 = X^T dz, db1 = sum_n dz_n
    Shapes: X (N, D), Y (N, K), W1 (D, H), b1 (H,), W2 (H, K), b2 (K,) -> (dW1, db1, dW2, db2).
    """
    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    z = nn.linear_forward(X, W1, b1)
    h = nn.relu_forward(z)
    o = nn.linear_forward(h, W2, b2)
    do = 2.0 * (o - Y) / len(X)
    dh, dW2, db2 = nn.linear_backward(do, h, W2)
    _, dW1, db1 = nn.linear_backward(nn.relu_backward(dh, z), X, W1)
    return dW1, db1, dW2, db2


def regression_mlp_loss(X, Y, W1, b1, W2, b2):
    """L = (1/N) sum_n ||o_n - Y_n||^2 with o = relu(X W1 + b1) W2 + b2 (a float)."""
    o = nn.linear_forward(nn.relu_forward(nn.linear_forward(X, W1, b1)), W2, b2)
    return float(np.sum((o - np.asarray(Y, dtype=np.float64)) ** 2) / len(X))


# The planted bugs of the notebook's buggy_backward, by line of that function (its def line is 1);
# tests/test_exercises_05.py checks these against the notebook's cell.
BUGGY_LINES = {"missing 1/N": 6, "harmless mask h > 0": 10, "transposed dW1": 11}
HARMLESS_REASONS = {
    "a": "h > 0 and z > 0 select the same entries, because h = max(z, 0) is positive exactly where z is",
    "b": "its error is too small for a gradient check to see",
    "c": "its error is cancelled by one of the other two bugs",
    "d": "ReLU has no derivative at 0, so either mask is acceptable there",
}
HARMLESS_ANSWER = (BUGGY_LINES["harmless mask h > 0"], "a")


def _digest(answer) -> str:
    """A digest of a (line, reason) pair, so that check() can show 'expected' without the answer."""
    line, reason = answer
    return "sha256:" + hashlib.sha256(f"{int(line)}|{str(reason).strip().lower()}".encode()).hexdigest()[:16]


def harmless_bug():
    """The reference of harmless_bug: the digest of (line of the harmless bug, reason letter)."""
    return _digest(HARMLESS_ANSWER)


def _harmless_judge(case, expected, got):
    """Right when got = (line, reason) has the expected digest (or is that digest: the reference's own
    answer, so that the reference passes its check); else says which part is wrong."""
    if isinstance(got, str) and got == expected:
        return None
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return "return a pair: (the line number of the harmless bug, the letter of the reason)"
    line, reason = got
    if isinstance(line, bool) or not isinstance(line, (int, np.integer)) or not isinstance(reason, str):
        return "return (an int, a one-letter string), e.g. (3, 'b')"
    right_line = any(_digest((line, letter)) == expected for letter in HARMLESS_REASONS)
    right_reason = any(_digest((number, reason)) == expected for number in range(1, 40))
    wrong_line = f"line {int(line)} is not the harmless bug (count the def line as line 1)"
    if case.name.startswith("the line"):
        return None if right_line else wrong_line
    if case.name.startswith("the reason"):
        return None if right_reason else f"{reason!r} is not why the harmless bug is harmless"
    if _digest((line, reason)) == expected:
        return None
    if not right_line:
        return wrong_line
    return "the line is the harmless bug's, but that is not why it is harmless"


# ---------------------------------------------------------------------------------------------
# forward propagation and backpropagation over a scalar graph


def _random_graph(rng, n_inputs, n_ops):
    """A random graph in topological order with at least one fork (a node with two or more
    successors) and moderate values. Each new node takes the newest node as its first parent
    (so the graph is one deep chain) and earlier nodes at random (forks and skips)."""
    unary, binary = ["square", "relu", "sigmoid", "tanh"], ["add", "sub", "mul"]
    while True:
        G = graph.Graph()
        for k in range(n_inputs):
            G.input(f"x{k + 1}", round(float(rng.uniform(-2, 2)), 3))
        for _ in range(n_ops):
            last = len(G.nodes) - 1
            op = str(rng.choice(unary + binary + ["add"]))   # add twice as likely (n-ary too)
            if op in unary:
                parents = [last]
            else:
                extra = 2 if op == "add" and rng.random() < 0.3 else 1
                parents = [last] + [int(j) for j in rng.integers(0, last + 1, size=extra)]
            name = f"u{len(G.nodes) + 1}"
            getattr(G, op)(*parents, name=name)
        successors = [sum(i in node["parents"] for node in G.nodes) for i in range(len(G.nodes))]
        u = graph.forward_propagation(G.nodes)
        if max(successors) >= 2 and max(abs(v) for v in u) < 50:
            return G.nodes


def _chain_graph():
    """x -> y = x^2 -> z = 3 y, the chain of the notebook's first section."""
    G = graph.Graph()
    x = G.input("x", 1.5)
    three = G.input("three", 3.0)
    G.mul(three, G.square(x, name="y"), name="z")
    return G.nodes


def _fork_graph():
    """x feeds two successors: y1 = a x, y2 = b x, z = y1 y2 (dz/dx = 2 a b x)."""
    G = graph.Graph()
    x, a, b = G.input("x", 2.0), G.input("a", 3.0), G.input("b", -1.0)
    G.mul(G.mul(a, x, name="y1"), G.mul(b, x, name="y2"), name="z")
    return G.nodes


def _same_parent_twice_graph():
    """u = a * a lists a twice; then v = u - a and L = v^2 (dL/da = 2 v (2 a - 1))."""
    G = graph.Graph()
    a = G.input("a", 3.0)
    u = G.mul(a, a, name="a*a")
    G.square(G.sub(u, a, name="v"), name="L")
    return G.nodes


def _dead_branch_graph():
    """An input that leads nowhere, and an op whose result is not used: their g is 0."""
    G = graph.Graph()
    x, unused = G.input("x", -0.5), G.input("unused", 4.0)
    G.tanh(unused, name="dead end")
    G.sigmoid(G.add(x, x, x, name="3x"), name="out")
    return G.nodes


def _forward_cases(rng):
    one = [{"name": "x", "op": "input", "value": 2.5, "parents": []}]
    cases = [
        Case("edge: a graph of one input node (n = 1)", (one,)),
        Case("the chain x -> y = x^2 -> z = 3y", (_chain_graph(),)),
        Case("a parent used twice (a * a), and a sub, whose parents' order matters",
             (_same_parent_twice_graph(),)),
        Case("the lecture's worked example (30 nodes)", (graph.worked_example_nodes(),)),
    ]
    for k in range(3):
        nodes = _random_graph(rng, int(rng.integers(2, 4)), int(rng.integers(4, 10)))
        cases.append(Case(f"random #{k + 1}: {len(nodes)} nodes with forks", (nodes,)))
    return cases


def _backward_cases(rng):
    cases = []
    one = [{"name": "x", "op": "input", "value": 2.5, "parents": []}]
    fixed = [
        ("edge: a graph of one node: g(n) = 1", one),
        ("a fork: x feeds y1 and y2, so dz/dx sums two contributions", _fork_graph()),
        ("a parent used twice by one node (u = a * a)", _same_parent_twice_graph()),
        ("nodes that do not lead to the output (their g is 0)", _dead_branch_graph()),
        ("the lecture's worked example: every derivative of its table",
         graph.worked_example_nodes()),
    ]
    for name, nodes in fixed:
        cases.append(Case(name, (nodes, graph.forward_propagation(nodes))))
    for k in range(3):
        nodes = _random_graph(rng, int(rng.integers(2, 4)), int(rng.integers(5, 11)))
        cases.append(Case(f"random #{k + 1}: {len(nodes)} nodes with forks",
                          (nodes, graph.forward_propagation(nodes))))
    return cases


def _per_node_judge(symbol):
    """A judge for answers with one number per node: names the first wrong node, not its
    expected value (so a random case's feedback does not hand over the answer)."""
    def judge(case, expected, got):
        nodes = case.args[0]
        if isinstance(got, np.ndarray) and got.ndim == 1:
            got = got.tolist()
        if not isinstance(got, (list, tuple)):
            return (f"expected a list of {len(expected)} numbers {symbol}[0], ..., "
                    f"{symbol}[{len(expected) - 1}] (one per node), got {describe(got)}")
        if len(got) != len(expected):
            return f"expected {len(expected)} values (one per node), got {len(got)}"
        for i, (e, v) in enumerate(zip(expected, got, strict=True)):
            where = f"{symbol}[{i}] (node {nodes[i]['name']!r}, op {nodes[i]['op']!r})"
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.number)):
                return f"{where} is {describe(v)}, expected a number"
            if math.isnan(float(v)):
                return f"{where} is NaN"
            if not math.isclose(float(v), e, rel_tol=1e-9, abs_tol=1e-12):
                return f"{where} is wrong: off by {abs(float(v) - e):.3g}"
        return None
    return judge


def _forward_returning_last(nodes):
    u = []
    for node in nodes:
        u.append(graph.node_value(node, [u[j] for j in node["parents"]]))
    return u[-1]


def _forward_minus_one(nodes):
    u = []
    for node in nodes:   # parents already count from 0: j - 1 reads the node before the parent
        u.append(graph.node_value(node, [u[j - 1] for j in node["parents"]]))
    return u


def _forward_reversed_parents(nodes):
    u = []
    for node in nodes:
        u.append(graph.node_value(node, [u[j] for j in reversed(node["parents"])]))
    return u


def _forward_values_as_a_set(nodes):
    # the lecture's A(i) read as a Python set of values: a repeated parent (a * a) is lost, and
    # the order of the values is the set's
    u = []
    for node in nodes:
        u.append(graph.node_value(node, list({u[j] for j in node["parents"]})))
    return u


def _backward_variant(overwrite=False, once_per_parent=False, output_zero=False,
                      by_value=False, forward_order=False, no_upstream=False):
    """The simple backpropagation with one slip."""
    def backpropagation(nodes, u):
        n = len(nodes)
        g = [0.0] * n
        g[n - 1] = 0.0 if output_zero else 1.0
        order = range(n - 1) if forward_order else range(n - 2, -1, -1)
        for i in order:
            for j in range(i + 1, n):
                parents = nodes[j]["parents"]
                partials = graph.node_partials(nodes[j], [u[k] for k in parents])
                for k, partial in zip(parents, partials, strict=True):
                    if k != i:
                        continue
                    local = u[j] if by_value else partial
                    upstream = 1.0 if no_upstream else g[j]
                    g[i] = upstream * local if overwrite else g[i] + upstream * local
                    if once_per_parent:
                        break
        return g
    return backpropagation


# ---------------------------------------------------------------------------------------------
# activations and the linear layer


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


def _sigmoid(z):
    return nn.sigmoid_forward(z)


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
        Case("square W, D = M = 2 (a transposed W or dW has the right shape but wrong values)",
             (np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.0]]),
              np.array([[1.0, 0.0], [2.0, 1.0], [-1.0, 3.0]]),
              np.array([[1.0, 2.0], [3.0, 4.0]]))),
        Case("edge: one example, N = 1", (np.array([[1.0, -2.0]]), np.array([[3.0, 4.0, 5.0]]),
                                           np.array([[1.0, 0.0], [0.0, 1.0], [2.0, -1.0]]))),
        Case("a batch of 4 (db sums over the batch, it does not average)",
             (np.ones((4, 3)), np.arange(8.0).reshape(4, 2), np.arange(6.0).reshape(2, 3))),
        Case("N = D = M = 3: every shape alike, only the values tell",
             (np.array([[1.0, 0.0, 2.0], [0.0, -1.0, 1.0], [3.0, 1.0, 0.0]]),
              np.array([[2.0, 1.0, 0.0], [0.0, 1.0, -1.0], [1.0, 0.0, 1.0]]),
              np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [-1.0, 0.0, 1.0]]))),
    ]
    for k in range(3):
        n, d, m = (int(v) for v in rng.integers(1, 6, size=3))
        cases.append(Case(f"random #{k + 1}: N={n}, D={d}, M={m}",
                          (rng.normal(size=(n, m)), rng.normal(size=(n, d)), rng.normal(size=(d, m)))))
    return cases


# ---------------------------------------------------------------------------------------------
# numerical gradient and gradient check


def _numerical_gradient_cases(rng):
    """f is one of the named test functions (course_lib/testfunctions.py), which the grader can
    send to its sandbox by name."""
    f = TEST_FUNCTIONS
    A = np.array([[1.0, -1.0, 0.5], [2.0, 0.0, -0.5]])
    B = np.array([[0.5, 1.0], [-1.0, 0.0], [2.0, 1.5]])
    cases = [
        Case("edge: one entry, f = sum of cubes, eps = 1e-3", (f["sum of cubes"], np.array([2.0]), 1e-3)),
        Case("a 2-D x (every entry of every row), f = sum of cubes, eps = 1e-3",
             (f["sum of cubes"], np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]]), 1e-3)),
        Case("the given eps = 0.01 (use it: the central difference of x^3 is 3x^2 + eps^2)",
             (f["sum of cubes"], np.array([1.0, -1.0, 2.0]), 1e-2)),
        Case("x a list [A, B] of two arrays: return a list of two gradients",
             (f["squared product"], [A, B], 1e-4)),
        Case("f = softmax cross-entropy of logits (3, 4)",
             (f["softmax cross-entropy"], np.array([[1.0, 2.0, 0.0, -1.0], [0.5, 0.5, 0.5, 0.5],
                                                    [3.0, -2.0, 1.0, 0.0]]), 1e-4)),
        Case("f reads x through a closure, not through its argument (like a network's loss reading "
             "its parameters): nudge x itself",
             (f["sum of squares through a closure"], np.array([[1.0, -2.0], [0.5, 3.0]]), 1e-4)),
    ]
    for k in range(3):
        shape = (int(rng.integers(1, 4)), int(rng.integers(1, 5)))
        name = str(rng.choice(["sum of cubes", "log-sum-exp", "softmax cross-entropy"]))
        eps = float(10.0 ** -rng.integers(2, 5))
        cases.append(Case(f"random #{k + 1}: f = {name}, x of shape {shape}, eps = {eps:g}",
                          (f[name], rng.normal(size=shape), eps)))
    return cases


def _numerical_gradient_variant(one_sided=False, over_eps=False, no_restore=False, first_only=False,
                                copies=False, halved=False):
    """Central differences with one slip (halved: the one-sided difference over twice eps)."""
    def numerical_gradient(f, x, eps=1e-6):
        arrays = [x] if isinstance(x, np.ndarray) else list(x)
        grads = []
        for k, a in enumerate(arrays[:1] if first_only else arrays):
            g = np.zeros_like(a)
            for i in np.ndindex(a.shape):
                if copies:                          # f(x + eps e_i) on copies: x itself never moves
                    plus, minus = [b.copy() for b in arrays], [b.copy() for b in arrays]
                    plus[k][i] += eps
                    minus[k][i] -= eps
                    single = isinstance(x, np.ndarray)
                    g[i] = (float(f(plus[0] if single else plus)) - float(f(minus[0] if single else minus))) \
                        / (2 * eps)
                    continue
                old = a[i]
                f_0 = float(f(x))
                a[i] = old + eps
                f_plus = float(f(x))
                a[i] = old - eps
                f_minus = float(f_0 if one_sided else f(x))
                if not no_restore:
                    a[i] = old
                if one_sided:
                    g[i] = (f_plus - f_minus) / (2 * eps if halved else eps)
                else:
                    g[i] = (f_plus - f_minus) / (eps if over_eps else 2 * eps)
            grads.append(g)
        return grads[0] if isinstance(x, np.ndarray) else grads
    return numerical_gradient


def _gradient_check_cases(rng):
    cases = [
        Case("edge: both gradients exactly zero (0/0: the result must be 0, thanks to tiny)",
             (np.zeros(3), np.zeros(3))),
        Case("equal gradients: 0", (np.array([1.0, -2.0]), np.array([1.0, -2.0]))),
        Case("opposite signs: absolute values in the denominator",
             (np.array([3.0, 0.5]), np.array([-3.0, 0.5]))),
        Case("one large entry sets the scale (maximum of the differences over maximum of the sums, "
             "not entry by entry)",
             (np.array([1000.0, 1e-3, 0.0]), np.array([1000.0, 2e-3, 1e-4]))),
        Case("lists of two arrays: the error is in the second array only",
             ([np.array([1.0, 2.0]), np.array([[0.5, -0.5]])],
              [np.array([1.0, 2.0]), np.array([[0.5, 0.5]])])),
    ]
    for k in range(3):
        shape = (int(rng.integers(1, 4)), int(rng.integers(1, 5)))
        a = rng.normal(size=shape)
        n = a + 10.0 ** -rng.integers(1, 8) * rng.normal(size=shape)
        if k == 2:
            b = rng.normal(size=3)
            cases.append(Case(f"random #{k + 1}: lists of two arrays", ([a, b], [n, b * 1.01])))
        else:
            cases.append(Case(f"random #{k + 1}: shape {shape}", (a, n)))
    return cases


def _pooled(a, n):
    a = [a] if isinstance(a, np.ndarray) else list(a)
    n = [n] if isinstance(n, np.ndarray) else list(n)
    return (np.concatenate([np.ravel(v) for v in a]), np.concatenate([np.ravel(v) for v in n]))


def _gradient_check_entrywise(analytic, numerical, tiny=1e-12):
    a, n = _pooled(analytic, numerical)
    return float(np.max(np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), tiny)))


def _gradient_check_mean(analytic, numerical, tiny=1e-12):
    a, n = _pooled(analytic, numerical)
    return float(np.mean(np.abs(a - n)) / max(float(np.max(np.abs(a) + np.abs(n))), tiny))


def _gradient_check_sums(analytic, numerical, tiny=1e-12):
    a, n = _pooled(analytic, numerical)
    return float(np.sum(np.abs(a - n)) / max(float(np.sum(np.abs(a) + np.abs(n))), tiny))


def _gradient_check_no_abs(analytic, numerical, tiny=1e-12):
    a, n = _pooled(analytic, numerical)
    return float(np.max(np.abs(a - n)) / max(float(np.max(np.abs(a + n))), tiny))


def _gradient_check_first_only(analytic, numerical, tiny=1e-12):
    a = analytic if isinstance(analytic, np.ndarray) else analytic[0]
    n = numerical if isinstance(numerical, np.ndarray) else numerical[0]
    return float(np.max(np.abs(a - n)) / max(float(np.max(np.abs(a) + np.abs(n))), tiny))


# ---------------------------------------------------------------------------------------------
# softmax cross-entropy and the MLP


def _softmax_ce_cases(rng):
    cases = [
        Case("edge: logits near 1000 (exp overflows unless each row is shifted by its maximum)",
             (np.array([[1000.0, 999.0, 998.0], [1000.0, 1000.0, 1000.0]]), np.array([0, 2]))),
        Case("a batch without the highest class: K = 4 from the logits, labels only 0..2",
             (np.array([[1.0, 0.0, -1.0, 2.0], [0.5, 1.5, 0.0, 0.0], [-1.0, 2.0, 1.0, 0.5]]),
              np.array([0, 2, 1]))),
        Case("one example (N = 1)", (np.array([[2.0, -1.0, 0.5]]), np.array([1]))),
        Case("two classes (K = 2), a batch of 4",
             (np.array([[1.0, -1.0], [0.0, 3.0], [2.0, 2.0], [-0.5, 0.5]]), np.array([0, 1, 1, 0]))),
    ]
    for k in range(3):
        n, c = int(rng.integers(1, 7)), int(rng.integers(2, 7))
        cases.append(Case(f"random #{k + 1}: N={n}, K={c}",
                          (3 * rng.normal(size=(n, c)), rng.integers(0, c, size=n))))
    return cases


def _softmax_ce_variant(no_mean=False, flipped=False, naive=False, no_onehot=False,
                        batch_axis=False, over_nk=False):
    """(softmax(z) - onehot(y)) / N with one slip."""
    def softmax_cross_entropy_backward(logits, y):
        z = np.asarray(logits, dtype=np.float64)
        n, k = z.shape
        axis = 0 if batch_axis else 1
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(z if naive else z - z.max(axis=axis, keepdims=True))
            p = e / e.sum(axis=axis, keepdims=True)
        onehot = np.zeros_like(p)
        if not no_onehot:
            onehot[np.arange(n), y] = 1.0
        d = onehot - p if flipped else p - onehot
        return d if no_mean else d / (n * k if over_nk else n)
    return softmax_cross_entropy_backward


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
    logits = nn.relu_forward(X @ W1 + b1) @ W2
    W2_large = W2 * (1000.0 / logits.max())   # the largest logit becomes 1000: exp overflows
    cases = [
        Case("edge: one example, 2 inputs, 2 hidden units, 2 classes",
             (np.array([[1.0, 2.0]]), np.array([1]), np.array([[1.0, -1.0], [0.5, 0.5]]),
              np.array([0.0, 0.1]), np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([0.0, 0.0]))),
        Case("a batch of 5 (the loss is a MEAN over the batch)", (X, y, W1, b1, W2, b2)),
        Case("a dead hidden unit (z1 < 0 for every example)", (X, y, W1_dead, b1_dead, W2, b2)),
        Case("a batch without the highest class (labels 0..1 of K = 3)",
             (X, np.array([0, 1, 1, 0, 1]), W1, b1, W2, b2)),
        Case("large logits (about 1000): the softmax must not overflow",
             (X, y, W1, b1, W2_large, b2)),
        Case("H = K = 3: a transposed weight gradient has the right shape but wrong values",
             _mlp_args(fixed, 4, 2, 3, 3)),
        Case("z1 exactly 0 (an input row of zeros and a zero bias): the ReLU's slope there is 0",
             (np.vstack([np.zeros((1, 3)), X[1:]]), y, W1, np.array([0.0, 0.3, -0.2, 0.0]), W2, b2)),
    ]
    for k in range(3):
        n, d, h, c = (int(v) for v in rng.integers(2, 5, size=4))   # small enough to print
        cases.append(Case(f"random #{k + 1}: N={n}, D={d}, H={h}, K={c}", _mlp_args(rng, n, d, h, c)))
    return cases


def _regression_args(rng, n, d, h, k):
    X = rng.normal(size=(n, d))
    Y = rng.normal(size=(n, k))
    W1 = rng.normal(size=(d, h)) / np.sqrt(d)
    b1 = 0.1 * rng.normal(size=h)
    W2 = rng.normal(size=(h, k)) / np.sqrt(h)
    b2 = 0.1 * rng.normal(size=k)
    return X, Y, W1, b1, W2, b2


def _debugged_cases(rng):
    fixed = np.random.default_rng(22)
    cases = [
        Case("the notebook's shapes: N = 8, D = H = 4 (a square W1 hides a transposed dW1), K = 2",
             _regression_args(fixed, 8, 4, 4, 2)),
        Case("one example (N = 1: a missing 1/N changes nothing here)", _regression_args(fixed, 1, 3, 3, 1)),
        Case("D = 3, H = 5: a transposed dW1 has the wrong shape", _regression_args(fixed, 6, 3, 5, 2)),
        Case("a large batch, N = 40", _regression_args(fixed, 40, 2, 2, 1)),
    ]
    for k in range(3):
        n, d, h, c = (int(v) for v in rng.integers(2, 6, size=4))
        cases.append(Case(f"random #{k + 1}: N={n}, D={d}, H={h}, K={c}", _regression_args(rng, n, d, h, c)))
    return cases


def _debugged_variant(no_mean=False, transposed=False, mean_twice=False):
    """The regression MLP's backward pass with the planted bugs (or another slip) left in."""
    def wrong(X, Y, W1, b1, W2, b2):
        dW1, db1, dW2, db2 = regression_mlp_backward(X, Y, W1, b1, W2, b2)
        scale = len(X) if no_mean else 1.0 / len(X) if mean_twice else 1.0
        dW1, db1, dW2, db2 = (scale * g for g in (dW1, db1, dW2, db2))
        return (dW1.T if transposed else dW1), db1, dW2, db2
    return wrong


def _mlp_variant(sum_not_mean=False, mask_by_dh=False, no_onehot=False, no_db1=False,
                 transposed_dW2=False, naive=False, no_mask=False):
    """The MLP's backward pass with one slip."""
    def mlp_backward(X, y, W1, b1, W2, b2):
        n = X.shape[0]
        z1 = X @ W1 + b1
        h = np.maximum(z1, 0)
        o = h @ W2 + b2
        with np.errstate(over="ignore", invalid="ignore"):
            p = np.exp(o if naive else o - o.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
        if not no_onehot:
            p[np.arange(n), y] -= 1
        do = p if sum_not_mean else p / n
        dh = do @ W2.T
        dz1 = dh if no_mask else dh * ((dh > 0) if mask_by_dh else (z1 > 0))
        db1 = np.zeros_like(b1) if no_db1 else dz1.sum(axis=0)
        dW2 = do.T @ h if transposed_dW2 else h.T @ do
        return X.T @ dz1, db1, dW2, do.sum(axis=0)
    return mlp_backward


EXERCISES = [
    Exercise(
        id="forward_propagation",
        notebook=NOTEBOOK,
        points=2,
        reference=graph.forward_propagation,
        make_cases=_forward_cases,
        judge=_per_node_judge("u"),
        outputs=("u",),
        hints=(
            "Visit the nodes in the order of the list: by then every parent of a node already "
            "has its value, and node_value turns the parents' values into the node's value.",
            "Collect the parents' values in the order the node lists its parents (for sub the "
            "order matters) and return the value of every node, not only the last one.",
        ),
        mistakes=(
            Mistake("returning only the output u(n) instead of every value", _forward_returning_last,
                    nudge="Return the value of EVERY node, in order, not only the last one."),
            Mistake("subtracting 1 from the parents' indices (they already count from 0)",
                    _forward_minus_one,
                    nudge="The parents' indices already count from zero, like the list of nodes."),
            Mistake("the parents' values collected as a set (a parent listed twice counts once, and "
                    "their order is lost)", _forward_values_as_a_set,
                    nudge="The lecture writes the parents' values as a set, but a node may list the same "
                          "parent twice (a times a) and for sub the order matters: collect one value "
                          "per listed parent, in the node's order."),
            Mistake("taking the parents' values in reverse order", _forward_reversed_parents,
                    nudge="Take the parents' values in the order the node lists them: for sub the "
                          "order matters."),
        ),
    ),
    Exercise(
        id="backpropagation",
        notebook=NOTEBOOK,
        points=3,
        reference=graph.backpropagation,
        make_cases=_backward_cases,
        judge=_per_node_judge("g"),
        outputs=("g",),
        hints=(
            "Go through the nodes backwards, from the output to the inputs: a node's derivative "
            "is complete only once every node that uses it has its own.",
            "The output's derivative with respect to itself is 1. Every other node adds up, over "
            "all the nodes that use it, that successor's derivative times the successor's local "
            "derivative with respect to this parent (node_partials, at the parents' values).",
            "A node listed twice among one successor's parents (a times a) contributes once per "
            "position, and a node that does not lead to the output keeps derivative 0.",
        ),
        mistakes=(
            Mistake("not summing at forks (the last successor overwrites the others)",
                    _backward_variant(overwrite=True),
                    nudge="A node that feeds several successors (a fork) collects one contribution "
                          "from EACH of them: add them up, instead of letting the last successor's "
                          "contribution replace the others."),
            slip("parent_once", _backward_variant(once_per_parent=True)),
            Mistake("starting the output's derivative at 0 instead of 1",
                    _backward_variant(output_zero=True),
                    nudge="The derivative of the output with respect to itself is one: start there."),
            Mistake("multiplying by the successor's value instead of its local derivative",
                    _backward_variant(by_value=True),
                    nudge="The chain rule multiplies by the successor's LOCAL DERIVATIVE with "
                          "respect to this parent, not by the successor's value."),
            Mistake("sweeping from the inputs forward instead of from the output backward",
                    _backward_variant(forward_order=True),
                    nudge="Your sweep runs forwards; backpropagation runs from the output to the inputs, "
                          "because a node's derivative is complete only once every node that uses it "
                          "has its own."),
            slip("local_only", _backward_variant(no_upstream=True), upstream="the successor's g"),
        ),
    ),
    Exercise(
        id="relu_backward",
        notebook=NOTEBOOK,
        points=1,
        transcription=True,   # the formula is shown right before it (issue 22)
        reference=nn.relu_backward,
        make_cases=_relu_cases,
        outputs=("dz",),
        forbidden=(nn.relu_derivative,),
        hints=(
            "ReLU passes the upstream gradient through unchanged where its input was positive "
            "and blocks it elsewhere.",
            "Decide by the forward input z, not by dh; use slope 0 where z is exactly 0; and "
            "multiply by dh rather than returning the slope alone.",
        ),
        mistakes=(
            slip("relu_at_zero", lambda dh, z: dh * (z >= 0)),
            slip("local_only", lambda dh, z: (z > 0).astype(float), upstream="dh"),
            slip("mask_by_gradient", lambda dh, z: dh * (dh > 0)),
            Mistake("clipping dh at zero as well", lambda dh, z: np.maximum(dh, 0) * (z > 0)),
        ),
    ),
    Exercise(
        id="sigmoid_backward",
        notebook=NOTEBOOK,
        points=1,
        reference=nn.sigmoid_backward,
        make_cases=_sigmoid_cases,
        outputs=("dz",),
        hints=(
            "The chain rule: the upstream gradient times the sigmoid's own slope at the input z.",
            "The slope is sigma of z times one minus sigma of z: compute sigma from z first, "
            "because z is the input, not the output.",
        ),
        mistakes=(
            Mistake("treating z as the sigmoid's output", lambda dh, z: dh * z * (1 - z)),
            slip("local_only", upstream="dh", function=
                    lambda dh, z: _sigmoid(z) * (1 - _sigmoid(z))),
            Mistake("sigma times one PLUS sigma", lambda dh, z: dh * _sigmoid(z) * (1 + _sigmoid(z))),
            Mistake("sigma alone, without the factor one minus sigma", lambda dh, z: dh * _sigmoid(z)),
            Mistake("sigma squared instead of sigma times one minus sigma",
                    lambda dh, z: dh * _sigmoid(z) ** 2,
                    nudge="The sigmoid's slope is sigma(z) times ONE MINUS sigma(z): it is largest, "
                          "one quarter, where z is zero and goes to zero on both sides, where sigma "
                          "squared would grow towards one."),
        ),
    ),
    Exercise(
        id="linear_backward",
        notebook=NOTEBOOK,
        points=2,
        reference=nn.linear_backward,
        make_cases=_linear_cases,
        outputs=("dx", "dW", "db"),
        forbidden=(nn.MLP.loss_and_grads,),
        hints=(
            "Write one entry of the output as a sum of products and differentiate it entry by "
            "entry; then find the matrix product that computes all those sums at once.",
            "Check each result's shape against the variable it is the gradient of: dx like x, "
            "dW like W, db like b. W and b are shared by every example of the batch, so their "
            "gradients add up over the batch.",
        ),
        mistakes=(
            slip("mean_over_batch", lambda dh, x, W: (dh @ W.T, x.T @ dh, dh.mean(axis=0)), what="db"),
            slip("wrong_transpose", what="dW", function=
                    lambda dh, x, W: (dh @ W.T, dh.T @ x, dh.sum(axis=0))),
            Mistake("forgetting to transpose W in dx",
                    lambda dh, x, W: (dh @ W, x.T @ dh, dh.sum(axis=0)),
                    nudge="The gradient for x has the shape of x: the incoming gradient times W "
                          "transposed."),
            Mistake("summing db over the wrong axis",
                    lambda dh, x, W: (dh @ W.T, x.T @ dh, dh.sum(axis=1)),
                    nudge="The bias is shared by every example: its gradient sums the incoming "
                          "gradient over the batch, the first axis."),
        ),
    ),
    Exercise(
        id="numerical_gradient",
        notebook=NOTEBOOK,
        points=2,
        reference=gradcheck.numerical_gradient,
        make_cases=_numerical_gradient_cases,
        rtol=1e-7,
        atol=1e-9,
        outputs=("gradient",),
        forbidden=(gradcheck.numerical_gradient_array, gradcheck.check_gradient,
                   gradcheck.check_loss_and_grads),
        hints=(
            "For every entry of every array: nudge it up by eps and evaluate f, nudge it down "
            "by eps and evaluate f, and divide the difference by the distance between the two "
            "points.",
            "Put each entry back to its exact old value (keep a copy of it) before you move to "
            "the next one, visit every entry of a multi-dimensional array, and return one "
            "gradient per array when x is a list.",
        ),
        mistakes=(
            Mistake("a one-sided difference instead of a central one",
                    _numerical_gradient_variant(one_sided=True),
                    nudge="Use the central difference: evaluate f at x plus eps AND at x minus eps."),
            Mistake("a one-sided difference divided by twice eps (half the slope)",
                    _numerical_gradient_variant(one_sided=True, halved=True),
                    nudge="f at x plus eps and f at x itself are only eps apart, so their difference "
                          "over twice eps is half the slope. Evaluate f on both sides, at x plus eps "
                          "and at x minus eps: those two points are twice eps apart."),
            Mistake("dividing by eps instead of twice eps", _numerical_gradient_variant(over_eps=True),
                    nudge="The two evaluation points are twice eps apart: divide by that distance."),
            Mistake("differentiating only the first array of a list",
                    _numerical_gradient_variant(first_only=True),
                    nudge="When x is a list, every entry of every array gets its own derivative: "
                          "return one gradient per array."),
            slip("nudged_copy", _numerical_gradient_variant(copies=True)),
        ),
        ideas=("restore_exactly",),
    ),
    Exercise(
        id="gradient_check",
        notebook=NOTEBOOK,
        points=1,
        transcription=True,   # the formula is shown right before it (issue 22)
        reference=gradcheck.gradient_check,
        make_cases=_gradient_check_cases,
        rtol=1e-9,
        atol=1e-15,
        outputs=("relative error",),
        hints=(
            "One number for the whole gradient: its worst disagreement, measured relative to the "
            "size of the two gradients.",
            "Take the maximum over all entries separately in the numerator and in the "
            "denominator (not entry by entry), with absolute values in both, and pool all the "
            "arrays of a list into one number.",
            "When both gradients are all zeros the result is 0, not NaN: the denominator never "
            "goes below tiny.",
        ),
        mistakes=(
            Mistake("dividing entry by entry before taking the maximum (cs231n's variant)",
                    _gradient_check_entrywise),
            Mistake("the mean difference instead of the largest", _gradient_check_mean),
            Mistake("sums over all entries instead of the two maxima", _gradient_check_sums,
                    nudge="A gradient check reports the WORST entry: the largest difference over the "
                          "largest size. Summing over all entries lets many small agreements hide one "
                          "wrong entry."),
            Mistake("no absolute values in the denominator", _gradient_check_no_abs),
            Mistake("looking only at the first array of a list", _gradient_check_first_only),
        ),
    ),
    Exercise(
        id="softmax_cross_entropy_backward",
        notebook=NOTEBOOK,
        points=2,
        reference=nn.softmax_cross_entropy_backward,
        make_cases=_softmax_ce_cases,
        outputs=("dlogits",),
        forbidden=(nn.MLP.loss_and_grads,),
        hints=(
            "Work out one example first: the loss is minus the log of the true class's "
            "probability; differentiate it through softmax's Jacobian, with the target written "
            "as a one-hot vector.",
            "The loss is a mean over the N examples, so every row is divided by N. The one-hot "
            "vector has as many entries as the logits have columns, even when a class is missing "
            "from the batch.",
            "Large logits overflow the exponential: subtract each row's largest logit first "
            "(it does not change the softmax), or use nn.softmax.",
        ),
        mistakes=(
            slip("batch_mean_missing", _softmax_ce_variant(no_mean=True)),
            Mistake("the target minus the softmax (the sign flipped)", _softmax_ce_variant(flipped=True),
                    nudge="The gradient is the softmax MINUS the one-hot target: it points toward "
                          "higher loss."),
            slip("raw_exponential", _softmax_ce_variant(naive=True)),
            slip("onehot_missing", _softmax_ce_variant(no_onehot=True)),
            Mistake("a softmax over the batch instead of over the classes",
                    _softmax_ce_variant(batch_axis=True),
                    nudge="Each example's softmax runs over its own classes: normalise along the "
                          "rows, not down the batch."),
            Mistake("dividing by N times K instead of N", _softmax_ce_variant(over_nk=True),
                    nudge="The loss averages over the N examples only; the classes of one example "
                          "are summed, not averaged."),
        ),
    ),
    Exercise(
        id="mlp_backward",
        notebook=NOTEBOOK,
        points=3,
        reference=mlp_backward,
        make_cases=_mlp_cases,
        outputs=("dW1", "db1", "dW2", "db2"),
        forbidden=(nn.MLP.loss_and_grads, nn.MLP.loss),
        hints=(
            "Recompute the forward pass, keeping the hidden layer's pre-activation, then go "
            "back through the same steps in reverse order with your own backward functions.",
            "First the loss's gradient with respect to the output logits (already averaged over "
            "the batch), then the second linear layer, then the ReLU (masked by the "
            "pre-activation), then the first linear layer.",
        ),
        mistakes=(
            slip("batch_mean_missing", _mlp_variant(sum_not_mean=True)),
            slip("mask_by_gradient", _mlp_variant(mask_by_dh=True)),
            slip("relu_mask_missing", _mlp_variant(no_mask=True)),
            slip("onehot_missing", _mlp_variant(no_onehot=True)),
            Mistake("leaving the first layer's bias gradient at zero", _mlp_variant(no_db1=True),
                    nudge="The first layer's bias gets a gradient too: the masked hidden gradient "
                          "summed over the batch."),
            slip("wrong_transpose", what="dW2", function=
                    _mlp_variant(transposed_dW2=True)),
            slip("raw_exponential", _mlp_variant(naive=True)),
        ),
    ),    Exercise(
        id="debugged_backward",
        notebook=NOTEBOOK,
        points=2,
        reference=regression_mlp_backward,
        make_cases=_debugged_cases,
        outputs=("dW1", "db1", "dW2", "db2"),
        forbidden=(nn.MLP.loss_and_grads, nn.MLP.loss, nn.mse_backward, mlp_backward),
        hints=(
            "Trust your gradient check, not your eyes: the arrays it flags tell you where to look, "
            "and an error that is the same factor in every array comes from a step they all share.",
            "Two bugs change the numbers: one scales every gradient by the batch size, one is a "
            "weight gradient whose two factors are in the wrong order, which a square matrix does "
            "not reveal by its shape.",
            "After each fix, run the gradient check again: the relative errors of all four arrays "
            "should fall to round-off.",
        ),
        mistakes=(
            Mistake("the buggy function unchanged (the missing 1/N and the transposed dW1)",
                    _debugged_variant(no_mean=True, transposed=True)),
            Mistake("the missing 1/N left in (every gradient N times too large)",
                    _debugged_variant(no_mean=True)),
            Mistake("the transposed dW1 left in", _debugged_variant(transposed=True)),
            Mistake("dividing by N twice", _debugged_variant(mean_twice=True)),
        ),
    ),
    Exercise(
        id="harmless_bug",
        notebook=NOTEBOOK,
        points=1,
        reference=harmless_bug,
        make_cases=lambda rng: [Case("the line of the harmless bug", ()),
                                Case("the reason it is harmless", ()),
                                Case("your answer: (line, reason)", ())],
        judge=_harmless_judge,
        outputs=("(line, reason)",),
        hints=(
            "Fix the bugs one at a time and rerun your gradient check after each: the bug whose fix "
            "changes none of the four relative errors is the harmless one.",
            "Compare the two masks entry by entry on the hidden layer: where can the ReLU's output be "
            "positive while its input is not, or the other way round?",
        ),
        mistakes=(
            Mistake("the line of the missing 1/N (it scales every gradient)",
                    lambda: (BUGGY_LINES["missing 1/N"], "a")),
            Mistake("the line of the transposed dW1 (a square W1 only hides it from the shapes)",
                    lambda: (BUGGY_LINES["transposed dW1"], "a")),
            Mistake("the right line with the kink as the reason (the masks agree at the kink too)",
                    lambda: (BUGGY_LINES["harmless mask h > 0"], "d")),
        ),
    ),
]
