"""border-map: border incidents along the Durand Line, as maps and GIS data.

Usable from a notebook without the CLI::

    import border_map as bm
    result = bm.build(["incidents.yaml"], "outputs/")     # map.html, GeoJSON, GeoPackage...
    line = bm.DurandLine.default()
    line.distance_km([71.08], [34.09])                    # lon first, always
    bm.Gazetteer.default().resolve("Paktiya").place

Importing the package is cheap: geopandas, shapely and the rest load when a name that needs
them is first used.
"""

from __future__ import annotations

import importlib

from .errors import (
    AmbiguousPlace,
    BorderMapError,
    DataError,
    GeodataError,
    OutOfRegionError,
    PlaceNotFound,
)

__version__ = "0.1.0"

#: name -> module that defines it (imported on first use)
_LAZY = {
    "BORDER_CRS": "border", "DEFAULT_BANDS_KM": "border", "DurandLine": "border",
    "band_km": "border", "analyse": "analysis", "check_region": "analysis",
    "build": "pipeline", "BuildResult": "pipeline", "analyse_incidents": "pipeline",
    "Gazetteer": "gazetteer", "read_source": "readers", "load_incidents": "incidents",
    "Incident": "incidents",
}

__all__ = [
    "AmbiguousPlace", "BorderMapError", "DataError", "GeodataError", "OutOfRegionError",
    "PlaceNotFound", "__version__", *_LAZY,
]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'border_map' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
