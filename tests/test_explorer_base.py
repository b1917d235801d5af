"""The explorer base class and the welcome explorer: plots that answer sliders, never tracebacks."""

import warnings

import numpy as np
from explorer_checks import assert_shows_jpeg

from course_lib import checking
from course_lib.explorers.base import Explorer, implementation_switch, jpeg_of, log_slider, slider
from course_lib.explorers.welcome import ConstantFitExplorer
from course_lib.nn import mse_loss


class Line(Explorer):
    """y = a x on fixed axes; a < 0 raises, to test error reporting."""

    def setup(self, fig):
        ax = fig.add_subplot()
        ax.set(xlim=(0, 1), ylim=(-1, 10), title="y = a x", xlabel="x", ylabel="y")
        self.line, = ax.plot([], [])
        return [self.line]

    def update(self, a, steps):
        if a < 0:
            raise ValueError("a must be positive")
        self.line.set_data([0, 1], [0, a])
        self.say("diverged at step 3" if a > 5 else "")


def _line():
    return Line({"a": slider("a", 1.0, -1.0, 9.0, 0.5), "steps": slider("steps", 3, 1, 9, 1)},
                main="a", lr="steps")


def test_moving_a_slider_redraws_the_plot_and_only_then():
    e = _line()
    first = e.image.value
    assert_shows_jpeg(e)
    e.controls["a"].value = 2.0
    assert e.image.value != first
    assert e.update_count == 2
    assert "explorer-main" in e.controls["a"]._dom_classes
    assert "explorer-lr" in e.controls["steps"]._dom_classes


def test_blitted_redraw_equals_a_full_redraw():
    e = _line()
    e.controls["a"].value = 4.0
    fast = e.image.value
    e.refresh(full=True)
    assert e.image.value == fast


def test_messages_show_in_the_plot_and_under_it_and_clear_again():
    e = _line()
    e.controls["a"].value = 8.0
    assert "diverged at step 3" in e.note.value
    e.controls["a"].value = 1.0
    assert e.note.value == ""


def test_an_exception_in_update_becomes_a_message_not_a_traceback():
    e = _line()
    e.controls["a"].value = -1.0
    assert "ValueError: a must be positive" in e.note.value


def test_log_slider_spans_powers_of_ten():
    s = log_slider("alpha", 0.01, -3, 0)
    assert s.base ** s.min == 1e-3 and s.base ** s.max == 1.0


def test_implementation_switch_offers_the_students_function_only_after_it_passed():
    def mine(o, y):
        return float(np.mean((np.asarray(o) - np.asarray(y)) ** 2))
    checking._passed_functions.pop("mse", None)
    assert [label for label, _ in implementation_switch("mse", mse_loss).options] == ["reference"]
    checking.check("mse", mine)
    switch = implementation_switch("mse", mse_loss)
    assert dict(switch.options) == {"yours": mine, "reference": mse_loss}
    checking._passed_functions.pop("mse", None)


def test_welcome_explorer_marks_the_mse_of_c_and_its_minimum_is_the_mean():
    y = np.random.default_rng(0).normal(2.0, 1.0, 12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e = ConstantFitExplorer(y)
        before = e.image.value
        e.controls["c"].value = float(np.round(y.mean(), 1))
    assert e.image.value != before
    cx, cy = e.point.get_data()
    assert np.isclose(cy[0], np.mean((cx[0] - y) ** 2))
    grid, values = e.curve.get_data()
    assert abs(grid[np.argmin(values)] - y.mean()) < grid[1] - grid[0]
    low, high = e.controls["c"].min, e.controls["c"].max
    assert low <= y.min() and high >= y.max()          # the slider covers the data


def test_the_image_decodes_to_the_canvas_pixels():
    """A JPEG, but at quality 95 without chroma subsampling it is the canvas within a small error."""
    import io

    from PIL import Image

    e = _line()
    e.controls["a"].value = 3.0
    decoded = np.asarray(Image.open(io.BytesIO(jpeg_of(e.image.value))).convert("RGB")).astype(int)
    pixels = np.asarray(e.canvas.buffer_rgba())[:, :, :3].astype(int)
    assert decoded.shape == pixels.shape
    error = np.abs(decoded - pixels)
    # measured: 0.06 and 5 at quality 95, 4:4:4; 4:2:0 gives 32, quality 80 gives 17
    assert error.mean() < 0.15 and np.percentile(error, 99.9) < 10, (error.mean(), error.max())
    assert e.image.format == "url" and bytes(e.image.value).startswith(b"data:image/jpeg;base64,")


class Legend(Line):
    """Line with an opaque legend drawn from a snapshot while its label stays the same."""

    def setup(self, fig):
        animated = super().setup(fig)
        self.line.set_label("a = 1")
        self.legend = fig.axes[0].legend(loc="upper left", framealpha=1.0)
        return [*animated, self.legend]

    def update(self, a, steps):
        super().update(a, steps)
        self.legend.get_texts()[0].set_text(f"a = {a:g}" if steps > 3 else "a = 1")
        self.snapshot(self.legend, self.legend.get_texts()[0].get_text())


def test_a_snapshot_artist_is_redrawn_when_its_key_changes_and_equals_a_full_redraw():
    e = Legend({"a": slider("a", 1.0, -1.0, 9.0, 0.5), "steps": slider("steps", 3, 1, 9, 1)},
               main="a")
    e.controls["a"].value = 2.0              # the label stays "a = 1": drawn from the snapshot
    from_snapshot = e.image.value
    e.refresh(full=True)
    assert e.image.value == from_snapshot
    e.controls["steps"].value = 5            # the label becomes "a = 2": drawn anew
    new_label = e.image.value
    e.refresh(full=True)
    assert e.image.value == new_label != from_snapshot


# --- a press shows the latest value, never a queue (issue 21) ----------------------------------

class SlowLine(Line):
    """Line whose update takes 40 ms (a slow explorer on a slow machine)."""

    seen: list

    def update(self, a, steps):
        import time

        self.seen = getattr(self, "seen", []) + [a]
        time.sleep(0.04)
        return super().update(a, steps)


class ProbedLine(Line):
    """Line with a quick update and a slow part (a probe) that writes a message."""

    def slow_update(self, a, steps):
        self.probed = getattr(self, "probed", []) + [a]
        self.say(f"probed a = {a:g}", in_plot=False)


def _presses(explorer, values, wait=0.3):
    """Set the values one after the other inside an event loop, as queued widget messages arrive
    in the kernel (no pause between them), then let the loop run for `wait` seconds."""
    import asyncio

    async def main():
        for value in values:
            explorer.controls["a"].value = value
        await asyncio.sleep(wait)

    asyncio.run(main())


def test_queued_changes_of_a_slow_explorer_coalesce_to_the_last_value():
    e = SlowLine({"a": slider("a", 1.0, -1.0, 9.0, 0.5), "steps": slider("steps", 3, 1, 9, 1)}, main="a")
    values = [1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0]
    _presses(e, values)
    # the first press is drawn at once (40 ms); the eight that queued behind it are dropped
    assert e.seen == [1.0, 1.5, 6.0], e.seen
    assert e.update_count == 3 and e.dropped == len(values) - 2 and e.last_ms > 25
    assert e.drawn.value == "a = 6, steps = 3"


def test_a_quick_explorer_draws_every_press_and_its_slow_part_once_at_the_end():
    e = ProbedLine({"a": slider("a", 1.0, -1.0, 9.0, 0.5), "steps": slider("steps", 3, 1, 9, 1)}, main="a")
    assert e.probed == [1.0]
    images = []
    e.image.observe(lambda change: images.append(change["new"]), names="value")
    _presses(e, [1.5, 2.0, 2.5, 3.0])
    assert len(images) >= 4 and e.dropped == 0       # every press drew its cheap part at once
    assert e.probed == [1.0, 3.0], e.probed          # the slow part: once, for the last value
    assert e.note.value.endswith("probed a = 3</b>")


def test_without_an_event_loop_every_change_runs_both_parts():
    e = ProbedLine({"a": slider("a", 1.0, -1.0, 9.0, 0.5), "steps": slider("steps", 3, 1, 9, 1)}, main="a")
    for value in (2.0, 3.0):
        e.controls["a"].value = value
    assert e.probed == [1.0, 2.0, 3.0] and "probed a = 3" in e.note.value


def test_show_numbers_escapes_and_sits_under_the_plot():
    e = _line()
    e.show_numbers(["a < b", "rate 0.5"])
    assert e.readout_html.value.count("\n") == 1 and "a &lt; b" in e.readout_html.value
    children = list(e.widget().children)
    assert children.index(e.readout_html) == children.index(e.image) + 1


def test_quicktext_draws_the_pixels_a_text_draws():
    """QuickText (cached glyphs, the worked example's numbers) looks as matplotlib's Text: the
    same glyphs at the same places, with its bbox patch, for every alignment used."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    from course_lib.explorers.quicktext import QuickText

    def draw(kind):
        fig = Figure(figsize=(4, 2), dpi=80)
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.set_axis_off()
        styles = [dict(ha="left", va="top", fontsize=8, color="#c0392b",
                       bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.85)),
                  dict(ha="center", va="center", fontsize=9.5, color="#1b7a1b", weight="bold"),
                  dict(ha="left", va="bottom", fontsize=8.5)]
        texts = []
        for k, text in enumerate(["\u221220.4", "13.2", "0.75", "104", "\u22123"]):
            artist = kind(0.1 + 0.17 * k, 0.2 + 0.15 * k, text, **styles[k % 3])
            texts.append(ax.add_artist(artist))
        canvas.draw()
        return np.asarray(canvas.buffer_rgba()).astype(int), texts, canvas.get_renderer()

    slow, texts, renderer = draw(Text)
    quick, quick_texts, _ = draw(QuickText)
    differ = np.abs(slow - quick).max(axis=2)
    assert (slow != 255).any() and (differ > 0).sum() <= 10 and differ.max() < 60, (differ > 0).sum()
    for text, quick_text in zip(texts, quick_texts):       # its cheap extent is the same box
        a, b = text.get_window_extent(renderer), quick_text.get_window_extent(renderer)
        assert np.allclose(a.extents, b.extents, atol=1.5), (a.extents, b.extents)


def test_a_change_from_the_browser_is_not_echoed_but_the_kernels_changes_are_sent():
    """The browser handles a control's echo before the new plot: an explorer's controls send none
    (ipywidgets 8 echoes by default, as the plain slider here shows)."""
    import ipywidgets as widgets

    e = _line()
    plain = widgets.FloatSlider()
    for control, state in [(e.controls["a"], {"value": 2.5}), (plain, {"value": 0.5}),
                           (widgets.SelectionSlider(options=["x", "y"]), {"index": 1})]:
        sent = []
        control._send = lambda msg, buffers=None, sent=sent: sent.append(msg)
        if control is not plain and "index" in state:
            from course_lib.explorers.base import without_echo
            without_echo(control)
        control.set_state(state)
        echoes = [m for m in sent if m["method"] == "echo_update"]
        assert bool(echoes) == (control is plain), (control, sent)
    assert e.controls["a"].value == 2.5 and e.update_count == 2
    sent = []
    e.controls["a"]._send = lambda msg, buffers=None: sent.append(msg)
    e.controls["a"].value = 3.0                          # the kernel's own change still goes out
    assert [m["method"] for m in sent] == ["update"] and sent[0]["state"] == {"value": 3.0}


def test_texts_under_the_plot_are_sent_after_the_new_picture():
    """The browser handles messages in order: a text set in update() went out before the picture
    and made it wait. Texts set during a redraw now follow it; outside a redraw, at once."""
    e = _line()
    sent = []
    for name, widget in [("picture", e.image), ("note", e.note), ("numbers", e.readout_html)]:
        widget._send = lambda msg, buffers=None, name=name: sent.append(name)
    e.update = lambda a, steps: (e.show_numbers([f"a = {a}"]), e.say("diverged at step 3"))
    e.controls["a"].value = 6.0
    assert sent == ["picture", "numbers", "note"], sent
    assert "diverged at step 3" in e.note.value and "a = 6.0" in e.readout_html.value
    e.say("")                                            # outside a redraw: at once
    assert sent[-1] == "note" and e.note.value == ""
