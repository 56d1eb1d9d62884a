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
acled     ACLED CSV exports (:mod:`.acled`)
ucdp      UCDP GED CSV, any release (:mod:`.ucdp`)
gdelt     GDELT 2.0 event exports, tab-separated, no header, plain or zipped (:mod:`.gdelt`)
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
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError, shown
from ..incidents import Incident
from ..limits import check_input_size, check_member, check_native_size
from ._common import Problems, sniff_separator
from .dates import CALENDARS, DATE_ORDERS, DateParser
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
FORMATS: tuple[str, ...] = ("yaml", "json", "geojson", "csv", "acled", "ucdp", "gdelt")
FORMAT_LABELS = {
    "yaml": "YAML", "json": "JSON", "geojson": "GeoJSON", "csv": "native CSV",
    "acled": "ACLED CSV", "ucdp": "UCDP GED CSV", "gdelt": "GDELT 2.0 events",
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


def _unzip(raw: bytes, name: str) -> tuple[bytes, str]:
    """The single member of a zip archive (GDELT ships ``*.export.CSV.zip``)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise DataError(
                    f"a zip archive must hold exactly one file, this one holds {len(members)}",
                    location=name)
            member = f"{name}!{shown(members[0].filename)}"
            check_member(members[0], member)  # before reading: a zip bomb is refused here
            return archive.read(members[0]), member
    except zipfile.BadZipFile as err:
        raise DataError(f"damaged zip archive ({err})", location=name) from err


def _load(path: str | os.PathLike[str]) -> tuple[str, str, list[str], int]:
    """``(text, name, warnings, size_in_bytes)`` of a file, unzipped and decoded."""
    name = shown(os.fspath(path))  # the name printed and recorded: one line, no escapes
    check_input_size(path)  # before reading (limits.py)
    raw = Path(path).read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        raw, name = _unzip(raw, name)
    text, warnings = decode(raw, name)
    return text, name, warnings, len(raw)


def _check_native_before_reading(path, format: str | None, max_native_mb: float) -> None:
    """Refuse a native file above the limit from its size and first 64 KiB, undecoded."""
    size = os.stat(path).st_size
    if size <= max_native_mb * 1_000_000:
        return
    fmt = format
    if fmt is None:
        with open(path, "rb") as fh:
            head = fh.read(65536)
        if head.startswith(b"PK\x03\x04"):
            return  # the member's size is checked when it is opened
        try:
            fmt = detect_text(head.decode("utf-8", "replace"), os.fspath(path))
        except DataError:
            return
    if fmt in _NATIVE:
        check_native_size(size, FORMAT_LABELS[fmt], max_native_mb, os.fspath(path))


def detect_text(text: str, name: str) -> str:
    """The format of decoded ``text`` (see the module docstring); ``name`` breaks ties."""
    suffix = Path(name.split("!")[-1]).suffix.lower()
    head = text[:65536].lstrip("\ufeff")
    stripped = head.lstrip()
    if stripped[:1] in ("{", "["):
        if suffix == ".geojson" or _GEOJSON_TYPE.search(head):
            return "geojson"
        return "yaml" if suffix in (".yaml", ".yml") else "json"
    first = next((line.rstrip("\r") for line in head.split("\n") if line.strip()), "")
    fields = first.split("\t")
    if len(fields) == 61 and fields[0].strip().isdigit():
        return "gdelt"
    sep = sniff_separator(first)
    header = {h.strip().lower() for h in next(csv.reader([first], delimiter=sep), [])}
    if "event_id_cnty" in header or {"event_date", "sub_event_type", "geo_precision"} <= header:
        return "acled"
    if "where_prec" in header or {"type_of_violence", "date_start", "best"} <= header:
        return "ucdp"
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


def detect_format(path: str | os.PathLike[str]) -> str:
    """The format of a file, from its content (see the module docstring)."""
    text, name, _, _ = _load(path)
    return detect_text(text, name)


def read_source(path: str | os.PathLike[str], format: str | None = None, *,
                strict: bool = False, date_order: str | None = None,
                calendar: str | None = None, max_native_mb: float = MAX_NATIVE_MB,
                ) -> ReadResult:
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
    """
    if format is not None and format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    _check_native_before_reading(path, format, max_native_mb)
    text, name, warnings, size = _load(path)
    fmt = format or detect_text(text, name)
    if fmt in _NATIVE and size > max_native_mb * 1_000_000:
        raise DataError(
            f"too large for a {FORMAT_LABELS[fmt]} incident file ({size / 1e6:.1f} MB; the "
            f"limit is {max_native_mb:g} MB): split it, or convert it to CSV",
            location=name,
        )
    problems = Problems(strict)
    incidents = _dispatch(fmt, text, name, problems, date_order, calendar)
    return ReadResult(name, fmt, incidents, problems.items, warnings, problems.ignored)


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
