from .atomic_checkpoint_hook import AtomicCheckpointHook
from .hierarchy_curriculum_hook import HierarchyCurriculumHook
from .iteration_seed_hook import IterationSeedHook
from .run_provenance_hook import RunProvenanceHook
from .safe_checkpoint_hook import SafeCheckpointHook

__all__ = [
    'AtomicCheckpointHook', 'HierarchyCurriculumHook', 'IterationSeedHook', 'RunProvenanceHook',
    'SafeCheckpointHook'
]
