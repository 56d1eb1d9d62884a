"""border_map._records: records made and pickled through their slots, the same values."""

from __future__ import annotations

import datetime as dt
import pickle
from dataclasses import FrozenInstanceError, dataclass, fields
from pathlib import Path

import pytest

from border_map._records import compact_pickle, positional_maker
from border_map.errors import DataError
from border_map.extract import extract
from border_map.incidents import Claim, DateSpan, Evidence, Figure, Incident, PlaceRef, Source

DATA = Path(__file__).parent / "data" / "extract"


@compact_pickle
@dataclass(frozen=True, slots=True)
class Point:
    x: int
    y: int = 0


@compact_pickle
@dataclass(frozen=True, slots=True)
class One:
    only: str


def test_positional_maker_is_the_constructor():
    make = positional_maker(Point)
    assert make(1, 2) == Point(1, 2)
    with pytest.raises(FrozenInstanceError):
        make(1, 2).x = 3


def test_positional_maker_validates_as_the_constructor_does():
    make = positional_maker(Evidence)
    assert make("place", "Kurram", 3, 9, None, None) == Evidence("place", "Kurram", 3, 9)
    for bad in [("place", "x", 9, 3), (" ", "x", 0, 1), ("place", "x", -1, 1),
                ("place", "x", True, 1), ("place", "x", 0, 1.0)]:
        with pytest.raises(DataError) as made:
            make(*bad, None, None)
        with pytest.raises(DataError) as constructed:
            Evidence(*bad)
        assert str(made.value) == str(constructed.value)


def test_positional_maker_refuses_what_it_cannot_make():

    @dataclass
    class NoSlots:
        a: int

    with pytest.raises(TypeError, match="slotted"):
        positional_maker(NoSlots)


@pytest.mark.parametrize("value", [Point(1, 2), One("x"), Point(-1)])
def test_compact_pickle_round_trip(value):
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(value, protocol=protocol))
        assert back == value and type(back) is type(value)
        assert [getattr(back, f.name) for f in fields(back)] == \
            [getattr(value, f.name) for f in fields(value)]


def test_the_data_model_round_trips():
    day = dt.date(2026, 2, 27)
    claim = Claim("Zabihullah Mujahid", "Taliban", "AF", day, "“heavy clashes”",
                  (Figure("killed", 58, 58, "58 soldiers", "Pakistani soldiers"),),
                  Source("Wire", "https://example.org", "quote", "2026-02-27"), "disputed")
    incident = Incident("x", DateSpan(day, day, "day", "Thursday"), "armed_clash",
                        ("Afghan Taliban forces",), PlaceRef("Kurram", "PK", "district"),
                        claims=(claim,), draft=True,
                        evidence=(Evidence("place", "Kurram", 10, 16, "In Kurram.", None),))
    back = pickle.loads(pickle.dumps([incident, incident]))
    assert back == [incident, incident]
    assert back[0] is back[1]  # (shared objects stay shared)


def test_a_draft_round_trips(gazetteer):
    """Drafts travel back from extract_many's workers: every mention, the document's text
    and sentences, and a document that still answers the extraction's questions."""
    path = DATA / "04_ledger_chaman.html"
    draft = extract(path.read_text(encoding="utf-8"), date=dt.date(2026, 3, 8),
                    gazetteer=gazetteer, name=path.name)
    back = pickle.loads(pickle.dumps(draft))
    for name in ("incidents", "places", "dates", "events", "claims", "entities"):
        assert getattr(back, name) == getattr(draft, name), name
    doc, was = back.document, draft.document
    assert (doc.text, doc.format, doc.meta, doc.sentences) == \
        (was.text, was.format, was.meta, was.sentences)
    assert doc.folded == was.folded
    assert doc.anchors("events.same_time") == was.anchors("events.same_time")
    assert len(pickle.dumps(draft.document)) < 2 * len(doc.text.encode()) + 1000  # no caches
