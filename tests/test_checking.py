"""check(): what a student sees for right, wrong, unfinished and broken functions."""

import numpy as np
import pytest

from course_lib import checking, exercises
from course_lib.checking import check, evaluate
from course_lib.exercises import compare
from course_lib.grading import wire


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
        for ca, cb in zip(a, b):       # the same data crosses to the grader's sandbox
            assert wire.dumps((ca.args, ca.kwargs)) == wire.dumps((cb.args, cb.kwargs)), (ex.id, ca.name)


def test_calling_the_reference_fails_the_check_as_the_grader_would():
    from course_lib.nn import mse_loss

    def lazy(o, y):
        return mse_loss(o, y)

    outcome = evaluate("mse", lazy)
    assert outcome.status == "failed" and "reference code" in outcome.message
    assert "mse_loss" in outcome.message


def test_a_forbidden_helper_fails_the_check():
    from course_lib.data import load_digits

    def peeking(X_train, y_train, seed):
        load_digits()
        return [np.zeros((64, 8)), np.zeros(8), np.zeros((8, 10)), np.zeros(10)]

    outcome = evaluate("train_network", peeking)
    assert outcome.status == "failed" and "load_digits" in outcome.message


# --- messages that help (issue 12) ------------------------------------------------------------

def adam(theta, s, r, t, g, alpha, beta_1, beta_2, eps):
    """The lecture's Adam, written here: check() watches calls of the registry's reference."""
    t = t + 1
    s = beta_1 * s + (1 - beta_1) * g
    r = beta_2 * r + (1 - beta_2) * g * g
    s_hat, r_hat = s / (1 - beta_1**t), r / (1 - beta_2**t)
    return theta - alpha * s_hat / np.sqrt(r_hat + eps), s, r, t


@pytest.fixture
def named_adam(monkeypatch):
    ex = exercises.get("adam_step")
    monkeypatch.setattr(ex, "outputs", ("theta", "s", "r", "t"))
    monkeypatch.setattr(ex, "hints", ("the moments move first", "look at s", "and then at theta"))
    monkeypatch.setattr(ex, "hint", "the moments move first")
    return ex


def test_every_wrong_output_is_named_state_before_theta(named_adam, capsys):
    def wrong_s_and_theta(*args):
        theta, s, r, t = adam(*args)
        return theta + 1.0, s * 2 + 1.0, r, t

    outcome = evaluate("adam_step", wrong_s_and_theta, watch_references=False)
    named_first = [reason.split(":")[0] for reason in outcome.reasons]
    assert named_first == ["wrong values in s", "wrong values in theta"]
    check("adam_step", wrong_s_and_theta)
    text = capsys.readouterr().out
    assert "output 1" not in text and "s = " in text and "theta = " in text
    assert text.index("wrong values in s") < text.index("wrong values in theta")


def test_hints_come_in_levels(named_adam, capsys):
    def wrong(*args):                  # a slip no misconception names: the ladder alone
        theta, s, r, t = adam(*args)
        return theta * 1.1 + 0.01, s, r, t

    check("adam_step", wrong)
    first = capsys.readouterr().out
    assert "hint 1 of 3: the moments move first" in first and "look at s" not in first
    assert "more help: check('adam_step', wrong, hint=2)" in first
    check("adam_step", wrong, hint=2)
    second = capsys.readouterr().out
    assert "hint 2 of 3: look at s" in second and "hint=3" in second and "and then at theta" not in second
    check("adam_step", wrong, hint=9)
    last = capsys.readouterr().out
    assert "hint 3 of 3" in last and "hint 4" not in last and "more help" not in last


def test_a_named_mistake_puts_its_nudge_first_and_the_ladder_after_it(named_adam, capsys):
    """Hints follow the diagnosis (issue 21): t one too large is named, hint 1 is about it, and the
    exercise's ladder follows as hints 2, 3, 4."""
    def wrong(*args):
        theta, s, r, t = adam(*args)
        return theta, s, r, t + 1

    check("adam_step", wrong)
    first = capsys.readouterr().out
    assert "this is what an answer one too large (an off-by-one) gives" in first
    assert "hint 1 of 4: Your answer is off by exactly one" in first and "the moments move first" not in first
    check("adam_step", wrong, hint=2)
    assert "hint 2 of 4: the moments move first" in capsys.readouterr().out


def test_float32_is_named():
    def single(o, y):
        return np.float32(right_mse(o, y) * (1 + 3e-7) + 1e-9)

    outcome = evaluate("mse", single)
    assert outcome.status == "failed" and "float32" in outcome.message


def test_relative_error_is_not_applicable_where_the_expected_value_is_zero():
    reason = compare(np.zeros(3), np.array([0.0, 1e-3, 0.0]))
    assert "n/a" in reason and "e+" not in reason
    assert "n/a" not in compare(np.array([0.0, 2.0]), np.array([0.0, 3.0]))


def test_reference_call_report_shows_no_empty_values(capsys):
    from course_lib.nn import mse_loss

    def lazy(o, y):
        return mse_loss(o, y)

    check("mse", lazy)
    text = capsys.readouterr().out
    assert "reference code" in text and "None" not in text and "expected:" not in text


def test_code_after_a_leftover_raise_is_named_and_a_partial_raise_is_a_failing_case():
    def leftover(o, y):
        raise NotImplementedError()
        return float(np.mean((o - y) ** 2))

    def partial(o, y):
        if np.ndim(o) > 1:
            raise NotImplementedError("matrices later")
        return right_mse(o, y)

    outcome = evaluate("mse", leftover)
    assert outcome.status == "error" and "delete the raise NotImplementedError() line" in outcome.message
    outcome = evaluate("mse", partial)
    assert outcome.status == "error" and outcome.case is not None and outcome.n_passed > 0
    assert "not attempted" not in outcome.message


def test_long_arrays_are_summarised_not_cut():
    from course_lib.exercises import short

    text = short(np.arange(640.0).reshape(64, 10))
    assert "shape (64, 10)" in text and "float64" in text and "639" in text
    assert short(np.array([1.0, 2.0])) == "[1., 2.]"
    many = short(tuple(np.ones((30, 30)) for _ in range(8)), limit=200)
    assert many.count("shape (30, 30)") >= 1 and "more)" in many


def test_check_runs_several_seeds_and_warns_about_a_renamed_function(capsys):
    ex = exercises.get("mse")
    outcome = evaluate("mse", right_mse)
    assert outcome.passed and outcome.n_cases > len(ex.cases(0))
    names = [c.name for c in ex.check_cases()]
    assert any("(seed 4)" in n for n in names) and len(names) == len(set(names))
    check("mse", right_mse)
    assert "grader looks for a function named 'mse'" in capsys.readouterr().out


def test_check_sees_what_the_grader_sees():
    """Answers cross the grader's wire format: complex numbers fail in check() as in the grader."""
    def complex_mse(o, y):
        return np.mean((np.asarray(o) - np.asarray(y)) ** 2) + 1e-12j

    assert evaluate("mse", lambda o, y: complex_mse(o, y).real).passed
    outcome = evaluate("mse", complex_mse)
    assert outcome.status == "failed" and "complex" in outcome.message

    def returns_object(o, y):
        return object()

    assert "cannot read" in evaluate("mse", returns_object).message


def test_fixed_cases_are_public_and_random_ones_are_not():
    randoms = 0
    for ex in exercises.all_exercises():
        cases = ex.cases(0)
        assert ex.is_public(cases[0]), (ex.id, cases[0].name)     # the first case is a fixed one
        for case in cases:
            if case.name.startswith("random"):
                assert not ex.is_public(case), (ex.id, case.name)
                randoms += 1
    assert randoms >= 36                                        # the loop above did look at some


@pytest.mark.parametrize("expected, got, words", [
    (np.array([np.inf, 1.0]), np.array([5.0, 1.0]), "expected inf at 1 of 2 entries"),
    (np.array([-np.inf, 1.0]), np.array([5.0, 1.0]), "expected -inf at 1 of 2 entries"),
    (np.float64(np.inf), 0.5, "expected inf, got number 0.5"),       # a scalar: the value it got
    (np.array([np.nan, 1.0]), np.array([5.0, 1.0]), "expected NaN"),
    (np.array([np.inf, 1.0]), np.array([np.inf, 2.0]), "max abs error 1"),
])
def test_compare_names_infinite_expected_values_without_warnings(expected, got, words):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert words in compare(expected, got)
