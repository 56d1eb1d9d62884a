"""UCDP Georeferenced Event Dataset (GED) CSV, any release: columns found by header name.

Every release's names are read: ``best``/``high``/``low`` and the older ``best_est``/
``high_est``/``low_est``, the shapefile's ten-letter names (``type_of_vi``, ``where_coor``
...); the Humanitarian Data Exchange layout (an HXL ``#hashtag`` row under the header,
skipped by :func:`~border_map.readers._common.read_delimited`), rows ending with a trailing
comma, dates as ``2021-06-05 00:00:00.000`` or ``03/27/1990 00:00:00`` (day/month order from
the whole block when its dates agree, else ``--date-order``).

Rows whose ``country`` is not Afghanistan or Pakistan (or, without ``country``, whose
``country_id`` is not 700/770, Gleditsch-Ward) are left out. Each remaining row becomes one
incident, built straight into the normalised table (:mod:`border_map.model.table`):

- ``id``: ``ucdp-`` + ``id``;
- date: ``date_start`` .. ``date_end``, with ``date_prec``: 1 exact day (``day``, or
  ``range`` if the two differ, with a warning); 2 "two to six days" -> ``range``; 3 a week
  -> ``week``; 4 a month -> ``month``; 5 "more than a month, less than a year" -> ``year``;
  another code is kept with a warning (precision from the dates);
- ``event_type`` from ``type_of_violence``: 1 state-based and 2 non-state -> ``armed_clash``;
  3 one-sided violence against civilians -> ``attack``;
- point: ``longitude``/``latitude``; ``where_prec`` as a radius (our choice, from the
  codebook): 1 exact place -> 2 km; 2 "a limited area around a place" -> 25 km; 3 district
  (ADM2 centroid) -> 30 km; 4 province (ADM1 centroid) -> 100 km; 5 larger than a province,
  or between two places -> 150 km; 6 country centroid and 7 water or airspace -> 500 km;
  another code is kept with a warning and no radius;
- place: ``where_coordinates`` with ``adm_1`` as a hint (``adm_1``/``adm_2`` also kept in
  ``source_fields``);
- ``actors``: ``side_a``, ``side_b``; ``description``: ``dyad_name`` and
  ``where_description``;
- one claim by UCDP (side ``third_party``): ``killed`` from ``low`` to ``high`` with the
  ``best`` estimate in its words (figures out of order, e.g. best 2 high 1, are kept as the
  source wrote them in the words, the range spanning all three, with a warning on the
  incident), then ``killed`` for each of ``deaths_a`` (subject ``side_a``), ``deaths_b``
  (``side_b``), ``deaths_civilians`` (civilians) and ``deaths_unknown`` (unknown);
  ``source_office`` (else ``source_article``), ``source_headline`` and ``source_date`` as the
  claim's source;
- ``source_fields``: the columns of :data:`EXTRA` that the file has, as written.
"""

from __future__ import annotations

import re

import numpy as np

from ..model.dates import DateParser, infer_order, strip_time
from ..model.incident import Claim, DateSpan, Figure, Incident, Source
from ._common import COUNTRY_NAMES, Problems, RowErrors, codes, coordinates, counts, read_delimited
from ._common import require_columns as _require

__all__ = ["ALIASES", "DATE_PREC", "VIOLENCE_TYPES", "WHERE_PREC_KM", "read_ucdp",
           "read_ucdp_table"]

REQUIRED = ("id", "date_start", "latitude", "longitude", "type_of_violence", "best")
#: Other releases' (and the shapefile's truncated) names -> the current ones.
ALIASES = {
    "best_est": "best", "high_est": "high", "low_est": "low", "deaths_best": "best",
    "deaths_high": "high", "deaths_low": "low", "type_of_vi": "type_of_violence",
    "where_coor": "where_coordinates", "where_desc": "where_description",
    "deaths_civ": "deaths_civilians", "deaths_unk": "deaths_unknown",
    "source_art": "source_article", "source_off": "source_office",
    "source_dat": "source_date", "source_hea": "source_headline", "date_start_": "date_start",
    "conflict_n": "conflict_name", "country_id_": "country_id", "event_id": "id",
}
#: Source fields kept as written in ``source_fields``.
EXTRA = ("relid", "year", "code_status", "conflict_new_id", "conflict_name", "dyad_new_id",
         "number_of_sources", "source_article", "source_original", "where_prec", "adm_1",
         "adm_2", "priogrid_gid", "event_clarity", "date_prec", "gwnoa", "gwnob")
_TEXTS = ("side_a", "side_b", "where_coordinates", "adm_1", "dyad_name", "where_description",
          "source_office", "source_headline", "source_date", "source_article")
USED = frozenset((*REQUIRED, "country", "country_id", "date_prec", "date_end", "where_prec",
                  "low", "high", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown",
                  *_TEXTS, *EXTRA, *ALIASES))
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
    from ..model.table import to_incidents

    return to_incidents(read_ucdp_table(text, name, problems, parser=parser))


def _rename(df):
    renames = {}
    for old, new in ALIASES.items():
        if old in df.columns and new not in df.columns and new not in renames.values():
            renames[old] = new
    return df.rename(columns=renames) if renames else df


def read_ucdp_table(text: str, name: str, problems: Problems, *,
                    parser: DateParser | None = None):
    """The normalised table (:mod:`border_map.model.table`) of a UCDP GED CSV block."""

    return read_ucdp_frame(read_delimited(text, name, columns=USED), name, problems, parser)


def read_ucdp_frame(table, name: str, problems: Problems, parser: DateParser | None = None):
    """The normalised table of UCDP GED rows already split into cells (a CSV block, or the
    properties of a GeoJSON's features)."""
    from .acled import table_of

    table.df = _rename(table.df)
    _require(table, REQUIRED, "UCDP GED")
    df = table.df
    if "country" in df.columns:
        iso2 = df["country"].str.strip().str.lower().map(COUNTRY_NAMES)
        if "country_id" in df.columns:  # "Afghanistan (Kabul)" style names: the GW code tells
            iso2 = iso2.fillna(df["country_id"].str.strip().map(_GW))
    elif "country_id" in df.columns:
        iso2 = df["country_id"].str.strip().map(_GW)
    else:
        iso2 = None
    keep = (np.flatnonzero(iso2.notna().to_numpy()) if iso2 is not None
            else np.arange(len(df)))
    problems.ignored += len(df) - len(keep)
    sub = df.iloc[keep]
    lines = table.lines[keep].tolist()
    countries = (iso2.to_numpy(dtype=object)[keep].tolist() if iso2 is not None
                 else [None] * len(sub))
    n = len(sub)
    errors = RowErrors(n)
    flag = errors.flag
    warnings: list[list[str]] = [[] for _ in range(n)]

    ids = sub["id"].str.strip().to_numpy()
    for i in np.flatnonzero(ids == ""):
        flag(i, "id", "missing required field")

    if "date_prec" in sub.columns:
        dp, dp_ok = codes(sub["date_prec"], tuple(DATE_PREC))
        for i in np.flatnonzero(~dp_ok):
            cell = sub["date_prec"].iat[i].strip()
            warnings[i].append(f"UCDP date_prec not a code of the codebook: {cell!r}, "
                               "precision taken from the dates" if cell else
                               "UCDP date_prec missing: precision taken from the dates")
    else:
        dp = np.ones(n, dtype=np.int64)
    starts = sub["date_start"].tolist()
    ends = sub["date_end"].tolist() if "date_end" in sub.columns else starts
    stripped = {v: strip_time(v) for v in {*starts, *ends}}  # few distinct dates: once each
    starts = [stripped[v] for v in starts]
    ends = [stripped[v] for v in ends]
    if parser is None or parser.date_order is None:
        order = infer_order(starts + ends)
        if order is not None:
            parser = DateParser(date_order=order, calendar=parser.calendar if parser else None)
            problems.date_order = order
    parser = parser or DateParser()
    dates = _dates(starts, ends, dp, parser, flag, warnings)

    tv, tv_ok = codes(sub["type_of_violence"], tuple(VIOLENCE_TYPES))
    for i in np.flatnonzero(~tv_ok):  # kept as "other": the point and the date stand
        cell = sub["type_of_violence"].iat[i].strip()
        warnings[i].append(f"UCDP type_of_violence not a code of the codebook: {cell!r}, kept "
                           "as other" if cell else "UCDP type_of_violence missing: kept as other")

    lon, lat, missing, coord_errors = coordinates(sub["longitude"], sub["latitude"],
                                                  "longitude", "latitude")
    for i in np.flatnonzero(missing):
        flag(i, "latitude", "missing: UCDP rows need latitude and longitude")
    for i, (field, message) in sorted(coord_errors.items()):
        flag(i, field, message)

    if "where_prec" in sub.columns:
        wp, wp_ok = codes(sub["where_prec"], tuple(WHERE_PREC_KM))
        for i in np.flatnonzero(~wp_ok):
            cell = sub["where_prec"].iat[i].strip()
            warnings[i].append(f"UCDP where_prec not a code of the codebook: {cell!r}, no "
                               "radius" if cell else "UCDP where_prec missing: no radius")
        precision_km = [WHERE_PREC_KM.get(int(v), np.nan) for v in wp]
    else:
        precision_km = [np.nan] * n

    estimates = {}
    for column in ("low", "best", "high", *(c for c, _ in _SIDE_DEATHS)):
        if column in sub.columns:
            values, empty, messages = counts(sub[column])
            for i, message in enumerate(messages):
                if message:
                    flag(i, column, message)
            estimates[column] = np.where(empty, -1, values).tolist()
    best = estimates["best"]
    low = estimates.get("low", best)
    high = estimates.get("high", best)

    text_of = {c: _texts(sub, c) for c in _TEXTS}
    extra_cols = [c for c in EXTRA if c in sub.columns]
    extra_vals = {c: sub[c].str.strip().tolist() for c in extra_cols}
    source_cache: dict[tuple, Source | None] = {}
    out: dict[str, list] = {k: [] for k in (
        "id", "source_line", "date", "actors", "place", "place_country", "place_admin", "lon",
        "lat", "precision_km", "description", "claims", "event_type", "source_fields",
        "source_warnings")}
    lon_list, lat_list, tv_list = lon.tolist(), lat.tolist(), tv.tolist()
    seen: dict[str, int] = {}
    for i in range(n):
        where = f"{name}:{lines[i]}"
        lo, be, hi = low[i], best[i], high[i]
        if errors[i] is None and be < 0:
            flag(i, "best", "missing required field")
        if errors[i] is not None:
            problems.at(where, *errors[i])
            continue
        ident = f"ucdp-{ids[i]}"
        if ident in seen:
            problems.at(where, "id", f"duplicate event {ids[i]!r} (first at line {seen[ident]})")
            continue
        seen[ident] = lines[i]
        given = [v for v in (lo, be, hi) if v >= 0]
        if (lo >= 0 and lo > be) or (hi >= 0 and be > hi) or (0 <= hi < lo):
            warnings[i].append(f"UCDP estimates out of order: low {lo}, best {be}, high {hi} "
                               "(kept as written)")
            words = f"best estimate {be} (UCDP low {lo}, high {hi})"
        else:
            words = f"best estimate {be}"
        figures = [Figure("killed", min(given), max(given), text=words)]
        for column, side in _SIDE_DEATHS:
            if column in estimates and estimates[column][i] >= 0:
                subject = text_of[side][i] if side else _SUBJECTS[column]
                value = estimates[column][i]
                figures.append(Figure("killed", value, value, subject=subject))
        key = (text_of["source_office"][i], text_of["source_headline"][i],
               text_of["source_date"][i], text_of["source_article"][i])
        source = source_cache.get(key, False)
        if source is False:
            source = source_cache[key] = _source(*key)
        place = text_of["where_coordinates"][i]
        description = "; ".join(x for x in (text_of["dyad_name"][i],
                                            text_of["where_description"][i]) if x) or None
        a, b = text_of["side_a"][i], text_of["side_b"][i]
        o = out
        o["id"].append(ident)
        o["source_line"].append(lines[i])
        o["date"].append(dates[i])
        o["event_type"].append(VIOLENCE_TYPES.get(tv_list[i], "other"))
        o["actors"].append(tuple(x for x in (a, b) if x))
        o["place"].append(place)
        o["place_country"].append(countries[i] if place else None)
        o["place_admin"].append(text_of["adm_1"][i] if place else None)
        o["lon"].append(lon_list[i])
        o["lat"].append(lat_list[i])
        o["precision_km"].append(precision_km[i])
        o["description"].append(description)
        o["claims"].append((Claim(None, "UCDP", "third_party", figures=tuple(figures),
                                  source=source),))
        o["source_fields"].append({c: extra_vals[c][i] for c in extra_cols
                                   if extra_vals[c][i]} or None)
        o["source_warnings"].append(tuple(warnings[i]))
    return table_of(out, name)


def _source(office, headline, published, article) -> Source | None:
    if not (office or headline or published or article):
        return None
    m = _ISO_DAY.search(published or "")
    return Source(outlet=office or article, quote=headline, published=m[0] if m else None)


def _texts(sub, column: str) -> list[str | None]:
    if column not in sub.columns:
        return [None] * len(sub)
    return [v or None for v in sub[column].str.strip().tolist()]


def _code_message(cell: str, allowed: str) -> str:
    cell = cell.strip()
    return "missing required field" if not cell else f"expected {allowed}, got {cell!r}"


def _dates(starts, ends, dp, parser: DateParser, flag, warnings) -> list[DateSpan | None]:
    out: list[DateSpan | None] = [None] * len(starts)
    cache: dict[tuple, tuple] = {}
    for i, key in enumerate(zip(starts, ends, dp.tolist(), strict=True)):
        found = cache.get(key)
        if found is None:
            found = cache[key] = _span(*key, parser)
        span, problem, warning = found
        if problem is not None:
            flag(i, *problem)
        else:
            out[i] = span
            if warning:
                warnings[i].append(warning)
    return out


def _span(start_text: str, end_text: str, date_prec: int, parser: DateParser):
    """``(DateSpan, None, warning)`` of one row, or ``(None, (column, message), None)``."""
    from ..errors import DataError

    try:
        start = parser.day(start_text)
    except DataError as err:
        return None, ("date_start", err.message), None
    end = start
    if end_text.strip():
        try:
            end = parser.day(end_text)
        except DataError as err:
            return None, ("date_end", err.message), None
    if end < start:
        return None, ("date_end", f"{end} is before date_start {start}"), None
    warning = None
    precision = DATE_PREC.get(date_prec)
    if precision is None:
        precision = "day" if start == end else "range"
    elif precision == "day" and start != end:
        precision = "range"
        warning = (f"UCDP date_prec says an exact day but the dates span days: {start}/{end}, "
                   "kept as a range")
    text = None if date_prec == 1 else f"UCDP date_prec {date_prec}"
    return DateSpan(start, end, precision, text), None, warning
