"""Leave-one-domain-out cross-validation: the folds of a dataset and the summary of their results.

A fold holds out one material (``lomo``) or content type (``locontent``): it is trained and
validated on the other images and tested on the held-out ones, with the split files the
converter writes (``splits/<protocol>/<fold>/{train,val,test}.txt``, listed in
``splits/splits.json``). The in-domain reference is the same config on the standard splits
(``splits/{train,val,test}.txt``). ``tools/cross_validate.py`` runs the folds; this module
finds them and summarises their test metrics (``metrics.json``, docs/metrics_schema.md).
"""
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Union

import numpy as np

from ..datasets.preparation.splits import FOLD_PROTOCOLS, SPLIT_PARTS
from .run_results import RunResults

PathLike = Union[str, Path]
# Headline scores of each fold, summarised over the folds (all in %, higher is better).
SCORES = ('mIoU', 'mDice', 'aAcc')
IN_DOMAIN = 'in_domain'


@dataclass(frozen=True)
class Fold:
    """One training and test run of a cross-validation.

    Attributes:
        held_out (str, optional): The held-out material or content type; None for the
            in-domain reference.
        name (str): Folder of the fold's runs in the cross-validation work dir (the held-out
            domain's folder name under ``splits/<protocol>/``).
        split_files (dict): ``train``, ``val``, ``test`` -> split file relative to the data
            root, as a dataset's ``ann_file``.
    """
    held_out: Optional[str]
    name: str
    split_files: Dict[str, str]


def _checked(data_root: Path, fold: Fold) -> Fold:
    for path in fold.split_files.values():
        if not (data_root / path).is_file():
            raise FileNotFoundError(f'{data_root / path}: split file not found; convert the '
                                    'dataset again to write the splits')
    return fold


def read_folds(data_root: PathLike, protocol: str) -> List[Fold]:
    """The folds of a protocol, from ``<data_root>/splits/splits.json``.

    Args:
        data_root (str | Path): The dataset folder (the configs' ``data_root``).
        protocol (str): ``'lomo'`` (leave one material out) or ``'locontent'`` (leave one
            content type out).

    Returns:
        list[Fold]: One fold per held-out domain, in the manifest's order.

    Raises:
        FileNotFoundError: No ``splits.json`` or a fold's split file is missing.
        ValueError: Unknown protocol, or a manifest without the protocol's folds.
    """
    if protocol not in FOLD_PROTOCOLS:
        raise ValueError(f'unknown protocol {protocol!r}; one of {", ".join(FOLD_PROTOCOLS)}')
    data_root = Path(data_root)
    manifest_path = data_root / 'splits' / 'splits.json'
    if not manifest_path.is_file():
        raise FileNotFoundError(f'{manifest_path}: not found; {data_root} has no fold splits '
                                '(the dataset converter and the synthetic generator write them)')
    try:
        folds = json.loads(manifest_path.read_text())['folds'][protocol]['folds']
    except (ValueError, KeyError, TypeError):
        raise ValueError(f'{manifest_path}: no {protocol} folds in it; convert the dataset '
                         'again to write them') from None
    if not folds:
        raise ValueError(f'{manifest_path}: the {protocol} protocol has no folds')
    return [_checked(data_root, Fold(held_out, Path(entry['path']).name,
                                     {part: f"splits/{entry['path']}/{part}.txt"
                                      for part in SPLIT_PARTS}))
            for held_out, entry in folds.items()]


def in_domain_fold(data_root: PathLike) -> Fold:
    """The in-domain reference: the standard ``splits/{train,val,test}.txt``.

    Raises:
        FileNotFoundError: A split file is missing.
    """
    return _checked(Path(data_root), Fold(None, IN_DOMAIN,
                                          {part: f'splits/{part}.txt' for part in SPLIT_PARTS}))


def select_folds(folds: Sequence[Fold], names: Optional[Sequence[str]]) -> List[Fold]:
    """The folds named, in the order given; all of them for no names.

    A fold is named by its held-out domain (``'Lime plaster'``, any case) or its folder name
    (``'lime_plaster'``).

    Raises:
        ValueError: A name matches no fold (the message lists the folds).
    """
    if not names:
        return list(folds)
    by_name = {}
    for fold in folds:
        by_name[fold.held_out.casefold()] = by_name[fold.name.casefold()] = fold
    unknown = [name for name in names if name.casefold() not in by_name]
    if unknown:
        raise ValueError(f'unknown fold {", ".join(map(repr, unknown))}; the folds are: '
                         + ', '.join(f'{fold.held_out!r} ({fold.name})' for fold in folds))
    selected = []
    for name in names:
        if by_name[name.casefold()] not in selected:
            selected.append(by_name[name.casefold()])
    return selected


def fold_scores(run: RunResults) -> dict:
    """The headline scores and per-class IoU of a test run's ``metrics.json``.

    Returns:
        dict: ``work_dir``, ``metrics_file``, ``num_images``, ``mIoU``, ``mDice``, ``aAcc``
        and ``IoU`` (class name -> IoU, None for a class absent from the test images).

    Raises:
        ValueError: The run has no ``metrics.json``.
    """
    if run.metrics is None:
        raise ValueError(f'{run.work_dir}: no metrics.json in the work dir; test the fold first')
    overall = run.metrics['overall']
    return dict(work_dir=str(run.work_dir), metrics_file=str(run.metrics_path),
                num_images=run.metrics['num_images'],
                **{score: overall[score] for score in SCORES},
                IoU={name: scores['IoU'] if scores['present'] else None
                     for name, scores in overall['classes'].items()})


def mean_and_std(values: Sequence[Optional[float]]) -> dict:
    """Mean and sample standard deviation of the values that are not None.

    Returns:
        dict: ``mean`` and ``std`` (rounded to 4 decimals; None without values, ``std`` None
        with fewer than two) and ``folds``, the number of values.
    """
    values = np.array([v for v in values if v is not None], np.float64)
    mean = round(float(values.mean()), 4) if len(values) else None
    # n - 1: the folds are a sample of the domains a model may meet.
    std = round(float(values.std(ddof=1)), 4) if len(values) > 1 else None
    return dict(mean=mean, std=std, folds=len(values))


def _difference(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return None if a is None or b is None else round(a - b, 4)


def summarise_folds(folds: Mapping[str, RunResults],
                    in_domain: Optional[RunResults] = None) -> dict:
    """Per-fold scores, their mean and standard deviation, and the in-domain gap.

    A class absent from a fold's test images (no ground-truth pixel) has no IoU there: it is
    left out of that class's mean and standard deviation, never counted as zero.

    Args:
        folds (Mapping[str, RunResults]): Held-out domain -> the fold's test run.
        in_domain (RunResults, optional): The test run of the in-domain reference.

    Returns:
        dict: ``folds`` (held-out domain -> :func:`fold_scores`), ``summary`` (``mIoU``,
        ``mDice``, ``aAcc`` -> :func:`mean_and_std` over the folds, and ``IoU``: class ->
        the same over the folds where the class is present), ``in_domain``
        (:func:`fold_scores` or None) and ``gap`` (in-domain minus held-out mean of each
        score and class IoU, in percentage points; None without the in-domain run).
    """
    if not folds:
        raise ValueError('no folds to summarise')
    scores = {held_out: fold_scores(run) for held_out, run in folds.items()}
    classes = []
    for fold in scores.values():
        classes += [name for name in fold['IoU'] if name not in classes]
    summary = {score: mean_and_std([fold[score] for fold in scores.values()])
               for score in SCORES}
    summary['IoU'] = {name: mean_and_std([fold['IoU'].get(name) for fold in scores.values()])
                      for name in classes}
    reference = gap = None
    if in_domain is not None:
        reference = fold_scores(in_domain)
        gap = {score: _difference(reference[score], summary[score]['mean']) for score in SCORES}
        gap['IoU'] = {name: _difference(reference['IoU'].get(name), summary['IoU'][name]['mean'])
                      for name in classes}
    return dict(folds=scores, summary=summary, in_domain=reference, gap=gap)


def _number(value: Optional[float]) -> str:
    return '—' if value is None else f'{value:.2f}'


def _mean_std(entry: dict, count: bool = False) -> str:
    if entry['mean'] is None:
        return '—'
    text = _number(entry['mean'])
    if entry['std'] is not None:
        text += f' ± {entry["std"]:.2f}'
    return text + (f' ({entry["folds"]})' if count else '')


def _row(cells: Sequence[str]) -> str:
    return '| ' + ' | '.join(cell.replace('|', '\\|') for cell in cells) + ' |'


def summary_markdown(summary: dict, column: str = 'domain') -> str:
    """Two Markdown tables of a :func:`summarise_folds` result: headline scores per fold, and
    per-class IoU (classes as rows, folds as columns).

    Args:
        summary (dict): From :func:`summarise_folds`.
        column (str): What a fold holds out (``'material'``, ``'content'``), for the headings.

    Returns:
        str: The tables, numbers in % with two decimals, '—' where there is none.
    """
    folds, total, reference, gap = (summary['folds'], summary['summary'], summary['in_domain'],
                                    summary['gap'])
    lines = [_row([f'held-out {column}', 'images', *SCORES]),
             '|---|---:|' + '---:|' * len(SCORES)]
    for held_out, fold in folds.items():
        lines.append(_row([held_out, str(fold['num_images']),
                           *(_number(fold[score]) for score in SCORES)]))
    lines.append(_row([f'mean ± std ({len(folds)} folds)', '',
                       *(_mean_std(total[score]) for score in SCORES)]))
    if reference is not None:
        lines.append(_row(['in-domain', str(reference['num_images']),
                           *(_number(reference[score]) for score in SCORES)]))
        lines.append(_row(['gap (in-domain - mean)', '',
                           *(_number(gap[score]) for score in SCORES)]))
    extra = ['in-domain', 'gap'] if reference is not None else []
    lines += ['', 'IoU per class; mean ± std over the folds where the class is present '
              '(their number in brackets); — where it is absent.', '',
              _row(['class', *folds, 'mean ± std (folds)', *extra]),
              '|---|' + '---:|' * (len(folds) + 1 + len(extra))]
    for name, entry in total['IoU'].items():
        cells = [name, *(_number(fold['IoU'].get(name)) for fold in folds.values()),
                 _mean_std(entry, count=True)]
        if reference is not None:
            cells += [_number(reference['IoU'].get(name)), _number(gap['IoU'][name])]
        lines.append(_row(cells))
    return '\n'.join(lines) + '\n'
