"""Inference over collections of scans (imported on demand: it is not needed for training)."""
from ..zoo import PublishedModel, find_published_model
from .damage_inferencer import DamageInferencer, read_image
from .damage_report import area_percent, find_images, infer_collection, write_damage_report
from .model_loading import init_model
from .sample_predictions import SamplePrediction, sample_predictions, score_image
from .tiled_prediction import logit_bands, predict_labels, tile_starts

__all__ = [
    'DamageInferencer', 'PublishedModel', 'find_published_model', 'init_model', 'read_image',
    'area_percent', 'find_images', 'infer_collection', 'write_damage_report',
    'SamplePrediction', 'sample_predictions', 'score_image', 'logit_bands', 'predict_labels',
    'tile_starts'
]
