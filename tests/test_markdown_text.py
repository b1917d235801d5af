r"""Markdown cells hold text, never control characters.

A LaTeX command written in a Python string without an r prefix loses its backslash: "\boldsymbol"
becomes a backspace and "oldsymbol", "\theta" a tab and "heta" (issue 22: 04's $\|\theta\|$ rendered
broken in both folders). Only the newline is allowed; a tab is refused too, since it is what
"\t" turns into and Markdown never needs one.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "solutions").glob("*.ipynb")) + sorted((ROOT / "notebooks").glob("*.ipynb"))
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


def control_characters(source: str) -> list[str]:
    """Each control character of `source` (other than the newline) with the text around it."""
    return [f"{match.group(0)!r} in ...{source[max(0, match.start() - 20):match.end() + 20]!r}..."
            for match in CONTROL.finditer(source)]


def test_the_finder_finds_what_an_unescaped_latex_string_leaves():
    broken = "$\\|\boldsymbol\theta\\|$"   # \b and \t: the slip this test exists for
    assert len(control_characters(broken)) == 2
    assert control_characters(r"$\|\boldsymbol\theta\|$" + "\nnext line") == []


def test_there_are_notebooks_to_check():
    assert len(NOTEBOOKS) >= 24


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_markdown_has_no_control_characters(path):
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type == "markdown":
            found = control_characters(cell.source)
            assert not found, f"{path.parent.name}/{path.name} cell {index}: {found}"
