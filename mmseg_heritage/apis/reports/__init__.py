"""What a collection run writes: damage masks, measures and outlines, condition reports and
their pages, the collection's report, and the journal and shards that make runs resumable."""
from .collection_journal import CollectionJournal
from .collection_shards import assign_shard, process_shard, shard_device
from .damage_geojson import damage_geojson
from .damage_maps import read_damage_maps, shares_by_path, true_damaged_percent
from .damage_measures import DamageRegion, measure_damage, measure_damage_regions
from .damage_report import (area_percent, find_images, infer_collection, write_collection_report,
                            write_damage_report)
from .scan_resolution import ScanResolution, read_scan_resolution

__all__ = [
    'CollectionJournal', 'DamageRegion', 'ScanResolution', 'area_percent', 'assign_shard',
    'damage_geojson', 'find_images', 'infer_collection', 'measure_damage',
    'measure_damage_regions', 'process_shard', 'read_damage_maps', 'read_scan_resolution',
    'shard_device', 'shares_by_path', 'true_damaged_percent', 'write_collection_report',
    'write_damage_report'
]
