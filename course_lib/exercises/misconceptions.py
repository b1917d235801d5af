"""The catalogue of misconceptions: the slips that recur across exercises, each defined ONCE.

A misconception (an `Idea`) has a `name`, which completes the sentence "this is what <name>
gives", and a `nudge`: the first hint a student sees when the check names it (words only, never
code: tests/test_hints.py reads every nudge). It reaches the exercises in three ways:

1. **Slips of a registered mistake** (`slip("eps_outside_root", function)`): an exercise's own
   wrong function that makes a catalogued slip takes the idea's name and nudge, so the same slip
   reads the same in every exercise ("epsilon outside the square root" in 07 and 08 alike).
2. **Variants built from the reference** (`Idea.variant`): the reference run with one of the
   course's building blocks swapped for its wrong twin, so the slip is found in EVERY exercise
   whose reference uses that block, without a line in the exercise:
       eps_outside_root   optimizers._divide_by_root  alpha / (sqrt(r) + eps) * g
       root_left_out      optimizers._divide_by_root  alpha / (r + eps) * g
       relu_at_zero       nn.relu_derivative           slope 1 at z = 0 (a mask from z >= 0)
       width_from_labels  nn.softmax_cross_entropy_backward with a one-hot of width max(y) + 1
   and `lifted(step_mistakes)` carries every mistake of a one-array optimizer step over to the
   exercise that steps a LIST of arrays (adagrad_step -> adagrad_steps, adam_step -> adam_steps).
   `default_variants` runs the reference with an integer argument one off (T - 1, t + 1) and with a
   parameter's default where the case passes another value (an eps or tiny ignored). Variants built
   from the reference are skipped for exercises with a training run per case (check_seeds 1).
3. **Transforms of the expected answer** (`recognise_shape_of_error`), tried for every exercise
   when no registered mistake matches: the answer is the expected one times -1 (sign), times a
   size of the inputs (sum vs mean: 1/N), times 1/2 or 2, divided by log 2 (bits); transposed;
   in another shape (keepdims, flattened); in reverse order; one off (an integer answer); the
   state output returned unchanged (old vs new state); two outputs swapped; divided by the wrong
   count (n - 1, another size: `_count_pairs`); entry by entry its absolute value, root, square,
   reciprocal, complement or the same offset (`_elementwise`); right except at one telling place:
   the first or last entry, one step early or late, exactly where an input is 0 or negative
   (`_where`). An input array changed in place is named too (`IN_PLACE`, or `RESTORE_EXACTLY` for
   numerical_gradient), and so are errors: numpy's broadcasting error of a one-hot width from the
   labels or of a reduction that lost its axis, a singular system (`recognise_error`, `lost_axis`,
   `singular`). `default_variants` also exchanges two arguments of one kind (`_swappable`).

`judging.judge` uses all three, so check() and the grader name the same misconception. When the
first failing case (often an edge case) names nothing, the judge looks at the next random cases and
names what EVERY wrong one of them shows (judging.LOOK_AHEAD).
"""

from __future__ import annotations

import contextlib
import inspect
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .core import Mistake, arguments, compare


@dataclass(frozen=True)
class Idea:
    """A misconception: `name` completes "this is what <name> gives"; `nudge` is the hint about
    it (never code). A name or nudge may hold {fields} filled in per exercise (`{state}`)."""

    key: str
    name: str
    nudge: str


IDEAS = {idea.key: idea for idea in [
    Idea("eps_outside_root", "epsilon outside the square root",
         "epsilon belongs INSIDE the square root: add it to the second-moment estimate first and take "
         "the root of the sum, as the lecture writes it; adding it to the root afterwards changes every "
         "step where that estimate is small."),
    Idea("old_state_in_step", "theta moved with the old {state} (before {state} is updated)",
         "Order matters: update {state} first, then move theta with the NEW {state}, the one you return."),
    Idea("state_not_updated", "the old {state} returned (the state never changes)",
         "The state you return must be the updated {state}: the next step starts from it."),
    Idea("abs_not_square", "absolute gradients accumulated instead of squared ones",
         "The accumulator collects SQUARED gradients, so that its square root has the scale of a "
         "gradient."),
    Idea("state_overwritten", "{state} overwritten instead of accumulated",
         "{state} carries the history of every earlier step: combine the old {state} with the new gradient "
         "instead of replacing it."),
    Idea("t_off_by_one", "the bias correction with the old t",
         "The step counter moves first: this step's bias corrections use the NEW t (1 on the first step), "
         "and that new t is what you return."),
    Idea("relu_at_zero", "letting the gradient through at z exactly 0 (greater or equal instead of greater)",
         "Where the input is exactly zero the ReLU's slope is taken as 0: the mask keeps only strictly "
         "positive pre-activations (greater than, not greater than or equal)."),
    Idea("relu_value_as_slope", "multiplying by the ReLU's output instead of its slope",
         "Backpropagating through the ReLU multiplies the incoming gradient by the ReLU's SLOPE at z "
         "(1 where z is positive, 0 elsewhere), not by its output, which grows with z."),
    Idea("tanh_slope_for_sigmoid", "tanh's slope (1 - tanh^2) in place of the sigmoid's sigma (1 - sigma)",
         "The sigmoid and tanh have slopes that look alike but differ: the sigmoid's is sigma(z) times "
         "one minus sigma(z), tanh's is one minus tanh(z) squared. Use the slope of the function this "
         "layer applied."),
    Idea("relu_mask_missing",
         "the ReLU's mask left out (or taken from the activations, which are never negative)",
         "The gradient flows back through the ReLU only where its input, the pre-activation, was "
         "positive: mask the hidden layer's gradient by that, since the activations themselves are "
         "never negative."),
    Idea("width_from_labels", "a one-hot width taken from the labels of the batch (such as the largest "
         "label plus one) instead of the number of classes",
         "A batch need not contain the highest class: the number of classes comes from the number of "
         "columns of the logits (or the given number of classes), never from the largest label seen."),
    Idea("ema_form", "the factor one minus beta on the gradient (an average's form, not momentum's)",
         "Momentum's velocity is not an average: the gradient enters with the learning rate alpha "
         "alone, without a factor one minus beta."),
    Idea("sign", "the opposite sign",
         "Every value has the right size but the wrong sign: follow each minus sign of the formula, "
         "and check which way each step moves."),
    Idea("sum_not_mean", "a sum instead of a mean (N times too large, N = {n})",
         "Your answer is exactly {n} times the expected one: the formula averages where you sum. "
         "Divide by the number of terms."),
    Idea("mean_not_sum", "a mean instead of a sum (divided by N = {n})",
         "Your answer is exactly the expected one divided by {n}: the formula sums where you average "
         "(a shared parameter collects the gradient of every example)."),
    Idea("factor_half", "a factor 1/2 too much",
         "Your answer is exactly half the expected one: look for a factor one half that the formula of "
         "this course does not have (or a derivative that lost its factor two)."),
    Idea("factor_two", "a factor 2 too much",
         "Your answer is exactly twice the expected one: look for a factor two that cancels, or one "
         "counted twice."),
    Idea("log_base", "log base {base} instead of the natural log (nats)",
         "The course measures information in nats: use the natural logarithm, not base {base}."),
    Idea("reduced_everything", "one number for the whole array (a reduction over every axis)",
         "The answer has one value per sample: reduce along the axis the exercise names only, "
         "not over the whole array."),
    Idea("uphill", "theta moved the wrong way (the step's sign flipped)",
         "Your step has the right size but points the other way: an optimizer moves theta against the "
         "gradient, downhill."),
    Idea("argument_off_by_one", "{param} taken one {direction} (an off-by-one)",
         "Your answer is what {param} one {direction} gives: check where counting starts and whether "
         "the last step is included."),
    Idea("transpose", "the transpose of the answer",
         "You have the right numbers, transposed: check which factor is transposed in each product "
         "and that every result has the shape of the variable it belongs to."),
    Idea("shape", "the right values in the wrong shape ({got} instead of {expected})",
         "The values are right but the shape is not: return the shape the exercise asks for (a "
         "reduction that keeps a length-one axis, or an array flattened or reshaped, changes it)."),
    Idea("reversed", "the right values in reverse order",
         "The values are right but in reverse order: check which end of the array comes first."),
    Idea("off_by_one", "an answer one {direction} (an off-by-one)",
         "Your answer is off by exactly one: check where counting starts (0 or 1), whether a bound is "
         "included, and whether you return the last step inside or the first step after it."),
    Idea("swapped_outputs", "{a} and {b} returned in each other's place",
         "The values are right but {a} and {b} are swapped: return the outputs in the order the "
         "exercise lists them."),
    Idea("one_object_for_two", "{a} holding {b}'s values (one object for both)",
         "{a} comes back with exactly the values of {b}: the two are probably one object (two names "
         "given the same list or array, or one returned twice), so writing one wrote the other. Make "
         "each its own."),
    Idea("outputs_reordered", "the right outputs in another order (the exercise's order is {order})",
         "Every output you return is right but in the wrong place: return them in the order the "
         "exercise lists them ({order}), whatever order you computed them in."),
    Idea("root_left_out", "the square root left out (dividing by the second-moment estimate itself)",
         "The step divides by the SQUARE ROOT of the accumulated squares (plus epsilon), which has the "
         "scale of a gradient; dividing by the accumulated squares themselves does not."),
    Idea("in_place", "changing an input array in place",
         "Your function changed an array it was given: compute the new values into new arrays "
         "instead of adding into, or assigning into, the caller's arrays."),
    Idea("restore_exactly", "restoring x by arithmetic (plus eps, minus twice eps, plus eps)",
         "Nudge the entries of x itself, as the exercise asks, but save each entry's old value first "
         "and put that saved value back: adding and subtracting eps leaves round-off behind, so x is "
         "not exactly as it was."),
    Idea("nudged_copy", "nudging a copy of x instead of x itself",
         "f may read x through the caller's own arrays instead of its argument (a network reading "
         "its parameters), so only a change of x itself reaches it: nudge the entries of x in place "
         "and restore each one to its saved value."),
    Idea("zero_log_zero", "no special case for zero probabilities (0 times log 0 is NaN)",
         "Where a probability that weighs a term is zero, the term is zero by convention, even where its "
         "logarithm would be minus infinity: leave those terms out before taking any logarithm."),
    Idea("zero_q_dropped", "leaving out the terms where q_k is zero too (the model rules out what happens)",
         "Only the terms whose p_k is zero are zero by convention. Where the data's p_k is positive but "
         "the model's q_k is zero, the data shows an outcome the model calls impossible: that term, and "
         "the whole sum, is infinite."),
    Idea("parent_once", "counting a parent that a node lists twice only once",
         "A node may list the same parent twice (a times a): each position is an argument of its own, "
         "so that parent contributes once per position."),
    Idea("local_only", "the local slope alone, without multiplying by {upstream}",
         "The chain rule multiplies: each local derivative is scaled by the gradient that arrives from "
         "above ({upstream}); the local slope alone is not the answer."),
    Idea("mask_by_gradient", "masking the ReLU by the sign of the gradient instead of its input",
         "Whether the gradient passes a ReLU depends on the ReLU's forward input (the pre-activation), "
         "not on the sign of the gradient arriving from above."),
    Idea("mean_over_batch", "averaging {what} over the batch instead of summing",
         "A shared parameter collects the gradient of every example: {what} sums over the batch, it "
         "does not average (the loss's 1/N is already inside the gradient that arrives)."),
    Idea("batch_mean_missing", "forgetting to average over the batch",
         "The loss is a MEAN over the examples of the batch, so its gradient carries a factor one over "
         "the batch size: every row is divided by it."),
    Idea("raw_exponential", "an exponential of the raw logits (it overflows near 1000)",
         "Large logits overflow the exponential: subtract each row's largest logit first, which does "
         "not change the softmax."),
    Idea("onehot_missing", "leaving out the one-hot target",
         "The gradient of cross-entropy with respect to the logits is the softmax MINUS the one-hot "
         "vector of the true class: the target's term is part of it."),
    Idea("no_bias_correction", "no bias correction",
         "Both moments start at zero, so early on they are too small: divide each by its total weight, "
         "one minus beta to the power t, before the step."),
    Idea("t_not_incremented", "t not incremented",
         "Each call is one more step: t grows by one, the bias corrections use the new t, and the new t "
         "is returned."),
    Idea("half_squared_error", "a factor 1/2 in front of the squared error (this course has none)",
         "This course's mean squared error has no factor one half, so its derivative keeps the factor "
         "two."),
    Idea("summed_errors", "summed squared errors instead of their mean",
         "A mean squared error divides the sum of squares by the number of terms."),
    Idea("v_sign_convention", "the opposite sign convention for v (plus alpha g, then theta minus v)",
         "In the lecture's convention the velocity points the way theta moves: it takes minus alpha times "
         "the gradient, and theta moves by PLUS the velocity."),
    Idea("wrong_transpose", "transposing the wrong factor in {what}",
         "Check the shape of {what}: it must be the shape of the variable it is the gradient of, and "
         "the batch dimension is the one the product sums over."),
    Idea("strict_boundary", "a strict comparison (a value exactly at the bound counts as outside)",
         "The boundary counts as inside: a value exactly at the bound has arrived (less than OR EQUAL)."),
    Idea("range_one_off", "one entry {direction} (a range that stops one early or late)",
         "Your array has the right values but one entry {direction}: check where your range of indices "
         "starts and whether its end is included."),
    Idea("not_a_number", "{what} where the answer is a number ({cause})",
         "Find where your code divides zero by zero, multiplies zero by the logarithm of zero, divides "
         "by zero, or overflows the exponential: the exercise defines a finite number there."),
    Idea("argument_left_out", "{param} left out of the formula",
         "Your answer is what the formula gives without {param}: find where {param} belongs in it."),
    Idea("one_minus_swapped", "{param} and one minus {param} swapped",
         "In a moving average the OLD value keeps the weight {param} and the new term gets one minus "
         "{param}."),
    Idea("ignored_argument", "ignoring the given {param} (always {default})",
         "Use the {param} the caller passes: the check gives other values than the default."),
    Idea("arguments_swapped", "{a} and {b} swapped (each used where the other belongs)",
         "Your answer is what the formula gives with {a} and {b} exchanged: check, term by term, "
         "which of the two the formula puts there."),
    Idea("square_root", "a square root too many (a standard deviation or a norm where its square "
         "is asked)",
         "Your answer is exactly the square root of the expected one: the quantity asked for is "
         "the square itself (a variance, a mean of squares), not its root."),
    Idea("squared", "the square of the answer (a square too many, or a root left out)",
         "Your answer is exactly the square of the expected one: look for a square the formula does "
         "not have, or a square root it does."),
    Idea("absolute", "an absolute value that the formula does not take",
         "Your answer has the right size everywhere but is never negative: the formula keeps the "
         "sign, so leave out the absolute value."),
    Idea("reciprocal", "a ratio upside down (one over the answer)",
         "Your answer is exactly one over the expected one: check which quantity goes in the "
         "numerator and which in the denominator."),
    Idea("complement", "one minus the answer (the complement)",
         "Your answer is exactly one minus the expected one: check which of the two weights (or "
         "probabilities) the formula uses here."),
    Idea("constant_offset", "the same amount ({offset}) added to every value",
         "Every entry is off by the same constant: a term of the formula that does not depend on "
         "the entries (a constant, or a value added once) is missing or extra."),
    Idea("wrong_count", "dividing by {wrong} instead of {right}",
         "Your answer is what dividing by {wrong} gives: the formula divides by {right}. Check what "
         "is being counted (the examples, the classes, the degrees of freedom)."),
    Idea("first_only", "a slip at the first entry only (where a loop starts, or a first entry "
         "treated apart)",
         "Every entry is right except the first: check what your code does differently there (where "
         "a loop or a range starts, the step zero, the value before any update, a first column such as a "
         "bias)."),
    Idea("at_the_jumps", "a slip exactly where the answer jumps back up (where a new cycle or phase "
         "starts)",
         "Every value is right except where a new cycle or phase begins: check the boundary itself, "
         "the step where the old cycle ends and the new one starts (is it counted in the old one, or as "
         "the first step of the new one?)."),
    Idea("last_only", "a slip at the last entry only (where a loop or a range ends)",
         "Every entry is right except the last: check how your loop or formula ends (whether the "
         "last step is included, a bound reached exactly)."),
    Idea("shifted", "every value taken one step {direction} (a count that starts at the wrong place)",
         "Your values are right but each belongs one step {direction}: check whether your counter "
         "starts at 0 or 1, and whether you record a value before or after the update."),
    Idea("special_at_zero", "a slip only where {param} is exactly 0 (the case at zero)",
         "Your answer is right everywhere except where {param} is exactly zero: the exercise defines "
         "that case; check which branch (or which comparison, greater or greater-or-equal) you take "
         "there."),
    Idea("special_when_negative", "a slip only where {param} is negative",
         "Your answer is right everywhere except where {param} is negative: check how your formula "
         "treats a negative {param} (a sign, an absolute value, a clipping)."),
    Idea("not_reduced", "one value per example instead of their {how}",
         "The exercise asks for one number: combine the per-example values (their {how}), as the "
         "formula does, before you return."),
    Idea("lost_axis", "a mean or sum that lost its axis (shape {small} against {large})",
         "A reduction along one axis drops that axis, so the result no longer lines up with the "
         "array it came from: keep the axis (keepdims) or add it back before you combine the two."),
    Idea("singular_system", "solving a system whose matrix is singular (not the formula's matrix)",
         "The formula's matrix is invertible (that is what its penalty or its shape guarantees): check "
         "which product you form (X transposed times X, not X times X transposed) and that each term "
         "is added where the formula adds it, such as a penalty on the diagonal only."),
    Idea("selected_on_training", "choosing by the error on the training data",
         "The training error always prefers the most flexible model: judge each candidate on the "
         "validation set, the data it was not fitted to."),
    Idea("unweighted_average", "a plain average where the formula weighs each term by its probability",
         "Each conditional term counts in proportion to how often its condition happens: weigh it by "
         "that probability instead of giving every term the same weight."),
    Idea("norm_not_radius", "the matrix's norm instead of its spectral radius",
         "How fast the iterates shrink after many steps is set by the largest absolute value of the "
         "matrix's eigenvalues (its spectral radius); its norm is only an upper bound on it, and for a "
         "matrix that is not symmetric the two differ."),
    Idea("eigvalsh_nonsymmetric", "eigvalsh used on a matrix that is not symmetric",
         "numpy's eigvalsh assumes a symmetric matrix and reads only one triangle of it; the "
         "update matrix here is not symmetric, so it needs the general eigenvalue routine."),
    Idea("state_shaped_like_first", "every array's state shaped like the first array",
         "Each parameter array gets a state of its OWN shape: create its zeros from that array, not "
         "from the first one."),
]}


def idea(key: str, **fields) -> Idea:
    """The catalogue's idea `key`, with its {fields} filled in."""
    base = IDEAS[key]
    return Idea(key, base.name.format(**fields), base.nudge.format(**fields))


def slip(key: str, function: Callable, **fields) -> Mistake:
    """A registered mistake that makes the catalogued slip `key`: its name and nudge come from
    the catalogue, so the slip reads the same in every exercise."""
    found = idea(key, **fields)
    return Mistake(found.name, function, nudge=found.nudge, idea=key)


# ---------------------------------------------------------------------------------------------
# 2. Variants built from the reference: a building block swapped for its wrong twin
# ---------------------------------------------------------------------------------------------

def _divide_by_root_outside(alpha, r, eps, g):
    """The wrong twin of optimizers._divide_by_root:  alpha / (sqrt(r) + eps) * g."""
    root = np.sqrt(r) + eps
    with np.errstate(all="ignore"):
        return np.where(root > 0, alpha / np.where(root > 0, root, 1.0) * g, 0.0)


def _relu_derivative_at_zero_one(z, at_zero=0.0):
    """The wrong twin of nn.relu_derivative: slope 1 at z = 0 (a mask from z >= 0)."""
    return (np.asarray(z, dtype=np.float64) >= 0).astype(np.float64)


def _relu_value_as_slope(z, at_zero=0.0):
    """The wrong twin of nn.relu_derivative: the ReLU's output max(z, 0) in place of its slope."""
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def _sigmoid_backward_with_tanh_slope(dh, z):
    """The wrong twin of nn.sigmoid_backward:  dh * (1 - tanh(z)^2), tanh's slope."""
    return np.asarray(dh, dtype=np.float64) * (1.0 - np.tanh(np.asarray(z, dtype=np.float64)) ** 2)


def _divide_by_root_left_out(alpha, r, eps, g):
    """The wrong twin of optimizers._divide_by_root without its root:  alpha / (r + eps) * g."""
    with np.errstate(all="ignore"):
        return np.where(r + eps > 0, alpha * g / np.where(r + eps > 0, r + eps, 1.0), 0.0)


def _sce_backward_width_from_labels(logits, y):
    """The wrong twin of nn.softmax_cross_entropy_backward: (softmax(z) - onehot(y, max(y) + 1)) / N,
    which raises numpy's broadcasting ValueError when the batch lacks the highest class."""
    from .. import nn

    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(y).astype(np.int64)
    onehot = np.eye(int(y.max()) + 1)[y]
    return (nn.softmax(z) - onehot) / z.shape[0]


@dataclass(frozen=True)
class Twin:
    """A building block of course_lib (`module`.`attribute`) and its wrong twin; the reference run
    with the twin in its place is the idea's variant, for every exercise whose reference uses it."""

    idea: str
    module: str
    attribute: str
    twin: Callable


TWINS = (
    Twin("eps_outside_root", "course_lib.optimizers", "_divide_by_root", _divide_by_root_outside),
    Twin("root_left_out", "course_lib.optimizers", "_divide_by_root", _divide_by_root_left_out),
    Twin("relu_at_zero", "course_lib.nn", "relu_derivative", _relu_derivative_at_zero_one),
    Twin("relu_value_as_slope", "course_lib.nn", "relu_derivative", _relu_value_as_slope),
    Twin("tanh_slope_for_sigmoid", "course_lib.nn", "sigmoid_backward", _sigmoid_backward_with_tanh_slope),
    Twin("width_from_labels", "course_lib.nn", "softmax_cross_entropy_backward",
         _sce_backward_width_from_labels),
)


@contextlib.contextmanager
def _swapped(twin: Twin, used: list):
    import importlib

    module = importlib.import_module(twin.module)
    original = getattr(module, twin.attribute)

    def counting(*args, **kwargs):
        used.append(True)
        return twin.twin(*args, **kwargs)

    setattr(module, twin.attribute, counting)
    try:
        yield
    finally:
        setattr(module, twin.attribute, original)


class NotUsedHere(Exception):
    """A twin variant whose building block the reference does not use on these inputs (not an
    IndexError or KeyError of a mistake's own, which are errors a student can make too)."""


def twin_variant(reference: Callable, twin: Twin) -> Callable:
    """`reference` run with `twin`'s building block swapped for its wrong twin. Raises NotUsedHere
    when the reference does not use that block on these inputs (the idea does not apply there)."""
    def variant(*args, **kwargs):
        used: list = []
        with _swapped(twin, used):
            value = reference(*args, **kwargs)
        if not used:
            raise NotUsedHere(f"{twin.attribute} is not used here")
        return value
    variant.__name__ = f"{getattr(reference, '__name__', 'reference')}_with_{twin.idea}"
    return variant


def twin_mistakes(exercise) -> tuple[Mistake, ...]:
    """The catalogue's reference-built variants for `exercise` (each names its idea only on cases
    where the reference uses the swapped building block)."""
    import importlib

    cached = getattr(exercise, "_twins", None)
    if cached is None:
        cached = []
        for t in TWINS:
            block = getattr(importlib.import_module(t.module), t.attribute)
            function = t.twin if block is exercise.reference else twin_variant(exercise.reference, t)
            cached.append(Mistake(IDEAS[t.idea].name, function, nudge=IDEAS[t.idea].nudge, idea=t.idea))
        cached = tuple(cached)
        object.__setattr__(exercise, "_twins", cached)
    return cached


NEUTRAL = {"alpha": 1.0, "eps": 0.0, "beta": 0.0, "beta_1": 0.0, "beta_2": 0.0, "lam": 0.0}
"""Hyperparameters by the value that takes them out of a formula (alpha 1, eps 0, beta 0, lam 0)."""


def _rerun(exercise, signature, text: Idea, change: Callable) -> Mistake:
    """The mistake `text`: the reference run with its bound arguments changed by
    change(arguments) (a dict it edits in place), for every variant of default_variants."""
    def variant(*args, **kwargs):
        call = signature.bind(*args, **kwargs)
        change(call.arguments)
        return exercise.reference(*call.args, **call.kwargs)
    variant.__name__ = f"{getattr(exercise.reference, '__name__', 'reference')}_with_{text.key}"
    return Mistake(text.name, variant, nudge=text.nudge, idea=text.key)


def _setter(name: str, value) -> Callable:
    def change(arguments):
        arguments[name] = value
    return change


def _shifter(name: str, shift: int) -> Callable:
    def change(arguments):
        arguments[name] = arguments[name] + shift
    return change


def _exchanger(a: str, b: str) -> Callable:
    def change(arguments):
        arguments[a], arguments[b] = arguments[b], arguments[a]
    return change


def default_variants(exercise, case) -> tuple[Mistake, ...]:
    """The reference run with an integer argument one off (T - 1, t + 1); with a hyperparameter left
    out (NEUTRAL: alpha 1, eps 0, beta 0, lam 0) or a beta swapped with one minus beta; with a
    parameter's DEFAULT value where the case passes another one (the slip of a function that
    ignores the given eps or tiny and uses its usual value); and with two arguments of one kind
    exchanged (kl(q, p) for kl(p, q), alpha for beta: `_swappable`)."""
    try:
        signature = inspect.signature(exercise.reference)
        bound = signature.bind(*case.args, **case.kwargs)
    except (TypeError, ValueError):
        return ()
    found = []
    for name, given in bound.arguments.items():
        if isinstance(given, (int, np.integer)) and not isinstance(given, (bool, np.bool_)) and given > 1:
            for shift, direction in ((-1, "too small"), (1, "too large")):
                text = idea("argument_off_by_one", param=name, direction=direction)
                found.append(_rerun(exercise, signature, text, _shifter(name, shift)))
    for name, given in bound.arguments.items():
        neutral = NEUTRAL.get(name)
        if neutral is None or not isinstance(given, (int, float)) or isinstance(given, bool):
            continue
        changes = [(neutral, idea("argument_left_out", param=name))] if given != neutral else []
        if name.startswith("beta") and 0 < given < 1 and given != 0.5:
            changes.append((1 - given, idea("one_minus_swapped", param=name)))
        found += [_rerun(exercise, signature, text, _setter(name, value)) for value, text in changes]
    names = list(bound.arguments)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if _swappable(bound.arguments[a], bound.arguments[b]):
                found.append(_rerun(exercise, signature, idea("arguments_swapped", a=a, b=b),
                                    _exchanger(a, b)))
    for name, parameter in signature.parameters.items():
        if parameter.default is inspect.Parameter.empty or name not in bound.arguments:
            continue
        given = bound.arguments[name]
        if isinstance(given, (int, float, str)) and given != parameter.default:
            text = idea("ignored_argument", param=name, default=repr(parameter.default))
            found.append(_rerun(exercise, signature, text, _setter(name, parameter.default)))
    return tuple(found)


def _swappable(a, b) -> bool:
    """Two arguments a student could put in each other's place: arrays of one shape, or two
    non-integer numbers, with different values."""
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.shape == b.shape and a.dtype.kind == b.dtype.kind == "f" and not np.array_equal(a, b)
    numbers = (float, np.floating)
    return isinstance(a, numbers) and isinstance(b, numbers) and a != b


def lifted(mistakes, kind: str, step: Callable | None = None) -> tuple[Mistake, ...]:
    """The mistakes of a one-array optimizer step carried over to the step on a LIST of arrays,
    with the same name and nudge. `kind`: "adagrad" for f(thetas, rs, gs, alpha, eps) from
    step(theta, r, g, alpha, eps); "adam" for f(thetas, ss, rs, t, gs, ...) from
    step(theta, s, r, t, g, ...), t shared by every array. With the right one-array `step`, the
    catalogue's slip of the list version itself is added: every array's new state shaped like the
    FIRST array (`state_shaped_like_first`)."""
    def lift(step, like_first=False):
        def zeros(thetas):
            return [np.zeros(np.shape(thetas[0] if like_first else theta)) for theta in thetas]

        if kind == "adagrad":
            def over_arrays(thetas, rs, gs, alpha, eps):
                if rs is None:
                    rs = zeros(thetas)
                outs = [step(theta, r, g, alpha, eps) for theta, r, g in zip(thetas, rs, gs, strict=True)]
                return [o[0] for o in outs], [o[1] for o in outs]
        elif kind == "adam":
            def over_arrays(thetas, ss, rs, t, gs, *hyper):
                if ss is None or rs is None:
                    ss, rs = zeros(thetas), zeros(thetas)
                outs = [step(theta, s, r, t, g, *hyper)
                        for theta, s, r, g in zip(thetas, ss, rs, gs, strict=True)]
                new_t = outs[0][3] if outs else t + 1
                return [o[0] for o in outs], [o[1] for o in outs], [o[2] for o in outs], new_t
        else:
            raise ValueError(f"unknown kind {kind!r}")
        over_arrays.__name__ = f"{getattr(step, '__name__', 'step')}_over_arrays"
        return over_arrays

    found = [Mistake(m.name, lift(m.function), nudge=m.nudge, idea=m.idea) for m in mistakes]
    if step is not None:
        text = IDEAS["state_shaped_like_first"]
        found.append(Mistake(text.name, lift(step, like_first=True), nudge=text.nudge, idea=text.key))
    return tuple(found)


# ---------------------------------------------------------------------------------------------
# 3. Transforms of the expected answer, tried for every exercise
# ---------------------------------------------------------------------------------------------

def _sizes(case) -> list[int]:
    """The sizes an answer could be summed over or averaged by: every axis length and size (> 1)
    of every array among the inputs (also inside lists), and every integer argument."""
    sizes: set[int] = set()

    def visit(value):
        if isinstance(value, np.ndarray) and value.ndim:
            sizes.update(int(n) for n in value.shape)
            sizes.add(int(value.size))
        elif isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
            sizes.add(int(value))                   # a count given as a number (n_val, batch size)
        elif isinstance(value, (list, tuple)):
            for v in value:
                visit(v)
    for value in (*case.args, *case.kwargs.values()):
        visit(value)
    return sorted(n for n in sizes if n > 1)


def _close(a, b, rtol, atol) -> bool:
    try:
        return compare(a, b, rtol, atol) is None
    except Exception:  # noqa: BLE001 - odd values are simply not close
        return False


def _numeric(value) -> np.ndarray | None:
    if isinstance(value, (bool, np.bool_, str)) or value is None:
        return None
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return array if array.dtype.kind == "f" else None


def _is_integer(value) -> bool:
    """An integer-typed answer (a step number, a count): Python int or a numpy integer array."""
    if isinstance(value, (bool, np.bool_)):
        return False
    return isinstance(value, (int, np.integer)) or \
        (isinstance(value, np.ndarray) and value.dtype.kind in "iu")


def _one_output(case, expected, got, rtol, atol, inputs: dict | None = None,
                edge: bool = True) -> Idea | None:
    """The catalogue's transform that turns `expected` into `got` (one output), or None. `inputs`:
    the case's arguments by name (for "wrong only where x is 0"); `edge`: a fixed case, whose
    degenerate values (one number, a constant array) fit an entry-by-entry transform by chance."""
    e, g = _numeric(expected), _numeric(got)
    if e is None or g is None or not np.all(np.isfinite(e)):
        return None
    if not np.all(np.isfinite(g)):
        if g.shape != e.shape:
            return None
        if np.isnan(g).any():
            return idea("not_a_number", what="NaN", cause="a 0/0, a 0 times log 0, or inf minus inf")
        return idea("not_a_number", what="inf", cause="a division by zero, a log of 0, or an overflow")
    if e.shape != g.shape:
        if e.ndim == 1 and g.ndim == 1 and abs(e.size - g.size) == 1:
            short, long_ = (g, e) if g.size < e.size else (e, g)
            if short.size and (np.allclose(short, long_[:-1], rtol=rtol, atol=atol)
                               or np.allclose(short, long_[1:], rtol=rtol, atol=atol)) \
                    or (not short.size):
                return idea("range_one_off", direction="too few" if g.size < e.size else "too many")
        if e.size == g.size and e.size >= 1 and np.allclose(g.ravel(), e.ravel(), rtol=rtol, atol=atol):
            return idea("shape", got=f"shape {g.shape}", expected=f"shape {e.shape}")
        if e.ndim == 2 and g.shape == e.T.shape and np.allclose(g, e.T, rtol=rtol, atol=atol):
            return idea("transpose")
        if g.ndim == 0 and e.ndim >= 1 and e.size > 1:
            return idea("reduced_everything")
        if e.ndim == 0 and g.ndim >= 1 and g.size > 1:
            for how, reduce in (("mean", np.mean), ("sum", np.sum)):
                if np.allclose(reduce(g), e, rtol=rtol, atol=atol):
                    return idea("not_reduced", how=how)
        return None
    if _is_integer(expected):
        # a count or a step number: only an off-by-one is a pattern (-1 means "none": not a number)
        diff = np.unique(g - e)
        if diff.size == 1 and abs(diff[0]) == 1 and not np.any(e == -1) and not np.any(g == -1):
            return idea("off_by_one", direction="too large" if diff[0] > 0 else "too small")
        return None
    if not np.any(np.abs(e) > atol):
        return None
    if e.ndim == 2 and e.shape[0] == e.shape[1] and e.shape[0] > 1 and not np.allclose(e, e.T) \
            and np.allclose(g, e.T, rtol=rtol, atol=atol):
        return idea("transpose")
    if e.ndim == 1 and e.size > 1 and not np.allclose(e, e[::-1]) \
            and np.allclose(g, e[::-1], rtol=rtol, atol=atol):
        return idea("reversed")
    factors = [(-1.0, idea("sign")), (0.5, idea("factor_half")), (2.0, idea("factor_two")),
               (1 / math.log(2), idea("log_base", base=2)), (1 / math.log(10), idea("log_base", base=10))]
    for n in sorted(set(_sizes(case)) | {n - 1 for n in _sizes(case) if n > 2}):   # n - 1: a variance
        factors += [(float(n), idea("sum_not_mean", n=n)), (1.0 / n, idea("mean_not_sum", n=n))]
    for factor, found in factors:
        if np.allclose(g, factor * e, rtol=max(rtol, 1e-9), atol=atol):
            return found
    for right, wrong in _count_pairs(case):
        if np.allclose(g, e * right / wrong, rtol=max(rtol, 1e-9), atol=atol):
            return idea("wrong_count", wrong=wrong, right=right)
    return _elementwise(e, g, rtol, atol, edge) or _where(e, g, rtol, atol, inputs or {})


def _count_pairs(case) -> list[tuple[int, int]]:
    """(right, wrong): two counts a formula could divide by, among the sizes of the inputs and
    each size minus one (n - 1 for an unbiased variance)."""
    sizes = _sizes(case)
    counts = sorted(set(sizes) | {n - 1 for n in sizes if n > 2})
    return [(a, b) for a in counts for b in counts if a != b]


def _elementwise(e, g, rtol, atol, edge: bool = True) -> Idea | None:
    """`got` as a function of `expected` entry by entry: |e|, sqrt(e), e squared, 1/e, 1 - e,
    e plus a constant."""
    def close(value):
        return np.allclose(g, value, rtol=rtol, atol=atol)

    if edge and np.unique(np.round(e, 12)).size < 2 and _simple_fraction(float(e.flat[0])):
        return None    # one round number of an edge case (1/2, 3/4) fits too many transforms by chance
    trivial = np.all(np.isclose(e, 0) | np.isclose(np.abs(e), 1))     # 0 and 1 are their own squares
    if np.any(e < -atol) and close(np.abs(e)):
        return idea("absolute")
    if not trivial and np.all(e >= 0) and close(np.sqrt(e)):
        return idea("square_root")
    if not trivial and close(e ** 2):
        return idea("squared")
    if not trivial and np.all(np.abs(e) > atol) and close(1 / e):
        return idea("reciprocal")
    if not np.allclose(e, 0.5) and close(1 - e):
        return idea("complement")
    if np.unique(np.round(e, 12)).size >= 3:   # a constant array fits any offset: not a pattern
        offset = float((g - e).flat[0])
        if abs(offset) > atol and close(e + offset):
            return idea("constant_offset", offset=f"{offset:+.4g}")
    return None


def _simple_fraction(x: float) -> bool:
    """True for a number such as 0, 2, 1/2 or 3/4 (a fraction with a denominator up to 16): the
    values an edge case is built from, where sqrt(1/4) = 1/2 and 1 - 1/2 = 1/2 by construction."""
    return any(abs(x * d - round(x * d)) < 1e-9 * max(1.0, abs(x * d)) for d in range(1, 17))


def _where(e, g, rtol, atol, inputs: dict) -> Idea | None:
    """An answer right everywhere but at one telling place: the first or the last entry, every
    value one step early or late, or exactly where an input is 0 (or negative)."""
    if e.size < 3:
        return None
    wrong = ~np.isclose(g, e, rtol=rtol, atol=atol)
    flat = wrong.ravel()
    arrays = {name: v for name, v in inputs.items() if isinstance(v, np.ndarray) and v.dtype.kind in "fiu"}
    if arrays and all(v.shape == e.shape for v in arrays.values()):
        # an entry-by-entry exercise (every array input lines up with the answer): where an input
        # is 0 or negative is a place of its own; elsewhere a match of shapes is a coincidence
        for name, value in arrays.items():
            for key, where in (("special_at_zero", value == 0), ("special_when_negative", value < 0)):
                if where.any() and not where.all() and np.array_equal(wrong, where):
                    return idea(key, param=name)
    if e.ndim == 1:
        rises = np.concatenate([[False], e[1:] > e[:-1] + atol + rtol * np.abs(e[:-1])])
        if rises.any() and not rises.all() and rises.sum() < e.size // 2 and np.array_equal(wrong, rises):
            return idea("at_the_jumps")
    if flat.sum() == 1 and flat[0]:
        return idea("first_only")
    if flat.sum() == 1 and flat[-1]:
        return idea("last_only")
    if e.ndim == 1 and not np.allclose(e[1:], e[:-1], rtol=rtol, atol=atol):
        if np.allclose(g[1:], e[:-1], rtol=rtol, atol=atol):
            return idea("shifted", direction="late")
        if np.allclose(g[:-1], e[1:], rtol=rtol, atol=atol):
            return idea("shifted", direction="early")
    return None


def recognise_shape_of_error(exercise, case, expected, got) -> list[Idea]:
    """The catalogue's transforms of the expected answer that give `got`: one per wrong output
    (every wrong output must be explained), or [] when none fits."""
    rtol, atol = exercise.rtol, exercise.atol
    names = list(exercise.outputs)
    try:
        inputs = dict(inspect.signature(exercise.reference).bind(*case.args, **case.kwargs).arguments)
    except (TypeError, ValueError):
        inputs = {}
    edge = exercise.is_public(case)
    one_array = len(names) == 1 and isinstance(expected, list) and len(expected) > 1 \
        and _numeric(expected) is not None and _numeric(got) is not None
    if one_array:                   # one output given as a list of numbers (a value per node of a graph)
        one = _one_output(case, np.asarray(expected, dtype=np.float64), np.asarray(got, dtype=np.float64),
                          rtol, atol, inputs, edge)
        return [one] if one is not None else []
    if isinstance(expected, (tuple, list)) and isinstance(got, (tuple, list)) and len(got) == len(expected) \
            and len(expected) > 1:
        wrong = [k for k in range(len(expected)) if not _close(expected[k], got[k], rtol, atol)]
        if not wrong:
            return []
        labels = names if len(names) == len(expected) else [f"output {k}" for k in range(len(expected))]
        if len(wrong) == 2:
            a, b = wrong
            if _close(expected[a], got[b], rtol, atol) and _close(expected[b], got[a], rtol, atol):
                return [idea("swapped_outputs", a=labels[a], b=labels[b])]
        if len(wrong) > 2 and all(any(_close(expected[k], got[j], rtol, atol) for j in wrong) for k in wrong):
            return [idea("outputs_reordered", order=", ".join(labels))]
        if len(wrong) == 1:
            a = wrong[0]
            for b in range(len(expected)):
                if b != a and _close(expected[b], got[b], rtol, atol) and _close(got[a], got[b], rtol, atol):
                    return [idea("one_object_for_two", a=labels[a], b=labels[b])]
        state = _old_state(exercise, case, labels, got, wrong)
        if state is not None:
            return [state]
        if len(wrong) == 1:
            uphill = _uphill(exercise, case, labels, expected, got, wrong)
            if uphill is not None:
                return [uphill]
        found = []
        for k in wrong:
            one = _one_output(case, expected[k], got[k], rtol, atol, inputs, edge)
            if one is None:
                return []
            if one not in found:
                found.append(one)
        return found
    one = _one_output(case, expected, got, rtol, atol, inputs, edge)
    return [one] if one is not None else []


def _old_state(exercise, case, labels, got, wrong) -> Idea | None:
    """The state output (named like an input: r, v, s, t, rs...) returned as it came in."""
    try:
        bound = inspect.signature(exercise.reference).bind(*case.args, **case.kwargs)
    except (TypeError, ValueError):
        return None
    for k in wrong:
        name = labels[k]
        if name in bound.arguments and name != "theta" and name != "thetas":
            given = bound.arguments[name]
            if given is not None and _close(given, got[k], 0.0, 0.0):
                return idea("state_not_updated", state=name)
            if given is None and isinstance(got[k], (list, tuple)) and got[k] \
                    and all(_numeric(a) is not None and not np.any(_numeric(a)) for a in got[k]):
                return idea("state_not_updated", state=name)    # the first step's zeros returned
    return None


def _uphill(exercise, case, labels, expected, got, wrong) -> Idea | None:
    """theta (or thetas) moved by minus the expected step: theta_in - (theta_new - theta_in)."""
    try:
        bound = inspect.signature(exercise.reference).bind(*case.args, **case.kwargs)
    except (TypeError, ValueError):
        return None
    for k in wrong:
        name = labels[k]
        if name in ("theta", "thetas") and name in bound.arguments:
            given = bound.arguments[name]
            try:
                if isinstance(given, (list, tuple)):
                    mirrored = [2 * np.asarray(a, dtype=float) - np.asarray(e, dtype=float)
                                for a, e in zip(given, expected[k])]
                else:
                    mirrored = 2 * np.asarray(given, dtype=float) - np.asarray(expected[k], dtype=float)
            except (TypeError, ValueError):
                return None
            if _close(mirrored, got[k], exercise.rtol, exercise.atol):
                return idea("uphill")
    return None


def mutation_idea(exercise) -> Idea:
    """What changing an input in place is called for this exercise: numerical_gradient must nudge
    x itself, so there the slip is restoring it inexactly; elsewhere it is the in-place change."""
    return IDEAS["restore_exactly"] if "restore_exactly" in exercise.ideas else IDEAS["in_place"]


_BROADCAST = re.compile(r"operands could not be broadcast together with shapes "
                        r"\(([\d, ]*)\) \(([\d, ]*)\)")


def width_from_data(error: str, expected) -> bool:
    """True for numpy's broadcasting error between an array of the expected answer's shape and one
    that differs from it only in its last axis: a width (a number of classes) taken from the data."""
    found = _BROADCAST.search(error)
    shape = np.shape(expected) if isinstance(expected, np.ndarray) else None
    if not found or not shape or len(shape) < 2:
        return False
    shapes = [tuple(int(n) for n in part.replace(" ", "").split(",") if n) for part in found.groups()]
    return tuple(shape) in shapes and any(len(s) == len(shape) and s[:-1] == shape[:-1] and s != shape
                                           for s in shapes)


def lost_axis(error: str) -> Idea | None:
    """numpy's broadcasting error between an array and a reduction of it that dropped one axis
    (shapes (4, 6) and (4,)): a mean or sum without keepdims."""
    found = _BROADCAST.search(error)
    if not found:
        return None
    a, b = (tuple(int(n) for n in part.replace(" ", "").split(",") if n) for part in found.groups())
    small, large = sorted((a, b), key=len)
    if len(large) == len(small) + 1 and any(large[:k] + large[k + 1:] == small for k in range(len(large))):
        return idea("lost_axis", small=str(small), large=str(large))
    return None


def singular(exercise, case, error: str) -> Idea | None:
    """numpy's LinAlgError "Singular matrix" where the reference solves the same case: the student
    built another matrix than the formula's."""
    return idea("singular_system") if error.startswith("LinAlgError: Singular matrix") else None


def recognise_error(exercise, case, error: str) -> list[Mistake]:
    """The mistakes (registered, or built from the reference) that raise the error the student's
    function raised on `case` (same type and message), e.g. the broadcasting ValueError of a
    one-hot whose width comes from the labels."""
    found = []
    built = twin_mistakes(exercise) if exercise.check_seeds > 1 else ()    # slow ones: registered only
    for mistake in (*exercise.mistakes, *built):
        try:
            args, kwargs = arguments(case)
            with np.errstate(all="ignore"):
                mistake.function(*args, **kwargs)
        except NotUsedHere:
            continue
        except Exception as exc:  # noqa: BLE001 - the mistake's error is what we compare
            text = f"{type(exc).__name__}: {exc}".strip()
            if len(str(exc).strip()) > 10 and error.startswith(text):
                found.append(mistake)
    return found
