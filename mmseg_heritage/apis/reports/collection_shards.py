"""Which scans of a collection each process predicts, when several share the work.

``tools/dist_infer.sh`` starts the processes with torchrun, ``tools/slurm_infer.sh`` with srun
(optionally in each task of a Slurm job array). They need no process group: every process
finds the same scans, splits them the same way and takes its own share, and the report is
built from the journals they write (:mod:`.collection_journal`).
"""
import heapq
import os
from pathlib import Path
from typing import Dict, Optional, Tuple

import torch

from ...datasets.image_decoding import DECODER_ERRORS, read_header

LAUNCHERS = ('none', 'pytorch', 'slurm')


def process_shard(launcher: str = 'none') -> Tuple[int, int, int]:
    """(shard, number of shards, local rank) of this process, from its launcher's variables.

    ``pytorch`` (torchrun) sets ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK``; ``slurm`` (srun)
    ``SLURM_PROCID``, ``SLURM_NTASKS`` and ``SLURM_LOCALID``. Inside a job array each array
    task takes an equal part, split again among its srun tasks.

    Raises:
        ValueError: An unknown launcher, or its variables are missing.
    """
    if launcher not in LAUNCHERS:
        raise ValueError(f'unknown launcher {launcher!r}; choose from {", ".join(LAUNCHERS)}')
    if launcher == 'none':
        return 0, 1, 0
    names = (('RANK', 'WORLD_SIZE', 'LOCAL_RANK') if launcher == 'pytorch' else
             ('SLURM_PROCID', 'SLURM_NTASKS', 'SLURM_LOCALID'))
    missing = [name for name in names[:2] if name not in os.environ]
    if missing:
        raise ValueError(f'--launcher {launcher} needs the variables {", ".join(missing)}: start '
                         f'it with tools/{"dist" if launcher == "pytorch" else "slurm"}_infer.sh')
    rank, world = int(os.environ[names[0]]), int(os.environ[names[1]])
    local = int(os.environ.get(names[2], 0))
    if launcher == 'slurm' and 'SLURM_ARRAY_TASK_COUNT' in os.environ:
        step = int(os.environ.get('SLURM_ARRAY_TASK_STEP', 1))
        task = (int(os.environ['SLURM_ARRAY_TASK_ID'])
                - int(os.environ.get('SLURM_ARRAY_TASK_MIN', 0))) // step
        rank, world = task * world + rank, int(os.environ['SLURM_ARRAY_TASK_COUNT']) * world
    return rank, world, local


def shard_device(device: Optional[str], local_rank: int) -> Optional[str]:
    """The device given, else this process's own GPU where there are GPUs, else the CPU."""
    if device is not None:
        return device
    return f'cuda:{local_rank % torch.cuda.device_count()}' if torch.cuda.is_available() else 'cpu'


def _pixels(path) -> int:
    if not isinstance(path, (str, os.PathLike)):  # a IIIF scan: the size its manifest gives
        return path.pixels
    try:
        (width, height), _ = read_header(path, str(path))
    except DECODER_ERRORS:
        return 0  # fails at once when predicted; its weight does not matter
    return width * height


def assign_shard(images: Dict[str, Path], shard: int, shards: int) -> Dict[str, Path]:
    """The scans of one shard: every scan in exactly one shard, the shards' pixel counts as
    even as largest-first greedy assignment makes them (read from the files' headers, and
    for IIIF scans from their manifests, without a request).

    Args:
        images: Every scan of the collection, by name, in the same order for every shard.
        shard (int): Which shard.
        shards (int): How many shards.

    Returns:
        dict: The shard's scans, in the collection's order.
    """
    if not 0 <= shard < shards:
        raise ValueError(f'shard {shard} of {shards} does not exist')
    if shards == 1:
        return dict(images)
    sizes = {name: _pixels(path) for name, path in images.items()}
    loads = [(0, index) for index in range(shards)]  # (pixels so far, shard)
    owner = {}
    for name in sorted(images, key=lambda name: (-sizes[name], name)):
        pixels, index = heapq.heappop(loads)
        owner[name] = index
        heapq.heappush(loads, (pixels + sizes[name], index))
    return {name: path for name, path in images.items() if owner[name] == shard}
