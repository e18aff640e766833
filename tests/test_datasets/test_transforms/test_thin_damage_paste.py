"""ThinDamagePaste: new thin lines and specks on every load, labelled where they show, 255 left
alone."""
import numpy as np
import pytest

from mmseg_heritage.class_names import CLASSES
from mmseg_heritage.datasets.transforms import ThinDamagePaste
from mmseg_heritage.datasets.transforms.damage_copy_paste import luminance

SCRATCH, HAIR, DUST = (CLASSES.index(name) for name in ('Scratch', 'Hair', 'Dust'))


def sample(grey=128, size=(160, 200)):
    return dict(img=np.full((*size, 3), grey, np.uint8), gt_seg_map=np.zeros(size, np.uint8))


def test_each_kind_is_labelled_as_its_class_where_it_changed_the_image():
    for kind, class_id in (('frame scratch', SCRATCH), ('long scratch', SCRATCH),
                           ('hair', HAIR), ('specks', DUST)):
        paste = ThinDamagePaste(prob=1.0, max_drawings=1, kinds={kind: 1})
        # On mid grey every line shows; on light paper the paper-coloured ones hardly do.
        for grey in (128, 225):
            np.random.seed(0)
            drawn = 0
            for _ in range(10):
                results = paste(sample(grey))
                labelled = results['gt_seg_map'] > 0
                changed = np.abs(luminance(results['img']) - luminance(sample(grey)['img']))
                if not labelled.any():  # a line may run off the image, or too faint to label
                    continue
                drawn += 1
                assert set(np.unique(results['gt_seg_map'][labelled])) == {class_id}
                # Labelled only where the luma moved by at least min_contrast (10 levels).
                assert (changed[labelled] >= 10 - 0.5).all(), (kind, grey)
                # Thin: a few percent of the image at most, not a wash over it.
                assert labelled.mean() < 0.06, kind
            assert drawn >= (7 if grey == 128 else 1), (kind, grey)


def test_frame_scratches_run_from_edge_to_edge():
    paste = ThinDamagePaste(prob=1.0, max_drawings=1, kinds={'frame scratch': 1})
    np.random.seed(1)
    crossing = 0
    for _ in range(10):
        labelled = paste(sample())['gt_seg_map'] == SCRATCH
        crossing += (labelled[0].any() and labelled[-1].any()) or \
            (labelled[:, 0].any() and labelled[:, -1].any())
    assert crossing >= 8


def test_background_255_is_never_drawn_on_and_prob_0_draws_nothing():
    np.random.seed(2)
    paste = ThinDamagePaste(prob=1.0, max_drawings=3)
    for _ in range(10):
        results = sample()
        results['gt_seg_map'][:, :100] = 255
        results = paste(results)
        assert (results['gt_seg_map'][:, :100] == 255).all()
        assert (results['img'][:, :100] == 128).all()
    untouched = ThinDamagePaste(prob=0.0)(sample())
    assert not untouched['gt_seg_map'].any() and (untouched['img'] == 128).all()


def test_the_same_seed_draws_the_same_lines_and_read_only_inputs_are_copied():
    def drawn(seed):
        np.random.seed(seed)
        results = sample()
        for array in results.values():
            array.flags.writeable = False
        return ThinDamagePaste(prob=1.0)(results)

    first, again, other = drawn(3), drawn(3), drawn(4)
    np.testing.assert_array_equal(first['img'], again['img'])
    np.testing.assert_array_equal(first['gt_seg_map'], again['gt_seg_map'])
    assert (first['gt_seg_map'] != other['gt_seg_map']).any()


def test_bad_settings_are_refused_by_name():
    with pytest.raises(ValueError, match="unknown kinds of thin damage \\['scratches'\\]"):
        ThinDamagePaste(kinds={'scratches': 1})
    with pytest.raises(ValueError, match='leave no kind'):
        ThinDamagePaste(kinds={'hair': 0})
    with pytest.raises(ValueError, match='prob'):
        ThinDamagePaste(prob=1.5)
    with pytest.raises(ValueError, match='max_drawings'):
        ThinDamagePaste(max_drawings=0)
