"""Explorers of 03_maximum_likelihood: they render, every slider changes the picture, no warnings."""


import numpy as np
import pytest
from explorer_checks import assert_renders_and_reacts

from course_lib.explorers.likelihood import (
    CrossEntropyExplorer,
    NoiseSigmaExplorer,
    VarianceBiasExplorer,
    bump_distribution,
)
from course_lib.nn import cross_entropy, entropy, kl_divergence


def _data():
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, 30)
    return x, 2 * x + 0.3 * rng.standard_normal(30)


@pytest.mark.parametrize("make, moves", [
    (VarianceBiasExplorer, {"n": 2}),
    (CrossEntropyExplorer, {"q_center": 3.0, "q_width": 2.0, "p_center": 0.5, "p_width": 2.5}),
    (lambda: NoiseSigmaExplorer(*_data()), {"sigma": 2.0, "w": 3.0}),
])
def test_renders_and_every_slider_changes_the_plot(make, moves):
    assert_renders_and_reacts(make, moves)


def test_variance_explorer_matches_the_lecture_factor():
    explorer = VarianceBiasExplorer(n_max=10, trials=20000)
    for n in (2, 5, 10):
        mean_biased = explorer.stats[n]["biased"][0]
        assert mean_biased == pytest.approx(1 - 1 / n, abs=0.03)
        assert explorer.stats[n]["unbiased"][0] == pytest.approx(1.0, abs=0.04)


def test_bump_distribution_and_identity():
    p, q = bump_distribution(3.0, 0.8), bump_distribution(1.0, 1.0)
    assert p.sum() == pytest.approx(1.0) and np.all(p > 0)
    assert cross_entropy(p, q) == pytest.approx(entropy(p) + kl_divergence(p, q))
    with pytest.raises(ValueError, match="width"):
        bump_distribution(1.0, 0.0)


def test_nll_minimum_does_not_move_with_sigma():
    explorer = NoiseSigmaExplorer(*_data())
    best = []
    for sigma in (0.1, 0.5, 2.5):
        explorer.controls["sigma"].value = sigma
        best.append(explorer.w_grid[np.argmin(explorer.nll)])
    assert best[0] == best[1] == best[2]
    assert "argmin MSE" in explorer.note.value and explorer._message_text.get_text() == ""
    assert abs(best[0] - explorer.w_mse) <= explorer.w_grid[1] - explorer.w_grid[0]


def test_the_variance_numbers_show_under_the_plot_for_each_n():
    """The estimates' numbers are text the browser draws (show_numbers), not glyphs in the figure."""
    from course_lib.explorers.likelihood import VarianceBiasExplorer

    explorer = VarianceBiasExplorer(trials=500)
    explorer.controls["n"].value = 2
    shown = explorer.readout_html.value
    assert "n = 2\n" in shown and "lecture (1-1/n)s² = 0.500" in shown
    explorer.controls["n"].value = 10
    assert "lecture (1-1/n)s² = 0.900" in explorer.readout_html.value
    assert explorer.readout_html in explorer.widget().children


def test_the_entropy_numbers_show_under_the_plot():
    from course_lib.explorers.likelihood import CrossEntropyExplorer

    explorer = CrossEntropyExplorer()
    explorer.controls["q_center"].value = explorer.controls["p_center"].value
    explorer.controls["q_width"].value = explorer.controls["p_width"].value
    assert "KL(p||q)    = 0.0000" in explorer.readout_html.value      # q on p: KL is 0
