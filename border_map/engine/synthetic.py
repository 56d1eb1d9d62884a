"""Synthetic GDELT 2.0 event exports for tests and benchmarks (never real events).

Rows look like the real 61-column, tab-separated, header-less export: most events
lie within 150 km of the Durand Line (geocoded to a city, ``ActionGeo_Type`` 4),
a share are country-level (type 1, the country's centroid) and a share lie
elsewhere in the world, as in a global export that must be filtered to the region.
Everything is drawn from one seeded generator, so a size and a seed always give
the same file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from pyproj import Geod

from ..readers.gdelt import GDELT_COLUMNS

_GEOD = Geod(ellps="WGS84")
# CAMEO codes drawn for synthetic events (root codes 18-20 and a few quieter ones)
_CODES = np.array(["190", "193", "194", "195", "1951", "1952", "180", "181", "183", "1833",
                   "186", "191", "192", "196", "200", "043", "112", "173"])
_NAMES = {"AF": "Afghanistan", "PK": "Pakistan"}
_CENTROIDS = {"AF": (66.0, 33.0), "PK": (70.0, 30.0)}
_DAY0 = np.datetime64("2019-01-01")
_DAYS = 7 * 365


def gdelt_table(n: int, seed: int = 0, *, outside_share: float = 0.05,
                country_only_share: float = 0.02, first_id: int = 1_000_000_000) -> pa.Table:
    """``n`` synthetic export rows as an Arrow table of the 61 GDELT 2.0 columns."""
    from ..border import DurandLine

    rng = np.random.default_rng(seed)
    line = np.asarray(DurandLine.default().line.coords)
    i = rng.integers(0, len(line), n)
    lon, lat, _ = _GEOD.fwd(line[i, 0], line[i, 1], rng.uniform(0, 360, n),
                            rng.uniform(0, 150_000, n))
    lon, lat = np.asarray(lon), np.asarray(lat)
    kind = rng.uniform(size=n)
    outside = kind < outside_share
    country_only = (kind >= outside_share) & (kind < outside_share + country_only_share)
    # elsewhere: northern India and the Gulf, outside the region's box
    lon[outside] = rng.uniform(80.0, 88.0, outside.sum())
    lat[outside] = rng.uniform(12.0, 22.0, outside.sum())
    cc = np.where(lon > 69.0, "PK", "AF").astype(object)
    cc[outside] = "IN"
    for code, (clon, clat) in _CENTROIDS.items():
        sel = country_only & (cc == code)
        lon[sel], lat[sel] = clon, clat
    geo_type = np.where(country_only, 1, 4)
    full_name = np.where(country_only, np.vectorize(_NAMES.get)(cc, "India"),
                         np.char.add("Synthetic place ", (i % 997).astype(str)).astype(object))
    full_name[outside] = "Synthetic place, India"
    days = _DAY0 + rng.integers(0, _DAYS, n).astype("timedelta64[D]")
    sqldate = np.char.replace(days.astype(str), "-", "")
    code = _CODES[rng.integers(0, len(_CODES), n)]
    sources = rng.integers(1, 12, n)
    empty = pa.nulls(n, pa.string())
    cols = {name: empty for name in GDELT_COLUMNS}
    cols.update({
        "GLOBALEVENTID": pa.array(np.arange(first_id, first_id + n, dtype=np.int64)),
        "SQLDATE": pa.array(sqldate),
        "MonthYear": pa.array(sqldate.astype("U6")),
        "Year": pa.array(sqldate.astype("U4")),
        "Actor1Code": pa.array(np.where(cc == "PK", "PAKMIL", "AFGMIL")),
        "Actor1Name": pa.array(np.where(cc == "PK", "PAKISTAN", "AFGHANISTAN")),
        "IsRootEvent": pa.array(np.ones(n, dtype=np.int8)),
        "EventCode": pa.array(code),
        "EventBaseCode": pa.array(code.astype("U3")),
        "EventRootCode": pa.array(code.astype("U2")),
        "QuadClass": pa.array(np.full(n, 4, dtype=np.int8)),
        "GoldsteinScale": pa.array(np.round(rng.uniform(-10, 0, n), 1)),
        "NumMentions": pa.array(sources * 2),
        "NumSources": pa.array(sources),
        "NumArticles": pa.array(sources * 2),
        "AvgTone": pa.array(np.round(rng.uniform(-10, 2, n), 6)),
        "ActionGeo_Type": pa.array(geo_type),
        "ActionGeo_FullName": pa.array(full_name, type=pa.string()),
        "ActionGeo_CountryCode": pa.array(cc, type=pa.string()),
        "ActionGeo_Lat": pa.array(np.round(lat, 4)),
        "ActionGeo_Long": pa.array(np.round(lon, 4)),
        "ActionGeo_FeatureID": pa.array((-(i + 1000)).astype(str)),
        "DATEADDED": pa.array(np.char.add(sqldate, "120000")),
        "SOURCEURL": pa.array(np.char.add("https://news.invalid/story/",
                                          np.arange(n).astype(str))),
    })
    return pa.table(cols)


def write_gdelt(path: str | Path, n: int, seed: int = 0, *, chunk_rows: int = 1_000_000,
                **kwargs) -> Path:
    """Write ``n`` synthetic rows to ``path`` as a GDELT 2.0 export, ``chunk_rows`` at a time."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    options = pacsv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none")
    writer = None
    try:
        done = 0
        part = 0
        while done < n:
            m = min(chunk_rows, n - done)
            table = gdelt_table(m, seed * 100_003 + part, first_id=1_000_000_000 + done, **kwargs)
            if writer is None:
                writer = pacsv.CSVWriter(str(path), table.schema, write_options=options)
            writer.write_table(table)
            done += m
            part += 1
    finally:
        if writer is not None:
            writer.close()
    return path


#: The ACLED export's columns (2023+ layout), in file order.
ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
)
_ACLED_TYPES = (
    ("Battles", "Armed clash"), ("Explosions/Remote violence", "Air/drone strike"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("Violence against civilians", "Attack"), ("Strategic developments", "Other"),
)


def acled_table(n: int, seed: int = 0, *, first_id: int = 1) -> pa.Table:
    """``n`` synthetic rows in the ACLED export layout (never real events)."""
    from ..border import DurandLine

    rng = np.random.default_rng(seed)
    line = np.asarray(DurandLine.default().line.coords)
    i = rng.integers(0, len(line), n)
    lon, lat, _ = _GEOD.fwd(line[i, 0], line[i, 1], rng.uniform(0, 360, n),
                            rng.uniform(0, 120_000, n))
    lon, lat = np.round(np.asarray(lon), 4), np.round(np.asarray(lat), 4)
    pk = lon > 69.0
    iso = np.where(pk, "PAK", "AFG")
    days = _DAY0 + rng.integers(0, _DAYS, n).astype("timedelta64[D]")
    types = rng.integers(0, len(_ACLED_TYPES), n)
    et = np.array([t for t, _ in _ACLED_TYPES], dtype=object)[types]
    sub = np.array([s for _, s in _ACLED_TYPES], dtype=object)[types]
    place = np.char.add("Synthetic place ", (i % 499).astype(str))
    ids = np.char.add(iso, (np.arange(first_id, first_id + n)).astype(str))
    fatalities = rng.poisson(1.5, n)
    cols = {
        "event_id_cnty": ids, "event_date": days.astype(str),
        "year": days.astype("datetime64[Y]").astype(str),
        "time_precision": rng.choice([1, 1, 1, 2, 3], n),
        "disorder_type": np.full(n, "Political violence"),
        "event_type": et.astype(str), "sub_event_type": sub.astype(str),
        "actor1": np.where(pk, "Military Forces of Pakistan (2008-)",
                           "Military Forces of Afghanistan (2021-)"),
        "assoc_actor_1": np.full(n, ""), "inter1": np.full(n, 1),
        "actor2": np.where(pk, "Unidentified Armed Group (Pakistan)",
                           "Unidentified Armed Group (Afghanistan)"),
        "assoc_actor_2": np.full(n, ""), "inter2": np.full(n, 3), "interaction": np.full(n, 13),
        "civilian_targeting": np.full(n, ""), "iso": np.where(pk, 586, 4),
        "region": np.full(n, "Caucasus and Central Asia"),
        "country": np.where(pk, "Pakistan", "Afghanistan"),
        "admin1": np.where(pk, "Khyber Pakhtunkhwa", "Nangarhar"), "admin2": np.full(n, ""),
        "admin3": np.full(n, ""), "location": place, "latitude": lat, "longitude": lon,
        "geo_precision": rng.choice([1, 1, 2, 3], n),
        "source": np.full(n, "Synthetic Wire; Synthetic Daily"),
        "source_scale": np.full(n, "National"),
        "notes": np.char.add("Synthetic event, not a real report, number ",
                             np.arange(n).astype(str)),
        "fatalities": fatalities, "tags": np.full(n, ""),
        "timestamp": np.full(n, 1_700_000_000),
    }
    return pa.table({k: pa.array(cols[k]) for k in ACLED_COLUMNS})


def write_acled(path: str | Path, n: int, seed: int = 0, *, chunk_rows: int = 500_000) -> Path:
    """Write ``n`` synthetic ACLED rows to ``path`` (CSV with a header), a chunk at a time."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = None
    try:
        done = part = 0
        while done < n:
            m = min(chunk_rows, n - done)
            table = acled_table(m, seed * 100_003 + part, first_id=1 + done)
            if writer is None:
                writer = pacsv.CSVWriter(str(path), table.schema,
                                         write_options=pacsv.WriteOptions(quoting_style="needed"))
            writer.write_table(table)
            done += m
            part += 1
    finally:
        if writer is not None:
            writer.close()
    return path
