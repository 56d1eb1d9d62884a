"""GIS outputs read back by the real readers: GDAL (pyogrio, ogrinfo, ogr2ogr), jsonschema, shapely.

Every output of the seed build is compared with the declarations in border_map/properties.py:
geometry type, feature count, field names and types. Non-ASCII text must survive every format.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import numpy as np
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

from border_map import properties
from border_map.incidents import EVENT_TYPES
from border_map.properties import INCIDENT_FIELDS, LAYERS, LAYERS_BY_NAME, summary_fields
from border_map.render import gis

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parent.parent
OGRINFO = shutil.which("ogrinfo")
OGR2OGR = shutil.which("ogr2ogr")
needs_gdal_cli = pytest.mark.skipif(OGRINFO is None or OGR2OGR is None,
                                    reason="gdal-bin (ogrinfo, ogr2ogr) is not installed")

# GDAL's (type, subtype) names as pyogrio reports them, for each GeoPackage type of the schema.
OGR_TYPES = {
    "String": ("OFTString", "OFSTNone"), "Integer": ("OFTInteger", "OFSTNone"),
    "Real": ("OFTReal", "OFSTNone"), "Integer(Boolean)": ("OFTInteger", "OFSTBoolean"),
    "Date": ("OFTDate", "OFSTNone"), "DateTime": ("OFTDateTime", "OFSTNone"),
    "String(JSON)": ("OFTString", "OFSTJSON"),
}
# ogrinfo's names for the geometry types.
OGRINFO_GEOMETRY = {"Point": "Point", "Polygon": "Polygon", "LineString": "Line String",
                    "MultiPolygon": "Multi Polygon", None: "None"}

NON_ASCII_YAML = """\
incidents:
  - id: torkham-تورخم
    date: 2026-03-01
    event_type: border_closure
    actors: [طالبان, پاکستانی فوج]
    place: {name: تورخم}
    description: "پښتو: تورخم بندر وتړل شو — Dari: گذرگاه تورخم بسته شد — Urdu: طورخم سرحد بند"
    claims:
      - claimant: ذبیح‌الله مجاهد
        organisation: د افغانستان اسلامي امارت
        side: AF
        date: 2026-03-01
        statement: بندر تړل شوی
        figures: [{kind: displaced, text: زرګونه کسان, subject: مسافرین}]
        source: {outlet: بي بي سي پښتو, quote: «تورخم بند دی»}
  - id: khost-diacritics
    date: 2026-03-02
    event_type: shelling
    actors: [Ḡulām Ḵān]
    place: {name: Khōst, country: AF, kind: province}
    description: "Shelling near Khōst — Ġulām Khān, Paktīā; é ñ ü"
  - id: unlocated-urdu
    date: 2026-03-03
    event_type: other
    unlocated: رپورٹ میں جگہ کا ذکر نہیں
    description: "اردو: سرحد پر جھڑپ"
"""
# Pashto, Dari, Urdu, diacritics; the last two belong to the unlocated incident, not on the map
NON_ASCII_TEXTS = ("تورخم بندر وتړل شو", "گذرگاه تورخم بسته شد", "طورخم سرحد بند", "ذبیح‌الله مجاهد",
                   "زرګونه کسان", "Ġulām Khān, Paktīā", "Ḡulām Ḵān", "اردو: سرحد پر جھڑپ",
                   "رپورٹ میں جگہ کا ذکر نہیں")


@pytest.fixture(scope="module")
def seed(seed_build):
    return seed_build.outputs


@pytest.fixture(scope="module")
def non_ascii_build(tmp_path_factory):
    from border_map.pipeline import build

    folder = tmp_path_factory.mktemp("non_ascii")
    src = folder / "بريد.yaml"  # a non-ASCII input file name too
    src.write_text(NON_ASCII_YAML, encoding="utf-8")
    return build([src], folder / "out")


def _ogrinfo(path: Path, *args: str) -> str:
    res = subprocess.run([OGRINFO, "-ro", *args, str(path)], capture_output=True, text=True,
                         check=True, encoding="utf-8")
    assert "ERROR" not in res.stderr and "Warning" not in res.stderr, res.stderr
    return res.stdout


def _parse_ogrinfo(text: str) -> dict[str, dict]:
    """`ogrinfo -so -al` output as {layer: {geometry, count, description, fields}}."""
    layers: dict[str, dict] = {}
    for block in text.split("\nLayer name: ")[1:]:
        name = block.split("\n", 1)[0].strip()
        desc = re.search(r"^\s+DESCRIPTION=(.*)$", block, re.M)
        fields = dict(re.findall(r"^([A-Za-z_][\w]*): ([A-Za-z0-9()]+) \(", block, re.M))
        layers[name] = {
            "geometry": re.search(r"^Geometry: (.*)$", block, re.M).group(1),
            "count": int(re.search(r"^Feature Count: (\d+)$", block, re.M).group(1)),
            "description": desc.group(1) if desc else "",
            "fields": {k: v for k, v in fields.items() if k not in ("FID Column", "Geometry")},
        }
    return layers


def _expected_counts(gdf) -> dict[str, int]:
    located = ~(gdf.geometry.isna() | gdf.geometry.is_empty)
    with_radius = located & (gdf["precision_km"].fillna(0) > 0)
    return {
        "incidents": len(gdf), "incident_areas": int(with_radius.sum()),
        "claims": int(gdf["claim_count"].sum()), "durand_line": 1, "border_bands": 4,
        "sectors": 30, "places": gdf["place_id"].nunique(), "countries": 2, "af_provinces": 34,
        "layer_styles": 9,
    }


# --------------------------------------------------------------------------- the files


def test_every_output_is_written(seed):
    assert set(seed) == {"geojson", "geojsonl", "qml", "gpkg", "qgz", "csv", "csvt", "map",
                         "parquet", "hexagons", "hex_counts"}
    names = {k: p.name for k, p in seed.items()}
    assert names == {"geojson": "incidents.geojson", "geojsonl": "incidents.geojsonl",
                     "qml": "incidents.qml", "gpkg": "border_map.gpkg", "qgz": "border_map.qgz",
                     "csv": "summary.csv", "csvt": "summary.csvt", "map": "map.html",
                     "parquet": "incidents.parquet", "hexagons": "hexagons.geojson",
                     "hex_counts": "hex_counts.csv"}
    folder = seed["gpkg"].parent
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temp file left


# --------------------------------------------------------------------------- GeoJSON


def test_geojson_validates_against_rfc7946_and_the_property_schema(seed):
    doc = json.loads(seed["geojson"].read_text(encoding="utf-8"))
    schema = json.loads((DATA / "geojson.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(doc)
    props = {"type": "object", "additionalProperties": False,
             "required": [f.name for f in INCIDENT_FIELDS],
             "properties": {f.name: f.json_schema() for f in INCIDENT_FIELDS}}
    validator = jsonschema.Draft202012Validator(props)
    for feat in doc["features"]:
        validator.validate(feat["properties"])
        assert feat["id"] == feat["properties"]["id"]
        if feat["geometry"] is not None:
            for c in feat["geometry"]["coordinates"]:
                assert round(c, 6) == c
    assert "crs" not in doc and len(doc["bbox"]) == 4


def test_the_schema_rejects_what_rfc7946_forbids():
    schema = json.loads((DATA / "geojson.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    good = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "a", "geometry": {"type": "Point", "coordinates": [70, 34]},
         "properties": {}}]}
    assert validator.is_valid(good)
    bad = [
        {**good, "crs": {"type": "name", "properties": {"name": "EPSG:4326"}}},
        {**good, "features": [{**good["features"][0], "id": {"x": 1}}]},
        {**good, "features": [{**good["features"][0],
                               "geometry": {"type": "Point", "coordinates": [34, 270]}}]},
        {**good, "features": [{**good["features"][0], "geometry": {
            "type": "Polygon", "coordinates": [[[70, 34], [71, 34], [70, 34]]]}}]},
        {**good, "bbox": [70, 34, 71]},
    ]
    for doc in bad:
        assert not validator.is_valid(doc), doc


def test_geojson_as_gdal_reads_it(seed):
    info = pyogrio.read_info(seed["geojson"])
    assert info["geometry_type"] == "Point" and info["features"] == len(_features(seed))
    assert list(info["fields"]) == [f.name for f in INCIDENT_FIELDS]
    for f, t, st in zip(INCIDENT_FIELDS, info["ogr_types"], info["ogr_subtypes"], strict=True):
        # GeoJSON arrays of strings are GDAL StringLists; in a GeoPackage they are JSON text
        expected = ("OFTStringList", "OFSTNone") if f.type == "string[]" else OGR_TYPES[
            f.gpkg_type]
        assert (t, st) == expected, f.name


def _features(seed) -> list[dict]:
    return json.loads(seed["geojson"].read_text(encoding="utf-8"))["features"]


def test_geojsonl_is_an_rfc8142_sequence_of_the_same_features(seed):
    raw = seed["geojsonl"].read_bytes()
    records = raw.split(b"\x1e")
    assert records[0] == b"" and all(r.endswith(b"\n") for r in records[1:])
    features = [json.loads(r.decode("utf-8")) for r in records[1:]]
    assert features == _features(seed)
    info = pyogrio.read_info(seed["geojsonl"])
    assert info["driver"] == "GeoJSONSeq" and info["features"] == len(features)
    assert info["geometry_type"] == "Point"


# --------------------------------------------------------------------------- GeoPackage


def test_gpkg_layers_match_the_schema(seed, seed_build):
    counts = _expected_counts(seed_build.incidents)
    listed = {name: geom for name, geom in pyogrio.list_layers(seed["gpkg"])}
    assert set(listed) == {layer.name for layer in LAYERS}
    for layer in LAYERS:
        info = pyogrio.read_info(seed["gpkg"], layer=layer.name)
        assert info["geometry_type"] == layer.geometry_type, layer.name
        assert info["features"] == counts[layer.name], layer.name
        assert list(info["fields"]) == list(layer.field_names), layer.name
        types = list(zip(info["ogr_types"], info["ogr_subtypes"], strict=True))
        assert types == [OGR_TYPES[f.gpkg_type] for f in layer.fields], layer.name
        desc = info["layer_metadata"]["DESCRIPTION"]
        assert "Licence:" in desc and ("Source:" in desc or "Derived from" in desc
                                       or "Written by" in desc), layer.name
        if layer.geometry_type:
            assert info["crs"] == "EPSG:4326"


@needs_gdal_cli
@pytest.mark.gdal
def test_ogrinfo_shows_every_layer_type_and_field_as_documented(seed, seed_build):
    layers = _parse_ogrinfo(_ogrinfo(seed["gpkg"], "-so", "-al"))
    counts = _expected_counts(seed_build.incidents)
    assert list(layers) == [layer.name for layer in LAYERS if layer.geometry_type] + [
        layer.name for layer in LAYERS if not layer.geometry_type]
    for layer in LAYERS:
        got = layers[layer.name]
        assert got["geometry"] == OGRINFO_GEOMETRY[layer.geometry_type], layer.name
        assert got["count"] == counts[layer.name], layer.name
        assert got["fields"] == {f.name: f.gpkg_type for f in layer.fields}, layer.name
        assert "Licence" in got["description"], layer.name
    assert "OpenStreetMap" in layers["durand_line"]["description"]
    assert "GeoNames" in layers["places"]["description"]
    assert "seed_incidents.yaml" in layers["incidents"]["description"]
    # the document table generated from the same declarations says the same
    doc = (ROOT / "docs" / "properties.md").read_text(encoding="utf-8")
    for layer in LAYERS:
        for f in layer.fields:
            assert f"| `{f.name}` | {f.type} | {f.gpkg_type} |" in doc, (layer.name, f.name)


def test_gpkg_is_version_1_2_with_described_columns(seed):
    con = sqlite3.connect(seed["gpkg"])
    try:
        assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # "GPKG"
        assert con.execute("PRAGMA user_version").fetchone()[0] == 10200
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = con.execute("SELECT table_name, column_name, description, mime_type "
                           "FROM gpkg_data_columns").fetchall()
        ext = {r[0] for r in con.execute(
            "SELECT table_name FROM gpkg_extensions WHERE extension_name = 'gpkg_schema'")}
    finally:
        con.close()
    assert ext == {"gpkg_data_columns", "gpkg_data_column_constraints"}
    described = {(t, c): (d, m) for t, c, d, m in rows}
    for layer in LAYERS:
        for f in layer.fields:
            desc, mime = described[(layer.name, f.name)]
            assert f.meaning in desc
            assert mime == ("application/json" if f.is_json else None)


def test_polygon_rings_follow_the_right_hand_rule(seed):
    for name in ("incident_areas", "border_bands"):
        frame = pyogrio.read_dataframe(seed["gpkg"], layer=name)
        for geom in frame.geometry:
            assert geom.is_valid, name
            for poly in getattr(geom, "geoms", [geom]):
                assert shapely.is_ccw(poly.exterior), name
                assert not any(shapely.is_ccw(ring) for ring in poly.interiors), name


def test_uncertainty_circles_are_geodesic(seed, seed_build):
    frame = pyogrio.read_dataframe(seed["gpkg"], layer="incident_areas")
    points = seed_build.incidents.set_index("id").geometry
    for inc_id, radius_km, circle in zip(frame["incident_id"], frame["precision_km"],
                                         frame.geometry, strict=True):
        centre = points[inc_id]
        xy = np.asarray(circle.exterior.coords)
        assert len(xy) == gis.CIRCLE_VERTICES + 1
        _, _, dist = gis.GEOD.inv(np.full(len(xy), centre.x), np.full(len(xy), centre.y),
                                  xy[:, 0], xy[:, 1])
        assert np.allclose(dist, radius_km * 1000, rtol=0, atol=1.0)  # 6 decimals ~ 0.1 m


def test_gpkg_back_to_geojson_gives_the_same_features(seed):
    """incidents.geojson -> GeoPackage -> GeoJSON, read back with pyogrio."""
    doc = json.loads(seed["geojson"].read_text(encoding="utf-8"))
    assert gis.read_feature_collection(seed["gpkg"]) == doc


@needs_gdal_cli
@pytest.mark.gdal
def test_gdal_converts_the_gpkg_to_the_same_geojson(seed, tmp_path):
    """The round trip through Debian's GDAL: GeoPackage -> ogr2ogr -> GeoJSON."""
    out = tmp_path / "round_trip.geojson"
    subprocess.run([OGR2OGR, "-f", "GeoJSON", "-lco", "RFC7946=YES", "-lco", "ID_FIELD=id",
                    str(out), str(seed["gpkg"]), "incidents"], check=True, capture_output=True)
    back = json.loads(out.read_text(encoding="utf-8"))["features"]
    original = _features(seed)
    assert [f["id"] for f in back] == [f["id"] for f in original]
    for a, b in zip(original, back, strict=True):
        assert b["geometry"] == a["geometry"]
        # ID_FIELD moves `id` into the feature id; every other property comes back as written
        assert b["properties"] == {k: v for k, v in a["properties"].items() if k != "id"}


# --------------------------------------------------------------------------- summary CSV


def test_summary_csv_as_gdal_reads_it(seed, seed_build):
    from border_map.aggregate import summarise

    info = pyogrio.read_info(seed["csv"])
    fields = summary_fields()
    assert list(info["fields"]) == [f.name for f in fields]
    types = list(zip(info["ogr_types"], info["ogr_subtypes"], strict=True))
    assert types == [OGR_TYPES[f.gpkg_type] for f in fields]
    assert info["features"] == len(summarise(seed_build.incidents))
    frame = pyogrio.read_dataframe(seed["csv"])
    assert frame["incidents"].sum() == len(seed_build.incidents)


# --------------------------------------------------------------------------- styles


def _styles(path) -> dict[str, dict]:
    frame = pyogrio.read_dataframe(path, layer="layer_styles")
    return {r["f_table_name"]: r for r in frame.to_dict(orient="records")}


def test_every_layer_has_a_default_qgis_style(seed):
    from border_map.render.symbols import BAND_COLOURS, LINE_COLOUR, SIDE_COLOURS

    styles = _styles(seed["gpkg"])
    assert set(styles) == {layer.name for layer in LAYERS if layer.name != "layer_styles"}
    for name, row in styles.items():
        geometry = LAYERS_BY_NAME[name].geometry_type
        assert row["useAsDefault"] and row["f_geometry_column"] == ("geom" if geometry else "")
        assert row["f_table_schema"] == "" and row["f_table_catalog"] == ""
        root = ET.fromstring(row["styleQML"].split("\n", 1)[1])
        assert root.tag == "qgis" and (root.find("renderer-v2") is not None) == bool(geometry)
        assert root.find("fieldConfiguration") is not None, name
    # incidents: one rule per event type and side, the map's SVG symbol in the side's colour
    root = ET.fromstring(styles["incidents"]["styleQML"].split("\n", 1)[1])
    rules = root.findall("renderer-v2/rules/rule")
    assert len(rules) == 3 * len(EVENT_TYPES) + 1 and rules[-1].get("filter") == "ELSE"
    symbols = {s.get("name"): s for s in root.findall("renderer-v2/symbols/symbol")}
    for rule in rules[:-1]:
        side = re.search(r"\"side\" (?:= '(\w+)'|IS NULL)", rule.get("filter")).group(1)
        prop = symbols[rule.get("symbol")].find("layer/prop[@k='name']").get("v")
        svg = base64.b64decode(prop.removeprefix("base64:")).decode("utf-8")
        assert f'fill="{SIDE_COLOURS[side]}"' in svg
    line = styles["durand_line"]["styleQML"]
    r, g, b = (int(LINE_COLOUR[i:i + 2], 16) for i in (1, 3, 5))
    assert f'"{r},{g},{b},230"' in line  # the map's red, 90 % opaque
    bands = styles["border_bands"]["styleQML"]
    for colour in BAND_COLOURS[:4]:
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        assert f'"{r},{g},{b},89"' in bands  # 35 % opaque, as on the map
    # the sidecar style of incidents.geojson is the same style
    assert seed["qml"].read_text(encoding="utf-8") == styles["incidents"]["styleQML"]


# QGIS itself opens these files in tests/test_qgis.py.


# --------------------------------------------------------------------------- non-ASCII


def _json(value):
    """A JSON-subtype field as read by pyogrio: text, or already parsed by recent pyogrio."""
    return json.loads(value) if isinstance(value, str) else value


def test_non_ascii_text_survives_every_format(non_ascii_build):
    out = non_ascii_build.outputs
    for key in ("geojson", "geojsonl", "map"):
        text = out[key].read_text(encoding="utf-8")
        for s in NON_ASCII_TEXTS[:-2] if key == "map" else NON_ASCII_TEXTS:
            assert s in text, (key, s)
    # GeoJSON: the exact strings, not escapes
    doc = json.loads(out["geojson"].read_text(encoding="utf-8"))
    assert doc["features"][0]["id"] == "torkham-تورخم"
    assert doc["features"][0]["properties"]["place_id"] == "crossing.torkham"
    # GeoPackage, as GDAL reads it
    inc = pyogrio.read_dataframe(out["gpkg"], layer="incidents")
    assert list(inc["id"]) == ["torkham-تورخم", "khost-diacritics", "unlocated-urdu"]
    assert _json(inc["actors"][0]) == ["طالبان", "پاکستانی فوج"]
    assert inc["location_error"][2] == "unlocated: رپورٹ میں جگہ کا ذکر نہیں"
    claims = pyogrio.read_dataframe(out["gpkg"], layer="claims")
    assert claims["claimant"][0] == "ذبیح‌الله مجاهد"
    assert _json(claims["figures"][0])[0]["subject"] == "مسافرین"
    places = pyogrio.read_dataframe(out["gpkg"], layer="places")
    assert "تورخم" in _json(places.set_index("id").loc["crossing.torkham", "aliases"])
    assert "بريد.yaml" in pyogrio.read_info(out["gpkg"], layer="claims")[
        "layer_metadata"]["DESCRIPTION"]
    assert gis.read_feature_collection(out["gpkg"]) == doc
    # summary.csv: sector names with an en dash, read by GDAL
    frame = pyogrio.read_dataframe(out["csv"])
    assert "Khyber – Nangarhar" in set(frame["sector"])


@needs_gdal_cli
@pytest.mark.gdal
def test_non_ascii_text_as_ogrinfo_prints_it(non_ascii_build):
    text = _ogrinfo(non_ascii_build.outputs["gpkg"], "-al", "-q")
    for s in NON_ASCII_TEXTS:
        assert s in text, s


# --------------------------------------------------------------------------- build and CLI


def test_formats_choose_the_outputs(tmp_path):
    from border_map.pipeline import build

    res = build(None, tmp_path / "a", formats=["gpkg"])
    assert set(res.outputs) == {"gpkg", "qgz"}
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["border_map.gpkg",
                                                                  "border_map.qgz"]
    res = build(None, tmp_path / "b", formats=("csv", "geojsonl"))
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == [
        "incidents.geojsonl", "incidents.qml", "summary.csv", "summary.csvt"]
    with pytest.raises(ValueError, match="unknown output format"):
        build(None, tmp_path / "c", formats=["tab"])


def test_a_failing_writer_replaces_no_output(tmp_path, monkeypatch):
    from border_map.pipeline import build

    out = tmp_path / "o"
    build(None, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def half_written(self):
        self.path.write_bytes(b"SQLite format 3\x00 truncated")
        raise OSError("disk full")

    monkeypatch.setattr(gis.GeoPackageWriter, "close", half_written)
    with pytest.raises(OSError, match="disk full"):
        build(None, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_cli_format_option(tmp_path):
    from border_map.cli import OUTPUT_FORMATS, cli
    from border_map.pipeline import FORMATS

    assert OUTPUT_FORMATS == FORMATS
    runner = CliRunner()
    res = runner.invoke(cli, ["build", "-o", str(tmp_path / "a"), "--format", "gpkg,csv"])
    assert res.exit_code == 0, res.output
    outputs = json.loads(res.stdout)["outputs"]
    assert set(outputs) == {"gpkg", "qgz", "csv", "csvt"}
    assert Path(outputs["gpkg"]).name == "border_map.gpkg"
    res = runner.invoke(cli, ["build", "-o", str(tmp_path / "b"), "-f", "geojson", "-f", "html"])
    assert res.exit_code == 0, res.output
    assert set(json.loads(res.stdout)["outputs"]) == {"geojson", "qml", "map"}
    res = runner.invoke(cli, ["build", "-o", str(tmp_path / "c"), "--format", "gpkg,tab"])
    assert res.exit_code == 2 and "tab" in res.output and not (tmp_path / "c").exists()


# --------------------------------------------------------------------------- the schema


def test_the_pipeline_emits_exactly_the_declared_properties(seed_build):
    from border_map.pipeline import INCIDENT_PROPERTIES

    assert INCIDENT_PROPERTIES is properties.INCIDENT_PROPERTIES
    gdf = seed_build.incidents
    assert list(gdf.columns) == [*properties.INCIDENT_PROPERTIES, gdf.geometry.name]


def test_docs_properties_md_is_up_to_date():
    """Regenerate with: python -m border_map.properties > docs/properties.md"""
    committed = (ROOT / "docs" / "properties.md").read_text(encoding="utf-8")
    assert committed == properties.markdown(), (
        "docs/properties.md is stale: run python -m border_map.properties > docs/properties.md")


def test_field_declarations_are_consistent():
    for layer in LAYERS:
        names = layer.field_names
        assert len(names) == len(set(names)), layer.name
        for f in layer.fields:
            assert f.meaning, (layer.name, f.name)
    assert LAYERS_BY_NAME["incidents"].fields == INCIDENT_FIELDS
    with pytest.raises(ValueError, match="unknown type"):
        properties.Field("x", "float")
