"""The default build against the plain geopandas script a user would write, on the same input.

For each input (synthetic, generated here: never real events) it runs, each in its own
process, timed from outside (wall clock, peak RSS of the largest process):

* ``script``: the baseline -- pandas reads the file, ``points_from_xy``, ``to_crs`` into the
  line's metric CRS, ``.distance(line)``, then ``to_file`` GeoJSON and GeoPackage;
* ``in-process``: ``border-map build`` with every output (GeoJSON, GeoJSON sequence,
  GeoPackage with every layer and style, summary CSV, GeoParquet, hexagons, the map);
* ``dask``: the same on a local cluster of 2 workers (the largest size only);
* ``GDAL alone``: a floor, not a run of border-map. The build's own incidents layer, read
  back from its GeoPackage into memory first (not timed), written by GDAL's C++ drivers
  (pyogrio's Arrow path) as GeoJSON, GeoJSONSeq and GeoPackage: the time of three of the
  build's outputs when nothing but the library's writers runs. The script's time over it is
  the highest ratio the build could reach writing those outputs as fast as GDAL does.

Targets (exit 1 when one is missed): the default build at least 20x the script's speed; peak
RSS at most 1.5 GB for every run of border-map; dask at least 1.6x the in-process engine at 1M
rows; a generated ~2 GB ACLED CSV (4.9M rows) builds every output within the same 1.5 GB
(``--no-big`` skips it: its outputs need about 45 GB of disk, checked before it starts).

    python benchmarks/bench_pipeline.py                 # 300k GDELT, 1M ACLED rows, 2 GB CSV
    python benchmarks/bench_pipeline.py --gdelt 0 --acled 0            # the 2 GB CSV only
    python benchmarks/bench_pipeline.py --gdelt 30000 --acled 100000 --no-dask --no-big  # quick
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

PY = sys.executable
SCRIPT = r'''
import sys, pandas as pd, geopandas as gpd
from border_map.border import BORDER_CRS, DurandLine
path, fmt, out = sys.argv[1], sys.argv[2], sys.argv[3]
if fmt == "gdelt":
    from border_map.readers.gdelt import GDELT_COLUMNS
    df = pd.read_csv(path, sep="\t", header=None, names=list(GDELT_COLUMNS), dtype=str,
                     quoting=3)
    df = df[df["ActionGeo_CountryCode"].isin(["AF", "PK"])]
    x, y = pd.to_numeric(df["ActionGeo_Long"]), pd.to_numeric(df["ActionGeo_Lat"])
else:
    df = pd.read_csv(path, dtype=str)
    x, y = pd.to_numeric(df["longitude"]), pd.to_numeric(df["latitude"])
ok = x.notna() & y.notna()
df = df[ok]
gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(x[ok], y[ok]), crs="EPSG:4326")
line = gpd.GeoSeries([DurandLine.default().line], crs="EPSG:4326").to_crs(BORDER_CRS).iloc[0]
gdf["distance_km"] = gdf.to_crs(BORDER_CRS).distance(line) / 1000
gdf.to_file(out + "/script.geojson", driver="GeoJSON")
gdf.to_file(out + "/script.gpkg", driver="GPKG")
print(len(gdf))
'''
FLOOR = r'''
import os, sys, time, pyogrio
gpkg, out = sys.argv[1], sys.argv[2]
meta, table = pyogrio.read_arrow(gpkg, layer="incidents")
t = time.perf_counter()
for driver, name in (("GeoJSON", "floor.geojson"), ("GeoJSONSeq", "floor.geojsonl"),
                     ("GPKG", "floor.gpkg")):
    pyogrio.write_arrow(table, os.path.join(out, name), layer="incidents", driver=driver,
                        geometry_name=meta["geometry_name"], geometry_type=meta["geometry_type"],
                        crs=meta["crs"])
print(time.perf_counter() - t)
'''


def run(cmd: list[str], env=None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) of the largest process of the tree, stdout."""
    wrapper = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "w = time.perf_counter() - t\n"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps({'wall': w, 'rss': r, 'rc': p.returncode, 'out': p.stdout[-2000:],"
        " 'err': p.stderr[-2000:]}))\n")
    res = subprocess.run([PY, "-c", wrapper, *cmd], capture_output=True, text=True, env=env,
                         check=True)
    info = json.loads(res.stdout)
    if info["rc"] != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{info['err']}")
    return info["wall"], info["rss"], info["out"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gdelt", type=int, default=300_000, help="GDELT rows (0: skip)")
    ap.add_argument("--acled", type=int, default=1_000_000, help="ACLED rows (0: skip)")
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--no-big", dest="big", action="store_false",
                    help="skip the ~2 GB ACLED CSV (memory target; needs ~45 GB of free disk)")
    ap.add_argument("--big", dest="big", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep the files")
    args = ap.parse_args(argv)

    from border_map.engine.synthetic import write_acled, write_gdelt

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_pipeline."))
    work.mkdir(parents=True, exist_ok=True)
    inputs = []
    if args.gdelt:
        inputs.append(("gdelt", args.gdelt, write_gdelt(work / "gdelt.export.tsv", args.gdelt)))
    if args.acled:
        inputs.append(("acled", args.acled, write_acled(work / "acled.csv", args.acled)))
    rows, missed = [], []
    for fmt, n, path in inputs:
        out = work / f"out_{fmt}"
        out.mkdir(exist_ok=True)
        s_wall, s_rss, _ = run([PY, "-c", SCRIPT, str(path), fmt, str(out)])
        b_wall, b_rss, b_out = run([PY, "-m", "border_map", "build", str(path), "-o",
                                    str(out / "build"), "--no-progress"])
        incidents = json.loads(b_out)["incidents"]
        ratio = s_wall / b_wall
        _w, _r, f_out = run([PY, "-c", FLOOR, str(out / "build" / "border_map.gpkg"), str(out)])
        floor = float(f_out.strip().splitlines()[-1])
        rows.append((fmt, n, "script", s_wall, s_rss, ""))
        rows.append((fmt, n, "build (every output)", b_wall, b_rss, f"{ratio:.1f}x the script"))
        rows.append((fmt, n, "GDAL alone: 3 of the build's files", floor, float("nan"),
                     f"the script / this = {s_wall / floor:.1f}x, the most a build "
                     "writing them could reach"))
        if ratio < 20:
            missed.append(f"{fmt} {n:,}: build {ratio:.1f}x the script (target 20x; GDAL alone "
                          f"writing 3 of its files takes {floor:.1f} s = "
                          f"{s_wall / floor:.1f}x the script)")
        if b_rss > 1536:
            missed.append(f"{fmt} {n:,}: build peak {b_rss:.0f} MB (target 1,536 MB)")
        if fmt == "acled" and not args.no_dask:
            d_wall, d_rss, _ = run([PY, "-m", "border_map", "build", str(path), "-o",
                                    str(out / "dask"), "--engine", "dask", "--no-progress"])
            speed = b_wall / d_wall
            rows.append((fmt, n, "build --engine dask (2 workers)", d_wall, d_rss,
                         f"{speed:.2f}x in-process"))
            if n >= 1_000_000 and speed < 1.6:
                missed.append(f"{fmt} {n:,}: dask {speed:.2f}x in-process (target 1.6x)")
            if d_rss > 1536:
                missed.append(f"{fmt} {n:,}: dask peak {d_rss:.0f} MB (target 1,536 MB)")
        print(f"  {fmt}: {incidents:,} incidents", file=sys.stderr)
    if args.big:
        import shutil

        for fmt, _n, _path in inputs:  # the big run's outputs need the disk (~6 GB a 1M rows)
            shutil.rmtree(work / f"out_{fmt}", ignore_errors=True)
        big_rows = 4_900_000  # ~2.0 GB: 413 bytes a synthetic ACLED row
        free_gb = shutil.disk_usage(work).free / 1e9
        if free_gb < 45:
            missed.append(f"2 GB CSV not built: {free_gb:.0f} GB free in {work}, its outputs "
                          "need about 45 GB (--keep DIR elsewhere, or --no-big)")
            big_rows = 0
    if args.big and big_rows:
        big = write_acled(work / "big.csv", big_rows)
        size = big.stat().st_size / 1e9
        wall, rss, _ = run([PY, "-m", "border_map", "build", str(big), "-o", str(work / "big"),
                            "--no-progress"])
        rows.append(("acled", big_rows, f"build of a {size:.1f} GB CSV", wall, rss, ""))
        if rss > 1536:
            missed.append(f"{size:.1f} GB CSV: peak {rss:.0f} MB (target 1,536 MB)")
    print(f"{'input':<7} {'rows':>10}  {'run':<34} {'wall s':>8} {'peak MB':>8}  ratio")
    for fmt, n, what, wall, rss, note in rows:
        peak = "" if rss != rss else f"{rss:.0f}"  # (NaN: not a run of border-map)
        print(f"{fmt:<7} {n:>10,}  {what:<34} {wall:>8.1f} {peak:>8}  {note}")
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    if missed:
        print("targets missed:\n  " + "\n  ".join(missed))
        return 1
    print("every target met")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    sys.exit(main())
