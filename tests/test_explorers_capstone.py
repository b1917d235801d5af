"""The capstone trainer of 11_capstone_digits: renders, answers its sliders, says "diverged" at
the maximum learning rate, trains with the student's functions once they passed."""

import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from explorer_checks import assert_renders_and_reacts

matplotlib.use("Agg")

from course_lib import checking, nn  # noqa: E402
from course_lib.data import load_digits  # noqa: E402
from course_lib.exercises.nb11_capstone_digits import (  # noqa: E402
    train_network as reference_train_network,
)
from course_lib.explorers.capstone import CapstoneExplorer  # noqa: E402
from course_lib.grading.preview import grading_preview, grading_problems  # noqa: E402
from course_lib.training import train  # noqa: E402
from course_lib.yours import (  # noqa: E402
    GOOD_LEARNING_RATES,
    load_your_functions,
    your_mlp,
    your_optimizer,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def data():
    X, y = load_digits()
    return X[:600], y[:600], X[600:800], y[600:800]


@pytest.fixture(autouse=True)
def forget_passed_functions():
    saved = dict(checking._passed_functions)
    checking._passed_functions.clear()
    yield
    checking._passed_functions.clear()
    checking._passed_functions.update(saved)


def test_renders_and_the_sliders_change_the_image_without_warnings(data):
    explorer = assert_renders_and_reacts(
        lambda: CapstoneExplorer(data, epochs=3),
        [("learning_rate", 0.001), ("epochs", 8), ("schedule", "constant"), ("batch_size", 64)])
    assert explorer.note.value == ""


def test_a_changed_setting_says_press_train_to_apply(data):
    explorer = CapstoneExplorer(data, epochs=1)
    assert "press Train" in explorer.pending.value
    explorer.train(progress=False)
    assert explorer.pending.value == ""
    explorer.controls["hidden"].value = 16
    explorer.controls["seed"].value = 3
    assert "hidden units, seed; press Train to apply" in explorer.pending.value
    explorer.controls["hidden"].value = 64
    explorer.controls["seed"].value = 0
    assert explorer.pending.value == ""


@pytest.mark.parametrize("optimizer", list(GOOD_LEARNING_RATES))
def test_maximum_learning_rate_says_diverged(data, optimizer):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer = CapstoneExplorer(data, epochs=2, optimizer=optimizer)
        assert explorer.note.value == ""     # its default learning rate is fine
        explorer.controls["learning_rate"].value = 10.0 ** explorer.controls["learning_rate"].max
        assert "diverged" in explorer.note.value


def test_train_adds_a_run_with_curves_and_clear_removes_it(data):
    explorer = CapstoneExplorer(data, epochs=2)
    before = explorer.image.value
    history = explorer.train(progress=False)
    assert history.epoch == [0, 1, 2] and len(explorer.runs) == 1
    assert explorer.image.value != before
    assert "validation accuracy" in explorer.status.value and "reference" in explorer.status.value
    explorer.clear()
    assert explorer.runs == [] and explorer.run_lines == []


def test_your_functions_are_used_once_they_passed(data):
    calls = []

    def adam_step(theta, s, r, t, g, alpha, beta_1, beta_2, eps):    # written, not the reference
        calls.append(t)
        t = t + 1
        s = beta_1 * s + (1 - beta_1) * g
        r = beta_2 * r + (1 - beta_2) * g * g
        s_hat, r_hat = s / (1 - beta_1**t), r / (1 - beta_2**t)
        return theta - alpha * s_hat / np.sqrt(r_hat + eps), s, r, t

    checking.check("adam_step", adam_step)
    assert checking.has_passed("adam_step")
    calls.clear()
    X, y = data[0][:32], data[1][:32]
    net = your_mlp([64, 8, 10], seed=0)
    your_optimizer("Adam", 0.01).step(net.params, lambda p: net.loss_and_grads(X, y, "cross_entropy")[1])
    assert calls == [0, 0, 0, 0]             # one call per parameter array, at t = 0


def test_your_mlp_gradients_equal_the_reference_mlp(data):
    """Before any check passed, your_mlp runs the reference mlp_backward: the same numbers as nn.MLP's
    own backward pass; for mse it refuses (mlp_backward is for cross-entropy)."""
    X, y = data[0][:20], data[1][:20]
    mine, ref = your_mlp([64, 16, 10], seed=3), nn.MLP([64, 16, 10], seed=3)
    (l1, g1), (l2, g2) = mine.loss_and_grads(X, y, "cross_entropy"), ref.loss_and_grads(X, y, "cross_entropy")
    assert l1 == pytest.approx(l2)
    for a, b in zip(g1, g2):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match="for loss='cross_entropy', not 'mse'"):
        mine.loss_and_grads(X, np.zeros((20, 10)), "mse")
    with pytest.raises(ValueError, match=r"one hidden layer: sizes must be \[n_in, n_hidden, n_out\]"):
        your_mlp([64, 8, 8, 10])


def test_load_your_functions_reads_and_checks_a_notebook(capsys):
    status = load_your_functions(ROOT / "solutions", ids=["mlp_backward"])
    assert status == {"mlp_backward": "passed"} and checking.has_passed("mlp_backward")
    said = capsys.readouterr().out     # no points here: they are earned in 05 (issue 21)
    assert said == "  ✅ mlp_backward: yours from 05_backpropagation.ipynb, which passed its check\n", said
    status = load_your_functions(ROOT / "notebooks", ids=["mlp_backward"])
    assert status == {"mlp_backward": "not_attempted"} and not checking.has_passed("mlp_backward")
    said = capsys.readouterr().out    # names the notebook to write it in, not "YOUR CODE HERE" here
    expected = "  mlp_backward: not attempted yet in 05_backpropagation.ipynb; the reference is used\n"
    assert said == expected, said
    assert load_your_functions(ROOT / "tests", ids=["mlp_backward"]) == {"mlp_backward": "missing"}


# ---------------------------------------------------------------------------------------------
# grading_preview: what the grader rejects although check() passes in the notebook

X_OF_ANOTHER_CELL = np.zeros((3, 64))   # a variable a notebook cell computed
EPOCHS = 15                             # a literal constant: the grader keeps it


def _good(X_train, y_train, X_test, seed):      # the student's own code: numpy and nn's blocks
    W = 0.01 * np.random.default_rng(seed).normal(size=(64, 10))
    for _ in range(EPOCHS):
        W = W - 0.1 * X_train.T @ (nn.softmax(X_train @ W) - np.eye(10)[y_train]) / len(X_train)
    return np.argmax(X_test @ W, axis=1)


def _loads_the_digits(X_train, y_train, X_test, seed):
    X, y = load_digits()
    return _good(X, y, X_test, seed)


def _helper_with_your_mlp(seed):
    return your_mlp([64, 8, 10], seed=seed)


def _uses_the_explorer(X_train, y_train, X_test, seed):
    net = _helper_with_your_mlp(seed)
    train(net, your_optimizer("Adam", 0.01), X_train, y_train, epochs=1, progress=False)
    return np.argmax(net.predict(X_test), axis=1)


def _reads_another_cell(X_train, y_train, X_test, seed):
    return _good(X_train, y_train, X_OF_ANOTHER_CELL, seed)


def _calls_the_reference(X_train, y_train, X_test, seed):
    return reference_train_network(X_train, y_train, seed)


def _stub(X_train, y_train, X_test, seed):
    raise NotImplementedError


def test_grading_preview_passes_a_function_built_from_course_lib_pieces(capsys):
    assert grading_problems(_good) == []
    grading_preview(_good)
    assert "the grader can run it" in capsys.readouterr().out


@pytest.mark.parametrize("function, words", [
    (_loads_the_digits, ["load_digits", "scores 0"]),
    (_uses_the_explorer, ["your_mlp", "your_optimizer", "scores 0"]),   # your_mlp via a helper
    (_reads_another_cell, ["X_OF_ANOTHER_CELL", "fresh process"]),
    (_calls_the_reference, ["reference_train_network", "scores 0"]),
])
def test_grading_preview_names_what_the_grader_rejects(function, words, capsys):
    problems = " ".join(grading_problems(function))
    for word in words:
        assert word in problems, (word, problems)
    grading_preview(function)
    assert "would score this 0" in capsys.readouterr().out


def test_grading_preview_of_the_student_stub(capsys):
    grading_preview(_stub)
    assert "not attempted" in capsys.readouterr().out


def test_the_explorer_helpers_really_trip_the_graders_watch(data):
    """KERNEL_ONLY is not a guess: the grader's run-time watch flags your_mlp (checking code)."""
    from course_lib import exercises
    from course_lib.grading.child import CourseWatch
    from course_lib.grading.references import forbidden_code

    watch = CourseWatch(forbidden_code(exercises.for_notebook("11_capstone_digits")), {__file__})
    X, y = data[0][:64], data[1][:64]
    watch.call(lambda: your_mlp([64, 8, 10], seed=0).loss_and_grads(X, y, "cross_entropy"), (), {})
    assert watch.found is not None     # course_lib's MLP underneath, then the checking code
    clean = CourseWatch(forbidden_code(exercises.for_notebook("11_capstone_digits")), {__file__})
    W = np.zeros((64, 10))
    clean.call(lambda: nn.softmax_cross_entropy(X @ W, y), (), {})   # a building block is fine
    assert clean.found is None
    mlp = CourseWatch(forbidden_code(exercises.for_notebook("11_capstone_digits")), {__file__})
    plain = nn.MLP([64, 8, 10], activation="relu", seed=0)     # course_lib's MLP is off limits there
    mlp.call(lambda: plain.loss_and_grads(X, y, loss="cross_entropy"), (), {})
    assert mlp.found is not None and "nn.py" in mlp.found


# ---------------------------------------------------------------------------------------------
# the learning-rate slider keeps up: the probe runs once the slider rests (issue 21)

def test_quick_presses_draw_the_schedule_at_once_and_probe_only_the_last_value(data):
    import asyncio

    explorer = CapstoneExplorer(data, epochs=2, optimizer="SGD")
    probed = []
    real_probe = explorer._probe
    explorer._probe = lambda *args: probed.append(args[1]) or real_probe(*args)
    images = []
    explorer.image.observe(lambda change: images.append(change["new"]), names="value")
    slider_ = explorer.controls["learning_rate"]
    values = [10 ** (slider_.min + k * slider_.step) for k in range(1, 6)] + [10.0 ** slider_.max]

    async def presses():
        for value in values:
            slider_.value = value
        await asyncio.sleep(0.5)

    asyncio.run(presses())
    assert probed == [pytest.approx(10.0 ** slider_.max)], probed   # one probe, the last value
    assert len(images) >= len(values)                               # each press drew its line
    assert "diverged" in explorer.note.value
    assert explorer.drawn.value.startswith("optimizer = SGD, learning_rate = 10,")


def test_the_sanity_checks_warn_before_training_with_the_reason(data, capsys):
    explorer = CapstoneExplorer(data, epochs=1)
    explorer.train(progress=False)
    assert explorer.warning == "" and "sanity" not in explorer.status.value   # the reference passes
    # a sanity_checks of the student's that passed its check and reports three failures
    checking._passed_functions["sanity_checks"] = lambda X, y, params, alpha, steps: (9.0, 0.7, False)
    explorer.train(progress=False)
    status = explorer.status.value
    assert "sanity checks before training" in status
    for reason in ("far from ln 10 = 2.30", "could not be overfitted", "did not fall in the first 3 steps"):
        assert reason in status, status
