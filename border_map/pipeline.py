"""places -> incidents -> border analysis -> outputs, as library calls.

:func:`locate` places each incident (explicit coordinates, or the gazetteer);
:func:`incidents_frame` turns incidents into a GeoDataFrame ready for
:func:`border_map.analysis.analyse`; :func:`build` runs the whole path and writes
the outputs atomically. The CLI only wires options to these.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
from shapely.geometry import Point

from . import data
from .analysis import analyse
from .border import DEFAULT_BANDS_KM, DurandLine
from .errors import BorderMapError, DataError, PlaceError
from .gazetteer import Gazetteer
from .incidents import EVENT_TYPES, Incident, claim_spread, load_incidents

log = logging.getLogger(__name__)

# Properties of every incident feature, in output order (documented in the README).
INCIDENT_PROPERTIES = (
    "id", "date", "date_start", "date_end", "date_precision", "date_text", "event_type",
    "event_label", "acled_event_type", "acled_sub_event_type", "actors", "place", "place_id",
    "place_name", "place_kind", "place_admin1", "match", "match_score", "country",
    "location_source", "location_error", "precision_km", "distance_to_border_km", "side",
    "side_conflict", "band_km", "band_certainty", "sector", "nearest_lon", "nearest_lat", "chainage_km",
    "description", "claim_count", "conflicting_claims", "claims", "claim_spread",
)


@dataclass
class Problem:
    """A record that could not be used, with where and why (one line when printed)."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass
class BuildResult:
    incidents: gpd.GeoDataFrame
    outputs: dict[str, Path] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _where(inc: Incident) -> str:
    if inc.source_file:
        return f"{inc.source_file}:{inc.source_line}" if inc.source_line else inc.source_file
    return f"incident {inc.id}"


def locate(inc: Incident, gazetteer: Gazetteer):
    """(lon, lat, precision_km, match, location_source) for one incident.

    Explicit coordinates win; the place, when given, is still resolved so the
    output shows both. Raises PlaceError when the place cannot be resolved and
    no coordinates are given.
    """
    match = None
    if inc.place is not None and inc.place.name:
        try:
            if inc.place.id:
                place = gazetteer.get(inc.place.id)
                from .gazetteer import Match
                match = Match(inc.place.name, place, "exact", 100.0)
            else:
                match = gazetteer.resolve(inc.place.name, country=inc.place.country,
                                          kind=inc.place.kind, admin=inc.place.admin)
        except PlaceError:
            if inc.location is None:
                raise
    if inc.location is not None:
        loc = inc.location
        return loc.lon, loc.lat, loc.precision_km, match, "explicit"
    p = match.place
    return p.lon, p.lat, p.precision_km, match, "gazetteer"


def incidents_frame(incidents: Sequence[Incident], gazetteer: Gazetteer | None = None,
                    *, strict: bool = False) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """A GeoDataFrame (EPSG:4326) of incidents; unlocatable ones keep a null geometry."""
    gazetteer = gazetteer or Gazetteer.default()
    rows, geoms, problems = [], [], []
    for inc in incidents:
        et = EVENT_TYPES.get(inc.event_type)
        try:
            if inc.place is None and inc.location is None:
                # said so in the data: kept, drawn nowhere, not a problem
                lon = lat = precision = None
                match, how, error = None, None, f"unlocated: {inc.unlocated}"
            else:
                lon, lat, precision, match, how = locate(inc, gazetteer)
                error = None
        except PlaceError as err:
            if strict:
                raise DataError(str(err), location=_where(inc), field="place") from err
            problems.append(Problem(_where(inc), f"field 'place': {err}"))
            lon = lat = precision = None
            match, how, error = None, None, str(err)
        place = match.place if match else None
        d = inc.to_dict()
        spread = claim_spread(inc)
        rows.append({
            "id": inc.id,
            "date": inc.date.iso(),
            "date_start": inc.date.start.isoformat(),
            "date_end": inc.date.end.isoformat(),
            "date_precision": inc.date.precision,
            "date_text": inc.date.text,
            "event_type": inc.event_type,
            "event_label": et.label if et else inc.event_type,
            "acled_event_type": et.acled_event_type if et else None,
            "acled_sub_event_type": et.acled_sub_event_type if et else None,
            "actors": list(inc.actors),
            "place": inc.place.name if inc.place else None,
            "place_id": place.id if place else None,
            "place_name": place.name if place else None,
            "place_kind": place.kind if place else None,
            "place_admin1": place.admin1 if place else None,
            "match": match.match if match else None,
            "match_score": float(match.score) if match else None,
            "country": place.country if place else (inc.place.country if inc.place else None),
            "location_source": how,
            "location_error": error,
            "precision_km": float(precision) if precision is not None else np.nan,
            "description": inc.description,
            "claim_count": len(inc.claims),
            "conflicting_claims": bool(spread.get("conflicting")),
            "claims": d.get("claims", []),
            "claim_spread": spread,
        })
        # Point takes (x, y) = (lon, lat): longitude first.
        geoms.append(Point(lon, lat) if lon is not None else None)
    gdf = gpd.GeoDataFrame(rows, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"), crs="EPSG:4326")
    return gdf, problems


def analyse_incidents(incidents: Sequence[Incident], *, gazetteer: Gazetteer | None = None,
                      border: DurandLine | None = None, bands_km=DEFAULT_BANDS_KM,
                      strict: bool = False) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    gdf, problems = incidents_frame(incidents, gazetteer, strict=strict)
    out = analyse(gdf, border, bands_km)
    cols = [c for c in INCIDENT_PROPERTIES if c in out.columns]
    return out[cols + [out.geometry.name]], problems


def load_all(paths: Iterable[str | Path]) -> list[Incident]:
    """Incidents from several files; ids must be unique across them."""
    incidents: list[Incident] = []
    seen: dict[str, str] = {}
    for path in paths:
        for inc in load_incidents(path):
            if inc.id in seen:
                raise DataError(f"duplicate incident id '{inc.id}' (also in {seen[inc.id]})",
                                location=_where(inc), field="id")
            seen[inc.id] = _where(inc)
            incidents.append(inc)
    return incidents


def build(inputs: Sequence[str | Path] | None = None, out_dir: str | Path = "outputs", *,
          bands_km: Sequence[float] = DEFAULT_BANDS_KM, strict: bool = False, cdn: bool = False,
          title: str | None = None, gazetteer: Gazetteer | None = None,
          border: DurandLine | None = None) -> BuildResult:
    """Read incidents, analyse them against the line, write map.html and incidents.geojson.

    With no ``inputs``, the bundled seed example is used. Outputs are written to
    temporary files and renamed, so a failure never leaves a half-written file.
    """
    from ._atomic import write_text
    from .render.geojson import dumps, feature_collection
    from .render.html import build_map, render_html

    paths = [Path(p) for p in inputs] if inputs else [data.example_path()]
    incidents = load_all(paths)
    if not incidents:
        raise DataError("no incidents to map", location=", ".join(map(str, paths)))
    border = border or DurandLine.default()
    gdf, problems = analyse_incidents(incidents, gazetteer=gazetteer, border=border,
                                      bands_km=bands_km, strict=strict)
    out_dir = Path(out_dir)
    result = BuildResult(gdf, problems=problems)
    # Render everything in memory first, then write each file atomically: a failure
    # while rendering leaves every existing output untouched.
    geojson_text = dumps(feature_collection(gdf)) + "\n"
    html_text = render_html(build_map(gdf, border, bands_km=bands_km, cdn=cdn,
                                      title=title or "border-map: incidents along the Durand Line"))
    result.outputs = {
        "geojson": write_text(out_dir / "incidents.geojson", geojson_text),
        "map": write_text(out_dir / "map.html", html_text),
    }
    return result
