"""tools/analysis/model_complexity.py writes its table (the counting: tests/test_benchmarks)."""
import json

from helpers import REPO, load_tool

UNET = REPO / 'configs/_base_/models/unet_s.py'


def test_tool_writes_json_and_markdown(tmp_path, capsys):
    out = tmp_path / 'complexity'
    tool = load_tool(REPO / 'tools/analysis/model_complexity.py')
    assert tool.main([str(UNET), '--shape', '64', '--out', str(out)]) == 0
    [row] = json.loads(out.with_suffix('.json').read_text())
    assert row['input_shape'] == [64, 64] and row['decode_head'] == 'FCNHead'
    assert row['config'] == 'configs/_base_/models/unet_s.py'
    table = out.with_suffix('.md').read_text()
    assert '| `configs/_base_/models/unet_s.py` | UNet | FCNHead | 0.46 |' in table
    assert f'wrote {out}.json and {out}.md' in capsys.readouterr().out


def test_a_missing_config_writes_nothing(tmp_path, capsys):
    out = tmp_path / 'complexity'
    tool = load_tool(REPO / 'tools/analysis/model_complexity.py')
    assert tool.main([str(tmp_path / 'missing.py'), '--out', str(out)]) == 1
    assert 'missing.py' in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
