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
The copy's modules are compiled (their .pyc next to them, with course_lib's path as their file
name). A base copy (without the absent parts) is made and compiled once per process; each
notebook's copy is hard links to it, with only the files that hold stubs written and compiled
anew, once per set of codes per process (the grader grades many students' copies of one
notebook in a run), in a temporary folder removed at exit.

The child's own code (child.py, wire.py) is mounted elsewhere (sandbox.CHILD_FOLDER), outside
this copy.
"""

from __future__ import annotations

import ast
import atexit
import compileall
import importlib.util
import os
import py_compile
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
                base = os.path.join(_root[0], "base", "course_lib")
                shutil.copytree(COURSE_LIB, base, ignore=_ignore)
                for name in EMPTY:
                    os.makedirs(os.path.join(base, name), exist_ok=True)
                compileall.compile_dir(base, quiet=2, ddir=COURSE_LIB, workers=1)
                for folder, _dirs, files in os.walk(base):     # read-only for all but the grader
                    for name in files:
                        os.chmod(os.path.join(folder, name), 0o644)
            folder = os.path.join(_root[0], f"copy{len(_copies)}", "course_lib")
            build(os.path.join(_root[0], "base", "course_lib"), folder, key)
            _copies[key] = folder
        return _copies[key]


def build(base: str, folder: str, codes: frozenset) -> None:
    """Write the copy into `folder`: hard links to `base` (course_lib without the absent parts,
    compiled), and each file that holds a forbidden code written anew with its stubs and
    compiled (a new file, so `base` is never changed)."""
    shutil.copytree(base, folder, copy_function=os.link)
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
        os.unlink(target)                         # a hard link to base's file: never write through it
        with open(target, "w", encoding="utf-8") as f:
            f.write(stubbed(source, lines))
        os.chmod(target, 0o644)
        compiled = importlib.util.cache_from_source(target)
        py_compile.compile(target, cfile=compiled, dfile=os.path.join(COURSE_LIB, relative), doraise=True)
        os.chmod(compiled, 0o644)


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
