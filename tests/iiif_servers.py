"""IIIF servers on 127.0.0.1 for the tests, in threads of the test process, with faults to
inject: a level-0 static tile set written by the IIIF reference implementation (``iiif``'s
``IIIFStatic``, as ``iiif_static.py`` writes it) served as plain files, and a small level-2
server that cuts any region, at any size, from images held in memory. Also manifests
(Presentation 2 and 3) to serve or write."""
import json
import logging
import re
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple
from urllib.parse import unquote

import cv2
import numpy as np

HANG_SECONDS = 30  # a hung answer waits this long, or until the server stops
PHYSDIM = 'http://iiif.io/api/annex/services/physdim'


class Faults:
    """What the next requests for a path get instead of their answer, each fault used once:
    ``(status, headers)`` an HTTP error, ``'hang'`` no answer, ``'cut'`` half the body after a
    header promising all of it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queued: List[Tuple[str, object]] = []

    def add(self, path_part: str, *faults) -> None:
        """Faults for the next requests whose path contains ``path_part``, in order."""
        with self._lock:
            self._queued += [(path_part, fault) for fault in faults]

    def take(self, path: str):
        with self._lock:
            for index, (part, fault) in enumerate(self._queued):
                if part in path:
                    del self._queued[index]
                    return fault
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def do_GET(self) -> None:  # noqa: N802  (http.server's name)
        server = self.server
        with server.lock:
            server.requests.append(self.path)
            server.in_flight += 1
            server.most_in_flight = max(server.most_in_flight, server.in_flight)
        try:
            self._answer(server)
        finally:
            with server.lock:
                server.in_flight -= 1

    def _answer(self, server) -> None:
        fault = server.faults.take(self.path)
        if fault == 'hang':
            server.stopping.wait(HANG_SECONDS)
            self.close_connection = True
            return
        if isinstance(fault, tuple):
            status, headers = fault
            self._send(status, b'fault', 'text/plain', headers)
            return
        status, body, kind, *headers = server.content(unquote(self.path.split('?')[0]))
        if server.delay:
            server.stopping.wait(server.delay)
        if fault == 'cut':
            self.send_response(status)
            self.send_header('Content-Type', kind)
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body[:len(body) // 2])
            self.close_connection = True
            return
        self._send(status, body, kind, *headers)

    def _send(self, status: int, body: bytes, kind: str, headers: Optional[dict] = None) -> None:
        self.send_response(status)
        self.send_header('Content-Type', kind)
        self.send_header('Content-Length', str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # quiet
        pass


@contextmanager
def serve(content: Callable[[str], Tuple[int, bytes, str]], delay: float = 0.0) -> Iterator:
    """A server on 127.0.0.1 (any free port) answering ``content(path)`` -> (status, body,
    content type[, headers]), in a thread; it has ``url``, ``faults``, ``requests`` (paths
    asked for) and ``most_in_flight`` (the most requests it answered at once). ``delay``:
    seconds each answer takes."""
    server = ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
    server.daemon_threads = True
    server.url = f'http://127.0.0.1:{server.server_address[1]}'
    server.content, server.delay, server.faults = content, delay, Faults()
    server.lock, server.stopping = threading.Lock(), threading.Event()
    server.requests, server.in_flight, server.most_in_flight = [], 0, 0
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()


def files_under(root: Path) -> Callable[[str], Tuple[int, bytes, str]]:
    """Answers with the files below ``root`` (as ``python -m http.server`` serves them)."""
    kinds = {'.json': 'application/json', '.jpg': 'image/jpeg', '.png': 'image/png'}

    def content(path: str):
        target = root / path.lstrip('/')
        if not target.is_file():
            return 404, b'not found', 'text/plain'
        return 200, target.read_bytes(), kinds.get(target.suffix, 'application/octet-stream')
    return content


def static_tiles(image: Path, root: Path, base_url: str, identifier: str, tile: int,
                 api: str = '2.1') -> dict:
    """A level-0 tile set of ``image`` written by the IIIF reference implementation into
    ``root/identifier`` (its ids under ``base_url``); its info.json, as written."""
    from iiif.static import IIIFStatic
    logging.getLogger('iiif.static').setLevel(logging.WARNING)  # a line per tile otherwise
    IIIFStatic(dst=str(root), tilesize=tile, api_version=api, prefix=base_url).generate(
        str(image), identifier=identifier)
    return json.loads((root / identifier / 'info.json').read_text())


def _size(text: str, width: int, height: int) -> Tuple[int, int]:
    """The (width, height) an Image API size asks for, from a region of width x height."""
    if text in ('full', 'max'):
        return width, height
    found = re.fullmatch(r'(!?)(\d*),(\d*)', text)
    if not found or not (found.group(2) or found.group(3)):
        raise ValueError(text)
    w, h = found.group(2), found.group(3)
    if found.group(1):  # best fit within w x h
        scale = min(int(w) / width, int(h) / height)
        return max(1, round(width * scale)), max(1, round(height * scale))
    if w and h:
        return int(w), int(h)
    if w:
        return int(w), max(1, round(height * int(w) / width))
    return max(1, round(width * int(h) / height)), int(h)


class Level2Images:
    """A level-2 image server (Image API 2 or 3) of images held in memory, at
    ``/iiif/<identifier>/`` (which redirects to its info.json): any region (``full``,
    ``x,y,w,h``), any size (``full``, ``max``,
    ``w,``, ``,h``, ``w,h``, ``!w,h``), JPEG or PNG; requests beyond ``max_width``,
    ``max_area`` are refused with 400 and counted in ``refused``.

    Args:
        images (dict): BGR arrays by identifier.
        base_url (str): The server's URL (the ids in info.json).
        version (int): Image API version, 2 or 3.
        tile (int, optional): Tile size listed (None: no tiles).
        max_width, max_area (int, optional): Limits listed and enforced.
        preferred (str, optional): ``preferredFormats`` (version 3).
        mm_per_px (float, optional): A Physical Dimensions service on the service, in mm.
        declared (dict, optional): (width, height) info.json gives, by identifier, instead of
            the image's.
    """

    def __init__(self, images: Dict[str, np.ndarray], base_url: str, version: int = 3,
                 tile: Optional[int] = 256, max_width: Optional[int] = None,
                 max_area: Optional[int] = None, preferred: Optional[str] = None,
                 mm_per_px: Optional[float] = None,
                 declared: Optional[Dict[str, Tuple[int, int]]] = None) -> None:
        self.images, self.base_url, self.version = images, base_url, version
        self.tile, self.max_width, self.max_area = tile, max_width, max_area
        self.preferred, self.mm_per_px, self.declared = preferred, mm_per_px, declared or {}
        self.refused = 0

    def service_id(self, identifier: str) -> str:
        return f'{self.base_url}/iiif/{identifier}'

    def info(self, identifier: str) -> dict:
        height, width = self.images[identifier].shape[:2]
        width, height = self.declared.get(identifier, (width, height))
        limits = {key: value for key, value in (('maxWidth', self.max_width),
                                                ('maxArea', self.max_area)) if value}
        info = {'width': width, 'height': height, 'protocol': 'http://iiif.io/api/image'}
        if self.tile:
            info['tiles'] = [{'width': self.tile, 'scaleFactors': [1, 2, 4, 8]}]
        if self.mm_per_px:
            info['service'] = [{'@context': f'{PHYSDIM}/1/context.json', 'profile': PHYSDIM,
                                'physicalScale': self.mm_per_px / 10, 'physicalUnits': 'cm'}]
        if self.version == 2:
            return {'@context': 'http://iiif.io/api/image/2/context.json',
                    '@id': self.service_id(identifier), **info,
                    'profile': ['http://iiif.io/api/image/2/level2.json',
                                {'formats': ['jpg', 'png'], **limits}]}
        return {'@context': 'http://iiif.io/api/image/3/context.json',
                'id': self.service_id(identifier), 'type': 'ImageService3', **info,
                'profile': 'level2', 'extraFormats': ['png'], **limits,
                **({'preferredFormats': [self.preferred]} if self.preferred else {})}

    def __call__(self, path: str) -> Tuple[int, bytes, str]:
        parts = path.strip('/').split('/')
        if len(parts) < 2 or parts[0] != 'iiif' or parts[1] not in self.images:
            return 404, b'not found', 'text/plain'
        identifier = parts[1]
        if len(parts) == 2:
            return 303, b'', 'text/plain', {'Location': f'{self.service_id(identifier)}/info.json'}
        if parts[2:] == ['info.json']:
            return 200, json.dumps(self.info(identifier)).encode(), 'application/json'
        if len(parts) != 6:
            return 400, b'bad request', 'text/plain'
        region, size, rotation, quality = parts[2:]
        image = self.images[identifier]
        if region == 'full':
            x, y, w, h = 0, 0, image.shape[1], image.shape[0]
        else:
            x, y, w, h = map(int, region.split(','))
        crop = image[y:y + h, x:x + w]  # cut at the image's edges, as servers do
        if not crop.size:
            return 400, b'region outside the image', 'text/plain'
        try:
            width, height = _size(size, crop.shape[1], crop.shape[0])
        except ValueError:
            return 400, b'bad size', 'text/plain'
        if ((self.max_width and width > self.max_width)
                or (self.max_area and width * height > self.max_area)):
            self.refused += 1
            return 400, b'beyond maxWidth or maxArea', 'text/plain'
        if (width, height) != crop.shape[1::-1]:
            crop = cv2.resize(crop, (width, height), interpolation=cv2.INTER_AREA)
        name, kind = quality.rsplit('.', 1)
        params = [cv2.IMWRITE_JPEG_QUALITY, 90] if kind == 'jpg' else []
        ok, data = cv2.imencode(f'.{kind}', crop, params)
        return 200, data.tobytes(), 'image/png' if kind == 'png' else 'image/jpeg'


def manifest(version: int, base_url: str, canvases: Sequence[dict],
             label: str = 'A test object') -> dict:
    """A Presentation manifest of ``canvases``: dicts with ``width``, ``height``, ``service``
    (an image service id, or None for a canvas without image), ``label``, and optionally
    ``image_size`` (width, height) and ``mm_per_unit`` (a Physical Dimensions service)."""
    items = []
    for index, spec in enumerate(canvases, 1):
        canvas_id = f'{base_url}/canvas/{index}'
        width, height = spec['width'], spec['height']
        image_w, image_h = spec.get('image_size', (width, height))
        canvas = {'width': width, 'height': height}
        if spec.get('mm_per_unit'):
            canvas['service'] = {'@context': f'{PHYSDIM}/1/context.json', 'profile': PHYSDIM,
                                 'physicalScale': spec['mm_per_unit'], 'physicalUnits': 'mm'}
        service = spec.get('service')
        if version == 2:
            canvas.update({'@id': canvas_id, '@type': 'sc:Canvas', 'label': spec['label']})
            canvas['images'] = [] if service is None else [{
                '@type': 'oa:Annotation', 'motivation': 'sc:painting', 'on': canvas_id,
                'resource': {'@id': f'{service}/full/full/0/default.jpg',
                             '@type': 'dctypes:Image', 'width': image_w, 'height': image_h,
                             'service': {'@context': 'http://iiif.io/api/image/2/context.json',
                                         '@id': service,
                                         'profile': 'http://iiif.io/api/image/2/level0.json'}}}]
        else:
            canvas.update({'id': canvas_id, 'type': 'Canvas',
                           'label': {'en': [spec['label']]}})
            annotations = [] if service is None else [{
                'id': f'{canvas_id}/painting', 'type': 'Annotation', 'motivation': 'painting',
                'target': canvas_id,
                'body': {'id': f'{service}/full/max/0/default.jpg', 'type': 'Image',
                         'width': image_w, 'height': image_h,
                         'service': [{'id': service, 'type': spec.get('service_type',
                                                                    'ImageService3'),
                                      'profile': 'level0'}]}}]
            canvas['items'] = [{'id': f'{canvas_id}/page', 'type': 'AnnotationPage',
                                'items': annotations}]
        items.append(canvas)
    if version == 2:
        return {'@context': 'http://iiif.io/api/presentation/2/context.json',
                '@id': f'{base_url}/manifest.json', '@type': 'sc:Manifest', 'label': label,
                'sequences': [{'@type': 'sc:Sequence', 'canvases': items}]}
    return {'@context': 'http://iiif.io/api/presentation/3/context.json',
            'id': f'{base_url}/manifest.json', 'type': 'Manifest', 'label': {'en': [label]},
            'items': items}
