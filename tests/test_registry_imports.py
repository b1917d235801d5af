"""The registry (course_lib/exercises) holds exercises: ids, cases, hints, mistakes, and points at
each reference, which lives in a numerics module. Nothing else imports numerics from it: no
course_lib module outside the registry and no notebook imports a course_lib.exercises.nbNN
module or a name from one (checking, grading and the loader use the registry's own API:
exercises.get, exercises.for_notebook)."""

import ast
import json
from pathlib import Path

import course_lib

COURSE_LIB = Path(course_lib.__file__).parent
ROOT = COURSE_LIB.parent


def registry_module_imports(source: str) -> list[str]:
    """The imports in `source` of a registry module (course_lib.exercises.nbNN_..., relative or
    absolute), as text."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names = [a.name for a in node.names]
            if ".nb" in f".{module}" and "exercises" in module or \
                    module.endswith("exercises") and any(n.startswith("nb") for n in names):
                found.append(f"from {'.' * node.level}{module} import {', '.join(names)}")
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if "exercises.nb" in a.name]
    return found


def test_the_detector_finds_each_form():
    assert registry_module_imports("from ..exercises import nb03_maximum_likelihood as r") != []
    assert registry_module_imports("from ..exercises.nb01_generalization import ridge_fit") != []
    assert registry_module_imports("import course_lib.exercises.nb10_lr_schedules") != []
    assert registry_module_imports("from course_lib import exercises\nfrom .. import nn") == []


def test_no_module_outside_the_registry_imports_from_it():
    offenders = {}
    for path in sorted(COURSE_LIB.rglob("*.py")):
        if path.parent.name == "exercises":
            continue
        found = registry_module_imports(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(COURSE_LIB))] = found
    assert offenders == {}


def test_no_notebook_imports_from_the_registry():
    offenders = {}
    for folder in ("solutions", "notebooks"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            for cell in cells:
                if cell["cell_type"] != "code":
                    continue
                source = "".join(cell["source"])
                lines = [line for line in source.split("\n") if not line.lstrip().startswith(("%", "!"))]
                try:
                    found = registry_module_imports("\n".join(lines))
                except SyntaxError:
                    continue
                if found:
                    offenders.setdefault(f"{folder}/{path.name}", []).extend(found)
    assert offenders == {}
