"""A scalar computational graph as plain data, and the lecture's two algorithms over it.

A graph is a list of nodes u(1), ..., u(n) in topological order: every node comes after all of
its predecessors, and the last node is the output u(n). In code the lecture's u(i) is
``nodes[i - 1]`` (indices start at 0). Each node is a dict:

    {"name": "x1", "op": "input", "value": 1.0, "parents": []}     an input (or parameter)
    {"name": "p",  "op": "mul", "parents": [0, 1]}                 u = u(parent 0) * u(parent 1)

``parents`` lists the indices of the predecessors P(u(i)), in the order the operation takes
its arguments; a node may list the same parent twice (u = a * a). ``op`` is one of OPS.
Plain lists and dicts, so a graph can be printed, saved as JSON and sent to another process.

Forward propagation:    for i = 1..n:  A(i) = {u(j) | j in P(u(i))};  u(i) = f(i)(A(i)).
Simple backpropagation: g(n) = 1;  for i = n-1..1:  g(i) = sum_{j : i in P(u(j))} g(j) du(j)/du(i),
so g(i) = du(n)/du(i); a node with several successors (a fork) sums their contributions.

Each node's own function f(i) and its local derivatives du(i)/da_k are given by
``node_value(node, A)`` and ``node_partials(node, A)`` (A = the parents' values, in order).

    G = Graph()
    x, w = G.input("x", 2.0), G.input("w", 3.0)
    p = G.mul(x, w, name="p")
    G.square(p, name="L")                     # the last node added is u(n)
    u = forward_propagation(G.nodes)          # [2.0, 3.0, 6.0, 36.0]
    g = backpropagation(G.nodes, u)           # dL/dx = 2 p w = 36: g[0] == 36.0
"""

import math
from collections.abc import Callable
from typing import NamedTuple

from course_lib.nn import LECTURE_VALUES, WORKED_EXAMPLE


def _sigmoid(a):
    """sigma(a) = 1 / (1 + exp(-a)), without overflow for large |a|."""
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


class Op(NamedTuple):
    """One node type: arity (its number of parents; None for "one or more"), f(A) its value from
    the parents' values A, partials(A) = (du/da_1, du/da_2, ...) its local derivatives."""

    arity: int | None
    f: Callable | None
    partials: Callable | None


OPS = {
    "input": Op(0, None, None),                                # u = the node's "value"
    "add": Op(None, lambda A: sum(A), lambda A: (1.0,) * len(A)),           # u = a_1 + ... + a_k
    "sub": Op(2, lambda A: A[0] - A[1], lambda A: (1.0, -1.0)),             # u = a - b
    "mul": Op(2, lambda A: A[0] * A[1], lambda A: (A[1], A[0])),            # u = a b
    "square": Op(1, lambda A: A[0] * A[0], lambda A: (2.0 * A[0],)),        # u = a^2
    "relu": Op(1, lambda A: max(0.0, A[0]),                                 # u = max(0, a); slope 0
               lambda A: (1.0 if A[0] > 0 else 0.0,)),                      #   at a = 0 (nn.relu_backward)
    "sigmoid": Op(1, lambda A: _sigmoid(A[0]),                              # u = sigma(a)
                  lambda A: (_sigmoid(A[0]) * (1.0 - _sigmoid(A[0])),)),    #   du/da = sigma (1 - sigma)
    "tanh": Op(1, lambda A: math.tanh(A[0]), lambda A: (1.0 - math.tanh(A[0]) ** 2,)),  # 1 - tanh^2
}
"""Every node type: its number of parents, its function f and its local partial derivatives."""


def node_value(node, A):
    """f(i)(A(i)): the value of `node` given the values A of its parents, in order."""
    if node["op"] == "input":
        return float(node["value"])
    return float(OPS[node["op"]].f(list(A)))


def node_partials(node, A):
    """(du/da_1, ..., du/da_k): the local derivatives of `node` with respect to each of its
    parents (in the order of node["parents"]), at the parents' values A. () for an input."""
    if node["op"] == "input":
        return ()
    return tuple(float(p) for p in OPS[node["op"]].partials(list(A)))


def check_graph(nodes):
    """Raise ValueError unless `nodes` is a graph as described in the module docstring."""
    if not isinstance(nodes, list) or not nodes:
        raise ValueError(f"a graph is a non-empty list of nodes, got {type(nodes).__name__} "
                         f"of length {len(nodes) if hasattr(nodes, '__len__') else '?'}")
    names = set()
    for i, node in enumerate(nodes):
        where = f"node {i} ({node.get('name', '?')!r})" if isinstance(node, dict) else f"node {i}"
        if not isinstance(node, dict) or node.get("op") not in OPS:
            raise ValueError(f"{where} must be a dict whose 'op' is one of {sorted(OPS)}, got {node!r}")
        parents = node.get("parents", [])
        if not all(isinstance(j, int) and 0 <= j < i for j in parents):
            raise ValueError(f"{where}: parents must be indices of earlier nodes 0..{i - 1} "
                             f"(topological order), got {parents!r}")
        arity = OPS[node["op"]].arity
        if (arity is None and not parents) or (arity is not None and len(parents) != arity):
            wanted = "at least 1" if arity is None else arity
            raise ValueError(f"{where}: op {node['op']!r} takes {wanted} parents, got {len(parents)}")
        if node["op"] == "input" and not isinstance(node.get("value"), (int, float)):
            raise ValueError(f"{where}: an input node needs a number 'value', got {node.get('value')!r}")
        if node.get("name") in names:
            raise ValueError(f"node names must be unique, got a second {node.get('name')!r}")
        names.add(node.get("name"))


# --------------------------------------------------------------------------------------------
# the lecture's two algorithms (the references of the exercises forward_propagation and
# backpropagation in 05_backpropagation)


def forward_propagation(nodes):
    """Forward propagation: for i = 1..n, A(i) = values of P(u(i)), u(i) = f(i)(A(i)).

    Returns the list of every value [u(1), ..., u(n)] (the lecture returns u(n), the last one;
    backpropagation needs them all). Shapes: nodes (n nodes) -> list of n floats.
    """
    check_graph(nodes)
    u = []
    for node in nodes:
        A = [u[j] for j in node.get("parents", [])]
        u.append(node_value(node, A))
    return u


def backpropagation(nodes, u):
    """The simple variant of backpropagation: g(n) = 1, then for i = n-1..1
    g(i) = sum over the successors j of i (i in P(u(j))) of g(j) du(j)/du(i).

    `u` holds the values from forward propagation (the algorithm's first step). A parent listed
    twice by one successor (u = a * a) contributes once per position. Returns the list
    [g(1), ..., g(n)] with g(i) = du(n)/du(i); nodes that do not lead to u(n) get 0.
    Shapes: nodes (n nodes), u (n floats) -> list of n floats.
    """
    check_graph(nodes)
    if len(u) != len(nodes):
        raise ValueError(f"u must hold one value per node ({len(nodes)}), got {len(u)}")
    # each edge once: successors[i] lists (g's index j, du(j)/du(i)) for every position where u(j)
    # takes u(i) as an argument; the sweep is then linear in the number of edges
    successors = [[] for _ in nodes]
    for j, node in enumerate(nodes):
        parents = node.get("parents", [])
        for i, partial in zip(parents, node_partials(node, [u[k] for k in parents]), strict=True):
            successors[i].append((j, partial))
    n = len(nodes)
    g = [0.0] * n
    g[n - 1] = 1.0
    for i in range(n - 2, -1, -1):
        g[i] = sum((g[j] * partial for j, partial in successors[i]), 0.0)
    return g


# --------------------------------------------------------------------------------------------
# building graphs


class Graph:
    """Builds the plain-data list `nodes` one node at a time; every method returns the new
    node's index. Names default to a label like "a*b"."""

    def __init__(self):
        self.nodes = []

    def _add(self, op, parents, name, label):
        if name is None:
            known = [self.nodes[j]["name"] if isinstance(j, int) and 0 <= j < len(self.nodes)
                     else "?" for j in parents]
            name = label.format(*known)
            if any(node["name"] == name for node in self.nodes):
                name = f"{name}#{len(self.nodes)}"
        node = {"name": name, "op": op, "parents": list(parents)}
        check_graph(self.nodes + [node])
        self.nodes.append(node)
        return len(self.nodes) - 1

    def input(self, name, value):
        """An input or parameter node holding the number `value`."""
        node = {"name": name, "op": "input", "value": float(value), "parents": []}
        check_graph(self.nodes + [node])
        self.nodes.append(node)
        return len(self.nodes) - 1

    def add(self, *parents, name=None):
        """u = a_1 + ... + a_k."""
        return self._add("add", parents, name, "+".join(["{}"] * len(parents)))

    def sub(self, a, b, name=None):
        """u = a - b."""
        return self._add("sub", (a, b), name, "{}-{}")

    def mul(self, a, b, name=None):
        """u = a b."""
        return self._add("mul", (a, b), name, "{}*{}")

    def square(self, a, name=None):
        """u = a^2."""
        return self._add("square", (a,), name, "({})^2")

    def relu(self, a, name=None):
        """u = max(0, a)."""
        return self._add("relu", (a,), name, "relu({})")

    def sigmoid(self, a, name=None):
        """u = sigma(a)."""
        return self._add("sigmoid", (a,), name, "sigmoid({})")

    def tanh(self, a, name=None):
        """u = tanh(a)."""
        return self._add("tanh", (a,), name, "tanh({})")


def worked_example_nodes(values=None):
    """The lecture's backpropagation example as a graph whose last node is L = (o - gold)^2.

    i_k = w x1 + w' x2 (w1, w3, w5 leave x1; w2, w4, w6 leave x2), h_k = relu(i_k),
    o = w7 h1 + w8 h2 + w9 h3. Inputs default to nn.WORKED_EXAMPLE, overridden by `values`.
    """
    v = {**WORKED_EXAMPLE, **(values or {})}
    G = Graph()
    node = {name: G.input(name, v[name]) for name in WORKED_EXAMPLE}
    x1, x2 = node["x1"], node["x2"]
    h = []
    for k in range(1, 4):  # hidden unit k gets w_{2k-1} from x1 and w_{2k} from x2
        i_k = G.add(G.mul(node[f"w{2 * k - 1}"], x1), G.mul(node[f"w{2 * k}"], x2), name=f"i{k}")
        h.append(G.relu(i_k, name=f"h{k}"))
    o = G.add(*[G.mul(node[f"w{k + 7}"], h[k]) for k in range(3)], name="o")
    G.square(G.sub(o, node["gold"], name="o-gold"), name="L")
    return G.nodes


def worked_example_graph(values=None, forward=forward_propagation, backward=backpropagation):
    """Values and derivatives of the worked example computed on its graph by `forward` and
    `backward` (by default the references above; pass your own to see them at work), with the
    keys of nn.LECTURE_VALUES ("i1", ..., "L", "dL/do", "dL/dw1", ..., "dL/dx2")."""
    nodes = worked_example_nodes(values)
    u = forward(nodes)
    g = backward(nodes, u)
    index = {node["name"]: i for i, node in enumerate(nodes)}
    return {key: float(g[index[key[4:]]] if key.startswith("dL/d") else u[index[key]])
            for key in LECTURE_VALUES}
