"""What a training or test run left in its work dir, read back for plots, tables and reports.

MMEngine gives every run started in a work dir its own ``<timestamp>/`` folder; ``ArtefactMetric``
writes ``metrics.json`` and ``confusion_matrix.csv`` there, and the visualiser's
``vis_data/scalars.json`` holds the logged losses and validation scores. A resumed training is
spread over several such folders, so the scalars of all of them are merged.
"""
import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Tuple, Union

import numpy as np

from .metrics.artefact_metric import SCHEMA_VERSION

PathLike = Union[str, Path]
_TIMESTAMP = re.compile(r'^\d{8}_\d{6}$')


@dataclass
class RunResults:
    """The files of one work dir.

    Attributes:
        work_dir (Path): The work dir.
        name (str): Its folder name, used as the run's label.
        metrics (dict, optional): The newest ``metrics.json`` (schema in docs/metrics_schema.md).
        metrics_path (Path, optional): Where it was read from.
        confusion_classes (list[str]): Class names of the confusion matrix' rows and columns.
        confusion (np.ndarray, optional): Pixel counts, rows ground truth, columns prediction,
            from the ``confusion_matrix.csv`` beside ``metrics.json``.
        train_scalars (list[dict]): Logged training records (``iter``, ``loss``, ``lr``, ...)
            in iteration order.
        val_scalars (list[dict]): Logged validation records (``step`` is the iteration).
        config (Path, optional): The config MMEngine dumped into the work dir.
        checkpoint (Path, optional): The best checkpoint, else the last one.
    """
    work_dir: Path
    name: str
    metrics: Optional[dict] = None
    metrics_path: Optional[Path] = None
    confusion_classes: List[str] = field(default_factory=list)
    confusion: Optional[np.ndarray] = None
    train_scalars: List[dict] = field(default_factory=list)
    val_scalars: List[dict] = field(default_factory=list)
    config: Optional[Path] = None
    checkpoint: Optional[Path] = None


def run_folders(work_dir: PathLike) -> List[Path]:
    """The ``<timestamp>/`` folders of a work dir, oldest first."""
    return sorted(p for p in Path(work_dir).iterdir() if p.is_dir() and _TIMESTAMP.match(p.name))


def work_dir_of(path: PathLike) -> Path:
    """The work dir a result file belongs to: the folder above its ``<timestamp>/`` folder,
    else the file's own folder."""
    folder = Path(path).parent
    return folder.parent if _TIMESTAMP.match(folder.name) else folder


def read_metrics(path: PathLike) -> dict:
    """A ``metrics.json``, checked to be one ``ArtefactMetric`` wrote."""
    with open(path, 'rb') as f:
        try:
            record = json.load(f)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ValueError(f'{path}: not valid JSON ({error})') from None
    version = record.get('schema_version') if isinstance(record, dict) else None
    if not isinstance(version, int):
        raise ValueError(f'{path}: no schema_version; not a metrics.json written by ArtefactMetric')
    if version > SCHEMA_VERSION:
        raise ValueError(f'{path}: schema_version {version} is newer than this mmseg_heritage '
                         f'reads ({SCHEMA_VERSION}); upgrade mmseg_heritage')
    return record


def read_confusion_matrix(path: PathLike) -> Tuple[List[str], np.ndarray]:
    """Class names and pixel counts (rows ground truth, columns prediction) of a CSV."""
    try:
        with open(path, newline='') as f:
            rows = list(csv.reader(f))
    except UnicodeDecodeError:
        raise ValueError(f'{path}: not a confusion matrix written by ArtefactMetric (not text)') \
            from None
    try:
        classes = rows[0][1:]
        matrix = np.array([[int(v) for v in row[1:]] for row in rows[1:]], dtype=np.int64)
        if matrix.shape != (len(classes), len(classes)):
            raise ValueError(f'{matrix.shape[0]} rows for {len(classes)} classes')
    except (IndexError, ValueError) as error:
        raise ValueError(f'{path}: not a confusion matrix written by ArtefactMetric ({error})') \
            from None
    return classes, matrix


def read_scalars(path: PathLike) -> Tuple[List[dict], List[dict]]:
    """Training and validation records of a ``scalars.json`` (one JSON object per line)."""
    train, val = [], []
    with open(path, 'rb') as f:
        for line in f:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError):
                # A run killed mid-write leaves a cut last line; earlier lines are still good.
                continue
            if not isinstance(record, dict):
                continue
            if 'loss' in record and 'iter' in record:
                train.append(record)
            elif 'step' in record:
                val.append(record)
    return train, val


def _merge(records: List[dict], key: str) -> List[dict]:
    # A resumed run logs its iterations again from the checkpoint on; the newer record wins.
    return sorted({r[key]: r for r in records}.values(), key=lambda r: r[key])


def best_checkpoint(work_dir: PathLike) -> Optional[Path]:
    """The newest ``best_*.pth`` of a work dir, or None."""
    best = sorted(Path(work_dir).glob('best_*.pth'), key=lambda p: p.stat().st_mtime)
    return best[-1] if best else None


def last_checkpoint(work_dir: PathLike) -> Optional[Path]:
    """The checkpoint a work dir's ``last_checkpoint`` file names, or None."""
    work_dir = Path(work_dir)
    last = work_dir / 'last_checkpoint'
    if last.is_file():
        path = Path(last.read_text().strip())
        if path.is_file():
            return path
        if (work_dir / path.name).is_file():  # the work dir was moved since
            return work_dir / path.name
    return None


def load_run(work_dir: PathLike) -> RunResults:
    """Read what a run left in ``work_dir``; missing pieces stay ``None`` or empty.

    Raises:
        FileNotFoundError: ``work_dir`` is not a folder.
        ValueError: a file is there but cannot be read (the message names it).
    """
    work_dir = Path(work_dir)
    if not work_dir.is_dir():
        raise FileNotFoundError(f'{work_dir}: no such work dir')
    run = RunResults(work_dir=work_dir, name=work_dir.resolve().name)
    folders = run_folders(work_dir)
    train, val = [], []
    for folder in folders:
        scalars = folder / 'vis_data' / 'scalars.json'
        if scalars.is_file():
            t, v = read_scalars(scalars)
            train += t
            val += v
    run.train_scalars = _merge(train, 'iter')
    run.val_scalars = _merge(val, 'step')
    for folder in reversed(folders):
        if (folder / 'metrics.json').is_file():
            run.metrics_path = folder / 'metrics.json'
            run.metrics = read_metrics(run.metrics_path)
            if (folder / 'confusion_matrix.csv').is_file():
                run.confusion_classes, run.confusion = read_confusion_matrix(
                    folder / 'confusion_matrix.csv')
            break
    configs = sorted(work_dir.glob('*.py'), key=lambda p: p.stat().st_mtime)
    run.config = configs[-1] if configs else None
    run.checkpoint = best_checkpoint(work_dir) or last_checkpoint(work_dir)
    return run
