"""Images/s of a config's training dataloader: by number of workers, with and without the
image cache, next to the model's training rate."""
import copy
import json
import os
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmengine.utils.dl_utils import set_multi_processing

from ..datasets.preparation import generate_synthetic_dataset
from ..datasets.preparation.cache_building import CACHED_LOADING, build_cache, config_jobs
from ..utils.data_config import set_data_root
from .timing import alternate, per_second, ratio, timed

LOADER_WORKERS = (0, 2)
LOADING_TRANSFORMS = ('LoadImageFromFile', 'LoadAnnotations', 'LoadArtefactAnnotations',
                      CACHED_LOADING)
TARGET_RATIO = 3.0  # loader images/s over model images/s that leaves the model never waiting
MODEL_IMAGES_PER_S = 0.4  # a poc59 training step of batch 2 takes about 5 s on 2 CPU cores


def loader_workers(cfg: Config, settings: dict, train_images_per_s: float,
                   work_dir: Path) -> dict:
    """Images/s of the config's own train_dataloader with 0 and 2 workers, in alternating
    rounds, on a small synthetic dataset of ``slide_size`` images, next to the training rate.

    Args:
        cfg (Config): The config (left unchanged).
        settings (dict): ``slide_size`` (H, W), ``iters`` (batches per round) and ``rounds``.
        train_images_per_s (float): The model's training rate.
        work_dir (Path): Where the synthetic dataset is written.

    Returns:
        dict: ``loader_images_per_s`` per number of workers, their ``ratio``, and each
        against the training rate (``loader_to_train_ratio``).
    """
    root = generate_synthetic_dataset(work_dir / 'data', num_images=8,
                                      size=tuple(settings['slide_size']), seed=0)
    train_loader = set_data_root(copy.deepcopy(cfg), str(root)).train_dataloader
    iterators, batch_sizes = {}, {}
    for workers in LOADER_WORKERS:
        loader_cfg = copy.deepcopy(train_loader)
        loader_cfg.update(num_workers=workers, persistent_workers=workers > 0)
        loader = Runner.build_dataloader(loader_cfg, seed=0)
        iterators[workers] = (iter(loader), (loader.prefetch_factor or 0) * workers)
        batch_sizes[workers] = loader.batch_size

    def loader_round(workers: int) -> float:
        batches, prefetched = iterators[workers]
        for _ in range(prefetched):  # filled while the other loader ran: not its rate
            next(batches)
        return timed(lambda: next(batches), settings['iters'], time.perf_counter)

    for workers in LOADER_WORKERS:
        loader_round(workers)  # warm-up: workers start, files reach the page cache
    seconds = alternate({str(w): lambda w=w: loader_round(w) for w in LOADER_WORKERS},
                        settings['rounds'])
    rates = {str(w): per_second(batch_sizes[w] * settings['iters'], seconds[str(w)])
             for w in LOADER_WORKERS}
    del iterators
    return dict(loader_images_per_s=rates, batch_size=batch_sizes[0],
                image=list(settings['slide_size']),
                ratio=ratio(rates[str(LOADER_WORKERS[1])], rates[str(LOADER_WORKERS[0])]),
                train_images_per_s=train_images_per_s,
                loader_to_train_ratio={w: ratio(rate, train_images_per_s)
                                       for w, rate in rates.items()})


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


def cached_loading_speed(config: os.PathLike, data_root: os.PathLike,
                  workers: Sequence[int] = LOADER_WORKERS, batches: int = 8, warmup: int = 1,
                  batch_size: Optional[int] = None,
                  model_images_per_s: float = MODEL_IMAGES_PER_S) -> Dict:
    """Loader images/s of ``config``'s training dataloader on every image of ``data_root``,
    without and with the image cache, for each number of workers.

    The uncached runs load with MMCV's ``LoadImageFromFile`` and MMSeg's ``LoadAnnotations``;
    the cached ones with ``LoadCachedImageAndAnnotations`` (the config's ``fit`` and
    ``cache_dir``; full-size copies if the config has none), after the cache is built and
    timed, so they are the figures of every epoch after the first.

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
        ``keeps_up``: at least ``TARGET_RATIO``), the cache speed-up per number of workers
        and the cache's build time.
    """
    cfg = set_data_root(Config.fromfile(config), str(data_root))
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    set_multi_processing(**cfg.env_cfg.get('mp_cfg', {}), distributed=False)
    loader = cfg.train_dataloader
    loader.dataset.ann_file = ''  # every image
    if batch_size:
        loader.batch_size = batch_size
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
