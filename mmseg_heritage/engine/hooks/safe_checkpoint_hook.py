from typing import Any

from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer
from mmseg.registry import HOOKS

# Marks a HistoryBuffer saved as plain data, so loading knows what to rebuild.
_PLAIN_HISTORY = '__history_buffer__'


@HOOKS.register_module()
class SafeCheckpointHook(Hook):
    """Save the message hub's history as plain data so checkpoints load with ``weights_only``.

    mmengine stores ``HistoryBuffer`` objects in every checkpoint; unpickling them needs
    ``builtins.getattr``, which torch's safe loader rightly refuses. This hook replaces each
    buffer by a dict of Python lists before saving and rebuilds the buffers after loading, so
    ``--resume`` restores the logged history exactly. Weights, optimizer and scheduler states are
    untouched. The schedules' ``default_hooks`` enable it for every config.
    """

    priority = 'VERY_LOW'  # after any hook that still logs into the message hub

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        scalars = checkpoint.get('message_hub', {}).get('log_scalars', {})
        for key, buffer in scalars.items():
            if isinstance(buffer, HistoryBuffer):
                log_history, count_history = buffer.data
                scalars[key] = {
                    _PLAIN_HISTORY: True,
                    'log_history': log_history.tolist(),
                    'count_history': count_history.tolist(),
                    'max_length': buffer.max_length,
                }

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        scalars = checkpoint.get('message_hub', {}).get('log_scalars', {})
        for key, value in scalars.items():
            if _is_plain_history(value):
                scalars[key] = HistoryBuffer(value['log_history'], value['count_history'],
                                             value['max_length'])


def _is_plain_history(value: Any) -> bool:
    return isinstance(value, dict) and value.get(_PLAIN_HISTORY, False)
