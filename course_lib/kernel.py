"""What the Jupyter kernel knows about its notebook, for check() to judge as the grader will.

    grader_problems(function, exercise)  # the globals the grader would not give the function
    stale_note(function)                 # "its cell was edited after it last ran", or None

Two views of the notebook, both compared with the grader's (course_lib.grading.find):

* **the cells as run**: IPython's input history (`In`, raw), in the order they ran. The grader
  runs only a notebook's top-level imports, defs, classes and `name = ...` assignments that the
  graded function needs; a function that reads a global set by anything else (a `for` loop, an
  `if` block, `x += 1`, an explorer, another kernel's `%store`) works in the kernel and fails in
  the grader. grader_problems builds the grader's program from the cells as run and names every
  such global, and every global the grader would compute from the course's reference code.
* **the notebook as saved**: the file Jupyter's server names in the kernel's environment
  (JPY_SESSION_NAME). A function whose saved definition differs from the one in the kernel,
  never ran in this kernel, and was saved after the kernel's version ran (watch_runs notes when
  each cell finishes) was edited after its cell ran: stale_note says so.

Outside IPython (tests call check() directly), or for a function not defined in the notebook's
namespace, there is nothing to compare: both return nothing.
"""

from __future__ import annotations

import ast
import builtins
import dis
import json
import linecache
import os
import sys
import time
import types
from pathlib import Path

STALE_RECHECK_SECONDS = 1.0          # stale_note looks at the saved file at most this often per function


def shell():
    """The running IPython shell, or None (IPython is never imported here: only looked up)."""
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None) if ipython is not None else None
    return get() if get is not None else None


def in_notebook(function) -> dict | None:
    """The notebook's namespace if `function` was defined in it (its globals), else None."""
    ip = shell()
    namespace = getattr(ip, "user_ns", None)
    if namespace is None or getattr(function, "__globals__", None) is not namespace:
        return None
    return namespace


def cells_run() -> list[str]:
    """The source of every cell run in this kernel, in order (raw, magics included)."""
    ip = shell()
    history = getattr(getattr(ip, "history_manager", None), "input_hist_raw", None) or [""]
    return [str(source) for source in history[1:]]


def program_of(sources: list[str], name: str = "In"):
    """find.Program of these cell sources, cell k named '<In cell k>' (k from 1: the `In [k]` of
    the run; for a saved notebook, its position)."""
    from .grading import find

    notebook = types.SimpleNamespace(cells=[{"cell_type": "code", "source": source} for source in sources])
    return find.parse_notebook(notebook, name)


def global_names(code: types.CodeType) -> set[str]:
    """The global names a function's code, and the code nested in it, reads."""
    names = {ins.argval for ins in dis.get_instructions(code) if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= global_names(const)
    return names


# ---------------------------------------------------------------------------------------------
# one verdict for notebook globals


def grader_problems(function, exercise, sources: list[str] | None = None,
                    namespace: dict | None = None) -> tuple[str, list[str]]:
    """(status, sentences): what the grader would fail in `function` because of the notebook's
    globals, judged on the cells as run (`sources`, default IPython's history) and the kernel's
    namespace, with the grader's own analysis (find.Program: needed, binding, course_lib_use).

    "error" (the grader finds no function, or it raises NameError there): the exercise's function
    made inside an if/for/with/try block; a global it needs (directly, or through the statements
    the grader keeps for it) that no kept statement sets, or that a kept assignment reads before
    the grader's (last) definition of it. "failed": a global the grader computes with the course's
    reference code (scored 0), or one a statement the grader does not run changed after its kept
    assignment (`x += 1`, `weights.append(w)` in a loop, `x[0] = ...`). ("", []) when there is
    nothing to say, or outside a notebook."""
    namespace = in_notebook(function) if namespace is None else namespace
    code = getattr(function, "__code__", None)
    if namespace is None or code is None:
        return "", []
    from .grading.find import cell_number

    program = program_of(cells_run() if sources is None else sources)
    hidden = _hidden_definition(program, function, exercise.function, namespace)
    if hidden:
        return "error", [hidden]
    reads = sorted(name for name in global_names(code) if name in namespace)
    if not reads:
        return "", []
    from .exercises import for_notebook
    from .grading.references import is_forbidden

    here = for_notebook(exercise.notebook)
    for name in reads:
        use = program.course_lib_use(name, lambda obj: is_forbidden(obj, here))
        if use:
            return "failed", [f"it uses the global `{name}`, which the grader computes with the course's "
                              f"reference code ({use}): that scores 0; compute it yourself"]
    stars = _star_modules(program)
    used = dict.fromkeys(reads, None)
    problems, status = [], "failed"
    for statement in program.needed(reads):
        for name in sorted(program.uses(statement)):
            used.setdefault(name, statement)
            late = _defined_later(program, statement, name)
            if late is not None:
                status = "error"
                problems.append(
                    f"it uses the global `{', '.join(statement.names)}`, which the grader computes in "
                    f"cell In [{cell_number(program, statement.cell)}] from `{name}`; but the grader keeps "
                    f"only the last definition of `{name}`, in cell In [{cell_number(program, late.cell)}], "
                    "which runs after it: use one name for one thing, or pass it as an argument")
    for name, through in used.items():
        if name not in namespace or hasattr(builtins, name) or any(hasattr(m, name) for m in stars):
            continue
        kept = program.binding(name)
        last = _last_setter(name, program)
        if kept is not None and (last is None or last[:2] == (kept.cell, kept.index)):
            continue                                   # the grader's value is the kernel's
        via = "" if through is None else f" (through `{', '.join(through.names)}`)"
        if kept is None:
            status = "error"                           # a NameError in the grader
            where = f"it is set by {last[2]} in cell In [{cell_number(program, last[0])}]" if last else \
                "no top-level statement of the cells you ran sets it"
            problems.append(f"it uses the global `{name}`{via}, which the grader does not keep: {where}; "
                            "the grader runs only the notebook's top-level imports, defs, classes and "
                            "`name = ...` assignments. Set it in such a statement, or pass it as an argument")
        else:
            problems.append(f"it uses the global `{name}`{via}: the grader takes it from cell "
                            f"In [{cell_number(program, kept.cell)}], but {last[2]} in cell "
                            f"In [{cell_number(program, last[0])}] changed it since, and the grader does not "
                            "run that; set it in one `name = ...` statement, or pass it as an argument")
    return (status, problems) if problems else ("", [])


def _hidden_definition(program, function, name: str, namespace: dict) -> str | None:
    """Why the grader would not grade this definition of the exercise's function `name`: it finds
    only top-level defs (and `name = ...`), so one made inside an if, for, with or try block is
    missing to it, or hidden behind an earlier top-level one. None when the grader sees it."""
    from .grading.find import cell_number

    if namespace.get(name) is not function:
        return None                             # checked under another name: report() says so
    kept, last = program.binding(name), _last_setter(name, program)
    if last is None or (kept is not None and last[:2] == (kept.cell, kept.index)):
        return None
    where = f"{last[2]} in cell In [{cell_number(program, last[0])}]"
    graded = "finds none" if kept is None else \
        f"grades the one in cell In [{cell_number(program, kept.cell)}] instead"
    return (f"the grader looks for `{name}` defined at the top level of a cell (a `def` outside any "
            f"if, for, with or try block) and {graded}: the `{name}` you checked is made by {where}. "
            "Define it at the top level")


def _defined_later(program, statement, name: str):
    """The statement the grader keeps for `name` when it runs only after `statement`, which reads
    `name` as it runs (an assignment or an import; a def reads its globals when called), else None."""
    if not isinstance(statement.node, (ast.Assign, ast.AnnAssign)) or name in statement.names:
        return None
    kept = program.binding(name)
    return kept if kept is not None and program.position(kept) > program.position(statement) else None


def _star_modules(program) -> list[types.ModuleType]:
    found = []
    for k in program.definitions("*"):
        node = program.statements[k].node
        if isinstance(node, ast.ImportFrom) and node.module and node.module in sys.modules:
            found.append(sys.modules[node.module])
    return found


KINDS = {ast.For: "a `for` loop", ast.AsyncFor: "a `for` loop", ast.While: "a `while` loop",
         ast.If: "an `if` block", ast.With: "a `with` block", ast.Try: "a `try` block",
         ast.AugAssign: "an augmented assignment (`+=`)", ast.Expr: "a top-level call",
         ast.FunctionDef: "a function's `global` statement", ast.Match: "a `match` block",
         ast.Assign: "an assignment the grader does not keep",
         ast.AnnAssign: "an annotation without a value"}
NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.ListComp, ast.SetComp,
          ast.DictComp, ast.GeneratorExp)


MUTATORS = frozenset({"append", "extend", "insert", "remove", "pop", "popitem", "clear", "sort",
                      "reverse", "update", "setdefault", "fill", "resize", "put", "itemset"})
"""Methods that change a list, dict or array in place: `weights.append(w)` changes `weights`."""


def _last_setter(name: str, program) -> tuple[int, int, str] | None:
    """(cell, statement index, what it is) of the last top-level statement of the cells run that
    binds `name` at the top level or changes it in place (kept by the grader or not), or None."""
    for cell in range(len(program.sources) - 1, -1, -1):
        source = program.sources[cell]
        if name not in source:
            continue
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for index in range(len(tree.body) - 1, -1, -1):
            node = tree.body[index]
            how = _sets(node, name)
            if how is not None:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                        and node.name == name:
                    return cell, index, "`def`"
                kind = KINDS.get(type(node), "a statement the grader does not run")
                return cell, index, f"{how} in {kind}" if how else kind
    return None


def _base(node: ast.AST) -> str | None:
    """`x` for `x`, `x[0]`, `x.W[1]`; None for anything else."""
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _sets(node: ast.AST, name: str) -> str | None:
    """How the top-level statement `node` sets the global `name`: "" when it binds it, a short
    description when it changes it in place (`weights.append(...)`, an item or attribute
    assigned), None when it does neither. Names bound inside functions, lambdas, classes and
    comprehensions are theirs, unless declared `global`."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        declared = any(isinstance(n, ast.Global) and name in n.names for n in ast.walk(node))
        return "" if node.name == name or declared else None
    todo = [node]
    while todo:
        sub = todo.pop()
        if isinstance(sub, ast.Global) and name in sub.names:
            return ""
        if isinstance(sub, ast.Name) and sub.id == name and isinstance(sub.ctx, ast.Store):
            return ""
        if isinstance(sub, (ast.Import, ast.ImportFrom)) and any(
                (a.asname or a.name.split(".")[0]) == name for a in sub.names):
            return ""
        if isinstance(sub, (ast.Subscript, ast.Attribute)) and isinstance(sub.ctx, ast.Store) \
                and _base(sub) == name:
            return f"`{ast.unparse(sub)} = ...`"
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in MUTATORS \
                and _base(sub.func.value) == name:
            return f"`{ast.unparse(sub.func)}(...)`"
        if sub is not node and isinstance(sub, NESTED):
            if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and sub.name == name:
                return ""
            todo.extend(n for n in ast.walk(sub) if isinstance(n, ast.Global))   # only `global` counts
            continue
        todo.extend(ast.iter_child_nodes(sub))
    return None


# ---------------------------------------------------------------------------------------------
# stale functions: edited after their cell ran


def saved_notebook() -> Path | None:
    """The notebook file this kernel runs, as Jupyter's server names it (JPY_SESSION_NAME)."""
    name = os.environ.get("JPY_SESSION_NAME", "")
    path = Path(name) if name.endswith(".ipynb") else None
    return path if path is not None and path.is_file() else None


_saved: dict = {}            # path -> (mtime_ns, size, {name: [ast dumps of its saved defs]})
_stale: dict = {}            # id(function) -> (function, checked at, file state, note)


def _saved_definitions(path: Path) -> tuple[tuple, dict[str, list[str]]]:
    """The saved notebook's defs (read as plain JSON: nbformat's import alone takes seconds)."""
    from .grading.find import MAX_NOTEBOOK_BYTES, parse_notebook

    stat = path.stat()
    state = (stat.st_mtime_ns, stat.st_size)
    cached = _saved.get(path)
    if cached is None or cached[0] != state:
        try:
            if stat.st_size > MAX_NOTEBOOK_BYTES:
                raise ValueError("too large")
            cells = json.loads(path.read_bytes())["cells"]
            program = parse_notebook(types.SimpleNamespace(cells=list(cells)), path.stem)
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return state, {}
        _saved[path] = (state, _definitions(program))
    return state, _saved[path][1]


def _definitions(program) -> dict[str, list[str]]:
    """name -> ast dumps (no positions, no comments) of the notebook's top-level defs of it."""
    found: dict[str, list[str]] = {}
    for statement in program.statements:
        if isinstance(statement.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.setdefault(statement.node.name, []).append(ast.dump(statement.node))
    return found


def kernel_definition(function) -> str | None:
    """The ast dump of the def that made `function`, read from the cell it ran in (linecache)."""
    code = getattr(function, "__code__", None)
    if code is None:
        return None
    source = "".join(linecache.getlines(code.co_filename))
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == code.co_name:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            if first == code.co_firstlineno:
                return ast.dump(node)
    return None


def stale_note(function, sources: list[str] | None = None) -> str | None:
    """One line if the saved notebook's definition of `function` was edited after its cell ran in
    this kernel (the kernel still runs the old one), else None. A saved definition that did run
    here (only the newer one is not saved yet) is not stale. Cheap enough for every call of an
    explorer: the saved file is looked at most once a second per function, and parsed when it
    changes."""
    now = time.monotonic()
    if len(_stale) > 1000:                      # check() in a loop over many functions: forget old ones
        _stale.clear()
    cached = _stale.get(id(function))
    if cached is not None and cached[0] is function and now - cached[1] < STALE_RECHECK_SECONDS:
        return cached[3]
    watch_runs()
    path = saved_notebook() if in_notebook(function) is not None else None
    if path is None:
        _stale[id(function)] = (function, now, None, None)
        return None
    try:
        state, saved = _saved_definitions(path)
    except OSError:
        return None
    if cached is not None and cached[0] is function and cached[2] == state:
        _stale[id(function)] = (function, now, state, cached[3])
        return cached[3]
    note = _compare(function, saved.get(function.__name__, []), state[0] / 1e9, sources)
    _stale[id(function)] = (function, now, state, note)
    return note


def _compare(function, saved: list[str], saved_at: float, sources: list[str] | None) -> str | None:
    """The note when the saved file's version of `function` is newer than the cell that made it."""
    from .grading.find import cell_number

    if not saved:
        return None                              # not defined in the saved notebook (or not saved yet)
    kernel = kernel_definition(function)
    if kernel is None or kernel in saved:
        return None
    program = program_of(cells_run() if sources is None else sources)
    name = function.__name__
    ran, ran_at = [], None
    for statement in program.statements:
        node = statement.node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            ran.append(ast.dump(node))
            if ran[-1] == kernel:
                ran_at = _runs.get(cell_number(program, statement.cell), ran_at)
    if any(version in ran for version in saved):
        return None                              # the saved one ran before: the newer one is not saved yet
    if ran_at is None or saved_at <= ran_at:
        return None                              # saved before the cell ran: only not saved yet
    return (f"⚠️  {name}: its cell was edited after it last ran, so this kernel still uses the old "
            f"{name}; run that cell again (and its check).")


_runs: dict[int, float] = {}         # position in the input history -> when that cell finished running


def watch_runs(ip=None) -> None:
    """Note when each cell finishes running (IPython's post_run_cell event), so that stale_note can
    tell an edit saved after a cell ran from a newer version run but not saved yet. Called when
    this module is imported in a kernel (a notebook's first cell imports check)."""
    ip = ip if ip is not None else shell()
    events = getattr(ip, "events", None)
    if events is None or getattr(ip, "_course_lib_watches_runs", False):
        return
    ip._course_lib_watches_runs = True

    def ran(result=None) -> None:
        history = getattr(getattr(ip, "history_manager", None), "input_hist_raw", None) or [""]
        _runs[len(history) - 1] = time.time()

    events.register("post_run_cell", ran)


watch_runs()
