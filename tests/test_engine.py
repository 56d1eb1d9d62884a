"""The columnar engines: GDELT/CSV reading, screening, and dask == in-memory on the same data.

The dask runs use an in-process LocalCluster (threads, loopback) to stay fast; the
``--scheduler`` path connects to one over tcp://127.0.0.1.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="the 'dask' extra is not installed")
pytest.importorskip("h3", reason="the 'dask' extra is not installed")

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from border_map.cli import cli  # noqa: E402
from border_map.engine import GDELT_COLUMNS, build_large, plan, run_columnar  # noqa: E402
from border_map.engine.columnar import read_chunk  # noqa: E402
from border_map.engine.dask_engine import (  # noqa: E402
    analysed_frame,
    balance,
    read_incidents,
    run_dask,
)
from border_map.engine.progress import Progress  # noqa: E402
from border_map.engine.synthetic import write_gdelt  # noqa: E402
from border_map.errors import DataError  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
SAMPLE = DATA / "gdelt_sample.tsv"
CSV_TEXT = """id,event_date,event_type,location,country,latitude,longitude,geo_precision,claim_count
c1,2024-05-01,shelling,Torkham,,,,,3
c2,12 June 2024,armed_clash,Asadabad,Afghanistan,,,2,1
c3,2024-07-09,attack,Parachinar,Pakistan,33.8997,70.1001,1,2
c4,2024-07-10,other,Nowhere-that-exists-xyz,,,,,1
c5,not a date,other,,,33.0,70.0,,1
c6,2024-08-01,airstrike,,,19.0,72.8,,1
c7,2024-08-02,other,,,,,,1
"""


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                      host="127.0.0.1", dashboard_address=None) as c:
        yield c


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("engine_inputs")
    gdelt = write_gdelt(root / "synthetic.export.tsv", 3_000, seed=5)
    csv = root / "incidents.csv"
    csv.write_text(CSV_TEXT, encoding="utf-8")
    return [gdelt, SAMPLE, csv]


@pytest.fixture(scope="module")
def both(inputs, tmp_path_factory, cluster):
    """The same inputs through the in-memory engine and through dask (5+ partitions)."""
    out_mem = tmp_path_factory.mktemp("in_memory")
    out_dask = tmp_path_factory.mktemp("dask")
    mem = run_columnar(inputs, out_mem, marker_limit=100)
    dask = run_dask(inputs, out_dask, scheduler=cluster.scheduler_address, blocksize=100_000,
                    marker_limit=100)
    return mem, dask


def _frame(path) -> pd.DataFrame:
    return pd.DataFrame(gpd.read_parquet(path))


def test_gdelt_column_spec():
    assert len(GDELT_COLUMNS) == 61
    assert GDELT_COLUMNS.index("ActionGeo_Lat") == 56
    assert GDELT_COLUMNS.index("ActionGeo_Long") == 57
    assert GDELT_COLUMNS.index("ActionGeo_CountryCode") == 53
    assert GDELT_COLUMNS.index("SQLDATE") == 1 and GDELT_COLUMNS.index("EventCode") == 26


def test_sample_is_screened_and_counted(tmp_path):
    result = run_columnar([SAMPLE], tmp_path, make_map=False)
    s = result.stats.as_dict()
    assert s["rows"] == 33
    assert s["dropped"] == {"malformed": 1, "bad_coordinates": 1, "out_of_region": 7,
                            "no_location": 1, "not_violent": 4, "bad_date": 1}
    assert (s["incidents"], s["located"], s["unlocated"]) == (18, 15, 3)
    gdf = gpd.read_parquet(tmp_path / "incidents.parquet").set_index("id")
    torkham, chaman = gdf.loc["gdelt-1100000901"], gdf.loc["gdelt-1100000907"]
    country = gdf.loc["gdelt-1100000902"]
    assert torkham["event_type"] == "shelling" and torkham["distance_to_border_km"] < 1
    assert chaman["side"] == "PK" and chaman["event_type"] == "drone_strike"
    assert chaman["band_km"] == 5 and chaman["band_certainty_5km"] == "possible"
    assert country["geometry"] is None
    assert country["location_error"] == "country-level location only"
    assert "gdelt-1100000904" not in gdf.index  # Mumbai: outside the region
    assert gdf["event_type"].isin(["shelling", "attack", "border_closure", "remote_explosive",
                                   "armed_clash", "airstrike", "drone_strike",
                                   "outpost_captured", "abduction", "suicide_bomb"]).all()


def test_dask_and_in_memory_agree(both):
    mem, dask = both
    assert dask.partitions >= 5 and mem.partitions == 3
    assert mem.stats.as_dict() == dask.stats.as_dict()
    pd.testing.assert_frame_equal(_frame(mem.outputs["incidents"]),
                                  _frame(dask.outputs["incidents"]))
    for name in ("hex_counts", "hexagons", "map"):
        assert Path(mem.outputs[name]).read_bytes() == Path(dask.outputs[name]).read_bytes(), name
    assert mem.map_kind == dask.map_kind == "hexagons"
    # every located incident is in exactly one hexagon
    assert int(mem.counts["count"].sum()) == mem.stats.located
    assert int(mem.cells["count"].sum()) == mem.stats.located


def test_csv_rows_are_placed_through_the_gazetteer(both):
    mem, _ = both
    gdf = _frame(mem.outputs["incidents"]).set_index("id")
    assert gdf.loc["c1", "location_source"] == "gazetteer" and gdf.loc["c1", "country"] == "PK"
    assert gdf.loc["c1", "claim_count"] == 3 and gdf.loc["c1", "place_id"]
    assert gdf.loc["c2", "precision_km"] > 10  # ACLED geo_precision 2
    assert gdf.loc["c3", "location_source"] == "explicit" and gdf.loc["c3", "side"] == "PK"
    assert gdf.loc["c4", "geometry"] is None and "xyz" in gdf.loc["c4", "location_error"]
    assert gdf.loc["c7", "geometry"] is None and pd.isna(gdf.loc["c7", "location_error"])
    assert "c5" not in gdf.index and "c6" not in gdf.index  # bad date, outside the region
    assert mem.stats.resolved == 2 and mem.stats.skipped == 1


def test_local_cluster_default_and_dask_geopandas(inputs, tmp_path):
    """No --scheduler: a LocalCluster of its own; results readable with dask-geopandas."""
    result = build_large(inputs[1:], tmp_path, engine="dask", partitions=2, processes=False,
                         workers=1, make_map=False)
    assert result.workers == 1 and result.stats.rows == 40
    lazy = read_incidents(result.outputs["incidents"])
    assert type(lazy).__module__.startswith("dask_geopandas")
    assert len(lazy.compute()) == result.stats.incidents
    frame = analysed_frame(inputs[1:], partitions=3)
    assert type(frame).__module__.startswith("dask_geopandas")
    got = pd.DataFrame(frame.compute(scheduler="sync")).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, _frame(result.outputs["incidents"]))


def test_plan_splits_at_line_boundaries(inputs):
    chunks = plan([inputs[0]], blocksize=50_000)
    assert len(chunks) > 3
    rows = sum(read_chunk(c)[0].num_rows for c in chunks)
    assert rows == 3_000
    assert plan([inputs[0]], partitions=4)[-1].index == len(plan([inputs[0]], partitions=4)) - 1


def test_partitions_are_a_multiple_of_the_workers_and_equal(tmp_path, monkeypatch, cluster):
    """Default partitioning: equal partitions, a multiple of the workers, none over the block."""
    from border_map.engine import dask_engine

    big = write_gdelt(tmp_path / "big.export.tsv", 30_000, seed=3)
    size = big.stat().st_size
    block = size // 3 + 1  # three full blocks' worth: 3 tasks for 2 workers as planned
    monkeypatch.setattr(dask_engine, "DEFAULT_BLOCKSIZE", block)
    assert len(plan([big], blocksize=block)) == 3
    balanced = balance(plan([big], blocksize=block), [big], 2)
    assert len(balanced) == 4
    sizes = [c.nbytes for c in balanced]
    assert max(sizes) <= block and max(sizes) - min(sizes) < 2_000  # equal, to a line
    assert sum(read_chunk(c)[0].num_rows for c in balanced) == 30_000
    assert len(balance(plan([big], blocksize=block), [big], 1)) == 3
    # through run_dask with no partitions/blocksize: the same results as the in-memory engine
    dask = run_dask([big], tmp_path / "dask", scheduler=cluster.scheduler_address,
                    make_map=False)
    mem = run_columnar([big], tmp_path / "mem", make_map=False)
    assert dask.partitions == 4
    assert mem.stats.as_dict() == dask.stats.as_dict()
    pd.testing.assert_frame_equal(_frame(mem.outputs["incidents"]),
                                  _frame(dask.outputs["incidents"]))


def test_partitions_without_any_position_are_written_and_read_back(tmp_path, cluster):
    """A partition whose rows are all unlocated (or that is empty) writes a part file with
    the same schema (geopandas cannot infer native point encoding from no point)."""
    located = "".join(f"a{i},2024-05-01,,33.9,70.1\n" for i in range(400))
    unlocated = "".join(f"u{i},2024-05-01,Nowhere-xyz-{i},,\n" for i in range(400))
    path = tmp_path / "mixed.csv"
    path.write_text("id,event_date,location,latitude,longitude\n" + located + unlocated,
                    encoding="utf-8")
    mem = run_columnar([path], tmp_path / "mem", make_map=False)
    dask = run_dask([path], tmp_path / "dask", scheduler=cluster.scheduler_address,
                    blocksize=path.stat().st_size // 4, make_map=False)
    assert dask.partitions >= 4 and mem.stats.as_dict() == dask.stats.as_dict()
    got = _frame(dask.outputs["incidents"])
    pd.testing.assert_frame_equal(_frame(mem.outputs["incidents"]), got)
    assert got["geometry"].isna().sum() == 400 and got["geometry"].notna().sum() == 400
    only = tmp_path / "unlocated.csv"
    only.write_text("id,event_date,location,latitude,longitude\n" + unlocated,
                    encoding="utf-8")
    result = run_columnar([only], tmp_path / "only", make_map=False)
    back = gpd.read_parquet(result.outputs["incidents"])
    assert len(back) == 400 and back.geometry.isna().all() and back.crs.to_epsg() == 4326


def test_strict_stops_on_bad_rows(tmp_path):
    with pytest.raises(DataError, match="strict"):
        run_columnar([SAMPLE], tmp_path, strict=True, make_map=False)


def test_yaml_inputs_are_refused(tmp_path):
    with pytest.raises(DataError, match="in-memory"):
        plan([DATA / "incidents" / "good.json"])


def test_cli_build_engine_dask(cluster, tmp_path):
    res = CliRunner().invoke(cli, ["build", str(SAMPLE), "-o", str(tmp_path), "--engine", "dask",
                                   "--scheduler", cluster.scheduler_address, "--partitions", "2",
                                   "--no-progress"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["engine"] == "dask" and summary["partitions"] == 2
    assert (summary["incidents"], summary["located"], summary["unlocated"],
            summary["skipped"]) == (18, 15, 3, 0)
    assert summary["dropped"]["out_of_region"] == 7 and summary["map"] == "markers"
    assert set(summary["outputs"]) == {"incidents", "hexagons", "hex_counts", "map"}
    assert Path(summary["outputs"]["map"]).is_file()


def test_cli_build_engine_columnar_progress(tmp_path):
    res = CliRunner().invoke(cli, ["build", str(SAMPLE), "-o", str(tmp_path), "--engine",
                                   "columnar", "--progress"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["engine"] == "columnar"
    assert "33 rows read, 18 incidents (15 located)" in res.stderr


@pytest.mark.parametrize("args, message", [
    (["--scheduler", "tcp://127.0.0.1:1"], "need --engine dask"),
    (["--engine", "columnar", "--partitions", "2", "X"], "need --engine dask"),
    (["--engine", "dask"], "at least one INPUT"),
    (["--engine", "dask", "--format", "geojson", "X"], "--formats only apply"),
    (["--engine", "columnar", "--cluster-threshold", "0", "X"], "--cluster-threshold only apply"),
])
def test_cli_engine_option_conflicts(args, message, tmp_path):
    args = [str(SAMPLE) if a == "X" else a for a in args]
    res = CliRunner().invoke(cli, ["build", "-o", str(tmp_path), *args])
    assert res.exit_code == 2 and message in res.output


def test_cli_strict_is_one_line_error(tmp_path):
    res = CliRunner().invoke(cli, ["build", str(SAMPLE), "-o", str(tmp_path), "--engine",
                                   "columnar", "--strict", "--no-progress"])
    assert res.exit_code == 1 and "--strict" in res.output


@pytest.mark.parametrize("engine", ["columnar", "dask"])
def test_cli_table_without_position_or_place_columns_is_one_line_error(engine, tmp_path,
                                                                      cluster):
    bad = tmp_path / "unknown.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    extra = ["--scheduler", cluster.scheduler_address] if engine == "dask" else []
    res = CliRunner().invoke(cli, ["build", str(bad), "-o", str(tmp_path / "out"), "--engine",
                                   engine, "--no-progress", *extra])
    assert res.exit_code == 1, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and "unknown.csv" in lines[0] and "no column gives a position" in (
        lines[0]) and "columns are a, b" in lines[0]
    assert not (tmp_path / "out" / "incidents.parquet").exists()


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


def test_geoparquet_output_reads_back_as_input(both, tmp_path):
    """An engine's GeoParquet (native point encoding) is itself a valid input."""
    mem, _ = both
    again = run_columnar([mem.outputs["incidents"]], tmp_path, make_map=False)
    assert (again.stats.incidents, again.stats.located) == (mem.stats.incidents,
                                                            mem.stats.located)
    first, second = _frame(mem.outputs["incidents"]), _frame(again.outputs["incidents"])
    assert (first["id"] == second["id"]).all()
    pd.testing.assert_series_equal(first["distance_to_border_km"],
                                   second["distance_to_border_km"])


def test_spatial_order_changes_nothing(border):
    """analyse_frame sorts rows spatially for speed; the result equals analyse() in input order."""
    from border_map.analysis import analyse
    from border_map.engine.columnar import analyse_frame, load_chunk, plan, screen

    frame, _ = load_chunk(plan([SAMPLE])[0])
    kept, _ = screen(frame)
    got = analyse_frame(kept, border=border)
    subject = gpd.GeoDataFrame(
        {"country": kept["country"].to_numpy(dtype=object, na_value=None),
         "precision_km": kept["precision_km"].to_numpy(dtype=float)},
        geometry=gpd.points_from_xy(kept["lon"], kept["lat"]), crs="EPSG:4326")
    subject.loc[kept["lon"].isna().to_numpy(), "geometry"] = None
    want = analyse(subject, border)
    for col in ("distance_to_border_km", "band_km", "chainage_km"):
        np.testing.assert_array_equal(got[col].to_numpy(), want[col].to_numpy(), err_msg=col)
    assert got["side"].to_numpy(dtype=object, na_value=None).tolist() == want["side"].tolist()
    assert got["band_certainty_5km"].to_numpy(dtype=object, na_value=None).tolist() == [
        d["5"] for d in want["band_certainty"]]


def test_template_syntax_in_hexagon_drill_down_is_never_evaluated(tmp_path):
    """Place names reach the hexagon map's drill-down lists: as text, never as a template."""
    from border_map.engine.columnar import run_columnar

    hostile = "{{ 'Zq' ~ 'Xw' }} {% if true %}x{% endif %}"
    src = Path(__file__).parent / "data" / "gdelt_sample.tsv"
    rows = src.read_text(encoding="utf-8").splitlines()
    rows = [row.replace("Synthetic place", hostile, 1) for row in rows]
    tsv = tmp_path / "hostile.tsv"
    tsv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = run_columnar([tsv], tmp_path / "out", marker_limit=0)
    assert result.map_kind == "hexagons"
    text = result.outputs["map"].read_text(encoding="utf-8")
    assert "ZqXw" not in text  # what the expression would evaluate to
    assert "{{ 'Zq' ~ 'Xw' }}" in text
