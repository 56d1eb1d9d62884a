"""RFC 7946 output: structure, types, rounding, no NaN; read back by GDAL."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
from shapely.geometry import Point, Polygon

from border_map.render.geojson import dumps, feature_collection, to_json_value, write_geojson


def test_feature_collection_is_rfc7946():
    gdf = gpd.GeoDataFrame(
        {"id": ["a", "b"], "when": [dt.date(2026, 2, 26), None], "x": [1.5, np.nan],
         "n": [np.int64(3), np.int64(4)], "tags": [["p", "q"], []]},
        geometry=gpd.GeoSeries([Point(71.123456789, 34.987654321), None], crs="EPSG:4326"))
    doc = feature_collection(gdf)
    assert "crs" not in doc
    assert doc["bbox"] == [71.123457, 34.987654, 71.123457, 34.987654]
    a, b = doc["features"]
    assert a["id"] == "a" and a["geometry"]["coordinates"] == [71.123457, 34.987654]
    assert a["properties"]["when"] == "2026-02-26" and a["properties"]["n"] == 3
    assert b["geometry"] is None and b["properties"]["x"] is None
    json.loads(dumps(doc))  # strict JSON: would raise on NaN


def test_polygons_follow_right_hand_rule():
    cw = Polygon([(70, 34), (70, 35), (71, 35), (71, 34)])  # clockwise exterior
    gdf = gpd.GeoDataFrame({"id": ["p"]}, geometry=gpd.GeoSeries([cw], crs="EPSG:4326"))
    ring = feature_collection(gdf)["features"][0]["geometry"]["coordinates"][0]
    area2 = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))
    assert area2 > 0  # counter-clockwise


def test_to_json_value_never_returns_nan():
    assert to_json_value(float("nan")) is None
    assert to_json_value(np.float32("inf")) is None
    assert to_json_value({"a": [np.nan, 1]}) == {"a": [None, 1]}


def test_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "x.geojson"
    path.write_text("good", encoding="utf-8")
    gdf = gpd.GeoDataFrame({"id": ["a"]}, geometry=gpd.GeoSeries([Point(70, 34)], crs="EPSG:4326"))

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr("border_map.render.geojson.dumps", boom)
    with pytest.raises(RuntimeError):
        write_geojson(gdf, path)
    assert path.read_text(encoding="utf-8") == "good"
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


EXPECTED_FIELDS = {
    "id": "String", "date": "String", "event_type": "String", "place": "String",
    "country": "String", "side": "String", "distance_to_border_km": "Real",
    "band_km": "Real", "precision_km": "Real", "claim_count": "Integer",
}


def test_seed_geojson_read_back_with_pyogrio(seed_build):
    path = seed_build.outputs["geojson"]
    info = pyogrio.read_info(path)
    assert info["geometry_type"] == "Point"
    assert info["features"] == len(seed_build.incidents)
    df = pyogrio.read_dataframe(path)
    for field in ("id", "date", "event_type", "place", "country", "side",
                  "distance_to_border_km", "band_km", "precision_km", "claims"):
        assert field in df.columns, field
    assert df["distance_to_border_km"].dtype.kind == "f"
    assert set(df["side"].dropna()) <= {"AF", "PK"}


@pytest.mark.gdal
def test_seed_geojson_read_back_with_ogrinfo(seed_build):
    ogrinfo = shutil.which("ogrinfo")
    if ogrinfo is None:
        pytest.skip("ogrinfo (Debian gdal-bin) is not installed; `make test` installs it")
    out = subprocess.run([ogrinfo, "-ro", "-so", "-al", str(seed_build.outputs["geojson"])],
                         capture_output=True, text=True, check=True).stdout
    assert "Geometry: Point" in out
    assert f"Feature Count: {len(seed_build.incidents)}" in out
    for name, kind in EXPECTED_FIELDS.items():
        assert f"{name}: {kind}" in out, (name, kind)
