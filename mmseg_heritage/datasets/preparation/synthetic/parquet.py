"""Synthetic parquet shards in the Hugging Face schema of ARTeFACT
(``danielaivanova/damaged-media``), so the converter is tested and benchmarked offline.

Each image column is a struct ``{bytes, path}``, as the ``datasets`` ``Image`` feature stores
it; the schema carries the ``huggingface`` feature metadata, so ``datasets`` reads the shards
like the real ones.
"""
import io
import json
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image

from ....class_names import CLASSES, colourise
from ....utils import atomic_path
from ....utils.pixel_counts import count_pixels
from .dataset import sample_seed, synthetic_id
from .sample import make_sample

# The columns of the current revision; older revisions have only the first six.
ARTEFACT_COLUMNS = ('id', 'image', 'annotation', 'annotation_rgb', 'material', 'content',
                    'type', 'damage_description', 'llava_description', 'verified_description')
OLD_ARTEFACT_COLUMNS = ARTEFACT_COLUMNS[:6]
IMAGE_COLUMNS = ('image', 'annotation', 'annotation_rgb')
IMAGE_CELL_TYPE = pa.struct([('bytes', pa.binary()), ('path', pa.string())])


def encode_image_cell(image: Union[np.ndarray, Image.Image], format: str = 'PNG',
                      path: Optional[str] = None) -> Dict:
    """Encode an image as a cell of an ``Image`` column: ``{'bytes': ..., 'path': ...}``.

    Args:
        image: An array (HxW or HxWx3/4, uint8 or uint16) or a PIL image, stored in its mode.
        format (str): ``'PNG'`` or ``'JPEG'`` (quality 95). Defaults to ``'PNG'``.
        path (str, optional): The file name the cell records. Defaults to None.

    Returns:
        dict: The encoded bytes and the path.
    """
    if isinstance(image, np.ndarray):
        image = Image.fromarray(image)
    buffer = io.BytesIO()
    image.save(buffer, format=format, **({'quality': 95} if format == 'JPEG' else {}))
    return {'bytes': buffer.getvalue(), 'path': path}


def _schema(columns: Sequence[str]) -> pa.Schema:
    features = {name: {'_type': 'Image'} if name in IMAGE_COLUMNS else
                {'dtype': 'string', '_type': 'Value'} for name in columns}
    return pa.schema(
        [(name, IMAGE_CELL_TYPE if name in IMAGE_COLUMNS else pa.string()) for name in columns],
        metadata={'huggingface': json.dumps({'info': {'features': features}})})


def write_parquet_shard(path: Union[str, Path], rows: List[Dict], row_group_size: int) -> Path:
    """Write rows as one parquet shard, atomically.

    Args:
        path: The shard to write; its folder is created if missing.
        rows (list[dict]): Rows with the same keys, in the order of the columns; image
            columns hold cells from :func:`encode_image_cell`, the others strings.
        row_group_size (int): Rows per row group (the unit a reader decompresses at once).

    Returns:
        Path: ``path``.
    """
    if not rows:
        raise ValueError(f'{path}: no rows to write')
    table = pa.Table.from_pylist(rows, schema=_schema(list(rows[0])))
    with atomic_path(path) as partial:
        pq.write_table(table, partial, row_group_size=row_group_size)
    return Path(path)


def _synthetic_row(seed: int, index: int, size: Union[int, Tuple[int, int]],
                   columns: Sequence[str]) -> Dict:
    sample_id = synthetic_id(seed, index)
    image, mask, material, content = make_sample(sample_seed(seed, index), size)
    damage = [name for name, n in zip(CLASSES[1:], count_pixels(mask)[1:]) if n]
    description = f'{material} ({content.lower()}) with {", ".join(damage) or "no damage"}.'
    row = dict(id=sample_id,
               image=encode_image_cell(image, 'JPEG', f'{sample_id}.jpg'),
               annotation=encode_image_cell(mask, 'PNG', f'{sample_id}.png'),
               annotation_rgb=encode_image_cell(colourise(mask), 'PNG', f'{sample_id}_rgb.png'),
               material=material, content=content, type='synthetic',
               damage_description=description, llava_description=description,
               verified_description=description)
    return {name: row[name] for name in columns}


def write_synthetic_parquet(out_dir: Union[str, Path], num_images: int, num_shards: int = 2,
                            size: Union[int, Tuple[int, int]] = 160, seed: int = 0,
                            row_group_size: int = 4,
                            columns: Optional[Sequence[str]] = None) -> List[Path]:
    """Write synthetic artefacts as ``<out_dir>/data/train-000NN-of-000MM.parquet``.

    Images are JPEG and masks single-channel PNG, as in the real dataset.

    Args:
        out_dir: Folder to write ``data/`` into.
        num_images (int): Number of rows over all shards.
        num_shards (int): Number of shards; rows are spread evenly. Defaults to 2.
        size: Image side, or (height, width). Defaults to 160.
        seed (int): Seed of the images; ids are those of the synthetic dataset with this
            seed. Defaults to 0.
        row_group_size (int): Rows per row group. Defaults to 4.
        columns (list[str], optional): Columns to write, e.g. ``OLD_ARTEFACT_COLUMNS`` for
            the older six-column revision. Defaults to all of ``ARTEFACT_COLUMNS``.

    Returns:
        list[Path]: The shards written.
    """
    if not 1 <= num_shards <= num_images:
        raise ValueError(f'need 1 <= num_shards <= num_images, got {num_shards} shards for '
                         f'{num_images} images')
    columns = tuple(columns or ARTEFACT_COLUMNS)
    shards = []
    for shard, indices in enumerate(np.array_split(np.arange(num_images), num_shards)):
        rows = [_synthetic_row(seed, int(i), size, columns) for i in indices]
        path = Path(out_dir) / 'data' / f'train-{shard:05d}-of-{num_shards:05d}.parquet'
        shards.append(write_parquet_shard(path, rows, row_group_size))
    return shards

