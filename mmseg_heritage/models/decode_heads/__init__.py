from .hierarchical_uper_head import HierarchicalUPerHead

__all__ = ['HierarchicalUPerHead']
