"""Read incidents from any supported source, detected by content.

:func:`read_incidents` is the one entry point: it decodes the bytes
(:mod:`~border_map.readers.encoding`), tells the format from the content (or takes it from
``format``) and hands the text to the reader:

========= =============================================================================
format    what it reads
========= =============================================================================
yaml/json native incident files (:mod:`border_map.incidents`), record by record
geojson   FeatureCollections with incident properties (:mod:`.geojson_in`)
csv       the native format flattened to CSV, claims in numbered columns (:mod:`.native_csv`)
acled     ACLED CSV exports and the ACLED API's CSV and JSON (:mod:`.acled`)
ucdp      UCDP GED CSV, any release (:mod:`.ucdp`)
gdelt     GDELT 2.0 and 1.0 event exports, tab-separated, no header, plain or zipped
          (:mod:`.gdelt`)
========= =============================================================================

Detection looks at the first line: a JSON ``{``/``[`` (GeoJSON when it says
``"type": "FeatureCollection"``), 61 tab-separated fields starting with a number (GDELT),
a header naming ACLED's ``event_id_cnty``, UCDP's ``where_prec`` or the native ``id`` with
``date`` or ``event_type``; anything else is YAML (JSON for ``.json``), except a ``.csv`` or
clearly delimited text, which is an error asking for ``--format``.

:func:`read_source` also returns the bad records instead of raising on the first one, the
encoding warnings, and how many rows were left out on purpose (other countries, GDELT events
that are not violence).
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError, shown
from ..limits import check_input_size, check_native_size
from ..model.dates import CALENDARS, DATE_ORDERS, DateParser
from ..model.incident import Incident
from ._common import Problems, sniff_separator
from .encoding import decode

__all__ = [
    "CALENDARS",
    "DATE_ORDERS",
    "FORMATS",
    "MAX_NATIVE_MB",
    "ReadResult",
    "detect_format",
    "read_incidents",
    "read_source",
]

#: Input formats, as ``--input-format`` / ``--format`` choices.
FORMATS: tuple[str, ...] = ("yaml", "json", "geojson", "csv", "acled", "ucdp", "gdelt",
                            "table", "parquet")
FORMAT_LABELS = {
    "yaml": "YAML", "json": "JSON", "geojson": "GeoJSON", "csv": "native CSV",
    "acled": "ACLED CSV", "ucdp": "UCDP GED CSV", "gdelt": "GDELT 2.0 events",
    "table": "other table (positions by column name)", "parquet": "(Geo)Parquet",
}
#: Native YAML/JSON/GeoJSON larger than this are refused: they are parsed whole, in memory,
#: at a few MB/s. Tabular formats have no limit.
MAX_NATIVE_MB = 64
_NATIVE = ("yaml", "json", "geojson")
_GEOJSON_TYPE = re.compile(r'"type"\s*:\s*"(?:FeatureCollection|Feature)"')
_YAMLISH = re.compile(r"^(?:---|-\s|incidents\s*:|source\s*:|#)", re.MULTILINE)


@dataclass
class ReadResult:
    """What one file gave: incidents, bad records, warnings, rows left out on purpose."""

    path: str
    format: str
    incidents: list[Incident] = field(default_factory=list)
    problems: list[DataError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ignored: int = 0
    #: rows left out on purpose, by reason (as the build summary's ``left_out``)
    ignored_by: dict[str, int] = field(default_factory=dict)


def _load(path: str | os.PathLike[str], max_native_mb: float | None = None,
          fmt: str | None = None) -> tuple[str, str, list[str], int]:
    """``(text, name, warnings, size_in_bytes)`` of a file read whole, unzipped and decoded.

    Its size (and a zip member's) is checked before it is read (:mod:`border_map.limits`);
    with ``max_native_mb``, against that limit too.
    """
    from .chunks import open_binary

    check_input_size(path)
    if max_native_mb is not None:
        _check_native_size(Path(path).stat().st_size, max_native_mb, fmt, shown(os.fspath(path)))
    fh, name, size = open_binary(path)  # a zip's member: its size checked before reading
    with fh:
        if max_native_mb is not None and size is not None:
            _check_native_size(size, max_native_mb, fmt, name)
        raw = fh.read()
    text, warnings = decode(raw, name)
    return text, name, warnings, len(raw)


def _check_native_size(size: int, max_native_mb: float, fmt: str | None, name: str) -> None:
    check_native_size(size, FORMAT_LABELS.get(fmt or "", "native"), max_native_mb, name)


def detect_text(text: str, name: str) -> str:
    """The format of decoded ``text`` (see the module docstring); ``name`` breaks ties."""
    suffix = Path(name.split("!")[-1]).suffix.lower()
    head = text[:65536].lstrip("\ufeff")
    stripped = head.lstrip()
    if stripped[:1] in ("{", "["):
        if suffix == ".geojson" or _GEOJSON_TYPE.search(head):
            return "geojson"
        if '"event_id_cnty"' in head:
            return "acled"  # the ACLED API's JSON: {"status": 200, "data": [{...}]}
        return "yaml" if suffix in (".yaml", ".yml") else "json"
    first = next((line.rstrip("\r") for line in head.split("\n") if line.strip()), "")
    fields = first.split("\t")
    if len(fields) in (57, 58, 61) and fields[0].strip().isdigit():
        return "gdelt"  # 2.0 (61 fields), 1.0 (58; 57 in the historical backfiles)
    sep = sniff_separator(first)
    header = {h.strip().lower() for h in next(csv.reader([first], delimiter=sep), [])}
    if "event_id_cnty" in header or {"event_date", "sub_event_type", "geo_precision"} <= header:
        return "acled"
    if "where_prec" in header or {"type_of_violence", "date_start", "best"} <= header:
        return "ucdp"
    if {"id", "date", "event_type"} <= header:
        return "csv"  # native
    if _position_table(header):
        return "table"
    if "id" in header and header & {"date", "event_type"}:
        return "csv"  # native; a misspelt column is reported by the reader
    if suffix == ".geojson":
        return "geojson"
    if suffix in (".csv", ".tsv") or (first.count(sep) >= 2 and not _YAMLISH.search(head)):
        raise DataError(
            "cannot tell the format: the first line has no ACLED (event_id_cnty, event_date, "
            "...), UCDP GED (id, where_prec, ...) or native CSV (id, date, event_type) header, "
            "nor is it a GDELT 2.0 row of 61 tab-separated fields; name it with --format",
            location=f"{name}:1",
        )
    return "json" if suffix == ".json" else "yaml"


def _position_table(header: set[str]) -> bool:
    """A table with longitude/latitude columns and no native claim columns."""
    from .table_in import table_columns

    cols = table_columns(header)
    return "lon" in cols and "lat" in cols


def detect_format(path: str | os.PathLike[str]) -> str:
    """The format of a file, from its content (see the module docstring)."""
    return source_format(path)


#: Formats read block by block (delimited text); the others are read whole.
TABULAR = ("csv", "acled", "ucdp", "gdelt", "table")


@dataclass(frozen=True)
class Part:
    """What one task reads: a whole input, or a byte range of a delimited one (its header
    repeated on top), or some row groups of a Parquet file. Plain data: it pickles to a
    dask worker, which reads it on its own (:func:`read_part`)."""

    path: str
    format: str
    offset: int = 0
    length: int | None = None  # None: the whole input, streamed block by block
    lines_before: int = 0
    header: str | None = None
    row_groups: tuple[int, ...] | None = None
    nbytes: int = 0


def _head_text(path: str | os.PathLike) -> tuple[str, str]:
    """The first 64 kB of an input (unzipped, decoded leniently) and its display name."""
    from .chunks import open_binary

    fh, name, _ = open_binary(path)
    with fh:
        raw = fh.read(65536)
    if raw[:4] == b"PAR1":
        return "", name
    try:
        text, _ = decode(raw, name)
    except DataError:
        text = raw.decode("utf-8", errors="replace")
    return text, name


def _json_text(path: Path) -> bool:
    """Whether a (possibly zipped) input is JSON text: its first non-blank byte is { or [."""
    text, _ = _head_text(path)
    return text.lstrip("\ufeff \t\r\n")[:1] in ("{", "[")


def _is_parquet(path: Path) -> bool:
    if path.is_dir():
        return True
    if path.suffix.lower() in (".parquet", ".geoparquet", ".pq"):
        return True
    with open(path, "rb") as fh:
        return fh.read(4) == b"PAR1"


def source_format(path: str | os.PathLike[str], format: str | None = None) -> str:
    """The format of one input: the one given, else detected from its content."""
    if format is not None and format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    p = Path(path)
    if format is not None:
        return format
    if _is_parquet(p):
        return "parquet"
    text, name = _head_text(p)
    return detect_text(text, name)


def plan_parts(path: str | os.PathLike[str], format: str | None = None, *,
               block_bytes: int | None = None) -> list[Part]:
    """Cut one input into parts (see :class:`Part`). Without ``block_bytes``, one part."""
    from .chunks import BLOCK_BYTES, first_line, plan_ranges, splittable

    fmt = source_format(path, format)
    p = Path(path)
    if fmt == "parquet":
        return _plan_parquet(p, block_bytes)
    size = p.stat().st_size
    if (block_bytes is None or fmt not in TABULAR or size <= block_bytes or not splittable(p)
            or _json_text(p)):
        return [Part(os.fspath(path), fmt, nbytes=size)]
    quoted = fmt != "gdelt"
    header = None if fmt == "gdelt" else first_line(p)
    return [Part(os.fspath(path), fmt, offset=o, length=n, lines_before=lines, header=header,
                 nbytes=n)
            for o, n, lines in plan_ranges(p, quoted=quoted,
                                           block_bytes=block_bytes or BLOCK_BYTES)]


def _plan_parquet(path: Path, block_bytes: int | None) -> list[Part]:
    import pyarrow.parquet as pq

    files = sorted(f for f in path.rglob("*.parquet") if f.is_file()) if path.is_dir() else [
        path]
    out = []
    for f in files:
        meta = pq.ParquetFile(f).metadata
        if block_bytes is None:
            out.append(Part(str(f), "parquet", nbytes=f.stat().st_size))
            continue
        group: list[int] = []
        size = 0
        for g in range(meta.num_row_groups):
            group.append(g)
            size += meta.row_group(g).total_byte_size
            if size >= block_bytes:
                out.append(Part(str(f), "parquet", row_groups=tuple(group), nbytes=size))
                group, size = [], 0
        if group or not out:
            out.append(Part(str(f), "parquet", row_groups=tuple(group) or None, nbytes=size))
    return out


def read_part(part: Part, *, strict: bool = False, date_order: str | None = None,
              calendar: str | None = None, max_native_mb: float = MAX_NATIVE_MB,
              block_bytes: int | None = None, gdelt_min_sources: int = 0,
              gdelt_root_only: bool = False, fields: dict | None = None):
    """The :class:`~border_map.model.table.Batch` es of one part, block by block."""
    from ..model.table import Batch, from_incidents
    from .chunks import (
        BLOCK_BYTES,
        decode_piece,
        offset_lines,
        pieces,
        read_range,
        text_blocks,
    )

    fmt = part.format
    if fmt == "parquet":
        from .table_in import read_parquet_part

        yield from read_parquet_part(part)
        return
    if fmt == "acled" and _json_text(Path(part.path)):
        from .acled import read_acled_json

        text, name, warnings, size = _load(part.path)
        problems = Problems(strict)
        table = read_acled_json(text, name, problems, parser=DateParser(date_order=date_order))
        yield Batch(name, fmt, table, problems.items, warnings, problems.ignored_reasons(),
                    len(table) + len(problems.items) + problems.ignored)
        return
    if fmt not in TABULAR:
        text, name, warnings, size = _load(part.path, max_native_mb, fmt)
        problems = Problems(strict)
        table = None
        if fmt == "geojson":
            from .foreign import read_foreign_geojson

            table = read_foreign_geojson(text, name, problems, fields=fields,
                                         parser=DateParser(date_order=date_order))
        if table is None:
            table = from_incidents(_dispatch(fmt, text, name, problems, date_order, calendar))
        yield Batch(name, fmt, table, problems.items, warnings, problems.ignored_reasons(),
                    len(table) + len(problems.items) + problems.ignored)
        return
    if part.length is None:
        blocks = text_blocks(part.path, header=fmt != "gdelt", quoted=fmt != "gdelt",
                             block_bytes=block_bytes or BLOCK_BYTES)
    else:  # a byte range (dask): read whole, parsed in blocks like a streamed file
        raw = read_range(part.path, part.offset, part.length)
        blocks = (
            (*decode_piece(piece, part.path, part.lines_before + before, part.header),
             part.path)
            for piece, before in pieces(io.BytesIO(raw), quoted=fmt != "gdelt",
                                        block_bytes=block_bytes or BLOCK_BYTES))
    empty = True
    told = None  # the day/month order an earlier block's dates told, for the next blocks
    for text, offset, warnings, name in blocks:
        empty = False
        problems = Problems(strict)
        with offset_lines(offset):
            table = _read_block(fmt, text, name, problems, date_order or told, calendar,
                                gdelt=(gdelt_min_sources, gdelt_root_only), fields=fields)
        told = told or problems.date_order
        yield Batch(name, fmt, table, problems.items, warnings, problems.ignored_reasons(),
                    len(table) + len(problems.items) + problems.ignored)
    if empty:
        raise DataError("empty file: no incidents", location=part.path)


def iter_batches(path: str | os.PathLike[str], format: str | None = None, **options):
    """Every :class:`~border_map.model.table.Batch` of one input, streamed (in-process)."""
    fmt = source_format(path, format)
    p = Path(path)
    if fmt == "parquet":
        for part in _plan_parquet(p, 1):
            yield from read_part(part, **options)
        return
    yield from read_part(Part(os.fspath(path), fmt), **options)


def read_source(path: str | os.PathLike[str], format: str | None = None, *,
                strict: bool = False, date_order: str | None = None,
                calendar: str | None = None, max_native_mb: float = MAX_NATIVE_MB,
                **options) -> ReadResult:
    """Read one file: its incidents and, unless ``strict``, every bad record apart.

    Parameters
    ----------
    path
        The file (``.zip`` with one member is opened).
    format
        One of :data:`FORMATS`; ``None`` detects it from the content.
    strict
        Raise :class:`DataError` on the first bad record instead of collecting it.
    date_order
        ``"day-first"`` or ``"month-first"``: how to read ``05/06/2021`` (ACLED, UCDP,
        native CSV); without it such dates are errors. ISO dates are never reordered.
    calendar
        ``"solar-hijri"``: every date in a native CSV is Solar Hijri. Marked dates
        (``1404/03/15 SH``) are converted without it.

    A problem with the whole file (unreadable, empty, wrong format, a missing column) raises
    :class:`DataError` even when not ``strict``; an unreadable path raises :class:`OSError`.
    The same blocks as ``build`` reads (:func:`iter_batches`), converted back to
    :class:`~border_map.incidents.Incident` objects.
    """
    from ..model.table import to_incidents

    result = None
    for batch in iter_batches(path, format, strict=strict, date_order=date_order,
                              calendar=calendar, max_native_mb=max_native_mb, **options):
        if result is None:
            result = ReadResult(batch.path, batch.format)
        result.incidents.extend(to_incidents(batch.table))
        result.problems.extend(batch.problems)
        result.warnings.extend(batch.warnings)
        result.ignored += sum(batch.ignored.values())
        for reason, count in batch.ignored.items():
            result.ignored_by[reason] = result.ignored_by.get(reason, 0) + count
    return result


def _read_block(fmt: str, text: str, name: str, problems: Problems, date_order, calendar,
                gdelt=(0, False), fields=None):
    """One block of a delimited input as the normalised table."""
    if fmt == "gdelt":
        from .gdelt import read_gdelt_table

        return read_gdelt_table(text, name, problems, min_sources=gdelt[0],
                                root_only=gdelt[1])
    if fmt == "acled":
        from .acled import read_acled_table

        return read_acled_table(text, name, problems, parser=DateParser(date_order=date_order))
    if fmt == "ucdp":
        from .ucdp import read_ucdp_table

        return read_ucdp_table(text, name, problems, parser=DateParser(date_order=date_order))
    if fmt == "table":
        from .table_in import read_table

        return read_table(text, name, problems, parser=DateParser(date_order=date_order),
                          fields=fields)
    from ..model.table import from_incidents

    return from_incidents(_dispatch(fmt, text, name, problems, date_order, calendar))


def _dispatch(fmt: str, text: str, name: str, problems: Problems, date_order, calendar):
    if fmt in ("yaml", "json"):
        from .native import read_native

        return read_native(text, name, problems)
    if fmt == "geojson":
        from .geojson_in import read_geojson

        return read_geojson(text, name, problems)
    if fmt == "csv":
        from .native_csv import read_native_csv

        return read_native_csv(text, name, problems,
                               parser=DateParser(date_order=date_order, calendar=calendar))
    if fmt == "acled":
        from .acled import read_acled

        return read_acled(text, name, problems, parser=DateParser(date_order=date_order))
    if fmt == "ucdp":
        from .ucdp import read_ucdp

        return read_ucdp(text, name, problems, parser=DateParser(date_order=date_order))
    from .gdelt import read_gdelt

    return read_gdelt(text, name, problems)


def read_incidents(path: str | os.PathLike[str], format: str | None = None,
                   **options) -> list[Incident]:
    """Incidents of one file of any supported format; the first bad record raises.

    ``options`` are those of :func:`read_source` (``date_order``, ``calendar``,
    ``max_native_mb``).
    """
    return read_source(path, format, strict=True, **options).incidents
