"""border-map benchmarks: speed and memory, each against its baseline in the same run.

    make bench                     # or: python benchmarks/run.py [--max-n 1000000]

Border analysis: N synthetic incidents spread over the region (most within 100 km
of the line), on the full shipped line, against the baseline a user would write:
``gdf.to_crs(metric).distance(line)`` plus a ``within`` test per country. Prints a
table and writes outputs/bench.json. Timings are best of 3 (1 at the largest N).

Targets (issue 4), checked at every N >= 100,000 (below that, fixed per-call costs of
a few milliseconds dominate and are reported, not judged): side and band >= 1,000,000
incidents/s, the full analysis >= 200,000 incidents/s and >= 20x the naive baseline
(measured up to 100,000; the baseline is too slow beyond). Exit status 1 when one is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
from pyproj import Geod

from border_map.analysis import analyse
from border_map.border import BORDER_CRS, DurandLine, band_km

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"side_band_fast_per_s": 1_000_000, "full_analyse_per_s": 200_000,
           "speedup_vs_naive": 20.0}
TARGET_MIN_N = 100_000
GEOD = Geod(ellps="WGS84")


def synthetic(border: DurandLine, n: int, seed: int = 1):
    """Points within 0-150 km of random places on the line (lon, lat arrays)."""
    rng = np.random.default_rng(seed)
    ll = np.asarray(border.line.coords)
    i = rng.integers(0, len(ll), n)
    lon, lat, _ = GEOD.fwd(ll[i, 0], ll[i, 1], rng.uniform(0, 360, n), rng.uniform(0, 150_000, n))
    return np.asarray(lon), np.asarray(lat)


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_analysis(border: DurandLine, sizes):
    rows = []
    line_m = gpd.GeoSeries([border.line], crs=4326).to_crs(BORDER_CRS).iloc[0]
    countries = gpd.GeoSeries(list(border.countries.values()), crs=4326)
    for n in sizes:
        lon, lat = synthetic(border, n)
        gdf = gpd.GeoDataFrame(
            {"id": np.arange(n).astype(str)}, geometry=gpd.points_from_xy(lon, lat), crs=4326
        )
        repeat = 3 if n <= 100_000 else 1

        def side_band(lon=lon, lat=lat):
            d = border.nearest(lon, lat).distance_km
            band_km(d)
            border.side(lon, lat)

        def side_only(lon=lon, lat=lat):
            border.side(lon, lat)

        def side_band_fast(lon=lon, lat=lat):
            border.side_and_band(lon, lat)

        def full(gdf=gdf):
            analyse(gdf, border)

        def naive(gdf=gdf):
            d = gdf.to_crs(BORDER_CRS).distance(line_m) / 1000
            band_km(d.to_numpy())
            for geom in countries:
                gdf.within(geom)

        t_side = best_of(side_only, repeat)
        border.band_fast(lon[:10], lat[:10])  # build the band polygons once, outside the timing
        t_fast = best_of(side_band_fast, repeat)
        t_core = best_of(side_band, repeat)
        t_full = best_of(full, repeat)
        t_naive = best_of(naive, 1) if n <= 100_000 else None
        rows.append(
            {
                "n": n,
                "side_per_s": n / t_side,
                "side_band_fast_per_s": n / t_fast,
                "distance_side_band_per_s": n / t_core,
                "full_analyse_per_s": n / t_full,
                "naive_per_s": (n / t_naive) if t_naive else None,
                "speedup_vs_naive": (t_naive / t_full) if t_naive else None,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
        r = rows[-1]
        naive_rate = r["naive_per_s"] or float("nan")
        ratio = r["speedup_vs_naive"] or float("nan")
        print(
            f"{n:>9,} | side {r['side_per_s']:>10,.0f}/s | "
            f"side+band {r['side_band_fast_per_s']:>10,.0f}/s | dist+side+band "
            f"{r['distance_side_band_per_s']:>10,.0f}/s | "
            f"analyse() {r['full_analyse_per_s']:>10,.0f}/s | naive {naive_rate:>8,.0f}/s | "
            f"x{ratio:.1f} | peak RSS {r['peak_rss_mb']:,.0f} MB",
            flush=True,
        )
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-n", type=int, default=1_000_000)
    args = ap.parse_args(argv)
    border = DurandLine.default()
    sizes = [n for n in (1_000, 10_000, 100_000, 1_000_000) if n <= args.max_n]
    print(f"border analysis on the shipped line ({len(border.line.coords):,} vertices)")
    results = {"analysis": bench_analysis(border, sizes)}
    missed = missed_targets(results["analysis"])
    results["targets"] = {"targets": TARGETS, "min_n": TARGET_MIN_N, "missed": missed}
    out = ROOT / "outputs" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    if missed:
        print("targets: NOT met: " + "; ".join(missed))
        return 1
    print(f"targets met at every N >= {TARGET_MIN_N:,}: side+band >= 1 M/s, "
          "analyse() >= 200k/s and >= 20x the naive baseline")
    return 0


def missed_targets(rows) -> list[str]:
    missed = []
    for r in rows:
        if r["n"] < TARGET_MIN_N:
            continue
        for key, target in TARGETS.items():
            value = r.get(key)
            if value is not None and value < target:
                missed.append(f"{key} {value:,.1f} < {target:,} at n={r['n']:,}")
    return missed


if __name__ == "__main__":
    raise SystemExit(main())
