"""Running models on scans: the PyTorch and ONNX Runtime inferencers, the tiles and sliding
window they share, model loading and predictions on a dataset's samples."""
from .damage_inferencer import DamageInferencer
from .model_loading import init_model
from .onnx_damage_inferencer import OnnxDamageInferencer
from .onnx_model_file import metadata_of_session, open_session, read_metadata, write_metadata
from .onnx_segmentor import OnnxSegmentor
from .sample_predictions import SamplePrediction, sample_predictions, score_image
from .sliding_window import logit_bands, predict_labels, preprocess_tiles, tile_starts
from .tiled_inference import (PRECISIONS, TiledInference, inference_pipeline, read_image,
                              tile_settings)

__all__ = [
    'DamageInferencer', 'OnnxDamageInferencer', 'OnnxSegmentor', 'PRECISIONS',
    'SamplePrediction', 'TiledInference', 'inference_pipeline', 'init_model', 'logit_bands',
    'metadata_of_session', 'open_session', 'predict_labels', 'preprocess_tiles', 'read_image',
    'read_metadata', 'sample_predictions', 'score_image', 'tile_settings', 'tile_starts',
    'write_metadata'
]
