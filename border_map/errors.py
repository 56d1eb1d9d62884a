"""One error hierarchy for border-map.

Every error the library raises on purpose derives from :class:`BorderMapError`.
Subclasses also derive from the matching builtin, so ``except LookupError`` or
``except ValueError`` in user code keeps working (the geopy pattern).
The CLI turns these into one line on stderr and a non-zero exit; nothing here
knows about click.
"""

from __future__ import annotations


class BorderMapError(Exception):
    """Root of every error raised by border-map."""


class DataError(BorderMapError, ValueError):
    """Bad input data: names the file, row or field where possible.

    ``location`` is a short "file:line" or "file row N" string, ``field`` the
    offending field; ``str(err)`` is a complete one-line message.
    """

    def __init__(self, message: str, *, location: str | None = None, field: str | None = None):
        self.location = location
        self.field = field
        self.message = message
        parts = []
        if location:
            parts.append(location)
        if field:
            parts.append(f"field '{field}'")
        prefix = ": ".join(parts)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class GeodataError(BorderMapError, OSError):
    """The shipped geodata is missing or unreadable (a broken install)."""


class PlaceError(BorderMapError, LookupError):
    """Base of the gazetteer's lookup failures."""

    def __init__(self, query: str, candidates=(), message: str | None = None):
        self.query = query
        self.candidates = list(candidates)
        super().__init__(message or self._default_message())

    def _default_message(self) -> str:  # pragma: no cover - overridden
        return self.query


class PlaceNotFound(PlaceError):
    """No gazetteer entry matches; ``candidates`` holds the closest names."""

    def _default_message(self) -> str:
        msg = f"unknown place '{self.query}'"
        if self.candidates:
            names = ", ".join(_describe(c) for c in self.candidates[:5])
            msg += f"; did you mean: {names}?"
        return msg


class AmbiguousPlace(PlaceError, ValueError):
    """Several entries match equally well; ``candidates`` lists them."""

    def _default_message(self) -> str:
        names = "; ".join(_describe(c) for c in self.candidates[:8])
        return (
            f"ambiguous place '{self.query}': {len(self.candidates)} candidates ({names}); "
            "add a country, kind or admin hint"
        )


class OutOfRegionError(DataError):
    """Coordinates that cannot be in the Afghanistan-Pakistan border region."""


class OnlineGeocodingError(BorderMapError, RuntimeError):
    """The opt-in online geocoder failed (network, rate limit, refusal)."""


def _describe(candidate) -> str:
    """A short human label for a candidate (a gazetteer Place or a plain string)."""
    if isinstance(candidate, str):
        return candidate
    place = getattr(candidate, "place", candidate)
    bits = [getattr(place, "name", str(place))]
    kind = getattr(place, "kind", None)
    country = getattr(place, "country", None)
    admin1 = getattr(place, "admin1", None)
    detail = ", ".join(x for x in (kind, admin1, country) if x)
    if detail:
        bits.append(f"({detail})")
    return " ".join(bits)
