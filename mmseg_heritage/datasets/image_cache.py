"""Decoded, pre-shrunk copies of a dataset's images and masks, kept as raw ``.npy`` files.

ARTeFACT originals run to thousands of pixels a side (one is 12288 x 10860), and a training
step crops a few hundred pixels out of each after rescaling it. Decoding the whole PNG and
resizing it from full size at every step costs far more than the step needs; a cache entry is
decoded once, shrunk to fit the largest size the training pipeline can ask for, and loaded
again with a plain read (no decoding).

Layout, for ``fit=(3072, 1536)`` and the converter's dataset layout::

    <data_root>/cache/3072x1536/images/<name>.<bytes>-<mtime_ns>.npy
    <data_root>/cache/3072x1536/annotations/<name>.<bytes>-<mtime_ns>.npy

An entry is keyed by the source's file name, size and modification time, so a changed source
gets a new entry (the old one is removed). Entries are written atomically: data-loading
workers may build the same entry at once, and an interrupted build never leaves a half-written
one.
"""
import glob
import os
import re
from pathlib import Path
from typing import Literal, Optional, Sequence, Union

import cv2
import mmcv
import numpy as np

from ..utils import atomic_path
from .image_decoding import decode_image, decode_mask, read_file

CACHE_FOLDER = 'cache'
Kind = Literal['image', 'annotation']
# Images decode as MMCV's LoadImageFromFile decodes them (OpenCV, BGR), masks as checked class
# ids; either names the file in its error.
_DECODERS = dict(image=decode_image, annotation=decode_mask)
# Images are shrunk by area averaging (no aliasing, as the converter's --max-long-side);
# masks by the source pixel under each output pixel's centre, so only valid class ids survive.
_INTERPOLATION = dict(image=cv2.INTER_AREA, annotation=cv2.INTER_NEAREST_EXACT)


class ImageCache:
    """Decoded copies of images (BGR, as ``LoadImageFromFile`` gives them) and masks (uint8),
    shrunk to fit a size and stored as ``.npy`` files.

    Args:
        fit (tuple[int, int], optional): Largest (long side, short side) to keep, read as
            MMCV's ``imrescale`` reads a scale: an image is shrunk, keeping its aspect ratio,
            until its long side is at most the larger number and its short side at most the
            smaller one; smaller images are kept as they are (never enlarged). Set it to the
            largest scale the training pipeline rescales to (``RandomResize``'s scale times the
            top of its ratio range): the crops then match those cut from the original (up to
            interpolation, for larger originals). None keeps full-size decoded copies.
            Defaults to None.
        cache_dir (str | Path, optional): Root of the cache; entries go to
            ``<cache_dir>/<long>x<short>/<source folder name>/`` (``full`` for ``fit=None``).
            Defaults to None: ``cache/`` beside the folder holding the source, i.e.
            ``<data_root>/cache`` in the converter's layout.
    """

    def __init__(self, fit: Optional[Sequence[int]] = None,
                 cache_dir: Union[None, str, Path] = None) -> None:
        if fit is not None:
            if len(fit) != 2 or min(fit) < 1:
                raise ValueError(f'fit must be (long side, short side) in pixels, got {fit}')
            fit = (int(max(fit)), int(min(fit)))
        self.fit = fit
        self.cache_dir = None if cache_dir is None else Path(cache_dir)
        self.fit_folder = 'full' if fit is None else f'{fit[0]}x{fit[1]}'

    def entry_path(self, source: Union[str, Path], stat: Optional[os.stat_result] = None) -> Path:
        """Where the entry of ``source`` lives (for its current size and modification time).

        Args:
            source: Image or mask file.
            stat (os.stat_result, optional): ``source``'s stat, if already known.

        Returns:
            Path: The entry's path (it may not exist yet).
        """
        source = Path(source)
        stat = stat or source.stat()
        return self.folder(source) / f'{source.name}.{stat.st_size}-{stat.st_mtime_ns}.npy'

    def folder(self, source: Union[str, Path]) -> Path:
        """The folder of the entry of ``source``: ``<root>/<fit>/<source folder name>``."""
        source = Path(source)
        root = self.cache_dir or source.parent.parent / CACHE_FOLDER
        return root / self.fit_folder / source.parent.name

    def _stat(self, source: Path, kind: Kind) -> os.stat_result:
        try:
            return source.stat()
        except FileNotFoundError:
            raise FileNotFoundError(f'{source}: {kind} file not found') from None

    def _shrink(self, array: np.ndarray, kind: Kind) -> np.ndarray:
        if self.fit is None:
            return array
        height, width = array.shape[:2]
        size, scale = mmcv.rescale_size((width, height), self.fit, return_scale=True)
        if scale >= 1:
            return array
        return cv2.resize(array, size, interpolation=_INTERPOLATION[kind])

    def _write_entry(self, source: Path, kind: Kind, entry: Path) -> np.ndarray:
        """Decode and shrink ``source``, write its entry and remove its outdated ones."""
        name = f'{source}: the {"image" if kind == "image" else "mask"}'
        array = self._shrink(_DECODERS[kind](read_file(source, kind), name), kind)
        try:
            with atomic_path(entry) as partial, open(partial, 'wb') as file:
                np.save(file, array)
        except OSError as error:  # a read-only data_root, a full disk
            raise OSError(f'{entry}: cannot write this cache entry ({error}); a cache_dir '
                          'elsewhere may help') from error
        outdated = re.compile(re.escape(source.name) + r'\.\d+-\d+\.npy')
        for old in entry.parent.glob(f'{glob.escape(source.name)}.*.npy'):
            if old != entry and outdated.fullmatch(old.name):
                old.unlink(missing_ok=True)  # another worker may have removed it already
        return array

    def load(self, source: Union[str, Path], kind: Kind) -> np.ndarray:
        """The decoded, shrunk ``source``: read from its entry, built first if missing.

        Args:
            source: Image or mask file.
            kind (str): ``'image'`` (decoded in colour, BGR) or ``'annotation'`` (uint8 ids).

        Returns:
            np.ndarray: HxWx3 uint8 image or HxW uint8 mask (writable, in memory).

        Raises:
            FileNotFoundError: ``source`` does not exist.
            ImageFileError: ``source`` cannot be decoded, or a mask holds other than class ids
                (0-15, 255); a ``ValueError``.
            OSError: The entry cannot be written.
        """
        source = Path(source)
        entry = self.entry_path(source, self._stat(source, kind))
        try:
            return np.load(entry)
        except (FileNotFoundError, ValueError, EOFError):  # missing, or damaged on disk
            return self._write_entry(source, kind, entry)

    def build(self, source: Union[str, Path], kind: Kind) -> bool:
        """Write the entry of ``source`` unless an up-to-date one exists.

        Args:
            source: Image or mask file.
            kind (str): ``'image'`` or ``'annotation'``.

        Returns:
            bool: Whether an entry was written (False: it was up to date).
        """
        source = Path(source)
        entry = self.entry_path(source, self._stat(source, kind))
        if entry.is_file():
            return False
        self._write_entry(source, kind, entry)
        return True

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(fit={self.fit}, cache_dir={self.cache_dir})'
