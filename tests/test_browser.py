"""The HTML map in a real browser: headless Debian Chromium driven by Playwright.

One browser for the module, one fresh page (1280x800) per test, opened from a
``file://`` URL with every network request recorded and any http(s)/ws request
aborted, so nothing here can reach the internet even if the map tried to. Besides
the seed story, maps of 1,000 and of 100,000 synthetic incidents
(``benchmarks/bench_map.py``, clustered, data block compressed; each built once per
module) drive every control again: filters, timeline, list, URL state, export (GeoJSON
read back by GDAL), phone layout, keyboard, axe-core, heat, search, layers, sizes,
fullscreen and measure.

Chromium is Debian's ``/usr/bin/chromium`` (Playwright's own browser download is
not used). Without it, or without the ``playwright`` package, the browser tests
skip with the reason, except under CI (env ``CI`` set), where they fail: CI must
run them. ``BORDER_MAP_UPDATE_DOCS=1`` (``make docs``) also refreshes
``docs/screenshot.png``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
XSS_FILE = DATA / "xss_incidents.yaml"
OUTPUTS = ROOT / "outputs"
DOCS_SCREENSHOT = ROOT / "docs" / "screenshot.png"
VIEWPORT = {"width": 1280, "height": 800}
LINE_LABEL = "Durand Line (de facto)"
BANDS_LABEL = "Distance bands"
CONTEXT_LABEL = "Provinces, places and rivers"  # border_map.render.html.CONTEXT_LABEL
LINE_COLOUR = "#b2182b"  # border_map.render.html.LINE_COLOUR
# The map is ready once every marker is placed (or clustered), with the layer control and both
# panels on the map.
READY = ("() => !!(window.borderMap && window.borderMap.ready && window.borderMap.layerControl"
         " && window.borderMap.namedLayers && document.querySelector('.bm-side .bm-legend-panel'))")
HEAT_LABEL = "Heat map (incident density)"
CLUSTER_N = 1_000  # synthetic incidents for the clustered map (clustered from 0 on)
BIG_N = 100_000  # and the same controls at the size analysts work with
PHONE = {"width": 390, "height": 844}


def _located(gdf):
    return gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]


# --------------------------------------------------------------------------- fixtures


@dataclass
class Opened:
    """A page with the map loaded, and everything it asked for or complained about."""

    page: object
    url: str
    requests: list[str] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def console_errors(self) -> list[str]:
        return [text for kind, text in self.console if kind == "error"]

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if u != self.url and not u.startswith("data:")]


@pytest.fixture
def open_map(browser):
    """open_map(path) -> Opened: a fresh 1280x800 page showing the map file at ``path``."""
    contexts = []

    def _open(path: Path, viewport=VIEWPORT, hash_: str = "") -> Opened:
        ctx = browser.new_context(viewport=viewport, service_workers="block",
                                  accept_downloads=True)
        contexts.append(ctx)
        # Belt and braces: anything aimed at the network is aborted (and still recorded).
        ctx.route(re.compile(r"^(https?|wss?|ftp)://"), lambda route: route.abort())
        page = ctx.new_page()
        opened = Opened(page, Path(path).resolve().as_uri())
        page.on("request", lambda req: opened.requests.append(req.url))
        page.on("console", lambda msg: opened.console.append((msg.type, msg.text)))
        page.on("pageerror", lambda err: opened.errors.append(str(err)))
        page.goto(opened.url + hash_, wait_until="load")
        # Every script is inline, so at "load" a small map is complete; a large one unpacks its
        # data and clusters its markers in chunks, then says so (borderMap.ready).
        ready = not opened.errors and page.evaluate(READY)
        if not ready and not opened.errors:
            try:
                page.wait_for_function(READY, timeout=20_000, polling=50)
                ready = True
            except Exception:  # reported below, with the page's errors
                pass
        if not ready:
            pytest.fail(f"map did not become ready; page errors: {opened.errors}; "
                        f"console: {opened.console}", pytrace=False)
        page.wait_for_load_state("networkidle")
        return opened

    yield _open
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def seed_map(seed_build, open_map) -> Opened:
    return open_map(seed_build.outputs["map"])


@pytest.fixture(scope="module")
def xss_build(tmp_path_factory):
    from border_map.pipeline import build

    return build([XSS_FILE], tmp_path_factory.mktemp("xss_build"))


@pytest.fixture(scope="module")
def xss_maps(xss_build, tmp_path_factory):
    """The hostile incidents as the default map and as a clustered map with compressed data."""
    from border_map.render.html import write_map

    folder = tmp_path_factory.mktemp("xss_clustered")
    clustered = write_map(xss_build.incidents, folder / "map.html",
                          cluster_threshold=0, compress_min_bytes=0)
    return {"plain": Path(xss_build.outputs["map"]), "clustered": clustered}


def _load_bench_module():
    spec = importlib.util.spec_from_file_location("bench_map", ROOT / "benchmarks" / "bench_map.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", params=[CLUSTER_N, BIG_N], ids=["1k", "100k"])
def cluster_build(request, tmp_path_factory):
    """(analysed frame, map path) of 1,000 and of 100,000 synthetic incidents, clustered, data
    compressed: every control is driven at both sizes."""
    from border_map.render.html import write_map

    gdf = _load_bench_module().analysed_frame(request.param, seed=7)
    path = write_map(gdf, tmp_path_factory.mktemp("cluster") / "map.html", cluster_threshold=0,
                     compress_min_bytes=0)
    return gdf, path


@pytest.fixture
def cluster_map(cluster_build, open_map) -> Opened:
    return open_map(cluster_build[1])


# --------------------------------------------------------------------------- browser tests


def _axe_serious(m, axe_js) -> list:
    """axe-core (inlined from its npm package) on the page: its serious and critical
    violations (rule, impact, node count, the first targets)."""
    m.page.add_script_tag(path=str(axe_js))
    result = m.js("""async () => { const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, n: v.nodes.length,
            target: v.nodes.slice(0, 3).map(x => x.target.join(' '))})); }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.browser
def test_offline_map_makes_no_requests_and_no_errors(seed_map):
    m = seed_map
    # Poke the map a little (zoom, pan, open a popup) so lazily loaded things would show up.
    m.js("""() => { const bm = window.borderMap;
                    bm.map.setZoom(bm.map.getZoom() + 1, {animate: false});
                    bm.map.panBy([120, 80], {animate: false}); bm.markers[0].openPopup(); }""")
    m.page.wait_for_load_state("networkidle")
    assert m.url in m.requests or not m.requests  # the page itself (if reported at all)
    assert m.foreign_requests() == [], f"the offline map requested: {m.foreign_requests()}"
    assert m.errors == [], f"page errors: {m.errors}"
    assert m.console_errors() == [], f"console errors: {m.console_errors()}"


@pytest.mark.browser
def test_every_located_incident_has_a_visible_marker(seed_build, seed_map):
    expected = len(_located(seed_build.incidents))
    assert expected > 0
    m = seed_map
    assert m.js("() => window.borderMap.markers.length") == expected
    assert m.js("() => window.borderMap.visibleMarkers()") == expected
    assert m.page.locator(".leaflet-marker-icon.bm-icon").count() == expected
    count_in_view = """() => {
        const bm = window.borderMap, box = bm.map.getContainer().getBoundingClientRect();
        const icons = [...document.querySelectorAll('.leaflet-marker-icon.bm-icon')];
        const inView = icons.filter(el => {
            const r = el.getBoundingClientRect(), s = getComputedStyle(el);
            return s.display !== 'none' && s.visibility !== 'hidden'
                && r.width > 0 && r.height > 0
                && r.right > box.left && r.left < box.right
                && r.bottom > box.top && r.top < box.bottom;
        }).length;
        const view = bm.map.getBounds();
        const inBounds = bm.markers.filter(mk => view.contains(mk.getLatLng())).length;
        return [inView, inBounds];
    }"""
    # The initial view is fitted to the incidents: every marker is in it without any panning.
    assert m.js(count_in_view) == [expected, expected]
    # Each data item matches its marker, longitude/latitude not swapped.
    pairs = m.js("""() => window.borderMap.markers.map(
        mk => [mk.bm.id, mk.getLatLng().lng, mk.getLatLng().lat])""")
    geo = {r.id: (r.geometry.x, r.geometry.y) for r in _located(seed_build.incidents).itertuples()}
    assert {p[0] for p in pairs} == set(geo)
    for iid, lng, lat in pairs:
        assert (lng, lat) == pytest.approx(geo[iid], abs=1e-5), iid


@pytest.mark.browser
def test_line_and_bands_are_drawn(seed_map):
    m = seed_map
    n_paths = m.page.locator(".leaflet-overlay-pane svg path").count()
    assert n_paths >= 2, "expected SVG paths for the Durand Line and the distance bands"
    line_paths = m.page.locator(f'.leaflet-overlay-pane svg path[stroke="{LINE_COLOUR}"]')
    assert line_paths.count() >= 1, "no path stroked in the line colour"
    assert len(line_paths.first.get_attribute("d") or "") > 100, "the line path is (nearly) empty"
    on_map = m.js("""labels => labels.map(l => {
        const layer = window.borderMap.namedLayers[l];
        return !!layer && window.borderMap.map.hasLayer(layer); })""", [LINE_LABEL, BANDS_LABEL])
    assert on_map == [True, True]
    names = m.js("() => Object.keys(window.borderMap.namedLayers)")
    assert "Location uncertainty" in names


@pytest.mark.browser
def test_clicking_a_marker_opens_its_popup_with_every_claim(seed_build, seed_map):
    located = _located(seed_build.incidents).sort_values(["claim_count", "id"],
                                                         ascending=[False, True])
    inc = located.iloc[0]
    assert inc["claim_count"] >= 2, "the seed example should have an incident with several claims"
    m = seed_map
    # Bring the marker to the middle of the map and on top of any neighbour, then click it.
    icon = m.page.evaluate_handle("""id => {
        const bm = window.borderMap, mk = bm.markers.find(x => x.bm.id === id);
        bm.map.setView(mk.getLatLng(), bm.map.getZoom(), {animate: false});
        mk.setZIndexOffset(10000);
        return mk._icon; }""", inc["id"]).as_element()
    assert icon is not None
    icon.click()
    popup = m.page.locator(f'.leaflet-popup-content .bm-popup[data-incident="{inc["id"]}"]')
    popup.wait_for(state="visible", timeout=5_000)
    rows = popup.locator(".bm-claims li.bm-claim").count()
    assert rows == inc["claim_count"] == len(inc["claims"])
    text = " ".join(popup.inner_text().split())
    for claim in inc["claims"]:
        name = claim.get("claimant") or claim.get("organisation")
        assert name, claim
        assert " ".join(name.split()) in text, f"{name!r} missing from the popup"
    assert m.errors == [] and m.console_errors() == []


def _open_section(m: Opened, key: str):
    """Open a panel section and wait for its ``toggle`` event (fired asynchronously: the list
    is drawn by it), so what follows sees the section's content."""
    m.js("""k => new Promise(resolve => {
        const d = document.querySelector('details.bm-sec-' + k);
        if (d.open) { resolve(); return; }
        d.addEventListener('toggle', () => setTimeout(resolve, 0), {once: true});
        d.open = true; })""", key)


@pytest.mark.browser
def test_layer_control_and_side_filters(seed_build, seed_map):
    from border_map.render.symbols import SIDE_LABELS

    m = seed_map
    _open_section(m, "layers")
    overlays = m.page.locator(".bm-side .leaflet-control-layers-overlays")

    def label(text: str):
        loc = overlays.locator("label").filter(
            has_text=re.compile(r"^\s*" + re.escape(text) + r"\s*$"))
        assert loc.count() == 1, f"layer control entry {text!r}"
        return loc

    def on_map(text: str) -> bool:
        return m.js("l => window.borderMap.map.hasLayer(window.borderMap.namedLayers[l])", text)

    line_paths = m.page.locator(f'.leaflet-overlay-pane svg path[stroke="{LINE_COLOUR}"]')
    label(LINE_LABEL).click()
    assert not on_map(LINE_LABEL)
    assert line_paths.count() == 0
    assert on_map(BANDS_LABEL)
    label(LINE_LABEL).click()
    assert on_map(LINE_LABEL)
    assert line_paths.count() >= 1

    located = _located(seed_build.incidents)
    total = len(located)
    per_side = Counter(s if s in ("AF", "PK") else None for s in located["side"])
    _open_section(m, "filters")
    sides = m.page.locator(".bm-sec-filters fieldset").filter(has_text="Side of the line")
    visible = "() => window.borderMap.visibleMarkers()"
    icons = m.page.locator(".leaflet-marker-icon.bm-icon")
    for side, n in per_side.items():
        box = sides.locator("label").filter(has_text=SIDE_LABELS[side]).locator("input")
        assert m.js(visible) == total
        box.uncheck()
        assert m.js(visible) == total - n, side
        assert icons.count() == total - n, side
        box.check()
        assert m.js(visible) == total
        assert icons.count() == total


@pytest.mark.browser
@pytest.mark.parametrize("variant", ["plain", "clustered"])
def test_xss_is_inert(xss_build, xss_maps, variant, open_map):
    assert XSS_FILE.exists()
    n = len(_located(xss_build.incidents))
    assert n == len(xss_build.incidents) == 2
    m = open_map(xss_maps[variant])
    assert m.js("() => window.borderMap.clustered") is (variant == "clustered")
    assert m.js("() => window.borderMap.markers.length") == n
    popups = m.js("""async () => { const bm = window.borderMap, all = [];
        for (const mk of bm.markers) {
            // a clustered marker is on the map only once its cluster is opened
            if (bm.clustered) await Promise.race([  // (never wait forever)
                new Promise(done => bm.layer.showMarker(mk, done)),
                new Promise(done => setTimeout(done, 5000))]);
            mk.openPopup();
            const el = document.querySelector('.leaflet-popup-content');
            all.push({id: mk.bm.id, text: el ? el.innerText : null,
                      imgs: el ? el.querySelectorAll('img').length : -1,
                      scripts: el ? el.querySelectorAll('script').length : -1,
                      hrefs: el ? [...el.querySelectorAll('[href]')].map(
                                      a => a.getAttribute('href')) : []});
            mk.closePopup();
        }
        return all; }""")
    # The search box lists hostile names as text too.
    found = m.js("""() => { window.borderMap.search('<');
        const ul = document.querySelector('.bm-search ul');
        return {n: ul.querySelectorAll('li').length, text: ul.innerText,
                markup: ul.querySelectorAll('img,script,b,i').length}; }""")
    assert found["n"] >= n and found["markup"] == 0 and "<img src=x" in found["text"], found
    # Give a stray onerror / inline script every chance to run.
    m.page.wait_for_timeout(300)
    m.page.wait_for_load_state("networkidle")
    assert m.js("() => typeof window.__xss") == "undefined"
    assert len(popups) == n
    for p in popups:
        assert p["text"] is not None, p["id"]
        assert "<script>window.__xss=1</script>" in p["text"], p["id"]
        assert '<img src=x onerror="window.__xss=2">' in p["text"], p["id"]
        assert '"quotes" & ampersands' in p["text"], p["id"]
        assert p["imgs"] == 0 and p["scripts"] == 0, p
        assert not any(h.strip().lower().startswith("javascript:") for h in p["hrefs"]), p
    everywhere = m.js("""() => ({
        hrefs: [...document.querySelectorAll('[href]')].map(a => a.getAttribute('href')),
        imgs: document.querySelectorAll('img').length,
        handlers: document.querySelectorAll('[onerror],[onload],[onclick]').length})""")
    assert not [h for h in everywhere["hrefs"] if "javascript:" in h.lower()]
    assert everywhere["imgs"] == 0 and everywhere["handlers"] == 0, everywhere
    # Nor in the file, not even inside the popup strings of the script (href=\"javascript:...).
    html_text = Path(xss_maps[variant]).read_text(encoding="utf-8")
    assert not re.search(r"""href\s*=\s*\\?["']?\s*javascript:""", html_text, re.IGNORECASE)
    # An <img src=x> that became markup would have requested file:///.../x.
    assert m.foreign_requests() == [], m.foreign_requests()
    assert m.errors == [] and m.console_errors() == []


@pytest.mark.browser
def test_popup_built_in_the_browser_matches_the_python_popup(seed_build, seed_map):
    """One popup, two builders: the page's (from the data block) and popup_html (the baseline's)."""
    from border_map.render.geojson import to_json_value
    from border_map.render.popup import popup_html

    gdf = seed_build.incidents
    records = gdf.drop(columns=gdf.geometry.name).to_dict(orient="records")
    expected = {r["id"]: popup_html({k: to_json_value(v) for k, v in r.items()}) for r in records}
    got = seed_map.js("""() => Object.fromEntries(window.borderMap.all.map(
        d => [d.id, window.borderMap.layer.popupHtml(d.i)]))""")
    assert set(got) == set(expected)
    for iid, html_text in got.items():
        assert html_text == expected[iid], iid


@pytest.mark.browser
def test_time_slider_changes_what_is_shown(seed_build, seed_map):
    located = _located(seed_build.incidents)
    total = len(located)
    m = seed_map
    days = m.js("() => window.borderMap.days")
    everything = seed_build.incidents  # unlocated incidents are on the timeline too
    assert days == sorted(set(everything["date_start"]) | set(everything["date_end"]))
    visible = "() => window.borderMap.visibleMarkers()"
    icons = m.page.locator(".leaflet-marker-icon.bm-icon")
    counter = m.page.locator(".bm-time .bm-time-count")

    def overlapping(start: str, end: str) -> int:
        return int(((located["date_start"] <= end) & (located["date_end"] >= start)).sum())

    # The API: one day shows the incidents whose date interval covers it.
    day = "2026-02-26"
    expected = overlapping(day, day)
    assert 0 < expected < total
    assert m.js("d => window.borderMap.setTimeWindow(d, d)", day) == expected
    assert m.js(visible) == expected and icons.count() == expected
    assert counter.inner_text() == f"{expected} of {total} incidents shown"
    assert m.js("() => window.borderMap.timeWindow()") == {"start": day, "end": day}
    # The control: drag the "From" thumb to the last day.
    m.js("() => window.borderMap.setTimeWindow()")
    assert m.js(visible) == total
    m.page.locator(".bm-time input.bm-time-start").fill(str(len(days) - 1))
    expected = overlapping(days[-1], days[-1])
    m.page.wait_for_function(f"() => window.borderMap.visibleMarkers() === {expected}",
                             timeout=5_000)
    assert icons.count() == expected
    assert m.page.locator(".bm-time .bm-time-range").inner_text() == days[-1]
    # A window with no incident at all, then everything again.
    assert m.js("() => window.borderMap.setTimeWindow('1990-01-01', '1990-12-31')") == 0
    assert icons.count() == 0
    assert m.js("() => window.borderMap.setTimeWindow(null, null)") == total
    assert m.errors == [] and m.console_errors() == []


@pytest.mark.browser
def test_heat_layer_is_drawn_and_follows_the_filters(seed_build, seed_map):
    total = len(_located(seed_build.incidents))
    m = seed_map
    assert HEAT_LABEL in m.js("() => Object.keys(window.borderMap.namedLayers)")
    on_map = "() => window.borderMap.map.hasLayer(window.borderMap.heatLayer)"
    assert m.js(on_map) is False and m.page.locator("canvas.bm-heat").count() == 0
    _open_section(m, "layers")
    m.page.locator(".leaflet-control-layers-overlays label").filter(has_text=HEAT_LABEL).click()
    assert m.js(on_map) is True
    assert m.page.locator("canvas.bm-heat").count() == 1
    painted = """() => { const c = document.querySelector('canvas.bm-heat');
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++; return n; }"""
    assert m.js("() => window.borderMap.heatLayer.stats.points") == total
    assert m.js(painted) > 1000
    day = "2026-02-26"
    expected = m.js("d => window.borderMap.setTimeWindow(d, d)", day)
    assert m.js("() => window.borderMap.heatLayer.stats.points") == expected < total
    m.js("() => window.borderMap.setTimeWindow('1990-01-01', '1990-01-02')")
    assert m.js("() => window.borderMap.heatLayer.stats.points") == 0
    assert m.js(painted) == 0
    assert m.errors == [] and m.console_errors() == []


@pytest.mark.browser
def test_fullscreen_measure_and_search_controls_work(seed_build, seed_map):
    m = seed_map
    page = m.page
    # Fullscreen: the button puts the map container in full screen and takes it out again.
    button = page.locator(".bm-fullscreen button")
    assert button.get_attribute("aria-pressed") == "false"
    pressed = "document.querySelector('.bm-fullscreen button').getAttribute('aria-pressed')"
    button.click()
    is_full = "window.borderMap.fullscreen.isFullscreen()"
    page.wait_for_function(f"() => {is_full} && {pressed} === 'true'", timeout=5_000)
    button.click()
    page.wait_for_function(f"() => !{is_full} && {pressed} === 'false'", timeout=5_000)
    # Measure: two clicks on the map give their great-circle distance.
    page.locator(".bm-measure button").click()
    assert m.js("() => window.borderMap.measure.isActive()") is True
    a, b = (480, 560), (640, 700)  # empty map, clear of markers and panels
    page.mouse.click(*a)
    page.mouse.click(*b)
    expected_km = m.js("""([a, b]) => { const map = window.borderMap.map;
        const r = map.getContainer().getBoundingClientRect();  // page -> container pixels
        const ll = p => map.containerPointToLatLng([p[0] - r.left, p[1] - r.top]);
        return map.distance(ll(a), ll(b)) / 1000; }""",
                       [list(a), list(b)])
    assert 20 < expected_km < 2000
    assert m.js("() => window.borderMap.measure.points().length") == 2
    measured = m.js("() => window.borderMap.measure.distanceKm()")
    assert measured == pytest.approx(expected_km, rel=1e-9)
    shown = page.locator(".bm-measure .bm-measure-out").inner_text()
    assert float(shown.split(" km")[0].replace(",", "")) == pytest.approx(expected_km, abs=0.06)
    assert page.locator(".leaflet-overlay-pane path[stroke='#222']").count() >= 1  # the path
    page.locator(".bm-measure button").click()
    state = "() => [window.borderMap.measure.isActive(), window.borderMap.measure.points().length]"
    assert m.js(state) == [False, 0]
    assert page.locator(".leaflet-popup").count() == 0  # the clicks opened nothing
    # Search: a place name finds the place and its incident; choosing the incident opens it.
    located = _located(seed_build.incidents)
    torkham = located[located["place"] == "Torkham"]
    assert len(torkham) == 1
    page.locator(".bm-search input").fill("torkham")
    page.locator(".bm-search li button.bm-search-incident").first.wait_for(timeout=5_000)
    place = page.locator(".bm-search li button.bm-search-place").first
    assert place.inner_text().startswith("Torkham")
    page.locator(".bm-search li button.bm-search-incident").first.click()
    iid = torkham.iloc[0]["id"]
    popup = page.locator(f'.leaflet-popup-content .bm-popup[data-incident="{iid}"]')
    popup.wait_for(state="visible", timeout=5_000)
    # The API: claimants are searched too; nothing matches nonsense.
    claimant = next(c["organisation"] for c in located.iloc[0]["claims"] if c.get("organisation"))
    found = m.js("t => window.borderMap.search(t)", claimant)
    assert any(r["kind"] == "incident" and r["id"] == located.iloc[0]["id"] for r in found), found
    assert m.js("() => window.borderMap.search('zzzz no such place')") == []
    assert page.locator(".bm-search li").inner_text() == "No incident shown matches."
    assert m.errors == [] and m.console_errors() == []


@pytest.mark.browser
def test_province_level_incident_draws_its_province(seed_build, seed_map):

    from border_map.render.map_geometry import admin_polygons

    located = _located(seed_build.incidents)
    province = located[located["place_id"].isin(list(admin_polygons()))
                       & (located["location_source"] == "gazetteer")]
    assert len(province) >= 1, "the seed story has incidents placed only by an Afghan province"
    m = seed_map
    drawn = m.js("""() => window.borderMap.uncertainty.getLayers().map(l => l.getBounds ?
        [l instanceof L.Circle ? 'circle' : 'polygon', l.getBounds().toBBoxString()] : null)""")
    polygons = [bbox for kind, bbox in drawn if kind == "polygon"]
    circles = [bbox for kind, bbox in drawn if kind == "circle"]
    assert len(polygons) == len(set(zip(province["place_id"], province["side"], strict=True)))
    assert len(circles) == len(located) - len(province)
    assert m.page.locator("path.bm-unc-province").count() == len(polygons)
    # Each polygon is its province's outline (simplified for display), not a circle.
    bounds = {pid: geom.bounds for pid, (_name, geom) in admin_polygons().items()}
    for pid in set(province["place_id"]):
        want = bounds[pid]
        assert any(all(abs(float(x) - w) < 0.02 for x, w in zip(bbox.split(","), want, strict=True))
                   for bbox in polygons), (pid, want, polygons)
    # The circles are light: dashed, barely filled.
    style = m.js("""() => { const p = document.querySelector('path.bm-unc-circle');
        return [p.getAttribute('stroke-dasharray'), +p.getAttribute('fill-opacity')]; }""")
    assert style[0] and style[1] <= 0.05
    # And the layer control hides them all.
    _open_section(m, "layers")
    overlays = m.page.locator(".leaflet-control-layers-overlays label")
    overlays.filter(has_text="Location uncertainty").click()
    assert m.page.locator("path.bm-unc").count() == 0


@pytest.mark.browser
def test_osm_tiles_load_only_when_chosen_and_countries_stay_underneath(seed_map):
    m = seed_map
    countries = m.page.locator(".leaflet-bm-countries-pane path")
    assert countries.count() == 2
    assert m.foreign_requests() == []
    _open_section(m, "layers")
    m.page.locator(".leaflet-control-layers-base label").filter(has_text="OpenStreetMap").click()
    m.page.wait_for_timeout(300)
    tiles = [u for u in m.foreign_requests() if "tile.openstreetmap.org" in u]
    assert tiles, "choosing the OpenStreetMap layer should request its tiles"
    # Every tile failed here (no network): the shipped countries are still drawn below the tiles.
    assert countries.count() == 2
    z = m.js("""() => ['bm-countries', 'tile'].map(p =>
        +getComputedStyle(window.borderMap.map.getPane(p === 'tile' ? 'tilePane' : p)).zIndex)""")
    assert z[0] < z[1]
    assert m.errors == []


@pytest.mark.browser
def test_large_input_is_clustered_and_popups_open_from_clusters(cluster_build, cluster_map):
    from border_map.render.map_plugins import IncidentLayer
    from border_map.render.symbols import SIDE_LABELS

    gdf, path = cluster_build
    n_all = len(gdf)
    m = cluster_map
    page = m.page
    assert IncidentLayer.COMPRESSED_TYPE in path.read_text(encoding="utf-8")[:2_000_000]
    assert m.js("() => [window.borderMap.clustered, window.borderMap.markers.length, "
                "window.borderMap.visibleMarkers()]") == [True, n_all, n_all]
    assert page.locator(".bm-cluster").count() > 0
    assert page.locator(".leaflet-marker-icon.bm-icon").count() < 500
    # Clusters never span the line: each holds the incidents of one side only, and its ring
    # says how many of them are certainly on that side.
    clusters = m.js("() => window.borderMap.layer.clusters()")
    assert clusters and sum(c["n"] for c in clusters) <= n_all
    assert all(c["sides"] == [c["side"]] for c in clusters), clusters[:5]
    assert page.locator(".bm-cluster svg circle[stroke-dasharray]").count() == len(clusters)
    assert page.locator(".bm-cluster").first.get_attribute("aria-label").endswith(
        "certainly on this side)")
    # An incident inside a cluster: the map zooms to it and opens its popup, with every claim.
    explicit = set(gdf.loc[gdf["location_source"] == "explicit", "id"])  # a place of its own
    iid = m.js("""ids => { const bm = window.borderMap, own = new Set(ids);
        return bm.markers.find(mk => !mk._map && own.has(mk.bm.id)).bm.id; }""", sorted(explicit))
    row = gdf[gdf["id"] == iid].iloc[0]
    assert m.js("id => window.borderMap.open(id)", iid) is True
    popup = page.locator(f'.leaflet-popup-content .bm-popup[data-incident="{iid}"]')
    popup.wait_for(state="visible", timeout=10_000)
    assert popup.locator(".bm-claims li.bm-claim").count() == row["claim_count"]
    # ... and a real click on its (now unclustered) marker opens it again.
    m.js("() => { window.borderMap.map.closePopup(); }")  # (returning the map would serialise it)
    icon = page.evaluate_handle("""id => {
        const mk = window.borderMap.markers.find(x => x.bm.id === id);
        mk.setZIndexOffset(1e7); return mk._icon; }""", iid).as_element()
    assert icon is not None
    box = icon.bounding_box()  # a real mouse click on it (spiderfied markers keep animating)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup.wait_for(state="visible", timeout=5_000)
    # The filters still work on clustered markers.
    n_pk = int((gdf["side"] == "PK").sum())
    _open_section(m, "filters")
    label = page.locator(".bm-sec-filters fieldset").filter(has_text="Side of the line").locator(
        "label").filter(has_text=SIDE_LABELS["PK"]).locator("input")
    label.uncheck()
    assert m.js("() => window.borderMap.visibleMarkers()") == n_all - n_pk
    label.check()
    assert m.js("() => window.borderMap.visibleMarkers()") == n_all
    month = ("2024-03-01", "2024-03-31")
    expected = int(((gdf["date_start"] <= month[1]) & (gdf["date_end"] >= month[0])).sum())
    assert m.js("w => window.borderMap.setTimeWindow(w[0], w[1])", list(month)) == expected
    assert m.foreign_requests() == []
    assert m.errors == [] and m.console_errors() == []


@pytest.mark.browser
def test_screenshot(seed_map):
    m = seed_map
    m.page.wait_for_load_state("networkidle")
    OUTPUTS.mkdir(exist_ok=True)
    png = m.page.screenshot(path=str(OUTPUTS / "map.png"), full_page=False)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert m.js("() => [window.innerWidth, window.innerHeight]") == [1280, 800]
    # The side panel sits beside the map, not over it; the map's own controls do not overlap.
    boxes = m.js("""() => ['.bm-side', '.folium-map', '.bm-fullscreen', '.bm-measure',
                           '.leaflet-control-zoom'].map(s => {
        const r = document.querySelector(s).getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom]; })""")
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if b is boxes[1] or a is boxes[1] and b is not boxes[0]:
                continue  # the controls are on the map
            overlap = a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
            assert not overlap, f"panels overlap: {a} {b}"
    if os.environ.get("BORDER_MAP_UPDATE_DOCS") == "1":
        DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
        DOCS_SCREENSHOT.write_bytes(png)


# --------------------------------------------------------------------------- no browser needed


def test_offline_build_references_nothing_online(seed_build):
    text = Path(seed_build.outputs["map"]).read_text(encoding="utf-8")
    assert not re.search(r"""<(script|link|img)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?//""",
                         text, re.IGNORECASE), "the offline map loads something from the network"


def test_cdn_build_uses_https_urls(tmp_path):
    from border_map.pipeline import build

    result = build(None, tmp_path, cdn=True)
    text = Path(result.outputs["map"]).read_text(encoding="utf-8")
    assert "cdn.jsdelivr.net" in text
    srcs = re.findall(r"""<script\b[^>]*\bsrc\s*=\s*["']([^"']+)""", text, re.IGNORECASE)
    assert srcs and all(s.startswith("https://") for s in srcs), srcs


def test_build_is_deterministic(seed_build, tmp_path):
    from border_map.pipeline import build

    again = build(None, tmp_path)
    first = Path(seed_build.outputs["map"]).read_bytes()
    assert Path(again.outputs["map"]).read_bytes() == first
    assert (Path(again.outputs["geojson"]).read_bytes()
            == Path(seed_build.outputs["geojson"]).read_bytes())


# --------------------------------------------------------------------- issue 20: the analyst's map

# The share of the map covered by panels and controls: the topmost element at each point of a
# 40 x 40 grid over the map, counted when it is not the map itself (panes, markers, shapes).
COVERAGE = """() => {
    const r = document.querySelector('.folium-map').getBoundingClientRect();
    let covered = 0, total = 0;
    for (let i = 0; i < 40; i++) for (let j = 0; j < 40; j++) {
        const x = r.left + (i + 0.5) * r.width / 40, y = r.top + (j + 0.5) * r.height / 40;
        const el = document.elementFromPoint(x, y);
        total++;
        if (el && el.closest('.leaflet-control, .bm-side, .bm-header')) covered++;
    }
    return covered / total; }"""


@pytest.mark.browser
def test_phone_layout_leaves_the_map_free_and_popups_fit(seed_build, open_map):
    m = open_map(seed_build.outputs["map"], viewport=PHONE)
    page = m.page
    coverage = m.js(COVERAGE)
    assert coverage <= 0.25, f"{coverage:.0%} of the map covered at load on a phone"
    if os.environ.get("BORDER_MAP_UPDATE_DOCS") == "1":  # the phone at load, as first seen
        page.screenshot(path=str(ROOT / "docs" / "screenshot-phone.png"))
    # every located incident is in the first view, none under a panel
    assert m.js("""() => window.borderMap.markers.every(mk => {
        const r = mk._icon.getBoundingClientRect();
        const el = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return el && !!el.closest('.leaflet-marker-pane'); })""")
    # one toggle opens the panel as a bottom sheet, and closes it again
    toggle = page.locator(".bm-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator(".bm-side").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true" and page.locator(".bm-side").is_visible()
    box = page.locator(".bm-side").bounding_box()
    assert box["width"] <= PHONE["width"] and box["y"] + box["height"] <= PHONE["height"] + 1
    toggle.click()
    assert not page.locator(".bm-side").is_visible()
    # a popup with several claims fits the screen
    iid = m.js("""() => { const bm = window.borderMap;
        const mk = bm.markers.reduce((a, b) => bm.layer.claimsOf(b.bm.i).length
                                       > bm.layer.claimsOf(a.bm.i).length ? b : a);
        mk.openPopup(); return mk.bm.id; }""")
    popup = page.locator(f'.leaflet-popup-content .bm-popup[data-incident="{iid}"]')
    popup.wait_for(state="visible", timeout=5_000)
    page.wait_for_timeout(400)  # auto-pan
    r = page.locator(".leaflet-popup").bounding_box()
    assert r["x"] >= 0 and r["x"] + r["width"] <= PHONE["width"], r
    assert r["width"] <= PHONE["width"] - 20
    assert m.errors == [] and m.console_errors() == []


def _close_popup(m: Opened):
    """Close the open popup and wait until it has faded out (not returning the map: Playwright
    would serialise the whole Leaflet object graph, seconds per call)."""
    m.js("() => { window.borderMap.map.closePopup(); }")
    m.page.locator(".leaflet-popup").wait_for(state="detached", timeout=5_000)


@pytest.mark.browser
def test_honest_popup_in_the_page(seed_map):
    m = seed_map
    assert m.js("id => window.borderMap.open(id)", "2026-02-26-clash-kurram") is True
    head = m.page.locator(".leaflet-popup-content .bm-headline")
    head.wait_for(state="visible", timeout=5_000)
    assert head.inner_text() == "likely Pakistani side — within 10 km: possible"
    _close_popup(m)
    m.js("id => window.borderMap.open(id)", "2026-02-21-airstrikes-nangarhar")
    pop = m.page.locator('.leaflet-popup-content .bm-popup'
                         '[data-incident="2026-02-21-airstrikes-nangarhar"]')
    pop.wait_for(state="visible", timeout=5_000)
    assert "claims may contradict each other" in pop.inner_text()
    # claims are compact at 420 px: no claim is wider than the popup, no horizontal scroll
    m.page.set_viewport_size({"width": 420, "height": 800})
    _close_popup(m)
    m.js("id => window.borderMap.open(id)", "2026-02-21-airstrikes-nangarhar")
    pop.wait_for(state="visible", timeout=5_000)
    widths = m.js("""() => { const c = document.querySelector('.leaflet-popup-content');
        const p = document.querySelector('.leaflet-popup');
        return [c.scrollWidth, c.clientWidth, p.offsetWidth]; }""")
    assert widths[0] <= widths[1] + 1 and widths[2] <= 420, widths


@pytest.mark.browser
def test_keyboard_controls_first_markers_by_roving_focus_and_the_list(seed_build, seed_map):
    m = seed_map
    page = m.page
    # Tab from the top: the header's toggle, then the panel's controls, before any marker.
    page.keyboard.press("Tab")
    first = m.js("() => document.activeElement.className")
    assert "bm-toggle" in first
    reached_marker_at = reached_zoom_at = None
    for k in range(1, 80):
        page.keyboard.press("Tab")
        info = m.js("""() => { const a = document.activeElement;
            return [!!a.closest('.leaflet-marker-icon'),
                    a.classList.contains('leaflet-control-zoom-in')]; }""")
        if info[0] and reached_marker_at is None:
            reached_marker_at = k
        if info[1]:
            reached_zoom_at = k
            break
    assert reached_zoom_at is not None and reached_zoom_at < 60, reached_zoom_at
    assert reached_marker_at is None  # markers are not Tab stops (roving focus, or the list)
    # Enter on a focused marker opens its popup and moves focus into it (no click first).
    iid = "2026-02-26-clash-kurram"
    i = m.js("id => window.borderMap.layer.indexOf(id)", iid)
    assert m.js("i => window.borderMap.layer.focusMarker(i)", i) is True
    page.keyboard.press("Enter")
    page.locator(f'.bm-popup[data-incident="{iid}"]').wait_for(state="visible", timeout=5_000)
    assert m.js("() => !!document.activeElement.closest('.leaflet-popup')") is True
    # Escape closes it and focus goes back to the marker; arrows move to a neighbour.
    page.keyboard.press("Escape")
    page.locator(".leaflet-popup").wait_for(state="detached", timeout=5_000)
    assert m.js("() => +document.activeElement.getAttribute('data-i')") == i
    page.keyboard.press("ArrowUp")
    j = m.js("() => +document.activeElement.getAttribute('data-i')")
    assert j != i and m.js("() => document.activeElement.tabIndex") == 0
    page.keyboard.press(" ")
    page.locator(".leaflet-popup .bm-popup").wait_for(state="visible", timeout=5_000)
    # The list reaches every incident, the unlocated one too.
    m.js("() => { window.borderMap.map.closePopup(); }")
    _open_section(m, "list")
    rows = page.locator(".bm-list li")
    assert rows.count() == len(seed_build.incidents)
    unlocated = page.locator(".bm-list li.bm-unlocated")
    assert unlocated.count() == 1 and "not located" in unlocated.inner_text()
    unlocated.locator("button").press("Enter")
    detail = page.locator(".bm-detail .bm-popup")
    detail.wait_for(state="visible", timeout=5_000)
    assert "more than 70" in detail.inner_text().lower() or "over 70" in detail.inner_text().lower()
    assert m.js("() => !!document.activeElement.closest('.bm-detail')") is True
    # A row of a located incident opens its popup; the selected row is marked.
    row = page.locator(f'.bm-list button[data-id="{iid}"]')
    row.click()
    page.locator(f'.leaflet-popup .bm-popup[data-incident="{iid}"]').wait_for(timeout=5_000)
    assert page.locator(f'.bm-list li[aria-current="true"] button[data-id="{iid}"]').count() == 1
    assert m.errors == [] and m.console_errors() == []


AXE_VERSION = "4.10.3"


@pytest.fixture(scope="module")
def axe_js():
    """axe-core from the npm registry, installed once into a cache outside the repository."""
    import shutil
    import subprocess

    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "border-map-tests"
    script = cache / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed: cannot install axe-core for the accessibility check")
        cache.mkdir(parents=True, exist_ok=True)
        run = subprocess.run([npm, "install", "--no-save", "--prefix", str(cache),
                              f"axe-core@{AXE_VERSION}"], capture_output=True, text=True,
                             timeout=300)
        if run.returncode != 0 or not script.exists():
            pytest.skip(f"npm could not install axe-core@{AXE_VERSION}: "
                        f"{(run.stderr or run.stdout).strip().splitlines()[-1:]}")
    return script


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_axe_finds_no_serious_or_critical_violation(seed_build, open_map, axe_js, viewport):
    m = open_map(seed_build.outputs["map"], viewport=VIEWPORT if viewport == "desktop" else PHONE)
    if viewport == "phone":
        m.page.locator(".bm-toggle").click()
    m.js("() => document.querySelectorAll('details.bm-sec').forEach(d => { d.open = true; })")
    m.js("id => window.borderMap.open(id)", "2026-02-26-clash-kurram")
    m.page.locator(".leaflet-popup .bm-popup").wait_for(state="visible", timeout=5_000)
    m.page.wait_for_timeout(400)  # the popup's fade-in: colours are measured when it is opaque
    assert _axe_serious(m, axe_js) == []


@pytest.mark.browser
def test_filters_drive_markers_summary_timeline_and_list(cluster_build, cluster_map):
    gdf, _ = cluster_build
    m = cluster_map
    page = m.page
    _open_section(m, "filters")
    _open_section(m, "list")
    n = len(gdf)
    shown = "() => window.borderMap.shownAll()"
    assert m.js(shown) == n
    # event type
    clash = int((gdf["event_type"] == "armed_clash").sum())
    box = page.locator(".bm-sec-filters fieldset").filter(has_text="Event type").locator(
        "label").filter(has_text="Armed clash").locator("input")
    box.uncheck()
    assert m.js(shown) == n - clash
    page.wait_for_function(f"() => document.querySelector('.bm-count').textContent"
                           f".startsWith('{n - clash:,} of')", timeout=5_000)
    summary = page.locator(".bm-sec-summary").inner_text()
    assert f"{n - clash:,} incidents" in summary
    hist = m.js("() => window.borderMap.timeControl.histogram().reduce((a, b) => a + b, 0)")
    assert hist == n - clash
    assert page.locator(".bm-list-info").inner_text().startswith(f"{n - clash:,} incidents")
    box.check()
    # claim status: only incidents with a denied claim
    denied = int(gdf["claims"].map(lambda cl: any(c["status"] == "denied" for c in cl)).sum())
    statuses = page.locator(".bm-sec-filters fieldset").filter(has_text="Claim status")
    for st in ("unverified", "disputed", "confirmed"):
        statuses.locator("label").filter(has_text=st).locator("input").uncheck()
    assert m.js(shown) == denied
    for st in ("unverified", "disputed", "confirmed"):
        statuses.locator("label").filter(has_text=st).locator("input").check()
    # claimed deaths range, with the list sorted by deaths
    def kmax(cl):
        vals = [f.get("high") if f.get("high") is not None else f.get("low")
                for c in cl for f in c["figures"] if f["kind"] == "killed"]
        return max([v for v in vals if v is not None], default=-1)
    k = gdf["claims"].map(kmax)
    page.locator(".bm-f-kmin").fill("30")
    page.locator(".bm-f-kmax").fill("40")
    assert m.js(shown) == int(((k >= 30) & (k <= 40)).sum())
    page.locator(".bm-list-sort").select_option("deaths")
    first = page.locator(".bm-list .bm-row-deaths").first.inner_text()
    assert first == f"deaths claimed: up to {int(k[(k <= 40)].max())}"
    page.locator(".bm-f-kmin").fill("")
    page.locator(".bm-f-kmax").fill("")
    # contradicting only; band; precision; sector; claimant
    assert m.js("() => window.borderMap.setFilters({contra: true})") == int(
        gdf["conflicting_claims"].sum())
    m.js("() => window.borderMap.setFilters({contra: false})")
    page.locator(".bm-sec-filters fieldset").filter(has_text="Distance band").locator(
        "label").filter(has_text="beyond").locator("input").uncheck()
    assert m.js(shown) == int(gdf["band_km"].notna().sum())
    page.locator(".bm-reset").click()
    assert m.js(shown) == n
    sector = gdf["sector"].dropna().value_counts().index[0]
    page.locator(".bm-pick-sector > summary").click()
    pick = page.locator(".bm-pick-sector fieldset")
    m.js("""() => document.querySelectorAll('.bm-pick-sector input').forEach(cb => {
        cb.checked = false; })""")
    m.js("""s => { const bm = window.borderMap, st = {};
        bm.layer.sectors().forEach(x => { st[x[0]] = x[1] === s; });
        return bm.setFilters({sector: st}); }""", sector)
    assert m.js(shown) == int((gdf["sector"] == sector).sum())
    assert pick.count() == 1
    page.locator(".bm-reset").click()
    m.js("() => window.borderMap.setTimeWindow('2024-01-01', '2024-03-31')")
    expected = int(((gdf["date_start"] <= "2024-03-31") & (gdf["date_end"] >= "2024-01-01")).sum())
    assert m.js(shown) == expected
    assert m.errors == [] and m.console_errors() == []


@pytest.mark.browser
def test_timeline_brush_and_playback(cluster_build, cluster_map):
    m = cluster_map
    page = m.page
    canvas = page.locator("canvas.bm-hist")
    box = canvas.bounding_box()
    # drag across the middle of the histogram: the window follows while dragging
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.4, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, y, steps=4)
    page.wait_for_timeout(100)
    mid = m.js("() => window.borderMap.timeWindow()")
    page.mouse.move(box["x"] + box["width"] * 0.6, y, steps=4)
    page.mouse.up()
    page.wait_for_timeout(100)
    win = m.js("() => window.borderMap.timeWindow()")
    days = m.js("() => window.borderMap.days")
    assert days[0] < win["start"] < mid["end"] < win["end"] < days[-1], (mid, win)
    # sliding playback: the window keeps its width and moves on
    width = m.js("() => { const w = window.borderMap.timeWindow(); "
                 "return (Date.parse(w.end) - Date.parse(w.start)) / 864e5; }")
    page.locator(".bm-play-btn").click()
    page.wait_for_function("() => window.borderMap.timeControl.frames() >= 3", timeout=5_000)
    page.locator(".bm-play-btn").click()
    after = m.js("() => window.borderMap.timeWindow()")
    assert after["start"] > win["start"]
    assert m.js("() => { const w = window.borderMap.timeWindow(); "
                "return (Date.parse(w.end) - Date.parse(w.start)) / 864e5; }") == width
    # cumulative playback: the start stays on the first day
    page.locator(".bm-play-mode").select_option("cumul")
    done = m.js("() => window.borderMap.timeControl.frames()")
    page.locator(".bm-play-btn").click()
    page.wait_for_function(f"() => window.borderMap.timeControl.frames() >= {done + 2}",
                           timeout=5_000)
    page.locator(".bm-play-btn").click()
    assert m.js("() => window.borderMap.timeWindow().start") == days[0]
    assert m.errors == [] and m.console_errors() == []


@pytest.mark.browser
def test_url_hash_round_trips_view_filters_window_and_open_incident(cluster_build, cluster_map,
                                                                   open_map):
    gdf, path = cluster_build
    m = cluster_map
    iid = m.js("""() => { const bm = window.borderMap;
        bm.setFilters({contra: true, kmin: 5});
        bm.filters.type.shelling = false; bm.filters.side.AF = false; bm.layer.refresh();
        bm.setTimeWindow('2023-06-01', '2024-06-30');
        const i = bm.all.findIndex(d => d.located && bm.layer.isShown(d.i));
        bm.open(bm.all[i].id); return bm.all[i].id; }""")
    m.page.locator(f'.leaflet-popup .bm-popup[data-incident="{iid}"]').wait_for(timeout=10_000)
    m.page.wait_for_function("() => location.hash.includes('open=')", timeout=5_000)
    m.page.wait_for_timeout(600)  # the popup's auto-pan has ended and the hash follows it
    state = "() => { const bm = window.borderMap, c = bm.map.getCenter(); return {" \
            "n: bm.shownAll(), w: bm.timeWindow(), z: bm.map.getZoom(), " \
            "c: [c.lat, c.lng], f: JSON.stringify(bm.filters)}; }"
    before = m.js(state)
    hash_ = m.js("() => location.hash")
    assert "t=2023-06-01,2024-06-30" in hash_ and "contra=1" in hash_ and "xs=AF" in hash_
    again = open_map(path, hash_=hash_)
    again.page.locator(f'.leaflet-popup .bm-popup[data-incident="{iid}"]').wait_for(
        timeout=10_000)
    after = again.js(state)
    assert after["n"] == before["n"] and after["w"] == before["w"] and after["z"] == before["z"]
    assert after["f"] == before["f"]
    assert after["c"] == pytest.approx(before["c"], abs=0.01)
    assert again.page.locator(".bm-f-contra").is_checked()


@pytest.fixture(scope="module")
def formula_build(seed_build, tmp_path_factory):
    """The seed story with a place name that a spreadsheet would run as a formula."""
    from border_map.render.html import write_map

    gdf = seed_build.incidents.copy()
    gdf.loc[gdf.index[0], "place"] = "=HYPERLINK(\"http://x.invalid\",\"click\")"
    return gdf, write_map(gdf, tmp_path_factory.mktemp("formula") / "map.html")


@pytest.mark.browser
@pytest.mark.gdal
def test_export_of_the_filtered_selection(formula_build, open_map, tmp_path):
    import csv
    import shutil
    import subprocess

    gdf, path = formula_build
    m = open_map(path)
    m.js("() => window.borderMap.setTimeWindow('2025-10-01', '2026-02-21')")
    shown = m.js("() => window.borderMap.shownAll()")
    assert 0 < shown < len(gdf)
    _open_section(m, "export")
    with m.page.expect_download() as info:
        m.page.locator(".bm-export-geojson").click()
    gj = tmp_path / info.value.suggested_filename
    info.value.save_as(gj)
    doc = json.loads(gj.read_text(encoding="utf-8"))
    assert len(doc["features"]) == shown
    unloc = [f for f in doc["features"] if f["geometry"] is None]
    assert len(unloc) == 1 and unloc[0]["properties"]["side_wording"] == "not located"
    for f in doc["features"]:
        if f["geometry"]:
            row = gdf[gdf["id"] == f["id"]].iloc[0]
            assert f["geometry"]["coordinates"] == pytest.approx(
                [row.geometry.x, row.geometry.y], abs=1e-5)  # lon, lat
    ogrinfo = shutil.which("ogrinfo")
    if ogrinfo:
        out = subprocess.run([ogrinfo, "-ro", "-al", "-so", str(gj)], capture_output=True,
                             text=True, check=True).stdout
        assert f"Feature Count: {shown}" in out
    with m.page.expect_download() as info:
        m.page.locator(".bm-export-csv").click()
    cf = tmp_path / info.value.suggested_filename
    info.value.save_as(cf)
    rows = list(csv.DictReader(cf.open(encoding="utf-8", newline="")))
    assert len(rows) == shown
    place = [r["place"] for r in rows if "HYPERLINK" in r["place"]]
    assert place == ["'=HYPERLINK(\"http://x.invalid\",\"click\")"]
    assert not any(v.startswith(("=", "+", "@")) for r in rows for v in r.values() if v)
    # print: the title, legend and dispute note are printed, the controls are not
    m.page.emulate_media(media="print")
    assert m.page.locator(".bm-legend-panel").is_visible()
    assert m.page.locator(".bm-header h1").is_visible()
    assert not m.page.locator(".bm-sec-filters").is_visible()
    assert not m.page.locator(".bm-toggle").is_visible()
    assert m.errors == [] and m.console_errors() == []


@pytest.mark.browser
def test_context_basemap_provinces_and_places_by_zoom(seed_map):
    m = seed_map
    # province and unit boundaries of both countries, drawn without holes
    assert m.page.locator("path.bm-admin").count() == 42
    assert m.page.locator("path.bm-admin2").count() == 72  # Pakistani district lines
    holes = m.js("""() => { let n = 0; window.borderMap.map.eachLayer(l => {
        if (l.feature && l.feature.properties && l.feature.properties.iso_a2) {
            const g = l.feature.geometry;
            const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
            polys.forEach(p => { n += p.length - 1; });
        } }); return n; }""")
    assert holes == 0
    labels = "() => [...document.querySelectorAll('.bm-label')].map(e => e.textContent)"
    m.js("() => { window.borderMap.map.setView([34.0, 71.0], 6, {animate: false}); }")
    at6 = m.js(labels)
    admin = set(m.js("""() => [...document.querySelectorAll('.bm-label-admin')].map(
        e => e.textContent)"""))
    assert len(at6) >= 10 and set(at6) == admin, at6  # provinces only, no towns yet
    m.js("() => { window.borderMap.map.setView([34.0, 71.0], 9, {animate: false}); }")
    at9 = m.js(labels)
    assert {"Torkham", "Landi Kotal"} <= set(at9), at9
    assert len(at9) > len(at6)
    assert len(at9) <= 160  # one label per cell of the grid at most
    attribution = m.page.locator(".leaflet-control-attribution").inner_text()
    assert "Natural Earth" in attribution and "GeoNames" in attribution
    # rivers: thin blue lines in a pane under the boundaries, the bands and the incidents
    rivers = json.loads((ROOT / "geodata" / "basemap_rivers.geojson").read_text(encoding="utf-8"))
    assert m.page.locator("path.bm-river").count() == len(rivers["features"]) > 0
    style = m.js("""() => { const p = document.querySelector('path.bm-river');
        const z = n => +getComputedStyle(window.borderMap.map.getPane(n)).zIndex;
        return [p.getAttribute('stroke'), +p.getAttribute('stroke-width'),
                z('bm-rivers'), z('bm-admin'), z('overlayPane'), z('markerPane')]; }""")
    from border_map.render.symbols import RIVER_COLOUR

    assert style[0] == RIVER_COLOUR and style[1] <= 2
    assert style[2] < style[3] < style[4] < style[5], style
    # the Kunar at Asadabad is drawn there: a river path passes within 6 px of the town at
    # zoom 11 (its drawn segments, in the map's pixels)
    m.js("() => { window.borderMap.map.setView([34.873, 71.147], 11, {animate: false}); }")
    px = m.js("""() => { const bm = window.borderMap;
        const p = bm.map.latLngToLayerPoint([34.873, 71.147]);
        let best = Infinity;
        bm.map.eachLayer(l => {
            if (!l._path || !l._path.classList.contains('bm-river') || !l._parts) return;
            l._parts.forEach(ring => { for (let k = 1; k < ring.length; k++)
                best = Math.min(best, L.LineUtil.pointToSegmentDistance(p, ring[k - 1], ring[k]));
            }); });
        return best; }""")
    assert px <= 6, px
    assert "GSHHG" in attribution
    assert "River" in m.page.locator(".bm-legend-panel").inner_text()
    # the context overlay (with the rivers) can be switched off
    m.js("l => { window.borderMap.map.removeLayer(window.borderMap.namedLayers[l]); }",
         CONTEXT_LABEL)
    assert m.page.locator("path.bm-river").count() == 0


@pytest.mark.browser
def test_marker_size_by_claimed_deaths_is_optional(seed_build, seed_map):
    m = seed_map
    sizes = "() => window.borderMap.markers.map(mk => mk._icon.getBoundingClientRect().width)"
    assert set(m.js(sizes)) == {22}
    _open_section(m, "layers")
    m.page.locator(".bm-size-deaths input").check()
    by_id = m.js("""() => Object.fromEntries(window.borderMap.markers.map(
        mk => [mk.bm.id, mk._icon.getBoundingClientRect().width]))""")
    # "at least 70 fighters" killed: the largest size; no death figure: the smallest
    assert by_id["2026-02-21-airstrikes-nangarhar"] == 40
    assert by_id["2025-10-12-closure-torkham"] == 22
    m.page.locator(".bm-size-deaths input").uncheck()
    assert set(m.js(sizes)) == {22}


@pytest.mark.browser
def test_a_mangled_link_keeps_the_default_view(seed_build, open_map):
    m = open_map(seed_build.outputs["map"], hash_="#t=%E0%A4%A,zz&open=%&xs=<img>&kmin=x")
    m.page.wait_for_timeout(300)
    assert m.js("() => window.borderMap.visibleMarkers()") == len(_located(seed_build.incidents))
    assert m.errors == []


# ------------------------------------------------- issue 20 at 1,000 and at 100,000 incidents
# The features above that were driven on the seed story only (export, phone layout, keyboard and
# list, axe-core, heat) driven again on the clustered synthetic maps of ``cluster_build``, built
# once per module for each size.


def _side_checkbox(m: Opened, side: str):
    from border_map.render.symbols import SIDE_LABELS

    return m.page.locator(".bm-sec-filters fieldset").filter(has_text="Side of the line").locator(
        "label").filter(has_text=SIDE_LABELS[side]).locator("input")


@pytest.mark.browser
@pytest.mark.gdal
def test_export_of_the_filtered_selection_at_scale(cluster_build, cluster_map, tmp_path):
    import csv

    import pyogrio

    gdf, _ = cluster_build
    m = cluster_map
    # filters through the panel and the time window: no Pakistani side, first half of 2024
    _open_section(m, "filters")
    _side_checkbox(m, "PK").uncheck()
    window = ("2024-01-01", "2024-06-30")
    m.js("w => window.borderMap.setTimeWindow(w[0], w[1])", list(window))
    keep = ((gdf["side"] != "PK") & (gdf["date_start"] <= window[1])
            & (gdf["date_end"] >= window[0]))
    expected = set(gdf.loc[keep, "id"])
    assert 0 < len(expected) < len(gdf)
    assert m.js("() => window.borderMap.shownAll()") == len(expected)
    _open_section(m, "export")
    with m.page.expect_download(timeout=60_000) as info:
        m.page.locator(".bm-export-geojson").click()
    gj = tmp_path / info.value.suggested_filename
    info.value.save_as(gj)
    # read back by GDAL (pyogrio): every selected incident, nothing else, at its place
    assert pyogrio.read_info(gj)["features"] == len(expected)
    back = pyogrio.read_dataframe(gj)
    assert set(back["id"]) == expected and back["id"].is_unique
    assert (back.geometry.geom_type == "Point").all()
    ref = gdf.set_index("id").loc[back["id"]]
    assert back.geometry.x.to_numpy() == pytest.approx(ref.geometry.x.to_numpy(), abs=1e-5)
    assert back.geometry.y.to_numpy() == pytest.approx(ref.geometry.y.to_numpy(), abs=1e-5)
    assert set(back["side"].dropna()) <= {"AF"}
    assert (back["claim_count"].to_numpy() == ref["claim_count"].to_numpy()).all()
    with m.page.expect_download(timeout=60_000) as info:
        m.page.locator(".bm-export-csv").click()
    cf = tmp_path / info.value.suggested_filename
    info.value.save_as(cf)
    rows = list(csv.DictReader(cf.open(encoding="utf-8", newline="")))
    assert len(rows) == len(expected) and {r["id"] for r in rows} == expected
    assert not any(v.startswith(("=", "+", "@")) for r in rows for v in r.values() if v)
    assert m.errors == [] and m.console_errors() == []


@pytest.mark.browser
def test_phone_layout_at_scale(cluster_build, open_map):
    gdf, path = cluster_build
    m = open_map(path, viewport=PHONE)
    page = m.page
    coverage = m.js(COVERAGE)
    assert coverage <= 0.25, f"{coverage:.0%} of the map covered at load on a phone"
    # every cluster and marker drawn in the first view shows, none under a panel or control
    hidden = m.js("""() => [...document.querySelectorAll(
        '.leaflet-marker-pane .leaflet-marker-icon')].filter(el => {
        const r = el.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
        if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return false;
        const top = document.elementFromPoint(x, y);
        return !(top && top.closest('.leaflet-marker-pane')); }).length""")
    drawn = page.locator(".leaflet-marker-pane .leaflet-marker-icon").count()
    print(f"phone at {len(gdf):,}: {coverage:.1%} of the map covered, {hidden} of {drawn} "
          "markers and clusters under a control")
    assert drawn > 0 and hidden == 0, (hidden, drawn)
    toggle = page.locator(".bm-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator(".bm-side").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    box = page.locator(".bm-side").bounding_box()
    assert box["width"] <= PHONE["width"] and box["y"] + box["height"] <= PHONE["height"] + 1
    # a row of the list: the sheet closes, the map opens the incident, its popup fits
    _open_section(m, "list")
    first = page.locator(".bm-list button.bm-row").first
    iid = first.get_attribute("data-id")
    first.click()
    page.locator(f'.leaflet-popup .bm-popup[data-incident="{iid}"]').wait_for(
        state="visible", timeout=10_000)
    assert toggle.get_attribute("aria-expanded") == "false"
    page.wait_for_timeout(400)  # auto-pan
    r = page.locator(".leaflet-popup").bounding_box()
    assert r["x"] >= 0 and r["x"] + r["width"] <= PHONE["width"], r
    assert r["width"] <= PHONE["width"] - 20
    assert m.errors == [] and m.console_errors() == []


@pytest.mark.browser
def test_keyboard_and_list_at_scale(cluster_build, cluster_map):
    gdf, _ = cluster_build
    m = cluster_map
    page = m.page
    n = len(gdf)
    # Tab from the top: controls first, no marker or cluster is a Tab stop
    page.keyboard.press("Tab")
    assert "bm-toggle" in m.js("() => document.activeElement.className")
    reached_marker = reached_zoom_at = None
    for k in range(1, 80):
        page.keyboard.press("Tab")
        info = m.js("""() => { const a = document.activeElement;
            return [!!a.closest('.leaflet-marker-icon'),
                    a.classList.contains('leaflet-control-zoom-in')]; }""")
        if info[0]:
            reached_marker = k
        if info[1]:
            reached_zoom_at = k
            break
    assert reached_zoom_at is not None and reached_zoom_at < 60 and reached_marker is None
    # the list: every shown incident, 100 rows at first, more on demand
    _open_section(m, "list")
    rows = page.locator(".bm-list button.bm-row")
    assert page.locator(".bm-list-info").inner_text() == f"{n:,} incidents, first 100 listed"
    assert rows.count() == 100
    page.locator(".bm-list-more").click()
    assert rows.count() == 300
    by_id = gdf.set_index("id")

    def kmax(cl):
        vals = [f.get("high") if f.get("high") is not None else f.get("low")
                for c in cl for f in c["figures"] if f["kind"] == "killed"]
        return max([v for v in vals if v is not None], default=-1)

    keys = {"date-desc": lambda r: r["date_start"], "date-asc": lambda r: r["date_start"],
            "deaths": lambda r: kmax(r["claims"]),
            "distance": lambda r: r["distance_to_border_km"]}
    for mode, key in keys.items():
        page.locator(".bm-list-sort").select_option(mode)
        ids = m.js("() => [...document.querySelectorAll('.bm-list button.bm-row')]"
                   ".map(b => b.getAttribute('data-id'))")
        vals = [key(by_id.loc[i]) for i in ids]
        want = sorted(vals, reverse=mode in ("date-desc", "deaths"))
        if mode == "distance":  # the page sorts by tenths of a kilometre
            assert [round(v, 1) for v in vals] == [round(v, 1) for v in want], mode
        else:
            assert vals == want, mode
    # the sort by distance lists the nearest incidents of all: the first row is the minimum
    assert by_id.loc[ids[0], "distance_to_border_km"] == pytest.approx(
        gdf["distance_to_border_km"].min(), abs=0.05)
    # a row opens its incident (zooming into its cluster) and is marked as the selection
    row = rows.nth(5)
    iid = row.get_attribute("data-id")
    row.click()
    page.locator(f'.leaflet-popup .bm-popup[data-incident="{iid}"]').wait_for(
        state="visible", timeout=10_000)
    assert page.locator(f'.bm-list li[aria-current="true"] button[data-id="{iid}"]').count() == 1
    # the map's selection moves the mark: another incident opened from the map
    other = rows.nth(7).get_attribute("data-id")
    _close_popup(m)
    assert m.js("id => window.borderMap.open(id)", other) is True
    page.locator(f'.leaflet-popup .bm-popup[data-incident="{other}"]').wait_for(
        state="visible", timeout=10_000)
    assert page.locator('.bm-list li[aria-current="true"] button').get_attribute(
        "data-id") == other
    # roving focus on a marker drawn on its own (zoomed in to where clusters split): Enter
    # opens it, focus goes into the popup, Escape brings it back
    _close_popup(m)
    single = """() => { const mk = window.borderMap.markers.find(x => x._map && x._icon);
        return mk ? mk.bm.i : -1; }"""
    if m.js(single) < 0:
        m.js("""() => { const bm = window.borderMap;
            bm.map.setZoom(bm.map.getMaxZoom(), {animate: false}); }""")
    i = m.js(single)
    assert i >= 0
    assert m.js("i => window.borderMap.layer.focusMarker(i)", i) is True
    page.keyboard.press("Enter")
    opened = m.js("i => window.borderMap.all[i].id", i)
    page.locator(f'.leaflet-popup .bm-popup[data-incident="{opened}"]').wait_for(
        state="visible", timeout=5_000)
    assert m.js("() => !!document.activeElement.closest('.leaflet-popup')") is True
    page.keyboard.press("Escape")
    page.locator(".leaflet-popup").wait_for(state="detached", timeout=5_000)
    assert m.js("() => +document.activeElement.getAttribute('data-i')") == i
    # arrows move the focus to a neighbouring marker or cluster, which takes the Tab stop
    page.keyboard.press("ArrowUp")
    assert m.js("""i => { const a = document.activeElement;
        return !!a.closest('.leaflet-marker-icon') && a.tabIndex === 0
            && a.getAttribute('data-i') !== String(i); }""", i) is True
    assert m.errors == [] and m.console_errors() == []


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_axe_at_scale(cluster_build, open_map, axe_js, viewport):
    gdf, path = cluster_build
    m = open_map(path, viewport=VIEWPORT if viewport == "desktop" else PHONE)
    if viewport == "phone":
        m.page.locator(".bm-toggle").click()
    m.js("() => document.querySelectorAll('details.bm-sec').forEach(d => { d.open = true; })")
    m.page.locator(".bm-list button.bm-row").first.wait_for(timeout=5_000)
    if viewport == "desktop":  # (on a phone, opening an incident closes the sheet)
        iid = gdf.iloc[0]["id"]
        m.js("id => window.borderMap.open(id)", iid)
        m.page.locator(".leaflet-popup .bm-popup").wait_for(state="visible", timeout=10_000)
        m.page.wait_for_timeout(400)  # the popup's fade-in
    assert _axe_serious(m, axe_js) == []


@pytest.mark.browser
def test_heat_layer_follows_the_filters_at_scale(cluster_build, cluster_map):
    gdf, _ = cluster_build
    m = cluster_map
    n = len(gdf)
    _open_section(m, "layers")
    m.page.locator(".leaflet-control-layers-overlays label").filter(has_text=HEAT_LABEL).click()
    assert m.js("() => window.borderMap.map.hasLayer(window.borderMap.heatLayer)") is True
    points = "() => window.borderMap.heatLayer.stats.points"
    assert m.js(points) == n
    _open_section(m, "filters")
    _side_checkbox(m, "AF").uncheck()
    assert m.js(points) == n - int((gdf["side"] == "AF").sum())
    _side_checkbox(m, "AF").check()
    month = ("2024-03-01", "2024-03-31")
    expected = int(((gdf["date_start"] <= month[1]) & (gdf["date_end"] >= month[0])).sum())
    assert m.js("w => window.borderMap.setTimeWindow(w[0], w[1])", list(month)) == expected
    assert m.js(points) == expected
    painted = """() => { const c = document.querySelector('canvas.bm-heat');
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let k = 0; for (let i = 3; i < px.length; i += 4) if (px[i] > 0) k++; return k; }"""
    assert m.js(painted) > 1000
    assert m.errors == [] and m.console_errors() == []


@pytest.mark.browser
def test_search_layer_control_and_marker_size_at_scale(cluster_build, cluster_map):
    gdf, _ = cluster_build
    m = cluster_map
    page = m.page
    # search: the commonest place finds its incidents; choosing one opens it from its cluster
    place = gdf["place"].value_counts().index[0]
    ids = set(gdf.loc[gdf["place"] == place, "id"])
    page.locator(".bm-search input").fill(place)
    first = page.locator(".bm-search li button.bm-search-incident").first
    first.wait_for(timeout=10_000)
    found = m.js("t => window.borderMap.search(t)", place)
    hits = [r["id"] for r in found if r["kind"] == "incident"]
    assert hits and set(hits) <= ids, (place, hits[:5])
    first.click()
    popup = page.locator(".leaflet-popup .bm-popup")
    popup.wait_for(state="visible", timeout=10_000)
    assert popup.get_attribute("data-incident") in ids
    # the layer control: the line and the context (rivers) switch off and on
    _close_popup(m)
    _open_section(m, "layers")
    overlays = page.locator(".bm-side .leaflet-control-layers-overlays")
    for text, drawn in ((LINE_LABEL, f'.leaflet-overlay-pane svg path[stroke="{LINE_COLOUR}"]'),
                        (CONTEXT_LABEL, "path.bm-river")):
        label = overlays.locator("label").filter(
            has_text=re.compile(r"^\s*" + re.escape(text) + r"\s*$"))
        assert page.locator(drawn).count() >= 1
        label.click()
        assert page.locator(drawn).count() == 0, text
        label.click()
        assert page.locator(drawn).count() >= 1, text
    # marker size by claimed deaths: every marker takes the size of its largest claimed figure
    # (none, 1-9, 10-49, 50 or more: 22, 26, 32, 40 px), and back
    def kmax(cl):
        vals = [f.get("high") if f.get("high") is not None else f.get("low")
                for c in cl for f in c["figures"] if f["kind"] == "killed"]
        return max([v for v in vals if v is not None], default=-1)

    size = dict(zip(gdf["id"], gdf["claims"].map(kmax).map(
        lambda v: 40 if v >= 50 else 32 if v >= 10 else 26 if v >= 1 else 22), strict=True))
    # (markers are made when first drawn on their own: those made so far, by id)
    sizes = """() => window.borderMap.markers.filter(mk => mk).map(
        mk => [mk.bm.id, mk.options.icon.options.iconSize[0]])"""
    page.locator(".bm-size-deaths input").check()
    one_of_each = {px: iid for iid, px in size.items()}  # one incident of each size, drawn
    for iid in one_of_each.values():
        assert m.js("id => window.borderMap.open(id)", iid) is True
        page.locator(f'.leaflet-popup .bm-popup[data-incident="{iid}"]').wait_for(timeout=10_000)
        _close_popup(m)
    made = m.js(sizes)
    assert made and all(px == size[iid] for iid, px in made), made[:10]
    assert {px for _, px in made} == set(one_of_each)
    drawn = m.js("""() => [...document.querySelectorAll('.leaflet-marker-pane .bm-icon')].map(
        el => Math.round(el.getBoundingClientRect().width))""")
    assert set(drawn) <= {22, 26, 32, 40}
    page.locator(".bm-size-deaths input").uncheck()
    assert {px for _, px in m.js(sizes)} == {22}
    assert m.errors == [] and m.console_errors() == []


@pytest.mark.browser
def test_fullscreen_and_measure_at_scale(cluster_build, cluster_map):
    m = cluster_map
    page = m.page
    button = page.locator(".bm-fullscreen button")
    pressed = "document.querySelector('.bm-fullscreen button').getAttribute('aria-pressed')"
    is_full = "window.borderMap.fullscreen.isFullscreen()"
    button.click()
    page.wait_for_function(f"() => {is_full} && {pressed} === 'true'", timeout=5_000)
    button.click()
    page.wait_for_function(f"() => !{is_full} && {pressed} === 'false'", timeout=5_000)
    # two points of the map clear of markers, clusters, shapes and panels
    free = m.js("""() => { const r = document.querySelector('.folium-map').getBoundingClientRect();
        const out = [];
        for (let y = r.top + 120; y < r.bottom - 60 && out.length < 2; y += 37)
            for (let x = r.left + 80; x < r.right - 80 && out.length < 2; x += 41) {
                const el = document.elementFromPoint(x, y);
                if (el && el.classList.contains('folium-map')
                    && (!out.length || Math.hypot(x - out[0][0], y - out[0][1]) > 150))
                    out.push([x, y]);
            }
        return out; }""")
    assert len(free) == 2, free
    page.locator(".bm-measure button").click()
    for x, y in free:
        page.mouse.click(x, y)
    expected_km = m.js("""pts => { const map = window.borderMap.map;
        const r = map.getContainer().getBoundingClientRect();
        const ll = p => map.containerPointToLatLng([p[0] - r.left, p[1] - r.top]);
        return map.distance(ll(pts[0]), ll(pts[1])) / 1000; }""", free)
    assert m.js("() => window.borderMap.measure.points().length") == 2
    assert m.js("() => window.borderMap.measure.distanceKm()") == pytest.approx(expected_km,
                                                                               rel=1e-9)
    page.locator(".bm-measure button").click()
    assert m.js("() => window.borderMap.measure.isActive()") is False
    assert page.locator(".leaflet-popup").count() == 0  # the clicks opened nothing
    assert m.errors == [] and m.console_errors() == []
