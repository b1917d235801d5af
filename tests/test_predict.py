"""course_lib.predict: a prediction is recorded, the truth is shown beside it, the placeholder never
raises (nbval runs every notebook with it), and at least 8 reveals in the course are preceded by
a prediction cell and followed by their <details> answer (issue 22)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from course_lib import predict as p

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fresh():
    p._PREDICTIONS.clear()
    yield
    p._PREDICTIONS.clear()


def test_the_placeholder_records_nothing_and_reveal_still_answers(capsys):
    p.predict("k", None)
    p.predict("k", ...)
    assert p._PREDICTIONS == {}
    p.reveal("k", 0.678)
    out = capsys.readouterr().out
    assert "no prediction yet" in out and "0.678" in out and "no prediction" in out.splitlines()[-1]


def test_a_prediction_is_shown_beside_the_truth(capsys):
    p.predict("bound", 1.2)
    assert p._PREDICTIONS == {"bound": 1.2}
    p.reveal("bound", 0.678, "largest stable alpha")
    line = capsys.readouterr().out.splitlines()[-1]
    assert "largest stable alpha: 0.678" in line and "1.2" in line and "off by +0.522" in line


@pytest.mark.parametrize("prediction, truth, words", [
    (0.7, 0.678, "close"),
    (1.2, 0.678, "0.565 times"),
    (-1.0, 2.0, "off by -3"),
    (0, 2.0, "off by -2"),
    ("Nesterov", "nesterov ", "right"),
    ("SGD", "Adam", "the answer is 'Adam'"),
    (float("nan"), 1.0, "finite number"),
    (True, 1.0, "finite number"),
])
def test_how_far(prediction, truth, words):
    assert words in p.how_far(prediction, truth)


def _prediction_sites(path):
    """(key, index of predict cell, index of reveal cell) for every predict("key", ...) cell."""
    cells = nbformat.read(path, as_version=4).cells
    sites = []
    for i, cell in enumerate(cells):
        found = re.search(r'\bpredict\("(\w+)"', cell.source) if cell.cell_type == "code" else None
        if found:
            key = found.group(1)
            reveal = next((j for j in range(i + 1, len(cells)) if cells[j].cell_type == "code"
                           and f'reveal("{key}"' in cells[j].source), None)
            sites.append((key, i, reveal, cells))
    return sites


def test_at_least_eight_predictions_before_their_reveals_in_the_student_notebooks():
    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    sites = [site for path in paths for site in _prediction_sites(path)]
    keys = [key for key, *_ in sites]
    assert len(set(keys)) == len(keys) and len(keys) >= 8, keys
    for key, i, j, cells in sites:
        assert j is not None, f"prediction {key!r} is never revealed"
        assert re.search(rf'predict\("{key}",\s*None\)', cells[i].source), (
            f"the student notebook must ship {key!r} with the placeholder None")
        answer = next((k for k in range(j + 1, len(cells)) if cells[k].cell_type == "markdown"
                       and cells[k].source.lstrip().startswith("<details")), None)
        assert answer is not None, f"no <details> answer after the reveal of {key!r}"
        between = [c for c in cells[i + 1:j] if c.cell_type == "markdown"
                   and c.source.lstrip().startswith("<details")]
        assert not between, f"the answer to {key!r} opens before its reveal"
