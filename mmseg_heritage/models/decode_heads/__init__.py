from .damage_first_fcn_head import DamageFirstFCNHead
from .damage_first_prediction import (DamageFirstPrediction, damage_first_scores,
                                      damage_kind_scores, damage_probability)
from .damage_first_unet_decoder_head import DamageFirstUNetDecoderHead
from .hierarchical_uper_head import HierarchicalUPerHead
from .unet_decoder_head import UNetDecoderHead

__all__ = ['DamageFirstFCNHead', 'DamageFirstPrediction', 'DamageFirstUNetDecoderHead',
           'HierarchicalUPerHead', 'UNetDecoderHead', 'damage_first_scores',
           'damage_kind_scores', 'damage_probability']
