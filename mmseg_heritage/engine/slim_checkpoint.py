"""A training checkpoint cut down to what inference needs, as MMSeg's ``publish_model.py``."""
import os
from pathlib import Path
from typing import Union

import torch

from ..utils import atomic_path, sha256_of_file
from .safe_loading import allow_safe_checkpoint_globals

# What training leaves in a checkpoint besides the weights: only resuming needs it.
TRAINING_STATE = ('optimizer', 'param_schedulers', 'message_hub')


def slim_checkpoint(source: Union[str, os.PathLike], destination: Union[str, os.PathLike]) -> str:
    """Write ``source`` without its training state to ``destination``; return its SHA-256.

    The weights (``state_dict``) and ``meta`` (classes, palette, iteration, seed) stay, so
    ``init_model`` and ``MMSegInferencer`` load the file as they load the original. It is read
    with torch's safe ``weights_only`` loader and written atomically; the same checkpoint gives
    the same bytes wherever it is written.

    Raises:
        FileNotFoundError: ``source`` does not exist.
        ValueError: ``source`` holds no ``state_dict``.
    """
    if not Path(source).is_file():
        raise FileNotFoundError(f'{source}: no such checkpoint')
    allow_safe_checkpoint_globals()
    checkpoint = torch.load(source, map_location='cpu', weights_only=True)
    if not isinstance(checkpoint, dict) or 'state_dict' not in checkpoint:
        raise ValueError(f'{source}: not an MMEngine checkpoint (no state_dict)')
    slim = {key: value for key, value in checkpoint.items() if key not in TRAINING_STATE}
    with atomic_path(destination) as partial:
        # Through a file object: torch names the archive inside after a path it is given,
        # here a temporary one, and the same weights would get another digest each time.
        with open(partial, 'wb') as file:
            torch.save(slim, file)
        digest = sha256_of_file(partial)
    return digest
