"""Measure a config's training dataloader in images/s, with and without the image cache, on
large synthetic photographs, against the model's training images/s.

    python tools/dataset_converters/benchmark_loader.py [CONFIG] [--images 8]
        [--height 3000] [--width 4000] [--data-root DIR] [--workers 0 2] [--batches 8]
        [--warmup 1] [--batch-size N] [--model-images-per-s 0.4]
        [--out work_dirs/benchmarks/loader.json]

CONFIG defaults to ``configs/poc59/segformer_b3_384.py``. Its training dataloader reads every
image of a generated dataset (``--images`` of ``--height`` x ``--width``), or of
``--data-root``, once with MMCV's ``LoadImageFromFile`` and MMSeg's ``LoadAnnotations`` (the
originals decoded at every step) and once with ``LoadCachedImageAndAnnotations`` (the config's
``fit`` and ``cache_dir``; full-size decoded copies if the config has none), for each number
of workers. The cache is built first with ``build_cache.py`` and timed, so the cached figures
are those of every epoch after the first. ``loader_to_model`` divides each figure by the
model's training images/s; the loader keeps up when it is at least ``TARGET_RATIO``.
"""
import argparse
import copy
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmengine.utils.dl_utils import set_multi_processing

from mmseg_heritage.datasets.preparation import generate_synthetic_dataset

# The tool beside this one (its folder is on sys.path when this runs as a script).
from build_cache import CACHED_LOADING, build_cache, config_jobs

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = REPO / 'configs/poc59/segformer_b3_384.py'
LOADING_TRANSFORMS = ('LoadImageFromFile', 'LoadAnnotations', 'LoadArtefactAnnotations',
                      CACHED_LOADING)
TARGET_RATIO = 3.0  # loader images/s over model images/s that leaves the model never waiting
MODEL_IMAGES_PER_S = 0.4  # a poc59 training step of batch 2 takes about 5 s on 2 CPU cores


def with_loading(pipeline: Sequence[dict], cache: Optional[dict]) -> List[dict]:
    """``pipeline`` loading through the cache (``cache``: the transform's arguments) or, for
    None, with the stock ``LoadImageFromFile`` and ``LoadAnnotations``."""
    rest = [copy.deepcopy(t) for t in pipeline if t['type'] not in LOADING_TRANSFORMS]
    loading = ([dict(type='LoadImageFromFile'), dict(type='LoadAnnotations')] if cache is None
               else [dict(type=CACHED_LOADING, **cache)])
    return loading + rest


def measure_loader(loader_cfg: dict, batches: int = 8, warmup: int = 1) -> Dict:
    """Time ``batches`` batches of a dataloader after its warm-up.

    The warm-up draws at least one batch per worker, so worker start-up is not timed. Workers
    may each hold a finished batch when timing starts, which inflates the figure by up to
    ``num_workers / batches``: time several batches per worker.

    Args:
        loader_cfg (dict): Dataloader config, as ``train_dataloader``.
        batches (int): Batches timed. Defaults to 8.
        warmup (int): Batches drawn before timing, at least ``num_workers``. Defaults to 1.

    Returns:
        dict: ``images``, ``seconds`` and ``images_per_s``.
    """
    batch_iter = iter(Runner.build_dataloader(copy.deepcopy(loader_cfg), seed=0))
    for _ in range(max(warmup, loader_cfg.get('num_workers', 0))):
        next(batch_iter)
    images, start = 0, time.perf_counter()
    for _ in range(batches):
        images += len(next(batch_iter)['inputs'])
    seconds = time.perf_counter() - start
    del batch_iter  # stops the workers
    return dict(images=images, seconds=round(seconds, 3),
                images_per_s=round(images / seconds, 3))


def benchmark_loader(config: os.PathLike, data_root: os.PathLike,
                     workers: Sequence[int] = (0, 2), batches: int = 8, warmup: int = 1,
                     batch_size: Optional[int] = None,
                     model_images_per_s: float = MODEL_IMAGES_PER_S) -> Dict:
    """Loader images/s of ``config``'s training dataloader on every image of ``data_root``,
    without and with the image cache, for each number of workers.

    Args:
        config: Config file.
        data_root: Dataset in the converter's layout (its ``cache/`` is written).
        workers (list[int]): Numbers of dataloader workers to try. Defaults to (0, 2).
        batches (int): Batches timed per run. Defaults to 8.
        warmup (int): Batches drawn before timing, at least the number of workers.
            Defaults to 1.
        batch_size (int, optional): Batch size; None keeps the config's. Defaults to None.
        model_images_per_s (float): The model's training images/s, for ``loader_to_model``.
            Defaults to ``MODEL_IMAGES_PER_S``.

    Returns:
        dict: The runs (``cache``, ``num_workers``, ``images_per_s``, ``loader_to_model``,
        ``keeps_up``), the cache speed-up per number of workers and the cache's build time.
    """
    cfg = Config.fromfile(config)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    set_multi_processing(**cfg.env_cfg.get('mp_cfg', {}), distributed=False)
    loader = cfg.train_dataloader
    loader.dataset.update(data_root=str(data_root), ann_file='')  # '': every image
    if batch_size:
        loader.batch_size = batch_size
    for transform in loader.dataset.pipeline:
        if 'class_weights' in transform:
            transform.class_weights = str(Path(data_root) / 'class_weights.json')
    cached = [t for t in loader.dataset.pipeline if t['type'] == CACHED_LOADING]
    cache = {k: v for k, v in (cached[0] if cached else dict(fit=None)).items() if k != 'type'}
    pipelines = dict(uncached=with_loading(loader.dataset.pipeline, None),
                     cached=with_loading(loader.dataset.pipeline, cache))

    loader.dataset.pipeline = pipelines['cached']
    jobs = config_jobs(cfg)
    start = time.perf_counter()
    summary = build_cache(jobs, progress=False)
    build_seconds = time.perf_counter() - start
    if summary.failures:
        raise ValueError(f'cache build failed: {summary.failures}')
    cache_bytes = sum(job.cache.entry_path(job.source).stat().st_size for job in jobs)

    runs = []
    for name, pipeline in pipelines.items():
        for num_workers in workers:
            loader_cfg = dict(loader, num_workers=num_workers, persistent_workers=False,
                              dataset=dict(loader.dataset, pipeline=pipeline))
            run = dict(cache=name == 'cached', num_workers=num_workers,
                       **measure_loader(loader_cfg, batches, warmup))
            run['loader_to_model'] = round(run['images_per_s'] / model_images_per_s, 2)
            run['keeps_up'] = run['loader_to_model'] >= TARGET_RATIO
            runs.append(run)
            print(json.dumps(run), flush=True)
    speed = {(run['cache'], run['num_workers']): run['images_per_s'] for run in runs}
    return dict(
        config=str(config), batch_size=loader.batch_size, batches=batches, warmup=warmup,
        images=len(jobs) // 2, cache=cache,
        cache_build=dict(files=len(jobs), written=summary.written,
                         seconds=round(build_seconds, 2),
                         mib=round(cache_bytes / 2**20, 1)),
        model_images_per_s=model_images_per_s, target_ratio=TARGET_RATIO, runs=runs,
        cache_speedup={str(n): round(speed[True, n] / speed[False, n], 2) for n in workers})


def parse_args():
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(
        description=summary, epilog=usage, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', nargs='?', default=str(DEFAULT_CONFIG))
    parser.add_argument('--images', type=int, default=8, help='images generated')
    parser.add_argument('--height', type=int, default=3000)
    parser.add_argument('--width', type=int, default=4000)
    parser.add_argument('--data-root', help='use this dataset instead of generating one')
    parser.add_argument('--workers', type=int, nargs='+', default=[0, 2])
    parser.add_argument('--batches', type=int, default=8, help='batches timed per run')
    parser.add_argument('--warmup', type=int, default=1,
                        help='batches before timing (at least one per worker)')
    parser.add_argument('--batch-size', type=int, help="default: the config's")
    parser.add_argument('--model-images-per-s', type=float, default=MODEL_IMAGES_PER_S)
    parser.add_argument('--out', default='work_dirs/benchmarks/loader.json')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix='loader_benchmark_') as tmp:
        data_root, generation_seconds = args.data_root, None
        if data_root is None:
            start = time.perf_counter()
            data_root = generate_synthetic_dataset(Path(tmp) / 'data', args.images,
                                                   size=(args.height, args.width))
            generation_seconds = round(time.perf_counter() - start, 1)
        record = benchmark_loader(args.config, data_root, args.workers, args.batches,
                                  args.warmup, args.batch_size, args.model_images_per_s)
    record = dict(
        machine=dict(cpu_count=os.cpu_count(), platform=platform.platform(),
                     python=platform.python_version(), numpy=np.__version__,
                     opencv=cv2.__version__),
        image_size=None if args.data_root else dict(height=args.height, width=args.width),
        data_root=args.data_root, generation_seconds=generation_seconds, **record)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + '\n')
    print(f"cache speed-up {record['cache_speedup']}; wrote {out}")


if __name__ == '__main__':
    main()
