"""Inference over collections of scans (imported on demand: it is not needed for training)."""
from .damage_inferencer import DamageInferencer, read_image
from .damage_maps import read_damage_maps, shares_by_path, true_damaged_percent
from .damage_report import area_percent, find_images, infer_collection, write_damage_report
from .sample_predictions import SamplePrediction, sample_predictions, score_image
from .tiled_prediction import logit_bands, predict_labels, tile_starts

__all__ = [
    'DamageInferencer', 'read_image', 'read_damage_maps', 'shares_by_path',
    'true_damaged_percent', 'area_percent', 'find_images', 'infer_collection',
    'write_damage_report', 'SamplePrediction', 'sample_predictions', 'score_image',
    'logit_bands', 'predict_labels', 'tile_starts'
]
