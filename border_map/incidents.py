"""Incidents and the competing claims about them: the public face of the data model.

The model lives in :mod:`border_map.model` (:mod:`~border_map.model.vocabulary`,
:mod:`~border_map.model.incident`, :mod:`~border_map.model.dates`) and the native YAML/JSON
format in :mod:`border_map.readers.native_file`; this module gathers their public names, so
``from border_map.incidents import Incident, load_incidents`` keeps working.
"""

from __future__ import annotations

from .model.dates import parse_date_span
from .model.incident import (
    Claim,
    DateSpan,
    Evidence,
    Figure,
    Incident,
    Location,
    PlaceRef,
    Source,
    claim_spread,
    claim_spread_of,
    conflicting_kinds,
)
from .model.vocabulary import (
    CLAIM_STATUSES,
    DATE_PRECISIONS,
    EVENT_TYPES,
    FIGURE_KINDS,
    MAX_YEAR,
    MIN_YEAR,
    SIDE_LABELS,
    SIDES,
    EventType,
)

__all__ = [  # noqa: F822 - the reading functions load on first use (see __getattr__)
    "CLAIM_STATUSES", "DATE_PRECISIONS", "EVENT_TYPES", "FIGURE_KINDS", "MAX_YEAR", "MIN_YEAR",
    "SIDES", "SIDE_LABELS", "Claim", "DateSpan", "EventType", "Evidence", "Figure", "Incident",
    "Location", "PlaceRef", "Source", "claim_spread", "claim_spread_of", "conflicting_kinds",
    "incident_schema", "load_incidents", "loads_incidents", "parse_date_span",
]

_READING = ("load_incidents", "loads_incidents", "incident_schema")


def __getattr__(name: str):
    # the native reader imports the readers package, which imports this module: on first use
    if name in _READING:
        from .readers import native_file

        return getattr(native_file, name)
    raise AttributeError(f"module 'border_map.incidents' has no attribute {name!r}")
