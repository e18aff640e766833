"""IIIF Presentation manifests that bring our damage annotations to a viewer: a museum's own
manifest with our annotation pages added to its canvases, and a manifest of our own for scans
read from files.

A viewer (Mirador, the Universal Viewer) opens a manifest, shows each canvas's images and loads
the annotation pages each canvas lists: so the museum's images are shown with our damage over
them, without copying them.
"""
import copy
from typing import Dict, List, Optional, Sequence
from urllib.parse import urlsplit

from ..iiif.image_service import as_list
from ..iiif.presentation_manifest import presentation_version
from .web_annotations import IIIF_CONTEXT


def check_base_url(url: str) -> str:
    """The address an output folder is published at, ending in '/' (IIIF ids are HTTP(S)
    URIs, so ids made from it are too).

    Raises:
        ValueError: Not an http(s) address with a host.
    """
    parts = urlsplit(url)
    if parts.scheme not in ('http', 'https') or not parts.netloc or parts.query or \
            parts.fragment:
        raise ValueError(f'{url!r} is not the http(s) address of a folder '
                         '(e.g. https://museum.example/damage/)')
    return url if url.endswith('/') else url + '/'


def _canvases(manifest: dict, version: int) -> List[dict]:
    # The canvases the reader (presentation_manifest.read_manifest) takes, in its way.
    if version == 3:
        return [item for item in as_list(manifest.get('items'))
                if isinstance(item, dict) and item.get('type', 'Canvas') == 'Canvas']
    return [canvas for sequence in as_list(manifest.get('sequences'))
            if isinstance(sequence, dict) for canvas in as_list(sequence.get('canvases'))
            if isinstance(canvas, dict)]


def annotated_manifest(manifest: dict, pages: Dict[str, str],
                       version: Optional[int] = None) -> dict:
    """A copy of a IIIF Presentation manifest whose canvases reference annotation pages.

    Presentation 3: each canvas in ``pages`` lists its page in ``annotations`` (after those it
    had; an earlier reference to the same page is replaced, so annotating twice adds it once).
    Presentation 2 has no ``annotations``: the page is added to the canvas's ``otherContent``,
    v2's list of annotation lists. The pages stay W3C AnnotationPages (Mirador reads them
    there by their type; a viewer of v2 only may not): converting the museum's manifest to
    version 3 would rewrite all of its other properties too.

    Args:
        manifest (dict): The manifest as read (JSON).
        pages (dict): Annotation page URL by canvas id.
        version (int, optional): 2 or 3, as the manifest was read; found from the manifest
            as the reader finds it when not given.

    Raises:
        ValueError: The manifest is of neither version, or a page is for a canvas it does not
            have (the message names both).
    """
    version = version or presentation_version(manifest)
    if version is None:
        name = manifest.get('id') or manifest.get('@id') or 'the manifest'
        raise ValueError(f'{name}: not a IIIF Presentation 2 or 3 manifest')
    annotated = copy.deepcopy(manifest)
    key = 'id' if version == 3 else '@id'
    canvases = {canvas.get(key): canvas for canvas in _canvases(annotated, version)}
    missing = [canvas_id for canvas_id in pages if canvas_id not in canvases]
    if missing:
        raise ValueError(f"{manifest.get(key)}: no canvas {missing[0]!r} in the manifest "
                         f"({len(canvases)} canvases)")
    for canvas_id, page in pages.items():
        canvas = canvases[canvas_id]
        if version == 3:
            listed, reference = 'annotations', dict(id=page, type='AnnotationPage')
        else:
            listed, reference = 'otherContent', {'@id': page, '@type': 'sc:AnnotationList'}
        canvas[listed] = [ref for ref in canvas.get(listed, [])
                          if (ref if isinstance(ref, str) else ref.get(key)) != page]
        canvas[listed].append(reference)
    return annotated


def scans_manifest(manifest_id: str, canvases: Sequence[dict], label: str) -> dict:
    """A Presentation 3 manifest of scans read from files: one canvas per scan, of the scan's
    size, showing a JPEG of it (a static image, IIIF's level 0) and listing its annotations.

    Args:
        manifest_id (str): The manifest's URL.
        canvases: Per scan: ``id``, ``label``, ``width`` and ``height`` (the canvas, the scan's
            size), ``image`` (``id``: its URL, ``width``, ``height``), optionally ``thumbnail``
            (the same) and ``annotations`` (the URL of its annotation page).
        label (str): The manifest's label.
    """
    items = []
    for canvas in canvases:
        image = dict(canvas['image'], type='Image', format='image/jpeg')
        item = dict(id=canvas['id'], type='Canvas', label=dict(none=[canvas['label']]),
                    width=canvas['width'], height=canvas['height'])
        if canvas.get('thumbnail'):
            item['thumbnail'] = [dict(canvas['thumbnail'], type='Image', format='image/jpeg')]
        item['items'] = [dict(id=f"{canvas['id']}/page", type='AnnotationPage', items=[dict(
            id=f"{canvas['id']}/page/image", type='Annotation', motivation='painting',
            body=image, target=canvas['id'])])]
        if canvas.get('annotations'):
            item['annotations'] = [dict(id=canvas['annotations'], type='AnnotationPage')]
        items.append(item)
    return {'@context': IIIF_CONTEXT, 'id': manifest_id, 'type': 'Manifest',
            'label': dict(en=[label]), 'items': items}
