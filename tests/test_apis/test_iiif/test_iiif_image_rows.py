"""A IIIF image read band by band: the pixels of the image (exactly, from a lossless level-2
server; within JPEG's noise, from a level-0 tile set of the reference implementation), each
region fetched once, a few bands held, a second pass from disk, and an info.json whose size
disagrees with the image refused with the URL."""
import json

import cv2
import numpy as np
import pytest

from mmseg_heritage.apis.iiif import IIIFClient, IIIFError, IIIFScan

from iiif_servers import Level2Images, files_under, serve, static_tiles


@pytest.fixture(scope='module')
def image():
    """Ramps across and down (a region put in the wrong place shows) and some texture."""
    y, x = np.mgrid[0:230, 0:310]
    noise = np.random.default_rng(0).normal(0, 20, (230, 310, 3))
    ramps = np.stack([x * 0.8, y * 1.0, (x + y) * 0.4], axis=-1)
    return np.clip(ramps + cv2.GaussianBlur(noise, (0, 0), 3), 0, 255).astype(np.uint8)


@pytest.fixture
def level2(image):
    with serve(lambda path: (404, b'', 'text/plain')) as server:
        server.content = Level2Images({'a': image}, server.url, version=3, tile=None,
                                      max_area=310 * 48, preferred='png')
        yield server


def sliding_window_rows(rows, crop=64, stride=40):
    """Rows asked for as the sliding window asks for them: overlapping, top to bottom."""
    starts = list(range(0, rows.height - crop, stride)) + [rows.height - crop]
    return [(top, rows.rows(top, top + crop), len(rows._held)) for top in starts]


def test_rows_are_the_image_each_region_fetched_once(level2, image):
    rows = IIIFScan(f'{level2.url}/iiif/a/info.json', IIIFClient()).image_rows()
    assert (rows.height, rows.width, len(rows.bands)) == (230, 310, 5)  # 48 rows a band
    for top, pixels, held in sliding_window_rows(rows):
        assert (pixels == image[top:top + 64]).all()
        assert held <= 3  # the bands under one tile, no more
    assert (rows.rows(200, 999) == image[200:]).all()  # past the bottom: as slicing
    assert sorted(level2.requests[1:]) == sorted(set(level2.requests[1:]))
    assert len(level2.requests) == 1 + 5 and level2.content.refused == 0


def test_a_second_pass_reads_the_regions_kept_on_disk(level2, image, tmp_path):
    rows = IIIFScan(f'{level2.url}/iiif/a/info.json', IIIFClient()).image_rows(tmp_path)
    first = rows.read()
    asked = len(level2.requests)
    again = [rows.rows(top, top + 100) for top in range(0, 230, 100)]
    assert (np.concatenate(again) == first).all() and (first == image).all()
    assert len(level2.requests) == asked


def test_level0_tiles_of_the_reference_implementation(image, tmp_path):
    cv2.imwrite(str(tmp_path / 'scan.jpg'), image, [cv2.IMWRITE_JPEG_QUALITY, 95])
    reference = cv2.imread(str(tmp_path / 'scan.jpg'))
    with serve(files_under(tmp_path / 'tiles')) as server:
        static_tiles(tmp_path / 'scan.jpg', tmp_path / 'tiles', server.url, 'scan', 128)
        rows = IIIFScan(f'{server.url}/scan/info.json', IIIFClient()).image_rows()
        pixels = rows.read()
    difference = np.abs(pixels.astype(int) - reference)
    assert difference.mean() < 3  # the tiles are JPEG again
    assert sorted(server.requests[1:]) == sorted(  # the full-resolution tiles only
        f'/scan/{x},{y},{min(128, 310 - x)},{min(128, 230 - y)}/{min(128, 310 - x)},'
        '/0/default.jpg' for y in (0, 128) for x in (0, 128, 256))


def test_an_info_json_whose_size_disagrees_with_the_image_is_named(image, tmp_path):
    cv2.imwrite(str(tmp_path / 'scan.jpg'), image)
    with serve(files_under(tmp_path / 'tiles')) as server:
        info = static_tiles(tmp_path / 'scan.jpg', tmp_path / 'tiles', server.url, 'scan', 128)
        info['width'] += 40  # the tiles of the right edge are named otherwise
        (tmp_path / 'tiles/scan/info.json').write_text(json.dumps(info))
        rows = IIIFScan(f'{server.url}/scan/info.json', IIIFClient()).image_rows()
        with pytest.raises(IIIFError, match=r'/scan/256,0,94,128/94,/0/default.jpg: HTTP '
                           '404'):  # the first of the URLs tried
            rows.read()
    with serve(lambda path: (404, b'', 'text/plain')) as server:
        server.content = Level2Images({'a': image}, server.url, declared={'a': (310, 260)})
        rows = IIIFScan(f'{server.url}/iiif/a/info.json', IIIFClient()).image_rows()
        with pytest.raises(IIIFError, match=r'/iiif/a/0,0,256,256/max/0/default.jpg: the '
                           r'server gave 256 x 230 px for a region of 256 x 256 px'):
            rows.read()
