"""border-map: border incidents along the Durand Line, as maps and GIS data.

Usable from a notebook without the CLI::

    import border_map as bm
    result = bm.build(["incidents.yaml"], "outputs/")     # map.html + incidents.geojson
    line = bm.DurandLine.default()
    line.distance_km([71.08], [34.09])                    # lon first, always
    bm.Gazetteer.default().resolve("Paktiya").place
"""

from .analysis import analyse, check_region
from .border import BORDER_CRS, DEFAULT_BANDS_KM, DurandLine, band_km
from .errors import (
    AmbiguousPlace,
    BorderMapError,
    DataError,
    GeodataError,
    OutOfRegionError,
    PlaceNotFound,
)

__version__ = "0.1.0"

__all__ = [
    "BORDER_CRS", "DEFAULT_BANDS_KM", "AmbiguousPlace", "BorderMapError", "DataError", "DurandLine",
    "GeodataError", "OutOfRegionError", "PlaceNotFound", "__version__", "analyse", "band_km",
    "check_region",
]
