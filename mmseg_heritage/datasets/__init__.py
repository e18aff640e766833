"""What a run loads: the ARTeFACT dataset, its transforms, image decoding and the image cache.
Preparing a dataset (converter, splits, statistics, class weights, augmentation, synthetic
data) is in :mod:`mmseg_heritage.datasets.preparation`."""
from . import transforms  # noqa: F401  registers the transforms
from .artefact import ArtefactDataset
from .damage_bank import DamageBank
from .image_decoding import ImageFileError
from .metadata import read_metadata, sanitise_id

__all__ = ['ArtefactDataset', 'DamageBank', 'ImageFileError', 'read_metadata', 'sanitise_id']
