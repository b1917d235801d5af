"""Submissions as students really upload them (issue 19, item 1): collect.py finds the notebooks at
any depth, in a lone zip, renamed by a browser, beside a GitHub repository's other folders, and
refuses what could write outside its folder or fill the disk. Each honest layout gets the honest
full score from course-grade and from the Gradescope bundle (under a temporary AUTOGRADER_ROOT)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from test_gradescope_bundle import NOTEBOOKS, autograder  # noqa: F401 - the bundle's fixture
from test_grading import ROOT, WELCOME, check_gradescope, read_grades

from course_lib.grading import collect, grade

SOLUTION = {n: (ROOT / "solutions" / f"{n}.ipynb").read_bytes() for n in NOTEBOOKS}


def zip_bytes(entries: dict[str, bytes], links: dict[str, str] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
        for name, target in dict(links).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o120777 << 16
            z.writestr(info, target)
    return buffer.getvalue()


def write(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


def honest_layouts() -> dict[str, dict[str, bytes]]:
    """layout -> {path in the student's folder: bytes}, each holding the solutions of NOTEBOOKS."""
    loose = {f"{n}.ipynb": data for n, data in SOLUTION.items()}
    return {
        "loose": loose,
        "unextracted_zip": {"submission.zip": zip_bytes(loose)},
        "github_repo": {**{f"notebooks/{n}": d for n, d in loose.items()},
                        "README.md": b"# my course\n", "course_lib/__init__.py": b"",
                        "tests/test_x.py": b"", ".git/HEAD": b"ref: refs/heads/main\n",
                        ".github/workflows/ci.yml": b"on: push\n"},
        "two_deep": {f"work/course/{n}": d for n, d in loose.items()},
        "browser_copy": {f"{n[:-len('.ipynb')]} (1).ipynb": d for n, d in loose.items()},
        "mac_zip": {"submission.zip": zip_bytes({
            **{f"mine/{n}": d for n, d in loose.items()},
            **{f"__MACOSX/mine/._{n}": b"\x00\x05\x16\x07 resource fork" for n in loose},
            "mine/.DS_Store": b"\x00\x00\x00\x01Bud1"})},
        "mac_folder": {**{f"mine/{n}": d for n, d in loose.items()},
                       **{f"__MACOSX/mine/._{n}": b"\x00\x05\x16\x07" for n in loose},
                       ".ipynb_checkpoints/00_welcome-checkpoint.ipynb": b"{}"},
    }


def test_each_layout_is_found_where_the_student_put_it(tmp_path):
    for layout, files in honest_layouts().items():
        folder = tmp_path / layout
        write(folder, files)
        chosen, unknown = collect.find_notebooks(folder, NOTEBOOKS, "", tmp_path / f"{layout}-work")
        assert set(chosen) == set(NOTEBOOKS), (layout, unknown)
        for name, (candidate, _) in chosen.items():
            assert candidate.path.read_bytes() == SOLUTION[name], layout
        assert not any("ipynb_checkpoints" in u for u in unknown), unknown
    _, unknown = collect.find_notebooks(tmp_path / "github_repo", NOTEBOOKS)
    assert "README.md: not a notebook of the course" in unknown
    assert ".git/: skipped (a hidden or system folder)" in unknown


def test_several_files_for_one_notebook_are_decided_by_the_stated_rule(tmp_path):
    old = json.loads(SOLUTION[WELCOME])
    write(tmp_path, {f"{WELCOME}.ipynb": json.dumps(old).encode(), f"{WELCOME} (1).ipynb": SOLUTION[WELCOME],
                     f"deeper/{WELCOME}.ipynb": SOLUTION[WELCOME]})
    now = 1_800_000_000
    os.utime(tmp_path / f"{WELCOME}.ipynb", (now - 100, now - 100))
    os.utime(tmp_path / f"{WELCOME} (1).ipynb", (now, now))             # the newest: graded
    os.utime(tmp_path / "deeper" / f"{WELCOME}.ipynb", (now - 50, now - 50))
    chosen, _ = collect.find_notebooks(tmp_path, [WELCOME])
    candidate, note = chosen[WELCOME]
    assert candidate.shown == f"{WELCOME} (1).ipynb"
    assert note.startswith(f"graded {WELCOME} (1).ipynb, the newest of 3 files"), note
    assert f"{WELCOME}.ipynb" in note and f"deeper/{WELCOME}.ipynb" in note
    os.utime(tmp_path / f"{WELCOME}.ipynb", (now, now))                 # a tie: the exact name wins
    assert collect.find_notebooks(tmp_path, [WELCOME])[0][WELCOME][0].shown == f"{WELCOME}.ipynb"
    os.utime(tmp_path / "deeper" / f"{WELCOME}.ipynb", (now, now))      # then the shallowest
    assert collect.find_notebooks(tmp_path, [WELCOME])[0][WELCOME][0].shown == f"{WELCOME}.ipynb"
    # "00_welcome (1) (2).ipynb" or "x00_welcome.ipynb" are not the notebook
    assert collect.notebook_name(f"{WELCOME} (1) (2).ipynb", {WELCOME}) is None
    assert collect.notebook_name(f"x{WELCOME}.ipynb", {WELCOME}) is None
    assert collect.notebook_name(f"{WELCOME}(2).ipynb", {WELCOME}) == WELCOME


def test_a_zip_cannot_write_outside_its_folder_nor_link_anywhere(tmp_path):
    upload, work = tmp_path / "upload", tmp_path / "work"
    work.mkdir()
    write(upload, {"submission.zip": zip_bytes(
        {f"../../{WELCOME}.ipynb": b"evil", f"/tmp/{WELCOME}.ipynb": b"evil",
         f"C:/x/{WELCOME}.ipynb": b"evil",
         f"ok/../../{WELCOME}.ipynb": b"evil", f"good/{NOTEBOOKS[1]}.ipynb": SOLUTION[NOTEBOOKS[1]]},
        links={f"{WELCOME}.ipynb": "/etc/passwd"})})
    chosen, unknown = collect.find_notebooks(upload, NOTEBOOKS, "ada/", work)
    assert set(chosen) == {NOTEBOOKS[1]}                       # only the honest entry
    refused = [u for u in unknown if "a path outside the zip's folder, refused" in u]
    assert len(refused) == 4, unknown
    assert any("a symbolic link in the zip, not followed" in u for u in unknown), unknown
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["upload/submission.zip", f"work/{chosen[NOTEBOOKS[1]][0].path.parent.name}/0.ipynb"]
    assert not (tmp_path.parent / f"{WELCOME}.ipynb").exists()


def test_a_zip_bomb_is_bounded(tmp_path, monkeypatch):
    """Bytes are counted as they are decompressed (the sizes a zip declares are not trusted), and
    a zip with too many entries is not read at all."""
    monkeypatch.setattr(collect, "ZIP_MAX_BYTES", 2 << 20)
    bomb = zip_bytes({f"{WELCOME}.ipynb": b"\0" * (64 << 20),
                      f"{NOTEBOOKS[1]}.ipynb": SOLUTION[NOTEBOOKS[1]]})
    assert len(bomb) < 1 << 20                                  # 64 MB in well under 1 MB
    write(tmp_path / "bomb", {"submission.zip": bomb})
    chosen, unknown = collect.find_notebooks(tmp_path / "bomb", NOTEBOOKS, "", tmp_path / "work")
    assert WELCOME not in chosen and any("more than 2 MB uncompressed" in u for u in unknown), unknown
    assert sum(p.stat().st_size for p in (tmp_path / "work").rglob("*") if p.is_file()) <= 2 << 20
    monkeypatch.setattr(collect, "ZIP_MAX_MEMBERS", 50)
    write(tmp_path / "many", {"submission.zip": zip_bytes({f"f{k}.txt": b"" for k in range(51)})})
    chosen, unknown = collect.find_notebooks(tmp_path / "many", NOTEBOOKS, "", tmp_path / "work2")
    assert not chosen and any("more than 50 entries, not read" in u for u in unknown), unknown


def test_every_honest_layout_scores_full_marks_in_course_grade(tmp_path):
    subs = tmp_path / "subs"
    for layout, files in honest_layouts().items():
        write(subs / layout, files)
    write(subs, {".hidden_student/00_welcome.ipynb": SOLUTION[WELCOME]})
    summary = grade(subs, tmp_path / "out", jobs=2, notebooks=NOTEBOOKS, progress=False, seed=4)
    assert summary.layout == "folders"            # notebooks/ one folder down is not nbgrader's tree
    assert set(summary.students) == set(honest_layouts())
    for student, (points, most) in summary.totals().items():
        assert points == most > 0, (student, [r for r in summary.rows() if r["student"] == student])
    assert any(u.startswith(".hidden_student: a hidden folder") for u in summary.unknown), summary.unknown
    rows = read_grades(tmp_path / "out")
    assert "graded work/course/00_welcome.ipynb" in rows[("two_deep", "mse")]["message"]
    assert "graded 00_welcome (1).ipynb" in rows[("browser_copy", "mse")]["message"]


def upload(root: Path, env: dict, files: dict[str, bytes]) -> dict:
    submission = root / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    submission.mkdir()
    write(submission, files)
    results = root / "results" / "results.json"
    results.unlink(missing_ok=True)
    run = subprocess.run([str(root / "source" / "run_autograder")], env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    return json.loads(results.read_text())


@pytest.mark.slow
def test_every_honest_layout_scores_full_marks_in_the_gradescope_bundle(autograder):  # noqa: F811
    root, env = autograder
    for layout, files in honest_layouts().items():
        data = upload(root, env, files)
        check_gradescope(data)
        most = sum(t["max_score"] for t in data["tests"])
        assert data["score"] == most > 0, (layout, data)
        assert {t["name"].split(":")[0] for t in data["tests"]} == set(NOTEBOOKS)


def test_a_folder_that_cannot_be_read_is_that_students_rows(tmp_path, monkeypatch):
    """A failure while reading one student's folder (here: a listing that breaks) gives that
    student `invalid` rows that say so; the classmates are collected as ever."""
    write(tmp_path / "ada", {f"{WELCOME}.ipynb": SOLUTION[WELCOME]})
    write(tmp_path / "bad", {f"{WELCOME}.ipynb": SOLUTION[WELCOME]})
    real = collect.find_notebooks

    def breaks_for_bad(folder, *args, **kwargs):
        if Path(folder).name == "bad":
            raise OSError("Input/output error")
        return real(folder, *args, **kwargs)

    monkeypatch.setattr(collect, "find_notebooks", breaks_for_bad)
    found = collect.collect(tmp_path, [WELCOME], "folders")
    by_student = {item.student: item for item in found.items}
    assert by_student["ada"].path is not None and not by_student["ada"].refused
    assert by_student["bad"].path is None and "bad/ could not be read (OSError" in by_student["bad"].refused
