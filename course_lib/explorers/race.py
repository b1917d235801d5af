"""The optimizer race of 09_optimizer_race: every optimizer side by side on one landscape.

    from course_lib.explorers.race import RaceExplorer
    RaceExplorer()            # press ▶ to watch the race, like Alec Radford's animations

Left: the contour plot of a landscape with every optimizer's path theta_0 ... theta_k up to the
step k of the step slider, and a dot (the "head") at theta_k. Right: each optimizer's loss
against the step number, with the current step marked; the legend names each racer, its
learning rate, and "(yours)" when it runs the student's own step function.

All trajectories are computed once when a setting changes (landscape, start, a learning-rate
multiplier, the code switch); moving the step slider (or playing the animation) only changes the
data of the drawn lines, so an animation frame costs a few milliseconds.

Learning rates: each landscape has base learning rates, one per optimizer
(landscapes.BASE_LEARNING_RATES, from each optimizer's catalogue entry). The explorer multiplies
them by a global factor (the lr slider) and by one factor per optimizer: alpha = base * global * own.

The numbers come from course_lib.landscapes (run_race, the racers, starts and learning rates);
the student's step functions from course_lib.yours; colours and drawing helpers from
course_lib.plotting.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import optimizers, yours
from ..landscapes import (
    BASE_LEARNING_RATES,
    LANDSCAPES,
    RACE_LANDSCAPES,
    RACE_STEPS,
    RACERS,
    STARTS,
    loss_gap,
    race_bound,
    run_race,
)
from ..plotting import COLORS, draw_landscape, setup_loss_axis
from .base import Explorer, log_slider, slider
from .quicktext import QuickText


def is_yours(name):
    """True when every step function the racer `name` needs passed its check in this kernel."""
    return yours.is_yours(name)


def race_divergence_message(results, landscape):
    """"" if no racer diverged, else which ones did, at which step, and what it means.

    results: dict name -> Trajectory (as run_race returns). A racer "diverged" when theta left
    the box |x|, |y| <= race_bound(landscape) (or became non-finite). The adaptive racers never
    overflow (their steps are about alpha per coordinate): for them it means a huge alpha threw
    theta out of that box.
    """
    diverged = [name for name, result in results.items() if result.message]
    if not diverged:
        return ""
    text = "; ".join(f"{name} {results[name].message}" for name in diverged)
    text += f" (θ left the box |x|, |y| ≤ {race_bound(landscape):g})"
    if any(optimizers.entry(name).adaptive for name in diverged):
        text += "\nadaptive steps are about α per coordinate: they jump out, they do not blow up"
    return text


# ----------------------------------------------------------------------------------------------
# The explorer
# ----------------------------------------------------------------------------------------------


class RaceExplorer(Explorer):
    """Six optimizers racing on one landscape, animated with a Play button.

    RaceExplorer(landscape="valley", steps=RACE_STEPS, question=None)
    Controls: step k (the main slider, driven by ▶), landscape, start, the global learning-rate
    multiplier (lr, 0.1x .. 10x: at 10x at least one racer diverges on every landscape), one
    multiplier per optimizer, and the code switch ("yours" where your step function passed its
    check, or the reference for all).
    """

    def __init__(self, landscape="valley", steps=RACE_STEPS, question=None):
        if landscape not in RACE_LANDSCAPES:
            raise ValueError(f"landscape must be one of {RACE_LANDSCAPES}, got {landscape!r}")
        self.steps = int(steps)
        self._busy = False
        self._key = None
        self._shown_landscape = None
        self.results = {}
        controls = {
            "step": slider("step k", self.steps, 0, self.steps, 1),
            "landscape": widgets.Dropdown(options=[(LANDSCAPES[k].title, k) for k in RACE_LANDSCAPES],
                                          value=landscape, description="landscape"),
            "start": widgets.Dropdown(options=list(STARTS[landscape]), description="start",
                                      layout=widgets.Layout(width="330px")),
            "lr": log_slider("all α ×", 1.0, -1.0, 1.0),
        }
        for name in RACERS:
            controls[f"lr_{name}"] = log_slider(f"{name} α ×", 1.0, -1.0, 1.0)
        any_yours = any(is_yours(name) for name in RACERS)
        controls["code"] = widgets.ToggleButtons(
            options=["yours", "reference"] if any_yours else ["reference"], description="code",
            tooltips=["your step functions where they passed their check", "the reference code"],
            style={"description_width": "initial", "button_width": "auto"})
        self.play = widgets.Play(value=self.steps, min=0, max=self.steps, step=1, interval=60,
                                 description="play the race",
                                 layout=widgets.Layout(margin="2px 16px 2px 0"))
        # The play and the slider are tied in the kernel, not in the browser: with a link there, a
        # key press on the slider sent the kernel two changes (the play's value, then the step)
        # and the plot waited for both; a link one way (play -> slider) brought a late play value
        # back onto a slider that had moved on.
        self.play.observe(self._rewind, names="playing")
        self.play.observe(self._played, names="value")
        if question is None:
            question = ("on the valley, which optimizer reaches the minimum first, and which one "
                        "overshoots? Switch to the saddle: who escapes, who gets stuck, and what "
                        "changes if you start exactly on the ridge?")
        super().__init__(controls, main="step", lr="lr", figsize=(10.5, 4.4), question=question)
        controls["step"].observe(self._follow, names="value")   # after the explorer's own redraw

    # -- drawing ---------------------------------------------------------------------------------
    def setup(self, fig):
        self.ax_path, self.ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1]})
        self.lines, self.heads, self.loss_lines = {}, {}, {}
        for name in RACERS:
            color = COLORS[name]
            self.lines[name], = self.ax_path.plot([], [], "-", color=color, lw=1.8, zorder=5)
            self.heads[name], = self.ax_path.plot([], [], "o", color=color, ms=8, mec="black",
                                                  mew=0.8, zorder=7)
            self.loss_lines[name], = self.ax_loss.plot([], [], "-", color=color, lw=1.6, label=name)
        self.start_marker, = self.ax_path.plot([], [], "s", color="white", mec="black", ms=7, zorder=6)
        self.cursor = self.ax_loss.axvline(0, color="0.3", lw=1, ls=":")
        self.step_text = self.ax_path.add_artist(QuickText(   # "step k / 150": new every frame
            0.02, 0.96, "", transform=self.ax_path.transAxes, va="top", fontsize=10,
            bbox=dict(facecolor="white", alpha=0.8, edgecolor="none")))
        self.legend = self.ax_loss.legend(loc="lower left", fontsize=8, framealpha=1.0)
        fig.subplots_adjust(left=0.06, right=0.98, bottom=0.12, top=0.91, wspace=0.22)
        # the legend is animated too: its labels carry the learning rates, so a new multiplier
        # only re-blits it instead of redrawing the contours (a full redraw costs ~100 ms); it is
        # opaque, and drawn from a snapshot while its labels stay the same (see update)
        return [*self.lines.values(), *self.heads.values(), *self.loss_lines.values(),
                self.start_marker, self.cursor, self.step_text, self.legend]

    def _draw_landscape(self, landscape):
        """Contours and loss axis of a new landscape (the caller asks for a full redraw)."""
        for artist in list(self.ax_path.collections) + [
                a for a in self.ax_path.lines if not a.get_animated()]:
            artist.remove()
        scape = LANDSCAPES[landscape]
        draw_landscape(self.ax_path, scape)
        setup_loss_axis(self.ax_loss, scape, self.steps)
        self.ax_loss.set_title("The race: loss against steps")
        self._shown_landscape = landscape

    # -- controls --------------------------------------------------------------------------------
    def _rewind(self, change):
        """▶ pressed at the last step: start the animation from step 0."""
        if change["new"] and self.play.value >= self.play.max:
            self.play.value = 0
            self.controls["step"].value = 0

    def _played(self, change):
        """The play moves the slider (and so the plot)."""
        self.controls["step"].value = change["new"]

    def _follow(self, change):
        """The play stands where the slider was moved to, so ▶ plays on from there (not while it
        plays: then the play moves the slider)."""
        if not self.play.playing:
            self.play.value = change["new"]

    def _on_change(self, change):
        if self._busy:
            return
        if change["owner"] is self.controls["landscape"]:
            self._busy = True  # new start options, then one refresh
            self.controls["start"].options = list(STARTS[change["new"]])
            self.controls["start"].value = self.controls["start"].options[0]
            self._busy = False
        self.refresh()

    # -- computing -------------------------------------------------------------------------------
    def alphas(self, landscape, lr, **own):
        """The learning rate of every racer: base * global multiplier * its own multiplier."""
        base = BASE_LEARNING_RATES[landscape]
        return {name: base[name] * lr * own[f"lr_{name}"] for name in RACERS}

    def _compute(self, landscape, start, code, alphas):
        """Recompute every trajectory when a setting changed; True on the first call only (a new
        landscape asks for its full redraw in update)."""
        key = (landscape, start, code, tuple(alphas.values()))
        if key == self._key:
            return False
        mine = code == "yours"
        updates = yours.your_updates(RACERS) if mine else None
        self.results = run_race(landscape, STARTS[landscape][start], alphas, self.steps,
                                updates=updates)
        scape = LANDSCAPES[landscape]
        self.gaps = {name: loss_gap(scape, result.losses) for name, result in self.results.items()}
        for name in RACERS:
            label = " (yours)" if mine and is_yours(name) else ""
            self.legend.get_texts()[RACERS.index(name)].set_text(f"{name} α={alphas[name]:.3g}{label}")
        self.say(race_divergence_message(self.results, scape))
        self.legend.set_loc("upper right" if landscape == "saddle" else "lower left")
        old, self._key = self._key, key
        return old is None

    def update(self, step, landscape, start, lr, code, **own):
        full = landscape != self._shown_landscape
        if full:
            self._draw_landscape(landscape)
        full = self._compute(landscape, start, code, self.alphas(landscape, lr, **own)) or full
        k = int(step)
        for name, result in self.results.items():
            shown = result.path[: k + 1]
            self.lines[name].set_data(shown[:, 0], shown[:, 1])
            self.heads[name].set_data(shown[-1:, 0], shown[-1:, 1])
            self.heads[name].set_marker("X" if result.diverged_at and k >= len(result.path) else "o")
            gap = self.gaps[name][: k + 1]
            self.loss_lines[name].set_data(np.arange(len(gap)), gap)
        x0, y0 = STARTS[landscape][start]
        self.start_marker.set_data([x0], [y0])
        self.cursor.set_xdata([k, k])
        self.step_text.set_text(f"step {k} / {self.steps}")
        labels = tuple(text.get_text() for text in self.legend.get_texts())
        self.snapshot(self.legend, (labels, landscape == "saddle"))
        return full

    def widget(self):
        """Question, the play button with the step slider, the other controls, plot, message."""
        box = super().widget()
        controls = list(self.controls.values())
        rows = [widgets.HBox([self.play, controls[0]]),
                widgets.HBox(controls[1:4], layout=widgets.Layout(flex_flow="row wrap")),
                widgets.HBox(controls[4:], layout=widgets.Layout(flex_flow="row wrap"))]
        parts = list(box.children)
        index = 1 if self.question else 0
        box.children = tuple(parts[:index] + rows + parts[index + 1:])
        return box
