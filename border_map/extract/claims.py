"""Claims: who said what, for which side, with which figures, in the report's own words.

**Speakers.** A sentence with a speech verb (said, stated, claimed, confirmed, announced,
according to, rejected, ...) is attributed to its subject: the first party, person,
outlet or third party of the sentence before the verb (not the object of a preposition:
"told Reuters"), or the one after "according to" / an inverted ``", said Mujahid"``.
"He"/"She" is the last person named, "the ministry" the last ministry, "Islamabad" and
"Afghanistan" their governments. A clause-final speaker ("..., wounding a shepherd, Levies
officials said") is the words between the last comma and the verb, not the subject of the
clause; "according to sources" is the sources. The side is the speaker's (:mod:`.actors`);
a local speaker that does not say it (police, officials, a police spokesman) has the side
of the places of its sentence, else of the story's place just before.

**Claim units.** Consecutive sentences of one speaker form one claim; a sentence without
its own speaker continues the claim before it in the same paragraph when it quotes or
reports in the passive ("This offensive was described as ..."). A sentence that nobody
is said to have said, but that reports an event or figures, is the report's own claim
(side ``third_party``, organisation: the outlet). The quote is the sentences verbatim.

**Figures** are found by :mod:`.figures`, in the report's own words.

**Status.** A claim is ``disputed`` when a later claim of another side rejects, denies,
contradicts or offers a contrasting account; otherwise ``unverified``: nothing is
confirmed by a draft.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .._records import compact_pickle, positional_maker
from ..incidents import Figure
from .actors import Entity, by_sentence
from .actors import side_of as side_of_words
from .anchors import anchor_group
from .dates import DateMention
from .figures import FigureMention, clause_end, find_figures
from .text import Document, Sentence

__all__ = ["ClaimUnit", "FigureMention", "Speaker", "find_claims", "find_figures"]


# --------------------------------------------------------------------------- speakers

_SPEECH = re.compile(
    r"\b(?:according\s+to|as\s+per|said|says|say|stated|states|told|tells|tell|informed|"
    r"informs|claimed|claims|claiming|"
    r"confirmed|confirms|confirming|announced|announces|announcing|reported|reports|reporting|"
    r"asserted|asserts|asserting|added|adds|adding|elaborated|insisted|insists|alleged|alleges|"
    r"denied|denies|denying|rejected|rejects|rejecting|dismissed|dismisses|accused|accuses|"
    r"blamed|blames|condemned|condemns|"
    r"warned|warns|tweeted|wrote|posted|noted|notes|acknowledged|acknowledges|maintained|"
    r"maintains|declared|declares|vowed|quoted|offered\s+a\s+contrasting|contradicted|"
    r"countered|disputed|disputes|admitted|admits|"
    # the present of live updates ("officials claim", "they deny"), quoted speech and the
    # verbs of official statements ("the FO recalled", "the statement reads")
    r"(?<!the\s)(?<!a\s)(?<!this\s)(?<!that\s)(?<!their\s)(?<!its\s)(?<!his\s)claim|"
    r"confirm|deny|allege|insist|warn|announce|add|saying|writes|read|reads|explained|"
    r"clarified|revealed|disclosed|reiterated|reiterates|stressed|underlined|recalled|"
    r"mentioned|highlighted|conveyed|conceded|concedes|quoting|citing)\b")
_PASSIVE = re.compile(r"\b(?:was|were|has\s+been|have\s+been|is|are)\s+(?:\w+\s+)?(?:described|"
                      r"said|called|characteri[sz]ed|presented|framed|portrayed|quoted)\b")
_IMPERSONAL = re.compile(r"\b(?:was|were|has\s+been|have\s+been|is|are)\s+(?:also\s+)?"
                         r"reported\b|\breportedly\b|\bit\s+is\s+(?:said|reported)\b")
_ANAPHORIC_START = re.compile(r"(?:(?:during|in|after|following|throughout)\s+)?"
                              r"(?:these|this|those|the\s+same|it|they)\b")
_QUOTED = re.compile(r"[\"“]([^\"“”]{2,400})[\"”]")


def _quotations(text: str) -> Iterable[re.Match]:
    """``_QUOTED.finditer(text)``; nothing looked for in a text without an opening mark
    (most sentences: ``in`` is far cheaper than the regular expression's scan)."""
    return _QUOTED.finditer(text) if '"' in text or "“" in text else ()


_OBJECT_OF = re.compile(r"\b(?:to|told|with|by|against|on|in|at|from|of|for|about|"
                        r"including)\s+(?:the\s+)?$")
_POSTPOSED = re.compile(r"(?:\s+(?:in|at|from|of|for)\s+[a-z' -]{1,30}?)?\s*"
                        r"(?:(?:also|later|again|have|has|had|then|further|separately)\s+){0,2}")
_APPOSITION = re.compile(r"[\w\s'’-]{0,30},\s*")
_RUN_BY = re.compile(r"-(?:run|led|controlled|backed|owned|affiliated)\b")
_DISPUTE = re.compile(r"\b(?:reject\w*|den(?:y|ied|ies|ying)|dismiss\w*|contradict\w*|"
                      r"contrasting|disput\w*|refut\w*|false|baseless)\b")

_SPEECH_AT = anchor_group("claims.speech", words=(
    "according", "said", "says", "say", "stated", "states", "told", "tells", "tell", "informed",
    "informs", "claimed", "claims",
    "claiming", "confirmed", "confirms", "confirming", "announced", "announces", "announcing",
    "reported", "reports", "reporting", "asserted", "asserts", "asserting", "added", "adds",
    "adding", "elaborated", "insisted", "insists", "alleged", "alleges", "denied", "denies",
    "denying", "rejected", "rejects", "rejecting", "dismissed", "dismisses", "accused",
    "accuses", "blamed", "blames", "condemned", "condemns", "warned", "warns", "tweeted",
    "wrote", "posted", "noted", "notes", "acknowledged", "acknowledges", "maintained",
    "maintains", "declared", "declares", "vowed", "quoted", "offered", "contradicted",
    "countered", "disputed", "disputes", "admitted", "admits", "claim", "confirm", "deny",
    "allege", "insist", "warn", "announce", "add", "saying", "writes", "read", "reads",
    "explained", "clarified", "revealed", "disclosed", "reiterated", "reiterates", "stressed",
    "underlined", "recalled", "mentioned", "highlighted", "conveyed", "conceded", "concedes",
    "quoting", "citing"),
    leads={"as": ("per",)})
_PASSIVE_AT = anchor_group("claims.passive", words=("was", "were", "has", "have", "is", "are"))
_IMPERSONAL_AT = anchor_group("claims.impersonal", words=(
    "was", "were", "has", "have", "is", "are", "reportedly", "it"))
_DISPUTE_AT = anchor_group("claims.dispute", (
    "reject", "den", "dismiss", "contradict", "disput", "refut"), (
    "contrasting", "false", "baseless"))
_DETERMINER = re.compile(r"^(?:the|this|that|these)\s+", re.IGNORECASE)
_NONE = re.compile(r"(?i)\s*(?:no|none|nobody|zero)\b")
_PLURAL_S = re.compile(r"s$")
#: what ends the words before an inverted speech verb (but white space)
_INVERTING = frozenset({",", '"', "”"})
_MATCHED = re.Match.group  # (of a match: its text)
_NAME_END = re.compile(r"\s*(?:[,.;:!?]|$)")
#: ", said the ISPR in a press release on Monday.": the inverted speaker, then where or when
#: it said it, to the end of the sentence (no comma, quote or semicolon in between)
_NAME_ADJUNCT = re.compile(r"\s+(?:in|on|at|via|through|during|late|early|earlier|later|"
                           r"today|yesterday|last|this|from)\b[^,;\"“”]*$")
#: "The casualties were confirmed by a senior security official.": a sentence whose subject
#: is the figures or account of the sentence before it, said to come from the agent of a
#: passive reporting verb (who said the sentence before, too)
_CONFIRMED_BY = re.compile(
    r"(?:the|this|these|those|such)\s+(?:[a-z'’-]+\s+){0,2}?(?:casualt(?:y|ies)|toll|deaths?|"
    r"figures?|numbers?|losses|injur(?:y|ies)|information|details|account)?\s*"
    r"(?:was|were|has\s+been|have\s+been|had\s+been)\s+(?:also\s+)?(?:confirmed|reported|"
    r"given|provided|announced|stated|shared|released|verified|disclosed)\s+by\s+")
_CONFIRMED_BY_STARTS = ("th", "such")  # (what _CONFIRMED_BY begins with)
_AFTER_CLAUSE = re.compile(r"[,;\"”]\s*(?:(?:the|a|an|two|three|several|some)\s+)?$")
_COMMA = re.compile(r"\s*,")
#: ", Levies officials said": a clause-final speaker, between the last comma and the verb
_CLAUSE_SPEAKER = re.compile(
    r"[,;]\s+(?P<np>(?:the\s+|a\s+|an\s+|two\s+|several\s+)?[a-z][a-z'’ -]{1,50}?)\s+"
    r"(?:(?:also|later|further|separately|had|has|have)\s+)?$")
_OPENING_SPEAKER = re.compile(
    r"(?:(?:but|however|meanwhile|separately|earlier|later),?\s+)?"
    r"(?P<np>(?:[a-z'’-]+\s+){0,3}?(?:sources|officials|residents|witnesses|eyewitnesses|"
    r"villagers|locals|elders|doctors|medics|authorities))\s+(?:(?:also|later|further|have|"
    r"has|had)\s+)?")
#: "cited a witness as saying", "quoting officials as saying": who is cited
_CITED_AS = re.compile(r"\b(?:cited|citing|quoted|quoting)\s+(?P<np>[^,;\"“”]{2,60}?)\s+as\s+$")
_QUOTING = frozenset({"quoting", "citing"})
_OPENING_HEADS = frozenset({"sources", "officials", "residents", "witnesses", "eyewitnesses",
                            "villagers", "locals", "elders", "doctors", "medics", "authorities"})


def _according(word: str) -> bool:
    """Whether a speech word is "according to" or "as per" (not "asserted")."""
    return word.startswith("according") or word.startswith("as") and word.endswith("per")


_TO_SOMEONE = frozenset({"told", "tells", "tell", "informed", "informs"})
_POSSESSIVE = re.compile(r"['’]s\s")
_SPACE_ONLY = re.compile(r"\s{1,2}")
#: where a clause of its own begins: "X did not comment, but Y told reporters ...": Y
_CLAUSE_BREAK = re.compile(r";|,\s+(?:but|while|whereas|however)\b")
_BREAK_WORDS = (";", ", but", ", while", ", whereas", ", however")  # (what it can begin with)
_AUXILIARIES = frozenset({"also", "later", "further", "separately", "had", "has", "have"})
_SPEAKER_HEAD = re.compile(
    r"\b(?:officials?|officers?|police(?:man|men)?|spokesm[ae]n|spokesperson|sources?|"
    r"residents?|levies|administration|commanders?|doctors?|witnesses|elders?|authorities|"
    r"villagers|medics?|ministry|military|army|wing|department|office|hospital)$")


@functools.lru_cache(maxsize=4096)
def _is_speaker_head(word: str) -> bool:
    """Whether the word before a speech verb ends with a speaker's head word."""
    return _SPEAKER_HEAD.search(word) is not None
_ACCORDING_PHRASE = re.compile(
    r"\s+(?P<np>(?:the\s+|some\s+|local\s+|informed\s+|official\s+)*(?:sources|source|officials|"
    r"residents|reports|police|witnesses|eyewitnesses|villagers|locals|elders|doctors)"
    r")\s*(?:[,;.]|$)")
#: "according to details", "as per details": no source, the report's own words
_NO_SOURCE = re.compile(r"\s+(?:the\s+)?(?:further\s+|initial\s+|more\s+)?details\b"
                        r"(?!\s+(?:provided|shared|released|issued|given|received|obtained)\b)")
#: "In a statement, the Foreign Office ...", "The FO, in a press release, ...": the subject
#: of the sentence issued it (a statement is a claim without a speech verb); "a statement
#: issued by X": X
_IN_STATEMENT = re.compile(
    r"\b(?:in|through|via)\s+(?:a|an|its|his|her|their|the|a\s+joint)\s+(?:[a-z-]+\s+){0,2}?"
    r"(?:statement|(?:press\s+)?release|communiqu[eé]|message|post|tweets?|handout|"
    r"press\s+note)\b"
    r"(?P<by>\s+(?:issued|released|posted|shared|sent)\s+(?:[a-z]+\s+){0,3}?by\s+)?")
_STATEMENT_AT = anchor_group("claims.statement", words=(
    "statement", "release", "communique", "message", "handout", "tweet", "tweets"),
    # ("post" and "note" are frequent words: only "a post", "his note" ...)
    leads=dict.fromkeys(("a", "an", "his", "her", "their", "its"), ("post", "note")))
#: "The Foreign Office issued a statement on Sunday": its subject issued it
_ISSUED = re.compile(r"\b(?:issued|released|put\s+out|shared)\s+(?:a|an|its|the)\s+"
                     r"(?:[a-z-]+\s+){0,2}?(?:statement|press\s+release|communiqu[eé]|handout)\b")
_ISSUED_WORDS = ("issued", "released", "put out", "shared")  # (what _ISSUED begins with)
#: an official body issuing a statement: the header of a press release
_ISSUER = re.compile(
    r"\b(?:(?:the\s+)?ministry\s+of\s+(?:foreign\s+affairs|(?:national\s+)?defen[cs]e|"
    r"interior|information(?:\s+and\s+(?:broadcasting|culture))?)|(?:the\s+)?foreign\s+office|"
    r"inter-services\s+public\s+relations(?:\s+\(ispr\))?|ispr|"
    r"(?:office\s+of\s+the\s+)?spokesm[ae]n\s+(?:of|for)\s+the\s+islamic\s+emirate|"
    r"(?:islamic\s+emirate\s+(?:of\s+afghanistan\s+)?)?ministry\s+of\s+[a-z ]{4,30}?"
    r"(?=[,)\n–-]|\s*$))")
_RELEASE_MARK = re.compile(r"\b(?:press\s+release|press\s+note|handout|communiqu[eé]|"
                           r"statement\s+no|no\.\s*\d)")
#: an outlet that is itself an official body ("Ministry of Foreign Affairs of Pakistan")
_OFFICIAL_OUTLET = re.compile(r"\b(?:ministry|foreign\s+office|inter-services|ispr|"
                              r"spokesm[ae]n|islamic\s+emirate|armed\s+forces|government)\b")
_DETERMINER_A = re.compile(r"(?:(?:the|a|an|two|several)\s+)?")
_OFFICIAL_TITLE = re.compile(r"(?i)\b(?:police|spokesm[ae]n|spokesperson|official|officer|"
                             r"governor|commissioner|administrator|commander|chief|director)\b")
_PARTY_KINDS = frozenset({"party", "outlet", "third", "local", "country"})


@functools.lru_cache(maxsize=4096)
def _official_title(organisation: str) -> bool:
    """Whether a person's organisation is an official's title ("police spokesman")."""
    return _OFFICIAL_TITLE.search(organisation) is not None


_BARE_DEFINITE = re.compile(r"(?i)the\s+(?:officials?|officers?)")
_ARTICLE_A = re.compile(r"^(?:a|an|two|several)\s+", re.IGNORECASE)


@compact_pickle
@dataclass(frozen=True, slots=True)
class Speaker:
    """Who makes a claim; ``key`` says when two sentences have the same speaker."""

    claimant: str | None
    organisation: str | None
    side: str
    start: int | None = None
    end: int | None = None

    @property
    def key(self) -> tuple:
        return (self.claimant, self.organisation if not self.claimant else None, self.side)


@dataclass
class ClaimUnit:
    """Consecutive sentences of one speaker (or one sentence of the report's own)."""

    index: int
    speaker: Speaker
    sentences: list[Sentence]
    narration: bool = False
    figures: list[FigureMention] = field(default_factory=list)
    status: str = "unverified"
    date: dt.date | None = None

    @property
    def start(self) -> int:
        return self.sentences[0].start

    @property
    def end(self) -> int:
        return self.sentences[-1].end

    @property
    def quote(self) -> str:
        return " ".join(s.text for s in self.sentences)

    def statement(self, doc: Document) -> str | None:
        """The words the report puts in quotation marks, if any."""
        quoted = [m.group(1).strip(" ,.") for s in self.sentences
                  for m in _quotations(s.text)]
        return "; ".join(f"\u201c{q}\u201d" for q in quoted if q) or None


#: ``Speaker(...)`` of every field, stored through the slots
_make_speaker = positional_maker(Speaker)


class _Resolver:
    """Turns the entity before a speech verb into a :class:`Speaker`."""

    def __init__(self, doc: Document, entities: list[Entity], outlet: str,
                 places: list | None = None,
                 entities_by: dict[int, list[Entity]] | None = None):
        self.doc = doc
        self.places_by: dict[int, list] = {}
        for p in places or []:
            self.places_by.setdefault(p.sentence, []).append(p)
        self.entities_by = by_sentence(doc, entities) if entities_by is None else entities_by
        self.entities = entities
        self.outlet = outlet
        self.last_person: Entity | None = None
        self.last_party: Entity | None = None
        self.by_head: dict[str, Entity] = {}
        self.resolved: dict[tuple[int, int], Speaker] = {}
        #: the body that issued the report itself (a press release), if any
        self.issuer: Speaker | None = None
        #: the speaker of the last sentence that named a statement, and of the last claim
        self.last_statement: Speaker | None = None
        self.last_speaker: Speaker | None = None

    def note(self, e: Entity) -> None:
        kind = e.kind
        organisation = e.organisation.lower() if e.organisation else ""
        if kind == "person":
            self.last_person = e
        elif kind in _PARTY_KINDS:
            self.last_party = e
        if e.head and kind != "anaphor" and kind != "pronoun":
            self.by_head[e.head] = e
            if "ministry" in organisation:
                self.by_head["ministry"] = e
        if kind == "person" and organisation:
            for word in ("spokesman", "spokesperson", "spokeswoman", "minister", "official"):
                if word in organisation:
                    self.by_head[word] = e

    def resolve(self, e: Entity, sentence: Sentence) -> Speaker | None:
        key = (e.start, e.end)
        speaker = self.resolved.get(key)
        if speaker is not None:  # resolved in its own sentence before
            return speaker
        speaker = self._resolve(e, sentence)
        if speaker is not None and e.kind not in ("pronoun", "anaphor"):
            self.resolved[key] = speaker
        return speaker

    def _resolve(self, e: Entity, sentence: Sentence) -> Speaker | None:
        if e.kind == "pronoun" and e.head in ("they", "it") and self.last_speaker is not None \
                and self.last_speaker.claimant is None:
            # "Taliban officials in Kunar say ... They say 40 soldiers were killed": who spoke
            # last, not the last party named (often the side the speaker accused)
            return self.last_speaker
        if e.kind == "pronoun":
            target = self.last_person if e.head in ("he", "she") else self.last_party
            return self.resolve(target, sentence) if target is not None else None
        if e.kind == "anaphor" and e.head == "statement":
            # "according to the statement", "the statement added": whoever issued it
            said = self.issuer or self.last_statement or self.last_speaker
            if said is not None:
                return said
        if e.kind == "country" and self.issuer is not None and e.side == self.issuer.side:
            return self.issuer  # "Pakistan strongly condemns ..." in its foreign office's release
        if e.kind == "anaphor" and e.head == "source" and "source" not in self.by_head \
                and self.last_speaker is not None:
            return self.last_speaker  # "the source added": the source that spoke last
        if e.kind == "anaphor":
            target = self.by_head.get(e.head or "")
            if target is None and e.head in ("spokesman", "spokesperson"):
                target = self.last_person
            if target is None and e.head in ("official", "officials"):
                target = self.by_head.get("officials") or self.by_head.get("official")
            if target is not None:
                return self.resolve(target, sentence)
            if self.issuer is not None:
                return self.issuer  # "the Ministry" of its own press release
            words = _DETERMINER.sub("", e.text)
            side = self._side_nearby(sentence) or "third_party"
            return _make_speaker(None, words, side, e.start, e.end)
        if e.kind == "local" and _BARE_DEFINITE.fullmatch(e.text):
            # "..., the official added": the official named before ("a senior security
            # official in Wana"), as "the ministry" is the ministry named before
            target = self.by_head.get(e.head or "")
            if target is not None and target.start != e.start:
                return self.resolve(target, sentence)
        local = e.kind == "local" or e.kind == "person" and _official_title(
            e.organisation or "")  # "provincial police spokesman"
        side = e.side if e.side in ("AF", "PK") or (e.side and not local) or (
            e.kind == "person" and e.side == "third_party") else None  # "TTP spokesman X"
        side = side or self._side_nearby(sentence, local=local) or "third_party"
        if e.kind == "person":
            return _make_speaker(e.person, e.organisation, side, e.start, e.end)
        return _make_speaker(None, e.organisation, side, e.start, e.end)

    def _side_nearby(self, sentence: Sentence, local: bool = False) -> str | None:
        """The side of a speaker whose words do not say: the country of the places of the
        sentence (local officials are local to the event), else of its parties."""
        countries = [p.place.country for p in self.places_by.get(sentence.index, ())
                     if p.role == "location"]
        if countries and (local or len(set(countries)) == 1):
            return countries[0]
        if not local:
            for e in self.entities_by.get(sentence.index, ()):
                if e.side in ("AF", "PK"):
                    return e.side
        if countries:
            return countries[0]
        if local:  # "a police officer said": local to the place of the story just before
            for i in range(sentence.index - 1, max(-1, sentence.index - 8), -1):
                before = [p.place.country for p in self.places_by.get(i, ())
                          if p.role in ("location", "dateline")]
                if before:
                    return before[-1]
        return None

    def phrase(self, start: int, end: int, sentence: Sentence) -> Speaker:
        """A speaker named by words no entity covers ("Levies officials", "a police
        officer"): those words, the side they say or else the side of the place."""
        words = _DETERMINER.sub("", " ".join(self.doc.text[start:end].split()))
        words = _ARTICLE_A.sub("", words)
        side = side_of_words(words) or self._side_nearby(sentence, local=True) or \
            "third_party"
        return _make_speaker(None, words, side, start, end)


def _sentence_speaker(doc: Document, sentence: Sentence, entities: list[Entity],
                      resolver: _Resolver, verbs: list[re.Match] | None = None) -> Speaker | None:
    """The speaker of ``sentence`` (``entities``: those that begin in it, in text order;
    ``verbs``: its speech verbs, if looked for already)."""
    if verbs is None:
        verbs = list(doc.scan(_SPEECH, _SPEECH_AT, sentence.start, sentence.end))
    if not verbs:
        return None
    folded = doc.folded
    candidates = entities  # (those that begin in the sentence, in text order)
    datelines = doc.datelines
    words = list(map(_MATCHED, verbs))
    for verb, word in zip(verbs, words, strict=True) if (
            "quoting" in words or "citing" in words) else ():
        if word in _QUOTING:
            # "TOLOnews reported, quoting a source from the Ministry of National Defense":
            # the one quoted, not the outlet
            quoted = [e for e in candidates if 0 <= e.start - verb.end() < 50
                      and e.kind != "pronoun" and e.kind != "outlet"
                      and folded.find(",", verb.end(), e.start) < 0]
            if quoted:
                return resolver.resolve(quoted[0], sentence)
    according = [v for v, w in zip(verbs, words, strict=True) if w[0] == "a" and _according(w)]
    for verb in according:
        if _NO_SOURCE.match(folded, verb.end()):
            continue  # "according to details, ...": the report's own account
        generic = _ACCORDING_PHRASE.match(folded, verb.end())
        if generic:  # "according to sources, ...": those words, not the next party named
            inside = [e for e in candidates if e.start >= generic.start("np")
                      and e.end <= generic.end("np") and e.kind != "pronoun"]
            if inside and inside[-1].start <= generic.start("np") + 4:
                return resolver.resolve(inside[-1], sentence)
            return resolver.phrase(generic.start("np"), generic.end("np"), sentence)
        after = [e for e in candidates if 0 <= e.start - verb.end() < 40 and e.kind != "pronoun"
                 and folded.find(",", verb.end(), e.start) < 0]  # (not past the clause)
        if after:
            return resolver.resolve(after[0], sentence)
    i_break = None  # (whether the sentence has ", but": when first needed)
    for verb, word in zip(verbs, words, strict=True):
        if word[0] == "a" and _according(word) or word in _QUOTING:
            continue
        verb_start = verb.start()
        if word == "saying":
            cited = _CITED_AS.search(folded, max(sentence.start, verb_start - 80), verb_start)
            if cited is not None:  # "Al Jazeera cited a witness as saying": the witness
                inside = [e for e in candidates if cited.start("np") <= e.start < cited.end("np")]
                if inside:
                    return resolver.resolve(inside[0], sentence)
                return resolver.phrase(cited.start("np"), cited.end("np"), sentence)
        # ', said Mujahid.' / '," said the ministry' (not ", told Pajhwok": the audience)
        if word not in _TO_SOMEONE and folded[max(sentence.start, verb_start - 3):verb_start] \
                .rstrip()[-1:] in _INVERTING:
            after = [e for e in candidates if 0 <= e.start - verb.end() <= 6
                     and (_NAME_END.match(folded, e.end, sentence.end)
                          or _NAME_ADJUNCT.match(folded, e.end, sentence.end))]
            if after:
                return resolver.resolve(after[0], sentence)
        lo = max(sentence.start, verb_start - 70)
        final = None
        head = folded[max(lo, verb_start - 40):verb_start].split()
        while head and head[-1] in _AUXILIARIES:
            head.pop()
        if head and _is_speaker_head(head[-1]):  # (most verbs: no regex below)
            comma = max(folded.rfind(",", lo, verb_start), folded.rfind(";", lo, verb_start))
            final = _CLAUSE_SPEAKER.match(folded, comma, verb_start) if comma >= 0 else None
        if final is not None and _SPEAKER_HEAD.search(final.group("np")):
            # "..., wounding a shepherd, Levies officials said": the words between the last
            # comma and the verb are who said it (an entity among them, else the words)
            inside = [e for e in candidates if e.start >= final.start("np")
                      and e.end <= final.end("np") and e.kind != "pronoun"]
            np_start = final.start("np") + len(_DETERMINER_A.match(folded, final.start("np"))
                                               .group(0))
            if inside and inside[-1].start <= np_start:
                return resolver.resolve(inside[-1], sentence)
            # "Levies officials": more words than the entity ("officials") says
            return resolver.phrase(final.start("np"), final.end("np"), sentence)
        before = [e for e in candidates if e.end <= verb_start
                  and not _OBJECT_OF.search(folded, max(sentence.start, e.start - 20), e.start)
                  and not datelines.contains(e.start)]
        if len(before) > 1 and i_break is None:
            i_break = any(folded.find(b, sentence.start, sentence.end) >= 0
                          for b in _BREAK_WORDS)
        if len(before) > 1 and i_break:
            breaks = [b.end() for b in _CLAUSE_BREAK.finditer(folded, sentence.start, verb_start)]
            if breaks and any(e.start >= breaks[-1] for e in before):
                before = [e for e in before if e.start >= breaks[-1]]
        if not before and verb_start - sentence.start <= 40 and head and \
                head[-1] in _OPENING_HEADS:
            # "Sources told TOLOnews ...": a few words opening the sentence, ending in a
            # speaker's head word, none of them an entity
            opening = _OPENING_SPEAKER.fullmatch(folded, sentence.start, verb_start)
            if opening is not None:
                return resolver.phrase(opening.start("np"), opening.end("np"), sentence)
        if before:
            last = before[-1]
            if _POSTPOSED.fullmatch(folded, last.end, verb_start) and _AFTER_CLAUSE.search(
                    folded[max(sentence.start, last.start - 12):last.start]):
                return resolver.resolve(last, sentence)  # "..., officials said"
            first = before[0]
            if first.kind == "local":
                spoke = _spokesman_of(doc, first, candidates, sentence, resolver)
                if spoke is not None:
                    return spoke
            for nxt in before[1:]:
                if nxt.start - first.end <= 12 and _RUN_BY.match(folded, first.end):
                    first = nxt  # "the Taliban-run Bakhtar news agency": the agency
                elif _APPOSITION.fullmatch(folded, first.end, nxt.start) and _COMMA.match(
                        folded[nxt.end:nxt.end + 3]):
                    first = nxt  # "Pakistan's military media wing, ISPR, said": ISPR
                elif nxt.kind == "person" and (_POSSESSIVE.match(folded, first.end) or
                                               _SPACE_ONLY.fullmatch(folded, first.end,
                                                                     nxt.start)) and \
                        nxt.start - first.end <= 30 and first.kind in ("party", "country", "local"):
                    # "The Taliban government's chief spokesman, Zabihullah Mujahid, said":
                    # the spokesman, of the party's side
                    person = resolver.resolve(nxt, sentence)
                    party = resolver.resolve(first, sentence)
                    if person is not None and party is not None:
                        words = " ".join(f"{doc.text[first.start:nxt.start]} "
                                         f"{nxt.organisation or ''}".split()).strip(" ,")
                        return _make_speaker(person.claimant, _ARTICLE_THE.sub("", words),
                                             party.side, first.start, nxt.end)
                    first = nxt
                elif nxt.kind == "person" and nxt.organisation and nxt.start - first.end <= 40 \
                        and folded[first.start:first.end] in nxt.organisation.casefold():
                    first = nxt  # "Deputy Commissioner Chaman Raja Azhar": the man
                break
            return resolver.resolve(first, sentence)
    return None


def _spokesman_of(doc: Document, first: Entity, entities: list[Entity], sentence: Sentence,
                  resolver: _Resolver) -> Speaker | None:
    """"A spokesman for the Frontier Corps", "a spokesperson of the Afghan defence ministry":
    the spokesman, with the side and name of the body after "for" / "of"."""
    if first.kind != "local" or first.head not in _SPOKES:
        return None
    folded = doc.folded
    for e in entities:
        if e.start >= first.end:
            if e.kind in ("party", "third", "country", "outlet") and _FOR_OF.fullmatch(
                    folded, first.end, e.start):
                body = resolver.resolve(e, sentence)
                words = _ARTICLE_A.sub("", " ".join(doc.text[first.start:e.end].split()))
                side = body.side if body is not None else "third_party"
                return _make_speaker(None, words, side, first.start, e.end)
            break
    return None


_SPOKES = frozenset({"spokesman", "spokesmen", "spokesperson", "spokeswoman"})
_FOR_OF = re.compile(r"\s+(?:for|of)\s+(?:the\s+)?")


def _in_statement(doc: Document, sentence: Sentence, entities: list[Entity],
                  resolver: _Resolver) -> Speaker | None:
    """The issuer of "In a statement, the Foreign Office expressed ..." (a sentence without
    a speech verb): the subject of the sentence, or the agent of "issued by", or None."""
    folded = doc.folded
    m = _IN_STATEMENT.search(folded, sentence.start, sentence.end)
    if m is None:
        m = _ISSUED.search(folded, sentence.start, sentence.end)
        if m is None:
            return None
        subjects = [e for e in entities if e.end <= m.start() and e.kind != "pronoun"
                    and not _OBJECT_OF.search(folded, max(sentence.start, e.start - 20), e.start)
                    and not doc.datelines.contains(e.start)]
        return resolver.resolve(subjects[0], sentence) if subjects else None
    if m.group("by"):
        agents = [e for e in entities if m.end() <= e.start < m.end() + 20]
        return resolver.resolve(agents[0], sentence) if agents else None
    subjects = [e for e in entities if (e.end <= m.start() or m.end() <= e.start < m.end() + 60)
                and e.kind != "pronoun"
                and not _OBJECT_OF.search(folded, max(sentence.start, e.start - 20), e.start)
                and not doc.datelines.contains(e.start)]
    return resolver.resolve(subjects[0], sentence) if subjects else None


def _issuer(doc: Document, outlet: str) -> Speaker | None:
    """The official body a report is the statement of: an outlet that is one ("Ministry of
    Foreign Affairs of Pakistan"), or one named in the header of a press release
    ("Ministry of Foreign Affairs, Islamabad / Press Release No. ...") or in the
    parentheses of its dateline ("Kabul, 15 October (Islamic Emirate Ministry of National
    Defence) –"). Its side: the country words of the header, else of the outlet."""
    if outlet and _OFFICIAL_OUTLET.search(outlet.casefold()):
        side = side_of_words(outlet)
        if side in ("AF", "PK"):
            return _make_speaker(None, outlet, side, None, None)
    folded, text = doc.folded, doc.text
    body = next((s for s in doc.sentences if not s.heading), None)
    if body is None:
        return None
    m = None
    if 0 < body.start <= 400 and _RELEASE_MARK.search(folded, 0, body.start):
        m = _ISSUER.search(folded, 0, body.start)
        header = (0, body.start)
    if m is None:
        paren = folded.find("(", body.start, body.start + 60)
        close = folded.find(")", paren, paren + 90) if paren >= 0 else -1
        if close < 0 or not _DATELINE_DASH.match(folded, close + 1):
            return None
        m = _ISSUER.search(folded, paren + 1, close)
        header = (body.start, close + 1)
    if m is None:
        return None
    side = side_of_words(folded[header[0]:header[1]]) or side_of_words(outlet or "")
    if side not in ("AF", "PK"):
        return None
    words = _ARTICLE_THE.sub("", " ".join(text[m.start():m.end()].split()))
    return _make_speaker(None, words, side, m.start(), m.end())


_DATELINE_DASH = re.compile(r"\s*[–—:-]")
_ARTICLE_THE = re.compile(r"^the\s+", re.IGNORECASE)


def _confirmed_by(doc: Document, sentence: Sentence, entities: list[Entity],
                  resolver: _Resolver) -> Speaker | None:
    """The agent of "The casualties were confirmed by a senior security official" (a
    sentence that says who gave the figures of the sentence before it), or None."""
    if not doc.folded.startswith(_CONFIRMED_BY_STARTS, sentence.start):
        return None  # (most sentences: no regular expression tried)
    m = _CONFIRMED_BY.match(doc.folded, sentence.start, sentence.end)
    if m is None:
        return None
    agents = [e for e in entities if m.end() <= e.start < m.end() + 20 and e.kind != "pronoun"]
    if agents:
        return resolver.resolve(agents[0], sentence)
    words_end = clause_end(doc.folded, m.end(), sentence.end)
    stop = doc.folded.find(",", m.end(), words_end)
    return resolver.phrase(m.end(), stop if stop >= 0 else words_end, sentence)


def find_claims(doc: Document, entities: list[Entity], dates: list[DateMention],
                event_sentences: set[int], outlet: str,
                reported_sentences: set[int] | None = None,
                places: list | None = None, *,
                entities_by: dict[int, list[Entity]] | None = None) -> list[ClaimUnit]:
    """Claim units of ``doc`` that carry an event or a figure (see the module docstring).

    ``event_sentences`` have an event mention; ``reported_sentences`` (default: the same)
    have one with its own place or date: only those make a claim of the report's own.
    ``entities_by``: :func:`~.actors.by_sentence` of the entities, if made already.
    """
    reported = event_sentences if reported_sentences is None else reported_sentences
    resolver = _Resolver(doc, entities, outlet, places, entities_by)
    issuer = resolver.issuer = _issuer(doc, outlet)
    entities_by = resolver.entities_by  # sentence -> its entities
    stated = doc.anchor_sentences(_STATEMENT_AT)  # sentences with "statement", "release"...

    # speech verbs and figure words of every sentence, in one pass each
    verbs_of: dict[int, list[re.Match]] = {}
    for sentence, m in doc.scan_sentences(_SPEECH, _SPEECH_AT):
        verbs_of.setdefault(sentence.index, []).append(m)
    with_figures = {sentence.index for sentence, _ in
                    doc.scan_sentences(_FIGURE_CUES, _FIGURE_CUES_AT)}
    dates_by: dict[int, list[DateMention]] = {}
    for d in dates:
        dates_by.setdefault(d.sentence, []).append(d)
    units: list[ClaimUnit] = []
    current: ClaimUnit | None = None
    figures_of: dict[int, list[FigureMention]] = {}
    for sentence in doc.sentences:
        sentence_entities = entities_by.get(sentence.index, [])
        figures = find_figures(doc, sentence) if sentence.index in with_figures else []
        figures_of[sentence.index] = figures
        speaker = None
        if not sentence.heading:
            speaker = _sentence_speaker(doc, sentence, sentence_entities, resolver,
                                        verbs_of.get(sentence.index, []))
            if speaker is None:
                # "The casualties were confirmed by X": X said the sentence before, which
                # the report told as its own
                speaker = _confirmed_by(doc, sentence, sentence_entities, resolver)
                last = units[-1] if units else None
                if (speaker is not None and last is not None and last.narration
                        and last.sentences[-1].index == sentence.index - 1
                        and last.sentences[-1].paragraph == sentence.paragraph):
                    last.speaker, last.narration = speaker, False
                    current = last
            if speaker is None and sentence.index in stated and sentence_entities and (
                    figures or sentence.index in event_sentences or any(
                        doc.folded.find(w, sentence.start, sentence.end) >= 0
                        for w in _ISSUED_WORDS)):
                # (a sentence of neither figures nor events matters only if it says who
                # issued a statement: "The FO issued a statement on Sunday.")
                speaker = _in_statement(doc, sentence, sentence_entities, resolver)
            if speaker is not None:
                resolver.last_speaker = speaker
                if sentence.index in stated:  # (a statement, release, message, post ...)
                    resolver.last_statement = speaker
        for e in sentence_entities:
            resolver.note(e)
        if speaker is not None:
            if (current is not None and not current.narration
                    and current.speaker.key == speaker.key
                    and sentence.index == current.sentences[-1].index + 1):
                current.sentences.append(sentence)
            else:
                current = ClaimUnit(len(units), speaker, [sentence])
                units.append(current)
            continue
        continues = (
            current is not None and not current.narration and not sentence.heading
            and sentence.index == current.sentences[-1].index + 1
            and not doc.search(_IMPERSONAL, _IMPERSONAL_AT, sentence.start, sentence.end)
            and (sentence.paragraph == current.sentences[-1].paragraph
                 and (doc.search(_PASSIVE, _PASSIVE_AT, sentence.start, sentence.end)
                      or next(iter(_quotations(sentence.text)), None) or figures)
                 or sentence.paragraph == current.sentences[-1].paragraph + 1
                 and figures and _ANAPHORIC_START.match(doc.folded, sentence.start))
        )
        if continues:
            current.sentences.append(sentence)
            continue
        current = None
        if not sentence.heading and (figures or sentence.index in reported):
            if issuer is not None:  # a press release: its own words are its issuer's claim
                current = ClaimUnit(len(units), issuer, [sentence])
                units.append(current)
                continue
            narration = ClaimUnit(len(units), Speaker(None, outlet, "third_party"), [sentence],
                                  narration=True)
            units.append(narration)
    for unit in units:
        sentences = unit.sentences
        # (a sentence is in one unit at most: the list of a unit of one sentence is its own)
        unit.figures = (figures_of[sentences[0].index] if len(sentences) == 1
                        else [f for s in sentences for f in figures_of[s.index]])
        for d in dates_by.get(sentences[0].index, ()):
            if d.span.precision == "day":  # (the first of the first sentence)
                unit.date = d.span.start
                break
    _mark_disputes(doc, units)
    with_event = event_sentences.__contains__
    return [u for u in units if u.figures or any(map(with_event, map(_INDEX, u.sentences)))]


_INDEX = operator.attrgetter("index")


_FIGURE_CUES_AT = anchor_group("claims.figure_cues", (
    "kill", "dead", "died", "death", "casualt", "wound", "injur", "captur", "seiz", "destroy",
    "loss", "martyr", "displac", "fled", "alive", "hurt", "harm", "toll", "victim", "shahadat",
    "fatalit", "neutrali", "eliminat", "slain", "perish", "succumb", "bodies"), (
    "among", "sent", "lost", "laid"))
_FIGURE_CUES = re.compile(r"\b(?:kill|dead|died|death|casualt|wound|injur|captur|seiz|destroy|"
                          r"loss|martyr|displac|fled|alive|hurt|harm|toll|victim|shahadat|"
                          r"fatalit|neutrali|eliminat|slain|perish|succumb|bodies|among\s+the|"
                          r"sent\s+to\s+hell|lost\s+(?:their|his|her)\s+lives?|"
                          r"laid\s+down\s+(?:their|his|her)\s+lives?)")


_CASUALTY_KINDS = frozenset({"killed", "wounded", "casualties"})


def _conflicting(a: ClaimUnit, b: ClaimUnit) -> bool:
    for fa in a.figures:
        for fb in b.figures:
            if fa.figure.kind in _CASUALTY_KINDS and fb.figure.kind in _CASUALTY_KINDS:
                sa, sb = fa.figure.subject, fb.figure.subject
                if sa is None or sb is None or sa.casefold() == sb.casefold():
                    return True
    return False


def _bounds_of(f: Figure) -> tuple[float, float]:
    if f.low is None and f.high is None:
        return (0, 0) if f.text and _NONE.match(f.text) \
            else (1, float("inf"))
    return (f.low if f.low is not None else 0,
            f.high if f.high is not None else float("inf"))


@functools.lru_cache(maxsize=4096)
def _head_noun(subject: str) -> str:
    """The last word of a figure's subject, casefolded, without a plural s."""
    return _PLURAL_S.sub("", subject.casefold().split()[-1])


def _figure_keys(unit: ClaimUnit) -> list[tuple[str, str | None, float, float]]:
    """(kind, head noun of the subject or None, low, high bounds) of each figure of a unit:
    what :func:`_keys_contradict` compares (a figure without a subject: any subject)."""
    out = []
    for fm in unit.figures:
        f = fm.figure
        out.append((f.kind, _head_noun(f.subject) if f.subject else None, *_bounds_of(f)))
    return out


def _keys_contradict(a: list[tuple], b: list[tuple]) -> bool:
    for kind1, head1, lo1, hi1 in a:
        for kind2, head2, lo2, hi2 in b:
            if kind1 != kind2 or (head1 is not None and head2 is not None and head1 != head2):
                continue
            if lo1 > hi2 or lo2 > hi1:
                return True
    return False


def _mark_disputes(doc: Document, units: list[ClaimUnit]) -> None:
    """Mark as disputed a claim that a later claim of another side contradicts, by its
    figures or in words (rejected, denied, a contrasting account)."""
    # (the units follow each other in the text: their last sentences increase, and the
    # claims within 12 sentences before one are those from ``lo`` on)
    lasts = [u.sentences[-1].index for u in units]
    sides = [u.speaker.side for u in units]
    keys = [_figure_keys(u) if u.figures else None for u in units]  # (None: nothing to compare)
    disputing = doc.anchor_sentences(_DISPUTE_AT)  # (the sentences _DISPUTE can match in)
    lo = 0
    for i, unit in enumerate(units):
        first, side = unit.sentences[0].index, sides[i]
        while first - lasts[lo] > 12:
            lo += 1
        mine = keys[i]
        if mine is not None:
            for j in range(i - 1, lo - 1, -1):
                theirs = keys[j]
                if theirs is not None and sides[j] != side and _keys_contradict(theirs, mine):
                    units[j].status = "disputed"
        # (most claims have no sentence with a dispute word's anchor: no search)
        if not disputing.isdisjoint(range(first, lasts[i] + 1)) and any(
                doc.search(_DISPUTE, _DISPUTE_AT, s.start, s.end) for s in unit.sentences):
            # the claims of another side before it, nearest first
            candidates = [units[j] for j in range(i - 1, lo - 1, -1) if sides[j] != side
                          and (units[j].figures or not units[j].narration)]
            if candidates:
                conflicting = next((u for u in candidates if _conflicting(u, unit)), None)
                (conflicting or candidates[0]).status = "disputed"
