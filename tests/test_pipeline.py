"""The whole path on the seed story: incidents -> places -> analysis -> outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from border_map.errors import DataError
from border_map.incidents import load_incidents
from border_map.pipeline import INCIDENT_PROPERTIES, analyse_incidents, build, load_all

SHARED_ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "seed" / "article.txt"

SEED_PLACES = {  # place as reported -> (gazetteer country, side of the line)
    "Nangarhar": ("AF", "AF"), "Paktia": ("AF", "AF"), "Chitral": ("PK", "PK"),
    "Khyber": ("PK", "PK"), "Mohmand": ("PK", "PK"), "Kurram": ("PK", "PK"),
    "Bajaur": ("PK", "PK"),
}


def test_every_seed_incident_is_located_and_analysed(seed_build):
    gdf = seed_build.incidents
    assert seed_build.problems == []
    assert len(gdf) >= 10
    unlocated = gdf[gdf.geometry.isna()]
    assert list(unlocated["event_type"]) == ["armed_clash"]  # October 2025: no place reported
    assert unlocated["location_error"].iloc[0].startswith("unlocated: ")
    for _, row in gdf.iterrows():
        if row["place"] in SEED_PLACES:
            country, side = SEED_PLACES[row["place"]]
            assert row["country"] == country, row["id"]
            assert row["side"] == side, row["id"]
            assert not row["side_conflict"], row["id"]
    khyber = gdf[gdf["place"] == "Khyber"].iloc[0]
    assert khyber["place_kind"] == "district"  # the district, not the province nor the pass


def test_seed_geojson_has_every_property(seed_build):
    doc = json.loads(seed_build.outputs["geojson"].read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    ids = [f["id"] for f in doc["features"]]
    assert len(ids) == len(set(ids))
    for feat in doc["features"]:
        assert list(feat["properties"]) == list(INCIDENT_PROPERTIES)
        if feat["geometry"] is None:
            assert feat["properties"]["location_error"]  # unlocated: kept, with the reason
            continue
        lon, lat = feat["geometry"]["coordinates"]
        assert 60 < lon < 78 and 23 < lat < 38  # lon first
        for claim in feat["properties"]["claims"]:
            assert claim["side"] in ("AF", "PK", "third_party")


def test_contradicting_claims_are_kept_apart(seed_build):
    gdf = seed_build.incidents
    conflicting = gdf[gdf["conflicting_claims"]]
    assert len(conflicting) >= 1
    row = conflicting.iloc[0]
    sides = {c["side"] for c in row["claims"]}
    assert {"AF", "PK"} <= sides  # both sides' claims are there, separately
    assert row["claim_count"] == len(row["claims"])


def test_the_airstrike_figure_is_never_merged(seed_build):
    gdf = seed_build.incidents
    strikes = gdf[gdf["event_type"] == "airstrike"]
    assert set(strikes["place"]) >= {"Nangarhar", "Paktia"}
    for claims in strikes["claims"]:
        figures = [f for c in claims for f in c["figures"] if f["kind"] == "killed"]
        assert any(f["low"] == 70 and f["high"] is None for f in figures)


def test_seed_quotes_come_from_the_story_when_available():
    if not SHARED_ARTICLE.is_file():
        pytest.skip("../shared/seed/article.txt is not beside this clone")
    article = " ".join(SHARED_ARTICLE.read_text(encoding="utf-8").split())
    from border_map.data import example_path

    for inc in load_incidents(example_path()):
        for claim in inc.claims:
            if claim.source and claim.source.quote:
                assert " ".join(claim.source.quote.split()) in article, claim.source.quote


def test_duplicate_ids_across_files_are_rejected(tmp_path):
    from border_map.data import example_path

    with pytest.raises(DataError, match="duplicate incident id"):
        load_all([example_path(), example_path()])


def test_analyse_incidents_from_a_notebook():
    from border_map.data import example_path

    gdf, problems = analyse_incidents(load_incidents(example_path()))
    assert problems == [] and gdf.crs.to_epsg() == 4326
    assert {"distance_to_border_km", "side", "band_km"} <= set(gdf.columns)


def test_build_never_leaves_half_written_outputs(tmp_path, monkeypatch):
    out = tmp_path / "o"
    first = build(None, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def boom(*a, **k):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr("border_map.render.html.render_html", boom)
    with pytest.raises(RuntimeError):
        build(None, out)
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before and first.outputs["map"].is_file()


def test_the_providers_attribution_reaches_every_output(tmp_path):
    """ACLED, UCDP and GDELT ask to be credited wherever their data is shown (README: online
    sources): the map, the GeoJSON, the GeoPackage, the GeoParquet and the summary say so."""
    import json
    import sqlite3

    import pyarrow.parquet as pq

    data = Path(__file__).resolve().parent / "data" / "sources"
    result = build([data / "acled_sample.csv", data / "gdelt_sample.export.CSV"], tmp_path)
    assert len(result.credits) == 2
    assert result.credits[0].startswith("Armed Conflict Location & Event Data (ACLED)")
    assert result.credits[1].startswith("The GDELT Project")
    assert result.summary()["attribution"] == result.credits
    doc = json.loads((tmp_path / "incidents.geojson").read_text(encoding="utf-8"))
    assert doc["attribution"] == result.credits
    meta = pq.ParquetFile(tmp_path / "incidents.parquet").metadata.metadata
    assert json.loads(meta[b"attribution"]) == result.credits
    con = sqlite3.connect(tmp_path / "border_map.gpkg")
    (desc,) = con.execute("SELECT description FROM gpkg_contents WHERE table_name = "
                          "'incidents'").fetchone()
    con.close()
    assert "ACLED" in desc and "GDELT Project" in desc
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    # the attribution control's entries (escaped HTML, inside the page's JSON)
    assert "Event Data (ACLED); www.acleddata.com" in page
    assert "Data: The GDELT Project (gdeltproject.org)" in page
    seed = build(None, tmp_path / "seed", formats=["geojson"])
    assert seed.credits == [] and "attribution" not in json.loads(
        (tmp_path / "seed" / "incidents.geojson").read_text(encoding="utf-8"))


# -- the run's id registry (duplicate ids across chunks and files, bounded memory) --------


def test_seen_ids_finds_repeats_across_chunks_and_inside_one():
    from border_map.pipeline import SeenIds

    seen = SeenIds()
    assert seen.add(["a", "b"], ["f1", "f1"], [2, 3]) == [None, None]
    # a repeat of an earlier chunk's id names its first file and line; a repeat inside the
    # chunk names the chunk's first row
    assert seen.add(["c", "a", "c"], ["f2", "f2", "f2"], [5, 6, 7]) == [
        None, ("f1", 2), ("f2", 5)]
    assert len(seen) == 3


def test_seen_ids_merged_runs_keep_every_id_and_its_place():
    from border_map.pipeline import SeenIds

    seen = SeenIds()
    for chunk in range(40):  # runs are merged as they grow: every id still found
        ids = [f"id-{chunk}-{k}" for k in range(25)]
        assert seen.add(ids, [f"file{chunk % 3}"] * 25, list(range(1, 26))) == [None] * 25
    assert len(seen._keys._runs) < 10
    again = seen.add(["id-0-0", "id-39-24", "id-17-3", "new"], ["x"] * 4, [1, 2, 3, 4])
    assert again == [("file0", 1), ("file0", 25), ("file2", 4), None]
    assert len(seen) == 40 * 25 + 1


def test_seen_ids_equal_first_hash_is_not_a_match(monkeypatch):
    """Two ids whose first hashes collide are told apart by the second."""
    import numpy as np

    from border_map.keyset import KeySet
    from border_map.pipeline import SeenIds

    def colliding(ids):
        return (np.zeros(len(ids), dtype=np.int64),
                np.array([hash(i) for i in ids], dtype=np.int64))

    monkeypatch.setattr(KeySet, "hashes", staticmethod(colliding))
    seen = SeenIds()
    assert seen.add(["p", "q"], ["f", "f"], [1, 2]) == [None, None]
    assert seen.add(["r", "q", "p"], ["g"] * 3, [1, 2, 3]) == [None, ("f", 2), ("f", 1)]
