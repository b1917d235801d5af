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
changed ("blitting") and sends a PNG to an `ipywidgets.Image`: a few milliseconds, so sliders
can update continuously while dragged. When an update changes axes limits, `update` returns
True and the whole figure is redrawn.

Messages such as "diverged at step k" appear inside the plot and in a line of text under it
(class `explorer-message`), never as a traceback.
"""

from __future__ import annotations

import io

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from .. import checking


def log_slider(description: str, value: float, min_exp: float, max_exp: float,
               step: float = 0.05, **kwargs) -> widgets.FloatLogSlider:
    """A slider over 10**min_exp .. 10**max_exp (learning rates, regularization strengths)."""
    return widgets.FloatLogSlider(value=value, base=10, min=min_exp, max=max_exp, step=step,
                                  description=description, continuous_update=True,
                                  readout_format=".3g", style={"description_width": "initial"},
                                  **kwargs)


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
                                   style={"description_width": "initial", "button_width": "auto"})
    toggle.add_class("explorer-impl")
    return toggle


def png_bytes(canvas: FigureCanvasAgg) -> bytes:
    """The canvas's current pixels as PNG (fast compression: speed matters more than size)."""
    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    image.save(out, format="png", compress_level=1)
    return out.getvalue()


class Explorer:
    """Controls + a plot on a private Figure, redrawn by blitting. See the module docstring."""

    def __init__(self, controls: dict[str, widgets.Widget], *, figsize=(9.0, 3.8), dpi=80,
                 main: str | None = None, lr: str | None = None, question: str = ""):
        self.controls = controls
        self.fig = Figure(figsize=figsize, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.image = widgets.Image(format="png")
        self.image.add_class("explorer-plot")
        self.note = widgets.HTML("")
        self.note.add_class("explorer-message")
        self.question = question
        self._background = None
        self._message_text = self.fig.text(0.5, 0.5, "", ha="center", va="center", fontsize=13,
                                           color="#b00020", animated=True, zorder=100,
                                           bbox=dict(facecolor="white", alpha=0.9,
                                                     edgecolor="#b00020"))
        animated = self.setup(self.fig) or []
        self._animated = [*animated, self._message_text]
        for artist in self._animated:
            artist.set_animated(True)
        self.update_count = 0
        if main is not None:
            controls[main].add_class("explorer-main")
        if lr is not None:
            controls[lr].add_class("explorer-lr")
        for control in controls.values():
            control.observe(self._on_change, names="value")
        self.refresh(full=True)

    # -- to be written by each explorer ----------------------------------------------------------
    def setup(self, fig: Figure) -> list:
        """Draw the static part of the figure; return the artists that `update` changes."""
        raise NotImplementedError

    def update(self, **values) -> bool | None:
        """Change the animated artists for these control values; True if axes limits changed."""
        raise NotImplementedError

    # -- machinery ------------------------------------------------------------------------------
    def values(self) -> dict:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def say(self, message: str, in_plot: bool = True) -> None:
        """Show a message under the plot and, for warnings (in_plot=True), in the middle of the
        plot too ("" clears it). Informational notes pass in_plot=False."""
        self._message_text.set_text(message if in_plot else "")
        color = "#b00020" if in_plot else "#333333"
        self.note.value = f"<b style='color:{color}'>{message}</b>" if message else ""

    def _on_change(self, change) -> None:
        self.refresh()

    def refresh(self, full: bool = False) -> None:
        """Run `update` with the current values and redraw what changed."""
        try:
            with np.errstate(all="ignore"):
                limits_changed = self.update(**self.values())
        except Exception as exc:  # never a traceback under a slider
            limits_changed = False
            self.say(f"{type(exc).__name__}: {exc}")
        self._draw(full or bool(limits_changed))
        self.update_count += 1

    def _draw(self, full: bool) -> None:
        if full or self._background is None:
            self.canvas.draw()  # draws everything that is not animated
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        for artist in self._animated:
            if artist.get_visible():
                self.fig.draw_artist(artist)
        self.image.value = png_bytes(self.canvas)

    def widget(self) -> widgets.Widget:
        """The whole explorer: question, controls, plot, message line."""
        parts = []
        if self.question:
            parts.append(widgets.HTML(f"<b>Try this:</b> {self.question}"))
        parts += [widgets.HBox(list(self.controls.values()),
                               layout=widgets.Layout(flex_flow="row wrap")),
                  self.image, self.note]
        box = widgets.VBox(parts)
        box.add_class("course-explorer")
        return box

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget())
