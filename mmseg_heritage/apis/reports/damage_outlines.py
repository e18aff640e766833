"""Outlines of damage regions along the edges of their pixels, as valid polygons.

Pixel (x, y) covers the square [x, x + 1] x [y, y + 1], so an outline that follows the pixels'
edges encloses exactly the region's pixels: its area is the pixel count, a line one pixel wide
keeps its width, and its holes (pixels of other classes inside it) are kept. Outlines are valid OGC
simple features, as GEOS, QGIS and QuPath require: GDAL's polygonize
(``rasterio.features.shapes``) traces each part of a region whose pixels share edges
(4-connected) as a polygon with its holes; the parts of one region (8-connected, as the report
counts it) that touch only at corners become one MultiPolygon, whose polygons may touch at
points. Rings run anticlockwise around the region and clockwise around its holes (as GeoJSON
asks; in an image's y-down coordinates they look the other way round), so a nonzero fill leaves
the holes empty as an even-odd fill does.

Masks are traced band by band (:mod:`.damage_measures` labels each band's regions): only the
parts that touch a band's edge are joined with GEOS's union (exact on these integer
coordinates), and of those only their shells and the holes that reach the edge.
"""
import itertools
import json
from typing import Dict, Iterable, List, Union

import numpy as np
import shapely
from rasterio.features import shapes
from rasterio.transform import Affine
from shapely.geometry import MultiPolygon, Polygon

Outline = Union[Polygon, MultiPolygon]
PARTS_PER_BATCH = 1000


class RegionOutlines:
    """The outlines of the parts of one class's regions, collected band by band.

    Parts are kept by the id of the band's region they belong to; :meth:`outline` puts
    together those of a region whose ids were joined across bands.
    """

    def __init__(self) -> None:
        self.parts: Dict[int, List[Polygon]] = {}
        self.band_edges = set()  # rows where one band ends and the next begins

    def add_band(self, labels: np.ndarray, top: int, traced: np.ndarray) -> None:
        """Trace the parts of a band's regions.

        Args:
            labels (np.ndarray): The band's region ids (int32; 0: not this class).
            top (int): The band's first row in the mask.
            traced (np.ndarray): Pixels worth tracing (bool): those of regions that may be
                counted.
        """
        if top:
            self.band_edges.add(top)
        self.band_edges.add(top + labels.shape[0])
        found = shapes(labels, mask=traced, connectivity=4, transform=Affine.translation(0, top))
        while True:
            # Parts in batches: one shapely call for many is much faster than one per part,
            # and GDAL's GeoJSON-like dicts (Python floats) never pile up.
            batch = list(itertools.islice(found, PARTS_PER_BATCH))
            if not batch:
                break
            polygons = shapely.from_geojson([json.dumps(geometry) for geometry, _ in batch])
            for polygon, (_, region) in zip(polygons, batch):
                self.parts.setdefault(int(region), []).append(polygon)

    def outline(self, ids: Iterable[int], height: int) -> Outline:
        """The outline of the region made of the band regions ``ids``.

        Args:
            ids: The band regions' ids.
            height (int): The mask's height (its last row ends no band that goes on).
        """
        parts = np.array([part for i in ids for part in self.parts.get(i, ())], object)
        if len(parts) > 1 and len(self.band_edges) > 1:
            _, top, _, bottom = shapely.bounds(parts).T
            edges = list(self.band_edges - {height})
            cut = np.isin(top, edges) | np.isin(bottom, edges)
            if cut.any():
                parts = np.concatenate([parts[~cut], _joined(parts[cut], edges)])
        outline = parts[0] if len(parts) == 1 else MultiPolygon(list(parts))
        return shapely.orient_polygons(outline)


def _joined(parts: np.ndarray, edges: List[int]) -> np.ndarray:
    """Parts cut by band edges (at rows ``edges``) joined into whole polygons.

    Only their shells and the holes that reach a band edge go through GEOS's union (its cost
    grows with the vertices it is given, and a network of cracks has thousands of holes); the
    other holes cannot change and go back into the polygon that took in their part.
    """
    shells, other_holes = [], []
    for part in parts:
        holes = np.array(part.interiors, object)
        if len(holes):
            _, top, _, bottom = shapely.bounds(holes).T
            reach = np.isin(top, edges) | np.isin(bottom, edges)
            other_holes.append(holes[~reach])
            holes = holes[reach]
        else:
            other_holes.append(holes)
        shells.append(Polygon(part.exterior, list(holes)))
    # simplify(0) drops the vertices the union leaves on the band edges.
    joined = shapely.get_parts(shapely.simplify(shapely.union_all(shells), 0))
    shapely.prepare(joined)
    holes = [[] for _ in joined]
    for shell, part_holes in zip(shells, other_holes):
        if len(part_holes):
            inside = shapely.point_on_surface(shell)
            holes[next(i for i, polygon in enumerate(joined)
                       if polygon.covers(inside))].extend(part_holes)
    return np.array([Polygon(polygon.exterior, [*polygon.interiors, *extra])
                     if extra else polygon for polygon, extra in zip(joined, holes)], object)


def svg_path(outline: Outline, scale=(1.0, 1.0)) -> str:
    """SVG path data of an outline: one closed sub-path per ring (holes included), in the
    outline's coordinates times ``scale`` (x, y)."""
    polygons = getattr(outline, 'geoms', [outline])
    rings = [ring for polygon in polygons for ring in (polygon.exterior, *polygon.interiors)]
    paths = []
    for ring in rings:
        points = np.asarray(ring.coords)[:-1] * np.asarray(scale, float)
        paths.append('M' + 'L'.join(f'{_number(x)},{_number(y)}' for x, y in points) + 'Z')
    return ''.join(paths)


def _number(value: float) -> str:
    """Up to three decimals, without trailing zeros (pixel edges are whole numbers)."""
    return f'{value:.3f}'.rstrip('0').rstrip('.')
