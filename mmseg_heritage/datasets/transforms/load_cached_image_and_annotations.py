from pathlib import Path
from typing import Dict, Optional, Sequence, Union

import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from ..image_cache import ImageCache


def _label_lookup(reduce_zero_label: bool, label_map: Optional[Dict[int, int]]) -> np.ndarray:
    """Mask value -> label, as MMSeg's ``LoadAnnotations`` relabels: zero label first, then
    ``label_map`` on the result."""
    lookup = np.arange(256, dtype=np.int64)
    if reduce_zero_label:
        lookup = np.where((lookup == 0) | (lookup == 255), 255, lookup - 1)
    mapped = lookup.copy()
    for old_id, new_id in (label_map or {}).items():
        mapped[lookup == old_id] = new_id
    return mapped.astype(np.uint8)


@TRANSFORMS.register_module()
class LoadCachedImageAndAnnotations(BaseTransform):
    """MMCV's ``LoadImageFromFile`` and MMSeg's ``LoadAnnotations`` in one, reading both
    through an :class:`~mmseg_heritage.datasets.image_cache.ImageCache`.

    The first time a file is read its entry is built (decoded, shrunk to ``fit``, written as
    ``.npy``); later reads load the entry without decoding. The image and its mask go through
    the same cache, so they always share one size. Decoding is the stock transforms' default
    (images in colour, BGR, with OpenCV; masks unchanged, with Pillow), as is the relabelling
    of masks by the sample's ``reduce_zero_label`` and ``label_map``.

    Use it in training pipelines, where the image is rescaled and cropped anyway. Validation
    and test pipelines should read the originals: metrics compare with masks at their
    original size, and a shrunk mask would change them.

    Required Keys:

    - img_path
    - seg_map_path
    - seg_fields
    - reduce_zero_label (optional, False if missing)
    - label_map (optional)

    Added Keys:

    - img (uint8 BGR)
    - img_shape
    - ori_shape (the shape as loaded, i.e. after the cache's shrinking)
    - gt_seg_map (uint8)
    - seg_fields (``gt_seg_map`` appended)

    Args:
        fit (tuple[int, int], optional): Largest (long side, short side) an entry keeps; see
            :class:`ImageCache`. Set it to ``RandomResize``'s scale times the top of its ratio
            range. None keeps full-size decoded copies. Defaults to None.
        cache_dir (str, optional): Root of the cache. Defaults to None: ``cache/`` beside the
            images folder, i.e. ``<data_root>/cache``.
    """

    def __init__(self, fit: Optional[Sequence[int]] = None,
                 cache_dir: Union[None, str, Path] = None) -> None:
        super().__init__()
        self.cache = ImageCache(fit, cache_dir)

    def transform(self, results: dict) -> dict:
        """Load the image and its mask.

        Args:
            results (dict): Result dict from the dataset.

        Returns:
            dict: ``results`` with the image and its mask.
        """
        image = self.cache.load(results['img_path'], 'image')
        seg_map = self.cache.load(results['seg_map_path'], 'annotation')
        if image.shape[:2] != seg_map.shape:
            raise ValueError(f"{results['seg_map_path']}: mask of {seg_map.shape[::-1]} "
                             f"pixels, its image {results['img_path']} of "
                             f'{image.shape[1::-1]} (width, height after the cache)')
        reduce_zero_label = results.get('reduce_zero_label', False)
        label_map = results.get('label_map')
        if reduce_zero_label or label_map:
            seg_map = _label_lookup(reduce_zero_label, label_map)[seg_map]
        results['img'] = image
        results['img_shape'] = image.shape[:2]
        results['ori_shape'] = image.shape[:2]
        results['gt_seg_map'] = seg_map
        results['seg_fields'].append('gt_seg_map')
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(fit={self.cache.fit}, '
                f'cache_dir={self.cache.cache_dir})')
