"""course-progress: a student grades their own notebooks/ with the course's grader.

    course-progress                 # or: make progress
    course-progress --notebook 06_sgd_momentum_nesterov

Grades notebooks/*.ipynb exactly as `course-grade` (and the Gradescope autograder) would, the
same cases and scoring (batch.grade, layout "student"), with a progress bar while it runs, and
prints per notebook the exercises passed out of the total and the points, then what is left to
do. Nothing is written next to the notebooks (the reports go to a temporary folder). The random
cases come from a new seed each time, as on every grading run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from .batch import grade
from .score import PASSED


def table(summary) -> str:
    """Per notebook: exercises passed out of total, points; then the exercises not passed yet."""
    lines = [f"{'notebook':<28} {'exercises passed':>16} {'points':>10}"]
    todo = []
    total = most = 0.0
    for g in summary.graded:
        passed = sum(r.status == PASSED for r in g.results)
        points = sum(r.points for r in g.results)
        top = sum(r.max_points for r in g.results)
        total, most = total + points, most + top
        lines.append(f"{g.notebook:<28} {f'{passed} of {len(g.results)}':>16} {f'{points:g} / {top:g}':>10}")
        left = [f"{r.exercise} ({r.status.replace('_', ' ')})" for r in g.results if r.status != PASSED]
        todo += [f"  {g.notebook}: {', '.join(left)}"] if left else []
    lines.append(f"{'total':<28} {'':>16} {f'{total:g} / {most:g}':>10}")
    if todo:
        lines += ["", "Not passed yet (run the notebook's check cells for the details):"] + todo
    else:
        lines += ["", "Every exercise passes. `make submit` packs your notebooks for submission."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="course-progress", description=__doc__.split("\n\n")[0])
    p.add_argument("--notebooks", type=Path, default=Path("notebooks"),
                   help="the folder with your notebooks (default: %(default)s)")
    p.add_argument("--notebook", nargs="+", metavar="NAME", help="only these notebooks, e.g. 00_welcome")
    p.add_argument("--jobs", type=int, default=None, help="notebooks graded in parallel (default: all cores)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    args = p.parse_args(argv)
    if not args.notebooks.is_dir():
        print(f"course-progress: no folder {args.notebooks}; run it in the course's folder", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="course-progress-") as out:
        try:
            summary = grade(args.notebooks, Path(out), jobs=args.jobs, notebooks=args.notebook,
                            progress=not args.quiet, layout="student", student="you", class_view=False)
        except ValueError as exc:
            print(f"course-progress: {exc}", file=sys.stderr)
            return 2
    print(table(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
