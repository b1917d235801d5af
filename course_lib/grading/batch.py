"""Grade a class: collect the submissions, grade each (in parallel, cached), write the reports.

    summary = grade(Path("submissions"), Path("grading-out"), jobs=4)

The steps, each in its own module, in this order (imports run one way):
    collect.py  which student handed in which notebook, in every layout (folders, nbgrader's tree,
                one student's upload with nesting, zips and browser-renamed copies)
    find.py     the exercise functions of each notebook (in a limited worker process: Analyser)
    sandbox.py  their outputs on the cases, from a sandboxed child process per notebook
    score.py    the verdicts and points, in this process
    report.py   grades.csv, summary.csv, feedback, Gradescope results, nbgrader's files, class.html

Nothing a submission holds stops the class: each notebook is graded inside its own `try`, so a
failure while reading, hashing, analysing, running or scoring one notebook becomes that notebook's
rows (status "error", "invalid" or "timeout"); a report that cannot be written is listed in
summary.report_errors while the others are written. Sizes are checked before a file is read or
hashed. Every text the reports show enters through score.safe_text, here (names, skipped files)
and in score.Result (messages).

Each (student, notebook) is graded once per content: its result is cached in OUT/.cache under
the sha256 of the notebook's bytes, the grader's version (a hash of course_lib's source), the
seed and the limits; a re-run regrades only what changed, or everything with force=True; a cache
entry that cannot be read back is regraded. The seed of the random cases is chosen at grading
time and recorded in OUT/grading.json; a re-run into the same OUT reuses it (so cached and fresh
results agree) unless `seed` is given or force=True.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import stat
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

from tqdm import tqdm

from .. import exercises
from . import collect, find, limits, references, report, sandbox
from .collect import LAYOUTS, Submission
from .score import (
    ERROR,
    FAILED,
    INVALID,
    MISSING,
    NOT_ATTEMPTED,
    NOT_ATTEMPTED_MESSAGE,
    Prepared,
    Result,
    not_graded,
    one_line,
    prepare,
    safe_text,
    score,
    zero,
)

GRADER_VERSION = "2"
COURSE_LIB = Path(__file__).resolve().parent.parent

__all__ = ["LAYOUTS", "Submission", "Graded", "Summary", "grade", "grade_submission"]


@dataclass
class Graded:
    """The results of one submission. `student` is given as the folder's name and kept as
    score.safe_text(name, exact=True) (unique and printable); `file` is the name of the student's
    report files (report.file_name of the folder's name)."""

    student: str
    notebook: str
    results: list[Result]
    seconds: float = 0.0
    cached: bool = False
    assignment: str = ""      # nbgrader's layout: the assignment folder, its timestamp.txt, the folder
    timestamp: str = ""
    folder: Path | None = None
    file: str = field(default="", init=False)

    def __post_init__(self):
        self.file = report.file_name(self.student)
        self.student = safe_text(self.student, exact=True)
        self.notebook = safe_text(self.notebook)
        self.assignment = safe_text(self.assignment, exact=True)


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
    assignments: dict[str, list[str]] = field(default_factory=dict)   # nbgrader: assignment -> notebooks
    files: dict[str, str] = field(default_factory=dict, init=False)   # student -> report file name

    def __post_init__(self):
        self.files = {safe_text(s, exact=True): report.file_name(s) for s in self.students}
        self.students = list(self.files)
        self.unknown = [safe_text(line) for line in self.unknown]
        self.assignments = {safe_text(a, exact=True): n for a, n in self.assignments.items()}

    def rows(self) -> list[dict]:
        """One dict per (student, notebook, exercise), in a stable order."""
        return [{"student": g.student, "notebook": g.notebook, **vars(r)}     # vars: asdict's copy is slow
                for g in self.graded for r in g.results]

    def totals(self) -> dict[str, tuple[float, float]]:
        """student -> (points, maximum)."""
        out = {s: (0.0, 0.0) for s in self.students}
        for g in self.graded:
            points, most = out.get(g.student, (0.0, 0.0))
            out[g.student] = (points + sum(r.points for r in g.results),
                              most + sum(r.max_points for r in g.results))
        return out

    @property
    def n_fresh(self) -> int:
        """How many submissions were graded (not taken from the cache) in this run."""
        return sum(1 for g in self.graded if not g.cached and g.seconds > 0)


def grade_submission(item: Submission, prepared: list[Prepared], timeout: float, memory_mb: int,
                     analyse=None) -> list[Result]:
    """Grade one notebook: find the functions (`analyse(path, notebook)`, default find.analyse in
    this process; grade() passes its worker pool's), run them in the sandbox, score the answers."""
    if item.refused:
        return [zero(p.exercise, INVALID, item.refused) for p in prepared]
    if item.path is None:
        return [zero(p.exercise, MISSING, f"{item.notebook}.ipynb was not submitted") for p in prepared]
    if item.path.is_symlink():      # replaced by a link after it was found
        return [zero(p.exercise, INVALID, f"{item.notebook}.ipynb is a symbolic link; links are not followed")
                for p in prepared]
    analysis = (analyse or find.analyse)(item.path, item.notebook)
    if "invalid" in analysis:
        return [zero(p.exercise, INVALID, analysis["invalid"]) for p in prepared]
    found, skipped = analysis["exercises"], analysis["skipped"]
    results: dict[str, Result] = {}
    to_run = []
    for p in prepared:
        ex, entry = p.exercise, found[p.exercise.id]
        if p.broken:
            results[ex.id] = not_graded(p)
        elif entry["status"] == "missing":
            status, why = (ERROR, "; ".join(skipped)) if skipped else (MISSING, "")
            results[ex.id] = zero(ex, status, f"no function {ex.function}() found in the notebook"
                                  + (f" ({why})" if why else ""))
        elif entry["status"] == "reference":
            results[ex.id] = zero(ex, FAILED, f"{ex.function}() calls the course's reference code "
                                              f"({entry['why']}); write your own implementation")
        elif entry["status"] == "stub":
            results[ex.id] = zero(ex, NOT_ATTEMPTED, NOT_ATTEMPTED_MESSAGE)
        else:
            to_run.append(p)
    if to_run:
        jobs = [sandbox.ExerciseJob(p.exercise.id, p.exercise.function, p.exercise.timeout,
                                    [(c.args, c.kwargs) for c in p.cases]) for p in to_run]
        watch = references.forbidden_code([p.exercise for p in prepared])
        runs, setup_errors = sandbox.run(analysis["cells"], jobs, watch, timeout, memory_mb)
        for p in to_run:
            result = score(p, runs[p.exercise.id], found[p.exercise.id]["kind"])
            if result.status == ERROR and setup_errors:
                result = noted(result, [f"while defining the notebook's functions: {setup_errors[0]}"])
            results[p.exercise.id] = result
    # the fingerprint (copies.py, computed in the analysis worker) is for class.html's possible
    # copies: a hash of the normalised answer, never its source
    return [replace(noted(results[p.exercise.id], [found[p.exercise.id]["note"], *analysis["notes"]]),
                    fingerprint=found[p.exercise.id].get("fingerprint", ""))
            for p in prepared]


def noted(result: Result, notes: list[str]) -> Result:
    """`result` with `notes` (which definition or file was graded, what was ignored) after its
    message; a new Result, so the notes pass score.safe_text like the message (file names are
    the student's)."""
    notes = [n for n in notes if n]
    if not notes:
        return result
    return replace(result, message=one_line(f"{result.message} ({'; '.join(notes)})"))


def grade(submissions: Path, out: Path, jobs: int | None = None, timeout: float = 120.0,
          notebooks: list[str] | None = None, force: bool = False, seed: int | None = None,
          memory_mb: int | None = None, progress: bool = True, layout: str = "auto",
          student: str | None = None, class_view: bool = True) -> Summary:
    """Grade every submission under `submissions`, write the reports to `out`, return the summary.

    `layout` is one of collect.LAYOUTS; with layout="student", `student` names the one student
    (default: the folder's name). `class_view=False` skips OUT/class.html. Raises ValueError for
    misuse: a missing submissions folder, an unknown notebook or layout.
    """
    jobs = jobs or limits.default_jobs()                    # what this machine or container gives
    memory_mb = memory_mb or limits.default_memory_mb(jobs)
    submissions, out = Path(submissions), Path(out)
    if not submissions.is_dir():
        raise ValueError(f"submissions folder {submissions} does not exist")
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; layouts: {', '.join(LAYOUTS)}")
    known = exercises.notebooks()
    chosen = notebooks or known
    bad = [n for n in chosen if n not in known]
    if bad:
        raise ValueError(f"unknown notebook {', '.join(bad)}; notebooks with exercises: {', '.join(known)}")
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    seed = choose_seed(out, seed, force)
    version = grader_version()
    settings = {"seed": seed, "timeout": timeout, "memory_mb": memory_mb, "grader_version": version,
                "sandbox": sandbox.mode()[0]}
    if sandbox.mode()[1]:
        settings["sandbox_why"] = sandbox.mode()[1]     # why the fallback
    workers = max(1, jobs or os.cpu_count() or 1)

    with tempfile.TemporaryDirectory(prefix="course-grade-") as workdir, \
            find.Analyser(workers, memory_mb) as analyser:
        found = collect.collect(submissions, chosen, layout, student, Path(workdir))
        prepared = {n: prepare(exercises.for_notebook(n), seed)          # the cases of the notebooks
                    for n in dict.fromkeys(item.notebook for item in found.items)}   # to grade
        for p in (p for ps in prepared.values() for p in ps if p.broken):
            print(f"warning: {p.broken}; every {p.exercise.id} row says 'not graded'", file=sys.stderr)

        def work(item: Submission) -> Graded:
            """One notebook's Graded, whatever happens (a failure is the notebook's rows)."""
            t0 = time.perf_counter()
            cached = False
            try:
                key = cache_key(item, settings)
                results = None if force or key is None else read_cache(out, item, key)
                cached = results is not None
                if results is None:
                    results = grade_submission(item, prepared[item.notebook], timeout, memory_mb,
                                               analyser.analyse)
                    if key is not None:
                        write_cache(out, item, key, results)
            except Exception as exc:  # a grader bug, or a file that fails in a way not foreseen
                traceback.print_exc(file=sys.stderr)
                text = "too large to grade" if isinstance(exc, MemoryError) else \
                    f"{type(exc).__name__}: {exc}"
                results = [zero(p.exercise, ERROR, f"grader error: {text}") for p in prepared[item.notebook]]
            if item.note:
                results = [noted(r, [item.note]) for r in results]
            elapsed = 0.0 if cached or item.path is None else time.perf_counter() - t0
            return Graded(item.student, item.notebook, results, elapsed, cached, item.assignment,
                          item.timestamp, item.folder)

        graded = []
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(work, item) for item in found.items]
            bar = tqdm(as_completed(futures), total=len(futures), unit="notebook", desc="grading",
                       disable=not progress, file=sys.stderr)
            for future in bar:
                graded.append(future.result())
    graded.sort(key=lambda g: (g.student, g.notebook))
    summary = Summary(graded, found.students, found.unknown, seed, time.perf_counter() - started, settings,
                      found.layout, assignments=found.assignments)
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
    """The cache key of `item`: a hash of its bytes, the settings and the grader; None (no cache)
    when there is no file, or it is not a regular file of at most find.MAX_NOTEBOOK_BYTES (checked
    before a byte is read: a 40 GB sparse file is never hashed)."""
    if item.path is None or item.refused:
        return None
    info = os.lstat(item.path)
    if not stat.S_ISREG(info.st_mode) or info.st_size > find.MAX_NOTEBOOK_BYTES:
        return None
    content = hashlib.sha256()
    with open(item.path, "rb") as f:
        while chunk := f.read(1 << 20):
            content.update(chunk)
    return hashlib.sha256(json.dumps([content.hexdigest(), settings], sort_keys=True).encode()).hexdigest()


def _cache_path(out: Path, item: Submission) -> Path:
    return out / ".cache" / report.file_name(item.student) / f"{item.notebook}.json"


def read_cache(out: Path, item: Submission, key: str) -> list[Result] | None:
    """The cached results of `item` under `key`, or None: missing, stale, or not readable back
    (any failure here means grading the notebook again, never an error)."""
    try:
        path = _cache_path(out, item)
        if os.lstat(path).st_size > 16 << 20:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["key"] == key:
            return [Result(**r) for r in data["results"]]
    except Exception:  # noqa: BLE001 - a bad entry (any shape, any text) is regraded, not re-raised
        pass
    return None


def write_cache(out: Path, item: Submission, key: str, results: list[Result]) -> None:
    """Store `results`; a cache entry that cannot be written only means regrading next time."""
    try:
        report.write_atomic(_cache_path(out, item),
                            json.dumps({"key": key, "results": [r.to_dict() for r in results]}))
    except (OSError, ValueError):
        pass
