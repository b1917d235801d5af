"""The catalogue's generic diagnoses (exercises/misconceptions.py, issue 21 item 1): each names a
slip no exercise registered, in every exercise where it can happen. One test per idea, written as
a student would slip; each fails if its idea is taken out of the catalogue."""

from __future__ import annotations

import numpy as np

from course_lib import exercises
from course_lib.checking import evaluate
from course_lib.exercises import misconceptions
from course_lib.exercises.judging import LOOK_AHEAD, judge


def named(exercise_id, function) -> str:
    verdict = evaluate(exercise_id, function, watch_references=False)
    assert verdict.status in ("failed", "error"), verdict.message
    return " | ".join(verdict.mistakes)


def test_two_arguments_exchanged_are_named_by_their_names():
    def momentum_step(theta, v, g, alpha, beta):          # beta where alpha belongs, and back
        v = alpha * v - beta * g
        return theta + v, v
    assert "alpha and beta swapped" in named("momentum_step", momentum_step)


def test_a_state_returned_as_its_square_root_is_a_square_root_too_many():
    def rmsprop_step(theta, r, g, alpha, beta, eps):
        r = beta * r + (1 - beta) * g ** 2
        return theta - alpha / np.sqrt(r + eps) * g, np.sqrt(r)     # the root kept as the state
    assert "square root too many" in named("rmsprop_step", rmsprop_step)


def test_dividing_by_the_number_of_classes_names_both_counts():
    def softmax_cross_entropy_backward(logits, y):
        z = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        p[np.arange(len(y)), y] -= 1
        return p / logits.shape[1]                       # K, not N
    assert "dividing by" in named("softmax_cross_entropy_backward", softmax_cross_entropy_backward)


def test_a_mean_that_lost_its_axis_is_named_from_numpys_broadcasting_error():
    def unbiased_variance(x):
        x = np.asarray(x, dtype=float)
        return np.sum((x - x.mean(axis=-1)) ** 2, axis=-1) / (x.shape[-1] - 1)
    assert "lost its axis" in named("unbiased_variance", unbiased_variance)


def test_a_singular_system_is_named_not_left_as_a_raw_linalg_error():
    def ridge_fit(X, y, lam):
        return X.T @ np.linalg.solve(X @ X.T, y) + 0 * lam    # X X^T: singular with more rows than columns
    assert "singular" in named("ridge_fit", ridge_fit)


def test_a_relu_slope_from_the_sign_of_z_is_wrong_only_where_z_is_negative():
    def relu_backward(dh, z):
        return dh * np.sign(z)
    assert "only where z is negative" in named("relu_backward", relu_backward)


def test_list_states_shaped_like_the_first_array_are_named():
    def adagrad_steps(thetas, rs, gs, alpha, eps):
        if rs is None:
            rs = [np.zeros_like(thetas[0]) for _ in thetas]
        out = [(th - alpha / np.sqrt(r + g ** 2 + eps) * g, r + g ** 2) for th, r, g in zip(thetas, rs, gs)]
        return [o[0] for o in out], [o[1] for o in out]
    assert "shaped like the first array" in named("adagrad_steps", adagrad_steps)


def test_where_an_answer_is_wrong_is_a_diagnosis():
    e = np.array([1.0, 2.0, 4.0, 8.0])
    where = misconceptions._where
    assert where(e, np.array([9.0, 2, 4, 8]), 1e-7, 1e-10, {}).key == "first_only"
    assert where(e, np.array([1.0, 2, 4, 9]), 1e-7, 1e-10, {}).key == "last_only"
    assert where(e, np.array([0.0, 1, 2, 4]), 1e-7, 1e-10, {}).key == "shifted"
    z = np.array([0.0, 0.0, -2.0, -3.0])
    assert where(e, np.array([5.0, 5, 4, 8]), 1e-7, 1e-10, {"z": z}).key == "special_at_zero"
    assert where(e, np.array([1.0, 2, 5, 9]), 1e-7, 1e-10, {"z": z}).key == "special_when_negative"
    assert where(e, np.array([9.0, 2, 9, 8]), 1e-7, 1e-10, {"z": z}) is None   # no telling place
    restarts = np.array([1.0, 0.5, 0.1, 1.0, 0.5, 1.0, 0.5])   # a schedule that restarts twice
    got = np.array([1.0, 0.5, 0.1, 0.0, 0.5, 0.0, 0.5])
    assert where(restarts, got, 1e-7, 1e-10, {}).key == "at_the_jumps"
    # an input that only happens to have the answer's shape (next to one that does not) is no place
    others = {"z": z, "X": np.ones((4, 2))}
    assert where(e, np.array([5.0, 5, 4, 8]), 1e-7, 1e-10, others) is None


def test_a_constant_offset_is_named_only_where_the_answer_varies():
    elementwise = misconceptions._elementwise
    varied = np.array([0.1, 0.4, 0.9])
    assert elementwise(varied, varied + 0.5, 1e-7, 1e-10).key == "constant_offset"
    flat = np.full(3, 0.1)                               # any answer is a constant off a constant array
    assert elementwise(flat, flat + 0.5, 1e-7, 1e-10) is None


def _answers(ex, cases, transform):
    """Answers to `cases`: the reference's, changed by transform(k, case, value)."""
    return [{"value": transform(k, case, ex.expected(case)), "mutated": False}
            for k, case in enumerate(cases)]


def test_a_slip_hidden_by_an_edge_case_is_named_from_the_random_cases_after_it():
    ex = exercises.get("mse")
    cases = ex.check_cases()
    first = next(k for k, c in enumerate(cases) if ex.is_public(c) and ex.expected(c) != 0)
    randoms = [k for k, c in enumerate(cases) if k > first and not ex.is_public(c)][:LOOK_AHEAD]

    def doubled(where):
        def transform(k, case, value):
            if k == first:
                return value + 0.123456                   # unexplained on the first failing case
            return 2 * value if k in where else value
        return transform

    expected = [ex.expected(c) for c in cases]
    verdict = judge(ex, cases, expected, _answers(ex, cases, doubled(set(randoms))))
    assert verdict.mistakes and "factor 2" in verdict.mistakes[0], verdict.message
    assert "on the random cases" in verdict.message
    # one random case alone is a coincidence of a draw: nothing is named
    verdict = judge(ex, cases, expected, _answers(ex, cases, doubled({randoms[0]})))
    assert not verdict.mistakes, verdict.message


def test_several_slips_on_an_edge_case_are_narrowed_by_the_random_cases():
    ex = exercises.get("rmsprop_step")

    def rmsprop_step(theta, r, g, alpha, beta, eps):   # AdaGrad's sum kept: no factor 1 - beta
        r = beta * r + g ** 2
        return theta - alpha / np.sqrt(r + eps) * g, r
    verdict = evaluate("rmsprop_step", rmsprop_step, watch_references=False)
    edge = judge(ex, ex.check_cases()[:verdict.n_passed + 1],
                 [ex.expected(c) for c in ex.check_cases()[:verdict.n_passed + 1]],
                 [{"value": rmsprop_step(*c.args), "mutated": False}
                  for c in ex.check_cases()[:verdict.n_passed + 1]])
    assert len(edge.mistakes) > 1, edge.mistakes          # the edge case alone fits several slips
    assert len(verdict.mistakes) == 1 and "without the factor one minus beta" in verdict.mistakes[0], \
        verdict.mistakes                                   # the random cases keep the one it is


def test_a_slip_that_raises_an_index_error_is_recognised_by_its_error():
    # IndexError is a LookupError: the catalogue's "block not used here" signal must not swallow it
    from course_lib.graph import node_value

    def forward_propagation(nodes):
        u = []
        for node in nodes:
            u.append(node_value(node, list({u[j] for j in node["parents"]})))   # the lecture's set A
        return u
    assert "collected as a set" in named("forward_propagation", forward_propagation)


def test_the_matrix_norm_for_the_spectral_radius_is_named():
    def nesterov_rate(alpha, beta, lam):
        c = 1 - alpha * lam
        return float(np.linalg.norm(np.array([[c, beta * c], [-alpha * lam, beta * c]]), 2))
    assert "norm instead of its spectral radius" in named("nesterov_rate", nesterov_rate)


def _mse_wrong_apart_from_random_cases(o, y):
    o, y = np.asarray(o, dtype=float), np.asarray(y, dtype=float)
    if o.size <= 6:                                       # the fixed cases: a slip of no pattern
        return float(np.mean((o - y) ** 2) + 0.123)
    return float(2 * np.mean((o - y) ** 2))               # the random cases: twice the answer


def test_check_runs_the_random_cases_after_the_first_wrong_one_and_names_from_them(monkeypatch):
    import course_lib.checking as checking

    verdict = evaluate("mse", _mse_wrong_apart_from_random_cases, watch_references=False)
    assert verdict.mistakes and "factor 2" in verdict.mistakes[0], verdict.message
    assert "on the random cases" in verdict.message
    monkeypatch.setattr(checking, "LOOK_AHEAD", 0)       # check() stopping at the first wrong case
    verdict = evaluate("mse", _mse_wrong_apart_from_random_cases, watch_references=False)
    assert not verdict.mistakes, verdict.message


def test_two_outputs_that_are_one_object_are_named():
    """ss = rs = [zeros, ...]: writing rs[j] writes ss[j], so ss comes back with rs's values."""
    def adam_steps(thetas, ss, rs, t, gs, alpha, beta_1, beta_2, eps):
        if ss is None:
            ss = rs = [np.zeros_like(theta, dtype=float) for theta in thetas]
        t = t + 1
        new = []
        for j in range(len(thetas)):
            s = beta_1 * ss[j] + (1 - beta_1) * gs[j]
            r = beta_2 * rs[j] + (1 - beta_2) * gs[j] ** 2
            s_hat, r_hat = s / (1 - beta_1 ** t), r / (1 - beta_2 ** t)
            new.append(thetas[j] - alpha * s_hat / np.sqrt(r_hat + eps))
            ss[j], rs[j] = s, r
        return new, ss, rs, t
    assert "ss holding rs's values (one object for both)" in named("adam_steps", adam_steps)


def test_the_relus_output_in_place_of_its_slope_is_named():
    """dh times relu(z): the ReLU's building block swapped for its wrong twin (its value)."""
    def relu_backward(dh, z):
        return dh * np.maximum(z, 0)
    assert named("relu_backward", relu_backward) == "multiplying by the ReLU's output instead of its slope"


def test_tanhs_slope_in_place_of_the_sigmoids_is_named():
    """dh (1 - tanh(z)^2) for the sigmoid: the sigmoid's backward swapped for its wrong twin (class
    B's answer, tests/wrong_answers/second_class.py)."""
    from wrong_answers.second_class import sig_tanh_derivative as sigmoid_backward

    assert named("sigmoid_backward", sigmoid_backward) == (
        "tanh's slope (1 - tanh^2) in place of the sigmoid's sigma (1 - sigma)")
    verdict = evaluate("sigmoid_backward", sigmoid_backward, watch_references=False)
    first_hint = exercises.get("sigmoid_backward").hints_for(verdict)[0]
    assert first_hint == misconceptions.IDEAS["tanh_slope_for_sigmoid"].nudge
