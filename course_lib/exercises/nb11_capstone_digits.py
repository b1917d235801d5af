"""Exercises of 11_capstone_digits: a confusion matrix, the minibatch training loop, and a whole
training run with the student's own code, graded by the accuracy it reaches on digits it never saw.

`train_epochs` is compared with course_lib.training.train_epochs (the loop that
course_lib.training.train runs), case by case. `train_and_predict` is judged, not compared: its
answer is right when at least ACCURACY_THRESHOLD of the held-out labels (kept in Case.secret,
never sent to the student's function) are predicted correctly. The cases draw random
train/test splits of the digits.

Off limits in this notebook (OFF_LIMITS): course_lib's MLP, every optimizer (classes and update
functions), the training loop and train(), and the loader of the digits. The capstone trains with
the student's own functions.
"""

import numpy as np

from .. import nn, optimizers, training
from ..data import load_digits
from ..training import mlp_loss_and_grads, train_epochs
from .core import Case, Exercise, Mistake
from .off_limits import everything_in

NOTEBOOK = "11_capstone_digits"
ACCURACY_THRESHOLD = 0.95


def confusion_matrix(y_true, y_pred, n_classes):
    """Counts of (true class, predicted class) pairs.

        C[i, j] = #{n : y_true[n] = i and y_pred[n] = j}

    Row i is the true class, column j the prediction, so the diagonal holds the correct
    predictions and C.sum() = N. Shapes: y_true, y_pred (N,) integers in 0..n_classes-1
    -> C (n_classes, n_classes) int64.
    """
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(f"y_true and y_pred must be 1-D of the same shape, got {y_true.shape} "
                         f"and {y_pred.shape}")
    C = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(C, (y_true, y_pred), 1)
    return C


CAPSTONE = {"hidden": 64, "alpha": 0.05, "beta": 0.9, "epochs": 30, "batch_size": 32}
"""The reference's settings: 64-64-10 ReLU MLP, He initialization, SGD with momentum."""


def train_and_predict(X_train, y_train, X_test, seed):
    """Train a 64-64-10 ReLU MLP on (X_train, y_train) and return the labels it predicts for X_test.

    He initialization W ~ N(0, 2 / fan_in) (seeded with `seed`, biases 0), then train_epochs:
    SGD with momentum (alpha = 0.05, beta = 0.9), minibatches of 32, 30 epochs, shuffled with
    `seed`. Shapes: X_train (N, 64), y_train (N,) labels 0..9, X_test (M, 64) -> predicted labels
    (M,) int64 (arg max of the output).
    """
    rng = np.random.default_rng(seed)
    sizes = [X_train.shape[1], CAPSTONE["hidden"], 10]
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params += [rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out)), np.zeros(fan_out)]
    params, _ = train_epochs(X_train, y_train, params, CAPSTONE["alpha"], CAPSTONE["beta"],
                             CAPSTONE["epochs"], CAPSTONE["batch_size"], seed)
    W1, b1, W2, b2 = params
    return np.argmax(np.maximum(X_test @ W1 + b1, 0.0) @ W2 + b2, axis=1).astype(np.int64)


OFF_LIMITS = (load_digits, nn.MLP, *everything_in(optimizers, training))
"""What no exercise of this notebook may call: the held-out digits' loader and course_lib's own
training code (the capstone trains with the student's functions)."""


# ---------------------------------------------------------------------------------------------
# cases


def _confusion_cases(rng):
    cases = [
        Case("edge: every prediction right", (np.array([0, 1, 2, 2]), np.array([0, 1, 2, 2]), 3)),
        Case("true 0 predicted as 1 twice (row = true class, column = prediction)",
             (np.array([0, 0, 1]), np.array([1, 1, 1]), 2)),
        Case("a class that never occurs (n_classes = 4, labels only 0..2)",
             (np.array([2, 0, 1, 2]), np.array([2, 1, 1, 0]), 4)),
        Case("the highest class is never true but is predicted (a batch without the last class)",
             (np.array([0, 1, 1, 0, 2]), np.array([0, 3, 1, 0, 2]), 4)),
        Case("the same pair many times (count, don't mark)",
             (np.array([1, 1, 1, 0]), np.array([0, 0, 0, 0]), 2)),
    ]
    for k in range(3):
        n, c = int(rng.integers(5, 40)), int(rng.integers(2, 11))
        cases.append(Case(f"random #{k + 1}: N={n}, {c} classes",
                          (rng.integers(0, c, size=n), rng.integers(0, c, size=n), c)))
    return cases


def _small_problem(rng, n, d, h, k, labels=None):
    """A tiny classification problem and the parameters [W1, b1, W2, b2] of a d-h-k ReLU MLP."""
    X = rng.normal(size=(n, d))
    y = rng.integers(0, k, size=n) if labels is None else np.asarray(labels)
    params = [rng.normal(0, np.sqrt(2 / d), size=(d, h)), 0.1 * rng.normal(size=h),
              rng.normal(0, np.sqrt(2 / (h + k)), size=(h, k)), 0.1 * rng.normal(size=k)]
    return X, y, params


def _loop_cases(rng):
    fixed = np.random.default_rng(2026)
    cases = []

    def add(name, n, d, h, k, alpha, beta, epochs, batch_size, seed, labels=None):
        X, y, params = _small_problem(fixed, n, d, h, k, labels)
        cases.append(Case(name, (X, y, params, alpha, beta, epochs, batch_size, seed)))

    add("edge: epochs = 0: the parameters come back unchanged, no losses", 6, 3, 4, 3, 0.1, 0.9, 0, 2, 0)
    add("batch_size = N, beta = 0: full-batch gradient descent, one step per epoch",
        8, 3, 4, 3, 0.5, 0.0, 3, 8, 1)
    add("batch_size = 1, beta = 0: one example per step", 5, 2, 3, 2, 0.1, 0.0, 2, 1, 2)
    add("N = 10, batch_size = 4: the last minibatch has 2 examples (weigh the losses by size)",
        10, 3, 4, 3, 0.2, 0.0, 1, 4, 3)
    add("momentum: beta = 0.9, 3 epochs (the velocity carries over from one epoch to the next)",
        9, 3, 5, 3, 0.05, 0.9, 3, 3, 4)
    add("labels never use the highest class (K = 4 outputs, labels only 0..2)",
        8, 3, 4, 4, 0.3, 0.5, 2, 3, 5, labels=[0, 1, 2, 0, 1, 2, 2, 0])
    add("a new order in every epoch, from one generator made once from the seed",
        7, 2, 3, 2, 0.3, 0.0, 3, 2, 6)
    for j in range(3):
        n = int(rng.integers(6, 25))
        X, y, params = _small_problem(rng, n, int(rng.integers(2, 6)), int(rng.integers(3, 7)),
                                      int(rng.integers(2, 5)))
        cases.append(Case(f"random #{j + 1}: N = {n}", (
            X, y, params, float(rng.uniform(0.02, 0.5)), float(rng.choice([0.0, 0.5, 0.9])),
            int(rng.integers(1, 4)), int(rng.integers(1, n + 1)), int(rng.integers(0, 1000)))))
    return cases


def _split_case(name, seed, test_fraction=0.25):
    """A random train/test split of the digits; the test labels go into the secret."""
    X, y = load_digits()
    order = np.random.default_rng(seed).permutation(len(X))
    n_test = int(round(test_fraction * len(X)))
    test, train_ = order[:n_test], order[n_test:]
    return Case(name, (X[train_], y[train_], X[test], int(seed)), secret={"y_test": y[test]})


def _train_cases(rng):
    cases = [_split_case("split 0: 1,348 training and 449 test digits", seed=0)]
    for k in range(2):
        seed = int(rng.integers(1, 2**31 - 1))
        cases.append(_split_case(f"random split #{k + 1} (seed {seed})", seed=seed))
    return cases


def accuracy_judge(case, expected, got):
    """Right when got (predicted labels) matches at least ACCURACY_THRESHOLD of the secret labels.

    `expected` (the reference's predictions) is not used: any model that is accurate enough is
    right.
    """
    y_test = case.secret["y_test"]
    try:
        pred = np.asarray(got)
    except Exception:  # noqa: BLE001 - anything unreadable is a wrong answer
        return f"expected an array of {len(y_test)} labels, got {type(got).__name__}"
    if pred.shape != y_test.shape:
        return (f"expected predicted labels of shape {y_test.shape} (one per test digit), "
                f"got shape {pred.shape}")
    if pred.dtype.kind not in "iuf" or (pred.dtype.kind == "f" and not np.all(pred == np.round(pred))):
        return "expected integer labels 0..9 (the arg max of the outputs), got non-integer values"
    accuracy = float(np.mean(pred.astype(np.int64) == y_test))
    if accuracy < ACCURACY_THRESHOLD:
        return (f"test accuracy {accuracy:.3f} is below the required {ACCURACY_THRESHOLD:.2f} "
                f"on this split of {len(y_test)} digits")
    return None


# ---------------------------------------------------------------------------------------------
# common mistakes


def _transposed(y_true, y_pred, n_classes):
    return confusion_matrix(y_pred, y_true, n_classes)


def _width_from_labels(y_true, y_pred, n_classes):
    return confusion_matrix(y_true, y_pred, int(max(np.max(y_true), np.max(y_pred))) + 1)


def _normalised(y_true, y_pred, n_classes):
    return confusion_matrix(y_true, y_pred, n_classes) / len(y_true)


def _marks_once(y_true, y_pred, n_classes):
    return (confusion_matrix(y_true, y_pred, n_classes) > 0).astype(np.int64)


def _loop_variant(X, y, params, alpha, beta, epochs, batch_size, seed, shuffle=True, new_rng=False,
                  drop_last=False, plain_mean=False, reset_velocity=False, old_velocity=False):
    """train_epochs with one thing done wrong (for the mistakes below)."""
    rng = np.random.default_rng(seed)
    params = [np.asarray(p, dtype=np.float64) for p in params]
    velocity = [np.zeros_like(p) for p in params]
    losses = []
    for _ in range(epochs):
        if new_rng:
            rng = np.random.default_rng(seed)
        if reset_velocity:
            velocity = [np.zeros_like(p) for p in params]
        order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
        batch_losses, sizes = [], []
        for first in range(0, len(X), batch_size):
            batch = order[first:first + batch_size]
            if drop_last and len(batch) < batch_size:
                break
            loss, grads = mlp_loss_and_grads(params, X[batch], y[batch])
            if old_velocity:
                params = [p + v for p, v in zip(params, velocity)]
            velocity = [beta * v - alpha * g for v, g in zip(velocity, grads)]
            if not old_velocity:
                params = [p + v for p, v in zip(params, velocity)]
            batch_losses.append(loss)
            sizes.append(len(batch))
        weights = np.ones(len(sizes)) if plain_mean else np.array(sizes, dtype=np.float64)
        losses.append(float(np.sum(weights * batch_losses) / np.sum(weights)))
    return params, np.array(losses)


def _mistake(**wrong):
    def function(X, y, params, alpha, beta, epochs, batch_size, seed):
        return _loop_variant(X, y, params, alpha, beta, epochs, batch_size, seed, **wrong)
    return function


def _final_loss_per_epoch(X, y, params, alpha, beta, epochs, batch_size, seed):
    """Records the loss on the whole training set after each epoch instead of the epoch's mean."""
    losses = []
    for epoch in range(1, epochs + 1):
        params_e, _ = train_epochs(X, y, params, alpha, beta, epoch, batch_size, seed)
        losses.append(mlp_loss_and_grads(params_e, X, y)[0])
    return train_epochs(X, y, params, alpha, beta, epochs, batch_size, seed)[0], np.array(losses)


def _nearest_mean(X_train, y_train, X_test, seed):
    means = np.stack([X_train[y_train == c].mean(axis=0) for c in range(10)])
    return np.argmin(((X_test[:, None, :] - means[None]) ** 2).sum(axis=2), axis=1)


def _too_short(X_train, y_train, X_test, seed):
    """One epoch of plain SGD with a small learning rate: far from trained."""
    rng = np.random.default_rng(seed)
    params = [rng.normal(0, np.sqrt(2 / 64), size=(64, 64)), np.zeros(64),
              rng.normal(0, np.sqrt(2 / 74), size=(64, 10)), np.zeros(10)]
    params, _ = train_epochs(X_train, y_train, params, 0.01, 0.0, 1, 32, seed)
    W1, b1, W2, b2 = params
    return np.argmax(np.maximum(X_test @ W1 + b1, 0) @ W2 + b2, axis=1)


EXERCISES = [
    Exercise(
        id="confusion_matrix",
        notebook=NOTEBOOK,
        points=1,
        reference=confusion_matrix,
        make_cases=_confusion_cases,
        hints=("Every example adds one count, in the row of its true class and the column of its "
               "predicted class; the size of the matrix comes from n_classes, not from the labels.",
               "A pair that occurs several times must be counted several times; classes that never "
               "occur keep a row and a column of zeros; the counts are integers, not fractions."),
        mistakes=(Mistake("rows and columns swapped (rows must be the true class)", _transposed),
                  Mistake("the size taken from the largest label instead of n_classes", _width_from_labels),
                  Mistake("fractions instead of counts", _normalised),
                  Mistake("marking a pair once instead of counting it", _marks_once)),
        outputs=("C",),
        forbidden=OFF_LIMITS,
    ),
    Exercise(
        id="train_epochs",
        notebook=NOTEBOOK,
        points=3,
        reference=train_epochs,
        make_cases=_loop_cases,
        hints=("An epoch is one pass over every example in a new random order; each minibatch "
               "gives one gradient and one momentum step, and the velocity lives on from step to "
               "step and from epoch to epoch.",
               "Make the generator once, before the first epoch, and draw one permutation per "
               "epoch; the minibatches are consecutive pieces of it, the last one may be smaller.",
               "The epoch's loss is the mean loss per example: a minibatch of m examples counts m "
               "times. Keep one velocity per parameter array, all starting at zero."),
        mistakes=(Mistake("no shuffling (the examples in their given order)", _mistake(shuffle=False)),
                  Mistake("a new generator in every epoch (the same order every epoch)",
                          _mistake(new_rng=True)),
                  Mistake("dropping the last, smaller minibatch", _mistake(drop_last=True)),
                  Mistake("the plain mean of the minibatch losses (the small last minibatch counts "
                          "as much as a full one)", _mistake(plain_mean=True)),
                  Mistake("a velocity reset to zero at every epoch", _mistake(reset_velocity=True)),
                  Mistake("moving theta with the old velocity before updating it",
                          _mistake(old_velocity=True)),
                  Mistake("the loss on the whole training set after each epoch instead of the "
                          "epoch's mean minibatch loss", _final_loss_per_epoch)),
        outputs=("params", "losses"),
        rtol=1e-6,
        atol=1e-9,
        forbidden=OFF_LIMITS,
    ),
    Exercise(
        id="train_and_predict",
        notebook=NOTEBOOK,
        points=4,
        reference=train_and_predict,
        make_cases=_train_cases,
        hints=("Initialise a 64-H-10 network with small random weights from the seed (He "
               "initialisation), train it with your own train_epochs on all of X_train, and "
               "predict the class with the largest output.",
               "Plain SGD needs many epochs; momentum with a moderate learning rate over a few "
               "dozen epochs gets there. Try your settings on a held-out part of X_train before "
               "you hand them in, and leave a margin above 0.95.",
               "Return integer labels, one per row of X_test. Only your own functions and numpy "
               "count: course_lib's MLP, optimizers and training loop score 0 here."),
        mistakes=(Mistake("a nearest-class-mean classifier (about 0.9 on the digits)", _nearest_mean),
                  Mistake("one epoch of plain SGD with a small learning rate", _too_short)),
        outputs=("labels",),
        judge=accuracy_judge,
        forbidden=OFF_LIMITS,
        timeout=120.0,
        check_seeds=1,             # each case trains a network for seconds: check() runs seed 0 only
    ),
]
