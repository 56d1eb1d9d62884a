"""``border-map validate`` and ``border-map schema``, and the reading options ``build`` shares.

Options defined here (module-level, applied to ``build`` in :mod:`border_map.cli`):

- ``input_format_opt``: ``--input-format yaml|json|geojson|csv|acled|ucdp|gdelt`` (detected
  from the content when not given);
- ``date_order_opt``: ``--date-order day-first|month-first`` for ``05/06/2021``;
- ``calendar_opt``: ``--calendar gregorian|solar-hijri`` for native CSV dates;
- ``duplicates_opt``: ``--duplicates-within KM,DAYS``, the window that links possible
  duplicates across sources (default 5 km, 1 day).

The choices are spelled out here rather than imported, so ``--help`` does not load the
readers (and geopandas); a test keeps them equal to :mod:`border_map.readers`.
"""

from __future__ import annotations

import json
import math

import click

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
INPUT_FORMATS = ("yaml", "json", "geojson", "csv", "acled", "ucdp", "gdelt", "table",
                 "parquet")
DATE_ORDERS = ("day-first", "month-first")
CALENDARS = ("gregorian", "solar-hijri")

_FORMAT_HELP = ("Input format: " + ", ".join(INPUT_FORMATS) + ". Default: detected from each "
                "file's content.")
input_format_opt = click.option("--input-format", "input_format",
                                type=click.Choice(INPUT_FORMATS), default=None, help=_FORMAT_HELP)
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


def read_options(date_order: str | None, calendar: str | None) -> dict:
    """The keyword arguments of :func:`border_map.readers.read_source` for these options."""
    return {"date_order": date_order, "calendar": calendar}


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "--input-format", "input_format", type=click.Choice(INPUT_FORMATS),
              default=None, help=_FORMAT_HELP)
@date_order_opt
@calendar_opt
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON report on stdout instead of one line per problem.")
@click.option("--indent", type=click.IntRange(0, 8), default=None,
              help="Indent the JSON report by N spaces.")
@click.pass_context
def validate(ctx, files, input_format, date_order, calendar, as_json, indent):
    """Check incident files: format, fields, places, coordinates, dates.

    Prints one line per problem on stdout (file:line, field, what is wrong) and a
    summary on stderr. Exits 0 only when every file is clean, 1 otherwise.
    Reads the same formats as build (YAML, JSON, GeoJSON, CSV, ACLED, UCDP, GDELT).

    \b
    Examples:
      border-map validate incidents.yaml acled_export.csv
      border-map validate --format csv --date-order day-first reports.csv
      border-map validate --json ged.csv | jq .problems
    """
    from .validate import validate_files

    report = validate_files(files, input_format=input_format, date_order=date_order,
                            calendar=calendar)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=indent, ensure_ascii=False))
    else:
        for line in report.lines():
            click.echo(line)
    for warning in report.warnings:
        click.echo(f"border-map: warning: {warning}", err=True)
    click.echo(f"border-map: {report.summary()}", err=True)
    ctx.exit(0 if report.ok else 1)


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--indent", type=click.IntRange(0, 8), default=2, show_default=True,
              help="Indent by N spaces.")
@click.option("--compact", is_flag=True, help="One line, no spaces.")
def schema(indent, compact):
    """Print the JSON Schema (draft 2020-12) of the native incident file format.

    \b
    Example:
      border-map schema > incident.schema.json
    """
    from .incidents import incident_schema

    doc = incident_schema()
    if compact:
        click.echo(json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
    else:
        click.echo(json.dumps(doc, ensure_ascii=False, indent=indent))
