"""The release pipeline: solutions/ -> notebooks/, and the guards on committed notebooks."""

from pathlib import Path

import nbformat
import pytest

from course_lib.release import ReleaseError, release, strip_solution, student_version

ROOT = Path(__file__).resolve().parent.parent


def test_solution_region_becomes_stub_at_its_indentation():
    source = "def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x + y\n    ### END SOLUTION\n"
    out = strip_solution(source, "nb, cell 0")
    assert out == "def f(x):\n    y = 1\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
    assert "return x + y" not in out


@pytest.mark.parametrize("source, words", [
    ("### BEGIN SOLUTION\nx = 1\n", "never closed"),
    ("x = 1\n### END SOLUTION\n", "without a"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "cannot nest"),
])
def test_malformed_markers_name_notebook_and_cell(source, words):
    with pytest.raises(ReleaseError) as err:
        strip_solution(source, "07_adam.ipynb, cell 4 (id abc)")
    assert "07_adam.ipynb, cell 4" in str(err.value) and words in str(err.value)


def _notebook(*sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def test_student_version_strips_outputs_and_keeps_ids():
    nb = _notebook("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION", "f()")
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "1"})]
    nb.cells[1].execution_count = 3
    out = student_version(nb, "x.ipynb")
    assert [c.id for c in out.cells] == [c.id for c in nb.cells]
    assert out.cells[1].outputs == [] and out.cells[1].execution_count is None
    assert "raise NotImplementedError()" in out.cells[0].source
    assert nb.cells[1].outputs, "the solution notebook object must not be modified"


def test_markers_in_markdown_are_rejected():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("### BEGIN SOLUTION")]
    with pytest.raises(ReleaseError, match="markdown"):
        student_version(nb, "x.ipynb")


def test_release_detects_a_stale_student_notebook(tmp_path):
    solutions, notebooks = tmp_path / "solutions", tmp_path / "notebooks"
    solutions.mkdir()
    nbformat.write(_notebook("x = 1"), solutions / "01_a.ipynb")
    assert release(solutions, notebooks) == ["01_a.ipynb"]
    assert release(solutions, notebooks, write=False) == []
    nbformat.write(_notebook("x = 2"), solutions / "01_a.ipynb")   # edited, not released
    assert release(solutions, notebooks, write=False) == ["01_a.ipynb"]
    (notebooks / "99_orphan.ipynb").write_text((notebooks / "01_a.ipynb").read_text())
    assert "99_orphan.ipynb (has no solution notebook)" in release(solutions, notebooks, write=False)


def test_committed_student_notebooks_are_up_to_date():
    stale = release(ROOT / "solutions", ROOT / "notebooks", write=False)
    assert not stale, f"notebooks/ is stale: run `make release` (stale: {', '.join(stale)})"


def _all_notebooks():
    return sorted((ROOT / "solutions").glob("*.ipynb")) + sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks_in_both_folders():
    names = {p.name for p in (ROOT / "solutions").glob("*.ipynb")}
    assert "00_welcome.ipynb" in names
    assert names == {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}


@pytest.mark.parametrize("path", _all_notebooks(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_notebooks_carry_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; store notebooks without outputs"
    assert "widgets" not in nb.metadata, f"{path.name} stores widget state"


@pytest.mark.parametrize("path", sorted((ROOT / "solutions").glob("*.ipynb")), ids=lambda p: p.name)
def test_solution_regions_are_well_formed(path):
    student_version(nbformat.read(path, as_version=4), path.name)   # raises on a bad marker
