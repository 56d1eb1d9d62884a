"""Figures of claims, in the report's own words (see :mod:`.claims` for who claims them).

Figures keep the words ("at least 70 fighters", "numerous soldiers", "no casualties") and
give numbers only where the words do: "at least 70" is low 70; "over 70" low 71; "nearly
70" high 69; "up to 70" high 70; "10 to 15" and "twenty-five to thirty" are ranges; "no
casualties" and "no loss of life" 0; "about 70", "dozens", "numerous" give no number at
all. "Martyred", "the martyrdom of", "embraced shahadat", "sent to hell" are killed;
"injuries to", "sustained injuries" wounded.
"""

from __future__ import annotations

import functools
import operator
import re
from dataclasses import dataclass

from .._records import compact_pickle, positional_maker
from ..incidents import Figure
from . import anchors as _anchors
from .anchors import anchor_group, skipped
from .text import Document, Sentence

_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "a dozen": 12, "a hundred": 100,
    "one hundred": 100,
}
_TENS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
_UNITS = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_QUAL = (r"(?P<qual>at\s+least|more\s+than|over|above|nearly|almost|close\s+to|about|around|"
         r"approximately|roughly|some|up\s+to|as\s+many\s+as|fewer\s+than|less\s+than|under|"
         r"only|just|a\s+total\s+of)\s+")
_NUM = (rf"(?P<num>\d{{1,3}}(?:,\d{{3}})+|\d+|{_TENS}(?:[\s-]{_UNITS})?|eleven|twelve|"
        r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|ten|one\s+hundred|"
        rf"a\s+hundred|a\s+dozen|{_UNITS}|an?)")
_WORD_NUM = (rf"(?:{_TENS}(?:[\s-]{_UNITS})?|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
             rf"seventeen|eighteen|nineteen|ten|{_UNITS})")
_RANGE = (rf"(?P<range>(?:between\s+)?(?P<lo>\d+|{_WORD_NUM})\s*(?:-|–|to|and)\s*"
          rf"(?P<hi>\d+|{_WORD_NUM}))")
_VAGUE = (r"(?P<vague>dozens|scores|hundreds|thousands|several|numerous|multiple|many|"
          r"a\s+number\s+of|a\s+few|some|few|heavy|huge|massive|significant|considerable|"
          r"large\s+numbers?\s+of|no)")
_QTY = rf"(?:{_QUAL})?(?:{_RANGE}|{_NUM}|{_VAGUE}(?:\s+of)?)"
_MOD_WORDS = (
    "enemy", "pakistani", "afghan", "taliban", "security", "military", "border", "militant",
    "innocent", "more", "other", "civilian", "army", "paramilitary", "police", "tribal", "local",
    "armed", "suspected", "alleged", "unarmed", "frontier", "corps", "fc", "ttp", "khawarij",
    "foreign", "regime", "government", "opposing", "rival", "hostile", "young", "elderly",
    "injured", "wounded")
_MOD = (rf"(?:\s+(?:{'|'.join(_MOD_WORDS)}|"
        r"of\s+(?:their|its|our|the)\s+own|of\s+(?:our|their|its|his|the)))*")
_PEOPLE = (r"(?:fighters?|militants?|terrorists?|insurgents?|soldiers?|troops|personnel|"
           r"servicemen|civilians?|people|persons?|men|women|woman|children|child|policem[ae]n|"
           r"police|officers?|guards?|members?|attackers?|taliban|khawarij|khwarij|combatants?|"
           r"villagers?|residents?|passengers?|workers?|labou?rers?|others|individuals?|man|"
           r"shopkeepers?|boys?|girls?|famil(?:y|ies)|mujahideen|mujahids?|traders?|drivers?|"
           r"farmers?|shepherds?|students?|pilgrims?|refugees?|migrants?|returnees?|"
           r"family\s+members)")
_POSTS = (r"(?:(?:out)?posts?|check\s*-?\s*posts?|checkpoints?|positions?|bases?|pickets?|"
          r"bunkers?)")
_EQUIP = (r"(?:tanks?|(?:armou?red\s+)?vehicles?|equipment|weapons|(?:artillery\s+)?guns|"
          r"(?:ammunition\s+)?depots?|drones?|launchers?)")
_NOUN = rf"(?P<noun>{_PEOPLE}|{_POSTS}|{_EQUIP})"

_V_KILLED = (r"killed|kill|killing|dead|died|deaths?|lost\s+their\s+lives|martyred|martyring|slain|"
             r"sent\s+to\s+hell|became\s+martyrs?|attained\s+martyrdom|laid\s+down\s+their\s+lives|"
             r"embraced\s+martyrdom|embraced\s+shahadat|"
             r"eliminated|neutrali[sz]ed|perished|bodies|succumbed")
_V_WOUNDED = r"wounded|wounding|injured|injuring|hurt|injuries"
_V_CAPTURED = (r"captured(?:\s+alive)?|capturing|arrested|detained|taken\s+(?:prisoner|captive|"
               r"alive)|held\s+captive")
_V_SEIZED = r"seized|seizing|overr[au]n|taken\s+over|took\s+over|fell|stormed|captured|capturing"
_V_DESTROYED = (r"destroyed|destroying|demolished|razed|torched|set\s+(?:ablaze|on\s+fire)|"
                r"damaged|burnt|burned|wrecked")
_V_DISPLACED = r"displaced|fled|evacuated|forced\s+from\s+their\s+homes|uprooted"
_VERB = (rf"(?P<verb>{_V_KILLED}|{_V_WOUNDED}|{_V_CAPTURED}|{_V_SEIZED}|{_V_DESTROYED}|"
         rf"{_V_DISPLACED}|casualties|losses)")

_A = re.compile(rf"\b(?P<core>{_QTY}{_MOD}\s+{_NOUN})\b")
_B = re.compile(rf"\b{_VERB}(?:\s+[a-z'-]+){{0,3}}?\s+[\"“‘']?(?P<core>{_QTY}{_MOD}\s+{_NOUN})\b")
_OWN_VERB = re.compile(rf"\s*(?:were\s+|was\s+|had\s+been\s+|have\s+been\s+|had\s+|have\s+|"
                       rf"got\s+)?"
                       rf"(?:(?:sustained|suffered|received)\s+)?{_VERB}\b")
_C = re.compile(rf"\b(?P<core>{_QTY}\s+(?:more\s+)?(?P<kindnoun>casualties|deaths|dead|killed|"
                r"injured|wounded|losses|fatalities|injuries|martyrs|captured))\b")
_C2 = re.compile(rf"\b(?P<core>{_QTY})(?:\s+of\s+(?:them|these|those))?\s+(?:(?:more|others?)\s+)?"
                 r"(?:were|was|have\s+been|"
                 r"had\s+been|are|got|sustained|received|suffered)\s+(?:also\s+)?"
                 r"(?P<kindnoun>killed|wounded|injured|captured|martyred|hurt|detained|arrested|"
                 r"injuries)\b")
_D = re.compile(rf"\b(?:deaths?|killing|lives|martyrdom)\s+of\s+(?P<core>{_QTY}{_MOD}\s+{_NOUN})\b")
#: "injury to 12 others", "injuries to nine people"
_D3 = re.compile(rf"\b(?:injur(?:y|ies)|wounds?)\s+(?:to|of)\s+(?P<core>{_QTY}{_MOD}\s+{_NOUN})\b")
_D2 = re.compile(rf"\bdeath\s+toll\s+(?:\w+\s+){{0,3}}?(?:at|to|of|reached|stood\s+at)\s+"
                 rf"(?P<core>{_QTY})\b")
_E = re.compile(r"(?:\bthat\s+|^|[,;:]\s+)(?P<core>(?:(?!\bthat\b)[^.;:]){3,80}?),?\s+"
                r"(?:were|was)\s+among\s+the\s+"
                r"(?P<kindnoun>casualties|dead|killed|wounded|injured|victims)\b")
_F = re.compile(r"\b(?P<core>captured\s+alive|taken\s+alive)\b")
_G = re.compile(r"\b(?P<core>(?:no\s+one|nobody|none)\s+(?:\w+\s+)?(?:was|were|had\s+been|has\s+"
                r"been)?\s*(?P<v>killed|injured|hurt|wounded|harmed))\b")
#: "no loss of life was reported": nobody killed
_G2 = re.compile(r"\b(?P<core>no\s+(?:loss\s+of\s+(?:life|lives)|deaths?|fatalit(?:y|ies)))\b")
_G2_AT = anchor_group("claims.no_loss", leads={"no": ("loss", "death", "fatalit")})
_H = re.compile(rf"\b(?P<core>(?P<noun>{_EQUIP}|{_POSTS})\s+(?:\w+\s+)?(?:were\s+|was\s+)?"
                rf"(?P<verb>{_V_DESTROYED}))\b")
_SIDE_PHRASE = re.compile(r"\bon\s+(?:the\s+)?(?P<s>afghan|pakistani|pakistan|afghanistan|both|"
                          r"either|taliban|enemy)(?:'s)?\s+sides?\b")
_OF_THE = re.compile(r"[\"”’]?\s+(?:of|from)\s+the\s+(?P<x>[a-z'’ -]{3,40}?)(?=[,.;\"”]|\s+"
                     r"(?:had|have|has|were|was|and|in|on|at)\b)")


#: The tokens the matches of each rule begin with (see :func:`~.anchors.anchor_group`).
#: the words the number or vague words of a quantity begin with (_RANGE, _NUM, _VAGUE; and
#: "a", "an" below), "some" (also a qualifier)
_QTY_WORDS = (
    "between", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "ten", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "dozens", "scores", "hundreds", "thousands", "several", "numerous", "multiple", "many",
    "large", "few", "some", "heavy", "huge", "massive", "significant", "considerable", "no")
#: qualifiers of one word: before those words, "a", "an" or a digit ("#")
_QUAL_WORDS = ("over", "above", "nearly", "almost", "about", "around", "approximately",
               "roughly", "under", "only", "just")
#: the nouns _NOUN begins with ("policem": policeman, policemen; "check": check post ...)
_NOUN_STARTS = (
    "fighter", "militant", "terrorist", "insurgent", "soldier", "troops", "personnel",
    "servicemen", "civilian", "people", "person", "men", "women", "woman", "children", "child",
    "policem", "police", "officer", "guard", "member", "attacker", "taliban", "khawarij",
    "khwarij", "combatant", "villager", "resident", "passenger", "worker", "labourer",
    "laborer", "others", "individual", "man", "shopkeeper", "boy", "girl", "famil", "mujahid",
    "trader", "driver", "farmer", "shepherd", "student", "pilgrim", "refugee", "migrant",
    "returnee", "tank", "armo", "vehicle", "equipment", "weapons", "artillery", "guns",
    "ammunition", "depot", "drone", "launcher", "outpost", "post", "check", "position", "base",
    "picket", "bunker")
_KIND_NOUNS = (
    "casualties", "deaths", "dead", "killed", "injured", "wounded", "losses", "fatalities",
    "injuries", "martyrs", "captured", "martyred", "hurt", "detained", "arrested")
#: The words after a quantity of one word ("a", "an") in the rules that read one (_A, _B,
#: _D, _D3: a modifier or the noun; _C: "more" or the kind noun; _C2: "of them", "more",
#: "others" or the verb): frequent words that begin a quantity are found only before a word
#: that can follow them in a match ("a" of "a soldier", "at" of "at least").
_AFTER_QTY = (*_MOD_WORDS, "of", *_NOUN_STARTS, "more", *_KIND_NOUNS, "other", "were", "was",
              "have", "had", "are", "got", "sustained", "received", "suffered")
_QTY_AT = anchor_group("claims.quantity", words=_QTY_WORDS, digits=True, leads={
    "a": (*_AFTER_QTY, "hundred", "dozen", "number", "few", "total"), "an": _AFTER_QTY,
    # qualifiers of two or three words ("fewer", "less": rare words, with "more")
    "at": ("least",), "as": ("many",), "up": ("to",), "close": ("to",), "more": ("than",),
    "fewer": ("than",), "less": ("than",),
    **dict.fromkeys(_QUAL_WORDS, (*_QTY_WORDS, "a", "an", "#"))})
_VERB_AT = anchor_group("claims.verb", (
    "kill", "dead", "died", "death", "lost", "martyr", "slain", "embraced", "eliminated", "sent",
    "became", "attained", "laid",
    "neutrali", "perished", "bodies", "succumbed", "wound", "injur", "hurt", "captur",
    "arrested", "detained", "taken", "held", "seiz", "overr", "took", "fell", "stormed",
    "destroy", "demolished", "razed", "torched", "set", "damaged", "burnt", "burned", "wrecked",
    "displaced", "fled", "evacuated", "forced", "uprooted", "casualties", "losses"))
_D_AT = anchor_group("claims.deaths_of", words=("death", "deaths", "killing", "lives",
                                                 "martyrdom"))
_D3_AT = anchor_group("claims.injuries_to", words=("injury", "injuries", "wound", "wounds"))
_D2_AT = anchor_group("claims.death_toll", words=("death",))
_AMONG_AT = anchor_group("claims.among", words=("among",))
_F_AT = anchor_group("claims.alive", words=("captured", "taken"))
_G_AT = anchor_group("claims.no_one", words=("no", "nobody", "none"))
_H_AT = anchor_group("claims.equipment", (
    "tank", "armo", "vehicle", "equipment", "weapons", "artillery", "guns", "ammunition",
    "depot", "drone", "launcher", "outpost", "post", "check", "position", "base", "picket",
    "bunker"))
#: the nouns _A ends with, the kind nouns _C and _C2 end with
_NOUN_AT = anchor_group("claims.noun", _NOUN_STARTS)
_KIND_NOUN_AT = anchor_group("claims.kind_noun", words=_KIND_NOUNS)
_POSTS_RX = re.compile(_POSTS)
_EQUIP_RX = re.compile(_EQUIP)
_KILLED_RX = re.compile(_V_KILLED)
_WOUNDED_RX = re.compile(_V_WOUNDED)
_CAPTURED_RX = re.compile(_V_CAPTURED)
_SEIZED_RX = re.compile(_V_SEIZED)
_DESTROYED_RX = re.compile(_V_DESTROYED)
_DISPLACED_RX = re.compile(_V_DISPLACED)
_CASUALTIES_RX = re.compile(r"casualties|losses")
_CLAUSE_WORD = re.compile(r"\b(?:while|but)\b")


def clause_end(folded: str, start: int, stop: int) -> int:
    """Where the clause that goes on at ``start`` ends: at the first full stop, semicolon,
    "while" or "but" of ``folded[start:stop]``, else ``stop``. (The marks found by
    ``str.find``; the words looked for by the regular expression only before the first
    mark and where the letters occur: a search of every position cost more.)"""
    for mark in ".;":
        at = folded.find(mark, start, stop)
        if at >= 0:
            stop = at
    if folded.find("while", start, stop) >= 0 or folded.find("but", start, stop) >= 0:
        word = _CLAUSE_WORD.search(folded, start, stop)
        if word is not None:
            return word.start()
    return stop


_VERB_WORD = re.compile(rf"\b{_VERB}\b")
_NOT_SUBJECT = re.compile(r"\b(?:border|conflict|attack|fighting|clash)")


@compact_pickle
@dataclass(frozen=True, slots=True)
class FigureMention:
    """A figure and the span of the words it was read from."""

    start: int
    end: int
    figure: Figure
    sentence: int


@functools.lru_cache(maxsize=4096)
def _kind(verb: str, noun: str) -> str | None:
    verb = " ".join(verb.split())
    is_post = _POSTS_RX.fullmatch(noun) is not None
    is_equip = _EQUIP_RX.fullmatch(noun) is not None
    if is_post or is_equip:
        if _DESTROYED_RX.fullmatch(verb):
            return "posts_destroyed" if is_post else "equipment_destroyed"
        if _SEIZED_RX.fullmatch(verb) or _CAPTURED_RX.fullmatch(verb):
            return "posts_captured" if is_post else "other"
        return None
    for rx, kind in ((_KILLED_RX, "killed"), (_WOUNDED_RX, "wounded"),
                     (_CAPTURED_RX, "captured"), (_DISPLACED_RX, "displaced"),
                     (_CASUALTIES_RX, "casualties")):
        if rx.fullmatch(verb):
            return kind
    return None


def _bounds(m: re.Match) -> tuple[int | None, int | None]:
    # (every rule read here has the groups of _QTY: a group that took no part is None)
    vague, range_, num, qual = m.group("vague", "range", "num", "qual")
    if vague:
        return (0, 0) if vague == "no" else (None, None)
    if range_:
        lo, hi = _number(m.group("lo")), _number(m.group("hi"))
        if lo is None or hi is None:
            return None, None
        if lo > hi and 20 <= lo < 100 and lo % 10 == 0 and hi < 10 and "-" in range_:
            return _qualified(lo + hi, qual)  # "twenty-three": a number, no range
        return (lo, hi) if lo <= hi else (None, None)
    if not num:
        return None, None
    if num.isdigit():
        return _qualified(int(num), qual)
    raw = " ".join(num.split()).replace("-", " ")
    if not raw:
        return None, None
    if raw.replace(",", "").isdigit():
        n = int(raw.replace(",", ""))
    else:
        parts = raw.split()
        if raw in _NUMBERS:
            n = _NUMBERS[raw]
        elif len(parts) == 2 and parts[0] in _NUMBERS and parts[1] in _NUMBERS:
            n = _NUMBERS[parts[0]] + _NUMBERS[parts[1]]
        else:
            return None, None
    return _qualified(n, qual)


def _number(words: str) -> int | None:
    """12, "twelve", "twenty-five": the number, or None."""
    if words.isdigit():
        return int(words)
    parts = " ".join(words.split()).replace("-", " ").split()
    if len(parts) == 1:
        return _NUMBERS.get(parts[0])
    if len(parts) == 2 and parts[0] in _NUMBERS and parts[1] in _NUMBERS:
        return _NUMBERS[parts[0]] + _NUMBERS[parts[1]]
    return None


def _qualified(n: int, qual: str | None) -> tuple[int | None, int | None]:
    qual = " ".join(qual.split()) if qual else ""
    if qual in ("", "only", "just", "a total of"):
        return n, n
    if qual == "at least":
        return n, None
    if qual in ("more than", "over", "above"):
        return n + 1, None
    if qual in ("nearly", "almost", "close to", "fewer than", "less than", "under"):
        return (None, n - 1) if n > 0 else (None, None)
    if qual in ("up to", "as many as"):
        return None, n
    return None, None  # about, around, some: no number is given


def _subject(doc: Document, sentence: Sentence, start: int, end: int,
             noun_phrase: str | None) -> str | None:
    folded, text = doc.folded, doc.text
    m = _OF_THE.match(folded, end) if noun_phrase else None
    if m and not _NOT_SUBJECT.search(m.group("x")):
        return f"{noun_phrase} of the {text[m.start('x'):m.end('x')]}"
    window_start = max(sentence.start, start - 60)
    window_end = min(sentence.end, end + 60)
    # (every match has "side" in it: most windows have none, and no search is needed)
    sides = list(_SIDE_PHRASE.finditer(folded, window_start, window_end)) \
        if folded.find("side", window_start, window_end) >= 0 else ()
    if sides:
        best = min(sides, key=lambda s: min(abs(s.start() - end), abs(start - s.end())))
        words = text[best.start("s"):best.end()]
        return " ".join(words.split())
    return noun_phrase


_C_KINDS = {"casualties": "casualties", "losses": "casualties", "injuries": "wounded",
            "injured": "wounded", "wounded": "wounded", "captured": "captured"}
_C2_KINDS = {"wounded": "wounded", "injured": "wounded", "hurt": "wounded", "injuries": "wounded",
             "captured": "captured", "detained": "captured", "arrested": "captured"}
_E_KINDS = {"wounded": "wounded", "injured": "wounded", "dead": "killed", "killed": "killed"}


def find_figures(doc: Document, sentence: Sentence) -> list[FigureMention]:
    """Every figure of ``sentence``, one of ``doc.sentences`` (see the module docstring), in
    text order."""
    folded, text = doc.folded, doc.text
    s, e = sentence.start, sentence.end
    i = sentence.index

    holding = doc._anchor_sentences  # group -> the sentences holding its tokens

    def has(group: str) -> bool:  # whether a token of ``group`` begins in the sentence
        found = holding.get(group)
        return i in (found if found is not None else doc.anchor_sentences(group))
    # (start, end, kind, bounds or the match to read them from, words or the match to
    # read the noun phrase from): subjects and words only for the figures kept
    out: list[tuple[int, int, str, object, object]] = []
    add = out.append
    checking = _anchors.CHECK_SCANS  # (rules left out are checked to find nothing)
    # (the rules that read a quantity and its noun: only in sentences with both)
    quantities = has(_QTY_AT)
    nouns = quantities and has(_NOUN_AT)
    # "the martyrdom of five civilians and injuries to nine others": the noun before the
    # figure says its kind (first: the verb rules would read "injuries" for both)
    if nouns and has(_D_AT):
        for m in doc.scan(_D, _D_AT, s, e):
            add((m.start("core"), m.end("core"), "killed", m, m))
    elif checking:
        skipped(_D, folded, s, e)
    if nouns and has(_D3_AT):
        for m in doc.scan(_D3, _D3_AT, s, e):
            add((m.start("core"), m.end("core"), "wounded", m, m))
    elif checking:
        skipped(_D3, folded, s, e)
    if nouns and has(_VERB_AT):
        for m in doc.scan(_B, _VERB_AT, s, e):
            verb = m.group("verb")
            own = _OWN_VERB.match(folded, m.end("noun"))
            if own:  # "two soldiers were killed and five others wounded"
                verb = own.group("verb")
            kind = _kind(verb, " ".join(m.group("noun").split()))
            if kind is not None:
                add((m.start("core"), m.end("core"), kind, m, m))
    elif checking:
        skipped(_B, folded, s, e)
    if nouns:
        for m in doc.scan(_A, _QTY_AT, s, e):
            # the verb in the 70 characters after it, before the clause ends (neither rule
            # can match at ``end``: the noun before it ends with a letter and \b)
            end = m.end()
            v = _VERB_WORD.search(folded, end, clause_end(folded, end, min(e, end + 70)))
            if not v:
                continue
            kind = _kind(v.group("verb"), " ".join(m.group("noun").split()))
            if kind is not None:
                add((m.start("core"), m.end("core"), kind, m, m))
    elif checking:
        skipped(_A, folded, s, e)
    if quantities and has(_KIND_NOUN_AT):  # (_C and _C2 end with one of these)
        for m in doc.scan(_C, _QTY_AT, s, e):
            add((m.start("core"), m.end("core"), _C_KINDS.get(m.group("kindnoun"), "killed"),
                 m, None))
        for m in doc.scan(_C2, _QTY_AT, s, e):
            add((m.start("core"), m.end("core"), _C2_KINDS.get(m.group("kindnoun"), "killed"),
                 m, None))
    elif checking:
        skipped(_C, folded, s, e)
        skipped(_C2, folded, s, e)
    if has(_D2_AT):
        for m in doc.scan(_D2, _D2_AT, s, e):
            add((m.start("core"), m.end("core"), "killed", m, None))
    elif checking:
        skipped(_D2, folded, s, e)
    # (_E begins at a comma or "that": looked for only in sentences with "among")
    if has(_AMONG_AT):
        for m in _E.finditer(folded, s, e):
            core = text[m.start("core"):m.end("core")]
            add((m.start("core"), m.end("core"), _E_KINDS.get(m.group("kindnoun"), "casualties"),
                 (None, None), " ".join(core.split())))
    elif checking:
        skipped(_E, folded, s, e)
    if has(_F_AT):
        for m in doc.scan(_F, _F_AT, s, e):
            add((m.start("core"), m.end("core"), "captured", (None, None), None))
    elif checking:
        skipped(_F, folded, s, e)
    if has(_G_AT):
        for m in doc.scan(_G, _G_AT, s, e):
            v = m.group("v")
            kind = "killed" if v == "killed" else ("casualties" if v == "harmed" else "wounded")
            add((m.start("core"), m.end("core"), kind, (0, 0), None))
    elif checking:
        skipped(_G, folded, s, e)
    if has(_G2_AT):
        for m in doc.scan(_G2, _G2_AT, s, e):
            add((m.start("core"), m.end("core"), "killed", (0, 0), None))
    elif checking:
        skipped(_G2, folded, s, e)
    if has(_H_AT):
        for m in doc.scan(_H, _H_AT, s, e):
            kind = _kind(m.group("verb"), " ".join(m.group("noun").split()))
            if kind is not None:
                add((m.start("core"), m.end("core"), kind, (None, None), None))
    elif checking:
        skipped(_H, folded, s, e)
    # one figure per span: the first found (B, A, ... order) wins over overlapping ones
    kept: list[FigureMention] = []
    for start, end, kind, bounds, noun_phrase in out:
        if kept and any(start < f.end and f.start < end for f in kept):
            continue
        low, high = _bounds(bounds) if bounds.__class__ is _MATCH else bounds
        if noun_phrase.__class__ is _MATCH:
            noun_phrase = _np(text, noun_phrase)
        subject = _subject(doc, sentence, start, end, noun_phrase)
        words = " ".join(text[start:end].split()).strip("\"“”")
        kept.append(_make_figure_mention(start, end, _make_figure(kind, low, high, words,
                                                                  subject), i))
    if len(kept) > 1:
        kept.sort(key=_START)
    return kept


_MATCH = re.Match
_START = operator.attrgetter("start")
#: ``FigureMention(...)`` and ``Figure(...)`` (validated), stored through the slots
_make_figure_mention = positional_maker(FigureMention)
_make_figure = positional_maker(Figure)


def _np(text: str, m: re.Match) -> str | None:
    """The words after the quantity: "enemy outposts" of "15 enemy outposts"."""
    # (every rule read here has the groups of _QTY: -1, the end of one that took no part)
    qty_end = max(m.start("core"), m.end("num"), m.end("range"), m.end("vague"))
    words = " ".join(text[qty_end:m.end("noun")].split()).strip("\"“” ")
    if words.startswith("of"):
        words = _OF_START.sub("", words)
    return words or None


_OF_START = re.compile(r"^of\s+")
