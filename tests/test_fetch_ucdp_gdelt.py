"""``border-map fetch ucdp|gdelt|status`` and ``build --source``, against local servers."""

from __future__ import annotations

import copy
import json

import pytest
from click.testing import CliRunner
from fetch_fakes import UCDP_TOKEN, FakeApis, gdelt_row

from border_map.cli import cli
from border_map.readers import read_source
from border_map.sources.store import Store, current_files
from border_map.sources.ucdp import UcdpFetcher


@pytest.fixture()
def apis():
    fake = FakeApis().start()
    yield fake
    fake.stop()


@pytest.fixture()
def env(apis, tmp_path, monkeypatch):
    monkeypatch.setenv("BORDER_MAP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BORDER_MAP_UCDP_URL", f"{apis.url}/api")
    monkeypatch.setenv("BORDER_MAP_GDELT_URL", f"{apis.url}/gdeltv2")
    monkeypatch.setenv("BORDER_MAP_FETCH_MIN_INTERVAL", "0")
    monkeypatch.setenv("UCDP_API_TOKEN", UCDP_TOKEN)
    monkeypatch.setattr("time.sleep", lambda s: None)
    return tmp_path / "home"


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


# -- UCDP -------------------------------------------------------------------------------------
def test_ucdp_ged_release_into_the_readers_layout(env, apis):
    result = invoke("fetch", "ucdp")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["version"], out["added"], out["rows"]) == (1, 4, 4)  # India left out
    [path] = out["files"]
    assert path.endswith("UCDP-GED-25.1-v0001.csv") and "Uppsala" in out["attribution"]
    read = read_source(path)
    assert read.format == "ucdp" and not read.problems
    assert {i.id for i in read.incidents} == {"ucdp-800001", "ucdp-800002", "ucdp-800003",
                                              "ucdp-800005"}
    call = apis.log[0]
    assert call["path"] == "/api/gedevents/25.1" and call["query"]["Country"] == "700,770"
    assert call["headers"]["x-ucdp-access-token"] == UCDP_TOKEN
    assert UCDP_TOKEN not in result.output
    for p in env.rglob("*"):
        assert not p.is_file() or UCDP_TOKEN.encode() not in p.read_bytes()


def test_ucdp_pages_follow_total_pages(env, apis):
    version = UcdpFetcher(page_size=2).fetch(Store("ucdp"))
    assert len(version.added) == 4
    assert [c["query"]["page"] for c in apis.log] == ["0", "1"]


def test_ucdp_dates_and_country_filters(env, apis):
    result = invoke("fetch", "ucdp", "--since", "2025-04-01", "--until", "2025-05-31",
                    "--country", "PK")
    assert result.exit_code == 0, result.output
    q = apis.log[0]["query"]
    assert (q["StartDate"], q["EndDate"], q["Country"]) == ("2025-04-01", "2025-05-31", "770")
    assert json.loads(result.stdout)["rows"] == 2


def test_ucdp_candidate_beside_ged_and_a_new_release_diffs(env, apis):
    candidate = copy.deepcopy(apis.ucdp["25.1"][:2])
    candidate[0]["best"] = 9
    candidate[0]["high"] = 12
    apis.ucdp["25.0.3"] = candidate
    assert invoke("fetch", "ucdp").exit_code == 0
    result = invoke("fetch", "ucdp", "--dataset", "candidate", "--release", "25.0.3")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    names = sorted(p.rsplit("/", 1)[1] for p in out["files"])
    assert names == ["UCDP-Candidate-25.0.3-v0002.csv", "UCDP-GED-25.1-v0002.csv"]
    # the next candidate release drops one event and revises another
    apis.ucdp["25.0.4"] = [dict(candidate[0], best=10, high=12)]
    out = json.loads(invoke("fetch", "ucdp", "--dataset", "candidate", "--release",
                            "25.0.4").stdout)
    assert (out["version"], out["changed"], out["deleted"]) == (3, 1, 1)


def test_ucdp_candidate_needs_a_release(env):
    result = invoke("fetch", "ucdp", "--dataset", "candidate")
    assert result.exit_code == 1 and "needs --release" in result.stderr
    result = invoke("fetch", "ucdp", "--release", "25.0.3")
    assert result.exit_code == 1 and "is not a ged release" in result.stderr


def test_ucdp_unknown_release(env):
    result = invoke("fetch", "ucdp", "--release", "99.1")
    assert result.exit_code == 1 and "HTTP 404" in result.stderr


def test_ucdp_token_missing_or_refused(env, monkeypatch):
    monkeypatch.delenv("UCDP_API_TOKEN")
    result = invoke("fetch", "ucdp")
    assert result.exit_code == 1 and "set UCDP_API_TOKEN" in result.stderr
    monkeypatch.setenv("UCDP_API_TOKEN", "ucdp-wrong-77")
    result = invoke("fetch", "ucdp")
    assert result.exit_code == 1 and "HTTP 401" in result.stderr
    assert "ucdp-wrong-77" not in result.output


def test_ucdp_changed_schema_keeps_the_store(env, apis):
    assert invoke("fetch", "ucdp").exit_code == 0
    apis.schema = "changed"
    result = invoke("fetch", "ucdp", "--release", "25.1")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "expected TotalPages and a Result list" in result.stderr
    assert Store("ucdp").current_number() == 1


def test_ucdp_quota(env, apis):
    apis.quota, apis.retry_after = 100, "7200"
    result = invoke("fetch", "ucdp")
    assert result.exit_code == 1 and "HTTP 429" in result.stderr
    assert Store("ucdp").current_number() is None


# -- GDELT ------------------------------------------------------------------------------------
def exports(apis):
    apis.add_export("20260301000000", [
        gdelt_row(1300000001, "20260228", "190", "AF", "Torkham, Nangarhar, Afghanistan",
                  71.1, 34.1, "20260301000000"),
        gdelt_row(1300000002, "20260228", "042", "IN", "Delhi, Delhi, India", 77.2, 28.6,
                  "20260301000000")])
    apis.add_export("20260301001500", [
        gdelt_row(1300000003, "20260301", "195", "PK", "Chaman, Balochistan, Pakistan",
                  66.45, 30.92, "20260301001500")])
    apis.add_export("20260302000000", [
        gdelt_row(1300000004, "20260301", "1952", "AF", "Barmal, Paktika, Afghanistan",
                  69.15, 32.77, "20260302000000")])


def test_gdelt_range_keeps_af_pk_rows_by_day(env, apis):
    exports(apis)
    result = invoke("fetch", "gdelt", "--since", "2026-03-01", "--until", "2026-03-02")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["version"], out["added"], out["rows"]) == (1, 2, 2)
    [path] = out["files"]
    assert path.endswith("GDELT-20260301-v0001.export.CSV")
    read = read_source(path)
    assert read.format == "gdelt" and {i.id for i in read.incidents} == {
        "gdelt-1300000001", "gdelt-1300000003"}
    assert [c["path"] for c in apis.log] == [
        "/gdeltv2/masterfilelist.txt", "/gdeltv2/20260301000000.export.CSV.zip",
        "/gdeltv2/20260301001500.export.CSV.zip"]
    assert not list((env / "sources/gdelt/partial").iterdir())
    # the same range again downloads nothing; a wider one only the new export
    apis.log.clear()
    again = json.loads(invoke("fetch", "gdelt", "--since", "2026-03-01", "--until",
                              "2026-03-02").stdout)
    assert not again["new_version"] and len(apis.log) == 1
    # the cached master list is brought up to date with the bytes past its end
    size = len(apis.file_list(""))
    assert apis.log[0]["headers"]["range"] == f"bytes={size}-"
    apis.add_export("20260302001500", [gdelt_row(
        1300000005, "20260302", "193", "PK", "Kurram, North-West Frontier, Pakistan", 70.2,
        33.7, "20260302001500")])
    apis.log.clear()
    wider = json.loads(invoke("fetch", "gdelt", "--since", "2026-03-01", "--until",
                              "2026-03-03").stdout)
    assert (wider["version"], wider["added"], wider["rows"]) == (2, 2, 4)
    assert len(wider["files"]) == 2
    assert apis.log[0]["headers"]["range"] == f"bytes={size}-"
    assert [c["path"] for c in apis.log[1:]] == [
        "/gdeltv2/20260302000000.export.CSV.zip", "/gdeltv2/20260302001500.export.CSV.zip"]


def test_gdelt_latest_from_lastupdate(env, apis):
    exports(apis)
    result = invoke("fetch", "gdelt", "--country", "AF")
    assert result.exit_code == 0, result.output
    assert [c["path"] for c in apis.log] == ["/gdeltv2/lastupdate.txt",
                                             "/gdeltv2/20260302000000.export.CSV.zip"]
    assert json.loads(result.stdout)["rows"] == 1


def test_gdelt_interrupted_download_keeps_the_store_and_resumes(env, apis):
    exports(apis)
    apis.add_export("20260301003000", [gdelt_row(
        1300000000 + i, "20260301", "190", "PK", "Kurram, North-West Frontier, Pakistan",
        70.2, 33.7, "20260301003000") for i in range(10, 400)])
    assert invoke("fetch", "gdelt", "--since", "2026-03-01", "--until",
                  "2026-03-01T00:30").exit_code == 0
    apis.drop = 10  # every attempt is cut off
    result = invoke("fetch", "gdelt", "--since", "2026-03-01", "--until", "2026-03-02")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "interrupted" in result.stderr and "run the command again" in result.stderr
    assert Store("gdelt").current_number() == 1
    [part] = (env / "sources/gdelt/partial").glob("*.part")
    kept = part.stat().st_size
    assert kept > 0
    apis.drop = 0
    apis.log.clear()
    result = invoke("fetch", "gdelt", "--since", "2026-03-01", "--until", "2026-03-02")
    assert result.exit_code == 0, result.output
    assert apis.log[1]["headers"]["range"] == f"bytes={kept}-"
    out = json.loads(result.stdout)
    assert (out["version"], out["added"], out["rows"]) == (2, 390, 392)


def test_gdelt_checksum_mismatch(env, apis):
    exports(apis)
    apis.bad_md5 = {"20260301000000"}
    result = invoke("fetch", "gdelt", "--since", "2026-03-01", "--until", "2026-03-02")
    assert result.exit_code == 1 and "MD5" in result.stderr
    assert Store("gdelt").current_number() is None


def test_gdelt_listed_but_missing_export_is_noted(env, apis):
    exports(apis)
    apis.gdelt_listed_extra = ["20260301004500"]
    result = invoke("fetch", "gdelt", "--since", "2026-03-01", "--until", "2026-03-02")
    assert result.exit_code == 0, result.output
    assert "missing on the server: 20260301004500" in result.stderr


def test_gdelt_changed_format(env, apis):
    apis.add_export("20260301000000", ["1\t2\t3"])
    result = invoke("fetch", "gdelt", "--since", "2026-03-01", "--until", "2026-03-02")
    assert result.exit_code == 1 and "has 3 tab-separated columns" in result.stderr


def test_gdelt_options(env):
    assert invoke("fetch", "gdelt", "--until", "2026-03-02").exit_code == 2
    assert invoke("fetch", "gdelt", "--since", "March").exit_code == 2
    result = invoke("fetch", "gdelt", "--since", "2026-03-02", "--until", "2026-03-01")
    assert result.exit_code == 1 and "is not after" in result.stderr


# -- status and build --source ----------------------------------------------------------------
def test_status(env, apis):
    out = json.loads(invoke("fetch", "status", "ucdp").stdout)
    assert out == {"ucdp": {"store": str(env / "sources/ucdp"), "current": None,
                            "versions": []}}
    assert invoke("fetch", "ucdp").exit_code == 0
    out = json.loads(invoke("fetch", "status").stdout)
    assert out["ucdp"]["current"] == 1 and out["ucdp"]["versions"][0]["added"] == 4
    assert set(out) == {"acled", "ucdp", "gdelt"}


def test_build_from_the_store_names_the_version(env, apis, tmp_path):
    exports(apis)
    assert invoke("fetch", "ucdp").exit_code == 0
    assert invoke("fetch", "gdelt", "--since", "2026-03-01", "--until", "2026-03-03"
                  ).exit_code == 0
    result = invoke("build", "--source", "ucdp", "--source", "gdelt", "-o",
                    str(tmp_path / "out"), "--format", "geojson,gpkg")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["incidents"] == 7 and out["rejected"] == 0
    ucdp, gdelt = out["sources"]
    assert (ucdp["source"], ucdp["version"], ucdp["last_built_version"]) == ("ucdp", 1, None)
    assert ucdp["since_last_build"] == {"added": 4, "changed": 0, "deleted": 0}
    assert "Uppsala" in ucdp["attribution"] and "GDELT" in gdelt["attribution"]
    ids = {f["id"] for f in json.loads((tmp_path / "out/incidents.geojson").read_text())[
        "features"]}
    assert "ucdp-800001" in ids and "gdelt-1300000004" in ids
    # the GeoPackage's layer description names the fetched files, hence the version
    import sqlite3

    with sqlite3.connect(tmp_path / "out/border_map.gpkg") as con:
        [(about,)] = con.execute("SELECT description FROM gpkg_contents WHERE "
                                 "table_name = 'incidents'").fetchall()
    assert "UCDP-GED-25.1-v0001.csv" in about and "GDELT-20260301-v0001.export.CSV" in about
    # a new version, then the next build says what changed since the last one
    apis.ucdp["25.1"] = apis.ucdp["25.1"][1:]
    assert invoke("fetch", "ucdp").exit_code == 0
    out = json.loads(invoke("build", "--source", "ucdp", "-o", str(tmp_path / "out"),
                            "--format", "geojson").stdout)
    [ucdp] = out["sources"]
    assert (ucdp["version"], ucdp["last_built_version"]) == (2, 1)
    assert ucdp["since_last_build"] == {"added": 0, "changed": 0, "deleted": 1}
    assert out["incidents"] == 3
    again = json.loads(invoke("build", "--source", str(env / "sources/ucdp"), "-o",
                              str(tmp_path / "out"), "--format", "geojson").stdout)
    assert again["sources"][0]["since_last_build"] is None  # same version as last time


def test_build_source_not_fetched(env, tmp_path):
    result = invoke("build", "--source", "acled", "-o", str(tmp_path / "o"))
    assert result.exit_code == 1 and "nothing fetched for acled" in result.stderr
    result = invoke("build", "--source", str(tmp_path), "-o", str(tmp_path / "o"))
    assert result.exit_code == 1 and "not a fetched source" in result.stderr


def test_current_files_of_a_version_folder(env, apis):
    assert invoke("fetch", "ucdp").exit_code == 0
    files = current_files(env / "sources/ucdp/versions/0001")
    assert [p.name for p in files] == ["UCDP-GED-25.1-v0001.csv"]


@pytest.mark.parametrize("flag, shown", [("--progress", True), ("--no-progress", False)])
def test_progress_flags(env, apis, flag, shown):
    exports(apis)
    result = invoke("fetch", "ucdp", flag)
    assert result.exit_code == 0, result.output
    assert ("\rucdp [" in result.stderr) is shown
    assert ("100% 4 events of 4 events" in result.stderr) is shown
    result = invoke("fetch", "gdelt", "--since", "2026-03-01", "--until", "2026-03-02", flag)
    assert result.exit_code == 0, result.output
    assert ("\rgdelt [" in result.stderr) is shown and ("kB" in result.stderr) is shown
    json.loads(result.stdout)  # stdout stays the JSON summary


def test_gdelt_store_keeps_its_countries(env, apis):
    exports(apis)
    assert invoke("fetch", "gdelt", "--country", "PK").exit_code == 0
    result = invoke("fetch", "gdelt", "--country", "AF")
    assert result.exit_code == 1 and "holds other countries (PK)" in result.stderr
