"""The gazetteer's records: :class:`Place`, :class:`Match` and the hints a query carries."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from typing import NamedTuple

from .names import COUNTRIES, KINDS, normalize_name


# -- result types ---------------------------------------------------------------------------
def _place_from_fields(fields: tuple) -> Place:
    place = object.__new__(Place)
    for key, value in zip(Place.__slots__, fields, strict=True):
        object.__setattr__(place, key, value)
    return place


class Place:
    """One gazetteer entry; immutable. ``lon``/``lat`` are WGS84 degrees, longitude first."""

    __slots__ = (
        "id", "name", "aliases", "kind", "country", "admin1", "admin2",
        "lon", "lat", "precision_km", "source", "derivation",
    )

    def __init__(
        self, id: str, name: str, *, kind: str, country: str, lon: float, lat: float,
        precision_km: float, aliases: Iterable[str] = (), admin1: str = "", admin2: str = "",
        source: str = "", derivation: str = "",
    ):
        values = {
            "id": str(id).strip(), "name": str(name).strip(),
            "aliases": tuple(a.strip() for a in aliases if a and a.strip()),
            "kind": str(kind).strip(), "country": str(country).strip().upper(),
            "admin1": str(admin1 or "").strip(), "admin2": str(admin2 or "").strip(),
            "lon": float(lon), "lat": float(lat), "precision_km": float(precision_km),
            "source": str(source or "").strip(), "derivation": str(derivation or "").strip(),
        }
        _validate(values)
        for key, value in values.items():
            object.__setattr__(self, key, value)

    def __setattr__(self, key, value):
        raise AttributeError(f"Place is immutable (cannot set {key!r})")

    def __delattr__(self, key):
        raise AttributeError(f"Place is immutable (cannot delete {key!r})")

    def _fields(self) -> tuple:
        return tuple(getattr(self, k) for k in self.__slots__)

    def __reduce__(self):
        # pickled by value (drafts travel between processes in extract_many)
        return _place_from_fields, (self._fields(),)

    def __eq__(self, other):
        if not isinstance(other, Place):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self):
        return hash(self._fields())

    def __repr__(self) -> str:
        return (
            f"Place({self.id!r}, {self.name!r}, kind={self.kind!r}, country={self.country!r}, "
            f"lon={self.lon}, lat={self.lat}, precision_km={self.precision_km})"
        )

    def to_properties(self) -> dict:
        """A JSON-ready dict of every field (aliases as a list)."""
        props = {k: getattr(self, k) for k in self.__slots__}
        props["aliases"] = list(self.aliases)
        return props


def _validate(values: dict) -> None:
    """Raise ValueError('field: message') on the first bad field."""
    for key in ("id", "name"):
        if not values[key]:
            raise ValueError(f"{key}: must not be empty")
    if values["kind"] not in KINDS:
        raise ValueError(f"kind: {values['kind']!r} is not one of {', '.join(KINDS)}")
    if values["country"] not in COUNTRIES:
        raise ValueError(f"country: {values['country']!r} is not one of {', '.join(COUNTRIES)}")
    lon, lat, prec = values["lon"], values["lat"], values["precision_km"]
    if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
        raise ValueError(f"lon: {lon} is outside -180..180")
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise ValueError(f"lat: {lat} is outside -90..90")
    if not (math.isfinite(prec) and prec > 0):
        raise ValueError(f"precision_km: {prec} must be a positive number")


class _MatchFields(NamedTuple):
    query: str
    place: Place
    match: str
    score: float


class Match(_MatchFields):
    """A resolved name: the query, the place, how it matched and a 0-100 score.

    ``match`` is ``"exact"``, ``"alias"``, ``"fuzzy"`` or ``"online"`` (the
    opt-in Nominatim fallback). Immutable; compares by value.
    """

    __slots__ = ()

    def __new__(cls, query: str, place: Place, match: str, score: float):
        return _MatchFields.__new__(cls, query, place, match, float(score))

    def __repr__(self) -> str:
        return f"Match({self.query!r} -> {self.place.id!r}, {self.match}, {self.score:g})"


_new_match = functools.partial(tuple.__new__, Match)  # internal: fields already valid


class _Hints:
    __slots__ = ("countries", "kinds", "admins")

    def __init__(self, countries=frozenset(), kinds=frozenset(), admins=()):
        self.countries = frozenset(countries)
        self.kinds = frozenset(kinds)
        self.admins = tuple(admins)  # each a frozenset of accepted normalised admin names

    def __bool__(self) -> bool:
        return bool(self.countries or self.kinds or self.admins)

    def accepts(self, place: Place) -> bool:
        if self.countries and place.country not in self.countries and not (
            place.kind == "crossing" and self.countries <= set(COUNTRIES)
        ):
            return False
        if self.kinds and place.kind not in self.kinds:
            return False
        if self.admins:
            names = {normalize_name(place.admin1), normalize_name(place.admin2)} - {""}
            if any(not (names & accepted) for accepted in self.admins):
                return False
        return True

    def with_kinds(self, kinds) -> _Hints:
        kinds = frozenset(kinds)
        if self.kinds:  # explicit kinds win; implied ones only narrow them
            kinds = (self.kinds & kinds) or self.kinds
        return _Hints(self.countries, kinds, self.admins)


_NO_HINTS = _Hints()

