"""A trained model as others use it: one folder with its weights, config, scores and card.

``publish_model`` turns a work dir (or one of its checkpoints) into such a folder, as MMSeg's
``publish_model.py`` does for a checkpoint: ``<name>-<sha8>.pth`` (the weights without the
optimizer and message-hub state; the first 8 hex digits of its SHA-256 in the name),
``<name>.py`` (the config it was trained with), ``metrics.json`` (``ArtefactMetric``'s record
of its evaluation) and ``README.md`` (a model card with Hugging Face's metadata). The folder is
what ``push_to_hub`` uploads, and what ``find_published_model`` reads back, from disk or by
hub id from the Hugging Face cache.
"""
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

import torch
from mmengine.config import Config

from ..datasets.preparation import read_split
from ..engine import allow_safe_checkpoint_globals, slim_checkpoint
from ..evaluation.run_results import load_run, read_metrics
from ..utils import write_json_atomic, write_text_atomic
from ..utils.atomic_files import PARTIAL_MARK
from ..visualization.model_card import run_model_card
from .config_summary import summarise_config
from .hub_cache import hub_snapshot, is_hub_id

PathLike = Union[str, os.PathLike]
PUBLISHED_CHECKPOINT = re.compile(r'^(?P<name>.+)-(?P<sha256>[0-9a-f]{8})\.pth$')


@dataclass
class PublishedModel:
    """The files of a published model.

    Attributes:
        folder (Path): The folder.
        config (Path): Its config (the only ``*.py``).
        checkpoint (Path): Its weights (the only ``*.pth``).
        metrics (Path, optional): Its ``metrics.json``.
    """
    folder: Path
    config: Path
    checkpoint: Path
    metrics: Optional[Path] = None

    @property
    def name(self) -> str:
        """The name it was published under (the checkpoint's name without the hash)."""
        match = PUBLISHED_CHECKPOINT.match(self.checkpoint.name)
        return match['name'] if match else self.checkpoint.stem

    @classmethod
    def from_folder(cls, folder: PathLike) -> 'PublishedModel':
        """Read a published model's folder.

        Raises:
            FileNotFoundError: No such folder.
            ValueError: It does not hold exactly one config and one checkpoint.
        """
        folder = Path(folder)
        if not folder.is_dir():
            raise FileNotFoundError(f'{folder}: no such folder')
        configs, checkpoints = sorted(folder.glob('*.py')), sorted(folder.glob('*.pth'))
        if len(configs) != 1 or len(checkpoints) != 1:
            raise ValueError(f'{folder}: not a published model: it needs one config (*.py) and '
                             f'one checkpoint (*.pth), it has {len(configs)} and '
                             f'{len(checkpoints)}')
        metrics = folder / 'metrics.json'
        return cls(folder, configs[0], checkpoints[0], metrics if metrics.is_file() else None)


def find_published_model(model: PathLike, download: bool = False) -> PublishedModel:
    """A published model by its folder or by its Hugging Face hub id (``org/name``).

    Args:
        model (str | Path): A published folder, or a hub id. A hub id is read from the Hugging
            Face cache; with ``download`` it is fetched into the cache when missing.
        download (bool): Fetch a hub id that is not cached. Defaults to False.

    Raises:
        FileNotFoundError: No such folder and, for a hub id, not cached or not downloadable.
        ValueError: The folder is not a published model, or a file does not match the
            SHA-256 the hub published for it.
    """
    if is_hub_id(model):
        try:
            folder = hub_snapshot(str(model), download=download)
        except FileNotFoundError as error:
            raise FileNotFoundError(f'{error}; nor is there a folder of that name') from None
        return PublishedModel.from_folder(folder)
    return PublishedModel.from_folder(model)


def is_config_file(model: PathLike) -> bool:
    """Whether ``model`` names a config file (``.py``) rather than a published model."""
    return Path(model).suffix == '.py'


def config_and_checkpoint(model, checkpoint: Optional[PathLike] = None,
                          download: bool = False) -> tuple:
    """``(config, checkpoint)`` of a model given as MMSeg's APIs take it (a config and its
    checkpoint) or as a published model (a folder or hub id, without a checkpoint).

    Raises:
        FileNotFoundError, ValueError: As :func:`find_published_model`.
    """
    if checkpoint is None and isinstance(model, (str, os.PathLike)) and \
            not is_config_file(model):
        published = find_published_model(model, download=download)
        return str(published.config), str(published.checkpoint)
    return model, checkpoint


def publish_model(source: PathLike, out_dir: PathLike, name: Optional[str] = None,
                  metrics: Optional[PathLike] = None) -> PublishedModel:
    """Publish a trained run: its checkpoint without training state, config, scores and card.

    Args:
        source (str | Path): A work dir (its best checkpoint, else the last) or a checkpoint
            in a work dir.
        out_dir (str | Path): The folder to write; it must be new or empty. Written whole or
            not at all (it is assembled beside and renamed into place).
        name (str, optional): The model's name. Defaults to the config's name.
        metrics (str | Path, optional): The ``metrics.json`` to publish. Defaults to the
            newest in the work dir, so test the checkpoint first
            (``tools/test.py CONFIG CHECKPOINT --work-dir WORK_DIR``).

    Returns:
        PublishedModel: The published folder's files.

    Raises:
        FileNotFoundError: No such work dir or checkpoint, no checkpoint or no
            ``metrics.json`` in the work dir.
        ValueError: A file cannot be read, or ``out_dir`` is not empty.
    """
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(f'{source}: no such work dir or checkpoint')
    work_dir = source if source.is_dir() else source.parent
    run = load_run(work_dir)
    checkpoint = source if source.is_file() else run.checkpoint
    if checkpoint is None:
        raise FileNotFoundError(f'{source}: no checkpoint in this work dir (neither a '
                                'best_*.pth nor one named by last_checkpoint)')
    metrics_path = Path(metrics) if metrics else run.metrics_path
    if metrics_path is None or not metrics_path.is_file():
        raise FileNotFoundError(f'{metrics_path or work_dir}: no metrics.json; test the '
                                f'checkpoint first: python tools/test.py CONFIG {checkpoint} '
                                f'--work-dir {work_dir}')
    record = read_metrics(metrics_path)
    meta = _checkpoint_meta(checkpoint)
    if meta.get('cfg'):
        cfg_text = meta['cfg']
    elif run.config is not None:
        cfg_text = run.config.read_text()
    else:
        raise ValueError(f'{checkpoint}: names no config, and {work_dir} holds none')
    cfg = Config.fromstring(cfg_text, '.py')
    config_file = (record.get('provenance') or {}).get('config_file')
    name = name or Path(config_file or run.config or work_dir.resolve()).stem
    summary = summarise_config(cfg, name)

    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ValueError(f'{out_dir}: not empty; publish into a new folder')
    partial = out_dir.with_name(f'.{out_dir.name}{PARTIAL_MARK}{os.getpid()}')
    try:
        shutil.rmtree(partial, ignore_errors=True)
        digest = slim_checkpoint(checkpoint, partial / f'{name}.pth')
        published = partial / f'{name}-{digest[:8]}.pth'
        os.replace(partial / f'{name}.pth', published)
        write_text_atomic(partial / f'{name}.py', cfg_text)
        write_json_atomic(partial / 'metrics.json', record)
        write_text_atomic(partial / 'README.md', run_model_card(
            name, summary, record, published.name, digest, iteration=meta.get('iter'),
            split=record.get('split'), training_images=_training_images(record)))
        if out_dir.exists():
            out_dir.rmdir()  # empty, checked above
        os.replace(partial, out_dir)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return PublishedModel.from_folder(out_dir)


def push_to_hub(folder: PathLike, repo_id: str, private: bool = False) -> str:
    """Upload a published folder to a Hugging Face hub model repository (created if needed).

    Needs the internet and a token (``hf auth login`` or ``HF_TOKEN``).

    Returns:
        str: The repository's URL.

    Raises:
        OSError: The hub could not be reached, refused the token or the upload.
    """
    from huggingface_hub import HfApi
    published = PublishedModel.from_folder(folder)
    api = HfApi()
    url = api.create_repo(repo_id, exist_ok=True, private=private)
    api.upload_folder(folder_path=str(published.folder), repo_id=repo_id,
                      commit_message=f'Publish {published.checkpoint.name}')
    return str(url)


def _training_images(record: dict) -> Optional[int]:
    info = ((record.get('provenance') or {}).get('splits') or {}).get('train') or {}
    try:
        return len(read_split(info['file']))
    except (OSError, KeyError, TypeError):
        return None


def _checkpoint_meta(checkpoint: Path) -> dict:
    """A checkpoint's ``meta`` (config text, iteration), read with the safe loader."""
    allow_safe_checkpoint_globals()
    try:
        state = torch.load(checkpoint, map_location='cpu', weights_only=True)
    except Exception as error:  # torch raises several types for a bad or unsafe file
        raise ValueError(f'{checkpoint}: not a checkpoint that loads safely ({error})') \
            from None
    if not isinstance(state, dict) or 'state_dict' not in state:
        raise ValueError(f'{checkpoint}: not an MMEngine checkpoint (no state_dict)')
    return state.get('meta') or {}
