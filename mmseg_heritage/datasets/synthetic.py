"""A small ARTeFACT-like synthetic dataset for the demo and the tests.

Each image is a textured artefact of one material, bordered on some sides by background
(mask 255), with damage of several of the 15 classes drawn in shapes and colours that loosely
follow the real ones (thin dark cracks, long light scratches, soft stains, ...). It is fully
determined by the seed, and written in the layout ``ArtefactDataset`` reads.
"""
import csv
import os.path as osp
from pathlib import Path
from typing import Callable, Dict, Tuple

import cv2
import numpy as np

from .artefact import BACKGROUND_COLOUR, IGNORE_INDEX

# Material -> base colour (RGB) and texture strength.
MATERIALS: Dict[str, Tuple[Tuple[int, int, int], float]] = {
    'Paper': ((222, 210, 180), 8.0),
    'Parchment': ((205, 180, 135), 14.0),
    'Canvas': ((170, 150, 120), 22.0),
    'Film emulsion': ((120, 120, 125), 6.0),
    'Glass': ((160, 185, 190), 4.0),
    'Tesserae': ((150, 110, 90), 18.0),
}
CONTENTS = ('Artistic depiction', 'Photographic depiction', 'Geometric patterns', 'Line art')


def _blob(rng: np.random.Generator, h: int, w: int, radius: float) -> np.ndarray:
    """An irregular filled polygon around a random centre, as a uint8 mask."""
    centre = rng.uniform([0, 0], [w, h])
    angles = np.sort(rng.uniform(0, 2 * np.pi, 9))
    radii = radius * rng.uniform(0.5, 1.2, 9)
    points = centre + np.stack([np.cos(angles), np.sin(angles)], 1) * radii[:, None]
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [points.astype(np.int32)], 1)
    return mask


def _polyline(rng: np.random.Generator, h: int, w: int, steps: int, step: float,
              turn: float, thickness: int) -> np.ndarray:
    """A random-walk line: straight for small ``turn``, wiggly for large."""
    point, angle = rng.uniform([0, 0], [w, h]), rng.uniform(0, 2 * np.pi)
    points = [point]
    for _ in range(steps):
        angle += rng.normal(0, turn)
        point = point + step * np.array([np.cos(angle), np.sin(angle)])
        points.append(point)
    mask = np.zeros((h, w), np.uint8)
    cv2.polylines(mask, [np.array(points, np.int32)], False, 1, thickness)
    return mask


def _cracks(rng, h, w):
    mask = _polyline(rng, h, w, 12, h / 16, 0.6, 1)
    for _ in range(2):  # branches
        mask |= _polyline(rng, h, w, 6, h / 20, 0.8, 1) * (rng.random() < 0.7)
    return mask


def _specks(rng, h, w, count, radius):
    mask = np.zeros((h, w), np.uint8)
    for x, y in rng.uniform([0, 0], [w, h], (count, 2)).astype(int):
        cv2.circle(mask, (int(x), int(y)), radius, 1, -1)
    return mask


def _rectangle(rng, h, w):
    mask = np.zeros((h, w), np.uint8)
    x, y = rng.integers(0, w - w // 5), rng.integers(0, h - h // 5)
    cv2.rectangle(mask, (int(x), int(y)), (int(x + w // 5), int(y + h // 6)), 1, -1)
    return mask


def _ring(rng, h, w):
    mask = np.zeros((h, w), np.uint8)
    centre = tuple(int(v) for v in rng.uniform([w / 6, h / 6], [5 * w / 6, 5 * h / 6]))
    cv2.circle(mask, centre, max(4, h // 12), 1, max(2, h // 60))
    return mask


def _corner_glow(rng, h, w):
    yy, xx = np.mgrid[0:h, 0:w]
    cx, cy = rng.choice([0, w]), rng.choice([0, h])
    return (np.hypot(xx - cx, yy - cy) < rng.uniform(0.3, 0.5) * h).astype(np.uint8)


# Class id -> (shape generator, RGB colour it is painted with, opacity).
DAMAGE: Dict[int, Tuple[Callable, Tuple[int, int, int], float]] = {
    1: (lambda r, h, w: _blob(r, h, w, h / 9), (245, 245, 240), 1.0),       # Material loss
    2: (lambda r, h, w: _blob(r, h, w, h / 12), (235, 215, 200), 0.8),      # Peel
    3: (lambda r, h, w: _specks(r, h, w, 25, 1), (90, 90, 90), 0.9),        # Dust
    4: (lambda r, h, w: _polyline(r, h, w, 3, h / 4, 0.02, 1), (250, 250, 250), 0.9),
    5: (lambda r, h, w: _polyline(r, h, w, 10, h / 18, 0.5, 1), (30, 20, 15), 1.0),
    6: (lambda r, h, w: _blob(r, h, w, h / 16), (85, 60, 35), 0.8),         # Dirt
    7: (lambda r, h, w: _polyline(r, h, w, 1, 2 * h, 0.0, 3), (120, 110, 100), 0.7),
    8: (lambda r, h, w: _polyline(r, h, w, 14, h / 25, 1.4, 2), (25, 35, 110), 1.0),
    9: (_cracks, (40, 30, 25), 1.0),                                          # Cracks
    10: (lambda r, h, w: _blob(r, h, w, h / 6), (190, 150, 60), 0.5),       # Staining
    11: (_ring, (200, 30, 40), 0.9),                                           # Stamp
    12: (_rectangle, (250, 250, 120), 1.0),                                   # Sticker
    13: (lambda r, h, w: _specks(r, h, w, 2, max(2, h // 40)), (5, 5, 5), 1.0),
    14: (lambda r, h, w: _blob(r, h, w, h / 10), (60, 25, 5), 0.9),         # Burn marks
    15: (_corner_glow, (255, 170, 120), 0.6),                                 # Lightleak
}


def make_sample(seed: int, size: int = 160) -> Tuple[np.ndarray, np.ndarray, str, str]:
    """Draw one synthetic artefact.

    Args:
        seed (int): Seed; the same seed always gives the same sample.
        size (int): Side of the square image in pixels. Defaults to 160.

    Returns:
        tuple: RGB image (uint8, HxWx3), mask (uint8, HxW, class ids and 255), material,
        content.
    """
    rng = np.random.default_rng(seed)
    material = list(MATERIALS)[rng.integers(len(MATERIALS))]
    content = CONTENTS[rng.integers(len(CONTENTS))]
    base, texture = MATERIALS[material]
    h = w = size
    noise = cv2.GaussianBlur(rng.normal(0, texture, (h, w)).astype(np.float32), (0, 0), 1.5)
    image = np.clip(np.array(base, np.float32) + noise[..., None] * 2, 0, 255)
    mask = np.zeros((h, w), np.uint8)

    for class_id in rng.choice(list(DAMAGE), size=rng.integers(2, 5), replace=False):
        shape, colour, opacity = DAMAGE[int(class_id)]
        region = shape(rng, h, w).astype(bool)
        soft = cv2.GaussianBlur(region.astype(np.float32), (0, 0), 1.0)[..., None] * opacity
        image = image * (1 - soft) + np.array(colour, np.float32) * soft
        mask[region] = class_id

    # Background around the artefact on up to two sides, as in photographs of real objects.
    for side in rng.choice(4, size=rng.integers(0, 3), replace=False):
        width = int(rng.integers(size // 20, size // 8))
        border = [np.s_[:width, :], np.s_[-width:, :], np.s_[:, :width], np.s_[:, -width:]][side]
        image[border] = BACKGROUND_COLOUR
        mask[border] = IGNORE_INDEX
    return image.astype(np.uint8), mask, material, content


def generate_synthetic_dataset(out_dir: str, num_train: int = 64, num_val: int = 16,
                               size: int = 160, seed: int = 0) -> Path:
    """Write a synthetic dataset in the ``ArtefactDataset`` layout.

    Writes ``images/<id>.png``, ``annotations/<id>.png``, ``metadata.csv`` and
    ``splits/{train,val}.txt`` under ``out_dir``.

    Args:
        out_dir (str): Output folder; created if missing.
        num_train (int): Training images. Defaults to 64.
        num_val (int): Validation images. Defaults to 16.
        size (int): Image side in pixels. Defaults to 160.
        seed (int): Seed of the whole dataset. Defaults to 0.

    Returns:
        Path: ``out_dir``.
    """
    root = Path(out_dir)
    for sub in ('images', 'annotations', 'splits'):
        (root / sub).mkdir(parents=True, exist_ok=True)
    splits = {'train': [], 'val': []}
    rows = []
    for index in range(num_train + num_val):
        sample_id = f'synthetic_{seed}_{index:05d}'
        image, mask, material, content = make_sample(seed * 1_000_003 + index, size)
        cv2.imwrite(osp.join(root, 'images', f'{sample_id}.png'), image[..., ::-1])
        cv2.imwrite(osp.join(root, 'annotations', f'{sample_id}.png'), mask)
        splits['train' if index < num_train else 'val'].append(sample_id)
        rows.append(dict(id=sample_id, material=material, content=content, width=size,
                         height=size))
    for name, ids in splits.items():
        (root / 'splits' / f'{name}.txt').write_text('\n'.join(ids) + '\n')
    with open(root / 'metadata.csv', 'w', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return root


__all__ = ['make_sample', 'generate_synthetic_dataset']
