"""Building a damage bank (see ``datasets/damage_bank.py``) from annotated images and cut-outs.

Two sources, both optional:

- **A converted dataset's training split**: every connected region (8-connected) of each chosen
  class in the masks of ``splits/train.txt``, with the image's pixels under it. Validation and
  test images never feed the bank, and a training id that also sits in ``val.txt`` or
  ``test.txt`` is refused.
- **Folders of RGBA cut-outs** (e.g. the real film damage the ARTeFACT authors extracted): one
  sub-folder per kind of damage, mapped to an ARTeFACT class by ``folder_classes``. Damage is
  in the alpha channel; a single-channel image is taken as the alpha of white damage. Each
  cut-out becomes one instance, cropped to its alpha.

The result depends only on the inputs (files are visited in sorted order), and is written to a
temporary folder that replaces ``out_dir`` only when complete.
"""
import itertools
import shutil
from collections import Counter
from pathlib import Path
from typing import Dict, Iterator, Mapping, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

from ...class_names import CLASSES
from ...utils import write_image_atomic, write_json_atomic
from ..damage_bank import BANK_INDEX, BANK_VERSION
from ..image_decoding import ImageFileError, read_file, read_image_file, read_mask_file
from ..metadata import slug
from .splits import read_split

# How the kinds of real film damage of ARTeFACT's cut-outs (resources/real_damage/) map to
# its classes: specks and small blobs are Dust, smears and scattered grime Dirt, fibres Hair.
DEFAULT_FOLDER_CLASSES = {
    'dirt': 'Dirt', 'smut': 'Dirt',
    'dots': 'Dust', 'spots': 'Dust', 'sprinkles': 'Dust',
    'hair': 'Hair', 'hair-short': 'Hair', 'lint': 'Hair',
    'scratches': 'Scratch',
    'stain': 'Staining',
}
IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.tif', '.tiff', '.bmp', '.webp')
PathLike = Union[str, Path]


def class_id(name: str) -> int:
    """The id of a damage class named as in ``CLASSES`` (case-insensitive)."""
    for index, known in enumerate(CLASSES):
        if known.lower() == str(name).lower() and index > 0:
            return index
    raise ValueError(f'{name!r} is not a damage class; choose from {", ".join(CLASSES[1:])}')


def _instance(rgb: np.ndarray, alpha: np.ndarray) -> Optional[Tuple[np.ndarray, list]]:
    """RGBA cropped to where alpha > 0 and that box ([top, left, height, width] in the
    source), or None if there is no such pixel."""
    rows, cols = np.nonzero(alpha)
    if not rows.size:
        return None
    top, left = int(rows.min()), int(cols.min())
    height, width = int(rows.max()) + 1 - top, int(cols.max()) + 1 - left
    box = slice(top, top + height), slice(left, left + width)
    return np.dstack([rgb[box], alpha[box]]), [top, left, height, width]


def dataset_instances(data_root: PathLike, classes: Sequence[int],
                      min_pixels: int = 4) -> Iterator[dict]:
    """Connected regions of ``classes`` in the training split of a converted dataset.

    Yields:
        dict: ``class_id``, ``source`` (the sample id), ``kind`` and the RGBA ``pixels``.

    Raises:
        FileNotFoundError: The dataset has no ``splits/train.txt``.
        ValueError: A training id is also listed for validation or testing.
    """
    root = Path(data_root)
    train = read_split(root / 'splits/train.txt')
    held_out = set()
    for part in ('val', 'test'):
        if (root / f'splits/{part}.txt').is_file():
            held_out.update(read_split(root / f'splits/{part}.txt'))
    leaked = sorted(held_out.intersection(train))
    if leaked:
        raise ValueError(f'{root / "splits/train.txt"}: {leaked[:3]} also in val or test; '
                         'a bank built from them would leak into the evaluation')
    for sample_id in sorted(train):
        mask = read_mask_file(root / 'annotations' / f'{sample_id}.png')
        image = None
        for class_index in classes:
            count, labels, stats, _ = cv2.connectedComponentsWithStats(
                (mask == class_index).astype(np.uint8), connectivity=8)
            for component in range(1, count):
                if stats[component, cv2.CC_STAT_AREA] < min_pixels:
                    continue
                if image is None:
                    image = _find_image(root, sample_id)[..., ::-1]
                alpha = np.where(labels == component, 255, 0).astype(np.uint8)
                pixels, box = _instance(image, alpha)
                yield dict(class_id=int(class_index), source=sample_id, kind='dataset',
                           pixels=pixels, box=box)


def _find_image(root: Path, sample_id: str) -> np.ndarray:
    for suffix in IMAGE_SUFFIXES:
        path = root / 'images' / f'{sample_id}{suffix}'
        if path.is_file():
            return read_image_file(path)
    raise FileNotFoundError(f'{root / "images"}: no image of {sample_id!r}')


def read_cutout(path: PathLike) -> np.ndarray:
    """An RGBA cut-out as HxWx4 uint8 RGBA; a single-channel image is the alpha of white.

    Raises:
        ImageFileError: The file is empty or not an image, or has no alpha channel.
    """
    data = np.frombuffer(read_file(path, 'cut-out'), np.uint8)
    pixels = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if pixels is None:
        raise ImageFileError(f'{path}: the cut-out could not be decoded')
    if pixels.dtype != np.uint8:
        raise ImageFileError(f'{path}: the cut-out is {pixels.dtype}, expected 8 bits')
    if pixels.ndim == 2:
        return np.dstack([np.full(pixels.shape + (3, ), 255, np.uint8), pixels])
    if pixels.shape[2] == 4:
        return np.dstack([pixels[..., 2::-1], pixels[..., 3]])
    raise ImageFileError(f'{path}: the cut-out has no alpha channel (damage is read from '
                         'the alpha of an RGBA image, or from a single-channel image)')


def cutout_instances(folder: PathLike,
                     folder_classes: Mapping[str, str] = DEFAULT_FOLDER_CLASSES
                     ) -> Iterator[dict]:
    """One instance per cut-out in the sub-folders of ``folder``, classed by sub-folder name.

    The folder is checked at once; the cut-outs are read as the instances are taken.

    Raises:
        FileNotFoundError: ``folder`` does not exist.
        ValueError: A sub-folder holding images has no class in ``folder_classes``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f'{folder}: no folder of cut-outs here')
    kinds = {}
    for kind in sorted(p for p in folder.iterdir() if p.is_dir()):
        files = sorted(p for p in kind.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if files and kind.name not in folder_classes:  # checked before anything is read
            raise ValueError(f'{kind}: no ARTeFACT class for cut-outs of {kind.name!r}; '
                             f'map it, e.g. --folder-class {kind.name}=Dust (known: '
                             f'{", ".join(sorted(folder_classes))})')
        if files:
            kinds[kind.name] = files

    def instances() -> Iterator[dict]:
        for name, files in kinds.items():
            class_index = class_id(folder_classes[name])
            for path in files:
                rgba = read_cutout(path)
                found = _instance(rgba[..., :3], rgba[..., 3])
                if found is not None:
                    yield dict(class_id=class_index, kind='cutout', pixels=found[0],
                               box=found[1], source=str(path.relative_to(folder)))

    return instances()


def build_damage_bank(out_dir: PathLike, data_root: Optional[PathLike] = None,
                      classes: Sequence[str] = ('Dust', 'Scratch', 'Hair', 'Dirt', 'Cracks'),
                      cutout_dirs: Sequence[PathLike] = (),
                      folder_classes: Mapping[str, str] = DEFAULT_FOLDER_CLASSES,
                      min_pixels: int = 4) -> Dict:
    """Write a damage bank of the training split's ``classes`` and the cut-outs.

    Args:
        out_dir: The bank folder; an earlier bank there is replaced once the new one is done.
        data_root: A converted dataset whose training split gives instances. Defaults to None.
        classes: Damage classes to take from the dataset. Defaults to the thin and small ones.
        cutout_dirs: Folders with one sub-folder of RGBA cut-outs per kind of damage.
        folder_classes: Class of each sub-folder name. Defaults to ``DEFAULT_FOLDER_CLASSES``.
        min_pixels (int): Smaller dataset regions are left out. Defaults to 4.

    Returns:
        dict: The index written to ``index.json``.

    Raises:
        ValueError: Nothing to build from, an unknown class, or no instance found.
    """
    if data_root is None and not cutout_dirs:
        raise ValueError('give a dataset (data_root) or folders of cut-outs, or both')
    class_ids = [class_id(c) for c in classes]
    records, sources = [], []
    if data_root is not None:
        records.append(dataset_instances(data_root, class_ids, min_pixels))
        sources.append(dict(kind='dataset', path=str(data_root), split='train',
                            classes=[CLASSES[i] for i in class_ids]))
    for folder in cutout_dirs:
        records.append(cutout_instances(folder, folder_classes))
        sources.append(dict(kind='cutout', path=str(folder), folder_classes=dict(folder_classes)))

    out_dir = Path(out_dir)
    partial = out_dir.with_name(f'.{out_dir.name}.partial')
    shutil.rmtree(partial, ignore_errors=True)
    numbers = Counter()
    instances = []
    try:
        for record in itertools.chain.from_iterable(records):
            name = CLASSES[record['class_id']]
            numbers[name] += 1
            file = f'instances/{slug(name)}/{numbers[name]:05d}.png'
            pixels = record['pixels']
            write_image_atomic(partial / file, pixels[..., [2, 1, 0, 3]], rgb=False)
            instances.append(dict(file=file, class_id=record['class_id'], class_name=name,
                                  source=record['source'], kind=record['kind'],
                                  box=record['box'], size=list(pixels.shape[:2]),
                                  pixels=int(np.count_nonzero(pixels[..., 3]))))
        if not instances:
            raise ValueError(f'no damage instance found in {[s["path"] for s in sources]}')
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    index = dict(version=BANK_VERSION, sources=sources,
                 classes={CLASSES[i]: numbers[CLASSES[i]] for i in range(1, len(CLASSES))
                          if numbers[CLASSES[i]]},
                 instances=instances)
    write_json_atomic(partial / BANK_INDEX, index)
    # The old bank goes only once the new one is complete.
    if out_dir.exists():
        retired = out_dir.with_name(f'.{out_dir.name}.old')
        shutil.rmtree(retired, ignore_errors=True)
        out_dir.rename(retired)
        partial.rename(out_dir)
        shutil.rmtree(retired)
    else:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        partial.rename(out_dir)
    return index
