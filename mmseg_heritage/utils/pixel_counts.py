"""Counting the values of class-id masks without an int64 copy of a huge mask."""
import numpy as np

from ..class_names import CLASSES, IGNORE_INDEX

# np.bincount widens its input to int64: counting in chunks keeps that copy small even for
# the 133-megapixel masks of the real set.
_CHUNK = 1 << 22


def value_counts(mask: np.ndarray) -> np.ndarray:
    """How often each of the 256 uint8 values occurs in ``mask``."""
    flat = mask.reshape(-1)
    counts = np.zeros(256, np.int64)
    for start in range(0, flat.size, _CHUNK):
        counts += np.bincount(flat[start:start + _CHUNK], minlength=256)
    return counts


def count_pixels(mask: np.ndarray) -> np.ndarray:
    """Pixels of each of the 16 classes in a mask (255 not counted), as int64."""
    return value_counts(mask)[:len(CLASSES)]


def class_and_background_pixels(mask: np.ndarray):
    """Pixels of each of the 16 classes and of the background (255), in one pass."""
    counts = value_counts(mask)
    return counts[:len(CLASSES)], int(counts[IGNORE_INDEX])


def unknown_values(mask: np.ndarray) -> list:
    """Mask values that are neither a class id (0-15) nor the ignore value 255."""
    values = np.flatnonzero(value_counts(mask))
    return [int(v) for v in values if v >= len(CLASSES) and v != IGNORE_INDEX]
