"""Derive geodata/sectors.geojson: named sections of the Durand Line.

A sector is a stretch of the line facing the same pair of adjoining units: a
Pakistani district (GeoNames admin2) and an Afghan province (GeoNames admin1),
e.g. "Kurram – Paktia". It is derived from the shipped data, not drawn by hand:

1. sample the shipped line every ``STEP_KM`` km of chainage;
2. at each sample, step ``PROBE_KM`` km to either side along the normal; on the
   Afghan side take the Natural Earth province polygon containing the probe
   (geodata/af_provinces.geojson, or the nearest one within about 20 km where
   Natural Earth and OpenStreetMap disagree); on the Pakistani side take the
   nearest district representative point on that side (a Voronoi approximation:
   Pakistani district polygons are not available offline), within ``MAX_TOWN_KM``;
   districts split since (Chitral -> Upper/Lower Chitral) give way to their parts;
3. run-length encode the (PK unit, AF unit) pairs and merge runs shorter than
   ``MIN_SECTOR_KM`` into their longer neighbour until none is left;
4. write one LineString per sector with its chainage range.

Run by ``make geodata`` after build_border.py and build_gazetteer.py.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np
import shapely
import shapely.geometry
from shapely.geometry import LineString, mapping

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from border_map.border import DurandLine  # noqa: E402

STEP_KM = 1.0
PROBE_KM = 3.0
MAX_TOWN_KM = 250.0
MIN_SECTOR_KM = 25.0
PK_KINDS = ("district",)


def load_towns(border: DurandLine, path: Path):
    towns = {"AF": [], "PK": []}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["kind"] not in PK_KINDS or row["country"] not in towns:
                continue
            if row["kind"] == "district":
                unit = row["name"] if row["country"] == "PK" else None
            else:
                unit = row["admin1"] if row["country"] == "AF" else (row["admin2"] or None)
            if unit:
                towns[row["country"]].append((float(row["lon"]), float(row["lat"]), unit))
    # a district split in two (Chitral -> Upper and Lower Chitral, 2018) is superseded
    names = {r[2] for r in towns["PK"]}
    towns["PK"] = [
        r for r in towns["PK"] if f"Upper {r[2]}" not in names and f"Lower {r[2]}" not in names
    ]
    out = {}
    for iso, rows in towns.items():
        lon = np.array([r[0] for r in rows])
        lat = np.array([r[1] for r in rows])
        # only towns on their own side of the line count
        keep = border.side(lon, lat) == iso
        x, y = border.project(lon[keep], lat[keep])
        units = np.array([r[2] for r in rows], dtype=object)[keep]
        out[iso] = (shapely.STRtree(shapely.points(x, y)), units)
    return out


def sample_units(border: DurandLine, towns):
    line = border.line_m
    total_m = line.length
    dist = np.arange(0, total_m, STEP_KM * 1000.0)
    pts = shapely.line_interpolate_point(line, dist)
    ahead = shapely.line_interpolate_point(line, np.minimum(dist + 50, total_m))
    behind = shapely.line_interpolate_point(line, np.maximum(dist - 50, 0))
    a, b = shapely.get_coordinates(behind), shapely.get_coordinates(ahead)
    v = (b - a) / np.linalg.norm(b - a, axis=1)[:, None]
    left = np.column_stack([-v[:, 1], v[:, 0]])  # Afghanistan is left of SW->NE
    base = shapely.get_coordinates(pts)
    units = {}
    provinces = json.loads((ROOT / "geodata" / "af_provinces.geojson").read_text(encoding="utf-8"))
    probe = base + left * PROBE_KM * 1000.0
    plon, plat = border._to_ll.transform(probe[:, 0], probe[:, 1])
    af = np.full(len(base), "", dtype=object)
    for feat in provinces["features"]:
        geom = shapely.geometry.shape(feat["geometry"])
        af[shapely.contains_xy(geom, plon, plat) & (af == "")] = feat["properties"]["name"]
    missing = np.flatnonzero(af == "")
    if len(missing):  # Natural Earth and OSM disagree near the line: nearest province within 20 km
        geoms = [shapely.geometry.shape(f["geometry"]) for f in provinces["features"]]
        names = [f["properties"]["name"] for f in provinces["features"]]
        pts = shapely.points(plon[missing], plat[missing])
        d = np.stack([shapely.distance(g, pts) for g in geoms])  # degrees: only for ranking
        best = d.argmin(axis=0)
        near = d.min(axis=0) < 0.2
        af[missing[near]] = np.array(names, dtype=object)[best[near]]
    units["AF"] = af
    for iso, sign in (("PK", -1.0),):
        probe = base + sign * left * PROBE_KM * 1000.0
        tree, names = towns[iso]
        idx, d = tree.query_nearest(shapely.points(probe), return_distance=True, all_matches=False)
        u = np.full(len(base), "", dtype=object)
        ok = d <= MAX_TOWN_KM * 1000
        u[idx[0][ok]] = names[idx[1][ok]]
        units[iso] = u
    return dist, units


def runs(pairs):
    out = []
    for i, p in enumerate(pairs):
        if out and out[-1][0] == p:
            out[-1][2] = i + 1
        else:
            out.append([p, i, i + 1])
    return out


def merge_short(rs, min_len):
    rs = [list(r) for r in rs]
    while True:
        lengths = [r[2] - r[1] for r in rs]
        short = [i for i, n in enumerate(lengths) if n < min_len]
        if not short or len(rs) == 1:
            return rs
        i = min(short, key=lambda k: lengths[k])
        left = rs[i - 1] if i > 0 else None
        right = rs[i + 1] if i + 1 < len(rs) else None
        target = (
            left
            if right is None or (left is not None and left[2] - left[1] >= right[2] - right[1])
            else right
        )
        if target is left:
            left[2] = rs[i][2]
        else:
            right[1] = rs[i][1]
        del rs[i]
        # neighbours that now carry the same pair become one run
        merged = []
        for r in rs:
            if merged and merged[-1][0] == r[0]:
                merged[-1][2] = r[2]
            else:
                merged.append(r)
        rs = merged


def main() -> int:
    border = DurandLine.from_files(
        ROOT / "geodata" / "durand_line.geojson", ROOT / "geodata" / "countries.geojson"
    )
    towns = load_towns(border, ROOT / "geodata" / "gazetteer.csv")
    dist, units = sample_units(border, towns)
    pairs = [(p or "?", a or "?") for p, a in zip(units["PK"], units["AF"], strict=True)]
    rs = merge_short(runs(pairs), int(MIN_SECTOR_KM / STEP_KM))
    feats = []
    chain = border._chain_km
    for n, ((pk, af), i0, i1) in enumerate(rs, start=1):
        d0 = dist[i0]
        d1 = dist[i1] if i1 < len(dist) else border.line_m.length
        piece_m = shapely.ops.substring(border.line_m, d0, d1) if hasattr(shapely, "ops") else None
        if piece_m is None:
            from shapely.ops import substring

            piece_m = substring(border.line_m, d0, d1)
        lon, lat = border._to_ll.transform(*np.asarray(piece_m.coords).T)
        piece = LineString(np.round(np.column_stack([lon, lat]), 6))
        # chainage (geodesic km) of both ends, from the line's own chainage table
        c0, c1 = (
            float(border.nearest([x], [y]).chainage_km[0])
            for x, y in (piece.coords[0], piece.coords[-1])
        )
        name = f"{pk} – {af}"
        feats.append(
            {
                "type": "Feature",
                "id": f"sector-{n:02d}",
                "properties": {
                    "id": f"sector-{n:02d}",
                    "name": name,
                    "pk_unit": pk,
                    "af_unit": af,
                    "chainage_start_km": round(c0, 2),
                    "chainage_end_km": round(c1, 2),
                    "length_km": round(c1 - c0, 2),
                },
                "geometry": mapping(piece),
            }
        )
        print(f"{n:2d} {c0:8.1f}-{c1:8.1f} km  {name}")
    del chain
    doc = {
        "type": "FeatureCollection",
        "derivation": __doc__.split("\n\n")[1].replace("\n", " "),
        "features": feats,
    }
    (ROOT / "geodata" / "sectors.geojson").write_text(
        json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
