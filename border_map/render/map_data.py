"""The map's data block: the incidents as one compact columnar JSON object (a string table,
one array per column), decoded and turned into markers and popups in the browser."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from shapely.geometry import mapping

from ..border import DEFAULT_BANDS_KM, DurandLine
from .map_geometry import province_polygon
from .popup import (
    as_number,
    as_text,
    claimant_text,
    cross_kind_line,
    figure_rest,
    kind_label,
    match_text,
    resolved_text,
    safe_url,
)
from .symbols import SIDE_COLOURS, SIDE_LABELS, TYPE_SYMBOLS, side_svg

# The map's data block is columnar (see encode_incidents): one array per column, one entry
# per incident (INCIDENT_COLUMNS), per claim (CLAIM_COLUMNS) and per figure (FIGURE_COLUMNS).
INCIDENT_COLUMNS = (
    "id",
    "lat",
    "lon",
    "type",
    "side",
    "d0",
    "d1",
    "date",
    "date_precision",
    "date_text",
    "precision_km",
    "province",
    "where",
    "actors",
    "distance_km",
    "band_km",
    "sector",
    "chainage_km",
    "flags",
    "description",
    "nclaims",
    "bandc",
    "kmax",
    "stat",
    "cross",
    "location_error",
)
CLAIM_COLUMNS = ("party", "date", "url", "statement", "quote", "nfigures")
FIGURE_COLUMNS = ("kind", "text")
# One resolved place: place as reported, gazetteer name, resolved text, match.
WHERE_FIELDS = ("place", "place_name", "resolved", "match")
# One party to a claim: who, side, outlet, status.
PARTY_FIELDS = ("who", "side", "outlet", "status")


def _factorize(values) -> tuple[list[int], list]:
    """(codes, distinct values in first-seen order) of an iterable of hashable values."""
    memo: dict = {}
    codes = [memo.setdefault(v, len(memo)) for v in values]
    return codes, list(memo)


class _Strings:
    """A string table: each distinct text once, rows refer to it by index (0 = no text)."""

    def __init__(self):
        self.items = [""]
        self._index = {"": 0}

    def __call__(self, value) -> int:
        if not isinstance(value, str) or not value:
            return 0
        i = self._index.get(value)
        if i is None:
            i = self._index[value] = len(self.items)
            self.items.append(value)
        return i


def _round_to(values, fmt: str) -> list:
    """Floats rounded exactly as ``format(v, fmt)`` prints them (NaN -> None), so the
    browser's 1-decimal text matches Python's."""
    arr = np.asarray(values, dtype=float)
    return [float(format(v, fmt)) if math.isfinite(v) else None for v in arr.tolist()]


def _compact_number(v):
    return int(v) if v is not None and float(v).is_integer() else v


def _band_codes(bc, bands) -> str:
    if not isinstance(bc, dict):
        return ""
    by = {float(k): v for k, v in bc.items()}
    return "".join({"certain": "c", "possible": "p", "outside": "o"}.get(by.get(b), "-")
                   for b in bands)


def _max_killed(claims) -> int:
    """The largest number of deaths any claim gives (its high end, else its low end); -1 none."""
    best = -1
    for c in claims if isinstance(claims, list) else ():
        for f in c.get("figures") or ():
            if f.get("kind") == "killed":
                v = f.get("high") if f.get("high") is not None else f.get("low")
                if isinstance(v, int | float) and v > best:
                    best = int(v)
    return best


def encode_incidents(incidents, border: DurandLine, event_types: dict,
                     bands_km: Sequence[float] = DEFAULT_BANDS_KM) -> dict:
    """The map's data block for incidents (an analysed GeoDataFrame): the located ones
    first, then the unlocated ones (``lat``/``lon`` null), in input order each.

    Columnar, so that building it is a handful of list comprehensions and reading it
    one pass in the browser: ``incidents`` maps each of :data:`INCIDENT_COLUMNS` to one
    value per incident, ``claims`` each of :data:`CLAIM_COLUMNS` to one value per claim
    (incident by incident, ``nclaims`` of each), ``figures`` each of
    :data:`FIGURE_COLUMNS` to one value per figure (``nfigures`` per claim). Texts are
    indices into ``strings`` (0 = no text); ``where`` and ``parties`` are tables of
    distinct resolved places (:data:`WHERE_FIELDS`) and claim parties
    (:data:`PARTY_FIELDS`); ``d0``/``d1`` index the sorted distinct ``days``;
    ``province`` indexes ``provinces`` (-1: the uncertainty is a circle of
    ``precision_km``); ``date`` is 0 when it is the usual day or start/end, which the
    browser rebuilds. Numbers are rounded as the popup prints them. Nothing here is
    HTML: the browser escapes every field.
    """
    from ..incidents import CLAIM_STATUSES, FIGURE_KINDS, SIDES

    geom = incidents.geometry
    has_point = ~(geom.isna() | geom.is_empty).to_numpy()
    located = incidents.iloc[np.r_[np.flatnonzero(has_point), np.flatnonzero(~has_point)]]
    n_loc = int(has_point.sum())
    n = len(located)
    col = {
        c: located[c].tolist() if c in located.columns else [None] * n
        for c in (
            "id",
            "date",
            "date_start",
            "date_end",
            "date_precision",
            "date_text",
            "event_type",
            "actors",
            "place",
            "place_id",
            "place_name",
            "place_kind",
            "place_admin1",
            "match",
            "match_score",
            "country",
            "location_source",
            "side",
            "side_conflict",
            "sector",
            "description",
            "conflicting_claims",
            "claims",
            "band_certainty",
            "location_error",
        )
    }

    def floats(name):
        return (
            located[name].to_numpy(dtype=float) if name in located.columns else np.full(n, np.nan)
        )

    strings = _Strings()
    S = strings  # a text -> its string-table index

    def texts(values) -> list[int]:
        """String-table indices of a column of texts (each distinct value looked at once)."""
        codes, uniques = _factorize(values)
        table = [S(u) for u in uniques]
        return [table[c] for c in codes]

    order = list(event_types)
    types_used = sorted(
        set(col["event_type"]), key=lambda k: (order.index(k) if k in order else len(order), str(k))
    )
    type_index = {k: i for i, k in enumerate(types_used)}
    side_keys = [s if s in ("AF", "PK") else "none" for s in col["side"]]
    sides_used = sorted(set(side_keys))
    side_index = {k: i for i, k in enumerate(sides_used)}
    days = sorted({d for d in col["date_start"] + col["date_end"] if isinstance(d, str)})
    day_index = {d: i for i, d in enumerate(days)}
    kinds = list(FIGURE_KINDS)
    kind_index = {k: i for i, k in enumerate(kinds)}
    d0 = [day_index.get(s, 0) for s in col["date_start"]]
    bands = sorted(float(b) for b in bands_km)
    status_bit = {s: 1 << j for j, s in enumerate(CLAIM_STATUSES)}
    cross_lines = [cross_kind_line(c) if isinstance(c, list) else "" for c in col["claims"]]

    inc: dict[str, list] = {
        "id": [str(v) for v in col["id"]],
        "lat": np.round(located.geometry.iloc[:n_loc].y.to_numpy(), 5).tolist() + [None] * (n - n_loc),  # noqa: E501
        "lon": np.round(located.geometry.iloc[:n_loc].x.to_numpy(), 5).tolist() + [None] * (n - n_loc),  # noqa: E501
        "type": [type_index[t] for t in col["event_type"]],
        "side": [side_index[s] for s in side_keys],
        "d0": d0,
        "d1": [day_index.get(e, a) for e, a in zip(col["date_end"], d0, strict=True)],
        # small vocabularies first, so the most repeated texts get the shortest indices
        "date_precision": texts(col["date_precision"]),
        "sector": texts(col["sector"]),
        "precision_km": _round_to(floats("precision_km"), ".1f"),
        "distance_km": _round_to(floats("distance_to_border_km"), ".1f"),
        "band_km": [_compact_number(as_number(x)) for x in floats("band_km").tolist()],
        "chainage_km": [
            None if v is None else int(v) for v in _round_to(floats("chainage_km"), ".0f")
        ],
        "flags": [
            (1 if sc is True else 0) | (2 if cc is True else 0) | (4 if cross else 0)
            for sc, cc, cross in zip(col["side_conflict"], col["conflicting_claims"], cross_lines,
                                     strict=True)
        ],
        # band certainty, one letter per band (certain, possible, outside, - unknown)
        "bandc": texts(_band_codes(bc, bands) for bc in col["band_certainty"]),
        "kmax": [_max_killed(c) for c in col["claims"]],
        "stat": [
            sum(status_bit.get(s, 0) for s in {c.get("status") for c in cl})
            if isinstance(cl, list) else 0
            for cl in col["claims"]
        ],
        "cross": texts(cross_lines),
        "location_error": texts(col["location_error"]),
    }

    # places: one entry per distinct (place as reported, resolution)
    where_codes, where_uniques = _factorize(
        zip(
            col["place"],
            col["place_id"],
            col["place_name"],
            col["place_kind"],
            col["place_admin1"],
            col["country"],
            col["match"],
            col["match_score"],
            strict=True,
        )
    )
    where = []
    for place, _pid, name, kind, admin1, country, match, score in where_uniques:
        rec = {
            "place_name": name,
            "place_kind": kind,
            "place_admin1": admin1,
            "country": country,
            "match": match,
            "match_score": score,
        }
        where.append([S(as_text(place)), S(as_text(name)), S(resolved_text(rec)),
                      S(match_text(rec))])
    inc["where"] = where_codes

    # Afghan provinces placed by the gazetteer: their polygon is the location's uncertainty
    provinces: list = []
    province_of: dict = {}
    wanted = {
        pid
        for pid, source in zip(col["place_id"], col["location_source"], strict=True)
        if isinstance(pid, str) and source == "gazetteer" and pid.startswith(
            ("af.province.", "pk.district.", "pk.tehsil."))
    }
    for pid in sorted(wanted):
        poly = province_polygon(border, pid)
        if poly is not None:
            province_of[pid] = len(provinces)
            name, geom = poly
            provinces.append([name, [round(v, 4) for v in geom.bounds], mapping(geom)])
    inc["province"] = [
        province_of.get(pid, -1) if source == "gazetteer" else -1
        for pid, source in zip(col["place_id"], col["location_source"], strict=True)
    ]

    # claims, flattened; parties (who, side, outlet, status) and figures stored once each
    claims_of = [c if isinstance(c, list) else [] for c in col["claims"]]
    inc["nclaims"] = [len(c) for c in claims_of]
    flat = [c for cl in claims_of for c in cl]
    sources = [c.get("source") or {} for c in flat]
    party_codes, party_uniques = _factorize(
        (c.get("claimant"), c.get("organisation"), c.get("side"), s.get("outlet"), c.get("status"))
        for c, s in zip(flat, sources, strict=True)
    )
    parties = [
        [
            S(claimant_text({"claimant": a, "organisation": o})),
            S(as_text(side)),
            S(as_text(outlet)),
            S(as_text(status)),
        ]
        for a, o, side, outlet, status in party_uniques
    ]
    figures_of = [c.get("figures") or () for c in flat]
    fig_codes, fig_uniques = _factorize(
        (f.get("kind"), f.get("low"), f.get("high"), f.get("text"), f.get("subject"))
        for figs in figures_of
        for f in figs
    )
    fig_kind, fig_text = [], []
    for kind, low, high, text, subject in fig_uniques:
        if kind not in kind_index:
            kind_index[kind] = len(kinds)
            kinds.append(kind)
        fig_kind.append(kind_index[kind])
        fig_text.append(
            S(figure_rest({"low": low, "high": high, "text": text, "subject": subject}))
        )
    claims = {
        "party": party_codes,
        "date": texts(c.get("date") for c in flat),
        "nfigures": [len(f) for f in figures_of],
        "statement": texts(c.get("statement") for c in flat),
        "quote": texts(s.get("quote") for s in sources),
        "url": texts(safe_url(s.get("url")) for s in sources),
    }
    figures = {"kind": [fig_kind[c] for c in fig_codes], "text": [fig_text[c] for c in fig_codes]}

    # rarer free texts last (longer indices)
    inc["date"] = texts(
        0 if (d == s if s == e else d == f"{s}/{e}") else d
        for d, s, e in zip(col["date"], col["date_start"], col["date_end"], strict=True)
    )
    inc["date_text"] = texts(col["date_text"])
    inc["actors"] = texts(", ".join(a) if isinstance(a, list) else None for a in col["actors"])
    inc["description"] = texts(col["description"])

    types, icons = [], []
    for key in types_used:
        et = event_types.get(key)
        symbol = et.symbol if et else "dot"
        types.append([key, et.label if et else str(key), symbol])
        symbol = TYPE_SYMBOLS.get(key, symbol)
        types[-1][2] = symbol
        icons.append([side_svg(symbol, s) for s in sides_used])
    sides = [
        [s, SIDE_LABELS[None if s == "none" else s], SIDE_COLOURS[None if s == "none" else s]]
        for s in sides_used
    ]
    return {
        "incidents": {k: inc[k] for k in INCIDENT_COLUMNS},
        "claims": {k: claims[k] for k in CLAIM_COLUMNS},
        "figures": {k: figures[k] for k in FIGURE_COLUMNS},
        "strings": strings.items,
        "where": where,
        "parties": parties,
        "days": days,
        "kinds": [kind_label(k) for k in kinds],
        "claimSides": list(SIDES),
        "types": types,
        "sides": sides,
        "icons": icons,
        "provinces": provinces,
        "bands": [_compact_number(b) for b in bands],
        "statuses": list(CLAIM_STATUSES),
    }
