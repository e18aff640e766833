"""What a condition report states about each damage class of a scan: area, separate regions
and, for linear damage, length along the skeleton, in pixels and millimetres.

Memory stays bounded however large the mask: it is read in bands of rows (about
``band_pixels`` pixels each) and nothing the size of the whole mask is allocated. In each band
OpenCV labels the regions of a class (4 bytes per pixel of the band); regions running on into
the next band are joined through the labels of the band's last row, and only a few numbers per
region (pixels, skeleton steps) are kept. Linear damage is thinned (:mod:`thinning`), and its
distance to other classes measured (4 bytes per pixel), band by band with a margin of rows
above and below, at least as many as thinning passes the band needed, so each band's skeleton
is that of the whole mask; each skeleton pixel is counted in the band that owns its row. The
margin grows (doubling, up to ``MAX_MARGIN`` rows) where a thick region needs more passes. On
a 133-megapixel mask this takes about 130 MB besides the mask.

Lengths count each step between 8-connected skeleton pixels, 1 pixel across or down and
sqrt(2) diagonally (a diagonal step is not counted where an orthogonal pair of steps already
joins the same pixels). This standard estimate is exact for lines at 0, 45 and 90 degrees and
reads up to 8 % long in between (5.5 % on a circle). Thinning stops short of a stroke's ends
by half its width, so each free end of the skeleton adds its distance to the stroke's edge,
less the half pixel its centre already covers: a line of 100 pixels, however wide, measures
100 pixels.
"""
import math
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import shapely

from ...class_names import LINEAR_DAMAGE
from ...utils.pixel_counts import value_counts
from ...utils.thinning import thin
from .damage_outlines import Outline, RegionOutlines
from .scan_resolution import ScanResolution

BAND_PIXELS = 1 << 22  # about 4 megapixels per band
MIN_MARGIN = 16
MAX_MARGIN = 1024  # regions thicker than twice this may be measured a few pixels differently
DEFAULT_MIN_REGION_PX = 16


def _merge(count: int, pairs: np.ndarray) -> np.ndarray:
    """For ids ``0..count-1`` joined by ``pairs`` (N x 2), the smallest id each is joined to."""
    root = np.arange(count)
    while len(pairs):
        a, b = root[pairs[:, 0]], root[pairs[:, 1]]
        if (a == b).all():
            break
        low = np.minimum(a, b)
        np.minimum.at(root, a, low)
        np.minimum.at(root, b, low)
        while True:  # point every id at its root
            jumped = root[root]
            if (jumped == root).all():
                break
            root = jumped
    return root


# The 8 neighbours of a pixel, counted with filter2D.
NEIGHBOURS = np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]], np.float32)


def _skeleton_steps(rows: np.ndarray, edge_distance: np.ndarray, labels: np.ndarray,
                    count: int) -> np.ndarray:
    """Steps from each skeleton pixel of a band to its neighbours east, south-east, south and
    south-west, and the length its free ends add, summed per region: ``count`` x 4 (across,
    down, diagonal, ends in pixels).

    Args:
        rows (np.ndarray): The band's skeleton with one row before and one after it (zeros
            outside the mask).
        edge_distance (np.ndarray): Distance of the band's pixels to the nearest pixel of
            another class.
        labels (np.ndarray): The band's region ids (skeleton pixels lie inside regions).
        count (int): Number of region ids.
    """
    skeleton = rows.astype(bool)
    core, below = skeleton[1:-1], skeleton[2:]  # below: the row under each row of the band
    none = np.zeros((core.shape[0], 1), bool)
    east, west = np.hstack([core[:, 1:], none]), np.hstack([none, core[:, :-1]])
    south_east, south_west = np.hstack([below[:, 1:], none]), np.hstack([none, below[:, :-1]])
    # A diagonal step is left out where the pixel beside and the one below join its two ends
    # with two orthogonal steps.
    steps = (core & east, core & below, core & south_east & ~east & ~below,
             core & south_west & ~west & ~below)
    across, down, south_east_steps, south_west_steps = (
        np.bincount(labels[step], minlength=count) for step in steps)
    # Free ends: one neighbour; a lone pixel is both ends of its stroke.
    neighbours = cv2.filter2D(rows, -1, NEIGHBOURS, borderType=cv2.BORDER_CONSTANT)[1:-1]
    ends = core & (neighbours <= 1)
    extension = (2.0 - neighbours[ends]) * (edge_distance[ends] - 0.5)
    end_length = np.bincount(labels[ends], weights=extension, minlength=count)
    return np.stack([across, down, south_east_steps + south_west_steps, end_length], 1)


class _ClassRegions:
    """The regions of one class met so far, numbered across bands, and which of them touch;
    with ``outlines``, the outlines of their parts too (:class:`RegionOutlines`)."""

    def __init__(self, outlines: bool = False) -> None:
        self.count = 1  # id 0 is no region
        self.areas: List[np.ndarray] = [np.zeros(1, np.int64)]
        # Skeleton per region: steps across, down and diagonally, and length added at its ends.
        self.steps = np.zeros((1, 4))
        self.pairs: List[np.ndarray] = []
        self.last_row: Optional[np.ndarray] = None  # ids of the previous band's last row
        self.outlines = RegionOutlines() if outlines else None

    def add_band(self, binary: np.ndarray, top: int, min_pixels: int) -> np.ndarray:
        """Label one band's regions (its first row is ``top``), join them to those above;
        return the band's ids."""
        found, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8,
                                                                   ltype=cv2.CV_32S)
        if self.outlines is not None:
            # A region too small to count that lies wholly in the band is not traced.
            traced = stats[:, cv2.CC_STAT_AREA] >= min_pixels
            traced[labels[0]] = traced[labels[-1]] = True
            traced[0] = False
            traced = traced[labels]
        labels[labels > 0] += self.count - 1
        self.areas.append(stats[1:, cv2.CC_STAT_AREA].astype(np.int64))
        if self.last_row is not None:  # 8-connected: straight down and diagonally
            above, first = self.last_row, labels[0]
            for a, b in ((above, first), (above[:-1], first[1:]), (above[1:], first[:-1])):
                touching = (a > 0) & (b > 0)
                if touching.any():
                    self.pairs.append(np.unique(np.stack([a[touching], b[touching]], 1), axis=0))
        self.last_row = labels[-1].copy()
        self.count += found - 1
        self.steps = np.vstack([self.steps, np.zeros((found - 1, 4))])
        if self.outlines is not None:
            self.outlines.add_band(labels, top, traced)
        return labels

    def regions(self, min_pixels: int):
        """The region of each id (the smallest id joined to it), each region's pixels and
        whether it is counted (at least ``min_pixels``)."""
        root = _merge(self.count, np.concatenate(self.pairs) if self.pairs
                      else np.zeros((0, 2), np.int64))
        area = np.bincount(root, weights=np.concatenate(self.areas), minlength=self.count)
        kept = area >= max(min_pixels, 1)
        kept[0] = False
        return root, area.astype(np.int64), kept


def _thinned_rows(mask: np.ndarray, class_id: int, top: int, bottom: int):
    """The skeleton of ``class_id`` in rows ``top - 1:bottom + 1`` (zeros outside the mask)
    and the distance of rows ``top:bottom`` to other classes, as in the whole mask: thinned
    with a margin of rows at least as wide as the passes it took."""
    height, width = mask.shape
    margin = MIN_MARGIN
    while True:
        first, last = max(top - 1 - margin, 0), min(bottom + 1 + margin, height)
        binary = (mask[first:last] == class_id).view(np.uint8)
        # Only the columns the class is in, and one more each side: OpenCV's distances take
        # the edge of the image for no edge at all.
        columns = np.flatnonzero(binary.any(0))
        left, right = max(columns[0] - 1, 0), min(columns[-1] + 2, width)
        skeleton, passes = thin(binary[:, left:right])
        if (first == 0 and last == height) or passes <= margin or margin >= MAX_MARGIN:
            break
        margin *= 2
    rows = np.zeros((bottom - top + 2, width), np.uint8)
    start, stop = max(top - 1, 0), min(bottom + 1, height)
    rows[start - top + 1:stop - top + 1, left:right] = skeleton[start - first:stop - first]
    edge_distance = np.zeros((bottom - top, width), np.float32)
    edge_distance[:, left:right] = cv2.distanceTransform(
        binary[:, left:right], cv2.DIST_L2, cv2.DIST_MASK_PRECISE)[top - first:bottom - first]
    return rows, edge_distance


def min_region_pixels(min_region_px: int, min_region_mm2: Optional[float],
                      resolution: Optional[ScanResolution]) -> int:
    """The smallest region counted, in pixels: both limits, the one in mm2 where the scan's
    resolution is known."""
    if not (min_region_mm2 and resolution is not None and resolution.known):
        return min_region_px
    return max(min_region_px, math.ceil(min_region_mm2 / resolution.pixel_mm2 - 1e-9))


def _length(steps: np.ndarray, mm_per_px: Optional[Tuple[float, float]]):
    """Skeleton length in pixels and (with a known resolution, else None) in mm, from the
    steps across, down and diagonally and the length added at the ends."""
    across, down, diagonal, ends = steps
    length_px = round(float(across + down + math.sqrt(2) * diagonal + ends), 2)
    if mm_per_px is None:
        return length_px, None
    sx, sy = mm_per_px
    # Ends run along the stroke, whichever way it goes: the pixel's mean side.
    return length_px, round(float(across * sx + down * sy + math.hypot(sx, sy) * diagonal
                                  + math.sqrt(sx * sy) * ends), 3)


@dataclass
class DamageRegion:
    """One counted region of a damage class: its size and its outline.

    Args:
        damage (str): The class's name.
        class_id (int): Its value in the mask.
        pixels (int): The region's pixels (its outline's area).
        area_mm2 (float, optional): Its area in mm2 where the resolution is known.
        outline (Polygon or MultiPolygon): Along its pixels' edges, in the mask's pixel
            coordinates (:mod:`.damage_outlines`).
        length_px (float, optional): Linear damage: its length along the skeleton.
        length_mm (float, optional): The same in mm, where the resolution is known.
    """
    damage: str
    class_id: int
    pixels: int
    area_mm2: Optional[float]
    outline: Outline
    length_px: Optional[float] = None
    length_mm: Optional[float] = None


def measure_damage(mask: np.ndarray, classes: Sequence[str],
                   resolution: Optional[ScanResolution] = None,
                   linear_classes: Sequence[str] = LINEAR_DAMAGE,
                   min_region_px: int = DEFAULT_MIN_REGION_PX,
                   min_region_mm2: Optional[float] = None,
                   band_pixels: int = BAND_PIXELS) -> Dict[str, dict]:
    """Area, regions and (linear damage) skeleton length of every damage class of a mask.

    Args:
        mask (np.ndarray): HxW uint8 class ids.
        classes (Sequence[str]): Class names by id; 'Clean' is not damage and is left out.
        resolution (ScanResolution, optional): The scan's; without a known one, only pixels.
        linear_classes (Sequence[str]): Classes measured along their skeleton.
        min_region_px (int): Smallest region counted, in pixels. Defaults to 16.
        min_region_mm2 (float, optional): Smallest region counted, in mm2, where the
            resolution is known (both limits apply).
        band_pixels (int): Pixels per band of rows (memory). Defaults to about 4 million.

    Returns:
        dict: For each damage class: ``pixels``, ``percent`` (of the scan), ``area_mm2``,
        ``regions`` and, for linear classes, ``length_px`` and ``length_mm`` (mm values None
        without a known resolution).
    """
    return _measure(mask, classes, resolution, linear_classes, min_region_px, min_region_mm2,
                    band_pixels, outlines=False)[0]


def measure_damage_regions(mask: np.ndarray, classes: Sequence[str],
                           resolution: Optional[ScanResolution] = None,
                           linear_classes: Sequence[str] = LINEAR_DAMAGE,
                           min_region_px: int = DEFAULT_MIN_REGION_PX,
                           min_region_mm2: Optional[float] = None,
                           band_pixels: int = BAND_PIXELS
                           ) -> Tuple[Dict[str, dict], List[DamageRegion]]:
    """:func:`measure_damage`'s measures, and each counted region with its outline, in the
    same pass over the mask (arguments as there). The outlines of a band's regions are
    traced with the band; those too small to count are not.

    Returns:
        tuple: The measures per class, and the regions (:class:`DamageRegion`) class by class,
        each class's in the order of their first pixels, row by row.
    """
    return _measure(mask, classes, resolution, linear_classes, min_region_px, min_region_mm2,
                    band_pixels, outlines=True)


def _measure(mask, classes, resolution, linear_classes, min_region_px, min_region_mm2,
             band_pixels, outlines: bool):
    height, width = mask.shape
    known = resolution is not None and resolution.known
    mm_per_px = resolution.mm_per_px if known else None

    def mm2(count) -> Optional[float]:
        return round(float(count) * mm_per_px[0] * mm_per_px[1], 4) if known else None

    min_pixels = min_region_pixels(min_region_px, min_region_mm2, resolution)
    band_rows = max(1, band_pixels // max(width, 1))
    damage_ids = [i for i, name in enumerate(classes) if name != 'Clean']
    linear_ids = {i for i in damage_ids if classes[i] in linear_classes}
    regions = {i: _ClassRegions(outlines) for i in damage_ids}
    pixels = np.zeros(256, np.int64)
    for top in range(0, height, band_rows):
        bottom = min(top + band_rows, height)
        band = mask[top:bottom]
        counts = value_counts(band)
        pixels += counts
        for class_id in damage_ids:
            state = regions[class_id]
            if not counts[class_id]:
                state.last_row = None
                continue
            labels = state.add_band((band == class_id).view(np.uint8), top, min_pixels)
            if class_id in linear_ids:
                rows, edge_distance = _thinned_rows(mask, class_id, top, bottom)
                state.steps += _skeleton_steps(rows, edge_distance, labels, state.count)
    measures, found = {}, []
    for class_id in damage_ids:
        name, state = classes[class_id], regions[class_id]
        root, area, kept = state.regions(min_pixels)
        linear = class_id in linear_ids
        entry = dict(pixels=int(pixels[class_id]),
                     percent=round(100.0 * float(pixels[class_id]) / max(mask.size, 1), 4),
                     area_mm2=mm2(pixels[class_id]), regions=int(kept.sum()))
        if linear:
            entry['length_px'], entry['length_mm'] = _length(state.steps[kept[root]].sum(0),
                                                             mm_per_px)
        measures[name] = entry
        if outlines and kept.any():
            steps = np.zeros_like(state.steps)
            np.add.at(steps, root, state.steps)
            order = np.argsort(root, kind='stable')
            class_regions = []
            for group in np.split(order, np.flatnonzero(np.diff(root[order])) + 1):
                region = int(root[group[0]])
                if not kept[region]:
                    continue
                length = _length(steps[region], mm_per_px) if linear else (None, None)
                class_regions.append(DamageRegion(
                    name, class_id, int(area[region]), mm2(area[region]),
                    state.outlines.outline(group, height), *length))
            found += sorted(class_regions, key=_first_pixel)
    return measures, found


def _first_pixel(region: DamageRegion) -> Tuple[float, float]:
    """(row, column) of a region's first pixel, reading the mask row by row: regions come in
    that order whatever the bands (which number them differently)."""
    corners = shapely.get_coordinates(region.outline)
    top = corners[:, 1].min()
    return top, corners[corners[:, 1] == top, 0].min()
