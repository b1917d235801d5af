"""Make the student notebooks from the solution notebooks: solutions/ -> notebooks/.

In a solution notebook, the instructor's answer sits between two marker lines:

    def mse(o, y):
        ### BEGIN SOLUTION
        return np.mean((o - y) ** 2)
        ### END SOLUTION

The student version replaces each such region with nbgrader's convention, at the indentation of
the BEGIN line:

        # YOUR CODE HERE
        raise NotImplementedError()

Outputs and execution counts are stripped, cell ids are kept. A marker that is unclosed, nested
or stray stops the release with an error naming the notebook and the cell.

    python -m course_lib.release            # write notebooks/
    python -m course_lib.release --check    # only say which student notebooks are stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]

ROOT = Path(__file__).resolve().parent.parent


class ReleaseError(ValueError):
    """A malformed solution marker."""


def strip_solution(source: str, where: str) -> str:
    """Replace every BEGIN/END SOLUTION region of one cell's source by the stub."""
    out: list[str] = []
    inside_since: int | None = None
    for number, line in enumerate(source.split("\n"), start=1):
        marker = line.strip()
        if marker.startswith(BEGIN):
            if inside_since is not None:
                raise ReleaseError(f"{where}, line {number}: '{BEGIN}' inside the region "
                                   f"opened at line {inside_since} (regions cannot nest)")
            inside_since = number
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + stub for stub in STUB)
        elif marker.startswith(END):
            if inside_since is None:
                raise ReleaseError(f"{where}, line {number}: '{END}' without a '{BEGIN}' before it")
            inside_since = None
        elif inside_since is None:
            out.append(line)
    if inside_since is not None:
        raise ReleaseError(f"{where}, line {inside_since}: '{BEGIN}' is never closed by '{END}'")
    return "\n".join(out)


def clear_outputs(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove outputs, execution counts and saved widget state (in place); returns nb."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    return nb


def student_version(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """The student notebook made from a solution notebook (a new object)."""
    nb = clear_outputs(nbformat.from_dict(nb))
    for index, cell in enumerate(nb.cells):
        where = f"{name}, cell {index} (id {cell.get('id', '?')})"
        if cell.cell_type == "code":
            cell.source = strip_solution(cell.source, where)
        elif BEGIN in cell.source or END in cell.source:
            raise ReleaseError(f"{where}: solution markers belong in code cells, "
                               f"found one in a {cell.cell_type} cell")
    return nb


def release(solutions: Path, notebooks: Path, write: bool = True) -> list[str]:
    """Generate every student notebook; return the names that were (or would be) changed.

    With write=False nothing is written: the list names the stale student notebooks, and
    student notebooks that have no solution notebook any more.
    """
    changed: list[str] = []
    expected_names = set()
    for path in sorted(solutions.glob("*.ipynb")):
        expected_names.add(path.name)
        nb = nbformat.read(path, as_version=4)
        text = nbformat.writes(student_version(nb, path.name)) + "\n"
        target = notebooks / path.name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            changed.append(path.name)
            if write:
                notebooks.mkdir(parents=True, exist_ok=True)
                tmp = target.with_suffix(".ipynb.tmp")
                tmp.write_text(text, encoding="utf-8")
                tmp.replace(target)
    for path in sorted(notebooks.glob("*.ipynb")):
        if path.name not in expected_names:
            changed.append(f"{path.name} (has no solution notebook)")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Make notebooks/ from solutions/.")
    parser.add_argument("--solutions", type=Path, default=ROOT / "solutions")
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if notebooks/ is stale")
    args = parser.parse_args(argv)
    try:
        changed = release(args.solutions, args.notebooks, write=not args.check)
    except ReleaseError as exc:
        print(f"release failed: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if changed:
            print("notebooks/ is stale; run `make release`. Stale: " + ", ".join(changed))
            return 1
        print("notebooks/ is up to date")
        return 0
    print("released: " + (", ".join(changed) if changed else "nothing changed"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
