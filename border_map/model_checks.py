"""Checks on single values that every reader (and the gazetteer import) shares.

Kept apart from the readers so that any reader, old or new, calls the same rule:

* :func:`check_text`: text fields refuse NUL (U+0000). A NUL cannot be stored by every
  output (the GeoPackage's SQLite text is cut at it, so the GeoJSON and the GeoPackage
  would disagree); one in a report is an encoding accident, not news. A raw NUL byte makes
  a file binary (readers.encoding); this catches the escaped ones (YAML ``"\\0"``,
  ``"\\u0000"``, JSON ``"\\u0000"``). The message names ``file:line`` and the field.
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


def check_text(value, field: str | None, location: str | None) -> None:
    """Raise :class:`DataError` (location, field) if text ``value`` holds a NUL.

    Non-text values are left to the caller's own type checks.
    """
    if not isinstance(value, str):
        return
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
