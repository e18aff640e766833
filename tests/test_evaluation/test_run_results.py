import json
import os

import numpy as np
import pytest

from mmseg_heritage.evaluation.metrics.artefact_metric import SCHEMA_VERSION
from mmseg_heritage.evaluation.run_results import (load_run, read_confusion_matrix, read_metrics,
                                                   read_scalars)

OLD, NEW = '20260101_000000', '20260102_000000'


def write_run(folder, miou, matrix=((5, 1), (2, 3))):
    write_metrics(folder, dict(num_images=2, overall=dict(mIoU=miou)), matrix)


def write_scalars(folder, records, tail=''):
    (folder / 'vis_data').mkdir(parents=True, exist_ok=True)
    text = ''.join(json.dumps(r) + '\n' for r in records) + tail
    (folder / 'vis_data' / 'scalars.json').write_text(text)


def train(iteration, loss):
    return {'lr': 0.01, 'loss': loss, 'decode.loss_ce': loss, 'iter': iteration,
            'step': iteration}

from helpers import write_metrics


def val(step, miou):
    return {'mIoU': miou, 'aAcc': 90.0, 'step': step}


def test_newest_metrics_and_its_confusion_matrix(tmp_path):
    write_run(tmp_path / OLD, 10.0, matrix=((1, 0), (0, 1)))
    write_run(tmp_path / NEW, 20.0)
    (tmp_path / 'not_a_run').mkdir()
    run = load_run(tmp_path)
    assert run.metrics['overall']['mIoU'] == 20.0
    assert run.metrics_path == tmp_path / NEW / 'metrics.json'
    assert run.confusion_classes == ['Clean', 'Damage']
    np.testing.assert_array_equal(run.confusion, [[5, 1], [2, 3]])
    assert run.confusion.dtype == np.int64
    assert run.name == tmp_path.name


def test_scalars_of_a_resumed_run_merged_newer_wins(tmp_path):
    write_scalars(tmp_path / OLD, [train(1, 3.0), train(2, 2.5), val(2, 10.0), train(3, 2.4)])
    # Resumed from the checkpoint of iteration 2: iteration 3 is logged again.
    write_scalars(tmp_path / NEW, [train(3, 2.0), train(4, 1.5), val(4, 20.0)])
    run = load_run(tmp_path)
    assert [(r['iter'], r['loss']) for r in run.train_scalars] == [
        (1, 3.0), (2, 2.5), (3, 2.0), (4, 1.5)]
    assert [(r['step'], r['mIoU']) for r in run.val_scalars] == [(2, 10.0), (4, 20.0)]
    assert run.metrics is None and run.confusion is None and run.checkpoint is None


def test_cut_last_line_of_scalars_ignored(tmp_path):
    write_scalars(tmp_path, [train(1, 3.0), val(1, 5.0)], tail='{"lr": 0.01, "loss": 2.')
    assert read_scalars(tmp_path / 'vis_data' / 'scalars.json') == (
        [train(1, 3.0)], [val(1, 5.0)])


def test_best_checkpoint_preferred_over_the_last(tmp_path):
    last = tmp_path / 'iter_8.pth'
    last.write_bytes(b'')
    (tmp_path / 'last_checkpoint').write_text(str(last))
    assert load_run(tmp_path).checkpoint == last
    older, newer = tmp_path / 'best_mIoU_iter_2.pth', tmp_path / 'best_mIoU_iter_6.pth'
    for age, path in ((100, older), (50, newer)):
        path.write_bytes(b'')
        os.utime(path, (last.stat().st_mtime - age,) * 2)
    assert load_run(tmp_path).checkpoint == newer


def test_last_checkpoint_of_a_moved_work_dir(tmp_path):
    (tmp_path / 'iter_8.pth').write_bytes(b'')
    (tmp_path / 'last_checkpoint').write_text('/elsewhere/work_dir/iter_8.pth')
    assert load_run(tmp_path).checkpoint == tmp_path / 'iter_8.pth'
    (tmp_path / 'train.py').write_text('')
    assert load_run(tmp_path).config == tmp_path / 'train.py'


def test_metrics_without_schema_version(tmp_path):
    folder = tmp_path / NEW
    folder.mkdir()
    (folder / 'metrics.json').write_text('{"mIoU": 20.0}')
    with pytest.raises(ValueError, match=f'{folder / "metrics.json"}: no schema_version'):
        load_run(tmp_path)


@pytest.mark.parametrize('content', [b'{"schema_version": ', b'\xff\xfe\x00garbage',
                                     b'[1, 2]', b'{"schema_version": "1"}'])
def test_unreadable_metrics_named(tmp_path, content):
    path = tmp_path / 'metrics.json'
    path.write_bytes(content)
    with pytest.raises(ValueError, match=str(path)):
        read_metrics(path)


def test_newer_schema_version_refused(tmp_path):
    path = tmp_path / 'metrics.json'
    path.write_text(json.dumps(dict(schema_version=SCHEMA_VERSION + 1)))
    with pytest.raises(ValueError, match='upgrade mmseg_heritage'):
        read_metrics(path)


@pytest.mark.parametrize('content', [b'', b'x,A,B\nA,1,2\n', b'x,A\nA,one\n', b'\xff\xfe\x00'])
def test_unreadable_confusion_matrix_named(tmp_path, content):
    path = tmp_path / 'confusion_matrix.csv'
    path.write_bytes(content)
    with pytest.raises(ValueError, match=f'{path}: not a confusion matrix'):
        read_confusion_matrix(path)


def test_missing_work_dir(tmp_path):
    with pytest.raises(FileNotFoundError, match='no such work dir'):
        load_run(tmp_path / 'missing')
