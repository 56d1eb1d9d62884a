"""The ``border-map`` command line: parsing and wiring only.

stdout carries data (GeoJSON, JSON); messages and logs go to stderr. Library
errors become one line and exit 1; bad options exit 2 (click's usage errors).
"""

from __future__ import annotations

import json
import logging
import sys

import click

from . import __version__
from .cli_data import (
    calendar_opt,
    date_order_opt,
    duplicates_opt,
    input_format_opt,
    read_options,
)
from .errors import BorderMapError
from .options import bands_opt, indent_opt

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


class BorderMapClickError(click.ClickException):
    """A library error shown as one line, exit code 1."""


def _fail(err: BorderMapError):
    raise BorderMapClickError(str(err)) from err


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="border-map")
@click.option("-v", "--verbose", count=True, help="More log messages on stderr (repeatable).")
@click.option("-q", "--quiet", count=True, help="Fewer messages on stderr.")
@click.pass_context
def cli(ctx, verbose, quiet):
    """Map border incidents along the Durand Line (Afghanistan-Pakistan).

    \b
    Examples:
      border-map build                       # the bundled seed story -> outputs/
      border-map build my_incidents.yaml -o maps/
      border-map geocode Torkham "Kurram, Pakistan"
    """
    level = logging.WARNING - 10 * verbose + 10 * quiet
    logging.basicConfig(level=max(logging.DEBUG, min(logging.CRITICAL, level)), stream=sys.stderr,
                        format="border-map: %(levelname)s: %(message)s")
    ctx.ensure_object(dict)
    ctx.obj["quiet"] = quiet > 0


# The outputs of `build` (= border_map.pipeline.FORMATS, kept here so --help stays fast).
OUTPUT_FORMATS = ("geojson", "geojsonl", "gpkg", "csv", "html")


def _parse_formats(ctx, param, value):
    names = [v.strip().lower() for item in value for v in item.split(",") if v.strip()]
    bad = [n for n in names if n not in OUTPUT_FORMATS]
    if bad:
        raise click.BadParameter(f"{', '.join(bad)}: choose from {', '.join(OUTPUT_FORMATS)}")
    return tuple(dict.fromkeys(names)) or OUTPUT_FORMATS


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("inputs", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output-dir", "out_dir", default="outputs", show_default=True,
              type=click.Path(file_okay=False), help="Folder for the outputs.")
@click.option("-f", "--format", "formats", multiple=True, callback=_parse_formats,
              metavar="FORMAT[,FORMAT...]",
              help="Outputs to write, repeatable or comma-separated: geojson (incidents.geojson "
                   "+ incidents.qml), geojsonl (RFC 8142 sequence), gpkg (border_map.gpkg), csv "
                   "(summary.csv), html (map.html). Default: all.")
@bands_opt
@click.option("--strict", is_flag=True, help="Stop on the first bad record instead of skipping it.")
@click.option("--cdn", is_flag=True,
              help="Load Leaflet from folium's CDN links instead of inlining it "
                   "(smaller, needs network).")
@click.option("--title", default=None, help="Title shown on the map.")
@click.option("--cluster-threshold", type=click.IntRange(min=0), default=None, metavar="N",
              help="Cluster the map's markers from N located incidents on (default: 2000; "
                   "0: always). --engine in-memory only.")
@input_format_opt
@date_order_opt
@calendar_opt
@duplicates_opt
@click.option("--engine", type=click.Choice(["in-memory", "columnar", "dask"]),
              default="in-memory", show_default=True,
              help="in-memory: incident files with claims (YAML/JSON/CSV readers); columnar: "
                   "large CSV, GDELT exports or GeoParquet in one frame; dask: the same, "
                   "partition by partition on a dask cluster (see docs/dask.md).")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="dask scheduler to run on (tcp://host:8786); default: a local cluster. "
                   "Needs --engine dask.")
@click.option("--partitions", type=click.IntRange(min=1), default=None,
              help="About this many partitions (default: 64 MiB of input each). "
                   "Needs --engine dask.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar and final summary on stderr (default: when it is a terminal).")
@indent_opt
@click.pass_context
def build(ctx, inputs, out_dir, formats, bands, strict, cdn, title, cluster_threshold,
          input_format, date_order, calendar, duplicates_within, engine, scheduler, partitions,
          progress, indent):
    """Build the HTML map and GIS data (GeoJSON, GeoPackage, CSV) from incident files.

    With no INPUT, maps the bundled example (the seed story). Prints a JSON
    summary on stdout; skipped records are listed on stderr, one line each.

    \b
    Example:
      border-map build examples/seed_incidents.yaml -o outputs/ --bands 5,10,25,50
      border-map build -o gis/ --format gpkg,csv
      border-map build acled.csv ged.csv --date-order day-first
      border-map build 2024*.export.CSV --engine dask --partitions 32
    """
    if engine != "in-memory":
        return _build_large(ctx, engine, inputs, out_dir, bands, strict, cdn, title, scheduler,
                            partitions, progress, indent)
    if scheduler or partitions:
        raise click.UsageError("--scheduler and --partitions need --engine dask")
    from .pipeline import build as run_build

    try:
        result = run_build(inputs or None, out_dir, bands_km=bands, strict=strict, cdn=cdn,
                           title=title, formats=formats, input_format=input_format,
                           read_options=read_options(date_order, calendar),
                           duplicate_km=duplicates_within[0],
                           duplicate_days=duplicates_within[1],
                           cluster_threshold=cluster_threshold)
    except BorderMapError as err:
        _fail(err)
    for problem in result.rejected:
        click.echo(f"border-map: skipped {problem}", err=True)
    for problem in result.problems:
        click.echo(f"border-map: skipped {problem}", err=True)
    gdf = result.incidents
    located = int((~(gdf.geometry.isna() | gdf.geometry.is_empty)).sum())
    summary = {
        "incidents": len(gdf),
        "located": located,
        "unlocated": len(gdf) - located - len(result.problems),
        "skipped": len(result.problems),
        "rejected": len(result.rejected),
        "possible_duplicates": [[link.a, link.b] for link in result.duplicates],
        "outputs": {k: str(v) for k, v in result.outputs.items()},
    }
    if result.rejected:
        click.echo(f"border-map: skipped {len(result.rejected)} bad record(s): not in any output "
                   "(border-map validate lists every problem; --strict stops at the first)",
                   err=True)
    if result.problems and not ctx.obj.get("quiet"):
        click.echo(f"border-map: {len(result.problems)} incident(s) could not be placed and are "
                   "not drawn (kept in the GeoJSON with a null geometry)", err=True)
    click.echo(json.dumps(summary, indent=indent))


def _build_large(ctx, engine, inputs, out_dir, bands, strict, cdn, title, scheduler, partitions,
                 progress, indent):
    """``build --engine columnar|dask``: the engines of border_map.engine."""
    from click.core import ParameterSource

    given = [f"--{name.replace('_', '-')}" for name in (
        "formats", "input_format", "date_order", "calendar", "duplicates_within",
        "cluster_threshold")
        if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE]
    if given:
        raise click.UsageError(f"{', '.join(given)} only apply to --engine in-memory")
    if engine != "dask" and (scheduler or partitions):
        raise click.UsageError("--scheduler and --partitions need --engine dask")
    if not inputs:
        raise click.UsageError(f"--engine {engine} needs at least one INPUT file")
    from .engine import build_large

    options = {"bands_km": bands, "strict": strict, "cdn": cdn, "title": title,
               "progress": sys.stderr.isatty() if progress is None else progress}
    if engine == "dask":
        options.update(scheduler=scheduler, partitions=partitions)
    try:
        result = build_large(inputs, out_dir, engine=engine, **options)
    except BorderMapError as err:
        _fail(err)
    click.echo(json.dumps(result.summary(), indent=indent))


# Commands defined in their own modules (cli_<area>.py) are registered here, one line each.
# --- command registrations ---
from .cli_data import schema, validate  # noqa: E402

cli.add_command(validate)
cli.add_command(schema)
from .cli_gazetteer import gazetteer, geocode  # noqa: E402

cli.add_command(geocode)
cli.add_command(gazetteer)
from .cli_extract import extract  # noqa: E402

cli.add_command(extract)
# --- end of command registrations ---


def main(argv=None):
    """Console-script entry point.

    An unexpected failure (a bug, not bad input) is one line too; ``-v`` shows the traceback.
    """
    from .errors import os_error_line, shown

    try:
        return cli.main(args=argv, prog_name="border-map", standalone_mode=True)
    except OSError as err:  # OutputError, or an OSError no command caught: one line, exit 1
        if logging.getLogger().isEnabledFor(logging.DEBUG):
            raise
        click.echo(f"border-map: {os_error_line(err)}", err=True)
        sys.exit(1)
    except Exception as err:  # noqa: BLE001 - last resort: never a bare traceback for users
        if logging.getLogger().isEnabledFor(logging.DEBUG):
            raise
        click.echo(f"border-map: internal error: {type(err).__name__}: {shown(err)} "
                   "(run with -vv for the traceback; please report it)", err=True)
        sys.exit(70)


if __name__ == "__main__":  # pragma: no cover
    main()
