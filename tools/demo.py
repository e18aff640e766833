"""The main job end to end on the built-in synthetic dataset (what `make demo` runs).

Generates the data (once), trains the demo config with MMEngine's runner, evaluates it, loads
the checkpoint back the way users do (``init_model``), and writes to the work dir the
checkpoint, ``metrics.json`` (with the majority-class baseline) and ``predictions.png``.

    python tools/demo.py [--iters N] [--work-dir work_dirs/demo]
"""
import argparse
import json
import os
import os.path as osp
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from mmengine.config import Config
from mmengine.runner import Runner
from mmseg.apis import inference_model, init_model

import mmseg_heritage
from mmseg_heritage.datasets import CLASSES, count_pixels, generate_synthetic_dataset
from mmseg_heritage.visualization import save_prediction_grid

REPO = Path(__file__).resolve().parents[1]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=str(REPO / 'configs/demo/unet_s_synthetic_160.py'))
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--data-root', default='data/synthetic')
    parser.add_argument('--iters', type=int, help='training iterations (default: the config)')
    parser.add_argument('--num-images', type=int, default=96,
                        help='synthetic images, split 70/15/15 into train/val/test')
    parser.add_argument('--image-size', type=int, default=160)
    parser.add_argument('--num-pictures', type=int, default=4)
    parser.add_argument('--allow-below-baseline', action='store_true',
                        help='exit 0 even if the model does not beat the majority class')
    return parser.parse_args()


def configure(args) -> Config:
    cfg = Config.fromfile(args.config)
    cfg.work_dir = args.work_dir
    for loader in (cfg.train_dataloader, cfg.val_dataloader, cfg.test_dataloader):
        loader.dataset.data_root = args.data_root
    if args.iters:
        cfg.train_cfg.max_iters = args.iters
        cfg.train_cfg.val_interval = args.iters
        cfg.default_hooks.checkpoint.interval = args.iters
        for scheduler in cfg.param_scheduler:
            scheduler.end = min(scheduler.end, args.iters)
    return cfg


def majority_baseline(infos) -> dict:
    """Scores of predicting the most frequent class everywhere, computed as mmseg's IoUMetric
    would: one confusion matrix over the split, classes absent from it left out of the mean."""
    counts = np.zeros(len(CLASSES), np.int64)
    for info in infos:
        mask = cv2.imread(info['seg_map_path'], cv2.IMREAD_UNCHANGED)
        counts += count_pixels(mask)
    majority = int(counts.argmax())
    accuracy = float(counts[majority] / counts.sum())
    # IoU of the majority class equals its pixel share; every other present class scores 0.
    return dict(class_name=CLASSES[majority], aAcc=round(100 * accuracy, 2),
                mIoU=round(100 * accuracy / int(np.count_nonzero(counts)), 2))


def main() -> int:
    args = parse_args()
    started = time.time()
    if not osp.exists(osp.join(args.data_root, 'metadata.csv')):
        print(f'Generating the synthetic dataset in {args.data_root}')
        generate_synthetic_dataset(args.data_root, args.num_images, args.image_size,
                                   progress=True)

    cfg = configure(args)
    runner = Runner.from_cfg(cfg)
    runner.train()
    scores = {k: float(v) for k, v in runner.test().items()}

    # Load the saved checkpoint the way users do; this also proves it passes safe loading.
    checkpoint = (Path(args.work_dir) / 'last_checkpoint').read_text().strip()
    model = init_model(cfg, checkpoint, device='cpu')
    test_infos = [runner.test_dataloader.dataset.get_data_info(i)
                  for i in range(len(runner.test_dataloader.dataset))]
    rows = []
    for info in test_infos[:args.num_pictures]:
        prediction = inference_model(model, info['img_path'])
        rows.append((osp.basename(info['img_path']),
                     cv2.imread(info['img_path'])[..., ::-1],
                     cv2.imread(info['seg_map_path'], cv2.IMREAD_UNCHANGED),
                     prediction.pred_sem_seg.data[0].numpy().astype(np.uint8)))
    picture = osp.join(args.work_dir, 'predictions.png')
    save_prediction_grid(rows, picture)

    baseline = majority_baseline(test_infos)
    metrics = dict(
        mmseg_heritage_version=mmseg_heritage.__version__,
        config=args.config,
        checkpoint=checkpoint,
        iterations=cfg.train_cfg.max_iters,
        split='test',
        num_images=len(test_infos),
        metrics=scores,
        majority_class_baseline=baseline,
        beats_baseline=scores['mIoU'] > baseline['mIoU'],
        minutes=round((time.time() - started) / 60, 2),
    )
    metrics_path = osp.join(args.work_dir, 'metrics.json')
    partial = Path(metrics_path + '.partial')  # renamed when complete: never half-written
    partial.write_text(json.dumps(metrics, indent=2) + '\n')
    os.replace(partial, metrics_path)
    print(f"\ntest mIoU {scores['mIoU']:.2f} vs majority-class baseline {baseline['mIoU']:.2f} "
          f"({baseline['class_name']} everywhere)\nwrote {metrics_path}, {picture}, {checkpoint}")
    if not metrics['beats_baseline'] and not args.allow_below_baseline:
        print('The demo model did not beat the majority-class baseline.', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
