"""Incidents against the Durand Line: distance, side, band, chainage.

Pure functions over a GeoDataFrame of incident points in WGS 84 (lon/lat):
no Python loop per incident, nothing global, so the same functions can later run
per partition on a distributed engine.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..border import DEFAULT_BANDS_KM, DurandLine, band_km
from ..errors import DataError, OutOfRegionError
from ..model.region import REGION_BOUNDS, outside, region_message  # noqa: F401 - re-exported

ANALYSIS_COLUMNS = (
    "distance_to_border_km", "side", "side_conflict", "band_km", "band_certainty",
    "sector", "nearest_lon", "nearest_lat", "chainage_km",
)


def check_region(lon, lat, labels: Sequence[str] | None = None) -> None:
    """Raise :class:`OutOfRegionError` for the first point that cannot be in the region.

    NaN is allowed (an unlocated incident); infinities, out-of-range values and
    points outside :data:`REGION_BOUNDS` are not. A point that would be inside the
    region with latitude and longitude exchanged is named as a swap.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    bad = np.flatnonzero(outside(lon, lat))
    if not len(bad):
        return
    i = int(bad[0])
    if labels is None:
        who = f"point {i}"
    else:
        who = str(labels.iloc[i] if hasattr(labels, "iloc") else labels[i])
    msg = region_message(float(lon[i]), float(lat[i]))
    extra = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
    raise OutOfRegionError(msg + extra, location=who)


def band_certainty(distance_km, precision_km, bands_km=DEFAULT_BANDS_KM,
                   shared: bool = False) -> list[dict]:
    """For each incident and band: 'certain', 'possible' or 'outside'.

    With a location uncertain by ``precision_km`` (a radius), an incident is
    certainly within band *b* when ``distance + precision <= b``, possibly when
    ``distance - precision <= b``, and certainly outside otherwise. Unlocated
    incidents get None for every band.
    """
    d = np.asarray(distance_km, dtype=float)
    p = np.nan_to_num(np.asarray(precision_km, dtype=float), nan=0.0)
    bands = sorted(bands_km)
    keys = [f"{b:g}" for b in bands]
    names = ("certain", "possible", "outside")
    # one code per incident (a base-3 number over the bands), then a lookup table of
    # the 3**len(bands) possible dicts: vectorised, and rows share equal dicts
    code = np.zeros(len(d), dtype=np.int64)
    for b in bands:
        state = np.where(d + p <= b, 0, np.where(d - p <= b, 1, 2))
        code = code * 3 + state
    lut = np.empty(3 ** len(bands) + 1, dtype=object)
    for c in range(3 ** len(bands)):
        digits = [(c // 3 ** (len(bands) - 1 - i)) % 3 for i in range(len(bands))]
        lut[c] = {k: names[x] for k, x in zip(keys, digits, strict=True)}
    lut[-1] = dict.fromkeys(keys)  # unlocated: None for every band
    code[np.isnan(d)] = len(lut) - 1
    if shared:  # one dict per distinct answer, shared by the rows (read-only use)
        return lut[code].tolist()
    # copies, so that a caller editing one row's dict never changes another row
    return [dict(x) for x in lut[code]]


def analyse(
    incidents: gpd.GeoDataFrame,
    border: DurandLine | None = None,
    bands_km: Sequence[float] = DEFAULT_BANDS_KM,
    *,
    shared: bool = False,
) -> gpd.GeoDataFrame:
    """Return a copy of ``incidents`` with the border analysis columns added.

    Expects point geometries in EPSG:4326 (empty or None for unlocated incidents),
    an optional ``country`` column (the gazetteer's country, for ``side_conflict``)
    and an optional ``precision_km`` column.
    """
    border = border or DurandLine.default()
    out = incidents.copy()
    geoms = out.geometry.to_numpy()
    located = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    lon = np.full(len(out), np.nan)
    lat = np.full(len(out), np.nan)
    if not shapely.is_empty(geoms[located]).any() and (
            shapely.get_type_id(geoms[located]) != 0).any():
        raise DataError("incident geometries must be points", field="geometry")
    xy = shapely.get_coordinates(geoms[located])
    lon[located], lat[located] = xy[:, 0], xy[:, 1]
    labels = out["id"] if "id" in out.columns else None
    check_region(lon, lat, labels)

    idx = np.flatnonzero(located)
    dist = np.full(len(out), np.nan)
    nlon = np.full(len(out), np.nan)
    nlat = np.full(len(out), np.nan)
    chain = np.full(len(out), np.nan)
    side = np.full(len(out), None, dtype=object)
    if len(idx):
        near, side[idx] = border.nearest_and_side(lon[idx], lat[idx])  # on the line: None
        dist[idx], nlon[idx], nlat[idx], chain[idx] = (
            near.distance_km, near.lon, near.lat, near.chainage_km)

    # measures rounded to what they mean (1 m; degrees to 6 decimals, about 0.1 m); the band
    # is taken from the unrounded distance
    out["distance_to_border_km"] = np.round(dist, 3)
    out["side"] = pd.Series(side, index=out.index, dtype=object)
    country = out["country"].to_numpy(dtype=object) if "country" in out.columns else None
    if country is not None:
        known = pd.notna(country) & pd.notna(side)
        conflict = known & (country != side)
    else:
        conflict = np.zeros(len(out), dtype=bool)
    out["side_conflict"] = conflict
    out["band_km"] = band_km(dist, bands_km)
    precision = out["precision_km"].to_numpy(dtype=float) if "precision_km" in out.columns else 0.0
    out["band_certainty"] = band_certainty(dist, np.broadcast_to(precision, dist.shape), bands_km,
                                           shared=shared)
    out["sector"] = pd.Series(border.sector_at(chain), index=out.index, dtype=object)
    out["nearest_lon"] = np.round(nlon, 6)
    out["nearest_lat"] = np.round(nlat, 6)
    out["chainage_km"] = np.round(chain, 3)
    return out
