"""Clean content of the starter recipe: print, lettering, graphic pages, shadows, dark and
saturated areas, drawn into scans that stay labelled Clean."""
import cv2
import numpy as np
import pytest

from mmseg_heritage.datasets.preparation.synthetic import clean_content, photo_scans
from mmseg_heritage.datasets.preparation.synthetic.clean_content import (
    add_clean_content, dark_area, find_fonts, graphic_page, hard_shadow, saturated_area,
    text_layer, words)
from mmseg_heritage.datasets.preparation.synthetic.photo_scans import make_photo_scan


@pytest.fixture(scope='module')
def fonts():
    return find_fonts(['matplotlib'])


def grey_photo(height=120, width=160):
    rows = np.linspace(60, 200, height, dtype=np.float32)[:, None, None]
    return np.broadcast_to(rows, (height, width, 3)).copy()


def test_fonts_are_found_and_a_source_without_fonts_is_named(fonts, tmp_path):
    assert fonts and all(font.suffix == '.ttf' and font.name.startswith('DejaVu')
                         for font in fonts)
    (tmp_path / 'more').mkdir()
    (tmp_path / 'more/Script.otf').write_bytes(fonts[0].read_bytes())
    assert find_fonts([str(tmp_path / 'more')]) == [tmp_path / 'more/Script.otf']
    with pytest.raises(FileNotFoundError, match=r'fonts .*nothing\*\.ttf: no font file'):
        find_fonts([str(tmp_path / 'nothing*.ttf')])
    (tmp_path / 'more/Broken.ttf').write_bytes(b'not a font')
    with pytest.raises(ValueError, match=r'more/Broken\.ttf: not a font that draws text'):
        find_fonts([str(tmp_path / 'more')])


def test_words_and_text_look_like_print(fonts):
    rng = np.random.default_rng(0)
    text = words(rng, 200)
    assert len(text.split()) == 200
    assert any(c.isupper() for c in text) and any(c.isdigit() for c in text)
    coverage = text_layer(rng, fonts, 120, 200, size=16, lines=3)
    assert coverage.shape == (120, 200) and 0 <= coverage.min() and coverage.max() <= 1
    inked = coverage > 0.5
    # Letters: strokes a few pixels wide spread over lines, not a filled block.
    assert 0.01 < inked.mean() < 0.4
    assert len(np.unique(np.nonzero(inked)[0])) >= 20


def test_pages_and_drawn_content_keep_the_image_valid_and_are_deterministic(fonts):
    photo = grey_photo()
    for seed in range(6):
        page = graphic_page(np.random.default_rng(seed), fonts, 90, 130)
        again = graphic_page(np.random.default_rng(seed), fonts, 90, 130)
        np.testing.assert_array_equal(page, again)
        assert page.shape == (90, 130, 3) and page.min() >= 0 and page.max() <= 255
        assert page.std() > 5  # shapes, rules and text, not a flat colour
        drawn = add_clean_content(np.random.default_rng(seed), photo, fonts)
        assert drawn.shape == photo.shape and drawn.min() >= 0 and drawn.max() <= 255
        assert not np.array_equal(drawn, photo)


def test_shadows_darken_dark_areas_flatten_and_saturated_areas_colour():
    photo = grey_photo()
    darker = changed = 0
    for seed in range(10):
        rng = np.random.default_rng(seed)
        shadowed = hard_shadow(rng, photo)
        assert (shadowed <= photo + 1e-3).all()  # a shadow only takes light away
        darker += int((shadowed < photo - 20).mean() > 0.02)
        dark = dark_area(rng, photo)
        region = np.abs(dark - photo).max(axis=2) > 1
        if region.any():
            assert dark[region].max() < 70  # near black
        colour = saturated_area(rng, photo)
        hsv = cv2.cvtColor(np.clip(colour, 0, 255).astype(np.uint8), cv2.COLOR_RGB2HSV)
        changed += int((hsv[..., 1] > 150).mean() > 0.02)
    assert darker >= 8 and changed >= 7


def test_scans_with_clean_content_stay_labelled_clean(fonts, monkeypatch):
    photo = grey_photo(150, 200).astype(np.uint8)
    pages = 0
    for seed in range(8):
        rng = np.random.default_rng(seed)
        image, mask = make_photo_scan(rng, photo, None, size=128, clean_share=1.0, fonts=fonts,
                                      page_share=0.5, clean_content_share=1.0)
        assert not mask.any() and image.shape[:2] == mask.shape
        pages += int(image.std() > 40)
    assert pages >= 1
    # Without fonts there is no page and no lettering, only the other clean content.
    for module in (clean_content, photo_scans):  # either would fail if called
        monkeypatch.setattr(module, 'graphic_page', None)
    image, mask = make_photo_scan(np.random.default_rng(0), photo, None, size=128,
                                  clean_share=1.0, page_share=1.0, clean_content_share=1.0)
    assert not mask.any()
