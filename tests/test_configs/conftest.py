"""The training runs the config tests share: each model family trains once, at 64 px."""
from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from mmseg_heritage.datasets.preparation import build_damage_bank

from .config_runs import RUNS, ConfigsByName, load_config, shrink


@pytest.fixture(scope='session')
def configs() -> ConfigsByName:
    """Configs by name, for tests that only read them (shrink changes the one it is given)."""
    return ConfigsByName()


@pytest.fixture(scope='session')
def train_one_iteration(synthetic_root, tmp_path_factory):
    """A function that trains a config shrunk by :func:`shrink` on the synthetic set and
    checks that it validated and wrote its checkpoints; it returns the Runner."""
    bank = tmp_path_factory.mktemp('bank') / 'bank'  # for configs that paste damage
    build_damage_bank(bank, data_root=synthetic_root)

    def train(cfg: Config) -> Runner:
        work_dir = tmp_path_factory.mktemp('run') / 'work_dir'
        # (MMEngine formats the run's config once: mmseg_heritage/engine/config_text.py)
        runner = Runner.from_cfg(shrink(cfg, Path(synthetic_root), work_dir, bank))
        runner.train()

        assert (work_dir / 'iter_1.pth').is_file()
        assert list(work_dir.glob('best_mIoU_iter_1.pth'))
        scalars = runner.message_hub.log_scalars
        assert 'val/mIoU' in scalars and 'val/mDice' in scalars
        return runner

    return train


@pytest.fixture(scope='session', params=RUNS)
def run(request, train_one_iteration) -> Runner:
    """The Runner of one model family's run (see RUNS); tests of each run follow each other,
    so that one trained model at a time is kept."""
    return train_one_iteration(load_config(request.param))
