import cv2
import numpy as np

from mmseg_heritage.evaluation import majority_baseline


def test_majority_baseline_matches_a_hand_computation(tmp_path):
    masks = [np.array([[0, 0, 0, 255]], np.uint8), np.array([[0, 3, 3, 7]], np.uint8)]
    paths = []
    for i, mask in enumerate(masks):
        paths.append(tmp_path / f'{i}.png')
        cv2.imwrite(str(paths[-1]), mask)
    # 7 valid pixels: 4 Clean, 2 Dust, 1 Fold -> Clean everywhere: IoU(Clean) = 4/7, the other
    # two present classes 0, absent classes left out of the mean.
    baseline = majority_baseline(paths)
    assert baseline['class_name'] == 'Clean'
    assert baseline['aAcc'] == round(100 * 4 / 7, 2)
    assert baseline['mIoU'] == round(100 * 4 / 7 / 3, 2)


def test_the_majority_need_not_be_clean(tmp_path):
    path = tmp_path / 'mask.png'
    cv2.imwrite(str(path), np.array([[3, 3, 3, 0]], np.uint8))
    assert majority_baseline([path]) == dict(class_name='Dust', aAcc=75.0,
                                             mIoU=round(75 / 2, 2))
