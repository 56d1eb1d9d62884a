"""GeoJSON FeatureCollections whose features carry incident properties.

Each feature is one incident: ``geometry`` is its point (longitude first, RFC 7946) or null;
``properties`` hold the native fields (``id``, ``date``, ``event_type``, ``actors``, ``place``,
``description``, ``claims``, ``unlocated``; see the native format) and ``precision_km``.
Other properties are ignored, so border-map's own ``incidents.geojson`` reads back: its
``date_start``/``date_end``/``date_precision``/``date_text`` become the date, a null geometry
with ``location_error: "unlocated: ..."`` becomes ``unlocated``. A feature's own ``id`` is the
fallback for a missing ``id`` property. Only Point geometries are incidents.
"""

from __future__ import annotations

import math

from ..errors import DataError
from ..model.incident import Incident
from ._common import Problems
from .native import records
from .native_file import _describe, _Node, _parse_json, _Reader

_COPIED = ("id", "date", "event_type", "actors", "place", "description", "claims", "unlocated")


def read_geojson(text: str, name: str, problems: Problems) -> list[Incident]:
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise DataError("empty file: no incidents", location=name)
    try:
        root = _parse_json(text, name)
    except RecursionError as err:
        raise DataError("nested too deeply to be a GeoJSON file", location=name) from err
    reader = _Reader(name)
    if not isinstance(root.value, dict):
        reader.fail(root.line, None,
                    f"expected a GeoJSON FeatureCollection, got {_describe(root.value)}")
    kind = root.value.get("type")
    kind = kind.value if kind is not None else None
    if kind == "Feature":
        features = [root]
    elif kind == "FeatureCollection":
        features = reader.list_of(root.value.get("features"), "features")
    else:
        reader.fail(root.line, "type",
                    f"expected a GeoJSON FeatureCollection or Feature, got type {kind!r}")
    nodes = []
    for index, feature in enumerate(features):
        try:
            nodes.append(_incident_node(feature, index, reader))
        except DataError as err:
            problems.add(err)
    return records(reader, nodes, name, problems)


def _incident_node(feature: _Node, index: int, reader: _Reader) -> _Node:
    """The native incident mapping a feature stands for, values keeping their lines."""
    path = f"features[{index}]"
    if not isinstance(feature.value, dict) or _value(feature.value.get("type")) != "Feature":
        reader.fail(feature.line, path, "expected a GeoJSON Feature")
    props_node = feature.value.get("properties")
    props = props_node.value if props_node is not None else None
    if props is None:
        props = {}
    elif not isinstance(props, dict):
        reader.fail(props_node.line, f"{path}.properties",
                    f"expected a mapping, got {_describe(props)}")
    fields: dict[str, _Node] = {k: props[k] for k in _COPIED if k in props}
    if "id" not in fields and (fid := feature.value.get("id")) is not None:
        if isinstance(fid.value, int | float) and not isinstance(fid.value, bool):
            fid = _Node(f"{fid.value:g}", fid.line, typed=True)
        fields["id"] = fid
    if "date_start" in props and _value(props["date_start"]) is not None:
        date = {"start": props["date_start"]}
        for src, dst in (("date_end", "end"), ("date_precision", "precision"),
                         ("date_text", "text")):
            if src in props:
                date[dst] = props[src]
        fields["date"] = _Node(date, props["date_start"].line, typed=True,
                               key_lines={k: v.line for k, v in date.items()})
    geometry = feature.value.get("geometry")
    if geometry is not None and geometry.value is not None:
        fields["location"] = _location(geometry, props.get("precision_km"), reader, path)
    elif "unlocated" not in fields:
        reason = _value(props.get("location_error"))
        if isinstance(reason, str) and reason.startswith("unlocated: "):
            fields["unlocated"] = _Node(reason.removeprefix("unlocated: "),
                                        props["location_error"].line, typed=True)
    return _Node(fields, feature.line, typed=True, key_lines={k: v.line for k, v in fields.items()})


def _location(geometry: _Node, precision: _Node | None, reader: _Reader, path: str) -> _Node:
    where = f"{path}.geometry"
    if not isinstance(geometry.value, dict):
        reader.fail(geometry.line, where, f"expected a geometry, got {_describe(geometry.value)}")
    gtype = _value(geometry.value.get("type"))
    if gtype != "Point":
        reader.fail(geometry.line, where,
                    f"only Point geometries are incidents, got {gtype!r}")
    coords = geometry.value.get("coordinates")
    values = coords.value if coords is not None else None
    if (not isinstance(values, list) or len(values) not in (2, 3)
            or not all(isinstance(c.value, int | float) and not isinstance(c.value, bool)
                       for c in values)):
        line = coords.line if coords is not None else geometry.line
        reader.fail(line, f"{where}.coordinates",
                    "expected [longitude, latitude] as two numbers")
    lon, lat = values[0], values[1]
    for node, axis in ((lon, "longitude"), (lat, "latitude")):
        if not math.isfinite(float(node.value)):
            reader.fail(node.line, f"{where}.coordinates",
                        f"{axis} must be a finite number (got {node.value})")
    loc = {"lon": lon, "lat": lat}
    if precision is not None and precision.value is not None:
        loc["precision_km"] = precision
    return _Node(loc, geometry.line, typed=True, key_lines={k: v.line for k, v in loc.items()})


def _value(node: _Node | None):
    return node.value if node is not None else None
