"""The HTML map's renderer without a browser: the data block, popups, panels, modes.

The browser tests (tests/test_browser.py) check what the page does; these check what
the file holds: the columnar data block decodes back to the incidents, popups escape and
show the claims' discrepancy, user text is never evaluated as a template, large data is
compressed, clustering pulls in MarkerCluster (inlined, or from the CDN with ``cdn``),
OpenStreetMap tiles are never added by default, and the output is deterministic.
"""

from __future__ import annotations

import base64
import html
import json
import re
import zlib

import pytest
import shapely
from shapely.geometry import shape

from border_map.incidents import EVENT_TYPES
from border_map.render.html import build_map, render_html
from border_map.render.map_data import (
    CLAIM_COLUMNS,
    FIGURE_COLUMNS,
    INCIDENT_COLUMNS,
    encode_incidents,
)
from border_map.render.map_plugins import IncidentLayer
from border_map.render.popup import popup_html

BULK_RE = re.compile(r'<script type="([^"]+)" id="(incident_layer_\d+)-data">(.*?)</script>', re.S)


def _located(gdf):
    return gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]


@pytest.fixture(scope="module")
def seed(seed_build):
    return seed_build.incidents


@pytest.fixture(scope="module")
def seed_data(seed, border):
    return encode_incidents(seed, border, EVENT_TYPES)


def _in_map_order(gdf):
    """The data block's order: located incidents first, then the unlocated ones."""
    import pandas as pd

    located = _located(gdf)
    return pd.concat([located, gdf.drop(index=located.index)])


def _bulk(text: str) -> tuple[str, dict]:
    """(type, decoded bulk) of the incident data block in a rendered map."""
    kind, _name, body = BULK_RE.search(text).groups()
    if kind == IncidentLayer.COMPRESSED_TYPE:
        return kind, json.loads(zlib.decompress(base64.b64decode(body)).decode("utf-8"))
    return kind, json.loads(body)


def test_data_block_columns_decode_back_to_the_incidents(seed, seed_data):
    located = _in_map_order(seed)
    n_loc = len(_located(seed))
    assert 0 < n_loc < len(seed), "the seed story has an unlocated incident"
    d = seed_data
    n = len(located)
    assert list(d["incidents"]) == list(INCIDENT_COLUMNS)
    assert all(len(v) == n for v in d["incidents"].values())
    n_claims = sum(len(c) for c in located["claims"])
    assert list(d["claims"]) == list(CLAIM_COLUMNS)
    assert all(len(v) == n_claims for v in d["claims"].values())
    n_figures = sum(len(c.get("figures") or []) for cl in located["claims"] for c in cl)
    assert all(len(v) == n_figures for v in d["figures"].values()) and list(d["figures"]) == list(
        FIGURE_COLUMNS
    )
    assert d["strings"][0] == "" and len(set(d["strings"])) == len(d["strings"])
    assert d["days"] == sorted(set(located["date_start"]) | set(located["date_end"]))
    S, inc = d["strings"], d["incidents"]
    assert inc["id"] == list(located["id"])
    assert inc["lon"][:n_loc] == pytest.approx(list(located.geometry.x[:n_loc]), abs=1e-5)
    assert inc["lat"][:n_loc] == pytest.approx(list(located.geometry.y[:n_loc]), abs=1e-5)
    assert inc["lat"][n_loc:] == inc["lon"][n_loc:] == [None] * (len(seed) - n_loc)
    assert all(S[inc["location_error"][i]] for i in range(n_loc, len(seed)))
    # Claims in incident order; each claim's party says who and which side.
    k = 0
    for i, claims in enumerate(located["claims"]):
        assert inc["nclaims"][i] == len(claims)
        for c in claims:
            who, side, outlet, status = (S[j] for j in d["parties"][d["claims"]["party"][k]])
            assert side == c["side"] and status == c["status"]
            assert who == " — ".join(x for x in (c.get("claimant"), c.get("organisation")) if x)
            assert outlet == ((c.get("source") or {}).get("outlet") or "")
            assert S[d["claims"]["date"][k]] == (c.get("date") or "")
            k += 1
    # Repeated parties and places are stored once.
    assert len(d["parties"]) < n_claims
    assert len(d["where"]) <= n
    # The usual date text is rebuilt in the browser, not stored.
    for i, (date, start, end) in enumerate(
        zip(located["date"], located["date_start"], located["date_end"], strict=True)
    ):
        usual = date == (start if start == end else f"{start}/{end}")
        assert (inc["date"][i] == 0) is usual
        assert d["days"][inc["d0"][i]] == start and d["days"][inc["d1"][i]] == end


def test_unit_incidents_carry_their_simplified_polygon(seed, seed_data):
    """Afghan provinces and Pakistani districts and tehsils: the unit's outline is the
    location's uncertainty."""
    from border_map.render.map_geometry import admin_polygons

    located = _in_map_order(seed)
    d = seed_data
    is_unit = (
        located["place_id"].str.startswith(("af.province.", "pk.district.", "pk.tehsil."))
        & (located["location_source"] == "gazetteer")
    ).tolist()
    is_province = [p and pid in admin_polygons()
                   for pid, p in zip(located["place_id"], is_unit, strict=True)]
    used = sorted({pid for pid, p in zip(located["place_id"], is_province, strict=True) if p})
    assert any(u.startswith("af.province.") for u in used)
    assert any(u.startswith("pk.") for u in used), "the seed story names Pakistani districts"
    assert [p[0] for p in d["provinces"]] == [admin_polygons()[pid][0] for pid in used]
    for index, p in zip(d["incidents"]["province"], is_province, strict=True):
        assert (index >= 0) is p
    full = {pid: geom for pid, (_name, geom) in admin_polygons().items()}
    for pid, (_name, bbox, geometry) in zip(used, d["provinces"], strict=True):
        simple = shape(geometry)
        assert shapely.get_num_coordinates(simple) < shapely.get_num_coordinates(full[pid])
        assert simple.symmetric_difference(full[pid]).area < 0.02 * full[pid].area
        assert bbox == pytest.approx(list(simple.bounds), abs=1e-4)


def test_popup_escapes_everything_and_shows_the_discrepancy():
    rec = {
        "id": "x<1>",
        "date": "2026-02-26",
        "date_precision": "day",
        "event_type": "armed_clash",
        "event_label": "Armed clash",
        "place": '<img src=x onerror="alert(1)">',
        "precision_km": 5.0,
        "distance_to_border_km": 1234.56,
        "side": "AF",
        "band_km": None,
        "chainage_km": 1842.4,
        "sector": "Kurram – Khost",
        "conflicting_claims": True,
        "claims": [
            {
                "claimant": "<b>AF</b>",
                "side": "AF",
                "status": "unverified",
                "figures": [{"kind": "killed", "low": 0, "high": 0}],
                "source": {"outlet": "O&A", "url": "javascript:alert(1)"},
            },
            {
                "organisation": "ISPR",
                "side": "PK",
                "status": "disputed",
                "figures": [{"kind": "killed", "low": 70, "text": "at least 70"}],
                "source": {"outlet": "Dawn", "url": "https://www.dawn.com/news/1"},
            },
        ],
    }
    text = popup_html(rec)
    assert "<img" not in text and "<b>AF" not in text and "javascript:" not in text
    assert html.escape('<img src=x onerror="alert(1)">') in text
    assert 'href="https://www.dawn.com/news/1"' in text
    assert "claims contradict each other" in text
    assert "killed — AF: 0 | PK: ≥70 “at least 70”" in text
    assert "1,234.6 km" in text and "km 1,842 from the Iran tripoint" in text
    assert "beyond the widest band" in text


def test_popup_words_side_and_band_by_their_certainty(seed):
    """Kurram: 7.0 km from the line with ±32.8 km of uncertainty is only *likely* on the
    Pakistani side, and *possibly* within 10 km (the data's band_certainty)."""
    from border_map.render.geojson import to_json_value
    from border_map.render.popup import band_text, side_text

    recs = {r["id"]: {k: to_json_value(v) for k, v in r.items()}
            for r in seed.drop(columns=seed.geometry.name).to_dict(orient="records")}
    kurram = recs["2026-02-26-clash-kurram"]
    assert kurram["precision_km"] > kurram["distance_to_border_km"]
    assert side_text(kurram) == "likely Pakistani side"
    assert band_text(kurram) == "within 10 km: possible"
    text = popup_html(kurram)
    assert '<p class="bm-headline">likely Pakistani side — within 10 km: possible</p>' in text
    assert "5 km: possible · 10 km: possible · 25 km: possible · 50 km: certain" in text
    # A point placed with less uncertainty than its distance is stated plainly.
    sure = dict(kurram, precision_km=2.0, band_certainty={"5": "outside", "10": "certain"})
    assert side_text(sure) == "Pakistani side" and band_text(sure) == "within 10 km: certain"
    # Beyond the widest band, a band the uncertainty reaches is named.
    paktia = recs["2026-02-21-airstrikes-paktia"]
    assert band_text(paktia) == "beyond 50 km (within 25 km: possible)"
    # The unlocated incident says so, with the reason.
    unlocated = recs["2025-10-11-border-fighting"]
    text = popup_html(unlocated)
    assert "not located — no band" in text and "the report names no place" in text


def test_contradiction_across_figure_kinds_is_flagged(seed):
    """"≥70 fighters killed" (PK) against "civilians … among the casualties" (AF): no kind
    has two sides, yet the claims may contradict each other."""
    from border_map.render.geojson import to_json_value
    from border_map.render.popup import cross_kind_line

    rec = {k: to_json_value(v) for k, v in seed.drop(columns=seed.geometry.name).iloc[0].items()}
    assert rec["conflicting_claims"] is False
    line = cross_kind_line(rec["claims"])
    assert line == ("casualty figures of different kinds — AF: casualties: “civilians, including "
                    "women and children” (civilians) | PK: killed: ≥70 “at least 70 fighters” "
                    "(fighters)")
    text = popup_html(rec)
    assert "claims may contradict each other" in text and html.escape(line) in text
    # The same kind from both sides is the analysis's own comparison, not this one.
    same = [{"side": "PK", "figures": [{"kind": "killed", "low": 3}]},
            {"side": "AF", "figures": [{"kind": "killed", "low": 0, "high": 0},
                                       {"kind": "casualties", "text": "civilians"}]}]
    assert cross_kind_line(same) == ""
    assert cross_kind_line(same[:1]) == ""


def test_map_scripts_are_files_of_the_package_and_pass_a_syntax_check():
    import shutil
    import subprocess
    from pathlib import Path

    from border_map.render import assets

    js_dir = Path(assets.__file__).parent / "js"
    files = sorted(p.name for p in js_dir.glob("*.js"))
    assert sorted(assets.MAP_JS) == files
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (apt-get install nodejs): no syntax check")
    for name in files:
        run = subprocess.run([node, "--check", str(js_dir / name)], capture_output=True, text=True)
        assert run.returncode == 0, f"{name}: {run.stderr}"
    # ... and the page carries them whole, once.
    text = assets.map_js()
    for name in files:
        body = (js_dir / name).read_text(encoding="utf-8")
        assert text.count(body) == 1, name


def test_every_event_type_has_its_own_symbol(seed_data):
    symbols = [t[2] for t in seed_data["types"]]
    assert len(set(symbols)) == len(symbols)
    from border_map.render.symbols import SYMBOL_SHAPES, TYPE_SYMBOLS

    all_symbols = [TYPE_SYMBOLS.get(k, et.symbol) for k, et in EVENT_TYPES.items()]
    assert len(set(all_symbols)) == len(all_symbols) and set(all_symbols) <= set(SYMBOL_SHAPES)
    assert len({SYMBOL_SHAPES[s] for s in all_symbols}) == len(all_symbols)


def test_template_syntax_in_user_text_is_never_evaluated(seed, border):
    """branca renders each macro's output as a template again; ours are placed as they are."""
    gdf = seed.copy()
    hostile = "{{ 'Zq' ~ 'Xw' }} {% if true %}x{% endif %} {#"
    gdf.loc[gdf.index[0], "description"] = hostile
    title = "{{ 'Wv' ~ 'Yk' }} {% if true %}y{% endif %}"
    text = render_html(build_map(gdf, border, title=title))
    assert "ZqXw" not in text and "WvYk" not in text  # what the expressions would evaluate to
    assert html.escape(title) in text
    _, bulk = _bulk(text)
    assert hostile in bulk["strings"]


def test_large_data_is_compressed_and_round_trips(seed, seed_data, border):
    plain_type, plain = _bulk(render_html(build_map(seed, border)))
    assert plain_type == "application/json"
    packed_type, packed = _bulk(render_html(build_map(seed, border, compress_min_bytes=0)))
    assert packed_type == IncidentLayer.COMPRESSED_TYPE
    assert packed == plain
    assert {k: seed_data[k] for k in IncidentLayer.BULK_KEYS} == plain


def test_clustering_is_the_maps_own_and_needs_no_plugin(seed, border):
    clustered = render_html(build_map(seed, border, cluster_threshold=0))
    assert '"clustered":true' in clustered
    assert "MarkerClusterGroup" not in clustered  # the grid clustering of js/incidents.js
    assert not re.search(
        r"""<(script|link)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?//""", clustered
    )
    cdn = render_html(build_map(seed, border, cluster_threshold=0, cdn=True))
    assert "markercluster" not in cdn.lower()
    assert re.search(r'<script src="https://[^"]*leaflet[^"]*\.js"', cdn)


def test_openstreetmap_tiles_are_created_but_never_added(seed, border):
    text = render_html(build_map(seed, border))
    names = re.findall(r"var (tile_layer_\d+) = L\.tileLayer\(", text)
    assert len(names) == 1
    assert f"{names[0]}.addTo(" not in text
    assert "tile.openstreetmap.org" in text  # offered in the layer control


def test_panels_controls_and_api_are_in_the_page(seed, border):
    text = render_html(build_map(seed, border))
    assert '<html lang="en">' in text
    (viewport,) = re.findall(r'<meta name="viewport"[^>]*>', text)
    assert "user-scalable" not in viewport and "maximum-scale" not in viewport
    assert '<header class="bm-header"' in text and '<aside class="bm-side"' in text
    assert "<h1>" in text
    for needle in (
        "bm-legend-panel",
        "section(side, 'summary'",
        "Afghanistan does not recognise it",
        "Heat map (incident density)",
        "Location uncertainty",
        "window.borderMap = {",
        "BM.incidentLayer(",
        "BM.app(",
        "setTimeWindow",
        "heatLayer",
        "search: function",
        "requestFullscreen",
        "map.distance(",
        "L.control.layers(",
    ):
        assert needle in text, needle


def test_build_is_deterministic_in_every_mode(seed, border):
    for kwargs in ({}, {"cluster_threshold": 0, "compress_min_bytes": 0}):
        first = render_html(build_map(seed, border, **kwargs))
        assert render_html(build_map(seed, border, **kwargs)) == first


# Places on a river, and how far the shipped river lines may pass from them (km): the Kunar at
# Asadabad and Chitral, the Indus at Attock and Sukkur, the Kabul at Jalalabad, the Helmand at
# Lashkar Gah. Coordinates: GeoNames (lon, lat).
ON_RIVERS = {
    "Asadabad": (71.147, 34.873, 2.0),
    "Chitral": (71.786, 35.852, 2.0),
    "Attock Khurd": (72.239, 33.877, 2.0),
    "Sukkur": (68.857, 27.705, 3.0),
    "Jalalabad": (70.452, 34.427, 4.0),
    "Lashkar Gah": (64.369, 31.593, 5.0),
}


def test_rivers_layer_is_small_in_the_extent_and_on_the_rivers():
    from pyproj import Geod
    from shapely.ops import nearest_points

    from border_map.data import geodata_path

    path = geodata_path("basemap_rivers.geojson")
    assert path.stat().st_size < 150_000  # inlined in every map
    doc = json.loads(path.read_text(encoding="utf-8"))
    lines = [shape(f["geometry"]) for f in doc["features"]]
    assert len(lines) >= 50 and {g.geom_type for g in lines} == {"LineString"}
    countries = json.loads(geodata_path("countries.geojson").read_text(encoding="utf-8"))
    land = shapely.union_all([shape(f["geometry"]) for f in countries["features"]])
    # clipped 5 km beyond the two countries (about 0.06 degree)
    assert all(land.buffer(0.08).contains(g) for g in lines)
    geod = Geod(ellps="WGS84")
    total = sum(geod.geometry_length(g) for g in lines) / 1e3
    assert 15_000 < total < 30_000, total
    every = shapely.MultiLineString(lines)
    for name, (lon, lat, km) in ON_RIVERS.items():
        near = nearest_points(every, shapely.Point(lon, lat))[0]
        d = geod.inv(lon, lat, near.x, near.y)[2] / 1e3
        assert d <= km, (name, d)


def test_rivers_are_in_the_page_and_credited(seed, border):
    from border_map.data import geodata_path

    text = render_html(build_map(seed, border))
    n = len(json.loads(geodata_path("basemap_rivers.geojson").read_text())["features"])
    assert text.count('"length_km"') == n
    assert "GSHHG" in text and "LGPL-3.0+" in text
