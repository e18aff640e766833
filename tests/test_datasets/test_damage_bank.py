"""Damage banks: built from a dataset's training split and from cut-outs, read back exactly."""
import json

import cv2
import numpy as np
import pytest

from mmseg_heritage.class_names import CLASSES
from mmseg_heritage.datasets import DamageBank
from mmseg_heritage.datasets.preparation import build_damage_bank, read_split

from helpers import read_mask

CLASSES_TAKEN = ('Dust', 'Scratch', 'Hair', 'Dirt', 'Cracks', 'Material loss')


@pytest.fixture(scope='module')
def bank(synthetic_root, tmp_path_factory):
    out = tmp_path_factory.mktemp('bank') / 'bank'
    build_damage_bank(out, data_root=synthetic_root, classes=CLASSES_TAKEN, min_pixels=1)
    return DamageBank(out)


def write_cutouts(folder, shapes):
    """One cut-out per (kind, name, array) in ``folder/kind/name``."""
    for kind, name, array in shapes:
        (folder / kind).mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(folder / kind / name), array)


def test_an_instance_is_its_source_pixels_and_region(bank, synthetic_root):
    checked = 0
    for records in bank.instances.values():
        for record in records[:3]:
            colour, alpha = bank.load(record)
            top, left, height, width = record['box']
            image = cv2.imread(str(synthetic_root / 'images' / f"{record['source']}.png"))
            mask = read_mask(synthetic_root / 'annotations' / f"{record['source']}.png")
            box = slice(top, top + height), slice(left, left + width)
            inside = alpha > 0
            np.testing.assert_array_equal(colour[inside], image[box][..., ::-1][inside])
            # The alpha is one 8-connected region of the class, and all of the class there.
            assert (mask[box][inside] == record['class_id']).all()
            count, labels = cv2.connectedComponents(inside.astype(np.uint8), connectivity=8)
            assert count == 2 and record['pixels'] == int(inside.sum())
            assert set(np.unique(alpha)) <= {0.0, 1.0}
            checked += 1
    assert checked >= 6 and set(bank.class_ids) <= {CLASSES.index(c) for c in CLASSES_TAKEN}


def test_validation_and_test_images_never_feed_the_bank(bank, synthetic_root):
    train = set(read_split(synthetic_root / 'splits/train.txt'))
    sources = {r['source'] for records in bank.instances.values() for r in records}
    assert sources and sources <= train


def test_a_training_id_also_in_test_is_refused(synthetic_root, tmp_path):
    root = tmp_path / 'leaky'
    (root / 'splits').mkdir(parents=True)
    train = read_split(synthetic_root / 'splits/train.txt')
    (root / 'splits/train.txt').write_text('\n'.join(train))
    (root / 'splits/test.txt').write_text(train[0])
    with pytest.raises(ValueError, match='leak'):
        build_damage_bank(tmp_path / 'bank', data_root=root)
    assert not (tmp_path / 'bank').exists() and not list(tmp_path.glob('.bank*'))


def test_cutouts_by_folder_class_rgba_and_single_channel(tmp_path):
    rgba = np.zeros((40, 50, 4), np.uint8)
    rgba[10:20, 5:30] = (10, 20, 30, 200)  # BGRA as OpenCV writes it
    grey = np.zeros((30, 30), np.uint8)
    grey[3:9, 4:6] = 255
    write_cutouts(tmp_path / 'cuts', [('dots', 'a.png', rgba), ('hair', 'b.png', grey)])
    index = build_damage_bank(tmp_path / 'bank', cutout_dirs=[tmp_path / 'cuts'])
    assert index['classes'] == {'Dust': 1, 'Hair': 1}
    bank = DamageBank(tmp_path / 'bank')
    colour, alpha = bank.load(bank.instances[CLASSES.index('Dust')][0])
    assert colour.shape == (10, 25, 3) and (colour == (30, 20, 10)).all()  # RGB
    np.testing.assert_allclose(alpha, 200 / 255)
    colour, alpha = bank.load(bank.instances[CLASSES.index('Hair')][0])
    assert alpha.shape == (6, 2) and (colour == 255).all() and (alpha == 1).all()
    record = bank.instances[CLASSES.index('Hair')][0]
    assert record['kind'] == 'cutout' and record['source'] == 'hair/b.png'
    assert record['box'] == [3, 4, 6, 2]


def test_an_unmapped_folder_is_named_and_nothing_written(tmp_path):
    write_cutouts(tmp_path / 'cuts', [('smudges', 'a.png', np.full((4, 4), 255, np.uint8))])
    with pytest.raises(ValueError, match='smudges'):
        build_damage_bank(tmp_path / 'bank', cutout_dirs=[tmp_path / 'cuts'])
    assert not (tmp_path / 'bank').exists()


def test_building_is_deterministic_and_replaces_an_old_bank(synthetic_root, tmp_path):
    first = build_damage_bank(tmp_path / 'a', data_root=synthetic_root, classes=['Dust', 'Hair'])
    build_damage_bank(tmp_path / 'b', data_root=synthetic_root, classes=['Dust', 'Hair'])
    second = json.loads((tmp_path / 'b/index.json').read_text())
    assert first['instances'] == second['instances']
    for record in first['instances']:
        assert (tmp_path / 'a' / record['file']).read_bytes() == \
            (tmp_path / 'b' / record['file']).read_bytes()
    # A rebuild with other classes replaces the bank as a whole.
    build_damage_bank(tmp_path / 'a', data_root=synthetic_root, classes=['Hair'])
    assert set(DamageBank(tmp_path / 'a').class_ids) == {CLASSES.index('Hair')}
    assert not (tmp_path / 'a/instances/dust').exists()


def test_a_broken_index_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='no damage bank'):
        DamageBank(tmp_path)
    (tmp_path / 'index.json').write_text('{"version": 1, "instances": [{"file": "x.png", '
                                         '"class_id": 0, "kind": "cutout"}]}')
    with pytest.raises(ValueError, match='x.png'):
        DamageBank(tmp_path)
