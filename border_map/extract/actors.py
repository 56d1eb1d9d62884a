"""Who is named in a report: parties, people, outlets, with the side each speaks for.

An :class:`Entity` is a span of the text with a ``side`` (``AF``, ``PK``, ``third_party``
or ``None`` when the words alone do not say), an ``organisation`` label for claims, an
``actor`` label for events (only armed parties: "Pakistani military", "Afghan Taliban
forces", "Tehrik-i-Taliban Pakistan (TTP)") and, for people, the ``person``'s name.

- **parties**: a country word (Pakistan's, Pakistani, Afghan, Afghanistan's, Taliban,
  Islamic Emirate) before up to two qualifiers and a head (ministry, military, forces,
  government, spokesman, military corps in eastern Afghanistan, ...), plus ISPR, the
  TTP, and bare "Taliban";
- **people**: a name after a title ("spokesman Zabihullah Mujahid") or before an
  apposition ("Wahidullah Mohammadi, a spokesman for the military in eastern
  Afghanistan"); later mentions of the surname are the same person;
- **third parties**: outlets (Reuters, Dawn, TOLOnews, ...; state media take their
  state's side), the UN and aid groups, residents, witnesses, doctors, analysts;
- **local officials** ("police in Kurram", "a district official"): the side of the
  country of the place named with them, if any;
- **countries and capitals** as speakers ("Afghanistan rejected", "Islamabad accused"):
  their governments.
"""

from __future__ import annotations

import bisect
import functools
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .._records import compact_pickle, positional_maker
from .anchors import anchor_group, scan, skipped
from .places import PlaceMention
from .text import Document, Spans, occurrences

__all__ = ["Entity", "by_sentence", "find_entities", "new_entity", "side_of",
           "sentence_indices"]

AF_FORCES = "Afghan Taliban forces"
PK_FORCES = "Pakistani military"
TTP = "Tehrik-i-Taliban Pakistan (TTP)"


@compact_pickle
@dataclass(frozen=True, slots=True)
class Entity:
    """A party, person or outlet named in the text."""

    start: int
    end: int
    text: str
    kind: str  # party, person, outlet, third, local, country, anaphor
    side: str | None
    organisation: str | None
    actor: str | None = None
    person: str | None = None
    head: str | None = None


_COUNTRY_WORD = (r"(?P<c>pakistan(?:'s)?|pakistani|afghanistan(?:'s)?|afghan|taliban(?:'s)?|"
                 r"islamic\s+emirate(?:'s)?)")
_QUALIFIER = (r"(?:military|government|regime|interim|caretaker|federal|provincial|army|security|"
              r"border|defen[cs]e|foreign|interior|information|eastern|western|southern|"
              r"northern|local|senior|official|state|administration|media)")
_HEAD = (r"(?P<h>ministry(?:\s+of\s+(?:information(?:\s+and\s+broadcasting)?|defen[cs]e|"
         r"foreign\s+affairs|interior|home\s+affairs))?|foreign\s+office|"
         r"military\s+corps(?:\s+in\s+(?:the\s+)?(?:east|west|north|south)\w*\s+afghanistan)?|"
         r"military(?:\s+circles)?|army|air\s+force|armed\s+forces|security\s+forces|"
         r"border\s+(?:forces|guards|police)|forces|troops|soldiers|fighters|government|regime|"
         r"authorities|administration|officials|spokesm[ae]n|spokesperson|spokeswoman|embassy|"
         r"police|jets|aircraft|warplanes|drones|side|frontier\s+corps|fire|artillery|"
         r"gunships|helicopters|commanders?|leadership|ministers?)")
_PARTY = re.compile(
    r"\b(?P<wing>(?:(?:the|pakistan(?:'s)?)\s+)?(?:(?:military|army)(?:'s|’s)?\s+)(?:media\s+"
    r"(?:affairs\s+)?wing|public\s+relations\s+wing))\b"
    rf"|\b(?:the\s+)?{_COUNTRY_WORD}(?:\s+{_QUALIFIER}){{0,2}}\s+{_HEAD}\b"
    r"|\b(?P<ispr>inter-services\s+public\s+relations(?:\s+\(ispr\))?|ispr)\b"
    r"|\b(?P<ttp>(?:tehr[ei]e?k|tahrik)[\s-]+[ie][\s-]+taliban(?:[\s-]+pakistan)?(?:\s+\(ttp\))?"
    r"|ttp|pakistani\s+taliban|fitna[\s-]+al[\s-]+kh(?:a|w)?w?a?rij)\b"
    r"|\b(?P<fc>frontier\s+corps|pakistan\s+army)\b"
    # "the Foreign Office (FO)", "the Ministry of National Defence": a ministry named
    # without its country (the FO is Pakistan's, the "National Defence" ministry the
    # Islamic Emirate's; any other: the side of its sentence)
    r"|\b(?P<mofa>(?:the\s+)?(?:foreign\s+office(?:\s+\(fo\))?|fo|mofa|ministry\s+of\s+"
    r"(?:foreign\s+affairs|(?:national\s+)?defen[cs]e|interior|information(?:\s+and\s+"
    r"(?:broadcasting|culture))?)(?:\s+\((?:mofa|mod|mond|moi)\))?))\b"
    r"|\b(?:the\s+)?(?P<corps>military\s+(?:corps\s+)?in\s+(?:the\s+)?(?:east|west|north|south)"
    r"\w*\s+afghanistan)\b"
    r"|\b(?P<taliban>taliban|islamic\s+emirate)\b(?!\s*pakistan)"
)
_MILITARY_HEADS = re.compile(
    r"military|army|air\s+force|forces|troops|soldiers|fighters|police|jets|aircraft|warplanes|"
    r"drones|frontier\s+corps|fire|artillery|gunships|helicopters|corps|guards|commanders?")
_OUTLETS = re.compile(
    r"\b(?P<o>Reuters|AFP|Agence France-Presse|(?:the )?Associated Press(?: of Pakistan)?|AP|"
    r"BBC(?: (?:News|Urdu|Pashto))?|Al Jazeera|Dawn|Geo News|(?:The )?Express Tribune|"
    r"The News|TOLOnews|Tolo ?News|Pajhwok(?: Afghan News)?|Khaama(?: Press)?|Ariana News|"
    r"Amu TV|Afghanistan International|VOA|Voice of America|"
    r"Radio Free Europe(?:/Radio Liberty)?|RFE/RL|Radio Azadi|Radio Mashaal|The Nation|"
    r"Samaa(?: TV)?|ARY News|Xinhua|Anadolu(?: Agency)?|The Guardian|(?:The )?New York Times|"
    r"(?:The )?Washington Post|The Diplomat|Bakhtar(?: News Agency)?|"
    r"Radio Television Afghanistan|RTA|PTV|APP)\b")
_STATE_MEDIA = {"bakhtar": "AF", "radio television afghanistan": "AF", "rta": "AF",
                "ptv": "PK", "app": "PK", "associated press of pakistan": "PK"}
_THIRD = re.compile(
    r"\b(?P<t>(?:the )?United Nations(?: [A-Z]\w+){0,4}|UN|U\.N\.|UNAMA|UNHCR|OCHA|UNICEF|ICRC|"
    r"Human Rights Watch|Amnesty International|(?:the )?(?:International Committee of the )?"
    r"Red Cross|Red Crescent|Doctors Without Borders|MSF|"
    r"(?:[Ll]ocal |[Tt]ribal )?(?:[Rr]esidents?|[Vv]illagers?|[Ww]itness(?:es)?|"
    r"[Ee]yewitness(?:es)?|[Ee]lders?|[Ll]ocals|[Tt]raders?|[Dd]octors?|"
    r"[Hh]ospital (?:officials?|sources?|staff)|[Mm]edics?|[Rr]escu(?:ers?|e officials?|"
    r"e workers?)|[Aa]nalysts?|[Oo]bservers?|[Aa]ctivists?|[Aa]id workers?|"
    r"[Tt]ruck drivers?|[Dd]rivers?))\b")
_LOCAL = re.compile(
    r"\b(?:(?:a|an|the|two|three|several)\s+)?"
    r"(?:(?P<c>afghan|pakistani|afghanistan's|pakistan's|taliban's|taliban)\s+)?"
    r"(?:(?:(?:local|district|provincial|police|security|government|senior|tribal|health|"
    r"border|intelligence|military|customs|administration|hospital|official|informed|"
    r"reliable|diplomatic)\s+){1,2}"
    r"(?P<q>officials?|spokesm[ae]n|spokesperson|administrators?|sources?|commanders?|"
    r"officers?)"
    r"|(?P<l>officials?|police\s+chief|police|deputy\s+commissioner|governor|commanders?|"
    r"spokesm[ae]n|spokesperson|spokeswoman))\b")
_ANAPHOR = re.compile(
    r"\b(?:the|this|that|these)\s+(?P<a>ministry|military|army|spokesman|spokesperson|government|"
    r"regime|office|corps|group|agency|outlet|newspaper|channel|statement|police|sources|"
    r"source|official|officials)\b")
_PRONOUN = re.compile(r"\b(?P<p>he|she|they|it)\b(?=\s+(?:\w+\s+)?(?:said|says|say|stated|added|"
                      r"adds|add|claimed|claims?|told|tells?|reported|confirmed|confirms?|"
                      r"announced|denied|denies|deny|rejected|insisted|warned|noted|wrote|"
                      r"writes|posted|quoted|informed|reiterated|recalled|alleged|alleges?|read|reads|"
                      r"conceded|concedes)\b)")

_TITLES = (
    r"spokesm[ae]n", "spokesperson", "spokeswoman", "minister", "official", "commander",
    "governor", "general", r"gen\.", "chief", "director", r"deputy\s+commissioner",
    "commissioner", "head", "leader", "ambassador", "envoy", "adviser", "advisor", "lawmaker",
    "senator", "analyst", "resident", "elder", "doctor", "mayor", "colonel", r"col\.", "major",
    r"maj\.", "brigadier", r"brig\.", "captain", r"capt\.", "lieutenant", r"lt\.", "officer",
    "president", "premier", "chairman", "secretary", "deputy", "mullah", "maulvi", "mawlawi",
    "sheikh", "sepoy", "naik", "havildar", "subedar", r"dr\.?", "sho",
    # the Pakistani police's and administration's titles ("DPO Kurram Muhammad Imran")
    r"assistant\s+commissioner", "dpo", "dsp", "dig", "ig", "dg", "dc", "rpo", "ssp", "sp")


def _by_first_letter(alternatives: tuple[str, ...]) -> str:
    """``(?:a|b|...)`` with the alternatives grouped by their first letter, in their order
    within each group: the same matches (no letter begins two groups, even ignoring case),
    but the engine tries one group at a position instead of every alternative."""
    groups: dict[str, list[str]] = {}
    for alternative in alternatives:
        groups.setdefault(alternative[0], []).append(alternative[1:])
    return "(?:" + "|".join(f"{first}(?:{'|'.join(rest)})" for first, rest in groups.items()) + ")"


_TITLE = _by_first_letter(_TITLES)
_NAME_WORD = r"[A-Z](?:[a-z’'\-]+|\.)"  # (a class first: the engine skips to capitals)
_NAME = rf"(?P<name>{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|(?:ul|al|ud|din)\b)){{1,3}})"
_TITLE_NAME = re.compile(
    # "director of information Najibullah Hassan" (lower-case words only, not "the")
    rf"(?i:\b{_TITLE})(?:\s+(?:of|for)\s+(?!the\b|a\b|an\b)[a-z]+(?:\s+and\s+[a-z]+)?)?"
    rf"\s+(?P<name>{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|(?:ul|al|ud|din)\b)){{0,3}})")
_NAME_APPOSITION = re.compile(
    rf"{_NAME},\s+(?:(?:a|an|the)\s+)?(?P<desc>[^,.;\"“”]{{0,90}}?(?i:{_TITLE})"
    r"[^,.;\"“”]{0,80}?)(?=[,.;]|\s+(?:said|says|told|added|stated|claimed|offered))")
#: The name every _NAME_APPOSITION begins with, read backwards from its comma in the reversed
#: text (a regex that begins with the comma: the engine skips from comma to comma instead of
#: trying a name at every capital letter). Each word reversed: a name word
#: (``[A-Z](?:[a-z’'-]+|.)``) or a particle; the last one (the name's first word) may begin
#: inside a longer word, as a _NAME may.
_REVERSED_NAME_WORD = r"(?:(?:[a-z’'\-]+|\.)[A-Z]|lu|la|du|nid)"
_NAME_BEFORE_COMMA = re.compile(
    rf",(?<=\s,)(?P<name>{_REVERSED_NAME_WORD}(?:\s+{_REVERSED_NAME_WORD}){{1,3}})")
_DESC_END = re.compile(r"[,.;\"“”]")
_TITLE_ANYWHERE = re.compile(rf"(?i:{_TITLE})")
#: The same on ASCII text in small letters (far faster than ignoring case)
_TITLE_ANYWHERE_LOWER = re.compile(_TITLE)
_TITLE_COMMA_NAME = re.compile(
    rf"(?i:\b{_TITLE})(?:\s+(?:for|of|to)\s+[^,.;\"“”]{{1,40}}?)?,\s+{_NAME},")
#: a name right after a place (two to four words): see _people
_PLACE_THEN_NAME = re.compile(
    rf"\s(?P<name>{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|(?:ul|al|ud|din)\b)){{1,3}})")
#: a title ending just before a place ("Deputy Commissioner ", "spokesman for ")
_TITLE_BEFORE_PLACE = re.compile(rf"(?i:\b{_TITLE})(?:\s+(?:for|of|in))?\s+$")
#: The tokens each rule's matches begin with (see :func:`~.anchors.anchor_group`).
_PARTY_AT = anchor_group("actors.party", ("tehr",), (
    "pakistan", "pakistani", "afghanistan", "afghan", "taliban", "islamic", "inter", "ispr",
    "tahrik", "ttp", "frontier", "military", "army", "foreign", "fo", "mofa", "ministry",
    "fitna"),
    leads={"the": ("pakistan", "afghan", "taliban", "islamic", "military", "army", "foreign",
                   "fo", "mofa", "ministry")})
_OUTLETS_AT = anchor_group("actors.outlets", words=(
    "reuters", "afp", "agence", "associated", "ap", "bbc", "al", "dawn", "geo", "express",
    "tolonews", "tolo", "pajhwok", "khaama", "ariana", "amu", "afghanistan", "voa", "voice",
    "radio", "rfe", "samaa", "ary", "xinhua", "anadolu", "new", "washington", "bakhtar", "rta",
    "ptv", "app"), leads={"the": (
        "associated", "express", "news", "nation", "guardian", "new", "washington",
        "diplomat")})
_THIRD_AT = anchor_group("actors.third", (
    "resident", "villager", "witness", "eyewitness", "elder", "local", "trader", "doctor",
    "hospital", "medic", "rescu", "analyst", "observer", "activist", "aid", "truck", "driver",
    "tribal"), (
    "united", "un", "u", "unama", "unhcr", "ocha", "unicef", "icrc", "human", "amnesty",
    "international", "red", "msf"), leads={"the": ("united", "international", "red")})
_LOCAL_HEADS = (
    "afghan", "pakistan", "taliban", "local", "district", "provincial", "police", "security",
    "government", "senior", "tribal", "health", "border", "intelligence", "military", "customs",
    "administration", "hospital", "official", "deputy", "governor", "commander", "informed",
    "reliable", "diplomatic", "spokesman", "spokesmen", "spokesperson", "spokeswoman")
_LOCAL_AT = anchor_group("actors.local", words=(
    "afghan", "pakistani", "afghanistan", "pakistan", "taliban", "local", "district",
    "provincial", "police", "security", "government", "senior", "tribal", "health", "border",
    "intelligence", "military", "customs", "administration", "hospital", "official",
    "officials", "deputy", "governor", "commander", "commanders", "informed", "reliable",
    "diplomatic", "spokesman", "spokesmen", "spokesperson", "spokeswoman"), leads=dict.fromkeys(
    ("a", "an", "the", "two", "three", "several"), _LOCAL_HEADS))
_ANAPHOR_AT = anchor_group("actors.anaphor", leads=dict.fromkeys(
    ("the", "this", "that", "these"), (
        "ministry", "military", "army", "spokesman", "spokesperson", "government", "regime",
        "office", "corps", "group", "agency", "outlet", "newspaper", "channel", "statement",
        "police", "sources", "source", "official")))
_PRONOUN_AT = anchor_group("actors.pronoun", words=("he", "she", "they", "it"))
#: the titles of _TITLE, each a whole token ("gen." is "gen", then a full stop)
_TITLE_AT = anchor_group("actors.title", words=(
    "spokesman", "spokesmen", "spokesperson", "spokeswoman", "minister", "official",
    "commander", "governor", "general", "gen", "chief", "director", "deputy", "commissioner",
    "head", "leader", "ambassador", "envoy", "adviser", "advisor", "lawmaker", "senator",
    "analyst", "resident", "elder", "doctor", "mayor", "colonel", "col", "major", "maj",
    "brigadier", "brig", "captain", "capt", "lieutenant", "lt", "officer", "president",
    "premier", "chairman", "secretary", "mullah", "maulvi", "mawlawi", "sheikh", "sepoy",
    "naik", "havildar", "subedar", "dr", "sho", "assistant", "dpo", "dsp", "dig", "ig", "dg",
    "dc", "rpo", "ssp", "sp"))

_NOT_NAME_WORDS = frozenset({
    "the", "a", "an", "taliban", "pakistan", "pakistani", "afghan", "afghanistan", "ministry",
    "information", "government", "army", "military", "islamic", "emirate", "defence", "defense",
    "foreign", "office", "interior", "minister", "spokesman", "general", "border", "police",
    "provincial", "district", "on", "in", "at", "of", "said", "says", "and", "but", "however",
    "meanwhile", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "khyber", "durand", "line", "x", "frontier", "corps"
})


_CAP = r"(?:[A-Z][\w&'’.-]*|for|of|and|on|the)"
_INSTITUTION_HEAD = re.compile(
    r"\b(?:Institute|Centre|Center|Council|Commission|Foundation|Forum|Network|Monitor|"
    r"Observatory|Project|Watch|Committee|Society|Bureau|Mission|University|Database|Tracker)\b")
_INSTITUTION_AT = anchor_group("actors.institution", words=(
    "institute", "centre", "center", "council", "commission", "foundation", "forum", "network",
    "monitor", "observatory", "project", "watch", "committee", "society", "bureau", "mission",
    "university", "database", "tracker"))
_INSTITUTION_BEFORE = re.compile(r"\b[A-Z][\w&'’.-]*(?:[ \t]+" + _CAP + r"){0,5}?[ \t]+$")
_INSTITUTION_AFTER = re.compile(r"[ \t]+(?:for|of|on)(?:[ \t]+" + _CAP + r"){1,5}\b")
_SECURITY_SOURCES = re.compile(r"(?:the\s+)?security\s+(?:sources|officials?)\b")
_THIRD_SIDE = re.compile(r"pakistani\s+taliban|tehr[ei]e?k|\bttp\b")
_AF_SIDE = re.compile(r"\b(?:taliban|afghan\w*|kabul|islamic\s+emirate|bakhtar)\b")
_PK_SIDE = re.compile(
    r"\b(?:pakistan\w*|islamabad|ispr|inter-services|rawalpindi|frontier\s+corps|"
    r"foreign\s+office|fo)\b")
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_PAKISTANI_BEFORE = re.compile(r"pakistani\s+$")


@functools.lru_cache(maxsize=4096)
def side_of(text: str) -> str | None:
    """AF, PK or None from the country words in an organisation or title phrase."""
    t = text.lower()
    if _THIRD_SIDE.search(t):
        return "third_party"
    if _AF_SIDE.search(t):
        return "AF"
    if _PK_SIDE.search(t):
        return "PK"
    return None


@functools.lru_cache(maxsize=4096)
def _clean(text: str) -> str:
    text = " ".join(text.split())
    return _ARTICLE.sub("", text)


#: ``Entity(start, end, text, kind, side, organisation, actor=None, person=None,
#: head=None)``, stored through the slots (a long report names thousands)
new_entity = positional_maker(Entity)
new_entity.__defaults__ = (None, None, None)
_START = operator.attrgetter("start")


def find_entities(doc: Document, places: list[PlaceMention]) -> list[Entity]:
    """Every party, person, outlet and third party named in ``doc``, in text order."""
    text, folded = doc.text, doc.folded
    found: list[Entity] = []
    for m in doc.scan(_PARTY, _PARTY_AT):
        start, end = m.span()
        words = _clean(text[start:end])
        wing, ispr, ttp, fc, mofa, corps, taliban = m.group(
            "wing", "ispr", "ttp", "fc", "mofa", "corps", "taliban")
        if ispr or wing:
            found.append(new_entity(start, end, words, "party", "PK",
                                    "Inter-Services Public Relations (ISPR)", PK_FORCES,
                                    head="military"))
        elif ttp:
            found.append(new_entity(start, end, words, "party", "third_party", TTP, TTP))
        elif fc:
            found.append(new_entity(start, end, words, "party", "PK", words, PK_FORCES,
                                    head="military"))
        elif mofa:
            office = folded[m.start("mofa"):m.end("mofa")]
            side = "AF" if "national" in office else (
                "PK" if "office" in office or office.startswith(("fo", "the fo")) else None)
            found.append(new_entity(start, end, words, "party", side, words,
                                    head="office" if "office" in office else "ministry"))
        elif corps:
            found.append(new_entity(start, end, words, "party", "AF", words, AF_FORCES,
                                    head="corps"))
        elif taliban:
            before = folded[max(0, start - 12):start]
            if _PAKISTANI_BEFORE.search(before):
                continue
            found.append(new_entity(start, end, words, "party", "AF", words, AF_FORCES,
                                    head="taliban"))
        else:
            side = side_of(m.group("c"))
            head, military = _party_head(m.group("h"))
            actor = (AF_FORCES if side == "AF" else PK_FORCES) if military else None
            found.append(new_entity(start, end, words, "party", side, words, actor,
                                    head=head))
    for m in doc.scan(_OUTLETS, _OUTLETS_AT, original=True):
        name = m.group("o")
        side = _STATE_MEDIA.get(_clean(name).lower(), "third_party")
        found.append(new_entity(m.start(), m.end(), name, "outlet", side, _clean(name)))
    for m in doc.scan(_THIRD, _THIRD_AT, original=True):
        found.append(new_entity(m.start(), m.end(), m.group("t"), "third", "third_party",
                            _clean(m.group("t"))))
    for at in doc.anchors(_INSTITUTION_AT):
        # "the Pakistan Institute for Peace Studies", "the UN Assistance Mission": a third
        # party, not the government of the country in its name
        head = _INSTITUTION_HEAD.match(text, at)
        if head is None:  # (not capitalised)
            continue
        before = _INSTITUTION_BEFORE.search(text, max(0, head.start() - 80), head.start())
        if before is None:
            continue
        after = _INSTITUTION_AFTER.match(text, head.end())
        end = after.end() if after else head.end()
        name = _clean(text[before.start():end])
        found.append(new_entity(before.start(), end, name, "third", "third_party", name))
    found.extend(_people(doc, places))
    starts = [p.start for p in places]
    for m in doc.scan(_LOCAL, _LOCAL_AT):
        start = m.start()
        country, q, lone = m.group("c", "q", "l")
        if lone and lone.startswith("spokes") and \
                folded.startswith(("the ", "this ", "that "), start):
            continue  # "the spokesman": the one named before (an anaphor)
        words = text[start:m.end()].rstrip()
        side = side_of(country) if country else _local_side(m, places, starts)
        if side is None and _SECURITY_SOURCES.match(folded, start):
            side = "PK"  # "security sources said": the Pakistani press's usage
        found.append(new_entity(start, start + len(words), words, "local", side,
                                _clean(words), head=(q or lone).split()[0]))
    for mention in places:
        if mention.role in ("country", "actor"):
            side = mention.place.country
            label = ("Government of Afghanistan" if side == "AF" else "Government of Pakistan")
            found.append(new_entity(mention.start, mention.end, mention.text, "country", side,
                                    label))
    for m in doc.scan(_ANAPHOR, _ANAPHOR_AT):
        found.append(new_entity(m.start(), m.end(), text[m.start():m.end()], "anaphor", None, None,
                            head=m.group("a")))
    for m in doc.scan(_PRONOUN, _PRONOUN_AT):
        found.append(new_entity(m.start(), m.end(), text[m.start():m.end()], "pronoun", None, None,
                            head=m.group("p")))
    return _without_overlaps(found)


@functools.lru_cache(maxsize=1024)
def _party_head(words: str) -> tuple[str, bool]:
    """The first word of a party's head ("military corps in eastern Afghanistan":
    "military") and whether the head names armed men."""
    head = " ".join(words.split())
    military = bool(_MILITARY_HEADS.fullmatch(head.split()[0]) or
                    _MILITARY_HEADS.match(head)) and head != "side"
    return head.split()[0], military


def by_sentence(doc: Document, entities: list[Entity]) -> dict[int, list[Entity]]:
    """The entities that begin in each sentence (by its index; in the order given), those
    between sentences left out: what the events and the claims look up, made once."""
    out: dict[int, list[Entity]] = {}
    for e, i in zip(entities, sentence_indices(doc, entities), strict=True):
        if i is not None:
            out.setdefault(i, []).append(e)
    return out


def sentence_indices(doc: Document, entities: list[Entity]) -> list[int | None]:
    """The index of the sentence each entity begins in (None: between sentences), as
    ``doc.sentence_at(e.start)`` finds it, in one walk over the sentences when the entities
    are in text order (as :func:`find_entities` returns them)."""
    sentences = doc.sentences
    n = len(sentences)
    out: list[int | None] = []
    k = last = 0
    for e in entities:
        p = e.start
        if p < last:  # not in text order: from the first sentence again
            k = 0
        last = p
        while k < n and sentences[k].end <= p:
            k += 1
        out.append(sentences[k].index if k < n and sentences[k].start <= p else None)
    return out


_KIND_PRIORITY = {"person": 0, "outlet": 1, "party": 2, "third": 3, "country": 4, "local": 5,
                  "anaphor": 6, "pronoun": 7}


def _without_overlaps(found: list[Entity]) -> list[Entity]:
    """``found`` in text order without the entities that overlap one of a higher priority
    (kind, then the longer, then the earlier). Only the entities of a run that overlap
    each other one after the other (a cluster) can take each other's place: each cluster
    is settled alone, and most entities are alone in theirs."""
    found.sort(key=_START)
    kept: list[Entity] = []
    cluster: list[Entity] = []
    reach = -1  # the end of the cluster so far
    for e in found:
        if e.end <= e.start:  # (no rule finds one, but it would overlap what holds it)
            return _settled(found)
        if e.start < reach:
            cluster.append(e)
            if e.end > reach:
                reach = e.end
            continue
        if len(cluster) > 1:
            kept += _settled(cluster)
        else:
            kept += cluster
        cluster = [e]
        reach = e.end
    if len(cluster) > 1:
        kept += _settled(cluster)
    else:
        kept += cluster
    return kept


def _settled(cluster: list[Entity]) -> list[Entity]:
    """The entities of ``cluster`` kept by priority, in text order."""
    cluster.sort(key=lambda e: (_KIND_PRIORITY[e.kind], -(e.end - e.start), e.start))
    taken = Spans()
    kept = []
    for e in cluster:
        if taken.overlaps(e.start, e.end):
            continue
        taken.add(e.start, e.end)
        kept.append(e)
    kept.sort(key=_START)
    return kept


def _local_side(m: re.Match, places: list[PlaceMention], starts: list[int]) -> str | None:
    i = bisect.bisect_left(starts, m.end() - 2)
    while i < len(places) and places[i].start <= m.end() + 30:
        if places[i].role == "location":
            return places[i].place.country
        i += 1
    return None


def _people(doc: Document, places: list[PlaceMention]) -> list[Entity]:
    text = doc.text
    in_place: Callable[[int], bool] | None = None  # (made when a name needs it)
    place_starts: list[int] | None = [p.start for p in places]
    if any(a > b for a, b in zip(place_starts, place_starts[1:], strict=False)):
        place_starts = None  # not in text order
    taken = Spans()

    def keep(entity: Entity) -> None:
        found.append(entity)
        if not taken.overlaps(entity.start, entity.end):
            taken.add(entity.start, entity.end)
    people: dict[str, tuple[str, str | None]] = {}  # full name -> (organisation, side)
    found: list[Entity] = []

    def good_name(name: str, start: int) -> bool:
        words = name.split()
        nonlocal in_place
        if any(w.lower().strip(".") in _NOT_NAME_WORDS for w in words):
            return False
        if in_place is None:
            in_place = _in_place(places, place_starts)
        return not in_place(start)

    for m in doc.scan(_TITLE_COMMA_NAME, _TITLE_AT, original=True):
        name = m.group("name")
        if not good_name(name, m.start("name")) or any(
                e.start <= m.start("name") < e.end for e in found[-3:]) or taken.contains(
                m.start("name")):
            continue
        start = _title_phrase_start(text, m.start())
        desc = _clean(text[start:m.start("name")].rstrip(" ,"))
        side = side_of(desc) or _side_from_places(start, m.end(), places, place_starts)
        people.setdefault(name, (desc, side))
        keep(new_entity(start, m.end("name"), text[start:m.end("name")], "person", side,
                            desc, person=name))
    # "Deputy Commissioner Chaman Raja Azhar Abbasi", "spokesman for Kandahar Ataullah
    # Zaid" (the Urdu press's order): a title, the place it is the title of, then the name
    for p in _places_after_titles(doc, places, place_starts):
        after = p.end + 1
        if after >= len(text) or text[p.end] != " " or not "A" <= text[after] <= "Z":
            continue
        m = _PLACE_THEN_NAME.match(text, p.end)
        if m is None or not good_name(m.group("name"), m.start("name")):
            continue
        title = _TITLE_BEFORE_PLACE.search(text, max(0, p.start - 45), p.start)
        if title is None or taken.contains(m.start("name")):
            continue
        name = m.group("name")
        start = _title_phrase_start(text, title.start())
        desc = _clean(text[start:p.end])
        side = side_of(desc) or p.place.country
        people.setdefault(name, (desc, side))
        # (the name alone: the title and its place stay what they were, a local official
        # and the place of the story)
        keep(new_entity(m.start("name"), m.end(), name, "person", side, desc, person=name))
    for m in doc.scan(_TITLE_NAME, _TITLE_AT, original=True):
        name = m.group("name")
        if not good_name(name, m.start("name")) or any(
                e.start <= m.start("name") < e.end for e in found[-3:]) or taken.contains(
                m.start("name")):
            continue
        start = _title_phrase_start(text, m.start())
        desc = _clean(text[start:m.start("name")])
        side = side_of(desc) or _side_from_places(start, m.end(), places, place_starts)
        people.setdefault(name, (desc, side))
        keep(new_entity(start, m.end(), text[start:m.end()], "person", side, desc,
                            person=name))
    for m in _appositions(text):
        name = m.group("name")
        if not good_name(name, m.start("name")) or any(
                e.start <= m.start() < e.end for e in found[-3:]) or taken.contains(m.start()):
            continue
        desc = _clean(m.group("desc"))
        side = side_of(desc) or _side_from_places(m.start("desc"), m.end("desc"), places,
                                                      place_starts)
        people.setdefault(name, (desc, side))
        keep(new_entity(m.start(), m.end(), text[m.start():m.end()], "person", side, desc,
                            person=name))
    # later mentions of a known person by surname (or full name)
    surname_of = {}
    for name in people:
        parts = [p for p in name.split() if len(p) > 2 and p[0].isupper()]
        if parts:
            surname_of[name] = parts[-1]
    surnames = _offsets(text, set(surname_of.values()))  # surname -> its offsets
    for name, surname in surname_of.items():
        desc, side = people[name]
        names = tuple({name, surname})
        at = surnames[surname]
        # the full name's offsets: where its surname is, as far into it as in the name
        k = name.rfind(surname)
        starts = sorted({*at, *(q - k for q in at if q >= k and text.startswith(name, q - k))})
        for m in scan(_name_regex(names), text, starts):
            if taken.contains(m.start()):
                continue
            keep(new_entity(m.start(), m.end(), m.group(0), "person", side, desc,
                                person=name))
    return found


def _offsets(text: str, words: set[str]) -> dict[str, list[int]]:
    """``occurrences(text, (word,))`` of each of ``words``, from one search for them all
    (the longest first) instead of one search each: a word that begins inside a word
    found (or where it begins) is looked for there."""
    if len(words) < 2:
        return {w: occurrences(text, (w,)) for w in words}
    # for each word, the other words (or itself) that can begin k characters into it
    inside = {a: [(k, b) for b in words for k in range(len(a))
                  if (k or a != b) and a[k:k + len(b)] == b[:len(a) - k]] for a in words}
    found: dict[str, list[int]] = {w: [] for w in words}
    for m in re.finditer("|".join(map(re.escape, sorted(words, key=len, reverse=True))),
                         text):
        word, p = m.group(), m.start()
        found[word].append(p)
        for k, other in inside[word]:
            if text.startswith(other, p + k):
                found[other].append(p + k)
    for offsets in found.values():
        offsets.sort()
    return found


def _in_place(places: list[PlaceMention], starts: list[int] | None) -> Callable[[int], bool]:
    """``Spans(<the spans of places>).contains``, from the places' own starts and ends when
    they are in text order (``starts``) and none is empty or overlaps the next (as
    :func:`find_places` returns them): then every span is one of the Spans."""
    if starts is not None:
        ends = [p.end for p in places]
        if all(map(operator.lt, starts, ends)) and all(map(operator.le, ends, starts[1:])):
            def contains(pos: int) -> bool:
                i = bisect.bisect_right(starts, pos)
                return i > 0 and ends[i - 1] > pos
            return contains
    return Spans((p.start, p.end) for p in places).contains


def _places_after_titles(doc: Document, places: list[PlaceMention],
                         starts: list[int] | None) -> Iterable[PlaceMention]:
    """The places that begin within 30 characters after a title's first letter (where
    "Deputy Commissioner Chaman ..." can be), found from the titles (fewer than places)."""
    if starts is None:  # (not in text order)
        return places
    out = []
    n = len(starts)
    for a in doc.anchors(_TITLE_AT):
        i = bisect.bisect_left(starts, a + 2)
        while i < n and starts[i] <= a + 30:
            if not out or out[-1] is not places[i]:
                out.append(places[i])
            i += 1
    return out




@functools.lru_cache(maxsize=1024)
def _name_regex(names: tuple[str, ...]) -> re.Pattern:
    """r"\b(?:name|surname)\b", written so that the engine can look for the names' first
    letters instead of trying every position: each name (it begins with a capital)
    followed by a look back at the character before it."""
    return re.compile("(?:" + "|".join(rf"{re.escape(n)}(?<!\w{re.escape(n)})"
                                       for n in names) + r")\b")


def _appositions(text: str) -> Iterable[re.Match]:
    """``_NAME_APPOSITION.finditer(text)``, tried only where a name followed by a comma and
    white space (the beginning of every apposition) can begin: at every capital letter of
    the longest run of name words before each such comma (``_NAME_BEFORE_COMMA``, a
    superset: a later name may begin inside an earlier one)."""
    starts = []
    n = len(text)
    for m in _NAME_BEFORE_COMMA.finditer(text[::-1]):
        comma = n - m.start()  # (offsets in the text itself)
        name = n - m.end("name")
        # the description must hold a title before the next , . ; or quote (a title may end
        # with a full stop: "Gen."): without one, no apposition begins in this name
        stop = _DESC_END.search(text, comma + 1)
        desc = text[comma + 1:stop.start() + 1 if stop else n]
        if (_TITLE_ANYWHERE_LOWER.search(desc.lower()) if desc.isascii()
                else _TITLE_ANYWHERE.search(desc)):
            starts.extend(name + i for i, ch in enumerate(text[name:comma])
                          if "A" <= ch <= "Z")
    if not starts:
        skipped(_NAME_APPOSITION, text)
        return ()
    starts.sort()  # (found from the end of the text)
    return scan(_NAME_APPOSITION, text, starts)


_WORDS = re.compile(r"[\w’'-]+")


#: Everything up to the last full stop, line break, ... of what it is matched on.
_LAST_STOP = re.compile(r".*[.\n!?;:,\"“”(]", re.DOTALL)


def _title_phrase_start(text: str, title_start: int) -> int:
    """Start of the words qualifying a title: "Taliban government spokesman"."""
    start = title_start
    base = max(0, title_start - 60)
    stop = _LAST_STOP.match(text, base, title_start)  # (one match, not a find per character)
    if stop is not None:
        base = stop.end()
    words = list(_WORDS.finditer(text, base, title_start))
    for w in reversed(words[-4:]):
        word = w.group(0)
        if word[0].isupper() or word.lower() in ("government", "military", "army", "defence",
                                                  "defense", "foreign", "information",
                                                  "interior", "provincial", "district",
                                                  "police", "border", "deputy", "chief",
                                                  "senior", "regional", "corps", "regime"):
            if word.lower() in ("the", "a", "an", "on", "in", "and", "but", "however"):
                break
            start = w.start()
        else:
            break
    return start


def _side_from_places(start: int, end: int, places: list[PlaceMention],
                      starts: list[int] | None = None) -> str | None:
    """The country of the first place of ``places`` from ``start`` to 40 characters after
    ``end`` (``starts``: the sorted starts of ``places``, to skip those before ``start``)."""
    if starts is None:
        for p in places:
            if start <= p.start < end + 40 and p.role in ("location", "country"):
                return p.place.country
        return None
    for i in range(bisect.bisect_left(starts, start), len(places)):
        p = places[i]
        if p.start >= end + 40:
            break
        if p.role in ("location", "country"):
            return p.place.country
    return None
