"""The optimizer explorer: renders, reacts to every control, reports divergence, runs the
student's step function once it passed its check, and agrees with course_lib.optimizers."""

import warnings

import numpy as np
import pytest
from explorer_checks import assert_renders_and_reacts

from course_lib import checking
from course_lib import optimizers as opt
from course_lib.explorers.optimizers import OptimizerExplorer
from course_lib.landscapes import LANDSCAPES, run, trajectory
from course_lib.optimizers import defaults, make_optimizer


@pytest.fixture(autouse=True)
def _no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("name, compare", [("SGD", None), ("Momentum", "SGD"), ("Nesterov", "Momentum"),
                                           ("AdaGrad", "SGD"), ("RMSProp", "AdaGrad"),
                                           ("Adam", "Adam, no bias correction")])
def test_renders_reacts_to_sliders_and_diverges_at_max_lr(name, compare):
    def make():
        return OptimizerExplorer(name, compare=compare, noise=name == "SGD")

    probe = make()
    assert probe.note.value == ""
    alpha = probe.controls["alpha"]
    moves = {"alpha": alpha.options[alpha.index - 6][1]}   # a stop 0.3 down in log10
    for key in defaults(name):
        control = probe.controls[key]
        # eps matters only where r is small: a large eps shows; a beta halfway to its minimum
        if key == "beta_2":      # a selection of stops: three stops down
            moves[key] = control.options[control.index - 3][1]
        else:
            moves[key] = 1e-1 if key == "eps" else round((control.value + control.min) / 2, 4)
    moves["steps"] = 50
    if "noise" in probe.controls:
        moves["noise"] = 0.5
    moves["landscape"] = "rosenbrock"
    explorer = assert_renders_and_reacts(make, moves)
    alpha = explorer.controls["alpha"]
    explorer.controls["landscape"].value = "valley"
    alpha.value = alpha.options[-1][1]
    assert "diverged" in explorer.note.value


@pytest.mark.parametrize("name", ["AdaGrad", "RMSProp", "Adam"])
def test_diverged_says_what_it_means_for_adaptive_optimizers(name):
    # their steps are about alpha per coordinate: at alpha = 100 the first step leaves the box of
    # 5 times the plot window (|x|, |y| <= 50 on the valley); the student must be told that
    explorer = OptimizerExplorer(name)
    explorer.controls["alpha"].value = explorer.controls["alpha"].options[-1][1]
    note = explorer.note.value
    assert "diverged at step 1" in note and "5× the plot window" in note and "≤ 50" in note
    assert "does not blow up" in note


def test_on_the_saddle_diverged_blames_the_landscape():
    explorer = OptimizerExplorer("Adam")
    explorer.controls["landscape"].value = "saddle"   # unbounded below: every run leaves the box
    assert "no minimum" in explorer.note.value and "does not blow up" not in explorer.note.value


def test_diverged_for_sgd_names_the_box_without_the_adaptive_remark():
    explorer = OptimizerExplorer("SGD")
    explorer.controls["alpha"].value = explorer.controls["alpha"].options[-1][1]
    assert "5× the plot window" in explorer.note.value
    assert "does not blow up" not in explorer.note.value


def test_student_implementation_is_used_after_its_check(capsys):
    calls = []

    def momentum_step(theta, v, g, alpha, beta):
        calls.append(1)
        v = beta * v - alpha * g
        return theta + v, v

    checking.check("momentum_step", momentum_step)
    assert "passed" in capsys.readouterr().out
    try:
        explorer = OptimizerExplorer("Momentum")
        options = dict(explorer.controls["implementation"].options)
        assert options["yours"] is momentum_step and calls
    finally:
        checking._passed_functions.pop("momentum_step", None)


def test_sgd_has_no_switch_its_step_is_not_an_exercise():
    """04 grades a whole gradient-descent run, not the one-line step: the SGD explorer always runs
    the reference and offers no switch that could never unlock."""
    assert "implementation" not in OptimizerExplorer("SGD").controls


def test_a_broken_student_function_is_a_message_not_a_traceback():
    explorer = OptimizerExplorer("Momentum")
    explorer.controls["implementation"].options = [("broken", lambda theta, v, g, alpha, beta: theta)]
    assert "must return a tuple" in explorer.note.value


@pytest.mark.parametrize("name, optimizer", [
    ("SGD", opt.SGD(0.1)),
    ("Momentum", opt.Momentum(0.05, momentum=0.8)),
    ("Nesterov", opt.Nesterov(0.05, momentum=0.8)),
    ("AdaGrad", opt.AdaGrad(0.5, epsilon=1e-8)),
    ("RMSProp", opt.RMSProp(0.05, beta=0.9, epsilon=1e-8)),
    ("Adam", opt.Adam(0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8)),
])
def test_step_functions_follow_the_same_path_as_the_optimizer_classes(name, optimizer):
    hyper = {"beta": 0.8} if name in ("Momentum", "Nesterov") else {}
    alpha = optimizer.alpha
    landscape = "valley" if name == "SGD" else "rosenbrock"
    ours = run(name, alpha, hyper, landscape, steps=60)
    theirs = trajectory(optimizer, landscape, steps=60)
    assert ours.path.shape == theirs.path.shape
    assert np.allclose(ours.path, theirs.path, rtol=1e-12, atol=1e-12)


def test_adam_without_bias_correction_takes_larger_first_steps():
    # t = 1: s = 0.1 g, r = 0.001 g^2, so the uncorrected step is alpha 0.1 / sqrt(0.001) = 3.16 alpha
    corrected = make_optimizer("Adam", 0.01, {"eps": 0.0})
    uncorrected = make_optimizer("Adam, no bias correction", 0.01, {"eps": 0.0})
    theta = np.array([1.0, 1.0])
    grad = LANDSCAPES["valley"].grad
    step_c = corrected.step(theta, grad) - theta
    step_u = uncorrected.step(theta, grad) - theta
    assert np.allclose(np.abs(step_c), 0.01)
    assert np.allclose(np.abs(step_u), 0.01 * 0.1 / np.sqrt(0.001))


def test_unknown_names_are_value_errors():
    with pytest.raises(ValueError, match="optimizer must be one of"):
        OptimizerExplorer("Adamax")
    with pytest.raises(ValueError, match="no hyperparameter"):
        OptimizerExplorer("SGD", beta=0.9)


def test_the_keyboard_reaches_the_beta_2_values_the_questions_ask_for():
    """08 asks for beta_2 = 0.9 from the default 0.999: a few presses, not hundreds (issue 21)."""
    explorer = OptimizerExplorer("Adam", compare="Adam, no bias correction")
    control = explorer.controls["beta_2"]
    values = [v for _, v in control.options]
    assert control.value == 0.999
    for wanted in (0.9, 0.99, 0.999, 0.9999):
        assert wanted in values
        assert abs(values.index(wanted) - control.index) <= 6
    before = explorer.image.value
    control.value = 0.9
    assert explorer.image.value != before and "beta_2 = 0.9," in explorer.drawn.value
    a = run("Adam", explorer.controls["alpha"].value, {"beta_1": 0.9, "beta_2": 0.9, "eps": 1e-8},
            LANDSCAPES["valley"], explorer.controls["steps"].value)
    np.testing.assert_allclose(explorer.path[0].get_xdata(), a.path[:, 0])


def test_a_setting_seen_before_is_not_run_again(monkeypatch):
    """Dragging back and forth repeats settings: their runs are remembered (seeded: the same path)."""
    import course_lib.explorers.optimizers as module

    calls = []
    real = module.run
    monkeypatch.setattr(module, "run", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    explorer = OptimizerExplorer("Momentum", compare="SGD")
    alpha = explorer.controls["alpha"]
    first = explorer.image.value
    values = [alpha.options[alpha.index + 6][1], alpha.value]
    for value in values:
        alpha.value = value
    assert calls == ["Momentum", "SGD"] * 2 and explorer.image.value == first   # back: no new run
    explorer.controls["beta"].value = 0.5
    assert calls[-2:] == ["Momentum", "SGD"]                                     # a new setting runs


def _solution_explorers():
    """Every OptimizerExplorer(...) call of the solution notebooks, built as the notebook builds it."""
    import json
    import re
    from pathlib import Path

    for path in sorted(Path(__file__).resolve().parent.parent.glob("solutions/*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and re.match(r"\s*OptimizerExplorer\(", source):
                yield path.stem, eval(source, {"OptimizerExplorer": OptimizerExplorer})


def test_the_keyboard_lands_on_every_learning_rate_a_question_asks_for():
    """Each 'α = x' of an explorer's question is a stop of its slider (06's Nesterov question asks
    for 0.45: a log slider gave 0.447), so the keyboard can set it (issue 21)."""
    import re

    seen = 0
    for notebook, explorer in _solution_explorers():
        alpha = explorer.controls["alpha"]
        stops = [v for _, v in alpha.options]
        for asked in re.findall(r"α = (\d+(?:\.\d+)?)", explorer.question):
            assert float(asked) in stops, (notebook, explorer.name, asked)
            seen += 1
    assert seen >= 8      # 06: 0.5, 0.05, 0.1, 0.45, 0.001; 07: 0.5, 2, 0.5, 2, 0.01; 08: 0.316
