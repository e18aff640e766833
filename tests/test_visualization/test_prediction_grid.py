import cv2
import matplotlib.pyplot as plt
import numpy as np

from mmseg_heritage.apis import SamplePrediction
from mmseg_heritage.visualization import colourise, save_prediction_grid
from mmseg_heritage.visualization.prediction_grid import (IGNORED_COLOUR, WRONG_COLOUR, error_map,
                                                          prediction_grid)


def test_colourise_uses_the_palette_and_background_colour():
    rgb = colourise(np.array([[0, 1, 15, 255]], np.uint8))
    assert rgb.tolist() == [[[0, 0, 0], [28, 230, 255], [246, 255, 27], [90, 0, 7]]]


def test_error_map_dims_right_pixels_and_marks_wrong_and_ignored_ones():
    image = np.array([[[100, 100, 100], [200, 200, 200], [50, 50, 50]],
                      [[255, 0, 0], [20, 20, 20], [0, 0, 0]]], np.uint8)
    ground_truth = np.array([[0, 1, 255], [2, 2, 255]], np.uint8)
    prediction = np.array([[0, 3, 0], [2, 9, 7]], np.uint8)
    errors = error_map(image, ground_truth, prediction)
    assert errors.dtype == np.uint8 and errors.shape == (2, 3, 3)
    # Right: the image's grey (0.299 R + 0.587 G + 0.114 B) times 0.55, so pure red -> 76 -> 42.
    assert errors[0, 0].tolist() == [55, 55, 55]
    assert errors[1, 0].tolist() == [42, 42, 42]
    assert errors[0, 1].tolist() == errors[1, 1].tolist() == list(WRONG_COLOUR) == [255, 0, 0]
    # Unlabelled pixels are neither right nor wrong, whatever was predicted there.
    assert errors[0, 2].tolist() == errors[1, 2].tolist() == list(IGNORED_COLOUR)


def samples():
    image = np.tile(np.linspace(0, 255, 32, dtype=np.uint8)[None, :, None], (32, 1, 3))
    truth = np.zeros((32, 32), np.uint8)
    truth[8:16] = 7
    truth[:, :4] = 255
    prediction = np.zeros_like(truth)
    prediction[10:20] = 3
    return [SamplePrediction('a', image, truth, truth.copy(), 100.0, 100.0),
            SamplePrediction('b', image, truth, prediction, 12.345, 67.89),
            SamplePrediction('c', image, np.full_like(truth, 255), prediction, None, None)]


def test_grid_has_four_panels_per_row_and_scores_in_titles():
    figures_before = plt.get_fignums()
    fig = prediction_grid(samples())
    assert [len(row.axes) for row in fig.subfigs] == [4, 4, 4]
    assert [row.get_suptitle() for row in fig.subfigs] == [
        'a: mIoU 100.0 %, accuracy 100.0 %', 'b: mIoU 12.3 %, accuracy 67.9 %',
        'c: no labelled pixel']
    assert [a.get_title() for a in fig.subfigs[0].axes] == [
        'image', 'ground truth', 'prediction', 'errors']
    [legend] = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == [
        'Clean', 'Dust', 'Fold', 'wrong', 'ignored (not labelled)']
    assert plt.get_fignums() == figures_before  # nothing left open in pyplot


def test_grid_is_written(tmp_path):
    path = tmp_path / 'grid.png'
    save_prediction_grid(samples(), path)
    picture = cv2.imread(str(path))
    assert picture is not None and picture.shape[0] > picture.shape[1] / 2
    assert picture.std() > 10
    # The errors panel of row b holds the wrong colour (BGR in OpenCV).
    assert ((picture == (0, 0, 255)).all(axis=2)).sum() > 50
    assert [p.name for p in tmp_path.iterdir()] == ['grid.png']  # no partial file left
