"""QGIS styles (QML) for the GIS outputs: symbols, fields, aliases, map tips, labels, time.

One style per layer, written three ways from the same elements: into the GeoPackage's
``layer_styles`` table (:func:`style_table`), as ``incidents.qml`` beside the GeoJSON
(:func:`qml`) and into each ``<maplayer>`` of the QGIS project
(:mod:`border_map.render.qgis_project`, via :func:`style_elements`). Nothing here needs QGIS;
the tests open the results with Debian's QGIS 3.22 headless.

What a style carries (QGIS 3.22 reads all of it; later QGIS 3 too):

* the renderer: the HTML map's symbol per event type (remote explosive and suicide bombing
  differ) filled with the side's colour; the uncertainty circles with a dashed outline; the
  dashed red Durand Line; the band colours. From :data:`CLUSTER_THRESHOLD` incidents on, the
  style is scale-dependent: zoomed out beyond 1:2,000,000 the incidents are small dots in their
  side's colour and the uncertainty circles are not drawn (a solid mass otherwise, and slow:
  ``benchmarks/bench_qgis.py``); zoomed in, the full symbols;
* the field configuration: one editor widget per field by its declared type, so that every
  field reads right in the attribute table and the form: JSON lists and objects (``actors``,
  ``claims``, ``claim_spread``, ``aliases``, ``figures``) in the JSON view (QGIS's default
  key/value widget shows lists as NULL), dates as dates, measures with their decimals;
* field aliases from :mod:`border_map.properties`;
* a map tip (HTML; user text escaped) with the claims of each side side by side;
* labels from 1:500,000 in;
* the incidents' time: ``date_start`` to ``date_end`` (both days included) for the temporal
  controller.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from xml.etree import ElementTree as ET

import numpy as np

from ..border import DEFAULT_BANDS_KM, DurandLine
from ..properties import LAYERS_BY_NAME, Field

#: QGIS version the styles are written for (Debian 12's QGIS; later QGIS 3 reads them too).
QGIS_VERSION = "3.22.16-Białowieża"
#: From this many incidents on, the style is scale-dependent (dots and no circles zoomed out).
#: (QGIS's point-cluster renderer was tried: no faster than drawing every symbol.)
CLUSTER_THRESHOLD = 2_000
#: Scale denominators: labels from 1:LABEL_SCALE in; large layers' circles from 1:AREA_SCALE in.
LABEL_SCALE = 500_000
AREA_SCALE = 2_000_000

#: The layers with a style, bottom to top of the map (the project's drawing order reversed).
STYLED_LAYERS = ("countries", "af_provinces", "border_bands", "sectors", "durand_line",
                 "incident_areas", "places", "incidents", "claims")

#: QGIS geometry types (QgsWkbTypes::GeometryType) of the styled layers.
GEOMETRY = {"Point": 0, "LineString": 1, "Polygon": 2, "MultiPolygon": 2, None: 4}

#: Shapes (SVG, 24x24 view box) for event types whose map symbol another type shares: every
#: event type gets its own symbol in QGIS.
EXTRA_SHAPES = {
    # a burst: suicide bombing (the map draws it like a remote explosive)
    "suicide_bomb": '<path d="M12 1l2.6 6 6.4-1.6-3.4 5.6 4.4 4.8-6.5.4L12 23l-3.5-6.8-6.5-.4'
                    ' 4.4-4.8L3 5.4l6.4 1.6z"/><circle cx="12" cy="12" r="3" fill="#fff"/>',
}

_WORDS = {"id": "ID", "acled": "ACLED", "af": "Afghan", "pk": "Pakistani", "lon": "longitude",
          "lat": "latitude", "km": "", "qml": "QML", "sld": "SLD", "iso": "ISO"}


def alias(field: Field) -> str:
    """A field's display name in QGIS: its words, with the unit when it is km or degrees."""
    words = [_WORDS.get(w, w) for w in field.name.split("_")]
    text = " ".join(w for w in words if w)
    text = text[:1].upper() + text[1:]
    if field.unit in ("km", "degrees"):
        text += f" ({field.unit})"
    return text


# --------------------------------------------------------------------------- XML helpers


def _option(parent, name: str | None, value, kind: str | None = None) -> ET.Element:
    """A QGIS <Option>: maps from dicts, booleans, numbers and strings."""
    attrs = {} if name is None else {"name": name}
    if isinstance(value, Mapping):
        el = ET.SubElement(parent, "Option", {**attrs, "type": "Map"})
        for k, v in value.items():
            _option(el, k, v)
        return el
    if kind is None:
        kind = ("bool" if isinstance(value, bool) else "int" if isinstance(value, int)
                else "double" if isinstance(value, float) else "QString")
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return ET.SubElement(parent, "Option", {**attrs, "type": kind, "value": text})


def _rgba(colour: str, alpha: float = 1.0) -> str:
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(alpha * 255)}"


def _px_mm(px: float) -> str:
    """CSS pixels (96 per inch, as on the HTML map) in millimetres for QGIS."""
    return f"{px * 25.4 / 96:.2f}"


def _key(*parts) -> str:
    """A stable rule key (QGIS wants a UUID in braces)."""
    name = "border-map:" + ":".join(map(str, parts))
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, name)) + "}"


def _quote(value) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _symbol(parent, name: str, kind: str, layers: Sequence[tuple[str, Mapping, Mapping]],
            ) -> ET.Element:
    """A symbol of one or more symbol layers: (class, properties, data-defined expressions)."""
    sym = ET.SubElement(parent, "symbol", {"type": kind, "name": name, "alpha": "1",
                                           "clip_to_extent": "1", "force_rhr": "0"})
    for layer_class, props, defined in layers:
        lay = ET.SubElement(sym, "layer", {"class": layer_class, "enabled": "1", "locked": "0",
                                           "pass": "0"})
        # QGIS 3.26+ reads the Option map, older QGIS 3 the <prop> list: write both.
        opt = ET.SubElement(lay, "Option", {"type": "Map"})
        for k, v in props.items():
            _option(opt, k, str(v))
        for k, v in props.items():
            ET.SubElement(lay, "prop", {"k": k, "v": str(v)})
        ddp = ET.SubElement(lay, "data_defined_properties")
        _option(ddp, None, {"name": "", "properties": {
            k: {"active": True, "expression": expr, "type": 3} for k, expr in defined.items()},
            "type": "collection"})
    return sym


# --------------------------------------------------------------------------- symbols


def event_svg(key: str, symbol: str, colour: str, size: int = 22) -> str:
    """The SVG of an event type's symbol (the map's, or :data:`EXTRA_SHAPES`)."""
    from .symbols import SYMBOL_SHAPES

    shape = EXTRA_SHAPES.get(key) or SYMBOL_SHAPES.get(symbol, SYMBOL_SHAPES["dot"])
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
            f'viewBox="0 0 24 24" fill="{colour}" stroke="#fff" stroke-width="1.2">{shape}</svg>')


def svg_marker(svg: str, colour: str, size_px: float = 22) -> dict[str, str]:
    return {
        "name": "base64:" + base64.b64encode(svg.encode("utf-8")).decode("ascii"),
        "size": _px_mm(size_px), "size_unit": "MM", "angle": "0", "color": _rgba(colour),
        "outline_color": "255,255,255,255", "outline_width": "0", "outline_width_unit": "MM",
        "horizontal_anchor_point": "1", "vertical_anchor_point": "1",
        "scale_method": "diameter", "offset": "0,0", "offset_unit": "MM",
        "fixedAspectRatio": "0",
    }


def simple_marker(colour: str, size_px: float = 8, shape: str = "circle",
                  outline: str = "#ffffff") -> dict[str, str]:
    return {"name": shape, "color": _rgba(colour), "outline_color": _rgba(outline),
            "outline_width": _px_mm(1), "outline_width_unit": "MM", "outline_style": "solid",
            "size": _px_mm(size_px), "size_unit": "MM", "angle": "0", "offset": "0,0",
            "offset_unit": "MM", "scale_method": "diameter", "joinstyle": "bevel",
            "horizontal_anchor_point": "1", "vertical_anchor_point": "1"}


def line(colour: str, alpha: float, width_px: float, dash_px: Sequence[float] = ()) -> dict:
    return {"line_color": _rgba(colour, alpha), "line_width": _px_mm(width_px),
            "line_width_unit": "MM", "line_style": "solid", "capstyle": "round",
            "joinstyle": "round", "offset": "0", "offset_unit": "MM",
            "use_custom_dash": "1" if dash_px else "0",
            "customdash": ";".join(_px_mm(d) for d in dash_px) if dash_px else "5;2",
            "customdash_unit": "MM", "draw_inside_polygon": "0"}


def fill(colour: str, fill_alpha: float, line_alpha: float, width_px: float,
         outline_style: str = "solid", outline: str | None = None) -> dict:
    return {"color": _rgba(colour, fill_alpha), "style": "solid",
            "outline_color": _rgba(outline or colour, line_alpha),
            "outline_style": outline_style, "outline_width": _px_mm(width_px),
            "outline_width_unit": "MM", "joinstyle": "round", "offset": "0,0",
            "offset_unit": "MM"}


def _side_filter(side) -> str:
    return '"side" IS NULL' if side is None else f'"side" = {_quote(side)}'


def _rule_renderer(layer: str, rules: Sequence[tuple]) -> ET.Element:
    """rules: (label, filter, symbol type, [(symbol layer class, props, data-defined)])."""
    renderer = ET.Element("renderer-v2", {"type": "RuleRenderer", "symbollevels": "0",
                                          "forceraster": "0", "enableorderby": "0"})
    root = ET.SubElement(renderer, "rules", {"key": _key(layer, "root")})
    symbols = ET.SubElement(renderer, "symbols")
    for i, (label, expr, kind, layers) in enumerate(rules):
        ET.SubElement(root, "rule", {"key": _key(layer, label, expr), "label": label,
                                     "filter": expr, "symbol": str(i)})
        _symbol(symbols, str(i), kind, layers)
    return renderer


def _large_incidents(layer: str, rules: Sequence[tuple]) -> ET.Element:
    """A rule renderer for a large incident layer, by scale: from 1:AREA_SCALE out one small dot
    per incident in its side's colour (one symbol, no per-feature rule tests: QGIS draws
    100,000 of them quickly and the density shows); zoomed in, the symbol of each event type."""
    from .symbols import SIDE_COLOURS

    renderer = ET.Element("renderer-v2", {"type": "RuleRenderer", "symbollevels": "0",
                                          "forceraster": "0", "enableorderby": "0"})
    root = ET.SubElement(renderer, "rules", {"key": _key(layer, "root")})
    symbols = ET.SubElement(renderer, "symbols")
    colour = " ".join(f"WHEN {_side_filter(side)} THEN '{_rgba(SIDE_COLOURS[side])}'"
                      for side in ("AF", "PK", None))
    ET.SubElement(root, "rule", {"key": _key(layer, "overview"), "symbol": "0",
                                 "label": "Incident (zoomed out: one dot each)",
                                 "scalemindenom": str(AREA_SCALE)})
    _symbol(symbols, "0", "marker", [(
        "SimpleMarker", {**simple_marker(SIDE_COLOURS[None], 3), "outline_style": "no"},
        {"fillColor": f"CASE {colour} END"})])
    detail = ET.SubElement(root, "rule", {"key": _key(layer, "detail"),
                                          "label": "Incidents by event type and side",
                                          "scalemaxdenom": str(AREA_SCALE)})
    for i, (label, expr, kind, layers) in enumerate(rules, start=1):
        ET.SubElement(detail, "rule", {"key": _key(layer, label, expr), "label": label,
                                       "filter": expr, "symbol": str(i)})
        _symbol(symbols, str(i), kind, layers)
    return renderer


def renderer(layer: str, bands_km: Sequence[float] = DEFAULT_BANDS_KM,
             event_types: Mapping | None = None, feature_count: int = 0) -> ET.Element:
    """The renderer of a layer: the HTML map's symbols and colours."""
    from ..incidents import EVENT_TYPES
    from .symbols import BAND_COLOURS, COUNTRY_FILLS, LINE_COLOUR, SIDE_COLOURS, SIDE_LABELS

    event_types = event_types or EVENT_TYPES
    if layer == "incidents":
        rules = []
        for key, et in event_types.items():
            for side in ("AF", "PK", None):
                colour = SIDE_COLOURS[side]
                rules.append((f"{et.label} — {SIDE_LABELS[side]}",
                              f'"event_type" = {_quote(key)} AND {_side_filter(side)}',
                              "marker", [("SvgMarker", svg_marker(
                                  event_svg(key, et.symbol, colour), colour), {})]))
        colour = SIDE_COLOURS[None]
        rules.append(("Other event type", "ELSE", "marker",
                      [("SvgMarker", svg_marker(event_svg("", "dot", colour), colour), {})]))
        if feature_count >= CLUSTER_THRESHOLD:
            return _large_incidents(layer, rules)
        return _rule_renderer(layer, rules)
    if layer == "incident_areas":
        rules = [(f"Location uncertainty — {SIDE_LABELS[side]}", _side_filter(side), "fill",
                  [("SimpleFill", fill(SIDE_COLOURS[side], 0.06, 0.6, 1, "dash"), {})])
                 for side in ("AF", "PK", None)]
        return _rule_renderer(layer, rules)
    if layer == "durand_line":
        return _rule_renderer(layer, [("Durand Line (de facto, disputed)", "TRUE", "line",
                                       [("SimpleLine", line(LINE_COLOUR, 0.9, 3, (8, 6)), {})])])
    if layer == "border_bands":
        rules = [(f"within {b:g} km of the line", f'"band_km" = {b:g}', "fill",
                  [("SimpleFill", fill(BAND_COLOURS[i % len(BAND_COLOURS)], 0.35, 1.0, 0.5),
                    {})])
                 for i, b in enumerate(sorted(bands_km, reverse=True))]
        return _rule_renderer(layer, rules)
    if layer == "sectors":
        return _rule_renderer(layer, [("Sector", "TRUE", "line",
                                       [("SimpleLine", line("#6b6b6b", 0.8, 1.5), {})])])
    if layer == "places":
        return _rule_renderer(layer, [("Place used", "TRUE", "marker",
                                       [("SimpleMarker", simple_marker("#444444", 6), {})])])
    if layer == "countries":
        rules = [(name, f'"iso_a2" = {_quote(iso)}', "fill",
                  [("SimpleFill", fill(COUNTRY_FILLS[iso], 1.0, 1.0, 0.8, outline="#9a9a9a"),
                    {})])
                 for iso, name in (("AF", "Afghanistan"), ("PK", "Pakistan"))]
        return _rule_renderer(layer, rules)
    if layer == "af_provinces":
        return _rule_renderer(layer, [("Afghan province", "TRUE", "fill", [(
            "SimpleFill", {**fill("#ffffff", 0.0, 0.9, 0.6, "dot", outline="#a89f8c"),
                           "style": "no"}, {})])])
    raise ValueError(f"no style for layer {layer!r}")


# --------------------------------------------------------------------------- fields


def decimals(field: Field) -> int | None:
    """Decimals a measure means: 6 for degrees, 3 for km (None: as stored)."""
    return {"degrees": 6, "km": 3}.get(field.unit)


def editor_widget(field: Field) -> tuple[str, dict]:
    """The QGIS editor widget (type, config) that shows ``field`` as written."""
    if field.is_json:
        # DefaultView 0: text (1: tree); FormatJson 0: indented
        return "JsonEdit", {"DefaultView": 0, "FormatJson": 0}
    if field.type in ("date", "datetime"):
        fmt = "yyyy-MM-dd" if field.type == "date" else "yyyy-MM-ddTHH:mm:ss"
        return "DateTime", {"allow_null": True, "calendar_popup": True, "display_format": fmt,
                            "field_format": fmt, "field_iso_format": False}
    if field.type == "boolean":
        return "CheckBox", {"CheckedState": "", "UncheckedState": "", "TextDisplayMethod": 0}
    if field.type in ("integer", "number"):
        places = decimals(field)
        if field.type == "integer":
            places = 0
        elif places is None:
            places = 2 if field.name == "match_score" else 3
        return "Range", {"AllowNull": field.nullable, "Max": 1e12 if field.type == "number"
                         else 2147483647, "Min": -1e12 if field.type == "number"
                         else -2147483648, "Precision": places, "Step": 1,
                         "Style": "SpinBox"}
    multiline = field.name in ("description", "statement", "source_quote", "styleQML",
                               "location_error")
    return "TextEdit", {"IsMultiline": multiline, "UseHtml": False}


def _fields(root: ET.Element, fields: Sequence[Field]) -> None:
    conf = ET.SubElement(root, "fieldConfiguration")
    for f in fields:
        el = ET.SubElement(conf, "field", {"name": f.name, "configurationFlags": "None"})
        kind, config = editor_widget(f)
        widget = ET.SubElement(el, "editWidget", {"type": kind})
        _option(ET.SubElement(widget, "config"), None, config)
    aliases = ET.SubElement(root, "aliases")
    for i, f in enumerate(fields):
        ET.SubElement(aliases, "alias", {"field": f.name, "index": str(i), "name": alias(f)})


# --------------------------------------------------------------------------- map tips, labels


def _esc(expr: str) -> str:
    """A QGIS expression for ``expr`` as HTML text (& < > escaped; NULL as '')."""
    return (f"replace(coalesce(to_string({expr}), ''), array('&', '<', '>'), "
            "array('&amp;', '&lt;', '&gt;'))")


def _claims_cell(side: str) -> str:
    """The claims of one side as HTML lines (who: statement, figures, [status])."""
    who = _esc("coalesce(@element['organisation'], @element['claimant'], 'unnamed')")
    statement = _esc("@element['statement']")
    status = _esc("@element['status']")
    figures = _esc("array_to_string(array_foreach(coalesce(@element['figures'], array()), "
                   "coalesce(@element['text'], to_string(@element['low']))), '; ')")
    item = (f"'<b>' || {who} || '</b>: ' || {statement} || ' <i>' || {figures} || "
            f"'</i> [' || {status} || ']'")
    return ("[% array_to_string(array_foreach(array_filter(coalesce(\"claims\", array()), "
            f"@element['side'] = {_quote(side)}), {item}), '<br>') %]")


def _tip(expr: str) -> str:
    return f"[% {_esc(expr)} %]"


def map_tip(layer: str) -> str:
    """HTML map tip: what, where, when; for incidents the claims of each side side by side."""
    from ..incidents import SIDE_LABELS, SIDES

    if layer == "incidents":
        head = "".join(f"<th>{SIDE_LABELS[s]}</th>" for s in SIDES)
        cells = "".join(f'<td style="vertical-align:top">{_claims_cell(s)}</td>' for s in SIDES)
        contradict = ("[% if(\"conflicting_claims\", "
                      "'<b>The figures of the sides contradict.</b>', '') %]")
        what, when = _tip('"event_label"'), _tip('"date"')
        where = _tip('coalesce("place_name", "place")')
        side = _tip("coalesce(\"side\", 'no side')")
        km = _tip('format_number("distance_to_border_km", 1)')
        text = _tip('"description"')
        return (f"<h3>{what}</h3><p>{when} · {where} · {side} · {km} km from the line</p>"
                f"<p>{text}</p>"
                f'<table border="1" cellspacing="0" cellpadding="3"><tr>{head}</tr>'
                f"<tr>{cells}</tr></table><p>{contradict}</p>")
    if layer == "places":
        name, kind, count = _tip('"name"'), _tip('"kind"'), _tip('"incident_count"')
        return f"<b>{name}</b> ({kind}): {count} incident(s)"
    if layer == "incident_areas":
        inc, km = _tip('"incident_id"'), _tip('"precision_km"')
        return f"{inc}: within {km} km"
    if layer == "claims":
        who = _tip("coalesce(\"organisation\", \"claimant\", 'unnamed')")
        side, said, status = _tip('"side"'), _tip('"statement"'), _tip('"status"')
        return f"<b>{who}</b> ({side}): {said} [{status}]"
    names = {"durand_line": "\"name\" || ' — ' || \"status\"", "sectors": '"name"',
             "border_bands": '"label"', "countries": '"name"', "af_provinces": '"name"'}
    return _tip(names[layer])


DISPLAY_EXPRESSIONS = {
    "incidents": "\"event_label\" || ' — ' || coalesce(\"place_name\", \"place\", 'unlocated')"
                 " || ' — ' || \"date\"",
    "incident_areas": "\"incident_id\"", "places": "\"name\"", "durand_line": "\"name\"",
    "sectors": "\"name\"", "border_bands": "\"label\"", "countries": "\"name\"",
    "af_provinces": "\"name\"",
    "claims": "\"incident_id\" || ' #' || \"claim_index\" || ' (' || \"side\" || ')'",
}
LABEL_EXPRESSIONS = {
    "incidents": "coalesce(\"place_name\", \"place\") || '\\n' || \"date\"",
    "places": "\"name\"", "sectors": "\"name\"", "af_provinces": "\"name\"",
}


def _labeling(root: ET.Element, layer: str) -> None:
    expr = LABEL_EXPRESSIONS.get(layer)
    if expr is None:
        return
    point = layer in ("incidents", "places")
    lab = ET.SubElement(root, "labeling", {"type": "simple"})
    settings = ET.SubElement(lab, "settings", {"calloutType": "simple"})
    style = ET.SubElement(settings, "text-style", {
        "fieldName": expr, "isExpression": "1", "fontFamily": "Sans Serif", "fontSize": "8",
        "fontSizeUnit": "Point", "textColor": "40,40,40,255", "textOpacity": "1",
        "fontWeight": "50", "fontItalic": "0", "namedStyle": "Regular",
        "multilineHeight": "1", "previewBkgrdColor": "255,255,255,255", "allowHtml": "0",
        "capitalization": "0", "blendMode": "0", "useSubstitutions": "0",
        "textOrientation": "horizontal", "fontLetterSpacing": "0", "fontWordSpacing": "0"})
    ET.SubElement(style, "text-buffer", {
        "bufferDraw": "1", "bufferSize": "0.7", "bufferSizeUnits": "MM",
        "bufferColor": "255,255,255,255", "bufferOpacity": "0.9", "bufferNoFill": "1",
        "bufferJoinStyle": "128", "bufferBlendMode": "0"})
    ET.SubElement(settings, "text-format", {
        "wrapChar": "", "multilineAlign": "0", "formatNumbers": "0", "plussign": "0",
        "decimals": "3", "autoWrapLength": "0", "reverseDirectionSymbol": "0",
        "leftDirectionSymbol": "<", "rightDirectionSymbol": ">", "addDirectionSymbol": "0",
        "placeDirectionSymbol": "0"})
    ET.SubElement(settings, "placement", {
        "placement": "6" if point else ("2" if layer == "sectors" else "1"),
        "dist": "1.5", "distUnits": "MM", "placementFlags": "10", "priority": "5",
        "offsetType": "1" if point else "0", "quadOffset": "4", "xOffset": "0", "yOffset": "0",
        "offsetUnits": "MM", "rotationAngle": "0", "centroidWhole": "0",
        "centroidInside": "1", "fitInPolygonOnly": "0", "overrunDistance": "0",
        "overrunDistanceUnit": "MM", "repeatDistance": "0", "repeatDistanceUnits": "MM",
        "maxCurvedCharAngleIn": "25", "maxCurvedCharAngleOut": "-25",
        "predefinedPositionOrder": "TR,TL,BR,BL,R,L,TSR,BSR"})
    # QGIS's attribute names are historic: scaleMin is the largest scale (most zoomed in),
    # scaleMax the smallest (most zoomed out) at which labels show.
    ET.SubElement(settings, "rendering", {
        "scaleVisibility": "1", "scaleMin": "0", "scaleMax": str(LABEL_SCALE),
        "obstacle": "1", "obstacleFactor": "1", "obstacleType": "1", "displayAll": "0",
        "upsidedownLabels": "0", "labelPerPart": "0", "mergeLines": "0", "minFeatureSize": "0",
        "limitNumLabels": "0", "maxNumLabels": "2000", "fontLimitPixelSize": "0",
        "fontMinPixelSize": "3", "fontMaxPixelSize": "10000", "zIndex": "0",
        "drawLabels": "1", "unplacedVisibility": "0"})


def _temporal(root: ET.Element, layer: str) -> None:
    """The incidents' dates for the temporal controller: date_start to date_end, inclusive."""
    if layer not in ("incidents", "incident_areas"):
        return
    # mode 2: start and end from fields; limitMode 1: both ends included
    end = "date_end" if layer == "incidents" else "date_start"
    ET.SubElement(root, "temporal", {
        "enabled": "1", "mode": "2", "limitMode": "1", "startField": "date_start",
        "endField": end, "durationField": "", "durationUnit": "min", "fixedDuration": "0",
        "accumulate": "0", "startExpression": "", "endExpression": ""})


# --------------------------------------------------------------------------- documents


def style_elements(layer: str, bands_km: Sequence[float] = DEFAULT_BANDS_KM,
                   event_types: Mapping | None = None, feature_count: int = 0,
                   ) -> list[ET.Element]:
    """The elements of a layer's style, in QGIS's order (for a QML or a project's maplayer)."""
    spec = LAYERS_BY_NAME[layer]
    holder = ET.Element("holder")
    if spec.geometry_type:
        holder.append(renderer(layer, bands_km, event_types, feature_count))
    _labeling(holder, layer)
    ET.SubElement(holder, "blendMode").text = "0"
    ET.SubElement(holder, "featureBlendMode").text = "0"
    ET.SubElement(holder, "layerOpacity").text = "1"
    _temporal(holder, layer)
    _fields(holder, spec.fields)
    ET.SubElement(holder, "previewExpression").text = DISPLAY_EXPRESSIONS[layer]
    ET.SubElement(holder, "mapTip").text = map_tip(layer)
    ET.SubElement(holder, "layerGeometryType").text = str(GEOMETRY[spec.geometry_type])
    return list(holder)


def scale_visibility(layer: str, feature_count: int = 0) -> dict[str, str]:
    """The root attributes for scale-dependent visibility (the circles of a large layer)."""
    limited = layer == "incident_areas" and feature_count >= CLUSTER_THRESHOLD
    return {"hasScaleBasedVisibilityFlag": "1" if limited else "0",
            "maxScale": "0", "minScale": str(AREA_SCALE) if limited else "100000000"}


def qml(layer: str, border: DurandLine | None = None,
        bands_km: Sequence[float] = DEFAULT_BANDS_KM, event_types: Mapping | None = None,
        feature_count: int = 0) -> str:
    """A QGIS style (QML) for a layer: symbols, fields, aliases, map tip, labels and time.

    ``feature_count``: the number of features the style is for; from
    :data:`CLUSTER_THRESHOLD` on, the style is scale-dependent (see the module's docstring).
    """
    root = ET.Element("qgis", {"version": QGIS_VERSION,
                               "styleCategories": "AllStyleCategories",
                               **scale_visibility(layer, feature_count)})
    for el in style_elements(layer, bands_km, event_types, feature_count):
        root.append(el)
    ET.indent(root)
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            + ET.tostring(root, encoding="unicode") + "\n")


def style_table(border: DurandLine, bands_km, incidents=None,
                layers: Sequence[str] = STYLED_LAYERS,
                feature_count: int | None = None) -> dict[str, list]:
    """Rows of ``layer_styles`` (the table QGIS reads default styles from), one per layer."""
    # GDAL writes DateTime values without a zone as such; the value is UTC, and the 'Z'
    # that says so is added by write_geopackage (stamp_utc).
    now = np.datetime64(dt.datetime.now(dt.UTC).replace(tzinfo=None), "ms")
    count = feature_count if feature_count is not None else (
        0 if incidents is None else len(incidents))
    rows = [(name, qml(name, border, bands_km, feature_count=count)) for name in layers]
    n = len(rows)
    return {
        "f_table_catalog": [""] * n, "f_table_schema": [""] * n,
        "f_table_name": [name for name, _ in rows],
        "f_geometry_column": ["geom" if LAYERS_BY_NAME[name].geometry_type else ""
                              for name, _ in rows],
        "styleName": [f"border-map {name}" for name, _ in rows],
        "styleQML": [text for _, text in rows], "styleSLD": [None] * n,
        "useAsDefault": [True] * n,
        "description": [f"border-map: the HTML map's symbols and colours for '{name}'"
                        for name, _ in rows],
        "owner": [""] * n, "ui": [None] * n, "update_time": [now] * n,
    }


def stamp_utc(gpkg) -> None:
    """Mark ``layer_styles.update_time`` as UTC (ISO 8601 ``Z``), as QGIS itself writes it.

    GDAL writes a DateTime without a time zone when the value has none; the value is UTC.
    """
    import sqlite3

    con = sqlite3.connect(gpkg)
    try:
        with con:
            con.execute("UPDATE layer_styles SET update_time = update_time || 'Z' "
                        "WHERE update_time IS NOT NULL AND update_time NOT LIKE '%Z'")
    finally:
        con.close()
