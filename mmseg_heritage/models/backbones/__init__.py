from .packaged_weights import PACKAGED_WEIGHTS, PackagedWeights, packaged_weights
from .timm_pyramid_backbone import TimmPyramidBackbone, timm_state_dict

__all__ = [
    'PACKAGED_WEIGHTS', 'PackagedWeights', 'TimmPyramidBackbone', 'packaged_weights',
    'timm_state_dict'
]
