from collections import OrderedDict

import numpy as np
import pytest
import torch

from mmseg_heritage.class_names import (DEFAULT_COARSE_GROUPS, build_level_luts,
                                               derive_labels, level_class_names)

# Fine ids with 255 (background) in both corners; the expected levels under the default groups.
FINE = np.array([[255, 0, 1, 2, 13, 14],
                 [3, 5, 6, 10, 4, 7],
                 [9, 8, 11, 12, 15, 255]], np.uint8)
COARSE = np.array([[255, 0, 1, 1, 1, 1],
                   [2, 2, 2, 2, 3, 3],
                   [3, 4, 4, 4, 4, 255]], np.uint8)
BINARY = np.array([[255, 0, 1, 1, 1, 1],
                   [1, 1, 1, 1, 1, 1],
                   [1, 1, 1, 1, 1, 255]], np.uint8)


def test_default_groups_match_artefact():
    assert list(DEFAULT_COARSE_GROUPS.values()) == [(1, 2, 13, 14), (3, 5, 6, 10), (4, 7, 9),
                                                    (8, 11, 12, 15)]
    names = level_class_names()
    assert names['binary'] == ('Clean', 'Damage')
    assert names['coarse'] == ('Clean', 'Loss of material', 'Deposits and soiling',
                               'Mechanical deformation', 'Additions and optical artefacts')
    assert len(names['fine']) == 16


@pytest.mark.parametrize('dtype', [np.uint8, np.int64])
def test_derive_labels_numpy(dtype):
    luts = build_level_luts()
    fine = FINE.astype(dtype)
    for level, expected in (('coarse', COARSE), ('binary', BINARY)):
        derived = derive_labels(fine, luts[level])
        assert derived.dtype == dtype
        np.testing.assert_array_equal(derived, expected)


@pytest.mark.parametrize('dtype', [torch.uint8, torch.int64])
def test_derive_labels_torch(dtype):
    luts = build_level_luts()
    fine = torch.from_numpy(FINE).to(dtype)[None, None]  # N x 1 x H x W, as mmseg stacks them
    for level, expected in (('coarse', COARSE), ('binary', BINARY)):
        for lut in (luts[level], torch.from_numpy(luts[level])):
            derived = derive_labels(fine, lut)
            assert derived.dtype == dtype and derived.shape == fine.shape
            assert torch.equal(derived[0, 0], torch.from_numpy(expected).to(dtype))


def test_custom_groups_set_coarse_order():
    groups = OrderedDict([('b', list(range(8, 16))), ('a', list(range(1, 8)))])
    luts = build_level_luts(groups)
    assert list(luts['coarse'][:16]) == [0] + [2] * 7 + [1] * 8
    assert level_class_names(groups)['coarse'] == ('Clean', 'b', 'a')


@pytest.mark.parametrize('groups, message', [
    ({'a': list(range(1, 15))}, r'15 \(Lightleak\) is in no coarse group'),
    ({'a': list(range(1, 16)), 'b': [7]}, r"7 \(Fold\) is in two coarse groups: 'a' and 'b'"),
    ({'a': list(range(0, 16))}, r'0 \(Clean\).*coarse class 0'),
    ({'a': list(range(1, 17))}, r'lists class 16.*1\.\.15'),
    ({'a': list(range(1, 16)), 'b': []}, r"'b' is empty"),
])
def test_bad_groups_are_clear_errors(groups, message):
    with pytest.raises(ValueError, match=message):
        build_level_luts(groups)
