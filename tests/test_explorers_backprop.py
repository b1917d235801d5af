"""The worked-example explorer of 05_backpropagation: renders, answers its controls, and draws
the lecture's numbers."""

import warnings

import matplotlib
import pytest
from explorer_checks import assert_control_changes_plot, assert_renders_and_reacts, assert_shows_jpeg

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from course_lib.explorers.backprop import NetworkDrawing, WorkedExampleExplorer, draw_worked_example  # noqa: E402
from course_lib.nn import LECTURE_VALUES  # noqa: E402


@pytest.fixture
def explorer():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield WorkedExampleExplorer()


def test_renders_an_image_with_the_lecture_numbers(explorer):
    assert_shows_jpeg(explorer, 5000)
    numbers = explorer.drawing.numbers
    assert numbers["value h2"].get_text() == "\u22123" and numbers["out h2"].get_text() == "0"
    assert numbers["dL/dw9"].get_text() == "30" and numbers["dL/dx2"].get_text() == "18"
    assert numbers["L"].get_text() == "9"


def test_moving_each_control_changes_the_image_without_warnings():
    explorer = assert_renders_and_reacts(WorkedExampleExplorer, {"value": 1.0})  # w4 = 1: h2 on
    assert explorer.drawing.numbers["out h2"].get_text() == "3"
    assert explorer.note.value == ""
    assert_control_changes_plot(explorer, "parameter", "w7")  # resets the value to the lecture's w7
    assert explorer.controls["value"].value == -1.0
    assert explorer.drawing.numbers["dL/dw7"].get_text() == "24"


def test_tangent_slope_is_the_derivative(explorer):
    xs, ys = explorer.tangent.get_data()
    assert (ys[1] - ys[0]) / (xs[1] - xs[0]) == pytest.approx(LECTURE_VALUES["dL/dw4"])


def test_static_drawing_shows_every_value_of_the_slide():
    ax = Figure().add_subplot()
    result = draw_worked_example(ax)
    assert result == LECTURE_VALUES
    texts = {t.get_text() for t in ax.texts}
    assert {"4", "\u22123", "5", "6"} <= texts


def test_forward_only_drawing_has_no_gradients():
    ax = Figure().add_subplot()
    drawing = NetworkDrawing(ax, gradients=False)
    assert not any(key.startswith("dL/d") for key in drawing.numbers)


@pytest.mark.parametrize("w4", [-0.5, -0.49999999999999994])   # the browser's rounding of -0.5
def test_relu_kink_is_explained_and_uses_derivative_zero(explorer, w4):
    explorer.controls["value"].value = w4                 # i2 = 1 * 1 + 2 * w4 = 0
    assert explorer.drawing.numbers["value h2"].get_text() == "0"
    assert explorer.drawing.numbers["dL/di2"].get_text() == "0"    # relu_backward's 0 at the kink
    assert "i2 = 0" in explorer.note.value and "NaN" in explorer.note.value
    assert explorer.tangent.get_ydata()[0] == explorer.tangent.get_ydata()[1]   # slope 0: flat
    explorer.controls["value"].value = -0.4               # past the kink: the slope jumps
    assert explorer.note.value == ""
    assert explorer.drawing.numbers["dL/di2"].get_text() == "21.6"   # 2 (6.6 - 3) * w8 = 2 * 3.6 * 3


def test_numbers_restored_from_snapshots_equal_a_fresh_drawing():
    """Unchanged numbers are restored from saved pixels: after several moves the picture must be
    exactly what a new explorer draws for the same value."""
    import numpy as np

    explorer = WorkedExampleExplorer()
    for value in (-1.0, -0.5, 0.7, 2.9, 0.2):
        explorer.controls["value"].value = value
    fresh = WorkedExampleExplorer()
    fresh.controls["value"].value = 0.2
    fresh.refresh(full=True)
    assert np.array_equal(np.asarray(explorer.canvas.buffer_rgba()), np.asarray(fresh.canvas.buffer_rgba()))
