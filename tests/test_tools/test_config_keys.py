"""tools/train.py, test.py and infer.py stop on a misspelt config key before writing anything."""
import subprocess
import sys

import pytest
from conftest import DEMO_CONFIG, REPO

MISSPELT = ['--cfg-options', 'trian_cfg.max_iters=2']


@pytest.mark.parametrize('tool', ['train', 'test', 'infer'])
def test_a_misspelt_key_stops_the_tool_before_anything_is_written(tmp_path, tool):
    out = tmp_path / 'out'
    checkpoint = tmp_path / 'weights.pth'
    checkpoint.write_bytes(b'never read')
    args = dict(train=['--work-dir', out, *MISSPELT],
                test=[checkpoint, '--work-dir', out, *MISSPELT],
                infer=[checkpoint, DEMO_CONFIG, '--out-dir', out, *MISSPELT])[tool]
    result = subprocess.run([sys.executable, str(REPO / f'tools/{tool}.py'), str(DEMO_CONFIG),
                             *map(str, args)], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode != 0
    assert ("unknown top-level key 'trian_cfg' (did you mean 'train_cfg'?)"
            in result.stdout + result.stderr)
    assert not out.exists() and not (tmp_path / 'work_dirs').exists()
