"""Events in a report: what happened (the event type), where, when and who took part.

A **trigger** is the word that names the event ("airstrikes", "heavy clashes", "15
enemy outposts had been captured", "crossings ... shut down"); its type is a key of
:data:`border_map.incidents.EVENT_TYPES`. Triggers in a hypothetical or habitual clause
("risks further destabilizing", "skirmishes over the years") and negated ones ("no
clashes") are dropped.

Each trigger becomes an :class:`EventMention` with what its sentence says about it:

- **places**: the locations of the sentence (not countries, not capitals standing for
  governments, not places that only say where a speaker is), each given to the nearest
  trigger before it (or the first one after it, for "In Kurram, clashes ..."); a
  place that is the parent of another one of the same event is dropped ("Kurram district
  of Khyber Pakhtunkhwa" is Kurram);
- **date**: the nearest date, preferring one after the trigger ("airstrikes carried out
  last week"); a closure "since deadly fighting in October" runs from that date to the
  article's; with no date, the date of the event of the sentence before it in the same
  paragraph;
- **actors**: the armed parties named near it ("Pakistani airstrikes" -> Pakistani
  military); a clash gets every armed party of its sentence.

A sentence with places and no trigger ("... in key sectors including Chitral, Khyber,
Mohmand, Kurram, and Bajaur") continues the event of one of the two sentences before it
(not at a place the attackers came from).

Types: helicopters or gunships that bombarded villages are an airstrike; a suicide bomber
with an explosives-laden vehicle is one suicide bombing (a car bomb alone an explosive);
rockets fired at a convoy an attack, not shelling; "forces struck a house" an attack when
the sentence names nothing else. A place of the gazetteer that contains another of the same
event, or a pass or tehsil around its crossing or town, is dropped ("the Torkham crossing
on the Khyber Pass in Khyber district" is Torkham). "A day earlier" is the day before the
event told before.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .._records import compact_pickle, positional_maker
from ..geo import haversine_km
from ..incidents import DateSpan
from . import anchors as _anchors
from .actors import AF_FORCES, PK_FORCES, Entity, by_sentence, new_entity
from .anchors import anchor_group, skipped
from .dates import DateMention
from .places import PlaceMention, _normalize_name
from .text import Document, Sentence

__all__ = ["EventMention", "Trigger", "find_events", "find_triggers"]

_TRIGGERS: tuple[tuple[str, str], ...] = (
    ("suicide_bomb", r"\bsuicide\s+(?:bomb(?:ing|ings|er|ers|s)?|attacks?|attackers?|blasts?|"
                     r"car\s+bomb(?:ing)?s?|vests?)\b|\bblew\s+(?:himself|herself|themselves)\s+up\b"),
    ("drone_strike", r"\bdrone\s+(?:strikes?|attacks?|raids?)\b|\bdrones?\s+(?:struck|hit|"
                     r"attacked|targeted|fired|strike)\b|\b(?:uavs?|quadcopters?)\b"),
    ("strike", r"\bstrikes?\b(?!\s+(?:action|call|force))"),
    ("airstrike", r"\bair\s*-?\s*strikes?\b|\bair\s+raids?\b|\bair\s+attacks?\b|"
                  r"\baerial\s+(?:strikes?|bombardments?|bombings?|attacks?|raids?)\b|"
                  r"\b(?:war\s*planes?|fighter\s+jets?|jets?\s+(?:bombed|struck|pounded|hit|"
                  r"targeted))\b|\bbombing\s+raids?\b|\bbombed\b|"
                  r"\b(?:helicopters?|gunships?|aircraft|planes?)\s+(?:\w+\s+){0,2}?(?:bombarded|"
                  r"bombed|struck|pounded|strafed|targeted|attacked|fired\s+(?:on|at|rockets))\b|"
                  r"(?<!artillery\s)(?<!mortar\s)\bbombard(?:ed|ing|ments?)\b"),
    ("remote_explosive", r"\bieds?\b|\bimprovised\s+explosive\s+devices?\b|\broadside\s+"
                         r"(?:bomb(?:ing)?s?|blasts?)\b|\bland\s*-?\s*mines?\b|\bmine\s+"
                         r"blasts?\b|\bbomb\s+(?:blasts?|explosions?)\b|\bblasts?\b|"
                         r"\bexplosions?\b|\bremote-controlled\s+bombs?\b|\b(?:car|truck|vehicle)"
                         r"\s*-?\s*bomb(?:ing)?s?\b|\bvehicle-borne\b|\bexplosives?-laden\b"),
    ("shelling", r"\bshell(?:ing|ed)\b|\bshells\s+(?:landed|hit|fell|struck)\b|\bmortars?"
                 r"(?:\s+(?:shells?|fire|rounds?|attacks?))?\b|\bartillery(?:\s+(?:fire|shells?|"
                 r"barrages?|strikes?))?\b|\brockets?(?:\s+(?:fire|attacks?))?\b"
                 r"(?!\s+(?:at|on)\s+(?:a\s+|the\s+)?(?:\w+\s+){0,3}(?:convoy|vehicle|bus|van|car)s?\b)|"
                 r"\bmissiles?\b|\bheavy\s+weapons\b"),
    ("abduction", r"\babduct(?:ed|ion|ions|s|ing)\b|\bkidnapp?(?:ed|ing|ings)\b|"
                  r"\btaken\s+hostage\b|\bhostages\b"),
    ("attack", r"\battack(?:ed|s)?\s+(?:on\s+)?(?:a\s+|the\s+)?(?:\w+\s+){0,2}(?:civilians?|"
               r"villages?|markets?|mosques?|schools?|bus|vehicles?|homes?|houses?|wedding|"
               r"funeral|passengers?)\b|\bgunmen\s+(?:attacked|stormed|opened\s+fire)\b|"
               r"\bmassacre\b|\bambush(?:ed|es)?\b|\bfired\s+(?:rockets?|rpgs?|grenades?)\s+(?:at|on)"
               r"\s+(?:a\s+|the\s+)?(?:\w+\s+){0,3}(?:convoy|vehicle|bus|van|car)s?\b"),
    # "forces struck a house in Sperah": an attack, when the sentence names nothing else
    ("hit", r"\b(?:struck|hit|targeted|raided)\s+(?:a\s+|the\s+)?(?:\w+\s+){0,2}(?:house|home|"
            r"homes|houses|village|villages|mosque|madrassa|compound)\b"),
    ("armed_clash", r"\bclash(?:es|ed)?\b|\bexchanges?\s+of\s+(?:heavy\s+)?(?:fire|gunfire|"
                    r"firing)\b|\bexchanged\s+(?:heavy\s+)?(?:fire|gunfire)\b|\bfire\s*fights?\b"
                    r"|\bgun\s*fights?\b|\bgun\s*battles?\b|\bskirmish(?:es)?\b|\bfighting\b|"
                    r"\bfought\b|\boffensive\s+operations?\b|\boffensive\b(?!\s+(?:action|posture|"
                    r"statements?|remarks?|language|stance|capabilit\w+|weapons?|content|"
                    r"comments?|behaviou?r|mode))|\b(?:heavy|intense|"
                    r"unprovoked|cross-border|retaliatory)\s+(?:firing|fire|gunfire)\b|"
                    r"\bhostilities\b|\brepuls\w+\s+(?:an?\s+|the\s+)?(?:\w+\s+)?attacks?\b|"
                    r"\battacks?\s+by\s+(?:\w+\s+)?(?:militants|terrorists|insurgents|fighters|"
                    r"taliban|khawarij)\b|\binfiltration\s+(?:bids?|attempts?)\b|"
                    r"\b(?:foiled|thwarted|repulsed)\s+(?:an?\s+)?(?:\w+\s+)?infiltration\b|\btrad(?:ed|ing)\s+(?:heavy\s+)?(?:fire|gunfire)\b|"
                    r"\b(?:retaliatory|punitive)\s+(?:operations?|attacks?|strikes?)\b|\bexchanges\b(?!\s+of\s+(?!(?:heavy\s+)?(?:fire|gunfire)))"
                    r"|\bengagements\b|\bbattles?\b|\bopened\s+fire\b|\bfired\s+(?:on|at|upon)"
                    r"\b|\battack(?:ed|s)?\s+(?:on\s+)?(?:\w+\s+){0,3}(?:posts?|outposts?|"
                    r"check\s*-?posts?|positions|troops|forces|soldiers)\b|\bmilitary\s+"
                    r"operations\b|\bcross-border\s+attacks?\b"
                    # "firing from the Afghan side" (the Urdu press), "beat back attacks"
                    r"|\bfiring\s+from\s+(?:the\s+)?(?:afghan(?:istan)?|pakistan(?:i)?|other|across)\b"
                    r"|\bbeat\s+back\s+(?:\w+\s+){0,2}attacks?\b|\bfiring\s+(?:on|at|upon)\b"),
)
_PRIORITY = {t: i for i, (t, _) in enumerate(_TRIGGERS)}
_PRIORITY["strike"] = 99  # a bare "strike" loses to any longer trigger
_PRIORITY["hit"] = 98
_PRIORITY.update({"outpost_captured": 3.5, "border_closure": 3.6})
_TRIGGER_RX = [(t, re.compile(rx)) for t, rx in _TRIGGERS]

_POSTS = re.compile(r"\b(?:out)?posts?\b|\bcheck\s*-?\s*posts?\b|\bcheckpoints?\b|"
                    r"\bpositions\b|\bbases\b|\bpickets\b")
_CAPTURE = re.compile(r"\b(?:re)?captur(?:ed|ing|e)\b|\bseiz(?:ed|ing|e)\b|\boverr[au]n\b|"
                      r"\boverrunning\b|\b(?:took|taken|taking|take)\s+(?:over|control\s+of)\b|"
                      r"\bfell\s+to\b|\bstormed\b")
_CLOSE = re.compile(r"\bclos(?:ed|ure|ures|ing)\b|\bshut(?:\s+down)?\b|\bsealed\b|"
                    r"\bsuspend(?:ed|ing)?\b|\bhalted\b|\bblocked\b")
_CLOSABLE = re.compile(r"\bcrossings?\b|\bborder\s+(?:points?|gates?|terminals?|trade)\b|"
                       r"\bgates?\b|\btrade\b|\btransit\b|\bborder\b")
_GENERIC_CROSSINGS = re.compile(r"\b(?:(?:land|border|all|the)\s+)*(?:border\s+)?crossings\b")
_MODAL = re.compile(r"\b(?:could|would|might|may|risks?|threaten\w*|potential(?:ly)?|possible|"
                    r"possibility|if|unless|fears?|avoid|prevent|de-?escalat\w*|over\s+the\s+"
                    r"years|for\s+(?:decades|years)|history\s+of|cycle\s+of|any)\b")
_NEGATED = re.compile(r"\b(?:no|without)\s+(?:\w+\s+)?$")
#: r"[;:,]|\s[—–-]\s", beginning with one class so that the engine skips to its characters
_CLAUSE_BREAK = re.compile(r"[;:,\s](?:(?<=[;:,])|[—–-]\s)")
_ADJ_SIDE = re.compile(r"\b(pakistani|pakistan's|afghan|afghanistan's|taliban's|taliban)\s+"
                       r"(?:\w+\s+)?$")
_SINCE = re.compile(r"\bsince\b")
_THE_CROSSING = re.compile(r"\b(?:the|that)\s+(?:border\s+)?(?:crossing|gate|border\s+point)\b"
                           r"(?!\s+(?:points|of))")
_DURATION = re.compile(r"\b\d+-(?:day|week|month)\b|\b(?:\d+|two|three|several|many)\s+"
                       r"(?:days|weeks|months|years)\b")
_CONFLICT_WORDS = re.compile(r"\b(?:sectors?|fronts?|posts?|positions|targets?|punish\w*|"
                             r"retaliat\w*|fire|firing|fired|hit|struck|killed|wounded|"
                             r"casualt\w+|attack\w*|bombard\w*)\b")
#: Speakers who are where the event was: "residents of Dangam" place it, not themselves.
_ON_THE_SPOT = re.compile(r"(?i)resident|villager|witness|local|elder|trader|driver")
_BOTH_SIDES = re.compile(r"\b(afghan|pakistani)\s+and\s+(afghan|pakistani)\s+(?:border\s+)?"
                         r"(?:forces|troops|soldiers|guards|fighters)\b")
_DESCRIPTIVE = re.compile(r"\b(?:links|linking|connects|connecting|bordering|faces|facing|"
                          r"opposite)\s+(?:\w+\s+){0,3}$")
_ORIGIN = re.compile(r"\b(?:from|across)\s+(?:the\s+)?(?:\w+(?:'s)?\s+){0,2}$")
_SAME_TIME_LINK = re.compile(r"\b(?:after|when|as|while|amid|following|before|during)\b")
_CAUSE = re.compile(r"\b(?:response|retaliation|revenge|reaction|reprisal)\b")
_SAME_TIME = re.compile(r"\b(?:the\s+same|that)\s+(?:day|night|evening|morning|afternoon)\b")
_DESTROY = re.compile(r"\bdestroy")
_DAY_BEFORE = re.compile(r"\b(?:(?P<n>a|one|two|three)\s+(?:day|days|night|nights)\s+(?:earlier|"
                         r"before)|the\s+(?:previous|preceding)\s+(?:day|night|evening)|"
                         r"the\s+day\s+before)\b")
_NUMBER_WORDS = {"a": 1, "one": 1, "two": 2, "three": 3}
_SPEAKER_GAP = re.compile(r"(?:\s+(?:based|stationed|posted|deployed))?\s+(?:in|of|from|at|for)\s+"
                          r"(?:the\s+)?")


#: The tokens the matches of each rule begin with (see :func:`~.anchors.anchor_group`).
_TRIGGER_AT = {
    "suicide_bomb": anchor_group("events.suicide_bomb", words=("suicide", "blew")),
    "drone_strike": anchor_group("events.drone_strike", words=(
        "drone", "drones", "uav", "uavs", "quadcopter", "quadcopters")),
    "strike": anchor_group("events.strike", words=("strike", "strikes")),
    "airstrike": anchor_group("events.airstrike", ("air", "war", "bombard", "helicopter",
                                                     "gunship", "plane"), (
        "aerial", "fighter", "jet", "jets", "bombing", "bombed")),
    "remote_explosive": anchor_group("events.remote_explosive", ("land",), (
        "ied", "ieds", "improvised", "roadside", "mine", "bomb", "blast", "blasts", "explosion",
        "explosions", "remote", "car", "truck", "vehicle", "explosive", "explosives")),
    "shelling": anchor_group("events.shelling", words=(
        "shelling", "shelled", "shells", "mortar", "mortars", "artillery", "rocket", "rockets",
        "missile", "missiles", "heavy")),
    "abduction": anchor_group("events.abduction", ("abduct", "kidnap"), ("taken", "hostages")),
    "attack": anchor_group("events.attack", ("ambush",), (
        "attack", "attacked", "attacks", "gunmen", "massacre", "fired")),
    "hit": anchor_group("events.hit", words=("struck", "hit", "targeted", "raided")),
    "armed_clash": anchor_group("events.armed_clash", (
        "clash", "exchange", "fire", "gun", "skirmish", "repuls"), (
        "fighting", "fought", "offensive", "heavy", "intense", "unprovoked", "cross",
        "retaliatory", "hostilities", "attack", "attacks", "attacked", "infiltration", "foiled",
        "thwarted", "traded", "trading", "punitive", "engagements", "battle", "battles",
        "opened", "military", "firing", "beat")),
}
assert set(_TRIGGER_AT) == set(_PRIORITY) - {"outpost_captured", "border_closure"}
_POSTS_AT = anchor_group("events.posts", ("check",), (
    "outpost", "outposts", "post", "posts", "positions", "bases", "pickets"))
_CAPTURE_AT = anchor_group("events.capture", ("captur", "recaptur", "seiz", "overr"), (
    "took", "taken", "taking", "take", "fell", "stormed"))
_CLOSE_AT = anchor_group("events.close", ("clos",), (
    "shut", "sealed", "suspend", "suspended", "suspending", "halted", "blocked"))
_MODAL_AT = anchor_group("events.modal", ("threaten", "potential", "deescalat"), (
    "could", "would", "might", "may", "risk", "risks", "possible", "possibility", "if",
    "unless", "fear", "fears", "avoid", "prevent", "de", "any"), leads={
    "over": ("the",), "for": ("decades", "years"), "history": ("of",), "cycle": ("of",)})
_NEGATED_AT = anchor_group("events.negated", words=("no", "without"))
_ADJ_SIDE_AT = anchor_group("events.adj_side", words=(
    "pakistani", "pakistan", "afghan", "afghanistan", "taliban"))
_SINCE_AT = anchor_group("events.since", words=("since",))
_THE_CROSSING_AT = anchor_group("events.the_crossing", leads=dict.fromkeys(
    ("the", "that"), ("border", "crossing", "gate")))
_GENERIC_CROSSINGS_AT = anchor_group("events.generic_crossings", words=(
    "border", "crossings"), leads=dict.fromkeys(
    ("land", "all", "the"), ("land", "border", "all", "the", "crossings")))
_DURATION_AT = anchor_group("events.duration", words=("two", "three", "several", "many"),
                            digits=True)
_CONFLICT_WORDS_AT = anchor_group("events.conflict_words", (
    "punish", "retaliat", "casualt", "attack", "bombard"), (
    "sector", "sectors", "front", "fronts", "post", "posts", "positions", "target", "targets",
    "fire", "firing", "fired", "hit", "struck", "killed", "wounded"))
_BOTH_SIDES_AT = anchor_group("events.both_sides", words=("afghan", "pakistani"))
_DESCRIPTIVE_AT = anchor_group("events.descriptive", words=(
    "links", "linking", "connects", "connecting", "bordering", "faces", "facing", "opposite"))
_ORIGIN_AT = anchor_group("events.origin", words=("from", "across"))
_DAY_BEFORE_AT = anchor_group("events.day_before", words=("one", "two", "three"), leads={
    "the": ("previous", "preceding", "day"), "a": ("day", "night")})
_SAME_TIME_AT = anchor_group("events.same_time", leads={
    "the": ("same",), "that": ("day", "night", "evening", "morning", "afternoon")})


@compact_pickle
@dataclass(frozen=True, slots=True)
class Trigger:
    start: int
    end: int
    text: str
    event_type: str
    sentence: int


_make_trigger = positional_maker(Trigger)


@dataclass(slots=True)  # (made by the thousand in a long report)
class EventMention:
    """One mention of an event with the places, date and actors its sentence gives it."""

    index: int
    event_type: str
    sentence: Sentence
    trigger: Trigger | None
    places: list[PlaceMention] = field(default_factory=list)
    date: DateMention | None = None
    date_note: str | None = None
    since: DateMention | None = None
    actors: list[tuple[str, Entity | None, Trigger | None]] = field(default_factory=list)
    continued: EventMention | None = None
    generic_crossings: bool = False
    place_note: str | None = None

    @property
    def own_date(self) -> bool:
        """Dated by words of its own sentence (not borrowed from the sentence before)."""
        return self.date is not None and (
            self.date_note is None or not self.date_note.startswith("date of the sentence"))

    @property
    def anchor(self) -> Trigger:
        """The trigger of this mention, or of the one it continues."""
        mention = self
        while mention.trigger is None and mention.continued is not None:
            mention = mention.continued
        return mention.trigger  # type: ignore[return-value]


def _clause(folded: str, sentence: Sentence, start: int, end: int,
            breaks: tuple[list[int], list[int]]) -> tuple[int, int]:
    """From the end of the last clause break (``_CLAUSE_BREAK``) of ``sentence`` before
    ``start`` to the first one from ``end`` on; ``breaks``: :func:`_clause_breaks`."""
    starts, ends = breaks
    k = bisect.bisect_right(ends, start) - 1  # the last break that ends by ``start``
    if k < 0 or starts[k] < sentence.start:
        left = sentence.start
    elif k and starts[k - 1] == starts[k] - 2 and ends[k] - starts[k] == 3 and \
            ends[k - 1] - starts[k - 1] == 3 and starts[k - 1] >= sentence.start:
        # dashes in a row (" - - "): which of them a search takes depends on where it began
        left = sentence.start
        for m in _CLAUSE_BREAK.finditer(folded, sentence.start, start):
            left = m.end()
    else:
        left = ends[k]
    k = bisect.bisect_left(starts, end)  # the first break from ``end`` on
    return left, (starts[k] if k < len(starts) and ends[k] <= sentence.end else sentence.end)


#: Where ``_CLAUSE_BREAK`` can match: its characters, then its dashes between white space
#: (patterns that begin with their character: the engine skips from one to the next)
_BREAK_CHARS = tuple(re.compile(re.escape(c)) for c in ";:,")
_BREAK_DASHES = tuple(re.compile(rf"{d}(?<=\s{d})(?=\s)") for d in "—–-")


def _clause_breaks(folded: str) -> tuple[list[int], list[int]]:
    """The starts and ends of every span of ``folded`` where ``_CLAUSE_BREAK`` matches, in
    text order (none overlaps another, but dashes in a row: " - - ")."""
    starts = [m.start() for c in _BREAK_CHARS for m in c.finditer(folded)]
    dashes = [m.start() - 1 for d in _BREAK_DASHES for m in d.finditer(folded)]
    if not dashes:
        starts.sort()
        return starts, [a + 1 for a in starts]
    starts += dashes
    starts.sort()
    dashes = set(dashes)
    return starts, [a + 3 if a in dashes else a + 1 for a in starts]


def _search(doc: Document, sentence: Sentence, pattern: re.Pattern, group: str, start: int,
            end: int) -> re.Match | None:
    """``doc.search(pattern, group, start, end)``: nothing to try without a token of
    ``group`` from ``start`` to ``end`` (``sentence``: the sentence of that range)."""
    at = doc.anchors(group)
    i = bisect.bisect_left(at, start)
    if i < len(at) and at[i] < end:
        return doc.search(pattern, group, start, end)
    if _anchors.CHECK_SCANS:
        skipped(pattern, doc.folded, start, end)
    return None


def find_triggers(doc: Document, crossings: Sequence[tuple[int, int]] = ()) -> list[Trigger]:
    """Event triggers of every sentence, hypothetical and negated ones left out.

    ``crossings``: the spans of names that can be a border crossing ("Torkham"): closing
    one is a closure as closing "the crossing" is ("Torkham remained closed")."""
    folded = doc.folded
    triggers: list[Trigger] = []
    last_air = None  # a bare "strike" is of the kind of the last air or drone strike
    # every rule over every sentence (matches within one sentence, tried at their anchors)
    found_in: dict[int, list[tuple[int, int, str]]] = {}
    for event_type, rx in _TRIGGER_RX:
        group = _TRIGGER_AT[event_type]
        if not doc.anchors(group):  # no word of the rule in the report
            if _anchors.CHECK_SCANS:
                for sentence in doc.sentences:
                    skipped(rx, folded, sentence.start, sentence.end)
            continue
        for sentence, m in doc.scan_sentences(rx, group):
            found_in.setdefault(sentence.index, []).append((m.start(), m.end(), event_type))
    for sentence, m in doc.scan_sentences(_POSTS, _POSTS_AT):
        s, e = sentence.start, sentence.end
        for c in doc.scan(_CAPTURE, _CAPTURE_AT, max(s, m.start() - 70), min(e, m.end() + 70)):
            between = folded[min(m.end(), c.end()):max(m.start(), c.start())]
            if "." in between or _DESTROY.search(between):
                continue
            found_in.setdefault(sentence.index, []).append(
                (min(m.start(), c.start()), max(m.end(), c.end()), "outpost_captured"))
            break
    for sentence, m in doc.scan_sentences(_CLOSE, _CLOSE_AT):
        s, e = sentence.start, sentence.end
        lo, hi = max(s, m.start() - 80), min(e, m.end() + 60)
        closable = _CLOSABLE.search(folded, lo, hi) or any(
            lo <= a and b <= hi for a, b in crossings)
        if closable and folded[m.start() - 2:m.start()][:2] != "re":
            found_in.setdefault(sentence.index, []).append((m.start(), m.end(), "border_closure"))
    breaks = None  # (found when a trigger needs them)
    # the sentences where a trigger can be hypothetical or negated
    modal, negating = doc.anchor_sentences(_MODAL_AT), doc.anchor_sentences(_NEGATED_AT)
    for sentence in doc.sentences:
        found = found_in.get(sentence.index)
        if not found:
            continue
        if len(found) > 1 or found[0][2] == "hit":  # (most sentences: one trigger word)
            if any(f[2] == "hit" for f in found):
                alone = all(f[2] in ("hit", "strike") for f in found)
                found = [(a, b, "attack") if t == "hit" else (a, b, t) for a, b, t in found
                         if t != "hit" or alone]
            if any(f[2] == "suicide_bomb" for f in found):
                # "a suicide bomber rammed an explosives-laden vehicle": one suicide bombing
                found = [f for f in found if f[2] != "remote_explosive"]
            found.sort(key=lambda f: (_PRIORITY[f[2]], -(f[1] - f[0]), f[0]))
        taken: list[tuple[int, int]] = []
        for start, end, event_type in found:
            if taken and any(start < b and a < end for a, b in taken):
                continue
            if breaks is None:
                breaks = _clause_breaks(folded)
            left, right = _clause(folded, sentence, start, end, breaks)
            if sentence.index in modal and _hypothetical(doc, sentence, left, right) or \
                    sentence.index in negating and _search(
                        doc, sentence, _NEGATED, _NEGATED_AT, left, start):
                continue
            taken.append((start, end))
            triggers.append(_make_trigger(start, end, doc.text[start:end], event_type,
                                    sentence.index))
    triggers.sort(key=lambda t: t.start)
    resolved = []
    for t in triggers:
        if t.event_type in ("airstrike", "drone_strike"):
            last_air = t.event_type
        if t.event_type == "strike":
            if last_air is None:
                continue
            t = Trigger(t.start, t.end, t.text, last_air, t.sentence)
        resolved.append(t)
    return resolved


def _hypothetical(doc: Document, sentence: Sentence, start: int, end: int) -> bool:
    at = doc.anchors(_MODAL_AT)
    i = bisect.bisect_left(at, start)
    if i == len(at) or at[i] >= end:  # no modal word from start to end
        if _anchors.CHECK_SCANS:
            skipped(_MODAL, doc.folded, start, end)
        return False
    for m in doc.scan(_MODAL, _MODAL_AT, start, end):
        if m.group(0) == "may" and doc.text[m.start()] == "M":
            continue  # the month
        return True
    return False


def _nearest(triggers: list[Trigger], start: int, end: int, *, prefer_before: bool = True,
             ) -> Trigger:
    """The trigger a span belongs to: the nearest one before it, else the first after it."""
    if len(triggers) == 1:
        return triggers[0]
    before = [t for t in triggers if t.end <= start]
    if prefer_before and before:
        return before[-1]
    after = [t for t in triggers if t.start >= end]
    if after:
        return after[0]
    return min(triggers, key=lambda t: abs(t.start - start))


def _date_owner(triggers: list[Trigger], d: DateMention) -> Trigger:
    if len(triggers) == 1:
        return triggers[0]

    def distance(t: Trigger) -> float:
        if t.end <= d.start:
            return d.start - t.end
        if t.start >= d.end:
            return 1.5 * (t.start - d.end)
        return 0.0
    return min(triggers, key=distance)


def find_events(doc: Document, places: list[PlaceMention], dates: list[DateMention],
                entities: list[Entity], *,
                entities_by: dict[int, list[Entity]] | None = None) -> list[EventMention]:
    """Event mentions of ``doc`` in text order (see the module docstring; ``entities_by``:
    :func:`~.actors.by_sentence` of the entities, if made already)."""
    folded = doc.folded
    triggers = find_triggers(doc, [(p.start, p.end) for p in places if p.role == "location"
                                   and "crossing" in map(_KIND, p.candidates)])
    triggers_by: dict[int, list[Trigger]] = {}
    for t in triggers:
        triggers_by.setdefault(t.sentence, []).append(t)
    places_by = _group(places, _SENTENCE)
    dates_by = _group([d for d in dates if not doc.datelines.contains(d.start)], _SENTENCE)
    if entities_by is None:
        entities_by = by_sentence(doc, entities)
    speakers_by: dict[int, list[Entity]] = {}
    for i, sentence_entities in entities_by.items():
        for e in sentence_entities:
            if e.kind in ("local", "outlet", "person") \
                    or e.kind == "third" and not _ON_THE_SPOT.search(e.text) \
                    or e.kind == "party" and e.actor is None:  # a speaker
                speakers_by.setdefault(i, []).append(e)
    last_dated: DateMention | None = None

    crossings = [p for p in places if p.role == "location" and p.place.kind == "crossing"]
    crossing_starts = [p.start for p in crossings]
    in_order = all(a <= b for a, b in zip(crossing_starts, crossing_starts[1:], strict=False))

    def named_crossing(before: int) -> PlaceMention | None:
        """The last crossing (a location) of ``places`` that begins before ``before``."""
        if in_order:
            i = bisect.bisect_left(crossing_starts, before)
            return crossings[i - 1] if i else None
        named = [p for p in crossings if p.start < before]
        return named[-1] if named else None

    mentions: list[EventMention] = []
    descriptive_sentences = doc.anchor_sentences(_DESCRIPTIVE_AT)
    both_sides = None  # (looked for when a sentence with triggers needs it)
    adjectives = None  # (the same)
    for sentence in doc.sentences:
        ts = triggers_by.get(sentence.index, [])
        if not ts and (sentence.index not in places_by
                       or _continuable(mentions, sentence) is None):
            continue  # no event of its own, and none it can continue with a place
        speakers = speakers_by.get(sentence.index, ())
        descriptive = sentence.index in descriptive_sentences  # ("links", "facing", ...)
        located = [p for p in places_by.get(sentence.index, ())
                   if p.role == "location" and p.place.kind != "country"
                   and not _speaker_place(p, speakers, folded)
                   and not (descriptive and _search(
                       doc, sentence, _DESCRIPTIVE, _DESCRIPTIVE_AT,
                       max(sentence.start, p.start - 40), p.start))]
        sentence_dates = dates_by.get(sentence.index, [])
        sentence_entities = entities_by.get(sentence.index, [])
        if not ts:
            # "a group that had crossed over from Khost": where they came from is no place of
            # the event the sentence continues
            located = [p for p in located if not _search(
                doc, sentence, _ORIGIN, _ORIGIN_AT, max(sentence.start, p.start - 30), p.start)]
            previous = _continuable(mentions, sentence)
            if located and previous is not None and (
                    any(e.actor for e in sentence_entities)
                    or _search(doc, sentence, _CONFLICT_WORDS, _CONFLICT_WORDS_AT, sentence.start,
                                  sentence.end)):
                mention = EventMention(len(mentions), previous.event_type, sentence, None,
                                       _drop_parents(located), continued=previous)
                mention.date = _closest_date(sentence_dates) or previous.date
                if mention.date is previous.date and previous.date is not None:
                    mention.date_note = "date of the sentence it continues"
                mention.actors = [(e.actor, e, None) for e in sentence_entities if e.actor]
                mention.actors += [a for a in previous.actors if a[0]]
                mentions.append(mention)
            continue
        # each trigger's mention, by the trigger's start (the triggers of a sentence do not
        # overlap): an int is hashed in C, a Trigger by its dataclass __hash__ in Python
        sentence_mentions = {t.start: EventMention(len(mentions) + i, t.event_type, sentence,
                                                   t) for i, t in enumerate(ts)}
        for p in located:
            sentence_mentions[_nearest(ts, p.start, p.end).start].places.append(p)
        for d in sentence_dates:
            owner = sentence_mentions[_date_owner(ts, d).start]
            if owner.date is None or _closer(owner.trigger, d, owner.date):
                owner.date = d
        dated = [m for m in sentence_mentions.values() if m.date is not None]
        if dated and _search(doc, sentence, _DURATION, _DURATION_AT, sentence.start,
                             sentence.end):
            dated = []  # "after a 26-day closure that followed fighting": not the same day
        the_crossing = None  # "the crossing" in the sentence (looked for when needed)
        for mention in sentence_mentions.values():
            t = mention.trigger
            if mention.date is None and dated:  # "closed ... on Saturday after forces clashed"
                other = min(dated, key=lambda m: abs(m.trigger.start - t.start))
                a, b = sorted((other.trigger.end, t.start))
                between = folded[min(a, b):max(a, b)]
                if _SAME_TIME_LINK.search(between) and not _CAUSE.search(between):
                    mention.date = other.date
                    mention.date_note = "the date given in the same sentence"
            if not mention.places and the_crossing is None:
                the_crossing = _search(doc, sentence, _THE_CROSSING, _THE_CROSSING_AT,
                                       sentence.start,
                                          sentence.end) is not None
            if not mention.places and the_crossing:
                named = named_crossing(sentence.start)
                if named:  # "The crossing was still closed on Friday": the last one named
                    mention.places = [named]
                    mention.place_note = "'the crossing': the last crossing named before"
            mention.places = _drop_parents(mention.places)
            origins = [p for p in mention.places
                       if _search(doc, sentence, _ORIGIN, _ORIGIN_AT,
                                  max(sentence.start, p.start - 30),
                                     p.start)]
            if origins and len(origins) < len(mention.places):
                # "crossed from Kunar and attacked a post in Salarzai": Salarzai
                mention.places = [p for p in mention.places if p not in origins]
            if t.event_type == "border_closure":
                since = _search(doc, sentence, _SINCE, _SINCE_AT, t.end, sentence.end)
                if since:
                    later = [d for d in sentence_dates if d.start >= since.end()]
                    if later:
                        mention.since = later[0]
                if not any(p.place.kind == "crossing" for p in mention.places) and \
                        doc.search(_GENERIC_CROSSINGS, _GENERIC_CROSSINGS_AT, sentence.start,
                                   sentence.end):
                    mention.generic_crossings = True
        if both_sides is None:
            both_sides = _touched(doc, _BOTH_SIDES, _BOTH_SIDES_AT)
        if adjectives is None:
            adjectives = _side_adjectives(doc, triggers)
        _assign_actors(ts, sentence_mentions, sentence_entities, doc, sentence, both_sides,
                       adjectives)
        # "the same day", "a day earlier" in the sentence (looked for when needed)
        same_time = day_before = None
        for t in ts:
            mention = sentence_mentions[t.start]
            if mention.date is None and last_dated is not None and same_time is None:
                same_time = _search(doc, sentence, _SAME_TIME, _SAME_TIME_AT, sentence.start,
                                       sentence.end) or False
            if mention.date is None and same_time and last_dated is not None:
                mention.date = last_dated
                mention.date_note = f"'{doc.text[same_time.start():same_time.end()]}': the date " \
                                    "of the event told before"
            if mention.date is None and last_dated is not None:
                if day_before is None:
                    day_before = _search(doc, sentence, _DAY_BEFORE, _DAY_BEFORE_AT,
                                         sentence.start, sentence.end) or False
                before = day_before
                if before:  # "A day earlier, ...": the day before the event told before
                    n = _NUMBER_WORDS.get(before.group("n"), 1)
                    first = last_dated.span.start - dt.timedelta(days=n)
                    words = doc.text[before.start():before.end()]
                    mention.date = DateMention(before.start(), before.end(), words, DateSpan(
                        first, first, "day", words), sentence.index)
                    mention.date_note = (f"'{words}': {n} day(s) before the event told "
                                         "before")
            if mention.date is None:
                inherited = _inherited_date(mentions, sentence, t.event_type)
                if inherited is not None:
                    mention.date, mention.date_note = inherited, "date of the sentence before"
            if mention.own_date:
                last_dated = mention.date
            mention.index = len(mentions)
            mentions.append(mention)
    return mentions


def _touched(doc: Document, pattern: re.Pattern, group: str) -> set[int]:
    """The indices of the sentences that a match of ``pattern`` over the whole document
    (:meth:`~.text.Document.scan`) overlaps: every sentence where the pattern can match
    within the sentence (a match there is one of the document's, or lies inside one), as
    the pattern ends with a word and a sentence is followed by white space."""
    sentences = doc.sentences
    ends = None
    touched: set[int] = set()
    for m in doc.scan(pattern, group):
        if ends is None:
            ends = [s.end for s in sentences]
        k = bisect.bisect_right(ends, m.start())
        while k < len(sentences) and sentences[k].start < m.end():
            touched.add(sentences[k].index)
            k += 1
    return touched


_KIND = operator.attrgetter("kind")
_SENTENCE = operator.attrgetter("sentence")


def _group(items, key) -> dict[int, list]:
    out: dict[int, list] = {}
    for item in items:
        out.setdefault(key(item), []).append(item)
    return out


def _speaker_place(p: PlaceMention, speakers: list[Entity], folded: str) -> bool:
    """A place that only says where a speaker is: "officials in Peshawar said",
    "Paktiya police spokesman Mohammad Ali Wardak"."""
    for e in speakers:
        if e.start <= p.start < e.end:
            return True
        if e.end <= p.start <= e.end + 20 and _SPEAKER_GAP.fullmatch(folded, e.end, p.start):
            return True
    return False


def _km(a, b) -> float:
    """Great-circle kilometres between two places."""
    return haversine_km(a.lon, a.lat, b.lon, b.lat)


def _drop_parents(places: list[PlaceMention]) -> list[PlaceMention]:
    if len(places) < 2:
        return list(places)  # no parent of another, and nothing twice
    kept = []
    for p in places:
        if p.place.kind in ("province", "district"):
            name = _normalize_name(p.place.name)
            if any(q is not p and name in (_normalize_name(q.place.admin1),
                                           _normalize_name(q.place.admin2))
                   and _normalize_name(q.place.name) != name for q in places):
                continue
        if p.place.kind in ("tehsil", "feature") and any(
                q is not p and q.place.kind in ("town", "crossing") and q.place.country ==
                p.place.country and _km(q.place, p.place) <= p.place.precision_km
                for q in places):
            continue  # "the Torkham crossing on the Khyber Pass": the crossing
        kept.append(p)
    # one mention per place
    unique: dict[str, PlaceMention] = {}
    for p in kept:
        unique.setdefault(p.place.id, p)
    return list(unique.values())


def _closest_date(dates: list[DateMention]) -> DateMention | None:
    return dates[0] if dates else None


def _closer(trigger: Trigger | None, new: DateMention, old: DateMention) -> bool:
    if trigger is None:
        return False
    def gap(d: DateMention) -> float:
        return d.start - trigger.end if d.start >= trigger.end else 1.5 * (trigger.start - d.end)
    return gap(new) < gap(old)


def _continuable(mentions: list[EventMention], sentence: Sentence) -> EventMention | None:
    for mention in reversed(mentions):
        if sentence.index - mention.sentence.index > 2:
            return None
        if sentence.paragraph - mention.sentence.paragraph > 1:
            return None
        return mention
    return None


def _inherited_date(mentions: list[EventMention], sentence: Sentence,
                    event_type: str) -> DateMention | None:
    """The date of the last mention of the same type in the sentences just before."""
    for mention in reversed(mentions):
        if mention.sentence.paragraph != sentence.paragraph:
            return None
        if sentence.index - mention.sentence.index > 3:
            return None
        if mention.date is not None and mention.event_type == event_type:
            return mention.date
    return None


def _side_adjectives(doc: Document, triggers: list[Trigger]) -> dict[int, re.Match]:
    """``doc.search(_ADJ_SIDE, _ADJ_SIDE_AT, max(0, t.start - 40), t.start)`` for every
    trigger ("Pakistani forces fired"), by the trigger's start, for those with a match: the
    first token of each window found by bisection in C, not by a search call per trigger."""
    adjectives = doc.anchors(_ADJ_SIDE_AT)
    folded, n = doc.folded, len(adjectives)
    ends = [t.start for t in triggers]
    found: dict[int, re.Match] = {}
    for i, end in zip(map(bisect.bisect_left, itertools.repeat(adjectives),
                          [max(0, end - 40) for end in ends]), ends, strict=True):
        while i < n and adjectives[i] < end:  # (the first match at the tokens in turn)
            m = _ADJ_SIDE.match(folded, adjectives[i], end)
            if m:
                found[end] = m
                break
            i += 1
    if _anchors.CHECK_SCANS:
        for end in ends:
            _anchors._check(_ADJ_SIDE, found.get(end),
                            _ADJ_SIDE.search(folded, max(0, end - 40), end))
    return found


def _assign_actors(ts: list[Trigger], sentence_mentions: dict[int, EventMention],
                   entities: list[Entity], doc: Document, sentence: Sentence,
                   both_sides: set[int], adjectives: dict[int, re.Match]) -> None:
    """The actors of each mention (``sentence_mentions``: by its trigger's start):
    ``both_sides``, the sentences where "Afghan and Pakistani forces" can be
    (:func:`_touched`); ``adjectives``: :func:`_side_adjectives`."""
    armed = [e for e in entities if e.actor]
    if sentence.index in both_sides:
        for m in doc.scan(_BOTH_SIDES, _BOTH_SIDES_AT, sentence.start, sentence.end):
            for word in (m.group(1), m.group(2)):  # "Afghan and Pakistani forces"
                side = "PK" if word.startswith("pakistan") else "AF"
                armed.append(new_entity(m.start(), m.end(), m.group(0), "party", side, None,
                                        PK_FORCES if side == "PK" else AF_FORCES))
    elif _anchors.CHECK_SCANS:
        skipped(_BOTH_SIDES, doc.folded, sentence.start, sentence.end)
    for t in ts:
        m = adjectives.get(t.start)
        if m:
            word = m.group(1)
            side = "PK" if word.startswith("pakistan") else "AF"
            actor = PK_FORCES if side == "PK" else AF_FORCES
            adjective = new_entity(m.start(1), m.end(1), m.group(1), "party", side, None,
                                   actor)
            sentence_mentions[t.start].actors.append((actor, adjective, t))
    for e in armed:
        owner = ts[0] if len(ts) == 1 else min(
            ts, key=lambda t: min(abs(t.start - e.end), abs(e.start - t.end)))
        sentence_mentions[owner.start].actors.append((e.actor, e, owner))
    for t in ts:
        if t.event_type == "armed_clash":
            have = {a[0] for a in sentence_mentions[t.start].actors}
            for e in armed:
                if e.actor not in have:
                    sentence_mentions[t.start].actors.append((e.actor, e, t))
                    have.add(e.actor)
