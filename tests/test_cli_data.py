"""CLI: `validate`, `schema`, and the reading options of `build` (every flag branch)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from border_map.cli import cli
from border_map.incidents import incident_schema

DATA = Path(__file__).resolve().parent / "data"
SOURCES = DATA / "sources"
ACLED = str(SOURCES / "acled_sample.csv")
UCDP = str(SOURCES / "ucdp_sample.csv")
GDELT = str(SOURCES / "gdelt_sample.export.CSV")
README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture
def runner():
    return CliRunner()


def _dmy(tmp_path) -> str:
    path = tmp_path / "dmy.csv"
    path.write_text("id,date,event_type,place\na,05/06/2021,airstrike,Torkham\n"
                    "b,13/10/2025,shelling,Torkham\n", encoding="utf-8")
    return str(path)


# --------------------------------------------------------------------------- validate


def test_validate_clean_files(runner):
    res = runner.invoke(cli, ["validate", ACLED, UCDP, GDELT])
    assert res.exit_code == 0
    assert res.stdout == ""
    assert res.stderr == ("border-map: 3 file(s) valid: 20 incident(s), 4 row(s) left out "
                          "(not violence 1, outside Afghanistan/Pakistan 3)\n")


def test_validate_bad_file_exits_1_one_line_per_problem(runner, tmp_path):
    path = _dmy(tmp_path)
    res = runner.invoke(cli, ["validate", path])
    assert res.exit_code == 1
    assert res.stdout.splitlines() == [
        f"{path}:2: field 'date': '05/06/2021': day and month order is ambiguous; pass "
        "--date-order day-first or --date-order month-first",
        f"{path}:3: field 'date': '13/10/2025': day and month order is ambiguous (only day-first "
        "fits this one); pass --date-order day-first or --date-order month-first",
    ]
    assert res.stderr == "border-map: 2 problem(s) in 1 of 1 file(s); 0 incident(s) usable\n"


def test_validate_date_order(runner, tmp_path):
    path = _dmy(tmp_path)
    assert runner.invoke(cli, ["validate", "--date-order", "day-first", path]).exit_code == 0
    res = runner.invoke(cli, ["validate", "--date-order", "month-first", path])
    assert res.exit_code == 1
    assert res.stdout.splitlines() == [
        f"{path}:3: field 'date': '13/10/2025' is not a calendar date (month must be in 1..12)"]


def test_validate_calendar(runner, tmp_path):
    path = tmp_path / "sh.csv"
    path.write_text("id,date,event_type,place\na,1404/07/20,armed_clash,Torkham\n",
                    encoding="utf-8")
    res = runner.invoke(cli, ["validate", str(path)])
    assert res.exit_code == 1 and "--calendar solar-hijri" in res.stdout
    res = runner.invoke(cli, ["validate", "--calendar", "solar-hijri", str(path)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["validate", "--calendar", "gregorian", str(path)])
    assert res.exit_code == 1


@pytest.mark.parametrize("flag", ["--format", "--input-format"])
def test_validate_forced_format(runner, flag):
    res = runner.invoke(cli, ["validate", flag, "acled", ACLED])
    assert res.exit_code == 0
    res = runner.invoke(cli, ["validate", flag, "ucdp", ACLED])
    assert res.exit_code == 1
    assert res.stdout == (f"{ACLED}:1: field 'id': not a complete UCDP GED file: missing "
                          "column(s) id, date_start, type_of_violence, best\n")


def test_validate_json(runner, tmp_path):
    path = _dmy(tmp_path)
    res = runner.invoke(cli, ["validate", "--json", path, UCDP])
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert doc["ok"] is False and doc["problems"] == 2 and doc["incidents"] == 4
    assert [f["format"] for f in doc["files"]] == ["csv", "ucdp"]
    assert [p["line"] for p in doc["files"][0]["problems"]] == [2, 3]
    assert "\n" not in res.stdout.strip()  # compact without --indent
    res = runner.invoke(cli, ["validate", "--json", "--indent", "2", UCDP])
    assert res.exit_code == 0
    assert res.stdout.startswith('{\n  "ok": true')
    assert json.loads(res.stdout)["files"][0]["incidents"] == 4


def test_validate_warns_on_stderr(runner, tmp_path):
    path = tmp_path / "w.csv"
    path.write_bytes("id,date,event_type,place,description\n"
                     "a,2025-10-12,airstrike,Torkham,café\n".encode("cp1252"))
    res = runner.invoke(cli, ["validate", str(path)])
    assert res.exit_code == 0 and res.stdout == ""
    assert res.stderr.splitlines()[0] == (
        f"border-map: warning: {path}:2: not UTF-8 (byte 0xe9); read as Windows-1252 (cp1252): "
        "check accented names, and save the file as UTF-8")


@pytest.mark.parametrize("args", [
    [],                                        # FILE is required
    ["nope.yaml"],                             # does not exist
    ["--format", "shp", ACLED],                # unknown format
    ["--date-order", "year-first", ACLED],     # unknown order
    ["--calendar", "julian", ACLED],           # unknown calendar
    ["--json", "--indent", "9", ACLED],        # indent out of range
])
def test_validate_usage_errors_exit_2(runner, args):
    res = runner.invoke(cli, ["validate", *args])
    assert res.exit_code == 2
    assert "Traceback" not in res.output


@pytest.mark.parametrize("command", ["validate", "schema"])
def test_help(runner, command):
    for flag in ("-h", "--help"):
        res = runner.invoke(cli, [command, flag])
        assert res.exit_code == 0 and "Example" in res.stdout


def test_commands_are_registered_and_documented(runner):
    res = runner.invoke(cli, ["--help"])
    readme = README.read_text(encoding="utf-8")
    for command in ("validate", "schema"):
        assert command in res.stdout
        assert f"border-map {command}" in readme


# --------------------------------------------------------------------------- schema


def test_schema_default(runner):
    res = runner.invoke(cli, ["schema"])
    assert res.exit_code == 0
    assert json.loads(res.stdout) == incident_schema()
    assert res.stdout.startswith('{\n  "$schema"')


def test_schema_indent_and_compact(runner):
    res = runner.invoke(cli, ["schema", "--indent", "4"])
    assert res.exit_code == 0 and res.stdout.startswith('{\n    "$schema"')
    res = runner.invoke(cli, ["schema", "--compact"])
    assert res.exit_code == 0 and res.stdout.count("\n") == 1
    assert json.loads(res.stdout) == incident_schema()
    assert runner.invoke(cli, ["schema", "--indent", "-1"]).exit_code == 2


def test_schema_output_is_a_valid_json_schema(runner):
    jsonschema = pytest.importorskip("jsonschema")

    doc = json.loads(runner.invoke(cli, ["schema"]).stdout)
    jsonschema.Draft202012Validator.check_schema(doc)
    good = json.loads((DATA / "incidents" / "good.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(doc).validate(good)


# --------------------------------------------------------------------------- build


def _build(runner, tmp_path, *args):
    res = runner.invoke(cli, ["build", *args, "-o", str(tmp_path / "out"), "--format", "geojson"])
    summary = json.loads(res.stdout) if res.stdout.lstrip().startswith("{") else None
    return res, summary


def test_build_maps_acled_ucdp_gdelt_and_links_duplicates(runner, tmp_path):
    res, summary = _build(runner, tmp_path, ACLED, UCDP, GDELT)
    assert res.exit_code == 0, res.output
    # the GDELT row geocoded to the country only is kept unlocated (a centroid says nothing
    # about the border)
    assert summary == {**summary, "incidents": 20, "located": 19, "rejected": 0}
    pairs = summary["possible_duplicates"]
    assert ["acled-AFG70003", "ucdp-900001"] in pairs and ["acled-PAK90001", "ucdp-900005"] in pairs
    doc = json.loads((tmp_path / "out" / "incidents.geojson").read_text(encoding="utf-8"))
    assert len(doc["features"]) == 20
    ucdp = next(f for f in doc["features"] if f["id"] == "ucdp-900001")
    assert ucdp["properties"]["claims"][0]["organisation"] == "UCDP"
    assert ucdp["properties"]["side"] == "AF"


def test_build_draws_the_source_samples_on_the_map(runner, tmp_path):
    out = tmp_path / "map"
    res = runner.invoke(cli, ["build", ACLED, UCDP, GDELT, "-o", str(out), "--format", "html"])
    assert res.exit_code == 0, res.output
    html = (out / "map.html").read_text(encoding="utf-8")
    for ident in ("acled-AFG70003", "ucdp-900001", "gdelt-1190000003"):
        assert ident in html


def test_build_duplicates_window(runner, tmp_path):
    res, summary = _build(runner, tmp_path, ACLED, UCDP, "--duplicates-within", "0.01,0")
    assert res.exit_code == 0
    # the same points to within 10 m, the same day
    assert summary["possible_duplicates"] == [["acled-AFG70003", "ucdp-900001"],
                                              ["acled-PAK90001", "ucdp-900005"]]
    res, summary = _build(runner, tmp_path, ACLED, UCDP, "--duplicates-within", "0,0")
    assert summary["possible_duplicates"] == []


@pytest.mark.parametrize("window", ["5", "5,1,2", "x,1", "5,1.5", "-1,1", "5,-1", "nan,1"])
def test_build_bad_duplicates_window(runner, tmp_path, window):
    res = runner.invoke(cli, ["build", ACLED, "-o", str(tmp_path), "--duplicates-within", window])
    assert res.exit_code == 2 and "--duplicates-within" in res.output


def test_build_input_format(runner, tmp_path):
    res, summary = _build(runner, tmp_path, "--input-format", "acled", ACLED)
    assert res.exit_code == 0 and summary["incidents"] == 9
    res, _ = _build(runner, tmp_path, "--input-format", "gdelt", ACLED)
    assert res.exit_code == 1
    assert res.stderr.startswith("Error: nothing to map: ")
    assert "tab-separated columns" in res.stderr
    res = runner.invoke(cli, ["build", "--input-format", "kml", ACLED])
    assert res.exit_code == 2


def test_build_date_order_and_calendar(runner, tmp_path):
    path = _dmy(tmp_path)
    res, summary = _build(runner, tmp_path, "--date-order", "day-first", path)
    assert res.exit_code == 0 and summary["incidents"] == 2 and summary["rejected"] == 0
    sh = tmp_path / "sh.csv"
    sh.write_text("id,date,event_type,place\na,1404/07/20,armed_clash,Torkham\n",
                  encoding="utf-8")
    res, summary = _build(runner, tmp_path, "--calendar", "solar-hijri", str(sh))
    assert res.exit_code == 0
    doc = json.loads((tmp_path / "out" / "incidents.geojson").read_text(encoding="utf-8"))
    assert doc["features"][0]["properties"]["date"] == "2025-10-12"


def test_build_skips_bad_records_and_says_how_many(runner, tmp_path):
    path = _dmy(tmp_path)
    res, summary = _build(runner, tmp_path, path, ACLED)
    assert res.exit_code == 1, res.output  # everything else mapped; exit 1 says rows were lost
    assert summary["rejected"] == 2 and summary["incidents"] == 9
    lines = res.stderr.splitlines()
    assert lines[0].startswith(f"border-map: skipped {path}:2: field 'date': '05/06/2021'")
    assert lines[1].startswith(f"border-map: skipped {path}:3: field 'date': '13/10/2025'")
    assert "border-map: skipped 2 bad record(s): not in any output" in res.stderr


def test_build_strict_stops_on_a_bad_record(runner, tmp_path):
    path = _dmy(tmp_path)
    res, _ = _build(runner, tmp_path, "--strict", ACLED, path)
    assert res.exit_code == 1
    assert res.stderr.strip().splitlines() == [
        f"Error: {path}:2: field 'date': '05/06/2021': day and month order is ambiguous; pass "
        "--date-order day-first or --date-order month-first"]
    assert not (tmp_path / "out" / "incidents.geojson").exists()


def test_build_all_bad_is_one_line_exit_1(runner, tmp_path):
    path = _dmy(tmp_path)
    res, _ = _build(runner, tmp_path, path)
    assert res.exit_code == 1
    assert res.stderr.strip().splitlines() == [
        f"Error: nothing to map: {path}:2: field 'date': '05/06/2021': day and month order is "
        "ambiguous; pass --date-order day-first or --date-order month-first (and 1 more bad "
        "record(s))"]


def test_build_logs_encoding_warnings(runner, tmp_path, caplog):
    path = tmp_path / "w.csv"
    path.write_bytes("id,date,event_type,place,description\n"
                     "a,2025-10-12,airstrike,Torkham,café\n".encode("cp1252"))
    with caplog.at_level("WARNING", logger="border_map.pipeline"):
        res, summary = _build(runner, tmp_path, str(path))
    assert res.exit_code == 0 and summary["incidents"] == 1
    # the CLI's log handler writes these to stderr; under pytest the root logger is pytest's
    assert [r.getMessage() for r in caplog.records] == [
        f"{path}:2: not UTF-8 (byte 0xe9); read as Windows-1252 (cp1252): check accented "
        "names, and save the file as UTF-8"]
