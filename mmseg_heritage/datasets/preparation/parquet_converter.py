"""Convert ARTeFACT's Hugging Face parquet shards into the layout ``ArtefactDataset`` reads
(see ``layout.py``).

The real shards hold 418 photographs of up to 133 MP in 28 files (4.1 GB), so the converter
streams: it reads one row group at a time and decodes one row at a time, so memory holds one
row group's encoded bytes and one decoded image. Rows that cannot be converted (undecodable
bytes, a mask of the wrong size, unknown class values, ...) are reported and skipped, and the
rest converts.

Interrupting it at any moment is safe: every file is written atomically, and once a sample's
files are in place a line with its metadata and pixel counts is appended (and fsynced) to
``conversion_log.jsonl``. A re-run into the same folder keeps the samples listed there, converts
the others, and ends with the same files as an uninterrupted run.
"""
import csv
import io
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image, ImageOps
from tqdm import tqdm

from ...utils import remove_partial_files, write_text_atomic
from ...utils.pixel_counts import class_and_background_pixels
from ..image_decoding import (MAX_PIXELS, QUARTER_TURN_ORIENTATIONS, SIXTEEN_BIT_MODES,
                             ImageFileError, decode_mask, decoding, exif_orientation,
                             mask_fits_displayed, pixel_limit)
from ..metadata import sanitise_id
from .layout import finish_dataset, sample_paths, write_sample
from .splits import DEFAULT_RATIOS
from .statistics import PixelStatistics

logger = logging.getLogger(__name__)

ARTEFACT_REPO = 'danielaivanova/damaged-media'
REQUIRED_COLUMNS = ('id', 'image', 'annotation')
OPTIONAL_COLUMNS = ('material', 'content', 'type')  # older revisions have no ``type``
JOURNAL_FILE = 'conversion_log.jsonl'
BAD_ROWS_FILE = 'bad_rows.csv'
IMAGE_SUFFIXES = {'png': '.png', 'jpg': '.jpg'}


class BadRow(NamedTuple):
    """A row the converter skipped: its id, shard (relative to the source), index in the
    shard and the reason."""
    id: str
    shard: str
    row: int
    reason: str


@dataclass
class ConversionReport:
    """What one run of :func:`convert_artefact_parquet` did.

    Args:
        out_dir (Path): The converted dataset.
        converted (list[str]): Ids written by this run.
        kept (list[str]): Ids an earlier run into the same folder had finished, left as they
            were.
        bad_rows (list[BadRow]): Rows skipped, with the reasons.
    """
    out_dir: Path
    converted: List[str] = field(default_factory=list)
    kept: List[str] = field(default_factory=list)
    bad_rows: List[BadRow] = field(default_factory=list)


class _BadRowError(Exception):
    """A row that cannot be converted; the message is the reason."""


class _Journal:
    """``conversion_log.jsonl``: the options that shape the output, then one line per
    finished sample (metadata row and pixel counts), each flushed and fsynced."""

    def __init__(self, path: Path, options: Dict) -> None:
        self.path = path
        self.entries: Dict[str, Dict] = {}  # id -> the latest line about it
        lines = self._complete_lines()
        try:
            recorded = json.loads(lines[0])['options'] if lines else options
            for entry in map(json.loads, lines[1:]):
                self.entries[entry['row']['id']] = entry
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise ValueError(f'{path} is damaged ({error!r}): convert into a new output '
                             'folder') from None
        if recorded != options:
            raise ValueError(f'{path.parent} was converted with {recorded}, but this run asks '
                             f'for {options}: convert into a new output folder')
        self.file = open(path, 'a', encoding='utf-8')
        if not lines:
            self._append({'options': options})

    def _complete_lines(self) -> List[str]:
        if not self.path.is_file():
            return []
        data = self.path.read_bytes()
        complete = data[:data.rfind(b'\n') + 1]
        if len(complete) < len(data):  # killed while writing a line: drop the partial line
            os.truncate(self.path, len(complete))
        return complete.decode('utf-8').splitlines()

    def _append(self, record: Dict) -> None:
        self.file.write(json.dumps(record) + '\n')
        self.file.flush()
        os.fsync(self.file.fileno())

    def add(self, entry: Dict) -> None:
        """Record a sample whose files are all in place."""
        self._append(entry)
        self.entries[entry['row']['id']] = entry

    def __enter__(self) -> '_Journal':
        return self

    def __exit__(self, *exc_info) -> None:
        self.file.close()


def find_shards(source: Union[str, Path]) -> List[Path]:
    """The parquet shards of ``source``: the file itself, or the ``*.parquet`` files under a
    folder (recursively, sorted; hidden paths, which hold partial downloads and writes, are
    skipped).

    Raises:
        FileNotFoundError: If ``source`` does not exist or holds no shard.
    """
    source = Path(source)
    if source.is_file():
        return [source]
    if not source.is_dir():
        raise FileNotFoundError(f'{source}: no such file or folder')
    shards = sorted(path for path in source.rglob('*.parquet')
                    if not any(part.startswith('.') for part in path.relative_to(source).parts))
    if not shards:
        raise FileNotFoundError(f'{source}: no *.parquet files found (pass the folder of the '
                                'ARTeFACT shards, or --download to fetch them)')
    return shards


def _open_shard(path: Path) -> Tuple[pq.ParquetFile, List[str]]:
    """Open a shard (reads only its footer) and pick the columns the converter reads."""
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as error:
        raise ValueError(f'{path}: not a readable parquet file ({error})') from None
    names = parquet.schema_arrow.names
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise ValueError(f'{path}: no column {", ".join(missing)}; ARTeFACT shards have '
                         f'{", ".join(REQUIRED_COLUMNS)} (this one has {", ".join(names)})')
    return parquet, [name for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS if name in names]


def _iter_rows(source: Path, shards: List[Tuple[Path, pq.ParquetFile, List[str]]]
               ) -> Iterator[Tuple[str, int, Dict]]:
    """(shard relative to ``source``, index in the shard, row) of every row, with one row
    group in memory at a time."""
    for shard, parquet, columns in shards:
        name = str(shard.relative_to(source)) if source.is_dir() else shard.name
        index = 0
        for group in range(parquet.num_row_groups):
            table = parquet.read_row_group(group, columns=columns)
            for j in range(table.num_rows):
                yield name, index, table.slice(j, 1).to_pylist()[0]
                index += 1


def _cell_bytes(row: Dict, column: str) -> bytes:
    cell = row.get(column)
    data = cell.get('bytes') if isinstance(cell, dict) else None
    if not data:
        raise _BadRowError(f'{column} has no image bytes')
    return data


def _output_size(size: Tuple[int, int], max_long_side: Optional[int]) -> Tuple[int, int]:
    """(width, height) scaled so that the long side is at most ``max_long_side``."""
    width, height = size
    if max_long_side is None or max(size) <= max_long_side:
        return size
    scale = max_long_side / max(size)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _to_rgb(image: Image.Image) -> np.ndarray:
    """uint8 RGB pixels of any Pillow mode: alpha dropped, grey replicated, 16-bit scaled."""
    if image.mode in SIXTEEN_BIT_MODES:
        # Scaled from the 16-bit range rather than clipped, which would saturate most pixels.
        grey = np.asarray(image).astype(np.float32)
        grey = np.rint(np.clip(grey, 0, 65535) / 257).astype(np.uint8)
        return np.repeat(grey[..., None], 3, axis=2)
    return np.asarray(image if image.mode == 'RGB' else image.convert('RGB'))


def _decode_image(data: bytes, mask_size: Tuple[int, int],
                  out_size: Tuple[int, int]) -> np.ndarray:
    """The image as uint8 RGB of ``out_size`` (width, height), in the orientation of its
    mask (of ``mask_size``)."""
    with decoding('image'):
        image = Image.open(io.BytesIO(data))
        orientation = exif_orientation(image)
    quarter_turn = orientation in QUARTER_TURN_ORIENTATIONS
    # A mask drawn on the stored pixels keeps them as stored (see image_decoding.py).
    transpose = mask_fits_displayed(orientation, image.size, mask_size) and orientation != 1
    with decoding('image'):
        if out_size != mask_size:
            # JPEG decodes at 1/2, 1/4 or 1/8 scale (never below the size asked for): far
            # faster and smaller than decoding the full image and shrinking it.
            image.draft(None, out_size[::-1] if transpose and quarter_turn else out_size)
        image.load()
        if transpose:
            image = ImageOps.exif_transpose(image)
        rgb = _to_rgb(image)
    if rgb.shape[1::-1] != out_size:
        rgb = cv2.resize(rgb, out_size, interpolation=cv2.INTER_AREA)
    return rgb


def _decode_row(row: Dict, max_long_side: Optional[int]
                ) -> Tuple[np.ndarray, np.ndarray, Tuple[int, int]]:
    """Image, mask (both resized to ``max_long_side``) and the original (width, height)."""
    mask = decode_mask(_cell_bytes(row, 'annotation'))
    size = mask.shape[::-1]
    out_size = _output_size(size, max_long_side)
    image = _decode_image(_cell_bytes(row, 'image'), size, out_size)
    if out_size != size:
        # EXACT samples the source pixel under each output pixel's centre, as INTER_AREA
        # averages around it; plain INTER_NEAREST shifts the mask up to half a pixel.
        mask = cv2.resize(mask, out_size, interpolation=cv2.INTER_NEAREST_EXACT)
    return image, mask, size


def _convert_sample(root: Path, sample_id: str, row: Dict, max_long_side: Optional[int],
                    image_suffix: str) -> Dict:
    """Decode one row, write its files and return its journal entry."""
    for path in sample_paths(root, sample_id, image_suffix).values():
        if root.resolve() not in path.resolve().parents:
            raise ValueError(f'id {sample_id!r} would be written outside {root}: {path}')
    image, mask, (width, height) = _decode_row(row, max_long_side)
    write_sample(root, sample_id, image, mask, image_suffix)
    metadata = dict(id=sample_id, source_id=sample_id, original_id=str(row['id']),
                    material=row.get('material') or '', content=row.get('content') or '',
                    type=row.get('type') or '', width=mask.shape[1], height=mask.shape[0],
                    original_width=width, original_height=height)
    class_pixels, background_pixels = class_and_background_pixels(mask)
    return dict(row=metadata, pixels=class_pixels.tolist(), background_pixels=background_pixels)


def _write_bad_rows(root: Path, bad_rows: Sequence[BadRow]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator='\n')
    writer.writerow(BadRow._fields)
    writer.writerows(bad_rows)
    write_text_atomic(root / BAD_ROWS_FILE, buffer.getvalue())


def convert_artefact_parquet(source: Union[str, Path], out_dir: Union[str, Path],
                             max_long_side: Optional[int] = None, image_format: str = 'png',
                             seed: int = 0, ratios: Sequence[float] = DEFAULT_RATIOS,
                             progress: bool = True) -> ConversionReport:
    """Convert ARTeFACT parquet shards into images, masks, metadata, statistics and splits.

    Writes ``images/``, ``annotations/``, ``annotations_rgb/``, ``splits/``,
    ``statistics.json``, ``class_weights.json`` and ``metadata.csv`` (see ``layout.py``), plus
    ``bad_rows.csv`` (the rows skipped and why) and ``conversion_log.jsonl`` (the journal that
    makes re-runs resume). Ids are sanitised into file names (``original_id`` in the metadata
    keeps the raw one).

    Args:
        source: A parquet file, or a folder searched recursively for ``*.parquet``.
        out_dir: Output folder; created if missing. Running again into the same folder
            keeps what an earlier run finished.
        max_long_side (int, optional): Shrink images (area interpolation) and masks
            (nearest) whose long side is longer, keeping the aspect ratio. Defaults to None
            (full size; the largest real image has 133 MP).
        image_format (str): ``'png'`` (lossless) or ``'jpg'`` (quality 95, about 5x
            smaller). Defaults to ``'png'``.
        seed (int): Seed of the splits. Defaults to 0.
        ratios: Train, val and test shares of the stratified split.
            Defaults to (0.7, 0.15, 0.15).
        progress (bool): Show a progress bar over the rows. Defaults to True.

    Returns:
        ConversionReport: Ids converted and kept, and the rows skipped.

    Raises:
        FileNotFoundError: If ``source`` holds no parquet file.
        ValueError: If a shard is unreadable or lacks ``id``, ``image`` or ``annotation``, or
            ``out_dir`` was converted with another ``max_long_side`` or ``image_format``.
    """
    if image_format not in IMAGE_SUFFIXES:
        raise ValueError(f'image_format must be one of {list(IMAGE_SUFFIXES)}, '
                         f'got {image_format!r}')
    if max_long_side is not None and max_long_side < 1:
        raise ValueError(f'max_long_side must be positive, got {max_long_side}')
    source = Path(source)
    shards = [(shard, *_open_shard(shard)) for shard in find_shards(source)]
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    for folder in (root, *(path for path in root.rglob('*') if path.is_dir())):
        remove_partial_files(folder)

    report, statistics, rows, seen = ConversionReport(root), PixelStatistics(), [], set()
    image_suffix = IMAGE_SUFFIXES[image_format]
    options = dict(max_long_side=max_long_side, image_format=image_format)
    total = sum(parquet.metadata.num_rows for _, parquet, _ in shards)
    source_rows = tqdm(_iter_rows(source, shards), total=total, desc='converting',
                       unit='image', disable=not progress)
    with _Journal(root / JOURNAL_FILE, options) as journal, pixel_limit(MAX_PIXELS):
        for shard_name, index, row in source_rows:
            sample_id = sanitise_id(row['id']) if row['id'] else ''
            entry = journal.entries.get(sample_id)
            try:
                if not sample_id:
                    raise _BadRowError('the row has no id')
                if sample_id in seen:
                    raise _BadRowError(f'duplicate id: an earlier row has the id '
                                       f'{sample_id!r} (after sanitising)')
                paths = sample_paths(root, sample_id, image_suffix).values()
                if entry is not None and all(path.is_file() for path in paths):
                    report.kept.append(sample_id)
                else:
                    entry = _convert_sample(root, sample_id, row, max_long_side, image_suffix)
                    journal.add(entry)
                    report.converted.append(sample_id)
            except (_BadRowError, ImageFileError) as error:
                bad = BadRow(str(row['id']), shard_name, index, str(error))
                logger.warning('skipped %r (%s, row %d): %s', *bad)
                report.bad_rows.append(bad)
                continue
            seen.add(sample_id)
            rows.append(entry['row'])
            statistics.add(entry['pixels'], entry['row']['material'], entry['row']['content'],
                           entry['background_pixels'])
    _write_bad_rows(root, report.bad_rows)
    if rows:
        finish_dataset(root, rows, statistics, ratios, seed)
    return report


def download_artefact(cache_dir: Union[str, Path], repo_id: str = ARTEFACT_REPO,
                      revision: Optional[str] = None) -> Path:
    """Download the parquet shards of ARTeFACT from the Hugging Face hub.

    Needs ``huggingface_hub`` (in the runtime requirements) and the internet. Files already in
    ``cache_dir`` are not downloaded again.

    Args:
        cache_dir: Folder to download into; the shards land in ``<cache_dir>/data/``.
        repo_id (str): Dataset repository. Defaults to ``'danielaivanova/damaged-media'``.
        revision (str, optional): Branch, tag or commit. Defaults to None (the latest).

    Returns:
        Path: The folder holding the download.

    Raises:
        ImportError: If ``huggingface_hub`` is not installed.
        ConnectionError: If the download fails, e.g. because the hub is unreachable.
    """
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise ImportError('downloading ARTeFACT needs huggingface_hub: '
                          'pip install -r requirements/runtime.txt') from None
    try:
        folder = snapshot_download(repo_id, repo_type='dataset', revision=revision,
                                   allow_patterns=['data/*.parquet'], local_dir=str(cache_dir))
    except Exception as error:  # requests, httpx or hub errors, depending on the version
        raise ConnectionError(
            f'could not download {repo_id} from the Hugging Face hub ({error!r}). If the hub '
            'is unreachable from this machine, download the parquet shards elsewhere and '
            'pass their folder instead.') from error
    return Path(folder)
