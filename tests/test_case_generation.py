"""Every exercise's cases, and their expected values, can be made at any seed: the grader draws a
new seed for every run (and course-progress for every call), so a generator that produces a bad
case at one seed in a few hundred fails a whole class's run once in a while (03's conditional
entropy once drew an all-zero table, whose normalisation gave NaN and stopped course-progress)."""

import time
import warnings

import pytest

from course_lib import exercises

EVERY = [ex for nb in exercises.notebooks() for ex in exercises.for_notebook(nb)]


@pytest.mark.parametrize("ex", EVERY, ids=lambda ex: ex.id)
def test_cases_and_expected_values_at_many_seeds(ex):
    """300 seeds for an exercise whose cases and expected values take under 20 ms a seed (the
    cheap ones, where a rare bad draw hides), 5 for the training runs; no error, no RuntimeWarning."""
    def make(seed):
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            for case in ex.cases(seed):
                ex.expected(case)

    started = time.perf_counter()
    make(1000)
    seeds = range(300) if time.perf_counter() - started < 0.02 else range(5)
    for seed in seeds:
        try:
            make(seed)
        except Exception as exc:  # noqa: BLE001 - name the seed
            pytest.fail(f"{ex.id}: seed {seed}: {exc!r}")


def test_conditional_entropy_never_draws_an_empty_table():
    """Seed 2384 drew a table whose every entry was zeroed: p / p.sum() was NaN, the reference
    refused it, and course-progress stopped ("p must have non-negative finite entries")."""
    ex = exercises.get("conditional_entropy")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for case in ex.cases(2384):
            ex.expected(case)
