"""How many millimetres a pixel of a scan covers, read from the file or given by the user.

Scanners record their resolution in the file: TIFF's XResolution/YResolution/ResolutionUnit
tags, JPEG's JFIF density or its EXIF tags, PNG's pHYs chunk, BMP's pixels per metre. Nothing is
assumed when the file says nothing: the report then gives pixels and shares only. A stated
72 dpi is taken as unknown too: it is the placeholder cameras and image editors write, not a
measurement (a photographed page would come out two metres wide). So is 96 dpi, Windows'
screen resolution, which e.g. Pillow writes into every BMP.
"""
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Tuple, Union

from PIL import Image

from ...datasets.image_decoding import (QUARTER_TURN_ORIENTATIONS, decoding, exif_orientation,
                                       pixel_limit)

MM_PER_INCH = 25.4
PLACEHOLDER_DPI = (72.0, 96.0)
# TIFF and EXIF tags: XResolution, YResolution, ResolutionUnit (1 none, 2 inch, 3 centimetre).
X_RESOLUTION, Y_RESOLUTION, RESOLUTION_UNIT = 282, 283, 296
_MM_PER_UNIT = {2: MM_PER_INCH, 3: 10.0}


@dataclass(frozen=True)
class ScanResolution:
    """The physical size of a scan's pixels, or why it is unknown.

    Args:
        mm_per_px (tuple[float, float], optional): Width and height of a pixel in mm, as the
            image is displayed (EXIF orientation applied); None when unknown.
        source (str): Where it came from ('TIFF tags', 'JFIF density', 'EXIF', 'PNG pHYs',
            'BMP header', '--dpi', '--mm-per-px') or, when unknown, why.
    """
    mm_per_px: Optional[Tuple[float, float]]
    source: str

    @property
    def known(self) -> bool:
        return self.mm_per_px is not None

    @property
    def dpi(self) -> Optional[Tuple[float, float]]:
        """Pixels per inch across and down, or None."""
        return None if self.mm_per_px is None else tuple(
            round(MM_PER_INCH / size, 3) for size in self.mm_per_px)

    @property
    def pixel_mm2(self) -> Optional[float]:
        """Area of one pixel in mm2, or None."""
        return None if self.mm_per_px is None else self.mm_per_px[0] * self.mm_per_px[1]

    def as_dict(self) -> dict:
        return dict(mm_per_px=None if self.mm_per_px is None else list(self.mm_per_px),
                    dpi=None if self.dpi is None else list(self.dpi), source=self.source)

    @classmethod
    def from_dict(cls, data: dict) -> 'ScanResolution':
        size = data.get('mm_per_px')
        return cls(None if size is None else tuple(size), data['source'])

    @classmethod
    def from_dpi(cls, dpi: float, source: str = '--dpi') -> 'ScanResolution':
        """A resolution the user gave in dots per inch (the same across and down)."""
        _check_positive(dpi, source)
        return cls((MM_PER_INCH / dpi,) * 2, source)

    @classmethod
    def from_mm_per_px(cls, mm_per_px: float, source: str = '--mm-per-px') -> 'ScanResolution':
        """A resolution the user gave as millimetres per pixel (the same across and down)."""
        _check_positive(mm_per_px, source)
        return cls((float(mm_per_px),) * 2, source)


def _check_positive(value: float, source: str) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        raise ValueError(f'{source} must be a positive number, got {value!r}')


def _per_unit(x: float, y: float, mm_per_unit: float, source: str) -> ScanResolution:
    """Pixels per unit length (``mm_per_unit`` mm), as millimetres per pixel."""
    x, y = float(x), float(y)
    if not (math.isfinite(x) and math.isfinite(y) and x > 0 and y > 0):
        return ScanResolution(None, f'{source}: no usable resolution ({x:g} x {y:g})')
    dpi = round(x * MM_PER_INCH / mm_per_unit, 1)
    if dpi in PLACEHOLDER_DPI and round(y * MM_PER_INCH / mm_per_unit, 1) == dpi:
        return ScanResolution(None, f'{source}: {dpi:g} dpi, a placeholder that cameras and '
                              'editors write, not a measurement; give the resolution with '
                              '--dpi or --mm-per-px')
    return ScanResolution((mm_per_unit / x, mm_per_unit / y), source)


def _from_tags(tags, source: str) -> Optional[ScanResolution]:
    """From TIFF or EXIF tags; None when they hold no resolution."""
    if X_RESOLUTION not in tags:
        return None
    x = tags[X_RESOLUTION]
    y = tags.get(Y_RESOLUTION, x)
    unit = tags.get(RESOLUTION_UNIT, 2)  # inches, the TIFF default
    if unit not in _MM_PER_UNIT:
        return ScanResolution(None, f'{source}: an aspect ratio only (no unit)')
    return _per_unit(x, y, _MM_PER_UNIT[unit], source)


def _stored_resolution(image: Image.Image) -> ScanResolution:
    """The resolution of the stored pixels (before any EXIF orientation)."""
    info = image.info
    if image.format == 'TIFF':
        # Pillow reports 1 x 1 dpi for a TIFF without resolution tags: read the tags.
        found = _from_tags(image.tag_v2, 'TIFF tags')
        if found:
            return found
    if info.get('jfif_unit') in (1, 2):  # 1: dots per inch, 2: dots per cm
        return _per_unit(*info['jfif_density'],
                         MM_PER_INCH if info['jfif_unit'] == 1 else 10.0, 'JFIF density')
    if image.format in ('PNG', 'BMP') and 'dpi' in info:
        # Both store whole pixels per metre, which Pillow turns into dpi: back to them.
        per_metre = [round(dpi / MM_PER_INCH * 1000) for dpi in info['dpi']]
        return _per_unit(*per_metre, 1000.0, 'PNG pHYs' if image.format == 'PNG' else
                         'BMP header')
    found = _from_tags(image.getexif(), 'EXIF tags')
    return found or ScanResolution(None, 'the file records no resolution; give it with --dpi '
                                   'or --mm-per-px')


def read_scan_resolution(path: Union[str, Path]) -> ScanResolution:
    """The resolution a scan file records, for its pixels as displayed.

    Only the header is read. Width and height of a pixel are swapped for an image turned a
    quarter by its EXIF orientation, as its pixels are when it is read.

    Raises:
        ImageFileError: The file is not an image (the message names it).
    """
    with pixel_limit(), decoding(f'{path}: the image'), Image.open(path) as image:
        resolution = _stored_resolution(image)
        turned = exif_orientation(image) in QUARTER_TURN_ORIENTATIONS
    if resolution.known and turned:
        resolution = ScanResolution(resolution.mm_per_px[::-1], resolution.source)
    return resolution
