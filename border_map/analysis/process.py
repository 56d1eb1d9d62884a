"""One chunk of the normalised table to the analysed table: screen, locate, analyse.

:func:`process_table` is the one processing step of every engine: the in-process engine
calls it on each chunk as it is read, the dask engine on its workers. It is a pure function
of the chunk and the :class:`Context` (the line, the bands, the gazetteer), so the same
chunk gives the same rows anywhere.

1. **screen**: a row's point must be finite and inside the region
   (:data:`~border_map.model.region.REGION_BOUNDS`): otherwise the row is rejected with
   the reason, named by file and line (the one region check of every input);
2. **locate**: a row that names a place is looked up in the gazetteer once per distinct
   (name, country, kind, admin, id) -- a :class:`Locator` remembers every answer, so a
   million rows naming a thousand places cost a thousand look-ups. Rows with their own point
   keep it (the place is resolved only to show it); rows without take the place's point, or
   stay unlocated with the reason (``location_error``);
3. **analyse**: :func:`~border_map.analysis.analyse.analyse` against the line, then the
   derived columns (labels, claims as JSON-ready dicts, the claim spread).

The result has the columns of :data:`border_map.properties.INCIDENT_PROPERTIES` and a point
geometry (None when unlocated), in EPSG:4326.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..border import DEFAULT_BANDS_KM
from ..errors import DataError, PlaceError
from ..model.incident import claim_spread_of
from ..model.region import outside, region_message
from ..model.table import where as row_where
from ..model.vocabulary import EVENT_TYPES
from .analyse import analyse


@dataclass
class Context:
    """What every chunk is processed with (cheap to pickle: the heavy parts load lazily)."""

    bands_km: tuple[float, ...] = tuple(DEFAULT_BANDS_KM)
    strict: bool = False
    gazetteer: object | None = None
    border: object | None = None

    def line(self):
        if self.border is None:
            from ..border import DurandLine

            self.border = DurandLine.default()
        return self.border

    def places(self):
        if self.gazetteer is None:
            from ..gazetteer import Gazetteer

            self.gazetteer = Gazetteer.default()
        return self.gazetteer

    def __getstate__(self):  # workers load their own copies of the line and the gazetteer
        return {"bands_km": self.bands_km, "strict": self.strict, "gazetteer": None,
                "border": None}


@dataclass
class Problem:
    """A record that could not be used, with where and why (one line when printed)."""

    location: str
    message: str
    reason: str = "bad_record"

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass
class Processed:
    """One analysed chunk and what processing found."""

    incidents: object  # GeoDataFrame, INCIDENT_PROPERTIES + geometry
    #: rows kept but not placed (an unknown place): listed, kept with a null geometry
    unplaced: list[Problem] = field(default_factory=list)
    #: rows left out (a point outside the region, ...), by reason
    rejected: list[Problem] = field(default_factory=list)
    resolved: int = 0
    #: where each row was read (file, line): for messages about a row
    source_file: object = None
    source_line: object = None

    def where(self, i: int) -> str:
        f, line = self.source_file[i], int(self.source_line[i])
        if f:
            return f"{f}:{line}" if line else str(f)
        return f"incident {self.incidents['id'].iat[i]}"


class Locator:
    """Gazetteer answers, one per distinct (name, country, kind, admin, id)."""

    def __init__(self, gazetteer):
        self.gazetteer = gazetteer
        self.cache: dict[tuple, object] = {}

    def lookup(self, key: tuple, known_only: bool = False):
        """The Match (or the error) for a place key; ``known_only``: no fuzzy tier and no
        suggestions (None when the name is not known as written), for rows with a point."""
        memo = (known_only, key)
        hit = self.cache.get(memo)
        if hit is None:
            hit = self.cache[memo] = self._resolve(*key, known_only=known_only)
        return hit

    def _resolve(self, name, country, kind, admin, ref, *, known_only: bool = False):
        from ..gazetteer import Match

        try:
            if ref:
                return Match(name, self.gazetteer.get(ref), "exact", 100.0)
            if known_only:
                return self.gazetteer.resolve_known(name, country=country, kind=kind,
                                                    admin=admin) or _UNKNOWN
            return self.gazetteer.resolve(name, country=country, kind=kind, admin=admin)
        except (PlaceError, ValueError, KeyError) as err:  # ValueError: a bad hint ('NO')
            return err


_UNKNOWN = PlaceError("not known as written")


_LOCATORS: dict[int, Locator] = {}


def locator_for(gazetteer) -> Locator:
    """One :class:`Locator` per gazetteer object for the whole run (answers shared)."""
    loc = _LOCATORS.get(id(gazetteer))
    if loc is None or loc.gazetteer is not gazetteer:
        loc = _LOCATORS[id(gazetteer)] = Locator(gazetteer)
    return loc


def screen(table: pd.DataFrame) -> tuple[np.ndarray, list[Problem]]:
    """Which rows can be analysed, and a problem for each that cannot (see the module)."""
    lon = table["lon"].to_numpy(dtype=float)
    lat = table["lat"].to_numpy(dtype=float)
    bad = np.flatnonzero(outside(lon, lat))
    problems = []
    for i in bad:
        message = region_message(float(lon[i]), float(lat[i])) or "outside the region"
        reason = "out_of_region" if "outside" in message or "swapped" in message else (
            "bad_coordinates")
        problems.append(Problem(row_where(table, i), f"field 'location': {message}", reason))
    keep = np.ones(len(table), dtype=bool)
    keep[bad] = False
    return keep, problems


def process_table(table: pd.DataFrame, ctx: Context) -> Processed:
    """The analysed rows of one chunk of the normalised table (see the module docstring)."""
    import geopandas as gpd
    import shapely

    from ..properties import INCIDENT_PROPERTIES

    keep, rejected = screen(table)
    if ctx.strict and rejected:
        p = rejected[0]
        raise DataError(p.message.split(": ", 1)[1], location=p.location, field="location")
    if not keep.all():
        table = table.loc[keep].reset_index(drop=True)
    n = len(table)
    lon = table["lon"].to_numpy(dtype=float).copy()
    lat = table["lat"].to_numpy(dtype=float).copy()
    precision = table["precision_km"].to_numpy(dtype=float).copy()
    explicit = ~(np.isnan(lon) | np.isnan(lat))
    names = table["place"].to_numpy(dtype=object)
    keys = list(zip(names, table["place_country"], table["place_kind"], table["place_admin"],
                    table["place_ref"], strict=True))
    matches = np.full(n, None, dtype=object)
    errors = np.full(n, None, dtype=object)
    unplaced: list[Problem] = []
    locator = locator_for(ctx.places()) if any(v is not None for v in names) else None
    resolved = 0
    for i in np.flatnonzero(pd.notna(names)):
        hit = locator.lookup(keys[i], known_only=bool(explicit[i]))
        if isinstance(hit, Exception):
            if explicit[i]:
                continue  # the point stands; the name is only shown
            if ctx.strict:
                raise DataError(str(hit), location=row_where(table, i), field="place")
            errors[i] = str(hit)
            unplaced.append(Problem(row_where(table, i), f"field 'place': {hit}", "unplaced"))
            continue
        matches[i] = hit
        if not explicit[i]:
            place = hit.place
            lon[i], lat[i] = place.lon, place.lat
            precision[i] = place.precision_km
            resolved += 1
    unlocated_reason = table["unlocated"].to_numpy(dtype=object)
    for i in np.flatnonzero(pd.isna(names) & ~explicit):
        errors[i] = f"unlocated: {unlocated_reason[i]}" if unlocated_reason[i] else (
            "no place and no location")
    located = ~(np.isnan(lon) | np.isnan(lat))
    out = _columns(table, matches, errors, explicit, located, precision)
    geoms = np.full(n, None, dtype=object)
    geoms[located] = shapely.points(lon[located], lat[located])  # (x, y) = (lon, lat)
    gdf = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"), crs="EPSG:4326")
    gdf = analyse(gdf, ctx.line(), ctx.bands_km, shared=True)  # measures rounded there
    cols = [c for c in INCIDENT_PROPERTIES if c in gdf.columns]
    return Processed(gdf[cols + [gdf.geometry.name]], unplaced, rejected, resolved,
                     table["source_file"].to_numpy(dtype=object),
                     table["source_line"].to_numpy(dtype=np.int64))


def _columns(table, matches, errors, explicit, located, precision) -> dict:
    n = len(table)
    start = table["date_start"].to_numpy(dtype=object)
    end = table["date_end"].to_numpy(dtype=object)
    date = np.where(start == end, start, start + "/" + end) if n else start
    et = table["event_type"].to_numpy(dtype=object)
    labels, acled, acled_sub = {}, {}, {}
    for key in set(et.tolist()):
        t = EVENT_TYPES.get(key)
        labels[key] = t.label if t else key
        acled[key] = t.acled_event_type if t else None
        acled_sub[key] = t.acled_sub_event_type if t else None
    place_of = [m.place if m is not None else None for m in matches]
    claims = table["claims"].to_numpy(dtype=object)
    dicts, spreads = _claim_columns(claims)
    country = np.array([p.country if p is not None else c
                        for p, c in zip(place_of, table["place_country"], strict=True)],
                       dtype=object)
    source = np.where(explicit, "explicit", np.where(located, "gazetteer", None))
    return {
        "id": table["id"].to_numpy(dtype=object),
        "date": date,
        "date_start": start,
        "date_end": end,
        "date_precision": table["date_precision"].to_numpy(dtype=object),
        "date_text": table["date_text"].to_numpy(dtype=object),
        "event_type": et,
        "event_label": np.array([labels[k] for k in et], dtype=object),
        "acled_event_type": np.array([acled[k] for k in et], dtype=object),
        "acled_sub_event_type": np.array([acled_sub[k] for k in et], dtype=object),
        "actors": _shared_lists(table["actors"]),
        "place": table["place"].to_numpy(dtype=object),
        "place_id": np.array([p.id if p else None for p in place_of], dtype=object),
        "place_name": np.array([p.name if p else None for p in place_of], dtype=object),
        "place_kind": np.array([p.kind if p else None for p in place_of], dtype=object),
        "place_admin1": np.array([p.admin1 if p else None for p in place_of], dtype=object),
        "match": np.array([m.match if m is not None else None for m in matches], dtype=object),
        "match_score": np.array([float(m.score) if m is not None else np.nan for m in matches],
                                dtype=float),
        "country": country,
        "location_source": source.astype(object),
        "location_error": errors,
        "precision_km": np.where(located, precision, np.nan),
        "description": table["description"].to_numpy(dtype=object),
        "source_fields": _objects(table["source_fields"]),
        "source_warnings": np.array(["; ".join(w) if w else None
                                     for w in table["source_warnings"]], dtype=object),
        "claim_count": np.array([len(c) if c else 0 for c in claims], dtype=np.int64),
        "conflicting_claims": np.array([s["conflicting"] for s in spreads], dtype=bool),
        "claims": dicts,
        "claim_spread": spreads,
    }


def _objects(values) -> list:
    """Dicts as they are, None as one shared empty dict (always an object: GDAL types the
    field JSON only when every feature has one)."""
    empty: dict = {}
    return [v if v else empty for v in values]


def _shared_lists(values) -> list:
    """Each tuple as a list, equal tuples sharing one list (read-only use downstream)."""
    memo: dict = {}
    out = []
    for v in values:
        v = v or ()
        hit = memo.get(v)
        if hit is None:
            hit = memo[v] = list(v)
        out.append(hit)
    return out


def _claim_columns(claims) -> tuple[list, list]:
    """Claims as JSON-ready dicts and their spread, worked out once per distinct tuple."""
    dicts, spreads = [], []
    seen: dict[int, tuple] = {}
    for c in claims:
        c = c or ()
        hit = seen.get(id(c))
        if hit is None:
            hit = seen[id(c)] = ([x.to_dict() for x in c], claim_spread_of(c), c)
        dicts.append(hit[0])
        spreads.append(hit[1])
    return dicts, spreads


def count_reasons(problems: Sequence[Problem]) -> Counter:
    return Counter(p.reason for p in problems)
