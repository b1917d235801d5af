"""Finds hand-written tables of a catalogue's names (optimizers, schedules) outside its module."""

import ast
from pathlib import Path

import course_lib

COURSE_LIB = Path(course_lib.__file__).parent


def _tables(names, source):
    """Line numbers of hand-written tables of `names` (two or more as string constants): a dict
    literal keyed by them anywhere, or a list/tuple/set literal of them given a name (assigned,
    or returned). A literal passed as a call's argument (a test case's input) is data, not a table."""
    tree = ast.parse(source)
    named = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.Return)) and node.value is not None:
            named.add(id(node.value))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            items = node.keys
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set)) and id(node) in named:
            items = node.elts
        else:
            continue
        if len({i.value for i in items if isinstance(i, ast.Constant) and i.value in names}) >= 2:
            found.append(node.lineno)
    return found


def tables_outside(names, home, root=COURSE_LIB):
    """{file: [lines]} of every .py file under root but `home` (relative path) with such a table."""
    offenders = {}
    for path in sorted(root.rglob("*.py")):
        relative = str(path.relative_to(root))
        if relative != home:
            lines = _tables(set(names), path.read_text(encoding="utf-8"))
            if lines:
                offenders[relative] = lines
    return offenders
