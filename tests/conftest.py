import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEMO_CONFIG = REPO / 'configs/demo/unet_s_synthetic_160.py'


@pytest.fixture(scope='session', autouse=True)
def mmseg_scope():
    """Build components from the mmseg registries, as MMSeg's runner does."""
    from mmseg.utils import register_all_modules
    register_all_modules(init_default_scope=True)


@pytest.fixture(scope='session')
def synthetic_root(tmp_path_factory):
    """A small synthetic dataset shared by the tests (it is deterministic)."""
    from mmseg_heritage.datasets import generate_synthetic_dataset
    return generate_synthetic_dataset(str(tmp_path_factory.mktemp('synthetic')), num_train=8,
                                      num_val=3, size=64, seed=1)


def stock_mmseg_tool(name: str) -> Path:
    """Path of one of the tools MMSeg ships inside its installed package."""
    import mmseg
    return Path(mmseg.__file__).parent / '.mim' / 'tools' / name


def data_root_options(root) -> list:
    return [f'{loader}.dataset.data_root={root}'
            for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')]


def run_stock_train(work_dir, data_root, iters: int, *flags,
                    options=()) -> subprocess.CompletedProcess:
    """Run MMSeg's own tools/train.py on the demo config, shrunk to a few small iterations."""
    command = [
        sys.executable, str(stock_mmseg_tool('train.py')), str(DEMO_CONFIG),
        '--work-dir', str(work_dir), *flags, '--cfg-options', *data_root_options(data_root),
        f'train_cfg.max_iters={iters}', 'train_cfg.val_interval=2',
        'default_hooks.checkpoint.interval=2', 'default_hooks.logger.interval=1',
        'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False', 'val_dataloader.num_workers=0',
        'val_dataloader.persistent_workers=False', *options
    ]
    result = subprocess.run(command, capture_output=True, text=True, cwd=work_dir.parent,
                            env={**os.environ, 'PYTHONHASHSEED': '0'})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return result


@pytest.fixture(scope='session')
def trained_work_dir(tmp_path_factory, synthetic_root):
    """A work dir written by stock MMSeg train.py: 4 iterations, checkpoints at 2 and 4."""
    work_dir = tmp_path_factory.mktemp('run') / 'demo'
    work_dir.mkdir()
    run_stock_train(work_dir, synthetic_root, 4)
    return work_dir
