"""The grader fits the container it runs in (issue 19, item 4): Gradescope's default is 0.5 vCPU
and 768 MB, where os.cpu_count() is the host's cores.

limits.py reads the CPUs (affinity, cgroup v1/v2 quota) and memory (cgroup, RAM, RLIMIT_AS) and
derives the default jobs and --memory; an honest class then passes with one CPU and a 768 MB
address-space limit on the whole grader (course-grade under taskset and prlimit).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course_lib.grading import limits

ROOT = Path(__file__).resolve().parent.parent
MB = 1 << 20


def cgroup(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text + "\n")
    return tmp_path


@pytest.mark.parametrize("files, cpus", [
    ({"cpu.max": "50000 100000"}, 1),                                   # Gradescope: 0.5 vCPU
    ({"cpu.max": "150000 100000"}, 2),
    ({"cpu.max": "max 100000"}, None),                                  # no quota: the affinity
    ({"cpu/cpu.cfs_quota_us": "100000", "cpu/cpu.cfs_period_us": "100000"}, 1),   # cgroup v1
    ({"cpu/cpu.cfs_quota_us": "-1", "cpu/cpu.cfs_period_us": "100000"}, None),
])
def test_cpus_follow_the_cgroup_quota(tmp_path, monkeypatch, files, cpus):
    monkeypatch.setattr(limits, "CGROUP", str(cgroup(tmp_path, files)))
    affinity = len(os.sched_getaffinity(0))
    assert limits.available_cpus() == (min(cpus, affinity) if cpus else affinity)


def test_cpus_follow_the_affinity(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3})
    monkeypatch.setattr(limits, "cgroup_cpu_quota", lambda: None)
    assert limits.available_cpus() == 1


@pytest.mark.parametrize("files", [{"memory.max": str(768 * MB)},
                                   {"memory/memory.limit_in_bytes": str(768 * MB)}])
def test_memory_fits_a_768_mb_container(tmp_path, monkeypatch, files):
    """768 MB and 2 CPUs: one child (two would not fit next to the grader), given what is left."""
    monkeypatch.setattr(limits, "CGROUP", str(cgroup(tmp_path, files)))
    monkeypatch.setattr(limits, "available_cpus", lambda: 2)
    assert limits.available_memory_mb() == 768
    jobs = limits.default_jobs()
    assert jobs == 1
    memory = limits.default_memory_mb(jobs)
    assert limits.MIN_CHILD_MB <= memory and jobs * memory + limits.GRADER_MB <= 768


def test_a_big_machine_keeps_the_usual_limits(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "CGROUP", str(cgroup(tmp_path, {"memory.max": "max"})))
    monkeypatch.setattr(limits, "available_cpus", lambda: 8)
    if limits.available_memory_mb() < 8 * limits.MAX_CHILD_MB + limits.GRADER_MB:
        pytest.skip("this machine has less memory than 8 children of MAX_CHILD_MB")
    assert (limits.default_jobs(), limits.default_memory_mb(8)) == (8, limits.MAX_CHILD_MB)


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity") or shutil.which("prlimit") is None,
                    reason="needs Linux's sched_setaffinity and util-linux's prlimit")
def test_an_honest_class_passes_with_one_cpu_and_768_mb(tmp_path):
    """course-grade under `taskset -c <one CPU>` and `prlimit --as=768 MB` (every process of the
    grader's tree gets that address-space limit) grades two students who submitted every solution
    notebook: every exercise passes, with the default jobs and --memory, which fit."""
    subs = tmp_path / "subs"
    for student in ("ada", "bob"):
        (subs / student).mkdir(parents=True)
        for path in (ROOT / "solutions").glob("*.ipynb"):
            shutil.copy(path, subs / student / path.name)
    cpu = min(os.sched_getaffinity(0))
    command = ["prlimit", f"--as={768 * MB}", "taskset", "-c", str(cpu), sys.executable, "-c",
               "from course_lib.grading.cli import main; raise SystemExit(main())",
               str(subs), "--out", str(tmp_path / "out"), "--quiet"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1200,
                          env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    settings = json.loads((tmp_path / "out" / "grading.json").read_text())
    assert settings["memory_mb"] + limits.GRADER_MB <= 768, settings
    rows = (tmp_path / "out" / "grades.csv").read_text().splitlines()[1:]
    statuses = [row.split(",")[5] for row in rows]
    assert statuses and set(statuses) == {"passed"}, [r for r in rows if ",passed," not in r][:5]


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="needs util-linux's prlimit")
def test_a_child_never_asks_for_more_than_the_graders_own_limit():
    """Under a 600 MB RLIMIT_AS the default --memory is at most 600 MB (a child could not raise it)."""
    done = subprocess.run(["prlimit", f"--as={600 * MB}", sys.executable, "-c",
                           "from course_lib.grading import limits; print(limits.default_memory_mb(1))"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) <= 600
