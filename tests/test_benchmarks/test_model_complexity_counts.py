import pytest
from mmengine.config import Config
from mmseg.registry import MODELS

from mmseg_heritage.benchmarks import complexity_table, model_complexity

from helpers import REPO

UNET = REPO / 'configs/_base_/models/unet_s.py'


def test_parameters_and_flops_of_a_config():
    small, large = model_complexity(UNET, (64, 64), REPO), model_complexity(UNET, (128, 128))
    model = MODELS.build(Config.fromfile(str(UNET)).model)
    assert small['params'] == sum(p.numel() for p in model.parameters())
    assert small['config'] == 'configs/_base_/models/unet_s.py'
    assert large['config'] == str(UNET)  # no root: the absolute path
    # A fully convolutional model: FLOPs grow with the number of pixels.
    assert large['flops'] / small['flops'] == pytest.approx(4, rel=0.05)
    table = complexity_table([small])
    assert table.startswith('Parameters and forward FLOPs for one 64 x 64 image')
    assert '| `configs/_base_/models/unet_s.py` | UNet | FCNHead | 0.46 |' in table
