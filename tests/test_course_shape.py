"""The course as a whole asks for thought, not transcription (issue 13), and keeps its answers hidden.

Measured on solutions/ and notebooks/ with the registry:
  * at least 36 graded exercises; at most 5 whose solution is a single line; median solution
    length at least 4 lines (non-blank, non-comment lines between the solution markers);
  * every notebook with exercises says, in a markdown cell, which course_lib calls are off limits;
  * no student notebook imports the reference of its own exercises (`implementation(id)` looks it
    up; a forbidden building block may be imported for a demo: calling it in an exercise scores 0);
  * every explorer's question and every "Try this" is followed by its answer in a <details> block;
  * at most 8 exercises are direct transcriptions of a formula the notebook shows right before
    them (issue 22; marked `transcription=True` in the registry): the warm-ups a course needs.
"""

from __future__ import annotations

import ast
import re
import statistics
from pathlib import Path

import nbformat
import pytest

from course_lib import exercises
from course_lib.grading.references import resolve

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def notebook(folder: str, name: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / folder / f"{name}.ipynb", as_version=4)


def solution_lines(ex) -> int:
    """Lines of code between the markers inside `def <function>(` in the solution notebook."""
    for cell in notebook("solutions", ex.notebook).cells:
        if cell.cell_type != "code" or BEGIN not in cell.source:
            continue
        if not re.search(rf"^def {re.escape(ex.function)}\(", cell.source, re.M):
            continue
        body = cell.source.split(BEGIN, 1)[1].split(END, 1)[0]
        return sum(1 for line in body.splitlines() if line.strip() and not line.strip().startswith("#"))
    raise AssertionError(f"no solution cell defines {ex.function}() in solutions/{ex.notebook}.ipynb")


def test_solution_line_counter_counts_code_only():
    """The counter itself: blank lines and comments do not count (so the targets below mean what
    they say)."""
    class Fake:
        notebook, function = "00_welcome", "mse"
    assert solution_lines(Fake) >= 1
    class Missing:
        notebook, function = "00_welcome", "no_such_function"
    with pytest.raises(AssertionError, match="no solution cell"):
        solution_lines(Missing)


def test_exercises_ask_for_thought():
    every = exercises.all_exercises()
    lengths = {ex.id: solution_lines(ex) for ex in every}
    one_liners = sorted(i for i, n in lengths.items() if n <= 1)
    assert len(every) >= 36, f"{len(every)} exercises; the course asks for at least 36"
    assert len(one_liners) <= 5, f"{len(one_liners)} single-line solutions (at most 5): {one_liners}"
    median = statistics.median(lengths.values())
    assert median >= 4, f"median solution length {median} lines (at least 4)"


MAX_TRANSCRIPTIONS = 8
PREDICT_PROMPT = "**Predict first.**"   # a prediction cell may sit between a question and its answer


def test_at_most_eight_transcriptions():
    """The registry marks the exercises whose answer is a formula shown in the notebook; the rest
    ask for a derivation, an analysis or something built. mse, the course's first exercise, is the
    warm-up every course keeps, so the mark is in use (an empty count would prove nothing)."""
    marked = sorted(ex.id for ex in exercises.all_exercises() if ex.transcription)
    assert exercises.get("mse").transcription, "the warm-up mse is a transcription: is the mark read?"
    assert len(marked) <= MAX_TRANSCRIPTIONS, (
        f"{len(marked)} transcriptions (at most {MAX_TRANSCRIPTIONS}): {marked}")


def test_the_parametrized_checks_below_have_something_to_check():
    """An empty registry or solutions/ folder would make every test below vanish, not fail."""
    assert len(exercises.notebooks()) >= 12, exercises.notebooks()
    assert len(list((ROOT / "solutions").glob("*.ipynb"))) >= 12


@pytest.mark.parametrize("name", exercises.notebooks())
def test_notebook_says_what_is_off_limits(name):
    text = "\n".join(c.source for c in notebook("notebooks", name).cells if c.cell_type == "markdown")
    assert re.search(r"off[- ]limits", text, re.I), (
        f"notebooks/{name}.ipynb never says which course_lib calls are off limits")


def imported_objects(source: str):
    """(name, object) for every `from course_lib... import name` in a cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("course_lib"):
            for alias in node.names:
                yield alias.name, resolve(node.module, [alias.name])


@pytest.mark.parametrize("name", exercises.notebooks())
def test_student_notebook_imports_no_answer(name):
    references = [ex.reference for ex in exercises.for_notebook(name)]
    for index, cell in enumerate(notebook("notebooks", name).cells):
        if cell.cell_type != "code":
            continue
        for imported, obj in imported_objects(cell.source):
            assert obj is None or not any(obj is f for f in references), (
                f"notebooks/{name}.ipynb cell {index} imports {imported}, an answer of its own exercises")


@pytest.mark.parametrize("path", sorted((ROOT / "solutions").glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_try_this_has_an_answer(path):
    cells = nbformat.read(path, as_version=4).cells
    for index, cell in enumerate(cells):
        if cell.cell_type != "markdown" or not re.search(r"try this", cell.source, re.I):
            continue
        if "<details" in cell.source.split(re.search(r"try this", cell.source, re.I).group(0), 1)[1]:
            continue
        following = next((c for c in cells[index + 1:] if c.cell_type == "markdown"
                          and not c.source.startswith(PREDICT_PROMPT)), None)
        assert following is not None and following.source.lstrip().startswith("<details"), (
            f"{path.name} cell {index}: a 'Try this' question without a <details> answer right after it")


@pytest.mark.parametrize("path", sorted((ROOT / "solutions").glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_explorer_question_has_an_answer(path):
    """Each explorer (a cell constructing `SomethingExplorer(`, which shows its question) is
    followed, before the next explorer, by a <details> answer."""
    cells = nbformat.read(path, as_version=4).cells
    shown = [i for i, c in enumerate(cells)
             if c.cell_type == "code" and re.search(r"\b[A-Z]\w*Explorer\(", c.source)]
    for start, end in zip(shown, shown[1:] + [len(cells)]):
        answers = [c for c in cells[start + 1:end]
                   if c.cell_type == "markdown" and c.source.lstrip().startswith("<details")]
        assert answers, f"{path.name} cell {start}: an explorer's question has no <details> answer after it"
