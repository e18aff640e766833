"""Synthetic scans of real photographs: content, determinism, splits by photograph."""
import csv
import json

import cv2
import numpy as np
import pytest

from mmseg_heritage.datasets import ArtefactDataset
from mmseg_heritage.datasets.preparation import build_damage_bank, read_split
from mmseg_heritage.datasets.preparation.synthetic import photo_scans
from mmseg_heritage.datasets.preparation.synthetic.photo_scans import (
    BANK_CLASSES, CRACKS, FOLD, MATERIAL_LOSS, SCRATCH, bright_areas, content_images,
    generate_photo_scan_dataset, make_photo_scan)

DRAWN = {CRACKS, FOLD, MATERIAL_LOSS, SCRATCH}


@pytest.fixture(scope='module')
def photos(tmp_path_factory):
    """Twelve small 'photographs' (smooth colour fields with edges and a bright highlight)."""
    folder = tmp_path_factory.mktemp('photos')
    for index in range(12):
        rng = np.random.default_rng(index)
        field = cv2.resize(rng.integers(0, 255, (6, 8, 3), dtype=np.uint8), (200, 150),
                           interpolation=cv2.INTER_CUBIC)
        cv2.circle(field, (60, 50), 12, (255, 255, 255), -1)
        cv2.imwrite(str(folder / f'photo_{index:02d}.jpg'), field)
    return folder


@pytest.fixture(scope='module')
def bank(tmp_path_factory):
    folder = tmp_path_factory.mktemp('cutouts')
    for kind in ('dots', 'hair'):
        (folder / kind).mkdir()
        shape = np.zeros((20, 20), np.uint8)
        cv2.line(shape, (2, 3), (17, 15), 255, 2)
        cv2.imwrite(str(folder / kind / 'a.png'), shape)
    build_damage_bank(folder / 'bank', cutout_dirs=[folder])
    return folder / 'bank'


def test_content_from_folders_patterns_and_sizes(tmp_path):
    theme = tmp_path / 'wallpapers/Theme/contents/images'
    theme.mkdir(parents=True)
    for name, size in (('1920x1080.jpg', (108, 192)), ('640x480.jpg', (48, 64))):
        cv2.imwrite(str(theme / name), np.zeros(size + (3, ), np.uint8))
    (tmp_path / 'more').mkdir()
    cv2.imwrite(str(tmp_path / 'more/b.png'), np.zeros((8, 8, 3), np.uint8))
    found = content_images([str(tmp_path / 'wallpapers/*/contents/images*/*'),
                            str(tmp_path / 'more')])
    # One picture at two sizes counts once, at its largest.
    assert found == [theme / '1920x1080.jpg', tmp_path / 'more/b.png']
    with pytest.raises(FileNotFoundError, match='no such folder'):
        content_images([str(tmp_path / 'missing')])
    with pytest.raises(FileNotFoundError, match='no photograph'):
        content_images([str(tmp_path / 'nothing*.png')])


def test_a_package_that_is_not_installed_is_named(monkeypatch):
    monkeypatch.setattr(photo_scans.importlib.util, 'find_spec', lambda name: None)
    with pytest.raises(FileNotFoundError, match="'sklearn'.*requirements/starter.txt"):
        content_images(['sklearn'])


def test_a_scan_is_deterministic_never_enlarged_and_damaged_as_drawn(photos, bank):
    from mmseg_heritage.datasets import DamageBank
    photo = cv2.imread(str(photos / 'photo_00.jpg'))
    damage = DamageBank(bank)
    seen = set()
    for seed in range(12):
        image, mask = make_photo_scan(np.random.default_rng(seed), photo, damage, size=128,
                                      clean_share=0.0)
        again = make_photo_scan(np.random.default_rng(seed), photo, damage, size=128,
                                clean_share=0.0)
        np.testing.assert_array_equal(image, again[0])
        np.testing.assert_array_equal(mask, again[1])
        assert image.dtype == np.uint8 and image.shape[:2] == mask.shape
        assert max(mask.shape) <= 128 and min(mask.shape) <= 150  # cut, not enlarged
        seen.update(np.unique(mask).tolist())
    assert seen - {0} <= DRAWN | set(BANK_CLASSES) and len(seen - {0}) >= 3
    image, mask = make_photo_scan(np.random.default_rng(0), photo, damage, clean_share=1.0)
    assert not mask.any() and image.shape[:2] == photo.shape[:2]  # small: taken whole


def test_bright_areas_add_paper_margins_and_burnt_out_highlights():
    # Mid-grey content with texture: a margin is a band of one paper colour at an edge, and
    # overexposure clips part of the image to white; the rest of the scans are left alone.
    image = np.random.default_rng(0).uniform(90, 200, (60, 80, 3)).astype(np.float32)
    margins = overexposed = unchanged = 0
    for seed in range(40):
        out = bright_areas(np.random.default_rng(seed), image)
        assert out.shape == image.shape and out.min() >= 0 and out.max() <= 255
        edges = (out[0], out[-1], out[:, 0], out[:, -1])
        if any((edge == edge[0]).all() and edge[0].min() >= 160 for edge in edges):
            margins += 1
        overexposed += int((out == 255).any())
        unchanged += int(np.array_equal(out, image))
    assert margins >= 5 and overexposed >= 5 and unchanged >= 10


def test_the_dataset_splits_by_photograph(photos, bank, tmp_path):
    root = generate_photo_scan_dataset(tmp_path / 'scans', [str(photos)], bank, num_images=24,
                                       size=96, seed=3, held_out=(0.2, 0.2))
    content = json.loads((root / 'content.json').read_text())
    with open(root / 'metadata.csv', newline='') as f:
        photo_of = {row['id']: row['original_id'] for row in csv.DictReader(f)}
    used = {part: {photo_of[i] for i in read_split(root / f'splits/{part}.txt')}
            for part in ('train', 'val', 'test')}
    assert all(used.values())
    assert not used['train'] & (used['val'] | used['test']) and not used['val'] & used['test']
    for part, stems in used.items():
        assert stems <= {p.rsplit('/', 1)[-1][:-4] for p in content['photos'][part]}
    assert (root / 'class_weights.json').is_file()
    dataset = ArtefactDataset(data_root=str(root), ann_file='splits/test.txt',
                              img_suffix='.jpg', pipeline=[], test_mode=True)
    assert len(dataset) == len(read_split(root / 'splits/test.txt'))
    # Another seed (the same split seed) and only the test part: new scans of the same test
    # photographs.
    more = generate_photo_scan_dataset(tmp_path / 'more', [str(photos)], bank, num_images=6,
                                       size=96, seed=4, held_out=(0.2, 0.2), parts=['test'])
    assert not read_split(more / 'splits/train.txt') and len(read_split(more / 'splits/test.txt'))
    with open(more / 'metadata.csv', newline='') as f:
        assert {row['original_id'] for row in csv.DictReader(f)} <= {
            p.rsplit('/', 1)[-1][:-4] for p in content['photos']['test']}
    assert json.loads((more / 'content.json').read_text())['photos'] == content['photos']
