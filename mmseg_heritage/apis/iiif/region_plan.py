"""Which requests give an image at full resolution, within what its server allows.

The image is cut into a grid of regions, each fetched at full size, and the grid is read one
row (a band) at a time, so a huge image is never asked for, nor held, whole:

- a level-0 server (static files) serves only the tiles it lists: its full-resolution tiles
  (scale factor 1) are the grid; an image no larger than one tile is its listed full size;
- a level-1 or level-2 server cuts any region: the grid follows its tiles (the requests it is
  best prepared for, often cached), or regions of 1024 px where it lists none, made smaller
  where ``maxWidth``, ``maxHeight`` or ``maxArea`` ask for it.
"""
import math
from dataclasses import dataclass
from typing import List, Tuple

from .iiif_error import IIIFError
from .image_service import ImageService

# Side of the regions asked of a level-1/2 server that lists no tiles.
DEFAULT_REGION = 1024


@dataclass(frozen=True)
class Region:
    """One request: a region of the full image, and the URLs that may serve it (tried in
    order when one is not found)."""
    x: int
    y: int
    width: int
    height: int
    urls: Tuple[str, ...]


@dataclass(frozen=True)
class Band:
    """Rows ``top:bottom`` of the image and the regions that make them up, left to right."""
    top: int
    bottom: int
    regions: Tuple[Region, ...]


def region_size(service: ImageService) -> Tuple[int, int]:
    """(width, height) of the grid's regions (those at the right and bottom edges are cut).

    Raises:
        IIIFError: A level-0 server that lists no way to get the image at full resolution.
    """
    full_tiles = [tile for tile in service.tiles if 1 in tile.scale_factors]
    if service.level == 0:
        whole = (service.width, service.height)
        fits = [tile for tile in full_tiles
                if tile.width >= service.width and tile.height >= service.height]
        if fits or whole in service.sizes:
            return whole
        if not full_tiles:
            listed = ', '.join(f'{t.width} x {t.height} at scale factors {list(t.scale_factors)}'
                               for t in service.tiles) or 'none'
            raise IIIFError(f'{service.info_url}: a level-0 server serves only the tiles and '
                            f'sizes it lists, and none at full resolution (tiles: {listed}; '
                            f'sizes: {[list(s) for s in service.sizes] or "none"})')
        return full_tiles[0].width, full_tiles[0].height
    tiles = full_tiles or list(service.tiles)
    width, height = ((tiles[0].width, tiles[0].height) if tiles
                     else (DEFAULT_REGION, DEFAULT_REGION))
    width, height = min(width, service.width), min(height, service.height)
    if service.max_width:
        width = min(width, service.max_width)
    if service.max_height:
        height = min(height, service.max_height)
    if service.max_area and width * height > service.max_area:
        if service.max_area < width:  # not even one row of this width
            width = math.isqrt(service.max_area)
        height = max(1, min(height, service.max_area // width))  # still within maxHeight
    return width, height


def plan_bands(service: ImageService) -> List[Band]:
    """The bands of regions that give ``service``'s image at full resolution, top to bottom.

    Raises:
        IIIFError: The server cannot give it at full resolution (see :func:`region_size`).
    """
    step_x, step_y = region_size(service)
    bands = []
    for top in range(0, service.height, step_y):
        bottom = min(top + step_y, service.height)
        regions = tuple(
            Region(left, top, min(step_x, service.width - left), bottom - top,
                   service.region_urls(left, top, min(step_x, service.width - left),
                                       bottom - top))
            for left in range(0, service.width, step_x))
        bands.append(Band(top, bottom, regions))
    return bands
