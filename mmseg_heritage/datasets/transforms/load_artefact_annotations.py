from typing import Dict, Optional

import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from ..image_decoding import match_mask_to_image, read_mask_file


def relabel(seg_map: np.ndarray, reduce_zero_label: bool,
            label_map: Optional[Dict[int, int]]) -> np.ndarray:
    """Mask values relabelled as MMSeg's ``LoadAnnotations`` relabels them: zero label first,
    then ``label_map`` on the result."""
    if not (reduce_zero_label or label_map):
        return seg_map
    lookup = np.arange(256, dtype=np.int64)
    if reduce_zero_label:
        lookup = np.where((lookup == 0) | (lookup == 255), 255, lookup - 1)
    mapped = lookup.copy()
    for old_id, new_id in (label_map or {}).items():
        mapped[lookup == old_id] = new_id
    return mapped.astype(np.uint8)[seg_map]


@TRANSFORMS.register_module()
class LoadArtefactAnnotations(BaseTransform):
    """MMSeg's ``LoadAnnotations`` that refuses bad masks with an error naming the file.

    The mask of ``seg_map_path`` must decode, hold one channel of class ids (0-15, 255 for
    background; a 16-bit mask is fine if its values are) and have its image's size; otherwise
    an :class:`~mmseg_heritage.datasets.image_decoding.ImageFileError` (a ``ValueError``)
    says which file and what is wrong, where MMSeg's transform would wrap 16-bit values
    silently and leave the rest to fail later without naming the file. A mask drawn on the
    stored pixels of an image that its EXIF orientation turns a quarter is turned alike, as
    ``LoadImageFromFile`` applies the orientation. Masks are relabelled by the sample's
    ``reduce_zero_label`` and ``label_map``, as MMSeg's transform does.

    Put it after ``LoadImageFromFile``, before or after a ``Resize``: it compares the mask
    with ``ori_shape``, the image as loaded. A sample without ``seg_map_path`` passes
    unchanged: MMSeg's ``MMSegInferencer`` and ``inference_model`` run the test pipeline on
    bare images and only drop a transform named ``LoadAnnotations``.

    Required Keys:

    - img_path
    - ori_shape
    - seg_map_path (optional: without it nothing is loaded)
    - seg_fields
    - reduce_zero_label (optional, False if missing)
    - label_map (optional)

    Added Keys:

    - gt_seg_map (uint8)
    - seg_fields (``gt_seg_map`` appended)
    """

    def transform(self, results: dict) -> dict:
        """Load the mask of ``results['seg_map_path']``.

        Args:
            results (dict): Result dict from the image loading.

        Returns:
            dict: ``results`` with ``gt_seg_map``.
        """
        if 'seg_map_path' not in results:
            return results
        mask = read_mask_file(results['seg_map_path'])
        mask = match_mask_to_image(mask, results['ori_shape'], results['img_path'],
                                   results['seg_map_path'])
        results['gt_seg_map'] = relabel(mask, results.get('reduce_zero_label', False),
                                        results.get('label_map'))
        results['seg_fields'].append('gt_seg_map')
        return results
