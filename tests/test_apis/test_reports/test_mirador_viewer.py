"""A collection run's scans in Mirador: the IIIF manifest and annotation pages it writes are
valid, and Mirador (headless Chromium, the folder served over HTTP) shows the scan with our
damage regions listed and drawn."""
import functools
import json
import re
import time
import xml.etree.ElementTree as ElementTree

import cv2
import iiif_prezi3
import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from mmseg_heritage.apis import ScanResolution, infer_collection
from mmseg_heritage.apis.reports.damage_report import DEFAULT_BASE_URL
from mmseg_heritage.class_names import CLASSES, PALETTE

from helpers import console_problems, served_folder, tinted, wait_until

# Mirador warns once, on every page, about one of its own selectors (reselect's development
# check, which its bundled reselect runs in production too).
MIRADOR_NOTICE = 'The result function returned its own inputs without modification'


class Painter:
    """Material loss with a hole, a diagonal crack and a puncture on the first scan; a band
    of material loss on the second."""
    classes, palette = CLASSES, PALETTE

    def predict(self, image):
        mask = np.zeros(image.shape[:2], np.uint8)
        if image.shape[0] == 240:
            mask[30:130, 30:150] = CLASSES.index('Material loss')
            mask[60:90, 70:100] = 0
            cv2.line(mask, (180, 20), (330, 200), CLASSES.index('Cracks'), 3)
            mask[170:220, 40:90] = CLASSES.index('Puncture')
        else:
            mask[:, :40] = CLASSES.index('Material loss')
        return mask


@pytest.fixture(scope='module')
def collection(tmp_path_factory):
    folder = tmp_path_factory.mktemp('mirador')
    rng = np.random.default_rng(0)
    scan = cv2.GaussianBlur(rng.integers(90, 170, (240, 360, 3), np.uint8), (0, 0), 2)
    (folder / 'scans').mkdir()
    cv2.imwrite(str(folder / 'scans/scan one.png'), scan)
    cv2.imwrite(str(folder / 'scans/b.png'), scan[:100, :150])
    (folder / 'scans/broken.jpg').write_bytes(b'\xff\xd8 not a jpeg')
    images = {name: folder / f'scans/{name}{suffix}'
              for name, suffix in (('scan one', '.png'), ('b', '.png'), ('broken', '.jpg'))}
    records = infer_collection(Painter(), images, folder / 'out', progress=False,
                               viewer=False, resolution=ScanResolution.from_dpi(600))
    return folder / 'out', records


def svg_polygons(svg: str) -> shapely.MultiPolygon:
    """The rings of an SvgSelector's path, as polygons put together with the even-odd rule."""
    path = ElementTree.fromstring(svg).find('{http://www.w3.org/2000/svg}path')
    rings = [shapely.Polygon(np.array(re.findall(r'([\d.]+),([\d.]+)', ring), float))
             for ring in path.get('d').split('Z') if ring]
    return functools.reduce(shapely.symmetric_difference, rings)


def test_the_manifest_and_pages_are_valid_iiif(collection):
    out, records = collection
    scans = [record for record in records if record['status'] == 'ok']
    manifest = json.loads((out / 'manifest.json').read_text())
    iiif_prezi3.Manifest.model_validate_json(json.dumps(manifest))
    assert manifest['id'] == f'{DEFAULT_BASE_URL}manifest.json'
    assert [canvas['id'] for canvas in manifest['items']] == [
        f'{DEFAULT_BASE_URL}canvas/scan%20one', f'{DEFAULT_BASE_URL}canvas/b']
    for canvas, record in zip(manifest['items'], scans):
        assert (canvas['width'], canvas['height']) == (record['width'], record['height'])
        [painting] = canvas['items'][0]['items']
        image = cv2.imread(str(out / record['image']))
        assert painting['body']['id'] == DEFAULT_BASE_URL + record['image'].replace(' ', '%20')
        assert image.shape[1::-1] == (painting['body']['width'], painting['body']['height'])
        assert (out / record['thumbnail']).is_file()
        [reference] = canvas['annotations']
        assert reference['id'] == DEFAULT_BASE_URL + record['annotations'].replace(' ', '%20')
        page = json.loads((out / record['annotations']).read_text())
        iiif_prezi3.AnnotationPage.model_validate_json(json.dumps(page))
        assert len(page['items']) == sum(e['regions'] for e in record['damage'].values())
        # The SVG selectors and the GeoJSON hold the same polygons, valid, of the regions'
        # areas (the canvas has the scan's pixels).
        features = json.loads((out / record['geojson']).read_text())['features']
        for annotation, feature in zip(page['items'], features):
            assert annotation['target']['source']['id'] == canvas['id']
            assert annotation['body'][0]['value'] == feature['properties']['name']
            outline = shape(feature['geometry'])
            assert outline.is_valid and outline.area == feature['properties']['pixels']
            assert svg_polygons(annotation['target']['selector']['value']).equals(outline)
    index = (out / 'index.html').read_text()
    assert 'href="mirador.html"' in index and 'href="manifest.json"' in index
    assert index.count('<img src="thumbnails/') == 2


def test_mirador_shows_the_scans_with_their_damage(collection, browser):
    out, records = collection
    page = json.loads((out / records[0]['annotations']).read_text())
    browser.set_window_size(1280, 800)
    with served_folder(out) as url:
        # Served elsewhere than the address the ids were written with: the page reads them
        # from where it is.
        assert url != DEFAULT_BASE_URL
        browser.get(f'{url}mirador.html')
        listed = "return Array.from(document.querySelectorAll('li[annotationid]'))" \
                 ".map(item => item.getAttribute('annotationid'))"
        wait_until(browser, listed + '.length')
        assert browser.execute_script(listed) == [
            item['id'].replace(DEFAULT_BASE_URL, url) for item in page['items']]
        texts = browser.execute_script(
            "return Array.from(document.querySelectorAll('li[annotationid]'))"
            ".map(item => item.textContent)")
        # 100 x 120 pixels less the hole, at 600 dpi; then the class's tag.
        assert texts[0] == 'Material loss: 11,100 px (19.89 mm²)Material loss'
        # The canvas shows the scan, and the regions over it in their class colours.
        wait_until(browser, "return document.querySelector('.openseadragon-container')")
        canvas = browser.find_element('css selector', '.openseadragon-container')
        deadline = time.monotonic() + 20
        while True:
            picture = cv2.imdecode(np.frombuffer(canvas.screenshot_as_png, np.uint8),
                                   cv2.IMREAD_COLOR)
            if tinted(picture, 'Material loss') > 5000 and tinted(picture, 'Cracks') > 3000:
                break
            assert time.monotonic() < deadline, 'no damage drawn over the scan'
            time.sleep(0.2)
        assert picture.std() > 20  # the scan too, not a blank viewer
        assert console_problems(browser, known=[MIRADOR_NOTICE]) == []
    # Opened from the file system, it says how to serve the folder.
    browser.get((out / 'mirador.html').as_uri())
    note = browser.find_element('id', 'file-note')
    assert note.is_displayed() and 'http.server' in note.text
