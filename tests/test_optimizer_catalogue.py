"""One catalogue entry per optimizer: nothing else in course_lib keeps a table of them, and AdamW
(added as one entry) is right, against fixed numbers and against torch.optim.AdamW's algorithm."""

import numpy as np
import pytest
from catalogue_tables import COURSE_LIB, tables_outside

from course_lib import optimizers
from course_lib.optimizers import OPTIMIZERS, Adam, AdamW, adam_update, adamw_update

NAMES = set(OPTIMIZERS) | set(optimizers.VARIANTS)


def test_the_table_detector_finds_a_hand_written_table(tmp_path):
    (tmp_path / "colors.py").write_text('COLORS = {"SGD": "C1", "Adam": "C6"}\nX = {"SGD": 1}\n')
    (tmp_path / "racers.py").write_text('RACERS = ("SGD", "Momentum")\nY = ["Adam"]\n'
                                        'case = Case("two", (["SGD", "Adam"], 0.1))\n')
    assert tables_outside(NAMES, "optimizers.py", root=tmp_path) == {"colors.py": [1], "racers.py": [1]}


def test_no_module_but_the_catalogue_keeps_a_table_of_optimizers():
    offenders = tables_outside(NAMES, "optimizers.py")
    assert offenders == {}, f"tables of optimizer names outside optimizers.py: {offenders}"


def test_adamw_is_named_in_the_catalogue_only():
    """Adding AdamW touched optimizers.py only: every other table derives from its entry."""
    files = sorted(str(p.relative_to(COURSE_LIB)) for p in COURSE_LIB.rglob("*.py")
                   if "AdamW" in p.read_text(encoding="utf-8"))
    assert files == ["optimizers.py"]


def test_every_consumer_sees_adamw_from_its_entry():
    from course_lib import landscapes, plotting, yours
    from course_lib.explorers import optimizers as explorer

    assert "AdamW" in landscapes.RACERS
    assert landscapes.BASE_LEARNING_RATES["valley"]["AdamW"] == AdamW.entry.learning_rates.race["valley"]
    assert plotting.COLORS["AdamW"] == AdamW.entry.color
    assert yours.GOOD_LEARNING_RATES["AdamW"] == AdamW.entry.learning_rates.mlp
    assert len(set(plotting.COLORS.values())) == len(plotting.COLORS)  # one colour each
    widget = explorer.OptimizerExplorer("AdamW", steps=20)
    assert "lambda" in widget.controls and widget.controls["lambda"].value == 0.01


def test_hyperparameters_are_checked_once_by_the_catalogue():
    with pytest.raises(ValueError, match=r"weight_decay must be a number in \[0, inf\)"):
        AdamW(0.1, weight_decay=-0.1)
    with pytest.raises(TypeError, match="unexpected or repeated argument 'momentum'"):
        Adam(0.1, momentum=0.9)
    with pytest.raises(ValueError, match=r"Adam has no hyperparameter\(s\) \['lambda'\]"):
        optimizers.make_optimizer("Adam", 0.1, {"lambda": 0.1})
    kept = optimizers.make_optimizer("Adam", 0.1, {"lambda": 0.1, "beta_1": 0.5}, keep_own=True)
    assert kept.beta_1 == 0.5


# ---------------------------------------------------------------- AdamW's numbers


def test_adamw_first_step_by_hand():
    # theta = 1, g = 0.5, alpha = 0.1, lambda = 0.01, eps = 0: s = 0.05, r = 0.00025,
    # s_hat = 0.5, r_hat = 0.25, Adam's step alpha s_hat / sqrt(r_hat) = 0.1; decay 0.1 * 0.01 * 1
    theta, s, r, t = adamw_update(np.array([1.0]), np.zeros(1), np.zeros(1), 0, np.array([0.5]),
                                  0.1, 0.9, 0.999, 0.0, 0.01)
    np.testing.assert_allclose(theta, [0.899], rtol=0, atol=1e-15)
    np.testing.assert_allclose((s, r), ([0.05], [0.00025]), rtol=1e-15)
    assert t == 1


def _torch_adamw(theta, grads, lr, betas, eps, weight_decay):
    """torch.optim.AdamW's algorithm as its documentation writes it (amsgrad off, maximize off):
    theta <- theta - gamma lambda theta; m, v moments; m_hat, v_hat; theta <- theta - gamma
    m_hat / (sqrt(v_hat) + eps). Written here independently of course_lib."""
    b1, b2 = betas
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    path = []
    for t, g in enumerate(grads, start=1):
        theta = theta - lr * weight_decay * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        path.append(theta)
    return path


def test_adamw_is_torch_adamw_when_eps_is_zero_and_differs_by_eps_placement_otherwise():
    rng = np.random.default_rng(3)
    theta0, grads = rng.normal(size=4), [rng.normal(size=4) for _ in range(6)]
    ours = AdamW(0.05, 0.9, 0.99, 0.0, 0.1)
    theta, path = theta0, []
    for g in grads:
        theta = ours.step(theta, lambda _, g=g: g)
        path.append(theta)
    np.testing.assert_allclose(path, _torch_adamw(theta0, grads, 0.05, (0.9, 0.99), 0.0, 0.1),
                               rtol=1e-13, atol=1e-15)
    lecture = AdamW(0.05, 0.9, 0.99, 1e-2, 0.1)
    first = lecture.step(theta0, lambda _: grads[0])
    assert not np.allclose(first, _torch_adamw(theta0, grads[:1], 0.05, (0.9, 0.99), 1e-2, 0.1)[0])


def test_adamw_without_decay_is_adam_and_is_not_adam_with_an_l2_gradient():
    rng = np.random.default_rng(5)
    theta0 = rng.normal(size=3) * np.array([1.0, 10.0, 0.1])
    g0 = np.array([5.0, 0.01, 1.0])
    a = AdamW(0.1, weight_decay=0.0).step(theta0, lambda _: g0)
    b = Adam(0.1).step(theta0, lambda _: g0)
    np.testing.assert_array_equal(a, b)
    lam = 0.5
    decoupled = AdamW(0.1, weight_decay=lam).step(theta0, lambda th: g0)
    coupled = Adam(0.1).step(theta0, lambda th: g0 + lam * th)   # L2 inside Adam's gradient
    assert not np.allclose(decoupled, coupled)
    # decoupled: every coordinate shrinks by the same factor (1 - alpha lambda) before Adam's step
    np.testing.assert_allclose(decoupled - b, -0.1 * lam * theta0, rtol=1e-12)


def test_adamw_calls_adams_update_so_adam_exercises_cannot_use_it():
    """adamw_update is Adam's update after the decay: the reference watch of 08's adam_step sees
    the call into adam_update, so AdamW needs no entry in 08's forbidden list."""
    calls = []
    original = optimizers.adam_update

    def spy(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    optimizers.adam_update = spy
    try:
        adamw_update(np.ones(2), np.zeros(2), np.zeros(2), 0, np.ones(2), 0.1, 0.9, 0.999, 1e-8, 0.0)
    finally:
        optimizers.adam_update = original
    assert calls == [1]
    assert adam_update is original
