"""Pixel and image counts of a dataset: overall, per material and per content type.

The converter fills them while it writes masks (no second pass over the images) and saves them
as ``statistics.json``; class weights and the rare-class crop are computed from them.
"""
from collections import Counter, defaultdict
from typing import Dict, Iterable

import numpy as np

from ...class_names import CLASSES
from ...utils.pixel_counts import class_and_background_pixels

STATISTICS_FILE = 'statistics.json'
STATISTICS_VERSION = 1


class PixelStatistics:
    """Accumulates per-class pixel counts and image counts, split by material and content."""

    def __init__(self) -> None:
        self.pixels = np.zeros(len(CLASSES), np.int64)
        self.background_pixels = 0
        self.pixels_per_material: Dict[str, np.ndarray] = defaultdict(
            lambda: np.zeros(len(CLASSES), np.int64))
        self.pixels_per_content: Dict[str, np.ndarray] = defaultdict(
            lambda: np.zeros(len(CLASSES), np.int64))
        self.images_per_material: Counter = Counter()
        self.images_per_content: Counter = Counter()
        self.num_images = 0

    def add(self, class_pixels: Iterable[int], material: str, content: str,
            background_pixels: int = 0) -> None:
        """Count one image from its per-class pixel counts (see :func:`count_pixels`)."""
        class_pixels = np.asarray(class_pixels, np.int64)
        self.pixels += class_pixels
        self.background_pixels += int(background_pixels)
        self.pixels_per_material[material] += class_pixels
        self.pixels_per_content[content] += class_pixels
        self.images_per_material[material] += 1
        self.images_per_content[content] += 1
        self.num_images += 1

    def add_mask(self, mask: np.ndarray, material: str, content: str) -> None:
        """Count one image from its mask."""
        class_pixels, background_pixels = class_and_background_pixels(mask)
        self.add(class_pixels, material, content, background_pixels)

    def to_dict(self) -> Dict:
        """A JSON-ready dict; pixel counts are keyed by class name."""
        def named(counts):
            return {name: int(n) for name, n in zip(CLASSES, counts)}

        labelled = max(int(self.pixels.sum()), 1)
        return dict(
            version=STATISTICS_VERSION,
            classes=list(CLASSES),
            num_images=self.num_images,
            pixels=named(self.pixels),
            background_pixels=self.background_pixels,
            pixel_share={name: float(n) / labelled for name, n in zip(CLASSES, self.pixels)},
            pixels_per_material={k: named(v) for k, v in sorted(self.pixels_per_material.items())},
            pixels_per_content={k: named(v) for k, v in sorted(self.pixels_per_content.items())},
            images_per_material=dict(sorted(self.images_per_material.items())),
            images_per_content=dict(sorted(self.images_per_content.items())),
        )
