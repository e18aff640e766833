"""Memory of ``tools/infer.py`` over a long collection: does it grow scan after scan?

The tool runs as users run it, in a process of its own. While it works, its resident memory
(Linux ``/proc/PID/status``, ``VmRSS``) is sampled every few milliseconds next to the number of
scans its journal holds, so each scan gets the most memory seen while it was predicted and
written. A leak shows as growth after the first scans, when caches and allocators have settled.
"""
import re
import subprocess
import time
from pathlib import Path
from typing import List, Sequence

from PIL import Image

from ..datasets.preparation import make_sample


def write_scans(folder: Path, count: int, size: Sequence[int], dpi: int = 600) -> None:
    """``count`` synthetic scans (JPEG, ``dpi`` recorded), their sides varying up to a fifth
    below ``size`` (height, width), so that no two cost quite the same."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        shrink = 1 - (index % 5) / 25
        shape = (int(size[0] * shrink), int(size[1] * (1 - (index % 3) / 15)))
        Image.fromarray(make_sample(index, shape).image).save(
            folder / f'scan{index:04d}.jpg', quality=90, dpi=(dpi, dpi))


def _rss_mib(pid: int) -> float:
    """Resident memory of a process now, in MiB; 0 once it has gone."""
    try:
        status = Path(f'/proc/{pid}/status').read_text()
    except OSError:
        return 0.0
    found = re.search(r'VmRSS:\s*(\d+) kB', status)
    return int(found.group(1)) / 1024 if found else 0.0


def _finished(journal: Path) -> int:
    try:
        return sum(path.read_bytes().count(b'\n') for path in journal.glob('*.jsonl'))
    except OSError:
        return 0


def rss_per_scan(command: Sequence[str], journal: Path, count: int,
                 interval: float = 0.01) -> dict:
    """Run ``command`` (a collection run writing ``journal``) and follow its memory.

    Returns:
        dict: ``rss_mib``: for each scan, the most resident memory seen while it was the one in
        flight; ``seconds``: the whole run; ``returncode``.
    """
    started = time.perf_counter()
    process = subprocess.Popen(list(command), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    peaks: List[float] = [0.0] * count
    while process.poll() is None:
        done = _finished(journal)
        rss = _rss_mib(process.pid)
        if done < count:
            peaks[done] = max(peaks[done], rss)
        time.sleep(interval)
    error = process.stderr.read().decode(errors='replace')
    process.stderr.close()
    if process.returncode:
        raise RuntimeError(f'{command[1]} failed ({process.returncode}):\n{error[-3000:]}')
    return dict(rss_mib=[round(peak, 1) for peak in peaks],
                seconds=round(time.perf_counter() - started, 1),
                returncode=process.returncode)


def memory_growth(rss_mib: Sequence[float], warmup: int = 20) -> dict:
    """How memory grew after the first ``warmup`` scans.

    Returns:
        dict: ``after_warmup_mib`` (scan ``warmup``), ``last_mib``, ``most_after_warmup_mib``,
        ``growth_percent`` (the most after the warm-up, against the warm-up's) and
        ``last_growth_percent``.
    """
    if len(rss_mib) <= warmup:
        raise ValueError(f'{len(rss_mib)} scans do not go past a warm-up of {warmup}')
    base = rss_mib[warmup - 1]
    most = max(rss_mib[warmup - 1:])
    return dict(after_warmup_mib=base, last_mib=rss_mib[-1], most_after_warmup_mib=most,
                growth_percent=round(100 * (most - base) / base, 2),
                last_growth_percent=round(100 * (rss_mib[-1] - base) / base, 2))
