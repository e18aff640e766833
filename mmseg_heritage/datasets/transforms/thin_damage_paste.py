"""Draw thin damage anew into training images: film scratches from edge to edge, long
scratches, single hairs and fine specks, labelled where they show.

The scans hold a fixed set of drawn scratches and hairs, so a model sees each one again every
epoch on the same photograph; these are new lines on every load, so that thin straight or
bending lines, not one scan's lines, are what it learns. Real damage from the bank is pasted
by :class:`DamageCopyPaste`; the bank's "scratches" are patches of short abrasions, not lines.
"""
from typing import Mapping, Optional

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from ...class_names import CLASSES, IGNORE_INDEX
from ..preparation.synthetic.thin_damage import (dust_specks, frame_scratch, long_scratch,
                                                 paper_colour, single_hair)
from .damage_copy_paste import paste_damage, writable_image_and_mask

# Each kind: its class, its drawing, and the chance that it shows the paper (light) rather
# than a dark line, as in the scans (photo_scans.make_photo_scan).
THIN_DAMAGE = {
    'frame scratch': (CLASSES.index('Scratch'), frame_scratch, 0.6),
    'long scratch': (CLASSES.index('Scratch'), long_scratch, 0.8),
    'hair': (CLASSES.index('Hair'), single_hair, 0.3),
    'specks': (CLASSES.index('Dust'), dust_specks, 0.5),
}


@TRANSFORMS.register_module()
class ThinDamagePaste(BaseTransform):
    """Draw thin damage into the image and label it.

    With probability ``prob`` a sample gets one to ``max_drawings`` drawings, each of a kind
    drawn by ``kinds`` (see ``THIN_DAMAGE``), painted in the paper's colour or a dark shade,
    softened like a scan half the time, and labelled where its alpha reaches ``label_alpha``
    and it changed the image visibly (``min_contrast``). Pixels of ``ignore_index`` are left
    as they are.

    Randomness comes from ``np.random``, like MMSeg's transforms, so MMEngine's
    ``randomness.seed`` makes it reproducible.

    Required Keys: img (BGR uint8), gt_seg_map. Modified Keys: img, gt_seg_map.

    Args:
        prob (float): Probability that a sample gets thin damage. Defaults to 0.5.
        max_drawings (int): Most drawings per sample. Defaults to 2.
        kinds (dict): Weight of each kind of ``THIN_DAMAGE``; kinds left out are not drawn.
            Defaults to all alike.
        label_alpha (float): Least alpha labelled. Defaults to 0.3.
        min_contrast (float): Least change of luma (0-255) labelled. Defaults to 10.
        ignore_index (int): Background value never drawn on. Defaults to 255.
    """

    def __init__(self,
                 prob: float = 0.5,
                 max_drawings: int = 2,
                 kinds: Optional[Mapping[str, float]] = None,
                 label_alpha: float = 0.3,
                 min_contrast: float = 10.0,
                 ignore_index: int = IGNORE_INDEX) -> None:
        super().__init__()
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        if max_drawings < 1:
            raise ValueError(f'max_drawings must be at least 1, got {max_drawings}')
        kinds = dict.fromkeys(THIN_DAMAGE, 1.0) if kinds is None else dict(kinds)
        unknown = sorted(set(kinds) - set(THIN_DAMAGE))
        if unknown:
            raise ValueError(f'unknown kinds of thin damage {unknown}; choose from '
                             f'{list(THIN_DAMAGE)}')
        weights = np.array(list(kinds.values()), np.float64)
        if not kinds or (weights < 0).any() or weights.sum() <= 0:
            raise ValueError(f'kinds {kinds} leave no kind of thin damage to draw')
        self.prob = prob
        self.max_drawings = max_drawings
        self.kinds = list(kinds)
        self.kind_probs = weights / weights.sum()
        self.label_alpha = label_alpha
        self.min_contrast = min_contrast
        self.ignore_index = ignore_index

    def transform(self, results: dict) -> dict:
        """Draw into ``results['img']`` and label in ``gt_seg_map``."""
        # One generator per sample, seeded from np.random: reproducible under MMEngine's seed.
        rng = np.random.default_rng(np.random.randint(2**31))
        if rng.random() >= self.prob:
            return results
        image, mask = writable_image_and_mask(results)
        for _ in range(rng.integers(1, self.max_drawings + 1)):
            class_id, draw, light = THIN_DAMAGE[self.kinds[rng.choice(len(self.kinds),
                                                                      p=self.kind_probs)]]
            alpha = draw(rng, image)
            if rng.random() < 0.5:  # as soft as a scan's own lines (photo_scans.scan_finish)
                alpha = cv2.GaussianBlur(alpha, (0, 0), rng.uniform(0.3, 1.0))
            paint_rgb = paper_colour(rng) if rng.random() < light else rng.uniform(20, 70, 3)
            colour = np.broadcast_to(np.float32(paint_rgb)[::-1], image.shape).astype(np.uint8)
            paste_damage(rng, image, mask, colour, alpha, class_id, (0, 0), 'fixed', 'alpha',
                         self.label_alpha, self.min_contrast, self.ignore_index)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(prob={self.prob}, max_drawings={self.max_drawings}, '
                f'kinds={dict(zip(self.kinds, self.kind_probs.round(3).tolist()))})')
