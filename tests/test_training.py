"""Tests of course_lib.training: the minibatch loop (train_epochs), train() around it: its history
and divergence handling."""

import math
import warnings

import numpy as np
import pytest

from course_lib.data import load_digits
from course_lib.nn import MLP
from course_lib.optimizers import SGD, Adam, Momentum, Nesterov
from course_lib.schedules import ExponentialDecay
from course_lib.training import History, evaluate, mlp_loss_and_grads, train, train_epochs


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits()
    order = np.random.default_rng(0).permutation(len(X))
    X, y = X[order], y[order]
    return X[:600], y[:600], X[600:800], y[600:800]


class RecordingNet:
    """A linear softmax model that records the rows of every minibatch it sees."""

    def __init__(self, n_in, n_out):
        self.params = [np.zeros((n_in, n_out)), np.zeros(n_out)]
        self.batches = []

    def predict(self, X):
        return X @ self.params[0] + self.params[1]

    def loss_and_grads(self, X, y, loss="cross_entropy"):
        self.batches.append(X[:, 0].astype(int).tolist())  # column 0 holds the row id
        out = self.predict(X)
        p = np.exp(out - out.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        value = float(-np.mean(np.log(p[np.arange(len(y)), y])))
        p[np.arange(len(y)), y] -= 1
        dout = p / len(y)
        return value, [X.T @ dout, dout.sum(axis=0)]


def test_minibatches_are_shuffled_and_cover_the_training_set_each_epoch():
    n, m = 70, 32
    X = np.column_stack([np.arange(n), np.random.default_rng(1).normal(size=n)])
    y = np.arange(n) % 2
    net = RecordingNet(2, 2)
    train(net, SGD(0.01), X, y, epochs=3, batch_size=m, seed=5, progress=False)
    assert [len(b) for b in net.batches] == [32, 32, 6] * 3  # the last batch is smaller
    epochs = [sum(net.batches[3 * e:3 * e + 3], []) for e in range(3)]
    for rows in epochs:
        assert sorted(rows) == list(range(n))  # every example once per epoch
        assert rows != list(range(n))  # shuffled
    assert epochs[0] != epochs[1]  # a new order every epoch
    again = RecordingNet(2, 2)
    train(again, SGD(0.01), X, y, epochs=3, batch_size=m, seed=5, progress=False)
    assert again.batches == net.batches  # the seed fixes the order


def test_history_records_every_epoch_and_training_reduces_the_loss(digits):
    X_train, y_train, X_val, y_val = digits
    net = MLP([64, 32, 10], seed=0)
    history = train(net, SGD(0.1), X_train, y_train, X_val, y_val, epochs=4, batch_size=32,
                    seed=0, progress=False)  # fmt: skip
    assert isinstance(history, History)
    assert history.epoch == [0, 1, 2, 3, 4]
    for values in (history.train_loss, history.train_accuracy, history.val_loss,
                   history.val_accuracy, history.epoch_seconds):  # fmt: skip
        assert len(values) == 5 and all(math.isfinite(v) for v in values)
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]
    assert history.val_accuracy[-1] > 0.7 > 0.3 > history.val_accuracy[0]
    assert history.diverged_at is None and history.message == ""
    steps_per_epoch = math.ceil(600 / 32)  # 19
    assert len(history.step_losses) == len(history.learning_rates) == 4 * steps_per_epoch
    # the recorded metrics are those of the final network
    assert evaluate(net, X_val, y_val) == (history.val_loss[-1], history.val_accuracy[-1])
    assert history.val_accuracy[-1] == net.accuracy(X_val, y_val)


def test_training_is_deterministic_bit_for_bit(digits):
    X_train, y_train, X_val, y_val = digits

    def run(seed):
        net = MLP([64, 16, 10], seed=0)
        history = train(net, Adam(0.01), X_train, y_train, X_val, y_val, epochs=2,
                        batch_size=50, seed=seed, progress=False)  # fmt: skip
        return net, history

    (net_a, hist_a), (net_b, hist_b) = run(3), run(3)
    for a, b in zip(net_a.params, net_b.params, strict=True):
        np.testing.assert_array_equal(a, b)
    assert hist_a.step_losses == hist_b.step_losses and hist_a.val_loss == hist_b.val_loss
    net_c, _ = run(4)
    assert not np.array_equal(net_a.params[0], net_c.params[0])


def test_schedule_goes_through_the_optimizer_and_counts_steps_over_epochs(digits):
    X_train, y_train = digits[0][:100], digits[1][:100]
    schedule = ExponentialDecay(0.1, c=0.9)
    optimizer = SGD(schedule)
    optimizer.step(np.zeros(1), lambda th: th)  # leftover state: train() resets it
    history = train(MLP([64, 8, 10]), optimizer, X_train, y_train, epochs=3, batch_size=25,
                    progress=False)  # fmt: skip
    assert optimizer.t == 12  # 3 epochs x 4 minibatches
    assert history.learning_rates == pytest.approx([0.1 * 0.9**t for t in range(1, 13)])
    assert all(math.isnan(v) for v in history.val_loss)  # no validation set


def test_params_are_updated_and_the_initial_arrays_untouched(digits):
    net = MLP([64, 8, 10], seed=1)
    initial = net.params
    copies = [p.copy() for p in initial]
    train(net, Momentum(0.05), digits[0][:64], digits[1][:64], epochs=1, progress=False)
    for p, c in zip(initial, copies, strict=True):
        np.testing.assert_array_equal(p, c)
    assert not np.array_equal(net.params[0], initial[0])


def test_callback_sees_each_epoch_and_can_stop_training(digits):
    seen = []

    def callback(history):
        seen.append(history.epoch[-1])
        return history.epoch[-1] == 2  # stop after epoch 2

    history = train(MLP([64, 8, 10]), SGD(0.1), digits[0][:100], digits[1][:100], epochs=10,
                    batch_size=20, progress=False, callback=callback)  # fmt: skip
    assert seen == [0, 1, 2]
    assert history.epoch == [0, 1, 2]


def test_divergence_stops_with_a_clear_message_and_no_warnings(digits, capsys):
    X_train, y_train = digits[0], digits[1]
    net = MLP([64, 32, 10], seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = train(net, SGD(1e150), X_train, y_train, epochs=3, batch_size=32,
                        progress=False)  # fmt: skip
    epoch, step = history.diverged_at
    assert epoch == 1 and 1 <= step <= 19
    assert history.message.startswith(f"diverged at epoch 1, step {step}: loss is ")
    assert history.message.endswith("; lower the learning rate")
    assert history.message in capsys.readouterr().out
    assert history.epoch == [0]  # the diverged epoch is not recorded
    assert all(np.all(np.isfinite(p)) for p in net.params)  # last finite parameters kept
    assert len(history.step_losses) == step


def test_nan_loss_is_reported_as_nan(digits):
    X_train, y_train = digits[0][:64], digits[1][:64]

    class NanNet(RecordingNet):
        def loss_and_grads(self, X, y, loss="cross_entropy"):
            value, grads = super().loss_and_grads(X, y, loss)
            return (math.nan if len(self.batches) == 3 else value), grads

    class SpyNesterov(Nesterov):  # records the parameters each step starts from
        def step(self, theta, grad_fn):
            self.starts.append([a.copy() for a in theta])
            return super().step(theta, grad_fn)

    optimizer = SpyNesterov(0.1)
    optimizer.starts = []
    net = NanNet(64, 10)
    history = train(net, optimizer, X_train, y_train, epochs=2, batch_size=16, progress=False)
    assert history.diverged_at == (1, 3)
    assert history.message == "diverged at epoch 1, step 3: loss is nan; lower the learning rate"
    # the network keeps theta_2, the parameters before the diverging step (not the look-ahead
    # point where Nesterov evaluated the nan loss)
    assert len(optimizer.starts) == 3
    for a, b in zip(net.params, optimizer.starts[2], strict=True):
        np.testing.assert_array_equal(a, b)


def test_exploding_but_finite_loss_also_counts_as_divergence(digits):
    history = train(MLP([64, 32, 10], seed=0), SGD(50.0), digits[0], digits[1], epochs=2,
                    progress=False)  # fmt: skip
    assert history.diverged_at is not None and ">" in history.message
    relaxed = train(MLP([64, 32, 10], seed=0), SGD(50.0), digits[0][:64], digits[1][:64],
                    epochs=1, progress=False, max_loss_factor=math.inf)  # fmt: skip
    assert relaxed.diverged_at is None


def test_progress_bar_can_be_turned_off(digits, capsys):
    args = (digits[0][:64], digits[1][:64])
    train(MLP([64, 8, 10]), SGD(0.1), *args, epochs=2, progress=False)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    train(MLP([64, 8, 10]), SGD(0.1), *args, epochs=2, progress=True)
    assert "training" in capsys.readouterr().err


def test_mse_loss_with_one_hot_targets(digits):
    X_train, y_train = digits[0][:200], digits[1][:200]
    Y = np.eye(10)[y_train]
    history = train(MLP([64, 16, 10]), SGD(0.1), X_train, Y, X_train, Y, epochs=3,
                    loss="mse", progress=False)  # fmt: skip
    assert history.train_loss[-1] < history.train_loss[0]
    assert 0 <= history.val_accuracy[-1] <= 1


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"y_train": np.zeros(5, int)}, r"y_train must have 10 rows to match X_train"),
        ({"X_val": np.zeros((3, 64))}, "X_val and y_val must be given together"),
        ({"batch_size": 0}, "batch_size must be an integer >= 1"),
        ({"epochs": -1}, "epochs must be an integer >= 0"),
        ({"loss": "hinge"}, "loss must be 'cross_entropy' or 'mse'"),
    ],
)
def test_bad_arguments(kwargs, match):
    arguments = {"X_train": np.zeros((10, 64)), "y_train": np.zeros(10, int), "progress": False}
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=match):
        train(MLP([64, 4, 10]), SGD(0.1), **arguments)


# ---------------------------------------------------------------------------------------------
# train_epochs: the loop itself


def _tiny(seed=0, n=11, d=3, h=4, k=3):
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(n, d)), rng.integers(0, k, size=n)
    params = [rng.normal(size=(d, h)), rng.normal(size=h), rng.normal(size=(h, k)), rng.normal(size=k)]
    return X, y, params


def test_mlp_loss_and_grads_matches_finite_differences():
    X, y, params = _tiny()
    loss, grads = mlp_loss_and_grads(params, X, y)
    assert isinstance(loss, float)
    eps = 1e-6
    for k, p in enumerate(params):
        numeric = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            shifted = []
            for sign in (1, -1):
                q = p.copy()
                q[i] += sign * eps
                shifted.append(mlp_loss_and_grads(params[:k] + [q] + params[k + 1:], X, y)[0])
            numeric[i] = (shifted[0] - shifted[1]) / (2 * eps)
        np.testing.assert_allclose(grads[k], numeric, rtol=1e-5, atol=1e-8)


def test_one_full_batch_epoch_is_one_gradient_descent_step():
    X, y, params = _tiny()
    new, losses = train_epochs(X, y, params, 0.3, 0.9, 1, len(X), seed=0)
    loss, grads = mlp_loss_and_grads(params, X, y)
    assert losses.shape == (1,) and losses[0] == pytest.approx(loss, rel=1e-12)
    for p, g, q in zip(params, grads, new, strict=True):
        np.testing.assert_allclose(q, p - 0.3 * g, rtol=1e-12)   # v = -alpha g on the first step


def test_epoch_loss_weighs_minibatches_by_size_and_inputs_stay_untouched():
    X, y, params = _tiny(n=10)
    copies = [p.copy() for p in params]
    _, losses = train_epochs(X, y, params, 0.0, 0.0, 1, 4, seed=3)   # alpha = 0: theta fixed
    assert losses[0] == pytest.approx(mlp_loss_and_grads(params, X, y)[0], rel=1e-12)
    for p, c in zip(params, copies, strict=True):
        np.testing.assert_array_equal(p, c)


def test_zero_epochs_returns_the_parameters_and_no_losses():
    X, y, params = _tiny()
    new, losses = train_epochs(X, y, params, 0.1, 0.9, 0, 4, seed=0)
    assert losses.shape == (0,)
    for p, q in zip(params, new, strict=True):
        np.testing.assert_array_equal(p, q)


def test_train_runs_the_same_loop_as_train_epochs(digits):
    """train() with Momentum and train_epochs with the same alpha, beta and seed: the same path."""
    X_train, y_train = digits[0][:200], digits[1][:200]
    net = MLP([64, 16, 10], seed=4)
    start = [p.copy() for p in net.params]
    history = train(net, Momentum(0.05, momentum=0.9), X_train, y_train, epochs=3, batch_size=32,
                    seed=9, progress=False)  # fmt: skip
    params, losses = train_epochs(X_train, y_train, start, 0.05, 0.9, 3, 32, seed=9)
    for a, b in zip(net.params, params, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    per_epoch = np.reshape(history.step_losses, (3, -1))  # 200 = 6 x 32 + 8: weigh the last one
    sizes = np.array([32] * 6 + [8])
    np.testing.assert_allclose(losses, per_epoch @ sizes / 200, rtol=1e-12)
