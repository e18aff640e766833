"""Thinning binary masks to one-pixel-wide skeletons, with OpenCV only.

Guo and Hall's two-subiteration parallel thinning (algorithm A1, "Parallel thinning with
two-subiteration algorithms", Comm. ACM 32(3), 1989), the algorithm of scikit-image's ``thin``:
OpenCV's own thinning lives in opencv-contrib, which the project does not install. Each
subiteration deletes, all at once, the pixels whose 3 x 3 neighbourhood passes the paper's
tests; the tests are looked up in a table indexed by the 8 neighbours as bits. It keeps
8-connectivity and end points, so lines keep their length.

Each subiteration looks one pixel further, so a part of a mask cut out with at least as many
rows of margin as subiterations were needed thins as it would inside the whole mask.
"""
from typing import Tuple

import cv2
import numpy as np

# Neighbour k (x1 east, then counter-clockwise: x2 north-east, x3 north, ... x8 south-east)
# is bit k-1 of a pixel's code; filter2D correlates, so each weight sits at its neighbour.
NEIGHBOUR_BITS = np.array([[8, 4, 2],
                           [16, 0, 1],
                           [32, 64, 128]], np.float32)


def _tables() -> Tuple[np.ndarray, np.ndarray]:
    """Which codes are deleted in the first and in the second subiteration (0 or 1)."""
    first, second = np.zeros(256, np.uint8), np.zeros(256, np.uint8)
    for code in range(256):
        x = [bool(code >> k & 1) for k in range(8)] * 2  # x[0] is x1; wraps around
        # G1: exactly one 8-connected run of neighbours (Hilditch's crossing number is 1).
        crossings = sum(not x[i] and (x[i + 1] or x[i + 2]) for i in (0, 2, 4, 6))
        # G2: not an end point, and deleting it does not shorten a line.
        n1 = sum(x[k] or x[k + 1] for k in (0, 2, 4, 6))
        n2 = sum(x[k] or x[k + 1] for k in (1, 3, 5, 7))
        if crossings != 1 or not 2 <= min(n1, n2) <= 3:
            continue
        # G3 / G3': a south-east boundary or north-west corner point first, then the opposite.
        first[code] = not ((x[1] or x[2] or not x[7]) and x[0])
        second[code] = not ((x[5] or x[6] or not x[3]) and x[4])
    return first, second


DELETE_FIRST, DELETE_SECOND = _tables()


def thin(binary: np.ndarray) -> Tuple[np.ndarray, int]:
    """The skeleton of a binary mask.

    Args:
        binary (np.ndarray): HxW, nonzero where the shape is (any integer or bool dtype).

    Returns:
        tuple: The skeleton (HxW uint8, 1 on it) and the number of subiterations run, the last
        of which deleted nothing (how far, in pixels, the result depends on its surroundings).
    """
    skeleton = (np.asarray(binary) != 0).astype(np.uint8)
    subiterations = 0
    while True:
        deleted = False
        for table in (DELETE_FIRST, DELETE_SECOND):
            code = cv2.filter2D(skeleton, -1, NEIGHBOUR_BITS, borderType=cv2.BORDER_CONSTANT)
            deletable = cv2.LUT(code, table) & skeleton
            subiterations += 1
            if deletable.any():
                skeleton -= deletable
                deleted = True
        if not deleted:
            return skeleton, subiterations
