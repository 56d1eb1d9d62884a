"""The interactive HTML map: one self-contained file, offline by default.

Built with folium. Leaflet is inlined from the ``xstatic-leaflet`` package
(``cdn=True`` keeps folium's CDN links instead); the basemap is the shipped
country polygons, with OpenStreetMap tiles as an opt-in base layer that is never
requested unless the reader picks it. Element ids are numbered, not random, so the
same input gives a byte-identical file.

Every piece of user text reaches the page either through :func:`html.escape`
(popups, legend, panel) or as JSON inside a script with ``<``, ``>`` and ``&``
escaped, so incident fields can never inject markup or script.
"""

from __future__ import annotations

import html
import json
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import folium
import numpy as np
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template
from shapely.geometry import mapping

from .._atomic import atomic_path
from ..border import DEFAULT_BANDS_KM, DurandLine
from . import assets
from .geojson import to_json_value

SIDE_COLOURS = {"AF": "#1a7a3a", "PK": "#1f5fa8", None: "#6b6b6b"}
SIDE_LABELS = {"AF": "Afghan side", "PK": "Pakistani side", None: "on the line / no side"}
LINE_COLOUR = "#b2182b"
BAND_COLOURS = ("#fdae61", "#fee08b", "#ffffbf", "#e6f5d0", "#d9f0d3", "#f7f7f7")

# One SVG shape per event-type symbol: the shape says the event type, the fill the side.
SYMBOL_SHAPES = {
    "plane": '<path d="M12 2l2 7 7 3-7 3-2 7-2-7-7-3 7-3z"/>',
    "drone": '<path d="M12 3l9 9-9 9-9-9z"/>',
    "artillery": '<path d="M12 1l2.5 6.5L21 5l-3.5 6L23 12l-5.5 1L21 19l-6.5-2.5L12 23l-2.5-6.5L3 19'
                 'l3.5-6L1 12l5.5-1L3 5l6.5 2.5z"/>',
    "clash": '<path d="M3 5l3-3 15 15v4h-4z M21 5l-3-3L3 17v4h4z"/>',
    "flag": '<path d="M5 2h2v20H5z M7 3h12l-3 4 3 4H7z"/>',
    "barrier": '<path d="M2 8h20v8H2z"/>',
    "attack": '<path d="M5 2l7 7 7-7 3 3-7 7 7 7-3 3-7-7-7 7-3-3 7-7-7-7z"/>',
    "explosion": '<circle cx="12" cy="13" r="8"/><path d="M15 3h4v4h-4z"/>',
    "abduction": '<path d="M12 2l10 20H2z"/>',
    "dot": '<circle cx="12" cy="12" r="8"/>',
}


def _svg(symbol: str, colour: str, size: int = 22) -> str:
    shape = SYMBOL_SHAPES.get(symbol, SYMBOL_SHAPES["dot"])
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
            f'viewBox="0 0 24 24" fill="{colour}" stroke="#fff" stroke-width="1.2">{shape}</svg>')


def script_json(value) -> str:
    """JSON safe to place inside a <script> element."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _e(value) -> str:
    return "" if value is None else html.escape(str(value), quote=True)


def _fmt_km(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:,.1f} km"


def _safe_url(url) -> str | None:
    if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
        return url
    return None


def _figures_text(figures) -> str:
    parts = []
    for f in figures or []:
        lo, hi = f.get("low"), f.get("high")
        if lo is not None and hi is not None and lo != hi:
            num = f"{lo}–{hi}"
        elif lo is not None:
            num = f"{lo}" if hi is not None else f"≥{lo}"
        elif hi is not None:
            num = f"≤{hi}"
        else:
            num = ""
        words = f.get("text")
        kind = (f.get("kind") or "").replace("_", " ")
        subject = f.get("subject")
        bits = [b for b in (kind + ":", num, f"“{words}”" if words else "",
                            f"({subject})" if subject else "") if b and b != ":"]
        parts.append(" ".join(_e(b) for b in bits))
    return "<br>".join(parts)


def popup_html(rec: dict) -> str:
    """The popup of one incident: every field escaped, every claim side by side."""
    rows = [
        ("Date", f"{_e(rec.get('date'))} ({_e(rec.get('date_precision'))}"
                 + (f", “{_e(rec.get('date_text'))}”" if rec.get("date_text") else "") + ")"),
        ("Event", _e(rec.get("event_label") or rec.get("event_type"))),
        ("Actors", _e(", ".join(rec.get("actors") or []) or "n/a")),
        ("Place as reported", _e(rec.get("place"))),
        ("Resolved to", _e(" · ".join(str(x) for x in (
            rec.get("place_name"), rec.get("place_kind"), rec.get("place_admin1"), rec.get("country"))
            if x)) + (f" <small>[{_e(rec.get('match'))}"
                      + (f" {rec['match_score']:.0f}" if rec.get("match_score") is not None else "")
                      + "]</small>" if rec.get("match") else "")),
        ("Location uncertainty", "±" + _fmt_km(rec.get("precision_km"))),
        ("Distance to line", _fmt_km(rec.get("distance_to_border_km"))
         + f" · {_e(SIDE_LABELS.get(rec.get('side'), rec.get('side')))}"),
        ("Band", f"within {rec['band_km']:g} km" if rec.get("band_km") is not None
         else "beyond the widest band"),
        ("Sector / chainage", (_e(rec.get("sector")) + " · " if rec.get("sector") else "")
         + (f"km {rec['chainage_km']:,.0f} from the Iran tripoint"
            if rec.get("chainage_km") is not None else "n/a")),
    ]
    if rec.get("side_conflict"):
        rows.append(("Check", "<b>side of the line disagrees with the gazetteer's country</b>"))
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    claims = rec.get("claims") or []
    head = f"<h5>Claims ({len(claims)})"
    if rec.get("conflicting_claims"):
        head += ' <span class="bm-conflict">claims contradict each other</span>'
    head += "</h5>"
    crow = []
    for c in claims:
        src = c.get("source") or {}
        url = _safe_url(src.get("url"))
        outlet = _e(src.get("outlet") or "source")
        link = f'<a href="{_e(url)}" target="_blank" rel="noopener noreferrer">{outlet}</a>' if url else outlet
        quote = f"<br><q>{_e(src.get('quote'))}</q>" if src.get("quote") else ""
        who = " — ".join(_e(x) for x in (c.get("claimant"), c.get("organisation")) if x)
        crow.append(
            f'<tr class="bm-side-{_e(c.get("side"))}"><td>{who}</td><td>{_e(c.get("side"))}</td>'
            f"<td>{_figures_text(c.get('figures'))}"
            + (f"<br><i>{_e(c.get('statement'))}</i>" if c.get("statement") else "")
            + f"</td><td>{_e(c.get('date'))}</td><td>{link}{quote}</td>"
            f"<td>{_e(c.get('status'))}</td></tr>")
    claims_html = (
        '<table class="bm-claims"><tr><th>Claimant</th><th>Side</th><th>Claimed</th><th>Date</th>'
        "<th>Source</th><th>Status</th></tr>" + "".join(crow) + "</table>") if crow else "<p>No claims recorded.</p>"
    desc = f"<p>{_e(rec.get('description'))}</p>" if rec.get("description") else ""
    title = f"{_e(rec.get('event_label') or rec.get('event_type'))} — {_e(rec.get('place'))}"
    return (f'<div class="bm-popup" data-incident="{_e(rec.get("id"))}"><h4>{title}</h4>{desc}'
            f'<table class="bm-facts">{body}</table>{head}{claims_html}'
            f'<p class="bm-id">id: {_e(rec.get("id"))}</p></div>')


class InlineAssets(MacroElement):
    """Leaflet (and optionally MarkerCluster) inlined into the page header."""

    _template = Template("""
{% macro header(this, kwargs) %}
<style>{{ this.css }}</style>
<script>{{ this.js }}</script>
{% endmacro %}
""")

    def __init__(self, js: str, css: str):
        super().__init__()
        self._name = "InlineAssets"
        # never HTML-escaped: this is trusted package data, not user text
        self.js = js.replace("</script", "<\\/script")
        self.css = css.replace("</style", "<\\/style")


class PageStyle(MacroElement):
    _template = Template("""
{% macro header(this, kwargs) %}
<style>
.bm-popup{font:13px/1.35 system-ui,sans-serif;max-width:520px}
.bm-popup h4{margin:0 0 4px;font-size:15px}.bm-popup h5{margin:8px 0 4px;font-size:13px}
.bm-popup table{border-collapse:collapse;width:100%}
.bm-popup th,.bm-popup td{border-bottom:1px solid #ddd;padding:2px 4px;text-align:left;vertical-align:top}
.bm-facts th{white-space:nowrap;color:#444;font-weight:600}
.bm-claims tr.bm-side-AF td:nth-child(2){color:#1a7a3a;font-weight:700}
.bm-claims tr.bm-side-PK td:nth-child(2){color:#1f5fa8;font-weight:700}
.bm-conflict{background:#b2182b;color:#fff;border-radius:3px;padding:0 4px;font-size:11px}
.bm-id{color:#888;font-size:11px;margin:4px 0 0}
.bm-icon{background:none;border:none}
.bm-panel{background:rgba(255,255,255,.94);padding:8px 10px;border-radius:4px;
  box-shadow:0 1px 4px rgba(0,0,0,.35);font:12px/1.4 system-ui,sans-serif;max-width:300px}
.bm-panel h3{margin:0 0 4px;font-size:14px}.bm-panel table{border-collapse:collapse}
.bm-panel td{padding:0 6px 0 0}.bm-legend svg{vertical-align:middle}
.bm-note{color:#555;font-size:11px;margin-top:4px}
</style>
{% endmacro %}
""")


class Panel(MacroElement):
    """A Leaflet control holding pre-escaped HTML (legend, summary)."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function(){
  var ctl = L.control({position: {{ this.position|tojson }}});
  ctl.onAdd = function(){
    var div = L.DomUtil.create('div', 'bm-panel {{ this.css_class }}');
    div.innerHTML = {{ this.html_json }};
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  ctl.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
""")

    def __init__(self, html_text: str, position: str = "bottomleft", css_class: str = ""):
        super().__init__()
        self._name = "Panel"
        self.html_json = script_json(html_text)
        self.position = position
        self.css_class = css_class


class Attribution(MacroElement):
    _template = Template("""
{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.attributionControl.setPrefix({{ this.prefix }});
{% for a in this.items %}{{ this._parent.get_name() }}.attributionControl.addAttribution({{ a }});
{% endfor %}
{% endmacro %}
""")

    def __init__(self, items: Sequence[str], prefix: str):
        super().__init__()
        self._name = "Attribution"
        self.items = [script_json(i) for i in items]
        self.prefix = script_json(prefix)


class IncidentLayer(MacroElement):
    """All incidents from one data array: markers, uncertainty circles, filters.

    Markers are grouped by event type and side; the layer control's entries for
    each event type and each side switch a filter, and a marker shows only when
    both its type and its side are on. ``window.borderMap`` exposes the state to
    the browser tests and to curious users.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
(function(){
  var map = {{ this._parent.get_name() }};
  var data = {{ this.data_json }};
  var icons = {{ this.icons_json }};
  var all = L.layerGroup().addTo(map);
  var uncertainty = L.layerGroup().addTo(map);
  var enabled = {type: {}, side: {}};
  var markers = [];
  data.forEach(function(d){
    var icon = L.divIcon({className: 'bm-icon', html: icons[d.icon], iconSize: [22, 22], iconAnchor: [11, 11], popupAnchor: [0, -10]});
    var m = L.marker([d.lat, d.lon], {icon: icon, title: d.title, riseOnHover: true});
    m.bindPopup(d.popup, {maxWidth: 560});
    m.bm = d;
    markers.push(m);
    if (d.precision_km > 0) {
      d.circle = L.circle([d.lat, d.lon], {radius: d.precision_km * 1000, color: d.colour, weight: 1,
        opacity: 0.6, fillOpacity: 0.06, interactive: false});
    }
  });
  function refresh(){
    all.clearLayers(); uncertainty.clearLayers();
    markers.forEach(function(m){
      var d = m.bm;
      if (enabled.type[d.event_type] && enabled.side[d.side_key]) {
        all.addLayer(m);
        if (d.circle) uncertainty.addLayer(d.circle);
      }
    });
  }
  var overlays = {};
  function toggle(kind, key, label){
    var g = L.layerGroup();
    enabled[kind][key] = true;
    g.on('add', function(){ enabled[kind][key] = true; refresh(); });
    g.on('remove', function(){ enabled[kind][key] = false; refresh(); });
    overlays[label] = g;
    g.addTo(map);
  }
  {{ this.types_json }}.forEach(function(t){ toggle('type', t[0], t[1]); });
  {{ this.sides_json }}.forEach(function(s){ toggle('side', s[0], s[1]); });
  overlays[{{ this.uncertainty_label }}] = uncertainty;
  refresh();
  window.borderMap = window.borderMap || {};
  window.borderMap.map = map;
  window.borderMap.incidents = data;
  window.borderMap.markers = markers;
  window.borderMap.visibleMarkers = function(){ return all.getLayers().length; };
  window.borderMap.overlays = Object.assign(window.borderMap.overlays || {}, overlays);
})();
{% endmacro %}
""")

    def __init__(self, records, types, sides, icons):
        super().__init__()
        self._name = "IncidentLayer"
        self.data_json = script_json(records)
        self.icons_json = script_json(icons)
        self.types_json = script_json(types)
        self.sides_json = script_json(sides)
        self.uncertainty_label = script_json("Location uncertainty")


class LayerControl(MacroElement):
    """Base layers plus every named overlay (folium's and the incident filters)."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function(){
  var map = {{ this._parent.get_name() }};
  var bases = {};
  {% for label, layer in this.bases %}bases[{{ label }}] = {{ layer.get_name() }};
  {% endfor %}
  var overlays = {};
  {% for label, layer in this.overlays %}overlays[{{ label }}] = {{ layer.get_name() }};
  {% endfor %}
  var extra = (window.borderMap && window.borderMap.overlays) || {};
  Object.keys(extra).forEach(function(k){ overlays[k] = extra[k]; });
  window.borderMap = window.borderMap || {};
  window.borderMap.layerControl = L.control.layers(bases, overlays, {collapsed: false, position: 'topright'}).addTo(map);
  window.borderMap.namedLayers = overlays;
})();
{% endmacro %}
""")

    def __init__(self, bases, overlays):
        super().__init__()
        self._name = "LayerControl"
        # names are read at render time: element ids are renumbered after construction
        self.bases = [(script_json(label), layer) for label, layer in bases]
        self.overlays = [(script_json(label), layer) for label, layer in overlays]


def _display_line(border: DurandLine, tolerance_m: float = 60.0):
    """The line simplified for display only (analysis always uses the full line)."""
    simple_m = shapely.simplify(border.line_m, tolerance_m)
    return _to_lonlat(border, simple_m)


def _to_lonlat(border: DurandLine, geom_m):
    return shapely.transform(
        geom_m, lambda xy: np.column_stack(border._to_ll.transform(xy[:, 0], xy[:, 1])))


def band_polygons(border: DurandLine, bands_km: Sequence[float]) -> list[tuple[float, object]]:
    """Buffer corridors around the line, widest first, in lon/lat (for display)."""
    base = shapely.simplify(border.line_m, 200.0)
    out = []
    for b in sorted(bands_km, reverse=True):
        poly_m = shapely.simplify(base.buffer(b * 1000.0, quad_segs=8), 150.0)
        poly = shapely.set_precision(_to_lonlat(border, poly_m), 1e-5)
        out.append((b, poly))
    return out


def _countries_display(border: DurandLine, tolerance_m: float = 400.0) -> dict:
    feats = []
    for iso, geom in sorted(border.countries.items()):
        g_m = shapely.transform(
            geom, lambda xy: np.column_stack(border._to_m.transform(xy[:, 0], xy[:, 1])))
        g = shapely.set_precision(_to_lonlat(border, shapely.simplify(g_m, tolerance_m)), 1e-4)
        name = {"AF": "Afghanistan", "PK": "Pakistan"}.get(iso, iso)
        feats.append({"type": "Feature", "properties": {"iso_a2": iso, "name": name},
                      "geometry": mapping(g)})
    return {"type": "FeatureCollection", "features": feats}


def _summary_html(records: list[dict], title: str, bands_km, n_unlocated: int) -> str:
    sides = Counter(r.get("side") for r in records)
    bands = Counter(r.get("band_km") for r in records)
    rows = "".join(f"<tr><td>{_e(SIDE_LABELS.get(k, k))}</td><td>{v}</td></tr>"
                   for k, v in sorted(sides.items(), key=lambda kv: str(kv[0])))
    brow = "".join(
        f"<tr><td>within {b:g} km</td><td>{bands.get(b, 0)}</td></tr>" for b in sorted(bands_km))
    beyond = bands.get(None, 0)
    brow += f"<tr><td>beyond {max(bands_km):g} km</td><td>{beyond}</td></tr>"
    conflicting = sum(1 for r in records if r.get("conflicting_claims"))
    claims = sum(len(r.get("claims") or []) for r in records)
    starts = sorted(r["date_start"] for r in records if r.get("date_start"))
    ends = sorted(r["date_end"] for r in records if r.get("date_end"))
    span = f"{_e(starts[0])} – {_e(ends[-1])}" if starts else ""
    extra = f"<div class='bm-note'>{n_unlocated} incident(s) could not be placed and are not drawn.</div>" if n_unlocated else ""
    return (f"<h3>{_e(title)}</h3><div>{len(records)} incidents · {claims} claims · {span}</div>"
            f"<div>{conflicting} incident(s) with contradicting claims</div>"
            f"<table><tr><td colspan=2><b>By side</b></td></tr>{rows}"
            f"<tr><td colspan=2><b>By distance band</b></td></tr>{brow}</table>{extra}")


def _legend_html(types_used, event_types, border: DurandLine) -> str:
    rows = []
    for key in types_used:
        et = event_types.get(key)
        label = et.label if et else key
        symbol = et.symbol if et else "dot"
        rows.append(f"<tr><td>{_svg(symbol, '#444', 16)}</td><td>{_e(label)}</td></tr>")
    for side in ("AF", "PK", None):
        rows.append(f'<tr><td><span style="display:inline-block;width:14px;height:14px;'
                    f'background:{SIDE_COLOURS[side]};border-radius:50%"></span></td>'
                    f"<td>{_e(SIDE_LABELS[side])}</td></tr>")
    rows.append(f'<tr><td><svg width="22" height="8"><line x1="0" y1="4" x2="22" y2="4" '
                f'stroke="{LINE_COLOUR}" stroke-width="3" stroke-dasharray="6 4"/></svg></td>'
                f"<td>Durand Line (de facto, disputed)</td></tr>")
    note = ("The Durand Line is the de facto Afghanistan–Pakistan boundary; Afghanistan does not "
            "recognise it. Position approximate at the scale of the source: "
            + _e(border.source) + ".")
    return (f"<h3>Legend</h3><table class='bm-legend'>{''.join(rows)}</table>"
            f"<div class='bm-note'>{note}</div>")


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


def build_map(
    incidents,
    border: DurandLine | None = None,
    *,
    bands_km: Sequence[float] = DEFAULT_BANDS_KM,
    title: str = "border-map: incidents along the Durand Line",
    cdn: bool = False,
    event_types: dict | None = None,
) -> folium.Map:
    """A folium Map of analysed incidents (see :func:`border_map.analysis.analyse`)."""
    from ..incidents import EVENT_TYPES

    border = border or DurandLine.default()
    event_types = event_types or EVENT_TYPES
    located = incidents[~(incidents.geometry.isna() | incidents.geometry.is_empty)]
    lon0, lat0, lon1, lat1 = border.line.bounds

    m = folium.Map(location=[(lat0 + lat1) / 2, (lon0 + lon1) / 2], zoom_start=6, tiles=None,
                   control_scale=True, prefer_canvas=False)
    if not cdn:
        m.default_js = []
        m.default_css = []
        js, css = assets.leaflet()
        InlineAssets(js, css).add_to(m)
    PageStyle().add_to(m)
    m.get_root().title = html.escape(title)  # branca puts it into <title> unescaped

    # Base layers: the shipped polygons (offline) or OSM tiles (online, opt-in).
    blank = folium.FeatureGroup(name="Offline basemap", overlay=False, control=False)
    blank.add_to(m)
    osm = folium.TileLayer("OpenStreetMap", name="OpenStreetMap tiles (online)", overlay=False,
                           control=False, show=False,
                           attr='© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors')
    countries = folium.GeoJson(
        _countries_display(border), name="Countries",
        style_function=lambda f: {"fillColor": "#efe9dc" if f["properties"]["iso_a2"] == "AF" else "#e4ecf2",
                                  "color": "#9a9a9a", "weight": 1, "fillOpacity": 1.0},
        tooltip=folium.GeoJsonTooltip(["name"], labels=False), control=False)
    countries.add_to(blank)

    bands_group = folium.FeatureGroup(name="Distance bands", show=True)
    for i, (b, poly) in enumerate(band_polygons(border, bands_km)):
        folium.GeoJson(
            {"type": "Feature", "properties": {"band": f"within {b:g} km of the line"},
             "geometry": mapping(poly)},
            style_function=lambda f, c=BAND_COLOURS[i % len(BAND_COLOURS)]: {
                "fillColor": c, "color": c, "weight": 0.5, "fillOpacity": 0.35},
            tooltip=folium.GeoJsonTooltip(["band"], labels=False),
        ).add_to(bands_group)
    bands_group.add_to(m)

    line_group = folium.FeatureGroup(name="Durand Line (de facto)", show=True)
    folium.GeoJson(
        {"type": "Feature", "properties": {
            "name": "Durand Line — de facto boundary, not recognised by Afghanistan",
            "source": border.source, "length": f"{border.length_km:,.0f} km (geodesic)"},
         "geometry": mapping(_display_line(border))},
        style_function=lambda f: {"color": LINE_COLOUR, "weight": 3, "dashArray": "8 6", "opacity": 0.9},
        tooltip=folium.GeoJsonTooltip(["name", "length"], labels=False),
        popup=folium.GeoJsonPopup(["name", "source", "length"], labels=False),
    ).add_to(line_group)
    line_group.add_to(m)

    records = []
    icons = {}
    for rec in located.drop(columns=located.geometry.name).to_dict(orient="records"):
        rec = {k: to_json_value(v) for k, v in rec.items()}
        et = event_types.get(rec.get("event_type"))
        symbol = et.symbol if et else "dot"
        side = rec.get("side")
        colour = SIDE_COLOURS.get(side, SIDE_COLOURS[None])
        icon_key = f"{symbol}-{side or 'none'}"
        icons.setdefault(icon_key, _svg(symbol, colour))
        records.append({"id": rec.get("id"), "popup": popup_html(rec), "icon": icon_key,
                        "event_type": rec.get("event_type"), "side_key": side or "none",
                        "colour": colour, "precision_km": rec.get("precision_km") or 0,
                        "date": rec.get("date"), "title": f"{rec.get('event_label') or rec.get('event_type')}"
                        f" — {rec.get('place')} ({rec.get('date')})", "_rec": rec})
    for r, geom in zip(records, located.geometry, strict=True):
        # the one place where (lon, lat) becomes Leaflet's (lat, lon): in the JS, from these keys
        r["lon"], r["lat"] = round(geom.x, 6), round(geom.y, 6)
    full = [r.pop("_rec") for r in records]
    types_used = sorted({r["event_type"] for r in records}, key=lambda k: list(event_types).index(k)
                        if k in event_types else 999)
    types = [[k, f"Events: {event_types[k].label if k in event_types else k}"] for k in types_used]
    sides_used = sorted({r["side_key"] for r in records})
    sides = [[s, f"Side: {SIDE_LABELS.get(None if s == 'none' else s)}"] for s in sides_used]
    IncidentLayer(records, types, sides, icons).add_to(m)

    osm.add_to(m)  # created, never added to the map until the reader picks it
    LayerControl(bases=[("Offline basemap (shipped polygons)", blank),
                        ("OpenStreetMap tiles (online)", osm)],
                 overlays=[("Distance bands", bands_group),
                           ("Durand Line (de facto)", line_group)]).add_to(m)

    n_unlocated = len(incidents) - len(located)
    Panel(_summary_html(full, title, bands_km, n_unlocated), "topleft", "bm-summary").add_to(m)
    Panel(_legend_html(types_used, event_types, border), "bottomright", "bm-legend-panel").add_to(m)
    Attribution([
        "Boundary & basemap © <a href=\"https://www.openstreetmap.org/copyright\">OpenStreetMap</a> "
        "contributors (ODbL)",
        "Places: <a href=\"https://www.geonames.org/\">GeoNames</a> (CC BY 4.0)",
        "Leaflet " + _e(assets.versions()["leaflet"]),
    ], prefix="border-map").add_to(m)
    if len(located):
        x0, y0, x1, y1 = located.total_bounds
        pad = 0.6
        m.fit_bounds([[min(y0, lat0 + 3) - pad, x0 - pad], [y1 + pad, x1 + pad]])
    else:
        m.fit_bounds([[lat0, lon0], [lat1, lon1]])
    _number_elements(m.get_root())
    return m


def render_html(m: folium.Map) -> str:
    html_text = m.get_root().render()
    return html_text


def write_map(incidents, path: str | Path, border: DurandLine | None = None, **kwargs) -> Path:
    """Build the map and write it atomically to ``path``."""
    text = render_html(build_map(incidents, border, **kwargs))
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


__all__ = ["Element", "build_map", "popup_html", "script_json", "write_map"]
