"""Synthetic scans of damaged photographs: real photographic content, aged, damaged and scanned.

Procedural materials (``textures.py``) teach a model what damage looks like on ten kinds of
surface, but on real photographs such a model sees damage everywhere. Here the content is real:
photographs at their native sharpness (shrunk, never enlarged), often turned into an old print
(monochrome or faded colour, a tone, lifted blacks, vignetting). Damage of real photographs is
drawn on top: crack networks and folds that show the paper, lost emulsion at edges and inside,
long scratches, scratches across the whole frame, single hairs and fine specks
(``thin_damage.py``), and real damage from a damage bank (dust, dirt, hair, film scratches,
stains). Last come what a scan adds everywhere: grain, a little blur, JPEG.

A pixel is labelled damage only where the damage visibly changed it (see ``paste_damage``):
a white crack on white paper is not damage to learn. A share of scans stays clean, so that
highlights, text, edges and grain of real content are seen without damage, and bright flat
areas that are not damage (a print's margin, burnt-out highlights) come with clean and damaged
scans alike. Given fonts, some scans are whole pages of graphic design and others get print,
lettering, posters, hard shadows, dark or strongly coloured areas drawn in, all of it clean
(``clean_content.py``): the marks of print are not damage.
"""
import glob
import importlib.util
import re
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
from tqdm import tqdm

from ....class_names import CLASSES
from ....utils import remove_partial_files, write_json_atomic
from ...damage_bank import DamageBank
from ...image_decoding import read_image_file
from ...transforms.damage_copy_paste import paste_damage, transform_instance
from ..layout import LAYOUT_FOLDERS, finish_dataset, write_sample
from ..splits import SPLIT_PARTS
from ..statistics import PixelStatistics
from .clean_content import add_clean_content, find_fonts, graphic_page
from .textures import smooth_noise, walk
from .thin_damage import (dust_specks, frame_scratch, long_scratch, paper_colour,
                          single_hair)

# Photographs that installed packages ship (licences: scikit-image's data/README.txt, public
# domain or CC0 except where noted there; scikit-learn's images/README.txt, CC BY 2.0;
# matplotlib's sample_data, Grace Hopper's portrait, public domain).
PACKAGE_PHOTOS = {
    'skimage': ('data', ('astronaut.png', 'brick.png', 'camera.png', 'cell.png', 'chelsea.png',
                         'clock_motion.png', 'coffee.png', 'coins.png', 'grass.png',
                         'gravel.png', 'hubble_deep_field.jpg', 'ihc.png', 'moon.png',
                         'motorcycle_left.png', 'motorcycle_right.png', 'page.png',
                         'retina.jpg', 'rocket.jpg', 'text.png')),
    'sklearn': ('datasets/images', ('china.jpg', 'flower.jpg')),
    'matplotlib': ('mpl-data/sample_data', ('grace_hopper.jpg', )),
}
IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.bmp')
SIZE_NAME = re.compile(r'^(\d+)x(\d+)$')
# As ARTeFACT would file a photographic print.
MATERIAL, CONTENT = 'Paper', 'Photographic depiction'
# The damage of photographs drawn here, as ARTeFACT classes.
MATERIAL_LOSS, DUST, SCRATCH, HAIR, DIRT, FOLD, CRACKS, STAINING = (
    CLASSES.index(name) for name in ('Material loss', 'Dust', 'Scratch', 'Hair', 'Dirt', 'Fold',
                                     'Cracks', 'Staining'))
BANK_CLASSES = (DUST, DIRT, HAIR, SCRATCH, STAINING)
# Brownish tints of stains on prints (RGB).
STAIN_TINTS = np.float32([(170, 120, 60), (140, 100, 50), (190, 160, 90), (120, 90, 70)])


def _one_size_each(paths: Sequence[Path]) -> List[Path]:
    """Only the largest of the files of a folder named by their size (``1920x1080.jpg``):
    wallpaper packages keep one picture there at several sizes."""
    kept = []
    for folder in sorted({p.parent for p in paths}):
        files = [p for p in paths if p.parent == folder]
        sizes = [SIZE_NAME.match(p.stem) for p in files]
        if all(sizes):
            files = [max(files, key=lambda p: int(np.prod(
                [int(v) for v in SIZE_NAME.match(p.stem).groups()])))]
        kept += files
    return kept


def content_images(sources: Sequence[str]) -> List[Path]:
    """The photographs of ``sources``, sorted: ``'skimage'``, ``'sklearn'`` or
    ``'matplotlib'`` (photographs those packages ship), folders (every image below them) or
    glob patterns. Of files named by their size in one folder, only the largest is taken.

    Raises:
        FileNotFoundError: A folder does not exist, a package is not installed, or a source
            holds no image; the message says which and how to get it.
    """
    images = []
    for source in sources:
        if source in PACKAGE_PHOTOS:
            spec = importlib.util.find_spec(source)
            if spec is None or not spec.submodule_search_locations:
                raise FileNotFoundError(f'content {source!r}: the package is not installed '
                                        f'(pip install -r requirements/starter.txt)')
            folder, names = PACKAGE_PHOTOS[source]
            root = Path(list(spec.submodule_search_locations)[0]) / folder
            found = [root / name for name in names if (root / name).is_file()]
        elif glob.has_magic(source):
            found = _one_size_each([Path(p) for p in sorted(glob.glob(source, recursive=True))
                                    if Path(p).suffix.lower() in IMAGE_SUFFIXES])
        else:
            root = Path(source)
            if not root.is_dir():
                raise FileNotFoundError(f'content {source}: no such folder')
            found = _one_size_each(sorted(p for p in root.rglob('*')
                                          if p.suffix.lower() in IMAGE_SUFFIXES))
        if not found:
            raise FileNotFoundError(f'content {source}: no photograph found')
        images += found
    return images


def fit_content(rng: np.random.Generator, image: np.ndarray, size: int) -> np.ndarray:
    """A crop of at most ``size`` x ``size`` at the photograph's own sharpness: large images
    are shrunk so that their shorter side is 1-3 crops, small ones are never enlarged."""
    height, width = image.shape[:2]
    scale = min(1.0, rng.uniform(1.0, 3.0) * size / min(height, width))
    # Cut the region first, then shrink only it: a 5120 px wallpaper is not resized whole.
    crop_h, crop_w = min(height, round(size / scale)), min(width, round(size / scale))
    top, left = rng.integers(height - crop_h + 1), rng.integers(width - crop_w + 1)
    region = image[top:top + crop_h, left:left + crop_w]
    if scale < 1:
        region = cv2.resize(region, (min(size, round(crop_w * scale)),
                                     min(size, round(crop_h * scale))),
                            interpolation=cv2.INTER_AREA)
    return region.astype(np.float32)


def old_print(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """The look of an old print: monochrome in a tone or faded colour, lifted blacks, lower
    contrast, a colour cast and vignetting, each drawn at random (sometimes none)."""
    if rng.random() < 0.6:
        grey = image @ np.float32([0.299, 0.587, 0.114])
        tones = np.float32([(1.0, 1.0, 1.0), (1.0, 0.9, 0.72), (1.0, 0.86, 0.66),
                            (0.95, 0.97, 1.0), (1.0, 0.94, 0.82)])
        tone = tones[rng.integers(len(tones))]
        image = grey[..., None] * tone
    contrast = rng.uniform(0.6, 1.05)
    image = image.mean() + (image - image.mean()) * contrast
    lift = rng.uniform(0, 0.25)
    paper = np.float32(rng.uniform(225, 250)) * np.float32([1.0, 0.97, 0.9])
    image = image * (1 - lift) + paper * lift
    image = image * rng.uniform(0.9, 1.1, 3).astype(np.float32)  # colour cast
    if rng.random() < 0.5:
        h, w = image.shape[:2]
        rows = np.linspace(-1, 1, h, dtype=np.float32)[:, None]
        cols = np.linspace(-1, 1, w, dtype=np.float32)[None, :]
        image = image * (1 - rng.uniform(0.1, 0.4) * (rows**2 + cols**2)[..., None] / 2)
    return np.clip(image, 0, 255)


def bright_areas(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """Bright flat areas that are not damage, each at random: the paper margin of a print on
    one to four sides, and overexposure that burns highlights out to flat white.

    Lost emulsion shows the paper too; without these, a model takes every bright flat area (a
    white backdrop, white clothing, a margin) for lost material.
    """
    if rng.random() < 0.3:  # overexposed: the highlights clip
        image = np.clip(image * rng.uniform(1.3, 2.0), 0, 255)
    if rng.random() < 0.3:  # the print's margin
        h, w = image.shape[:2]
        paper = paper_colour(rng)
        image = image.copy()
        for side in np.flatnonzero(rng.random(4) < 0.5) if rng.random() < 0.7 else range(4):
            depth = max(1, round(rng.uniform(0.02, 0.12) * (h, h, w, w)[side]))
            region = (np.s_[:depth], np.s_[h - depth:], np.s_[:, :depth],
                      np.s_[:, w - depth:])[side]
            image[region] = paper
    return image


def _canvas(image: np.ndarray) -> np.ndarray:
    return np.zeros(image.shape[:2], np.float32)


def crack_network(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """Alpha of a network of thin, jagged, branching cracks (craquelure of the emulsion)."""
    h, w = image.shape[:2]
    s = min(h, w)
    alpha = _canvas(image)
    start = rng.uniform((0, 0), (w, h))
    width = max(1, round(rng.uniform(0.6, 2.2) * s / 400))
    # Many short steps turning sharply: cracks run jagged, not in smooth curves.
    trunks = [walk(rng, h, w, rng.uniform(0.3, 1.2) * s, rng.uniform(0.3, 0.8), start=start,
                   steps=int(rng.integers(30, 90))) for _ in range(rng.integers(1, 4))]
    lines = list(trunks)
    for trunk in trunks:  # branches off the trunks, thinner and shorter
        for point in trunk[rng.choice(len(trunk), rng.integers(1, 8))]:
            lines.append(walk(rng, h, w, rng.uniform(0.05, 0.35) * s, rng.uniform(0.3, 0.9),
                              start=point, steps=int(rng.integers(8, 30))))
    for index, line in enumerate(lines):
        thickness = width if index < len(trunks) else max(1, width - 1)
        cv2.polylines(alpha, [np.round(line).astype(np.int32)], False, 1.0, thickness,
                      cv2.LINE_AA)
    return np.clip(alpha, 0, 1)


def fold_line(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """Alpha of a fold: a long, nearly straight crease across the print, with broken spots."""
    h, w = image.shape[:2]
    s = min(h, w)
    line = walk(rng, h, w, rng.uniform(0.8, 1.6) * max(h, w), rng.uniform(0.01, 0.05),
                start=rng.uniform((0, 0), (w, h)), steps=40)
    line = np.vstack([line[::-1], walk(rng, h, w, max(h, w), 0.02, start=line[0],
                                       angle=float(np.arctan2(*(line[0] - line[1])[::-1])),
                                       steps=30)[1:]])
    alpha = _canvas(image)
    width = max(1, round(rng.uniform(1.0, 3.5) * s / 400))
    cv2.polylines(alpha, [np.round(line).astype(np.int32)], False, 1.0, width, cv2.LINE_AA)
    broken = smooth_noise(rng, h, w, s / 20) > rng.uniform(-3.0, -0.5)  # mostly whole
    return np.clip(alpha * broken, 0, 1)


def emulsion_loss(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """Alpha of lost emulsion: torn areas at an edge or corner, or flakes inside."""
    h, w = image.shape[:2]
    s = min(h, w)
    rows = np.arange(h, dtype=np.float32)[:, None]
    cols = np.arange(w, dtype=np.float32)[None, :]
    ragged = smooth_noise(rng, h, w, s / rng.uniform(15, 60)) + \
        0.5 * smooth_noise(rng, h, w, s / rng.uniform(80, 200))
    if rng.random() < 0.6:  # from an edge or a corner, with a torn boundary
        side = rng.integers(4)
        depth = (rows, h - 1 - rows, cols, w - 1 - cols)[side]
        if rng.random() < 0.5:
            depth = np.minimum(depth, (cols, w - 1 - cols, rows, h - 1 - rows)[rng.integers(4)])
        reach = rng.uniform(0.02, 0.15) * s
        region = np.broadcast_to(depth, (h, w)) < reach * (1 + 0.6 * ragged)
        region &= smooth_noise(rng, h, w, s / 3) > rng.uniform(-1.0, 0.5)  # only in places
    else:  # flakes inside
        centre = rng.uniform((0, 0), (w, h))
        distance = np.hypot(cols - centre[0], rows - centre[1])
        region = distance < rng.uniform(0.01, 0.08) * s * (1 + 0.5 * ragged)
    return region.astype(np.float32)


def _paste_drawn(rng, image_bgr, mask, alpha, class_id, paint_rgb, blend='alpha') -> None:
    colour = np.broadcast_to(np.float32(paint_rgb)[::-1], image_bgr.shape).astype(np.uint8)
    paste_damage(rng, image_bgr, mask, colour, alpha, class_id, (0, 0), 'fixed', blend)


def _paste_from_bank(rng, image_bgr, mask, bank: DamageBank, class_id: int) -> None:
    records = bank.instances[class_id]
    colour, alpha = bank.load(records[rng.integers(len(records))])
    s = min(mask.shape)
    scale = rng.uniform(0.3, 1.2) * min(1.0, 0.8 * s / max(alpha.shape))
    colour, alpha = transform_instance(colour[..., ::-1], alpha, scale, rng.uniform(-180, 180),
                                       (bool(rng.random() < 0.5), bool(rng.random() < 0.5)))
    alpha = alpha * rng.uniform(0.6, 1.0)
    top_left = (int(rng.integers(-alpha.shape[0] // 2, mask.shape[0] - alpha.shape[0] // 2)),
                int(rng.integers(-alpha.shape[1] // 2, mask.shape[1] - alpha.shape[1] // 2)))
    if class_id == STAINING:  # stains tint the print brown
        tint = STAIN_TINTS[rng.integers(len(STAIN_TINTS))][::-1]
        colour = np.broadcast_to(tint, colour.shape).astype(np.uint8)
        paste_damage(rng, image_bgr, mask, colour, alpha * rng.uniform(0.3, 0.8), class_id,
                     top_left, 'fixed', 'multiply')
        return
    blend = ('alpha', 'multiply', 'screen')[rng.integers(3)]
    paste_damage(rng, image_bgr, mask, colour, alpha, class_id, top_left, 'contrast', blend)


def scan_finish(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """What scanning and storage add everywhere: blur, grain and JPEG, each at random."""
    if rng.random() < 0.5:
        image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.3, 1.0))
    if rng.random() < 0.7:
        grain = rng.normal(0, rng.uniform(1, 7), image.shape[:2]).astype(np.float32)
        image = image + grain[..., None]
    image = np.clip(image, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        ok, data = cv2.imencode('.jpg', image, [cv2.IMWRITE_JPEG_QUALITY,
                                                int(rng.integers(40, 96))])
        image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    return image


def make_photo_scan(rng: np.random.Generator, photo_bgr: np.ndarray, bank: Optional[DamageBank],
                    size: int = 512, clean_share: float = 0.3, fonts: Sequence[Path] = (),
                    page_share: float = 0.0,
                    clean_content_share: float = 0.0) -> Tuple[np.ndarray, np.ndarray]:
    """One synthetic scan of a damaged (or clean) photograph cut from ``photo_bgr``.

    Args:
        rng (np.random.Generator): The only source of randomness.
        photo_bgr (np.ndarray): HxWx3 uint8 BGR photograph.
        bank (DamageBank, optional): Real damage to paste; without it only drawn damage.
        size (int): Largest side of the scan. Defaults to 512.
        clean_share (float): Probability of a scan without damage. Defaults to 0.3.
        fonts (Sequence[Path]): Font files for print and lettering (:func:`find_fonts`);
            without them no page or lettering is drawn. Defaults to none.
        page_share (float): Probability of a whole page of graphic design instead of the
            photograph. Defaults to 0.
        clean_content_share (float): Probability of clean content (lettering, an inset poster,
            a hard shadow, a dark or saturated area) drawn into the photograph. Defaults to 0.

    Returns:
        tuple: HxWx3 uint8 RGB scan and HxW uint8 mask of class ids (0 where clean).
    """
    content = fit_content(rng, photo_bgr[..., ::-1], size)
    if fonts and rng.random() < page_share:
        content = graphic_page(rng, fonts, *content.shape[:2])
    elif rng.random() < clean_content_share:
        content = add_clean_content(rng, content, fonts)
    image = bright_areas(rng, old_print(rng, content))
    image_bgr = np.ascontiguousarray(np.clip(image, 0, 255)[..., ::-1]).astype(np.uint8)
    mask = np.zeros(image_bgr.shape[:2], np.uint8)
    if rng.random() >= clean_share:
        # (class, drawing, chance of one, chance that it shows the paper rather than dark)
        drawn = [(CRACKS, crack_network, 0.45, 0.8), (FOLD, fold_line, 0.25, 0.8),
                 (MATERIAL_LOSS, emulsion_loss, 0.35, 0.8), (SCRATCH, long_scratch, 0.3, 0.8),
                 (SCRATCH, frame_scratch, 0.25, 0.6), (HAIR, single_hair, 0.6, 0.3),
                 (DUST, dust_specks, 0.3, 0.5)]
        for class_id, draw, chance, bright in drawn:
            for _ in range(int(rng.random() < chance) + int(rng.random() < chance / 3)):
                paint = paper_colour(rng) if rng.random() < bright else rng.uniform(20, 70, 3)
                _paste_drawn(rng, image_bgr, mask, draw(rng, image_bgr), class_id, paint)
        held = [c for c in BANK_CLASSES if bank is not None and c in bank.instances]
        for _ in range(rng.poisson(1.5) if held else 0):
            _paste_from_bank(rng, image_bgr, mask, bank, held[rng.integers(len(held))])
    image_bgr = scan_finish(rng, image_bgr.astype(np.float32))
    return np.ascontiguousarray(image_bgr[..., ::-1]), mask


def photo_parts(photos: Sequence[Path], held_out: Tuple[float, float],
                seed: int) -> Dict[str, List[Path]]:
    """Photographs for train, val and test: each photograph feeds one part only, so no test
    scan shows content seen in training. Val and test get at least one each."""
    order = [photos[i] for i in np.random.default_rng(seed).permutation(len(photos))]
    num_val, num_test = (max(1, round(share * len(photos))) for share in held_out)
    if num_val + num_test >= len(photos):
        raise ValueError(f'{len(photos)} photographs are too few to hold some out for '
                         'validation and testing')
    return dict(val=order[:num_val], test=order[num_val:num_val + num_test],
                train=order[num_val + num_test:])


def generate_photo_scan_dataset(out_dir: Union[str, Path], content: Sequence[str],
                                bank: Optional[Union[str, Path]] = None,
                                num_images: int = 1000, size: int = 512, seed: int = 0,
                                clean_share: float = 0.3,
                                held_out: Tuple[float, float] = (0.1, 0.1),
                                split_seed: int = 0, parts: Sequence[str] = SPLIT_PARTS,
                                fonts: Sequence[str] = (), page_share: float = 0.0,
                                clean_content_share: float = 0.0,
                                progress: bool = False) -> Path:
    """Write synthetic scans of damaged photographs in the converter's layout.

    Images are JPEG (quality 95); ``content.json`` names every photograph and the part it
    fed, so the recipe says where its content came from.

    Args:
        out_dir: Output folder; created if missing.
        content: Sources of photographs (see :func:`content_images`).
        bank: Damage bank folder with real dust, dirt, hair, scratches and stains.
        num_images (int): Scans in all, shared by the parts like their photographs.
        size (int): Largest side of a scan. Defaults to 512.
        seed (int): The same seed and inputs give the same files. Defaults to 0.
        clean_share (float): Share of scans without damage. Defaults to 0.3.
        held_out (tuple): Shares of the photographs kept for val and test. Defaults to
            (0.1, 0.1).
        split_seed (int): Seed of the choice of those photographs; a dataset of another
            ``seed`` and the same ``split_seed`` tests on the same photographs. Defaults to 0.
        parts (Sequence[str]): The splits to make scans for (the others stay empty), e.g.
            ``['test']`` for more test scans. Defaults to all three.
        fonts (Sequence[str]): Sources of fonts for print and lettering (see
            :func:`~.clean_content.find_fonts`). Defaults to none.
        page_share (float): Share of scans that are whole pages of graphic design (with
            fonts). Defaults to 0.
        clean_content_share (float): Share of scans with clean print, shadows, dark or
            saturated areas drawn in. Defaults to 0.
        progress (bool): Show a progress bar. Defaults to False.

    Returns:
        Path: ``out_dir``.
    """
    photos = content_images(content)
    font_files = find_fonts(fonts)
    photos_of = photo_parts(photos, held_out, split_seed)
    damage = DamageBank(bank) if bank is not None else None
    root = Path(out_dir)
    for folder in LAYOUT_FOLDERS:
        (root / folder).mkdir(parents=True, exist_ok=True)
        remove_partial_files(root / folder)
    # Scans of each part in proportion to its photographs, each from a photograph of its part.
    rng = np.random.default_rng(seed)
    jobs = []
    wanted = sum(len(photos_of[part]) for part in parts)
    for part in parts:
        pool = photos_of[part]
        count = max(1, round(num_images * len(pool) / wanted))
        jobs += [(part, pool[i]) for i in rng.integers(len(pool), size=count)]
    rows, statistics = [], PixelStatistics()
    split_ids = {part: [] for part in SPLIT_PARTS}
    # Grouped by photograph, so each is decoded once.
    order = sorted(range(len(jobs)), key=lambda i: (str(jobs[i][1]), i))
    photo, photo_path = None, None
    for index in tqdm(order, desc='photo scans', disable=not progress):
        part, path = jobs[index]
        if path != photo_path:
            photo, photo_path = read_image_file(path), path
        sample_id = f'photo_scan_{seed}_{index:05d}'
        image, mask = make_photo_scan(np.random.default_rng([seed, index]), photo, damage, size,
                                      clean_share, font_files, page_share, clean_content_share)
        write_sample(root, sample_id, image, mask, image_suffix='.jpg')
        height, width = mask.shape
        rows.append(dict(id=sample_id, source_id=sample_id, original_id=path.stem,
                         material=MATERIAL, content=CONTENT, type='synthetic photo scan',
                         width=width, height=height, original_width=width,
                         original_height=height))
        statistics.add_mask(mask, MATERIAL, CONTENT)
        split_ids[part].append(sample_id)
    write_json_atomic(root / 'content.json', dict(
        sources=list(content), fonts=[str(f) for f in font_files], page_share=page_share,
        clean_content_share=clean_content_share, seed=seed, split_seed=split_seed,
        num_images=len(jobs),
        photos={part: [str(p) for p in pool] for part, pool in photos_of.items()}))
    finish_dataset(root, rows, statistics, seed=seed,
                   parts={part: sorted(ids) for part, ids in split_ids.items()})
    return root
