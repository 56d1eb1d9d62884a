"""The HTML map at 1,000 / 10,000 / 100,000 incidents, against its baseline in the same run.

    python benchmarks/bench_map.py [--sizes 1000,10000,100000] [--baseline-max-n 100000]

For each size, N synthetic incidents (made programmatically, never stored: see
:func:`synthetic_incidents`) are analysed once, then two maps are built from the
same analysed frame and timed:

- **border-map**: :func:`border_map.render.html.build_map` + render + write (compact data
  block, popups built in the browser, clustering above the threshold);
- **baseline**: what a folium user writes, one ``folium.Marker`` with a ``folium.Popup``
  (the same popup HTML, from :func:`popup_html`) per incident, with the same inlined
  Leaflet so both are offline (and :data:`JQUERY_STUB` for the ``$`` folium's popups call).

Measured: build time (s), file size (MB), and load time in headless Debian Chromium
(Playwright, network blocked) from navigation to the first complete render: the map's
``borderMap.ready`` (every marker clustered or placed) for border-map, the ``load``
event for the baseline, each followed by two animation frames. Then, on border-map's page
(the baseline has no filter, timeline or playback to compare), each filter and time-window
change from the call to the second animation frame after it (the markers, clusters, summary,
timeline and list all redrawn): narrowing the window to a month, widening it to all, an
event type off and on, a side off and on, claim status, contradicting only, claimed deaths,
band; and playback, frames per second over 3 s. Prints a table and writes
``outputs/bench_map.json``.

Targets at the largest size (exit 1 when one is missed): load <= 3 s, every change <= 300 ms,
playback >= 10 frames/s, file <= 15 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from pyproj import Geod

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
GEOD = Geod(ellps="WGS84")

CLAIMANTS = {
    "PK": [
        ("Inter-Services Public Relations", "Pakistan Army"),
        (None, "Pakistani military"),
        ("Provincial police", "Khyber Pakhtunkhwa Police"),
        (None, "Pakistani officials"),
    ],
    "AF": [
        ("Zabihullah Mujahid", "Government of Afghanistan (Taliban)"),
        (None, "Afghan Ministry of Defence"),
        ("Provincial spokesman", "Afghan provincial administration"),
        (None, "Afghan border forces"),
    ],
    "third_party": [(None, "UNAMA"), ("Local residents", None), (None, "Hospital officials")],
}
OUTLETS = [
    ("Dawn", "www.dawn.com"),
    ("TOLOnews", "tolonews.com"),
    ("Reuters", "www.reuters.com"),
    ("Pajhwok", "pajhwok.com"),
    ("The Express Tribune", "tribune.com.pk"),
    ("Al Jazeera", "www.aljazeera.com"),
]
EVENT_WEIGHTS = {
    "armed_clash": 30,
    "shelling": 20,
    "airstrike": 10,
    "drone_strike": 10,
    "attack": 10,
    "remote_explosive": 6,
    "border_closure": 4,
    "outpost_captured": 4,
    "abduction": 3,
    "suicide_bomb": 2,
    "other": 1,
}


def synthetic_incidents(n: int, *, seed: int = 1, gazetteer=None, border=None):
    """``n`` plausible incidents near the line, built through the incident model.

    Two in three are placed by a gazetteer place near the line (a district, town,
    crossing or Afghan province: precision from the gazetteer, province polygons
    for provinces); the rest carry explicit coordinates within 80 km of the line
    (0.5-10 km precision) and the nearest such place as the place reported. Dates
    span 2023-2025 (one in five a range of days); 1-3 claims from different sides,
    with casualty figures, an outlet and an article URL shared by a few incidents.
    """
    from border_map.border import DurandLine
    from border_map.gazetteer import Gazetteer
    from border_map.incidents import (
        EVENT_TYPES,
        Claim,
        DateSpan,
        Figure,
        Incident,
        Location,
        PlaceRef,
        Source,
    )

    rng = np.random.default_rng(seed)
    gazetteer = gazetteer or Gazetteer.default()
    border = border or DurandLine.default()
    places = [
        p
        for p in gazetteer
        if p.kind in ("district", "town", "crossing", "province") and p.country in ("AF", "PK")
    ]
    plon = np.array([p.lon for p in places])
    plat = np.array([p.lat for p in places])
    near = border.distance_km(plon, plat) < 120
    places = [p for p, ok in zip(places, near, strict=True) if ok]
    plon, plat = plon[near], plat[near]

    line = np.asarray(border.line.coords)
    k = rng.integers(0, len(line), n)
    elon, elat, _ = GEOD.fwd(
        line[k, 0], line[k, 1], rng.uniform(0, 360, n), rng.uniform(0, 80_000, n)
    )
    types = [t for t in EVENT_WEIGHTS if t in EVENT_TYPES]
    weights = np.array([EVENT_WEIGHTS[t] for t in types], dtype=float)
    event = rng.choice(len(types), n, p=weights / weights.sum())
    explicit = rng.random(n) < 1 / 3
    place_pick = rng.integers(0, len(places), n)
    day0 = dt.date(2023, 1, 1)
    start = rng.integers(0, 3 * 365, n)
    length = np.where(rng.random(n) < 0.2, rng.integers(1, 7, n), 0)
    n_claims = rng.integers(1, 4, n)
    out = []
    for i in range(n):
        if explicit[i]:
            j = int(np.argmin((plon - elon[i]) ** 2 + (plat - elat[i]) ** 2))
            place = places[j]
            location = Location(
                lon=float(round(elon[i], 5)),
                lat=float(round(elat[i], 5)),
                precision_km=float(round(rng.uniform(0.5, 10), 1)),
            )
        else:
            place = places[place_pick[i]]
            location = None
        d0 = day0 + dt.timedelta(days=int(start[i]))
        d1 = d0 + dt.timedelta(days=int(length[i]))
        date = DateSpan(d0, d1, "range" if d1 != d0 else "day")
        sides = rng.permutation(["PK", "AF", "third_party"])[: n_claims[i]]
        claims = []
        for side in sides:
            who = CLAIMANTS[side][rng.integers(0, len(CLAIMANTS[side]))]
            outlet, domain = OUTLETS[rng.integers(0, len(OUTLETS))]
            killed = int(rng.integers(0, 40))
            figures = [Figure("killed", killed, killed + int(rng.integers(0, 3) * 5) or None)]
            if rng.random() < 0.4:
                figures.append(Figure("wounded", int(rng.integers(1, 60))))
            claims.append(
                Claim(
                    claimant=who[0],
                    organisation=who[1],
                    side=str(side),
                    date=d1,
                    figures=tuple(figures),
                    source=Source(
                        outlet=outlet, url=f"https://{domain}/news/{d1.isoformat()}/{i % 7}"
                    ),
                    status=("unverified", "disputed", "denied", "confirmed")[rng.integers(0, 4)],
                )
            )
        description = (
            f"Synthetic incident {i}: reported fighting near {place.name}."
            if rng.random() < 0.15
            else None
        )
        out.append(
            Incident(
                id=f"syn-{i:06d}",
                date=date,
                event_type=types[event[i]],
                actors=(),
                place=PlaceRef(place.name, id=place.id),
                location=location,
                description=description,
                claims=tuple(claims),
            )
        )
    return out


def analysed_frame(n: int, *, seed: int = 1, gazetteer=None, border=None):
    """The analysed GeoDataFrame of :func:`synthetic_incidents` (what ``build_map`` gets)."""
    from border_map.pipeline import analyse_incidents

    incidents = synthetic_incidents(n, seed=seed, gazetteer=gazetteer, border=border)
    gdf, problems = analyse_incidents(incidents, gazetteer=gazetteer, border=border)
    if problems:
        raise RuntimeError(f"synthetic incidents that could not be placed: {problems[:3]}")
    return gdf


def context_kb() -> dict:
    """kB that the inlined context basemap adds to every map, by layer (as the page holds it)."""
    from border_map.render.map_geometry import basemap_layers
    from border_map.render.map_plugins import script_json

    names = ("admin1", "places", "admin2", "rivers")
    return {k: len(script_json(v).encode("utf-8")) / 1e3
            for k, v in zip(names, basemap_layers(), strict=True)}


def build_ours(gdf, border, path: Path) -> float:
    from border_map.render.html import build_map, render_html

    t = time.perf_counter()
    text = render_html(build_map(gdf, border))
    path.write_text(text, encoding="utf-8")
    return time.perf_counter() - t


# folium's Popup turns its HTML into an element with jQuery, ``$(`html`)[0]``, and jQuery comes
# from a CDN. Offline, the baseline gets this stand-in instead: one <template> parse per popup,
# no cheaper than jQuery's own parsing, so the baseline is not made slower than it is.
JQUERY_STUB = """
;window.$ = function(html){ var t = document.createElement('template'); t.innerHTML = html;
  return [t.content.firstElementChild]; };
"""


def _default_icon_js() -> str:
    """Leaflet's default marker images as data URIs (offline, like everything else)."""
    import base64

    import xstatic.pkg.leaflet as leaflet

    images = Path(leaflet.BASE_DIR) / "images"
    names = {"iconUrl": "marker-icon.png", "iconRetinaUrl": "marker-icon-2x.png",
             "shadowUrl": "marker-shadow.png"}
    urls = {key: "data:image/png;base64," + base64.b64encode((images / name).read_bytes()).decode()
            for key, name in names.items()}
    return ";L.Icon.Default.mergeOptions(" + json.dumps(urls) + ");"


def build_baseline(gdf, path: Path) -> float:
    """One ``folium.Marker`` with a ``folium.Popup`` per incident (Leaflet inlined, as ours)."""
    import folium

    from border_map.render import assets
    from border_map.render.geojson import to_json_value
    from border_map.render.map_plugins import InlineAssets
    from border_map.render.popup import popup_html

    t = time.perf_counter()
    m = folium.Map(location=[32, 69], zoom_start=6, tiles=None)
    m.default_js, m.default_css = [], []
    leaflet_js, leaflet_css = assets.leaflet()
    InlineAssets(leaflet_js + JQUERY_STUB + _default_icon_js(), leaflet_css).add_to(m)
    located = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    recs = located.drop(columns=located.geometry.name).to_dict(orient="records")
    for rec, geom in zip(recs, located.geometry, strict=True):
        rec = {k: to_json_value(v) for k, v in rec.items()}
        folium.Marker([geom.y, geom.x], popup=folium.Popup(popup_html(rec), max_width=560)).add_to(
            m
        )
    x0, y0, x1, y1 = located.total_bounds
    m.fit_bounds([[y0, x0], [y1, x1]])
    path.write_text(m.get_root().render(), encoding="utf-8")
    return time.perf_counter() - t


READY = {
    "ours": "() => !!(window.borderMap && window.borderMap.ready)",
    "baseline": "() => document.readyState === 'complete'",
}
# Then two animation frames: the page has painted (asked from a polled predicate, so that a page
# too busy to answer still runs into the time limit).
TWO_FRAMES = """() => { const w = window;
    if (w.__bench_frames === undefined) {
        w.__bench_frames = 0;
        requestAnimationFrame(() => requestAnimationFrame(() => { w.__bench_frames = 2; }));
    }
    return w.__bench_frames === 2; }"""


TARGETS = {"load_s": 3.0, "change_ms": 300.0, "play_fps": 10.0, "mb": 15.0}

# One change, timed from the call to the second animation frame after it.
CHANGES = {
    "time: narrow to a month": "bm.setTimeWindow('2024-03-01', '2024-03-31')",
    "time: widen to all": "bm.setTimeWindow()",
    "type: armed clash off": "bm.filters.type.armed_clash = false; bm.layer.refresh()",
    "type: armed clash on": "bm.filters.type.armed_clash = true; bm.layer.refresh()",
    "side: PK off": "bm.filters.side.PK = false; bm.layer.refresh()",
    "side: PK on": "bm.filters.side.PK = true; bm.layer.refresh()",
    "status: denied only": "bm.setFilters({status: {unverified: false, disputed: false, "
                           "denied: true, confirmed: false}})",
    "contradicting only": "bm.setFilters({status: {unverified: true, disputed: true, "
                          "denied: true, confirmed: true}, contra: true})",
    "claimed deaths 10-20": "bm.setFilters({contra: false, kmin: 10, kmax: 20})",
    "band: within 10 km off": "bm.setFilters({kmin: null, kmax: null}); "
                              "bm.filters.band['10'] = false; bm.layer.refresh()",
    "all filters off": "bm.app.resetFilters()",
}
TIME_CHANGE = """async (code) => { const bm = window.borderMap; const t = performance.now();
    (new Function('bm', code))(bm);
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - t; }"""


def interactions(page) -> dict:
    """Milliseconds per change (CHANGES) and playback frames per second, on a loaded map."""
    page.evaluate("() => document.querySelector('details.bm-sec-list').open = true")  # list too
    out = {"changes_ms": {name: page.evaluate(TIME_CHANGE, code) for name, code in CHANGES.items()}}
    page.evaluate("() => window.borderMap.setTimeWindow('2023-01-01', '2023-01-31')")
    f0 = page.evaluate("() => window.borderMap.timeControl.frames()")
    page.evaluate("() => window.borderMap.timeControl.play()")
    t = time.perf_counter()
    page.wait_for_timeout(3000)
    f1 = page.evaluate("() => window.borderMap.timeControl.frames()")
    out["play_fps"] = (f1 - f0) / (time.perf_counter() - t)
    page.evaluate("() => window.borderMap.timeControl.pause()")
    return out


def load_time(browser, path: Path, kind: str, timeout_s: float, then=None) -> dict:
    """Seconds from navigation to the first complete render, in a fresh 1280x800 page
    (and whatever ``then(page)`` measures on it afterwards)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, service_workers="block")
    requests, errors = [], []
    try:
        ctx.route(re.compile(r"^(https?|wss?|ftp)://"), lambda route: route.abort())
        page = ctx.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        url = path.resolve().as_uri()
        t = time.perf_counter()
        try:
            page.goto(url, wait_until="load", timeout=timeout_s * 1000)
            def left_ms():  # one time budget for the whole load
                return max(1.0, timeout_s - (time.perf_counter() - t)) * 1000

            page.wait_for_function(READY[kind], timeout=left_ms(), polling=50)
            page.wait_for_function(TWO_FRAMES, timeout=left_ms(), polling=50)
        except Exception as err:  # a timeout or a crash is a result, not a failure of the run
            return {"load_s": None, "error": f"{type(err).__name__}: {str(err).splitlines()[0]}"}
        elapsed = time.perf_counter() - t
        extra = then(page) if then is not None else {}
        foreign = [u for u in requests if u != url and not u.startswith("data:")]
        return {"load_s": elapsed, "requests": foreign[:5], "page_errors": errors[:5], **extra}
    finally:
        ctx.close()


def _fmt(v, spec, missing="—"):
    return missing if v is None else format(v, spec)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--sizes",
        default="1000,10000,100000",
        help="comma-separated incident counts (default: 1000,10000,100000)",
    )
    ap.add_argument(
        "--baseline-max-n",
        type=int,
        default=100_000,
        help="skip the baseline above this many incidents (default: 100000)",
    )
    ap.add_argument("--no-browser", action="store_true", help="skip the load times")
    ap.add_argument(
        "--timeout", type=float, default=300.0, help="load timeout per page, s (default 300)"
    )
    ap.add_argument("--keep", type=Path, default=None, help="keep the HTML files in this folder")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    from border_map.border import DurandLine
    from border_map.gazetteer import Gazetteer
    from border_map.render.html import DEFAULT_CLUSTER_THRESHOLD

    border, gazetteer = DurandLine.default(), Gazetteer.default()
    # Warm the caches shared by both (assets, geodata) so neither pays them alone.
    build_ours(
        analysed_frame(10, gazetteer=gazetteer, border=border),
        border,
        Path(tempfile.gettempdir()) / "bm-warmup.html",
    )

    browser = pw = None
    if not args.no_browser:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            sync_playwright = None
        if sync_playwright is None or not Path(CHROMIUM).exists():
            print(f"no load times: needs the playwright package and {CHROMIUM} "
                  "(apt-get install chromium)", file=sys.stderr)
        else:
            pw = sync_playwright().start()
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                         headless=True)

    results = []
    with tempfile.TemporaryDirectory(prefix="bench_map_") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for n in sizes:
            t = time.perf_counter()
            gdf = analysed_frame(n, gazetteer=gazetteer, border=border)
            setup_s = time.perf_counter() - t
            row = {"n": n, "clustered": n >= DEFAULT_CLUSTER_THRESHOLD, "setup_s": setup_s}
            for kind in ("ours", "baseline"):
                if kind == "baseline" and n > args.baseline_max_n:
                    row[kind] = None
                    continue
                path = folder / f"map_{kind}_{n}.html"
                build_s = (
                    build_ours(gdf, border, path) if kind == "ours" else build_baseline(gdf, path)
                )
                entry = {"build_s": build_s, "mb": path.stat().st_size / 1e6}
                if browser is not None:
                    entry.update(load_time(browser, path, kind, args.timeout,
                                           then=interactions if kind == "ours" else None))
                row[kind] = entry
                print(
                    f"  {n:>7,} {kind:<8} build {build_s:7.2f} s  {entry['mb']:7.1f} MB  load "
                    f"{_fmt(entry.get('load_s'), '7.2f')} s {entry.get('error', '')}",
                    file=sys.stderr,
                    flush=True,
                )
            results.append(row)

    if browser is not None:
        browser.close()
        pw.stop()

    print()
    print("| incidents | border-map build s | MB | load s | slowest change ms | playback fps "
          "| baseline build s | MB | load s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    def load(entry):
        error = entry.get("error")
        if error:
            return f"> {args.timeout:.0f} (timeout)" if "Timeout" in error else "failed"
        return _fmt(entry.get("load_s"), ".2f")

    for r in results:
        o, b = r["ours"], r["baseline"] or {}
        slowest = max(o["changes_ms"].values()) if o.get("changes_ms") else None
        print(
            f"| {r['n']:,} | {o['build_s']:.2f} | {o['mb']:.1f} | {load(o)} | "
            f"{_fmt(slowest, '.0f')} | {_fmt(o.get('play_fps'), '.1f')} | "
            f"{_fmt(b.get('build_s'), '.2f')} | {_fmt(b.get('mb'), '.1f')} | {load(b)} |"
        )
    for r in results:
        o, b = r["ours"], r["baseline"] or {}
        if o.get("load_s") and b.get("load_s"):
            print(f"{r['n']:,}: load {b['load_s'] / o['load_s']:.1f}x faster than the baseline, "
                  f"file {b['mb'] / o['mb']:.1f}x smaller")
    context = context_kb()
    print(f"\ncontext basemap inlined in every map: {sum(context.values()):.0f} kB ("
          + ", ".join(f"{k} {v:.0f} kB" for k, v in context.items()) + ")")
    biggest = results[-1]["ours"] if results else {}
    if results:
        print(f"\nchanges at {results[-1]['n']:,} incidents (ms):")
        for name, ms in (biggest.get("changes_ms") or {}).items():
            print(f"  {name:<26} {ms:7.1f}")
    missed = []
    if biggest:
        if biggest["mb"] > TARGETS["mb"]:
            missed.append(f"file {biggest['mb']:.1f} MB > {TARGETS['mb']} MB")
        if browser is not None:
            if not biggest.get("load_s") or biggest["load_s"] > TARGETS["load_s"]:
                missed.append(f"load {_fmt(biggest.get('load_s'), '.2f')} s "
                              f"> {TARGETS['load_s']} s")
            slow = {k: v for k, v in (biggest.get("changes_ms") or {}).items()
                    if v > TARGETS["change_ms"]}
            if slow or not biggest.get("changes_ms"):
                missed.append(f"changes over {TARGETS['change_ms']:.0f} ms: {slow}")
            if (biggest.get("play_fps") or 0) < TARGETS["play_fps"]:
                missed.append(f"playback {_fmt(biggest.get('play_fps'), '.1f')} fps "
                              f"< {TARGETS['play_fps']}")
    out = ROOT / "outputs" / "bench_map.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps({"map": results, "cluster_threshold": DEFAULT_CLUSTER_THRESHOLD,
                    "context_kb": context}, indent=1),
        encoding="utf-8",
    )
    print(f"wrote {out.relative_to(ROOT)}")
    if missed:
        print("TARGETS MISSED: " + "; ".join(missed), file=sys.stderr)
        return 1
    print(f"targets met at {results[-1]['n']:,} incidents: load <= {TARGETS['load_s']} s, "
          f"changes <= {TARGETS['change_ms']:.0f} ms, playback >= {TARGETS['play_fps']} fps, "
          f"file <= {TARGETS['mb']} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
