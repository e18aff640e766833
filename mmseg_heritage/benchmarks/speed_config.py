"""A config made ready for measuring speed: random weights, sizes fitted to the crop."""
from pathlib import Path
from typing import Tuple

from mmengine.config import Config

from ..utils.data_config import config_dicts


def two_thirds(crop: int) -> Tuple[int, int]:
    """Stride of windows of side ``crop`` that overlap by a third, as DamageInferencer's."""
    return (max(1, crop * 2 // 3), ) * 2


def sliding_window(test_cfg: dict, crop: int) -> dict:
    """The config's slide settings, or crops of ``crop`` at 2/3 stride for ``whole`` ones."""
    if test_cfg.get('mode') == 'slide':
        return dict(mode='slide', crop_size=tuple(test_cfg['crop_size']),
                    stride=tuple(test_cfg['stride']))
    return dict(mode='slide', crop_size=(crop, crop), stride=two_thirds(crop))


def speed_config(cfg: Config, crop: int) -> Config:
    """``cfg`` changed in place for measuring: random weights, sizes fitted to ``crop``.

    Pretrained weights (``pretrained``, ``Pretrained`` init) are dropped, so nothing is loaded
    or downloaded; a class weights file that is not there gives uniform weights (speed does
    not depend on them). A model built for one input size (``img_size`` in the backbone, e.g.
    MaxViT) is built for ``crop``, with its preprocessor's fixed size and its sliding window.

    Args:
        cfg (Config): A training config.
        crop (int): Side of the training crops and of the sliding window, in pixels.

    Returns:
        Config: ``cfg``.
    """
    for node in list(config_dicts(cfg.model)):
        if node.get('pretrained'):
            node['pretrained'] = None
        if 'Pretrained' in str(node.get('init_cfg')):
            node['init_cfg'] = None
        weights = node.get('class_weight')
        if isinstance(weights, str) and not Path(weights).is_file():
            node['class_weight'] = None
    if 'img_size' in cfg.model.get('backbone', {}):
        size = (crop, crop)
        cfg.model.backbone.img_size = size
        preprocessor = cfg.model.get('data_preprocessor', {})
        for sizes in (preprocessor, preprocessor.get('test_cfg', {})):
            if sizes.get('size'):
                sizes['size'] = size
        test_cfg = cfg.model.get('test_cfg', {})
        if test_cfg.get('mode') == 'slide' and tuple(test_cfg['crop_size']) != size:
            test_cfg.update(crop_size=size, stride=two_thirds(crop))
    return cfg
