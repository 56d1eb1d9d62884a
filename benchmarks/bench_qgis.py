"""QGIS render time of a large incident layer: the large-layer style against the plain one.

    python benchmarks/bench_qgis.py [--size 100000] [--target 3]

Builds ``--size`` synthetic incidents (``bench_map.analysed_frame``), writes them to a
GeoPackage with :func:`border_map.render.gis.write_geopackage` (whose stored styles, for a
layer this size, cluster the incidents and draw the uncertainty circles only from 1:2,000,000
in), then renders the layers ``incidents`` and ``incident_areas`` with Debian's QGIS headless
at the whole line's extent (800 x 800 px), once with that style and once with the plain style a
small layer gets (every point and circle drawn). Baseline and candidate are measured in the
same run (best of 3 each). Exits 1 when the large-layer style is not ``--target`` times faster.
Needs /usr/bin/python3 with python3-qgis.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

QGIS_SCRIPT = r"""
import json, os, sys, time
from qgis.core import (QgsApplication, QgsVectorLayer, QgsMapSettings, QgsRectangle,
                       QgsMapRendererSequentialJob)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtXml import QDomDocument
app = QgsApplication([], False)
app.initQgis()
job = json.load(open(sys.argv[1]))
out = {}
for variant, styles in job["variants"].items():
    layers = []
    for name in ("incidents", "incident_areas"):
        layer = QgsVectorLayer(job["gpkg"] + "|layername=" + name, name, "ogr")
        doc = QDomDocument()
        doc.setContent(open(styles[name], encoding="utf-8").read())
        ok, msg = layer.importNamedStyle(doc)
        assert ok, msg
        layers.append(layer)
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(layers[0].crs())
    settings.setExtent(QgsRectangle(*job["extent"]))
    settings.setOutputSize(QSize(800, 800))
    settings.setBackgroundColor(QColor(255, 255, 255))
    best = None
    for _ in range(3):
        r = QgsMapRendererSequentialJob(settings)
        t = time.perf_counter()
        r.start()
        r.waitForFinished()
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    img = r.renderedImage()
    painted = sum(1 for y in range(0, 800, 8) for x in range(0, 800, 8)
                  if img.pixel(x, y) != 0xFFFFFFFF)
    out[variant] = {"seconds": best, "renderer": layers[0].renderer().type(),
                    "areas_scale_limited": layers[1].hasScaleBasedVisibility(),
                    "painted_samples": painted}
print(json.dumps(out), flush=True)
os._exit(0)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--target", type=float, default=3.0,
                        help="the large-layer style must render this many times faster")
    args = parser.parse_args()
    if subprocess.run(["/usr/bin/python3", "-c", "import qgis.core"],
                      capture_output=True).returncode:
        print("bench_qgis: QGIS (Debian python3-qgis) is not installed")
        return 1
    from bench_map import analysed_frame

    from border_map.border import DurandLine
    from border_map.render import gis, qgis_style

    border = DurandLine.default()
    t = time.perf_counter()
    gdf = analysed_frame(args.size, border=border)
    print(f"{args.size} synthetic incidents analysed in {time.perf_counter() - t:.1f} s")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        gpkg = gis.write_geopackage(gdf, folder / "big.gpkg", border=border)
        variants = {}
        for variant, count in (("plain", 0), ("large", args.size)):
            variants[variant] = {}
            for name in ("incidents", "incident_areas"):
                path = folder / f"{variant}_{name}.qml"
                path.write_text(qgis_style.qml(name, feature_count=count), encoding="utf-8")
                variants[variant][name] = str(path)
        lon0, lat0, lon1, lat1 = border.line.bounds
        job = folder / "job.json"
        job.write_text(json.dumps({"gpkg": str(gpkg), "variants": variants,
                                   "extent": [lon0 - 0.5, lat0 - 0.5, lon1 + 0.5, lat1 + 0.5]}))
        script = folder / "render.py"
        script.write_text(QGIS_SCRIPT, encoding="utf-8")
        res = subprocess.run(["/usr/bin/python3", str(script), str(job)], capture_output=True,
                             text=True, env={"QT_QPA_PLATFORM": "offscreen", "HOME": str(folder),
                                             "XDG_RUNTIME_DIR": str(folder)}, timeout=3600)
        if res.returncode:
            print(res.stderr[-2000:])
            return 1
        got = json.loads(res.stdout.strip().splitlines()[-1])
    plain, large = got["plain"], got["large"]
    ratio = plain["seconds"] / large["seconds"]
    print(f"{'style':8} {'renderer':14} {'circles limited':16} {'render s':>9}")
    for name, row in got.items():
        print(f"{name:8} {row['renderer']:14} {row['areas_scale_limited']!s:16} "
              f"{row['seconds']:9.2f}")
    print(f"large-layer style: {ratio:.1f}x faster than the plain style at the line's extent "
          f"(target {args.target:g}x)")
    ok = ratio >= args.target and large["painted_samples"] > 0
    if not ok:
        print("bench_qgis: target missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
