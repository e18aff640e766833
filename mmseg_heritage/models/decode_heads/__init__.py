from .damage_first_fcn_head import DamageFirstFCNHead, damage_first_scores
from .hierarchical_uper_head import HierarchicalUPerHead

__all__ = ['DamageFirstFCNHead', 'HierarchicalUPerHead', 'damage_first_scores']
