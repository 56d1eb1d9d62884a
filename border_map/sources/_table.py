"""CSV in and out for the store: rows are dicts of strings, keyed by an id column."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

__all__ = ["cell", "ordered_columns", "read_rows", "rows_csv"]


def cell(value) -> str:
    """A JSON value as the CSV exports write it: null -> "", true -> "TRUE"."""
    if value is None:
        return ""
    if value is True:
        return "TRUE"
    if value is False:
        return "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)
    return str(value)


def ordered_columns(rows: Iterable[Mapping[str, str]], preferred: Sequence[str]) -> list[str]:
    """The codebook's columns first (those present), then any others in order of appearance."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    first = [c for c in preferred if c in seen]
    return first + [c for c in seen if c not in set(first)]


def rows_csv(rows: Iterable[Mapping[str, str]], columns: Sequence[str]) -> str:
    """The rows as CSV text (comma, minimal quoting, LF), missing cells empty."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n",
                            extrasaction="ignore", restval="")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def read_rows(path: Path, key: str) -> dict[str, dict[str, str]]:
    """The rows of a CSV the store wrote, by ``key``, in file order."""
    with open(path, encoding="utf-8", newline="") as f:
        return {row[key]: row for row in csv.DictReader(f)}
