"""Size and write time of every output of ``border-map build``, for the seed and N incidents.

    python benchmarks/bench_outputs.py [--sizes 100000] [--no-html]

The synthetic incidents are made programmatically (``bench_map.analysed_frame``: 1-3 claims
each, a third with explicit coordinates) and never stored; outputs go to a temporary folder
that is deleted afterwards. Each output is rendered and written with the same functions as
:func:`border_map.pipeline.build` (GeoJSON, RFC 8142 sequence, GeoPackage, summary CSV, HTML
map), timed one by one (the analysis is done once, before, and not counted). Prints a table
and writes ``outputs/bench_outputs.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))


def write_outputs(gdf, folder: Path, border, *, html: bool = True,
                  sources=("synthetic",)) -> list[dict]:
    """Write every output of ``gdf`` into ``folder``; one row per file: name, bytes, seconds."""
    from border_map.render import gis
    from border_map.render.geojson import dumps, feature_collection
    from border_map.render.html import build_map, render_html

    def timed(name, fn):
        t = time.perf_counter()
        fn(folder / name)
        return {"file": name, "seconds": time.perf_counter() - t,
                "bytes": (folder / name).stat().st_size}

    def write(text):
        return lambda path: path.write_text(text(), encoding="utf-8")

    doc = {}

    def geojson():
        doc.update(feature_collection(gdf))
        return dumps(doc) + "\n"

    rows = [  # as in build(): the feature collection is made once, for both GeoJSON files
        timed("incidents.geojson", write(geojson)),
        timed("incidents.geojsonl", write(lambda: gis.geojson_seq(doc))),
        timed("incidents.qml", write(lambda: gis.qml("incidents", border))),
        timed("border_map.gpkg", lambda path: gis.write_geopackage(gdf, path, border=border,
                                                                   sources=sources)),
        timed("summary.csv", write(lambda: gis.summary_csv(gdf))),
        timed("summary.csvt", write(gis.summary_csvt)),
    ]
    if html:
        rows.append(timed("map.html", write(lambda: render_html(build_map(gdf, border)))))
    return rows


def seed_frame():
    from border_map.data import example_path
    from border_map.incidents import load_incidents
    from border_map.pipeline import analyse_incidents

    gdf, _ = analyse_incidents(load_incidents(example_path()))
    return gdf


def _print(label: str, n: int, rows: list[dict]) -> None:
    print(f"\n{label}: {n:,} incidents")
    print(f"{'output':<20} {'size':>12} {'write':>9}")
    for r in rows:
        size = r["bytes"]
        human = f"{size / 1e6:,.1f} MB" if size >= 1e6 else f"{size / 1e3:,.1f} kB"
        print(f"{r['file']:<20} {human:>12} {r['seconds']:>8.2f}s")
    print(f"{'total':<20} {sum(r['bytes'] for r in rows) / 1e6:>9,.1f} MB "
          f"{sum(r['seconds'] for r in rows):>8.2f}s", flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000",
                    help="comma-separated numbers of synthetic incidents (default: 100000)")
    ap.add_argument("--no-html", action="store_true", help="skip map.html")
    args = ap.parse_args(argv)
    from bench_map import analysed_frame

    from border_map.border import DurandLine

    border = DurandLine.default()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench_outputs_") as tmp:
        runs = [("seed story", seed_frame, ("seed_incidents.yaml",))]
        for n in (int(s) for s in args.sizes.split(",") if s.strip()):
            runs.append((f"synthetic (n={n:,})", lambda n=n: analysed_frame(n, border=border),
                         ("synthetic",)))
        for i, (label, make, sources) in enumerate(runs):
            t = time.perf_counter()
            gdf = make()
            analyse_s = time.perf_counter() - t
            folder = Path(tmp) / str(i)
            folder.mkdir()
            rows = write_outputs(gdf, folder, border, html=not args.no_html, sources=sources)
            _print(f"{label} (made and analysed in {analyse_s:.1f}s)", len(gdf), rows)
            results.append({"label": label, "incidents": len(gdf), "analyse_seconds": analyse_s,
                            "outputs": rows})
            for path in folder.iterdir():
                path.unlink()
    out = ROOT / "outputs" / "bench_outputs.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"\nwrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
