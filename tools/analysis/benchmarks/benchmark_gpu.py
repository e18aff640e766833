"""GPU figures of configs' models, one JSON file per config (what tools/gpu_check.sh runs).

    python tools/analysis/benchmarks/benchmark_gpu.py CONFIG [CONFIG ...] \\
        [--out-dir docs/benchmarks] [--crop 384] [--train-batch 8] [--batch-sizes 1 16] \\
        [--precisions fp16 bf16] [--height 3000] [--width 4000] [--dry-run]

Per config, random weights, each measurement in a fresh process:
  - ``train``: training images/s through MMEngine's Runner with the optim wrapper --amp picks
    (float16 AmpOptimWrapper on a GPU), on in-memory --crop px crops of --train-batch;
  - ``infer``: images/s of the model on --crop px images by batch size and autocast precision
    (precisions alternating in rounds);
  - ``scan``: tools/infer.py on one synthetic --height x --width scan (the config's test
    pipeline and tiles), fp32 and --precision bf16, wall time of the whole command (model
    loading and writing the damage map included).
Writes <out-dir>/<config name>_gpu.json after each config, so a run stopped by its time limit
keeps what it finished. --dry-run: tiny sizes (64 px, a 96 x 128 scan), each measurement in this
process (quicker; its peak memory is then not its own), for trying it on a CPU.
"""
import argparse
import platform
import sys
import tempfile
from pathlib import Path

import cv2

from mmseg_heritage.benchmarks import run_in_fresh_process
from mmseg_heritage.benchmarks.gpu_speed import DTYPES, gpu_speed
from mmseg_heritage.benchmarks.scan_inference import predict_with_script, random_checkpoint
from mmseg_heritage.datasets.preparation import make_sample
from mmseg_heritage.utils import write_json_atomic

REPO = Path(__file__).resolve().parents[3]
INFER = REPO / 'tools/infer.py'


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('configs', nargs='+', help='config files')
    parser.add_argument('--out-dir', default='work_dirs/benchmarks')
    parser.add_argument('--crop', type=int, default=384)
    parser.add_argument('--train-batch', type=int, default=8)
    parser.add_argument('--batch-sizes', type=int, nargs='+', default=[1, 16])
    parser.add_argument('--precisions', nargs='+', choices=sorted(DTYPES),
                        default=['fp16', 'bf16'])
    parser.add_argument('--iters', type=int, default=20, help='inference batches per round')
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--height', type=int, default=3000)
    parser.add_argument('--width', type=int, default=4000)
    parser.add_argument('--dry-run', action='store_true', help='tiny sizes, to try it anywhere')
    args = parser.parse_args(argv)
    if args.dry_run:
        args.crop, args.train_batch, args.batch_sizes = 64, 2, [1, 2]
        args.iters, args.rounds, args.height, args.width = 1, 2, 96, 128
    return args


def run_here(function, spec: dict, cwd: str) -> dict:
    """``run_in_fresh_process``'s stand-in for --dry-run: ``function(spec)`` in this process."""
    return function(spec)


def measure(config: str, args, scan: Path, tmp: Path) -> dict:
    """The figures of one config (see the module's docstring)."""
    train = dict(batch_size=args.train_batch, warmup=2 if args.dry_run else 5,
                 iters=1 if args.dry_run else 10, rounds=2 if args.dry_run else 3)
    infer = dict(batch_sizes=args.batch_sizes, precisions=args.precisions,
                 warmup=1 if args.dry_run else 5, iters=args.iters, rounds=args.rounds)
    run = run_here if args.dry_run else run_in_fresh_process
    result = run(gpu_speed, dict(config=config, crop=args.crop, train=train, infer=infer),
                 cwd=REPO)
    checkpoint = tmp / f'{Path(config).stem}.pth'
    random_checkpoint(config, checkpoint)
    result['scan'] = dict(image=[args.height, args.width])
    for precision in ('fp32', 'bf16'):
        argv = [config, str(checkpoint), str(scan), '--out-dir', str(tmp / precision),
                '--precision', precision, '--no-progress']
        result['scan'][precision] = run(predict_with_script,
                                        dict(script=str(INFER), argv=argv), cwd=REPO)
    return result


def main(argv=None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        scan = tmp / 'scan.jpg'
        cv2.imwrite(str(scan), make_sample(0, (args.height, args.width)).image[..., ::-1],
                    [cv2.IMWRITE_JPEG_QUALITY, 92])
        for config in args.configs:
            result = dict(benchmark='gpu', python=platform.python_version(),
                          dry_run=args.dry_run, **measure(config, args, scan, tmp))
            out = Path(args.out_dir) / f'{Path(config).stem}_gpu.json'
            write_json_atomic(out, result)
            print(f'wrote {out}: train {result["train"]["train_images_per_s"]} images/s, '
                  f'infer {result["infer"]}', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
