"""The interactive HTML map: one self-contained file, offline by default.

Built with folium. Leaflet is inlined from
the ``xstatic-*`` packages (``cdn=True`` keeps folium's CDN links instead). The
basemap is the shipped country polygons, in a pane below the tiles, so the
opt-in OpenStreetMap layer, never requested unless the reader picks it, cannot
leave a blank map when its tiles fail. Element ids are numbered, not random, so
the same input gives a byte-identical file.

Incidents travel as one compact JSON block (a string table plus one array per
incident, see :func:`encode_incidents`); popups are built in the browser when
they open, every field through one escape function. The controls (heat map,
time slider, search, measure, fullscreen, legend, summary) are our own folium
elements in :mod:`border_map.render.map_plugins`.
"""

from __future__ import annotations

import functools
import html
import json
import math
import re
import weakref
from collections.abc import Sequence
from pathlib import Path

import folium
import numpy as np
import shapely
from shapely.geometry import mapping, shape

from .._atomic import atomic_path
from ..border import DEFAULT_BANDS_KM, DurandLine
from . import assets
from .map_plugins import (
    App,
    Attribution,
    ContextLayer,
    CountriesBase,
    Fullscreen,
    HeatLayer,
    IncidentLayer,
    InlineAssets,
    Legend,
    MapScripts,
    MeasureTool,
    script_json,
)

SIDE_COLOURS = {"AF": "#1a7a3a", "PK": "#1f5fa8", None: "#6b6b6b"}
SIDE_LABELS = {"AF": "Afghan side", "PK": "Pakistani side", None: "on the line / no side"}
COUNTRY_FILLS = {"AF": "#efe9dc", "PK": "#e4ecf2"}
COUNTRY_NAMES = {"AF": "Afghanistan", "PK": "Pakistan"}
LINE_COLOUR = "#b2182b"
LINE_LABEL = "Durand Line (de facto)"
BANDS_LABEL = "Distance bands"
UNCERTAINTY_LABEL = "Location uncertainty"
HEAT_LABEL = "Heat map (incident density)"
CONTEXT_LABEL = "Provinces, places and rivers"
RIVER_COLOUR = "#2f78c4"
BAND_COLOURS = ("#fdae61", "#fee08b", "#ffffbf", "#e6f5d0", "#d9f0d3", "#f7f7f7")
# At this many located incidents or more, markers cluster (our own grid, js/incidents.js):
# a few hundred DOM markers at most, whatever the input size.
DEFAULT_CLUSTER_THRESHOLD = 500
# From this size of incident JSON on (a few thousand incidents), the data block is compressed.
COMPRESS_MIN_BYTES = 500_000

# One SVG shape per event-type symbol: the shape says the event type, the fill the side.
SYMBOL_SHAPES = {
    "plane": '<path d="M12 2l2 7 7 3-7 3-2 7-2-7-7-3 7-3z"/>',
    "drone": '<path d="M12 3l9 9-9 9-9-9z"/>',
    "artillery": (
        '<path d="M12 1l2.5 6.5L21 5l-3.5 6L23 12l-5.5 1L21 19l-6.5-2.5L12 23l-2.5-6.5L3 19'
        'l3.5-6L1 12l5.5-1L3 5l6.5 2.5z"/>'
    ),
    "clash": '<path d="M3 5l3-3 15 15v4h-4z M21 5l-3-3L3 17v4h4z"/>',
    "flag": '<path d="M5 2h2v20H5z M7 3h12l-3 4 3 4H7z"/>',
    "barrier": '<path d="M2 8h20v8H2z"/>',
    "attack": '<path d="M5 2l7 7 7-7 3 3-7 7 7 7-3 3-7-7-7 7-3-3 7-7-7-7z"/>',
    "explosion": '<path d="M4 15a8 8 0 0 1 16 0z M2 16h20v5H2z"/>',
    "suicide": '<path d="M12 2l10 7.5-3.8 12H5.8L2 9.5z"/>',
    "abduction": '<path d="M12 2l10 20H2z"/>',
    "dot": '<circle cx="12" cy="12" r="8"/>',
}

# Event types that share a symbol in the incident model get their own on the map.
TYPE_SYMBOLS = {"suicide_bomb": "suicide"}
# Side by pattern as well as colour (print in grey, colour-blind readers): solid, stripes, dots.
SIDE_PATTERNS = {
    "AF": '<pattern id="bm-pat-AF" width="6" height="6" patternUnits="userSpaceOnUse">'
    '<rect width="6" height="6" fill="#1a7a3a"/></pattern>',
    "PK": '<pattern id="bm-pat-PK" width="5" height="5" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="5" height="5" fill="#1f5fa8"/>'
    '<rect width="1.6" height="5" fill="#fff"/></pattern>',
    "none": '<pattern id="bm-pat-none" width="5" height="5" patternUnits="userSpaceOnUse">'
    '<rect width="5" height="5" fill="#6b6b6b"/><circle cx="2.5" cy="2.5" r="1.1" fill="#fff"/>'
    "</pattern>",
}
SIDE_PATTERN_NAMES = {"AF": "solid", "PK": "striped", "none": "dotted"}

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


def _svg(symbol: str, colour: str, size: int = 22) -> str:
    shape_ = SYMBOL_SHAPES.get(symbol, SYMBOL_SHAPES["dot"])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 24 24" fill="{colour}" stroke="#fff" stroke-width="1.2" aria-hidden="true">'
        f"{shape_}</svg>"
    )


def _side_svg(symbol: str, side: str, size: int = 22) -> str:
    """A marker: the shape says the event type; fill colour and pattern say the side."""
    shape_ = SYMBOL_SHAPES.get(symbol, SYMBOL_SHAPES["dot"])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 24 24" fill="url(#bm-pat-{side})" stroke="#111" stroke-width="1.1" '
        f'aria-hidden="true">{shape_}</svg>'
    )


def _e(value) -> str:
    return "" if value is None else html.escape(str(value), quote=True)


def _text(value) -> str:
    """A string field as text: None/NaN (missing) is ""."""
    return value if isinstance(value, str) else ""


def _num(value) -> float | None:
    if value is None or isinstance(value, str):
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def _fmt_km(value) -> str:
    value = _num(value)
    return "n/a" if value is None else f"{value:,.1f} km"


def _safe_url(url) -> str | None:
    if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
        return url
    return None


def _figure_rest(f: dict) -> str:
    """A figure without its kind, as plain text: "70–80 “words” (subject)"."""
    lo, hi = f.get("low"), f.get("high")
    if lo is not None and hi is not None and lo != hi:
        num = f"{lo}–{hi}"
    elif lo is not None:
        num = f"{lo}" if hi is not None else f"≥{lo}"
    elif hi is not None:
        num = f"≤{hi}"
    else:
        num = ""
    words, subject = f.get("text"), f.get("subject")
    return " ".join(
        b for b in (num, f"“{words}”" if words else "", f"({subject})" if subject else "") if b
    )


def _kind_label(kind) -> str:
    return (kind or "").replace("_", " ")


def _figure_line(f: dict) -> str:
    """One figure of a claim as plain text: "killed: 70–80 “words” (subject)"."""
    rest = _figure_rest(f)
    kind = _kind_label(f.get("kind"))
    return (kind + ":" + (" " + rest if rest else "")) if kind else rest


def _figures_lines(figures) -> list[str]:
    return [_figure_line(f) for f in figures or []]


def _spread_lines(claims) -> list[str]:
    """The discrepancy: for each figure kind that more than one side gave, what each said,
    "killed — AF: 0 | PK: ≥70" (kinds in FIGURE_KINDS order, sides in SIDES order)."""
    from ..incidents import FIGURE_KINDS, SIDES

    by_kind: dict = {}
    for c in claims or []:
        side = _text(c.get("side"))
        for f in c.get("figures") or []:
            by_kind.setdefault(f.get("kind"), {}).setdefault(side, []).append(
                _figure_rest(f) or "?"
            )
    kinds = [k for k in FIGURE_KINDS if k in by_kind] + [
        k for k in by_kind if k not in FIGURE_KINDS
    ]
    lines = []
    for kind in kinds:
        by_side = by_kind[kind]
        if len(by_side) < 2:
            continue
        order = [s for s in SIDES if s in by_side] + [s for s in by_side if s not in SIDES]
        lines.append(
            f"{_kind_label(kind)} — " + " | ".join(f"{s}: " + "; ".join(by_side[s]) for s in order)
        )
    return lines


def _resolved_text(rec: dict) -> str:
    return " · ".join(
        str(x)
        for x in (
            rec.get("place_name"),
            rec.get("place_kind"),
            rec.get("place_admin1"),
            rec.get("country"),
        )
        if _text(x)
    )


def _match_text(rec: dict) -> str:
    match = _text(rec.get("match"))
    if not match:
        return ""
    score = _num(rec.get("match_score"))
    return match + (f" {score:.0f}" if score is not None else "")


def _who(claim: dict) -> str:
    return " — ".join(
        x for x in (_text(claim.get("claimant")), _text(claim.get("organisation"))) if x
    )


def _bands_of(rec: dict) -> list:
    bc = rec.get("band_certainty")
    if not isinstance(bc, dict):
        return []
    return sorted(((float(k), v) for k, v in bc.items()), key=lambda kv: kv[0])


def side_text(rec: dict) -> str:
    """The side worded by its certainty: "likely Pakistani side" when the location's
    uncertainty reaches the line (it is at least the distance to it)."""
    if _num(rec.get("precision_km")) is None and _num(rec.get("distance_to_border_km")) is None:
        return "not located"
    side = _text(rec.get("side")) or None
    label = SIDE_LABELS.get(side, SIDE_LABELS[None])
    if side is None:
        return label
    d, p = _num(rec.get("distance_to_border_km")), _num(rec.get("precision_km"))
    # compare as the map prints them (one decimal), so page and file agree
    if d is not None and p is not None and round(p, 1) >= round(d, 1):
        return "likely " + label
    return label


def band_text(rec: dict) -> str:
    """The band worded by its certainty: "within 10 km: possible"."""
    bands = _bands_of(rec)
    band = _num(rec.get("band_km"))
    if band is not None:
        c = dict(bands).get(band)
        return f"within {band:g} km" + (f": {c}" if c else "")
    for b, c in bands:
        if c == "possible":
            return f"beyond {bands[-1][0]:g} km (within {b:g} km: possible)"
    return f"beyond {bands[-1][0]:g} km" if bands else "beyond the widest band"


def _band_row(rec: dict) -> str:
    return " · ".join(f"{b:g} km: {c}" for b, c in _bands_of(rec) if c)


# Figure kinds that count people hurt: "killed" and "wounded" are part of "casualties".
CASUALTY_KINDS = ("killed", "wounded", "casualties")


def cross_kind_line(claims) -> str:
    """When sides give casualty figures of different kinds only (one says "killed: ≥70
    fighters", the other "casualties: civilians"), what each said: they may contradict
    each other though no single kind has two sides. "" otherwise."""
    by_side: dict = {}
    for c in claims or []:
        side = _text(c.get("side"))
        for f in c.get("figures") or []:
            if f.get("kind") in CASUALTY_KINDS:
                by_side.setdefault(side, []).append(f)
    if len(by_side) < 2:
        return ""
    kinds = [{f.get("kind") for f in figs} for figs in by_side.values()]
    if set.intersection(*kinds):
        return ""  # the same kind from two sides: the analysis compares those
    from ..incidents import SIDES

    order = [s for s in SIDES if s in by_side] + [s for s in by_side if s not in SIDES]
    return "casualty figures of different kinds — " + " | ".join(
        f"{s}: " + "; ".join(_figure_line(f) for f in by_side[s]) for s in order
    )


def _headline(rec: dict) -> str:
    return f"{side_text(rec)} — {band_text(rec) if _located_rec(rec) else 'no band'}"


def _located_rec(rec: dict) -> bool:
    return _num(rec.get("precision_km")) is not None or _num(
        rec.get("distance_to_border_km")) is not None


def popup_html(rec: dict) -> str:
    """One incident's popup, server-side: every field escaped, every claim side by side,
    side and band worded by their certainty.

    The map builds the same popup in the browser from its data block (so that 100,000
    incidents do not carry 100,000 HTML strings); this one serves the benchmark's
    baseline and the browser test that checks both say the same.
    """
    dtext = _text(rec.get("date_text"))
    chain = _num(rec.get("chainage_km"))
    match = _match_text(rec)
    located = _located_rec(rec)
    rows = [
        (
            "Date",
            f"{_e(rec.get('date'))} ({_e(rec.get('date_precision'))}"
            + (f", “{_e(dtext)}”" if dtext else "")
            + ")",
        ),
        ("Actors", _e(", ".join(rec.get("actors") or []) or "n/a")),
        ("Place as reported", _e(_text(rec.get("place")))),
        (
            "Resolved to",
            _e(_resolved_text(rec)) + (f" <small>[{_e(match)}]</small>" if match else ""),
        ),
    ]
    if located:
        rows += [
            ("Location uncertainty", "±" + _fmt_km(rec.get("precision_km"))),
            (
                "Distance to line",
                _fmt_km(rec.get("distance_to_border_km")) + f" · {_e(side_text(rec))}",
            ),
            ("Band", _e(_band_row(rec) or band_text(rec))),
            (
                "Sector / chainage",
                (_e(rec.get("sector")) + " · " if _text(rec.get("sector")) else "")
                + (f"km {chain:,.0f} from the Iran tripoint" if chain is not None else "n/a"),
            ),
        ]
    else:
        rows.append(("Location", _e(_text(rec.get("location_error")) or "not located")))
    if rec.get("side_conflict") is True:
        rows.append(("Check", "<b>side of the line disagrees with the gazetteer's country</b>"))
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    claims = rec.get("claims") or []
    cross = cross_kind_line(claims)
    head = f"<h5>Claims ({len(claims)})"
    if rec.get("conflicting_claims") is True:
        head += ' <span class="bm-conflict">claims contradict each other</span>'
    elif cross:
        head += ' <span class="bm-conflict">claims may contradict each other</span>'
    head += "</h5>"
    spread = _spread_lines(claims) + ([cross] if cross else [])
    if spread:
        head += '<div class="bm-spread">' + "<br>".join(_e(x) for x in spread) + "</div>"
    items = []
    for c in claims:
        src = c.get("source") or {}
        url = _safe_url(src.get("url"))
        outlet = _e(_text(src.get("outlet")) or "source")
        link = (
            f'<a href="{_e(url)}" target="_blank" rel="noopener noreferrer">{outlet}</a>'
            if url
            else outlet
        )
        quote = f" <q>{_e(src.get('quote'))}</q>" if _text(src.get("quote")) else ""
        figs = "<br>".join(_e(x) for x in _figures_lines(c.get("figures")))
        statement = _text(c.get("statement"))
        side = _e(c.get("side"))
        date = _text(c.get("date"))
        items.append(
            f'<li class="bm-claim bm-side-{side}"><div class="bm-claim-who"><b class="bm-tag">'
            f"{side}</b> {_e(_who(c))} <span class=\"bm-status\">{_e(c.get('status'))}</span></div>"
            + (f'<div class="bm-claim-figs">{figs}</div>' if figs else "")
            + (f"<div><i>{_e(statement)}</i></div>" if statement else "")
            + '<div class="bm-claim-src">'
            + (f"{_e(date)} · " if date else "")
            + f"{link}{quote}</div></li>"
        )
    claims_html = (
        '<ol class="bm-claims">' + "".join(items) + "</ol>" if items else "<p>No claims recorded.</p>"  # noqa: E501
    )
    desc = f"<p>{_e(rec.get('description'))}</p>" if _text(rec.get("description")) else ""
    title = f"{_e(rec.get('event_label') or rec.get('event_type'))} — {_e(_text(rec.get('place')))}"
    return (
        f'<div class="bm-popup" data-incident="{_e(rec.get("id"))}"><h4>{title}</h4>'
        f'<p class="bm-headline">{_e(_headline(rec))}</p>{desc}'
        f'<table class="bm-facts">{body}</table>{head}{claims_html}'
        f'<p class="bm-id">id: {_e(rec.get("id"))}</p></div>'
    )


# --------------------------------------------------------------------------- geometry for display


def _display_line(border: DurandLine, tolerance_m: float = 60.0):
    """The line simplified for display only (analysis always uses the full line)."""
    return _to_lonlat(border, shapely.simplify(border.line_m, tolerance_m))


def _to_lonlat(border: DurandLine, geom_m):
    return shapely.transform(
        geom_m, lambda xy: np.column_stack(border._to_ll.transform(xy[:, 0], xy[:, 1]))
    )


def _to_metric(border: DurandLine, geom):
    return shapely.transform(
        geom, lambda xy: np.column_stack(border._to_m.transform(xy[:, 0], xy[:, 1]))
    )


def _simplified(border: DurandLine, geom, tolerance_m: float, grid: float = 1e-4):
    g_m = shapely.simplify(_to_metric(border, geom), tolerance_m)
    return shapely.set_precision(_to_lonlat(border, g_m), grid)


# Display geometry derived from a border, computed once per DurandLine object.
_DISPLAY_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _cached(border: DurandLine, key, compute):
    per_border = _DISPLAY_CACHE.setdefault(border, {})
    if key not in per_border:
        per_border[key] = compute()
    return per_border[key]


def band_polygons(border: DurandLine, bands_km: Sequence[float]) -> list[tuple[float, object]]:
    """Buffer corridors around the line, widest first, in lon/lat (for display only: the
    line is simplified by 400 m first; band membership always comes from true distances)."""

    def compute():
        base = shapely.simplify(border.line_m, 400.0)
        out = []
        for b in sorted(bands_km, reverse=True):
            poly_m = shapely.simplify(base.buffer(b * 1000.0, quad_segs=8), 150.0)
            out.append((b, shapely.set_precision(_to_lonlat(border, poly_m), 1e-5)))
        return out

    return _cached(border, ("bands", tuple(sorted(bands_km))), compute)


def _countries_display(border: DurandLine, tolerance_m: float = 400.0) -> dict:
    return _cached(
        border, ("countries", tolerance_m), lambda: _countries_geojson(border, tolerance_m)
    )


def _without_holes(geom):
    parts = getattr(geom, "geoms", [geom])
    return shapely.MultiPolygon([shapely.Polygon(p.exterior) for p in parts])


def _countries_geojson(border: DurandLine, tolerance_m: float) -> dict:
    feats = []
    for iso, geom in sorted(border.countries.items()):
        # drawn without interior rings: the shipped land polygons have hundreds of holes
        # (lakes, slivers) that showed as grey triangles from zoom 9
        g = _simplified(border, _without_holes(geom), tolerance_m)
        feats.append(
            {
                "type": "Feature",
                "properties": {"iso_a2": iso, "name": COUNTRY_NAMES.get(iso, iso)},
                "geometry": mapping(g),
            }
        )
    return {"type": "FeatureCollection", "features": feats}


@functools.cache
def _basemap() -> tuple[dict, dict, dict, dict]:
    """(admin-1 boundaries, place labels, Pakistani district lines, rivers) of the context
    basemap (geodata/basemap_*.geojson)."""
    from ..data import geodata_path

    return tuple(
        json.loads(geodata_path(name).read_text(encoding="utf-8"))
        for name in ("basemap_admin1.geojson", "basemap_places.geojson",
                     "basemap_admin2.geojson", "basemap_rivers.geojson")
    )


@functools.cache
def _admin_polygons() -> dict[str, tuple[str, object]]:
    """Unit polygons by gazetteer id: Afghan provinces (``af.province.*``), Pakistani districts
    and tehsils (``pk.district.*``, ``pk.tehsil.*``): id -> (name, geometry)."""
    from ..data import AF_PROVINCES, PK_DISTRICTS, PK_TEHSILS, geodata_path
    from ..errors import GeodataError

    out = {}
    for name in (AF_PROVINCES, PK_DISTRICTS, PK_TEHSILS):
        try:
            doc = json.loads(geodata_path(name).read_text(encoding="utf-8"))
        except GeodataError:
            if name == AF_PROVINCES:
                raise
            continue
        for f in doc["features"]:
            pid = f["properties"].get("id")
            if pid:
                out[pid] = (f["properties"]["name"], shape(f["geometry"]))
    return out


def province_polygon(border: DurandLine, place_id: str, tolerance_m: float = 700.0):
    """(name, simplified lon/lat polygon) of an Afghan province or a Pakistani district or
    tehsil, or None."""
    found = _admin_polygons().get(place_id)
    if found is None:
        return None
    name, geom = found
    return _cached(
        border,
        ("province", place_id, tolerance_m),
        lambda: (name, _simplified(border, geom, tolerance_m)),
    )


# --------------------------------------------------------------------------- the data block


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
        "band_km": [_compact_number(_num(x)) for x in floats("band_km").tolist()],
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
        where.append([S(_text(place)), S(_text(name)), S(_resolved_text(rec)), S(_match_text(rec))])
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
            S(_who({"claimant": a, "organisation": o})),
            S(_text(side)),
            S(_text(outlet)),
            S(_text(status)),
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
            S(_figure_rest({"low": low, "high": high, "text": text, "subject": subject}))
        )
    claims = {
        "party": party_codes,
        "date": texts(c.get("date") for c in flat),
        "nfigures": [len(f) for f in figures_of],
        "statement": texts(c.get("statement") for c in flat),
        "quote": texts(s.get("quote") for s in sources),
        "url": texts(_safe_url(s.get("url")) for s in sources),
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
        icons.append([_side_svg(symbol, s) for s in sides_used])
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
        "kinds": [_kind_label(k) for k in kinds],
        "claimSides": list(SIDES),
        "types": types,
        "sides": sides,
        "icons": icons,
        "provinces": provinces,
        "bands": [_compact_number(b) for b in bands],
        "statuses": list(CLAIM_STATUSES),
    }


# --------------------------------------------------------------------------- panels


def _legend(types, border: DurandLine, bands_km) -> Legend:
    note = (
        "The Durand Line is the de facto Afghanistan–Pakistan boundary; Afghanistan does not "
        "recognise it. Position approximate at the scale of the source: " + border.source + "."
    )
    side_rows = []
    for s in ("AF", "PK", None):
        key = s or "none"
        swatch = (
            '<svg width="16" height="16" aria-hidden="true"><rect x="1" y="1" width="14" '
            f'height="14" fill="url(#bm-pat-{key})" stroke="#111"/></svg>'
        )
        side_rows.append((swatch, f"{SIDE_LABELS[s]} ({SIDE_PATTERN_NAMES[key]})"))
    donut = (
        '<svg width="18" height="18" aria-hidden="true"><circle cx="9" cy="9" r="6" fill="#fff" '
        'stroke="#1f5fa8" stroke-opacity=".35" stroke-width="4"/><circle cx="9" cy="9" r="6" '
        'fill="none" stroke="url(#bm-pat-PK)" stroke-width="4" stroke-dasharray="26 38" '
        'transform="rotate(-90 9 9)"/></svg>'
    )
    return Legend(
        symbols=[(_svg(symbol, "#444", 16), label) for _key, label, symbol in types],
        sides=side_rows,
        areas=[
            (COUNTRY_FILLS["AF"], "Afghanistan"),
            (COUNTRY_FILLS["PK"], "Pakistan"),
            (BAND_COLOURS[0], "Bands " + "/".join(f"{b:g}" for b in sorted(bands_km)) + " km"),
        ],
        line_colour=LINE_COLOUR,
        line_label="Durand Line (de facto, disputed)",
        uncertainty_label="Location uncertainty (radius or province)",
        extra=[
            ('<svg width="18" height="18" aria-hidden="true"><path d="M1 12 C5 4 9 16 17 6" '
             f'fill="none" stroke="{RIVER_COLOUR}" stroke-width="2"/></svg>', "River"),
            (donut, "Cluster of one side: the full ring is the share whose side is certain; "
                    "the pale rest may lie across the line"),
        ],
        note=note,
        defs="<defs>" + "".join(SIDE_PATTERNS.values()) + "</defs>",
    )


def _number_elements(root) -> None:
    """Replace folium's random element ids with sequential ones (deterministic output)."""
    counter = 0
    seen = set()

    def walk(el):
        nonlocal counter
        if id(el) in seen:
            return
        seen.add(id(el))
        counter += 1
        el._id = f"{counter:04d}"
        for child in list(getattr(el, "_children", {}).values()):
            walk(child)

    walk(root)


# --------------------------------------------------------------------------- the map


def build_map(
    incidents,
    border: DurandLine | None = None,
    *,
    bands_km: Sequence[float] = DEFAULT_BANDS_KM,
    title: str = "border-map: incidents along the Durand Line",
    cdn: bool = False,
    event_types: dict | None = None,
    cluster_threshold: int | None = None,
    compress_min_bytes: int = COMPRESS_MIN_BYTES,
    credits: Sequence[str] = (),
) -> folium.Map:
    """A folium Map of analysed incidents (see :func:`border_map.analysis.analyse`).

    Located incidents are drawn; unlocated ones are in the list, the summary, the timeline
    and the exports, marked as such.

    Parameters
    ----------
    cdn
        Keep folium's CDN links for Leaflet (and MarkerCluster) instead of inlining them.
    cluster_threshold
        Cluster the markers when at least this many incidents are located
        (default :data:`DEFAULT_CLUSTER_THRESHOLD`; 0 always clusters).
    compress_min_bytes
        Compress the incident data (zlib + base64, unpacked by the browser) from this
        size of its JSON on (default :data:`COMPRESS_MIN_BYTES`).
    """
    from ..incidents import EVENT_TYPES

    border = border or DurandLine.default()
    event_types = event_types or EVENT_TYPES
    threshold = DEFAULT_CLUSTER_THRESHOLD if cluster_threshold is None else int(cluster_threshold)
    located = incidents[~(incidents.geometry.isna() | incidents.geometry.is_empty)]
    clustered = len(located) >= threshold and len(located) > 0
    lon0, lat0, lon1, lat1 = border.line.bounds

    m = folium.Map(
        location=[(lat0 + lat1) / 2, (lon0 + lon1) / 2],
        zoom_start=6,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
    )
    if not cdn:
        m.default_js = []
        m.default_css = []
        InlineAssets(*assets.leaflet(), name="Leaflet").add_to(m)
    # clusters are the map's own (js/incidents.js): no MarkerCluster plugin to load
    MapScripts().add_to(m)
    m.get_root().title = html.escape(title)  # branca puts it into <title> unescaped

    # The countries sit in a pane below the tiles: with or without working tiles, never blank.
    CountriesBase(_countries_display(border), COUNTRY_FILLS).add_to(m)
    admin, places, admin2, rivers = _basemap()
    context = ContextLayer(admin, places, admin2, rivers, river_colour=RIVER_COLOUR)
    context.add_to(m)
    blank = folium.FeatureGroup(name="Offline basemap", overlay=False, control=False)
    blank.add_to(m)
    osm = folium.TileLayer(
        "OpenStreetMap",
        name="OpenStreetMap tiles (online)",
        overlay=False,
        control=False,
        show=False,
        attr='© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    )

    bands_group = folium.FeatureGroup(name=BANDS_LABEL, show=True)
    for i, (b, poly) in enumerate(band_polygons(border, bands_km)):
        colour = BAND_COLOURS[i % len(BAND_COLOURS)]
        folium.GeoJson(
            {
                "type": "Feature",
                "properties": {"band": f"within {b:g} km of the line"},
                "geometry": mapping(poly),
            },
            style_function=lambda f, c=colour: {
                "fillColor": c,
                "color": c,
                "weight": 0.5,
                "fillOpacity": 0.35,
            },
            tooltip=folium.GeoJsonTooltip(["band"], labels=False),
        ).add_to(bands_group)
    bands_group.add_to(m)

    line_group = folium.FeatureGroup(name=LINE_LABEL, show=True)
    folium.GeoJson(
        {
            "type": "Feature",
            "properties": {
                "name": "Durand Line — de facto boundary, not recognised by Afghanistan",
                "source": border.source,
                "length": f"{border.length_km:,.0f} km (geodesic)",
            },
            "geometry": mapping(_display_line(border)),
        },
        style_function=lambda f: {
            "color": LINE_COLOUR,
            "weight": 3,
            "dashArray": "8 6",
            "opacity": 0.9,
        },
        tooltip=folium.GeoJsonTooltip(["name", "length"], labels=False),
        popup=folium.GeoJsonPopup(["name", "source", "length"], labels=False),
    ).add_to(line_group)
    line_group.add_to(m)

    if len(located):
        x0, y0, x1, y1 = (float(v) for v in located.total_bounds)
        pad = 0.6
        bounds = [[min(y0, lat0 + 3) - pad, x0 - pad], [y1 + pad, x1 + pad]]  # (lat, lon) pairs
    else:
        bounds = [[lat0, lon0], [lat1, lon1]]
    data = encode_incidents(incidents, border, event_types, bands_km)
    layer = IncidentLayer(
        data,
        clustered=clustered,
        uncertainty_label=UNCERTAINTY_LABEL,
        compress_min_bytes=compress_min_bytes,
    )
    layer.add_to(m)
    heat = HeatLayer(layer)
    heat.add_to(m)

    fullscreen = Fullscreen()
    fullscreen.add_to(m)
    measure = MeasureTool()
    measure.add_to(m)
    osm.add_to(m)  # created, never added to the map until the reader picks it
    legend = _legend(data["types"], border, bands_km)
    legend.add_to(m)
    Attribution(
        [
            "Boundary & basemap © "
            '<a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
            "contributors (ODbL)",
            'Places: <a href="https://www.geonames.org/">GeoNames</a> (CC BY 4.0)',
            'Provinces: <a href="https://www.naturalearthdata.com/">Natural Earth</a> '
            "(public domain)",
            'Rivers: <a href="https://www.soest.hawaii.edu/pwessel/gshhg/">GSHHG</a> 2.3.6 '
            "WDB-II (LGPL-3.0+)",
            "Leaflet " + _e(assets.versions()["leaflet"]),
            *("Data: " + _e(c) for c in credits),
        ],
        prefix="border-map",
    ).add_to(m)
    App(
        title=title,
        incidents=layer,
        heat=heat,
        heat_label=HEAT_LABEL,
        fullscreen=fullscreen,
        measure=measure,
        legend=legend,
        bases=[
            ("Offline basemap (shipped polygons)", blank),
            ("OpenStreetMap tiles (online)", osm),
        ],
        overlays=[(CONTEXT_LABEL, context), (BANDS_LABEL, bands_group), (LINE_LABEL, line_group)],
        bounds=bounds,
    ).add_to(m)
    m.fit_bounds(bounds)
    _number_elements(m.get_root())
    return m


_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')


def render_html(m: folium.Map) -> str:
    """The page: folium's render with a language and a viewport that allows zooming."""
    text = m.get_root().render()
    text = text.replace("<html>", '<html lang="en">', 1)
    return _VIEWPORT.sub(
        '<meta name="viewport" content="width=device-width, initial-scale=1.0" />', text, count=1
    )


def write_map(incidents, path: str | Path, border: DurandLine | None = None, **kwargs) -> Path:
    """Build the map and write it atomically to ``path``."""
    text = render_html(build_map(incidents, border, **kwargs))
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


__all__ = [
    "DEFAULT_CLUSTER_THRESHOLD",
    "build_map",
    "encode_incidents",
    "popup_html",
    "render_html",
    "script_json",
    "write_map",
]
