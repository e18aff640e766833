"""The model zoo in MMSeg's format (``configs/<folder>/metafile.yaml``, ``model-index.yml``)
and the README's results table.

Every config outside ``configs/_base_/`` is a model; its metadata (data, architecture,
pretrained weights, batch, schedule) is read from the config itself, and its results from the
published results (``metrics.json`` records, one per published model, named after it). The
files are generated, never written by hand, so ``check_model_zoo`` can compare the committed
ones with what the configs and results give now. ``mim search mmseg_heritage`` reads them
(the package ships ``model-index.yml`` in ``.mim/``).
"""
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import yaml
from mmengine.config import Config

from ..evaluation.run_results import read_metrics
from .config_summary import ConfigSummary, summarise_config
from .results_table import replace_results_table, results_table

MODEL_INDEX = 'model-index.yml'
README = 'README.md'
METAFILE = 'metafile.yaml'
HEADER = '# Written by tools/model_zoo.py from the configs and docs/results/; do not edit.\n'


@dataclass
class PublishedResult:
    """A published model's scores: the ``metrics.json`` record and the name it was published
    under (``<config name>-<sha8>``, the file name of its record)."""
    name: str
    record: dict

    @property
    def config_name(self) -> Optional[str]:
        """The name of the config it was trained with (from the record's provenance)."""
        config_file = (self.record.get('provenance') or {}).get('config_file')
        return Path(config_file).stem if config_file else None


def read_results(folder: Path) -> List[PublishedResult]:
    """The published results in ``folder``: every ``*.json``, a ``metrics.json`` record named
    after its published model.

    Raises:
        ValueError: A file is not a metrics record, or names no config.
    """
    results = []
    for path in sorted(Path(folder).glob('*.json')):
        result = PublishedResult(path.stem, read_metrics(path))
        if result.config_name is None:
            raise ValueError(f'{path}: names no config (no provenance.config_file)')
        results.append(result)
    return results


def zoo_configs(repo: Path) -> List[Path]:
    """The configs of the model zoo: every ``configs/<folder>/*.py`` but ``_base_``."""
    return sorted(p for p in (repo / 'configs').glob('*/*.py') if p.parent.name != '_base_')


def model_zoo_files(repo: Path, results: Sequence[PublishedResult]) -> Dict[str, str]:
    """The text of every metafile, of ``model-index.yml`` and of ``README.md`` with its
    results table, by path relative to ``repo``.

    Raises:
        ValueError: Two configs share a name (mim finds configs by name), or a result's
            config is not in the zoo, or a config has two results.
    """
    configs = zoo_configs(repo)
    duplicates = [name for name, count in Counter(p.stem for p in configs).items() if count > 1]
    if duplicates:
        raise ValueError(f'configs share the names {duplicates}: mim and the model zoo find a '
                         'config by its name, so each must be unique')
    by_config = {}
    for result in results:
        if result.config_name not in {p.stem for p in configs}:
            raise ValueError(f'{result.name}: its config {result.config_name} is not in '
                             'configs/')
        if result.config_name in by_config:
            raise ValueError(f'{result.config_name}: two published results '
                             f'({by_config[result.config_name].name}, {result.name}); keep one')
        by_config[result.config_name] = result
    summaries = {config: summarise_config(Config.fromfile(config, import_custom_modules=False))
                 for config in configs}
    files, imports = {}, []
    for folder in sorted({p.parent for p in configs}):
        models = [_model_entry(config.relative_to(repo), summaries[config],
                               by_config.get(config.stem))
                  for config in configs if config.parent == folder]
        metafile = (folder / METAFILE).relative_to(repo).as_posix()
        data = sorted({m['Metadata']['Training Data'] for m in models})
        files[metafile] = HEADER + _yaml(dict(
            Collections=[dict(Name=folder.name, Metadata={'Training Data': data})],
            Models=models))
        imports.append(metafile)
    files[MODEL_INDEX] = HEADER + _yaml(dict(Import=imports))
    files[README] = replace_results_table((repo / README).read_text(),
                                          results_table(list(summaries.values()), results))
    return files


def check_model_zoo(repo: Path, results: Sequence[PublishedResult]) -> List[str]:
    """What is wrong with the committed model zoo: files (metafiles, model index, the README's
    table) that differ from what the configs and results give now, and what modelindex's own
    check finds. Empty when all is well."""
    from modelindex.load_model_index import load
    problems = []
    for path, text in model_zoo_files(repo, results).items():
        file = repo / path
        if not file.is_file() or file.read_text() != text:
            problems.append(f'{path}: not what the configs and results give; run '
                            'python tools/model_zoo.py')
    if not problems:
        problems += load(str(repo / MODEL_INDEX)).check(silent=True) or []
    return problems


def _model_entry(config: Path, summary: ConfigSummary,
                 result: Optional[PublishedResult]) -> dict:
    metadata = {'Training Data': summary.dataset['name'],
                'Architecture': summary.architecture,
                'Pretrained': summary.pretrained_weights or 'none (from scratch)',
                'Batch Size': summary.batch_size}
    if summary.crop_size:
        metadata['Crop Size'] = 'x'.join(map(str, summary.crop_size))
    metadata['Iterations' if summary.iterations else 'Epochs'] = \
        summary.iterations or summary.epochs
    metadata['Optimizer'] = summary.optimizer
    entry = {'Name': summary.name, 'In Collection': config.parent.name,
             'Config': config.as_posix(), 'Metadata': metadata}
    if result is not None:
        record = result.record
        split = record.get('split')
        metrics = {'mIoU': _round(record['overall']['mIoU'])}
        if record.get('mIoU_ci95'):
            metrics['mIoU 95% low'], metrics['mIoU 95% high'] = map(_round, record['mIoU_ci95'])
        metrics.update({'mDice': _round(record['overall']['mDice']),
                        'aAcc': _round(record['overall']['aAcc']),
                        'Damage IoU': _round(record['binary']['classes']['Damage']['IoU'])})
        entry['Results'] = [{'Task': 'Semantic Segmentation',
                             'Dataset': summary.dataset['name'] +
                             (f', {split} split' if split else ''),
                             'Metrics': metrics}]
        entry['Weights'] = f'{result.name}.pth'
    return entry


def _round(value):
    return None if value is None else round(float(value), 2)


def _yaml(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
