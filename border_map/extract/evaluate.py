"""Score drafts against hand-labelled answers (``tests/data/extract/*.answer.yaml``).

Answer files (see ``tests/data/extract/README.md``) list the places a text names, its
events and its claims. The scores, summed over all texts (micro-averaged):

- **place precision**: extracted place ids (role location, dateline, destination or
  caption: a place the text names) that the answer lists, over all extracted ids;
  **place recall**: answer entries (an entry may accept several ids) found, over all
  entries;
- **event recall**: answer events with an extracted incident of the same type, the same
  place (or both unlocated) and an overlapping date;
- **claim recall**: answer claims with an extracted claim of the same side, whose
  claimant or organisation contains ``who``, whose quote contains ``anchor`` and which
  has the claim's main figure (the first listed: same kind, words overlapping, and the
  ``low``/``high`` numbers when the answer gives them); **figure recall** counts every
  listed figure;
- **incident precision**: drafted incidents that match an answer event (type, place,
  date), over all drafted incidents (a clash drafted again at the pass and the province
  around its crossing counts against it);
- **forbidden incidents**: incidents at a place the answer lists in ``not_event_places``
  (a capital standing for its government, a dateline, a person's name, a destination).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..gazetteer import Gazetteer
from ..incidents import parse_date_span

__all__ = ["Answer", "Score", "evaluate", "load_answers", "score_draft"]


@dataclass
class Answer:
    path: Path
    article: Path
    date: dt.date
    source: str | None
    places: list[frozenset[str]]
    events: list[dict]
    claims: list[dict]
    not_event_places: frozenset = frozenset()


@dataclass
class Score:
    """Counts for one text or a sum of texts."""

    places_extracted: int = 0
    places_correct: int = 0
    place_entries: int = 0
    place_entries_found: int = 0
    events: int = 0
    events_found: int = 0
    claims: int = 0
    claims_found: int = 0
    figures: int = 0
    figures_found: int = 0
    incidents: int = 0
    incidents_matched: int = 0
    forbidden_incidents: int = 0
    chars: int = 0
    misses: list[str] = field(default_factory=list)

    def __add__(self, other: Score) -> Score:
        out = Score()
        for name in self.__dataclass_fields__:
            if name == "misses":
                out.misses = self.misses + other.misses
            else:
                setattr(out, name, getattr(self, name) + getattr(other, name))
        return out

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def place_precision(self) -> float:
        return self._ratio(self.places_correct, self.places_extracted)

    @property
    def place_recall(self) -> float:
        return self._ratio(self.place_entries_found, self.place_entries)

    @property
    def event_recall(self) -> float:
        return self._ratio(self.events_found, self.events)

    @property
    def claim_recall(self) -> float:
        return self._ratio(self.claims_found, self.claims)

    @property
    def incident_precision(self) -> float:
        return self._ratio(self.incidents_matched, self.incidents)

    @property
    def figure_recall(self) -> float:
        return self._ratio(self.figures_found, self.figures)


def _as_set(value) -> frozenset:
    if isinstance(value, list):
        return frozenset(None if v in (None, "null") else str(v) for v in value)
    return frozenset([None if value in (None, "null") else str(value)])


def load_answers(folder: str | Path) -> list[Answer]:
    """Every ``*.answer.yaml`` of a folder, sorted by name."""
    folder = Path(folder)
    answers = []
    for path in sorted(folder.glob("*.answer.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        date = data["date"]
        if not isinstance(date, dt.date):
            date = dt.date.fromisoformat(str(date))
        answers.append(Answer(
            path=path, article=folder / data["article"], date=date,
            source=data.get("source"),
            places=[_as_set(p) for p in data.get("places") or []],
            events=list(data.get("events") or []),
            claims=list(data.get("claims") or []),
            not_event_places=frozenset(str(x) for x in data.get("not_event_places") or []),
        ))
    return answers


def _span(value):
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return parse_date_span(text)


def _words_overlap(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    a, b = " ".join(a.casefold().split()), " ".join(b.casefold().split())
    return a in b or b in a


def _figure_matches(gold: dict, figure) -> bool:
    if figure.kind != gold["kind"] or not _words_overlap(str(gold["text"]), figure.text):
        return False
    return all(getattr(figure, k) == gold[k] for k in ("low", "high") if k in gold)


def score_draft(draft, answer: Answer) -> Score:
    """Score one :class:`~border_map.extract.Draft` against its answer."""
    name = answer.article.name
    score = Score(chars=len(draft.document.text))
    extracted = {p.place.id for p in draft.places
                 if p.role in ("location", "dateline", "destination", "caption")}
    gold_ids = frozenset().union(*answer.places) if answer.places else frozenset()
    score.places_extracted = len(extracted)
    score.places_correct = len(extracted & gold_ids)
    for wrong in sorted(extracted - gold_ids):
        score.misses.append(f"{name}: extra place {wrong}")
    score.place_entries = len(answer.places)
    for entry in answer.places:
        if entry & extracted:
            score.place_entries_found += 1
        else:
            score.misses.append(f"{name}: missed place {sorted(entry)}")
    def matches(inc, event) -> bool:
        span = _span(event["date"])
        return (inc.event_type in _as_set(event["event_type"])
                and (inc.place.id if inc.place else None) in _as_set(event.get("place"))
                and inc.date.start <= span.end and span.start <= inc.date.end)

    for event in answer.events:
        score.events += 1
        if any(matches(inc, event) for inc in draft.incidents):
            score.events_found += 1
        else:
            score.misses.append(f"{name}: missed event {event}")
    for inc in draft.incidents:
        score.incidents += 1
        if any(matches(inc, event) for event in answer.events):
            score.incidents_matched += 1
        else:
            score.misses.append(f"{name}: extra incident {inc.event_type} at "
                                f"{inc.place.id if inc.place else None} {inc.date.iso()}")
        if inc.place is not None and inc.place.id in answer.not_event_places:
            score.forbidden_incidents += 1
            score.misses.append(f"{name}: FORBIDDEN incident {inc.event_type} at {inc.place.id}")
    claims = {}
    for inc in draft.incidents:
        for c in inc.claims:
            claims[(c.side, c.claimant, c.organisation, c.source.quote if c.source else None,
                    c.figures)] = c
    for gold in answer.claims:
        score.claims += 1
        figures = gold.get("figures") or []
        score.figures += len(figures)
        best = 0
        found = False
        for c in claims.values():
            who = " ".join(x for x in (c.claimant, c.organisation) if x).casefold()
            if c.side != gold["side"] or str(gold.get("who") or "").casefold() not in who:
                continue
            quote = (c.source.quote if c.source else "") or ""
            if not _words_overlap(gold["anchor"], quote) or gold["anchor"].casefold() not in \
                    " ".join(quote.casefold().split()):
                continue
            hits = [any(_figure_matches(f, x) for x in c.figures) for f in figures]
            best = max(best, sum(hits))
            if not figures or hits[0]:
                found = True
        score.figures_found += best
        if found:
            score.claims_found += 1
        else:
            score.misses.append(f"{name}: missed claim {gold['side']} {gold.get('who')!r}: "
                                f"{gold['anchor']!r}")
    return score


def evaluate(folder: str | Path, *, gazetteer: Gazetteer | None = None
             ) -> tuple[Score, list[tuple[Answer, Score]]]:
    """Extract every text of ``folder`` and score it; (total, per text)."""
    from . import extract

    gazetteer = gazetteer or Gazetteer.default()
    per_text = []
    total = Score()
    for answer in load_answers(folder):
        raw = answer.article.read_text(encoding="utf-8")
        draft = extract(raw, date=answer.date, source=answer.source, gazetteer=gazetteer,
                        name=answer.article.name)
        s = score_draft(draft, answer)
        per_text.append((answer, s))
        total = total + s
    return total, per_text
