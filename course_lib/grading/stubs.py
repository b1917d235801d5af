"""The course_lib a sandboxed child sees: what a notebook may not call is not there.

    folder = student_copy(codes)     # codes: [[file, first line], ...] from references.forbidden_code

For the notebook being graded, bubblewrap mounts (read-only, over course_lib's own path) a copy of
course_lib in which

  * every function whose code is in `codes` (the exercises' references and the notebook's
    off-limits functions; a forbidden class stands for each function written in its body) keeps
    its name, signature, decorators and first line, but its body is one statement,
    `raise RuntimeError("off limits: ...")` (a lambda's body: an expression that raises it):
    nothing of the reference's code or source is there to call, read from disk, copy as a code
    object or reach through raw memory;
  * the registry (exercises/), the check (checking.py), the grader (grading/), and the modules
    that import them (explorers/, yours.py, release.py, lab/) are absent; datafiles/ is empty
    (the capstone's held-out digits);
  * everything else (the building blocks: nn.softmax inside mlp_backward...) is as it is.

Line numbers are kept (the stub's body is padded with empty lines to the original's length), so
a stub's code still has the reference's (file, first line) and the child's watch (child.py,
make_watch) still names the reference a notebook tried to call: the watch now only explains.
The copy's modules are compiled once (their .pyc next to them, with course_lib's path as their
file name), and each copy is built once per set of codes per process (the grader grades many
students' copies of one notebook in a run) in a temporary folder removed at exit.

The child's own code (child.py, wire.py) is mounted elsewhere (sandbox.CHILD_FOLDER), outside
this copy.
"""

from __future__ import annotations

import ast
import atexit
import compileall
import os
import shutil
import tempfile
import threading

COURSE_LIB = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
ABSENT = ("exercises", "checking.py", "grading", "explorers", "yours.py", "release.py", "lab",
          "__pycache__")
EMPTY = ("datafiles",)
MESSAGE = ("off limits: {name}() is the reference of an exercise of the notebook being graded, or "
           "code the exercise may not use; the grader's sandbox does not contain it")

_copies: dict[frozenset, str] = {}
_lock = threading.Lock()
_root: list[str] = []


def student_copy(codes: list) -> str:
    """The folder of the copy for these forbidden codes (built on first use, then reused)."""
    key = frozenset((str(f), int(line)) for f, line in codes)
    with _lock:
        if key not in _copies:
            if not _root:
                _root.append(tempfile.mkdtemp(prefix="course-grade-lib-"))
                atexit.register(shutil.rmtree, _root[0], True)
            folder = os.path.join(_root[0], f"copy{len(_copies)}", "course_lib")
            build(folder, key)
            _copies[key] = folder
        return _copies[key]


def build(folder: str, codes: frozenset) -> None:
    """Write the copy into `folder` (see the module docstring) and compile it."""
    shutil.copytree(COURSE_LIB, folder, ignore=_ignore)
    for name in EMPTY:
        os.makedirs(os.path.join(folder, name), exist_ok=True)
    by_file: dict[str, set[int]] = {}
    for filename, line in codes:
        by_file.setdefault(filename, set()).add(line)
    for filename, lines in by_file.items():
        relative = os.path.relpath(filename, COURSE_LIB)
        target = os.path.join(folder, relative)
        if relative.startswith("..") or not os.path.isfile(target):
            continue                              # outside course_lib, or in a part that is absent
        with open(target, encoding="utf-8") as f:
            source = f.read()
        with open(target, "w", encoding="utf-8") as f:
            f.write(stubbed(source, lines))
    compileall.compile_dir(folder, quiet=2, ddir=COURSE_LIB, workers=1)
    for root, _dirs, files in os.walk(folder):   # read-only for everyone but the grader
        for name in files:
            os.chmod(os.path.join(root, name), 0o644)


def _ignore(directory: str, names: list[str]) -> list[str]:
    top = os.path.samefile(directory, COURSE_LIB)
    return [n for n in names if n == "__pycache__" or n.endswith(".pyc")
            or (top and (n in ABSENT or n in EMPTY))]


def first_line(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """The line a function's code object starts at (co_firstlineno): its first decorator's, if any."""
    return min([node.lineno] + [d.lineno for d in node.decorator_list])


def stubbed(source: str, lines: set[int]) -> str:
    """`source` with the body of each function starting at one of `lines` replaced by a raise of
    MESSAGE, padded so every later line keeps its number (nested functions go with their body)."""
    tree = ast.parse(source)
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and first_line(node) in lines:
            body = node.body[0]
            spans.append((body.lineno, body.col_offset, node.end_lineno, node.end_col_offset,
                          node.name, False))
        elif isinstance(node, ast.Lambda) and node.lineno in lines:      # property(lambda self: ...)
            body = node.body
            spans.append((body.lineno, body.col_offset, body.end_lineno, body.end_col_offset,
                          "<lambda>", True))
    spans.sort()
    kept, last = [], None                           # a span inside a stubbed one goes with it
    for span in spans:
        if last is None or span[0] > last[2]:
            kept.append(span)
            last = span
    text = source.splitlines(keepends=True)
    for start, column, end, end_column, name, expression in reversed(kept):
        error = f"RuntimeError({MESSAGE.format(name=name)!r})"
        stub = f"(_ for _ in ()).throw({error})" if expression else f"raise {error}"
        new = text[start - 1][:column] + stub + "\n" * (end - start) + text[end - 1][end_column:]
        text[start - 1:end] = new.splitlines(keepends=True)
    return "".join(text)
