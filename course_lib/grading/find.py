"""Find a student's exercise functions in a notebook, by the names they define.

    program = read_program(path)              # InvalidNotebook if it is not a readable notebook
    program.stub("mse"), program.course_lib_use("mse"), program.cells_for(["mse"])

Cell positions, ids, tags and metadata do not matter. From every code cell, in order, only these
top-level statements count: imports, `def`s, classes and assignments of literal constants
(`N = 10`). Everything else (plots, widgets, prints, check() calls) is never run by the grader.
A cell that is not valid Python, even after its IPython magics (`%time`, `!ls`) are replaced,
is skipped and reported. If a name is defined several times, the last definition wins, as when
the notebook runs top to bottom.

The child process runs only what the exercise functions need: the statements that define the
names they use, and, transitively, the names those use. A notebook that imports widgets or
matplotlib for its explorers therefore grades without importing either.
"""

from __future__ import annotations

import ast
import builtins
import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

MAX_NOTEBOOK_BYTES = 200 << 20


class InvalidNotebook(ValueError):
    """The file is not a notebook the grader can read (empty, not JSON, wrong nbformat...)."""


@dataclass
class Statement:
    """A top-level statement the grader may run: which cell, which statement, what it binds."""

    cell: int                 # index in Program.sources
    index: int                # index in the cell's ast body
    node: ast.stmt
    names: list[str]
    course_lib: str = ""      # for imports from course_lib: the module


@dataclass
class Program:
    """The runnable top-level statements of a notebook, in notebook order."""

    filenames: list[str] = field(default_factory=list)    # one per parsed code cell
    sources: list[str] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)      # cells that are not valid Python

    def binding(self, name: str) -> Statement | None:
        """The last statement that binds `name` (what the name means after a top-to-bottom run)."""
        found = [s for s in self.statements if name in s.names]
        return found[-1] if found else None

    def function(self, name: str) -> ast.FunctionDef | None:
        """The last definition of `name` if it is a function."""
        statement = self.binding(name)
        if statement and isinstance(statement.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return statement.node
        return None

    def stub(self, name: str) -> bool:
        """True if the function still raises NotImplementedError before any return (the release stub)."""
        node = self.function(name)
        return node is not None and is_stub(node)

    def needed(self, names: list[str]) -> list[Statement]:
        """The statements that define `names` and, transitively, every name they use."""
        wanted, todo, keep = set(), list(names), []
        while todo:
            name = todo.pop()
            if name in wanted:
                continue
            wanted.add(name)
            for statement in self.statements:
                if name in statement.names or "*" in statement.names:
                    keep.append(statement)
                    todo.extend(used_names(statement.node))
        ids = {id(s) for s in keep}
        return [s for s in self.statements if id(s) in ids]

    def cells_for(self, names: list[str]) -> list[dict]:
        """What the sandbox executes: per cell, its source and the indices of statements to run."""
        keep: dict[int, list[int]] = {}
        for statement in self.needed(names):
            keep.setdefault(statement.cell, []).append(statement.index)
        return [{"filename": self.filenames[c], "source": self.sources[c], "keep": keep[c]}
                for c in sorted(keep)]

    def course_lib_use(self, name: str) -> str | None:
        """How the function `name` (or code it uses) reaches course_lib, or None.

        Looks for: the name imported from course_lib, a course_lib name used by the code, an
        import of course_lib inside the code, and the text "course_lib" in one of its strings.
        """
        needed = self.needed([name])
        code = [s for s in needed if not isinstance(s.node, (ast.Import, ast.ImportFrom))]
        used = set().union(*(used_names(s.node) for s in code)) | {name}
        unbound = used - {n for s in self.statements for n in s.names} - set(dir(builtins))
        for statement in needed:
            names = set(statement.names)
            if statement.course_lib and (names & used or "*" in names and unbound):
                shown = ", ".join(sorted(names & used) or names)
                return f"uses {shown} imported from {statement.course_lib}"
        for statement in code:
            for node in ast.walk(statement.node):
                if isinstance(node, ast.Import) and any(a.name.startswith("course_lib") for a in node.names):
                    return f"imports {node.names[0].name} (line {node.lineno})"
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("course_lib"):
                    return f"imports from {node.module} (line {node.lineno})"
                if isinstance(node, ast.Constant) and "course_lib" in str(node.value):
                    return f"refers to {node.value[:60]!r} (line {node.lineno})"
        return None


def read_program(path: Path) -> Program:
    """Read a notebook file and collect its runnable top-level statements."""
    return parse_notebook(read_notebook(path), Path(path).stem)


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """The notebook at `path`; InvalidNotebook says in one line why it cannot be read."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise InvalidNotebook("the file is empty")
    if size > MAX_NOTEBOOK_BYTES:
        raise InvalidNotebook(f"the file is too large ({size >> 20} MB)")
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidNotebook(f"not a notebook: the file is not valid JSON ({str(exc)[:80]})") from None
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        raise InvalidNotebook("not a notebook: the JSON has no cells")
    if data.get("nbformat") not in (3, 4):
        raise InvalidNotebook(f"unsupported notebook format nbformat={data.get('nbformat')!r} (expected 4)")
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)
    except Exception as exc:  # nbformat raises many kinds of errors for malformed files
        raise InvalidNotebook(f"not a readable notebook: {str(exc)[:100]}") from None
    if not isinstance(nb.get("cells"), list):
        raise InvalidNotebook("not a notebook: the cells are not a list")
    return nb


def parse_notebook(nb: nbformat.NotebookNode, name: str) -> Program:
    """The Program of a notebook: the runnable top-level statements of every code cell."""
    program = Program()
    for position, cell in enumerate(nb.cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        filename = f"<{name} cell {position}>"
        tree, source = parse_cell(source)
        if tree is None:
            program.skipped.append(f"cell {position} is not valid Python and was skipped")
            continue
        program.filenames.append(filename)
        program.sources.append(source)
        for index, node in enumerate(tree.body):
            names, module = bound_names(node)
            if names:
                program.statements.append(Statement(len(program.sources) - 1, index, node, names, module))
    return program


def parse_cell(source: str) -> tuple[ast.Module | None, str]:
    """The cell's syntax tree, after replacing IPython magics and shell lines by `pass` if needed."""
    for text in (source, without_magics(source)):
        try:
            return ast.parse(text), text
        except (SyntaxError, ValueError):
            continue
    return None, source


def without_magics(source: str) -> str:
    """Replace `%magic`, `!shell` and `name?` lines by `pass`; a `%%cell magic` empties the cell."""
    if source.lstrip().startswith("%%"):
        return ""
    lines = []
    for line in source.split("\n"):
        stripped = line.strip()
        if stripped.startswith(("%", "!")) or (stripped.endswith("?") and not stripped.startswith("#")):
            line = line[: len(line) - len(line.lstrip())] + "pass"
        lines.append(line)
    return "\n".join(lines)


def bound_names(node: ast.stmt) -> tuple[list[str], str]:
    """The names a runnable top-level statement binds (and, for a course_lib import, the module).

    Runnable: imports, defs, classes, assignments of literals. Anything else binds nothing here.
    """
    if isinstance(node, ast.Import):
        names = [a.asname or a.name.split(".")[0] for a in node.names]
        modules = [a.name for a in node.names if a.name.startswith("course_lib")]
        return names, modules[0] if modules else ""
    if isinstance(node, ast.ImportFrom):
        if node.module == "__future__":
            return [], ""
        module = node.module or ""
        return [a.asname or a.name for a in node.names], module if module.startswith("course_lib") else ""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name], ""
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and is_literal(node.value):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = []
        for target in targets:
            for leaf in ast.walk(target):
                if isinstance(leaf, ast.Name):
                    names.append(leaf.id)
                elif not isinstance(leaf, (ast.Tuple, ast.List, ast.Store)):
                    return [], ""               # x.attr = ..., x[0] = ...: not a plain constant
        return names, ""
    return [], ""


def is_literal(node: ast.expr) -> bool:
    """True for numbers, strings, tuples/lists/dicts/sets of them, and -1 or 1e-3."""
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False


def used_names(node: ast.AST) -> set[str]:
    """Every name read anywhere inside `node` (over-approximated: scopes are ignored)."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def is_stub(function: ast.FunctionDef) -> bool:
    """True if the body reaches `raise NotImplementedError` at its top level before any return."""
    for statement in function.body:
        if isinstance(statement, ast.Return):
            return False
        if isinstance(statement, ast.Raise) and statement.exc is not None:
            exc = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
            if isinstance(exc, ast.Name) and exc.id == "NotImplementedError":
                return True
    return False
