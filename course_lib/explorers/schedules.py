"""Explorer of 10_lr_schedules: the shape of a learning-rate schedule and its Robbins-Monro sums.

    from course_lib.explorers.schedules import ScheduleExplorer
    ScheduleExplorer()

Left: alpha_t against the step t (linear or log y) for one schedule of course_lib.schedules,
with its formula. Right: the partial sums sum_{i<=t} alpha_i and sum_{i<=t} alpha_i^2 (t = 1 up
to 10x the steps shown on the left) on log-log axes, the two quantities of the Robbins-Monro
conditions (sum alpha = inf, sum alpha^2 < inf).
Controls: the schedule, alpha_0, the decay length (decay_steps / T / period: the main slider),
each schedule's own parameter (c, power, alpha_end, period_factor; the others are greyed out),
the warmup steps, and the log-y switch.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..schedules import KNOB_SCHEDULES, SCHEDULES, make_schedule
from .base import Explorer, log_slider, slider


class ScheduleExplorer(Explorer):
    """A learning-rate schedule over `steps` steps, and its Robbins-Monro partial sums.

    ScheduleExplorer(schedule="cosine", steps=1000, question=None)
    """

    def __init__(self, schedule="cosine", steps=1000, question=None):
        if schedule not in KNOB_SCHEDULES:
            raise ValueError(f"schedule must be one of {list(KNOB_SCHEDULES)}, got {schedule!r}")
        self.steps = steps
        self.t_long = np.arange(0, 10 * steps + 1, dtype=np.float64)  # the sums look 10x further
        self.t = self.t_long[: steps + 1]
        self.t_sums = self.t_long[1:]  # the optimizers' steps t = 1, 2, ...
        self.shown = np.unique(np.geomspace(1, len(self.t_sums), 300).astype(int)) - 1  # log-spaced
        self._limits = None
        controls = {
            "schedule": widgets.Dropdown(options=list(KNOB_SCHEDULES), value=schedule,
                                         description="schedule"),
            "alpha_0": log_slider("α₀", 0.1, -4.0, 0.0),
            "decay": slider("decay length k = T", 200, 10, steps, 10),
            "c": slider("c", 0.99, 0.9, 0.999, 0.001, readout_format=".3f"),
            "power": slider("power p", 1.0, 0.25, 4.0, 0.25),
            "alpha_end": slider("α_end / α₀", 0.0, 0.0, 0.5, 0.01),
            "period_factor": slider("period factor m", 1.0, 1.0, 3.0, 0.25),
            "warmup": slider("warmup steps", 0, 0, steps // 2, 10),
            "log_y": widgets.Checkbox(value=False, description="log y"),
        }
        if question is None:
            question = ("which schedules keep growing the blue sum (sum of α) while the orange sum "
                        "(sum of α²) levels off? Find the one that satisfies both Robbins-Monro "
                        "conditions, and say why exponential decay does not.")
        super().__init__(controls, main="decay", figsize=(10.5, 3.9), question=question)

    def setup(self, fig):
        self.ax_alpha, self.ax_sums = fig.subplots(1, 2)
        self.curve, = self.ax_alpha.plot([], [], color="C0", lw=2)
        self.warmup_line = self.ax_alpha.axvline(0, color="0.5", ls=":", lw=1)
        self.formula = self.ax_alpha.title  # the title is the schedule's formula, redrawn on a move
        self.formula.set_fontsize(9)
        self.ax_alpha.set(xlabel="step t", xlim=(0, self.t[-1]))
        self.ax_alpha.grid(True, alpha=0.3)
        self.sum_line, = self.ax_sums.plot([], [], color="C0", lw=2, label="Σ α_i  (needs → ∞)")
        self.sum_sq_line, = self.ax_sums.plot([], [], color="C1", lw=2, label="Σ α_i²  (needs < ∞)")
        self.ax_sums.axvline(self.t[-1], color="0.5", ls=":", lw=1)
        self.ax_sums.set(title="Robbins-Monro partial sums up to step t", xlabel="step t (log)",
                         ylabel="partial sum (log)",
                         xscale="log", yscale="log", xlim=(1, self.t_sums[-1]))
        self.ax_sums.grid(True, alpha=0.3)
        self.ax_sums.legend(loc="lower right", fontsize=8)
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.88, wspace=0.25)
        return [self.curve, self.warmup_line, self.formula, self.sum_line, self.sum_sq_line]

    def _set_limits(self, alpha_0, log_y):
        """Axis limits depend only on alpha_0 and the log switch; True if they changed."""
        if self._limits == (alpha_0, log_y):
            return False
        if log_y:
            self.ax_alpha.set_yscale("log")
            self.ax_alpha.set_ylim(alpha_0 * 1e-4, alpha_0 * 2)
        else:
            self.ax_alpha.set_yscale("linear")
            self.ax_alpha.set_ylim(0, alpha_0 * 1.08)
        self.ax_alpha.set_ylabel("learning rate α_t (log)" if log_y else "learning rate α_t")
        self.ax_sums.set_ylim(alpha_0**2 * 0.3, alpha_0 * self.t_sums[-1] * 3)
        self._limits = (alpha_0, log_y)
        return True

    def update(self, schedule, alpha_0, decay, c, power, alpha_end, period_factor, warmup, log_y):
        for name in ("decay", "c", "power", "alpha_end", "period_factor"):
            self.controls[name].disabled = name not in SCHEDULES[schedule].knobs
        changed = self._set_limits(alpha_0, log_y)
        rate = make_schedule(schedule, alpha_0, decay, c, power, alpha_end, period_factor, warmup)
        alpha_long = rate(self.t_long)
        alpha = alpha_long[: self.steps + 1]
        self.curve.set_data(self.t, np.maximum(alpha, alpha_0 * 1e-6) if log_y else alpha)
        self.warmup_line.set_xdata([warmup, warmup])
        self.warmup_line.set_visible(warmup > 0)
        warmup_text = f" after {warmup} warmup steps" if warmup else ""
        self.formula.set_text(SCHEDULES[schedule].formula + warmup_text)
        self.snapshot(self.formula, self.formula.get_text(), overlay=True)   # mathtext: ~3 ms
        t_shown = self.t_sums[self.shown]
        self.sum_line.set_data(t_shown, np.cumsum(alpha_long[1:])[self.shown])
        self.sum_sq_line.set_data(t_shown, np.cumsum(alpha_long[1:] ** 2)[self.shown])
        self.say("")
        return changed
