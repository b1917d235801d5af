"""Possible copies in class.html (copies.py, classview.copies_section): planted copies (renamed
variables, comments changed, reformatted; a copy of course_lib's reference source; a function
built from the reference's code object) are listed, honest answers that are short and alike
are not, and an answer most of the class writes the same way is only counted."""

from __future__ import annotations

import ast
import inspect
import re

import nbformat
from test_grading import GOOD_MSE, ROOT, WELCOME, save, welcome

from course_lib import quadratics
from course_lib.grading import classview, copies, find, grade
from course_lib.grading.batch import Graded, Summary
from course_lib.grading.score import Result

MOMENTUM = "06_sgd_momentum_nesterov"

LONG = '''def mse(o, y):
    """Mean squared error, by hand."""
    o = np.asarray(o, dtype=float)
    y = np.asarray(y, dtype=float)
    diff = (o - y).ravel()
    total = 0.0
    for d in diff:
        total += d * d
    return float(total / diff.size)
'''
# LONG with every variable renamed, numpy under another name, comments instead of the docstring,
# other spacing, line breaks and parentheses
LONG_COPY = '''import numpy as numpy_lib

def mse(pred,target):
    # my own implementation, written from scratch
    pred = numpy_lib.asarray(pred, dtype = float)   # floats
    target = numpy_lib.asarray(target,
                               dtype=float)
    err = ((pred - target)).ravel()
    acc = 0.0

    for e in err:     # sum of squares
        acc += (e * e)
    return float(acc / err.size)
'''
# another long answer, written differently
LONG_OTHER = '''def mse(o, y):
    o = np.asarray(o, dtype=float)
    y = np.asarray(y, dtype=float)
    squared = (o - y) ** 2
    n = squared.size
    return float(np.sum(squared) / n)
'''
# the one-line formula two honest students write alike (GOOD_MSE, renamed and commented)
SHORT_ALIKE = ("def mse(pred, target):\n    # the mean of the squares\n"
               "    return float(np.mean((np.asarray(pred) - np.asarray(target)) ** 2))\n")


def with_function(notebook: str, function: str, source: str):
    """The solution notebook `notebook` with the cell that defines `function` replaced by `source`."""
    nb = nbformat.read(ROOT / "solutions" / f"{notebook}.ipynb", as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and f"def {function}(" in c.source]
    cells[0].source = source
    return nb


def reference_copy() -> str:
    """course_lib.quadratics.momentum_rate's source, its docstring swapped for a comment and a
    local renamed, as a student who read the installed course_lib might hand it in."""
    source = inspect.getsource(quadratics.momentum_rate)
    source = re.sub(r'    """.*?"""\n', "    # the iteration matrix's spectral radius\n", source, flags=re.S)
    return "from course_lib.quadratics import _spectral_radius\n\n" + source.replace("rate", "r").replace(
        "def momentum_r(", "def momentum_rate(")


def test_normalising_ignores_names_comments_docstrings_and_formatting():
    def fp(source: str) -> str:
        tree = ast.parse(source)
        return copies.node_fingerprint(next(n for n in tree.body if isinstance(n, ast.FunctionDef)))

    assert fp(LONG) == fp(LONG_COPY)
    assert fp(LONG) != fp(LONG_OTHER)
    assert fp(LONG) != fp(LONG.replace("d * d", "d * 2"))                # a changed operand is another answer
    assert fp(LONG) != fp(LONG.replace(".ravel()", ".flatten()"))          # attributes are kept
    assert fp(GOOD_MSE) == fp(SHORT_ALIKE)
    assert int(fp(GOOD_MSE).split(":")[1]) < copies.MIN_NODES <= int(fp(LONG).split(":")[1])
    digest = fp(reference_copy()).split(":")[0]
    assert copies.reference_fingerprints("momentum_rate")[digest] == "course_lib.quadratics.momentum_rate"


def planted_class(tmp_path):
    """Grade a class with planted copies and honest look-alikes; the summary and OUT."""
    subs = tmp_path / "subs"
    for student, source in {"cy": LONG, "dee": LONG_COPY, "eve": LONG_OTHER, "fay": GOOD_MSE,
                            "gus": SHORT_ALIKE}.items():
        save(subs, student, welcome(source))
    save(subs, "ben", with_function(MOMENTUM, "momentum_rate", reference_copy()), MOMENTUM)
    save(subs, "hal", welcome("import types\nfrom course_lib import nn\n"
                              "mse = types.FunctionType(nn.mse_loss.__code__, {'np': np})\n"))
    summary = grade(subs, tmp_path / "out", notebooks=[WELCOME, MOMENTUM], progress=False, seed=1)
    return summary, tmp_path / "out"


def test_class_html_lists_planted_copies_and_not_honest_look_alikes(tmp_path):
    summary, out = planted_class(tmp_path)
    found = copies.possible_copies(summary)
    assert found.groups == [(WELCOME, "mse", ["cy", "dee"], found.groups[0][3])]    # not fay and gus
    # ben's nesterov_step, the solution's, is the reference's code too, but 41 nodes: the natural way
    assert [(r[0], r[1], r[2], r[3]) for r in found.references] == [
        (MOMENTUM, "momentum_rate", ["ben"], "course_lib.quadratics.momentum_rate")]
    assert found.code_objects == [(WELCOME, "mse", "hal")]
    assert found.common == []
    page = (out / "class.html").read_text()
    section = page[page.index("<h2>Possible copies</h2>"):]
    section = section[:section.index("<h2>", 4)]
    assert "<td>cy, dee</td>" in section and "<td>hal</td>" in section
    assert "the same as course_lib&#x27;s course_lib.quadratics.momentum_rate" in section
    listed = re.findall(r"<tr><td>[^<]*</td><td>[^<]*</td><td>([^<]*)</td>", section)
    assert sorted(listed) == ["ben", "cy, dee", "hal"]                 # not fay and gus, nor eve
    points = {(r["student"], r["exercise"]): r["points"] for r in summary.rows()}
    assert points[("cy", "mse")] == points[("dee", "mse")] == 1.0                   # never a grade change


def test_the_copies_are_still_listed_from_the_cache(tmp_path):
    """The fingerprints are cached with the results: a re-run that regrades nothing lists them too."""
    planted_class(tmp_path)
    again = grade(tmp_path / "subs", tmp_path / "out", notebooks=[WELCOME, MOMENTUM], progress=False)
    assert again.n_fresh == 0
    assert "<td>cy, dee</td>" in (tmp_path / "out" / "class.html").read_text()


def result(exercise: str, fingerprint: str, status: str = "passed") -> Result:
    return Result(exercise, 1.0 if status == "passed" else 0.0, 1.0, status, "", fingerprint=fingerprint)


def test_an_answer_most_of_the_class_writes_alike_is_counted_not_listed():
    common, rare = "a" * 16 + ":45", "b" * 16 + ":45"
    graded = [Graded(f"s{k:02}", "08_adam", [result("adam_step", common)]) for k in range(20)]
    graded += [Graded(name, "08_adam", [result("adam_step", rare)]) for name in ("x1", "x2")]
    graded += [Graded("stub", "08_adam", [result("adam_step", "", "not_attempted")])]     # no answer: skipped
    found = copies.possible_copies(Summary(graded, [g.student for g in graded], [], 1, 0.0))
    assert found.groups == [("08_adam", "adam_step", ["x1", "x2"], 45)]
    assert found.common == [("08_adam", "adam_step", 20, 22)]
    page = "\n".join(classview.copies_section(Summary(graded, [], [], 1, 0.0)))
    assert "x1, x2" in page and "s00" not in page and "20 of 22 students" in page


def test_names_on_the_page_are_escaped():
    fp = "c" * 16 + ":50"
    graded = [Graded(name, WELCOME, [result("mse", fp)]) for name in ("<script>a", "b&c")]
    page = "\n".join(classview.copies_section(Summary(graded, [], [], 1, 0.0)))
    assert "<script>a" not in page and "&lt;script&gt;a, b&amp;c" in page


def test_an_answer_that_cannot_be_fingerprinted_is_still_graded(tmp_path, monkeypatch):
    """A fingerprint that fails (a tree nested too deep to rebuild, or anything unforeseen) is no
    fingerprint, never a grade change nor a grader error. The fingerprint is computed in the
    analysis worker (find.analyse), so the failure is planted in find.analyse run here."""
    def fails(node):
        raise ValueError("an unforeseen tree")

    save(tmp_path / "subs", "ann", welcome(LONG))
    [path] = (tmp_path / "subs" / "ann").glob("*.ipynb")
    honest = find.analyse(path, WELCOME)["exercises"]
    monkeypatch.setattr(copies, "node_fingerprint", fails)
    broken = find.analyse(path, WELCOME)["exercises"]
    assert all(entry["fingerprint"] for entry in honest.values())
    assert {i: e["fingerprint"] for i, e in broken.items()} == {i: "" for i in honest}
    assert {i: e["status"] for i, e in broken.items()} == {i: e["status"] for i, e in honest.items()}
    summary = grade(tmp_path / "subs", tmp_path / "out", notebooks=[WELCOME], progress=False)
    [row] = summary.rows()
    assert (row["status"], row["points"]) == ("passed", 1.0) and row["fingerprint"]
