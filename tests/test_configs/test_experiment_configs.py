"""Each experiment config trains an iteration, validates and checkpoints on a tiny dataset.

One config per model family runs (config_runs.RUNS; the tests of the runs are in
test_model_configs.py, so that one test process trains them); every other one equals a run
config but for the backbone, which its own family's run trains (test_model_configs.py checks
its channels).
"""
import pytest

from .config_runs import EXPERIMENT_CONFIGS, RUNS, without_backbone

# Experiment configs that no run trains, and the run config each equals but for the backbone.
OTHER_BACKBONE_OF = {
    'poc55/hierarchical_upernet_maxvit_tiny_256': 'poc55/hierarchical_upernet_convnext_tiny_256',
    'poc55/hierarchical_upernet_swin_tiny_256': 'poc55/hierarchical_upernet_convnext_tiny_256',
    'poc58/deeplabv3plus_convnext_tiny_384': 'poc58/deeplabv3plus_swin_tiny_384',
    'poc59/upernet_convnext_tiny_384': 'poc59/upernet_maxvit_tiny_384',
}
# The domain-generalisation baseline is the demo as it is.
SAME_AS = {'poc6/unet_s_synthetic_160_baseline': 'demo/unet_s_synthetic_160'}


def test_every_experiment_config_is_trained():
    trained = {*RUNS, *OTHER_BACKBONE_OF, *SAME_AS}
    assert sorted(trained) == EXPERIMENT_CONFIGS  # a new config needs a run or a line above
    assert set(OTHER_BACKBONE_OF.values()) | set(SAME_AS.values()) <= set(RUNS)


@pytest.mark.parametrize('config, trained', OTHER_BACKBONE_OF.items())
def test_equals_a_run_config_but_for_the_backbone(config, trained, configs):
    # Dataset, schedule, hooks, head and losses: all as the run trained them.
    assert without_backbone(configs[config]) == without_backbone(configs[trained])


@pytest.mark.parametrize('config, trained', SAME_AS.items())
def test_equals_a_run_config(config, trained, configs):
    assert configs[config].to_dict() == configs[trained].to_dict()
