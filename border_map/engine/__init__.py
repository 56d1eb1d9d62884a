"""Engines for large tabular inputs: CSV, GDELT 2.0 exports and (Geo)Parquet.

Two engines run the same per-partition functions of :mod:`.columnar` and write
the same outputs (:mod:`.outputs`):

* ``columnar``: in memory, the whole input in one frame (no Incident objects);
* ``dask``: partition by partition on a dask.distributed cluster, local or remote
  (:mod:`.dask_engine`; needs the ``dask`` extra).

The in-memory engine of :mod:`border_map.pipeline` (YAML/JSON incident files with
claims) is separate; ``border-map build --engine`` chooses among the three.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from .columnar import GDELT_COLUMNS, OUTPUT_COLUMNS, Chunk, ChunkStats, plan, run_columnar
from .outputs import EngineResult

ENGINES = ("columnar", "dask")


def build_large(paths: Sequence[str | os.PathLike], out_dir: str | os.PathLike = "outputs", *,
                engine: str = "dask", **options) -> EngineResult:
    """Run ``engine`` ('columnar' or 'dask') over ``paths``; see :func:`run_columnar`
    and :func:`border_map.engine.dask_engine.run_dask` for the options."""
    if engine == "columnar":
        return run_columnar(paths, out_dir, **options)
    if engine == "dask":
        from .dask_engine import run_dask

        return run_dask(paths, out_dir, **options)
    raise ValueError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")


__all__ = ["ENGINES", "GDELT_COLUMNS", "OUTPUT_COLUMNS", "Chunk", "ChunkStats", "EngineResult",
           "build_large", "plan", "run_columnar"]
