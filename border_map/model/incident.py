"""Incidents and the competing claims about them: the data model.

An :class:`Incident` is one event at one place on one date (or date span). What each
party says about it is a separate :class:`Claim` with its own :class:`Figure` s: the
Pakistani military's "at least 70 fighters" and Kabul's "civilians, including women and
children" stay two claims. Nothing here averages, merges or picks a winner;
:func:`claim_spread` lays the figures side by side and flags when they contradict.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .._records import compact_pickle
from ..errors import DataError
from .vocabulary import (
    CLAIM_STATUSES,
    DATE_PRECISIONS,
    EVENT_TYPES,
    FIGURE_KINDS,
    SIDES,
    EventType,
    _check_year,
    _did_you_mean,
)

_COUNTRY = re.compile(r"[A-Z]{2}")

# --------------------------------------------------------------------------- data model


@compact_pickle
@dataclass(frozen=True, slots=True)
class DateSpan:
    """When an incident happened: a closed span of days and how precisely it is known.

    ``text`` keeps the report's own words ("last week", "late Thursday").
    """

    start: dt.date
    end: dt.date
    precision: str = "day"
    text: str | None = None

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise DataError(f"expected a date, got {value!r}", field=name)
            try:
                _check_year(value.year)
            except DataError as err:
                raise DataError(err.message, field=name) from None
        if self.end < self.start:
            raise DataError(f"end {self.end} is before start {self.start}", field="end")
        if self.precision not in DATE_PRECISIONS:
            raise DataError(
                f"unknown precision {self.precision!r}; valid: {', '.join(DATE_PRECISIONS)}",
                field="precision",
            )
        if self.precision == "day" and self.start != self.end:
            raise DataError(
                f"precision 'day' needs start == end (got {self.start}/{self.end}); "
                "use precision 'range'",
                field="precision",
            )

    def iso(self) -> str:
        """ISO 8601: ``2026-02-26`` for one day, ``2026-02-21/2026-02-22`` otherwise."""
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()}/{self.end.isoformat()}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "precision": self.precision,
            "text": self.text,
        }


@compact_pickle
@dataclass(frozen=True, slots=True)
class Figure:
    """One number (or verbatim phrase) in a claim: ``low``..``high``, ``None`` = not given.

    "at least 70 fighters" is ``low=70, high=None``; "numerous soldiers" has no numbers,
    only ``text``. ``subject`` says whose losses ("Pakistani soldiers", "Afghan side").
    """

    kind: str
    low: int | None = None
    high: int | None = None
    text: str | None = None
    subject: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in FIGURE_KINDS:
            raise DataError(
                f"unknown figure kind {self.kind!r}{_did_you_mean(self.kind, FIGURE_KINDS)}; "
                f"valid: {', '.join(FIGURE_KINDS)}",
                field="kind",
            )
        for name in ("low", "high"):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise DataError(f"expected a whole number, got {value!r}", field=name)
            if value < 0:
                raise DataError(f"must not be negative (got {value})", field=name)
        if self.low is not None and self.high is not None and self.low > self.high:
            raise DataError(f"low {self.low} is greater than high {self.high}", field="low")
        if self.low is None and self.high is None and not self.text:
            raise DataError(
                "a figure needs a number (value, low or high) or the report's words (text)",
                field="kind",
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "low": self.low,
            "high": self.high,
            "text": self.text,
            "subject": self.subject,
        }


@compact_pickle
@dataclass(frozen=True, slots=True)
class Source:
    """Where a claim was reported: outlet, URL, the quoted words, publication date (ISO)."""

    outlet: str | None = None
    url: str | None = None
    quote: str | None = None
    published: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "outlet": self.outlet,
            "url": self.url,
            "quote": self.quote,
            "published": self.published,
        }


@compact_pickle
@dataclass(frozen=True, slots=True)
class Claim:
    """What one party (``side``) says about an incident, kept apart from every other claim."""

    claimant: str | None
    organisation: str | None
    side: str
    date: dt.date | None = None
    statement: str | None = None
    figures: tuple[Figure, ...] = ()
    source: Source | None = None
    status: str = "unverified"

    def __post_init__(self) -> None:
        if self.side not in SIDES:
            raise DataError(
                f"unknown side {self.side!r}{_did_you_mean(self.side, SIDES)}; "
                f"valid: {', '.join(SIDES)}",
                field="side",
            )
        if self.status not in CLAIM_STATUSES:
            raise DataError(
                f"unknown status {self.status!r}; valid: {', '.join(CLAIM_STATUSES)}",
                field="status",
            )
        if self.date is not None:
            if not isinstance(self.date, dt.date) or isinstance(self.date, dt.datetime):
                raise DataError(f"expected a date, got {self.date!r}", field="date")
            _check_year(self.date.year)

    def to_dict(self) -> dict[str, Any]:
        return {
            "claimant": self.claimant,
            "organisation": self.organisation,
            "side": self.side,
            "date": self.date.isoformat() if self.date else None,
            "statement": self.statement,
            "figures": [f.to_dict() for f in self.figures],
            "source": self.source.to_dict() if self.source else None,
            "status": self.status,
        }


@compact_pickle
@dataclass(frozen=True, slots=True)
class Location:
    """A point in WGS84, longitude first; ``precision_km`` is the radius it may be off by."""

    lon: float
    lat: float
    precision_km: float | None = None

    def __post_init__(self) -> None:
        for name, limit in (("lon", 180.0), ("lat", 90.0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise DataError(f"expected a number, got {value!r}", field=name)
            if not math.isfinite(value):
                raise DataError(f"must be a finite number (got {value})", field=name)
            if not -limit <= value <= limit:
                hint = " (latitude and longitude swapped?)" if name == "lat" else ""
                raise DataError(
                    f"{value} is outside -{limit:g}..{limit:g} degrees{hint}", field=name
                )
        if self.lon == 0 and self.lat == 0:
            raise DataError(
                "(0, 0) is not in the border region: a missing coordinate? omit 'location'",
                field="lon",
            )
        if self.precision_km is not None:
            value = self.precision_km
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise DataError(f"expected a number, got {value!r}", field="precision_km")
            if not math.isfinite(value) or value < 0:
                raise DataError(f"must be a finite number >= 0 (got {value})", field="precision_km")

    def to_dict(self) -> dict[str, Any]:
        return {"lon": self.lon, "lat": self.lat, "precision_km": self.precision_km}


@compact_pickle
@dataclass(frozen=True, slots=True)
class PlaceRef:
    """A place as the report names it, with hints for the gazetteer.

    ``country`` (ISO alpha-2, e.g. ``AF``/``PK``), ``kind`` (province, district, town,
    crossing, feature) and ``admin`` narrow the lookup; ``id`` names a gazetteer entry
    outright (e.g. ``pk.district.khyber``).
    """

    name: str
    country: str | None = None
    kind: str | None = None
    admin: str | None = None
    id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise DataError("a place needs a name", field="name")
        if self.country is not None and not _COUNTRY.fullmatch(self.country):
            raise DataError(
                f"country {self.country!r} is not an ISO 3166-1 alpha-2 code such as AF or PK",
                field="country",
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "country": self.country,
            "kind": self.kind,
            "admin": self.admin,
            "id": self.id,
        }


@compact_pickle
@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a drafted field came from: the report's words and their character span.

    ``field`` is a path inside the incident (``place``, ``date``, ``claims[0].figures[1]``);
    ``start``/``end`` index the plain text of the report (markup stripped), end exclusive;
    ``sentence`` is the whole sentence; ``note`` says how the value was inferred, if it was.
    """

    field: str
    text: str
    start: int
    end: int
    sentence: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        start, end, path = self.start, self.end, self.field
        if type(start) is int and type(end) is int and 0 <= start <= end and \
                type(path) is str and path and not path[0].isspace():
            return  # (what every drafted span is: the checks below say what is wrong)
        if not isinstance(self.field, str) or not self.field.strip():
            raise DataError("evidence needs the field it supports", field="field")
        for name in ("start", "end"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise DataError(f"expected a character offset >= 0, got {value!r}", field=name)
        if self.end < self.start:
            raise DataError(f"end {self.end} is before start {self.start}", field="end")

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "sentence": self.sentence,
            "note": self.note,
        }


@compact_pickle
@dataclass(frozen=True, slots=True)
class Incident:
    """One event: where, when, what, who, and every party's claims about it.

    ``place`` is ``None`` only when the file gives a ``location`` and no place, or
    says why the incident cannot be placed (``unlocated``, e.g. "the report names no
    place"): such an incident is kept, mapped nowhere, and counted as unlocated.
    ``source_file``/``source_line`` record where it was read; they take no part in ``==``.
    ``draft`` marks a record drafted by ``border-map extract`` that no person has checked yet;
    ``evidence`` ties its fields to the words of the report.
    """

    id: str
    date: DateSpan
    event_type: str
    actors: tuple[str, ...] = ()
    place: PlaceRef | None = None
    location: Location | None = None
    description: str | None = None
    claims: tuple[Claim, ...] = ()
    unlocated: str | None = None
    source_file: str | None = field(default=None, compare=False)
    source_line: int | None = field(default=None, compare=False)
    draft: bool = False
    evidence: tuple[Evidence, ...] = ()
    #: fields specific to the source, kept as written (ACLED ``inter1``, UCDP ``adm_2``, ...)
    source_fields: dict[str, Any] | None = field(default=None, compare=False)
    #: what is inconsistent in the source's record, kept as the source wrote it
    source_warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.draft, bool):
            raise DataError(f"expected true or false, got {self.draft!r}", field="draft")
        if not isinstance(self.id, str) or not self.id.strip():
            raise DataError("an incident needs a non-empty id", field="id")
        if not isinstance(self.date, DateSpan):
            raise DataError(f"expected a DateSpan, got {self.date!r}", field="date")
        if self.event_type not in EVENT_TYPES:
            raise DataError(
                f"unknown event type {self.event_type!r}"
                f"{_did_you_mean(self.event_type, EVENT_TYPES)}; "
                f"valid: {', '.join(EVENT_TYPES)}",
                field="event_type",
            )
        if self.place is None and self.location is None and not self.unlocated:
            raise DataError("an incident needs a place, a location or an 'unlocated' reason",
                            field="place")

    @property
    def event(self) -> EventType:
        """The :class:`EventType` of ``event_type``."""
        return EVENT_TYPES[self.event_type]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, in the structure of the native file format (dates as ISO strings)."""
        return {
            "id": self.id,
            "date": self.date.to_dict(),
            "event_type": self.event_type,
            "actors": list(self.actors),
            "place": self.place.to_dict() if self.place else None,
            "location": self.location.to_dict() if self.location else None,
            "description": self.description,
            "claims": [c.to_dict() for c in self.claims],
            **({"unlocated": self.unlocated} if self.unlocated else {}),
            **({"draft": True} if self.draft else {}),
            **({"evidence": [e.to_dict() for e in self.evidence]} if self.evidence else {}),
            **({"source_fields": dict(self.source_fields)} if self.source_fields else {}),
            **({"source_warnings": list(self.source_warnings)} if self.source_warnings else {}),
        }


# --------------------------------------------------------------------------- claim spread

_ZERO_WORDS = re.compile(r"^\s*(no|none|zero|nil|nobody|not any)\b", re.IGNORECASE)
#: Kinds that a ``casualties`` figure includes: a claim of 0 casualties contradicts any
#: claim of killed or wounded >= 1 for the same subject.
_PART_OF_CASUALTIES = ("killed", "wounded")


def claim_spread(incident: Incident) -> dict[str, Any]:
    """Every side's figures for an incident, side by side: :func:`claim_spread_of` its claims."""
    return claim_spread_of(incident.claims)


def claim_spread_of(claims: Sequence[Claim]) -> dict[str, Any]:
    """Every side's figures for an incident, side by side, never merged.

    Returns ``{kind: {side: [entry, ...]}, ..., "conflicting": bool}`` with kinds in
    :data:`FIGURE_KINDS` order (only those that occur) and sides in :data:`SIDES` order.
    Each entry is ``{claimant, organisation, low, high, text, subject, status, date}`` for one
    figure of one claim. ``conflicting`` is true when figures from different sides cannot
    both be true: for the same kind (or casualties against killed/wounded) and the same
    subject (or an unstated one), their ranges do not overlap. A figure with only words
    counts as "at least one" unless the words say none ("no casualties" is 0). Which kinds
    conflict: :func:`conflicting_kinds`.
    """
    if not any(c.figures for c in claims):  # no figures (a GDELT lead): nothing to lay out
        return {"conflicting": False}
    spread: dict[str, Any] = {}
    for kind in FIGURE_KINDS:
        by_side: dict[str, list[dict[str, Any]]] = {}
        for side in SIDES:
            entries = [
                _spread_entry(claim, fig)
                for claim in claims
                if claim.side == side
                for fig in claim.figures
                if fig.kind == kind
            ]
            if entries:
                by_side[side] = entries
        if by_side:
            spread[kind] = by_side
    spread["conflicting"] = bool(_conflicting(claims))
    return spread


def conflicting_kinds(incident: Incident) -> tuple[str, ...]:
    """The figure kinds on which different sides' claims contradict (see :func:`claim_spread`)."""
    return _conflicting(incident.claims)


def _conflicting(claims: Sequence[Claim]) -> tuple[str, ...]:
    figures = [(c.side, f) for c in claims for f in c.figures]
    found: set[str] = set()
    for i, (side_a, a) in enumerate(figures):
        for side_b, b in figures[i + 1 :]:
            if side_a != side_b and _contradict(a, b):
                found.update((a.kind, b.kind))
    return tuple(k for k in FIGURE_KINDS if k in found)


def _spread_entry(claim: Claim, fig: Figure) -> dict[str, Any]:
    return {
        "claimant": claim.claimant,
        "organisation": claim.organisation,
        "low": fig.low,
        "high": fig.high,
        "text": fig.text,
        "subject": fig.subject,
        "status": claim.status,
        "date": claim.date.isoformat() if claim.date else None,
    }


def _bounds(fig: Figure) -> tuple[float, float]:
    if fig.low is None and fig.high is None:
        if fig.text and _ZERO_WORDS.match(fig.text):
            return 0, 0
        return 1, math.inf  # a reported loss in words: at least one
    low = fig.low if fig.low is not None else 0
    high = fig.high if fig.high is not None else math.inf
    return low, high


def _same_subject(a: Figure, b: Figure) -> bool:
    if a.subject is None or b.subject is None:
        return True
    return " ".join(a.subject.casefold().split()) == " ".join(b.subject.casefold().split())


def _contradict(a: Figure, b: Figure) -> bool:
    if not _same_subject(a, b):
        return False
    (a_low, a_high), (b_low, b_high) = _bounds(a), _bounds(b)
    if a.kind == b.kind:
        return a_low > b_high or b_low > a_high
    # casualties >= killed, casualties >= wounded
    if a.kind == "casualties" and b.kind in _PART_OF_CASUALTIES:
        return b_low > a_high
    if b.kind == "casualties" and a.kind in _PART_OF_CASUALTIES:
        return a_low > b_high
    return False
