import hashlib
import importlib.util
import logging
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Callable, Dict

import pytest
from filelock import FileLock
from hypothesis import settings
from mmengine.config import Config
from mmengine.logging import MMLogger

from mmseg_heritage.utils.data_config import LOADERS, set_data_root

# `make test` must give the same result every run: property tests draw their examples from a
# fixed seed (derandomize) and keep no example database. `make test-properties` explores with
# fresh random examples and many more of them (HYPOTHESIS_PROFILE=explore).
settings.register_profile('repeatable', derandomize=True, database=None, deadline=None,
                          max_examples=30)
settings.register_profile('explore', deadline=None, max_examples=1000)
settings.load_profile(os.environ.get('HYPOTHESIS_PROFILE', 'repeatable'))

from mmseg_heritage.utils.cpu_threads import usable_cpus

# Under pytest-xdist (make test), the CPUs are shared among the workers: each, and the tools it
# starts, takes its share of threads rather than all of them.
if os.environ.get('PYTEST_XDIST_WORKER_COUNT'):
    os.environ.setdefault('OMP_NUM_THREADS', str(
        max(1, usable_cpus() // int(os.environ['PYTEST_XDIST_WORKER_COUNT']))))
    import torch
    torch.set_num_threads(int(os.environ['OMP_NUM_THREADS']))


def pytest_xdist_auto_num_workers(config):
    """``-n auto``: one worker per CPU this process may use (a container's quota, not the
    host's count), at most 4 (each holds a few models in memory)."""
    return min(4, usable_cpus())

REPO = Path(__file__).resolve().parents[1]
TEST_HOOKS = REPO / 'tests/test_tools'  # kill_hook.py, rank_weights_hook.py
DEMO_CONFIG = REPO / 'configs/demo/unet_s_synthetic_160.py'
PYTHON = sys.executable  # the virtualenv's interpreter
# Loading in the tool's own process: no worker processes to start on these few tiny images.
IN_PROCESS_LOADING = [*(f'{loader}.num_workers=0' for loader in LOADERS),
                      *(f'{loader}.persistent_workers=False' for loader in LOADERS)]


def load_tool(path: Path) -> ModuleType:
    """A tool's script as a module, to call its ``main(argv)`` or helpers in this process."""
    spec = importlib.util.spec_from_file_location(f'tool_{path.stem}', path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as for an imported module (dataclasses look it up)
    spec.loader.exec_module(module)
    return module


def run_main(tool: Path, *args, capsys=None, env=None) -> subprocess.CompletedProcess:
    """A tool's ``main()`` called in this process with ``args`` as its command line
    (``sys.argv``, which our tools and MMSeg's read), its exit status and (with pytest's
    ``capsys`` or ``capfd``) its output given back as ``subprocess.run`` gives a process's: a
    ``SystemExit`` (argparse's errors) gives its code, ``None`` 0. ``env``: the environment
    during the call (``os.environ``, which the processes it starts inherit). What the tools set
    in ``os.environ`` (LOCAL_RANK; MMEngine the threads of OpenMP and MKL) is undone."""
    argv = [str(arg) for arg in args]
    saved_argv, saved_env = sys.argv, dict(os.environ)
    sys.argv = [str(tool), *argv]
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    try:
        returncode = load_tool(tool).main()
    except SystemExit as exit_:  # argparse's errors, and tools that exit
        returncode = exit_.code
    finally:
        sys.argv = saved_argv
        os.environ.clear()
        os.environ.update(saved_env)
    captured = capsys.readouterr() if capsys else None
    return subprocess.CompletedProcess([str(tool), *argv], returncode or 0,
                                       captured and captured.out, captured and captured.err)


def newest_log(work_dir) -> str:
    """The log of a work dir's newest run (MMEngine's ``<timestamp>/<timestamp>.log``), or ''."""
    logs = sorted(Path(work_dir).glob('*/*.log'), key=lambda path: path.stat().st_mtime)
    return logs[-1].read_text() if logs else ''


def data_root_options(data_root, config: Path = DEMO_CONFIG) -> list:
    """``--cfg-options`` that point ``config`` at ``data_root`` as ``set_data_root`` does, for
    tools without ``--data-root`` (MMSeg's own): every value it changes, by its key."""
    cfg = Config.fromfile(config, import_custom_modules=False)
    before = dict(_leaves(cfg.to_dict()))
    moved = dict(_leaves(set_data_root(cfg, str(data_root)).to_dict()))
    return [f'{key}={value}' for key, value in moved.items() if before.get(key) != value]


def _leaves(node, prefix: str = ''):
    """(dotted key, value) of every value in a config; list items by index."""
    items = node.items() if isinstance(node, dict) else (
        enumerate(node) if isinstance(node, (list, tuple)) else None)
    if items is None:
        yield prefix, node
        return
    for key, value in items:
        yield from _leaves(value, f'{prefix}.{key}' if prefix else str(key))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def tool_env(**variables) -> dict:
    """Environment for the tools: the venv's python first, no leftover distributed settings,
    and the test hooks of tests/test_tools importable by configs."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith('SLURM_') and name not in
           ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR', 'MASTER_PORT')}
    env.update(PATH=f'{Path(PYTHON).parent}{os.pathsep}{env["PATH"]}', PYTHON=PYTHON,
               PYTHONHASHSEED='0', PYTHONPATH=str(TEST_HOOKS), **variables)
    return env


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


def made_once(tmp_path_factory, name: str, make: Callable[[Path], Path]) -> Path:
    """What ``make(folder)`` returns, made once per test run: under pytest-xdist the first
    worker to ask makes it in the run's folder (above the workers' own) while holding a lock,
    and the others wait for it and share it. Tests must leave it as it is (copy to change)."""
    if 'PYTEST_XDIST_WORKER' not in os.environ:
        return make(tmp_path_factory.mktemp(name))
    run_dir = tmp_path_factory.getbasetemp().parent
    made = run_dir / f'{name}.made'  # holds the path, written once the folder is complete
    with FileLock(str(run_dir / f'{name}.lock')):
        if not made.exists():
            folder = run_dir / name
            shutil.rmtree(folder, ignore_errors=True)  # left by a worker that failed
            folder.mkdir()
            made.write_text(str(make(folder)))
    return Path(made.read_text())


@pytest.fixture(scope='session')
def synthetic_root(tmp_path_factory):
    """A small synthetic dataset shared by the tests (it is deterministic)."""
    from mmseg_heritage.datasets.preparation import generate_synthetic_dataset
    return made_once(tmp_path_factory, 'synthetic', lambda folder: generate_synthetic_dataset(
        folder, num_images=16, size=64, seed=1))


def stock_mmseg_tool(name: str) -> Path:
    """Path of one of the tools MMSeg ships inside its installed package."""
    import mmseg
    return Path(mmseg.__file__).parent / '.mim' / 'tools' / name


def run_stock_tool(tool: str, work_dir, data_root, *args, options=(),
                   in_process: bool = False) -> subprocess.CompletedProcess:
    """Run one of MMSeg's own tools on the demo config with our data and in-process loading.

    ``args`` go before ``--cfg-options``; ``options`` are extra config overrides.
    """
    return run_config_tool(stock_mmseg_tool(tool), work_dir, data_root, *args, options=options,
                           in_process=in_process)


def run_config_tool(tool: Path, work_dir, data_root, *args, options=(),
                    in_process: bool = False) -> subprocess.CompletedProcess:
    """Run a tool that takes a config first (ours or MMSeg's) on the demo config with our data
    and in-process loading; ``args`` go before ``--cfg-options``.

    As a process, or ``in_process`` (quicker: a process takes seconds to import MMSeg) by
    :func:`run_main`; then the output given back is the log the run wrote (the newest in
    ``work_dir``).
    """
    argv = [str(DEMO_CONFIG), *args, '--work-dir', str(work_dir), '--cfg-options',
            *data_root_options(data_root), *IN_PROCESS_LOADING, *options]
    if in_process:
        result = run_main(tool, *argv)
        assert result.returncode == 0, result.returncode
        result.stdout, result.stderr = newest_log(work_dir), ''
        return result
    result = subprocess.run([sys.executable, str(tool), *argv], capture_output=True, text=True,
                            cwd=work_dir.parent, env={**os.environ, 'PYTHONHASHSEED': '0'})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return result


def run_stock_train(work_dir, data_root, iters: int, *flags, options=(),
                    in_process: bool = False) -> subprocess.CompletedProcess:
    """Run MMSeg's own tools/train.py, shrunk to a few small iterations."""
    return run_stock_tool(
        'train.py', work_dir, data_root, *flags,
        options=[f'train_cfg.max_iters={iters}', 'train_cfg.val_interval=2',
                 'default_hooks.checkpoint.interval=2', 'default_hooks.logger.interval=1',
                 'train_dataloader.batch_size=2', *options], in_process=in_process)


@pytest.fixture(scope='session')
def trained_work_dir(tmp_path_factory, synthetic_root):
    """A work dir written by stock MMSeg train.py: 4 iterations, checkpoints at 2 and 4.
    Shared by the whole run: copy it to write into it."""
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


def add_to_hub_cache(cache: Path, repo_id: str, files: Dict[str, Path],
                     commit: str = '0123456789abcdef0123456789abcdef01234567') -> Path:
    """Lay files out in a Hugging Face cache as ``hf download`` does; return the snapshot.

    ``models--ORG--NAME/blobs/<etag>`` holds each file, ``snapshots/<commit>/<name>`` links to
    it and ``refs/main`` names the commit. Weights (``.pth``, ``.safetensors``) are LFS files,
    whose etag is their SHA-256; other files are kept in git, etag their git blob hash.
    """
    repo = cache / ('models--' + repo_id.replace('/', '--'))
    snapshot = repo / 'snapshots' / commit
    for name, source in files.items():
        data = Path(source).read_bytes()
        if name.endswith(('.pth', '.safetensors')):
            etag = hashlib.sha256(data).hexdigest()
        else:
            etag = hashlib.sha1(b'blob %d\0' % len(data) + data).hexdigest()
        blob = repo / 'blobs' / etag
        blob.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, blob)
        link = snapshot / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blob, link.parent))
    (repo / 'refs').mkdir(exist_ok=True)
    (repo / 'refs' / 'main').write_text(commit)
    return snapshot
