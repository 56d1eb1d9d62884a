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
   (Khail = Khel = Kheil), ow/aw/u (not before a vowel: Peshawar = Peshavar), a final
   h after a (Qal'ah, Darah) and doubled letters, writes Roman numerals II-IX as digits
   (Peshawar II is not Peshawar III) and ignores spaces, so Khowst = Khost, Konar = Kunar,
   Paktiya = Paktia, Orakzay = Orakzai, Landikotal = Landi Kotal, Qal'ah = Qala; in
   Arabic script, the letters Urdu and Pashto write differently for one sound
   (باجوڑ = باجوړ, طورخم = تورخم). Then, for places within :data:`FUZZY_BORDER_KM` of
   the line only, the same key with Pashto's dz and zh written j, z or zh merged
   (:func:`pashto_key`: Jadran = Zadran = Dzadran). It is reported as fuzzy because
   the spelling is not one the sources list.
3. **fuzzy** (``match="fuzzy"``, score 0-100): :func:`similarity` -- the
   normalised optimal-string-alignment similarity of rapidfuzz (one
   substitution, insertion, deletion or swap of neighbours = one edit) -- over
   the transliteration keys, accepted at :data:`FUZZY_THRESHOLD` or above and
   only as a spelling variant (see below). Only keys
   whose length can reach the threshold are scanned (an edit distance is at
   least the difference of the lengths).

A name whose generic words were dropped is also read literally, with them, at
the transliteration tier (after the exact tier of the shorter key, before its
transliteration tier): "uluswali Behsud" is GeoNames' "Oluswali Behsud", the
Wardak town, not Nangarhar's Bihsud district.

Before the fuzzy tier, a name unknown as written gets second readings: a
trailing kind word as a hint ("Lowari pass"), a first or last word one or two
slips from a generic word read as that word ("Zurmat Distrcit"), its last
words as a country or admin hint ("Mohmand Agency FATA", "Kurram Pakistan"),
descriptive words, "X of Y" and "crossing at X" (:meth:`Gazetteer._second_readings`),
and last its words joined ("Alah abad" = Alahabad: the split form's
transliteration key loses the word-final h).
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

# the public names, and the few internals that tests and benchmarks reach for
from ..errors import AmbiguousPlace, PlaceError, PlaceNotFound  # noqa: F401
from ..geo import haversine_km  # noqa: F401
from .core import (  # noqa: F401
    FUZZY_BORDER_KM,
    NEST_KM,
    PREFERENCE,
    Gazetteer,
    _FuzzyIndex,
    skeleton,
)
from .default import _default_gazetteer  # noqa: F401
from .names import (  # noqa: F401
    COLUMNS,
    COUNTRIES,
    FUZZY_THRESHOLD,
    GEONAMES_ADMIN1,
    KIND_ALIASES,
    KINDS,
    POLICIES,
    TRANSLIT_VERSION,
    _split,
    normalize_name,
    pashto_key,
    similarity,
    transliteration_key,
)
from .places import _NO_HINTS, Match, Place  # noqa: F401
from .precision import PRECISION_CODES, precision_code, precision_km_for_code  # noqa: F401
from .sources import iter_geonames, place_from_geonames, read_places_csv  # noqa: F401
from .user_index import (  # noqa: F401
    MAX_PROBES,
    PROBE_LIMIT,
    ImportReport,
    UserIndex,
    fuzzy_probes,
    query_probes,
    user_data_dir,
)

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
