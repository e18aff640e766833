"""The on-disk layout of a converted ARTeFACT dataset, shared by the converter and the
synthetic generator::

    images/<id>.png|.jpg         RGB photographs
    annotations/<id>.png         uint8 class ids 0-15, 255 = background (ignored)
    annotations_rgb/<id>.png     the masks in the ARTeFACT palette, for people to look at
    metadata.csv                 one row per image (see ``datasets/metadata.py``)
    statistics.json              pixel and image counts (see ``statistics.py``)
    class_weights.json           loss weights (see ``class_weights.py``)
    splits/                      train / val / test and the folds (see ``splits.py``)

Every file is written atomically; the metadata and everything derived from it come last, so a
dataset whose ``metadata.csv`` exists is complete.
"""
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Union

import numpy as np

from ...class_names import colourise
from ...utils import write_image_atomic, write_json_atomic
from ...utils.class_weights_file import CLASS_WEIGHTS_FILE
from ..metadata import write_metadata
from .class_weights import class_weights_record
from .splits import DEFAULT_RATIOS, write_splits
from .statistics import STATISTICS_FILE, PixelStatistics

LAYOUT_FOLDERS = ('images', 'annotations', 'annotations_rgb')


def sample_paths(root: Union[str, Path], sample_id: str, image_suffix: str = '.png') -> Dict:
    """Where one sample's files go: ``{'image': ..., 'annotation': ..., 'annotation_rgb': ...}``."""
    root = Path(root)
    return dict(image=root / 'images' / f'{sample_id}{image_suffix}',
                annotation=root / 'annotations' / f'{sample_id}.png',
                annotation_rgb=root / 'annotations_rgb' / f'{sample_id}.png')


def write_sample(root: Union[str, Path], sample_id: str, image: np.ndarray, mask: np.ndarray,
                 image_suffix: str = '.png', jpeg_quality: int = 95) -> None:
    """Write one image (RGB), its mask and the mask's palette rendering, each atomically."""
    paths = sample_paths(root, sample_id, image_suffix)
    write_image_atomic(paths['image'], image, jpeg_quality=jpeg_quality)
    write_image_atomic(paths['annotation_rgb'], colourise(mask))
    write_image_atomic(paths['annotation'], mask)


def finish_dataset(root: Union[str, Path], rows: Sequence[Dict], statistics: PixelStatistics,
                   ratios: Sequence[float] = DEFAULT_RATIOS, seed: int = 0,
                   parts: Optional[Dict[str, List[str]]] = None) -> None:
    """Write the splits (``parts`` as given, else stratified), statistics, class weights and
    finally the metadata of a dataset."""
    rows = sorted(rows, key=lambda row: row['id'])
    write_splits(root, rows, ratios, seed, parts)
    write_json_atomic(Path(root) / STATISTICS_FILE, statistics.to_dict())
    if statistics.pixels.sum() > 0:
        write_json_atomic(Path(root) / CLASS_WEIGHTS_FILE, class_weights_record(statistics.pixels))
    write_metadata(root, rows)
