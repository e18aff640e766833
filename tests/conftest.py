"""The suite's fixtures, its settings for Hypothesis and pytest-xdist; what tests import by
name (paths, tool runners, readers) is in helpers.py."""
import logging
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# The heavy imports (torch, MMSeg, the package, helpers.py) are in the fixtures and the
# workers' branch below: pytest-xdist's controlling process loads this file too, before it
# starts the workers, and would spend ~10 s importing what only the workers use.

# `make test` must give the same result every run: property tests draw their examples from a
# fixed seed (derandomize) and keep no example database. `make test-properties` explores with
# fresh random examples and many more of them (HYPOTHESIS_PROFILE=explore).
settings.register_profile('repeatable', derandomize=True, database=None, deadline=None,
                          max_examples=30)
settings.register_profile('explore', deadline=None, max_examples=1000)
settings.load_profile(os.environ.get('HYPOTHESIS_PROFILE', 'repeatable'))

# Under pytest-xdist (make test), the CPUs are shared among the workers: each, and the tools it
# starts, takes its share of threads rather than all of them.
if os.environ.get('PYTEST_XDIST_WORKER_COUNT'):
    from mmseg_heritage.utils.cpu_threads import usable_cpus
    os.environ.setdefault('OMP_NUM_THREADS', str(
        max(1, usable_cpus() // int(os.environ['PYTEST_XDIST_WORKER_COUNT']))))
    import torch
    torch.set_num_threads(int(os.environ['OMP_NUM_THREADS']))


def pytest_xdist_auto_num_workers(config):
    """``-n auto``: one worker per CPU this process may use (a container's quota, not the
    host's count), at most 4 (each holds a few models in memory)."""
    from mmseg_heritage.utils.cpu_threads import usable_cpus
    return min(4, usable_cpus())


@pytest.fixture(autouse=True)
def no_run_logs_of_other_tests():
    """MMEngine hands out the logger and message hub first built under a name, and a run's
    name is its config's and the second it started: a test's run in this process would log
    into an earlier test's file if both started in the same second. Each test starts with
    none of another test's."""
    yield
    from mmengine.logging import MessageHub, MMLogger
    for manager in (MMLogger, MessageHub):
        manager._instance_dict.clear()


@pytest.fixture(scope='session', autouse=True)
def mmseg_scope():
    """Build components from the mmseg registries, as MMSeg's runner does."""
    from mmseg.utils import register_all_modules
    register_all_modules(init_default_scope=True)


@pytest.fixture(scope='session')
def browser():
    """Headless Chromium through its driver; in CI a missing browser is a failure."""
    chromium = shutil.which('chromium') or shutil.which('chromium-browser')
    driver = shutil.which('chromedriver')
    if not (chromium and driver):
        message = 'Chromium and chromedriver are needed (tools/install_env.sh installs them)'
        if os.environ.get('CI'):
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ('--headless=new', '--no-sandbox', '--disable-gpu',
                     '--disable-dev-shm-usage', '--window-size=1280,2000'):
        options.add_argument(argument)
    options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    yield chrome
    chrome.quit()


@pytest.fixture(scope='session')
def synthetic_root(tmp_path_factory):
    """A small synthetic dataset shared by the tests (it is deterministic)."""
    from mmseg_heritage.datasets.preparation import generate_synthetic_dataset
    from helpers import made_once
    return made_once(tmp_path_factory, 'synthetic', lambda folder: generate_synthetic_dataset(
        folder, num_images=16, size=64, seed=1))


@pytest.fixture(scope='session')
def trained_work_dir(tmp_path_factory, synthetic_root):
    """A work dir written by stock MMSeg train.py: 4 iterations, checkpoints at 2 and 4.
    Shared by the whole run: copy it to write into it."""
    from helpers import made_once, run_stock_train

    def train(folder: Path) -> Path:
        work_dir = folder / 'demo'
        work_dir.mkdir()
        # A process: in this one, the runner would reuse the visualizer (and its log
        # folder) of an earlier test's run, and the scalars and tensorboard events go there.
        run_stock_train(work_dir, synthetic_root, 4)
        return work_dir
    return made_once(tmp_path_factory, 'run', train)


@pytest.fixture
def slurm_stand_ins(tmp_path):
    """``srun`` and ``scontrol`` stand-ins first on PATH; they record their arguments.

    srun runs its command as ``--ntasks`` local processes with Slurm's variables set.
    """
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    (bin_dir / 'srun').write_text(f"""#!/usr/bin/env bash
printf '%s\\n' "$@" > {tmp_path}/srun_args
ntasks=1
while [[ $# -gt 0 ]]; do
    case $1 in
        -p) shift 2 ;;
        --ntasks=*) ntasks=${{1#--ntasks=}}; shift ;;
        --job-name=*) export SLURM_JOB_NAME=${{1#--job-name=}}; shift ;;
        -*) shift ;;
        *) break ;;
    esac
done
pids=()
for ((rank = 0; rank < ntasks; rank++)); do
    SLURM_PROCID=$rank SLURM_LOCALID=$rank SLURM_NTASKS=$ntasks SLURM_NODELIST=node-[1] "$@" &
    pids+=($!)
done
status=0
for pid in "${{pids[@]}}"; do wait "$pid" || status=$?; done
exit $status
""")
    (bin_dir / 'scontrol').write_text(f"""#!/usr/bin/env bash
echo "$@" >> {tmp_path}/scontrol_args
echo 127.0.0.1
""")
    for script in bin_dir.iterdir():
        script.chmod(0o755)
    from helpers import free_port, tool_env
    port = free_port()
    env = tool_env(GPUS='2', GPUS_PER_NODE='2', CPUS_PER_TASK='1', MASTER_PORT=str(port),
                   SRUN_ARGS='--time=5 --qos=debug')
    env['PATH'] = f'{bin_dir}{os.pathsep}{env["PATH"]}'
    return env, tmp_path


@pytest.fixture
def warnings_logged():
    """Messages of the warnings and errors logged through MMEngine's current logger."""
    records = []

    class Collect(logging.Handler):

        def emit(self, record):
            records.append(record)

    from mmengine.logging import MMLogger
    logger = MMLogger.get_current_instance()
    handler = Collect(level=logging.WARNING)
    logger.addHandler(handler)
    yield lambda: [record.getMessage() for record in records]
    logger.removeHandler(handler)


@pytest.fixture
def hub_cache(tmp_path, monkeypatch):
    """An empty Hugging Face cache, offline: HF_HUB_CACHE and HF_HUB_OFFLINE=1 for the tools
    run as processes, and huggingface_hub's constants (it reads them when imported) for the
    code run here. torch's hub cache (TORCH_HOME) moves beside it."""
    import huggingface_hub.constants
    cache = tmp_path / 'hf_cache'
    cache.mkdir()
    monkeypatch.setenv('HF_HUB_CACHE', str(cache))
    monkeypatch.setenv('HF_HUB_OFFLINE', '1')
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    monkeypatch.setattr(huggingface_hub.constants, 'HF_HUB_CACHE', str(cache))
    monkeypatch.setattr(huggingface_hub.constants, 'HF_HUB_OFFLINE', True)
    return cache


