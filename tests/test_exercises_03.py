"""03_maximum_likelihood: the references agree with hand computations and the lecture's identities.

(The contract every exercise shares, reference passes, hint levels, named outputs, mistakes that
fail, lives in tests/test_hints.py; here only what is particular to this notebook.)
"""

import numpy as np
import pytest

from course_lib import estimators, nn
from course_lib.checking import evaluate
from course_lib.exercises import nb03_maximum_likelihood as ex


def test_gaussian_nll_by_hand():
    # y = mu: only 0.5 log(2 pi); sigma = 2, errors 1 and -1: 0.5 log(8 pi) + 1/8
    assert ex.gaussian_nll(np.zeros(3), np.zeros(3), 1.0) == pytest.approx(0.5 * np.log(2 * np.pi))
    value = ex.gaussian_nll(np.array([1.0, -1.0]), np.zeros(2), 2.0)
    assert value == pytest.approx(0.5 * np.log(8 * np.pi) + 1 / 8)


def test_cross_entropy_and_kl_by_hand_and_identity():
    p, q = np.array([0.5, 0.5]), np.array([0.9, 0.1])
    assert ex.cross_entropy(p, q) == pytest.approx(-0.5 * np.log(0.9) - 0.5 * np.log(0.1))
    assert ex.kl_divergence(p, q) == pytest.approx(0.5 * np.log(0.5 / 0.9) + 0.5 * np.log(0.5 / 0.1))
    # lecture: H(p, q) = H(p) + KL(p || q)
    assert ex.cross_entropy(p, q) == pytest.approx(np.log(2.0) + ex.kl_divergence(p, q))
    assert ex.kl_divergence(q, q) == pytest.approx(0.0, abs=1e-15)


def test_naive_cross_entropy_fails_only_on_the_zero_zero_case():
    # -sum p log q is right while q > 0 (p_k = 0 gives 0 * log q = 0), but where p_k = q_k = 0
    # it gives 0 * log 0 = NaN
    outcome = evaluate("cross_entropy", ex.CROSS_ENTROPY_MISTAKES[0].function, watch_references=False)
    assert outcome.status == "failed" and "q_k = 0" in outcome.case.name and "NaN" in outcome.message


@pytest.mark.parametrize("exercise_id, right", [
    ("cross_entropy", lambda p, q: float(-np.sum(np.where(p > 0, p * np.log(np.where(p > 0, q, 1.0)), 0.0)))),
    ("kl_divergence", lambda p, q: float(np.sum([pk * np.log(pk / qk) for pk, qk in zip(p, q) if pk > 0]))),
])
def test_masking_passes(exercise_id, right):
    assert evaluate(exercise_id, right).passed


def test_conditional_entropy_is_the_lecture_identity_and_the_definition():
    rng = np.random.default_rng(5)
    p = rng.dirichlet(np.ones(12)).reshape(3, 4)
    direct = -sum(p[i, j] * np.log(p[i, j] / p[i].sum()) for i in range(3) for j in range(4))
    assert ex.conditional_entropy(p) == pytest.approx(direct)
    assert ex.conditional_entropy(p) == pytest.approx(nn.entropy(p.ravel()) - nn.entropy(p.sum(axis=1)))
    independent = np.outer([0.3, 0.7], [0.2, 0.8])
    assert ex.conditional_entropy(independent) == pytest.approx(nn.entropy(np.array([0.2, 0.8])))


def test_conditional_entropy_from_the_definition_passes():
    def by_rows(p_xy):
        total = 0.0
        for row in np.asarray(p_xy, float):
            p_x = row.sum()
            for p_joint in row[row > 0]:
                total -= p_joint * np.log(p_joint / p_x)
        return total
    assert evaluate("conditional_entropy", by_rows).passed


def test_unbiased_variance_by_hand_and_over_the_last_axis():
    assert ex.unbiased_variance(np.array([0.0, 2.0])) == pytest.approx(2.0)
    assert ex.unbiased_variance(np.array([1.0, 2.0, 3.0, 4.0])) == pytest.approx(5 / 3)
    assert np.allclose(ex.unbiased_variance(np.array([[0.0, 2.0], [1.0, 5.0]])), [2.0, 8.0])


def test_unbiased_variance_is_unbiased_by_monte_carlo():
    mc = estimators.monte_carlo(ex.unbiased_variance, 1.0, 4, n_trials=40_000, seed=2)
    assert abs(mc["bias"]) < 4 * mc["bias_se"]
    biased = estimators.monte_carlo(ex.VARIANCE_MISTAKES[0].function, 1.0, 4, n_trials=40_000, seed=2)
    assert biased["bias"] == pytest.approx(-1 / 4, abs=4 * biased["bias_se"])


def test_variance_from_the_definition_passes():
    def from_definition(x):
        x = np.asarray(x, float)
        deviations = x - x.mean(axis=-1, keepdims=True)
        return (deviations ** 2).sum(axis=-1) / (x.shape[-1] - 1)
    assert evaluate("unbiased_variance", from_definition).passed


def test_course_shortcuts_score_zero():
    assert "reference code" in evaluate("unbiased_variance", estimators.unbiased_variance).message
    def rescaled(x):
        n = np.shape(x)[-1]
        return estimators.biased_variance(x) * n / (n - 1)
    assert "reference code" in evaluate("unbiased_variance", rescaled).message
    kl = evaluate("kl_divergence", lambda p, q: nn.cross_entropy(p, q) - nn.entropy(p))
    assert "reference code" in kl.message
    assert "reference code" in evaluate(
        "conditional_entropy", lambda p: nn.entropy(p.ravel()) - nn.entropy(p.sum(axis=1))).message


def test_gaussian_nll_with_a_sigma_per_example():
    """Issue 22: sigma may be one sigma_i per example. The reference averages the per-example
    -log N(y_i; mu_i, sigma_i^2); an answer that keeps the lecture's single normalizing term
    (computed with the mean variance) fails and is named."""
    import math

    nll = ex.gaussian_nll
    y, mu, sigma = np.array([1.0, -1.0]), np.zeros(2), np.array([0.5, 2.0])
    by_hand = np.mean([0.5 * math.log(2 * math.pi * s**2) + (a - m) ** 2 / (2 * s**2)
                       for a, m, s in zip(y, mu, sigma)])
    assert nll(y, mu, sigma) == pytest.approx(by_hand, rel=1e-12)

    def one_constant(y, mu, sigma):
        sigma = np.asarray(sigma, dtype=np.float64)
        return float(0.5 * np.log(2 * np.pi * np.mean(sigma**2)) + np.mean((y - mu) ** 2 / (2 * sigma**2)))

    outcome = evaluate("gaussian_nll", one_constant)
    assert outcome.status == "failed" and "average sigma^2" in outcome.message
