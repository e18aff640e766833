"""Regions and skeleton lengths of damage drawn with known shapes, band by band."""
import math
import tracemalloc

import cv2
import numpy as np
import pytest

from mmseg_heritage.apis import ScanResolution, measure_damage
from mmseg_heritage.class_names import CLASSES
from mmseg_heritage.utils.thinning import thin

AT_254_DPI = ScanResolution.from_dpi(254)  # 0.1 mm per pixel
CRACKS, SCRATCH, HAIR, FOLD = (CLASSES.index(name) for name in ('Cracks', 'Scratch', 'Hair',
                                                                 'Fold'))
PUNCTURE, STAIN = CLASSES.index('Puncture'), CLASSES.index('Staining')


def drawn(*shapes, size=(300, 400)):
    mask = np.zeros(size, np.uint8)
    for draw in shapes:
        draw(mask)
    return mask


@pytest.mark.parametrize('width', [1, 3, 7])
def test_a_100_px_line_at_254_dpi_is_10_mm(width):
    mask = drawn(lambda m: cv2.rectangle(m, (50, 100), (149, 100 + width - 1), CRACKS, -1))
    cracks = measure_damage(mask, CLASSES, AT_254_DPI)['Cracks']
    assert cracks['pixels'] == 100 * width and cracks['regions'] == 1
    assert cracks['length_px'] == pytest.approx(100, abs=2)
    assert cracks['length_mm'] == pytest.approx(10.0, abs=0.2)
    assert cracks['area_mm2'] == pytest.approx(100 * width * 0.01)


def test_a_diagonal_line_counts_diagonal_steps_as_sqrt_2():
    mask = drawn(lambda m: cv2.line(m, (50, 50), (249, 249), SCRATCH, 1))  # 200 pixels
    scratch = measure_damage(mask, CLASSES, AT_254_DPI)['Scratch']
    assert scratch['length_px'] == pytest.approx(200 * math.sqrt(2), abs=2)
    assert scratch['length_mm'] == pytest.approx(20 * math.sqrt(2), abs=0.2)


def test_a_curve_reads_slightly_long_as_the_estimate_does():
    radius = 80
    mask = drawn(lambda m: cv2.circle(m, (200, 150), radius, HAIR, 3))
    hair = measure_damage(mask, CLASSES, AT_254_DPI)['Hair']
    circumference = 2 * math.pi * radius
    assert hair['regions'] == 1
    # The 1 / sqrt(2) step estimate reads about 5.5 % long on a circle, never short.
    assert circumference <= hair['length_px'] <= 1.07 * circumference
    # A half circle, open: its two free ends are measured to the stroke's ends.
    mask = drawn(lambda m: cv2.ellipse(m, (200, 150), (radius, radius), 0, 0, 180, HAIR, 3))
    half = measure_damage(mask, CLASSES, AT_254_DPI)['Hair']['length_px']
    assert circumference / 2 <= half <= 1.07 * circumference / 2 + 3


def test_a_branching_crack_counts_each_step_once():
    # A T: 100 pixels across, 50 down to it; where they meet, the diagonal steps are not
    # counted beside the orthogonal ones joining the same pixels.
    mask = drawn(lambda m: cv2.line(m, (50, 80), (149, 80), CRACKS, 1),
                 lambda m: cv2.line(m, (100, 30), (100, 79), CRACKS, 1))
    cracks = measure_damage(mask, CLASSES)['Cracks']
    assert cracks['regions'] == 1 and cracks['length_px'] == pytest.approx(150, abs=1)


def test_separate_regions_are_counted_above_the_minimum_size():
    mask = drawn(
        lambda m: cv2.rectangle(m, (10, 10), (29, 29), PUNCTURE, -1),   # 400 px
        lambda m: cv2.rectangle(m, (30, 30), (39, 39), PUNCTURE, -1),   # touches at a corner
        lambda m: cv2.rectangle(m, (100, 10), (109, 19), PUNCTURE, -1),  # 100 px
        lambda m: cv2.rectangle(m, (200, 10), (203, 13), PUNCTURE, -1),  # 16 px
        lambda m: cv2.rectangle(m, (300, 10), (302, 12), PUNCTURE, -1),  # 9 px: a speck
        lambda m: cv2.circle(m, (200, 200), 40, STAIN, -1))
    measures = measure_damage(mask, CLASSES, AT_254_DPI)
    assert measures['Puncture']['regions'] == 3 and measures['Staining']['regions'] == 1
    assert 'length_px' not in measures['Puncture']  # not linear damage
    assert measure_damage(mask, CLASSES, min_region_px=1)['Puncture']['regions'] == 4
    assert measure_damage(mask, CLASSES, min_region_px=101)['Puncture']['regions'] == 1
    # 1 mm2 is 100 pixels at 254 dpi; a limit in mm2 needs a known resolution.
    assert measure_damage(mask, CLASSES, AT_254_DPI,
                          min_region_mm2=1.0)['Puncture']['regions'] == 2
    assert measure_damage(mask, CLASSES, min_region_mm2=1.0)['Puncture']['regions'] == 3
    # Lengths belong to counted regions only: a linear speck adds nothing.
    specks = drawn(lambda m: cv2.line(m, (0, 0), (9, 0), FOLD, 1),
                   lambda m: cv2.line(m, (0, 50), (99, 50), FOLD, 1))
    fold = measure_damage(specks, CLASSES)['Fold']
    assert fold['regions'] == 1 and fold['length_px'] == pytest.approx(100, abs=1)
    assert fold['length_mm'] is None and fold['area_mm2'] is None  # no resolution


def test_pixels_that_are_not_square_measure_each_direction_by_its_side():
    tall = ScanResolution((0.1, 0.2), 'test')  # 0.1 mm across, 0.2 mm down
    mask = drawn(lambda m: cv2.line(m, (20, 20), (119, 20), CRACKS, 1),
                 lambda m: cv2.line(m, (200, 20), (200, 119), SCRATCH, 1))
    measures = measure_damage(mask, CLASSES, tall)
    assert measures['Cracks']['length_mm'] == pytest.approx(10.0, abs=0.3)
    assert measures['Scratch']['length_mm'] == pytest.approx(20.0, abs=0.5)
    assert measures['Cracks']['area_mm2'] == pytest.approx(100 * 0.02)


def random_damage(seed: int, size=(240, 200)) -> np.ndarray:
    """Blobs and strokes of every class, some thick, crossing many band edges."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, len(CLASSES), (size[0] // 8, size[1] // 8)).astype(np.uint8)
    mask = cv2.resize(coarse, size[::-1], interpolation=cv2.INTER_NEAREST)
    for _ in range(12):
        points = rng.integers(0, min(size), 4)
        cv2.line(mask, tuple(map(int, points[:2])), tuple(map(int, points[2:])),
                 int(rng.choice([CRACKS, SCRATCH, HAIR, FOLD])), int(rng.integers(1, 9)))
    # A fold thicker than the first margin of rows: its bands need wider ones.
    cv2.line(mask, (20, 60), (180, 200), FOLD, 50)
    return mask


def test_bands_of_any_height_give_the_whole_mask_measures():
    mask = random_damage(0)
    whole = measure_damage(mask, CLASSES, AT_254_DPI, band_pixels=mask.size)
    for rows in (3, 37):
        assert measure_damage(mask, CLASSES, AT_254_DPI, band_pixels=rows * mask.shape[1]) == \
            whole, f'bands of {rows} rows'


def test_memory_follows_the_band_not_the_mask():
    mask = np.zeros((4000, 1000), np.uint8)
    for top in range(0, 4000, 200):
        cv2.line(mask, (300, top), (999, top + 150), CRACKS, 3)
        cv2.circle(mask, (120, top + 100), 60, STAIN, -1)
    tracemalloc.start()
    try:
        measures = measure_damage(mask, CLASSES, AT_254_DPI, band_pixels=100 * 1000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert measures['Cracks']['regions'] == measures['Staining']['regions'] == 20
    # A band of 100 rows and its margins: a few MB, against 4 MB for the mask's int32 labels.
    assert peak < mask.size, f'{peak / 2**20:.1f} MiB'


def test_thinning_is_scikit_images():
    skimage = pytest.importorskip('skimage.morphology')
    mask = random_damage(3) == CRACKS
    assert (thin(mask)[0].astype(bool) == skimage.thin(mask)).all()
