"""The 15 ARTeFACT damage classes, drawn in shapes and colours like the real ones.

Each damage function takes the generator and the float RGB image and returns
``(alpha, paint)``: how strongly each pixel (HxW, 0..1) turns into ``paint`` (HxWx3, or one
RGB colour). ``apply_damage`` blends it in and labels the pixels where alpha reaches
``LABEL_ALPHA``, i.e. where the damage is visibly there. Sizes follow the shorter image side,
so shapes look alike from 48 px to 4000 px.
"""
import cv2
import numpy as np

from .textures import blur, smooth_noise, walk

LABEL_ALPHA = 0.3


def _lines(image: np.ndarray, lines, thickness: float) -> np.ndarray:
    """Polylines (lists of x, y points) drawn as a float32 0/1 mask."""
    mask = np.zeros(image.shape[:2], np.uint8)
    cv2.polylines(mask, [np.round(line).astype(np.int32) for line in lines], False, 1,
                  max(1, round(thickness)))
    return mask.astype(np.float32)


def _blob(rng: np.random.Generator, mask: np.ndarray, centre, radius: float,
          jag: float = 0.3) -> np.ndarray:
    """Adds an irregular filled outline (a few random harmonics of a circle) to ``mask``."""
    angles = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    harmonics = np.arange(2, 8)[:, None]
    wobble = (rng.normal(0, jag, (6, 1)) / harmonics * 2
              * np.sin(harmonics * angles + rng.uniform(0, 2 * np.pi, (6, 1)))).sum(0)
    radii = radius * np.clip(1 + wobble + rng.normal(0, jag / 8, 48), 0.3, None)
    points = np.asarray(centre) + radii[:, None] * np.stack([np.cos(angles), np.sin(angles)], 1)
    cv2.fillPoly(mask, [np.round(points).astype(np.int32)], 1)
    return mask


def _spot(rng: np.random.Generator, image: np.ndarray, edge: bool = False) -> np.ndarray:
    """A random point (x, y) in the image; with ``edge``, on one of its borders."""
    h, w = image.shape[:2]
    point = rng.uniform((0, 0), (w, h)).astype(np.float32)
    if edge:
        side = rng.integers(4)
        point[side // 2] = (w, h)[side // 2] * (side % 2)
    return point


def _lighter(image: np.ndarray, amount) -> np.ndarray:
    """Towards white; pixels that are bright already turn grey instead, so the change shows."""
    bright = image.mean(2, keepdims=True) > 185
    return np.where(bright, image * (1 - 0.6 * amount), image + (255 - image) * amount)


def _material_loss(rng, image):
    """Irregular holes, often at the artefact's edge, that show a board or mount behind it."""
    h, w = image.shape[:2]
    s, region = min(h, w), np.zeros((h, w), np.uint8)
    for _ in range(rng.integers(1, 4)):
        _blob(rng, region, _spot(rng, image, edge=rng.random() < 0.5), s * rng.uniform(0.04, 0.12))
    supports = np.float32([(38, 34, 30), (238, 236, 228), (150, 150, 146), (100, 82, 60)])
    # The support colour farthest from the artefact's, so the loss always shows.
    support = supports[np.abs(supports - image.mean((0, 1))).sum(1).argmax()]
    texture = 1 + 0.04 * smooth_noise(rng, h, w, s / 30)
    return region.astype(np.float32), support * texture[..., None]


def _cluster(rng, image, count, spread, radius):
    """A uint8 mask of small blobs scattered around one spot (flakes, smudges); ``spread``
    and ``radius`` are shares of the shorter side."""
    h, w = image.shape[:2]
    s, blobs = min(h, w), np.zeros((h, w), np.uint8)
    centre = _spot(rng, image)
    for _ in range(rng.integers(*count)):
        _blob(rng, blobs, centre + rng.normal(0, s * spread, 2), s * rng.uniform(*radius), 0.5)
    return blobs


def _peel(rng, image):
    """Clusters of small flakes lifting off: lighter, with a dark shadow along one side."""
    s = min(image.shape[:2])
    flakes = _cluster(rng, image, (3, 9), 0.06, (0.015, 0.05))
    offset = np.round(rng.normal(0, 1, 2) * max(1.0, s / 150)).astype(int)
    shadow = np.roll(flakes, tuple(offset), (0, 1)) > flakes
    alpha = (flakes > 0) | shadow
    return alpha.astype(np.float32), np.where(shadow[..., None], image * 0.5, _lighter(image, 0.5))


def _dust(rng, image):
    """Many tiny specks, dark on light surfaces and light on dark ones."""
    h, w = image.shape[:2]
    s, specks = min(h, w), np.zeros((h, w), np.uint8)
    for x, y in rng.uniform((0, 0), (w, h), (int(rng.uniform(30, 120) * s / 96), 2)):
        cv2.circle(specks, (int(x), int(y)), int(rng.uniform(0, 2) * s / 1500), 1, -1)
    light = image.mean(2, keepdims=True) > 110
    paint = np.where(light, np.float32((70, 68, 64)), np.float32((218, 214, 205)))
    return specks.astype(np.float32) * 0.9, paint


def _scratch(rng, image):
    """Long, thin, nearly straight light lines, sometimes a few side by side."""
    s = min(image.shape[:2])
    start, angle, lines = _spot(rng, image), rng.uniform(0, np.pi), []
    for _ in range(rng.integers(1, 5)):  # roughly parallel, as from one dragged grain
        start = start + rng.normal(0, s * 0.04, 2)
        lines.append(walk(rng, *image.shape[:2], s * rng.uniform(0.3, 0.9), 0.01, start,
                          angle + rng.normal(0, 0.05), steps=6))
    return _lines(image, lines, s / 600) * 0.85, _lighter(image, 0.7)


def _hair(rng, image):
    """One or two thin, dark, gently curling hairs."""
    s = min(image.shape[:2])
    hairs = [walk(rng, *image.shape[:2], s * rng.uniform(0.3, 0.6), 0.06,
                  bend=rng.normal(0, 0.04), steps=40) for _ in range(rng.integers(1, 3))]
    return _lines(image, hairs, s / 700) * 0.9, image * 0.2


def _dirt(rng, image):
    """A few small, soft, brownish-dark smudges."""
    s = min(image.shape[:2])
    smudges = _cluster(rng, image, (2, 7), 0.08, (0.012, 0.035))
    alpha = np.clip(1.4 * blur(smudges.astype(np.float32), s / 120), 0, 0.8)
    return alpha, image * np.float32((0.45, 0.4, 0.34))


def _fold(rng, image):
    """A long crease across the artefact: light on one side of the ridge, dark on the other."""
    h, w = image.shape[:2]
    angle = rng.choice((0, np.pi / 2)) + rng.normal(0, 0.08)  # folds run along the sheet
    (x0, y0), (dx, dy) = _spot(rng, image), np.float32((-np.sin(angle), np.cos(angle)))
    across = ((np.arange(w, dtype=np.float32)[None, :] - x0) * dx
              + (np.arange(h, dtype=np.float32)[:, None] - y0) * dy)
    across /= max(1.5, min(h, w) * rng.uniform(0.012, 0.03))  # -1..1 across the fold's band
    strength = (0.2 + 0.35 * np.clip(1 - np.abs(across), 0, 1))[..., None]
    paint = np.where(across[..., None] < 0, _lighter(image, strength), image * (1 - strength))
    return (np.abs(across) < 1).astype(np.float32), paint


def _writing(rng, image):
    """Handwritten ink: lines of cursive loops grouped into words."""
    s = min(image.shape[:2])
    size, slope = s * rng.uniform(0.02, 0.04), rng.normal(0, 0.1)
    origin, strokes = _spot(rng, image), []
    for line in range(rng.integers(1, 4)):
        x = 0.0
        for _ in range(rng.integers(2, 5)):
            letters = rng.integers(3, 8)
            t = np.linspace(0, 2 * np.pi * letters, letters * 12)
            height = np.repeat(rng.choice((1, 1, 1, 2), letters), 12)  # ascenders
            points = np.stack([x + size * (0.45 * t + 0.6 * np.sin(t)),
                               line * 3 * size - size * height * 0.6 * (1 - np.cos(t))], 1)
            strokes.append(origin + points @ np.float32([[1, slope], [-slope, 1]]))
            x += size * (0.45 * t[-1] + rng.uniform(1.5, 3))
    ink = np.float32((0.2, 0.22, 0.45) if rng.random() < 0.5 else (0.3, 0.22, 0.15))
    return _lines(image, strokes, size / 8) * 0.9, image * ink


def _cracks(rng, image):
    """Thin dark cracks that branch from a main one."""
    s = min(image.shape[:2])
    cracks = [walk(rng, *image.shape[:2], s * rng.uniform(0.3, 0.7), 0.35)]
    for _ in range(rng.integers(2, 7)):
        parent = cracks[rng.integers(len(cracks))]
        cracks.append(walk(rng, *image.shape[:2], s * rng.uniform(0.08, 0.25), 0.4,
                           parent[rng.integers(len(parent))], steps=10))
    return _lines(image, cracks, s / 450) * 0.9, image * 0.25


def _staining(rng, image):
    """A large soft stain, tinted yellow-brown or grey, with a darker tide line at its edge."""
    h, w = image.shape[:2]
    radius = min(h, w) * rng.uniform(0.08, 0.2)
    stain = blur(_blob(rng, np.zeros((h, w), np.float32), _spot(rng, image), radius), radius / 6)
    alpha = 0.65 * stain + 0.3 * np.exp(-((stain - 0.5) / 0.12) ** 2)
    tint = np.float32((0.75, 0.56, 0.3) if rng.random() < 0.7 else (0.55, 0.52, 0.5))
    return alpha, image * tint


def _stamp(rng, image):
    """A round ink stamp, red or blue and uneven: two rings, marks between, a star inside."""
    h, w = image.shape[:2]
    s, stamp = min(h, w), np.zeros((h, w), np.uint8)
    radius = s * rng.uniform(0.06, 0.12)
    centre = tuple(int(v) for v in _spot(rng, image))
    cv2.circle(stamp, centre, int(radius), 1, max(1, int(radius / 10)))
    cv2.circle(stamp, centre, int(radius * 0.7), 1, max(1, int(radius / 20)))
    angles = np.linspace(0, 2 * np.pi, 14, endpoint=False) + rng.uniform(0, 1)
    ticks = np.stack([np.cos(angles), np.sin(angles)], 1)[:, None] * np.float32([[0.76], [0.93]])
    cv2.polylines(stamp, list((ticks * radius + centre).astype(np.int32)), False, 1,
                  max(1, int(radius / 20)))
    cv2.drawMarker(stamp, centre, 1, cv2.MARKER_STAR, int(radius * 0.8), max(1, int(radius / 14)))
    ink = np.float32((0.85, 0.2, 0.25) if rng.random() < 0.6 else (0.25, 0.3, 0.8))
    alpha = stamp * np.clip(0.75 + 0.15 * smooth_noise(rng, h, w, radius / 4), 0.5, 0.9)
    return alpha, image * ink


def _sticker(rng, image):
    """An opaque paper label, white or coloured, slightly turned, with a soft shadow."""
    h, w = image.shape[:2]
    s, label = min(h, w), np.zeros((h, w), np.uint8)
    box = (tuple(_spot(rng, image)), tuple(s * rng.uniform(0.1, 0.25, 2)), rng.normal(0, 8))
    cv2.fillPoly(label, [cv2.boxPoints(box).astype(np.int32)], 1)
    colours = np.float32([(240, 238, 228), (232, 222, 190), (245, 225, 90), (240, 170, 180),
                          (160, 200, 235)])
    colour = colours[np.abs(colours - image.mean((0, 1))).sum(1).argmax()]  # stands out
    shadow = np.roll(label, tuple(np.ceil(np.float32((0.5, 0.3)) * s / 100).astype(int)), (0, 1))
    shadow = shadow > label  # painted, but too faint to be labelled
    return label + np.float32(0.25) * shadow, np.where(label[..., None] > 0, colour, image * 0.3)


def _puncture(rng, image):
    """A few small round holes: a dark centre in a light ring of torn fibres."""
    h, w = image.shape[:2]
    s, holes, rings = min(h, w), np.zeros((h, w), np.uint8), np.zeros((h, w), np.uint8)
    for _ in range(rng.integers(1, 5)):
        centre = tuple(int(v) for v in _spot(rng, image))
        radius = max(1, int(s * rng.uniform(0.008, 0.02)))
        cv2.circle(rings, centre, radius + max(1, radius // 2), 1, -1)
        cv2.circle(holes, centre, radius, 1, -1)
    paint = np.where(holes[..., None] > 0, np.float32((18, 14, 12)), _lighter(image, 0.5))
    return rings.astype(np.float32), paint


def _burn_marks(rng, image):
    """An irregular scorch, often at an edge: black core, brown, then a tan fringe."""
    h, w = image.shape[:2]
    radius = min(h, w) * rng.uniform(0.05, 0.12)
    scorch = _blob(rng, np.zeros((h, w), np.float32), _spot(rng, image, rng.random() < 0.6),
                   radius, 0.45)
    heat = blur(scorch, radius / 4)[..., None]
    charring = np.clip(1.6 * heat - 0.4, 0, 1)
    char = np.float32((120, 72, 34)) + charring * np.float32((-105, -64, -30))
    return np.clip(1.6 * heat[..., 0], 0, 1), char


def _lightleak(rng, image):
    """A large soft glow, yellow to orange-red, entering from an edge or a corner."""
    h, w = image.shape[:2]
    x0, y0 = _spot(rng, image, edge=True)
    if rng.random() < 0.5:  # from a corner
        x0, y0 = round(x0 / w) * w, round(y0 / h) * h
    distance = (np.hypot(np.arange(w, dtype=np.float32)[None, :] - x0,
                         np.arange(h, dtype=np.float32)[:, None] - y0)
                / (max(h, w) * rng.uniform(0.25, 0.6)))
    glow = np.exp(-2 * distance ** 2) * (1 + 0.1 * smooth_noise(rng, h, w, min(h, w) / 8))
    colour = np.float32((255, 228, 120)) + (1 - glow[..., None]) * np.float32((-20, -170, -90))
    return 0.95 * np.clip(glow, 0, 1) ** 1.5, colour  # labelled only where it is strong


DAMAGE = {1: _material_loss, 2: _peel, 3: _dust, 4: _scratch, 5: _hair, 6: _dirt, 7: _fold,
          8: _writing, 9: _cracks, 10: _staining, 11: _stamp, 12: _sticker, 13: _puncture,
          14: _burn_marks, 15: _lightleak}
DAMAGE_CLASSES = tuple(DAMAGE)


def apply_damage(rng: np.random.Generator, image: np.ndarray, mask: np.ndarray,
                 class_id: int) -> None:
    """Paint one damage of class ``class_id`` onto ``image`` and label it in ``mask``, in place.

    Args:
        rng: Generator; the only source of randomness.
        image (np.ndarray): float32 HxWx3 RGB in 0..255; changed in place.
        mask (np.ndarray): uint8 HxW class ids; ``class_id`` is written where the damage is
            visible (alpha at least ``LABEL_ALPHA``).
        class_id (int): One of ``DAMAGE_CLASSES`` (1..15).
    """
    alpha, paint = DAMAGE[class_id](rng, image)
    image += alpha[..., None] * (paint - image)
    mask[alpha >= LABEL_ALPHA] = class_id
