"""Tests of the offline gazetteer (border_map.gazetteer) and its shipped data.

No network: everything reads geodata/gazetteer.csv and geodata/af_provinces.geojson
from the checkout, or small tables built in the tests.
"""

from __future__ import annotations

import csv
import json
import math
import time
from pathlib import Path

import pytest

from border_map import gazetteer as gz
from border_map.errors import AmbiguousPlace, DataError, PlaceNotFound
from border_map.gazetteer import (
    COLUMNS,
    FUZZY_THRESHOLD,
    Gazetteer,
    Match,
    Place,
    normalize_name,
    similarity,
    transliteration_key,
)

GEODATA = Path(__file__).resolve().parents[1] / "geodata"
GAZETTEER_CSV = GEODATA / "gazetteer.csv"
PROVINCES_GEOJSON = GEODATA / "af_provinces.geojson"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.from_csv(GAZETTEER_CSV)


def km(a: Place, lon: float, lat: float) -> float:
    p1, p2 = math.radians(a.lat), math.radians(lat)
    dp, dl = p2 - p1, math.radians(lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


# -- the seed story ------------------------------------------------------------------------
# Places named in the seed article (shared/seed/article.txt), written out here.
SEED_PLACES = [
    ("Nangarhar", {}, "af.province.nangarhar"),
    ("Paktia", {}, "af.province.paktia"),
    ("Chitral", {}, "pk.district.chitral"),
    ("Khyber", {"kind": "district"}, "pk.district.khyber"),
    ("Mohmand", {}, "pk.district.mohmand"),
    ("Kurram", {}, "pk.district.kurram"),
    ("Bajaur", {}, "pk.district.bajaur"),
    ("Khyber Pakhtunkhwa", {}, "pk.province.khyber-pakhtunkhwa"),
    ("Kabul", {}, "af.province.kabul"),
    ("Islamabad", {}, "pk.province.islamabad"),
]


@pytest.mark.parametrize(("name", "hints", "expected"), SEED_PLACES)
def test_seed_article_places_resolve(gaz, name, hints, expected):
    match = gaz.resolve(name, **hints)
    assert match.place.id == expected
    assert match.match == "exact" and match.score == 100


# -- borderland names in common spellings -------------------------------------------------
BORDERLAND = [
    ("Paktiya", "af.province.paktia", "AF"),
    ("Paktya", "af.province.paktia", "AF"),
    ("Ningarhar", "af.province.nangarhar", "AF"),
    ("Nangarhār", "af.province.nangarhar", "AF"),
    ("Khowst", "af.province.khost", "AF"),
    ("Khost", "af.province.khost", "AF"),
    ("Khost province", "af.province.khost", "AF"),
    ("Konar", "af.province.kunar", "AF"),
    ("Kunar", "af.province.kunar", "AF"),
    ("Wilayat-e Kunar", "af.province.kunar", "AF"),
    ("Nuristan", "af.province.nuristan", "AF"),
    ("Nooristan", "af.province.nuristan", "AF"),
    ("Paktika", "af.province.paktika", "AF"),
    ("Kandahar", "af.province.kandahar", "AF"),
    ("Qandahar", "af.province.kandahar", "AF"),
    ("Helmand", "af.province.helmand", "AF"),
    ("Hilmand", "af.province.helmand", "AF"),
    ("Nimroz", "af.province.nimroz", "AF"),
    ("Zabul", "af.province.zabul", "AF"),
    ("Panjshir", "af.province.panjshir", "AF"),
    ("Daykundi", "af.province.daykundi", "AF"),
    ("Jalalabad", "af.district.jalalabad", "AF"),
    ("Asadabad", "af.district.asadabad", "AF"),
    ("Spin Boldak, Kandahar", "af.district.spin-boldak", "AF"),
    ("Gardez", "af.district.gardez", "AF"),
    ("Sharana", "af.town.sharan", "AF"),
    ("Achin", "af.district.achin", "AF"),
    ("Wakhan Corridor", "feature.wakhan-corridor", "AF"),
    ("Bajaur Agency", "pk.district.bajaur", "PK"),
    ("Bājaur Agency", "pk.district.bajaur", "PK"),
    ("Khyber Agency", "pk.district.khyber", "PK"),
    ("Khyber District", "pk.district.khyber", "PK"),
    ("Kurram Agency", "pk.district.kurram", "PK"),
    ("Kurram, Pakistan", "pk.district.kurram", "PK"),
    ("Mohmand Agency", "pk.district.mohmand", "PK"),
    ("Orakzai", "pk.district.orakzai", "PK"),
    ("North Waziristan", "pk.district.north-waziristan", "PK"),
    ("South Waziristan Agency", "pk.district.south-waziristan", "PK"),
    ("Upper Chitral", "pk.district.upper-chitral", "PK"),
    ("Lower Chitral", "pk.district.lower-chitral", "PK"),
    ("Lower Dir", "pk.district.lower-dir", "PK"),
    ("Zhob", "pk.district.zhob", "PK"),
    ("Qila Abdullah", "pk.district.qila-abdullah", "PK"),
    ("Killa Abdullah", "pk.district.qila-abdullah", "PK"),
    ("Chaman District", "pk.district.chaman", "PK"),
    ("Peshawar", "pk.district.peshawar", "PK"),
    ("Quetta", "pk.district.quetta", "PK"),
    ("Bannu", "pk.district.bannu", "PK"),
    ("Landi Kotal", "pk.town.landi-kotal", "PK"),
    ("Landikotal", "pk.town.landi-kotal", "PK"),
    ("Parachinar", "pk.town.parachinar", "PK"),
    ("Miran Shah", "pk.town.miran-shah", "PK"),
    ("Miramshah", "pk.town.miran-shah", "PK"),
    ("Wana", "pk.town.wana", "PK"),
    ("Fort Sandeman", "pk.town.zhob", "PK"),
    ("Khyber Pakhtunkhwa", "pk.province.khyber-pakhtunkhwa", "PK"),
    ("NWFP", "pk.province.khyber-pakhtunkhwa", "PK"),
    ("KPK", "pk.province.khyber-pakhtunkhwa", "PK"),
    ("FATA", "pk.province.fata", "PK"),
    ("Federally Administered Tribal Areas", "pk.province.fata", "PK"),
    ("Baluchistan", "pk.province.balochistan", "PK"),
    ("Torkham", "crossing.torkham", "PK"),
    ("Torkham border", "crossing.torkham", "PK"),
    ("Chaman crossing", "crossing.chaman-spin-boldak", "PK"),
    ("Friendship Gate", "crossing.chaman-spin-boldak", "PK"),
    ("Ghulam Khan", "crossing.ghulam-khan", "PK"),
    ("Angoor Adda", "crossing.angoor-adda", "PK"),
    ("Angur Adda", "crossing.angoor-adda", "PK"),
    ("Kharlachi", "crossing.kharlachi", "PK"),
    ("Arandu", "crossing.arandu", "PK"),
    ("Tirah", "feature.tirah", "PK"),
    ("Tirah Valley", "feature.tirah", "PK"),
    ("Khyber Pass", "feature.khyber-pass", "PK"),
]


@pytest.mark.parametrize(("name", "expected", "country"), BORDERLAND)
def test_borderland_spellings(gaz, name, expected, country):
    match = gaz.resolve(name)
    assert match.place.id == expected
    assert match.place.country == country
    assert match.score >= 95


def test_table_is_large_enough():
    assert len(BORDERLAND) >= 40


# -- ambiguity and policies ---------------------------------------------------------------
def test_khyber_alone_is_ambiguous(gaz):
    with pytest.raises(AmbiguousPlace) as err:
        gaz.resolve("Khyber")
    ids = {m.place.id for m in err.value.candidates}
    assert {"pk.district.khyber", "feature.khyber-pass"} <= ids
    assert "pk.province.khyber-pakhtunkhwa" not in ids
    assert all(isinstance(m, Match) for m in err.value.candidates)
    assert "Khyber" in str(err.value) and isinstance(err.value, ValueError)


def test_khyber_with_hints(gaz):
    assert gaz.resolve("Khyber", kind="district").place.id == "pk.district.khyber"
    assert gaz.resolve("Khyber", kind="agency").place.id == "pk.district.khyber"
    assert gaz.resolve("Khyber district").place.id == "pk.district.khyber"
    assert gaz.resolve("Khyber", kind="feature").place.id == "feature.khyber-pass"
    assert gaz.resolve("Khyber Pakhtunkhwa").place.id == "pk.province.khyber-pakhtunkhwa"


def test_policies_break_ties(gaz):
    smallest = gaz.resolve("Khyber", policy="smallest")
    assert smallest.place.precision_km == min(
        gaz.get("pk.district.khyber").precision_km, gaz.get("feature.khyber-pass").precision_km)
    assert gaz.resolve("Khyber", policy="first").place.id == "pk.district.khyber"
    with pytest.raises(ValueError):
        gaz.resolve("Khyber", policy="nearest")


def test_nested_namesakes_resolve_to_the_broadest(gaz):
    # province, district and city of Kandahar: the province's radius covers the others
    match = gaz.resolve("Kandahar")
    assert match.place.kind == "province"
    assert gaz.resolve("Kandahar", policy="smallest").place.id == "af.town.kandahar"
    assert gaz.resolve("Kandahar", kind="town").place.id == "af.town.kandahar"
    assert gaz.resolve("Kandahar city").place.id == "af.town.kandahar"


def test_crossing_named_after_its_towns(gaz):
    # "Chaman" is the town/district and, in reports, the crossing: ambiguous without a hint
    with pytest.raises(AmbiguousPlace) as err:
        gaz.resolve("Chaman")
    assert {m.place.id for m in err.value.candidates} == {
        "pk.town.chaman", "pk.district.chaman", "crossing.chaman-spin-boldak"}
    assert gaz.resolve("Chaman", kind="crossing").place.id == "crossing.chaman-spin-boldak"
    assert gaz.resolve("Chaman", country="PK", kind="district").place.id == "pk.district.chaman"
    assert gaz.resolve("Spin Boldak", kind="crossing").place.id == "crossing.chaman-spin-boldak"
    assert gaz.resolve("Spin Boldak", country="AF", kind="district").place.id == (
        "af.district.spin-boldak")


def test_admin_and_country_hints(gaz):
    assert gaz.resolve("Khost", kind="town").place.id == "af.town.khost"
    assert gaz.resolve("Spin Boldak", admin="Kandahar").place.admin1 == "Kandahar"
    # an admin hint in any spelling the gazetteer knows
    assert gaz.resolve("Gardez, Paktiya").place.id == "af.district.gardez"
    assert gaz.resolve("Kurram", country="Pakistan").place.id == "pk.district.kurram"
    # crossings sit on the line: either country hint finds them
    assert gaz.resolve("Torkham", country="AF").place.id == "crossing.torkham"
    assert gaz.resolve("Torkham", country="PK").place.id == "crossing.torkham"
    with pytest.raises(PlaceNotFound):
        gaz.resolve("Kurram", country="AF", kind="district")
    with pytest.raises(ValueError):
        gaz.resolve("Kurram", country="India")
    with pytest.raises(ValueError):
        gaz.resolve("Kurram", kind="river")


def test_khyber_pakhtunkhwa_never_matches_khyber_exactly(gaz):
    assert normalize_name("Khyber Pakhtunkhwa") != normalize_name("Khyber")
    for m in gaz.search("Khyber", limit=20):
        if m.place.id == "pk.province.khyber-pakhtunkhwa":
            assert m.score < 100


# -- unknown names and typos --------------------------------------------------------------
def test_unknown_name_lists_candidates(gaz):
    with pytest.raises(PlaceNotFound) as err:
        gaz.resolve("Nangarharistan Valley of Atlantis")
    assert isinstance(err.value, LookupError)
    with pytest.raises(PlaceNotFound) as err:
        gaz.resolve("Paris")
    assert 0 < len(err.value.candidates) <= 5
    assert all(isinstance(m, Match) and m.score < FUZZY_THRESHOLD for m in err.value.candidates)
    assert "did you mean" in str(err.value)


@pytest.mark.parametrize(("typo", "expected"), [
    ("Nangarhr", "af.province.nangarhar"),
    ("Chitrall", "pk.district.chitral"),
    ("Peshwar", "pk.district.peshawar"),
    ("Kurrum", "pk.district.kurram"),
    ("Bajuar", "pk.district.bajaur"),
    ("Torkam", "crossing.torkham"),
])
def test_typos_resolve_fuzzily(gaz, typo, expected):
    match = gaz.resolve(typo)
    assert match.place.id == expected
    assert match.match == "fuzzy"
    assert FUZZY_THRESHOLD <= match.score < 100


# Threshold measurement (see FUZZY_THRESHOLD): typos must score at or above it
# against the place meant, non-places below it against every key.
TYPOS = [
    ("Nangarhr", "af.province.nangarhar"), ("Chitrall", "pk.district.chitral"),
    ("Kandhar", "af.province.kandahar"), ("Peshwar", "pk.district.peshawar"),
    ("Qetta", "pk.district.quetta"), ("Jalalabd", "af.district.jalalabad"),
    ("Paktica", "af.province.paktika"), ("Nuristn", "af.province.nuristan"),
    ("Helmnd", "af.province.helmand"), ("Kurrum", "pk.district.kurram"),
    ("Bajuar", "pk.district.bajaur"), ("Mohmnd", "pk.district.mohmand"),
    ("Torkam", "crossing.torkham"), ("Parachnar", "pk.town.parachinar"),
    ("Landi Kotl", "pk.town.landi-kotal"), ("Asadbad", "af.district.asadabad"),
    ("Ghazny", "af.province.ghazni"), ("Orakzia", "pk.district.orakzai"),
    ("Kharlachy", "crossing.kharlachi"), ("Bannuu", "pk.district.bannu"),
    ("Zhoob", "pk.district.zhob"), ("North Waziristn", "pk.district.north-waziristan"),
    ("Laghmn", "af.province.laghman"), ("Badakshn", "af.province.badakhshan"),
    ("Kabull", "af.province.kabul"), ("Gardaz", "af.district.gardez"),
    ("Spin Boldk", "af.district.spin-boldak"), ("Ghulam Kan", "crossing.ghulam-khan"),
    ("Angor Adda", "crossing.angoor-adda"), ("Khyber Pakhtunkwa", "pk.province.khyber-pakhtunkhwa"),
]
NON_PLACES = [
    "Paris", "London", "Berlin", "Tokyo", "Madrid", "Moscow", "Cairo", "Nairobi", "Chicago",
    "Toronto", "banana", "keyboard", "helicopter", "yesterday", "ceasefire", "checkpoint",
    "airstrike", "soldier", "village", "border", "river", "mountain", "Kathmandu", "Dhaka",
    "Tehran",
]


def test_fuzzy_threshold_separates_typos_from_non_places(gaz):
    keys = {normalize_name(t) for p in gaz for t in (p.name, *p.aliases)} - {""}
    typo_scores = []
    for typo, expected in TYPOS:
        place = gaz.get(expected)
        own = [normalize_name(t) for t in (place.name, *place.aliases)]
        typo_scores.append(max(similarity(normalize_name(typo), k) for k in own))
    other_scores = [max(similarity(normalize_name(w), k) for k in keys) for w in NON_PLACES]
    assert len(TYPOS) == 30 and len(NON_PLACES) == 25
    assert min(typo_scores) >= FUZZY_THRESHOLD > max(other_scores)
    for word in NON_PLACES:
        with pytest.raises(PlaceNotFound):
            gaz.resolve(word)


def test_transliteration_key_merges_variants():
    pairs = [("Khowst", "Khost"), ("Konar", "Kunar"), ("Paktiya", "Paktia"),
             ("Landikotal", "Landi Kotal"), ("Ghowr", "Ghor"), ("Jawzjan", "Jowzjan")]
    for a, b in pairs:
        assert transliteration_key(normalize_name(a)) == transliteration_key(normalize_name(b))
    assert transliteration_key("kabul") != transliteration_key("kandahar")


def test_normalize_name():
    assert normalize_name("Khyber Agency") == "khyber"
    assert normalize_name("  Bājaur   AGENCY ") == "bajaur"
    assert normalize_name("District Bajaur") == "bajaur"
    assert normalize_name("Qal‘ah-ye Now") == "qalah ye now"
    assert normalize_name("ولایت کنر") == "کنر"
    assert normalize_name("Tank Frontier Region") == "tank frontier region"
    assert normalize_name("District") == "district"  # never normalised to nothing


# -- data quality --------------------------------------------------------------------------
def test_provinces_exist_where_they_are(gaz):
    panjshir = gaz.get("af.province.panjshir")
    daykundi = gaz.get("af.province.daykundi")
    assert km(panjshir, 69.6, 35.3) < 60
    assert km(daykundi, 66.0, 34.0) < 60
    # Natural Earth's duplicate labels are fixed, and said to be fixed
    assert "relabelled Panjshir" in panjshir.derivation
    assert "relabelled Daykundi" in daykundi.derivation
    parwan = [p for p in gaz if p.kind == "province" and p.name == "Parwan"]
    assert len(parwan) == 1


def test_counts(gaz):
    def count(country, kind):
        return sum(1 for p in gaz if p.country == country and p.kind == kind)

    assert count("AF", "province") == 34
    assert count("PK", "province") == 8
    assert count("AF", "town") >= 300
    assert count("PK", "town") >= 500
    assert count("AF", "district") >= 250
    assert count("PK", "crossing") >= 5
    crossings = [p for p in gaz if p.kind == "crossing"]
    assert all(p.source and p.derivation for p in crossings)
    assert all(p.precision_km <= 5 for p in crossings)


def test_every_row_is_sourced_and_plausible(gaz):
    for p in gaz:
        assert p.source and p.derivation, p.id
        assert 60 <= p.lon <= 78 and 23 <= p.lat <= 39, p.id
        assert p.precision_km > 0
        if p.kind == "district":
            assert p.precision_km >= 10, p.id


def test_csv_layout():
    with open(GAZETTEER_CSV, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == COLUMNS
    ids = [r[0] for r in rows[1:]]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert all(len(r) == len(COLUMNS) for r in rows)


def test_province_polygons():
    geometry = pytest.importorskip("shapely.geometry")
    Point, shape = geometry.Point, geometry.shape

    assert PROVINCES_GEOJSON.stat().st_size < 500_000
    doc = json.loads(PROVINCES_GEOJSON.read_text("utf-8"))
    feats = doc["features"]
    assert len(feats) == 34
    gaz = Gazetteer.from_csv(GAZETTEER_CSV)
    for f in feats:
        geom = shape(f["geometry"])
        assert geom.is_valid and not geom.is_empty
        place = gaz.get(f["properties"]["id"])
        assert f["properties"]["name"] == place.name
        assert geom.contains(Point(place.lon, place.lat)), place.id


# -- reading CSV ---------------------------------------------------------------------------
GOOD_ROW = {
    "id": "af.town.test", "name": "Test", "aliases": "Tst|Tesst", "kind": "town", "country": "AF",
    "admin1": "Kunar", "admin2": "", "lon": "71.1", "lat": "34.8", "precision_km": "2",
    "source": "unit test", "derivation": "made up",
}


def write_rows(path: Path, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(("field", "value", "message"), [
    ("lon", "seventy", "not a number"),
    ("lat", "95.5", "outside"),
    ("name", "", "missing"),
    ("kind", "river", "kind"),
    ("country", "IN", "country"),
    ("precision_km", "-1", "positive"),
])
def test_bad_rows_name_file_row_and_field(tmp_path, field, value, message):
    bad = dict(GOOD_ROW, id="af.town.bad", **{field: value})
    path = write_rows(tmp_path / "bad.csv", [GOOD_ROW, bad])
    with pytest.raises(DataError) as err:
        Gazetteer.from_csv(path)
    assert err.value.field == field
    assert "bad.csv row 3" in str(err.value)
    assert f"field '{field}'" in str(err.value)
    assert message in str(err.value)


def test_missing_column_and_duplicate_id(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("id,name\nx,y\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        Gazetteer.from_csv(path)
    assert "short.csv" in str(err.value) and err.value.field == "aliases"
    dup = write_rows(tmp_path / "dup.csv", [GOOD_ROW, GOOD_ROW])
    with pytest.raises(DataError) as err:
        Gazetteer.from_csv(dup)
    assert err.value.field == "id" and "dup.csv row 3" in str(err.value)


def test_round_trip_small_table(tmp_path):
    gaz = Gazetteer.from_csv(write_rows(tmp_path / "ok.csv", [GOOD_ROW]))
    place = gaz.get("af.town.test")
    assert place.aliases == ("Tst", "Tesst")
    assert (place.lon, place.lat) == (71.1, 34.8)
    props = place.to_properties()
    assert json.loads(json.dumps(props)) == props
    assert props["aliases"] == ["Tst", "Tesst"]
    assert gaz.resolve("tesst").match == "alias"
    with pytest.raises(PlaceNotFound):
        gaz.get("nowhere")
    with pytest.raises(AttributeError):
        place.lat = 0.0
    with pytest.raises(TypeError):
        Place("x", "X", kind="town", country="AF", precision_km=1)  # no silent (0, 0)


def test_default_is_the_shipped_file_and_cached(monkeypatch):
    monkeypatch.setenv("BORDER_MAP_GEODATA", str(GEODATA))
    gz._default_gazetteer.cache_clear()
    try:
        first = Gazetteer.default()
        assert first is Gazetteer.default()
        assert len(first) == len(Gazetteer.from_csv(GAZETTEER_CSV))
    finally:
        gz._default_gazetteer.cache_clear()


# -- search and speed ----------------------------------------------------------------------
def test_search_ranks_candidates(gaz):
    results = gaz.search("Khyber", limit=5)
    assert len(results) <= 5
    assert {m.place.id for m in results[:2]} == {"pk.district.khyber", "feature.khyber-pass"}
    assert [m.score for m in results] == sorted((m.score for m in results), reverse=True)
    towns = gaz.search("Chitral", kind="town", country="PK")
    assert towns and all(m.place.kind == "town" and m.place.country == "PK" for m in towns)
    assert gaz.search("") == []


def test_exact_lookups_are_fast(gaz):
    names = ["Paktia", "Khost", "Landi Kotal", "Kurram, Pakistan", "Torkham", "Miramshah"]
    for name in names:
        gaz.resolve(name)
    n = 20_000
    start = time.perf_counter()
    for i in range(n):
        gaz.resolve(names[i % len(names)])
    rate = n / (time.perf_counter() - start)
    assert rate > 20_000  # measured ~250k/s; generous margin for slow CI machines


def test_crossings_lie_on_the_shipped_line(gaz):
    """Crossings are placed on the OSM line; the shipped durand_line.geojson is built from it."""
    line_path = GEODATA / "durand_line.geojson"
    if not line_path.is_file():
        pytest.skip("geodata/durand_line.geojson not built")
    shapely = pytest.importorskip("shapely")
    np = pytest.importorskip("numpy")
    from pyproj import Transformer
    from shapely.geometry import Point, shape

    doc = json.loads(line_path.read_text("utf-8"))
    line = shapely.union_all([shape(f["geometry"]) for f in doc["features"]])
    to_m = Transformer.from_crs("EPSG:4326", "+proj=laea +lat_0=33 +lon_0=67", always_xy=True)
    line_m = shapely.transform(
        line, lambda xy: np.column_stack(to_m.transform(xy[:, 0], xy[:, 1])))
    for place in (p for p in gaz if p.kind == "crossing"):
        x, y = to_m.transform(place.lon, place.lat)
        assert line_m.distance(Point(x, y)) < 100, place.id  # metres
