from .artefact import CLASSES, IGNORE_INDEX, PALETTE, ArtefactDataset
from .synthetic import generate_synthetic_dataset, make_sample

__all__ = ['ArtefactDataset', 'CLASSES', 'PALETTE', 'IGNORE_INDEX', 'generate_synthetic_dataset',
           'make_sample']
