"""The main job end to end on the built-in synthetic dataset (what `make demo` runs).

1. data: writes synthetic ARTeFACT-style parquet shards and converts them with the ARTeFACT
   converter, as for the real dataset (once; a finished conversion is reused);
2. training: the demo config with MMEngine's runner (checkpoints, logs, TensorBoard events);
3. test: mIoU and Dice on the held-out test split, against the majority-class baseline;
4. inference: damage maps, overlays and the damage report of the test images with
   ``DamageInferencer`` (MMSeg's inferencer, tile by tile), as ``tools/infer.py`` writes them;
5. real photographs: damage maps of the twelve in resources/real_photos by the demo model
   and, where checkpoints/starter/ holds it, by the starter model (``real_photos/``);
6. pictures and report: ``predictions.png`` (image | annotation | prediction | errors, with
   each image's mIoU and accuracy), ``metrics.json`` (ArtefactMetric's record of the test,
   docs/metrics_schema.md), ``demo.json`` (the baseline, the minutes taken, the checkpoint,
   the damaged shares), ``report.md`` and ``report.html`` (the page ``tools/report.py``
   writes: scores, plots and these predictions, then the damage maps of the synthetic test
   images with their true and predicted damaged share beside those of the real photographs)
   in the work dir.

    python tools/demo.py [--iters N] [--work-dir work_dirs/demo] [--data-root data/synthetic]
"""
import argparse
import sys
from pathlib import Path

from mmseg_heritage.evaluation.demo_run import run_demo

REPO = Path(__file__).resolve().parents[1]
REAL_PHOTOS = REPO / 'resources/real_photos'
STARTER = REPO / 'checkpoints/starter'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=str(REPO / 'configs/demo/unet_s_synthetic_160.py'))
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--data-root', default='data/synthetic')
    parser.add_argument('--iters', type=int, help='training iterations (default: the config)')
    parser.add_argument('--num-images', type=int, default=96,
                        help='synthetic images, split 70/15/15 into train/val/test')
    parser.add_argument('--image-size', type=int, default=160)
    parser.add_argument('--num-pictures', type=int, default=4,
                        help='test images drawn in predictions.png')
    parser.add_argument('--real-photos', default=str(REAL_PHOTOS),
                        help='photographs to map with the trained (and the starter) model')
    parser.add_argument('--seed', type=int,
                        help="training seed (default: the config's); the data stay the same")
    parser.add_argument('--allow-below-baseline', action='store_true',
                        help='exit 0 even if the model does not beat the majority class')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    demo = run_demo(args.config, args.work_dir, args.data_root, iters=args.iters,
                    num_images=args.num_images, image_size=args.image_size,
                    num_pictures=args.num_pictures, real_photos=args.real_photos,
                    starter=str(STARTER), seed=args.seed)
    if not demo['beats_baseline'] and not args.allow_below_baseline:
        print('The demo model did not beat the majority-class baseline.', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
