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


def run_model_card(name: str, summary, record: Dict, checkpoint: str, digest: str,
                   iteration: Optional[int] = None, split: Optional[str] = None,
                   training_images: Optional[int] = None) -> str:
    """The model card of a published training run (``tools/publish_model.py``).

    Args:
        name (str): The published model's name.
        summary (ConfigSummary): What its config trains, on what and how
            (:func:`mmseg_heritage.zoo.summarise_config`).
        record (dict): The ``ArtefactMetric`` record of its evaluation.
        checkpoint (str): The published checkpoint's file name.
        digest (str): Its SHA-256.
        iteration (int, optional): The training iteration the checkpoint was saved at.
        split (str, optional): Which split ``record`` scores (``'test'``, ``'val'``), if known.
        training_images (int, optional): How many images the training split holds, if known.

    Returns:
        str: Markdown with Hugging Face's model-card metadata.
    """
    data = summary.dataset
    data_name = (f"[{data['name']}]({data['url']})" if data.get('url') else data['name'])
    provenance = record.get('provenance') or {}
    packages = provenance.get('packages') or {}
    crop = (f" crops of {' x '.join(map(str, summary.crop_size))} px"
            if summary.crop_size else ' images')
    start = (f'from the pretrained weights {summary.pretrained_weights}'
             if summary.pretrained_weights else 'from scratch (no pretrained weights)')
    split_name = {'test': 'the held-out test split', 'val': 'the validation split'}.get(
        split, 'the evaluation in its work dir')
    training = [
        f"Data: {data_name}"
        f"{f', {training_images} training images' if training_images else ''} "
        f"(data licence: {data['licence']}).",
        f"Model: {' + '.join(summary.architecture)}, trained {start}; `{name}.py` is its "
        'training config, as run.',
        f"Schedule: {summary.schedule}, batches of {summary.batch_size}{crop}, "
        f"{summary.optimizer}, loss {' + '.join(summary.losses) or 'the head default'}.",
        f"Run: seed {provenance.get('seed', 'unknown')}, config SHA-256 "
        f"`{provenance.get('config_sha256', 'unknown')}`, mmseg_heritage "
        f"{packages.get('mmseg_heritage', '?')}, torch {packages.get('torch', '?')}, "
        f"MMSegmentation {packages.get('mmsegmentation', '?')}.",
        f"Checkpoint: `{checkpoint}`{f' (iteration {iteration})' if iteration else ''}, "
        f'SHA-256 `{digest}`: weights and class names only; it loads with torch\'s safe '
        '`weights_only` unpickler.']
    sections = [
        ('Training', '\n'.join(f'- {line}' for line in training)),
        ('Use', """
With mmseg-heritage (an MMSegmentation 1.x plugin) installed, from this folder or by the
hub id of its repository:

```bash
python tools/infer.py PATH/TO/THIS/FOLDER scans/ --out-dir damage_maps
python tools/infer.py ORG/NAME scans/ --out-dir damage_maps --download
```
```python
from mmseg_heritage.apis import DamageInferencer, init_model
model = init_model('PATH/TO/THIS/FOLDER')       # or init_model('ORG/NAME', download=True)
labels = DamageInferencer('ORG/NAME').predict('scan.jpg')   # class ids, tile by tile
```
`tools/infer.py` writes a class-id mask, an overlay and the damaged share of every scan.
"""),
        ('~Intended use', """
Mapping damage on photographs of heritage artefacts like those it was trained on, so that
conservators can find, measure and compare damage across a collection. The maps are an aid
to a person who checks them, not a condition report on their own.
"""),
        ('~Limits', '\n'.join(f'- {line}' for line in [
            f"The scores above are on {record['num_images']} images from the same source as "
            'the training data; other materials, cameras, lighting and damage score lower '
            "(mmseg-heritage's `tools/cross_validate.py` measures that).",
            'Classes without ground truth in those images have no score: they are untested.',
            'Rare damage (a few pixels per image) is found less reliably than large, common '
            'damage.', *([data['note']] if data.get('note') else [])])),
        ('~Data licence', f"The training data, {data_name}, is under {data['licence']}. The "
         'model is released under Apache-2.0, as mmseg-heritage; using it on your images puts '
         'no licence on them.'),
    ]
    title = f'{split_name[0].upper()}{split_name[1:]}'
    return model_card(
        name, f'Finds and classifies damage on photographs of heritage artefacts: '
        f'{" + ".join(summary.architecture)} trained on {data["name"]} with mmseg-heritage, '
        'a plugin of MMSegmentation 1.x.', sections,
        [(title, record)],
        datasets=[data['hub_id']] if data.get('hub_id') else (),
        metric=dict(name=f'mIoU ({data["name"]}, {split or "evaluation"})',
                    dataset=data['name'], value=record['overall']['mIoU']))
