"""Every gazetteer place a report mentions, disambiguated by the report's own context.

Matching: one compiled regular expression over every name and alias of the gazetteer,
shaped as a trie (names sharing a prefix share a branch, so the engine never retries a
prefix), run once over the folded text (:func:`~border_map.extract.text.fold`: casefolded,
diacritics stripped, same offsets). Whole words only; longest match wins ("Khyber
Pakhtunkhwa province" before "Khyber"); spaces and hyphens inside a name match any run
of either ("Spin-Boldak"). Measured at tens of MB/s on the shipped gazetteer
(benchmarks/bench_extract.py), far above the 1 MB/s target, with no extra dependency.

A match counts only when written as a name: capitalised (or in a non-Latin script);
all-capital aliases (KP, NWA) only in capitals; names that are also common English words
(March, Tank, Hub) only when a kind word follows ("Tank district").

Disambiguation, in order:

1. **the words around the name**: a kind word after it ("Khyber district", "Nangarhar and
   Paktia provinces" -- a plural applies to the whole list), a country before or after
   it ("Pakistan's Khyber Pakhtunkhwa province", "Afghan town of Spin Boldak", "Kurram,
   Pakistan"), a parent after it ("Spin Boldak, Kandahar", "Bara in Khyber district");
2. **the document**: list siblings ("Chitral, Khyber, Mohmand, Kurram and Bajaur": the
   candidate of the same kind and province as its neighbours wins), provinces and
   districts named elsewhere in the report, and crossing words (trade, trucks, closed)
   for crossings;
3. **the gazetteer's rule** for nested namesakes (Kandahar province, district and city):
   the broadest; anything still tied is picked by kind and flagged as ambiguous.

Capitals used for governments ("Islamabad has accused Kabul", "prompting Islamabad to vow")
are mentions with ``role="actor"``, not places of events: a capital is a place only where
the words before it say so ("in Kabul", "struck Kabul") or a kind word follows; country
names have ``role="country"``. Then the words around each mention (:func:`_context_roles`)
make it a person's surname (``name``: "Qaiser Abbas"), a destination ("on its way to
Parachinar", "the road to Chitral"), a photo caption's place, or the container of a
village the gazetteer lacks ("the Kaga area of Mamund tehsil": Mamund, ``reported`` =
"Kaga"; a namesake of the village elsewhere, the Kazhah of Nangarhar, becomes a
``subplace``, never a place of the event).
"""

from __future__ import annotations

import bisect
import functools
import operator
import re
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .._records import compact_pickle, positional_maker
from ..gazetteer import Gazetteer, Place, normalize_name
from ..geo import haversine_km
from .anchors import anchor_group, first_match
from .text import Document, Spans, dateline_spans, fold, occurrences

__all__ = ["PlaceMatcher", "PlaceMention", "dateline_spans", "find_places", "matcher_for"]

#: :func:`~border_map.gazetteer.normalize_name`, remembered (the same few names recur).
_normalize_name = functools.lru_cache(maxsize=1 << 16)(normalize_name)

_SEP = "\x00"
_APOS = "\x01"
_SEP_CLASS = r"[\s\-]+"
_KIND_RANK = {k: i for i, k in enumerate(
    ("country", "province", "district", "tehsil", "town", "crossing", "feature"))}
_ADMIN_KINDS = frozenset({"country", "province", "district", "tehsil", "town"})

#: Names that are also everyday English words (or a month, or a person's name):
#: counted only when a kind word follows them.
COMMON_WORD_NAMES = frozenset({
    "march", "tank", "hub", "lal", "titan", "washer", "farsi", "basra", "argo", "diplo",
    "topi", "lash", "moro", "nayak", "bela", "hala", "rustam", "miran", "gb", "ict", "kai",
    "chal", "mach", "doshi", "afg", "pak", "eastern province", "sind", "naik",
})
#: Capitals (and the army's seat) that stand for governments in news prose.
_METONYMS = frozenset({"kabul", "islamabad", "rawalpindi"})
_METONYM_AFTER = re.compile(
    r"(?:'s)?\s+(?:(?:has|have|had|is|was|were|will|would|also|then|later|again|now|"
    r"repeatedly|reportedly|publicly|strongly|swiftly|quickly|immediately|"
    r"vehemently|officially)\s+){0,3}"
    r"(?:said|says|say|accus\w*|reject\w*|den(?:y|ies|ied)|blam\w*|warn\w*|urg\w*|claim\w*|"
    r"insist\w*|respond\w*|call\w*|condemn\w*|demand\w*|ask\w*|alleg\w*|maintain\w*|"
    r"regime|government|authorities|administration|rulers|officials|summon\w*|"
    r"protest\w*|responded|retaliat\w*|vow\w*|threaten\w*|refus\w*|and\s+(?:kabul|islamabad))\b")
_METONYM_BEFORE = re.compile(
    r"(?:accus\w*|urg\w*|ask\w*|warn\w*|told|press\w*|blam\w*|call\w* on|pressure on|"
    r"between|and|by|tensions with|relations with|ties with|(?:reaction|response|comment|word|"
    r"statement)s?\s+from)\s+$")
_BASED = re.compile(r"-based\b")

_KIND_WORDS = {
    "province": "province", "provinces": "province",
    "district": "district", "districts": "district", "agency": "district",
    "agencies": "district", "tribal district": "district", "tribal districts": "district",
    "tehsil": "tehsil", "tehsils": "tehsil",
    "city": "town", "cities": "town", "town": "town", "towns": "town", "village": "town",
    "villages": "town", "bazaar": "town",
    "crossing": "crossing", "crossings": "crossing", "border crossing": "crossing",
    "border crossings": "crossing", "crossing point": "crossing", "border point": "crossing",
    "gate": "crossing",
    "pass": "feature", "valley": "feature",
}
_KIND_AFTER = re.compile(
    r"[ \t]*(?:-[ \t]*)?(tribal districts?|border crossings?|crossing point|border point|"
    r"provinces?|districts?|agenc(?:y|ies)|tehsils?|cit(?:y|ies)|towns?|villages?|bazaar|"
    r"crossings?|gate|pass|valley)\b")
_KIND_BEFORE = re.compile(
    r"\b(province|district|agency|tehsil|city|town|village|crossing|border crossing|valley)"
    r"\s+of\s+$")
#: The last words of :data:`_KIND_BEFORE` ("border crossing" ends "crossing").
_KIND_BEFORE_WORDS = ("province", "district", "agency", "tehsil", "city", "town", "village",
                      "crossing", "valley")
_COUNTRY_BEFORE = re.compile(
    r"\b(afghanistan|pakistan)'s?\s+(?:(?:north|south|east|west)\w*\s+|restive\s+|"
    r"volatile\s+|border\s+|tribal\s+|remote\s+|mountainous\s+|neighbouring\s+|"
    r"neighboring\s+){0,2}$"
    r"|\b(afghan|pakistani)\s+(?:(?:border\s+)?(?:province|district|town|city|village|"
    r"region|area|side|crossing|border\s+crossing|border\s+town)s?\s+(?:of\s+)?)?$")
_COUNTRY_AFTER = re.compile(
    r"(?:\s+(?:province|district|agency|town|city|village|area|region)s?)?"
    r"(?:,\s*|\s+(?:in|of)\s+(?:the\s+)?(?:(?:north|south|east|west)\w*\s+)?)"
    r"(afghanistan|pakistan)\b")
_PARENT_GAP = re.compile(
    r"(?:\s+(?:district|town|city|village|area|tehsil|sector|region|border\s+crossing|"
    r"crossing))?(?:,\s*|\s+(?:in|of)\s+(?:the\s+)?(?:(?:north|south|east|west)\w*\s+)?)$")
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*/\s*|\s*&\s*)$")
_CROSSING_CUES = re.compile(
    r"\b(?:crossings?|gate|trade|traders?|trucks?|lorr(?:y|ies)|cargo|containers?|transit|"
    r"passengers?|travellers?|travelers?|reopen\w*|clos(?:ed|ure|ing)|shut|sealed)\b")
#: The words :data:`_CROSSING_CUES` begins with (see :func:`~.anchors.anchor_group`).
_CROSSING_CUE_ANCHORS = anchor_group(
    "places.crossing_cues",
    ("crossing", "trade", "truck", "lorr", "container", "passenger", "traveller", "traveler",
     "reopen", "clos"), ("gate", "cargo", "transit", "shut", "sealed"))
_COUNTRY_WORDS = {"afghanistan": "AF", "afghan": "AF", "pakistan": "PK", "pakistani": "PK"}


@compact_pickle
@dataclass(frozen=True, slots=True)
class PlaceMention:
    """One name in the text: span, the place chosen, every candidate, and how.

    ``role`` is ``location`` (a place where something happened or is), ``dateline`` (where
    the story was filed), ``country``, ``actor`` (a capital standing for its government),
    ``attribute`` ("Peshawar-based"), ``name`` (inside a person's name: "Ali Wardak",
    "Qaiser Abbas"), ``destination`` (where a convoy was going: "on its way to Parachinar"),
    ``caption`` (in a photo caption) or ``subplace`` (a village the report names with its
    container, "the Kaga area of Mamund tehsil", that is a namesake elsewhere in the
    gazetteer: the container gets the mention, with ``reported`` = "Kaga").
    ``note`` explains the choice when there was one to make.
    """

    start: int
    end: int
    text: str
    sentence: int
    place: Place
    candidates: tuple[Place, ...]
    role: str = "location"
    note: str | None = None
    hints: dict = field(default_factory=dict, compare=False)
    #: the name the report gives to a place inside this one that the gazetteer lacks
    #: ("Kaga" in "the Kaga area of Mamund tehsil"): the event is drawn here, named so
    reported: str | None = None

    @property
    def ambiguous(self) -> bool:
        return bool(self.note and self.note.startswith("ambiguous"))


_make_mention = positional_maker(PlaceMention)


def _with(m: PlaceMention, role: str, note: str | None, reported: str | None = None
          ) -> PlaceMention:
    """``dataclasses.replace(m, role=role, note=note)`` (and ``reported`` if given) made
    through the slots (a fourth of the time)."""
    return _make_mention(m.start, m.end, m.text, m.sentence, m.place, m.candidates, role,
                         note, m.hints, m.reported if reported is None else reported)


# --------------------------------------------------------------------------- matching


_SEPARATORS = re.compile(r"[\s\-]+")


def _surface_key(folded: str) -> str:
    """Lookup key of a folded surface: separators unified, apostrophes dropped."""
    return _SEPARATORS.sub(" ", folded.replace("'", "")).strip()


class PlaceMatcher:
    """The multi-pattern matcher over every name and alias of one gazetteer."""

    def __init__(self, gazetteer: Gazetteer):
        self.gazetteer = gazetteer
        surfaces: dict[str, dict[str, None]] = {}
        patterns: set[str] = set()
        self.acronyms: set[str] = set()
        for place in gazetteer:
            for name in (place.name, *place.aliases):
                folded = fold(re.sub(r"(?i)^the\s+", "", name.strip()))
                key = _surface_key(folded)
                if not key or not any(c.isalnum() for c in key):
                    continue
                surfaces.setdefault(key, {})[place.id] = None
                if _is_acronym(name.strip()):
                    self.acronyms.add(key)
                trie_key = re.sub(r"[\s\-]+", _SEP, folded.strip()).replace("'", _APOS)
                patterns.add(trie_key)
        self.surfaces = {k: tuple(gazetteer.get(i) for i in v) for k, v in surfaces.items()}
        trie: dict = {}
        for word in patterns:
            node = trie
            for ch in word:
                node = node.setdefault(ch, {})
            node[""] = {}
        # every name as a whole word, with the character before it (see :meth:`names`)
        self.regex = re.compile(r"[^\w'](" + "(?:" + _trie_regex(trie) + r")(?![\w]))")
        # surface -> (its places if written as a name, else None; a common word?)
        self._known: dict[str, tuple[tuple[Place, ...] | None, bool]] = {}
        # the candidates left tied (by identity, with them) -> the pick and its note
        self.settled: dict[tuple[int, ...], tuple[tuple[Place, ...], Place, str | None]] = {}

    def find(self, folded_text: str, text: str) -> Iterable[tuple[int, int, tuple[Place, ...]]]:
        """(start, end, candidates) for every acceptable whole-word name in the text."""
        known = self._known
        if len(known) > 100_000:
            known.clear()
        for start, end, folded in self.names(folded_text):
            surface = text[start:end]
            entry = known.get(surface)
            if entry is None:  # what the words alone say: the places, if written as a name
                key = _surface_key(folded)
                places = self.surfaces.get(key)
                if not places or not _written_as_name(surface, key in self.acronyms):
                    places = None
                entry = known[surface] = (places, key in COMMON_WORD_NAMES)
            places, common = entry
            if places is None:
                continue
            if common and not _KIND_AFTER.match(folded_text, end):
                continue
            yield start, end, places


    def names(self, folded_text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, folded name) of every name written as a whole word in the folded
        text, leftmost first, none inside another: the matches of ``(?<![\\w'])name(?!\\w)``.
        :attr:`regex` finds each with the character before it: the engine then skips in one
        loop to the characters a name can follow (a space, a mark) and tries the names
        there, not at every letter (a tenth less work). A name at the start of the text, or
        right after a name that ends in a mark ("D.I."), has no character of its own before
        it: it is matched with the one before it (or a line break before the text)."""
        regex = self.regex
        pos = 0
        while True:
            if pos == 0 or not _word_or_apostrophe(folded_text[pos - 1]):
                if pos == 0:  # (a copy of the text: offsets one on)
                    m, shift = regex.match("\n" + folded_text), 1
                else:
                    m, shift = regex.match(folded_text, pos - 1), 0
                if m is not None:
                    start, pos = m.start(1) - shift, m.end(1) - shift
                    yield start, pos, m.group(1)
                    continue
            for m in regex.finditer(folded_text, pos):
                start, end = m.span(1)
                yield start, end, m.group(1)
                if not _word_or_apostrophe(folded_text[end - 1]):
                    pos = end
                    break
            else:
                return


def _word_or_apostrophe(ch: str) -> bool:
    """Whether ``ch`` is a character a name cannot follow: ``[\\w']``."""
    return ch.isalnum() or ch in "_'"


def _trie_regex(node: dict) -> str:
    alternatives = []
    for ch in sorted(k for k in node if k):
        if ch == _SEP:
            head = _SEP_CLASS
        elif ch == _APOS:
            head = "'?"
        else:
            head = re.escape(ch)
        alternatives.append(head + _trie_regex(node[ch]))
    if not alternatives:
        return ""
    body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
    if "" in node:
        return f"(?:{body})?"
    return body


def _written_as_name(surface: str, acronym: bool) -> bool:
    """Capitalised like a name; acronyms (KP, NWA) in capitals; uncased scripts always."""
    if acronym:
        return surface.replace(".", "").isupper()
    words = surface.split()
    word = words[1] if len(words) > 1 and words[0].lower() == "the" else words[0]
    first = word[0]
    if first.isalpha() and not first.isupper() and not first.islower():
        return True  # Arabic script and others without capitals
    return first.isupper()


def _is_acronym(name: str) -> bool:
    letters = name.replace(".", "")
    return letters.isalpha() and letters.isupper() and len(letters) <= 5


_MATCHERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def matcher_for(gazetteer: Gazetteer) -> PlaceMatcher:
    """The (cached) matcher of a gazetteer."""
    matcher = _MATCHERS.get(gazetteer)
    if matcher is None:
        matcher = _MATCHERS[gazetteer] = PlaceMatcher(gazetteer)
    return matcher


# --------------------------------------------------------------------------- disambiguation


@dataclass(slots=True)
class _Raw:
    start: int
    end: int
    candidates: tuple[Place, ...]
    sentence: int
    # (immutable, shared while empty: most names get none; each is replaced when added to)
    kinds: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    parents: tuple[_Raw, ...] = ()
    siblings: list[_Raw] | tuple = ()
    role: str = "location"
    notes: tuple[str, ...] = ()


def find_places(doc: Document, gazetteer: Gazetteer | None = None) -> list[PlaceMention]:
    """Every place mention in ``doc``, in text order, each resolved to one gazetteer place."""
    gazetteer = gazetteer or Gazetteer.default()
    matcher = matcher_for(gazetteer)
    text, folded = doc.text, doc.folded
    raws: list[_Raw] = []
    # the sentence of each name (-1: between sentences), as ``doc.sentence_at`` finds it,
    # in one walk over the sentences: the names come in text order
    sentences = doc.sentences
    n, k = len(sentences), 0
    for start, end, places in matcher.find(folded, text):
        while k < n and sentences[k].end <= start:
            k += 1
        raws.append(_Raw(start, end, places,
                         sentences[k].index if k < n and sentences[k].start <= start else -1))
    _local_hints(raws, folded)
    settled = matcher.settled
    if len(settled) > 100_000:
        settled.clear()
    return _context_roles(_resolve_all(raws, text, folded, doc, settled), text, folded)


# --------------------------------------------------------------------------- context roles

#: "on its way to X", "heading to X", "bound for X", "the road to X": where someone was
#: going, not where it happened.
_DESTINATION_BEFORE = re.compile(
    r"(?:on\s+(?:its|their|his|her|the)\s+way\s+(?:to|towards)|head(?:ing|ed)\s+(?:to|towards|"
    r"for)|bound\s+for|en\s+route\s+to|travell?(?:ing|ed)\s+to|(?:going|moving|returning)\s+"
    r"to|destined\s+for|(?:supplies|goods|food|aid|medicines?)\s+(?:\w+\s+)?(?:to|for)|"
    r"(?:road|roads|route|routes|highway|highways|supply\s+lines?)\s+(?:to|towards))\s+"
    r"(?:the\s+)?$")
_FROM_BETWEEN = re.compile(r"\s+from\s+(?:the\s+)?$")
#: A photo caption: a line that ends with the agency or photographer, or begins "Photo:".
_CAPTION_LINE = re.compile(
    r"(?i)(?:(?:photo|file\s+photo|picture)\s*:.*|.{0,400}?(?:\bin\s+this\s+(?:file\s+)?"
    r"photo\b.*|\s[—–-]{1,2}\s*(?:photo\b.*|file\b.*|afp|reuters|ap|app|inp|ppi|online|"
    r"anadolu|xinhua|epa|getty\s+images|dawn|express|screengrab\b.*|courtesy\b.*)\s*\.?))")
#: "the X area of", "X village in", "Killi X in", "X Bazar of", "X and Y areas of": a place
#: the report names with its container (the mention right after it). (Each word of a name
#: is taken whole, possessively: what follows a word is white space or a comma, never a
#: letter of it, so giving letters back could not make a match; it made every capital of
#: the 90 characters searched try each shorter word.)
_SUBPLACE_BEFORE = re.compile(
    r"(?P<name>(?:(?i:killi|kili|kille|qila|kalay|kelay|mohallah?)\s+)?[A-Z][\w'’-]++"
    r"(?:\s+[A-Z][\w'’-]++){0,3}(?:(?:\s*,\s*|\s+and\s+)(?:(?i:killi|kili)\s+)?[A-Z][\w'’-]++"
    r"(?:\s+[A-Z][\w'’-]++){0,2}){0,3})"
    r"(?P<kw>\s+(?i:areas?|villages?|localit(?:y|ies)|bazaa?r|markets?|(?:check\s*-?\s*)?posts?|"
    r"outposts?|sectors?|hamlets?|neighbou?rhoods?|mountains?|heights?|tops?)|(?<=\w)(?=\s+"
    r"(?:in|of)\s))\s+(?:of|in)\s+(?:the\s+)?$")
#: The characters a match of :data:`_SUBPLACE_BEFORE` can begin with (a capital, or the
#: first letter of "Killi", "Qila", "Mohallah" in any case).
_SUBPLACE_FIRST = re.compile(r"[A-Z]|(?i:[kqm])")


_START = operator.methodcaller("start")


def _subplace_before(text: str, pos: int, endpos: int) -> re.Match | None:
    """``_SUBPLACE_BEFORE.search(text, pos, endpos)``, tried only where a match can begin
    (a few capitals of the 90 characters before a mention: half the time)."""
    return first_match(_SUBPLACE_BEFORE, text,
                       map(_START, _SUBPLACE_FIRST.finditer(text, pos, endpos)), endpos)


_SUBPLACE_WORD = re.compile(r"(?i)bazaa?r|markets?|areas?|villages?|posts?|tops?|sectors?")
_KILLI = re.compile(r"(?i)^(?:killi|kili|kille)\s")
#: Capitalised words before an alias that make it a person's surname ("Qaiser Abbas")
#: unless they are these.
_NOT_GIVEN_NAMES = frozenset({
    "the", "in", "at", "of", "on", "near", "from", "to", "and", "or", "a", "an", "upper",
    "lower", "north", "south", "east", "west", "central", "eastern", "western", "northern",
    "southern", "new", "old", "greater", "afghan", "pakistani", "pakistan", "afghanistan",
    "district", "province", "tehsil", "village", "town", "city", "when", "while", "as", "after",
    "before", "since", "meanwhile", "but", "however", "also", "then", "both",
})
#: The words before a capital that make it a place ("in Kabul", "struck the Afghan capital
#: Kabul"); without them it stands for its government.
_LOCATIVE = frozenset({
    "in", "at", "near", "outside", "into", "over", "across", "around", "inside", "from", "to",
    "towards", "of", "on", "reached", "visited", "hit", "struck", "shelled", "bombed",
    "targeted", "attacked"})
_LOCATIVE_FILLERS = frozenset({"the", "afghan", "pakistani", "capital", "city"})


def _locative(before: str) -> bool:
    words = before.split()[-5:]
    if words and words[-1] == "of":
        return True  # "the city of Kabul", "outskirts of Kabul"
    while words and words[-1] in _LOCATIVE_FILLERS:
        words.pop()
    return bool(words) and words[-1] in _LOCATIVE


def _context_roles(mentions: list[PlaceMention], text: str, folded: str
                   ) -> list[PlaceMention]:
    """Roles the words around a mention give it: a convoy's destination, a photo caption, a
    surname, a village named with its container (see :class:`PlaceMention`).

    Each rule is tried only where a cheap look at the words just before the mention allows
    it (a preposition, a capitalised word, a caption cue in the text): a few per report."""
    if not mentions:
        return mentions
    captions = None
    out = list(mentions)
    starts = [m.start for m in out]
    for i, m in enumerate(out):
        if m.role not in ("location", "dateline"):
            continue
        start = m.start
        # the word just before the mention, after one space (and where it begins)
        if start > 1 and folded[start - 1] == " ":
            k = max(folded.rfind(" ", max(0, start - 26), start - 1),
                    folded.rfind("\n", max(0, start - 26), start - 1)) + 1
            last_word = folded[k:start - 1].lstrip("(\"“‘'")
            last_at = start - 1 - len(last_word)
        else:
            last_word, last_at = "", start
        if m.role == "location":
            if captions is None:
                captions = _caption_spans(text, folded)
            if captions and captions.contains(start):
                out[i] = _with(m, "caption", "in a photo caption")
                continue
            if last_word in _DESTINATION_LAST and _destination_cue(folded, last_at, last_word) \
                    and _DESTINATION_BEFORE.search(folded, max(0, start - 60), start):
                out[i] = _with(m, "destination", "where it was going")
                continue
            if last_word == "from" and i and out[i - 1].role == "destination" and \
                    _FROM_BETWEEN.fullmatch(folded, out[i - 1].end, start):
                out[i] = _with(m, "destination", "where it was coming from")
                continue
            if (m.place.kind in ("town", "feature") and last_word and text[last_at].isupper()
                    and last_word not in _NOT_GIVEN_NAMES and " " not in m.text.strip()
                    and not last_word.endswith(("'s", "’s"))
                    and _normalize_name(m.text) != _normalize_name(m.place.name)
                    and not (i and out[i - 1].end >= last_at)):
                # "Qaiser Abbas", "Ghulam Abbas": an alias after a given name is a surname
                out[i] = _with(m, "name", "a person's name")
                continue
        if m.place.kind == "country" or last_word not in ("of", "in", "the"):
            continue
        # the word before "of"/"in" (and "the") must be "area", "village", "bazar", ...,
        # or a "Killi" be near: found with rfind, no split or regex for most mentions
        end = last_at - 1
        if last_word == "the":
            k = folded.rfind(" ", max(0, end - 12), end) + 1
            if folded[k:end] not in ("of", "in"):
                continue
            end = k - 1
        k = folded.rfind(" ", max(0, end - 20), end) + 1
        if folded[k:end].strip(",.;:") not in _SUBPLACE_WORDS and \
                not _has_killi(folded, max(0, start - 90), start):
            continue
        sub = _subplace_before(text, max(0, start - 90), start)
        if sub is None:
            continue
        name = " ".join(sub.group("name").split())
        if not sub.group("kw"):
            head, _, tail = name.rpartition(" ")
            if head and _SUBPLACE_WORD.fullmatch(tail):
                name = head  # "the Inzar Bazar of Salarzai"
            elif not _KILLI.match(name):
                continue  # "X in Y" only for "Killi X in Y"
        if name.split()[0].casefold() in _NOT_GIVEN_NAMES or not _PARTY_WORDS.isdisjoint(
                name.casefold().split()):
            continue  # "Taliban posts in Kunar": whose posts, not a village
        lo = bisect.bisect_left(starts, sub.start("name"), 0, i)
        inner = [j for j in range(lo, i) if out[j].end <= sub.end("name")]
        if inner and all(_inside(out[j].place, m.place) for j in inner):
            continue  # "the Tiarza area of South Waziristan": a place the gazetteer has
        for j in inner:
            out[j] = _with(out[j], "subplace", f"a place of {m.place.name} the gazetteer lacks")
        out[i] = _with(m, m.role, reported=name, note=(
            f"'{name}' is not in the gazetteer: drawn at {m.place.name} ({m.place.kind}), "
            "which the report names as its container"))
    return out


_DESTINATION_LAST = frozenset({"to", "for", "towards", "the"})
#: Words one of which a destination phrase has ("headed" has "head").
_DESTINATION_CUE = re.compile(r"way|head|bound|route|travel|going|moving|returning|destined|"
                              r"supplies|goods|food|aid|medicine|road|highway|line")


def _destination_cue(folded: str, last_at: int, last_word: str) -> bool:
    """Whether the words before a mention can be a destination phrase: "to"/"for" (before
    "the" too) and a cue word in the 40 characters before (most mentions: no regex)."""
    if last_word == "the":
        end = last_at - 1
        k = folded.rfind(" ", max(0, end - 10), end) + 1
        if folded[k:end] not in ("to", "for", "towards"):
            return False
    return _DESTINATION_CUE.search(folded, max(0, last_at - 40), last_at) is not None
_SUBPLACE_WORDS = frozenset({
    "area", "areas", "village", "villages", "locality", "localities", "bazar", "bazaar",
    "market", "markets", "post", "posts", "checkpost", "checkposts", "outpost", "outposts",
    "sector", "sectors", "hamlet", "hamlets", "neighbourhood", "neighborhood", "mountain",
    "mountains", "heights", "top", "tops"})
_PARTY_WORDS = frozenset({
    "taliban", "ttp", "pakistani", "afghan", "army", "military", "government", "frontier",
    "corps", "fc", "enemy", "police", "levies", "islamic", "emirate", "security", "border",
    "tribal", "militant", "militants", "khawarij", "khwarij", "terrorist", "terrorists", "own",
    "their", "its", "our"})
#: What a caption line has (the whole line is then checked with :data:`_CAPTION_LINE`).
_CAPTION_DASH = re.compile(r"[—–-]{1,2}[ \t]*(?:afp|reuters|ap|app|inp|ppi|online|anadolu|"
                           r"xinhua|epa|getty|dawn|express|screengrab|courtesy|file)\b")


_REPORTED = re.compile(r"\b(?:said|says|told|according\s+to|claimed|stated|reported|added)\b")


def _has_killi(folded: str, start: int, end: int) -> bool:
    # (each word begins "kil": most texts looked at have none)
    return folded.find("kil", start, end) >= 0 and any(
        folded.find(w, start, end) >= 0 for w in ("killi ", "kili ", "kille "))



def _caption_spans(text: str, folded: str) -> Spans:
    spans = []
    cues = []  # an agency at the end of a line (the last 40 characters of each line looked at)
    # the lines (their ends: each line break and the end of the text) with a dash in those
    # 40 characters, found from the dashes (hundreds, found by str.find) rather than line by
    # line (thousands, a regular expression's search in each)
    size = len(folded)
    dashed: dict[int, None] = {}
    for at in occurrences(folded, ("—", "–", "-")):
        end = folded.find("\n", at, at + 41)  # the line ends 1 to 40 characters after it
        while end >= 0:
            dashed[end] = None
            end = folded.find("\n", end + 1, at + 41)
        if at >= size - 40:
            dashed[size] = None
    for end in sorted(dashed):
        cue = _CAPTION_DASH.search(folded, max(0, end - 40), end)
        if cue:
            cues.append((cue.start(), cue.end()))
    for word in ("photo", "picture"):  # str.find: no regex tried at every position
        at = folded.find(word)
        while at >= 0:
            cues.append((at, at + len(word)))
            at = folded.find(word, at + 1)
    cues.sort()
    for cue_start, cue_end in cues:
        line_start = text.rfind("\n", 0, cue_start) + 1
        line_end = text.find("\n", cue_end)
        line_end = len(text) if line_end < 0 else line_end
        if spans and spans[-1][0] == line_start:
            continue
        body = folded[line_start:cue_start]
        if ". " in body.rstrip(" .—–-") or _REPORTED.search(body):
            continue  # a paragraph of the story that ends with its agency, not a caption
        if _CAPTION_LINE.fullmatch(text, line_start, line_end):
            spans.append((line_start, line_end))
    return Spans(spans)


def _inside(inner: Place, outer: Place) -> bool:
    """Whether the gazetteer puts ``inner`` within ``outer`` (admin names, or distance)."""
    if inner.country != outer.country:
        return False
    names = {_normalize_name(inner.admin1), _normalize_name(inner.admin2)}
    if _normalize_name(outer.name) in names:
        return True
    return haversine_km(inner.lon, inner.lat, outer.lon, outer.lat) <= max(
        outer.precision_km or 0, 5.0)


def _local_hints(raws: list[_Raw], folded: str) -> None:
    # lists: neighbours joined by "," / "and" / "or" inside one sentence
    lists: list[list[_Raw]] = []
    prev = None
    for raw in raws:
        if (prev is not None and prev.sentence == raw.sentence
                and _LIST_GAP.fullmatch(folded, prev.end, raw.start)):
            lists[-1].append(raw)
        else:
            lists.append([raw])
        prev = raw
    for group in lists:
        if len(group) > 1:
            for raw in group:
                raw.siblings = [r for r in group if r is not raw]
        first, last = group[0], group[-1]
        after = _KIND_AFTER.match(folded, last.end)
        shared_kind = None
        if after:
            word = after.group(1)
            kind = _KIND_WORDS.get(word)
            if kind and (len(group) == 1 or word.endswith("s") or word.endswith("ies")):
                shared_kind = kind
            elif kind:
                last.kinds |= {kind}
        before = folded[max(0, first.start - 60):first.start]
        country = None
        # (the searches need "afghan" / "pakistan", and " of" at the end: looked for first)
        if ("afghan" in before or "pakistan" in before) and (
                m := _country_before(before)):
            country = _COUNTRY_WORDS[m.group(1) or m.group(2)]
        if m := _COUNTRY_AFTER.match(folded, last.end):
            country = country or _COUNTRY_WORDS[m.group(1)]
        if shared_kind or country:
            for raw in group:
                if shared_kind:
                    raw.kinds |= {shared_kind}
                if country:
                    raw.countries |= {country}
        head = before.rstrip()  # (the search needs a kind word and "of" at the end)
        if head.endswith("of") and head[:-2].rstrip().endswith(_KIND_BEFORE_WORDS) and (
                m := _KIND_BEFORE.search(before)):
            kind = _KIND_WORDS.get(m.group(1))
            if kind:
                first.kinds |= {kind}
    # a parent right after a name: "Spin Boldak, Kandahar", "Bara in Khyber district"
    for prev, raw in zip(raws, raws[1:], strict=False):
        # (two mentions are never equal: "in" is "is")
        if prev.sentence != raw.sentence or prev.siblings and any(
                r is raw for r in prev.siblings):
            continue
        if _PARENT_GAP.fullmatch(folded, prev.end, raw.start) and any(
                c.kind in ("province", "district", "country") for c in raw.candidates):
            prev.parents += (raw,)


def _country_before(before: str) -> re.Match | None:
    """``_COUNTRY_BEFORE.search(before)``: every match begins with "afghan" or "pakistan",
    so it is tried where they occur, leftmost first."""
    return first_match(_COUNTRY_BEFORE, before, occurrences(before, ("afghan", "pakistan")))


def _filter(candidates, keep) -> tuple[Place, ...]:
    kept = tuple(c for c in candidates if keep(c))
    return kept or tuple(candidates)


def _resolve_all(raws: list[_Raw], text: str, folded: str, doc: Document | None = None,
                 settled: dict | None = None) -> list[PlaceMention]:
    """The mentions of ``raws``; a location inside a dateline of ``doc`` is a dateline
    (``settled``: see :func:`_settle`)."""
    datelines = doc.datelines if doc is not None and raws else None
    if not datelines:
        datelines = None
    # 1. local hints narrow the candidates
    for raw in raws:
        cands = raw.candidates
        if raw.countries:
            cands = _filter(cands, lambda c, r=raw: c.country in r.countries
                            or c.kind == "crossing")
        if raw.kinds:
            before = cands
            cands = _filter(cands, lambda c, r=raw: c.kind in r.kinds)
            if cands is not before and len(cands) < len(before):
                raw.notes += (f"kind from the text: {', '.join(sorted(raw.kinds))}",)
        if raw.parents:
            parent_names = {_normalize_name(c.name) for p in raw.parents for c in p.candidates}
            narrowed = _filter(cands, lambda c, names=parent_names: _normalize_name(c.admin1)
                               in names or _normalize_name(c.admin2) in names)
            if len(narrowed) < len(cands):
                raw.notes += ("parent named after it",)
            cands = narrowed
        raw.candidates = cands
    # 2. the document: what is named unambiguously, and where
    context_names: set[str] = set()
    for raw in raws:
        if len(raw.candidates) == 1 and raw.candidates[0].kind in ("province", "district"):
            context_names.add(_normalize_name(raw.candidates[0].name))
    mentions = []
    cues: dict[int, bool] = {}  # paragraph start -> crossing words in it
    chosen: dict[tuple, tuple[Place, str | None]] = {}  # the same name in the same company
    for raw in raws:
        cands = raw.candidates
        place, note = (cands[0], None) if len(cands) == 1 else _choose(  # (most: one)
            raw, context_names, folded, cues, chosen, doc, settled)
        role = _role(raw, place, text, folded)
        if datelines is not None and role in ("location", "actor") and \
                datelines.contains(raw.start):
            role = "dateline"
        notes = [*raw.notes, note] if note else raw.notes
        sentence_note = "; ".join(dict.fromkeys(n for n in notes if n)) or None if notes \
            else None
        mentions.append(_make_mention(
            raw.start, raw.end, text[raw.start:raw.end], raw.sentence, place, raw.candidates,
            role, sentence_note,
            {"kinds": sorted(raw.kinds) if raw.kinds else [],
             "countries": sorted(raw.countries) if raw.countries else []}, None))
    return mentions


def _choose(raw: _Raw, context_names: set[str], folded: str,
            cues: dict[int, bool] | None = None,
            chosen: dict | None = None, doc: Document | None = None,
            settled: dict | None = None) -> tuple[Place, str | None]:
    """The candidate of ``raw`` the document points to, and why (``cues`` and ``chosen``:
    what was found for the paragraphs and candidates of the document so far; ``doc``, whose
    folded text ``folded`` is: its token index finds the crossing words)."""
    cands = raw.candidates
    if len(cands) == 1:
        return cands[0], None
    line_start = folded.rfind("\n", 0, raw.start) + 1
    crossing_cue = None if cues is None else cues.get(line_start)
    if crossing_cue is None:
        line_end = folded.find("\n", raw.end)
        if line_end < 0:
            line_end = len(folded)
        if doc is not None:  # (the paragraph is whole lines: its ends are word boundaries)
            crossing_cue = doc.search(_CROSSING_CUES, _CROSSING_CUE_ANCHORS, line_start,
                                      line_end) is not None
        else:
            crossing_cue = bool(_CROSSING_CUES.search(folded[line_start:line_end]))
        if cues is not None:
            cues[line_start] = crossing_cue
    if chosen is None:
        return _score(raw, context_names, crossing_cue, settled)
    # (by identity: places hash all their fields; the candidates live as long as ``chosen``)
    key = (tuple(map(id, cands)), tuple(tuple(map(id, sib.candidates)) for sib in raw.siblings),
           crossing_cue)
    found = chosen.get(key)
    if found is None:
        found = chosen[key] = _score(raw, context_names, crossing_cue, settled)
    return found


def _score(raw: _Raw, context_names: set[str], crossing_cue: bool,
           settled: dict | None = None) -> tuple[Place, str | None]:
    cands = raw.candidates
    scores: dict[str, float] = {}
    for c in cands:
        score = 0.0
        for sib in raw.siblings:
            if any(s.kind == c.kind and s.admin1 == c.admin1 for s in sib.candidates):
                score += 2.0
        in_context = (_normalize_name(c.admin1) in context_names
                      or _normalize_name(c.admin2) in context_names)
        if in_context and _normalize_name(c.name) != _normalize_name(c.admin1):
            score += 1.0
        if c.kind == "crossing" and crossing_cue:
            score += 1.5
        scores[c.id] = score
    top = max(scores.values())
    best = [c for c in cands if scores[c.id] == top]
    note = "chosen by list neighbours / document context" if top > 0 else None
    if len(best) == 1:
        return best[0], note
    if settled is None:
        place, ambiguous = _settle(best)
    else:  # (the same tie recurs from report to report: what the gazetteer says of it)
        key = tuple(map(id, best))
        found = settled.get(key)
        if found is None:
            found = settled[key] = (tuple(best), *_settle(best))
        place, ambiguous = found[1], found[2]
    return place, ambiguous or note


def _settle(best: list[Place]) -> tuple[Place, str | None]:
    """The pick among candidates left tied, and ``ambiguous: ...`` unless they are nested
    namesakes (a function of the places alone)."""
    nested = _nested_broadest(best)
    if nested is not None:
        return nested, None
    best = sorted(best, key=lambda c: (_KIND_RANK.get(c.kind, 9), -c.precision_km, c.id))
    others = ", ".join(f"{c.name} ({c.kind}, {c.country})" for c in best[1:4])
    return best[0], f"ambiguous: also {others}"


def _nested_broadest(places: list[Place]) -> Place | None:
    """The broadest of nested namesakes (all admin kinds, one country), as the gazetteer does."""
    if any(p.kind not in _ADMIN_KINDS for p in places) or len({p.country for p in places}) > 1:
        return None
    broadest = max(places, key=lambda p: p.precision_km)
    if sum(1 for p in places if p.precision_km == broadest.precision_km) > 1:
        return None
    for p in places:
        if p is not broadest and haversine_km(broadest.lon, broadest.lat, p.lon,
                                               p.lat) > broadest.precision_km:
            return None
    return broadest




def _role(raw: _Raw, place: Place, text: str, folded: str) -> str:
    if place.kind == "country":
        return "country"
    surface = folded[raw.start:raw.end]
    if folded.startswith("-based", raw.end) and _BASED.match(folded, raw.end):
        return "attribute"
    if surface in _METONYMS:
        before = folded[max(0, raw.start - 40):raw.start]
        if _METONYM_AFTER.match(folded, raw.end) or _METONYM_BEFORE.search(before):
            return "actor"
        # a capital is a place only where the words say so ("in Kabul", "Kabul province",
        # "Kabul's Dasht-e-Barchi area"); otherwise it stands for its government
        # ("Islamabad launches retaliatory operation", "prompting Islamabad to vow")
        if not (_locative(before) or _KIND_AFTER.match(folded, raw.end)
                or folded.startswith(("'s", "’s"), raw.end)):
            return "actor"
    return "location"
