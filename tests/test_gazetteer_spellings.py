"""Real spellings from border reporting (issue 17): the dev table resolves >= 95 % right
and never confidently wrong; the held-out table (other outlets) is only measured, by
benchmarks/bench_gazetteer.py, never tuned on.

Each row of tests/data/gazetteer/spellings*.csv: a spelling as a published report writes
it, the acceptable place ids (a name and the places nested in it; empty when the place is
not in the gazetteer, and the right answer is then an error), the country, an optional
admin hint the report gives, the outlet and the URL.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from border_map.errors import PlaceError
from border_map.gazetteer import Gazetteer

DATA = Path(__file__).resolve().parent / "data" / "gazetteer"
DEV = DATA / "spellings.csv"
HELD_OUT = DATA / "spellings_heldout.csv"
GAZETTEER_CSV = Path(__file__).resolve().parents[1] / "geodata" / "gazetteer.csv"


def rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def gaz():
    return Gazetteer.from_csv(GAZETTEER_CSV)


@pytest.mark.parametrize("path", [DEV, HELD_OUT])
def test_every_row_has_a_source_and_known_ids(gaz, path):
    table = rows(path)
    assert len(table) >= (150 if path == DEV else 100)
    for number, row in enumerate(table, start=2):
        assert row["spelling"].strip() and row["outlet"].strip(), number
        assert row["url"].startswith(("http://", "https://")), number
        assert row["country"] in ("AF", "PK"), number
        for pid in filter(None, row["expected"].split("|")):
            assert pid in gaz, f"{path.name} row {number}: {pid}"


def test_dev_and_held_out_come_from_different_outlets():
    dev = {r["outlet"] for r in rows(DEV)}
    held = {r["outlet"] for r in rows(HELD_OUT)}
    assert not dev & held


def test_dev_spellings_resolve_right_and_never_confidently_wrong(gaz):
    right, wrong, missed = 0, [], []
    table = rows(DEV)
    for row in table:
        expected = set(filter(None, row["expected"].split("|")))
        try:
            got = gaz.resolve(row["spelling"], admin=row["admin_hint"] or None).place.id
        except PlaceError:
            got = None
        if got is None:
            (missed.append(row["spelling"]) if expected else None)
            right += not expected
        elif got in expected:
            right += 1
        else:
            wrong.append(f"{row['spelling']} -> {got}")
    assert wrong == []
    assert right / len(table) >= 0.95, missed
