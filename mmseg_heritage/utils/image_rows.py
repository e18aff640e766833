"""Images read band by band, from top to bottom, so that a huge one is never held whole.

A scan served by a IIIF image server (:mod:`mmseg_heritage.apis.iiif`) is read this way: the
sliding window asks for the rows its next row of tiles needs, the overlay and the measures go
down the scan in bands, and each band is fetched (or read back from disk) when asked for.
"""
from abc import ABC, abstractmethod
from typing import Union

import numpy as np


class ImageRows(ABC):
    """An image given by bands of rows (HxWx3 BGR uint8, as OpenCV reads images).

    Rows are asked for from top to bottom; a reader may forget the rows above the last band
    asked for, and start again from the top when asked for them once more.
    """

    @property
    @abstractmethod
    def height(self) -> int:
        """Rows in the image."""

    @property
    @abstractmethod
    def width(self) -> int:
        """Columns in the image."""

    @abstractmethod
    def rows(self, top: int, bottom: int) -> np.ndarray:
        """Rows ``top:bottom`` as a (bottom - top) x W x 3 BGR uint8 array; as with slicing,
        ``bottom`` past the last row stops at it."""

    def read(self) -> np.ndarray:
        """The whole image (for what cannot work band by band, e.g. a resizing pipeline)."""
        return self.rows(0, self.height)


def rows_of(image: Union[np.ndarray, ImageRows], top: int, bottom: int) -> np.ndarray:
    """Rows ``top:bottom`` of an image array (a view) or of an :class:`ImageRows`."""
    return image[top:bottom] if isinstance(image, np.ndarray) else image.rows(top, bottom)
