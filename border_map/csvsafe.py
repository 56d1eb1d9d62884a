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

__all__ = ["TRIGGERS", "safe_cell", "safe_frame", "safe_row"]

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


def is_number_text(text: str) -> bool:
    """Whether ``text`` is a plain decimal number (kept as it is)."""
    return bool(_NUMBER.match(text)) and math.isfinite(float(text))
