"""Outputs of the columnar engines: GeoParquet, hexagon aggregates, the map, the summary.

Both engines end here. The in-memory engine hands over its whole analysed frame;
the dask engine hands over the part files its workers wrote and the partial
aggregates they returned. Each output is written to a temporary name and renamed,
so a failure never leaves a half-written file.

* ``incidents.parquet``: the analysed incidents (GeoParquet; a file from the
  in-memory engine, a folder of part files from dask; both read with
  ``geopandas.read_parquet``);
* ``hexagons.geojson``: one H3 hexagon per cell with counts, claim totals and the
  breakdowns by side, band and period;
* ``hex_counts.csv``: the long table (cell, band, side, period, count, claims);
* ``map.html``: markers when there are at most ``marker_limit`` located incidents,
  else the hexagon layer with a drill-down list per cell.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .._atomic import atomic_path
from ..border import DEFAULT_BANDS_KM, DurandLine
from ..csvsafe import safe_frame
from . import hexbin
from .columnar import ChunkStats

#: GeoParquet 1.1 native point encoding: x/y columns, no WKB to build (faster to write and read).
GEOMETRY_ENCODING = "geoarrow"
#: Above this many located incidents the map shows hexagons instead of markers.
DEFAULT_MARKER_LIMIT = 5_000
DEFAULT_TITLE = "border-map: incidents along the Durand Line"


@dataclass
class EngineResult:
    """What a columnar engine did: counts, timings, aggregates and the files written."""

    engine: str
    stats: ChunkStats
    partitions: int = 1
    workers: int = 1
    seconds: float = 0.0
    outputs: dict[str, Path] = field(default_factory=dict)
    counts: pd.DataFrame | None = None
    cells: gpd.GeoDataFrame | None = None
    drill: pd.DataFrame | None = None
    map_kind: str | None = None

    def summary(self) -> dict:
        """The CLI's JSON summary (the in-memory engine's keys, plus the engine's own)."""
        s = self.stats
        return {
            "incidents": s.incidents,
            "located": s.located,
            "unlocated": s.unlocated,
            "skipped": s.skipped,
            "engine": self.engine,
            "rows_read": s.rows,
            "dropped": {k: v for k, v in s.as_dict()["dropped"].items() if v},
            "resolved_by_gazetteer": s.resolved,
            "partitions": self.partitions,
            "workers": self.workers,
            "map": self.map_kind,
            "hex_cells": 0 if self.cells is None else len(self.cells),
            "seconds": round(self.seconds, 3),
            "rows_per_s": round(s.rows / self.seconds) if self.seconds > 0 else None,
            "outputs": {k: str(v) for k, v in self.outputs.items()},
        }

    def summary_line(self) -> str:
        s = self.stats
        dropped = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in sorted(s.dropped.items())
                            if v) or "none"
        rate = s.rows / self.seconds if self.seconds > 0 else 0.0
        return (f"{s.rows:,} rows read, {s.incidents:,} incidents ({s.located:,} located) "
                f"in {self.seconds:,.1f} s ({rate:,.0f} rows/s, {self.engine}, "
                f"{self.partitions} partition(s)); dropped: {dropped}")


def summarise_partition(gdf: gpd.GeoDataFrame, *, resolution: int = hexbin.DEFAULT_RESOLUTION,
                        period: str = hexbin.DEFAULT_PERIOD,
                        drill_limit: int = hexbin.DEFAULT_DRILL_LIMIT):
    """Partial hexagon counts and drill-down candidates of one analysed partition."""
    return hexbin.summarise(gdf, resolution, period, drill_limit)


def write_parquet(gdf: gpd.GeoDataFrame, path: str | os.PathLike) -> Path:
    """Write one GeoParquet file atomically."""
    with atomic_path(path, suffix=".parquet") as tmp:
        to_geoparquet(gdf, tmp)
    return Path(path)


def to_geoparquet(gdf: gpd.GeoDataFrame, path: str | os.PathLike) -> None:
    """Write ``gdf`` as GeoParquet 1.1 with native point encoding (x/y columns).

    geopandas cannot infer that encoding when no row has a geometry (an empty
    partition, or one whose places were all unresolved); such a frame is written
    with the same schema by hand: a null x/y struct and the same "geo" metadata, so
    that its part file reads together with the others.
    """
    geoms = gdf.geometry
    if (~(geoms.isna() | geoms.is_empty)).any():
        gdf.to_parquet(path, index=False, geometry_encoding=GEOMETRY_ENCODING)
        return
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    from .. import __version__

    name = gdf.geometry.name
    table = pa.Table.from_pandas(pd.DataFrame(gdf.drop(columns=[name])), preserve_index=False)
    xy = pa.struct([pa.field("x", pa.float64(), nullable=False),
                    pa.field("y", pa.float64(), nullable=False)])
    column = pa.array([None] * len(gdf), type=xy)
    table = table.add_column(list(gdf.columns).index(name), pa.field(name, xy), column)
    geo = {"primary_column": name, "version": "1.1.0",
           "creator": {"library": "border-map", "version": __version__},
           "columns": {name: {"encoding": "point", "geometry_types": ["Point"]}}}
    if gdf.crs is not None:
        geo["columns"][name]["crs"] = gdf.crs.to_json_dict()
    meta = dict(table.schema.metadata or {})
    meta[b"geo"] = json.dumps(geo).encode("utf-8")
    pq.write_table(table.replace_schema_metadata(meta), path)


def replace_dir(tmp_dir: Path, target: Path) -> Path:
    """Move a finished folder (or file) over ``target``."""
    if target.is_dir() and not target.is_symlink():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        tmp_dir.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        if target.exists():
            target.unlink()
        tmp_dir.rename(target)
    return target


def write_outputs(result: EngineResult, out_dir: str | os.PathLike, *,
                  incidents: gpd.GeoDataFrame | None = None,
                  counts: pd.DataFrame | None = None, drill: pd.DataFrame | None = None,
                  bands_km: Sequence[float] = DEFAULT_BANDS_KM,
                  resolution: int = hexbin.DEFAULT_RESOLUTION, period: str = hexbin.DEFAULT_PERIOD,
                  drill_limit: int = hexbin.DEFAULT_DRILL_LIMIT,
                  marker_limit: int = DEFAULT_MARKER_LIMIT, title: str | None = None,
                  cdn: bool = False, make_map: bool = True,
                  border: DurandLine | None = None) -> EngineResult:
    """Write every output; ``incidents`` (in-memory) or ``counts``/``drill`` (dask) must be given.

    With ``incidents``, the GeoParquet is written here and the aggregates are
    computed from the frame with the same partial functions the dask workers use.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if incidents is not None:
        counts_part, drill_part = summarise_partition(
            incidents, resolution=resolution, period=period, drill_limit=drill_limit)
        counts = hexbin.combine_counts([counts_part])
        drill = hexbin.combine_drill([drill_part], drill_limit)
        result.outputs["incidents"] = write_parquet(incidents, out / "incidents.parquet")
    else:
        result.outputs.setdefault("incidents", out / "incidents.parquet")
    result.counts = counts
    result.drill = drill
    result.cells = hexbin.cell_frame(counts)
    from ..render.geojson import write_geojson

    result.outputs["hexagons"] = write_geojson(result.cells, out / "hexagons.geojson")
    with atomic_path(out / "hex_counts.csv") as tmp:
        safe_frame(counts).to_csv(tmp, index=False)  # formula-safe text cells (csvsafe)
    result.outputs["hex_counts"] = out / "hex_counts.csv"
    if make_map:
        result.outputs["map"] = _write_map(result, out / "map.html", incidents=incidents,
                                           bands_km=bands_km, marker_limit=marker_limit,
                                           title=title or DEFAULT_TITLE, cdn=cdn, border=border)
    return result


def _write_map(result: EngineResult, path: Path, *, incidents, bands_km, marker_limit, title,
               cdn, border) -> Path:
    from ..render.hexmap import build_hex_map
    from ..render.html import build_map, render_html

    border = border or DurandLine.default()
    if result.stats.located <= marker_limit:
        if incidents is None:  # dask: few enough to read back
            incidents = gpd.read_parquet(result.outputs["incidents"])
        m = build_map(_for_markers(incidents), border, bands_km=bands_km, title=title, cdn=cdn)
        result.map_kind = "markers"
    else:
        m = build_hex_map(result.cells, result.drill, border, bands_km=bands_km, title=title,
                          cdn=cdn, unlocated=result.stats.incidents - result.stats.located)
        result.map_kind = "hexagons"
    text = render_html(m)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def _for_markers(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Plain Python values (None, not pd.NA) and a ``band_certainty`` dict, as the map expects."""
    out = gdf.copy()
    cert = [c for c in out.columns if c.startswith("band_certainty_")]
    keys = [c[len("band_certainty_"):-2] for c in cert]
    rows = out[cert].astype(object).where(out[cert].notna(), None).to_numpy().tolist()
    out["band_certainty"] = [dict(zip(keys, r, strict=True)) for r in rows]
    out = out.drop(columns=cert)
    for col in out.columns:
        if col != out.geometry.name and str(out[col].dtype) == "string":
            out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out
