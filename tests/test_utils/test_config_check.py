from pathlib import Path

import pytest
from mmengine.config import Config

from mmseg_heritage.utils import check_config_keys, known_config_keys

CONFIGS = sorted((Path(__file__).resolve().parents[2] / 'configs').rglob('*.py'))


@pytest.mark.parametrize('config', CONFIGS, ids=lambda path: path.name)
def test_every_config_passes(config):
    check_config_keys(Config.fromfile(config))


def test_runner_keys_are_known():
    assert {'train_cfg', 'optim_wrapper', 'param_scheduler', 'default_hooks',
            'custom_imports', 'test_pipeline'} <= known_config_keys()


def test_a_misspelt_key_is_named_with_its_likely_meaning(tmp_path):
    config = tmp_path / 'exp.py'
    config.write_text('model = dict()\ntrian_cfg = dict(max_iters=10)\n')
    cfg = Config.fromfile(config)
    with pytest.raises(ValueError, match=rf"^{config}: unknown top-level key 'trian_cfg' "
                       r"\(did you mean 'train_cfg'\?\); MMEngine would ignore it"):
        check_config_keys(cfg)
    with pytest.raises(ValueError, match=r"keys 'optim_wraper' \(did you mean 'optim_wrapper'"
                       r"\?\), 'test_pipline' \(did you mean 'test_pipeline'\?\)"):
        check_config_keys(dict(optim_wraper=dict(), test_pipline=[]))


def test_a_configs_own_variables_pass():
    check_config_keys(dict(scale=(1536, 768), max_iters=100, warmup_iters=10, loss=dict(),
                           my_backbone_settings=dict()))
