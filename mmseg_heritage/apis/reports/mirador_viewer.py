"""The collection's scans with their damage in Mirador, the IIIF viewer: ``OUT_DIR/mirador.html``
opens a manifest of the run with its annotation pages.

Mirador (Apache-2.0, vendored from the npm registry with its licence in
``mmseg_heritage/visualization/vendor/mirador/``) is copied to ``OUT_DIR/viewer/mirador/`` once
per collection.
"""
from pathlib import Path

from ...utils.atomic_files import write_bytes_atomic, write_text_atomic
from ...visualization.mirador_page import mirador_page

VENDOR = Path(__file__).resolve().parents[2] / 'visualization/vendor/mirador'
MIRADOR_FILES = ('mirador.min.js', 'LICENSE.txt')
MIRADOR_FOLDER = 'viewer/mirador'
MIRADOR_PAGE = 'mirador.html'


def install_mirador(out_dir: Path) -> None:
    """Copy Mirador and its licence into ``out_dir/viewer/mirador/`` (unless already there)."""
    for name in MIRADOR_FILES:
        data = (VENDOR / name).read_bytes()
        target = Path(out_dir) / MIRADOR_FOLDER / name
        if not target.is_file() or target.read_bytes() != data:
            write_bytes_atomic(target, data)


def write_mirador_page(out_dir: Path, manifest: str, base_url: str,
                       page: str = MIRADOR_PAGE) -> str:
    """Write ``out_dir/<page>``, opening ``manifest`` in Mirador (installed with
    :func:`install_mirador`).

    Args:
        out_dir (Path): The collection's output folder.
        manifest (str): The manifest's path inside ``out_dir``.
        base_url (str): The address ``out_dir`` was to be published at (our ids start with
            it; the page reads them from wherever the folder is served).
        page (str): The page's file name, at the top of ``out_dir``. Defaults to
            ``mirador.html``.

    Returns:
        str: The page's path relative to ``out_dir``.
    """
    write_text_atomic(Path(out_dir) / page, mirador_page(
        manifest, f'{MIRADOR_FOLDER}/{MIRADOR_FILES[0]}', base_url))
    return page
