"""Exercises of 09_optimizer_race: the references pass, classic mistakes fail."""

import numpy as np
import pytest

from course_lib.checking import evaluate
from course_lib.exercises import nb09_optimizer_race as ex


def test_references_pass():
    for exercise in ex.EXERCISES:
        assert evaluate(exercise.id, exercise.reference, watch_references=False).passed


def test_steps_to_converge_by_hand():
    assert ex.steps_to_converge(np.array([4.0, 0.01, 2.0, 1.5, 0.05, 0.02]), 0.0, 0.1) == 4
    assert ex.steps_to_converge(np.array([1.0, 0.5, 0.25]), 0.0, 0.25) == 2
    assert ex.steps_to_converge(np.array([1.0, 0.5, 0.3]), 0.0, 0.25) == -1
    assert ex.steps_to_converge(np.array([0.0]), 0.0, 0.0) == 0


def test_escape_step_by_hand():
    path = np.array([[-1.5, 0.0], [-0.8, 0.0], [-0.3, 0.01], [0.0, 0.3], [0.0, 0.9], [0.0, 2.0]])
    assert ex.escape_step(path, np.zeros(2), 0.5) == 4
    assert ex.escape_step(path, np.zeros(2), 0.1) == -1   # never within 0.1
    assert ex.escape_step(path, np.zeros(2), 5.0) == -1   # never leaves
    assert ex.escape_step(path, np.array([0.0, 0.9]), 0.2) == 5  # enters at 4 (d = 0), leaves at 5


def _first_dip(losses, loss_min, tol):  # the first step below tol, even if it bounces out
    hits = np.flatnonzero(np.asarray(losses) - loss_min <= tol)
    return int(hits[0]) if len(hits) else -1


def _strict(losses, loss_min, tol):  # < instead of <=
    within = np.asarray(losses) - loss_min < tol
    if not within[-1]:
        return -1
    outside = np.flatnonzero(~within)
    return 0 if len(outside) == 0 else int(outside[-1]) + 1


def _ignores_min(losses, loss_min, tol):
    return ex.steps_to_converge(losses, 0.0, tol)


def _last_outside(losses, loss_min, tol):  # off by one: the last step outside, not the one after
    within = np.asarray(losses) - loss_min <= tol
    if not within[-1]:
        return -1
    outside = np.flatnonzero(~within)
    return 0 if len(outside) == 0 else int(outside[-1])


def _abs_difference(losses, loss_min, tol):
    return ex.steps_to_converge(np.abs(np.asarray(losses)), abs(loss_min), tol)


def _length_when_never(losses, loss_min, tol):
    k = ex.steps_to_converge(losses, loss_min, tol)
    return len(losses) if k == -1 else k


@pytest.mark.parametrize("wrong", [_first_dip, _strict, _ignores_min, _last_outside, _abs_difference,
                                   _length_when_never])
def test_wrong_steps_to_converge_fails(wrong):
    assert evaluate("steps_to_converge", wrong).status == "failed"


def _first_outside(path, center, radius):  # forgets that the path must come close first
    d = np.linalg.norm(np.asarray(path) - center, axis=1)
    hits = np.flatnonzero(d > radius)
    return int(hits[0]) if len(hits) else -1


def _squared(path, center, radius):
    d2 = np.sum((np.asarray(path) - center) ** 2, axis=1)
    inside = d2 <= radius
    if not inside.any():
        return -1
    j = int(np.argmax(inside))
    after = np.flatnonzero(~inside[j:])
    return -1 if len(after) == 0 else j + int(after[0])


def _max_norm(path, center, radius):
    d = np.max(np.abs(np.asarray(path) - center), axis=1)
    inside = d <= radius
    if not inside.any():
        return -1
    j = int(np.argmax(inside))
    after = np.flatnonzero(~inside[j:])
    return -1 if len(after) == 0 else j + int(after[0])


def _strict_inside(path, center, radius):  # d < radius: the boundary counts as outside
    d = np.linalg.norm(np.asarray(path) - center, axis=1)
    inside = d < radius
    if not inside.any():
        return -1
    j = int(np.argmax(inside))
    after = np.flatnonzero(~inside[j:])
    return -1 if len(after) == 0 else j + int(after[0])


def _ignores_center(path, center, radius):
    return ex.escape_step(path, np.zeros(2), radius)


def _last_escape(path, center, radius):
    d = np.linalg.norm(np.asarray(path) - center, axis=1)
    inside = d <= radius
    if not inside.any():
        return -1
    j = int(np.argmax(inside))
    after = np.flatnonzero(~inside[j:])
    return -1 if len(after) == 0 else j + int(after[-1])


@pytest.mark.parametrize("wrong", [_first_outside, _squared, _max_norm, _strict_inside, _ignores_center,
                                   _last_escape])
def test_wrong_escape_step_fails(wrong):
    assert evaluate("escape_step", wrong).status == "failed"
