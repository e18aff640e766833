from .backbones import TimmPyramidBackbone
from .decode_heads import HierarchicalUPerHead
from .losses import ClassWeightedDiceCELoss

__all__ = ['ClassWeightedDiceCELoss', 'HierarchicalUPerHead', 'TimmPyramidBackbone']
