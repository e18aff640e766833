"""Damage maps, condition reports and the damage report for a collection of images.

For each input ``<name>.<ext>`` it writes ``masks/<name>.png`` (class ids),
``overlays/<name>.jpg`` (damage tinted over the photograph), ``thumbnails/<name>.jpg`` (the
overlay, small, for the index), ``geojson/<name>.geojson`` (the damage regions as polygons),
``annotations/<name>.json`` (the same regions as W3C Web Annotations, an IIIF AnnotationPage),
``images/<name>.jpg`` (the scan as a JPEG for IIIF viewers; not for scans read from a IIIF
manifest, whose record names their ``canvas``) and ``reports/<name>.html`` (the condition
report, with a deep-zoom viewer of ``tiles/<name>/``); for the collection ``report.csv`` (one
row per file), ``report.json`` (the same plus a summary), ``index.html``, ``manifest.json``
(a IIIF manifest of the scans read from files and of IIIF image services without a canvas,
with their annotations) and ``mirador.html`` (it, in Mirador), and for each museum manifest
scans came from ``iiif/<manifest>.json`` (a copy listing our annotation pages on its
canvases) and ``mirador-<manifest>.html``. Each file is written atomically.

Every finished scan is recorded in the run's journal (:mod:`.collection_journal`) and the
report is built from the journal, so a run stopped at any point, even by SIGKILL, continues
where it stopped when started again, and several processes can share a collection
(:mod:`.collection_shards`): each predicts its shard, and the last to finish writes the report
of all.

Scans may also come from IIIF image servers (:mod:`..iiif`): image services, manifests and
lists of their URLs. Such a scan is read region by region, at full resolution, and predicted
one row of tiles at a time, so it is never held whole (unless the model's test pipeline
resizes the image, which needs all of it); its record names its canvas.
"""
import copy
import csv
import glob
import hashlib
import io
import json
import logging
import math
import shutil
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
from ...utils.image_rows import ImageRows
from ..iiif import (IIIFClient, IIIFScan, collection_manifests, iiif_scans, is_iiif_input,
                    source_name)
from ..iiif.iiif_inputs import slug
from ..inference.sample_predictions import fit_within
from ..inference.tiled_inference import read_image
from .collection_journal import CollectionJournal, journal_entry, settings_key, source_identity
from .collection_shards import assign_shard
from .condition_report import install_viewer, write_condition_report
from .damage_geojson import damage_geojson
from .damage_measures import DEFAULT_MIN_REGION_PX, measure_damage_regions
from .iiif_manifests import annotated_manifest, check_base_url, scans_manifest
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
# A scan read band by band (IIIF) larger than this gets an overlay shrunk to about this size:
# an image file is encoded whole, and the scan itself is never held whole.
OVERLAY_MAX_PIXELS = 64 * 2**20
Scan = Union[Path, IIIFScan]


def find_images(inputs: Union[str, Sequence[str]], client: Optional[IIIFClient] = None,
                canvases: Optional[Sequence[str]] = None) -> Dict[str, Scan]:
    """Map an output name to each image named by ``inputs``: files, folders, glob patterns,
    or IIIF resources (see :func:`~..iiif.iiif_scans`).

    A folder contributes the images below it (by suffix), named by their path inside it; a
    pattern its matches, named by their path below the pattern's fixed part; a file its own
    name. Names keep no suffix unless two inputs would otherwise share one. A URL, a manifest
    file (``.json``) or a file of URLs (``.txt``) contributes its IIIF scans, named
    ``<manifest>/<position>_<label>`` or after their image service; they follow the files.

    Args:
        inputs: The inputs, in the collection's order.
        client (IIIFClient, optional): Fetches IIIF resources; a default one if needed.
        canvases (Sequence[str], optional): The canvases of the manifests to take (1-based
            positions or ids); None: all.

    Raises:
        FileNotFoundError: An input that is not a file, folder or pattern matching something.
        ValueError: Nothing to process, two inputs that cannot be told apart by name, or
            ``canvases`` without manifests.
    """
    specs = [inputs] if isinstance(inputs, str) else list(inputs)
    remote = [spec for spec in specs if is_iiif_input(spec)]
    if canvases and not remote:
        raise ValueError('--canvas picks canvases of IIIF manifests, and no manifest is given')
    scans = iiif_scans(remote, client or IIIFClient(), canvases) if remote else []
    found: List[tuple] = []  # (path, path relative to its input)
    for spec in specs:
        path = Path(spec)
        if spec in remote:
            continue
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
    if not found and not scans:
        raise ValueError('no input images')
    unique: Dict[Path, tuple] = {}
    for path, relative in found:  # the same file named twice is processed once
        unique.setdefault(path.resolve(), (path, relative))
    found = list(unique.values())
    stems = [relative.with_suffix('').as_posix() for _, relative in found]
    named: Dict[str, Scan] = {}
    for (path, relative), stem in zip(found, stems):
        name = stem if stems.count(stem) == 1 else relative.as_posix()
        if name in named:
            raise ValueError(f'{named[name]} and {path} would both be written as {name!r}; '
                             'run them separately')
        named[name] = path
    for name, scan in scans:
        if name in named:
            same = (isinstance(named[name], IIIFScan) and str(named[name]) == str(scan)
                    and named[name].canvas == scan.canvas)
            if same:  # the same canvas named twice is processed once
                continue
            raise ValueError(f'{named[name]} and {scan} would both be written as {name!r}; '
                             'run them separately')
        named[name] = scan
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
                        base_url: str = DEFAULT_BASE_URL,
                        manifests: Optional[Dict[str, dict]] = None, **details) -> None:
    """Write ``report.csv``, ``report.json`` (records, summary and ``details``) and
    ``index.html`` (the condition reports, sortable by damaged share); for the scans without a
    canvas of their own (files, IIIF image services), ``manifest.json`` and ``mirador.html``;
    for each of ``manifests`` (a path in ``out_dir`` and the JSON to write there: the museums'
    manifests with our annotations), the file and a Mirador page of it.

    ``base_url`` is the address ``out_dir`` will be published at, which our IIIF ids start
    with."""
    out_dir = Path(out_dir)
    summary = _summary(records, classes)
    write_text_atomic(out_dir / 'report.csv', _csv_text(records, classes))
    write_json_atomic(out_dir / 'report.json', dict(
        complete=complete, classes=list(classes), **details, summary=summary,
        files=list(records)))
    links = {}
    # Our canvases carry the image they show; a museum's canvases are its manifest's.
    scans = [record for record in records
             if record['status'] == 'ok' and record['canvas'].get('image')]
    if scans:
        write_json_atomic(out_dir / MANIFEST, scans_manifest(
            base_url + MANIFEST, [dict(record['canvas'], label=record['name'])
                                  for record in scans],
            f'Damage found in {len(scans)} scan{"s" if len(scans) > 1 else ""}'))
        links['Mirador (IIIF viewer)'] = write_mirador_page(out_dir, MANIFEST, base_url)
        links['IIIF manifest'] = MANIFEST
    for path, manifest in (manifests or {}).items():
        write_json_atomic(out_dir / path, manifest)
        name = Path(path).stem
        links[f'Mirador: {name}'] = write_mirador_page(out_dir, path, base_url,
                                                       page=f'mirador-{name}.html')
        links[f'IIIF manifest: {name}'] = path
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


def _remove_outputs(out_dir: Path, name: str) -> None:
    """A scan's outputs, so that a scan that failed leaves none (not even older ones)."""
    for relative in _scan_outputs(name).values():
        (out_dir / relative).unlink(missing_ok=True)
    shutil.rmtree(out_dir / 'tiles' / name, ignore_errors=True)


def _fetched_folder(out_dir: Path, name: str) -> Path:
    """Where the regions of a IIIF scan are kept while it is processed (read again for the
    overlay instead of fetched again); removed after it, and before it if a killed run left
    it."""
    return out_dir / f".fetched-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:16]}"


def _overlay_shrink(image) -> int:
    """1 for an image held whole; for one read band by band, what makes its overlay at most
    ``OVERLAY_MAX_PIXELS``."""
    if isinstance(image, np.ndarray):
        return 1
    return max(1, math.ceil(math.sqrt(image.height * image.width / OVERLAY_MAX_PIXELS)))


def _resolution(scan: Scan, given: Optional[ScanResolution]) -> ScanResolution:
    if given is not None:
        return given
    if isinstance(scan, IIIFScan):
        return ScanResolution(*scan.resolution())
    try:
        return read_scan_resolution(scan)
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

    def process(self, name: str, scan: Scan) -> dict:
        """Predict one scan and write all its outputs; its record (``failed`` with the reason
        when it cannot be read or predicted, and then none of its outputs left)."""
        remote = isinstance(scan, IIIFScan)  # read band by band, never whole
        canvas = scan.record() if remote else {}
        # A copy: the record's canvas gets its annotation page, which a failure takes back.
        record = dict(name=name, file=str(scan), status='ok', error='', **copy.deepcopy(canvas))
        outputs = _scan_outputs(name)
        started = time.perf_counter()
        fetched = _fetched_folder(self.out_dir, name)
        try:
            _remove_leftovers(self.out_dir, name)
            shutil.rmtree(fetched, ignore_errors=True)
            image = (scan.image_rows(None if scan.client.cache_dir else fetched) if remote
                     else read_image(scan))
            mask = self.inferencer.predict(image)
            record.update(width=int(mask.shape[1]), height=int(mask.shape[0]),
                          mask=outputs['mask'])
            write_image_atomic(self.out_dir / outputs['mask'], mask)
            self._write_pictures(record, outputs, scan, image, mask)
            resolution = _resolution(scan, self.resolution)
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
                self.out_dir, record, image if self.viewer and not remote else None, mask,
                self.classes, self.palette, self.min_region, self.details,
                iiif_info=scan.service.info if self.viewer and remote else None)
        except Exception as error:  # noqa: BLE001  one bad file must not stop a collection
            message = (str(error) if isinstance(error, (OSError, ValueError)) else
                       f'{scan}: {type(error).__name__}: {error}')
            _remove_outputs(self.out_dir, name)
            record = dict(name=name, file=str(scan), status='failed', error=message, **canvas)
            print_log(f'skipped: {message}', logger='current', level=30)
        finally:
            shutil.rmtree(fetched, ignore_errors=True)
        record['seconds'] = round(time.perf_counter() - started, 3)
        return record

    def _url(self, relative: str) -> str:
        """The URL a file of the output folder will have once published."""
        return self.base_url + quote(relative)

    def _write_pictures(self, record: dict, outputs: Dict[str, str], scan: Scan,
                        image: Union[np.ndarray, ImageRows], mask: np.ndarray) -> None:
        """The overlay (written if asked for; the index's thumbnail is made of it either way)
        and, for a scan without a canvas of its own, the canvas of our manifest that shows it:
        a JPEG of a scan read from a file, the image service of a IIIF one."""
        clean = self.classes.index('Clean') if 'Clean' in self.classes else -1
        shrink = _overlay_shrink(image)
        overlay = damage_overlay(image, mask, self.palette, self.opacity, clean, shrink)
        if shrink > 1:
            record['overlay_shrink'] = shrink
        if self.overlay:
            record['overlay'] = outputs['overlay']
            write_image_atomic(self.out_dir / outputs['overlay'], overlay, rgb=False,
                               jpeg_quality=90)
        thumbnail = fit_within(overlay, THUMBNAIL_SIDE, cv2.INTER_AREA)
        del overlay  # a copy of the whole scan
        record['thumbnail'] = outputs['thumbnail']
        write_image_atomic(self.out_dir / outputs['thumbnail'], thumbnail, rgb=False,
                           jpeg_quality=85)
        if record.get('canvas') is not None:
            return
        if isinstance(scan, IIIFScan):  # viewers read the server's own tiles
            shown = scan.service.viewer_image()
        else:
            picture = fit_within(image, VIEWER_IMAGE_SIDE, cv2.INTER_AREA)
            record['image'] = outputs['image']
            write_image_atomic(self.out_dir / outputs['image'], picture, rgb=False,
                               jpeg_quality=90)
            shown = dict(id=self._url(outputs['image']), width=int(picture.shape[1]),
                         height=int(picture.shape[0]))
        record['canvas'] = dict(
            id=self._url(f"canvas/{record['name']}"), width=record['width'],
            height=record['height'], manifest=self._url(MANIFEST), image=shown,
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


def annotated_manifests(images: Dict[str, Scan], records: Sequence[dict]) -> Dict[str, dict]:
    """Copies of the manifests IIIF scans came from that reference the annotation pages of
    their canvases done so far, by the path to write each at (``iiif/<manifest>.json``)."""
    done = {record['name']: record for record in records if record['status'] == 'ok'}
    copies = {}
    for source, (manifest, names) in collection_manifests(images).items():
        pages = {canvas_id: done[name]['canvas']['annotations']
                 for canvas_id, name in names.items() if name in done}
        if not pages:
            continue
        path = f'iiif/{slug(source_name(source, manifest.label))}.json'
        if path in copies:  # two manifests of one name (book/manifest.json on two servers)
            digest = hashlib.sha256(source.encode('utf-8')).hexdigest()[:8]
            path = f'{path[:-len(".json")]}-{digest}.json'
        try:
            copies[path] = annotated_manifest(manifest.json, pages, manifest.version)
        except ValueError as error:  # its scans are mapped: the report goes on without it
            print_log(f'{source}: no annotated copy of the manifest: {error}',
                      logger='current', level=logging.WARNING)
    return copies


def write_collection_report(out_dir: Union[str, Path], images: Dict[str, Scan],
                            classes: Sequence[str], key: str, details: Optional[dict] = None,
                            base_url: str = DEFAULT_BASE_URL) -> Tuple[List[dict], bool]:
    """Build the report of ``images`` from the journal (every process's), under its lock, with
    the annotated copies of the manifests its IIIF scans came from.

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
        write_damage_report(out_dir, records, classes, complete=complete, base_url=base_url,
                            manifests=annotated_manifests(images, records), **(details or {}))
    return records, complete


def infer_collection(inferencer, images: Dict[str, Scan], out_dir: Union[str, Path],
                     overlay: bool = True, opacity: float = 0.5, progress: bool = True,
                     details: Optional[dict] = None, resolution: Optional[ScanResolution] = None,
                     min_region_px: int = DEFAULT_MIN_REGION_PX,
                     min_region_mm2: Optional[float] = None, viewer: bool = True,
                     shard: Tuple[int, int] = (0, 1),
                     base_url: str = DEFAULT_BASE_URL) -> List[dict]:
    """Predict every scan of a collection (or of this process's shard) and write the reports.

    Scans that the journal holds as done with the same settings, from the same unchanged
    file (or IIIF canvas and image service), are skipped. A scan that cannot be read or
    predicted is reported (``status: failed`` with the error, none of its outputs left) and
    tried again by the next run. When this process is done, or stops early, the collection's
    report is written from the journal: ``complete`` once every scan is done.

    Args:
        inferencer: A :class:`DamageInferencer` (``predict``, ``classes``, ``palette``).
        images (dict): Every scan of the collection by name (:func:`find_images`): files
            and IIIF scans.
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
        for name, scan in items:
            source = source_identity(scan)
            journal.append(journal_entry(run.process(name, scan), source, run.key))
    finally:
        records, _ = write_collection_report(out_dir, images, run.classes, run.key, details,
                                             run.base_url)
    return records
