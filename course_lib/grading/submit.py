"""make submit: the student's notebooks in one zip, in the layout the graders accept.

    python -m course_lib.grading.submit [--notebooks notebooks] [--out submission.zip] [--no-grading]

Writes every notebooks/*.ipynb at the top of one zip: upload it to Gradescope as it is (the
autograder grades the notebooks at the top of the submission), or give it to an instructor who
unzips it into SUBMISSIONS/<your name>/ for `course-grade`. Each notebook is first read as the
grader reads it (find.read_notebook): a file that is not valid JSON, is empty, or is not a
notebook is refused with the reason, and no zip is written, so nothing unreadable is submitted.

Submit what you checked: before writing the zip, the notebooks are graded as saved (the grader of
course-progress) and every exercise whose check cell shows ✅ while its saved function fails is
listed (edited after the check, or not saved), with the points the saved notebooks get. The zip is
written all the same: what to fix is the student's call. `--no-grading` skips this.
"""

from __future__ import annotations

import argparse
import os
import sys
import zipfile
from pathlib import Path

from .find import InvalidNotebook, read_notebook
from .progress import grade_folder, mismatch_table, mismatches


def problems(paths: list[Path]) -> list[str]:
    """Why each notebook that the grader could not read is refused (empty list: all fine)."""
    found = []
    for path in paths:
        if path.is_symlink():
            found.append(f"{path.name}: a symbolic link (the graders do not follow links); copy the file")
            continue
        try:
            read_notebook(path)
        except (InvalidNotebook, OSError) as exc:
            found.append(f"{path.name}: {exc}")
        except RecursionError:
            found.append(f"{path.name}: nested too deeply to read")
    return found


def write_zip(notebooks: Path, out: Path) -> list[str]:
    """Write the zip of notebooks/*.ipynb to `out`; returns the problems (then no zip is written)."""
    paths = sorted(notebooks.glob("*.ipynb"))
    if not paths:
        return [f"no notebooks in {notebooks}"]
    found = problems(paths)
    if found:
        return found
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in paths:
            bundle.write(path, path.name)
    os.replace(tmp, out)
    return []


def saved_verdict(notebooks: Path) -> str:
    """The grade of the notebooks as saved, and the exercises whose ✅ does not hold in them."""
    summary = grade_folder(notebooks)
    points = sum(r.points for g in summary.graded for r in g.results)
    most = sum(r.max_points for g in summary.graded for r in g.results)
    return (f"graded as saved: {points:g} of {most:g} points (`make progress` shows them per notebook)\n"
            + mismatch_table(mismatches(summary, notebooks)))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="make submit", description=__doc__.split("\n\n")[0])
    p.add_argument("--notebooks", type=Path, default=Path("notebooks"), help="default: %(default)s")
    p.add_argument("--out", type=Path, default=Path("submission.zip"), help="default: %(default)s")
    p.add_argument("--no-grading", action="store_true",
                   help="do not grade the saved notebooks first (no check of what their ✅ show)")
    args = p.parse_args(argv)
    if not args.notebooks.is_dir():
        print(f"submit: no folder {args.notebooks}; run it from the course's folder", file=sys.stderr)
        return 2
    paths = sorted(args.notebooks.glob("*.ipynb"))
    found = problems(paths)
    if paths and not found and not args.no_grading:
        print(saved_verdict(args.notebooks))
    found = found or write_zip(args.notebooks, args.out)
    if found:
        print("submit: nothing written; fix these notebooks first (File > Save in JupyterLab, or take the "
              "last good copy from git):\n  " + "\n  ".join(found), file=sys.stderr)
        return 1
    with zipfile.ZipFile(args.out) as bundle:
        names = bundle.namelist()
    print(f"wrote {args.out} with {len(names)} notebooks: upload it to Gradescope as it is, or hand it in "
          "to be unzipped into SUBMISSIONS/<your name>/ for course-grade")
    return 0


if __name__ == "__main__":
    sys.exit(main())
