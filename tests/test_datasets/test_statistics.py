import numpy as np

from mmseg_heritage.class_names import CLASSES
from mmseg_heritage.datasets.preparation import PixelStatistics
from mmseg_heritage.utils.pixel_counts import count_pixels, unknown_values


def test_counts_ignore_background_and_find_unknown_values():
    mask = np.array([[0, 0, 1], [15, 255, 255]], np.uint8)
    assert count_pixels(mask).tolist() == [2, 1] + [0] * 13 + [1]
    assert unknown_values(mask) == []
    assert unknown_values(np.array([[16, 254, 255, 3]], np.uint8)) == [16, 254]


def test_per_domain_counts_add_up():
    rng = np.random.default_rng(0)
    statistics, total = PixelStatistics(), np.zeros(16, np.int64)
    for index in range(6):
        mask = rng.choice([0, 2, 9, 255], size=(8, 8)).astype(np.uint8)
        statistics.add_mask(mask, ['Paper', 'Glass'][index % 2], ['Line art', 'x', 'y'][index % 3])
        total += np.bincount(mask[mask != 255], minlength=16)
    record = statistics.to_dict()
    assert record['num_images'] == 6
    assert [record['pixels'][c] for c in CLASSES] == total.tolist()
    for group in ('pixels_per_material', 'pixels_per_content'):
        summed = np.sum([[counts[c] for c in CLASSES] for counts in record[group].values()], 0)
        assert summed.tolist() == total.tolist()
    assert record['images_per_material'] == {'Glass': 3, 'Paper': 3}
    assert record['images_per_content'] == {'Line art': 2, 'x': 2, 'y': 2}
    assert abs(sum(record['pixel_share'].values()) - 1) < 1e-9
