"""Accuracy of bfloat16 against float32 training, over several seeds, on one config.

    python tools/analysis/benchmarks/compare_precision.py CONFIG [--seeds 0 1 2] [--threads 1] \\
        [--work-dir work_dirs/precision] [--out work_dirs/precision/precision.json] \\
        [--cfg-options KEY=VALUE ...]

For each seed, ``tools/train.py CONFIG`` and ``tools/train.py CONFIG --amp`` (bfloat16 on a
machine without GPU) run side by side, each with ``--threads`` threads, so both see the same
load. Writes the final validation mIoU and the wall time of every run, the per-seed difference
(bfloat16 - float32), its mean and standard deviation, and the time ratio, as JSON.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from mmseg_heritage.evaluation.run_results import read_metrics, run_folders
from mmseg_heritage.utils import write_json_atomic

REPO = Path(__file__).resolve().parents[3]
PRECISIONS = {'float32': [], 'bfloat16': ['--amp']}


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--threads', type=int, default=1, help='threads per run (default: 1)')
    parser.add_argument('--work-dir', default='work_dirs/precision')
    parser.add_argument('--out', default=None,
                        help='JSON file (default: WORK_DIR/precision.json)')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='passed on to tools/train.py')
    return parser.parse_args(argv)


def final_miou(work_dir: Path) -> float:
    """mIoU of the last validation (metrics.json is rewritten by every validation)."""
    found = [folder / 'metrics.json' for folder in run_folders(work_dir)
             if (folder / 'metrics.json').is_file()]
    if not found:
        raise FileNotFoundError(f'{work_dir}: no metrics.json; did training validate?')
    return read_metrics(found[-1])['overall']['mIoU']


def train_pair(config: str, seed: int, args) -> dict:
    """Train in both precisions at once; return {precision: {mIoU, seconds, work_dir}}."""
    env = {**os.environ, 'OMP_NUM_THREADS': str(args.threads), 'MKL_NUM_THREADS':
           str(args.threads)}
    runs = {}
    for precision, flags in PRECISIONS.items():
        work_dir = Path(args.work_dir) / f'seed{seed}_{precision}'
        command = [sys.executable, str(REPO / 'tools/train.py'), config, '--work-dir',
                   str(work_dir), *flags, '--cfg-options', f'randomness.seed={seed}',
                   *args.cfg_options]
        log = open(Path(args.work_dir) / f'seed{seed}_{precision}.log', 'w')
        runs[precision] = (work_dir, time.perf_counter(),
                           subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                            env=env, cwd=REPO), log)
    results = {}
    while len(results) < len(runs):  # each run's time ends when it does, not when waited on
        for precision, (work_dir, start, process, log) in runs.items():
            if precision in results or process.poll() is None:
                continue
            seconds = round(time.perf_counter() - start, 1)
            log.close()
            if process.returncode:
                raise RuntimeError(f'{precision} training (seed {seed}) failed with exit '
                                   f'code {process.returncode}; see {log.name}')
            results[precision] = dict(mIoU=final_miou(work_dir), seconds=seconds,
                                      work_dir=str(work_dir))
        time.sleep(1)
    return results


def summary(per_seed: dict) -> dict:
    differences = [r['bfloat16']['mIoU'] - r['float32']['mIoU'] for r in per_seed.values()]
    means = {p: statistics.mean(r[p]['mIoU'] for r in per_seed.values()) for p in PRECISIONS}
    time_ratio = statistics.mean(r['float32']['seconds'] / r['bfloat16']['seconds']
                                 for r in per_seed.values())
    return dict(mean_mIoU=means,
                stdev_mIoU={p: statistics.stdev(r[p]['mIoU'] for r in per_seed.values())
                            if len(per_seed) > 1 else None for p in PRECISIONS},
                mean_difference=round(statistics.mean(differences), 4),
                stdev_difference=round(statistics.stdev(differences), 4)
                if len(differences) > 1 else None,
                speedup=round(time_ratio, 3))


def main(argv=None) -> int:
    args = parse_args(argv)
    if not Path(args.config).is_file():
        print(f'error: config not found: {args.config}', file=sys.stderr)
        return 2
    Path(args.work_dir).mkdir(parents=True, exist_ok=True)
    per_seed = {seed: train_pair(args.config, seed, args) for seed in args.seeds}
    results = dict(config=args.config, threads_per_run=args.threads,
                   cfg_options=args.cfg_options, seeds=per_seed, summary=summary(per_seed))
    out = args.out or str(Path(args.work_dir) / 'precision.json')
    write_json_atomic(out, results)
    print(json.dumps(results['summary'], indent=2))
    print(f'wrote {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
