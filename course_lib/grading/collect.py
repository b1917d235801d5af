"""Collect the submissions: which student handed in which notebook, in every layout they arrive in.

    found = collect(Path("submissions"), notebooks, layout="auto", workdir=tmp)
    found.items      one Submission per (student, notebook): the file to grade, or why there is none
    found.unknown    what was skipped, one line each ("ada/notes.txt: not a notebook of the course")
    found.students   the students (folder names, as the file system gives them)

Layouts (`layout=`):
    "folders"   SUBMISSIONS/<student>/...: one folder per student (course-grade's default)
    "nbgrader"  nbgrader's collected submissions, SUBMISSIONS/<student>/<assignment>/... (or the
                course folder that holds `submitted/`); see nbgrader.py
    "student"   one student's notebooks anywhere under SUBMISSIONS (Gradescope, course-progress)
    "auto"      "nbgrader" when the folder is nbgrader's (nbgrader.detect), else "folders"

Inside a student's folder (or an nbgrader assignment folder) the notebooks are found wherever the
student put them (find_notebooks): at every depth, skipping `__MACOSX`, `.ipynb_checkpoints` and
hidden folders; a browser's ` (1)` suffix is accepted (`00_welcome (1).ipynb`); when the folder
holds no notebook of the course but one zip file (an unextracted `submission.zip`), its notebooks
are read from the zip (safe_extract: only `.ipynb` members, never a path of the zip's choosing,
bounded size and count, no links). When several files could be the same notebook, the rule of
`preference()` picks one and the feedback says which (Submission.note).

Symbolic links are never followed: a linked student folder or notebook has its rows `invalid` and
says so (a link could point at solutions/ or at a classmate's work). Submissions are only read.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import exercises
from . import nbgrader

LAYOUTS = ("auto", "folders", "nbgrader", "student")
SKIPPED_FOLDERS = ("__MACOSX", ".ipynb_checkpoints", "__pycache__")   # and every hidden folder
MAX_DEPTH = 12                 # folders below a student's folder that are searched
MAX_ENTRIES = 20_000           # files and folders looked at per student
ZIP_MAX_MEMBERS = 2_000        # a zip with more entries is not read
ZIP_MAX_BYTES = 256 << 20      # the most a zip's notebooks may hold, uncompressed (counted as read)
COPY_SUFFIX = re.compile(r"^(?P<stem>.+?)(?: ?\((?P<copy>\d{1,3})\))$")   # "00_welcome (1)"


@dataclass
class Submission:
    """One notebook of one student; `path` is None when the student did not submit it.

    `refused` says why a file that is there is not read (a symbolic link); `note` which of several
    candidate files was graded; `assignment`, `timestamp` and `folder` (the assignment folder)
    come from nbgrader's layout."""

    student: str
    notebook: str
    path: Path | None
    refused: str = ""
    note: str = ""
    assignment: str = ""
    timestamp: str = ""
    folder: Path | None = None


@dataclass
class Collected:
    """What collect() found (see the module's docstring)."""

    items: list[Submission]
    unknown: list[str]
    students: list[str]
    layout: str
    assignments: dict[str, list[str]] = field(default_factory=dict)   # nbgrader: assignment -> notebooks


@dataclass
class Candidate:
    """A file that may be the student's `notebook`: where it is, for the rule and the feedback."""

    notebook: str
    shown: str                 # its path as the student sees it ("notebooks/00_welcome (1).ipynb")
    path: Path | None          # the file to read (None: refused, see `refused`)
    mtime: float = 0.0
    copy: int = 0              # k of a " (k)" suffix, 0 for the exact name
    refused: str = ""


def collect(submissions: Path, notebooks: list[str], layout: str = "auto", student: str | None = None,
            workdir: Path | None = None) -> Collected:
    """The submissions under `submissions` for the course's `notebooks` (see the module's docstring).

    `student` names the one student of layout "student" (default: the folder's name); `workdir` is
    a folder of the grader's where notebooks read from zips are written (without it, zips are
    listed as skipped). ValueError for an unknown layout."""
    submissions = Path(submissions)
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; layouts: {', '.join(LAYOUTS)}")
    if layout == "auto":
        layout = "nbgrader" if nbgrader.detect(submissions) else "folders"
    if layout == "nbgrader":
        return nbgrader_submissions(submissions, notebooks, workdir)
    if layout == "student":
        name = student or submissions.resolve().name or "student"
        unknown = []
        items = unreadable_or(lambda: student_submissions(name, submissions, notebooks, "", workdir),
                              name, notebooks, unknown)
        return Collected(items, unknown, [name], layout)
    items, unknown, students = [], [], []
    for entry in sorted(os.scandir(submissions), key=lambda e: e.name):
        name = entry.name
        if name.startswith("."):
            unknown.append(f"{name}: a hidden folder or file, skipped (a name starting with '.')")
            continue
        if entry.is_symlink():
            students.append(name)
            why = f"{name}/ is a symbolic link; links are not followed (submit the files themselves)"
            items += [Submission(name, n, None, refused=why) for n in notebooks]
            continue
        if not entry.is_dir(follow_symlinks=False):
            unknown.append(f"{name}: not a student folder")
            continue
        students.append(name)
        items += unreadable_or(lambda name=name, path=Path(entry.path): student_submissions(
            name, path, notebooks, f"{name}/", workdir), name, notebooks, unknown)
    return Collected(items, unknown, students, layout)


def unreadable_or(find, student: str, notebooks: list[str], unknown: list[str]) -> list[Submission]:
    """The student's submissions as `find()` returns them (adding its skipped files to `unknown`);
    if reading the student's folder fails in a way not foreseen, rows that say so (`invalid`),
    never the class's end."""
    try:
        items, more = find()
    except Exception as exc:  # noqa: BLE001 - one student's folder must not stop the class
        why = f"{student}/ could not be read ({type(exc).__name__}: {exc})"
        return [Submission(student, n, None, refused=why) for n in notebooks]
    unknown += more
    return items


def student_submissions(student: str, folder: Path, notebooks: list[str], prefix: str,
                        workdir: Path | None) -> tuple[list[Submission], list[str]]:
    """One Submission per notebook for the student whose files are in `folder`, and what was skipped."""
    chosen, unknown = find_notebooks(folder, notebooks, prefix, workdir)
    items = []
    for n in notebooks:
        pick = chosen.get(n)
        if pick is None:
            items.append(Submission(student, n, None))
        else:
            candidate, note = pick
            items.append(Submission(student, n, candidate.path, refused=candidate.refused, note=note))
    return items, unknown


def find_notebooks(folder: Path, notebooks: list[str], prefix: str = "", zips: Path | None = None
                   ) -> tuple[dict[str, tuple[Candidate, str]], list[str]]:
    """notebook -> (the candidate graded, a note naming the others) for the course's `notebooks`
    found under `folder`, and the skipped files (their paths start with `prefix`).

    When there is no notebook of the course but exactly one zip file, the zip's notebooks are the
    candidates (extracted into a new folder in `zips`, a folder of the grader's)."""
    wanted = set(notebooks)
    known = set(exercises.notebooks())
    candidates: dict[str, list[Candidate]] = {}
    archives: list[tuple[str, Path]] = []
    unknown: list[str] = []
    for shown, entry in walk(folder, unknown, prefix):
        name = entry.name
        notebook = notebook_name(name, known)
        if notebook is not None:
            if notebook not in wanted:
                continue
            mode = entry.stat(follow_symlinks=False).st_mode
            if stat.S_ISLNK(mode):
                why = f"{prefix}{shown} is a symbolic link; links are not followed (submit the file itself)"
                candidates.setdefault(notebook, []).append(Candidate(notebook, shown, None, refused=why))
            elif stat.S_ISREG(mode):
                copy = COPY_SUFFIX.match(name[:-len(".ipynb")])
                candidates.setdefault(notebook, []).append(Candidate(
                    notebook, shown, Path(entry.path), entry.stat(follow_symlinks=False).st_mtime,
                    int(copy["copy"]) if copy and copy["stem"] in known else 0))
            else:
                unknown.append(f"{prefix}{shown}: not a file")
        elif name.lower().endswith(".zip") and entry.is_file(follow_symlinks=False):
            archives.append((shown, Path(entry.path)))
        elif name not in ("timestamp.txt", "submission_secret.txt"):      # nbgrader's own files
            unknown.append(f"{prefix}{shown}: not a notebook of the course")
    if not any(candidates.values()) and len(archives) == 1 and zips is not None:
        shown, archive = archives[0]
        for candidate in safe_extract(archive, zips, known, wanted, f"{shown}:", unknown, prefix):
            candidates.setdefault(candidate.notebook, []).append(candidate)
    else:
        unknown += [f"{prefix}{shown}: a zip file, not read (only a lone zip with no notebook beside "
                    "it is read)" for shown, _ in archives]
    chosen = {}
    for notebook, found in candidates.items():
        found.sort(key=preference)
        others = [c.shown for c in found[1:]]
        note = ""
        if len(found) > 1:
            note = (f"graded {found[0].shown}, the newest of {len(found)} files that could be "
                    f"{notebook}.ipynb (also found: {', '.join(others[:5])}"
                    f"{', ...' if len(others) > 5 else ''})")
        elif found[0].shown != f"{notebook}.ipynb":
            note = f"graded {found[0].shown}"
        chosen[notebook] = (found[0], note)
    return chosen, unknown


def preference(candidate: Candidate) -> tuple:
    """The rule that picks one of several files that could be the same notebook (smallest first):
    the newest file (latest modification time; a zip keeps its files' times), then the exact name
    before a ` (k)` copy, then the shallowest, then the path's alphabetical order. A symbolic link
    is never preferred to a real file."""
    return (candidate.path is None, -round(candidate.mtime), candidate.copy, candidate.shown.count("/"),
            candidate.shown)


def notebook_name(file: str, known: set[str]) -> str | None:
    """The course notebook `file` is ("00_welcome.ipynb", "00_welcome (1).ipynb"), or None."""
    if not file.endswith(".ipynb"):
        return None
    stem = file[:-len(".ipynb")]
    if stem in known:
        return stem
    copy = COPY_SUFFIX.match(stem)
    return copy["stem"] if copy and copy["stem"] in known else None


def walk(folder: Path, unknown: list[str], prefix: str = ""):
    """(path shown to the student, os.DirEntry) of every file under `folder`, at every depth, in
    sorted order; symbolic links are yielded, never followed. Hidden folders, `__MACOSX` and
    `.ipynb_checkpoints` are skipped (hidden files silently, the folders listed in `unknown`),
    and so is what lies deeper than MAX_DEPTH or beyond MAX_ENTRIES entries."""
    todo = [(Path(folder), "", 0)]
    seen = 0
    while todo:
        path, shown, depth = todo.pop()
        try:
            with os.scandir(path) as listing:
                entries = sorted(listing, key=lambda e: e.name, reverse=True)
        except OSError as exc:
            unknown.append(f"{prefix}{shown or '.'}: not readable ({type(exc).__name__})")
            continue
        below = []
        for entry in reversed(entries):
            seen += 1
            if seen > MAX_ENTRIES:
                unknown.append(f"{prefix}{shown or '.'}: more than {MAX_ENTRIES} files; the rest was skipped")
                return
            inner = f"{shown}{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                if entry.name.startswith(".") or entry.name in SKIPPED_FOLDERS:
                    if entry.name != ".ipynb_checkpoints":
                        unknown.append(f"{prefix}{inner}/: skipped (a hidden or system folder)")
                elif depth >= MAX_DEPTH:
                    unknown.append(f"{prefix}{inner}/: deeper than {MAX_DEPTH} folders, skipped")
                else:
                    below.append((Path(entry.path), f"{inner}/", depth + 1))
            elif not entry.name.startswith("."):
                yield inner, entry
        todo += reversed(below)


def safe_extract(archive: Path, target: Path, known: set[str], wanted: set[str], shown: str,
                 unknown: list[str], prefix: str = "") -> list[Candidate]:
    """The course's notebooks in the zip `archive`, each written to a file of our own naming in a
    new folder in `target` (`0.ipynb`, `1.ipynb`...): no name from the zip ever becomes a path, so nothing can
    land outside `target`. Entries whose name is absolute or holds `..` are refused and listed,
    links are skipped, `__MACOSX` and hidden entries ignored; a zip with more than
    ZIP_MAX_MEMBERS entries is not read, and reading stops when the notebooks' bytes, counted as
    they are decompressed (never trusting the sizes the zip declares), reach ZIP_MAX_BYTES."""
    where = f"{prefix}{shown[:-1]}"
    try:
        if archive.stat().st_size > ZIP_MAX_BYTES:
            unknown.append(f"{where}: a zip larger than {ZIP_MAX_BYTES >> 20} MB, not read")
            return []
        with zipfile.ZipFile(archive) as z:
            members = z.infolist()
            if len(members) > ZIP_MAX_MEMBERS:
                unknown.append(f"{where}: a zip of more than {ZIP_MAX_MEMBERS} entries, not read")
                return []
            found, budget = [], ZIP_MAX_BYTES
            for info in members:
                name = info.filename.replace("\\", "/")
                parts = [p for p in name.split("/") if p not in ("", ".")]
                if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in parts:
                    unknown.append(f"{where}/{name}: a path outside the zip's folder, refused")
                    continue
                hidden = any(p.startswith(".") or p in SKIPPED_FOLDERS for p in parts)
                if info.is_dir() or not parts or hidden:
                    continue
                notebook = notebook_name(parts[-1], known)
                if stat.S_ISLNK(info.external_attr >> 16):
                    unknown.append(f"{where}/{name}: a symbolic link in the zip, not followed")
                    continue
                if notebook is None:
                    unknown.append(f"{where}/{name}: not a notebook of the course")
                    continue
                if notebook not in wanted:
                    continue
                if not found:
                    target.mkdir(parents=True, exist_ok=True)
                    target = Path(tempfile.mkdtemp(prefix="zip-", dir=target))
                path = target / f"{len(found)}.ipynb"
                written = 0
                with z.open(info) as source, open(path, "xb") as sink:
                    while chunk := source.read(1 << 20):
                        written += len(chunk)
                        if written > budget:
                            break
                        sink.write(chunk)
                if written > budget:
                    path.unlink()
                    unknown.append(f"{where}: its notebooks hold more than {ZIP_MAX_BYTES >> 20} MB "
                                   "uncompressed; the rest of the zip was not read")
                    break
                budget -= written
                copy = COPY_SUFFIX.match(parts[-1][:-len(".ipynb")])
                try:
                    mtime = time.mktime(info.date_time + (0, 0, -1))
                except (OverflowError, ValueError):     # a date the zip made up
                    mtime = 0.0
                found.append(Candidate(notebook, f"{shown}{'/'.join(parts)}", path, mtime,
                                       int(copy["copy"]) if copy and copy["stem"] in known else 0))
            return found
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError,
            NotImplementedError, RuntimeError) as exc:       # RuntimeError: an encrypted member
        unknown.append(f"{where}: not a readable zip ({type(exc).__name__})")
        return []


def nbgrader_submissions(submissions: Path, notebooks: list[str], workdir: Path | None) -> Collected:
    """nbgrader's tree: `<submitted>/<student>/<assignment>/...` (see nbgrader.py).

    The assignments are the course's: those of `<course>/source/` (or `release/`) when the course
    folder is known, else the assignment folders that hold a notebook of the course. Each notebook
    belongs to one assignment (the source's, else the one most students submitted it in); a student
    who put it in another assignment folder is graded on that file, and the feedback says where it
    was. Notebooks in no assignment are not graded (nothing phantom in the export)."""
    top = nbgrader.root(submissions)
    known = set(exercises.notebooks())
    declared = nbgrader.course_assignments(submissions, known)
    found: dict[str, dict[str, list]] = {}        # student -> notebook -> [(candidate, note, assignment,
    #                                               folder)]
    linked: dict[str, set[str]] = {}              # student -> assignment folders that are links
    refused: dict[str, str] = {}                  # student -> why the whole folder is refused
    unknown, students = [], []
    for entry in sorted(os.scandir(top), key=lambda e: e.name):
        name = entry.name
        if name.startswith("."):
            unknown.append(f"{name}: a hidden folder or file, skipped (a name starting with '.')")
            continue
        if not entry.is_symlink() and not entry.is_dir(follow_symlinks=False):
            unknown.append(f"{name}: not a student folder")
            continue
        students.append(name)
        found[name], linked[name] = {}, set()
        if entry.is_symlink():
            refused[name] = f"{name}/ is a symbolic link; links are not followed"
            continue
        for assignment in sorted(os.scandir(entry.path), key=lambda e: e.name):
            prefix = f"{name}/{assignment.name}/"
            if assignment.name.startswith("."):
                unknown.append(f"{prefix}: a hidden folder or file, skipped")
                continue
            if assignment.is_symlink():
                linked[name].add(assignment.name)
                unknown.append(f"{prefix[:-1]}: a symbolic link, not followed")
                continue
            if not assignment.is_dir(follow_symlinks=False):
                unknown.append(f"{prefix[:-1]}: not an assignment folder")
                continue
            if declared and assignment.name not in declared:
                unknown.append(f"{prefix[:-1]}: not an assignment of the course's source/ folder, skipped")
                continue
            try:
                chosen, more = find_notebooks(Path(assignment.path), notebooks, prefix, workdir)
            except Exception as exc:  # noqa: BLE001 - listed; the student's rows say "missing"
                chosen, more = {}, [f"{prefix[:-1]}: could not be read ({type(exc).__name__})"]
            unknown += more
            for notebook, (candidate, note) in chosen.items():
                found[name].setdefault(notebook, []).append(
                    (candidate, note, assignment.name, Path(assignment.path)))
    if declared:
        home = {n: a for a, held in reversed(declared.items()) for n in held}
    else:
        votes: dict[str, dict[str, int]] = {}
        for per_student in found.values():
            for notebook, places in per_student.items():
                for _, _, assignment, _ in places:
                    votes.setdefault(notebook, {}).setdefault(assignment, 0)
                    votes[notebook][assignment] += 1
        home = {n: max(sorted(v), key=v.get) for n, v in votes.items()}
    graded = [n for n in notebooks if n in home]
    unknown += [f"{n}: in no assignment of the course, not graded" for n in notebooks
                if n not in home and len(notebooks) < len(known)]      # only when asked for by name
    assignments = {a: [n for n in graded if home[n] == a] for a in sorted(set(home.values()))}
    assignments = {a: held for a, held in assignments.items() if held}
    items = []
    for student in students:
        for notebook in graded:
            assignment = home[notebook]
            if student in refused:
                items.append(Submission(student, notebook, None, refused=refused[student],
                                        assignment=assignment))
                continue
            places = sorted(found[student].get(notebook, []), key=lambda p: p[2] != assignment)
            if not places:
                why = f"{student}/{assignment}/ is a symbolic link; links are not followed" \
                    if assignment in linked[student] else ""
                items.append(Submission(student, notebook, None, refused=why, assignment=assignment))
                continue
            candidate, note, where, folder = places[0]
            if where != assignment:
                note = "; ".join(filter(None, [f"found in {where}/, not in {assignment}/", note]))
            if len(places) > 1:
                note = "; ".join(filter(None, [note, f"also in {', '.join(p[2] + '/' for p in places[1:])}"]))
            items.append(Submission(student, notebook, candidate.path, candidate.refused, note, assignment,
                                    nbgrader.read_small(folder / "timestamp.txt"), folder))
    return Collected(items, unknown, students, "nbgrader", assignments)
