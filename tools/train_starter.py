"""Train the starter model from a fresh clone (what `make starter` runs).

1. damage bank: the real film damage of resources/real_damage (build_damage_bank);
2. data: synthetic scans of real photographs with drawn and real damage (photo_scans in the
   config names the photographs), split by photograph, plus an evaluation set of new scans of
   the test photographs (another seed);
3. training, the damage threshold and the kind bias chosen on the validation split
   (damage-first heads), and the test, with the config (MMEngine's runner); a run started
   with --cfg-options resume=True goes on from the work dir's last checkpoint;
4. damage maps of the real photographs in resources/real_photos;
5. the model to CHECKPOINTS (default checkpoints/starter/): <name>.pth without training state,
   <name>.py, metrics.json (ArtefactMetric's record of the test split), real_photos.json,
   real_photos.png and a model card README.md.

    python tools/train_starter.py [--config configs/starter/unet_efficientnet_lite0_photo_damage_320.py]
        [--work-dir work_dirs/starter] [--out checkpoints/starter] [--data-root data/starter]
        [--iters N] [--num-images N]
"""
import argparse
import shutil
import sys
import time
from pathlib import Path

from mmengine.config import Config, DictAction
from mmengine.runner import Runner, find_latest_checkpoint

import mmseg_heritage
from mmseg_heritage.apis import DamageInferencer, map_photographs
from mmseg_heritage.datasets.preparation import build_damage_bank
from mmseg_heritage.datasets.preparation.synthetic.photo_scans import \
    generate_photo_scan_dataset
from mmseg_heritage.engine import name_run, slim_checkpoint
from mmseg_heritage.engine.hooks.run_provenance_hook import config_sha256
from mmseg_heritage.evaluation import (calibrate_damage_threshold, calibrate_kind_bias,
                                       set_damage_threshold, set_kind_bias)
from mmseg_heritage.evaluation.run_results import load_run, read_metrics
from mmseg_heritage.utils import set_data_root, write_json_atomic, write_text_atomic
from mmseg_heritage.visualization import damage_map_sheet, save_figure
from mmseg_heritage.zoo import starter_model_card
from mmseg_heritage.zoo.starter_model_card import damage_threshold_words, kind_bias_words

REPO = Path(__file__).resolve().parents[1]


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--config', default=str(REPO / 'configs/starter/unet_efficientnet_lite0_photo_damage_320.py'))
    parser.add_argument('--work-dir', default='work_dirs/starter')
    parser.add_argument('--out', default=str(REPO / 'checkpoints/starter'),
                        help='where the trained model goes')
    parser.add_argument('--real-photos', default=str(REPO / 'resources/real_photos'),
                        help='photographs to map after training')
    parser.add_argument('--data-root', help="where the recipe's data go (default: the config's)")
    parser.add_argument('--iters', type=int, help='training iterations (default: the config)')
    parser.add_argument('--num-images', type=int, help='scans to generate (default: config)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, as in tools/train.py')
    return parser.parse_args(argv)


def prepare_data(cfg: Config) -> Path:
    """The damage bank, the scans and the evaluation scans, each unless already there."""
    recipe = cfg.photo_scans
    bank = Path(cfg.damage_bank)
    if not (bank / 'index.json').is_file():
        print(f'Building the damage bank {bank} from {", ".join(recipe.cutouts)}')
        build_damage_bank(bank, cutout_dirs=recipe.cutouts)
    scans = Path(cfg.data_root)
    options = dict(bank=bank, size=recipe.size, clean_share=recipe.clean_share,
                   split_seed=recipe.seed, fonts=recipe.get('fonts', ()),
                   page_share=recipe.get('page_share', 0.0),
                   clean_content_share=recipe.get('clean_content_share', 0.0), progress=True)
    if not (scans / 'metadata.csv').is_file():
        print(f'Writing {recipe.num_images} synthetic scans into {scans}')
        generate_photo_scan_dataset(scans, recipe.content, num_images=recipe.num_images,
                                    seed=recipe.seed, **options)
    evaluation = Path(recipe.evaluation_root)
    if not (evaluation / 'metadata.csv').is_file():
        # New scans (another seed) of the test photographs, which training never saw.
        print(f'Writing evaluation scans into {evaluation}')
        generate_photo_scan_dataset(evaluation, recipe.content,
                                    num_images=recipe.num_images // 10, seed=recipe.seed + 1,
                                    parts=['test'], **options)
    return evaluation


def map_real_photos(cfg: Config, checkpoint: str, photos: Path, out_dir: Path) -> dict:
    """Damage maps of the real photographs and a sheet of them; the predicted damaged share
    of each, by its path inside ``photos``."""
    # The model in the journal's settings: maps of another config (threshold) are redone.
    model = dict(checkpoint=str(checkpoint), config_sha256=config_sha256(cfg))
    maps, shares = map_photographs(DamageInferencer(cfg, checkpoint, device='cpu'), photos,
                                   out_dir, details=model)
    save_figure(damage_map_sheet(maps, columns=4, title='The starter model on real photographs'),
                out_dir / 'real_photos.png')
    return shares


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.time()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.work_dir = args.work_dir
    if args.data_root:
        set_data_root(cfg, args.data_root)
    if args.num_images:
        cfg.photo_scans.num_images = args.num_images
    if args.iters:
        cfg.train_cfg.max_iters = args.iters
        cfg.train_cfg.val_interval = min(cfg.train_cfg.val_interval, args.iters)
        cfg.default_hooks.checkpoint.interval = min(cfg.default_hooks.checkpoint.interval,
                                                    args.iters)
        for scheduler in cfg.param_scheduler:
            scheduler.end = min(scheduler.end, args.iters)
            scheduler.begin = min(scheduler.begin, args.iters - 1)
    evaluation = prepare_data(cfg)

    runner = Runner.from_cfg(name_run(cfg))
    resumed_from = (cfg.get('load_from') or find_latest_checkpoint(args.work_dir)) \
        if cfg.get('resume') else None
    runner.train()
    best = sorted(Path(args.work_dir).glob('best_mIoU_iter_*.pth'))
    checkpoint = str(best[-1]) if best else \
        (Path(args.work_dir) / 'last_checkpoint').read_text().strip()
    runner.load_checkpoint(checkpoint)
    # Damage-first models predict with the threshold best on the validation split.
    threshold = calibrate_damage_threshold(runner.model, runner.val_dataloader)
    kind_bias = None
    if threshold:
        set_damage_threshold(runner.model, cfg, threshold.value)
        print(f'Damage threshold: {damage_threshold_words(threshold)}')
        # and name the kinds with the bias best there (damaged shares stay as they are)
        kind_bias = calibrate_kind_bias(runner.model, runner.val_dataloader)
        if kind_bias:
            set_kind_bias(runner.model, cfg, kind_bias.values)
            print(f'Kind bias: {kind_bias_words(kind_bias)}')
    runner.test()  # the test split: scans of photographs training never saw
    test_record = read_metrics(load_run(args.work_dir).metrics_path)
    # name_run's copy, with names of its own: cfg is published as it is
    eval_cfg = set_data_root(name_run(cfg), str(evaluation))
    eval_cfg.work_dir = str(Path(args.work_dir) / 'evaluation')
    eval_cfg.load_from, eval_cfg.resume = checkpoint, False  # a test, even of a resumed run
    Runner.from_cfg(eval_cfg).test()
    eval_record = read_metrics(load_run(eval_cfg.work_dir).metrics_path)

    out = Path(args.out)
    real_dir = Path(args.work_dir) / 'real_photos'
    shares = map_real_photos(cfg, checkpoint, Path(args.real_photos), real_dir)
    name = Path(args.config).stem
    digest = slim_checkpoint(checkpoint, out / f'{name}.pth')
    cfg.resume = False  # the published config loads the model; it resumes nothing
    cfg.dump(str(out / f'{name}.py'))
    write_json_atomic(out / 'metrics.json', test_record)
    write_json_atomic(out / 'evaluation_metrics.json', eval_record)
    write_json_atomic(out / 'real_photos.json', dict(damaged_percent=shares))
    shutil.copy(real_dir / 'real_photos.png', out / 'real_photos.png')
    minutes = round((time.time() - started) / 60, 1)
    write_text_atomic(out / 'README.md', starter_model_card(
        name, cfg, test_record, eval_record, shares, digest, minutes, threshold, kind_bias,
        resumed_from))
    print(f'\nstarter model: {out / (name + ".pth")} (sha256 {digest[:8]}), test mIoU '
          f"{test_record['overall']['mIoU']:.2f}, binary damage IoU "
          f"{test_record['binary']['classes']['Damage']['IoU']:.2f}; {minutes} minutes")
    return 0


if __name__ == '__main__':
    sys.exit(main())
