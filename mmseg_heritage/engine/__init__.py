from .config_text import format_each_config_text_once
from .cpu_distributed import cpu_distributed_cfg, leave_distributed, setup_cpu_distributed
from .hooks import (AtomicCheckpointHook, IterationSeedHook, RunProvenanceHook,
                    SafeCheckpointHook)
from .mixed_precision import mixed_precision_cfg
from .optimizers import BF16OptimWrapper
from .run_names import name_run
from .safe_loading import SAFE_CHECKPOINT_GLOBALS, allow_safe_checkpoint_globals
from .slim_checkpoint import slim_checkpoint

allow_safe_checkpoint_globals()
format_each_config_text_once()

__all__ = [
    'AtomicCheckpointHook', 'BF16OptimWrapper', 'IterationSeedHook', 'RunProvenanceHook',
    'SafeCheckpointHook', 'SAFE_CHECKPOINT_GLOBALS',
    'allow_safe_checkpoint_globals', 'cpu_distributed_cfg', 'format_each_config_text_once',
    'leave_distributed', 'mixed_precision_cfg', 'name_run',
    'setup_cpu_distributed', 'slim_checkpoint'
]
