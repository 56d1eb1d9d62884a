"""What every reader shares: problem collection, delimited-text parsing, numbers, the region.

Tabular sources are parsed by pandas' C parser with every cell kept as text; columns are
then converted as whole arrays (numbers, precision codes, country filters) so that the
per-row Python work is only building the :class:`~border_map.incidents.Incident` objects.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError
from ..model.region import outside, region_message  # noqa: F401 - re-exported
from .chunks import line_offset

#: Region countries as names (ACLED, UCDP), ISO alpha-2 and FIPS 10-4 (GDELT) codes.
COUNTRY_NAMES = {"afghanistan": "AF", "pakistan": "PK"}
#: A count above this in one incident is a data error (a typo, an overflowed cell), not news.
MAX_COUNT = 1_000_000
SEPARATORS = (",", ";", "\t", "|")


class Problems:
    """Collects per-record errors; in strict mode the first one is raised instead."""

    def __init__(self, strict: bool = False):
        self.strict = strict
        self.items: list[DataError] = []
        #: records left out on purpose (other countries, non-violent GDELT events)
        self.ignored = 0
        #: the same, by reason, where the reader tells; the rest are "other_country"
        self.ignored_by: Counter = Counter()
        #: the day/month order the block's own dates told (carried to the file's next blocks)
        self.date_order: str | None = None

    def ignored_reasons(self) -> dict[str, int]:
        out = {k: v for k, v in self.ignored_by.items() if v}
        rest = self.ignored - sum(out.values())
        if rest:
            out["other_country"] = out.get("other_country", 0) + rest
        return out

    def add(self, err: DataError) -> None:
        if self.strict:
            raise err
        self.items.append(err)

    def at(self, location: str, field: str | None, message: str) -> None:
        self.add(DataError(message, location=location, field=field))


# --------------------------------------------------------------------------- the region


def coordinate_field(lon: float, lat: float, message: str, lon_col: str, lat_col: str) -> str:
    """The column(s) to blame for a region message: latitude for a swap or a bad latitude."""
    if "swapped" in message or not -90 <= lat <= 90:
        return lat_col
    if not -180 <= lon <= 180:
        return lon_col
    return f"{lon_col}/{lat_col}"


# --------------------------------------------------------------------------- tables


class RowErrors:
    """The first problem found in each row: a bad row is reported once, on one line."""

    def __init__(self, n: int):
        self._errors: list[tuple[str, str] | None] = [None] * n

    def flag(self, i: int, field: str, message: str) -> None:
        if self._errors[i] is None:
            self._errors[i] = (field, message)

    def __getitem__(self, i: int) -> tuple[str, str] | None:
        return self._errors[i]


@dataclass
class Table:
    """Cells as text (``df``), header names folded to lower case, and each row's line."""

    df: pd.DataFrame
    lines: np.ndarray  # 1-based line where each record starts
    name: str

    def where(self, i: int) -> str:
        return f"{self.name}:{int(self.lines[i])}"

    def col(self, name: str) -> pd.Series | None:
        return self.df[name] if name in self.df.columns else None


def sniff_separator(first_line: str) -> str:
    """The most frequent of , ; TAB | in the header line, outside quotes."""
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {sep: unquoted.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda s: counts[s])
    return best if counts[best] else ","


def _record_lines(text: str, sep: str, header: bool, quoting: int, n: int) -> np.ndarray:
    """The line each data record starts on, as pandas counts records (blank lines skipped)."""
    lines = text.split("\n")
    starts = [i + 1 for i, line in enumerate(lines) if line.strip("\r")]
    if quoting != csv.QUOTE_NONE and len(starts) != n + header:
        # a quoted value spans lines: let the csv module say where each record starts
        starts = []
        reader = csv.reader(io.StringIO(text), delimiter=sep)
        previous = 0
        for row in reader:
            if row:
                starts.append(previous + 1)
            previous = reader.line_num
    if header:
        starts = starts[1:]
    if len(starts) < n:  # cannot happen with consistent parsers; never index out of range
        starts += [starts[-1] if starts else 1] * (n - len(starts))
    return np.asarray(starts[:n], dtype=np.int64)


_TOKENIZE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def read_delimited(text: str, name: str, *, sep: str | None = None, header: bool = True,
                   names: Sequence[str] | None = None, quoting: int = csv.QUOTE_MINIMAL,
                   columns: Collection[str] | None = None) -> Table:
    """Parse delimited text into a :class:`Table` of strings (no type guessing, no NA).

    ``columns``: keep only these (lower-case) columns; the others are tokenised but never
    turned into strings, which is most of the cost of a wide export. Raises
    :class:`DataError` for an empty file, duplicate header names and ragged rows.
    """
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise DataError("empty file: no incidents", location=name)
    first_line = text.split("\n", 1)[0].rstrip("\r")
    if sep is None:
        sep = sniff_separator(first_line)
    if header:
        head = next(csv.reader([first_line], delimiter=sep))
        folded = [h.strip().lower() for h in head]
        seen: dict[str, int] = {}
        for position, h in enumerate(folded, start=1):
            if not h:
                raise DataError(f"column {position} has no name", location=f"{name}:1")
            if h in seen:
                raise DataError(
                    f"duplicate column {h!r} (columns {seen[h]} and {position})",
                    location=f"{name}:1",
                )
            seen[h] = position
        names = folded
        if _trailing_separator(text, sep, len(folded)):
            # every row ends with a separator (one field more than the header names): name
            # the empty last field so the columns stay in place
            names = [*folded, "\x00trailing"]
    df = None
    if header and quoting == csv.QUOTE_MINIMAL:
        df = _read_arrow(text, sep, list(names), columns)
    try:
        if df is None:
            df = pd.read_csv(
                io.StringIO(text), sep=sep, header=0 if header else None,
                names=list(names) if names is not None else None, dtype=str,
                usecols=(lambda c: c in columns) if columns is not None else None,
                keep_default_na=False, na_filter=False, quoting=quoting, engine="c",
                skip_blank_lines=True, index_col=False,
            )
    except pd.errors.EmptyDataError as err:
        raise DataError("empty file: no incidents", location=name) from err
    except IndexError as err:  # pandas on rows longer than the header with usecols
        raise DataError("rows have more fields than the header names (trailing separators?)",
                        location=f"{name}:2") from err
    except pd.errors.ParserError as err:
        m = _TOKENIZE.search(str(err))
        if m:
            raise DataError(
                f"expected {m[1]} fields, found {m[3]} (a separator {sep!r} inside an unquoted "
                "value, or a missing one?)",
                location=f"{name}:{int(m[2]) + line_offset()}",
            ) from err
        raise DataError(f"cannot parse as delimited text: {err}".replace("\n", " "),
                        location=name) from err
    lines = _record_lines(text, sep, header, quoting, len(df)) + line_offset()
    if header and len(df) and _is_hxl(df.iloc[0]):
        # the Humanitarian Data Exchange's HXL row (#date+year, #geo+lat, ...) under the
        # header: a second header, not a record
        df = df.iloc[1:].reset_index(drop=True)
        lines = lines[1:]
    return Table(df, lines, name)


def _read_arrow(text: str, sep: str, names: list[str], columns) -> pd.DataFrame | None:
    """The cells of a headed, quoted table read by pyarrow's CSV reader (several times
    faster than pandas' on wide exports), or None to let pandas read it -- and name what is
    wrong -- when pyarrow cannot (ragged rows, odd quoting)."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    keep = [n for n in names if columns is None or n in columns]
    if not keep:
        return None
    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1,
                                           block_size=1 << 22),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True,
                                             ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(
                include_columns=keep, column_types={n: pa.string() for n in keep},
                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError, UnicodeEncodeError):
        return None
    return table.to_pandas()


def _is_hxl(row) -> bool:
    cells = [c.strip() for c in row.tolist() if isinstance(c, str) and c.strip()]
    return bool(cells) and all(c.startswith("#") for c in cells)


def _trailing_separator(text: str, sep: str, n_names: int) -> bool:
    """Whether the first records have one field more than the header, the last one empty."""
    reader = csv.reader(io.StringIO(text[:1_000_000]), delimiter=sep)
    next(reader, None)
    seen = 0
    for row in reader:
        if not row:
            continue
        if len(row) != n_names + 1 or row[-1].strip():
            return False
        seen += 1
        if seen >= 3:
            break
    return seen > 0


def require_columns(table: Table, required: Sequence[str], what: str) -> None:
    missing = [c for c in required if c not in table.df.columns]
    if missing:
        raise DataError(
            f"not a complete {what} file: missing column(s) {', '.join(missing)}",
            location=f"{table.name}:1", field=missing[0],
        )


# --------------------------------------------------------------------------- numbers


_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")


def numbers(series: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(values, empty, bad)`` for a column of decimal text.

    A decimal comma (``34,5``) is accepted; ``values`` is NaN where the cell is empty or bad.
    ``bad`` marks text that is not a finite decimal number (``nan``, ``inf``, ``1e999``, words).
    """
    s = series.str.strip()
    empty = (s == "").to_numpy()
    comma = s.str.fullmatch(_DECIMAL_COMMA.pattern)
    if comma.any():
        s = s.where(~comma, s.str.replace(",", ".", regex=False))
    values = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = ~empty & ~np.isfinite(values)
    values = np.where(bad, np.nan, values)
    return values, empty, bad


def number_message(text: str) -> str:
    text = text.strip()
    if text.lower().lstrip("+-") in ("nan", "inf", "infinity") or _is_overflow(text):
        return f"must be a finite number (got {text})"
    return f"expected a decimal number, got {text!r}"


def _is_overflow(text: str) -> bool:
    try:
        return not math.isfinite(float(text.replace(",", ".")))
    except ValueError:
        return False


def counts(series: pd.Series) -> tuple[np.ndarray, np.ndarray, list[str | None]]:
    """``(values, empty, messages)`` for a column of whole numbers >= 0 (counts of people).

    ``messages[i]`` says why cell i is unusable, or is None. ``values`` is -1 where unusable.
    """
    s = series.str.strip()
    empty = (s == "").to_numpy()
    digits = s.str.fullmatch(r"\+?\d+").to_numpy()
    values = np.full(len(s), -1, dtype=np.int64)
    messages: list[str | None] = [None] * len(s)
    texts = s.to_numpy()
    for i in np.flatnonzero(~empty):
        text = texts[i]
        if digits[i]:
            value = int(text)
            if value > MAX_COUNT:
                messages[i] = f"{value} is implausible for one incident (more than {MAX_COUNT:,})"
            else:
                values[i] = value
            continue
        if re.fullmatch(r"[+-]?\d+(?:[.,]0+)?", text):  # 12.0 from a spreadsheet
            value = int(re.split(r"[.,]", text)[0])
            if value < 0:
                messages[i] = f"must not be negative (got {value})"
            elif value > MAX_COUNT:
                messages[i] = f"{value} is implausible for one incident (more than {MAX_COUNT:,})"
            else:
                values[i] = value
        else:
            messages[i] = f"expected a whole number >= 0, got {text!r}"
    return values, empty, messages


def codes(series: pd.Series, allowed: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """``(values, ok)`` for a column of small integer codes (precision levels)."""
    s = series.str.strip()
    values = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    ok = np.isin(values, np.asarray(allowed, dtype=float))
    return np.where(ok, values, 0).astype(np.int64), ok


def text_or_none(values) -> list[str | None]:
    """Stripped text per cell, None for empty cells."""
    return [v.strip() or None for v in values]


def coordinates(lon_text: pd.Series, lat_text: pd.Series, lon_col: str, lat_col: str,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, tuple[str, str]]]:
    """``(lon, lat, missing, errors)`` for two coordinate columns.

    ``missing`` marks rows with both cells empty (the caller decides if that is allowed);
    ``errors`` maps a row to ``(column, message)``: one cell empty, not a finite number,
    or a point outside the region (swaps named).
    """
    lon, lon_empty, lon_bad = numbers(lon_text)
    lat, lat_empty, lat_bad = numbers(lat_text)
    missing = lon_empty & lat_empty
    errors: dict[int, tuple[str, str]] = {}
    lon_cells, lat_cells = lon_text.to_numpy(), lat_text.to_numpy()
    for i in np.flatnonzero((lon_bad | lat_bad | lon_empty | lat_empty) & ~missing):
        if lon_bad[i] or lon_empty[i]:
            col, cell = lon_col, lon_cells[i]
        else:
            col, cell = lat_col, lat_cells[i]
        errors[int(i)] = (col, number_message(cell) if cell.strip() else
                          "missing: give both longitude and latitude, or neither")
    ok = ~(lon_bad | lat_bad | lon_empty | lat_empty)
    for i in np.flatnonzero(ok & outside(lon, lat)):
        message = region_message(float(lon[i]), float(lat[i]))
        errors[int(i)] = (coordinate_field(lon[i], lat[i], message, lon_col, lat_col), message)
    return lon, lat, missing, errors
