"""Write one self-contained HTML page with the results of one or several work dirs.

    python tools/report.py WORK_DIR [WORK_DIR ...] [--out report.html] [--samples 4]

Per work dir: the scores of its newest metrics.json (per class, clean/damage, damage groups,
per material and content type), per-class IoU chart, normalised confusion matrix, training
curves, and the worst-scoring test images drawn by the work dir's own config and best
checkpoint (``--samples 0`` leaves them out; they need the dataset on this machine). With
several work dirs the page opens with a comparison table and chart. The page embeds every
picture and loads nothing from the network.
"""
import argparse
import sys
from collections import Counter
from pathlib import Path

from mmseg_heritage.evaluation.run_results import load_run
from mmseg_heritage.utils import write_text_atomic
from mmseg_heritage.visualization.html_report import html_report


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('work_dirs', nargs='+', help='work dirs of training or test runs')
    parser.add_argument('--out', help='HTML file (default: WORK_DIR/report.html for one work '
                        'dir, work_dirs/report.html for several)')
    parser.add_argument('--samples', type=int, default=4,
                        help='worst-scoring images drawn per work dir (default: 4; 0: none)')
    parser.add_argument('--split', default='test', choices=('train', 'val', 'test'),
                        help='split the sample images come from (default: test)')
    parser.add_argument('--device', default='cpu', help='device for the sample predictions')
    parser.add_argument('--title', default='mmseg-heritage results', help='page title')
    return parser.parse_args(argv)


def unique_names(runs) -> None:
    """Label runs that share a folder name (a/demo, b/demo) with their parent folder too."""
    counts = Counter(run.name for run in runs)
    for run in runs:
        if counts[run.name] > 1:
            run.name = f'{run.work_dir.resolve().parent.name}/{run.name}'


def worst_samples(run, count: int, split: str, device: str):
    """The run's ``count`` worst-scoring images and a note on them, or no images and why."""
    if run.config is None or run.checkpoint is None:
        return None, 'No sample predictions: the work dir holds no config or no checkpoint.'
    from mmseg_heritage.apis import sample_predictions
    try:
        samples = sample_predictions(run.config, run.checkpoint, split=split, worst=count,
                                     device=device)
    except (FileNotFoundError, ValueError) as error:
        return None, f'No sample predictions: {error}'
    return samples, (f'The {len(samples)} {split} images with the lowest mIoU of their own, '
                     f'predicted with {run.checkpoint.name}.')


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        runs = [load_run(work_dir) for work_dir in args.work_dirs]
    except (FileNotFoundError, ValueError) as error:
        print(f'report.py: {error}', file=sys.stderr)
        return 2
    unique_names(runs)
    samples, notes = {}, {}
    for run in runs if args.samples > 0 else ():
        samples[run.name], notes[run.name] = worst_samples(run, args.samples, args.split,
                                                           args.device)
        if samples[run.name] is None:
            print(f'{run.name}: {notes[run.name]}', file=sys.stderr)
    out = Path(args.out) if args.out else (
        runs[0].work_dir / 'report.html' if len(runs) == 1 else Path('work_dirs/report.html'))
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out, html_report(runs, samples, notes, title=args.title))
    print(f'wrote {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
