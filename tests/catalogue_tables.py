"""Finds hand-written tables of a catalogue's names (optimizers, schedules) outside its module."""

import ast
from pathlib import Path

import course_lib

COURSE_LIB = Path(course_lib.__file__).parent


def _tables(names, source):
    """Line numbers of dict/list/tuple/set literals holding two or more of `names` as string
    constants (as keys or items): a hand-written table of the catalogue."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            items = node.keys
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
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
