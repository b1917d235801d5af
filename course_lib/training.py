"""The minibatch training loop: minibatch SGD (or any optimizer) for the MLP of course_lib.nn.

    - Repeat for every epoch:
      - shuffle the training set (a seeded generator), cut it into minibatches of m examples
      - for every minibatch:  g <- (1/m) grad sum_i L(f(x_i; theta), y_i);  theta <- optimizer step
      - record train / validation loss and accuracy

Usage:

    from course_lib.data import load_digits
    from course_lib.nn import MLP
    from course_lib.optimizers import Adam
    from course_lib.training import train
    X, y = load_digits()
    net = MLP([64, 32, 10], seed=0)
    history = train(net, Adam(0.001), X[:1400], y[:1400], X[1400:], y[1400:],
                    epochs=20, batch_size=32, seed=0)
    history.val_accuracy[-1]

The learning-rate schedule lives in the optimizer (learning_rate=ExponentialDecay(...)); it
sees the step number t = 1, 2, ... counted over all epochs.
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from course_lib import nn


@dataclass
class History:
    """What train() records. Per-epoch lists start with epoch 0 = before training.

    epoch: [0, 1, ..., E]; train_loss, train_accuracy, val_loss, val_accuracy: the metric after
        each epoch on the whole training / validation set (nan when there is no validation set
        or no accuracy for the loss); epoch_seconds: wall time of each epoch (0.0 for epoch 0).
    step_losses: minibatch loss at every step (where the gradient was taken);
    learning_rates: the learning rate alpha_t used at every step.
    diverged_at: (epoch, step) of the first non-finite loss or parameter, or None.
    message: "" or e.g. "diverged at epoch 3, step 130: loss is nan; lower the learning rate".
    """

    epoch: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    epoch_seconds: list = field(default_factory=list)
    step_losses: list = field(default_factory=list)
    learning_rates: list = field(default_factory=list)
    diverged_at: tuple | None = None
    message: str = ""


def evaluate(net, X, y, loss="cross_entropy"):
    """(loss, accuracy) of the network on a whole data set, without gradients.

    loss="cross_entropy": y (N,) integer labels; accuracy = mean[argmax o_n = y_n].
    loss="mse": y (N, n_out) targets; accuracy = mean[argmax o_n = argmax y_n] if n_out > 1,
        else nan.
    X (N, n_in). Returns two floats (nan if the output is not finite).
    """
    out = net.predict(X)
    if loss == "cross_entropy":
        value = nn.softmax_cross_entropy(out, y)
        accuracy = float(np.mean(np.argmax(out, axis=1) == np.asarray(y)))
    elif loss == "mse":
        y = np.asarray(y, dtype=np.float64)
        value = nn.mse_loss(out, y)
        multi = out.ndim == 2 and out.shape[1] > 1
        accuracy = float(np.mean(np.argmax(out, 1) == np.argmax(y, 1))) if multi else math.nan
    else:
        raise ValueError(f"loss must be 'cross_entropy' or 'mse', got {loss!r}")
    return float(value), accuracy


def _check_data(X, y, name_X, name_y):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"{name_X} must have shape (N, n_in) with N >= 1, got {X.shape}")
    if y.shape[:1] != X.shape[:1]:
        raise ValueError(
            f"{name_y} must have {X.shape[0]} rows to match {name_X} {X.shape}, got {y.shape}"
        )
    return X, y


def _all_finite(arrays):
    return all(np.isfinite(a).all() for a in arrays)


def train(net, optimizer, X_train, y_train, X_val=None, y_val=None, epochs=10, batch_size=32,
          seed=0, loss="cross_entropy", progress=True, callback=None,
          max_loss_factor=1e3):  # fmt: skip
    """Train `net` with minibatches; return a History. Updates net.params.

    net: an MLP (course_lib.nn) or anything with .params (list of arrays), .predict(X) and
        .loss_and_grads(X, y, loss) -> (float, grads).
    optimizer: from course_lib.optimizers (its schedule, if any, sees t = 1, 2, ... over all
        epochs); train() calls optimizer.reset() first.
    X_train (N, n_in), y_train (N,) labels (or (N, n_out) targets for loss="mse");
    X_val, y_val: optional validation set (both or neither).
    epochs: number of passes over the training set; batch_size: m (the last minibatch of an
        epoch is smaller when m does not divide N); seed: of the shuffling generator
        np.random.default_rng(seed), so a run is reproducible bit for bit.
    progress: show a tqdm progress bar over the epochs.
    callback: called as callback(history) after epoch 0 (the initial state) and after every
        epoch (e.g. to redraw a learning curve); if it returns True, training stops.
    Divergence: when a minibatch loss or a parameter stops being finite, or a minibatch loss
    exceeds max_loss_factor * max(initial training loss, 1) (default 1000x: the loss exploded),
    training stops, the parameters are left at their values before that step, and
    history.message says e.g. "diverged at epoch e, step k: loss is nan; lower the learning
    rate" (it is also printed). Pass max_loss_factor=math.inf to stop only on nan/inf.
    No floating-point warnings are emitted.
    """
    X_train, y_train = _check_data(X_train, y_train, "X_train", "y_train")
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val must be given together (or both left out)")
    if X_val is not None:
        X_val, y_val = _check_data(X_val, y_val, "X_val", "y_val")
    if not (isinstance(epochs, (int, np.integer)) and epochs >= 0):
        raise ValueError(f"epochs must be an integer >= 0, got {epochs!r}")
    if not (isinstance(batch_size, (int, np.integer)) and batch_size >= 1):
        raise ValueError(f"batch_size must be an integer >= 1, got {batch_size!r}")
    if loss not in ("cross_entropy", "mse"):
        raise ValueError(f"loss must be 'cross_entropy' or 'mse', got {loss!r}")
    if not max_loss_factor > 0:
        raise ValueError(f"max_loss_factor must be a number > 0, got {max_loss_factor!r}")

    rng = np.random.default_rng(seed)
    optimizer.reset()
    history = History()
    n = X_train.shape[0]

    def record(epoch, seconds):
        train_loss, train_accuracy = evaluate(net, X_train, y_train, loss)
        val_loss, val_accuracy = math.nan, math.nan
        if X_val is not None:
            val_loss, val_accuracy = evaluate(net, X_val, y_val, loss)
        history.epoch.append(epoch)
        history.train_loss.append(train_loss)
        history.train_accuracy.append(train_accuracy)
        history.val_loss.append(val_loss)
        history.val_accuracy.append(val_accuracy)
        history.epoch_seconds.append(seconds)
        return callback is not None and callback(history) is True

    bar = tqdm(total=epochs, desc="training", unit="epoch", disable=not progress, leave=True)
    with np.errstate(all="ignore"):
        stop = record(0, 0.0)
        max_loss = max_loss_factor * max(history.train_loss[0], 1.0)
        for epoch in range(1, epochs + 1):
            if stop:
                break
            start_time = time.perf_counter()
            order = rng.permutation(n)
            for first in range(0, n, batch_size):
                batch = order[first:first + batch_size]
                X_batch, y_batch = X_train[batch], y_train[batch]
                batch_loss = []

                def grad_fn(params, X_batch=X_batch, y_batch=y_batch, batch_loss=batch_loss):
                    net.params = params
                    value, grads = net.loss_and_grads(X_batch, y_batch, loss=loss)
                    batch_loss.append(value)
                    return grads

                old_params = net.params
                new_params = optimizer.step(old_params, grad_fn)
                step = optimizer.t
                history.step_losses.append(batch_loss[0])
                history.learning_rates.append(optimizer.alpha(step))
                problem = ""
                if not math.isfinite(batch_loss[0]):
                    problem = f"loss is {batch_loss[0]}"
                elif batch_loss[0] > max_loss:
                    problem = f"loss is {batch_loss[0]:.3g} > {max_loss:.3g}"
                elif not _all_finite(new_params):
                    problem = "a parameter is not finite"
                if problem:
                    net.params = old_params
                    history.diverged_at = (epoch, step)
                    history.message = (
                        f"diverged at epoch {epoch}, step {step}: {problem}; "
                        "lower the learning rate"
                    )
                    break
                net.params = new_params
            if history.diverged_at is not None:
                break
            stop = record(epoch, time.perf_counter() - start_time)
            bar.update(1)
            bar.set_postfix(
                loss=f"{history.train_loss[-1]:.4f}", val_acc=f"{history.val_accuracy[-1]:.3f}"
            )
    bar.close()
    if history.message:
        print(history.message)
    return history
