"""Outlines along the pixels' edges: valid (shapely), exactly the region's pixels, holes kept,
the same whatever the bands the mask is read in."""
import cv2
import numpy as np
import pytest
import shapely

from mmseg_heritage.apis import measure_damage_regions
from mmseg_heritage.apis.reports.damage_outlines import svg_path
from mmseg_heritage.class_names import CLASSES

PUNCTURE, DUST, STAIN = (CLASSES.index(name) for name in ('Puncture', 'Dust', 'Staining'))


def drawn(rows):
    """A mask from rows of text: '#' Puncture, 'o' Dust, '.' Clean."""
    lut = {'#': PUNCTURE, 'o': DUST, '.': 0}
    return np.array([[lut[c] for c in row] for row in rows], np.uint8)


MASKS = {
    'diagonal chain': drawn(['#.....', '.#....', '..#...', '...#..', '....#.', '.....#']),
    'anti-diagonal line and lines one pixel wide': drawn([
        '....#.#', '...#..#', '..#...#', '.#....#', '#......', '.######']),
    # The hole touches the ring at a corner: a polygon with a hole touching its shell.
    'hole touching at a corner': drawn(['#####.', '#...#.', '#...#.', '#..##.', '####..',
                                        '......']),
    # An island in a hole, joined to the ring at a corner (one 8-connected region).
    'island in a hole': drawn(['#######', '#.....#', '#.###.#', '#.#o#.#', '#.###.#',
                               '#....##', '#######']),
    'checkerboard': drawn(['#.#.#.', '.#.#.#', '#.#.#.', '.#.#.#', '#o#o#o', 'o#o#o#']),
    # Cut by band edges (rows of 3): holes that reach them and holes that do not.
    'holes in a region across band edges': drawn(['#######', '#.###.#', '#######', '##...##',
                                                  '##...##', '#######', '#.#####', '#######']),
    'ring across band edges': drawn(['........', '.######.', '.#....#.', '.#.##.#.', '.#.##.#.',
                                     '.#....#.', '.######.', '........', '..#..#..', '.#.##.#.']),
}
RANDOM = {f'random {seed}': np.random.default_rng(seed).choice(
    np.array([0, PUNCTURE, DUST, STAIN], np.uint8), (14, 12), p=[0.45, 0.25, 0.2, 0.1])
    for seed in range(8)}


def check_outlines(mask: np.ndarray, band_rows: int) -> list:
    """Each outline is valid and holds exactly the pixel centres of one 8-connected region,
    and every region of the mask has one."""
    _, regions = measure_damage_regions(mask, CLASSES, min_region_px=1,
                                        band_pixels=band_rows * mask.shape[1])
    ys, xs = np.mgrid[:mask.shape[0], :mask.shape[1]] + 0.5
    found = {}
    for region in regions:
        assert region.outline.is_valid, shapely.is_valid_reason(region.outline)
        assert region.outline.area == region.pixels
        inside = shapely.contains_xy(region.outline, xs, ys)
        assert (mask[inside] == region.class_id).all() and inside.sum() == region.pixels
        found.setdefault(region.class_id, []).append(inside)
    for class_id in np.unique(mask[mask > 0]):
        count, labels = cv2.connectedComponents((mask == class_id).view(np.uint8),
                                                connectivity=8)
        assert sorted(np.flatnonzero(inside).tolist() for inside in found[class_id]) == sorted(
            np.flatnonzero(labels == label).tolist() for label in range(1, count))
    return regions


@pytest.mark.parametrize('name', list(MASKS) + list(RANDOM))
def test_outlines_hold_exactly_their_regions_pixels(name):
    mask = {**MASKS, **RANDOM}[name]
    by_bands = [check_outlines(mask, rows) for rows in (2, 3, len(mask))]
    # Bands change nothing: the same regions, outlined the same way.
    for regions in by_bands[:-1]:
        assert [r.pixels for r in regions] == [r.pixels for r in by_bands[-1]]
        assert all(shapely.equals(a.outline, b.outline) for a, b in zip(regions, by_bands[-1]))


def test_corner_touching_parts_and_holes():
    regions = check_outlines(MASKS['diagonal chain'], 6)
    [chain] = regions
    assert chain.outline.geom_type == 'MultiPolygon' and len(chain.outline.geoms) == 6
    [ring] = check_outlines(MASKS['hole touching at a corner'], 6)
    assert ring.outline.geom_type == 'Polygon' and len(ring.outline.interiors) == 1
    dust, ring_and_island = check_outlines(MASKS['island in a hole'], 7)  # by class id
    assert ring_and_island.outline.geom_type == 'MultiPolygon'
    assert ring_and_island.pixels == 33 and dust.pixels == 1


def test_svg_paths_hold_each_ring_scaled():
    mask = np.zeros((6, 6), np.uint8)
    mask[1:5, 1:5] = PUNCTURE
    mask[2:4, 2:4] = 0
    [square] = measure_damage_regions(mask, CLASSES, min_region_px=1)[1]
    path = svg_path(square.outline, (2, 0.5))
    assert path.count('M') == 2 and path.count('Z') == 2  # the hole is a sub-path
    rings = [np.array([point.split(',') for point in ring.lstrip('M').split('L')], float)
             for ring in path.rstrip('Z').split('ZM')]
    assert sorted(map(tuple, rings[0])) == [(2, 0.5), (2, 2.5), (10, 0.5), (10, 2.5)]
    polygon = shapely.Polygon(rings[0], rings[1:])
    assert polygon.is_valid and polygon.area == 12 * 2 * 0.5


def test_a_region_counted_only_as_a_whole_is_outlined_across_bands():
    mask = np.zeros((24, 6), np.uint8)
    mask[2:22, 3] = PUNCTURE  # 20 pixels, 3 in each band: counted, though no band's part is
    [line] = measure_damage_regions(mask, CLASSES, band_pixels=3 * 6)[1]
    assert line.pixels == 20 and line.outline.area == 20 and line.outline.is_valid
    assert line.outline.geom_type == 'Polygon'  # its parts joined, no seams left
    assert len(line.outline.exterior.coords) == 5
