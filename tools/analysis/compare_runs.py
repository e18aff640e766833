"""Scores of several runs side by side: a CSV, a Markdown table and a per-class IoU chart.

    python tools/analysis/compare_runs.py WORK_DIR [WORK_DIR ...] [--out PREFIX]

Each run's newest metrics.json is used. Writes PREFIX.csv (every score, per-class IoU
included), PREFIX.md (the headline scores, best in bold) and PREFIX.png, and prints the
Markdown table. PREFIX defaults to work_dirs/comparison.
"""
import argparse
import sys

from mmseg_heritage.evaluation.run_comparison import (comparison_rows, markdown_table,
                                                      write_comparison)
from mmseg_heritage.evaluation.run_results import load_run
from mmseg_heritage.visualization.comparison_chart import comparison_chart
from mmseg_heritage.visualization.figure_files import save_figure


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('work_dirs', nargs='+', help='work dirs of the runs')
    parser.add_argument('--out', default='work_dirs/comparison',
                        help='writes OUT.csv, OUT.md and OUT.png (default: work_dirs/comparison)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        rows = comparison_rows([load_run(work_dir) for work_dir in args.work_dirs])
    except (OSError, ValueError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    csv_path, md_path = write_comparison(rows, args.out)
    save_figure(comparison_chart(rows), f'{args.out}.png')
    print(markdown_table(rows))
    print(f'wrote {csv_path}, {md_path} and {args.out}.png')
    return 0


if __name__ == '__main__':
    sys.exit(main())
