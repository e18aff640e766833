"""Inference over collections of scans (imported on demand: it is not needed for training)."""
from ..zoo import PublishedModel, find_published_model
from .collection_journal import CollectionJournal
from .collection_shards import assign_shard, process_shard, shard_device
from .damage_geojson import damage_geojson
from .damage_inferencer import DamageInferencer
from .damage_maps import read_damage_maps, shares_by_path, true_damaged_percent
from .damage_measures import measure_damage
from .damage_report import (area_percent, find_images, infer_collection, write_collection_report,
                            write_damage_report)
from .model_loading import init_model
from .onnx_damage_inferencer import OnnxDamageInferencer
from .onnx_model_file import metadata_of_session, open_session, read_metadata, write_metadata
from .onnx_segmentor import OnnxSegmentor
from .sample_predictions import SamplePrediction, sample_predictions, score_image
from .scan_resolution import ScanResolution, read_scan_resolution
from .tiled_inference import (PRECISIONS, TiledInference, inference_pipeline, read_image,
                              tile_settings)
from .tiled_prediction import logit_bands, predict_labels, preprocess_tiles, tile_starts

__all__ = [
    'CollectionJournal', 'DamageInferencer', 'OnnxDamageInferencer', 'OnnxSegmentor',
    'PRECISIONS', 'PublishedModel', 'SamplePrediction', 'ScanResolution', 'TiledInference',
    'area_percent', 'assign_shard', 'damage_geojson', 'find_images', 'find_published_model',
    'infer_collection', 'inference_pipeline', 'init_model', 'logit_bands', 'measure_damage',
    'metadata_of_session', 'open_session', 'predict_labels', 'preprocess_tiles', 'process_shard',
    'read_damage_maps', 'read_image', 'read_metadata', 'read_scan_resolution',
    'sample_predictions', 'score_image', 'shard_device', 'shares_by_path', 'tile_settings',
    'tile_starts', 'true_damaged_percent', 'write_collection_report', 'write_damage_report',
    'write_metadata'
]
