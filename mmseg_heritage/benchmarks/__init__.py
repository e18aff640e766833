"""Measuring speed and memory: timing in alternating rounds on a noisy machine, peak memory of
a process of its own, and the figures of the benchmark tools (``tools/analysis/benchmarks/``).

Imported on demand: training and inference do not need it.
"""
from .fresh_process import run_in_fresh_process
from .machine import cpu_name, machine_record
from .model_complexity import complexity_table, model_complexity
from .process_memory import cuda_peak_mib, peak_rss_mib, reset_peak_rss, rss_mib
from .timing import alternate, device_clock, per_second, ratio, timed

__all__ = [
    'alternate', 'complexity_table', 'cpu_name', 'cuda_peak_mib', 'device_clock',
    'machine_record', 'model_complexity', 'peak_rss_mib', 'per_second', 'ratio',
    'reset_peak_rss', 'rss_mib', 'run_in_fresh_process', 'timed'
]
