"""The optimizer race explorer: renders, reacts to every control, reports divergence, is fast."""

import warnings

import numpy as np
import pytest
from explorer_checks import assert_control_changes_plot, assert_shows_jpeg

from course_lib import checking, optimizers, yours
from course_lib import landscapes as race
from course_lib.explorers.race import RaceExplorer, is_yours
from course_lib.landscapes import RACERS, run_race, trajectory


@pytest.fixture
def explorer():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield RaceExplorer()


def test_renders_an_image_with_every_racer(explorer):
    assert_shows_jpeg(explorer, 10_000)
    assert set(explorer.results) == set(RACERS)
    assert explorer.note.value == ""  # nobody diverges at the default learning rates


@pytest.mark.parametrize("name, value", [
    ("step", 20), ("landscape", "saddle"), ("lr", 0.3), ("lr_Adam", 3.0), ("lr_SGD", 0.2),
])
def test_each_control_changes_the_plot(explorer, name, value):
    assert_control_changes_plot(explorer, name, value)


def test_start_changes_the_plot_and_landscape_changes_the_starts(explorer):
    explorer.controls["landscape"].value = "saddle"
    assert explorer.controls["start"].options == tuple(race.STARTS["saddle"])
    before = explorer.image.value
    explorer.controls["start"].value = explorer.controls["start"].options[1]
    assert explorer.image.value != before


def test_step_slider_only_cuts_the_precomputed_paths(explorer):
    explorer.controls["step"].value = 10
    paths = {name: r.path for name, r in explorer.results.items()}
    explorer.controls["step"].value = 60
    assert all(explorer.results[name].path is paths[name] for name in RACERS)  # not recomputed
    x, y = explorer.lines["Adam"].get_data()
    assert len(x) == 61 and np.allclose(explorer.heads["Adam"].get_data(), ([x[-1]], [y[-1]]))


def test_max_learning_rate_diverges_and_names_the_optimizer(explorer):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer.controls["lr"].value = 10 ** explorer.controls["lr"].max
    assert "SGD diverged at step" in explorer.note.value
    # 10x the base rate diverges on every landscape of the race, from its default start
    for landscape in race.RACE_LANDSCAPES:
        explorer.controls["landscape"].value = landscape
        assert "diverged at step" in explorer.note.value, landscape


def test_diverged_message_says_what_it_means(explorer):
    explorer.controls["lr_Adam"].value = 10.0       # Adam alpha = 3 on the valley: stays in the box
    assert explorer.note.value == ""
    explorer.controls["lr"].value = 10.0            # SGD alpha = 4 > 1 blows up
    assert "left the box |x|, |y| ≤ 50" in explorer.note.value
    assert "do not blow up" not in explorer.note.value
    explorer.controls["landscape"].value = "beale"
    explorer.controls["lr_AdaGrad"].value = 10.0    # AdaGrad alpha = 50 jumps out of beale's box
    assert "AdaGrad diverged at step 1" in explorer.note.value
    assert "do not blow up" in explorer.note.value


def test_racers_match_the_reference_optimizer_classes():
    results = run_race("valley")
    base = race.BASE_LEARNING_RATES["valley"]
    for name in RACERS:
        optimizer = optimizers.OPTIMIZERS[name](base[name])  # the lecture's default betas and eps
        expected = trajectory(optimizer, "valley", steps=race.RACE_STEPS).path
        assert np.allclose(results[name].path, expected, rtol=1e-12, atol=1e-12), name


def test_a_passed_student_function_races_as_yours():
    def momentum_step(theta, v, g, alpha, beta):
        v = beta * v - alpha * g
        return theta + v, v
    mine = list(race.RACERS).index("Momentum")
    try:
        checking.check("momentum_step", momentum_step)
        assert is_yours("Momentum") and not is_yours("Adam") and not is_yours("SGD")
        explorer = RaceExplorer()
        labels = [t.get_text() for t in explorer.legend.get_texts()]
        assert "(yours)" in labels[mine] and "(yours)" not in labels[-1]
        explorer.controls["code"].value = "reference"
        assert "(yours)" not in explorer.legend.get_texts()[mine].get_text()
    finally:
        checking._passed_functions.pop("momentum_step", None)


def _notebook(path, *sources):
    import nbformat
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nb, path)


def test_the_loader_reads_top_level_functions_and_checks_them(tmp_path, capsys):
    _notebook(tmp_path / "06_sgd_momentum_nesterov.ipynb",
              "import numpy as np\nALPHA = 0.1\nprint('not run')",
              "def momentum_step(theta, v, g, alpha, beta):\n    v = beta * v - alpha * g\n"
              "    return theta + v, v",
              "def nesterov_step(theta, v, g, alpha, beta):\n    raise NotImplementedError()")
    try:
        status = yours.load_your_functions(tmp_path)
        out = capsys.readouterr().out
        assert status["momentum_step"] == "passed" and status["nesterov_step"] == "not_attempted"
        assert status["adam_step"] == "missing" and "not run" not in out
        assert is_yours("Momentum")
        assert yours.your_update("Momentum")[0].__module__ == "notebook_06_sgd_momentum_nesterov"
    finally:
        checking._passed_functions.pop("momentum_step", None)


def test_the_loader_stops_a_function_that_never_returns(tmp_path, capsys):
    _notebook(tmp_path / "06_sgd_momentum_nesterov.ipynb",
              "def momentum_step(theta, v, g, alpha, beta):\n    while True:\n        pass",
              "import time\nSLOW = time.sleep(60)\ndef nesterov_step(theta, v, g, alpha, beta):\n"
              "    return SLOW")
    status = yours.load_your_functions(tmp_path, ["momentum_step", "nesterov_step"], seconds=0.5,
                                       check_seconds=0.5)
    out = capsys.readouterr().out
    assert status == {"momentum_step": "too_slow", "nesterov_step": "error"}
    assert "longer than 0.5 s" in out and not checking.has_passed("momentum_step")


def test_play_at_the_end_rewinds_to_step_zero(explorer):
    assert explorer.play.max == explorer.controls["step"].max == race.RACE_STEPS
    explorer.play.playing = True
    assert explorer.controls["step"].value == 0 and explorer.play.value == 0
    assert explorer.widget().children  # the play button is laid out with the step slider


def test_play_goes_on_from_where_the_slider_was_moved(explorer):
    """The play and the slider are tied in the kernel (a key press on the slider sends one change,
    not the play's value too): the play moves the slider, the slider moves the play, so ▶ starts
    where the slider was moved to."""
    explorer.play.value = 30
    assert explorer.controls["step"].value == 30 and "step = 30" in explorer.drawn.value
    explorer.controls["step"].value = 40
    assert explorer.play.value == 40
    explorer.play.playing = True
    assert explorer.play.value == 40 and explorer.controls["step"].value == 40
    explorer.controls["step"].value = 38           # a late step from the browser while playing
    assert explorer.play.value == 40               # does not pull the play back
