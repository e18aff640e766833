import json
import subprocess
import sys

import pytest
from conftest import REPO
from mmengine.config import Config
from mmseg.registry import MODELS

sys.path.insert(0, str(REPO / 'tools/analysis'))
from model_complexity import measure  # noqa: E402

UNET = REPO / 'configs/_base_/models/unet_s.py'


def test_parameters_and_flops_of_a_config():
    small, large = measure(UNET, (64, 64)), measure(UNET, (128, 128))
    model = MODELS.build(Config.fromfile(str(UNET)).model)
    assert small['params'] == sum(p.numel() for p in model.parameters())
    assert small['config'] == 'configs/_base_/models/unet_s.py'
    # A fully convolutional model: FLOPs grow with the number of pixels.
    assert large['flops'] / small['flops'] == pytest.approx(4, rel=0.05)


def test_tool_writes_json_and_markdown(tmp_path):
    out = tmp_path / 'complexity'
    result = subprocess.run([sys.executable, str(REPO / 'tools/analysis/model_complexity.py'),
                             str(UNET), '--shape', '64', '--out', str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    [row] = json.loads(out.with_suffix('.json').read_text())
    assert row['input_shape'] == [64, 64] and row['decode_head'] == 'FCNHead'
    table = out.with_suffix('.md').read_text()
    assert '| `configs/_base_/models/unet_s.py` | UNet | FCNHead | 0.46 |' in table
