"""GDELT 2.0 event exports (``*.export.CSV``, or its ``.zip``): 61 tab-separated columns, no header.

Only events located (``ActionGeo_CountryCode``, FIPS 10-4) in Afghanistan (``AF``) or
Pakistan (``PK``) and coded as violence -- CAMEO root codes 18 assault, 19 fight and
20 unconventional mass violence -- are kept; the rest are left out and counted. Each kept
row becomes one incident:

- ``id``: ``gdelt-`` + ``GLOBALEVENTID``; date: ``SQLDATE`` (YYYYMMDD), one day;
- ``event_type`` from ``EventCode`` by :data:`CAMEO_EVENT_TYPES` (the most specific code
  listed wins: 1952 "remotely piloted aerial munitions" is a ``drone_strike``, 195 "employ
  aerial weapons" an ``airstrike``, 194 "fight with artillery and tanks" ``shelling``,
  190/193/196 ``armed_clash``, 191 "blockade, restrict movement" ``border_closure``,
  192 "occupy territory" ``outpost_captured``, 181 ``abduction``, 1831 ``suicide_bomb``,
  183x bombings ``remote_explosive``, other 18x and 20x ``attack``);
- point: ``ActionGeo_Long``/``ActionGeo_Lat`` (may be empty: then the place alone), with
  ``ActionGeo_Type`` as a radius: 4 world city -> 5 km, 5 world state (ADM1) -> 100 km,
  1 country -> 500 km;
- place: the first part of ``ActionGeo_FullName`` ("Torkham, Nangarhar, Afghanistan"), the
  second as the admin hint;
- ``actors``: ``Actor1Name``, ``Actor2Name``; one claim by GDELT (``third_party``, no figures:
  GDELT counts no casualties) with ``SOURCEURL`` and ``DATEADDED`` as its source.

GDELT is machine-coded from news and repeats the same event from several articles: treat it
as leads, and use the cross-source duplicate links.
"""

from __future__ import annotations

import csv
import datetime as dt

import numpy as np

from ..errors import DataError
from ..incidents import Claim, DateSpan, Incident, Location, PlaceRef, Source
from ._common import Problems, RowErrors, coordinates, read_delimited
from .dates import DateParser

__all__ = ["CAMEO_EVENT_TYPES", "GDELT_COLUMNS", "read_gdelt"]

#: The GDELT 2.0 event table, in file order (the codebook's 61 fields).
GDELT_COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    *(f"Actor{n}{f}" for n in (1, 2) for f in (
        "Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
        "Religion2Code", "Type1Code", "Type2Code", "Type3Code")),
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
    "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone",
    *(f"{g}_{f}" for g in ("Actor1Geo", "Actor2Geo", "ActionGeo") for f in (
        "Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")),
    "DATEADDED", "SOURCEURL",
)
assert len(GDELT_COLUMNS) == 61

FIPS_COUNTRIES = {"AF": "AF", "PK": "PK"}  # FIPS 10-4 -> ISO 3166 (the same for these two)
VIOLENT_ROOT_CODES = ("18", "19", "20")
#: CAMEO event code -> our event type; looked up as the full code, then its first three
#: digits, then its root.
CAMEO_EVENT_TYPES: dict[str, str] = {
    "18": "attack", "180": "attack", "181": "abduction", "182": "attack",
    "183": "remote_explosive", "1831": "suicide_bomb", "1832": "remote_explosive",
    "1833": "remote_explosive", "1834": "remote_explosive", "184": "attack", "185": "attack",
    "186": "attack",
    "19": "armed_clash", "190": "armed_clash", "191": "border_closure",
    "192": "outpost_captured", "193": "armed_clash", "194": "shelling", "195": "airstrike",
    "1951": "airstrike", "1952": "drone_strike", "196": "armed_clash",
    "20": "attack", "200": "attack", "201": "other", "202": "attack", "203": "attack",
    "204": "attack",
}
#: ActionGeo_Type -> radius in km (2 and 3 are US states and cities: outside the region).
GEO_TYPE_KM = {1: 500.0, 2: 100.0, 3: 5.0, 4: 5.0, 5: 100.0}


def read_gdelt(text: str, name: str, problems: Problems, *,
               parser: DateParser | None = None) -> list[Incident]:
    """Incidents from a GDELT 2.0 event export (see the module docstring)."""
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\r")
        if line and line.count("\t") != 60:
            problems.at(f"{name}:{number}", None,
                        f"{line.count(chr(9)) + 1} tab-separated columns; GDELT 2.0 event rows "
                        "have 61")
            lines[number - 1] = ""  # keep line numbers, drop the row
    text = "\n".join(lines)
    if not text.strip():
        if problems.items:
            return []
        raise DataError("empty file: no incidents", location=name)
    table = read_delimited(text, name, sep="\t", header=False, names=GDELT_COLUMNS,
                           quoting=csv.QUOTE_NONE)
    df = table.df
    country = df["ActionGeo_CountryCode"].str.strip().str.upper()
    root = df["EventRootCode"].str.strip().str.lstrip("0")
    keep = np.flatnonzero((country.isin(tuple(FIPS_COUNTRIES))
                           & root.isin(VIOLENT_ROOT_CODES)).to_numpy())
    problems.ignored += len(df) - len(keep)
    sub = df.iloc[keep]
    rows = table.lines[keep]
    n = len(sub)
    errors = RowErrors(n)
    flag = errors.flag

    ids = sub["GLOBALEVENTID"].str.strip().to_numpy()
    for i in np.flatnonzero(ids == ""):
        flag(i, "GLOBALEVENTID", "missing required field")
    dates: list[DateSpan | None] = [None] * n
    parser = parser or DateParser()
    for i, text_date in enumerate(sub["SQLDATE"].str.strip().tolist()):
        if not (len(text_date) == 8 and text_date.isdigit()):
            flag(i, "SQLDATE", f"expected YYYYMMDD, got {text_date!r}")
            continue
        try:
            dates[i] = parser.span(text_date)
        except DataError as err:
            flag(i, "SQLDATE", err.message)
    lon, lat, missing, coord_errors = coordinates(
        sub["ActionGeo_Long"], sub["ActionGeo_Lat"], "ActionGeo_Long", "ActionGeo_Lat")
    for i, (field, message) in sorted(coord_errors.items()):
        flag(i, field, message)
    geo_type = sub["ActionGeo_Type"].str.strip().tolist()
    codes = sub["EventCode"].str.strip().tolist()
    full_names = sub["ActionGeo_FullName"].str.strip().tolist()
    actor1 = sub["Actor1Name"].str.strip().tolist()
    actor2 = sub["Actor2Name"].str.strip().tolist()
    urls = sub["SOURCEURL"].str.strip().tolist()
    added = sub["DATEADDED"].str.strip().tolist()
    country_codes = sub["ActionGeo_CountryCode"].str.strip().str.upper().tolist()
    result: list[Incident] = []
    seen: dict[str, int] = {}
    for i in range(n):
        where = f"{name}:{int(rows[i])}"
        if errors[i] is not None:
            problems.at(where, *errors[i])
            continue
        ident = f"gdelt-{ids[i]}"
        if ident in seen:
            problems.at(where, "GLOBALEVENTID",
                        f"duplicate event {ids[i]!r} (first at line {seen[ident]})")
            continue
        seen[ident] = int(rows[i])
        code = codes[i].lstrip("0") or codes[i]
        event_type = (CAMEO_EVENT_TYPES.get(code) or CAMEO_EVENT_TYPES.get(code[:3])
                      or CAMEO_EVENT_TYPES.get(code[:2]) or "other")
        iso2 = FIPS_COUNTRIES[country_codes[i]]
        parts = [p.strip() for p in full_names[i].split(",") if p.strip()]
        place = None
        if parts:
            place = PlaceRef(parts[0], country=iso2,
                             admin=parts[1] if len(parts) > 2 else None,
                             kind="country" if geo_type[i] == "1" else None)
        location = None
        if not missing[i]:
            precision = GEO_TYPE_KM.get(int(geo_type[i])) if geo_type[i].isdigit() else None
            location = Location(float(lon[i]), float(lat[i]), precision)
        source = Source(outlet=None, url=urls[i] or None, published=_stamp(added[i]))
        try:
            result.append(Incident(
                id=ident,
                date=dates[i],
                event_type=event_type,
                actors=tuple(a for a in (actor1[i], actor2[i]) if a),
                place=place,
                location=location,
                description=f"GDELT: CAMEO event code {codes[i]}",
                claims=(Claim(None, "GDELT", "third_party",
                              statement="machine-coded from news; no casualty figures",
                              source=source),),
                unlocated=None if (place or location) else "GDELT gives no location",
                source_file=name,
                source_line=int(rows[i]),
            ))
        except DataError as err:
            problems.at(where, err.field, err.message)
    return result


def _stamp(text: str) -> str | None:
    """DATEADDED (YYYYMMDDHHMMSS, UTC) as ISO 8601, or None."""
    try:
        return dt.datetime.strptime(text, "%Y%m%d%H%M%S").isoformat()
    except ValueError:
        return None
