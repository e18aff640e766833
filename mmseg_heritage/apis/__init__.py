"""Inference over collections of scans (imported on demand: it is not needed for training)."""
from .damage_inferencer import DamageInferencer, read_image
from .damage_report import area_percent, find_images, infer_collection, write_damage_report
from .tiled_prediction import logit_bands, predict_labels, tile_starts

__all__ = [
    'DamageInferencer', 'read_image', 'area_percent', 'find_images', 'infer_collection',
    'write_damage_report', 'logit_bands', 'predict_labels', 'tile_starts'
]
