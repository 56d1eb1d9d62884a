"""One pipeline, two engines: the same inputs give the same outputs in-process and on dask.

Every reader's fixture goes through both engines; every output is compared (byte for byte,
the GeoPackage by its incident layer). Also: block reading (records cut at quote-aware
boundaries, line numbers across blocks), the GDELT reader's counts, table inputs placed
through the gazetteer, and the engine options of the CLI.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

pytest.importorskip("distributed", reason="the 'dask' extra is not installed")

from click.testing import CliRunner  # noqa: E402

from border_map.cli import cli  # noqa: E402
from border_map.data import example_path  # noqa: E402
from border_map.engine.progress import Progress  # noqa: E402
from border_map.engine.synthetic import write_acled, write_gdelt  # noqa: E402
from border_map.errors import DataError  # noqa: E402
from border_map.pipeline import build  # noqa: E402
from border_map.readers import plan_parts, read_source  # noqa: E402
from border_map.readers.gdelt import GDELT_COLUMNS  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
SAMPLE = DATA / "gdelt_sample.tsv"
CSV_TEXT = """id,event_date,event_type,location,country,latitude,longitude,geo_precision
c1,2024-05-01,shelling,Torkham,,,,
c2,12 June 2024,armed_clash,Asadabad,Afghanistan,,,2
c3,2024-07-09,attack,Parachinar,Pakistan,33.8997,70.1001,1
c4,2024-07-10,other,Nowhere-that-exists-xyz,,,,
c5,not a date,other,,,33.0,70.0,
c6,2024-08-01,airstrike,,,19.0,72.8,
c7,2024-08-02,other,,,,,
"""
ALL = ("geojson", "geojsonl", "gpkg", "csv", "parquet", "hexagons", "html")


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                      host="127.0.0.1", dashboard_address=None) as c:
        yield c


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """One fixture per reader: YAML, JSON, native CSV, ACLED, UCDP, GDELT (two), a table,
    GeoJSON and GeoParquet (border-map's own outputs read back), and a synthetic export."""
    root = tmp_path_factory.mktemp("engine_inputs")
    table = root / "incidents.csv"
    table.write_text(CSV_TEXT, encoding="utf-8")
    seed_out = root / "seed_out"
    build(None, seed_out, formats=["geojson", "parquet"])
    geojson = root / "seed.geojson"
    shutil.copy(seed_out / "incidents.geojson", geojson)
    parquet = root / "seed.parquet"
    shutil.copy(seed_out / "incidents.parquet", parquet)
    # ids repeated within a chunk: the driver drops the repeats, so the
    # writers' share made on the worker for the whole chunk is made again for the rows kept
    dup_ids = root / "dup_ids.csv"
    rows = CSV_TEXT.splitlines()
    dup_ids.write_text("\n".join([*rows, rows[3], *rows[1:4], rows[3]]) + "\n",
                       encoding="utf-8")
    return {
        "yaml": example_path(), "json": DATA / "incidents" / "good.json",
        "csv": DATA / "sources" / "native_sample.csv",
        "acled": DATA / "sources" / "acled_sample.csv",
        "ucdp": DATA / "sources" / "ucdp_sample.csv",
        "gdelt": DATA / "sources" / "gdelt_sample.export.CSV", "gdelt_tsv": SAMPLE,
        "table": table, "dup_ids": dup_ids, "geojson": geojson, "parquet": parquet,
        "synthetic": write_gdelt(root / "synthetic.export.tsv", 3_000, seed=5),
    }


def _outputs(result) -> dict[str, bytes]:
    out = {}
    for key, path in result.outputs.items():
        if key == "gpkg":
            for layer in ("incidents", "incident_areas", "claims", "places"):
                frame = gpd.read_file(path, layer=layer)
                out[f"gpkg.{layer}"] = frame.astype(str).to_csv().encode()
        elif key == "qgz":  # the project, less its creation time
            import re
            import zipfile

            xml = zipfile.ZipFile(path).read("border_map.qgs").decode("utf-8")
            out[key] = re.sub(r"<creation>[^<]*</creation>", "", xml).encode()
        elif key == "parquet":
            frame = pd.read_parquet(path)
            frame["geometry"] = frame["geometry"].map(lambda b: b.hex() if b else None)
            out[key] = frame.astype(str).to_csv().encode()
        else:
            out[key] = Path(path).read_bytes()
    return out


@pytest.mark.parametrize("name", ["yaml", "json", "csv", "acled", "ucdp", "gdelt", "gdelt_tsv",
                                  "table", "dup_ids", "geojson", "parquet", "synthetic"])
def test_every_reader_gives_the_same_outputs_from_both_engines(name, inputs, cluster,
                                                               tmp_path):
    src = inputs[name]
    mem = build([src], tmp_path / "mem", formats=ALL, marker_limit=100)
    dask = build([src], tmp_path / "dask", formats=ALL, marker_limit=100, engine="dask",
                 scheduler=cluster.scheduler_address, block_bytes=2_000)
    assert dask.engine == "dask" and mem.engine == "in-process"
    assert mem.summary()["files"] == dask.summary()["files"]
    assert mem.count == dask.count > 0
    if name == "dup_ids":
        assert sum(p.reason == "duplicate_id" for p in dask.rejected) == 5
    a, b = _outputs(mem), _outputs(dask)
    assert set(a) == set(b)
    for key in a:
        assert a[key] == b[key], key


def test_many_inputs_in_one_build_on_dask(inputs, cluster, tmp_path):
    srcs = [inputs[k] for k in ("acled", "ucdp", "gdelt_tsv", "table", "synthetic")]
    mem = build(srcs, tmp_path / "mem", formats=["geojson", "csv"])
    dask = build(srcs, tmp_path / "dask", formats=["geojson", "csv"], engine="dask",
                 scheduler=cluster.scheduler_address, partitions=6)
    assert dask.parts >= 6
    assert _outputs(mem) == _outputs(dask)
    assert [[x.a, x.b] for x in mem.duplicates] == [[x.a, x.b] for x in dask.duplicates]


def test_gdelt_counts_agree_everywhere(tmp_path):
    """The reader, validate and build see the same 18 incidents (they used to disagree)."""
    read = read_source(SAMPLE)
    assert len(read.incidents) == 18 and len(read.problems) == 3
    result = build([SAMPLE], tmp_path, formats=["parquet"])
    s = result.summary()["files"][str(SAMPLE)]
    assert s == {"format": "gdelt", "rows": 33, "incidents": 18, "located": 15, "unplaced": 0,
                 "rejected": {"bad_record": 3},
                 "left_out": {"not_violence": 4, "other_country": 8}}
    assert s["rows"] == s["incidents"] + sum(s["rejected"].values()) + sum(
        s["left_out"].values())
    gdf = gpd.read_parquet(tmp_path / "incidents.parquet").set_index("id")
    torkham, chaman = gdf.loc["gdelt-1100000901"], gdf.loc["gdelt-1100000907"]
    country = gdf.loc["gdelt-1100000902"]
    assert torkham["event_type"] == "shelling" and torkham["distance_to_border_km"] < 1
    assert chaman["side"] == "PK" and chaman["event_type"] == "drone_strike"
    assert chaman["band_km"] == 5 and json.loads(chaman["band_certainty"])["5"] == "possible"
    assert country["geometry"] is None
    assert "country only" in country["location_error"]
    assert "gdelt-1100000904" not in gdf.index  # Mumbai: outside the region


def test_table_rows_are_placed_through_the_gazetteer(inputs, tmp_path):
    result = build([inputs["table"]], tmp_path, formats=["parquet"])
    gdf = gpd.read_parquet(tmp_path / "incidents.parquet").set_index("id")
    assert gdf.loc["c1", "location_source"] == "gazetteer" and gdf.loc["c1", "country"] == "PK"
    assert gdf.loc["c1", "place_id"]
    assert gdf.loc["c3", "location_source"] == "explicit" and gdf.loc["c3", "side"] == "PK"
    assert gdf.loc["c4", "geometry"] is None and "xyz" in gdf.loc["c4", "location_error"]
    assert gdf.loc["c7", "geometry"] is None and "no position" in gdf.loc["c7",
                                                                         "location_error"]
    assert "c5" not in gdf.index and "c6" not in gdf.index  # bad date, outside the region
    rejected = {p.location: p.message for p in result.rejected}
    assert any(loc.endswith("incidents.csv:6") for loc in rejected)
    assert any(loc.endswith("incidents.csv:7") and "outside" in m for loc, m in rejected.items())
    assert [p.location for p in result.problems] == [f"{inputs['table']}:5"]


def test_blocks_cut_between_records_never_inside_a_quoted_value(tmp_path):
    """A value with line breaks and quotes on a block boundary; line numbers stay the file's."""
    src = write_acled(tmp_path / "acled.csv", 400, seed=2)
    text = src.read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = text[0], text[1:]
    # a multi-line quoted note in every tenth row, and a bad latitude on row 351 (line 352)
    out = [header]
    for i, row in enumerate(rows):
        cells = row.rstrip("\n").split(",")
        if i % 10 == 0:
            row = row.replace('"Synthetic event', '"Synthetic ""quoted""\nevent over\nlines')
        if i == 350:
            row = row.replace(cells[22], '"95.5"', 1)
        out.append(row)
    src.write_text("".join(out), encoding="utf-8")
    one = build([src], tmp_path / "one", formats=["geojson"])
    many = build([src], tmp_path / "many", formats=["geojson"], engine="dask",
                 block_bytes=4_000, workers=1)
    assert many.parts > 10
    assert (tmp_path / "one" / "incidents.geojson").read_bytes() == (
        tmp_path / "many" / "incidents.geojson").read_bytes()
    assert one.count == 399 and len(one.rejected) == 1
    bad_line = 1 + 350 + 2 * 35 + 1  # header, 350 rows, 35 notes of 3 lines, then the row
    assert one.rejected[0].location == f"{src}:{bad_line}"
    assert [p.location for p in many.rejected] == [p.location for p in one.rejected]
    features = json.loads((tmp_path / "one" / "incidents.geojson").read_text())["features"]
    assert 'Synthetic "quoted"\nevent over\nlines' in features[0]["properties"]["description"]
    assert len(plan_parts(src, block_bytes=4_000)) == many.parts


def test_large_runs_keep_no_frame_in_memory(tmp_path):
    src = write_gdelt(tmp_path / "e.export.tsv", 2_000, seed=1)
    small = build([src], tmp_path / "a", formats=["csv"], keep_incidents=10)
    assert small.incidents is None and small.count > 10
    kept = build([src], tmp_path / "b", formats=["csv"])
    assert len(kept.incidents) == kept.count


def test_dask_without_the_extra_is_one_line(monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)
    res = CliRunner().invoke(cli, ["build", str(SAMPLE), "-o", str(tmp_path), "--engine",
                                   "dask"])
    assert res.exit_code == 1
    assert res.output.strip().splitlines() == [
        "Error: --engine dask needs the 'dask' extra: pip install 'border-map[dask]'"]


def test_gdelt_column_spec():
    assert len(GDELT_COLUMNS) == 61
    assert GDELT_COLUMNS.index("ActionGeo_Lat") == 56
    assert GDELT_COLUMNS.index("ActionGeo_Long") == 57
    assert GDELT_COLUMNS.index("ActionGeo_CountryCode") == 53
    assert GDELT_COLUMNS.index("SQLDATE") == 1 and GDELT_COLUMNS.index("EventCode") == 26


def test_cli_build_engine_dask(cluster, tmp_path):
    res = CliRunner().invoke(cli, ["build", str(SAMPLE), "-o", str(tmp_path), "--engine", "dask",
                                   "--scheduler", cluster.scheduler_address, "--partitions", "2",
                                   "--no-progress"])
    assert res.exit_code == 1, res.output  # 3 bad records rejected: mapped, then exit 1
    summary = json.loads(res.stdout)
    assert summary["engine"] == "dask" and summary["workers"] == 2
    assert (summary["incidents"], summary["located"], summary["unlocated"],
            summary["skipped"], summary["rejected"]) == (18, 15, 3, 0, 3)
    assert summary["map"] == "markers"
    assert set(summary["outputs"]) == {"geojson", "geojsonl", "qml", "gpkg", "qgz", "csv",
                                       "csvt", "parquet", "hexagons", "hex_counts", "map"}
    assert all(Path(p).is_file() for p in summary["outputs"].values())


@pytest.mark.parametrize("engine", ["columnar", "in-memory", "in-process"])
def test_cli_older_engine_names_are_the_in_process_engine(engine, tmp_path):
    res = CliRunner().invoke(cli, ["build", str(SAMPLE), "-o", str(tmp_path), "--engine",
                                   engine, "--progress", "--format", "csv"])
    assert res.exit_code == 1, res.output  # the sample's 3 bad records: exit 1 at the end
    assert json.loads(res.stdout)["engine"] == "in-process"


@pytest.mark.parametrize("args", [["--scheduler", "tcp://127.0.0.1:1"], ["--partitions", "2"]])
def test_cli_dask_options_need_the_dask_engine(args, tmp_path):
    res = CliRunner().invoke(cli, ["build", str(SAMPLE), "-o", str(tmp_path), *args])
    assert res.exit_code == 2 and "need --engine dask" in res.output


@pytest.mark.parametrize("engine", ["in-process", "dask"])
def test_cli_strict_is_one_line_error(engine, tmp_path, cluster):
    extra = ["--scheduler", cluster.scheduler_address] if engine == "dask" else []
    res = CliRunner().invoke(cli, ["build", str(SAMPLE), "-o", str(tmp_path), "--engine",
                                   engine, "--strict", "--no-progress", *extra])
    assert res.exit_code == 1
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and "gdelt_sample.tsv:17" in lines[0]
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("engine", ["in-process", "dask"])
def test_cli_table_without_position_or_place_columns_is_one_line_error(engine, tmp_path,
                                                                      cluster):
    bad = tmp_path / "unknown.csv"
    bad.write_text("a,b,latitude\n1,2,3\n", encoding="utf-8")
    extra = ["--scheduler", cluster.scheduler_address] if engine == "dask" else []
    res = CliRunner().invoke(cli, ["build", str(bad), "-o", str(tmp_path / "out"), "--engine",
                                   engine, "--no-progress", "--input-format", "table", *extra])
    assert res.exit_code == 1, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and "unknown.csv" in lines[0] and "no column gives a position" in (
        lines[0]) and "columns are a, b, latitude" in lines[0]
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_progress_lines_without_terminal():
    import io

    buf = io.StringIO()
    bar = Progress(4, stream=buf, unit="partition")
    for _ in range(4):
        bar.update(1, rows=10)
    bar.close("done")
    lines = buf.getvalue().splitlines()
    assert lines[-2].startswith("border-map: [########################] 4/4 partitions · 40 rows")
    assert lines[-1] == "border-map: done"


def test_thread_switch():
    from border_map import border

    border.set_threads(1)
    try:
        assert border._THREADS == 1
        with pytest.raises(ValueError):
            border.set_threads(0)
    finally:
        border.set_threads(None)


def test_template_syntax_in_hexagon_drill_down_is_never_evaluated(tmp_path):
    """Place names reach the hexagon map's drill-down lists: as text, never as a template."""
    hostile = "{{ 'Zq' ~ 'Xw' }} {% if true %}x{% endif %}"
    rows = SAMPLE.read_text(encoding="utf-8").splitlines()
    rows = [row.replace("Synthetic place", hostile, 1) for row in rows]
    tsv = tmp_path / "hostile.tsv"
    tsv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = build([tsv], tmp_path / "out", formats=["html"], marker_limit=0)
    assert result.map_kind == "hexagons"
    text = result.outputs["map"].read_text(encoding="utf-8")
    assert "ZqXw" not in text  # what the expression would evaluate to
    assert "{{ 'Zq' ~ 'Xw' }}" in text


def test_strict_library_error_names_the_row(tmp_path):
    with pytest.raises(DataError) as info:
        build([SAMPLE], tmp_path, strict=True)
    assert info.value.location == f"{SAMPLE}:17"
