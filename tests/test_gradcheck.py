"""Tests of course_lib.gradcheck: the finite differences themselves and the error measure."""

import numpy as np
import pytest

from course_lib.gradcheck import (
    check_gradient,
    check_loss_and_grads,
    gradient_check,
    numerical_gradient,
    numerical_gradient_array,
    relative_error,
)
from course_lib.grading import wire
from course_lib.nn import MLP
from course_lib.testfunctions import TEST_FUNCTIONS


def test_numerical_gradient_of_known_functions():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    # f = sum x^3 has gradient 3 x^2; central differences are exact up to O(eps^2) terms
    np.testing.assert_allclose(numerical_gradient(lambda x: np.sum(x**3), x), 3 * x**2, rtol=1e-8)
    assert np.array_equal(x, [[1.0, -2.0], [0.5, 3.0]])  # restored after perturbation


def test_numerical_gradient_of_a_list():
    a, b = np.array([1.0, 2.0]), np.array([[3.0]])
    ga, gb = numerical_gradient(lambda ab: np.sum(ab[0] * ab[0]) * ab[1][0, 0], [a, b])
    np.testing.assert_allclose(ga, 2 * a * 3.0, rtol=1e-8)
    np.testing.assert_allclose(gb, [[5.0]], rtol=1e-8)


def test_numerical_gradient_array_is_a_vector_jacobian_product():
    x = np.array([0.3, -1.2, 2.0])
    dout = np.array([1.0, 2.0, -1.0])
    # d/dx sum(sin(x) * dout) = cos(x) * dout
    numeric = numerical_gradient_array(np.sin, x, dout)
    np.testing.assert_allclose(numeric, np.cos(x) * dout, rtol=1e-8)


def test_gradient_check_definition():
    a, n = np.array([1.0, -2.0]), np.array([1.0, -2.5])
    assert gradient_check(a, n) == 0.5 / 4.5  # max|a - n| / max(|a| + |n|)
    assert gradient_check([a, np.zeros(1)], [a, np.zeros(1)]) == 0.0
    assert gradient_check(np.zeros(3), np.zeros(3)) == 0.0  # tiny avoids 0/0
    assert gradient_check(2.0, 2.0) == 0.0
    # one large entry sets the scale: a wrong tiny entry barely counts (unlike cs231n's
    # entry-by-entry ratio, which would say 1/3 here)
    assert gradient_check(np.array([1000.0, 1e-3]), np.array([1000.0, 2e-3])) == 1e-3 / 2000
    assert relative_error is gradient_check


def test_the_named_test_functions_and_their_gradients():
    x = np.array([[0.5, -1.0], [2.0, 0.0]])
    np.testing.assert_allclose(numerical_gradient(TEST_FUNCTIONS["sum of cubes"], x), 3 * x**2, rtol=1e-8)
    row = np.array([1.0, 2.0, 3.0])
    softmax = np.exp(row) / np.exp(row).sum()
    np.testing.assert_allclose(numerical_gradient(TEST_FUNCTIONS["log-sum-exp"], row), softmax, rtol=1e-8)
    A, B = np.array([[1.0, 2.0]]), np.array([[3.0], [-1.0]])
    gA, gB = numerical_gradient(TEST_FUNCTIONS["squared product"], [A, B])
    # f = (A B)^2 = (3 - 2)^2: df/dA = 2 (A B) B^T, df/dB = 2 A^T (A B)
    np.testing.assert_allclose(gA, 2 * (A @ B) @ B.T, rtol=1e-8)
    np.testing.assert_allclose(gB, 2 * A.T @ (A @ B), rtol=1e-8)
    z = np.array([[1.0, 0.0, -1.0], [0.0, 2.0, 1.0]])
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    target = np.eye(3)[[0, 1]]  # labels n mod K = 0, 1
    np.testing.assert_allclose(numerical_gradient(TEST_FUNCTIONS["softmax cross-entropy"], z),
                               (p - target) / 2, rtol=1e-7)
    assert TEST_FUNCTIONS["sum of cubes"](row) == 36.0
    W = np.array([[0.5, -1.0], [2.0, 3.0]])       # f reads W through a closure: 2 W when x is W itself
    np.testing.assert_allclose(numerical_gradient(TEST_FUNCTIONS["sum of squares through a closure"], W),
                               2 * W, rtol=1e-8)
    assert set(TEST_FUNCTIONS) == {"sum of cubes", "log-sum-exp", "softmax cross-entropy", "squared product",
                                   "sum of squares through a closure"}


def test_a_named_test_function_crosses_the_wire_by_name_and_nothing_else_does():
    """The grader sends the numerical_gradient exercise's f to its sandbox as a name; the other
    side gets the very same function back. Any other function stays unreadable."""
    for name, f in TEST_FUNCTIONS.items():
        text = wire.dumps((f, np.zeros(2)))
        assert name in text and "def" not in text
        assert wire.loads(text)[0] is f
    assert isinstance(wire.loads(wire.dumps(lambda x: x)), wire.Unreadable)
    with pytest.raises(ValueError, match="unknown test function"):
        wire.loads('{"__function__": "os.system"}')


def test_check_gradient_detects_a_wrong_gradient():
    x = np.array([1.0, 2.0, 3.0])
    assert check_gradient(lambda x: np.sum(x**2), x, 2 * x) < 1e-9
    assert check_gradient(lambda x: np.sum(x**2), x, x) > 0.1  # forgot the factor 2


def test_check_loss_and_grads_detects_a_bug():
    rng = np.random.default_rng(0)
    net = MLP([2, 4, 1], activation="tanh", seed=0)
    X, Y = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    err, errors = check_loss_and_grads(lambda params: net.loss_and_grads(X, Y), net.params)
    assert err < 1e-6 and len(errors) == 4

    def buggy(params):  # half the correct gradient of W1, as if MSE had a 1/2 factor
        loss, grads = net.loss_and_grads(X, Y)
        return loss, [grads[0] / 2] + grads[1:]

    err, errors = check_loss_and_grads(buggy, net.params)
    assert errors[0] > 0.1 and max(errors[1:]) < 1e-6 and err == errors[0]


def test_errors():
    with pytest.raises(ValueError, match=r"dtype float64.*int64"):
        numerical_gradient(lambda x: 0.0, np.array([1, 2]))
    with pytest.raises(ValueError, match=r"numpy array or a list of numpy arrays, got float"):
        numerical_gradient(lambda x: 0.0, 1.0)
    with pytest.raises(ValueError, match=r"gradient 0 must have shape \(2,\), got \(3,\)"):
        relative_error(np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match=r"expected 2 analytic gradients, got 1"):
        relative_error([np.zeros(2)], [np.zeros(2), np.zeros(1)])
    x = np.zeros(2)
    with pytest.raises(ValueError, match=r"dout must have the shape of f\(x\) \(2,\)"):
        numerical_gradient_array(lambda x: x * 2, x, np.ones(3))
