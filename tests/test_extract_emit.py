"""border_map.extract.emit: the draft YAML written directly, held to PyYAML's own text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from border_map.extract import emit, extract, output
from border_map.incidents import loads_incidents

DATA = Path(__file__).parent / "data" / "extract"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "article.txt"


def pyyaml_text(doc: dict) -> str:
    """What PyYAML's pure-Python emitter writes for a draft document."""
    return yaml.dump(doc, Dumper=output._Dumper, **output._DUMP_OPTIONS)


def direct_text(doc: dict) -> str | None:
    return emit.dump(doc, output._is_claim)


def _texts():
    paths = [p for p in sorted(DATA.glob("[0-9]*_*")) if p.suffix in (".txt", ".md", ".html")]
    if SEED.exists():
        paths.append(SEED)
    return paths


@pytest.mark.parametrize("path", _texts(), ids=lambda p: p.name)
def test_every_evaluation_draft_is_pyyamls_text(path, gazetteer):
    draft = extract(path.read_text(encoding="utf-8"), date=dt.date(2026, 2, 27),
                    gazetteer=gazetteer, name=path.name)
    cache: dict = {}  # (as to_yaml: a claim of several incidents is one mapping, an anchor)
    doc = {"incidents": [output.incident_dict(i, cache) for i in draft.incidents]}
    text = direct_text(doc)
    assert text is not None, "the direct writer declined a draft of the evaluation set"
    assert text == pyyaml_text(doc)
    # and to_yaml uses it: the file reads back as the same incidents
    assert loads_incidents(draft.to_yaml(name=path.name), name="x.yaml") == [
        i for i in loads_incidents(pyyaml_text(doc), name="x.yaml")]


def test_the_evaluation_drafts_share_claims(gazetteer):
    """(So that the test above writes anchors and aliases.)"""
    anchors = 0
    for path in _texts():
        draft = extract(path.read_text(encoding="utf-8"), date=dt.date(2026, 2, 27),
                        gazetteer=gazetteer, name=path.name)
        anchors += draft.to_yaml().count("&claim-")
    assert anchors >= 5


def test_a_long_draft_with_shared_claims(gazetteer):
    """Many incidents, claims shared between them (anchors numbered as PyYAML numbers them:
    in the order each is met a second time), long sentences folded at the width."""
    corpus = "\n".join(p.read_text(encoding="utf-8") for p in _texts() if p.suffix == ".txt")
    draft = extract(corpus * 3, date=dt.date(2026, 2, 27), gazetteer=gazetteer, name="x.txt")
    doc = {"incidents": [output.incident_dict(i, {}) for i in draft.incidents]}
    text = direct_text(doc)
    assert text is not None and text.count("&claim-") >= 2 and text.count("*claim-") >= 2
    assert text == pyyaml_text(doc)


# ------------------------------------------------------------------ generated documents

#: Characters that change how PyYAML writes a scalar: indicators, quotes, spaces, digits,
#: letters of the resolvers (true/no/null/~, 1e3, 0x1F, 2026-01-01, 1:20, .inf, <<, =),
#: and some beyond ASCII (curly quotes, an accent, a no-break space, Pashto).
_ALPHABET = list("ab yYnNoOtTfF~01259eE.x:-+_,?[]{}#&*!|>'\"%@`<=/\\()") + [
    "\u201c", "\u201d", "\u2019", "\u00e9", "\u00a0", "\u067e", "\u0634", "\U0001f600"]
_WORDS = st.sampled_from(["true", "no", "NO", "null", "~", "", "1e3", "0x1F", "034", "1:20",
                          "2026-02-27", ".inf", "<<", "=", "-", "- x", "? x", ": x", "a: b",
                          "a #b", "#x", "'q'", "\"q\"", "---", "...", "x:", "15", "-3"])
_SCALAR_TEXT = st.one_of(
    st.text(alphabet=_ALPHABET, max_size=12),
    _WORDS,
    # long texts of short words: folded lines, runs of spaces, quotes near the width
    st.lists(st.one_of(st.text(alphabet=_ALPHABET, min_size=1, max_size=9), _WORDS),
             min_size=5, max_size=60).map(" ".join),
)
_SCALAR = st.one_of(_SCALAR_TEXT, st.integers(-10**6, 10**6), st.booleans())
_KEY = st.sampled_from(["id", "text", "sentence", "note", "start", "end", "field", "kind",
                        "value", "quote", "x_1"])


def _flow():
    return st.dictionaries(_KEY, _SCALAR, max_size=6).map(output._Flow)


def _claim():
    return st.fixed_dictionaries(
        {"side": st.sampled_from(["AF", "PK", "unknown"])},
        optional={"organisation": _SCALAR_TEXT, "statement": _SCALAR_TEXT,
                  "figures": st.lists(_flow(), max_size=3),
                  "source": st.dictionaries(_KEY, _SCALAR, max_size=3),
                  "status": _SCALAR_TEXT})


@st.composite
def _documents(draw):
    claims = draw(st.lists(_claim(), min_size=1, max_size=4))
    incidents = []
    for _ in range(draw(st.integers(0, 4))):
        incident = {"id": draw(_SCALAR_TEXT), "draft": True, "date": draw(_flow()),
                    "actors": draw(st.lists(_SCALAR_TEXT, max_size=3)),
                    "description": draw(_SCALAR_TEXT)}
        # the same claim objects in several incidents: anchors and aliases
        incident["claims"] = draw(st.lists(st.sampled_from(claims), max_size=3, unique_by=id))
        incident["evidence"] = draw(st.lists(_flow(), max_size=4))
        incidents.append(incident)
    return {"incidents": incidents}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents())
def test_generated_documents_are_pyyamls_text_or_declined(doc):
    text = direct_text(doc)
    if text is not None:
        assert text == pyyaml_text(doc)


def test_generated_documents_are_mostly_written_directly():
    """The test above must exercise the direct writer, not only its refusals."""
    written = declined = 0

    @settings(max_examples=200, deadline=None, database=None)
    @given(_documents())
    def count(doc):
        nonlocal written, declined
        if direct_text(doc) is None:
            declined += 1
        else:
            written += 1

    count()
    assert written > 3 * declined


@pytest.mark.parametrize("value", ["line\nbreak", "tab\there", "bell\x07", "\ufeffbom",
                                   "sep\u2028", 1.5, dt.date(2026, 1, 1), ("a",)])
def test_declines_what_pyyaml_writes_otherwise(value):
    """Multi-line and double-quoted strings, floats, dates, tuples: PyYAML's business."""
    assert direct_text({"incidents": [{"id": "x", "text": value}]}) is None
    assert direct_text({"incidents": [output._Flow({"text": value})]}) is None


def test_declines_keys_that_are_not_plain_words():
    assert direct_text({"a key": 1}) is None
    assert direct_text({"yes": 1}) is None  # (a boolean, read back)
    assert direct_text({"ok": 1}) == pyyaml_text({"ok": 1})


def test_to_yaml_falls_back_to_pyyaml_when_declined(gazetteer, monkeypatch):
    path = DATA / "01_wire_torkham.txt"
    draft = extract(path.read_text(encoding="utf-8"), date=dt.date(2026, 3, 1),
                    gazetteer=gazetteer, name=path.name)
    direct = draft.to_yaml(name=path.name)
    monkeypatch.setattr(emit, "dump", lambda doc, shared: None)
    assert draft.to_yaml(name=path.name) == direct


@pytest.mark.parametrize("value", [
    " begins with a space" + " and goes on" * 12,  # never broken at its first character
    "ends with a space " * 8,  # nor at its last
    "two  spaces" * 14,  # nor in a run of spaces
    "it's" + " a quote's" * 14,  # quotes doubled before the line is measured
    "a " + "b" * 120 + " ",  # its last space is past the width
    " " + "c" * 20 + " d",  # its first space is past the width (where it begins late)
])
@pytest.mark.parametrize("before", [0, 60, *range(84, 102), 130])
def test_folding_at_the_edges_of_quoted_and_plain_scalars(value, before):
    """A scalar that starts past the width, or whose first or last character is a space
    right where a line would break: the same lines as PyYAML."""
    for flow in (output._Flow, dict):
        doc = {"incidents": [flow({"id": "x" * before, "text": value,
                                   "note": value.strip(), "sentence": "y " * before})]}
        text = direct_text(doc)
        assert text is not None
        assert text == pyyaml_text(doc)
