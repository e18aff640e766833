"""The inference threads follow the CPUs a process may use, not the host's count."""
import os

from mmseg_heritage.utils import cpu_threads, usable_cpus


def test_a_container_quota_caps_the_threads(tmp_path, monkeypatch):
    affinity = len(os.sched_getaffinity(0))
    quota = tmp_path / 'cpu.max'
    monkeypatch.setattr(cpu_threads, 'CPU_MAX', quota)
    quota.write_text('max 100000\n')
    assert usable_cpus() == affinity
    quota.write_text('150000 100000\n')  # one and a half CPUs: two threads
    assert usable_cpus() == min(affinity, 2)
    quota.write_text('10000 100000\n')
    assert usable_cpus() == 1
    monkeypatch.setattr(cpu_threads, 'CPU_MAX', tmp_path / 'missing')
    assert usable_cpus() == affinity
