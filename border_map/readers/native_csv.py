"""The native format flattened to CSV: one incident per row, claims in numbered columns.

Columns (header names, any order, case-insensitive; ``,`` ``;`` or TAB separated):

- ``id``, ``date``, ``event_type`` (required); ``date_text``, ``actors`` (``;``-separated),
  ``description``, ``unlocated``;
- the place: ``place``, ``country`` (AF/PK), ``place_kind``, ``admin``, ``place_id``;
- the point: ``lon``/``longitude``, ``lat``/``latitude``, ``precision_km``;
- claims, numbered from 1: ``claim1_side`` (AF, PK, third_party; a claim exists when its
  side is given), ``claim1_claimant``, ``claim1_organisation``, ``claim1_date``,
  ``claim1_statement``, ``claim1_status``, ``claim1_subject`` (whose losses),
  ``claim1_outlet``, ``claim1_url``, ``claim1_quote``, ``claim1_published``, and one column
  per figure kind: ``claim1_killed``, ``claim1_wounded``, ... (see FIGURE_KINDS). A figure
  cell is ``5``, ``3-5``, ``70+`` (at least), ``<=5`` (at most), or the report's words
  ("numerous soldiers"), kept as text.

Dates accept what :class:`~border_map.model.dates.DateParser` does (ISO, "16 May 2025",
day/month orders with ``date_order``, Solar Hijri when marked or with
``calendar="solar-hijri"``). An unknown column is an error: a misspelt header would
otherwise drop its data silently.
"""

from __future__ import annotations

import re

from ..errors import DataError
from ..model.dates import DateParser
from ..model.incident import Claim, Figure, Incident, Location, PlaceRef, Source
from ..model.vocabulary import FIGURE_KINDS, _did_you_mean
from ._common import (
    MAX_COUNT,
    Problems,
    Table,
    coordinate_field,
    number_message,
    read_delimited,
    region_message,
)

INCIDENT_COLUMNS = (
    "id", "date", "date_text", "event_type", "actors", "description", "unlocated",
    "place", "country", "place_kind", "admin", "place_id",
    "lon", "longitude", "lat", "latitude", "precision_km",
)
CLAIM_FIELDS = (
    "side", "claimant", "organisation", "date", "statement", "status", "subject",
    "outlet", "url", "quote", "published", *FIGURE_KINDS,
)
_CLAIM_COLUMN = re.compile(r"claim(\d+)_(\w+)")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def read_native_csv(text: str, name: str, problems: Problems, *,
                    parser: DateParser | None = None) -> list[Incident]:
    table = read_delimited(text, name)
    columns = list(table.df.columns)
    claim_numbers: set[int] = set()
    for column in columns:
        if column in INCIDENT_COLUMNS:
            continue
        m = _CLAIM_COLUMN.fullmatch(column)
        if m and m[2] in CLAIM_FIELDS and int(m[1]) >= 1:
            claim_numbers.add(int(m[1]))
            continue
        hint = _did_you_mean(column, INCIDENT_COLUMNS)
        if not hint and m:
            hint = _did_you_mean(m[2], CLAIM_FIELDS)
        raise DataError(
            f"unknown column {column!r}{hint}; native CSV columns: {', '.join(INCIDENT_COLUMNS)}"
            ", and claimN_FIELD with FIELD one of " + ", ".join(CLAIM_FIELDS),
            location=f"{name}:1", field=column,
        )
    missing = [c for c in ("id", "date", "event_type") if c not in columns]
    if missing:
        raise DataError(f"missing column(s) {', '.join(missing)}", location=f"{name}:1",
                        field=missing[0])
    for a, b in (("lon", "longitude"), ("lat", "latitude")):
        if a in columns and b in columns:
            raise DataError(f"give either {a!r} or {b!r}, not both", location=f"{name}:1",
                            field=b)
    parser = parser or DateParser()
    rows = table.df.to_dict(orient="records")
    seen: dict[str, int] = {}
    result = []
    for i, row in enumerate(rows):
        row = {k: v.strip() for k, v in row.items()}
        try:
            incident = _incident(row, sorted(claim_numbers), table, i, parser)
        except DataError as err:
            problems.add(err)
            continue
        if incident.id in seen:
            problems.at(table.where(i), "id", f"duplicate incident id {incident.id!r} "
                        f"(first at line {seen[incident.id]})")
            continue
        seen[incident.id] = int(table.lines[i])
        result.append(incident)
    return result


def _incident(row: dict[str, str], claim_numbers, table: Table, i: int,
              parser: DateParser) -> Incident:
    where = table.where(i)

    def fail(field: str, message: str):
        raise DataError(message, location=where, field=field)

    def build(cls, prefix: str, **kwargs):
        try:
            return cls(**kwargs)
        except DataError as err:
            fail(f"{prefix}{err.field}" if err.field else prefix.rstrip("_"), err.message)

    ident = row.get("id") or fail("id", "missing required field")
    if not row.get("date"):
        fail("date", "missing required field")
    try:
        date = parser.span(row["date"])
    except DataError as err:
        fail("date", err.message)
    if row.get("date_text"):
        date = build(type(date), "date_", start=date.start, end=date.end,
                     precision=date.precision, text=row["date_text"])
    event_type = row.get("event_type") or fail("event_type", "missing required field")
    place = None
    if row.get("place"):
        country = row.get("country") or None
        place = build(PlaceRef, "", name=row["place"],
                      country=country.upper() if country and len(country) == 2 else country,
                      kind=row.get("place_kind") or None, admin=row.get("admin") or None,
                      id=row.get("place_id") or None)
    location = _location(row, fail, build)
    claims = tuple(c for n in claim_numbers if (c := _claim(row, n, fail, build, parser)))
    actors = tuple(a.strip() for a in (row.get("actors") or "").split(";") if a.strip())
    incident = build(
        Incident, "", id=ident, date=date, event_type=event_type, actors=actors, place=place,
        location=location, description=row.get("description") or None, claims=claims,
        unlocated=row.get("unlocated") or None, source_file=table.name,
        source_line=int(table.lines[i]),
    )
    return incident


def _location(row, fail, build) -> Location | None:
    lon_col = "longitude" if "longitude" in row else "lon"
    lat_col = "latitude" if "latitude" in row else "lat"
    lon_text, lat_text = row.get(lon_col, ""), row.get(lat_col, "")
    if not lon_text and not lat_text:
        return None
    values = {}
    for col, text in ((lon_col, lon_text), (lat_col, lat_text)):
        if not text:
            fail(col, "missing: give both longitude and latitude, or neither")
        values[col] = _decimal(text, col, fail)
    precision = None
    if row.get("precision_km"):
        precision = _decimal(row["precision_km"], "precision_km", fail)
    lon, lat = values[lon_col], values[lat_col]
    if (message := region_message(lon, lat)) is not None:
        fail(coordinate_field(lon, lat, message, lon_col, lat_col), message)
    return build(Location, "", lon=lon, lat=lat, precision_km=precision)



def _decimal(text: str, col: str, fail) -> float:
    raw = text.replace(",", ".") if re.fullmatch(r"[+-]?\d+,\d+", text) else text
    if not _NUMBER.fullmatch(raw):
        fail(col, number_message(text))
    value = float(raw)
    if value in (float("inf"), float("-inf")):
        fail(col, number_message(text))
    return value


_RANGE = re.compile(r"(\d+)\s*(?:-|–|to)\s*(\d+)")
_AT_LEAST = re.compile(r"(?:>=|≥|at least\s*)(\d+)|(\d+)\s*\+")
_AT_MOST = re.compile(r"(?:<=|≤|at most\s*|up to\s*)(\d+)")


def figure_bounds(text: str) -> tuple[int | None, int | None, str | None]:
    """``(low, high, words)`` of a figure cell; raises DataError for a malformed number."""
    t = text.strip()
    if re.fullmatch(r"\d+", t):
        low = high = int(t)
    elif m := _RANGE.fullmatch(t):
        low, high = int(m[1]), int(m[2])
    elif m := _AT_LEAST.fullmatch(t):
        low, high = int(m[1] or m[2]), None
    elif m := _AT_MOST.fullmatch(t):
        low, high = None, int(m[1])
    elif re.fullmatch(r"-\s*\d+", t):
        raise DataError(f"must not be negative (got {t})")
    elif re.fullmatch(r"[+-]?\d*[.,]\d+|\d+[.,]", t):
        raise DataError(f"expected a whole number, got {t!r}")
    else:
        return None, None, t
    for value in (low, high):
        if value is not None and value > MAX_COUNT:
            raise DataError(f"{value} is implausible for one incident (more than {MAX_COUNT:,})")
    return low, high, None


def _claim(row, n: int, fail, build, parser: DateParser) -> Claim | None:
    prefix = f"claim{n}_"

    def cell(field: str) -> str | None:
        return row.get(prefix + field) or None

    present = [f for f in CLAIM_FIELDS if cell(f)]
    if not present:
        return None
    side = cell("side") or fail(prefix + "side",
                                f"missing: claim {n} has {prefix}{present[0]} but no side")
    subject = cell("subject")
    figures = []
    for kind in FIGURE_KINDS:
        if (text := cell(kind)) is None:
            continue
        try:
            low, high, words = figure_bounds(text)
        except DataError as err:
            fail(prefix + kind, err.message)
        figures.append(build(Figure, prefix + kind + ".", kind=kind, low=low, high=high,
                             text=words, subject=subject))
    date = None
    if cell("date"):
        try:
            date = parser.day(cell("date"))
        except DataError as err:
            fail(prefix + "date", err.message)
    published = None
    if cell("published"):
        try:
            published = parser.day(cell("published")).isoformat()
        except DataError as err:
            fail(prefix + "published", err.message)
    source = None
    if any(cell(f) for f in ("outlet", "url", "quote")) or published:
        source = Source(outlet=cell("outlet"), url=cell("url"), quote=cell("quote"),
                        published=published)
    return build(Claim, prefix, claimant=cell("claimant"), organisation=cell("organisation"),
                 side=side, date=date, statement=cell("statement"), figures=tuple(figures),
                 source=source, status=cell("status") or "unverified")
