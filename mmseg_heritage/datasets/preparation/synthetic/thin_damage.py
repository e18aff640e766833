"""Thin damage of film and prints, drawn as alpha maps: scratches running across the whole
frame, long scratches, single hairs and fine specks of dust; and the paper they show.

Film runs through a camera, a projector and a scanner, so its scratches are long and straight
and cross the whole frame, most often along the film (here: vertically); a hair bends all
along its length; dust is specks of one to a few pixels. They are a pixel or two wide, at the
scan's own sharpness: a model that only ever saw wide damage misses them, and one that never saw
them beside printed rules and lettering takes those for them (``clean_content.py``).
"""
import cv2
import numpy as np

from .textures import smooth_noise, walk


def _canvas(image: np.ndarray) -> np.ndarray:
    return np.zeros(image.shape[:2], np.float32)


def frame_scratch(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """Alpha of one to three straight scratches from edge to edge of the frame, most often
    along the film, a pixel or two wide, their strength changing along them."""
    h, w = image.shape[:2]
    alpha = _canvas(image)
    along_film = rng.random() < 0.75
    for _ in range(rng.integers(1, 4)):
        slant = rng.normal(0, 0.02)  # nearly parallel to the film's edge
        if along_film:
            x = rng.uniform(0, w)
            ends = [(x, 0), (x + slant * h, h)]
        else:
            y = rng.uniform(0, h)
            ends = [(0, y), (w, y + slant * w)]
        line = np.zeros_like(alpha)
        cv2.line(line, *[tuple(int(round(v)) for v in end) for end in ends], 1.0,
                 int(rng.integers(1, 3)), cv2.LINE_AA)
        strength = np.clip(0.75 + 0.35 * smooth_noise(rng, h, w, max(h, w) / 8), 0, 1)
        alpha = np.maximum(alpha, line * strength * rng.uniform(0.6, 1.0))
    return alpha


def single_hair(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """Alpha of one hair: a thin line a fifth to four fifths of the frame long that bends all
    along, its curvature changing (arcs, S-bends, curls), where a scratch runs straight."""
    h, w = image.shape[:2]
    s, steps = min(h, w), 60
    along = np.linspace(0, 1, steps)
    # Curvature (radians per step) as a slow wave plus a constant curl.
    curvature = rng.uniform(0.02, 0.12) * np.sin(2 * np.pi * rng.uniform(0.5, 2.5) * along
                                                 + rng.uniform(0, 2 * np.pi))
    angles = rng.uniform(0, 2 * np.pi) + np.cumsum(curvature + rng.normal(0, 0.04)
                                                   + rng.normal(0, 0.02, steps))
    # From the middle of the frame, so that most of it lies on the picture.
    start = rng.uniform((0.25 * w, 0.25 * h), (0.75 * w, 0.75 * h))
    step = rng.uniform(0.2, 0.8) * s / steps
    curve = np.vstack([start, start + np.cumsum(
        step * np.stack([np.cos(angles), np.sin(angles)], 1), 0)])
    alpha = _canvas(image)
    cv2.polylines(alpha, [np.round(curve).astype(np.int32)], False, 1.0,
                  int(rng.integers(1, 3)), cv2.LINE_AA)
    return alpha * rng.uniform(0.7, 1.0)


def dust_specks(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """Alpha of a scatter of fine specks, one to a few pixels across."""
    h, w = image.shape[:2]
    alpha = _canvas(image)
    count = int(rng.integers(5, 60))
    centres = rng.uniform((0, 0), (w, h), (count, 2))
    radii = rng.choice([0, 1, 1, 2, 3], count)
    for (x, y), radius in zip(centres, radii):
        cv2.circle(alpha, (int(x), int(y)), int(radius), float(rng.uniform(0.7, 1.0)), -1,
                   cv2.LINE_AA)
    return np.clip(alpha, 0, 1)


def long_scratch(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """Alpha of one or a few long, thin, almost straight scratches."""
    h, w = image.shape[:2]
    s = min(h, w)
    alpha = _canvas(image)
    angle = rng.uniform(0, 2 * np.pi)
    start = rng.uniform((0, 0), (w, h))
    for _ in range(rng.integers(1, 4)):
        line = walk(rng, h, w, rng.uniform(0.2, 1.0) * s, 0.01,
                    start=start + rng.normal(0, 0.03 * s, 2), angle=angle + rng.normal(0, 0.05),
                    steps=12)
        cv2.polylines(alpha, [np.round(line).astype(np.int32)], False, rng.uniform(0.6, 1.0),
                      max(1, round(s / 500)), cv2.LINE_AA)
    return alpha


def paper_colour(rng: np.random.Generator) -> np.ndarray:
    """The paper base that cracks, folds and losses of the emulsion show (RGB)."""
    return np.float32(rng.uniform(205, 250)) * np.float32([1.0, rng.uniform(0.93, 1.0),
                                                           rng.uniform(0.8, 0.97)])
