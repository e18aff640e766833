"""Writing a scan's condition report: its tile pyramids and its page.

``OUT_DIR/reports/NAME.html`` shows the scan in a deep-zoom viewer with one layer per damage
class (``OUT_DIR/tiles/NAME/``); the viewer's script, OpenSeadragon (BSD-3-Clause, vendored
from the npm registry with its licence in ``mmseg_heritage/visualization/vendor/``), is copied
to ``OUT_DIR/viewer/`` once, for all reports. A scan served by IIIF is not tiled again: the
viewer reads its tiles from its image server.
"""
import os
import shutil
from pathlib import Path
from typing import Optional, Sequence
from urllib.parse import quote

import numpy as np

from ...utils.atomic_files import write_bytes_atomic, write_text_atomic
from ...utils.pixel_counts import value_counts
from ...visualization.condition_report_page import condition_report_page
from ...visualization.deep_zoom import DeepZoomWriter

VENDOR = Path(__file__).resolve().parents[2] / 'visualization/vendor/openseadragon'
VIEWER_FILES = ('openseadragon.min.js', 'LICENSE.txt')
BAND_ROWS = 1024
LAYER_OPACITY = 0.6


def relative_url(target: Path, page: Path, folder: bool = False) -> str:
    """The URL of ``target`` (a folder: ending in '/') from the page ``page``."""
    url = quote(Path(os.path.relpath(target, page.parent)).as_posix())
    return url + '/' if folder else url


def install_viewer(out_dir: Path) -> None:
    """Copy OpenSeadragon and its licence into ``out_dir/viewer/`` (unless already there)."""
    for name in VIEWER_FILES:
        data = (VENDOR / name).read_bytes()
        target = Path(out_dir) / 'viewer' / name
        if not target.is_file() or target.read_bytes() != data:
            write_bytes_atomic(target, data)


def write_scan_tiles(folder: Path, image: Optional[np.ndarray], mask: np.ndarray,
                     classes: Sequence[str], palette: Sequence[Sequence[int]]) -> dict:
    """Tile pyramids of the scan (unless ``image`` is None) and of each damage class in it,
    written band by band.

    Returns:
        dict: ``scan`` (absent without ``image``) and ``layers`` (by class name) as
        :meth:`DeepZoomWriter.close` gives them, plus the ``path`` of each ``.dzi`` file.
    """
    shutil.rmtree(folder, ignore_errors=True)  # tiles of an earlier, different result
    height, width = mask.shape
    present = [i for i in np.flatnonzero(value_counts(mask)[:len(classes)])
               if classes[i] != 'Clean']
    scan = None if image is None else DeepZoomWriter(folder / 'scan.dzi', width, height)
    layers = {i: DeepZoomWriter(folder / f'damage_{i:02d}.dzi', width, height,
                                colour=palette[i]) for i in present}
    for top in range(0, height, BAND_ROWS):
        if scan is not None:
            scan.add_rows(image[top:top + BAND_ROWS])
        band = mask[top:top + BAND_ROWS]
        for class_id, layer in layers.items():
            layer.add_rows((band == class_id).view(np.uint8) * np.uint8(255))
    tiles = dict(layers={classes[i]: dict(layer.close(), path=layer.path, colour=palette[i])
                         for i, layer in layers.items()})
    if scan is not None:
        tiles['scan'] = dict(scan.close(), path=scan.path)
    return tiles


def write_condition_report(out_dir: Path, record: dict, image: Optional[np.ndarray],
                           mask: np.ndarray, classes: Sequence[str],
                           palette: Sequence[Sequence[int]], min_region: str = '',
                           details: Optional[dict] = None,
                           iiif_info: Optional[dict] = None) -> str:
    """Write the tile pyramids (when ``image`` or ``iiif_info`` is given) and the page of one
    scan; the viewer's script is installed once per collection (:func:`install_viewer`).

    Args:
        out_dir (Path): The collection's output folder.
        record (dict): The scan's record (``name``, ``mask``, ``overlay``, ``geojson``...).
        image (np.ndarray, optional): The scan (HxWx3 BGR); None: a page without viewer,
            unless ``iiif_info`` is given.
        mask (np.ndarray): Its class ids.
        classes, palette: Class names and RGB colours.
        min_region (str): The smallest counted region, in words.
        details (dict, optional): The run's settings, listed on the page.
        iiif_info (dict, optional): The ``info.json`` of the IIIF image service the scan
            came from: the viewer reads the scan's tiles from its server, and only the damage
            layers are written.

    Returns:
        str: The page's path relative to ``out_dir``.
    """
    out_dir = Path(out_dir)
    relative = f"reports/{record['name']}.html"
    page = out_dir / relative
    viewer = None
    if image is not None or iiif_info is not None:
        tiles = write_scan_tiles(out_dir / 'tiles' / record['name'],
                                 image if iiif_info is None else None, mask, classes, palette)

        def with_url(info: dict) -> dict:
            path = info.pop('path')
            return dict(info, url=relative_url(path.with_name(f'{path.stem}_files'), page,
                                               folder=True))

        scan = (with_url(tiles['scan']) if iiif_info is None else
                dict(iiif=iiif_info, width=mask.shape[1], height=mask.shape[0]))
        viewer = dict(script=relative_url(out_dir / 'viewer' / VIEWER_FILES[0], page),
                      scan=scan,
                      layers=[dict(with_url(info), name=name, opacity=LAYER_OPACITY)
                              for name, info in tiles['layers'].items()])
    links = {'collection index': relative_url(out_dir / 'index.html', page)}
    for label, key in (('mask (class ids)', 'mask'), ('overlay', 'overlay'),
                       ('GeoJSON', 'geojson'), ('W3C annotations', 'annotations')):
        if record.get(key):
            links[label] = relative_url(out_dir / record[key], page)
    write_text_atomic(page, condition_report_page(
        record, viewer, links, dict(zip(classes, palette)), min_region, details))
    return relative
