"""Options shared by border-map commands.

- ``bands_opt``: ``--bands 5,10,25,50`` distance bands in km (sorted, positive, unique);
- ``indent_opt`` / ``compact_opt``: JSON layout on stdout;
- ``country_opt`` / ``kind_opt``: gazetteer hints.
"""

from __future__ import annotations

import math

import click

from .defaults import DEFAULT_BANDS_KM


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
