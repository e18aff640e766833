import json
import shutil

import pytest

from mmseg_heritage.evaluation.cross_validation import (Fold, in_domain_fold, mean_and_std,
                                                        read_folds, select_folds, summarise_folds,
                                                        summary_markdown)
from mmseg_heritage.evaluation.run_results import load_run

from helpers import write_metrics


def write_fold(work_dir, mIoU, mDice, aAcc, class_iou, num_images=2):
    """A hand-made metrics.json in ``work_dir/<timestamp>/``; a class given None is absent."""
    classes = {name: dict(present=iou is not None, pixels=0 if iou is None else 100, IoU=iou)
               for name, iou in class_iou.items()}
    write_metrics(work_dir / '20250101_120000', dict(
        num_images=num_images, images=[f'image{i}' for i in range(num_images)],
        overall=dict(mIoU=mIoU, mDice=mDice, aAcc=aAcc, classes=classes)))
    return load_run(work_dir)


@pytest.fixture
def folds(tmp_path):
    # Peel is present in one fold only, Hair in none: neither may count as 0 IoU elsewhere.
    return {
        'Glass': write_fold(tmp_path / 'glass', 10.0, 20.0, 90.0,
                               dict(Clean=80.0, Peel=None, Hair=None), num_images=1),
        'Paper': write_fold(tmp_path / 'paper', 20.0, 30.0, 80.0,
                               dict(Clean=70.0, Peel=40.0, Hair=None), num_images=3),
        'Wood': write_fold(tmp_path / 'wood', 30.0, 40.0, 70.0,
                              dict(Clean=60.0, Peel=None, Hair=None)),
    }


@pytest.fixture
def in_domain(tmp_path):
    return write_fold(tmp_path / 'in_domain', 35.0, 45.0, 95.0,
                         dict(Clean=90.0, Peel=50.0, Hair=None), num_images=4)



def test_mean_and_sample_std_over_folds(folds, in_domain):
    summary = summarise_folds(folds, in_domain)
    assert list(summary['folds']) == ['Glass', 'Paper', 'Wood']
    paper = summary['folds']['Paper']
    assert (paper['mIoU'], paper['mDice'], paper['aAcc'], paper['num_images']) == (20, 30, 80, 3)
    assert paper['IoU'] == dict(Clean=70.0, Peel=40.0, Hair=None)
    assert paper['metrics_file'] == str(folds['Paper'].metrics_path)
    total = summary['summary']
    # Sample standard deviation (n - 1) of 10, 20, 30 is 10.
    assert total['mIoU'] == dict(mean=20.0, std=10.0, folds=3)
    assert total['mDice'] == dict(mean=30.0, std=10.0, folds=3)
    assert total['aAcc'] == dict(mean=80.0, std=10.0, folds=3)
    assert total['IoU']['Clean'] == dict(mean=70.0, std=10.0, folds=3)


def test_absent_classes_are_left_out_not_zero(folds, in_domain):
    summary = summarise_folds(folds, in_domain)
    # Peel: the one fold that has it, not (0 + 40 + 0) / 3; no spread from one value.
    assert summary['summary']['IoU']['Peel'] == dict(mean=40.0, std=None, folds=1)
    assert summary['summary']['IoU']['Hair'] == dict(mean=None, std=None, folds=0)
    assert summary['folds']['Glass']['IoU']['Peel'] is None


def test_gap_is_in_domain_minus_held_out_mean(folds, in_domain):
    summary = summarise_folds(folds, in_domain)
    assert summary['in_domain']['mIoU'] == 35.0
    assert summary['gap']['mIoU'] == 15.0 and summary['gap']['aAcc'] == 15.0
    assert summary['gap']['IoU'] == dict(Clean=20.0, Peel=10.0, Hair=None)
    assert json.loads(json.dumps(summary)) == summary  # plain JSON data


def test_without_in_domain(folds):
    summary = summarise_folds(folds)
    assert summary['in_domain'] is None and summary['gap'] is None
    table = summary_markdown(summary, 'material')
    assert 'in-domain' not in table and 'gap' not in table


def test_mean_and_std_of_nothing_and_one():
    assert mean_and_std([]) == dict(mean=None, std=None, folds=0)
    assert mean_and_std([None, 2.5]) == dict(mean=2.5, std=None, folds=1)


def test_fold_without_metrics_is_named(tmp_path, folds):
    (tmp_path / 'unfinished').mkdir()
    with pytest.raises(ValueError, match='unfinished: no metrics.json'):
        summarise_folds({**folds, 'Canvas': load_run(tmp_path / 'unfinished')})
    with pytest.raises(ValueError, match='no folds'):
        summarise_folds({})


def test_markdown_tables(folds, in_domain):
    table = summary_markdown(summarise_folds(folds, in_domain), 'material')
    lines = table.splitlines()
    assert lines[0] == '| held-out material | images | mIoU | mDice | aAcc |'
    assert '| Paper | 3 | 20.00 | 30.00 | 80.00 |' in lines
    assert ('| mean ± std (3 folds) |  | 20.00 ± 10.00 | 30.00 ± 10.00 | 80.00 ± 10.00 |'
            in lines)
    assert '| in-domain | 4 | 35.00 | 45.00 | 95.00 |' in lines
    assert '| gap (in-domain - mean) |  | 15.00 | 15.00 | 15.00 |' in lines
    assert '| class | Glass | Paper | Wood | mean ± std (folds) | in-domain | gap |' in lines
    assert '| Peel | — | 40.00 | — | 40.00 (1) | 50.00 | 10.00 |' in lines
    assert '| Hair | — | — | — | — | — | — |' in lines
    assert '| Clean | 80.00 | 70.00 | 60.00 | 70.00 ± 10.00 (3) | 90.00 | 20.00 |' in lines


def test_folds_of_the_synthetic_dataset(synthetic_root):
    manifest = json.loads((synthetic_root / 'splits/splits.json').read_text())
    for protocol in ('lomo', 'locontent'):
        folds = read_folds(synthetic_root, protocol)
        assert [fold.held_out for fold in folds] == list(manifest['folds'][protocol]['folds'])
        for fold in folds:
            assert fold.name == fold.split_files['test'].split('/')[-2]
            assert fold.split_files == {part: f'splits/{protocol}/{fold.name}/{part}.txt'
                                        for part in ('train', 'val', 'test')}
    assert in_domain_fold(synthetic_root) == Fold(None, 'in_domain', dict(
        train='splits/train.txt', val='splits/val.txt', test='splits/test.txt'))


def test_select_folds_by_name_or_folder(synthetic_root):
    folds = read_folds(synthetic_root, 'lomo')
    assert select_folds(folds, None) == folds
    chosen = select_folds(folds, ['lime_plaster', 'canvas', 'Lime plaster'])
    assert [fold.held_out for fold in chosen] == ['Lime plaster', 'Canvas']
    with pytest.raises(ValueError, match=r"unknown fold 'Marble'; the folds are: 'Canvas' "
                                         r"\(canvas\), .*'Lime plaster' \(lime_plaster\)"):
        select_folds(folds, ['Canvas', 'Marble'])


def test_missing_splits_are_errors(tmp_path, synthetic_root):
    with pytest.raises(FileNotFoundError, match='splits.json: not found; .* has no fold splits'):
        read_folds(tmp_path, 'lomo')
    with pytest.raises(ValueError, match='unknown protocol'):
        read_folds(synthetic_root, 'lopo')
    root = tmp_path / 'copy'
    shutil.copytree(synthetic_root / 'splits', root / 'splits')
    (root / 'splits/lomo/glass/val.txt').unlink()
    with pytest.raises(FileNotFoundError, match='lomo/glass/val.txt: split file not found'):
        read_folds(root, 'lomo')
    (root / 'splits/splits.json').write_text('{"folds": {}}')
    with pytest.raises(ValueError, match='no lomo folds'):
        read_folds(root, 'lomo')
