"""The vocabulary of the data model: event types, sides, figure kinds, claim statuses,
date precisions, and the years a modern event's date can have."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ..errors import DataError

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


def _check_year(year: int) -> None:
    if year < MIN_YEAR:
        raise DataError(
            f"year {year} is before {MIN_YEAR}: this looks like a Solar Hijri (Afghan "
            "calendar) or lunar Hijri date; convert it to a Gregorian date"
        )
    if year > MAX_YEAR:
        raise DataError(f"year {year} is implausible for a reported incident")


def _did_you_mean(value: str, choices) -> str:
    folded = {str(c).casefold(): c for c in choices}
    if str(value).casefold() in folded:
        return f" (did you mean {folded[str(value).casefold()]!r}?)"
    close = difflib.get_close_matches(str(value), list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
