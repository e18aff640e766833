"""W3C Web Annotations of a scan's damage: an IIIF AnnotationPage that the IIIF's own models
accept, with SVG selectors in the canvas's coordinates."""
import json
import xml.etree.ElementTree as ElementTree

import iiif_prezi3
import numpy as np
import shapely
import shapely.affinity

from mmseg_heritage.apis import ScanResolution, damage_annotation_page, measure_damage_regions
from mmseg_heritage.class_names import CLASSES, PALETTE

PUNCTURE, CRACKS = CLASSES.index('Puncture'), CLASSES.index('Cracks')
CANVAS = dict(id='https://museum.example/iiif/object-7/canvas/1', width=400, height=100,
              manifest='https://museum.example/iiif/object-7/manifest')
PAGE = 'https://conservation.example/damage/annotations/object-7.json'


def svg_outline(svg: str) -> shapely.MultiPolygon:
    """The polygons an SvgSelector's path draws with the even-odd rule (its first sub-path
    the shell, the others holes: enough for the shapes drawn here)."""
    path = ElementTree.fromstring(svg).find('{http://www.w3.org/2000/svg}path')
    assert path.get('fill-rule') == 'evenodd'
    rings = [np.array([p.split(',') for p in ring.strip('MZ').split('L')], float)
             for ring in path.get('d').split('Z') if ring]
    return shapely.Polygon(rings[0], rings[1:])


def test_one_annotation_per_region_in_the_canvas_coordinates():
    mask = np.zeros((50, 100), np.uint8)  # the canvas is 4 x 2 times the scan
    mask[10:30, 10:40] = PUNCTURE
    mask[15:20, 20:25] = 0  # a hole
    mask[39:42, 50:90] = CRACKS
    _, regions = measure_damage_regions(mask, CLASSES, ScanResolution.from_dpi(254))
    page = damage_annotation_page(regions, PAGE, CANVAS, (100, 50), PALETTE, label='object 7')
    iiif_prezi3.AnnotationPage.model_validate_json(json.dumps(page))
    assert page['@context'] == 'http://iiif.io/api/presentation/3/context.json'
    assert page['id'] == PAGE and len(page['items']) == 2
    cracks, puncture = page['items']  # by class id
    for annotation, region in zip(page['items'], regions):
        tag, description = annotation['body']
        assert tag == dict(type='TextualBody', value=region.damage, purpose='tagging',
                           format='text/plain', language='en')
        assert description['purpose'] == 'describing'
        target = annotation['target']
        assert target['source'] == dict(id=CANVAS['id'], type='Canvas', partOf=[
            dict(id=CANVAS['manifest'], type='Manifest')])
        outline = svg_outline(target['selector']['value'])
        assert outline.is_valid and outline.area == region.pixels * 4 * 2
        assert outline.equals(shapely.affinity.scale(region.outline, 4, 2, origin=(0, 0)))
    assert len(svg_outline(puncture['target']['selector']['value']).interiors) == 1
    assert puncture['body'][1]['value'] == 'Puncture: 575 px (5.75 mm²)'
    assert cracks['body'][1]['value'] == 'Cracks: 120 px (1.20 mm²), 4.0 mm long (40 px)'
