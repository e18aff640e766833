"""tools/train.py, test.py and infer.py stop on a misspelt config key before writing anything."""
import re

import pytest

from helpers import DEMO_CONFIG, REPO, run_main

MISSPELT = ['--cfg-options', 'trian_cfg.max_iters=2']
MESSAGE = "unknown top-level key 'trian_cfg' (did you mean 'train_cfg'?)"


@pytest.mark.parametrize('tool', ['train', 'test', 'infer'])
def test_a_misspelt_key_stops_the_tool_before_anything_is_written(tmp_path, tool, monkeypatch,
                                                                  warnings_logged):
    monkeypatch.chdir(tmp_path)  # where ./work_dirs would appear
    monkeypatch.setenv('LOCAL_RANK', '0')  # train.py and test.py set it if missing
    out = tmp_path / 'out'
    checkpoint = tmp_path / 'weights.pth'
    checkpoint.write_bytes(b'never read')
    args = dict(train=['--work-dir', out, *MISSPELT],
                test=[checkpoint, '--work-dir', out, *MISSPELT],
                infer=[checkpoint, DEMO_CONFIG, '--out-dir', out, *MISSPELT])[tool]
    if tool == 'infer':  # infer.py reports a bad input and exits with 2
        result = run_main(REPO / 'tools/infer.py', DEMO_CONFIG, *args)
        assert result.returncode == 2 and MESSAGE in '\n'.join(warnings_logged())
    else:  # train.py and test.py stop as MMSeg's do, with the error
        with pytest.raises(ValueError, match=re.escape(MESSAGE)):
            run_main(REPO / f'tools/{tool}.py', DEMO_CONFIG, *args)
    assert not out.exists() and not (tmp_path / 'work_dirs').exists()
