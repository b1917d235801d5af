"""03_maximum_likelihood exercises: the references pass, classic mistakes fail, and the
references agree with hand computations and the lecture's identities."""

import numpy as np
import pytest

from course_lib.checking import evaluate
from course_lib.exercises import nb03_maximum_likelihood as ex


def test_references_pass():
    for exercise in ex.EXERCISES:
        assert evaluate(exercise.id, exercise.reference, watch_references=False).passed, exercise.id


def test_gaussian_nll_by_hand():
    # y = mu: only 0.5 log(2 pi); sigma = 2, errors 1 and -1: 0.5 log(8 pi) + 1/8
    assert ex.gaussian_nll(np.zeros(3), np.zeros(3), 1.0) == pytest.approx(0.5 * np.log(2 * np.pi))
    value = ex.gaussian_nll(np.array([1.0, -1.0]), np.zeros(2), 2.0)
    assert value == pytest.approx(0.5 * np.log(8 * np.pi) + 1 / 8)


@pytest.mark.parametrize("wrong", [
    lambda y, mu, s: float(np.mean((y - mu) ** 2 / (2 * s**2))),                      # no constant
    lambda y, mu, s: float(np.mean(0.5 * np.log(2 * np.pi * s) + (y - mu) ** 2 / (2 * s))),  # sigma
    lambda y, mu, s: float(np.sum(0.5 * np.log(2 * np.pi * s**2) + (y - mu) ** 2 / (2 * s**2))),
    lambda y, mu, s: float(np.mean(0.5 * np.log(2 * np.pi * s**2) + (y - mu) ** 2 / s**2)),
])
def test_gaussian_nll_mistakes_fail(wrong):
    assert evaluate("gaussian_nll", wrong).status == "failed"


def test_cross_entropy_and_kl_by_hand_and_identity():
    p, q = np.array([0.5, 0.5]), np.array([0.9, 0.1])
    assert ex.cross_entropy(p, q) == pytest.approx(-0.5 * np.log(0.9) - 0.5 * np.log(0.1))
    assert ex.kl_divergence(p, q) == pytest.approx(0.5 * np.log(0.5 / 0.9) + 0.5 * np.log(0.5 / 0.1))
    # lecture: H(p, q) = H(p) + KL(p || q)
    entropy = np.log(2.0)
    assert ex.cross_entropy(p, q) == pytest.approx(entropy + ex.kl_divergence(p, q))
    assert ex.kl_divergence(q, q) == pytest.approx(0.0, abs=1e-15)


def _naive_ce(p, q):
    return float(-np.sum(p * np.log(q)))


def _naive_kl(p, q):  # NaN for p_k = 0
    with np.errstate(all="ignore"):
        return float(np.sum(p * np.log(p / q)))


@pytest.mark.parametrize("exercise_id, wrong", [
    ("cross_entropy", lambda p, q: float(-np.sum(q * np.log(p + 1e-300)))),          # p and q swapped
    ("cross_entropy", lambda p, q: float(-np.mean(p * np.log(q)))),                   # mean, not sum
    ("cross_entropy", lambda p, q: float(-np.sum(p * np.log2(q)))),                   # bits, not nats
    ("kl_divergence", _naive_kl),                                                      # 0 log 0 -> NaN
    ("kl_divergence", lambda p, q: _naive_kl(q, p) if np.all(p > 0) else 0.0),        # reversed
    ("kl_divergence", _naive_ce),                                                      # forgot -H(p)
])
def test_distribution_mistakes_fail(exercise_id, wrong):
    assert evaluate(exercise_id, wrong).status == "failed"


def test_naive_cross_entropy_fails_only_on_the_zero_zero_case():
    # -sum p log q is right while q > 0 (p_k = 0 gives 0 * log q = 0), but the notebook asks for
    # "terms with p_k = 0 are zero, whatever q_k is": where p_k = q_k = 0 it gives 0 * log 0 = NaN
    outcome = evaluate("cross_entropy", _naive_ce)
    assert outcome.status == "failed" and "q_k = 0" in outcome.case.name and "NaN" in outcome.message


@pytest.mark.parametrize("exercise_id, right", [
    ("cross_entropy", lambda p, q: float(-np.sum(np.where(p > 0, p * np.log(q), 0.0)))),
    ("kl_divergence", lambda p, q: float(np.sum(np.where(p > 0, p * np.log(p / q), 0.0)))),
])
def test_masking_with_where_passes(exercise_id, right):
    assert evaluate(exercise_id, right).passed


@pytest.mark.parametrize("wrong", [
    lambda x: float(np.var(x)),                                   # the biased 1/n estimator
    lambda x: float(np.sum(x**2) / (len(x) - 1)),                 # forgot the mean
    lambda x: float(np.sum((x - x.mean()) ** 2) / (len(x) + 1)),
    lambda x: float(np.std(x, ddof=1)),                           # a standard deviation
])
def test_unbiased_variance_mistakes_fail(wrong):
    assert evaluate("unbiased_variance", wrong).status == "failed"


def test_unbiased_variance_by_hand():
    assert ex.unbiased_variance(np.array([0.0, 2.0])) == pytest.approx(2.0)
    assert ex.unbiased_variance(np.array([1.0, 2.0, 3.0, 4.0])) == pytest.approx(5 / 3)
