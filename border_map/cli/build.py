"""``border-map build``: inputs to every output, through :func:`border_map.pipeline.build`."""

from __future__ import annotations

import json
import sys

import click

from .options import (
    CONTEXT_SETTINGS,
    bands_opt,
    calendar_opt,
    date_order_opt,
    duplicates_opt,
    fields_opt,
    formats_opt,
    gdelt_min_sources_opt,
    gdelt_root_opt,
    indent_opt,
    input_format_opt,
    max_field_opt,
    max_input_opt,
    read_options,
)


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("inputs", nargs=-1, type=click.Path(exists=True, dir_okay=True))
@click.option("-o", "--output-dir", "out_dir", default="outputs", show_default=True,
              type=click.Path(file_okay=False), help="Folder for the outputs.")
@formats_opt
@bands_opt
@click.option("--strict", is_flag=True, help="Stop on the first bad record instead of skipping it.")
@click.option("--cdn", is_flag=True,
              help="Load Leaflet from folium's CDN links instead of inlining it "
                   "(smaller, needs network).")
@click.option("--title", default=None, help="Title shown on the map.")
@click.option("--cluster-threshold", type=click.IntRange(min=0), default=None, metavar="N",
              help="Cluster the map's markers from N located incidents on (default: 2000; "
                   "0: always).")
@click.option("--marker-limit", type=click.IntRange(min=0), default=None, metavar="N",
              help="Above N located incidents the map shows hexagons instead of markers "
                   "(default: 5000).")
@input_format_opt
@date_order_opt
@calendar_opt
@duplicates_opt
@gdelt_min_sources_opt
@gdelt_root_opt
@fields_opt
@max_input_opt
@max_field_opt
@click.option("--engine", type=click.Choice(["in-process", "dask", "in-memory", "columnar"]),
              default="in-process", show_default=True,
              help="Where the input's parts are processed: in this process, or on a dask "
                   "cluster (see docs/dask.md). Both write every output, the same content. "
                   "in-memory and columnar are older names of in-process.")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="dask scheduler to run on (tcp://host:8786); default: a local cluster. "
                   "Needs --engine dask.")
@click.option("--partitions", type=click.IntRange(min=1), default=None,
              help="About this many parts (default: 8 MiB of input each). "
                   "Needs --engine dask.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar and final summary on stderr (default: when it is a terminal).")
@click.option("--source", "sources", multiple=True, metavar="NAME|DIR",
              help="Also map the current version of a fetched source (acled, ucdp, gdelt, or "
                   "a store folder; see border-map fetch). Repeatable.")
@indent_opt
@click.pass_context
def build(ctx, inputs, out_dir, formats, bands, strict, cdn, title, cluster_threshold,
          marker_limit, input_format, date_order, calendar, duplicates_within, gdelt_min_sources,
          gdelt_root_only, fields, engine, scheduler, partitions, progress, sources, indent):
    """Build the HTML map and GIS data (GeoJSON, GeoPackage, CSV, GeoParquet) from incident
    files and exports (native YAML/JSON/CSV, GeoJSON, ACLED, UCDP GED, GDELT, Parquet).

    With no INPUT, maps the bundled example (the seed story). Prints a JSON
    summary on stdout; skipped records are listed on stderr, one line each.

    \b
    Example:
      border-map build examples/seed_incidents.yaml -o outputs/ --bands 5,10,25,50
      border-map build -o gis/ --format gpkg,csv
      border-map build acled.csv ged.csv --date-order day-first
      border-map build 2024*.export.CSV --engine dask --partitions 32
      border-map build --source acled -o maps/
    """
    if engine != "dask" and (scheduler or partitions):
        raise click.UsageError("--scheduler and --partitions need --engine dask")
    source_info = None
    if sources:  # fetched sources (border_map.sources.store.current_files)
        from .fetch import source_inputs

        extra, source_info = source_inputs(sources)
        inputs = (*inputs, *extra)
    from ..pipeline import build as run_build

    result = run_build(inputs or None, out_dir, bands_km=bands, strict=strict, cdn=cdn,
                       title=title, formats=formats, input_format=input_format,
                       read_options=read_options(date_order, calendar, gdelt_min_sources,
                                                 gdelt_root_only, fields),
                       duplicate_km=duplicates_within[0],
                       duplicate_days=duplicates_within[1],
                       cluster_threshold=cluster_threshold, marker_limit=marker_limit,
                       engine=engine, scheduler=scheduler, partitions=partitions,
                       progress=sys.stderr.isatty() if progress is None else progress,
                       keep_incidents=0)  # the outputs hold them: memory stays bounded
    for problem in result.rejected:
        click.echo(f"border-map: skipped {problem}", err=True)
    for problem in result.problems:
        click.echo(f"border-map: skipped {problem}", err=True)
    summary = result.summary()
    if source_info:
        from .fetch import record_built

        summary["sources"] = source_info
        record_built(sources, source_info)
    if result.rejected:
        click.echo(f"border-map: skipped {len(result.rejected)} bad record(s): not in any output "
                   "(border-map validate lists every problem; --strict stops at the first)",
                   err=True)
    if result.problems and not ctx.obj.get("quiet"):
        click.echo(f"border-map: {len(result.problems)} incident(s) could not be placed and are "
                   "not drawn (kept in the GeoJSON with a null geometry)", err=True)
    for kind, (count, first) in sorted(result.warnings.items()):
        click.echo(f"border-map: warning: {count} incident(s) kept as the source wrote them: "
                   f"{kind}; first at {'; '.join(first)}", err=True)
    click.echo(json.dumps(summary, indent=indent))
    if result.rejected:
        ctx.exit(1)  # everything else is mapped; the rejected rows are listed above
