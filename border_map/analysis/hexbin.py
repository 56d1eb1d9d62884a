"""Hexagon aggregates of analysed incidents: counts and claim totals by band, side and period.

Cells are H3 hexagons (``h3`` package; resolution 5 by default, about 250 km² a
cell). Everything here is a pure function over a (partition of the) analysed frame:

* :func:`summarise` (per partition) and :func:`combine_counts`: the long table, one
  row per (cell, band, side, period) with the number of incidents and the sum of
  their ``claim_count``; partial tables of any partitioning combine to the same result;
* :func:`summarise` and :func:`combine_drill`: up to ``limit`` incidents per cell
  (most recent first, then by id) for the map's drill-down;
* :func:`cell_frame`: one hexagon polygon per cell with its totals and breakdowns.

Only located incidents are binned; ``band`` is the band label (``"5"``, ``"10"``,
..., ``"beyond"``), ``side`` is AF, PK or ``"none"`` (on the line / outside both).
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

DEFAULT_RESOLUTION = 5
PERIODS = ("year", "month", "week")
DEFAULT_PERIOD = "month"
DEFAULT_DRILL_LIMIT = 10
COUNT_KEYS = ("cell", "band", "side", "period")
DRILL_COLUMNS = ("cell", "id", "date", "event_type", "side", "band", "distance_to_border_km",
                 "place")


def _h3():
    try:
        import h3
    except ImportError as err:  # pragma: no cover - the dask extra installs it
        from ..errors import BorderMapError

        raise BorderMapError("hexagon aggregates need the 'h3' package: "
                             "pip install 'border-map[dask]'") from err
    return h3


def cell_ids(lon, lat, resolution: int = DEFAULT_RESOLUTION) -> np.ndarray:
    """H3 cell of each point, as a 64-bit integer (:func:`cell_names` gives the text ids).

    Each distinct coordinate pair is looked up once: GDELT geocodes to gazetteer
    features, so real exports repeat the same points many times.
    """
    from h3.api import basic_int

    _h3()
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if not len(lon):
        return np.zeros(0, dtype=np.int64)
    codes, uniq = pd.factorize(lon + 1j * lat)
    to_cell = basic_int.latlng_to_cell
    # h3 takes (lat, lng): the one place here where the order flips
    cells = np.fromiter((to_cell(y, x, resolution) for x, y in zip(
        uniq.real.tolist(), uniq.imag.tolist(), strict=True)), dtype=np.int64, count=len(uniq))
    return cells[codes]


def cell_names(cells) -> np.ndarray:
    h3 = _h3()
    return np.array([h3.int_to_str(int(c)) for c in cells], dtype=object)


def day_numbers(dates) -> np.ndarray:
    """Days since 1970-01-01 of each ISO date (text); :data:`NO_DAY` where there is none."""
    arr = pa.array(pd.Series(dates).astype("string"), type=pa.string(), from_pandas=True)
    ts = pc.strptime(arr, format="%Y-%m-%d", unit="s", error_is_null=True)
    days = pc.cast(pc.cast(ts, pa.date32()), pa.int32())
    return pc.fill_null(days, NO_DAY).to_numpy(zero_copy_only=False).astype(np.int64)


NO_DAY = -(2**31)


def periods(dates, period: str = DEFAULT_PERIOD) -> np.ndarray:
    """Period label of each ISO date: ``2021``, ``2021-03`` or ``2021-W10``; 'unknown' if none."""
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; use one of {', '.join(PERIODS)}")
    days = day_numbers(dates)
    codes, uniq = pd.factorize(days)  # label each distinct day once
    when = pd.to_datetime(np.where(uniq == NO_DAY, 0, uniq), unit="D")
    if period == "year":
        labels = when.strftime("%Y")
    elif period == "month":
        labels = when.strftime("%Y-%m")
    else:
        cal = when.isocalendar()
        labels = [f"{y}-W{w:02d}" for y, w in zip(cal["year"], cal["week"], strict=True)]
    labels = np.array(labels, dtype=object)
    labels[uniq == NO_DAY] = "unknown"
    return labels[codes]


def band_labels(band_km) -> np.ndarray:
    b = np.asarray(band_km, dtype=float)
    uniq, inv = np.unique(b, return_inverse=True)  # NaN (beyond the widest band) sorts last
    names = np.array(["beyond" if np.isnan(v) else f"{v:g}" for v in uniq.tolist()], dtype=object)
    return names[inv.reshape(-1)]


def _codes(values) -> tuple[np.ndarray, np.ndarray]:
    codes, uniq = pd.factorize(np.asarray(values, dtype=object))
    return codes.astype(np.int64), np.asarray(uniq, dtype=object)


def summarise(gdf: gpd.GeoDataFrame, resolution: int = DEFAULT_RESOLUTION,
              period: str = DEFAULT_PERIOD,
              drill_limit: int = DEFAULT_DRILL_LIMIT) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Partial counts (see :func:`combine_counts`) and drill-down candidates of a partition."""
    geoms = gdf.geometry.to_numpy()
    located = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    rows = np.flatnonzero(located)
    if not len(rows):
        return _empty_counts(), _empty_drill()
    xy = shapely.get_coordinates(geoms[located])
    cells = cell_ids(xy[:, 0], xy[:, 1], resolution)
    side = gdf["side"].to_numpy(dtype=object, na_value=None)[rows]
    side = np.where(pd.isna(side), "none", side)
    dates = gdf["date"].iloc[rows]
    keys = {"cell": _codes(cells), "band": _codes(band_labels(gdf["band_km"].to_numpy()[rows])),
            "side": _codes(side), "period": _codes(periods(dates, period))}
    # one integer per (cell, band, side, period): counted with NumPy, not a groupby
    key = np.zeros(len(rows), dtype=np.int64)
    for codes, uniq in keys.values():
        key = key * len(uniq) + codes
    uniq_key, inv = np.unique(key, return_inverse=True)
    inv = inv.reshape(-1)
    claims = gdf["claim_count"].to_numpy(dtype=np.int64)[rows]
    out = {}
    rest = uniq_key
    for name, (_, uniq) in reversed(list(keys.items())):
        out[name] = uniq[rest % len(uniq)]
        rest = rest // len(uniq)
    out["cell"] = cell_names(out["cell"])
    counts = pd.DataFrame({k: out[k] for k in COUNT_KEYS})
    counts["count"] = np.bincount(inv).astype(np.int64)
    counts["claims"] = np.bincount(inv, weights=claims).round().astype(np.int64)
    return counts, _drill_candidates(gdf, rows, cells, dates, keys, drill_limit)


def _drill_candidates(gdf, rows, cells, dates, keys, limit: int) -> pd.DataFrame:
    """Up to ``limit`` incidents per cell: the most recent, ties broken by id and place.

    Candidates are first cut with integer sorts (every row whose date reaches its
    cell's ``limit``-th most recent date), then ordered exactly.
    """
    if limit <= 0:
        return _empty_drill()
    days = day_numbers(dates)  # no date (NO_DAY): the oldest
    cell_code = keys["cell"][0]
    order = np.lexsort((-days, cell_code))
    sorted_cells = cell_code[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_cells)) + 1]
    sizes = np.diff(np.r_[starts, len(order)])
    nth = starts + np.minimum(sizes, limit) - 1  # position of each cell's limit-th date
    threshold = np.empty(keys["cell"][1].shape[0], dtype=np.int64)
    threshold[sorted_cells[starts]] = days[order][nth]
    keep = rows[days >= threshold[cell_code]]
    pick = np.flatnonzero(days >= threshold[cell_code])
    sub = gdf.iloc[keep]
    side = sub["side"].to_numpy(dtype=object, na_value=None)
    frame = pd.DataFrame({
        "cell": cell_names(cells[pick]),
        "id": sub["id"].to_numpy(dtype=object, na_value=None),
        "date": sub["date"].to_numpy(dtype=object, na_value=None),
        "event_type": sub["event_type"].to_numpy(dtype=object, na_value=None),
        "side": np.where(pd.isna(side), "none", side),
        "band": band_labels(sub["band_km"].to_numpy()),
        "distance_to_border_km": sub["distance_to_border_km"].to_numpy(dtype=float),
        "place": sub["place"].to_numpy(dtype=object, na_value=None),
    })
    return _order(frame).groupby("cell", sort=False).head(limit).reset_index(drop=True)


def _empty_counts() -> pd.DataFrame:
    return pd.DataFrame({**{k: pd.Series([], dtype=object) for k in COUNT_KEYS},
                         "count": pd.Series([], dtype=np.int64),
                         "claims": pd.Series([], dtype=np.int64)})


def _empty_drill() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=float if c == "distance_to_border_km" else object)
                         for c in DRILL_COLUMNS})


def _order(frame: pd.DataFrame) -> pd.DataFrame:
    # most recent first; ties broken by id and then every other column: deterministic
    date = frame["date"].fillna("")
    return (frame.assign(_date=date)
            .sort_values(["cell", "_date", "id", "place", "event_type"],
                         ascending=[True, False, True, True, True], na_position="last",
                         kind="mergesort")
            .drop(columns="_date"))


def combine_counts(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Add up partial count tables; sorted by the keys, so any partitioning gives the same table."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return _empty_counts()
    both = pd.concat(parts, ignore_index=True)
    out = both.groupby(list(COUNT_KEYS), sort=True).agg(count=("count", "sum"),
                                                        claims=("claims", "sum")).reset_index()
    for k in COUNT_KEYS:
        out[k] = out[k].astype(object)
    out["count"] = out["count"].astype(np.int64)
    out["claims"] = out["claims"].astype(np.int64)
    return out


def combine_drill(parts: Sequence[pd.DataFrame], limit: int = DEFAULT_DRILL_LIMIT) -> pd.DataFrame:
    """Merge drill-down candidates: up to ``limit`` per cell, in a fixed order."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return _empty_drill()
    both = pd.concat(parts, ignore_index=True)
    return _order(both).groupby("cell", sort=False).head(limit).reset_index(drop=True)


def cell_polygons(cells: Sequence[str]) -> list:
    """Hexagon polygon (lon/lat) of each H3 cell."""
    h3 = _h3()
    out = []
    for cell in cells:
        ring = [(lng, lat) for lat, lng in h3.cell_to_boundary(cell)]  # h3 gives (lat, lng)
        out.append(shapely.Polygon(ring))
    return out


def cell_frame(counts: pd.DataFrame) -> gpd.GeoDataFrame:
    """One hexagon per cell: ``count``, ``claims`` and the breakdowns by side, band and period."""
    if not len(counts):
        return gpd.GeoDataFrame({"cell": [], "count": [], "claims": [], "by_side": [],
                                 "by_band": [], "by_period": []},
                                geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")
    totals = counts.groupby("cell", sort=True).agg(count=("count", "sum"),
                                                   claims=("claims", "sum"))

    def breakdown(key):
        g = counts.groupby(["cell", key], sort=True)["count"].sum()
        out: dict[str, dict] = {}
        for (cell, k), v in g.items():
            out.setdefault(cell, {})[k] = int(v)
        return out

    by_side, by_band, by_period = breakdown("side"), breakdown("band"), breakdown("period")
    band_order = {"beyond": float("inf")}

    def band_sorted(d):
        return dict(sorted(d.items(), key=lambda kv: band_order.get(kv[0])
                           or float(kv[0])))

    cells = totals.index.tolist()
    return gpd.GeoDataFrame({
        "cell": cells,
        "count": totals["count"].astype(np.int64).to_numpy(),
        "claims": totals["claims"].astype(np.int64).to_numpy(),
        "by_side": [by_side[c] for c in cells],
        "by_band": [band_sorted(by_band[c]) for c in cells],
        "by_period": [by_period[c] for c in cells],
    }, geometry=gpd.GeoSeries(cell_polygons(cells), crs="EPSG:4326"), crs="EPSG:4326")
