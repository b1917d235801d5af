"""Exercises of 11_capstone_digits: the confusion matrix and the training loop are compared, the
training run is judged by its accuracy on held-out digits (>= 0.95); every listed mistake fails,
and course_lib's own training code scores 0.

(The contract every exercise shares, reference passes, hint levels, named outputs, mistakes that
fail, lives in tests/test_hints.py; here only what is particular to this notebook.)
"""

import re

import numpy as np
import pytest

from course_lib import exercises, nn, optimizers, training
from course_lib.checking import evaluate
from course_lib.exercises import nb11_capstone_digits as ex
from course_lib.exercises.nb11_capstone_digits import ACCURACY_THRESHOLD, accuracy_judge, confusion_matrix


def test_threshold_is_the_stated_95_percent():
    assert ACCURACY_THRESHOLD == 0.95


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
    for exercise_id in ("confusion_matrix", "train_epochs"):
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


def test_judge_reads_the_secret_labels_and_applies_the_threshold():
    case = exercises.get("train_and_predict").cases(seed=0)[0]
    y = case.secret["y_test"]
    assert len(case.args) == 4 and case.args[2].shape[0] == y.shape[0]
    assert accuracy_judge(case, None, y.copy()) is None
    wrong = y.copy()
    n_bad = int(np.ceil(0.06 * len(y)))           # 94% right: fails
    wrong[:n_bad] = (wrong[:n_bad] + 1) % 10
    assert "below the required 0.95" in accuracy_judge(case, None, wrong)
    ok = y.copy()
    n_bad = int(np.floor(0.04 * len(y)))           # 96% right: passes
    ok[:n_bad] = (ok[:n_bad] + 1) % 10
    assert accuracy_judge(case, None, ok) is None
    assert "shape" in accuracy_judge(case, None, y[:-1])
    assert "integer" in accuracy_judge(case, None, y + 0.5)


@pytest.mark.parametrize("bad", [
    lambda X_train, y_train, X_test, seed: np.zeros(len(X_test), dtype=int),
    lambda X_train, y_train, X_test, seed: np.eye(10)[np.zeros(len(X_test), dtype=int)],
])
def test_malformed_answers_fail(bad):
    assert evaluate("train_and_predict", bad).status == "failed"


def _with_course_mlp(X_train, y_train, X_test, seed):
    net = nn.MLP([64, 64, 10], seed=seed)
    training.train(net, optimizers.Momentum(0.05), X_train, y_train, epochs=20, seed=seed, progress=False)
    return np.argmax(net.predict(X_test), axis=1)


def _with_course_loop(X_train, y_train, X_test, seed):
    rng = np.random.default_rng(seed)
    params = [rng.normal(0, 0.18, (64, 64)), np.zeros(64), rng.normal(0, 0.17, (64, 10)), np.zeros(10)]
    params, _ = training.train_epochs(X_train, y_train, params, 0.05, 0.9, 30, 32, seed)
    W1, b1, W2, b2 = params
    return np.argmax(np.maximum(X_test @ W1 + b1, 0) @ W2 + b2, axis=1)


def _with_course_adam_update(X_train, y_train, X_test, seed):
    optimizers.adam_update(np.zeros(1), np.zeros(1), np.zeros(1), 0, np.ones(1), 0.1, 0.9, 0.999, 1e-8)
    return ex.train_and_predict(X_train, y_train, X_test, seed)


@pytest.mark.parametrize("shortcut", [_with_course_mlp, _with_course_loop, _with_course_adam_update])
def test_course_training_code_scores_zero_in_the_capstone(shortcut):
    outcome = evaluate("train_and_predict", shortcut)
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


def test_cases_are_different_random_splits():
    cases = exercises.get("train_and_predict").cases(seed=3)
    assert len(cases) >= 3
    firsts = {int(c.secret["y_test"][:20] @ np.arange(20)) for c in cases}
    assert len(firsts) == len(cases)
