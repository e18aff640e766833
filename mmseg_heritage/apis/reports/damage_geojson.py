"""The damage of a scan as GeoJSON polygons, for QuPath and GIS tools.

One feature per region that the condition report counts (8-connected, at least the minimum
size), outlined along its pixels' edges with its holes (:mod:`.damage_outlines`): a Polygon, or
a MultiPolygon where its parts touch only at corners. Every geometry is valid (OGC simple
features) and its area is the region's pixel count. Coordinates are the scan's pixels as
QuPath reads them: x to the right, y down, pixel (0, 0) covering [0, 1] x [0, 1]. Each feature
carries QuPath's ``objectType`` and ``classification`` (name and colour), so QuPath imports the
regions as classified annotations, and the region's measures: ``pixels``, ``area_mm2`` and, for
linear damage, ``length_px`` and ``length_mm`` (mm values where the resolution is known).
"""
from typing import Optional, Sequence

import numpy as np

from .damage_measures import DamageRegion


def damage_geojson(regions: Sequence[DamageRegion], palette: Sequence[Sequence[int]],
                   name: Optional[str] = None) -> dict:
    """A GeoJSON FeatureCollection of a scan's damage regions.

    Args:
        regions: The counted regions with their outlines (:func:`measure_damage_regions`).
        palette: RGB colour of each class id.
        name (str, optional): The scan's name, stored in the collection's properties.

    Returns:
        dict: ``{'type': 'FeatureCollection', 'features': [...]}``, in the order of
        ``regions``.
    """
    features = []
    for region in regions:
        properties = dict(objectType='annotation', name=region.damage, classification=dict(
            name=region.damage, color=[int(c) for c in palette[region.class_id]]),
            pixels=region.pixels, area_mm2=region.area_mm2)
        if region.length_px is not None:
            properties.update(length_px=region.length_px, length_mm=region.length_mm)
        outline = region.outline
        geometry = (dict(type='Polygon', coordinates=_rings(outline))
                    if outline.geom_type == 'Polygon' else
                    dict(type='MultiPolygon', coordinates=[_rings(p) for p in outline.geoms]))
        features.append(dict(type='Feature', geometry=geometry, properties=properties))
    collection = dict(type='FeatureCollection', features=features)
    if name is not None:
        collection['properties'] = dict(scan=name)
    return collection


def _rings(polygon) -> list:
    """A polygon's rings as GeoJSON lists of whole numbers (its vertices are pixel corners)."""
    return [np.asarray(ring.coords).astype(np.int64).tolist()
            for ring in (polygon.exterior, *polygon.interiors)]
