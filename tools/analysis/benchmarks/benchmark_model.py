"""Training and inference speed of configs' models, measured side by side, written as JSON.

    python tools/analysis/benchmarks/benchmark_model.py CONFIG [CONFIG ...] [--batch-size 2] \\
        [--crop 384] [--iters 5] [--warmup 2] [--rounds 5] [--compare] \\
        [--switches channels_last bf16 compile workers] [--slide-size 1024 768] \\
        [--out work_dirs/benchmarks/model.json]

Each config's model, with random weights, in a fresh process whose peak RSS is its own.
Training runs on in-memory synthetic batches of ``--batch-size`` crops of ``--crop`` px, so
data loading is not part of it. A rate is the median over ``--rounds`` rounds of ``--iters``
steps each, after ``--warmup`` steps; rates that are compared run in alternating rounds
(A B A B ...: these machines are noisy). Per config:
  - training through MMEngine's Runner (IterBasedTrainLoop, the config's optim wrapper with
    its paramwise settings, parameter schedulers and hooks). ``--compare`` alternates its
    rounds with a plain PyTorch loop on an equal copy of the model (forward on the already
    normalised batch, summed losses, backward, AdamW step): ``framework_overhead`` is the
    framework's step time over the plain loop's, minus 1;
  - inference of one crop (``whole``), and of one ``--slide-size`` (H W) image by sliding
    windows (the config's, or for ``whole`` configs crops of ``--crop`` at 2/3 stride) with
    MMSeg's slide inference and with mmseg_heritage's tiled prediction, whose labels are
    compared pixel by pixel;
  - peak RSS once the Runner's training is warm (``peak_rss_mib``: model, optimizer state,
    one step) and of the whole process (``peak_rss_mib_process``), CUDA memory likewise on a
    GPU; parameters and FLOPs as tools/analysis/model_complexity.py counts them (auxiliary
    heads left out);
  - ``--switches``, each against float32 in the same process: ``channels_last`` (model and
    inputs), ``bf16`` (BF16OptimWrapper for training, bfloat16 autocast for inference),
    ``compile`` (torch.compile of train_step as the config option ``compile=True`` does;
    compilation time reported apart) and ``workers`` (the config's own train_dataloader on a
    small synthetic dataset of ``--slide-size`` images, 0 against 2 worker processes, next to
    the training rate). Switches are timed on ``train_step`` without the Runner's hooks.
A config whose run fails gets its error in place of figures (exit status 1); the others run.
"""
import argparse
import json
import platform
import sys
from pathlib import Path

import torch

from mmseg_heritage.benchmarks import cpu_name, run_in_fresh_process
from mmseg_heritage.benchmarks.model_speed import SWITCHES, model_speed
from mmseg_heritage.utils import write_json_atomic

REPO = Path(__file__).resolve().parents[3]


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('configs', nargs='+', help='config files')
    parser.add_argument('--batch-size', type=int, default=2, help='training batch (default: 2)')
    parser.add_argument('--crop', type=int, default=384,
                        help='training crop and whole-inference image side (default: 384)')
    parser.add_argument('--iters', type=int, default=5, help='steps per round (default: 5)')
    parser.add_argument('--warmup', type=int, default=2,
                        help='untimed steps before the rounds, at least 1 (default: 2)')
    parser.add_argument('--rounds', type=int, default=5,
                        help='timed rounds per figure; the median counts (default: 5)')
    parser.add_argument('--compare', action='store_true',
                        help='also train with a plain PyTorch loop: the framework overhead')
    parser.add_argument('--switches', nargs='+', choices=SWITCHES, default=[],
                        help='speed options, each measured against float32')
    parser.add_argument('--slide-size', type=int, nargs=2, default=[1024, 768],
                        metavar=('H', 'W'), help='sliding-window image (default: 1024 768)')
    parser.add_argument('--out', default='work_dirs/benchmarks/model.json',
                        help='JSON file (default: work_dirs/benchmarks/model.json)')
    args = parser.parse_args(argv)
    small = [name for name in ('batch_size', 'crop', 'iters', 'warmup', 'rounds')
             if getattr(args, name) < 1]
    if small:
        parser.error(f'{", ".join("--" + name.replace("_", "-") for name in small)} '
                     'must be at least 1')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    missing = [config for config in args.configs if not Path(config).is_file()]
    if missing:
        print(f'error: config not found: {", ".join(missing)}', file=sys.stderr)
        return 1
    settings = dict(batch_size=args.batch_size, crop=args.crop, iters=args.iters,
                    warmup=args.warmup, rounds=args.rounds, compare=args.compare,
                    switches=list(dict.fromkeys(args.switches)), slide_size=args.slide_size)
    device = (f'cuda ({torch.cuda.get_device_name()})' if torch.cuda.is_available() else 'cpu')
    results = dict(benchmark='model', machine=platform.processor() or platform.machine(),
                   cpu=cpu_name(), python=platform.python_version(),
                   torch=torch.__version__, device=device, settings=settings, configs={})
    for config in args.configs:
        path = Path(config).resolve()
        # Runs go in the repository: its configs go by their relative path.
        name = str(path.relative_to(REPO) if path.is_relative_to(REPO) else path)
        try:
            figures = run_in_fresh_process(model_speed, dict(config=name, settings=settings),
                                           cwd=REPO)
        except RuntimeError as error:
            figures = dict(error=str(error))
        results['configs'][name] = figures
        print(json.dumps({name: figures}, indent=2), flush=True)
    write_json_atomic(args.out, results)
    print(f'wrote {args.out}')
    if any('error' in figures for figures in results['configs'].values()):
        print('error: some configs could not be measured (see their "error")', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
