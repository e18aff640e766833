"""Scans served by IIIF: image services (Image API 2 and 3, levels 0-2) and Presentation
manifests (2 and 3), read region by region within what each server allows, with the network
behaviour a collection expects (few requests at a time, timeouts, retries, an optional cache,
clear errors)."""
from .iiif_client import IIIFClient, decode_region
from .iiif_error import IIIFError
from .iiif_image_rows import IIIFImageRows
from .iiif_inputs import collection_manifests, iiif_scans, is_iiif_input, source_name
from .iiif_scan import IIIFScan
from .image_service import ImageService, TileSpec, physical_mm_per_unit
from .presentation_manifest import Canvas, Manifest, load_manifest, read_manifest
from .region_plan import Band, Region, plan_bands, region_size

__all__ = [
    'Band', 'Canvas', 'IIIFClient', 'IIIFError', 'IIIFImageRows', 'IIIFScan', 'ImageService',
    'Manifest', 'Region', 'TileSpec', 'collection_manifests', 'decode_region', 'iiif_scans',
    'is_iiif_input', 'load_manifest', 'physical_mm_per_unit', 'plan_bands', 'read_manifest',
    'region_size', 'source_name'
]
