"""Aggregates by week, sector, band and side: shared claims counted once, sides never merged."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from border_map import aggregate
from border_map.properties import figure_column, summary_fields


def claim(side="PK", kind="killed", low=None, high=None, text=None, who="ISPR"):
    return {"claimant": None, "organisation": who, "side": side, "date": None, "statement": None,
            "figures": [{"kind": kind, "low": low, "high": high, "text": text, "subject": None}],
            "source": None, "status": "unverified"}


def frame(rows):
    """An analysed-like frame: (id, date_start, sector, band_km, side, claims[, located])."""
    recs = []
    for r in rows:
        inc_id, date, sector, band, side, claims, *rest = r
        located = rest[0] if rest else True
        recs.append({"id": inc_id, "date_start": date, "sector": sector, "band_km": band,
                     "side": side, "conflicting_claims": False, "claims": claims,
                     "geometry": Point(70, 34) if located else None})
    return pd.DataFrame(recs)


def one(summary, **keys):
    sel = summary
    for k, v in keys.items():
        sel = sel[sel[k].isna()] if v is None else sel[sel[k] == v]
    assert len(sel) == 1, sel
    return sel.iloc[0]


def test_a_claim_on_several_incidents_counts_once_per_group():
    shared = claim(low=70, text="at least 70 fighters")
    df = frame([
        ("a", "2026-02-21", "Kurram – Nangarhar", 50.0, "AF", [shared, claim("AF", "casualties",
                                                                              text="civilians")]),
        ("b", "2026-02-22", "Kurram – Nangarhar", 50.0, "AF", [dict(shared)]),
    ])
    s = aggregate.summarise(df)
    row = one(s, week="2026-W08")
    assert row["incidents"] == 2 and row["claims"] == 2
    assert row["claims_by_PK"] == 1 and row["claims_by_AF"] == 1
    assert row[figure_column("killed", "PK", "low")] == 70       # not 140
    assert pd.isna(row[figure_column("killed", "PK", "high")])   # "at least": no upper end
    assert row[figure_column("casualties", "AF", "text_only")] == 1
    # in different groups, the same claim counts in each
    s = aggregate.summarise(df.assign(band_km=[50.0, 25.0]))
    assert list(s[figure_column("killed", "PK", "low")]) == [70, 70]


def test_sides_and_kinds_are_never_merged_nor_averaged():
    df = frame([
        ("a", "2026-02-26", "S", 10.0, "PK", [claim("PK", low=3, high=5),
                                              claim("AF", low=40, high=40, who="Mujahid"),
                                              claim("third_party", low=10, high=20, who="UN")]),
        ("b", "2026-02-27", "S", 10.0, "PK", [claim("PK", low=2, high=2, who="Army"),
                                              claim("PK", "wounded", low=7, high=9)]),
    ])
    row = one(aggregate.summarise(df, by=["week"]), week="2026-W09")
    assert row[figure_column("killed", "PK", "low")] == 5
    assert row[figure_column("killed", "PK", "high")] == 7
    assert row[figure_column("killed", "AF", "low")] == 40
    assert row[figure_column("killed", "AF", "high")] == 40
    assert row[figure_column("killed", "third_party", "low")] == 10
    assert row[figure_column("killed", "third_party", "high")] == 20
    assert row[figure_column("wounded", "PK", "low")] == 7
    assert row[figure_column("wounded", "PK", "high")] == 9
    assert pd.isna(row[figure_column("wounded", "AF", "low")])   # nothing claimed: null
    assert row[figure_column("wounded", "AF", "text_only")] == 0


def test_figure_ends():
    df = frame([("a", "2026-02-26", "S", 5.0, "PK", [
        claim(high=10),                       # "up to 10": low end 0
        claim(text="heavy losses", who="X"),  # words only
    ])])
    row = aggregate.summarise(df).iloc[0]
    assert row[figure_column("killed", "PK", "low")] == 0
    assert row[figure_column("killed", "PK", "high")] == 10
    assert row[figure_column("killed", "PK", "text_only")] == 1


def test_groups_keys_and_columns():
    df = frame([
        ("a", "2025-10-11", None, None, None, [], False),
        ("b", "2025-10-12", "Khyber – Nangarhar", 5.0, None, []),
        ("c", "2026-02-26", "Bajaur – Kunar", 25.0, "PK", []),
    ])
    s = aggregate.summarise(df)
    assert list(s.columns) == [f.name for f in summary_fields()]
    assert list(s["week"]) == ["2025-W41", "2025-W41", "2026-W09"]
    assert list(s["located"]) == [True, False, True]  # sorted by sector: missing last
    assert s["incidents"].sum() == 3 and (s["claims"] == 0).all()
    by_side = aggregate.summarise(df, by=("side",))
    assert list(by_side.columns[:2]) == ["side", "incidents"]
    assert list(by_side["incidents"]) == [1, 2]  # PK, then no side
    with pytest.raises(ValueError, match="cannot group by"):
        aggregate.summarise(df, by=["country"])


@pytest.mark.parametrize(("date", "week"), [
    ("2026-01-01", "2026-W01"), ("2024-12-30", "2025-W01"), ("2021-01-03", "2020-W53"),
    ("2026-02-26", "2026-W09"), (None, None)])
def test_iso_week(date, week):
    assert aggregate.iso_week([date]).iloc[0] == week


def test_claim_key_is_the_claims_json():
    a, b = claim(low=1), claim(low=1)
    assert aggregate.claim_key(a) == aggregate.claim_key(b)
    assert aggregate.claim_key(a) != aggregate.claim_key(claim(low=2))
    reordered = json.loads(json.dumps(a, sort_keys=True))
    assert aggregate.claim_key(reordered) == aggregate.claim_key(a)


def test_csv_text():
    df = frame([("a", "2026-02-26", "Bajaur – Kunar", 25.0, "PK", [claim(low=3)])])
    text = aggregate.to_csv(aggregate.summarise(df))
    header, row = text.splitlines()
    assert header.split(",") == [f.name for f in summary_fields()]
    cells = dict(zip(header.split(","), row.split(","), strict=True))
    assert cells["located"] == "true" and cells["band_km"] == "25"
    assert cells[figure_column("killed", "PK", "low")] == "3"
    assert cells[figure_column("killed", "PK", "high")] == ""   # null: an empty cell
    assert cells[figure_column("wounded", "AF", "text_only")] == "0"


def test_seed_story(seed_build):
    """The Pakistani military's 70 is one claim about both airstrikes: counted once."""
    weekly = aggregate.summarise(seed_build.incidents, by=["week"])
    w08 = one(weekly, week="2026-W08")
    assert w08["incidents"] == 2 and w08["claims"] == 2
    assert w08[figure_column("killed", "PK", "low")] == 70
    assert pd.isna(w08[figure_column("killed", "PK", "high")])
    assert w08[figure_column("casualties", "AF", "text_only")] == 1
    w09 = one(weekly, week="2026-W09")
    # the Ministry of Information's statement on five sectors: one claim, one text-only figure
    assert w09[figure_column("casualties", "PK", "text_only")] == 1
    assert w09[figure_column("posts_captured", "AF", "low")] == 15


POOL = [claim(s, k, low=lo, high=hi, text=t)
        for s, k, lo, hi, t in [("PK", "killed", 3, 5, None), ("AF", "killed", 10, None, None),
                                ("AF", "wounded", None, None, "many"),
                                ("third_party", "killed", 0, 0, "none"),
                                ("PK", "captured", None, 4, None)]]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["2026-02-20", "2026-02-26", "2026-03-05"]),
                          st.sampled_from(["PK", "AF", None]),
                          st.lists(st.integers(0, len(POOL) - 1), max_size=4, unique=True)),
                min_size=1, max_size=12))
def test_counts_add_up(rows):
    df = frame([(f"i{i}", d, "S", 10.0, side, [POOL[j] for j in claims])
                for i, (d, side, claims) in enumerate(rows)])
    s = aggregate.summarise(df)
    assert s["incidents"].sum() == len(rows)
    weeks = list(aggregate.iso_week(df["date_start"]))
    for _, row in s.iterrows():
        members = [claims for (_, side, claims), week in zip(rows, weeks, strict=True)
                   if week == row["week"] and side == (None if pd.isna(row["side"]) else
                                                       row["side"])]
        distinct = {j for claims in members for j in claims}
        assert row["claims"] == len(distinct)
        assert row["claims"] == sum(row[f"claims_by_{s}"] for s in ("AF", "PK", "third_party"))
        got = row[figure_column("killed", "PK", "low")]  # only POOL[0] has PK killed figures
        assert got == 3 if 0 in distinct else pd.isna(got)
