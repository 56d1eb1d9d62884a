"""Every output, streamed from the analysed chunks, staged and renamed together.

:class:`Outputs` opens one writer per requested format on a temporary path beside its target,
hands each analysed chunk to every writer in turn (:meth:`Outputs.write`) and, when the input
is exhausted, finishes them and renames every file over its target at once
(:meth:`Outputs.close`). Any failure before that removes the temporary files and leaves the
previous outputs as they were. Engines only decide where chunks are analysed: every engine
ends here, so every engine writes every output.

========== ================================= ===============================================
format     files                             written
========== ================================= ===============================================
geojson    incidents.geojson, incidents.qml  features per chunk (``bbox`` last)
geojsonl   incidents.geojsonl                RFC 8142, features per chunk
gpkg       border_map.gpkg                   incident, area, claim layers appended per chunk
csv        summary.csv, summary.csvt         aggregated at the end from slim columns
parquet    incidents.parquet                 GeoParquet, one row group per chunk
hexagons   hexagons.geojson, hex_counts.csv  H3 counts, partial per chunk, added up
html       map.html                          markers up to ``marker_limit``, else hexagons
fgb, shp,  incidents.fgb, incidents.shp.zip,  conversions (:mod:`.formats`): the rows are kept
kml, kmz,  incidents.kml/.kmz, incidents.csv  until the end, so their memory grows with the
csv-wkt                                       input
========== ================================= ===============================================

``gpkg`` also writes ``border_map.qgz``, a QGIS project over the GeoPackage.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._atomic import atomic_path
from ..properties import INCIDENT_FIELDS

#: What ``build`` can write (``--format``); "html" is map.html.
FORMATS = ("geojson", "geojsonl", "gpkg", "csv", "parquet", "hexagons", "html", "fgb", "shp",
           "kml", "kmz", "csv-wkt")
#: What ``build`` writes when no format is named (the conversions are asked for).
DEFAULT_FORMATS = FORMATS[:7]
#: Conversions (render/formats.py) take the whole table: their chunks are kept until the end.
CONVERSIONS = FORMATS[7:]
#: Above this many located incidents the map shows hexagons instead of markers.
DEFAULT_MARKER_LIMIT = 5_000
DEFAULT_TITLE = "border-map: incidents along the Durand Line"


@dataclass
class RunInfo:
    """What the writers need besides the chunks."""

    border: object
    bands_km: tuple[float, ...]
    gazetteer: object | None = None
    sources: Sequence[str] = ()
    title: str | None = None
    cdn: bool = False
    cluster_threshold: int | None = None
    marker_limit: int = DEFAULT_MARKER_LIMIT
    hex_resolution: int | None = None
    hex_period: str | None = None
    drill_limit: int | None = None
    extra: dict = field(default_factory=dict)
    #: what the data's providers ask every output to say (ACLED, UCDP, GDELT), filled in as
    #: their files are read (border_map.sources.ATTRIBUTION)
    credits: list[str] = field(default_factory=list)


@functools.cache
def parquet_schema():
    """The Arrow schema of incidents.parquet: :data:`~border_map.properties.INCIDENT_FIELDS`
    (nested values as JSON text) and WKB points, with the GeoParquet 1.1 metadata."""
    import pyarrow as pa

    types = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(),
             "boolean": pa.bool_(), "date": pa.date32(), "datetime": pa.string()}
    return pa.schema(
        [pa.field(f.name, types.get(f.type, pa.string())) for f in INCIDENT_FIELDS]
        + [pa.field("geometry", pa.binary())],
        metadata={b"geo": json.dumps({
            "version": "1.1.0", "primary_column": "geometry",
            "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"],
                                     "crs": _crs_json()}}}).encode()})


def parquet_table(gdf):
    """One chunk's rows of incidents.parquet (:func:`parquet_schema`)."""
    import pyarrow as pa
    import shapely

    from .geojson import json_column

    cols = []
    for f in INCIDENT_FIELDS:
        values = gdf[f.name].to_numpy(dtype=object)
        if f.type in ("string", "datetime"):
            arr = pa.array([v if isinstance(v, str) else None for v in values], pa.string())
        elif f.type == "date":
            arr = pa.compute.cast(pa.array([v if isinstance(v, str) else None
                                            for v in values], pa.string()), pa.date32())
        elif f.type in ("number", "integer"):
            num = np.asarray(values, dtype=float)
            ok = np.isfinite(num)
            arr = pa.array(np.where(ok, num, 0), mask=~ok)
            if f.type == "integer":
                arr = arr.cast(pa.int64())
        elif f.type == "boolean":
            arr = pa.array([bool(v) if v is not None else None for v in values], pa.bool_())
        else:
            arr = pa.array(json_column(values, f.type), pa.string())
        cols.append(arr)
    geoms = gdf.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    wkb = np.full(len(geoms), None, dtype=object)
    wkb[~missing] = shapely.to_wkb(geoms[~missing])
    cols.append(pa.array(wkb, pa.binary()))
    return pa.Table.from_arrays(cols, schema=parquet_schema())


def prepare(gdf, formats: Iterable[str]) -> dict:
    """What the writers of ``formats`` make of one analysed chunk from the chunk alone: the
    GeoJSON features as the files hold them (UTF-8 bytes), the GeoPackage layers' Arrow
    tables, the GeoParquet table, the summary's partial sums. The dask engine runs this on
    the worker that analysed the chunk, so the driver only appends; the in-process engine
    runs it in :meth:`Outputs.write`.
    Each claim list is encoded to JSON once for every writer."""
    from .geojson import feature_bytes, shared_json

    formats = set(formats)
    out: dict = {}
    with shared_json():
        if formats & {"geojson", "geojsonl"}:
            out["features"] = feature_bytes(gdf, INCIDENT_FIELDS, collection="geojson" in formats,
                                            sequence="geojsonl" in formats)
        if "gpkg" in formats:
            from .gis import gpkg_tables

            out["gpkg"] = gpkg_tables(gdf)
        if "parquet" in formats:
            out["parquet"] = parquet_table(gdf)
        if "csv" in formats:
            from .. import aggregate

            out["csv"] = aggregate.partial(gdf)
    return out


class ParquetWriter:
    """incidents.parquet: GeoParquet 1.1 (WKB points), one row group per chunk, the schema of
    :func:`parquet_schema`."""

    PREPARED = "parquet"

    def __init__(self, path: Path):
        self.path = path
        self._writer = None
        self.schema = parquet_schema()

    def write(self, gdf, table=None) -> None:
        import pyarrow.parquet as pq

        table = parquet_table(gdf) if table is None else table
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, self.schema)
        self._writer.write_table(table)

    def close(self, credits=()) -> None:
        import pyarrow.parquet as pq

        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, self.schema)
        if credits:
            self._writer.add_key_value_metadata({"attribution": json.dumps(list(credits))})
        self._writer.close()

    def abort(self) -> None:
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()


def _crs_json():
    from pyproj import CRS

    return CRS.from_epsg(4326).to_json_dict()


class HexWriter:
    """Partial H3 counts and drill-down candidates per chunk, added up at the end (hexagons
    output and the map's hexagon layer)."""

    def __init__(self, run: RunInfo):
        from ..analysis import hexbin

        self.hexbin = hexbin
        self.resolution = run.hex_resolution or hexbin.DEFAULT_RESOLUTION
        self.period = run.hex_period or hexbin.DEFAULT_PERIOD
        self.drill_limit = run.drill_limit if run.drill_limit is not None else (
            hexbin.DEFAULT_DRILL_LIMIT)
        self.counts: list = []
        self.drill: list = []

    PREPARED = None

    def write(self, gdf, _prepared=None) -> None:
        counts, drill = self.hexbin.summarise(gdf.assign(date=gdf["date_start"]),
                                              self.resolution, self.period, self.drill_limit)
        self.counts.append(counts)
        self.drill.append(drill)
        if len(self.counts) >= 16:  # fold: bounded memory
            self.counts = [self.hexbin.combine_counts(self.counts)]
            self.drill = [self.hexbin.combine_drill(self.drill, self.drill_limit)]

    def result(self):
        counts = self.hexbin.combine_counts(self.counts)
        drill = self.hexbin.combine_drill(self.drill, self.drill_limit)
        return counts, drill, self.hexbin.cell_frame(counts)


class MapWriter:
    """map.html: every incident as a marker while there are at most ``marker_limit`` located
    ones (the unlocated kept for the list), else the hexagon layer with a drill-down list."""

    def __init__(self, path: Path, run: RunInfo, hexes: HexWriter):
        self.path, self.run, self.hexes = path, run, hexes
        self.parts: list = []
        self.located = 0
        self.total = 0
        self.kind = "markers"

    PREPARED = None

    def write(self, gdf, _prepared=None) -> None:
        geom = gdf.geometry
        located = int((~(geom.isna() | geom.is_empty)).sum())
        self.located += located
        self.total += len(gdf)
        if self.kind == "markers":
            if self.located > self.run.marker_limit:
                self.kind, self.parts = "hexagons", []
            else:
                self.parts.append(gdf)

    def close(self) -> None:
        import pandas as pd

        from .html import build_map, render_html

        run = self.run
        title = run.title or DEFAULT_TITLE
        if self.kind == "markers":
            import geopandas as gpd

            gdf = gpd.GeoDataFrame(pd.concat(self.parts, ignore_index=True), crs="EPSG:4326")
            m = build_map(gdf, run.border, bands_km=run.bands_km, cdn=run.cdn,
                          cluster_threshold=run.cluster_threshold, title=title,
                          credits=run.credits)
        else:
            from .hexmap import build_hex_map

            _counts, drill, cells = self.hexes.result()
            m = build_hex_map(cells, drill, run.border, bands_km=run.bands_km, title=title,
                              cdn=run.cdn, unlocated=self.total - self.located)
        self.path.write_text(render_html(m), encoding="utf-8")

    def abort(self) -> None:
        pass


class Outputs:
    """Every requested output of one run (see the module docstring)."""

    def __init__(self, out_dir: str | Path, formats: Iterable[str], run: RunInfo):
        formats = list(dict.fromkeys(formats))
        unknown = [f for f in formats if f not in FORMATS]
        if unknown or not formats:
            raise ValueError(f"unknown output format(s) {unknown}; choose from {FORMATS}")
        self.out_dir = Path(out_dir)
        self.formats = formats
        self.run = run
        self.paths: dict[str, Path] = {}
        self._stack = contextlib.ExitStack()
        self._writers: list = []
        self._targets: dict = {}
        self.map_kind: str | None = None
        self.hex_cells = 0

    # -- staging ---------------------------------------------------------------------
    def _staged(self, key: str, name: str) -> Path:
        self.paths[key] = self.out_dir / name
        staged = self._stack.enter_context(atomic_path(self.out_dir / name))
        self._targets[staged] = self.out_dir / name
        return staged

    def _add(self, writer, staged: Path | None) -> None:
        """A writer, with the output its failures are told about."""
        self._writers.append(writer)
        self._targets[id(writer)] = self._targets.get(staged, self.out_dir)

    def _attributed(self, writer, call, *args) -> None:
        """``call(*args)``, a failure named by the writer's output (disk full, ...)."""
        from .._atomic import output_failure

        try:
            call(*args)
        except Exception as err:
            failure = output_failure(err, self._targets.get(id(writer), self.out_dir))
            if failure is err:
                raise
            raise failure from err

    def _remove_made_folder(self) -> None:
        """A failed run leaves nothing: no temporary file of this process (whatever moment a
        signal came at), and no folder it made (an empty one, that is)."""
        import os
        import shutil

        from .._atomic import TMP_PREFIX

        mine = f"{TMP_PREFIX}{os.getpid()}."
        with contextlib.suppress(OSError):
            for entry in os.listdir(self.out_dir):
                if entry.startswith(mine):
                    path = self.out_dir / entry
                    with contextlib.suppress(OSError):
                        if path.is_dir() and not path.is_symlink():
                            shutil.rmtree(path, ignore_errors=True)
                        else:
                            path.unlink()
        if self._made_dir:
            with contextlib.suppress(OSError):
                self.out_dir.rmdir()

    def __enter__(self) -> Outputs:
        self._made_dir = not self.out_dir.exists()
        self._stack.__enter__()
        try:
            self._open()
        except BaseException:  # a failure (or a signal) while opening: nothing left behind
            import sys

            self._abort()
            self._stack.__exit__(*sys.exc_info())
            self._remove_made_folder()
            raise
        return self

    def _open(self) -> None:
        from . import gis
        from .geojson import GeoJSONSeqWriter, GeoJSONWriter

        run, f = self.run, self.formats
        fields = INCIDENT_FIELDS
        if "geojson" in f:
            staged = self._staged("geojson", "incidents.geojson")
            self._add(GeoJSONWriter(staged, fields), staged)
        if "geojsonl" in f:
            staged = self._staged("geojsonl", "incidents.geojsonl")
            self._add(GeoJSONSeqWriter(staged, fields), staged)
        if "geojson" in f or "geojsonl" in f:  # QGIS applies incidents.qml to incidents.geojson
            self._qml = self._staged("qml", "incidents.qml")
        if "gpkg" in f:
            staged = self._staged("gpkg", "border_map.gpkg")
            self._gpkg_writer = gis.GeoPackageWriter(
                staged, border=run.border, bands_km=run.bands_km, gazetteer=run.gazetteer,
                sources=run.sources)
            self._add(self._gpkg_writer, staged)
            self._qgz = self._staged("qgz", "border_map.qgz")
            self._targets[id(self._qgz)] = self.out_dir / "border_map.qgz"
        self._kept = [] if any(c in f for c in CONVERSIONS) else None
        self._dates: list = []
        self.count = 0
        if "csv" in f:
            staged = self._staged("csv", "summary.csv")
            self._add(gis.SummaryWriter(staged, self._staged("csvt", "summary.csvt")), staged)
        if "parquet" in f:
            staged = self._staged("parquet", "incidents.parquet")
            self._add(ParquetWriter(staged), staged)
        self.hexes = None
        if "hexagons" in f or "html" in f:
            self.hexes = HexWriter(run)
            self._add(self.hexes, None)
        if "html" in f:
            staged = self._staged("map", "map.html")
            self.map = MapWriter(staged, run, self.hexes)
            self._add(self.map, staged)

    def write(self, gdf, prepared: dict | None = None) -> None:
        """One analysed chunk to every writer; ``prepared``: what :func:`prepare` made of it
        where it was analysed (None: made here)."""
        if prepared is None:
            prepared = prepare(gdf, self.formats)
        for w in self._writers:
            self._attributed(w, w.write, gdf, prepared.get(w.PREPARED))
        self.count += len(gdf)
        if len(gdf):
            self._dates.append((gdf["date_start"].min(), gdf["date_end"].max()))
        if self._kept is not None:
            self._kept.append(gdf)

    def _abort(self) -> None:
        for w in self._writers:
            if hasattr(w, "abort"):
                with contextlib.suppress(Exception):
                    w.abort()

    def __exit__(self, exc_type, exc, tb) -> bool:
        try:
            if exc_type is None:
                self._finish()
            else:
                self._abort()
        except BaseException:
            import sys

            self._abort()
            self._stack.__exit__(*sys.exc_info())
            self._remove_made_folder()
            raise
        try:
            suppressed = self._stack.__exit__(exc_type, exc, tb)
        except BaseException:  # a signal while the files are renamed
            self._remove_made_folder()
            raise
        if exc_type is not None:
            self._remove_made_folder()
        return suppressed

    def _write_project(self) -> None:
        """border_map.qgz beside the GeoPackage (render/qgis_project.py), on its staged path."""
        import zipfile

        from .qgis_project import project_xml

        run = self.run
        span = None
        if self._dates:
            span = (min(a for a, _ in self._dates), max(b for _, b in self._dates))
        xml = project_xml("border_map.gpkg", border=run.border, bands_km=run.bands_km,
                          title=run.title, time_range=span, feature_count=self.count,
                          sources=run.sources)
        entry = zipfile.ZipInfo("border_map.qgs", date_time=(1980, 1, 1, 0, 0, 0))
        entry.compress_type = zipfile.ZIP_DEFLATED  # a fixed date: the same input, the same bytes
        with zipfile.ZipFile(self._qgz, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(entry, xml.encode("utf-8"))

    def _finish(self) -> None:
        from . import gis

        run = self.run
        from .geojson import GeoJSONWriter

        for w in self._writers:
            if isinstance(w, HexWriter):
                continue
            if isinstance(w, GeoJSONWriter | ParquetWriter):
                self._attributed(w, w.close, tuple(run.credits))
            else:
                self._attributed(w, w.close)
        if run.credits and "gpkg" in self.formats:
            self._attributed(self._gpkg_writer, self._gpkg_writer.credit, run.credits)
        if hasattr(self, "_qml"):
            self._qml.write_text(gis.qml("incidents", run.border, run.bands_km,
                                         feature_count=self.count), encoding="utf-8")
        if hasattr(self, "_qgz"):
            self._attributed(self._qgz, self._write_project)
        if self._kept is not None:
            import geopandas as gpd
            import pandas as pd

            from . import formats as conversions

            whole = gpd.GeoDataFrame(pd.concat(self._kept, ignore_index=True), crs="EPSG:4326")
            for key, files in conversions.WRITERS.items():
                for out_key, name, writer in files if key in self.formats else ():
                    writer(whole, self._staged(out_key, name))
        if self.hexes is not None:
            counts, _drill, cells = self.hexes.result()
            self.hex_cells = len(cells)
            if "hexagons" in self.formats:
                from .geojson import dumps, feature_collection

                self._staged("hexagons", "hexagons.geojson").write_text(
                    dumps(feature_collection(cells)) + "\n", encoding="utf-8")
                from ..csvsafe import safe_frame

                safe_frame(counts).to_csv(self._staged("hex_counts", "hex_counts.csv"),
                                          index=False)  # formula-safe text cells
        if "html" in self.formats:
            self.map_kind = self.map.kind
