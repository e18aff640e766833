"""``metadata.csv``: one row per image of a converted (or generated) ARTeFACT dataset.

Columns: ``id`` (the file stem under ``images/`` and ``annotations/``), ``source_id`` (the id
of the original image; an augmented copy names its source, an original itself),
``original_id`` (the id as it was in the parquet, before sanitising), ``material``,
``content``, ``type``, ``width`` and ``height`` (as written) and ``original_width`` and
``original_height`` (before any resizing).
"""
import csv
import hashlib
import io
import re
from pathlib import Path
from typing import Dict, Iterable, List, Union

from ..utils import write_text_atomic

METADATA_FILE = 'metadata.csv'
METADATA_FIELDS = ('id', 'source_id', 'original_id', 'material', 'content', 'type', 'width',
                   'height', 'original_width', 'original_height')
INTEGER_FIELDS = ('width', 'height', 'original_width', 'original_height')
_UNSAFE = re.compile(r'[^A-Za-z0-9_.-]+')


def sanitise_id(raw: str, max_length: int = 100) -> str:
    """Turn an id from the data into a safe file stem.

    Only letters, digits, ``_``, ``.`` and ``-`` are kept (runs of anything else become
    ``_``), leading dots are dropped, so no id can name a path outside the output folder or a
    hidden file. An id that had to change gets a short hash of the original, so two different
    ids never collide.
    """
    raw = str(raw)
    safe = _UNSAFE.sub('_', raw).lstrip('.')[:max_length]
    if safe != raw or not safe:
        digest = hashlib.sha1(raw.encode('utf-8')).hexdigest()[:8]
        safe = f'{safe}_{digest}' if safe else f'id_{digest}'
    return safe


def slug(name: str) -> str:
    """A folder name for a material or content type: ``'Lime plaster'`` -> ``lime_plaster``."""
    return _UNSAFE.sub('_', name.strip().lower()).strip('_.') or 'unknown'


def read_metadata(path: Union[str, Path]) -> List[Dict]:
    """Read a metadata table (a CSV file, or a dataset folder holding ``metadata.csv``) into a
    list of dicts with integer sizes.

    Older files without ``source_id``/``original_id``/``type`` columns are read too: the
    missing columns default to the id itself or an empty string.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If it has no ``id`` column, a size is not an integer, or an id repeats.
    """
    path = Path(path)
    if path.is_dir():
        path = path / METADATA_FILE
    if not path.is_file():
        raise FileNotFoundError(f'{path}: no metadata file (run the converter or generator)')
    with open(path, newline='', encoding='utf-8') as f:
        reader = csv.DictReader(f)
        if 'id' not in (reader.fieldnames or ()):
            raise ValueError(f'{path}: no "id" column (found {reader.fieldnames})')
        rows, seen = [], set()
        for line, row in enumerate(reader, start=2):
            row.setdefault('source_id', row['id'])
            row.setdefault('original_id', row['id'])
            for field in ('material', 'content', 'type'):
                row.setdefault(field, '')
            for field in INTEGER_FIELDS:
                if row.get(field) not in (None, ''):
                    try:
                        row[field] = int(row[field])
                    except ValueError:
                        raise ValueError(f'{path}, line {line}: {field} is '
                                         f'{row[field]!r}, not an integer') from None
            if row['id'] in seen:
                raise ValueError(f'{path}, line {line}: id {row["id"]!r} appears twice')
            seen.add(row['id'])
            rows.append(row)
    return rows


def write_metadata(root: Union[str, Path], rows: Iterable[Dict]) -> Path:
    """Write ``<root>/metadata.csv`` atomically (a reader never sees a half-written file)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=METADATA_FIELDS, extrasaction='ignore',
                            lineterminator='\n')
    writer.writeheader()
    writer.writerows(rows)
    path = Path(root) / METADATA_FILE
    write_text_atomic(path, buffer.getvalue())
    return path
