"""The map's folium elements: one ``MacroElement`` per control or layer, no CDN.

Each element follows folium's plugin pattern (``folium/plugins/fullscreen.py``,
``float_image.py``): a class-level template with ``header`` / ``html`` / ``script``
macros and a JavaScript variable named after the element so that later elements can
refer to it. The JavaScript itself lives in ``border_map/render/js/*.js`` (our own, no
copied third-party code; checked by ``node --check`` in the tests) and the styles in
``border_map/render/css/map.css``: :class:`MapScripts` inlines them once, and each element's
script is one call such as ``BM.incidentLayer(map, {...options...})``. Leaflet comes inlined
from its registry package (see :mod:`border_map.render.assets`); clustering is our own.

The heart is :class:`IncidentLayer`: it reads one compact JSON data block, makes a
marker per located incident (clustered per side of the line above a threshold), builds
each popup in the browser when it opens (every field through one ``esc`` function), and
owns the one filter (event type, side, claim status, claimant, contradiction, claimed
deaths, location precision, band, sector, actor, time window) that the markers, the
uncertainty shapes, the heat layer, the timeline, the list and the summary all follow.
:class:`App` lays the page out: a header, the side panel (a bottom sheet on a phone) and
the map in ``<main>``.

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
from jinja2 import Template

from . import assets


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
    """JavaScript and CSS (Leaflet, the map's own) inlined into the page header."""

    _template = Template("""
{% macro header(this, kwargs) %}
<style>{{ this.css }}</style>
<script>{{ this.js }}</script>
{% endmacro %}
""")  # noqa: E501 (JavaScript)

    def __init__(self, js: str, css: str, name: str = "InlineAssets"):
        super().__init__()
        self._name = name
        # never HTML-escaped: this is trusted package data, not user text
        self.js = js.replace("</script", "<\\/script")
        self.css = css.replace("</style", "<\\/style")


class MapScripts(InlineAssets):
    """The map's own scripts (``render/js/*.js``) and styles (``render/css/map.css``)."""

    def __init__(self):
        super().__init__(assets.map_js(), assets.map_css(), name="MapScripts")


class _Call(PluginElement):
    """An element whose script is ``var NAME = BM.<function>(map, [sources...,] options)``."""

    function = ""
    sources: tuple = ()

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = BM.{{ this.function }}({{ this._parent.get_name() }}{% for s in this.source_names() %}, {{ s }}{% endfor %}, {{ this.options_json }});
{% endmacro %}
""")  # noqa: E501 (JavaScript)

    def __init__(self, options: dict):
        super().__init__()
        self.options = options

    def source_names(self):
        return [s.get_name() for s in self.sources]

    @property
    def options_json(self) -> str:
        return script_json(self.options)


# --------------------------------------------------------------------------- base layers


class CountriesBase(_Call):
    """The shipped country polygons in their own pane *below* the tile pane (never blank)."""

    function = "countriesBase"

    def __init__(self, geojson: dict, fills: dict[str, str], *, min_zoom: int = 3,
                 max_zoom: int = 18):
        super().__init__({"data": geojson, "fills": fills, "minZoom": int(min_zoom),
                          "maxZoom": int(max_zoom)})
        self._name = "CountriesBase"


class ContextLayer(_Call):
    """Province boundaries with names, place labels by zoom and rivers
    (``geodata/basemap_*.geojson``, built by ``geodata/build/build_basemap.py``), drawn by
    ``BM.contextLayer``."""

    function = "contextLayer"

    def __init__(self, admin: dict, places: dict, admin2: dict | None = None,
                 rivers: dict | None = None, *, max_labels: int = 160,
                 river_colour: str = "#2f78c4"):
        empty = {"type": "FeatureCollection", "features": []}
        super().__init__({"admin": admin, "places": places,
                          "admin2": admin2 or empty, "rivers": rivers or empty,
                          "riverColour": river_colour, "maxLabels": int(max_labels)})
        self._name = "ContextLayer"


# --------------------------------------------------------------------------- incidents


class IncidentLayer(PluginElement):
    """Every incident from one data block: markers, popups, one filter (``js/incidents.js``).

    ``data`` is built by :func:`border_map.render.map_data.encode_incidents`. Its small
    parts (field names, days, types, sides, icons, province polygons) go into the
    page as JSON; its bulk (:attr:`BULK_KEYS`: the columns and tables) too when it
    is small, and otherwise zlib-compressed and base64-encoded, to be unpacked by
    the browser's ``DecompressionStream``: 100,000 incidents fit in a few MB.
    """

    BULK_KEYS = ("incidents", "claims", "figures", "strings", "where", "parties")
    COMPRESSED_TYPE = "application/x-border-map+deflate-base64"

    _template = Template("""
{% macro html(this, kwargs) %}
<script type="application/json" id="{{ this.get_name() }}-meta">{{ this.meta_json }}</script>
<script type="{{ this.bulk_type }}" id="{{ this.get_name() }}-data">{{ this.bulk_text }}</script>
{% endmacro %}
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = BM.incidentLayer({{ this._parent.get_name() }}, {{ this.options_json }});
{% endmacro %}
""")  # noqa: E501 (JavaScript)

    def __init__(self, data: dict, *, clustered: bool, uncertainty_max: int = 400,
                 uncertainty_label: str = "Location uncertainty",
                 compress_min_bytes: int = 500_000):
        super().__init__()
        self._name = "IncidentLayer"
        self.clustered = bool(clustered)
        self.uncertainty_label = uncertainty_label
        self.uncertainty_max = int(uncertainty_max)
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

    @property
    def options_json(self) -> str:
        name = self.get_name()
        return script_json({
            "metaId": f"{name}-meta", "dataId": f"{name}-data", "clustered": self.clustered,
            "uncertaintyMax": self.uncertainty_max, "uncertaintyLabel": self.uncertainty_label,
            "unsupported": self.unsupported})


class HeatLayer(_Call):
    """A kernel-density heat map of the incidents that pass the filter (``js/heat.js``)."""

    function = "heatLayer"

    def __init__(self, source: IncidentLayer, *, radius_px: int = 22, cell_px: int = 4,
                 show: bool = False):
        super().__init__({"radius": int(radius_px), "cell": int(cell_px), "show": bool(show)})
        self._name = "HeatLayer"
        self.sources = (source,)

    @property
    def options_json(self) -> str:
        return script_json({**self.options, "id": self.get_name()})


# --------------------------------------------------------------------------- controls


class Fullscreen(_Call):
    """A fullscreen button (``js/controls.js``)."""

    function = "fullscreen"

    def __init__(self, position: str = "topleft", title: str = "Full screen",
                 title_cancel: str = "Exit full screen"):
        super().__init__({"position": position, "title": title, "titleCancel": title_cancel})
        self._name = "Fullscreen"

    @property
    def options_json(self) -> str:
        return script_json({**self.options, "id": self.get_name()})


class MeasureTool(_Call):
    """Click points on the map; shows the great-circle length of the path (``js/controls.js``)."""

    function = "measure"

    def __init__(self, position: str = "topleft", title: str = "Measure a distance",
                 hint: str = "Click points on the map"):
        super().__init__({"position": position, "title": title, "hint": hint})
        self._name = "MeasureTool"

    @property
    def options_json(self) -> str:
        return script_json({**self.options, "id": self.get_name()})


class Legend(PluginElement):
    """The legend: event-type symbols, side colours and patterns, countries, bands, the line
    and its note. ``symbols`` are ``(svg, label)`` pairs whose SVG comes from our own
    constants (trusted); every label and the note are escaped by the template. The app moves
    it into the side panel. ``defs`` (trusted SVG) holds the side patterns the icons use."""

    _template = Template("""
{% macro html(this, kwargs) %}
<svg class="bm-defs" aria-hidden="true" focusable="false">{{ this.defs }}</svg>
<div id="{{ this.get_name() }}" class="bm-legend-panel">
<h3>{{ this.title|e }}</h3>
<div class="bm-legend">
{% for svg, label in this.symbols %}<div><i>{{ svg }}</i><span>{{ label|e }}</span></div>
{% endfor %}{% for svg, label in this.sides %}<div><i>{{ svg }}</i><span>{{ label|e }}</span></div>
{% endfor %}{% for colour, label in this.areas %}<div><i><span class="bm-swatch" style="background:{{ colour|e }};border:1px solid #999"></span></i><span>{{ label|e }}</span></div>
{% endfor %}<div class="bm-wide"><i><svg width="18" height="8" aria-hidden="true"><line x1="0" y1="4" x2="18" y2="4" stroke="{{ this.line_colour|e }}" stroke-width="3" stroke-dasharray="5 3"/></svg></i><span>{{ this.line_label|e }}</span></div>
<div class="bm-wide"><i><svg width="16" height="16" aria-hidden="true"><circle cx="8" cy="8" r="6.5" fill="none" stroke="#555" stroke-dasharray="3 2"/></svg></i><span>{{ this.uncertainty_label|e }}</span></div>
{% for svg, label in this.extra %}<div class="bm-wide"><i>{{ svg }}</i><span>{{ label|e }}</span></div>
{% endfor %}</div>
<div class="bm-note">{{ this.note|e }}</div>
</div>
{% endmacro %}
""")  # noqa: E501 (markup)

    def __init__(self, *, symbols, sides, areas, line_colour: str, line_label: str,
                 uncertainty_label: str, note: str, title: str = "Legend", defs: str = "",
                 extra=()):
        super().__init__()
        self._name = "Legend"
        self.symbols = list(symbols)
        self.sides = list(sides)
        self.areas = list(areas)
        self.extra = list(extra)
        self.line_colour = line_colour
        self.line_label = line_label
        self.uncertainty_label = uncertainty_label
        self.note = note
        self.title = title
        self.defs = defs


class Attribution(PluginElement):
    """Attribution entries (trusted HTML written by us: links to the data sources)."""

    _template = Template("""
{% macro script(this, kwargs) %}
BM.attribution({{ this._parent.get_name() }}, {{ this.prefix|tojson }}, {{ this.items_json }});
{% endmacro %}
""")  # noqa: E501 (JavaScript)

    def __init__(self, items: Sequence[str], prefix: str):
        super().__init__()
        self._name = "Attribution"
        self.items = list(items)
        self.prefix = prefix

    @property
    def items_json(self) -> str:
        return script_json(self.items)


class App(PluginElement):
    """The page: a header (title, panel toggle), the side panel (search, timeline, filters,
    list, summary, layers, legend, export; a bottom sheet on a phone) and the map in
    ``<main>``, the URL-hash state, and ``window.borderMap`` (``js/app.js``)."""

    _template = Template("""
{% macro html(this, kwargs) %}
<header class="bm-header" id="{{ this.get_name() }}-header"><h1>{{ this.title|e }}</h1><span class="bm-count" aria-live="polite"></span><button type="button" class="bm-toggle" aria-controls="{{ this.get_name() }}-side" aria-expanded="true">Filters, list &amp; legend</button></header>
<aside class="bm-side" id="{{ this.get_name() }}-side" aria-label="Search, timeline, filters, list and legend"></aside>
{% endmacro %}
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function(){
  var map = {{ this._parent.get_name() }}, src = {{ this.incidents.get_name() }};
  var bases = {}, overlays = {};
  {% for label, layer in this.bases %}bases[{{ label|tojson }}] = {{ layer.get_name() }};
  {% endfor %}{% for label, layer in this.overlays %}overlays[{{ label|tojson }}] = {{ layer.get_name() }};
  {% endfor %}Object.keys(src.overlays).forEach(function(k){ overlays[k] = src.overlays[k]; });
  overlays[{{ this.heat_label|tojson }}] = {{ this.heat.get_name() }};
  var o = {{ this.options_json }};
  o.layers = {bases: bases, overlays: overlays};
  var app = BM.app(map, src, o);
  BM.api(map, src, app, {heat: {{ this.heat.get_name() }}, fullscreen: {{ this.fullscreen.get_name() }},
                         measure: {{ this.measure.get_name() }}});
  return app;
})();
{% endmacro %}
""")  # noqa: E501 (markup)

    def __init__(self, *, title: str, incidents: IncidentLayer, heat: HeatLayer, heat_label: str,
                 fullscreen: Fullscreen, measure: MeasureTool, legend: Legend, bases, overlays,
                 search_placeholder: str = "Search incidents and places",
                 no_results: str = "No incident shown matches.", max_results: int = 12,
                 bounds=None):
        super().__init__()
        self._name = "App"
        self.bounds = bounds
        self.title = title
        self.incidents = incidents
        self.heat = heat
        self.heat_label = heat_label
        self.fullscreen = fullscreen
        self.measure = measure
        self.legend = legend
        self.bases = list(bases)
        self.overlays = list(overlays)
        self.search = {"placeholder": search_placeholder, "noResults": no_results,
                       "maxResults": int(max_results)}

    @property
    def options_json(self) -> str:
        name = self.get_name()
        return script_json({"headerId": f"{name}-header", "sideId": f"{name}-side",
                            "legendId": self.legend.get_name(), "bounds": self.bounds,
                            "search": {**self.search, "id": f"{name}-search"},
                            "time": {"id": f"{name}-time", "title": "Time"}})
