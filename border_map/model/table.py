"""The one normalised table every reader yields, chunk by chunk.

One row per incident, in the columns of :data:`TABLE_COLUMNS` (declared once, here); the
incident's claims travel with it in the ``claims`` column as a tuple of
:class:`~border_map.incidents.Claim` records -- the claims' child table, keyed by the row,
never merged with another incident's. Readers that parse record by record (native YAML,
JSON, GeoJSON, native CSV) build :class:`~border_map.incidents.Incident` objects and convert
them with :func:`from_incidents`; the tabular readers (ACLED, UCDP, GDELT, other tables) fill
the columns directly. :func:`to_incidents` is the one conversion back, for ``validate``,
the YAML writer and library users who want objects.

The analysed table that the writers stream is the next stage: the columns of
:data:`border_map.properties.INCIDENT_PROPERTIES` plus a point geometry
(:func:`border_map.analysis.process.process_table`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..model.incident import DateSpan, Incident, Location, PlaceRef

#: The normalised columns, in order, with their meaning.
TABLE_SCHEMA: dict[str, str] = {
    "id": "the incident's id (unique across the inputs)",
    "source_file": "the file (or archive member) the row was read from",
    "source_line": "the line where the record starts (0: not known)",
    "date_start": "first possible day (ISO 8601)",
    "date_end": "last possible day (ISO 8601)",
    "date_precision": "day, week, month, year or range",
    "date_text": "the source's own words for the date",
    "event_type": "border-map event type key",
    "actors": "tuple of the parties involved, as reported",
    "place": "the place as reported (None: no place named)",
    "place_country": "country hint for the gazetteer (AF, PK)",
    "place_kind": "kind hint for the gazetteer",
    "place_admin": "admin (province/district) hint for the gazetteer",
    "place_ref": "a gazetteer id given outright",
    "lon": "longitude of the source's point (NaN: none)",
    "lat": "latitude of the source's point (NaN: none)",
    "precision_km": "radius of the source point's uncertainty (NaN: not said)",
    "unlocated": "the source's reason why the incident has no place (None: it has one)",
    "description": "what happened, in the source's words",
    "claims": "tuple of Claim records: the claims' child table",
    "draft": "drafted by `border-map extract` and not yet checked by a person",
    "evidence": "tuple of Evidence records tying drafted fields to the report's words",
    "source_fields": "dict of the source's own fields kept as written (None: none)",
    "source_warnings": "tuple of what is inconsistent in the source's record (kept as written)",
}
TABLE_COLUMNS: tuple[str, ...] = tuple(TABLE_SCHEMA)
_FLOATS = ("lon", "lat", "precision_km")


@dataclass
class Batch:
    """One chunk of one input: the normalised rows and what the reader had to say.

    ``problems`` are records left out (bad data, each a ``DataError`` with file:line and
    field); ``ignored`` counts rows left out on purpose (other countries, not violence), by
    reason; ``rows`` is every input row the chunk held, so ``len(table) + len(problems) +
    sum(ignored.values()) == rows``.
    """

    path: str
    format: str
    table: pd.DataFrame
    problems: list = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ignored: dict[str, int] = field(default_factory=dict)
    rows: int = 0


def empty_table() -> pd.DataFrame:
    return from_columns({c: [] for c in TABLE_COLUMNS})


def from_columns(columns: dict[str, Sequence]) -> pd.DataFrame:
    """A table from column sequences (missing columns are filled with nulls)."""
    n = len(next(iter(columns.values()))) if columns else 0
    data = {}
    for name in TABLE_COLUMNS:
        values = columns.get(name)
        if name in _FLOATS:
            data[name] = (np.full(n, np.nan) if values is None
                          else np.asarray(values, dtype=float))
        elif name == "draft":
            data[name] = (np.zeros(n, dtype=bool) if values is None
                          else np.asarray(values, dtype=bool))
        elif name == "source_line":
            data[name] = (np.zeros(n, dtype=np.int64) if values is None
                          else np.asarray(values, dtype=np.int64))
        else:
            arr = np.empty(n, dtype=object)
            if values is not None:
                arr[:] = list(values) if not isinstance(values, np.ndarray) else values
            data[name] = pd.Series(arr, dtype=object)  # None stays None (no str inference)
    return pd.DataFrame(data, columns=list(TABLE_COLUMNS))


def from_incidents(incidents: Iterable[Incident]) -> pd.DataFrame:
    """The one conversion from model objects to the table."""
    cols: dict[str, list] = {c: [] for c in TABLE_COLUMNS}
    nan = float("nan")
    for inc in incidents:
        d, p, loc = inc.date, inc.place, inc.location
        cols["id"].append(inc.id)
        cols["source_file"].append(inc.source_file)
        cols["source_line"].append(inc.source_line or 0)
        cols["date_start"].append(d.start.isoformat())
        cols["date_end"].append(d.end.isoformat())
        cols["date_precision"].append(d.precision)
        cols["date_text"].append(d.text)
        cols["event_type"].append(inc.event_type)
        cols["actors"].append(inc.actors)
        cols["place"].append(p.name if p else None)
        cols["place_country"].append(p.country if p else None)
        cols["place_kind"].append(p.kind if p else None)
        cols["place_admin"].append(p.admin if p else None)
        cols["place_ref"].append(p.id if p else None)
        cols["lon"].append(loc.lon if loc else nan)
        cols["lat"].append(loc.lat if loc else nan)
        cols["precision_km"].append(
            loc.precision_km if loc is not None and loc.precision_km is not None else nan)
        cols["unlocated"].append(inc.unlocated)
        cols["description"].append(inc.description)
        cols["claims"].append(inc.claims)
        cols["draft"].append(inc.draft)
        cols["evidence"].append(inc.evidence)
        cols["source_fields"].append(inc.source_fields or None)
        cols["source_warnings"].append(inc.source_warnings)
    return from_columns(cols)


def to_incidents(table: pd.DataFrame) -> list[Incident]:
    """The one conversion back: model objects from table rows (validated by the model)."""
    out = []
    dates: dict[tuple, DateSpan] = {}
    for row in table.itertuples(index=False):
        key = (row.date_start, row.date_end, row.date_precision, row.date_text)
        span = dates.get(key)
        if span is None:
            span = dates[key] = DateSpan(dt.date.fromisoformat(row.date_start),
                                         dt.date.fromisoformat(row.date_end),
                                         row.date_precision, row.date_text)
        place = None
        if row.place is not None:
            place = PlaceRef(row.place, country=row.place_country, kind=row.place_kind,
                             admin=row.place_admin, id=row.place_ref)
        location = None
        if row.lon == row.lon and row.lat == row.lat:  # not NaN
            precision = row.precision_km if row.precision_km == row.precision_km else None
            location = Location(float(row.lon), float(row.lat), precision)
        out.append(Incident(
            id=row.id, date=span, event_type=row.event_type, actors=tuple(row.actors or ()),
            place=place, location=location, description=row.description,
            claims=tuple(row.claims or ()), unlocated=row.unlocated,
            source_file=row.source_file, source_line=int(row.source_line) or None,
            draft=bool(row.draft), evidence=tuple(row.evidence or ()),
            source_fields=row.source_fields or None,
            source_warnings=tuple(row.source_warnings or ())))
    return out


def where(table: pd.DataFrame, i: int) -> str:
    """``file:line`` of row ``i`` (or the incident id when the source is not known)."""
    f = table["source_file"].iat[i]
    line = int(table["source_line"].iat[i])
    if f:
        return f"{f}:{line}" if line else str(f)
    return f"incident {table['id'].iat[i]}"


_KIND = re.compile(r"'[^']*'|\d[\d,.]*")


def warning_kind(text: str) -> str:
    """The kind of a source warning (``source_warnings``): its words before the first colon,
    values masked, so that build and validate count them the same way."""
    return " ".join(_KIND.sub("…", text.split(":", 1)[0]).split())
