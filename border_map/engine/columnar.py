"""The columnar path: tabular inputs -> screened frame -> border analysis -> GeoParquet.

One set of pure, per-partition functions serves both engines:

* :func:`plan` cuts the inputs into :class:`Chunk` s (byte ranges of CSV/TSV files,
  row groups of Parquet files; one chunk per file for the in-memory engine);
* :func:`read_chunk` parses one chunk with pyarrow, every column as text, so a
  chunk's types never depend on which rows it holds;
* :func:`normalise` maps GDELT 2.0 exports, CSV (ACLED-like column names) and
  (Geo)Parquet onto one frame of :data:`FRAME_COLUMNS`;
* :func:`screen` drops rows that cannot be placed in the region, counting why;
* :func:`resolve_places` places rows that name a place but carry no coordinates,
  through the offline gazetteer;
* :func:`analyse_frame` runs :func:`border_map.analysis.analyse` and fixes the
  output schema (:data:`OUTPUT_COLUMNS`), so every partition writes the same
  GeoParquet columns.

:func:`run_columnar` is the in-memory engine: the same functions over the whole
input in one frame (no Incident objects), then the outputs of
:mod:`border_map.engine.outputs`. The dask engine applies them per partition.
"""

from __future__ import annotations

import io
import logging
import math
import os
import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import shapely

from ..analysis import ANALYSIS_COLUMNS, REGION_BOUNDS, analyse
from ..border import DEFAULT_BANDS_KM, DurandLine
from ..errors import DataError, PlaceError

# The row-wise GDELT reader's column spec and code tables: both readers agree on them.
from ..readers.gdelt import (
    CAMEO_EVENT_TYPES,
    FIPS_COUNTRIES,
    GDELT_COLUMNS,
    VIOLENT_ROOT_CODES,
)

log = logging.getLogger(__name__)

#: The GDELT columns border-map reads; the other 51 are skipped by the parser.
GDELT_READ: tuple[str, ...] = (
    "GLOBALEVENTID", "SQLDATE", "EventCode", "EventRootCode", "NumSources", "ActionGeo_Type",
    "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_Lat", "ActionGeo_Long",
)
#: GDELT geocodes to a country centroid (type 1): no position relative to a border.
GDELT_COUNTRY_LEVEL = 1
#: A GDELT point geocoded to a city or landmark (type 3/4) stands for the place's
#: extent; ADM1 (type 2/5) for a province. Radii in km, used for band certainty.
GDELT_PRECISION_KM = {2: 100.0, 3: 5.0, 4: 5.0, 5: 100.0}
#: Column names accepted in CSV and Parquet inputs (lower-cased), first match wins.
TABLE_ALIASES = {
    "id": ("id", "event_id_cnty", "event_id", "globaleventid"),
    "date": ("date", "event_date", "date_start", "sqldate"),
    "lon": ("lon", "longitude", "long", "actiongeo_long"),
    "lat": ("lat", "latitude", "actiongeo_lat"),
    "place": ("place", "location", "place_name", "actiongeo_fullname"),
    "country": ("country", "country_code", "iso2"),
    "precision_km": ("precision_km",),
    "geo_precision": ("geo_precision",),
    "event_type": ("event_type",),
    "claim_count": ("claim_count", "numsources"),
    # a previous run's reason for no position (e.g. a country-level GDELT row) is kept
    "location_error": ("location_error",),
}
_COUNTRY_NAMES = {"af": "AF", "afg": "AF", "afghanistan": "AF",
                  "pk": "PK", "pak": "PK", "pakistan": "PK"}

#: The normalised frame every format is mapped onto (before screening).
FRAME_COLUMNS = ("id", "source", "date", "event_type", "event_code", "place", "country",
                 "precision_km", "claim_count", "lon", "lat", "location_source", "location_error")
#: Reasons a row is dropped before analysis (counted, never silently).
DROP_REASONS = ("malformed", "bad_coordinates", "out_of_region", "no_location", "not_violent",
                "bad_date")
FORMATS = ("gdelt", "csv", "parquet")
DEFAULT_BLOCKSIZE = 64 * 2**20


def output_columns(bands_km: Sequence[float] = DEFAULT_BANDS_KM) -> tuple[str, ...]:
    """Columns of the analysed GeoParquet, in order (geometry last)."""
    return (
        "id", "source", "date", "event_type", "event_code", "place", "place_id", "country",
        "location_source", "location_error", "precision_km", "claim_count",
        "distance_to_border_km", "side", "side_conflict", "band_km",
        *certainty_columns(bands_km),
        "sector", "nearest_lon", "nearest_lat", "chainage_km", "geometry",
    )


def certainty_columns(bands_km: Sequence[float] = DEFAULT_BANDS_KM) -> tuple[str, ...]:
    """One column per band for ``band_certainty`` ('certain', 'possible', 'outside')."""
    return tuple(f"band_certainty_{b:g}km" for b in sorted(bands_km))


OUTPUT_COLUMNS = output_columns()


# -- chunks ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Chunk:
    """One partition of the input: a byte range of a text file or row groups of a Parquet file."""

    path: str
    format: str
    index: int = 0
    offset: int = 0
    length: int | None = None  # None: to the end of the file
    row_groups: tuple[int, ...] | None = None
    header: tuple[str, ...] | None = None  # CSV column names (read once from line 1)
    delimiter: str = ","
    skip_first_line: bool = False  # the chunk that starts with the CSV header
    nbytes: int = 0


def _first_line(path: str) -> str:
    opener = _open_text_source(path)
    with opener() as fh:
        return fh.readline(1 << 20).decode("utf-8-sig", errors="replace").rstrip("\r\n")


def _open_text_source(path: str):
    """A callable returning a binary file object with the (decompressed) text of ``path``."""
    low = path.lower()
    if low.endswith(".zip"):
        def open_zip():
            zf = zipfile.ZipFile(path)
            names = [n for n in zf.namelist() if not n.endswith("/")]
            if len(names) != 1:
                raise DataError("a zip input must hold exactly one file", location=path)
            return zf.open(names[0])
        return open_zip
    if low.endswith(".gz"):
        import gzip
        return lambda: gzip.open(path, "rb")
    return lambda: open(path, "rb")


def detect_format(path: str | os.PathLike) -> str:
    """'parquet', 'gdelt' (header-less 61-column TSV) or 'csv' (a header line)."""
    p = Path(path)
    name = p.name.lower()
    if p.is_dir() or name.endswith((".parquet", ".geoparquet", ".pq")):
        return "parquet"
    if not name.endswith((".csv", ".tsv", ".txt", ".zip", ".gz")):
        raise DataError("the columnar engines read CSV, GDELT exports (TSV) and "
                        "(Geo)Parquet; use --engine in-memory for YAML/JSON incident files",
                        location=str(path))
    line = _first_line(str(p))
    fields = line.split("\t")
    if len(fields) == len(GDELT_COLUMNS) and fields[0].strip().isdigit():
        return "gdelt"
    return "csv"


def _parquet_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(f for f in path.rglob("*.parquet") if f.is_file())
    return [path]


def plan(paths: Sequence[str | os.PathLike], *, blocksize: int | None = None,
         partitions: int | None = None) -> list[Chunk]:
    """Cut the inputs into chunks.

    ``blocksize`` (bytes) splits text files at line boundaries and groups Parquet
    row groups; ``partitions`` sets the blocksize so that about that many chunks
    come out. With neither, every file is one chunk (the in-memory engine).
    Compressed files are always one chunk each (they cannot be split).
    """
    if not paths:
        raise DataError("no input files given")
    files = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise DataError("no such file", location=str(p))
        fmt = detect_format(p)
        size = sum(f.stat().st_size for f in _parquet_files(p)) if fmt == "parquet" else (
            p.stat().st_size)
        files.append((p, fmt, size))
    if partitions is not None:
        if partitions < 1:
            raise ValueError("partitions must be at least 1")
        total = sum(s for _, _, s in files)
        blocksize = max(1, math.ceil(total / partitions))
    chunks: list[Chunk] = []
    for p, fmt, size in files:
        if fmt == "parquet":
            chunks.extend(_plan_parquet(p, blocksize))
            continue
        header, delimiter, skip = None, "\t", False
        if fmt == "csv":
            line = _first_line(str(p))
            delimiter = "\t" if line.count("\t") > line.count(",") else ","
            header = tuple(_split_header(line, delimiter))
            skip = True
        splittable = not str(p).lower().endswith((".zip", ".gz"))
        if blocksize is None or not splittable or size <= blocksize:
            chunks.append(Chunk(str(p), fmt, header=header, delimiter=delimiter,
                                skip_first_line=skip, nbytes=size))
            continue
        for k, offset in enumerate(range(0, size, blocksize)):
            length = min(blocksize, size - offset)
            chunks.append(Chunk(str(p), fmt, offset=offset, length=length, header=header,
                                delimiter=delimiter, skip_first_line=skip and k == 0,
                                nbytes=length))
    return [replace(c, index=i) for i, c in enumerate(chunks)]


def _split_header(line: str, delimiter: str) -> list[str]:
    import csv

    return [h.strip() for h in next(csv.reader([line], delimiter=delimiter))]


def _plan_parquet(path: Path, blocksize: int | None) -> list[Chunk]:
    import pyarrow.parquet as pq

    out = []
    for f in _parquet_files(path):
        meta = pq.ParquetFile(f).metadata
        if blocksize is None:
            out.append(Chunk(str(f), "parquet", nbytes=f.stat().st_size))
            continue
        group: list[int] = []
        size = 0
        for g in range(meta.num_row_groups):
            group.append(g)
            size += meta.row_group(g).total_byte_size
            if size >= blocksize:
                out.append(Chunk(str(f), "parquet", row_groups=tuple(group), nbytes=size))
                group, size = [], 0
        if group or not out:
            out.append(Chunk(str(f), "parquet", row_groups=tuple(group) or None, nbytes=size))
    return out


# -- reading -----------------------------------------------------------------------------
def _read_block(chunk: Chunk) -> bytes:
    """The lines that start within the chunk's byte range (like ``dask.bytes.read_bytes``)."""
    from fsspec.utils import read_block

    with open(chunk.path, "rb") as fh:
        return read_block(fh, chunk.offset, chunk.length, delimiter=b"\n")


def read_chunk(chunk: Chunk, *, threads: bool = False) -> tuple[pa.Table, int]:
    """Parse one chunk; every column is text. Returns the table and the malformed-row count."""
    if chunk.format == "parquet":
        return _read_parquet(chunk), 0
    if chunk.length is None:
        with _open_text_source(chunk.path)() as fh:
            data = fh.read()
    else:
        data = _read_block(chunk)
    bad = 0

    def skip(row):
        nonlocal bad
        bad += 1
        return "skip"

    if chunk.format == "gdelt":
        names, wanted, delimiter, quote = list(GDELT_COLUMNS), list(GDELT_READ), "\t", False
    else:
        names, delimiter, quote = list(chunk.header), chunk.delimiter, '"'
        wanted = names
    read = pacsv.ReadOptions(column_names=names, use_threads=threads,
                             skip_rows=1 if chunk.skip_first_line else 0,
                             block_size=16 * 2**20)
    parse = pacsv.ParseOptions(delimiter=delimiter, quote_char=quote,
                               newlines_in_values=False, invalid_row_handler=skip)
    convert = pacsv.ConvertOptions(include_columns=wanted,
                                   column_types={n: pa.string() for n in wanted},
                                   strings_can_be_null=True, quoted_strings_can_be_null=True)
    if not data.strip():
        return pa.table({n: pa.array([], pa.string()) for n in wanted}), 0
    try:
        table = pacsv.read_csv(io.BytesIO(data), read_options=read, parse_options=parse,
                               convert_options=convert)
    except (pa.ArrowInvalid, UnicodeDecodeError) as err:
        raise DataError(f"cannot parse {chunk.format} input: {err}", location=chunk.path) from err
    return table, bad


def _read_parquet(chunk: Chunk) -> pa.Table:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(chunk.path)
    table = pf.read_row_groups(list(chunk.row_groups)) if chunk.row_groups else pf.read()
    geo = (table.schema.metadata or {}).get(b"geo")
    geom_col = None
    if geo:
        import json

        geom_col = json.loads(geo).get("primary_column")
    cols = {}
    for name in table.column_names:
        col = table.column(name)
        if name == geom_col:
            cols["lon"], cols["lat"] = _point_columns(col)
            continue
        if pa.types.is_nested(col.type) or pa.types.is_binary(col.type):
            continue
        cols[name] = pc.cast(col, pa.string())
    return pa.table(cols)


def _point_columns(col: pa.ChunkedArray) -> tuple[pa.Array, pa.Array]:
    """lon/lat (as text, like every input column) of a GeoParquet geometry column.

    Reads WKB and GeoParquet 1.1's native point encoding (a struct of x and y);
    anything but a point has no position here.
    """
    col = col.combine_chunks()
    if pa.types.is_struct(col.type):
        x = pc.struct_field(col, "x").to_numpy(zero_copy_only=False).astype(float)
        y = pc.struct_field(col, "y").to_numpy(zero_copy_only=False).astype(float)
        missing = col.is_null().to_numpy(zero_copy_only=False)
        x[missing], y[missing] = np.nan, np.nan
    else:
        geoms = shapely.from_wkb(col.to_numpy(zero_copy_only=False))
        points = shapely.get_type_id(geoms) == 0
        x = np.where(points, shapely.get_x(geoms), np.nan)
        y = np.where(points, shapely.get_y(geoms), np.nan)
    return pa.array(x, from_pandas=True).cast(pa.string()), pa.array(
        y, from_pandas=True).cast(pa.string())


# -- normalising -------------------------------------------------------------------------
def _to_float(arr) -> np.ndarray:
    """Text to float64 through Arrow's parser; unparseable text becomes NaN."""
    arr = pa.chunked_array([arr]) if isinstance(arr, pa.Array) else arr
    try:
        return pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False).astype(float)
    except pa.ArrowInvalid:
        trimmed = pc.utf8_trim_whitespace(arr)
        ok = pc.match_substring_regex(trimmed, r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
        safe = pc.if_else(ok, trimmed, pa.scalar(None, pa.string()))
        return pc.cast(safe, pa.float64()).to_numpy(zero_copy_only=False).astype(float)


def _dates(arr, formats: Sequence[str]) -> tuple[pd.Series, np.ndarray]:
    """ISO dates (text) from any of ``formats``, and where a given date could not be read."""
    arr = pa.chunked_array([arr]) if isinstance(arr, pa.Array) else arr
    trimmed = pc.utf8_trim_whitespace(arr)
    out = None
    for fmt in formats:
        ts = pc.strptime(trimmed, format=fmt, unit="s", error_is_null=True)
        out = ts if out is None else pc.coalesce(out, ts)
    text = pc.cast(pc.cast(out, pa.date32()), pa.string())  # ISO 8601; strftime is 30x slower
    given = pc.fill_null(pc.greater(pc.utf8_length(trimmed), 0), False)
    bad = pc.and_(given, pc.is_null(out)).to_numpy(zero_copy_only=False).astype(bool)
    return text.to_pandas().astype("string").reset_index(drop=True), bad


def _no_dates(n: int) -> tuple[pd.Series, np.ndarray]:
    return _const(None, n), np.zeros(n, dtype=bool)


def _strings(arr) -> pd.Series:
    """A pandas ``string`` Series over an Arrow string array (no copy through Python objects)."""
    arr = pa.chunked_array([arr]) if isinstance(arr, pa.Array) else arr
    if arr.num_chunks == 0:
        arr = pa.chunked_array([pa.array([], pa.string())])
    return pd.Series(pd.arrays.ArrowStringArray(arr))


def _const(value: str | None, n: int) -> pd.Series:
    return _strings(pa.nulls(n, pa.string()) if value is None else pa.repeat(value, n))


def to_strings(values) -> pd.Series:
    """Python objects (str or None/NaN) to a pandas ``string`` Series, through Arrow."""
    return _strings(pa.array(np.asarray(values, dtype=object), type=pa.string(), from_pandas=True))


def _text(arr) -> pd.Series:
    """Trimmed text; empty text becomes null."""
    arr = pa.chunked_array([arr]) if isinstance(arr, pa.Array) else arr
    trimmed = pc.utf8_trim_whitespace(arr)
    return _strings(pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed))


def cameo_event_type(codes: pd.Series) -> pd.Series:
    """border-map event types for CAMEO codes (longest matching prefix; else 'other')."""
    idx, uniq = pd.factorize(codes)  # a few hundred distinct codes: look each up once
    names = []
    for code in (str(c) for c in uniq):
        prefix = next((code[:n] for n in range(len(code), 0, -1)
                       if code[:n] in CAMEO_EVENT_TYPES), None)
        names.append(CAMEO_EVENT_TYPES[prefix] if prefix else "other")
    out = np.array([*names, "other"], dtype=object)[idx]  # idx -1 (no code): "other"
    return to_strings(out)


def _gdelt_precision(geo_type: np.ndarray) -> np.ndarray:
    out = np.full(len(geo_type), np.nan)
    for code, km in GDELT_PRECISION_KM.items():
        out[geo_type == code] = km
    return out


def normalise(table: pa.Table, fmt: str, *, source: str | None = None) -> pd.DataFrame:
    """Map a chunk of any input format onto :data:`FRAME_COLUMNS`.

    ``date`` is ISO text (None when it cannot be read); ``lon``/``lat`` are float
    (NaN when absent); ``country`` is AF, PK or None; ``precision_km`` is NaN when
    the input does not say.
    """
    n = table.num_rows
    if fmt == "gdelt":
        geo_type = _to_float(table["ActionGeo_Type"])
        codes = _text(table["EventCode"])
        cc = pc.utf8_trim_whitespace(table["ActionGeo_CountryCode"])
        dates, bad_date = _dates(table["SQLDATE"], ["%Y%m%d"])
        ids = pc.utf8_trim_whitespace(table["GLOBALEVENTID"])
        root = pc.utf8_trim_whitespace(table["EventRootCode"])
        code_root = pc.utf8_slice_codeunits(pc.utf8_trim_whitespace(table["EventCode"]), 0, 2)
        root = pc.coalesce(pc.if_else(pc.equal(root, ""), pa.scalar(None, pa.string()), root),
                           code_root)
        frame = pd.DataFrame({
            # the row-wise reader's ids: "gdelt-" + GLOBALEVENTID
            "id": _strings(pc.binary_join_element_wise("gdelt-", ids, "")),
            "source": _const("gdelt", n),
            "date": dates,
            "event_type": cameo_event_type(codes),
            "event_code": codes,
            "place": _text(table["ActionGeo_FullName"]),
            "country": _strings(pc.if_else(pc.is_in(cc, pa.array(list(FIPS_COUNTRIES))),
                                           cc, pa.scalar(None, pa.string()))),
            "precision_km": _gdelt_precision(geo_type),
            "claim_count": np.nan_to_num(_to_float(table["NumSources"]), nan=1.0).astype(np.int64),
            "lon": _to_float(table["ActionGeo_Long"]),
            "lat": _to_float(table["ActionGeo_Lat"]),
            "location_source": _const("gdelt", n),
            "location_error": _const(None, n),
        })
        # a country centroid says nothing about the border: unlocated (kept for AF/PK)
        country_level = geo_type == GDELT_COUNTRY_LEVEL
        frame.loc[country_level & frame["country"].notna().to_numpy(), "location_error"] = (
            "country-level location only")
        frame["_country_level"] = country_level
        frame["_bad_date"] = bad_date | frame["date"].isna().to_numpy()
        frame["_not_violent"] = ~pc.fill_null(pc.is_in(root, pa.array(VIOLENT_ROOT_CODES)),
                                              False).to_numpy(zero_copy_only=False)
        return frame
    cols = {name.lower(): name for name in table.column_names}

    def pick(key):
        for alias in TABLE_ALIASES[key]:
            if alias in cols:
                return table[cols[alias]]
        return None

    def text_or_none(key):
        arr = pick(key)
        return _text(arr) if arr is not None else _const(None, n)

    def floats(key):
        arr = pick(key)
        return _to_float(arr) if arr is not None else np.full(n, np.nan)

    if pick("place") is None and (pick("lon") is None or pick("lat") is None):
        raise DataError(
            "no column gives a position or a place: expected longitude and latitude ("
            + "/".join(TABLE_ALIASES["lon"]) + ", " + "/".join(TABLE_ALIASES["lat"])
            + ") or a place (" + "/".join(TABLE_ALIASES["place"]) + "); columns are "
            + ", ".join(table.column_names[:12]) + ("..." if table.num_columns > 12 else ""))
    ids = text_or_none("id")
    date_arr = pick("date")
    dates, bad_date = (_dates(date_arr, ["%Y-%m-%d", "%d %B %Y", "%Y%m%d", "%Y-%m-%dT%H:%M:%S"])
                       if date_arr is not None else _no_dates(n))
    precision = floats("precision_km")
    codes = pick("geo_precision")
    if codes is not None:
        from ..gazetteer import precision_km_for_code

        code = _to_float(codes)
        radius = {c: precision_km_for_code("acled", c) for c in (1, 2, 3)}
        from_code = pd.Series(code).map(radius).to_numpy(dtype=float)
        precision = np.where(np.isnan(precision), from_code, precision)
    country = text_or_none("country").str.lower().map(_COUNTRY_NAMES).astype("string")
    claims = floats("claim_count")
    event_type = text_or_none("event_type")
    frame = pd.DataFrame({
        "id": ids,
        "source": _const(source or fmt, n),
        "date": dates,
        "event_type": event_type.fillna("other"),
        "event_code": _const(None, n),
        "place": text_or_none("place"),
        "country": country,
        "precision_km": precision,
        "claim_count": np.nan_to_num(claims, nan=1.0).astype(np.int64),
        "lon": floats("lon"),
        "lat": floats("lat"),
        "location_source": _const(None, n),
        "location_error": text_or_none("location_error"),
    })
    if frame["id"].isna().any():
        # no id column: a stable id from the row's content, the same in every engine
        keys = frame[["date", "event_type", "place", "lon", "lat"]].astype("string")
        hashed = pd.util.hash_pandas_object(keys, index=False).map("{:016x}".format)
        frame["id"] = frame["id"].fillna(hashed.astype("string"))
    frame["_country_level"] = False
    frame["_bad_date"] = bad_date
    frame["_not_violent"] = False
    return frame


# -- screening and places ----------------------------------------------------------------
@dataclass
class ChunkStats:
    """What happened to the rows of one chunk (added up over chunks)."""

    rows: int = 0
    dropped: Counter = field(default_factory=Counter)
    incidents: int = 0
    located: int = 0
    unlocated: int = 0
    skipped: int = 0  # named a place the gazetteer could not resolve
    resolved: int = 0  # placed through the gazetteer
    bytes: int = 0

    def __add__(self, other: ChunkStats) -> ChunkStats:
        return ChunkStats(self.rows + other.rows, self.dropped + other.dropped,
                          self.incidents + other.incidents, self.located + other.located,
                          self.unlocated + other.unlocated, self.skipped + other.skipped,
                          self.resolved + other.resolved, self.bytes + other.bytes)

    def as_dict(self) -> dict:
        return {"rows": self.rows, "incidents": self.incidents, "located": self.located,
                "unlocated": self.unlocated, "skipped": self.skipped,
                "resolved": self.resolved,
                "dropped": {k: int(self.dropped.get(k, 0)) for k in DROP_REASONS}}


def screen(frame: pd.DataFrame) -> tuple[pd.DataFrame, Counter]:
    """Drop the rows that cannot be analysed, counting each reason.

    * ``bad_coordinates``: not finite, out of range, or (0, 0);
    * ``out_of_region``: outside :data:`border_map.analysis.REGION_BOUNDS` (a global
      GDELT export is mostly that), or a country-level GDELT row for another country;
    * ``no_location``: a GDELT row with no coordinates at all;
    * ``not_violent``: a GDELT event outside CAMEO root codes 18-20 (assault, fight, mass
      violence), as the row-wise GDELT reader does;
    * ``bad_date``: a date that is given but cannot be read (GDELT: any missing date).

    Rows without coordinates that name a place are kept for the gazetteer; rows
    with neither are kept as unlocated.
    """
    lon = frame["lon"].to_numpy(dtype=float)
    lat = frame["lat"].to_numpy(dtype=float)
    country_level = frame["_country_level"].to_numpy(dtype=bool)
    gdelt = (frame["source"] == "gdelt").to_numpy(dtype=bool)
    has_xy = ~(np.isnan(lon) & np.isnan(lat)) & ~country_level
    finite = np.isfinite(lon) & np.isfinite(lat)
    in_range = finite & (np.abs(lon) <= 180) & (np.abs(lat) <= 90) & ~((lon == 0) & (lat == 0))
    x0, y0, x1, y1 = REGION_BOUNDS
    inside = in_range & (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
    reasons = np.full(len(frame), None, dtype=object)
    reasons[has_xy & ~in_range] = "bad_coordinates"
    reasons[has_xy & in_range & ~inside] = "out_of_region"
    reasons[country_level & frame["country"].isna().to_numpy()] = "out_of_region"
    reasons[gdelt & ~has_xy & ~country_level] = "no_location"
    reasons[(reasons == None) & frame["_not_violent"].to_numpy(dtype=bool)] = "not_violent"  # noqa: E711
    reasons[(reasons == None) & frame["_bad_date"].to_numpy(dtype=bool)] = "bad_date"  # noqa: E711
    drop = reasons != None  # noqa: E711
    counts = Counter({k: int(v) for k, v in Counter(reasons[drop]).items()})
    kept = frame.loc[~drop].drop(columns=["_bad_date", "_not_violent"])
    cl = kept.pop("_country_level").to_numpy(dtype=bool)
    kept.loc[cl, ["lon", "lat"]] = np.nan
    located = ~(kept["lon"].isna() | kept["lat"].isna()).to_numpy()
    kept.loc[located & kept["location_source"].isna().to_numpy(), "location_source"] = "explicit"
    return kept.reset_index(drop=True), counts


def resolve_places(frame: pd.DataFrame, gazetteer=None) -> tuple[pd.DataFrame, int, int]:
    """Place rows that name a place but have no coordinates, through the gazetteer.

    Each distinct (place, country) is resolved once. A place that cannot be
    resolved leaves the row unlocated, with the reason in ``location_error``.
    Returns the frame (with a ``place_id`` column), the resolved and the failed counts.
    """
    frame = frame.copy()
    frame["place_id"] = _const(None, len(frame)).set_axis(frame.index)
    todo = (frame["lon"].isna() & frame["place"].notna() & frame["location_error"].isna()
            & (frame["source"] != "gdelt"))
    if not todo.any():
        return frame, 0, 0
    if gazetteer is None:
        from ..gazetteer import Gazetteer

        gazetteer = Gazetteer.default()
    pairs = frame.loc[todo, ["place", "country"]].astype(object).where(
        frame.loc[todo, ["place", "country"]].notna(), None)
    found = {}
    for place, country in set(map(tuple, pairs.to_numpy())):
        try:
            match = gazetteer.resolve(place, country=country)
        except PlaceError as err:
            found[(place, country)] = str(err)
            continue
        found[(place, country)] = match.place
    resolved = failed = 0
    idx = np.flatnonzero(todo.to_numpy())
    cols = {c: frame.columns.get_loc(c) for c in
            ("lon", "lat", "precision_km", "country", "place_id", "location_source",
             "location_error")}
    for i, key in zip(idx, map(tuple, pairs.to_numpy()), strict=True):
        hit = found[key]
        if isinstance(hit, str):
            frame.iat[i, cols["location_error"]] = hit
            failed += 1
            continue
        frame.iat[i, cols["lon"]] = hit.lon
        frame.iat[i, cols["lat"]] = hit.lat
        if math.isnan(frame.iat[i, cols["precision_km"]]):
            frame.iat[i, cols["precision_km"]] = hit.precision_km
        if pd.isna(frame.iat[i, cols["country"]]):
            frame.iat[i, cols["country"]] = hit.country
        frame.iat[i, cols["place_id"]] = hit.id
        frame.iat[i, cols["location_source"]] = "gazetteer"
        resolved += 1
    return frame, resolved, failed


# -- analysis ----------------------------------------------------------------------------
def spatial_order(lon: np.ndarray, lat: np.ndarray, cell_deg: float = 0.1) -> np.ndarray:
    """A stable permutation that groups points by 0.1-degree cell (unlocated rows last)."""
    ok = ~(np.isnan(lon) | np.isnan(lat))
    row = np.where(ok, np.floor(np.nan_to_num(lat) / cell_deg), 1e6)
    col = np.where(ok, np.floor(np.nan_to_num(lon) / cell_deg), 0)
    key = (row.astype(np.int64) + 1_000_000) * 10_000_000 + col.astype(np.int64) + 5_000_000
    return np.argsort(key, kind="stable")


def analyse_frame(frame: pd.DataFrame, bands_km: Sequence[float] = DEFAULT_BANDS_KM,
                  border: DurandLine | None = None) -> gpd.GeoDataFrame:
    """:func:`border_map.analysis.analyse` over a screened frame, in the output schema.

    Only the columns the analysis reads (geometry, ``country``, ``precision_km``) go
    through it; ``band_certainty`` (a dict per row) becomes one text column per band,
    so the GeoParquet is flat and every partition has the same schema.
    """
    frame = frame.reset_index(drop=True)
    lon = frame["lon"].to_numpy(dtype=float)
    lat = frame["lat"].to_numpy(dtype=float)
    located = ~(np.isnan(lon) | np.isnan(lat))
    geoms = np.full(len(frame), None, dtype=object)
    geoms[located] = shapely.points(lon[located], lat[located])  # (x, y) = (lon, lat)
    geometry = gpd.GeoSeries(geoms, index=frame.index, crs="EPSG:4326")
    # Rows go through the analysis in a spatial order (0.1-degree cells): neighbouring
    # points share the nearest-segment search's tree nodes, about 1.3x faster. Each row's
    # result depends on that row only, so the order is undone afterwards, exactly.
    order = spatial_order(lon, lat)
    country = frame["country"].to_numpy(dtype=object, na_value=None)
    subject = gpd.GeoDataFrame({"country": country[order],
                                "precision_km": frame["precision_km"].to_numpy(dtype=float)[order]},
                               geometry=gpd.GeoSeries(geoms[order], crs="EPSG:4326"))
    done = analyse(subject, border or DurandLine.default(), bands_km)
    undo = np.empty_like(order)
    undo[order] = np.arange(len(order))
    if "place_id" not in frame.columns:
        frame = frame.assign(place_id=_const(None, len(frame)))
    out = frame.drop(columns=["lon", "lat"])
    for col in ANALYSIS_COLUMNS:
        if col == "band_certainty":
            certainty = done[col].to_numpy(dtype=object)[undo].tolist()
            keys = [f"{b:g}" for b in sorted(bands_km)]
            for key, name in zip(keys, certainty_columns(bands_km), strict=True):
                out[name] = to_strings([d[key] for d in certainty])
        elif col in ("side", "sector"):
            out[col] = to_strings(done[col].to_numpy(dtype=object)[undo])
        elif col == "side_conflict":
            out[col] = done[col].to_numpy(dtype=bool)[undo]
        else:
            out[col] = done[col].to_numpy(dtype=float)[undo]
    out["precision_km"] = out["precision_km"].astype(float)
    out["claim_count"] = out["claim_count"].astype(np.int64)
    out = gpd.GeoDataFrame(out, geometry=geometry, crs="EPSG:4326")
    return out[list(output_columns(bands_km))]


def process_frame(frame: pd.DataFrame, *, bands_km=DEFAULT_BANDS_KM, border=None,
                  gazetteer=None, strict: bool = False,
                  where: str = "") -> tuple[gpd.GeoDataFrame, ChunkStats]:
    """Screen, place and analyse one normalised frame (a partition, or everything)."""
    stats = ChunkStats(rows=len(frame))
    kept, dropped = screen(frame)
    stats.dropped.update(dropped)
    kept, stats.resolved, stats.skipped = resolve_places(kept, gazetteer)
    if strict:
        bad = {k: v for k, v in dropped.items() if k != "out_of_region"}
        if bad or stats.skipped:
            what = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in sorted(bad.items()))
            if stats.skipped:
                what = ", ".join(filter(None, [what, f"{stats.skipped} unresolved place(s)"]))
            raise DataError(f"--strict: {what}", location=where or None)
    out = analyse_frame(kept, bands_km, border)
    stats.incidents = len(out)
    stats.located = int((~(out.geometry.isna() | out.geometry.is_empty)).sum())
    stats.unlocated = stats.incidents - stats.located - stats.skipped
    return out, stats


def load_chunk(chunk: Chunk, *, threads: bool = False) -> tuple[pd.DataFrame, int]:
    """Read and normalise one chunk: the frame and its malformed-row count."""
    table, malformed = read_chunk(chunk, threads=threads)
    try:
        return normalise(table, chunk.format), malformed
    except DataError as err:
        if err.location:
            raise
        raise DataError(err.message, location=chunk.path, field=err.field) from err


def process_chunk(chunk: Chunk, *, bands_km=DEFAULT_BANDS_KM, strict: bool = False,
                  threads: bool = False) -> tuple[gpd.GeoDataFrame, ChunkStats]:
    """The whole per-partition path: read, normalise, screen, place, analyse."""
    frame, malformed = load_chunk(chunk, threads=threads)
    out, stats = process_frame(frame, bands_km=bands_km, strict=strict,
                               where=f"{chunk.path} (chunk {chunk.index})")
    stats.rows += malformed
    stats.bytes = chunk.nbytes
    if malformed:
        stats.dropped["malformed"] += malformed
        if strict:
            raise DataError(f"--strict: {malformed} malformed row(s)",
                            location=f"{chunk.path} (chunk {chunk.index})")
    return out, stats


# -- the in-memory engine ----------------------------------------------------------------
def run_columnar(paths: Sequence[str | os.PathLike], out_dir: str | os.PathLike = "outputs", *,
                 bands_km: Sequence[float] = DEFAULT_BANDS_KM, strict: bool = False,
                 threads: int | None = None, progress: bool = False, **output_options):
    """The in-memory columnar engine: every input in one frame, then the outputs.

    ``threads`` limits the threads of the parser and of the nearest-point search
    (None: one per CPU; 1 for a single-core baseline). ``output_options`` go to
    :func:`border_map.engine.outputs.write_outputs`.
    """
    from .. import border as border_mod
    from .outputs import EngineResult, write_outputs
    from .progress import Progress

    started = time.perf_counter()
    previous = border_mod._THREADS, pa.cpu_count(), pa.io_thread_count()
    border_mod.set_threads(threads)
    if threads is not None:
        pa.set_cpu_count(threads)
        pa.set_io_thread_count(threads)
    chunks = plan(paths)
    bar = Progress(len(chunks) + 1, enabled=progress, unit="step")
    try:
        frames, malformed = [], 0
        for chunk in chunks:
            frame, bad = load_chunk(chunk, threads=threads != 1)
            frames.append(frame)
            malformed += bad
            bar.update(1, rows=len(frame) + bad)
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        del frames
        gdf, stats = process_frame(frame, bands_km=bands_km, strict=strict)
        del frame
        if malformed:
            if strict:
                raise DataError(f"--strict: {malformed} malformed row(s)")
            stats.dropped["malformed"] += malformed
            stats.rows += malformed
        stats.bytes = sum(c.nbytes for c in chunks)
        bar.update(1)
        result = EngineResult(engine="columnar", stats=stats, partitions=len(chunks))
        write_outputs(result, out_dir, incidents=gdf, bands_km=bands_km, **output_options)
    finally:
        border_mod.set_threads(previous[0])
        pa.set_cpu_count(previous[1])
        pa.set_io_thread_count(previous[2])
    result.seconds = time.perf_counter() - started
    bar.close(result.summary_line())
    return result
