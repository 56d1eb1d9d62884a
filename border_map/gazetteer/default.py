"""The default gazetteer (shipped places plus the user's index), cached per process,
and the admin polygons."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from ..model_checks import usable_places
from .core import Gazetteer
from .sources import read_places_csv
from .user_index import UserIndex


# -- the default gazetteer ------------------------------------------------------------------
def _file_signature(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


@functools.lru_cache(maxsize=4)
def _default_gazetteer(shipped: str, shipped_sig, index_path: str, index_sig) -> Gazetteer:
    places = read_places_csv(shipped)
    if index_sig is None:
        return Gazetteer(places)
    index = UserIndex(index_path)
    user = usable_places(index.places("user"), index_path)  # model_checks: region
    origins = index.origins("user")
    fallback = index if index.has_layer("geonames") else None
    if not user and fallback is None:
        index.close()
        return Gazetteer(places)
    return Gazetteer(places + user, fallback=fallback, origins=origins)


@functools.cache
def _province_polygons() -> dict:
    """Polygons by place id: the Afghan provinces (geodata/af_provinces.geojson) and the
    Pakistani districts and tehsils of the border provinces (pk_districts.geojson,
    pk_tehsils.geojson; features without a gazetteer id are left out)."""
    from shapely.geometry import shape

    from ..data import AF_PROVINCES, PK_DISTRICTS, PK_TEHSILS, geodata_path
    from ..errors import GeodataError

    out = {}
    for name in (AF_PROVINCES, PK_DISTRICTS, PK_TEHSILS):
        try:
            path = geodata_path(name)
        except GeodataError:
            if name == AF_PROVINCES:
                raise
            continue  # a geodata folder of the user's own from before these files shipped
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            for f in doc["features"]:
                pid = f["properties"].get("id")
                if pid:
                    out[pid] = shape(f["geometry"])
        except (OSError, ValueError, KeyError) as err:
            raise GeodataError(f"cannot read the polygons of {name}: {err}") from err
    return out

