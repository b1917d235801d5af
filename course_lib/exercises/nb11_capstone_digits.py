"""Exercises of 11_capstone_digits: a confusion matrix, the minibatch training loop, and a whole
training run with the student's own code, graded by the accuracy it reaches on digits it never saw.

`train_epochs` is compared with course_lib.training.train_epochs (the loop that
course_lib.training.train runs), case by case, and `sanity_checks` (the initial loss, overfitting
20 examples, the loss falling in the first steps) with its reference here. `train_network` is
judged, not compared: it returns the trained parameters [W1, b1, W2, b2], and the judge
classifies held-out digits with them by course_lib.nn's forward pass: right when at least
ACCURACY_THRESHOLD are correct. The held-out digits (Case.secret) are never handed to the
student's code and carry pixel noise drawn with the case, so they are not rows of the data file
either: neither a nearest-neighbour lookup nor reading the file can stand in for training. Each
case is a random split: N_TRAIN training digits, the rest held out.

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


CAPSTONE = {"hidden": 64, "alpha": 0.05, "beta": 0.9, "epochs": 20, "batch_size": 32}
"""The reference's settings: 64-64-10 ReLU MLP, He initialization, SGD with momentum."""

ACCURACY_THRESHOLD = 0.93
"""What the trained network must reach on the held-out digits (with pixel noise) of every split."""
N_TRAIN = 1000
"""Training digits handed to train_network; the other 797 are held out (in Case.secret)."""
MAX_HIDDEN = 128
"""The widest hidden layer accepted: a wider one could store the training digits themselves (a
lookup table with one hidden unit per digit), which is not a trained network."""
NOISE = 0.05
"""Standard deviation of the pixel noise added to the held-out digits (a grey level is 1/16)."""


def train_network(X_train, y_train, seed):
    """Train a 64-64-10 ReLU MLP on (X_train, y_train); return its parameters [W1, b1, W2, b2].

    He initialization W ~ N(0, 2 / fan_in) (seeded with `seed`, biases 0), then train_epochs:
    SGD with momentum (alpha = 0.05, beta = 0.9), minibatches of 32, 20 epochs, shuffled with
    `seed`. Shapes: X_train (N, 64), y_train (N,) labels 0..9 -> [W1 (64, H), b1 (H,),
    W2 (H, 10), b2 (10,)] with H = 64. The check classifies held-out digits with them:
    arg max of relu(X W1 + b1) W2 + b2.
    """
    rng = np.random.default_rng(seed)
    sizes = [X_train.shape[1], CAPSTONE["hidden"], 10]
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params += [rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out)), np.zeros(fan_out)]
    params, _ = train_epochs(X_train, y_train, params, CAPSTONE["alpha"], CAPSTONE["beta"],
                             CAPSTONE["epochs"], CAPSTONE["batch_size"], seed)
    return params


def network_accuracy(params, X, y) -> float:
    """Accuracy of the ReLU MLP [W1, b1, W2, b2] on (X, y), by course_lib.nn's forward pass:

        o = relu(X W1 + b1) W2 + b2,   accuracy = mean[arg max o_n = y_n]
    """
    W1, b1, W2, b2 = (np.asarray(p, dtype=np.float64) for p in params)
    hidden = nn.relu_forward(nn.linear_forward(X, W1, b1))
    return float(np.mean(np.argmax(nn.linear_forward(hidden, W2, b2), axis=1) == y))


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


def _split_case(name, seed):
    """A random split of the digits: N_TRAIN training digits for the student's function; the
    other 797 held out, with pixel noise N(0, NOISE^2) (clipped to [0, 1]) drawn from the same
    seed, in the case's secret: never handed to the student's code, and not rows of the data
    file either."""
    X, y = load_digits()
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(X))
    train_, held = order[:N_TRAIN], order[N_TRAIN:]
    X_held = np.clip(X[held] + NOISE * rng.normal(size=X[held].shape), 0.0, 1.0)
    return Case(name, (X[train_], y[train_], int(seed)), secret={"X_held": X_held, "y_held": y[held]})


def _train_cases(rng):
    cases = [_split_case("split 0: 1,000 training digits, 797 held out with pixel noise", seed=0)]
    for k in range(2):
        seed = int(rng.integers(1, 2**31 - 1))
        cases.append(_split_case(f"random split #{k + 1} (seed {seed})", seed=seed))
    return cases


def _network_problem(params, n_in):
    """None if params is [W1 (n_in, H), b1 (H,), W2 (H, 10), b2 (10,)] with 1 <= H <= MAX_HIDDEN
    and finite numbers, else what is wrong with it."""
    if not isinstance(params, (list, tuple)) or len(params) != 4:
        what = f"{len(params)} values" if isinstance(params, (list, tuple)) else type(params).__name__
        return ("expected the trained parameters [W1, b1, W2, b2] (a list of 4 arrays), got " + what
                + "; the check classifies the held-out digits with them itself")
    arrays = []
    for name, p in zip(("W1", "b1", "W2", "b2"), params):
        a = np.asarray(p) if isinstance(p, (np.ndarray, list, tuple, float, int)) else None
        if a is None or a.dtype.kind not in "iuf":
            return f"{name} must be an array of numbers, got {type(p).__name__}"
        arrays.append(a)
    W1, b1, W2, b2 = arrays
    hidden = W1.shape[1] if W1.ndim == 2 else -1
    want = {"W1": (n_in, hidden), "b1": (hidden,), "W2": (hidden, 10), "b2": (10,)}
    for name, a in zip(want, arrays):
        if a.shape != want[name] or hidden < 1:
            return (f"{name} has shape {a.shape}; a 64-H-10 network needs W1 (64, H), b1 (H,), "
                    f"W2 (H, 10), b2 (10,)")
    if hidden > MAX_HIDDEN:
        return (f"a hidden layer of {hidden} units: at most {MAX_HIDDEN} are accepted (a layer as "
                "wide as the data can store the training digits instead of learning from them)")
    if not all(np.all(np.isfinite(a)) for a in arrays):
        return "the parameters hold nan or inf: the training diverged (lower the learning rate)"
    return None


def accuracy_judge(case, expected, got):
    """Right when the network `got` = [W1, b1, W2, b2] classifies at least ACCURACY_THRESHOLD of
    the held-out digits of the case's secret correctly (network_accuracy: course_lib.nn's forward
    pass, run by the checker, never by the student's code).

    `expected` (the reference's network) is not used: any network that is accurate enough is right.
    """
    X_held, y_held = case.secret["X_held"], case.secret["y_held"]
    problem = _network_problem(got, X_held.shape[1])
    if problem:
        return problem
    accuracy = network_accuracy(got, X_held, y_held)
    if accuracy < ACCURACY_THRESHOLD:
        return (f"your network classifies {accuracy:.1%} of the {len(y_held)} held-out digits "
                f"correctly, below the required {ACCURACY_THRESHOLD:.0%}")
    return None


def accuracy_summary(cases, networks) -> str:
    """On a pass: the accuracy each network reached on its split's held-out digits, and the
    margin of the lowest over the threshold (Exercise.summary)."""
    accuracies = [network_accuracy(params, c.secret["X_held"], c.secret["y_held"])
                  for c, params in zip(cases, networks)]
    shown = ", ".join(f"{a:.1%}" for a in accuracies)
    margin = 100 * (min(accuracies) - ACCURACY_THRESHOLD)
    return (f"held-out accuracy {shown} ({len(accuracies)} splits): {margin:.1f} points above the "
            f"required {ACCURACY_THRESHOLD:.0%} at the lowest")


# ---------------------------------------------------------------------------------------------
# sanity checks before a long run

SANITY_EXAMPLES = 20
"""How many examples the overfitting check trains on (the first ones of X)."""
SANITY_FALL_STEPS = 3
"""The loss must be lower after this many steps than before the first."""


def sanity_checks(X, y, params, alpha, steps):
    """Three checks before a long run, for the ReLU MLP params = [W1, b1, W2, b2] on (X, y):

        initial_loss  L(theta_0) on all of (X, y): the mean softmax cross-entropy before any
                      training (about ln K for K classes when the initial outputs are small)
        overfit_loss  L_20(theta_steps): full-batch gradient descent on the first 20 examples
                      only, theta_{k+1} = theta_k - alpha grad L_20(theta_k), for `steps` steps,
                      and the loss on those 20 examples after the last step (near 0: a network
                      that can learn can memorise 20 examples)
        falls         L_20(theta_3) < L_20(theta_0): the loss on those 20 examples fell within
                      the first 3 steps of that run

    X (N, n_in) with N >= 20, y (N,) labels 0..K-1, K = W2.shape[1]; alpha > 0; steps >= 3.
    Returns (initial_loss, overfit_loss, falls) as (float, float, bool); params is not changed.
    """
    initial_loss, _ = mlp_loss_and_grads(params, X, y)
    X20, y20 = X[:SANITY_EXAMPLES], y[:SANITY_EXAMPLES]
    theta = [np.asarray(p, dtype=np.float64) for p in params]
    losses = []
    for _ in range(steps):
        loss, grads = mlp_loss_and_grads(theta, X20, y20)
        losses.append(loss)
        theta = [p - alpha * g for p, g in zip(theta, grads)]
    losses.append(mlp_loss_and_grads(theta, X20, y20)[0])
    with np.errstate(invalid="ignore"):
        falls = bool(losses[SANITY_FALL_STEPS] < losses[0])
    return float(initial_loss), float(losses[-1]), falls


def _sanity_problem(rng, n, d, h, k, scale=1.0, labels=None):
    X = rng.normal(size=(n, d))
    y = rng.integers(0, k, size=n) if labels is None else np.asarray(labels)
    params = [scale * rng.normal(0, np.sqrt(2 / d), size=(d, h)), np.zeros(h),
              scale * rng.normal(0, np.sqrt(1 / h), size=(h, k)), np.zeros(k)]
    return X, y, params


def _sanity_cases(rng):
    fixed = np.random.default_rng(11)
    cases = []

    def add(name, problem, alpha, steps):
        X, y, params = problem
        cases.append(Case(name, (X, y, params, alpha, steps)))

    add("edge: exactly 20 examples, 3 classes", _sanity_problem(fixed, 20, 4, 16, 3), 0.5, 200)
    add("N = 30: the overfitting run uses the first 20 only; the initial loss all 30",
        _sanity_problem(fixed, 30, 5, 16, 4), 0.5, 150)
    add("large initial weights: the initial loss is far from ln K",
        _sanity_problem(fixed, 25, 6, 12, 5, scale=8.0), 0.05, 100)
    add("alpha = 50: the loss does not fall (falls is False)", _sanity_problem(fixed, 24, 4, 10, 3),
        50.0, 10)
    add("alpha = 3: the loss rises at the first step but is lower after the third (falls is True)",
        _sanity_problem(np.random.default_rng(0), 20, 3, 8, 3), 3.0, 5)
    add("steps = 3: the overfitting loss is the one after step 3", _sanity_problem(fixed, 22, 3, 8, 3),
        0.3, 3)
    add("labels never use the highest class (K = 4 outputs, labels 0..2): the initial loss still "
        "has 4 classes", _sanity_problem(fixed, 21, 3, 8, 4, labels=[0, 1, 2] * 7), 0.5, 50)
    for j in range(2):
        n, k = int(rng.integers(20, 40)), int(rng.integers(2, 6))
        X, y, params = _sanity_problem(rng, n, int(rng.integers(2, 8)), int(rng.integers(4, 20)), k)
        cases.append(Case(f"random #{j + 1}: N = {n}, K = {k}",
                          (X, y, params, float(rng.uniform(0.05, 1.0)), int(rng.integers(3, 60)))))
    return cases


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


def _nearest_mean(X_train, y_train, seed):
    """A nearest-class-mean classifier written as a network: h = x (W1 = I), o_c = m_c.x - |m_c|^2/2."""
    means = np.stack([X_train[y_train == c].mean(axis=0) for c in range(10)])
    return [np.eye(X_train.shape[1]), np.zeros(X_train.shape[1]), means.T, -0.5 * np.sum(means**2, axis=1)]


def _he_init(seed, hidden=64):
    rng = np.random.default_rng(seed)
    return [rng.normal(0, np.sqrt(2 / 64), size=(64, hidden)), np.zeros(hidden),
            rng.normal(0, np.sqrt(2 / hidden), size=(hidden, 10)), np.zeros(10)]


def _too_short(X_train, y_train, seed):
    """One epoch of plain SGD with a small learning rate: far from trained."""
    return train_epochs(X_train, y_train, _he_init(seed), 0.01, 0.0, 1, 32, seed)[0]


def _untrained(X_train, y_train, seed):
    """The initial parameters, returned before training."""
    return _he_init(seed)


def _labels_instead(X_train, y_train, seed):
    """The predicted labels of the training digits instead of the network."""
    W1, b1, W2, b2 = train_network(X_train, y_train, seed)
    return np.argmax(np.maximum(X_train @ W1 + b1, 0) @ W2 + b2, axis=1)


def _sanity_initial_on_20(X, y, params, alpha, steps):
    initial, overfit, falls = sanity_checks(X, y, params, alpha, steps)
    return mlp_loss_and_grads(params, X[:SANITY_EXAMPLES], y[:SANITY_EXAMPLES])[0], overfit, falls


def _sanity_overfit_all(X, y, params, alpha, steps):
    """The overfitting run on all N examples instead of the first 20."""
    return _sanity_run(X, y, params, alpha, steps)


def _sanity_run(X, y, params, alpha, steps, fall_steps=SANITY_FALL_STEPS, extra=0, before_last=False):
    """The overfitting run on all of (X, y), for the mistakes below."""
    theta = [np.asarray(p, dtype=np.float64) for p in params]
    losses = []
    for _ in range(steps + extra):
        loss, grads = mlp_loss_and_grads(theta, X, y)
        losses.append(loss)
        theta = [p - alpha * g for p, g in zip(theta, grads)]
    losses.append(mlp_loss_and_grads(theta, X, y)[0])
    with np.errstate(invalid="ignore"):
        falls = bool(losses[fall_steps] < losses[0])
    initial = mlp_loss_and_grads(params, X, y)[0]
    return float(initial), float(losses[-2] if before_last else losses[-1]), falls


def _sanity_variant(**wrong):
    def function(X, y, params, alpha, steps):
        initial = sanity_checks(X, y, params, alpha, steps)[0]
        _, overfit, falls = _sanity_run(X[:SANITY_EXAMPLES], y[:SANITY_EXAMPLES], params, alpha, steps,
                                        **wrong)
        return initial, overfit, falls
    return function


def _sanity_ascent(X, y, params, alpha, steps):
    """Gradient ascent: theta + alpha g."""
    return _sanity_variant()(X, y, params, -alpha, steps)


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
        id="sanity_checks",
        notebook=NOTEBOOK,
        points=2,
        reference=sanity_checks,
        make_cases=_sanity_cases,
        hints=("Three separate measurements: the loss of the untouched parameters on all the data; "
               "a short run of plain gradient descent on the first 20 examples only, and the loss "
               "on those 20 after its last step; and whether that run's loss after its third step "
               "is below its starting loss.",
               "Start the overfitting run from a copy of the given parameters and leave them "
               "unchanged; each step moves every parameter array against its gradient, scaled by "
               "alpha. After `steps` steps you have taken exactly that many gradients.",
               "The loss after step k is the loss at the parameters after k updates: the loss at "
               "the start is step 0, so the third step's loss is the fourth one you can measure."),
        mistakes=(Mistake("the initial loss measured on the first 20 examples instead of all of X",
                          _sanity_initial_on_20),
                  Mistake("the overfitting run on all N examples instead of the first 20",
                          _sanity_overfit_all),
                  Mistake("one step too many in the overfitting run", _sanity_variant(extra=1)),
                  Mistake("the loss before the last step instead of after it",
                          _sanity_variant(before_last=True)),
                  Mistake("falls judged after one step instead of three", _sanity_variant(fall_steps=1)),
                  Mistake("gradient ascent (theta + alpha g) instead of descent", _sanity_ascent)),
        outputs=("initial_loss", "overfit_loss", "falls"),
        rtol=1e-6,
        atol=1e-9,
        forbidden=OFF_LIMITS,
    ),
    Exercise(
        id="train_network",
        notebook=NOTEBOOK,
        points=4,
        reference=train_network,
        make_cases=_train_cases,
        hints=("Initialise a 64-H-10 network with small random weights from the seed (He "
               "initialisation), train it with your own train_epochs on all of X_train, and "
               "return the list of its four trained parameter arrays: the check itself classifies "
               "digits your function never sees.",
               "Plain SGD needs many epochs; momentum with a moderate learning rate over about 20 "
               "epochs gets there. Try your settings on a held-out part of X_train (or the "
               "validation set of this notebook) before you hand them in, and leave a margin.",
               "Return the parameters in the order W1, b1, W2, b2 with shapes 64 by H, H, H by 10 "
               "and 10, H at most 128. Only your own functions and numpy count: course_lib's MLP, "
               "optimizers and training loop score 0 here."),
        mistakes=(Mistake("a nearest-class-mean classifier (about 0.90 on the noisy held-out digits)",
                          _nearest_mean),
                  Mistake("one epoch of plain SGD with a small learning rate", _too_short),
                  Mistake("the initial parameters, before training", _untrained),
                  Mistake("predicted labels instead of the network's parameters", _labels_instead)),
        outputs=("params",),
        judge=accuracy_judge,
        summary=accuracy_summary,
        forbidden=OFF_LIMITS,
        timeout=60.0,
        check_seeds=1,             # each case trains a network: check() runs seed 0 only
    ),
]
