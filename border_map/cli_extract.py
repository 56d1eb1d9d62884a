"""``border-map extract``: draft incidents from a news story (wiring only).

The library does the work (:func:`border_map.extract.extract`); this module reads the
file, parses the options, writes the YAML and prints the review table.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from .errors import BorderMapError, DataError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


def _parse_date(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as err:
        raise click.BadParameter(f"'{value}' is not a date YYYY-MM-DD") from err


def _read(article: str) -> tuple[str, str | None]:
    if article == "-":
        raw, name = sys.stdin.buffer.read(), None
    else:
        try:
            raw, name = Path(article).read_bytes(), article
        except OSError as err:
            raise click.FileError(article, hint=err.strerror or str(err)) from err
    try:
        return raw.decode("utf-8-sig"), name
    except UnicodeDecodeError as err:
        raise click.ClickException(
            f"{article}: not UTF-8 text (byte 0x{raw[err.start]:02x} at offset {err.start}); "
            "save the article as UTF-8") from err


@click.command("extract", context_settings=CONTEXT_SETTINGS)
@click.argument("article", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--date", "article_date", callback=_parse_date, default=None, metavar="YYYY-MM-DD",
              help="The article's date: 'on Thursday', 'last week' are resolved against it "
                   "(default: the date in the HTML/Markdown metadata).")
@click.option("--source", default=None, metavar="NAME", help="The outlet, written on every claim.")
@click.option("--url", default=None, metavar="URL", help="The article's address.")
@click.option("--format", "fmt", type=click.Choice(["auto", "text", "html", "markdown"]),
              default="auto", show_default=True,
              help="Markup of ARTICLE (auto: by suffix and content).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the draft YAML here (default: stdout, unless --review).")
@click.option("--review", is_flag=True,
              help="Print a compact table of the draft on stdout for a person to check.")
def extract(article, article_date, source, url, fmt, output, review):
    """Draft incidents from a news story (plain text, HTML or Markdown).

    Writes incidents in the native YAML format, each marked `draft: true` with the
    evidence (sentence and character span) of every field. Check them, then map them
    with `border-map build`. ARTICLE may be - for stdin.

    \b
    Example:
      border-map extract story.txt --date 2026-02-27 --source "Example wire" -o draft.yaml
      border-map extract story.html --review
    """
    from .extract import extract as run_extract
    from .extract.review import review_table

    text, name = _read(article)
    try:
        draft = run_extract(text, date=article_date, source=source, url=url, name=name,
                            fmt=None if fmt == "auto" else fmt)
    except DataError as err:
        if err.field == "date":
            raise click.UsageError(f"{err.message}: pass --date YYYY-MM-DD") from err
        raise click.ClickException(str(err)) from err
    except BorderMapError as err:
        raise click.ClickException(str(err)) from err
    yaml_text = draft.to_yaml(name=Path(name).name if name else "stdin")
    if output:
        from ._atomic import write_text

        write_text(output, yaml_text)
        click.echo(f"border-map: wrote {len(draft.incidents)} draft incident(s) to {output}",
                   err=True)
    elif not review:
        click.echo(yaml_text, nl=False)
    if review:
        click.echo(review_table(draft), nl=False)
        if not output:
            click.echo("border-map: review only; give -o FILE to write the draft", err=True)
    if not draft.incidents:
        click.echo("border-map: no incident found in the article", err=True)
