from .damage_first_fcn_head import DamageFirstFCNHead
from .damage_first_prediction import (DamageFirstPrediction, damage_first_scores,
                                      damage_probability)
from .hierarchical_uper_head import HierarchicalUPerHead

__all__ = ['DamageFirstFCNHead', 'DamageFirstPrediction', 'HierarchicalUPerHead',
           'damage_first_scores', 'damage_probability']
