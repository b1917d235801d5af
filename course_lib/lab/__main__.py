"""Set up the course and start JupyterLab, without make (Windows, or no make installed).

    python -m course_lib.lab                      # in the course's folder: what `make lab` does
    python -m course_lib.lab --setup-only         # only the set-up (`make venv` runs this)
    python -m course_lib.lab --dry-run            # print what it would do
    python -m course_lib.lab -- --no-browser --port 8888      # options after -- go to jupyter lab
    python -m course_lib.lab --here               # repo2docker's postBuild (Binder, JupyterHub)

The set-up: a virtual environment `.venv` (made with the Python that runs this, >= 3.11), the
pinned requirements.txt, course_lib installed editable, pip, and the lab settings
(course_lib/lab/overrides.json) copied into the environment's JupyterLab settings, and its page
config (course_lib/lab/page_config.json) merged into the environment's labconfig. It is redone
only when requirements.txt, pyproject.toml or either of those files changed since the last time (the stamp
file `.venv/.installed`, shared with the Makefile, names the installer used). Then JupyterLab
opens on the welcome notebook.

The installer is uv where it can be had (about ten times faster than pip): a `uv` on the PATH, or
uv UV_VERSION installed once with pip into a small tool environment in the user's cache folder
(TOOLS_VAR overrides where). Otherwise, or if uv fails, it is venv + pip as before; it says which
one it used. INSTALLER_VAR=pip forces pip, =uv insists on uv. Both make the same environment.

`--here` sets up the environment of the Python that runs it instead (repo2docker's, which installed
requirements.txt and ran `pip install .` before postBuild): only the lab settings, and course_lib
(not editable, so the image does not depend on the repository folder) if it is not installed yet.

Three choices there keep an explorer's slider cheap for the browser. The settings choose the
notebook windowing mode 'defer' (cells attached once, when the CPU is idle): with JupyterLab's
default, content-visibility, the page kept redrawing 60 times a second at rest after a click on a
slider, 40-50 ms of CPU a second. They also show the kernel's execution indicator (the busy circle)
in the status bar instead of the notebook's toolbar: a widget message makes the kernel busy and
idle again, and each change of the indicator inside the toolbar made the toolbar (a web component)
look over all its buttons for the focusable ones and set their tabindex, with a layout to read
their boxes, twice a press: about 4 ms of the page's script a press. The page config turns one
JupyterLab plugin off: the tab's busy favicon. JupyterLab marks the whole application busy whenever
a kernel is, and a widget message makes the kernel busy for a moment, so every slider press swapped
the favicon to busy and back, and the browser fetched each icon from the server: about 20 ms of CPU
a press, spread over the browser and the server. The kernel's busy state still shows in the status
bar. The plugin is also listed as locked, as JupyterLab 4.1+ writes it (a page config with disabled
and no locked extensions is rewritten by JupyterLab's own migration on its first start).

Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = Path(__file__).resolve().parent / "overrides.json"
PAGE_CONFIG = Path(__file__).resolve().parent / "page_config.json"
INPUTS = ("requirements.txt", "pyproject.toml", "course_lib/lab/overrides.json",
          "course_lib/lab/page_config.json")
WELCOME = "/lab/tree/notebooks/00_welcome.ipynb"
UV_VERSION = "0.13.9"                      # the uv installed into the tool environment (PyPI, Dec 2026)
INSTALLER_VAR = "COURSE_SETUP_INSTALLER"   # "uv" or "pip"; unset: uv when it can be had, else pip
TOOLS_VAR = "COURSE_SETUP_TOOLS"           # folder of the uv tool environment (default: user cache)
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)


def scripts(env: Path) -> Path:
    """An environment's folder of executables (bin, or Scripts on Windows)."""
    return env / "Scripts" if os.name == "nt" else env / "bin"


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


# --- which installer ------------------------------------------------------------------------------
def tools_dir() -> Path:
    """Where uv's tool environment lives: TOOLS_VAR, else the user's cache folder."""
    if os.environ.get(TOOLS_VAR):
        return Path(os.environ[TOOLS_VAR]).absolute()
    if os.name == "nt":
        cache = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        cache = Path.home() / "Library" / "Caches"
    else:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "course_lib" / f"uv-{UV_VERSION}"


def tool_uv(tools: Path) -> Path:
    return scripts(tools) / ("uv.exe" if os.name == "nt" else "uv")


def runs(command: list[str]) -> bool:
    try:
        return subprocess.run(command, capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def install_uv(tools: Path) -> Path | None:
    """pip-install uv UV_VERSION (a wheel, never a build) into a new environment at `tools`.

    Built in a folder of its own and renamed into place, so an interrupted install leaves nothing
    half made. Returns the uv executable, or None if it could not be installed."""
    building = tools.with_name(f"{tools.name}.{os.getpid()}.tmp")
    steps = [[BASE_PYTHON, "-m", "venv", str(building)],
             [str(venv_python(building)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
              "--only-binary=:all:", f"uv=={UV_VERSION}"]]
    try:
        for step in steps:
            print("+", " ".join(step), flush=True)
            subprocess.run(step, check=True, timeout=600)
        if not runs([str(tool_uv(building)), "--version"]):
            raise OSError("the installed uv does not run")
        try:
            building.rename(tools)
        except OSError:                   # another set-up put it there first
            if not tool_uv(tools).exists():
                raise
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"course_lib.lab: could not install uv ({exc})", flush=True)
        return None
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return tool_uv(tools)


def find_uv(dry_run: bool = False) -> tuple[str | None, str]:
    """(uv's path, how it was found), or (None, why not). May install uv (not on a dry run)."""
    on_path = shutil.which("uv")
    if on_path and runs([on_path, "--version"]):
        return on_path, "installed"
    tools = tools_dir()
    if tool_uv(tools).exists() and runs([str(tool_uv(tools)), "--version"]):
        return str(tool_uv(tools)), f"uv {UV_VERSION} from {tools}"
    if dry_run:
        print(f"+ (would pip-install uv=={UV_VERSION} into {tools})")
        return str(tool_uv(tools)), f"uv {UV_VERSION}, to be installed into {tools}"
    print(f"course_lib.lab: no uv found; installing uv {UV_VERSION} with pip into {tools} (once)", flush=True)
    uv = install_uv(tools)
    if uv is None:
        return None, "uv could not be installed"
    return str(uv), f"uv {UV_VERSION}, just installed into {tools}"


def choose_installer(dry_run: bool = False) -> tuple[str | None, str]:
    """(uv's path or None for pip, the reason), as INSTALLER_VAR asks; SystemExit if uv is
    insisted on and cannot be had."""
    wanted = os.environ.get(INSTALLER_VAR, "").strip().lower()
    if wanted not in ("", "uv", "pip"):
        raise SystemExit(f"course_lib.lab: {INSTALLER_VAR}={wanted!r}: use uv or pip")
    if wanted == "pip":
        return None, f"{INSTALLER_VAR}=pip"
    uv, why = find_uv(dry_run)
    if uv is None and wanted == "uv":
        raise SystemExit(f"course_lib.lab: {INSTALLER_VAR}=uv, but {why}")
    return uv, why


# --- the set-up ---------------------------------------------------------------------------------
def pip_steps(venv: Path) -> list[list[str]]:
    """venv + pip: the commands of the set-up, in order (the settings copy and the stamp follow)."""
    python = str(venv_python(venv))
    steps = [] if venv_python(venv).exists() else [[BASE_PYTHON, "-m", "venv", str(venv)]]
    return steps + [
        [python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
        [python, "-m", "pip", "install", "--quiet", "-r", str(ROOT / "requirements.txt")],
        [python, "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(ROOT)],
    ]


def uv_steps(uv: str, venv: Path) -> list[list[str]]:
    """The same with uv: a venv with pip in it (--seed), the requirements and course_lib (editable,
    no dependencies of its own) resolved together."""
    python = str(venv_python(venv))
    steps = [] if venv_python(venv).exists() else [[uv, "venv", "--seed", "--python", BASE_PYTHON, str(venv)]]
    return steps + [[uv, "pip", "install", "--python", python, "-r", str(ROOT / "requirements.txt"),
                     "-e", str(ROOT)]]


def setup_steps(venv: Path, uv: str | None = None) -> list[list[str]]:
    return uv_steps(uv, venv) if uv else pip_steps(venv)


def settings_path(venv: Path) -> Path:
    """Where JupyterLab in `venv` reads its settings overrides."""
    return venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def page_config_path(env: Path) -> Path:
    """Where JupyterLab in `env` reads the page config of its sys-prefix level (the file
    `jupyter labextension disable --level=sys_prefix` writes)."""
    return env / "etc" / "jupyter" / "labconfig" / "page_config.json"


def install_lab_config(env: Path, dry_run: bool = False) -> None:
    """The settings overrides copied into `env`, the page config merged into what `env` has (another
    package's disabled or deferred extensions are kept; ours are added)."""
    print(f"+ copy {SETTINGS} -> {settings_path(env)}")
    print(f"+ merge {PAGE_CONFIG} into {page_config_path(env)}")
    if dry_run:
        return
    settings_path(env).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SETTINGS, settings_path(env))
    target = page_config_path(env)
    try:
        config = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        config = {}
    if not isinstance(config, dict):
        config = {}
    for key, value in json.loads(PAGE_CONFIG.read_text(encoding="utf-8")).items():
        if isinstance(value, dict) and isinstance(config.get(key), dict):
            config[key] = {**config[key], **value}
        else:
            config[key] = value
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def lab_command(venv: Path, extra: list[str]) -> list[str]:
    """JupyterLab on the course folder, opening the welcome notebook."""
    command = [str(venv_python(venv)), "-m", "jupyterlab", f"--ServerApp.root_dir={ROOT}",
               f"--LabApp.default_url={WELCOME}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command + extra


def run_steps(steps: list[list[str]], dry_run: bool) -> None:
    for step in steps:
        print("+", " ".join(step), flush=True)
        if not dry_run:
            subprocess.run(step, check=True)


def setup(venv: Path, dry_run: bool = False) -> None:
    """Make the venv, install the pinned requirements and course_lib, install the lab settings."""
    if not stale(venv):
        print(f"{venv} is up to date")
        return
    uv, why = choose_installer(dry_run)
    used = "uv" if uv else "pip"
    print(f"course_lib.lab: setting up {venv} with {used} ({why})", flush=True)
    try:
        run_steps(setup_steps(venv, uv), dry_run)
    except subprocess.CalledProcessError as exc:
        if uv is None or os.environ.get(INSTALLER_VAR, "").strip().lower() == "uv":
            raise
        print(f"course_lib.lab: uv failed at: {' '.join(exc.cmd)}; setting up with venv + pip instead",
              flush=True)
        used = "pip"
        run_steps(setup_steps(venv), dry_run)
    install_lab_config(venv, dry_run)
    if not dry_run:
        (venv / ".installed").write_text(f"installer: {used}\n")
    print(f"course_lib.lab: {venv} is ready (installed with {used})", flush=True)


def installed_here() -> str | None:
    """How course_lib is installed in the running Python's environment: 'regular', 'editable' or
    None (not installed). Read from its metadata, so a course_lib folder in the working directory
    does not count."""
    try:
        dist = importlib.metadata.distribution("course_lib")
    except importlib.metadata.PackageNotFoundError:
        return None
    direct = dist.read_text("direct_url.json")
    editable = bool(direct and json.loads(direct).get("dir_info", {}).get("editable"))
    return "editable" if editable else "regular"


def setup_here(dry_run: bool = False) -> None:
    """The lab settings and page config into the running Python's environment, and course_lib if
    it is missing.

    repo2docker has installed course_lib already (`pip install .`, a regular install into
    site-packages); it is kept as it is. Where it is missing or editable (an editable install
    points into the repository folder, which a hub's persistent home hides), it is installed
    regularly here."""
    how = installed_here()
    print(f"course_lib.lab: course_lib in {sys.prefix}: {how or 'not installed'}", flush=True)
    if how != "regular":
        run_steps([[sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-cache-dir",
                    str(ROOT)]], dry_run)
    install_lab_config(Path(sys.prefix), dry_run)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    own = argv[: argv.index("--")] if "--" in argv else argv
    p = argparse.ArgumentParser(prog="python -m course_lib.lab", description=__doc__.split("\n\n")[0])
    p.add_argument("--setup-only", action="store_true", help="set up .venv, do not start JupyterLab")
    p.add_argument("--dry-run", action="store_true", help="print the commands, change nothing")
    p.add_argument("--here", action="store_true",
                   help="set up this Python's environment: the lab settings (postBuild)")
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
