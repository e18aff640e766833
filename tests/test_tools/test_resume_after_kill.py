"""Interrupted training: a run killed with SIGKILL and resumed ends as an uninterrupted one,
and two runs with the same seed give identical weights and metrics (CPU, deterministic)."""
import hashlib
import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import torch

import mmseg_heritage

from helpers import DEMO_CONFIG, IN_PROCESS_LOADING, REPO, TEST_HOOKS

ITERS = 6


def train(work_dir: Path, config: Path, data_root, *flags, **kill) -> subprocess.CompletedProcess:
    """tools/train.py: 6 iterations of 2 images, checkpoint every 2 (only the newest kept)
    and validation every 2; ``kill`` sets KILL_AFTER_ITER / KILL_WHILE_SAVING."""
    command = [
        sys.executable, str(REPO / 'tools/train.py'), str(config), '--work-dir', str(work_dir),
        '--data-root', str(data_root), *flags, '--cfg-options', *IN_PROCESS_LOADING,
        f'train_cfg.max_iters={ITERS}', 'train_cfg.val_interval=2',
        'default_hooks.checkpoint.interval=2', 'default_hooks.checkpoint.max_keep_ckpts=1',
        'default_hooks.logger.interval=1', 'train_dataloader.batch_size=2',
        'randomness.seed=3', 'randomness.deterministic=True'
    ]
    env = {**os.environ, 'PYTHONHASHSEED': '0', 'PYTHONPATH': str(TEST_HOOKS),
           **{name.upper(): str(value) for name, value in kill.items()}}
    return subprocess.run(command, capture_output=True, text=True, cwd=work_dir.parent,
                          env=env)


def final_state(work_dir: Path) -> dict:
    return torch.load(work_dir / f'iter_{ITERS}.pth')['state_dict']


def last_metrics(work_dir: Path) -> dict:
    """metrics.json of the last validation (the newest log folder that has one)."""
    return json.loads(sorted(work_dir.glob('*/metrics.json'))[-1].read_text())


def assert_same_run(work_dir: Path, reference: Path) -> None:
    state, expected = final_state(work_dir), final_state(reference)
    assert state.keys() == expected.keys()
    for name, tensor in expected.items():
        assert torch.equal(state[name], tensor), f'{name} differs'
    metrics, expected_metrics = last_metrics(work_dir), last_metrics(reference)
    for key in ('overall', 'binary', 'coarse', 'per_material', 'mIoU_ci95', 'images'):
        assert metrics[key] == expected_metrics[key], key
    assert metrics['provenance']['config_sha256'] == expected_metrics['provenance'][
        'config_sha256']


@pytest.fixture(scope='module')
def config(tmp_path_factory) -> Path:
    """The demo config with the test helper kill_hook.py imported and enabled."""
    path = tmp_path_factory.mktemp('config') / 'demo_with_kill_hook.py'
    path.write_text(f"_base_ = '{DEMO_CONFIG}'\n"
                    "custom_imports = dict(imports=['mmseg_heritage', 'kill_hook'], "
                    "allow_failed_imports=False)\n"
                    "custom_hooks = [dict(type='KillHook')]\n")
    return path


@pytest.fixture(scope='module')
def uninterrupted(tmp_path_factory, config, synthetic_root) -> Path:
    work_dir = tmp_path_factory.mktemp('uninterrupted') / 'run'
    result = train(work_dir, config, synthetic_root)
    assert result.returncode == 0, result.stderr[-5000:]
    return work_dir


def test_a_run_killed_while_saving_resumes_to_the_same_weights_and_metrics_as_one_run(
        tmp_path, config, synthetic_root, uninterrupted):
    # A second run with the same seed, killed while it writes its checkpoint of iteration 4
    # and resumed from iteration 2, ends with the uninterrupted run's weights and metrics: the
    # seed, the resume and the checkpoint's atomic write are checked at once (each training
    # is seconds of the suite; a kill between checkpoints resumes the same way, from the
    # newest one: tests/test_tools/test_cross_validate.py kills one after an iteration).
    provenance = last_metrics(uninterrupted)['provenance']
    assert provenance['seed'] == 3 and provenance['deterministic'] is True
    assert provenance['packages']['torch'] == version('torch')
    assert provenance['packages']['mmseg_heritage'] == mmseg_heritage.__version__
    val_split = Path(synthetic_root) / 'splits/val.txt'
    assert provenance['splits']['val'] == dict(
        file=str(val_split), sha256=hashlib.sha256(val_split.read_bytes()).hexdigest())

    work_dir = tmp_path / 'killed_while_saving'
    killed = train(work_dir, config, synthetic_root, kill_while_saving=4)
    assert killed.returncode == -9, killed.stderr[-3000:]
    # The half-written iteration 4 never replaced anything; iteration 2 (the only one kept,
    # max_keep_ckpts=1) is still there, complete, and named by last_checkpoint.
    assert not (work_dir / 'iter_4.pth').exists()
    assert len(list(work_dir.glob('.iter_4.pth.partial-*'))) == 1
    latest = Path((work_dir / 'last_checkpoint').read_text())
    assert latest == work_dir / 'iter_2.pth'
    assert torch.load(latest)['meta']['iter'] == 2
    assert not (work_dir / f'iter_{ITERS}.pth').exists()

    resumed = train(work_dir, config, synthetic_root, '--resume')
    assert resumed.returncode == 0, resumed.stderr[-5000:]
    assert 'resumed' in resumed.stdout + resumed.stderr
    assert not list(work_dir.glob('.*partial*'))
    assert_same_run(work_dir, uninterrupted)
