"""The interactive HTML map: one self-contained file, offline by default.

Built with folium. Leaflet is inlined from
the ``xstatic-*`` packages (``cdn=True`` keeps folium's CDN links instead). The
basemap is the shipped country polygons, in a pane below the tiles, so the
opt-in OpenStreetMap layer, never requested unless the reader picks it, cannot
leave a blank map when its tiles fail. Element ids are numbered, not random, so
the same input gives a byte-identical file.

Incidents travel as one compact JSON block (a string table plus one array per
incident, see :func:`.map_data.encode_incidents`); popups are built in the browser when
they open, every field through one escape function. The controls (heat map,
time slider, search, measure, fullscreen, legend, summary) are our own folium
elements in :mod:`border_map.render.map_plugins`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path

import folium
from shapely.geometry import mapping

from .._atomic import atomic_path
from ..border import DEFAULT_BANDS_KM, DurandLine
from . import assets
from .map_data import encode_incidents
from .map_geometry import band_polygons, basemap_layers, countries_display, display_line
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
from .popup import esc
from .symbols import (
    BAND_COLOURS,
    COUNTRY_FILLS,
    LINE_COLOUR,
    RIVER_COLOUR,
    SIDE_LABELS,
    SIDE_PATTERN_NAMES,
    SIDE_PATTERNS,
    symbol_svg,
)

LINE_LABEL = "Durand Line (de facto)"
BANDS_LABEL = "Distance bands"
UNCERTAINTY_LABEL = "Location uncertainty"
HEAT_LABEL = "Heat map (incident density)"
CONTEXT_LABEL = "Provinces, places and rivers"
# At this many located incidents or more, markers cluster (our own grid, js/incidents.js):
# a few hundred DOM markers at most, whatever the input size.
DEFAULT_CLUSTER_THRESHOLD = 500
# From this size of incident JSON on (a few thousand incidents), the data block is compressed.
COMPRESS_MIN_BYTES = 500_000


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
        symbols=[(symbol_svg(symbol, "#444", 16), label) for _key, label, symbol in types],
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
    CountriesBase(countries_display(border), COUNTRY_FILLS).add_to(m)
    admin, places, admin2, rivers = basemap_layers()
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
            "geometry": mapping(display_line(border)),
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
            "Leaflet " + esc(assets.versions()["leaflet"]),
            *("Data: " + esc(c) for c in credits),
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
    "render_html",
    "script_json",
    "write_map",
]
