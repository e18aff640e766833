"""GeoJSON outlines of the damage: one feature per counted region, as QuPath reads them, valid
and as large as the region."""
import json

import cv2
import numpy as np
from shapely.geometry import shape

from mmseg_heritage.apis import ScanResolution, damage_geojson, measure_damage_regions
from mmseg_heritage.class_names import CLASSES, PALETTE

PUNCTURE, CRACKS, DUST = (CLASSES.index(name) for name in ('Puncture', 'Cracks', 'Dust'))


def features_of(mask, **settings):
    _, regions = measure_damage_regions(mask, CLASSES, **settings)
    return damage_geojson(regions, PALETTE, name='scan')


def test_features_are_the_counted_regions_with_their_holes():
    mask = np.zeros((120, 200), np.uint8)
    mask[10:30, 10:40] = PUNCTURE
    mask[15:20, 20:25] = 0  # a hole ...
    mask[17, 22] = PUNCTURE  # ... with a speck in it, too small to count
    mask[50:54, 100:104] = PUNCTURE  # 16 px: counted
    mask[90:93, 150:153] = PUNCTURE  # 9 px: not
    mask[60:63, 10:13] = DUST  # 9 px
    cv2.line(mask, (60, 100), (159, 100), CRACKS, 1)  # one pixel wide
    collection = features_of(mask, resolution=ScanResolution.from_dpi(254))
    assert json.loads(json.dumps(collection)) == collection  # plain JSON
    assert collection['type'] == 'FeatureCollection'
    assert collection['properties'] == {'scan': 'scan'}
    by_class = {}
    for feature in collection['features']:
        by_class.setdefault(feature['properties']['name'], []).append(feature)
    assert {name: len(features) for name, features in by_class.items()} == {
        'Puncture': 2, 'Cracks': 1}

    block, small = by_class['Puncture']  # from the top down
    assert block['geometry']['type'] == 'Polygon'
    outer, hole = block['geometry']['coordinates']
    # Along the pixels' edges, in QuPath's pixel coordinates, closed; the speck in the hole
    # is too small to be a region of its own and is not part of this one.
    assert sorted(map(tuple, outer[:-1])) == [(10, 10), (10, 30), (40, 10), (40, 30)]
    assert outer[0] == outer[-1] and hole[0] == hole[-1]
    assert (min(x for x, _ in hole), max(y for _, y in hole)) == (20, 20)
    assert shape(block['geometry']).area == 20 * 30 - 25 == block['properties']['pixels']
    assert block['properties']['objectType'] == 'annotation'
    assert block['properties']['classification'] == dict(name='Puncture',
                                                         color=PALETTE[PUNCTURE])
    assert block['properties']['area_mm2'] == 575 * 0.01
    assert shape(small['geometry']).area == 16
    # A crack one pixel wide keeps its width: a 100 x 1 rectangle, anticlockwise as GeoJSON
    # asks (with y up; y runs down in a scan).
    [crack] = by_class['Cracks']
    assert crack['geometry'] == dict(type='Polygon', coordinates=[
        [[60, 100], [160, 100], [160, 101], [60, 101], [60, 100]]])
    assert (crack['properties']['length_px'], crack['properties']['length_mm']) == (100, 10)


def test_regions_touching_at_a_corner_are_one_multipolygon():
    mask = np.zeros((12, 12), np.uint8)
    mask[2:6, 2:6] = mask[6:10, 6:10] = PUNCTURE  # 32 pixels, joined at one corner
    [feature] = features_of(mask)['features']
    geometry = shape(feature['geometry'])
    assert feature['geometry']['type'] == 'MultiPolygon'
    assert geometry.is_valid and geometry.area == 32


def test_the_minimum_size_is_the_reports():
    mask = np.zeros((60, 60), np.uint8)
    cv2.line(mask, (5, 5), (24, 24), CRACKS, 1)  # 20 pixels along a diagonal
    mask[40:43, 40:45] = PUNCTURE  # 15 pixels
    assert len(features_of(mask, min_region_px=16)['features']) == 1
    assert len(features_of(mask, min_region_px=15)['features']) == 2
    assert len(features_of(mask, min_region_px=21)['features']) == 0
