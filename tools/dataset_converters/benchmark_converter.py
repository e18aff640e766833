"""Benchmark the ARTeFACT parquet converter on large synthetic photographs: speed and peak memory.

    python tools/dataset_converters/benchmark_converter.py [--rows 4] [--row-group-size 2] \\
        [--height 3000] [--width 4000] [--out work_dirs/benchmarks/converter.json]

Writes one shard of ``2 * rows`` JPEG images and one of its first ``rows``, then converts in
a fresh process per configuration, so each peak RSS (Linux ``VmHWM``) belongs to one run:
full size, ``max_long_side=1024``, and full size on the shard with twice the rows (streaming
means the peak does not grow with the shard). A process that only imports the converter gives
the baseline the others start from.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import PIL
import pyarrow
import pyarrow.parquet as pq

from mmseg_heritage.datasets.preparation import write_synthetic_parquet

# Runs in the child process: converts, then prints its own timing (imports excluded) and its
# peak RSS. VmHWM is this process's own high-water mark; ru_maxrss of a child (getrusage or
# wait4) starts from its parent's RSS at fork, which here is far larger than a conversion.
CONVERT = '''
import json, re, sys, time
from pathlib import Path
from mmseg_heritage.datasets.preparation import convert_artefact_parquet
source, out, max_long_side = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
result = {}
if source:
    start = time.perf_counter()
    report = convert_artefact_parquet(source, out, max_long_side=max_long_side, progress=False)
    assert not report.bad_rows, report.bad_rows
    result = dict(seconds=time.perf_counter() - start, images=len(report.converted))
peak_kib = re.search(r'VmHWM:\\s*(\\d+) kB', Path('/proc/self/status').read_text()).group(1)
print(json.dumps(dict(result, peak_rss_mib=round(int(peak_kib) / 1024, 1))))
'''


def parse_args():
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(
        description=summary, epilog=usage, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--rows', type=int, default=4, help='rows of the smaller shard')
    parser.add_argument('--row-group-size', type=int, default=2)
    parser.add_argument('--height', type=int, default=3000)
    parser.add_argument('--width', type=int, default=4000)
    parser.add_argument('--out', default='work_dirs/benchmarks/converter.json')
    return parser.parse_args()


def run_child(source: str, out: Path, max_long_side) -> dict:
    """Convert ``source`` in a fresh interpreter (only import when ``source`` is empty)."""
    result = subprocess.run(
        [sys.executable, '-c', CONVERT, source, str(out), json.dumps(max_long_side)],
        stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(result.stdout)


def folder_mib(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob('*') if p.is_file()) / 2**20, 1)


def main() -> None:
    args = parse_args()
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

        baseline = run_child('', tmp / 'unused', None)['peak_rss_mib']
        runs = []
        configurations = [('full_size', single, None), ('max_long_side_1024', single, 1024),
                          ('full_size_2x_rows', double, None)]
        for name, shard, max_long_side in configurations:
            metadata = pq.ParquetFile(shard).metadata
            result = run_child(str(shard), tmp / name, max_long_side)
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
        machine=dict(cpu_count=os.cpu_count(), platform=platform.platform(),
                     python=platform.python_version(), numpy=np.__version__,
                     pyarrow=pyarrow.__version__, pillow=PIL.__version__,
                     opencv=cv2.__version__),
        image_size=dict(height=args.height, width=args.width),
        generation_seconds=round(generation_seconds, 1),
        import_only_peak_rss_mib=baseline,
        runs=runs)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + '\n')
    print(f'import only: peak RSS {baseline} MiB; wrote {out}')


if __name__ == '__main__':
    main()
