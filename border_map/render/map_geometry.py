"""Geometry for display on the map: the line, its distance bands, the countries and the
provinces, simplified in the line's metric CRS and cached per line."""

from __future__ import annotations

import functools
import json
import weakref
from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry import mapping, shape

from ..border import DurandLine
from .symbols import COUNTRY_NAMES


def display_line(border: DurandLine, tolerance_m: float = 60.0):
    """The line simplified for display only (analysis always uses the full line)."""
    return _to_lonlat(border, shapely.simplify(border.line_m, tolerance_m))


def _to_lonlat(border: DurandLine, geom_m):
    return shapely.transform(
        geom_m, lambda xy: np.column_stack(border._to_ll.transform(xy[:, 0], xy[:, 1]))
    )


def _to_metric(border: DurandLine, geom):
    return shapely.transform(
        geom, lambda xy: np.column_stack(border._to_m.transform(xy[:, 0], xy[:, 1]))
    )


def _simplified(border: DurandLine, geom, tolerance_m: float, grid: float = 1e-4):
    g_m = shapely.simplify(_to_metric(border, geom), tolerance_m)
    return shapely.set_precision(_to_lonlat(border, g_m), grid)


# Display geometry derived from a border, computed once per DurandLine object.
_DISPLAY_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _cached(border: DurandLine, key, compute):
    per_border = _DISPLAY_CACHE.setdefault(border, {})
    if key not in per_border:
        per_border[key] = compute()
    return per_border[key]


def band_polygons(border: DurandLine, bands_km: Sequence[float]) -> list[tuple[float, object]]:
    """Buffer corridors around the line, widest first, in lon/lat (for display only: the
    line is simplified by 400 m first; band membership always comes from true distances)."""

    def compute():
        base = shapely.simplify(border.line_m, 400.0)
        out = []
        for b in sorted(bands_km, reverse=True):
            poly_m = shapely.simplify(base.buffer(b * 1000.0, quad_segs=8), 150.0)
            out.append((b, shapely.set_precision(_to_lonlat(border, poly_m), 1e-5)))
        return out

    return _cached(border, ("bands", tuple(sorted(bands_km))), compute)


def countries_display(border: DurandLine, tolerance_m: float = 400.0) -> dict:
    return _cached(
        border, ("countries", tolerance_m), lambda: _countries_geojson(border, tolerance_m)
    )


def _without_holes(geom):
    parts = getattr(geom, "geoms", [geom])
    return shapely.MultiPolygon([shapely.Polygon(p.exterior) for p in parts])


def _countries_geojson(border: DurandLine, tolerance_m: float) -> dict:
    feats = []
    for iso, geom in sorted(border.countries.items()):
        # drawn without interior rings: the shipped land polygons have hundreds of holes
        # (lakes, slivers) that showed as grey triangles from zoom 9
        g = _simplified(border, _without_holes(geom), tolerance_m)
        feats.append(
            {
                "type": "Feature",
                "properties": {"iso_a2": iso, "name": COUNTRY_NAMES.get(iso, iso)},
                "geometry": mapping(g),
            }
        )
    return {"type": "FeatureCollection", "features": feats}


@functools.cache
def basemap_layers() -> tuple[dict, dict, dict, dict]:
    """(admin-1 boundaries, place labels, Pakistani district lines, rivers) of the context
    basemap (geodata/basemap_*.geojson)."""
    from ..data import geodata_path

    return tuple(
        json.loads(geodata_path(name).read_text(encoding="utf-8"))
        for name in ("basemap_admin1.geojson", "basemap_places.geojson",
                     "basemap_admin2.geojson", "basemap_rivers.geojson")
    )


@functools.cache
def admin_polygons() -> dict[str, tuple[str, object]]:
    """Unit polygons by gazetteer id: Afghan provinces (``af.province.*``), Pakistani districts
    and tehsils (``pk.district.*``, ``pk.tehsil.*``): id -> (name, geometry)."""
    from ..data import AF_PROVINCES, PK_DISTRICTS, PK_TEHSILS, geodata_path
    from ..errors import GeodataError

    out = {}
    for name in (AF_PROVINCES, PK_DISTRICTS, PK_TEHSILS):
        try:
            doc = json.loads(geodata_path(name).read_text(encoding="utf-8"))
        except GeodataError:
            if name == AF_PROVINCES:
                raise
            continue
        for f in doc["features"]:
            pid = f["properties"].get("id")
            if pid:
                out[pid] = (f["properties"]["name"], shape(f["geometry"]))
    return out


def province_polygon(border: DurandLine, place_id: str, tolerance_m: float = 700.0):
    """(name, simplified lon/lat polygon) of an Afghan province or a Pakistani district or
    tehsil, or None."""
    found = admin_polygons().get(place_id)
    if found is None:
        return None
    name, geom = found
    return _cached(
        border,
        ("province", place_id, tolerance_m),
        lambda: (name, _simplified(border, geom, tolerance_m)),
    )
