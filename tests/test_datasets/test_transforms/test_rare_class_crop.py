import json
from collections import Counter

import numpy as np
import pytest
from mmseg.registry import TRANSFORMS

import mmseg_heritage  # noqa: F401  registers the transforms
from mmseg_heritage.datasets.preparation import class_weights_record
from mmseg_heritage.datasets.transforms import RareClassCrop


@pytest.fixture(autouse=True)
def seeded():
    """The transform draws from np.random; a fixed seed keeps the frequency tests stable."""
    np.random.seed(0)


def sample(seg_map):
    height, width = seg_map.shape
    image = np.random.randint(0, 256, (height, width, 3), np.uint8)
    return dict(img=image, gt_seg_map=seg_map.copy(), img_shape=(height, width),
                seg_fields=['gt_seg_map'])


def test_crops_image_and_every_segmentation_map():
    seg_map = np.random.randint(0, 16, (100, 120)).astype(np.uint8)
    results = sample(seg_map)
    results['gt_edge_map'] = seg_map.copy()
    results['seg_fields'].append('gt_edge_map')
    results = RareClassCrop((32, 48), prob=1.0)(results)
    assert results['img'].shape == (32, 48, 3) and results['img_shape'] == (32, 48)
    assert results['gt_seg_map'].shape == (32, 48)
    assert np.array_equal(results['gt_edge_map'], results['gt_seg_map'])
    assert results['crop_class'] in range(16)


def test_crop_finds_a_single_rare_pixel():
    seg_map = np.zeros((200, 200), np.uint8)
    seg_map[150, 30] = 5
    seg_map[:10] = 255
    transform = RareClassCrop(64, prob=1.0)
    hits = sum(bool((transform(sample(seg_map))['gt_seg_map'] == 5).any())
               for _ in range(200))
    assert hits >= 198  # Clean (1 / 38,000 of the weight) is drawn almost never
    # Random crops of the same size hold the pixel only about a tenth of the time.
    misses = sum(not (RareClassCrop(64, prob=0.0)(sample(seg_map))['gt_seg_map'] == 5).any()
                 for _ in range(200))
    assert misses > 120


def test_drawn_class_follows_rarity_weights():
    seg_map = np.zeros((60, 60), np.uint8)
    seg_map[:30, :30], seg_map[30:, 30:] = 1, 2  # equal areas
    weights = [1.0] * 16
    weights[0], weights[2] = 0.0, 10.0
    transform = RareClassCrop(16, prob=1.0, class_weights=weights)
    drawn = Counter(transform(sample(seg_map))['crop_class'] for _ in range(400))
    assert set(drawn) <= {1, 2} and drawn[2] > 5 * drawn[1]

    # Without weights: the inverse of each class's pixels in this map.
    seg_map[:] = 0
    seg_map[0, :10], seg_map[10:20, 10:20] = 1, 2  # 10 and 100 pixels in 3600
    drawn = Counter(RareClassCrop(16, prob=1.0)(sample(seg_map))['crop_class']
                    for _ in range(400))
    assert drawn[1] > drawn[2] > drawn[0]


def test_prob_zero_or_only_ignored_pixels_give_random_crops():
    seg_map = np.zeros((80, 80), np.uint8)
    seg_map[40, 40] = 14
    corners = set()
    for _ in range(50):
        results = RareClassCrop(20, prob=0.0)(sample(seg_map))
        assert results['crop_class'] is None and results['gt_seg_map'].shape == (20, 20)
        corners.add(results['img'][0, 0].tobytes())
    assert len(corners) > 10
    ignored = np.full((30, 30), 255, np.uint8)
    results = RareClassCrop(10, prob=1.0)(sample(ignored))
    assert results['crop_class'] is None and results['img'].shape == (10, 10, 3)


def test_weights_from_a_class_weights_file(tmp_path):
    path = tmp_path / 'class_weights.json'
    counts = [10_000] + [100] * 14 + [1]
    record = class_weights_record(counts)
    path.write_text(json.dumps(record))
    transform = RareClassCrop(8, prob=1.0, class_weights=str(path), weighting='inverse')
    assert transform.class_weights.tolist() == record['weights']['inverse']
    default = RareClassCrop(8, class_weights=path)
    assert default.class_weights.tolist() == record['weights']['log']
    seg_map = np.zeros((40, 40), np.uint8)
    seg_map[20:, 20:] = 15
    drawn = Counter(transform(sample(seg_map))['crop_class'] for _ in range(100))
    assert drawn[15] > 90
    with pytest.raises(ValueError, match='no class weights'):
        RareClassCrop(8, class_weights=path, weighting='sqrt')


def test_crop_larger_than_the_image_keeps_it_whole():
    seg_map = np.zeros((20, 30), np.uint8)
    seg_map[5, 25] = 9
    results = RareClassCrop((64, 16), prob=1.0)(sample(seg_map))
    assert results['img'].shape == (20, 16, 3) and results['img_shape'] == (20, 16)
    assert results['crop_class'] == 9 and (results['gt_seg_map'] == 9).any()


def test_global_seed_makes_crops_reproducible():
    seg_map = np.random.randint(0, 4, (64, 64)).astype(np.uint8)
    results = []
    for _ in range(2):
        np.random.seed(7)
        data = sample(seg_map)
        results.append(RareClassCrop(16, prob=0.5)(data))
    assert np.array_equal(results[0]['img'], results[1]['img'])
    assert results[0]['crop_class'] == results[1]['crop_class']


def test_built_from_the_registry():
    transform = TRANSFORMS.build(dict(type='RareClassCrop', crop_size=(16, 24), prob=0.7))
    assert isinstance(transform, RareClassCrop)
    assert repr(transform) == ('RareClassCrop(crop_size=(16, 24), prob=0.7, class_weights=None, '
                               'weighting=None, ignore_index=255)')
    with pytest.raises(ValueError, match='crop_size'):
        RareClassCrop((16, 0))
    with pytest.raises(ValueError, match='prob'):
        RareClassCrop(16, prob=1.5)
