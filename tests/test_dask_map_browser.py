"""A 100,000-event map with the aggregated (hexagon) layer, opened in headless Chromium.

The events are synthetic GDELT rows built by the in-process engine (the dask engine
writes a byte-identical map, see tests/test_engines.py). The page must load with
no console error and no network request, and its hexagons must hold every
located event exactly once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("h3", reason="the 'dask' extra is not installed")

pytestmark = pytest.mark.browser

# GDELT rows: ~5 % fall outside the region, ~2 % are country-level, 3 CAMEO codes of 18 are
# not violence; 130,000 rows leave more than 100,000 located events on the map.
N_ROWS = 130_000
N_EVENTS = 100_000


@pytest.fixture(scope="module")
def big_map(tmp_path_factory):
    from border_map.engine.synthetic import write_gdelt
    from border_map.pipeline import build

    root = tmp_path_factory.mktemp("big_map")
    src = write_gdelt(root / "events.export.tsv", N_ROWS, seed=11)
    result = build([src], root / "out", formats=["html"])
    assert result.map_kind == "hexagons"
    return result


@pytest.fixture(scope="module")
def page(big_map, browser):
    """The hexagon map in the shared browser (tests/conftest.py), every request recorded."""
    pg = browser.new_page(viewport={"width": 1280, "height": 800})
    errors, requests = [], []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        requests.append(r.request.url)
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            r.abort()

    try:
        pg.route("**/*", route)
        pg.goto(Path(big_map.outputs["map"]).resolve().as_uri())
        pg.wait_for_function("() => !!(window.borderMap && window.borderMap.hexLayer)",
                             timeout=60_000)
        yield pg, errors, requests
    finally:
        pg.close()


def test_page_loads_offline_without_errors(page, big_map):
    pg, errors, requests = page
    assert errors == []
    map_uri = Path(big_map.outputs["map"]).resolve().as_uri()
    assert [u for u in requests if u != map_uri] == []


def test_hexagons_hold_every_located_event(page, big_map):
    pg, _, _ = page
    cells, total = pg.evaluate("""() => {
        const f = window.borderMap.hexCells.features;
        return [f.length, f.reduce((s, x) => s + x.properties.count, 0)];
    }""")
    assert total == big_map.located >= N_EVENTS
    assert cells == big_map.hex_cells > 100
    drawn = pg.evaluate("() => window.borderMap.hexLayer.getLayers().length")
    assert drawn == cells
    assert pg.locator("path.leaflet-interactive").count() > 100


def test_cell_popup_drills_down(page):
    pg, errors, _ = page
    cell = pg.evaluate("""() => {
        const layers = window.borderMap.hexLayer.getLayers();
        const l = layers.reduce((a, b) => a.feature.properties.count >= b.feature.properties.count
                                ? a : b);
        l.openPopup(l.getBounds().getCenter());
        return l.feature.properties;
    }""")
    popup = pg.locator(".bm-hex-popup")
    popup.wait_for(timeout=10_000)
    assert popup.get_attribute("data-cell") == cell["cell"]
    assert f"{cell['count']:,} incidents" in popup.locator("h4").inner_text()
    pg.locator(".bm-hex-drill").click()
    rows = pg.locator(".bm-hex-list tr")
    assert rows.count() == 1 + min(10, cell["count"])
    assert errors == []
