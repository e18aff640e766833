import numpy as np
import pytest
from mmcv.transforms import Compose
from mmseg.registry import TRANSFORMS

import mmseg_heritage  # noqa: F401  registers the transforms
from mmseg_heritage.datasets import ArtefactDataset

STOCK = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations')]
OURS = [dict(type='LoadImageFromFile'), dict(type='LoadArtefactAnnotations')]


@pytest.mark.parametrize('relabelling', [dict(), dict(reduce_zero_label=True),
                                         dict(label_map={0: 3, 3: 0, 4: 255})])
def test_good_masks_load_as_mmsegs_loader_loads_them(synthetic_root, relabelling):
    info = ArtefactDataset(data_root=str(synthetic_root), pipeline=[]).get_data_info(0)
    info.update(relabelling)
    stock, ours = Compose(STOCK)(dict(info, seg_fields=[])), Compose(OURS)(dict(info))
    assert ours.keys() == stock.keys()
    assert ours['gt_seg_map'].dtype == np.uint8 and ours['seg_fields'] == ['gt_seg_map']
    assert ours['gt_seg_map'].flags.writeable
    np.testing.assert_array_equal(ours['gt_seg_map'], stock['gt_seg_map'])


def test_after_a_resize_the_mask_is_compared_with_the_image_as_loaded(synthetic_root):
    info = ArtefactDataset(data_root=str(synthetic_root), pipeline=[]).get_data_info(0)
    results = Compose([OURS[0], dict(type='Resize', scale=(160, 160), keep_ratio=True),
                       OURS[1]])(info)
    assert results['img'].shape[:2] == (160, 160)
    assert results['gt_seg_map'].shape == results['ori_shape'] == (64, 64)


def test_a_bare_image_passes_for_inference():
    # MMSegInferencer and inference_model run the test pipeline on images without masks.
    image = np.zeros((4, 5, 3), np.uint8)
    results = TRANSFORMS.build(dict(type='LoadArtefactAnnotations'))(
        dict(img=image, ori_shape=(4, 5)))
    assert results.keys() == {'img', 'ori_shape'}
