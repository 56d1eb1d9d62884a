"""The dask engine: the columnar path, one partition per task, on a dask.distributed cluster.

Locally it starts a ``LocalCluster`` on the loopback interface (one single-threaded
worker process per core); given ``scheduler`` (``tcp://host:8786``) it runs on
that cluster instead. Each task reads one :class:`~border_map.engine.columnar.Chunk`
(a byte range of a CSV/GDELT file, or Parquet row groups), screens, places and
analyses it with the same functions as the in-memory engine, writes its GeoParquet
part file and returns only small things: row counts, partial hexagon counts and
drill-down candidates. So

* memory stays bounded: no process ever holds more than a few partitions, and the
  client only the aggregates;
* each partition is read and analysed exactly once, whatever outputs are made;
* progress is exact (partitions done, rows read).

On a multi-machine cluster the input files and the output folder must be on a
path every worker sees (a shared file system); see ``docs/dask.md``.
:func:`analysed_frame` gives the same analysis as a lazy dask-geopandas
GeoDataFrame, and :func:`read_incidents` opens the written GeoParquet with
dask-geopandas, for work that continues in dask.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import shutil
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from ..border import DEFAULT_BANDS_KM
from ..errors import BorderMapError
from . import hexbin
from .columnar import (
    DEFAULT_BLOCKSIZE,
    Chunk,
    ChunkStats,
    analyse_frame,
    normalise,
    plan,
    process_chunk,
)
from .outputs import (
    EngineResult,
    replace_dir,
    summarise_partition,
    to_geoparquet,
    write_outputs,
)
from .progress import Progress

log = logging.getLogger(__name__)

#: Partial aggregates are folded together every this many partitions (bounded client memory).
_FOLD_EVERY = 16


def _run_partition(chunk: Chunk, parts_dir: str, bands_km, strict: bool, resolution: int,
                   period: str, drill_limit: int):
    """One task: analyse a chunk, write its part file, return stats and partial aggregates."""
    from .. import border as border_mod

    border_mod.set_threads(1)  # dask already runs one task per core: no nested thread pool
    gdf, stats = process_chunk(chunk, bands_km=bands_km, strict=strict, threads=False)
    to_geoparquet(gdf, Path(parts_dir) / f"part.{chunk.index:05d}.parquet")
    counts, drill = summarise_partition(gdf, resolution=resolution, period=period,
                                        drill_limit=drill_limit)
    return stats, counts, drill


@contextlib.contextmanager
def connect(scheduler: str | None = None, *, workers: int | None = None, processes: bool = True,
            memory_limit: str | int = "auto"):
    """A dask.distributed Client: on ``scheduler``, or on a new loopback LocalCluster.

    The local cluster has ``workers`` single-threaded workers (default: one per
    core), in separate processes unless ``processes`` is False, and no dashboard.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as err:
        raise BorderMapError("the dask engine needs the 'dask' extra: "
                             "pip install 'border-map[dask]'") from err
    # distributed logs every worker start and stop at INFO: follow border-map's own level
    logging.getLogger("distributed").setLevel(max(logging.WARNING, logging.getLogger().level))
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as err:
            raise BorderMapError(f"cannot reach the dask scheduler at {scheduler}: {err}") from err
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                           processes=processes, protocol="tcp", host="127.0.0.1",
                           dashboard_address=None,
                           memory_limit=memory_limit,
                           # a bad input is one line from the client, not a worker traceback
                           silence_logs=logging.CRITICAL)
    try:
        with Client(cluster) as client:
            yield client
    finally:
        cluster.close()


def run_dask(paths: Sequence[str | os.PathLike], out_dir: str | os.PathLike = "outputs", *,
             scheduler: str | None = None, partitions: int | None = None,
             blocksize: int | None = None, workers: int | None = None, processes: bool = True,
             client=None, bands_km: Sequence[float] = DEFAULT_BANDS_KM, strict: bool = False,
             progress: bool = False, resolution: int = hexbin.DEFAULT_RESOLUTION,
             period: str = hexbin.DEFAULT_PERIOD, drill_limit: int = hexbin.DEFAULT_DRILL_LIMIT,
             **output_options) -> EngineResult:
    """Analyse ``paths`` on dask and write the outputs of :mod:`border_map.engine.outputs`.

    ``partitions`` asks for about that many partitions; otherwise text files are
    cut into ``blocksize`` bytes (64 MiB). ``client`` reuses a connected
    ``distributed.Client`` instead of connecting to ``scheduler`` or starting a
    local cluster.
    """
    started = time.perf_counter()
    auto = partitions is None and blocksize is None
    if auto:
        blocksize = DEFAULT_BLOCKSIZE
    chunks = plan(paths, blocksize=blocksize, partitions=partitions)  # bad input fails here
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    parts_dir = out / f".incidents.parquet.{uuid.uuid4().hex[:12]}.tmp"
    parts_dir.mkdir()
    stats = ChunkStats()
    counts_parts: list = []
    drill_parts: list = []
    bar = None
    ctx = contextlib.nullcontext(client) if client is not None else connect(
        scheduler, workers=workers, processes=processes)
    try:
        with ctx as cl:
            from distributed import as_completed

            info = cl.scheduler_info()
            n_workers = len(info.get("workers", {})) or 1
            if auto:
                chunks = balance(chunks, paths, n_workers)
            bar = Progress(len(chunks), enabled=progress, unit="partition")
            run = uuid.uuid4().hex[:8]
            futures = [cl.submit(_run_partition, c, str(parts_dir), tuple(bands_km), strict,
                                 resolution, period, drill_limit,
                                 key=f"border-map-{run}-{c.index:05d}", pure=False)
                       for c in chunks]
            try:
                for fut in as_completed(futures):
                    part_stats, counts, drill = fut.result()
                    fut.release()
                    stats = stats + part_stats
                    counts_parts.append(counts)
                    drill_parts.append(drill)
                    if len(counts_parts) >= _FOLD_EVERY:
                        counts_parts = [hexbin.combine_counts(counts_parts)]
                        drill_parts = [hexbin.combine_drill(drill_parts, drill_limit)]
                    bar.update(1, rows=part_stats.rows)
            except BaseException:
                for fut in futures:
                    fut.cancel()
                raise
        result = EngineResult(engine="dask", stats=stats, partitions=len(chunks),
                              workers=n_workers)
        result.outputs["incidents"] = replace_dir(parts_dir, out / "incidents.parquet")
    except BaseException:
        shutil.rmtree(parts_dir, ignore_errors=True)
        raise
    write_outputs(result, out, counts=hexbin.combine_counts(counts_parts),
                  drill=hexbin.combine_drill(drill_parts, drill_limit), bands_km=bands_km,
                  resolution=resolution, period=period, drill_limit=drill_limit,
                  **output_options)
    result.seconds = time.perf_counter() - started
    bar.close(result.summary_line())
    return result


def balance(chunks: list[Chunk], paths: Sequence[str | os.PathLike],
            n_workers: int) -> list[Chunk]:
    """Re-cut the input into a multiple of ``n_workers`` partitions of equal size, none
    larger than :data:`~border_map.engine.columnar.DEFAULT_BLOCKSIZE`.

    64 MiB blocks cut a 209 MB input into 3 full tasks and a small one, so one of 2
    workers runs a whole task alone at the end; 4 tasks of 52 MB finish together.
    (More, smaller tasks cost more than the straggler they save: each writes a part file.)
    """
    total = sum(c.nbytes for c in chunks)
    workers = max(1, n_workers)
    parts = workers * max(1, math.ceil(total / (workers * DEFAULT_BLOCKSIZE)))
    if parts <= 1:
        return chunks
    return plan(paths, blocksize=math.ceil(total / parts))


def _analysed_chunk(chunk: Chunk, bands_km) -> object:
    from .. import border as border_mod

    border_mod.set_threads(1)
    return process_chunk(chunk, bands_km=bands_km, threads=False)[0]


def empty_output(bands_km: Sequence[float] = DEFAULT_BANDS_KM):
    """An empty analysed frame with the output schema (dask's ``meta``)."""
    import pyarrow as pa

    from .columnar import GDELT_READ, screen

    table = pa.table({n: pa.array([], pa.string()) for n in GDELT_READ})
    frame, _ = screen(normalise(table, "gdelt"))
    return analyse_frame(frame.assign(place_id=frame["id"]), bands_km)


def analysed_frame(paths: Sequence[str | os.PathLike], *, partitions: int | None = None,
                   blocksize: int | None = None, bands_km: Sequence[float] = DEFAULT_BANDS_KM):
    """The analysed incidents as a lazy dask-geopandas GeoDataFrame (one partition per chunk).

    Rows dropped by screening are not counted here; :func:`run_dask` reports them.
    """
    import dask.dataframe as dd
    import dask_geopandas  # noqa: F401 - registers the GeoDataFrame collection type

    if partitions is None and blocksize is None:
        blocksize = DEFAULT_BLOCKSIZE
    chunks = plan(paths, blocksize=blocksize, partitions=partitions)
    return dd.from_map(_analysed_chunk, chunks, bands_km=tuple(bands_km),
                       meta=empty_output(bands_km), enforce_metadata=False)


def read_incidents(path: str | os.PathLike):
    """The analysed incidents written by either engine, as a dask-geopandas GeoDataFrame."""
    import dask_geopandas

    return dask_geopandas.read_parquet(str(path))
