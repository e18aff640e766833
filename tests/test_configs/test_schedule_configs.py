"""Each 50-epoch schedule drives a training run: optimiser, parameter groups, learning-rate
policy and best-mIoU checkpointing."""
import pytest

from .config_runs import CONFIGS_DIR, RUNS, load_config

SCHEDULES = sorted(f'_base_/schedules/{path.stem}'
                   for path in (CONFIGS_DIR / '_base_/schedules').glob('*_50ep.py'))
SCHEDULE_KEYS = ('optim_wrapper', 'param_scheduler', 'train_cfg', 'default_hooks')
# The poc configs' schedule: their runs (test_experiment_configs.py) train under it.
POC_SCHEDULE = '_base_/schedules/adamw_50ep'
POC_RUNS = [name for name in RUNS if name.startswith('poc5')]


def test_poc_runs_train_under_their_schedule_as_written(configs):
    schedule = configs[POC_SCHEDULE]
    for name in POC_RUNS:
        for key in SCHEDULE_KEYS:
            assert configs[name][key] == schedule[key], (name, key)


@pytest.mark.parametrize('schedule', [name for name in SCHEDULES if name != POC_SCHEDULE],
                         ids=lambda name: name.split('/')[-1])
def test_schedule_drives_a_training_run(schedule, train_one_iteration):
    # The demo's small UNet under the schedule (both read afresh: training changes them).
    cfg = load_config('demo/unet_s_synthetic_160')
    schedule_cfg = load_config(schedule)
    for key in ('optim_wrapper', 'param_scheduler', 'default_hooks'):
        cfg[key] = schedule_cfg[key]
    runner = train_one_iteration(cfg)
    assert runner.optim_wrapper.get_lr()['lr'][0] > 0
