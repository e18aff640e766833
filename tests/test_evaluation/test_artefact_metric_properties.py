"""Invariants of the ARTeFACT metric over random splits, checked with hypothesis.

``test_artefact_metric.py`` checks the scores against an independent count on fixed images;
the tests here check what must hold for any split: image order, ignored pixels, perfect
predictions, absent classes, ranges, per-domain sums and how pixels are cut into images.
"""
from typing import List, NamedTuple, Optional

import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays
from mmengine.evaluator import Evaluator
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmseg_heritage.class_names import CLASSES
from mmseg_heritage.evaluation.metrics import (ArtefactMetric, confusion_matrix,
                                               scores_from_confusion)
from mmseg_heritage.evaluation.metrics.artefact_metric import PER_CLASS

IGNORE = 255
MEANS = ('mIoU', 'mDice', 'mF1', 'mPrecision', 'mRecall')
# Few examples of tiny images: the whole file runs in a few seconds.


class Image(NamedTuple):
    label: np.ndarray  # H x W, class ids or IGNORE
    prediction: np.ndarray  # H x W, class ids
    material: Optional[str]
    content: Optional[str]


class Split(NamedTuple):
    classes: tuple
    coarse_groups: Optional[dict]
    images: List[Image]

    def metric(self, **kwargs) -> ArtefactMetric:
        # Few resamples: the interval's value is not under test here, only its behaviour.
        return ArtefactMetric(coarse_groups=self.coarse_groups, bootstrap_samples=50, **kwargs)

    def confusions(self) -> np.ndarray:
        return np.stack([confusion_matrix(image.label, image.prediction, len(self.classes))
                         for image in self.images])

    def record(self) -> dict:
        """The metrics.json record, straight from the per-image confusion matrices."""
        return self.metric().evaluate_confusions(
            self.confusions(), self.classes, [image.material for image in self.images],
            [image.content for image in self.images])

    def evaluate(self):
        """Headline numbers and kept per-image matrices, through process + compute_metrics."""
        metric = self.metric(out_dir='')  # '' writes no files
        evaluator = Evaluator(metric)
        evaluator.dataset_meta = dict(classes=self.classes)
        evaluator.process([data_sample(image, f'im{i}') for i, image in enumerate(self.images)])
        confusions = [result['confusion'] for result in metric.results]
        return evaluator.evaluate(len(self.images)), confusions


def data_sample(image: Image, sample_id: str) -> SegDataSample:
    data = SegDataSample(metainfo=dict(sample_id=sample_id, material=image.material,
                                       content=image.content))
    data.gt_sem_seg = PixelData(data=torch.as_tensor(image.label)[None])
    data.pred_sem_seg = PixelData(data=torch.as_tensor(image.prediction)[None])
    return data


@st.composite
def class_setups(draw):
    """Class names and coarse groups: a few classes in random groups, or the ARTeFACT 16."""
    num_classes = draw(st.sampled_from([2, 3, 5, len(CLASSES)]))
    if num_classes == len(CLASSES):
        return CLASSES, None  # the default grouping
    group_of = draw(st.lists(st.integers(0, 2), min_size=num_classes - 1,
                             max_size=num_classes - 1))
    groups = {}
    for class_id, group in enumerate(group_of, start=1):
        groups.setdefault(f'group {group}', []).append(class_id)
    return CLASSES[:num_classes], groups


@st.composite
def splits(draw, max_images=4, perfect=False):
    """Up to 4 images of up to 8 x 8 pixels. Labels use a random subset of the classes, so some
    are absent, while predictions use them all, so some absent classes are predicted."""
    classes, coarse_groups = draw(class_setups())
    num_classes = len(classes)
    labelled = draw(st.lists(st.sampled_from(range(num_classes)), min_size=1, unique=True))
    images = []
    for _ in range(draw(st.integers(1, max_images))):
        shape = draw(array_shapes(min_dims=2, max_dims=2, max_side=8))
        label = draw(arrays(np.uint8, shape, elements=st.sampled_from([*labelled, IGNORE])))
        prediction = draw(arrays(np.int64, shape, elements=st.integers(0, num_classes - 1)))
        if perfect:
            prediction = np.where(label == IGNORE, prediction, label)
        images.append(Image(label, prediction,
                            draw(st.sampled_from(['paper', 'glass', 'film', None])),
                            draw(st.sampled_from(['text', 'photo', None]))))
    return Split(classes, coarse_groups, images)


# Found by these tests: an image without labelled pixels made every resample of it alone NaN,
# and with it the whole interval.
WITH_AN_UNLABELLED_IMAGE = Split(CLASSES[:2], {'group 0': [1]}, [
    Image(np.array([[0, 1]], np.uint8), np.array([[0, 1]]), 'paper', 'text'),
    Image(np.array([[IGNORE]], np.uint8), np.array([[0]]), 'glass', None)])


def score_sections(record: dict):
    """Every block of scores in a record: overall, both coarser levels, every domain."""
    yield record['overall']
    yield record['binary']
    yield record['coarse']
    for key in ('per_material', 'per_content'):
        yield from record[key].values()


def without_interval(record: dict) -> dict:
    return {key: value for key, value in record.items() if key != 'mIoU_ci95'}


@given(split=splits(), data=st.data())
def test_image_order_changes_no_score(split, data):
    order = data.draw(st.permutations(range(len(split.images))))
    shuffled = split._replace(images=[split.images[i] for i in order])
    record = split.record()
    # The interval resamples image *positions* with a fixed seed, so another order draws other
    # images and may move it; only the point scores (everything else) must stay.
    assert without_interval(shuffled.record()) == without_interval(record)
    assert split.record()['mIoU_ci95'] == record['mIoU_ci95']  # same order: reproducible


@given(split=splits(), data=st.data())
def test_predictions_at_ignored_pixels_change_nothing(split, data):
    # 255 included: predictions masked to background outside the artefact must count as nothing.
    values = st.sampled_from([*range(len(split.classes)), IGNORE])
    changed = split._replace(images=[image._replace(prediction=np.where(
        image.label == IGNORE, data.draw(arrays(np.int64, image.label.shape, elements=values)),
        image.prediction)) for image in split.images])
    headline, confusions = split.evaluate()
    changed_headline, changed_confusions = changed.evaluate()
    np.testing.assert_equal(changed_confusions, confusions)
    np.testing.assert_equal(changed_headline, headline)  # NaN (absent) equals NaN here


@given(split=splits(perfect=True))
@example(split=WITH_AN_UNLABELLED_IMAGE)
def test_perfect_predictions_score_100_on_every_present_class(split):
    record = split.record()
    for section in score_sections(record):
        present = [scores for scores in section['classes'].values() if scores['present']]
        assert section['present_classes'] == len(present)
        for scores in present:
            assert all(scores[key] == 100 for key in PER_CLASS), scores
        if present:
            assert section['aAcc'] == 100 and all(section[mean] == 100 for mean in MEANS)
    if len(split.images) < 2 or record['overall']['mIoU'] is None:
        assert record['mIoU_ci95'] is None
    else:
        assert record['mIoU_ci95'] == [100, 100]  # every resample is perfect too
    headline, _ = split.evaluate()
    if record['overall']['present_classes']:
        assert all(headline[key] == 100 for key in ('aAcc', *MEANS, 'coarse_mIoU'))


def present_mean(section: dict, key: str) -> Optional[float]:
    values = [scores[key] for scores in section['classes'].values() if scores['present']]
    return float(np.mean(values)) if values else None


@given(confusion=st.integers(1, 6).flatmap(lambda n: arrays(
    np.int64, (n, n), elements=st.integers(0, 20) | st.just(0))), extra=st.integers(0, 3))
def test_absent_classes_are_none_and_left_out_of_means(confusion, extra):
    # Any confusion matrix; the `| just(0)` makes empty rows (absent classes) common.
    names = [f'class {i}' for i in range(len(confusion) + extra)]
    scores = scores_from_confusion(confusion, names[:len(confusion)])
    for name, row, column in zip(names, confusion, confusion.T):
        class_scores = scores['classes'][name]
        assert class_scores['present'] == (row.sum() > 0)
        assert class_scores['pixels'] == row.sum()
        assert class_scores['predicted_pixels'] == column.sum()
        if not class_scores['present']:
            assert all(class_scores[key] is None for key in PER_CLASS), class_scores
    # Per-class scores are rounded to 4 decimals before this mean, the means after.
    for mean, key in zip(MEANS, ('IoU', 'Dice', 'F1', 'precision', 'recall')):
        expected = present_mean(scores, key)
        assert scores[mean] == (None if expected is None else pytest.approx(expected, abs=1e-4))
    if not confusion.any():
        assert scores['aAcc'] is None and scores['present_classes'] == 0
    # Classes nobody labelled nor predicted, appended, change no mean and not aAcc.
    padded = np.pad(confusion, (0, extra))
    padded_scores = scores_from_confusion(padded, names)
    assert {key: padded_scores[key] for key in ('aAcc', *MEANS, 'present_classes')} == \
        {key: scores[key] for key in ('aAcc', *MEANS, 'present_classes')}


@given(split=splits())
@example(split=WITH_AN_UNLABELLED_IMAGE)
def test_scores_lie_between_0_and_100(split):
    record = split.record()
    for section in score_sections(record):
        values = [section['aAcc'], *(section[mean] for mean in MEANS),
                  *(scores[key] for scores in section['classes'].values() for key in PER_CLASS)]
        assert all(0 <= value <= 100 for value in values if value is not None), section
    if record['mIoU_ci95'] is not None:
        low, high = record['mIoU_ci95']
        assert 0 <= low <= high <= 100


@given(split=splits())
def test_per_material_matrices_add_up_to_the_overall(split):
    record = split.record()
    confusions = split.confusions()
    materials = [image.material for image in split.images]
    matrices = {material: confusions[[m == material for m in materials]].sum(0)
                for material in set(materials) - {None}}
    # Images without a material are in the overall scores but in no material's.
    unassigned = confusions[[m is None for m in materials]].sum(0)
    assert (sum(matrices.values(), unassigned) == confusions.sum(0)).all()
    # The pooled matrix is the one of all labelled pixels at once, not a mean over images.
    all_labels = np.concatenate([image.label.ravel() for image in split.images])
    all_predictions = np.concatenate([image.prediction.ravel() for image in split.images])
    assert (confusions.sum(0) == confusion_matrix(all_labels, all_predictions,
                                                  len(split.classes))).all()
    assert sorted(record['per_material']) == sorted(matrices)
    for material, matrix in matrices.items():
        assert record['per_material'][material] == dict(
            num_images=materials.count(material), **scores_from_confusion(matrix, split.classes))
    # Ground-truth (row) and predicted (column) pixel counts add up across materials too.
    for axis, key in ((1, 'pixels'), (0, 'predicted_pixels')):
        for index, name in enumerate(split.classes):
            assert record['overall']['classes'][name][key] == unassigned.sum(axis)[index] + sum(
                section['classes'][name][key] for section in record['per_material'].values())


@st.composite
def cuts(draw, pixels: int):
    """Cut points that split ``pixels`` pixels into 1-4 non-empty images."""
    return sorted(draw(st.lists(st.integers(1, pixels - 1), unique=True, max_size=3))
                  if pixels > 1 else [])


def regrouped(split: Split, cut_points: List[int], draw) -> Split:
    """The split's pixels, in order, cut into images at ``cut_points``, each of some H x W."""
    labels = np.concatenate([image.label.ravel() for image in split.images])
    predictions = np.concatenate([image.prediction.ravel() for image in split.images])
    images = []
    for label, prediction in zip(np.split(labels, cut_points), np.split(predictions, cut_points)):
        height = draw(st.sampled_from([d for d in range(1, len(label) + 1)
                                       if len(label) % d == 0]))
        images.append(Image(label.reshape(height, -1), prediction.reshape(height, -1),
                            'paper', None))
    return split._replace(images=images)


@given(split=splits(), data=st.data())
def test_cutting_the_same_pixels_into_other_images_keeps_the_scores(split, data):
    pixels = sum(image.label.size for image in split.images)
    one = regrouped(split, data.draw(cuts(pixels)), data.draw)
    other = regrouped(split, data.draw(cuts(pixels)), data.draw)
    whole = regrouped(split, [], data.draw)  # a single image of all the pixels

    def point_scores(candidate: Split) -> dict:
        # The interval resamples images, so it depends on the cut; nothing else may.
        headline, _ = candidate.evaluate()
        return {key: value for key, value in headline.items() if 'ci95' not in key}

    expected = point_scores(whole)
    np.testing.assert_equal(point_scores(one), expected)
    np.testing.assert_equal(point_scores(other), expected)
