"""Your own functions from the earlier notebooks, loaded once, and the course's code running them.

    load_your_functions(folder, ids)       # find, define and check() each one, with a time limit
    your_updates()                         # {optimizer: (update, lookahead)}: yours where passed
    your_optimizer("Adam", 0.01, "cosine", total_steps)   # an optimizer running your adam_step
    your_mlp([64, 64, 10], seed=0)         # its gradients come from your mlp_backward

The ONE loader of the student's earlier functions (the race of 09 and the capstone of 11 use it).
Like the grader, it runs only a notebook's top-level imports, defs, classes and the assignments
the function needs (course_lib.grading.find), never its plots or training; every statement it
runs and every check() gets a time limit, so a function that loops forever costs seconds, not
the kernel. A function that passes its check is used from then on (checking.implementation);
until then the reference runs.
"""

from __future__ import annotations

import io
import math
import threading
from contextlib import redirect_stdout
from pathlib import Path

from . import checking, exercises, optimizers
from .exercises.core import TIMEOUT
from .nn import MLP
from .schedules import schedule_for_run

DEFINE_SECONDS = 10.0
"""Time limit of each top-level statement the loader runs from a notebook."""

OPTIMIZER_EXERCISES = tuple(cls.entry.exercise for cls in optimizers.OPTIMIZERS.values()
                            if cls.entry.exercise)
"""The step functions of 06-08 (what the race of 09 runs)."""


def load_your_functions(folder=".", ids=OPTIMIZER_EXERCISES, seconds=DEFINE_SECONDS,
                        check_seconds=None) -> dict:
    """Read your functions `ids` (exercise ids) from your notebooks in `folder` and check each.

    For each id: its notebook (the exercise's, e.g. 06_sgd_momentum_nesterov.ipynb) is read,
    the statements the function needs are run in a fresh namespace (each within `seconds`),
    and check() runs it (its calls within check_seconds, default the grader's time per case:
    grading/runner.py, the one timer of check(), the loader and the sandbox). Prints one line
    (or the check report) per function. Returns {id: status}, status one of "passed", "failed",
    "error", "not_attempted", "missing" (no notebook, or no such function in it), "too_slow".
    The time limits need the main thread (where the Jupyter kernel runs cells); elsewhere the
    functions run without them.
    """
    from .grading.child import define, make_describe
    describe_error = make_describe(lambda trusted: None)    # in the kernel: no sandbox guard
    from .grading.find import InvalidNotebook, read_program

    status, programs = {}, {}
    timed = seconds if threading.current_thread() is threading.main_thread() else None
    for exercise_id in ids:
        ex = exercises.get(exercise_id)
        path = Path(folder) / f"{ex.notebook}.ipynb"
        try:
            if path not in programs:  # each notebook is read once
                programs[path] = read_program(path) if path.exists() else None
            program = programs[path]
        except InvalidNotebook as exc:
            print(f"  {exercise_id}: could not read {path.name} ({exc}); the reference is used")
            status[exercise_id] = "error"
            continue
        if program is None or program.function(ex.function) is None:
            where = f"no function {ex.function} in {path.name}" if program else f"{path.name} not found"
            print(f"  {exercise_id}: {where}; the reference is used")
            status[exercise_id] = "missing"
            continue
        namespace: dict = {"__name__": f"notebook_{path.stem}"}
        errors = define(program.cells_for([ex.function]), namespace, timed)  # each statement timed
        if errors or not callable(namespace.get(ex.function)):
            problem = errors[0] if errors else f"{ex.function} is not a function"
            print(f"  {exercise_id}: could not define it ({problem}); the reference is used")
            status[exercise_id] = "error"
            continue
        stub = program.stub(ex.function)
        try:
            # check()'s report for a stub says "write your code where it says YOUR CODE HERE",
            # which points into the notebook on screen; here the stub is in another notebook
            said = io.StringIO()
            with redirect_stdout(said):     # check() stops the function at its time limit (grading/runner.py)
                verdict = checking.run_check(exercise_id, namespace[ex.function], seconds=check_seconds)
            if checking.has_passed(exercise_id):   # no points: they are earned in that notebook
                print(f"  ✅ {exercise_id}: yours from {path.name}, which passed its check")
            elif not stub:
                print(said.getvalue(), end="")
        except Exception as exc:  # check() reports the student's errors itself; this is a safety net
            print(f"  {exercise_id}: {describe_error(exc)}; the reference is used")
            status[exercise_id] = "error"
            continue
        if stub:
            print(f"  {exercise_id}: not attempted yet in {path.name}; the reference is used")
        status[exercise_id] = "passed" if checking.has_passed(exercise_id) else (
            "not_attempted" if stub else "too_slow" if verdict and verdict.status == TIMEOUT else "failed")
    return status


def whose(exercise_id: str) -> str:
    """'yours' once the student's function passed its check in this kernel, else 'reference'."""
    return "yours" if checking.has_passed(exercise_id) else "reference"


# ---------------------------------------------------------------------------------------------
# the optimizers with your step functions


def your_update(name):
    """(update, lookahead) that optimizer `name` runs: your step function where it passed its
    check, else the reference (SGD's step is not an exercise: always the reference). lookahead is
    None: Nesterov's look-ahead point is part of the student's nesterov_step."""
    entry = optimizers.entry(name)
    update = checking.implementation(entry.exercise, entry.update) if entry.exercise else entry.update
    return update, None


def your_updates(names=tuple(optimizers.OPTIMIZERS)):
    """{name: your_update(name)} for landscapes.run_race(updates=...)."""
    return {name: your_update(name) for name in names}


def is_yours(name):
    """True when the step function optimizer `name` runs is the student's, passed in this kernel."""
    exercise = optimizers.entry(name).exercise
    return bool(exercise) and checking.has_passed(exercise)


def your_optimizer(name, alpha, schedule="constant", total_steps=1, **hyper):
    """Optimizer `name` of course_lib.optimizers running your step function once it passed,
    with the learning rate alpha under schedules.schedule_for_run(schedule, alpha, total_steps)."""
    if name not in optimizers.OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {list(optimizers.OPTIMIZERS)}, got {name!r}")
    update, lookahead = your_update(name)
    rate = schedule_for_run(schedule, alpha, total_steps)
    return optimizers.make_optimizer(name, rate, hyper, update, lookahead)


# ---------------------------------------------------------------------------------------------
# the capstone's network with your backward pass


def your_mlp(sizes, seed=0) -> MLP:
    """A one-hidden-layer ReLU MLP, sizes = [n_in, n_hidden, n_out], whose cross-entropy gradients
    come from your mlp_backward (05) once it passed its check (else the reference): nn.MLP with
    backward=your mlp_backward, looked up at every step, so a check passed later counts at once.
    """
    if len(sizes) != 3:
        raise ValueError(f"your mlp_backward is for one hidden layer: sizes must be [n_in, n_hidden, "
                         f"n_out], got {list(sizes)}")
    return MLP(sizes, activation="relu", seed=seed, backward=_your_mlp_backward)


def _your_mlp_backward(X, y, W1, b1, W2, b2):
    return checking.implementation("mlp_backward")(X, y, W1, b1, W2, b2)


GOOD_LEARNING_RATES = {name: cls.entry.learning_rates.mlp for name, cls in optimizers.OPTIMIZERS.items()}
"""Learning rates that train the 64-64-10 digits MLP well in about 10 epochs of minibatches of 32
(each optimizer's catalogue entry)."""


def steps_per_epoch(n_train: int, batch_size: int) -> int:
    """ceil(n_train / batch_size): minibatches per epoch."""
    return math.ceil(n_train / batch_size)


def compare_optimizers(data, epochs=6, batch_size=32, hidden=64, seed=0, schedule="constant",
                       learning_rates=None) -> dict:
    """Train the same network (same initialization, same minibatch order) with every optimizer,
    running your mlp_backward and step functions where they passed.

    data = (X_train, y_train, X_val, y_val). learning_rates: {name: alpha}, default
    GOOD_LEARNING_RATES. Returns {name: History} (course_lib.training.History).
    """
    from .training import train

    X_train, y_train, X_val, y_val = data
    learning_rates = learning_rates or GOOD_LEARNING_RATES
    total = epochs * steps_per_epoch(len(X_train), batch_size)
    histories = {}
    for name, alpha in learning_rates.items():
        net = your_mlp([X_train.shape[1], hidden, 10], seed=seed)
        histories[name] = train(net, your_optimizer(name, alpha, schedule, total), X_train, y_train,
                                X_val, y_val, epochs=epochs, batch_size=batch_size, seed=seed,
                                progress=False)
    return histories
