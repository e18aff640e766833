"""Writing files so that an interruption never leaves a half-written one behind.

Everything is written to a hidden temporary file in the destination folder and renamed over
the destination only once complete; ``os.replace`` is atomic within one file system.
"""
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Union

import cv2
import numpy as np

PathLike = Union[str, os.PathLike]
PARTIAL_MARK = '.partial-'


@contextmanager
def atomic_path(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path to write; rename it to ``path`` if the block succeeds.

    On an exception the temporary file is removed and ``path`` keeps its old content.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f'.{path.name}{PARTIAL_MARK}{os.getpid()}{path.suffix}')
    try:
        yield partial
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()


def write_bytes_atomic(path: PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as partial:
        partial.write_bytes(data)


def write_text_atomic(path: PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    write_bytes_atomic(path, text.encode('utf-8'))


def write_json_atomic(path: PathLike, data: Any) -> None:
    """Write ``data`` as indented JSON to ``path`` atomically."""
    write_text_atomic(path, json.dumps(data, indent=2) + '\n')


def write_image_atomic(path: PathLike, array: np.ndarray, rgb: bool = True,
                       jpeg_quality: int = 95) -> None:
    """Encode an image by the extension of ``path`` and write it atomically.

    Args:
        path: Destination; ``.png``, ``.jpg``/``.jpeg``, ``.tif``... as OpenCV supports.
        array (np.ndarray): HxW (masks) or HxWx3 image.
        rgb (bool): Whether a 3-channel ``array`` is RGB (it is turned into OpenCV's BGR).
            Defaults to True.
        jpeg_quality (int): Quality of JPEG output. Defaults to 95.
    """
    suffix = Path(path).suffix.lower()
    if array.ndim == 3 and rgb:
        array = np.ascontiguousarray(array[..., ::-1])
    params = [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality] if suffix in ('.jpg', '.jpeg') else []
    ok, encoded = cv2.imencode(suffix, array, params)
    if not ok:
        raise ValueError(f'could not encode an image as {suffix!r} for {path}')
    write_bytes_atomic(path, encoded.tobytes())


def remove_partial_files(folder: PathLike) -> int:
    """Delete temporary files an interrupted writer left in ``folder``; return how many."""
    removed = 0
    for partial in Path(folder).glob(f'.*{PARTIAL_MARK}*'):
        partial.unlink()
        removed += 1
    return removed
