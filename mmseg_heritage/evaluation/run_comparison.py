"""Side-by-side scores of several runs, as rows for a CSV file, a Markdown table or a chart."""
import csv
import io
from pathlib import Path
from typing import List, Optional, Sequence, Tuple, Union

from ..utils.atomic_files import write_text_atomic
from .run_results import RunResults

PathLike = Union[str, Path]
CLASS_IOU_PREFIX = 'IoU.'
_SCORES = ('mIoU', 'mDice', 'mF1', 'mPrecision', 'mRecall', 'aAcc')
# (row key, Markdown heading) of the Markdown table; every score is better when higher.
_HEADLINE = (('mIoU', 'mIoU'), ('mIoU_ci95', 'mIoU 95 % interval'), ('mDice', 'mDice'),
             ('mPrecision', 'mPrecision'), ('mRecall', 'mRecall'), ('aAcc', 'aAcc'),
             ('binary_IoU_damage', 'Damage IoU (binary)'), ('coarse_mIoU', 'coarse mIoU'))


def comparison_rows(runs: Sequence[RunResults]) -> List[dict]:
    """One row of scores per run, from its newest ``metrics.json``.

    Args:
        runs (Sequence[RunResults]): The runs (see ``load_run``).

    Returns:
        list[dict]: Per run ``name``, ``work_dir``, ``num_images``, ``mIoU``,
        ``mIoU_ci95_low``, ``mIoU_ci95_high``, ``mDice``, ``mF1``, ``mPrecision``,
        ``mRecall``, ``aAcc``, ``binary_IoU_damage``, ``coarse_mIoU`` and ``IoU.<class>`` for
        every class of any run; scores in %, None where a run has none (an absent class, no
        interval for a single image).

    Raises:
        ValueError: If a run has no ``metrics.json`` (the message names its work dir).
    """
    classes = []
    for run in runs:
        if run.metrics is None:
            raise ValueError(f'{run.work_dir}: no metrics.json in the work dir; run a '
                             'validation or test first')
        classes += [name for name in run.metrics['overall']['classes'] if name not in classes]
    rows = []
    for run in runs:
        metrics = run.metrics
        overall = metrics['overall']
        interval = metrics.get('mIoU_ci95') or (None, None)
        damage = metrics.get('binary', {}).get('classes', {}).get('Damage', {})
        row = dict(name=run.name, work_dir=str(run.work_dir), num_images=metrics['num_images'],
                   mIoU=overall['mIoU'], mIoU_ci95_low=interval[0], mIoU_ci95_high=interval[1])
        row.update({key: overall[key] for key in _SCORES[1:]})
        row['binary_IoU_damage'] = damage.get('IoU')
        row['coarse_mIoU'] = metrics.get('coarse', {}).get('mIoU')
        row.update({CLASS_IOU_PREFIX + name: overall['classes'].get(name, {}).get('IoU')
                    for name in classes})
        rows.append(row)
    return rows


def _number(value: Optional[float]) -> str:
    return '—' if value is None else f'{value:.2f}'


def markdown_table(rows: Sequence[dict]) -> str:
    """The headline scores of ``rows`` as a Markdown table, the best of each column in bold.

    Args:
        rows (Sequence[dict]): Rows from :func:`comparison_rows`.

    Returns:
        str: The table, one line per run, ending with a newline; numbers with two decimals,
        the interval as 'low-high', missing values as '—'.
    """
    def value(row, key):
        return row['mIoU_ci95_low'] if key == 'mIoU_ci95' else row[key]

    best = {}
    for key, _ in _HEADLINE:
        values = [value(row, key) for row in rows if value(row, key) is not None]
        # Bold says "better than another run": pointless for an interval or equal values.
        if key != 'mIoU_ci95' and len(set(values)) > 1:
            best[key] = max(values)
    lines = ['| run | images | ' + ' | '.join(heading for _, heading in _HEADLINE) + ' |',
             '|---|---:|' + '---:|' * len(_HEADLINE)]
    for row in rows:
        cells = [row['name'].replace('|', '\\|'), str(row['num_images'])]
        for key, _ in _HEADLINE:
            if key == 'mIoU_ci95':
                low, high = row['mIoU_ci95_low'], row['mIoU_ci95_high']
                cells.append('—' if low is None else f'{low:.2f}-{high:.2f}')
                continue
            text = _number(row[key])
            cells.append(f'**{text}**' if key in best and row[key] == best[key] else text)
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'


def write_comparison(rows: Sequence[dict], out_prefix: PathLike) -> Tuple[Path, Path]:
    """Write ``<out_prefix>.csv`` (every column) and ``<out_prefix>.md`` (headline table).

    Args:
        rows (Sequence[dict]): Rows from :func:`comparison_rows`.
        out_prefix (str | Path): Path of the files without their suffix; missing folders are
            created.

    Returns:
        tuple[Path, Path]: The CSV and the Markdown file.
    """
    if not rows:
        raise ValueError('no runs to compare')
    csv_path, md_path = Path(f'{out_prefix}.csv'), Path(f'{out_prefix}.md')
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator='\n')
    writer.writeheader()
    writer.writerows(rows)  # None is written as an empty cell
    write_text_atomic(csv_path, text.getvalue())
    write_text_atomic(md_path, 'Scores in % from the newest metrics.json of each run; the best '
                      'of each column in bold.\n\n' + markdown_table(rows))
    return csv_path, md_path
