"""Leak-free splits by image, written as id lists under ``splits/``.

Units of splitting are *source* images: an augmented copy (``source_id`` naming another image)
always follows its source, and only into a training part - validation and test parts hold
original images only. Written by the converter and the synthetic generator::

    splits/train.txt, val.txt, test.txt        stratified by material, fixed seed
    splits/lomo/<material>/{train,val,test}.txt       leave one material out
    splits/locontent/<content>/{train,val,test}.txt   leave one content type out
    splits/splits.json                         seed, ratios and the folds, for tools
"""
import glob
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from ...utils import write_json_atomic, write_text_atomic
from ..metadata import slug

SPLIT_PARTS = ('train', 'val', 'test')
DEFAULT_RATIOS = (0.7, 0.15, 0.15)
# Fold protocols of the ARTeFACT paper: protocol name -> metadata column held out.
FOLD_PROTOCOLS = {'lomo': 'material', 'locontent': 'content'}


def read_split(path: Union[str, Path]) -> List[str]:
    """Ids listed in a split file, one per line (blank lines and ``#`` comments skipped)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'{path}: split file not found')
    ids = [line.strip() for line in path.read_text().splitlines()]
    return [i for i in ids if i and not i.startswith('#')]


def split_files(root: Union[str, Path], split: str) -> List[Tuple[Path, Path]]:
    """(image, annotation) of every id of ``<root>/splits/<split>.txt``, in the file's order.

    Args:
        root (str | Path): A converted dataset (``images/``, ``annotations/``, ``splits/``).
        split (str): The split's name: 'train', 'val', 'test' or a fold's path such as
            'lomo/glass/test'.

    Raises:
        FileNotFoundError: No such split file, or an id without its image or annotation.
        ValueError: The split lists no ids.
    """
    root = Path(root)
    ids = read_split(root / 'splits' / f'{split}.txt')
    if not ids:
        raise ValueError(f'{root / "splits" / f"{split}.txt"}: the split lists no images')
    files = []
    for sample_id in ids:
        images = sorted((root / 'images').glob(f'{glob.escape(sample_id)}.*'))
        annotation = root / 'annotations' / f'{sample_id}.png'
        if not images:
            raise FileNotFoundError(f'{root / "images"}: no image of {sample_id!r} '
                                    f'(listed in splits/{split}.txt)')
        if not annotation.is_file():
            raise FileNotFoundError(f'{annotation}: annotation of {sample_id!r} not found')
        files.append((images[0], annotation))
    return files


def _with_copies(sources: Sequence[str], copies: Dict[str, List[str]]) -> List[str]:
    return [i for source in sources for i in (source, *copies.get(source, ()))]


def stratified_split(records: Sequence[Dict], ratios: Sequence[float] = DEFAULT_RATIOS,
                     seed: int = 0, by: str = 'material') -> Dict[str, List[str]]:
    """Split records into train / val / test by source image, stratified by one column.

    Every stratum is spread over the parts in the given proportions (up to rounding), and the
    parts have exactly the given shares of all sources (up to rounding).

    Args:
        records: Metadata rows with ``id``, ``source_id`` and the ``by`` column.
        ratios: Shares of train, val and test; normalised to sum 1. Defaults to
            (0.7, 0.15, 0.15).
        seed (int): Shuffling seed. Defaults to 0.
        by (str): Column to stratify by. Defaults to ``'material'``.

    Returns:
        dict: ``{'train': ids, 'val': ids, 'test': ids}``; train also holds the augmented
        copies of its sources.
    """
    ratios = np.asarray(ratios, np.float64)
    if ratios.shape != (3, ) or (ratios < 0).any() or ratios.sum() <= 0:
        raise ValueError(f'split ratios must be three non-negative numbers, got {ratios}')
    boundaries = np.cumsum(ratios / ratios.sum())
    strata, copies = defaultdict(list), defaultdict(list)
    for record in records:
        if record['source_id'] == record['id']:
            strata[record[by]].append(record['id'])
        else:
            copies[record['source_id']].append(record['id'])
    # Each source gets its quantile within its shuffled stratum; ranking all sources by it and
    # cutting the ranking by the ratios spreads every stratum evenly over the parts and makes
    # the part sizes exact overall (cutting each small stratum alone rounds badly).
    rng = np.random.default_rng(seed)
    ranked = []
    for stratum in sorted(strata):
        sources = sorted(strata[stratum])
        rng.shuffle(sources)
        n = len(sources)
        ranked += [((j + 0.5) / n, rng.random(), source) for j, source in enumerate(sources)]
    ranked = [source for *_, source in sorted(ranked)]
    cuts = np.rint(boundaries * len(ranked)).astype(int)
    parts = {part: ranked[start:stop]
             for part, start, stop in zip(SPLIT_PARTS, (0, *cuts[:2]), cuts)}
    parts['train'] = _with_copies(parts['train'], copies)
    return {part: sorted(ids) for part, ids in parts.items()}


def leave_one_out_folds(records: Sequence[Dict], column: str, val_ratio: float = 0.15,
                        seed: int = 0) -> Dict[str, Dict[str, List[str]]]:
    """One fold per value of ``column``: that value's images are the test part.

    The other images are split into train and val, stratified by ``column``; augmented copies
    of held-out or validation images are left out.

    Returns:
        dict: value -> ``{'train': ids, 'val': ids, 'test': ids}``.
    """
    folds = {}
    for held_out in sorted({r[column] for r in records}):
        rest = [r for r in records if r[column] != held_out]
        parts = stratified_split(rest, (1 - val_ratio, val_ratio, 0.0), seed, by=column)
        parts['test'] = sorted(r['id'] for r in records
                               if r[column] == held_out and r['source_id'] == r['id'])
        folds[held_out] = parts
    return folds


def _write_parts(folder: Path, parts: Dict[str, List[str]]) -> None:
    for part, ids in parts.items():
        write_text_atomic(folder / f'{part}.txt', ''.join(f'{i}\n' for i in ids))


def write_splits(root: Union[str, Path], records: Sequence[Dict],
                 ratios: Sequence[float] = DEFAULT_RATIOS, seed: int = 0,
                 parts: Optional[Dict[str, List[str]]] = None) -> Dict:
    """Write the stratified split and both fold protocols under ``<root>/splits``.

    Args:
        parts (dict, optional): Train, val and test ids to write as they are instead of the
            stratified split (e.g. split by the photograph a synthetic scan was cut from).

    Returns:
        dict: The manifest also written to ``splits/splits.json``.
    """
    if not records:
        raise ValueError(f'{root}: no images to split')
    folder = Path(root) / 'splits'
    given = parts is not None
    parts = parts if given else stratified_split(records, ratios, seed)
    _write_parts(folder, parts)
    manifest = dict(seed=seed, ratios=list(ratios),
                    stratified_by='given' if given else 'material',
                    counts={part: len(ids) for part, ids in parts.items()}, folds={})
    for protocol, column in FOLD_PROTOCOLS.items():
        folds = leave_one_out_folds(records, column, val_ratio=ratios[1] / sum(ratios[:2]),
                                    seed=seed)
        manifest['folds'][protocol] = dict(column=column, folds={})
        for held_out, fold_parts in folds.items():
            fold_folder = Path(protocol) / slug(held_out)
            _write_parts(folder / fold_folder, fold_parts)
            manifest['folds'][protocol]['folds'][held_out] = dict(
                path=str(fold_folder), counts={p: len(i) for p, i in fold_parts.items()})
    write_json_atomic(folder / 'splits.json', manifest)
    return manifest

