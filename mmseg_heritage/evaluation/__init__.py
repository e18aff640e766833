from .metrics import ArtefactMetric

__all__ = ['ArtefactMetric']
