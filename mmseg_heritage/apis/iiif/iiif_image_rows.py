"""A IIIF image read band by band at full resolution, never fetched or held whole."""
import bisect
from pathlib import Path
from typing import Dict, Optional

import numpy as np

from ...utils.atomic_files import write_bytes_atomic
from ...utils.image_rows import ImageRows
from .iiif_client import IIIFClient, decode_region
from .image_service import ImageService
from .region_plan import plan_bands


class IIIFImageRows(ImageRows):
    """The rows of a IIIF image, fetched a band of regions at a time (:func:`plan_bands`).

    A band's regions are fetched together (as many at a time as the client allows) when its
    first row is asked for, and forgotten once rows below it are asked for. With ``store``,
    the encoded regions are kept there as they arrive, so that reading the image again (the
    overlay after the prediction) reads the disk instead of the server.

    Args:
        service (ImageService): The image's service.
        client (IIIFClient): Fetches the regions.
        store (Path, optional): A folder for the fetched regions (made when needed; the caller
            removes it). None: read again through the client (and its cache, if any).

    Raises:
        IIIFError: The server cannot give the image at full resolution.
    """

    def __init__(self, service: ImageService, client: IIIFClient,
                 store: Optional[Path] = None) -> None:
        self.service, self.client, self.store = service, client, store
        self.bands = plan_bands(service)
        self._tops = [band.top for band in self.bands]
        self._held: Dict[int, np.ndarray] = {}

    @property
    def height(self) -> int:
        return self.service.height

    @property
    def width(self) -> int:
        return self.service.width

    def rows(self, top: int, bottom: int) -> np.ndarray:
        bottom = min(bottom, self.height)
        if not 0 <= top < bottom:
            raise ValueError(f'rows {top}:{bottom} are not in an image of {self.height} rows')
        first = bisect.bisect_right(self._tops, top) - 1
        last = bisect.bisect_right(self._tops, bottom - 1) - 1
        for index in [i for i in self._held if i < first]:
            del self._held[index]
        out = np.empty((bottom - top, self.width, 3), np.uint8)
        for index in range(first, last + 1):
            band, pixels = self.bands[index], self._band(index)
            start, stop = max(top, band.top), min(bottom, band.bottom)
            out[start - top:stop - top] = pixels[start - band.top:stop - band.top]
        return out

    def _band(self, index: int) -> np.ndarray:
        if index in self._held:
            return self._held[index]
        band = self.bands[index]
        stored = [None if self.store is None else self.store / f'{index}_{column}'
                  for column in range(len(band.regions))]
        if all(path is not None and path.is_file() for path in stored):
            images = [decode_region(path.read_bytes(), region.urls[0],
                                    (region.width, region.height))
                      for path, region in zip(stored, band.regions)]
        else:
            fetched = self.client.get_images([(region.urls, (region.width, region.height))
                                              for region in band.regions])
            images = [image for image, _ in fetched]
            if self.store is not None:
                for path, (_, data) in zip(stored, fetched):
                    write_bytes_atomic(path, data)
        pixels = np.empty((band.bottom - band.top, self.width, 3), np.uint8)
        for region, image in zip(band.regions, images):
            pixels[:, region.x:region.x + region.width] = image
        self._held[index] = pixels
        return pixels
