"""Explorers of 04_gradient_descent and the loss-landscape helpers."""

import warnings

import numpy as np
import pytest
from explorer_checks import assert_renders_and_reacts

from course_lib.explorers.gradient_descent import (
    BatchSizeExplorer,
    ConvexityExplorer,
    LearningRateExplorer,
    RobbinsMonroExplorer,
)
from course_lib.landscapes import descend_1d, step_size_regime
from course_lib.loss_surface import filter_normalized_direction, loss_along_line, train_digits_mlp
from course_lib.optimizers import sgd_update as gradient_descent_step
from course_lib.schedules import expected_squared_error, power_schedule


@pytest.mark.parametrize("make, moves", [
    (LearningRateExplorer, {"alpha": 0.5}),
    (BatchSizeExplorer, {"batch_size": 64}),
    (RobbinsMonroExplorer, {"p": 0.0}),
    (ConvexityExplorer, {"t": 0.1, "x1": 0.5, "x2": 0.6, "function": "exp(x)"}),
])
def test_renders_and_every_slider_changes_the_plot(make, moves):
    assert_renders_and_reacts(make, moves)


def test_max_learning_rate_diverges_with_a_message():
    explorer = LearningRateExplorer()
    slider = explorer.controls["alpha"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        slider.value = slider.options[-1][1]
    assert "diverged at step" in explorer.note.value
    slider.value = 0.1
    assert explorer.note.value == ""


def test_regimes_follow_the_factor_one_minus_alpha_c():
    # f = x^2: f'' = 2, x_k = (1 - 2 alpha)^k x_0
    assert step_size_regime(0.001, 2.0, 30) == "too small"
    assert step_size_regime(0.3, 2.0, 30) == "about right"
    assert step_size_regime(0.7, 2.0, 30) == "oscillating (still converging)"
    assert step_size_regime(1.0, 2.0, 30) == "bouncing forever"
    assert step_size_regime(1.2, 2.0, 30) == "divergent"
    xs, message = descend_1d(gradient_descent_step, lambda x: 2 * x, -4.0, 0.25, 3)
    np.testing.assert_allclose(xs, [-4.0, -2.0, -1.0, -0.5])
    assert message == ""
    xs, message = descend_1d(gradient_descent_step, lambda x: 2 * x, -4.0, 3.0, 50)
    assert message.startswith("diverged at step") and np.all(np.isfinite(xs))


def test_robbins_monro_constant_stalls_inverse_time_converges_fast_decay_stops_short():
    t = np.arange(1, 10_001)
    constant = expected_squared_error(np.full(t.shape, 0.8))
    inverse_time = expected_squared_error(0.8 / t)
    too_fast = expected_squared_error(0.8 / t**1.5)
    floor = 0.8 / (2 - 0.8)  # alpha sigma^2 / (2a - alpha a^2), a = sigma = 1
    assert constant[-1] == pytest.approx(floor, rel=1e-6)
    assert inverse_time[-1] < 1e-3 and inverse_time[-1] < inverse_time[1000]
    assert too_fast[-1] > 1e-2 and too_fast[-1] == pytest.approx(too_fast[5000], rel=0.05)


def test_filter_normalized_direction_and_line():
    run = train_digits_mlp()
    assert run["history"].val_accuracy[-1] > 0.8
    d = filter_normalized_direction(run["theta"], seed=1)
    for k, (p, dk) in enumerate(zip(run["theta"], d)):
        if k % 2 == 1:
            assert np.all(dk == 0)
        else:
            np.testing.assert_allclose(np.linalg.norm(dk, axis=0), np.linalg.norm(p, axis=0))
    losses = loss_along_line(run["sizes"], run["theta_0"], run["theta"], run["X_train"],
                             run["y_train"], [0.0, 1.0])
    assert losses[1] < losses[0]
    assert losses[1] == pytest.approx(run["history"].train_loss[-1])


def test_the_readouts_are_under_the_plot_and_follow_the_sliders():
    batch = BatchSizeExplorer()
    batch.controls["batch_size"].value = 64
    assert "cost per step: 64 examples" in batch.readout_html.value
    robbins = RobbinsMonroExplorer()
    robbins.controls["p"].value = 0.0          # a constant rate: the sum of squares diverges
    assert "NO  sum alpha_t² &lt; inf" in robbins.readout_html.value          # escaped HTML
    robbins.controls["p"].value = 1.0
    assert "yes sum alpha_t² &lt; inf" in robbins.readout_html.value


def test_the_keyboard_lands_on_alpha_one_half_where_one_step_reaches_zero():
    """The question asks for the alpha of x = 0 in ONE step: 0.5 exactly, not the 0.501 of a log
    slider's stop (issue 21); the stops around it stay those of the log slider."""
    explorer = LearningRateExplorer()
    stops = [v for _, v in explorer.controls["alpha"].options]
    assert 0.5 in stops and 10 ** -0.3 not in stops and 10 ** -0.25 in stops and 1.0 in stops
    explorer.controls["alpha"].value = 0.5
    xs = explorer.path_1d.get_xdata()
    assert xs[0] == explorer.x0 and xs[1] == 0.0


def test_robbins_monro_curves_are_computed_once_per_stop_and_unchanged(monkeypatch):
    """The two recursions over 10,000 steps (3 ms) run once per stop of the p slider, when the
    explorer is built; a move draws the same curves as computing them anew."""
    import course_lib.explorers.gradient_descent as module

    explorer = RobbinsMonroExplorer()
    calls = []
    real = module.expected_squared_error
    monkeypatch.setattr(module, "expected_squared_error", lambda a: calls.append(1) or real(a))
    explorer.controls["p"].value = 0.75
    assert calls == []
    alphas = power_schedule(explorer.alpha_0, 0.75, explorer.t)
    assert np.array_equal(explorer.line_expected.get_ydata(), real(alphas)[explorer.show])
