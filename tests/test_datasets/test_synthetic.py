import json

import cv2
import numpy as np

from mmseg_heritage.class_names import colourise
from mmseg_heritage.datasets import read_metadata
from mmseg_heritage.datasets.preparation import generate_synthetic_dataset, make_sample, read_split
from mmseg_heritage.datasets.preparation.synthetic.dataset import sample_seed

from helpers import read_mask


def test_generated_layout_matches_the_converter(synthetic_root):
    rows = read_metadata(synthetic_root)
    assert len(rows) == 16
    for row in rows:
        sample_id = row['id']
        image = cv2.imread(str(synthetic_root / 'images' / f'{sample_id}.png'))
        mask = read_mask(synthetic_root / 'annotations' / f'{sample_id}.png')
        rgb = cv2.imread(str(synthetic_root / 'annotations_rgb' / f'{sample_id}.png'))
        assert image.shape == (64, 64, 3) and mask.shape == (64, 64)
        assert np.array_equal(rgb[..., ::-1], colourise(mask))
        assert (row['width'], row['height'], row['source_id']) == (64, 64, sample_id)
    statistics = json.loads((synthetic_root / 'statistics.json').read_text())
    masks = [read_mask(synthetic_root / 'annotations' / f"{r['id']}.png") for r in rows]
    counts = np.bincount(np.concatenate([m[m != 255] for m in masks]), minlength=16)
    assert list(statistics['pixels'].values()) == counts.tolist()
    weights = json.loads((synthetic_root / 'class_weights.json').read_text())
    assert weights['default'] == 'log' and len(weights['weights']['log']) == 16
    parts = [read_split(synthetic_root / 'splits' / f'{p}.txt') for p in ('train', 'val', 'test')]
    assert sorted(sum(parts, [])) == sorted(r['id'] for r in rows)


def test_generation_is_deterministic(tmp_path):
    first = generate_synthetic_dataset(tmp_path / 'a', num_images=3, size=(40, 56), seed=4)
    second = generate_synthetic_dataset(tmp_path / 'b', num_images=3, size=(40, 56), seed=4)
    for row in read_metadata(first):
        for folder in ('images', 'annotations'):
            path = f"{folder}/{row['id']}.png"
            assert (first / path).read_bytes() == (second / path).read_bytes()
        assert (row['height'], row['width']) == (40, 56)
    assert (first / 'splits/train.txt').read_text() == (second / 'splits/train.txt').read_text()
    image, mask, *_ = make_sample(sample_seed(4, 0), (40, 56))
    assert np.array_equal(read_mask(first / 'annotations/synthetic_4_00000.png'), mask)
