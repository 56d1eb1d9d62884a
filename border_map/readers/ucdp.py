"""UCDP Georeferenced Event Dataset (GED) CSV, any release: columns found by header name.

Rows whose ``country`` is not Afghanistan or Pakistan (or, without ``country``, whose
``country_id`` is not 700/770, Gleditsch-Ward) are left out. Each remaining row becomes one
incident:

- ``id``: ``ucdp-`` + ``id``;
- date: ``date_start`` .. ``date_end`` (UCDP writes ``2021-06-05 00:00:00.000``), with
  ``date_prec``: 1 exact day (``day``, or ``range`` if the two differ); 2 "two to six days"
  -> ``range``; 3 a week -> ``week``; 4 a month -> ``month``; 5 "more than a month, less
  than a year" -> ``year``;
- ``event_type`` from ``type_of_violence``: 1 state-based and 2 non-state -> ``armed_clash``;
  3 one-sided violence against civilians -> ``attack``;
- point: ``longitude``/``latitude``; ``where_prec`` as a radius (our choice, from the
  codebook): 1 exact place -> 2 km; 2 "a limited area around a place" -> 25 km; 3 district
  (ADM2 centroid) -> 30 km; 4 province (ADM1 centroid) -> 100 km; 5 larger than a province,
  or between two places -> 150 km; 6 country centroid and 7 water or airspace -> 500 km;
- place: ``where_coordinates`` with ``adm_1`` as a hint;
- ``actors``: ``side_a``, ``side_b``; ``description``: ``dyad_name`` and
  ``where_description``;
- one claim by UCDP (side ``third_party``): ``killed`` from ``low`` to ``high`` with the
  ``best`` estimate in its words, then ``killed`` for each of ``deaths_a`` (subject
  ``side_a``), ``deaths_b`` (``side_b``), ``deaths_civilians`` (civilians) and
  ``deaths_unknown`` (unknown); ``source_office``/``source_headline``/``source_date`` as the
  claim's source.
"""

from __future__ import annotations

import re

import numpy as np

from ..errors import DataError
from ..model.incident import Claim, DateSpan, Figure, Incident, Location, PlaceRef, Source
from ._common import COUNTRY_NAMES, Problems, RowErrors, codes, coordinates, counts, read_delimited
from ._common import require_columns as _require
from .dates import DateParser

__all__ = ["DATE_PREC", "VIOLENCE_TYPES", "WHERE_PREC_KM", "read_ucdp"]

REQUIRED = ("id", "date_start", "latitude", "longitude", "type_of_violence", "best")
USED = frozenset((*REQUIRED, "country", "country_id", "date_prec", "date_end", "where_prec",
                  "low", "high", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown",
                  "side_a", "side_b", "where_coordinates", "adm_1", "dyad_name",
                  "where_description", "source_office", "source_headline", "source_date"))
WHERE_PREC_KM = {1: 2.0, 2: 25.0, 3: 30.0, 4: 100.0, 5: 150.0, 6: 500.0, 7: 500.0}
DATE_PREC = {1: "day", 2: "range", 3: "week", 4: "month", 5: "year"}
VIOLENCE_TYPES = {1: "armed_clash", 2: "armed_clash", 3: "attack"}
_GW = {"700": "AF", "770": "PK"}
_SIDE_DEATHS = (("deaths_a", "side_a"), ("deaths_b", "side_b"),
                ("deaths_civilians", None), ("deaths_unknown", None))
_SUBJECTS = {"deaths_civilians": "civilians", "deaths_unknown": "unknown"}
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def read_ucdp(text: str, name: str, problems: Problems, *,
              parser: DateParser | None = None) -> list[Incident]:
    """Incidents from a UCDP GED CSV (see the module docstring)."""
    table = read_delimited(text, name, columns=USED)
    _require(table, REQUIRED, "UCDP GED")
    parser = parser or DateParser()
    df = table.df
    if "country" in df.columns:
        iso2 = df["country"].str.strip().str.lower().map(COUNTRY_NAMES)
    elif "country_id" in df.columns:
        iso2 = df["country_id"].str.strip().map(_GW)
    else:
        iso2 = None
    keep = (np.flatnonzero(iso2.notna().to_numpy()) if iso2 is not None
            else np.arange(len(df)))
    problems.ignored += len(df) - len(keep)
    sub = df.iloc[keep]
    lines = table.lines[keep]
    countries = iso2.to_numpy(dtype=object)[keep] if iso2 is not None else [None] * len(sub)
    n = len(sub)
    errors = RowErrors(n)
    flag = errors.flag

    ids = sub["id"].str.strip().to_numpy()
    for i in np.flatnonzero(ids == ""):
        flag(i, "id", "missing required field")

    if "date_prec" in sub.columns:
        dp, dp_ok = codes(sub["date_prec"], tuple(DATE_PREC))
        for i in np.flatnonzero(~dp_ok):
            flag(i, "date_prec", _code_message(sub["date_prec"].iat[i], "1 to 5"))
    else:
        dp = np.ones(n, dtype=np.int64)
    starts = sub["date_start"].to_numpy()
    ends = sub["date_end"].to_numpy() if "date_end" in sub.columns else starts
    dates = _dates(starts, ends, dp, parser, flag)

    tv, tv_ok = codes(sub["type_of_violence"], tuple(VIOLENCE_TYPES))
    for i in np.flatnonzero(~tv_ok):
        flag(i, "type_of_violence", _code_message(sub["type_of_violence"].iat[i], "1, 2 or 3"))

    lon, lat, missing, coord_errors = coordinates(sub["longitude"], sub["latitude"],
                                                  "longitude", "latitude")
    for i in np.flatnonzero(missing):
        flag(i, "latitude", "missing: UCDP rows need latitude and longitude")
    for i, (field, message) in sorted(coord_errors.items()):
        flag(i, field, message)

    if "where_prec" in sub.columns:
        wp, wp_ok = codes(sub["where_prec"], tuple(WHERE_PREC_KM))
        for i in np.flatnonzero(~wp_ok):
            flag(i, "where_prec", _code_message(sub["where_prec"].iat[i], "1 to 7"))
        precision_km = [WHERE_PREC_KM.get(int(v)) for v in wp]
    else:
        precision_km = [None] * n

    estimates = {}
    for column in ("low", "best", "high", *(c for c, _ in _SIDE_DEATHS)):
        if column in sub.columns:
            values, empty, messages = counts(sub[column])
            for i, message in enumerate(messages):
                if message:
                    flag(i, column, message)
            estimates[column] = np.where(empty, -1, values)
    best = estimates["best"]
    low = estimates.get("low", best)
    high = estimates.get("high", best)
    for i in range(n):
        lo, be, hi = int(low[i]), int(best[i]), int(high[i])
        if be < 0:
            flag(i, "best", "missing required field")
        elif (lo >= 0 and lo > be) or (hi >= 0 and be > hi):
            flag(i, "best", f"estimates out of order: low {lo}, best {be}, high {hi} "
                 "(expected low <= best <= high)")

    text_of = {c: _texts(sub, c) for c in (
        "side_a", "side_b", "where_coordinates", "adm_1", "dyad_name", "where_description",
        "source_office", "source_headline", "source_date")}
    result: list[Incident] = []
    seen: dict[str, int] = {}
    for i in range(n):
        where = f"{name}:{int(lines[i])}"
        if errors[i] is not None:
            problems.at(where, *errors[i])
            continue
        ident = f"ucdp-{ids[i]}"
        if ident in seen:
            problems.at(where, "id", f"duplicate event {ids[i]!r} (first at line {seen[ident]})")
            continue
        seen[ident] = int(lines[i])
        lo, be, hi = int(low[i]), int(best[i]), int(high[i])
        figures = [Figure("killed", lo if lo >= 0 else be, hi if hi >= 0 else be,
                          text=f"best estimate {be}")]
        for column, side in _SIDE_DEATHS:
            if column in estimates and estimates[column][i] >= 0:
                subject = text_of[side][i] if side else _SUBJECTS[column]
                value = int(estimates[column][i])
                figures.append(Figure("killed", value, value, subject=subject))
        source = None
        if text_of["source_office"][i] or text_of["source_headline"][i]:
            published = text_of["source_date"][i]
            m = _ISO_DAY.match(published or "")
            source = Source(outlet=text_of["source_office"][i],
                            quote=text_of["source_headline"][i],
                            published=m[0] if m else None)
        place = None
        if text_of["where_coordinates"][i]:
            place = PlaceRef(text_of["where_coordinates"][i], country=countries[i],
                             admin=text_of["adm_1"][i])
        description = "; ".join(x for x in (text_of["dyad_name"][i],
                                            text_of["where_description"][i]) if x) or None
        try:
            result.append(Incident(
                id=ident,
                date=dates[i],
                event_type=VIOLENCE_TYPES[int(tv[i])],
                actors=tuple(a for a in (text_of["side_a"][i], text_of["side_b"][i]) if a),
                place=place,
                location=Location(float(lon[i]), float(lat[i]), precision_km[i]),
                description=description,
                claims=(Claim(None, "UCDP", "third_party", figures=tuple(figures),
                              source=source),),
                source_file=name,
                source_line=int(lines[i]),
            ))
        except DataError as err:
            problems.at(where, err.field, err.message)
    return result


def _texts(sub, column: str) -> list[str | None]:
    if column not in sub.columns:
        return [None] * len(sub)
    return [v or None for v in sub[column].str.strip().tolist()]


def _code_message(cell: str, allowed: str) -> str:
    cell = cell.strip()
    return "missing required field" if not cell else f"expected {allowed}, got {cell!r}"


def _dates(starts, ends, dp, parser: DateParser, flag) -> list[DateSpan | None]:
    out: list[DateSpan | None] = [None] * len(starts)
    cache: dict[tuple, DateSpan | tuple[str, str]] = {}
    for i, key in enumerate(zip(starts, ends, dp.tolist(), strict=True)):
        found = cache.get(key)
        if found is None:
            found = cache[key] = _span(*key, parser)
        if isinstance(found, tuple):
            flag(i, *found)
        else:
            out[i] = found
    return out


def _span(start_text: str, end_text: str, date_prec: int, parser: DateParser):
    """The DateSpan of one row, or (column, message)."""
    try:
        start = parser.day(start_text)
    except DataError as err:
        return "date_start", err.message
    end = start
    if end_text.strip():
        try:
            end = parser.day(end_text)
        except DataError as err:
            return "date_end", err.message
    if end < start:
        return "date_end", f"{end} is before date_start {start}"
    precision = DATE_PREC.get(date_prec, "day")
    if precision == "day" and start != end:
        precision = "range"
    text = None if date_prec == 1 else f"UCDP date_prec {date_prec}"
    return DateSpan(start, end, precision, text)
