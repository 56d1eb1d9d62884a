"""Incidents and the competing claims about them: the data model and the native file format.

An :class:`Incident` is one event at one place on one date (or date span). What each
party says about it is a separate :class:`Claim` with its own :class:`Figure` s: the
Pakistani military's "at least 70 fighters" and Kabul's "civilians, including women and
children" stay two claims. Nothing here averages, merges or picks a winner;
:func:`claim_spread` lays the figures side by side and flags when they contradict.

Native files are YAML (``.yaml``/``.yml``) or JSON (``.json``), described by
``border_map/schema/incident.schema.json`` (see :func:`incident_schema`)::

    incidents:
      - id: 2026-02-26-clash-khyber
        date: 2026-02-26        # or 2026-02, 2026-W09, 2026, START/END, {start, end, ...}
        event_type: armed_clash # a key of EVENT_TYPES
        actors: [Afghan Taliban forces, Pakistani military]
        place: {name: Khyber, country: PK, kind: district}  # or just a name
        location: {lon: 71.1, lat: 34.1, precision_km: 5}  # optional; longitude first
        claims:
          - {side: PK, organisation: ..., figures: [{kind: killed, low: 3, high: 5, text: ...}]}

YAML is read without YAML 1.1's implicit typing: every scalar stays the text as written
(``NO`` is not ``False``, ``034`` is not ``28``, ``1:20`` is not ``80``) and each field is
converted here, so a wrong value is reported, not silently reinterpreted. Duplicate keys are
errors. Every problem is a :class:`~border_map.errors.DataError` whose message starts with
``file:line: field 'path':`` (for YAML the line of the offending value; for JSON the line
where the value starts).
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import difflib
import json
import json.decoder
import json.scanner
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

import yaml

from ._records import compact_pickle
from .errors import DataError

__all__ = [
    "CLAIM_STATUSES",
    "DATE_PRECISIONS",
    "EVENT_TYPES",
    "FIGURE_KINDS",
    "SIDES",
    "SIDE_LABELS",
    "Claim",
    "DateSpan",
    "EventType",
    "Evidence",
    "Figure",
    "Incident",
    "Location",
    "PlaceRef",
    "Source",
    "claim_spread",
    "claim_spread_of",
    "conflicting_kinds",
    "incident_schema",
    "load_incidents",
    "loads_incidents",
    "parse_date_span",
]


# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True, slots=True)
class EventType:
    """One entry of the event vocabulary, with its ACLED event / sub-event type.

    ``symbol`` is a short icon name for the map; ``note`` says where the ACLED
    mapping needs an analyst's judgement. ``acled_event_type`` is ``None`` only for
    ``other``, which has no honest ACLED equivalent.
    """

    key: str
    label: str
    acled_event_type: str | None
    acled_sub_event_type: str | None
    symbol: str
    note: str | None = None


def _vocabulary(*types: EventType) -> dict[str, EventType]:
    return {t.key: t for t in types}


_EXPLOSIONS = "Explosions/Remote violence"

#: The event vocabulary, keyed by the ``event_type`` used in incident files.
EVENT_TYPES: dict[str, EventType] = _vocabulary(
    EventType("airstrike", "Airstrike", _EXPLOSIONS, "Air/drone strike", "plane"),
    EventType(
        "drone_strike",
        "Drone strike",
        _EXPLOSIONS,
        "Air/drone strike",
        "drone",
        note="ACLED does not separate drones from manned aircraft",
    ),
    EventType(
        "shelling",
        "Shelling / artillery / missile",
        _EXPLOSIONS,
        "Shelling/artillery/missile attack",
        "artillery",
    ),
    EventType("armed_clash", "Armed clash", "Battles", "Armed clash", "clash"),
    EventType(
        "outpost_captured",
        "Outpost captured",
        "Battles",
        "Non-state actor overtakes territory",
        "flag",
        note=(
            "ACLED codes the Taliban as Afghanistan's state forces since August 2021: use "
            "'Government regains territory' when a government retakes ground it had lost, and "
            "review interstate captures (often coded 'Armed clash') event by event"
        ),
    ),
    EventType(
        "border_closure",
        "Border closure",
        "Strategic developments",
        "Other",
        "barrier",
        note="a state that lasts: give the date as the span the crossing was reported shut",
    ),
    EventType("attack", "Attack on civilians", "Violence against civilians", "Attack", "attack"),
    EventType(
        "remote_explosive",
        "Remote explosive / landmine / IED",
        _EXPLOSIONS,
        "Remote explosive/landmine/IED",
        "explosion",
    ),
    EventType("suicide_bomb", "Suicide bombing", _EXPLOSIONS, "Suicide bomb", "explosion"),
    EventType(
        "abduction",
        "Abduction / forced disappearance",
        "Violence against civilians",
        "Abduction/forced disappearance",
        "abduction",
    ),
    EventType(
        "other",
        "Other",
        None,
        None,
        "dot",
        note="no ACLED type is implied; describe the event in 'description'",
    ),
)

#: Who makes a claim: Afghanistan, Pakistan, or anyone else (media, UN, NGOs, locals).
SIDES: tuple[str, ...] = ("AF", "PK", "third_party")
SIDE_LABELS: dict[str, str] = {"AF": "Afghanistan", "PK": "Pakistan", "third_party": "Third party"}

#: What a figure counts. ``casualties`` is killed and wounded together.
FIGURE_KINDS: tuple[str, ...] = (
    "killed",
    "wounded",
    "captured",
    "casualties",
    "posts_captured",
    "posts_destroyed",
    "equipment_destroyed",
    "displaced",
    "other",
)

#: ``disputed``: another party contradicted the claim; ``denied``: the party it is about
#: denied it; ``confirmed``: independently confirmed.
CLAIM_STATUSES: tuple[str, ...] = ("unverified", "disputed", "denied", "confirmed")
DATE_PRECISIONS: tuple[str, ...] = ("day", "week", "month", "year", "range")

#: Years before this are not Gregorian dates of modern events: almost always Solar Hijri
#: (the Afghan civil calendar, e.g. 1404) or lunar Hijri (e.g. 1447) dates.
MIN_YEAR = 1900
MAX_YEAR = 2100


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


# --------------------------------------------------------------------------- dates

_COUNTRY = re.compile(r"[A-Z]{2}")
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{2})")
_ISO_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_ISO_YEAR = re.compile(r"(\d{4})")
_SLASHED_YMD = re.compile(r"(\d{3,4})[/.](\d{1,2})[/.](\d{1,2})")
_DAY_FIRST = re.compile(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}")
_LEADING_YEAR = re.compile(r"(\d{3,4})\b")
_DATE_FORMS = "YYYY-MM-DD, YYYY-MM, YYYY-Www, YYYY or START/END (ISO 8601)"


def _check_year(year: int) -> None:
    if year < MIN_YEAR:
        raise DataError(
            f"year {year} is before {MIN_YEAR}: this looks like a Solar Hijri (Afghan "
            "calendar) or lunar Hijri date; convert it to a Gregorian date"
        )
    if year > MAX_YEAR:
        raise DataError(f"year {year} is implausible for a reported incident")


def _day(year: int, month: int, day: int, text: str) -> dt.date:
    _check_year(year)
    try:
        return dt.date(year, month, day)
    except ValueError as err:
        raise DataError(f"{text} is not a calendar date ({err})") from err


def _parse_single(text: str) -> tuple[dt.date, dt.date, str]:
    """One ISO 8601 date of any precision -> (first day, last day, precision)."""
    if m := _ISO_DAY.fullmatch(text):
        y, mo, d = (int(g) for g in m.groups())
        day = _day(y, mo, d, text)
        return day, day, "day"
    if m := _ISO_MONTH.fullmatch(text):
        y, mo = int(m[1]), int(m[2])
        first = _day(y, mo, 1, text)
        return first, first.replace(day=calendar.monthrange(y, mo)[1]), "month"
    if m := _ISO_WEEK.fullmatch(text):
        y, w = int(m[1]), int(m[2])
        _check_year(y)
        try:
            return dt.date.fromisocalendar(y, w, 1), dt.date.fromisocalendar(y, w, 7), "week"
        except ValueError as err:
            raise DataError(f"{text} is not an ISO week ({err})") from err
    if m := _ISO_YEAR.fullmatch(text):
        y = int(m[1])
        _check_year(y)
        return dt.date(y, 1, 1), dt.date(y, 12, 31), "year"
    if m := _SLASHED_YMD.fullmatch(text):
        y, mo, d = (int(g) for g in m.groups())
        _check_year(y)
        raise DataError(
            f"{text!r}: write dates as ISO 8601 YYYY-MM-DD (e.g. {y:04d}-{mo:02d}-{d:02d})"
        )
    if _DAY_FIRST.fullmatch(text):
        raise DataError(
            f"{text!r}: day/month order is ambiguous; write dates as ISO 8601 YYYY-MM-DD"
        )
    if (m := _LEADING_YEAR.match(text)) and int(m[1]) < MIN_YEAR:
        _check_year(int(m[1]))
    raise DataError(f"{text!r} is not a date; expected {_DATE_FORMS}")


def parse_date_span(text: str, *, as_written: str | None = None) -> DateSpan:
    """Parse an ISO 8601 date, reduced-precision date, week or ``START/END`` interval.

    ``2026-02-26`` (day), ``2026-02`` (month), ``2026-W09`` (ISO week), ``2026`` (year),
    ``2026-02-21/2026-02-22`` (range). Day-first forms, slashed dates and years before
    1900 (Solar Hijri such as ``1400/03/15``) are rejected with a message saying why.
    Raises :class:`DataError` (without a location).
    """
    text = text.strip()
    if "/" in text and not _SLASHED_YMD.fullmatch(text) and not _DAY_FIRST.fullmatch(text):
        parts = text.split("/")
        if len(parts) != 2 or not all(parts):
            raise DataError(f"{text!r} is not a date; expected {_DATE_FORMS}")
        first, last = _parse_single(parts[0].strip()), _parse_single(parts[1].strip())
        start, end = first[0], last[1]
        if end < start:
            raise DataError(f"{text!r}: the end is before the start")
        same = first == last
        precision = first[2] if same else ("day" if start == end else "range")
        return DateSpan(start, end, precision, as_written)
    start, end, precision = _parse_single(text)
    return DateSpan(start, end, precision, as_written)


def _parse_claim_day(text: str) -> dt.date:
    start, end, precision = _parse_single(text.strip())
    if precision != "day":
        raise DataError(f"{text!r}: a claim date is one day, YYYY-MM-DD")
    return start


def _parse_published(text: str) -> str:
    text = text.strip()
    if "T" in text or " " in text:
        try:
            stamp = dt.datetime.fromisoformat(text)
        except ValueError as err:
            raise DataError(f"{text!r} is not an ISO 8601 date or date-time") from err
        _check_year(stamp.year)
        return text
    _parse_single(text)
    return text


def _did_you_mean(value: str, choices) -> str:
    folded = {str(c).casefold(): c for c in choices}
    if str(value).casefold() in folded:
        return f" (did you mean {folded[str(value).casefold()]!r}?)"
    close = difflib.get_close_matches(str(value), list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --------------------------------------------------------------------------- reading files

_YAML_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_COMPOSER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


@dataclass(slots=True)
class _Node:
    """A parsed value with the line it starts on; the common form of YAML and JSON input.

    ``value`` is a dict of nodes, a list of nodes, or a scalar. YAML scalars are the text
    as written (``typed`` false); JSON scalars keep their JSON type (``typed`` true).
    """

    value: Any
    line: int
    typed: bool = False
    key_lines: dict[str, int] | None = None


def load_incidents(path: str | os.PathLike[str]) -> list[Incident]:
    """Read a native incident file (YAML, or JSON by extension or content).

    UTF-8 with or without a byte-order mark. Bad data raises :class:`DataError`
    naming ``file:line`` and the field; an unreadable path raises :class:`OSError`.
    """
    name = os.fspath(path)
    raw = Path(path).read_bytes()
    return loads_incidents(_decode(raw, name), name=name)


def loads_incidents(text: str, *, name: str = "<string>") -> list[Incident]:
    """Parse incidents from text; ``name`` (a file name) appears in errors and picks JSON
    for ``.json``, YAML for ``.yaml``/``.yml``, otherwise JSON if the text parses as JSON."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise DataError("empty file: no incidents", location=name)
    try:
        root = _parse(text, name)
        if root is None or root.value is None:
            raise DataError("empty file: no incidents (only comments?)", location=name)
        return _Reader(name).incidents(root)
    except RecursionError as err:
        raise DataError("nested too deeply to be an incident file", location=name) from err


def _decode(raw: bytes, name: str) -> str:
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise DataError(
            f"binary file (NUL byte at line {line}), not a YAML or JSON incident file",
            location=f"{name}:{line}",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise DataError(
            f"not UTF-8 text (byte 0x{raw[err.start]:02x} at line {line}: {err.reason}); "
            "save the file as UTF-8",
            location=f"{name}:{line}",
        ) from err


def _parse(text: str, name: str) -> _Node | None:
    suffix = Path(name).suffix.lower()
    if suffix == ".json":
        return _parse_json(text, name)
    if suffix not in (".yaml", ".yml") and text.lstrip()[:1] in ("{", "["):
        try:
            return _parse_json(text, name)
        except DataError:
            pass  # not JSON after all: YAML flow style
    return _parse_yaml(text, name)


def _parse_yaml(text: str, name: str) -> _Node | None:
    try:
        node = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        last_line = text.count("\n") + (not text.endswith("\n"))
        where = f"{name}:{min(mark.line + 1, max(last_line, 1))}" if mark else name
        problem = "; ".join(x for x in (err.context, err.problem) if x)
        raise DataError(f"YAML syntax error: {problem}", location=where) from err
    except yaml.YAMLError as err:
        raise DataError(f"YAML error: {err}".replace("\n", " "), location=name) from err
    if node is None:
        return None
    return _yaml_node(node, name, {}, set())


def _yaml_node(node: yaml.Node, name: str, memo: dict[int, _Node], active: set[int]) -> _Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        plain = not node.style
        return _Node(None if plain and node.value in _YAML_NULLS else node.value, line)
    if id(node) in memo:
        return memo[id(node)]
    if id(node) in active:
        raise DataError("recursive YAML alias", location=f"{name}:{line}")
    active.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        result = _Node([_yaml_node(item, name, memo, active) for item in node.value], line)
    else:
        items: dict[str, _Node] = {}
        key_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise DataError("a mapping key must be a plain name", location=f"{name}:{key_line}")
            key = key_node.value
            if key == "<<" and not key_node.style:
                raise DataError(
                    "YAML merge keys (<<) are not supported: write the fields out",
                    location=f"{name}:{key_line}",
                )
            if key in items:
                raise DataError(
                    f"duplicate key {key!r} (first at line {key_lines[key]}); "
                    "YAML would silently keep only the last",
                    location=f"{name}:{key_line}",
                    field=key,
                )
            items[key] = _yaml_node(value_node, name, memo, active)
            key_lines[key] = key_line
        result = _Node(items, line, key_lines=key_lines)
    active.discard(id(node))
    memo[id(node)] = result
    return result


def _parse_json(text: str, name: str) -> _Node:
    """JSON with a line number on every value and duplicate keys rejected."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of(index: int) -> int:
        return bisect.bisect_right(line_starts, index)

    def noting_lines(scan_once):
        def scan(string: str, index: int):
            value, end = scan_once(string, index)
            if isinstance(value, _Node):  # a mapping or list, already noted
                return value, end
            return _Node(value, line_of(index), typed=True), end

        return scan

    def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None):
        pairs, end = json.decoder.JSONObject(
            s_and_end, strict, noting_lines(scan_once), None, list, memo
        )
        items: dict[str, _Node] = {}
        for key, node in pairs:
            if key in items:
                raise DataError(
                    f"duplicate key {key!r} (first at line {items[key].line})",
                    location=f"{name}:{node.line}",
                    field=key,
                )
            items[key] = node
        return _Node(
            items,
            line_of(s_and_end[1] - 1),
            typed=True,
            key_lines={k: n.line for k, n in items.items()},
        ), end

    def parse_array(s_and_end, scan_once):
        values, end = json.decoder.JSONArray(s_and_end, noting_lines(scan_once))
        return _Node(values, line_of(s_and_end[1] - 1), typed=True), end

    decoder = json.JSONDecoder()
    decoder.parse_object = parse_object
    decoder.parse_array = parse_array
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    try:
        node = decoder.decode(text)
    except json.JSONDecodeError as err:
        raise DataError(f"JSON syntax error: {err.msg}", location=f"{name}:{err.lineno}") from err
    if not isinstance(node, _Node):  # a bare scalar document
        start = len(text) - len(text.lstrip())
        node = _Node(node, line_of(start), typed=True)
    return node


_TOP_KEYS = ("incidents", "source")
_INCIDENT_KEYS = (
    "id",
    "date",
    "event_type",
    "actors",
    "place",
    "location",
    "description",
    "claims",
    "unlocated",
    "draft",
    "evidence",
)
_DATE_KEYS = ("start", "end", "precision", "text")
_PLACE_KEYS = ("name", "country", "kind", "admin", "id")
_LOCATION_KEYS = ("lon", "lat", "precision_km")
_CLAIM_KEYS = (
    "claimant",
    "organisation",
    "side",
    "date",
    "statement",
    "figures",
    "source",
    "status",
)
_FIGURE_KEYS = ("kind", "low", "high", "value", "text", "subject")
_SOURCE_KEYS = ("outlet", "url", "quote", "published")
_EVIDENCE_KEYS = ("field", "text", "start", "end", "sentence", "note")
_BOOLEANS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False,
             "FALSE": False}
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_NON_FINITE = frozenset(
    {
        ".nan",
        "nan",
        ".inf",
        "+.inf",
        "-.inf",
        "inf",
        "+inf",
        "-inf",
        "infinity",
        "-infinity",
        "+infinity",
    }
)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    short = value if len(value) <= 40 else value[:37] + "..."
    return f"a string ({short!r})"


class _Reader:
    """Turns parsed nodes into incidents, checking every field against the format."""

    def __init__(self, name: str):
        self.name = name
        self.default_source: Source | None = None

    def fail(self, line: int, field_path: str | None, message: str) -> NoReturn:
        raise DataError(message, location=f"{self.name}:{line}", field=field_path)

    # ---- structure

    def incidents(self, root: _Node) -> list[Incident]:
        if isinstance(root.value, list):
            items = root.value
        elif isinstance(root.value, dict):
            self.check_keys(root, _TOP_KEYS, None)
            if "incidents" not in root.value:
                self.fail(root.line, "incidents", "missing: the file needs an 'incidents' list")
            if (src := root.value.get("source")) is not None:
                self.default_source = self.source(src, "source")
            items = self.list_of(root.value["incidents"], "incidents")
        else:
            self.fail(
                root.line,
                None,
                "expected a mapping with an 'incidents' list, or a list of incidents; "
                f"got {_describe(root.value)}",
            )
        seen: dict[str, int] = {}
        result = []
        for index, node in enumerate(items):
            incident = self.incident(node, index)
            if incident.id in seen:
                self.fail(
                    node.value["id"].line,
                    "id",
                    f"duplicate incident id {incident.id!r} (first at line {seen[incident.id]})",
                )
            seen[incident.id] = node.line
            result.append(incident)
        return result

    def check_keys(self, node: _Node, allowed: tuple[str, ...], prefix: str | None) -> None:
        for key in node.value:
            if key not in allowed:
                self.fail(
                    node.key_lines.get(key, node.line),
                    _join(prefix, key),
                    f"unknown field{_did_you_mean(key, allowed)}; allowed: {', '.join(allowed)}",
                )

    def mapping(self, node: _Node, allowed: tuple[str, ...], path: str) -> dict[str, _Node]:
        if not isinstance(node.value, dict):
            self.fail(node.line, path, f"expected a mapping, got {_describe(node.value)}")
        self.check_keys(node, allowed, path)
        return node.value

    def list_of(self, node: _Node | None, path: str) -> list[_Node]:
        if node is None or node.value is None:
            return []
        if not isinstance(node.value, list):
            self.fail(node.line, path, f"expected a list, got {_describe(node.value)}")
        return node.value

    def required(self, parent: _Node, key: str, path: str) -> _Node:
        node = parent.value.get(key)
        if node is None:
            self.fail(parent.line, path, "missing required field")
        if node.value is None:
            self.fail(node.line, path, "required field is empty")
        return node

    def build(self, cls, parent: _Node, path: str, **kwargs):
        """Construct a model object, turning its own validation errors into located ones."""
        try:
            return cls(**kwargs)
        except DataError as err:
            key = err.field
            node = parent.value.get(key) if key and isinstance(parent.value, dict) else None
            line = node.line if node is not None else parent.line
            raise DataError(
                err.message, location=f"{self.name}:{line}", field=_join(path, key)
            ) from None

    # ---- scalars

    def text(self, node: _Node | None, path: str) -> str | None:
        if node is None or node.value is None:
            return None
        if not isinstance(node.value, str):
            self.fail(node.line, path, f"expected text, got {_describe(node.value)}")
        return node.value.strip() or None

    def integer(self, node: _Node | None, path: str) -> int | None:
        if node is None or node.value is None:
            return None
        value = node.value
        if node.typed:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int):
                self.fail(node.line, path, f"expected a whole number, got {_describe(value)}")
        elif not isinstance(value, str):
            self.fail(node.line, path, f"expected a whole number, got {_describe(value)}")
        elif _INTEGER.fullmatch(value.strip()):
            value = int(value.strip(), 10)  # decimal: YAML 1.1 would read 034 as octal 28
        else:
            self.fail(node.line, path, f"expected a whole number, got {value!r}")
        if value < 0:
            self.fail(node.line, path, f"must not be negative (got {value})")
        return value

    def number(self, node: _Node | None, path: str) -> float | None:
        if node is None or node.value is None:
            return None
        value = node.value
        if node.typed:
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.fail(node.line, path, f"expected a number, got {_describe(value)}")
            value = float(value)
        else:
            if not isinstance(value, str):
                self.fail(node.line, path, f"expected a number, got {_describe(value)}")
            raw = value.strip()
            if raw.lower() in _NON_FINITE:
                self.fail(node.line, path, f"must be a finite number (got {raw})")
            if not _DECIMAL.fullmatch(raw):
                self.fail(node.line, path, f"expected a decimal number, got {raw!r}")
            value = float(raw)
        if not math.isfinite(value):
            self.fail(node.line, path, f"must be a finite number (got {value})")
        return value

    def parsed(self, node: _Node, path: str, parse):
        text = node.value
        if not isinstance(text, str):
            self.fail(node.line, path, f"expected an ISO 8601 date, got {_describe(text)}")
        try:
            return parse(text)
        except DataError as err:
            self.fail(node.line, path, err.message)

    # ---- records

    def incident(self, node: _Node, index: int) -> Incident:
        if not isinstance(node.value, dict):
            self.fail(
                node.line,
                f"incidents[{index}]",
                f"expected an incident mapping, got {_describe(node.value)}",
            )
        fields = self.mapping(node, _INCIDENT_KEYS, "")
        ident = self.text(self.required(node, "id", "id"), "id")
        if ident is None:
            self.fail(fields["id"].line, "id", "must not be empty")
        date = self.date_span(self.required(node, "date", "date"), "date")
        event_type = self.text(self.required(node, "event_type", "event_type"), "event_type")
        actors = tuple(
            a
            for i, a_node in enumerate(self.list_of(fields.get("actors"), "actors"))
            if (a := self.text(a_node, f"actors[{i}]")) is not None
        )
        place = self.place(fields.get("place"), "place")
        location = self.location(fields.get("location"), "location")
        unlocated = self.text(fields.get("unlocated"), "unlocated")
        if place is None and location is None and not unlocated:
            self.fail(node.line, "place",
                      "missing: an incident needs a place, a location or an 'unlocated' reason")
        claims = tuple(
            self.claim(c, f"claims[{i}]")
            for i, c in enumerate(self.list_of(fields.get("claims"), "claims"))
        )
        return self.build(
            Incident,
            node,
            "",
            id=ident,
            date=date,
            event_type=event_type,
            actors=actors,
            place=place,
            location=location,
            description=self.text(fields.get("description"), "description"),
            claims=claims,
            unlocated=unlocated,
            source_file=self.name,
            source_line=node.line,
            draft=bool(self.boolean(fields.get("draft"), "draft")),
            evidence=tuple(
                self.evidence(e, f"evidence[{i}]")
                for i, e in enumerate(self.list_of(fields.get("evidence"), "evidence"))
            ),
        )

    def boolean(self, node: _Node | None, path: str) -> bool | None:
        if node is None or node.value is None:
            return None
        if node.typed and isinstance(node.value, bool):
            return node.value
        if not node.typed and node.value in _BOOLEANS:
            return _BOOLEANS[node.value]
        self.fail(node.line, path, f"expected true or false, got {_describe(node.value)}")

    def evidence(self, node: _Node, path: str) -> Evidence:
        fields = self.mapping(node, _EVIDENCE_KEYS, path)
        for key in ("field", "start", "end"):
            self.required(node, key, f"{path}.{key}")
        return self.build(
            Evidence,
            node,
            path,
            field=self.text(fields["field"], f"{path}.field"),
            text=self.text(fields.get("text"), f"{path}.text") or "",
            start=self.integer(fields["start"], f"{path}.start"),
            end=self.integer(fields["end"], f"{path}.end"),
            sentence=self.text(fields.get("sentence"), f"{path}.sentence"),
            note=self.text(fields.get("note"), f"{path}.note"),
        )

    def date_span(self, node: _Node, path: str) -> DateSpan:
        if not isinstance(node.value, dict):
            return self.parsed(node, path, parse_date_span)
        fields = self.mapping(node, _DATE_KEYS, path)
        start_node = self.required(node, "start", f"{path}.start")
        first = self.parsed(start_node, f"{path}.start", lambda t: _parse_single(t.strip()))
        end_node = fields.get("end")
        if end_node is None or end_node.value is None:
            last = first
        else:
            last = self.parsed(end_node, f"{path}.end", lambda t: _parse_single(t.strip()))
        start, end = first[0], last[1]
        precision = self.text(fields.get("precision"), f"{path}.precision")
        if precision is None:
            precision = first[2] if first == last else ("day" if start == end else "range")
        return self.build(
            DateSpan,
            node,
            path,
            start=start,
            end=end,
            precision=precision,
            text=self.text(fields.get("text"), f"{path}.text"),
        )

    def place(self, node: _Node | None, path: str) -> PlaceRef | None:
        if node is None or node.value is None:
            return None
        if not isinstance(node.value, dict):
            return self.build(PlaceRef, node, path, name=self.text(node, path))
        fields = self.mapping(node, _PLACE_KEYS, path)
        name = self.text(self.required(node, "name", f"{path}.name"), f"{path}.name")
        country = self.text(fields.get("country"), f"{path}.country")
        return self.build(
            PlaceRef,
            node,
            path,
            name=name,
            country=country.upper() if country and len(country) == 2 else country,
            kind=self.text(fields.get("kind"), f"{path}.kind"),
            admin=self.text(fields.get("admin"), f"{path}.admin"),
            id=self.text(fields.get("id"), f"{path}.id"),
        )

    def location(self, node: _Node | None, path: str) -> Location | None:
        if node is None or node.value is None:
            return None
        if isinstance(node.value, list):
            self.fail(node.line, path, "write the location as a mapping {lon: ..., lat: ...}")
        fields = self.mapping(node, _LOCATION_KEYS, path)
        lon = self.number(self.required(node, "lon", f"{path}.lon"), f"{path}.lon")
        lat = self.number(self.required(node, "lat", f"{path}.lat"), f"{path}.lat")
        precision = self.number(fields.get("precision_km"), f"{path}.precision_km")
        return self.build(Location, node, path, lon=lon, lat=lat, precision_km=precision)

    def claim(self, node: _Node, path: str) -> Claim:
        fields = self.mapping(node, _CLAIM_KEYS, path)
        side = self.text(self.required(node, "side", f"{path}.side"), f"{path}.side")
        date_node = fields.get("date")
        date = None
        if date_node is not None and date_node.value is not None:
            date = self.parsed(date_node, f"{path}.date", _parse_claim_day)
        figures = tuple(
            self.figure(f, f"{path}.figures[{i}]")
            for i, f in enumerate(self.list_of(fields.get("figures"), f"{path}.figures"))
        )
        source_node = fields.get("source")
        source = (
            self.source(source_node, f"{path}.source")
            if source_node is not None and source_node.value is not None
            else self.default_source
        )
        return self.build(
            Claim,
            node,
            path,
            claimant=self.text(fields.get("claimant"), f"{path}.claimant"),
            organisation=self.text(fields.get("organisation"), f"{path}.organisation"),
            side=side,
            date=date,
            statement=self.text(fields.get("statement"), f"{path}.statement"),
            figures=figures,
            source=source,
            status=self.text(fields.get("status"), f"{path}.status") or "unverified",
        )

    def figure(self, node: _Node, path: str) -> Figure:
        fields = self.mapping(node, _FIGURE_KEYS, path)
        kind = self.text(self.required(node, "kind", f"{path}.kind"), f"{path}.kind")
        low = self.integer(fields.get("low"), f"{path}.low")
        high = self.integer(fields.get("high"), f"{path}.high")
        value = self.integer(fields.get("value"), f"{path}.value")
        if value is not None:
            if low is not None or high is not None:
                self.fail(
                    fields["value"].line,
                    f"{path}.value",
                    "give either 'value' (an exact number) or 'low'/'high', not both",
                )
            low = high = value
        return self.build(
            Figure,
            node,
            path,
            kind=kind,
            low=low,
            high=high,
            text=self.text(fields.get("text"), f"{path}.text"),
            subject=self.text(fields.get("subject"), f"{path}.subject"),
        )

    def source(self, node: _Node, path: str) -> Source:
        fields = self.mapping(node, _SOURCE_KEYS, path)
        published_node = fields.get("published")
        published = None
        if published_node is not None and published_node.value is not None:
            published = self.parsed(published_node, f"{path}.published", _parse_published)
        return Source(
            outlet=self.text(fields.get("outlet"), f"{path}.outlet"),
            url=self.text(fields.get("url"), f"{path}.url"),
            quote=self.text(fields.get("quote"), f"{path}.quote"),
            published=published,
        )


def _join(prefix: str | None, key: str | None) -> str | None:
    if not key:
        return prefix or None
    return f"{prefix}.{key}" if prefix else key


# --------------------------------------------------------------------------- schema


@cache
def _schema_text() -> str:
    return (
        resources.files("border_map")
        .joinpath("schema/incident.schema.json")
        .read_text(encoding="utf-8")
    )


def incident_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the native incident file format (a fresh copy)."""
    return json.loads(_schema_text())
