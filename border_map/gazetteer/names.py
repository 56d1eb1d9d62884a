"""Names to keys: folding, normalising, transliteration and Pashto keys, similarity;
the vocabularies of kinds, countries and generic words."""

from __future__ import annotations

import functools
import re
import unicodedata

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
#: of one sound in Arabic script; 4: aw/ow before a vowel is w, Peshawar = Peshavar;
#: Roman numerals II-IX as digits).
TRANSLIT_VERSION = 4
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
    ("ou", "u"), ("oo", "u"), ("ee", "i"),
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
# aw and ow as a vowel (Khowst = Khost, Dawlat = Daulat), not w as the consonant before a
# vowel (Peshawar = Peshavar, Zhawar = Zhavar)
_W_VOWEL = re.compile(r"[ao]w(?![aeiouy])")
# Roman numerals of two letters or more as digits, so that merging doubled letters keeps
# "Peshawar II" and "Peshawar III" apart (a lone i is the izafe of "Dand-i-Patan"): as a
# word, or ii/iii joined to the consonant that ends the name ("PeshawarIII")
_NUMERALS = {"ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8", "ix": "9"}
_NUMERAL = re.compile(r"\b(?:" + "|".join(sorted(_NUMERALS, key=len, reverse=True))
                      + r")\b|(?<=[bcdfghjklmnpqrstvwxz])(?:iii|ii)$")
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
    if "i" in key and _NUMERAL.search(key):
        key = _NUMERAL.sub(lambda m: _NUMERALS[m.group()], key)
    out = _W_VOWEL.sub("u", _FINAL_H.sub("", key).replace(" ", ""))
    for old, new in _TRANSLIT_STEPS:
        out = out.replace(old, new)
    return _DOUBLES.sub(r"\1", out)


# names of later modules, used only when called (the package imports them in order)
