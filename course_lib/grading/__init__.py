"""The autograder: grade a folder of submitted notebooks safely, fast, with feedback.

    course-grade SUBMISSIONS --out OUT [--jobs N] [--timeout S] [--notebook NAME ...] [--force]

or from Python (the benchmark does this):

    from course_lib.grading import grade
    summary = grade("submissions", "grading-out", jobs=2, progress=False)    # batch.grade

Imports run one way: collect -> find -> sandbox/child -> score -> report -> batch -> cli (a test
walks them: tests/test_grading_structure.py).

One module per step of the flow:

    collect.py     the submissions in every layout: student folders, nbgrader's tree, one upload
                   (any depth, zips, browser-renamed copies); the submission objects
    find.py        read a notebook, find the exercise functions by name (AST, not cell positions),
                   in a limited worker process (Analyser)
    references.py  what counts as calling the course's reference code (checked in find and child)
    sandbox.py     run them in a limited child process, get plain data back
    child.py       the program inside that process (stdlib + numpy only)
    wire.py        plain data <-> JSON, the only thing that crosses (no pickle)
    score.py       reference answers and verdicts, in the grader's process; statuses and points
    nbgrader.py    nbgrader's formats: its course folder, timestamps, export rows, feedback files
    batch.py       the whole class: collect, cache, grade in parallel, report (grade())
    report.py      grades.csv, summary.csv, HTML feedback, Gradescope results.json, nbgrader's
                   export and feedback folders, tables
    classview.py   class.html: pass rates, most frequent failures, who needs help
    gradescope.py  the Gradescope autograder bundle (setup.sh, run_autograder) and its run
    progress.py    course-progress: a student grades their own notebooks/
    submit.py      make submit: the student's notebooks in one zip, checked
    cli.py         the course-grade command
    bench.py       throughput, and the comparison with nbclient
"""


from .batch import grade

__all__ = ["grade"]
