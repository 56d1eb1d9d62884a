"""The options registry: every option shared by border-map commands, defined once.

- ``bands_opt``: ``--bands 5,10,25,50`` distance bands in km (sorted, positive, unique);
- ``indent_opt``: JSON layout on stdout;
- ``country_opt`` / ``kind_opt``: gazetteer hints;
- ``input_format_opt``: ``--input-format`` (detected from the content when not given);
- ``date_order_opt``: ``--date-order day-first|month-first`` for ``05/06/2021``;
- ``calendar_opt``: ``--calendar gregorian|solar-hijri`` for native CSV dates;
- ``duplicates_opt``: ``--duplicates-within KM,DAYS``, the window that links possible
  duplicates across sources (default 5 km, 1 day);
- ``formats_opt``: ``build --format``, the outputs (:data:`OUTPUT_FORMATS`);
- ``fields_opt``: ``--fields KEY=NAME,...`` (or a file), other names onto the schema;
- ``gdelt_min_sources_opt`` / ``gdelt_root_opt``: GDELT filters (NumSources, IsRootEvent);
- ``max_input_opt`` / ``max_field_opt`` / ``max_import_opt``: the size limits of
  :mod:`border_map.limits` (``--max-input-mb``, ``--max-field-mb``, ``--max-import-places``),
  for this run: each sets its environment variable until the command ends, and the refusal
  names the flag.

The choices are spelled out here rather than imported, so ``--help`` does not load the
readers (and geopandas); tests keep them equal to :mod:`border_map.readers` and
:mod:`border_map.render.outputs`.
"""

from __future__ import annotations

import math
import os

import click

from ..defaults import DEFAULT_BANDS_KM


def _parse_bands(ctx, param, value):
    if value is None:
        return DEFAULT_BANDS_KM
    try:
        bands = tuple(float(v) for v in value.split(",") if v.strip())
    except ValueError as err:
        raise click.BadParameter(f"'{value}' is not a comma-separated list of km") from err
    if not bands or any(not math.isfinite(b) or b <= 0 for b in bands):
        raise click.BadParameter(f"'{value}': bands must be positive numbers of km")
    if len(set(bands)) != len(bands):
        raise click.BadParameter(f"'{value}': bands must be distinct")
    return tuple(sorted(bands))


bands_opt = click.option(
    "--bands", callback=_parse_bands, default=None, metavar="KM,KM,...",
    help="Distance bands around the line in km (default: 5,10,25,50).")
indent_opt = click.option("--indent", type=click.IntRange(0, 8), default=None,
                          help="Indent JSON output by N spaces.")
country_opt = click.option("--country", type=click.Choice(["AF", "PK"], case_sensitive=False),
                           default=None, help="Only places in this country (ISO alpha-2).")
kind_opt = click.option(
    "--kind", type=click.Choice(["country", "province", "district", "town", "crossing", "feature"]),
    default=None, help="Only places of this kind.")


CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
INPUT_FORMATS = ("yaml", "json", "geojson", "csv", "acled", "ucdp", "gdelt", "table",
                 "parquet")
DATE_ORDERS = ("day-first", "month-first")
CALENDARS = ("gregorian", "solar-hijri")

FORMAT_HELP = ("Input format: " + ", ".join(INPUT_FORMATS) + ". Default: detected from each "
                "file's content.")
input_format_opt = click.option("--input-format", "input_format",
                                type=click.Choice(INPUT_FORMATS), default=None, help=FORMAT_HELP)
date_order_opt = click.option(
    "--date-order", type=click.Choice(DATE_ORDERS), default=None,
    help="How to read dates such as 05/06/2021 (never guessed; ISO dates are never reordered).")
calendar_opt = click.option(
    "--calendar", type=click.Choice(CALENDARS), default=None,
    help="solar-hijri: the dates of native CSV files are Solar Hijri (Afghan calendar). "
         "Dates marked SH are converted without it.")


def _parse_window(ctx, param, value):
    parts = [p.strip() for p in value.split(",")]
    try:
        if len(parts) != 2:
            raise ValueError(value)
        km, days = float(parts[0]), int(parts[1])
    except ValueError as err:
        raise click.BadParameter(f"{value!r}: expected KM,DAYS such as 5,1") from err
    if not math.isfinite(km) or km < 0 or days < 0:
        raise click.BadParameter(f"{value!r}: KM and DAYS must be >= 0")
    return km, days


duplicates_opt = click.option(
    "--duplicates-within", "duplicates_within", default="5,1", show_default=True,
    callback=_parse_window, metavar="KM,DAYS",
    help="Link incidents from different files this close in space and time as possible "
         "duplicates (never merged).")


def read_options(date_order: str | None, calendar: str | None, gdelt_min_sources: int = 0,
                 gdelt_root_only: bool = False, fields: dict | None = None) -> dict:
    """The keyword arguments of :func:`border_map.readers.read_source` for these options."""
    out = {"date_order": date_order, "calendar": calendar}
    if gdelt_min_sources:
        out["gdelt_min_sources"] = gdelt_min_sources
    if gdelt_root_only:
        out["gdelt_root_only"] = True
    if fields:
        out["fields"] = fields
    return out


def _parse_fields(ctx, param, value):
    if not value:
        return None
    import os

    from ..readers.foreign import parse_fields

    text = value
    if os.path.isfile(value):  # a small mapping file: KEY=NAME (or KEY: NAME) per line
        with open(value, encoding="utf-8") as fh:
            text = fh.read()
    try:
        return parse_fields(text)
    except ValueError as err:
        raise click.BadParameter(str(err)) from err


fields_opt = click.option(
    "--fields", callback=_parse_fields, default=None, metavar="KEY=NAME,...|FILE",
    help="Map other property/column names onto border-map's fields, e.g. "
         "date=date_start,event_type=kind,place=site (keys: id, date, date_end, event_type, "
         "lon, lat, place, country, precision_km, geo_precision, description, unlocated); "
         "for GeoJSON and other tables. Or a file of KEY=NAME lines.")


gdelt_min_sources_opt = click.option(
    "--gdelt-min-sources", type=click.IntRange(min=0), default=0, metavar="N",
    help="GDELT: leave out events reported by fewer than N sources (NumSources; counted as "
         "few_sources in the summary).")
gdelt_root_opt = click.option(
    "--gdelt-root-events", "gdelt_root_only", is_flag=True,
    help="GDELT: keep only root events (IsRootEvent 1, the event of the article's lead); "
         "the others are counted as not_root_event.")



# The outputs of `build` (= border_map.render.outputs.FORMATS).
OUTPUT_FORMATS = ("geojson", "geojsonl", "gpkg", "csv", "parquet", "hexagons", "html", "fgb",
                  "shp", "kml", "kmz", "csv-wkt")


def _parse_formats(ctx, param, value):
    names = [v.strip().lower() for item in value for v in item.split(",") if v.strip()]
    bad = [n for n in names if n not in OUTPUT_FORMATS]
    if bad:
        raise click.BadParameter(f"{', '.join(bad)}: choose from {', '.join(OUTPUT_FORMATS)}")
    return tuple(dict.fromkeys(names)) or OUTPUT_FORMATS[:7]


formats_opt = click.option(
    "-f", "--format", "formats", multiple=True, callback=_parse_formats,
    metavar="FORMAT[,FORMAT...]",
    help="Outputs to write, repeatable or comma-separated: geojson (incidents.geojson "
         "+ incidents.qml), geojsonl (RFC 8142 sequence), gpkg (border_map.gpkg), csv "
         "(summary.csv), parquet (incidents.parquet, GeoParquet), hexagons "
         "(hexagons.geojson + hex_counts.csv), html (map.html); gpkg also writes its QGIS "
         "project border_map.qgz; conversions: fgb (FlatGeobuf), shp (zipped Shapefile), kml, "
         "kmz, csv-wkt (incidents as CSV). Default: the first seven.")


# -- size limits (border_map.limits): the flag sets the variable for this command only --------


def _limit(env: str):
    def callback(ctx, param, value):
        if value is None:
            return value
        before = os.environ.get(env)
        os.environ[env] = f"{value:g}" if isinstance(value, float) else str(value)

        def restore():
            if before is None:
                os.environ.pop(env, None)
            else:
                os.environ[env] = before

        ctx.call_on_close(restore)
        return value

    return callback


max_input_opt = click.option(
    "--max-input-mb", type=click.FloatRange(min=0, min_open=True, max=1e9), default=None,
    metavar="MB", expose_value=False, callback=_limit("BORDER_MAP_MAX_INPUT_MB"),
    help="Largest file or zip member read whole (native YAML/JSON, a zipped export's member), "
         "in MB (default 2000; also BORDER_MAP_MAX_INPUT_MB). Needs about 4 times as much "
         "memory.")
max_field_opt = click.option(
    "--max-field-mb", type=click.FloatRange(min=0, min_open=True, max=1000), default=None,
    metavar="MB", expose_value=False, callback=_limit("BORDER_MAP_MAX_FIELD_MB"),
    help="Longest text field (and CSV record: 8 times it) accepted, in MB of characters "
         "(default 1; also BORDER_MAP_MAX_FIELD_MB).")
max_import_opt = click.option(
    "--max-import-places", type=click.IntRange(min=1), default=None, metavar="N",
    expose_value=False, callback=_limit("BORDER_MAP_MAX_IMPORT_PLACES"),
    help="Most places of one CSV import, which every command loads (default 200,000; also "
         "BORDER_MAP_MAX_IMPORT_PLACES; a GeoNames dump has no limit).")
