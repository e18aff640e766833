"""A synthetic ARTeFACT-like dataset for the demo and the tests: procedural materials and
content with the 15 damage types, written in the converter's layout or as parquet shards in
the Hugging Face schema."""
from .dataset import generate_synthetic_dataset, synthetic_id
from .parquet import encode_image_cell, write_parquet_shard, write_synthetic_parquet
from .sample import SyntheticSample, make_sample

__all__ = ['SyntheticSample', 'encode_image_cell', 'generate_synthetic_dataset', 'make_sample',
           'synthetic_id', 'write_parquet_shard', 'write_synthetic_parquet']
