import cv2
import numpy as np

from mmseg_heritage.datasets import make_sample


def test_sample_is_deterministic_and_well_formed():
    image, mask, material, content = make_sample(7, size=96)
    again = make_sample(7, size=96)
    assert image.shape == (96, 96, 3) and image.dtype == np.uint8
    assert mask.shape == (96, 96) and mask.dtype == np.uint8
    assert np.array_equal(image, again[0]) and np.array_equal(mask, again[1])
    assert (material, content) == again[2:]
    assert not np.array_equal(mask, make_sample(8, size=96)[1])


def test_samples_hold_damage_of_many_classes_and_background():
    masks = [make_sample(seed, size=96)[1] for seed in range(40)]
    present = set(np.unique(np.stack(masks)))
    assert present >= set(range(16)) | {255}
    clean_share = np.mean([np.mean(m[m != 255] == 0) for m in masks])
    assert 0.7 < clean_share < 0.99  # clean dominates, as in ARTeFACT


def test_generated_layout(synthetic_root):
    train = (synthetic_root / 'splits/train.txt').read_text().split()
    val = (synthetic_root / 'splits/val.txt').read_text().split()
    assert len(train) == 8 and len(val) == 3 and not set(train) & set(val)
    for sample_id in train + val:
        image = cv2.imread(str(synthetic_root / 'images' / f'{sample_id}.png'))
        mask = cv2.imread(str(synthetic_root / 'annotations' / f'{sample_id}.png'),
                          cv2.IMREAD_UNCHANGED)
        assert image.shape == (64, 64, 3) and mask.shape == (64, 64)
    header, *rows = (synthetic_root / 'metadata.csv').read_text().splitlines()
    assert header == 'id,material,content,width,height' and len(rows) == 11
