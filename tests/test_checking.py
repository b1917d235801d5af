"""check(): what a student sees for right, wrong, unfinished and broken functions."""

import numpy as np
import pytest

from course_lib import checking, exercises
from course_lib.checking import check, evaluate
from course_lib.exercises import compare


def right_mse(o, y):
    return float(np.mean((np.asarray(o) - np.asarray(y)) ** 2))


def test_reference_passes_every_exercise():
    for ex in exercises.all_exercises():
        outcome = evaluate(ex.id, ex.reference, watch_references=False)
        assert outcome.passed, (ex.id, outcome.message)
        assert outcome.n_cases >= 3


def test_wrong_mse_is_rejected_naming_the_case(capsys):
    def half_mse(o, y):  # the classic 1/2 factor
        return 0.5 * np.mean((o - y) ** 2)
    outcome = evaluate("mse", half_mse)
    assert outcome.status == "failed"
    assert outcome.case is not None and "max abs error" in outcome.message
    check("mse", half_mse)
    text = capsys.readouterr().out
    assert "❌" in text and outcome.case.name in text and "expected" in text and "hint" in text


def test_unimplemented_is_not_attempted_and_does_not_raise(capsys):
    def mse(o, y):
        # YOUR CODE HERE
        raise NotImplementedError()
    assert evaluate("mse", mse).status == "not_attempted"
    check("mse", mse)
    assert "not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize("bad, words", [
    (lambda o, y: (o - y) ** 2, "expected shape ()"),
    (lambda o, y: np.nan, "NaN"),
    (lambda o, y: "0.5", "expected a number"),
    (lambda o, y: 1 / 0, "ZeroDivisionError"),
])
def test_shape_nan_type_and_exceptions_are_reported(bad, words):
    outcome = evaluate("mse", bad)
    assert outcome.status in ("failed", "error")
    assert words in outcome.message


def test_in_place_modification_is_caught():
    def sneaky(o, y):
        result = right_mse(o, y)
        o[...] = 0
        return result
    outcome = evaluate("mse", sneaky)
    assert outcome.status == "failed" and "in place" in outcome.message


def test_passing_function_is_remembered_and_forgotten_after_a_failure():
    checking.check("mse", right_mse)
    assert checking.implementation("mse", None) is right_mse
    checking.check("mse", lambda o, y: 0.0)
    assert checking.implementation("mse", "ref") == "ref"


def test_unknown_exercise_is_a_message_not_a_crash(capsys):
    check("no_such_exercise", right_mse)
    assert "no exercise 'no_such_exercise'" in capsys.readouterr().out


@pytest.mark.parametrize("expected, got, words", [
    ((1.0, np.zeros(2)), (1.0,), "expected 2 values"),
    ((1.0, np.zeros(2)), (1.0, np.zeros(3)), "output 1"),
    (np.zeros((2, 3)), np.zeros((3, 2)), "expected shape (2, 3), got shape (3, 2)"),
    ({"a": 1.0}, {"b": 1.0}, "expected keys"),
    (np.ones(3), np.array([1.0, np.inf, 1.0]), "inf"),
])
def test_compare_names_the_difference(expected, got, words):
    assert words in compare(expected, got)


def test_compare_accepts_within_tolerance_only():
    assert compare(np.ones(3), np.ones(3) + 1e-12) is None
    assert compare(np.ones(3), np.ones(3) + 1e-3) is not None
    assert compare((1, [2.0, 3.0]), (1, np.array([2.0, 3.0]))) is None


def test_every_exercise_has_hint_points_and_deterministic_cases():
    for ex in exercises.all_exercises():
        assert ex.hint and ex.points > 0
        a, b = ex.cases(seed=5), ex.cases(seed=5)
        assert [c.name for c in a] == [c.name for c in b]
        for ca, cb in zip(a, b):
            assert compare(ca.args, cb.args) is None


def test_calling_the_reference_fails_the_check_as_the_grader_would():
    from course_lib.nn import mse_loss

    def lazy(o, y):
        return mse_loss(o, y)

    outcome = evaluate("mse", lazy)
    assert outcome.status == "failed" and "reference code" in outcome.message
    assert "mse_loss" in outcome.message


def test_a_forbidden_helper_fails_the_check():
    from course_lib.data import load_digits

    def peeking(X_train, y_train, X_test, seed):
        load_digits()
        return np.zeros(len(X_test), dtype=np.int64)

    outcome = evaluate("train_and_predict", peeking)
    assert outcome.status == "failed" and "load_digits" in outcome.message
