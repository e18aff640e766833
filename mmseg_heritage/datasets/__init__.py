from . import transforms  # noqa: F401  registers the transforms
from .artefact import BACKGROUND_COLOUR, CLASSES, IGNORE_INDEX, PALETTE, ArtefactDataset
from .class_weights import compute_class_weights, load_class_weights
from .image_decoding import ImageFileError
from .layout import colourise
from .metadata import read_metadata, sanitise_id
from .splits import read_split, write_splits
from .statistics import PixelStatistics, count_pixels
from .synthetic import generate_synthetic_dataset, make_sample

__all__ = ['ArtefactDataset', 'BACKGROUND_COLOUR', 'CLASSES', 'IGNORE_INDEX', 'ImageFileError',
           'PALETTE', 'PixelStatistics', 'colourise', 'compute_class_weights', 'count_pixels',
           'generate_synthetic_dataset', 'load_class_weights', 'make_sample', 'read_metadata',
           'read_split', 'sanitise_id', 'write_splits']
