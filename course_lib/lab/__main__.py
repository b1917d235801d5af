"""Set up the course and start JupyterLab, without make (Windows, or no make installed).

    python -m course_lib.lab                      # in the course's folder: what `make lab` does
    python -m course_lib.lab --setup-only         # only the set-up (`make venv` runs this)
    python -m course_lib.lab --dry-run            # print what it would do
    python -m course_lib.lab -- --no-browser --port 8888      # options after -- go to jupyter lab
    python -m course_lib.lab --here               # repo2docker's postBuild (Binder, JupyterHub)

The set-up: a virtual environment `.venv` (made with the Python that runs this, >= 3.11), the
pinned requirements.txt, course_lib installed editable, and the lab settings
(course_lib/lab/overrides.json) copied into the environment's JupyterLab settings. It is redone
only when requirements.txt, pyproject.toml or the settings changed since the last time (the stamp
file `.venv/.installed`, shared with the Makefile). Then JupyterLab opens on the welcome notebook.
`--here` sets up the environment of the Python that runs it instead, where the requirements are
already installed (repo2docker installs requirements.txt before it runs postBuild): course_lib
editable and the settings, nothing else.
Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = Path(__file__).resolve().parent / "overrides.json"
INPUTS = ("requirements.txt", "pyproject.toml", "course_lib/lab/overrides.json")
WELCOME = "/lab/tree/notebooks/00_welcome.ipynb"


def venv_python(venv: Path) -> Path:
    """The venv's interpreter (bin/python, or Scripts\\python.exe on Windows)."""
    windows = venv / "Scripts" / "python.exe"
    return windows if os.name == "nt" or windows.exists() else venv / "bin" / "python"


def stale(venv: Path) -> bool:
    """True if the set-up must (re)run: no stamp, or an input changed after it."""
    stamp = venv / ".installed"
    if not stamp.exists() or not venv_python(venv).exists():
        return True
    return any((ROOT / name).stat().st_mtime > stamp.stat().st_mtime for name in INPUTS)


def setup_steps(venv: Path) -> list[list[str]]:
    """The commands of the set-up, in order (the settings copy and the stamp follow them)."""
    python = str(venv_python(venv))
    steps = [] if venv_python(venv).exists() else [[sys.executable, "-m", "venv", str(venv)]]
    return steps + [
        [python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
        [python, "-m", "pip", "install", "--quiet", "-r", str(ROOT / "requirements.txt")],
        [python, "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(ROOT)],
    ]


def settings_path(venv: Path) -> Path:
    """Where JupyterLab in `venv` reads its settings overrides."""
    return venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def lab_command(venv: Path, extra: list[str]) -> list[str]:
    """JupyterLab on the course folder, opening the welcome notebook."""
    command = [str(venv_python(venv)), "-m", "jupyterlab", f"--ServerApp.root_dir={ROOT}",
               f"--LabApp.default_url={WELCOME}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command + extra


def setup(venv: Path, dry_run: bool = False) -> None:
    """Make the venv, install the pinned requirements and course_lib, install the lab settings."""
    if not stale(venv):
        print(f"{venv} is up to date")
        return
    for step in setup_steps(venv):
        print("+", " ".join(step), flush=True)
        if not dry_run:
            subprocess.run(step, check=True)
    print(f"+ copy {SETTINGS} -> {settings_path(venv)}")
    if not dry_run:
        settings_path(venv).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SETTINGS, settings_path(venv))
        (venv / ".installed").touch()


def setup_here(dry_run: bool = False) -> None:
    """course_lib (editable) and the lab settings into the running Python's environment."""
    steps = [[sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(ROOT)]]
    for step in steps:
        print("+", " ".join(step), flush=True)
        if not dry_run:
            subprocess.run(step, check=True)
    target = settings_path(Path(sys.prefix))
    print(f"+ copy {SETTINGS} -> {target}")
    if not dry_run:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SETTINGS, target)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    own = argv[: argv.index("--")] if "--" in argv else argv
    p = argparse.ArgumentParser(prog="python -m course_lib.lab", description=__doc__.split("\n\n")[0])
    p.add_argument("--setup-only", action="store_true", help="set up .venv, do not start JupyterLab")
    p.add_argument("--dry-run", action="store_true", help="print the commands, change nothing")
    p.add_argument("--here", action="store_true",
                   help="set up this Python's environment: course_lib, settings (postBuild)")
    p.add_argument("--venv", type=Path, default=ROOT / ".venv", help="default: .venv in the course folder")
    args = p.parse_args(own)
    if sys.version_info < (3, 11):  # noqa: UP036 (this runs with whatever Python the student has)
        print(f"course_lib.lab: Python 3.11 or newer is needed (this is {sys.version.split()[0]})",
              file=sys.stderr)
        return 2
    if not (ROOT / "requirements.txt").is_file():
        print(f"course_lib.lab: run it from a checkout of the course ({ROOT} has no requirements.txt)",
              file=sys.stderr)
        return 2
    venv = args.venv if args.venv.is_absolute() else Path.cwd() / args.venv
    try:
        if args.here:
            setup_here(args.dry_run)
            return 0
        setup(venv, args.dry_run)
    except subprocess.CalledProcessError as exc:
        print(f"course_lib.lab: set-up failed at: {' '.join(exc.cmd)}", file=sys.stderr)
        return 1
    if args.setup_only:
        return 0
    command = lab_command(venv, extra)
    print("+", " ".join(command), flush=True)
    if args.dry_run:
        return 0
    return subprocess.run(command, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main())
