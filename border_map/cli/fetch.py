"""``border-map fetch acled|ucdp|gdelt|status``: the opt-in online sources, into the store.

These are the only commands that use the network, and only when run. Credentials come from
the environment only (ACLED_ACCESS_TOKEN, or ACLED_EMAIL with ACLED_PASSWORD or
ACLED_API_KEY; UCDP_API_TOKEN), never from options, and are never printed. stdout carries a
JSON summary; a progress bar goes to stderr when it is a terminal; a failure is one line
and exit 1, and leaves the store's current version as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

import click

from ..errors import BorderMapError
from .errors import fail as _fail
from .options import CONTEXT_SETTINGS


class _Progress:
    """A one-line progress display on stderr (bytes or rows), only when enabled."""

    def __init__(self, label: str, unit: str, enabled: bool):
        self.label, self.unit, self.enabled = label, unit, enabled
        self.done, self.total = 0, None

    def set_total(self, total: int) -> None:
        self.total = total or None
        self._draw()

    def __call__(self, n: int) -> None:
        self.done += n
        self._draw()

    def _fmt(self, n: int) -> str:
        if self.unit != "bytes":
            return f"{n:,} {self.unit}"
        return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"

    def _draw(self) -> None:
        if not self.enabled:
            return
        if self.total:
            share = min(1.0, self.done / self.total)
            bar = "#" * int(share * 30)
            line = (f"{self.label} [{bar:<30}] {share:4.0%} {self._fmt(self.done)} of "
                    f"{self._fmt(self.total)}")
        else:
            line = f"{self.label} {self._fmt(self.done)}"
        sys.stderr.write("\r" + line)
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and (self.done or self.total):
            sys.stderr.write("\n")
            sys.stderr.flush()


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r}: expected YYYY-MM-DD") from None


def _moment(ctx, param, value):
    if value is None:
        return None
    for fmt in ("%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y%m%d%H%M%S"):
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise click.BadParameter(f"{value!r}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)")


since_opt = click.option("--since", callback=_date, metavar="YYYY-MM-DD",
                         help="First day of events.")
until_opt = click.option("--until", callback=_date, metavar="YYYY-MM-DD",
                         help="Last day of events (default: up to today).")
country_opt = click.option("--country", "countries", multiple=True,
                           type=click.Choice(["AF", "PK"], case_sensitive=False),
                           help="Only this country (repeatable; default: AF and PK).")
progress_opt = click.option("--progress/--no-progress", default=None,
                            help="Progress on stderr (default: when it is a terminal).")
indent_opt = click.option("--indent", type=click.IntRange(0, 8), default=None,
                          help="Indent the JSON summary by N spaces.")


def _countries(values) -> tuple[str, ...]:
    return tuple(sorted({v.upper() for v in values})) or ("AF", "PK")


def _summary(name: str, store, version) -> dict:
    manifest = store.current() or {}
    committed = bool(getattr(version, "committed", False))
    return {
        "source": name,
        "version": manifest.get("version"),
        "new_version": committed,
        "added": len(version.added) if committed else 0,
        "changed": len(version.changed) if committed else 0,
        "deleted": len(version.deleted) if committed else 0,
        "rows": manifest.get("rows"),
        "files": [str(p) for p in store.current_files()],
        "store": str(store.dir),
        "notes": manifest.get("notes", []) if committed else [],
        "attribution": manifest.get("attribution"),
    }


def _run_fetch(ctx, name: str, unit: str, progress, indent, fetch_into) -> None:
    """One provider's fetch into its store, with the progress bar and the JSON summary;
    a library error is one line (the bar closed first)."""
    from ..sources.store import Store

    bar = _Progress(name, unit, _show_progress(progress))
    store = Store(name)
    try:
        summary = _summary(name, store, fetch_into(store, bar))
    except BorderMapError as err:
        bar.close()
        _fail(err)
    bar.close()
    _report(ctx, summary, indent)


def _report(ctx, summary: dict, indent) -> None:
    if not ctx.find_root().obj or not ctx.find_root().obj.get("quiet"):
        if summary["new_version"]:
            click.echo(f"border-map: {summary['source']}: version {summary['version']}: "
                       f"{summary['added']} added, {summary['changed']} changed, "
                       f"{summary['deleted']} deleted ({summary['rows']} rows)", err=True)
        elif summary["version"] is None:
            click.echo(f"border-map: {summary['source']}: nothing found", err=True)
        else:
            click.echo(f"border-map: {summary['source']}: no changes; version "
                       f"{summary['version']} stays current", err=True)
        for note in summary["notes"]:
            click.echo(f"border-map: {summary['source']}: {note}", err=True)
    click.echo(json.dumps(summary, indent=indent))


def _show_progress(flag) -> bool:
    return sys.stderr.isatty() if flag is None else flag


@click.group(context_settings=CONTEXT_SETTINGS)
def fetch():
    """Download ACLED, UCDP or GDELT events into the local store (uses the network).

    Each fetch is a version in $BORDER_MAP_HOME/sources/NAME/ (what it added, changed and
    deleted); `border-map build --source NAME` maps the current one. Credentials come from
    the environment only. Read each provider's terms of use first (README).

    \b
    Examples:
      ACLED_EMAIL=me@example.org ACLED_PASSWORD=... border-map fetch acled --since 2025-01-01
      UCDP_API_TOKEN=... border-map fetch ucdp --release 25.1
      border-map fetch gdelt --since 2026-03-01 --until 2026-03-02
      border-map fetch status
    """


@fetch.command(context_settings=CONTEXT_SETTINGS)
@since_opt
@until_opt
@country_opt
@click.option("--full", is_flag=True,
              help="Fetch the whole window again instead of the changes since the last fetch.")
@progress_opt
@indent_opt
@click.pass_context
def acled(ctx, since, until, countries, full, progress, indent):
    """ACLED events (default: since 1 January of last year), updated incrementally.

    Needs ACLED_ACCESS_TOKEN, or ACLED_EMAIL with ACLED_PASSWORD (OAuth), or ACLED_EMAIL
    with ACLED_API_KEY, in the environment. Later fetches ask only for events added or
    changed since the newest one held and apply ACLED's deletions.

    \b
    Example:
      border-map fetch acled --since 2025-01-01
    """
    from ..sources.acled import AcledFetcher

    _run_fetch(ctx, "acled", "events", progress, indent,
               lambda store, bar: AcledFetcher().fetch(
                   store, since=since, until=until, countries=_countries(countries), full=full,
                   progress=bar))


@fetch.command(context_settings=CONTEXT_SETTINGS)
@click.option("--dataset", type=click.Choice(["ged", "candidate"]), default="ged",
              show_default=True, help="The yearly GED release or a monthly Candidate release.")
@click.option("--release", default=None, metavar="VERSION",
              help="The UCDP version: GED 25.1 (default), Candidate e.g. 25.0.12.")
@since_opt
@until_opt
@country_opt
@progress_opt
@indent_opt
@click.pass_context
def ucdp(ctx, dataset, release, since, until, countries, progress, indent):
    """UCDP GED or Candidate events for Afghanistan and Pakistan.

    Needs UCDP_API_TOKEN in the environment. The fetched release replaces the previous
    one of the same dataset; the summary counts events added, changed and deleted.

    \b
    Example:
      border-map fetch ucdp --dataset candidate --release 25.0.12
    """
    from ..sources.ucdp import UcdpFetcher

    _run_fetch(ctx, "ucdp", "events", progress, indent,
               lambda store, bar: UcdpFetcher().fetch(
                   store, dataset=dataset, release=release, since=since, until=until,
                   countries=_countries(countries), progress=bar, total=bar.set_total))


@fetch.command(context_settings=CONTEXT_SETTINGS)
@click.option("--since", callback=_moment, metavar="YYYY-MM-DD[THH:MM]",
              help="Exports from this moment (UTC); without it, the newest export only.")
@click.option("--until", callback=_moment, metavar="YYYY-MM-DD[THH:MM]",
              help="Exports before this moment (UTC; default: now).")
@country_opt
@progress_opt
@indent_opt
@click.pass_context
def gdelt(ctx, since, until, countries, progress, indent):
    """GDELT 2.0 event exports (15-minute files), keeping Afghanistan/Pakistan rows.

    Each export's size and MD5 are checked; an interrupted download resumes on the next
    run. Exports fetched before are not fetched again.

    \b
    Example:
      border-map fetch gdelt --since 2026-03-01 --until 2026-03-02
    """
    from ..sources.gdelt import GdeltFetcher

    if until is not None and since is None:
        raise click.UsageError("--until needs --since")
    _run_fetch(ctx, "gdelt", "bytes", progress, indent,
               lambda store, bar: GdeltFetcher().fetch(
                   store, since=since, until=until, countries=_countries(countries), progress=bar,
                   total=bar.set_total))


@fetch.command(context_settings=CONTEXT_SETTINGS)
@click.argument("names", nargs=-1, type=click.Choice(["acled", "ucdp", "gdelt"]))
@indent_opt
def status(names, indent):
    """The store's versions (offline): per source, each version and what it changed.

    \b
    Example:
      border-map fetch status acled
    """
    from ..sources.store import Store

    out = {}
    try:
        for name in names or ("acled", "ucdp", "gdelt"):
            store = Store(name)
            versions = []
            for number in store.numbers():
                m = store.manifest(number)
                versions.append({k: m.get(k) for k in (
                    "version", "fetched_at", "rows", "added", "changed", "deleted")})
            out[name] = {"store": str(store.dir), "current": store.current_number(),
                         "versions": versions}
    except BorderMapError as err:
        _fail(err)
    click.echo(json.dumps(out, indent=indent))


# -- build --source ------------------------------------------------------------------------
def source_inputs(names) -> tuple[list, list[dict]]:
    """``build --source``: the current files of each named store, and what the build summary
    says of each (version, attribution, changes since the last build)."""
    from ..sources.store import changes_since_build, current_files

    paths, infos = [], []
    try:
        for name in names:
            paths.extend(str(p) for p in current_files(name))
            infos.append(changes_since_build(name))
    except BorderMapError as err:
        _fail(err)
    return paths, infos


def record_built(names, infos) -> None:
    """After a successful build: remember which version each source's build used."""
    from ..sources.store import mark_built

    for name, info in zip(names, infos, strict=True):
        mark_built(name, info["version"])
