"""What a collection run writes: damage masks, measures and outlines, condition reports and
their pages, W3C Web Annotations and IIIF manifests for Mirador, the collection's report, and the
journal and shards that make runs resumable."""
from .collection_journal import CollectionJournal
from .collection_shards import assign_shard, process_shard, shard_device
from .damage_geojson import damage_geojson
from .damage_maps import (map_photographs, read_damage_maps, shares_by_path,
                          true_damaged_percent)
from .damage_measures import DamageRegion, measure_damage, measure_damage_regions
from .damage_report import (area_percent, find_images, infer_collection, write_collection_report,
                            write_damage_report)
from .iiif_manifests import annotated_manifest, scans_manifest
from .mirador_viewer import install_mirador, write_mirador_page
from .scan_resolution import ScanResolution, read_scan_resolution
from .web_annotations import damage_annotation_page

__all__ = [
    'CollectionJournal', 'DamageRegion', 'ScanResolution', 'annotated_manifest', 'area_percent',
    'assign_shard', 'damage_annotation_page', 'damage_geojson', 'find_images',
    'infer_collection', 'install_mirador', 'map_photographs', 'measure_damage',
    'measure_damage_regions', 'process_shard', 'read_damage_maps', 'read_scan_resolution',
    'scans_manifest', 'shard_device', 'shares_by_path', 'true_damaged_percent',
    'write_collection_report', 'write_damage_report', 'write_mirador_page'
]
