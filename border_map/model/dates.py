"""Dates as the native format writes them: ISO 8601 days, months, weeks, years and
START/END spans (:func:`parse_date_span`), with the precision they have."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from ..errors import DataError
from .incident import DateSpan
from .vocabulary import MIN_YEAR, _check_year

# --------------------------------------------------------------------------- dates

_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{2})")
_ISO_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_ISO_YEAR = re.compile(r"(\d{4})")
_SLASHED_YMD = re.compile(r"(\d{3,4})[/.](\d{1,2})[/.](\d{1,2})")
_DAY_FIRST = re.compile(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}")
_LEADING_YEAR = re.compile(r"(\d{3,4})\b")
_DATE_FORMS = "YYYY-MM-DD, YYYY-MM, YYYY-Www, YYYY or START/END (ISO 8601)"



def _day(year: int, month: int, day: int, text: str) -> dt.date:
    _check_year(year)
    try:
        return dt.date(year, month, day)
    except ValueError as err:
        raise DataError(f"{text} is not a calendar date ({err})") from err


def _parse_single(text: str) -> tuple[dt.date, dt.date, str]:
    """One ISO 8601 date of any precision -> (first day, last day, precision)."""
    if m := _ISO_DAY.fullmatch(text):
        y, mo, d = (int(g) for g in m.groups())
        day = _day(y, mo, d, text)
        return day, day, "day"
    if m := _ISO_MONTH.fullmatch(text):
        y, mo = int(m[1]), int(m[2])
        first = _day(y, mo, 1, text)
        return first, first.replace(day=calendar.monthrange(y, mo)[1]), "month"
    if m := _ISO_WEEK.fullmatch(text):
        y, w = int(m[1]), int(m[2])
        _check_year(y)
        try:
            return dt.date.fromisocalendar(y, w, 1), dt.date.fromisocalendar(y, w, 7), "week"
        except ValueError as err:
            raise DataError(f"{text} is not an ISO week ({err})") from err
    if m := _ISO_YEAR.fullmatch(text):
        y = int(m[1])
        _check_year(y)
        return dt.date(y, 1, 1), dt.date(y, 12, 31), "year"
    if m := _SLASHED_YMD.fullmatch(text):
        y, mo, d = (int(g) for g in m.groups())
        _check_year(y)
        raise DataError(
            f"{text!r}: write dates as ISO 8601 YYYY-MM-DD (e.g. {y:04d}-{mo:02d}-{d:02d})"
        )
    if _DAY_FIRST.fullmatch(text):
        raise DataError(
            f"{text!r}: day/month order is ambiguous; write dates as ISO 8601 YYYY-MM-DD"
        )
    if (m := _LEADING_YEAR.match(text)) and int(m[1]) < MIN_YEAR:
        _check_year(int(m[1]))
    raise DataError(f"{text!r} is not a date; expected {_DATE_FORMS}")


def parse_date_span(text: str, *, as_written: str | None = None) -> DateSpan:
    """Parse an ISO 8601 date, reduced-precision date, week or ``START/END`` interval.

    ``2026-02-26`` (day), ``2026-02`` (month), ``2026-W09`` (ISO week), ``2026`` (year),
    ``2026-02-21/2026-02-22`` (range). Day-first forms, slashed dates and years before
    1900 (Solar Hijri such as ``1400/03/15``) are rejected with a message saying why.
    Raises :class:`DataError` (without a location).
    """
    text = text.strip()
    if "/" in text and not _SLASHED_YMD.fullmatch(text) and not _DAY_FIRST.fullmatch(text):
        parts = text.split("/")
        if len(parts) != 2 or not all(parts):
            raise DataError(f"{text!r} is not a date; expected {_DATE_FORMS}")
        first, last = _parse_single(parts[0].strip()), _parse_single(parts[1].strip())
        start, end = first[0], last[1]
        if end < start:
            raise DataError(f"{text!r}: the end is before the start")
        same = first == last
        precision = first[2] if same else ("day" if start == end else "range")
        return DateSpan(start, end, precision, as_written)
    start, end, precision = _parse_single(text)
    return DateSpan(start, end, precision, as_written)


def _parse_claim_day(text: str) -> dt.date:
    start, end, precision = _parse_single(text.strip())
    if precision != "day":
        raise DataError(f"{text!r}: a claim date is one day, YYYY-MM-DD")
    return start


def _parse_published(text: str) -> str:
    text = text.strip()
    if "T" in text or " " in text:
        try:
            stamp = dt.datetime.fromisoformat(text)
        except ValueError as err:
            raise DataError(f"{text!r} is not an ISO 8601 date or date-time") from err
        _check_year(stamp.year)
        return text
    _parse_single(text)
    return text
