"""The Gradescope autograder: build its zip, and grade one submission inside Gradescope's container.

    course-grade gradescope-bundle autograder.zip [--notebook NAME ...] [--timeout S] [--memory MB]

writes the zip that Gradescope's "zip file upload" autograder takes:

    setup.sh                  run once when Gradescope builds the image: a Python >= 3.11 (apt's, or
                              Ubuntu's deadsnakes PPA when the image has none), bubblewrap (the
                              grader's sandbox; apt, when missing), a venv with the pinned
                              requirements-grading.txt, and course_lib copied from this zip into it
                              (pure Python: no build step, nothing of the course downloaded)
    run_autograder            run for every submission: `python -m course_lib.grading.gradescope run`
    requirements-grading.txt  what grading needs, pinned as in requirements.txt
    config.json               the notebooks to grade and the limits (from the options above)
    course_lib/               the package, as in this checkout

`run` grades the notebooks in AUTOGRADER_ROOT/submission (default /autograder/submission; a
single folder inside it also works) with the same grader and scoring as `course-grade`
(batch.grade, layout "student") and writes AUTOGRADER_ROOT/results/results.json in Gradescope's
format (report.gradescope_results: one test per exercise, numbered and tagged with its notebook,
all text in Gradescope's "text" format). run_autograder always leaves a valid results.json: a placeholder
before grading starts, the grader's results, or, when Python or course_lib cannot start, a
score of 0 that tells the student to tell the instructor. The assignment's points on Gradescope
must be set to total_points() (printed by the bundle command): results.json has no total.
Both scripts honour AUTOGRADER_ROOT; setup.sh also takes AUTOGRADER_PYTHON, the interpreter to
build the venv from (skips looking for one).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
import zipfile
from pathlib import Path

from .. import exercises
from .batch import grade
from .report import gradescope_results, terminal_text, write_atomic

COURSE_LIB = Path(__file__).resolve().parent.parent
REQUIREMENTS = COURSE_LIB.parent / "requirements-grading.txt"
DEFAULT_ROOT = "/autograder"

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (see run_autograder).
# AUTOGRADER_ROOT (default /autograder) holds source/ (this zip); AUTOGRADER_PYTHON picks the
# interpreter for the venv instead of looking for one.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
VENV="$ROOT/venv"

new_enough() { "$1" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }

PY="${AUTOGRADER_PYTHON:-}"
if [ -z "$PY" ]; then
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null && new_enough "$(command -v "$candidate")"; then
            PY="$(command -v "$candidate")"
            break
        fi
    done
fi
if [ -z "$PY" ]; then
    # Gradescope's Ubuntu 22.04 image has Python 3.10: Python 3.11 from apt, else deadsnakes' PPA
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    if ! apt-get install -y -q python3.11 python3.11-venv; then
        apt-get install -y -q software-properties-common
        add-apt-repository -y ppa:deadsnakes/ppa
        apt-get update -q
        apt-get install -y -q python3.11 python3.11-venv
    fi
    PY="$(command -v python3.11)"
fi
new_enough "$PY" || { echo "setup.sh: $PY is not Python >= 3.11 with venv" >&2; exit 1; }

# The grader's sandbox is bubblewrap where it exists and the container allows it (else its fallback)
if ! command -v bwrap >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    (apt-get update -q && apt-get install -y -q bubblewrap) ||
        echo "setup.sh: no bubblewrap; the grader uses its fallback sandbox"
fi
echo "setup.sh: building $VENV from $("$PY" -c 'import sys; print(sys.version.split()[0])') ($PY)"

rm -rf "$VENV"
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$SOURCE/requirements-grading.txt"
SITE="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
rm -rf "$SITE/course_lib"
cp -R "$SOURCE/course_lib" "$SITE/course_lib"
chmod -R a+rX "$VENV"        # each notebook runs as an unprivileged user, who must read the venv
"$VENV/bin/python" -I -c 'import course_lib.grading.gradescope, course_lib.grading.batch'
echo "setup.sh: ready"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission, as root, in /autograder (AUTOGRADER_ROOT).
# It always leaves a valid results/results.json: a placeholder before grading starts (what the
# student sees if grading never finishes), the grader's results when it ran, and, when Python or
# course_lib cannot even start, a result that says so and asks the student to tell the instructor.
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
RESULTS="$ROOT/results/results.json"
PLACEHOLDER="__PLACEHOLDER__"

answer() {    # a valid results.json, score 0, with the message $1 (our own fixed text: no escaping needed)
    mkdir -p "$ROOT/results"
    printf '{"score": 0, "execution_time": 0, "output": "%s", "output_format": "text",%s}\n' "$1" \
        ' "test_output_format": "text", "visibility": "visible", "stdout_visibility": "hidden", "tests": []' \
        > "$RESULTS.tmp" && mv -f "$RESULTS.tmp" "$RESULTS"
}

answer "$PLACEHOLDER"
cd "$ROOT" || true
# -I: isolated, so the course_lib in the venv is graded with, never one in the working folder
"$ROOT/venv/bin/python" -I -m course_lib.grading.gradescope run --root "$ROOT"
status=$?
if grep -qF "$PLACEHOLDER" "$RESULTS" 2>/dev/null; then
    echo "run_autograder: the grader ended with status $status without writing results.json" >&2
    if [ "$status" -ne 0 ]; then
        answer "__NO_START__ (exit status $status)"
    fi
fi
exit 0
"""
PLACEHOLDER_MESSAGE = ("Grading did not finish: your notebooks have not been graded yet, or grading stopped "
                       "before it could report. If this message stays, tell your instructor.")
NO_START_MESSAGE = ("The autograder could not run (its Python environment or the course's grading "
                    "library failed to load, or it was stopped), so your notebooks were not graded and "
                    "this score of 0 is not your grade. This is not a problem with your submission: "
                    "please tell your instructor.")
RUN_AUTOGRADER = RUN_AUTOGRADER.replace("__PLACEHOLDER__", PLACEHOLDER_MESSAGE).replace(
    "__NO_START__", NO_START_MESSAGE)


def package_files() -> list[Path]:
    """course_lib's files as installed: source and data, no caches."""
    return sorted(p for p in COURSE_LIB.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo"))


def write_bundle(path: Path, notebooks: list[str] | None = None, timeout: float = 120.0,
                 memory_mb: int | None = None, seed: int | None = None) -> Path:
    """Write the autograder zip to `path`; ValueError for an unknown notebook or no requirements file."""
    known = exercises.notebooks()
    bad = [n for n in notebooks or [] if n not in known]
    if bad:
        raise ValueError(f"unknown notebook {', '.join(bad)}; notebooks with exercises: {', '.join(known)}")
    if not REQUIREMENTS.is_file():
        raise ValueError(f"{REQUIREMENTS} is missing: build the bundle from a checkout of the course")
    config = {"notebooks": notebooks or None, "timeout": timeout, "memory_mb": memory_mb, "seed": seed}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = 0o100755 << 16          # executable, as Gradescope needs
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, text)
        bundle.write(REQUIREMENTS, "requirements-grading.txt")
        bundle.writestr("config.json", json.dumps(config, indent=1))
        for file in package_files():
            bundle.write(file, f"course_lib/{file.relative_to(COURSE_LIB).as_posix()}")
    os.replace(tmp, path)
    return path


def submission_folder(submission: Path) -> Path:
    """Where the notebooks are: the whole upload; collect.py (layout "student") finds them at any
    depth, in a lone zip, or renamed by a browser, and says which file it graded."""
    return submission


def total_points(notebooks: list[str] | None = None) -> float:
    """The points of every exercise of `notebooks` (default: all): the assignment's points on Gradescope."""
    return sum(ex.points for n in notebooks or exercises.notebooks() for ex in exercises.for_notebook(n))


def results(root: Path) -> dict:
    """Grade AUTOGRADER_ROOT/submission as course-grade would; the results.json content."""
    config = json.loads((root / "source" / "config.json").read_text())
    with tempfile.TemporaryDirectory(prefix="course-grade-") as out:
        summary = grade(submission_folder(root / "submission"), Path(out), timeout=config["timeout"],
                        memory_mb=config["memory_mb"], notebooks=config["notebooks"], seed=config["seed"],
                        progress=False, layout="student", student="submission", class_view=False)
    return gradescope_results(summary.graded, [f"skipped: {u}" for u in summary.unknown])


def failed_results(exc: BaseException, seconds: float) -> dict:
    """results.json when grading itself failed: score 0, and why, for the student to pass on."""
    return {"score": 0.0, "execution_time": int(seconds),
            "output": terminal_text(f"The autograder failed ({type(exc).__name__}: {exc}), so your notebooks "
                                    "were not graded and this score of 0 is not your grade; please tell your "
                                    "instructor."),
            "output_format": "text", "test_output_format": "text", "visibility": "visible",
            "stdout_visibility": "hidden", "tests": []}


def run(root: Path) -> int:
    """Write results.json; if grading itself fails, a results.json that says so (score 0)."""
    started = time.perf_counter()
    try:
        data = results(root)
    except Exception as exc:       # the student must see something, and the instructor why
        traceback.print_exc()
        data = failed_results(exc, time.perf_counter() - started)
    write_atomic(root / "results" / "results.json", json.dumps(data, indent=1))
    most = sum(t.get("max_score", 0) for t in data["tests"])
    print(f"{data['score']:g} of {most:g} points; results in {root / 'results'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m course_lib.grading.gradescope",
                                description="Build the Gradescope autograder zip, or grade inside it.")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("bundle", help="write the autograder zip")
    add_bundle_arguments(b)
    r = sub.add_parser("run", help="grade ROOT/submission into ROOT/results/results.json")
    r.add_argument("--root", type=Path, default=Path(os.environ.get("AUTOGRADER_ROOT", DEFAULT_ROOT)))
    args = p.parse_args(argv)
    if args.command == "run":
        return run(args.root)
    return bundle_command(args)


def add_bundle_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("zip", type=Path, help="the zip to write, e.g. autograder.zip")
    p.add_argument("--notebook", nargs="+", metavar="NAME",
                   help="grade only these notebooks (one Gradescope assignment per notebook); default all")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per notebook (default %(default)s)")
    p.add_argument("--memory", type=int, default=None, metavar="MB",
                   help="address-space limit per notebook (default: fitted to the container when grading)")
    p.add_argument("--seed", type=int, help="fix the seed of the random cases (default: new per submission)")


def bundle_command(args) -> int:
    try:
        path = write_bundle(args.zip, args.notebook, args.timeout, args.memory, args.seed)
    except ValueError as exc:
        print(f"course-grade gradescope-bundle: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}: upload it as the assignment's autograder (Configure Autograder, zip file upload)\n"
          f"set the assignment's points to {total_points(args.notebook):g} (the points of its exercises)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
