"""Exercises of 11_capstone_digits: the confusion matrix, the training loop and the sanity checks
are compared; the training run returns its network, which the check evaluates on held-out, noisy
digits it never hands to the student's code (>= 0.93); a nearest-neighbour "network" and a lookup
in the digits' file score 0 in check() and in the grader; course_lib's own training code scores 0.

(The contract every exercise shares, reference passes, hint levels, named outputs, mistakes that
fail, lives in tests/test_hints.py; here only what is particular to this notebook.)
"""

import copy
import json
import math
import os
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import course_lib
from course_lib import checking, exercises, nn, optimizers, training
from course_lib.checking import evaluate, report
from course_lib.data import load_digits
from course_lib.exercises import nb11_capstone_digits as ex
from course_lib.exercises.nb11_capstone_digits import (
    ACCURACY_THRESHOLD,
    MAX_HIDDEN,
    N_TRAIN,
    accuracy_judge,
    confusion_matrix,
    network_accuracy,
    sanity_checks,
    train_network,
)
from course_lib.training import sanity_warnings

ROOT = Path(__file__).resolve().parent.parent
DIGITS_FILE = Path(course_lib.__file__).parent / "datafiles" / "digits.npz"


def test_threshold_is_the_stated_one():
    assert ACCURACY_THRESHOLD == 0.93
    text = json.dumps(json.loads((ROOT / "solutions" / "11_capstone_digits.ipynb").read_text()))
    assert "at least 93%" in text and "95%" not in text


def test_every_exercise_has_levelled_hints_and_named_outputs():
    for exercise in ex.EXERCISES:
        assert len(exercise.hints) >= 2 and exercise.outputs and exercise.mistakes
        for hint in exercise.hints:
            assert not re.search(r"np\.|=|\w\(|\*\*", hint), hint   # no numpy, assignment, call


def test_confusion_matrix_by_hand():
    C = confusion_matrix(np.array([0, 0, 1, 2]), np.array([1, 1, 1, 0]), 3)
    np.testing.assert_array_equal(C, [[0, 2, 0], [0, 1, 0], [1, 0, 0]])


def test_a_fixed_case_lacks_the_highest_class():
    """A width taken from the labels (y.max() + 1) must fail on the fixed cases, whatever the seed."""
    for exercise_id in ("confusion_matrix", "train_epochs", "sanity_checks"):
        fixed = [c for c in exercises.get(exercise_id).cases(0) if not c.name.startswith("random")]
        assert any("highest class" in c.name or "never occurs" in c.name for c in fixed), exercise_id


def _manual_loop(X, y, params, alpha, beta, epochs, batch_size, seed):
    """The loop written out with course_lib's own momentum_update, as an independent check."""
    rng = np.random.default_rng(seed)
    params = [p.copy() for p in params]
    velocity = [np.zeros_like(p) for p in params]
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        seen = 0.0
        for first in range(0, len(X), batch_size):
            batch = order[first:first + batch_size]
            net = nn.MLP([X.shape[1], params[0].shape[1], params[2].shape[1]])
            net.params = params
            loss, grads = net.loss_and_grads(X[batch], y[batch], loss="cross_entropy")
            for k in range(len(params)):
                params[k], velocity[k] = optimizers.momentum_update(params[k], velocity[k], grads[k],
                                                                    alpha, beta)
            seen += loss * len(batch)
        losses.append(seen / len(X))
    return params, np.array(losses)


def test_train_epochs_cases_match_an_independent_loop():
    for case in exercises.get("train_epochs").cases(3):
        params, losses = training.train_epochs(*case.args)
        want_params, want_losses = _manual_loop(*case.args)
        np.testing.assert_allclose(losses, want_losses, rtol=1e-12, atol=1e-14)
        for a, b in zip(params, want_params, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------------------------------------
# train_network: the check evaluates the returned network on digits the student's code never sees


def test_the_held_out_digits_are_secret_noisy_and_not_rows_of_the_file():
    X, y = load_digits()
    rows = {row.tobytes() for row in X}
    for seed in (0, 5):
        for case in exercises.get("train_network").cases(seed):
            X_train, y_train, case_seed = case.args
            X_held, y_held = case.secret["X_held"], case.secret["y_held"]
            assert X_train.shape == (N_TRAIN, 64) and len(X_held) == len(X) - N_TRAIN
            assert not any(row.tobytes() in rows for row in X_held)         # noise: no lookup
            # the held-out digits are the other digits of the file, with their labels, noisy
            train_rows = {row.tobytes() for row in X_train}
            others = np.array([k for k, row in enumerate(X) if row.tobytes() not in train_rows])
            nearest = np.argmin(((X_held[:, None, :] - X[others][None]) ** 2).sum(axis=2), axis=1)
            assert np.mean(y[others][nearest] == y_held) > 0.99
            assert 0.02 < np.std(X_held - X[others][nearest]) < 0.06


def test_the_cases_are_different_random_splits():
    cases = exercises.get("train_network").cases(seed=3)
    assert len(cases) == 3
    firsts = {int(c.secret["y_held"][:20] @ np.arange(20)) for c in cases}
    assert len(firsts) == len(cases)


@pytest.fixture(scope="module")
def trained():
    case = exercises.get("train_network").cases(0)[0]
    return case, train_network(*case.args)


def test_the_judge_classifies_the_held_out_digits_itself(trained):
    case, params = trained
    X_held, y_held = case.secret["X_held"], case.secret["y_held"]
    W1, b1, W2, b2 = params
    by_hand = np.mean(np.argmax(np.maximum(X_held @ W1 + b1, 0) @ W2 + b2, axis=1) == y_held)
    assert network_accuracy(params, X_held, y_held) == pytest.approx(by_hand)
    assert by_hand >= ACCURACY_THRESHOLD + 0.02 and accuracy_judge(case, None, params) is None
    spoiled = [W1, b1, W2.copy(), b2]           # a network that is right on fewer digits fails
    spoiled[2][:, :3] = 0.0
    assert "below the required 93%" in accuracy_judge(case, None, spoiled)


@pytest.mark.parametrize("change, words", [
    (lambda p: p[:3], "list of 4 arrays"),
    (lambda p: p[0], "list of 4 arrays"),
    (lambda p: [p[0][:32], p[1], p[2], p[3]], "W1 has shape (32, 64)"),
    (lambda p: [p[0], p[1][:-1], p[2], p[3]], "b1 has shape"),
    (lambda p: [p[0], p[1], p[2][:, :9], p[3][:9]], "W2 has shape"),
    (lambda p: [np.hstack([p[0]] * 3), np.hstack([p[1]] * 3), np.vstack([p[2]] * 3), p[3]],
     f"at most {MAX_HIDDEN}"),
    (lambda p: [p[0] * np.nan, p[1], p[2], p[3]], "nan or inf"),
    (lambda p: [p[0], p[1], "W2", p[3]], "array of numbers"),
])
def test_a_malformed_network_is_told_what_is_wrong(trained, change, words):
    case, params = trained
    reason = accuracy_judge(case, None, change([np.array(p) for p in params]))
    assert reason is not None and words in reason, reason


def test_a_pass_shows_the_accuracy_and_the_margin():
    outcome = evaluate("train_network", train_network, watch_references=False)
    assert outcome.passed, outcome.message
    text = report(outcome)
    found = re.search(r"held-out accuracy (\d+\.\d)%, (\d+\.\d)%, (\d+\.\d)% \(3 splits\): "
                      r"(\d+\.\d) points above the required 93% at the lowest", text)
    assert found, text
    low = min(float(found.group(k)) for k in (1, 2, 3))
    assert float(found.group(4)) == pytest.approx(low - 93.0, abs=0.051)


def test_a_failure_shows_no_summary():
    def untrained(X_train, y_train, seed):
        return [np.zeros((64, 8)), np.zeros(8), np.zeros((8, 10)), np.zeros(10)]

    outcome = evaluate("train_network", untrained)
    assert not outcome.passed and "held-out accuracy" not in report(outcome)


# The two cheats of issue 21. Each must score 0 in check() and in the grader.

def _own_training(X, y, seed, epochs=20):
    """An honest 64-64-10 network trained with numpy only (momentum SGD, batches of 32)."""
    rng = np.random.default_rng(seed)
    params = [rng.normal(0, np.sqrt(2 / 64), (64, 64)), np.zeros(64),
              rng.normal(0, np.sqrt(2 / 64), (64, 10)), np.zeros(10)]
    velocity = [np.zeros_like(p) for p in params]
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for first in range(0, len(X), 32):
            xb, yb = X[order[first:first + 32]], y[order[first:first + 32]]
            z = xb @ params[0] + params[1]
            h = np.maximum(z, 0)
            do = nn.softmax(h @ params[2] + params[3])
            do[np.arange(len(yb)), yb] -= 1
            do /= len(yb)
            dz = (do @ params[2].T) * (z > 0)
            grads = [xb.T @ dz, dz.sum(0), h.T @ do, do.sum(0)]
            velocity = [0.9 * v - 0.05 * g for v, g in zip(velocity, grads)]
            params = [p + v for p, v in zip(params, velocity)]
    return params


def nearest_neighbour_network(X_train, y_train, seed):
    """1-nearest-neighbour written as a network: one hidden unit per training digit, scoring
    s (x . x_n - |x_n|^2 / 2), and an output that adds the units of each class."""
    s = 50.0
    return [s * X_train.T, -s * 0.5 * np.sum(X_train**2, axis=1), np.eye(10)[y_train], np.zeros(10)]


def nearest_prototypes_network(X_train, y_train, seed):
    """The same with MAX_HIDDEN training digits only (12 or 13 per class): within the size limit."""
    keep = np.concatenate([np.flatnonzero(y_train == c)[:13] for c in range(10)])[:MAX_HIDDEN]
    return nearest_neighbour_network(X_train[keep], y_train[keep], seed)


def reads_the_digits_file(X_train, y_train, seed):
    """Looks the digits up in the data file and trains on all of them, the held-out ones included."""
    if np.ndim(X_train) != 2:          # (tests/test_one_verdict.py tries it on other exercises too)
        raise ValueError("expected digits")
    path = os.path.join(os.path.dirname(course_lib.__file__), "datafiles", "digits.npz")
    with np.load(path) as data:
        X = data["images"].reshape(len(data["images"]), 64) / 16.0
        y = data["labels"]
    return _own_training(X, y, seed)


def predicts_labels(X_train, y_train, seed):
    """The old interface's answer: labels, here of the training digits (no test digits are given)."""
    W1, b1, W2, b2 = _own_training(X_train, y_train, seed)
    return np.argmax(np.maximum(X_train @ W1 + b1, 0) @ W2 + b2, axis=1)


@pytest.mark.parametrize("cheat, why", [
    (nearest_neighbour_network, f"at most {MAX_HIDDEN} are accepted"),
    (nearest_prototypes_network, "below the required 93%"),
    (reads_the_digits_file, "FileNotFoundError"),
    (predicts_labels, "list of 4 arrays"),
])
def test_the_cheats_fail_check(cheat, why):
    outcome = evaluate("train_network", cheat)
    assert not outcome.passed and why in outcome.message, outcome.message


def test_the_file_is_readable_outside_check():
    """The file-reading cheat fails check() because check() hides the file, as the grader does:
    outside check() it reads the file and its network is right on the held-out digits."""
    case = exercises.get("train_network").cases(0)[0]
    assert accuracy_judge(case, None, reads_the_digits_file(*case.args)) is None


CHEATS = {"nearest_neighbour": nearest_neighbour_network, "lookup_in_file": reads_the_digits_file,
          "honest": None}


def _notebook_with(function) -> nbformat.NotebookNode:
    """The solution notebook with train_network replaced by `function`'s source (None: unchanged);
    the notebook's own train_network stays as `honest`, for the cheat that trains on the file."""
    import inspect
    import textwrap

    nb = nbformat.read(ROOT / "solutions" / "11_capstone_digits.ipynb", as_version=4)
    if function is None:
        return nb
    helpers = "import os\nimport course_lib\n\n" + \
        textwrap.dedent(inspect.getsource(nearest_neighbour_network)) + "\n\n"
    body = textwrap.dedent(inspect.getsource(function)) \
        .replace(f"def {function.__name__}(", "def train_network(", 1) \
        .replace("_own_training(X, y, seed)", "honest(X, y, seed)")
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("def train_network("):
            honest = cell.source.replace("def train_network(", "def honest(", 1)
            cell.source = helpers + honest + "\n\n\n" + body
    return nb


def test_the_cheats_score_zero_in_the_grader_and_an_honest_network_full(tmp_path):
    from course_lib.grading import grade

    subs, out = tmp_path / "subs", tmp_path / "out"
    for student, function in CHEATS.items():
        (subs / student).mkdir(parents=True)
        nbformat.write(_notebook_with(function), subs / student / "11_capstone_digits.ipynb")
    summary = grade(subs, out, jobs=1, notebooks=["11_capstone_digits"], progress=False, seed=2027)
    rows = {r["student"]: r for r in summary.rows() if r["exercise"] == "train_network"}
    assert rows["honest"]["points"] == 4.0, rows["honest"]
    assert rows["nearest_neighbour"]["points"] == 0.0
    assert f"at most {MAX_HIDDEN}" in rows["nearest_neighbour"]["message"], rows["nearest_neighbour"]
    assert rows["lookup_in_file"]["points"] == 0.0
    assert "digits.npz" in rows["lookup_in_file"]["message"], rows["lookup_in_file"]


# ---------------------------------------------------------------------------------------------
# course_lib's own code scores 0


def _with_course_mlp(X_train, y_train, seed):
    net = nn.MLP([64, 64, 10], seed=seed)
    training.train(net, optimizers.Momentum(0.05), X_train, y_train, epochs=20, seed=seed, progress=False)
    return net.params


def _with_course_loop(X_train, y_train, seed):
    rng = np.random.default_rng(seed)
    params = [rng.normal(0, 0.18, (64, 64)), np.zeros(64), rng.normal(0, 0.17, (64, 10)), np.zeros(10)]
    return training.train_epochs(X_train, y_train, params, 0.05, 0.9, 20, 32, seed)[0]


def _with_course_adam_update(X_train, y_train, seed):
    optimizers.adam_update(np.zeros(1), np.zeros(1), np.zeros(1), 0, np.ones(1), 0.1, 0.9, 0.999, 1e-8)
    return ex.train_network(X_train, y_train, seed)


@pytest.mark.parametrize("shortcut", [_with_course_mlp, _with_course_loop, _with_course_adam_update])
def test_course_training_code_scores_zero_in_the_capstone(shortcut):
    outcome = evaluate("train_network", shortcut)
    assert outcome.status == "failed" and "reference code" in outcome.message


def test_course_loop_scores_zero_in_the_loop_exercise():
    def calls_the_loop(X, y, params, alpha, beta, epochs, batch_size, seed):
        return training.train_epochs(X, y, params, alpha, beta, epochs, batch_size, seed)

    outcome = evaluate("train_epochs", calls_the_loop)
    assert outcome.status == "failed" and "reference code" in outcome.message


def test_off_limits_covers_every_optimizer_and_the_mlp():
    from course_lib.grading.references import reference_functions

    off = set(ex.OFF_LIMITS)
    assert {nn.MLP, optimizers.adam_update, optimizers.Adam, training.train, training.train_epochs} <= off
    watched = set(reference_functions(exercises.for_notebook("11_capstone_digits")))   # classes expanded
    assert {nn.MLP.loss_and_grads, nn.MLP.forward, optimizers.Optimizer.step, optimizers.adam_update,
            training.train} <= watched
    assert nn.softmax not in off and nn.softmax not in watched   # building blocks stay allowed


# ---------------------------------------------------------------------------------------------
# mlp_backward: notebook 11 defines it and checks it by gradients, but does not grade it


def test_notebook_11_checks_only_its_own_exercises():
    """A check("mlp_backward") in 11 would print 05's points for what 11 does not grade."""
    own = {e.id for e in exercises.for_notebook("11_capstone_digits")}
    for folder in ("solutions", "notebooks"):
        nb = nbformat.read(ROOT / folder / "11_capstone_digits.ipynb", as_version=4)
        checked = {m for c in nb.cells if c.cell_type == "code"
                   for m in re.findall(r"^check\(\"(\w+)\"", c.source, re.M)}
        assert checked == own, (folder, checked)
        text = "\n".join(c.source for c in nb.cells)
        assert "paste yours from notebook 05 **together with every\nfunction of yours it calls**" in text
        assert "`mlp_backward` is not graded here" in text


# ---------------------------------------------------------------------------------------------
# sanity_checks


def test_sanity_checks_by_hand():
    """Zero weights: every softmax is uniform, so the initial loss is exactly ln K."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 5)), rng.integers(0, 4, size=30)
    zeros = [np.zeros((5, 6)), np.zeros(6), np.zeros((6, 4)), np.zeros(4)]
    initial, overfit, falls = sanity_checks(X, y, zeros, 0.5, 3)
    assert initial == pytest.approx(math.log(4), rel=1e-12)
    assert falls is True and overfit < initial
    small = [0.3 * rng.normal(size=(5, 32)), np.zeros(32), 0.3 * rng.normal(size=(32, 4)), np.zeros(4)]
    before = copy.deepcopy(small)
    initial, overfit, falls = sanity_checks(X, y, small, 1.0, 2000)
    assert overfit < 0.05 and falls                              # 20 examples can be memorised
    for a, b in zip(small, before):
        np.testing.assert_array_equal(a, b)                      # params unchanged


def sanity_on_all_examples(X, y, params, alpha, steps):
    """Overfits every example instead of the first 20, and measures the initial loss on 20."""
    initial = sanity_checks(X[:20], y[:20], params, alpha, steps)[0]
    return initial, *sanity_checks(X, y, params, alpha, steps)[1:]


def sanity_in_place(X, y, params, alpha, steps):
    """Right numbers, but trains the given arrays in place."""
    initial, overfit, falls = sanity_checks(X, y, params, alpha, steps)
    for p in params:
        p -= 0.0 * p + 1e-3
    return initial, overfit, falls


def _losses_of_the_first_steps(X, y, params, alpha, steps):
    """L_20(theta_0), ..., L_20(theta_steps) of the overfitting run, written out here."""
    theta, losses = list(params), []
    for _ in range(steps + 1):
        loss, grads = training.mlp_loss_and_grads(theta, X[:20], y[:20])
        losses.append(loss)
        theta = [p - alpha * g for p, g in zip(theta, grads)]
    return losses


def sanity_falls_after_one_step(X, y, params, alpha, steps):
    initial, overfit, _ = sanity_checks(X, y, params, alpha, steps)
    losses = _losses_of_the_first_steps(X, y, params, alpha, 1)
    return initial, overfit, bool(losses[1] < losses[0])


def sanity_falls_as_a_number(X, y, params, alpha, steps):
    """Returns the drop in loss instead of True/False."""
    initial, overfit, _ = sanity_checks(X, y, params, alpha, steps)
    losses = _losses_of_the_first_steps(X, y, params, alpha, 3)
    return initial, overfit, losses[0] - losses[3]


@pytest.mark.parametrize("wrong", [sanity_on_all_examples, sanity_in_place, sanity_falls_after_one_step,
                                   sanity_falls_as_a_number])
def test_wrong_sanity_checks_fail(wrong):
    assert not evaluate("sanity_checks", wrong).passed


@pytest.mark.parametrize("checks, words", [
    ((2.31, 0.01, True), None),
    ((9.5, 0.01, True), "far from ln 10 = 2.30"),
    ((0.4, 0.01, True), "far from ln 10 = 2.30"),
    ((2.31, 0.8, True), "could not be overfitted"),
    ((2.31, 0.01, False), "did not fall in the first 3 steps"),
    ((float("nan"), float("nan"), False), "far from ln 10"),
])
def test_sanity_warnings_name_each_failure(checks, words):
    found = sanity_warnings(*checks, n_classes=10)
    if words is None:
        assert found == []
    else:
        assert any(words in w for w in found), found
    if checks[1] != checks[1]:
        assert len(found) == 3                                   # nan fails all three


def test_the_notebook_measures_the_initial_loss_after_a_prediction():
    nb = nbformat.read(ROOT / "notebooks" / "11_capstone_digits.ipynb", as_version=4)
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    k = next(i for i, s in enumerate(sources) if s.startswith("my_initial_loss = None"))
    assert "np.log(10)" in sources[k + 1] and "mlp_loss(X_train, y_train" in sources[k + 1]


def test_sanity_checks_is_graded_after_the_training_loop_and_before_the_graded_run():
    ids = [e.id for e in exercises.for_notebook("11_capstone_digits")]
    assert ids == ["confusion_matrix", "train_epochs", "sanity_checks", "train_network"]
    assert exercises.get("sanity_checks").points > 0


def test_check_hides_the_data_file_only_while_the_students_code_runs():
    with checking.hidden_as_in_the_grader():
        with pytest.raises(FileNotFoundError, match="grader hides"):
            np.load(DIGITS_FILE)
    with np.load(DIGITS_FILE) as data:                         # outside check() it is readable
        assert data["labels"].shape == (1797,)
