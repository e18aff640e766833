"""Offline, rare-class-balanced augmentation: augmented copies of the training images, written
into the dataset's layout so that any pipeline (and any split tool) sees them as images.

Each original image of a training split gets ``copies`` augmented copies, or ``rare_copies``
if its mask holds a rare damage class, so rare damage is seen more often without touching the
loss. Copies are named ``<source>__aug<k>``, have a metadata row whose ``source_id`` names
their source, and are put back into the splits by :func:`~.splits.write_splits`: only into
the training parts whose split holds their source, never into a validation or test part.

``augmentation.json`` (next to ``metadata.csv``) records the options and the copies; a re-run
with the same seed keeps the copies that are still planned, adds the missing ones and removes
the rest, and a run with another seed replaces them all. Copies being written are recorded
as pending first, so those of an interrupted run are made again. A dataset holds one set of
copies: augmenting another split replaces them.
"""
import glob
import json
import zlib
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple, Union

import cv2
import numpy as np
from tqdm import tqdm

from ...class_names import BACKGROUND_COLOUR, CLASSES, IGNORE_INDEX
from ...utils import write_json_atomic
from ...utils.pixel_counts import count_pixels
from ..metadata import read_metadata, write_metadata
from .layout import sample_paths, write_sample
from .splits import read_split, write_splits

AUGMENTATION_FILE = 'augmentation.json'
# Bump when augment_pair changes, so that existing copies are regenerated.
AUGMENTATION_VERSION = 1
COPY_MARK = '__aug'

SHIFT_LIMIT = 0.0625
SCALE_LIMIT = 0.1
ROTATE_LIMIT = 45.0
ELASTIC_CELLS = 8  # displacement control points along the shorter side
ELASTIC_ALPHA = 0.02  # largest displacement, as a share of the shorter side
DROPOUT_HOLES = 8
DROPOUT_SIZE = 1 / 16
BRIGHTNESS_CONTRAST_LIMIT = 0.2


def copy_id(source_id: str, index: int) -> str:
    """The id of augmented copy ``index`` of image ``source_id``."""
    return f'{source_id}{COPY_MARK}{index:02d}'


def copy_rng(seed: int, source_id: str, index: int) -> np.random.Generator:
    """The random generator of one copy: fixed by the seed, the source id and the index.

    Derived with CRC32 of the id, not Python's ``hash``, which changes between processes.
    """
    return np.random.default_rng([seed, zlib.crc32(source_id.encode('utf-8')), index])


def _warp_pair(image: np.ndarray, mask: np.ndarray,
               warp: Callable[[np.ndarray, int, Union[int, Tuple]], np.ndarray]
               ) -> Tuple[np.ndarray, np.ndarray]:
    # Pixels brought in from outside the photograph are not artefact: background colour in
    # the image, ignored in the mask. Masks are resampled nearest so no new class ids appear.
    fill = tuple(int(c) for c in BACKGROUND_COLOUR)
    return warp(image, cv2.INTER_LINEAR, fill), warp(mask, cv2.INTER_NEAREST, IGNORE_INDEX)


def _shift_scale_rotate(image: np.ndarray, mask: np.ndarray,
                        rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
    height, width = mask.shape
    angle = rng.uniform(-ROTATE_LIMIT, ROTATE_LIMIT)
    scale = rng.uniform(1 - SCALE_LIMIT, 1 + SCALE_LIMIT)
    shift_x, shift_y = rng.uniform(-SHIFT_LIMIT, SHIFT_LIMIT, 2)
    matrix = cv2.getRotationMatrix2D(((width - 1) / 2, (height - 1) / 2), angle, scale)
    matrix[:, 2] += (shift_x * width, shift_y * height)
    return _warp_pair(image, mask, lambda array, interpolation, fill: cv2.warpAffine(
        array, matrix, (width, height), flags=interpolation, borderMode=cv2.BORDER_CONSTANT,
        borderValue=fill))


def _elastic(image: np.ndarray, mask: np.ndarray,
             rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
    height, width = mask.shape
    short = min(height, width)
    # Random displacements on a coarse grid, upsampled bicubically: a smooth random field like
    # a Gaussian-filtered one, without filtering a full-size field of a large photograph.
    grid = (max(2, round(ELASTIC_CELLS * height / short)),
            max(2, round(ELASTIC_CELLS * width / short)))
    alpha = ELASTIC_ALPHA * short
    dx, dy = (cv2.resize(rng.uniform(-alpha, alpha, grid).astype(np.float32), (width, height),
                         interpolation=cv2.INTER_CUBIC) for _ in range(2))
    map_x = np.arange(width, dtype=np.float32)[None, :] + dx
    map_y = np.arange(height, dtype=np.float32)[:, None] + dy
    return _warp_pair(image, mask, lambda array, interpolation, fill: cv2.remap(
        array, map_x, map_y, interpolation, borderMode=cv2.BORDER_CONSTANT, borderValue=fill))


def _coarse_dropout(image: np.ndarray, mask: np.ndarray,
                    rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
    image, mask = image.copy(), mask.copy()
    height, width = mask.shape
    max_h, max_w = max(1, int(height * DROPOUT_SIZE)), max(1, int(width * DROPOUT_SIZE))
    for _ in range(rng.integers(1, DROPOUT_HOLES + 1)):
        hole_h, hole_w = rng.integers(1, max_h + 1), rng.integers(1, max_w + 1)
        y, x = rng.integers(0, height - hole_h + 1), rng.integers(0, width - hole_w + 1)
        image[y:y + hole_h, x:x + hole_w] = 0
        # Ignored, so the model is not taught that a black hole is some damage class.
        mask[y:y + hole_h, x:x + hole_w] = IGNORE_INDEX
    return image, mask


def _brightness_contrast(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    contrast = 1 + rng.uniform(-BRIGHTNESS_CONTRAST_LIMIT, BRIGHTNESS_CONTRAST_LIMIT)
    brightness = 255 * rng.uniform(-BRIGHTNESS_CONTRAST_LIMIT, BRIGHTNESS_CONTRAST_LIMIT)
    table = np.clip(np.rint(np.arange(256) * contrast + brightness), 0, 255).astype(np.uint8)
    return cv2.LUT(image, table)


def augment_pair(image: np.ndarray, mask: np.ndarray,
                 rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
    """One random augmentation of an image and its mask.

    Horizontal and vertical flips (p 0.5 each), shift-scale-rotate (p 0.5; shift up to
    6.25 % of the side, scale +-10 %, rotation +-45 degrees), elastic deformation (p 0.3;
    displacements up to 2 % of the shorter side), brightness/contrast (p 0.5, +-20 %) and
    coarse dropout (p 0.3; up to 8 holes of up to 1/16 of the side). Areas brought in from
    outside the image are ``BACKGROUND_COLOUR`` in the image and 255 in the mask; dropout holes
    are 0 and 255. The mask only ever holds its own values and 255.

    Args:
        image (np.ndarray): HxWx3 uint8 RGB image.
        mask (np.ndarray): HxW uint8 class ids (255 ignored).
        rng (np.random.Generator): Source of all random choices.

    Returns:
        tuple[np.ndarray, np.ndarray]: The augmented image and mask, of the input's size.
    """
    if image.shape[:2] != mask.shape:
        raise ValueError(f'image {image.shape[:2]} and mask {mask.shape} differ in size')
    for axis in (1, 0):  # horizontal, then vertical flip
        if rng.random() < 0.5:
            image, mask = np.flip(image, axis), np.flip(mask, axis)
    image, mask = np.ascontiguousarray(image), np.ascontiguousarray(mask)
    if rng.random() < 0.5:
        image, mask = _shift_scale_rotate(image, mask, rng)
    if rng.random() < 0.3:
        image, mask = _elastic(image, mask, rng)
    # After the warps, so the filled background changes with the photograph's own (no seam);
    # before the dropout, so the holes stay exactly black.
    if rng.random() < 0.5:
        image = _brightness_contrast(image, rng)
    if rng.random() < 0.3:
        image, mask = _coarse_dropout(image, mask, rng)
    return image, mask


def resolve_classes(classes: Sequence[Union[int, str]]) -> List[int]:
    """Class ids from ids or names (case-insensitive; ``'5'`` and ``'Hair'`` both give 5)."""
    by_name = {name.lower(): index for index, name in enumerate(CLASSES)}
    ids = []
    for item in classes:
        text = str(item).strip()
        if text.isdigit() and int(text) < len(CLASSES):
            ids.append(int(text))
        elif text.lower() in by_name:
            ids.append(by_name[text.lower()])
        else:
            raise ValueError(f'unknown class {item!r}; use an id 0-{len(CLASSES) - 1} or one '
                             f'of {list(CLASSES)}')
    return sorted(set(ids))


def _image_files(root: Path, sample_id: str) -> List[Path]:
    """The image files of a sample (any suffix; ``a.png`` but not ``a.b.png`` for ``a``)."""
    return [p for p in (root / 'images').glob(f'{glob.escape(sample_id)}.*')
            if p.stem == sample_id]


def _image_path(root: Path, sample_id: str) -> Path:
    matches = _image_files(root, sample_id)
    if len(matches) != 1:
        raise FileNotFoundError(f'{root}/images: expected one image of {sample_id!r}, found '
                                f'{[p.name for p in matches]}')
    return matches[0]


def _read_mask(root: Path, sample_id: str) -> np.ndarray:
    path = sample_paths(root, sample_id)['annotation']
    mask = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if mask is None or mask.ndim != 2:
        raise FileNotFoundError(f'{path}: missing, unreadable or not a single-channel mask')
    return mask


def _training_sources(root: Path, split_path: Path, rows_by_id: Dict[str, Dict]) -> List[str]:
    """The originals of a split file, checked to be images of a training part."""
    ids = read_split(split_path)
    if not ids:
        raise ValueError(f'{split_path}: empty split, nothing to augment')
    unknown = [i for i in ids if i not in rows_by_id]
    if unknown:
        raise ValueError(f'{split_path}: ids without a metadata row: {unknown[:5]}')
    sources = sorted({i for i in ids if rows_by_id[i]['source_id'] == i})
    # The training part is train.txt next to the split file (a fold's or the main one);
    # augmenting validation or test images would only ever be a mistake.
    train_path = split_path.parent / 'train.txt'
    if not train_path.is_file():
        train_path = root / 'splits' / 'train.txt'
    outside = sorted(set(sources) - set(read_split(train_path)))
    if outside:
        raise ValueError(f'{split_path}: {len(outside)} images are not in the training part '
                         f'{train_path} (e.g. {outside[:5]}); only training images are '
                         'augmented, so that no copy can leak into validation or test')
    return sources


def _rare_classes(root: Path, sources: Sequence[str],
                  rare_classes: Optional[Sequence[Union[int, str]]],
                  rare_share: float) -> Tuple[Dict[str, float], Dict[str, np.ndarray]]:
    """The rare classes with their pixel share in the sources, and each source's classes."""
    present, pixels = {}, np.zeros(len(CLASSES), np.int64)
    for source in sources:
        counts = count_pixels(_read_mask(root, source))
        present[source] = counts > 0
        pixels += counts
    share = pixels / max(int(pixels.sum()), 1)
    if rare_classes is None:
        rare = [c for c in range(len(CLASSES)) if 0 < pixels[c] and share[c] < rare_share]
    else:
        rare = resolve_classes(rare_classes)
    return {CLASSES[c]: float(share[c]) for c in rare}, present


def _read_record(root: Path) -> Dict:
    path = root / AUGMENTATION_FILE
    return json.loads(path.read_text()) if path.is_file() else {}


def _write_record(root: Path, settings: Dict, plan: Dict[str, Tuple[str, int]],
                  done: Iterable[str], pending: Iterable[str]) -> None:
    """``augmentation.json``: the options, the copies made (by their source) and those being
    made."""
    write_json_atomic(root / AUGMENTATION_FILE, dict(
        settings, copies={i: plan[i][0] for i in sorted(done)}, pending=sorted(pending)))


def _remove_copy_files(root: Path, sample_id: str) -> None:
    paths = sample_paths(root, sample_id)
    for path in (paths['annotation'], paths['annotation_rgb'], *_image_files(root, sample_id)):
        path.unlink(missing_ok=True)


def _plan_copies(sources: Sequence[str], present: Dict[str, np.ndarray], rare_ids: List[int],
                 copies: int, rare_copies: int) -> Tuple[Dict[str, Tuple[str, int]], int]:
    """Copy id -> (source id, copy index) of every copy to make, and how many sources hold a
    rare class."""
    plan, rare_sources = {}, 0
    for source in sources:
        is_rare = bool(present[source][rare_ids].any())
        rare_sources += is_rare
        for index in range(rare_copies if is_rare else copies):
            plan[copy_id(source, index)] = (source, index)
    return plan, rare_sources


def _reusable_copies(root: Path, rows: List[Dict], plan: Dict[str, Tuple[str, int]],
                     seed: int) -> Tuple[Set[str], Set[str]]:
    """The planned copies already in the dataset that can stay, and every copy it held.

    A copy stays if the record vouches for it (made with this seed and these augmentations;
    copies of an interrupted run are only ever 'pending', so they are made again) and its
    metadata row, image and annotation are there.
    """
    record = _read_record(root)
    same_pixels = (record.get('seed'), record.get('version')) == (seed, AUGMENTATION_VERSION)
    valid = set(record.get('copies', {})) if same_pixels else set()
    listed = {row['id'] for row in rows}
    old_copies = {row['id'] for row in rows if row['source_id'] != row['id']}
    old_copies |= set(record.get('copies', {})) | set(record.get('pending', []))
    kept = {i for i in plan if i in valid and i in listed and _image_files(root, i)
            and sample_paths(root, i)['annotation'].is_file()}
    return kept, old_copies


def _write_copies(root: Path, plan: Dict[str, Tuple[str, int]], to_write: Sequence[str],
                  seed: int, progress: bool) -> None:
    """Augment each copy's source and write it in the source's image format."""
    for sample_id in tqdm(to_write, desc='augmenting', disable=not progress):
        source, index = plan[sample_id]
        source_image = _image_path(root, source)
        image = cv2.cvtColor(cv2.imread(str(source_image), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
        image, mask = augment_pair(image, _read_mask(root, source),
                                   copy_rng(seed, source, index))
        write_sample(root, sample_id, image, mask, image_suffix=source_image.suffix)


def _resplit(root: Path, rows: List[Dict], plan: Dict[str, Tuple[str, int]],
             kept: Set[str], to_write: Sequence[str]) -> None:
    """Rewrite ``metadata.csv`` and every split with the originals and the planned copies
    (a new copy's row is its source's, under its own id), with the seed and ratios of
    ``splits/splits.json``."""
    rows_by_id = {row['id']: row for row in rows}
    originals = [row for row in rows if row['source_id'] == row['id']]
    new_rows = originals + [rows_by_id[i] for i in kept] + [
        dict(rows_by_id[plan[i][0]], id=i, source_id=plan[i][0]) for i in to_write]
    new_rows.sort(key=lambda row: row['id'])
    manifest = json.loads((root / 'splits' / 'splits.json').read_text())
    write_splits(root, new_rows, manifest['ratios'], manifest['seed'])
    write_metadata(root, new_rows)


def augment_dataset(root: Union[str, Path], split: str = 'splits/train.txt', copies: int = 2,
                    rare_copies: int = 6,
                    rare_classes: Optional[Sequence[Union[int, str]]] = None,
                    rare_share: float = 0.01, seed: int = 0, progress: bool = True) -> Dict:
    """Write augmented copies of the training images of a dataset and re-split it.

    Every original image of ``split`` gets ``copies`` copies made with :func:`augment_pair`,
    or ``rare_copies`` if its mask holds a rare class. Copies get metadata rows (``source_id``
    the source; material, content and type the source's), ``metadata.csv`` is rewritten and
    every split is regenerated with the seed and ratios of ``splits/splits.json``: the
    originals keep their parts and each copy joins the training parts that hold its source.
    ``statistics.json`` and ``class_weights.json`` are left as they are: they describe the
    original images.

    Args:
        root: The dataset folder (see ``layout.py``).
        split (str): Split file of the images to augment, relative to ``root``; it must be a
            training part (or a subset of the ``train.txt`` beside it).
            Defaults to ``'splits/train.txt'``.
        copies (int): Copies of an image without rare classes. Defaults to 2.
        rare_copies (int): Copies of an image holding a rare class. Defaults to 6.
        rare_classes (list, optional): Rare class ids or names. Defaults to the classes
            present in the split whose share of its labelled pixels is below ``rare_share``.
        rare_share (float): Pixel share below which a class is rare, when ``rare_classes``
            is not given. Defaults to 0.01.
        seed (int): Seed of the augmentations; each copy depends only on it, its source and
            its index. Defaults to 0.
        progress (bool): Show a progress bar. Defaults to True.

    Returns:
        dict: Summary: ``sources``, ``rare_sources``, ``copies`` (planned), ``written``,
        ``kept``, ``removed``, ``rare_classes`` (name -> pixel share in the split) and
        ``rare_rule``.
    """
    if copies < 0 or rare_copies < 0:
        raise ValueError(f'copies must be non-negative, got {copies} and {rare_copies}')
    root = Path(root)
    rows = read_metadata(root)
    sources = _training_sources(root, root / split, {row['id']: row for row in rows})
    rare, present = _rare_classes(root, sources, rare_classes, rare_share)
    plan, rare_sources = _plan_copies(sources, present, [CLASSES.index(name) for name in rare],
                                      copies, rare_copies)
    kept, old_copies = _reusable_copies(root, rows, plan, seed)
    to_write = sorted(set(plan) - kept)
    rare_rule = ('given' if rare_classes is not None else
                 f'pixel share in {split} below {rare_share}')
    settings = dict(version=AUGMENTATION_VERSION, seed=seed, split=split,
                    copies_per_image=copies, rare_copies_per_image=rare_copies,
                    rare_share=rare_share, rare_rule=rare_rule, rare_classes=rare)
    if to_write:  # pending first: the copies of an interrupted run are made again
        _write_record(root, settings, plan, kept, to_write)
    _write_copies(root, plan, to_write, seed, progress)
    _resplit(root, rows, plan, kept, to_write)
    # Files go only once no metadata row or split names them any more.
    removed = sorted(old_copies - set(plan))
    for sample_id in removed:
        _remove_copy_files(root, sample_id)
    _write_record(root, settings, plan, plan, [])
    return dict(sources=len(sources), rare_sources=rare_sources, copies=len(plan),
                written=len(to_write), kept=len(kept), removed=len(removed),
                rare_classes=rare, rare_rule=rare_rule)
