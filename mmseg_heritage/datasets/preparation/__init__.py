"""Preparing a dataset in the layout ``ArtefactDataset`` reads: the parquet converter, leak-free
splits, pixel statistics, class weights, offline augmentation and the synthetic generator."""
from .class_weights import class_weights_record, compute_class_weights
from .damage_bank_builder import DEFAULT_FOLDER_CLASSES, build_damage_bank
from .layout import sample_paths, write_sample
from .parquet_converter import convert_artefact_parquet
from .splits import read_split, split_files, write_splits
from .statistics import PixelStatistics
from .synthetic import generate_synthetic_dataset, make_sample, write_synthetic_parquet

__all__ = ['DEFAULT_FOLDER_CLASSES', 'PixelStatistics', 'build_damage_bank',
           'class_weights_record', 'compute_class_weights', 'convert_artefact_parquet',
           'generate_synthetic_dataset', 'make_sample', 'read_split', 'sample_paths',
           'split_files', 'write_sample', 'write_splits', 'write_synthetic_parquet']
