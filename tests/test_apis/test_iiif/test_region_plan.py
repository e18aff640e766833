"""Full resolution region by region, within what the server allows: a level-0 server's own
tiles, a level-1/2 server's tiles or 1024 px regions made smaller by its limits."""
import pytest

from mmseg_heritage.apis.iiif import IIIFError, ImageService, TileSpec, plan_bands, region_size

URL = 'http://127.0.0.1:8000/iiif/a'


def service(level, width=1000, height=700, **limits):
    return ImageService(URL, 3, level, width, height, **limits)


def covered(bands, width, height):
    """Each pixel's count of regions covering it."""
    import numpy as np
    count = np.zeros((height, width), int)
    for band in bands:
        assert all(r.y == band.top and r.y + r.height == band.bottom for r in band.regions)
        for region in band.regions:
            count[region.y:region.y + region.height, region.x:region.x + region.width] += 1
    return count


def test_level0_reads_its_full_resolution_tiles():
    tiles = (TileSpec(256, 128, (2, 4)), TileSpec(300, 200, (1, 2, 4)))
    bands = plan_bands(service(0, tiles=tiles))
    assert [(b.top, b.bottom) for b in bands] == [(0, 200), (200, 400), (400, 600), (600, 700)]
    assert [(r.x, r.width) for r in bands[-1].regions] == [(0, 300), (300, 300), (600, 300),
                                                            (900, 100)]
    assert (covered(bands, 1000, 700) == 1).all()
    assert bands[-1].regions[-1].urls[0] == f'{URL}/900,600,100,100/100,100/0/default.jpg'


def test_level0_image_within_one_tile_is_its_listed_full_size():
    bands = plan_bands(service(0, 300, 200, tiles=(TileSpec(512, 512, (1,)),)))
    assert len(bands) == 1 and bands[0].regions[0].urls[0] == f'{URL}/full/max/0/default.jpg'
    assert region_size(service(0, 300, 200, sizes=((300, 200), (150, 100)))) == (300, 200)


def test_level0_without_full_resolution_tiles_is_refused():
    with pytest.raises(IIIFError, match=r'/iiif/a/info.json: a level-0 server serves only the '
                       r'tiles and sizes it lists, and none at full resolution \(tiles: 256 x '
                       r'256 at scale factors \[2, 4\]'):
        plan_bands(service(0, tiles=(TileSpec(256, 256, (2, 4)),), sizes=((500, 350),)))


@pytest.mark.parametrize('limits, size', [
    ({}, (1000, 700)),  # no tiles listed: regions of up to 1024 px
    (dict(tiles=(TileSpec(256, 256, (1, 2)),)), (256, 256)),
    (dict(max_width=400), (400, 700)),
    (dict(max_width=400, max_height=300), (400, 300)),
    (dict(max_area=100_000), (1000, 100)),
    (dict(max_area=500, tiles=(TileSpec(512, 512, (1,)),)), (22, 22)),
    (dict(max_area=500, max_height=10, tiles=(TileSpec(512, 512, (1,)),)), (22, 10)),
])
def test_levels_1_and_2_keep_within_the_limits(limits, size):
    assert region_size(service(2, **limits)) == size
    bands = plan_bands(service(1, **limits))
    assert (covered(bands, 1000, 700) == 1).all()
    for band in bands:
        for region in band.regions:
            assert region.width <= limits.get('max_width', 10**6)
            assert region.height <= limits.get('max_height', 10**6)
            assert region.width * region.height <= limits.get('max_area', 10**9)
            assert len(region.urls) == 1
