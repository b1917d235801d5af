"""course-grade: the command line of the autograder (see --help)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import gradescope, limits
from .batch import grade
from .collect import LAYOUTS
from .report import class_table, error_table

DESCRIPTION = """\
Grade a folder of submitted notebooks and write a grade book, feedback and Gradescope results.

SUBMISSIONS holds one folder per student with the course's notebooks in it:
    SUBMISSIONS/<student>/<notebook>.ipynb      e.g. submissions/ada/00_welcome.ipynb
at any depth in the student's folder (__MACOSX, .ipynb_checkpoints and hidden folders skipped),
also as "00_welcome (1).ipynb", or in a lone zip (a student's `make submit` zip as it is); when
several files could be one notebook, the newest is graded and the feedback says so. Or nbgrader's
collected submissions (detected, or --layout nbgrader), which also writes OUT/nbgrader-grades.csv
in the columns of `nbgrader export` and feedback where `nbgrader release_feedback` takes it:
    SUBMISSIONS/<student>/<assignment>/<notebook>.ipynb   (SUBMISSIONS = <course>/submitted or <course>)
Symbolic links (student folders or notebooks) are not followed: their rows say so.
Every notebook that has graded exercises is graded for every student (see --notebook); a
notebook a student did not submit scores 0 with status "missing"; other files are listed and
skipped. Submissions are never modified.

How it grades: each exercise is found by the name of the function it defines (cells may be
inserted, deleted or reordered). Only the notebook's top-level imports, defs, classes and
assignments that the exercise functions use are run, in a separate process per notebook with a
CPU, memory and time limit, in a temporary folder; it only returns its functions' outputs as
plain data. Expected values come from the reference implementation in this process, on fixed
edge cases plus random cases drawn from a seed chosen now (recorded in OUT/grading.json and
reused by re-runs into the same OUT). An exercise scores its points when every case is right
(all or nothing). Calling the course's reference code (course_lib) from an exercise scores 0.
Printed output, warnings and stderr never cost points.

Statuses: passed, failed, not_attempted, error, timeout, missing, invalid.

Outputs in OUT:
    grades.csv                         one row per student, notebook and exercise
    summary.csv                        one row per student: total, max
    feedback/<student>.html            per exercise: status and the first failing case
    feedback/<student>/<assignment>/   nbgrader's layout only: <notebook>.html, timestamp.txt...
    gradescope/<student>/results.json  Gradescope autograder format
    grading.json                       seed, limits and grader version of the run
    class.html                         pass rate per exercise (charts), most frequent failures,
                                       the students who most need help
    nbgrader-grades.csv                nbgrader's layout only: nbgrader export's columns
A re-run only regrades notebooks whose content (or the grader) changed, unless --force.

Gradescope: `course-grade gradescope-bundle autograder.zip [--notebook NAME ...]` writes the
autograder zip (setup.sh, run_autograder, course_lib) that grades each submission the same way.

Exit status: 0 when grading ran (whatever the grades), 2 for bad arguments or paths."""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="course-grade", description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("submissions", type=Path, help="folder with one sub-folder per student")
    p.add_argument("--out", type=Path, default=Path("grading-out"),
                   help="folder for the reports (created if needed; default: grading-out)")
    p.add_argument("--jobs", "-j", type=int, default=limits.default_jobs(),
                   help="notebooks graded in parallel (default: the CPUs available = %(default)s)")
    p.add_argument("--timeout", type=float, default=120.0,
                   help="CPU seconds allowed per notebook (default: %(default)s); each exercise also has "
                        "its own limit from the exercise registry")
    p.add_argument("--memory", type=int, default=None, metavar="MB",
                   help="address-space limit of each notebook's process (default: what the machine's "
                        "memory holds for --jobs of them next to the grader, 384-2048 MB)")
    p.add_argument("--notebook", nargs="+", metavar="NAME",
                   help="grade only these notebooks, e.g. --notebook 00_welcome 04_gradient_descent")
    p.add_argument("--seed", type=int, help="seed of the random cases (default: the recorded one, else new)")
    p.add_argument("--force", action="store_true",
                   help="regrade everything, ignoring the cache (and draw a new seed unless --seed)")
    p.add_argument("--layout", choices=LAYOUTS, default="auto",
                   help="folders: SUBMISSIONS/<student>/; nbgrader: SUBMISSIONS/<student>/<assignment>/; "
                        "student: one student's notebooks in SUBMISSIONS; auto (default): nbgrader's "
                        "layout when the folder looks like it, else folders")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no tables")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["gradescope-bundle"]:
        p = argparse.ArgumentParser(prog="course-grade gradescope-bundle",
                                    description="Write the Gradescope autograder zip.")
        gradescope.add_bundle_arguments(p)
        return gradescope.bundle_command(p.parse_args(argv[1:]))
    args = parser().parse_args(argv)
    if args.jobs < 1 or args.timeout <= 0 or (args.memory is not None and args.memory < 256):
        print("course-grade: --jobs must be >= 1, --timeout > 0 and --memory >= 256", file=sys.stderr)
        return 2
    try:
        summary = grade(args.submissions, args.out, jobs=args.jobs, timeout=args.timeout,
                        notebooks=args.notebook, force=args.force, seed=args.seed,
                        memory_mb=args.memory, progress=not args.quiet, layout=args.layout)
    except ValueError as exc:
        print(f"course-grade: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(class_table(summary))
        errors = error_table(summary)
        print("\nProblems:\n" + errors if errors else "\nNo errors, timeouts or invalid files.")
        if summary.layout == "nbgrader":
            print(f"nbgrader export's columns: {args.out / 'nbgrader-grades.csv'}")
        print(f"\n{len(summary.graded)} notebooks of {len(summary.students)} students "
              f"({summary.n_fresh} graded, the rest cached or missing) in {summary.seconds:.1f} s; "
              f"seed {summary.seed}; reports in {args.out}")
        if summary.settings["sandbox"] == "plain":
            print("Note: the notebooks ran as this user and could harm it; install bubblewrap "
                  "(README: Limits of the sandbox).")
    elif summary.report_errors:
        print("\n".join(summary.report_errors), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
