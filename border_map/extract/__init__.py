"""From a news story to draft incidents: places, events, dates and claims, with evidence.

::

    from border_map.extract import extract
    draft = extract(text, date=dt.date(2026, 2, 27), source="Example wire")
    draft.incidents          # Incident objects, draft=True, each field with its evidence
    print(draft.to_yaml())   # the native file format; `border-map build` maps it

    # many reports, on every CPU (see :mod:`.batch`)
    for result in extract_many(Report.from_file(p, date="2026-02-27") for p in paths):
        result.incidents, result.error

Rules and the gazetteer only, no model and no network: :mod:`.text` strips markup and
splits sentences, :mod:`.places` finds every gazetteer name in one pass and
disambiguates it, :mod:`.dates` resolves dates against the article's date, :mod:`.actors`
names parties and people, :mod:`.events` finds what happened, :mod:`.claims` who said
what with which figures, :mod:`.assemble` makes incidents of it all and :mod:`.review`
prints a table for a person to check; :mod:`.batch` runs many reports on worker processes.
"""

from __future__ import annotations

import datetime as dt
import gc
from dataclasses import dataclass, field, replace

from ..errors import DataError
from ..gazetteer import Gazetteer
from ..incidents import Incident
from .actors import Entity, by_sentence, find_entities
from .assemble import MAIN_CROSSINGS, assemble
from .batch import Extracted, Report, extract_many
from .claims import ClaimUnit, find_claims
from .dates import DateMention, find_dates, parse_article_date
from .events import EventMention, find_events
from .output import to_yaml
from .places import PlaceMention, find_places
from .text import Document, Spans, read_document

__all__ = ["MAIN_CROSSINGS", "Draft", "Extracted", "Report", "extract", "extract_document",
           "extract_many", "read_document"]

#: The organisation of claims the report makes in its own voice, when no outlet is given.
DEFAULT_OUTLET = "News report"


@dataclass
class Draft:
    """What :func:`extract` found: draft incidents and every mention behind them."""

    document: Document
    article_date: dt.date
    source: str | None
    url: str | None
    incidents: list[Incident]
    places: list[PlaceMention]
    dates: list[DateMention]
    events: list[EventMention]
    claims: list[ClaimUnit]
    entities: list[Entity] = field(default_factory=list)

    @property
    def located_places(self) -> list[PlaceMention]:
        """Mentions of places where things are (no countries, no capitals as governments)."""
        return [p for p in self.places if p.role == "location"]

    @property
    def warnings(self) -> list[str]:
        """Things a reviewer should look at first, one line each."""
        out = []
        for p in self.places:
            if p.ambiguous and p.role == "location":
                out.append(f"place {p.text!r} (offset {p.start}): {p.note}")
        for inc in self.incidents:
            for e in inc.evidence:
                if e.field in ("date", "place") and e.note and not e.text:
                    out.append(f"{inc.id}: {e.field}: {e.note}")
            if not inc.claims:
                out.append(f"{inc.id}: no claim found for it")
        return out

    def to_yaml(self, *, name: str | None = None) -> str:
        """The draft as a native incident file, with a comment header."""
        header = (
            f"Draft incidents drafted by border-map extract from {name or 'a report'}, "
            f"article date {self.article_date.isoformat()}"
            + (f", source {self.source}" if self.source else "") + ".\n"
            "Every record is a draft (draft: true): check each field against its evidence "
            "(character spans\n"
            "in the report's plain text) before `border-map build`; delete what is wrong, "
            "then remove 'draft'."
        )
        return to_yaml(self.incidents, header=header)


def extract_document(doc: Document, *, date: dt.date, source: str | None = None,
                     url: str | None = None, gazetteer: Gazetteer | None = None) -> Draft:
    """:func:`extract` on a :class:`~border_map.extract.text.Document` already read."""
    # The mentions, entities and evidence made here live until the draft is returned: the
    # cyclic garbage collector's passes over them (and over the gazetteer, once they make
    # it run a full pass) free nothing, and cost a tenth of the time of a long report.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _extract(doc, date, source, url, gazetteer or Gazetteer.default())
    finally:
        if collecting:
            gc.enable()


def _extract(doc: Document, date: dt.date, source: str | None, url: str | None,
             gazetteer: Gazetteer) -> Draft:
    places = find_places(doc, gazetteer)
    dates = find_dates(doc, date)
    entities = find_entities(doc, places)
    names = [(e.start, e.end) for e in entities if e.kind == "outlet"]
    for e in entities:
        if e.kind == "person" and e.person:
            at = doc.text.find(e.person, e.start, e.end)
            if at >= 0:
                names.append((at, at + len(e.person)))
    if names:  # "Mohammad Ali Wardak" is a man, not Wardak province
        spans = Spans(names)
        places = [replace(p, role="name") if spans.contains(p.start) else p for p in places]
    entities_by = by_sentence(doc, entities)  # (for the events and the claims)
    events = find_events(doc, places, dates, entities, entities_by=entities_by)
    event_sentences = {m.sentence.index for m in events}
    reported = {m.sentence.index for m in events
                if m.places or m.since or m.generic_crossings or m.own_date}
    units = find_claims(doc, entities, dates, event_sentences, source or DEFAULT_OUTLET,
                        reported, places, entities_by=entities_by)
    incidents = assemble(doc, events, units, article_date=date, gazetteer=gazetteer,
                         outlet=source, url=url)
    return Draft(doc, date, source, url, incidents, places, dates, events, units, entities)


def extract(text: str, *, date: dt.date | str | None = None, source: str | None = None,
            url: str | None = None, gazetteer: Gazetteer | None = None,
            name: str | None = None, fmt: str | None = None) -> Draft:
    """Draft incidents from the text of one report (plain text, HTML or Markdown).

    Parameters
    ----------
    text
        The report; markup is stripped (``fmt`` "text", "html", "markdown", or None to
        detect it from ``name`` and the content).
    date
        The article's date (a date or ``YYYY-MM-DD``): relative dates ("on Thursday",
        "last week") are resolved against it. None: the date in the markup (HTML meta,
        Markdown front matter), else :class:`~border_map.errors.DataError`.
    source, url
        The outlet and address, written on every claim's source.

    Returns
    -------
    Draft
        Incidents marked ``draft=True`` with evidence for every field, and the mentions.
    """
    doc = read_document(text, name=name, fmt=fmt)
    article_date = _article_date(date, doc)
    source = source or doc.meta.get("source")
    url = url or doc.meta.get("url")
    return extract_document(doc, date=article_date, source=source, url=url,
                            gazetteer=gazetteer)


def _article_date(date, doc: Document) -> dt.date:
    if isinstance(date, dt.datetime):
        return date.date()
    if isinstance(date, dt.date):
        return date
    if isinstance(date, str):
        parsed = parse_article_date(date)
        if parsed is None or len(date.strip()) != 10:
            raise DataError(f"article date {date!r} is not YYYY-MM-DD", field="date")
        return parsed
    found = parse_article_date(doc.meta.get("date", ""))
    if found is None:
        raise DataError("the article's date is needed to resolve 'on Thursday', 'last week' "
                        "and the like: give it (YYYY-MM-DD)", field="date")
    return found
