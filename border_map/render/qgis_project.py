"""A QGIS project (``border_map.qgz``) opening every layer of ``border_map.gpkg``, styled.

Written from Python as the XML QGIS 3.22 saves (``.qgs``), zipped; no QGIS is needed to
write it. The tests open it with Debian's QGIS headless. The project:

* refers to the GeoPackage beside it by a relative path (``./border_map.gpkg``): move the two
  files together;
* lists the layers in groups, top to bottom: incidents, their uncertainty circles and the
  places used; the Durand Line, its sectors and distance bands; the base layers (Afghan
  provinces, countries); the claims table;
* styles each layer as :mod:`border_map.render.qgis_style` does in the GeoPackage;
* says in its metadata (Project > Properties > Metadata) that the line is disputed, with the
  sources and licences;
* relates the claims to their incident (the incident's form lists its claims);
* configures the temporal controller: the incidents (and their circles) carry ``date_start``
  to ``date_end``, the project's time range spans the incidents, one day per step.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree as ET

from ..border import DEFAULT_BANDS_KM, DurandLine
from ..properties import LAYERS_BY_NAME
from .qgis_style import QGIS_VERSION, scale_visibility, style_elements

#: The layer tree, top to bottom: (group title, layers).
TREE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Incidents", ("incidents", "incident_areas", "places")),
    ("Durand Line", ("durand_line", "sectors", "border_bands")),
    ("Base layers", ("af_provinces", "countries")),
    ("Tables", ("claims",)),
)

DISPUTE_NOTE = (
    "The Durand Line is the de facto Afghanistan–Pakistan boundary; Afghanistan does not "
    "recognise it. Its position is approximate at the scale of the source. Sides, distances, "
    "bands and sectors are computed against this line and say nothing about sovereignty.")

_WKB = {"Point": "Point", "LineString": "LineString", "Polygon": "Polygon",
        "MultiPolygon": "MultiPolygon", None: "NoGeometry"}
_GEOM = {"Point": "Point", "LineString": "Line", "Polygon": "Polygon",
         "MultiPolygon": "Polygon", None: "No geometry"}


def layer_id(name: str) -> str:
    """A stable layer id, as QGIS makes them (name + unique suffix)."""
    return f"{name}_{uuid.uuid5(uuid.NAMESPACE_URL, 'border-map:layer:' + name).hex}"


def _srs(parent: ET.Element) -> None:
    from pyproj import CRS

    sr = ET.SubElement(parent, "spatialrefsys")
    ET.SubElement(sr, "wkt").text = CRS.from_epsg(4326).to_wkt()
    ET.SubElement(sr, "proj4").text = "+proj=longlat +datum=WGS84 +no_defs"
    ET.SubElement(sr, "srsid").text = "3452"
    ET.SubElement(sr, "srid").text = "4326"
    ET.SubElement(sr, "authid").text = "EPSG:4326"
    ET.SubElement(sr, "description").text = "WGS 84"
    ET.SubElement(sr, "projectionacronym").text = "longlat"
    ET.SubElement(sr, "ellipsoidacronym").text = "EPSG:7030"
    ET.SubElement(sr, "geographicflag").text = "true"


def _extent(parent: ET.Element, tag: str, bounds: Sequence[float], attrs: bool = False):
    names = ("xmin", "ymin", "xmax", "ymax")
    if attrs:
        el = ET.SubElement(parent, tag, {k: repr(float(v)) for k, v in zip(names, bounds,
                                                                             strict=True)})
    else:
        el = ET.SubElement(parent, tag)
        for k, v in zip(names, bounds, strict=True):
            ET.SubElement(el, k).text = repr(float(v))
    return el


def _maplayer(parent: ET.Element, name: str, source: str, bands_km, feature_count: int,
              ) -> None:
    spec = LAYERS_BY_NAME[name]
    attrs = {"type": "vector", "geometry": _GEOM[spec.geometry_type],
             "wkbType": _WKB[spec.geometry_type], "styleCategories": "AllStyleCategories",
             "autoRefreshEnabled": "0", "autoRefreshTime": "0", "readOnly": "0",
             "refreshOnNotifyEnabled": "0", "refreshOnNotifyMessage": "",
             "simplifyAlgorithm": "0", "simplifyDrawingHints": "1" if spec.geometry_type
             not in (None, "Point") else "0", "simplifyDrawingTol": "1",
             "simplifyLocal": "1", "simplifyMaxScale": "1",
             **scale_visibility(name, feature_count)}
    ml = ET.SubElement(parent, "maplayer", attrs)
    ET.SubElement(ml, "id").text = layer_id(name)
    ET.SubElement(ml, "datasource").text = f"{source}|layername={name}"
    ET.SubElement(ml, "keywordList").append(ET.Element("value"))
    ET.SubElement(ml, "layername").text = spec.title
    if spec.geometry_type:
        _srs(ET.SubElement(ml, "srs"))
    meta = ET.SubElement(ml, "resourceMetadata")
    ET.SubElement(meta, "identifier").text = name
    ET.SubElement(meta, "title").text = spec.title
    ET.SubElement(meta, "abstract").text = spec.about
    ET.SubElement(ml, "provider", {"encoding": "UTF-8"}).text = "ogr"
    if spec.geometry_type:
        for el in style_elements(name, bands_km, feature_count=feature_count):
            ml.append(el)
    else:  # a table: no symbols, but its fields as in the styles
        from .qgis_style import _fields

        _fields(ml, spec.fields)
        ET.SubElement(ml, "previewExpression").text = '"incident_id"'


def project_xml(gpkg_name: str = "border_map.gpkg", *, border: DurandLine | None = None,
                bands_km: Sequence[float] = DEFAULT_BANDS_KM, title: str | None = None,
                time_range: tuple[str, str] | None = None, feature_count: int = 0,
                sources: Sequence[str] = ()) -> str:
    """The project as QGIS XML (``.qgs`` text).

    ``gpkg_name``: the GeoPackage's path relative to the project; ``time_range``: first and
    last day (ISO) of the incidents, for the temporal controller; ``feature_count``: the
    number of incidents (large layers are drawn by scale, see :mod:`qgis_style`).
    """
    border = border or DurandLine.default()
    title = title or "border-map: incidents along the Durand Line"
    source = gpkg_name if gpkg_name.startswith((".", "/")) else f"./{gpkg_name}"
    root = ET.Element("qgis", {"projectname": title, "version": QGIS_VERSION,
                               "saveUser": "", "saveUserFull": "", "saveDateTime": ""})
    ET.SubElement(root, "homePath", {"path": ""})
    ET.SubElement(root, "title").text = title
    ET.SubElement(root, "autotransaction", {"active": "0"})
    ET.SubElement(root, "evaluateDefaultValues", {"active": "0"})
    ET.SubElement(root, "trust", {"active": "0"})
    _srs(ET.SubElement(root, "projectCrs"))

    tree = ET.SubElement(root, "layer-tree-group")
    ET.SubElement(tree, "customproperties")
    order = []
    for group_title, names in TREE:
        group = ET.SubElement(tree, "layer-tree-group", {
            "name": group_title, "checked": "Qt::Checked", "expanded": "1"})
        ET.SubElement(group, "customproperties")
        for name in names:
            spec = LAYERS_BY_NAME[name]
            node = ET.SubElement(group, "layer-tree-layer", {
                "id": layer_id(name), "name": spec.title,
                "source": f"{source}|layername={name}", "providerKey": "ogr",
                "checked": "Qt::Checked", "expanded": "1" if name == "incidents" else "0",
                "legend_exp": "", "patch_size": "-1,-1", "legend_split_behavior": "0"})
            ET.SubElement(node, "customproperties")
            order.append(name)
    custom = ET.SubElement(tree, "custom-order", {"enabled": "0"})
    for name in order:
        ET.SubElement(custom, "item").text = layer_id(name)

    lon0, lat0, lon1, lat1 = border.line.bounds
    view = (lon0 - 0.5, lat0 - 0.5, lon1 + 0.5, lat1 + 0.5)
    # the incident's form lists its claims (claims.incident_id -> incidents.id)
    relations = ET.SubElement(root, "relations")
    rel = ET.SubElement(relations, "relation", {
        "id": "claims_incident", "name": "Claims about the incident",
        "referencingLayer": layer_id("claims"), "referencedLayer": layer_id("incidents"),
        "strength": "Association"})
    ET.SubElement(rel, "fieldRef", {"referencingField": "incident_id", "referencedField": "id"})
    canvas = ET.SubElement(root, "mapcanvas", {"annotationsVisible": "1",
                                               "name": "theMapCanvas"})
    ET.SubElement(canvas, "units").text = "degrees"
    _extent(canvas, "extent", view)
    ET.SubElement(canvas, "rotation").text = "0"
    _srs(ET.SubElement(canvas, "destinationsrs"))
    ET.SubElement(canvas, "rendermaptile").text = "0"

    layers = ET.SubElement(root, "projectlayers")
    for name in order:
        _maplayer(layers, name, source, bands_km, feature_count)
    lo = ET.SubElement(root, "layerorder")
    for name in order:
        ET.SubElement(lo, "layer", {"id": layer_id(name)})

    props = ET.SubElement(root, "properties")
    paths = ET.SubElement(props, "Paths")
    ET.SubElement(paths, "Absolute", {"type": "bool"}).text = "false"
    srs = ET.SubElement(props, "SpatialRefSys")  # QGIS reads projectCrs only with this
    ET.SubElement(srs, "ProjectionsEnabled", {"type": "int"}).text = "1"
    measure = ET.SubElement(props, "Measure")
    ET.SubElement(measure, "Ellipsoid", {"type": "QString"}).text = "EPSG:7030"
    units = ET.SubElement(props, "Measurement")
    ET.SubElement(units, "DistanceUnits", {"type": "QString"}).text = "km"
    ET.SubElement(units, "AreaUnits", {"type": "QString"}).text = "km2"

    meta = ET.SubElement(root, "projectMetadata")
    for tag in ("identifier", "parentidentifier", "language", "type"):
        ET.SubElement(meta, tag)
    ET.SubElement(meta, "title").text = title
    line = border.properties
    inputs = ", ".join(sources) or "the input incident files"
    ET.SubElement(meta, "abstract").text = (
        f"{DISPUTE_NOTE}\n\nIncidents from {inputs}, each claim with its own source, "
        "analysed against the "
        f"{line.get('name', 'Durand Line')} ({line.get('source', border.source)}). "
        "Written by border-map; every layer's description names its source and licence.")
    kw = ET.SubElement(meta, "keywords", {"vocabulary": "gmd:topicCategory"})
    for word in ("Afghanistan", "Pakistan", "Durand Line", "incidents", "border"):
        ET.SubElement(kw, "keyword").text = word
    ET.SubElement(meta, "links")
    ET.SubElement(meta, "author").text = "border-map"
    ET.SubElement(meta, "creation").text = dt.datetime.now(dt.UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    ET.SubElement(meta, "rights").text = (
        f"Durand Line, countries: {line.get('attribution', '© OpenStreetMap contributors')} "
        f"({line.get('licence', 'ODbL-1.0')}); places: GeoNames (CC BY 4.0), Natural Earth "
        "(public domain); incidents: the terms of their input.")

    if time_range:
        start, end = time_range
        end_day = dt.date.fromisoformat(end) + dt.timedelta(days=1)
        ts = ET.SubElement(root, "ProjectTimeSettings", {
            "cumulativeTemporalRange": "0", "timeStep": "1", "timeStepUnit": "d",
            "frameRate": "1"})
        rng = ET.SubElement(ts, "TemporalRange")
        ET.SubElement(rng, "start").text = f"{start}T00:00:00Z"
        ET.SubElement(rng, "end").text = f"{end_day.isoformat()}T00:00:00Z"

    pvs = ET.SubElement(root, "ProjectViewSettings", {"UseProjectScales": "0",
                                                      "rotation": "0"})
    ET.SubElement(pvs, "Scales")
    default = _extent(pvs, "DefaultViewExtent", view, attrs=True)
    _srs(default)
    ET.indent(root)
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            + ET.tostring(root, encoding="unicode") + "\n")


def time_range_of(incidents) -> tuple[str, str] | None:
    """(first date_start, last date_end) of the incidents, ISO, or None when there are none."""
    import pandas as pd

    start = pd.to_datetime(incidents["date_start"], errors="coerce").min()
    end = pd.to_datetime(incidents["date_end"], errors="coerce").max()
    if pd.isna(start) or pd.isna(end):
        return None
    return start.date().isoformat(), end.date().isoformat()


def write_project(gpkg_path: str | Path, qgz_path: str | Path, incidents=None, *,
                  border: DurandLine | None = None,
                  bands_km: Sequence[float] = DEFAULT_BANDS_KM, title: str | None = None,
                  sources: Sequence[str] = (), gpkg_name: str | None = None,
                  feature_count: int | None = None) -> Path:
    """Write ``qgz_path``: a QGIS project over the GeoPackage ``gpkg_path``, beside it.

    ``gpkg_name`` (default: the GeoPackage's file name) is the path the project uses,
    relative to the project: pass the final name when ``gpkg_path`` is a temporary file.
    ``incidents`` (the analysed frame) sets the time range and the cluster threshold.
    Written to a temporary file renamed when complete.
    """
    from .._atomic import atomic_path

    name = gpkg_name or Path(gpkg_path).name
    count = feature_count if feature_count is not None else (
        0 if incidents is None else len(incidents))
    xml = project_xml(name, border=border, bands_km=bands_km, title=title,
                      time_range=None if incidents is None else time_range_of(incidents),
                      feature_count=count, sources=sources)
    stem = Path(qgz_path).with_suffix("").name
    with atomic_path(qgz_path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{stem}.qgs", xml.encode("utf-8"))
    return Path(qgz_path)


def read_project_xml(qgz_path: str | Path) -> ET.Element:
    """The project's XML root (for tests and tools)."""
    with zipfile.ZipFile(qgz_path) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".qgs"))
        return ET.fromstring(zf.read(name).decode("utf-8").split("\n", 1)[1])


__all__ = ["DISPUTE_NOTE", "project_xml", "read_project_xml", "write_project"]
