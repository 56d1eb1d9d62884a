"""The ``border-map`` command line: parsing and wiring only.

stdout carries data (GeoJSON, JSON); messages and logs go to stderr. Library errors become
one line and exit 1 (:mod:`.errors`, the one translator); bad options exit 2 (click's usage
errors). Shared options are defined once, in :mod:`.options`; each command is a module.
"""

from __future__ import annotations

import logging
import sys

import click

from .. import __version__
from .errors import Group
from .options import CONTEXT_SETTINGS, OUTPUT_FORMATS  # noqa: F401 - re-exported


@click.group(context_settings=CONTEXT_SETTINGS, cls=Group)
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


# Commands live in their own modules (cli/<command>.py): registered here, one line each.
# --- command registrations ---
from .build import build  # noqa: E402
from .extract import extract  # noqa: E402
from .fetch import fetch  # noqa: E402
from .gazetteer import gazetteer, geocode  # noqa: E402
from .validate import schema, validate  # noqa: E402

for _command in (build, validate, schema, geocode, gazetteer, extract, fetch):
    cli.add_command(_command)
# --- end of command registrations ---


def main(argv=None):
    """Console-script entry point.

    An unexpected failure (a bug, not bad input) is one line too; ``-v`` shows the traceback.
    """
    from ..errors import os_error_line, shown

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
