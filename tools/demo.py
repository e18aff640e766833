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
import os.path as osp
import sys
import time
from pathlib import Path

from mmengine.config import Config
from mmengine.runner import Runner

import mmseg_heritage
from mmseg_heritage.apis import (DamageInferencer, find_images, infer_collection,
                                 read_damage_maps, sample_predictions, shares_by_path)
from mmseg_heritage.datasets.preparation import convert_artefact_parquet, write_synthetic_parquet
from mmseg_heritage.evaluation import majority_baseline
from mmseg_heritage.evaluation.run_results import load_run, read_metrics
from mmseg_heritage.utils import write_bytes_atomic, write_json_atomic, write_text_atomic
from mmseg_heritage.utils.data_config import set_data_root
from mmseg_heritage.visualization.html_report import html_report
from mmseg_heritage.visualization.prediction_grid import save_prediction_grid

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
    parser.add_argument('--allow-below-baseline', action='store_true',
                        help='exit 0 even if the model does not beat the majority class')
    return parser.parse_args(argv)


def prepare_data(args) -> None:
    """Synthetic parquet shards converted by the ARTeFACT converter, unless already done."""
    if osp.exists(osp.join(args.data_root, 'metadata.csv')):
        print(f'Using the dataset in {args.data_root}')
        return
    shards = args.data_root.rstrip('/') + '_parquet'
    print(f'Writing {args.num_images} synthetic artefacts as parquet shards in {shards}')
    write_synthetic_parquet(shards, args.num_images, size=args.image_size)
    print(f'Converting them into {args.data_root} (tools/dataset_converters/artefact.py)')
    report = convert_artefact_parquet(shards, args.data_root, progress=True)
    if report.bad_rows:
        raise RuntimeError(f'the converter skipped rows: {report.bad_rows}')


def configure(args) -> Config:
    cfg = Config.fromfile(args.config)
    cfg.work_dir = args.work_dir
    set_data_root(cfg, args.data_root)
    if args.iters:
        cfg.train_cfg.max_iters = args.iters
        cfg.train_cfg.val_interval = args.iters
        cfg.default_hooks.checkpoint.interval = args.iters
        for scheduler in cfg.param_scheduler:
            scheduler.end = min(scheduler.end, args.iters)
    return cfg


def write_report(path: str, demo: dict, metrics: dict, damage: list) -> None:
    """``report.md``: what was trained, how it scored, and the damage found per image."""
    scores, baseline = metrics['overall'], demo['majority_class_baseline']
    lines = [
        '# mmseg-heritage demo report', '',
        f"Model `{demo['config']}`, {demo['iterations']} iterations, "
        f"{demo['minutes']} minutes in all.", '',
        f"Test split ({metrics['num_images']} images): mIoU {scores['mIoU']:.2f}, "
        f"mDice {scores['mDice']:.2f}, aAcc {scores['aAcc']:.2f}; predicting "
        f"{baseline['class_name']} everywhere scores mIoU {baseline['mIoU']:.2f}.", '',
        '## Damage found in the test images', '',
        '| image | damaged % | main damage (% of the image) |', '|---|---:|---|']
    for record in damage:  # the records of damage_maps/report.json
        if record['status'] != 'ok':
            lines.append(f"| {Path(record['file']).name} | failed | {record['error']} |")
            continue
        found = sorted(((share, name) for name, share in record['area_percent'].items()
                        if name != 'Clean' and share > 0), reverse=True)[:3]
        main = ', '.join(f'{name} {share:.2f}' for share, name in found) or 'none'
        lines.append(f"| {Path(record['file']).name} | {record['damaged_percent']:.2f} | "
                     f'{main} |')
    real = demo['real_photos_damaged_percent']
    if real:
        lines += ['', '## Real photographs', '',
                  'Predicted damaged share (% of the photograph); no annotation exists for them.',
                  '', '| photograph | ' + ' | '.join(f'{model} model' for model in real) + ' |',
                  '|---|' + '---:|' * len(real)]
        for photo in next(iter(real.values())):
            lines.append(f'| {photo} | ' + ' | '.join(
                f'{shares[photo]:.2f}' if photo in shares else '—' for shares in real.values())
                + ' |')
    lines += ['', 'Files: `report.html` (scores, plots, predictions), `metrics.json` (the '
              'test\'s scores in full), `demo.json` (this run: baseline, minutes, checkpoint), '
              '`predictions.png`, `damage_maps/` (masks, overlays, `report.csv`, '
              '`report.json`), checkpoints and logs (TensorBoard: `tensorboard --logdir` on '
              'this folder).', '']
    write_text_atomic(path, '\n'.join(lines))


REAL_NOTES = dict(
    demo='The demo model has seen only the procedural synthetic artefacts above: on real '
    'photographs it calls much of the picture damage.',
    starter='The starter model (checkpoints/starter/) was trained on synthetic scans of real '
    'photographs with real damage pasted in; old_w_scratch/ holds real cracks, folds and '
    'losses, old/ mostly intact photographs. No annotation exists for them.')


def real_photo_maps(args, cfg: Config, checkpoint: str, inferencer: DamageInferencer):
    """Damage maps of the real photographs by the demo model and, if there, the starter model:
    ``({model: [DamageMap]}, {model: {photograph: damaged %}})``."""
    photos = Path(args.real_photos)
    if not photos.is_dir():
        print(f'{photos}: no real photographs to map')
        return {}, {}
    images = find_images(str(photos))
    models = {'demo': inferencer}
    starter = sorted(STARTER.glob('*.py'))
    if starter and starter[0].with_suffix('.pth').is_file():
        models['starter'] = DamageInferencer(str(starter[0]), str(starter[0].with_suffix('.pth')),
                                             device='cpu')
    maps, shares = {}, {}
    for model, model_inferencer in models.items():
        out_dir = Path(args.work_dir) / 'real_photos' / model
        records = infer_collection(model_inferencer, images, out_dir, progress=False,
                                   details=dict(model=model))
        maps[model] = read_damage_maps(images, records, out_dir)
        shares[model] = shares_by_path(maps[model], images, photos)
    return maps, shares


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.time()
    prepare_data(args)

    cfg = configure(args)
    runner = Runner.from_cfg(cfg)
    runner.train()
    runner.test()
    # ArtefactMetric wrote the test's record into this run's log folder; the work dir gets a
    # copy, so that metrics.json there is the same schema every other tool reads.
    test_record = Path(runner.log_dir) / 'metrics.json'
    metrics = read_metrics(test_record)
    metrics_path = osp.join(args.work_dir, 'metrics.json')
    write_bytes_atomic(metrics_path, test_record.read_bytes())
    score = metrics['overall']['mIoU']

    # Inference as users run it: the saved checkpoint through MMSeg's inferencer.
    checkpoint = (Path(args.work_dir) / 'last_checkpoint').read_text().strip()
    test_infos = [runner.test_dataloader.dataset.get_data_info(i)
                  for i in range(len(runner.test_dataloader.dataset))]
    images = {Path(info['img_path']).stem: Path(info['img_path']) for info in test_infos}
    inferencer = DamageInferencer(cfg, checkpoint, device='cpu')
    damage_dir = osp.join(args.work_dir, 'damage_maps')
    damage = infer_collection(inferencer, images, damage_dir, progress=False,
                              details=dict(config=args.config, checkpoint=checkpoint))

    annotations = {Path(info['img_path']).stem: info['seg_map_path'] for info in test_infos}
    synthetic_maps = read_damage_maps(images, damage, damage_dir, annotations)
    real_maps, real_shares = real_photo_maps(args, cfg, checkpoint, inferencer)

    rows = sample_predictions(cfg, checkpoint, split='test', device='cpu',
                              images=list(images)[:args.num_pictures])
    picture = osp.join(args.work_dir, 'predictions.png')
    save_prediction_grid(rows, picture)

    baseline = majority_baseline(info['seg_map_path'] for info in test_infos)
    demo = dict(
        mmseg_heritage_version=mmseg_heritage.__version__,
        config=args.config,
        checkpoint=checkpoint,
        iterations=cfg.train_cfg.max_iters,
        split='test',
        metrics_file=metrics_path,
        mIoU=score,
        majority_class_baseline=baseline,
        beats_baseline=score > baseline['mIoU'],
        damage_report=osp.join(damage_dir, 'report.json'),
        real_photos_damaged_percent=real_shares,
        minutes=round((time.time() - started) / 60, 2),
    )
    demo_path = osp.join(args.work_dir, 'demo.json')
    write_json_atomic(demo_path, demo)
    report_path = osp.join(args.work_dir, 'report.md')
    write_report(report_path, demo, metrics, damage)
    run = load_run(args.work_dir)
    page = osp.join(args.work_dir, 'report.html')
    sections = [('Damage maps of the synthetic test images', 'Predicted by the demo model; '
                 'the true damaged share is that of the annotation.',
                 synthetic_maps[:2 * args.num_pictures])]
    for model, maps in real_maps.items():
        sections.append((f'Real photographs: the {model} model', REAL_NOTES[model], maps))
    write_text_atomic(page, html_report(
        [run], {run.name: rows}, {run.name: f'The first {len(rows)} test images.'},
        title='mmseg-heritage demo', damage_maps=sections))
    print(f"\ntest mIoU {score:.2f} vs majority-class baseline {baseline['mIoU']:.2f} "
          f"({baseline['class_name']} everywhere)\nwrote {report_path}, {metrics_path}, "
          f'{demo_path}, {page}, {picture}, {damage_dir}/, {checkpoint}')
    if not demo['beats_baseline'] and not args.allow_below_baseline:
        print('The demo model did not beat the majority-class baseline.', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
