"""Memory of tools/infer.py over a long collection (a soak test), as JSON.

    python tools/analysis/benchmarks/benchmark_collection_memory.py [--scans 300] \\
        [--warmup 20] [--size 256 384] [--limit 10] \\
        [--out docs/benchmarks/collection_memory_cpu.json]

Writes ``--scans`` synthetic scans, runs ``tools/infer.py`` on them (the demo UNet with random
weights: memory does not depend on them; every output, condition report and tile pyramid
included) and follows its resident memory scan by scan
(``mmseg_heritage/benchmarks/collection_memory.py``). It passes when the memory after the
first ``--warmup`` scans grows by less than ``--limit`` percent; the exit status says so.
"""
import argparse
import json
import sys
import tempfile
from pathlib import Path

from mmseg_heritage.benchmarks import machine_record
from mmseg_heritage.benchmarks.collection_memory import memory_growth, rss_per_scan, write_scans
from mmseg_heritage.benchmarks.machine import cpu_name
from mmseg_heritage.benchmarks.scan_inference import random_checkpoint
from mmseg_heritage.utils import write_json_atomic

REPO = Path(__file__).resolve().parents[3]
CONFIG = 'configs/demo/unet_s_synthetic_160.py'


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--scans', type=int, default=300)
    parser.add_argument('--warmup', type=int, default=20)
    parser.add_argument('--size', type=int, nargs=2, default=[256, 384], metavar=('H', 'W'))
    parser.add_argument('--limit', type=float, default=10.0, help='growth allowed, in %%')
    parser.add_argument('--out', default='work_dirs/benchmarks/collection_memory.json')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_scans(tmp / 'scans', args.scans, args.size)
        checkpoint = tmp / 'demo_random.pth'
        random_checkpoint(str(REPO / CONFIG), checkpoint)
        out_dir = tmp / 'out'
        command = [sys.executable, str(REPO / 'tools/infer.py'), str(REPO / CONFIG),
                   str(checkpoint), str(tmp / 'scans'), '--out-dir', str(out_dir),
                   '--device', 'cpu', '--no-progress']
        run = rss_per_scan(command, out_dir / 'journal', args.scans)
        report = json.loads((out_dir / 'report.json').read_text())
        outputs = sum(1 for path in out_dir.rglob('*') if path.is_file())
    growth = memory_growth(run['rss_mib'], args.warmup)
    results = dict(
        benchmark='collection_memory', cpu=cpu_name(), machine=machine_record(),
        config=CONFIG, weights='random (seed 0)', scans=args.scans, scan_size=args.size,
        warmup=args.warmup, limit_percent=args.limit,
        passed=growth['growth_percent'] < args.limit, **growth, seconds=run['seconds'],
        processed=report['summary']['processed'], files_written=outputs,
        rss_mib_per_scan=run['rss_mib'])
    write_json_atomic(args.out, results)
    print(json.dumps({key: value for key, value in results.items()
                      if key != 'rss_mib_per_scan'}, indent=2))
    print(f'wrote {args.out}')
    return 0 if results['passed'] else 1


if __name__ == '__main__':
    sys.exit(main())
