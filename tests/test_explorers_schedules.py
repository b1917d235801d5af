"""The schedule explorer: renders, every control changes the plot, the curves are the schedules."""

import warnings

import numpy as np
import pytest
from explorer_checks import assert_control_changes_plot, assert_shows_jpeg

from course_lib import schedules
from course_lib.explorers.schedules import ScheduleExplorer
from course_lib.schedules import KNOB_SCHEDULES, make_schedule


@pytest.fixture
def explorer():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield ScheduleExplorer()


def test_renders_an_image(explorer):
    assert_shows_jpeg(explorer, 5_000)
    assert explorer.note.value == ""


@pytest.mark.parametrize("schedule, name, value", [
    ("cosine", "decay", 500), ("cosine", "alpha_0", 0.01), ("cosine", "alpha_end", 0.3),
    ("cosine", "warmup", 100), ("cosine", "log_y", True), ("exponential", "c", 0.95),
    ("polynomial", "power", 2.0), ("cosine restarts", "period_factor", 2.0),
])
def test_each_control_changes_the_plot(explorer, schedule, name, value):
    explorer.controls["schedule"].value = schedule
    assert_control_changes_plot(explorer, name, value)


@pytest.mark.parametrize("schedule", list(KNOB_SCHEDULES))
def test_every_schedule_draws_without_a_message(explorer, schedule):
    explorer.controls["schedule"].value = schedule
    explorer.controls["warmup"].value = 50
    explorer.controls["log_y"].value = True
    assert explorer.note.value == ""
    assert explorer.controls["c"].disabled == (schedule != "exponential")


def test_curve_and_sums_are_the_schedule(explorer):
    explorer.controls["schedule"].value = "inverse time"
    explorer.controls["decay"].value = 10
    t, alpha = explorer.curve.get_data()
    assert np.allclose(alpha, schedules.InverseTimeDecay(0.1, decay_steps=10)(t))
    t_sums, sums = explorer.sum_line.get_data()
    # sum_{i=1}^{n} 0.1 / max(i / 10, 1) = 0.1 * (10 + 10 * (H_n - H_10)) by hand
    n = int(t_sums[-1])
    harmonic = np.sum(1.0 / np.arange(1, n + 1)) - np.sum(1.0 / np.arange(1, 11))
    assert np.isclose(sums[-1], 0.1 * (10 + 10 * harmonic))


def test_make_schedule_wraps_warmup():
    rate = make_schedule("cosine", 0.2, 100, warmup=10)
    assert isinstance(rate, schedules.LinearWarmup)
    assert np.isclose(rate(5.0), 0.1) and np.isclose(rate(10.0), 0.2) and np.isclose(rate(110.0), 0.0)
