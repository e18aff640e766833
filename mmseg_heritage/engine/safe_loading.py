"""Keep torch's safe ``weights_only`` checkpoint loading on for mmengine checkpoints.

torch >= 2.6 unpickles checkpoints with ``weights_only=True``: only tensors, plain containers
and explicitly allowlisted globals may appear in the file, so a crafted checkpoint cannot run
code. mmengine checkpoints may also hold numpy arrays and scalars (a best metric value, numpy
values that hooks put into ``meta``); these are plain data and are allowlisted here.
``HistoryBuffer`` is *not* allowlisted: pickling it pulls in ``builtins.getattr`` (it stores
bound statistics methods), which would let a file call arbitrary attributes.
``SafeCheckpointHook`` saves its content as plain data instead.
"""
import numpy as np
import torch

# numpy arrays, scalars and the dtypes of booleans, integers and floats: data, not code.
SAFE_CHECKPOINT_GLOBALS = (
    np.dtype,
    np.ndarray,
    np._core.multiarray._reconstruct,
    np._core.multiarray.scalar,
    *(type(np.dtype(code)) for code in '?bBhHiIlLqQefd'),
)


def allow_safe_checkpoint_globals() -> None:
    """Add :data:`SAFE_CHECKPOINT_GLOBALS` to torch's ``weights_only`` allowlist."""
    torch.serialization.add_safe_globals(list(SAFE_CHECKPOINT_GLOBALS))
