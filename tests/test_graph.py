"""Tests of course_lib.graph: the plain-data scalar graph and the lecture's forward propagation
and simple backpropagation over it."""

import json
import math

import numpy as np
import pytest

from course_lib.graph import (
    OPS,
    Graph,
    backpropagation,
    check_graph,
    forward_propagation,
    node_partials,
    node_value,
    worked_example_graph,
    worked_example_nodes,
)
from course_lib.nn import LECTURE_VALUES, worked_example


def test_a_graph_is_plain_data():
    nodes = worked_example_nodes()
    assert json.loads(json.dumps(nodes)) == nodes
    assert all(set(node) >= {"name", "op", "parents"} for node in nodes)


def test_forward_in_topological_order():
    G = Graph()
    a, b = G.input("a", 2.0), G.input("b", -3.0)
    c = G.mul(a, b, name="c")
    G.add(c, a, name="d")
    assert forward_propagation(G.nodes) == [2.0, -3.0, -6.0, -4.0]


def test_sub_takes_its_parents_in_order():
    G = Graph()
    a, b = G.input("a", 5.0), G.input("b", 2.0)
    G.sub(b, a, name="b-a")
    assert forward_propagation(G.nodes)[-1] == -3.0
    assert node_partials(G.nodes[-1], [2.0, 5.0]) == (1.0, -1.0)


def test_backward_hand_example_with_fork():
    # L = (a*b + a)^2: a feeds two successors (a fork), so both contributions are summed
    G = Graph()
    a, b = G.input("a", 2.0), G.input("b", -3.0)
    d = G.add(G.mul(a, b), a, name="d")
    G.square(d, name="L")
    g = backpropagation(G.nodes, forward_propagation(G.nodes))
    # d = -4, dL/dd = -8, dL/da = -8 (b + 1) = 16, dL/db = -8 a = -16
    assert (g[-1], g[d], g[a], g[b]) == (1.0, -8.0, 16.0, -16.0)


def test_same_predecessor_twice():
    G = Graph()
    a = G.input("a", 3.0)
    G.mul(a, a, name="a^2")  # u = a * a, du/da = 2a
    assert backpropagation(G.nodes, forward_propagation(G.nodes))[a] == 6.0


def test_nodes_that_do_not_reach_the_output_get_zero():
    G = Graph()
    x, unused = G.input("x", 1.0), G.input("unused", 2.0)
    G.tanh(unused, name="dead end")
    G.square(x, name="out")
    assert backpropagation(G.nodes, forward_propagation(G.nodes)) == [2.0, 0.0, 0.0, 1.0]


@pytest.mark.parametrize("op", [op for op in OPS if op != "input"])
def test_every_op_partials_match_finite_differences(op):
    arity = OPS[op][0] or 3
    A = [0.7, -1.3, 0.4][:arity]
    node = {"name": "u", "op": op, "parents": list(range(arity))}
    eps = 1e-6
    for k, partial in enumerate(node_partials(node, A)):
        up, down = list(A), list(A)
        up[k] += eps
        down[k] -= eps
        numeric = (node_value(node, up) - node_value(node, down)) / (2 * eps)
        assert math.isclose(partial, numeric, rel_tol=1e-7, abs_tol=1e-9), (op, k)


def test_backward_matches_finite_differences_on_random_graphs():
    from course_lib.exercises.nb05_backpropagation import _random_graph

    rng = np.random.default_rng(5)
    for _ in range(10):
        nodes = _random_graph(rng, 3, 8)
        g = backpropagation(nodes, forward_propagation(nodes))
        for i, node in enumerate(nodes):
            if node["op"] != "input":
                continue
            up = [dict(n, value=n["value"] + 1e-6) if j == i else n for j, n in enumerate(nodes)]
            down = [dict(n, value=n["value"] - 1e-6) if j == i else n for j, n in enumerate(nodes)]
            numeric = (forward_propagation(up)[-1] - forward_propagation(down)[-1]) / 2e-6
            assert math.isclose(g[i], numeric, rel_tol=1e-6, abs_tol=1e-8), (i, nodes)


@pytest.mark.parametrize("key", list(LECTURE_VALUES))
def test_worked_example_on_the_graph(key):
    assert worked_example_graph()[key] == LECTURE_VALUES[key]


def test_graph_agrees_with_layers_for_other_weights():
    values = {"w2": -0.5, "w4": 2.5, "x1": 0.3, "gold": -1.0}
    graph, layers = worked_example_graph(values), worked_example(values)
    for key in LECTURE_VALUES:
        assert graph[key] == pytest.approx(layers[key], rel=1e-12, abs=1e-12), key


def test_worked_example_forks():
    nodes = worked_example_nodes()
    x1 = [node["name"] for node in nodes].index("x1")
    successors = [j for j, node in enumerate(nodes) if x1 in node["parents"]]
    assert len(successors) == 3  # x1 feeds i1, i2, i3 through w1, w3, w5
    assert len(nodes) == 30


def test_worked_example_graph_runs_the_functions_it_is_given():
    calls = []

    def forward(nodes):
        calls.append("forward")
        return forward_propagation(nodes)

    def backward(nodes, u):
        calls.append("backward")
        return [0.0] * len(nodes)

    result = worked_example_graph(forward=forward, backward=backward)
    assert calls == ["forward", "backward"] and result["dL/dx2"] == 0.0 and result["o"] == 6.0


def test_errors():
    G = Graph()
    a = G.input("a", 1.0)
    with pytest.raises(ValueError, match=r"indices of earlier nodes 0\.\.0.*got \[0, 5\]"):
        G.mul(a, 5)
    with pytest.raises(ValueError, match=r"node names must be unique, got a second 'a'"):
        G.input("a", 2.0)
    with pytest.raises(ValueError, match=r"non-empty list of nodes"):
        forward_propagation([])
    with pytest.raises(ValueError, match=r"op 'sub' takes 2 parents, got 1"):
        check_graph([{"name": "a", "op": "input", "value": 1.0, "parents": []},
                     {"name": "b", "op": "sub", "parents": [0]}])
    with pytest.raises(ValueError, match=r"'op' is one of"):
        check_graph([{"name": "a", "op": "exp", "parents": []}])
    with pytest.raises(ValueError, match=r"needs a number 'value'"):
        check_graph([{"name": "a", "op": "input", "parents": []}])
    with pytest.raises(ValueError, match=r"u must hold one value per node \(1\), got 2"):
        backpropagation(G.nodes, [1.0, 2.0])


def test_backpropagation_visits_each_edge_once(monkeypatch):
    """The sweep is linear in the edges: each node's local partials are computed once (not once
    per parent), and a wide graph of 2,000 inputs into one sum takes 2,000 edge visits."""
    from course_lib import graph

    G = graph.Graph()
    xs = [G.input(f"x{i}", float(i)) for i in range(2000)]
    total = G.add(*xs, name="s")
    G.square(total, name="L")
    calls = []
    original = graph.node_partials
    monkeypatch.setattr(graph, "node_partials",
                        lambda node, A: calls.append(node["name"]) or original(node, A))
    u = graph.forward_propagation(G.nodes)
    g = graph.backpropagation(G.nodes, u)
    assert sorted(calls) == sorted(node["name"] for node in G.nodes)   # once per node
    s = sum(range(2000))
    assert g[:3] == [2.0 * s] * 3 and g[-1] == 1.0
