"""09_optimizer_race: values by hand.

(The contract every exercise shares, reference passes, hint levels, named outputs, mistakes that
fail, lives in tests/test_hints.py; here only what is particular to this notebook.)
"""


import numpy as np
import pytest

from course_lib import exercises
from course_lib.checking import evaluate
from course_lib.exercises import nb09_optimizer_race as ex


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


def test_the_comparison_run_depends_on_the_seed_not_on_the_optimizer():
    """Same seed, same theta_0 and minibatches: with alpha = 0 every optimizer returns the same
    loss (nothing moves); different seeds give different starts."""
    from course_lib.generalization import comparison_run

    losses = {name: comparison_run(name, 0.0, 3, "val") for name in ["SGD", "Momentum", "Adam"]}
    assert len(set(losses.values())) == 1
    assert comparison_run("SGD", 0.0, 4, "val") != losses["SGD"]


@pytest.mark.parametrize("index", range(5))
def test_each_unfair_protocol_fails_with_its_rule(index):
    mistake = exercises.get("fair_comparison").mistakes[index]
    outcome = evaluate("fair_comparison", mistake.function, watch_references=False)
    assert outcome.status == "failed" and mistake.name in outcome.message


def test_faked_or_unfair_rows_fail_with_the_rule_they_break():
    def faked(names, alphas, seeds):
        result = ex.fair_comparison(names, alphas, seeds)
        result["rows"][0][4] *= 0.5                     # a loss no run produced
        return result

    def best_seed_reported(names, alphas, seeds):
        result = ex.fair_comparison(names, alphas, seeds)
        for name in names:
            tests = [r[4] for r in result["rows"] if r[0] == name and r[3] == "test"]
            result["report"][name][1] = min(tests)
        return result

    def another_alpha_reported(names, alphas, seeds):
        result = ex.fair_comparison(names, alphas, seeds)
        chosen = result["report"][names[0]][0]
        result["report"][names[0]][0] = alphas[-1] if chosen != alphas[-1] else alphas[0]
        return result

    for wrong, words in [(faked, "does not match a run"), (best_seed_reported, "mean"),
                         (another_alpha_reported, "lowest mean validation loss")]:
        outcome = evaluate("fair_comparison", wrong, watch_references=False)
        assert outcome.status == "failed" and words in outcome.message, outcome.message


def test_a_fair_protocol_written_differently_passes():
    """Order of loops, ddof = 1 for the spread, tuples instead of lists: the rules are what count."""
    from course_lib.generalization import comparison_run

    def fair(names, alphas, seeds):
        rows, report = [], {}
        for name in names:
            val = {a: [comparison_run(name, a, s, "val") for s in seeds] for a in alphas}
            for seed_index, seed in enumerate(seeds):
                rows += [(name, a, seed, "val", val[a][seed_index]) for a in alphas]
            chosen = min(alphas, key=lambda a: np.mean(val[a]))
            test = [comparison_run(name, chosen, s, "test") for s in seeds]
            rows += [(name, chosen, s, "test", loss) for s, loss in zip(seeds, test)]
            report[name] = (chosen, float(np.mean(test)), float(np.std(test, ddof=1)))
        return {"rows": rows, "report": report}

    assert evaluate("fair_comparison", fair).passed
