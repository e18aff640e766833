"""Heat map of a run's confusion matrix, each ground-truth row as shares of its pixels.

    python tools/analysis/plot_confusion_matrix.py WORK_DIR_OR_CSV [--out PNG]

A work dir's newest confusion_matrix.csv is used (ArtefactMetric writes it beside
metrics.json). The diagonal is each class's recall; the chart goes to
WORK_DIR/analysis/confusion_matrix.png by default.
"""
import argparse
import sys
from pathlib import Path

from mmseg_heritage.evaluation.run_results import load_run, read_confusion_matrix, work_dir_of
from mmseg_heritage.visualization.confusion_heatmap import confusion_heatmap
from mmseg_heritage.visualization.figure_files import save_figure


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('source', help='work dir of a run, or a confusion_matrix.csv')
    parser.add_argument('--out', help='PNG file (default: WORK_DIR/analysis/confusion_matrix.png)')
    return parser.parse_args(argv)


def load_confusion(source: Path):
    """Class names, matrix and the work dir they belong to, from a work dir or a CSV."""
    if source.is_dir():
        run = load_run(source)
        if run.confusion is None:
            raise ValueError(f'{source}: no confusion_matrix.csv beside the newest metrics.json')
        return run.confusion_classes, run.confusion, source
    classes, matrix = read_confusion_matrix(source)
    return classes, matrix, work_dir_of(source)


def main(argv=None) -> int:
    args = parse_args(argv)
    source = Path(args.source)
    try:
        classes, matrix, work_dir = load_confusion(source)
    except (OSError, ValueError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    out = Path(args.out or work_dir / 'analysis' / 'confusion_matrix.png')
    title = (f'{work_dir.resolve().name}: confusion matrix, rows sum to 1 '
             f'({int(matrix.sum()):,} pixels)')
    save_figure(confusion_heatmap(classes, matrix, title), out)
    print(f'wrote {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
