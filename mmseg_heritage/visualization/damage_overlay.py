"""Damage drawn over the photograph, for looking at predictions on whole scans."""
from typing import Sequence

import cv2
import numpy as np

# Rows blended at a time, so a 100-megapixel scan needs no full-size temporary arrays.
BAND_ROWS = 512


def damage_overlay(image: np.ndarray, mask: np.ndarray, palette: Sequence[Sequence[int]],
                   opacity: float = 0.5, clean_index: int = 0) -> np.ndarray:
    """The image with every damaged pixel tinted in its class colour.

    Args:
        image (np.ndarray): HxWx3 BGR uint8 (as OpenCV reads it).
        mask (np.ndarray): HxW class ids.
        palette: RGB colour of each class id.
        opacity (float): Weight of the class colour. Defaults to 0.5.
        clean_index (int): Class left untinted (Clean). Defaults to 0.

    Returns:
        np.ndarray: HxWx3 BGR uint8.
    """
    if image.shape[:2] != mask.shape:
        raise ValueError(f'image {image.shape[:2]} and mask {mask.shape} differ in size')
    lut = np.zeros((256, 3), np.uint8)
    lut[:len(palette)] = np.asarray(palette, np.uint8)[:, ::-1]  # RGB -> BGR
    overlay = image.copy()
    for top in range(0, mask.shape[0], BAND_ROWS):
        rows = slice(top, top + BAND_ROWS)
        tinted = cv2.addWeighted(image[rows], 1 - opacity, lut[mask[rows]], opacity, 0)
        damaged = mask[rows] != clean_index
        overlay[rows][damaged] = tinted[damaged]
    return overlay
