"""Exercises of 09_optimizer_race: measuring a race between optimizers.

Two small functions that turn a trajectory (its losses, its path) into one number that can be
compared across optimizers: how many steps until the loss settles near the minimum, and how
many steps an optimizer needs to get away from a saddle point once it came close to it.

Then a fair experiment the student designs (issue 22): fair_comparison runs every optimizer with
the same seeds (the same theta_0 and minibatches, generalization.comparison_run), tunes alpha on
the validation split, touches the test split once per optimizer and reports mean and spread over
the seeds. It is judged by those properties, each checked on the rows the student returns (every
row is rerun to make sure its loss is real), not by matching one number.
"""

import math

import numpy as np

from ..generalization import comparison_run
from ..optimizers import OPTIMIZERS
from .core import Case, Exercise, Mistake
from .misconceptions import slip

NOTEBOOK = "09_optimizer_race"


def steps_to_converge(losses, loss_min, tol):
    """The first step from which the loss stays within tol of the minimum.

        k* = min { k : losses[i] - loss_min <= tol for every i >= k },  or -1 if there is none

    A run that dips below the tolerance and bounces out again has not converged at the dip:
    only the step after which it STAYS within tol counts. If the last loss is not within tol
    the run has not converged and the answer is -1.

    losses: (n,) float array, J(theta_0), ..., J(theta_{n-1}), n >= 1; loss_min: float, the
    minimum J*; tol: float >= 0. Returns an int in 0 .. n-1, or -1.
    """
    losses = np.asarray(losses, dtype=np.float64)
    within = losses - loss_min <= tol
    if not within[-1]:
        return -1
    outside = np.flatnonzero(~within)
    return 0 if len(outside) == 0 else int(outside[-1]) + 1


def escape_step(path, center, radius):
    """The step at which a path escapes from a ball around a point it came close to.

        d_k = || path[k] - center ||_2       (Euclidean distance, not squared)
        j   = the first k with d_k <= radius  (the path enters the ball; the boundary counts as in)
        escape_step = the first k > j with d_k > radius,  or -1

    -1 means the path never entered the ball, or entered it and never left. A path that starts
    inside the ball has j = 0.

    path: (n, 2) float array of points theta_0, ..., theta_{n-1}; center: (2,) float array
    (e.g. the saddle point); radius: float > 0. Returns an int in 1 .. n-1, or -1.
    """
    path = np.asarray(path, dtype=np.float64)
    center = np.asarray(center, dtype=np.float64)
    distances = np.sqrt(np.sum((path - center) ** 2, axis=1))
    inside = distances <= radius
    if not inside.any():
        return -1
    entered = int(np.argmax(inside))
    outside_after = np.flatnonzero(~inside[entered:])
    return -1 if len(outside_after) == 0 else entered + int(outside_after[0])


# ---------------------------------------------------------------------------------------------
# cases


def _converge_cases(rng):
    cases = [
        Case("edge: already converged at step 0", (np.array([0.5, 0.2, 0.1]), 0.0, 1.0)),
        Case("edge: never converges (last loss too high)", (np.array([3.0, 2.0, 1.5]), 0.0, 1.0)),
        Case("edge: one loss, within tol", (np.array([0.05]), 0.0, 0.1)),
        Case("a loss exactly at the tolerance counts as converged",
             (np.array([1.0, 0.5, 0.25, 0.125]), 0.0, 0.25)),
        Case("dips below tol at step 1, bounces out, settles at step 4",
             (np.array([4.0, 0.01, 2.0, 1.5, 0.05, 0.02]), 0.0, 0.1)),
        Case("loss_min is not 0 (subtract it)", (np.array([5.0, 3.2, 3.05, 3.01]), 3.0, 0.1)),
        Case("negative loss_min and losses", (np.array([-1.0, -1.8, -1.95, -1.99]), -2.0, 0.06)),
    ]
    for k in range(4):
        n = int(rng.integers(5, 40))
        losses = 1.0 + np.exp(-0.2 * np.arange(n)) * (1 + 0.5 * np.cos(2.5 * np.arange(n)))
        losses = losses + 0.02 * rng.standard_normal(n)
        cases.append(Case(f"random #{k + 1}: a noisy oscillating decay, n = {n}",
                          (losses, 1.0, float(rng.uniform(0.02, 0.6)))))
    return cases


def _escape_cases(rng):
    square = np.array([[2.0, 0.0], [0.4, 0.4], [0.45, 0.45], [0.1, 0.0], [0.8, 0.0]])
    cases = [
        Case("edge: never comes close", (np.array([[3.0, 3.0], [2.0, 2.0], [3.0, 1.0]]), np.zeros(2), 1.0)),
        Case("edge: comes close and stays", (np.array([[2.0, 0.0], [0.5, 0.0], [0.1, 0.0], [0.0, 0.0]]),
                                              np.zeros(2), 1.0)),
        Case("starts outside, enters at step 2, leaves at step 4 (the start is not an escape)",
             (np.array([[-1.5, 0.0], [-0.8, 0.0], [-0.3, 0.01], [0.0, 0.3], [0.0, 0.9], [0.0, 2.0]]),
              np.zeros(2), 0.5)),
        Case("starts inside the ball: leaves at step 2", (np.array([[0.1, 0.1], [0.2, 0.2], [0.9, 0.9]]),
                                                           np.zeros(2), 0.5)),
        Case("a point exactly on the sphere is inside (d <= radius)",
             (np.array([[3.0, 0.0], [2.0, 0.0], [1.0, 0.0], [1.5, 0.0]]), np.zeros(2), 1.0)),
        Case("diagonal points (Euclidean distance, not the largest coordinate)", (square, np.zeros(2), 0.6)),
        Case("radius 0.5, not squared: d = 0.3 is inside, d = 0.6 is outside",
             (np.array([[1.0, 1.0], [0.3, 0.0], [0.6, 0.0]]), np.zeros(2), 0.5)),
        Case("center not at the origin (subtract it)",
             (np.array([[0.0, 0.0], [3.0, 1.2], [2.9, 1.0], [1.0, 1.0]]), np.array([3.0, 1.0]), 0.5)),
        Case("enters, leaves at step 2, comes back: the FIRST escape counts",
             (np.array([[0.0, 0.0], [0.2, 0.0], [1.5, 0.0], [0.1, 0.0], [2.0, 0.0]]), np.zeros(2), 1.0)),
    ]
    for k in range(4):
        n = int(rng.integers(8, 30))
        angle = rng.uniform(0, 2 * np.pi)
        x = 2.0 * np.exp(-0.3 * np.arange(n))
        y = 1e-3 * np.exp(0.4 * np.arange(n))
        cos, sin = np.cos(angle), np.sin(angle)
        path = np.stack([x * cos - y * sin, x * sin + y * cos], axis=1)
        center = rng.normal(size=2)
        cases.append(Case(f"random #{k + 1}: a path past a saddle, n = {n}",
                          (path + center, center, float(rng.uniform(0.2, 1.0)))))
    return cases


# ---------------------------------------------------------------------------------------------
# common mistakes


def _first_dip(losses, loss_min, tol):          # the first step within tol, even if it bounces out
    hits = np.flatnonzero(np.asarray(losses) - loss_min <= tol)
    return int(hits[0]) if len(hits) else -1


def _strict(losses, loss_min, tol):             # < instead of <=
    within = np.asarray(losses) - loss_min < tol
    if not within[-1]:
        return -1
    outside = np.flatnonzero(~within)
    return 0 if len(outside) == 0 else int(outside[-1]) + 1


def _ignores_min(losses, loss_min, tol):
    return steps_to_converge(losses, 0.0, tol)


def _last_outside(losses, loss_min, tol):       # off by one: the last step outside, not the one after
    within = np.asarray(losses) - loss_min <= tol
    if not within[-1]:
        return -1
    outside = np.flatnonzero(~within)
    return 0 if len(outside) == 0 else int(outside[-1])


def _abs_difference(losses, loss_min, tol):
    return steps_to_converge(np.abs(np.asarray(losses)), abs(loss_min), tol)


def _length_when_never(losses, loss_min, tol):
    k = steps_to_converge(losses, loss_min, tol)
    return len(losses) if k == -1 else k


def _escape(distances, radius, inside=None):
    """escape_step from given distances, with an optional other notion of 'inside'."""
    inside = distances <= radius if inside is None else inside
    if not inside.any():
        return -1
    j = int(np.argmax(inside))
    after = np.flatnonzero(~inside[j:])
    return -1 if len(after) == 0 else j + int(after[0])


def _first_outside(path, center, radius):       # forgets that the path must come close first
    d = np.linalg.norm(np.asarray(path) - center, axis=1)
    hits = np.flatnonzero(d > radius)
    return int(hits[0]) if len(hits) else -1


def _squared(path, center, radius):
    return _escape(np.sum((np.asarray(path) - center) ** 2, axis=1), radius)


def _max_norm(path, center, radius):
    return _escape(np.max(np.abs(np.asarray(path) - center), axis=1), radius)


def _strict_inside(path, center, radius):       # d < radius: the boundary counts as outside
    d = np.linalg.norm(np.asarray(path) - center, axis=1)
    return _escape(d, radius, inside=d < radius)


def _ignores_center(path, center, radius):
    return escape_step(path, np.zeros(2), radius)


def _last_escape(path, center, radius):
    d = np.linalg.norm(np.asarray(path) - center, axis=1)
    inside = d <= radius
    if not inside.any():
        return -1
    j = int(np.argmax(inside))
    after = np.flatnonzero(~inside[j:])
    return -1 if len(after) == 0 else j + int(after[-1])


# ---------------------------------------------------------------------------------------------
# the fair comparison


def fair_comparison(names, alphas, seeds, tune_on="val", shift_seeds=False, spread=True):
    """The protocol of a fair optimizer comparison (the reference; its keyword arguments build the
    named mistakes). For each optimizer: run generalization.comparison_run for every alpha and
    seed on the validation split, choose the alpha with the lowest mean validation loss, then run
    the chosen alpha on the test split for every seed. Returns {"rows": rows, "report": report}:

        rows    [[name, alpha, seed, split, loss], ...]  every run made, in order
        report  {name: [chosen alpha, mean test loss, standard deviation of the test losses]}
    """
    rows, report = [], {}
    for k, name in enumerate(names):
        used = [int(seed) + (1000 * (k + 1) if shift_seeds else 0) for seed in seeds]
        means = []
        for alpha in alphas:
            losses = [comparison_run(name, alpha, seed, tune_on) for seed in used]
            rows += [[name, float(alpha), seed, tune_on, loss] for seed, loss in zip(used, losses)]
            means.append(float(np.mean(losses)))
        chosen = float(alphas[int(np.argmin(means))])
        tested = ([row[4] for row in rows if row[0] == name and row[1] == chosen] if tune_on == "test"
                  else [comparison_run(name, chosen, seed, "test") for seed in used])
        if tune_on != "test":
            rows += [[name, chosen, seed, "test", loss] for seed, loss in zip(used, tested)]
        report[name] = [chosen, float(np.mean(tested)), float(np.std(tested)) if spread else 0.0]
    return {"rows": rows, "report": report}


def _fair_cases(rng):
    cases = [
        Case("SGD, Momentum and Adam; four alphas; seeds 0, 1, 2",
             (["SGD", "Momentum", "Adam"], [0.003, 0.01, 0.03, 0.1], [0, 1, 2])),
        Case("RMSProp and Nesterov; three alphas; four seeds", (["RMSProp", "Nesterov"], [0.01, 0.03, 0.1],
                                                                [5, 6, 7, 8])),
    ]
    chosen = [str(n) for n in rng.choice(list(OPTIMIZERS), size=2, replace=False)]
    alphas = sorted(float(a) for a in rng.choice([0.003, 0.01, 0.03, 0.1, 0.3], size=3, replace=False))
    seeds = [int(s) for s in rng.choice(100, size=3, replace=False)]
    cases.append(Case("random: two optimizers, three alphas, three seeds", (chosen, alphas, seeds)))
    return cases


def _same_loss(a, b):
    return (math.isinf(a) and math.isinf(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _fair_judge(case, expected, got):
    """None when got = {"rows": ..., "report": ...} describes a fair comparison of case.args, else
    the first broken rule."""
    names, alphas, seeds = case.args
    if not isinstance(got, dict) or set(got) != {"rows", "report"} or not isinstance(got["report"], dict):
        return ('return {"rows": rows, "report": report}: a list of [name, alpha, seed, split, loss] '
                "rows and a dict by optimizer name")
    rows, report = got["rows"], got["report"]
    try:
        rows = [(str(r[0]), float(r[1]), int(r[2]), str(r[3]), float(r[4])) for r in rows]
    except (TypeError, ValueError, IndexError):
        return "every row must be [optimizer name, alpha, seed, split, loss]"
    if len(set(seeds)) < 3 and len(seeds) >= 3:
        return "use every seed you are given"
    seen = {}
    for name in names:
        mine = [r for r in rows if r[0] == name]
        if len({r[1] for r in mine if r[3] == "test"}) > 1:
            return (f"{name}: the test split was used for several alphas: choose alpha on the validation "
                    "split, and look at the test set once, for the chosen alpha")
        val_seeds = {r[2] for r in mine if r[3] == "val"}
        seen[name] = val_seeds
        if len(val_seeds) < 3:
            return f"{name} ran with {len(val_seeds)} seed(s) on the validation split: use at least three"
    first = names[0]
    for name in names[1:]:
        if seen[name] != seen[first]:
            return (f"{name} and {first} ran with different seeds ({sorted(seen[name])} and "
                    f"{sorted(seen[first])}): the same seeds give the same theta_0 and minibatches")
    for name in names:
        if name not in report or not isinstance(report[name], (tuple, list)) or len(report[name]) != 3:
            return f"report[{name!r}] must be [chosen alpha, mean test loss, spread]"
        chosen, mean, spread = (float(v) for v in report[name])
        val = {a: [r[4] for r in rows if r[0] == name and r[3] == "val" and math.isclose(r[1], a)]
               for a in alphas}
        if any(len(v) != len(seen[name]) for v in val.values()):
            return f"{name}: every alpha must be tried on the validation split with every seed"
        means = {a: float(np.mean(v)) for a, v in val.items()}
        if not math.isclose(means[min(means, key=means.get)], means.get(_closest(chosen, alphas), math.inf),
                            rel_tol=1e-12, abs_tol=1e-15):
            return f"{name}: the chosen alpha {chosen:g} does not have the lowest mean validation loss"
        test = [r for r in rows if r[0] == name and r[3] == "test"]
        if any(not math.isclose(r[1], chosen) for r in test):
            return (f"{name}: the test split was used for an alpha that was not chosen: look at the test "
                    "set once, for the chosen alpha")
        if {r[2] for r in test} != seen[name] or len(test) != len(seen[name]):
            return f"{name}: run the chosen alpha once per seed on the test split"
        losses = [r[4] for r in test]
        if not _same_loss(mean, float(np.mean(losses))):
            return f"{name}: the reported mean is not the mean of its test losses"
        spreads = (float(np.std(losses)), float(np.std(losses, ddof=1)))
        if not any(_same_loss(spread, s) for s in spreads) or (spread == 0 and max(spreads) > 0):
            return f"{name}: report the spread (standard deviation) of the test losses over the seeds"
    for name, alpha, seed, split, loss in rows:
        if split not in ("val", "test"):
            return f"a row has the split {split!r}: tune on 'val', report on 'test'"
        if not _same_loss(loss, comparison_run(name, alpha, seed, split)):
            return (f"the row {name}, alpha {alpha:g}, seed {seed}, {split} does not match a run with "
                    "those settings")
    return None


def _closest(value, alphas):
    return min(alphas, key=lambda a: abs(a - value))


EXERCISES = [
    Exercise(
        id="steps_to_converge",
        notebook=NOTEBOOK,
        points=1,
        reference=steps_to_converge,
        make_cases=_converge_cases,
        hints=("Arrived means: from that step on, every loss stays within tol of the minimum. A dip "
               "that bounces out again does not count.",
               "It is easier from the end of the run: find the last loss that is NOT within tol and "
               "ask what that says about the steps after it. Then decide the two special runs: "
               "every loss within tol, and a last loss that is not.",
               "Within tol includes the boundary: a loss exactly tol above the minimum has arrived. "
               "Measure from loss_min, which need not be 0."),
        mistakes=(Mistake("the first dip below tol (even if the loss bounces out again)", _first_dip,
                          nudge="Arrived means it STAYS within tol from that step on: a dip that bounces "
                                "out again does not count."),
                  slip("strict_boundary", _strict),
                  Mistake("ignoring loss_min (measuring from 0)", _ignores_min,
                          nudge="Measure each loss's distance from the minimum loss_min, which need not "
                                "be zero."),
                  Mistake("the last step outside instead of the step after it", _last_outside,
                          nudge="The answer is the first step from which the run stays within tol: the "
                                "step AFTER the last one outside."),
                  Mistake("absolute values of the losses", _abs_difference,
                          nudge="Losses and their minimum may be negative: subtract loss_min from each "
                                "loss as they are, without taking absolute values first."),
                  Mistake("the number of steps instead of -1 when the run never arrives",
                          _length_when_never,
                          nudge="When the last loss is not within tol the run has not arrived: the answer "
                                "is minus one.")),
        outputs=("k",),
    ),
    Exercise(
        id="escape_step",
        notebook=NOTEBOOK,
        points=1,
        reference=escape_step,
        make_cases=_escape_cases,
        hints=("Two events in order: first the path comes within radius of the center, then it "
               "leaves; only a leave after an arrival is an escape.",
               "Distance means the Euclidean length of the difference from center, not squared and "
               "not the largest coordinate; on the sphere counts as inside.",
               "If the path leaves and comes back, the first exit counts; -1 when it never comes "
               "close or never leaves."),
        mistakes=(Mistake("the first step outside the ball, without coming close first", _first_outside,
                          nudge="An escape needs an arrival first: the path must come within the radius "
                                "before a step outside counts."),
                  Mistake("squared distances compared with the radius", _squared,
                          nudge="Compare the distance itself, the square root of the sum of squared "
                                "differences, with the radius."),
                  Mistake("the largest coordinate instead of the Euclidean distance", _max_norm,
                          nudge="Distance is Euclidean: the square root of the sum of the squared "
                                "coordinate differences, not the largest one."),
                  slip("strict_boundary", _strict_inside),
                  Mistake("distances from the origin instead of from center", _ignores_center,
                          nudge="Measure distances from the given center: subtract it from every point "
                                "first."),
                  Mistake("the last escape instead of the first", _last_escape,
                          nudge="If the path leaves, returns and leaves again, the FIRST exit after the "
                                "first arrival counts.")),
        outputs=("step",),
    ),    Exercise(
        id="fair_comparison",
        notebook=NOTEBOOK,
        points=3,
        reference=lambda names, alphas, seeds: fair_comparison(names, alphas, seeds),
        make_cases=_fair_cases,
        judge=_fair_judge,
        timeout=60.0,
        check_seeds=2,          # every case reruns each of its rows (about 3 ms each): keep check() short
        outputs=("comparison",),   # one dict: the judge's rule is the message, not a per-output diff
        hints=(
            "A fair race changes one thing at a time: every optimizer must start from the same "
            "theta_0 and see the same minibatches, which the seed decides, so give all of them "
            "the same seeds.",
            "Three roles for the data: the training split trains, the validation split chooses "
            "each optimizer's alpha (by its mean over the seeds), and the test split is looked at "
            "once, for the chosen alpha only.",
            "Report, per optimizer, the chosen alpha, the mean of its test losses over the seeds "
            "and their standard deviation: one seed's number is an anecdote.",
        ),
        mistakes=(
            Mistake("alpha tuned on the test split (the test set looked at for every alpha)",
                    lambda names, alphas, seeds: fair_comparison(names, alphas, seeds, tune_on="test")),
            Mistake("a different seed for each optimizer (different starts and minibatches)",
                    lambda names, alphas, seeds: fair_comparison(names, alphas, seeds, shift_seeds=True)),
            Mistake("a single seed", lambda names, alphas, seeds: fair_comparison(names, alphas, seeds[:1])),
            Mistake("no spread reported", lambda names, alphas, seeds: fair_comparison(names, alphas, seeds,
                                                                                     spread=False)),
            Mistake("one alpha for everyone (the first), not tuned",
                    lambda names, alphas, seeds: fair_comparison(names, alphas[:1], seeds)),
        ),
    ),
]
