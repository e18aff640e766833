"""One synthetic ARTeFACT-like sample: an artefact of one material and content, damaged, and
photographed with some background beyond its edge."""
from typing import NamedTuple, Optional, Tuple, Union

import numpy as np

from ....class_names import BACKGROUND_COLOUR, IGNORE_INDEX
from .damage import DAMAGE_CLASSES, apply_damage
from .textures import CONTENTS, MATERIALS, draw_artefact

# How often each damage class is drawn: as in ARTeFACT, material loss, peel and staining are
# common, hair, punctures and burn marks rare.
DAMAGE_WEIGHTS = {1: 6, 2: 6, 3: 3, 4: 3, 5: 1, 6: 3, 7: 2, 8: 2, 9: 3, 10: 5, 11: 2, 12: 2,
                  13: 1, 14: 1, 15: 2}
# Damage is painted bottom to top: deposits and marks on the surface, then what cuts through
# it, then what lies on top of everything (a sticker, dust, hair, light in the camera).
LAYERS = (10, 6, 8, 11, 9, 4, 7, 2, 1, 14, 13, 12, 3, 5, 15)


class SyntheticSample(NamedTuple):
    """A synthetic photograph of a damaged artefact and its annotation."""
    image: np.ndarray  # uint8 HxWx3 RGB
    mask: np.ndarray  # uint8 HxW: class ids 0..15, 255 = background outside the artefact
    material: str
    content: str


def _add_background(rng: np.random.Generator, image: np.ndarray, mask: np.ndarray) -> None:
    """Background beyond a slightly tilted artefact edge on 0-2 sides, labelled 255."""
    h, w = mask.shape
    rows = np.arange(h, dtype=np.float32)[:, None]
    cols = np.arange(w, dtype=np.float32)[None, :]
    for side in rng.choice(4, rng.choice(3, p=(0.4, 0.35, 0.25)), replace=False):
        near, far = rng.uniform(0.02, 0.12, 2) * min(h, w)  # border width at both ends
        depth, along = ((rows, cols / w), (h - 1 - rows, cols / w), (cols, rows / h),
                        (w - 1 - cols, rows / h))[side]
        outside = depth < near + (far - near) * along
        image[outside] = np.float32(BACKGROUND_COLOUR) + rng.normal(0, 4, 3).astype(np.float32)
        mask[outside] = IGNORE_INDEX


def make_sample(seed: int, size: Union[int, Tuple[int, int]] = 160,
                material: Optional[str] = None, content: Optional[str] = None) -> SyntheticSample:
    """Draw one synthetic damaged artefact; the same arguments always give the same sample.

    Args:
        seed (int): Seed of ``np.random.default_rng``, the only source of randomness.
        size: Side of a square image, or (height, width), in pixels. Defaults to 160.
        material (str, optional): One of ``MATERIALS``; drawn from the seed if None.
        content (str, optional): One of ``CONTENTS``; drawn from the seed if None.

    Returns:
        SyntheticSample: uint8 RGB image, uint8 mask (0..15, 255 background), material and
        content.
    """
    height, width = (size, size) if np.isscalar(size) else size
    rng = np.random.default_rng(seed)
    # Drawn even when given, so that naming the material a seed would draw changes nothing.
    drawn = MATERIALS[rng.integers(len(MATERIALS))], CONTENTS[rng.integers(len(CONTENTS))]
    material, content = material or drawn[0], content or drawn[1]
    if material not in MATERIALS or content not in CONTENTS:
        raise ValueError(f'unknown material {material!r} or content {content!r}; '
                         f'expected one of {MATERIALS} and {CONTENTS}')
    image = draw_artefact(rng, height, width, material, content)
    mask = np.zeros((height, width), np.uint8)
    weights = np.float64([DAMAGE_WEIGHTS[c] for c in DAMAGE_CLASSES])
    chosen = rng.choice(DAMAGE_CLASSES, rng.integers(2, 6), replace=False,
                        p=weights / weights.sum())
    for class_id in sorted(chosen, key=LAYERS.index):
        apply_damage(rng, image, mask, int(class_id))
    _add_background(rng, image, mask)
    return SyntheticSample(np.clip(image, 0, 255, out=image).astype(np.uint8), mask, material,
                           content)
