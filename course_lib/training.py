"""The minibatch training loop: the lecture's minibatch SGD, for the MLP of course_lib.nn.

    - Repeat for every epoch:
      - shuffle the training set (a seeded generator), cut it into minibatches of m examples
      - for every minibatch:  g <- (1/m) grad sum_i L(f(x_i; theta), y_i);  theta <- optimizer step
      - record the loss

`train_epochs` is that loop and nothing else: plain numpy arrays in, (params, per-epoch losses)
out, with the lecture's SGD with momentum as its step (the reference of the capstone's
`train_epochs` exercise). `train` runs the same loop for an MLP and any optimizer of
course_lib.optimizers, and adds what a real run needs around it: argument checks, a History of
every epoch, a progress bar, a callback, and a stop with "diverged at epoch e, step k".

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
from course_lib.data import load_digits
from course_lib.optimizers import SGD

# ---------------------------------------------------------------------------------------------
# The loop


def train_epochs(X, y, params, alpha, beta, epochs, batch_size, seed, step=None, end_of_epoch=None):
    """Minibatch SGD with momentum over whole epochs; returns (params, losses).

        rng = default_rng(seed), made once
        for every epoch e = 1..E:
            shuffle: one permutation of 0..N-1 from rng; minibatches are its consecutive slices
                     of batch_size indices (the last one smaller when batch_size does not divide N)
            for every minibatch B (m = |B| examples):
                L_B, g <- loss and gradient on B            (mlp_loss_and_grads)
                v <- beta v - alpha g,  theta <- theta + v  (every parameter array; v starts at 0)
            losses[e-1] = (1/N) sum_B m L_B   (the mean loss over the epoch's examples, each
                                               taken where its gradient was taken)

    X (N, n_in), y (N,) labels; params [W1, b1, ..., WL, bL] of a ReLU MLP (nn.MLP's layout);
    alpha >= 0, 0 <= beta < 1 (beta = 0: plain SGD); epochs >= 0; batch_size >= 1.
    Returns (the parameters after training as a new list, losses (epochs,) float array); the
    input arrays are not modified (with epochs = 0 the list holds them unchanged).

    For train(): step(params, X_batch, y_batch) -> (new params, L_B) replaces the momentum step
    (alpha and beta are then unused); end_of_epoch(epoch, params, loss) is called after every
    epoch and stops the loop when it returns True.
    """
    step = momentum_step(alpha, beta) if step is None else step
    rng = np.random.default_rng(seed)
    losses = []
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(X))
        total = 0.0
        for first in range(0, len(X), batch_size):
            batch = order[first:first + batch_size]
            params, batch_loss = step(params, X[batch], y[batch])
            total += batch_loss * len(batch)
        losses.append(total / len(X))
        if end_of_epoch is not None and end_of_epoch(epoch, params, losses[-1]):
            break
    return list(params), np.array(losses, dtype=np.float64)


def momentum_step(alpha, beta, loss_and_grads=None):
    """The default step of train_epochs: SGD with momentum on a list of parameter arrays.

        L_B, g <- loss_and_grads(params, X_batch, y_batch)
        v <- beta v - alpha g;  theta <- theta + v      (one v per array, starting at 0)

    Returns step(params, X_batch, y_batch) -> (new params, L_B), which keeps v between calls.
    loss_and_grads defaults to mlp_loss_and_grads.
    """
    loss_and_grads = mlp_loss_and_grads if loss_and_grads is None else loss_and_grads
    velocity = []

    def step(params, X_batch, y_batch):
        loss, grads = loss_and_grads(params, X_batch, y_batch)
        if not velocity:
            velocity.extend(np.zeros_like(g, dtype=np.float64) for g in grads)
        velocity[:] = [beta * v - alpha * g for v, g in zip(velocity, grads)]
        return [p + v for p, v in zip(params, velocity)], loss

    return step


def mlp_loss_and_grads(params, X, y):
    """Mean softmax cross-entropy of the ReLU MLP with parameters [W1, b1, ..., WL, bL] on
    (X, y), and its gradient with respect to every array (nn.MLP's backpropagation).

    X (N, n_in), y (N,) labels in 0..n_out-1. Returns (float, [dW1, db1, ..., dWL, dbL]).
    """
    sizes = [np.shape(params[0])[0]] + [np.shape(W)[1] for W in params[::2]]
    net = nn.MLP(sizes, activation="relu")
    net.params = [np.asarray(p, dtype=np.float64) for p in params]
    return net.loss_and_grads(X, y, loss="cross_entropy")


# ---------------------------------------------------------------------------------------------
# Sanity checks before a long run


INITIAL_LOSS_TOLERANCE = 0.5
"""How far the initial loss may lie from ln K before sanity_warnings complains."""
OVERFIT_LOSS = 0.05
"""The loss on 20 examples that a network able to learn reaches in the overfitting check."""


def sanity_warnings(initial_loss, overfit_loss, falls, n_classes) -> list[str]:
    """What the three sanity checks (the capstone's sanity_checks exercise) say is wrong, with the
    reason, one sentence each; [] when all three pass:

        |initial_loss - ln K| <= INITIAL_LOSS_TOLERANCE    (small initial outputs: softmax ~ 1/K)
        overfit_loss <= OVERFIT_LOSS                       (20 examples can be memorised)
        falls                                              (the loss falls in the first steps)
    """
    expected = math.log(n_classes)
    found = []
    if not abs(initial_loss - expected) <= INITIAL_LOSS_TOLERANCE:
        found.append(f"the initial loss is {initial_loss:.3g}, far from ln {n_classes} = "
                     f"{expected:.2f}: the initial weights are too large (or the loss is wrong)")
    if not overfit_loss <= OVERFIT_LOSS:
        found.append(f"20 examples could not be overfitted (loss {overfit_loss:.3g} > "
                     f"{OVERFIT_LOSS}): the gradient is wrong, or the network is too small to "
                     "memorise them")
    if not falls:
        found.append("the loss did not fall in the first 3 steps: the learning rate is too "
                     "large, or the gradient points the wrong way")
    return found


# ---------------------------------------------------------------------------------------------
# What a real run adds: the record, the divergence stop, the argument checks


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


class Diverged(Exception):
    """Raised by train()'s step when the loss or a parameter stops being finite, or explodes."""


def _optimizer_step(net, optimizer, loss, history, max_loss):
    """train()'s step for train_epochs: one optimizer step on a minibatch, with the divergence
    check. Records the minibatch loss and alpha_t; raises Diverged (leaving net.params at their
    values before the step) when the loss is not finite or exceeds max_loss[0], or a new
    parameter is not finite."""

    def step(params, X_batch, y_batch):
        batch_loss = []

        def grad_fn(theta):
            net.params = theta
            value, grads = net.loss_and_grads(X_batch, y_batch, loss=loss)
            batch_loss.append(value)
            return grads

        new_params = optimizer.step(params, grad_fn)
        net.params = params
        history.step_losses.append(batch_loss[0])
        history.learning_rates.append(optimizer.alpha_at(optimizer.t))
        if not math.isfinite(batch_loss[0]):
            raise Diverged(f"loss is {batch_loss[0]}")
        if batch_loss[0] > max_loss:
            raise Diverged(f"loss is {batch_loss[0]:.3g} > {max_loss:.3g}")
        if not all(np.isfinite(a).all() for a in new_params):
            raise Diverged("a parameter is not finite")
        net.params = new_params
        return new_params, batch_loss[0]

    return step


def _recorder(net, history, data, loss, callback, bar):
    """train()'s end_of_epoch for train_epochs: evaluate on the training and validation sets,
    append to history, update the progress bar, call the callback (True stops training)."""
    X_train, y_train, X_val, y_val = data
    clock = [time.perf_counter()]

    def end_of_epoch(epoch, params=None, epoch_loss=None):
        seconds = time.perf_counter() - clock[0] if epoch else 0.0
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
        if epoch:
            bar.update(1)
            bar.set_postfix(loss=f"{train_loss:.4f}", val_acc=f"{val_accuracy:.3f}")
        clock[0] = time.perf_counter()
        return callback is not None and callback(history) is True

    return end_of_epoch


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


def _check_arguments(X_train, y_train, X_val, y_val, epochs, batch_size, loss, max_loss_factor):
    """The data as float arrays, after checking every argument of train() (ValueError says which)."""
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
    return X_train, y_train, X_val, y_val


# ---------------------------------------------------------------------------------------------
# train(): the loop for an MLP and an optimizer object


def train(net, optimizer, X_train, y_train, X_val=None, y_val=None, epochs=10, batch_size=32,
          seed=0, loss="cross_entropy", progress=True, callback=None,
          max_loss_factor=1e3):  # fmt: skip
    """Train `net` with minibatches (train_epochs' loop); return a History. Updates net.params.

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
    X_train, y_train, X_val, y_val = _check_arguments(X_train, y_train, X_val, y_val, epochs,
                                                      batch_size, loss, max_loss_factor)
    optimizer.reset()
    history = History()
    bar = tqdm(total=epochs, desc="training", unit="epoch", disable=not progress, leave=True)
    end_of_epoch = _recorder(net, history, (X_train, y_train, X_val, y_val), loss, callback, bar)
    with np.errstate(all="ignore"):
        if not end_of_epoch(0):
            max_loss = max_loss_factor * max(history.train_loss[0], 1.0)
            step = _optimizer_step(net, optimizer, loss, history, max_loss)
            try:
                train_epochs(X_train, y_train, net.params, None, None, epochs, batch_size, seed,
                             step=step, end_of_epoch=end_of_epoch)
            except Diverged as problem:
                history.diverged_at = (len(history.epoch), optimizer.t)
                history.message = (f"diverged at epoch {len(history.epoch)}, step {optimizer.t}: "
                                   f"{problem}; lower the learning rate")
    bar.close()
    if history.message:
        print(history.message)
    return history


def calibration_ms(epochs: int = 5) -> float:
    """How fast this machine is, for comparing timings across machines (`make bench`): the median
    milliseconds of one epoch of the digits MLP (64-32-10, ReLU, minibatches of 32, course_lib's
    SGD with alpha = 0.1) on all 1,797 digits: net.loss_and_grads and optimizer.step per
    minibatch, as `make bench` has always timed it (3.9 ms on the 2026 dev machine)."""
    X, y = load_digits()
    net, opt = nn.MLP([64, 32, 10], activation="relu", seed=0), SGD(0.1)
    rng = np.random.default_rng(0)
    times = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        start = time.perf_counter()
        for first in range(0, len(X), 32):
            batch = order[first:first + 32]

            def grad_fn(params, batch=batch):
                net.params = params
                return net.loss_and_grads(X[batch], y[batch], loss="cross_entropy")[1]

            net.params = opt.step(net.params, grad_fn)
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times))
