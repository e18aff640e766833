"""The cross-validation runner's options for every run. Its folds' trainings and tests are
run end to end in tests/test_tools/test_cross_validate.py."""
import re

import pytest

from mmseg_heritage.evaluation.cross_validation_runner import (CrossValidationRunner, load_config,
                                                                run_options)

from helpers import REPO

CONFIGS = REPO / 'configs/poc6'


def test_coral_aligns_the_held_out_column():
    coral = load_config(str(CONFIGS / 'unet_s_synthetic_160_coral.py'), [])
    assert run_options(coral, ['a=1'], 'content') == ['a=1', 'model.domain_key=content']
    given = ['model.domain_key=material']
    assert run_options(coral, given, 'content') == given
    assert run_options(load_config(str(CONFIGS / 'unet_s_synthetic_160_baseline.py'), []), [],
                       'content') == []


@pytest.mark.parametrize('settings, message', [
    (dict(launcher='pbs'), "launcher 'pbs': use 'none' or 'slurm'"),
    (dict(launcher='slurm'), 'the slurm launcher needs a partition'),
    (dict(in_domain=False, in_domain_work_dir='work_dirs/x'), 'in-domain run is off'),
])
def test_settings_that_cannot_run_are_refused_at_once(settings, message):
    config = REPO / 'configs/poc6/unet_s_synthetic_160_baseline.py'
    with pytest.raises(ValueError, match=re.escape(message)):
        CrossValidationRunner(str(config), 'lomo', REPO / 'tools', **settings)
