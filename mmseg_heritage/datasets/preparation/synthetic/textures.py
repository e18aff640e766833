"""Procedural artefact surfaces: one texture per ARTeFACT material, and content painted on it.

Everything draws from a ``numpy.random.Generator`` only and returns float32 RGB in 0..255.
Feature sizes follow the shorter image side, and smooth fields are drawn on a coarse grid and
resized up, so a 4000 px artefact looks like a 100 px one and is still quick to draw.
"""
from typing import Optional, Tuple, Union

import cv2
import numpy as np


def smooth_noise(rng: np.random.Generator, height: int, width: int,
                 cell: Union[float, Tuple[float, float]]) -> np.ndarray:
    """Zero-mean, unit-std value noise with features ``cell`` (or (cell_y, cell_x)) px wide."""
    cell_y, cell_x = (cell, cell) if np.isscalar(cell) else cell
    grid = rng.standard_normal((int(height / max(cell_y, 1)) + 2,
                                int(width / max(cell_x, 1)) + 2), np.float32)
    noise = cv2.resize(grid, (width, height), interpolation=cv2.INTER_CUBIC)
    return noise / max(float(noise.std()), 1e-6)


def blur(field: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur; a wide one runs on a shrunk copy, which looks the same and is far faster."""
    height, width = field.shape[:2]
    scale = 4.0 / sigma  # blur where sigma is about 4 px
    if scale > 0.5:
        return cv2.GaussianBlur(field, (0, 0), sigma)
    small = cv2.resize(field, (max(1, int(width * scale)), max(1, int(height * scale))),
                       interpolation=cv2.INTER_AREA)
    return cv2.resize(cv2.GaussianBlur(small, (0, 0), 4.0), (width, height))


def walk(rng: np.random.Generator, height: int, width: int, length: float, turn: float,
         start: Optional[np.ndarray] = None, angle: Optional[float] = None, bend: float = 0.0,
         steps: int = 24) -> np.ndarray:
    """A random walk of ``length`` px as (steps + 1) x 2 points (x, y).

    It starts at ``start`` heading ``angle`` (random in the image and direction if None) and
    turns by N(``bend``, ``turn``) radians per step: straight for a small ``turn``, curling
    for a non-zero ``bend``.
    """
    start = rng.uniform((0, 0), (width, height)) if start is None else start
    angle = rng.uniform(0, 2 * np.pi) if angle is None else angle
    angles = angle + np.cumsum(rng.normal(bend, turn, steps))
    moves = length / steps * np.stack([np.cos(angles), np.sin(angles)], 1)
    return np.vstack([start, start + np.cumsum(moves, 0)])


def _coords(height: int, width: int) -> Tuple[np.ndarray, np.ndarray]:
    """Row and column coordinates in -1..1, shaped to broadcast (Hx1 and 1xW)."""
    return (np.linspace(-1, 1, height, dtype=np.float32)[:, None],
            np.linspace(-1, 1, width, dtype=np.float32)[None, :])


def _tone(rng: np.random.Generator, colour, spread: float = 8.0) -> np.ndarray:
    """``colour`` shifted a little, so no two artefacts share one exact tone."""
    return np.float32(colour) + rng.normal(0, spread, 3).astype(np.float32)


def _weave(rng, h, w, period, twill):
    """Thread relief (0..1) of a plain or twill weave, and where the weft lies on top."""
    u = np.arange(h, dtype=np.float32)[:, None] / period + 0.2 * smooth_noise(rng, h, w, 8 * period)
    v = np.arange(w, dtype=np.float32)[None, :] / period + 0.2 * smooth_noise(rng, h, w, 8 * period)
    # The weft is on top at every third crossing, shifting each row (twill), or in a checker.
    weft = (np.floor(v) - np.floor(u)) % 3 == 0 if twill else (np.floor(u) + np.floor(v)) % 2 == 0
    return np.where(weft, np.sin(np.pi * (u % 1)), np.sin(np.pi * (v % 1))), weft


def _paper(rng, h, w):
    """Cream paper: faint cloudy formation with short light and dark fibres."""
    count, s = h * w // 300 + 8, min(h, w)
    angles = rng.uniform(0, 2 * np.pi, (count, 1)) + rng.normal(0, 0.4, (count, 2)).cumsum(1)
    steps = max(3.0, s / 40) * np.stack([np.cos(angles), np.sin(angles)], -1)
    starts = rng.uniform((0, 0), (w, h), (count, 1, 2))
    fibres = list(np.concatenate([starts, starts + steps.cumsum(1)], 1).astype(np.int32))
    shade = 1 + 0.035 * smooth_noise(rng, h, w, s / 5) + 0.012 * smooth_noise(rng, h, w, 1)
    cv2.polylines(shade, fibres[:count // 2], False, 1.05)
    cv2.polylines(shade, fibres[count // 2:], False, 0.95)
    return _tone(rng, (226, 217, 194), 5) * shade[..., None]


def _parchment(rng, h, w):
    """Parchment: warm tone in yellow-brown blotches, crossed by faint darker veins."""
    s = min(h, w)
    blotch = smooth_noise(rng, h, w, s / 5) + 0.5 * smooth_noise(rng, h, w, s / 14)
    veins = np.exp(-(smooth_noise(rng, h, w, s / 3) / 0.04) ** 2)  # zero crossings: thin lines
    shade = 1 - 0.07 * veins + 0.012 * smooth_noise(rng, h, w, 1)
    return (_tone(rng, (212, 186, 140)) * shade[..., None]
            * (1 - blotch[..., None] * np.float32((0.05, 0.07, 0.11))))


def _glass(rng, h, w):
    """Glass: smooth cool tone over a broad gradient, with soft bright streaks of reflection."""
    s, (y, x) = min(h, w), _coords(h, w)
    dx, dy = rng.normal(0, 0.1, 2).astype(np.float32)
    shade = 1 + x * dx + y * dy + 0.02 * smooth_noise(rng, h, w, s / 3)
    glint = np.zeros((h, w), np.float32)
    for _ in range(rng.integers(1, 4)):
        axes = (int(s * rng.uniform(0.15, 0.4)), int(s * rng.uniform(0.01, 0.04)) + 1)
        cv2.ellipse(glint, tuple(int(v) for v in rng.uniform((0, 0), (w, h))), axes,
                    rng.uniform(0, 180), 0, 360, 1.0, -1)
    return _tone(rng, (150, 178, 184)) * shade[..., None] + 70 * blur(glint, s / 50)[..., None]


def _tesserae(rng, h, w):
    """Mosaic: rows of stone tiles in a few colours, set in light grey grout."""
    tile = min(h, w) / rng.uniform(7, 13)
    jitter = 0.15 * tile * smooth_noise(rng, h, w, 2 * tile)
    u = (np.arange(h, dtype=np.float32)[:, None] + jitter) / tile
    row = np.floor(u)  # rows are offset by half a tile, like a running bond
    v = (np.arange(w, dtype=np.float32)[None, :] - jitter) / tile + 0.5 * (row % 2)
    col = np.floor(v)
    stones = np.float32([(178, 64, 44), (205, 165, 95), (125, 122, 112), (228, 218, 196),
                         (62, 72, 98), (150, 98, 58), (92, 124, 88)])
    stones = stones[rng.choice(len(stones), rng.integers(3, 5), replace=False)]
    grid = (int(h / tile) + 3, int(w / tile) + 3)
    tiles = (stones[rng.integers(0, len(stones), grid)]
             * rng.uniform(0.85, 1.12, grid + (1,)).astype(np.float32))
    image = tiles[np.clip(row + 1, 0, grid[0] - 1).astype(np.int32),
                  np.clip(col + 1, 0, grid[1] - 1).astype(np.int32)]
    image[np.minimum(u - row, v - col) < 0.1] = _tone(rng, (170, 165, 152))
    return image * (1 + 0.04 * smooth_noise(rng, h, w, max(1.0, tile / 6)))[..., None]


def _wood(rng, h, w):
    """Wood: brown with wavy darker growth-ring stripes and fine streaks along the grain."""
    vertical = rng.random() < 0.5
    h, w = (w, h) if vertical else (h, w)
    s = min(h, w)
    phase = (np.arange(h, dtype=np.float32)[:, None] / (s / rng.uniform(8, 20))
             + 1.2 * smooth_noise(rng, h, w, (s / 4, s / 1.5)))
    rings = (0.5 + 0.5 * np.sin(2 * np.pi * phase)) ** 4
    shade = 0.95 - 0.3 * rings + 0.06 * smooth_noise(rng, h, w, (max(1.0, s / 300), s / 8))
    image = _tone(rng, (158, 106, 64), 10) * rng.uniform(0.7, 1.15) * shade[..., None]
    return np.ascontiguousarray(image.transpose(1, 0, 2)) if vertical else image


def _canvas(rng, h, w):
    """Canvas: undyed linen in a fine plain weave."""
    relief, _ = _weave(rng, h, w, max(3.0, min(h, w) / 140), twill=False)
    shade = 0.8 + 0.28 * relief + 0.03 * smooth_noise(rng, h, w, min(h, w) / 6)
    return _tone(rng, (190, 172, 140)) * shade[..., None]


def _textile(rng, h, w):
    """Textile: dyed cloth in a coarser twill, weft and warp in slightly different shades."""
    relief, weft = _weave(rng, h, w, max(4.0, min(h, w) / 70), twill=True)
    dyes = ((150, 42, 48), (48, 62, 116), (62, 102, 64), (182, 140, 62), (112, 52, 92))
    shade = ((0.7 + 0.4 * relief) * np.where(weft, np.float32(1), np.float32(0.85))
             + 0.05 * smooth_noise(rng, h, w, 1))
    return _tone(rng, dyes[rng.integers(len(dyes))], 12) * shade[..., None]


def _lime_plaster(rng, h, w):
    """Lime plaster: off-white, rough and mottled at several scales."""
    s = min(h, w)
    scales = ((0.05, s / 4), (0.05, s / 20), (0.04, s / 80), (0.05, max(1.0, s / 400)))
    shade = 1 + sum(a * smooth_noise(rng, h, w, cell) for a, cell in scales)
    tint = smooth_noise(rng, h, w, s / 6)[..., None] * np.float32((5, 2, -4))  # warm, grey patches
    return _tone(rng, (212, 204, 186)) * shade[..., None] + tint


def _film_emulsion(rng, h, w):
    """Film emulsion: neutral or sepia grey with strong fine grain and a dark vignette."""
    y, x = _coords(h, w)
    shade = 1 - 0.3 * (x ** 2 + y ** 2) + 0.1 * smooth_noise(rng, h, w, max(1.0, min(h, w) / 700))
    tint = np.float32((1.1, 0.97, 0.78) if rng.random() < 0.5 else (1, 1, 1))
    return rng.uniform(115, 150) * tint * shade[..., None]


def _ceramic(rng, h, w):
    """Glazed ceramic: an even white or coloured glaze with a broad soft sheen, little texture."""
    (y, x), (cy, cx) = _coords(h, w), rng.uniform(-0.6, 0.6, 2).astype(np.float32)
    sheen = np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * rng.uniform(0.15, 0.35) ** 2))
    glazes = ((222, 220, 210), (160, 190, 168), (70, 100, 160), (190, 110, 70))
    shade = 0.92 + 0.06 * y + 0.004 * smooth_noise(rng, h, w, 1)
    return (_tone(rng, glazes[rng.integers(len(glazes))], 5) * shade[..., None]
            + 45 * sheen[..., None])


# Historical pigments (ochres, umber, vermilion, ultramarine, verdigris, lead white, ...):
# paintings and ornaments take a few of them, which keeps their colours plausible.
_PIGMENTS = np.float32([(196, 150, 72), (112, 74, 44), (178, 54, 38), (52, 66, 140),
                        (70, 128, 104), (226, 220, 200), (40, 36, 34), (150, 84, 52),
                        (98, 120, 60), (140, 60, 70)])


def _palette(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` different pigments, each slightly varied, as float32 RGB rows."""
    chosen = _PIGMENTS[rng.choice(len(_PIGMENTS), count, replace=False)]
    return chosen * rng.uniform(0.85, 1.15, (count, 1)).astype(np.float32)


def _artistic(rng, h, w):
    """Painterly depiction: a two-colour wash under many short, thick brush strokes."""
    s, palette = min(h, w), _palette(rng, 5)
    mix = np.clip(0.5 + 0.4 * smooth_noise(rng, h, w, s / 3), 0, 1)[..., None]
    colour = palette[0] + mix * (palette[1] - palette[0])
    count = 250
    starts = rng.uniform((0, 0), (w, h), (count, 2))
    angles = rng.uniform(0, np.pi) + rng.normal(0, 0.5, count)  # a common flow, as a hand paints
    directions = np.stack([np.cos(angles), np.sin(angles)], 1)
    ends = starts + s * rng.uniform(0.04, 0.12, (count, 1)) * directions
    tones = palette[rng.integers(5, size=count)] + rng.normal(0, 10, (count, 3))
    widths = np.maximum(1, s * rng.uniform(0.01, 0.04, count)).astype(int)
    for start, end, tone, width in zip(starts.astype(int).tolist(), ends.astype(int).tolist(),
                                       tones.tolist(), widths.tolist()):
        cv2.line(colour, start, end, tone, width)
    return colour, 0.85


def _photographic(rng, h, w):
    """Photo-like scene: graded sky over ground with a few soft shapes, often monochrome."""
    small = (48, max(8, round(48 * w / h)))  # a smooth scene: drawn small, resized up
    y = np.linspace(0, 1, small[0], dtype=np.float32)[:, None, None]
    sky, palette = _tone(rng, (185, 200, 215), 15) * rng.uniform(0.7, 1.1), _palette(rng, 4)
    scene = np.where(y < rng.uniform(0.3, 0.7), sky * (0.8 + 0.4 * y), palette[0] * (1.2 - 0.4 * y))
    scene = np.repeat(scene, small[1], 1)
    for _ in range(rng.integers(2, 6)):  # figures, trees, buildings: soft blobs in earthy tones
        cv2.ellipse(scene, tuple(int(v) for v in rng.uniform((0, 0), small[::-1])),
                    tuple(int(v) for v in rng.uniform(3, 16, 2)), rng.uniform(0, 180), 0, 360,
                    (palette[rng.integers(4)] * rng.uniform(0.6, 1.3)).tolist(), -1)
    if rng.random() < 0.6:  # black-and-white or sepia prints
        tint = (1.05, 0.98, 0.85) if rng.random() < 0.5 else (1, 1, 1)
        scene = scene.mean(2, keepdims=True) * np.float32(tint)
    scene = cv2.GaussianBlur(scene, (0, 0), 1.2)
    return cv2.resize(scene, (w, h), interpolation=cv2.INTER_CUBIC), 0.8


def _geometric(rng, h, w):
    """Ornament: stripes, checks, rings or dots in flat colours, the material between them."""
    rows = np.arange(h, dtype=np.float32)[:, None]
    cols = np.arange(w, dtype=np.float32)[None, :]
    period, kind, angle = min(h, w) / rng.uniform(3, 9), rng.integers(4), rng.uniform(0, np.pi)
    if kind == 0:
        index = np.floor((cols * np.cos(angle) + rows * np.sin(angle)) / period)
    elif kind == 1:
        index = np.floor(cols / period) + np.floor(rows / period)
    elif kind == 2:
        index = np.floor(np.hypot(cols - rng.uniform(0, w), rows - rng.uniform(0, h)) / period)
    else:
        index = np.hypot(cols / period % 1 - 0.5, rows / period % 1 - 0.5) < 0.3
    index = (index % rng.integers(2, 4)).astype(np.int32)
    return _palette(rng, 3)[index], np.where(index == 0, 0, 0.85).astype(np.float32)[..., None]


def _line_art(rng, h, w):
    """Line drawing: thin dark ink contours and a patch or two of hatching on bare material."""
    s = min(h, w)
    lines = [walk(rng, h, w, s * rng.uniform(0.2, 0.6), 0.15, steps=30)
             for _ in range(rng.integers(6, 14))]
    for _ in range(rng.integers(1, 3)):  # hatching: eleven short parallel strokes
        centre, angle = rng.uniform((0, 0), (w, h)), rng.uniform(0, np.pi)
        along = s / 20 * np.array((np.cos(angle), np.sin(angle)))
        across = np.array((-along[1], along[0])) / 4
        lines += [centre + k * across + np.stack([-along, along]) for k in range(-5, 6)]
    ink = np.zeros((h, w), np.uint8)
    cv2.polylines(ink, [line.astype(np.int32) for line in lines], False, 255,
                  max(1, round(s / 300)), cv2.LINE_AA)
    colour = np.float32((30, 25, 22) if rng.random() < 0.6 else (78, 48, 26))
    return colour, ink[..., None] * np.float32(0.9 / 255)


_SURFACES = {'Paper': _paper, 'Parchment': _parchment, 'Glass': _glass, 'Tesserae': _tesserae,
             'Wood': _wood, 'Canvas': _canvas, 'Lime plaster': _lime_plaster,
             'Film emulsion': _film_emulsion, 'Textile': _textile, 'Ceramic': _ceramic}
_CONTENTS = {'Artistic depiction': _artistic, 'Photographic depiction': _photographic,
             'Geometric patterns': _geometric, 'Line art': _line_art}
MATERIALS = tuple(_SURFACES)
CONTENTS = tuple(_CONTENTS)


def draw_artefact(rng: np.random.Generator, height: int, width: int, material: str,
                  content: Optional[str] = None) -> np.ndarray:
    """Draw an undamaged artefact: the material's surface with the content painted on it.

    Args:
        rng: Generator; the only source of randomness.
        height (int): Image height in pixels.
        width (int): Image width in pixels.
        material (str): One of ``MATERIALS``.
        content (str, optional): One of ``CONTENTS``; None draws the bare material.

    Returns:
        np.ndarray: float32 HxWx3 RGB in 0..255.
    """
    surface = _SURFACES[material](rng, height, width).astype(np.float32, copy=False)
    if content is not None:
        colour, alpha = _CONTENTS[content](rng, height, width)
        luminance = surface.mean(2, keepdims=True)
        relief = luminance / luminance.mean()  # paint follows the surface, so the material shows
        surface += alpha * (colour * relief - surface)
    return np.clip(surface, 0, 255, out=surface)
