"""The resolution of scans read from each file format, and areas in mm2 from it."""
import numpy as np
import pytest
from PIL import Image

from mmseg_heritage.apis import ScanResolution, infer_collection, read_scan_resolution
from mmseg_heritage.class_names import CLASSES, PALETTE

# 254 dpi is 100 dots per cm and 10000 per metre: exact in every format (PNG and BMP store
# pixels per metre, JFIF whole dots per inch or cm). A pixel is 0.1 mm, 0.01 mm2.
MM = 0.1


def exif(x, y, unit, orientation=None):
    tags = Image.Exif()
    tags[282], tags[283], tags[296] = float(x), float(y), unit
    if orientation:
        tags[274] = orientation
    return tags.tobytes()


# (file name, Pillow save options, where the resolution comes from)
FORMATS = [
    ('tiff_inch.tif', dict(dpi=(254, 254)), 'TIFF tags'),
    ('tiff_cm.tif', dict(resolution=100, resolution_unit=3), 'TIFF tags'),
    ('jfif_inch.jpg', dict(dpi=(254, 254)), 'JFIF density'),
    ('exif_cm.jpg', dict(exif=exif(100, 100, 3)), 'EXIF tags'),
    ('phys.png', dict(dpi=(254, 254)), 'PNG pHYs'),
    ('header.bmp', dict(dpi=(254, 254)), 'BMP header'),
    ('exif.webp', dict(exif=exif(254, 254, 2), lossless=True), 'EXIF tags'),
]


def write_scan(path, size=(40, 60), **options):
    Image.fromarray(np.full((*size, 3), 128, np.uint8)).save(path, **options)
    return path


@pytest.mark.parametrize('name, options, source', FORMATS)
def test_each_format_gives_its_resolution(tmp_path, name, options, source):
    resolution = read_scan_resolution(write_scan(tmp_path / name, **options))
    assert resolution.source == source
    assert resolution.mm_per_px == pytest.approx((MM, MM), rel=1e-9)
    assert resolution.dpi == (254.0, 254.0)


@pytest.mark.parametrize('name, options, reason', [
    ('plain.png', {}, 'records no resolution'),
    ('plain.tif', {}, 'records no resolution'),  # Pillow itself reports 1 x 1 dpi here
    ('plain.jpg', {}, 'records no resolution'),  # JFIF density 1:1 is an aspect ratio
    ('camera.jpg', dict(dpi=(72, 72)), '72 dpi, a placeholder'),
    ('camera_exif.jpg', dict(exif=exif(72, 72, 2)), '72 dpi, a placeholder'),
    ('windows.bmp', {}, '96 dpi, a placeholder'),  # Pillow writes 96 dpi into every BMP
    ('aspect.tif', dict(resolution=2, resolution_unit=1), 'an aspect ratio only'),
])
def test_no_resolution_is_never_assumed(tmp_path, name, options, reason):
    resolution = read_scan_resolution(write_scan(tmp_path / name, **options))
    assert not resolution.known and resolution.mm_per_px is None
    assert reason in resolution.source


def test_a_scan_turned_a_quarter_swaps_its_pixel_sides(tmp_path):
    # 100 pixels per cm across, 50 down as stored; EXIF orientation 6 turns the image.
    path = write_scan(tmp_path / 'turned.jpg', exif=exif(100, 50, 3, orientation=6))
    assert read_scan_resolution(path).mm_per_px == pytest.approx((0.2, 0.1))


def test_given_resolutions_are_checked():
    assert ScanResolution.from_dpi(254).mm_per_px == pytest.approx((MM, MM))
    assert ScanResolution.from_mm_per_px(0.05).pixel_mm2 == pytest.approx(0.0025)
    for bad in (0, -3, float('nan')):
        with pytest.raises(ValueError, match='--dpi must be a positive number'):
            ScanResolution.from_dpi(bad)


class HalfDamaged:
    """Predicts Cracks in the top 10 rows and Stamp in a 6 x 5 block."""
    classes, palette = CLASSES, PALETTE

    def predict(self, image):
        mask = np.zeros(image.shape[:2], np.uint8)
        mask[:10] = CLASSES.index('Cracks')
        mask[20:26, 30:35] = CLASSES.index('Stamp')
        return mask


def test_areas_in_mm2_are_pixels_times_the_pixel_area_in_every_format(tmp_path):
    images = {name: write_scan(tmp_path / name, **options) for name, options, _ in FORMATS}
    images['unknown'] = write_scan(tmp_path / 'unknown.png')
    records = infer_collection(HalfDamaged(), images, tmp_path / 'out', progress=False,
                               viewer=False)
    for record in records:
        damage = record['damage']
        assert damage['Cracks']['pixels'] == 600 and damage['Stamp']['pixels'] == 30
        if record['name'] == 'unknown':
            assert damage['Cracks']['area_mm2'] is None and record['damaged_mm2'] is None
            assert 'records no resolution' in record['resolution']['source']
            continue
        for entry in damage.values():
            assert entry['area_mm2'] == pytest.approx(entry['pixels'] * MM * MM, rel=1e-9)
        assert record['damaged_mm2'] == pytest.approx(630 * MM * MM)
        # The Cracks band, 60 px long and 10 px wide, measures 60 px along its middle.
        assert damage['Cracks']['length_mm'] == pytest.approx(60 * MM, abs=2 * MM)
    page = (tmp_path / 'out' / records[-1]['report']).read_text()
    assert "resolution is unknown, so areas and lengths are given in pixels only" in page


def test_a_given_resolution_replaces_the_files(tmp_path):
    images = {'scan': write_scan(tmp_path / 'scan.tif', dpi=(600, 600))}
    [record] = infer_collection(HalfDamaged(), images, tmp_path / 'out', progress=False,
                                viewer=False, resolution=ScanResolution.from_dpi(254))
    assert record['resolution']['source'] == '--dpi'
    assert record['damage']['Stamp']['area_mm2'] == pytest.approx(30 * MM * MM)
