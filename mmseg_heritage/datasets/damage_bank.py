"""A bank of damage instances: what ``DamageCopyPaste`` pastes into training images.

A bank is a folder written by ``tools/dataset_converters/build_damage_bank.py``
(:func:`mmseg_heritage.datasets.preparation.build_damage_bank`)::

    index.json                       version, sources, instances per class, one record each
    instances/<class>/<name>.png     RGBA, cropped to the instance: colour and alpha (0-255)

Each record of ``index.json`` names its ``file`` (relative to the bank), ``class_id``,
``class_name``, ``source`` (the image or cut-out it came from), ``kind`` (``'dataset'`` for
an instance cut from an annotated image, ``'cutout'`` for an RGBA cut-out whose colour carries
no information), ``box`` (where it was in its source: [top, left, height, width]), ``size``
([height, width]) and ``pixels`` (how many have alpha > 0).
"""
import json
from pathlib import Path
from typing import Dict, List, Tuple, Union

import cv2
import numpy as np

from ..class_names import CLASSES
from .image_decoding import ImageFileError

BANK_INDEX = 'index.json'
BANK_VERSION = 1
INSTANCE_KINDS = ('dataset', 'cutout')


class DamageBank:
    """The instances of a bank, by class, loaded on first use.

    Args:
        root (str | Path): The bank folder (holding ``index.json``).
        cache_size (int): Instances kept decoded in memory. Defaults to 512.

    Raises:
        FileNotFoundError: No ``index.json`` in ``root``.
        ValueError: The index is not valid JSON, of a newer version, or names an unknown class
            or kind; the message names the file.
    """

    def __init__(self, root: Union[str, Path], cache_size: int = 512) -> None:
        self.root = Path(root)
        index_path = self.root / BANK_INDEX
        if not index_path.is_file():
            raise FileNotFoundError(f'{index_path}: no damage bank here (build one with '
                                    'tools/dataset_converters/build_damage_bank.py)')
        try:
            index = json.loads(index_path.read_text())
        except json.JSONDecodeError as error:
            raise ValueError(f'{index_path}: not valid JSON ({error})') from None
        if not isinstance(index, dict) or index.get('version', 0) > BANK_VERSION:
            raise ValueError(f'{index_path}: not a damage bank index of version '
                             f'<= {BANK_VERSION}')
        self.index = index
        self.instances: Dict[int, List[dict]] = {}
        for record in index.get('instances', []):
            if not 0 < record.get('class_id', -1) < len(CLASSES) or \
                    record.get('kind') not in INSTANCE_KINDS:
                raise ValueError(f'{index_path}: instance {record.get("file")!r} has class '
                                 f'{record.get("class_id")!r} and kind {record.get("kind")!r}; '
                                 f'expected a damage class 1-{len(CLASSES) - 1} and one of '
                                 f'{INSTANCE_KINDS}')
            self.instances.setdefault(record['class_id'], []).append(record)
        # A plain dict, not functools.lru_cache: the bank travels to data-loader workers,
        # which may pickle it.
        self.cache_size = cache_size
        self._cache: Dict[str, Tuple[np.ndarray, np.ndarray]] = {}

    @property
    def class_ids(self) -> List[int]:
        """The classes the bank holds instances of, in id order."""
        return sorted(self.instances)

    def __len__(self) -> int:
        return sum(len(records) for records in self.instances.values())

    def load(self, record: dict) -> Tuple[np.ndarray, np.ndarray]:
        """An instance's colour (HxWx3 uint8 RGB) and alpha (HxW float32, 0-1)."""
        file = record['file']
        if file not in self._cache:
            if len(self._cache) >= self.cache_size:
                self._cache.pop(next(iter(self._cache)))  # the oldest entry
            self._cache[file] = self._read(self.root / file)
        return self._cache[file]

    @staticmethod
    def _read(path: Path) -> Tuple[np.ndarray, np.ndarray]:
        pixels = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
        if pixels is None or pixels.ndim != 3 or pixels.shape[2] != 4:
            raise ImageFileError(f'{path}: not an RGBA damage instance (rebuild the bank)')
        rgb = np.ascontiguousarray(pixels[..., 2::-1])
        return rgb, pixels[..., 3].astype(np.float32) / 255
