"""Distance helpers shared by every module (one implementation): great-circle distance on the
mean Earth radius, for scalars and arrays alike. Longitude first, always."""

from __future__ import annotations

import math

#: Mean Earth radius (IUGG), km.
EARTH_KM = 6371.0088
#: Kilometres per degree of latitude (and of longitude at the equator).
KM_PER_DEG = math.pi * EARTH_KM / 180.0


def haversine_km(lon1, lat1, lon2, lat2):
    """Great-circle distance in km; floats give a float, arrays an array (NaN stays NaN)."""
    if all(isinstance(v, int | float) for v in (lon1, lat1, lon2, lat2)):
        p1, p2 = math.radians(lat1), math.radians(lat2)
        a = (math.sin((p2 - p1) / 2) ** 2
             + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
        return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))
    import numpy as np  # only for arrays: the scalar path stays import-free

    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    h = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
