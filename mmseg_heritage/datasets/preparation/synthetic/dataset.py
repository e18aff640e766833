"""Write a synthetic ARTeFACT-like dataset in the converter's layout (see ``layout.py``)."""
from pathlib import Path
from typing import Sequence, Tuple, Union

from tqdm import tqdm

from ....utils import remove_partial_files
from ..layout import LAYOUT_FOLDERS, finish_dataset, write_sample
from ..splits import DEFAULT_RATIOS
from ..statistics import PixelStatistics
from .sample import make_sample


def synthetic_id(seed: int, index: int) -> str:
    """The id of image ``index`` of the dataset generated with ``seed``."""
    return f'synthetic_{seed}_{index:05d}'


def sample_seed(seed: int, index: int) -> int:
    """The ``make_sample`` seed of image ``index`` of the dataset generated with ``seed``."""
    return seed * 1_000_003 + index


def generate_synthetic_dataset(out_dir: Union[str, Path], num_images: int = 80,
                               size: Union[int, Tuple[int, int]] = 160, seed: int = 0,
                               ratios: Sequence[float] = DEFAULT_RATIOS,
                               progress: bool = False) -> Path:
    """Generate ``num_images`` synthetic artefacts with everything the converter writes.

    Images, masks, palette renderings, ``metadata.csv``, ``statistics.json``,
    ``class_weights.json`` and the splits (stratified train / val / test, leave one material
    out, leave one content type out).

    Args:
        out_dir: Output folder; created if missing.
        num_images (int): Number of images. Defaults to 80.
        size: Image side, or (height, width). Defaults to 160.
        seed (int): Seed of the whole dataset; the same seed gives the same files.
            Defaults to 0.
        ratios: Train, val and test shares of the stratified split.
            Defaults to (0.7, 0.15, 0.15).
        progress (bool): Show a progress bar. Defaults to False.

    Returns:
        Path: ``out_dir``.
    """
    if num_images < 1:
        raise ValueError(f'num_images must be at least 1, got {num_images}')
    root = Path(out_dir)
    for folder in LAYOUT_FOLDERS:
        (root / folder).mkdir(parents=True, exist_ok=True)
        remove_partial_files(root / folder)
    rows, statistics = [], PixelStatistics()
    for index in tqdm(range(num_images), desc='synthetic images', disable=not progress):
        sample_id = synthetic_id(seed, index)
        image, mask, material, content = make_sample(sample_seed(seed, index), size)
        write_sample(root, sample_id, image, mask)
        height, width = mask.shape
        rows.append(dict(id=sample_id, source_id=sample_id, original_id=sample_id,
                         material=material, content=content, type='synthetic', width=width,
                         height=height, original_width=width, original_height=height))
        statistics.add_mask(mask, material, content)
    finish_dataset(root, rows, statistics, ratios, seed)
    return root
