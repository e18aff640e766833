"""Each model base (configs/_base_/models) builds, its heads read the channels its backbone
gives, one training step gives finite losses and it predicts an image of any size on CPU; each
run (config_runs.RUNS) trains, validates and checkpoints. Every test of the runs is in this file:
pytest-xdist gives a file to one process, which then trains each run once.

The checks run on the model each run trained (config_runs.RUNS), which is its model base with the
run's losses and input size (BASE_OF_RUN). Every other model base equals a trained one but for
the backbone, which its own family's run trains; the heads of every config are checked against
the channels of the backbone their family's run built.
"""
import pytest
import torch
from mmcv.cnn import build_norm_layer
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmseg_heritage.models import HierarchicalUPerHead

from .config_runs import (BACKBONE_KEYS, EXPERIMENT_CONFIGS, HEADS, MODEL_BASES, RUNS, SIZE,
                          backbone_family, without_backbone)

# The model base each run trains, changed only in its losses and input size.
BASE_OF_RUN = {
    'poc55/hierarchical_upernet_convnext_tiny_256':
    '_base_/models/hierarchical_upernet_convnext_tiny',
    'poc58/deeplabv3plus_swin_tiny_384': '_base_/models/deeplabv3plus_swin_tiny',
    'poc58/deeplabv3plus_coatnet_0_384': '_base_/models/deeplabv3plus_coatnet_0',
    'poc58/deeplabv3plus_efficientnet_lite2_384': '_base_/models/deeplabv3plus_efficientnet_lite2',
    'poc59/upernet_maxvit_tiny_384': '_base_/models/upernet_maxvit_tiny',
    'poc59/segformer_b3_384': '_base_/models/segformer_mit_b3',
    'demo/unet_s_synthetic_160': '_base_/models/unet_s',
}
# Model bases that no run trains, and the trained base each equals but for the backbone.
OTHER_BACKBONE_OF = {
    '_base_/models/deeplabv3plus_convnext_tiny': '_base_/models/deeplabv3plus_swin_tiny',
    '_base_/models/deeplabv3plus_maxvit_tiny': '_base_/models/deeplabv3plus_coatnet_0',
    '_base_/models/upernet_coatnet_0': '_base_/models/upernet_maxvit_tiny',
    '_base_/models/upernet_convnext_tiny': '_base_/models/upernet_maxvit_tiny',
    '_base_/models/upernet_swin_tiny': '_base_/models/upernet_maxvit_tiny',
}
LOSS_KEYS = ('loss_decode', 'loss_coarse', 'loss_binary')  # coarse, binary: hierarchical head
# Smaller than the fixed-size models' crop (SIZE) in one dimension and not a multiple of 32:
# their configs pad test images and slide crop-sized windows; the others pad to 32.
ANY_SIZE = (50, 75)


def model_without_losses_and_size(cfg) -> dict:
    """The model config as a dict without its losses and the input size it is built for."""
    model = cfg.model.to_dict()
    model['backbone'].pop('img_size', None)
    model['data_preprocessor'].pop('size', None)
    model['data_preprocessor'].get('test_cfg', {}).pop('size', None)
    for key in ('crop_size', 'stride'):
        model['test_cfg'].pop(key, None)
    for head in HEADS:
        for key in LOSS_KEYS:
            (model.get(head) or {}).pop(key, None)
    return model


def batch(size, height, width):
    """``size`` random images with random 16-class masks, as the data loader gives them."""
    return dict(
        inputs=[torch.randint(0, 256, (3, height, width), dtype=torch.uint8)
                for _ in range(size)],
        data_samples=[
            SegDataSample(gt_sem_seg=PixelData(data=torch.randint(0, 16, (1, height, width))),
                          metainfo=dict(img_shape=(height, width), ori_shape=(height, width),
                                        material=material))  # Deep CORAL groups by it
            for material in ('paper', 'glass', 'parchment')[:size]
        ])


def test_every_model_base_is_trained():
    trained = {*BASE_OF_RUN.values(), *OTHER_BACKBONE_OF}
    assert sorted(trained) == MODEL_BASES  # a new model base needs a run or a line above
    assert set(BASE_OF_RUN) <= set(RUNS)
    assert set(OTHER_BACKBONE_OF.values()) <= set(BASE_OF_RUN.values())


@pytest.mark.parametrize('run_config, base', BASE_OF_RUN.items())
def test_run_trains_its_model_base(run_config, base, configs):
    assert model_without_losses_and_size(configs[run_config]) == \
        model_without_losses_and_size(configs[base])


@pytest.mark.parametrize('base, trained', OTHER_BACKBONE_OF.items())
def test_equals_a_trained_base_but_for_the_backbone(base, trained, configs):
    assert without_backbone(configs[base]) == without_backbone(configs[trained])


def test_trains_validates_and_checkpoints(run):
    # The run fixture checked the checkpoints (latest and best by mIoU) and the val scores.
    assert run.optim_wrapper.get_lr()['lr'][0] > 0


def test_head_channels_match_the_backbone(run, configs):
    model = run.model.eval()
    with torch.no_grad():
        features = model.extract_feat(torch.zeros(1, 3, SIZE, SIZE))
    channels = [feature.shape[1] for feature in features]
    if hasattr(model.backbone, 'out_channels'):
        assert model.backbone.out_channels == channels

    # Every config with this run's backbone builds it as the run did (but for the input size),
    # and its heads read the channels it gives.
    trained_backbone = model_without_losses_and_size(run.cfg)
    family = [name for name in MODEL_BASES + EXPERIMENT_CONFIGS
              if backbone_family(configs[name]) == backbone_family(run.cfg)]
    assert family
    for name in family:
        cfg = configs[name]
        backbone = model_without_losses_and_size(cfg)
        for key in BACKBONE_KEYS:
            assert backbone[key] == trained_backbone[key], (name, key)
        for head in filter(None, (cfg.model.decode_head, cfg.model.get('auxiliary_head'))):
            if isinstance(head.in_index, int):
                assert head.in_channels == channels[head.in_index], (name, head.type)
            else:
                assert list(head.in_channels) == [channels[i] for i in head.in_index], \
                    (name, head.type)
            if 'c1_in_channels' in head:  # DeepLabV3+'s skip connection from the first level
                assert head.c1_in_channels == channels[0], name


def test_one_training_step_gives_finite_losses(run):
    model = run.model.train()
    # Two images, not one: UPerNet's pool-scale-1 branch and DeepLabV3+'s image pooling
    # batch-normalise 1 x 1 maps, which needs more than one value per channel in training.
    data = model.data_preprocessor(batch(2, SIZE, SIZE), training=True)
    losses = model(**data, mode='loss')

    loss_terms = [value for key, value in losses.items() if 'loss' in key]
    assert loss_terms and all(torch.isfinite(term).all() for term in loss_terms)
    sum(loss_terms).backward()
    head = model.decode_head
    classifiers = [head.conv_seg]
    if isinstance(head, HierarchicalUPerHead):  # a classifier and a loss at every level
        classifiers += [head.conv_binary, head.conv_coarse]
        assert {'decode.loss_binary_dice_ce', 'decode.loss_coarse_dice_ce',
                'decode.loss_dice_ce', 'decode.acc_binary', 'decode.acc_coarse',
                'decode.acc_seg'} <= set(losses)
    assert all(classifier.weight.grad.abs().sum() > 0 for classifier in classifiers)


def test_predicts_an_image_of_any_size(run):
    model = run.model.eval()
    with torch.no_grad():
        [prediction] = model.test_step(batch(1, *ANY_SIZE))
    assert prediction.pred_sem_seg.data.shape == (1, *ANY_SIZE)
    assert prediction.pred_sem_seg.data.max() < 16


def test_syncbn_trains_in_a_model_built_by_hand():
    # The configs' SyncBN: MMEngine's Runner turns it into BN, but a model built by hand
    # (init_model, scripts) keeps it, and it must train on one process without a GPU.
    _, norm = build_norm_layer(dict(type='SyncBN', requires_grad=True), 4)
    features = torch.randn(2, 4, 3, 3, requires_grad=True)
    normalised = norm.train()(features)
    assert normalised.mean().abs() < 1e-5
    normalised.pow(2).sum().backward()
    assert torch.isfinite(features.grad).all() and norm.weight.grad is not None
