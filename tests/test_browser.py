"""The HTML map in a real browser: headless Debian Chromium driven by Playwright.

One browser for the module, one fresh page (1280x800) per test, opened from a
``file://`` URL with every network request recorded and any http(s)/ws request
aborted, so nothing here can reach the internet even if the map tried to.

Chromium is Debian's ``/usr/bin/chromium`` (Playwright's own browser download is
not used). Without it, or without the ``playwright`` package, the browser tests
skip with the reason, except under CI (env ``CI`` set), where they fail: CI must
run them. ``BORDER_MAP_UPDATE_DOCS=1`` (``make docs``) also refreshes
``docs/screenshot.png``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
XSS_FILE = DATA / "xss_incidents.yaml"
OUTPUTS = ROOT / "outputs"
DOCS_SCREENSHOT = ROOT / "docs" / "screenshot.png"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 800}
LINE_LABEL = "Durand Line (de facto)"
BANDS_LABEL = "Distance bands"
LINE_COLOUR = "#b2182b"  # border_map.render.html.LINE_COLOUR
# The map is ready once the incident layer, the layer control and both panels exist.
READY = ("() => !!(window.borderMap && window.borderMap.markers && window.borderMap.layerControl"
         " && window.borderMap.namedLayers && document.querySelector('.bm-summary')"
         " && document.querySelector('.bm-legend-panel'))")


def _unavailable(reason: str):
    """Skip, or fail under CI: a CI run must exercise the browser tests."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: browser tests must run, not skip)", pytrace=False)
    pytest.skip(reason)


def _located(gdf):
    return gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def browser():
    try:
        sync_api = pytest.importorskip("playwright.sync_api",
                                       reason="the 'playwright' package is not installed")
    except pytest.skip.Exception as exc:
        _unavailable(str(exc.msg))
    exe = CHROMIUM if CHROMIUM.exists() else (Path(p) if (p := shutil.which("chromium")) else None)
    if exe is None:
        _unavailable(f"Debian chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(exe), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


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

    def _open(path: Path) -> Opened:
        ctx = browser.new_context(viewport=VIEWPORT, service_workers="block")
        contexts.append(ctx)
        # Belt and braces: anything aimed at the network is aborted (and still recorded).
        ctx.route(re.compile(r"^(https?|wss?|ftp)://"), lambda route: route.abort())
        page = ctx.new_page()
        opened = Opened(page, Path(path).resolve().as_uri())
        page.on("request", lambda req: opened.requests.append(req.url))
        page.on("console", lambda msg: opened.console.append((msg.type, msg.text)))
        page.on("pageerror", lambda err: opened.errors.append(str(err)))
        page.goto(opened.url, wait_until="load")
        # Every script is inline, so at "load" the map is complete, unless a script failed.
        ready = not opened.errors and page.evaluate(READY)
        if not ready and not opened.errors:
            try:
                page.wait_for_function(READY, timeout=5_000)
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


# --------------------------------------------------------------------------- browser tests


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
    assert any(n.startswith("Events: ") for n in names)
    assert any(n.startswith("Side: ") for n in names)


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
    rows = popup.locator(".bm-claims tr").count()
    assert rows - 1 == inc["claim_count"] == len(inc["claims"])
    text = " ".join(popup.inner_text().split())
    for claim in inc["claims"]:
        name = claim.get("claimant") or claim.get("organisation")
        assert name, claim
        assert " ".join(name.split()) in text, f"{name!r} missing from the popup"
    assert m.errors == [] and m.console_errors() == []


@pytest.mark.browser
def test_layer_control_toggles_line_and_side_filters(seed_build, seed_map):
    from border_map.render.html import SIDE_LABELS

    m = seed_map
    overlays = m.page.locator(".leaflet-control-layers-overlays")

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
    sides = [(f"Side: {SIDE_LABELS[s]}", n) for s, n in per_side.items()]
    names = m.js("() => Object.keys(window.borderMap.namedLayers)")
    assert sorted(n for n in names if n.startswith("Side: ")) == sorted(s for s, _ in sides)
    visible = "() => window.borderMap.visibleMarkers()"
    icons = m.page.locator(".leaflet-marker-icon.bm-icon")
    for text, n in sides:
        assert m.js(visible) == total
        label(text).click()
        assert not on_map(text)
        assert m.js(visible) == total - n, text
        assert icons.count() == total - n, text
        label(text).click()
        assert on_map(text)
        assert m.js(visible) == total
        assert icons.count() == total


@pytest.mark.browser
def test_xss_is_inert(xss_build, open_map):
    assert XSS_FILE.exists()
    n = len(_located(xss_build.incidents))
    assert n == len(xss_build.incidents) == 2
    m = open_map(xss_build.outputs["map"])
    assert m.js("() => window.borderMap.markers.length") == n
    popups = m.js("""() => window.borderMap.markers.map(mk => {
        mk.openPopup();
        const el = document.querySelector('.leaflet-popup-content');
        const out = {id: mk.bm.id, text: el ? el.innerText : null,
                     imgs: el ? el.querySelectorAll('img').length : -1,
                     scripts: el ? el.querySelectorAll('script').length : -1,
                     hrefs: el ? [...el.querySelectorAll('[href]')].map(
                                     a => a.getAttribute('href')) : []};
        mk.closePopup();
        return out; })""")
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
    html_text = Path(xss_build.outputs["map"]).read_text(encoding="utf-8")
    assert not re.search(r"""href\s*=\s*\\?["']?\s*javascript:""", html_text, re.IGNORECASE)
    # An <img src=x> that became markup would have requested file:///.../x.
    assert m.foreign_requests() == [], m.foreign_requests()
    assert m.errors == [] and m.console_errors() == []


@pytest.mark.browser
def test_screenshot(seed_map):
    m = seed_map
    m.page.wait_for_load_state("networkidle")
    OUTPUTS.mkdir(exist_ok=True)
    png = m.page.screenshot(path=str(OUTPUTS / "map.png"), full_page=False)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert m.js("() => [window.innerWidth, window.innerHeight]") == [1280, 800]
    # The panels do not cover each other.
    boxes = m.js("""() => ['.bm-summary', '.bm-legend-panel', '.leaflet-control-layers'].map(s => {
        const r = document.querySelector(s).getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom]; })""")
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
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
