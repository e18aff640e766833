"""What a collection run accepts from IIIF, as scans with names for their outputs.

- an image service: its ``info.json`` URL (or any URL answering with one);
- a Presentation manifest (version 2 or 3): its URL or a ``.json`` file; every canvas's
  image, or those picked by ``canvases`` (1-based positions or canvas ids);
- a ``.txt`` file of such URLs (or manifest files), one a line (``#`` starts a comment).

A manifest or service that cannot be fetched becomes a scan that fails with the reason when
predicted, so the rest of a collection goes on and the report lists it.
"""
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple
from urllib.parse import unquote, urlsplit

from .iiif_client import IIIFClient
from .iiif_error import IIIFError
from .iiif_scan import IIIFScan
from .image_service import image_api_version
from .presentation_manifest import Manifest, load_manifest, presentation_version, read_manifest

URL_SCHEMES = ('http://', 'https://')
MANIFEST_SUFFIX = '.json'
URL_LIST_SUFFIX = '.txt'
# Path segments that say nothing of what a manifest or image is.
GENERIC_SEGMENTS = ('manifest', 'info', 'iiif', 'presentation', 'image', 'images', 'full')
LABEL_CHARACTERS = 40


def is_iiif_input(spec: str) -> bool:
    """Whether an input names IIIF resources: a URL, a manifest file or a file of URLs."""
    return spec.startswith(URL_SCHEMES) or (
        Path(spec).suffix.lower() in (MANIFEST_SUFFIX, URL_LIST_SUFFIX) and Path(spec).is_file())


def slug(text: str, limit: int = LABEL_CHARACTERS) -> str:
    """``text`` as a file name: runs of other than letters, digits, '.', '-' become '_'."""
    return re.sub(r'[^\w.-]+', '_', text).strip('_.')[:limit].rstrip('_.')


def source_name(source: str, label: str = '') -> str:
    """A short name for a manifest or image service: the last telling part of its URL or file
    path (``.../objects/ms-42/manifest.json`` gives ``ms-42``), else its label, else the
    server's name."""
    path = urlsplit(source).path if source.startswith(URL_SCHEMES) else source
    for segment in reversed([unquote(s) for s in path.split('/') if s]):
        stem = re.sub(r'\.json$', '', segment, flags=re.IGNORECASE)
        if stem and stem.lower() not in GENERIC_SEGMENTS and slug(stem):
            return slug(stem, 80)
    return slug(label, 80) or slug(urlsplit(source).netloc, 80) or 'iiif'


@dataclass
class _CanvasChoice:
    """The canvases asked for (``--canvas``), and which of them the manifests had."""
    selectors: Sequence[str]
    matched: Set[str] = field(default_factory=set)
    unread_manifests: int = 0

    def picked(self, manifest: Manifest) -> List[int]:
        """Positions (0-based) of the canvases picked in ``manifest``: all without a
        choice."""
        if not self.selectors:
            return list(range(len(manifest.canvases)))
        picked = []
        for position, canvas in enumerate(manifest.canvases):
            for selector in self.selectors:
                if selector == canvas.id or selector == str(position + 1):
                    self.matched.add(selector)
                    picked.append(position)
                    break
        return picked


def _manifest_scans(manifest: Manifest, client: IIIFClient,
                    choice: _CanvasChoice) -> List[Tuple[str, IIIFScan]]:
    base = source_name(manifest.source, manifest.label)
    digits = max(2, len(str(len(manifest.canvases))))
    scans = []
    for position in choice.picked(manifest):
        canvas = manifest.canvases[position]
        label = slug(canvas.label)
        name = f'{base}/{position + 1:0{digits}d}' + (f'_{label}' if label else '')
        scans.append((name, IIIFScan(canvas.service_url or canvas.id, client, canvas, manifest,
                                     problem=canvas.problem)))
    return scans


def _url_scans(url: str, client: IIIFClient,
               choice: _CanvasChoice) -> List[Tuple[str, IIIFScan]]:
    if url.rstrip('/').endswith('/info.json'):
        return [(source_name(url), IIIFScan(url, client))]
    try:
        data = client.get_json(url)
        if presentation_version(data) is not None:
            return _manifest_scans(read_manifest(data, url), client, choice)
        kind = data.get('type') or data.get('@type') if isinstance(data, dict) else None
        if kind in ('Collection', 'sc:Collection'):
            raise IIIFError(f'{url}: a IIIF collection; give the manifests it lists')
        if not (isinstance(data, dict) and image_api_version(data)):
            raise IIIFError(f'{url}: neither a IIIF Presentation manifest nor an image service '
                            'description (info.json)')
    except IIIFError as error:
        choice.unread_manifests += 1
        return [(source_name(url), IIIFScan(url, client, problem=str(error)))]
    return [(source_name(url), IIIFScan(url, client, info=data))]


def _listed(path: Path) -> Iterable[str]:
    for number, line in enumerate(path.read_text(encoding='utf-8-sig').splitlines(), 1):
        line = line.split('#', 1)[0].strip()
        if not line:
            continue
        if not line.startswith(URL_SCHEMES) and not line.lower().endswith(MANIFEST_SUFFIX):
            raise ValueError(f'{path}, line {number}: {line!r} is neither a http(s) URL nor a '
                             'manifest file')
        # A manifest file named by a relative path is beside the list, wherever it is run.
        yield line if line.startswith(URL_SCHEMES) else str(path.parent / Path(line).expanduser())


def iiif_scans(specs: Sequence[str], client: IIIFClient,
               canvases: Optional[Sequence[str]] = None) -> List[Tuple[str, IIIFScan]]:
    """Every scan that IIIF inputs name, in order, with its name.

    Args:
        specs (Sequence[str]): Inputs for which :func:`is_iiif_input` holds.
        client (IIIFClient): Fetches manifests and image services.
        canvases (Sequence[str], optional): Canvases to take from manifests (1-based
            positions or ids); None: all.

    Returns:
        list[tuple[str, IIIFScan]]: Names (``<manifest>/<position>_<label>`` for a canvas,
        ``<identifier>`` for an image service) and scans.

    Raises:
        ValueError: A manifest file that cannot be read, a list with other than URLs and
            manifest files, or a canvas picked that no manifest has (when all were read).
    """
    scans: List[Tuple[str, IIIFScan]] = []
    choice = _CanvasChoice(canvases or ())
    for spec in specs:
        listed = _listed(Path(spec)) if spec.lower().endswith(URL_LIST_SUFFIX) and not \
            spec.startswith(URL_SCHEMES) else [spec]
        for item in listed:
            if item.startswith(URL_SCHEMES):
                scans += _url_scans(item, client, choice)
            else:
                scans += _manifest_scans(load_manifest(item, client), client, choice)
    missing = [selector for selector in choice.selectors if selector not in choice.matched]
    if missing and not choice.unread_manifests:  # else it may be in one that failed
        raise ValueError(f'--canvas {" ".join(missing)}: no manifest given has such a canvas '
                         '(give 1-based positions or canvas ids)')
    return scans


def collection_manifests(images: Mapping[str, Any]) -> Dict[str, Tuple[Manifest, Dict[str, str]]]:
    """The manifests the scans of a collection come from, by source: each manifest (its JSON
    included) and the names of the scans of its canvases by canvas id, from which a copy of
    the manifest that references each canvas's annotations is written once they are done."""
    manifests: Dict[str, Tuple[Manifest, Dict[str, str]]] = {}
    for name, scan in images.items():
        if isinstance(scan, IIIFScan) and scan.manifest is not None:
            _, names = manifests.setdefault(scan.manifest.source, (scan.manifest, {}))
            names[scan.canvas.id] = name
    return manifests
