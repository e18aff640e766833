"""Each model base config builds, trains a step and predicts on CPU, matching its backbone."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

import mmseg_heritage  # noqa: F401  registers the project's components

MODEL_CONFIGS = sorted(
    path for path in (Path(__file__).resolve().parents[3] / 'configs/_base_/models').glob('*.py')
    if path.name != 'unet_s.py')  # the CPU demo model, tested by the demo's own tests


@pytest.fixture(scope='module', params=MODEL_CONFIGS, ids=lambda path: path.stem)
def config_and_model(request):
    cfg = Config.fromfile(request.param)
    torch.manual_seed(0)
    return cfg, MODELS.build(cfg.model)


def train_size(cfg) -> int:
    """The model's fixed input size (MaxViT, CoAtNet), else a small crop."""
    size = cfg.model.backbone.get('img_size') or 256
    return size if isinstance(size, int) else size[0]


def batch(size, height, width):
    """``size`` random images with random 16-class masks, as the data loader gives them."""
    return dict(
        inputs=[torch.randint(0, 256, (3, height, width), dtype=torch.uint8)
                for _ in range(size)],
        data_samples=[
            SegDataSample(gt_sem_seg=PixelData(data=torch.randint(0, 16, (1, height, width))),
                          metainfo=dict(img_shape=(height, width), ori_shape=(height, width)))
            for _ in range(size)
        ])


def test_head_channels_match_the_backbone(config_and_model):
    cfg, model = config_and_model
    model.eval()
    with torch.no_grad():
        features = model.extract_feat(torch.zeros(1, 3, train_size(cfg), train_size(cfg)))
    channels = [feature.shape[1] for feature in features]
    if hasattr(model.backbone, 'out_channels'):
        assert model.backbone.out_channels == channels

    heads = [cfg.model.decode_head] + ([cfg.model.auxiliary_head]
                                       if cfg.model.get('auxiliary_head') else [])
    for head in heads:
        if isinstance(head.in_index, int):
            assert head.in_channels == channels[head.in_index], head.type
        else:
            assert list(head.in_channels) == [channels[i] for i in head.in_index], head.type
        if 'c1_in_channels' in head:  # DeepLabV3+'s skip connection from the first level
            assert head.c1_in_channels == channels[0]


def test_one_training_step_gives_finite_losses(config_and_model):
    cfg, model = config_and_model
    model.train()
    size = train_size(cfg)
    # Two images, not one: UPerNet's pool-scale-1 branch and DeepLabV3+'s image pooling
    # batch-normalise 1 x 1 maps, which needs more than one value per channel in training.
    data = model.data_preprocessor(batch(2, size, size), training=True)
    losses = model(**data, mode='loss')

    loss_terms = [value for key, value in losses.items() if 'loss' in key]
    assert loss_terms and all(torch.isfinite(term).all() for term in loss_terms)
    sum(loss_terms).backward()
    assert model.decode_head.conv_seg.weight.grad.abs().sum() > 0


def test_predicts_an_image_of_any_size(config_and_model):
    # Smaller than the fixed-size models' crop in one dimension and not a multiple of 32:
    # their configs pad test images and slide crop-sized windows; the others pad to 32.
    cfg, model = config_and_model
    model.eval()
    with torch.no_grad():
        [prediction] = model.test_step(batch(1, 200, 300))
    assert prediction.pred_sem_seg.data.shape == (1, 200, 300)
    assert prediction.pred_sem_seg.data.max() < 16
