"""The dask engine: where parts are processed, nothing else.

The inputs are planned into parts (:func:`border_map.readers.plan_parts`: byte ranges cut at
record boundaries, row groups of Parquet files, whole compressed or native files); each part
runs :func:`border_map.pipeline.process_part` on a worker of a dask.distributed cluster (a
loopback ``LocalCluster`` of one single-threaded worker per core by default, or the
scheduler given), with what the writers make of each chunk alone
(:func:`border_map.render.outputs.prepare`: feature texts, GeoPackage and GeoParquet tables,
summary sums), and the chunks come back to :func:`border_map.pipeline.build` in input order,
which writes every output from them exactly as for the in-process engine. At most
``2 × workers`` parts are in flight, so memory stays bounded whatever the input size.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..errors import BorderMapError, DataError

log = logging.getLogger(__name__)

#: Bytes per part when neither ``partitions`` nor ``block_bytes`` is given. Smaller parts
#: keep less in flight (a part's chunks and their feature text wait whole for the driver):
#: at 1M ACLED rows, 32 MiB parts peaked at 2.7 GB and ran 1.06x the in-process engine;
#: 8 MiB parts peak at 1.0 GB and run 1.25x (4 MiB: 0.95 GB, 1.17x).
DEFAULT_PART_BYTES = 8 * 2**20


def _distributed():
    try:
        import distributed
    except ImportError as err:
        raise BorderMapError("--engine dask needs the 'dask' extra: "
                             "pip install 'border-map[dask]'") from err
    return distributed


@contextlib.contextmanager
def connect(scheduler: str | None = None, *, workers: int | None = None, processes: bool = True,
            memory_limit: str | int = "auto"):
    """A dask.distributed Client: on ``scheduler``, or on a new loopback LocalCluster."""
    distributed = _distributed()
    logging.getLogger("distributed").setLevel(max(logging.WARNING, logging.getLogger().level))
    if scheduler:
        try:
            client = distributed.Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as err:
            raise BorderMapError(f"cannot reach the dask scheduler at {scheduler}: {err}") from err
        try:
            yield client
        finally:
            client.close()
        return
    cluster = distributed.LocalCluster(
        n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=processes,
        protocol="tcp", host="127.0.0.1", dashboard_address=None, memory_limit=memory_limit,
        silence_logs=logging.CRITICAL)  # a bad input is one line from the client
    try:
        with distributed.Client(cluster) as client:
            yield client
    finally:
        cluster.close()


def _run_part(part, ctx, read_options: dict, formats: tuple[str, ...]):
    """One task: every analysed chunk of one part, each with what the writers of ``formats``
    make of it alone (feature texts, GeoPackage and GeoParquet tables, summary sums: made
    here, on the worker, so the driver only appends), or the part's DataError."""
    from .. import border as border_mod
    from ..pipeline import process_part
    from ..render.outputs import prepare

    border_mod.set_threads(1)  # one task per core already: no nested thread pool
    try:
        chunks = list(process_part(part, ctx, read_options))
    except DataError as err:
        return err
    for chunk in chunks:
        chunk.prepared = prepare(chunk.processed.incidents, formats)
    return chunks


class DaskRun:
    """The parts of one build on a cluster, their chunks yielded in input order."""

    def __init__(self, paths: Sequence[Path], ctx, read_options: dict, input_format, *,
                 formats: Sequence[str] = (), scheduler=None, partitions=None, block_bytes=None,
                 workers=None, client=None, progress: bool = False, processes: bool = True):
        _distributed()
        from ..readers import plan_parts, source_format

        self.ctx, self.read_options = ctx, read_options
        self.formats = tuple(formats)
        self.progress = progress
        formats = []
        for path in paths:
            try:
                formats.append(source_format(path, input_format))
            except DataError as err:
                if ctx.strict:
                    raise
                formats.append(err)
        sizes = sum(Path(p).stat().st_size for p in paths if Path(p).is_file())
        if block_bytes is None:
            block_bytes = (max(1 << 16, math.ceil(sizes / partitions)) if partitions
                           else DEFAULT_PART_BYTES)
        self.plan: list = []
        for path, fmt in zip(paths, formats, strict=True):
            if isinstance(fmt, DataError):
                self.plan.append(fmt)
                continue
            self.plan.extend(plan_parts(path, fmt, block_bytes=block_bytes))
        self.parts = sum(1 for p in self.plan if not isinstance(p, DataError))
        self._ctx = contextlib.ExitStack()
        if client is None:
            client = self._ctx.enter_context(connect(scheduler, workers=workers,
                                                     processes=processes))
        self.client = client
        self.workers = len(client.scheduler_info().get("workers", {})) or 1

    def chunks(self) -> Iterator:
        from .progress import Progress

        bar = Progress(max(self.parts, 1), enabled=self.progress, unit="part")
        window = 2 * self.workers
        pending: deque = deque()
        todo = iter(self.plan)

        def submit() -> bool:
            part = next(todo, None)
            if part is None:
                return False
            if isinstance(part, DataError):
                pending.append(part)
            else:
                pending.append(self.client.submit(_run_part, part, self.ctx, self.read_options,
                                                  self.formats, pure=False))
            return True

        for _ in range(window):
            if not submit():
                break
        try:
            while pending:
                fut = pending.popleft()
                submit()
                if isinstance(fut, DataError):
                    yield fut
                    continue
                out = fut.result()
                fut.release()
                if isinstance(out, DataError):
                    if self.ctx.strict:
                        raise out
                    yield out
                    continue
                bar.update(1, rows=sum(c.rows for c in out))
                yield from out
        except BaseException:
            for fut in pending:
                if not isinstance(fut, DataError):
                    fut.cancel()
            raise
        bar.close(f"{bar.rows:,} rows in {self.parts} part(s) on {self.workers} worker(s)")

    def close(self) -> None:
        self._ctx.close()
