"""Exercises of 05_backpropagation: references pass and agree with finite differences; classic
mistakes fail their checks."""

import numpy as np
import pytest

from course_lib import exercises, nn
from course_lib.checking import evaluate
from course_lib.exercises.nb05_backpropagation import mlp_backward, mlp_loss
from course_lib.gradcheck import numerical_gradient, numerical_gradient_array, relative_error

IDS = ["relu_backward", "sigmoid_backward", "linear_backward", "mlp_backward"]


@pytest.mark.parametrize("exercise_id", IDS)
def test_reference_passes(exercise_id):
    ex = exercises.get(exercise_id)
    assert ex.notebook == "05_backpropagation"
    assert evaluate(exercise_id, ex.reference, watch_references=False).passed


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_activation_backwards_match_finite_differences_on_every_case():
    forwards = {"relu_backward": nn.relu_forward, "sigmoid_backward": nn.sigmoid_forward}
    for exercise_id, forward in forwards.items():
        ex = exercises.get(exercise_id)
        for case in ex.cases(seed=1):
            dh, z = (np.array(a, dtype=np.float64) for a in case.args)
            if np.any(z == 0) and exercise_id == "relu_backward":
                continue  # no derivative at the kink; see the next test
            numerical = numerical_gradient_array(lambda f=forward, z=z: f(z), z, dh)
            np.testing.assert_allclose(ex.expected(case), numerical, rtol=1e-6, atol=1e-9, err_msg=case.name)


def test_relu_kink_finite_difference_is_one_half_while_the_reference_says_zero():
    z = np.array([0.0])
    numerical = numerical_gradient_array(lambda: nn.relu_forward(z), z, np.array([1.0]))
    assert numerical[0] == pytest.approx(0.5)
    assert nn.relu_backward(np.array([1.0]), z)[0] == 0.0


def test_linear_backward_matches_finite_differences_on_every_case():
    ex = exercises.get("linear_backward")
    for case in ex.cases(seed=2):
        dh, x, W = (np.array(a, dtype=np.float64) for a in case.args)
        b = np.zeros(W.shape[1])
        numerical = numerical_gradient_array(lambda x=x, W=W, b=b: x @ W + b, [x, W, b], dh)
        assert relative_error(list(ex.expected(case)), numerical) < 1e-7, case.name


def test_mlp_backward_matches_finite_differences_on_every_case():
    ex = exercises.get("mlp_backward")
    for case in ex.cases(seed=3):
        X, y, *params = (np.array(a) for a in case.args)
        params = [p.astype(np.float64) for p in params]
        numerical = numerical_gradient(lambda X=X, y=y, p=params: mlp_loss(X, y, *p), params)
        assert relative_error(list(mlp_backward(X, y, *params)), numerical) < 1e-6, case.name


def test_mlp_backward_agrees_with_the_course_mlp():
    X = np.random.default_rng(0).normal(size=(7, 4))
    y = np.array([0, 1, 2, 0, 1, 2, 2])
    net = nn.MLP([4, 5, 3], activation="relu", seed=1)
    loss, grads = net.loss_and_grads(X, y, loss="cross_entropy")
    assert mlp_loss(X, y, *net.params) == pytest.approx(loss)
    for a, b in zip(mlp_backward(X, y, *net.params), grads):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


WRONG = {
    "relu_backward": [
        lambda dh, z: dh * (z >= 0),                 # 1 at the kink
        lambda dh, z: (z > 0).astype(float),         # forgets dh
        lambda dh, z: dh * (dh > 0),                 # masks by dh instead of z
        lambda dh, z: np.maximum(dh, 0) * (z > 0),   # clips dh
    ],
    "sigmoid_backward": [
        lambda dh, z: dh * z * (1 - z),                          # treats z as the output
        lambda dh, z: _sigmoid(z) * (1 - _sigmoid(z)),           # forgets dh
        lambda dh, z: dh * _sigmoid(z) * (1 + _sigmoid(z)),      # sign slip
        lambda dh, z: dh * _sigmoid(z),                          # only sigma
    ],
    "linear_backward": [
        lambda dh, x, W: (dh @ W.T, x.T @ dh, dh.mean(axis=0)),  # db averaged
        lambda dh, x, W: (dh @ W.T, dh.T @ x, dh.sum(axis=0)),   # dW transposed
        lambda dh, x, W: (dh @ W, x.T @ dh, dh.sum(axis=0)),     # W not transposed in dx
        lambda dh, x, W: (dh @ W.T, x.T @ dh, dh.sum(axis=1)),   # db over the wrong axis
    ],
}


def _mlp_wrong(sum_not_mean=False, mask_by_h=False, no_onehot=False, no_db=False):
    def backward(X, y, W1, b1, W2, b2):
        n = X.shape[0]
        z1 = X @ W1 + b1
        h = np.maximum(z1, 0)
        o = h @ W2 + b2
        p = np.exp(o - o.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        if not no_onehot:
            p[np.arange(n), y] -= 1
        do = p if sum_not_mean else p / n
        dh = do @ W2.T
        dz1 = dh * ((h > 1.0) if mask_by_h else (z1 > 0))
        db1 = dz1.sum(axis=0) if not no_db else np.zeros_like(b1)
        return X.T @ dz1, db1, h.T @ do, do.sum(axis=0)
    return backward


WRONG["mlp_backward"] = [
    _mlp_wrong(sum_not_mean=True),
    _mlp_wrong(mask_by_h=True),
    _mlp_wrong(no_onehot=True),
    _mlp_wrong(no_db=True),
]


def test_the_right_hand_written_mlp_passes():
    assert evaluate("mlp_backward", _mlp_wrong()).passed


@pytest.mark.parametrize("exercise_id, k", [(i, k) for i in WRONG for k in range(len(WRONG[i]))])
def test_classic_mistakes_fail(exercise_id, k):
    outcome = evaluate(exercise_id, WRONG[exercise_id][k])
    assert outcome.status in ("failed", "error"), (exercise_id, k)
