"""TimmPyramidBackbone: pyramids, freezing, stochastic depth and local pretrained weights."""
import re

import pytest
import timm
import torch
from mmpretrain.models import ConvNeXt, SwinTransformer
from safetensors.torch import save_file
from timm.layers import DropPath
from torch import nn

from mmseg_heritage.models.backbones import TimmPyramidBackbone

CONVNEXT = 'convnext_tiny'
SWIN = 'swin_tiny_patch4_window7_224'
COATNET = 'coatnet_0_rw_224'
MAXVIT = 'maxvit_tiny_tf_384'
# The project's four backbones: their channels at strides 4-32, and the modules (names inside
# timm's feature extractor) that frozen_stages=2 freezes: the stem and the first two stages.
BACKBONES = {
    CONVNEXT: ([96, 192, 384, 768], ('stem', 'stages_0', 'stages_1')),
    SWIN: ([96, 192, 384, 768], ('patch_embed', 'layers_0', 'layers_1')),
    COATNET: ([96, 192, 384, 768], ('stem', 'stages_0', 'stages_1')),
    MAXVIT: ([64, 128, 256, 512], ('stem', 'stages_0', 'stages_1')),
}
# Built for one input size (Swin: by default; MaxViT and CoAtNet: always).
SIZED = {SWIN, COATNET, MAXVIT}


def build(model_name: str, size: int = 256, **kwargs) -> TimmPyramidBackbone:
    """The backbone, built for ``size`` where the model has a fixed input size."""
    return TimmPyramidBackbone(model_name, img_size=size if model_name in SIZED else None,
                               **kwargs)


def randomise(module: nn.Module) -> nn.Module:
    """Random weights everywhere, so that identity-like inits (norms, layer scale) hide nothing."""
    torch.manual_seed(0)
    with torch.no_grad():
        for param in module.parameters():
            param.normal_(0, 0.05)
    module.eval()  # MMPretrain's train() overrides return None, so no chaining
    return module


def source_key(key: str) -> str:
    """The full timm model's name of a feature extractor key (``stages_0.x`` -> ``stages.0.x``)."""
    return re.sub(r'^([a-z]+)_(\d+)\.', r'\1.\2.', key)


@pytest.fixture(scope='module')
def built():
    """(model name, size) -> the backbone :func:`build` gives, built once for the tests that
    take it as it comes (building one takes about a second)."""
    backbones = {}

    def of(model_name: str, size: int) -> TimmPyramidBackbone:
        if (model_name, size) not in backbones:
            backbones[model_name, size] = build(model_name, size)
        return backbones[model_name, size]

    return of


@pytest.mark.parametrize('size', [256, 384])
@pytest.mark.parametrize('model_name', list(BACKBONES))
def test_pyramid_shapes_and_gradients(model_name, size, built):
    backbone = built(model_name, size)
    assert backbone.out_channels == BACKBONES[model_name][0]
    assert backbone.strides == (4, 8, 16, 32)

    features = backbone(torch.randn(1, 3, size, size))
    # NCHW with the reported channels (Swin's NHWC maps are converted).
    assert [tuple(f.shape) for f in features] == [
        (1, channels, size // stride, size // stride)
        for channels, stride in zip(backbone.out_channels, backbone.strides)
    ]
    sum(f.mean() for f in features).backward()
    params = list(backbone.parameters())
    assert all(p.grad is not None for p in params)  # no unused parameters (DDP-friendly)
    assert params[0].grad.abs().sum() > 0  # the stem's first layer, upstream of stage 1


@pytest.mark.parametrize('model_name, channels', [
    ('resnet18', [64, 128, 256, 512]),
    ('efficientnet_b0', [24, 40, 112, 320]),
])
def test_any_timm_model_with_features_only(model_name, channels):
    backbone = TimmPyramidBackbone(model_name)
    assert backbone.out_channels == channels
    with torch.no_grad():
        features = backbone(torch.randn(1, 3, 96, 128))
    assert [tuple(f.shape) for f in features] == [
        (1, c, 96 // s, 128 // s) for c, s in zip(channels, (4, 8, 16, 32))
    ]


@pytest.mark.parametrize('model_name, channels', [
    ('tf_efficientnet_lite0', [3, 16, 24, 40, 112, 320]),
    ('resnet18', [3, 64, 64, 128, 256, 512]),
])
def test_out_strides_add_the_stride_2_level_and_the_input(model_name, channels):
    backbone = TimmPyramidBackbone(model_name, out_strides=(1, 2, 4, 8, 16, 32))
    assert backbone.out_channels == channels and backbone.strides == (1, 2, 4, 8, 16, 32)
    image = torch.randn(1, 3, 64, 96)
    with torch.no_grad():
        features = backbone(image)
    assert [tuple(f.shape) for f in features] == [
        (1, c, 64 // s, 96 // s) for c, s in zip(channels, backbone.strides)
    ]
    assert torch.equal(features[0], image)  # stride 1: the network's input itself


@pytest.mark.parametrize('frozen_stages', [0, 2])
def test_frozen_stages_do_not_depend_on_out_strides(frozen_stages):
    def frozen(**kwargs):
        backbone = TimmPyramidBackbone('tf_efficientnet_lite0', frozen_stages=frozen_stages,
                                       **kwargs)
        return {name for name, p in backbone.timm_model.named_parameters() if not p.requires_grad}

    four_levels = frozen()
    assert frozen(out_strides=(1, 2, 4, 8, 16, 32)) == frozen(out_strides=(16, 32)) == four_levels
    # The stride-2 level (EfficientNet's first block) is part of the stem.
    assert {name.split('.')[0] for name in four_levels} == {'conv_stem', 'bn1', 'blocks'}
    assert any(name.startswith('blocks.0.') for name in four_levels)
    assert any(name.startswith('blocks.2.') for name in four_levels) == (frozen_stages == 2)


def test_missing_stride_is_named():
    with pytest.raises(ValueError, match=r'vit_tiny_patch16_224 has no feature level at stride 4'):
        TimmPyramidBackbone('vit_tiny_patch16_224')
    with pytest.raises(ValueError, match=r'convnext_atto has no feature level at stride 2 '
                       r'\(its levels are at strides \[4, 8, 16, 32\], and 1 is the input\)'):
        TimmPyramidBackbone('convnext_atto', out_strides=(2, 4, 8, 16, 32))


@pytest.mark.parametrize('kwargs, message', [
    (dict(model_name='hf-hub:timm/convnext_tiny.fb_in22k'), 'hub model names'),
    (dict(model_name=CONVNEXT, frozen_stages=5), 'frozen_stages must be in'),
    (dict(model_name=CONVNEXT, out_strides=(8, 4)), r'out_strides must be increasing strides'),
    (dict(model_name=CONVNEXT, out_strides=()), r'out_strides must be increasing strides'),
])
def test_invalid_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TimmPyramidBackbone(**kwargs)


@pytest.mark.parametrize('model_name', list(BACKBONES))
def test_drop_path_rate_reaches_timm(model_name, built):
    def rates(backbone):
        return [m.drop_prob for m in backbone.modules() if isinstance(m, DropPath)]

    assert rates(built(model_name, 256)) == []  # timm uses nn.Identity at rate 0
    assert max(rates(build(model_name, drop_path_rate=0.3))) == pytest.approx(0.3)


@pytest.mark.parametrize('model_name', list(BACKBONES))
def test_frozen_stages_stay_frozen_in_train_mode(model_name):
    frozen = BACKBONES[model_name][1]
    backbone = build(model_name, 64, frozen_stages=2).train()  # small: the size is not the point
    for name, param in backbone.timm_model.named_parameters():
        assert param.requires_grad != name.startswith(frozen), name
    for name, module in backbone.timm_model.named_children():
        assert all(m.training != name.startswith(frozen) for m in module.modules()), name

    # Frozen batch norms keep their statistics through a training-mode forward.
    statistics = {name: buffer.clone() for name, buffer in backbone.named_buffers()
                  if 'running_' in name}
    backbone(torch.randn(2, 3, 64, 64))
    for name, before in statistics.items():
        assert torch.equal(before, dict(backbone.named_buffers())[name]) == \
            name.startswith(tuple(f'timm_model.{prefix}' for prefix in frozen)), name


def test_frozen_stages_zero_freezes_only_the_stem():
    # MaxViT's stem is timm's stride-2 level, which the pyramid leaves out.
    backbone = build(MAXVIT, 64, frozen_stages=0).train()
    frozen = {name for name, p in backbone.timm_model.named_parameters() if not p.requires_grad}
    assert frozen and all(name.startswith('stem.') for name in frozen)
    assert not backbone.timm_model.stem.training and backbone.timm_model.stages_0.training


def save_checkpoint(state_dict, path, layout):
    """Write ``state_dict`` the way timm, its training script or the Hugging Face hub do."""
    if layout == 'safetensors':
        save_file({k: v.contiguous() for k, v in state_dict.items()}, str(path))
    else:
        torch.save(state_dict if layout == 'plain' else {layout: state_dict, 'epoch': 3}, path)


@pytest.fixture(scope='module')
def timm_weights():
    """Model name -> random weights of the full timm model (classifier included, as timm saves
    it), drawn once per model: building one takes about a second."""
    weights = {}

    def of(model_name: str) -> dict:
        if model_name not in weights:
            weights[model_name] = randomise(timm.create_model(model_name)).state_dict()
        return weights[model_name]

    return of


@pytest.mark.parametrize('layout', ['plain', 'state_dict', 'model', 'safetensors'])
@pytest.mark.parametrize('model_name', [CONVNEXT, SWIN])
def test_load_timm_checkpoint(model_name, layout, tmp_path, warnings_logged, timm_weights):
    expected = timm_weights(model_name)
    path = tmp_path / 'weights.safetensors' if layout == 'safetensors' else tmp_path / 'w.pth'
    save_checkpoint(expected, path, layout)

    backbone = build(model_name, pretrained=str(path))
    backbone.init_weights()

    assert warnings_logged() == []  # nothing missing, nothing unexpected (the head is dropped)
    for key, value in backbone.timm_model.state_dict().items():
        assert torch.equal(value, expected[source_key(key)]), key


def test_load_timm_checkpoint_of_another_input_size(tmp_path, warnings_logged, timm_weights):
    # maxvit_tiny_tf_384 weights (windows of 12) into the 256 px model (windows of 8): timm's
    # checkpoint filter resizes the relative position tables; everything else is copied.
    expected = timm_weights(MAXVIT)
    torch.save(expected, tmp_path / 'maxvit.pth')

    backbone = build(MAXVIT, 256, pretrained=str(tmp_path / 'maxvit.pth'))
    backbone.init_weights()

    assert warnings_logged() == []
    resized = 0
    for key, value in backbone.timm_model.state_dict().items():
        if key.endswith('relative_position_bias_table'):
            assert value.shape[-2:] == (15, 15)  # 2 * 8 - 1
            assert expected[source_key(key)].shape[-2:] == (23, 23)  # 2 * 12 - 1
            resized += 1
        else:
            assert torch.equal(value, expected[source_key(key)]), key
    assert resized > 0


@pytest.mark.parametrize('model_name, source, size', [
    (CONVNEXT, lambda: ConvNeXt(arch='tiny', out_indices=(0, 1, 2, 3),
                                gap_before_final_norm=False), 64),
    ('convnextv2_atto', lambda: ConvNeXt(arch='atto', use_grn=True, layer_scale_init_value=0.,
                                         out_indices=(0, 1, 2, 3), gap_before_final_norm=False),
     64),
    (SWIN, lambda: SwinTransformer(arch='tiny', img_size=224, out_indices=(0, 1, 2, 3)), 224),
])
def test_load_mmpretrain_checkpoint(model_name, source, size, tmp_path, warnings_logged):
    source = randomise(source())
    # An MMPretrain checkpoint: backbone weights under 'state_dict' with a 'backbone.' prefix,
    # next to the classifier's.
    state_dict = {f'backbone.{k}': v for k, v in source.state_dict().items()}
    state_dict['head.fc.weight'] = torch.zeros(1000, 768)
    torch.save({'meta': {'epoch': 300}, 'state_dict': state_dict}, tmp_path / 'mmpretrain.pth')

    backbone = build(model_name, size, pretrained=str(tmp_path / 'mmpretrain.pth')).eval()
    backbone.init_weights()

    # The per-level output norms (norm0..norm3) have no timm counterpart: unexpected, ignored.
    assert not [message for message in warnings_logged() if 'missing' in message]
    # The weights equal the source's: the same image gives the same features (MMPretrain
    # applies its output norm to each level; Swin's norms work on channels-last maps).
    image = torch.randn(1, 3, size, size)
    with torch.no_grad():
        for i, (ours, theirs) in enumerate(zip(backbone(image), source(image))):
            norm = getattr(source, f'norm{i}')
            ours = norm(ours) if model_name != SWIN else \
                norm(ours.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
            torch.testing.assert_close(ours, theirs, rtol=1e-4, atol=1e-5)


def test_missing_checkpoint_is_named_when_weights_are_initialised(tmp_path):
    path = tmp_path / 'absent' / 'convnext_tiny.pth'
    # Building does not read the file: a trained model's config builds for inference elsewhere.
    backbone = TimmPyramidBackbone(CONVNEXT, pretrained=str(path))
    with pytest.raises(FileNotFoundError, match=re.escape(str(path))):
        backbone.init_weights()
