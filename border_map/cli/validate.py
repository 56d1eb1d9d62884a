"""``border-map validate`` and ``border-map schema``."""

from __future__ import annotations

import json

import click

from .options import (
    CONTEXT_SETTINGS,
    FORMAT_HELP,
    INPUT_FORMATS,
    calendar_opt,
    date_order_opt,
    fields_opt,
    gdelt_min_sources_opt,
    gdelt_root_opt,
    max_field_opt,
    max_input_opt,
)


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "--input-format", "input_format", type=click.Choice(INPUT_FORMATS),
              default=None, help=FORMAT_HELP)
@date_order_opt
@calendar_opt
@gdelt_min_sources_opt
@gdelt_root_opt
@fields_opt
@max_input_opt
@max_field_opt
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON report on stdout instead of one line per problem.")
@click.option("--indent", type=click.IntRange(0, 8), default=None,
              help="Indent the JSON report by N spaces.")
@click.pass_context
def validate(ctx, files, input_format, date_order, calendar, gdelt_min_sources, gdelt_root_only,
             fields, as_json, indent):
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
    from ..validate import validate_files

    report = validate_files(files, input_format=input_format, date_order=date_order,
                            calendar=calendar, gdelt_min_sources=gdelt_min_sources,
                            gdelt_root_only=gdelt_root_only, fields=fields)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=indent, ensure_ascii=False))
    else:
        for line in report.lines():
            click.echo(line)
    for warning in report.warnings:
        click.echo(f"border-map: warning: {warning}", err=True)
    for f in report.files:
        for kind, count in sorted(f.source_warnings.items()):
            click.echo(f"border-map: warning: {count} incident(s) kept as the source wrote "
                       f"them: {kind}; first at {'; '.join(f.first_warned[kind])}", err=True)
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
    from ..incidents import incident_schema

    doc = incident_schema()
    if compact:
        click.echo(json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
    else:
        click.echo(json.dumps(doc, ensure_ascii=False, indent=indent))
