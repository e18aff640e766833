from .hierarchy_curriculum_hook import HierarchyCurriculumHook
from .safe_checkpoint_hook import SafeCheckpointHook

__all__ = ['HierarchyCurriculumHook', 'SafeCheckpointHook']
