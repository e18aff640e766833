"""AtomicCheckpointHook: a checkpoint replaces nothing until it is complete on disk.

(tests/test_tools/test_resume_after_kill.py kills real training processes.)
"""
from pathlib import Path

import pytest
import torch


def checkpoint_every_2_iterations(runner_case, max_keep_ckpts: int):
    """The toy runner's config: 6 iterations, a checkpoint every 2."""
    cfg = runner_case.iter_based_cfg
    cfg.train_cfg.max_iters = 6
    cfg.default_hooks.checkpoint = dict(type='AtomicCheckpointHook', by_epoch=False,
                                        interval=2, max_keep_ckpts=max_keep_ckpts)
    return cfg


def iteration_of(path: Path) -> int:
    return torch.load(path, weights_only=False)['meta']['iter']  # our own toy checkpoint


def test_keeps_the_newest_checkpoints_and_names_the_last(runner_case):
    work_dir = Path(runner_case.temp_dir.name)
    leftover = work_dir / '.iter_4.pth.partial-12345.pth'  # of a run killed while saving
    leftover.write_bytes(b'half a checkpoint')
    runner = runner_case.build_runner(checkpoint_every_2_iterations(runner_case, 2))
    runner.train()

    assert sorted(path.name for path in work_dir.glob('*.pth')) == ['iter_4.pth', 'iter_6.pth']
    assert (work_dir / 'last_checkpoint').read_text() == str(work_dir / 'iter_6.pth')
    assert iteration_of(work_dir / 'iter_6.pth') == 6
    assert not list(work_dir.glob('.*partial*'))


def test_a_failed_save_keeps_the_last_checkpoint(runner_case):
    work_dir = Path(runner_case.temp_dir.name)
    runner = runner_case.build_runner(checkpoint_every_2_iterations(runner_case, 1))
    save = runner.save_checkpoint

    def fail_at_iteration_4(out_dir, filename, *args, **kwargs):
        if runner.iter + 1 == 4:  # half of it written when the disk fills up
            (Path(out_dir) / filename).write_bytes(b'half a checkpoint')
            raise OSError('No space left on device')
        return save(out_dir, filename, *args, **kwargs)

    runner.save_checkpoint = fail_at_iteration_4
    with pytest.raises(OSError, match='No space left'):
        runner.train()

    # max_keep_ckpts=1, yet iteration 2 is still there, complete and named as the last.
    assert [path.name for path in work_dir.glob('*.pth')] == ['iter_2.pth']
    assert (work_dir / 'last_checkpoint').read_text() == str(work_dir / 'iter_2.pth')
    assert iteration_of(work_dir / 'iter_2.pth') == 2
    assert not list(work_dir.glob('.*partial*'))
