"""One explorer for every optimizer of the lecture: its path on a 2-D landscape, and its loss.

    from course_lib.explorers.optimizers import OptimizerExplorer
    OptimizerExplorer("Momentum", compare="SGD")     # momentum's path, SGD's in grey beside it

Left: the contour plot of a landscape of course_lib.landscapes with the optimizer's path
theta_0, theta_1, ..., theta_k. Right: the loss J(theta_k) - J(theta*) against the step k
(log scale; plain J on the saddle, which has no minimum). Controls: the learning rate alpha
(a log slider's stops, with ASKED_LEARNING_RATES among them), the optimizer's own
hyperparameters (beta; beta_1, beta_2; eps), the landscape, the number of steps and, once the
student's step function passed its check, a switch between the student's code and the reference.

The explorer runs the optimizer's *pure step function* (the reference, or the one the student
writes in the notebook: momentum_step(theta, v, g, alpha, beta), ..., adam_step(...))
through the one optimizer driver of course_lib.optimizers, by course_lib.landscapes.run. It only
draws: every number comes from course_lib.landscapes and course_lib.optimizers.

Its drawing helpers (COLORS, draw_landscape, path_artists, set_path, setup_loss_axis) are in
course_lib.plotting, shared with the race and the notebooks;
    divergence_message(name, result, landscape)        what "diverged" means, for the student
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np

from .. import optimizers as opt
from ..landscapes import LANDSCAPES, loss_gap, plot_bound, run
from ..plotting import COLORS, draw_landscape, path_artists, set_path, setup_loss_axis
from .base import Explorer, implementation_switch, log_slider, rate_slider, slider


def divergence_message(name, result, landscape):
    """What a "diverged" run means, in words for the student (one or two lines).

    A run stops as diverged when theta is not finite, J is huge, or theta left the box
    |x|, |y| <= plot_bound(landscape) (5 times the plot window). SGD and momentum really blow up
    (|theta| grows geometrically); the adaptive optimizers take steps of about alpha per
    coordinate, so for them "diverged" means a huge alpha threw theta out of that box. On a
    landscape without a minimum (the saddle) every optimizer leaves it sooner or later.
    """
    text = f"{name} {result.message}"
    if not result.reason.startswith("|x| or |y| exceeded"):
        return f"{text}: {result.reason}"
    text += f": θ left the box |x|, |y| ≤ {plot_bound(landscape):g} (5× the plot window)"
    if not landscape.minima:
        text += ";\nthis landscape has no minimum: J falls without bound along y"
    elif opt.entry(name).adaptive:
        text += (";\nits steps are about α per coordinate: at this α it jumps out of the landscape,"
                 " it does not blow up")
    return text


ASKED_LEARNING_RATES = (0.05, 0.45, 0.5, 2.0)
"""Learning rates the questions of 06-08 ask for that a log slider (steps of 0.05 in the
exponent) misses: 0.0501, 0.447, 0.501, 1.995. The slider has them as stops instead."""


# ----------------------------------------------------------------------------------------------
# The explorer
# ----------------------------------------------------------------------------------------------

def hyperparameter_slider(h, value):
    """The slider of one hyperparameter of the catalogue (optimizers.Hyperparameter): linear, log,
    or a slider over fixed stops (β₂: 1 − β₂ roughly on a log scale, so that the keyboard reaches
    0.9, 0.99 and 0.999 in a few presses; `value` is added if it is not one of them)."""
    spec = h.slider
    if spec.scale == "log":
        return log_slider(spec.label, value, spec.low, spec.high, step=spec.step)
    if spec.scale == "stops":
        stops = sorted({*spec.stops, float(value)})
        return widgets.SelectionSlider(options=[(f"{b:g}", b) for b in stops], value=float(value),
                                       description=spec.label, continuous_update=True,
                                       style={"description_width": "initial"})
    return slider(spec.label, value, spec.low, spec.high, spec.step,
                  readout_format=f".{max(0, -math.floor(math.log10(spec.step)))}f")


@dataclass
class _Shown:
    """What the plot shows now, to redraw the static part only when it changes."""

    landscape: str = ""
    steps: int = -1
    extra: dict = field(default_factory=dict)


class OptimizerExplorer(Explorer):
    """The path of one optimizer on a landscape, and its loss against the step number.

    OptimizerExplorer(optimizer="SGD", landscape="valley", steps=100, alpha=None, compare=None,
                      noise=False, question=None, **hyper)
    optimizer: a key of course_lib.optimizers.OPTIMIZERS ("SGD", "Momentum", ..., "Adam").
    compare: another optimizer or a variant (a key of COLORS, e.g. "Adam, no bias correction"),
        run with the same alpha and the same hyperparameters
        (where it has them) by its reference code, drawn in grey; None for none.
    noise: add a slider for Gaussian noise on every gradient (a stochastic gradient, seeded).
    alpha, hyper: starting values of the sliders (default: optimizers.defaults(optimizer)).
    The learning-rate slider's maximum diverges on the valley ("diverged at step k").
    """

    def __init__(self, optimizer="SGD", landscape="valley", steps=100, alpha=None, compare=None,
                 noise=False, question=None, **hyper):
        if optimizer not in opt.OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {list(opt.OPTIMIZERS)}, got {optimizer!r}")
        if compare is not None and compare not in COLORS:
            raise ValueError(f"compare must be None or one of {list(COLORS)}, got {compare!r}")
        if landscape not in LANDSCAPES:
            raise ValueError(f"landscape must be one of {sorted(LANDSCAPES)}, got {landscape!r}")
        entry = opt.entry(optimizer)
        start = dict(zip(entry.defaults(), entry.hyper(hyper)))  # checked once, by the catalogue
        self.name = optimizer
        self.entry = entry
        self.color = entry.color
        self.compare = compare
        default_alpha, min_exp, max_exp = entry.learning_rates.slider
        controls = {"alpha": rate_slider("learning rate α", default_alpha if alpha is None else alpha,
                                         min_exp, max_exp, exact=ASKED_LEARNING_RATES)}
        for h in entry.hyperparameters:
            controls[h.symbol] = hyperparameter_slider(h, start[h.symbol])
        if noise:
            controls["noise"] = slider("gradient noise σ", 0.0, 0.0, 2.0, 0.05)
        controls["landscape"] = widgets.Dropdown(options=list(LANDSCAPES), value=landscape,
                                                 description="landscape")
        controls["steps"] = slider("steps", steps, 10, 300, 10)
        if entry.exercise:  # SGD's one-line step is not an exercise: it always runs the reference
            controls["implementation"] = implementation_switch(entry.exercise, entry.update,
                                                               label=entry.exercise)
        if question is None:
            question = (f"find the largest learning rate for which {optimizer} still converges on the "
                        "valley; then switch the landscape and try again.")
        self._shown = _Shown()
        super().__init__(controls, main="alpha", lr="alpha", figsize=(10.0, 4.0), question=question)

    def setup(self, fig):
        self.ax_path, self.ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
        animated = []
        self.compare_path = None
        if self.compare is not None:
            self.compare_path = path_artists(self.ax_path, "0.45", self.compare, lw=1.2, ms=2,
                                             alpha=0.8)
            self.compare_loss, = self.ax_loss.plot([], [], color="0.45", lw=1.2, label=self.compare)
            animated += [*self.compare_path, self.compare_loss]
        self.path = path_artists(self.ax_path, self.color, self.name)
        self.loss, = self.ax_loss.plot([], [], color=self.color, lw=1.8, label=self.name)
        animated += [*self.path, self.loss]
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.13, top=0.9, wspace=0.25)
        return animated

    def _redraw_static(self, landscape, steps):
        """Contours and loss axis for a new landscape or step count (then a full redraw)."""
        if landscape.name != self._shown.landscape:
            for artist in list(self.ax_path.collections) + [
                    a for a in self.ax_path.lines if not a.get_animated()]:
                artist.remove()
            draw_landscape(self.ax_path, landscape)
            handles = [a for a in (self.path[0], self.compare_path and self.compare_path[0]) if a]
            self.ax_path.legend(handles=handles, loc="upper right", fontsize=8, framealpha=0.9)
        setup_loss_axis(self.ax_loss, landscape, steps)
        self._shown.landscape, self._shown.steps = landscape.name, steps

    def _run(self, name, alpha, hyper, scape, steps, implementation, noise):
        """landscapes.run, remembered for the settings seen last (dragging back and forth
        repeats them; the noise is seeded, so a run is a function of its settings)."""
        key = (name, alpha, tuple(sorted(hyper.items())), scape.name, steps, implementation, noise)
        cache = self.__dict__.setdefault("_runs", {})
        if key not in cache:
            if len(cache) >= 256:
                cache.clear()
            cache[key] = run(name, alpha, hyper, scape, steps, update=implementation, noise=noise)
        return cache[key]

    def update(self, alpha, landscape, steps, implementation=None, noise=0.0, **hyper):
        scape = LANDSCAPES[landscape]
        limits_changed = (landscape, steps) != (self._shown.landscape, self._shown.steps)
        if limits_changed:
            self._redraw_static(scape, steps)
        self.say("")
        result = self._run(self.name, alpha, hyper, scape, steps, implementation, noise)
        set_path(self.path, result.path)
        self.loss.set_data(np.arange(len(result.losses)), loss_gap(scape, result.losses))
        if self.compare_path is not None:
            other = self._run(self.compare, alpha, hyper, scape, steps, None, noise)
            set_path(self.compare_path, other.path)
            self.compare_loss.set_data(np.arange(len(other.losses)), loss_gap(scape, other.losses))
        if result.message:
            self.say(divergence_message(self.name, result, scape))
        return limits_changed
