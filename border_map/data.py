"""Where the shipped geodata and the bundled example live.

From a checkout (or an editable install) they are the repository's ``geodata/``
and ``examples/`` folders; from a wheel they are copied under
``border_map/_data/`` (see ``pyproject.toml``). ``BORDER_MAP_GEODATA`` overrides
the geodata folder, for tests and for users with their own derived data.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import GeodataError

_PACKAGE = Path(__file__).resolve().parent
_CANDIDATES = (_PACKAGE / "_data", _PACKAGE.parent)

DURAND_LINE = "durand_line.geojson"
COUNTRIES = "countries.geojson"
GAZETTEER = "gazetteer.csv"
SECTORS = "sectors.geojson"
AF_PROVINCES = "af_provinces.geojson"
PK_DISTRICTS = "pk_districts.geojson"
PK_TEHSILS = "pk_tehsils.geojson"
SEED_EXAMPLE = "seed_incidents.yaml"


def geodata_dir() -> Path:
    """The folder holding the derived geodata files."""
    override = os.environ.get("BORDER_MAP_GEODATA")
    if override:
        return Path(override)
    for root in _CANDIDATES:
        if (root / "geodata" / DURAND_LINE).is_file():
            return root / "geodata"
    raise GeodataError(
        "border-map's geodata was not found (looked in "
        + ", ".join(str(r / "geodata") for r in _CANDIDATES)
        + "); reinstall the package or run 'make geodata'"
    )


def geodata_path(name: str) -> Path:
    """Path of one shipped geodata file; a clear error when it is missing."""
    path = geodata_dir() / name
    if not path.is_file():
        raise GeodataError(f"{path}: shipped geodata file is missing; run 'make geodata'")
    return path


def example_path(name: str = SEED_EXAMPLE) -> Path:
    """Path of a bundled example incident file (the seed story by default)."""
    for root in _CANDIDATES:
        path = root / "examples" / name
        if path.is_file():
            return path
    raise GeodataError(f"bundled example '{name}' not found; reinstall border-map")
