"""How many CPUs this process may really use, for the inference threads."""
import math
import os
from pathlib import Path

# cgroup v2's CPU quota of this container: '<quota> <period>' in microseconds, or 'max'.
CPU_MAX = Path('/sys/fs/cgroup/cpu.max')


def usable_cpus() -> int:
    """CPUs this process may run on: its affinity, capped by a cgroup CPU quota (containers).

    ``os.cpu_count()`` counts the host's CPUs; in a container limited to 2 of 64, threads
    sized by it would fight over the 2.
    """
    count = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
    try:
        quota, period = CPU_MAX.read_text().split()
        if quota != 'max':
            count = min(count, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass  # no cgroup v2 limit to read
    return max(1, count or 1)
