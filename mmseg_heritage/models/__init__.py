from .backbones import TimmPyramidBackbone
from .decode_heads import HierarchicalUPerHead
from .losses import ClassWeightedDiceCELoss, CoralLoss
from .mmseg_backports import build_losses_through_the_registry
from .segmentors import CoralEncoderDecoder, TentSegmentor

build_losses_through_the_registry()

__all__ = [
    'ClassWeightedDiceCELoss', 'CoralEncoderDecoder', 'CoralLoss', 'HierarchicalUPerHead',
    'TentSegmentor', 'TimmPyramidBackbone'
]
