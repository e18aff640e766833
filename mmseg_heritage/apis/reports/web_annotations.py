"""A scan's damage as W3C Web Annotations: one IIIF Presentation 3 ``AnnotationPage`` per
scan, for Mirador, the Universal Viewer and any annotation store.

Each damage region that the condition report counts is one ``Annotation`` (motivation
``commenting`` and ``tagging``) with two bodies: a tag with the class's name, and a sentence
with the region's area (pixels, and mm² where the resolution is known) and, for linear damage,
its length. Its target is a ``SpecificResource``: the canvas (``source``, with the manifest it
is part of) and an ``SvgSelector`` whose ``<path>`` follows the region's pixel edges
(:mod:`.damage_outlines`), one sub-path per ring with ``fill-rule="evenodd"`` so that holes
stay holes, in the canvas's coordinates: a canvas of another size than the scan (a museum's
manifest may describe its image at any size) gets the outline scaled to it.
"""
from typing import Dict, Optional, Sequence

from .damage_measures import DamageRegion
from .damage_outlines import svg_path

IIIF_CONTEXT = 'http://iiif.io/api/presentation/3/context.json'
FILL_OPACITY = 0.35


def _hex(colour: Sequence[int]) -> str:
    return '#{:02x}{:02x}{:02x}'.format(*map(int, colour))


def _description(region: DamageRegion) -> str:
    """The region's measures in words: '1,234 px (0.55 mm²), 52.1 mm long (123 px)'."""
    text = f'{region.damage}: {region.pixels:,} px'
    if region.area_mm2 is not None:
        text += f' ({region.area_mm2:,.2f} mm²)'
    if region.length_px is not None:
        text += (f', {region.length_mm:,.1f} mm long ({region.length_px:,.0f} px)'
                 if region.length_mm is not None else f', {region.length_px:,.0f} px long')
    return text


def damage_annotation_page(regions: Sequence[DamageRegion], page_id: str, canvas: Dict,
                           scan_size: Sequence[int], palette: Sequence[Sequence[int]],
                           label: Optional[str] = None) -> dict:
    """The AnnotationPage of one scan's damage regions (JSON-LD, as a dict).

    Args:
        regions: The scan's counted regions (:func:`measure_damage_regions`).
        page_id (str): The page's URL (where it will be served).
        canvas (dict): What the annotations target: ``id`` (the canvas's URI), ``width`` and
            ``height`` (the canvas's size) and, optionally, ``manifest`` (the URI of the
            manifest the canvas is part of).
        scan_size: (width, height) of the mask the regions were found in: outlines are
            scaled by the canvas's size over it.
        palette: RGB colour of each class id (the outlines' stroke and fill).
        label (str, optional): The page's label, e.g. the scan's name.
    """
    scale = (canvas['width'] / scan_size[0], canvas['height'] / scan_size[1])
    source = dict(id=canvas['id'], type='Canvas')
    if canvas.get('manifest'):
        source['partOf'] = [dict(id=canvas['manifest'], type='Manifest')]
    items = []
    for number, region in enumerate(regions, 1):
        colour = _hex(palette[region.class_id])
        svg = ('<svg xmlns="http://www.w3.org/2000/svg">'
               f'<path d="{svg_path(region.outline, scale)}" fill-rule="evenodd" '
               f'fill="{colour}" fill-opacity="{FILL_OPACITY}" stroke="{colour}" '
               'stroke-width="1" vector-effect="non-scaling-stroke"/></svg>')
        items.append(dict(
            id=f'{page_id}#region-{number}', type='Annotation',
            motivation=['commenting', 'tagging'],
            body=[dict(type='TextualBody', value=region.damage, purpose='tagging',
                       format='text/plain', language='en'),
                  dict(type='TextualBody', value=_description(region), purpose='describing',
                       format='text/plain', language='en')],
            target=dict(type='SpecificResource', source=source,
                        selector=dict(type='SvgSelector', value=svg))))
    page = {'@context': IIIF_CONTEXT, 'id': page_id, 'type': 'AnnotationPage'}
    if label:
        page['label'] = dict(en=[label])
    page['items'] = items
    return page
