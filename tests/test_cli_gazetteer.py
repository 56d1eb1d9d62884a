"""`border-map geocode` and `border-map gazetteer ...` through click's CliRunner.

Every command and flag branch: exit codes asserted, output parsed. BORDER_MAP_HOME
points at a temporary folder, so the user's own index is never read or written.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from border_map import gazetteer as gz
from border_map.cli import cli

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "data" / "gazetteer"


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("BORDER_MAP_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("BORDER_MAP_USER_AGENT", raising=False)
    gz._default_gazetteer.cache_clear()
    yield tmp_path / "home"
    gz._default_gazetteer.cache_clear()


@pytest.fixture()
def runner():
    return CliRunner()


def run(runner, *args, **kwargs):
    return runner.invoke(cli, list(args), **kwargs)


# -- geocode --------------------------------------------------------------------------------
def test_geocode_geojson_default(runner):
    res = run(runner, "geocode", "Torkham", "Paktiya", "Landi Kotal")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    props = [f["properties"] for f in doc["features"]]
    assert [p["id"] for p in props] == ["crossing.torkham", "af.province.paktia",
                                        "pk.town.landi-kotal"]
    assert props[2]["alternatives"] == ["pk.tehsil.landi-kotal"]
    assert props[0]["alternatives"] is None
    assert [p["match"] for p in props] == ["exact", "alias", "exact"]
    assert all(p["score"] == 100 for p in props)
    assert doc["features"][1]["geometry"]["type"] == "Point"
    assert doc["features"][1]["geometry"]["coordinates"] == [props[1]["lon"], props[1]["lat"]]


def test_geocode_feature_properties(runner):
    """Moved from tests/test_cli.py with the command."""
    res = run(runner, "geocode", "Torkham", "Paktiya", "Kurram, Pakistan")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 3
    props = [f["properties"] for f in doc["features"]]
    for p in props:
        for key in ("query", "name", "kind", "country", "admin1", "admin2", "precision_km",
                    "match", "score", "distance_to_border_km", "side", "source"):
            assert key in p
    assert props[0]["kind"] == "crossing" and props[0]["distance_to_border_km"] < 5
    assert props[1]["name"] == "Paktia" and props[1]["country"] == "AF" and props[1]["side"] == "AF"
    assert props[2]["country"] == "PK"


def test_geocode_country_and_kind_options(runner):
    res = run(runner, "geocode", "Khyber", "--country", "PK", "--kind", "district",
              "--indent", "1")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["features"][0]["properties"]["kind"] == "district"


def test_geocode_misspelt_generic_word_still_resolves(runner):
    # "Provinceq" is one slip from "province": it is read as the kind word it was meant to be
    res = run(runner, "geocode", "Nangarharr Provinceq", "--format", "jsonl")
    assert res.exit_code == 0, res.output
    row = json.loads(res.stdout)
    assert row["id"] == "af.province.nangarhar" and row["match"] == "fuzzy"


def test_geocode_jsonl(runner):
    res = run(runner, "geocode", "Khowst", "Nawa Pass", "--format", "jsonl")
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["af.town.khost", "crossing.nawa-pass"]
    assert "af.province.khost" in rows[0]["alternatives"]
    assert rows[0]["match"] == "alias" and rows[1]["side"] in ("AF", "PK")
    assert rows[0]["error"] is None


def test_geocode_csv(runner):
    res = run(runner, "geocode", "Kurram Agency", "Gorsal", "--format", "csv")
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [r["id"] for r in rows] == ["pk.district.kurram", "crossing.gursal"]
    assert float(rows[0]["lon"]) > 69 and rows[0]["error"] == ""


def test_geocode_polygons(runner):
    res = run(runner, "geocode", "Paktia", "Torkham", "--polygons", "--indent", "2")
    assert res.exit_code == 0, res.output
    feats = json.loads(res.stdout)["features"]
    assert feats[0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert feats[1]["geometry"]["type"] == "Point"
    assert res.stdout.startswith("{\n  ")


def test_geocode_polygons_need_geojson(runner):
    res = run(runner, "geocode", "Paktia", "--polygons", "--format", "csv")
    assert res.exit_code == 2 and "--polygons" in res.output


def test_geocode_hints_and_policy(runner):
    res = run(runner, "geocode", "Chaman", "--policy", "border-most", "--format", "jsonl")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["id"] == "crossing.chaman-spin-boldak"
    res = run(runner, "geocode", "Landi Kotal", "--kind", "town", "--country", "pk",
              "--format", "jsonl")
    assert json.loads(res.stdout)["id"] == "pk.town.landi-kotal"
    res = run(runner, "geocode", "Khyber", "--kind", "agency", "--format", "jsonl")
    assert json.loads(res.stdout)["id"] == "pk.district.khyber"
    res = run(runner, "geocode", "Spin Boldak", "--admin", "Kandahar", "--kind", "district",
              "--format", "jsonl")
    assert json.loads(res.stdout)["id"] == "af.district.spin-boldak"


def test_geocode_bad_kind_is_usage_error(runner):
    res = run(runner, "geocode", "Khyber", "--kind", "river")
    assert res.exit_code == 2


def test_geocode_stdin(runner):
    res = run(runner, "geocode", "--format", "jsonl", input="Bajaur\n\n  Miramshah \n")
    assert res.exit_code == 0, res.output
    assert [json.loads(x)["query"] for x in res.stdout.splitlines()] == ["Bajaur", "Miramshah"]


def test_geocode_needs_a_name(runner):
    assert run(runner, "geocode", input="").exit_code == 2


def test_geocode_ambiguous_and_unknown_fail_in_one_line(runner):
    res = run(runner, "geocode", "Gulistan")  # a Farah district and a Qila Abdullah tehsil
    assert res.exit_code == 1
    lines = [x for x in res.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and "ambiguous" in lines[0] and "Farah" in lines[0]
    res = run(runner, "geocode", "Nangarharistan Kalay")
    assert res.exit_code == 1 and "Traceback" not in res.output
    lines = [x for x in res.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and "did you mean" in lines[0] and "Nangarhar" in lines[0]


def test_geocode_keep_going(runner):
    res = run(runner, "geocode", "Torkham", "Gulistan", "Qqqxyzzabad", "--keep-going")
    assert res.exit_code == 1
    feats = json.loads(res.stdout)["features"]
    assert feats[0]["properties"]["id"] == "crossing.torkham"
    assert feats[1]["geometry"] is None and "ambiguous" in feats[1]["properties"]["error"]
    assert {"af.district.gulistan", "pk.tehsil.gulistan"} <= set(
        feats[1]["properties"]["candidates"])
    assert feats[2]["geometry"] is None and "unknown" in feats[2]["properties"]["error"]
    assert len([x for x in res.stderr.splitlines() if x.strip()]) == 2
    res = run(runner, "geocode", "Torkham", "Gulistan", "--keep-going", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert res.exit_code == 1 and rows[1]["id"] == "" and "ambiguous" in rows[1]["error"]
    assert "af.district.gulistan" in rows[1]["candidates"].split("|")


def test_geocode_several_names_keep_going_by_default(runner):
    """One bad name never hides the others: several names go on by default."""
    res = run(runner, "geocode", "Bagan", "Torkham", "--format", "jsonl")
    assert res.exit_code == 1
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert rows[0]["id"] is None and "no confident match" in rows[0]["error"]
    assert rows[0]["candidates"] and rows[1]["id"] == "crossing.torkham"
    res = run(runner, "geocode", "Bagan", "Torkham", "--fail-fast")
    assert res.exit_code == 1 and res.stdout == ""
    assert "no confident match" in res.stderr


SEED = [  # the places of the seed story (shared/seed/article.txt): name, country, side
    ("Nangarhar", "AF"), ("Paktia", "AF"), ("Khyber Pakhtunkhwa", "PK"), ("Chitral", "PK"),
    ("Khyber", "PK"), ("Mohmand", "PK"), ("Kurram", "PK"), ("Bajaur", "PK"), ("Islamabad", "PK"),
    ("Kabul", "AF"), ("Torkham", None), ("Chaman", "PK"), ("Spin Boldak", "AF"),
    ("Ghulam Khan", None),
]


def test_geocode_the_seed_places_in_one_call(runner):
    res = run(runner, "geocode", *[n for n, _ in SEED], "--format", "jsonl")
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["query"] for r in rows] == [n for n, _ in SEED]
    for row, (name, country) in zip(rows, SEED, strict=True):
        assert row["error"] is None and row["name"], name
        if country is not None:  # crossings sit on the line
            assert row["country"] == country and row["side"] == country, name


def test_geocode_online_needs_a_user_agent(runner):
    res = run(runner, "geocode", "Zyxqq Kalay", "--online")
    assert res.exit_code == 2 and "--user-agent" in res.output
    res = run(runner, "geocode", "Zyxqq Kalay", "--online", "--user-agent", "geopy/2.4")
    assert res.exit_code == 2 and "own" in res.output


class _FakeNominatim:
    answers: dict = {}
    error: Exception | None = None
    calls: list = []

    def __init__(self, **kwargs):
        self.kwargs = kwargs

    def geocode(self, query, **kwargs):
        type(self).calls.append(query)
        if self.error is not None:
            raise self.error
        raw = self.answers.get(query)
        if raw is None:
            return None
        return type("Loc", (), {"raw": raw})()


@pytest.fixture()
def nominatim(monkeypatch):
    import geopy.geocoders

    monkeypatch.setattr(geopy.geocoders, "Nominatim", _FakeNominatim)
    _FakeNominatim.answers = {"Zyxqq Kalay": {
        "osm_type": "node", "osm_id": 5, "lat": "34.2", "lon": "70.9", "class": "place",
        "type": "village", "addresstype": "village", "name": "Zyxqq Kalay",
        "display_name": "Zyxqq Kalay, Nangarhar, Afghanistan",
        "address": {"country_code": "af", "state": "Nangarhar"}}}
    _FakeNominatim.error = None
    _FakeNominatim.calls = []
    return _FakeNominatim


def test_geocode_online_fallback_is_cached(runner, nominatim, monkeypatch, home):
    monkeypatch.setenv("BORDER_MAP_USER_AGENT", "border-map tests (t@example.invalid)")
    for _ in range(2):
        res = run(runner, "geocode", "Torkham", "Zyxqq Kalay", "--online", "--format", "jsonl")
        assert res.exit_code == 0, res.output
        rows = [json.loads(x) for x in res.stdout.splitlines()]
        assert [r["match"] for r in rows] == ["exact", "online"]
    assert nominatim.calls == ["Zyxqq Kalay"]  # asked once, then from the cache
    assert (home / "cache" / "nominatim.sqlite").is_file()


def test_geocode_online_failure_is_one_line(runner, nominatim):
    from geopy.exc import GeocoderUnavailable

    nominatim.error = GeocoderUnavailable("connection refused")
    res = run(runner, "geocode", "Zyxqq Kalay", "--online", "--user-agent", "me (m@x.invalid)")
    assert res.exit_code == 1
    lines = [x for x in res.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and "online geocoding" in lines[0] and "Traceback" not in res.output


# -- gazetteer search / show ------------------------------------------------------------------
def test_search_json(runner):
    res = run(runner, "gazetteer", "search", "Khowst", "--limit", "3")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert 1 <= len(rows) <= 3 and rows[0]["rank"] == 1
    assert rows[0]["id"] == "af.province.khost" and rows[0]["match"] == "alias"
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)


def test_search_filters_and_formats(runner):
    res = run(runner, "gazetteer", "search", "Chitral", "--kind", "town", "--country", "PK",
              "--format", "jsonl")
    assert res.exit_code == 0
    rows = [json.loads(x) for x in res.stdout.splitlines()]
    assert rows and all(r["kind"] == "town" and r["country"] == "PK" for r in rows)
    res = run(runner, "gazetteer", "search", "Kurram", "--admin", "Khyber Pakhtunkhwa",
              "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert res.exit_code == 0 and rows[0]["id"] == "pk.district.kurram"
    res = run(runner, "gazetteer", "search", "Kurram", "--admin", "Atlantis")
    assert res.exit_code == 0 and json.loads(res.stdout) == []
    assert run(runner, "gazetteer", "search", "Kurram", "--limit", "0").exit_code == 2


def test_show(runner):
    res = run(runner, "gazetteer", "show", "pk.district.mohmand")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["name"] == "Mohmand" and doc["origin"] == "shipped"
    assert "Mohmand Agency" in doc["aliases"] and doc["source"]
    assert doc["precision_code"] == {"acled": 2, "ucdp": 3}
    assert doc["has_polygon"] is True and "polygon" not in doc  # pk_districts.geojson
    res = run(runner, "gazetteer", "show", "crossing.torkham")
    assert json.loads(res.stdout)["has_polygon"] is False


def test_show_polygon_and_unknown(runner):
    res = run(runner, "gazetteer", "show", "af.province.daykundi", "--polygon")
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert doc["has_polygon"] and doc["polygon"]["type"] in ("Polygon", "MultiPolygon")
    res = run(runner, "gazetteer", "show", "af.province.atlantis")
    assert res.exit_code == 1 and "no gazetteer entry" in res.stderr


# -- gazetteer import / stats -----------------------------------------------------------------
def test_import_csv_then_geocode_and_stats(runner, home):
    res = run(runner, "gazetteer", "import", str(FIXTURES / "user_places.csv"))
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["format"] == "csv" and report["imported"] == 2 and report["index_places"] == 2
    assert Path(report["index"]) == home / "gazetteer.sqlite"
    res = run(runner, "geocode", "Chowki 17", "--format", "jsonl")
    assert json.loads(res.stdout)["id"] == "user.post-17"
    res = run(runner, "gazetteer", "show", "user.post-17")
    assert json.loads(res.stdout)["origin"] == "user:user_places.csv"
    stats = json.loads(run(runner, "gazetteer", "stats").stdout)
    assert stats["by_origin"]["user"] == 2
    assert stats["user_index"]["imports"][0]["rows"] == 2


def test_import_geonames_dump(runner):
    res = run(runner, "gazetteer", "import", str(FIXTURES / "AF.txt"), "--indent", "1")
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["format"] == "geonames" and report["imported"] == 7
    assert report["skipped"]["other country"] == 1
    res = run(runner, "geocode", "Shahikot Kalay", "--format", "jsonl")
    row = json.loads(res.stdout)
    assert row["id"] == "gn.9000001" and row["admin2"] == "Zurmat"
    stats = json.loads(run(runner, "gazetteer", "stats").stdout)
    assert stats["fallback"]["places"] == 7
    text = run(runner, "gazetteer", "stats", "--format", "text")
    assert text.exit_code == 0 and "GeoNames dump fallback: 7 places" in text.stdout


def test_import_format_option_and_errors(runner, tmp_path):
    res = run(runner, "gazetteer", "import", str(FIXTURES / "AF.txt"), "--format", "csv")
    assert res.exit_code == 1 and "missing column" in res.stderr
    junk = tmp_path / "junk.txt"
    junk.write_text("nothing useful\n", encoding="utf-8")
    res = run(runner, "gazetteer", "import", str(junk))
    assert res.exit_code == 1 and "GeoNames" in res.stderr
    assert run(runner, "gazetteer", "import", str(tmp_path / "missing.csv")).exit_code == 2
    clash = tmp_path / "clash.csv"
    clash.write_text(",".join(gz.COLUMNS) + "\ncrossing.torkham,T,,crossing,PK,,,71,34,1,s,d\n",
                     encoding="utf-8")
    res = run(runner, "gazetteer", "import", str(clash))
    assert res.exit_code == 1 and "shipped place" in res.stderr


def test_stats(runner):
    res = run(runner, "gazetteer", "stats")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["by_country"]["AF"]["province"] == 34 and doc["by_country"]["AF"]["district"] == 398
    assert doc["by_country"]["PK"]["crossing"] >= 9 and doc["by_country"]["PK"]["tehsil"] >= 70
    assert doc["places"] == sum(c["total"] for c in doc["by_country"].values())
    assert "fallback" not in doc and doc["user_index"]["places"] == 0
    text = run(runner, "gazetteer", "stats", "--format", "text")
    assert text.exit_code == 0 and text.stdout.splitlines()[1].startswith("AF")


# -- help and docs ------------------------------------------------------------------------
COMMANDS = [["geocode"], ["gazetteer"], ["gazetteer", "search"], ["gazetteer", "show"],
            ["gazetteer", "import"], ["gazetteer", "stats"]]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example_and_is_in_the_readme(runner, command):
    for flag in ("-h", "--help"):
        res = run(runner, *command, flag)
        assert res.exit_code == 0 and "Example" in res.output
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"border-map {' '.join(command)}" in readme


def test_geocode_polygons_of_pakistani_districts(runner):
    res = run(runner, "geocode", "Kurram district", "Landi Kotal tehsil", "Torkham", "--polygons")
    assert res.exit_code == 0, res.output
    feats = json.loads(res.stdout)["features"]
    assert [f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in feats] == [
        True, True, False]
