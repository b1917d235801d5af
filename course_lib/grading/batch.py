"""Grade a folder of submissions: find them, grade each (in parallel, cached), collect the results.

    summary = grade(Path("submissions"), Path("grading-out"), jobs=4)

Layouts (`layout=`):
    "folders"   SUBMISSIONS/<student>/<notebook>.ipynb (the default)
    "nbgrader"  nbgrader's collected submissions, SUBMISSIONS/<student>/<assignment>/<notebook>.ipynb
                (or the course folder that holds `submitted/`); see nbgrader.py
    "student"   one student's notebooks, SUBMISSIONS/<notebook>.ipynb (Gradescope, course-progress)
    "auto"      nbgrader's layout when the folder looks like it, else "folders"
Notebook names are as in notebooks/ (only those with registered exercises are graded). A notebook
a student did not submit gets status "missing"; any other file is reported in `summary.unknown`
and skipped. A symbolic link (student folder or notebook) is never followed: its row is
`invalid` and says so. Submissions are only read.

Each (student, notebook) is graded once per content: its result is cached in OUT/.cache under
the sha256 of the notebook's bytes, the grader's version (a hash of course_lib's source), the
seed and the limits; a re-run regrades only what changed, or everything with force=True.
The seed of the random cases is chosen at grading time and recorded in OUT/grading.json; a
re-run into the same OUT reuses it (so cached and fresh results agree) unless `seed` is given
or force=True.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from .. import exercises
from . import find, limits, references, sandbox
from .score import (
    ERROR,
    FAILED,
    INVALID,
    MISSING,
    NOT_ATTEMPTED,
    NOT_ATTEMPTED_MESSAGE,
    Prepared,
    Result,
    one_line,
    prepare,
    score,
    zero,
)

GRADER_VERSION = "1"
COURSE_LIB = Path(__file__).resolve().parent.parent


LAYOUTS = ("auto", "folders", "nbgrader", "student")


@dataclass
class Submission:
    """One notebook of one student; `path` is None when the student did not submit it.

    `refused` says why a file that is there is not read (a symbolic link); `assignment` and
    `timestamp` come from nbgrader's layout."""

    student: str
    notebook: str
    path: Path | None
    refused: str = ""
    assignment: str = ""
    timestamp: str = ""


@dataclass
class Graded:
    """The results of one submission."""

    student: str
    notebook: str
    results: list[Result]
    seconds: float = 0.0
    cached: bool = False
    assignment: str = ""      # nbgrader's layout: the assignment folder, and its timestamp.txt
    timestamp: str = ""


@dataclass
class Summary:
    """Everything one grading run produced (what the reports are written from)."""

    graded: list[Graded]
    students: list[str]
    unknown: list[str]
    seed: int
    seconds: float
    settings: dict = field(default_factory=dict)
    layout: str = "folders"
    report_errors: list[str] = field(default_factory=list)   # reports that could not be written

    def rows(self) -> list[dict]:
        """One dict per (student, notebook, exercise), in a stable order."""
        return [{"student": g.student, "notebook": g.notebook, **vars(r)}     # vars: asdict's copy is slow
                for g in self.graded for r in g.results]

    def totals(self) -> dict[str, tuple[float, float]]:
        """student -> (points, maximum)."""
        out = {s: (0.0, 0.0) for s in self.students}
        for g in self.graded:
            points, most = out[g.student]
            out[g.student] = (points + sum(r.points for r in g.results),
                              most + sum(r.max_points for r in g.results))
        return out

    @property
    def n_fresh(self) -> int:
        """How many submissions were graded (not taken from the cache) in this run."""
        return sum(1 for g in self.graded if not g.cached and g.seconds > 0)


def discover(submissions: Path, notebooks: list[str], layout: str = "folders"
             ) -> tuple[list[Submission], list[str], list[str]]:
    """(submissions to grade, unknown files, students) found in the submissions folder."""
    if layout == "nbgrader":
        from . import nbgrader

        return nbgrader.discover(submissions, notebooks)
    if layout == "student":
        return discover_student(submissions, notebooks, submissions.resolve().name or "student")
    items, unknown, students = [], [], []
    for entry in sorted(submissions.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            students.append(entry.name)
            why = f"{entry.name}/ is a symbolic link; links are not followed (submit the files themselves)"
            items += [Submission(entry.name, n, None, refused=why) for n in notebooks]
            continue
        if not entry.is_dir():
            unknown.append(f"{entry.name}: not a student folder")
            continue
        students.append(entry.name)
        found, more = notebook_files(entry, notebooks, f"{entry.name}/")
        unknown += more
        items += [Submission(entry.name, n, *found.get(n, (None, ""))) for n in notebooks]
    return items, unknown, students


def discover_student(folder: Path, notebooks: list[str], student: str
                     ) -> tuple[list[Submission], list[str], list[str]]:
    """One student's notebooks straight in `folder` (Gradescope's submission folder, notebooks/)."""
    found, unknown = notebook_files(folder, notebooks, "")
    return [Submission(student, n, *found.get(n, (None, ""))) for n in notebooks], unknown, [student]


def notebook_files(folder: Path, notebooks: list[str], prefix: str
                   ) -> tuple[dict[str, tuple[Path | None, str]], list[str]]:
    """notebook -> (path, why refused) for the course's notebooks in `folder`, and the other files.

    A symbolic link is refused (path None, and the reason): it could point at solutions/ or at a
    classmate's notebook."""
    found, unknown = {}, []
    wanted = set(notebooks)
    known = set(exercises.notebooks())
    for file in sorted(folder.iterdir()):
        if file.name.startswith("."):
            continue
        if file.suffix == ".ipynb" and file.stem in known:
            if file.stem not in wanted:
                continue
            if file.is_symlink():
                found[file.stem] = (None, f"{prefix}{file.name} is a symbolic link; links are not followed "
                                          "(submit the file itself)")
            elif file.is_file():
                found[file.stem] = (file, "")
            else:
                unknown.append(f"{prefix}{file.name}: not a file")
            continue
        unknown.append(f"{prefix}{file.name}: not a notebook of the course")
    return found, unknown


def grade_submission(item: Submission, prepared: list[Prepared], timeout: float,
                     memory_mb: int) -> list[Result]:
    """Grade one notebook: find the functions, run them in the sandbox, score the answers."""
    if item.refused:
        return [zero(p.exercise, INVALID, item.refused) for p in prepared]
    if item.path is None:
        return [zero(p.exercise, MISSING, f"{item.notebook}.ipynb was not submitted") for p in prepared]
    if item.path.is_symlink():      # replaced by a link after it was found
        return [zero(p.exercise, INVALID, f"{item.notebook}.ipynb is a symbolic link; links are not followed")
                for p in prepared]
    try:
        program = find.read_program(item.path)
    except (find.InvalidNotebook, OSError, RecursionError) as exc:    # RecursionError: nested too deep
        return [zero(p.exercise, INVALID, f"{item.notebook}.ipynb: {exc}") for p in prepared]
    notes = {p.exercise.id: find.choose_graded_definition(program, p.exercise.function, p.exercise.id)
             for p in prepared}          # the definition the student checked is the one graded
    results: dict[str, Result] = {}
    to_run = []
    notebook_exercises = [p.exercise for p in prepared]

    def forbidden(obj) -> bool:
        return references.is_forbidden(obj, notebook_exercises)

    for p in prepared:
        ex = p.exercise
        use = program.course_lib_use(ex.function, forbidden)
        if program.binding(ex.function) is None:
            status, why = (ERROR, "; ".join(program.skipped)) if program.skipped else (MISSING, "")
            results[ex.id] = zero(ex, status, f"no function {ex.function}() found in the notebook"
                                  + (f" ({why})" if why else ""))
        elif use:
            results[ex.id] = zero(ex, FAILED, f"{ex.function}() calls the course's reference code "
                                              f"({use}); write your own implementation")
        elif program.stub(ex.function):
            results[ex.id] = zero(ex, NOT_ATTEMPTED, NOT_ATTEMPTED_MESSAGE)
        else:
            to_run.append(p)
    if to_run:
        jobs = [sandbox.ExerciseJob(p.exercise.id, p.exercise.function, p.exercise.timeout,
                                    [(c.args, c.kwargs) for c in p.cases]) for p in to_run]
        cells = program.cells_for([p.exercise.function for p in to_run])
        watch = references.forbidden_code(notebook_exercises)
        runs, setup_errors = sandbox.run(cells, jobs, watch, timeout, memory_mb)
        for p in to_run:
            result = score(p, runs[p.exercise.id], find.definition_kind_of(program, p.exercise.function))
            if result.status == ERROR and setup_errors:
                result.message += f" (while defining the notebook's functions: {setup_errors[0]})"
            results[p.exercise.id] = result
    for exercise_id, note in notes.items():
        if note:
            results[exercise_id].message = one_line(f"{results[exercise_id].message} ({note})")
    return [results[p.exercise.id] for p in prepared]


def grade(submissions: Path, out: Path, jobs: int | None = None, timeout: float = 120.0,
          notebooks: list[str] | None = None, force: bool = False, seed: int | None = None,
          memory_mb: int | None = None, progress: bool = True, layout: str = "auto",
          student: str | None = None, class_view: bool = True) -> Summary:
    """Grade every submission under `submissions`, write the reports to `out`, return the summary.

    `layout` is one of LAYOUTS (see the module's docstring); with layout="student", `student`
    names the one student (default: the folder's name). `class_view=False` skips OUT/class.html.
    Raises ValueError for misuse: a missing submissions folder, an unknown notebook or layout.
    """
    from . import report

    jobs = jobs or limits.default_jobs()                    # what this machine or container gives
    memory_mb = memory_mb or limits.default_memory_mb(jobs)
    submissions, out = Path(submissions), Path(out)
    if not submissions.is_dir():
        raise ValueError(f"submissions folder {submissions} does not exist")
    known = exercises.notebooks()
    chosen = notebooks or known
    bad = [n for n in chosen if n not in known]
    if bad:
        raise ValueError(f"unknown notebook {', '.join(bad)}; notebooks with exercises: {', '.join(known)}")
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    seed = choose_seed(out, seed, force)
    prepared = {n: prepare(exercises.for_notebook(n), seed) for n in chosen}
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; layouts: {', '.join(LAYOUTS)}")
    if layout == "auto":
        from . import nbgrader

        layout = "nbgrader" if nbgrader.detect(submissions) else "folders"
    if layout == "student" and student is not None:
        items, unknown, students = discover_student(submissions, chosen, student)
    else:
        items, unknown, students = discover(submissions, chosen, layout)
    version = grader_version()
    settings = {"seed": seed, "timeout": timeout, "memory_mb": memory_mb, "grader_version": version,
                "sandbox": sandbox.mode()[0]}
    if sandbox.mode()[1]:
        settings["sandbox_why"] = sandbox.mode()[1]     # why the fallback

    def work(item: Submission) -> Graded:
        key = cache_key(item, settings)
        cached = None if force or key is None else read_cache(out, item, key)
        if cached is not None:
            return Graded(item.student, item.notebook, cached, cached=True, assignment=item.assignment,
                          timestamp=item.timestamp)
        t0 = time.perf_counter()
        try:
            results = grade_submission(item, prepared[item.notebook], timeout, memory_mb)
        except Exception as exc:  # a grader bug must not sink the batch
            traceback.print_exc(file=sys.stderr)
            results = [zero(p.exercise, ERROR, f"grader error: {type(exc).__name__}: {exc}")
                       for p in prepared[item.notebook]]
        elapsed = time.perf_counter() - t0 if item.path else 0.0
        if key is not None:
            try:
                write_cache(out, item, key, results)
            except OSError:          # no cache entry only means regrading next time
                pass
        return Graded(item.student, item.notebook, results, elapsed, assignment=item.assignment,
                      timestamp=item.timestamp)

    graded = []
    with ThreadPoolExecutor(max_workers=max(1, jobs or os.cpu_count() or 1)) as pool:
        futures = [pool.submit(work, item) for item in items]
        bar = tqdm(as_completed(futures), total=len(futures), unit="notebook", desc="grading",
                   disable=not progress, file=sys.stderr)
        for future in bar:
            graded.append(future.result())
    graded.sort(key=lambda g: (g.student, g.notebook))
    summary = Summary(graded, students, unknown, seed, time.perf_counter() - started, settings, layout)
    report.write_all(summary, out, class_view)
    return summary


def choose_seed(out: Path, seed: int | None, force: bool) -> int:
    """`seed` if given; else the seed recorded in OUT/grading.json (unless force); else a new one."""
    if seed is not None:
        return int(seed)
    try:
        if not force:
            return int(json.loads((out / "grading.json").read_text())["seed"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return secrets.randbelow(2**31)


def grader_version() -> str:
    """GRADER_VERSION plus a hash of course_lib's source: changing any of it regrades everything."""
    digest = hashlib.sha256(GRADER_VERSION.encode())
    for path in sorted(COURSE_LIB.rglob("*.py")):
        digest.update(path.relative_to(COURSE_LIB).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{GRADER_VERSION}-{digest.hexdigest()[:12]}"


def cache_key(item: Submission, settings: dict) -> str | None:
    if item.path is None or item.refused:
        return None
    try:
        content = hashlib.sha256(item.path.read_bytes()).hexdigest()
    except OSError:
        return None
    return hashlib.sha256(json.dumps([content, settings], sort_keys=True).encode()).hexdigest()


def _cache_path(out: Path, item: Submission) -> Path:
    from .report import file_name

    return out / ".cache" / file_name(item.student) / f"{item.notebook}.json"


def read_cache(out: Path, item: Submission, key: str) -> list[Result] | None:
    try:
        data = json.loads(_cache_path(out, item).read_text())
        if data["key"] == key:
            return [Result(**r) for r in data["results"]]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def write_cache(out: Path, item: Submission, key: str, results: list[Result]) -> None:
    from .report import write_atomic

    write_atomic(_cache_path(out, item), json.dumps({"key": key, "results": [r.to_dict() for r in results]}))
