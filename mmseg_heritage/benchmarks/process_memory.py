"""Memory of this process as Linux counts it (``/proc/self/status``), and torch's on the GPU.

A figure of one run needs a process of its own (see :mod:`.fresh_process`): the peak
(``VmHWM``) never goes down, except where :func:`reset_peak_rss` is allowed to lower it.
"""
import re
from pathlib import Path


def _status_mib(field: str) -> float:
    status = Path('/proc/self/status').read_text()
    return round(int(re.search(rf'{field}:\s*(\d+) kB', status).group(1)) / 1024, 1)


def peak_rss_mib() -> float:
    """Most resident memory this process has held so far, in MiB (``VmHWM``)."""
    return _status_mib('VmHWM')


def rss_mib() -> float:
    """Resident memory of this process now, in MiB (``VmRSS``)."""
    return _status_mib('VmRSS')


def reset_peak_rss() -> bool:
    """Lower this process's peak RSS to its current RSS; False where that is not allowed."""
    try:
        Path('/proc/self/clear_refs').write_text('5')
    except OSError:
        return False
    return True


def cuda_peak_mib() -> float:
    """Most GPU memory torch has held for tensors so far, in MiB."""
    import torch
    return round(torch.cuda.max_memory_allocated() / 2**20, 1)
