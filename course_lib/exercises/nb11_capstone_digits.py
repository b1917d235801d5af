"""Exercises of 11_capstone_digits: a confusion matrix, and a whole training run graded by the
accuracy it reaches on digits it never saw.

`train_and_predict` is judged, not compared: its answer is right when at least
ACCURACY_THRESHOLD of the held-out labels (kept in Case.secret, never sent to the student's
function) are predicted correctly. The cases draw random train/test splits of the digits.
"""

import numpy as np

from ..data import load_digits
from ..nn import MLP
from ..optimizers import Adam
from ..schedules import CosineDecay
from ..training import train
from .core import Case, Exercise

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


def train_and_predict(X_train, y_train, X_test, seed):
    """Train a 64-64-10 ReLU MLP on (X_train, y_train) and return the labels it predicts for X_test.

    Adam (alpha_0 = 0.01, cosine decay to 0 over the run), minibatches of 32, 15 epochs,
    cross-entropy; everything seeded with `seed`. Shapes: X_train (N, 64), y_train (N,) labels
    0..9, X_test (M, 64) -> predicted labels (M,) int64 (arg max of the output).
    """
    epochs, batch_size = 15, 32
    steps = epochs * int(np.ceil(len(X_train) / batch_size))
    net = MLP([X_train.shape[1], 64, 10], activation="relu", seed=seed)
    train(net, Adam(CosineDecay(0.01, steps)), X_train, y_train, epochs=epochs,
          batch_size=batch_size, seed=seed, progress=False)
    return np.argmax(net.predict(X_test), axis=1).astype(np.int64)


# ---------------------------------------------------------------------------------------------
# cases and the judge


def _confusion_cases(rng):
    cases = [
        Case("edge: every prediction right", (np.array([0, 1, 2, 2]), np.array([0, 1, 2, 2]), 3)),
        Case("true 0 predicted as 1 twice (row = true class, column = prediction)",
             (np.array([0, 0, 1]), np.array([1, 1, 1]), 2)),
        Case("a class that never occurs (n_classes = 4, labels only 0..2)",
             (np.array([2, 0, 1, 2]), np.array([2, 1, 1, 0]), 4)),
    ]
    for k in range(3):
        n, c = int(rng.integers(5, 40)), int(rng.integers(2, 11))
        cases.append(Case(f"random #{k + 1}: N={n}, {c} classes",
                          (rng.integers(0, c, size=n), rng.integers(0, c, size=n), c)))
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


EXERCISES = [
    Exercise(
        id="confusion_matrix",
        notebook=NOTEBOOK,
        points=1,
        reference=confusion_matrix,
        make_cases=_confusion_cases,
        hint="Start from np.zeros((n_classes, n_classes), dtype=int) and add 1 at "
             "[y_true[n], y_pred[n]] for every n (rows: true class, columns: prediction).",
    ),
    Exercise(
        id="train_and_predict",
        notebook=NOTEBOOK,
        points=4,
        reference=train_and_predict,
        make_cases=_train_cases,
        hint="Train MLP([64, 64, 10]) with Adam(CosineDecay(0.01, steps)) and train(..., progress=False) "
             "on ALL of X_train for about 15 epochs, and return np.argmax of the outputs for X_test "
             "as integers (never load_digits, YourMLP or make_optimizer: see grading_preview).",
        judge=accuracy_judge,
        forbidden=(load_digits,),   # the test digits come from there: no looking up the answers
        timeout=120.0,
        check_seeds=1,             # each case trains a network for seconds: check() runs seed 0 only
    ),
]
