"""The incidents in the formats GIS users convert to (``build --format``).

Each writer takes the analysed GeoDataFrame (EPSG:4326, the columns of
:data:`border_map.properties.INCIDENT_PROPERTIES`) and a path, writes a temporary file
beside it and renames it when complete. Every incident is written, unlocated ones included
(GDAL reads back the same feature count); how each field maps in each format is in
:data:`FIELD_MAPS` and ``docs/properties.md``:

* :func:`write_flatgeobuf`: ``incidents.fgb``. Unlocated incidents are kept with a **null
  geometry**; FlatGeobuf's spatial index needs a geometry for every feature, so a file with
  an unlocated incident has no index (GDAL then reads it sequentially, fine at this size).
  Lists and objects are JSON text.
* :func:`write_shapefile`: ``incidents.shp.zip``, a zipped Shapefile GDAL and QGIS open as
  is: UTF-8 (``.cpg``), field names cut to 10 characters by the documented
  :data:`SHAPEFILE_NAMES`, lists joined with ``"; "``, and in ``incidents_json.csv`` inside
  the zip the full JSON fields and the full description (a DBF field holds 254 bytes), joined
  on ``id``; ``incidents_fields.csv`` maps the short names back.
* :func:`write_kml` / :func:`write_kmz`: a ``Placemark`` per incident with a ``<name>``, a
  ``TimeSpan`` from ``date_start`` to ``date_end`` (Google Earth's time slider; GDAL's LIBKML
  reads it as ``begin``/``end``), a style per event type and side, the claims side by side
  in the description and every field in ``ExtendedData`` (typed ``SchemaData`` in KML,
  plain ``Data`` in KMZ, where GDAL 3.6 reads no Schema). Unlocated incidents are Placemarks
  without geometry.
* :func:`write_csv_wkt`: ``incidents.csv``: every field, ``lon``/``lat`` and the point as
  ``WKT`` (GDAL's CSV driver reads it as the geometry), types in ``incidents.csvt``.

Every CSV written by border-map is UTF-8 with a byte order mark (spreadsheets then read the
en dash and the Pashto right; GDAL skips the mark), has a ``.csvt`` with its column types, an
empty cell for null (open with GDAL's ``-oo EMPTY_STRING_AS_NULL=YES`` to read empty text
as NULL; numbers and dates are NULL anyway) and is formula-safe: a text cell starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with ``'``
(:func:`csv_safe`).
"""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from .._atomic import atomic_path
from ..properties import INCIDENT_FIELDS, Field
from .qgis_style import decimals  # 6 for degrees (about 0.1 m), 3 for km (1 m)

BOM = "\ufeff"

#: Shapefile (DBF) names, at most 10 characters, for the incident fields (documented; unique).
SHAPEFILE_NAMES: dict[str, str] = {
    "id": "id", "date": "date", "date_start": "date_start", "date_end": "date_end",
    "date_precision": "date_prec", "date_text": "date_text", "event_type": "event_type",
    "event_label": "event_lbl", "acled_event_type": "acled_evt", "acled_sub_event_type":
    "acled_sub", "actors": "actors", "place": "place", "place_id": "place_id",
    "place_name": "place_name", "place_kind": "place_kind", "place_admin1": "place_adm1",
    "match": "match", "match_score": "match_scr", "country": "country",
    "location_source": "loc_source", "location_error": "loc_error",
    "precision_km": "prec_km", "distance_to_border_km": "dist_km", "side": "side",
    "side_conflict": "side_confl", "band_km": "band_km", "band_certainty": "band_cert",
    "sector": "sector", "nearest_lon": "near_lon", "nearest_lat": "near_lat",
    "chainage_km": "chain_km", "description": "descr", "claim_count": "claim_cnt",
    "conflicting_claims": "conflict", "claims": "claims", "claim_spread": "spread",
    "source_fields": "src_fields", "source_warnings": "src_warn",
}
#: Fields kept out of the DBF (JSON objects: too long) and written to incidents_json.csv.
SHAPEFILE_SIDECAR = ("band_certainty", "claims", "claim_spread", "source_fields")
#: DBF text fields hold 254 bytes: longer text is cut there (on a character) and kept whole
#: in incidents_json.csv.
DBF_TEXT_BYTES = 254


# --------------------------------------------------------------------------- values


def _missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return not math.isfinite(float(value))
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def plain(field: Field, value):
    """A value as plain Python by the field's type: str, int, float (rounded), bool, ISO date
    text, list/dict (JSON fields) or None."""
    from .geojson import to_json_value

    if field.is_json:
        return None if value is None else to_json_value(value)
    if _missing(value):
        return None
    if field.type == "number":
        places = decimals(field)
        return round(float(value), places) if places is not None else float(value)
    if field.type == "integer":
        return int(value)
    if field.type == "boolean":
        return bool(value)
    if field.type in ("date", "datetime"):
        return value.isoformat()[:10 if field.type == "date" else None] if hasattr(
            value, "isoformat") else str(value)
    return str(value)


def records(gdf) -> list[dict]:
    """The incidents as plain dicts in field order (see :func:`plain`)."""
    columns = {f.name: gdf[f.name].tolist() for f in INCIDENT_FIELDS}
    return [{f.name: plain(f, columns[f.name][i]) for f in INCIDENT_FIELDS}
            for i in range(len(gdf))]


def points(gdf) -> list[tuple[float, float] | None]:
    """(lon, lat) rounded to 6 decimals, or None when unlocated."""
    out = []
    for g in gdf.geometry:
        out.append(None if g is None or g.is_empty else
                   (round(float(g.x), 6), round(float(g.y), 6)))
    return out


def json_text(value) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def csv_safe(text: str) -> str:
    """Neutralise a text cell a spreadsheet would run as a formula (:mod:`border_map.csvsafe`,
    the one rule)."""
    from ..csvsafe import safe_cell

    return safe_cell(text)


def _cell(field: Field, value) -> str:
    if value is None:
        return ""
    if field.is_json:
        return json_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if field.type == "string":
        return csv_safe(value)
    return str(value)


def _csv_text(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return BOM + buf.getvalue()


# --------------------------------------------------------------------------- GDAL writes


def _gdal_columns(fields: Sequence[Field], recs: Sequence[dict], json_as_text: bool = True):
    """numpy columns and null masks for pyogrio's raw writer."""
    data, masks = [], []
    for f in fields:
        values = [r[f.name] for r in recs]
        mask = np.array([v is None for v in values], dtype=bool)
        if f.is_json:
            arr = np.array([None if v is None else (json_text(v) if json_as_text else v)
                            for v in values], dtype=object)
            mask = None
        elif f.type == "string":
            arr, mask = np.array(values, dtype=object), None
        elif f.type == "number":
            arr = np.array([np.nan if v is None else v for v in values], dtype=float)
            mask = None
        elif f.type == "integer":
            arr = np.array([0 if v is None else v for v in values], dtype=np.int32)
        elif f.type == "boolean":
            arr = np.array([False if v is None else v for v in values], dtype=bool)
        else:  # date
            arr = np.array([None if v is None else v for v in values],
                           dtype="datetime64[D]")
            mask = None
        data.append(arr)
        masks.append(mask if mask is not None and mask.any() else None)
    return data, masks


def _wkb(pts) -> np.ndarray:
    import shapely

    return shapely.to_wkb(np.array([None if p is None else shapely.Point(p) for p in pts],
                                   dtype=object))


def write_flatgeobuf(gdf, path: str | Path) -> Path:
    """``incidents.fgb``: every incident; unlocated ones with a null geometry (no index then)."""
    from pyogrio.raw import write

    recs, pts = records(gdf), points(gdf)
    data, masks = _gdal_columns(INCIDENT_FIELDS, recs)
    every_located = all(p is not None for p in pts)
    with atomic_path(path) as tmp:
        write(str(tmp), _wkb(pts), data, [f.name for f in INCIDENT_FIELDS],
              field_mask=masks if any(m is not None for m in masks) else None,
              layer="incidents", driver="FlatGeobuf", geometry_type="Point", crs="EPSG:4326",
              encoding="UTF-8",
              layer_options={"SPATIAL_INDEX": "YES" if every_located else "NO",
                             "TITLE": "border-map incidents",
                             "DESCRIPTION": "Incidents along the Durand Line; unlocated "
                                            "incidents have a null geometry."})
    return Path(path)


def _truncate_bytes(text: str, limit: int = DBF_TEXT_BYTES) -> str:
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    return raw[:limit].decode("utf-8", errors="ignore")


def shapefile_fields() -> list[tuple[Field, str, str]]:
    """(field, DBF name, how it is stored) for the fields in the DBF, in order."""
    out = []
    for f in INCIDENT_FIELDS:
        if f.name in SHAPEFILE_SIDECAR:
            continue
        how = ("text, the list joined with '; '" if f.type == "string[]" else
               f"text, cut at {DBF_TEXT_BYTES} bytes (whole in incidents_json.csv)"
               if f.name == "description" else "DBF logical, read as 'T'/'F'"
               if f.type == "boolean" else f.gpkg_type)
        out.append((f, SHAPEFILE_NAMES[f.name], how))
    return out


def write_shapefile(gdf, path: str | Path) -> Path:
    """``incidents.shp.zip``: the Shapefile (UTF-8), its field map and the JSON sidecar."""
    from pyogrio.raw import write

    recs, pts = records(gdf), points(gdf)
    kept = shapefile_fields()
    flat = []
    for r in recs:
        row = {}
        for f, _, _ in kept:
            v = r[f.name]
            if f.type == "string[]":
                v = "; ".join(v) if v else None
            elif f.type == "string" and v is not None:
                v = _truncate_bytes(v)
            row[f.name] = v
        flat.append(row)
    dbf_fields = [Field(f.name, "string" if f.type == "string[]" else f.type, f.unit, f.meaning)
                  for f, _, _ in kept]
    data, masks = _gdal_columns(dbf_fields, flat)
    stem = Path(path).name.split(".")[0] or "incidents"
    with tempfile.TemporaryDirectory(dir=Path(path).parent, prefix=".shp.") as folder:
        shp = Path(folder) / f"{stem}.shp"
        write(str(shp), _wkb(pts), data, [name for _, name, _ in kept],
              field_mask=masks if any(m is not None for m in masks) else None,
              layer=stem, driver="ESRI Shapefile", geometry_type="Point", crs="EPSG:4326",
              encoding="UTF-8")
        side_fields = [f for f in INCIDENT_FIELDS if f.name in ("id", "description",
                                                                *SHAPEFILE_SIDECAR)]
        sidecar = _csv_text([f.name for f in side_fields],
                            [[_cell(f, r[f.name]) for f in side_fields] for r in recs])
        fmap = _csv_text(["shapefile_name", "field", "stored_as", "meaning"],
                         [[name, f.name, how, f.meaning] for f, name, how in kept]
                         + [["(incidents_json.csv)", f.name, "JSON text", f.meaning]
                            for f in INCIDENT_FIELDS if f.name in SHAPEFILE_SIDECAR])
        with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                part = shp.with_suffix(ext)
                if part.exists():
                    zf.write(part, part.name)
            zf.writestr(f"{stem}_json.csv", sidecar.encode("utf-8"))
            zf.writestr(f"{stem}_json.csvt", ('"String",' * len(side_fields))[:-1] + "\n")
            zf.writestr(f"{stem}_fields.csv", fmap.encode("utf-8"))
    return Path(path)


# --------------------------------------------------------------------------- CSV


def csv_columns() -> list[tuple[str, str]]:
    """(column, GDAL .csvt type) of incidents.csv, in order."""
    csvt = {"string": "String", "integer": "Integer", "number": "Real",
            "boolean": "Integer(Boolean)", "date": "Date", "datetime": "DateTime"}
    # JSON text is a plain String for GDAL's CSV driver (it knows no JSON subtype there)
    cols = [(f.name, csvt.get(f.type, "String")) for f in INCIDENT_FIELDS]
    return cols + [("lon", "Real"), ("lat", "Real"), ("WKT", "WKT")]


def csv_wkt_text(gdf) -> str:
    """incidents.csv as text (UTF-8 BOM first)."""
    recs, pts = records(gdf), points(gdf)
    rows = []
    for r, p in zip(recs, pts, strict=True):
        row = [_cell(f, r[f.name]) for f in INCIDENT_FIELDS]
        row += ["", "", ""] if p is None else [repr(p[0]), repr(p[1]), f"POINT ({p[0]!r} {p[1]!r})"]
        rows.append(row)
    return _csv_text([name for name, _ in csv_columns()], rows)


def csvt_text(columns: Sequence[tuple[str, str]]) -> str:
    return ",".join(f'"{t}"' for _, t in columns) + "\n"


def write_csv_wkt(gdf, path: str | Path) -> Path:
    """``incidents.csv``: every field, lon/lat and WKT; UTF-8 with BOM, formula-safe."""
    with atomic_path(path) as tmp:
        tmp.write_text(csv_wkt_text(gdf), encoding="utf-8", newline="")
    return Path(path)


def write_csvt(gdf, path: str | Path) -> Path:
    """``incidents.csvt``: the column types of incidents.csv for GDAL and QGIS."""
    with atomic_path(path) as tmp:
        tmp.write_text(csvt_text(csv_columns()), encoding="utf-8")
    return Path(path)


# --------------------------------------------------------------------------- KML


#: Google Earth's built-in icons, one per event type (Google Earth ships them; no download).
KML_ICONS = {
    "airstrike": "airports", "drone_strike": "open-diamond", "shelling": "star",
    "armed_clash": "cross-hairs", "outpost_captured": "flag", "border_closure": "forbidden",
    "attack": "caution", "remote_explosive": "target", "suicide_bomb": "firedept",
    "abduction": "man", "other": "placemark_circle",
}
_KML_TYPES = {"string": "string", "integer": "int", "number": "double", "boolean": "bool",
              "date": "string", "datetime": "string"}


def _abgr(colour: str) -> str:
    """#rrggbb as KML's aabbggrr."""
    c = colour.lstrip("#")
    return f"ff{c[4:6]}{c[2:4]}{c[0:2]}"


def placemark_name(r: dict) -> str:
    where = r.get("place_name") or r.get("place") or "unlocated"
    return f"{r['event_label']} — {where} — {r['date']}"


def _claims_html(r: dict) -> str:
    from ..incidents import SIDE_LABELS, SIDES

    cells = []
    for side in SIDES:
        lines = []
        for c in r.get("claims") or []:
            if c.get("side") != side:
                continue
            who = c.get("organisation") or c.get("claimant") or "unnamed"
            figs = "; ".join(str(f.get("text") or f.get("low")) for f in c.get("figures") or [])
            lines.append(f"<b>{escape(who)}</b>: {escape(c.get('statement') or '')} "
                         f"<i>{escape(figs)}</i> [{escape(c.get('status') or '')}]")
        cells.append("<td valign='top'>" + "<br/>".join(lines) + "</td>")
    head = "".join(f"<th>{escape(SIDE_LABELS[s])}</th>" for s in SIDES)
    return (f"<p>{escape(r.get('description') or '')}</p><table border='1'><tr>{head}</tr>"
            f"<tr>{''.join(cells)}</tr></table>")


def kml_text(gdf, name: str = "border-map incidents", typed: bool = True) -> str:
    """The KML document (KML 2.2) of the incidents.

    ``typed``: the fields as typed ``SchemaData`` (a ``Schema`` in the document); otherwise as
    untyped ``Data`` (for KMZ: GDAL 3.6's LIBKML, hence QGIS 3.22, reads no Schema from a KMZ
    and would drop the fields).
    """
    from ..incidents import EVENT_TYPES
    from .symbols import SIDE_COLOURS

    recs, pts = records(gdf), points(gdf)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<kml xmlns="http://www.opengis.net/kml/2.2">', "<Document>",
           f"<name>{escape(name)}</name>",
           "<description>The Durand Line is the de facto Afghanistan–Pakistan boundary; "
           "Afghanistan does not recognise it.</description>",
           ]
    if typed:
        out.append('<Schema name="incidents" id="incidents">')
        for f in INCIDENT_FIELDS:
            out.append(f'<SimpleField name="{f.name}" '
                       f'type="{_KML_TYPES.get(f.type, "string")}"/>')
        out.append("</Schema>")
    for key in EVENT_TYPES:
        icon = KML_ICONS.get(key, "placemark_circle")
        for side in ("AF", "PK", None):
            out.append(
                f'<Style id="{key}-{side or "none"}"><IconStyle>'
                f"<color>{_abgr(SIDE_COLOURS[side])}</color><scale>1.1</scale><Icon><href>"
                f"http://maps.google.com/mapfiles/kml/shapes/{icon}.png</href></Icon>"
                f"</IconStyle><LabelStyle><scale>0.8</scale></LabelStyle></Style>")
    out.append("<Folder><name>Incidents</name>")
    for r, p in zip(recs, pts, strict=True):
        style = f"{r['event_type'] if r['event_type'] in EVENT_TYPES else 'other'}-" \
                f"{r['side'] or 'none'}"
        out.append(f"<Placemark id={quoteattr(r['id'])}>")
        out.append(f"<name>{escape(placemark_name(r))}</name>")
        out.append(f"<description><![CDATA[{_claims_html(r).replace(']]>', ']]&gt;')}]]>"
                   "</description>")
        out.append(f"<TimeSpan><begin>{r['date_start']}</begin><end>{r['date_end']}</end>"
                   "</TimeSpan>")
        out.append(f"<styleUrl>#{style}</styleUrl>")
        out.append('<ExtendedData><SchemaData schemaUrl="#incidents">' if typed
                   else "<ExtendedData>")
        for f in INCIDENT_FIELDS:
            v = r[f.name]
            if v is None:
                continue
            # KML's bool is 1/0 (GDAL reads true/false with a warning)
            text = json_text(v) if f.is_json else (
                ("1" if v else "0") if isinstance(v, bool) else str(v))
            out.append(f'<SimpleData name="{f.name}">{escape(text)}</SimpleData>' if typed
                       else f'<Data name="{f.name}"><value>{escape(text)}</value></Data>')
        out.append("</SchemaData></ExtendedData>" if typed else "</ExtendedData>")
        if p is not None:
            out.append(f"<Point><coordinates>{p[0]!r},{p[1]!r}</coordinates></Point>")
        out.append("</Placemark>")
    out += ["</Folder>", "</Document>", "</kml>"]
    return "\n".join(out) + "\n"


def write_kml(gdf, path: str | Path) -> Path:
    """``incidents.kml``: a named, time-stamped, styled Placemark per incident."""
    with atomic_path(path) as tmp:
        tmp.write_text(kml_text(gdf), encoding="utf-8")
    return Path(path)


def write_kmz(gdf, path: str | Path) -> Path:
    """``incidents.kmz``: the KML zipped (``doc.kml``), as Google Earth saves it; fields as
    untyped ``Data`` (see :func:`kml_text`)."""
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", kml_text(gdf, typed=False).encode("utf-8"))
    return Path(path)


# --------------------------------------------------------------------------- registry

Writer = Callable[..., Path]
#: ``--format`` key -> the files it writes: (output key, file name, writer(gdf, path)).
WRITERS: dict[str, tuple[tuple[str, str, Writer], ...]] = {
    "fgb": (("fgb", "incidents.fgb", write_flatgeobuf),),
    "shp": (("shp", "incidents.shp.zip", write_shapefile),),
    "kml": (("kml", "incidents.kml", write_kml),),
    "kmz": (("kmz", "incidents.kmz", write_kmz),),
    "csv-wkt": (("csv-wkt", "incidents.csv", write_csv_wkt),
                ("csv-wkt-csvt", "incidents.csvt", write_csvt)),
}

__all__ = ["WRITERS", "csv_safe", "write_csv_wkt", "write_flatgeobuf", "write_kml",
           "write_kmz", "write_shapefile"]
