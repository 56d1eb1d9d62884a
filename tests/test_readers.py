"""Readers for every input format: detection, encodings, dates, ACLED, UCDP, GDELT, CSV, GeoJSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from border_map.errors import DataError
from border_map.model.dates import DateParser, solar_hijri_to_gregorian
from border_map.readers import (
    FORMATS,
    MAX_NATIVE_MB,
    detect_format,
    read_incidents,
    read_source,
)
from border_map.readers.acled import ACLED_EVENT_TYPES, GEO_PRECISION_KM
from border_map.readers.dedupe import find_duplicates, link_map
from border_map.readers.encoding import decode
from border_map.readers.gdelt import CAMEO_EVENT_TYPES, GDELT_COLUMNS
from border_map.readers.native_csv import figure_bounds

DATA = Path(__file__).resolve().parent / "data"
SOURCES = DATA / "sources"
ACLED = SOURCES / "acled_sample.csv"
UCDP = SOURCES / "ucdp_sample.csv"
GDELT = SOURCES / "gdelt_sample.export.CSV"
NATIVE_CSV = SOURCES / "native_sample.csv"
SOLAR_CSV = SOURCES / "native_solar_hijri.csv"
D = dt.date


def by_id(incidents):
    return {i.id: i for i in incidents}


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize(("path", "expected"), [
    (ACLED, "acled"), (UCDP, "ucdp"), (GDELT, "gdelt"), (NATIVE_CSV, "csv"),
    (SOLAR_CSV, "csv"), (DATA.parent.parent / "examples" / "seed_incidents.yaml", "yaml"),
    (DATA / "incidents" / "good.json", "json"),
])
def test_detects_format_by_content(path, expected):
    assert detect_format(path) == expected


def test_detection_ignores_the_file_name(tmp_path):
    disguised = tmp_path / "export.txt"
    disguised.write_bytes(UCDP.read_bytes())
    assert detect_format(disguised) == "ucdp"
    geo = tmp_path / "features.json"
    geo.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    assert detect_format(geo) == "geojson"


def test_forced_format_overrides_detection():
    # ACLED's header read as native CSV: its columns are unknown there
    with pytest.raises(DataError, match="unknown column 'event_id_cnty'"):
        read_incidents(ACLED, "csv")
    with pytest.raises(ValueError, match="unknown format"):
        read_incidents(ACLED, "shapefile")


def test_unknown_csv_asks_for_format(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("when,what,where\n2025-10-12,airstrike,Torkham\n", encoding="utf-8")
    with pytest.raises(DataError, match="cannot tell the format.*--format") as err:
        read_incidents(path)
    assert err.value.location == f"{path}:1"


def test_formats_match_the_cli_choices():
    from border_map import readers
    from border_map.cli import options

    assert options.INPUT_FORMATS == readers.FORMATS == FORMATS
    assert options.DATE_ORDERS == readers.DATE_ORDERS
    assert options.CALENDARS == readers.CALENDARS


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_acled_in_every_unicode_encoding(tmp_path, encoding):
    text = ACLED.read_text(encoding="utf-8")
    path = tmp_path / f"acled-{encoding}.csv"
    path.write_bytes(text.encode(encoding))
    result = read_source(path)
    assert result.format == "acled" and not result.problems and not result.warnings
    assert by_id(result.incidents) == by_id(read_incidents(ACLED))


def test_cp1252_is_read_with_a_warning():
    raw = "id,date,event_type,place,description\na,2025-10-12,airstrike,Torkham,café\n"
    text, warnings = decode(raw.encode("cp1252"), "f.csv")
    assert text == raw
    assert warnings == ["f.csv:2: not UTF-8 (byte 0xe9); read as Windows-1252 (cp1252): check "
                        "accented names, and save the file as UTF-8"]


def test_mixed_encodings_are_refused():
    raw = "a café\n".encode() + "b café\n".encode("cp1252")
    with pytest.raises(DataError, match="mixed encodings: UTF-8 text at line 1 but byte 0xe9 "
                                        "at line 2") as err:
        decode(raw, "f.csv")
    assert err.value.location == "f.csv:2"


def test_binary_is_refused():
    with pytest.raises(DataError, match=r"binary file \(NUL byte at line 2\)"):
        decode(b"abc\n\x00\x01\x02\xff\xfe\x00\x00\x00\x00", "f.bin")


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(("text", "options", "start", "end", "precision"), [
    ("2025-05-16", {}, D(2025, 5, 16), D(2025, 5, 16), "day"),
    ("2021-06-05", {"date_order": "day-first"}, D(2021, 6, 5), D(2021, 6, 5), "day"),  # ISO stays
    ("2021-06-05", {"date_order": "month-first"}, D(2021, 6, 5), D(2021, 6, 5), "day"),
    ("2021-06-05 00:00:00.000", {}, D(2021, 6, 5), D(2021, 6, 5), "day"),
    ("16 May 2025", {}, D(2025, 5, 16), D(2025, 5, 16), "day"),
    ("16-May-2025", {}, D(2025, 5, 16), D(2025, 5, 16), "day"),
    ("May 16, 2025", {}, D(2025, 5, 16), D(2025, 5, 16), "day"),
    ("May 2025", {}, D(2025, 5, 1), D(2025, 5, 31), "month"),
    ("2025-05", {}, D(2025, 5, 1), D(2025, 5, 31), "month"),
    ("2025-W20", {}, D(2025, 5, 12), D(2025, 5, 18), "week"),
    ("2025-05-01/2025-05-03", {}, D(2025, 5, 1), D(2025, 5, 3), "range"),
    ("20250516", {}, D(2025, 5, 16), D(2025, 5, 16), "day"),
    ("2021/06/05", {}, D(2021, 6, 5), D(2021, 6, 5), "day"),
    ("05/06/2021", {"date_order": "day-first"}, D(2021, 6, 5), D(2021, 6, 5), "day"),
    ("05/06/2021", {"date_order": "month-first"}, D(2021, 5, 6), D(2021, 5, 6), "day"),
    ("05.06.2021", {"date_order": "day-first"}, D(2021, 6, 5), D(2021, 6, 5), "day"),
    ("1400/03/15 SH", {}, D(2021, 6, 5), D(2021, 6, 5), "day"),
    ("1404/03/15 S.H.", {}, D(2025, 6, 5), D(2025, 6, 5), "day"),
    ("۱۴۰۴/۰۳/۱۵ هـ ش", {}, D(2025, 6, 5), D(2025, 6, 5), "day"),
    ("15 Jawza 1404", {}, D(2025, 6, 5), D(2025, 6, 5), "day"),
    ("15 Khordad 1404", {}, D(2025, 6, 5), D(2025, 6, 5), "day"),
    ("1404/03/15", {"calendar": "solar-hijri"}, D(2025, 6, 5), D(2025, 6, 5), "day"),
    ("1404-03", {"calendar": "solar-hijri"}, D(2025, 5, 22), D(2025, 6, 21), "month"),
    ("15/03/1404", {"calendar": "solar-hijri", "date_order": "day-first"},
     D(2025, 6, 5), D(2025, 6, 5), "day"),
])
def test_dates(text, options, start, end, precision):
    span = DateParser(**options).span(text)
    assert (span.start, span.end, span.precision) == (start, end, precision)


@pytest.mark.parametrize(("text", "options", "message"), [
    ("1400/03/15", {}, "year 1400 is not a Gregorian year.*--calendar solar-hijri"),
    ("15/03/1404", {"date_order": "day-first"}, "year 1404 is not a Gregorian year"),
    ("05/06/2021", {}, "day and month order is ambiguous; pass --date-order"),
    ("13/06/2021", {}, r"ambiguous \(only day-first fits this one\)"),
    ("06/13/2021", {"date_order": "day-first"}, "not a calendar date"),
    ("05/06/21", {"date_order": "day-first"}, "four digits"),
    ("2025-02-30", {}, "not a calendar date"),
    ("2025-05-16", {"calendar": "solar-hijri"}, "year 2025 is not a Solar Hijri year"),
    ("1404/12/30 SH", {}, "not a Solar Hijri calendar date"),
    ("16 Maytember 2025", {}, "unknown month name"),
    ("yesterday", {}, "is not a date"),
    ("", {}, "no date given"),
])
def test_bad_dates(text, options, message):
    with pytest.raises(DataError, match=message):
        DateParser(**options).span(text)


def test_date_parser_rejects_unknown_options():
    with pytest.raises(ValueError):
        DateParser(date_order="year-first")
    with pytest.raises(ValueError):
        DateParser(calendar="julian")


@given(st.dates(min_value=D(1900, 3, 21), max_value=D(2100, 3, 20)))
@example(D(2025, 3, 20))  # the last day of 1403 (a leap year: Esfand has 30 days)
@example(D(2025, 3, 21))  # Nowruz 1404
def test_solar_hijri_round_trip(day):
    import jdatetime

    sh = jdatetime.date.fromgregorian(date=day)
    assert solar_hijri_to_gregorian(sh.year, sh.month, sh.day) == day
    parsed = DateParser().span(f"{sh.year:04d}/{sh.month:02d}/{sh.day:02d} SH")
    assert parsed.start == parsed.end == day


# --------------------------------------------------------------------------- ACLED


def test_acled_sample():
    result = read_source(ACLED)
    assert result.format == "acled" and not result.problems
    assert result.ignored == 1  # the row in India
    got = by_id(result.incidents)
    assert sorted(got) == sorted(f"acled-{e}" for e in (
        "PAK90001", "AFG70001", "PAK90002", "AFG70002", "PAK90003", "PAK90004", "AFG70003",
        "AFG70004", "PAK90005"))
    clash = got["acled-PAK90001"]
    assert clash.event_type == "armed_clash"
    assert (clash.location.lon, clash.location.lat, clash.location.precision_km) == (
        71.0849, 34.1156, 2.0)
    assert clash.place.name == "Torkham" and clash.place.country == "PK"
    assert clash.place.admin == "Khyber Pakhtunkhwa"
    assert clash.actors == ("Military Forces of Pakistan (2008-)",
                            "Military Forces of Afghanistan (2021-)")
    (claim,) = clash.claims
    assert (claim.organisation, claim.side, claim.claimant) == ("ACLED", "third_party", None)
    assert [(f.kind, f.low, f.high) for f in claim.figures] == [("killed", 3, 3)]
    assert claim.source.outlet == "Example Daily; Example Wire"
    assert clash.description.startswith("On 12 October 2025")
    assert (clash.source_file, clash.source_line) == (str(ACLED), 2)
    # the notes' readings: a drone strike, a closed crossing
    assert got["acled-AFG70001"].event_type == "drone_strike"
    assert got["acled-AFG70001"].location.precision_km == GEO_PRECISION_KM[2] == 25.0
    assert got["acled-AFG70002"].event_type == "border_closure"
    assert got["acled-PAK90004"].event_type == "remote_explosive"
    assert got["acled-AFG70004"].event_type == "outpost_captured"
    assert got["acled-PAK90005"].event_type == "other"
    # time_precision 2: the week around the date; 3: the month
    week = got["acled-PAK90002"].date
    assert (week.start, week.end, week.precision) == (D(2025, 10, 11), D(2025, 10, 17), "week")
    month = got["acled-PAK90003"].date
    assert (month.start, month.end, month.precision) == (D(2025, 10, 1), D(2025, 10, 31), "month")


def test_acled_event_types_are_known_keys():
    from border_map.incidents import EVENT_TYPES

    assert set(ACLED_EVENT_TYPES.values()) <= set(EVENT_TYPES)
    # every ACLED pair our vocabulary names maps back to that key (or its drone variant)
    for key, et in EVENT_TYPES.items():
        if et.acled_event_type and (et.acled_event_type.lower(),
                                    et.acled_sub_event_type.lower()) in ACLED_EVENT_TYPES:
            mapped = ACLED_EVENT_TYPES[(et.acled_event_type.lower(),
                                        et.acled_sub_event_type.lower())]
            assert mapped == key or (key, mapped) in {
                ("drone_strike", "airstrike"), ("border_closure", "other")}


def _rewrite_acled(path: Path, *, sep=",", decimal=".", date=lambda d: d, encoding="utf-8"):
    rows = list(csv.reader(io.StringIO(ACLED.read_text(encoding="utf-8"))))
    header = rows[0]
    i_date, i_lat, i_lon = (header.index(c) for c in ("event_date", "latitude", "longitude"))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows[1:]:
        row[i_date] = date(D.fromisoformat(row[i_date]))
        row[i_lat], row[i_lon] = (v.replace(".", decimal) for v in (row[i_lat], row[i_lon]))
        writer.writerow(row)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def test_acled_as_saved_by_a_european_spreadsheet(tmp_path):
    """';' separators, decimal commas, '12 October 2025' dates, Windows line ends, cp1252."""
    path = _rewrite_acled(tmp_path / "acled_excel.csv", sep=";", decimal=",",
                          date=lambda d: f"{d.day} {d:%B %Y}", encoding="cp1252")
    raw = path.read_bytes().replace(b"fictional", b"fictional \xe9")  # one cp1252 letter
    path.write_bytes(raw)
    result = read_source(path)
    assert result.format == "acled" and not result.problems
    assert len(result.warnings) == 1 and "Windows-1252" in result.warnings[0]
    original = by_id(read_incidents(ACLED))
    for ident, incident in by_id(result.incidents).items():
        assert incident.location == original[ident].location
        assert (incident.date.start, incident.date.end) == (original[ident].date.start,
                                                            original[ident].date.end)
        assert incident.description.replace(" é", "") == original[ident].description


def test_acled_day_first_dates_need_the_option(tmp_path):
    # every date of the sample has a day above 12: the file itself says day-first
    path = _rewrite_acled(tmp_path / "acled_dmy.csv", date=lambda d: f"{d:%d/%m/%Y}")
    told = read_source(path)
    assert not told.problems and len(told.incidents) == 9
    # dates that never tell (days up to 12) need the option, and say so
    vague = _rewrite_acled(tmp_path / "acled_vague.csv",
                           date=lambda d: f"{d.month:02d}/{d.day - 8:02d}/{d.year}")
    result = read_source(vague)
    assert len(result.problems) == 9 and not result.incidents
    assert "--date-order" in result.problems[0].message
    fixed = read_source(path, date_order="day-first")
    assert not fixed.problems
    assert {i.id: i.date.start for i in fixed.incidents} == {
        i.id: i.date.start for i in read_incidents(ACLED)}
    wrong = read_source(path, date_order="month-first")  # 12/10 -> 10 December, 14/10 fails
    assert wrong.problems and any(i.date.start.month == 12 for i in wrong.incidents)


def test_acled_without_country_column_keeps_every_row(tmp_path):
    rows = list(csv.reader(io.StringIO(ACLED.read_text(encoding="utf-8"))))
    drop = rows[0].index("country"), rows[0].index("iso")
    kept = [[v for k, v in enumerate(row) if k not in drop] for row in rows]
    path = tmp_path / "acled_nocountry.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(kept)
    result = read_source(path)
    # Kupwara (India) is inside the generous region box: without a country it is kept
    assert result.ignored == 0 and len(result.incidents) == 10 and not result.problems
    assert all(i.place.country is None for i in result.incidents)


def test_read_incidents_raises_the_first_bad_record(tmp_path):
    text = ACLED.read_text(encoding="utf-8").replace(",34.1156,71.0849,", ",71.0849,34.1156,")
    path = tmp_path / "swapped.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="latitude and longitude look swapped") as err:
        read_incidents(path)
    assert (err.value.location, err.value.field) == (f"{path}:2", "latitude")
    result = read_source(path)  # not strict: the other rows are kept
    assert len(result.incidents) == 8 and len(result.problems) == 1


def test_quoted_newlines_keep_line_numbers(tmp_path):
    text = ACLED.read_text(encoding="utf-8").replace(
        "(fictional test record).\",3", "(fictional\ntest record).\",3")
    text = text.replace("AFG70001,2025-10-13", "AFG70001,2025-13-13")
    path = tmp_path / "multiline.csv"
    path.write_text(text, encoding="utf-8")
    result = read_source(path)
    assert [p.location for p in result.problems] == [f"{path}:4"]  # the record after the break


# --------------------------------------------------------------------------- UCDP


def test_ucdp_sample():
    result = read_source(UCDP)
    assert result.format == "ucdp" and not result.problems and result.ignored == 1
    got = by_id(result.incidents)
    assert sorted(got) == ["ucdp-900001", "ucdp-900002", "ucdp-900003", "ucdp-900005"]
    clash = got["ucdp-900001"]
    assert clash.event_type == "armed_clash"
    assert clash.actors == ("Government of Afghanistan", "Government of Pakistan")
    assert (clash.date.start, clash.date.precision) == (D(2025, 10, 15), "day")
    assert clash.location.precision_km == 2.0
    assert clash.place.name == "Spin Boldak town" and clash.place.country == "AF"
    (claim,) = clash.claims
    assert (claim.organisation, claim.side) == ("UCDP", "third_party")
    assert [(f.kind, f.low, f.high, f.text, f.subject) for f in claim.figures] == [
        ("killed", 10, 20, "best estimate 12", None),
        ("killed", 5, 5, None, "Government of Afghanistan"),
        ("killed", 6, 6, None, "Government of Pakistan"),
        ("killed", 1, 1, None, "civilians"),
        ("killed", 0, 0, None, "unknown"),
    ]
    assert claim.source.outlet == "Example Agency" and claim.source.published == "2025-10-16"
    kurram = got["ucdp-900002"]
    assert (kurram.date.start, kurram.date.end, kurram.date.precision) == (
        D(2025, 10, 11), D(2025, 10, 13), "range")
    assert kurram.location.precision_km == 30.0  # where_prec 3: a district
    one_sided = got["ucdp-900003"]
    assert one_sided.event_type == "attack" and one_sided.date.precision == "month"
    assert one_sided.location.precision_km == 100.0  # where_prec 4: a province


def test_ucdp_by_country_id_and_any_column_order(tmp_path):
    rows = list(csv.reader(io.StringIO(UCDP.read_text(encoding="utf-8"))))
    header = rows[0]
    order = sorted(range(len(header)), key=lambda k: header[k])
    keep = [k for k in order if header[k] not in ("country", "low", "high")]
    path = tmp_path / "ged_shuffled.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([[row[k] for k in keep] for row in rows])
    result = read_source(path)
    assert result.ignored == 1 and not result.problems
    claim = by_id(result.incidents)["ucdp-900001"].claims[0]
    assert (claim.figures[0].low, claim.figures[0].high) == (12, 12)  # only best given


# --------------------------------------------------------------------------- GDELT


def test_gdelt_columns():
    assert len(GDELT_COLUMNS) == 61 == len(set(GDELT_COLUMNS))
    assert GDELT_COLUMNS[:5] == ("GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate")
    assert GDELT_COLUMNS[26:29] == ("EventCode", "EventBaseCode", "EventRootCode")
    assert GDELT_COLUMNS[51:] == (
        "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code",
        "ActionGeo_ADM2Code", "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
        "DATEADDED", "SOURCEURL")


def test_gdelt_sample():
    result = read_source(GDELT)
    assert result.format == "gdelt" and not result.problems
    assert result.ignored == 2  # a consultation in Kabul (CAMEO 042) and an event in India
    got = {i.id: i.event_type for i in result.incidents}
    assert got == {
        "gdelt-1190000001": "armed_clash", "gdelt-1190000002": "airstrike",
        "gdelt-1190000003": "drone_strike", "gdelt-1190000004": "shelling",
        "gdelt-1190000007": "suicide_bomb", "gdelt-1190000008": "border_closure",
        "gdelt-1190000009": "armed_clash",
    }
    torkham = by_id(result.incidents)["gdelt-1190000001"]
    assert torkham.place.name == "Torkham" and torkham.place.admin == "Nangarhar"
    assert torkham.place.country == "AF"
    assert (torkham.location.lon, torkham.location.lat, torkham.location.precision_km) == (
        71.1, 34.1, 5.0)
    assert torkham.date.start == D(2025, 10, 12)
    (claim,) = torkham.claims
    assert claim.organisation == "GDELT" and not claim.figures
    assert claim.source.url == "https://example.invalid/news/torkham-clash"
    assert claim.source.published == "2025-10-12T15:15:00"
    # geocoded to the country only: kept, unlocated (a centroid says nothing about the border)
    country_only = by_id(result.incidents)["gdelt-1190000009"]
    assert country_only.place is None and country_only.location is None
    assert "country only" in country_only.unlocated


def test_gdelt_cameo_codes_map_to_known_types():
    from border_map.incidents import EVENT_TYPES

    assert set(CAMEO_EVENT_TYPES.values()) <= set(EVENT_TYPES)
    assert CAMEO_EVENT_TYPES["195"] == "airstrike" and CAMEO_EVENT_TYPES["1952"] == "drone_strike"
    assert {CAMEO_EVENT_TYPES[c] for c in ("190", "193", "196")} == {"armed_clash"}


def test_gdelt_zipped(tmp_path):
    path = tmp_path / "20251012151500.export.CSV.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(GDELT, "20251012151500.export.CSV")
    result = read_source(path)
    assert result.format == "gdelt" and len(result.incidents) == 7
    assert result.incidents[0].source_file == f"{path}!20251012151500.export.CSV"


def test_gdelt_without_coordinates_uses_the_place(tmp_path):
    line = GDELT.read_text(encoding="utf-8").splitlines()[0].split("\t")
    line[56] = line[57] = ""
    path = tmp_path / "nocoords.export.CSV"
    path.write_text("\t".join(line) + "\n", encoding="utf-8")
    (incident,) = read_incidents(path)
    assert incident.location is None and incident.place.name == "Torkham"


# --------------------------------------------------------------------------- native CSV


def test_native_csv_with_claim_columns():
    got = by_id(read_incidents(NATIVE_CSV))
    torkham = got["csv-torkham-2025-10-12"]
    assert torkham.actors == ("Afghan forces", "Pakistani forces")
    assert torkham.place.kind == "crossing" and torkham.location is None
    af, pk = torkham.claims
    assert (af.side, af.organisation, af.claimant, af.date) == (
        "AF", "Ministry of Defence (Kabul)", "A spokesman", D(2025, 10, 12))
    assert [(f.kind, f.low, f.high) for f in af.figures] == [
        ("killed", 20, None), ("posts_captured", 3, 3)]
    assert af.source.url == "https://example.invalid/a"
    assert (pk.status, pk.figures[0].low, pk.figures[0].high, pk.figures[0].subject) == (
        "disputed", 2, 3, "Pakistani soldiers")
    kurram = got["csv-kurram-2025-10-16"]
    assert kurram.date.start == D(2025, 10, 16) and kurram.date.text == "16 October 2025"
    paktika = got["csv-paktika-2025-10-20"]
    assert (paktika.location.lon, paktika.location.lat) == (69.92, 33.34)
    assert paktika.date.precision == "range"
    assert paktika.claims[0].figures[0].text == "numerous civilians"
    assert paktika.claims[1].status == "denied"


def test_native_csv_solar_hijri():
    got = by_id(read_incidents(SOLAR_CSV))
    assert {k: (v.date.start, v.date.text) for k, v in got.items()} == {
        "sh-marked": (D(2025, 10, 12), "1404/07/20 SH"),
        "sh-persian-digits": (D(2025, 10, 13), "۱۴۰۴/۰۷/۲۱ هـ ش"),
        "sh-month-name": (D(2025, 10, 14), "22 Mizan 1404"),
    }


def test_native_csv_calendar_option(tmp_path):
    path = tmp_path / "sh.csv"
    path.write_text("id,date,event_type,place\na,1404/07/20,armed_clash,Torkham\n",
                    encoding="utf-8")
    with pytest.raises(DataError, match="--calendar solar-hijri"):
        read_incidents(path)
    (incident,) = read_incidents(path, calendar="solar-hijri")
    assert incident.date.start == D(2025, 10, 12)


@pytest.mark.parametrize(("cell", "bounds"), [
    ("5", (5, 5, None)), ("3-5", (3, 5, None)), ("3 – 5", (3, 5, None)), ("70+", (70, None, None)),
    (">=70", (70, None, None)), ("at least 70", (70, None, None)), ("<=4", (None, 4, None)),
    ("numerous soldiers", (None, None, "numerous soldiers")),
])
def test_figure_cells(cell, bounds):
    assert figure_bounds(cell) == bounds


@pytest.mark.parametrize(("cell", "message"), [
    ("-3", "must not be negative"), ("2.5", "whole number"), ("5000000", "implausible")])
def test_bad_figure_cells(cell, message):
    with pytest.raises(DataError, match=message):
        figure_bounds(cell)


# --------------------------------------------------------------------------- GeoJSON


def test_geojson_round_trip_of_our_own_output(tmp_path):
    from border_map.pipeline import build

    sources = [ACLED, UCDP, NATIVE_CSV]
    first = build(sources, tmp_path / "a", formats=("geojson",))
    geojson = first.outputs["geojson"]
    again = read_source(geojson)
    assert again.format == "geojson" and not again.problems
    original = {i.id: i for p in sources for i in read_incidents(p)}
    back = by_id(again.incidents)
    assert sorted(back) == sorted(original)
    for ident, incident in back.items():
        before = original[ident]
        assert (incident.date, incident.event_type, incident.actors, incident.claims) == (
            before.date, before.event_type, before.actors, before.claims)
        assert incident.description == before.description
        if before.location is not None:
            assert incident.location == before.location


def test_geojson_single_feature_and_numeric_id(tmp_path):
    path = tmp_path / "one.geojson"
    path.write_text(json.dumps({
        "type": "Feature", "id": 7, "geometry": {"type": "Point", "coordinates": [71.08, 34.11]},
        "properties": {"date": "2025-10-12", "event_type": "shelling", "precision_km": 3,
                       "distance_to_border_km": 1.0}}), encoding="utf-8")
    (incident,) = read_incidents(path)
    assert incident.id == "7" and incident.location.precision_km == 3


def test_geojson_unlocated_feature(tmp_path):
    path = tmp_path / "u.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": None, "properties": {
            "id": "u", "date": "2025-10", "event_type": "armed_clash",
            "location_error": "unlocated: the report names no place"}}]}), encoding="utf-8")
    (incident,) = read_incidents(path)
    assert incident.unlocated == "the report names no place" and incident.location is None


# --------------------------------------------------------------------------- native files


def test_native_yaml_is_read_record_by_record(tmp_path):
    path = tmp_path / "mixed.yaml"
    path.write_text(
        "incidents:\n"
        "  - {id: a, date: 2026-02-26, event_type: airstrike, place: Torkham}\n"
        "  - {id: b, date: 2026-02-30, event_type: airstrike, place: Torkham}\n"
        "  - {id: c, date: 2026-02-26, event_type: airstrike, location: {lon: 34.1, lat: 71.1}}\n"
        "  - {id: a, date: 2026-02-26, event_type: airstrike, place: Torkham}\n",
        encoding="utf-8")
    result = read_source(path)
    assert [i.id for i in result.incidents] == ["a"]
    assert [str(p) for p in result.problems] == [
        f"{path}:3: field 'date': 2026-02-30 is not a calendar date (day is out of range for "
        "month)",
        f"{path}:4: field 'location': lon=34.1, lat=71.1 is outside the region; latitude and "
        "longitude look swapped",
        f"{path}:5: field 'id': duplicate incident id 'a' (first at line 2)",
    ]
    with pytest.raises(DataError, match="2026-02-30"):
        read_incidents(path)


def test_native_yaml_same_as_the_loader():
    from border_map import data
    from border_map.incidents import load_incidents

    seed = data.example_path()
    assert read_incidents(seed) == load_incidents(seed)


def test_large_native_files_are_refused(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("incidents: []\n" + "#" * 2_000_000 + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"too large for a YAML incident file \(2\.0 MB; the "
                                        r"limit is 1 MB\)"):
        read_incidents(path, max_native_mb=1)
    assert MAX_NATIVE_MB >= 20


# --------------------------------------------------------------------------- duplicates


def test_duplicates_across_sources_are_linked():
    incidents = [i for p in (ACLED, UCDP, GDELT) for i in read_incidents(p) if i.location]
    links = find_duplicates(
        [i.id for i in incidents], [i.source_file for i in incidents],
        [i.location.lon for i in incidents], [i.location.lat for i in incidents],
        [i.date.start.toordinal() for i in incidents], [i.date.end.toordinal() for i in incidents])
    pairs = {(link.a, link.b) for link in links}
    assert ("acled-AFG70003", "ucdp-900001") in pairs  # Spin Boldak, same day, 0 km
    assert ("acled-PAK90001", "ucdp-900005") in pairs  # Torkham
    assert ("acled-PAK90001", "gdelt-1190000001") in pairs
    # ACLED's two Torkham records (PK side on the 12th, AF side on the 14th) are one source
    assert ("acled-AFG70002", "acled-PAK90001") not in pairs
    spin = next(link for link in links if link.b == "ucdp-900001")
    assert spin.distance_km < 0.01 and spin.days_apart == 0
    assert link_map(links)["ucdp-900001"] == ["acled-AFG70003"]
    # a tighter window drops the GDELT link (GDELT's Torkham point is ~2 km off)
    tight = find_duplicates(
        [i.id for i in incidents], [i.source_file for i in incidents],
        [i.location.lon for i in incidents], [i.location.lat for i in incidents],
        [i.date.start.toordinal() for i in incidents], [i.date.end.toordinal() for i in incidents],
        km=1.0, days=0)
    assert ("acled-PAK90001", "gdelt-1190000001") not in {(x.a, x.b) for x in tight}


@given(st.lists(st.tuples(st.floats(60, 78), st.floats(24, 38), st.integers(0, 30),
                          st.sampled_from("ab")), max_size=30),
       st.floats(0, 50), st.integers(0, 5))
@example([(70.0, 34.0, 0, "a"), (70.0, 34.0449, 1, "b")], 5.0, 1)  # 4.99 km, 1 day
def test_duplicates_match_brute_force(points, km, days):
    from border_map.geo import haversine_km as _haversine_km

    ids = [f"i{k}" for k in range(len(points))]
    lon, lat, day, src = (list(v) for v in zip(*points, strict=True)) if points else ([],) * 4
    got = {(x.a, x.b) for x in find_duplicates(ids, src, lon, lat, day, day, km=km, days=days)}
    want = {
        tuple(sorted((ids[i], ids[j])))
        for i in range(len(points)) for j in range(i + 1, len(points))
        if src[i] != src[j] and abs(day[i] - day[j]) <= days
        and _haversine_km(lon[i], lat[i], lon[j], lat[j]) <= km
    }
    assert got == want


def test_unlocated_incidents_are_never_linked_and_raise_no_warning():
    """Drafts of several stories often hold an unlocated incident (NaN coordinates): no
    link, and no numpy RuntimeWarning on the user's terminal."""
    nan = float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        links = find_duplicates(["a", "b", "c", "d"], ["s1", "s2", "s1", "s2"],
                                [70.0, 70.0, nan, nan], [34.0, 34.0, nan, nan],
                                [1, 1, 1, 1], [1, 1, 1, 1])
    assert [(x.a, x.b) for x in links] == [("a", "b")]


# -- this tool's own GeoParquet read back ---------------------------------------------------


def test_geoparquet_output_read_back_keeps_every_claim(tmp_path):
    """A GeoParquet written by build, built again, gives the same claims per incident."""
    from border_map.pipeline import build

    first = tmp_path / "first"
    build(None, first, formats=["parquet", "geojson"])
    again = tmp_path / "again"
    build([first / "incidents.parquet"], again, formats=["geojson"])
    before = {f["id"]: f["properties"]["claims"]
              for f in json.loads((first / "incidents.geojson").read_text())["features"]}
    after = {f["id"]: f["properties"]["claims"]
             for f in json.loads((again / "incidents.geojson").read_text())["features"]}
    assert after.keys() == before.keys()
    assert sum(len(c) for c in before.values()) > 10
    assert after == before


def test_table_claims_cell_that_is_not_claims_is_one_error_naming_the_row(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text('id,date,lon,lat,claims\n'
                    'a,2025-10-12,70.1,34.0,"[{""side"": ""PK"", ""figures"": []}]"\n'
                    'b,2025-10-12,70.1,34.0,"[{""figures"": []}]"\n'
                    'c,2025-10-12,70.1,34.0,\n', encoding="utf-8")
    read = read_source(path, "table")
    assert [i.id for i in read.incidents] == ["a", "c"]
    assert [len(i.claims) for i in read.incidents] == [1, 0]
    assert read.incidents[0].claims[0].side == "PK"
    (err,) = read.problems
    assert err.location.startswith(f"{path}:3") and err.field == "claims[0].side"
