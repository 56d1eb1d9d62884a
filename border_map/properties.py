"""The property schema of every output: declared once, read by the writers, tests and docs.

Each :class:`Field` has a name, a type, a unit (or the allowed values) and a meaning. The
GeoJSON writer emits the incident properties in :data:`INCIDENT_PROPERTIES` order (the pipeline
imports it from here); :mod:`border_map.render.gis` builds every GeoPackage layer from
:data:`LAYERS` and the summary CSV from :func:`summary_fields`; the tests read the outputs
back with GDAL and compare them with these declarations; ``docs/properties.md`` is generated
from them::

    python -m border_map.properties > docs/properties.md

Types, and how each is stored:

========== ============================== =================================
type       GeoJSON / CSV                  GeoPackage (as GDAL reports it)
========== ============================== =================================
string     string                         String
integer    number (whole)                 Integer
number     number                         Real
boolean    true / false                   Integer(Boolean)
date       string, ISO 8601 ``YYYY-MM-DD`` Date
datetime   string, ISO 8601               DateTime
string[]   array of strings               String(JSON): a JSON array
object     object                         String(JSON)
object[]   array of objects               String(JSON)
========== ============================== =================================

``null`` stands for unknown or not applicable everywhere (an empty cell in CSV); numbers are
never NaN or Infinity.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from .incidents import CLAIM_STATUSES, DATE_PRECISIONS, EVENT_TYPES, FIGURE_KINDS, SIDES

#: GDAL's name for each type in a GeoPackage (``ogrinfo -so`` prints these).
GPKG_TYPES = {
    "string": "String", "integer": "Integer", "number": "Real", "boolean": "Integer(Boolean)",
    "date": "Date", "datetime": "DateTime", "string[]": "String(JSON)", "object": "String(JSON)",
    "object[]": "String(JSON)",
}
_JSON_TYPES = {
    "string": "string", "integer": "integer", "number": "number", "boolean": "boolean",
    "date": "string", "datetime": "string", "string[]": "array", "object": "object",
    "object[]": "array",
}


@dataclass(frozen=True, slots=True)
class Field:
    """One property (GeoJSON) / field (GeoPackage) / column (CSV)."""

    name: str
    type: str
    unit: str = ""
    meaning: str = ""
    nullable: bool = True

    def __post_init__(self) -> None:
        if self.type not in GPKG_TYPES:
            raise ValueError(f"{self.name}: unknown type {self.type!r}")

    @property
    def gpkg_type(self) -> str:
        return GPKG_TYPES[self.type]

    @property
    def is_json(self) -> bool:
        """Stored as JSON text in a GeoPackage."""
        return self.gpkg_type == "String(JSON)"

    def json_schema(self) -> dict:
        """A JSON Schema fragment for the value in GeoJSON."""
        schema: dict = {"type": _JSON_TYPES[self.type]}
        if self.type == "date":
            schema["pattern"] = r"^\d{4}-\d{2}-\d{2}$"
        elif self.type == "string[]":
            schema["items"] = {"type": "string"}
        elif self.type == "object[]":
            schema["items"] = {"type": "object"}
        if self.nullable:
            schema["type"] = [schema["type"], "null"]
        return schema


@dataclass(frozen=True, slots=True)
class Layer:
    """A GeoPackage layer: its geometry type (``None``: a table without geometry) and fields."""

    name: str
    geometry_type: str | None
    title: str
    about: str
    fields: tuple[Field, ...]

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


def _values(values) -> str:
    return ", ".join(str(v) for v in values)


_SIDE_VALUES = "AF, PK; null on the line or outside both"

INCIDENT_FIELDS: tuple[Field, ...] = (
    Field("id", "string", "", "the incident's id, unique across the inputs (also the feature `id`)",
          nullable=False),
    Field("date", "string", "ISO 8601", "one day (`2026-02-26`) or an interval `start/end`",
          nullable=False),
    Field("date_start", "date", "ISO 8601", "first day the incident may have happened",
          nullable=False),
    Field("date_end", "date", "ISO 8601", "last day the incident may have happened",
          nullable=False),
    Field("date_precision", "string", _values(DATE_PRECISIONS), "how precisely the date is known",
          nullable=False),
    Field("date_text", "string", "", "the report's own words for the date (\"last week\")"),
    Field("event_type", "string", _values(EVENT_TYPES), "event type key", nullable=False),
    Field("event_label", "string", "", "event type label", nullable=False),
    Field("acled_event_type", "string", "ACLED",
          "the ACLED event type equivalent; null for `other`"),
    Field("acled_sub_event_type", "string", "ACLED", "the ACLED sub-event type equivalent"),
    Field("actors", "string[]", "", "the parties involved, as reported", nullable=False),
    Field("place", "string", "", "the place as reported"),
    Field("place_id", "string", "", "id of the resolved gazetteer entry (layer `places`)"),
    Field("place_name", "string", "", "name of the resolved gazetteer entry"),
    Field("place_kind", "string", "country, province, district, town, crossing, feature",
          "kind of the resolved gazetteer entry"),
    Field("place_admin1", "string", "", "province of the resolved gazetteer entry"),
    Field("match", "string", "exact, alias, fuzzy", "how the place name was resolved"),
    Field("match_score", "number", "0–100", "similarity of the reported name to the entry's"),
    Field("country", "string", "AF, PK", "the gazetteer's country for the place"),
    Field("location_source", "string", "gazetteer, explicit",
          "where the point comes from; null when the incident is unlocated"),
    Field("location_error", "string", "", "why the incident has no point (`geometry: null`)"),
    Field("precision_km", "number", "km", "radius of the location's uncertainty"),
    Field("distance_to_border_km", "number", "km",
          "geodesic distance to the Durand Line (full shipped line)"),
    Field("side", "string", _SIDE_VALUES,
          "side of the line, from the shipped polygons whose shared edge is the line"),
    Field("side_conflict", "boolean", "",
          "the side disagrees with `country`: check this incident", nullable=False),
    Field("band_km", "number", "km",
          "smallest distance band containing the point; null beyond the widest or unlocated"),
    Field("band_certainty", "object", "band km → certain, possible, outside",
          "whether the incident is within each band, given `precision_km`", nullable=False),
    Field("sector", "string", "", "stretch of the line facing one Pakistani district and one "
          "Afghan province (layer `sectors`)"),
    Field("nearest_lon", "number", "degrees", "longitude of the nearest point on the line"),
    Field("nearest_lat", "number", "degrees", "latitude of the nearest point on the line"),
    Field("chainage_km", "number", "km", "geodesic distance along the line from the Iran tripoint"),
    Field("description", "string", "", "what happened, in the data's words"),
    Field("source_fields", "object", "field → value",
          "the source's own fields kept as written (ACLED `inter1`, `assoc_actor_1`, "
          "`civilian_targeting`, `timestamp`; UCDP `adm_2`, `relid`; GDELT `NumSources`, ...); "
          "`{}` for other inputs", nullable=False),
    Field("source_warnings", "string", "warnings separated by `; `",
          "what is inconsistent in the source's record (figures out of order, odd precision "
          "codes): kept as the source wrote it, check it; null when nothing is"),
    Field("claim_count", "integer", "", "number of claims", nullable=False),
    Field("conflicting_claims", "boolean", "", "figures claimed by different sides contradict",
          nullable=False),
    Field("claims", "object[]", "", "every claim: claimant, organisation, side, date, statement, "
          "figures, source, status (one row each in layer `claims`)", nullable=False),
    Field("claim_spread", "object", "figure kind → side → figures",
          "what each side claimed, per figure kind, side by side (never averaged); "
          "`conflicting` says whether they contradict", nullable=False),
)

#: Properties of every incident feature, in output order.
INCIDENT_PROPERTIES: tuple[str, ...] = tuple(f.name for f in INCIDENT_FIELDS)

AREA_FIELDS: tuple[Field, ...] = (
    Field("incident_id", "string", "", "the incident (layer `incidents`, field `id`)",
          nullable=False),
    Field("precision_km", "number", "km", "radius of the circle: the location's uncertainty",
          nullable=False),
    Field("event_type", "string", "", "event type key of the incident", nullable=False),
    Field("side", "string", _SIDE_VALUES, "side of the line of the incident's point"),
    Field("date_start", "date", "ISO 8601", "first day of the incident", nullable=False),
)

CLAIM_FIELDS: tuple[Field, ...] = (
    Field("incident_id", "string", "", "the incident the claim is about (layer `incidents`, "
          "field `id`)", nullable=False),
    Field("claim_index", "integer", "", "position of the claim in the incident's `claims`, from 0",
          nullable=False),
    Field("claim_key", "string", "", "hash of the claim's content: one statement repeated on "
          "several incidents has the same key (count it once)", nullable=False),
    Field("claimant", "string", "", "who made the claim (a person)"),
    Field("organisation", "string", "", "on whose behalf"),
    Field("side", "string", _values(SIDES), "which party makes the claim", nullable=False),
    Field("date", "date", "ISO 8601", "when the claim was made"),
    Field("statement", "string", "", "what was claimed, in words"),
    Field("figures", "object[]", "", "numbers claimed: kind, low, high, text, subject",
          nullable=False),
    Field("source_outlet", "string", "", "where it was reported"),
    Field("source_url", "string", "", "link to the report"),
    Field("source_quote", "string", "", "the report's words"),
    Field("source_published", "string", "ISO 8601", "publication date of the report"),
    Field("status", "string", _values(CLAIM_STATUSES), "verification status", nullable=False),
)

PLACE_FIELDS: tuple[Field, ...] = (
    Field("id", "string", "", "gazetteer id (incidents' `place_id`)", nullable=False),
    Field("name", "string", "", "name", nullable=False),
    Field("aliases", "string[]", "", "other names and spellings, in any script", nullable=False),
    Field("kind", "string", "country, province, district, town, crossing, feature", "kind",
          nullable=False),
    Field("country", "string", "AF, PK", "country", nullable=False),
    Field("admin1", "string", "", "province"),
    Field("admin2", "string", "", "district"),
    Field("lon", "number", "degrees", "longitude of the point", nullable=False),
    Field("lat", "number", "degrees", "latitude of the point", nullable=False),
    Field("precision_km", "number", "km", "radius of the point's uncertainty", nullable=False),
    Field("source", "string", "", "where the entry comes from (see geodata/SOURCES.md)",
          nullable=False),
    Field("derivation", "string", "", "how the point was derived"),
    Field("incident_count", "integer", "", "number of incidents placed here", nullable=False),
)

LINE_FIELDS: tuple[Field, ...] = (
    Field("id", "string", "", "`durand-line`", nullable=False),
    Field("name", "string", "", "name", nullable=False),
    Field("status", "string", "", "legal status: de facto boundary, not recognised by Afghanistan",
          nullable=False),
    Field("source", "string", "", "source of the line", nullable=False),
    Field("attribution", "string", "", "attribution the licence requires", nullable=False),
    Field("licence", "string", "SPDX", "licence of the data", nullable=False),
    Field("length_km", "number", "km", "geodesic length", nullable=False),
)

BAND_FIELDS: tuple[Field, ...] = (
    Field("band_km", "number", "km", "the corridor within this distance of the line",
          nullable=False),
    Field("label", "string", "", "\"within 10 km of the line\"", nullable=False),
)

SECTOR_FIELDS: tuple[Field, ...] = (
    Field("id", "string", "", "sector id", nullable=False),
    Field("name", "string", "", "\"Pakistani district – Afghan province\" (incidents' `sector`)",
          nullable=False),
    Field("pk_unit", "string", "", "the Pakistani district facing this stretch", nullable=False),
    Field("af_unit", "string", "", "the Afghan province facing this stretch", nullable=False),
    Field("chainage_start_km", "number", "km", "start, along the line from the Iran tripoint",
          nullable=False),
    Field("chainage_end_km", "number", "km", "end, along the line from the Iran tripoint",
          nullable=False),
    Field("length_km", "number", "km", "geodesic length", nullable=False),
)

COUNTRY_FIELDS: tuple[Field, ...] = (
    Field("iso_a2", "string", "AF, PK", "ISO 3166-1 alpha-2 code", nullable=False),
    Field("name", "string", "", "country name", nullable=False),
    Field("source", "string", "", "source of the outline", nullable=False),
    Field("attribution", "string", "", "attribution the licence requires", nullable=False),
)

PROVINCE_FIELDS: tuple[Field, ...] = (
    Field("id", "string", "", "gazetteer id of the province", nullable=False),
    Field("name", "string", "", "province name", nullable=False),
    Field("country", "string", "AF", "country", nullable=False),
)

STYLE_FIELDS: tuple[Field, ...] = (
    Field("f_table_catalog", "string", "", "always empty (QGIS convention)"),
    Field("f_table_schema", "string", "", "always empty (QGIS convention)"),
    Field("f_table_name", "string", "", "the styled layer", nullable=False),
    Field("f_geometry_column", "string", "", "its geometry column", nullable=False),
    Field("styleName", "string", "", "style name", nullable=False),
    Field("styleQML", "string", "QGIS QML", "the style", nullable=False),
    Field("styleSLD", "string", "", "unused"),
    Field("useAsDefault", "boolean", "", "QGIS applies it when the layer is opened",
          nullable=False),
    Field("description", "string", "", "what the style shows"),
    Field("owner", "string", "", "unused"),
    Field("ui", "string", "", "unused"),
    Field("update_time", "datetime", "UTC", "when the style was written"),
)

_INCIDENT_ABOUT = ("One point per incident at its resolved place; unlocated incidents are kept "
                   "with no geometry and a `location_error`.")

#: The GeoPackage layers, in the order they are written.
LAYERS: tuple[Layer, ...] = (
    Layer("incidents", "Point", "Incidents", _INCIDENT_ABOUT, INCIDENT_FIELDS),
    Layer("incident_areas", "Polygon", "Location uncertainty",
          "A geodesic circle of radius `precision_km` around each located incident.", AREA_FIELDS),
    Layer("claims", None, "Claims",
          "One row per claim per incident; join to `incidents` on `incident_id` = `id`.",
          CLAIM_FIELDS),
    Layer("durand_line", "LineString", "Durand Line (de facto)",
          "The shipped line, south-west (Iran tripoint) to north-east (China tripoint).",
          LINE_FIELDS),
    Layer("border_bands", "MultiPolygon", "Distance bands",
          "One polygon per band: the corridor within `band_km` of the line (bands overlap; "
          "widest first), as drawn on the HTML map.", BAND_FIELDS),
    Layer("sectors", "LineString", "Sectors",
          "Stretches of the line facing one Pakistani district and one Afghan province.",
          SECTOR_FIELDS),
    Layer("places", "Point", "Places used",
          "The gazetteer entries the incidents were placed at.", PLACE_FIELDS),
    Layer("countries", "MultiPolygon", "Countries",
          "Afghanistan and Pakistan, a base layer; their shared edge is the shipped line.",
          COUNTRY_FIELDS),
    Layer("af_provinces", "MultiPolygon", "Afghan provinces",
          "The 34 provinces of Afghanistan, a base layer (no Pakistani districts are shipped).",
          PROVINCE_FIELDS),
    Layer("layer_styles", None, "QGIS layer styles",
          "QGIS styles (QML) with the HTML map's symbols and colours; QGIS applies them when a "
          "layer is opened.", STYLE_FIELDS),
)
LAYERS_BY_NAME = {layer.name: layer for layer in LAYERS}

#: The columns that group the summary rows (see :func:`border_map.aggregate.summarise`).
SUMMARY_KEYS: tuple[Field, ...] = (
    Field("week", "string", "ISO 8601 week", "ISO week of `date_start` (`2026-W09`)",
          nullable=False),
    Field("sector", "string", "", "sector; null when unlocated or off the line's sectors"),
    Field("band_km", "number", "km", "distance band; null beyond the widest band or unlocated"),
    Field("side", "string", _SIDE_VALUES, "side of the line"),
    Field("located", "boolean", "", "the incidents have a point", nullable=False),
)
#: The count columns of the summary, after the keys.
SUMMARY_COUNTS: tuple[Field, ...] = (
    Field("incidents", "integer", "", "number of incidents", nullable=False),
    Field("conflicting_incidents", "integer", "", "incidents whose sides' figures contradict",
          nullable=False),
    Field("claims", "integer", "", "distinct claims (a claim repeated on several incidents of the "
          "group counts once)", nullable=False),
    *(Field(f"claims_by_{side}", "integer", "", f"distinct claims made by {side}", nullable=False)
      for side in SIDES),
)
FIGURE_STATS = ("low", "high", "text_only")


def figure_column(kind: str, side: str, stat: str) -> str:
    """Name of a summary figure column, e.g. ``killed_claimed_by_PK_low``."""
    return f"{kind}_claimed_by_{side}_{stat}"


def summary_fields() -> tuple[Field, ...]:
    """Every column of summary.csv, in order: keys, counts, then figures by kind, side and stat."""
    figures = []
    for kind in FIGURE_KINDS:
        for side in SIDES:
            what = f"'{kind}' figures claimed by {side} (distinct claims)"
            figures += [
                Field(figure_column(kind, side, "low"), "integer", "count",
                      f"sum of the low ends of the {what}; a figure with only a high end counts "
                      "0; null when no figure has a number"),
                Field(figure_column(kind, side, "high"), "integer", "count",
                      f"sum of the high ends of the {what}; null when any is open-ended "
                      "(\"at least 70\")"),
                Field(figure_column(kind, side, "text_only"), "integer", "count",
                      f"number of {what} given only in words (\"heavy casualties\")",
                      nullable=False),
            ]
    return SUMMARY_KEYS + SUMMARY_COUNTS + tuple(figures)


# --------------------------------------------------------------------------- docs


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(fields, gpkg: bool = True) -> list[str]:
    head = "| name | type | GeoPackage | unit / values | meaning |" if gpkg else \
        "| name | type | unit / values | meaning |"
    lines = [head, "|---" * (5 if gpkg else 4) + "|"]
    for f in fields:
        null = "" if f.nullable else " (never null)"
        cells = [f"`{f.name}`", f.type] + ([f.gpkg_type] if gpkg else []) + [
            _cell(f.unit), _cell(f.meaning) + null]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def markdown() -> str:
    """docs/properties.md: every output's fields, generated from this module."""
    out = [
        "# Output properties",
        "",
        "<!-- Generated by `python -m border_map.properties > docs/properties.md`; do not edit. "
        "A test fails when this file is out of date. -->",
        "",
        "`border-map build` writes, by `--format`:",
        "",
        "| file | format | content |",
        "|---|---|---|",
        "| `incidents.geojson` | GeoJSON (RFC 7946) | incidents, properties below |",
        "| `incidents.geojsonl` | GeoJSON text sequence (RFC 8142) | the same features, one per "
        "record |",
        "| `incidents.qml` | QGIS style | symbols of the HTML map for the two files above |",
        "| `border_map.gpkg` | GeoPackage 1.2 | the layers below, with QGIS styles |",
        "| `summary.csv` | CSV (UTF-8, header row) | aggregates by week, sector, band and side |",
        "| `summary.csvt` | GDAL CSV types | the column types of summary.csv, for GDAL and QGIS |",
        "| `border_map.qgz` | QGIS project | every GeoPackage layer styled, with base layers, "
        "the dispute note and the time range (written with `gpkg`) |",
        "| `map.html` | HTML | the interactive map |",
        "| `incidents.fgb` | FlatGeobuf (`--format fgb`) | incidents; see *Conversions* |",
        "| `incidents.shp.zip` | zipped Shapefile (`--format shp`) | incidents, field map and "
        "JSON sidecar; see *Conversions* |",
        "| `incidents.kml`, `incidents.kmz` | KML 2.2 (`--format kml`, `kmz`) | a named, "
        "time-spanned, styled placemark per incident |",
        "| `incidents.csv`, `incidents.csvt` | CSV with lon/lat and WKT (`--format csv-wkt`) "
        "| incidents |",
        "",
        "Coordinates are WGS 84 longitude/latitude (EPSG:4326), rounded to 6 decimals. `null` is "
        "unknown or not applicable (an empty cell in CSV); numbers are never NaN. In a "
        "GeoPackage, nested values (arrays, objects) are JSON text in fields of subtype JSON, "
        "dates are Date fields and booleans are Integer(Boolean).",
        "",
        "## Incident properties (`incidents.geojson`, `incidents.geojsonl`, layer `incidents`)",
        "",
        *_table(INCIDENT_FIELDS),
        "",
        "## GeoPackage layers (`border_map.gpkg`)",
        "",
        "| layer | geometry | content |",
        "|---|---|---|",
        *(f"| `{layer.name}` | {layer.geometry_type or 'none (table)'} | {_cell(layer.about)} |"
          for layer in LAYERS),
        "",
        "Every layer carries a description naming its source and licence (GDAL: `ogrinfo -so "
        "border_map.gpkg LAYER`, metadata item `DESCRIPTION`).",
    ]
    for layer in LAYERS[1:]:
        out += ["", f"### `{layer.name}` ({layer.geometry_type or 'no geometry'})", "",
                layer.about, "", *_table(layer.fields)]
    keys = ", ".join(f"`{f.name}`" for f in SUMMARY_KEYS)
    out += conversions_markdown()
    out += [
        "",
        "## `summary.csv`",
        "",
        f"One row per group of incidents with the same {keys}; rows sorted by these keys. "
        "A claim attached identically to several incidents of a group (one statement about "
        "several places) is counted once in that group. Figures are added up per claiming side "
        "and figure kind, never across sides or kinds and never averaged. A claim attached to "
        "incidents in two groups counts in both: do not add figures across rows.",
        "",
        *_table(SUMMARY_KEYS + SUMMARY_COUNTS, gpkg=False),
        "",
        "Then, for each figure kind (" + _values(FIGURE_KINDS) + ") and each claiming side ("
        + _values(SIDES) + "), three columns:",
        "",
        *_table(tuple(f for f in summary_fields() if f.name.startswith("killed_claimed_by_PK")),
                gpkg=False),
        "",
    ]
    return "\n".join(out)


def conversions_markdown() -> list[str]:
    """How each incident field is stored in each export format (docs/properties.md)."""
    from .render import formats

    kml_type = {"string": "string", "integer": "int", "number": "double", "boolean": "bool"}
    shp = {f.name: (name, how) for f, name, how in formats.shapefile_fields()}
    csvt = dict(formats.csv_columns())
    out = [
        "",
        "## Conversions (`--format fgb, shp, kml, kmz, csv-wkt`)",
        "",
        "Every incident is written, unlocated ones included, so GDAL reads back the same "
        "feature count. Measures are rounded to what they mean: degrees to 6 decimals, km to 3.",
        "",
        "- **FlatGeobuf** (`incidents.fgb`): unlocated incidents have a *null geometry* (kept in "
        "the file); FlatGeobuf's spatial index needs a geometry for every feature, so such a "
        "file has no index. Dates are DateTime (00:00); lists and objects JSON text.",
        "- **Shapefile** (`incidents.shp.zip`, opened as is by GDAL and QGIS): UTF-8 "
        "(`incidents.cpg`), field names of at most 10 characters (below, and "
        "`incidents_fields.csv` in the zip), lists joined with `; `, booleans as DBF logical, "
        "unlocated incidents as null shapes. The JSON objects and the whole description "
        "(a DBF text holds 254 bytes) are in `incidents_json.csv` in the zip, joined on `id`.",
        "- **KML/KMZ**: one Placemark per incident: `<name>` \"event — place — date\", "
        "`<TimeSpan>` `date_start`–`date_end` (GDAL's LIBKML reads them as `begin`/`end`), a "
        "style per event type and side (Google Earth's built-in icons, the side's colour), the "
        "claims of each side side by side in the description, every field as `ExtendedData`: "
        "typed `SchemaData` in KML (types below), plain text `Data` in KMZ (GDAL 3.6's "
        "LIBKML, hence QGIS 3.22, reads no Schema from a KMZ); unlocated incidents are "
        "Placemarks without geometry.",
        "- **CSV** (`incidents.csv` + `incidents.csvt`): every field, then `lon`, `lat` and "
        "`WKT` (GDAL's CSV driver takes `WKT` as the geometry); lists and objects JSON text "
        "(String in the `.csvt`).",
        "",
        "Every CSV border-map writes (`summary.csv`, `incidents.csv`, the Shapefile's sidecars) "
        "is UTF-8 with a byte order mark (spreadsheets read the en dash and Pashto right; GDAL "
        "skips the mark), comes with a `.csvt` of its column types, writes null as an empty "
        "cell (GDAL reads empty numbers and dates as NULL; open with `-oo "
        "EMPTY_STRING_AS_NULL=YES`, or QGIS's *Add Delimited Text* with empty as NULL, for "
        "empty text), and is formula-safe: a text cell starting with `=`, `+`, `-`, `@`, a tab "
        "or a carriage return gets a leading `'`.",
        "",
        "| field | GeoPackage | FlatGeobuf | Shapefile name: type | KML ExtendedData | CSV "
        "(.csvt) |",
        "|---|---|---|---|---|---|",
    ]
    for f in INCIDENT_FIELDS:
        fgb = ("DateTime" if f.type == "date" else "String (JSON text)" if f.is_json
               else f.gpkg_type)
        if f.name in shp:
            name, how = shp[f.name]
            shp_cell = f"`{name}`: {_cell(how)}"
        else:
            shp_cell = "`incidents_json.csv`: JSON text"
        kml = ("JSON text" if f.is_json else kml_type.get(f.type, "string (ISO 8601)"))
        if f.name in ("date_start", "date_end"):
            kml += "; also `TimeSpan` " + ("begin" if f.name == "date_start" else "end")
        out.append(f"| `{f.name}` | {f.gpkg_type} | {fgb} | {shp_cell} | {kml} | "
                   f"{csvt[f.name]} |")
    out.append("| (point) | geometry | geometry (null when unlocated) | null shape when "
               "unlocated | `<Point>`, none when unlocated | `lon`, `lat` (Real), `WKT` (empty "
               "when unlocated) |")
    return out


def main() -> None:
    sys.stdout.write(markdown())


if __name__ == "__main__":  # pragma: no cover
    main()
