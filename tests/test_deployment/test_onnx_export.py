"""Every model family exports to ONNX, and ONNX Runtime's damage maps agree with PyTorch's.

The families are built small (few channels and layers) with random weights: the export, the
graph's variable size and the preprocessing are what is tested, not the weights.
"""
import copy

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmseg.registry import MODELS

from mmseg_heritage.apis import DamageInferencer, OnnxDamageInferencer
from mmseg_heritage.class_names import CLASSES, PALETTE
from mmseg_heritage.datasets.preparation import make_sample
from mmseg_heritage.deployment import OnnxExportError, export_onnx, onnx_export, traceable_modules

from helpers import DEMO_CONFIG, REPO, assert_labels_agree, tiled_scores, winning_margin

MODELS_DIR = REPO / 'configs/_base_/models'
ATTO = dict(type='TimmPyramidBackbone', model_name='convnext_atto', _delete_=True)
ATTO_CHANNELS = [40, 80, 160, 320]  # convnext_atto's levels
SMALL_UPER = dict(in_channels=ATTO_CHANNELS, channels=16)
SMALL_AUX = dict(in_channels=160, channels=8)
# Family -> (base model config, overrides making it small).
FAMILIES = {
    'unet': (DEMO_CONFIG, {}),
    'segformer': (MODELS_DIR / 'segformer_mit_b3.py', dict(
        backbone=dict(embed_dims=16, num_layers=[1, 1, 1, 1]),
        decode_head=dict(in_channels=[16, 32, 80, 128], channels=16))),
    'upernet': (MODELS_DIR / 'upernet_convnext_tiny.py', dict(
        backbone=ATTO, decode_head=SMALL_UPER, auxiliary_head=SMALL_AUX)),
    'hierarchical_upernet': (MODELS_DIR / 'hierarchical_upernet_convnext_tiny.py', dict(
        backbone=ATTO, decode_head=SMALL_UPER)),
    'deeplabv3plus': (MODELS_DIR / 'deeplabv3plus_convnext_tiny.py', dict(
        backbone=ATTO, decode_head=dict(in_channels=320, c1_in_channels=40, channels=16,
                                        c1_channels=8), auxiliary_head=SMALL_AUX)),
    # Built for one input size, as MaxViT-Tiny in configs/poc59: a fixed-size export.
    'maxvit_one_size': (MODELS_DIR / 'upernet_maxvit_tiny.py', dict(
        backbone=dict(model_name='maxvit_pico_rw_256', img_size=(64, 64)),
        data_preprocessor=dict(size=(64, 64), test_cfg=dict(size=(64, 64))),
        decode_head=dict(in_channels=[32, 64, 128, 256], channels=16),
        auxiliary_head=dict(in_channels=128, channels=8),
        test_cfg=dict(crop_size=(64, 64), stride=(48, 48)))),
}
# The tiles inference uses here: several per image, in a batch of two.
TILES = dict(tile_size=(64, 64), tile_stride=(48, 48), batch_size=2)


def family_model(family: str, tmp_path):
    """The family's small model in the demo's config (its data and pipeline, here with a
    resize), and a checkpoint of its random weights."""
    base, overrides = FAMILIES[family]
    cfg = Config.fromfile(DEMO_CONFIG)
    cfg.model = Config.fromfile(base).model
    cfg.merge_from_dict(dict(model=copy.deepcopy(overrides)))  # merging pops _delete_
    cfg.test_dataloader.dataset.pipeline.insert(1, dict(type='Resize', scale=(120, 90),
                                                        keep_ratio=True))
    torch.manual_seed(0)
    checkpoint = tmp_path / f'{family}.pth'
    torch.save(dict(meta=dict(dataset_meta=dict(classes=CLASSES, palette=PALETTE)),
                    state_dict=MODELS.build(cfg.model).state_dict()), checkpoint)
    return cfg, checkpoint


def scan(size=(100, 150), seed=5) -> np.ndarray:
    return np.ascontiguousarray(make_sample(seed, size).image[..., ::-1])


@pytest.mark.parametrize('family', FAMILIES)
def test_each_family_exports_and_onnxruntime_labels_equal_pytorch(family, tmp_path):
    cfg, checkpoint = family_model(family, tmp_path)
    out = tmp_path / 'model.onnx'
    record = export_onnx(cfg, checkpoint, out, check_size=(64, 96))
    one_size = family == 'maxvit_one_size'
    assert record['input_size'] == ([64, 64] if one_size else None)
    assert len(record['checks']) == (1 if one_size else 2)  # and a smaller size, batch 2
    for check in record['checks']:  # two backends: near-ties may go either way
        assert check['label_agreement'] >= 0.999 and check['max_logit_difference'] < 1e-3
    image = scan()
    pytorch = DamageInferencer(cfg, str(checkpoint), device='cpu', **TILES)
    onnx = OnnxDamageInferencer(out, **TILES).predict(image)
    assert onnx.shape == image.shape[:2]
    assert_labels_agree(onnx, pytorch.predict(image),
                        winning_margin(tiled_scores(pytorch, image)))


def test_a_trace_that_fixes_its_size_is_exported_at_the_tile_size(tmp_path, monkeypatch):
    # Without the stand-ins the UNet's upsampling records its size as a constant.
    monkeypatch.setattr(traceable_modules, 'STAND_INS', ())
    cfg, checkpoint = family_model('unet', tmp_path)
    cfg.model.test_cfg = dict(mode='slide', crop_size=(64, 64), stride=(48, 48))
    out = tmp_path / 'model.onnx'
    record = export_onnx(cfg, checkpoint, out)
    assert record['input_size'] == [64, 64]
    assert 'does not run at other sizes' in record['fixed_size_reason']
    onnx = OnnxDamageInferencer(out)
    pytorch = DamageInferencer(cfg, str(checkpoint), device='cpu')
    assert_labels_agree(onnx.predict(scan()), pytorch.predict(scan()),
                        winning_margin(tiled_scores(pytorch, scan())))
    # Smaller than a tile: padded up to the one size the file takes.
    assert onnx.predict(scan((40, 50))).shape == (40, 50)
    with pytest.raises(ValueError, match='takes 64 x 64 inputs only'):
        OnnxDamageInferencer(out, tile_size=(96, 96))


def test_an_export_that_disagrees_with_pytorch_is_not_written(tmp_path, monkeypatch):
    monkeypatch.setattr(onnx_export, 'MIN_LABEL_AGREEMENT', 1.1)  # nothing can agree enough
    cfg, checkpoint = family_model('unet', tmp_path)
    with pytest.raises(OnnxExportError, match='disagrees with PyTorch .* not written'):
        export_onnx(cfg, checkpoint, tmp_path / 'out/model.onnx', check_size=(32, 32))
    assert list((tmp_path / 'out').iterdir()) == []  # no partial file left


def test_test_time_adaptation_cannot_be_exported_and_says_why(tmp_path):
    with pytest.raises(OnnxExportError, match='TentSegmentor cannot be exported.*TENT'):
        export_onnx(REPO / 'configs/poc6/unet_s_synthetic_160_tent.py', 'unused.pth',
                    tmp_path / 'model.onnx')
    assert not (tmp_path / 'model.onnx').exists()


def test_an_exporter_failure_names_the_model(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError('Unsupported: ONNX export of operator foo\nmore detail')

    monkeypatch.setattr(torch.onnx, 'export', broken)
    cfg, checkpoint = family_model('unet', tmp_path)
    with pytest.raises(OnnxExportError, match=r'EncoderDecoder \(backbone UNet, head FCNHead\) '
                       'could not be exported to ONNX: RuntimeError: Unsupported: ONNX export '
                       'of operator foo$'):
        export_onnx(cfg, checkpoint, tmp_path / 'model.onnx', check_size=(32, 32))
