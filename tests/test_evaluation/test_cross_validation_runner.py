"""The cross-validation runner's options for every run. Its folds' trainings and tests are
run end to end in tests/test_tools/test_cross_validate.py."""
from mmseg_heritage.evaluation.cross_validation_runner import load_config, run_options

from helpers import REPO

CONFIGS = REPO / 'configs/poc6'


def test_coral_aligns_the_held_out_column():
    coral = load_config(str(CONFIGS / 'unet_s_synthetic_160_coral.py'), [])
    assert run_options(coral, ['a=1'], 'content') == ['a=1', 'model.domain_key=content']
    given = ['model.domain_key=material']
    assert run_options(coral, given, 'content') == given
    assert run_options(load_config(str(CONFIGS / 'unet_s_synthetic_160_baseline.py'), []), [],
                       'content') == []
