"""The condition report of one scan: a deep-zoom viewer of the scan with its damage, and the
damage per class in physical units.

The page opens from the file system (no server): its style and script are inline, the viewer
is OpenSeadragon from a file beside the reports, and the tile pyramids are given to it inline
(reading a ``.dzi`` file would need a request that browsers refuse to ``file://`` pages). Each
damage class is a layer of its own, with a switch and an opacity slider. A scan served by IIIF
is shown from its image server's tiles (its ``info.json`` given inline).
"""
import html
import json
from typing import Dict, Optional, Sequence

from .html_report import PAGE_STYLE

VIEWER_STYLE = """
#viewer { width: 100%; height: 70vh; min-height: 420px; background: #111;
          border: 1px solid #444; }
.controls { display: flex; flex-wrap: wrap; gap: 0.3em 1.5em; margin: 0.6em 0; }
.controls label { white-space: nowrap; } .controls input[type=range] { width: 7em; }
.zoom button { margin-right: 0.4em; } table.facts td { text-align: left; }
"""

# Reads the tile pyramids given in #viewer-data and wires the layer controls. window.
# conditionReport holds the viewer and each layer's item (tests and curious users look there).
VIEWER_SCRIPT = """
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('viewer-data').textContent);
  var report = window.conditionReport = {viewer: null, layers: data.layers, opened: false};
  function tileSource(pyramid) {
    if (pyramid.iiif) {  // a scan read from its IIIF image server, not tiled again
      return new OpenSeadragon.IIIFTileSource(pyramid.iiif);
    }
    var source = new OpenSeadragon.DziTileSource({
      width: pyramid.width, height: pyramid.height, tileSize: pyramid.tile_size,
      tileOverlap: pyramid.overlap, tilesUrl: pyramid.url, fileFormat: pyramid.format});
    if (pyramid.tiles) {
      // Tiles without damage were never written: do not ask for them.
      source.tileExists = function (level, x, y) {
        var count = this.getNumTiles(level), row = pyramid.tiles[level];
        return row !== undefined && x >= 0 && y >= 0 && x < count.x && y < count.y &&
          row.charAt(y * count.x + x) === '1';
      };
    }
    return source;
  }
  var sources = [tileSource(data.scan)].concat(data.layers.map(tileSource));
  var viewer = report.viewer = OpenSeadragon({
    element: document.getElementById('viewer'),
    // WebGL may not draw tiles of a file:// page (another origin to it); a 2D canvas can.
    drawer: 'canvas',
    showNavigationControl: false,
    showNavigator: true,
    navigatorPosition: 'BOTTOM_RIGHT',
    maxZoomPixelRatio: 4,
    tileSources: sources.map(function (source, index) {
      return {tileSource: source,
              opacity: index ? data.layers[index - 1].opacity : 1};
    })
  });
  function item(index) {
    for (var i = 0; i < viewer.world.getItemCount(); i++) {
      if (viewer.world.getItemAt(i).source === sources[index]) {
        return viewer.world.getItemAt(i);
      }
    }
    return null;
  }
  function update(layer) {
    var shown = document.getElementById('show-' + layer).checked;
    var opacity = document.getElementById('opacity-' + layer).value / 100;
    var image = item(layer + 1);
    if (image) {
      image.setOpacity(shown ? opacity : 0);
    }
  }
  data.layers.forEach(function (layer, index) {
    ['show-', 'opacity-'].forEach(function (prefix) {
      document.getElementById(prefix + index).addEventListener('input', function () {
        update(index);
      });
    });
  });
  function showViewSize() {
    var scan = item(0), out = document.getElementById('view-size');
    if (!scan || !out) {
      return;
    }
    var rect = scan.viewportToImageRectangle(viewer.viewport.getBounds(true));
    var width = Math.min(rect.width, data.scan.width), height = Math.min(rect.height,
      data.scan.height);
    out.textContent = data.mm_per_px ?
      (width * data.mm_per_px[0]).toFixed(1) + ' x ' + (height * data.mm_per_px[1]).toFixed(1) +
        ' mm in view' :
      Math.round(width) + ' x ' + Math.round(height) + ' px in view';
  }
  viewer.addHandler('open', function () {
    report.opened = true;
    data.layers.forEach(function (layer, index) { update(index); });
    showViewSize();
  });
  viewer.addHandler('animation', showViewSize);
  viewer.addHandler('animation-finish', showViewSize);
  document.getElementById('zoom-in').addEventListener('click', function () {
    viewer.viewport.zoomBy(2); viewer.viewport.applyConstraints();
  });
  document.getElementById('zoom-out').addEventListener('click', function () {
    viewer.viewport.zoomBy(0.5); viewer.viewport.applyConstraints();
  });
  document.getElementById('zoom-fit').addEventListener('click', function () {
    viewer.viewport.goHome();
  });
}());
"""


def _number(value, digits: int = 2) -> str:
    return '—' if value is None else f'{value:,.{digits}f}'


def _swatch(colour: Sequence[int]) -> str:
    return ('<span class="swatch" style="background: rgb({}, {}, {})"></span>'
            .format(*map(int, colour)))


def resolution_text(resolution: dict) -> str:
    """'600 dpi (TIFF tags)', or why the resolution is unknown."""
    if not resolution or resolution.get('mm_per_px') is None:
        return 'unknown: ' + (resolution or {}).get('source', 'not read')
    dpi = resolution['dpi']
    across = f'{dpi[0]:g}' if dpi[0] == dpi[1] else f'{dpi[0]:g} x {dpi[1]:g}'
    return f"{across} dpi ({resolution['source']})"


def _damage_table(damage: Dict[str, dict], colours: Dict[str, Sequence[int]],
                  known: bool) -> str:
    found = {name: entry for name, entry in damage.items() if entry['pixels']}
    if not found:
        return '<p>No damage found.</p>'
    rows = []
    for name, entry in sorted(found.items(), key=lambda item: -item[1]['pixels']):
        linear = 'length_px' in entry
        rows.append(
            f'<tr><td>{_swatch(colours[name])}{html.escape(name)}</td>'
            f"<td>{_number(entry['percent'], 3)}</td><td>{_number(entry['area_mm2'])}</td>"
            f"<td>{entry['regions']}</td>"
            f"<td>{_number(entry.get('length_mm'), 1) if linear else ''}</td>"
            f"<td>{_number(entry.get('length_px'), 0) if linear else ''}</td>"
            f"<td>{entry['pixels']:,}</td></tr>")
    head = ''.join(f'<th>{h}</th>' for h in (
        'damage', '% of scan', 'area (mm²)', 'regions', 'length (mm)', 'length (px)', 'pixels'))
    note = ('' if known else '<p class="note">The scan\'s resolution is unknown, so areas and '
            'lengths are given in pixels only: run again with <code>--dpi</code> or '
            '<code>--mm-per-px</code>.</p>')
    return (f'<table id="damage"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}'
            f'</tbody></table>{note}')


def condition_report_page(record: dict, viewer: Optional[dict], links: Dict[str, str],
                          colours: Dict[str, Sequence[int]], min_region: str = '',
                          details: Optional[dict] = None) -> str:
    """The condition report of one scan, as a string.

    Args:
        record (dict): The scan's record in the damage report (size, resolution, ``damage``
            measures per class, damaged share and area).
        viewer (dict, optional): ``script`` (URL of openseadragon.min.js), ``scan`` and
            ``layers``: pyramids as :class:`DeepZoomWriter` describes them plus ``url`` of
            their tiles, and for layers ``name``, ``colour`` (RGB) and ``opacity``; ``scan``
            may instead be ``iiif`` (an image service's ``info.json``, whose server gives the
            tiles), ``width`` and ``height``. None: no viewer.
        links (dict): URLs by label ('collection', 'mask', 'overlay', 'GeoJSON', ...).
        colours (dict): RGB of each class.
        min_region (str): How small a region may be and still be counted, in words.
        details (dict, optional): Settings of the run (model, checkpoint, tiles), listed.
    """
    name = html.escape(record['name'])
    resolution = record.get('resolution') or {}
    known = resolution.get('mm_per_px') is not None
    width, height = record['width'], record['height']
    size = f'{width:,} x {height:,} px'
    if known:
        size += (f" = {width * resolution['mm_per_px'][0]:,.1f} x "
                 f"{height * resolution['mm_per_px'][1]:,.1f} mm")
    facts = [('file', html.escape(record['file'])), ('size', size),
             ('resolution', html.escape(resolution_text(resolution))),
             ('damaged', f"{_number(record['damaged_percent'], 3)} % of the scan" + (
                 f", {_number(record['damaged_mm2'])} mm²" if known else ''))]
    parts = [f'<h1>Condition report: {name}</h1>',
             '<p>' + ' · '.join(f'<a href="{html.escape(url)}">{html.escape(label)}</a>'
                                for label, url in links.items()) + '</p>',
             '<table class="facts"><tbody>' + ''.join(
                 f'<tr><th>{label}</th><td>{value}</td></tr>' for label, value in facts)
             + '</tbody></table>']
    if viewer is not None:
        controls = ''.join(
            f'<label>{_swatch(layer["colour"])}<input type="checkbox" id="show-{i}" checked> '
            f'{html.escape(layer["name"])}</label><label>opacity <input type="range" '
            f'id="opacity-{i}" min="0" max="100" value="{round(layer["opacity"] * 100)}"></label>'
            for i, layer in enumerate(viewer['layers']))
        data = dict(scan=viewer['scan'], layers=viewer['layers'],
                    mm_per_px=resolution.get('mm_per_px'))
        parts += ['<h2>Scan and damage</h2>',
                  '<p class="zoom"><button id="zoom-in">Zoom in</button><button id="zoom-out">'
                  'Zoom out</button><button id="zoom-fit">Whole scan</button>'
                  '<span id="view-size" class="note"></span></p>',
                  f'<div class="controls">{controls or "No damage to show."}</div>',
                  '<div id="viewer"></div>',
                  '<p class="note">Scroll or pinch to zoom, drag to move. Damage is drawn in its '
                  'class colour; zoomed out, a tile shows any damage it holds.</p>',
                  '<script type="application/json" id="viewer-data">'
                  + json.dumps(data).replace('</', '<\\/') + '</script>',
                  f'<script src="{html.escape(viewer["script"])}"></script>',
                  f'<script>{VIEWER_SCRIPT}</script>']
    parts += ['<h2>Damage by class</h2>', _damage_table(record['damage'], colours, known)]
    if min_region:
        parts.append(f'<p class="note">Regions: separate areas of a class (touching at a corner '
                     f'counts as joined) of at least {html.escape(min_region)}. Lengths run '
                     'along the middle of linear damage (scratches, hair, folds, cracks) in '
                     'those regions.</p>')
    if details:
        parts += ['<h2>How it was made</h2>', '<table class="facts"><tbody>' + ''.join(
            f'<tr><th>{html.escape(str(key))}</th><td>{html.escape(str(value))}</td></tr>'
            for key, value in details.items() if value is not None) + '</tbody></table>']
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<title>Condition report: {name}</title>'
            f'<style>{PAGE_STYLE}{VIEWER_STYLE}</style></head>\n<body>\n'
            + '\n'.join(parts) + '\n</body></html>\n')
