"""Build the image cache that ``LoadCachedImageAndAnnotations`` reads, ahead of training.

    python tools/dataset_converters/build_cache.py CONFIG [--cfg-options KEY=VALUE ...]
    python tools/dataset_converters/build_cache.py DATA_ROOT [--fit LONG SHORT | --full-size]
        [--cache-dir DIR] [--no-progress]

With CONFIG, every image and mask that one of its dataloaders reads through
``LoadCachedImageAndAnnotations`` (the training split, in the ARTeFACT configs), with that
transform's ``fit`` and ``cache_dir``. With DATA_ROOT (the converter's layout), every file of
``images/`` and ``annotations/``, shrunk to fit ``--fit`` (default 3072 1536, as the 384 px
configs; the 256 px ones use 2048 1024) in ``--cache-dir`` (default ``DATA_ROOT/cache``).

Up-to-date entries are skipped, so an interrupted build resumes when run again; entries are
written atomically, and temporary files that killed writers left behind are removed (do not
run it while a training run writes to the same cache). Exits with 2 on a wrong argument (a
missing data root, a config that reads no cache) and with 1 if a file could not be read or
written.
"""
import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

from mmengine.config import Config, DictAction

from mmseg_heritage.datasets.preparation.cache_building import (DEFAULT_FIT, build_cache,
                                                                 cache_folders, config_jobs,
                                                                 folder_jobs)


def build_parser() -> argparse.ArgumentParser:
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(
        description=summary, epilog=usage, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('target', help='config file (.py) or dataset folder (DATA_ROOT)')
    parser.add_argument('--fit', type=int, nargs=2, metavar=('LONG', 'SHORT'),
                        default=DEFAULT_FIT, help='with DATA_ROOT: largest size an entry keeps')
    parser.add_argument('--full-size', action='store_true',
                        help='with DATA_ROOT: keep full-size decoded copies (no --fit)')
    parser.add_argument('--cache-dir', type=Path,
                        help='with DATA_ROOT: root of the cache (default: DATA_ROOT/cache)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='with CONFIG: override settings, e.g. '
                        'train_dataloader.dataset.data_root=data/artefact')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    target = Path(args.target)
    try:
        if target.suffix == '.py':
            if not target.is_file():
                raise FileNotFoundError(f'{target}: config not found')
            cfg = Config.fromfile(target)
            cfg.merge_from_dict(args.cfg_options or {})
            jobs = config_jobs(cfg)
        else:
            jobs = folder_jobs(target, None if args.full_size else args.fit, args.cache_dir)
    except (FileNotFoundError, ValueError) as error:
        parser.error(str(error))  # exits with 2

    summary = build_cache(jobs, progress=not args.no_progress)
    print(f'{summary.written} entries written, {summary.up_to_date} up to date, in '
          f'{", ".join(cache_folders(jobs))}')
    for failure in summary.failures:
        print(f'error: {failure}', file=sys.stderr)
    return 1 if summary.failures else 0


if __name__ == '__main__':
    sys.exit(main())
