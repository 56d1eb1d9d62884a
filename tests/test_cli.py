"""Every command and flag branch through click's CliRunner: exit codes and parsed output."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from border_map.cli import cli


@pytest.fixture()
def runner():
    return CliRunner()


def test_help_lists_commands(runner):
    for flag in ("-h", "--help"):
        res = runner.invoke(cli, [flag])
        assert res.exit_code == 0
        assert "build" in res.output and "geocode" in res.output


def test_version(runner):
    res = runner.invoke(cli, ["--version"])
    assert res.exit_code == 0 and "border-map" in res.output


def test_build_default_example(runner, tmp_path):
    res = runner.invoke(cli, ["build", "-o", str(tmp_path)])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["incidents"] >= 10 and summary["skipped"] == 0
    assert summary["located"] + summary["unlocated"] == summary["incidents"]
    assert summary["unlocated"] == 1  # the October fighting: the report names no place
    doc = json.loads((tmp_path / "incidents.geojson").read_text(encoding="utf-8"))
    assert len(doc["features"]) == summary["incidents"]
    assert (tmp_path / "map.html").stat().st_size > 100_000


def test_build_with_input_bands_title_and_indent(runner, tmp_path):
    from border_map.data import example_path

    res = runner.invoke(cli, ["build", str(example_path()), "-o", str(tmp_path), "--bands", "60,10",
                              "--title", "Seed <story>", "--indent", "2"])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("{\n  ")
    doc = json.loads((tmp_path / "incidents.geojson").read_text(encoding="utf-8"))
    assert {f["properties"]["band_km"] for f in doc["features"]} <= {10.0, 60.0, None}
    html = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert "Seed &lt;story&gt;" in html and "Seed <story>" not in html


@pytest.mark.parametrize("bands", ["a,b", "0,5", "-5", "5,5", ","])
def test_build_rejects_bad_bands(runner, tmp_path, bands):
    res = runner.invoke(cli, ["build", "-o", str(tmp_path), "--bands", bands])
    assert res.exit_code == 2
    assert "--bands" in res.output
    assert "Traceback" not in res.output


def test_build_cdn_flag(runner, tmp_path):
    res = runner.invoke(cli, ["build", "-o", str(tmp_path), "--cdn"])
    assert res.exit_code == 0
    html = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert "https://cdn.jsdelivr.net/npm/leaflet@" in html


@pytest.mark.parametrize("args, clustered", [([], False), (["--cluster-threshold", "0"], True),
                                              (["--cluster-threshold", "11"], True),
                                              (["--cluster-threshold", "12"], False)])
def test_build_cluster_threshold(runner, tmp_path, args, clustered):
    """The seed has 11 located incidents: clustered from a threshold of 11 down."""
    res = runner.invoke(cli, ["build", "-o", str(tmp_path), "-f", "html", *args])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["located"] == 11
    html = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert f'"clustered":{str(clustered).lower()}' in html  # BM.incidentLayer options


@pytest.mark.parametrize("args", [["--cluster-threshold", "-1"], ["--cluster-threshold", "x"]])
def test_build_cluster_threshold_must_be_a_count(runner, tmp_path, args):
    res = runner.invoke(cli, ["build", "-o", str(tmp_path), *args])
    assert res.exit_code == 2 and "--cluster-threshold" in res.output


def test_build_missing_input_is_usage_error(runner, tmp_path):
    res = runner.invoke(cli, ["build", str(tmp_path / "nope.yaml")])
    assert res.exit_code == 2 and "does not exist" in res.output


def test_build_bad_file_one_line_no_traceback_and_keeps_old_output(runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("incidents:\n  - id: x\n    date: 2026-02-30\n    event_type: airstrike\n"
                   "    place: Nangarhar\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "map.html").write_text("previous good map", encoding="utf-8")
    res = runner.invoke(cli, ["build", str(bad), "-o", str(out)])
    assert res.exit_code == 1
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "bad.yaml:" in lines[0] and "date" in lines[0]
    assert "Traceback" not in res.output
    assert (out / "map.html").read_text(encoding="utf-8") == "previous good map"


UNKNOWN_PLACE = """incidents:
  - id: good
    date: 2026-02-26
    event_type: armed_clash
    place: {name: Torkham, kind: crossing}
  - id: lost
    date: 2026-02-26
    event_type: armed_clash
    place: Qqqxyzzabad
"""


def test_build_skips_unknown_place_and_says_so(runner, tmp_path):
    src = tmp_path / "mixed.yaml"
    src.write_text(UNKNOWN_PLACE, encoding="utf-8")
    res = runner.invoke(cli, ["build", str(src), "-o", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary == {**summary, "incidents": 2, "located": 1, "unlocated": 0, "skipped": 1}
    assert "mixed.yaml:6" in res.stderr and "Qqqxyzzabad" in res.stderr
    doc = json.loads((tmp_path / "o" / "incidents.geojson").read_text(encoding="utf-8"))
    lost = [f for f in doc["features"] if f["id"] == "lost"][0]
    assert lost["geometry"] is None and "Qqqxyzzabad" in lost["properties"]["location_error"]


def test_build_strict_stops_on_unknown_place(runner, tmp_path):
    src = tmp_path / "mixed.yaml"
    src.write_text(UNKNOWN_PLACE, encoding="utf-8")
    res = runner.invoke(cli, ["build", str(src), "-o", str(tmp_path / "o"), "--strict"])
    assert res.exit_code == 1
    assert "mixed.yaml:6" in res.stderr and "place" in res.stderr
    assert not (tmp_path / "o" / "map.html").exists()


def test_build_quiet_drops_the_summary_line(runner, tmp_path):
    src = tmp_path / "mixed.yaml"
    src.write_text(UNKNOWN_PLACE, encoding="utf-8")
    res = runner.invoke(cli, ["-q", "build", str(src), "-o", str(tmp_path / "o")])
    assert res.exit_code == 0
    assert "could not be placed" not in res.stderr and "skipped" in res.stderr


# The geocode command's tests live in tests/test_cli_gazetteer.py with the command.


def test_python_dash_m_works(tmp_path):
    res = subprocess.run([sys.executable, "-m", "border_map", "geocode", "Torkham"],
                         capture_output=True, text=True, cwd=tmp_path, check=False)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["features"][0]["properties"]["name"]
