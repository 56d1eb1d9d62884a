"""``border-map extract``: draft incidents from a news story (wiring only).

The library does the work (:func:`border_map.extract.extract`); this module reads the
file, parses the options, writes the YAML and prints the review table.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ..errors import BorderMapError, DataError
from .errors import fail as _fail

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


def _parse_date(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as err:
        raise click.BadParameter(f"'{value}' is not a date YYYY-MM-DD") from err


def _read(article: str) -> tuple[str, str | None]:
    from ..extract.batch import decode_report

    if article == "-":
        raw, name = sys.stdin.buffer.read(), None
    else:
        try:
            raw, name = Path(article).read_bytes(), article
        except OSError as err:
            raise click.FileError(article, hint=err.strerror or str(err)) from err
    try:
        return decode_report(raw, article), name
    except DataError as err:
        _fail(err)


#: Files a folder given as ARTICLE stands for.
REPORT_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm")


def _articles(paths: tuple[str, ...]) -> list[str]:
    """The files of ARTICLE...: a folder stands for its report files (sorted, not recursive)."""
    files: list[str] = []
    for path in paths:
        if path != "-" and Path(path).is_dir():
            found = sorted(str(p) for p in Path(path).iterdir()
                           if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES
                           and not p.name.startswith("."))
            if not found:
                raise click.BadParameter(
                    f"'{path}' holds no report ({', '.join(REPORT_SUFFIXES)})",
                    param_hint="ARTICLE")
            files += found
        else:
            files.append(path)
    return files


@click.command("extract", context_settings=CONTEXT_SETTINGS)
@click.argument("articles", metavar="ARTICLE...", nargs=-1, required=True,
                type=click.Path(exists=True, allow_dash=True))
@click.option("--date", "article_date", callback=_parse_date, default=None, metavar="YYYY-MM-DD",
              help="The article's date: 'on Thursday', 'last week' are resolved against it "
                   "(default: the date in the HTML/Markdown metadata).")
@click.option("--source", default=None, metavar="NAME", help="The outlet, written on every claim.")
@click.option("--url", default=None, metavar="URL",
              help="The article's address (one article only).")
@click.option("--format", "fmt", type=click.Choice(["auto", "text", "html", "markdown"]),
              default="auto", show_default=True,
              help="Markup of ARTICLE (auto: by suffix and content).")
@click.option("-o", "--output", type=click.Path(), default=None,
              help="Write the draft YAML here (default: stdout, unless --review); a folder: "
                   "one NAME.yaml per article in it.")
@click.option("--review", is_flag=True,
              help="Print a compact table of the draft on stdout for a person to check.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Worker processes for several articles (default: every CPU).")
def extract(articles, article_date, source, url, fmt, output, review, jobs):
    """Draft incidents from news stories (plain text, HTML or Markdown).

    Writes incidents in the native YAML format, each marked `draft: true` with the
    evidence (sentence and character span) of every field. Check them, then map them
    with `border-map build`. ARTICLE may be - for stdin. Several articles, or a folder
    of them, are drafted on worker processes into -o DIR, one NAME.yaml per article;
    an article that cannot be read is one line on stderr (exit 1 at the end) and does
    not stop the others.

    \b
    Example:
      border-map extract story.txt --date 2026-02-27 --source "Example wire" -o draft.yaml
      border-map extract story.html --review
      border-map extract stories/ --date 2026-02-27 -o drafts/
    """
    files = _articles(articles)
    fmt = None if fmt == "auto" else fmt
    if len(files) == 1 and not Path(articles[0]).is_dir():
        _one(files[0], article_date, source, url, fmt, output, review)
    else:
        _many(files, article_date, source, url, fmt, output, review, jobs)


def _one(article, article_date, source, url, fmt, output, review):
    from ..extract import extract as run_extract
    from ..extract.review import review_table

    text, name = _read(article)
    try:
        draft = run_extract(text, date=article_date, source=source, url=url, name=name, fmt=fmt)
    except DataError as err:
        if err.field == "date":
            raise click.UsageError(f"{err.message}: pass --date YYYY-MM-DD") from err
        _fail(err)
    except BorderMapError as err:
        _fail(err)
    yaml_text = draft.to_yaml(name=Path(name).name if name else "stdin")
    if output:
        from .._atomic import write_text

        if Path(output).is_dir():  # (as for several articles: NAME.yaml in it)
            if name is None:
                raise click.BadParameter(f"'{output}' is a folder: give a file for stdin",
                                         param_hint="'-o'")
            output = str(Path(output) / (Path(name).stem + ".yaml"))
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


def _many(files, article_date, source, url, fmt, output, review, jobs):
    """Several articles: one draft each in the folder ``output``, made on worker processes."""
    from .._atomic import write_text
    from ..extract.batch import Report, default_jobs, extract_many

    if "-" in files:
        raise click.BadParameter("- (stdin) is one article: not with others", param_hint="ARTICLE")
    if url:
        raise click.BadParameter("--url names one article: not with several", param_hint="'--url'")
    if output is None and not review:
        raise click.UsageError("several articles: give -o DIR (one draft each) or --review")
    targets: list[str | None] = [None] * len(files)  # the draft file of each article
    if output is not None:
        if Path(output).exists() and not Path(output).is_dir():
            raise click.BadParameter(f"'{output}' is a file: give a folder for several "
                                     "articles", param_hint="'-o'")
        targets = [str(Path(output) / (Path(file).stem + ".yaml")) for file in files]
        first: dict[str, str] = {}
        for file, target in zip(files, targets, strict=True):
            if target in first:
                raise click.UsageError(f"{first[target]} and {file} would both be drafted "
                                       f"to {target}: rename one")
            first[target] = file
    reports = (Report.from_file(f, date=article_date, source=source, fmt=fmt) for f in files)
    jobs = jobs or default_jobs()
    chunk = max(1, min(16, len(files) // (4 * jobs)))  # (a few files: spread one by one)
    written = failed = incidents = 0
    for result, target in zip(extract_many(reports, jobs=jobs, yaml=output is not None,
                                           review=review, chunk_size=chunk),
                              targets, strict=True):
        name = result.report.label
        if result.error:
            failed += 1
            click.echo(f"border-map: {result.error}", err=True)
            continue
        if target is not None:
            write_text(target, result.yaml)
            written += 1
        incidents += len(result.incidents)
        if review:
            click.echo(f"== {name}")
            click.echo(result.review, nl=False)
        if not result.incidents:
            click.echo(f"border-map: {name}: no incident found in the article", err=True)
    where = f" to {output}" if output is not None else ""
    click.echo(f"border-map: {len(files) - failed} of {len(files)} article(s) drafted, "
               f"{incidents} draft incident(s)" + (f", {written} file(s) written{where}"
                                                   if output is not None else ""), err=True)
    if failed:
        sys.exit(1)
