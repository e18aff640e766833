"""Loss and validation scores over the iterations of a training run.

    python tools/analysis/plot_training_curves.py WORK_DIR [--out PNG]

Reads the vis_data/scalars.json of every <timestamp>/ folder of the work dir, so a resumed
training is drawn whole. The chart goes to WORK_DIR/analysis/training_curves.png by default.
"""
import argparse
import sys
from pathlib import Path

from mmseg_heritage.evaluation.run_results import load_run
from mmseg_heritage.visualization.figure_files import save_figure
from mmseg_heritage.visualization.training_curves import training_curves


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('work_dir', help='work dir of a training run')
    parser.add_argument('--out', help='PNG file (default: WORK_DIR/analysis/training_curves.png)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    work_dir = Path(args.work_dir)
    try:
        run = load_run(work_dir)
        if not run.train_scalars:
            raise ValueError(f'{work_dir}: no training records in any '
                             '<timestamp>/vis_data/scalars.json')
    except (OSError, ValueError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    out = Path(args.out or work_dir / 'analysis' / 'training_curves.png')
    save_figure(training_curves(run.train_scalars, run.val_scalars, run.name), out)
    print(f'wrote {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
