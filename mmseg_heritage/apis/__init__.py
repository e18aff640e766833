"""Inference over collections of scans (imported on demand: it is not needed for training).

``inference/`` runs models on scans (PyTorch or ONNX Runtime, tile by tile); ``reports/``
turns their masks into what a collection run writes (measures, outlines, condition reports).
"""
from ..zoo import PublishedModel, find_published_model
from .inference import (PRECISIONS, DamageInferencer, OnnxDamageInferencer, OnnxSegmentor,
                        SamplePrediction, TiledInference, inference_pipeline, init_model,
                        logit_bands, metadata_of_session, open_session, predict_labels,
                        preprocess_tiles, read_image, read_metadata, sample_predictions,
                        score_image, tile_settings, tile_starts, write_metadata)
from .reports import (CollectionJournal, DamageRegion, ScanResolution, annotated_manifest,
                      area_percent, assign_shard, damage_annotation_page, damage_geojson,
                      find_images, infer_collection, map_photographs, measure_damage,
                      measure_damage_regions,
                      process_shard, read_damage_maps, read_scan_resolution, scans_manifest,
                      shard_device, shares_by_path, true_damaged_percent,
                      write_collection_report, write_damage_report)

__all__ = [
    'CollectionJournal', 'DamageInferencer', 'DamageRegion', 'OnnxDamageInferencer',
    'OnnxSegmentor', 'PRECISIONS', 'PublishedModel', 'SamplePrediction', 'ScanResolution',
    'TiledInference', 'annotated_manifest', 'area_percent', 'assign_shard',
    'damage_annotation_page', 'damage_geojson', 'find_images', 'find_published_model',
    'infer_collection', 'inference_pipeline', 'init_model', 'logit_bands', 'map_photographs',
    'measure_damage',
    'measure_damage_regions', 'metadata_of_session', 'open_session', 'predict_labels',
    'preprocess_tiles', 'process_shard', 'read_damage_maps', 'read_image', 'read_metadata',
    'read_scan_resolution', 'sample_predictions', 'scans_manifest', 'score_image',
    'shard_device', 'shares_by_path', 'tile_settings', 'tile_starts', 'true_damaged_percent',
    'write_collection_report', 'write_damage_report', 'write_metadata'
]
