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
from .errors import BorderMapError
from .options import bands_opt, country_opt, indent_opt, kind_opt

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


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("inputs", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output-dir", "out_dir", default="outputs", show_default=True,
              type=click.Path(file_okay=False), help="Folder for map.html and incidents.geojson.")
@bands_opt
@click.option("--strict", is_flag=True, help="Stop on the first bad record instead of skipping it.")
@click.option("--cdn", is_flag=True,
              help="Load Leaflet from folium's CDN links instead of inlining it (smaller, needs network).")
@click.option("--title", default=None, help="Title shown on the map.")
@indent_opt
@click.pass_context
def build(ctx, inputs, out_dir, bands, strict, cdn, title, indent):
    """Build the HTML map and GeoJSON from incident files.

    With no INPUT, maps the bundled example (the seed story). Prints a JSON
    summary on stdout; skipped records are listed on stderr, one line each.

    \b
    Example:
      border-map build examples/seed_incidents.yaml -o outputs/ --bands 5,10,25,50
    """
    from .pipeline import build as run_build

    try:
        result = run_build(inputs or None, out_dir, bands_km=bands, strict=strict, cdn=cdn,
                           title=title)
    except BorderMapError as err:
        _fail(err)
    for problem in result.problems:
        click.echo(f"border-map: skipped {problem}", err=True)
    gdf = result.incidents
    located = int((~(gdf.geometry.isna() | gdf.geometry.is_empty)).sum())
    summary = {
        "incidents": len(gdf),
        "located": located,
        "unlocated": len(gdf) - located - len(result.problems),
        "skipped": len(result.problems),
        "outputs": {k: str(v) for k, v in result.outputs.items()},
    }
    if result.problems and not ctx.obj.get("quiet"):
        click.echo(f"border-map: {len(result.problems)} incident(s) could not be placed and are "
                   "not drawn (kept in the GeoJSON with a null geometry)", err=True)
    click.echo(json.dumps(summary, indent=indent))


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("names", nargs=-1)
@country_opt
@kind_opt
@indent_opt
def geocode(names, country, kind, indent):
    """Resolve place names offline; print a GeoJSON FeatureCollection.

    Names may carry hints: "Kurram, Pakistan", "Spin Boldak, Kandahar",
    "Khyber district". With no NAME, names are read from stdin, one per line.
    An unknown or ambiguous name exits 1 with the closest candidates.

    \b
    Example:
      border-map geocode Torkham Paktiya "Khyber district"
    """
    from .geocode import geocode_features

    if not names:
        names = tuple(line.strip() for line in sys.stdin if line.strip())
    if not names:
        raise click.UsageError("give at least one NAME (or names on stdin)")
    try:
        doc = geocode_features(names, country=country, kind=kind)
    except BorderMapError as err:
        _fail(err)
    click.echo(json.dumps(doc, ensure_ascii=False, indent=indent, allow_nan=False))


# Commands defined in their own modules (cli_<area>.py) are registered here, one line each.
# --- command registrations ---
# --- end of command registrations ---


def main(argv=None):
    """Console-script entry point.

    An unexpected failure (a bug, not bad input) is one line too; ``-v`` shows the traceback.
    """
    try:
        return cli.main(args=argv, prog_name="border-map", standalone_mode=True)
    except Exception as err:  # noqa: BLE001 - last resort: never a bare traceback for users
        if logging.getLogger().isEnabledFor(logging.DEBUG):
            raise
        click.echo(f"border-map: internal error: {type(err).__name__}: {err} "
                   "(run with -vv for the traceback; please report it)", err=True)
        sys.exit(70)


if __name__ == "__main__":  # pragma: no cover
    main()
