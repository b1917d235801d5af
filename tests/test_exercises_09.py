"""Exercises of 09_optimizer_race: the references pass, every listed mistake fails, values by hand."""

import re

import numpy as np
import pytest

from course_lib.checking import evaluate
from course_lib.exercises import nb09_optimizer_race as ex

MISTAKES = [(e.id, m) for e in ex.EXERCISES for m in e.mistakes]


def test_references_pass():
    for exercise in ex.EXERCISES:
        for seed in (0, 1, 2):
            assert evaluate(exercise.id, exercise.reference, seed=seed, watch_references=False).passed


@pytest.mark.parametrize("exercise_id, mistake", MISTAKES, ids=[f"{i}: {m.name}" for i, m in MISTAKES])
def test_every_listed_mistake_fails(exercise_id, mistake):
    for seed in (0, 1, 2):
        assert evaluate(exercise_id, mistake.function, seed=seed).status == "failed", seed


def test_hints_come_in_levels_without_code():
    for exercise in ex.EXERCISES:
        assert len(exercise.hints) >= 2 and exercise.outputs and len(exercise.mistakes) >= 3
        for hint in exercise.hints:
            assert not re.search(r"np\.|=|\w\(|\*\*", hint), hint


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
