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
from .errors import DataError, PlaceError
from .gazetteer import Gazetteer
from .incidents import EVENT_TYPES, Incident, claim_spread
from .properties import INCIDENT_PROPERTIES  # declared in properties.py, docs/properties.md

log = logging.getLogger(__name__)

#: What ``build`` can write (``--format``); "html" is map.html.
FORMATS = ("geojson", "geojsonl", "gpkg", "csv", "html", "fgb", "shp", "kml", "kmz", "csv-wkt")
#: What ``build`` writes when no format is named (the conversions are asked for).
DEFAULT_FORMATS = FORMATS[:5]


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
    #: bad records left out while reading (not in any output); empty with ``strict``
    rejected: list[Problem] = field(default_factory=list)
    #: incidents from different sources that may be one event (readers.dedupe.DuplicateLink)
    duplicates: list = field(default_factory=list)


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
        except (PlaceError, ValueError):  # ValueError: a bad hint, e.g. country 'NO'
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
        except (PlaceError, ValueError) as err:
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


def load_all(paths: Iterable[str | Path], *, input_format: str | None = None,
             problems: list[Problem] | None = None, **read_options) -> list[Incident]:
    """Incidents from several files of any readable format; ids must be unique across them.

    With a ``problems`` list, bad records and unreadable files are appended to it and left
    out; without one, the first raises :class:`DataError`. ``input_format`` and
    ``read_options`` go to :func:`border_map.readers.read_source`.
    """
    from .readers import read_source

    incidents: list[Incident] = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            read = read_source(path, input_format, strict=problems is None, **read_options)
        except DataError as err:
            if problems is None:
                raise
            problems.append(Problem(err.location or str(path), _message(err)))
            continue
        for warning in read.warnings:
            log.warning(warning)
        if problems is not None:
            problems.extend(Problem(err.location or str(path), _message(err))
                            for err in read.problems)
        for inc in read.incidents:
            if inc.id in seen:
                err = DataError(f"duplicate incident id '{inc.id}' (also in {seen[inc.id]})",
                                location=_where(inc), field="id")
                if problems is None:
                    raise err
                problems.append(Problem(_where(inc), _message(err)))
                continue
            seen[inc.id] = _where(inc)
            incidents.append(inc)
    return incidents


def _message(err: DataError) -> str:
    return f"field '{err.field}': {err.message}" if err.field else err.message


def _duplicates(incidents: Sequence[Incident], gdf: gpd.GeoDataFrame, km: float, days: int):
    """Possible duplicates across input files (readers.dedupe), at the located points."""
    from .readers.dedupe import find_duplicates

    points = [g if g is not None and not g.is_empty else None for g in gdf.geometry]
    lon = [p.x if p is not None else np.nan for p in points]
    lat = [p.y if p is not None else np.nan for p in points]
    return find_duplicates(
        [inc.id for inc in incidents], [inc.source_file or "" for inc in incidents], lon, lat,
        [inc.date.start.toordinal() for inc in incidents],
        [inc.date.end.toordinal() for inc in incidents], km=km, days=days)


def build(inputs: Sequence[str | Path] | None = None, out_dir: str | Path = "outputs", *,
          bands_km: Sequence[float] = DEFAULT_BANDS_KM, strict: bool = False, cdn: bool = False,
          title: str | None = None, gazetteer: Gazetteer | None = None,
          border: DurandLine | None = None, formats: Iterable[str] = DEFAULT_FORMATS,
          input_format: str | None = None, read_options: dict | None = None,
          duplicate_km: float = 5.0, duplicate_days: int = 1,
          cluster_threshold: int | None = None) -> BuildResult:
    """Read incidents, analyse them against the line, write the outputs named by ``formats``.

    ``geojson``: incidents.geojson (and incidents.qml, its QGIS style); ``geojsonl``:
    incidents.geojsonl (RFC 8142); ``gpkg``: border_map.gpkg; ``csv``: summary.csv (and
    summary.csvt, its column types); ``html``: map.html. With no ``inputs``, the bundled seed
    example is used. ``cluster_threshold``: the map clusters its markers from this many located
    incidents on (None: :data:`border_map.render.html.DEFAULT_CLUSTER_THRESHOLD`; 0: always).
    Every output is written to a temporary file first and all are renamed only
    once all are complete, so a failure never leaves a half-written file nor replaces a good one.
    """
    import contextlib

    from ._atomic import atomic_path
    from .render import gis
    from .render.geojson import dumps, feature_collection
    from .render.html import build_map, render_html

    formats = set(formats)
    unknown = formats - set(FORMATS)
    if unknown or not formats:
        raise ValueError(f"unknown output format(s) {sorted(unknown)}; choose from {FORMATS}")
    paths = [Path(p) for p in inputs] if inputs else [data.example_path()]
    rejected: list[Problem] | None = None if strict else []
    incidents = load_all(paths, input_format=input_format, problems=rejected,
                         **(read_options or {}))
    if not incidents:
        if rejected:
            more = f" (and {len(rejected) - 1} more bad record(s))" if len(rejected) > 1 else ""
            raise DataError(f"nothing to map: {rejected[0]}{more}")
        raise DataError("no incidents to map", location=", ".join(map(str, paths)))
    border = border or DurandLine.default()
    gdf, problems = analyse_incidents(incidents, gazetteer=gazetteer, border=border,
                                      bands_km=bands_km, strict=strict)
    out_dir = Path(out_dir)
    result = BuildResult(gdf, problems=problems, rejected=rejected or [],
                         duplicates=_duplicates(incidents, gdf, duplicate_km, duplicate_days))
    outputs: dict[str, Path] = {}
    with contextlib.ExitStack() as stack:
        def staged(key: str, name: str) -> Path:
            """A temporary path, renamed to out_dir/name when every output is written."""
            outputs[key] = out_dir / name
            return stack.enter_context(atomic_path(out_dir / name))

        doc = feature_collection(gdf) if formats & {"geojson", "geojsonl"} else None
        if "geojson" in formats:
            staged("geojson", "incidents.geojson").write_text(dumps(doc) + "\n", encoding="utf-8")
        if "geojsonl" in formats:
            staged("geojsonl", "incidents.geojsonl").write_text(gis.geojson_seq(doc),
                                                                encoding="utf-8")
        if doc is not None:  # QGIS applies incidents.qml to incidents.geojson(l) on opening
            staged("qml", "incidents.qml").write_text(
                gis.qml("incidents", border, bands_km, feature_count=len(gdf)), encoding="utf-8")
        if "gpkg" in formats:
            gis.write_geopackage(gdf, staged("gpkg", "border_map.gpkg"), border=border,
                                 bands_km=bands_km, gazetteer=gazetteer,
                                 sources=[p.name for p in paths])
            from .render.qgis_project import write_project  # the project beside the GeoPackage
            write_project(outputs["gpkg"], staged("qgz", "border_map.qgz"), gdf, border=border,
                          bands_km=bands_km, title=title, sources=[p.name for p in paths])
        if "csv" in formats:
            staged("csv", "summary.csv").write_text(gis.summary_csv(gdf), encoding="utf-8")
            staged("csvt", "summary.csvt").write_text(gis.summary_csvt(), encoding="utf-8")
        from .render import formats as conversions  # --format fgb, shp, kml, kmz, csv-wkt
        for key, files in conversions.WRITERS.items():
            for out_key, name, writer in files if key in formats else ():
                writer(gdf, staged(out_key, name))
        if "html" in formats:
            html_text = render_html(build_map(
                gdf, border, bands_km=bands_km, cdn=cdn, cluster_threshold=cluster_threshold,
                title=title or "border-map: incidents along the Durand Line"))
            staged("map", "map.html").write_text(html_text, encoding="utf-8")
    result.outputs = outputs
    return result
