"""The momentum explorer of 06: renders, every slider changes the plot, its numbers are
course_lib.quadratics', a diverging (alpha, beta) says so."""

import pytest
from explorer_checks import assert_renders_and_reacts

from course_lib.explorers.momentum import MomentumExplorer, steps_per_digit
from course_lib.quadratics import polyak_optimal, quadratic_rate


def test_renders_and_every_slider_changes_the_plot():
    assert_renders_and_reacts(MomentumExplorer, {"alpha": 0.5, "beta": 0.5, "steps": 50})


def test_readout_shows_the_rate_of_quadratics():
    explorer = MomentumExplorer()
    explorer.controls["alpha"].value = 0.5
    explorer.controls["beta"].value = 0.6
    rate = quadratic_rate(explorer.controls["alpha"].value, 0.6, [0.1, 2.0])
    text = explorer.readout_html.value        # under the plot, drawn by the browser
    assert f"quadratic: rate {rate:.3f}" in text and "λ = 2: rate" in text
    assert f"every {steps_per_digit(rate):.1f} steps" in text


def test_polyak_marker_in_the_legend():
    explorer = MomentumExplorer()
    labels = [t.get_text() for t in explorer.ax_rate.get_legend().get_texts()]
    alpha, beta, rate = polyak_optimal(0.1, 2.0)
    assert any(f"rate {rate:.3f}" in label and "Polyak" in label for label in labels)


def test_diverging_settings_say_so_and_converging_ones_clear_it():
    explorer = MomentumExplorer()
    explorer.controls["alpha"].value = 2.5        # alpha lam = 5 > 2 (1 + beta) for beta < 1.5
    assert "diverged" in explorer.note.value and "λ = 2" in explorer.note.value
    explorer.controls["alpha"].value = 0.1
    assert explorer.note.value == ""


def test_steps_per_digit():
    assert steps_per_digit(0.1) == pytest.approx(1.0)
    assert steps_per_digit(1.0) == float("inf") and steps_per_digit(0.0) == 0.0


def test_bad_eigenvalues_are_refused():
    with pytest.raises(ValueError, match="positive eigenvalues"):
        MomentumExplorer(lams=(0.0, 1.0))


def test_a_diverging_direction_leaves_the_plot_instead_of_filling_it():
    explorer = MomentumExplorer()
    explorer.controls["alpha"].value = 3.0
    x = explorer.lines[1].get_ydata()            # lambda = 2: grows by the factor 5 per step
    assert abs(x[0]) == 1 and abs(x[2]) == 10 and all(value != value for value in x[3:])
    assert all(value == value for value in explorer.lines[0].get_ydata())   # lambda = 0.1 converges


def test_the_students_momentum_rate_computes_the_readout_once_it_passed(capsys):
    import numpy as np

    from course_lib import checking

    calls = []

    def momentum_rate(alpha, beta, lam):
        calls.append(lam)
        roots = np.roots([1.0, -(1 + beta - alpha * lam), beta])
        return float(np.max(np.abs(roots)))

    checking.check("momentum_rate", momentum_rate)
    try:
        explorer = MomentumExplorer()
        switch = explorer.controls["implementation"]
        assert [label for label, _ in switch.options] == ["yours", "reference"]
        calls.clear()
        explorer.controls["beta"].value = 0.5
        assert sorted(calls) == [0.1, 2.0]
        switch.value = dict(switch.options)["reference"]
        calls.clear()
        explorer.controls["beta"].value = 0.6
        assert calls == []
    finally:
        checking._passed_functions.pop("momentum_rate", None)
    assert "passed" in capsys.readouterr().out
