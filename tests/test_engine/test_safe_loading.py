import os
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import load_checkpoint

from mmseg_heritage.engine import SAFE_CHECKPOINT_GLOBALS, SafeCheckpointHook


class RunsCodeOnLoad:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f'touch {self.marker}', )


def test_crafted_checkpoint_is_refused(tmp_path):
    marker = tmp_path / 'code_ran'
    path = tmp_path / 'crafted.pth'
    torch.save({'state_dict': {}, 'meta': RunsCodeOnLoad(marker)}, path)
    with pytest.raises(pickle.UnpicklingError, match='system'):
        load_checkpoint(torch.nn.Linear(1, 1), str(path))
    assert not marker.exists()


def test_history_buffer_is_not_allowlisted(tmp_path):
    """A raw HistoryBuffer pickles builtins.getattr, which must stay forbidden."""
    path = tmp_path / 'raw_history.pth'
    buffer = HistoryBuffer()
    buffer.update(1.0)
    torch.save({'message_hub': {'log_scalars': {'loss': buffer}}}, path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)
    allowed = torch.serialization.get_safe_globals()
    assert getattr not in allowed and HistoryBuffer not in allowed
    assert set(SAFE_CHECKPOINT_GLOBALS) <= set(allowed)


def test_hook_round_trips_the_history_as_plain_data(tmp_path):
    buffer = HistoryBuffer(max_length=10)
    for value, count in ((1.5, 1), (2.5, 2), (np.float64(4.0), 1)):
        buffer.update(value, count)
    checkpoint = {'message_hub': {'log_scalars': {'train/loss': buffer}}}
    hook = SafeCheckpointHook()
    hook.before_save_checkpoint(None, checkpoint)
    path = tmp_path / 'plain.pth'
    torch.save(checkpoint, path)

    loaded = torch.load(path)  # weights_only=True is torch's default
    hook.after_load_checkpoint(None, loaded)
    restored = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(restored, HistoryBuffer)
    assert restored.max_length == 10
    np.testing.assert_array_equal(restored.data[0], buffer.data[0])
    np.testing.assert_array_equal(restored.data[1], buffer.data[1])
    assert restored.mean() == buffer.mean()


def test_a_run_saves_loadable_checkpoints_and_resumes_its_history(runner_case):
    cfg = runner_case.iter_based_cfg
    cfg.train_cfg.max_iters = 4
    cfg.default_hooks.update(checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=4),
                             safe_checkpoint=dict(type='SafeCheckpointHook'))
    runner_case.build_runner(cfg).train()
    checkpoint = torch.load(Path(runner_case.temp_dir.name) / 'iter_4.pth')  # weights_only
    assert checkpoint['message_hub']['log_scalars']['train/loss']['log_history']

    cfg.train_cfg.max_iters = 6
    cfg.resume = True
    resumed = runner_case.build_runner(cfg)
    resumed.train()
    # The loss history of the first run survived the resume: 4 + 2 iterations logged.
    log_history, _ = resumed.message_hub.get_scalar('train/loss').data
    assert len(log_history) == 6


def unsafe_globals_without_allowlist(path) -> set:
    """Globals a file needs beyond torch's own defaults, ignoring our allowlist."""
    ours = torch.serialization.get_safe_globals()
    torch.serialization.clear_safe_globals()
    try:
        return set(torch.serialization.get_unsafe_globals_in_checkpoint(str(path)))
    finally:
        torch.serialization.add_safe_globals(ours)


def test_real_checkpoint_needs_only_allowlisted_globals(trained_work_dir):
    best = next(trained_work_dir.glob('best_mIoU_iter_*.pth'))
    names = {f'{g.__module__}.{g.__qualname__}' for g in SAFE_CHECKPOINT_GLOBALS}
    assert unsafe_globals_without_allowlist(best) <= names
    assert all(name.startswith('numpy.') for name in names)
    loaded = torch.load(best, weights_only=True)
    # ArtefactMetric reports plain floats, so save_best stores one.
    assert isinstance(loaded['message_hub']['runtime_info']['best_score'], float)
    assert loaded['state_dict']


def test_numpy_scores_load_safely(tmp_path):
    # MMSeg's IoUMetric reports numpy scalars, which save_best puts in checkpoints.
    path = tmp_path / 'numpy.pth'
    torch.save(dict(best_score=np.float64(3.5), table=np.arange(3, dtype=np.int64)), path)
    assert 'numpy._core.multiarray.scalar' in unsafe_globals_without_allowlist(path)
    loaded = torch.load(path, weights_only=True)
    assert loaded['best_score'] == 3.5 and loaded['table'].tolist() == [0, 1, 2]
