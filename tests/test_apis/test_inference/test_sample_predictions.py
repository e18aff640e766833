import cv2
import numpy as np
import pytest
from mmengine.config import Config

from mmseg_heritage.apis import DamageInferencer
from mmseg_heritage.apis.inference.sample_predictions import (fit_within, sample_predictions,
                                                              score_image)

from helpers import read_mask


@pytest.fixture(scope='module')
def model(trained_work_dir):
    """(config, checkpoint) of the 4-iteration run on the synthetic dataset."""
    return (str(trained_work_dir / 'unet_s_synthetic_160.py'),
            str(trained_work_dir / 'iter_4.pth'))


@pytest.fixture(scope='module')
def train_samples(model):
    return sample_predictions(*model, split='train')


def split_ids(root, split):
    return (root / f'splits/{split}.txt').read_text().split()


def test_every_image_scored_as_numpy_scores_the_inferencers_prediction(
        model, train_samples, synthetic_root):
    assert [s.name for s in train_samples] == split_ids(synthetic_root, 'train')
    inferencer = DamageInferencer(*model, device='cpu')
    for sample in train_samples:
        image = cv2.imread(str(synthetic_root / f'images/{sample.name}.png'))
        truth = read_mask(synthetic_root / f'annotations/{sample.name}.png')
        prediction = inferencer.predict(image)
        np.testing.assert_array_equal(sample.prediction, prediction)
        np.testing.assert_array_equal(sample.ground_truth, truth)
        np.testing.assert_array_equal(sample.image, image[..., ::-1])
        labelled = truth != 255
        ious = []
        for c in np.unique(truth[labelled]):
            in_truth, predicted = labelled & (truth == c), labelled & (prediction == c)
            ious.append((in_truth & predicted).sum() / (in_truth | predicted).sum())
        assert sample.mIoU == pytest.approx(100 * np.mean(ious), abs=1e-3)
        assert sample.accuracy == pytest.approx(
            100 * (prediction[labelled] == truth[labelled]).mean(), abs=1e-3)


def test_worst_are_the_lowest_scores_in_ascending_order(model, train_samples):
    worst = sample_predictions(*model, split='train', worst=3)
    expected = sorted(train_samples, key=lambda s: (s.mIoU, s.name))[:3]
    assert [(s.name, s.mIoU) for s in worst] == [(s.name, s.mIoU) for s in expected]
    assert worst[0].mIoU <= worst[1].mIoU <= worst[2].mIoU


def test_chosen_images_in_the_order_given_from_a_config_object(model, train_samples):
    config = Config.fromfile(model[0])
    names = [train_samples[5].name, train_samples[0].name]
    chosen = sample_predictions(config, model[1], split='train', images=names)
    assert [s.name for s in chosen] == names
    assert chosen[0].mIoU == train_samples[5].mIoU
    np.testing.assert_array_equal(chosen[1].prediction, train_samples[0].prediction)


def test_unknown_image_and_missing_files_are_named(model, synthetic_root, tmp_path):
    with pytest.raises(ValueError, match=r"'no_such_scan'.*synthetic_1_00002"):
        sample_predictions(*model, images=['no_such_scan'])
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        sample_predictions(model[0], tmp_path / 'missing.pth')
    with pytest.raises(FileNotFoundError, match='missing.py'):
        sample_predictions(tmp_path / 'missing.py', model[1])


def test_pictures_are_shrunk_after_scoring_at_full_size(model, synthetic_root):
    full = sample_predictions(*model, split='val')
    small = sample_predictions(*model, split='val', max_side=40)
    assert [s.name for s in small] == split_ids(synthetic_root, 'val')
    for big, shrunk in zip(full, small):
        assert shrunk.image.shape == (40, 40, 3) and shrunk.image.dtype == np.uint8
        assert shrunk.ground_truth.shape == shrunk.prediction.shape == (40, 40)
        # Nearest neighbour: only class ids that were there, no blends of them.
        assert set(np.unique(shrunk.ground_truth)) <= set(np.unique(big.ground_truth))
        assert set(np.unique(shrunk.prediction)) <= set(range(16))
        assert (shrunk.mIoU, shrunk.accuracy) == (big.mIoU, big.accuracy)


def test_score_image_leaves_unlabelled_pixels_and_absent_classes_out():
    truth = np.array([[0, 0, 3, 255]], np.uint8)
    prediction = np.array([[0, 3, 3, 5]], np.uint8)
    # Clean: IoU 1/2; Dust: 1/2; class 5 absent from the truth, pixel 4 not labelled.
    assert score_image(truth, prediction) == (50.0, pytest.approx(100 * 2 / 3, abs=1e-3))
    assert score_image(np.full((2, 2), 255, np.uint8), np.zeros((2, 2), np.uint8)) == (None,
                                                                                       None)


def test_fit_within_keeps_the_aspect_and_never_enlarges():
    tall = np.zeros((100, 50, 3), np.uint8)
    assert fit_within(tall, 40, cv2.INTER_AREA).shape == (40, 20, 3)
    assert fit_within(tall, 100, cv2.INTER_AREA) is tall
