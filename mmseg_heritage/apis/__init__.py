"""Inference over collections of scans (imported on demand: it is not needed for training)."""
from .damage_inferencer import DamageInferencer
from .damage_report import area_percent, find_images, infer_collection, write_damage_report
from .onnx_damage_inferencer import OnnxDamageInferencer
from .onnx_model_file import metadata_of_session, open_session, read_metadata, write_metadata
from .onnx_segmentor import OnnxSegmentor
from .sample_predictions import SamplePrediction, sample_predictions, score_image
from .tiled_inference import (PRECISIONS, TiledInference, inference_pipeline, read_image,
                              tile_settings)
from .tiled_prediction import logit_bands, predict_labels, preprocess_tiles, tile_starts

__all__ = [
    'DamageInferencer', 'OnnxDamageInferencer', 'OnnxSegmentor', 'PRECISIONS',
    'TiledInference', 'area_percent', 'find_images', 'inference_pipeline', 'infer_collection',
    'logit_bands', 'metadata_of_session', 'open_session', 'predict_labels', 'preprocess_tiles',
    'read_image', 'read_metadata', 'SamplePrediction', 'sample_predictions', 'score_image',
    'tile_settings', 'tile_starts', 'write_damage_report', 'write_metadata'
]
