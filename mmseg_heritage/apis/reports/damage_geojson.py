"""The damage of a scan as GeoJSON polygons, for QuPath and GIS tools.

One feature per region that the condition report counts (8-connected, at least the minimum
size), with its holes (but those whose outline fits in fewer pixels than the minimum size).
Coordinates are the scan's pixels as QuPath reads them: x to the right, y down, pixel (0, 0)
covering [0, 1) x [0, 1). Outlines run through the centres of a region's border pixels
(OpenCV's contour tracing); a region one pixel wide has no area there and becomes a LineString
along it. Each feature carries QuPath's ``objectType`` and ``classification`` (name and
colour), so QuPath imports the regions as classified annotations.

Contours are traced on the bounding box of each class in turn, one byte per pixel of it.
"""
from typing import List, Optional, Sequence

import cv2
import numpy as np

from ...utils.pixel_counts import value_counts
from .damage_measures import DEFAULT_MIN_REGION_PX

BAND_ROWS = 1024


def _class_boxes(mask: np.ndarray, class_ids: Sequence[int]) -> dict:
    """(top, bottom, left, right) of each class present, found band by band."""
    boxes = {}
    for top in range(0, mask.shape[0], BAND_ROWS):
        band = mask[top:top + BAND_ROWS]
        counts = value_counts(band)
        for class_id in class_ids:
            if not counts[class_id]:
                continue
            here = band == class_id
            rows, columns = np.flatnonzero(here.any(1)), np.flatnonzero(here.any(0))
            box = (top + rows[0], top + rows[-1] + 1, columns[0], columns[-1] + 1)
            old = boxes.get(class_id, box)
            boxes[class_id] = (min(old[0], box[0]), max(old[1], box[1]), min(old[2], box[2]),
                               max(old[3], box[3]))
    return boxes


def _region_pixels_at_least(contour: np.ndarray, binary: np.ndarray, min_pixels: int) -> bool:
    """Whether the region an outer contour encloses has ``min_pixels`` pixels or more.

    Its bounding box or its border pixels (all in the region) settle most cases; else the
    region is small (no wider or taller than its border is long) and is labelled within its
    bounding box.
    """
    x, y, width, height = cv2.boundingRect(contour)
    if width * height < min_pixels:
        return False
    points = contour[:, 0, :]
    if len(points) >= min_pixels and len(np.unique(points, axis=0)) >= min_pixels:
        return True
    _, labels, stats, _ = cv2.connectedComponentsWithStats(
        binary[y:y + height, x:x + width], connectivity=8)
    label = labels[points[0, 1] - y, points[0, 0] - x]
    return stats[label, cv2.CC_STAT_AREA] >= min_pixels


def _ring(contour: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """Contour points without those in the middle of straight runs, in pixel coordinates."""
    points = contour[:, 0, :].astype(np.int64)
    if len(points) > 2:
        before, after = points - np.roll(points, 1, 0), np.roll(points, -1, 0) - points
        points = points[(before != after).any(1)]
    return points + offset


def _geometry(outer: np.ndarray, holes: List[np.ndarray]) -> dict:
    def closed(ring: np.ndarray) -> list:
        return np.vstack([ring, ring[:1]]).tolist()

    if len(outer) >= 3 and cv2.contourArea(outer.astype(np.float32)) > 0:
        return dict(type='Polygon', coordinates=[closed(outer)] + [
            closed(hole) for hole in holes if len(hole) >= 3])
    if len(np.unique(outer, axis=0)) == 1:
        return dict(type='Point', coordinates=outer[0].tolist())
    return dict(type='LineString', coordinates=outer.tolist())


def damage_geojson(mask: np.ndarray, classes: Sequence[str], palette: Sequence[Sequence[int]],
                   min_region_px: int = DEFAULT_MIN_REGION_PX,
                   name: Optional[str] = None) -> dict:
    """A GeoJSON FeatureCollection of the damage regions of a mask.

    Args:
        mask (np.ndarray): HxW uint8 class ids.
        classes (Sequence[str]): Class names by id; 'Clean' is not damage and is left out.
        palette: RGB colour of each class.
        min_region_px (int): Smallest region written, in pixels (as the report counts).
            Defaults to 16.
        name (str, optional): The scan's name, stored in the collection's properties.

    Returns:
        dict: ``{'type': 'FeatureCollection', 'features': [...]}``, features class by class.
    """
    damage_ids = [i for i, label in enumerate(classes) if label != 'Clean']
    features = []
    for class_id, (top, bottom, left, right) in sorted(_class_boxes(mask, damage_ids).items()):
        binary = cv2.inRange(mask[top:bottom, left:right], class_id, class_id)
        contours, hierarchy = cv2.findContours(binary, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
        # Coordinates of pixel centres in QuPath's convention, in the whole scan.
        offset = np.array([left + 0.5, top + 0.5])
        properties = dict(objectType='annotation', classification=dict(
            name=classes[class_id], color=[int(c) for c in palette[class_id]]))
        for index, contour in enumerate(contours):
            following, _, child, parent = hierarchy[0][index]
            if parent != -1 or not _region_pixels_at_least(contour, binary, min_region_px):
                continue
            holes = []
            while child != -1:  # holes too small to be a region themselves are left out
                _, _, width, height = cv2.boundingRect(contours[child])
                if width * height >= min_region_px:
                    holes.append(_ring(contours[child], offset))
                child = hierarchy[0][child][0]
            features.append(dict(type='Feature',
                                 geometry=_geometry(_ring(contour, offset), holes),
                                 properties=dict(properties, name=classes[class_id])))
    collection = dict(type='FeatureCollection', features=features)
    if name is not None:
        collection['properties'] = dict(scan=name)
    return collection
