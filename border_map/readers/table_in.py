"""Other tables: (Geo)Parquet and delimited text with positions but no known layout.

Columns are found by name (:data:`ALIASES`, case-insensitive, first match wins): an id, a
date, longitude and latitude (or a GeoParquet point geometry), a place, a country, a
precision and an event type. A table with neither a position nor a place column is one
error naming the columns it has. Rows without an id get a stable one from their content, the
same in every run and engine. Each row becomes one incident; a ``claims`` column holding JSON
text (this tool's GeoParquet and incidents-CSV outputs) gives its claims, checked like a
native file's, so an output read back keeps them; otherwise the incident has none.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd

from ..errors import DataError
from ..model.dates import DateParser
from ..model.vocabulary import EVENT_TYPES
from ._common import Problems, RowErrors, coordinates, read_delimited

__all__ = ["ALIASES", "read_parquet_part", "read_table", "table_columns"]

ALIASES = {
    "id": ("id", "event_id_cnty", "event_id", "globaleventid"),
    "date": ("date", "event_date", "date_start", "sqldate"),
    "date_end": ("date_end",),
    "lon": ("lon", "longitude", "long", "lng", "x", "actiongeo_long"),
    "lat": ("lat", "latitude", "y", "actiongeo_lat"),
    "place": ("place", "location", "place_name", "actiongeo_fullname"),
    "country": ("country", "country_code", "iso2"),
    "precision_km": ("precision_km",),
    "geo_precision": ("geo_precision",),
    "event_type": ("event_type",),
    "description": ("description", "notes"),
    "claims": ("claims",),
    "unlocated": ("location_error", "unlocated"),
}
_COUNTRY_NAMES = {"af": "AF", "afg": "AF", "afghanistan": "AF",
                  "pk": "PK", "pak": "PK", "pakistan": "PK"}
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def table_columns(names) -> dict[str, str]:
    """Schema key -> the table's column for it."""
    folded = {str(n).strip().lower(): n for n in names}
    out = {}
    for key, aliases in ALIASES.items():
        for alias in aliases:
            if alias in folded:
                out[key] = folded[alias]
                break
    return out


def looks_like_table(header: set[str]) -> bool:
    cols = table_columns(header)
    return ("lon" in cols and "lat" in cols) or "place" in cols


def read_table(text: str, name: str, problems: Problems, *,
               parser: DateParser | None = None, fields: dict | None = None) -> pd.DataFrame:
    """The normalised table of a delimited block with positions (see the module docstring);
    ``fields`` renames columns onto the schema first (``--fields``)."""
    from .foreign import rename_columns

    table = read_delimited(text, name)
    df = rename_columns(table.df, fields, name)
    return _normalise(df, table.lines, name, problems, parser or DateParser())


def read_parquet_part(part):
    """Batches of a (Geo)Parquet file's row groups."""
    import pyarrow.parquet as pq

    from ..model.table import Batch

    pf = pq.ParquetFile(part.path)
    groups = part.row_groups if part.row_groups is not None else range(pf.num_row_groups)
    geo = json.loads((pf.schema_arrow.metadata or {}).get(b"geo", b"{}") or b"{}")
    geom_col = geo.get("primary_column")
    first = 0
    for g in groups:
        first = sum(pf.metadata.row_group(k).num_rows for k in range(g))
        arrow = pf.read_row_group(g)
        frame = {}
        for col in arrow.column_names:
            arr = arrow.column(col)
            if col == geom_col:
                frame["lon"], frame["lat"] = _points(arr)
                continue
            frame[col] = arr.to_pandas().astype(object).where(lambda s: s.notna(), "").map(
                lambda v: v if isinstance(v, str) else str(v))
        df = pd.DataFrame(frame)
        problems = Problems(False)
        lines = np.arange(first + 1, first + len(df) + 1)
        table = _normalise(df, lines, part.path, problems, DateParser(), row_word="row")
        yield Batch(part.path, "parquet", table, problems.items, [], problems.ignored_reasons(),
                    len(df))


def _points(arr):
    import pyarrow as pa
    import pyarrow.compute as pc
    import shapely

    arr = arr.combine_chunks()
    if pa.types.is_struct(arr.type):
        x = pc.struct_field(arr, "x").to_numpy(zero_copy_only=False).astype(float)
        y = pc.struct_field(arr, "y").to_numpy(zero_copy_only=False).astype(float)
        missing = arr.is_null().to_numpy(zero_copy_only=False)
        x[missing], y[missing] = np.nan, np.nan
    else:
        geoms = shapely.from_wkb(arr.to_numpy(zero_copy_only=False))
        points = shapely.get_type_id(geoms) == 0
        x = np.where(points, shapely.get_x(geoms), np.nan)
        y = np.where(points, shapely.get_y(geoms), np.nan)
    fmt = np.vectorize(lambda v: "" if v != v else repr(float(v)), otypes=[object])
    with np.errstate(invalid="ignore"):  # NaN (no point) compared with itself
        return pd.Series(fmt(x) if len(x) else [], dtype=object), pd.Series(
            fmt(y) if len(y) else [], dtype=object)


def _normalise(df: pd.DataFrame, lines, name: str, problems: Problems, parser: DateParser,
               row_word: str = "line") -> pd.DataFrame:
    from ..model.table import from_columns

    cols = table_columns(df.columns)
    if "place" not in cols and not ("lon" in cols and "lat" in cols):
        shown = ", ".join(map(str, list(df.columns)[:12])) + ("..." if df.shape[1] > 12 else "")
        raise DataError(
            "no column gives a position or a place: expected longitude and latitude ("
            + "/".join(ALIASES["lon"]) + ", " + "/".join(ALIASES["lat"]) + ") or a place ("
            + "/".join(ALIASES["place"]) + "); columns are " + shown, location=name)
    n = len(df)
    errors = RowErrors(n)

    def text(key):
        if key not in cols:
            return np.full(n, None, dtype=object)
        arr = df[cols[key]].astype(str).str.strip().to_numpy(dtype=object)
        arr[(arr == "") | pd.isna(arr)] = None
        return arr

    if "lon" in cols and "lat" in cols:
        lon, lat, _missing, coord_errors = coordinates(
            df[cols["lon"]].astype(str), df[cols["lat"]].astype(str), cols["lon"], cols["lat"])
        for i, (field, message) in sorted(coord_errors.items()):
            errors.flag(i, field, message)
    else:
        lon = lat = np.full(n, np.nan)
    precision = np.full(n, np.nan)
    if "precision_km" in cols:
        precision = pd.to_numeric(df[cols["precision_km"]], errors="coerce").to_numpy(float)
    if "geo_precision" in cols:
        from ..gazetteer import precision_km_for_code

        code = pd.to_numeric(df[cols["geo_precision"]], errors="coerce")
        radius = {c: precision_km_for_code("acled", c) for c in (1, 2, 3)}
        precision = np.where(np.isnan(precision), code.map(radius).to_numpy(float), precision)
    starts = np.full(n, None, dtype=object)
    ends = np.full(n, None, dtype=object)
    precisions = np.full(n, "day", dtype=object)
    date_text = text("date")
    end_text = text("date_end")
    spans: dict = {}
    for i in range(n):
        raw = date_text[i]
        if raw is None:
            errors.flag(i, cols.get("date", "date"), "missing required field")
            continue
        raw = raw[:10] if _ISO.match(raw) else raw  # 2026-02-26T10:00:00 -> the day
        key = (raw, end_text[i])
        span = spans.get(key)
        if span is None:
            try:
                span = parser.span(raw)
                if end_text[i] is not None and end_text[i][:10] != raw:
                    from ..model.incident import DateSpan

                    end = parser.span(end_text[i][:10])
                    span = DateSpan(span.start, end.end, "range")
            except DataError as err:
                errors.flag(i, cols["date"], err.message)
                continue
            spans[key] = span
        starts[i], ends[i] = span.start.isoformat(), span.end.isoformat()
        precisions[i] = span.precision
    country = np.array([_COUNTRY_NAMES.get(str(c).lower()) if c else None
                        for c in text("country")], dtype=object)
    event_type = np.array([e if e in EVENT_TYPES else "other" for e in text("event_type")],
                          dtype=object)
    ids = text("id")
    missing_id = np.array([v is None for v in ids])
    if missing_id.any():
        keys = pd.DataFrame({"d": starts, "e": event_type, "p": text("place"), "x": lon,
                             "y": lat}).astype(str)
        hashed = pd.util.hash_pandas_object(keys, index=False).map("{:016x}".format)
        ids = np.where(missing_id, hashed.to_numpy(dtype=object), ids)
    places = text("place")
    unlocated = text("unlocated")
    claims = _claims(df, cols, n, errors, name, lines, row_word)
    keep = []
    for i in range(n):
        if errors[i] is not None:
            problems.at(f"{name}:{int(lines[i])}" if row_word == "line"
                        else f"{name} {row_word} {int(lines[i])}", *errors[i])
            continue
        keep.append(i)
        if places[i] is None and lon[i] != lon[i] and unlocated[i] is None:
            unlocated[i] = "the table gives no position and no place"
    k = np.asarray(keep, dtype=np.int64)
    return from_columns({
        "id": ids[k], "source_file": [name] * len(k), "source_line": np.asarray(lines)[k],
        "date_start": starts[k], "date_end": ends[k], "date_precision": precisions[k],
        "date_text": [None] * len(k), "event_type": event_type[k], "actors": [()] * len(k),
        "place": places[k], "place_country": country[k], "lon": lon[k], "lat": lat[k],
        "precision_km": precision[k], "unlocated": unlocated[k],
        "description": text("description")[k], "claims": [claims[i] for i in k],
    })


def _claims(df: pd.DataFrame, cols: dict, n: int, errors: RowErrors, name: str, lines,
            row_word: str) -> list:
    """Each row's claims from a ``claims`` column of JSON text (empty cells: none)."""
    out: list = [()] * n
    column = cols.get("claims")
    if column is None:
        return out
    from .native_file import claims_from_json

    memo: dict[str, tuple] = {}
    for i, cell in enumerate(df[column].tolist()):
        if not isinstance(cell, str) or not cell.strip() or cell.strip() == "null":
            continue
        hit = memo.get(cell)
        if hit is None:
            where = (f"{name}:{int(lines[i])}" if row_word == "line"
                     else f"{name} {row_word} {int(lines[i])}")
            try:
                hit = memo[cell] = claims_from_json(cell, where)
            except DataError as err:
                errors.flag(i, err.field or column, err.message)
                continue
        out[i] = hit
    return out
