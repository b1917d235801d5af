"""Explorer of 11_capstone_digits: train an MLP on the 8x8 digits with the student's own code.

    CapstoneExplorer(data)          # widgets + a Train button, live learning curves

The network and the optimizers come from course_lib.yours (your_mlp, your_optimizer): the
student's mlp_backward and step functions once they passed their check in this kernel, else the
reference. The loader of those functions is course_lib.yours.load_your_functions; the grading
preview is course_lib.grading.preview.
"""

from __future__ import annotations

import time

import ipywidgets as widgets
import numpy as np

from .. import checking
from ..optimizers import OPTIMIZERS
from ..schedules import RUN_SCHEDULES, schedule_for_run
from ..training import sanity_warnings, train
from ..yours import GOOD_LEARNING_RATES, steps_per_epoch, whose, your_mlp, your_optimizer
from .base import Explorer, log_slider, slider

# ---------------------------------------------------------------------------------------------
# the explorer

PROBE_STEPS = 20
SANITY_DIGITS, SANITY_ALPHA, SANITY_STEPS = 200, 0.5, 100
"""The sanity checks before every run: initial loss on 200 digits, 100 gradient-descent steps
(alpha = 0.5) on the first 20 (training.sanity_warnings says what failed)."""
PROBE_EXAMPLES = 32   # (from 64 x 64 x 128 up, OpenBLAS starts threads: 20-100x slower on 2 busy cores)


class CapstoneExplorer(Explorer):
    """Choose optimizer, schedule and hyperparameters; press Train.

    Left: the learning rate alpha_t over the run (redrawn as the sliders move). A quick probe
    (PROBE_STEPS full-batch steps on PROBE_EXAMPLES training digits) warns at once when the
    chosen learning rate diverges. Middle and right: training and validation loss and the
    validation accuracy of every run so far, drawn live while a run trains (with a tqdm bar).
    """

    MAX_RUNS = 8

    def __init__(self, data, epochs=15, optimizer="Adam"):
        self.data = tuple(np.asarray(a) for a in data)
        X_train, y_train = self.data[0], self.data[1]
        self.probe_X, self.probe_y = X_train[:PROBE_EXAMPLES], y_train[:PROBE_EXAMPLES]
        controls = {
            "optimizer": widgets.Dropdown(options=list(GOOD_LEARNING_RATES), value=optimizer,
                                          description="optimizer", layout=widgets.Layout(width="190px")),
            "learning_rate": log_slider("learning rate \u03b1", GOOD_LEARNING_RATES[optimizer], -4, 1),
            "schedule": widgets.Dropdown(options=list(RUN_SCHEDULES), value="cosine", description="schedule",
                                         layout=widgets.Layout(width="220px")),
            "epochs": slider("epochs", epochs, 1, 40, 1),
            "batch_size": widgets.Dropdown(options=[8, 16, 32, 64, 128, 256], value=32,
                                           description="batch", layout=widgets.Layout(width="140px")),
            "hidden": slider("hidden units", 64, 8, 128, 8),
            "seed": slider("seed", 0, 0, 9, 1),
        }
        self.runs = []
        self.run_lines = []
        self.warning = ""                 # what the sanity checks of the last run said
        self.status = widgets.HTML("")
        self.pending = widgets.HTML("")  # "press Train to apply" after a setting changed
        self._trained = None             # the settings of the last run
        self.output = widgets.Output()
        self.train_button = widgets.Button(description="Train", button_style="primary", icon="play")
        self.clear_button = widgets.Button(description="Clear runs")
        self.train_button.on_click(lambda _: self.train())
        self.clear_button.on_click(lambda _: self.clear())
        super().__init__(controls, main="learning_rate", lr="learning_rate", figsize=(12.0, 3.6),
                         question="reach at least 95% validation accuracy. Which optimizer gets "
                                  "there in the fewest epochs at its best learning rate? Push the "
                                  "learning rate up until the probe says it diverges: where is the "
                                  "edge for SGD, and for Adam? Does a decaying schedule help Adam?")
        controls["optimizer"].observe(self._good_learning_rate, names="value")

    def _good_learning_rate(self, change) -> None:
        self.controls["learning_rate"].value = GOOD_LEARNING_RATES[change["new"]]

    # -- drawing -------------------------------------------------------------------------------
    def setup(self, fig):
        self.ax_lr, self.ax_loss, self.ax_acc = fig.subplots(1, 3)
        self.ax_lr.set(title="Learning rate over the run", xlabel="step t", ylabel="\u03b1_t",
                       yscale="log")
        self.ax_loss.set(title="Loss (solid: validation, dotted: training)", xlabel="epoch",
                         ylabel="cross-entropy", yscale="log")
        self.ax_acc.set(title="Validation accuracy", xlabel="epoch", ylabel="accuracy",
                        ylim=(0.5, 1.0))
        self.ax_acc.axhline(0.95, color="gray", ls="--", lw=1)
        self.ax_acc.text(0.02, 0.955, "target 0.95", transform=self.ax_acc.get_yaxis_transform(),
                         fontsize=8, color="gray", va="bottom")
        self.lr_line, = self.ax_lr.plot([], [], color="C0")
        self.ax_lr.set_ylim(1e-6, 30.0)
        fig.tight_layout()
        self._shown_lr = None
        self._probe_results = {}
        return [self.lr_line]

    def update(self, optimizer, learning_rate, schedule, epochs, batch_size, hidden, seed):
        total = epochs * steps_per_epoch(len(self.data[0]), batch_size)
        sched = schedule_for_run(schedule, learning_rate, total)
        t = np.unique(np.linspace(1, total, 300).astype(int))
        alphas = np.asarray(sched(t), dtype=np.float64)
        self.lr_line.set_data(t, alphas)
        changed = total != self._shown_lr  # the y range is fixed: moving alpha is a fast redraw
        if changed:
            self.ax_lr.set_xlim(0, total)
            self._shown_lr = total
        key = self._probe_key(optimizer, learning_rate, hidden, seed)
        if key in self._probe_results:       # dragging back and forth repeats settings
            self.say(self._probe_results[key])
        self._show_pending()
        return changed

    def slow_update(self, optimizer, learning_rate, schedule, epochs, batch_size, hidden, seed):
        """The probe (PROBE_STEPS steps), once the sliders rest: the cheap part above is drawn first."""
        key = self._probe_key(optimizer, learning_rate, hidden, seed)
        if key not in self._probe_results:
            if len(self._probe_results) > 512:
                self._probe_results.clear()
            self._probe_results[key] = self._probe(optimizer, learning_rate, hidden, seed)
        self.say(self._probe_results[key])

    @staticmethod
    def _probe_key(optimizer, learning_rate, hidden, seed):
        yours = tuple(sorted((name, id(f)) for name, f in checking.passed_functions().items()))
        return (optimizer, learning_rate, hidden, seed, yours)

    SETTING_LABELS = {"optimizer": "optimizer", "learning_rate": "learning rate",
                      "schedule": "schedule", "epochs": "epochs", "batch_size": "batch size",
                      "hidden": "hidden units", "seed": "seed"}

    def _show_pending(self) -> None:
        """Say which settings differ from the last run: they apply only when Train is pressed."""
        values = self.values()
        if self._trained is None:
            self._set_text(self.pending, "<i>press Train to train with these settings</i>")
            return
        changed = [label for key, label in self.SETTING_LABELS.items()
                   if values[key] != self._trained[key]]
        self._set_text(self.pending, f"<b style='color:#a05a00'>changed: {', '.join(changed)}; press "
                                     "Train to apply</b>" if changed else "")

    def _probe(self, optimizer, learning_rate, hidden, seed) -> str:
        """"" if PROBE_STEPS full-batch steps on a few digits look sane, else a divergence message."""
        net = your_mlp([self.probe_X.shape[1], hidden, 10], seed=seed)
        opt = your_optimizer(optimizer, learning_rate)
        params = net.params
        first = None
        with np.errstate(all="ignore"):
            for step in range(1, PROBE_STEPS + 1):
                losses = []

                def grad_fn(p, losses=losses):
                    net.params = p
                    value, grads = net.loss_and_grads(self.probe_X, self.probe_y, "cross_entropy")
                    losses.append(value)
                    return grads

                params = opt.step(params, grad_fn)
                first = losses[0] if first is None else first
                if not np.isfinite(losses[0]) or losses[0] > 10 * first:
                    return (f"diverged at step {step} of a quick probe ({PROBE_STEPS} steps on "
                            f"{PROBE_EXAMPLES} digits): the loss went from {first:.2f} to "
                            f"{losses[0]:.3g}; lower the learning rate")
        return ""

    def _redraw_runs(self) -> None:
        for ax in (self.ax_loss, self.ax_acc):
            ax.relim()
            ax.autoscale_view()
        self.ax_acc.set_ylim(max(0.0, min(0.5, self.ax_acc.get_ylim()[0])), 1.0)
        if self.runs:
            self.ax_acc.legend(loc="lower right", fontsize=7)
        self._draw(full=True)

    # -- training ------------------------------------------------------------------------------
    def train(self, progress: bool = True):
        """Train with the current settings (your code where it passed its check); returns History."""
        v = self.values()
        X_train, y_train, X_val, y_val = self.data
        total = v["epochs"] * steps_per_epoch(len(X_train), v["batch_size"])
        opt = your_optimizer(v["optimizer"], v["learning_rate"], v["schedule"], total)
        net = your_mlp([X_train.shape[1], v["hidden"], 10], seed=v["seed"])
        if len(self.runs) >= self.MAX_RUNS:
            self.clear()
        color = f"C{len(self.runs) % 10}"
        label = f"{v['optimizer']} \u03b1={v['learning_rate']:.3g} {v['schedule']}"
        val_line, = self.ax_loss.plot([], [], color=color, label=label)
        train_line, = self.ax_loss.plot([], [], color=color, ls=":")
        acc_line, = self.ax_acc.plot([], [], color=color, label=label)
        self.run_lines += [val_line, train_line, acc_line]
        last_draw = [0.0]

        def on_epoch(history):
            val_line.set_data(history.epoch, history.val_loss)
            train_line.set_data(history.epoch, history.train_loss)
            acc_line.set_data(history.epoch, history.val_accuracy)
            now = time.perf_counter()
            if now - last_draw[0] > 0.3 or history.epoch[-1] == v["epochs"]:
                self._redraw_runs()
                last_draw[0] = time.perf_counter()

        pieces = [p for p in ("mlp_backward", OPTIMIZERS[v["optimizer"]].entry.exercise) if p]
        code = ", ".join(f"{piece}: {whose(piece)}" for piece in pieces)
        self.status.value = f"training {label} ({code}) ..."
        self.output.clear_output()
        self.warning = self.sanity(net.params)        # warns, with the reason, before training
        with self.output:
            history = train(net, opt, X_train, y_train, X_val, y_val, epochs=v["epochs"],
                            batch_size=v["batch_size"], seed=v["seed"], progress=progress,
                            callback=on_epoch)
        self.runs.append((label, history, net))
        self._trained = dict(v)
        self._show_pending()
        self._redraw_runs()
        acc = history.val_accuracy[-1]
        verdict = "reached the target 0.95" if acc >= 0.95 else "below the target 0.95"
        problem = f"; <b style='color:#b00020'>{history.message}</b>" if history.message else ""
        self.status.value = (f"<b>{label}</b> ({code}): validation accuracy <b>{acc:.3f}</b>, "
                             f"{verdict}; {sum(history.epoch_seconds):.1f} s{problem}{self.warning}")
        return history

    def sanity(self, params) -> str:
        """The sanity checks before training (the sanity_checks exercise: yours once it passed)
        on the first training digits: "" when all pass, else a warning with the reasons (also
        printed above the progress bar)."""
        X_train, y_train = self.data[0], self.data[1]
        checks = checking.implementation("sanity_checks")(X_train[:SANITY_DIGITS], y_train[:SANITY_DIGITS],
                                                         params, SANITY_ALPHA, SANITY_STEPS)
        problems = sanity_warnings(*checks, n_classes=10)
        if not problems:
            return ""
        with self.output:
            print("Sanity checks before training: " + "; ".join(problems))
        return ("<br><b style='color:#a05a00'>sanity checks before training: "
                + "; ".join(problems) + "</b>")

    def clear(self) -> None:
        """Forget every run and empty the curves."""
        self.runs = []
        for line in self.run_lines:
            line.remove()
        self.run_lines = []
        for ax in (self.ax_loss, self.ax_acc):
            legend = ax.get_legend()
            if legend is not None:
                legend.remove()
        self.status.value = ""
        self._redraw_runs()

    def widget(self):
        box = super().widget()
        buttons = widgets.HBox([self.train_button, self.clear_button, self.pending, self.status])
        box.children = (*box.children[:-4], buttons, self.output, *box.children[-4:])
        return box
