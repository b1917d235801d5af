"""Nothing a submission holds stops the class (issue 20, items 1, 2 and 5).

Every attack of the issue's "The whole class gets nothing", "One student slows or fails a
classmate" and "Reports" lists is a student of one batch of 00_welcome: each gets 0, `invalid` or
a row of its own, the honest classmates keep full marks, and every report is written, also on a
re-run from the cache and with --force. A seeded fuzz test feeds every report writer random text."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import unicodedata
from pathlib import Path

import nbformat
import pytest
from test_grading import WELCOME, save, welcome

from course_lib.grading import batch, classview, collect, find, grade, nbgrader, report, score
from course_lib.grading.cli import main

RENEE = os.fsdecode(b"Ren\xe9e")                         # a folder name that is not UTF-8
OSC52 = "\x1b]52;c;ZXZpbCBjb21tYW5k\x07\x1b[31mred\x1b[0m\x07\r"
TWIN = "bob-" + hashlib.sha256(b"bob!").hexdigest()[:16]   # the old file name of "bob!"
RANDOM_ONLY_WRONG = ("def mse(o, y):\n    o, y = np.asarray(o, dtype=float), np.asarray(y, dtype=float)\n"
                     "    value = float(np.mean((o - y) ** 2))\n"
                     "    return value if np.all(o == np.round(o)) else value * 1.1\n")


def notebook_json(**cell_fields) -> str:
    """The honest welcome notebook as JSON, every code cell given `cell_fields` (malformed ones)."""
    data = json.loads(nbformat.writes(welcome()))
    for cell in data["cells"]:
        if cell["cell_type"] == "code":
            cell.update(cell_fields)
    return json.dumps(data)


def files_in(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    subs = tmp_path_factory.mktemp("subs")
    out = tmp_path_factory.mktemp("out")
    save(subs, "ada", welcome())
    save(subs, "surrogate_raise", welcome("def mse(o, y):\n    raise ValueError(chr(0xD800) + 'x')\n"))
    save(subs, "surrogate_toplevel", welcome("BAD = int(chr(0xD800))\n\ndef mse(o, y):\n    return BAD\n"))
    save(subs, RENEE, welcome())
    (subs / "sparse").mkdir()
    with open(subs / "sparse" / f"{WELCOME}.ipynb", "wb") as f:
        f.truncate(40 << 30)                              # 40 GB, no block written
    save(subs, "escapes", welcome(f"def mse(o, y):\n    raise ValueError({OSC52!r})\n"))
    save(subs, "bob!", welcome())
    save(subs, TWIN, welcome("def mse(o, y):\n    return 0.0\n"))
    save(subs, ".dotted", welcome())
    save(subs, "bad_outputs", notebook_json(outputs="not a list", metadata=5, execution_count="x"))
    save(subs, "random_only_wrong", welcome(RANDOM_ONLY_WRONG))
    summary = grade(subs, out, jobs=2, notebooks=[WELCOME], progress=False, seed=9, layout="folders")
    return summary, subs, out


def row(summary, student: str) -> dict:
    shown = score.safe_text(student, exact=True)
    [found] = [r for r in summary.rows() if r["student"] == shown]
    return found


def test_each_attack_is_its_own_row_and_the_honest_keep_full_marks(hostile):
    summary, _, _ = hostile
    for honest in ("ada", RENEE, "bob!", "bad_outputs"):
        assert row(summary, honest)["status"] == "passed", row(summary, honest)
    surrogate = row(summary, "surrogate_raise")
    assert surrogate["status"] == "error" and "ValueError: \\ud800x" in surrogate["message"], surrogate
    top = row(summary, "surrogate_toplevel")
    assert top["status"] == "error" and "\\ud800" in top["message"], top
    sparse = row(summary, "sparse")
    assert sparse["status"] == "invalid" and "too large" in sparse["message"], sparse
    escapes = row(summary, "escapes")
    assert escapes["status"] == "error" and "redx" not in escapes["message"], escapes
    assert "ValueError: red" in escapes["message"], escapes          # the sequences removed whole
    assert row(summary, TWIN)["status"] == "failed"
    assert row(summary, "random_only_wrong")["status"] == "failed"
    assert "ignored malformed cell" in row(summary, "bad_outputs")["message"]


def test_every_report_is_written_for_everyone(hostile):
    summary, _, out = hostile
    written = files_in(out)
    assert {"grades.csv", "summary.csv", "class.html", "grading.json"} <= written
    assert not summary.report_errors, summary.report_errors
    for student in summary.students:
        name = summary.files[student]
        assert f"feedback/{name}.html" in written and f"gradescope/{name}/results.json" in written, student
    assert len(set(summary.files.values())) == len(summary.files)      # no two students share a file
    assert summary.files["bob!"] != TWIN and summary.files[TWIN] == TWIN
    bob = json.loads((out / "gradescope" / summary.files["bob!"] / "results.json").read_text())
    twin = json.loads((out / "gradescope" / TWIN / "results.json").read_text())
    assert (bob["score"], twin["score"]) == (1, 0)                    # each its own report
    assert score.safe_text(RENEE, exact=True) == "Ren\\xe9e" and "Ren\\xe9e" in summary.students


def test_no_control_character_or_surrogate_reaches_a_report(hostile):
    _, _, out = hostile
    for name in files_in(out):
        text = (out / name).read_bytes().decode("utf-8")         # strict: no invalid UTF-8 anywhere
        bad = [c for c in text if unicodedata.category(c) in ("Cc", "Cs") and c not in "\n"]
        assert not bad, (name, bad[:5])
        if name.endswith(".json"):
            assert "\\u001b" not in text and "\\ud800" not in text.replace("\\\\ud800", ""), name


def test_a_dot_folder_is_listed_as_skipped(hostile):
    summary, _, _ = hostile
    assert ".dotted" not in summary.students
    assert any(u.startswith(".dotted: a hidden folder or file, skipped") for u in summary.unknown)
    assert ".dotted" in report.error_table(summary)


def test_random_cases_name_the_wrong_output_but_not_the_error_size(hostile):
    summary, _, out = hostile
    wrong = row(summary, "random_only_wrong")
    assert wrong["case"].startswith("random") and "wrong values" in wrong["message"], wrong
    assert "abs error" not in wrong["message"] and "rel error" not in wrong["message"], wrong
    assert wrong["expected"] == score.HIDDEN and wrong["got"] == ""
    public = row(summary, TWIN)                                        # a fixed case still says how far
    assert not public["case"].startswith("random") and "max abs error" in public["message"], public


def test_the_big_sparse_file_is_never_read_or_hashed(hostile, monkeypatch):
    _, subs, _ = hostile
    item = collect.Submission("sparse", WELCOME, subs / "sparse" / f"{WELCOME}.ipynb")

    def no_reading(*args, **kwargs):
        raise AssertionError("the 40 GB file was opened")

    monkeypatch.setattr("builtins.open", no_reading)
    assert batch.cache_key(item, {}) is None


def test_reruns_from_the_cache_and_with_force_write_every_report(hostile):
    _, subs, out = hostile
    before = files_in(out)
    for extra in ([], ["--force", "--seed", "9"]):
        assert main([str(subs), "--out", str(out), "--notebook", WELCOME, "--quiet", *extra]) == 0
        assert files_in(out) == before
    with open(out / "grades.csv", newline="") as f:
        statuses = {r["student"]: r["status"] for r in csv.DictReader(f)}
    assert statuses["surrogate_raise"] == "error" and statuses["ada"] == "passed"


def test_a_bad_cache_entry_is_regraded(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    save(subs, "ada", welcome())
    grade(subs, out, notebooks=[WELCOME], progress=False, seed=1)
    entry = out / ".cache" / "ada" / f"{WELCOME}.json"
    data = json.loads(entry.read_text())
    for broken in ({"key": data["key"], "results": [{"exercise": "mse", "points": "lots"}]},
                   {"key": data["key"], "results": [{**data["results"][0], "message": {"not": "text"},
                                                     "surprise": 1}]},
                   {"key": data["key"], "results": "nope"}, ["a list"]):
        entry.write_text(json.dumps(broken))
        summary = grade(subs, out, notebooks=[WELCOME], progress=False)
        assert [(r["status"], r["points"]) for r in summary.rows()] == [("passed", 1.0)], broken
    entry.write_bytes(b"\xff\xfe not json")
    assert [r["status"] for r in grade(subs, out, notebooks=[WELCOME], progress=False).rows()] == ["passed"]


def test_a_failure_while_grading_or_reporting_one_notebook_is_that_notebooks_row(tmp_path, monkeypatch):
    subs, out = tmp_path / "subs", tmp_path / "out"
    save(subs, "ada", welcome())
    save(subs, "cyd", welcome())
    real_grade, real_html = batch.grade_submission, report.notebook_html

    def fails_for_cyd(item, *args, **kwargs):
        if item.student == "cyd":
            raise MemoryError()
        return real_grade(item, *args, **kwargs)

    def html_fails_for_ada(g):
        if g.student == "ada":
            raise ValueError("a bug in the page")
        return real_html(g)

    monkeypatch.setattr(batch, "grade_submission", fails_for_cyd)
    monkeypatch.setattr(report, "notebook_html", html_fails_for_ada)
    summary = grade(subs, out, notebooks=[WELCOME], progress=False, seed=2)
    assert row(summary, "ada")["status"] == "passed"
    assert row(summary, "cyd")["status"] == "error" and "too large to grade" in row(summary, "cyd")["message"]
    page = (out / "feedback" / "ada.html").read_text()
    assert "could not be written" in page and (out / "feedback" / "cyd.html").is_file()
    assert any("feedback of 'ada'" in e for e in summary.report_errors), summary.report_errors


def test_a_reference_that_fails_on_a_case_costs_only_its_exercises_rows(tmp_path, monkeypatch, capsys):
    from course_lib.exercises.core import Exercise

    subs, out = tmp_path / "subs", tmp_path / "out"
    save(subs, "ada", welcome())
    real_expected = Exercise.expected

    def broken_for_mse(self, case):
        if self.id == "mse" and case.name == "random #2":
            raise FloatingPointError("the course's bug")
        return real_expected(self, case)

    monkeypatch.setattr(Exercise, "expected", broken_for_mse)
    summary = grade(subs, out, notebooks=[WELCOME], progress=False, seed=7)
    message = row(summary, "ada")["message"]
    assert row(summary, "ada")["status"] == "error" and "not graded" in message
    assert "mse" in message and "seed 7" in message and "FloatingPointError" in message
    assert "not graded" in capsys.readouterr().err         # the instructor is told once, at the start


# --- item 2: the grader's own process does not parse student text -------------------------------

def test_the_grader_process_never_parses_a_notebook(tmp_path, monkeypatch):
    """The analysis runs in Analyser's worker processes: grading works with the parser removed
    from this process."""
    def refuse(*args, **kwargs):
        raise AssertionError("a notebook was parsed in the grader's own process")

    monkeypatch.setattr(find, "parse_cell", refuse)
    monkeypatch.setattr(find, "read_notebook", refuse)
    save(tmp_path / "subs", "ada", welcome())
    summary = grade(tmp_path / "subs", tmp_path / "out", notebooks=[WELCOME], progress=False, seed=1)
    assert [r["status"] for r in summary.rows()] == ["passed"]


def test_a_notebook_too_big_to_analyse_costs_only_its_own_row(tmp_path):
    """Issue 20's notebook of `a = 1` lines: Python's parser needs ~400 bytes per byte of it; with
    --memory 256 its worker cannot parse the cell (that holds the notebook's mse, so mse is not
    found: an error that says why), and its classmate passes."""
    data = json.loads(notebook_json())
    for cell in data["cells"]:
        if "def mse" in "".join(cell["source"]):
            cell["source"] = "a = 1\n" * 200_000 + "".join(cell["source"])
    save(tmp_path / "subs", "a_huge", json.dumps(data))
    save(tmp_path / "subs", "b_honest", welcome())
    summary = grade(tmp_path / "subs", tmp_path / "out", jobs=2, memory_mb=256, notebooks=[WELCOME],
                    progress=False, seed=1)
    huge = row(summary, "a_huge")
    assert huge["status"] == "error" and "too large to parse within the memory limit" in huge["message"], huge
    assert row(summary, "b_honest")["status"] == "passed"


# --- the fuzz test: every report writer, random text ---------------------------------------------

PIECES = ["\ud800", "\udfff", "\udce9", "\x1b[31m", "\x1b]52;c;QUJD\x07", "\x1b]8;;http://x\x1b\\", "\x07",
          "\r", "\n", "\t", "\x00", "\x7f", "\x9b2J", "\u202e", "\u2066", "\ufeff", "\u200b", "é", "日本",
          "<script>", "&amp;", "=1+1", "@SUM", "-2", "'", '"', ",", "\\", "..", "/", " ", "🙂", "\U000e0001"]


def random_text(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) if rng.random() < 0.5 else chr(rng.randrange(0x20, 0x3000))
                   for _ in range(rng.randrange(1, 12)))


def clean(text: str) -> bool:
    text.encode("utf-8")                                          # raises on a surrogate
    return not any(unicodedata.category(c) in ("Cc", "Cf", "Cs") and c != "\n" for c in text)


@pytest.mark.parametrize("seed", range(3))
def test_fuzz_every_report_writer_with_random_text(tmp_path, seed):
    rng = random.Random(seed)
    graded = []
    students = [random_text(rng) for _ in range(6)] + [RENEE, "bob!", TWIN]
    for k, student in enumerate(students):
        results = [score.Result(random_text(rng), rng.choice([0, 1]), 1, rng.choice(score.STATUSES),
                                random_text(rng), 3, 1, random_text(rng), random_text(rng), random_text(rng),
                                random_text(rng))]
        graded.append(batch.Graded(student, WELCOME, results, 0.1, assignment=random_text(rng),
                                   timestamp=random_text(rng), folder=tmp_path if k % 2 else None))
    summary = batch.Summary(graded, students, [random_text(rng) for _ in range(5)], 1, 0.5,
                            {"seed": 1}, layout="nbgrader",
                            assignments={g.assignment: [WELCOME] for g in graded})
    (tmp_path / "timestamp.txt").write_text("2026-12-01 09:05:00 UTC")
    out = tmp_path / "out"
    report.write_all(summary, out)
    assert not summary.report_errors, summary.report_errors
    texts = {name: (out / name).read_bytes().decode("utf-8") for name in files_in(out)}
    assert len([n for n in texts if n.startswith("feedback/") and n.count("/") == 1]) == len(students)
    texts.update({"class_table": report.class_table(summary), "error_table": report.error_table(summary),
                  "gradebook": report.gradebook_csv(summary), "class_html": classview.class_html(summary)})
    for name, text in texts.items():
        assert clean(text), name
        if name.endswith(".json"):
            assert clean(json.dumps(json.loads(text), ensure_ascii=False)), name
    for name, text in texts.items():
        if name.endswith(".csv") or name == "gradebook":
            for cells in csv.reader(text.splitlines()):
                assert not any(c.startswith(report.FORMULA_START) for c in cells), (name, cells)
    assert nbgrader.gradebook_rows(summary)


def test_the_fuzz_test_can_fail(tmp_path, monkeypatch):
    """Without score.safe_text (text passed through as it is) the fuzz test fails."""
    monkeypatch.setattr(score, "safe_text", lambda text, exact=False: str(text))
    monkeypatch.setattr(batch, "safe_text", lambda text, exact=False: str(text))
    with pytest.raises((AssertionError, UnicodeEncodeError)):
        test_fuzz_every_report_writer_with_random_text(tmp_path, 0)


def test_fuzzed_outputs_and_metadata_never_make_a_notebook_unreadable(tmp_path):
    """Issue 20: 36 of 1,000 fuzzed notebooks became `invalid` for a malformed output or metadata
    entry. The grader reads only the cells' type and source: each of these still finds mse."""
    rng = random.Random(20)
    junk = [None, 5, "text", [], [1, 2], {"output_type": 7}, [{"output_type": "stream"}], {"a": [None]},
            [{"data": "x"}], {"name": b"x".hex()}, [[]], -1.5, True]
    base = json.loads(nbformat.writes(welcome()))
    for k in range(120):
        data = json.loads(json.dumps(base))
        if rng.random() < 0.3:
            data["metadata"] = rng.choice(junk)
        for cell in data["cells"]:
            for key in ("outputs", "metadata", "execution_count", "attachments"):
                if rng.random() < 0.3:
                    cell[key] = rng.choice(junk)
        path = tmp_path / f"{k}.ipynb"
        path.write_text(json.dumps(data))
        analysis = find.analyse(path, WELCOME)
        assert "invalid" not in analysis, (k, analysis)
        assert analysis["exercises"]["mse"]["status"] == "run", (k, analysis)
