"""Tests of course_lib.schedules: each formula at hand-computed points."""

import math

import numpy as np
import pytest

from course_lib.schedules import (
    SCHEDULES,
    Constant,
    CosineDecay,
    CosineRestarts,
    ExponentialDecay,
    InverseSqrtDecay,
    InverseTimeDecay,
    LinearWarmup,
    PolynomialDecay,
)


def test_constant():
    s = Constant(0.3)
    assert [s(0), s(1), s(1000)] == [0.3, 0.3, 0.3]


def test_exponential_decay_alpha_0_times_c_to_the_t():
    s = ExponentialDecay(0.1, c=0.5)
    assert s(0) == pytest.approx(0.1)
    assert s(1) == pytest.approx(0.05)
    assert s(3) == pytest.approx(0.0125)  # 0.1 * 0.5^3
    every_2 = ExponentialDecay(0.1, c=0.5, decay_steps=2)
    assert every_2(3) == pytest.approx(0.1 * 0.5**1.5)
    stairs = ExponentialDecay(0.1, c=0.5, decay_steps=2, staircase=True)
    assert [stairs(t) for t in range(5)] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])


def test_polynomial_decay():
    s = PolynomialDecay(1.0, decay_steps=10, alpha_end=0.1, power=2)
    assert s(0) == pytest.approx(1.0)
    assert s(5) == pytest.approx(0.1 + 0.9 * 0.5**2)  # 0.325
    assert s(10) == pytest.approx(0.1)
    assert s(25) == pytest.approx(0.1)
    linear = PolynomialDecay(2.0, decay_steps=4)
    assert [linear(t) for t in range(6)] == pytest.approx([2.0, 1.5, 1.0, 0.5, 0.0, 0.0])


def test_inverse_time_decay_is_alpha_0_over_t_and_defined_at_zero():
    s = InverseTimeDecay(0.5)
    assert s(1) == pytest.approx(0.5)
    assert s(2) == pytest.approx(0.25)
    assert s(4) == pytest.approx(0.125)
    assert s(0) == pytest.approx(0.5)  # t = 0 is defined: alpha_0 / max(t, 1)
    slow = InverseTimeDecay(0.5, decay_steps=10)
    assert slow(5) == pytest.approx(0.5) and slow(20) == pytest.approx(0.25)


def test_inverse_time_satisfies_robbins_monro_numerically():
    s = InverseTimeDecay(1.0)
    alphas = s(np.arange(1, 100_001))
    # sum 1/t ~ ln T + 0.5772 grows without bound; sum 1/t^2 -> pi^2 / 6
    assert alphas.sum() == pytest.approx(math.log(100_000) + 0.5772, abs=1e-3)
    assert (alphas**2).sum() == pytest.approx(math.pi**2 / 6, abs=1e-4)
    assert np.all(alphas > 0)


def test_inverse_sqrt_decay():
    s = InverseSqrtDecay(0.5)
    assert s(0) == pytest.approx(0.5) and s(1) == pytest.approx(0.5)
    assert s(4) == pytest.approx(0.25)
    assert s(100) == pytest.approx(0.05)
    warm = InverseSqrtDecay(0.5, decay_steps=4)
    assert warm(2) == pytest.approx(0.5) and warm(16) == pytest.approx(0.25)


def test_cosine_decay():
    s = CosineDecay(1.0, decay_steps=100)
    assert s(0) == pytest.approx(1.0)
    assert s(50) == pytest.approx(0.5)  # (1 + cos(pi / 2)) / 2
    assert s(25) == pytest.approx((1 + math.sqrt(0.5)) / 2)
    assert s(100) == pytest.approx(0.0, abs=1e-15)
    assert s(300) == pytest.approx(0.0, abs=1e-15)
    assert CosineDecay(1.0, 100, alpha_end=0.2)(50) == pytest.approx(0.6)


def test_cosine_restarts():
    s = CosineRestarts(1.0, period=10)
    assert s(0) == pytest.approx(1.0)
    assert s(5) == pytest.approx(0.5)
    assert s(9.999) == pytest.approx(0.0, abs=1e-6)
    assert s(10) == pytest.approx(1.0)  # restart
    assert s(15) == pytest.approx(0.5)
    growing = CosineRestarts(1.0, period=10, period_factor=2)
    # cycles [0, 10), [10, 30), [30, 70), [70, 150)
    assert growing(10) == pytest.approx(1.0)
    assert growing(20) == pytest.approx(0.5)
    assert growing(30) == pytest.approx(1.0)
    assert growing(50) == pytest.approx(0.5)
    assert growing(70) == pytest.approx(1.0)
    assert growing(110) == pytest.approx(0.5)
    assert CosineRestarts(1.0, period=10, alpha_end=0.5)(5) == pytest.approx(0.75)


def test_linear_warmup_composes_with_any_schedule():
    s = LinearWarmup(CosineDecay(1.0, decay_steps=100), warmup_steps=10)
    assert s(0) == pytest.approx(0.0)
    assert s(5) == pytest.approx(0.5)
    assert s(10) == pytest.approx(1.0)
    assert s(60) == pytest.approx(0.5)  # cosine at 60 - 10 = 50
    assert LinearWarmup(CosineDecay(1.0, 100), 10, alpha_start=0.1)(5) == pytest.approx(0.55)
    constant = LinearWarmup(0.3, warmup_steps=4)
    assert [constant(t) for t in (0, 2, 4, 100)] == pytest.approx([0.0, 0.15, 0.3, 0.3])
    inverse = LinearWarmup(InverseTimeDecay(0.4), warmup_steps=2)
    assert [inverse(t) for t in (1, 2, 3, 6)] == pytest.approx([0.2, 0.4, 0.4, 0.1])
    exponential = LinearWarmup(ExponentialDecay(0.2, c=0.5), warmup_steps=4)
    assert exponential(2) == pytest.approx(0.1) and exponential(6) == pytest.approx(0.05)
    plain = LinearWarmup(lambda t: 1.0 / (1 + t), warmup_steps=2)  # any callable
    assert plain(1) == pytest.approx(0.5) and plain(3) == pytest.approx(0.5)


@pytest.mark.parametrize("schedule", [
    Constant(0.1), ExponentialDecay(0.1, 0.9), PolynomialDecay(0.1, 20, power=0.5),
    InverseTimeDecay(0.1), InverseSqrtDecay(0.1), CosineDecay(0.1, 20),
    CosineRestarts(0.1, 7, 1.5), LinearWarmup(CosineRestarts(0.1, 7), 5),
], ids=repr)  # fmt: skip
def test_arrays_scalars_and_repr(schedule):
    t = np.arange(40).reshape(8, 5)
    values = schedule(t)
    assert values.shape == (8, 5) and values.dtype == np.float64
    assert values.ravel().tolist() == [schedule(int(ti)) for ti in t.ravel()]
    assert isinstance(schedule(3), float) and isinstance(schedule(np.int64(3)), float)
    assert np.all(values >= 0)
    text = repr(schedule)
    assert text.startswith(type(schedule).__name__ + "(") and len(text) < 80
    with pytest.raises(ValueError, match="t must be a step number >= 0"):
        schedule(-1)
    with pytest.raises(ValueError, match="t must be a step number >= 0"):
        schedule(np.array([1.0, np.nan]))


def test_short_reprs():
    assert repr(ExponentialDecay(0.1, 0.99)) == "ExponentialDecay(0.1, c=0.99)"
    assert repr(InverseTimeDecay(0.5)) == "InverseTimeDecay(0.5)"
    assert repr(LinearWarmup(Constant(0.1), 10)) == "LinearWarmup(Constant(0.1), warmup_steps=10)"


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: Constant(-1), r"alpha must be a number in \[0, inf\)"),
        (lambda: ExponentialDecay(0.1, c=0), r"c must be a number in \(0, 1\]"),
        (lambda: ExponentialDecay(0.1, c=1.5), r"c must be a number in \(0, 1\]"),
        (lambda: ExponentialDecay(-0.1, c=0.5), r"alpha_0 must be a number in \[0, inf\)"),
        (lambda: ExponentialDecay(0.1, 0.5, decay_steps=0), r"decay_steps must be .*\(0, inf\)"),
        (lambda: PolynomialDecay(0.1, 10, power=0), r"power must be a number in \(0, inf\)"),
        (lambda: PolynomialDecay(0.1, 10, alpha_end=-1), r"alpha_end must be"),
        (lambda: InverseTimeDecay(float("nan")), "alpha_0 must be"),
        (lambda: InverseSqrtDecay(0.1, decay_steps=-2), "decay_steps must be"),
        (lambda: CosineDecay(0.1, decay_steps=0), "decay_steps must be"),
        (lambda: CosineRestarts(0.1, period=0), r"period must be a number in \(0, inf\)"),
        (lambda: CosineRestarts(0.1, 10, period_factor=0.5), r"period_factor .*\[1, inf\)"),
        (lambda: LinearWarmup(Constant(0.1), warmup_steps=0), "warmup_steps must be"),
        (lambda: LinearWarmup("fast", warmup_steps=5), "after must be"),
    ],
)
def test_bad_parameters_raise_value_error_naming_parameter_and_range(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_registry():
    assert set(SCHEDULES.values()) == {
        Constant, ExponentialDecay, PolynomialDecay, InverseTimeDecay, InverseSqrtDecay,
        CosineDecay, CosineRestarts, LinearWarmup,
    }  # fmt: skip


def test_each_schedule_is_written_once():
    """A schedule's formula, knobs and run settings live on its class: no table elsewhere."""
    from catalogue_tables import tables_outside

    from course_lib.schedules import KNOB_SCHEDULES, RUN_SCHEDULES, make_schedule, schedule_for_run

    names = set(SCHEDULES) | set(RUN_SCHEDULES)
    assert tables_outside(names, "schedules.py") == {}
    for name in KNOB_SCHEDULES:
        cls = SCHEDULES[name]
        assert cls.name == name and cls.formula.startswith("$")
        assert isinstance(make_schedule(name, 0.1, 50), cls)
        assert set(cls.knobs) <= {"decay", "c", "power", "alpha_end", "period_factor"}
    assert list(RUN_SCHEDULES) == ["constant", "exponential", "inverse sqrt", "cosine", "warmup + cosine"]
    run = schedule_for_run("exponential", 0.1, 200)
    assert np.isclose(run(200), 0.001)
    warm = schedule_for_run("warmup + cosine", 0.1, 200)
    assert np.isclose(warm(10), 0.05) and np.isclose(warm(20), 0.1)
