"""Content that is not damage: print, lettering, graphic design, saturated colour, hard shadows
and dark flat areas, drawn into photographs or as whole pages, all of it labelled Clean.

A model that has seen only photographs takes the marks of print for damage: letters and rules
are thin, dark and sharp like scratches and hairs, logos and flat colour break the picture up
like losses, and shadows and dark flat areas look like stains. Photographs of artefacts are
full of them (captions, signage, posters, packaging, lettering on the object itself), so the
starter recipe draws them in, clean, and damage over them as over anything else.

Letters come from font files: the recipe names them (``fonts`` of ``photo_scans``), printed
and hand-lettered; ``'matplotlib'`` stands for the DejaVu fonts matplotlib ships, which are
always there. Words are made up from English letter frequencies: what a word looks like
matters here, not what it says.
"""
import glob
import importlib.util
from pathlib import Path
from typing import List, Sequence

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .textures import smooth_noise

FONT_SUFFIXES = ('.ttf', '.otf')
# Letters by their frequency in English text, for made-up words.
LETTERS = 'etaoinshrdlcumwfgypbvkjxqz'
LETTER_WEIGHTS = np.float64([12.7, 9.1, 8.2, 7.5, 7.0, 6.7, 6.3, 6.1, 6.0, 4.3, 4.0, 2.8, 2.8,
                             2.4, 2.4, 2.2, 2.0, 2.0, 1.9, 1.5, 1.0, 0.8, 0.15, 0.15, 0.1, 0.07])
LETTER_WEIGHTS /= LETTER_WEIGHTS.sum()


def find_fonts(sources: Sequence[str]) -> List[Path]:
    """The font files of ``sources``, sorted: ``'matplotlib'`` (the DejaVu fonts it ships),
    folders (every ``.ttf``/``.otf`` below them) or glob patterns.

    Raises:
        FileNotFoundError: A source holds no font; the message names it.
        ValueError: A font file that cannot draw text at a given size (named).
    """
    fonts = []
    for source in sources:
        if source == 'matplotlib':
            spec = importlib.util.find_spec('matplotlib')
            root = Path(list(spec.submodule_search_locations)[0]) / 'mpl-data/fonts/ttf'
            found = sorted(root.glob('DejaVu*.ttf'))
        elif glob.has_magic(source):
            found = sorted(Path(p) for p in glob.glob(source, recursive=True)
                           if Path(p).suffix.lower() in FONT_SUFFIXES)
        else:
            found = sorted(p for p in Path(source).rglob('*')
                           if p.suffix.lower() in FONT_SUFFIXES)
        if not found:
            raise FileNotFoundError(f'fonts {source}: no font file found (make starter installs '
                                    'the Debian font packages the recipe names)')
        for font in found:
            try:  # bitmap-only faces (colour emoji) have no text sizes
                ImageFont.truetype(str(font), 24)
            except OSError as error:
                raise ValueError(f'{font}: not a font that draws text at any size ({error}); '
                                 'leave it out of the fonts') from None
        fonts += found
    return fonts


def saturated_colour(rng: np.random.Generator, value: float = 1.0) -> np.ndarray:
    """A strong colour (RGB 0-255): full saturation at a random hue."""
    hsv = np.uint8([[[rng.integers(180), rng.integers(170, 256), round(255 * value)]]])
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0, 0].astype(np.float32)


def words(rng: np.random.Generator, count: int) -> str:
    """``count`` made-up words, some capitalised, some numbers, with a little punctuation."""
    made = []
    for _ in range(count):
        if rng.random() < 0.08:
            made.append(str(rng.integers(1, 3000)))
            continue
        word = ''.join(rng.choice(list(LETTERS), rng.integers(1, 10), p=LETTER_WEIGHTS))
        case = rng.random()
        made.append(word.upper() if case < 0.15 else word.capitalize() if case < 0.35 else word)
        if rng.random() < 0.08:
            made[-1] += rng.choice(list('.,;:!?'))
    return ' '.join(made)


def _font(rng: np.random.Generator, fonts: Sequence[Path], size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(fonts[rng.integers(len(fonts))]), max(6, int(size)))


def text_layer(rng: np.random.Generator, fonts: Sequence[Path], height: int, width: int,
               size: float, lines: int) -> np.ndarray:
    """Coverage (0-1, HxW float32) of a few lines of text in one font, placed at random."""
    layer = Image.new('L', (width, height), 0)
    draw = ImageDraw.Draw(layer)
    font = _font(rng, fonts, size)
    x, y = rng.uniform(-0.1, 0.5) * width, rng.uniform(-0.1, 0.8) * height
    for _ in range(lines):
        draw.text((x, y), words(rng, int(rng.integers(2, 12))), fill=255, font=font)
        y += size * rng.uniform(1.1, 1.6)
    return np.asarray(layer, np.float32) / 255


def _blend(image: np.ndarray, coverage: np.ndarray, colour: np.ndarray) -> np.ndarray:
    return image * (1 - coverage[..., None]) + colour * coverage[..., None]


def lettering(rng: np.random.Generator, image: np.ndarray, fonts: Sequence[Path]) -> np.ndarray:
    """Text on the picture: a caption, a sign, labels or a headline, in a dark, light or
    strong colour, sometimes on a plate of its own."""
    h, w = image.shape[:2]
    s = min(h, w)
    size = s * rng.choice([rng.uniform(0.02, 0.05), rng.uniform(0.05, 0.15)])
    coverage = text_layer(rng, fonts, h, w, size, int(rng.integers(1, 6)))
    if rng.random() < 0.3:  # the text on a sign or label of its own
        ys, xs = np.nonzero(coverage > 0.5)
        if len(ys):
            pad = int(size * 0.5)
            plate = np.zeros((h, w), np.float32)
            plate[max(0, ys.min() - pad):ys.max() + pad, max(0, xs.min() - pad):xs.max() + pad] = 1
            plate_colour = (saturated_colour(rng, rng.uniform(0.5, 1.0)) if rng.random() < 0.5
                            else np.float32(rng.uniform(0, 255)) * np.ones(3, np.float32))
            image = _blend(image, plate, plate_colour)
            background = plate_colour.mean()
        else:
            background = image.mean()
    else:
        background = image.mean()
    ink = (np.float32(rng.uniform(0, 60)) * np.ones(3, np.float32) if background > 128
           else np.float32(rng.uniform(200, 255)) * np.ones(3, np.float32))
    if rng.random() < 0.35:
        ink = saturated_colour(rng, rng.uniform(0.5, 1.0))
    return _blend(image, coverage, ink)


def graphic_page(rng: np.random.Generator, fonts: Sequence[Path], height: int,
                 width: int) -> np.ndarray:
    """A whole page of graphic design (RGB float32): a poster, packaging or a printed page,
    with flat and saturated colour, shapes, rules, a headline and small print."""
    if rng.random() < 0.35:  # a printed page: paper, columns of small text, a rule or two
        page = np.float32(rng.uniform(200, 250)) * np.float32([1, rng.uniform(0.95, 1),
                                                               rng.uniform(0.85, 1)])
        image = np.broadcast_to(page, (height, width, 3)).copy()
        size = rng.uniform(0.015, 0.04) * min(height, width)
        coverage = text_layer(rng, fonts, height, width, size, int(height / size / 1.3))
        return _blend(image, coverage, np.float32([25, 22, 20]))
    image = np.broadcast_to(saturated_colour(rng, rng.uniform(0.3, 1.0)),
                            (height, width, 3)).copy()
    canvas = Image.fromarray(image.astype(np.uint8))
    draw = ImageDraw.Draw(canvas)
    s = min(height, width)
    for _ in range(rng.integers(1, 6)):  # flat shapes in strong colours
        colour = tuple(int(c) for c in saturated_colour(rng, rng.uniform(0.2, 1.0)))
        x0, y0 = rng.uniform(-0.2, 1.0, 2) * (width, height)
        x1, y1 = (x0, y0) + rng.uniform(0.1, 0.7, 2) * s
        shape = rng.integers(3)
        if shape == 0:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        elif shape == 1:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        else:
            draw.polygon([(x0, y1), ((x0 + x1) / 2, y0), (x1, y1)], fill=colour)
    for _ in range(rng.integers(0, 4)):  # thin printed rules: straight, but part of the design
        colour = tuple(int(c) for c in saturated_colour(rng, rng.uniform(0.0, 1.0)))
        y = rng.uniform(0, height)
        draw.line((rng.uniform(0, width / 2), y, rng.uniform(width / 2, width), y), fill=colour,
                  width=int(rng.integers(1, 4)))
    image = np.asarray(canvas, np.float32)
    for size, lines in ((rng.uniform(0.08, 0.2) * s, 1), (rng.uniform(0.02, 0.05) * s, 4)):
        ink = saturated_colour(rng, rng.uniform(0.0, 1.0)) if rng.random() < 0.6 else \
            np.float32([255, 255, 255]) * rng.integers(2)
        image = _blend(image, text_layer(rng, fonts, height, width, size,
                                         int(rng.integers(1, lines + 1))), ink)
    return image


def hard_shadow(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """A cast shadow falling in from one side of the picture, its edge hard or a little soft."""
    h, w = image.shape[:2]
    a, b = np.sort(rng.uniform(0, 1, 2))
    side = rng.integers(4)  # left, top, right, bottom
    edge = [[(0, a * h), (0, b * h)], [(a * w, 0), (b * w, 0)], [(w, a * h), (w, b * h)],
            [(a * w, h), (b * w, h)]][side]
    inner = rng.uniform(0.1, 0.9, (2, 2)) * (w, h)
    corners = np.vstack([edge, inner]).astype(np.int32)
    shadow = np.zeros((h, w), np.float32)
    cv2.fillPoly(shadow, [cv2.convexHull(corners)], 1.0, cv2.LINE_AA)
    if rng.random() < 0.5:
        shadow = cv2.GaussianBlur(shadow, (0, 0), rng.uniform(0.5, 3.0))
    return image * (1 - rng.uniform(0.3, 0.7) * shadow[..., None])


def dark_area(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """A dark, nearly flat area: the picture's own shadows crushed to black (an underexposed
    print), or a smooth irregular shape (a black coat, a dark backdrop)."""
    h, w = image.shape[:2]
    s = min(h, w)
    if rng.random() < 0.5:
        luma = image @ np.float32([0.299, 0.587, 0.114])
        area = luma < np.percentile(luma, rng.uniform(15, 45))
    else:
        area = smooth_noise(rng, h, w, s / rng.uniform(2, 6)) > rng.uniform(0.3, 1.5)
    tone = np.float32(rng.uniform(5, 45)) * rng.uniform(0.85, 1.15, 3).astype(np.float32)
    texture = smooth_noise(rng, h, w, s / 30)[..., None] * rng.uniform(0, 4)
    return np.where(area[..., None], tone + texture, image)


def saturated_area(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """A strongly coloured region (a red dress, a painted wall), flat or keeping the picture's
    shading."""
    h, w = image.shape[:2]
    s = min(h, w)
    area = (smooth_noise(rng, h, w, s / rng.uniform(2, 5)) > rng.uniform(0.2, 1.2))[..., None]
    colour = saturated_colour(rng, rng.uniform(0.4, 1.0))
    if rng.random() < 0.5:  # keep the light and shade of the picture underneath
        colour = colour * (image.mean(axis=2, keepdims=True) / 128).clip(0.2, 1.6)
    return np.where(area, colour, image)


def add_clean_content(rng: np.random.Generator, image: np.ndarray,
                      fonts: Sequence[Path]) -> np.ndarray:
    """One to three of: lettering, a poster or label inset, a hard shadow, a dark area, a
    saturated area, drawn into a photograph (RGB float32); nothing of it is damage. Without
    ``fonts``, no lettering or poster."""
    h, w = image.shape[:2]
    kinds = rng.choice(5 if fonts else [2, 3, 4], int(rng.integers(1, 4)), replace=False)
    for kind in kinds:
        if kind == 0:
            image = lettering(rng, image, fonts)
        elif kind == 1:  # a poster, label or package in the picture
            ph, pw = (int(v) for v in rng.uniform(0.2, 0.6, 2) * (h, w))
            top, left = rng.integers(0, h - ph + 1), rng.integers(0, w - pw + 1)
            image = image.copy()
            image[top:top + ph, left:left + pw] = graphic_page(rng, fonts, ph, pw)
        elif kind == 2:
            image = hard_shadow(rng, image)
        elif kind == 3:
            image = dark_area(rng, image)
        else:
            image = saturated_area(rng, image)
    return np.clip(image, 0, 255)
