"""A model card (README.md with Hugging Face's model-card metadata) for a trained model."""
from typing import Dict, Optional, Sequence, Tuple

import yaml


def _score(value) -> str:
    return 'absent' if value is None else f'{value:.2f}'


def scores_section(record: Dict, title: str) -> str:
    """Markdown of an ArtefactMetric record: headline scores with the mIoU interval, then
    IoU, Dice, precision and recall of every class present in the split."""
    overall = record['overall']
    interval = record.get('mIoU_ci95')
    lines = [f'### {title}', '',
             f"{record['num_images']} images. mIoU {_score(overall['mIoU'])}"
             + (f' (95 % interval over images {interval[0]:.2f}-{interval[1]:.2f})'
                if interval else '')
             + f", mDice {_score(overall['mDice'])}, pixel accuracy {_score(overall['aAcc'])}; "
             f"damage against clean (binary) IoU "
             f"{_score(record['binary']['classes']['Damage']['IoU'])}.", '',
             '| class | IoU | Dice | precision | recall | pixels |', '|---|---:|---:|---:|---:|---:|']
    for name, scores in overall['classes'].items():
        if scores['present']:
            lines.append(f"| {name} | {_score(scores['IoU'])} | {_score(scores['Dice'])} | "
                         f"{_score(scores['precision'])} | {_score(scores['recall'])} | "
                         f"{scores['pixels']} |")
    absent = [name for name, scores in overall['classes'].items() if not scores['present']]
    if absent:
        lines += ['', f'Not in these images (no score): {", ".join(absent)}.']
    return '\n'.join(lines) + '\n'


def model_card(name: str, summary: str, sections: Sequence[Tuple[str, str]],
               records: Sequence[Tuple[str, Dict]], licence: str = 'apache-2.0',
               datasets: Sequence[str] = (), tags: Sequence[str] = (),
               metric: Optional[Dict] = None) -> str:
    """The text of a model card.

    Args:
        name (str): The model's name (the title).
        summary (str): What it does, in a paragraph.
        sections (list[tuple[str, str]]): (title, Markdown) of the sections before the scores
            (what it was trained on and how, how to use it) and after (limits).  A title
            starting with ``'~'`` goes after the scores, without the ``~``.
        records (list[tuple[str, dict]]): (title, ArtefactMetric record) of each evaluation.
        licence (str): The model's licence identifier. Defaults to 'apache-2.0'.
        datasets (list[str]): Hugging Face ids of the data it was trained on.
        tags (list[str]): Extra tags.
        metric (dict, optional): A headline figure for the metadata's ``model-index``
            (``name``, ``value``, ``dataset``).

    Returns:
        str: Markdown with YAML front matter as Hugging Face reads it.
    """
    meta = dict(license=licence, library_name='mmsegmentation', pipeline_tag='image-segmentation',
                tags=['image-segmentation', 'heritage', 'damage-detection', 'mmsegmentation',
                      *tags])
    if datasets:
        meta['datasets'] = list(datasets)
    if metric:
        meta['model-index'] = [dict(name=name, results=[dict(
            task=dict(type='image-segmentation', name='Damage segmentation'),
            dataset=dict(name=metric['dataset'], type=metric['dataset']),
            metrics=[dict(type='mean_iou', name=metric['name'], value=metric['value'])])])]
    parts = ['---', yaml.safe_dump(meta, sort_keys=False).strip(), '---', '', f'# {name}', '',
             summary, '']
    before = [(t, text) for t, text in sections if not t.startswith('~')]
    after = [(t[1:], text) for t, text in sections if t.startswith('~')]
    for title, text in before:
        parts += [f'## {title}', '', text.strip(), '']
    if records:
        parts += ['## Scores', '']
        parts += [scores_section(record, title) for title, record in records]
    for title, text in after:
        parts += [f'## {title}', '', text.strip(), '']
    return '\n'.join(parts).rstrip('\n') + '\n'
