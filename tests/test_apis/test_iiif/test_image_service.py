"""info.json of Image API 2 and 3 (as the IIIF reference implementation and a level-2 server
write it) read into what the client needs, and refused with the reason when unusable."""
import json

import cv2
import numpy as np
import pytest

from mmseg_heritage.apis.iiif import IIIFError, ImageService, TileSpec

from iiif_servers import Level2Images, static_tiles

URL = 'http://127.0.0.1:8000'


@pytest.fixture(scope='module')
def static_info(tmp_path_factory):
    folder = tmp_path_factory.mktemp('static')
    cv2.imwrite(str(folder / 'scan.jpg'), np.full((300, 450, 3), 128, np.uint8))
    return static_tiles(folder / 'scan.jpg', folder / 'tiles', URL, 'scan', 128)


def test_a_level0_tile_set_of_the_reference_implementation(static_info):
    service = ImageService.from_info(static_info, f'{URL}/scan/info.json')
    assert (service.version, service.level, service.width, service.height) == (2, 0, 450, 300)
    assert service.tiles == (TileSpec(128, 128, (1, 2)),) and (113, 75) in service.sizes
    assert service.format == 'jpg' and service.mm_per_px is None
    assert service.region_urls(128, 0, 128, 128) == (
        f'{URL}/scan/128,0,128,128/128,/0/default.jpg',
        f'{URL}/scan/128,0,128,128/full/0/default.jpg',
        f'{URL}/scan/128,0,128,128/128,128/0/default.jpg')


def test_level2_services_of_both_versions():
    image = np.zeros((100, 200, 3), np.uint8)
    three = Level2Images({'a': image}, URL, version=3, max_width=150, max_area=9000,
                         preferred='png', mm_per_px=0.05).info('a')
    service = ImageService.from_info(three, 'three')
    assert (service.version, service.level, service.id) == (3, 2, f'{URL}/iiif/a')
    assert (service.max_width, service.max_height, service.max_area) == (150, 150, 9000)
    assert service.format == 'png' and service.mm_per_px == pytest.approx(0.05)
    assert service.region_urls(0, 0, 200, 100) == (f'{URL}/iiif/a/full/max/0/default.png',)
    assert service.region_urls(0, 0, 50, 20) == (f'{URL}/iiif/a/0,0,50,20/max/0/default.png',)
    two = Level2Images({'a': image}, URL, version=2, max_width=150).info('a')
    service = ImageService.from_info(two, 'two')  # limits in the profile's object
    assert (service.version, service.level, service.max_width, service.format) == (
        2, 2, 150, 'jpg')
    assert service.region_urls(0, 0, 50, 20) == (f'{URL}/iiif/a/0,0,50,20/50,/0/default.jpg',)


@pytest.mark.parametrize('change, message', [
    (lambda info: info.update({'@context': 'http://iiif.io/api/image/1/context.json'}),
     'Image API version 1 is not supported'),
    (lambda info: [info.pop('@context'), info.pop('protocol')],
     'not a IIIF Image API service description'),
    (lambda info: info.pop('@id'), 'has no http'),
    (lambda info: info.update(width=0), 'width must be a positive whole number, not 0'),
    (lambda info: info.update(profile=['http://example.org/custom']), 'names no compliance'),
    (lambda info: info.update(tiles=[{'width': 'big'}]), 'a tile width must be'),
])
def test_unusable_descriptions_are_refused_with_the_reason(static_info, change, message):
    info = json.loads(json.dumps(static_info))
    change(info)
    with pytest.raises(IIIFError, match=message):
        ImageService.from_info(info, f'{URL}/scan/info.json')
    with pytest.raises(IIIFError, match='a JSON object was expected'):
        ImageService.from_info([info], 'list.json')
