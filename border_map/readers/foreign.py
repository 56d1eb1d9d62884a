"""GeoJSON (and tables) with other property names: recognised layouts, ``--fields``, one error.

A FeatureCollection whose properties are a UCDP GED row (``type_of_violence``, ``date_start``,
``best``/``best_est``) or an ACLED row (``event_id_cnty``) is read by that source's reader,
the point taken from the geometry when the properties have none. Other property names are
mapped onto the schema by ``fields`` (``--fields event_type=violence,date=day,...``: schema
key = the file's name; keys of :data:`~border_map.readers.table_in.ALIASES`) and read as a
table (:mod:`.table_in`). Features with none of the properties border-map needs are one
error naming the properties found and those needed, not one line per feature.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd

from ..errors import DataError
from ._common import Problems, Table

#: The schema keys ``--fields`` may name.
FIELD_KEYS = ("id", "date", "date_end", "event_type", "lon", "lat", "place", "country",
              "precision_km", "geo_precision", "description", "unlocated")
_NATIVE_KEYS = {"date", "date_start"}


def parse_fields(text: str) -> dict[str, str]:
    """``event_type=violence,date=day`` (or the lines of a mapping file) -> {key: name}."""
    out: dict[str, str] = {}
    for item in text.replace("\n", ",").split(","):
        item = item.strip()
        if not item or item.startswith("#"):
            continue
        key, sep, name = item.partition("=")
        if not sep:
            key, sep, name = item.partition(":")
        key, name = key.strip(), name.strip().strip("'\"")
        if not sep or not name:
            raise ValueError(f"{item!r}: expected KEY=NAME (e.g. date=date_start)")
        if key not in FIELD_KEYS:
            raise ValueError(f"{key!r} is not a field border-map reads; use one of "
                             + ", ".join(FIELD_KEYS))
        out[key] = name
    if not out:
        raise ValueError("no KEY=NAME pair given")
    return out


def read_foreign_geojson(text: str, name: str, problems: Problems, *, parser=None,
                         fields: dict[str, str] | None = None):
    """The normalised table of a GeoJSON with foreign properties, or None when the features
    carry border-map's own properties (read by :mod:`.geojson_in`)."""
    try:
        doc = json.loads(text.removeprefix("\ufeff"))
    except (ValueError, RecursionError):
        return None  # the native reader says where the syntax is wrong
    if not isinstance(doc, dict):
        return None
    features = [doc] if doc.get("type") == "Feature" else doc.get("features")
    if not isinstance(features, list) or not features:
        return None
    if not all(isinstance(f, dict) and isinstance(f.get("properties") or {}, dict)
               for f in features):
        return None
    props = [f.get("properties") or {} for f in features]
    keys = list(dict.fromkeys(k for p in props for k in p))
    folded = {k.lower() for k in keys}
    layout = None
    if "event_id_cnty" in folded:
        layout = "acled"
    elif "type_of_violence" in folded and "date_start" in folded and (
            {"best", "best_est"} & folded):
        layout = "ucdp"
    if layout is None and not fields:
        if (_NATIVE_KEYS & set(keys)) and "event_type" in keys:
            return None
        if all(not p for p in props):
            return None  # the native reader names the missing fields
        raise DataError(
            f"the {len(features)} feature(s) do not carry border-map's properties: they have "
            + ", ".join(keys[:20]) + (", ..." if len(keys) > 20 else "")
            + "; needed: date (or date_start), event_type, and a Point geometry or place. "
            "Map them with --fields date=NAME,event_type=NAME,... (or --fields FILE)",
            location=name)
    if layout is None and not (set(fields) & {"date"} or "date" in folded
                               or "date_start" in folded):
        raise DataError("--fields maps no date: add date=NAME (the features have "
                        + ", ".join(keys[:20]) + ")", location=name)
    lon, lat = [], []
    for f in features:
        g = f.get("geometry") or {}
        c = g.get("coordinates") if isinstance(g, dict) and g.get("type") == "Point" else None
        ok = isinstance(c, list) and len(c) >= 2
        lon.append(repr(float(c[0])) if ok else "")  # GeoJSON: [longitude, latitude]
        lat.append(repr(float(c[1])) if ok else "")
    frame = {k.lower(): ["" if p.get(k) is None else str(p.get(k)) for p in props]
             for k in keys}
    lines = _feature_lines(text, len(features))
    if layout is not None:
        for key, values in (("longitude", lon), ("latitude", lat)):
            if key not in frame or all(v == "" for v in frame[key]):
                frame[key] = values
        df = pd.DataFrame(frame)
        if layout == "ucdp":
            from .ucdp import read_ucdp_frame

            return read_ucdp_frame(Table(df, lines, name), name, problems, parser)
        from .acled import _read_acled

        return _read_acled(Table(df, lines, name), name, problems, parser)
    from ..model.dates import DateParser
    from .table_in import _normalise

    renamed = {}
    for key, source in fields.items():
        column = source.lower()
        if column not in frame:
            raise DataError(f"--fields {key}={source}: the features have no property "
                            f"{source!r}; they have " + ", ".join(keys[:20]), location=name)
        renamed[key] = frame[column]
    frame = {k: v for k, v in frame.items() if k not in FIELD_KEYS} | renamed
    if "lon" not in frame:
        frame["lon"], frame["lat"] = lon, lat
    return _normalise(pd.DataFrame(frame), lines, name, problems, parser or DateParser(),
                      row_word="feature")


_FEATURE = re.compile(r'"type"\s*:\s*"Feature"')


def _feature_lines(text: str, n: int) -> np.ndarray:
    """The line each feature's ``"type": "Feature"`` is on (a feature's place in the file);
    when that cannot be told (one-line JSON, features typed elsewhere), the feature's number."""
    starts = [m.start() for m in _FEATURE.finditer(text)]
    if len(starts) == n:
        gaps = zip([0, *starts[:-1]], starts, strict=True)
        lines = np.cumsum([text.count("\n", a, b) for a, b in gaps]) + 1
        if len(set(lines.tolist())) == n:
            return lines.astype(np.int64)
    return np.arange(1, n + 1, dtype=np.int64)


def rename_columns(df: pd.DataFrame, fields: dict[str, str] | None, name: str) -> pd.DataFrame:
    """A table's columns renamed by ``--fields`` (schema key = the table's column)."""
    if not fields:
        return df
    folded = {str(c).strip().lower(): c for c in df.columns}
    renames = {}
    for key, source in fields.items():
        column = folded.get(source.lower())
        if column is None:
            raise DataError(f"--fields {key}={source}: no column {source!r}; the columns are "
                            + ", ".join(map(str, list(df.columns)[:20])), location=f"{name}:1")
        renames[column] = key
    clash = [c for c in df.columns if str(c).lower() in fields and c not in renames]
    return df.drop(columns=clash).rename(columns=renames)
