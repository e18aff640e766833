"""The index of a collection's condition reports: one row per scan with a thumbnail of its
damage, sortable by any column (most damaged first when it opens), with the collection's totals
per class."""
import html
from typing import Dict, Optional, Sequence
from urllib.parse import quote

from .condition_report_page import resolution_text
from .html_report import PAGE_STYLE

INDEX_STYLE = """
th.sortable { cursor: pointer; } th.sortable:after { content: ' \\2195'; color: #999; }
tr.failed td { color: #a00; } td.text { text-align: left; } td.size { white-space: nowrap; }
td.scan { text-align: left; } td.scan img { display: block; max-width: 160px; max-height: 160px;
                                            margin-bottom: 0.2em; }
"""

# Clicking a header sorts by that column (numbers by data-value), again: the other way.
SORT_SCRIPT = """
(function () {
  'use strict';
  var table = document.getElementById('scans');
  var body = table.tBodies[0];
  function value(row, column) {
    var cell = row.cells[column];
    var number = cell.getAttribute('data-value');
    return number === null ? cell.textContent.toLowerCase() : parseFloat(number);
  }
  function sort(column, descending) {
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a, column), y = value(b, column);
      var order = x < y ? -1 : (x > y ? 1 : 0);
      return descending ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    table.setAttribute('data-sorted', column + (descending ? ' descending' : ' ascending'));
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, column) {
    header.classList.add('sortable');
    header.addEventListener('click', function () {
      var descending = table.getAttribute('data-sorted') !== column + ' descending';
      sort(column, descending);
    });
  });
  sort(parseInt(table.getAttribute('data-sort-first'), 10), true);
}());
"""


def _cell(text: str, value: Optional[float] = None, css: str = '') -> str:
    """A cell; ``value`` is what it sorts by where that is a number."""
    sort = '' if value is None else f' data-value="{value}"'
    css = f' class="{css}"' if css else ''
    return f'<td{sort}{css}>{text}</td>'


def _scan_row(record: dict) -> str:
    name = html.escape(record['name'])
    if record['status'] != 'ok':
        error = _cell(html.escape(record.get('error', '')), None, 'text')
        return (f'<tr class="failed">{_cell(name)}{_cell("failed", -1)}{_cell("", -1)}'
                f'{_cell("", -1)}{error}{_cell("", -1)}{_cell("")}</tr>')
    if record.get('thumbnail'):  # the scan with its damage, above its name
        name = f'<img src="{quote(record["thumbnail"])}" alt="" loading="lazy">{name}'
    link = f'<a href="{quote(record["report"])}">{name}</a>' if record.get('report') else name
    damage = {label: entry for label, entry in record['damage'].items() if entry['pixels']}
    main = sorted(damage.items(), key=lambda item: -item[1]['pixels'])[:3]
    main_text = ', '.join(f"{html.escape(label)} {entry['percent']:.2f} %"
                          for label, entry in main) or 'none'
    area = record.get('damaged_mm2')
    regions = sum(entry['regions'] for entry in damage.values())
    share, pixels = record['damaged_percent'], record['width'] * record['height']
    cells = [_cell(link, None, 'scan'), _cell(f'{share:.3f}', share),
             _cell('—', -1) if area is None else _cell(f'{area:,.1f}', area),
             _cell(str(regions), regions), _cell(main_text, None, 'text'),
             _cell(f"{record['width']:,} x {record['height']:,}", pixels, 'size'),
             _cell(html.escape(resolution_text(record.get('resolution'))), None, 'text')]
    return f'<tr>{"".join(cells)}</tr>'


def collection_index_page(records: Sequence[dict], summary: dict, complete: bool,
                          title: str = 'Condition reports',
                          links: Optional[Dict[str, str]] = None) -> str:
    """The index page, as a string.

    Args:
        records: The scans' records in the damage report (``report`` is each page's path,
            ``thumbnail`` its picture's).
        summary (dict): The report's summary (``classes``: totals per damage class).
        complete (bool): Whether every scan of the collection is done.
        title (str): Page title.
        links (dict, optional): URLs by label of the collection's other pages (its IIIF
            manifest and viewer), shown under the title.
    """
    header = ''.join(f'<th>{label}</th>' for label in (
        'scan', 'damaged %', 'damaged mm²', 'regions', 'main damage', 'pixels', 'resolution'))
    rows = ''.join(_scan_row(record) for record in records)
    totals = []
    for label, total in summary.get('classes', {}).items():
        if not total['pixels']:
            continue
        area, length = total.get('area_mm2'), total.get('length_mm')
        cells = [html.escape(label), total['files_with'], total['regions'],
                 '' if area is None else f'{area:,.1f}', '' if length is None else f'{length:,.1f}']
        totals.append('<tr>' + ''.join(f'<td>{cell}</td>' for cell in cells) + '</tr>')
    state = ('' if complete else '<p class="note"><b>Incomplete:</b> not every scan has been '
             'processed yet; run the same command again to finish.</p>')
    unknown = summary.get('without_resolution', 0)
    parts = [f'<h1>{html.escape(title)}</h1>', state]
    if links:
        parts.append('<p id="links">' + ' · '.join(
            f'<a href="{quote(url)}">{html.escape(label)}</a>' for label, url in links.items())
            + '</p>')
    parts += [f"<p>{summary.get('processed', 0)} scans processed, {summary.get('failed', 0)} "
              'could not be read. Click a column to sort by it.</p>',
              f'<table id="scans" data-sort-first="1"><thead><tr>{header}</tr></thead>'
              f'<tbody>{rows}</tbody></table>',
              '<h2>Damage in the collection</h2>',
              '<table><thead><tr><th>damage</th><th>scans with it</th><th>regions</th>'
              '<th>area (mm²)</th><th>length (mm)</th></tr></thead><tbody>'
              + (''.join(totals) or '<tr><td colspan="5">none found</td></tr>')
              + '</tbody></table>']
    if unknown:
        parts.append(f'<p class="note">Areas and lengths in mm leave out {unknown} '
                     f'scan{"s" if unknown > 1 else ""} of unknown resolution.</p>')
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<title>{html.escape(title)}</title><style>{PAGE_STYLE}{INDEX_STYLE}</style>'
            '</head>\n<body>\n' + '\n'.join(parts) + f'\n<script>{SORT_SCRIPT}</script>\n'
            '</body></html>\n')
