"""CSV cells that a spreadsheet cannot run (CSV/formula injection, OWASP's rule).

Excel, LibreOffice and Google Sheets run a cell that starts with ``=``, ``+``, ``-`` or
``@`` as a formula (``=HYPERLINK("http://...","click")``, ``=cmd|' /C calc'!A0``), and
a leading TAB or CR can hide such a cell. Every CSV border-map writes passes its text
cells through :func:`safe_cell`: such a cell gets a leading ``'``, which spreadsheets
show as text and do not keep. Numbers stay numbers: a cell that is a plain number
(``-12.5``, ``+3``, ``1e-3``) is left alone, so coordinates and counts still sort.

The raw text is one flag away (``--raw-csv``) for tools that read the CSV as data.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import pandas as pd

__all__ = ["TRIGGERS", "csv_line", "csv_text", "safe_cell", "safe_frame", "safe_row"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def safe_cell(value):
    """``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula.

    Non-text values (numbers, None, booleans) are returned unchanged, and so is text that
    is a plain decimal number.
    """
    if not isinstance(value, str) or not value or not value.startswith(TRIGGERS):
        return value
    if _NUMBER.match(value):
        return value
    return "'" + value


def safe_row(row: dict, fields: Iterable[str] | None = None) -> dict:
    """A row (mapping) with every text cell made safe."""
    keys = row.keys() if fields is None else fields
    return {k: safe_cell(row.get(k)) for k in keys}


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are made safe (numeric columns untouched)."""
    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            out[name] = col.map(lambda v: safe_cell(v) if isinstance(v, str) else v)
    return out


def _field(value) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    # Python's csv module leaves a lone CR unquoted when the line ends in LF, which splits
    # the row for every reader: quote any cell holding CR or LF (and , and ").
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(values: Iterable, raw: bool = False) -> str:
    """One CSV line (ending in LF) of ``values``, text cells made safe unless ``raw``."""
    cell = (lambda v: v) if raw else safe_cell
    return ",".join(_field(cell(v)) for v in values) + "\n"


def csv_text(rows: Iterable[dict], fields: Iterable[str], raw: bool = False) -> str:
    """A header line and one line per row (mapping); missing keys and None are empty."""
    fields = list(fields)
    lines = [csv_line(fields, raw=True)]
    lines.extend(csv_line((row.get(k) for k in fields), raw) for row in rows)
    return "".join(lines)


def is_number_text(text: str) -> bool:
    """Whether ``text`` is a plain decimal number (kept as it is)."""
    return bool(_NUMBER.match(text)) and math.isfinite(float(text))
