"""Measure grading throughput, and compare it with executing the same notebooks with nbclient.

    .venv/bin/python -m tests.bench_grading --copies 8      (make bench runs it too)

grading_throughput() grades `copies` students who each submitted every solution notebook (fresh,
no cache), with the sandbox grading really uses (grading.json's "sandbox"), and says where a
notebook's time goes (phases()). nbclient_seconds() executes the same notebooks once each in a
fresh kernel, the core of what nbgrader and otter-grader do per submission. The ratio is
nbclient seconds per notebook / grading seconds per notebook (target: >= 40x; 22x was measured
before issue 20). analysis_seconds() times the static analysis (find.py) on the notebooks that
made it quadratic once: 6,000 lines of `mse = mse`, and a 1 MB notebook of them (CPU seconds,
reading included). The machine's load average is printed with the results: on a shared machine,
compare runs side by side.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from course_lib import exercises
from course_lib.grading import find, limits, sandbox
from course_lib.grading.batch import grade
from course_lib.grading.score import prepare

ROOT = Path(__file__).resolve().parent.parent


def solution_notebooks() -> list[Path]:
    known = set(exercises.notebooks())
    return [p for p in sorted((ROOT / "solutions").glob("*.ipynb")) if p.stem in known]


# a child's phases, between the times sandbox.PHASES records (see there)
PHASE_NAMES = (("sandbox and interpreter start", "start", "entered"), ("numpy import", "entered", "imported"),
               ("set-up: guard, seccomp, the notebook's top level", "imported", "ready"),
               ("cases", "ready", "finished"), ("end: kill, clean up", "finished", "ended"))


def grading_throughput(copies: int = 8, jobs: int | None = None) -> dict:
    """Grade `copies` students x every solution notebook; submissions (notebooks) per second, and
    the children's phases (mean seconds per child, see PHASE_NAMES)."""
    notebooks = solution_notebooks()
    with tempfile.TemporaryDirectory(prefix="course-grade-bench-") as tmp:
        subs = Path(tmp) / "subs"
        for k in range(copies):
            (subs / f"student{k:03d}").mkdir(parents=True)
            for path in notebooks:
                shutil.copy(path, subs / f"student{k:03d}" / path.name)
        sandbox.PHASES = []
        started = time.perf_counter()
        try:
            summary = grade(subs, Path(tmp) / "out", jobs=jobs, notebooks=[p.stem for p in notebooks],
                            force=True, progress=False)
            seconds = time.perf_counter() - started
            children = sandbox.PHASES
        finally:
            sandbox.PHASES = None
    full = all(r["status"] == "passed" for r in summary.rows())
    n = copies * len(notebooks)
    phases = {}
    for name, begin, end in PHASE_NAMES:
        spans = [c[end] - c[begin] for c in children if begin in c and end in c]
        phases[name] = sum(spans) / len(spans) if spans else float("nan")
    return {"submissions": n, "seconds": seconds, "per_second": n / seconds, "all_passed": full,
            "children": len(children), "phases": phases, "sandbox": sandbox.mode()[0],
            "jobs": jobs or limits.default_jobs()}


def analysis_per_notebook() -> float:
    """Mean wall seconds of the grader's own work on one solution notebook before its child
    starts: reading it and find.py's analysis (as batch.grade_submission does)."""
    notebooks = solution_notebooks()
    started = time.perf_counter()
    for path in notebooks:
        program = find.read_program(path)
        functions = [e.function for e in exercises.for_notebook(path.stem)]
        for function in functions:
            find.choose_graded_definition(program, function, function)
            program.course_lib_use(function, lambda obj: False)
        program.cells_for(functions)
    return (time.perf_counter() - started) / len(notebooks)


def report(result: dict, nbclient_per_notebook: float) -> list[str]:
    """The lines `make bench` prints for grading: throughput, ratio to nbclient, the phases."""
    per_notebook = result["seconds"] / result["submissions"]
    ratio = nbclient_per_notebook / per_notebook
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [f"graded {result['submissions']} notebooks in {result['seconds']:.1f} s "
             f"under {result['sandbox']} with {result['jobs']} jobs: {result['per_second']:.1f} "
             f"notebooks/s, all full marks: {result['all_passed']} (load average {load})",
             f"nbclient: {nbclient_per_notebook:.2f} s per notebook; "
             f"grading: {per_notebook:.3f} s per notebook -> {ratio:.0f}x faster "
             f"(kept >= 22x: {'yes' if ratio >= 22 else 'NO'}; "
             f"target >= 40x: {'yes' if ratio >= 40 else 'not yet'})",
             f"where a child's time goes (mean of {result['children']} children, each one notebook; "
             f"{result['jobs']} run at once):"]
    total = sum(v for v in result["phases"].values() if v == v)
    for name, seconds in list(result["phases"].items()):
        lines.append(f"  {name:<50} {1000 * seconds:7.1f} ms  {100 * seconds / total:4.0f}%")
    lines.append(f"  {'grader: read + analyse the notebook (find.py)':<50} "
                 f"{1000 * analysis_per_notebook():7.1f} ms  (in the grader, before the child)")
    lines.append(f"once per run, whatever the class's size: the cases and their expected values (the "
                 f"references run) {prepare_seconds():.1f} s; the reports (class.html's charts) come on top")
    return lines


def prepare_seconds() -> float:
    """Seconds to draw every graded notebook's cases and compute the expected values, as
    batch.grade does once per run."""
    started = time.perf_counter()
    for path in solution_notebooks():
        prepare(exercises.for_notebook(path.stem), 1)
    return time.perf_counter() - started


def analysis_seconds() -> dict[str, float]:
    """CPU seconds to read and analyse (as grading does) two adversarial 00_welcome notebooks."""
    import nbformat

    found = {}
    for label, lines in (("6,000 lines of mse = mse", 6000), ("1 MB notebook (52,000 lines)", 52000)):
        nb = nbformat.read(ROOT / "solutions" / "00_welcome.ipynb", as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell("mse = mse\n" * lines))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "00_welcome.ipynb"
            nbformat.write(nb, path)
            started = time.process_time()
            program = find.read_program(path)
            program.course_lib_use("mse", lambda obj: False)
            program.cells_for(["mse"])
            found[label] = time.process_time() - started
    return found


def nbclient_seconds(paths: list[Path] | None = None, timeout: int = 600) -> float:
    """Seconds to execute each notebook once with nbclient (fresh kernel each), summed."""
    import nbclient
    import nbformat

    total = 0.0
    for path in paths or solution_notebooks():
        nb = nbformat.read(path, as_version=4)
        started = time.perf_counter()
        nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}}).execute()
        total += time.perf_counter() - started
    return total


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args(argv)
    for label, seconds in analysis_seconds().items():
        print(f"static analysis, {label}: {seconds:.2f} s CPU")
    result = grading_throughput(args.copies, args.jobs)
    nb_seconds = nbclient_seconds() / len(solution_notebooks())
    print("\n".join(report(result, nb_seconds)))


if __name__ == "__main__":
    main()
