from .timm_pyramid_backbone import TimmPyramidBackbone

__all__ = ['TimmPyramidBackbone']
