"""Tests of course_lib.nn: every layer and loss against finite differences and hand values,
the MLP interface, input validation, and the lecture's worked backpropagation example."""

import numpy as np
import pytest

from course_lib import nn
from course_lib.gradcheck import (
    check_loss_and_grads,
    numerical_gradient,
    numerical_gradient_array,
    relative_error,
)

TOL = 1e-6


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


# ------------------------------------------------------------------ layers: gradient checks


def test_linear_forward_hand_value():
    x = np.array([[1.0, 2.0]])
    W = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.5]])
    b = np.array([0.5, 0.0, -0.5])
    np.testing.assert_array_equal(nn.linear_forward(x, W, b), [[5.5, 2.0, -0.5]])


def test_linear_backward_gradcheck(rng):
    x, W, b = rng.normal(size=(5, 3)), rng.normal(size=(3, 4)), rng.normal(size=4)
    dh = rng.normal(size=(5, 4))
    analytic = nn.linear_backward(dh, x, W)
    numerical = numerical_gradient_array(lambda _: nn.linear_forward(x, W, b), [x, W, b], dh)
    for a, n in zip(analytic, numerical, strict=True):
        assert relative_error(a, n) < TOL


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh"])
def test_activation_backward_gradcheck(rng, name):
    forward, backward = nn.ACTIVATIONS[name]
    z = rng.normal(size=(4, 5))
    z[np.abs(z) < 1e-3] = 0.5  # keep ReLU's kink away from the finite differences
    dh = rng.normal(size=z.shape)
    numerical = numerical_gradient_array(forward, z, dh)
    assert relative_error(backward(dh, z), numerical) < TOL


def test_activation_hand_values():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(nn.relu_forward(z), [0.0, 0.0, 3.0])
    np.testing.assert_allclose(nn.sigmoid_forward(z), 1 / (1 + np.exp(-z)), rtol=1e-15)
    np.testing.assert_allclose(nn.tanh_forward(z), np.tanh(z))
    # derivatives from the lecture: sigma(1 - sigma), 1 - tanh^2
    ones = np.ones(3)
    s = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(nn.sigmoid_backward(ones, z), s * (1 - s), rtol=1e-14)
    np.testing.assert_allclose(nn.tanh_backward(ones, z), 1 - np.tanh(z) ** 2, rtol=1e-14)
    assert nn.sigmoid_backward(ones, z)[1] == 0.25  # sigma(0) (1 - sigma(0)) = 1/4


def test_relu_derivative_conventions():
    z = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(nn.relu_backward(np.ones(3), z), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(nn.relu_derivative(z), [0.0, 0.0, 1.0])
    lecture = nn.relu_derivative(z, at_zero=np.nan)  # the lecture's convention
    assert lecture[0] == 0.0 and np.isnan(lecture[1]) and lecture[2] == 1.0
    assert "0" in nn.relu_backward.__doc__ and "NaN" in nn.relu_backward.__doc__


def test_sigmoid_is_stable_for_huge_inputs():
    z = np.array([-1000.0, -40.0, 40.0, 1000.0])
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # overflow raises; underflow is fine
        s = nn.sigmoid_forward(z)
        d = nn.sigmoid_backward(np.ones(4), z)
    assert s[0] == 0.0 and s[3] == 1.0
    np.testing.assert_allclose(s[1], np.exp(-40.0) / (1 + np.exp(-40.0)), rtol=1e-14)
    assert np.all(np.isfinite(d))


# ------------------------------------------------------------------ losses


def test_mse_hand_value_and_no_half_factor():
    o = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = np.array([[0.0, 2.0], [5.0, 4.0]])
    assert nn.mse_loss(o, y) == (1 + 0 + 4 + 0) / 4
    np.testing.assert_array_equal(nn.mse_backward(o, y), 2 * (o - y) / 4)


def test_mse_backward_gradcheck(rng):
    o, y = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    numerical = numerical_gradient(lambda o: nn.mse_loss(o, y), o)
    assert relative_error(nn.mse_backward(o, y), numerical) < TOL


def test_softmax_stable_and_sums_to_one():
    logits = np.array([[1000.0, 1000.0, -1000.0], [1.0, 2.0, 3.0]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        p = nn.softmax(logits)
    np.testing.assert_allclose(p[0], [0.5, 0.5, 0.0])
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(p[1], e / e.sum(), rtol=1e-15)


def test_softmax_cross_entropy_hand_value():
    # two equal logits: p = 1/2 for the label, loss = log 2; uniform over 4 classes: log 4
    logits = np.array([[0.0, 0.0], [5.0, 5.0]])
    assert nn.softmax_cross_entropy(logits, np.array([0, 1])) == pytest.approx(np.log(2))
    assert nn.softmax_cross_entropy(np.zeros((1, 4)), [3]) == pytest.approx(np.log(4))
    # huge logits: -log softmax = 2000 exactly, no overflow
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        loss = nn.softmax_cross_entropy(np.array([[1000.0, -1000.0]]), np.array([1]))
    assert loss == pytest.approx(2000.0)


def test_softmax_cross_entropy_backward_gradcheck(rng):
    logits = rng.normal(size=(7, 4)) * 3
    y = rng.integers(0, 4, size=7)
    numerical = numerical_gradient(lambda z: nn.softmax_cross_entropy(z, y), logits)
    assert relative_error(nn.softmax_cross_entropy_backward(logits, y), numerical) < TOL


def test_gaussian_nll_formula_and_gradient(rng):
    y, mu = rng.normal(size=10), rng.normal(size=10)
    sigma = 0.7
    expected = np.mean(-np.log(np.exp(-(y - mu) ** 2 / (2 * sigma**2))
                               / np.sqrt(2 * np.pi * sigma**2)))
    assert nn.gaussian_nll(y, mu, sigma) == pytest.approx(expected, rel=1e-13)
    numerical = numerical_gradient(lambda mu: nn.gaussian_nll(y, mu, sigma), mu)
    assert relative_error(nn.gaussian_nll_backward(y, mu, sigma), numerical) < TOL
    # lecture: NLL with fixed sigma = MSE / (2 sigma^2) + constant
    const = 0.5 * np.log(2 * np.pi * sigma**2)
    assert nn.gaussian_nll(y, mu, sigma) == pytest.approx(
        nn.mse_loss(mu, y) / (2 * sigma**2) + const, rel=1e-13)


def test_entropy_cross_entropy_kl_hand_values():
    assert nn.entropy([0.5, 0.5]) == pytest.approx(np.log(2))
    assert nn.entropy([1.0, 0.0, 0.0]) == 0.0  # 0 log 0 = 0
    assert nn.entropy(np.full(4, 0.25)) == pytest.approx(np.log(4))
    p, q = np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.25, 0.5])
    assert nn.cross_entropy(p, q) == pytest.approx(np.log(4))
    assert nn.kl_divergence(p, q) == pytest.approx(np.log(4) - np.log(2))
    assert nn.kl_divergence(q, q) == 0.0
    assert nn.kl_divergence([1.0, 0.0], [0.0, 1.0]) == np.inf
    assert nn.cross_entropy([1.0, 0.0], [0.0, 1.0]) == np.inf


def test_kl_identity_and_batches(rng):
    p = rng.dirichlet(np.ones(5), size=3)
    q = rng.dirichlet(np.ones(5), size=3)
    kl = nn.kl_divergence(p, q)
    assert kl.shape == (3,) and np.all(kl > 0)
    np.testing.assert_allclose(kl, nn.cross_entropy(p, q) - nn.entropy(p), rtol=1e-12)


# ------------------------------------------------------------------ MLP


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_mlp_gradcheck(rng, activation, loss):
    net = nn.MLP([3, 5, 4, 3], activation=activation, seed=2)
    for p in net.params[1::2]:  # non-zero biases so their gradients are tested too
        p[...] = rng.normal(size=p.shape) * 0.1
    X = rng.normal(size=(6, 3))
    Y = rng.normal(size=(6, 3)) if loss == "mse" else rng.integers(0, 3, size=6)
    err, errors = check_loss_and_grads(lambda params: net.loss_and_grads(X, Y, loss=loss), net.params)
    assert len(errors) == 6
    assert err < TOL


def test_mlp_interface_shapes_and_seed():
    net = nn.MLP([4, 8, 3], activation="tanh", seed=0)
    assert [p.shape for p in net.params] == [(4, 8), (8,), (8, 3), (3,)]
    assert all(p.dtype == np.float64 for p in net.params)
    assert np.all(net.params[1] == 0) and np.all(net.params[3] == 0)
    assert np.array_equal(net.params[0], nn.MLP([4, 8, 3], "tanh", seed=0).params[0])
    assert not np.array_equal(net.params[0], nn.MLP([4, 8, 3], "tanh", seed=1).params[0])
    X = np.ones((5, 4))
    assert net.predict(X).shape == (5, 3)
    loss, grads = net.loss_and_grads(X, np.zeros((5, 3)))
    assert isinstance(loss, float)
    assert [g.shape for g in grads] == [p.shape for p in net.params]


def test_mlp_init_scales():
    # He for ReLU hidden layers: Var W = 2/fan_in; Xavier elsewhere: 2/(fan_in + fan_out)
    # (sampling error of a variance from 20,000+ values: about 1%)
    relu = nn.MLP([400, 200, 100], activation="relu", seed=0)
    tanh = nn.MLP([400, 200, 100], activation="tanh", seed=0)
    assert relu.params[0].var() == pytest.approx(2 / 400, rel=0.03)
    assert tanh.params[0].var() == pytest.approx(2 / 600, rel=0.03)
    assert relu.params[2].var() == pytest.approx(2 / 300, rel=0.05)  # linear output: Xavier


def test_mlp_forward_matches_layers_and_inplace_update(rng):
    net = nn.MLP([2, 3, 1], activation="sigmoid", seed=0)
    X = rng.normal(size=(4, 2))
    W1, b1, W2, b2 = net.params
    expected = nn.sigmoid_forward(X @ W1 + b1) @ W2 + b2
    np.testing.assert_allclose(net.predict(X), expected, rtol=1e-14)
    hs, zs = net.forward(X)
    assert len(hs) == 2 and len(zs) == 2 and hs[0] is not None
    np.testing.assert_array_equal(zs[-1], net.predict(X))
    net.params[3][...] += 1.0  # in-place update changes the network
    np.testing.assert_allclose(net.predict(X), expected + 1.0, rtol=1e-14)


def test_mlp_cross_entropy_matches_functions_and_accuracy():
    net = nn.MLP([2, 3], activation="relu", seed=0)  # a single linear layer
    net.params[0][...] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    X = np.array([[2.0, 0.0], [0.0, 2.0], [1.0, 0.0], [0.0, 0.0]])
    y = np.array([0, 1, 1, 2])
    loss, _ = net.loss_and_grads(X, y, loss="cross_entropy")
    assert loss == pytest.approx(nn.softmax_cross_entropy(X @ net.params[0], y))
    # predictions: 0, 1, 0, (tie -> argmax picks 0): 2 of 4 correct
    assert net.accuracy(X, y) == 0.5


def test_mlp_gradient_descent_reduces_loss(rng):
    X = rng.normal(size=(32, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    net = nn.MLP([2, 16, 2], activation="tanh", seed=0)
    first, _ = net.loss_and_grads(X, y, loss="cross_entropy")
    for _ in range(300):
        _, grads = net.loss_and_grads(X, y, loss="cross_entropy")
        for p, g in zip(net.params, grads, strict=True):
            p -= 0.5 * g
    last, _ = net.loss_and_grads(X, y, loss="cross_entropy")
    assert last < 0.5 * first


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize("call, match", [
    (lambda: nn.MLP([2, 3], activation="softplus"), r"activation must be one of .*'softplus'"),
    (lambda: nn.MLP([2]), r"at least 2 positive integers.*\[2\]"),
    (lambda: nn.MLP([2, 0, 1]), r"positive integers.*\[2, 0, 1\]"),
    (lambda: nn.MLP([2, 3]).predict(np.ones((4, 3))), r"X must have shape \(batch, 2\).*\(4, 3\)"),
    (lambda: nn.MLP([2, 3]).loss_and_grads(np.ones((4, 2)), np.ones((4, 2))),
     r"Y must have shape \(4, 3\).*got \(4, 2\)"),
    (lambda: nn.MLP([2, 3]).loss_and_grads(np.ones((4, 2)), [0, 1, 2, 3], loss="cross_entropy"),
     r"labels y must lie in 0\.\.2 for 3 classes, got values in 0\.\.3"),
    (lambda: nn.MLP([2, 3]).loss_and_grads(np.ones((4, 2)), [0, 1], loss="cross_entropy"),
     r"labels y must have shape \(4,\).*\(2,\)"),
    (lambda: nn.MLP([2, 3]).loss_and_grads(np.ones((1, 2)), [0.5], loss="cross_entropy"),
     r"labels y must be integers"),
    (lambda: nn.MLP([2, 3]).loss_and_grads(np.ones((1, 2)), [0], loss="hinge"),
     r"loss must be 'mse' or 'cross_entropy', got 'hinge'"),
    (lambda: nn.linear_forward(np.ones((5, 3)), np.ones((4, 4)), np.ones(4)),
     r"W must have shape \(3, M\) to match x of shape \(5, 3\), got \(4, 4\)"),
    (lambda: nn.linear_forward(np.ones((5, 3)), np.ones((3, 4)), np.ones(3)),
     r"b must have shape \(4,\).*got \(3,\)"),
    (lambda: nn.linear_backward(np.ones((5, 2)), np.ones((5, 3)), np.ones((3, 4))),
     r"dh must have shape \(5, 4\).*got \(5, 2\)"),
    (lambda: nn.relu_backward(np.ones(3), np.ones(4)), r"dh must have the shape of z \(4,\)"),
    (lambda: nn.mse_loss(np.ones((2, 1)), np.ones(2)), r"y must have the shape of o \(2, 1\)"),
    (lambda: nn.softmax_cross_entropy(np.ones(3), [0]), r"logits must have shape \(N, K\)"),
    (lambda: nn.softmax_cross_entropy(np.ones((1, 3)), [-1]), r"0\.\.2.*got values in -1\.\.-1"),
    (lambda: nn.gaussian_nll(np.ones(2), np.ones(2), 0.0), r"sigma must be positive"),
    (lambda: nn.gaussian_nll_backward(np.ones(2), np.ones(2), np.ones((3, 2))),
     r"sigma must be a scalar or broadcast to shape \(2,\), got shape \(3, 2\)"),
    (lambda: nn.entropy([0.5, 0.6]), r"p must sum to 1.*1\.1"),
    (lambda: nn.kl_divergence([0.5, 0.5], [1.5, -0.5]), r"q must have non-negative"),
    (lambda: nn.cross_entropy([0.5, 0.5], [0.2, 0.3, 0.5]), r"q must have the shape of p \(2,\)"),
    (lambda: nn.worked_example({"w10": 1.0}), r"unknown keys \['w10'\]"),
])
def test_value_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------------ the worked example


def test_lecture_values_are_the_lecture_numbers():
    """Typed from the slides independently of the code (guards against edits of the table)."""
    v = nn.LECTURE_VALUES
    assert [v[f"i{k}"] for k in (1, 2, 3)] == [4, -3, 5]
    assert [v[f"h{k}"] for k in (1, 2, 3)] == [4, 0, 5]
    assert v["o"] == 6 and v["L"] == (6 - 3) ** 2 and v["dL/do"] == 2 * (6 - 3)
    assert [v[f"dL/dw{k}"] for k in range(1, 10)] == [-6, -12, 0, 0, 12, 24, 24, 0, 30]
    assert [v[f"dL/dh{k}"] for k in (1, 2, 3)] == [-6, 18, 12]
    assert [v[f"dL/di{k}"] for k in (1, 2, 3)] == [-6, 0, 12]
    assert (v["dL/dx1"], v["dL/dx2"]) == (0, 18)


@pytest.mark.parametrize("key", list(nn.LECTURE_VALUES))
def test_worked_example_every_number(key):
    assert nn.worked_example()[key] == nn.LECTURE_VALUES[key]


def test_worked_example_is_computed_not_typed():
    # change w4 so that unit 2 becomes active: i2 = 1 + 2*2 = 5, h2 = 5, o = -4 + 15 + 10 = 21
    r = nn.worked_example({"w4": 2.0})
    assert (r["i2"], r["h2"], r["o"], r["L"]) == (5.0, 5.0, 21.0, 18.0**2)
    assert r["dL/do"] == 36.0 and r["dL/dw8"] == 36.0 * 5 and r["dL/di2"] == 36.0 * 3
    assert r["dL/dx2"] == -36.0 * 1 + 108.0 * 2 + 72.0 * 2
