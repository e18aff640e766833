"""One self-contained HTML page with the results of one or several work dirs.

Pictures are embedded as base64 PNG and the style sheet is inline, so the page can be mailed or
archived on its own and opens without a network. It has no script.
"""
import base64
import datetime
import html
from typing import Dict, List, Optional, Sequence, Tuple

from matplotlib.figure import Figure

from ..evaluation.run_comparison import comparison_rows
from ..evaluation.run_results import RunResults
from .class_scores_chart import class_scores_chart
from .comparison_chart import comparison_chart
from .confusion_heatmap import confusion_heatmap
from .damage_map_sheet import DamageMap, damage_map_sheet
from .figure_files import figure_png
from .prediction_grid import prediction_grid
from .training_curves import training_curves

# The look shared by every page the package writes (this report, condition reports, index).
PAGE_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222;
       padding: 0 1em; }
h1 { border-bottom: 2px solid #444; } h2 { margin-top: 2em; border-bottom: 1px solid #bbb; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #eee; } tr.absent td { color: #999; }
img { max-width: 100%; display: block; margin: 0.5em 0; }
.note { color: #666; } .files { font-family: monospace; font-size: 0.85em; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; border: 1px solid #555;
          vertical-align: middle; margin-right: 0.3em; }
"""

HEADLINE = (('images', 'num_images'), ('mIoU', 'mIoU'), ('95 % CI of mIoU', 'mIoU_ci95'),
            ('mDice', 'mDice'), ('mPrecision', 'mPrecision'), ('mRecall', 'mRecall'),
            ('aAcc', 'aAcc'), ('Damage IoU (binary)', 'binary_IoU_damage'),
            ('coarse mIoU', 'coarse_mIoU'))


def _text(value) -> str:
    if value is None:
        return '—'
    if isinstance(value, float):
        return f'{value:.2f}'
    return html.escape(str(value))


def _table(header: Sequence[str], rows: Sequence[Sequence], classes: Sequence[str] = ()) -> str:
    """An HTML table; rows whose index is in ``classes`` get that row's CSS class."""
    head = ''.join(f'<th>{html.escape(h)}</th>' for h in header)
    body = []
    for index, row in enumerate(rows):
        css = f' class="{classes[index]}"' if index < len(classes) and classes[index] else ''
        body.append(f'<tr{css}>' + ''.join(f'<td>{_text(v)}</td>' for v in row) + '</tr>')
    return f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _picture(fig: Figure, alt: str) -> str:
    data = base64.b64encode(figure_png(fig)).decode('ascii')
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _headline(row: dict) -> List:
    ci = row.get('mIoU_ci95_low'), row.get('mIoU_ci95_high')
    values = dict(row, mIoU_ci95=None if None in ci else f'{ci[0]:.2f} – {ci[1]:.2f}')
    return [values.get(key) for _, key in HEADLINE]


def _class_table(scores: dict) -> str:
    keys = ('pixels', 'predicted_pixels', 'IoU', 'Dice', 'precision', 'recall')
    rows, css = [], []
    for name, entry in scores['classes'].items():
        label = name if entry['present'] else f'{name} (absent)'
        rows.append([label] + [entry.get(k) for k in keys])
        css.append('' if entry['present'] else 'absent')
    return _table(('class', 'pixels', 'predicted pixels', 'IoU', 'Dice', 'precision',
                   'recall'), rows, css)


def _domain_table(domains: Dict[str, dict], label: str) -> str:
    rows = [[name, d.get('num_images'), d.get('mIoU'), d.get('mDice'), d.get('aAcc'),
             d.get('present_classes')] for name, d in sorted(domains.items())]
    return _table((label, 'images', 'mIoU', 'mDice', 'aAcc', 'classes present'), rows)


def _run_section(run: RunResults, row: Optional[dict], samples: Optional[list],
                 samples_note: str) -> str:
    parts = [f'<h2 id="{html.escape(run.name)}">{html.escape(run.name)}</h2>',
             '<p class="files">' + '<br>'.join(
                 f'{label}: {html.escape(str(path))}' for label, path in (
                     ('work dir', run.work_dir), ('config', run.config),
                     ('checkpoint', run.checkpoint), ('metrics', run.metrics_path))
                 if path is not None) + '</p>']
    metrics = run.metrics
    if metrics is None:
        parts.append('<p class="note">No metrics.json in this work dir: evaluate a checkpoint '
                     'with tools/test.py (the ARTeFACT metric writes it).</p>')
    else:
        parts += ['<h3>Scores</h3>', _table([h for h, _ in HEADLINE], [_headline(row)]),
                  '<p class="note">Percentages from one confusion matrix over the split; '
                  'classes absent from its ground truth are left out of the means.</p>',
                  '<h3>Per class</h3>', _class_table(metrics['overall']),
                  _picture(class_scores_chart(metrics['overall'], title=f'{run.name}: IoU'),
                           f'{run.name} per-class IoU')]
        if run.confusion is not None:
            parts += ['<h3>Confusion matrix</h3>',
                      '<p class="note">Each row: where the pixels of that ground-truth class '
                      'went (rows sum to 1; the diagonal is the recall).</p>',
                      _picture(confusion_heatmap(run.confusion_classes, run.confusion,
                                                 title=run.name),
                               f'{run.name} confusion matrix')]
        for key, label in (('binary', 'Clean / damage'), ('coarse', 'Damage groups')):
            if metrics.get(key):
                parts += [f'<h3>{label}</h3>', _class_table(metrics[key])]
        for key, label in (('per_material', 'material'), ('per_content', 'content')):
            if metrics.get(key):
                parts += [f'<h3>Per {label}</h3>', _domain_table(metrics[key], label)]
    if run.train_scalars:
        parts += ['<h3>Training</h3>',
                  _picture(training_curves(run.train_scalars, run.val_scalars, title=run.name),
                           f'{run.name} training curves')]
    if samples:
        parts += ['<h3>Sample predictions</h3>', f'<p class="note">{html.escape(samples_note)}'
                  '</p>', _picture(prediction_grid(samples), f'{run.name} sample predictions')]
    elif samples_note:
        parts.append(f'<p class="note">{html.escape(samples_note)}</p>')
    return '\n'.join(parts)


def _damage_map_section(heading: str, note: str, maps: Sequence[DamageMap]) -> str:
    rows = [[m.name, m.damaged_percent, m.true_damaged_percent] for m in maps]
    return '\n'.join([f'<h2>{html.escape(heading)}</h2>',
                      f'<p class="note">{html.escape(note)}</p>',
                      _table(('image', 'predicted damaged %', 'true damaged %'), rows),
                      _picture(damage_map_sheet(maps), heading)])


def html_report(runs: Sequence[RunResults], samples: Optional[Dict[str, list]] = None,
                samples_notes: Optional[Dict[str, str]] = None,
                title: str = 'mmseg-heritage results',
                damage_maps: Sequence[Tuple[str, str, Sequence[DamageMap]]] = ()) -> str:
    """The page for ``runs``, as a string.

    Args:
        runs: Work dirs read with ``load_run``.
        samples: Optional ``{run name: [SamplePrediction, ...]}`` drawn as prediction grids.
        samples_notes: Optional ``{run name: text}`` shown with (or instead of) the samples,
            e.g. how they were chosen or why there are none.
        title (str): Page title.
        damage_maps: Sections of ``(heading, note, maps)``: photographs beside their damage
            maps, with the predicted damaged share and, where an annotation exists, the true
            one. Defaults to none.
    """
    from .. import __version__
    samples, samples_notes = samples or {}, samples_notes or {}
    evaluated = [run for run in runs if run.metrics is not None]
    rows = {row['name']: row for row in comparison_rows(evaluated)}
    stamp = datetime.datetime.now().strftime('%Y-%m-%d %H:%M')
    parts = [f'<h1>{html.escape(title)}</h1>',
             f'<p class="note">Made {stamp} by mmseg_heritage {__version__} from '
             f'{len(runs)} work dir{"s" if len(runs) != 1 else ""}.</p>']
    if len(runs) > 1:
        parts.append('<p>' + ' · '.join(f'<a href="#{html.escape(run.name)}">'
                                        f'{html.escape(run.name)}</a>' for run in runs) + '</p>')
    if len(evaluated) > 1:
        parts += ['<h2>Comparison</h2>',
                  _table(['run'] + [h for h, _ in HEADLINE],
                         [[row['name']] + _headline(row) for row in rows.values()]),
                  _picture(comparison_chart(list(rows.values())), 'per-class IoU of each run')]
    for run in runs:
        parts.append(_run_section(run, rows.get(run.name), samples.get(run.name),
                                  samples_notes.get(run.name, '')))
    parts += [_damage_map_section(*section) for section in damage_maps if section[2]]
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<title>{html.escape(title)}</title><style>{PAGE_STYLE}</style></head>\n<body>\n'
            + '\n'.join(parts) + '\n</body></html>\n')
