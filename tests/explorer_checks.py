"""Shared assertions for the explorer tests."""

import warnings


def assert_control_changes_plot(explorer, name, value):
    """Setting control `name` to `value` redraws the plot, with no warning and no error message."""
    before = explorer.image.value
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer.controls[name].value = value
    assert explorer.image.value != before, f"moving {name!r} did not change the plot"
    assert "Error" not in explorer.note.value, explorer.note.value
