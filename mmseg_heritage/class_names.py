"""The damage vocabulary everything else speaks: classes, palette, ignore index and hierarchy.

Mask value ``i`` is class ``CLASSES[i]``; 255 marks background outside the artefact and is
ignored (never folded into a real class). Names and colours as published with ARTeFACT.

The hierarchy describes every labelled pixel at three levels:

- ``fine``: the 16 ARTeFACT classes (0 Clean, 1-15 damage types).
- ``coarse``: Clean (0) and one class per damage group (1, 2, ... in the groups' order).
- ``binary``: Clean (0) and Damage (1).

Coarse and binary labels are derived from the fine mask through lookup tables, so only the fine
annotation is ever stored; 255 stays 255 at every level. Like MMSeg's
``mmseg/utils/class_names.py``, this module imports nothing else of the package.
"""
from collections import OrderedDict
from typing import Dict, Mapping, Optional, Sequence, Tuple, TypeVar, Union

import numpy as np
import torch

CLASSES = ('Clean', 'Material loss', 'Peel', 'Dust', 'Scratch', 'Hair', 'Dirt', 'Fold',
           'Writing', 'Cracks', 'Staining', 'Stamp', 'Sticker', 'Puncture', 'Burn marks',
           'Lightleak')
PALETTE = [[0, 0, 0], [28, 230, 255], [255, 52, 255], [255, 74, 70], [0, 137, 65],
           [0, 111, 166], [163, 0, 89], [255, 165, 0], [122, 73, 0], [0, 0, 166],
           [99, 255, 172], [0, 77, 67], [143, 176, 255], [153, 125, 135], [128, 150, 147],
           [246, 255, 27]]
IGNORE_INDEX = 255
# Damage that runs along a line: reports give its length along the skeleton besides its area.
LINEAR_DAMAGE = ('Scratch', 'Hair', 'Fold', 'Cracks')
BACKGROUND_COLOUR = (90, 0, 7)  # how 255 is drawn in annotation_rgb renderings

LEVELS = ('binary', 'coarse', 'fine')
BINARY_CLASSES = ('Clean', 'Damage')

# The default grouping of the 15 damage types (ARTeFACT's hierarchy, see the README).
DEFAULT_COARSE_GROUPS: 'OrderedDict[str, Tuple[int, ...]]' = OrderedDict([
    ('Loss of material', (1, 2, 13, 14)),  # material loss, peel, puncture, burn marks
    ('Deposits and soiling', (3, 5, 6, 10)),  # dust, hair, dirt, staining
    ('Mechanical deformation', (4, 7, 9)),  # scratch, fold, cracks
    ('Additions and optical artefacts', (8, 11, 12, 15)),  # writing, stamp, sticker, lightleak
])

Labels = TypeVar('Labels', np.ndarray, torch.Tensor)


def _describe(class_id: int, num_classes: int) -> str:
    # Names only make sense for the ARTeFACT classes; other class counts get bare ids.
    if num_classes == len(CLASSES) and 0 <= class_id < num_classes:
        return f'{class_id} ({CLASSES[class_id]})'
    return str(class_id)


def build_level_luts(coarse_groups: Optional[Mapping[str, Sequence[int]]] = None,
                     num_classes: int = len(CLASSES)) -> Dict[str, np.ndarray]:
    """Lookup tables from fine class ids to coarse and binary class ids.

    Args:
        coarse_groups (Mapping[str, Sequence[int]], optional): Ordered mapping of damage group
            name to the fine class ids it holds. Group ``k`` (in mapping order) becomes coarse
            class ``k + 1``; coarse class 0 is Clean. Every fine class ``1..num_classes - 1``
            must be in exactly one group and Clean (0) in none. Defaults to None
            (``DEFAULT_COARSE_GROUPS``).
        num_classes (int): Number of fine classes, Clean included. Defaults to 16.

    Returns:
        dict[str, np.ndarray]: ``{'coarse': lut, 'binary': lut}``; each ``lut`` is a uint8
        array of 256 entries indexed by fine class id. Entries of 255 and of any other id
        outside ``0..num_classes - 1`` are 255 (ignored).

    Raises:
        ValueError: If the groups leave a damage class out, list one twice, list Clean or an id
            outside the fine classes, or a group is empty. The message names the class.
    """
    groups = DEFAULT_COARSE_GROUPS if coarse_groups is None else coarse_groups
    if not 0 < num_classes <= IGNORE_INDEX:
        raise ValueError(f'num_classes must be in 1..{IGNORE_INDEX}, got {num_classes}')
    coarse = np.full(256, IGNORE_INDEX, np.uint8)
    coarse[0] = 0
    owner: Dict[int, str] = {}
    for index, (name, members) in enumerate(groups.items(), start=1):
        if len(members) == 0:
            raise ValueError(f'coarse group {name!r} is empty: every group needs at least one '
                             'fine class')
        for class_id in members:
            if class_id == 0:
                raise ValueError(f'coarse group {name!r} lists class {_describe(0, num_classes)}'
                                 ', which is always coarse class 0 and may not be in a group')
            if not 0 < class_id < num_classes:
                raise ValueError(f'coarse group {name!r} lists class {class_id}, but the fine '
                                 f'damage classes are 1..{num_classes - 1}')
            if class_id in owner:
                raise ValueError(f'fine class {_describe(class_id, num_classes)} is in two '
                                 f'coarse groups: {owner[class_id]!r} and {name!r}')
            owner[class_id] = name
            coarse[class_id] = index
    missing = [_describe(i, num_classes) for i in range(1, num_classes) if i not in owner]
    if missing:
        raise ValueError(f'fine class {", ".join(missing)} is in no coarse group: every damage '
                         'class must be in exactly one group')
    binary = np.where(coarse == IGNORE_INDEX, IGNORE_INDEX, np.minimum(coarse, 1)).astype(np.uint8)
    return {'coarse': coarse, 'binary': binary}


def derive_labels(fine_labels: Labels, lut: Union[np.ndarray, torch.Tensor]) -> Labels:
    """Map a fine label mask to another level of the hierarchy.

    Args:
        fine_labels (np.ndarray | torch.Tensor): Integer fine class ids of any shape, 255 for
            ignored pixels.
        lut (np.ndarray | torch.Tensor): A 256-entry table from :func:`build_level_luts`.

    Returns:
        np.ndarray | torch.Tensor: Labels of the same type, shape, dtype (and device) as
        ``fine_labels``; ignored pixels stay 255.
    """
    if isinstance(fine_labels, torch.Tensor):
        table = torch.as_tensor(lut, device=fine_labels.device)
        return table[fine_labels.long()].to(fine_labels.dtype)
    table = lut.cpu().numpy() if isinstance(lut, torch.Tensor) else np.asarray(lut)
    return table[fine_labels].astype(fine_labels.dtype, copy=False)


def level_class_names(coarse_groups: Optional[Mapping[str, Sequence[int]]] = None
                      ) -> Dict[str, Tuple[str, ...]]:
    """Class names of each level, indexed by that level's class id.

    Args:
        coarse_groups (Mapping[str, Sequence[int]], optional): As in :func:`build_level_luts`.
            Defaults to None (``DEFAULT_COARSE_GROUPS``).

    Returns:
        dict[str, tuple[str, ...]]: ``binary``: ('Clean', 'Damage'); ``coarse``: 'Clean' then
        the group names; ``fine``: the ARTeFACT classes.
    """
    groups = DEFAULT_COARSE_GROUPS if coarse_groups is None else coarse_groups
    return {'binary': BINARY_CLASSES, 'coarse': ('Clean', *groups), 'fine': CLASSES}


_PALETTE_LUT = np.tile(np.array(BACKGROUND_COLOUR, np.uint8), (256, 1))
_PALETTE_LUT[:len(PALETTE)] = PALETTE


def colourise(mask: np.ndarray) -> np.ndarray:
    """A class-id mask drawn in the ARTeFACT palette (255 and unknown values in the
    background colour), as an HxWx3 RGB array."""
    return _PALETTE_LUT[mask]
