"""The map's folium elements: one ``MacroElement`` per control or layer, no CDN.

Each element follows folium's plugin pattern (``folium/plugins/fullscreen.py``,
``float_image.py``): a class-level template with ``header`` / ``html`` / ``script``
macros, CSS keyed on ``#{{ this.get_name() }}``, and a JavaScript variable named
after the element so that later elements can refer to it. The JavaScript is our
own (no copied third-party code); Leaflet and MarkerCluster come inlined from
registry packages (see :mod:`border_map.render.assets`).

The heart is :class:`IncidentLayer`: it reads one compact JSON data block, makes a
marker per incident (clustered above a threshold), builds each popup in the
browser when it opens (every field through one ``esc`` function), and owns the
one filter (event type, side, time window) that the markers, the uncertainty
shapes, the heat layer, the search box and the time slider all follow.

User text reaches the page only through ``|e`` (HTML macros), ``|tojson`` /
:func:`script_json` (scripts and the data block, with ``<``, ``>`` and ``&``
escaped) and, in the browser, ``esc()`` or ``textContent``.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Sequence

from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template


def script_json(value) -> str:
    """JSON safe to place inside a ``<script>`` element (also valid JSON)."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


class _Rendered(Element):
    """Text already rendered: placed in the page as it is, never parsed as a template."""

    def __init__(self, text: str):
        super().__init__()
        self._name = "Rendered"
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


class PluginElement(MacroElement):
    """A ``MacroElement`` whose rendered macros are not rendered a second time.

    branca's ``MacroElement.render`` wraps each macro's output in ``Element(text)``,
    which compiles that text as a Jinja template: user text containing ``{{ ... }}``
    would then be evaluated at build time (and ``{%`` would break the build), and a
    multi-megabyte data block would be tokenised for nothing. Here the output is
    placed as it is.
    """

    def render(self, **kwargs):
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("this element can only be rendered inside a Figure")
        module = self._template.module.__dict__
        for part, target in (("header", figure.header), ("html", figure.html),
                             ("script", figure.script)):
            macro = module.get(part)
            if macro is not None:
                target.add_child(_Rendered(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


# --------------------------------------------------------------------------- page assets


class InlineAssets(PluginElement):
    """JavaScript and CSS (Leaflet, MarkerCluster) inlined into the page header."""

    _template = Template("""
{% macro header(this, kwargs) %}
<style>{{ this.css }}</style>
<script>{{ this.js }}</script>
{% endmacro %}
""")  # noqa: E501 (JavaScript and CSS)

    def __init__(self, js: str, css: str, name: str = "InlineAssets"):
        super().__init__()
        self._name = name
        # never HTML-escaped: this is trusted package data, not user text
        self.js = js.replace("</script", "<\\/script")
        self.css = css.replace("</style", "<\\/style")


class MarkerClusterCDN(JSCSSMixin, PluginElement):
    """MarkerCluster from folium's own CDN links (``--cdn`` builds only)."""

    _template = Template("")

    def __init__(self):
        from folium.plugins import MarkerCluster

        super().__init__()
        self._name = "MarkerClusterCDN"
        self.default_js = list(MarkerCluster.default_js)
        self.default_css = list(MarkerCluster.default_css)


class PageStyle(PluginElement):
    """Styles shared by the popups and panels (the controls key theirs on their ids)."""

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
.bm-spread{background:#fff4e5;border-left:3px solid #e08214;padding:2px 6px;margin:4px 0}
.bm-id{color:#888;font-size:11px;margin:4px 0 0}
.bm-icon{background:none;border:none}
.bm-panel{background:rgba(255,255,255,.94);padding:8px 10px;border-radius:4px;
  box-shadow:0 1px 4px rgba(0,0,0,.35);font:12px/1.4 system-ui,sans-serif;max-width:300px}
.bm-panel h3{margin:0 0 4px;font-size:14px}.bm-panel table{border-collapse:collapse}
.bm-panel td{padding:0 6px 0 0}.bm-panel td.bm-n{text-align:right}
.bm-note{color:#555;font-size:11px;margin-top:4px}
.bm-button{display:block;width:30px;height:30px;line-height:30px;text-align:center;
  background:#fff;color:#222;border:none;cursor:pointer;font:bold 16px/30px system-ui,sans-serif;padding:0}
.bm-button:hover{background:#f4f4f4}.bm-button.bm-active{background:#ffe08a}
.bm-button svg{vertical-align:middle}
.leaflet-control-layers-expanded .leaflet-control-layers-list{overflow-y:auto}
</style>
{% endmacro %}
""")  # noqa: E501 (JavaScript and CSS)

    def __init__(self):
        super().__init__()
        self._name = "PageStyle"


# --------------------------------------------------------------------------- base layers


class CountriesBase(PluginElement):
    """The shipped country polygons in their own pane *below* the tile pane.

    Always on, whichever base layer is chosen: the OpenStreetMap tiles draw on top
    when they load, and when they fail the countries still show, never a blank map.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function(){
  var map = {{ this._parent.get_name() }};
  /* no tile layer sets a zoom range; clustering needs one */
  if (map.options.maxZoom === undefined) map.setMaxZoom({{ this.max_zoom }});
  if (map.options.minZoom === undefined) map.setMinZoom({{ this.min_zoom }});
  var pane = map.createPane('bm-countries');
  pane.style.zIndex = 150;  /* tiles are at 200 */
  var fills = {{ this.fills_json }};
  var layer = L.geoJSON({{ this.data_json }}, {
    pane: 'bm-countries',
    style: function(f){ return {fillColor: fills[f.properties.iso_a2] || '#eeeeee', color: '#9a9a9a',
                                weight: 1, fillOpacity: 1}; },
    onEachFeature: function(f, l){ l.bindTooltip(f.properties.name, {sticky: true}); }
  });
  layer.addTo(map);
  return layer;
})();
{% endmacro %}
""")  # noqa: E501 (JavaScript and CSS)

    def __init__(self, geojson: dict, fills: dict[str, str], *, min_zoom: int = 3,
                 max_zoom: int = 18):
        super().__init__()
        self._name = "CountriesBase"
        self.min_zoom = int(min_zoom)
        self.max_zoom = int(max_zoom)
        self.data_json = script_json(geojson)
        self.fills_json = script_json(fills)


# --------------------------------------------------------------------------- incidents


class IncidentLayer(PluginElement):
    """Every located incident from one data block: markers, popups, one filter.

    ``data`` is built by :func:`border_map.render.html.encode_incidents`. Its small
    parts (field names, days, types, sides, icons, province polygons) go into the
    page as JSON; its bulk (:attr:`BULK_KEYS`: the columns and tables) too when it
    is small, and otherwise zlib-compressed and base64-encoded, to be unpacked by
    the browser's ``DecompressionStream``: 100,000 incidents fit in a few MB.

    With ``clustered``, markers go into a ``L.markerClusterGroup`` with chunked
    loading; filters and popups work the same. The JavaScript variable is an
    ``L.Evented`` firing ``filter``, ``uncertainty`` and ``ready``; ``setTimeWindow``,
    ``open``, ``passes`` and friends are on it. Popups are built when they open,
    every field through the one ``esc`` function.
    """

    BULK_KEYS = ("incidents", "claims", "figures", "strings", "where", "parties")
    COMPRESSED_TYPE = "application/x-border-map+deflate-base64"

    _template = Template("""
{% macro html(this, kwargs) %}
<script type="application/json" id="{{ this.get_name() }}-meta">{{ this.meta_json }}</script>
<script type="{{ this.bulk_type }}" id="{{ this.get_name() }}-data">{{ this.bulk_text }}</script>
{% endmacro %}
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function(){
  var map = {{ this._parent.get_name() }};
  var meta = JSON.parse(document.getElementById({{ (this.get_name() ~ '-meta')|tojson }}).textContent);
  var days = meta.days, types = meta.types, sides = meta.sides;
  var kinds = meta.kinds, claimSides = meta.claimSides, provinces = meta.provinces;
  /* the bulk, once loaded: incident columns I, claim columns K, figure columns G, tables */
  var I = {}, K = {}, G = {}, S = [''], W = [], P = [], n = 0;
  var claim0 = new Int32Array(1), fig0 = new Int32Array(1);  /* first claim of incident i, figure of claim k */
  var ESC = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;'};
  /* The one escape function: every field that reaches innerHTML goes through it. */
  function esc(v){ return v == null ? '' : String(v).replace(/[&<>"']/g, function(c){ return ESC[c]; }); }
  function s(i){ return i ? S[i] : ''; }
  function fixed(v, digits){
    return v.toLocaleString('en-US', {minimumFractionDigits: digits, maximumFractionDigits: digits});
  }
  function km(v){ return v == null ? 'n/a' : fixed(v, 1) + ' km'; }
  function safeUrl(u){ return /^https?:\\/\\//i.test(u) ? u : null; }

  var api = new (L.Evented.extend({}))();
  api.map = map; api.esc = esc; api.days = days; api.types = types; api.sides = sides;
  api.clustered = {{ 'true' if this.clustered else 'false' }};
  api.ready = false; api.error = null;
  api.incidents = []; api.markers = [];

  /* the date as written; the usual day or start/end is not stored but rebuilt */
  function dateText(i){
    var v = s(I.date[i]), a = I.d0[i], b = I.d1[i];
    return v || (a === b ? days[a] : days[a] + '/' + days[b]);
  }
  function figureLines(k){
    var out = [];
    for (var j = fig0[k]; j < fig0[k + 1]; j++) {
      var rest = s(G.text[j]), kind = kinds[G.kind[j]];
      out.push(kind ? kind + ':' + (rest ? ' ' + rest : '') : rest);
    }
    return out;
  }
  /* the discrepancy: per figure kind given by more than one side, what each side said */
  function spreadLines(i){
    var by = {}, lines = [];
    for (var k = claim0[i]; k < claim0[i + 1]; k++) {
      var side = s(P[K.party[k]][1]);
      for (var j = fig0[k]; j < fig0[k + 1]; j++) {
        var bk = by[G.kind[j]] || (by[G.kind[j]] = {});
        (bk[side] || (bk[side] = [])).push(s(G.text[j]) || '?');
      }
    }
    for (var kind = 0; kind < kinds.length; kind++) {
      var bs = by[kind];
      if (!bs || Object.keys(bs).length < 2) continue;
      var order = claimSides.filter(function(x){ return bs[x]; });
      Object.keys(bs).forEach(function(x){ if (order.indexOf(x) < 0) order.push(x); });
      lines.push(kinds[kind] + ' \\u2014 ' + order.map(function(x){ return x + ': ' + bs[x].join('; '); }).join(' | '));
    }
    return lines;
  }
  function popupHtml(i){
    var t = types[I.type[i]], side = sides[I.side[i]], w = W[I.where[i]], flags = I.flags[i];
    var dtext = s(I.date_text[i]), match = s(w[3]), sector = s(I.sector[i]);
    var facts = [
      ['Date', esc(dateText(i)) + ' (' + esc(s(I.date_precision[i])) + (dtext ? ', \\u201c' + esc(dtext) + '\\u201d' : '') + ')'],
      ['Event', esc(t[1])],
      ['Actors', esc(s(I.actors[i]) || 'n/a')],
      ['Place as reported', esc(s(w[0]))],
      ['Resolved to', esc(s(w[2])) + (match ? ' <small>[' + esc(match) + ']</small>' : '')],
      ['Location uncertainty', '\\u00b1' + km(I.precision_km[i])],
      ['Distance to line', km(I.distance_km[i]) + ' \\u00b7 ' + esc(side[1])],
      ['Band', I.band_km[i] != null ? 'within ' + I.band_km[i] + ' km' : 'beyond the widest band'],
      ['Sector / chainage', (sector ? esc(sector) + ' \\u00b7 ' : '')
        + (I.chainage_km[i] != null ? 'km ' + fixed(I.chainage_km[i], 0) + ' from the Iran tripoint' : 'n/a')]
    ];
    if (flags & 1) facts.push(['Check', "<b>side of the line disagrees with the gazetteer's country</b>"]);
    var body = facts.map(function(f){ return '<tr><th>' + f[0] + '</th><td>' + f[1] + '</td></tr>'; }).join('');
    var nclaims = claim0[i + 1] - claim0[i];
    var head = '<h5>Claims (' + nclaims + ')';
    if (flags & 2) head += ' <span class="bm-conflict">claims contradict each other</span>';
    head += '</h5>';
    var spread = spreadLines(i);
    if (spread.length) head += '<div class="bm-spread">' + spread.map(esc).join('<br>') + '</div>';
    var crow = [];
    for (var k = claim0[i]; k < claim0[i + 1]; k++) {
      var p = P[K.party[k]], url = safeUrl(s(K.url[k])), outlet = esc(s(p[2]) || 'source');
      var link = url ? '<a href="' + esc(url) + '" target="_blank" rel="noopener noreferrer">' + outlet + '</a>' : outlet;
      var quote = K.quote[k] ? '<br><q>' + esc(s(K.quote[k])) + '</q>' : '';
      var figs = figureLines(k).map(esc).join('<br>');
      crow.push('<tr class="bm-side-' + esc(s(p[1])) + '"><td>' + esc(s(p[0])) + '</td><td>' + esc(s(p[1])) + '</td>'
        + '<td>' + figs + (K.statement[k] ? '<br><i>' + esc(s(K.statement[k])) + '</i>' : '') + '</td>'
        + '<td>' + esc(s(K.date[k])) + '</td><td>' + link + quote + '</td><td>' + esc(s(p[3])) + '</td></tr>');
    }
    var claimsHtml = crow.length ? '<table class="bm-claims"><tr><th>Claimant</th><th>Side</th><th>Claimed</th>'
      + '<th>Date</th><th>Source</th><th>Status</th></tr>' + crow.join('') + '</table>' : '<p>No claims recorded.</p>';
    var desc = I.description[i] ? '<p>' + esc(s(I.description[i])) + '</p>' : '';
    return '<div class="bm-popup" data-incident="' + esc(I.id[i]) + '"><h4>' + esc(t[1]) + ' \\u2014 '
      + esc(s(w[0])) + '</h4>' + desc + '<table class="bm-facts">' + body + '</table>' + head + claimsHtml
      + '<p class="bm-id">id: ' + esc(I.id[i]) + '</p></div>';
  }
  api.popupHtml = popupHtml;
  /* what the search box matches: id, place as reported and as resolved, claimants */
  api.searchText = function(i){
    var w = W[I.where[i]], parts = [I.id[i], s(w[0]), s(w[2])];
    for (var k = claim0[i]; k < claim0[i + 1]; k++) parts.push(s(P[K.party[k]][0]));
    return parts.join(' | ');
  };
  api.placeName = function(i){ return s(W[I.where[i]][1]); };

  var iconCache = {};
  function iconFor(t, sd){
    var k = t + ':' + sd;
    return iconCache[k] || (iconCache[k] = L.divIcon({className: 'bm-icon', html: meta.icons[t][sd],
      iconSize: [22, 22], iconAnchor: [11, 11], popupAnchor: [0, -10]}));
  }
  function popupContent(layer){ return popupHtml(layer.bm.i); }
  var popupOptions = {maxWidth: 560, maxHeight: 420, autoPanPadding: [40, 40]};
  /* A popup is bound on first use, not 100,000 of them up front: on the first click (through
     the group, below) or the first openPopup(). */
  var Marker = L.Marker.extend({
    openPopup: function(latlng){
      if (!this.getPopup()) this.bindPopup(popupContent, popupOptions);
      return L.Marker.prototype.openPopup.call(this, latlng);
    }
  });

  var loading = false;  /* the bulk is going into the cluster group */
  var group = api.clustered
    ? L.markerClusterGroup({chunkedLoading: true, chunkInterval: 250, chunkDelay: 5,
        showCoverageOnHover: false, maxClusterRadius: 60, spiderfyOnMaxZoom: true,
        chunkProgress: function(done, total){ if (loading && done >= total && !api.ready) setReady(); }})
    : L.featureGroup();
  group.addTo(map);
  api.group = group;
  group.on('click', function(e){
    var m = e.layer;
    if (m && m.bm && !m.getPopup()) m.openPopup();  /* later clicks: the marker's own handler */
  });

  /* ---- the one filter: event type AND side AND time window ---- */
  var on = {type: {}, side: {}};
  types.forEach(function(t){ on.type[t[0]] = true; });
  sides.forEach(function(x){ on.side[x[0]] = true; });
  var win = {lo: 0, hi: days.length - 1, start: days[0], end: days[days.length - 1]};
  api.window = win;
  function passes(d){ return on.type[d.event_type] && on.side[d.side_key] && d.d1 >= win.lo && d.d0 <= win.hi; }
  api.passes = passes;
  var shown = new Uint8Array(0), count = 0;
  api.isShown = function(i){ return shown[i] === 1; };
  api.count = function(){ return count; };

  function refresh(){
    var add = [], rem = [], incidents = api.incidents, markers = api.markers;
    for (var i = 0; i < n; i++) {
      var p = passes(incidents[i]) ? 1 : 0;
      if (p !== shown[i]) { (p ? add : rem).push(markers[i]); shown[i] = p; }
    }
    count += add.length - rem.length;
    if (api.clustered) {
      if (rem.length) group.removeLayers(rem);
      if (add.length) group.addLayers(add);
    } else {
      rem.forEach(function(m){ group.removeLayer(m); });
      add.forEach(function(m){ group.addLayer(m); });
    }
    api.fire('filter');
  }
  api.refresh = refresh;
  api.setEnabled = function(kind, key, value){ on[kind][key] = !!value; refresh(); };

  function lowerBound(iso){ var a = 0, b = days.length; while (a < b) { var m = (a + b) >> 1; if (days[m] < iso) a = m + 1; else b = m; } return a; }
  function upperBound(iso){ var a = 0, b = days.length; while (a < b) { var m = (a + b) >> 1; if (days[m] <= iso) a = m + 1; else b = m; } return a; }
  /* Show the incidents whose date interval overlaps [startISO, endISO] (inclusive). */
  api.setTimeWindow = function(startISO, endISO){
    startISO = startISO || days[0]; endISO = endISO || days[days.length - 1];
    if (endISO < startISO) { var x = startISO; startISO = endISO; endISO = x; }
    win.start = startISO; win.end = endISO;
    win.lo = lowerBound(startISO); win.hi = upperBound(endISO) - 1;
    refresh();
    return count;
  };
  /* Same, by positions in the sorted distinct days (the slider's unit). */
  api.setWindowIndex = function(lo, hi){
    lo = Math.max(0, Math.min(days.length - 1, lo | 0)); hi = Math.max(lo, Math.min(days.length - 1, hi | 0));
    return api.setTimeWindow(days[lo], days[hi]);
  };

  /* ---- open one incident's popup, from inside a cluster if need be ---- */
  api.indexOf = function(id){ for (var i = 0; i < n; i++) if (I.id[i] === id) return i; return -1; };
  api.open = function(id){
    var i = typeof id === 'number' ? id : api.indexOf(id);
    if (i < 0 || !shown[i]) return false;
    var m = api.markers[i];
    if (api.clustered) {
      group.zoomToShowLayer(m, function(){ m.openPopup(); });
    } else {
      map.setView(m.getLatLng(), Math.max(map.getZoom(), 8), {animate: false});
      m.openPopup();
    }
    return true;
  };

  /* ---- layer-control toggles: empty groups whose add/remove switch the filter ---- */
  var overlays = {};
  function toggle(kind, key, label){
    var g = L.layerGroup();
    g.on('add', function(){ if (!on[kind][key]) api.setEnabled(kind, key, true); });
    g.on('remove', function(){ if (on[kind][key]) api.setEnabled(kind, key, false); });
    overlays[label] = g;
    g.addTo(map);
  }
  types.forEach(function(t){ toggle('type', t[0], 'Events: ' + t[1]); });
  sides.forEach(function(x){ toggle('side', x[0], 'Side: ' + x[1]); });

  /* ---- location uncertainty: province polygon or dashed circle, drawn for the view ---- */
  var unc = L.featureGroup();
  var UNC_MAX = {{ this.uncertainty_max }}, UNC_FILL_MAX = 30;
  var shapeCache = {};
  api.uncertainty = unc;
  api.uncertaintyHidden = 0;
  function uncShape(d){
    var colour = sides[d.s][2];
    if (d.province >= 0) {
      var key = 'p' + d.province + ':' + d.s;
      return shapeCache[key] || (shapeCache[key] = L.geoJSON(provinces[d.province][2], {
        interactive: false,
        style: function(){ return {color: colour, weight: 1.2, opacity: 0.8, dashArray: '5 4', fillColor: colour,
                                   fillOpacity: 0.05, className: 'bm-unc bm-unc-province'}; }}));
    }
    var ck = 'c' + d.i;
    return shapeCache[ck] || (shapeCache[ck] = L.circle([d.lat, d.lon], {radius: d.precision_km * 1000,
      color: colour, weight: 1, opacity: 0.7, dashArray: '4 4', fillOpacity: 0.03, interactive: false,
      className: 'bm-unc bm-unc-circle'}));
  }
  function uncBox(d){
    if (d.province >= 0) { var b = provinces[d.province][1]; return [b[1], b[0], b[3], b[2]]; }
    var dlat = d.precision_km / 111.2, dlon = dlat / Math.max(0.2, Math.cos(d.lat * Math.PI / 180));
    return [d.lat - dlat, d.lon - dlon, d.lat + dlat, d.lon + dlon];
  }
  function drawUncertainty(){
    if (!map.hasLayer(unc) || !api.ready) return;
    var v = map.getBounds(), s0 = v.getSouth(), w0 = v.getWest(), n0 = v.getNorth(), e0 = v.getEast();
    var size = map.getSize(), mid = size.divideBy(2), diag = size.x + size.y;
    var perKm = 1000 * Math.pow(2, map.getZoom()) / 156543.03392;  /* px per km at the equator */
    var seen = {}, list = [], over = 0, incidents = api.incidents;
    for (var i = 0; i < n; i++) {
      if (!shown[i]) continue;
      var d = incidents[i];
      if (!(d.precision_km > 0) && !(d.province >= 0)) continue;
      var b = uncBox(d);
      if (b[0] > n0 || b[2] < s0 || b[1] > e0 || b[3] < w0) continue;
      if (!(d.province >= 0)) {
        /* a circle around the whole view shows no edge, only a tint: skip it */
        d.radiusPx = d.precision_km * perKm / Math.cos(d.lat * Math.PI / 180);
        if (d.radiusPx > map.latLngToContainerPoint([d.lat, d.lon]).distanceTo(mid) + diag) continue;
      }
      var key = d.province >= 0 ? 'p' + d.province + ':' + d.s : 'c' + i;
      if (seen[key]) continue;
      seen[key] = 1;
      if (list.length >= UNC_MAX) { over = 1; break; }
      list.push(d);
    }
    unc.clearLayers();
    api.uncertaintyHidden = over ? UNC_MAX : 0;  /* more than this many shapes in view */
    if (!over) {
      /* widest first, so the small circles stay on top */
      list.sort(function(a, b){ return (b.province >= 0 ? 1e9 : b.precision_km) - (a.province >= 0 ? 1e9 : a.precision_km); });
      /* translucent fills add up where shapes overlap: only a few shapes get one */
      var fill = list.length > UNC_FILL_MAX ? 0 : null;
      list.forEach(function(d){
        var shape = uncShape(d), province = d.province >= 0;
        shape.setStyle({fillOpacity: fill === 0 ? 0 : (province ? 0.05 : 0.03),
                        /* dashes along a circle thousands of pixels round cost dearly: solid there */
                        dashArray: province ? '5 4' : (d.radiusPx > 1500 ? null : '4 4')});
        unc.addLayer(shape);
      });
    }
    api.fire('uncertainty');
  }
  unc.on('add', drawUncertainty);
  map.on('moveend', drawUncertainty);
  api.on('filter', drawUncertainty);
  overlays[{{ this.uncertainty_label|tojson }}] = unc;
  unc.addTo(map);
  api.overlays = overlays;

  function setReady(){
    api.ready = true;
    drawUncertainty();
    api.fire('ready');
  }
  api.whenReady = function(fn){ if (api.ready) fn(); else api.once('ready', fn); };

  /* ---- the bulk: incidents and their markers ---- */
  function load(bulk){
    I = bulk.incidents; K = bulk.claims; G = bulk.figures; S = bulk.strings; W = bulk.where; P = bulk.parties;
    n = I.id.length;
    var m_ = K.party.length, i, k;
    claim0 = new Int32Array(n + 1); fig0 = new Int32Array(m_ + 1);
    for (i = 0; i < n; i++) claim0[i + 1] = claim0[i] + I.nclaims[i];
    for (k = 0; k < m_; k++) fig0[k + 1] = fig0[k] + K.nfigures[k];
    var incidents = new Array(n), markers = new Array(n), first = [];
    shown = new Uint8Array(n);
    for (i = 0; i < n; i++) {
      var d = {i: i, id: I.id[i], lat: I.lat[i], lon: I.lon[i], t: I.type[i], s: I.side[i],
               event_type: types[I.type[i]][0], side_key: sides[I.side[i]][0],
               d0: I.d0[i], d1: I.d1[i], precision_km: I.precision_km[i], province: I.province[i]};
      var m = new Marker([d.lat, d.lon], {icon: iconFor(d.t, d.s), riseOnHover: true,
        title: types[d.t][1] + ' \\u2014 ' + s(W[I.where[i]][0]) + ' (' + dateText(i) + ')'});
      m.bm = d;
      incidents[i] = d; markers[i] = m;
      if (passes(d)) { shown[i] = 1; first.push(m); }
    }
    api.incidents = incidents; api.markers = markers;
    count = first.length;
    if (api.clustered && first.length) {
      loading = true;
      group.addLayers(first);   /* chunked: ready when the last chunk is in */
    } else {
      first.forEach(function(m){ group.addLayer(m); });
    }
    api.fire('filter');
    if (!api.clustered || !first.length) setReady();
  }
  function fail(message){
    api.error = message;
    var ctl = L.control({position: 'topright'});
    ctl.onAdd = function(){
      var div = L.DomUtil.create('div', 'bm-panel bm-load-error');
      div.textContent = message;
      return div;
    };
    ctl.addTo(map);
    api.fire('error');
  }
  /* deflate + base64 -> JSON, with the browser's own decompressor */
  function inflate(b64){
    var bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
    return new Response(stream).text().then(JSON.parse);
  }
  var el = document.getElementById({{ (this.get_name() ~ '-data')|tojson }});
  if (el.type === 'application/json') {
    load(JSON.parse(el.textContent));
  } else if (typeof DecompressionStream === 'undefined' || typeof Response === 'undefined') {
    fail({{ this.unsupported|tojson }});
  } else {
    inflate(el.textContent).then(load).catch(function(err){ fail('Could not read the incident data: ' + err); });
  }
  return api;
})();
{% endmacro %}
""")  # noqa: E501 (JavaScript and CSS)

    def __init__(self, data: dict, *, clustered: bool, uncertainty_max: int = 400,
                 uncertainty_label: str = "Location uncertainty",
                 compress_min_bytes: int = 500_000):
        super().__init__()
        self._name = "IncidentLayer"
        self.clustered = bool(clustered)
        self.uncertainty_max = int(uncertainty_max)
        self.uncertainty_label = uncertainty_label
        self.unsupported = ("This browser cannot unpack the map's incident data (it needs "
                            "DecompressionStream: Chrome/Edge 80+, Firefox 113+, Safari 16.4+).")
        meta = {k: v for k, v in data.items() if k not in self.BULK_KEYS}
        bulk = {k: data[k] for k in self.BULK_KEYS}
        self.meta_json = script_json(meta)
        text = json.dumps(bulk, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        if len(text) >= compress_min_bytes:
            # zlib's output is a pure function of input and level: the file stays deterministic
            self.bulk_type = self.COMPRESSED_TYPE
            packed = zlib.compress(text.encode("utf-8"), 3)
            self.bulk_text = base64.b64encode(packed).decode("ascii")
        else:
            self.bulk_type = "application/json"
            self.bulk_text = script_json(bulk)
        self.compressed = self.bulk_type == self.COMPRESSED_TYPE


class HeatLayer(PluginElement):
    """A kernel-density heat map of the incidents that pass the filter, on a canvas.

    Each redraw bins the shown incidents into a grid of ``cell_px`` pixels, blurs it
    with three box passes (close to a Gaussian of about ``radius_px``) and colours it
    on a yellow-to-red ramp scaled to the densest cell in view. It follows the map
    (pan, zoom, resize) and the incident filter (type, side, time window).
    """

    _template = Template("""
{% macro header(this, kwargs) %}
<style>.bm-heat{position:absolute;pointer-events:none;opacity:.85}</style>
{% endmacro %}
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function(){
  var src = {{ this.source.get_name() }};
  var CELL = {{ this.cell_px }}, R = Math.max(1, Math.round({{ this.radius_px }} / CELL / 1.7));
  var RAMP = [[0, 255, 255, 178], [0.25, 254, 204, 92], [0.5, 253, 141, 60], [0.75, 240, 59, 32], [1, 189, 0, 38]];
  function colour(t){
    for (var k = 1; k < RAMP.length; k++) if (t <= RAMP[k][0]) {
      var a = RAMP[k - 1], b = RAMP[k], f = (t - a[0]) / (b[0] - a[0]);
      return [a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2]), a[3] + f * (b[3] - a[3])];
    }
    return RAMP[RAMP.length - 1].slice(1);
  }
  function blur(g, w, h, r, tmp){
    var x, y, acc, i, win = 2 * r + 1;
    for (y = 0; y < h; y++) {              /* horizontal */
      acc = 0; var row = y * w;
      for (x = -r; x < w + r; x++) {
        if (x + r < w && x + r >= 0) acc += g[row + x + r];
        if (x - r - 1 >= 0 && x - r - 1 < w) acc -= g[row + x - r - 1];
        if (x >= 0 && x < w) tmp[row + x] = acc / win;
      }
    }
    for (x = 0; x < w; x++) {              /* vertical */
      acc = 0;
      for (y = -r; y < h + r; y++) {
        if (y + r < h && y + r >= 0) acc += tmp[(y + r) * w + x];
        if (y - r - 1 >= 0 && y - r - 1 < h) acc -= tmp[(y - r - 1) * w + x];
        if (y >= 0 && y < h) g[y * w + x] = acc / win;
      }
    }
  }
  var Heat = L.Layer.extend({
    onAdd: function(map){
      this._canvas = L.DomUtil.create('canvas', 'bm-heat leaflet-zoom-hide');
      this._canvas.id = {{ this.get_name()|tojson }};
      this.getPane().appendChild(this._canvas);
      map.on('moveend resize', this.redraw, this);
      src.on('filter', this.redraw, this);
      this.redraw();
    },
    onRemove: function(map){
      L.DomUtil.remove(this._canvas);
      map.off('moveend resize', this.redraw, this);
      src.off('filter', this.redraw, this);
      this._canvas = null;
    },
    redraw: function(){
      if (!this._map || !this._canvas) return this;
      var map = this._map, size = map.getSize(), c = this._canvas;
      c.width = size.x; c.height = size.y;
      L.DomUtil.setPosition(c, map.containerPointToLayerPoint([0, 0]));
      var M = 3 * R, gw = Math.ceil(size.x / CELL) + 2 * M, gh = Math.ceil(size.y / CELL) + 2 * M;
      var grid = new Float32Array(gw * gh), tmp = new Float32Array(gw * gh), pts = 0;
      var incs = src.incidents;
      for (var i = 0; i < incs.length; i++) {
        if (!src.isShown(i)) continue;
        var p = map.latLngToContainerPoint([incs[i].lat, incs[i].lon]);
        var x = Math.floor(p.x / CELL) + M, y = Math.floor(p.y / CELL) + M;
        if (x < 0 || y < 0 || x >= gw || y >= gh) continue;
        grid[y * gw + x] += 1; pts++;
      }
      for (var pass = 0; pass < 3; pass++) blur(grid, gw, gh, R, tmp);
      var max = 0;
      for (var k = 0; k < grid.length; k++) if (grid[k] > max) max = grid[k];
      this.stats = {points: pts, max: max};
      if (!pts || max <= 0) return this;
      var w = gw - 2 * M, h = gh - 2 * M, off = document.createElement('canvas');
      off.width = w; off.height = h;
      var octx = off.getContext('2d'), img = octx.createImageData(w, h), px = img.data;
      for (var yy = 0; yy < h; yy++) for (var xx = 0; xx < w; xx++) {
        var t = Math.sqrt(grid[(yy + M) * gw + xx + M] / max);
        if (t < 0.03) continue;
        var rgb = colour(t), o = 4 * (yy * w + xx);
        px[o] = rgb[0]; px[o + 1] = rgb[1]; px[o + 2] = rgb[2]; px[o + 3] = Math.min(255, 60 + 195 * t);
      }
      octx.putImageData(img, 0, 0);
      var ctx = c.getContext('2d');
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(off, 0, 0, w * CELL, h * CELL);
      return this;
    }
  });
  var layer = new Heat();
  layer.stats = {points: 0, max: 0};
  {% if this.show %}layer.addTo({{ this._parent.get_name() }});{% endif %}
  return layer;
})();
{% endmacro %}
""")  # noqa: E501 (JavaScript and CSS)

    def __init__(self, source: IncidentLayer, *, radius_px: int = 22, cell_px: int = 4,
                 show: bool = False):
        super().__init__()
        self._name = "HeatLayer"
        self.source = source
        self.radius_px = int(radius_px)
        self.cell_px = int(cell_px)
        self.show = show


# --------------------------------------------------------------------------- controls


class TimeSlider(PluginElement):
    """Two range inputs over the sorted distinct incident days: the time window.

    Moving either thumb calls the incident layer's ``setWindowIndex``, so markers,
    uncertainty shapes and the heat layer all follow. Also shows how many
    incidents pass the filters.
    """

    _template = Template("""
{% macro header(this, kwargs) %}
<style>
#{{ this.get_name() }}{width:290px}
#{{ this.get_name() }} label{display:flex;align-items:center;gap:6px;margin:2px 0}
#{{ this.get_name() }} label span{width:34px;color:#444}
#{{ this.get_name() }} input[type=range]{flex:1;margin:0}
#{{ this.get_name() }} .bm-time-range{font-weight:600}
#{{ this.get_name() }} .bm-time-count{color:#444}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function(){
  var map = {{ this._parent.get_name() }}, src = {{ this.source.get_name() }}, days = src.days;
  var ctl = L.control({position: {{ this.position|tojson }}});
  var el = {};
  ctl.onAdd = function(){
    var div = L.DomUtil.create('div', 'bm-panel bm-time');
    div.id = {{ this.get_name()|tojson }};
    var h = L.DomUtil.create('div', '', div);
    var b = L.DomUtil.create('b', '', h); b.textContent = {{ this.title|tojson }} + ' ';
    el.range = L.DomUtil.create('span', 'bm-time-range', h);
    function slider(label, cls, value){
      var lab = L.DomUtil.create('label', '', div);
      L.DomUtil.create('span', '', lab).textContent = label;
      var inp = L.DomUtil.create('input', cls, lab);
      inp.type = 'range'; inp.min = 0; inp.max = Math.max(0, days.length - 1); inp.step = 1; inp.value = value;
      inp.setAttribute('aria-label', label + ' date');
      inp.disabled = days.length < 2;
      return inp;
    }
    el.start = slider('From', 'bm-time-start', 0);
    el.end = slider('To', 'bm-time-end', Math.max(0, days.length - 1));
    el.count = L.DomUtil.create('div', 'bm-time-count', div);
    el.note = L.DomUtil.create('div', 'bm-note', div);
    var pending = null;
    function apply(moved){
      var a = +el.start.value, z = +el.end.value;
      if (a > z) { if (moved === el.start) el.end.value = z = a; else el.start.value = a = z; }
      label(days[a], days[z]);
      if (pending) cancelAnimationFrame(pending);
      pending = requestAnimationFrame(function(){ pending = null; src.setWindowIndex(a, z); });
    }
    /* large maps re-filter when the thumb is released, small ones while it moves */
    var evt = src.clustered ? 'change' : 'input';
    [el.start, el.end].forEach(function(inp){
      inp.addEventListener(evt, function(){ apply(inp); });
      if (evt === 'change') inp.addEventListener('input', function(){ label(days[+el.start.value], days[+el.end.value]); });
    });
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  function label(a, z){ el.range.textContent = a === z ? a : a + ' \\u2013 ' + z; }
  function update(){
    var w = src.window;
    label(w.start, w.end);
    if (document.activeElement !== el.start && document.activeElement !== el.end) {
      el.start.value = Math.max(0, Math.min(w.lo, days.length - 1));
      el.end.value = Math.max(+el.start.value, Math.min(w.hi, days.length - 1));
    }
    el.count.textContent = src.count().toLocaleString('en-US') + ' of ' + src.incidents.length.toLocaleString('en-US')
      + ' incidents shown';
    el.note.textContent = src.uncertaintyHidden
      ? 'Zoom in to draw the location uncertainty (more than ' + src.uncertaintyHidden.toLocaleString('en-US')
        + ' shapes in view).' : '';
  }
  ctl.addTo(map);
  src.on('filter uncertainty', update);
  update();
  ctl.update = update;
  return ctl;
})();
{% endmacro %}
""")  # noqa: E501 (JavaScript and CSS)

    def __init__(self, source: IncidentLayer, *, position: str = "bottomleft", title: str = "Time"):
        super().__init__()
        self._name = "TimeSlider"
        self.source = source
        self.position = position
        self.title = title


class Fullscreen(PluginElement):
    """A fullscreen button (the Fullscreen API on the map container).

    Where the browser refuses (an iframe without permission, an old browser) the
    container is stretched over the window instead.
    """

    _template = Template("""
{% macro header(this, kwargs) %}
<style>
.bm-pseudo-fullscreen{position:fixed!important;left:0!important;top:0!important;width:100vw!important;
  height:100vh!important;z-index:10000}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function(){
  var map = {{ this._parent.get_name() }}, box = map.getContainer();
  var ctl = L.control({position: {{ this.position|tojson }}}), btn;
  function isOn(){ return document.fullscreenElement === box || L.DomUtil.hasClass(box, 'bm-pseudo-fullscreen'); }
  function changed(){
    var onNow = isOn();
    L.DomUtil[onNow ? 'addClass' : 'removeClass'](btn, 'bm-active');
    btn.title = onNow ? {{ this.title_cancel|tojson }} : {{ this.title|tojson }};
    btn.setAttribute('aria-pressed', onNow ? 'true' : 'false');
    map.invalidateSize();
  }
  function pseudo(onNow){ L.DomUtil[onNow ? 'addClass' : 'removeClass'](box, 'bm-pseudo-fullscreen'); changed(); }
  function toggle(){
    if (isOn()) {
      if (document.fullscreenElement) document.exitFullscreen().catch(function(){ pseudo(false); });
      else pseudo(false);
    } else if (box.requestFullscreen) {
      box.requestFullscreen().catch(function(){ pseudo(true); });
    } else {
      pseudo(true);
    }
  }
  ctl.onAdd = function(){
    var div = L.DomUtil.create('div', 'leaflet-bar bm-fullscreen');
    div.id = {{ this.get_name()|tojson }};
    btn = L.DomUtil.create('button', 'bm-button', div);
    btn.type = 'button'; btn.title = {{ this.title|tojson }};
    btn.setAttribute('aria-label', {{ this.title|tojson }}); btn.setAttribute('aria-pressed', 'false');
    btn.innerHTML = '<svg width="16" height="16" viewBox="0 0 16 16" fill="none" stroke="#222" stroke-width="2">'
      + '<path d="M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5"/></svg>';
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.on(btn, 'click', toggle);
    return div;
  };
  ctl.addTo(map);
  document.addEventListener('fullscreenchange', changed);
  document.addEventListener('keydown', function(e){ if (e.key === 'Escape' && L.DomUtil.hasClass(box, 'bm-pseudo-fullscreen')) pseudo(false); });
  ctl.toggle = toggle; ctl.isFullscreen = isOn;
  return ctl;
})();
{% endmacro %}
""")  # noqa: E501 (JavaScript and CSS)

    def __init__(self, position: str = "topleft", title: str = "Full screen",
                 title_cancel: str = "Exit full screen"):
        super().__init__()
        self._name = "Fullscreen"
        self.position = position
        self.title = title
        self.title_cancel = title_cancel


class MeasureTool(PluginElement):
    """Click points on the map; shows the great-circle length of the path (``map.distance``).

    The button switches measuring on and off (off clears); Escape also ends it.
    """

    _template = Template("""
{% macro header(this, kwargs) %}
<style>
#{{ this.get_name() }}{display:flex;align-items:stretch;background:#fff}
#{{ this.get_name() }} .bm-measure-out{padding:0 8px;font:12px/30px system-ui,sans-serif;white-space:nowrap;display:none}
#{{ this.get_name() }}.bm-measuring .bm-measure-out{display:block}
.leaflet-container.bm-measure-cursor{cursor:crosshair}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function(){
  var map = {{ this._parent.get_name() }};
  var ctl = L.control({position: {{ this.position|tojson }}}), div, btn, out;
  var layer = L.layerGroup(), line = null, points = [], active = false;
  function total(){
    var t = 0;
    for (var i = 1; i < points.length; i++) t += map.distance(points[i - 1], points[i]);
    return t / 1000;
  }
  function show(){
    var km = total();
    out.textContent = points.length < 2 ? {{ this.hint|tojson }}
      : km.toLocaleString('en-US', {maximumFractionDigits: km < 10 ? 2 : 1}) + ' km'
        + ' (' + (points.length - 1) + ' segment' + (points.length > 2 ? 's' : '') + ')';
  }
  function add(e){
    points.push(e.latlng);
    L.circleMarker(e.latlng, {radius: 4, color: '#222', weight: 2, fillColor: '#fff', fillOpacity: 1,
                              interactive: false}).addTo(layer);
    if (line) line.setLatLngs(points);
    else line = L.polyline(points, {color: '#222', weight: 2, dashArray: '6 4', interactive: false}).addTo(layer);
    show();
  }
  function clear(){ points = []; line = null; layer.clearLayers(); }
  function start(){
    active = true; clear(); show();
    layer.addTo(map); map.on('click', add); map.doubleClickZoom.disable();
    L.DomUtil.addClass(map.getContainer(), 'bm-measure-cursor');
    L.DomUtil.addClass(div, 'bm-measuring'); L.DomUtil.addClass(btn, 'bm-active');
    btn.setAttribute('aria-pressed', 'true');
  }
  function stop(){
    active = false; map.off('click', add); map.doubleClickZoom.enable(); clear(); map.removeLayer(layer);
    L.DomUtil.removeClass(map.getContainer(), 'bm-measure-cursor');
    L.DomUtil.removeClass(div, 'bm-measuring'); L.DomUtil.removeClass(btn, 'bm-active');
    btn.setAttribute('aria-pressed', 'false');
  }
  ctl.onAdd = function(){
    div = L.DomUtil.create('div', 'leaflet-bar bm-measure');
    div.id = {{ this.get_name()|tojson }};
    btn = L.DomUtil.create('button', 'bm-button', div);
    btn.type = 'button'; btn.title = {{ this.title|tojson }};
    btn.setAttribute('aria-label', {{ this.title|tojson }}); btn.setAttribute('aria-pressed', 'false');
    btn.innerHTML = '<svg width="18" height="18" viewBox="0 0 18 18" fill="none" stroke="#222" stroke-width="1.6">'
      + '<path d="M1 12l11-11 5 5-11 11z M4 9l2 2 M6.5 6.5l1.5 1.5 M9 4l2 2"/></svg>';
    out = L.DomUtil.create('div', 'bm-measure-out', div);
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.on(btn, 'click', function(){ if (active) stop(); else start(); });
    return div;
  };
  ctl.addTo(map);
  document.addEventListener('keydown', function(e){ if (e.key === 'Escape' && active) stop(); });
  ctl.start = start; ctl.stop = stop;
  ctl.isActive = function(){ return active; };
  ctl.points = function(){ return points.slice(); };
  ctl.distanceKm = total;
  return ctl;
})();
{% endmacro %}
""")  # noqa: E501 (JavaScript and CSS)

    def __init__(self, position: str = "topleft", title: str = "Measure a distance",
                 hint: str = "Click points on the map"):
        super().__init__()
        self._name = "MeasureTool"
        self.position = position
        self.title = title
        self.hint = hint


class SearchBox(PluginElement):
    """A search box over incidents (id, place as reported, resolved place, claimants)
    and over the places the incidents resolved to.

    A place result fits the map to its incidents; an incident result pans to the
    incident (out of its cluster if need be) and opens its popup. Only incidents
    that pass the current filters are searched; results are built with
    ``textContent``, never markup.
    """

    _template = Template("""
{% macro header(this, kwargs) %}
<style>
#{{ this.get_name() }}{width:250px;padding:6px;z-index:1000}
#{{ this.get_name() }} input{width:100%;box-sizing:border-box;padding:4px 6px;font:13px system-ui,sans-serif}
#{{ this.get_name() }} ul{list-style:none;margin:2px 0 0;padding:2px;position:absolute;left:0;right:0;top:100%;
  max-height:calc(50vh - 80px);overflow:auto;background:rgba(255,255,255,.97);border-radius:4px;
  box-shadow:0 1px 4px rgba(0,0,0,.35)}
#{{ this.get_name() }} ul:empty{display:none}
#{{ this.get_name() }} li button{display:block;width:100%;text-align:left;border:none;background:none;
  padding:3px 4px;font:12px/1.3 system-ui,sans-serif;cursor:pointer}
#{{ this.get_name() }} li button:hover,#{{ this.get_name() }} li button:focus{background:#eef3fb}
#{{ this.get_name() }} li small{color:#666}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function(){
  var map = {{ this._parent.get_name() }}, src = {{ this.source.get_name() }};
  var MAX = {{ this.max_results }};
  var ctl = L.control({position: {{ this.position|tojson }}}), input, list, index = null, results = [];
  function build(){
    index = new Array(src.incidents.length);
    for (var i = 0; i < index.length; i++) index[i] = src.searchText(i).toLowerCase();
  }
  function search(text){
    var q = String(text == null ? '' : text).trim().toLowerCase();
    results = [];
    if (!q) { render(); return results; }
    if (!index || index.length !== src.incidents.length) build();
    var places = {}, placeOrder = [], incs = [];
    for (var i = 0; i < index.length; i++) {
      if (!src.isShown(i) || index[i].indexOf(q) < 0) continue;
      var pn = src.placeName(i);
      if (pn && pn.toLowerCase().indexOf(q) >= 0) {
        if (!places[pn]) { places[pn] = []; placeOrder.push(pn); }
        places[pn].push(i);
      }
      if (incs.length < MAX) incs.push(i);
    }
    placeOrder.slice(0, 3).forEach(function(p){
      results.push({kind: 'place', label: p, count: places[p].length, indices: places[p]});
    });
    incs.forEach(function(i){
      results.push({kind: 'incident', id: src.incidents[i].id, label: src.markers[i].options.title, index: i});
    });
    render();
    return results.map(function(r){ return {kind: r.kind, id: r.id, label: r.label, count: r.count}; });
  }
  function choose(r){
    if (r.kind === 'place') {
      var b = L.latLngBounds(r.indices.map(function(i){ return src.markers[i].getLatLng(); }));
      map.fitBounds(b.pad(0.3), {maxZoom: 10, animate: false});
    } else {
      src.open(r.index);
    }
  }
  function render(){
    if (!list) return;
    list.textContent = '';
    results.forEach(function(r){
      var li = L.DomUtil.create('li', '', list), b = L.DomUtil.create('button', 'bm-search-' + r.kind, li);
      b.type = 'button';
      b.textContent = r.label + ' ';
      L.DomUtil.create('small', '', b).textContent = r.kind === 'place'
        ? '(place, ' + r.count + ' incident' + (r.count === 1 ? '' : 's') + ')' : '(' + r.id + ')';
      L.DomEvent.on(b, 'click', function(){ choose(r); });
    });
    if (input.value.trim() && !results.length) L.DomUtil.create('li', 'bm-note', list).textContent = {{ this.no_results|tojson }};
  }
  ctl.onAdd = function(){
    var div = L.DomUtil.create('div', 'bm-panel bm-search');
    div.id = {{ this.get_name()|tojson }};
    input = L.DomUtil.create('input', '', div);
    input.type = 'search'; input.placeholder = {{ this.placeholder|tojson }};
    input.setAttribute('aria-label', {{ this.placeholder|tojson }});
    list = L.DomUtil.create('ul', '', div);
    var timer = null;
    input.addEventListener('input', function(){
      clearTimeout(timer);
      timer = setTimeout(function(){ search(input.value); }, 120);
    });
    input.addEventListener('keydown', function(e){ if (e.key === 'Enter' && results.length) choose(results[0]); });
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  ctl.addTo(map);
  src.on('filter', function(){ if (input.value.trim()) search(input.value); });
  ctl.search = function(text){ input.value = text == null ? '' : text; return search(text); };
  ctl.choose = function(k){ if (results[k]) choose(results[k]); };
  return ctl;
})();
{% endmacro %}
""")  # noqa: E501 (JavaScript and CSS)

    def __init__(self, source: IncidentLayer, *, position: str = "topright", max_results: int = 12,
                 placeholder: str = "Search incidents and places",
                 no_results: str = "No incident shown matches."):
        super().__init__()
        self._name = "SearchBox"
        self.source = source
        self.position = position
        self.max_results = int(max_results)
        self.placeholder = placeholder
        self.no_results = no_results


class LayerControl(PluginElement):
    """Base layers and every named overlay: folium layers, then the incident layer's
    toggles and the heat layer. Labels are read from the elements at render time."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function(){
  var map = {{ this._parent.get_name() }};
  var bases = {}, overlays = {};
  {% for label, layer in this.bases %}bases[{{ label|tojson }}] = {{ layer.get_name() }};
  {% endfor %}
  {% for label, layer in this.overlays %}overlays[{{ label|tojson }}] = {{ layer.get_name() }};
  {% endfor %}
  {% for group in this.groups %}Object.keys({{ group.get_name() }}.overlays).forEach(function(k){
    overlays[k] = {{ group.get_name() }}.overlays[k]; });
  {% endfor %}
  {% for label, layer in this.after %}overlays[{{ label|tojson }}] = {{ layer.get_name() }};
  {% endfor %}
  var ctl = L.control.layers(bases, overlays, {collapsed: false, position: {{ this.position|tojson }}}).addTo(map);
  ctl.namedLayers = overlays;
  /* the list scrolls rather than run under the legend below it */
  function fit(){
    var list = ctl.getContainer().querySelector('.leaflet-control-layers-list');
    var below = document.querySelector({{ this.below|tojson }});
    var bottom = below ? below.getBoundingClientRect().top : map.getContainer().getBoundingClientRect().bottom;
    list.style.maxHeight = Math.max(120, bottom - list.getBoundingClientRect().top - 16) + 'px';
  }
  map.on('resize', fit);
  setTimeout(fit, 0);
  ctl.fit = fit;
  return ctl;
})();
{% endmacro %}
""")  # noqa: E501 (JavaScript and CSS)

    def __init__(self, bases, overlays, groups=(), after=(), position: str = "topright",
                 below: str = ".bm-legend-panel.leaflet-control"):
        super().__init__()
        self._name = "LayerControl"
        self.below = below
        self.bases = list(bases)
        self.overlays = list(overlays)
        self.groups = list(groups)
        self.after = list(after)
        self.position = position


_PANEL_SCRIPT = """
{% macro script(this, kwargs) %}
(function(){
  var el = document.getElementById({{ this.get_name()|tojson }});
  var ctl = L.control({position: {{ this.position|tojson }}});
  ctl.onAdd = function(){
    L.DomEvent.disableClickPropagation(el);
    L.DomEvent.disableScrollPropagation(el);
    return el;
  };
  ctl.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
"""

# Hidden until the control has moved the panel onto the map.
_PANEL_HIDE = "#{{ this.get_name() }}:not(.leaflet-control){display:none}"


class Legend(PluginElement):
    """The legend: event-type symbols, side colours, countries, bands, the line and its note.

    ``symbols`` are ``(svg, label)`` pairs whose SVG comes from our own constants
    (trusted); every label and the note are escaped by the template.
    """

    _template = Template("""
{% macro header(this, kwargs) %}
<style>""" + _PANEL_HIDE + """
#{{ this.get_name() }}{max-height:calc(50vh - 60px);overflow-y:auto;max-width:330px}
#{{ this.get_name() }} .bm-legend{display:grid;grid-template-columns:1fr 1fr;gap:1px 10px}
#{{ this.get_name() }} .bm-legend div{display:flex;align-items:center;gap:5px;min-width:0}
#{{ this.get_name() }} .bm-legend .bm-wide{grid-column:1 / span 2}
#{{ this.get_name() }} .bm-legend i{flex:0 0 18px;display:flex;justify-content:center}
#{{ this.get_name() }} svg{vertical-align:middle}
#{{ this.get_name() }} .bm-swatch{display:inline-block;width:13px;height:13px}
</style>
{% endmacro %}
{% macro html(this, kwargs) %}
<div id="{{ this.get_name() }}" class="bm-panel bm-legend-panel">
<h3>{{ this.title|e }}</h3>
<div class="bm-legend">
{% for svg, label in this.symbols %}<div><i>{{ svg }}</i><span>{{ label|e }}</span></div>
{% endfor %}{% for colour, label in this.sides %}<div><i><span class="bm-swatch" style="background:{{ colour|e }};border-radius:50%"></span></i><span>{{ label|e }}</span></div>
{% endfor %}{% for colour, label in this.areas %}<div><i><span class="bm-swatch" style="background:{{ colour|e }};border:1px solid #999"></span></i><span>{{ label|e }}</span></div>
{% endfor %}<div class="bm-wide"><i><svg width="18" height="8"><line x1="0" y1="4" x2="18" y2="4" stroke="{{ this.line_colour|e }}" stroke-width="3" stroke-dasharray="5 3"/></svg></i><span>{{ this.line_label|e }}</span></div>
<div class="bm-wide"><i><svg width="16" height="16"><circle cx="8" cy="8" r="6.5" fill="none" stroke="#555" stroke-dasharray="3 2"/></svg></i><span>{{ this.uncertainty_label|e }}</span></div>
</div>
<div class="bm-note">{{ this.note|e }}</div>
</div>
{% endmacro %}
""" + _PANEL_SCRIPT)  # noqa: E501 (JavaScript and CSS)

    def __init__(self, *, symbols, sides, areas, line_colour: str, line_label: str,
                 uncertainty_label: str, note: str, title: str = "Legend",
                 position: str = "bottomright"):
        super().__init__()
        self._name = "Legend"
        self.symbols = list(symbols)
        self.sides = list(sides)
        self.areas = list(areas)
        self.line_colour = line_colour
        self.line_label = line_label
        self.uncertainty_label = uncertainty_label
        self.note = note
        self.title = title
        self.position = position


class SummaryPanel(PluginElement):
    """Title and counts: incidents, claims, dates, by side, by distance band, by sector."""

    _template = Template("""
{% macro header(this, kwargs) %}
<style>""" + _PANEL_HIDE + """
#{{ this.get_name() }} summary{cursor:pointer;font-weight:700}
#{{ this.get_name() }} .bm-sectors{max-height:180px;overflow:auto}
</style>
{% endmacro %}
{% macro html(this, kwargs) %}
<div id="{{ this.get_name() }}" class="bm-panel bm-summary">
<h3>{{ this.title|e }}</h3>
{% for line in this.lines %}<div>{{ line|e }}</div>
{% endfor %}<table>
{% for heading, rows in this.tables %}<tr><td colspan="2"><b>{{ heading|e }}</b></td></tr>
{% for label, n in rows %}<tr><td>{{ label|e }}</td><td class="bm-n">{{ n }}</td></tr>
{% endfor %}{% endfor %}</table>
{% if this.sectors %}<details class="bm-sectors"><summary>{{ this.sector_heading|e }}</summary><table>
{% for label, n in this.sectors %}<tr><td>{{ label|e }}</td><td class="bm-n">{{ n }}</td></tr>
{% endfor %}</table></details>{% endif %}
{% for note in this.notes %}<div class="bm-note">{{ note|e }}</div>
{% endfor %}</div>
{% endmacro %}
""" + _PANEL_SCRIPT)  # noqa: E501 (JavaScript and CSS)

    def __init__(self, *, title: str, lines: Sequence[str], tables, sectors, sector_heading: str,
                 notes: Sequence[str] = (), position: str = "topleft"):
        super().__init__()
        self._name = "SummaryPanel"
        self.title = title
        self.lines = list(lines)
        self.tables = [(h, [(label, int(n)) for label, n in rows]) for h, rows in tables]
        self.sectors = [(label, int(n)) for label, n in sectors]
        self.sector_heading = sector_heading
        self.notes = list(notes)
        self.position = position


class Attribution(PluginElement):
    """Attribution entries (trusted HTML written by us: links to the data sources)."""

    _template = Template("""
{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.attributionControl.setPrefix({{ this.prefix|tojson }});
{% for a in this.items %}{{ this._parent.get_name() }}.attributionControl.addAttribution({{ a|tojson }});
{% endfor %}
{% endmacro %}
""")  # noqa: E501 (JavaScript and CSS)

    def __init__(self, items: Sequence[str], prefix: str):
        super().__init__()
        self._name = "Attribution"
        self.items = list(items)
        self.prefix = prefix


class BorderMapApi(PluginElement):
    """``window.borderMap``: the map's state for the browser tests and curious users."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function(){
  var src = {{ this.incidents.get_name() }}, ctl = {{ this.layer_control.get_name() }};
  window.borderMap = {
    map: {{ this._parent.get_name() }},
    get incidents(){ return src.incidents; },
    get markers(){ return src.markers; },
    visibleMarkers: function(){ return src.count(); },
    namedLayers: ctl.namedLayers,
    layerControl: ctl,
    overlays: src.overlays,
    layer: src,
    clustered: src.clustered,
    setTimeWindow: function(a, b){ return src.setTimeWindow(a, b); },
    timeWindow: function(){ return {start: src.window.start, end: src.window.end}; },
    days: src.days,
    open: function(id){ return src.open(id); },
    heatLayer: {{ this.heat.get_name() }},
    search: function(text){ return {{ this.search.get_name() }}.search(text); },
    searchControl: {{ this.search.get_name() }},
    timeControl: {{ this.time.get_name() }},
    fullscreen: {{ this.fullscreen.get_name() }},
    measure: {{ this.measure.get_name() }},
    uncertainty: src.uncertainty,
    get ready(){ return src.ready; }
  };
})();
{% endmacro %}
""")  # noqa: E501 (JavaScript and CSS)

    def __init__(self, *, incidents, layer_control, heat, search, time, fullscreen, measure):
        super().__init__()
        self._name = "BorderMapApi"
        self.incidents = incidents
        self.layer_control = layer_control
        self.heat = heat
        self.search = search
        self.time = time
        self.fullscreen = fullscreen
        self.measure = measure
