"""The export formats (``--format fgb, shp, kml, kmz, csv-wkt``) and every CSV, read back by GDAL.

Two GDALs read each file: pyogrio's (recent) and Debian's ogrinfo (3.6, what QGIS 3.22 uses).
Each must see every incident (the unlocated one included) and the same values for a sample of
fields; KML opened by LIBKML must have the dates; text that looks like a spreadsheet formula
must be neutralised and the Pashto/Dari/Urdu and en dashes must survive.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner

from border_map.csvsafe import TRIGGERS
from border_map.properties import INCIDENT_FIELDS
from border_map.render import formats

OGRINFO = shutil.which("ogrinfo")
needs_ogrinfo = pytest.mark.skipif(OGRINFO is None, reason="gdal-bin (ogrinfo) is not installed")
CONVERSIONS = ("fgb", "shp", "kml", "kmz", "csv-wkt")

# Own text: every free-text field starts like a spreadsheet formula, with non-ASCII around it.
FORMULA_YAML = """\
incidents:
  - id: formula-1
    date: 2026-03-01
    event_type: suicide_bomb
    actors: ["=HYPERLINK(\\"http://example.invalid\\",\\"x\\")", "+ṭālibān"]
    place: {name: Torkham}
    description: "-2+3 — دا یو ازموینه ده"
    claims:
      - claimant: "@SUM(A1:A9)"
        side: PK
        statement: "=1+1 killed"
        figures: [{kind: killed, low: 4, text: "4"}]
        source: {outlet: "\\tTab News"}
  - id: formula-2
    date: {start: 2026-03-02, end: 2026-03-04}
    event_type: remote_explosive
    actors: [Pakistani military]
    location: {lon: 70.95, lat: 34.25, precision_km: 2}
    description: "=cmd|' /C calc'!A0"
  - id: formula-3
    date: 2026-03-05
    event_type: other
    unlocated: "no place given"
    description: "@risk"
"""


@pytest.fixture(scope="module")
def seed_conv(tmp_path_factory):
    from border_map.pipeline import build

    out = tmp_path_factory.mktemp("conversions")
    return build(None, out, formats=(*CONVERSIONS, "csv", "geojson"))


@pytest.fixture(scope="module")
def formula_conv(tmp_path_factory):
    from border_map.pipeline import build

    folder = tmp_path_factory.mktemp("formula")
    src = folder / "formula.yaml"
    src.write_text(FORMULA_YAML, encoding="utf-8")
    return build([src], folder / "out", formats=(*CONVERSIONS, "csv", "geojson"))


def _features(result) -> dict[str, dict]:
    doc = json.loads(result.outputs["geojson"].read_text(encoding="utf-8"))
    return {f["id"]: {**f["properties"], "_geometry": f["geometry"]} for f in doc["features"]}


def _ogr_count(path: Path) -> int:
    res = subprocess.run([OGRINFO, "-ro", "-so", "-al", str(path)], capture_output=True,
                         text=True, check=True, encoding="utf-8")
    assert "ERROR" not in res.stderr and "Warning" not in res.stderr, res.stderr
    return sum(int(n) for n in re.findall(r"^Feature Count: (\d+)$", res.stdout, re.M))


# --------------------------------------------------------------------------- every format


def test_every_conversion_is_written_and_nothing_else(seed_conv):
    out = seed_conv.outputs
    assert set(out) == {"fgb", "shp", "kml", "kmz", "csv-wkt", "csv-wkt-csvt", "csv", "csvt",
                        "geojson", "qml"}
    assert {k: p.name for k, p in out.items() if k in CONVERSIONS} == {
        "fgb": "incidents.fgb", "shp": "incidents.shp.zip", "kml": "incidents.kml",
        "kmz": "incidents.kmz", "csv-wkt": "incidents.csv"}
    assert not [p for p in out["fgb"].parent.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("key", CONVERSIONS)
def test_gdal_reads_every_incident_back(seed_conv, key):
    """Same feature count, the unlocated incident included, in pyogrio's GDAL."""
    path = seed_conv.outputs[key]
    frame = pyogrio.read_dataframe(path)
    feats = _features(seed_conv)
    assert len(frame) == len(feats) == 12
    ids = frame["id"].tolist()
    assert ids == list(feats)
    unlocated = [i for i, f in feats.items() if f["_geometry"] is None]
    assert unlocated == ["2025-10-11-border-fighting"]
    for inc_id, geom in zip(ids, frame.geometry, strict=True):
        expected = feats[inc_id]["_geometry"]
        if expected is None:
            assert geom is None or geom.is_empty, (key, inc_id)
        else:
            assert [round(geom.x, 6), round(geom.y, 6)] == expected["coordinates"], key


@needs_ogrinfo
@pytest.mark.gdal
@pytest.mark.parametrize("key", CONVERSIONS)
def test_debian_gdal_counts_every_incident(seed_conv, key):
    assert _ogr_count(seed_conv.outputs[key]) == 12


def _sample_equal(frame, feats, names_map=None, json_fields=(), join_lists=False):
    names_map = names_map or {}
    for rec in frame.to_dict(orient="records"):
        src = feats[rec["id"]]
        for name in ("event_label", "sector", "distance_to_border_km", "claim_count",
                     "date_start", "actors", "claims"):
            col = names_map.get(name, name)
            if col not in rec:
                continue
            got, want = rec[col], src[name]
            if name == "date_start":
                got = str(got)[:10]
            elif name in json_fields:
                got = json.loads(got)
            elif name == "actors" and join_lists:
                want = "; ".join(want) or None
            if want is None:
                assert got is None or got != got, (rec["id"], name, got)  # None or NaN
            elif isinstance(want, float):
                assert abs(got - want) < 1e-9, (rec["id"], name)
            else:
                assert got == want, (rec["id"], name, got, want)


def test_flatgeobuf_values(seed_conv):
    frame = pyogrio.read_dataframe(seed_conv.outputs["fgb"])
    assert list(frame.columns[:-1]) == [f.name for f in INCIDENT_FIELDS]
    _sample_equal(frame, _features(seed_conv), json_fields=("actors", "claims"))
    info = pyogrio.read_info(seed_conv.outputs["fgb"])
    assert info["geometry_type"] == "Point" and info["crs"] == "EPSG:4326"


def test_shapefile_zip_is_utf8_with_a_field_map_and_a_json_sidecar(seed_conv):
    path = seed_conv.outputs["shp"]
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        assert {"incidents.shp", "incidents.shx", "incidents.dbf", "incidents.prj",
                "incidents.cpg", "incidents_json.csv", "incidents_fields.csv"} <= names
        assert zf.read("incidents.cpg").decode().strip() == "UTF-8"
        sidecar = list(csv.DictReader(io.StringIO(zf.read("incidents_json.csv").decode(
            "utf-8-sig"))))
        fmap = list(csv.DictReader(io.StringIO(zf.read("incidents_fields.csv").decode(
            "utf-8-sig"))))
    frame = pyogrio.read_dataframe(path)
    assert all(len(c) <= 10 for c in frame.columns)
    assert {r["field"]: r["shapefile_name"] for r in fmap if r["shapefile_name"][0] != "("} == {
        f.name: name for f, name, _ in formats.shapefile_fields()}
    feats = _features(seed_conv)
    _sample_equal(frame, feats, formats.SHAPEFILE_NAMES, join_lists=True)
    # the en dash of the sector names survives (no '?')
    assert "Kurram – Nangarhar" in set(frame["sector"])
    for row in sidecar:
        src = feats[row["id"]]
        assert json.loads(row["claims"]) == src["claims"]
        assert json.loads(row["claim_spread"]) == src["claim_spread"]
        assert row["description"] == (src["description"] or "")
    # booleans are DBF logicals
    assert set(frame["side_confl"]) <= {"T", "F", True, False}


def test_the_shapefile_cuts_long_text_on_a_character_and_keeps_it_whole_aside(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    from border_map.pipeline import build

    gdf = build(None, tmp_path / "a", formats=["geojson"]).incidents.iloc[:1].copy()
    gdf["description"] = ["تورخم " * 80]  # 480 characters, 880+ bytes
    gdf = gpd.GeoDataFrame(gdf, geometry=[Point(71.1, 34.1)], crs="EPSG:4326")
    path = formats.write_shapefile(gdf, tmp_path / "x.shp.zip")
    frame = pyogrio.read_dataframe(path)
    short = frame["descr"][0]
    assert len(short.encode("utf-8")) <= 254 and ("تورخم " * 80).startswith(short)
    with zipfile.ZipFile(path) as zf:
        side = list(csv.DictReader(io.StringIO(zf.read("x_json.csv").decode("utf-8-sig"))))
    assert side[0]["description"] == "تورخم " * 80


@pytest.mark.parametrize("key", ["kml", "kmz"])
def test_kml_has_names_time_spans_and_styles_libkml_reads(seed_conv, key):
    path = seed_conv.outputs[key]
    info = pyogrio.read_info(path)
    assert info["driver"] == "LIBKML"
    frame = pyogrio.read_dataframe(path)
    feats = _features(seed_conv)
    for rec in frame.to_dict(orient="records"):
        src = feats[rec["id"]]
        assert rec["Name"] == formats.placemark_name(src)
        assert str(rec["begin"])[:10] == src["date_start"]
        assert str(rec["end"])[:10] == src["date_end"]
    if key == "kmz":  # untyped Data: text
        for name in ("distance_to_border_km", "claim_count"):
            frame[name] = pd.to_numeric(frame[name])
    _sample_equal(frame, feats, json_fields=("actors", "claims"))
    text = (path.read_text(encoding="utf-8") if key == "kml" else
            zipfile.ZipFile(path).read("doc.kml").decode("utf-8"))
    assert text.count("<Placemark") == 12 and text.count("<TimeSpan>") == 12
    styles = set(re.findall(r'<Style id="([^"]+)">', text))
    assert "airstrike-AF" in styles and "suicide_bomb-PK" in styles
    assert all(f"#{s}" in styles or s.lstrip("#") in styles
               for s in re.findall(r"<styleUrl>#([^<]+)</styleUrl>", text))


@needs_ogrinfo
@pytest.mark.gdal
def test_debian_libkml_reads_the_dates(seed_conv):
    res = subprocess.run([OGRINFO, "-ro", "-al", "-q", str(seed_conv.outputs["kml"])],
                         capture_output=True, text=True, check=True, encoding="utf-8")
    assert "begin (DateTime) = 2026/02/21" in res.stdout
    assert "end (DateTime) = 2026/02/22" in res.stdout
    assert "Warning" not in res.stderr and "ERROR" not in res.stderr, res.stderr
    assert "Name (String) = Airstrike — Nangarhar — 2026-02-21/2026-02-22" in res.stdout


def test_csv_wkt(seed_conv):
    path = seed_conv.outputs["csv-wkt"]
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read UTF-8
    info = pyogrio.read_info(path)
    assert info["geometry_type"] in ("Point", "Unknown")
    assert seed_conv.outputs["csv-wkt-csvt"].read_text().count(",") == len(
        formats.csv_columns()) - 1
    frame = pyogrio.read_dataframe(path, EMPTY_STRING_AS_NULL="YES")
    _sample_equal(frame, _features(seed_conv), json_fields=("actors", "claims"))
    row = frame.set_index("id").loc["2025-10-11-border-fighting"]
    assert pd.isna(row["place_id"]) and pd.isna(row["WKT"])  # empty cells are NULL


# --------------------------------------------------------------------------- CSV safety


def test_formula_text_is_neutralised_in_every_csv(formula_conv):
    out = formula_conv.outputs
    text = out["csv-wkt"].read_text(encoding="utf-8-sig")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["formula-1"]["description"] == "'-2+3 — دا یو ازموینه ده"
    assert rows["formula-2"]["description"] == "'=cmd|' /C calc'!A0"
    assert rows["formula-3"]["description"] == "'@risk"
    for row in rows.values():
        for name, cell in row.items():
            assert not cell.startswith(TRIGGERS), (name, cell)
    # JSON keeps its text (it starts with [ or {), so the claim's words are inside it
    assert json.loads(rows["formula-1"]["claims"])[0]["statement"] == "=1+1 killed"
    with zipfile.ZipFile(out["shp"]) as zf:
        side = zf.read("formula_json.csv" if "formula_json.csv" in zf.namelist()
                       else "incidents_json.csv").decode("utf-8-sig")
    for row in csv.DictReader(io.StringIO(side)):
        assert not any(c.startswith(TRIGGERS) for c in row.values())
    # and GDAL reads the values back with the mark
    frame = pyogrio.read_dataframe(out["csv-wkt"])
    assert frame.set_index("id").loc["formula-3", "description"] == "'@risk"


def test_csv_safe():
    assert formats.csv_safe("=1") == "'=1" and formats.csv_safe("\t=1") == "'\t=1"
    assert formats.csv_safe("Khyber – Nangarhar") == "Khyber – Nangarhar"
    assert formats.csv_safe("") == ""


def test_summary_csv_has_a_bom_and_rounded_measures(seed_conv):
    raw = seed_conv.outputs["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfweek,")
    frame = pyogrio.read_dataframe(seed_conv.outputs["csv"], EMPTY_STRING_AS_NULL="YES")
    assert list(frame.columns)[0] == "week"  # GDAL skips the BOM
    assert "Kurram – Nangarhar" in set(frame["sector"])
    assert frame["sector"].isna().any()  # the unlocated incident's group: NULL, not ''


def test_measures_are_rounded(seed_conv):
    for props in _features(seed_conv).values():
        for name, places in (("nearest_lat", 6), ("nearest_lon", 6), ("chainage_km", 3),
                             ("distance_to_border_km", 3)):
            v = props[name]
            assert v is None or round(v, places) == v, (name, v)


# --------------------------------------------------------------------------- CLI


def test_cli_writes_the_conversions(tmp_path):
    from border_map.cli import cli

    res = CliRunner().invoke(cli, ["build", "-o", str(tmp_path), "--format", "fgb,kmz",
                                   "-f", "csv-wkt"])
    assert res.exit_code == 0, res.output
    outputs = json.loads(res.stdout)["outputs"]
    assert set(outputs) == {"fgb", "kmz", "csv-wkt", "csv-wkt-csvt"}
    assert pyogrio.read_info(outputs["kmz"])["features"] == 12
    res = CliRunner().invoke(cli, ["build", "-o", str(tmp_path / "d")])
    assert res.exit_code == 0
    assert "fgb" not in json.loads(res.stdout)["outputs"]  # the default: the first five


def test_kml_of_hostile_text_is_well_formed_and_its_html_inert(tmp_path):
    """tests/data/xss_incidents.yaml: markup in every text field stays text in the KML."""
    import xml.etree.ElementTree as ET

    from border_map.pipeline import build

    res = build([Path(__file__).parent / "data" / "xss_incidents.yaml"], tmp_path,
                formats=["kml"])
    text = res.outputs["kml"].read_text(encoding="utf-8")
    root = ET.fromstring(text.encode("utf-8"))  # well-formed
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    marks = root.findall(".//k:Placemark", ns)
    assert len(marks) == len(res.incidents)
    for mark in marks:
        html = mark.find("k:description", ns).text
        assert "<script" not in html and "<img" not in html, html
    assert "&lt;script&gt;" in text or "&amp;lt;script&amp;gt;" in text
    assert pyogrio.read_info(res.outputs["kml"])["features"] == len(res.incidents)
