"""Accuracy of distance_to_border_km against a brute-force geodesic reference.

    python benchmarks/bench_accuracy.py [--n 300]

Random points within 100 km of the shipped line (random vertex, random azimuth,
random geodesic distance). Reference: the line's nearby segments densified to
~10 m along the geodesic, minimum of pyproj Geod.inv over every sample. Also
reports what a plain projected distance would give (the metric CRS alone, UTM 42N,
Web Mercator) to show why the distance is refined geodesically.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import shapely
from pyproj import Geod, Transformer

from border_map.border import BORDER_CRS, DurandLine, reference_distance_km

GEOD = Geod(ellps="WGS84")
ROOT = Path(__file__).resolve().parents[1]


def projected_km(line, crs: str, lon, lat) -> np.ndarray:
    tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    line_p = shapely.transform(line, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
    x, y = tr.transform(lon, lat)
    return shapely.distance(line_p, shapely.points(x, y)) / 1000


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300)
    args = ap.parse_args(argv)
    border = DurandLine.default()
    rng = np.random.default_rng(11)
    ll = np.asarray(border.line.coords)
    idx = rng.integers(0, len(ll) - 1, args.n)
    lon, lat, _ = GEOD.fwd(ll[idx, 0], ll[idx, 1], rng.uniform(0, 360, args.n),
                           rng.uniform(0, 100_000, args.n))
    ref = np.array([reference_distance_km(border, a, b) for a, b in zip(lon, lat, strict=True)])
    rows = {"border-map (LAEA nearest point + geodesic distance)": border.distance_km(lon, lat),
            "LAEA distance alone": projected_km(border.line, BORDER_CRS, lon, lat),
            "UTM 42N (EPSG:32642)": projected_km(border.line, "EPSG:32642", lon, lat),
            "Web Mercator (EPSG:3857)": projected_km(border.line, "EPSG:3857", lon, lat)}
    print(f"{args.n} points within 100 km of the line; error against the geodesic reference")
    out = {}
    for name, d in rows.items():
        err = np.abs(d - ref) * 1000
        out[name] = {"median_m": float(np.median(err)), "p99_m": float(np.percentile(err, 99)),
                     "max_m": float(err.max())}
        print(f"  {name:52s} median {out[name]['median_m']:9.2f} m   "
              f"p99 {out[name]['p99_m']:9.2f} m   max {out[name]['max_m']:9.2f} m")
    (ROOT / "outputs").mkdir(exist_ok=True)
    (ROOT / "outputs" / "bench_accuracy.json").write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
