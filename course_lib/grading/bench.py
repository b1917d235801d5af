"""Measure grading throughput, and compare it with executing the same notebooks with nbclient.

    python -m course_lib.grading.bench --copies 8

grading_throughput() grades `copies` students who each submitted every solution notebook (fresh,
no cache); nbclient_seconds() executes the same notebooks once each in a fresh kernel, the core
of what nbgrader and otter-grader do per submission. The ratio is what the issue asks for:
nbclient seconds per submission / grading seconds per submission. analysis_seconds() times the
static analysis (find.py) on the notebooks that made it quadratic once: 6,000 lines of
`mse = mse`, and a 1 MB notebook of them (CPU seconds, reading included).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from .. import exercises
from . import find
from .batch import grade

ROOT = Path(__file__).resolve().parent.parent.parent


def solution_notebooks() -> list[Path]:
    known = set(exercises.notebooks())
    return [p for p in sorted((ROOT / "solutions").glob("*.ipynb")) if p.stem in known]


def grading_throughput(copies: int = 8, jobs: int | None = None) -> dict:
    """Grade `copies` students x every solution notebook; submissions (notebooks) per second."""
    notebooks = solution_notebooks()
    with tempfile.TemporaryDirectory(prefix="course-grade-bench-") as tmp:
        subs = Path(tmp) / "subs"
        for k in range(copies):
            (subs / f"student{k:03d}").mkdir(parents=True)
            for path in notebooks:
                shutil.copy(path, subs / f"student{k:03d}" / path.name)
        started = time.perf_counter()
        summary = grade(subs, Path(tmp) / "out", jobs=jobs, notebooks=[p.stem for p in notebooks],
                        force=True, progress=False)
        seconds = time.perf_counter() - started
    full = all(r["status"] == "passed" for r in summary.rows())
    n = copies * len(notebooks)
    return {"submissions": n, "seconds": seconds, "per_second": n / seconds, "all_passed": full}


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
    per_submission = result["seconds"] / result["submissions"]
    nb_seconds = nbclient_seconds() / len(solution_notebooks())
    print(f"graded {result['submissions']} notebooks in {result['seconds']:.1f} s: "
          f"{result['per_second']:.1f} notebooks/s (all passed: {result['all_passed']})")
    print(f"nbclient: {nb_seconds:.2f} s per notebook; grading: {per_submission:.3f} s per notebook; "
          f"grading is {nb_seconds / per_submission:.0f}x faster")


if __name__ == "__main__":
    main()
