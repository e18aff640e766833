"""IIIF Presentation manifests (versions 2 and 3): an object's canvases and the image of each.

A canvas is one view of the object (a page, a side); the image painted on it is served by a
IIIF image service, whose ``info.json`` the client reads. A canvas may be larger than its
image (coordinates are the canvas's own): annotations are made in canvas coordinates.

What cannot be read is kept with the canvas as a ``problem`` (no image, an image without an
image service, an image painted on part of the canvas only), so that the canvas is reported
as failed while the others are read.
"""
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, List, Optional, Tuple

from .iiif_error import IIIFError
from .image_service import as_list, physical_mm_per_unit


@dataclass(frozen=True)
class Canvas:
    """One canvas of a manifest.

    Args:
        id (str): The canvas's id.
        label (str): Its label in words ('' when it has none).
        width (int, optional): Canvas width, in canvas units.
        height (int, optional): Canvas height.
        service_url (str, optional): The ``info.json`` of the image service of its image.
        image_size (tuple[int, int], optional): The (width, height) the manifest gives its
            image.
        mm_per_unit (float, optional): Millimetres per canvas unit, from a Physical
            Dimensions service on the canvas.
        problem (str): Why its image cannot be read; '' when it can.
    """
    id: str
    label: str = ''
    width: Optional[int] = None
    height: Optional[int] = None
    service_url: Optional[str] = None
    image_size: Optional[Tuple[int, int]] = None
    mm_per_unit: Optional[float] = None
    problem: str = ''


@dataclass(frozen=True)
class Manifest:
    """A manifest: where it was read from, its version, label and canvases, and its JSON (a
    copy with annotations added is written from it)."""
    source: str
    version: int
    label: str
    canvases: Tuple[Canvas, ...]
    json: dict = field(compare=False, repr=False)


def presentation_version(data: Any) -> Optional[int]:
    """2 or 3 for a Presentation manifest, None for anything else."""
    if not isinstance(data, dict):
        return None
    kind = data.get('type') or data.get('@type')
    contexts = ' '.join(str(c) for c in as_list(data.get('@context')))
    if kind == 'Manifest' or (kind is None and 'iiif.io/api/presentation/3' in contexts):
        return 3
    if kind == 'sc:Manifest' or (kind is None and 'iiif.io/api/presentation/2' in contexts):
        return 2
    return None


def label_text(label: Any) -> str:
    """A label in words: a string, a version 2 list or ``@value``, or a version 3 language
    map (English first, then no language, then any)."""
    if isinstance(label, str):
        return label
    if isinstance(label, dict) and '@value' in label:
        return str(label['@value'])
    if isinstance(label, dict):
        for key in ['en', 'none', *label]:
            if label.get(key):
                return label_text(label[key])
        return ''
    if isinstance(label, list):
        return ' '.join(filter(None, (label_text(item) for item in label)))
    return '' if label is None else str(label)


def _size(item: dict) -> Optional[Tuple[int, int]]:
    width, height = item.get('width'), item.get('height')
    if all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in (width, height)):
        return width, height
    return None


def _image_service(resource: dict) -> Optional[str]:
    """The ``info.json`` URL of a resource's image service (version 2 or 3), or None."""
    for service in as_list(resource.get('service')):
        if not isinstance(service, dict):
            continue
        kind = str(service.get('type') or service.get('@type') or '')
        profile = ' '.join(str(p) for p in as_list(service.get('profile')))
        context = ' '.join(str(c) for c in as_list(service.get('@context')))
        if (kind.startswith('ImageService') or 'iiif.io/api/image' in profile + context
                or re.fullmatch(r'level[012]', profile)):
            service_id = service.get('id') or service.get('@id')
            if isinstance(service_id, str) and service_id:
                return service_id.rstrip('/') + '/info.json'
    return None


def _painted_region(target: Any) -> Optional[str]:
    """The ``xywh`` a painting annotation's target gives, or None for the whole canvas."""
    if isinstance(target, dict):
        selector = target.get('selector') or {}
        value = selector.get('value', '') if isinstance(selector, dict) else ''
        target = f"{target.get('source', '')}#{value}" if value else ''
    found = re.search(r'#xywh=([\d.,]+)', target) if isinstance(target, str) else None
    return found.group(1) if found else None


def _canvas(canvas: dict, paintings: List[Tuple[Any, Any]], where: str) -> Canvas:
    """A canvas from its JSON and its painting annotations' (resource, target)."""
    canvas_id = canvas.get('id') or canvas.get('@id')
    if not isinstance(canvas_id, str) or not canvas_id:
        raise IIIFError(f'{where}: a canvas has no id')
    size = _size(canvas)
    known = dict(id=canvas_id, label=label_text(canvas.get('label')),
                 width=size and size[0], height=size and size[1],
                 mm_per_unit=physical_mm_per_unit(canvas.get('service')))
    images = []
    for resource, target in paintings:
        while isinstance(resource, dict) and resource.get('type', resource.get('@type')) in (
                'Choice', 'oa:Choice'):  # alternatives: the default one
            resource = resource.get('default') or (as_list(resource.get('items'))
                                                   or as_list(resource.get('item')) or [None])[0]
        if isinstance(resource, dict):
            images.append((resource, target))
    if not images:
        return Canvas(**known, problem=f'canvas {canvas_id} has no image')
    resource, target = images[0]
    region = _painted_region(target)
    if region is not None and size and region != f'0,0,{size[0]},{size[1]}':
        return Canvas(**known, problem=f'canvas {canvas_id}: its image covers only part of '
                      f'it (xywh={region}); images painted on part of a canvas are not read')
    service_url = _image_service(resource)
    if service_url is None:
        image_id = resource.get('id') or resource.get('@id') or 'no id'
        return Canvas(**known, problem=f'canvas {canvas_id}: its image ({image_id}) has no '
                      'IIIF image service, so it cannot be read region by region')
    return Canvas(**known, service_url=service_url, image_size=_size(resource))


def read_manifest(data: Any, source: str) -> Manifest:
    """The canvases of a manifest's JSON (read from ``source``, a URL or file).

    Raises:
        IIIFError: Not a Presentation 2 or 3 manifest, or one without canvases.
    """
    version = presentation_version(data)
    if version is None:
        raise IIIFError(f'{source}: not a IIIF Presentation manifest (version 2 or 3)')
    canvases = []
    if version == 2:
        sequences = as_list(data.get('sequences'))
        for canvas in as_list(sequences[0].get('canvases')) if sequences else []:
            paintings = [(a.get('resource'), a.get('on')) for a in as_list(canvas.get('images'))
                         if isinstance(a, dict)]
            canvases.append(_canvas(canvas, paintings, source))
    else:
        for canvas in as_list(data.get('items')):
            if not isinstance(canvas, dict) or canvas.get('type', 'Canvas') != 'Canvas':
                continue
            paintings = [(body, annotation.get('target'))
                         for page in as_list(canvas.get('items')) if isinstance(page, dict)
                         for annotation in as_list(page.get('items'))
                         if isinstance(annotation, dict)
                         and annotation.get('motivation', 'painting') == 'painting'
                         for body in as_list(annotation.get('body'))]
            canvases.append(_canvas(canvas, paintings, source))
    if not canvases:
        raise IIIFError(f'{source}: the manifest has no canvases')
    return Manifest(source, version, label_text(data.get('label')), tuple(canvases), data)


def load_manifest(source: str, client) -> Manifest:
    """A manifest from a URL (through ``client``, an :class:`~.iiif_client.IIIFClient`) or a
    file.

    Raises:
        IIIFError: It cannot be fetched or read, or is not a manifest with canvases.
    """
    if source.startswith(('http://', 'https://')):
        return read_manifest(client.get_json(source), source)
    try:
        data = json.loads(Path(source).read_text(encoding='utf-8-sig'))
    except (OSError, ValueError) as error:
        raise IIIFError(f'{source}: the manifest could not be read ({error})') from None
    return read_manifest(data, source)
