"""The one pipeline: readers -> chunks of one table -> process -> every writer.

::

    inputs ──read──▶ Batch (normalised table, per block)        border_map.readers
           ──process_table──▶ analysed chunk                    border_map.analysis.process
           ──Outputs.write──▶ GeoJSON, GeoPackage, CSV, Parquet, map ...   border_map.render

:func:`build` runs it. The engine only decides where :func:`process_part` runs: in this
process, block by block as the inputs are read (``engine="in-process"``), or on a dask
cluster (``engine="dask"``, :mod:`border_map.engine.dask`), parts planned so that they are
the same blocks the in-process engine reads. The driver receives the analysed chunks in input
order, checks ids across chunks and files, counts every row, and streams each chunk to every
writer: every engine writes every output, with the same content.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import data
from .analysis.process import Context, Problem, Processed, process_table
from .border import DEFAULT_BANDS_KM
from .errors import DataError
from .model.table import warning_kind
from .properties import INCIDENT_PROPERTIES  # noqa: F401 - re-exported for library users
from .render.outputs import DEFAULT_FORMATS, FORMATS, Outputs, RunInfo  # noqa: F401

log = logging.getLogger(__name__)

#: Engines (``--engine``); "in-memory" and "columnar" are older names of "in-process".
ENGINES = ("in-process", "dask")
ENGINE_ALIASES = {"in-memory": "in-process", "columnar": "in-process"}
#: ``BuildResult.incidents`` holds the analysed rows up to this many (None beyond: the
#: outputs hold them, memory stays bounded). The command line keeps none.
KEEP_INCIDENTS = 50_000


@dataclass
class FileStats:
    """What happened to every row of one input file."""

    path: str
    format: str = ""
    rows: int = 0
    incidents: int = 0
    located: int = 0
    rejected: Counter = field(default_factory=Counter)
    ignored: Counter = field(default_factory=Counter)
    unplaced: int = 0
    #: incidents kept with a warning about the source's record, by kind
    warned: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        out = {"format": self.format, "rows": self.rows, "incidents": self.incidents,
               "located": self.located, "unplaced": self.unplaced,
               "rejected": dict(sorted(self.rejected.items())),
               "left_out": dict(sorted(self.ignored.items()))}
        if self.warned:
            out["warnings"] = dict(sorted(self.warned.items()))
        return out


@dataclass
class BuildResult:
    #: the analysed incidents (a GeoDataFrame), or None above :data:`KEEP_INCIDENTS`
    incidents: object = None
    outputs: dict[str, Path] = field(default_factory=dict)
    #: incidents kept but not placed (an unknown place): in the outputs with no geometry
    problems: list[Problem] = field(default_factory=list)
    #: bad records left out (not in any output); empty with ``strict``
    rejected: list[Problem] = field(default_factory=list)
    #: incidents from different sources that may be one event (readers.dedupe.DuplicateLink)
    duplicates: list = field(default_factory=list)
    #: kind of warning -> [count, first locations]: records kept as the source wrote them
    warnings: dict = field(default_factory=dict)
    files: dict[str, FileStats] = field(default_factory=dict)
    engine: str = "in-process"
    parts: int = 0
    workers: int = 1
    seconds: float = 0.0
    map_kind: str | None = None
    hex_cells: int = 0
    #: what the data's providers ask every output to say (ACLED, UCDP, GDELT)
    credits: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(f.incidents for f in self.files.values())

    @property
    def located(self) -> int:
        return sum(f.located for f in self.files.values())

    def summary(self) -> dict:
        """The CLI's JSON summary: every row of every file accounted for."""
        rows = sum(f.rows for f in self.files.values())
        left_out = Counter()
        for f in self.files.values():
            left_out.update(f.ignored)
        return {
            "incidents": self.count,
            "located": self.located,
            "unlocated": self.count - self.located - len(self.problems),
            "skipped": len(self.problems),
            "rejected": len(self.rejected),
            "rows_read": rows,
            "left_out": dict(sorted(left_out.items())),
            "possible_duplicates": [[link.a, link.b] for link in self.duplicates],
            "warnings": {k: v[0] for k, v in sorted(self.warnings.items())},
            "engine": self.engine,
            "parts": self.parts,
            "workers": self.workers,
            "map": self.map_kind,
            "hex_cells": self.hex_cells,
            "attribution": list(self.credits),
            "seconds": round(self.seconds, 3),
            "files": {k: v.as_dict() for k, v in self.files.items()},
            "outputs": {k: str(v) for k, v in self.outputs.items()},
        }


@dataclass
class Chunk:
    """One analysed chunk as the driver receives it from an engine."""

    path: str
    format: str
    processed: Processed
    reader_problems: list
    warnings: list[str]
    ignored: dict[str, int]
    rows: int
    #: what the writers make of the chunk alone (render.outputs.prepare), when the engine
    #: made it where the chunk was analysed (dask); None: the driver makes it
    prepared: dict | None = None


def process_part(part, ctx: Context, read_options: dict) -> Iterator[Chunk]:
    """Read one part and process each of its blocks: the unit of work of every engine."""
    from .readers import read_part

    for batch in read_part(part, strict=ctx.strict, **read_options):
        yield Chunk(part.path, batch.format, process_table(batch.table, ctx), batch.problems,
                    batch.warnings, batch.ignored, batch.rows)


def _in_process(paths: Sequence[Path], ctx: Context, read_options: dict, input_format,
                stats: dict) -> Iterator[Chunk]:
    from .readers import Part, source_format

    for path in paths:
        try:
            fmt = source_format(path, input_format)
        except DataError as err:
            yield err  # type: ignore[misc] - a file that cannot be read at all
            continue
        stats["parts"] += 1
        try:
            yield from process_part(Part(os.fspath(path), fmt), ctx, read_options)
        except DataError as err:
            if ctx.strict:
                raise
            yield err  # type: ignore[misc]
        except (MemoryError, KeyboardInterrupt, OSError):
            raise  # the system's faults (disk, permissions) are the run's, said by the CLI
        except Exception as err:  # noqa: BLE001 - one file's bug must not lose the others
            if ctx.strict:
                raise
            log.debug("reading %s failed", path, exc_info=True)
            yield DataError(  # type: ignore[misc]
                f"internal error while reading this file ({type(err).__name__}: {err}); the "
                "other files are mapped -- please report it (run with -vv for the traceback)",
                location=os.fspath(path))


def build(inputs: Sequence[str | Path] | None = None, out_dir: str | Path = "outputs", *,
          bands_km: Sequence[float] = DEFAULT_BANDS_KM, strict: bool = False, cdn: bool = False,
          title: str | None = None, gazetteer=None, border=None,
          formats: Iterable[str] = DEFAULT_FORMATS, input_format: str | None = None,
          read_options: dict | None = None, duplicate_km: float = 5.0, duplicate_days: int = 1,
          cluster_threshold: int | None = None, engine: str = "in-process",
          scheduler: str | None = None, partitions: int | None = None,
          block_bytes: int | None = None, workers: int | None = None, client=None,
          progress: bool = False, marker_limit: int | None = None,
          keep_incidents: int = KEEP_INCIDENTS) -> BuildResult:
    """Read ``inputs``, analyse them against the line, write the outputs named by ``formats``.

    ``formats`` (:data:`~border_map.render.outputs.FORMATS`): ``geojson`` incidents.geojson
    (and incidents.qml, its QGIS style); ``geojsonl`` incidents.geojsonl (RFC 8142); ``gpkg``
    border_map.gpkg; ``csv`` summary.csv (and summary.csvt); ``parquet`` incidents.parquet;
    ``hexagons`` hexagons.geojson and hex_counts.csv; ``html`` map.html. With no ``inputs``
    the bundled seed example is used.

    Without ``strict``, a bad record or a whole unreadable file is listed in
    ``result.rejected`` and the rest is mapped; with it the first one raises
    :class:`DataError`. Every output is written to a temporary file and all are renamed only
    when all are complete, so a failure never leaves a half-written file nor replaces a good
    one. ``engine``: "in-process" (default) or "dask" (``scheduler``, ``partitions``,
    ``workers``, ``client``; see docs/dask.md).
    """
    from .border import DurandLine
    from .readers.dedupe import find_duplicates

    started = time.perf_counter()
    engine = ENGINE_ALIASES.get(engine, engine)
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    formats = list(dict.fromkeys(formats))
    paths = [Path(p) for p in inputs] if inputs else [data.example_path()]
    border = border or DurandLine.default()
    ctx = Context(tuple(bands_km), strict, gazetteer, border)
    read_options = dict(read_options or {})
    run = RunInfo(border, tuple(bands_km), gazetteer, [p.name for p in paths], title, cdn,
                  cluster_threshold, marker_limit if marker_limit is not None else (
                      _default_marker_limit(engine, cluster_threshold)))
    result = BuildResult(engine=engine)
    counters = {"parts": 0}
    if engine == "dask":
        from .engine.dask import DaskRun

        dask_run = DaskRun(paths, ctx, read_options, input_format, formats=formats,
                           scheduler=scheduler,
                           partitions=partitions, block_bytes=block_bytes, workers=workers,
                           client=client, progress=progress)
        chunks = dask_run.chunks()
    else:
        chunks = _in_process(paths, ctx, read_options, input_format, counters)
        dask_run = None

    seen = SeenIds(_superseded(paths, input_format) if len(paths) > 1 else {})
    kept: list | None = []
    kept_rows = 0
    keys: dict[str, list] = {k: [] for k in ("id", "source", "lon", "lat", "start", "end")}
    out_dir = Path(out_dir)
    import contextlib

    try:
        outputs = Outputs(out_dir, formats, run)
        with contextlib.ExitStack() as stack:
            opened = False  # the outputs are staged at the first chunk to write: a run that
            for chunk in chunks:  # fails before it leaves no folder and no file behind
                if isinstance(chunk, DataError):
                    where = chunk.location or "input"
                    stats = result.files.setdefault(where.split(":")[0].split("!")[0],
                                                    FileStats(where))
                    stats.rejected["unreadable"] += 1
                    result.rejected.append(Problem(where, _message(chunk), "unreadable"))
                    continue
                gdf = _take(chunk, result, seen, run.credits)
                if gdf is None:
                    continue
                if not opened:
                    stack.enter_context(outputs)
                    opened = True
                outputs.write(gdf, chunk.prepared)
                if len(paths) > 1:  # links join different input files only
                    _keys(gdf, chunk.path, keys)
                if kept is not None and kept_rows + len(gdf) <= keep_incidents:
                    kept.append(gdf)
                    kept_rows += len(gdf)
                else:
                    kept = None
            if not result.count:
                if result.rejected:
                    first = result.rejected[0]
                    more = (f" (and {len(result.rejected) - 1} more bad record(s))"
                            if len(result.rejected) > 1 else "")
                    raise DataError(f"nothing to map: {first}{more}")
                raise DataError("no incidents to map", location=", ".join(map(str, paths)))
        result.outputs = dict(outputs.paths)
        result.map_kind, result.hex_cells = outputs.map_kind, outputs.hex_cells
        result.credits = list(run.credits)
    finally:
        if dask_run is not None:
            dask_run.close()
    result.parts = dask_run.parts if dask_run is not None else counters["parts"]
    result.workers = dask_run.workers if dask_run is not None else 1
    if kept:
        import geopandas as gpd
        import pandas as pd

        result.incidents = gpd.GeoDataFrame(pd.concat(kept, ignore_index=True), crs="EPSG:4326")
    if len(keys.get("_codes", ())) > 1:  # links join different sources only
        result.duplicates = find_duplicates(
            _IdView(keys["id"]), np.concatenate(keys["source"]), np.concatenate(keys["lon"]),
            np.concatenate(keys["lat"]), np.concatenate(keys["start"]),
            np.concatenate(keys["end"]), km=duplicate_km, days=duplicate_days)
    result.seconds = time.perf_counter() - started
    return result


class SeenIds:
    """Every incident id of a run, for the duplicate-id check across chunks and files, in
    about 32 bytes an id whatever the input size (:class:`~border_map.keyset.KeySet`, with
    the file number and line where each id was first seen). ``superseded``: path -> the ids
    a later file supersedes (readers.ids)."""

    def __init__(self, superseded: dict | None = None):
        from .keyset import KeySet

        self.superseded = superseded or {}
        self._files: list[str] = []
        self._file_numbers: dict[str, int] = {}
        self._keys = KeySet(payload=2)

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, ids: list[str], files: Sequence[str], lines: Sequence[int]) -> list:
        """Register a chunk's ids; for each, None when new, else where it was first seen
        (``(file, line)``; an id repeated inside the chunk points at its first row there)."""
        numbers = [self._number(f) for f in files]
        new, earlier = self._keys.add(ids, numbers, lines)
        out: list = [None] * len(ids)
        for i, prev in enumerate(earlier):
            if prev is None:
                continue
            if prev[0] == "batch":
                out[i] = (files[prev[1]], lines[prev[1]])
            else:
                out[i] = (self._files[prev[0]], prev[1])
        return out

    def _number(self, file: str) -> int:
        n = self._file_numbers.get(file)
        if n is None:
            n = self._file_numbers[file] = len(self._files)
            self._files.append(file)
        return n


class _IdView:
    """The run's incident ids, kept as Arrow string arrays (a few bytes an id, not a Python
    string each), indexed by position as :func:`find_duplicates` does."""

    def __init__(self, chunks: list):
        import pyarrow as pa

        self._ids = pa.chunked_array(chunks, type=pa.large_string())

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, i: int) -> str:
        return self._ids[int(i)].as_py()


def _superseded(paths, input_format) -> dict[str, set[str]]:
    """The copies of source events that a later file supersedes (readers.ids)."""
    from .readers import source_format
    from .readers.ids import superseded

    formats = []
    for path in paths:
        try:
            formats.append(source_format(path, input_format))
        except (DataError, OSError):
            formats.append("")
    try:
        return superseded(paths, formats)
    except OSError:
        return {}


def _default_marker_limit(engine: str, cluster_threshold) -> int:
    from .render.outputs import DEFAULT_MARKER_LIMIT

    return DEFAULT_MARKER_LIMIT


def _credits() -> dict[str, str]:
    from .sources import ATTRIBUTION

    return {k: v["attribution"] for k, v in ATTRIBUTION.items()}


_CREDITS = _credits()


def _take(chunk: Chunk, result: BuildResult, seen: SeenIds, credits=None):
    """Account for one chunk's rows; the analysed rows to write (duplicate ids left out)."""
    name = chunk.path
    stats = result.files.get(name)
    if stats is None:
        stats = result.files[name] = FileStats(name, chunk.format)
        credit = _CREDITS.get(chunk.format)
        if credit and credits is not None and credit not in credits:
            credits.append(credit)
    stats.rows += chunk.rows
    stats.ignored.update(chunk.ignored)
    for warning in chunk.warnings:
        log.warning(warning)
    for err in chunk.reader_problems:
        result.rejected.append(Problem(err.location or name, _message(err), "bad_record"))
        stats.rejected["bad_record"] += 1
    p = chunk.processed
    for prob in p.rejected:
        result.rejected.append(prob)
        stats.rejected[prob.reason] += 1
    gdf = p.incidents
    ids = gdf["id"].to_numpy(dtype=object)
    dup = np.zeros(len(gdf), dtype=bool)
    unplaced = {prob.location for prob in p.unplaced}
    files, lines = p.source_file, p.source_line.tolist()
    replaced = seen.superseded.get(name, ())
    id_list = ids.tolist()
    for i, ident in enumerate(id_list):
        if ident in replaced:  # a later file or release has this event: one incident
            dup[i] = True
            stats.ignored["superseded"] += 1
    keep = np.flatnonzero(~dup)
    firsts = seen.add([id_list[i] for i in keep], [files[i] for i in keep],
                      [lines[i] for i in keep])
    for i, prev in zip(keep.tolist(), firsts, strict=True):
        if prev is None:
            continue
        dup[i] = True
        first = f"{prev[0]}:{prev[1]}" if prev[0] and prev[1] else (prev[0] or "an earlier row")
        result.rejected.append(Problem(
            p.where(i), f"field 'id': duplicate incident id '{id_list[i]}' (also in {first})",
            "duplicate_id"))
        stats.rejected["duplicate_id"] += 1
    _warnings(gdf, p, dup, result, stats)
    if dup.any():
        dropped = {p.where(i) for i in np.flatnonzero(dup)}
        unplaced = {loc for loc in unplaced if loc not in dropped}
        gdf = gdf.loc[~dup].reset_index(drop=True)
        chunk.prepared = None  # (made for every row: made again for the rows kept)
    result.problems.extend(prob for prob in p.unplaced if prob.location in unplaced)
    stats.unplaced += len(p.unplaced)
    stats.incidents += len(gdf)
    geom = gdf.geometry
    stats.located += int((~(geom.isna() | geom.is_empty)).sum())
    if not len(gdf):
        return None
    return gdf


#: first locations listed per kind of warning
FIRST_WARNINGS = 3


def _warnings(gdf, p, dropped, result: BuildResult, stats: FileStats) -> None:
    """Count the rows' source warnings by kind (before ``gdf`` lost its dropped rows)."""
    if "source_warnings" not in gdf.columns:
        return
    for i, items in enumerate(gdf["source_warnings"].tolist()):
        if not isinstance(items, str) or not items or dropped[i]:
            continue
        for text in items.split("; "):  # the output joins a record's warnings with "; "
            kind = warning_kind(text)
            stats.warned[kind] += 1
            entry = result.warnings.setdefault(kind, [0, []])
            entry[0] += 1
            if len(entry[1]) < FIRST_WARNINGS:
                entry[1].append(f"{p.where(i)} ({text})")


def _keys(gdf, source: str, keys: dict) -> None:
    """The columns that possible duplicates are found by, kept for the end of the run."""
    import shapely

    geoms = gdf.geometry.to_numpy()
    located = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    lon = np.full(len(gdf), np.nan)
    lat = np.full(len(gdf), np.nan)
    if located.any():
        xy = shapely.get_coordinates(geoms[located])
        lon[located], lat[located] = xy[:, 0], xy[:, 1]
    import pyarrow as pa

    keys["id"].append(pa.array(gdf["id"].to_numpy(dtype=object), type=pa.large_string()))
    code = keys.setdefault("_codes", {}).setdefault(source, len(keys["_codes"]))
    keys["source"].append(np.full(len(gdf), code, dtype=np.int32))  # the file, as a number
    keys["lon"].append(lon)
    keys["lat"].append(lat)
    for col, key in (("date_start", "start"), ("date_end", "end")):
        days = np.asarray(gdf[col].to_numpy(dtype="datetime64[D]"), dtype=np.int64) + 719163
        keys[key].append(days)


def _message(err: DataError) -> str:
    return f"field '{err.field}': {err.message}" if err.field else err.message


# -- library helpers ---------------------------------------------------------------------


def analyse_incidents(incidents, *, gazetteer=None, border=None,
                      bands_km=DEFAULT_BANDS_KM, strict: bool = False):
    """Incident objects (e.g. from a notebook) analysed as one chunk: ``(gdf, problems)``."""
    from .model.table import from_incidents

    ctx = Context(tuple(bands_km), strict, gazetteer, border)
    processed = process_table(from_incidents(incidents), ctx)
    return processed.incidents, processed.unplaced + processed.rejected


def load_all(paths: Iterable[str | Path], *, input_format: str | None = None,
             problems: list[Problem] | None = None, **read_options) -> list:
    """Incidents from several files of any readable format; ids must be unique across them.

    With a ``problems`` list, bad records and unreadable files are appended to it and left
    out; without one, the first raises :class:`DataError`.
    """
    from .readers import read_source

    incidents: list = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            read = read_source(path, input_format, strict=problems is None, **read_options)
        except DataError as err:
            if problems is None:
                raise
            problems.append(Problem(err.location or str(path), _message(err)))
            continue
        for warning in read.warnings:
            log.warning(warning)
        if problems is not None:
            problems.extend(Problem(err.location or str(path), _message(err))
                            for err in read.problems)
        for inc in read.incidents:
            where = (f"{inc.source_file}:{inc.source_line}" if inc.source_line
                     else inc.source_file or f"incident {inc.id}")
            if inc.id in seen:
                err = DataError(f"duplicate incident id '{inc.id}' (also in {seen[inc.id]})",
                                location=where, field="id")
                if problems is None:
                    raise err
                problems.append(Problem(where, _message(err)))
                continue
            seen[inc.id] = where
            incidents.append(inc)
    return incidents
