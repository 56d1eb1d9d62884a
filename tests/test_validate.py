"""`validate` on the bad-input corpus (tests/data/bad/, expected.yaml) and on good files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from border_map.cli import cli
from border_map.validate import validate_files

DATA = Path(__file__).resolve().parent / "data"
BAD = DATA / "bad"
SOURCES = DATA / "sources"
EXPECTED: dict[str, list[str]] = yaml.safe_load((BAD / "expected.yaml").read_text("utf-8"))


def test_corpus_is_complete():
    files = {p.name for p in BAD.iterdir() if p.name != "expected.yaml"}
    assert files == set(EXPECTED)
    assert len(files) >= 40
    assert all(EXPECTED[name] for name in files)  # every case expects at least one problem


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_catches_each_bad_file(name):
    path = BAD / name
    report = validate_files([path])
    assert not report.ok
    assert [line.replace(str(path), "FILE") for line in report.lines()] == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cli_validate_each_bad_file_without_traceback(name):
    path = str(BAD / name)
    res = CliRunner().invoke(cli, ["validate", path])
    assert res.exit_code == 1, res.output
    assert res.stdout.splitlines() == [line.replace("FILE", path) for line in EXPECTED[name]]
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert res.stderr.splitlines()[-1].startswith("border-map: ") and "problem(s)" in res.stderr


def test_a_100_mb_file_is_refused_quickly(tmp_path):
    path = tmp_path / "huge.yaml"
    block = (b"  - id: x\n    date: 2026-02-26\n    event_type: airstrike\n"
             b"    place: Torkham\n") * 20_000
    with open(path, "wb") as fh:
        fh.write(b"incidents:\n")
        while fh.tell() < 100_000_000:
            fh.write(block)
    size_mb = path.stat().st_size / 1e6
    res = CliRunner().invoke(cli, ["validate", str(path)])
    assert res.exit_code == 1
    assert res.stdout.splitlines() == [
        f"{path}: too large for a YAML incident file ({size_mb:.1f} MB; the limit is 64 MB): "
        "split it, or convert it to CSV"]
    assert "Traceback" not in res.output


def test_good_sources_are_clean():
    paths = sorted(SOURCES.iterdir())
    report = validate_files(paths)
    assert report.ok and not report.lines() and not report.warnings
    assert {Path(f.path).name: (f.format, f.incidents, f.ignored) for f in report.files} == {
        "acled_sample.csv": ("acled", 9, 1),
        "gdelt_sample.export.CSV": ("gdelt", 7, 2),
        "native_sample.csv": ("csv", 3, 0),
        "native_solar_hijri.csv": ("csv", 3, 0),
        "ucdp_sample.csv": ("ucdp", 4, 1),
    }
    assert report.summary() == ("5 file(s) valid: 26 incident(s), 4 row(s) left out (not "
                                "violence 1, outside Afghanistan/Pakistan 3)")


def test_seed_example_is_clean():
    from border_map import data

    assert validate_files([data.example_path()]).ok


def test_place_with_coordinates_needs_no_gazetteer_entry(tmp_path):
    path = tmp_path / "village.yaml"
    path.write_text("incidents:\n  - id: v\n    date: 2026-02-26\n    event_type: shelling\n"
                    "    place: Ūxxqjjw\n    location: {lon: 70.1, lat: 33.9}\n", encoding="utf-8")
    assert validate_files([path]).ok


def test_ids_repeated_across_files(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for path in (a, b):
        path.write_text("incidents:\n  - id: same\n    date: 2026-02-26\n"
                        "    event_type: airstrike\n    place: Torkham\n", encoding="utf-8")
    report = validate_files([a, b])
    assert report.lines() == [f"{b}:2: field 'id': duplicate incident id 'same' (also in {a}:2)"]
    assert report.summary() == "1 problem(s) in 1 of 2 file(s); 1 incident(s) usable"


def test_every_problem_of_a_file_in_line_order(tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("id,date,event_type,place,lon,lat\n"
                    "a,2025-10-12,airstrike,Torkham,,\n"
                    "b,2025-02-30,airstrike,Torkham,,\n"
                    "c,2025-10-12,airstrike,Ūxxqjjw,,\n"
                    "d,2025-10-12,airstrike,,34.1,71.1\n"
                    "e,2025-10-12,picnic,Torkham,,\n", encoding="utf-8")
    lines = [line.replace(str(path), "F") for line in validate_files([path]).lines()]
    assert [line.split(": field ")[0] for line in lines] == ["F:3", "F:4", "F:5", "F:6"]
    assert "'place': unknown place 'Ūxxqjjw'" in lines[1]
    assert "look swapped" in lines[2]


def test_cp1252_is_a_warning_not_a_problem(tmp_path):
    path = tmp_path / "w.csv"
    path.write_bytes("id,date,event_type,place,description\n"
                     "a,2025-10-12,airstrike,Torkham,café\n".encode("cp1252"))
    report = validate_files([path])
    assert report.ok and len(report.warnings) == 1


def test_report_as_dict():
    path = BAD / "acled_swapped.csv"
    doc = validate_files([path, SOURCES / "ucdp_sample.csv"]).to_dict()
    assert doc["ok"] is False and doc["problems"] == 1 and doc["incidents"] == 4
    bad, good = doc["files"]
    assert bad["format"] == "acled" and bad["incidents"] == 0
    assert bad["problems"] == [{
        "location": f"{path}:2", "line": 2, "field": "latitude",
        "message": "lon=34.1156, lat=71.0849 is outside the region; latitude and longitude "
                   "look swapped",
        "text": f"{path}:2: field 'latitude': lon=34.1156, lat=71.0849 is outside the region; "
                "latitude and longitude look swapped",
    }]
    assert good["problems"] == [] and good["ignored"] == 1
