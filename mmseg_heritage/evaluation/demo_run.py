"""The main job end to end on the built-in synthetic dataset (``make demo``,
``tools/demo.py``): data, training, test against the majority-class baseline, damage maps,
pictures and reports.

1. data: synthetic ARTeFACT-style parquet shards converted with the ARTeFACT converter, as
   for the real dataset (once; a finished conversion is reused);
2. training and test: the demo config with MMEngine's runner; ``metrics.json`` is
   ``ArtefactMetric``'s record of the test (docs/metrics_schema.md);
3. damage maps of the test images with ``DamageInferencer``, as ``tools/infer.py`` writes
   them (``damage_maps/``), and of real photographs by the demo model and, where given, the
   starter model (``real_photos/``);
4. ``predictions.png`` (image | annotation | prediction | errors), ``demo.json`` (the
   baseline, the minutes taken, the checkpoint, the damaged shares), ``report.md`` and
   ``report.html`` (scores, plots, predictions and the damage maps) in the work dir.
"""
import os.path as osp
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from mmengine.config import Config
from mmengine.runner import Runner

from ..apis import (DamageInferencer, infer_collection, map_photographs, read_damage_maps,
                    sample_predictions)
from ..datasets.preparation import convert_artefact_parquet, write_synthetic_parquet
from ..engine.run_names import name_run
from ..utils import set_data_root, write_bytes_atomic, write_json_atomic, write_text_atomic
from ..visualization.damage_map_sheet import DamageMap
from ..visualization.html_report import html_report
from ..visualization.prediction_grid import save_prediction_grid
from ..version import __version__
from .majority_baseline import majority_baseline
from .run_results import load_run, read_metrics

REAL_NOTES = dict(
    demo='The demo model has seen only the procedural synthetic artefacts above: on real '
    'photographs it calls much of the picture damage.',
    starter='The starter model (checkpoints/starter/) was trained on synthetic scans of real '
    'photographs with real damage pasted in; old_w_scratch/ holds real cracks, folds and '
    'losses, old/ mostly intact photographs. No annotation exists for them.')


def prepare_data(data_root: str, num_images: int, image_size: int) -> None:
    """Synthetic parquet shards (in ``<data_root>_parquet``) converted by the ARTeFACT
    converter into ``data_root``, unless already done."""
    if osp.exists(osp.join(data_root, 'metadata.csv')):
        print(f'Using the dataset in {data_root}')
        return
    shards = data_root.rstrip('/') + '_parquet'
    print(f'Writing {num_images} synthetic artefacts as parquet shards in {shards}')
    write_synthetic_parquet(shards, num_images, size=image_size)
    print(f'Converting them into {data_root} (tools/dataset_converters/artefact.py)')
    report = convert_artefact_parquet(shards, data_root, progress=True)
    if report.bad_rows:
        raise RuntimeError(f'the converter skipped rows: {report.bad_rows}')


def demo_config(config: str, work_dir: str, data_root: str, iters: Optional[int] = None,
                seed: Optional[int] = None) -> Config:
    """The demo config on ``data_root``, training ``iters`` iterations (validated and saved
    at the end) instead of the config's, from the training seed ``seed`` instead of the
    config's."""
    cfg = Config.fromfile(config)
    cfg.work_dir = work_dir
    cfg = name_run(cfg)  # a second demo in one process (a notebook) has its own log
    set_data_root(cfg, data_root)
    if seed is not None:
        cfg.randomness = dict(cfg.get('randomness', {}), seed=seed)
    if iters:
        cfg.train_cfg.max_iters = iters
        cfg.train_cfg.val_interval = iters
        cfg.default_hooks.checkpoint.interval = iters
        for scheduler in cfg.param_scheduler:
            scheduler.end = min(scheduler.end, iters)
    return cfg


def train_and_test(cfg: Config) -> Tuple[Runner, str]:
    """Train and test with MMEngine's runner; the test's ``metrics.json`` is copied into the
    work dir. Returns the runner and the copy's path."""
    runner = Runner.from_cfg(cfg)
    runner.train()
    runner.test()
    # ArtefactMetric wrote the test's record into this run's log folder; the work dir gets a
    # copy, so that metrics.json there is the same schema every other tool reads.
    test_record = Path(runner.log_dir) / 'metrics.json'
    metrics_path = osp.join(cfg.work_dir, 'metrics.json')
    write_bytes_atomic(metrics_path, test_record.read_bytes())
    return runner, metrics_path


def demo_markdown(demo: dict, metrics: dict, damage: Sequence[dict]) -> str:
    """``report.md``: what was trained, how it scored, and the damage found per image.

    Args:
        demo (dict): The demo's record (``demo.json``).
        metrics (dict): ``ArtefactMetric``'s record of the test.
        damage (list[dict]): The records of ``damage_maps/report.json``.
    """
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
    for record in damage:
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
    return '\n'.join(lines)


def images_of_test_split(runner: Runner) -> Tuple[Dict[str, Path], Dict[str, str]]:
    """The test split's images and annotation files, by image name."""
    dataset = runner.test_dataloader.dataset
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    return ({Path(info['img_path']).stem: Path(info['img_path']) for info in infos},
            {Path(info['img_path']).stem: info['seg_map_path'] for info in infos})


def real_photo_maps(photos: Optional[str], inferencer: DamageInferencer, starter: Optional[str],
                    work_dir: str) -> Tuple[Dict[str, List[DamageMap]], Dict[str, dict]]:
    """Damage maps of the real photographs in ``photos`` by the demo model and, where the
    folder ``starter`` holds it, the starter model (into ``real_photos/<model>/``):
    ``({model: [DamageMap]}, {model: {photograph: damaged %}})``; nothing where ``photos`` is
    not a folder."""
    if not photos or not Path(photos).is_dir():
        print(f'{photos}: no real photographs to map')
        return {}, {}
    models = {'demo': inferencer}
    configs = sorted(Path(starter).glob('*.py')) if starter else []
    if configs and configs[0].with_suffix('.pth').is_file():
        models['starter'] = DamageInferencer(str(configs[0]), str(configs[0].with_suffix('.pth')),
                                             device='cpu')
    maps, shares = {}, {}
    for model, model_inferencer in models.items():
        maps[model], shares[model] = map_photographs(
            model_inferencer, photos, Path(work_dir) / 'real_photos' / model, dict(model=model))
    return maps, shares


def write_reports(work_dir: str, demo: dict, metrics: dict, damage: Sequence[dict],
                  rows: list, maps: Sequence[Tuple[str, str, Sequence[DamageMap]]]) -> None:
    """``demo.json``, ``report.md`` and ``report.html`` (with ``rows``, the test images'
    :class:`~mmseg_heritage.apis.SamplePrediction`, and the sections of damage ``maps``)."""
    write_json_atomic(osp.join(work_dir, 'demo.json'), demo)
    write_text_atomic(osp.join(work_dir, 'report.md'), demo_markdown(demo, metrics, damage))
    run = load_run(work_dir)
    write_text_atomic(osp.join(work_dir, 'report.html'), html_report(
        [run], {run.name: rows}, {run.name: f'The first {len(rows)} test images.'},
        title='mmseg-heritage demo', damage_maps=maps))


def run_demo(config: str, work_dir: str, data_root: str, iters: Optional[int] = None,
             num_images: int = 96, image_size: int = 160, num_pictures: int = 4,
             real_photos: Optional[str] = None, starter: Optional[str] = None,
             seed: Optional[int] = None) -> dict:
    """Run the demo and write its files into ``work_dir``.

    Args:
        config (str): The demo's training config.
        work_dir (str): Where the run and its reports go.
        data_root (str): The synthetic dataset's folder (made unless already there).
        iters (int, optional): Training iterations. Defaults to the config's.
        num_images (int): Synthetic images to make, split 70/15/15. Defaults to 96.
        image_size (int): Their size in pixels. Defaults to 160.
        num_pictures (int): Test images drawn in ``predictions.png``. Defaults to 4.
        real_photos (str, optional): A folder of photographs to map with the trained model.
        starter (str, optional): A folder holding the starter model (``<name>.py`` and
            ``<name>.pth``), which maps the real photographs too.
        seed (int, optional): The training seed (initial weights, sampling, augmentation).
            Defaults to the config's. The data are the same whatever it is.

    Returns:
        dict: The record written as ``demo.json``; ``beats_baseline`` says whether the model
        beat the majority class.
    """
    started = time.time()
    prepare_data(data_root, num_images, image_size)
    cfg = demo_config(config, work_dir, data_root, iters, seed)
    runner, metrics_path = train_and_test(cfg)
    metrics = read_metrics(metrics_path)
    score = metrics['overall']['mIoU']

    # Inference as users run it: the saved checkpoint through MMSeg's inferencer.
    checkpoint = (Path(work_dir) / 'last_checkpoint').read_text().strip()
    images, annotations = images_of_test_split(runner)
    inferencer = DamageInferencer(cfg, checkpoint, device='cpu')
    damage_dir = osp.join(work_dir, 'damage_maps')
    damage = infer_collection(inferencer, images, damage_dir, progress=False,
                              details=dict(config=config, checkpoint=checkpoint))
    synthetic_maps = read_damage_maps(images, damage, damage_dir, annotations)
    real_maps, real_shares = real_photo_maps(real_photos, inferencer, starter, work_dir)
    rows = sample_predictions(cfg, checkpoint, split='test', device='cpu',
                              images=list(images)[:num_pictures])
    picture = osp.join(work_dir, 'predictions.png')
    save_prediction_grid(rows, picture)

    baseline = majority_baseline(annotations.values())
    demo = dict(
        mmseg_heritage_version=__version__, config=config, checkpoint=checkpoint,
        iterations=cfg.train_cfg.max_iters, seed=cfg.randomness.seed, split='test',
        metrics_file=metrics_path,
        mIoU=score, majority_class_baseline=baseline, beats_baseline=score > baseline['mIoU'],
        damage_report=osp.join(damage_dir, 'report.json'),
        real_photos_damaged_percent=real_shares,
        minutes=round((time.time() - started) / 60, 2))
    maps = [('Damage maps of the synthetic test images', 'Predicted by the demo model; the '
             'true damaged share is that of the annotation.', synthetic_maps[:2 * num_pictures])]
    maps += [(f'Real photographs: the {model} model', REAL_NOTES[model], model_maps)
             for model, model_maps in real_maps.items()]
    write_reports(work_dir, demo, metrics, damage, rows, maps)
    print(f"\ntest mIoU {score:.2f} vs majority-class baseline {baseline['mIoU']:.2f} "
          f"({baseline['class_name']} everywhere)\nwrote {osp.join(work_dir, 'report.md')}, "
          f"{metrics_path}, {osp.join(work_dir, 'demo.json')}, "
          f"{osp.join(work_dir, 'report.html')}, {picture}, {damage_dir}/, {checkpoint}")
    return demo
