"""Predict before you look: the student writes down a number or a choice, the next cell computes
the truth and says how far off the prediction was (issue 22). Ungraded.

In a notebook:

    predict("nesterov_bound", None)        # the student replaces None by a guess, e.g. 1.2, and runs it
    ...                                    # the cell that computes the truth
    reveal("nesterov_bound", 0.678)        # prints the prediction, the truth and how far off it was

The prediction is kept in the notebook twice: in the cell's source (the number the student typed)
and in the cell's output once it ran, both saved with the notebook. With the placeholder None
(or ...) nothing is recorded and `reveal` says so: Run All never stops at a prediction cell.
Predictions live in this kernel only (a dict of this module); nothing is written to disk.
"""

from __future__ import annotations

import math
from numbers import Real

_PREDICTIONS: dict[str, object] = {}


def _is_placeholder(value) -> bool:
    return value is None or value is Ellipsis


def predict(key: str, value=None) -> None:
    """Record the prediction `value` (a number or a short text) under `key` (returns None, so the
    cell shows only the printed line).

    None or ... (the placeholder the notebook ships with) records nothing and says what to do."""
    if _is_placeholder(value):
        _PREDICTIONS.pop(key, None)
        print(f"[{key}] no prediction yet: replace None by your guess in this cell, run it, "
              "then run the next cells.")
        return
    _PREDICTIONS[key] = value
    print(f"[{key}] your prediction: {value!r} (kept in this cell; now run the next cells)")


def how_far(prediction, truth) -> str:
    """In words, how far `prediction` is from `truth`.

    Numbers: the difference, and the ratio truth / prediction when both are non-zero and of one
    sign ("off by a factor 2.5"); within 10 % counts as close. Texts: equal after trimming and
    ignoring case, or not."""
    if isinstance(truth, str) or isinstance(prediction, str):
        same = str(prediction).strip().lower() == str(truth).strip().lower()
        return "right" if same else f"not quite: the answer is {truth!r}"
    if not isinstance(prediction, Real) or isinstance(prediction, bool) or not math.isfinite(prediction):
        return f"a prediction must be a finite number here, got {prediction!r}"
    truth = float(truth)
    difference = float(prediction) - truth
    text = f"off by {difference:+.3g}"
    if prediction != 0 and truth != 0 and (prediction > 0) == (truth > 0):
        factor = max(truth / prediction, prediction / truth)
        if factor <= 1.1:
            return f"close: {text} ({abs(difference) / abs(truth):.0%} of the truth)"
        return f"{text}: the truth is {truth / prediction:.3g} times your prediction"
    return text


def reveal(key: str, truth, what: str = "the answer") -> None:
    """Print the truth beside the prediction recorded under `key` (returns None: the printed line
    is the cell's whole output)."""
    shown = f"{truth:.4g}" if isinstance(truth, Real) and not isinstance(truth, bool) else repr(truth)
    if key not in _PREDICTIONS:
        print(f"[{key}] {what}: {shown}. You made no prediction; next time, guess first: that is "
              "where the learning happens.")
        return
    prediction = _PREDICTIONS[key]
    print(f"[{key}] {what}: {shown};  your prediction: {prediction!r};  {how_far(prediction, truth)}")
