"""GDELT event exports (``*.export.CSV``, or its ``.zip``), tab-separated, no header: 2.0 (61
columns) and 1.0 daily files (58 columns: no ``ADM2Code``; 57 in the historical backfiles, no
``SOURCEURL``).

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

``IsRootEvent``, ``EventCode``, ``QuadClass``, ``GoldsteinScale``, ``NumMentions``,
``NumSources``, ``NumArticles`` and ``AvgTone`` are kept in ``source_fields``; ``min_sources``
(``--gdelt-min-sources N``) leaves out events reported by fewer than N sources
(``few_sources``) and ``root_only`` (``--gdelt-root-events``) those that are not the root event
of their article (``not_root_event``), counted in the summary.

GDELT is machine-coded from news and repeats the same event from several articles: treat it
as leads, and use the cross-source duplicate links.
"""

from __future__ import annotations

import csv
import datetime as dt

import numpy as np

from ..errors import DataError
from ..model.dates import DateParser
from ..model.incident import Claim, Incident, Source
from ..model.vocabulary import MAX_YEAR, MIN_YEAR
from ._common import Problems, RowErrors, coordinates, read_delimited
from .chunks import line_offset

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
#: GDELT 1.0 daily event files: no ADM2Code in the geo blocks; 58 columns with SOURCEURL
#: (from April 2013), 57 in the historical backfiles.
GDELT1_COLUMNS: tuple[str, ...] = tuple(c for c in GDELT_COLUMNS if not c.endswith("ADM2Code"))
assert len(GDELT1_COLUMNS) == 58
LAYOUTS = {61: ("GDELT 2.0", GDELT_COLUMNS), 58: ("GDELT 1.0", GDELT1_COLUMNS),
           57: ("GDELT 1.0 (historical)", GDELT1_COLUMNS[:-1])}
#: Source fields kept as written in ``source_fields`` (and usable to filter: min_sources,
#: root_only).
EXTRA = ("IsRootEvent", "EventCode", "QuadClass", "GoldsteinScale", "NumMentions",
         "NumSources", "NumArticles", "AvgTone")

#: The columns read (the other 48 are tokenised but never turned into strings).
GDELT_USED = frozenset((
    "GLOBALEVENTID", "SQLDATE", "Actor1Name", "Actor2Name", "IsRootEvent", "EventCode",
    "EventBaseCode", "EventRootCode", "NumMentions", "NumSources", "NumArticles",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code",
    "ActionGeo_Lat", "ActionGeo_Long", "DATEADDED", "SOURCEURL", "QuadClass",
    "GoldsteinScale", "AvgTone"))
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
    from ..model.table import to_incidents

    return to_incidents(read_gdelt_table(text, name, problems))


#: Why rows are left out on purpose (counted in the build summary).
IGNORED_OTHER_COUNTRY = "other_country"
IGNORED_NOT_VIOLENCE = "not_violence"


def read_gdelt_table(text: str, name: str, problems: Problems, *, min_sources: int = 0,
                     root_only: bool = False):
    """The normalised table (:mod:`border_map.model.table`) of a GDELT 2.0 export block.

    Rows are kept when ``ActionGeo_CountryCode`` is AF or PK and the root code
    (``EventRootCode``, or the first two digits of ``EventCode`` when that is empty) is 18,
    19 or 20. A row geocoded to the country only (``ActionGeo_Type`` 1) is kept unlocated:
    a country centroid says nothing about the border.
    """
    import pandas as pd

    from ..model.table import from_columns

    offset = line_offset()
    lines = text.split("\n")
    bad_rows = False
    first = next((line for line in lines if line.rstrip("\r")), "")
    layout, names = LAYOUTS.get(first.count("\t") + 1, LAYOUTS[61])
    width = len(names)
    for number, line in enumerate(lines, start=1):
        tabs = line.count("\t")
        if tabs != width - 1 and line.rstrip("\r"):
            problems.at(f"{name}:{number + offset}", None,
                        f"{tabs + 1} tab-separated columns; {layout} event rows have {width}")
            lines[number - 1] = ""  # keep line numbers, drop the row
            bad_rows = True
    if bad_rows:
        text = "\n".join(lines)
    if not text.strip():
        if problems.items:
            return from_columns({})
        raise DataError("empty file: no incidents", location=name)
    table = read_delimited(text, name, sep="\t", header=False, names=names,
                           quoting=csv.QUOTE_NONE, columns=GDELT_USED)
    df = table.df
    for column in GDELT_COLUMNS:  # GDELT 1.0: no ADM2Code (nor SOURCEURL before April 2013)
        if column not in df.columns:
            df[column] = ""
    country = df["ActionGeo_CountryCode"].str.strip().str.upper()
    code = df["EventCode"].str.strip()
    root = df["EventRootCode"].str.strip()
    root = root.where(root != "", code.str[:2]).str.lstrip("0")
    in_country = country.isin(tuple(FIPS_COUNTRIES)).to_numpy()
    violent = root.isin(VIOLENT_ROOT_CODES).to_numpy()
    ignored = getattr(problems, "ignored_by", None)
    if ignored is not None:
        ignored[IGNORED_OTHER_COUNTRY] += int((~in_country).sum())
        ignored[IGNORED_NOT_VIOLENCE] += int((in_country & ~violent).sum())
    wanted = in_country & violent
    if min_sources:
        sources = pd.to_numeric(df["NumSources"].str.strip(), errors="coerce").to_numpy()
        few = wanted & ~(sources >= min_sources)
        if ignored is not None:
            ignored["few_sources"] += int(few.sum())
        wanted &= ~few
    if root_only:
        not_root = wanted & (df["IsRootEvent"].str.strip() != "1").to_numpy()
        if ignored is not None:
            ignored["not_root_event"] += int(not_root.sum())
        wanted &= ~not_root
    keep = np.flatnonzero(wanted)
    problems.ignored += len(df) - len(keep)
    sub = df.iloc[keep]
    rows = table.lines[keep]
    n = len(sub)
    errors = RowErrors(n)
    flag = errors.flag

    ids = sub["GLOBALEVENTID"].str.strip()
    for i in np.flatnonzero((ids == "").to_numpy()):
        flag(i, "GLOBALEVENTID", "missing required field")
    sqldate = sub["SQLDATE"].str.strip()
    stamps = pd.to_datetime(sqldate, format="%Y%m%d", errors="coerce")
    well_formed = sqldate.str.fullmatch(r"\d{8}").to_numpy()
    for i in np.flatnonzero(~well_formed):
        flag(i, "SQLDATE", f"expected YYYYMMDD, got {sqldate.iat[i]!r}")
    for i in np.flatnonzero(well_formed & stamps.isna().to_numpy()):
        text = sqldate.iat[i]
        try:
            dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            reason = "not a date"
        except ValueError as err:
            reason = str(err)
        flag(i, "SQLDATE", f"{text!r} is not a calendar date ({reason})")
    years = stamps.dt.year.to_numpy(dtype=float, na_value=np.nan)
    for i in np.flatnonzero((years < MIN_YEAR) | (years > MAX_YEAR)):
        flag(i, "SQLDATE", f"year {int(years[i])} is outside {MIN_YEAR}..{MAX_YEAR}")
    iso = (sqldate.str[:4] + "-" + sqldate.str[4:6] + "-" + sqldate.str[6:8]).to_numpy()

    lon, lat, missing, coord_errors = coordinates(
        sub["ActionGeo_Long"], sub["ActionGeo_Lat"], "ActionGeo_Long", "ActionGeo_Lat")
    geo_type = sub["ActionGeo_Type"].str.strip().to_numpy()
    country_level = geo_type == "1"
    for i, (field, message) in sorted(coord_errors.items()):
        if not country_level[i]:
            flag(i, field, message)
    precision = np.array([GEO_TYPE_KM.get(int(g)) if g.isdigit() else None
                          for g in geo_type], dtype=float)
    codes = sub["EventCode"].str.strip()
    idx, uniq = pd.factorize(codes)
    types = np.array([_event_type(str(c)) for c in uniq] + ["other"], dtype=object)[idx]
    parts = sub["ActionGeo_FullName"].str.strip().str.split(",")
    place = [p[0].strip() or None if p else None for p in parts]
    admin = [p[1].strip() or None if len(p) > 2 else None for p in parts]
    actor1 = sub["Actor1Name"].str.strip().to_numpy()
    actor2 = sub["Actor2Name"].str.strip().to_numpy()
    urls = sub["SOURCEURL"].str.strip().to_numpy()
    added = _stamps(sub["DATEADDED"].str.strip())
    code_list = codes.to_numpy()
    iso2 = country.to_numpy()[keep]
    extra_vals = [sub[c].str.strip().tolist() for c in EXTRA]
    extras = [dict(zip(EXTRA, row, strict=True)) for row in zip(*extra_vals, strict=True)]

    out: dict[str, list] = {k: [] for k in (
        "id", "source_line", "date_start", "event_type", "actors", "place", "place_country",
        "place_admin", "lon", "lat", "precision_km", "unlocated", "description", "claims",
        "source_fields")}
    seen: dict[str, int] = {}
    id_list = ids.to_numpy()
    nan = float("nan")
    for i in range(n):
        where = f"{name}:{int(rows[i])}"
        if errors[i] is not None:
            problems.at(where, *errors[i])
            continue
        ident = f"gdelt-{id_list[i]}"
        if ident in seen:
            problems.at(where, "GLOBALEVENTID",
                        f"duplicate event {id_list[i]!r} (first at line {seen[ident]})")
            continue
        seen[ident] = int(rows[i])
        located = not missing[i] and not country_level[i]
        out["id"].append(ident)
        out["source_line"].append(int(rows[i]))
        out["date_start"].append(iso[i])
        out["event_type"].append(types[i])
        out["actors"].append(tuple(a for a in (actor1[i], actor2[i]) if a))
        named = place[i] if not country_level[i] else None
        out["place"].append(named)
        out["place_country"].append(FIPS_COUNTRIES[iso2[i]])
        out["place_admin"].append(admin[i] if named else None)
        out["lon"].append(float(lon[i]) if located else nan)
        out["lat"].append(float(lat[i]) if located else nan)
        out["precision_km"].append(precision[i] if located else nan)
        out["unlocated"].append(
            None if (located or named) else
            "GDELT geocodes this event to the country only (ActionGeo_Type 1)"
            if country_level[i] else "GDELT gives no location")
        out["description"].append(f"GDELT: CAMEO event code {code_list[i]}")
        source = Source(outlet=None, url=urls[i] or None, published=added[i])
        out["source_fields"].append(extras[i])
        out["claims"].append((Claim(None, "GDELT", "third_party",
                                    statement="machine-coded from news; no casualty figures",
                                    source=source),))
    k = len(out["id"])
    table_out = from_columns({
        **out, "source_file": [name] * k, "date_end": out["date_start"],
        "date_precision": ["day"] * k, "date_text": [None] * k,
        "place_kind": [None] * k, "place_ref": [None] * k})
    return table_out


def _event_type(code: str) -> str:
    """CAMEO code -> border-map event type: the full code, then 3 digits, then the root."""
    code = code.lstrip("0") or code
    return (CAMEO_EVENT_TYPES.get(code) or CAMEO_EVENT_TYPES.get(code[:3])
            or CAMEO_EVENT_TYPES.get(code[:2]) or "other")


def _stamps(texts) -> np.ndarray:
    """DATEADDED (YYYYMMDDHHMMSS, UTC) as ISO 8601 per row (None when not a time), vectorised."""
    import pandas as pd

    when = pd.to_datetime(texts, format="%Y%m%d%H%M%S", errors="coerce")
    iso = (texts.str[:4] + "-" + texts.str[4:6] + "-" + texts.str[6:8] + "T" + texts.str[8:10]
           + ":" + texts.str[10:12] + ":" + texts.str[12:14]).to_numpy(dtype=object)
    iso[when.isna().to_numpy()] = None
    return iso
