"""Offline gazetteer: turn place names from reports into points with an honest radius.

The shipped table is ``geodata/gazetteer.csv`` (built by
``geodata/build/build_gazetteer.py``; provenance in ``geodata/SOURCES.md``).
Every row is a :class:`Place`: a point (longitude first), a ``precision_km``
radius of uncertainty, and the source and derivation of the point. Afghan
provinces also have a polygon (:meth:`Gazetteer.polygon`).

Resolution (:meth:`Gazetteer.resolve`) works on normalised keys:

1. **exact / alias** (score 100): the normalised query equals the normalised
   name (``match="exact"``) or one of the aliases (``match="alias"``) of a
   place. Names and aliases form one tier, so "Khyber" (the district's name
   and a common short name of the Khyber Pass) is ambiguous.
2. **transliteration key** (reported as ``match="fuzzy"``, score 95): a
   phonetic-ish key that folds kh/k, gh/g, q/k, dz/z, w/v, o/u, e/i/y, ai/ay, ail/el
   (Khail = Khel = Kheil),
   ow/aw/u, a final h after a (Qal'ah, Darah) and doubled letters and ignores spaces, so
   Khowst = Khost, Konar = Kunar, Paktiya = Paktia, Orakzay = Orakzai,
   Landikotal = Landi Kotal, Qal'ah = Qala; in Arabic script, the letters Urdu and Pashto
   write differently for one sound (باجوڑ = باجوړ, طورخم = تورخم). Then, for places
   within :data:`FUZZY_BORDER_KM` of the line only, the same key with Pashto's dz and zh
   written j, z or zh merged (:func:`pashto_key`: Jadran = Zadran = Dzadran). It is
   reported as fuzzy because the
   spelling is not one the sources list.
3. **fuzzy** (``match="fuzzy"``, score 0-100): :func:`similarity` -- the
   normalised optimal-string-alignment similarity of rapidfuzz (one
   substitution, insertion, deletion or swap of neighbours = one edit) -- over
   the transliteration keys, accepted at :data:`FUZZY_THRESHOLD` or above and
   only as a spelling variant (see below). Only keys
   whose length can reach the threshold are scanned (an edit distance is at
   least the difference of the lengths).

Before the fuzzy tier, a name unknown as written gets three second readings: a
trailing kind word as a hint ("Lowari pass"), a first or last word one or two
slips from a generic word read as that word ("Zurmat Distrcit"), and its last
words as a country or admin hint ("Mohmand Agency FATA", "Kurram Pakistan").
Places of one name nested in one another (see below) count as one answer
whatever spelling matched, so a spelling only the town lists still gives the
district that holds it. GeoNames dump places (see *User places*) are tried at
each tier only when the others give nothing.

Normalising casefolds, strips diacritics and apostrophe-like marks
(ʿ ʾ ' ’), unifies Arabic-script letter variants, turns punctuation into
spaces and drops generic words at either end (province, district, agency,
tehsil, wilayat, woluswali, city, and their Dari/Pashto/Urdu forms). A dropped
word becomes a kind hint: "Khyber district" and "Khyber Agency" look for a
district, "Bara tehsil" for a tehsil. "Frontier Region" and "Tribal Area" are
*not* dropped: "Tank Frontier Region" and "Tank" are different places.

Hints narrow the candidates: ``country`` ("AF", "PK", "Afghanistan",
"Pakistan"), ``kind`` (one or several of :data:`KINDS`; "agency" means
district, "pass"/"valley"/"corridor" mean feature) and ``admin`` (an admin1 or
admin2 name, in any spelling the gazetteer knows). A query such as
"Spin Boldak, Kandahar" or "Kurram, Pakistan" carries its hints after commas.
Border crossings sit on the line and satisfy either country hint.

When several places tie:

* namesakes nested in one another -- one country (crossings count for both), every
  other point within the largest admin radius (at least :data:`NEST_KM`) of the chosen
  one (Kandahar province, district and city; Chaman town, district, tehsil and
  crossing) -- resolve to the **populated place**, by :data:`PREFERENCE`: town, then
  crossing, then the finest admin unit, then a feature ("Chaman" is the town, "Ghulam
  Khan" the crossing, "Khyber" the district). The others are the *alternatives*
  (:meth:`Gazetteer.resolve_detail`). The text decides when it says so: "Chaman
  border" is the crossing, "Kandahar province" the province;
* anything else (Gulistan of Farah and Gulistan of Qila Abdullah; two Barikots)
  raises :class:`~border_map.errors.AmbiguousPlace` with the candidates, unless the
  caller chose a ``policy`` (:data:`POLICIES`): ``"smallest"`` (smallest
  ``precision_km``), ``"largest"``, ``"first"`` (first in the ranked list) or
  ``"border-most"`` (nearest the Durand Line).

A fuzzy match is an answer only when it is a spelling variant (:func:`confident_fuzzy`:
the same consonant skeleton, and within :data:`FUZZY_BORDER_KM` of the line); a near
miss that changes a consonant ("Bagan" / Baghlan) raises PlaceNotFound whose
candidates name it.

An unknown name raises :class:`~border_map.errors.PlaceNotFound` carrying up
to five closest :class:`Match` objects ("did you mean").

User places
-----------
:class:`UserIndex` is a SQLite file under the user data folder
(:func:`user_data_dir`: ``$BORDER_MAP_HOME``, else ``$XDG_DATA_HOME/border-map``,
else ``~/.local/share/border-map``) filled by ``border-map gazetteer import``
with CSV files in the shipped columns and GeoNames country dumps (``AF.txt``,
``PK.txt``, or their ``.zip``). :meth:`Gazetteer.default` merges user CSV places
into the shipped table and keeps GeoNames dump places as a **fallback layer**,
queried in SQLite only when the shipped and user places give nothing at a
tier: a dump repeats every shipped town and province, and its namesakes must
not make "Kunar" ambiguous. No query reads a dump layer whole: its fuzzy tier
scores only the names whose consonant skeleton is within one edit of the
query's, found by indexed probe strings (:func:`fuzzy_probes`), and the names
that start with the query, each look-up bounded by :data:`PROBE_LIMIT`. The
default gazetteer is cached per process and rebuilt when the index file changes.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import json
import math
import os
import re
import sqlite3
import time
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from .errors import AmbiguousPlace, DataError, PlaceError, PlaceNotFound, shown
from .geo import haversine_km
from .limits import check_import_rows, check_member
from .model_checks import check_place_region, usable_places

__all__ = [
    "COLUMNS",
    "FUZZY_THRESHOLD",
    "GEONAMES_ADMIN1",
    "KINDS",
    "POLICIES",
    "PRECISION_CODES",
    "Gazetteer",
    "ImportReport",
    "Match",
    "Place",
    "UserIndex",
    "normalize_name",
    "precision_code",
    "precision_km_for_code",
    "similarity",
    "transliteration_key",
    "user_data_dir",
]

#: Columns of gazetteer.csv (and of user CSV files), in order.
COLUMNS = (
    "id", "name", "aliases", "kind", "country", "admin1", "admin2",
    "lon", "lat", "precision_km", "source", "derivation",
)
#: Place kinds, broadest first (also the tie order in ranked lists). A tehsil
#: is a Pakistani sub-district (admin level 3).
KINDS = ("country", "province", "district", "tehsil", "town", "crossing", "feature")
COUNTRIES = ("AF", "PK")
#: Tie-breaking policies a caller may choose; None raises AmbiguousPlace.
POLICIES = (None, "smallest", "largest", "first", "border-most")

#: Lowest :func:`similarity` accepted as a fuzzy match. Measured with the
#: TYPOS and NON_PLACES lists in tests/test_gazetteer.py against the shipped
#: gazetteer: the 30 typos of borderland names (one or two slips each) score
#: 80.0-94.4 against their intended name, while the 25 non-place words and
#: foreign cities score at most 71.4 against any key. 76 sits in that gap; the
#: benchmark (benchmarks/bench_gazetteer.py) reports the accuracy it gives on
#: 10,000 generated typos.
FUZZY_THRESHOLD = 76.0
#: Version of the transliteration rules; user indexes written under an older one have
#: their stored keys recomputed when opened (2: Khail = Khel; 3: Urdu and Pashto letters
#: of one sound in Arabic script).
TRANSLIT_VERSION = 3
#: Score reported for a transliteration-key match.
TRANSLIT_SCORE = 95.0

#: GeoNames admin1 codes of the two countries and the canonical English names
#: the gazetteer uses for them. PK.01 (FATA) was merged into PK.03 in 2018.
GEONAMES_ADMIN1 = {
    "AF.01": "Badakhshan", "AF.02": "Badghis", "AF.03": "Baghlan", "AF.05": "Bamyan",
    "AF.06": "Farah", "AF.07": "Faryab", "AF.08": "Ghazni", "AF.09": "Ghor", "AF.10": "Helmand",
    "AF.11": "Herat", "AF.13": "Kabul", "AF.14": "Kapisa", "AF.17": "Logar",
    "AF.18": "Nangarhar", "AF.19": "Nimroz", "AF.23": "Kandahar", "AF.24": "Kunduz",
    "AF.26": "Takhar", "AF.27": "Wardak", "AF.28": "Zabul", "AF.29": "Paktika", "AF.30": "Balkh",
    "AF.31": "Jowzjan", "AF.32": "Samangan", "AF.33": "Sar-e Pol", "AF.34": "Kunar",
    "AF.35": "Laghman", "AF.36": "Paktia", "AF.37": "Khost", "AF.38": "Nuristan",
    "AF.39": "Uruzgan", "AF.40": "Parwan", "AF.41": "Daykundi", "AF.42": "Panjshir",
    "PK.01": "FATA", "PK.02": "Balochistan", "PK.03": "Khyber Pakhtunkhwa", "PK.04": "Punjab",
    "PK.05": "Sindh", "PK.06": "Azad Kashmir", "PK.07": "Gilgit-Baltistan", "PK.08": "Islamabad",
}

_ADMIN_KINDS = frozenset({"country", "province", "district", "tehsil", "town"})
_KIND_RANK = {k: i for i, k in enumerate(KINDS)}

# Generic words dropped from either end of a name, with the kind they imply.
_GENERIC_WORDS = {
    "province": "province", "wilayat": "province", "velayat": "province",
    "welayat": "province", "ولایت": "province", "صوبه": "province",
    "استان": "province", "ایالت": "province",
    "district": "district", "agency": "district", "woluswali": "district",
    "uluswali": "district", "wuluswali": "district",
    "ولسوالی": "district", "ولسوالۍ": "district", "ضلع": "district", "ایجنسی": "district",
    "tehsil": "tehsil", "tahsil": "tehsil", "subdivision": "tehsil", "تحصیل": "tehsil",
    "city": "town",
    # plurals, as in "Kurram and Orakzai agencies"
    "provinces": "province", "districts": "district", "agencies": "district",
    "tehsils": "tehsil",
}
_IZAFE = frozenset({"e", "i", "ye", "y"})
# "X tribal district/agency/region": the former FATA agencies, now districts ("tribal
# area" stays a name: "Tank Frontier Region" and "Tank" are different places)
_TRIBAL_UNITS = frozenset({"district", "agency", "region"})
# Trailing words tried as kind hints only when the full name is unknown.
_KIND_WORDS = {
    "pass": "feature", "valley": "feature", "corridor": "feature", "area": "feature",
    "crossing": "crossing", "border": "crossing", "gate": "crossing", "terminal": "crossing",
    "town": "town", "village": "town", "bazaar": "town",
}
#: Words accepted for ``kind`` besides :data:`KINDS`, and the kind each means.
KIND_ALIASES = {
    "agency": "district", "tahsil": "tehsil", "subdivision": "tehsil", "pass": "feature",
    "valley": "feature", "corridor": "feature", "city": "town", "village": "town",
    "border crossing": "crossing",
}
# The seven agencies of FATA, now districts of Khyber Pakhtunkhwa: an admin hint "FATA"
# ("Khyber Agency, FATA") accepts places in them.
_FATA_AGENCIES = frozenset({"bajaur", "mohmand", "khyber", "kurram", "orakzai",
                            "north waziristan", "south waziristan"})
_COUNTRY_NAMES = {
    "af": "AF", "afg": "AF", "afghanistan": "AF",
    "pk": "PK", "pak": "PK", "pakistan": "PK",
}

_ARABIC_FOLD = str.maketrans({
    "ي": "ی", "ى": "ی", "ې": "ی", "ۍ": "ی", "ے": "ی", "ك": "ک", "ہ": "ه", "ۀ": "ه",
    "ة": "ه", "ە": "ه", "\u200c": " ", "\u200d": "", "\u0640": "",
})
_WORD = re.compile(r"[^\W_]+")
_TRANSLIT_STEPS = (
    ("kh", "k"), ("gh", "g"), ("ph", "f"), ("dh", "d"), ("ck", "k"), ("q", "k"), ("dz", "z"),
    ("ow", "u"), ("aw", "u"), ("ou", "u"), ("oo", "u"), ("ee", "i"),
    ("w", "v"), ("y", "i"), ("e", "i"), ("o", "u"), ("ail", "il"),
)
# Arabic-script letters that Urdu, Pashto and Dari write differently for one sound:
# Pashto's retroflex letters and Urdu's (باجوړ = باجوڑ), ط/ت (طورخم = تورخم), the s and z
# letters of Arabic words, hamza forms; ع and ء dropped (merged in transliteration_key only).
_SCRIPT_FOLD = str.maketrans({
    "ټ": "ت", "ٹ": "ت", "ط": "ت", "ډ": "د", "ڈ": "د", "ړ": "ر", "ڑ": "ر", "ږ": "ز",
    "ژ": "ز", "ذ": "ز", "ض": "ز", "ظ": "ز", "ځ": "ز", "ص": "س", "ث": "س", "څ": "س",
    "ښ": "ش", "ګ": "گ", "ح": "ه", "ئ": "ی", "ؤ": "و", "أ": "ا", "إ": "ا", "آ": "ا",
    "ٱ": "ا", "ع": None, "ء": None,
})
_FINAL_H = re.compile(r"(?<=a)h\b")
#: Pashto's dz (ځ: Jadran = Zadran = Dzadran, Jaji = Zazi) and zh (ژ: Zhawar = Jawar) are
#: written j, z or zh; elsewhere j and z are different letters (Kunjah is not Khunza), so
#: this fold has a tier of its own, for places near the line (:meth:`Gazetteer._pashto_tier`).
_PASHTO_Z = re.compile(r"[jz]h?")
_DOUBLES = re.compile(r"(.)\1+")


class _CharFold(dict):
    """str.translate table folding one character at a time, filled on first use:
    apostrophes dropped, compatibility forms decomposed, combining marks (diacritics,
    Arabic harakat) dropped, case folded, Arabic-script letter variants unified."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch in "'’‘ʿʾ`´ʻʼ′":
            out = ""
        else:
            decomposed = unicodedata.normalize("NFKD", ch)
            out = "".join(c for c in decomposed if not unicodedata.combining(c))
            out = unicodedata.normalize("NFKC", out).casefold().translate(_ARABIC_FOLD)
        self[code] = out
        return out


_CHAR_FOLD = _CharFold()


def _fold(text: str) -> str:
    """Casefold, strip diacritics and apostrophes, unify Arabic-script letters."""
    if text.isascii():  # the common case
        if "'" in text or "`" in text:
            text = text.replace("'", "").replace("`", "")
        return text.lower()
    return text.translate(_CHAR_FOLD)


@functools.lru_cache(maxsize=1 << 17)
def _split(text: str) -> tuple[str, tuple[str, ...]]:
    """Normalised key of ``text`` and the kinds implied by generic words dropped from it."""
    tokens = _WORD.findall(_fold(text))
    if len(tokens) > 2 and tokens[-2:] == ["sub", "division"]:  # "Bara sub-division"
        tokens[-2:] = ["subdivision"]
    elif len(tokens) > 2 and tokens[-2] == "tribal" and tokens[-1] in _TRIBAL_UNITS:
        tokens[-2:] = ["district"]  # "South Waziristan tribal district", "Mohmand tribal region"
    if len(tokens) < 2 or (tokens[-1] not in _GENERIC_WORDS and tokens[0] not in _GENERIC_WORDS):
        return " ".join(tokens), ()
    kinds: list[str] = []
    while len(tokens) > 1 and tokens[-1] in _GENERIC_WORDS:
        kinds.append(_GENERIC_WORDS[tokens.pop()])
    while len(tokens) > 1 and tokens[0] in _GENERIC_WORDS:
        kinds.append(_GENERIC_WORDS[tokens.pop(0)])
        if len(tokens) > 1 and tokens[0] in _IZAFE:  # "Wilayat-e Kunar"
            tokens.pop(0)
    return " ".join(tokens), tuple(dict.fromkeys(kinds))


def normalize_name(text: str) -> str:
    """The lookup key of a name: folded, diacritic-free, generic words dropped."""
    return _split(text)[0]


def similarity(a: str, b: str) -> float:
    """0-100 similarity of two normalised keys (rapidfuzz OSA, normalised by length)."""
    from rapidfuzz.distance import OSA

    return 100.0 * OSA.normalized_similarity(a, b)


@functools.lru_cache(maxsize=1 << 17)
def pashto_key(key: str) -> str:
    """The transliteration key with Pashto's dz and zh sounds merged: j, jh, zh -> z."""
    t = transliteration_key(key)
    return _DOUBLES.sub(r"\1", _PASHTO_Z.sub("z", t)) if t.isascii() else t


@functools.lru_cache(maxsize=1 << 17)
def transliteration_key(key: str) -> str:
    """A coarser key that merges common romanisation variants of a normalised key."""
    if not key.isascii():
        return key.replace(" ", "").translate(_SCRIPT_FOLD)
    out = _FINAL_H.sub("", key).replace(" ", "")
    for old, new in _TRANSLIT_STEPS:
        out = out.replace(old, new)
    return _DOUBLES.sub(r"\1", out)




# -- result types ---------------------------------------------------------------------------
def _place_from_fields(fields: tuple) -> Place:
    place = object.__new__(Place)
    for key, value in zip(Place.__slots__, fields, strict=True):
        object.__setattr__(place, key, value)
    return place


class Place:
    """One gazetteer entry; immutable. ``lon``/``lat`` are WGS84 degrees, longitude first."""

    __slots__ = (
        "id", "name", "aliases", "kind", "country", "admin1", "admin2",
        "lon", "lat", "precision_km", "source", "derivation",
    )

    def __init__(
        self, id: str, name: str, *, kind: str, country: str, lon: float, lat: float,
        precision_km: float, aliases: Iterable[str] = (), admin1: str = "", admin2: str = "",
        source: str = "", derivation: str = "",
    ):
        values = {
            "id": str(id).strip(), "name": str(name).strip(),
            "aliases": tuple(a.strip() for a in aliases if a and a.strip()),
            "kind": str(kind).strip(), "country": str(country).strip().upper(),
            "admin1": str(admin1 or "").strip(), "admin2": str(admin2 or "").strip(),
            "lon": float(lon), "lat": float(lat), "precision_km": float(precision_km),
            "source": str(source or "").strip(), "derivation": str(derivation or "").strip(),
        }
        _validate(values)
        for key, value in values.items():
            object.__setattr__(self, key, value)

    def __setattr__(self, key, value):
        raise AttributeError(f"Place is immutable (cannot set {key!r})")

    def __delattr__(self, key):
        raise AttributeError(f"Place is immutable (cannot delete {key!r})")

    def _fields(self) -> tuple:
        return tuple(getattr(self, k) for k in self.__slots__)

    def __reduce__(self):
        # pickled by value (drafts travel between processes in extract_many)
        return _place_from_fields, (self._fields(),)

    def __eq__(self, other):
        if not isinstance(other, Place):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self):
        return hash(self._fields())

    def __repr__(self) -> str:
        return (
            f"Place({self.id!r}, {self.name!r}, kind={self.kind!r}, country={self.country!r}, "
            f"lon={self.lon}, lat={self.lat}, precision_km={self.precision_km})"
        )

    def to_properties(self) -> dict:
        """A JSON-ready dict of every field (aliases as a list)."""
        props = {k: getattr(self, k) for k in self.__slots__}
        props["aliases"] = list(self.aliases)
        return props


def _validate(values: dict) -> None:
    """Raise ValueError('field: message') on the first bad field."""
    for key in ("id", "name"):
        if not values[key]:
            raise ValueError(f"{key}: must not be empty")
    if values["kind"] not in KINDS:
        raise ValueError(f"kind: {values['kind']!r} is not one of {', '.join(KINDS)}")
    if values["country"] not in COUNTRIES:
        raise ValueError(f"country: {values['country']!r} is not one of {', '.join(COUNTRIES)}")
    lon, lat, prec = values["lon"], values["lat"], values["precision_km"]
    if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
        raise ValueError(f"lon: {lon} is outside -180..180")
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise ValueError(f"lat: {lat} is outside -90..90")
    if not (math.isfinite(prec) and prec > 0):
        raise ValueError(f"precision_km: {prec} must be a positive number")


class _MatchFields(NamedTuple):
    query: str
    place: Place
    match: str
    score: float


class Match(_MatchFields):
    """A resolved name: the query, the place, how it matched and a 0-100 score.

    ``match`` is ``"exact"``, ``"alias"``, ``"fuzzy"`` or ``"online"`` (the
    opt-in Nominatim fallback). Immutable; compares by value.
    """

    __slots__ = ()

    def __new__(cls, query: str, place: Place, match: str, score: float):
        return _MatchFields.__new__(cls, query, place, match, float(score))

    def __repr__(self) -> str:
        return f"Match({self.query!r} -> {self.place.id!r}, {self.match}, {self.score:g})"


_new_match = functools.partial(tuple.__new__, Match)  # internal: fields already valid


class _Hints:
    __slots__ = ("countries", "kinds", "admins")

    def __init__(self, countries=frozenset(), kinds=frozenset(), admins=()):
        self.countries = frozenset(countries)
        self.kinds = frozenset(kinds)
        self.admins = tuple(admins)  # each a frozenset of accepted normalised admin names

    def __bool__(self) -> bool:
        return bool(self.countries or self.kinds or self.admins)

    def accepts(self, place: Place) -> bool:
        if self.countries and place.country not in self.countries and not (
            place.kind == "crossing" and self.countries <= set(COUNTRIES)
        ):
            return False
        if self.kinds and place.kind not in self.kinds:
            return False
        if self.admins:
            names = {normalize_name(place.admin1), normalize_name(place.admin2)} - {""}
            if any(not (names & accepted) for accepted in self.admins):
                return False
        return True

    def with_kinds(self, kinds) -> _Hints:
        kinds = frozenset(kinds)
        if self.kinds:  # explicit kinds win; implied ones only narrow them
            kinds = (self.kinds & kinds) or self.kinds
        return _Hints(self.countries, kinds, self.admins)


_NO_HINTS = _Hints()


# -- the gazetteer ------------------------------------------------------------------------
class Gazetteer:
    """An in-memory gazetteer with dictionary indexes built once.

    ``fallback`` is an optional :class:`UserIndex` whose GeoNames dump places are
    consulted only when the in-memory places give nothing at a tier.
    ``origins`` maps place ids to where they came from (default "shipped").
    """

    def __init__(self, places: Iterable[Place], *, fallback: UserIndex | None = None,
                 origins: dict[str, str] | None = None):
        self._places: tuple[Place, ...] = tuple(places)
        self._by_id: dict[str, Place] = {}
        by_key: dict[str, dict[str, str]] = {}
        by_translit: dict[str, dict[str, None]] = {}
        by_pashto: dict[str, dict[str, None]] = {}
        for place in self._places:
            if place.id in self._by_id:
                raise DataError(f"duplicate place id '{place.id}'", field="id")
            self._by_id[place.id] = place
            for text, how in [(place.name, "exact")] + [(a, "alias") for a in place.aliases]:
                key = normalize_name(text)
                if not key:
                    continue
                slot = by_key.setdefault(key, {})
                if slot.get(place.id) != "exact":
                    slot[place.id] = how
                by_translit.setdefault(transliteration_key(key), {})[place.id] = None
                by_pashto.setdefault(pashto_key(key), {})[place.id] = None
        by_id = self._by_id
        self._by_key = {k: tuple((by_id[pid], how) for pid, how in v.items())
                        for k, v in by_key.items()}
        self._by_translit = {k: tuple(by_id[pid] for pid in v) for k, v in by_translit.items()}
        self._by_pashto = {k: tuple(by_id[pid] for pid in v) for k, v in by_pashto.items()}
        self._fuzzy = _FuzzyIndex(self._by_key)
        self._tfuzzy: _FuzzyIndex | None = None  # over transliteration keys, built on first use
        self._border_cache: dict[str, float] = {}
        self._nest = _nested_namesakes(self._places)
        # names as written (lower-cased) -> their key and implied kinds: a query spelt as
        # the gazetteer spells it skips normalisation
        self._written: dict[str, tuple[str, tuple[str, ...]]] = {}
        for place in self._places:
            for text in (place.name, *place.aliases):
                self._written.setdefault(text.lower(), _split(text))
        self._fallback = fallback
        self._origins = dict(origins or {})
        self._decided: dict[tuple[str, tuple[str, ...]], Match | None] = {}

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_csv(cls, path) -> Gazetteer:
        """Read a gazetteer CSV; a bad row raises DataError naming file, row and field."""
        return cls(read_places_csv(path))

    @classmethod
    def default(cls) -> Gazetteer:
        """The shipped gazetteer plus the user's imported places (see :class:`UserIndex`).

        Cached per process; rebuilt when the shipped file or the user index changes.
        """
        from .data import GAZETTEER, geodata_path

        shipped = geodata_path(GAZETTEER)
        index = UserIndex.default_path()
        return _default_gazetteer(str(shipped), _file_signature(shipped),
                                  str(index), _file_signature(index))

    # -- container protocol ---------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._places)

    def __iter__(self):
        return iter(self._places)

    def __contains__(self, place_id) -> bool:
        if place_id in self._by_id:
            return True
        return self._fallback is not None and self._fallback.get(place_id) is not None

    @property
    def fallback(self) -> UserIndex | None:
        """The user index holding GeoNames dump places, if any."""
        return self._fallback

    def get(self, place_id: str) -> Place:
        """The place with this id; PlaceNotFound if there is none."""
        place = self._by_id.get(place_id)
        if place is None and self._fallback is not None:
            place = self._fallback.get(place_id)
        if place is None:
            message = f"no gazetteer entry with id '{place_id}'"
            raise PlaceNotFound(place_id, message=message)
        return place

    def origin(self, place_id: str) -> str:
        """Where a place comes from: "shipped", "user:<file>" or "geonames:<file>"."""
        if place_id in self._by_id:
            return self._origins.get(place_id, "shipped")
        if self._fallback is not None:
            origin = self._fallback.origin(place_id)
            if origin:
                return origin
        raise PlaceNotFound(place_id, message=f"no gazetteer entry with id '{place_id}'")

    def polygon(self, place: Place | str):
        """The shapely polygon of an Afghan province or a Pakistani district or border-
        province tehsil, or None for places without one."""
        place_id = place if isinstance(place, str) else place.id
        return _province_polygons().get(place_id)

    def stats(self) -> dict:
        """Counts by country and kind, in memory and in the fallback layer."""
        counts = Counter((p.country, p.kind) for p in self._places)
        out: dict = {"places": len(self._places), "by_country": {}}
        for cc in COUNTRIES:
            kinds = {k: counts[(cc, k)] for k in KINDS if counts[(cc, k)]}
            out["by_country"][cc] = {"total": sum(kinds.values()), **kinds}
        origins = Counter(self._origins.get(p.id, "shipped").split(":", 1)[0]
                          for p in self._places)
        out["by_origin"] = dict(sorted(origins.items()))
        out["names"] = len(self._by_key)
        if self._fallback is not None:
            out["fallback"] = self._fallback.stats(layer="geonames")
        return out

    # -- resolution -----------------------------------------------------------------------
    def resolve(
        self, name: str, *, country: str | None = None, kind: str | Iterable[str] | None = None,
        admin: str | None = None, policy: str | None = None,
    ) -> Match:
        """Resolve one place name to a single :class:`Match` (see the module docstring).

        Raises
        ------
        PlaceNotFound
            no place matches (or only fuzzy matches that are not confident), with
            "did you mean" candidates;
        AmbiguousPlace
            several places match equally well, are not nested namesakes, and no
            ``policy`` was chosen;
        ValueError
            an unknown country, kind or policy.
        """
        if country is None and kind is None and admin is None and policy is None:
            # fast path (no alternatives built): the exact tier's answer, worked out once
            written = self._written.get(name.lower())
            key, implied = written if written is not None else _split(name)
            entries = self._by_key.get(key)
            if entries is not None and "," not in name:
                if len(entries) == 1 and not implied and entries[0][0].id not in self._nest:
                    place, how = entries[0]
                    return _new_match((name, place, how, 100.0))
                decided = self._decided.get((key, implied), False)
                if decided:
                    chosen = decided[0]
                    return _new_match((name, chosen.place, chosen.match, 100.0))
        return self.resolve_detail(name, country=country, kind=kind, admin=admin,
                                   policy=policy)[0]

    def resolve_detail(
        self, name: str, *, country: str | None = None, kind: str | Iterable[str] | None = None,
        admin: str | None = None, policy: str | None = None,
    ) -> tuple[Match, tuple[Match, ...]]:
        """Like :meth:`resolve`, with the **alternatives**: the other places the name
        equally matched that the nesting rule set aside (Chaman district, tehsil and
        crossing for "Chaman", which resolves to the town), best first."""
        if policy not in POLICIES:
            raise ValueError(f"unknown policy {policy!r}; use one of {POLICIES[1:]}")
        if country is None and kind is None and admin is None and policy is None and (
                "," not in name):
            # fast path: no hints but the name's own words, the common case of batch geocoding
            written = self._written.get(name.lower())
            key, implied = written if written is not None else _split(name)
            entries = self._by_key.get(key)
            if entries is not None:
                if len(entries) == 1 and not implied and entries[0][0].id not in self._nest:
                    place, how = entries[0]
                    return _new_match((name, place, how, 100.0)), ()
                memo = (key, implied)
                decided = self._decided.get(memo, False)
                if decided is False:  # the exact tier's answer for this key, worked out once
                    hints = _NO_HINTS.with_kinds(implied) if implied else _NO_HINTS
                    found = self._exact_tier(key, key, hints)
                    decided = self._settle(found, hints) if found else None
                    self._decided[memo] = decided
                if decided is not None:
                    chosen, alternatives = decided
                    return (_new_match((name, chosen.place, chosen.match, 100.0)),
                            tuple(_new_match((name, m.place, m.match, m.score))
                                  for m in alternatives))
        query = name
        key, hints = self._prepare(name, country, kind, admin)
        if not key:
            raise PlaceNotFound(query, message=f"empty place name {query!r}")

        for layer in self._layers():
            for tier in (layer._exact_tier, layer._translit_tier):
                found = tier(query, key, hints)
                if found:
                    return self._decide(query, found, policy, hints)
            # unknown as written: trailing kind words ("Lowari pass", "Angoor Adda
            # border crossing") may be hints
            short, kind_hints = _strip_kind_words(key, hints)
            if short != key:
                for tier in (layer._exact_tier, layer._translit_tier):
                    found = tier(query, short, kind_hints)
                    if found:
                        return self._decide(query, found, policy, kind_hints)
            if layer is self:  # Pashto's dz and zh written j, z or zh, near the line
                for k, h in ((key, hints), (short, kind_hints)):
                    found = self._pashto_tier(query, k, h)
                    if found:
                        return self._decide(query, found, policy, h)
        fixed = _misspelt_generic(key)
        if fixed is not None:  # "Zurmat Distrcit", "Nangarhar Provnce"
            key, hints = fixed[0], hints.with_kinds({fixed[1]})
            for layer in self._layers():
                for tier in (layer._exact_tier, layer._translit_tier):
                    found = tier(query, key, hints)
                    if found:
                        return self._decide(query, found, policy, hints)
        split = self._trailing_hint(key, hints)
        if split is not None:  # "Mohmand Agency FATA", "Kurram Pakistan"
            short, short_hints = split
            for layer in self._layers():
                for tier in (layer._exact_tier, layer._translit_tier):
                    found = tier(query, short, short_hints)
                    if found:
                        return self._decide(query, found, policy, short_hints)
        for short, short_hints in self._second_readings(name, key, hints):
            for layer in self._layers():
                for tier in (layer._exact_tier, layer._translit_tier):
                    found = tier(query, short, short_hints)
                    if found:
                        return self._decide(query, found, policy, short_hints)
        fuzzy_key, fuzzy_hints = _strip_kind_words(key, hints)
        readings = [(fuzzy_key, fuzzy_hints)]
        container = _container_reading(name, hints)
        if container is not None:  # "Shaheed Banda area of Pandiali tehsil"
            readings.append(container)
        unsure: list[Match] = []
        for reading_key, reading_hints in readings:
            for layer in self._layers():
                found = layer._variant_tier(query, reading_key, reading_hints, FUZZY_THRESHOLD)
                if found:
                    sure = [m for m in found if confident_fuzzy(reading_key, m.place, m.score)
                            and self._border_km(m.place) <= FUZZY_BORDER_KM]
                    if sure:
                        return self._decide(query, sure, policy, reading_hints)
                    unsure.extend(found)
        if unsure:  # close in letters but not a spelling variant: no confident answer
            raise PlaceNotFound(query, candidates=sorted(unsure, key=_rank)[:5], message=(
                f"no confident match for {query!r}: the closest names differ by more than "
                f"a spelling variant; candidates: "
                + "; ".join(_describe(m.place) for m in sorted(unsure, key=_rank)[:5])))
        raise PlaceNotFound(query, candidates=self._suggestions(query, key, hints))

    def search(
        self, text: str, *, limit: int = 10, country: str | None = None,
        kind: str | Iterable[str] | None = None, admin: str | None = None,
    ) -> list[Match]:
        """Ranked candidates for ``text`` (exact/alias, transliteration, then fuzzy)."""
        key, hints = self._prepare(text, country, kind, admin)
        if not key or limit <= 0:
            return []
        best: dict[str, Match] = {}
        for layer in self._layers():
            tiers = (
                layer._exact_tier(text, key, hints),
                layer._translit_tier(text, key, hints),
                layer._fuzzy_tier(text, key, hints, 50.0, best_only=False,
                                  limit=max(limit * 5, 25)),
            )
            for tier in tiers:
                for m in tier:
                    if m.place.id not in best or m.score > best[m.place.id].score:
                        best[m.place.id] = m
        return sorted(best.values(), key=_rank)[:limit]

    def resolve_known(self, name: str, *, country: str | None = None,
                      kind: str | Iterable[str] | None = None,
                      admin: str | None = None) -> Match | None:
        """:meth:`resolve` without the fuzzy tier and without suggestions: the place when the
        name is known as written (or transliterated), None when it is not or is ambiguous.

        For rows that carry their own point (ACLED, UCDP): the name is only shown, so a
        guess is never worth its cost or its risk.
        """
        try:
            key, hints = self._prepare(name, country, kind, admin)
        except ValueError:
            return None
        if not key:
            return None
        for layer in self._layers():
            for tier in (layer._exact_tier, layer._translit_tier):
                found = tier(name, key, hints)
                if found:
                    try:
                        return self._decide(name, found, None, hints)[0]
                    except PlaceError:
                        return None
        return None

    # -- internals ------------------------------------------------------------------------
    def _layers(self):
        yield self
        if self._fallback is not None and self._fallback.has_layer("geonames"):
            yield self._fallback.layer("geonames")

    def _prepare(self, text, country, kind, admin) -> tuple[str, _Hints]:
        parts = [p.strip() for p in str(text).split(",")]
        key, implied = _split(parts[0])
        countries: set[str] = set()
        admins: list[frozenset[str]] = []
        for extra in [p for p in parts[1:] if p] + ([admin] if admin else []):
            extra_key = normalize_name(extra)
            if extra_key in _COUNTRY_NAMES:
                countries.add(_COUNTRY_NAMES[extra_key])
            elif extra_key:
                admins.append(self._admin_names(extra_key))
        if country:
            code = _COUNTRY_NAMES.get(normalize_name(country))
            if code is None:
                raise ValueError(
                    f"unknown country hint {country!r}; use AF, PK, Afghanistan or Pakistan")
            countries.add(code)
        kinds: set[str] = set()
        if kind:
            for k in [kind] if isinstance(kind, str) else kind:
                k = KIND_ALIASES.get(k.strip().lower(), k.strip().lower())
                if k not in KINDS:
                    raise ValueError(f"unknown kind {k!r}; use one of {', '.join(KINDS)}")
                kinds.add(k)
        hints = _Hints(countries, kinds, admins) if (countries or kinds or admins) else _NO_HINTS
        if implied:
            hints = hints.with_kinds(implied)
        return key, hints

    def _second_readings(self, name: str, key: str, hints: _Hints):
        """Further readings of a name unknown as written, most literal first:

        * a trailing "valley" or "area" dropped without a kind ("Chitral Valley",
          "Arandu Valley": the valley of a town or crossing);
        * leading words that describe rather than name dropped: compass words
          ("eastern Kunar"), "general area"/"area" (ISPR's "general area Sambaza"),
          "upper"/"lower" ("Lower Alizai");
        * "X of Y", "X in Y" and "Y's X": Y as an admin or country hint ("Zhob District
          of Balochistan", "Khyber Agency's Tirah Valley");
        * "X area of Y" (or village, town, bazaar) with X unknown: Y itself when it is a
          province, district or tehsil, the unit that holds the area ("Alingar area of
          Safi tehsil");
        * "crossing at X" / "border crossing in X": X as a crossing ("Pakistani-Afghan
          border crossing at Chaman").
        """
        tokens = key.split()
        if len(tokens) > 1 and tokens[-1] in ("valley", "area"):
            yield " ".join(tokens[:-1]), hints
        lead = 0
        while lead < len(tokens) - 1 and tokens[lead] in _DESCRIPTIVE:
            lead += 1
        if lead:
            rest = " ".join(tokens[lead:])
            yield _split(rest)[0], hints.with_kinds(_split(rest)[1]) if _split(rest)[1] else hints
            short, kind_hints = _strip_kind_words(_split(rest)[0], hints)
            if short != _split(rest)[0]:
                yield short, kind_hints
        text = _fold(name.split(",")[0])
        for pattern in (_OF_PATTERN, _POSSESSIVE):
            m = pattern.match(text)
            if not m:
                continue
            head, tail = m.group("head"), m.group("tail")
            tail_key = normalize_name(tail)
            head_key, implied = _split(head)
            if not head_key or not tail_key:
                continue
            # a generic word ending the tail ("... of Upper South Waziristan district") is the
            # tail's kind, not the head's
            kinds = hints.kinds - set(_split(tail)[1]) if pattern is _OF_PATTERN else hints.kinds
            if tail_key in _COUNTRY_NAMES:
                extra = _Hints(hints.countries | {_COUNTRY_NAMES[tail_key]}, kinds, hints.admins)
            else:
                extra = _Hints(hints.countries, kinds,
                               hints.admins + (self._admin_names(tail_key),))
            extra = extra.with_kinds(implied) if implied else extra
            yield head_key, extra
            short, kind_hints = _strip_kind_words(head_key, extra)
            if short != head_key:
                yield short, kind_hints
                yield short, extra
            yield head_key, hints  # Y names no unit the place is listed in (a feature)
            if pattern is _OF_PATTERN:
                container = _container_reading(name, hints)
                if container is not None:
                    yield container
        m = _AT_CROSSING.match(text)
        if m:  # "Pakistan-Afghanistan border crossing at Chaman": the crossing there
            yield normalize_name(m.group("tail")), hints.with_kinds({"crossing"})

    def _trailing_hint(self, key: str, hints: _Hints):
        """For a name unknown as written: its last one or two words as a country or
        province/district hint, and the rest re-normalised ("mohmand agency fata")."""
        tokens = key.split()
        for n in (1, 2):
            if len(tokens) <= n:
                break
            tail, head = " ".join(tokens[-n:]), " ".join(tokens[:-n])
            short, implied = _split(head)
            if not short:
                continue
            if tail in _COUNTRY_NAMES:
                extra = _Hints(hints.countries | {_COUNTRY_NAMES[tail]}, hints.kinds, hints.admins)
            elif any(p.kind in ("province", "district") for p, _ in self._by_key.get(tail, ())):
                extra = _Hints(hints.countries, hints.kinds,
                               hints.admins + (self._admin_names(tail),))
            else:
                continue
            return short, (extra.with_kinds(implied) if implied else extra)
        return None

    def _admin_names(self, key: str) -> frozenset[str]:
        """Normalised names of the provinces/districts a hint like "Paktiya" may mean."""
        names = {key}
        places = [p for p, _ in self._by_key.get(key, ())]
        places += list(self._by_translit.get(transliteration_key(key), ()))
        for place in places:
            if place.kind in ("province", "district", "tehsil"):
                names.add(normalize_name(place.name))
        if "fata" in names:  # merged into Khyber Pakhtunkhwa in 2018: its former agencies
            names |= _FATA_AGENCIES
        return frozenset(names)

    def _exact_tier(self, query, key, hints) -> list[Match]:
        entries = self._by_key.get(key, ())
        if not hints:
            return [_new_match((query, p, how, 100.0)) for p, how in entries]
        return self._accepted(query, [(p, how, 100.0) for p, how in entries], hints)

    def _translit_tier(self, query, key, hints) -> list[Match]:
        entries = self._by_translit.get(transliteration_key(key), ())
        return self._accepted(query, [(p, "fuzzy", TRANSLIT_SCORE) for p in entries], hints)

    def _pashto_tier(self, query, key, hints) -> list[Match]:
        """Places whose names match ``key`` once Pashto's dz and zh sounds are merged
        (:func:`pashto_key`: Jadran = Zadran, Zhawar = Jawar), reported as fuzzy, and only
        within :data:`FUZZY_BORDER_KM` of the line: elsewhere j and z are two letters
        (Kunjah in Punjab is not Khunza in Hunza)."""
        entries = self._by_pashto.get(pashto_key(key), ())
        if not entries:
            return []
        found = self._accepted(query, [(p, "fuzzy", TRANSLIT_SCORE) for p in entries], hints)
        return [m for m in found if self._border_km(m.place) <= FUZZY_BORDER_KM]

    def _accepted(self, query, entries, hints) -> list[Match]:
        """Matches for the places the hints accept; a rejected place's nested namesake
        that they accept stands in for it ("Esedabad District": the town's spelling,
        the district asked for)."""
        out: dict[str, Match] = {}
        for place, how, score in entries:
            if hints.accepts(place):
                out.setdefault(place.id, _new_match((query, place, how, score)))
            elif hints:
                for other in self._nest.get(place.id, ()):
                    if hints.accepts(other):
                        out.setdefault(other.id, _new_match((query, other, how, score)))
        return list(out.values())

    def _fuzzy_tier(self, query, key, hints, cutoff, best_only=True, limit=50) -> list[Match]:
        if best_only:  # the best match is one edit away if anything is: look there first
            near = self._fuzzy_matches(query, self._fuzzy.one_edit(key, cutoff), hints, True)
            if near:
                return near
        return self._fuzzy_matches(query, self._fuzzy.extract(key, cutoff, limit), hints,
                                   best_only)

    def _border_km(self, place: Place) -> float:
        """Distance (km) of a place from the shipped Durand Line, cached."""
        if not self._border_cache:  # every place at once: one vectorised query
            from .border import DurandLine

            line = DurandLine.default()
            places = self._places
            km = line.distance_km([p.lon for p in places], [p.lat for p in places])
            self._border_cache.update(zip((p.id for p in places), map(float, km), strict=True))
        km = self._border_cache.get(place.id)
        if km is None:  # a place of the GeoNames fallback layer
            from .border import DurandLine

            km = float(DurandLine.default().distance_km([place.lon], [place.lat])[0])
            self._border_cache[place.id] = km
        return 0.0 if place.kind == "crossing" else km

    def _variant_tier(self, query, key, hints, cutoff) -> list[Match]:
        """Fuzzy matching on transliteration keys (romanisation variants already merged,
        so "Barg Mittal" meets "Barg-e Matal"), best score only."""
        if self._tfuzzy is None:
            self._tfuzzy = _FuzzyIndex(self._by_translit)
        tkey = transliteration_key(key)
        scored = self._tfuzzy.one_edit(tkey, cutoff) or self._tfuzzy.extract(tkey, cutoff, 50)
        matches: dict[str, Match] = {}
        for cand_key, score in scored:
            for place in self._by_translit[cand_key]:
                pid = place.id
                if hints.accepts(place) and (pid not in matches or score > matches[pid].score):
                    matches[pid] = _new_match((query, place, "fuzzy", round(score, 1)))
        ranked = sorted(matches.values(), key=_rank)
        if ranked:
            ranked = [m for m in ranked if m.score == ranked[0].score]
        return ranked

    def _fuzzy_matches(self, query, scored, hints, best_only) -> list[Match]:
        matches: dict[str, Match] = {}
        for cand_key, score in scored:
            for place, _how in self._by_key[cand_key]:
                pid = place.id
                if hints.accepts(place) and (pid not in matches or score > matches[pid].score):
                    matches[pid] = _new_match((query, place, "fuzzy", round(score, 1)))
        ranked = sorted(matches.values(), key=_rank)
        if best_only and ranked:
            top = ranked[0].score
            ranked = [m for m in ranked if m.score == top]
        return ranked

    def _suggestions(self, query, key, hints) -> list[Match]:
        """Up to five "did you mean" candidates, generous where the fuzzy tier is strict."""
        from rapidfuzz import fuzz, process

        for h in (hints, _NO_HINTS):
            closest = self._fuzzy_tier(query, key, h, 50.0, best_only=False)
            if closest:
                return closest[:5]
        # partial and token-wise likeness ("Nangarharr Provinceq"), scored by WRatio
        out: dict[str, Match] = {}
        for cand_key, score, _ in process.extract(key, self._fuzzy.keys, scorer=fuzz.WRatio,
                                                  score_cutoff=60.0, limit=10):
            for place, _how in self._by_key[cand_key]:
                if place.id not in out:
                    out[place.id] = _new_match((query, place, "fuzzy", round(score, 1)))
        return sorted(out.values(), key=_rank)[:5]

    def _with_namesakes(self, found: list[Match], hints: _Hints = _NO_HINTS) -> list[Match]:
        """``found`` plus the nested namesakes of its places that the hints accept
        (Ghoriyan district for a spelling only the town lists), same match and score."""
        if not any(m.place.id in self._nest for m in found):
            return found
        out = {m.place.id: m for m in found}
        for m in found:
            for other in self._nest.get(m.place.id, ()):
                if other.id not in out and hints.accepts(other):
                    out[other.id] = _new_match((m.query, other, m.match, m.score))
        return list(out.values())

    def _settle(self, found: list[Match], hints: _Hints = _NO_HINTS):
        """What a tie resolves to without a policy (nested namesakes): (match,
        alternatives), or None."""
        ranked = sorted(self._with_namesakes(found, hints), key=_rank)
        if len(ranked) == 1:
            return ranked[0], ()
        return _nested_choice(ranked)

    def _decide(self, query: str, found: list[Match], policy: str | None,
                hints: _Hints = _NO_HINTS) -> tuple[Match, tuple[Match, ...]]:
        ranked = sorted(self._with_namesakes(found, hints), key=_rank)
        if len(ranked) == 1:
            return ranked[0], ()
        nested = _nested_choice(ranked)
        if policy is None and nested is not None:
            return nested
        if policy == "first":
            chosen = ranked[0]
        elif policy == "smallest":
            chosen = min(ranked, key=lambda m: (m.place.precision_km, _rank(m)))
        elif policy == "largest":
            chosen = max(ranked, key=lambda m: (m.place.precision_km, -_KIND_RANK[m.place.kind]))
        elif policy == "border-most":
            chosen = _border_most(ranked)
        else:
            raise AmbiguousPlace(query, candidates=ranked)
        return chosen, tuple(m for m in ranked if m is not chosen)


class _FuzzyIndex:
    """Normalised keys indexed two ways for fuzzy matching.

    * by length, so a scan reads only keys that can reach a cutoff: OSA
      similarity is 1 - distance / max(len), so a key of length m can reach
      cutoff c against a query of length n only if |n - m| <= (1 - c) * max(n, m);
    * by single-letter deletions (the SymSpell idea): two strings within one
      insertion, deletion, substitution or swap of neighbours share a deletion
      variant, so the keys one edit away come from a few dictionary lookups.
      A one-edit match always scores higher than any two-edit match (for keys of
      two letters or more), so when one exists the best match is among them.
    """

    def __init__(self, keys: Iterable[str], deletions: bool = True):
        self.keys = sorted(keys)
        self._by_len: dict[int, list[str]] = {}
        for k in self.keys:
            self._by_len.setdefault(len(k), []).append(k)
        self._use_deletions = deletions
        self._deletes: dict[str, list[str]] | None = None  # built on the first fuzzy query
        self._windows: dict[tuple[int, float], list[str]] = {}

    def one_edit(self, key: str, cutoff: float) -> list[tuple[str, float]]:
        """Keys within one edit of ``key`` scoring at least ``cutoff``, best first."""
        from rapidfuzz.distance import OSA

        if not self._use_deletions:
            return []
        if self._deletes is None:
            deletes: dict[str, list[str]] = {}
            for k in self.keys:
                for variant in _deletions(k):
                    deletes.setdefault(variant, []).append(k)
            self._deletes = deletes
        found: set[str] = set()
        for variant in _deletions(key):
            found.update(self._deletes.get(variant, ()))
        scored = []
        for k in found:
            score = 100.0 * OSA.normalized_similarity(key, k)
            if score >= cutoff:
                scored.append((k, score))
        return sorted(scored, key=lambda t: (-t[1], t[0]))

    def _window(self, n: int, cutoff: float) -> list[str]:
        slot = (n, cutoff)
        keys = self._windows.get(slot)
        if keys is None:
            c = cutoff / 100.0
            lo = math.ceil(n * c - 1e-9)
            hi = math.floor(n / c + 1e-9) if c > 0 else max(self._by_len, default=0)
            keys = [k for m in range(lo, hi + 1) for k in self._by_len.get(m, ())]
            self._windows[slot] = keys
        return keys

    def extract(self, key: str, cutoff: float, limit: int) -> list[tuple[str, float]]:
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        choices = self._window(len(key), cutoff)
        if not choices:
            return []
        scored = process.extract(key, choices, scorer=OSA.normalized_similarity,
                                 score_cutoff=cutoff / 100.0, limit=limit)
        return [(k, 100.0 * s) for k, s, _ in scored]


# Leading words that describe a place rather than name it (second readings only).
_DESCRIPTIVE = frozenset({
    "eastern", "western", "northern", "southern", "northeastern", "northwestern",
    "southeastern", "southwestern", "east", "west", "north", "south", "general", "area",
    "upper", "lower", "the",
})
_OF_PATTERN = re.compile(r"^(?P<head>.+?)\s+(?:of|in)\s+(?P<tail>[^,]+)$")
_POSSESSIVE = re.compile(r"^(?P<tail>.+?)s\s+(?P<head>.+)$")  # apostrophe folded away
# Last words of "X area of Y" that make Y the answer when X is unknown.
_AREA_WORDS = frozenset({"area", "areas", "village", "villages", "town", "bazaar", "bazar",
                         "locality", "region", "valley", "post", "posts", "checkpost",
                         "checkpoint", "checkpoints"})
# ... when Y is an admin unit: a town's 2 km radius would not hold its villages.
_CONTAINERS = frozenset({"province", "district", "tehsil"})


def _container_reading(name: str, hints: _Hints):
    """"X area of Y" (village, town, bazaar, post ... of/in Y): Y as the answer when X is
    unknown and Y is a province, district or tehsil, as for a report naming only Y
    ("Alingar area of Safi tehsil"); None for other names (a town's 2 km would not
    hold its villages)."""
    m = _OF_PATTERN.match(_fold(name.split(",")[0]))
    head = _split(m.group("head"))[0].split() if m else []
    if not head or head[-1] not in _AREA_WORDS:
        return None
    tail_key, tail_implied = _split(m.group("tail"))
    if not tail_key:
        return None
    return tail_key, hints.with_kinds(tail_implied or _CONTAINERS)


_AT_CROSSING = re.compile(
    r"^(?:.*\s)?(?:crossing|crossing point|gate|border)\s+(?:at|in)\s+(?P<tail>[^,]+)$")

_LONG_GENERIC = tuple(w for w in _GENERIC_WORDS if len(w) >= 6 and w.isascii())


def _misspelt_generic(key: str) -> tuple[str, str] | None:
    """A first or last word one or two slips from a generic word ("distrcit",
    "wilayaat"): the rest and the kind the word implies; None otherwise."""
    tokens = key.split()
    if len(tokens) < 2:
        return None
    from rapidfuzz.distance import OSA

    for pos in (-1, 0):
        word = tokens[pos]
        if len(word) < 5 or word in _GENERIC_WORDS:
            continue
        for generic in _LONG_GENERIC:
            if OSA.normalized_similarity(word, generic) >= 0.75:
                rest = tokens[:-1] if pos == -1 else tokens[1:]
                if pos == 0 and len(rest) > 1 and rest[0] in _IZAFE:
                    rest = rest[1:]
                if (pos == -1 and len(rest) > 1 and rest[-1] == "tribal"
                        and generic in _TRIBAL_UNITS):  # "Khyber Tribal Distrcit"
                    rest = rest[:-1]
                return " ".join(rest), _GENERIC_WORDS[generic]
    return None


_VOWELS_H = re.compile(r"[aeiouh]")


@functools.lru_cache(maxsize=1 << 16)
def skeleton(key: str) -> str:
    """The consonant skeleton of a normalised key: its transliteration key without
    vowels and h, doubled letters merged ("Sporra", "Sperah" -> "spr")."""
    t = transliteration_key(key)
    if not t.isascii():
        return t
    return _DOUBLES.sub(r"\1", _VOWELS_H.sub("", t))


#: A fuzzy answer farther than this from the Durand Line is not confident: in border
#: reporting, a near miss on a distant town is likelier a village the gazetteer lacks.
FUZZY_BORDER_KM = 100.0
#: Transliteration keys shorter than this need :data:`SHORT_KEY_SCORE` to match fuzzily
#: (one slip in five letters is another name as often as a variant: Shawal/Shal).
SHORT_KEY = 7
SHORT_KEY_SCORE = 85.0


def confident_fuzzy(key: str, place: Place, score: float) -> bool:
    """Whether a fuzzy match of normalised ``key`` to ``place`` is a spelling variant
    rather than another name one letter away.

    A variant keeps the consonants: the query and one of the place's names have the
    same :func:`skeleton` (vowels, h, doubled letters and the romanisation pairs of
    :func:`transliteration_key` may differ: "Gorbz" = Gurbuz, "Spurra" = Sperah), and
    their transliteration keys are at least :data:`FUZZY_THRESHOLD` similar. A changed,
    dropped or added consonant ("Ghanikhel" -> Jani Khel, "Shigal" -> Shigar, "Bagan"
    -> Baghlan, "Maidan" -> Mardan) is not confident; nor is a key shorter than
    :data:`SHORT_KEY` letters below :data:`SHORT_KEY_SCORE`, unless only letters in place
    changed ("Kurrum", "Bajuar"; not "Shawal" -> Shal). (The resolver also refuses
    fuzzy answers farther than :data:`FUZZY_BORDER_KM` from the line.) See
    benchmarks/bench_gazetteer.py for what this costs on keyboard typos.
    """
    sk = skeleton(key)
    tk = transliteration_key(key)
    need = SHORT_KEY_SCORE if len(tk) < SHORT_KEY else FUZZY_THRESHOLD
    for other_sk, to in _name_forms(place):
        if other_sk != sk:
            continue
        score = similarity(tk, to)
        # a short key may still change a vowel in place ("Kurrum", "Bajuar")
        if score >= need or (len(to) == len(tk) and score >= FUZZY_THRESHOLD):
            return True
    return False


_FORMS: dict[tuple, tuple[tuple[str, str], ...]] = {}


def _name_forms(place: Place) -> tuple[tuple[str, str], ...]:
    """(skeleton, transliteration key) of each name of a place, cached."""
    slot = (place.id, place.name, place.aliases)
    forms = _FORMS.get(slot)
    if forms is None:
        keys = {normalize_name(t) for t in (place.name, *place.aliases)} - {""}
        forms = _FORMS[slot] = tuple(sorted({(skeleton(k), transliteration_key(k)) for k in keys}))
    return forms


def _strip_kind_words(key: str, hints: _Hints) -> tuple[str, _Hints]:
    """Trailing kind words ("border crossing", "pass", "valley") as kind hints."""
    tokens = key.split()
    kinds: set[str] = set()
    while len(tokens) > 1 and tokens[-1] in _KIND_WORDS:
        kinds.add(_KIND_WORDS[tokens.pop()])
    if not kinds:
        return key, hints
    return " ".join(tokens), hints.with_kinds(kinds)


def _describe(place: Place) -> str:
    where = ", ".join(x for x in (place.admin1, place.country) if x)
    return f"{place.name} ({place.kind}, {where})"


def _deletions(key: str) -> set[str]:
    """The key and every string made by deleting one of its characters."""
    return {key} | {key[:i] + key[i + 1:] for i in range(len(key))}


def _rank(m: Match):
    return (-m.score, 0 if m.match == "exact" else 1, _KIND_RANK[m.place.kind], m.place.id)


#: Which of several nested namesakes a bare name resolves to: the populated place
#: first, then the crossing, then the finest admin unit; features last.
PREFERENCE = ("town", "crossing", "tehsil", "district", "province", "country", "feature")
_PREF_RANK = {k: i for i, k in enumerate(PREFERENCE)}
#: Namesakes whose points lie within this many km of the chosen one (or within the
#: radius of the broadest of them) count as one place named at different levels.
NEST_KM = 25.0


def _nested_choice(matches: list[Match]) -> tuple[Match, tuple[Match, ...]] | None:
    """The match a tie of nested namesakes resolves to, and the others; None if the
    tied places are not one place named at several levels.

    Nested: one country (crossings, which sit on the line, count for both), and
    every other point within the largest radius among the admin units or
    :data:`NEST_KM` of the chosen one, or inside the polygon of the unit it is
    farther from. The choice follows :data:`PREFERENCE`
    (town > crossing > tehsil > district > province > feature); two of the chosen
    kind more than 5 km apart are not nested.
    """
    places = [m.place for m in matches]
    countries = {p.country for p in places if p.kind != "crossing"}
    if len(countries) > 1:
        return None
    best = min(matches, key=lambda m: (_PREF_RANK[m.place.kind], m.place.precision_km,
                                       m.place.id))
    b = best.place
    reach = max([NEST_KM] + [p.precision_km for p in places if p.kind in _ADMIN_KINDS])
    for p in places:
        if p is b:
            continue
        d = haversine_km(b.lon, b.lat, p.lon, p.lat)
        if p.kind == b.kind and d > 5.0:
            return None
        if d > reach and not _inside_polygon(b, p):
            return None
    return best, tuple(m for m in sorted(matches, key=_rank) if m is not best)


def _inside_polygon(inner: Place, outer: Place) -> bool:
    """Whether ``inner``'s point lies in ``outer``'s polygon (a Pakistani district or
    tehsil, an Afghan province): Chagai tehsil in Chagai district, whose point (the mean of
    its GeoNames places) is 170 km away in a 44,000 km² district."""
    if outer.kind not in ("province", "district", "tehsil") or outer.kind == inner.kind:
        return False
    from .errors import GeodataError

    try:
        polygon = _province_polygons().get(outer.id)
    except GeodataError:  # no polygons in a geodata folder of the user's own
        return False
    if polygon is None:
        return False
    from shapely import contains_xy

    return bool(contains_xy(polygon, inner.lon, inner.lat))


def _nested_broadest(matches: list[Match]) -> Match | None:
    """Backwards-compatible name: the match nested namesakes resolve to, or None."""
    chosen = _nested_choice(matches)
    return chosen[0] if chosen is not None else None


def _nested_namesakes(places: Iterable[Place]) -> dict[str, tuple[Place, ...]]:
    """For each place, the places of the same name (same transliteration key) and country,
    of another admin kind, whose points lie within the larger of the two radii or one inside
    the other's polygon: the town, district and province of one name treated as one answer
    whatever spelling was used."""
    groups: dict[tuple[str, str], list[Place]] = {}
    for p in places:
        if p.kind in _ADMIN_KINDS and p.kind != "country":
            key = transliteration_key(normalize_name(p.name))
            groups.setdefault((p.country, key), []).append(p)
    out: dict[str, list[Place]] = {}
    for members in groups.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if a.kind != b.kind and (haversine_km(a.lon, a.lat, b.lon, b.lat) <= max(
                        a.precision_km, b.precision_km) or _inside_polygon(a, b)
                        or _inside_polygon(b, a)):
                    out.setdefault(a.id, []).append(b)
                    out.setdefault(b.id, []).append(a)
    return {k: tuple(v) for k, v in out.items()}


def _border_most(ranked: list[Match]) -> Match:
    """The candidate nearest the Durand Line (ties: the ranked order)."""
    from .border import DurandLine

    distance = DurandLine.default().distance_km([m.place.lon for m in ranked],
                                                [m.place.lat for m in ranked])
    best = min(range(len(ranked)), key=lambda i: (float(distance[i]), i))
    return ranked[best]


# -- precision codes ------------------------------------------------------------------------
#: Nominal radius (km) of each location-precision code of the ACLED and UCDP
#: conflict datasets. Codes that name an admin level ("adm2", "adm1", "country")
#: take the median ``precision_km`` of that kind in the gazetteer instead of a
#: fixed number; None means the code gives no radius (UCDP 5, a linear feature;
#: 7, international waters or air space).
PRECISION_CODES = {
    # ACLED geo_precision: 1 the named town itself; 2 a nearby or surrounding area
    # (a part of a district); 3 a larger region (province) only.
    "acled": {1: 2.0, 2: "district", 3: "province"},
    # UCDP GED where_prec: 1 exact place; 2 within 25 km of it; 3 second-order admin
    # unit; 4 first-order admin unit; 5 linear feature; 6 country; 7 waters/air.
    "ucdp": {1: 2.0, 2: 25.0, 3: "district", 4: "province", 5: None, 6: "country", 7: None},
}


def precision_km_for_code(scheme: str, code: int, gazetteer: Gazetteer | None = None):
    """The radius (km) an ACLED/UCDP precision code stands for; None if it gives none.

    Admin-level codes use the median ``precision_km`` of that kind of place in
    ``gazetteer`` (the default one if not given), so they follow the data.
    """
    table = PRECISION_CODES.get(str(scheme).lower())
    if table is None:
        raise ValueError(f"unknown precision scheme {scheme!r}; use acled or ucdp")
    try:
        value = table[int(code)]
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"unknown {scheme} precision code {code!r}; "
                         f"use one of {', '.join(map(str, table))}") from None
    if isinstance(value, str):
        return _median_precision(gazetteer or Gazetteer.default(), value)
    return value


def precision_code(place: Place, scheme: str = "acled", gazetteer: Gazetteer | None = None) -> int:
    """The ACLED/UCDP precision code that a resolved place honestly supports.

    Admin units take the code of their level (a province is ACLED 3 / UCDP 4, a
    district ACLED 2 / UCDP 3); points and small areas (towns, crossings,
    tehsils, features) the finest code whose nominal radius holds their
    ``precision_km``. ``gazetteer`` is accepted for symmetry with
    :func:`precision_km_for_code` and not needed here.
    """
    scheme = str(scheme).lower()
    if scheme not in PRECISION_CODES:
        raise ValueError(f"unknown precision scheme {scheme!r}; use acled or ucdp")
    acled = scheme == "acled"
    if place.kind == "country":
        return 3 if acled else 6
    if place.kind == "province":
        return 3 if acled else 4
    if place.kind == "district":
        return 2 if acled else 3
    point_km = PRECISION_CODES[scheme][1]
    if place.precision_km <= point_km:
        return 1
    if acled:
        return 2
    return 2 if place.precision_km <= PRECISION_CODES["ucdp"][2] else 3


def _median_precision(gazetteer: Gazetteer, kind: str) -> float:
    values = sorted(p.precision_km for p in gazetteer if p.kind == kind)
    if not values:
        raise ValueError(f"the gazetteer has no {kind} to measure a radius from")
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


# -- reading places ---------------------------------------------------------------------------
def read_places_csv(path) -> list[Place]:
    """Places of a CSV in :data:`COLUMNS`; DataError names file, row and field."""
    path = Path(path)
    places = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = tuple(reader.fieldnames or ())
            missing = [c for c in COLUMNS if c not in header]
            if missing:
                raise DataError(
                    f"missing column(s) {', '.join(missing)}",
                    location=f"{path} row 1", field=missing[0],
                )
            for row in reader:
                places.append(_place_from_row(row, f"{path} row {reader.line_num}"))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise DataError(f"cannot read gazetteer: {err}", location=str(path)) from err
    seen: dict[str, int] = {}
    for number, place in enumerate(places, start=2):
        if place.id in seen:
            raise DataError(
                f"duplicate id '{place.id}' (first at row {seen[place.id]})",
                location=f"{path} row {number}", field="id",
            )
        seen[place.id] = number
    return places


def _place_from_row(row: dict, location: str) -> Place:
    def number(field: str) -> float:
        text = (row.get(field) or "").strip()
        try:
            value = float(text)
        except ValueError:
            raise DataError(f"not a number: {text!r}", location=location, field=field) from None
        if not math.isfinite(value):
            raise DataError(f"not a finite number: {text!r}", location=location, field=field)
        return value

    for field in ("id", "name", "kind", "country"):
        if not (row.get(field) or "").strip():
            raise DataError("missing value", location=location, field=field)
    values = {field: number(field) for field in ("lon", "lat", "precision_km")}
    aliases = [a for a in (row.get("aliases") or "").split("|") if a.strip()]
    try:
        return Place(
            id=row["id"], name=row["name"], aliases=aliases, kind=row["kind"],
            country=row["country"], admin1=row.get("admin1") or "",
            admin2=row.get("admin2") or "", source=row.get("source") or "",
            derivation=row.get("derivation") or "", **values,
        )
    except ValueError as err:
        field, _, message = str(err).partition(": ")
        raise DataError(message or str(err), location=location, field=field or None) from None


#: Columns of a GeoNames country dump (readme of the GeoNames export), in order.
GEONAMES_COLUMNS = (
    "geonameid", "name", "asciiname", "alternatenames", "latitude", "longitude",
    "feature_class", "feature_code", "country_code", "cc2", "admin1_code", "admin2_code",
    "admin3_code", "admin4_code", "population", "elevation", "dem", "timezone",
    "modification_date",
)
# Nominal radius (km) of GeoNames features by class, and codes with their own.
_GN_CLASS_KM = {"P": 2.0, "S": 1.0, "T": 2.0, "H": 5.0, "L": 10.0, "V": 5.0, "R": 5.0, "U": 10.0}
_GN_CODE_KM = {
    "PPLC": 5.0, "PPLA": 5.0, "PPLA2": 3.0, "PPLA3": 3.0, "PPLA4": 2.0, "PSTB": 1.0,
    "PASS": 2.0, "MT": 2.0, "MTS": 15.0, "VAL": 10.0, "STM": 10.0, "AREA": 10.0, "RGN": 25.0,
}


def iter_geonames(path, countries=COUNTRIES) -> Iterator[tuple[int, dict | None, str]]:
    """Rows of a GeoNames dump (``AF.txt``, or a ``.zip`` holding it) as dicts.

    Yields ``(line_number, row, problem)``: ``row`` is None and ``problem`` says
    why for lines that are not 19 tab-separated columns or lie outside
    ``countries``; comment lines (``#``) are skipped.
    """
    path = Path(path)
    with _open_text(path) as fh:
        for number, line in enumerate(fh, start=1):
            line = line.rstrip("\r\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != len(GEONAMES_COLUMNS):
                yield number, None, f"{len(parts)} columns, expected {len(GEONAMES_COLUMNS)}"
                continue
            row = dict(zip(GEONAMES_COLUMNS, parts, strict=True))
            if row["country_code"] not in countries:
                yield number, None, "country"
                continue
            yield number, row, ""


class _TextOpener:
    def __init__(self, path: Path):
        self.path = path
        self._handles: list = []

    def __enter__(self):
        if zipfile.is_zipfile(self.path):
            archive = zipfile.ZipFile(self.path)
            names = [n for n in archive.namelist() if n.endswith(".txt")
                     and not n.lower().startswith("readme")]
            if not names:
                archive.close()
                raise DataError("no .txt member in the zip file", location=str(self.path))
            try:  # the member's size, before reading it (a zip bomb): limits.py
                check_member(archive.getinfo(names[0]), f"{self.path}!{shown(names[0])}")
            except DataError:
                archive.close()
                raise
            raw = archive.open(names[0])
            self._handles = [archive, raw]
            fh = io.TextIOWrapper(raw, encoding="utf-8")
        else:
            fh = open(self.path, encoding="utf-8")  # noqa: SIM115 - closed in __exit__
        self._handles.append(fh)
        return fh

    def __exit__(self, *exc):
        for h in reversed(self._handles):
            h.close()


def _open_text(path: Path) -> _TextOpener:
    return _TextOpener(path)


def place_from_geonames(row: dict, admin2_names: dict[str, str],
                        location: str = "") -> Place | None:
    """A :class:`Place` for one GeoNames row, or None for kinds the gazetteer skips.

    Populated places (class P) are towns; ADM1/ADM2/ADM3 are provinces,
    districts and tehsils; border posts (S.PSTB) are crossings; other named
    features are features. Countries and historical divisions are skipped.
    """
    fclass, fcode = row["feature_class"], row["feature_code"]
    if fclass == "A":
        kind = {"ADM1": "province", "ADM2": "district", "ADM3": "tehsil",
                "ADM4": "tehsil"}.get(fcode)
        if kind is None:  # PCLI (the country), ADMD, historical divisions (ADM1H, ...)
            return None
    elif fclass == "P":
        kind = "town"
    elif fcode == "PSTB":
        kind = "crossing"
    else:
        kind = "feature"
    cc = row["country_code"]
    admin1 = GEONAMES_ADMIN1.get(f"{cc}.{row['admin1_code']}", "")
    admin2 = admin2_names.get(f"{cc}.{row['admin1_code']}.{row['admin2_code']}", "")
    if kind == "province":
        precision = 100.0
    elif kind in ("district", "tehsil"):
        precision = 20.0 if kind == "district" else 10.0
    else:
        precision = _GN_CODE_KM.get(fcode, _GN_CLASS_KM.get(fclass, 5.0))
    name = row["name"].strip()
    aliases = [row["asciiname"]] + row["alternatenames"].split(",")
    try:
        return Place(
            id=f"gn.{row['geonameid'].strip()}", name=name, aliases=aliases, kind=kind,
            country=cc, admin1=admin1, admin2=admin2 if kind != "province" else "",
            lon=float(row["longitude"]), lat=float(row["latitude"]), precision_km=precision,
            source=f"GeoNames {row['geonameid'].strip()} ({fclass}.{fcode}), user import",
            derivation=f"GeoNames point; nominal {precision:g} km radius for {fclass}.{fcode}",
        )
    except ValueError as err:
        field, _, message = str(err).partition(": ")
        raise DataError(message or str(err), location=location, field=field or None) from None


# -- the user index ---------------------------------------------------------------------------
def user_data_dir() -> Path:
    """Folder of the user's border-map data (the gazetteer index).

    ``$BORDER_MAP_HOME`` if set (tests point it at a temporary folder), else
    ``$XDG_DATA_HOME/border-map``, else ``~/.local/share/border-map``.
    """
    home = os.environ.get("BORDER_MAP_HOME")
    if home:
        return Path(home)
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "border-map"


class ImportReport(NamedTuple):
    """What ``UserIndex.import_file`` did."""

    file: str
    format: str
    imported: int
    skipped: dict
    index: str


_SCHEMA = """
CREATE TABLE IF NOT EXISTS places (
    id TEXT PRIMARY KEY, layer TEXT NOT NULL, origin TEXT NOT NULL,
    name TEXT NOT NULL, aliases TEXT NOT NULL, kind TEXT NOT NULL, country TEXT NOT NULL,
    admin1 TEXT NOT NULL, admin2 TEXT NOT NULL, lon REAL NOT NULL, lat REAL NOT NULL,
    precision_km REAL NOT NULL, source TEXT NOT NULL, derivation TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS names (
    key TEXT NOT NULL, translit TEXT NOT NULL, place_id TEXT NOT NULL, how TEXT NOT NULL,
    layer TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS names_key ON names (layer, key);
CREATE INDEX IF NOT EXISTS names_translit ON names (layer, translit);
CREATE INDEX IF NOT EXISTS names_place ON names (place_id);
CREATE TABLE IF NOT EXISTS imports (
    file TEXT NOT NULL, format TEXT NOT NULL, rows INTEGER NOT NULL, imported_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS places_layer ON places (layer);
CREATE TABLE IF NOT EXISTS fuzzy_probes (
    layer TEXT NOT NULL, probe TEXT NOT NULL, klen INTEGER NOT NULL, key TEXT NOT NULL,
    PRIMARY KEY (layer, probe, klen, key)
) WITHOUT ROWID;
"""
#: Keys fetched from SQLite per probe of the fuzzy tier of an index layer (see
#: :func:`fuzzy_probes`); a fuzzy query fetches at most :data:`MAX_PROBES` times this.
PROBE_LIMIT = 2000
#: Probes per fuzzy query at most: 3 skeleton lengths x (3 + 2 swaps), and the prefix.
MAX_PROBES = 16
_BATCH = 20_000  # places written (or names re-keyed) per executemany


def _add_probes(con: sqlite3.Connection, after_rowid: int) -> None:
    """Add the probes of the names stored after ``after_rowid`` to ``fuzzy_probes``, in
    one statement sorted by SQLite (on disk if need be): appending in key order is many
    times faster than inserting batch after batch into the middle of the table."""
    con.create_function("bm_probe", 2, lambda key, i: fuzzy_probes(key)[i],
                        deterministic=True)
    con.execute("INSERT OR IGNORE INTO fuzzy_probes "
                "SELECT layer, bm_probe(key, i), length(key), key FROM names, "
                "(SELECT 0 AS i UNION ALL SELECT 1 UNION ALL SELECT 2) "
                "WHERE names.rowid > ? ORDER BY 1, 2, 3, 4", (after_rowid,))


@functools.lru_cache(maxsize=1 << 12)  # called three times a key in a row by _add_probes
def fuzzy_probes(key: str) -> tuple[str, str, str]:
    """The three probe strings stored for a normalised key in ``fuzzy_probes``.

    The key's consonant :func:`skeleton` ``s`` (length ``m``) is cut into three parts
    ``s1 s2 s3`` at ``m//3`` and ``2m//3``; the probes are ``s1 s2`` (a prefix), ``s2 s3``
    (a suffix) and ``s1 | s3``, each tagged with ``m``. One edit of ``s`` (a letter
    inserted, dropped, replaced, or two neighbours swapped) leaves at least two of the
    three parts in place, so every key whose skeleton is within one edit of a query's
    shares a probe with one of the few :func:`query_probes` of the query: the fuzzy tier
    of a user index finds them by indexed look-ups, never by reading every key.
    """
    s = skeleton(key)
    m = len(s)
    a, b = m // 3, 2 * m // 3
    return f"{m}<{s[:b]}", f"{m}>{s[a:]}", f"{m}|{s[:a]}|{s[b:]}"


def query_probes(key: str) -> list[str]:
    """The probes to look up for a query key (see :func:`fuzzy_probes`): for each skeleton
    length ``m`` within one of the query's, the parts a key of length ``m`` would keep
    after one insertion, deletion or substitution, and the query with a swap across
    either cut undone."""
    q = skeleton(key)
    n = len(q)
    out: list[str] = []
    for m in (n, n - 1, n + 1):
        if m < 0:
            continue
        a, b = m // 3, 2 * m // 3
        if b <= n:
            out.append(f"{m}<{q[:b]}")
        if m - a <= n:
            out.append(f"{m}>{q[n - (m - a):]}")
        if a + (m - b) <= n:
            out.append(f"{m}|{q[:a]}|{q[n - (m - b):]}")
        if m == n:
            for cut in (a, b):
                if 0 < cut < n:
                    swapped = q[:cut - 1] + q[cut] + q[cut - 1] + q[cut + 1:]
                    out.append(f"{m}<{swapped[:b]}")
    return list(dict.fromkeys(out))


class UserIndex:
    """The user's own places, in one SQLite file (see the module docstring).

    Two layers: ``"user"`` (CSV rows, merged into the default gazetteer) and
    ``"geonames"`` (dump rows, a fallback queried in SQLite). Re-importing a file
    replaces rows with the same ids, so an import can be repeated.
    """

    FILENAME = "gazetteer.sqlite"

    def __init__(self, path):
        self.path = Path(path)
        self._con: sqlite3.Connection | None = None
        self._cache: dict[str, Place | None] = {}
        self._layers: dict[str, _IndexLayer] = {}

    @classmethod
    def default_path(cls) -> Path:
        return user_data_dir() / cls.FILENAME

    @classmethod
    def default(cls) -> UserIndex:
        return cls(cls.default_path())

    def exists(self) -> bool:
        return self.path.is_file()

    # -- connection ---------------------------------------------------------------------
    def _connect(self, write: bool = False) -> sqlite3.Connection:
        if self._con is None:
            if write:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            elif not self.path.is_file():
                raise DataError("no user gazetteer index", location=str(self.path))
            try:
                self._con = sqlite3.connect(self.path)
                had_probes = self._con.execute(
                    "SELECT 1 FROM sqlite_master WHERE name = 'fuzzy_probes'").fetchone()
                self._con.executescript(_SCHEMA)
                if not self._refresh_translit_keys() and had_probes is None:
                    self._rebuild_probes()  # an index written before the probes existed
            except sqlite3.Error as err:
                self.close()
                raise DataError(f"cannot open the user gazetteer index: {err}",
                                location=str(self.path)) from err
        return self._con

    def _refresh_translit_keys(self) -> bool:
        """Recompute the stored transliteration keys (and the fuzzy probes, made from
        them) when the rules changed since the index was written (``PRAGMA user_version``
        records the rules' version); True if it did. Reads the names in batches."""
        con = self._con
        if con.execute("PRAGMA user_version").fetchone()[0] >= TRANSLIT_VERSION:
            return False
        with con:
            last = -1
            while True:
                rows = con.execute("SELECT rowid, key FROM names WHERE rowid > ? "
                                   "ORDER BY rowid LIMIT ?", (last, _BATCH)).fetchall()
                if not rows:
                    break
                con.executemany("UPDATE names SET translit = ? WHERE rowid = ?",
                                [(transliteration_key(k), rowid) for rowid, k in rows])
                last = rows[-1][0]
            con.execute(f"PRAGMA user_version = {TRANSLIT_VERSION}")
        self._rebuild_probes()
        return True

    def _rebuild_probes(self) -> None:
        """Fill ``fuzzy_probes`` from the stored names (once, for an index written by an
        older version; minutes for a 2 M-row dump, said on stderr first)."""
        con = self._con
        if con.execute("SELECT 1 FROM names LIMIT 1").fetchone() is None:
            return
        import logging

        logging.getLogger(__name__).warning(
            "%s: indexing the names of the user gazetteer for fuzzy matching (once, for an "
            "index written by an older border-map)", shown(str(self.path)))
        with con:
            con.execute("DELETE FROM fuzzy_probes")
            _add_probes(con, -1)

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    # -- writing ------------------------------------------------------------------------
    def import_file(self, path, fmt: str = "auto", reserved_ids=()) -> ImportReport:
        """Import a CSV (shipped columns) or a GeoNames dump; ``fmt`` auto-detects.

        ``reserved_ids`` (the shipped ids) may not be reused by a CSV row.
        """
        path = Path(path)
        if not path.is_file():
            raise DataError("no such file", location=str(path))
        if fmt == "auto":
            fmt = _sniff_format(path)
        if fmt == "csv":
            check_import_rows(path)  # before parsing: every command loads these (limits.py)
            places = read_places_csv(path)
            reserved = set(reserved_ids)
            for number, place in enumerate(places, start=2):
                if place.id in reserved:
                    raise DataError(f"id '{place.id}' is a shipped place; choose another id",
                                    location=f"{path} row {number}", field="id")
                check_place_region(place.lon, place.lat, f"{path} row {number}")  # (0, 0)...
            return self._store(path, "csv", "user", places, {})
        if fmt == "geonames":
            return self._import_geonames(path)
        raise ValueError(f"unknown import format {fmt!r}; use auto, csv or geonames")

    def _import_geonames(self, path: Path) -> ImportReport:
        """Two passes over the dump, so memory does not grow with its size: the first
        finds the district (ADM2) names and checks it is a dump, the second converts and
        writes the rows in batches (one transaction: all or nothing)."""
        skipped: Counter = Counter()
        admin2_names: dict[str, str] = {}
        seen_row = False
        for number, row, problem in iter_geonames(path):
            if row is None:
                skipped["bad line" if problem != "country" else "other country"] += 1
                if problem != "country" and not seen_row and skipped["bad line"] >= 5:
                    raise DataError(f"not a GeoNames dump: line {number} has {problem}",
                                    location=str(path))
                continue
            seen_row = True
            if row["feature_code"] == "ADM2":
                code = f"{row['country_code']}.{row['admin1_code']}.{row['admin2_code']}"
                admin2_names[code] = row["name"]

        def places():
            for number, row, _problem in iter_geonames(path):
                if row is None:
                    continue
                place = place_from_geonames(row, admin2_names, f"{path} line {number}")
                if place is None:
                    skipped[f"feature {row['feature_class']}.{row['feature_code']}"] += 1
                    continue
                # outside the region: refused (model_checks)
                check_place_region(place.lon, place.lat, f"{path} line {number}",
                                   "longitude", "latitude")
                yield place

        return self._store(path, "geonames", "geonames", places(), skipped)

    def _store(self, path: Path, fmt: str, layer: str, places: Iterable[Place],
               skipped: dict) -> ImportReport:
        """Write places (any iterable: read in batches of :data:`_BATCH`) in one
        transaction, replacing rows with the same ids (the probes of names no longer
        stored stay: they fetch nothing). A refused first import leaves no index file."""
        existed = self.path.exists()
        con = self._connect(write=True)
        origin = f"{layer}:{path.name}"
        count = 0
        try:
            with con:
                last = con.execute("SELECT coalesce(max(rowid), -1) FROM names").fetchone()[0]
                it = iter(places)
                while batch := list(itertools.islice(it, _BATCH)):
                    count += len(batch)
                    ids = [(p.id,) for p in batch]
                    con.executemany("DELETE FROM names WHERE place_id = ?", ids)
                    con.executemany("DELETE FROM places WHERE id = ?", ids)
                    con.executemany(
                        "INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        [(p.id, layer, origin, p.name, "|".join(p.aliases), p.kind, p.country,
                          p.admin1, p.admin2, p.lon, p.lat, p.precision_km, p.source,
                          p.derivation) for p in batch])
                    con.executemany("INSERT INTO names VALUES (?,?,?,?,?)",
                                    _name_rows(batch, layer))
                _add_probes(con, last)
                con.execute("INSERT INTO imports VALUES (?,?,?,?)",
                            (str(path), fmt, count,
                             time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())))
        except BaseException as err:
            if not existed:
                self.clear()
            if isinstance(err, sqlite3.Error):
                raise DataError(f"cannot write the user gazetteer index: {err}",
                                location=str(self.path)) from err
            raise
        finally:
            self._cache.clear()
            self._layers.clear()
        return ImportReport(str(path), fmt, count, dict(skipped), str(self.path))

    # -- reading ------------------------------------------------------------------------
    def places(self, layer: str = "user") -> list[Place]:
        """Every place of a layer (used to merge the "user" layer into the default)."""
        if not self.exists():
            return []
        rows = self._connect().execute(
            "SELECT * FROM places WHERE layer = ? ORDER BY id", (layer,)).fetchall()
        return [_place_from_db(r) for r in rows]

    def origins(self, layer: str = "user") -> dict[str, str]:
        if not self.exists():
            return {}
        return dict(self._connect().execute(
            "SELECT id, origin FROM places WHERE layer = ?", (layer,)).fetchall())

    def get(self, place_id: str) -> Place | None:
        if place_id in self._cache:
            return self._cache[place_id]
        place = None
        if self.exists():
            row = self._connect().execute("SELECT * FROM places WHERE id = ?",
                                          (place_id,)).fetchone()
            place = _place_from_db(row) if row else None
        if len(self._cache) >= 100_000:  # a long batch against a large dump: stay bounded
            self._cache.clear()
        self._cache[place_id] = place
        return place

    def origin(self, place_id: str) -> str | None:
        if not self.exists():
            return None
        row = self._connect().execute("SELECT origin FROM places WHERE id = ?",
                                      (place_id,)).fetchone()
        return row[0] if row else None

    def has_layer(self, layer: str) -> bool:
        if not self.exists():
            return False
        return self._connect().execute(
            "SELECT 1 FROM places WHERE layer = ? LIMIT 1", (layer,)).fetchone() is not None

    def layer(self, layer: str) -> _IndexLayer:
        if layer not in self._layers:
            self._layers[layer] = _IndexLayer(self, layer)
        return self._layers[layer]

    def stats(self, layer: str | None = None) -> dict:
        """Counts by country and kind (one layer, or all), and the imported files."""
        out: dict = {"index": str(self.path), "places": 0, "by_country": {}}
        if not self.exists():
            return out
        con = self._connect()
        where, args = ("WHERE layer = ?", (layer,)) if layer else ("", ())
        counts = con.execute(
            f"SELECT country, kind, count(*) FROM places {where} GROUP BY country, kind",
            args).fetchall()
        for cc, kind, n in counts:
            slot = out["by_country"].setdefault(cc, {"total": 0})
            slot[kind] = n
            slot["total"] += n
            out["places"] += n
        out["imports"] = [
            {"file": f, "format": fmt, "rows": n, "imported_at": at}
            for f, fmt, n, at in con.execute("SELECT * FROM imports ORDER BY rowid")
        ]
        return out

    def clear(self) -> None:
        """Remove every imported place (the index file is deleted)."""
        self.close()
        self._cache.clear()
        self._layers.clear()
        if self.path.exists():
            self.path.unlink()


def _name_rows(places: list[Place], layer: str):
    for p in places:
        seen: dict[str, str] = {}
        for text, how in [(p.name, "exact")] + [(a, "alias") for a in p.aliases]:
            key = normalize_name(text)
            if key and key not in seen:
                seen[key] = how
        for key, how in seen.items():
            yield key, transliteration_key(key), p.id, how, layer


def _place_from_db(row) -> Place:
    (pid, _layer, _origin, name, aliases, kind, country, admin1, admin2, lon, lat,
     precision, source, derivation) = row
    return Place(pid, name, aliases=aliases.split("|") if aliases else (), kind=kind,
                 country=country, admin1=admin1, admin2=admin2, lon=lon, lat=lat,
                 precision_km=precision, source=source, derivation=derivation)


def _sniff_format(path: Path) -> str:
    if zipfile.is_zipfile(path):
        return "geonames"
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        first = fh.readline()
    if first.count("\t") == len(GEONAMES_COLUMNS) - 1:
        return "geonames"
    header = next(csv.reader([first]), [])
    if "id" in header and "name" in header:
        return "csv"
    raise DataError("neither a gazetteer CSV (header id,name,...) nor a GeoNames dump "
                    "(19 tab-separated columns)", location=str(path))


class _IndexLayer:
    """One layer of a :class:`UserIndex`, with the tier methods of :class:`Gazetteer`.

    Nothing here reads the whole layer: the exact and transliteration tiers are indexed
    look-ups, and the fuzzy tier scores only the keys its probes fetch (at most
    :data:`MAX_PROBES` x :data:`PROBE_LIMIT`; see :func:`fuzzy_probes`). ``fetched``
    counts the keys the last fuzzy query read from SQLite.
    """

    def __init__(self, index: UserIndex, layer: str):
        self._index = index
        self._layer = layer
        self.fetched = 0

    def _places_for(self, column: str, value: str) -> list[tuple[Place, str]]:
        rows = self._index._connect().execute(
            f"SELECT place_id, how FROM names WHERE layer = ? AND {column} = ?",
            (self._layer, value)).fetchall()
        best: dict[str, str] = {}
        for pid, how in rows:
            if best.get(pid) != "exact":
                best[pid] = how
        out = []
        for pid, how in sorted(best.items()):
            place = self._index.get(pid)
            if place is not None:
                out.append((place, how))
        return out

    def _exact_tier(self, query, key, hints) -> list[Match]:
        return [_new_match((query, p, how, 100.0))
                for p, how in self._places_for("key", key) if hints.accepts(p)]

    def _translit_tier(self, query, key, hints) -> list[Match]:
        return [_new_match((query, p, "fuzzy", TRANSLIT_SCORE))
                for p, _ in self._places_for("translit", transliteration_key(key))
                if hints.accepts(p)]

    def _variant_tier(self, query, key, hints, cutoff) -> list[Match]:
        return self._fuzzy_tier(query, key, hints, cutoff)

    def _candidates(self, key: str, cutoff: float) -> list[str]:
        """Keys whose skeleton is within one edit of the key's (by their probes) and whose
        length can reach the cutoff, lengths nearest the key's first, and keys that start
        with the key ("Shahikot" -> "shahikot kalay"), each probe bounded by
        :data:`PROBE_LIMIT`; in the order the full scan used (length, then key)."""
        con = self._index._connect()
        found: set[str] = set()
        fetched = 0
        n, c = len(key), max(cutoff, 1.0) / 100.0
        lengths = sorted(range(math.ceil(n * c - 1e-9), math.floor(n / c + 1e-9) + 1),
                         key=lambda m: (abs(m - n), m))
        for probe in query_probes(key):
            budget = PROBE_LIMIT
            for m in lengths:
                rows = con.execute(
                    "SELECT key FROM fuzzy_probes WHERE layer = ? AND probe = ? AND klen = ? "
                    "LIMIT ?", (self._layer, probe, m, budget)).fetchall()
                fetched += len(rows)
                found.update(k for (k,) in rows)
                budget -= len(rows)
                if budget <= 0:
                    break
        rows = con.execute("SELECT DISTINCT key FROM names WHERE layer = ? AND key >= ? "
                           "AND key < ? LIMIT ?",
                           (self._layer, key, key + "\U0010ffff", PROBE_LIMIT)).fetchall()
        fetched += len(rows)
        found.update(k for (k,) in rows)
        self.fetched = fetched
        return sorted(found, key=lambda k: (len(k), k))

    def _fuzzy_tier(self, query, key, hints, cutoff, best_only=True, limit=50) -> list[Match]:
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        choices = self._candidates(key, cutoff)
        scored = process.extract(key, choices, scorer=OSA.normalized_similarity,
                                 score_cutoff=cutoff / 100.0, limit=limit) if choices else []
        matches: dict[str, Match] = {}
        for cand_key, score, _ in scored:
            score *= 100.0
            for place, _how in self._places_for("key", cand_key):
                if hints.accepts(place) and (place.id not in matches
                                             or score > matches[place.id].score):
                    matches[place.id] = _new_match((query, place, "fuzzy", round(score, 1)))
        ranked = sorted(matches.values(), key=_rank)
        if best_only and ranked:
            ranked = [m for m in ranked if m.score == ranked[0].score]
        return ranked


# -- the default gazetteer ------------------------------------------------------------------
def _file_signature(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


@functools.lru_cache(maxsize=4)
def _default_gazetteer(shipped: str, shipped_sig, index_path: str, index_sig) -> Gazetteer:
    places = read_places_csv(shipped)
    if index_sig is None:
        return Gazetteer(places)
    index = UserIndex(index_path)
    user = usable_places(index.places("user"), index_path)  # model_checks: region
    origins = index.origins("user")
    fallback = index if index.has_layer("geonames") else None
    if not user and fallback is None:
        index.close()
        return Gazetteer(places)
    return Gazetteer(places + user, fallback=fallback, origins=origins)


@functools.cache
def _province_polygons() -> dict:
    """Polygons by place id: the Afghan provinces (geodata/af_provinces.geojson) and the
    Pakistani districts and tehsils of the border provinces (pk_districts.geojson,
    pk_tehsils.geojson; features without a gazetteer id are left out)."""
    from shapely.geometry import shape

    from .data import AF_PROVINCES, PK_DISTRICTS, PK_TEHSILS, geodata_path
    from .errors import GeodataError

    out = {}
    for name in (AF_PROVINCES, PK_DISTRICTS, PK_TEHSILS):
        try:
            path = geodata_path(name)
        except GeodataError:
            if name == AF_PROVINCES:
                raise
            continue  # a geodata folder of the user's own from before these files shipped
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            for f in doc["features"]:
                pid = f["properties"].get("id")
                if pid:
                    out[pid] = shape(f["geometry"])
        except (OSError, ValueError, KeyError) as err:
            raise GeodataError(f"cannot read the polygons of {name}: {err}") from err
    return out
