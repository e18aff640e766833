"""What the config tests share: the configs by family, the run of each family (RUNS), and how a
config is shrunk to train once at 64 px (the fixtures that train them: conftest.py)."""
from pathlib import Path

from mmengine.config import Config

from mmseg_heritage.utils.data_config import LOADERS, set_data_root

CONFIGS_DIR = Path(__file__).resolve().parents[2] / 'configs'
SIZE = 64  # the synthetic images' size; MaxViT and CoAtNet are rebuilt for it (windows 2 x 2)

# One run per model family, of an experiment config that trains it. Every other experiment
# config and model base is one of these with another family's backbone, or the same model
# with other losses (test_experiment_configs.py and test_model_configs.py check that).
RUNS = (
    'poc55/hierarchical_upernet_convnext_tiny_256',  # ConvNeXt-T, the hierarchical UPerNet
    'poc58/deeplabv3plus_swin_tiny_384',  # Swin-T, DeepLabV3+
    'poc58/deeplabv3plus_coatnet_0_384',  # CoAtNet-0
    'poc58/deeplabv3plus_efficientnet_lite2_384',  # EfficientNet-Lite2, from its pip package
    'poc59/upernet_maxvit_tiny_384',  # MaxViT-T, UPerNet
    'poc59/segformer_b3_384',  # SegFormer: MiT-B3 and its head
    'demo/hierarchical_upernet_resnet18_synthetic_160',  # ResNet-18
    'demo/unet_s_synthetic_160',  # the demo's small UNet
    'poc6/unet_s_synthetic_160_coral',  # Deep CORAL training
    'poc6/unet_s_synthetic_160_tent',  # TENT at test time
    'starter/unet_efficientnet_lite0_photo_damage_320',  # the starter: Lite0, UNet decoder to 1 px
)
EXPERIMENT_CONFIGS = sorted(
    f'{folder}/{path.stem}' for folder in ('poc55', 'poc58', 'poc59', 'poc6', 'demo', 'starter')
    for path in (CONFIGS_DIR / folder).glob('*.py'))
MODEL_BASES = sorted(f'_base_/models/{path.stem}'
                     for path in (CONFIGS_DIR / '_base_/models').glob('*.py'))
# What comes with a backbone: the network, the input size it is built for (preprocessing,
# slide inference) and the channels the heads read from it.
BACKBONE_KEYS = ('backbone', 'data_preprocessor', 'test_cfg')
HEAD_INPUT_KEYS = ('in_channels', 'c1_in_channels')  # c1: DeepLabV3+'s skip connection
HEADS = ('decode_head', 'auxiliary_head')


def load_config(name: str) -> Config:
    """A config by its path under configs/ without '.py' ('poc59/segformer_b3_384')."""
    return Config.fromfile(CONFIGS_DIR / f'{name}.py')


def backbone_family(cfg: Config) -> str:
    """The timm model name of the backbone, else its type and depth ('UNet-4', 'UNet-5')."""
    backbone = cfg.model.backbone
    return backbone.get('model_name', f"{backbone.type}-{backbone.get('num_stages', '')}")


def without_backbone(cfg: Config) -> dict:
    """The config as a dict without what comes with its backbone (BACKBONE_KEYS, its
    pretrained weights, the heads' input channels and the crop_size variable the size settings
    are written from)."""
    cfg = cfg.to_dict()
    cfg.pop('crop_size', None)
    cfg.pop('pretrained_weights', None)
    for key in BACKBONE_KEYS:
        cfg['model'].pop(key)
    for head in HEADS:
        for key in HEAD_INPUT_KEYS:
            (cfg['model'].get(head) or {}).pop(key, None)
    return cfg


class ConfigsByName(dict):
    """Configs read on first use, each once (reading one takes ~0.1 s)."""

    def __missing__(self, name: str) -> Config:
        self[name] = load_config(name)
        return self[name]


def shrink(cfg: Config, data_root: Path, work_dir: Path, bank: Path = None) -> Config:
    """The config on the synthetic set at 64 px, with small heads, for one iteration, pasting
    damage from ``bank`` where it pastes any."""
    set_data_root(cfg, data_root)  # the loaders and the class weights of losses and crops
    for loader in LOADERS:
        cfg[loader].update(num_workers=0, persistent_workers=False)
        cfg[loader].dataset.img_suffix = '.png'  # the synthetic set's (the starter's are JPEG)
        for transform in cfg[loader].dataset.pipeline:
            if transform.type in ('RandomResize', 'Resize'):
                transform.scale = (2 * SIZE, SIZE)
            elif transform.type in ('RareClassCrop', 'RandomCrop'):
                transform.crop_size = (SIZE, SIZE)
            elif transform.type == 'DamageCopyPaste':
                transform.bank = str(bank)
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
    # Weights only: with AdamW's two moments per weight these runs would write three times
    # as much, ~5 GB in all (resuming is tested in tests/test_tools/test_resume_after_kill.py).
    cfg.default_hooks.checkpoint.save_optimizer = False
    cfg.default_hooks.logger.interval = 1
    cfg.work_dir = str(work_dir)
    # MMEngine keys its message hub (which holds the best score so far) by config name and
    # start second: two runs started in the same second would share one.
    cfg.experiment_name = work_dir.parent.name
    cfg.load_from = None
    cfg.resume = False
    return cfg
