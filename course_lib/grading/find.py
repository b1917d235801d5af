"""Find a student's exercise functions in a notebook, by the names they define.

    program = read_program(path)              # InvalidNotebook if it is not a readable notebook
    program.stub("mse"), program.course_lib_use("mse", forbidden), program.cells_for(["mse"])

Cell positions, ids, tags and metadata do not matter. From every code cell, in order, only these
top-level statements count: imports, `def`s, classes and assignments to plain names (`N = 10`,
`EPS = np.finfo(float).eps`, `f = lambda x: 2 * x`). Everything else (plots, widgets, prints,
check() calls, loops, `if` blocks) is never run by the grader.
A cell that is not valid Python, even after its IPython magics (`%time`, `!ls`) are replaced,
is skipped and reported. If a name is defined several times, the last definition wins, as when
the notebook runs top to bottom; for an exercise's function, the definition in effect at the
exercise's check cell wins (choose_graded_definition: the answer the student checked is graded).

The child process runs only what the exercise functions need: the statements that define the
global names they use (not their parameters or local variables), and, transitively, the names
those use. A notebook that imports widgets or matplotlib for its explorers, or that builds an
explorer in `explorer = Explorer(y)`, therefore grades without importing or building either.
"""

from __future__ import annotations

import ast
import bisect
import json
import os
import queue
import resource
import select
import signal
import subprocess
import symtable
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import exercises
from ..exercises.core import definition_kind
from . import copies
from .references import is_forbidden, resolve

MAX_NOTEBOOK_BYTES = 200 << 20
ANALYSIS_CPU_SECONDS = 60       # CPU time one notebook's analysis may take in the worker
ANALYSIS_SECONDS = 120          # wall-clock time the grader waits for it
ANALYSIS_WORKERS = 2            # at most this many analysis workers (~75 MB each; ~25 ms a notebook)


class InvalidNotebook(ValueError):
    """The file is not a notebook the grader can read (empty, not JSON, wrong nbformat...)."""


@dataclass
class Statement:
    """A top-level statement the grader may run: which cell, which statement, what it binds."""

    cell: int                 # index in Program.sources
    index: int                # index in the cell's ast body
    node: ast.stmt
    names: list[str]


@dataclass
class Program:
    """The runnable top-level statements of a notebook, in notebook order."""

    filenames: list[str] = field(default_factory=list)    # one per parsed code cell
    sources: list[str] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)      # cells that are not valid Python
    notes: list[str] = field(default_factory=list)        # what was ignored (malformed outputs...)
    _index: tuple | None = field(default=None, repr=False)   # see definitions()
    _uses: dict = field(default_factory=dict, repr=False)      # id(statement) -> used_names()
    _nodes: dict = field(default_factory=dict, repr=False)     # id(statement) -> nodes()

    def uses(self, statement: Statement) -> set[str]:
        """used_names(statement.node), computed once per statement."""
        key = id(statement)
        if key not in self._uses:
            nodes, scoped = self.nodes(statement)
            self._uses[key] = used_names(statement.node) if scoped else \
                {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        return self._uses[key]

    def nodes(self, statement: Statement) -> tuple[list[ast.AST], bool]:
        """The statement's imports, names and attributes (what the analysis looks at), and whether
        it opens an inner scope (a def, lambda, class or comprehension); one walk per statement."""
        key = id(statement)
        if key not in self._nodes:
            kept, scoped = [], False
            for node in walk(statement.node):
                if isinstance(node, LOOKED_AT):
                    kept.append(node)
                elif isinstance(node, NEW_SCOPES):
                    scoped = True
            self._nodes[key] = (kept, scoped or isinstance(statement.node, NEW_SCOPES))
        return self._nodes[key]

    def definitions(self, name: str) -> list[int]:
        """Positions in `statements` of the statements that bind `name`, ascending.

        Built once for all names (one pass over the statements), so that looking a name up costs
        a dictionary access and a binary search, not a pass over the notebook: a notebook of n
        statements is analysed in O(n log n), not O(n^2) (6,000 lines of `mse = mse`)."""
        return self._positions()[0].get(name, [])

    def position(self, statement: Statement) -> int:
        """The index of `statement` in `statements`."""
        return self._positions()[1][id(statement)]

    def _positions(self) -> tuple[dict[str, list[int]], dict[int, int]]:
        version = (id(self.statements), len(self.statements))    # statements may be filtered later
        if self._index is None or self._index[2] != version:
            by_name: dict[str, list[int]] = {}
            for k, statement in enumerate(self.statements):
                for name in dict.fromkeys(statement.names):
                    by_name.setdefault(name, []).append(k)
            self._index = (by_name, {id(s): k for k, s in enumerate(self.statements)}, version)
        return self._index[0], self._index[1]

    def binding(self, name: str, before: Statement | None = None) -> Statement | None:
        """The last statement that binds `name` (what the name means after a top-to-bottom run),
        or the last one before the statement `before`."""
        positions = self.definitions(name)
        limit = len(self.statements) if before is None else self.position(before)
        k = bisect.bisect_left(positions, limit)
        return self.statements[positions[k - 1]] if k else None

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
        """The statements that define `names` and, transitively, every name they use.

        For each name only its last definition counts (and every star import); an assignment that
        reads the name it binds (`f = wrap(f)`) also needs the definition before it.
        """
        stars = [self.statements[k] for k in self.definitions("*")]
        wanted, todo, keep = set(), [(name, None) for name in names], set()
        first = bool(todo)
        while todo:
            name, before = todo.pop()
            if (name, id(before)) in wanted:
                continue
            wanted.add((name, id(before)))
            candidates = [self.binding(name, before)] + (stars if first else [])
            first = False          # every star import is kept once, not looked at again per name
            for statement in candidates:
                if statement is not None and id(statement) not in keep:
                    keep.add(id(statement))
                    rebinds = isinstance(statement.node, (ast.Assign, ast.AnnAssign))
                    todo.extend((used, statement if rebinds and used in statement.names else None)
                                for used in self.uses(statement))
        return [s for s in self.statements if id(s) in keep]

    def cells_for(self, names: list[str]) -> list[dict]:
        """What the sandbox executes: per cell, its source and the indices of statements to run."""
        keep: dict[int, list[int]] = {}
        for statement in self.needed(names):
            keep.setdefault(statement.cell, []).append(statement.index)
        return [{"filename": self.filenames[c], "source": self.sources[c], "keep": keep[c]}
                for c in sorted(keep)]

    def course_lib_use(self, name: str, forbidden: Callable[[object], bool]) -> str | None:
        """How the function `name`, or code it uses, reaches forbidden course_lib code, or None.

        `forbidden(obj)` decides what is forbidden (references.py). Names imported from
        course_lib, at the top level or inside the code, and attribute chains on them
        (`nn.softmax`) are resolved to the objects they name.
        """
        needed = self.needed([name])
        code = [s for s in needed if not isinstance(s.node, (ast.Import, ast.ImportFrom))]
        aliases: dict[str, tuple[str, list[str]]] = {}
        for statement in needed:
            for node in self.nodes(statement)[0]:
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    aliases.update(import_aliases(node))
        for module, attributes in aliases.values():
            tampering = WATCH_TAMPERING.intersection([*module.split("."), *attributes])
            if tampering:
                return f"switches off the grader's watch for reference calls (imports {tampering.pop()})"
        if name in aliases and forbidden(resolve(*aliases[name])):
            return f"{name} is imported from {aliases[name][0]}"
        for statement in code:
            for node in self.nodes(statement)[0]:
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    for module, attributes in import_aliases(node).values():
                        if forbidden(resolve(module, attributes)):
                            return f"imports {'.'.join([module, *attributes])} (line {node.lineno})"
                tamper = node.attr if isinstance(node, ast.Attribute) else \
                    node.id if isinstance(node, ast.Name) else None
                if tamper in WATCH_TAMPERING:
                    return (f"switches off the grader's watch for reference calls "
                            f"({tamper}, line {node.lineno})")
                chain = attribute_chain(node)
                if chain and chain[0] in aliases:
                    module, attributes = aliases[chain[0]]
                    if forbidden(resolve(module, attributes + chain[1:])):
                        return f"uses {'.'.join(chain)} from {module} (line {node.lineno})"
        return None


# Names no exercise needs, with which code could switch off the run-time watch in child.py.
WATCH_TAMPERING = {"setprofile", "settrace", "setprofile_all_threads", "settrace_all_threads",
                   "monitoring", "_getframe", "gettrace", "getprofile"}


def read_program(path: Path) -> Program:
    """Read a notebook file and collect its runnable top-level statements."""
    return parse_notebook(read_notebook(path), Path(path).stem)


def read_notebook(path: Path, keep_outputs: bool = False):
    """The notebook at `path` (an nbformat.NotebookNode, version 4); InvalidNotebook says in one
    line why it cannot be read. (nbformat is imported here, not with the module: it takes seconds
    to import, and check() in a notebook imports the grading package.) The grader never reads
    outputs and metadata: they are dropped (without_outputs) unless `keep_outputs` (course-progress
    and make submit compare the ✅ a saved check cell shows with the saved function's grade)."""
    import nbformat

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
    except RecursionError:
        raise InvalidNotebook("not a notebook: its JSON is nested too deeply to read") from None
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        raise InvalidNotebook("not a notebook: the JSON has no cells")
    if data.get("nbformat") not in (3, 4):
        raise InvalidNotebook(f"unsupported notebook format nbformat={data.get('nbformat')!r} (expected 4)")
    notes = [] if keep_outputs else without_outputs(data)
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)
    except RecursionError:
        raise InvalidNotebook("not a notebook: its JSON is nested too deeply to read") from None
    except Exception as exc:  # nbformat raises many kinds of errors for malformed files
        raise InvalidNotebook(f"not a readable notebook: {str(exc)[:100]}") from None
    if not isinstance(nb.get("cells"), list):
        raise InvalidNotebook("not a notebook: the cells are not a list")
    nb["grader_notes"] = notes
    return nb


def without_outputs(data: dict) -> list[str]:
    """Drop what the grader never reads (outputs, execution counts, attachments, metadata) from the
    notebook's JSON `data`, in place, so that a malformed entry there cannot make the notebook
    unreadable; returns a note for each entry that was malformed (not a list of outputs, not a
    dict of metadata). Only the cells' type and source are graded."""
    notes = []
    if "metadata" in data and not isinstance(data["metadata"], dict):
        notes.append("the notebook's metadata")
    data["metadata"] = {}
    cells = data.get("cells") if "cells" in data else \
        [c for w in data.get("worksheets") or [] if isinstance(w, dict) for c in w.get("cells") or []]
    for position, cell in enumerate(cells if isinstance(cells, list) else [], start=1):
        if not isinstance(cell, dict):
            continue
        outputs = cell.get("outputs", [])
        if not isinstance(outputs, list) or not all(isinstance(o, dict) for o in outputs):
            notes.append(f"cell {position}'s outputs")
        if not all(isinstance(cell.get(key, {}), dict) for key in ("metadata", "attachments")):
            notes.append(f"cell {position}'s metadata")
        cell["metadata"] = {}
        cell.pop("attachments", None)
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    if notes:
        shown = ", ".join(notes[:3]) + (f" and {len(notes) - 3} more" if len(notes) > 3 else "")
        return [f"ignored malformed {shown} (the grader reads only the code)"]
    return []


def parse_notebook(nb, name: str) -> Program:
    """The Program of a notebook: the runnable top-level statements of every code cell. `nb` is a
    notebook (read_notebook's, whose "grader_notes" say what was ignored) or anything with `cells`
    (the kernel's check() passes the cells it ran)."""
    program = Program(notes=list(nb.get("grader_notes", [])) if isinstance(nb, dict) else [])
    for position, cell in enumerate(nb.cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        elif not isinstance(source, str):
            program.skipped.append(f"cell {position}'s source is not text and was skipped")
            continue
        filename = f"<{name} cell {position}>"
        try:
            tree, source = parse_cell(source)
        except MemoryError:        # the parser's stack (code nested too deep) or the worker's limit
            program.skipped.append(f"cell {position} is nested too deeply or too large to parse within "
                                   "the memory limit, and was skipped")
            continue
        if tree is None:
            program.skipped.append(f"cell {position} is not valid Python and was skipped")
            continue
        program.filenames.append(filename)
        program.sources.append(source)
        for index, node in enumerate(tree.body):
            names = bound_names(node)
            if names:
                program.statements.append(Statement(len(program.sources) - 1, index, node, names))
    return program


def parse_cell(source: str) -> tuple[ast.Module | None, str]:
    """The cell's syntax tree, after replacing IPython magics and shell lines by `pass` if needed.
    MemoryError (Python's parser raises it for code nested too deeply, and when a huge cell breaks
    the analysis worker's memory limit) is left to the caller."""
    for text in (source, without_magics(source)):
        try:
            return ast.parse(text), text
        except (SyntaxError, ValueError, RecursionError):   # RecursionError: nested too deep
            continue
    return None, source


PYTHON_CELL_MAGICS = ("time", "timeit", "capture", "prun")    # %%time etc. run the cell's Python


def without_magics(source: str) -> str:
    """Replace `%magic`, `!shell` and `name?` lines by `pass`; a `%%cell magic` empties the cell,
    except the PYTHON_CELL_MAGICS, which only lose their first line."""
    if source.lstrip().startswith("%%"):
        first, _, rest = source.lstrip().partition("\n")
        magic = first[2:].split()
        return without_magics(rest) if magic and magic[0] in PYTHON_CELL_MAGICS else ""
    lines = []
    for line in source.split("\n"):
        stripped = line.strip()
        if stripped.startswith(("%", "!")) or (stripped.endswith("?") and not stripped.startswith("#")):
            line = line[: len(line) - len(line.lstrip())] + "pass"
        lines.append(line)
    return "\n".join(lines)


def bound_names(node: ast.stmt) -> list[str]:
    """The names a runnable top-level statement binds (imports, defs, classes, `name = value`)."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            return []
        return list(import_aliases(node)) or ["*"]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if all(isinstance(target, ast.Name) for target in targets):       # the common case, fast
            return [target.id for target in targets]
        names = []
        for target in targets:
            for leaf in ast.walk(target):
                if isinstance(leaf, ast.Name):
                    names.append(leaf.id)
                elif not isinstance(leaf, (ast.Tuple, ast.List, ast.Starred, ast.Store)):
                    return []                   # x.attr = ..., x[0] = ...: not a definition
        return names
    return []


def import_aliases(node: ast.Import | ast.ImportFrom) -> dict[str, tuple[str, list[str]]]:
    """name -> (module, attributes) for each name an import binds; a star import binds none.

    `import a.b as m` -> {"m": ("a.b", [])}; `import a.b` -> {"a": ("a", [])};
    `from a.b import f as g` -> {"g": ("a.b", ["f"])}.
    """
    if isinstance(node, ast.Import):
        return {(a.asname or a.name.split(".")[0]): (a.name if a.asname else a.name.split(".")[0], [])
                for a in node.names}
    module = "." * node.level + (node.module or "")
    return {(a.asname or a.name): (module, [a.name]) for a in node.names if a.name != "*"}


def attribute_chain(node: ast.AST) -> list[str]:
    """["nn", "softmax"] for the expression `nn.softmax`, ["f"] for `f`, [] for anything else."""
    attributes = []
    while isinstance(node, ast.Attribute):
        attributes.append(node.attr)
        node = node.value
    return [node.id, *reversed(attributes)] if isinstance(node, ast.Name) else []


NEW_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp, ast.SetComp,
              ast.DictComp, ast.GeneratorExp)
LOOKED_AT = (ast.Import, ast.ImportFrom, ast.Attribute, ast.Name)


def walk(node: ast.AST) -> list[ast.AST]:
    """Every node under `node`, in ast.walk's order (breadth first), about 3x faster than ast.walk."""
    todo, nodes = deque([node]), []
    while todo:
        node = todo.popleft()
        nodes.append(node)
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                todo.append(value)
            elif isinstance(value, list):
                todo.extend(item for item in value if isinstance(item, ast.AST))
    return nodes


def used_names(node: ast.AST) -> set[str]:
    """The global names `node` reads: at the top level, and inside its functions, lambdas and
    classes the names that are not their own parameters or local variables."""
    nodes = walk(node)
    if not any(isinstance(n, NEW_SCOPES) for n in nodes):     # no inner scope: every name read is global
        return {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    try:
        return global_names(symtable.symtable(ast.unparse(node), "<statement>", "exec"))
    except (SyntaxError, ValueError, RecursionError):   # e.g. top-level await: every name read
        return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def global_names(table: symtable.SymbolTable) -> set[str]:
    """The names read in `table` and its nested scopes that are looked up among the globals."""
    top = table.get_type() == "module"
    names = {s.get_name() for s in table.get_symbols()
             if (s.is_referenced() and (top or s.is_global())) or (not top and s.is_declared_global())}
    for child in table.get_children():
        names |= global_names(child)
    return names


def is_stub(function: ast.FunctionDef) -> bool:
    """True if the body is the release stub: nothing but a docstring and a top-level
    `raise NotImplementedError` (core.definition_kind; code next to a leftover raise is not a stub:
    it is run, and the feedback says to delete the raise line)."""
    return definition_kind(function) == "stub"


# --- which definition is graded ---------------------------------------------------------------
#
# The answer the student checked is the answer graded: where the notebook has the exercise's check
# cell (`check("adam_step", ...)`), the definition in effect at that cell (the last one before it)
# is graded, as running the notebook top to bottom would and as the student saw it pass; without
# a check cell (or with none after a definition), the last definition.

def check_calls(program: Program, exercise_id: str) -> list[tuple[int, int]]:
    """(cell, statement index) of every top-level statement that calls `check("exercise_id", ...)`
    (or `checking.check(...)`), in notebook order; calls inside functions and classes do not count."""
    found = []
    for cell, source in enumerate(program.sources):
        if exercise_id not in source or "check" not in source:
            continue                            # cheap: most cells cannot hold such a call
        try:
            tree, _ = parse_cell(source)
        except MemoryError:
            tree = None
        for index, statement in enumerate(tree.body if tree is not None else []):
            if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                    and any(_is_check_of(node, exercise_id) for node in ast.walk(statement)):
                found.append((cell, index))
    return found


def _is_check_of(node: ast.AST, exercise_id: str) -> bool:
    if not isinstance(node, ast.Call) or not node.args:
        return False
    name = node.func.attr if isinstance(node.func, ast.Attribute) else \
        node.func.id if isinstance(node.func, ast.Name) else None
    first = node.args[0]
    return name == "check" and isinstance(first, ast.Constant) and first.value == exercise_id


def cell_number(program: Program, cell: int) -> int:
    """The notebook position (1 = first cell) of a parsed code cell, from its filename '<nb cell N>'."""
    return int(program.filenames[cell].rsplit(" ", 1)[-1].rstrip(">"))


def choose_graded_definition(program: Program, function: str, exercise_id: str) -> str:
    """Make the definition of `function` in effect at the exercise's last check cell the one graded
    (later definitions of the name are dropped from `program`); return a note for the feedback,
    "graded the definition in cell N; `f` is defined k times", or "" if it is defined once."""
    definitions = [s for s in program.statements if function in s.names]
    if not definitions:
        return ""
    chosen = definitions[-1]
    for position in reversed(check_calls(program, exercise_id)):
        before = [s for s in definitions if (s.cell, s.index) < position]
        if before:
            chosen = before[-1]
            break
    later = {id(s) for s in definitions[definitions.index(chosen) + 1:]}
    program.statements = [s for s in program.statements if id(s) not in later]
    if len(definitions) == 1:
        return ""
    return (f"graded the definition in cell {cell_number(program, chosen.cell)}; "
            f"`{function}` is defined {len(definitions)} times")


def definition_kind_of(program: Program, function: str) -> str | None:
    """core.definition_kind of the graded definition of `function` (None if not a def)."""
    node = program.function(function)
    return definition_kind(node) if node is not None else None


# --- the whole analysis of one notebook, as plain data ---------------------------------------------

def analyse(path: Path, notebook: str) -> dict:
    """Everything the grader needs to know about the notebook at `path` (the course's `notebook`),
    as plain data (what the analysis worker sends back, see Analyser):

        {"invalid": "why"}                                  the file is not a readable notebook
        {"exercises": {id: {"status": "run" | "missing" | "reference" | "stub",
                            "why": str, "kind": str | None, "note": str,
                            "fingerprint": str}},      (copies.fingerprint, for class.html)
         "cells": [...],          what the sandbox runs for the exercises to "run" (cells_for)
         "skipped": [...], "notes": [...]}                  cells skipped; what was ignored
    """
    try:
        program = read_program(path)
    except (InvalidNotebook, OSError, RecursionError, MemoryError) as exc:
        text = "too large to analyse within the memory limit (--memory)" if isinstance(exc, MemoryError) \
            else str(exc)
        return {"invalid": f"{notebook}.ipynb: {text}"}
    listed = exercises.for_notebook(notebook)
    notes = {ex.id: choose_graded_definition(program, ex.function, ex.id) for ex in listed}

    def forbidden(obj) -> bool:
        return is_forbidden(obj, listed)

    found, to_run = {}, []
    for ex in listed:
        entry = {"status": "run", "why": "", "kind": definition_kind_of(program, ex.function),
                 "note": notes[ex.id], "fingerprint": copies.fingerprint(program, ex)}
        use = program.course_lib_use(ex.function, forbidden)
        if program.binding(ex.function) is None:
            entry["status"] = "missing"
        elif use:
            entry.update(status="reference", why=use)
        elif program.stub(ex.function):
            entry["status"] = "stub"
        else:
            to_run.append(ex.function)
        found[ex.id] = entry
    return {"exercises": found, "cells": program.cells_for(to_run) if to_run else [],
            "skipped": program.skipped, "notes": program.notes}


# --- the analysis worker: the grader's own process never parses student text ------------------------

class Analyser:
    """A pool of worker processes that run analyse() for the grader (with Analyser(n, mb) as a:).

    Parsing a notebook is the heavy work on student text (Python's parser takes about 400 bytes of
    memory per byte of `a = 1` lines, and holds the interpreter lock while it runs): done in the
    grader's process, one huge notebook would take the grader's memory and stall the threads that
    time the classmates' notebooks. At most ANALYSIS_WORKERS workers (an analysis takes ~25 ms, a
    sandboxed run ten times more), started at once so that their imports overlap the grader's own
    set-up. Each worker is a separate Python process (`worker_main`), at a
    lower CPU priority, with an address-space limit of `memory_mb` above what it holds after its
    imports and a CPU limit of ANALYSIS_CPU_SECONDS per notebook; the grader waits at most
    ANALYSIS_SECONDS. A notebook whose analysis breaks a limit, or kills its worker, is that
    notebook's "invalid" row; the worker is replaced for the next one.
    """

    def __init__(self, workers: int, memory_mb: int):
        self.size, self.memory_mb = max(1, min(workers, ANALYSIS_WORKERS)), memory_mb
        self.idle: queue.Queue = queue.Queue()
        self.started = self.size
        self.lock = threading.Lock()
        self.all: list[subprocess.Popen] = []
        for _ in range(self.size):             # started now: their imports overlap the grader's set-up
            try:
                self.idle.put(self._start())
            except OSError:
                self.idle.put(None)             # a free slot: the first notebook tries again

    def __enter__(self) -> Analyser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        with self.lock:
            procs, self.all = self.all, []
        for proc in procs:
            _stop(proc)

    def _start(self) -> subprocess.Popen:
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        code = (f"import sys; sys.path.insert(0, {root!r}); "
                f"from course_lib.grading.find import worker_main; worker_main({self.memory_mb << 20})")
        env = {"PATH": os.environ.get("PATH", os.defpath), "LANG": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1",
               "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
        proc = subprocess.Popen([sys.executable, "-I", "-c", code], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                                start_new_session=True)
        with self.lock:
            self.all.append(proc)
        return proc

    def _take(self) -> subprocess.Popen:
        """An idle worker; a new one while fewer than `size` exist (None in `idle` is a free slot)."""
        with self.lock:
            start = self.started < self.size
            self.started += start
        if not start and (proc := self.idle.get()) is not None:
            return proc
        try:
            return self._start()
        except BaseException:
            self.idle.put(None)                       # the slot stays free for the next notebook
            raise

    def analyse(self, path: Path, notebook: str) -> dict:
        """find.analyse(path, notebook), computed in a worker; {"invalid": why} when it failed."""
        proc = self._take()
        try:
            request = json.dumps({"path": os.fsdecode(path), "notebook": notebook}) + "\n"
            proc.stdin.write(request.encode())
            proc.stdin.flush()
            answer = _read_line(proc.stdout.fileno(), time.monotonic() + ANALYSIS_SECONDS)
            result = json.loads(answer) if answer is not None else None
        except (OSError, ValueError):
            result = None
        if isinstance(result, dict):
            self.idle.put(proc)
            return result
        code = proc.poll()
        _stop(proc)
        with self.lock:
            if proc in self.all:
                self.all.remove(proc)
        self.idle.put(None)                           # the next notebook starts a fresh worker
        memory = (-signal.SIGSEGV, -signal.SIGABRT, -signal.SIGKILL)
        why = "took longer than the grader waits" if code is None else \
            "broke the analysis's CPU limit" if code == -signal.SIGXCPU else \
            "broke the analysis's memory limit" if code in memory else \
            f"stopped the analysis (exit status {code})"
        return {"invalid": f"{notebook}.ipynb could not be analysed: the notebook {why}"}


def _read_line(fd: int, deadline: float) -> bytes | None:
    """One line from `fd`, or None at end of file or after `deadline`."""
    data = bytearray()
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return None
        data += chunk
        if data.endswith(b"\n"):
            return bytes(data)


def _stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for stream in (proc.stdin, proc.stdout):
        try:
            stream.close()
        except OSError:
            pass
    proc.wait()


def worker_main(memory_bytes: int) -> None:
    """The worker's loop: one JSON request per line on stdin ({"path", "notebook"}), one JSON line
    of analyse()'s result on stdout. Its limits: nice 10, an address space of `memory_bytes` more
    than it holds now, ANALYSIS_CPU_SECONDS of CPU per request (SIGXCPU ends it)."""
    import nbformat  # noqa: F401 - imported before the memory limit is set (read_notebook uses it)
    import psutil

    os.nice(10)
    held = psutil.Process().memory_info().vms
    resource.setrlimit(resource.RLIMIT_AS, (held + memory_bytes, held + memory_bytes))
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        used = resource.getrusage(resource.RUSAGE_SELF)
        soft = int(used.ru_utime + used.ru_stime) + ANALYSIS_CPU_SECONDS
        hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
        soft = soft if hard == resource.RLIM_INFINITY else min(soft, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
        notebook = "the notebook"
        try:
            request = json.loads(line)
            notebook = f"{request['notebook']}.ipynb"
            text = json.dumps(analyse(Path(request["path"]), request["notebook"]))
        except MemoryError:
            text = json.dumps({"invalid": f"{notebook}: too large to analyse within the memory limit "
                                          "(--memory)"})
        except Exception as exc:  # noqa: BLE001 - the grader shows it as the notebook's row
            text = json.dumps({"invalid": f"the analysis failed: {type(exc).__name__}: {str(exc)[:200]}"})
        out.write(text.encode() + b"\n")
        out.flush()
