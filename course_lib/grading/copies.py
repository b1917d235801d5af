"""Possible copies, for the instructor: answers that are the same once names, comments,
docstrings and formatting are set aside, and answers that are a copy of course_lib's reference.

    fp = fingerprint(program, exercise)      # where the notebook is parsed (batch.grade_submission)
    found = possible_copies(summary)         # for class.html (classview.py)

A fingerprint is computed from the syntax tree of the graded definition only (nothing of the
source is kept): docstrings and `pass` dropped (comments and formatting are not in the tree),
annotations dropped, and every variable name (parameters, locals, globals, the function's own
name; not attributes such as `.mean`, not keywords, not builtins) replaced by `v0, v1, ...` in
order of first appearance, so renaming variables or `numpy` imported as another name changes
nothing. It is `"<sha256 of the normalised tree, 16 hex>:<its size in nodes>"`, with `:code`
appended when the answer builds a function from a code object (`__code__`, `FunctionType`,
`CodeType`, `marshal`) instead of writing one.

The rule for listing (a flag for a person to look at, never a grade change):
  * an answer shorter than MIN_NODES nodes is never compared: a one-line formula (`return
    np.mean((o - y) ** 2)` is 15 nodes, 23 with `float` and `np.asarray`) is what honest students
    write alike;
  * students whose answers to an exercise have the same fingerprint are listed together when the
    group is rare: at most max(2, COMMON_SHARE of the students who answered the exercise).
    A larger group is the common way to write that answer (formulas followed line by line
    converge), and is only counted;
  * an answer whose fingerprint is that of the exercise's reference (or a function it forbids,
    as course_lib's source has it) is listed as such when it is rare in the same sense and
    either shared by two students or, for one student alone, at least REFERENCE_MIN_NODES long:
    a reference written the natural way is what honest students write too (of the 41 solution
    answers, 4 are the reference's code, all under 50 nodes: nesterov_step's is 41);
  * an answer built from a code object is listed whatever its size.
"""

from __future__ import annotations

import ast
import builtins
import copy
import functools
import hashlib
import inspect
import textwrap
from dataclasses import dataclass

from .. import exercises
from .references import reference_functions

MIN_NODES = 30
REFERENCE_MIN_NODES = 50
COMMON_SHARE = 0.1
CODE_OBJECT_NAMES = {"__code__", "FunctionType", "CodeType", "marshal", "co_code"}
BUILTINS = set(dir(builtins))


class _Normalise(ast.NodeTransformer):
    """Drop docstrings, `pass` and annotations; rename every variable to v0, v1, ... in order."""

    def __init__(self):
        self.names: dict[str, str] = {}

    def canonical(self, name: str) -> str:
        if name in BUILTINS:
            return name
        return self.names.setdefault(name, f"v{len(self.names)}")

    def _body(self, body: list) -> list:
        body = [s for s in body if not isinstance(s, ast.Pass)]
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            body = body[1:]
        return body

    def _function(self, node):
        node.name = self.canonical(node.name)
        node.returns = None
        node.body = self._body(node.body)
        self.generic_visit(node)
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_ClassDef(self, node):
        node.name = self.canonical(node.name)
        node.body = self._body(node.body)
        self.generic_visit(node)
        return node

    def visit_Name(self, node):
        node.id = self.canonical(node.id)
        return node

    def visit_arg(self, node):
        node.arg = self.canonical(node.arg)
        node.annotation = None
        return node

    def visit_AnnAssign(self, node):
        self.generic_visit(node)
        if node.value is None:
            return None
        return ast.Assign(targets=[node.target], value=node.value)

    def visit_Global(self, node):
        node.names = [self.canonical(n) for n in node.names]
        return node

    visit_Nonlocal = visit_Global

    def visit_ExceptHandler(self, node):
        if node.name:
            node.name = self.canonical(node.name)
        self.generic_visit(node)
        return node


def normalised(node: ast.AST) -> tuple[str, int]:
    """(the normalised tree as text, its size in nodes, expression contexts not counted)."""
    # a copy (the grader's tree is kept); deepcopy, not parse(unparse()): CPython 3.11's parser is
    # not safe in threads ("AST constructor recursion depth mismatch"), and the grader runs threads
    tree = _Normalise().visit(ast.Module(body=[copy.deepcopy(node)], type_ignores=[]))
    size = sum(1 for n in ast.walk(tree) if not isinstance(n, (ast.expr_context, ast.Module)))
    return ast.dump(tree, annotate_fields=False), size


def node_fingerprint(node: ast.AST) -> str:
    """`"<digest>:<size>"`, `:code` appended when `node` names a code-object tool."""
    text, size = normalised(node)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    built = any((isinstance(n, ast.Attribute) and n.attr in CODE_OBJECT_NAMES)
                or (isinstance(n, ast.Name) and n.id in CODE_OBJECT_NAMES)
                or (isinstance(n, ast.alias) and n.name.split(".")[0] in CODE_OBJECT_NAMES)
                for n in ast.walk(node))
    return f"{digest}:{size}" + (":code" if built else "")


def fingerprint(program, exercise) -> str:
    """The fingerprint of the graded definition of `exercise`'s function in `program` (a
    find.Program, after find.choose_graded_definition); "" when there is none, it is an import,
    or it is still the release's stub."""
    statement = program.binding(exercise.function)
    if statement is None or program.stub(exercise.function):
        return ""
    node = statement.node
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return ""
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        node = node.value
    try:
        return node_fingerprint(node)
    except Exception:      # nested too deep to rebuild, or any other failure: no fingerprint, same grade
        return ""


@functools.cache
def reference_fingerprints(exercise_id: str) -> dict[str, str]:
    """digest -> "module.name" for the exercise's reference and the functions it forbids."""
    found = {}
    for function in reference_functions([exercises.get(exercise_id)]):
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
        except (OSError, TypeError, SyntaxError):
            continue
        definitions = (ast.FunctionDef, ast.AsyncFunctionDef)
        definition = next((n for n in tree.body if isinstance(n, definitions)), None)
        if definition is not None:
            digest = node_fingerprint(definition).split(":")[0]
            found[digest] = f"{function.__module__}.{function.__qualname__}"
    return found


@dataclass
class Copies:
    """What class.html lists: groups of students with the same answer, answers that are the same
    as the reference, answers built from code objects, and the common answers only counted."""

    groups: list[tuple[str, str, list[str], int]]              # (notebook, exercise, students, size)
    references: list[tuple[str, str, list[str], str, int]]     # (..., students, reference, size)
    code_objects: list[tuple[str, str, str]]                   # (notebook, exercise, student)
    common: list[tuple[str, str, int, int]]                    # (notebook, exercise, students, answered)


def possible_copies(summary) -> Copies:
    """Apply the module's rule to every fingerprint in `summary` (a batch.Summary)."""
    answers: dict[tuple[str, str], dict[str, list[str]]] = {}
    sizes: dict[str, int] = {}
    found = Copies([], [], [], [])
    for g in summary.graded:
        for r in g.results:
            fp = getattr(r, "fingerprint", "")
            if not fp:                   # no answer of the student's own (missing, the stub, unreadable)
                continue
            digest, size, *flags = fp.split(":")
            if "code" in flags:
                found.code_objects.append((g.notebook, r.exercise, g.student))
            if int(size) >= MIN_NODES:
                sizes[digest] = int(size)
                answers.setdefault((g.notebook, r.exercise), {}).setdefault(digest, []).append(g.student)
    for (notebook, exercise), by_digest in sorted(answers.items()):
        answered = sum(len(s) for s in by_digest.values())
        most = max(2, int(COMMON_SHARE * answered))
        try:
            references = reference_fingerprints(exercise)
        except KeyError:                             # an exercise no longer in the registry
            references = {}
        for digest, students in by_digest.items():
            if len(students) > most:
                found.common.append((notebook, exercise, len(students), answered))
            elif digest in references and (len(students) >= 2 or sizes[digest] >= REFERENCE_MIN_NODES):
                found.references.append((notebook, exercise, sorted(students), references[digest],
                                         sizes[digest]))
            elif len(students) >= 2:
                found.groups.append((notebook, exercise, sorted(students), sizes[digest]))
    return found
