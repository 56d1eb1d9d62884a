"""Run by Debian's QGIS python (/usr/bin/python3), headless, from tests/test_qgis.py.

Usage: qgis_probe.py JOB.json -> prints one JSON line on stdout. The job names layers to open
(GeoPackage layers, a GeoJSON with its QML), a project to read and a render to make; the
answer says, for each layer, whether it is valid, which renderer/widgets/aliases QGIS applied,
every field's value as the attribute table shows it (the field formatter of the editor widget
QGIS picks), the evaluated map tip, the labelling and temporal settings, and every warning
QGIS logged while loading. Nothing is judged here: the test compares.
"""

import json
import os
import sys

from qgis.core import (
    QgsApplication,
    QgsExpression,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor, QImage
from qgis.PyQt.QtXml import QDomDocument

app = QgsApplication([], True)
app.initQgis()
from qgis.gui import QgsGui  # noqa: E402 - needs the application

QgsGui.editorWidgetRegistry().initEditors()
MESSAGES = []


def _log(message, tag, level):
    if int(level) >= 1:  # Warning, Critical
        MESSAGES.append(f"{tag}: {message}")


QgsApplication.messageLog().messageReceived.connect(_log)


def plain(value):
    """A QVariant-ish value as JSON."""
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        return None
    if hasattr(value, "toString") and not isinstance(value, str):
        return value.toString("yyyy-MM-dd") if hasattr(value, "day") else value.toString()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def describe(layer, key_fields, tip_limit=3):
    registry = QgsGui.editorWidgetRegistry()
    formatters = QgsApplication.fieldFormatterRegistry()
    fields = layer.fields()
    out = {"valid": layer.isValid(), "count": layer.featureCount()}
    if not layer.isValid():
        return out
    renderer = layer.renderer()
    out["renderer"] = renderer.type() if renderer else None
    if renderer and renderer.type() == "RuleRenderer":
        out["rules"] = len(renderer.rootRule().children())
    out["widgets"] = {}
    out["aliases"] = {}
    setups = []
    for i in range(fields.count()):
        name = fields.at(i).name()
        setup = registry.findBest(layer, name)
        setups.append(setup)
        out["widgets"][name] = setup.type()
        out["aliases"][name] = layer.attributeAlias(i)
    out["qgis_types"] = {fields.at(i).name(): fields.at(i).typeName()
                         for i in range(fields.count())}
    rows = {}
    tips = []
    ctx = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    for feat in layer.getFeatures():
        key = "/".join(str(plain(feat[k])) for k in key_fields) if key_fields else str(feat.id())
        shown = {}
        for i in range(fields.count()):
            fmt = formatters.fieldFormatter(setups[i].type())
            value = feat[i]
            shown[fields.at(i).name()] = {
                "raw": plain(value),
                "shown": fmt.representValue(layer, i, setups[i].config(), None, value)}
        rows[key] = shown
        if len(tips) < tip_limit and layer.mapTipTemplate():
            ctx.setFeature(feat)
            tips.append(QgsExpression.replaceExpressionText(layer.mapTipTemplate(), ctx))
    out["rows"] = rows
    out["map_tips"] = tips
    out["labels"] = bool(layer.labelsEnabled())
    if layer.labelsEnabled() and layer.labeling() is not None:
        settings = layer.labeling().settings()
        out["label_scale"] = [settings.scaleVisibility, settings.minimumScale,
                              settings.maximumScale]
    temporal = layer.temporalProperties()
    out["temporal"] = [temporal.isActive(), int(temporal.mode()), temporal.startField(),
                       temporal.endField()]
    out["scale_based"] = [layer.hasScaleBasedVisibility(), layer.minimumScale()]
    return out


def render(project, job):
    settings = QgsMapSettings()
    settings.setLayers(project.layerTreeRoot().layerOrder())
    settings.setDestinationCrs(project.crs())
    settings.setExtent(project.viewSettings().defaultViewExtent())
    settings.setOutputSize(QSize(job["width"], job["height"]))
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setOutputDpi(96)
    r = QgsMapRendererSequentialJob(settings)
    r.start()
    r.waitForFinished()
    image = r.renderedImage().convertToFormat(QImage.Format_RGB32)
    image.save(job["png"], "PNG")
    answer = {"png": job["png"], "errors": [e.message for e in r.errors()]}
    ref_path = job.get("reference")
    if ref_path and os.path.exists(ref_path):
        ref = QImage(ref_path).convertToFormat(QImage.Format_RGB32)
        if ref.size() != image.size():
            answer["diff"] = {"size": [ref.width(), ref.height()]}
            return answer
        differ = total = painted = 0
        for y in range(0, image.height()):
            for x in range(0, image.width()):
                a, b = image.pixel(x, y), ref.pixel(x, y)
                total += 1
                if a != 0xFFFFFFFF:
                    painted += 1
                if a != b:
                    ca, cb = QColor(a), QColor(b)
                    if max(abs(ca.red() - cb.red()), abs(ca.green() - cb.green()),
                           abs(ca.blue() - cb.blue())) > job.get("channel_tolerance", 48):
                        differ += 1
        answer["diff"] = {"pixels": total, "differ": differ, "painted": painted}
    return answer


def main():
    with open(sys.argv[1], encoding="utf-8") as fh:
        job = json.load(fh)
    out = {"layers": {}, "messages": MESSAGES}
    for spec in job.get("layers", []):
        before = len(MESSAGES)
        layer = QgsVectorLayer(spec["uri"], spec["name"], "ogr")
        loaded = None
        if spec.get("qml"):  # the file itself (loadNamedStyle prefers a GeoPackage's own style)
            doc = QDomDocument()
            with open(spec["qml"], encoding="utf-8") as fh:
                doc.setContent(fh.read())
            ok, msg = layer.importNamedStyle(doc)
            layer.triggerRepaint()
            loaded = [ok, msg]
        answer = describe(layer, spec.get("key", []))
        answer["style_load"] = loaded
        answer["messages"] = MESSAGES[before:]
        out["layers"][spec["label"]] = answer
    if job.get("project"):
        before = len(MESSAGES)
        project = QgsProject.instance()
        ok = project.read(job["project"])
        p = {"read": ok, "error": project.error(), "layers": {}}
        root = project.layerTreeRoot()
        p["tree"] = [node.layer().name() if node.layer() else None
                     for node in root.findLayers()]
        p["groups"] = [g.name() for g in root.children() if hasattr(g, "addGroup")]
        for node in root.findLayers():
            layer = node.layer()
            source = layer.source() if layer else None
            name = source.split("layername=")[-1] if source else node.name()
            d = describe(layer, job["project_keys"].get(name, [])) if layer else {"valid": False}
            d["source"] = source
            d["name"] = layer.name() if layer else None
            p["layers"][name] = d
        meta = project.metadata()
        p["metadata"] = {"title": meta.title(), "abstract": meta.abstract(),
                         "author": meta.author()}
        ts = project.timeSettings()
        rng = ts.temporalRange()
        p["time"] = {"start": rng.begin().toString("yyyy-MM-ddTHH:mm:ss"),
                     "end": rng.end().toString("yyyy-MM-ddTHH:mm:ss"),
                     "step": ts.timeStep(), "unit": int(ts.timeStepUnit())}
        p["crs"] = project.crs().authid()
        p["relations"] = [[r.name(), r.isValid(), r.referencingLayer().name(),
                           r.referencedLayer().name()]
                          for r in project.relationManager().relations().values()]
        p["absolute_paths"] = project.readBoolEntry("Paths", "/Absolute", True)[0]
        p["messages"] = MESSAGES[before:]
        if job.get("render"):
            p["render"] = render(project, job["render"])
        out["project"] = p
    print(json.dumps(out), flush=True)


main()
os._exit(0)  # QGIS 3.22 may crash while tearing down a headless application
