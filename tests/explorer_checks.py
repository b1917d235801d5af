"""Shared assertions for the explorer tests."""

import warnings

from course_lib.explorers.base import jpeg_of

JPEG = b"\xff\xd8\xff"     # what every explorer image's JPEG starts with (base.image_bytes)


def assert_shows_jpeg(explorer, min_bytes: int = 1000) -> bytes:
    """The explorer's image is a JPEG (inside its data: URL) of at least min_bytes; returns it."""
    jpeg = jpeg_of(explorer.image.value)
    assert jpeg[:3] == JPEG and len(jpeg) >= min_bytes, (bytes(jpeg[:3]), len(jpeg))
    return jpeg


def assert_control_changes_plot(explorer, name, value):
    """Setting control `name` to `value` redraws the plot, with no warning and no error message."""
    before = explorer.image.value
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer.controls[name].value = value
    assert explorer.image.value != before, f"moving {name!r} to {value!r} did not change the plot"
    assert "Error" not in explorer.note.value, explorer.note.value


def assert_renders_and_reacts(make, moves):
    """`make()` builds an explorer without warnings that shows a JPEG and asks a question, and
    every (control, value) of `moves` changes its plot. Returns the explorer."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer = make()
    assert_shows_jpeg(explorer)
    assert explorer.question
    for name, value in dict(moves).items():
        assert_control_changes_plot(explorer, name, value)
    return explorer
