from .backbones import TimmPyramidBackbone
from .decode_heads import HierarchicalUPerHead
from .losses import ClassWeightedDiceCELoss, CoralLoss
from .segmentors import CoralEncoderDecoder, TentSegmentor

__all__ = [
    'ClassWeightedDiceCELoss', 'CoralEncoderDecoder', 'CoralLoss', 'HierarchicalUPerHead',
    'TentSegmentor', 'TimmPyramidBackbone'
]
