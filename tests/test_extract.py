"""border_map.extract: from a news story to draft incidents (issue 8)."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path

import pytest
import yaml

from border_map.errors import DataError
from border_map.extract import Draft, extract
from border_map.extract.dates import find_dates
from border_map.extract.evaluate import evaluate, load_answers
from border_map.extract.figures import find_figures
from border_map.extract.places import PlaceMatcher, find_places
from border_map.extract.review import review_table
from border_map.extract.text import (
    Document,
    Spans,
    detect_format,
    fold,
    read_document,
    split_sentences,
    strip_markup,
)
from border_map.incidents import (
    Evidence,
    Incident,
    incident_schema,
    load_incidents,
    loads_incidents,
)

DATA = Path(__file__).parent / "data" / "extract"
SEED_ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "seed" / "article.txt"
SEED_EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "seed_incidents.yaml"
THURSDAY = dt.date(2026, 2, 26)
FRIDAY = dt.date(2026, 2, 27)


def _places(text: str, gazetteer, roles=("location",)) -> list[tuple[str, str]]:
    doc = Document(text)
    return [(m.text, m.place.id) for m in find_places(doc, gazetteer) if m.role in roles]


# --------------------------------------------------------------------------- text


def test_fold_keeps_every_offset():
    text = "Nangarhār’s Kunaṟ – Spin-Boldak ß İ"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded.startswith("nangarhar's kunar - spin-boldak")


@pytest.mark.parametrize(
    ("name", "raw", "fmt"),
    [
        ("a.html", "anything", "html"),
        ("a.md", "anything", "markdown"),
        ("a.txt", "<p>tags in a text file</p>", "html"),
        (None, "<html><body><p>x</p></body></html>", "html"),
        (None, "# Title\n\nSee [link](http://x.invalid) and **bold**.", "markdown"),
        (None, "Plain words, nothing else.", "text"),
    ],
)
def test_detect_format(name, raw, fmt):
    assert detect_format(raw, name) == fmt


def test_html_is_stripped_and_its_metadata_kept():
    raw = (DATA / "04_ledger_chaman.html").read_text(encoding="utf-8")
    text, meta = strip_markup(raw, "html")
    assert "Kabul bureau" not in text and "dataLayer" not in text and "Lahore" not in text
    assert "“We gave a befitting response,” he said" in text  # entities decoded
    assert meta["date"].startswith("2025-11-02")
    assert meta["source"] == "Quetta Daily Ledger"
    assert meta["url"].endswith("chaman-shut")


def test_markdown_is_stripped_and_front_matter_read():
    raw = (DATA / "02_kabul_frontline_paktiya.md").read_text(encoding="utf-8")
    text, meta = strip_markup(raw, "markdown")
    assert meta == {"title": "Pakistani drone strike kills civilians in Paktiya, officials say",
                    "date": "2026-01-18", "source": "Kabul Frontline"}
    assert "**" not in text and "*Kabul Frontline*" not in text and "#" not in text
    assert "told Kabul Frontline that" in text
    link, _ = strip_markup("clashes near the [Nawa Pass](https://x.invalid/a) on Monday",
                           "markdown")
    assert link == "clashes near the Nawa Pass on Monday\n"


def test_plain_text_is_kept_as_it_is():
    raw = "One.\r\nTwo  spaces."
    assert strip_markup(raw, "text")[0] == "One.\nTwo  spaces."
    with pytest.raises(ValueError, match="unknown format"):
        strip_markup(raw, "pdf")


def test_sentences_have_exact_spans_abbreviations_and_headings():
    text = ('Border Clashes Erupt\nLt. Gen. Khan said "15 posts were captured." '
            "The U.S. envoy left. He said: no comment!\nNext line")
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Border Clashes Erupt",
        'Lt. Gen. Khan said "15 posts were captured."',
        "The U.S. envoy left.",
        "He said: no comment!",
        "Next line",
    ]
    assert all(text[s.start:s.end] == s.text for s in sentences)
    assert sentences[0].heading and not sentences[1].heading
    assert [s.paragraph for s in sentences] == [0, 1, 1, 1, 2]


def test_spans_overlap_and_contain():
    spans = Spans([(10, 20), (30, 40), (15, 35)])  # the overlapping one is dropped
    assert spans.contains(10) and not spans.contains(20) and spans.contains(39)
    assert spans.overlaps(19, 25) and not spans.overlaps(20, 30)
    assert not Spans()


# --------------------------------------------------------------------------- places


def test_every_name_and_alias_is_matched_as_a_whole_word(gazetteer):
    found = _places("Fighting in Khyber Pakhtunkhwa, Paktiya, Ningarhar, Khowst and Bajaur "
                    "Agency; Spin-Boldak and the Chaman border crossing; Khyberian tea.",
                    gazetteer)
    ids = [i for _, i in found]
    assert ids[:4] == ["pk.province.khyber-pakhtunkhwa", "af.province.paktia",
                       "af.province.nangarhar", "af.province.khost"]
    assert "pk.district.bajaur" in ids and "crossing.chaman-spin-boldak" in ids
    assert "Spin-Boldak" in [text for text, _ in found]  # a hyphen for the space
    assert not any(text.startswith("Khyberian") for text, _ in found)


def test_capitals_acronyms_and_common_words(gazetteer):
    assert _places("they march on in march", gazetteer) == []
    assert [i for _, i in _places("Clashes in March in Tank district", gazetteer)] == [
        "pk.district.tank"]
    assert [i for _, i in _places("Firing in KP and in kp", gazetteer)] == [
        "pk.province.khyber-pakhtunkhwa"]


def test_khyber_is_the_district_among_districts_and_the_province_by_its_full_name(gazetteer):
    text = ("The ministry reported exchanges in Pakistan's Khyber Pakhtunkhwa province. "
            "Forces are being punished in sectors including Chitral, Khyber, Mohmand, "
            "Kurram, and Bajaur.")
    found = dict(_places(text, gazetteer))
    assert found["Khyber Pakhtunkhwa province"] == "pk.province.khyber-pakhtunkhwa"
    assert found["Khyber"] == "pk.district.khyber"
    assert found["Chitral"] == "pk.district.chitral"


def test_parent_phrases_and_kind_words_are_hints(gazetteer):
    found = _places("Strikes in Afghanistan's Nangarhar and Paktia provinces; "
                    "in the Afghan town of Spin Boldak; in Dangam district, Kunar.", gazetteer)
    assert [i for _, i in found] == ["af.province.nangarhar", "af.province.paktia",
                                     "af.town.spin-boldak", "af.district.dangam",
                                     "af.province.kunar"]


def test_crossing_words_pick_the_crossing(gazetteer):
    assert _places("Trucks queued at Chaman as the crossing stayed closed.", gazetteer) == [
        ("Chaman", "crossing.chaman-spin-boldak")]


def test_capitals_standing_for_governments_are_not_places(gazetteer):
    doc = Document("Islamabad has repeatedly accused Kabul of failing to act. "
                   "A spokesperson in Islamabad told reporters. Trade was accepted by Kabul.")
    roles = [(m.text, m.role) for m in find_places(doc, gazetteer)]
    assert roles == [("Islamabad", "actor"), ("Kabul", "actor"), ("Islamabad", "location"),
                     ("Kabul", "actor")]


def test_datelines_and_names_of_people(gazetteer):
    draft = extract("PESHAWAR, March 4 (Wire) - Clashes erupted in Kurram on Tuesday. "
                    "Paktiya police spokesman Mohammad Ali Wardak said nothing.", date=FRIDAY,
                    gazetteer=gazetteer)
    roles = {m.text: m.role for m in draft.places}
    assert roles == {"PESHAWAR": "dateline", "Kurram": "location", "Paktiya": "location",
                     "Wardak": "name"}
    assert [i.place.id for i in draft.incidents] == ["pk.district.kurram"]


def test_names_found_after_their_first_character_as_by_a_lookbehind(gazetteer):
    # PlaceMatcher.names finds each name with the character before it: the same matches
    # as the plain regex with a lookbehind, at the start of a text, after a name ending in
    # a mark ("D.I.", "K.P."), after apostrophes and underscores, in other scripts
    matcher = PlaceMatcher(gazetteer)
    pieces = ["Kurram", "kurram", "D.I.", "Khan", "upper", "Upper", " ", "  ", "-", "'", "’",
              "_", ".", ",", "(", "\n", "Torkham", "Dir", "Lower", "x", "é", "\u0646\u06af",
              "Spin", "Boldak", "3", "KP", "\u2009", "K.P.", "Bab", "e", "Dosti", "Waras\u0304",
              "Art Khvajeh (1)"]
    rnd = random.Random(18)
    # (names that end in a mark, then a name: "Waras\u0304", "Art Khvajeh (1)")
    texts = ["Kurram", "D.I.Khan", "'Kurram", "_Kurram", "Upper Kurram", "Waras\u0304Kurram",
             "Art Khvajeh (1)Torkham", "Art Khvajeh (1)Waras\u0304Dir"] + [
        "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 12))) for _ in range(3000)]
    # names that end in a mark, each followed by a name that begins with one
    from border_map.gazetteer import Gazetteer, Place

    marked = Gazetteer([Place(f"pk.town.{i}", name, kind="town", country="PK", lon=70.0 + i,
                              lat=33.0, precision_km=5)
                        for i, name in enumerate(("D.I.", "Kot (1)", "Kurram", "Bar",
                                                  "\u2018Aliabad"))])
    texts += ["D.I.\u2018Aliabad", "at D.I.\u2018Aliabad", "at Kot (1)\u2018Aliabad",
              "D.I.D.I.Kot (1)Bar, D.I. Kurram"]
    for m, text in [(matcher, t) for t in texts] + [(PlaceMatcher(marked), t) for t in texts]:
        folded = fold(text)
        plain = re.compile(r"(?<![\w'])" + m.regex.pattern[len(r"[^\w']("):-1])
        assert list(m.names(folded)) == [
            (x.start(), x.end(), x.group()) for x in plain.finditer(folded)], text


def test_matcher_scales_to_the_full_gazetteer(gazetteer):
    matcher = PlaceMatcher(gazetteer)
    assert len(matcher.surfaces) > 1000
    text = ("Shelling hit Asmar, Dangam and Barmal; Torkham and Angoor Adda stayed shut. " * 14000)
    found = list(matcher.find(fold(text), text))
    assert len(found) == 5 * 14000
    # its speed (>= 1 MB/s) is a target of benchmarks/bench_extract.py, not a unit test


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("It happened on Thursday.", "2026-02-26", "2026-02-26", "day"),
        ("It was announced late Thursday.", "2026-02-26", "2026-02-26", "day"),
        ("On Sunday, jets struck.", "2026-02-22", "2026-02-22", "day"),
        ("Strikes carried out last week.", "2026-02-16", "2026-02-22", "week"),
        ("Deadly fighting in October.", "2025-10-01", "2025-10-31", "month"),
        ("Fighting in February.", "2026-02-01", "2026-02-28", "month"),
        ("Clashes on Thursday last week.", "2026-02-19", "2026-02-19", "day"),
        ("Talks will resume on Monday.", "2026-03-02", "2026-03-02", "day"),
        ("Yesterday the crossing shut.", "2026-02-26", "2026-02-26", "day"),
        ("It happened three days ago.", "2026-02-24", "2026-02-24", "day"),
        ("Earlier this week it shut.", "2026-02-23", "2026-02-27", "range"),
        ("Over the weekend it shut.", "2026-02-21", "2026-02-22", "range"),
        ("It started on 26 February 2026.", "2026-02-26", "2026-02-26", "day"),
        ("It started on February 26.", "2026-02-26", "2026-02-26", "day"),
        ("Since August 2021 it is closed.", "2021-08-01", "2021-08-31", "month"),
        ("Clashes in 2023 displaced many.", "2023-01-01", "2023-12-31", "year"),
        ("Dated 2026-02-20 in the file.", "2026-02-20", "2026-02-20", "day"),
        ("Dated 26/02/2026 in the file.", "2026-02-26", "2026-02-26", "day"),
        ("It shut last month.", "2026-01-01", "2026-01-31", "month"),
    ],
)
def test_dates_resolve_against_the_article_date(text, start, end, precision):
    (found,) = find_dates(Document(text), FRIDAY)
    assert (found.span.start.isoformat(), found.span.end.isoformat(), found.span.precision) == (
        start, end, precision)
    assert text[found.start:found.end].endswith(found.text.split()[-1])


@pytest.mark.parametrize("text", ["Dated 03/04/2026.", "They may go.", "a march in may"])
def test_ambiguous_or_non_dates_are_skipped(text):
    assert find_dates(Document(text), FRIDAY) == []


def test_on_thursday_on_a_thursday_is_that_day():
    (found,) = find_dates(Document("Clashes erupted on Thursday."), THURSDAY)
    assert found.span.start == THURSDAY and found.text == "Thursday"


# --------------------------------------------------------------------------- figures


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The military claimed to have killed at least 70 fighters.",
         [("killed", 70, None, "at least 70 fighters")]),
        ('He said 15 enemy outposts had been "captured from the enemy".',
         [("posts_captured", 15, 15, "15 enemy outposts")]),
        ('He claimed that "numerous soldiers" had been killed, with some "captured alive."',
         [("killed", None, None, "numerous soldiers"), ("captured", None, None, "captured alive")]),
        ('There had been "no casualties" on the Afghan side.',
         [("casualties", 0, 0, "no casualties")]),
        ("It caused the deaths of over 70 people on both sides.",
         [("killed", 71, None, "over 70 people")]),
        ("Two soldiers were killed and five others wounded.",
         [("killed", 2, 2, "Two soldiers"), ("wounded", 5, 5, "five others")]),
        ("Nearly 20 militants were killed and between 3 and 5 soldiers injured.",
         [("killed", None, 19, "Nearly 20 militants"),
          ("wounded", 3, 5, "between 3 and 5 soldiers")]),
        ("About 30 were wounded and heavy losses were inflicted.",
         [("wounded", None, None, "About 30"), ("casualties", None, None, "heavy losses")]),
        ("Civilians, including women and children, were among the casualties.",
         [("casualties", None, None, "Civilians, including women and children")]),
        ("Multiple posts and equipment destroyed.",
         [("posts_destroyed", None, None, "Multiple posts"),
          ("equipment_destroyed", None, None, "equipment destroyed")]),
        ("The border stretches over 2,600 kilometers.", []),
    ],
)
def test_figures_keep_the_words_and_only_the_numbers_they_give(sentence, expected):
    doc = Document(sentence)
    figures = [f.figure for s in doc.sentences for f in find_figures(doc, s)]
    assert [(f.kind, f.low, f.high, f.text) for f in figures] == expected


def test_figure_subjects():
    doc = Document('There had been "no casualties" on the Afghan side. '
                   '"Numerous soldiers" of the Pakistani military had been killed.')
    subjects = [f.figure.subject for s in doc.sentences for f in find_figures(doc, s)]
    assert subjects == ["Afghan side", "soldiers of the Pakistani military"]


# --------------------------------------------------------------------------- whole drafts

STORY = """\
KABUL, Feb 27 (Example Wire) - Afghan and Pakistani forces clashed near the Torkham crossing \
on Thursday, officials said.
Taliban spokesman Zabihullah Mujahid said 12 Pakistani soldiers were killed. "We responded," \
he said.
Pakistan's military said in a statement that no soldier was killed and that its troops \
destroyed several posts.
The crossing was still closed on Friday, traders said.
"""


@pytest.fixture(scope="module")
def story(gazetteer) -> Draft:
    return extract(STORY, date=FRIDAY, source="Example Wire", url="https://example.invalid/a",
                   gazetteer=gazetteer)


def test_story_incidents_places_dates_and_actors(story):
    got = [(i.event_type, i.place.id, i.date.iso(), set(i.actors)) for i in story.incidents]
    assert got == [
        ("armed_clash", "crossing.torkham", "2026-02-26",
         {"Afghan Taliban forces", "Pakistani military"}),
        ("border_closure", "crossing.torkham", "2026-02-27", set()),
    ]
    assert all(i.draft for i in story.incidents)


def test_story_claims_sides_figures_and_sources(story):
    clash = story.incidents[0]
    claims = {(c.side, c.claimant or c.organisation): c for c in clash.claims}
    mujahid = claims[("AF", "Zabihullah Mujahid")]
    assert mujahid.organisation == "Taliban spokesman"
    assert [(f.kind, f.low, f.text) for f in mujahid.figures] == [
        ("killed", 12, "12 Pakistani soldiers")]
    assert mujahid.source.quote.startswith("Taliban spokesman Zabihullah Mujahid said")
    assert mujahid.source.quote.endswith('"We responded," he said.')
    assert (mujahid.source.outlet, mujahid.source.url, mujahid.source.published) == (
        "Example Wire", "https://example.invalid/a", "2026-02-27")
    pakistan = claims[("PK", "Pakistan's military")]
    assert [(f.kind, f.low, f.high) for f in pakistan.figures] == [
        ("killed", 0, 0), ("posts_destroyed", None, None)]
    assert mujahid.status == "disputed"  # Pakistan's statement contradicts the 12 killed


def test_every_field_carries_its_evidence(story):
    text = story.document.text
    for incident in story.incidents:
        fields = {e.field for e in incident.evidence}
        assert {"event_type", "date", "place"} <= fields
        assert all(f"claims[{i}]" in fields for i in range(len(incident.claims)))
        for e in incident.evidence:
            if e.text:
                assert text[e.start:e.end] == e.text
                assert e.sentence is None or e.text in e.sentence


def test_draft_yaml_loads_validates_and_builds(story, tmp_path):
    yaml_text = story.to_yaml(name="story.txt")
    assert yaml_text.startswith("# Draft incidents")
    assert loads_incidents(yaml_text, name="draft.yaml") == story.incidents
    jsonschema = pytest.importorskip("jsonschema")
    raw = {"incidents": [i.to_dict() for i in story.incidents]}
    jsonschema.validate(json.loads(json.dumps(raw)), incident_schema())
    path = tmp_path / "draft.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    from border_map.pipeline import build

    result = build([path], tmp_path / "out")
    assert len(result.incidents) == 2 and not result.problems


def test_review_table(story):
    table = review_table(story)
    lines = table.splitlines()
    assert lines[0] == ("border-map extract: 2 draft incident(s), article date 2026-02-27, "
                        "source Example Wire")
    assert any("armed_clash" in line and "Torkham crossing (crossing, PK)" in line
               for line in lines)
    claim = next(line for line in lines if "Zabihullah Mujahid" in line)
    # "claimant (side): figure kind low–high"
    assert "(AF): “" in claim and "” killed 12" in claim, claim
    assert "places mentioned: Torkham (crossing, PK)" in table
    assert "'the crossing': the last crossing named before" in table


def test_article_date_from_metadata_or_an_error(gazetteer):
    md = "---\ndate: 2026-01-18\n---\nClashes in Kurram on Friday.\n"
    draft = extract(md, gazetteer=gazetteer, name="a.md")
    assert draft.article_date == dt.date(2026, 1, 18)
    assert draft.incidents[0].date.start == dt.date(2026, 1, 16)
    with pytest.raises(DataError, match="article's date is needed"):
        extract("Clashes in Kurram on Friday.", gazetteer=gazetteer)
    with pytest.raises(DataError, match="not YYYY-MM-DD"):
        extract("Clashes.", date="27/02/2026", gazetteer=gazetteer)
    assert extract("Clashes.", date="2026-02-27", gazetteer=gazetteer).article_date == FRIDAY


def test_no_event_no_incident(gazetteer):
    draft = extract("Analysts in Islamabad discussed trade policy.", date=FRIDAY,
                    gazetteer=gazetteer)
    assert draft.incidents == []
    assert loads_incidents(draft.to_yaml(), name="x.yaml") == []


def test_hypothetical_negated_and_habitual_events_are_left_out(gazetteer):
    draft = extract("Any escalation could lead to clashes in Kurram. No clashes were seen in "
                    "Bajaur on Monday. Skirmishes in Chitral have occurred over the years.",
                    date=FRIDAY, gazetteer=gazetteer)
    assert draft.incidents == []


# --------------------------------------------------------------------------- evaluation set


def test_evaluation_set_has_ten_texts_of_every_format():
    answers = load_answers(DATA)
    assert len(answers) >= 10
    assert {a.article.suffix for a in answers} == {".txt", ".md", ".html"}
    assert len({a.source for a in answers}) >= 10


def test_evaluation_figures_meet_the_targets(gazetteer):
    total, per_text = evaluate(DATA, gazetteer=gazetteer)
    assert total.place_precision >= 0.9, total.misses
    assert total.place_recall >= 0.9, total.misses
    assert total.claim_recall >= 0.8, total.misses
    assert total.event_recall >= 0.8, total.misses


def test_rules_tried_at_their_anchor_words_find_what_the_rules_find(gazetteer, monkeypatch):
    """Each rule is tried only where one of the words its matches begin with is (the
    anchors, see border_map.extract.anchors): checked against running the rule over the whole
    text, on the evaluation set and on variants of it (case, line breaks, paragraphs)."""
    import textwrap

    from border_map.extract import anchors

    monkeypatch.setattr(anchors, "CHECK_SCANS", True)  # AssertionError on a difference
    for answer in load_answers(DATA):
        raw = answer.article.read_text(encoding="utf-8")
        extract(raw, date=answer.date, gazetteer=gazetteer, name=answer.article.name)
        plain = read_document(raw, name=answer.article.name).text
        for variant in (plain.upper(), plain.lower(), plain.replace("\n", " "),
                        textwrap.fill(plain, 50, replace_whitespace=False),
                        plain.replace("'", "\u2019").replace(" - ", " \u2014 ")):
            extract(variant, date=answer.date, gazetteer=gazetteer, name="variant.txt")


def test_dateline_prefilter_never_drops_a_dateline():
    """Datelines are tried only at lines whose first run of name characters can end one
    (text._may_be_dateline): every line where DATELINE matches passes it, including the
    forms the rule allows (country, date, agency, slashes, bold, a dash on the next line),
    and ordinary sentences do not."""
    from border_map.extract.sentences import (
        _LINE_MAY_BE_DATELINE,
        DATELINE,
        _may_be_dateline,
    )

    datelines = [
        "PESHAWAR, Pakistan, March 4 (Frontier Wire) - Text", "QUETTA: Text",
        "QUETTA/ISLAMABAD/LANDIKOTAL: Text", "**KABUL** - Text", "Kabul, 15 October 2025 - x",
        "JALALABAD, Afghanistan — Text", "Gardez — Text", "KHOST (Radio) – Text",
        "WANA \n- Text", "Dera Ismail Khan - Text", "CHAMAN, Oct. 12 - Text",
        "MIRANSHAH\u00a0: Text", "O'NEILL'S POST: Text", "Spin Boldak\t– Text",
    ]
    for line in datelines:
        assert DATELINE.match(line), line  # (the examples are datelines)
        assert _may_be_dateline(line, 0), line
    prose = ["In a statement issued on Wednesday, the ISPR said 12 were killed.",
             "The crossing at Torkham stayed shut for a third day",
             "Residents of Dangam district in eastern Kunar say shells fell, and 3 died."]
    for line in prose:
        assert not DATELINE.match(line)
        assert not _may_be_dateline(line, 0), line
    # and on every line start of the evaluation texts, as found by the rule itself
    for answer in load_answers(DATA):
        text = read_document(answer.article.read_text(encoding="utf-8"),
                             name=answer.article.name).text
        for variant in (text, text.upper()):
            for m in DATELINE.finditer(variant):
                assert _may_be_dateline(variant, m.start()), variant[m.start():m.end()]
            # its one-pass form over the lines after the first agrees with it at every line
            lines = [i + 1 for i, ch in enumerate(variant) if ch == "\n"]
            assert [m.end() for m in _LINE_MAY_BE_DATELINE.finditer(variant)] == [
                s for s in lines if _may_be_dateline(variant, s)]


def test_sentences_holding_an_anchor_group():
    """Document.anchor_sentences: the sentences a token of the group begins in, none for a
    token outside every sentence."""
    from border_map.extract.figures import _QTY_AT

    doc = read_document("Two soldiers died. Nothing else.\n\nSome 40 fled.", name="a.txt")
    assert doc.anchor_sentences(_QTY_AT) == {0, 2}
    text = "Two died. Some 40 fled."
    doc = Document(text, sentences=split_sentences(text)[:1])  # "Some 40" in no sentence
    assert doc.anchor_sentences(_QTY_AT) == {0}


def test_a_lead_word_goes_to_the_groups_whose_followers_follow_it():
    """A word several groups want before different words ("a soldier" is a quantity, "a
    post" a statement, "a day earlier" a day before, "a few days ago" a date, "three" is a
    quantity alone): each group gets it only where one of its own followers comes next."""
    from border_map.extract.claims import _STATEMENT_AT
    from border_map.extract.dates import _ANCHORS
    from border_map.extract.figures import _QTY_AT

    text = "A soldier died. He wrote a post. It was a day earlier. Three days ago. A few days ago."
    doc = read_document(text, name="a.txt")
    a_post, a_day, three, a_few = (text.index(w) for w in ("a post", "a day", "Three", "A few"))
    assert doc.anchors(_QTY_AT) == [0, a_post, three, a_few, a_few + 2]  # and "few"
    assert doc.anchors(_STATEMENT_AT) == [a_post]
    assert doc.anchors(_ANCHORS["ago"]) == [a_day, three, a_few]
    assert doc.anchor_sentences(_STATEMENT_AT) == {1}


# --------------------------------------------------------------------------- the seed story


@pytest.fixture(scope="module")
def seed_draft(gazetteer) -> Draft:
    if not SEED_ARTICLE.exists():
        pytest.skip("the seed article (../shared/seed/article.txt) is not in this checkout")
    return extract(SEED_ARTICLE.read_text(encoding="utf-8"), date=FRIDAY, gazetteer=gazetteer,
                   name="article.txt")


def _seed_example() -> list[Incident]:
    return load_incidents(SEED_EXAMPLE)


def test_seed_draft_has_every_place_of_the_seed_example(seed_draft, gazetteer):
    drafted = {i.place.id for i in seed_draft.incidents if i.place}
    for incident in _seed_example():
        if incident.place is None:
            continue
        p = incident.place
        expected = gazetteer.resolve(p.name, country=p.country, kind=p.kind).place.id
        assert expected in drafted, p
    unlocated = [i for i in seed_draft.incidents if i.place is None]
    assert [(i.event_type, i.date.iso()) for i in unlocated] == [
        ("armed_clash", "2025-10-01/2025-10-31")]


def test_seed_draft_has_every_claim_of_the_seed_example(seed_draft):
    drafted = [c for i in seed_draft.incidents for c in i.claims]
    seen = set()
    for incident in _seed_example():
        for claim in incident.claims:
            key = (claim.side, claim.source.quote, tuple(f.text for f in claim.figures))
            if key in seen:
                continue
            seen.add(key)
            sentences = re.split(r"(?<=[.!?])[\"”]?\s+", claim.source.quote)
            matching = [c for c in drafted if c.side == claim.side and any(
                s[:60] in c.source.quote for s in sentences)]
            assert matching, claim
            words = " ".join(f.text for c in matching for f in c.figures).casefold()
            for figure in claim.figures:
                assert figure.text.casefold() in words, (claim.organisation, figure)
    assert len(seen) == 9


def test_seed_draft_builds_directly(seed_draft, tmp_path):
    path = tmp_path / "seed_draft.yaml"
    path.write_text(seed_draft.to_yaml(name="article.txt"), encoding="utf-8")
    from border_map.pipeline import build

    result = build([path], tmp_path / "out")
    assert len(result.incidents) == 12 and not result.problems
    assert "&claim-" in path.read_text(encoding="utf-8")  # shared claims written once


def test_seed_draft_dates_have_the_precision_they_really_have(seed_draft):
    by_place = {(i.event_type, i.place.id if i.place else None): i.date
                for i in seed_draft.incidents}
    nangarhar = by_place[("airstrike", "af.province.nangarhar")]
    assert (nangarhar.iso(), nangarhar.precision, nangarhar.text) == (
        "2026-02-16/2026-02-22", "week", "last week")
    assert by_place[("armed_clash", "pk.district.khyber")].iso() == "2026-02-26"
    closure = by_place[("border_closure", "crossing.torkham")]
    assert (closure.start, closure.end) == (dt.date(2025, 10, 1), FRIDAY)


# --------------------------------------------------------------------------- the schema fields


def test_draft_and_evidence_fields_load_and_round_trip():
    text = yaml.safe_dump({"incidents": [{
        "id": "a", "date": "2026-02-26", "event_type": "other", "place": "Kurram",
        "draft": True,
        "evidence": [{"field": "place", "text": "Kurram", "start": 3, "end": 9,
                      "sentence": "In Kurram.", "note": None}],
    }]})
    (incident,) = loads_incidents(text, name="a.yaml")
    assert incident.draft is True
    assert incident.evidence == (Evidence("place", "Kurram", 3, 9, "In Kurram."),)
    assert loads_incidents(json.dumps([incident.to_dict()]), name="a.json") == [incident]
    plain = loads_incidents("- {id: b, date: 2026-02-26, event_type: other, place: x}\n")[0]
    assert "draft" not in plain.to_dict() and "evidence" not in plain.to_dict()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"draft": "yes"}, "field 'draft': expected true or false"),
        ({"evidence": [{"field": "place", "start": 9, "end": 3}]}, "end 3 is before start 9"),
        ({"evidence": [{"field": "place", "start": -1, "end": 3}]}, "must not be negative"),
        ({"evidence": [{"start": 1, "end": 3}]}, "evidence[0].field"),
        ({"evidence": [{"field": "place", "start": 1, "end": 3, "span": 2}]}, "unknown field"),
    ],
)
def test_bad_draft_and_evidence_fields_are_reported(extra, message):
    base = {"id": "a", "date": "2026-02-26", "event_type": "other", "place": "x", **extra}
    with pytest.raises(DataError, match=message.replace("[", r"\[").replace("]", r"\]")):
        loads_incidents(yaml.safe_dump([base]), name="a.yaml")


def test_schema_knows_the_draft_fields():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(incident_schema())
    base = {"id": "a", "date": "2026-02-26", "event_type": "other", "place": "x"}
    assert validator.is_valid([{**base, "draft": True, "evidence": [
        {"field": "place", "text": "x", "start": 0, "end": 1}]}])
    assert not validator.is_valid([{**base, "draft": "yes"}])
    assert not validator.is_valid([{**base, "evidence": [{"field": "place", "start": 0}]}])


def test_read_document_detects_and_strips():
    doc = read_document((DATA / "09_monitor_dangam.md").read_text(encoding="utf-8"),
                        name="09_monitor_dangam.md")
    assert doc.format == "markdown"
    assert doc.sentences[0].text == "Shelling along the Kunar frontier"
    assert doc.sentences[0].heading


def test_yaml_through_libyaml_is_the_pure_python_text(gazetteer):
    """When the direct writer declines a draft, to_yaml writes through libyaml if PyYAML has
    it: byte for byte the pure-Python emitter's text (anchors renamed claim-N), or nothing
    when the renaming cannot be proven."""
    from border_map.extract import output

    if output._CDumper is None:
        pytest.skip("PyYAML without libyaml")
    shared = 0
    for path in sorted(DATA.glob("[0-9]*_*")):
        if path.suffix not in (".txt", ".md", ".html"):
            continue
        draft = extract(path.read_text(encoding="utf-8"), date=dt.date(2026, 2, 27),
                        gazetteer=gazetteer, name=path.name)
        cache: dict = {}  # (claims shared by incidents: one mapping, an anchor)
        doc = {"incidents": [output.incident_dict(i, cache) for i in draft.incidents]}
        uses = sum(1 for n in output._use_counts(doc).values() if n > 1)
        through_c = output._c_dump(doc, uses)
        assert through_c == yaml.dump(doc, Dumper=output._Dumper, **output._DUMP_OPTIONS)
        shared += through_c.count("&claim-")
        assert output._c_dump(doc, shared=-1) is None  # renaming not proven: no libyaml text
    assert shared > 0  # the texts share claims between incidents: anchors were renamed
