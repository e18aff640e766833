"""Image | ground truth | prediction | errors for the worst-scoring or chosen images of a split.

    python tools/analysis/prediction_grid.py CONFIG CHECKPOINT [--split test] \\
        [--worst 6 | --images ID [ID ...]] [--max-side 768] [--out PNG] [--device cpu]

Every image of the split is predicted (tile by tile, as tools/infer.py does) and scored against
its annotation at full resolution: mIoU over the classes present in that image, and the share
of labelled pixels predicted right. The picture shows the --worst N images by mIoU (default 6;
images without labelled pixels have no score and are left out), or the --images given by id
(file name without suffix), one row each; the errors column shows the labelled pixels
predicted wrong in red and the unlabelled ones in light grey. It goes to --out, by default
CHECKPOINT's folder/analysis/worst_predictions.png (predictions.png with --images), and the
scores are printed as a table.
"""
import argparse
import sys
from pathlib import Path

from mmengine.config import Config, DictAction

import mmseg_heritage  # noqa: F401  registers the plugin's components
from mmseg_heritage.apis import sample_predictions
from mmseg_heritage.visualization.prediction_grid import save_prediction_grid


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='config file the model was trained with')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--split', default='test', choices=('train', 'val', 'test'),
                        help='split of the config to draw from (default: test)')
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument('--worst', type=int, default=6, metavar='N',
                        help='draw the N images of lowest mIoU (default: 6)')
    choice.add_argument('--images', nargs='+', metavar='ID', help='draw these images instead')
    parser.add_argument('--max-side', type=int, default=768, metavar='PX',
                        help='longer side of the pictures kept for drawing (default: 768)')
    parser.add_argument('--out', help='output PNG (default: CHECKPOINT folder/analysis/...)')
    parser.add_argument('--device', default=None, help='e.g. cpu, cuda:0 (default: GPU if any)')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, e.g. test_dataloader.dataset.data_root')
    return parser.parse_args(argv)


def score_table(samples) -> str:
    """Names and scores, one line per image."""
    width = max(len('image'), *(len(s.name) for s in samples))
    lines = [f"{'image':<{width}}  {'mIoU':>6}  {'accuracy':>8}"]
    for sample in samples:
        scores = ('-', '-') if sample.mIoU is None else (f'{sample.mIoU:.2f}',
                                                         f'{sample.accuracy:.2f}')
        lines.append(f'{sample.name:<{width}}  {scores[0]:>6}  {scores[1]:>8}')
    return '\n'.join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    for path, what in ((args.config, 'config'), (args.checkpoint, 'checkpoint')):
        if not Path(path).is_file():
            print(f'error: {path}: no such {what} file', file=sys.stderr)
            return 2
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    name = 'predictions.png' if args.images else 'worst_predictions.png'
    out = Path(args.out or Path(args.checkpoint).parent / 'analysis' / name)
    try:
        samples = sample_predictions(cfg, args.checkpoint, split=args.split, images=args.images,
                                     worst=None if args.images else args.worst,
                                     device=args.device, max_side=args.max_side,
                                     progress=not args.no_progress)
    except ValueError as error:  # an unknown image id, a split the config lacks
        print(f'error: {error}', file=sys.stderr)
        return 2
    if not samples:
        print(f'error: no image of the {args.split} split has labelled pixels to score',
              file=sys.stderr)
        return 1
    save_prediction_grid(samples, out)
    print(score_table(samples))
    print(f'wrote {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
