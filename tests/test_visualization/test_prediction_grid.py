import cv2
import numpy as np

from mmseg_heritage.visualization import colourise, save_prediction_grid


def test_colourise_uses_the_palette_and_background_colour():
    rgb = colourise(np.array([[0, 1, 15, 255]], np.uint8))
    assert rgb.tolist() == [[[0, 0, 0], [28, 230, 255], [246, 255, 27], [90, 0, 7]]]


def test_grid_is_written(tmp_path):
    mask = np.zeros((32, 32), np.uint8)
    mask[8:16] = 7
    image = np.full((32, 32, 3), 200, np.uint8)
    path = tmp_path / 'grid.png'
    save_prediction_grid([('a', image, mask, mask), ('b', image, mask, np.zeros_like(mask))],
                         str(path))
    picture = cv2.imread(str(path))
    assert picture is not None and picture.shape[0] > picture.shape[1] / 2
