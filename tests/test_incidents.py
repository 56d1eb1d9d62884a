"""The incident data model and the native file format: the seed example, YAML traps,
located errors for bad input, the JSON Schema, and round trips."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from border_map.errors import DataError
from border_map.incidents import (
    CLAIM_STATUSES,
    EVENT_TYPES,
    FIGURE_KINDS,
    SIDES,
    Claim,
    DateSpan,
    Figure,
    Incident,
    Location,
    PlaceRef,
    Source,
    claim_spread,
    conflicting_kinds,
    incident_schema,
    load_incidents,
    loads_incidents,
    parse_date_span,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "data" / "incidents"
EXAMPLE = ROOT / "examples" / "seed_incidents.yaml"
ARTICLE = ROOT.parent / "shared" / "seed" / "article.txt"


@pytest.fixture(scope="module")
def seed() -> list[Incident]:
    return load_incidents(EXAMPLE)


def by_id(incidents, ident) -> Incident:
    return next(i for i in incidents if i.id == ident)


def claims_by(incident, word) -> list[Claim]:
    return [
        c for c in incident.claims if word in (c.claimant or "") or word in (c.organisation or "")
    ]


# --------------------------------------------------------------------------- the seed example


def test_seed_example_loads_with_every_event_of_the_story(seed):
    assert len(seed) >= 10
    assert len({i.id for i in seed}) == len(seed)
    assert all(c.side in SIDES for i in seed for c in i.claims)
    assert all(i.source_file == str(EXAMPLE) and i.source_line for i in seed)
    places = {(i.place.name, i.place.country, i.place.kind) for i in seed if i.place}
    for name in ("Chitral", "Khyber", "Mohmand", "Kurram", "Bajaur"):
        assert (name, "PK", "district") in places
    for name in ("Nangarhar", "Paktia"):
        assert (name, "AF", "province") in places
    assert ("Torkham", "PK", "crossing") in places
    assert ("Chaman", "PK", "crossing") in places
    assert {i.event_type for i in seed} >= {
        "airstrike",
        "armed_clash",
        "outpost_captured",
        "border_closure",
    }


def test_seed_dates(seed):
    strikes = by_id(seed, "2026-02-21-airstrikes-nangarhar")
    assert strikes.date == DateSpan(
        dt.date(2026, 2, 21), dt.date(2026, 2, 22), "range", "last week"
    )
    assert strikes.date.iso() == "2026-02-21/2026-02-22"
    offensive = by_id(seed, "2026-02-26-offensive-khyber-pakhtunkhwa")
    assert offensive.date.iso() == "2026-02-26" and offensive.date.precision == "day"
    october = by_id(seed, "2025-10-11-border-fighting")
    assert october.date.iso() == "2025-10-11/2025-10-12"


def test_seed_claims_are_kept_apart(seed):
    offensive = by_id(seed, "2026-02-26-offensive-khyber-pakhtunkhwa")
    mujahid = [c for i in seed for c in claims_by(i, "Mujahid")]
    ministry = claims_by(offensive, "Ministry of Information")
    mohammadi = claims_by(offensive, "Mohammadi")
    assert len(ministry) == 1 and len(mohammadi) == 1
    assert ministry[0] is not mohammadi[0] and ministry[0].side == "PK"
    assert mohammadi[0].side == "AF" and all(c.side == "AF" for c in mujahid)
    assert not {id(c) for c in mujahid} & {id(ministry[0]), id(mohammadi[0])}

    outposts = by_id(seed, "2026-02-26-outposts-captured")
    (claim,) = outposts.claims
    assert claim.claimant == "Zabihullah Mujahid"
    figures = {f.kind: f for f in claim.figures}
    assert (figures["posts_captured"].low, figures["posts_captured"].high) == (15, 15)
    assert figures["killed"] == Figure(
        "killed", None, None, "numerous soldiers", "Pakistani soldiers"
    )
    assert figures["captured"].text == "captured alive"


def test_seed_offensive_spread_shows_the_conflict_without_merging(seed):
    offensive = by_id(seed, "2026-02-26-offensive-khyber-pakhtunkhwa")
    spread = claim_spread(offensive)
    assert spread["conflicting"] is True
    assert conflicting_kinds(offensive) == ("casualties",)
    (pk,) = spread["casualties"]["PK"]
    (af,) = spread["casualties"]["AF"]
    assert (pk["low"], pk["high"], pk["text"]) == (None, None, "heavy casualties")
    assert (af["low"], af["high"], af["text"]) == (0, 0, "no casualties")
    assert af["claimant"] == "Wahidullah Mohammadi"
    assert pk["organisation"] == "Ministry of Information (Pakistan)"
    # the same discrepancy is visible on each sector Pakistan named
    for sector in ("chitral", "khyber", "mohmand", "kurram", "bajaur"):
        assert claim_spread(by_id(seed, f"2026-02-26-clash-{sector}"))["conflicting"]


def test_seed_airstrike_claim_is_not_split(seed):
    for province in ("nangarhar", "paktia"):
        incident = by_id(seed, f"2026-02-21-airstrikes-{province}")
        (pk,) = [c for c in incident.claims if c.side == "PK"]
        (af,) = [c for c in incident.claims if c.side == "AF"]
        assert pk.figures == (Figure("killed", 70, None, "at least 70 fighters", "fighters"),)
        assert pk.status == "disputed" and af.status == "unverified"
        assert af.figures[0].text == "civilians, including women and children"


def test_seed_sources_quote_the_article_verbatim(seed):
    if not ARTICLE.is_file():
        pytest.skip("shared/seed/article.txt is not beside the checkout")
    article = " ".join(ARTICLE.read_text(encoding="utf-8").split())
    for incident in seed:
        for claim in incident.claims:
            assert claim.source and claim.source.outlet == "News report (seed article)"
            assert claim.source.url is None
            assert " ".join(claim.source.quote.split()) in article, claim.source.quote
            for fig in claim.figures:
                assert fig.text in article, fig.text


def test_bundled_example_path_is_this_file():
    from border_map.data import example_path

    assert example_path().resolve() == EXAMPLE.resolve()


# --------------------------------------------------------------------------- YAML traps


def test_yaml_scalars_stay_as_written():
    (incident,) = load_incidents(FIXTURES / "traps.yaml")
    assert incident.id == "034"
    assert incident.place == PlaceRef("Oslo", "NO", "town")
    assert incident.actors == ("1:20", "yes", "null-group", "~")
    assert incident.description is None
    (claim,) = incident.claims
    assert claim.claimant == "Off"
    assert claim.figures == (Figure("displaced", 34, None, "0x10"),)  # decimal, not octal 28


def test_quoted_null_is_text_and_plain_null_is_nothing():
    text = """
- id: 'null'
  date: '2026-02-26'
  event_type: other
  place: {name: 'NULL', country: ~, kind: null}
"""
    (incident,) = loads_incidents(text, name="n.yaml")
    assert incident.id == "null"
    assert incident.place == PlaceRef("NULL", None, None)


def test_utf8_bom_and_crlf(tmp_path):
    path = tmp_path / "bom.yaml"
    body = "incidents:\r\n  - id: a\r\n    date: 2026-02-26\r\n    event_type: other\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + (body + "    place: Tōrkham\r\n").encode())
    (incident,) = load_incidents(path)
    assert incident.place.name == "Tōrkham"
    assert loads_incidents("\ufeff" + body + "    place: x\n")[0].id == "a"


# --------------------------------------------------------------------------- located errors

BAD = [
    (
        "bad_event_type.yaml",
        5,
        "event_type",
        "unknown event type 'airstrikes' (did you mean 'airstrike'?)",
    ),
    (
        "bad_side.yaml",
        8,
        "claims[0].side",
        "unknown side 'Afghanistan'; valid: AF, PK, third_party",
    ),
    ("bad_lon.yaml", 6, "location.lon", "200.0 is outside -180..180 degrees"),
    ("bad_lat_nan.yaml", 6, "location.lat", "must be a finite number"),
    ("bad_low_high.yaml", 10, "claims[0].figures[0].low", "low 12 is greater than high 5"),
    ("bad_negative.yaml", 9, "claims[0].figures[0].value", "must not be negative (got -3)"),
    ("bad_date_feb30.yaml", 5, "date", "2026-02-30 is not a calendar date"),
    ("bad_date_hijri.yaml", 6, "date", "year 1400 is before 1900: this looks like a Solar Hijri"),
    ("bad_duplicate_id.yaml", 6, "id", "duplicate incident id 'same' (first at line 2)"),
    ("bad_duplicate_key.yaml", 6, "date", "duplicate key 'date' (first at line 3)"),
    ("bad_missing_date.yaml", 6, "date", "missing required field"),
    (
        "bad_claims_string.yaml",
        6,
        "claims",
        "expected a list, got a string ('Pakistan says 5 killed')",
    ),
    ("bad_unknown_field.yaml", 4, "evnt_type", "unknown field (did you mean 'event_type'?)"),
    ("bad_duplicate_key.json", 6, "event_type", "duplicate key 'event_type' (first at line 4)"),
    ("bad_lat_nan.json", 5, "location.lat", "must be a finite number"),
    ("bad_id_number.json", 2, "id", "expected text, got a number (34)"),
]


@pytest.mark.parametrize(("name", "line", "field", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_names_file_line_and_field(name, line, field, message):
    path = FIXTURES / name
    with pytest.raises(DataError) as info:
        load_incidents(path)
    err = info.value
    assert str(err).startswith(f"{path}:{line}: field '{field}': {message}")
    assert (err.location, err.field) == (f"{path}:{line}", field)
    assert "\n" not in str(err)
    assert isinstance(err, ValueError)


def test_unknown_event_type_lists_the_valid_keys():
    with pytest.raises(DataError) as info:
        load_incidents(FIXTURES / "bad_event_type.yaml")
    assert "valid: " + ", ".join(EVENT_TYPES) in str(info.value)


def test_empty_file(tmp_path):
    for path in (FIXTURES / "empty.yaml", tmp_path / "zero.yaml"):
        if not path.exists():
            path.write_bytes(b"")
        with pytest.raises(DataError, match=r"empty file") as info:
            load_incidents(path)
        assert str(info.value).startswith(f"{path}: empty file")


def test_binary_file(tmp_path):
    path = tmp_path / "photo.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(DataError) as info:
        load_incidents(path)
    assert str(info.value).startswith(f"{path}:3: binary file (NUL byte at line 3)")


def test_undecodable_file_names_the_line(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("incidents:\n  - id: a\n    place: Tôrkham\n".encode("latin-1"))
    with pytest.raises(DataError) as info:
        load_incidents(path)
    assert str(info.value).startswith(f"{path}:3: not UTF-8 text (byte 0xf4 at line 3")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[1, 2", "t.yaml:1: YAML syntax error"),
        ("incidents: 3", "t.yaml:1: field 'incidents': expected a list, got"),
        ("just text", "t.yaml:1: expected a mapping with an 'incidents' list"),
        ("title: x", "t.yaml:1: field 'title': unknown field; allowed: incidents, source"),
        ("a: &x [*x]\n", "t.yaml:1: recursive YAML alias"),
        ("- &a {id: x, <<: *a}", "t.yaml:1: YAML merge keys (<<) are not supported"),
        ("- [a, b]", "t.yaml:1: field 'incidents[0]': expected an incident mapping, got a list"),
        ("- {id: a, date: 2026-02-26, event_type: other}", "field 'place': missing"),
        ("- {id: '', date: 2026-02-26, event_type: other, place: x}", "field 'id'"),
        (
            "- {id: a, date: 26/02/2026, event_type: other, place: x}",
            "day/month order is ambiguous",
        ),
        ("- {id: a, date: 2026/02/26, event_type: other, place: x}", "(e.g. 2026-02-26)"),
        ("- {id: a, date: 2026-W54, event_type: other, place: x}", "is not an ISO week"),
        ("- {id: a, date: '2026-02-22/2026-02-21', event_type: other, place: x}", "end is before"),
        (
            "- {id: a, date: {start: 2026-02-21, end: 2026-02-23, precision: day},"
            " event_type: other, place: x}",
            "field 'date.precision': precision 'day' needs start == end",
        ),
        (
            "- {id: a, date: 2026-02-26, event_type: other, place: x, location: [71, 34]}",
            "field 'location': write the location as a mapping",
        ),
        (
            "- {id: a, date: 2026-02-26, event_type: other, location: {lon: 0, lat: 0}}",
            "field 'location.lon': (0, 0) is not in the border region",
        ),
        (
            "- {id: a, date: 2026-02-26, event_type: other, location: {lon: 34°E, lat: 1}}",
            "field 'location.lon': expected a decimal number, got '34°E'",
        ),
        (
            "- {id: a, date: 2026-02-26, event_type: other, place: {name: x, country: AFG}}",
            "field 'place.country': country 'AFG' is not an ISO 3166-1 alpha-2 code",
        ),
        (
            "- {id: a, date: 2026-02-26, event_type: other, place: x, claims: [{side: PK, "
            "status: rumour}]}",
            "field 'claims[0].status': unknown status 'rumour'",
        ),
        (
            "- {id: a, date: 2026-02-26, event_type: other, place: x, claims: [{side: PK, "
            "date: 2026-02}]}",
            "field 'claims[0].date': '2026-02': a claim date is one day",
        ),
        (
            "- {id: a, date: 2026-02-26, event_type: other, place: x, claims: [{side: PK, "
            "figures: [{kind: killed}]}]}",
            "field 'claims[0].figures[0].kind': a figure needs",
        ),
        (
            "- {id: a, date: 2026-02-26, event_type: other, place: x, claims: [{side: PK, "
            "figures: [{kind: killed, value: 3, low: 2}]}]}",
            "give either 'value'",
        ),
        (
            "- {id: a, date: 2026-02-26, event_type: other, place: x, claims: [{side: PK, "
            "figures: [{kind: killed, low: '1,200'}]}]}",
            "expected a whole number, got '1,200'",
        ),
        (
            "- {id: a, date: 2026-02-26, event_type: other, place: x, claims: [{side: PK, "
            "figures: [{kind: dead, low: 1}]}]}",
            "unknown figure kind 'dead'",
        ),
        (
            "- {id: a, date: 2026-02-26, event_type: other, place: x, claims: [{side: PK, "
            "source: {published: 1403-12-07}}]}",
            "field 'claims[0].source.published': year 1403",
        ),
    ],
)
def test_more_bad_input(text, fragment):
    with pytest.raises(DataError) as info:
        loads_incidents(text, name="t.yaml")
    assert fragment in str(info.value)
    assert str(info.value).startswith("t.yaml:")


def test_errors_point_at_the_offending_line_in_a_long_file():
    good = "- {id: i%d, date: 2026-02-26, event_type: other, place: x}\n"
    text = "".join(good % n for n in range(40)) + "- {id: bad, date: 2026-13-01, event_type: other}"
    with pytest.raises(DataError, match=r"^big\.yaml:41: field 'date': 2026-13-01 is not a"):
        loads_incidents(text, name="big.yaml")


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("2026-02-26", "2026-02-26", "2026-02-26", "day"),
        ("2026-02", "2026-02-01", "2026-02-28", "month"),
        ("2024-02", "2024-02-01", "2024-02-29", "month"),
        ("2026-W09", "2026-02-23", "2026-03-01", "week"),
        ("2025", "2025-01-01", "2025-12-31", "year"),
        ("2026-02-21/2026-02-22", "2026-02-21", "2026-02-22", "range"),
        ("2025-10/2026-02-26", "2025-10-01", "2026-02-26", "range"),
        ("2026-02-26/2026-02-26", "2026-02-26", "2026-02-26", "day"),
    ],
)
def test_parse_date_span(text, start, end, precision):
    span = parse_date_span(text)
    assert (span.start.isoformat(), span.end.isoformat(), span.precision) == (start, end, precision)


def test_date_mapping_forms():
    base = "- {id: a, event_type: other, place: x, date: %s}"
    load = lambda d: loads_incidents(base % d)[0].date  # noqa: E731
    assert load("{start: 2026-02}") == DateSpan(dt.date(2026, 2, 1), dt.date(2026, 2, 28), "month")
    assert load("{start: 2025-10-12, end: 2026-02}").end == dt.date(2026, 2, 28)
    assert load("{start: 2026-02-26, text: late Thursday}").text == "late Thursday"


def test_model_validates_direct_construction():
    with pytest.raises(DataError, match="low 5 is greater than high 2"):
        Figure("killed", 5, 2)
    with pytest.raises(DataError, match="Solar Hijri"):
        DateSpan(dt.date(1400, 3, 15), dt.date(1400, 3, 15))
    with pytest.raises(DataError, match="finite"):
        Location(float("nan"), 34.0)
    with pytest.raises(DataError, match="unknown side"):
        Claim(None, None, "Kabul")


# --------------------------------------------------------------------------- claim spread


def _incident(*claims: Claim) -> Incident:
    return Incident(
        "x", parse_date_span("2026-02-26"), "armed_clash", place=PlaceRef("x"), claims=claims
    )


def test_claim_spread_lists_every_figure_and_never_merges():
    af = Claim("A", None, "AF", figures=(Figure("killed", 3, 5, "three to five"),))
    pk1 = Claim("B", None, "PK", figures=(Figure("killed", 10, None, "at least 10"),))
    pk2 = Claim("C", None, "PK", figures=(Figure("killed", 12, 12),))
    spread = claim_spread(_incident(af, pk1, pk2))
    assert [e["claimant"] for e in spread["killed"]["PK"]] == ["B", "C"]
    assert [(e["low"], e["high"]) for e in spread["killed"]["PK"]] == [(10, None), (12, 12)]
    assert spread["killed"]["AF"][0]["text"] == "three to five"
    assert spread["conflicting"] is True
    assert set(spread) == {"killed", "conflicting"}


@pytest.mark.parametrize(
    ("a", "b", "conflicting"),
    [
        (Figure("killed", 3, 5), Figure("killed", 4, 9), False),  # overlap
        (Figure("killed", 70), Figure("killed", text="dozens"), False),
        (Figure("killed", 0, 0), Figure("killed", text="numerous soldiers"), True),
        (Figure("casualties", text="no casualties"), Figure("killed", 2, 2), True),
        (Figure("casualties", 0, 0), Figure("wounded", text="several"), True),
        (Figure("killed", 0, 0), Figure("casualties", text="heavy casualties"), False),
        (
            Figure("killed", 0, 0, subject="Afghan side"),
            Figure("killed", 9, 9, subject="Pakistani soldiers"),
            False,
        ),
        (
            Figure("killed", 0, 0, subject="Afghan  side"),
            Figure("killed", 9, 9, subject="afghan side"),
            True,
        ),
    ],
)
def test_conflict_rules(a, b, conflicting):
    incident = _incident(
        Claim(None, None, "AF", figures=(a,)), Claim(None, None, "PK", figures=(b,))
    )
    assert claim_spread(incident)["conflicting"] is conflicting
    same_side = _incident(
        Claim(None, None, "AF", figures=(a,)), Claim(None, None, "AF", figures=(b,))
    )
    assert claim_spread(same_side)["conflicting"] is False


# --------------------------------------------------------------------------- schema and JSON


class _JsonLikeYaml(yaml.SafeLoader):
    """YAML read the way a JSON Schema sees it: dates stay strings."""


_JsonLikeYaml.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = incident_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_schema_is_valid_draft_2020_12_and_matches_the_vocabulary():
    _validator()
    schema = incident_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    defs = schema["$defs"]
    assert defs["incident"]["properties"]["event_type"]["enum"] == list(EVENT_TYPES)
    assert defs["claim"]["properties"]["side"]["enum"] == list(SIDES)
    assert defs["figure"]["properties"]["kind"]["enum"] == list(FIGURE_KINDS)
    assert defs["claim"]["properties"]["status"]["enum"] == [*CLAIM_STATUSES, None]
    assert incident_schema() is not incident_schema()  # callers may mutate their copy


def test_example_and_fixtures_validate_against_the_schema(seed):
    validator = _validator()
    raw = yaml.load(EXAMPLE.read_text(encoding="utf-8"), Loader=_JsonLikeYaml)
    assert not list(validator.iter_errors(raw))
    assert not list(validator.iter_errors({"incidents": [i.to_dict() for i in seed]}))
    assert not list(validator.iter_errors(json.loads((FIXTURES / "good.json").read_text())))


def test_schema_rejects_what_the_loader_rejects():
    validator = _validator()
    base = {"id": "a", "date": "2026-02-26", "event_type": "other", "place": "x"}
    assert validator.is_valid([base])
    for bad in (
        {**base, "event_type": "airstrikes"},
        {**base, "date": "26/02/2026"},
        {**base, "place": None},
        {**base, "location": {"lon": 200, "lat": 0}},
        {**base, "claims": "Pakistan says 5 killed"},
        {**base, "claims": [{"side": "Kabul"}]},
        {**base, "claims": [{"side": "PK", "figures": [{"kind": "killed"}]}]},
        {**base, "claims": [{"side": "PK", "figures": [{"kind": "killed", "value": 1, "low": 1}]}]},
        {**base, "evnt_type": "other"},
    ):
        assert not validator.is_valid([bad]), bad


def test_json_file_with_default_source_and_week_date():
    (incident,) = load_incidents(FIXTURES / "good.json")
    assert incident.date == DateSpan(dt.date(2026, 2, 23), dt.date(2026, 3, 1), "week", "that week")
    assert incident.place.country == "AF"
    assert incident.location == Location(69.92, 33.34, 25.0)
    af, pk = incident.claims
    assert af.source == Source("Example wire", "https://example.invalid/a", None, "2026-02-27")
    assert pk.source == Source("Other outlet")
    assert pk.figures == (Figure("killed", 0, 0),)
    assert claim_spread(incident)["conflicting"] is True


def test_json_is_detected_by_content():
    text = (FIXTURES / "good.json").read_text()
    assert loads_incidents(text) == load_incidents(FIXTURES / "good.json")


# --------------------------------------------------------------------------- round trips


def _yaml_round_trip(incidents, name="rt.yaml"):
    text = yaml.safe_dump(
        {"incidents": [i.to_dict() for i in incidents]}, sort_keys=False, allow_unicode=True
    )
    return loads_incidents(text, name=name)


def test_seed_round_trips_through_yaml_and_json(seed):
    assert _yaml_round_trip(seed) == seed
    text = json.dumps([i.to_dict() for i in seed], ensure_ascii=False, indent=2)
    assert loads_incidents(text, name="rt.json") == seed
    assert json.loads(json.dumps(seed[0].to_dict())) == seed[0].to_dict()


_TRAPS = [
    "NO",
    "no",
    "yes",
    "Off",
    "034",
    "0x1F",
    "1:20",
    "1e3",
    "null",
    "~",
    "2026-02-26",
    ".nan",
    "-.inf",
    "<<",
    "&a",
    "*a",
    "!!int 3",
    "# not a comment",
    "a: b",
    "- x",
    "'q'",
]
_text = st.one_of(
    st.sampled_from(_TRAPS),
    st.text(
        st.characters(categories=("L", "N", "P", "S", "Zs"), exclude_characters="\x85\u2028\u2029"),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(bool),
)
_opt = st.none() | _text
_count = st.none() | st.integers(0, 10**6)


@st.composite
def _incidents(draw):
    def figure():
        low, high = draw(_count), draw(_count)
        if low is not None and high is not None and low > high:
            low, high = high, low
        text = draw(_opt)
        if low is None and high is None and text is None:
            text = "some"
        return Figure(draw(st.sampled_from(FIGURE_KINDS)), low, high, text, draw(_opt))

    def claim():
        source = draw(
            st.none() | st.builds(Source, _opt, _opt, _opt, st.none() | st.just("2026-02-27"))
        )
        return Claim(
            draw(_opt),
            draw(_opt),
            draw(st.sampled_from(SIDES)),
            draw(st.none() | st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))),
            draw(_opt),
            tuple(figure() for _ in range(draw(st.integers(0, 3)))),
            source,
            draw(st.sampled_from(CLAIM_STATUSES)),
        )

    start = draw(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 1)))
    end = start + dt.timedelta(days=draw(st.integers(0, 30)))
    date = DateSpan(start, end, "day" if start == end else "range", draw(_opt))
    location = draw(
        st.none()
        | st.builds(
            Location,
            st.floats(-180, 180).filter(bool),
            st.floats(-90, 90),
            st.none() | st.floats(0, 1000),
        )
    )
    place = draw(
        st.builds(
            PlaceRef, _text, st.none() | st.sampled_from(["AF", "PK", "NO"]), _opt, _opt, _opt
        )
    )
    return Incident(
        draw(_text),
        date,
        draw(st.sampled_from(list(EVENT_TYPES))),
        tuple(draw(st.lists(_text, max_size=3))),
        place,
        location,
        draw(_opt),
        tuple(claim() for _ in range(draw(st.integers(0, 3)))),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_incidents())
@example(
    Incident(
        "NO",
        DateSpan(dt.date(2026, 2, 26), dt.date(2026, 2, 26)),
        "other",
        ("1:20", "034"),
        PlaceRef("~", "NO", "null", "yes", "0x1F"),
    )
)
def test_round_trip_property(incident):
    assert _yaml_round_trip([incident]) == [incident]
    text = json.dumps([incident.to_dict()])
    assert loads_incidents(text, name="rt.json") == [incident]
