"""Condition reports and their index opened from the file system in headless Chromium."""
import re

import cv2
import numpy as np
import pytest
from PIL import Image

from mmseg_heritage.apis import infer_collection
from mmseg_heritage.class_names import CLASSES, PALETTE

from helpers import console_problems, tinted, wait_until

LOADED = """
var report = window.conditionReport;
if (!report || !report.opened) { return false; }
var viewer = report.viewer, world = viewer.world;
if (world.getItemCount() < report.layers.length + 1) { return false; }
for (var i = 0; i < world.getItemCount(); i++) {
  if (!world.getItemAt(i).getFullyLoaded()) { return false; }
}
return viewer.viewport.getZoom(true) === viewer.viewport.getZoom();
"""


class Painter:
    """Material loss in a block, a crack, a puncture; more material loss in the other scan."""
    classes, palette = CLASSES, PALETTE

    def predict(self, image):
        mask = np.zeros(image.shape[:2], np.uint8)
        if image.shape[0] == 600:
            mask[100:300, 100:400] = CLASSES.index('Material loss')
            cv2.line(mask, (450, 50), (850, 500), CLASSES.index('Cracks'), 5)
            mask[400:500, 100:200] = CLASSES.index('Puncture')
        else:
            mask[:, :300] = CLASSES.index('Material loss')
        return mask


@pytest.fixture(scope='module')
def collection(tmp_path_factory):
    folder = tmp_path_factory.mktemp('condition')
    rng = np.random.default_rng(0)
    scan = cv2.GaussianBlur(rng.integers(90, 170, (600, 900, 3), np.uint8), (0, 0), 3)
    (folder / 'scans/box').mkdir(parents=True)
    Image.fromarray(scan).save(folder / 'scans/scan one.tif', dpi=(600, 600))
    Image.fromarray(scan[:300, :400]).save(folder / 'scans/box/b.png')
    (folder / 'scans/broken.jpg').write_bytes(b'\xff\xd8 not a jpeg')
    images = {'scan one': folder / 'scans/scan one.tif', 'box/b': folder / 'scans/box/b.png',
              'broken': folder / 'scans/broken.jpg'}
    records = infer_collection(Painter(), images, folder / 'out', progress=False)
    return folder / 'out', records


def viewer_picture(browser) -> np.ndarray:
    from selenium.webdriver.common.by import By
    png = browser.find_element(By.ID, 'viewer').screenshot_as_png
    return cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)


def test_the_page_states_the_damage_in_physical_units(collection):
    out, records = collection
    scan = records[0]
    assert scan['name'] == 'scan one' and scan['resolution']['dpi'] == [600.0, 600.0]
    page = (out / scan['report']).read_text()
    assert '600 dpi (TIFF tags)' in page and '900 x 600 px = 38.1 x 25.4 mm' in page
    loss = scan['damage']['Material loss']
    assert loss['area_mm2'] == pytest.approx(60000 * (25.4 / 600) ** 2, rel=1e-6)
    assert f"{loss['area_mm2']:,.2f}" in page
    cracks = scan['damage']['Cracks']
    assert cracks['regions'] == 1 and f"{cracks['length_mm']:,.1f}" in page
    # Everything the page loads is beside it: no address with a scheme or a host.
    assert not re.search(r'(src|href)\s*=\s*["\']?(https?:|//|file:)', page)
    assert (out / 'viewer/openseadragon.min.js').is_file()
    assert 'BSD' in (out / 'viewer/LICENSE.txt').read_text() or \
        'Redistribution' in (out / 'viewer/LICENSE.txt').read_text()
    other = (out / records[1]['report']).read_text()
    assert 'areas and lengths are given in pixels only' in other


def test_the_viewer_zooms_and_each_class_can_be_hidden(collection, browser):
    out, records = collection
    browser.set_window_size(1280, 1600)
    browser.get((out / records[0]['report']).as_uri())
    wait_until(browser, LOADED)
    layers = browser.execute_script('return conditionReport.layers.map(l => l.name)')
    assert layers == ['Material loss', 'Cracks', 'Puncture']
    before = viewer_picture(browser)
    assert tinted(before, 'Material loss') > 1000 and tinted(before, 'Cracks') > 100
    view = browser.execute_script("return document.getElementById('view-size').textContent")
    assert view.endswith('mm in view')

    zoom = browser.execute_script('return conditionReport.viewer.viewport.getZoom()')
    browser.find_element('id', 'zoom-in').click()
    wait_until(browser, LOADED)
    assert browser.execute_script('return conditionReport.viewer.viewport.getZoom()') == \
        pytest.approx(2 * zoom)
    zoomed = viewer_picture(browser)
    assert np.abs(zoomed.astype(int) - before).mean() > 5  # the view changed
    assert browser.execute_script(
        "return document.getElementById('view-size').textContent") != view

    browser.find_element('id', 'zoom-fit').click()
    wait_until(browser, LOADED)
    browser.find_element('id', 'show-0').click()  # hide Material loss
    wait_until(browser, LOADED)
    hidden = viewer_picture(browser)
    assert tinted(hidden, 'Material loss') < 0.01 * tinted(before, 'Material loss')
    assert tinted(hidden, 'Cracks') > 0.5 * tinted(before, 'Cracks')  # the others stay
    opacity = 'return conditionReport.viewer.world.getItemAt({}).getOpacity()'
    assert browser.execute_script(opacity.format(1)) == 0
    browser.execute_script("var s = document.getElementById('opacity-1'); s.value = 100;"
                           "s.dispatchEvent(new Event('input'));")
    assert browser.execute_script(opacity.format(2)) == 1
    assert console_problems(browser) == []


def test_the_index_sorts_by_damaged_share(collection, browser):
    out, records = collection
    browser.get((out / 'index.html').as_uri())
    names = "return Array.from(document.querySelectorAll('#scans tbody tr')).map(r => " \
            "r.cells[0].textContent)"
    # Most damaged first; the file that could not be read has no share and comes last.
    assert browser.execute_script(names) == ['box/b', 'scan one', 'broken']
    browser.find_element('css selector', '#scans th:nth-child(2)').click()
    assert browser.execute_script(names) == ['broken', 'scan one', 'box/b']
    links = browser.execute_script(
        "return Array.from(document.querySelectorAll('#scans a')).map(a => a.href)")
    assert sorted(link.rsplit('/out/', 1)[1] for link in links) == [
        'reports/box/b.html', 'reports/scan%20one.html']
    # Beside each name, a thumbnail of the scan with its damage (256 px on its long side).
    wait_until(browser, "return Array.from(document.querySelectorAll('#scans img'))"
               ".every(i => i.complete && i.naturalWidth > 0)")
    assert sorted(browser.execute_script(
        "return Array.from(document.querySelectorAll('#scans img')).map(i => "
        "[i.parentNode.textContent, i.naturalWidth, i.naturalHeight])")) == [
        ['box/b', 256, 192], ['scan one', 256, 171]]
    assert console_problems(browser) == []


class RowsPainter(Painter):
    """Material loss in the left third of a scan read band by band."""

    def predict(self, image):
        mask = np.zeros((image.height, image.width), np.uint8)
        mask[:, :image.width // 3] = CLASSES.index('Material loss')
        return mask


def test_a_scan_served_by_iiif_is_shown_from_its_server(tmp_path, browser):
    from mmseg_heritage.apis.iiif import IIIFClient, IIIFScan

    from iiif_servers import Level2Images, serve
    scan = cv2.GaussianBlur(np.random.default_rng(1).integers(90, 170, (500, 700, 3),
                                                              np.uint8), (0, 0), 3)
    with serve(lambda path: (404, b'', 'text/plain')) as server:
        server.content = Level2Images({'s': scan}, server.url, version=2, tile=256)
        images = {'s': IIIFScan(f'{server.url}/iiif/s/info.json', IIIFClient())}
        record, = infer_collection(RowsPainter(), images, tmp_path, progress=False)
        assert not (tmp_path / 'tiles/s/scan.dzi').exists()  # not tiled again
        assert (tmp_path / 'tiles/s/damage_01.dzi').is_file()
        fetched = len(server.requests)
        browser.get((tmp_path / record['report']).as_uri())
        wait_until(browser, LOADED)
        assert browser.execute_script('return conditionReport.viewer.world.getItemAt(0).source '
                                      'instanceof OpenSeadragon.IIIFTileSource')
        assert len(server.requests) > fetched  # the browser asked the server for tiles
        picture = viewer_picture(browser)
        assert tinted(picture, 'Material loss') > 1000
        assert console_problems(browser) == []
