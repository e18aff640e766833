"""MMEngine's toy runner for the engine tests: hooks and optimiser wrappers trained in-process."""
import pytest
from mmengine.testing import RunnerTestCase
from mmseg.utils import register_all_modules

import mmseg_heritage  # noqa: F401  registers the hooks, as the configs' custom_imports do


@pytest.fixture
def runner_case():
    """MMEngine's RunnerTestCase, set up: its toy model, data and metric, an iteration-based
    config (``iter_based_cfg``, 12 iterations, work_dir in a temporary folder) and
    ``build_runner``, with the loggers, message hubs and registries it leaves cleaned up."""
    case = RunnerTestCase()
    case.setUp()
    # As the project's configs: our hooks are in mmseg's registry, the toy parts in its parent.
    case.iter_based_cfg.default_scope = 'mmseg'
    yield case
    case.tearDown()
    register_all_modules(init_default_scope=True)  # tearDown drops every default scope
