import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# `make test` must give the same result every run: property tests draw their examples from a
# fixed seed (derandomize) and keep no example database. `make test-properties` explores with
# fresh random examples and many more of them (HYPOTHESIS_PROFILE=explore).
settings.register_profile('repeatable', derandomize=True, database=None, deadline=None,
                          max_examples=30)
settings.register_profile('explore', deadline=None, max_examples=1000)
settings.load_profile(os.environ.get('HYPOTHESIS_PROFILE', 'repeatable'))

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
    from mmseg_heritage.datasets.preparation import generate_synthetic_dataset
    return generate_synthetic_dataset(tmp_path_factory.mktemp('synthetic'), num_images=16,
                                      size=64, seed=1)


def stock_mmseg_tool(name: str) -> Path:
    """Path of one of the tools MMSeg ships inside its installed package."""
    import mmseg
    return Path(mmseg.__file__).parent / '.mim' / 'tools' / name


def run_stock_tool(tool: str, work_dir, data_root, *args,
                   options=()) -> subprocess.CompletedProcess:
    """Run one of MMSeg's own tools on the demo config with our data and in-process loading.

    ``args`` go before ``--cfg-options``; ``options`` are extra config overrides.
    """
    return run_config_tool(stock_mmseg_tool(tool), work_dir, data_root, *args, options=options)


def run_config_tool(tool: Path, work_dir, data_root, *args,
                    options=()) -> subprocess.CompletedProcess:
    """Run a tool that takes a config first (ours or MMSeg's) on the demo config with our data
    and in-process loading; ``args`` go before ``--cfg-options``."""
    loaders = ('train_dataloader', 'val_dataloader', 'test_dataloader')
    command = [
        sys.executable, str(tool), str(DEMO_CONFIG), *args,
        '--work-dir', str(work_dir), '--cfg-options',
        *(f'{loader}.dataset.data_root={data_root}' for loader in loaders),
        *(f'{loader}.num_workers=0' for loader in loaders),
        *(f'{loader}.persistent_workers=False' for loader in loaders),
        f'model.decode_head.loss_decode.class_weight={data_root}/class_weights.json', *options
    ]
    result = subprocess.run(command, capture_output=True, text=True, cwd=work_dir.parent,
                            env={**os.environ, 'PYTHONHASHSEED': '0'})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return result


def run_stock_train(work_dir, data_root, iters: int, *flags,
                    options=()) -> subprocess.CompletedProcess:
    """Run MMSeg's own tools/train.py, shrunk to a few small iterations."""
    return run_stock_tool(
        'train.py', work_dir, data_root, *flags,
        options=[f'train_cfg.max_iters={iters}', 'train_cfg.val_interval=2',
                 'default_hooks.checkpoint.interval=2', 'default_hooks.logger.interval=1',
                 'train_dataloader.batch_size=2', *options])


@pytest.fixture(scope='session')
def trained_work_dir(tmp_path_factory, synthetic_root):
    """A work dir written by stock MMSeg train.py: 4 iterations, checkpoints at 2 and 4."""
    work_dir = tmp_path_factory.mktemp('run') / 'demo'
    work_dir.mkdir()
    run_stock_train(work_dir, synthetic_root, 4)
    return work_dir
