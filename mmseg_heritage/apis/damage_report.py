"""Damage maps and the damage report for a collection of images.

For each input ``<name>.<ext>`` it writes ``masks/<name>.png`` (class ids), and
``overlays/<name>.jpg`` (damage tinted over the photograph); for the collection ``report.csv``
(one row per file) and ``report.json`` (the same plus a summary). Each file is written
atomically, and the report is written even when the run stops early, marked incomplete.
"""
import csv
import glob
import io
import time
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Union

import numpy as np
from mmengine.logging import print_log

from ..utils.pixel_counts import value_counts
from ..utils.atomic_files import write_image_atomic, write_json_atomic, write_text_atomic
from ..visualization.damage_overlay import damage_overlay
from .tiled_inference import read_image

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.tif', '.tiff', '.bmp', '.webp', '.jp2')


def find_images(inputs: Union[str, Sequence[str]]) -> Dict[str, Path]:
    """Map an output name to each image named by ``inputs``: files, folders or glob patterns.

    A folder contributes the images below it (by suffix), named by their path inside it; a
    pattern its matches, named by their path below the pattern's fixed part; a file its own
    name. Names keep no suffix unless two inputs would otherwise share one.

    Raises:
        FileNotFoundError: An input that is not a file, folder or pattern matching something.
        ValueError: Nothing to process, or two inputs that cannot be told apart by name.
    """
    found: List[tuple] = []  # (path, path relative to its input)
    for spec in [inputs] if isinstance(inputs, str) else inputs:
        path = Path(spec)
        if glob.has_magic(spec):
            root = Path(*[p for p in path.parts[:next(
                i for i, p in enumerate(path.parts) if glob.has_magic(p))]]) or Path('.')
            matches = [Path(m) for m in sorted(glob.glob(spec, recursive=True))]
            matches = [m for m in matches if m.is_file()]
            if not matches:
                raise FileNotFoundError(f'{spec}: the pattern matches no file')
            found += [(m, m.relative_to(root)) for m in matches]
        elif path.is_dir():
            images = sorted(p for p in path.rglob('*')
                            if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
            if not images:
                raise ValueError(f'{path}: the folder holds no images '
                                 f'({", ".join(IMAGE_SUFFIXES)})')
            found += [(p, p.relative_to(path)) for p in images]
        elif path.is_file():
            found.append((path, Path(path.name)))
        else:
            raise FileNotFoundError(f'{spec}: no such file or folder')
    if not found:
        raise ValueError('no input images')
    unique: Dict[Path, tuple] = {}
    for path, relative in found:  # the same file named twice is processed once
        unique.setdefault(path.resolve(), (path, relative))
    found = list(unique.values())
    stems = [relative.with_suffix('').as_posix() for _, relative in found]
    named: Dict[str, Path] = {}
    for (path, relative), stem in zip(found, stems):
        name = stem if stems.count(stem) == 1 else relative.as_posix()
        if name in named:
            raise ValueError(f'{named[name]} and {path} would both be written as {name!r}; '
                             'run them separately')
        named[name] = path
    return named


def area_percent(mask: np.ndarray, classes: Sequence[str]) -> Dict[str, float]:
    """Share of the image's pixels (in %) predicted as each class."""
    counts = value_counts(mask)[:len(classes)]  # chunked: no int64 copy of a huge mask
    return {name: round(100.0 * float(count) / mask.size, 4)
            for name, count in zip(classes, counts)}


def _csv_text(records: Iterable[dict], classes: Sequence[str]) -> str:
    columns = ['file', 'status', 'error', 'width', 'height', 'seconds', 'mask', 'overlay',
               'damaged_percent'] + [f'{name} %' for name in classes]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, extrasaction='ignore', lineterminator='\n')
    writer.writeheader()
    for record in records:
        shares = {f'{name} %': value for name, value in record.get('area_percent', {}).items()}
        writer.writerow({**record, **shares})
    return buffer.getvalue()


def _summary(records: Sequence[dict], classes: Sequence[str]) -> dict:
    done = [r for r in records if r['status'] == 'ok']
    pixels = sum(r['width'] * r['height'] for r in done)
    shares = {name: round(sum(r['area_percent'][name] * r['width'] * r['height']
                              for r in done) / pixels, 4) if pixels else 0.0
              for name in classes}
    return dict(files=len(records), processed=len(done), failed=len(records) - len(done),
                area_percent=shares,
                files_with={name: sum(r['area_percent'][name] > 0 for r in done)
                            for name in classes})


def write_damage_report(out_dir: Union[str, Path], records: Sequence[dict],
                        classes: Sequence[str], complete: bool = True,
                        **details) -> None:
    """Write ``report.csv`` and ``report.json`` (records, summary and ``details``)."""
    out_dir = Path(out_dir)
    write_text_atomic(out_dir / 'report.csv', _csv_text(records, classes))
    write_json_atomic(out_dir / 'report.json', dict(
        complete=complete, classes=list(classes), **details,
        summary=_summary(records, classes), files=list(records)))


def infer_collection(inferencer, images: Dict[str, Path], out_dir: Union[str, Path],
                     overlay: bool = True, opacity: float = 0.5, progress: bool = True,
                     details: Optional[dict] = None) -> List[dict]:
    """Predict every image, write its mask and overlay, then the collection's report.

    A file that cannot be read or predicted is reported (``status: failed`` with the error)
    and skipped; the others are processed. Returns the records of the report.
    """
    out_dir = Path(out_dir)
    classes = inferencer.classes
    clean = classes.index('Clean') if 'Clean' in classes else -1  # -1: tint every class
    records: List[dict] = []
    items = list(images.items())
    if progress:
        from rich.progress import track
        items = track(items, description='Damage maps', total=len(images))
    complete = False
    try:
        for name, path in items:
            record = dict(file=str(path), status='ok', error='')
            image = mask = None
            started = time.perf_counter()
            try:
                image = read_image(path)
                mask = inferencer.predict(image)
                record.update(width=int(mask.shape[1]), height=int(mask.shape[0]))
                record['mask'] = f'masks/{name}.png'
                write_image_atomic(out_dir / record['mask'], mask)
                if overlay:
                    record['overlay'] = f'overlays/{name}.jpg'
                    write_image_atomic(out_dir / record['overlay'],
                                       damage_overlay(image, mask, inferencer.palette, opacity,
                                                      clean),
                                       rgb=False, jpeg_quality=90)
                shares = area_percent(mask, classes)
                record['damaged_percent'] = round(100.0 - shares.get('Clean', 0.0), 4)
                record['area_percent'] = shares
            except Exception as error:  # noqa: BLE001  one bad file must not stop a collection
                message = (str(error) if isinstance(error, (OSError, ValueError)) else
                           f'{path}: {type(error).__name__}: {error}')
                record = dict(file=str(path), status='failed', error=message)
                print_log(f'skipped: {message}', logger='current', level=30)
            record['seconds'] = round(time.perf_counter() - started, 3)
            records.append(record)
            image = mask = None  # free this scan before the next one is read
        complete = True
    finally:
        write_damage_report(out_dir, records, classes, complete=complete, **(details or {}))
    return records
