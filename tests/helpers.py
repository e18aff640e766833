"""What the tests share besides fixtures (those are in conftest.py): the repository's paths,
running tools in this process or as processes, reading what they wrote, looking at pages in the
browser, and the shared data made once per run. Tests import it by name
(``from helpers import ...``): pytest.ini puts tests/ on the import path."""
import contextlib
import csv
import hashlib
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Callable, Dict, Optional, Sequence

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from filelock import FileLock
from mmengine.config import Config

from mmseg_heritage.apis import logit_bands
from mmseg_heritage.benchmarks.collection_memory import serve_folder
from mmseg_heritage.class_names import CLASSES, PALETTE
from mmseg_heritage.evaluation.metrics.artefact_metric import SCHEMA_VERSION
from mmseg_heritage.utils.data_config import LOADERS, set_data_root

REPO = Path(__file__).resolve().parents[1]
TEST_HOOKS = REPO / 'tests/test_tools'  # kill_hook.py, rank_weights_hook.py
DEMO_CONFIG = REPO / 'configs/demo/unet_s_synthetic_160.py'
# The starter model's name: its config in configs/starter/, its files in checkpoints/starter/.
STARTER_NAME = 'unet_efficientnet_lite0_photo_damage_320'
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
    in ``os.environ`` (LOCAL_RANK; MMEngine the threads of OpenMP and MKL) and torch's thread
    count (``--threads``) are undone."""
    argv = [str(arg) for arg in args]
    saved_argv, saved_env, saved_threads = sys.argv, dict(os.environ), torch.get_num_threads()
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
        torch.set_num_threads(saved_threads)
    captured = capsys.readouterr() if capsys else None
    return subprocess.CompletedProcess([str(tool), *argv], returncode or 0,
                                       captured and captured.out, captured and captured.err)


def read_mask(path) -> np.ndarray:
    """A mask (or any image) as stored, class ids as they are; fails where it cannot be read
    (OpenCV returns None for a missing or corrupt file)."""
    mask = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    assert mask is not None, f'{path}: missing or not an image'
    return mask


def winning_margin(scores) -> np.ndarray:
    """How far each pixel's winning score leads the runner-up: C x H x W scores (a model's
    logits, or a head's scores) to H x W."""
    top = torch.as_tensor(scores).float().topk(2, dim=0).values
    return (top[0] - top[1]).numpy()


def tiled_scores(inferencer, image: np.ndarray) -> torch.Tensor:
    """The scores (C x H x W) whose argmax ``inferencer.predict(image)`` takes, computed in
    this process: its tiles, and a resize back to the image's size where its test pipeline
    resized the image (as ``predict_labels`` resizes them)."""
    inputs = inferencer.pipeline(image)['inputs']
    bands = logit_bands(inferencer.model, inputs, inferencer.tile_size, inferencer.tile_stride,
                        inferencer.batch_size)
    # Each band is a view of a buffer the next one is summed in: copied as it comes.
    scores = torch.cat([band.clone() for _, band in bands], dim=1)
    if tuple(scores.shape[-2:]) != image.shape[:2]:
        scores = F.interpolate(scores[None], image.shape[:2], mode='bilinear',
                               align_corners=False)[0]
    return scores


def assert_labels_agree(labels, reference, margin, tolerance: float = 1e-3,
                        min_share: float = 0.999) -> None:
    """``labels`` of another backend, precision, thread count or process against
    ``reference``, as users are told to judge them: equal wherever the reference's winning
    score leads by more than ``tolerance`` (float rounding cannot flip those; near-ties may
    go either way), and equal in at least ``min_share`` of all pixels."""
    labels, reference = np.asarray(labels), np.asarray(reference)
    assert labels.shape == reference.shape == np.shape(margin)
    flipped = (margin > tolerance) & (labels != reference)
    assert not flipped.any(), (f'{int(flipped.sum())} pixels differ where the reference leads '
                               f'by more than {tolerance}')
    share = float((labels == reference).mean())
    assert share >= min_share, f'{100 * share:.3f} % of the labels equal'


def write_metrics(folder: Path, record: dict, matrix: Optional[Sequence[Sequence[int]]] = None,
                  classes: Sequence[str] = ('Clean', 'Damage')) -> Path:
    """A hand-made ``metrics.json`` in ``folder`` (ArtefactMetric's record, this schema version
    unless ``record`` names one) and, given ``matrix``, its ``confusion_matrix.csv`` of
    ``classes``, as a run writes them; returns ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / 'metrics.json').write_text(json.dumps({'schema_version': SCHEMA_VERSION, **record}))
    if matrix is not None:
        with open(folder / 'confusion_matrix.csv', 'w', newline='') as f:
            writer = csv.writer(f)
            writer.writerow(['ground truth \\ prediction', *classes])
            rows = np.asarray(matrix).tolist()
            writer.writerows([name, *row] for name, row in zip(classes, rows))
    return folder


def run_process(command, cwd=None, env=None) -> subprocess.CompletedProcess:
    """A command as a process (its arguments as strings), its output captured as text."""
    return subprocess.run([str(part) for part in command], capture_output=True, text=True,
                          cwd=cwd, env=env)


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


@contextlib.contextmanager
def served_folder(folder: Path):
    """Serve ``folder`` over HTTP on 127.0.0.1 (pages that fetch, which file:// pages may not)
    while the block runs; yields its URL, ending in '/'."""
    with serve_folder(folder) as url:
        yield url + '/'


def wait_until(browser, script: str, seconds: float = 20):
    """Run ``script`` in the page until it returns something true; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not browser.execute_script(script):
        assert time.monotonic() < deadline, f'timed out waiting for: {script[:80]}'
        time.sleep(0.05)


def console_problems(browser, known=()) -> list:
    """The errors and warnings in the browser's console since last asked, but those whose
    message holds one of ``known``."""
    return [entry for entry in browser.get_log('browser')
            if entry['level'] in ('SEVERE', 'WARNING')
            and not any(text in entry['message'] for text in known)]


def tinted(picture: np.ndarray, class_name: str) -> int:
    """Pixels of a BGR picture in the hue of a class colour, clearly coloured (scans in the
    tests are grey)."""
    colour = np.uint8([[PALETTE[CLASSES.index(class_name)][::-1]]])  # BGR
    hue = int(cv2.cvtColor(colour, cv2.COLOR_BGR2HSV)[0, 0, 0])
    hsv = cv2.cvtColor(picture, cv2.COLOR_BGR2HSV).astype(int)
    distance = np.abs(hsv[..., 0] - hue)
    return int(((np.minimum(distance, 180 - distance) <= 6) & (hsv[..., 1] > 80)).sum())


def tool_env(**variables) -> dict:
    """Environment for the tools: the venv's python first, no leftover distributed settings,
    and the test hooks of tests/test_tools importable by configs."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith('SLURM_') and name not in
           ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR', 'MASTER_PORT')}
    env.update(PATH=f'{Path(PYTHON).parent}{os.pathsep}{env["PATH"]}', PYTHON=PYTHON,
               PYTHONHASHSEED='0', PYTHONPATH=str(TEST_HOOKS), **variables)
    return env

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
