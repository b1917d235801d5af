"""Exercises of 11_capstone_digits: the confusion matrix is compared, the training run is judged
by its accuracy on held-out digits (>= 0.95); weak or malformed answers fail."""

import numpy as np
import pytest

from course_lib import exercises
from course_lib.checking import evaluate
from course_lib.exercises.nb11_capstone_digits import ACCURACY_THRESHOLD, accuracy_judge, confusion_matrix


def test_threshold_is_the_stated_95_percent():
    assert ACCURACY_THRESHOLD == 0.95


def test_confusion_matrix_by_hand():
    C = confusion_matrix(np.array([0, 0, 1, 2]), np.array([1, 1, 1, 0]), 3)
    np.testing.assert_array_equal(C, [[0, 2, 0], [0, 1, 0], [1, 0, 0]])


def test_confusion_reference_passes_and_mistakes_fail():
    assert evaluate("confusion_matrix", confusion_matrix, watch_references=False).passed
    wrong = [
        lambda t, p, k: confusion_matrix(p, t, k),                       # transposed
        lambda t, p, k: confusion_matrix(t, p, int(max(t.max(), p.max())) + 1),  # ignores n_classes
        lambda t, p, k: confusion_matrix(t, p, k) / len(t),              # normalised
        lambda t, p, k: (confusion_matrix(t, p, k) > 0).astype(int),     # counts only once
    ]
    for k, w in enumerate(wrong):
        assert evaluate("confusion_matrix", w).status in ("failed", "error"), k


def _case():
    return exercises.get("train_and_predict").cases(seed=0)[0]


def test_judge_reads_the_secret_labels_and_applies_the_threshold():
    case = _case()
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


def test_train_and_predict_reference_passes_on_random_splits():
    outcome = evaluate("train_and_predict", exercises.get("train_and_predict").reference, seed=7,
                       watch_references=False)
    assert outcome.passed, outcome.message


def _weak(X_train, y_train, X_test, seed):   # nearest class mean: about 0.9 on the digits
    means = np.stack([X_train[y_train == c].mean(axis=0) for c in range(10)])
    return np.argmin(((X_test[:, None, :] - means[None]) ** 2).sum(axis=2), axis=1)


@pytest.mark.parametrize("bad, status", [
    (_weak, "failed"),
    (lambda X_train, y_train, X_test, seed: np.zeros(len(X_test), dtype=int), "failed"),
    (lambda X_train, y_train, X_test, seed: np.eye(10)[np.zeros(len(X_test), dtype=int)], "failed"),
])
def test_weak_or_malformed_models_fail(bad, status):
    assert evaluate("train_and_predict", bad).status == status


def test_cases_are_different_random_splits():
    cases = exercises.get("train_and_predict").cases(seed=3)
    assert len(cases) >= 3
    firsts = {int(c.secret["y_test"][:20] @ np.arange(20)) for c in cases}
    assert len(firsts) == len(cases)
