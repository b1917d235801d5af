"""A tiny scalar computational graph: the lecture's two algorithms, exactly as written.

Nodes u(1), ..., u(n) are numbered in topological order (added after their predecessors;
in code indices start at 0). Node i stores a function f(i) of its predecessors' values
P(u(i)) and the partial derivatives of f(i) with respect to each predecessor.

Forward propagation:   for i = 1..n:  A(i) = {u(j) | j in P(u(i))};  u(i) = f(i)(A(i)).
Simple backpropagation: g(n) = 1;  for i = n-1..1:  g(i) = sum_{j : i in P(u(j))} g(j) du(j)/du(i)
so g(i) = du(n)/du(i). A node used by several successors (a fork) sums their contributions.

    G = Graph()
    x, w = G.input("x", 2.0), G.input("w", 3.0)
    p = G.mul(x, w, name="p")
    L = G.square(p, name="L")       # the last node added is u(n)
    G.backward()["x"]               # dL/dx = 2 p w = 36
"""

from course_lib.nn import LECTURE_VALUES, WORKED_EXAMPLE


class Graph:
    """Scalar nodes in topological order; nodes are referred to by their index i."""

    def __init__(self):
        self.names = []  # names[i]: a label for printing
        self.preds = []  # preds[i]: indices of the predecessors P(u(i))
        self.f = []  # f[i](*A) -> value of u(i)
        self.df = []  # df[i](*A) -> tuple of du(i)/du(j) for each j in preds[i]
        self.u = []  # values, filled by forward()
        self.g = []  # g[i] = du(n)/du(i), filled by backward()

    def node(self, name, f, df, *preds):
        """Add u(i) = f(u(preds[0]), u(preds[1]), ...) with partials df(...); return i."""
        for j in preds:
            if not (isinstance(j, int) and 0 <= j < len(self.names)):
                raise ValueError(f"predecessors must be indices of earlier nodes "
                                 f"0..{len(self.names) - 1} (topological order), got {j!r}")
        if name in self.names:
            raise ValueError(f"node names must be unique, got a second {name!r}")
        self.names.append(name)
        self.preds.append(tuple(preds))
        self.f.append(f)
        self.df.append(df)
        return len(self.names) - 1

    def input(self, name, value):
        """A leaf node (input or parameter) holding `value`; set it later with set_input."""
        value = float(value)
        return self.node(name, lambda: value, lambda: ())

    def set_input(self, name, value):
        """Change the value of the input node called `name`."""
        i = self.names.index(name)
        if self.preds[i]:
            raise ValueError(f"{name!r} must be an input node, got a node with predecessors")
        value = float(value)
        self.f[i] = lambda: value

    def _name(self, name, template, *preds):
        """`name`, or a label like "a*b" from `template` (made unique by the node's index)."""
        if name is not None:
            return name
        known = range(len(self.names))
        default = template.format(*[self.names[j] if j in known else "?" for j in preds])
        return default if default not in self.names else f"{default}#{len(self.names)}"

    # a few node types: value and partial derivatives
    def add(self, *preds, name=None):
        """u = sum_k a_k;   du/da_k = 1."""
        return self.node(self._name(name, "+".join(["{}"] * len(preds)), *preds),
                         lambda *a: sum(a), lambda *a: (1.0,) * len(a), *preds)

    def mul(self, a, b, name=None):
        """u = a b;   du/da = b,  du/db = a."""
        return self.node(self._name(name, "{}*{}", a, b),
                         lambda x, y: x * y, lambda x, y: (y, x), a, b)

    def sub(self, a, b, name=None):
        """u = a - b;   du/da = 1,  du/db = -1."""
        return self.node(self._name(name, "{}-{}", a, b),
                         lambda x, y: x - y, lambda x, y: (1.0, -1.0), a, b)

    def square(self, a, name=None):
        """u = a^2;   du/da = 2a."""
        return self.node(self._name(name, "({})^2", a),
                         lambda x: x * x, lambda x: (2.0 * x,), a)

    def relu(self, a, name=None):
        """u = max(0, a);   du/da = 1 if a > 0 else 0 (0 at a = 0, see nn.relu_backward)."""
        return self.node(self._name(name, "relu({})", a),
                         lambda x: max(0.0, x), lambda x: (1.0 if x > 0 else 0.0,), a)

    # the lecture's two algorithms
    def forward(self):
        """Forward propagation: u(i) = f(i)(A(i)) for i = 1..n; returns u(n)."""
        self.u = []
        for i in range(len(self.names)):
            A = [self.u[j] for j in self.preds[i]]
            self.u.append(float(self.f[i](*A)))
        return self.u[-1]

    def backward(self):
        """Simple variant of backpropagation; returns {name: g(i) = du(n)/du(i)}."""
        if not self.names:
            raise ValueError("the graph must have at least one node, got an empty graph")
        self.forward()
        n = len(self.names)
        self.g = [0.0] * n
        self.g[n - 1] = 1.0
        for i in range(n - 2, -1, -1):
            total = 0.0
            for j in range(i + 1, n):  # successors come later in topological order
                if i in self.preds[j]:
                    partials = self.df[j](*[self.u[k] for k in self.preds[j]])
                    # if i appears twice in P(u(j)) (e.g. u = a*a) both positions count
                    for k, p in zip(self.preds[j], partials, strict=True):
                        if k == i:
                            total += self.g[j] * p
            self.g[i] = total
        return dict(zip(self.names, self.g, strict=True))


def build_worked_example(values=None):
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
    return G


def worked_example_graph(values=None):
    """Values and derivatives of the worked example computed on the graph, with the keys of
    nn.LECTURE_VALUES ("i1", ..., "L", "dL/do", "dL/dw1", ..., "dL/dx2")."""
    G = build_worked_example(values)
    g = G.backward()
    u = dict(zip(G.names, G.u, strict=True))
    return {key: (g[key[4:]] if key.startswith("dL/d") else u[key]) for key in LECTURE_VALUES}
