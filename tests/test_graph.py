"""Tests of course_lib.graph: the lecture's forward propagation and simple backpropagation."""

import math

import pytest

from course_lib.graph import Graph, build_worked_example, worked_example_graph
from course_lib.nn import LECTURE_VALUES, worked_example


def test_forward_in_topological_order():
    G = Graph()
    a, b = G.input("a", 2.0), G.input("b", -3.0)
    c = G.mul(a, b, name="c")
    G.add(c, a, name="d")
    assert G.forward() == 2.0 * -3.0 + 2.0
    assert G.u == [2.0, -3.0, -6.0, -4.0]


def test_backward_hand_example_with_fork():
    # L = (a*b + a)^2: a feeds two successors (a fork), so both contributions are summed
    G = Graph()
    a, b = G.input("a", 2.0), G.input("b", -3.0)
    d = G.add(G.mul(a, b), a, name="d")
    G.square(d, name="L")
    g = G.backward()
    # d = -4, dL/dd = -8, dL/da = -8 (b + 1) = 16, dL/db = -8 a = -16
    assert (g["L"], g["d"], g["a"], g["b"]) == (1.0, -8.0, 16.0, -16.0)


def test_same_predecessor_twice():
    G = Graph()
    a = G.input("a", 3.0)
    G.mul(a, a, name="a^2")  # u = a * a, du/da = 2a
    assert G.backward()["a"] == 6.0


def test_backward_matches_finite_differences():
    def build(x, y):
        G = Graph()
        xi, yi = G.input("x", x), G.input("y", y)
        t = G.relu(G.sub(G.mul(xi, yi), yi))
        G.square(G.add(t, xi, yi), name="out")
        return G

    x, y, eps = 1.3, 0.7, 1e-6
    g = build(x, y).backward()
    for name, (dx, dy) in {"x": (eps, 0), "y": (0, eps)}.items():
        numeric = (build(x + dx, y + dy).forward() - build(x - dx, y - dy).forward()) / (2 * eps)
        assert math.isclose(g[name], numeric, rel_tol=1e-7)


@pytest.mark.parametrize("key", list(LECTURE_VALUES))
def test_worked_example_on_the_graph(key):
    assert worked_example_graph()[key] == LECTURE_VALUES[key]


def test_graph_agrees_with_layers_for_other_weights():
    values = {"w2": -0.5, "w4": 2.5, "x1": 0.3, "gold": -1.0}
    graph, layers = worked_example_graph(values), worked_example(values)
    for key in LECTURE_VALUES:
        assert graph[key] == pytest.approx(layers[key], rel=1e-12, abs=1e-12), key


def test_worked_example_forks_and_set_input():
    G = build_worked_example()
    x1 = G.names.index("x1")
    successors = [j for j, preds in enumerate(G.preds) if x1 in preds]
    assert len(successors) == 3  # x1 feeds i1, i2, i3 through w1, w3, w5
    G.set_input("x1", 0.0)  # i = (2, -4, 4), h = (2, 0, 4), o = 6: same output
    assert G.forward() == 9.0
    with pytest.raises(ValueError, match=r"'i1' must be an input node"):
        G.set_input("i1", 1.0)


def test_errors():
    G = Graph()
    a = G.input("a", 1.0)
    with pytest.raises(ValueError, match=r"indices of earlier nodes 0\.\.0.*got 5"):
        G.mul(a, 5)
    with pytest.raises(ValueError, match=r"node names must be unique, got a second 'a'"):
        G.input("a", 2.0)
    with pytest.raises(ValueError, match=r"at least one node"):
        Graph().backward()
