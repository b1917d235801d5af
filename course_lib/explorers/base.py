"""The explorer: sliders and a plot that answers them at once.

Every explorer of the course is a small subclass of `Explorer`:

    class LearningRateExplorer(Explorer):
        def setup(self, fig):                   # draw once: axes, contours, labels, titles
            self.ax = fig.add_subplot()
            self.path, = self.ax.plot([], [], animated=True)   # what sliders change
            return [self.path]                  # the artists redrawn on every move
        def update(self, alpha, steps):         # called with the controls' values
            self.path.set_data(...)
            self.say("diverged at step 12" if ... else "")

    LearningRateExplorer({"alpha": log_slider(...), "steps": ...}, main="alpha", lr="alpha")

Why this shape: the plot is drawn on its own matplotlib `Figure` (matplotlib.figure.Figure),
never on pyplot's shared state, so a widget callback cannot race the kernel's own figure
handling (the blank-plot bug of JupyterLab 4.6). The static part of the figure is rendered once
and kept as a bitmap; a slider move only restores that bitmap, redraws the few artists that
changed ("blitting") and sends a JPEG (as a data: URL, image_url) to an `ipywidgets.Image`: a few
milliseconds, so sliders can update continuously while dragged. When an update changes axes
limits, `update` returns True and the whole figure is redrawn.

Messages such as "diverged at step k" appear inside the plot and in a line of text under it
(class `explorer-message`), never as a traceback.

A slider press shows the latest value, never a queue. In the Jupyter kernel, widget changes
arrive one message at a time; while a slow redraw runs, the next presses wait. So, with an
event loop running (the kernel's), a change is drawn at once only while the last redraw was
quick (COALESCE_AFTER_MS); otherwise it is noted, and one redraw runs when no new change has
come for QUIET_MS, with the latest values: the values in between are dropped (counted in
`dropped`). The expensive part of an update goes into `slow_update` (a probe run, a fit): the
cheap part is drawn at once and the slow part follows, once the slider rests. Without an event
loop (tests, scripts) every change is drawn at once, slow part included. A hidden HTML widget
(class `explorer-drawn`) names the values the plot shows.
"""

from __future__ import annotations

import asyncio
import base64
import io
import time

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from PIL import Image

from .. import checking


def log_slider(description: str, value: float, min_exp: float, max_exp: float,
               step: float = 0.05, **kwargs) -> widgets.FloatLogSlider:
    """A slider over 10**min_exp .. 10**max_exp (learning rates, regularization strengths)."""
    return widgets.FloatLogSlider(value=value, base=10, min=min_exp, max=max_exp, step=step,
                                  description=description, continuous_update=True,
                                  readout_format=".3g", style={"description_width": "initial"},
                                  **kwargs)


def rate_slider(description: str, value: float, min_exp: float, max_exp: float,
                step: float = 0.05, exact=()) -> widgets.SelectionSlider:
    """A learning-rate slider over the stops 10**(min_exp + k step) of log_slider, where each
    value of `exact` (and the start `value`) replaces the stop nearest to it when that stop is
    within half a step of it, else is added: the keyboard then lands on the values a question
    asks for (alpha = 0.5 exactly, not 10**-0.3 = 0.501), and the other stops stay those of a
    log slider. Its value is always one of the stops."""
    count = int(round((max_exp - min_exp) / step))
    stops = [10 ** round(min_exp + k * step, 10) for k in range(count + 1)]
    for wanted in (*exact, value):
        wanted = float(wanted)
        nearest = min(range(len(stops)), key=lambda k: abs(np.log10(stops[k] / wanted)))
        if abs(np.log10(stops[nearest] / wanted)) <= step / 2 + 1e-12:
            stops[nearest] = wanted
        else:
            stops.append(wanted)
    stops = sorted(set(stops))
    return widgets.SelectionSlider(options=[(f"{s:.3g}", s) for s in stops], value=float(value),
                                   description=description, continuous_update=True,
                                   style={"description_width": "initial"})


def slider(description: str, value: float, min: float, max: float, step: float,
           **kwargs) -> widgets.Widget:
    """An integer slider if every number is an integer, else a float slider."""
    numbers = (value, min, max, step)
    kind = widgets.IntSlider if all(isinstance(x, int) for x in numbers) else widgets.FloatSlider
    return kind(value=value, min=min, max=max, step=step, description=description,
                continuous_update=True, style={"description_width": "initial"}, **kwargs)


def implementation_switch(exercise_id: str, reference, label: str = "implementation"):
    """Toggle between the reference and the student's function (once it has passed `check`).

    Its value is the function to use. Before the check passes there is one option, and the
    description says how to unlock the other.
    """
    if checking.has_passed(exercise_id):
        options = [("yours", checking.implementation(exercise_id, reference)),
                   ("reference", reference)]
        tip = f"your {exercise_id} passed its check; switch back to the reference at any time"
    else:
        options = [("reference", reference)]
        tip = f"pass check('{exercise_id}', ...) and re-run this cell to use your own code here"
    toggle = widgets.ToggleButtons(options=options, description=label, tooltips=[tip] * len(options),
                                   style={"description_width": "initial", "button_width": "auto"},
                                   # a margin after it: two switches side by side read as two
                                   layout=widgets.Layout(margin="2px 28px 2px 0"))
    toggle.add_class("explorer-impl")
    return toggle


def without_echo(control: widgets.Widget) -> None:
    """Ask the kernel not to echo this control's changes back to the browser.

    ipywidgets 8 sends each change a browser makes straight back to it ("echo_update", so that
    other browsers on the same kernel follow), and the browser handles that message before the
    new plot. A student's kernel has one browser; without the echo, a key press's plot came
    about 6 ms sooner (06's momentum explorer: median 42 -> 36 ms over three runs of 24 presses).
    The switch is per widget: ipywidgets reads trait_metadata(name, "echo_update"), which takes
    an instance's `_<name>_metadata` before the class's; changes the kernel makes are still sent.
    """
    for name in ("value", "index"):           # what a slider, a toggle or a dropdown sends
        if name in control.keys:
            setattr(control, f"_{name}_metadata", {"echo_update": False})


COALESCE_AFTER_MS = 25.0
"""A redraw slower than this makes the next changes wait and coalesce (kernel only)."""
QUIET_MS = 12.0
"""A waiting redraw runs once no change has arrived for this long."""


def _running_loop():
    """The event loop running in this thread (the kernel's), or None (tests, scripts)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _shown(value) -> str:
    """A control's value as explorer-drawn shows it (numbers with 4 significant digits)."""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(getattr(value, "__name__", value))


JPEG_QUALITY = 95
"""Quality of the explorers' images: at 95 with full colour resolution (4:4:4) a plot's lines
and text look as in a PNG (mean pixel difference under 1 of 255)."""


def image_bytes(canvas: FigureCanvasAgg) -> bytes:
    """The canvas's current pixels as a JPEG (quality JPEG_QUALITY, no chroma subsampling).

    Encoding speed decides how fast a slider feels: for the 800 x 320 optimizer explorer a PNG
    (zlib, level 1, no row filters) took 12.5 ms on a loaded 2-core machine, Pillow's PNG about
    twice that, lossless WebP 24 ms, and this JPEG 1.1-1.5 ms, for a file of the same size
    (75 KB against 72 KB). tests/test_explorer_base.py checks that it decodes to the canvas's
    pixels within a small error.
    """
    width, height = canvas.get_width_height(physical=True)
    # read the RGBA pixels as RGB in one pass (the same bytes as RGBA + convert("RGB"), 0.4 ms less)
    rgb = Image.frombuffer("RGB", (width, height), canvas.buffer_rgba(), "raw", "RGBX", 0, 1)
    out = io.BytesIO()
    rgb.save(out, "JPEG", quality=JPEG_QUALITY, subsampling=0)
    return out.getvalue()


DATA_URL_PREFIX = b"data:image/jpeg;base64,"


def image_url(jpeg: bytes) -> bytes:
    """A JPEG as a data: URL (RFC 2397), the value the explorer's Image shows (its format "url").

    Why not the Image's "jpeg" format: ipywidgets then wraps the bytes in a Blob and points the
    image at a blob: URL, which the page loads through Chromium's browser process before it can
    decode it; a data: URL is decoded in the page. Key press to new image decoded (04's batch
    size explorer, 16 presses): 38 -> 28 ms on the 2-core machine as is, 120 -> 90 ms with every
    process of the stack held to a third of a core. The message is a third longer (base64).
    """
    return DATA_URL_PREFIX + base64.b64encode(jpeg)


def jpeg_of(url: bytes) -> bytes:
    """The JPEG inside an image_url."""
    url = bytes(url)                       # the Image holds a memoryview once set
    if not url.startswith(DATA_URL_PREFIX):
        raise ValueError(f"not an explorer image (a JPEG data: URL): starts {bytes(url[:30])!r}")
    return base64.b64decode(url[len(DATA_URL_PREFIX):])


def _pixel_box(artist, canvas, pad: int) -> Bbox:
    """The whole pixels an artist covers (a text with its bbox patch), plus pad pixels."""
    renderer = canvas.get_renderer()
    box = artist.get_window_extent(renderer)
    patch = artist.get_bbox_patch() if hasattr(artist, "get_bbox_patch") else None
    if patch is not None:  # the box around a text: its pad is in units of the font size
        size = renderer.points_to_pixels(artist.get_fontsize())
        box = box.padded(patch.get_boxstyle().pad * size + patch.get_linewidth())
    x0, y0, x1, y1 = box.extents
    return Bbox.from_extents(int(x0) - pad, int(y0) - pad, int(x1) + pad + 1, int(y1) + pad + 1)


def _drawn_alone(artist, canvas, pad: int):
    """The artist drawn alone on transparent pixels, over its box plus pad pixels: (rows,
    columns, colour x alpha, 255 - alpha) of those pixels, for _blend. The canvas is left as
    it was."""
    pixels = np.asarray(canvas.buffer_rgba())
    height, width = pixels.shape[:2]
    x0, y0, x1, y1 = _pixel_box(artist, canvas, pad).extents
    rows = slice(max(0, height - int(y1)), max(0, min(height, height - int(y0))))
    cols = slice(max(0, int(x0)), max(0, min(width, int(x1))))
    under = pixels[rows, cols].copy()
    pixels[rows, cols] = 0                          # transparent: Agg blends straight alpha
    canvas.figure.draw_artist(artist)
    alone = pixels[rows, cols].astype(np.uint16)
    pixels[rows, cols] = under
    alpha = alone[..., 3:]
    return rows, cols, alone[..., :3] * alpha, 255 - alpha


def _blend(canvas, rows, cols, color_alpha, transparency) -> None:
    """Blend pixels saved by _drawn_alone over the canvas (an opaque one):
    new = (colour * alpha + old * (255 - alpha)) / 255, rounded; at most 255 * 255 in uint16."""
    pixels = np.asarray(canvas.buffer_rgba())
    old = pixels[rows, cols, :3]
    pixels[rows, cols, :3] = (color_alpha + old * transparency + 127) // 255


CELL_PAINT_STYLE = "<style>.jp-Notebook .jp-Cell { contain: paint; }</style>"
"""Each notebook cell painted on its own (CSS paint containment), which the explorer's widget
carries (a hidden HTML widget: a style element applies wherever it lies in the page).

Without it the browser repaints the whole notebook on every slider press: a cell is not a
paint layer of its own, so a new picture in one output made it record the display items of
every cell again, twice a press (the slider's move, then the picture), 10-12 ms of the
renderer's main thread per press in 05's explorer; with it, about 2 ms. A contained cell clips
what would overflow it: tests/test_browser.py checks that no cell of the course's notebooks has
content outside its box."""


class Explorer:
    """Controls + a plot on a private Figure, redrawn by blitting. See the module docstring."""

    def __init__(self, controls: dict[str, widgets.Widget], *, figsize=(9.0, 3.8), dpi=80,
                 main: str | None = None, lr: str | None = None, question: str = ""):
        self.controls = controls
        self.fig = Figure(figsize=figsize, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.image = widgets.Image(format="url")      # image_url
        self.image.add_class("explorer-plot")
        self.note = widgets.HTML("")
        self.note.add_class("explorer-message")
        self.readout_html = widgets.HTML("")      # numbers that change with every move (show_numbers)
        self.readout_html.add_class("explorer-readout")
        self.drawn = widgets.HTML("", layout=widgets.Layout(display="none"))  # what the plot shows
        self.drawn.add_class("explorer-drawn")
        self.question = question
        self._background = None
        self._snapshots = {}  # artist -> [key, saved pixels or None]; see snapshot()
        self._texts = None    # during refresh: the texts to set once the picture is sent
        self._message_text = self.fig.text(0.5, 0.5, "", ha="center", va="center", fontsize=13,
                                           color="#b00020", animated=True, zorder=100,
                                           bbox=dict(facecolor="white", alpha=0.9,
                                                     edgecolor="#b00020"))
        animated = self.setup(self.fig) or []
        self._animated = [*animated, self._message_text]
        for artist in self._animated:
            artist.set_animated(True)
        self.update_count = 0
        self.dropped = 0            # changes never drawn: a later value came before their turn
        self.last_ms = 0.0          # how long the last redraw took (its cheap part)
        self._changed_at = 0.0
        self._waiting = None        # the scheduled redraw (asyncio handle), or None
        self._stale = False         # a change came that is not drawn yet (cheap part)
        self._has_slow = type(self).slow_update is not Explorer.slow_update
        if main is not None:
            controls[main].add_class("explorer-main")
        if lr is not None:
            controls[lr].add_class("explorer-lr")
        for control in controls.values():
            control.observe(self._on_change, names="value")
            without_echo(control)
        self.refresh(full=True)
        self.last_ms = 0.0          # the first draw is a full one: it says nothing of the next

    # -- to be written by each explorer ----------------------------------------------------------
    def setup(self, fig: Figure) -> list:
        """Draw the static part of the figure; return the artists that `update` changes."""
        raise NotImplementedError

    def update(self, **values) -> bool | None:
        """Change the animated artists for these control values; True if axes limits changed."""
        raise NotImplementedError

    def slow_update(self, **values) -> bool | None:
        """Optional: the expensive part of an update (a probe run, a fit), drawn after the cheap
        part; in the kernel it runs once the controls rest, with their latest values."""
        return None

    def snapshot(self, artist, key, pad: int = 3, overlay: bool = False) -> None:
        """Draw the animated `artist` from its saved pixels while `key` stays the same; call it
        in `update` with what the artist shows (a legend's labels, a text's string). Drawing a
        legend costs ~10 ms, a short text ~1 ms; restoring their pixels, well under 0.1.

        The saved pixels are the artist's box (with a text's bbox patch) plus `pad` pixels for
        the antialiased edge, taken after it was drawn over the artists before it. So use it for
        an artist that is opaque (a legend with framealpha=1) or has only static artists under
        it and no animated artist within `pad` pixels.

        overlay=True saves the artist drawn alone on transparent pixels instead and blends it
        over whatever lies under it, on every draw (a full one too, so both give the same
        pixels): for a see-through artist over moving lines (the warning box in the middle of
        the plot, whose two lines of text cost 10-14 ms to draw and about 0.3 ms to blend).
        """
        saved = self._snapshots.setdefault(artist, [None, None, pad, overlay, {}])
        if saved[0] != key:
            saved[0], saved[1] = key, None
            if overlay:              # an overlay is kept per key: a message comes and goes
                saved[1] = saved[4].get(key)

    # -- machinery ------------------------------------------------------------------------------
    def values(self) -> dict:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def show_numbers(self, lines: list[str]) -> None:
        """Show a block of numbers beside the plot, as text the browser draws: matplotlib draws
        text at about 0.1 ms per glyph, so a 5-line readout redrawn in the figure cost most of
        a slider move (15 of 18 ms for the momentum explorer)."""
        import html

        text = "\n".join(html.escape(line) for line in lines)
        self._set_text(self.readout_html,
                       f"<pre style='font-size:11px;line-height:1.25;margin:2px 0'>{text}</pre>")

    def _set_text(self, widget: widgets.HTML, value: str) -> None:
        """Set a text under the plot; during a redraw, only after the new picture is sent: the
        browser handles messages in order, and a text's (a new HTML block to lay out) before the
        picture's made the picture wait."""
        if self._texts is None:
            if widget.value != value:
                widget.value = value
        else:
            self._texts[widget] = value

    def say(self, message: str, in_plot: bool = True) -> None:
        """Show a message under the plot and, for warnings (in_plot=True), in the middle of the
        plot too ("" clears it). Informational notes pass in_plot=False."""
        self._message_text.set_text(message if in_plot else "")
        self.snapshot(self._message_text, self._message_text.get_text(), overlay=True)
        color = "#b00020" if in_plot else "#333333"
        self._set_text(self.note, f"<b style='color:{color}'>{message}</b>" if message else "")

    def _on_change(self, change) -> None:
        loop = _running_loop()
        if loop is None:                      # tests, scripts: draw every change, slow part too
            self.refresh()
            return
        self._changed_at = time.perf_counter()
        if not self._stale and self.last_ms <= COALESCE_AFTER_MS:
            self.refresh(slow=False)          # quick: the cheap part at once
            if self._has_slow and self._waiting is None:
                self._wait(loop)              # the slow part once the controls rest
            return
        if self._stale:
            self.dropped += 1                 # the change before this one will never be drawn
        self._stale = True
        if self._waiting is None:
            self._wait(loop)

    def _wait(self, loop) -> None:
        self._waiting = loop.call_later(QUIET_MS / 1000, self._when_quiet, loop)

    def _when_quiet(self, loop) -> None:
        """Redraw with the latest values once no change has come for QUIET_MS."""
        since = (time.perf_counter() - self._changed_at) * 1000
        if since < QUIET_MS:
            self._waiting = loop.call_later((QUIET_MS - since) / 1000, self._when_quiet, loop)
            return
        self._waiting = None
        self._stale = False
        self.refresh()

    def refresh(self, full: bool = False, slow: bool = True) -> None:
        """Run `update` (and, unless slow=False, `slow_update`) with the current values and
        redraw what changed."""
        start = time.perf_counter()
        values = self.values()
        self._texts = {}                      # texts set during the redraw wait for the picture
        try:
            with np.errstate(all="ignore"):
                limits_changed = self.update(**values)
                if slow and self._has_slow:
                    middle = time.perf_counter()
                    limits_changed = self.slow_update(**values) or limits_changed
                    start += time.perf_counter() - middle      # last_ms: the cheap part only
        except Exception as exc:  # never a traceback under a slider
            limits_changed = False
            self.say(f"{type(exc).__name__}: {exc}")
        try:
            self._draw(full or bool(limits_changed))
        finally:
            texts, self._texts = self._texts, None
            for widget, value in texts.items():
                self._set_text(widget, value)
        shown = ", ".join(f"{name} = {_shown(v)}" for name, v in values.items())
        if self.drawn.value != shown:
            self.drawn.value = shown
        self.update_count += 1
        self.last_ms = 1000 * (time.perf_counter() - start)

    def _draw(self, full: bool) -> None:
        if full or self._background is None:
            self.canvas.draw()  # draws everything that is not animated
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        renderer = self.canvas.get_renderer()   # once: the canvas looks it up on every call
        for artist in self._animated:
            if not artist.get_visible():
                continue
            saved = self._snapshots.get(artist)
            if saved is not None and saved[3]:
                if saved[1] is None:
                    if len(saved[4]) >= 32:
                        saved[4].clear()
                    saved[1] = saved[4][saved[0]] = _drawn_alone(artist, self.canvas, saved[2])
                _blend(self.canvas, *saved[1])
                continue
            if saved is not None and saved[1] is not None and not full:
                renderer.restore_region(saved[1])
                continue
            artist.draw(renderer)                     # what Figure.draw_artist does
            if saved is not None:
                saved[1] = renderer.copy_from_bbox(_pixel_box(artist, self.canvas, saved[2]))
        self.image.value = image_url(image_bytes(self.canvas))

    def widget(self) -> widgets.Widget:
        """The whole explorer: question, controls, plot, message line."""
        parts = []
        if self.question:
            parts.append(widgets.HTML(f"<b>Try this:</b> {self.question}"))
        parts += [widgets.HBox(list(self.controls.values()),
                               layout=widgets.Layout(flex_flow="row wrap")),
                  self.image, self.readout_html, self.note, self.drawn,
                  widgets.HTML(CELL_PAINT_STYLE, layout=widgets.Layout(display="none"))]
        box = widgets.VBox(parts)
        box.add_class("course-explorer")
        return box

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget())
