"""What this machine (or container) gives the grader: CPUs, memory, and the default limits from them.

    available_cpus()          CPUs this process may use: affinity, then the cgroup's CPU quota
    available_memory_mb()     memory this process tree may use: the cgroup's limit, RAM, RLIMIT_AS
    default_jobs()            notebooks graded at once: available_cpus(), if the memory holds them
    default_memory_mb(jobs)   each child's address-space limit (--memory) so that `jobs` children
                              and the grader itself fit in available_memory_mb()

Gradescope's default container has 0.5 vCPU and 768 MB; `os.cpu_count()` there is the host's
core count. A cgroup quota of 0.5 CPU gives 1 job; 768 MB gives one child (768 - GRADER_MB) MB,
within [MIN_CHILD_MB, MAX_CHILD_MB]. An address-space limit is always at least the memory a
process really uses, so children within it never use more than the container has.

Time limits are CPU seconds of the child, not wall-clock seconds (sandbox.py): a CPU shared with
other jobs, or a container's quota, stretches the wall clock but not the work an honest answer
does; a wall-clock backstop of sandbox.WALL_FACTOR times the limit ends a child that sleeps.
"""

from __future__ import annotations

import math
import os
import resource

GRADER_MB = 256          # the grader's own process: Python, numpy, nbformat, matplotlib for class.html
MIN_CHILD_MB = 384       # the least a child gets (Python, numpy and the capstone's training fit)
MAX_CHILD_MB = 2048      # the most: no exercise needs more
CGROUP = "/sys/fs/cgroup"


def _read(path: str) -> str | None:
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def cgroup_cpu_quota() -> float | None:
    """CPUs the cgroup's quota allows (cgroup v2 cpu.max, else v1 cfs_quota/cfs_period), or None."""
    text = _read(f"{CGROUP}/cpu.max")
    if text:
        quota, _, period = text.partition(" ")
        if quota != "max" and period:
            return int(quota) / int(period)
        return None
    quota, period = _read(f"{CGROUP}/cpu/cpu.cfs_quota_us"), _read(f"{CGROUP}/cpu/cpu.cfs_period_us")
    if quota and period and int(quota) > 0:
        return int(quota) / int(period)
    return None


def available_cpus() -> int:
    """CPUs this process may run on (sched_getaffinity), at most the cgroup's quota rounded
    (0.5 -> 1, 1.5 -> 2), at least 1."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    quota = cgroup_cpu_quota()
    if quota is not None:
        cpus = min(cpus, max(1, math.floor(quota + 0.5)))
    return max(1, cpus)


def available_memory_mb() -> int:
    """The least of: the cgroup's memory limit (v2 memory.max, v1 limit_in_bytes), the RAM
    (/proc/meminfo MemTotal) and this process's RLIMIT_AS (a child inherits it as its ceiling)."""
    found = []
    for path in (f"{CGROUP}/memory.max", f"{CGROUP}/memory/memory.limit_in_bytes"):
        text = _read(path)
        if text and text.isdigit() and int(text) < 1 << 60:
            found.append(int(text) >> 20)
    meminfo = _read("/proc/meminfo") or ""
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            found.append(int(line.split()[1]) >> 10)
    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        found.append(soft >> 20)
    return min(found) if found else 4096


def default_jobs() -> int:
    """available_cpus(), fewer where the memory does not hold that many children of MIN_CHILD_MB."""
    fit = (available_memory_mb() - GRADER_MB) // MIN_CHILD_MB
    return max(1, min(available_cpus(), fit))


def default_memory_mb(jobs: int | None = None) -> int:
    """Each child's --memory: what is left after the grader, shared by `jobs` children, within
    [MIN_CHILD_MB, MAX_CHILD_MB]; never above this process's own RLIMIT_AS."""
    jobs = jobs or default_jobs()
    share = (available_memory_mb() - GRADER_MB) // max(1, jobs)
    memory = max(MIN_CHILD_MB, min(MAX_CHILD_MB, share))
    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        memory = min(memory, soft >> 20)
    return memory
