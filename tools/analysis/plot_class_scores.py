"""Bar chart of one per-class score (IoU, Dice, precision, recall...) of a run.

    python tools/analysis/plot_class_scores.py WORK_DIR_OR_METRICS_JSON [--metric IoU] \\
        [--level overall|binary|coarse] [--out PNG]

A work dir's newest metrics.json is used (ArtefactMetric writes one at every validation and
test). The chart goes to WORK_DIR/analysis/class_<metric>.png by default
(class_<metric>_<level>.png for the binary and coarse levels).
"""
import argparse
import sys
from pathlib import Path

from mmseg_heritage.evaluation.metrics.artefact_metric import PER_CLASS
from mmseg_heritage.evaluation.run_results import load_run, read_metrics, work_dir_of
from mmseg_heritage.visualization.class_scores_chart import class_scores_chart
from mmseg_heritage.visualization.figure_files import save_figure


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('source', help='work dir of a run, or a metrics.json')
    parser.add_argument('--metric', default='IoU', choices=PER_CLASS,
                        help='per-class score to plot (default: IoU)')
    parser.add_argument('--level', default='overall', choices=('overall', 'binary', 'coarse'),
                        help='fine classes, Clean/Damage, or damage groups (default: overall)')
    parser.add_argument('--out', help='PNG file (default: in WORK_DIR/analysis/)')
    return parser.parse_args(argv)


def load_metrics(source: Path):
    """The metrics and the work dir they belong to, from a work dir or a metrics.json."""
    if source.is_dir():
        run = load_run(source)
        if run.metrics is None:
            raise ValueError(f'{source}: no metrics.json in the work dir')
        return run.metrics, source
    metrics = read_metrics(source)
    return metrics, work_dir_of(source)


def main(argv=None) -> int:
    args = parse_args(argv)
    source = Path(args.source)
    try:
        metrics, work_dir = load_metrics(source)
        if args.level not in metrics:
            raise ValueError(f'{source}: no {args.level} scores in the metrics')
    except (OSError, ValueError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    level = '' if args.level == 'overall' else f'_{args.level}'
    out = Path(args.out or work_dir / 'analysis' / f'class_{args.metric}{level}.png')
    title = (f'{work_dir.resolve().name}: {args.metric} per class '
             f"({args.level}, {metrics['num_images']} images)")
    save_figure(class_scores_chart(metrics[args.level], title, args.metric), out)
    print(f'wrote {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
