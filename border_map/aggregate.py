"""Aggregates of analysed incidents: counts and claimed figures by week, sector, band and side.

Pure functions over the analysed frame (:func:`border_map.pipeline.analyse_incidents`); no I/O.

Two rules keep the figures honest:

* a claim repeated identically on several incidents (one statement about strikes in two
  provinces) is one claim: within a group it is counted once, recognised by its JSON
  (:func:`claim_key`);
* figures are added up separately per claiming side and figure kind, and the low and high ends
  separately: the sides are never merged, nothing is averaged. A figure given only in words
  ("heavy casualties") is counted, not guessed at.

The columns are declared in :func:`border_map.properties.summary_fields`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._json import compact
from .incidents import FIGURE_KINDS, SIDES
from .properties import SUMMARY_KEYS, figure_column, summary_fields

#: The default grouping: ISO week of ``date_start``, sector, band, side of the line, located.
SUMMARY_BY: tuple[str, ...] = tuple(f.name for f in SUMMARY_KEYS)


def claim_key(claim: dict) -> str:
    """A short stable hash of a claim's JSON: equal claims, equal keys."""
    try:
        text = compact(claim, sort_keys=True)
    except TypeError:  # (a value orjson does not take as is: the standard library's text)
        text = json.dumps(claim, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                          default=str)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def iso_week(dates) -> pd.Series:
    """ISO 8601 week (``2026-W09``) of each date (ISO strings or dates); None stays None."""
    ts = pd.to_datetime(pd.Series(dates), errors="coerce")
    cal = ts.dt.isocalendar()
    out = cal["year"].astype("string") + "-W" + cal["week"].astype("string").str.zfill(2)
    return out.astype(object).where(ts.notna(), None)


def group_keys(incidents: pd.DataFrame) -> pd.DataFrame:
    """The grouping columns of :data:`SUMMARY_BY` for each incident (same index)."""
    if "located" in incidents:
        located = incidents["located"]
    elif "geometry" in incidents:
        geom = incidents["geometry"]
        located = ~(geom.isna() | geom.is_empty) if hasattr(geom, "is_empty") else geom.notna()
    else:
        located = pd.Series(True, index=incidents.index)
    band = pd.to_numeric(incidents["band_km"], errors="coerce").astype(float)
    return pd.DataFrame({
        "week": iso_week(incidents["date_start"]).to_numpy(dtype=object),
        "sector": incidents["sector"].astype(object).where(incidents["sector"].notna(), None),
        "band_km": band,
        "side": incidents["side"].astype(object).where(incidents["side"].notna(), None),
        "located": np.asarray(located, dtype=bool),
    }, index=incidents.index)


def claim_rows(incidents: pd.DataFrame) -> pd.DataFrame:
    """One row per claim per incident: ``incident_id``, ``claim_index``, ``claim_key``, ``side``
    and the claim itself (``claim``), indexed by the incident's index label."""
    labels, inc_ids, positions, keys, sides, objs = [], [], [], [], [], []
    memo: dict[int, tuple] = {}
    for label, inc_id, claims in zip(incidents.index.tolist(), incidents["id"].tolist(),
                                     incidents["claims"].tolist(), strict=True):
        if not isinstance(claims, list | tuple):
            continue
        for i, claim in enumerate(claims):
            labels.append(label)
            inc_ids.append(inc_id)
            positions.append(i)
            hit = memo.get(id(claim))
            if hit is None or hit[1] is not claim:  # the same (shared) dict: one hash
                hit = memo[id(claim)] = (claim_key(claim), claim)
            keys.append(hit[0])
            sides.append(claim.get("side"))
            objs.append(claim)
    return pd.DataFrame({"incident_id": pd.Series(inc_ids, dtype=object),
                         "claim_index": pd.Series(positions, dtype="int64"),
                         "claim_key": pd.Series(keys, dtype=object),
                         "side": pd.Series(sides, dtype=object),
                         "claim": pd.Series(objs, dtype=object)}).set_axis(
        pd.Index(labels, dtype=incidents.index.dtype))


def _figure_rows(claims: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """One row per figure of each distinct claim in each group (``figure`` numbers them
    within their claim, so the same claim met in two chunks gives the same rows)."""
    columns = [claims[k].tolist() for k in [*by, "claim_key"]]
    out: dict[str, list] = {k: [] for k in [*by, "claim_key", "figure", "claim_side", "kind",
                                            "low", "high"]}
    for row, (side, claim) in enumerate(zip(claims["claim_side"].tolist(),
                                            claims["claim"].tolist(), strict=True)):
        for n, fig in enumerate(claim.get("figures") or ()):
            for k, col in zip([*by, "claim_key"], columns, strict=True):
                out[k].append(col[row])
            out["figure"].append(n)
            out["claim_side"].append(side)
            out["kind"].append(fig.get("kind"))
            out["low"].append(fig.get("low"))
            out["high"].append(fig.get("high"))
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in out.items()})


def partial(incidents: pd.DataFrame, by: Sequence[str] = SUMMARY_BY) -> tuple:
    """What :func:`combine` needs of one chunk of the analysed frame, and nothing more: the
    incident counts per group, and each group's distinct claims (key and side) and their
    figures. A claim met again in a later chunk is recognised by its key there."""
    by = list(by)
    unknown = [k for k in by if k not in SUMMARY_BY]
    if unknown:
        raise ValueError(f"cannot group by {unknown}; choose from {list(SUMMARY_BY)}")
    keys = group_keys(incidents)[by]
    frame = keys.copy()
    frame["_conflicting"] = incidents["conflicting_claims"].fillna(False).astype(bool).to_numpy()
    grouped = frame.groupby(by, dropna=False, sort=False)
    counts = grouped.size().rename("incidents").to_frame()
    counts["conflicting_incidents"] = grouped["_conflicting"].sum()
    claims = claim_rows(incidents).rename(columns={"side": "claim_side"}).join(keys, how="left")
    distinct = claims.drop_duplicates(by + ["claim_key"])
    figures = _figure_rows(distinct, by)
    return (counts.reset_index(), distinct[[*by, "claim_key", "claim_side"]].reset_index(
        drop=True), figures)


def combine(parts: Sequence[tuple], by: Sequence[str] = SUMMARY_BY) -> pd.DataFrame:
    """The summary (see :func:`summarise`) from the :func:`partial` s of every chunk."""
    acc = Summary(by)
    for part in parts:
        acc.add_partial(part)
    return acc.result()


class Summary:
    """The summary folded chunk by chunk (:meth:`add`), in memory that grows with the number
    of groups, not of incidents: counts and figure sums are added up per group as they come,
    and a claim already counted in its group is recognised by about 16 bytes
    (:class:`~border_map.keyset.KeySet` of group and claim key), so the figures of a claim
    repeated on incidents of two chunks are still counted once per group."""

    #: partial sums kept before they are folded into one
    FOLD = 32

    def __init__(self, by: Sequence[str] = SUMMARY_BY):
        from .keyset import KeySet

        self.by = list(by)
        unknown = [k for k in self.by if k not in SUMMARY_BY]
        if unknown:
            raise ValueError(f"cannot group by {unknown}; choose from {list(SUMMARY_BY)}")
        self._seen = KeySet()
        self._counts: list[pd.DataFrame] = []
        self._claims: list[pd.DataFrame] = []
        self._figures: list[pd.DataFrame] = []

    def add(self, incidents: pd.DataFrame) -> None:
        self.add_partial(partial(incidents, self.by))

    def _group_claim_keys(self, frame: pd.DataFrame) -> list[str]:
        cols = [frame[k].tolist() for k in [*self.by, "claim_key"]]
        return ["\x1e".join(map(str, row)) for row in zip(*cols, strict=True)]

    def add_partial(self, part: tuple) -> None:
        by = self.by
        counts, distinct, figures = part
        self._counts.append(counts)
        new, _ = self._seen.add(self._group_claim_keys(distinct))
        fresh = distinct.loc[new]
        self._claims.append(fresh.groupby(by + ["claim_side"], dropna=False).size()
                            .rename("claims").reset_index())
        if len(figures):
            fresh_keys = set(np.asarray(self._group_claim_keys(distinct), dtype=object)[new])
            figures = figures.loc[[k in fresh_keys for k in self._group_claim_keys(figures)]]
        low = pd.to_numeric(figures["low"], errors="coerce")
        high = pd.to_numeric(figures["high"], errors="coerce")
        numeric = low.notna() | high.notna()
        figures = figures.assign(
            _low=low.fillna(0).where(numeric),          # "up to 10": the low end is 0
            _high=high.where(numeric),
            _open=(numeric & high.isna()).astype(int),  # "at least 70": no high end
            _numeric=numeric.astype(int),
            _words=(~numeric).astype(int))
        self._figures.append(figures.groupby(by + ["claim_side", "kind"], dropna=False).agg(
            low=("_low", "sum"), high=("_high", "sum"), open=("_open", "sum"),
            numeric=("_numeric", "sum"), words=("_words", "sum")).reset_index())
        if len(self._counts) >= self.FOLD:
            self._fold()

    @staticmethod
    def _sum(frames: list[pd.DataFrame], keys: list[str]) -> pd.DataFrame:
        frames = [f for f in frames if len(f)] or frames[:1]
        both = pd.concat(frames, ignore_index=True)
        return both.groupby(keys, dropna=False, sort=False).sum().reset_index()

    def _fold(self) -> None:
        by = self.by
        self._counts = [self._sum(self._counts, by)]
        self._claims = [self._sum(self._claims, by + ["claim_side"])]
        self._figures = [self._sum(self._figures, by + ["claim_side", "kind"])]

    def result(self) -> pd.DataFrame:
        by = self.by
        if not self._counts:
            self.add(pd.DataFrame({c: pd.Series([], dtype=object) for c in (
                "id", "date_start", "sector", "band_km", "side", "conflicting_claims",
                "claims", "located")}))
        self._fold()
        out = self._counts[0].set_index(by)[["incidents", "conflicting_incidents"]]
        claims = self._claims[0].set_index(by + ["claim_side"])["claims"]
        out["claims"] = claims.groupby(by, dropna=False).sum()
        for side in SIDES:
            out[f"claims_by_{side}"] = _level(claims, "claim_side", side)
        agg = self._figures[0].set_index(by + ["claim_side", "kind"])
        agg.loc[agg["numeric"] == 0, ["low", "high"]] = np.nan
        agg.loc[agg["open"] > 0, "high"] = np.nan
        for kind in FIGURE_KINDS:
            for side in SIDES:
                part = _level(agg, ["claim_side", "kind"], (side, kind))
                out[figure_column(kind, side, "low")] = part["low"]
                out[figure_column(kind, side, "high")] = part["high"]
                out[figure_column(kind, side, "text_only")] = part["words"]

        columns = [f for f in summary_fields() if f.name not in SUMMARY_BY or f.name in by]
        out = out.reset_index()
        for f in columns:
            if f.type == "integer":
                values = out[f.name].astype("Float64")
                if not f.nullable:
                    values = values.fillna(0)
                out[f.name] = values.round().astype("Int64")
        return _sort(out[[f.name for f in columns]], by)


def summarise(incidents: pd.DataFrame, by: Sequence[str] = SUMMARY_BY) -> pd.DataFrame:
    """Counts and claimed figures per group of incidents, one row per group that occurs.

    ``incidents`` is the analysed frame (columns ``id``, ``date_start``, ``sector``,
    ``band_km``, ``side``, ``conflicting_claims``, ``claims`` and a geometry). ``by`` is any
    subset of :data:`SUMMARY_BY`, in the order wanted. Returns the columns of
    :func:`border_map.properties.summary_fields` that apply (the keys in ``by``, then counts,
    then ``{kind}_claimed_by_{side}_{low|high|text_only}``), sorted by the keys; integer
    columns are nullable ``Int64``. The same as :func:`combine` of the :func:`partial` s of
    any cut of the frame into chunks.
    """
    return combine([partial(incidents, by)], by)


def _level(frame, level, key):
    """The rows of ``frame`` whose ``level`` equals ``key``, without that level (empty if none)."""
    try:
        return frame.xs(key, level=level, drop_level=True)
    except KeyError:
        return frame.iloc[0:0].droplevel(level)


def _sort(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sort by the keys, missing values last, and number the rows from 0."""
    return frame.sort_values(by, na_position="last", kind="stable").reset_index(drop=True)


def to_csv(summary: pd.DataFrame, bom: bool = False, raw: bool = False) -> str:
    """The summary as CSV text: header row, ``true``/``false``, empty cells for null.

    Text cells a spreadsheet would run as formulas get a leading ``'`` unless ``raw``
    (:mod:`border_map.csvsafe`); ``bom``: start with a UTF-8 byte order mark, for
    spreadsheets (GDAL and QGIS skip it).
    """
    from .csvsafe import safe_frame
    from .render.formats import BOM

    frame = summary.copy() if raw else safe_frame(summary)
    for name in frame.columns:
        if frame[name].dtype == bool:
            frame[name] = np.where(frame[name], "true", "false")
    text = frame.to_csv(index=False, lineterminator="\n", float_format="%.15g")
    return BOM + text if bom else text
