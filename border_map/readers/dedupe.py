"""The same event reported by several sources (a clash in ACLED and in UCDP): linked, not dropped.

Two incidents are *possible duplicates* when they come from different sources (input files),
their points are at most ``km`` apart (great-circle) and their date spans are at most
``days`` apart (0 when they overlap). Nothing is merged: each incident keeps its claims, and
each lists the ids of the others. Within one source, two events on the same day at the same
place are the source's own decision (ACLED codes separate events at one town), so they are
not linked.

Candidate pairs come from a grid of cells ``km`` wide (a point is compared only with points
in its own and the eight neighbouring cells), so the cost grows with the number of nearby
pairs, not with n².
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..geo import KM_PER_DEG, haversine_km

__all__ = ["DEFAULT_DAYS", "DEFAULT_KM", "DuplicateLink", "find_duplicates", "link_map"]

DEFAULT_KM = 5.0
DEFAULT_DAYS = 1


@dataclass(frozen=True, slots=True)
class DuplicateLink:
    """Two incidents from different sources that may be one event."""

    a: str
    b: str
    distance_km: float
    days_apart: int


def find_duplicates(ids: Sequence[str], sources: Sequence[str], lon, lat, start_day, end_day, *,
                    km: float = DEFAULT_KM, days: int = DEFAULT_DAYS) -> list[DuplicateLink]:
    """Possible duplicates among incidents given as parallel arrays.

    ``lon``/``lat`` in degrees (NaN: unlocated, never linked); ``start_day``/``end_day`` as
    integer day numbers (e.g. ``date.toordinal()``). Links are sorted by (a, b) with a < b.
    """
    if km < 0 or days < 0:
        raise ValueError("the duplicate window must not be negative")
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    start = np.asarray(start_day, dtype=np.int64)
    end = np.asarray(end_day, dtype=np.int64)
    sources = np.asarray(sources)
    if sources.dtype.kind not in "iu":  # names: numbered (the pipeline passes numbers)
        sources = np.unique(sources.astype(object).astype(str), return_inverse=True)[1]
    source_codes = sources.reshape(-1)
    located = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    if len(located) < 2 or len(np.unique(source_codes[located])) < 2:
        return []
    # cells km wide; a degree of longitude is shortest at the region's northern edge (~39N)
    cell_lat = max(km, 1e-3) / KM_PER_DEG
    cell_lon = cell_lat / math.cos(math.radians(40.0))
    cx = np.floor(lon[located] / cell_lon).astype(np.int64)  # (NaN has no cell)
    cy = np.floor(lat[located] / cell_lat).astype(np.int64)
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, x, y in zip(located.tolist(), cx.tolist(), cy.tolist(), strict=True):
        cells[(x, y)].append(i)
    cell_arrays = {k: np.asarray(v) for k, v in cells.items()}
    links: list[DuplicateLink] = []
    for (x, y), members in cell_arrays.items():
        neighbours = [cell_arrays[(x + dx, y + dy)] for dx in (-1, 0, 1) for dy in (-1, 0, 1)
                      if (x + dx, y + dy) in cell_arrays]
        others = np.concatenate(neighbours)
        for i in members:
            cand = others[others > i]  # each pair once
            if not len(cand):
                continue
            cand = cand[source_codes[cand] != source_codes[i]]
            if not len(cand):
                continue
            gap = np.maximum(0, np.maximum(start[cand], start[i]) - np.minimum(end[cand], end[i]))
            cand, gap = cand[gap <= days], gap[gap <= days]
            if not len(cand):
                continue
            dist = haversine_km(lon[i], lat[i], lon[cand], lat[cand])
            for j, d, g in zip(cand[dist <= km], dist[dist <= km], gap[dist <= km], strict=True):
                a, b = sorted((ids[i], ids[int(j)]))
                links.append(DuplicateLink(a, b, round(float(d), 3), int(g)))
    links.sort(key=lambda link: (link.a, link.b))
    return links


def link_map(links: Sequence[DuplicateLink]) -> dict[str, list[str]]:
    """Incident id -> sorted ids of its possible duplicates."""
    out: dict[str, set[str]] = defaultdict(set)
    for link in links:
        out[link.a].add(link.b)
        out[link.b].add(link.a)
    return {k: sorted(v) for k, v in out.items()}
