"""The wheel carries the geodata and the example: install it into a fresh venv and
run ``border-map build`` from another directory (no checkout on the path)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    (whl,) = out.glob("border_map-*.whl")
    return whl


def test_wheel_contains_geodata_and_example(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in (
        "border_map/_data/geodata/durand_line.geojson",
        "border_map/_data/geodata/countries.geojson",
        "border_map/_data/geodata/gazetteer.csv",
        "border_map/_data/geodata/SOURCES.md",
        "border_map/_data/examples/seed_incidents.yaml",
        "border_map/schema/incident.schema.json",
        "border_map/_data/geodata/basemap_admin1.geojson",
        "border_map/_data/geodata/basemap_places.geojson",
        "border_map/_data/geodata/basemap_rivers.geojson",
        "border_map/render/css/map.css",
    ):
        assert name in names, name
    # the map's scripts travel in the wheel, every one the page inlines
    from border_map.render.assets import MAP_JS

    for js in MAP_JS:
        assert f"border_map/render/js/{js}" in names, js


def test_installed_wheel_builds_from_another_directory(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(
        subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-c",
                "import sysconfig; print(sysconfig.get_path('purelib'))",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # The dependencies come from the test venv (no download); border_map itself only from the wheel.
    deps = sysconfig.get_path("purelib")
    (site / "zz_deps.pth").write_text(deps + "\n", encoding="utf-8")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "BORDER_MAP_GEODATA")}
    probe = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import border_map, border_map.data as d; print(border_map.__file__);"
            "print(d.geodata_dir())",
        ],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert str(site) in probe and str(ROOT) not in probe, probe
    res = subprocess.run(
        [str(venv / "bin" / "border-map"), "build", "-o", "maps"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    summary = json.loads(res.stdout)
    assert summary["located"] >= 10
    assert (work / "maps" / "map.html").is_file() and (
        work / "maps" / "incidents.geojson"
    ).is_file()
