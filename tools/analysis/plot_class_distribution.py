"""Pixel share of each class in a dataset, and the damage classes of each material.

    python tools/analysis/plot_class_distribution.py DATA_ROOT_OR_STATISTICS_JSON [--out PNG]

Reads the statistics.json the converter and the synthetic generator write into the data root.
The chart goes to work_dirs/class_distribution_<data root name>.png by default, so the
dataset folder is left as it is.
"""
import argparse
import sys
from pathlib import Path

from mmseg_heritage.datasets.preparation.statistics import STATISTICS_FILE
from mmseg_heritage.visualization.class_distribution_chart import (class_distribution_chart,
                                                                   read_statistics)
from mmseg_heritage.visualization.figure_files import save_figure


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('source', help='data root, or its statistics.json')
    parser.add_argument('--out', help='PNG file '
                        '(default: work_dirs/class_distribution_<data root name>.png)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    path = Path(args.source)
    if path.is_dir():
        path = path / STATISTICS_FILE
    try:
        statistics = read_statistics(path)
    except (OSError, ValueError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    name = path.resolve().parent.name
    out = Path(args.out or Path('work_dirs') / f'class_distribution_{name}.png')
    save_figure(class_distribution_chart(statistics, f'{name}: class distribution'), out)
    print(f'wrote {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
