"""Benchmark the ARTeFACT parquet converter on large synthetic photographs: speed and peak memory.

    python tools/analysis/benchmarks/benchmark_converter.py [--rows 4] [--row-group-size 2] \\
        [--height 3000] [--width 4000] [--out work_dirs/benchmarks/converter.json]

Writes one shard of ``2 * rows`` JPEG images and one of its first ``rows``, then converts in
a fresh process per configuration, so each peak RSS (Linux ``VmHWM``) belongs to one run:
full size, ``max_long_side=1024``, and full size on the shard with twice the rows (streaming
means the peak does not grow with the shard). A process that only imports the converter gives
the baseline the others start from.
"""
import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import PIL
import pyarrow
import pyarrow.parquet as pq

from mmseg_heritage.benchmarks import machine_record, run_in_fresh_process
from mmseg_heritage.benchmarks.converter_speed import convert_shard
from mmseg_heritage.datasets.preparation import write_synthetic_parquet
from mmseg_heritage.utils import write_json_atomic


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(
        description=summary, epilog=usage, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--rows', type=int, default=4, help='rows of the smaller shard')
    parser.add_argument('--row-group-size', type=int, default=2)
    parser.add_argument('--height', type=int, default=3000)
    parser.add_argument('--width', type=int, default=4000)
    parser.add_argument('--out', default='work_dirs/benchmarks/converter.json')
    return parser.parse_args(argv)


def folder_mib(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob('*') if p.is_file()) / 2**20, 1)


def main(argv=None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix='converter_benchmark_') as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        (double,) = write_synthetic_parquet(tmp / 'double', 2 * args.rows, num_shards=1,
                                            size=(args.height, args.width),
                                            row_group_size=args.row_group_size)
        single = tmp / 'single' / 'train.parquet'
        single.parent.mkdir()
        pq.write_table(pq.read_table(double).slice(0, args.rows), single,
                       row_group_size=args.row_group_size)
        generation_seconds = time.perf_counter() - start

        baseline = run_in_fresh_process(
            convert_shard, dict(source='', out=str(tmp / 'unused'),
                                max_long_side=None))['peak_rss_mib']
        runs = []
        configurations = [('full_size', single, None), ('max_long_side_1024', single, 1024),
                          ('full_size_2x_rows', double, None)]
        for name, shard, max_long_side in configurations:
            metadata = pq.ParquetFile(shard).metadata
            result = run_in_fresh_process(convert_shard, dict(
                source=str(shard), out=str(tmp / name), max_long_side=max_long_side))
            megapixels = result['images'] * args.height * args.width / 1e6
            runs.append(dict(
                name=name, rows=metadata.num_rows, row_group_size=args.row_group_size,
                row_groups=metadata.num_row_groups, max_long_side=max_long_side,
                shard_mib=round(shard.stat().st_size / 2**20, 1),
                output_mib=folder_mib(tmp / name), seconds=round(result['seconds'], 2),
                images_per_s=round(result['images'] / result['seconds'], 3),
                megapixels_per_s=round(megapixels / result['seconds'], 2),
                peak_rss_mib=result['peak_rss_mib'],
                peak_above_import_mib=round(result['peak_rss_mib'] - baseline, 1)))
            print(json.dumps(runs[-1]))

    record = dict(
        machine=machine_record(numpy=np.__version__, pyarrow=pyarrow.__version__,
                               pillow=PIL.__version__, opencv=cv2.__version__),
        image_size=dict(height=args.height, width=args.width),
        generation_seconds=round(generation_seconds, 1),
        import_only_peak_rss_mib=baseline,
        runs=runs)
    write_json_atomic(args.out, record)
    print(f'import only: peak RSS {baseline} MiB; wrote {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
