"""Damage maps, condition reports and the damage report for a collection of images.

For each input ``<name>.<ext>`` it writes ``masks/<name>.png`` (class ids),
``overlays/<name>.jpg`` (damage tinted over the photograph), ``thumbnails/<name>.jpg`` (the
overlay, small, for the index), ``geojson/<name>.geojson`` (the damage regions as polygons),
``annotations/<name>.json`` (the same regions as W3C Web Annotations, an IIIF AnnotationPage),
``images/<name>.jpg`` (the scan as a JPEG for IIIF viewers; not for scans read from a IIIF
manifest, whose record names their ``canvas``) and ``reports/<name>.html`` (the condition
report, with a deep-zoom viewer of ``tiles/<name>/``); for the collection ``report.csv`` (one
row per file), ``report.json`` (the same plus a summary), ``index.html``, and for scans read
from files ``manifest.json`` (a IIIF manifest of them with their annotations) and
``mirador.html`` (it, in Mirador). Each file is written atomically.

Every finished scan is recorded in the run's journal (:mod:`.collection_journal`) and the
report is built from the journal, so a run stopped at any point, even by SIGKILL, continues
where it stopped when started again, and several processes can share a collection
(:mod:`.collection_shards`): each predicts its shard, and the last to finish writes the report
of all.
"""
import csv
import glob
import io
import json
import time
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union
from urllib.parse import quote

import cv2
import numpy as np
from mmengine.logging import print_log

from ...class_names import LINEAR_DAMAGE
from ...datasets.image_decoding import DECODER_ERRORS
from ...utils.atomic_files import (PARTIAL_MARK, write_image_atomic, write_json_atomic,
                                  write_text_atomic)
from ...utils.pixel_counts import value_counts
from ...visualization.collection_index_page import collection_index_page
from ...visualization.damage_overlay import damage_overlay
from ..inference.sample_predictions import fit_within
from ..inference.tiled_inference import read_image
from .collection_journal import CollectionJournal, journal_entry, settings_key, source_identity
from .collection_shards import assign_shard
from .condition_report import install_viewer, write_condition_report
from .damage_geojson import damage_geojson
from .damage_measures import DEFAULT_MIN_REGION_PX, measure_damage_regions
from .iiif_manifests import check_base_url, scans_manifest
from .mirador_viewer import install_mirador, write_mirador_page
from .scan_resolution import ScanResolution, read_scan_resolution
from .web_annotations import damage_annotation_page

# Journal fields that are not part of a scan's record in the report.
JOURNAL_ONLY = ('source', 'settings', 'finished')
IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.tif', '.tiff', '.bmp', '.webp', '.jp2')
# Where the output folder is published, which the IIIF ids start with, unless told otherwise:
# what `python -m http.server --directory OUT_DIR 8000` serves.
DEFAULT_BASE_URL = 'http://localhost:8000/'
THUMBNAIL_SIDE = 256
# The scan as IIIF viewers get it (one JPEG, no tiles): larger ones are shrunk to this, which
# browsers decode quickly; the canvas keeps the scan's size, so annotations stay in its pixels.
VIEWER_IMAGE_SIDE = 4096
MANIFEST = 'manifest.json'


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
    damage = [name for name in classes if name != 'Clean']
    linear = [name for name in damage if name in LINEAR_DAMAGE]
    columns = (['file', 'status', 'error', 'width', 'height', 'seconds', 'mask', 'overlay',
                'geojson', 'report', 'dpi', 'resolution_source', 'damaged_percent',
                'damaged_mm2'] + [f'{name} %' for name in classes]
               + [f'{name} mm2' for name in damage] + [f'{name} regions' for name in damage]
               + [f'{name} length mm' for name in linear]
               + [f'{name} length px' for name in linear])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, extrasaction='ignore', lineterminator='\n')
    writer.writeheader()
    for record in records:
        row = dict(record)
        row.update({f'{name} %': value for name, value in record.get('area_percent', {}).items()})
        resolution = record.get('resolution') or {}
        if resolution:
            dpi = resolution.get('dpi')
            row['dpi'] = '' if dpi is None else (f'{dpi[0]:g}' if dpi[0] == dpi[1]
                                                 else f'{dpi[0]:g} x {dpi[1]:g}')
            row['resolution_source'] = resolution['source']
        for name, entry in record.get('damage', {}).items():
            row.update({f'{name} mm2': entry['area_mm2'], f'{name} regions': entry['regions'],
                        f'{name} length mm': entry.get('length_mm'),
                        f'{name} length px': entry.get('length_px')})
        writer.writerow(row)
    return buffer.getvalue()


def _summary(records: Sequence[dict], classes: Sequence[str]) -> dict:
    done = [r for r in records if r['status'] == 'ok']
    measured = [r for r in done if r.get('damaged_mm2') is not None]
    pixels = sum(r['width'] * r['height'] for r in done)
    shares = {name: round(sum(r['area_percent'][name] * r['width'] * r['height']
                              for r in done) / pixels, 4) if pixels else 0.0
              for name in classes}
    totals = {}
    for name in classes:
        if name == 'Clean':
            continue
        entries = [r['damage'][name] for r in done if name in r.get('damage', {})]
        known = [r['damage'][name] for r in measured if name in r.get('damage', {})]
        total = dict(pixels=sum(e['pixels'] for e in entries),
                     files_with=sum(e['pixels'] > 0 for e in entries),
                     regions=sum(e['regions'] for e in entries),
                     area_mm2=round(sum(e['area_mm2'] for e in known), 3) if known else None)
        if name in LINEAR_DAMAGE:
            total.update(length_px=round(sum(e['length_px'] for e in entries), 2),
                         length_mm=round(sum(e['length_mm'] for e in known), 3) if known
                         else None)
        totals[name] = total
    return dict(files=len(records), processed=len(done), failed=len(records) - len(done),
                area_percent=shares,
                files_with={name: sum(r['area_percent'][name] > 0 for r in done)
                            for name in classes},
                without_resolution=len(done) - len(measured), classes=totals)


def write_damage_report(out_dir: Union[str, Path], records: Sequence[dict],
                        classes: Sequence[str], complete: bool = True,
                        **details) -> None:
    """Write ``report.csv``, ``report.json`` (records, summary and ``details``) and
    ``index.html`` (the condition reports, sortable by damaged share); for the scans read from
    files (those with an ``image`` for viewers), ``manifest.json`` and ``mirador.html``."""
    out_dir = Path(out_dir)
    summary = _summary(records, classes)
    write_text_atomic(out_dir / 'report.csv', _csv_text(records, classes))
    write_json_atomic(out_dir / 'report.json', dict(
        complete=complete, classes=list(classes), **details, summary=summary,
        files=list(records)))
    links = {}
    scans = [record for record in records if record['status'] == 'ok' and record.get('image')]
    if scans:
        manifest_id = scans[0]['canvas']['manifest']
        write_json_atomic(out_dir / MANIFEST, scans_manifest(
            manifest_id, [dict(record['canvas'], label=record['name']) for record in scans],
            f'Damage found in {len(scans)} scan{"s" if len(scans) > 1 else ""}'))
        # The manifest lies at the top of the published folder.
        links['Mirador (IIIF viewer)'] = write_mirador_page(
            out_dir, MANIFEST, manifest_id[:manifest_id.rindex('/') + 1])
        links['IIIF manifest'] = MANIFEST
    write_text_atomic(out_dir / 'index.html',
                      collection_index_page(records, summary, complete, links=links))


def _scan_outputs(name: str) -> Dict[str, str]:
    return dict(mask=f'masks/{name}.png', overlay=f'overlays/{name}.jpg',
                thumbnail=f'thumbnails/{name}.jpg', image=f'images/{name}.jpg',
                geojson=f'geojson/{name}.geojson', annotations=f'annotations/{name}.json',
                report=f'reports/{name}.html')


def _remove_leftovers(out_dir: Path, name: str) -> None:
    """Temporary files a killed run left while writing this scan's outputs."""
    for relative in _scan_outputs(name).values():
        path = out_dir / relative
        for partial in path.parent.glob(f'.{glob.escape(path.name)}{PARTIAL_MARK}*'):
            partial.unlink(missing_ok=True)


def _resolution(path: Path, given: Optional[ScanResolution]) -> ScanResolution:
    if given is not None:
        return given
    try:
        return read_scan_resolution(path)
    except DECODER_ERRORS as error:  # OpenCV reads some files Pillow cannot
        return ScanResolution(None, f'the file\'s header could not be read ({error})')


class _CollectionRun:
    """The settings of one collection run and the processing of each of its scans."""

    def __init__(self, inferencer, out_dir: Path, overlay: bool, opacity: float,
                 resolution: Optional[ScanResolution], min_region_px: int,
                 min_region_mm2: Optional[float], viewer: bool, base_url: str,
                 details: dict) -> None:
        self.inferencer, self.out_dir = inferencer, out_dir
        self.base_url = base_url
        self.classes, self.palette = tuple(inferencer.classes), list(inferencer.palette)
        self.overlay, self.opacity, self.viewer = overlay, opacity, viewer
        self.resolution = resolution
        self.min_region_px, self.min_region_mm2 = min_region_px, min_region_mm2
        self.details = details
        self.min_region = f'{min_region_px} px' + (
            f' and {min_region_mm2:g} mm² (where the resolution is known)'
            if min_region_mm2 else '')
        # CPU threads change the speed, not the outputs: a re-run with others skips what is done.
        settings = dict({k: v for k, v in details.items() if k != 'threads'}, overlay=overlay,
                        opacity=opacity if overlay else None,
                        resolution=None if resolution is None else resolution.as_dict(),
                        min_region_px=min_region_px, min_region_mm2=min_region_mm2,
                        viewer=viewer, base_url=base_url, classes=list(self.classes))
        # The model's files by content too: the same path may hold a retrained checkpoint.
        settings['model_files'] = {key: source_identity(details[key])
                                   for key in ('config', 'checkpoint') if details.get(key)}
        self.key = settings_key(settings)

    def process(self, name: str, path: Path) -> dict:
        """Predict one scan and write all its outputs; its record (``failed`` with the reason
        when the file cannot be read or predicted)."""
        record = dict(name=name, file=str(path), status='ok', error='')
        outputs = _scan_outputs(name)
        started = time.perf_counter()
        try:
            _remove_leftovers(self.out_dir, name)
            image = read_image(path)
            mask = self.inferencer.predict(image)
            record.update(width=int(mask.shape[1]), height=int(mask.shape[0]),
                          mask=outputs['mask'])
            write_image_atomic(self.out_dir / outputs['mask'], mask)
            self._write_pictures(record, outputs, image, mask)
            resolution = _resolution(path, self.resolution)
            shares = area_percent(mask, self.classes)
            damaged = 100.0 - shares.get('Clean', 0.0)
            record.update(resolution=resolution.as_dict(), damaged_percent=round(damaged, 4),
                          damaged_mm2=None, area_percent=shares)
            record['damage'], regions = measure_damage_regions(
                mask, self.classes, resolution, min_region_px=self.min_region_px,
                min_region_mm2=self.min_region_mm2)
            if resolution.known:
                record['damaged_mm2'] = round(sum(
                    entry['area_mm2'] for entry in record['damage'].values()), 4)
            self._write_outlines(record, outputs, regions)
            record['report'] = write_condition_report(
                self.out_dir, record, image if self.viewer else None, mask, self.classes,
                self.palette, self.min_region, self.details)
        except Exception as error:  # noqa: BLE001  one bad file must not stop a collection
            message = (str(error) if isinstance(error, (OSError, ValueError)) else
                       f'{path}: {type(error).__name__}: {error}')
            record = dict(name=name, file=str(path), status='failed', error=message)
            print_log(f'skipped: {message}', logger='current', level=30)
        record['seconds'] = round(time.perf_counter() - started, 3)
        return record

    def _url(self, relative: str) -> str:
        """The URL a file of the output folder will have once published."""
        return self.base_url + quote(relative)

    def _write_pictures(self, record: dict, outputs: Dict[str, str], image: np.ndarray,
                        mask: np.ndarray) -> None:
        """The overlay (written if asked for; the index's thumbnail is made of it either way)
        and, for a scan read from a file (no ``canvas`` in its record yet), its JPEG for IIIF
        viewers and the canvas of our manifest that shows it."""
        clean = self.classes.index('Clean') if 'Clean' in self.classes else -1
        overlay = damage_overlay(image, mask, self.palette, self.opacity, clean)
        if self.overlay:
            record['overlay'] = outputs['overlay']
            write_image_atomic(self.out_dir / outputs['overlay'], overlay, rgb=False,
                               jpeg_quality=90)
        thumbnail = fit_within(overlay, THUMBNAIL_SIDE, cv2.INTER_AREA)
        del overlay  # a copy of the whole scan
        record['thumbnail'] = outputs['thumbnail']
        write_image_atomic(self.out_dir / outputs['thumbnail'], thumbnail, rgb=False,
                           jpeg_quality=85)
        if record.get('canvas') is None:
            shown = fit_within(image, VIEWER_IMAGE_SIDE, cv2.INTER_AREA)
            record['image'] = outputs['image']
            write_image_atomic(self.out_dir / outputs['image'], shown, rgb=False,
                               jpeg_quality=90)
            record['canvas'] = dict(
                id=self._url(f"canvas/{record['name']}"), width=record['width'],
                height=record['height'], manifest=self._url(MANIFEST),
                image=dict(id=self._url(outputs['image']), width=int(shown.shape[1]),
                           height=int(shown.shape[0])),
                thumbnail=dict(id=self._url(outputs['thumbnail']),
                               width=int(thumbnail.shape[1]), height=int(thumbnail.shape[0])))

    def _write_outlines(self, record: dict, outputs: Dict[str, str], regions: list) -> None:
        """The damage regions as GeoJSON, and as the annotation page of the scan's canvas."""
        record['geojson'] = outputs['geojson']
        write_text_atomic(self.out_dir / outputs['geojson'], json.dumps(
            damage_geojson(regions, self.palette, record['name']), separators=(',', ':')))
        canvas = record['canvas']
        canvas['annotations'] = self._url(outputs['annotations'])
        record['annotations'] = outputs['annotations']
        page = damage_annotation_page(regions, canvas['annotations'], canvas,
                                      (record['width'], record['height']), self.palette,
                                      record['name'])
        write_text_atomic(self.out_dir / outputs['annotations'],
                          json.dumps(page, ensure_ascii=False, separators=(',', ':')))

    def finished(self, entry: dict) -> bool:
        """Whether a journal entry is a scan done and with its files still there."""
        return entry['status'] == 'ok' and all(
            (self.out_dir / entry[key]).is_file() for key in ('mask', 'annotations', 'report'))


def write_collection_report(out_dir: Union[str, Path], images: Dict[str, Path],
                            classes: Sequence[str], key: str,
                            details: Optional[dict] = None) -> Tuple[List[dict], bool]:
    """Build the report of ``images`` from the journal (every process's), under its lock.

    Returns:
        tuple: The records of the scans done so far, in the collection's order, and whether
        that is all of them.
    """
    journal = CollectionJournal(Path(out_dir) / 'journal')
    with journal.lock():
        done = journal.done(images, key)
        records = [{field: value for field, value in done[name].items()
                    if field not in JOURNAL_ONLY} for name in images if name in done]
        complete = len(records) == len(images)
        write_damage_report(out_dir, records, classes, complete=complete, **(details or {}))
    return records, complete


def infer_collection(inferencer, images: Dict[str, Path], out_dir: Union[str, Path],
                     overlay: bool = True, opacity: float = 0.5, progress: bool = True,
                     details: Optional[dict] = None, resolution: Optional[ScanResolution] = None,
                     min_region_px: int = DEFAULT_MIN_REGION_PX,
                     min_region_mm2: Optional[float] = None, viewer: bool = True,
                     shard: Tuple[int, int] = (0, 1),
                     base_url: str = DEFAULT_BASE_URL) -> List[dict]:
    """Predict every scan of a collection (or of this process's shard) and write the reports.

    Scans that the journal holds as done with the same settings, from the same unchanged
    file, are skipped. A file that cannot be read or predicted is reported (``status:
    failed`` with the error) and tried again by the next run. When this process is done, or
    stops early, the collection's report is written from the journal: ``complete`` once every
    scan is done.

    Args:
        inferencer: A :class:`DamageInferencer` (``predict``, ``classes``, ``palette``).
        images (dict): Every scan of the collection by name (:func:`find_images`).
        out_dir: The output folder.
        overlay (bool): Write overlays. Defaults to True.
        opacity (float): Weight of the class colour in overlays. Defaults to 0.5.
        progress (bool): Show a progress bar. Defaults to True.
        details (dict, optional): Settings of the run (config, checkpoint, tiles...): written
            into the report, and a change to them makes a re-run predict again.
        resolution (ScanResolution, optional): The resolution of every scan (``--dpi``);
            None: read from each file.
        min_region_px (int): Smallest region counted, in pixels. Defaults to 16.
        min_region_mm2 (float, optional): Smallest region counted, in mm2 (scans of known
            resolution).
        viewer (bool): Write the deep-zoom tiles for the condition reports. Defaults to True.
        shard (tuple[int, int]): (shard, number of shards) of this process. Defaults to the
            whole collection.
        base_url (str): The address the output folder will be published at: the IIIF ids
            (canvases, manifest, annotation pages) start with it. Defaults to
            http://localhost:8000/, where ``python -m http.server`` serves it.

    Returns:
        list[dict]: The records in the report, in the collection's order.
    """
    out_dir = Path(out_dir)
    details = dict(details or {})
    run = _CollectionRun(inferencer, out_dir, overlay, opacity, resolution, min_region_px,
                         min_region_mm2, viewer, check_base_url(base_url), details)
    journal = CollectionJournal(out_dir / 'journal', *shard)
    mine = assign_shard(images, *shard)
    done = journal.done(mine, run.key)
    todo = [(name, path) for name, path in mine.items()
            if name not in done or not run.finished(done[name])]
    if len(todo) < len(mine):
        print_log(f'{len(mine) - len(todo)} scans already done with these settings (journal '
                  f'in {journal.folder}): skipped', logger='current')
    if viewer:
        install_viewer(out_dir)
    install_mirador(out_dir)
    items = todo
    if progress:
        from rich.progress import track
        items = track(todo, description='Damage maps', total=len(todo))
    try:
        for name, path in items:
            source = source_identity(path)
            journal.append(journal_entry(run.process(name, path), source, run.key))
    finally:
        records, _ = write_collection_report(out_dir, images, run.classes, run.key, details)
    return records
