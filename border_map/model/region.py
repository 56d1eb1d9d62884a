"""The region border-map maps, and the one check of a point against it.

:data:`REGION_BOUNDS` is a generous box around Afghanistan and Pakistan (lon, lat). Anything
outside it is a data error (swapped coordinates, (0, 0), a typo), never a far-away distance.
:func:`outside` is the vectorised test every stage uses; :func:`region_message` says why one
point fails it, naming a latitude/longitude swap as such.
"""

from __future__ import annotations

import math

import numpy as np

REGION_BOUNDS = (59.0, 23.0, 79.0, 39.0)


def outside(lon, lat) -> np.ndarray:
    """True where a given point (not both NaN) is not a finite point inside the region."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    x0, y0, x1, y1 = REGION_BOUNDS
    given = ~(np.isnan(lon) & np.isnan(lat))
    with np.errstate(invalid="ignore"):
        inside = (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
    return given & ~inside


def region_message(lon: float, lat: float) -> str | None:
    """Why (lon, lat) cannot be an incident in the region, or None when it can."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return f"coordinates ({lon}, {lat}) are not finite numbers"
    x0, y0, x1, y1 = REGION_BOUNDS
    if x0 <= lon <= x1 and y0 <= lat <= y1:
        return None
    if lon == 0 and lat == 0:
        return "(0, 0) is not in the border region: a missing coordinate?"
    if x0 <= lat <= x1 and y0 <= lon <= y1:
        return (f"lon={lon:g}, lat={lat:g} is outside the region; latitude and longitude "
                "look swapped")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return f"lon={lon:g}, lat={lat:g} is out of range (-180..180, -90..90)"
    return (f"lon={lon:g}, lat={lat:g} is outside the Afghanistan-Pakistan region "
            f"(lon {x0:g}..{x1:g}, lat {y0:g}..{y1:g})")
