"""Every figure a student sees has a title and labelled axes (the course's notebook standard).

Each notebook of solutions/ runs in a fresh kernel (nbclient, two kernels at a time) with a
first cell that wraps matplotlib's `FigureCanvasBase.print_figure`, the one call through which
every figure reaches the notebook (`plt.show()`, the inline backend's end-of-cell flush,
`display(fig)`, `fig.savefig`), and a last cell that inspects the figure of every explorer the
notebook built (explorers draw on their own Figure and send pixels, never through
print_figure). The rules are tests/figure_labels.py; an offender is reported as
"notebook, cell, axes: missing what".
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import nbclient
import nbformat
import pytest
from figure_labels import axes_problems
from matplotlib.figure import Figure

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "solutions").glob("*.ipynb"))
MARK = "__FIGURE_PROBLEMS__"

FIRST_CELL = f"""
import sys as _sys
_sys.path.insert(0, {str(ROOT / "tests")!r})
import matplotlib.backend_bases as _backend_bases
import figure_labels as _figure_labels

_FIGURES = {{"problems": [], "figures": 0, "explorers": 0}}
_CODE_CELL = {{"n": -1}}   # the notebook's code cells, counted from 0 (this cell is not counted)


def _count_code_cell(info):
    _CODE_CELL["n"] += 1


get_ipython().events.register("pre_run_cell", _count_code_cell)
_print_figure = _backend_bases.FigureCanvasBase.print_figure


def _checked_print_figure(self, *args, **kwargs):
    _FIGURES["figures"] += 1
    for what in _figure_labels.axes_problems(self.figure):
        _FIGURES["problems"].append([_CODE_CELL["n"], *what])
    return _print_figure(self, *args, **kwargs)


_backend_bases.FigureCanvasBase.print_figure = _checked_print_figure
"""

LAST_CELL = f"""
import gc as _gc
import json as _json
from course_lib.explorers.base import Explorer as _Explorer

for _explorer in [o for o in _gc.get_objects() if isinstance(o, _Explorer)]:
    _FIGURES["explorers"] += 1
    for _what in _figure_labels.axes_problems(_explorer.fig):
        _FIGURES["problems"].append(["explorer " + type(_explorer).__name__, *_what])
print({MARK!r}, _json.dumps(_FIGURES))
"""


async def _run(path: Path, gate: asyncio.Semaphore) -> dict:
    """Execute the notebook at `path` with the two cells around it; what they found."""
    nb = nbformat.read(path, as_version=4)
    code_cells = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    sources = [nb.cells[i].source for i in code_cells]
    nb.cells = [nbformat.v4.new_code_cell(FIRST_CELL), *nb.cells, nbformat.v4.new_code_cell(LAST_CELL)]
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    async with gate:
        await client.async_execute()
    text = "".join(out.get("text", "") for out in nb.cells[-1].outputs)
    found = json.loads(text.split(MARK, 1)[1])
    offenders = []
    for where, axes, what in found["problems"]:
        if isinstance(where, int):
            first_line = sources[where].strip().splitlines()[0] if sources[where].strip() else ""
            where = f"cell {code_cells[where]} ({first_line[:50]!r})"
        offenders.append(f"{path.name}, {where}, {axes}: missing {what}")
    return {"offenders": sorted(set(offenders)), "figures": found["figures"],
            "explorers": found["explorers"]}


async def _run_all(paths: list[Path]) -> dict:
    gate = asyncio.Semaphore(2)   # two kernels at a time on a two-core machine
    results = await asyncio.gather(*(_run(p, gate) for p in paths))
    return dict(zip(paths, results))


UNLABELLED = [
    "import matplotlib.pyplot as plt\n"
    "fig, ax = plt.subplots()\n"
    "ax.plot([0, 1], [1, 0])\n"
    "ax.set(title='a line', xlabel='x')   # no ylabel\n"
    "plt.show()",
    "from course_lib.explorers.base import Explorer\n"
    "class Unlabelled(Explorer):\n"
    "    def setup(self, fig):\n"
    "        ax = fig.add_subplot()\n"
    "        ax.set(title='explored', ylabel='y')   # no xlabel\n"
    "        self.line, = ax.plot([0, 1], [0, 1])\n"
    "        return [self.line]\n"
    "    def update(self):\n"
    "        pass\n"
    "explorer = Unlabelled({})",
]


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict:
    """All notebooks of solutions/ and one with a badly labelled figure and explorer, run once."""
    bad = tmp_path_factory.mktemp("figures") / "unlabelled.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in UNLABELLED]), bad)
    return asyncio.run(_run_all([*NOTEBOOKS, bad]))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_figure_has_a_title_and_labelled_axes(results, path):
    found = results[path]
    assert found["figures"] + found["explorers"] > 0, f"{path.name}: no figure was checked"
    assert not found["offenders"], "\n".join(found["offenders"])


@pytest.mark.slow
def test_the_check_catches_a_missing_label(results):
    """The same machinery reports a plt figure without a ylabel and an explorer without an xlabel."""
    (found,) = [r for p, r in results.items() if p.name == "unlabelled.ipynb"]
    assert found["offenders"] == ["unlabelled.ipynb, cell 0 ('import matplotlib.pyplot as plt'), "
                                  "'a line': missing ylabel",
                                  "unlabelled.ipynb, explorer Unlabelled, 'explored': missing xlabel"]


def test_rules():
    """Colorbars need a label; shared and figure-level labels count; scale-less and empty axes
    are exempt."""
    fig = Figure()
    left, right = fig.subplots(1, 2, sharey=True)
    left.plot([0, 1], [0, 1])
    right.plot([0, 1], [0, 1])
    left.set(title="left", xlabel="x", ylabel="y")
    right.set(title="right", xlabel="x")                     # its y axis is left's
    assert axes_problems(fig) == []
    image = right.imshow([[0, 1], [1, 0]])
    colorbar = fig.colorbar(image)
    assert axes_problems(fig) == [("colorbar of 'right'", "label")]
    colorbar.set_label("value")
    assert axes_problems(fig) == []

    fig = Figure()
    ax, off, empty = fig.subplots(1, 3)
    ax.imshow([[0, 1], [1, 0]])
    ax.set(xticks=[], yticks=[])                             # a picture, no scale: needs a title only
    off.plot([0, 1])
    off.set_axis_off()
    assert axes_problems(fig) == [("axes 0 (no title)", "title")]
    fig.suptitle("pictures")
    assert axes_problems(fig) == []
    ax.set(yticks=[0, 1])
    assert axes_problems(fig) == [("axes 0 (no title)", "ylabel")]
    fig.supylabel("row")
    assert axes_problems(fig) == []

    fig = Figure()
    bars, numbers = fig.subplots(1, 2)
    for ax in (bars, numbers):
        ax.bar([0, 1], [1, 2])
        ax.set(title="bars", ylabel="height")
    bars.set_xticks([0, 1], ["H(p)", "KL"])                  # categories name themselves
    numbers.set_xticks([0, 1], ["0.5", "1.5"])               # numbers still need a name
    assert axes_problems(fig) == [("'bars'", "xlabel")]
