"""Building the image cache that ``LoadCachedImageAndAnnotations`` reads, ahead of training.

The jobs come from a config (every file a dataloader reads through the cache, with that
transform's ``fit`` and ``cache_dir``) or from a dataset folder in the converter's layout.
Up-to-date entries are skipped, so an interrupted build resumes; temporary files that killed
writers left behind are removed first.
"""
from pathlib import Path
from typing import Iterable, List, NamedTuple, Optional, Sequence

from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS
from tqdm import tqdm

from ...utils import remove_partial_files
from ..image_cache import ImageCache, Kind

LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
CACHED_LOADING = 'LoadCachedImageAndAnnotations'
DEFAULT_FIT = (3072, 1536)


class CacheJob(NamedTuple):
    """One source file and the cache its entry belongs to."""
    cache: ImageCache
    source: Path
    kind: Kind


class BuildSummary(NamedTuple):
    """What a build did."""
    written: int
    up_to_date: int
    failures: List[str]  # one message per source that could not be read


def config_jobs(cfg: Config) -> List[CacheJob]:
    """The files the config's dataloaders read through ``LoadCachedImageAndAnnotations``.

    Args:
        cfg (Config): A loaded config (its ``custom_imports`` imported).

    Returns:
        list[CacheJob]: One job per image and mask, without repeats.

    Raises:
        FileNotFoundError: A cached dataloader's data root does not exist.
        ValueError: No dataloader reads through the cache.
    """
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    jobs = {}
    for name in LOADERS:
        dataset_cfg = (cfg.get(name) or {}).get('dataset', {})
        loading = [t for t in dataset_cfg.get('pipeline', []) if t['type'] == CACHED_LOADING]
        if not loading:
            continue
        data_root = dataset_cfg.get('data_root')
        if data_root and not Path(data_root).is_dir():
            raise FileNotFoundError(f'{data_root}: data root of {name} not found')
        cache = ImageCache(loading[0].get('fit'), loading[0].get('cache_dir'))
        # Only the file list is needed: no pipeline, so nothing else has to exist.
        dataset = DATASETS.build(dict(dataset_cfg, pipeline=[]))
        for index in range(len(dataset)):
            info = dataset.get_data_info(index)
            for path, kind in ((info['img_path'], 'image'), (info['seg_map_path'], 'annotation')):
                jobs[(cache.fit, cache.cache_dir, path)] = CacheJob(cache, Path(path), kind)
    if not jobs:
        raise ValueError(f'no dataloader of the config loads with {CACHED_LOADING}')
    return list(jobs.values())


def folder_jobs(data_root: Path, fit: Optional[Sequence[int]] = DEFAULT_FIT,
                cache_dir: Optional[Path] = None) -> List[CacheJob]:
    """Every file of ``images/`` and ``annotations/`` of a dataset in the converter's layout.

    Args:
        data_root (Path): The dataset folder.
        fit (tuple[int, int], optional): (long side, short side) to fit; None for full size.
            Defaults to ``DEFAULT_FIT``.
        cache_dir (Path, optional): Root of the cache. Defaults to None: ``data_root/cache``.

    Returns:
        list[CacheJob]: One job per file.

    Raises:
        FileNotFoundError: ``data_root`` or its ``images/`` folder does not exist.
    """
    if not (data_root / 'images').is_dir():
        what = 'images/ folder' if data_root.is_dir() else 'data root'
        raise FileNotFoundError(f'{data_root}: {what} not found')
    cache = ImageCache(fit, cache_dir or data_root / 'cache')
    return [CacheJob(cache, path, kind)
            for folder, kind in (('images', 'image'), ('annotations', 'annotation'))
            for path in sorted((data_root / folder).glob('*'))
            if path.is_file() and not path.name.startswith('.')]


def build_cache(jobs: Sequence[CacheJob], progress: bool = True) -> BuildSummary:
    """Write the entries of ``jobs`` that are missing or outdated.

    Args:
        jobs (list[CacheJob]): What to cache.
        progress (bool): Show a progress bar. Defaults to True.

    Returns:
        BuildSummary: Entries written, entries already up to date, and the failures.
    """
    for folder in filter(Path.is_dir, {job.cache.folder(job.source) for job in jobs}):
        remove_partial_files(folder)
    written, up_to_date, failures = 0, 0, []
    for job in tqdm(jobs, desc='image cache', unit='file', disable=not progress):
        try:
            if job.cache.build(job.source, job.kind):
                written += 1
            else:
                up_to_date += 1
        except (OSError, ValueError) as error:  # unreadable source, unwritable entry
            failures.append(str(error))
    return BuildSummary(written, up_to_date, failures)


def cache_folders(jobs: Iterable[CacheJob]) -> List[str]:
    """The folders holding the jobs' entries (one per cache and fit)."""
    return sorted({str(job.cache.folder(job.source).parent) for job in jobs})
