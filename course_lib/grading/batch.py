"""Grade a folder of submissions: find them, grade each (in parallel, cached), collect the results.

    summary = grade(Path("submissions"), Path("grading-out"), jobs=4)

Layout: SUBMISSIONS/<student>/<notebook>.ipynb, notebook names as in notebooks/ (only those with
registered exercises are graded). A notebook a student did not submit gets status "missing";
any other file is reported in `summary.unknown` and skipped. Submissions are only read.

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
from . import find, references, sandbox
from .score import (
    ERROR,
    FAILED,
    INVALID,
    MISSING,
    NOT_ATTEMPTED,
    NOT_ATTEMPTED_MESSAGE,
    Prepared,
    Result,
    prepare,
    score,
    zero,
)

GRADER_VERSION = "1"
COURSE_LIB = Path(__file__).resolve().parent.parent


@dataclass
class Submission:
    """One notebook of one student; `path` is None when the student did not submit it."""

    student: str
    notebook: str
    path: Path | None


@dataclass
class Graded:
    """The results of one submission."""

    student: str
    notebook: str
    results: list[Result]
    seconds: float = 0.0
    cached: bool = False


@dataclass
class Summary:
    """Everything one grading run produced (what the reports are written from)."""

    graded: list[Graded]
    students: list[str]
    unknown: list[str]
    seed: int
    seconds: float
    settings: dict = field(default_factory=dict)

    def rows(self) -> list[dict]:
        """One dict per (student, notebook, exercise), in a stable order."""
        return [{"student": g.student, "notebook": g.notebook, **r.to_dict()}
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


def discover(submissions: Path, notebooks: list[str]) -> tuple[list[Submission], list[str], list[str]]:
    """(submissions to grade, unknown files, students) found in the submissions folder."""
    known = set(exercises.notebooks())
    items, unknown, students = [], [], []
    for entry in sorted(submissions.iterdir()):
        if entry.name.startswith("."):
            continue
        if not entry.is_dir():
            unknown.append(f"{entry.name}: not a student folder")
            continue
        students.append(entry.name)
        for file in sorted(entry.iterdir()):
            if file.name.startswith(".") or (file.suffix == ".ipynb" and file.stem in known):
                continue
            unknown.append(f"{entry.name}/{file.name}: not a notebook of the course")
        for notebook in notebooks:
            path = entry / f"{notebook}.ipynb"
            items.append(Submission(entry.name, notebook, path if path.is_file() else None))
    return items, unknown, students


def grade_submission(item: Submission, prepared: list[Prepared], timeout: float,
                     memory_mb: int) -> list[Result]:
    """Grade one notebook: find the functions, run them in the sandbox, score the answers."""
    if item.path is None:
        return [zero(p.exercise, MISSING, f"{item.notebook}.ipynb was not submitted") for p in prepared]
    try:
        program = find.read_program(item.path)
    except (find.InvalidNotebook, OSError) as exc:
        return [zero(p.exercise, INVALID, f"{item.notebook}.ipynb: {exc}") for p in prepared]
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
            result = score(p, runs[p.exercise.id])
            if result.status == ERROR and setup_errors:
                result.message += f" (while defining the notebook's functions: {setup_errors[0]})"
            results[p.exercise.id] = result
    return [results[p.exercise.id] for p in prepared]


def grade(submissions: Path, out: Path, jobs: int | None = None, timeout: float = 120.0,
          notebooks: list[str] | None = None, force: bool = False, seed: int | None = None,
          memory_mb: int = 2048, progress: bool = True) -> Summary:
    """Grade every submission under `submissions`, write the reports to `out`, return the summary.

    Raises ValueError for misuse: a missing submissions folder or an unknown notebook name.
    """
    from . import report

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
    items, unknown, students = discover(submissions, chosen)
    version = grader_version()
    settings = {"seed": seed, "timeout": timeout, "memory_mb": memory_mb, "grader_version": version,
                "sandbox": sandbox.mode()[0]}
    if sandbox.mode()[1]:
        settings["sandbox_why"] = sandbox.mode()[1]     # why the fallback

    def work(item: Submission) -> Graded:
        key = cache_key(item, settings)
        cached = None if force or key is None else read_cache(out, item, key)
        if cached is not None:
            return Graded(item.student, item.notebook, cached, cached=True)
        t0 = time.perf_counter()
        try:
            results = grade_submission(item, prepared[item.notebook], timeout, memory_mb)
        except Exception as exc:  # a grader bug must not sink the batch
            traceback.print_exc(file=sys.stderr)
            results = [zero(p.exercise, ERROR, f"grader error: {type(exc).__name__}: {exc}")
                       for p in prepared[item.notebook]]
        elapsed = time.perf_counter() - t0 if item.path else 0.0
        if key is not None:
            write_cache(out, item, key, results)
        return Graded(item.student, item.notebook, results, elapsed)

    graded = []
    with ThreadPoolExecutor(max_workers=max(1, jobs or os.cpu_count() or 1)) as pool:
        futures = [pool.submit(work, item) for item in items]
        bar = tqdm(as_completed(futures), total=len(futures), unit="notebook", desc="grading",
                   disable=not progress, file=sys.stderr)
        for future in bar:
            graded.append(future.result())
    graded.sort(key=lambda g: (g.student, g.notebook))
    summary = Summary(graded, students, unknown, seed, time.perf_counter() - started, settings)
    report.write_all(summary, out)
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
    if item.path is None:
        return None
    try:
        content = hashlib.sha256(item.path.read_bytes()).hexdigest()
    except OSError:
        return None
    return hashlib.sha256(json.dumps([content, settings], sort_keys=True).encode()).hexdigest()


def _cache_path(out: Path, item: Submission) -> Path:
    return out / ".cache" / item.student / f"{item.notebook}.json"


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
