"""The grading package reads one way (issue 23, item 5): its modules import each other at the top
of the file only, with no cycle, so collect -> find -> sandbox/child -> score -> report -> batch
-> cli can be read in that order. Walked with ast, not by importing."""

from __future__ import annotations

import ast
from pathlib import Path

GRADING = Path(__file__).resolve().parent.parent / "course_lib" / "grading"
MODULES = {p.stem for p in GRADING.glob("*.py")}


def grading_imports(node: ast.AST) -> list[tuple[str, int]]:
    """(grading module, line) for each import in `node` (one statement) of a module of the package."""
    found = []
    if isinstance(node, ast.ImportFrom):
        module = node.module or ""
        if node.level == 1 or module.startswith("course_lib.grading"):
            inner = module.removeprefix("course_lib.grading").lstrip(".") if node.level == 0 else module
            if inner:
                found.append(inner.split(".")[0])
            else:                                          # from . import find, report
                found += [alias.name for alias in node.names]
    elif isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name.startswith("course_lib.grading."):
                found.append(alias.name.split(".")[2])
    return [(name, node.lineno) for name in found if name in MODULES]


def imports_of(path: Path) -> tuple[set[str], list[str]]:
    """(the grading modules `path` imports at its top level, its imports of grading modules inside
    functions or classes, as "file:line module")."""
    tree = ast.parse(path.read_text())
    top, local = set(), []
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            local += [f"{path.name}:{line} imports {name}" for node in ast.walk(statement)
                      for name, line in grading_imports(node)]
        else:
            for node in ast.walk(statement):      # module level, also inside if/try blocks
                top |= {name for name, _ in grading_imports(node)}
    return top - {path.stem}, local


def cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of `graph` (module -> modules it imports), or []."""
    state: dict[str, int] = {}              # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> list[str]:
        state[module] = 1
        for other in sorted(graph.get(module, ())):
            if state.get(other) == 1:
                return path[path.index(other):] + [other] if other in path else [module, other]
            if other not in state:
                found = visit(other, path + [other])
                if found:
                    return found
        state[module] = 2
        return []

    for module in sorted(graph):
        if module not in state:
            found = visit(module, [module])
            if found:
                return found
    return []


def test_no_grading_module_imports_another_inside_a_function():
    local = [line for path in sorted(GRADING.glob("*.py")) for line in imports_of(path)[1]]
    assert not local, "imports between grading modules inside functions (move them up):\n" + "\n".join(local)


def test_the_grading_modules_import_each_other_without_a_cycle():
    graph = {path.stem: imports_of(path)[0] for path in GRADING.glob("*.py")}
    assert not cycle(graph), f"import cycle: {' -> '.join(cycle(graph))}"
    # the flow reads one way: no step imports a later one
    order = ["collect", "find", "sandbox", "score", "report", "batch", "cli"]
    for k, module in enumerate(order):
        later = set(order[k + 1:]) & graph[module]
        assert not later, f"{module}.py imports the later step(s) {sorted(later)}"


def test_the_walker_sees_local_imports_and_cycles(tmp_path):
    """The checks above can fail: a function-local import and a two-module cycle are found."""
    (tmp_path / "a.py").write_text("from . import find\n\ndef f():\n    from .report import write_atomic\n")
    top, local = imports_of(tmp_path / "a.py")
    assert top == {"find"} and local == ["a.py:4 imports report"]
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) == []


def test_grade_is_not_rewritten_in_the_package_init():
    """grading/__init__ re-exports batch.grade; it does not copy its signature."""
    tree = ast.parse((GRADING / "__init__.py").read_text())
    assert not [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    from course_lib import grading
    from course_lib.grading import batch

    assert grading.grade is batch.grade
