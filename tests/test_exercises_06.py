"""06_sgd_momentum_nesterov: the course_lib blocks that answer the exercises are caught.

(The contract every exercise shares, reference passes, hint levels, named outputs, mistakes that
fail, lives in tests/test_hints.py; here only what is particular to this notebook.)
"""

import numpy as np
import pytest

from course_lib import exercises
from course_lib.checking import evaluate

IDS = ["momentum_step", "nesterov_step", "momentum_rate", "nesterov_rate"]


def test_the_notebook_has_these_exercises_and_no_sgd_step():
    assert [ex.id for ex in exercises.for_notebook("06_sgd_momentum_nesterov")] == IDS
    with pytest.raises(KeyError):
        exercises.get("sgd_step")       # 04's gradient_descent_step is the course's SGD step


def test_outputs_are_named():
    assert exercises.get("momentum_step").outputs == ("theta", "v")
    assert exercises.get("nesterov_step").outputs == ("theta", "v")


def momentum_in_place(theta, v, g, alpha, beta):
    v *= beta
    v -= alpha * g
    return theta + v, v


def nesterov_in_place(theta, v, g, alpha, beta):
    theta += beta * v
    v = beta * v - alpha * g
    return theta - alpha * g, v


def test_in_place_updates_fail():
    assert evaluate("momentum_step", momentum_in_place).status == "failed"
    assert evaluate("nesterov_step", nesterov_in_place).status == "failed"


def test_momentum_and_nesterov_are_each_others_shortcut_and_both_are_caught():
    # the same formula with g taken elsewhere: each reference passes the other's cases
    from course_lib.optimizers import momentum_update, nesterov_update

    def momentum_step(theta, v, g, alpha, beta):
        return nesterov_update(theta, v, g, alpha, beta)

    def nesterov_step(theta, v, g, alpha, beta):
        return momentum_update(theta, v, g, alpha, beta)

    assert evaluate("momentum_step", momentum_step, watch_references=False).passed
    assert "reference" in evaluate("momentum_step", momentum_step).message
    assert "reference" in evaluate("nesterov_step", nesterov_step).message


def test_lecture_numbers_by_hand():
    theta, v = exercises.get("momentum_step").reference(
        np.array([1.0, 2.0]), np.array([1.0, -1.0]), np.array([2.0, 4.0]), 0.1, 0.9)
    # v = 0.9 [1, -1] - 0.1 [2, 4] = [0.7, -1.3]; theta = [1.7, 0.7]
    assert np.allclose(v, [0.7, -1.3]) and np.allclose(theta, [1.7, 0.7])
    theta, v = exercises.get("nesterov_step").reference(
        np.array([1.0, 2.0]), np.array([1.0, -1.0]), np.array([2.0, 4.0]), 0.1, 0.9)
    assert np.allclose(v, [0.7, -1.3]) and np.allclose(theta, [1.7, 0.7])


def momentum_rate_by_matrix(alpha, beta, lam):
    # what a student derives: (x, v) -> M (x, v), the rate is M's spectral radius
    M = np.array([[1 - alpha * lam, beta], [-alpha * lam, beta]])
    return np.max(np.abs(np.linalg.eigvals(M)))


def momentum_rate_by_roots(alpha, beta, lam):
    roots = np.roots([1.0, -(1 + beta - alpha * lam), beta])
    return float(np.max(np.abs(roots)))


@pytest.mark.parametrize("solution", [momentum_rate_by_matrix, momentum_rate_by_roots])
def test_two_student_derivations_of_the_rate_pass(solution):
    for seed in range(5):
        assert evaluate("momentum_rate", solution, seed=seed).passed


def test_rate_by_hand():
    rate = exercises.get("momentum_rate").reference
    assert rate(0.25, 0.0, 2.0) == pytest.approx(0.5)          # gradient descent: |1 - 0.5|
    assert rate(0.1, 0.9, 0.1) == pytest.approx(np.sqrt(0.9))  # complex roots: sqrt(beta)
    assert rate(0.1, 0.81, 0.1) == pytest.approx(0.9)          # critical damping: 1 - sqrt(0.01)


def test_the_rate_blocks_of_quadratics_are_caught():
    from course_lib import quadratics

    def through_the_whole_quadratic(alpha, beta, lam):
        return quadratics.quadratic_rate(alpha, beta, [lam])

    def through_the_spectral_radius(alpha, beta, lam):
        return float(quadratics._spectral_radius(1 + beta - alpha * lam, beta))

    for shortcut, name in [(through_the_whole_quadratic, "quadratic_rate"),
                           (through_the_spectral_radius, "_spectral_radius")]:
        assert evaluate("momentum_rate", shortcut, watch_references=False).passed   # it does answer
        outcome = evaluate("momentum_rate", shortcut)
        assert outcome.status == "failed" and name in outcome.message


def test_nesterov_rate_by_hand_and_its_stability_bound():
    """Issue 22's numbers: at beta = 0.9 and lam = 2, Nesterov is stable for alpha < 0.68 where
    momentum allows 1.9; the bound is alpha lam < 2 (1 + beta) / (1 + 2 beta)."""
    rate = exercises.get("nesterov_rate").reference
    assert rate(0.25, 0.0, 2.0) == pytest.approx(0.5)      # beta = 0: gradient descent
    assert rate(0.5, 0.9, 2.0) == pytest.approx(0.0)       # alpha lam = 1: the step cancels
    bound = 2 * 1.9 / 2.8 / 2.0
    assert bound == pytest.approx(0.6786, abs=1e-4)
    assert rate(bound * 0.999, 0.9, 2.0) < 1 < rate(bound * 1.001, 0.9, 2.0)
    momentum = exercises.get("momentum_rate").reference
    assert momentum(1.899, 0.9, 2.0) < 1 < momentum(1.901, 0.9, 2.0)


def nesterov_rate_by_trace_and_determinant(alpha, beta, lam):
    # what another student derives: the roots of z^2 - (1 + beta)(1 - h) z + beta (1 - h)
    h = alpha * lam
    return float(np.max(np.abs(np.roots([1.0, -(1 + beta) * (1 - h), beta * (1 - h)]))))


def test_a_derivation_through_the_characteristic_polynomial_passes():
    for seed in range(5):
        assert evaluate("nesterov_rate", nesterov_rate_by_trace_and_determinant, seed=seed).passed


@pytest.mark.parametrize("index", range(5))
def test_each_wrong_nesterov_matrix_fails_and_is_named(index):
    mistake = exercises.get("nesterov_rate").mistakes[index]
    outcome = evaluate("nesterov_rate", mistake.function, watch_references=False)
    assert outcome.status == "failed" and mistake.name in outcome.message


def test_the_spectral_radius_block_answers_nesterov_and_is_caught():
    from course_lib import quadratics

    def through_the_block(alpha, beta, lam):
        h = alpha * lam
        return float(quadratics._spectral_radius((1 + beta) * (1 - h), beta * (1 - h)))

    assert evaluate("nesterov_rate", through_the_block, watch_references=False).passed
    outcome = evaluate("nesterov_rate", through_the_block)
    assert outcome.status == "failed" and "_spectral_radius" in outcome.message
