"""ACLED CSV exports (the columns of ACLED's codebook, found by header name).

Rows whose ``country`` is neither Afghanistan nor Pakistan are left out (counted, not
reported). Each remaining row becomes one incident:

- ``id``: ``acled-`` + ``event_id_cnty``;
- date: ``event_date`` (ISO, "16 May 2025", or as a spreadsheet re-saves it: ``9-May-20``,
  ``5/9/2020``; a two-digit year is completed from the ``year`` column, the day/month order
  is taken from the block when its dates agree, else ``--date-order``) widened by
  ``time_precision``: 1 the day; 2 "sometime that week" -> the 7 days centred on the recorded
  date, precision ``week``; 3 "sometime that month" -> the calendar month, precision ``month``;
- ``event_type`` from (``event_type``, ``sub_event_type``) by :data:`ACLED_EVENT_TYPES`, with
  two readings of ``notes``: an "Air/drone strike" whose notes name a drone/UAV is a
  ``drone_strike`` (ACLED does not separate them), and a strategic development whose notes
  say a border or crossing was closed, shut, sealed or suspended is a ``border_closure``;
- point: ``longitude``/``latitude``; ``geo_precision`` as a radius (our choice, from the
  codebook's wording): 1 "a particular town" -> 2 km; 2 "a small part of a region / near a
  town" -> 25 km (about a district); 3 "a larger region ... or a provincial capital" ->
  100 km (about a province);
- place: ``location`` with ``admin1`` as a hint and the country as AF/PK (the point wins;
  the place is resolved only to show it);
- ``actors``: ``actor1``, ``actor2``; ``description``: ``notes``;
- one claim by ACLED (side ``third_party``): ``fatalities`` as ``killed`` low = high, and
  ``source`` (the outlets ACLED cites) as the claim's source outlet;
- ``source_fields``: the columns of :data:`EXTRA` the file has (``inter1``, ``inter2``,
  ``interaction``, ``assoc_actor_*``, ``sub_event_type``, ``civilian_targeting``,
  ``timestamp``, ...), as written. Both the pre-2023 layout (``data_id``,
  ``event_id_no_cnty``, ``iso3``) and the 2023+ one (``disorder_type``,
  ``civilian_targeting``, ``tags``) are read by column name, as is the API's CSV; the API's
  JSON (``{"status": 200, "data": [...]}``) is read by :func:`read_acled_json`.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from ..errors import DataError
from ..model.dates import DateParser, infer_order, strip_time
from ..model.incident import Claim, DateSpan, Figure, Incident, Source
from ._common import COUNTRY_NAMES, Problems, RowErrors, codes, coordinates, counts, read_delimited
from ._common import require_columns as _require

__all__ = ["ACLED_EVENT_TYPES", "GEO_PRECISION_KM", "read_acled"]

REQUIRED = ("event_id_cnty", "event_date", "event_type", "latitude", "longitude")
#: Source fields kept as written in ``source_fields`` (the pre-2023 and 2023+ layouts).
EXTRA = ("disorder_type", "sub_event_type", "assoc_actor_1", "inter1", "assoc_actor_2",
         "inter2", "interaction", "civilian_targeting", "admin2", "admin3", "source_scale",
         "tags", "timestamp")
USED = frozenset((*REQUIRED, "sub_event_type", "time_precision", "country", "iso",
                  "geo_precision", "fatalities", "location", "admin1", "actor1", "actor2",
                  "notes", "source", "year", *EXTRA))
#: ``geo_precision`` -> radius of uncertainty in km (see the module docstring).
GEO_PRECISION_KM = {1: 2.0, 2: 25.0, 3: 100.0}
#: ``time_precision`` -> DateSpan precision.
TIME_PRECISION = {1: "day", 2: "week", 3: "month"}

_B, _E, _V = "battles", "explosions/remote violence", "violence against civilians"
_S, _P, _R = "strategic developments", "protests", "riots"
#: (event_type, sub_event_type), lower case -> our event type.
ACLED_EVENT_TYPES: dict[tuple[str, str], str] = {
    (_B, "armed clash"): "armed_clash",
    (_B, "government regains territory"): "outpost_captured",
    (_B, "non-state actor overtakes territory"): "outpost_captured",
    (_E, "air/drone strike"): "airstrike",
    (_E, "shelling/artillery/missile attack"): "shelling",
    (_E, "remote explosive/landmine/ied"): "remote_explosive",
    (_E, "suicide bomb"): "suicide_bomb",
    (_E, "grenade"): "other",
    (_E, "chemical weapon"): "other",
    (_V, "attack"): "attack",
    (_V, "sexual violence"): "attack",
    (_V, "abduction/forced disappearance"): "abduction",
    **{(_S, sub): "other" for sub in (
        "agreement", "arrests", "change to group/activity", "disrupted weapons use",
        "headquarters or base established", "looting/property destruction",
        "non-violent transfer of territory", "other")},
    **{(_P, sub): "other" for sub in (
        "peaceful protest", "protest with intervention", "excessive force against protesters")},
    **{(_R, sub): "other" for sub in ("violent demonstration", "mob violence")},
}
_EVENT_TYPE_NAMES = ("Battles", "Explosions/Remote violence", "Violence against civilians",
                     "Strategic developments", "Protests", "Riots")
_DRONE = r"\b(?:drones?|UAVs?|unmanned)\b"
_CLOSURE = (r"\b(?:border|crossing)\b[^.]*\b(?:clos\w*|shut|seal\w*|suspend\w*)"
            r"|\b(?:clos\w*|shut|seal\w*|suspend\w*)\b[^.]*\b(?:border|crossing)\b")
_ISO_NUMERIC = {"4": "AF", "586": "PK"}


def read_acled(text: str, name: str, problems: Problems, *,
               parser: DateParser | None = None) -> list[Incident]:
    """Incidents from an ACLED CSV export (see the module docstring)."""
    from ..model.table import to_incidents

    return to_incidents(read_acled_table(text, name, problems, parser=parser))


def read_acled_table(text: str, name: str, problems: Problems, *,
                     parser: DateParser | None = None):
    """The normalised table (:mod:`border_map.model.table`) of an ACLED CSV block."""
    return _read_acled(read_delimited(text, name, columns=USED), name, problems, parser)


def _read_acled(table, name: str, problems: Problems, parser: DateParser | None):
    _require(table, REQUIRED, "ACLED")
    parser = parser or DateParser()
    df = table.df
    iso2, in_region = _countries(df)
    keep = np.flatnonzero(in_region)
    problems.ignored += len(df) - len(keep)
    sub = df.iloc[keep]
    lines = table.lines[keep]
    iso2 = iso2[keep]
    n = len(sub)
    errors = RowErrors(n)
    flag = errors.flag
    warned: dict[int, list[str]] = {}  # row -> source warnings (rare: a dict, not a list)

    ids = sub["event_id_cnty"].str.strip().to_numpy()
    for i in np.flatnonzero(ids == ""):
        flag(i, "event_id_cnty", "missing required field")

    if "time_precision" in sub.columns:
        tp, tp_ok = codes(sub["time_precision"], (1, 2, 3))
        for i in np.flatnonzero(~tp_ok):  # kept: read as the recorded day, with a warning
            warned.setdefault(int(i), []).append(
                _odd_code("time_precision", sub["time_precision"].iat[i], "read as the day"))
        tp = np.where(tp_ok, tp, 1)
    else:
        tp = np.ones(n, dtype=np.int64)
    raw_dates = sub["event_date"].tolist()
    stripped = {v: strip_time(v) for v in set(raw_dates)}  # few distinct dates: once each
    event_dates = [stripped[v] for v in raw_dates]
    if parser.date_order is None and (order := infer_order(event_dates)) is not None:
        parser = DateParser(date_order=order)
        problems.date_order = order
    years = sub["year"].str.strip().tolist() if "year" in sub.columns else None
    dates = _dates(event_dates, tp, parser, flag, years)

    event_types = _event_types(sub, flag, warned)

    lon, lat, missing, coord_errors = coordinates(sub["longitude"], sub["latitude"],
                                                  "longitude", "latitude")
    for i in np.flatnonzero(missing):
        flag(i, "latitude", "missing: ACLED rows need latitude and longitude")
    for i, (field, message) in sorted(coord_errors.items()):
        flag(i, field, message)

    if "geo_precision" in sub.columns:
        gp, gp_ok = codes(sub["geo_precision"], (1, 2, 3))
        for i in np.flatnonzero(~gp_ok):  # kept: the point stands, its radius is not known
            warned.setdefault(int(i), []).append(
                _odd_code("geo_precision", sub["geo_precision"].iat[i], "no radius"))
        precision_km = np.where(gp_ok, np.vectorize(GEO_PRECISION_KM.get, otypes=[float])(
            np.where(gp_ok, gp, 1)), np.nan)
    else:
        precision_km = np.full(n, np.nan)

    if "fatalities" in sub.columns:
        deaths, _, death_messages = counts(sub["fatalities"])
        for i, message in enumerate(death_messages):
            if message:
                flag(i, "fatalities", message)
    else:
        deaths = np.full(n, -1)

    location_names = _texts(sub, "location")
    admin1 = _texts(sub, "admin1")
    actor1, actor2 = _texts(sub, "actor1"), _texts(sub, "actor2")
    notes, outlets = _texts(sub, "notes"), _texts(sub, "source")

    extras = _extras(sub, n)
    claim_cache: dict[tuple, tuple[Claim, ...]] = {}
    seen: dict[str, int] = {}
    out: dict[str, list] = {k: [] for k in (
        "id", "source_line", "date", "actors", "place", "place_country", "place_admin", "lon",
        "lat", "precision_km", "description", "claims", "event_type", "source_fields",
        "source_warnings")}
    # plain lists: indexing NumPy arrays one element at a time is slow
    line_list, lon_list, lat_list = lines.tolist(), lon.tolist(), lat.tolist()
    precision_list = precision_km.tolist()
    death_list = deaths.tolist()
    iso2_list = iso2.tolist()
    for i in range(n):
        if errors[i] is not None:
            problems.at(f"{name}:{line_list[i]}", *errors[i])
            continue
        ident = "acled-" + ids[i]
        if ident in seen:
            problems.at(f"{name}:{line_list[i]}", "event_id_cnty",
                        f"duplicate event {ids[i]!r} (first at line {seen[ident]})")
            continue
        seen[ident] = line_list[i]
        # immutable values shared between rows: one Claim per (fatalities, outlets)
        d, outlet = death_list[i], outlets[i]
        claims = claim_cache.get((d, outlet))
        if claims is None:
            figure = (Figure("killed", d, d),) if d >= 0 else ()
            source = Source(outlet=outlet) if outlet is not None else None
            claims = claim_cache[(d, outlet)] = (
                Claim(None, "ACLED", "third_party", figures=figure, source=source),)
        a1, a2 = actor1[i], actor2[i]
        o = out
        o["id"].append(ident)
        o["source_line"].append(line_list[i])
        o["date"].append(dates[i])
        o["event_type"].append(event_types[i])
        o["actors"].append((a1, a2) if a1 and a2 else (a1,) if a1 else (a2,) if a2 else ())
        o["place"].append(location_names[i])
        o["place_country"].append(iso2_list[i] if location_names[i] else None)
        o["place_admin"].append(admin1[i] if location_names[i] else None)
        o["lon"].append(lon_list[i])
        o["lat"].append(lat_list[i])
        o["precision_km"].append(precision_list[i])
        o["description"].append(notes[i])
        o["claims"].append(claims)
        o["source_fields"].append(extras[i])
        o["source_warnings"].append(tuple(warned[i]) if i in warned else ())
    return table_of(out, name)


def read_acled_json(text: str, name: str, problems: Problems, *,
                    parser: DateParser | None = None):
    """The normalised table of an ACLED API response: ``{"status": 200, "data": [...]}``
    (or the bare list of records). Values may be text or numbers; each record is read as
    the CSV export's row of the same names; ``file:N`` locations count records."""
    import json

    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise DataError(f"not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})",
                        location=name) from err
    if isinstance(doc, dict):
        status = doc.get("status")
        if status not in (None, 200, "200") or ("data" not in doc and "error" in doc):
            raise DataError(f"the ACLED API answered status {status}: "
                            f"{doc.get('error') or doc.get('message') or 'no data'}",
                            location=name)
        records = doc.get("data")
    else:
        records = doc
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise DataError("expected the ACLED API's {\"data\": [records]}", location=name)
    if not records:
        raise DataError("empty file: no incidents", location=name)
    from ._common import Table

    columns = [c for c in dict.fromkeys(k for r in records for k in r)
               if c.strip().lower() in USED]
    df = pd.DataFrame({c.strip().lower(): ["" if r.get(c) is None else str(r.get(c))
                                           for r in records] for c in columns})
    # a record has no line of its own: locations count records (file:N is the N-th record)
    lines = np.arange(1, len(records) + 1, dtype=np.int64)
    return _read_acled(Table(df, lines, name), name, problems, parser)


def table_of(out: dict[str, list], name: str):
    """The normalised table from the reader's columns (``date``: DateSpan per row)."""
    from ..model.table import from_columns

    spans = out.pop("date")
    k = len(spans)
    iso: dict[int, tuple] = {}
    starts, ends, precisions, texts = [], [], [], []
    for span in spans:
        hit = iso.get(id(span))
        if hit is None:
            hit = iso[id(span)] = (span.start.isoformat(), span.end.isoformat(), span.precision,
                                   span.text, span)
        starts.append(hit[0])
        ends.append(hit[1])
        precisions.append(hit[2])
        texts.append(hit[3])
    return from_columns({**out, "source_file": [name] * k, "date_start": starts,
                         "date_end": ends, "date_precision": precisions, "date_text": texts})


def _countries(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``(iso2, keep)``: AF/PK per row from ``country`` (or ISO numeric ``iso``), and which
    rows are in the region. Without either column every row is kept, country unknown."""
    if "country" in df.columns:
        iso2 = df["country"].str.strip().str.lower().map(COUNTRY_NAMES)
    elif "iso" in df.columns:
        iso2 = df["iso"].str.strip().map(_ISO_NUMERIC)
    else:
        return np.full(len(df), None, dtype=object), np.ones(len(df), dtype=bool)
    keep = iso2.notna().to_numpy()
    return iso2.to_numpy(dtype=object), keep


def _texts(sub: pd.DataFrame, column: str) -> list[str | None]:
    if column not in sub.columns:
        return [None] * len(sub)
    return [v or None for v in sub[column].str.strip().tolist()]


def _extras(sub: pd.DataFrame, n: int) -> list[dict | None]:
    """The :data:`EXTRA` columns of each row as a dict, as written (None for an empty cell);
    every row of a file has the same keys."""
    cols = [c for c in EXTRA if c in sub.columns]
    if not cols:
        return [None] * n
    values = []
    for c in cols:
        arr = sub[c].to_numpy(dtype=object)
        values.append(np.where(arr == "", None, arr).tolist())
    return [dict(zip(cols, row, strict=True)) for row in zip(*values, strict=True)]


def _odd_code(column: str, cell: str, then: str) -> str:
    cell = cell.strip()
    return (f"ACLED {column} not a code of the codebook: {cell!r}, {then}" if cell
            else f"ACLED {column} missing: {then}")


def _code_message(cell: str, allowed: str) -> str:
    cell = cell.strip()
    return "missing required field" if not cell else f"expected {allowed}, got {cell!r}"


_TWO_DIGIT_YEAR = re.compile(r"^(\d{1,2}[-/ .](?:\d{1,2}|[A-Za-z]+)[-/ .])(\d{2})$")


def _full_year(text: str, year: str | None) -> str:
    """``9-May-20`` with ``year`` 2020 -> ``9-May-2020`` (a spreadsheet's re-save); raises
    :class:`DataError` when the year column is missing or does not end in those digits."""
    m = _TWO_DIGIT_YEAR.match(text.strip())
    if m is None:
        raise DataError(f"{text!r}: write the year with four digits")
    if not year or not year.isdigit() or len(year) != 4:
        raise DataError(f"{text!r}: the year has two digits and there is no four-digit "
                        "'year' column to complete it; write the year with four digits")
    if year[2:] != m[2]:
        raise DataError(f"{text!r}: the two-digit year does not match the 'year' column "
                        f"({year})")
    return m[1] + year


def _dates(event_dates, tp, parser: DateParser, flag, years=None) -> list[DateSpan | None]:
    """One DateSpan per row, widened by time_precision; spans shared between equal rows.

    A two-digit year (``9-May-20``, ``5/9/20``) is completed from the ``year`` column."""
    cache: dict[tuple, DateSpan | DataError] = {}
    out: list[DateSpan | None] = [None] * len(event_dates)
    years = years if years is not None else [None] * len(event_dates)
    for i, (text, precision, year) in enumerate(zip(event_dates, tp.tolist(), years,
                                                    strict=True)):
        key = (text, precision, year)
        span = cache.get(key)
        if span is None:
            try:
                try:
                    span = _widen(parser.span(text), precision, text)
                except DataError as err:
                    if "four digits" not in err.message:
                        raise
                    span = _widen(parser.span(_full_year(text, year)), precision, text)
            except DataError as err:
                span = err
            cache[key] = span
        if isinstance(span, DataError):
            flag(i, "event_date", span.message)
        else:
            out[i] = span
    return out


def _widen(span: DateSpan, time_precision: int, text: str) -> DateSpan:
    if span.start != span.end:
        raise DataError(f"{text!r}: ACLED's event_date is one day")
    day = span.start
    if time_precision == 2:
        three = dt.timedelta(days=3)
        return DateSpan(day - three, day + three, "week",
                        f"ACLED: sometime in the week around {day.isoformat()}")
    if time_precision == 3:
        first = day.replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return DateSpan(first, following - dt.timedelta(days=1), "month",
                        f"ACLED: sometime in {day:%B %Y}")
    return span


#: event_type alone -> our event type, when the sub-event type is not given or not known
#: (an API request without that field, a sub-event type newer than this table).
BY_EVENT_TYPE = {_B: "armed_clash", _E: "other", _V: "attack", _S: "other", _P: "other",
                 _R: "other"}


def _event_types(sub: pd.DataFrame, flag, warned=None) -> list[str | None]:
    event_type = sub["event_type"].str.strip().tolist()
    has_sub = "sub_event_type" in sub.columns
    sub_type = sub["sub_event_type"].str.strip().tolist() if has_sub else [""] * len(sub)
    et = [t.lower() for t in event_type]
    keys = [ACLED_EVENT_TYPES.get(pair)
            for pair in zip(et, (t.lower() for t in sub_type), strict=True)]
    notes = sub["notes"] if "notes" in sub.columns else pd.Series([""] * len(sub), index=sub.index)
    drone = notes.str.contains(_DRONE, case=False, regex=True).tolist()
    closure = notes.str.contains(_CLOSURE, case=False, regex=True).tolist()
    known_types = {t.lower() for t in _EVENT_TYPE_NAMES}
    for i, key in enumerate(keys):
        if key is None:
            if et[i] not in known_types:
                if not et[i]:
                    flag(i, "event_type", "missing required field")
                    continue
                keys[i] = "other"  # kept: the point and date stand; the type is said
                if warned is not None:
                    warned.setdefault(i, []).append(
                        f"ACLED event_type not known: {event_type[i]!r} (expected one of "
                        f"{', '.join(_EVENT_TYPE_NAMES)}), kept as other")
            else:  # kept: typed from event_type alone, with a warning
                keys[i] = BY_EVENT_TYPE[et[i]]
                if warned is not None:
                    warned.setdefault(i, []).append(
                        f"ACLED sub_event_type not known: {sub_type[i]!r} for "
                        f"{event_type[i]!r}, typed from event_type alone" if sub_type[i] else
                        "ACLED sub_event_type not given: typed from event_type alone")
        elif key == "airstrike" and drone[i]:
            keys[i] = "drone_strike"
        elif et[i] == _S and closure[i]:
            keys[i] = "border_closure"
    return keys
