import csv
from pathlib import Path

import numpy as np
import pytest

from mmseg_heritage.class_names import CLASSES
from mmseg_heritage.evaluation.metrics.artefact_metric import SCHEMA_VERSION, scores_from_confusion
from mmseg_heritage.evaluation.run_comparison import (comparison_rows, markdown_table,
                                                      write_comparison)
from mmseg_heritage.evaluation.run_results import RunResults


def metrics(diagonal: int, absent=(), interval=(10.0, 30.0)) -> dict:
    """A metrics.json as ArtefactMetric writes it, from a made-up confusion matrix."""
    matrix = np.full((16, 16), 5) + np.eye(16, dtype=int) * diagonal
    matrix[list(absent)] = 0
    binary = np.array([[matrix[0, 0], matrix[0, 1:].sum()],
                       [matrix[1:, 0].sum(), matrix[1:, 1:].sum()]])
    return dict(schema_version=SCHEMA_VERSION, num_images=4,
                overall=scores_from_confusion(matrix, CLASSES),
                mIoU_ci95=None if interval is None else list(interval),
                binary=scores_from_confusion(binary, ('Clean', 'Damage')),
                coarse=dict(mIoU=40.0 + diagonal / 10))


def run(name, record) -> RunResults:
    return RunResults(work_dir=Path('/work_dirs') / name, name=name, metrics=record)


@pytest.fixture
def runs():
    return [run('small', metrics(20, absent=(15,))), run('large', metrics(200, interval=None))]


def test_rows_hold_the_metrics_values(runs):
    small, large = comparison_rows(runs)
    record = runs[0].metrics
    assert small['name'] == 'small' and small['work_dir'] == '/work_dirs/small'
    assert small['num_images'] == 4
    for key in ('mIoU', 'mDice', 'mF1', 'mPrecision', 'mRecall', 'aAcc'):
        assert small[key] == record['overall'][key]
    assert (small['mIoU_ci95_low'], small['mIoU_ci95_high']) == (10.0, 30.0)
    assert small['binary_IoU_damage'] == record['binary']['classes']['Damage']['IoU']
    assert small['coarse_mIoU'] == 42.0
    assert small['IoU.Peel'] == record['overall']['classes']['Peel']['IoU']
    assert small['IoU.Lightleak'] is None and large['IoU.Lightleak'] is not None
    assert large['mIoU_ci95_low'] is None and large['mIoU_ci95_high'] is None
    assert [key for key in small if key.startswith('IoU.')] == [f'IoU.{c}' for c in CLASSES]


def test_run_without_metrics_named(runs):
    with pytest.raises(ValueError, match='/work_dirs/empty: no metrics.json'):
        comparison_rows([*runs, run('empty', None)])


def test_markdown_best_in_bold_missing_as_dash(runs):
    table = markdown_table(comparison_rows(runs))
    header, rule, small, large = table.splitlines()
    assert header.startswith('| run | images | mIoU | mIoU 95 % interval |')
    assert rule.count('|') == header.count('|')
    cells = [c.strip() for c in large.split('|')[1:-1]]
    expected_miou = runs[1].metrics['overall']['mIoU']
    assert cells[:4] == ['large', '4', f'**{expected_miou:.2f}**', '—']
    assert small.split('|')[3].strip() == f"{runs[0].metrics['overall']['mIoU']:.2f}"
    assert '| 10.00-30.00 |' in small
    assert '**' not in small.split('|')[4]  # an interval is never bold


def test_equal_values_not_bold():
    record = metrics(20)
    table = markdown_table(comparison_rows([run('a', record), run('b', record)]))
    assert '**' not in table


def test_one_run_not_bold_and_none_as_dash():
    record = metrics(20)
    record['coarse'] = {}
    row = markdown_table(comparison_rows([run('a', record)])).splitlines()[2]
    assert '**' not in row and row.endswith('| — |')


def test_csv_has_every_column_and_round_trips(tmp_path, runs):
    rows = comparison_rows(runs)
    csv_path, md_path = write_comparison(rows, tmp_path / 'out' / 'comparison')
    assert csv_path == tmp_path / 'out' / 'comparison.csv' and md_path.suffix == '.md'
    with open(csv_path, newline='') as f:
        read = list(csv.DictReader(f))
    assert list(read[0]) == list(rows[0])
    for written, row in zip(read, rows):
        for key, value in row.items():
            assert written[key] == ('' if value is None else str(value)), key
            if isinstance(value, float):
                assert float(written[key]) == value
    assert md_path.read_text().endswith(markdown_table(rows))
    assert sorted(p.name for p in csv_path.parent.iterdir()) == [
        'comparison.csv', 'comparison.md']


def test_nothing_to_write(tmp_path):
    with pytest.raises(ValueError, match='no runs'):
        write_comparison([], tmp_path / 'comparison')
