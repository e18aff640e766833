"""Damage drawn over the photograph, for looking at predictions on whole scans."""
import math
from typing import Sequence, Union

import cv2
import numpy as np

from ..utils.image_rows import ImageRows, rows_of

# Rows blended at a time, so a 100-megapixel scan needs no full-size temporary arrays.
BAND_ROWS = 512


def damage_overlay(image: Union[np.ndarray, ImageRows], mask: np.ndarray,
                   palette: Sequence[Sequence[int]], opacity: float = 0.5,
                   clean_index: int = 0, shrink: int = 1) -> np.ndarray:
    """The image with every damaged pixel tinted in its class colour.

    Args:
        image (np.ndarray | ImageRows): HxWx3 BGR uint8 (as OpenCV reads it), or an image
            read band by band.
        mask (np.ndarray): HxW class ids.
        palette: RGB colour of each class id.
        opacity (float): Weight of the class colour. Defaults to 0.5.
        clean_index (int): Class left untinted (Clean). Defaults to 0.
        shrink (int): The overlay's sides are the image's divided by this (rounded up), each
            pixel the mean of the tinted pixels it covers, so that the overlay of a scan too
            large to hold is smaller. Defaults to 1 (full size).

    Returns:
        np.ndarray: HxWx3 BGR uint8 (divided by ``shrink``).
    """
    height, width = mask.shape
    size = image.shape[:2] if isinstance(image, np.ndarray) else (image.height, image.width)
    if tuple(size) != mask.shape:
        raise ValueError(f'image {tuple(size)} and mask {mask.shape} differ in size')
    lut = np.zeros((256, 3), np.uint8)
    lut[:len(palette)] = np.asarray(palette, np.uint8)[:, ::-1]  # RGB -> BGR
    overlay = np.empty((math.ceil(height / shrink), math.ceil(width / shrink), 3), np.uint8)
    step = max(shrink, BAND_ROWS // shrink * shrink)  # whole blocks of rows per band
    for top in range(0, height, step):
        pixels, labels = rows_of(image, top, top + step), mask[top:top + step]
        tinted = cv2.addWeighted(pixels, 1 - opacity, lut[labels], opacity, 0)
        band = np.where((labels != clean_index)[..., None], tinted, pixels)
        if shrink > 1:
            band = cv2.resize(band, (overlay.shape[1], math.ceil(len(band) / shrink)),
                              interpolation=cv2.INTER_AREA)
        overlay[top // shrink:top // shrink + len(band)] = band
    return overlay
