from .hooks import SafeCheckpointHook
from .safe_loading import SAFE_CHECKPOINT_GLOBALS, allow_safe_checkpoint_globals

allow_safe_checkpoint_globals()

__all__ = ['SafeCheckpointHook', 'SAFE_CHECKPOINT_GLOBALS', 'allow_safe_checkpoint_globals']
