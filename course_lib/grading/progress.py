"""course-progress: a student grades their own notebooks/ with the course's grader.

    course-progress                 # or: make progress
    course-progress --notebook 06_sgd_momentum_nesterov

Grades notebooks/*.ipynb exactly as `course-grade` (and the Gradescope autograder) would, the
same cases and scoring (batch.grade, layout "student"), with a progress bar while it runs, and
prints per notebook the exercises passed out of the total and the points, then what is left to
do. Nothing is written next to the notebooks (the reports go to a temporary folder). The random
cases come from a new seed each time, as on every grading run.

It grades the notebooks as saved, and lists every exercise whose check cell shows ✅ in the saved
notebook while the saved function fails (`mismatches`): the function was edited after its check
ran, or the notebook was not saved after a change. `make submit` prints the same list.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from .batch import grade
from .find import InvalidNotebook, cell_number, check_calls, parse_notebook, read_notebook
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


def shown_passes(path: Path, exercise_ids: list[str]) -> dict[str, int]:
    """exercise id -> the cell (its position in the notebook, from 1) whose saved output shows the
    exercise's ✅, when the last check cell of that exercise with an output shows one."""
    nb = read_notebook(path, keep_outputs=True)
    program = parse_notebook(nb, path.stem)
    shown = {}
    for exercise_id in exercise_ids:
        cells = [cell_number(program, cell) for cell, _ in check_calls(program, exercise_id)]
        for position in reversed(cells):
            text = output_text(nb.cells[position - 1])
            if text:
                if f"✅ [{exercise_id}]" in text:
                    shown[exercise_id] = position
                break
    return shown


def output_text(cell) -> str:
    """The text a code cell's saved outputs show (printed text and plain-text results)."""
    parts = []
    for output in cell.get("outputs", []) if isinstance(cell, dict) else []:
        if not isinstance(output, dict):
            continue
        text = output.get("text") if output.get("output_type") == "stream" else \
            (output.get("data") or {}).get("text/plain")
        parts.append("".join(text) if isinstance(text, list) else str(text or ""))
    return "".join(parts)


def mismatches(summary, folder: Path) -> list[tuple[str, str, int, str, str]]:
    """(notebook, exercise, cell, status, message) for each exercise whose saved check cell shows ✅
    while the grader, reading the saved notebook, does not pass it."""
    found = []
    for g in summary.graded:
        failing = [r for r in g.results if r.status != PASSED]
        if not failing:
            continue
        try:
            shown = shown_passes(folder / f"{g.notebook}.ipynb", [r.exercise for r in failing])
        except (InvalidNotebook, OSError, RecursionError, IndexError):
            continue
        found += [(g.notebook, r.exercise, shown[r.exercise], r.status, r.message)
                  for r in failing if r.exercise in shown]
    return found


def mismatch_table(rows: list[tuple[str, str, int, str, str]]) -> str:
    """The mismatches as a table, with what to do; one sentence when there are none."""
    if not rows:
        return "Every ✅ your saved notebooks show holds: the grader passes those exercises too."
    lines = [f"⚠️  {len(rows)} exercise(s) show ✅ in the saved notebook, but the saved function fails:",
             f"  {'notebook':<26} {'exercise':<28} {'shows':<12} graded as saved"]
    for notebook, exercise, cell, status, message in rows:
        lines.append(f"  {notebook:<26} {exercise:<28} {f'✅ cell {cell}':<12} "
                     f"{status.replace('_', ' ')}: {message[:90]}")
    lines.append("  The function was edited after its check ran, or the notebook was not saved after a "
                 "change: run the function's cell and its check again, then save (File > Save).")
    return "\n".join(lines)


def grade_folder(folder: Path, notebooks: list[str] | None = None, jobs: int | None = None,
                 progress: bool = True):
    """Grade one student's notebooks in `folder` as saved (layout "student"); the reports go to a
    temporary folder. ValueError for misuse (an unknown notebook)."""
    with tempfile.TemporaryDirectory(prefix="course-progress-") as out:
        return grade(folder, Path(out), jobs=jobs, notebooks=notebooks, progress=progress,
                     layout="student", student="you", class_view=False)


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
    try:
        summary = grade_folder(args.notebooks, args.notebook, args.jobs, progress=not args.quiet)
    except ValueError as exc:
        print(f"course-progress: {exc}", file=sys.stderr)
        return 2
    print(table(summary))
    rows = mismatches(summary, args.notebooks)
    if rows:
        print()
        print(mismatch_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
