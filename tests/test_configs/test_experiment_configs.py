"""Each experiment config trains an iteration, validates and checkpoints on a tiny dataset."""
from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

CONFIGS_DIR = Path(__file__).resolve().parents[2] / 'configs'
EXPERIMENT_CONFIGS = sorted(
    path for folder in ('poc55', 'poc58', 'poc59', 'poc6', 'demo')
    for path in (CONFIGS_DIR / folder).glob('*.py'))
SCHEDULES = sorted((CONFIGS_DIR / '_base_/schedules').glob('*_50ep.py'))
SIZE = 64  # the synthetic images' size; MaxViT and CoAtNet are rebuilt for it (windows 2 x 2)
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def redirect_class_weights(node, path: str):
    """Point every ``*class_weights.json`` string in the config at ``path``, in place."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        if isinstance(value, str) and value.endswith('class_weights.json'):
            node[key] = path
        elif isinstance(value, (dict, list)):
            redirect_class_weights(value, path)


def shrink(cfg: Config, data_root: Path, work_dir: Path) -> Config:
    """The config on the synthetic set at 64 px, with small heads, for one iteration."""
    redirect_class_weights(cfg._cfg_dict, str(data_root / 'class_weights.json'))
    for loader in LOADERS:
        cfg[loader].update(num_workers=0, persistent_workers=False)
        cfg[loader].dataset.data_root = str(data_root)
        for transform in cfg[loader].dataset.pipeline:
            if transform.type in ('RandomResize', 'Resize'):
                transform.scale = (2 * SIZE, SIZE)
            elif transform.type == 'RareClassCrop':
                transform.crop_size = (SIZE, SIZE)
    cfg.train_dataloader.batch_size = 2  # batch norm on 1 x 1 pooled maps needs two images

    model = cfg.model
    if model.backbone.get('img_size'):  # built for one input size (MaxViT, CoAtNet, Swin)
        model.backbone.img_size = (SIZE, SIZE)
        if model.data_preprocessor.get('size'):
            model.data_preprocessor.size = (SIZE, SIZE)
            model.data_preprocessor.test_cfg.size = (SIZE, SIZE)
        if model.test_cfg.get('mode') == 'slide':
            model.test_cfg.update(crop_size=(SIZE, SIZE), stride=(SIZE * 2 // 3, ) * 2)
    for head in filter(None, (model.decode_head, model.get('auxiliary_head'))):
        head.channels = 16
        if 'c1_channels' in head:  # DeepLabV3+'s skip connection
            head.c1_channels = 8

    cfg.train_cfg.update(max_iters=1, val_interval=1)
    cfg.default_hooks.checkpoint.interval = 1
    cfg.default_hooks.logger.interval = 1
    cfg.work_dir = str(work_dir)
    # MMEngine keys its message hub (which holds the best score so far) by config name and
    # start second: two runs started in the same second would share one.
    cfg.experiment_name = work_dir.parent.name
    cfg.load_from = None
    cfg.resume = False
    return cfg


def train_one_iteration(cfg: Config, synthetic_root, tmp_path) -> Runner:
    """Train ``cfg`` shrunk by :func:`shrink`; check the checkpoints and the val metrics."""
    cfg = shrink(cfg, Path(synthetic_root), tmp_path / 'work_dir')
    runner = Runner.from_cfg(cfg)
    runner.train()

    assert (tmp_path / 'work_dir' / 'iter_1.pth').is_file()
    assert list((tmp_path / 'work_dir').glob('best_mIoU_iter_1.pth'))
    scalars = runner.message_hub.log_scalars
    assert 'val/mIoU' in scalars and 'val/mDice' in scalars
    return runner


@pytest.mark.parametrize('config', EXPERIMENT_CONFIGS,
                         ids=lambda path: f'{path.parent.name}/{path.stem}')
def test_trains_validates_and_checkpoints(config, synthetic_root, tmp_path):
    train_one_iteration(Config.fromfile(config), synthetic_root, tmp_path)


@pytest.mark.parametrize('schedule', SCHEDULES, ids=lambda path: path.stem)
def test_schedule_drives_a_training_run(schedule, synthetic_root, tmp_path):
    # The demo's small UNet under each 50-epoch schedule (optimiser, parameter groups,
    # learning-rate policy, best-mIoU checkpointing).
    cfg = Config.fromfile(CONFIGS_DIR / 'demo/unet_s_synthetic_160.py')
    schedule_cfg = Config.fromfile(schedule)
    for key in ('optim_wrapper', 'param_scheduler', 'default_hooks'):
        cfg[key] = schedule_cfg[key]
    runner = train_one_iteration(cfg, synthetic_root, tmp_path)
    assert runner.optim_wrapper.get_lr()['lr'][0] > 0
