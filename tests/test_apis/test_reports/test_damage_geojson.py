"""GeoJSON outlines of the damage: one feature per counted region, as QuPath reads them."""
import json

import cv2
import numpy as np

from mmseg_heritage.apis import damage_geojson, measure_damage
from mmseg_heritage.class_names import CLASSES, PALETTE

PUNCTURE, CRACKS, DUST = (CLASSES.index(name) for name in ('Puncture', 'Cracks', 'Dust'))


def test_features_are_the_counted_regions_with_their_holes():
    mask = np.zeros((120, 200), np.uint8)
    mask[10:30, 10:40] = PUNCTURE
    mask[15:20, 20:25] = 0  # a hole ...
    mask[17, 22] = PUNCTURE  # ... with a speck in it, too small to count
    mask[50:54, 100:104] = PUNCTURE  # 16 px: counted
    mask[90:93, 150:153] = PUNCTURE  # 9 px: not
    mask[60:63, 10:13] = DUST  # 9 px
    cv2.line(mask, (60, 100), (159, 100), CRACKS, 1)  # one pixel wide
    collection = damage_geojson(mask, CLASSES, PALETTE, name='scan')
    json.dumps(collection)  # plain JSON
    assert collection['type'] == 'FeatureCollection'
    assert collection['properties'] == {'scan': 'scan'}
    by_class = {}
    for feature in collection['features']:
        by_class.setdefault(feature['properties']['name'], []).append(feature)
    measures = measure_damage(mask, CLASSES)
    assert {name: len(features) for name, features in by_class.items()} == {
        name: entry['regions'] for name, entry in measures.items() if entry['regions']}
    assert sorted(by_class) == ['Cracks', 'Puncture']

    block, small = sorted(by_class['Puncture'], key=lambda f: f['geometry']['coordinates'][0][0])
    assert block['geometry']['type'] == 'Polygon'
    outer, hole = block['geometry']['coordinates']
    # Through the centres of the border pixels, in QuPath's pixel coordinates, closed.
    assert sorted(map(tuple, outer[:-1])) == [(10.5, 10.5), (10.5, 29.5), (39.5, 10.5),
                                              (39.5, 29.5)]
    assert outer[0] == outer[-1] and hole[0] == hole[-1]
    assert min(x for x, _ in hole) == 19.5 and max(y for _, y in hole) == 20.5
    assert block['properties']['objectType'] == 'annotation'
    assert block['properties']['classification'] == dict(name='Puncture',
                                                         color=PALETTE[PUNCTURE])
    # A crack one pixel wide has no area between its border pixels: a line along it.
    [crack] = by_class['Cracks']
    assert crack['geometry'] == dict(type='LineString',
                                     coordinates=[[60.5, 100.5], [159.5, 100.5]])


def test_the_minimum_size_is_the_reports():
    mask = np.zeros((60, 60), np.uint8)
    cv2.line(mask, (5, 5), (24, 24), CRACKS, 1)  # 20 pixels along a diagonal
    mask[40:43, 40:45] = PUNCTURE  # 15 pixels
    assert len(damage_geojson(mask, CLASSES, PALETTE, min_region_px=16)['features']) == 1
    assert len(damage_geojson(mask, CLASSES, PALETTE, min_region_px=15)['features']) == 2
    assert len(damage_geojson(mask, CLASSES, PALETTE, min_region_px=21)['features']) == 0
