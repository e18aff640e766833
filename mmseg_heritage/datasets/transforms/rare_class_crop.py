from pathlib import Path
from typing import Optional, Sequence, Tuple, Union

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness
from mmseg.registry import TRANSFORMS

from ...utils.class_weights_file import load_class_weights


@TRANSFORMS.register_module()
class RareClassCrop(BaseTransform):
    """Crop around a pixel of a rare class of the sample, or at random.

    With probability ``prob`` one of the classes present in ``gt_seg_map`` is drawn (the
    ignore index never), with probability proportional to its rarity weight, and the crop is
    centred on a random pixel of that class (shifted to lie inside the image). Otherwise, or
    when the map holds no class, the crop is placed at random, as in MMSeg's ``RandomCrop``.
    Rare damage (a few hundred pixels of Hair in an image of millions) then shows up in crops
    far more often than random cropping would place it there.

    Randomness comes from ``np.random``, like MMSeg's transforms, so MMEngine's
    ``randomness.seed`` makes it reproducible.

    Required Keys:

    - img
    - gt_seg_map

    Modified Keys:

    - img
    - img_shape
    - gt_seg_map
    - every key in seg_fields

    Added Keys:

    - crop_class (the drawn class id, or None for a random crop)

    Args:
        crop_size (int | tuple[int, int]): Crop size (h, w); an int for a square. A side
            larger than the image keeps the whole image along it.
        prob (float): Probability of centring the crop on a drawn class. Defaults to 0.5.
        class_weights (list[float] | str, optional): Rarity weight of each class id, or the
            path of a class-weights JSON (see ``class_weights.py``). Defaults to None: each
            present class weighs the inverse of its pixel count in this map, so a class of
            10 pixels is drawn 1000 times as often as one of 10,000.
        weighting (str, optional): Scheme to read from a class-weights JSON (``'log'``,
            ``'sqrt_log'``, ``'inverse'`` or ``'median'``). Defaults to None: the file's
            default.
        ignore_index (int): Mask value that is never drawn. Defaults to 255.
    """

    def __init__(self,
                 crop_size: Union[int, Tuple[int, int]],
                 prob: float = 0.5,
                 class_weights: Optional[Union[Sequence[float], str, Path]] = None,
                 weighting: Optional[str] = None,
                 ignore_index: int = 255) -> None:
        super().__init__()
        if isinstance(crop_size, int):
            crop_size = (crop_size, crop_size)
        crop_size = tuple(crop_size)
        if len(crop_size) != 2 or min(crop_size) <= 0:
            raise ValueError(f'crop_size must be a positive int or (h, w), got {crop_size}')
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.crop_size = crop_size
        self.prob = prob
        self.class_weights = None
        if class_weights is not None:
            self.class_weights = np.asarray(load_class_weights(class_weights, weighting),
                                            np.float64)
            if (self.class_weights < 0).any():
                raise ValueError(f'class weights must be non-negative, got {class_weights}')
        self.weighting = weighting
        self.ignore_index = ignore_index

    def _draw_pixel(self, seg_map: np.ndarray) -> Optional[Tuple[int, int, int]]:
        """A class drawn by rarity and a random pixel of it: (class, y, x), or None."""
        counts = np.bincount(seg_map.ravel(), minlength=self.ignore_index + 1)
        counts[self.ignore_index] = 0
        labels = np.flatnonzero(counts)
        if labels.size == 0:
            return None
        if self.class_weights is None:
            weights = 1.0 / counts[labels]
        else:
            if labels[-1] >= len(self.class_weights):
                raise ValueError(f'class {labels[-1]} in gt_seg_map has no class weight '
                                 f'({len(self.class_weights)} given)')
            weights = self.class_weights[labels]
        if weights.sum() <= 0:
            return None
        label = int(labels[np.random.choice(labels.size, p=weights / weights.sum())])
        ys, xs = np.nonzero(seg_map == label)
        pick = np.random.randint(ys.size)
        return label, int(ys[pick]), int(xs[pick])

    @cache_randomness
    def crop_bbox(self, results: dict) -> Tuple[Tuple[int, int, int, int], Optional[int]]:
        """Choose the crop.

        Args:
            results (dict): Result dict with ``gt_seg_map``.

        Returns:
            tuple: ``(y1, y2, x1, x2)`` and the drawn class (None for a random crop).
        """
        seg_map = results['gt_seg_map']
        height, width = seg_map.shape[:2]
        crop_h, crop_w = self.crop_size
        margin_h, margin_w = max(height - crop_h, 0), max(width - crop_w, 0)
        drawn = self._draw_pixel(seg_map) if np.random.rand() < self.prob else None
        if drawn is None:
            crop_class = None
            y1, x1 = np.random.randint(0, margin_h + 1), np.random.randint(0, margin_w + 1)
        else:
            crop_class, y, x = drawn
            # Centred on the pixel, shifted inside the image; the pixel stays in the crop.
            y1 = int(np.clip(y - crop_h // 2, 0, margin_h))
            x1 = int(np.clip(x - crop_w // 2, 0, margin_w))
        return (y1, y1 + crop_h, x1, x1 + crop_w), crop_class

    def transform(self, results: dict) -> dict:
        """Crop the image and every segmentation map.

        Args:
            results (dict): Result dict from the loading pipeline.

        Returns:
            dict: The cropped results, with ``img_shape`` and ``crop_class`` set.
        """
        (y1, y2, x1, x2), crop_class = self.crop_bbox(results)
        for key in dict.fromkeys(['img', 'gt_seg_map', *results.get('seg_fields', [])]):
            results[key] = results[key][y1:y2, x1:x2, ...]
        results['img_shape'] = results['img'].shape[:2]
        results['crop_class'] = crop_class
        return results

    def __repr__(self) -> str:
        weights = None if self.class_weights is None else self.class_weights.round(4).tolist()
        return (f'{self.__class__.__name__}(crop_size={self.crop_size}, prob={self.prob}, '
                f'class_weights={weights}, weighting={self.weighting}, '
                f'ignore_index={self.ignore_index})')
