"""Memory of ``tools/infer.py`` over a long collection: does it grow scan after scan? And on
one huge scan served by IIIF: is it held whole?

The tool runs as users run it, in a process of its own. While it works, its resident memory
(Linux ``/proc/PID/status``, ``VmRSS``) is sampled every few milliseconds next to the number of
scans its journal holds, so each scan gets the most memory seen while it was predicted and
written. A leak shows as growth after the first scans, when caches and allocators have settled.
A huge IIIF scan is a level-0 tile set written here (:func:`write_level0_tiles`) and served
by this process (:func:`serve_folder`), whose memory is not the measured run's.
"""
import functools
import json
import math
import re
import subprocess
import threading
import time
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator, List, Sequence

import cv2
import numpy as np
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


def _tile_grid(size: Sequence[int], tile: int) -> Iterator[tuple]:
    """(x, y, w, h, sample) of each tile of a synthetic scan: one of eight samples each."""
    height, width = size
    for y in range(0, height, tile):
        for x in range(0, width, tile):
            yield (x, y, min(tile, width - x), min(tile, height - y),
                   (x // tile * 5 + y // tile) % 8)


def _samples(tile: int) -> list:
    return [make_sample(index, (tile, tile)).image[..., ::-1] for index in range(8)]


def synthetic_scan(size: Sequence[int], tile: int = 512) -> np.ndarray:
    """The scan :func:`write_level0_tiles` serves, whole (H x W x 3 BGR), to write as a file."""
    samples, scan = _samples(tile), np.empty((*size, 3), np.uint8)
    for x, y, w, h, which in _tile_grid(size, tile):
        scan[y:y + h, x:x + w] = samples[which][:h, :w]
    return scan


def write_level0_tiles(folder: Path, identifier: str, size: Sequence[int], base_url: str,
                       tile: int = 512) -> dict:
    """A level-0 IIIF tile set (Image API 2.1, static files as ``iiif_static.py`` names them)
    of a synthetic scan of ``size`` (height, width) in ``folder/identifier``, served from
    ``base_url``: its full-resolution tiles only, cut from eight synthetic samples encoded once
    per tile size, so that 20,000 x 20,000 px are written in seconds. Returns its info.json.
    """
    height, width = size
    samples, encoded = _samples(tile), {}
    for x, y, w, h, which in _tile_grid(size, tile):
        if (which, w, h) not in encoded:
            encoded[which, w, h] = cv2.imencode('.jpg', samples[which][:h, :w],
                                                [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
        # A static tile set names an image within one tile by its full size only.
        region = 'full' if (w, h) == (width, height) else f'{x},{y},{w},{h}'
        path = folder / identifier / region / f'{w},' / '0' / 'default.jpg'
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(encoded[which, w, h])
    info = {'@context': 'http://iiif.io/api/image/2/context.json',
            '@id': f'{base_url}/{identifier}', 'protocol': 'http://iiif.io/api/image',
            'width': width, 'height': height,
            'profile': ['http://iiif.io/api/image/2/level0.json'],
            'tiles': [{'width': tile, 'scaleFactors': [1]}],
            'sizes': [{'width': width, 'height': height}] if max(size) <= tile else []}
    (folder / identifier / 'info.json').write_text(json.dumps(info))
    return info


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve ``folder``'s files over HTTP on 127.0.0.1, as ``python -m http.server`` does, from
    a thread of this process; yields the server's URL."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(('127.0.0.1', 0),
                                 functools.partial(Quiet, directory=str(folder)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f'http://127.0.0.1:{server.server_address[1]}'
    finally:
        server.shutdown()
        server.server_close()


def image_mib(size: Sequence[int]) -> float:
    """MiB of an H x W colour image held whole (3 bytes a pixel)."""
    return round(math.prod(size) * 3 / 2**20, 1)


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
        flight; ``peak_rss_mib``: the most over the whole run (the report included);
        ``seconds``: the whole run; ``returncode``.
    """
    started = time.perf_counter()
    process = subprocess.Popen(list(command), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    peaks: List[float] = [0.0] * count
    peak = 0.0
    while process.poll() is None:
        done = _finished(journal)
        rss = _rss_mib(process.pid)
        peak = max(peak, rss)
        if done < count:
            peaks[done] = max(peaks[done], rss)
        time.sleep(interval)
    error = process.stderr.read().decode(errors='replace')
    process.stderr.close()
    if process.returncode:
        raise RuntimeError(f'{command[1]} failed ({process.returncode}):\n{error[-3000:]}')
    return dict(rss_mib=[round(most, 1) for most in peaks], peak_rss_mib=round(peak, 1),
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
