"""Engines decide where the pipeline's parts are processed, nothing else.

* in-process (default): :func:`border_map.pipeline.build` reads and processes each block of
  each input as it goes;
* :mod:`.dask`: the same parts on a dask.distributed cluster, local or remote (needs the
  ``dask`` extra).

Both hand the analysed chunks, in input order, to the same writers
(:mod:`border_map.render.outputs`); :mod:`.synthetic` makes large test inputs.
"""

from __future__ import annotations

__all__: list[str] = []
