"""Measure a config's training dataloader in images/s, with and without the image cache, on
large synthetic photographs, against the model's training images/s.

    python tools/analysis/benchmarks/benchmark_loader.py [CONFIG] [--images 8]
        [--height 3000] [--width 4000] [--data-root DIR] [--workers 0 2] [--batches 8]
        [--warmup 1] [--batch-size N] [--model-images-per-s 0.4]
        [--out work_dirs/benchmarks/loader.json]

CONFIG defaults to ``configs/poc59/segformer_b3_384.py``. Its training dataloader reads every
image of a generated dataset (``--images`` of ``--height`` x ``--width``), or of
``--data-root``, once with MMCV's ``LoadImageFromFile`` and MMSeg's ``LoadAnnotations`` (the
originals decoded at every step) and once with ``LoadCachedImageAndAnnotations`` (the config's
``fit`` and ``cache_dir``; full-size decoded copies if the config has none), for each number
of workers. The cache is built first (as ``build_cache.py`` does) and timed, so the cached
figures are those of every epoch after the first. ``loader_to_model`` divides each figure by
the model's training images/s; the loader keeps up when it is at least 3.
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from mmseg_heritage.benchmarks import machine_record
from mmseg_heritage.benchmarks.loader_speed import MODEL_IMAGES_PER_S, cached_loading_speed
from mmseg_heritage.datasets.preparation import generate_synthetic_dataset
from mmseg_heritage.utils import write_json_atomic

REPO = Path(__file__).resolve().parents[3]
DEFAULT_CONFIG = REPO / 'configs/poc59/segformer_b3_384.py'


def parse_args(argv=None):
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
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix='loader_benchmark_') as tmp:
        data_root, generation_seconds = args.data_root, None
        if data_root is None:
            start = time.perf_counter()
            data_root = generate_synthetic_dataset(Path(tmp) / 'data', args.images,
                                                   size=(args.height, args.width))
            generation_seconds = round(time.perf_counter() - start, 1)
        record = cached_loading_speed(args.config, data_root, args.workers, args.batches,
                                      args.warmup, args.batch_size, args.model_images_per_s)
    record = dict(
        machine=machine_record(numpy=np.__version__, opencv=cv2.__version__),
        image_size=None if args.data_root else dict(height=args.height, width=args.width),
        data_root=args.data_root, generation_seconds=generation_seconds, **record)
    write_json_atomic(args.out, record)
    print(f"cache speed-up {record['cache_speedup']}; wrote {args.out}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
