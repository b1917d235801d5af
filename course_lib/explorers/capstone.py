"""Explorer of 11_capstone_digits: train an MLP on the 8x8 digits with the student's own code.

    load_your_functions(folder)     # your mlp_backward (05) and optimizer steps (06-08), checked
    make_optimizer("Adam", 0.005, "cosine", total_steps)   # runs YOUR adam_step once it passed
    YourMLP([64, 64, 10], seed=0)   # its gradients come from YOUR mlp_backward once it passed
    compare_optimizers(data, epochs=6, seed=0) -> {name: History}
    CapstoneExplorer(data)          # widgets + a Train button, live learning curves
    grading_preview(train_and_predict)   # what the grader would reject that check() cannot see

Everything falls back to the reference implementation (course_lib.nn, course_lib.optimizers)
until the student's function has passed its check in this kernel (checking.implementation).
"""

from __future__ import annotations

import dis
import math
import sys
import time
import types
from pathlib import Path

import ipywidgets as widgets
import numpy as np

from .. import checking, exercises, optimizers, schedules
from ..data import load_digits
from ..exercises.nb05_backpropagation import mlp_backward as reference_mlp_backward
from ..exercises.nb05_backpropagation import mlp_loss
from ..exercises.nb08_adam import adam_reference
from ..nn import MLP
from ..training import train
from .base import Explorer, log_slider, slider

# ---------------------------------------------------------------------------------------------
# the student's functions from the earlier notebooks

YOUR_FUNCTIONS = ["mlp_backward", "sgd_step", "momentum_step", "nesterov_step", "adagrad_step",
                  "rmsprop_step", "adam_step"]


def load_your_functions(folder=".", ids=YOUR_FUNCTIONS) -> dict:
    """Read your functions from your notebooks 05-08 in `folder` and check each one.

    Like the grader, only the notebooks' top-level imports, defs and constants are run (no
    plots, no training), and only what the functions need. A function that passes its check is
    used from then on by the explorers (checking.implementation). Returns {id: status}, status
    one of "passed", "failed", "error", "not_attempted", "missing" (no notebook or no function).
    """
    from ..grading.child import define
    from ..grading.find import read_program

    status = {}
    for exercise_id in ids:
        ex = exercises.get(exercise_id)
        path = Path(folder) / f"{ex.notebook}.ipynb"
        if not path.exists():
            print(f"  {exercise_id}: {path.name} not found here; the reference is used")
            status[exercise_id] = "missing"
            continue
        program = read_program(path)
        if program.function(ex.function) is None:
            print(f"  {exercise_id}: no function {ex.function} in {path.name}; the reference is used")
            status[exercise_id] = "missing"
            continue
        namespace: dict = {}
        errors = define(program.cells_for([ex.function]), namespace)
        if errors:
            print(f"  {exercise_id}: could not define it ({errors[0]}); the reference is used")
            status[exercise_id] = "error"
            continue
        checking.check(exercise_id, namespace[ex.function])
        status[exercise_id] = "passed" if checking.has_passed(exercise_id) else (
            "not_attempted" if program.stub(ex.function) else "failed")
    return status


def whose(exercise_id: str) -> str:
    """'yours' once the student's function passed its check in this kernel, else 'reference'."""
    return "yours" if checking.has_passed(exercise_id) else "reference"


class YourMLP(MLP):
    """A one-hidden-layer ReLU MLP whose gradients come from your mlp_backward (05) once it
    passed its check (else the reference). Cross-entropy loss only.

    Shapes as MLP: sizes = [n_in, n_hidden, n_out]; loss_and_grads(X, y) -> (float, [dW1, db1,
    dW2, db2]) with L = mean softmax cross-entropy.
    """

    def __init__(self, sizes, seed=0):
        if len(sizes) != 3:
            raise ValueError(f"YourMLP has one hidden layer: sizes must be [n_in, n_hidden, n_out], "
                             f"got {list(sizes)}")
        super().__init__(sizes, activation="relu", seed=seed)

    def loss_and_grads(self, X, Y, loss="cross_entropy"):
        if loss != "cross_entropy":
            raise ValueError(f"YourMLP trains with loss='cross_entropy', got {loss!r}")
        backward = checking.implementation("mlp_backward", reference_mlp_backward)
        return mlp_loss(X, Y, *self.params), list(backward(X, Y, *self.params))


# Each optimizer class of course_lib, with its per-array update replaced by the student's step
# function (or the reference until it passed). The state handling (v, r, s, t) is inherited.

class YourSGD(optimizers.SGD):
    """SGD running your sgd_step(theta, g, alpha) -> theta."""

    def _update(self, thetas, gs, alpha):
        step = checking.implementation("sgd_step", optimizers.sgd_update)
        return [step(theta, g, alpha) for theta, g in zip(thetas, gs, strict=True)]


class YourMomentum(optimizers.Momentum):
    """Momentum running your momentum_step(theta, v, g, alpha, beta) -> (theta, v)."""

    def _update(self, thetas, gs, alpha):
        step = checking.implementation("momentum_step", optimizers.momentum_update)
        out = []
        for i, (theta, g) in enumerate(zip(thetas, gs, strict=True)):
            theta, self.v[i] = step(theta, self.v[i], g, alpha, self.momentum)
            out.append(theta)
        return out


class YourNesterov(optimizers.Nesterov):
    """Nesterov running your nesterov_step(theta, v, g, alpha, beta) -> (theta, v)
    (g evaluated at the look-ahead point theta + beta v)."""

    def _update(self, thetas, gs, alpha):
        step = checking.implementation("nesterov_step", optimizers.nesterov_update)
        out = []
        for i, (theta, g) in enumerate(zip(thetas, gs, strict=True)):
            theta, self.v[i] = step(theta, self.v[i], g, alpha, self.momentum)
            out.append(theta)
        return out


class YourAdaGrad(optimizers.AdaGrad):
    """AdaGrad running your adagrad_step(theta, r, g, alpha, eps) -> (theta, r)."""

    def _update(self, thetas, gs, alpha):
        step = checking.implementation("adagrad_step", optimizers.adagrad_update)
        out = []
        for i, (theta, g) in enumerate(zip(thetas, gs, strict=True)):
            theta, self.r[i] = step(theta, self.r[i], g, alpha, self.epsilon)
            out.append(theta)
        return out


class YourRMSProp(optimizers.RMSProp):
    """RMSProp running your rmsprop_step(theta, r, g, alpha, beta, eps) -> (theta, r)."""

    def _update(self, thetas, gs, alpha):
        step = checking.implementation("rmsprop_step", optimizers.rmsprop_update)
        out = []
        for i, (theta, g) in enumerate(zip(thetas, gs, strict=True)):
            theta, self.r[i] = step(theta, self.r[i], g, alpha, self.beta, self.epsilon)
            out.append(theta)
        return out


class YourAdam(optimizers.Adam):
    """Adam running your adam_step(theta, s, r, t, g, alpha, beta_1, beta_2, eps) -> (theta, s, r, t)."""

    def _update(self, thetas, gs, alpha):
        step = checking.implementation("adam_step", adam_reference)
        out = []
        for i, (theta, g) in enumerate(zip(thetas, gs, strict=True)):
            theta, self.s[i], self.r[i], _ = step(theta, self.s[i], self.r[i], self.t, g, alpha,
                                                  self.beta_1, self.beta_2, self.epsilon)
            out.append(theta)
        return out


OPTIMIZERS = {"SGD": (YourSGD, "sgd_step"), "Momentum": (YourMomentum, "momentum_step"),
              "Nesterov": (YourNesterov, "nesterov_step"), "AdaGrad": (YourAdaGrad, "adagrad_step"),
              "RMSProp": (YourRMSProp, "rmsprop_step"), "Adam": (YourAdam, "adam_step")}
# learning rates that train the 64-64-10 MLP well in about 10 epochs of minibatches of 32
GOOD_LEARNING_RATES = {"SGD": 0.1, "Momentum": 0.02, "Nesterov": 0.02, "AdaGrad": 0.05,
                       "RMSProp": 0.002, "Adam": 0.01}
SCHEDULES = ("constant", "exponential", "inverse sqrt", "cosine", "warmup + cosine")


def make_schedule(name: str, alpha_0: float, total_steps: int):
    """A learning-rate schedule over a run of `total_steps` steps (course_lib.schedules).

    constant: alpha_0;  exponential: alpha_0 c^t with c chosen so alpha ends at alpha_0 / 100;
    inverse sqrt: alpha_0 / sqrt(t);  cosine: alpha_0 (1 + cos(pi t / T)) / 2;
    warmup + cosine: linear warmup over the first 10% of the steps, then cosine.
    """
    total_steps = max(int(total_steps), 1)
    if name == "constant":
        return schedules.Constant(alpha_0)
    if name == "exponential":
        return schedules.ExponentialDecay(alpha_0, 0.01 ** (1.0 / total_steps))
    if name == "inverse sqrt":
        return schedules.InverseSqrtDecay(alpha_0)
    if name == "cosine":
        return schedules.CosineDecay(alpha_0, total_steps)
    if name == "warmup + cosine":
        return schedules.LinearWarmup(schedules.CosineDecay(alpha_0, total_steps),
                                      max(total_steps // 10, 1))
    raise ValueError(f"schedule must be one of {SCHEDULES}, got {name!r}")


def make_optimizer(name: str, learning_rate: float, schedule: str = "constant", total_steps: int = 1):
    """The optimizer `name` (running your step function once it passed) with a schedule."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {list(OPTIMIZERS)}, got {name!r}")
    cls, _ = OPTIMIZERS[name]
    return cls(make_schedule(schedule, learning_rate, total_steps))


def steps_per_epoch(n_train: int, batch_size: int) -> int:
    """ceil(n_train / batch_size): minibatches per epoch."""
    return math.ceil(n_train / batch_size)


def compare_optimizers(data, epochs=6, batch_size=32, hidden=64, seed=0, schedule="constant",
                       learning_rates=None) -> dict:
    """Train the same network (same initialization, same minibatch order) with every optimizer.

    data = (X_train, y_train, X_val, y_val). learning_rates: {name: alpha}, default
    GOOD_LEARNING_RATES. Returns {name: History} (course_lib.training.History).
    """
    X_train, y_train, X_val, y_val = data
    learning_rates = learning_rates or GOOD_LEARNING_RATES
    total = epochs * steps_per_epoch(len(X_train), batch_size)
    histories = {}
    for name, alpha in learning_rates.items():
        net = YourMLP([X_train.shape[1], hidden, 10], seed=seed)
        histories[name] = train(net, make_optimizer(name, alpha, schedule, total), X_train, y_train,
                                X_val, y_val, epochs=epochs, batch_size=batch_size, seed=seed,
                                progress=False)
    return histories


# ---------------------------------------------------------------------------------------------
# the explorer

PROBE_STEPS = 20
PROBE_EXAMPLES = 128  # (a larger batch makes OpenBLAS start threads: 30x slower on 2 busy cores)


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
            "optimizer": widgets.Dropdown(options=list(OPTIMIZERS), value=optimizer,
                                          description="optimizer", layout=widgets.Layout(width="190px")),
            "learning_rate": log_slider("learning rate \u03b1", GOOD_LEARNING_RATES[optimizer], -4, 1),
            "schedule": widgets.Dropdown(options=list(SCHEDULES), value="cosine", description="schedule",
                                         layout=widgets.Layout(width="220px")),
            "epochs": slider("epochs", epochs, 1, 40, 1),
            "batch_size": widgets.Dropdown(options=[8, 16, 32, 64, 128, 256], value=32,
                                           description="batch", layout=widgets.Layout(width="140px")),
            "hidden": slider("hidden units", 64, 8, 128, 8),
            "seed": slider("seed", 0, 0, 9, 1),
        }
        self.runs = []
        self.run_lines = []
        self.status = widgets.HTML("")
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
        sched = make_schedule(schedule, learning_rate, total)
        t = np.unique(np.linspace(1, total, 300).astype(int))
        alphas = np.asarray(sched(t), dtype=np.float64)
        self.lr_line.set_data(t, alphas)
        changed = total != self._shown_lr  # the y range is fixed: moving alpha is a fast redraw
        if changed:
            self.ax_lr.set_xlim(0, total)
            self._shown_lr = total
        yours = tuple(sorted((name, id(f)) for name, f in checking.passed_functions().items()))
        key = (optimizer, learning_rate, hidden, seed, yours)
        if key not in self._probe_results:   # dragging back and forth repeats settings
            if len(self._probe_results) > 512:
                self._probe_results.clear()
            self._probe_results[key] = self._probe(optimizer, learning_rate, hidden, seed)
        self.say(self._probe_results[key])
        return changed

    def _probe(self, optimizer, learning_rate, hidden, seed) -> str:
        """"" if PROBE_STEPS full-batch steps on a few digits look sane, else a divergence message."""
        net = YourMLP([self.probe_X.shape[1], hidden, 10], seed=seed)
        opt = make_optimizer(optimizer, learning_rate)
        params = net.params
        first = None
        with np.errstate(all="ignore"):
            for step in range(1, PROBE_STEPS + 1):
                losses = []

                def grad_fn(p, losses=losses):
                    net.params = p
                    value, grads = net.loss_and_grads(self.probe_X, self.probe_y)
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
        opt = make_optimizer(v["optimizer"], v["learning_rate"], v["schedule"], total)
        net = YourMLP([X_train.shape[1], v["hidden"], 10], seed=v["seed"])
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

        pieces = ("mlp_backward", OPTIMIZERS[v["optimizer"]][1])
        code = ", ".join(f"{piece}: {whose(piece)}" for piece in pieces)
        self.status.value = f"training {label} ({code}) ..."
        self.output.clear_output()
        with self.output:
            history = train(net, opt, X_train, y_train, X_val, y_val, epochs=v["epochs"],
                            batch_size=v["batch_size"], seed=v["seed"], progress=progress,
                            callback=on_epoch)
        self.runs.append((label, history, net))
        self._redraw_runs()
        acc = history.val_accuracy[-1]
        verdict = "reached the target 0.95" if acc >= 0.95 else "below the target 0.95"
        problem = f"; <b style='color:#b00020'>{history.message}</b>" if history.message else ""
        self.status.value = (f"<b>{label}</b> ({code}): validation accuracy <b>{acc:.3f}</b>, "
                             f"{verdict}; {sum(history.epoch_seconds):.1f} s{problem}")
        return history

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
        buttons = widgets.HBox([self.train_button, self.clear_button, self.status])
        box.children = (*box.children[:-2], buttons, self.output, *box.children[-2:])
        return box


# ---------------------------------------------------------------------------------------------
# the graded run: what the grader sees that check() in the notebook does not

# Helpers of this module that run the student's functions through checking.implementation: handy
# in the notebook, but inside a graded function the grader counts that as calling the course's
# checking code (score 0). make_schedule, steps_per_epoch and GOOD_LEARNING_RATES are fine.
KERNEL_ONLY = ("YourMLP", "YourSGD", "YourMomentum", "YourNesterov", "YourAdaGrad", "YourRMSProp",
               "YourAdam", "make_optimizer", "compare_optimizers", "CapstoneExplorer",
               "load_your_functions", "whose")


def _global_names(code: types.CodeType) -> set[str]:
    """The global names a function's code (and the code of functions nested in it) reads."""
    names = {ins.argval for ins in dis.get_instructions(code) if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _is_literal(value) -> bool:
    """A number, string, bool or None, or a list/tuple/dict/set of them (what `N = 10` binds)."""
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
        return True
    if isinstance(value, (list, tuple, set, frozenset)):
        return all(_is_literal(v) for v in value)
    if isinstance(value, dict):
        return all(_is_literal(k) and _is_literal(v) for k, v in value.items())
    return False


def _imported(value, namespace: dict) -> bool:
    """True if `value` is a module-level object of a module the namespace imports from (not of
    the namespace's own module: in a notebook that is __main__, where every cell's variables live)."""
    modules = {getattr(v, "__module__", None) for v in namespace.values()}
    modules |= {v.__name__ for v in namespace.values() if isinstance(v, types.ModuleType)}
    for name in modules:
        module = sys.modules.get(name) if isinstance(name, str) else None
        if module is None or vars(module) is namespace:    # the notebook's own namespace
            continue
        if any(v is value for v in vars(module).values()):
            return True
    return False


def grading_problems(function, notebook: str = "11_capstone_digits") -> list[str]:
    """What the grader would reject in `function` (and the notebook functions it calls), read from
    its code without running it. check() in the notebook catches forbidden calls too, but it runs
    the function in this kernel, where every cell has run, so it cannot see reads of other cells'
    variables.

    The grader runs only the notebook's imports, defs, classes and the top-level assignments the
    functions need, in a fresh process, and scores 0 a function that calls forbidden course code.
    Reported, one sentence each:
      * load_digits (the hidden test digits come from it) or a reference of this notebook;
      * the helpers in KERNEL_ONLY (YourMLP, make_optimizer, ...), which go through the check
        machinery of this kernel;
      * a global variable computed by another cell (X_val, data, trainer, ...): in the grader it
        does not exist.
    Returns [] when none of these is found (the grader's own check at run time is stricter).
    """
    from ..exercises import for_notebook
    from ..grading.references import is_forbidden

    exercises_here = for_notebook(notebook)
    problems, seen, todo = [], set(), [function]
    while todo:
        current = todo.pop()
        namespace = current.__globals__
        for name in sorted(_global_names(current.__code__)):
            if name in seen or name not in namespace:
                continue                               # builtins (len, range) are fine
            seen.add(name)
            value = namespace[name]
            if value is load_digits:
                problems.append(f"it calls {name}(), which loads the digits the grader tests on: "
                                "forbidden, this exercise scores 0; train only on X_train, y_train")
            elif is_forbidden(value, exercises_here):
                problems.append(f"it uses {name}, the course's reference or checking code: scores 0")
            elif (getattr(value, "__module__", None) == __name__
                  and getattr(value, "__name__", "") in KERNEL_ONLY):
                problems.append(f"it uses {name} from the explorer, which runs your functions through "
                                "check(); the grader counts that as calling the course's checking code "
                                "(scores 0): use MLP, an optimizer from course_lib.optimizers and train")
            elif isinstance(value, types.FunctionType) and value.__module__ == function.__module__:
                todo.append(value)                     # a helper defined in the notebook: read it too
            elif isinstance(value, (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType)):
                continue
            elif _is_literal(value) or _imported(value, namespace):
                continue
            else:
                problems.append(f"it reads {name} (a {type(value).__name__}), computed by another "
                                "cell; the grader runs your functions in a fresh process, where "
                                f"{name} may not exist or hold something else: use only the arguments")
    return problems


def grading_preview(function, notebook: str = "11_capstone_digits") -> None:
    """Print whether the grader can run `function` as it is (the problems of grading_problems)."""
    name = getattr(function, "__name__", "the function")
    if "NotImplementedError" in _global_names(function.__code__):
        print(f"\u23f3 {name}: not attempted yet (it still raises NotImplementedError).")
        return
    problems = grading_problems(function, notebook)
    if not problems:
        print(f"\u2705 {name}: the grader can run it as it is: it uses only its arguments and what "
              "this notebook imports or defines at the top level.")
    else:
        print(f"\u274c {name}: the grader would score this 0 or fail it, even if check() passed:")
        for problem in problems:
            print(f"   - {problem}")
