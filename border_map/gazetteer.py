"""Offline gazetteer: turn place names from reports into points with an honest radius.

The shipped table is ``geodata/gazetteer.csv`` (built by
``geodata/build/build_gazetteer.py``; provenance in ``geodata/SOURCES.md``).
Every row is a :class:`Place`: a point (longitude first), a ``precision_km``
radius of uncertainty, and the source and derivation of the point.

Resolution (:meth:`Gazetteer.resolve`) works on normalised keys:

1. **exact / alias** (score 100): the normalised query equals the normalised
   name (``match="exact"``) or one of the aliases (``match="alias"``) of a
   place. Names and aliases form one tier, so "Khyber" (the district's name
   and a common short name of the Khyber Pass) is ambiguous.
2. **transliteration key** (reported as ``match="fuzzy"``, score 95): a
   phonetic-ish key that folds kh/k, gh/g, q/k, w/v, o/u, e/i/y, ow/aw/u and
   doubled letters and ignores spaces, so Khowst = Khost, Konar = Kunar,
   Paktiya = Paktia, Landikotal = Landi Kotal, Chitrall = Chitral. It is
   reported as fuzzy because the spelling is not one the sources list.
3. **fuzzy** (``match="fuzzy"``, score 0-100): :func:`similarity` -- the
   normalised optimal-string-alignment similarity of rapidfuzz (one
   substitution, insertion, deletion or swap of neighbours = one edit) -- over
   the normalised keys, accepted at :data:`FUZZY_THRESHOLD` or above.
   ``fuzz.ratio`` was tried first: it counts a substitution as two edits, so a
   one-letter slip in a six-letter name ("Kurrum") scored 83.3, the same as
   "banana" against the town Banian.

Normalising casefolds, strips diacritics and apostrophe-like marks
(ʿ ʾ ' ’), unifies Arabic-script letter variants, turns punctuation into
spaces and drops generic words at either end (province, district, agency,
tehsil, wilayat, velayat, city, and their Dari/Pashto/Urdu forms). A dropped
word becomes a kind hint: "Khyber district" and "Khyber Agency" look for a
district. "Frontier Region" and "Tribal Area" are *not* dropped: "Tank
Frontier Region" and "Tank" are different places.

Hints narrow the candidates: ``country`` ("AF", "PK", "Afghanistan",
"Pakistan"), ``kind`` (one or several of :data:`KINDS`; "agency" and "tehsil"
mean district, "pass"/"valley"/"corridor" mean feature) and ``admin`` (an
admin1 or admin2 name, in any spelling the gazetteer knows). A query such as
"Spin Boldak, Kandahar" or "Kurram, Pakistan" carries its hints after commas.
Border crossings sit on the line and satisfy either country hint.

When several places tie:

* namesakes nested in one another -- all of kind country/province/district/
  town, same country, every point inside the radius of the broadest one
  (Kandahar province, district and city) -- resolve to the **broadest** one,
  whose radius covers them all; ``policy="smallest"`` picks the most precise;
* anything else (a district and a pass both called "Khyber") raises
  :class:`~border_map.errors.AmbiguousPlace` with the candidates, unless a
  ``policy`` is given: ``"smallest"`` (smallest ``precision_km``),
  ``"largest"`` or ``"first"`` (first in the ranked candidate list).

An unknown name raises :class:`~border_map.errors.PlaceNotFound` carrying up
to five closest :class:`Match` objects ("did you mean"): those scoring 50 or
more by :func:`similarity`, else the best by rapidfuzz ``fuzz.WRatio`` (60 or
more), which also catches a known name inside a longer, garbled query.
"""

from __future__ import annotations

import csv
import functools
import math
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from .errors import AmbiguousPlace, DataError, PlaceNotFound

__all__ = [
    "COLUMNS",
    "FUZZY_THRESHOLD",
    "KINDS",
    "POLICIES",
    "Gazetteer",
    "Match",
    "Place",
    "normalize_name",
    "similarity",
    "transliteration_key",
]

#: Columns of gazetteer.csv, in order.
COLUMNS = (
    "id", "name", "aliases", "kind", "country", "admin1", "admin2",
    "lon", "lat", "precision_km", "source", "derivation",
)
#: Place kinds, broadest first (also the tie order in ranked lists).
KINDS = ("country", "province", "district", "town", "crossing", "feature")
COUNTRIES = ("AF", "PK")
POLICIES = (None, "smallest", "largest", "first")

#: Lowest :func:`similarity` accepted as a fuzzy match. Measured with the
#: TYPOS and NON_PLACES lists in tests/test_gazetteer.py against the shipped
#: gazetteer: the 30 typos of borderland names (one or two slips each) score
#: 80.0-94.4 against their intended name, while the 25 non-place words and
#: foreign cities score at most 71.4 against any key. 76 sits in that gap.
FUZZY_THRESHOLD = 76.0
#: Score reported for a transliteration-key match.
TRANSLIT_SCORE = 95.0

_ADMIN_KINDS = frozenset({"country", "province", "district", "town"})
_KIND_RANK = {k: i for i, k in enumerate(KINDS)}

# Generic words dropped from either end of a name, with the kind they imply.
_GENERIC_WORDS = {
    "province": "province", "wilayat": "province", "velayat": "province",
    "welayat": "province", "ولایت": "province", "صوبه": "province",
    "استان": "province", "ایالت": "province",
    "district": "district", "agency": "district", "tehsil": "district",
    "ولسوالی": "district", "ولسوالۍ": "district", "ضلع": "district",
    "city": "town",
}
_IZAFE = frozenset({"e", "i", "ye", "y"})
# Trailing words tried as kind hints only when the full name is unknown.
_KIND_WORDS = {
    "pass": "feature", "valley": "feature", "corridor": "feature", "area": "feature",
    "crossing": "crossing", "border": "crossing", "gate": "crossing", "terminal": "crossing",
    "town": "town", "village": "town", "bazaar": "town",
}
_KIND_ALIASES = {
    "agency": "district", "tehsil": "district", "pass": "feature", "valley": "feature",
    "corridor": "feature", "city": "town", "village": "town", "border crossing": "crossing",
}
_COUNTRY_NAMES = {
    "af": "AF", "afg": "AF", "afghanistan": "AF",
    "pk": "PK", "pak": "PK", "pakistan": "PK",
}

_ARABIC_FOLD = str.maketrans({
    "ي": "ی", "ى": "ی", "ې": "ی", "ۍ": "ی", "ے": "ی", "ك": "ک", "ہ": "ه", "ۀ": "ه",
    "ة": "ه", "ە": "ه", "\u200c": " ", "\u200d": "", "\u0640": "",
})
_APOSTROPHES = str.maketrans(dict.fromkeys("'’‘ʿʾ`´ʻʼ′", ""))
_NON_WORD = re.compile(r"[\W_]+")
_TRANSLIT_STEPS = (
    ("kh", "k"), ("gh", "g"), ("ph", "f"), ("dh", "d"), ("ck", "k"), ("q", "k"),
    ("ow", "u"), ("aw", "u"), ("ou", "u"), ("oo", "u"), ("ee", "i"),
    ("w", "v"), ("y", "i"), ("e", "i"), ("o", "u"),
)
_DOUBLES = re.compile(r"(.)\1+")


def _fold(text: str) -> str:
    """Casefold, strip diacritics and apostrophes, unify Arabic-script letters."""
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", text).casefold().translate(_ARABIC_FOLD)


@functools.lru_cache(maxsize=1 << 16)
def _split(text: str) -> tuple[str, tuple[str, ...]]:
    """Normalised key of ``text`` and the kinds implied by generic words dropped from it."""
    tokens = _NON_WORD.sub(" ", _fold(text)).split()
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


@functools.lru_cache(maxsize=1 << 16)
def transliteration_key(key: str) -> str:
    """A coarser key that merges common romanisation variants of a normalised key."""
    if not key.isascii():
        return key.replace(" ", "")
    out = key.replace(" ", "")
    for old, new in _TRANSLIT_STEPS:
        out = out.replace(old, new)
    return _DOUBLES.sub(r"\1", out)


def _haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


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


class Match:
    """A resolved name: the query, the place, how it matched and a 0-100 score."""

    __slots__ = ("query", "place", "match", "score")

    def __init__(self, query: str, place: Place, match: str, score: float):
        object.__setattr__(self, "query", query)
        object.__setattr__(self, "place", place)
        object.__setattr__(self, "match", match)
        object.__setattr__(self, "score", float(score))

    def __setattr__(self, key, value):
        raise AttributeError(f"Match is immutable (cannot set {key!r})")

    def __eq__(self, other):
        if not isinstance(other, Match):
            return NotImplemented
        return (self.query, self.place, self.match, self.score) == (
            other.query, other.place, other.match, other.score)

    def __hash__(self):
        return hash((self.query, self.place.id, self.match, self.score))

    def __repr__(self) -> str:
        return f"Match({self.query!r} -> {self.place.id!r}, {self.match}, {self.score:g})"


class _Hints:
    __slots__ = ("countries", "kinds", "admins")

    def __init__(self, countries=frozenset(), kinds=frozenset(), admins=()):
        self.countries = frozenset(countries)
        self.kinds = frozenset(kinds)
        self.admins = tuple(admins)  # each a frozenset of accepted normalised admin names

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


class Gazetteer:
    """An in-memory gazetteer with dictionary indexes built once."""

    def __init__(self, places: Iterable[Place]):
        self._places: tuple[Place, ...] = tuple(places)
        self._by_id: dict[str, Place] = {}
        by_key: dict[str, dict[str, str]] = {}
        by_translit: dict[str, dict[str, None]] = {}
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
        self._by_key = {k: tuple(v.items()) for k, v in by_key.items()}
        self._by_translit = {k: tuple(v) for k, v in by_translit.items()}
        self._fuzzy_keys = sorted(self._by_key)

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_csv(cls, path) -> Gazetteer:
        """Read a gazetteer CSV; a bad row raises DataError naming file, row and field."""
        path = Path(path)
        places = []
        try:
            with open(path, newline="", encoding="utf-8") as fh:
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
        except (OSError, UnicodeDecodeError) as err:
            raise DataError(f"cannot read gazetteer: {err}", location=str(path)) from err
        seen: dict[str, int] = {}
        for number, place in enumerate(places, start=2):
            if place.id in seen:
                raise DataError(
                    f"duplicate id '{place.id}' (first at row {seen[place.id]})",
                    location=f"{path} row {number}", field="id",
                )
            seen[place.id] = number
        return cls(places)

    @classmethod
    def default(cls) -> Gazetteer:
        """The shipped gazetteer (geodata/gazetteer.csv), loaded once per process."""
        return _default_gazetteer()

    # -- container protocol ---------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._places)

    def __iter__(self):
        return iter(self._places)

    def __contains__(self, place_id) -> bool:
        return place_id in self._by_id

    def get(self, place_id: str) -> Place:
        """The place with this id; PlaceNotFound if there is none."""
        try:
            return self._by_id[place_id]
        except KeyError:
            message = f"no gazetteer entry with id '{place_id}'"
            raise PlaceNotFound(place_id, message=message) from None

    # -- resolution -----------------------------------------------------------------------
    def resolve(
        self, name: str, *, country: str | None = None, kind: str | Iterable[str] | None = None,
        admin: str | None = None, policy: str | None = None,
    ) -> Match:
        """Resolve one place name to a single :class:`Match` (see the module docstring)."""
        if policy not in POLICIES:
            raise ValueError(f"unknown policy {policy!r}; use one of {POLICIES}")
        query = name
        key, hints = self._prepare(name, country, kind, admin)
        if not key:
            raise PlaceNotFound(query, message=f"empty place name {query!r}")

        for tier in (self._exact_tier, self._translit_tier):
            found = tier(query, key, hints)
            if found:
                return self._decide(query, found, policy)
        # unknown as written: a trailing kind word ("Lowari pass") may be a hint
        tokens = key.split()
        if len(tokens) > 1 and tokens[-1] in _KIND_WORDS:
            short, kind_hint = " ".join(tokens[:-1]), _KIND_WORDS[tokens[-1]]
            for tier in (self._exact_tier, self._translit_tier):
                found = tier(query, short, hints.with_kinds({kind_hint}))
                if found:
                    return self._decide(query, found, policy)
        found = self._fuzzy_tier(query, key, hints, FUZZY_THRESHOLD)
        if found:
            return self._decide(query, found, policy)
        raise PlaceNotFound(query, candidates=self._suggestions(query, key, hints))

    def search(
        self, text: str, *, limit: int = 10, country: str | None = None,
        kind: str | Iterable[str] | None = None,
    ) -> list[Match]:
        """Ranked candidates for ``text`` (exact/alias, transliteration, then fuzzy)."""
        key, hints = self._prepare(text, country, kind, None)
        if not key or limit <= 0:
            return []
        best: dict[str, Match] = {}
        tiers = (
            self._exact_tier(text, key, hints),
            self._translit_tier(text, key, hints),
            self._fuzzy_tier(text, key, hints, 50.0, best_only=False, limit=max(limit * 5, 25)),
        )
        for tier in tiers:
            for m in tier:
                if m.place.id not in best or m.score > best[m.place.id].score:
                    best[m.place.id] = m
        return sorted(best.values(), key=_rank)[:limit]

    # -- internals ------------------------------------------------------------------------
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
                k = _KIND_ALIASES.get(k.strip().lower(), k.strip().lower())
                if k not in KINDS:
                    raise ValueError(f"unknown kind {k!r}; use one of {', '.join(KINDS)}")
                kinds.add(k)
        hints = _Hints(countries, kinds, admins)
        if implied:
            hints = hints.with_kinds(implied)
        return key, hints

    def _admin_names(self, key: str) -> frozenset[str]:
        """Normalised names of the provinces/districts a hint like "Paktiya" may mean."""
        names = {key}
        ids = [pid for pid, _ in self._by_key.get(key, ())]
        ids += list(self._by_translit.get(transliteration_key(key), ()))
        for pid in ids:
            place = self._by_id[pid]
            if place.kind in ("province", "district"):
                names.add(normalize_name(place.name))
        return frozenset(names)

    def _exact_tier(self, query, key, hints) -> list[Match]:
        return [
            Match(query, self._by_id[pid], how, 100.0)
            for pid, how in self._by_key.get(key, ())
            if hints.accepts(self._by_id[pid])
        ]

    def _translit_tier(self, query, key, hints) -> list[Match]:
        return [
            Match(query, self._by_id[pid], "fuzzy", TRANSLIT_SCORE)
            for pid in self._by_translit.get(transliteration_key(key), ())
            if hints.accepts(self._by_id[pid])
        ]

    def _fuzzy_tier(self, query, key, hints, cutoff, best_only=True, limit=50) -> list[Match]:
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        scored = process.extract(key, self._fuzzy_keys, scorer=OSA.normalized_similarity,
                                 score_cutoff=cutoff / 100.0, limit=limit)
        matches: dict[str, Match] = {}
        for cand_key, fraction, _ in scored:
            score = 100.0 * fraction
            for pid, _how in self._by_key[cand_key]:
                place = self._by_id[pid]
                if hints.accepts(place) and (pid not in matches or score > matches[pid].score):
                    matches[pid] = Match(query, place, "fuzzy", round(score, 1))
        ranked = sorted(matches.values(), key=_rank)
        if best_only and ranked:
            top = ranked[0].score
            ranked = [m for m in ranked if m.score == top]
        return ranked

    def _suggestions(self, query, key, hints) -> list[Match]:
        """Up to five "did you mean" candidates, generous where the fuzzy tier is strict."""
        from rapidfuzz import fuzz, process

        for h in (hints, _Hints()):
            closest = self._fuzzy_tier(query, key, h, 50.0, best_only=False)
            if closest:
                return closest[:5]
        # partial and token-wise likeness ("Nangarharr Provinceq"), scored by WRatio
        out: dict[str, Match] = {}
        for cand_key, score, _ in process.extract(key, self._fuzzy_keys, scorer=fuzz.WRatio,
                                                  score_cutoff=60.0, limit=10):
            for pid, _how in self._by_key[cand_key]:
                if pid not in out:
                    out[pid] = Match(query, self._by_id[pid], "fuzzy", round(score, 1))
        return sorted(out.values(), key=_rank)[:5]

    def _decide(self, query: str, found: list[Match], policy: str | None) -> Match:
        ranked = sorted(found, key=_rank)
        if len(ranked) == 1 or policy == "first":
            return ranked[0]
        if policy == "smallest":
            return min(ranked, key=lambda m: (m.place.precision_km, _rank(m)))
        if policy == "largest":
            return max(ranked, key=lambda m: (m.place.precision_km, -_KIND_RANK[m.place.kind]))
        nested = _nested_broadest(ranked)
        if nested is not None:
            return nested
        raise AmbiguousPlace(query, candidates=ranked)


def _rank(m: Match):
    return (-m.score, 0 if m.match == "exact" else 1, _KIND_RANK[m.place.kind], m.place.id)


def _nested_broadest(matches: list[Match]) -> Match | None:
    """The broadest match if all tied places are nested namesakes, else None."""
    places = [m.place for m in matches]
    if any(p.kind not in _ADMIN_KINDS for p in places) or len({p.country for p in places}) > 1:
        return None
    broadest = max(matches, key=lambda m: m.place.precision_km)
    b = broadest.place
    if sum(1 for p in places if p.precision_km == b.precision_km) > 1:
        return None
    for p in places:
        if p is not b and _haversine_km(b.lon, b.lat, p.lon, p.lat) > b.precision_km:
            return None
    return broadest


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


@functools.cache
def _default_gazetteer() -> Gazetteer:
    from .data import GAZETTEER, geodata_path

    return Gazetteer.from_csv(geodata_path(GAZETTEER))
