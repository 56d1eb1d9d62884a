"""From mentions to draft incidents: one incident per event type, place and date.

- A mention with places gives one incident per place; mentions of the same type at the
  same place on overlapping (or unstated) dates are one incident, dated by the most
  precise of their dates.
- A mention without a place but with a date joins the incidents of its type on an
  overlapping date, at their broadest level ("heavy clashes" late Thursday joins the clash
  in Khyber Pakhtunkhwa, not the five districts in it); with none, it is an *unlocated*
  incident ("deadly fighting in October": the report names no place).
- A mention with neither joins the nearest incident of its type. A claimed capture of
  outposts with neither is placed where the fighting it was part of was (the nearest clash
  before it), and says so.
- A closure of "land border crossings" that names none is drawn at the main crossings
  (:data:`MAIN_CROSSINGS`), and says so in the evidence and description.
- Claims join the incidents of the events in their sentences, or of the event just before
  them; a figure in a sentence with two events goes with the nearer one.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import operator
import re
from dataclasses import dataclass, field

from .._records import positional_maker
from ..gazetteer import Gazetteer, Place, normalize_name
from ..geo import haversine_km
from ..incidents import EVENT_TYPES, Claim, DateSpan, Evidence, Incident, PlaceRef, Source
from .claims import ClaimUnit
from .events import EventMention
from .figures import FigureMention
from .places import PlaceMention
from .text import Document

__all__ = ["MAIN_CROSSINGS", "assemble"]

#: Where a closure of the border crossings that names none is drawn: the two main ones.
MAIN_CROSSINGS = ("crossing.torkham", "crossing.chaman-spin-boldak")
#: :func:`~border_map.gazetteer.normalize_name`, remembered (the same few names recur).
_normalize_name = functools.lru_cache(maxsize=1 << 16)(normalize_name)
_ANCHOR = operator.attrgetter("anchor")
_PRECISION_RANK = {"day": 0, "week": 1, "range": 2, "month": 3, "year": 4}
_KIND_RANK = {k: i for i, k in enumerate(
    ("country", "province", "district", "tehsil", "town", "crossing", "feature"))}
#: A toll of a country, a region or a year, not of one incident.
_BACKGROUND = re.compile(
    r"(?i)\b(?:across|throughout|all\s+over)\s+(?:the\s+)?(?:country|nation|pakistan|"
    r"afghanistan|provinces?|region)\b|\bnationwide\b|\b(?:this|last|the\s+past)\s+year\b|"
    r"\bin\s+(?:19|20)\d\d\b|\bsince\s+(?:19|20)\d\d\b|\b(?:annual|yearly)\b")
_SLUG = {"airstrike": "airstrike", "drone_strike": "drone-strike", "shelling": "shelling",
         "armed_clash": "clash", "outpost_captured": "outposts-captured",
         "border_closure": "closure", "attack": "attack", "remote_explosive": "explosive",
         "suicide_bomb": "suicide-bombing", "abduction": "abduction", "other": "event"}


@dataclass(eq=False)  # (a draft is itself: ``in`` and ``remove`` go by identity)
class _Draft:
    event_type: str
    place: Place | None = None
    place_mention: PlaceMention | None = None
    place_note: str | None = None
    mentions: list[EventMention] = field(default_factory=list)
    date: DateSpan | None = None
    date_evidence: tuple[int, int, str] | None = None
    date_note: str | None = None
    unlocated: str | None = None
    #: the claim units of the draft, each with those of its figures that go with it
    units: list[tuple[ClaimUnit, list[FigureMention]]] = field(default_factory=list)
    # the sentences of ``mentions`` (which only grow), sorted, and how many are in
    _sentences: list[int] = field(default_factory=list, repr=False, compare=False)
    _counted: int = field(default=0, repr=False, compare=False)

    def first_offset(self) -> int:
        # (``anchor`` is a property walking the mentions continued: read once each)
        return min((a.start for a in map(_ANCHOR, self.mentions) if a), default=0)


def _overlap(a: DateSpan | None, b: DateSpan | None) -> bool:
    return a is None or b is None or (a.start <= b.end and b.start <= a.end)


def _mention_span(m: EventMention, doc: Document, article_date: dt.date):
    """(DateSpan, evidence span, note) of a mention, or (None, None, None)."""
    if m.since is not None:
        since_at = doc.folded.rfind("since", m.sentence.start, m.since.start)
        start = since_at if since_at >= 0 else m.since.start
        words = doc.text[start:m.since.end]
        first = m.since.span.start
        end = max(first, article_date)
        precision = "day" if first == end else "range"
        return (DateSpan(first, end, precision, " ".join(words.split())),
                (start, m.since.end, words), "from the date after 'since' to the article's date")
    if m.date is not None:
        return m.date.span, (m.date.start, m.date.end, m.date.text), m.date_note
    return None, None, None


def _more_precise(new: DateSpan, old: DateSpan | None) -> bool:
    if old is None:
        return True
    rank_new, rank_old = _PRECISION_RANK[new.precision], _PRECISION_RANK[old.precision]
    if rank_new != rank_old:
        return rank_new < rank_old
    return (new.end - new.start) < (old.end - old.start)


def _add_mention(d: _Draft, m: EventMention, found: tuple) -> None:
    """Add ``m`` to ``d``, whose date becomes its date (``found``: :func:`_mention_span`)
    if that is more precise."""
    d.mentions.append(m)
    span, evidence, note = found
    if span is not None and _more_precise(span, d.date):
        d.date, d.date_evidence, d.date_note = span, evidence, note


def assemble(doc: Document, mentions: list[EventMention], units: list[ClaimUnit], *,
             article_date: dt.date, gazetteer: Gazetteer, outlet: str | None,
             url: str | None) -> list[Incident]:
    """Draft incidents (``draft=True``, with evidence) from the mentions and claims."""
    claim_sentences = {s.index for u in units for s in u.sentences}
    # (each mention's date, evidence and note, looked at up to four times below)
    found = {m.index: _mention_span(m, doc, article_date) for m in mentions}
    drafts: list[_Draft] = []
    of_mention: dict[int, list[_Draft]] = {}
    # the drafts of each event type, and of each (event type, place), in the order of
    # ``drafts``: what the searches below go through instead of every draft
    of_type: dict[str, list[_Draft]] = {}
    at_place: dict[tuple[str, str], list[_Draft]] = {}

    def add_draft(d: _Draft) -> None:
        drafts.append(d)
        of_type.setdefault(d.event_type, []).append(d)
        if d.place is not None:
            at_place.setdefault((d.event_type, d.place.id), []).append(d)

    def drop_draft(d: _Draft) -> None:
        drafts.remove(d)
        of_type[d.event_type].remove(d)
        if d.place is not None:
            at_place[(d.event_type, d.place.id)].remove(d)

    def located(event_type, place, mention, note=None) -> _Draft:
        span = found[mention.index][0]
        for d in at_place.get((event_type, place.id), ()):
            if _overlap(d.date, span):
                return d
        d = _Draft(event_type, place, place_note=note)
        add_draft(d)
        return d

    # 1. mentions with places
    for m in mentions:
        for p in m.places:
            d = located(m.event_type, p.place, m, note=m.place_note)
            if d.place_mention is None:
                d.place_mention = p
            _add_mention(d, m, found[m.index])
            of_mention.setdefault(m.index, []).append(d)
    # a headline's "strike in Paktiya" with no date of its own is the strike in Jaji (Paktiya)
    for d in list(drafts):
        if d.date is not None or d.place is None:
            continue
        name = _normalize_name(d.place.name)
        finer = [e for e in of_type[d.event_type] if e is not d
                 and e.place is not None and name in (_normalize_name(e.place.admin1),
                                                      _normalize_name(e.place.admin2))
                 and _normalize_name(e.place.name) != name]
        if len(finer) == 1:
            target = finer[0]
            for m in d.mentions:
                target.mentions.append(m)
                of_mention[m.index] = [target if x is d else x for x in of_mention[m.index]]
            drop_draft(d)
    # "repulsed an attack on posts near Kharlachi" with no date of its own, after "fought
    # in Kurram district on Saturday": the same fight (Kharlachi is in Kurram); a headline's
    # "drone strike in South Waziristan" is the strike dated in Birmal, and "the strike hit a
    # vehicle near Angoor Adda" too: an undated mention joins the one dated incident of its
    # type at a place that contains it, is contained in it or lies within its reach
    for d in list(drafts):
        if d.date is not None or d.place is None:
            continue
        related = [e for e in of_type[d.event_type] if e is not d and e.place is not None
                   and e.date is not None and _related(d.place, e.place)]
        if len(related) == 1:
            target = related[0]
            for m in d.mentions:
                target.mentions.append(m)
                of_mention[m.index] = [target if x is d else x for x in of_mention[m.index]]
            drop_draft(d)
    # 2. dated mentions without places
    for m in mentions:
        if m.places:
            continue
        span = found[m.index][0]
        if m.event_type == "border_closure" and m.generic_crossings:
            for place_id in MAIN_CROSSINGS:
                if place_id not in gazetteer:
                    continue
                place = gazetteer.get(place_id)
                names = ", ".join(gazetteer.get(i).name for i in MAIN_CROSSINGS if i in gazetteer)
                d = located(m.event_type, place, m,
                            note="the report names no crossing: drawn at the main crossings "
                                 f"({names})")
                _add_mention(d, m, found[m.index])
                of_mention.setdefault(m.index, []).append(d)
            continue
        if span is None:
            continue
        of_its_type = of_type.get(m.event_type, ())
        same = [d for d in of_its_type if d.place is not None
                and d.date is not None and _overlap(d.date, span)]
        undated = [d for d in of_its_type if d.place is not None and d.date is None]
        if not same and len(undated) == 1 and m.own_date:
            d = undated[0]  # "fighting in the Khyber Pass area" ... "traded fire on November 13"
            d.mentions.append(m)
            d.date, d.date_evidence, _ = found[m.index]
            d.date_note = "the date given for this event in another sentence"
            of_mention.setdefault(m.index, []).append(d)
            continue
        closures = [d for d in of_its_type if d.event_type == "border_closure"
                    and d.place is not None and d.date is not None]
        if not same and closures and m.own_date:
            # a closure lasts: "the crossing was still closed on Sunday" extends it
            d = min(closures, key=lambda d: _distance(d, m))
            first, last = min(d.date.start, span.start), max(d.date.end, span.end)
            d.date = DateSpan(first, last, "day" if first == last else "range",
                              d.date.text if d.date.text else span.text)
            d.date_note = (d.date_note or "") + f"; extended by '{span.text}'"
            d.mentions.append(m)
            of_mention.setdefault(m.index, []).append(d)
            continue
        if same:
            broadest = min(_KIND_RANK.get(d.place.kind, 9) for d in same)
            for d in same:
                if _KIND_RANK.get(d.place.kind, 9) == broadest:
                    d.mentions.append(m)
                    of_mention.setdefault(m.index, []).append(d)
            continue
        if not m.own_date:
            continue  # an inherited date does not make an incident of its own (step 3)
        target = next((d for d in of_its_type if d.place is None
                       and _overlap(d.date, span)), None)
        if target is None:
            target = _Draft(m.event_type, unlocated="the report names no place for it")
            add_draft(target)
        _add_mention(target, m, found[m.index])
        of_mention.setdefault(m.index, []).append(target)
    # 3. mentions with neither
    for m in mentions:
        if m.places or m.index in of_mention or m.generic_crossings:
            continue
        span = found[m.index][0]
        if span is not None and m.own_date or m.sentence.index not in claim_sentences:
            continue  # a bare mention ("the renewed hostilities") only matters for a claim
        same = list(of_type.get(m.event_type, ()))
        if same:
            # (each draft's closeness once: the drafts' mentions are not added to before
            # every closeness is known)
            closeness = [(_distance(d, m), _KIND_RANK.get(d.place.kind if d.place else "", 9))
                         for d in same]
            best = min(closeness)
            for d, c in zip(same, closeness, strict=True):
                if c == best:
                    d.mentions.append(m)
                    of_mention.setdefault(m.index, []).append(d)
            continue
        if m.event_type == "outpost_captured":
            clash = _nearest_clash(drafts, m, of_mention, mentions)
            if clash is not None:
                d = _Draft(m.event_type, clash.place, place_note=(
                    "the report does not say where: placed where the fighting it was part of "
                    "was"), unlocated=clash.unlocated)
                d.place_mention = clash.place_mention
                d.date, d.date_evidence = clash.date, clash.date_evidence
                d.date_note = "the report does not date it: the date of that fighting"
                d.mentions.append(m)
                add_draft(d)
                of_mention.setdefault(m.index, []).append(d)
    # 4. claims
    by_sentence: dict[int, list[EventMention]] = {}
    for m in mentions:
        by_sentence.setdefault(m.sentence.index, []).append(m)
    mention_sentences = [m.sentence.index for m in mentions]
    in_order = all(a <= b for a, b in zip(mention_sentences, mention_sentences[1:],
                                          strict=False))
    for unit in units:
        targets: list[_Draft] = []
        for s in unit.sentences:
            for m in by_sentence.get(s.index, []):
                targets += [d for d in of_mention.get(m.index, []) if d not in targets]
        if not targets and unit.figures and any(_BACKGROUND.search(s.text)
                                                for s in unit.sentences):
            continue  # "1,950 people were killed across Pakistan in 2025": not this incident
        if not targets and unit.figures:
            first = unit.sentences[0].index
            window = mentions  # (in sentence order: only those of the 6 sentences before)
            if in_order:
                window = mentions[bisect.bisect_left(mention_sentences, first - 6):
                                  bisect.bisect_left(mention_sentences, first)]
            last = next((m for m in reversed(window) if m.sentence.index < first
                         and first - m.sentence.index <= 6 and of_mention.get(m.index)), None)
            if last is not None:
                targets = list(of_mention[last.index])
        # the event each figure goes with (None: any), found once for all the targets (in
        # a sentence of one event or none, it is None: no call)
        owners = [(f, _figure_owner(f, by_sentence[f.sentence])
                   if len(by_sentence.get(f.sentence, ())) > 1 else None)
                  for f in unit.figures] if targets else ()
        for d in targets:
            d.units.append((unit, [f for f, owner in owners
                                   if owner is None or d in of_mention.get(owner.index, [])]))
    # 5. incidents
    drafts = [d for d in drafts if d.mentions]
    drafts.sort(key=lambda d: (d.date.start if d.date is not None else article_date,
                               d.first_offset(), d.place.id if d.place else ""))
    used_ids: set[str] = set()
    story = story_tag(doc.text, outlet, url)
    claim_cache: dict[int, tuple] = {}  # unit index -> what its claims share (see _claim)
    return [_incident(d, doc, article_date, outlet, url, (story, used_ids),
                      claim_cache) for d in drafts]


def story_tag(text: str, outlet: str | None = None, url: str | None = None) -> str:
    """Eight hex digits of a report's plain text, outlet and address, the end of its
    incidents' ids: the drafts of two stories of one clash (or of one wire story in two
    outlets) can be built together, as ids must differ across files, and a story drafted
    again keeps its ids."""
    key = "\x00".join((text, outlet or "", url or ""))
    return hashlib.blake2s(key.encode("utf-8"), digest_size=4).hexdigest()


def _related(a: Place, b: Place) -> bool:
    """Whether one place contains the other (admin names) or lies within its reach."""
    if a.country != b.country:
        return False
    name_a, name_b = _normalize_name(a.name), _normalize_name(b.name)
    if name_a == name_b:
        return True
    if name_b in (_normalize_name(a.admin1), _normalize_name(a.admin2)) or name_a in (
            _normalize_name(b.admin1), _normalize_name(b.admin2)):
        return True
    km = haversine_km(a.lon, a.lat, b.lon, b.lat)
    return km <= max(a.precision_km, b.precision_km)


def _distance(d: _Draft, m: EventMention) -> int:
    """The fewest sentences between ``m`` and a mention of ``d``."""
    sentences = d._sentences
    if d._counted < len(d.mentions):
        for x in d.mentions[d._counted:]:
            bisect.insort(sentences, x.sentence.index)
        d._counted = len(d.mentions)
    if not sentences:
        raise ValueError("a draft without mentions")
    k = m.sentence.index
    i = bisect.bisect_left(sentences, k)  # (the nearest is just before it or at/after it)
    if i == 0:
        return abs(sentences[0] - k)
    if i == len(sentences):
        return abs(sentences[-1] - k)
    return min(abs(sentences[i - 1] - k), abs(sentences[i] - k))


def _nearest_clash(drafts, m, of_mention, mentions) -> _Draft | None:
    """The clash incident of the nearest clash mention before ``m`` (its broadest place)."""
    best, best_key = None, None
    for other in mentions:
        gap = m.sentence.index - other.sentence.index
        if other.event_type != "armed_clash" or not 0 <= gap <= 12:
            continue
        for d in of_mention.get(other.index, []):
            key = (gap, _KIND_RANK.get(d.place.kind if d.place else "", 9))
            if best_key is None or key < best_key:
                best, best_key = d, key
    return best


def _figure_owner(f: FigureMention, sentence_mentions: list[EventMention]) -> EventMention | None:
    types = {m.event_type for m in sentence_mentions}
    if len(types) < 2:
        return None
    anchored = [m for m in sentence_mentions if m.trigger is not None]
    if not anchored:
        return None
    return min(anchored, key=lambda m: min(abs(m.trigger.start - f.end),
                                           abs(f.start - m.trigger.end)))


_NOT_SLUG = re.compile(r"[^a-z0-9]+")
#: ``Evidence(...)``, validated, stored through the slots (a draft has dozens).
_evidence = positional_maker(Evidence)
#: ``Claim(...)`` and ``Source(...)`` of every field (validated), through the slots
_make_claim = positional_maker(Claim)
_make_source = positional_maker(Source)


def _slug(text: str) -> str:
    return _NOT_SLUG.sub("-", text.lower()).strip("-") or "x"


def _incident(d: _Draft, doc: Document, article_date: dt.date, outlet, url,
              ids: tuple[str, set[str]], claim_cache) -> Incident:
    evidence: list[Evidence] = []
    add, text, sentence_at = evidence.append, doc.text, doc.sentence_at

    def ev(field_path, start, end, note=None):
        s = sentence_at(start)  # (a bisection: cheaper than a cache that mostly misses)
        add(_evidence(field_path, text[start:end], start, end, s.text if s else None, note))

    seen_triggers = set()
    for m in d.mentions:
        t = m.anchor
        if t is not None and (t.start, t.end) not in seen_triggers:
            seen_triggers.add((t.start, t.end))
            note = None if m.trigger is not None else "a sentence continuing this event"
            if m.trigger is not None and not m.places and d.place is not None and not \
                    m.generic_crossings:
                note = "mentioned without a place; joined to this incident"
            ev("event_type", t.start, t.end, note)
    date = d.date
    if date is None:
        date = DateSpan(article_date, article_date, "day", None)
        first = d.mentions[0].anchor
        evidence.append(_evidence("date", "", first.start if first else 0,
                                 first.start if first else 0, None,
                                 "the report gives no date: the article's date"))
    elif d.date_evidence is not None:
        start, end, _ = d.date_evidence
        ev("date", start, end, d.date_note)
    else:
        evidence.append(_evidence("date", "", 0, 0, None, d.date_note))
    place_ref = None
    if d.place is not None:
        name = d.place.name
        if d.place_mention is not None and not d.place_note:
            # a village the gazetteer lacks, named with its container: its own name, the
            # container's place (and precision), and a note saying so
            name = d.place_mention.reported or " ".join(d.place_mention.text.split())
            ev("place", d.place_mention.start, d.place_mention.end, d.place_mention.note)
        elif d.place_note:
            anchor = d.mentions[0].anchor
            pos = anchor.start if anchor else 0
            evidence.append(_evidence("place", "", pos, pos, None, d.place_note))
        place_ref = PlaceRef(name, d.place.country, d.place.kind, None, d.place.id)
    else:
        anchor = d.mentions[0].anchor
        pos = anchor.start if anchor else 0
        evidence.append(_evidence("place", "", pos, pos, None, "the report names no place"))
    actors: list[str] = []
    for m in d.mentions:
        for actor, entity, trigger in m.actors:
            if actor and actor not in actors:
                actors.append(actor)
                if entity is not None:
                    ev(f"actors[{len(actors) - 1}]", entity.start, entity.end)
                elif trigger is not None:
                    ev(f"actors[{len(actors) - 1}]", trigger.start, trigger.end,
                       "the side named with the event")
    claims: list[Claim] = []
    published = article_date.isoformat()
    for unit, figures in d.units:
        claim, quote = _claim(unit, figures, doc, published, outlet, url, claim_cache)
        i = len(claims)
        claims.append(claim)
        evidence.append(_evidence(f"claims[{i}]", quote, unit.start, unit.end, None,
                                 "the report's own account" if unit.narration else None))
        if unit.speaker.start is not None:
            ev(f"claims[{i}].organisation", unit.speaker.start, unit.speaker.end)
        for j, f in enumerate(figures):
            ev(f"claims[{i}].figures[{j}]", f.start, f.end)
    label = EVENT_TYPES[d.event_type].label
    if d.place is not None:
        where = f"{d.place.name} ({d.place.kind}, {d.place.country})"
        description = f"{label} at {where}, as the report tells it."
        if d.place_note:
            description += f" Place: {d.place_note}."
        elif d.place_mention is not None and d.place_mention.reported:
            description += f" Place: {d.place_mention.note}."
    else:
        description = f"{label}; the report names no place."
    description += " Drafted by border-map extract: check every field against the report."
    story, used_ids = ids
    base = f"{date.start.isoformat()}-{_SLUG[d.event_type]}-" + (
        _slug(d.place.name) if d.place else "unlocated") + f"-{story}"
    ident, n = base, 2
    while ident in used_ids:
        ident, n = f"{base}-{n}", n + 1
    used_ids.add(ident)
    return Incident(
        id=ident, date=date, event_type=d.event_type, actors=tuple(actors), place=place_ref,
        description=description, claims=tuple(claims),
        unlocated=d.unlocated if d.place is None else None, draft=True,
        evidence=tuple(evidence))


def _claim(unit: ClaimUnit, figures: list[FigureMention], doc, published: str, outlet, url,
           cache: dict[int, tuple]) -> tuple[Claim, str]:
    """The claim of ``unit`` with ``figures``, and the unit's quote (``cache``: by unit, its
    quote, source, statement and claims by the spans of their figures: a unit's quote,
    source and statement are the same in each incident it goes to)."""
    made = cache.get(unit.index)
    if made is None:
        quote = unit.quote
        made = cache[unit.index] = (
            quote, _make_source(outlet, url, quote, published),
            unit.statement(doc), {})
    quote, source, statement, claims = made
    key = tuple([(f.start, f.end) for f in figures])
    claim = claims.get(key)
    if claim is None:
        speaker = unit.speaker
        claim = claims[key] = _make_claim(  # (claimant, organisation, side, date, statement,
            # figures, source, status; the figures: frozen, the mention's own are the same)
            speaker.claimant, speaker.organisation, speaker.side, unit.date, statement,
            tuple([f.figure for f in figures]), source, unit.status)
    return claim, quote
