"""ArtefactMetric: one confusion matrix per split, absent classes, domains, levels, interval."""
import json

import numpy as np
import pytest
import torch
from mmengine.evaluator import Evaluator
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmseg_heritage.class_names import CLASSES, build_level_luts
from mmseg_heritage.evaluation.metrics import (ArtefactMetric, bootstrap_miou, collapse,
                                               confusion_matrix, scores_from_confusion)


def sample(label, prediction, material='paper', content='text', sample_id='x'):
    data = SegDataSample(metainfo=dict(sample_id=sample_id, material=material, content=content))
    data.gt_sem_seg = PixelData(data=torch.as_tensor(label)[None])
    data.pred_sem_seg = PixelData(data=torch.as_tensor(prediction)[None])
    return data


def reference_scores(pairs, num_classes=16):
    """Per-class IoU, precision, recall by counting pixel sets over all images in plain Python."""
    truth, guess = [], []
    for label, prediction in pairs:
        for t, p in zip(label.ravel().tolist(), prediction.ravel().tolist()):
            if t != 255:
                truth.append(t)
                guess.append(p)
    scores = {}
    for c in range(num_classes):
        tp = sum(t == c and p == c for t, p in zip(truth, guess))
        fp = sum(t != c and p == c for t, p in zip(truth, guess))
        fn = sum(t == c and p != c for t, p in zip(truth, guess))
        if tp + fn:  # present in the ground truth
            scores[CLASSES[c]] = dict(IoU=100 * tp / (tp + fp + fn),
                                      precision=100 * tp / (tp + fp) if tp + fp else 0.0,
                                      recall=100 * tp / (tp + fn))
    accuracy = 100 * sum(t == p for t, p in zip(truth, guess)) / len(truth)
    return scores, accuracy


@pytest.fixture
def pairs():
    rng = np.random.default_rng(3)
    pairs = []
    for _ in range(3):
        label = rng.choice([0, 0, 0, 1, 3, 255], size=(12, 10)).astype(np.uint8)
        prediction = rng.choice([0, 1, 3, 7], size=(12, 10)).astype(np.uint8)  # 7: absent
        pairs.append((label, prediction))
    return pairs


def evaluate(pairs, tmp_path, materials=('paper', 'glass', 'paper')):
    evaluator = Evaluator(ArtefactMetric(out_dir=str(tmp_path), bootstrap_samples=200))
    evaluator.dataset_meta = dict(classes=CLASSES)
    evaluator.process([sample(label, prediction, material, sample_id=f'im{i}')
                       for i, ((label, prediction), material)
                       in enumerate(zip(pairs, materials))])
    headline = evaluator.evaluate(len(pairs))
    return headline, json.loads((tmp_path / 'metrics.json').read_text())


def test_scores_equal_an_independent_count(pairs, tmp_path):
    headline, record = evaluate(pairs, tmp_path)
    expected, accuracy = reference_scores(pairs)
    classes = record['overall']['classes']
    for name, scores in expected.items():
        for key, value in scores.items():
            assert classes[name][key] == pytest.approx(value, abs=1e-3), (name, key)
    # Absent classes (here everything but Clean, Material loss, Dust) are None, not 0, and are
    # left out of the means, even Fold (7), which was predicted.
    assert classes['Fold']['IoU'] is None and classes['Fold']['predicted_pixels'] > 0
    assert record['overall']['present_classes'] == 3
    assert headline['mIoU'] == pytest.approx(np.mean([s['IoU'] for s in expected.values()]),
                                             abs=1e-3)
    assert headline['aAcc'] == pytest.approx(accuracy, abs=1e-3)
    assert record['schema_version'] == 1 and record['images'] == ['im0', 'im1', 'im2']
    # Dice equals F1 and recall equals accuracy, per class.
    assert all(s['Dice'] == s['F1'] and s['recall'] == s['accuracy']
               for s in classes.values())


def test_confusion_matrix_csv_holds_the_split_total(pairs, tmp_path):
    evaluate(pairs, tmp_path)
    rows = (tmp_path / 'confusion_matrix.csv').read_text().splitlines()
    assert rows[0].split(',')[1:] == list(CLASSES)
    matrix = np.array([[int(v) for v in row.split(',')[1:]] for row in rows[1:]])
    assert (matrix == sum(confusion_matrix(l, p, 16) for l, p in pairs)).all()
    assert matrix.sum() == sum(int((label != 255).sum()) for label, _ in pairs)


def test_per_material_numbers_add_up_to_the_split(pairs, tmp_path):
    _, record = evaluate(pairs, tmp_path)
    per_material = record['per_material']
    assert {k: v['num_images'] for k, v in per_material.items()} == {'glass': 1, 'paper': 2}
    for name in CLASSES:
        assert sum(m['classes'][name]['pixels'] for m in per_material.values()) == \
            record['overall']['classes'][name]['pixels']
        assert sum(m['classes'][name]['predicted_pixels'] for m in per_material.values()) == \
            record['overall']['classes'][name]['predicted_pixels']
    paper = confusion_matrix(pairs[0][0], pairs[0][1], 16) + \
        confusion_matrix(pairs[2][0], pairs[2][1], 16)
    assert per_material['paper']['mIoU'] == scores_from_confusion(paper, CLASSES)['mIoU']
    assert list(record['per_content']) == ['text']


def test_binary_and_coarse_levels_merge_the_fine_matrix(pairs, tmp_path):
    _, record = evaluate(pairs, tmp_path)
    total = sum(confusion_matrix(l, p, 16) for l, p in pairs)
    damage = total[1:, 1:].sum()  # damage predicted as any damage is right at the binary level
    expected = damage / (total[1:, :].sum() + total[:, 1:].sum() - damage)
    assert record['binary']['classes']['Damage']['IoU'] == pytest.approx(100 * expected,
                                                                         abs=1e-3)
    coarse = collapse(total, build_level_luts()['coarse'], 5)
    assert coarse.sum() == total.sum() and coarse[0, 0] == total[0, 0]


def test_interval_holds_the_estimate_and_shrinks_with_more_images():
    rng = np.random.default_rng(0)

    def confusions(n):
        out = []
        for _ in range(n):
            label = rng.integers(0, 4, (16, 16))
            prediction = np.where(rng.random((16, 16)) < 0.6, label, rng.integers(0, 4, (16, 16)))
            out.append(confusion_matrix(label, prediction, 16))
        return np.stack(out)

    widths = []
    for n in (8, 200):
        c = confusions(n)
        low, high = bootstrap_miou(c, 500, seed=1)
        assert low <= scores_from_confusion(c.sum(0), CLASSES)['mIoU'] <= high
        widths.append(high - low)
    assert widths[1] < widths[0] / 2
    assert bootstrap_miou(confusions(1)) is None


def test_unknown_ground_truth_class_is_named():
    with pytest.raises(ValueError, match='ground truth holds class 20'):
        confusion_matrix(np.array([[20]]), np.array([[0]]), 16)


def test_prediction_beyond_the_classes_is_named():
    # A model with more outputs than the dataset has classes: refused, not miscounted.
    with pytest.raises(ValueError, match='prediction holds class 17'):
        confusion_matrix(np.array([[0, 255]]), np.array([[17, 99]]), 16)
    # Predictions at ignored pixels do not count.
    assert confusion_matrix(np.array([[0, 255]]), np.array([[0, 99]]), 16).sum() == 1
