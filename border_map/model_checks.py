"""Checks on single values that every reader (and the gazetteer import) shares.

Kept apart from the readers so that any reader, old or new, calls the same rule:

* :func:`check_text`: text fields refuse NUL (U+0000). A NUL cannot be stored by every
  output (the GeoPackage's SQLite text is cut at it, so the GeoJSON and the GeoPackage
  would disagree); one in a report is an encoding accident, not news. A raw NUL byte makes
  a file binary (readers.encoding); this catches the escaped ones (YAML ``"\\0"``,
  ``"\\u0000"``, JSON ``"\\u0000"``). It also refuses a field longer than
  ``BORDER_MAP_MAX_FIELD_MB`` (1 MB of characters). The message names ``file:line`` and the
  field.
* :func:`check_place_region`: a place of a user's gazetteer import must lie in the
  Afghanistan-Pakistan region (a (0, 0) is a missing coordinate), so that ``validate`` and
  ``build`` agree about files that use it. :func:`usable_places` leaves such places of an
  index imported before this check out of the gazetteer, with one warning, so that both
  report an incident placed there as an unknown place, with its file and line.
"""

from __future__ import annotations

import re

from .errors import DataError

__all__ = ["check_place_region", "check_text", "usable_places"]

_FORBIDDEN = re.compile("\x00")


#: Longest text field accepted, in MB of characters (``BORDER_MAP_MAX_FIELD_MB``): a report's
#: description is kilobytes; SQLite (the GeoPackage) refuses a string above 1 GB.
MAX_FIELD_MB = 1.0
ENV_MAX_FIELD_MB = "BORDER_MAP_MAX_FIELD_MB"


def max_field_chars() -> int:
    import os

    text = os.environ.get(ENV_MAX_FIELD_MB, "").strip()
    if not text:
        return int(MAX_FIELD_MB * 1_000_000)
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < 1000:
        raise DataError(f"{ENV_MAX_FIELD_MB}={text!r} is not a number of MB between 0 and 1000")
    return int(value * 1_000_000)


def check_text(value, field: str | None, location: str | None,
               limit: int | None = None) -> None:
    """Raise :class:`DataError` (location, field) if text ``value`` holds a NUL or is longer
    than ``limit`` characters (default :func:`max_field_chars`).

    Non-text values are left to the caller's own type checks.
    """
    if not isinstance(value, str):
        return
    limit = max_field_chars() if limit is None else limit
    if len(value) > limit:
        raise DataError(f"text of {len(value):,} characters is longer than the limit of "
                        f"{limit:,}: raise it with --max-field-mb (or {ENV_MAX_FIELD_MB})",
                        location=location, field=field)
    m = _FORBIDDEN.search(value)
    if m is None:
        return
    raise DataError(f"text holds a NUL character (at character {m.start() + 1}), which "
                    "not every output can keep: remove it",
                    location=location, field=field)


def check_place_region(lon: float, lat: float, location: str | None,
                       lon_field: str = "lon", lat_field: str = "lat") -> None:
    """Raise :class:`DataError` naming the row and coordinate field(s) of a place outside
    the Afghanistan-Pakistan region (see :func:`border_map.readers._common.region_message`)."""
    from .readers._common import coordinate_field, region_message

    message = region_message(lon, lat)
    if message is None:
        return
    raise DataError(f"{message}; only places in the Afghanistan-Pakistan region can be "
                    "imported", location=location,
                    field=coordinate_field(lon, lat, message, lon_field, lat_field))


def usable_places(places, index_path) -> list:
    """The places of a user index that lie in the region; one warning names the others."""
    import logging

    from .errors import shown
    from .readers._common import region_message

    kept, dropped = [], []
    for place in places:
        (dropped if region_message(place.lon, place.lat) is not None else kept).append(place)
    if dropped:
        names = ", ".join(f"{p.id} ({p.lon:g}, {p.lat:g})" for p in dropped[:3])
        more = f" and {len(dropped) - 3} more" if len(dropped) > 3 else ""
        logging.getLogger("border_map.gazetteer").warning(
            "%s: %d imported place(s) outside the Afghanistan-Pakistan region are not used: "
            "%s%s; import a corrected file to replace them", shown(index_path), len(dropped),
            shown(names), more)
    return kept
