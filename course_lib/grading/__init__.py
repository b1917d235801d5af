"""The autograder: grade a folder of submitted notebooks safely, fast, with feedback.

    course-grade SUBMISSIONS --out OUT [--jobs N] [--timeout S] [--notebook NAME ...] [--force]

or from Python (the benchmark does this):

    from course_lib.grading import grade
    summary = grade("submissions", "grading-out", jobs=2, progress=False)

One module per step of the flow:

    find.py        read a notebook, find the exercise functions by name (AST, not cell positions)
    references.py  what counts as calling the course's reference code (checked in find and child)
    sandbox.py     run them in a limited child process, get plain data back
    child.py       the program inside that process (stdlib + numpy only)
    wire.py        plain data <-> JSON, the only thing that crosses (no pickle)
    score.py       reference answers and verdicts, in the grader's process; statuses and points
    batch.py       all submissions: discover, cache, grade in parallel
    nbgrader.py    nbgrader's layout (submitted/<student>/<assignment>/) and its export CSV
    report.py      grades.csv, summary.csv, HTML feedback, Gradescope results.json, tables
    classview.py   class.html: pass rates, most frequent failures, who needs help
    gradescope.py  the Gradescope autograder bundle (setup.sh, run_autograder) and its run
    progress.py    course-progress: a student grades their own notebooks/
    submit.py      make submit: the student's notebooks in one zip, checked
    cli.py         the course-grade command
    bench.py       throughput, and the comparison with nbclient
"""


def grade(submissions, out, jobs=None, timeout=120.0, notebooks=None, force=False, seed=None,
          memory_mb=None, progress=True, layout="auto", student=None, class_view=True):
    """Grade every submission and write the reports; returns a batch.Summary (see batch.grade)."""
    from .batch import grade as _grade

    return _grade(submissions, out, jobs=jobs, timeout=timeout, notebooks=notebooks, force=force,
                  seed=seed, memory_mb=memory_mb, progress=progress, layout=layout, student=student,
                  class_view=class_view)


__all__ = ["grade"]
