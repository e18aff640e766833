"""A IIIF Image API service as its ``info.json`` describes it: versions 2 and 3, levels 0-2.

What the client needs from it: the full size, the compliance level (a level-0 server, e.g. a
static tile set, has only the tiles and sizes it lists; levels 1 and 2 cut any region), the
tiles and the limits on one request (``maxWidth``, ``maxHeight``, ``maxArea``), the format to
ask for, the Physical Dimensions service (``physicalScale``, ``physicalUnits``) when there is
one, and the URL of an image request in the form the server's version writes it.
"""
import re
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence, Tuple

from .iiif_error import IIIFError

# Millimetres per unit of the Physical Dimensions service.
MM_PER_UNIT = {'mm': 1.0, 'cm': 10.0, 'in': 25.4}
# Formats this client decodes (OpenCV), in the order it prefers them when the server has no
# preference: JPEG is the one every server has.
DECODED_FORMATS = ('jpg', 'png', 'webp', 'tif')


@dataclass(frozen=True)
class TileSpec:
    """Tiles a service offers: their size at each scale factor (1: full resolution)."""
    width: int
    height: int
    scale_factors: Tuple[int, ...]


def as_list(value: Any) -> list:
    """A JSON value that may be one item or a list of them, as a list (none: empty)."""
    return [] if value is None else list(value) if isinstance(value, (list, tuple)) else [value]


def _positive_int(value: Any, what: str, url: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise IIIFError(f'{url}: {what} must be a positive whole number, not {value!r}')
    return value


def physical_mm_per_unit(services: Any) -> Optional[float]:
    """Millimetres per pixel (of an image service) or per canvas unit (of a canvas) given by a
    Physical Dimensions service among ``services`` (a service or a list of them); None when
    there is none or its scale or units are not usable."""
    for service in as_list(services):
        if not isinstance(service, dict) or 'physicalScale' not in service:
            continue
        scale, units = service.get('physicalScale'), service.get('physicalUnits')
        if (isinstance(scale, (int, float)) and not isinstance(scale, bool) and scale > 0
                and units in MM_PER_UNIT):
            return float(scale) * MM_PER_UNIT[units]
    return None


def image_api_version(info: dict) -> Optional[int]:
    """2 or 3 for an Image API service description, 1 for the retired version 1, None for a
    document that is not one."""
    contexts = ' '.join(str(c) for c in as_list(info.get('@context')))
    found = re.search(r'iiif\.io/api/image/(\d)', contexts)
    if found:
        return int(found.group(1))
    if info.get('type') == 'ImageService3':
        return 3
    if info.get('type') == 'ImageService2' or (
            '@id' in info and info.get('protocol') == 'http://iiif.io/api/image'):
        return 2
    return None


def _level(profile: Sequence, url: str) -> int:
    for entry in profile:
        found = isinstance(entry, str) and re.search(r'level([012])(\.json)?$', entry)
        if found:
            return int(found.group(1))
    raise IIIFError(f'{url}: the profile names no compliance level (level0, level1 or level2)')


@dataclass(frozen=True)
class ImageService:
    """One image as a IIIF image server serves it.

    Args:
        id (str): The service's base URI (image requests go below it).
        version (int): Image API version, 2 or 3.
        level (int): Compliance level, 0-2.
        width (int): Full width in pixels.
        height (int): Full height in pixels.
        tiles (tuple[TileSpec]): The tiles it lists.
        sizes (tuple[tuple[int, int]]): The (width, height) of the whole image it lists.
        max_width (int, optional): The widest image one request may give.
        max_height (int, optional): The tallest; defaults to ``max_width`` where only that is
            given, as the specification says.
        max_area (int, optional): The most pixels one request may give.
        format (str): The format asked for (the server's preferred one this client decodes,
            else ``jpg``).
        mm_per_px (float, optional): Millimetres per full-size pixel, from a Physical
            Dimensions service on the image service.
        info (dict): The ``info.json`` as served (a viewer reads its tiles from it).
    """
    id: str
    version: int
    level: int
    width: int
    height: int
    tiles: Tuple[TileSpec, ...] = ()
    sizes: Tuple[Tuple[int, int], ...] = ()
    max_width: Optional[int] = None
    max_height: Optional[int] = None
    max_area: Optional[int] = None
    format: str = 'jpg'
    mm_per_px: Optional[float] = None
    info: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_info(cls, info: Any, url: str) -> 'ImageService':
        """The service an ``info.json`` (fetched from ``url``) describes.

        Raises:
            IIIFError: Not an Image API 2 or 3 description, or one without a usable id, size
                or level.
        """
        if not isinstance(info, dict):
            raise IIIFError(f'{url}: not an image service description (info.json): a JSON '
                            'object was expected')
        version = image_api_version(info)
        if version is None:
            raise IIIFError(f'{url}: not a IIIF Image API service description (no Image API '
                            '@context)')
        if version not in (2, 3):
            raise IIIFError(f'{url}: Image API version {version} is not supported (2 and 3 are)')
        service_id = info.get('@id' if version == 2 else 'id') or info.get('id') or info.get(
            '@id')
        if not isinstance(service_id, str) or not service_id.startswith(('http://', 'https://')):
            raise IIIFError(f'{url}: the service has no http(s) id, so its images cannot be '
                            'requested')
        profile = as_list(info.get('profile'))
        # Version 2 keeps the limits and formats in the profile's objects, 3 at the top level.
        described = [info] + [entry for entry in profile if isinstance(entry, dict)]

        def limit(key: str) -> Optional[int]:
            values = [entry[key] for entry in described if key in entry]
            return _positive_int(values[0], key, url) if values else None

        tiles = []
        for tile in as_list(info.get('tiles')):
            if not isinstance(tile, dict):
                raise IIIFError(f'{url}: a tiles entry is not an object: {tile!r}')
            width = _positive_int(tile.get('width'), 'a tile width', url)
            height = _positive_int(tile.get('height', width), 'a tile height', url)
            factors = tuple(_positive_int(f, 'a scale factor', url)
                            for f in as_list(tile.get('scaleFactors')) or [1])
            tiles.append(TileSpec(width, height, factors))
        sizes = tuple((_positive_int(s.get('width'), 'a size width', url),
                       _positive_int(s.get('height'), 'a size height', url))
                      for s in as_list(info.get('sizes')) if isinstance(s, dict))
        max_width = limit('maxWidth')
        preferred = [f for f in as_list(info.get('preferredFormats')) if f in DECODED_FORMATS]
        return cls(id=service_id.rstrip('/'), version=version, level=_level(profile, url),
                   width=_positive_int(info.get('width'), 'width', url),
                   height=_positive_int(info.get('height'), 'height', url), tiles=tuple(tiles),
                   sizes=sizes, max_width=max_width,
                   max_height=limit('maxHeight') or max_width, max_area=limit('maxArea'),
                   format=preferred[0] if preferred else 'jpg',
                   mm_per_px=physical_mm_per_unit(info.get('service')), info=info)

    def viewer_image(self) -> dict:
        """The service's image as a IIIF Presentation 3 image body (``id``, ``width``,
        ``height``, ``service``): viewers read its tiles from the server itself."""
        if self.version == 3:
            service = dict(id=self.id, type='ImageService3', profile=f'level{self.level}')
        else:
            service = {'@id': self.id, '@type': 'ImageService2',
                       'profile': f'http://iiif.io/api/image/2/level{self.level}.json'}
        size = 'max' if self.version == 3 else 'full'
        return dict(id=f'{self.id}/full/{size}/0/default.jpg', width=self.width,
                    height=self.height, service=[service])

    @property
    def info_url(self) -> str:
        return f'{self.id}/info.json'

    def region_urls(self, x: int, y: int, width: int, height: int) -> Tuple[str, ...]:
        """URLs of one region at full resolution, the form the server most likely has first.

        A level-0 server has only the files it was given: version 2 names the size ``w,``,
        version 3 ``w,h`` (``max`` for the whole image), as viewers ask for tiles and static
        tile generators write them; the other forms the specification allows (``full``,
        ``max``, ``w,h``) follow, to be tried when the first is not found. A level-1/2 server
        is asked for ``w,`` (version 2) or ``max`` (version 3): the region at its own size,
        so that a region cut short by the image's edge comes back smaller, not stretched, and
        an ``info.json`` larger than the image shows.
        """
        whole = (x, y, width, height) == (0, 0, self.width, self.height)
        region = 'full' if whole else f'{x},{y},{width},{height}'
        if self.version == 2:
            sizes = [f'{width},', 'full', f'{width},{height}']
        elif whole or self.level > 0:
            sizes = ['max', f'{width},{height}']
        else:
            sizes = [f'{width},{height}', 'max']
        urls = [f'{self.id}/{region}/{size}/0/default.{self.format}' for size in sizes]
        return tuple(urls if self.level == 0 else urls[:1])
