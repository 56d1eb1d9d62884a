"""RFC 7946 GeoJSON: WGS 84 lon/lat, no ``crs`` member, 6-decimal coordinates,
a stable ``id`` per feature, a ``bbox``, and JSON-typed properties (never NaN).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping

from .._atomic import atomic_path
from .._json import compact

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


# --------------------------------------------------------------------------- streaming

def _json_strings(values) -> np.ndarray:
    """JSON text of each value of a text column (None -> null), each distinct value once."""
    import pandas as pd

    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    enc = [json.dumps(u if isinstance(u, str) else to_json_value(u), ensure_ascii=False)
           for u in uniques]
    return np.array([*enc, "null"], dtype=object)[codes]


_SHARED: contextvars.ContextVar[dict[int, str] | None] = contextvars.ContextVar(
    "shared_json", default=None)  # per thread: dask workers may be threads of one process


@contextlib.contextmanager
def shared_json():
    """Within this block, a list or dict is encoded once for every writer (the GeoJSON, the
    GeoPackage, the GeoParquet of one chunk): the memo is keyed by the object, which the
    chunk keeps alive until the block ends."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def json_text(v) -> str:
    """Compact JSON of one value (never NaN); lists and dicts remembered in :func:`shared_json`."""
    memo = _SHARED.get()
    if memo is not None:
        text = memo.get(id(v))
        if text is not None:
            return text
    try:
        text = compact(v)
    except TypeError:  # numpy, pandas or date values, a huge integer: the portable way
        text = json.dumps(to_json_value(v), ensure_ascii=False, allow_nan=False,
                          separators=(",", ":"))
    if memo is not None and isinstance(v, (list, dict)):
        memo[id(v)] = text
    return text


def _json_objects(values) -> np.ndarray:
    """JSON text of each list/dict value; a shared object is encoded once."""
    out = np.empty(len(values), dtype=object)
    local: dict[int, str] = {}
    for i, v in enumerate(values):
        text = local.get(id(v))
        if text is None:
            text = json_text(v)
            if isinstance(v, (list, dict)):
                local[id(v)] = text
        out[i] = text
    return out


def _json_numbers(values, integer: bool = False) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = np.asarray(values, dtype=float)
    finite = np.isfinite(arr)
    a = pa.array(np.where(finite, arr, 0.0), mask=~finite)
    if integer:
        a = pc.cast(a, pa.int64())
    text = pc.cast(a, pa.string())
    if not integer:  # 3.0 stays a real number (Arrow writes "3"), as Python's json writes it
        whole = pc.invert(pc.match_substring_regex(text, r"[.eEn]"))
        text = pc.if_else(whole, pc.binary_join_element_wise(text, ".0", ""), text)
    text = pc.fill_null(text, "null")
    return np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)


def _json_booleans(values) -> np.ndarray:
    arr = np.asarray(values, dtype=object)
    out = np.where(arr == True, "true", "false").astype(object)  # noqa: E712
    out[np.array([v is None for v in arr], dtype=bool)] = "null"
    return out


def json_column(values, ftype: str) -> np.ndarray:
    """Each value of a column as JSON text, by the declared type (properties.py)."""
    if ftype in ("string", "date", "datetime"):
        return _json_strings(values)
    if ftype in ("number", "integer"):
        return _json_numbers(values, integer=ftype == "integer")
    if ftype == "boolean":
        return _json_booleans(values)
    return _json_objects(values)


def point_geometries(geoms) -> np.ndarray:
    """GeoJSON geometry text of points (6 decimals; ``null`` when unlocated)."""
    arr = np.asarray(geoms, dtype=object)
    missing = shapely.is_missing(arr) | shapely.is_empty(arr)
    out = np.full(len(arr), "null", dtype=object)
    if (~missing).any():
        if (shapely.get_type_id(arr[~missing]) != 0).any():
            out[~missing] = [dumps(_geometry(g)) for g in arr[~missing]]
            return out
        xy = np.round(shapely.get_coordinates(arr[~missing]), COORD_DECIMALS)
        x = _json_numbers(xy[:, 0])
        y = _json_numbers(xy[:, 1])
        out[~missing] = ('{"type":"Point","coordinates":[' + x.astype(object) + "," + y + "]}")
    return out


def features_text(gdf, fields):
    """One compact GeoJSON Feature text per row, properties in ``fields`` order, as an Arrow
    string array.

    ``fields``: :class:`border_map.properties.Field` s. Column by column (each distinct value
    encoded once), then joined per row in Arrow: no dict per feature.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not len(gdf):
        return pa.array([], pa.string())
    parts = []
    for k, f in enumerate(fields):
        key = json.dumps(f.name)
        parts.append(pa.scalar(("{" if k == 0 else ",") + key + ":"))
        parts.append(pa.array(json_column(gdf[f.name].to_numpy(dtype=object), f.type),
                              pa.string()))
    props = pc.binary_join_element_wise(*parts, pa.scalar("}"), pa.scalar(""))
    ids = pa.array(_json_strings(gdf["id"].to_numpy(dtype=object)), pa.string())
    geom = pa.array(point_geometries(gdf.geometry.to_numpy()), pa.string())
    return pc.binary_join_element_wise(
        pa.scalar('{"type":"Feature","id":'), ids, pa.scalar(',"geometry":'), geom,
        pa.scalar(',"properties":'), props, pa.scalar("}"), pa.scalar(""))


@dataclass(frozen=True)
class FeatureBytes:
    """One chunk's features as the two GeoJSON files hold them, UTF-8 bytes ready to write:
    ``collection`` each feature after a comma (the file's first is written without it),
    ``sequence`` each after RS and before LF (RFC 8142); None for a file not written."""

    count: int
    bbox: tuple[float, float, float, float] | None
    collection: bytes | None = None
    sequence: bytes | None = None


def _joined(texts, before: str, after: str) -> bytes:
    """Every text of an Arrow string array between ``before`` and ``after``, concatenated:
    the data buffer of the joined array, copied once."""
    import pyarrow as pa
    import pyarrow.compute as pc

    joined = pc.binary_join_element_wise(pa.scalar(before), texts, pa.scalar(after),
                                         pa.scalar(""))
    offsets = np.frombuffer(joined.buffers()[1], dtype=np.int32)
    start, end = offsets[joined.offset], offsets[joined.offset + len(joined)]
    return joined.buffers()[2][start:end].to_pybytes()


def feature_bytes(gdf, fields, *, collection: bool = True,
                  sequence: bool = True) -> FeatureBytes:
    """:class:`FeatureBytes` of one chunk (:func:`features_text`), for the files asked for."""
    texts = features_text(gdf, fields)
    return FeatureBytes(len(texts), bounds(gdf) if len(texts) else None,
                        _joined(texts, ",", "") if collection else None,
                        _joined(texts, "\x1e", "\n") if sequence else None)


def bounds(gdf) -> tuple[float, float, float, float] | None:
    geoms = gdf.geometry.to_numpy()
    located = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not located.any():
        return None
    b = shapely.total_bounds(geoms[located])
    return tuple(float(v) for v in b)


class GeoJSONWriter:
    """incidents.geojson, written chunk by chunk: the features as they come, ``bbox`` last."""

    PREPARED = "features"  # (the key of :func:`border_map.render.outputs.prepare`)

    def __init__(self, path: Path, fields):
        self.fields = fields
        self._fh = open(path, "wb")  # noqa: SIM115 - closed in close()
        self._fh.write(b'{"type":"FeatureCollection","features":[')
        self._first = True
        self._bbox: list[float] | None = None

    def write(self, gdf, block: FeatureBytes | None = None) -> None:
        if block is None or block.collection is None:
            block = feature_bytes(gdf, self.fields, sequence=False)
        if not block.count:
            return
        self._fh.write(memoryview(block.collection)[1:] if self._first else block.collection)
        self._first = False
        b = block.bbox
        if b is not None:
            self._bbox = list(b) if self._bbox is None else [
                min(self._bbox[0], b[0]), min(self._bbox[1], b[1]),
                max(self._bbox[2], b[2]), max(self._bbox[3], b[3])]

    def close(self, credits=()) -> None:
        tail = "]"
        if self._bbox is not None:
            tail += ',"bbox":' + json.dumps([round(v, COORD_DECIMALS) for v in self._bbox])
        if credits:  # a foreign member (RFC 7946 §6.1): what the data's providers ask to say
            tail += ',"attribution":' + json.dumps(list(credits), ensure_ascii=False)
        self._fh.write((tail + "}\n").encode("utf-8"))
        self._fh.close()

    def abort(self) -> None:
        self._fh.close()


class GeoJSONSeqWriter:
    """incidents.geojsonl: RFC 8142, each feature after RS and before LF."""

    PREPARED = "features"  # (the key of :func:`border_map.render.outputs.prepare`)

    def __init__(self, path: Path, fields):
        self.fields = fields
        self._fh = open(path, "wb")  # noqa: SIM115 - closed in close()

    def write(self, gdf, block: FeatureBytes | None = None) -> None:
        if block is None or block.sequence is None:
            block = feature_bytes(gdf, self.fields, collection=False)
        if block.count:
            self._fh.write(block.sequence)

    def close(self) -> None:
        self._fh.close()

    abort = close
