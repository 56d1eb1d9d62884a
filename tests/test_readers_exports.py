"""Real exports as analysts have them: every layout variant of ACLED, UCDP and GDELT.

Each variant has a small fixture of our own under tests/data/exports/ reproducing the quirk
of a real file; the real UCDP exports in ../shared/real-data/ are read when present (skipped
otherwise) with spot checks on real rows.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from border_map.cli import cli
from border_map.readers import read_source

DATA = Path(__file__).parent / "data"
SOURCES = DATA / "sources"
EXPORTS = DATA / "exports"  # one small fixture of our own per real layout
REAL = Path(__file__).resolve().parents[1].parent / "shared" / "real-data"  # ../shared
HDX = REAL / "ucdp_ged_hdx_conflict_data_pak.csv"
OLD = REAL / "ucdp_ged_old_pakistan.csv"
real = pytest.mark.skipif(not (HDX.is_file() and OLD.is_file()),
                          reason="../shared/real-data is not here")


def by_id(incidents):
    return {i.id: i for i in incidents}


def build(tmp_path, *args):
    res = CliRunner().invoke(cli, ["build", *map(str, args), "-o", str(tmp_path / "out"),
                                   "--format", "geojson"])
    summary = json.loads(res.stdout) if res.stdout.lstrip().startswith("{") else None
    return res, summary


def features(tmp_path):
    doc = json.loads((tmp_path / "out" / "incidents.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["id"]: f for f in doc["features"]}


# --------------------------------------------------------------------------- UCDP


def test_ucdp_old_release_names_trailing_commas_month_first_stamps():
    result = read_source(EXPORTS / "ucdp_old_release.csv")
    assert result.format == "ucdp" and not result.problems and result.ignored == 1
    got = by_id(result.incidents)
    assert sorted(got) == ["ucdp-800001", "ucdp-800002", "ucdp-800003"]
    landi = got["ucdp-800001"]
    assert (landi.date.start, landi.date.precision) == (dt.date(2009, 3, 27), "day")
    assert (landi.location.lon, landi.location.lat, landi.location.precision_km) == (
        71.1449, 34.0988, 2.0)
    (claim,) = landi.claims
    assert [(f.low, f.high, f.text) for f in claim.figures[:1]] == [(3, 4, "best estimate 3")]
    assert claim.source.outlet == "X 27/3 2009"  # no source_office: the article's citation
    assert landi.source_fields["adm_2"] == "Khyber Agency"
    assert landi.place.admin == "North-West Frontier Province"
    kurram = got["ucdp-800002"]  # 05/12 .. 05/13: month-first, told by 03/27 in the file
    assert (kurram.date.start, kurram.date.end, kurram.date.precision) == (
        dt.date(2009, 5, 12), dt.date(2009, 5, 13), "range")
    assert kurram.claims[0].source.published == "2009-05-14"
    assert "second line" in kurram.source_fields["source_article"]
    assert kurram.source_line == 3
    assert got["ucdp-800003"].source_line == 5  # after the quoted newline


def test_ucdp_month_first_only_when_the_file_agrees(tmp_path):
    text = (EXPORTS / "ucdp_old_release.csv").read_text(encoding="utf-8")
    path = tmp_path / "mixed.csv"
    path.write_text(text.replace("06/02/2009", "13/06/2009"), encoding="utf-8")
    result = read_source(path)  # 03/27 says month-first, 13/06 day-first: refused, named
    assert [p.field for p in result.problems] == ["date_start", "date_start", "date_start"]
    message = result.problems[1].message
    assert "ambiguous" in message and "--date-order" in message


def test_ucdp_hdx_layout_skips_the_hxl_row_and_keeps_figures_out_of_order():
    result = read_source(EXPORTS / "ucdp_hdx.csv")
    assert not result.problems and result.ignored == 0  # HXL row: not a record, not "outside"
    got = by_id(result.incidents)
    torkham = got["ucdp-810001"]
    assert torkham.source_line == 3
    assert torkham.source_warnings == (
        "UCDP estimates out of order: low 2, best 2, high 1 (kept as written)",)
    figure = torkham.claims[0].figures[0]
    assert (figure.low, figure.high, figure.text) == (1, 2, "best estimate 2 (UCDP low 2, high 1)")
    odd = got["ucdp-810002"]
    assert odd.date.precision == "range" and "exact day" in odd.source_warnings[0]


def test_build_keeps_warned_rows_and_says_so_once_per_kind(tmp_path):
    res, summary = build(tmp_path, EXPORTS / "ucdp_hdx.csv")
    assert res.exit_code == 0, res.output
    assert summary["incidents"] == 2 and summary["warnings"] == {
        "UCDP date_prec says an exact day but the dates span days": 1,
        "UCDP estimates out of order": 1}
    warned = [line for line in res.stderr.splitlines() if "warning:" in line]
    assert len(warned) == 2 and "ucdp_hdx.csv:3" in "".join(warned)
    props = features(tmp_path)["ucdp-810001"]["properties"]
    assert props["source_warnings"] == (
        "UCDP estimates out of order: low 2, best 2, high 1 (kept as written)")
    assert props["source_fields"]["adm_2"] == "Khyber district"
    res = CliRunner().invoke(cli, ["validate", str(EXPORTS / "ucdp_hdx.csv")])
    assert res.exit_code == 0
    assert [line for line in res.stderr.splitlines() if "warning:" in line] == warned


def test_same_ucdp_id_in_two_releases_is_one_incident(tmp_path):
    newer = tmp_path / "ged_newer.csv"
    text = (EXPORTS / "ucdp_old_release.csv").read_text(encoding="utf-8")
    newer.write_text(text.replace("800001,", "800001,").replace("800004,", "900004,")
                     .replace(",3,4,3,\n", ",3,5,3,\n"), encoding="utf-8")
    res, summary = build(tmp_path, newer, EXPORTS / "ucdp_old_release.csv")
    assert res.exit_code == 0, res.output
    files = summary["files"]
    assert files[str(newer)]["incidents"] == 3
    assert files[str(EXPORTS / "ucdp_old_release.csv")]["left_out"] == {
        "other_country": 1, "superseded": 3}
    assert summary["rejected"] == 0 and not summary["possible_duplicates"]
    figure = features(tmp_path)["ucdp-800001"]["properties"]["claims"][0]["figures"][0]
    assert figure["high"] == 5  # the later release (higher ids) wins, whatever the order


# --------------------------------------------------------------------------- real exports


def _accounted(summary):
    for f in summary["files"].values():
        assert f["rows"] == f["incidents"] + sum(f["rejected"].values()) + sum(
            f["left_out"].values())


@real
@pytest.mark.parametrize("path", [HDX, OLD], ids=["hdx", "old_release"])
def test_real_ucdp_exports_build_whole(tmp_path, path):
    res, summary = build(tmp_path, path)
    assert res.exit_code == 0, res.stderr[-2000:]
    _accounted(summary)
    stats = summary["files"][str(path)]
    assert stats["rows"] == {HDX: 6416, OLD: 5834}[path]
    assert stats["incidents"] >= 0.98 * stats["rows"]
    assert "internal error" not in res.stderr


@real
def test_real_hdx_rows_spot_checked(tmp_path):
    res, summary = build(tmp_path, HDX)
    feats = features(tmp_path)
    kel = feats["ucdp-59553"]
    assert kel["geometry"]["coordinates"] == [74.355544, 34.821865]
    p = kel["properties"]
    assert (p["date_start"], p["date_precision"], p["precision_km"]) == ("1990-10-04", "day", 25.0)
    assert p["place"] == "Kel village" and p["source_fields"]["adm_2"] == "Neelam district"
    figures = p["claims"][0]["figures"]
    assert [(f["low"], f["high"], f["subject"]) for f in figures] == [
        (2, 2, None), (0, 0, "Government of India"), (2, 2, "Government of Pakistan"),
        (0, 0, "civilians"), (0, 0, "unknown")]
    src = feats["ucdp-372969"]["properties"]["claims"][0]["source"]
    assert (src["outlet"], src["published"]) == ("Reuters News", "1990-12-29")
    assert summary["warnings"] == {"UCDP estimates out of order": 200}


@real
def test_real_old_release_rows_spot_checked(tmp_path):
    res, summary = build(tmp_path, OLD)
    feats = features(tmp_path)
    hyd = feats["ucdp-51721"]
    assert hyd["geometry"]["coordinates"] == [68.368333, 25.379167]
    p = hyd["properties"]
    assert (p["date_start"], p["date_precision"], p["precision_km"]) == ("1990-05-20", "day", 2.0)
    assert p["claims"][0]["figures"][0]["low"] == 8
    assert p["claims"][0]["source"]["outlet"] == "R 20/5 1990"
    assert p["source_fields"]["adm_1"] == "Sindh Province"


@real
def test_real_releases_together_one_incident_per_event(tmp_path):
    res, summary = build(tmp_path, OLD, HDX)
    assert res.exit_code == 0
    _accounted(summary)
    assert summary["files"][str(OLD)]["left_out"]["superseded"] > 5000
    assert summary["rejected"] == 0


# --------------------------------------------------------------------------- ACLED


ACLED_IDS = ["acled-AFG70001", "acled-AFG70002", "acled-PAK90001", "acled-PAK90002"]


@pytest.mark.parametrize("name", ["acled_pre2023.csv", "acled_spreadsheet.csv",
                                  "acled_us_dates.csv", "acled_api.json", "acled_api.csv"])
def test_acled_layouts_read_alike(name):
    result = read_source(EXPORTS / name)
    assert result.format == "acled" and not result.problems, result.problems
    got = by_id(result.incidents)
    assert sorted(got) == ACLED_IDS
    torkham = got["acled-PAK90001"]
    assert (torkham.location.lon, torkham.location.lat, torkham.location.precision_km) == (
        71.0849, 34.1156, 2.0)
    assert torkham.event_type == "armed_clash"
    assert torkham.claims[0].figures[0].low == 3
    assert torkham.claims[0].source.outlet == "Example Daily; Example Wire"
    assert torkham.source_fields["sub_event_type"] == "Armed clash"
    assert torkham.source_fields["inter1"] in ("1", "State forces")
    assert torkham.source_fields["interaction"]


def test_acled_dates_of_each_layout():
    day = {n: by_id(read_source(EXPORTS / n).incidents)["acled-AFG70001"].date.start
           for n in ("acled_pre2023.csv", "acled_spreadsheet.csv", "acled_us_dates.csv")}
    assert day == {"acled_pre2023.csv": dt.date(2020, 10, 13),  # "13 October 2020"
                   "acled_spreadsheet.csv": dt.date(2020, 5, 10),  # "10-May-20", year 2020
                   "acled_us_dates.csv": dt.date(2020, 5, 11)}  # "5/11/2020", 5/13 tells
    pre = by_id(read_source(EXPORTS / "acled_pre2023.csv").incidents)["acled-PAK90001"]
    assert pre.source_fields["assoc_actor_2"] is None  # an empty cell: the same keys every row
    assert pre.source_fields["assoc_actor_1"] == "Example Militia (fictional)"
    api = by_id(read_source(EXPORTS / "acled_api.json").incidents)["acled-AFG70001"]
    assert api.source_fields["civilian_targeting"] == "Civilian targeting"
    assert api.source_fields["timestamp"] == "1760486400"


def test_acled_two_digit_year_refused_with_the_reason(tmp_path):
    text = (EXPORTS / "acled_spreadsheet.csv").read_text(encoding="utf-8")
    wrong = tmp_path / "wrong_year.csv"
    wrong.write_text(text.replace(",2020,", ",2021,", 1), encoding="utf-8")
    (problem,) = read_source(wrong).problems
    assert problem.field == "event_date" and "does not match the 'year' column (2021)" in str(
        problem)
    lines = text.splitlines()
    header = lines[0].split(",")
    k = header.index("year")
    cut = tmp_path / "no_year.csv"
    cut.write_text("\n".join(",".join(c for j, c in enumerate(line.split(",")) if j != k)
                             for line in lines[:2]) + "\n", encoding="utf-8")
    (problem,) = read_source(cut).problems
    assert "no four-digit 'year' column" in problem.message


def test_acled_odd_precision_codes_kept_with_a_warning():
    inc = read_source(DATA / "warn" / "acled_bad_geo_precision.csv").incidents[0]
    assert inc.location.precision_km is None
    assert inc.source_warnings == ("ACLED geo_precision not a code of the codebook: '7', "
                                   "no radius",)


def test_acled_api_error_is_one_line(tmp_path):
    path = tmp_path / "refused.json"
    path.write_text('{"status": 403, "event_id_cnty": null, "error": "Access denied"}',
                    encoding="utf-8")
    res = CliRunner().invoke(cli, ["validate", str(path)])
    assert res.exit_code == 1
    assert "the ACLED API answered status 403: Access denied" in res.stdout


def test_same_acled_event_newest_timestamp_wins(tmp_path):
    text = (SOURCES / "acled_sample.csv").read_text(encoding="utf-8")
    later = tmp_path / "later.csv"
    later.write_text(text.replace(",3,,1760400000", ",4,,1760500000"), encoding="utf-8")
    res, summary = build(tmp_path, later, SOURCES / "acled_sample.csv")
    assert res.exit_code == 0, res.output
    sample = summary["files"][str(SOURCES / "acled_sample.csv")]
    # the changed event: its newer timestamp wins; the others tie: the file named last wins
    assert sample["left_out"]["superseded"] == 1 and summary["incidents"] == 9
    assert summary["files"][str(later)]["left_out"]["superseded"] == 8
    figures = features(tmp_path)["acled-PAK90001"]["properties"]["claims"][0]["figures"]
    assert figures[0]["low"] == 4


# --------------------------------------------------------------------------- GDELT


@pytest.mark.parametrize("name", ["20150412.export.CSV", "20150412.export.CSV.zip"])
def test_gdelt_1_daily_files_plain_and_zipped(name):
    result = read_source(EXPORTS / name)
    assert result.format == "gdelt" and not result.problems
    got = by_id(result.incidents)
    assert len(got) == 7 and result.ignored_by == {"not_violence": 1, "other_country": 1}
    torkham = got["gdelt-1189000001"]
    assert torkham.event_type == "armed_clash"
    assert (torkham.location.lon, torkham.location.lat) == (71.1, 34.1)
    assert torkham.claims[0].source.url == "https://example.invalid/news/torkham-clash"
    assert torkham.source_fields["NumSources"] == "1"
    assert torkham.source_fields["IsRootEvent"] == "1"


def test_gdelt_filters_by_sources_and_root_events(tmp_path):
    path = EXPORTS / "20150412.export.CSV"
    res, summary = build(tmp_path, "--gdelt-min-sources", "2", "--gdelt-root-events", path)
    assert res.exit_code == 0, res.output
    stats = summary["files"][str(path)]
    assert stats["left_out"] == {"few_sources": 3, "not_root_event": 2, "not_violence": 1,
                                 "other_country": 1}
    assert stats["incidents"] == 2 and stats["rows"] == 9
    for props in (f["properties"] for f in features(tmp_path).values()):
        assert int(props["source_fields"]["NumSources"]) >= 2
        assert props["source_fields"]["IsRootEvent"] == "1"
    res = CliRunner().invoke(cli, ["validate", "--gdelt-min-sources", "2",
                                   "--gdelt-root-events", str(path)])
    assert res.exit_code == 0
    assert res.stderr.strip().endswith("(too few sources 3, not a root event 2, not violence 1, "
                                       "outside Afghanistan/Pakistan 1)")


# --------------------------------------------------------------------------- foreign GeoJSON


def test_geojson_of_ucdp_events_reads_as_ucdp():
    result = read_source(EXPORTS / "ucdp_events.geojson")
    assert result.format == "geojson" and not result.problems
    got = by_id(result.incidents)
    torkham = got["ucdp-810001"]
    assert (torkham.location.lon, torkham.location.lat) == (71.0849, 34.1156)  # the geometry
    assert torkham.source_line == 5  # the line of the feature
    assert torkham.source_warnings and torkham.claims[0].source.outlet == "Example News"


def test_foreign_geojson_is_one_error_naming_the_properties(tmp_path):
    path = EXPORTS / "foreign_events.geojson"
    res, _ = build(tmp_path, path)
    assert res.exit_code == 1
    lines = [line for line in res.stderr.splitlines() if "foreign_events" in line]
    assert len(lines) == 1
    assert "they have event_no, day, kind, site, summary; needed: date" in lines[0]
    assert "--fields" in lines[0]


@pytest.mark.parametrize("how", ["id=event_no,date=day,event_type=kind,place=site",
                                 str(EXPORTS / "foreign_events.fields")])
def test_fields_map_foreign_properties(tmp_path, how):
    path = EXPORTS / "foreign_events.geojson"
    res, summary = build(tmp_path, "--fields", how, path)
    assert res.exit_code == 0, res.output
    assert summary["files"][str(path)]["incidents"] == 3
    feats = features(tmp_path)
    assert feats["F-1"]["geometry"]["coordinates"] == [71.0849, 34.1156]
    assert feats["F-2"]["properties"]["event_type"] == "shelling"
    assert feats["F-3"]["properties"]["place"] == "Torkham"  # no geometry: placed by name
    assert feats["F-3"]["properties"]["date"] == "2025-10-16"


def test_fields_errors_are_one_line(tmp_path):
    res = CliRunner().invoke(cli, ["validate", "--fields", "when=day",
                                   str(EXPORTS / "foreign_events.geojson")])
    assert res.exit_code == 2 and "'when' is not a field border-map reads" in res.stderr
    res = CliRunner().invoke(cli, ["validate", "--fields", "date=daytime,event_type=kind",
                                   str(EXPORTS / "foreign_events.geojson")])
    assert res.exit_code == 1
    assert res.stdout.count("\n") == 1 and "no property 'daytime'" in res.stdout


def test_fields_rename_table_columns(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text("ref,when,what,lng,lat\nS1,2025-10-12,armed_clash,71.0849,34.1156\n",
                    encoding="utf-8")
    result = read_source(path, fields={"id": "ref", "date": "when", "event_type": "what"})
    (inc,) = result.incidents
    assert (inc.id, inc.event_type, inc.date.start) == ("S1", "armed_clash", dt.date(2025, 10, 12))


# --------------------------------------------------------------------------- many files


def test_one_bad_file_never_stops_the_others(tmp_path):
    bad = DATA / "bad" / "zip_two_members.zip"
    res, summary = build(tmp_path, bad, EXPORTS / "ucdp_old_release.csv",
                         EXPORTS / "acled_pre2023.csv")
    assert res.exit_code == 1  # something was lost: said at the end, after mapping the rest
    assert summary["incidents"] == 7 and summary["rejected"] == 1
    said = [line for line in res.stderr.splitlines() if "zip_two_members" in line]
    assert len(said) == 1 and "exactly one file" in said[0]
    _accounted({"files": {k: v for k, v in summary["files"].items() if "zip" not in k}})
    assert "Traceback" not in res.output


def test_acled_api_without_sub_event_type_and_new_sub_types_kept(tmp_path):
    doc = json.loads((EXPORTS / "acled_api.json").read_text(encoding="utf-8"))
    for record in doc["data"]:  # an API request whose fields= left sub_event_type out
        del record["sub_event_type"]
    path = tmp_path / "acled_fields.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    got = by_id(read_source(path).incidents)
    assert sorted(got) == ACLED_IDS
    assert got["acled-PAK90001"].event_type == "armed_clash"
    assert got["acled-PAK90001"].source_warnings == (
        "ACLED sub_event_type not given: typed from event_type alone",)
    text = (SOURCES / "acled_sample.csv").read_text(encoding="utf-8")
    newer = tmp_path / "acled_new_sub_type.csv"
    newer.write_text(text.replace("Armed clash", "Hypothetical new clash", 1), encoding="utf-8")
    result = read_source(newer)
    assert not result.problems
    inc = by_id(result.incidents)["acled-PAK90001"]
    assert inc.event_type == "armed_clash" and "not known" in inc.source_warnings[0]


def test_ucdp_shapefile_names_in_capitals(tmp_path):
    text = (EXPORTS / "ucdp_old_release.csv").read_text(encoding="utf-8")
    head, rest = text.split("\n", 1)
    short = {"type_of_violence": "type_of_vi", "where_coordinates": "where_coor",
             "where_description": "where_desc", "deaths_civilians": "deaths_civ",
             "deaths_unknown": "deaths_unk", "source_article": "source_art"}
    head = ",".join(short.get(h, h).upper() for h in head.split(","))
    path = tmp_path / "ged_dbf.csv"
    path.write_text(head + "\n" + rest, encoding="utf-8")
    result = read_source(path)
    assert not result.problems and len(result.incidents) == 3
    inc = by_id(result.incidents)["ucdp-800003"]
    assert inc.event_type == "attack" and inc.place.name == "Spin Boldak town"
    assert [f.subject for f in inc.claims[0].figures][3] == "civilians"


def test_acled_from_hdx_with_its_hxl_row(tmp_path):
    text = (SOURCES / "acled_sample.csv").read_text(encoding="utf-8")
    head, rest = text.split("\n", 1)
    tags = {"event_id_cnty": "#event+code", "event_date": "#date+occurred",
            "country": "#country+name", "latitude": "#geo+lat", "longitude": "#geo+lon",
            "fatalities": "#affected+killed"}
    hxl = ",".join(tags.get(h, "") for h in head.split(","))
    path = tmp_path / "acled_hdx.csv"
    path.write_text(head + "\n" + hxl + "\n" + rest, encoding="utf-8")
    result = read_source(path)
    assert not result.problems and len(result.incidents) == 9
    assert result.ignored_by == {"other_country": 1}  # the HXL row is not a record
    assert by_id(result.incidents)["acled-PAK90001"].source_line == 3


@pytest.mark.parametrize("name, kind", [
    ("acled_bad_geo_precision.csv", "ACLED geo_precision not a code of the codebook"),
    ("acled_bad_time_precision.csv", "ACLED time_precision missing"),
    ("acled_unknown_event_type.csv", "ACLED event_type not known"),
    ("ucdp_bad_where_prec.csv", "UCDP where_prec not a code of the codebook"),
    ("ucdp_bad_type_of_violence.csv", "UCDP type_of_violence not a code of the codebook"),
    ("ucdp_estimates_out_of_order.csv", "UCDP estimates out of order"),
])
def test_inconsistent_records_are_kept_with_their_warning(tmp_path, name, kind):
    path = DATA / "warn" / name
    res, summary = build(tmp_path, path)
    assert res.exit_code == 0, res.output
    assert summary["incidents"] == 1 and summary["rejected"] == 0
    assert summary["warnings"] == {kind: 1}
    (line,) = [x for x in res.stderr.splitlines() if "warning:" in x]
    assert f"{kind}; first at {path}:2" in line
    (props,) = [f["properties"] for f in features(tmp_path).values()]
    assert props["source_warnings"].startswith(kind)


def test_day_month_order_told_by_the_first_block_holds_for_the_next(tmp_path):
    from border_map.readers import iter_batches

    text = (EXPORTS / "ucdp_old_release.csv").read_text(encoding="utf-8")
    head, first, *rest = text.split("\n")
    vague = first.replace("03/27/2009", "03/07/2009")  # tells nothing by itself
    rows = [vague.replace("800001,", f"{900000 + k},", 1) for k in range(40)]
    path = tmp_path / "two_blocks.csv"
    path.write_text("\n".join([head, first, *rows, vague.replace("800001,", "800009,"), ""]),
                    encoding="utf-8")
    batches = list(iter_batches(path, block_bytes=4096))
    assert len(batches) > 2 and not any(b.problems for b in batches)
    (vague_row,) = [r for b in batches for r in b.table.itertuples() if r.id == "ucdp-800009"]
    assert vague_row.date_start == "2009-03-07"  # month-first, as 03/27 told in block one
