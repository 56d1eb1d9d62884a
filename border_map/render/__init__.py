"""Outputs: the self-contained HTML map and the GIS writers."""

from .geojson import feature_collection, to_json_value, write_geojson
from .html import build_map, write_map

__all__ = ["build_map", "feature_collection", "to_json_value", "write_geojson", "write_map"]
