"""IterationSeedHook: each training iteration draws random numbers (dropout, drop path) from
the run's seed and the iteration alone, so a resumed run draws as the uninterrupted one did.

(tests/test_tools/test_resume_after_kill.py resumes real training processes killed midway.)
"""
import torch
from mmengine.hooks import Hook

from mmseg_heritage.engine.hooks import iteration_seed_hook


class RecordDraws(Hook):
    """Records one draw of torch's global generator per iteration, as dropout would."""

    def __init__(self):
        self.draws = {}

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.draws[runner.iter] = torch.rand(1).item()


def draws_of_a_run(runner_case, seed=3, max_iters=6, resume=False, diff_rank_seed=False):
    """Iteration -> draw of a toy run seeded with ``seed`` (a checkpoint every 2 iterations)."""
    cfg = runner_case.iter_based_cfg
    cfg.train_cfg.max_iters = max_iters
    cfg.randomness = dict(seed=seed, diff_rank_seed=diff_rank_seed)
    cfg.default_hooks.update(
        checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=2),
        safe_checkpoint=dict(type='SafeCheckpointHook'),  # resuming loads with weights_only
        iteration_seed=dict(type='IterationSeedHook'))
    cfg.resume = resume
    runner = runner_case.build_runner(cfg)
    record = RecordDraws()
    runner.register_hook(record, priority='HIGH')  # right after IterationSeedHook (VERY_HIGH)
    runner.train()
    return record.draws


def test_draws_depend_on_the_seed_and_the_iteration_only(runner_case, monkeypatch):
    uninterrupted = draws_of_a_run(runner_case)
    assert len(set(uninterrupted.values())) == 6  # every iteration draws its own numbers

    torch.rand(100)  # whatever used the generator before does not matter
    assert draws_of_a_run(runner_case) == uninterrupted
    assert draws_of_a_run(runner_case, seed=4) != uninterrupted
    # With diff_rank_seed each rank draws its own numbers, as MMEngine seeds ranks.
    monkeypatch.setattr(iteration_seed_hook, 'get_rank', lambda: 1)
    assert draws_of_a_run(runner_case, diff_rank_seed=False) == uninterrupted
    assert draws_of_a_run(runner_case, diff_rank_seed=True) != uninterrupted


def test_a_resumed_run_draws_as_the_uninterrupted_one(runner_case):
    uninterrupted = draws_of_a_run(runner_case)
    runner_case.clear_work_dir()
    draws_of_a_run(runner_case, max_iters=2)  # stopped after the checkpoint of iteration 2
    resumed = draws_of_a_run(runner_case, resume=True)
    assert resumed == {i: uninterrupted[i] for i in range(2, 6)}
