from .cpu_distributed import cpu_distributed_cfg, leave_distributed, setup_cpu_distributed
from .hooks import SafeCheckpointHook
from .safe_loading import SAFE_CHECKPOINT_GLOBALS, allow_safe_checkpoint_globals

allow_safe_checkpoint_globals()

__all__ = [
    'SafeCheckpointHook', 'SAFE_CHECKPOINT_GLOBALS', 'allow_safe_checkpoint_globals',
    'cpu_distributed_cfg', 'leave_distributed', 'setup_cpu_distributed'
]
