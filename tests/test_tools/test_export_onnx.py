"""tools/export_onnx.py: an fp32 and an int8 model from the command line; bad inputs stop it
with exit status 2, the reason and no file."""
import re

import pytest
import torch
from mmengine.config import Config
from mmseg.registry import MODELS

from mmseg_heritage.apis import read_metadata
from mmseg_heritage.class_names import CLASSES, PALETTE

from helpers import DEMO_CONFIG, REPO, run_main

EXPORT = REPO / 'tools/export_onnx.py'


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    """The demo UNet's random weights (the export does not depend on training)."""
    path = tmp_path_factory.mktemp('export') / 'unet.pth'
    torch.manual_seed(0)
    torch.save(dict(meta=dict(dataset_meta=dict(classes=CLASSES, palette=PALETTE)),
                    state_dict=MODELS.build(Config.fromfile(DEMO_CONFIG).model).state_dict()),
               path)
    return path


def test_int8_export_keeps_the_fp32_model_and_scores_both(tmp_path, checkpoint, synthetic_root,
                                                          capfd):
    out = tmp_path / 'model.onnx'
    result = run_main(EXPORT, DEMO_CONFIG, checkpoint, '--out', out, '--check-size', 32, 48,
                      '--quantize', 'int8', '--calibration-data', synthetic_root,
                      '--calibration-tiles', 2, '--test-images', 2, capsys=capfd)
    assert result.returncode == 0, result.stdout + result.stderr
    log = result.stdout + result.stderr
    assert 'ONNX Runtime against PyTorch at 1 x 32 x 48: largest logit difference' in log
    # Two backends: a near-tie of this 4-iteration model may go either way.
    assert float(re.search(r'labels equal ([\d.]+) %', log).group(1)) >= 99.9
    assert 'int8, calibrated on 2 tiles of train' in log
    assert 'test split (2 images): mIoU fp32' in log
    assert read_metadata(out)['precision'] == 'int8'
    fp32 = read_metadata(tmp_path / 'model.fp32.onnx')
    assert fp32['precision'] == 'fp32' and fp32['tile_size'] == [1024, 1024]
    assert fp32['source']['checkpoint'] == 'unet.pth'


@pytest.mark.parametrize('case, message', [
    ('tent', 'TentSegmentor cannot be exported to ONNX: it adapts its normalisation layers'),
    ('no checkpoint', 'missing.pth: no such checkpoint file'),
    ('no calibration data', '--quantize int8 needs --calibration-data DIR'),
    ('no such split', 'calibration data: .*splits/holdout.txt: split file not found'),
])
def test_bad_inputs_say_why_and_write_nothing(tmp_path, checkpoint, synthetic_root, capfd,
                                              case, message):
    config, weights, extra = DEMO_CONFIG, checkpoint, []
    if case == 'tent':
        config = REPO / 'configs/poc6/unet_s_synthetic_160_tent.py'
    elif case == 'no checkpoint':
        weights = tmp_path / 'missing.pth'
    elif case == 'no calibration data':
        extra = ['--quantize', 'int8']
    else:
        extra = ['--quantize', 'int8', '--calibration-data', synthetic_root,
                 '--calibration-split', 'holdout']
    result = run_main(EXPORT, config, weights, '--out', tmp_path / 'out/model.onnx', *extra,
                      capsys=capfd)
    assert result.returncode == 2
    assert re.search(message, result.stdout + result.stderr)
    assert not (tmp_path / 'out').exists()
