"""RFC 7946 GeoJSON: WGS 84 lon/lat, no ``crs`` member, 6-decimal coordinates,
a stable ``id`` per feature, a ``bbox``, and JSON-typed properties (never NaN).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping

from .._atomic import atomic_path

COORD_DECIMALS = 6  # about 0.1 m; RFC 7946 §11.2 advises no more


def to_json_value(value):
    """Convert pandas/NumPy/datetime values into plain JSON values (NaN -> None)."""
    if value is None:
        return None
    if isinstance(value, (str, bool)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [to_json_value(v) for v in value]
    if hasattr(value, "isoformat"):  # pandas Timestamp
        return value.isoformat()
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _geometry(geom):
    if geom is None or geom.is_empty:
        return None
    geom = shapely.set_precision(geom, 10 ** -COORD_DECIMALS) if geom.geom_type != "Point" else geom
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        geom = shapely.orient_polygons(geom)  # right-hand rule: exterior rings counter-clockwise
    return _round(mapping(geom))


def _round(obj):
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(c), COORD_DECIMALS) for c in obj]
        return [_round(v) for v in obj]
    return obj


def feature_collection(gdf, properties: Iterable[str] | None = None, id_column: str = "id") -> dict:
    """A GeoJSON FeatureCollection dict from a GeoDataFrame in EPSG:4326."""
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    cols = list(properties) if properties is not None else [
        c for c in gdf.columns if c != gdf.geometry.name]
    features = []
    records = gdf[cols].to_dict(orient="records")
    for geom, rec in zip(gdf.geometry, records, strict=True):
        props = {k: to_json_value(v) for k, v in rec.items()}
        feat = {"type": "Feature"}
        if id_column in props and props[id_column] is not None:
            feat["id"] = props[id_column]
        feat["geometry"] = _geometry(geom)
        feat["properties"] = props
        features.append(feat)
    doc = {"type": "FeatureCollection"}
    located = gdf.geometry[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    if len(located):
        doc["bbox"] = [round(float(v), COORD_DECIMALS) for v in located.total_bounds]
    doc["features"] = features
    return doc


def dumps(doc: dict, indent: int | None = None) -> str:
    """Serialise strictly: NaN or Infinity anywhere is a bug, not output."""
    return json.dumps(doc, ensure_ascii=False, allow_nan=False, sort_keys=False, indent=indent,
                      separators=None if indent else (",", ":"))


def write_geojson(gdf, path: str | Path, properties: Iterable[str] | None = None,
                  indent: int | None = None) -> Path:
    """Write ``gdf`` as RFC 7946 GeoJSON atomically (temp file, then rename)."""
    text = dumps(feature_collection(gdf, properties), indent=indent)
    with atomic_path(path) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")
    return Path(path)
