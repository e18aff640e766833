"""DamageCopyPaste: pastes bank instances, labels exactly where they show, leaves 255 alone."""
from collections import Counter

import cv2
import numpy as np
import pytest

from mmseg_heritage.class_names import CLASSES
from mmseg_heritage.datasets.preparation import build_damage_bank
from mmseg_heritage.datasets.transforms import DamageCopyPaste
from mmseg_heritage.datasets.transforms.damage_copy_paste import paste_damage

DUST, HAIR = CLASSES.index('Dust'), CLASSES.index('Hair')


def disc(size=21, fringe=0.2):
    """Alpha of a disc: 1 inside radius 6, ``fringe`` out to radius 9, 0 beyond."""
    rows, cols = np.mgrid[:size, :size] - size // 2
    radius = np.hypot(rows, cols)
    return np.where(radius <= 6, 1.0, np.where(radius <= 9, fringe, 0.0)).astype(np.float32)


@pytest.fixture(scope='module')
def bank(tmp_path_factory):
    """Ten dust discs and one hair cut-out (white damage, shape in a single channel)."""
    folder = tmp_path_factory.mktemp('cutouts')
    for kind, count in (('dots', 10), ('hair', 1)):
        (folder / kind).mkdir()
        for index in range(count):
            cv2.imwrite(str(folder / kind / f'{index}.png'), np.rint(disc() * 255).astype(np.uint8))
    out = folder / 'bank'
    build_damage_bank(out, cutout_dirs=[folder])
    return out


def plain(bank, **kwargs):
    """The transform with one instance per sample, unscaled, unturned, fully opaque."""
    settings = dict(prob=1.0, num_instances=(1, 1), scale=(1, 1), rotation=0, flip=False,
                    opacity=(1, 1), blend_modes=['alpha'])
    return DamageCopyPaste(bank, **{**settings, **kwargs})


def test_the_mask_is_set_exactly_under_the_thresholded_alpha():
    image = np.full((40, 40, 3), 120, np.uint8)
    mask = np.zeros((40, 40), np.uint8)
    alpha = disc()
    labelled = paste_damage(np.random.default_rng(0), image, mask,
                            np.full((21, 21, 3), 250, np.uint8), alpha, DUST, (5, 7))
    expected = np.zeros((40, 40), bool)
    expected[5:26, 7:28] = alpha >= 0.3
    np.testing.assert_array_equal(mask == DUST, expected)
    assert labelled == expected.sum()
    # The fringe (alpha 0.2) was blended in but, below label_alpha, not labelled.
    assert (image[5:26, 7:28][(alpha > 0) & (alpha < 0.3)] != 120).all()


def test_background_255_is_never_pasted_on(bank):
    image = np.full((48, 48, 3), 100, np.uint8)
    mask = np.zeros((48, 48), np.uint8)
    mask[:, :24] = 255
    np.random.seed(3)
    results = plain(bank, num_instances=(6, 6))(dict(img=image.copy(), gt_seg_map=mask.copy()))
    assert (results['gt_seg_map'][:, :24] == 255).all()
    np.testing.assert_array_equal(results['img'][:, :24], image[:, :24])
    assert (results['gt_seg_map'][:, 24:] != 0).any()


@pytest.mark.parametrize('shade, blend', [(250, 'alpha'), (248, 'multiply')])
def test_damage_that_does_not_show_is_not_labelled(shade, blend):
    # A white speck on white paper: near-white paint changes the luma by 5-7 of 255 (under
    # min_contrast), so nothing is labelled.
    image = np.full((30, 30, 3), 255, np.uint8)
    mask = np.zeros((30, 30), np.uint8)
    colour = np.full((21, 21, 3), shade, np.uint8)
    assert paste_damage(np.random.default_rng(0), image, mask, colour, disc(), HAIR, (4, 4),
                        paint='fixed', blend=blend) == 0
    assert not mask.any()


def test_own_colour_that_would_vanish_is_turned_negative():
    image = np.full((30, 30, 3), 255, np.uint8)
    mask = np.zeros((30, 30), np.uint8)
    assert paste_damage(np.random.default_rng(0), image, mask, np.full((21, 21, 3), 250, np.uint8),
                        disc(), HAIR, (4, 4), paint='own') == (disc() >= 0.3).sum()
    assert image[14, 14].max() < 10


def test_cutouts_are_painted_to_contrast_with_the_ground(bank):
    for ground in (30, 220):
        image = np.full((40, 40, 3), ground, np.uint8)
        np.random.seed(0)
        out = plain(bank)(dict(img=image.copy(), gt_seg_map=np.zeros((40, 40), np.uint8)))
        damaged = out['gt_seg_map'] > 0
        assert damaged.any()
        shade = out['img'][damaged].mean()
        assert (shade > ground + 100) if ground < 128 else (shade < ground - 100)


def test_the_same_seed_gives_the_same_sample(bank):
    image = np.random.default_rng(1).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    transform = DamageCopyPaste(bank, prob=1.0, num_instances=(2, 5))
    outputs = []
    for _ in range(2):
        np.random.seed(11)
        outputs.append(transform(dict(img=image.copy(), gt_seg_map=np.zeros((64, 64), np.uint8))))
    np.testing.assert_array_equal(outputs[0]['img'], outputs[1]['img'])
    np.testing.assert_array_equal(outputs[0]['gt_seg_map'], outputs[1]['gt_seg_map'])
    assert not np.array_equal(outputs[0]['img'], image)


@pytest.mark.parametrize('class_weights, expected', [
    ('uniform', {DUST: 0.5, HAIR: 0.5}),
    ('instances', {DUST: 10 / 11, HAIR: 1 / 11}),
    ({'Hair': 3.0, 'Dust': 1.0}, {DUST: 0.25, HAIR: 0.75}),
    ({'Hair': 1.0}, {HAIR: 1.0}),
])
def test_classes_are_drawn_as_configured(bank, class_weights, expected):
    transform = plain(bank, class_weights=class_weights)
    drawn = Counter()
    np.random.seed(0)
    for _ in range(400):
        out = transform(dict(img=np.full((32, 32, 3), 128, np.uint8),
                             gt_seg_map=np.zeros((32, 32), np.uint8)))
        drawn.update(set(np.unique(out['gt_seg_map'])) - {0})
    assert set(drawn) == set(expected)
    for class_id, share in expected.items():
        assert drawn[class_id] / 400 == pytest.approx(share, abs=0.06)


def test_bad_settings_are_refused(bank):
    with pytest.raises(ValueError, match='Scratch'):
        DamageCopyPaste(bank, class_weights={'Scratch': 1.0})
    with pytest.raises(ValueError, match='blend'):
        DamageCopyPaste(bank, blend_modes=['overlay'])
    with pytest.raises(FileNotFoundError, match='no damage bank'):
        DamageCopyPaste(bank / 'missing')
