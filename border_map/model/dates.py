"""Every date the tool reads, in one module.

* Dates as the native format writes them: ISO 8601 days, months, weeks, years and START/END
  spans (:func:`parse_date_span`), with the precision they have.
* Dates as sources write them (:class:`DateParser`, used by every reader):
  Dates as sources write them, to :class:`~border_map.incidents.DateSpan`.

  Accepted, whatever the ``date_order``:

  - ISO 8601 as in native files (``2025-05-16``, ``2025-05``, ``2025-W20``, ``2025``,
    ``START/END``), and ISO date-times (``2021-06-05 00:00:00.000``, UCDP), read as their day;
  - ``16 May 2025``, ``16-May-2025``, ``May 16, 2025``, ``May 2025`` (English month names);
  - ``20250516`` (GDELT's ``SQLDATE``) and ``2021/06/05`` (year first);
  - Solar Hijri (the Afghan civil calendar) when marked -- ``1404/03/15 SH``,
    ``۱۴۰۴/۰۳/۱۵ هـ ش``, ``15 Jawza 1404`` (Dari, Pashto or Iranian month names) -- or when
    the caller says every date is (``calendar="solar-hijri"``). Converted with ``jdatetime``.

  ``05/06/2021`` needs ``date_order`` ("day-first" or "month-first"): it is never guessed, and
  ISO dates stay ISO whatever the order (dateutil's ``dayfirst`` turns ``2021-06-05`` into
  6 May). An unmarked year between 1300 and 1899 is refused with a hint, never read as
  Gregorian (``1400/03/15`` is 5 June 2021, not the year 1400).
* Month names and month spans, shared with the drafting rules (:mod:`border_map.extract.dates`,
  which finds dates in prose relative to the article's).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from ..errors import DataError
from .incident import DateSpan
from .vocabulary import MIN_YEAR, _check_year

__all__ = ["CALENDARS", "DATE_ORDERS", "MONTHS", "DateParser", "month_span", "parse_date_span",
           "solar_hijri_to_gregorian"]

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


# --------------------------------------------------------------------------- sources' dates

DATE_ORDERS: tuple[str, ...] = ("day-first", "month-first")
CALENDARS: tuple[str, ...] = ("gregorian", "solar-hijri")

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
#: English month names and abbreviations -> month number
MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
# Solar Hijri months: Dari (Afghanistan), Pashto, Iranian Persian; common romanisations.
_SOLAR_MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("hamal", "wray", "farvardin", "farwardin"),
            ("sawr", "saur", "sowr", "sur", "ghwayay", "ordibehesht", "ordibehesht"),
            ("jawza", "jauza", "jowza", "gbargolay", "khordad"),
            ("saratan", "chungash", "tir"),
            ("asad", "zmaray", "mordad", "amordad"),
            ("sunbula", "sonbola", "sunbulah", "wagay", "shahrivar", "shahrewar"),
            ("mizan", "tala", "mehr"),
            ("aqrab", "laram", "aban"),
            ("qaws", "qaus", "lindey", "azar"),
            ("jadi", "jaddi", "marghumay", "dey", "dei"),
            ("dalw", "dalv", "salwagay", "bahman"),
            ("hut", "hoot", "kab", "esfand", "isfand"),
        ),
        start=1,
    )
    for name in names
}
# "SH", "S.H.", "HS", "هـ ش", "ه.ش", "هجری شمسی" at the end of a date
_SH_SUFFIX = re.compile(
    r"\s*(?:\b(?:S\.?\s?H|H\.?\s?S)\.?|ه\u0640?\s*\.?\s*ش\.?|هجری\s*شمسی|هجرى\s*شمسى)\s*$",
    re.IGNORECASE,
)
_ISO_DATETIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
_ISO_LIKE = re.compile(r"\d{4}(?:-(?:W?\d{2})(?:-\d{2})?)?(?:/\d{4}(?:-(?:W?\d{2})(?:-\d{2})?)?)?")
_NUMERIC = re.compile(r"(\d{1,4})([/.\-])(\d{1,2})\2(\d{1,4})")
_YEAR_MONTH = re.compile(r"(\d{4})[/.\-](\d{1,2})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_NAMED_DMY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s\-]+([^\W\d_]+)\.?,?[\s\-]+(\d{1,4})")
_NAMED_MDY = re.compile(r"([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_NAMED_MY = re.compile(r"([^\W\d_]+)\.?,?\s+(\d{4})")
_FORMS = ("ISO 8601 (2025-05-16), '16 May 2025', '20250516', '05/06/2021' with a date order, "
          "or a Solar Hijri date marked SH ('1404/03/15 SH')")
SH_HINT_YEARS = range(1300, 1900)


def solar_hijri_to_gregorian(year: int, month: int, day: int) -> dt.date:
    """The Gregorian date of a Solar Hijri day (the calendar used in Afghanistan and Iran)."""
    import jdatetime  # optional until a Solar Hijri date is met

    try:
        return jdatetime.date(year, month, day).togregorian()
    except ValueError as err:
        raise DataError(
            f"{year:04d}/{month:02d}/{day:02d} is not a Solar Hijri calendar date ({err})"
        ) from err


def _solar_month_span(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = solar_hijri_to_gregorian(year, month, 1)
    if month < 12:
        following = solar_hijri_to_gregorian(year, month + 1, 1)
    else:
        following = solar_hijri_to_gregorian(year + 1, 1, 1)
    return first, following - dt.timedelta(days=1)


def _sh_hint(year: int, text: str) -> DataError:
    return DataError(
        f"{text!r}: year {year} is not a Gregorian year of a reported incident; if it is Solar "
        f"Hijri (the Afghan calendar) pass --calendar solar-hijri or write it as "
        f"'{year}/MM/DD SH'; convert lunar Hijri dates to Gregorian first"
    )


def _gregorian_day(year: int, month: int, day: int, text: str) -> dt.date:
    if year in SH_HINT_YEARS:
        raise _sh_hint(year, text)
    try:
        return dt.date(year, month, day)
    except ValueError as err:
        raise DataError(f"{text!r} is not a calendar date ({err})") from err


class DateParser:
    """Parse many date strings with one ``date_order`` and ``calendar``, caching by text.

    Sources repeat dates (100,000 ACLED rows hold a few thousand distinct dates), so each
    distinct string is parsed once. Errors are :class:`DataError` without a location.
    """

    def __init__(self, *, date_order: str | None = None, calendar: str | None = None):
        if date_order is not None and date_order not in DATE_ORDERS:
            raise ValueError(f"date_order must be one of {DATE_ORDERS}, not {date_order!r}")
        calendar = calendar or "gregorian"
        if calendar not in CALENDARS:
            raise ValueError(f"calendar must be one of {CALENDARS}, not {calendar!r}")
        self.date_order = date_order
        self.calendar = calendar
        self._cache: dict[str, DateSpan | DataError] = {}

    def span(self, text: str) -> DateSpan:
        """The :class:`DateSpan` of ``text``; raises :class:`DataError`."""
        found = self._cache.get(text)
        if found is None:
            try:
                found = self._parse(text)
            except DataError as err:
                found = err
            self._cache[text] = found
        if isinstance(found, DataError):
            raise DataError(found.message)
        return found

    def day(self, text: str) -> dt.date:
        """One day; a month or a range is an error."""
        span = self.span(text)
        if span.start != span.end:
            raise DataError(f"{text!r}: expected one day, got {span.iso()}")
        return span.start

    # -- parsing --------------------------------------------------------------------------
    def _parse(self, text: str) -> DateSpan:
        if not isinstance(text, str) or not text.strip():
            raise DataError("no date given")
        t = " ".join(text.strip().translate(_DIGITS).split())
        marked = _SH_SUFFIX.search(t)
        if marked:
            t = t[: marked.start()].strip()
        if marked or self.calendar == "solar-hijri" or self._has_solar_month(t):
            return self._solar(t, text.strip())
        return self._gregorian(t, text.strip())

    @staticmethod
    def _has_solar_month(t: str) -> bool:
        words = re.findall(r"[^\W\d_]+", t.casefold())
        return any(w in _SOLAR_MONTHS and w not in MONTHS for w in words)

    def _gregorian(self, t: str, text: str) -> DateSpan:
        if m := _ISO_DATETIME.fullmatch(t):
            t = m[1]
        if _ISO_LIKE.fullmatch(t):
            year = int(t[:4])
            if year in SH_HINT_YEARS:
                raise _sh_hint(year, text)
            return parse_date_span(t)
        if m := _COMPACT.fullmatch(t):
            day = _gregorian_day(int(m[1]), int(m[2]), int(m[3]), text)
            return DateSpan(day, day, "day")
        if m := _NUMERIC.fullmatch(t):
            return self._numeric(m, text)
        if m := _YEAR_MONTH.fullmatch(t):
            year, month = int(m[1]), int(m[2])
            first = _gregorian_day(year, month, 1, text)
            last = first.replace(day=calendar.monthrange(year, month)[1])
            return DateSpan(first, last, "month", text)
        if m := _NAMED_DMY.fullmatch(t):
            return self._named(int(m[1]), m[2], m[3], text)
        if m := _NAMED_MDY.fullmatch(t):
            return self._named(int(m[2]), m[1], m[3], text)
        if m := _NAMED_MY.fullmatch(t):
            month = MONTHS.get(m[1].casefold())
            if month is not None:
                year = int(m[2])
                first = _gregorian_day(year, month, 1, text)
                last = first.replace(day=calendar.monthrange(year, month)[1])
                return DateSpan(first, last, "month", text)
        raise DataError(f"{text!r} is not a date; expected {_FORMS}")

    def _named(self, day: int, month_name: str, year_text: str, text: str) -> DateSpan:
        month = MONTHS.get(month_name.casefold())
        if month is None:
            raise DataError(f"{text!r}: unknown month name {month_name!r}")
        if len(year_text) != 4:
            raise DataError(f"{text!r}: write the year with four digits")
        found = _gregorian_day(int(year_text), month, day, text)
        return DateSpan(found, found, "day", text)

    def _numeric(self, m: re.Match, text: str) -> DateSpan:
        a, b, c = m[1], m[3], m[4]
        if len(a) == 4:  # year first: Y/M/D is read the same way everywhere
            found = _gregorian_day(int(a), int(b), int(c), text)
            return DateSpan(found, found, "day", text)
        if len(c) != 4:
            raise DataError(f"{text!r}: write the year with four digits")
        if int(c) in SH_HINT_YEARS:
            raise _sh_hint(int(c), text)
        day, month = self._order(int(a), int(b), text)
        found = _gregorian_day(int(c), month, day, text)
        return DateSpan(found, found, "day", text)

    def _order(self, a: int, b: int, text: str) -> tuple[int, int]:
        """(day, month) of ``a/b/year`` under ``date_order``."""
        if self.date_order == "day-first":
            return a, b
        if self.date_order == "month-first":
            return b, a
        if a > 12 >= b:
            only = " (only day-first fits this one)"
        elif b > 12 >= a:
            only = " (only month-first fits this one)"
        else:
            only = ""
        raise DataError(
            f"{text!r}: day and month order is ambiguous{only}; pass --date-order day-first "
            "or --date-order month-first"
        )

    def _solar(self, t: str, text: str) -> DateSpan:
        """A Solar Hijri date (marked, named, or by the caller's ``calendar``)."""
        if m := re.fullmatch(r"(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})", t):
            y, mo, d = int(m[1]), int(m[2]), int(m[3])
        elif m := _NUMERIC.fullmatch(t):
            if len(m[4]) != 4:
                raise DataError(f"{text!r}: write the year with four digits")
            d, mo = self._order(int(m[1]), int(m[3]), text)
            y = int(m[4])
        elif m := re.fullmatch(r"(\d{1,2})\s+([^\W\d_]+)\.?,?\s+(\d{4})", t):
            d, y = int(m[1]), int(m[3])
            mo = _SOLAR_MONTHS.get(m[2].casefold())
            if mo is None:
                raise DataError(f"{text!r}: unknown Solar Hijri month {m[2]!r}")
        elif m := re.fullmatch(r"(\d{4})[/.\-](\d{1,2})", t):
            y, mo = int(m[1]), int(m[2])
            self._check_solar_year(y, text)
            if not 1 <= mo <= 12:
                raise DataError(f"{text!r}: month {mo} is not a Solar Hijri month (1-12)")
            first, last = _solar_month_span(y, mo)
            return DateSpan(first, last, "month", text)
        else:
            raise DataError(
                f"{text!r} is not a Solar Hijri date; expected YYYY/MM/DD, DD/MM/YYYY or "
                "'15 Jawza 1404'"
            )
        self._check_solar_year(y, text)
        try:
            found = solar_hijri_to_gregorian(y, mo, d)
        except DataError as err:
            raise DataError(f"{text!r}: {err.message}") from None
        return DateSpan(found, found, "day", text)

    @staticmethod
    def _check_solar_year(year: int, text: str) -> None:
        if not 1279 <= year <= 1479:  # Gregorian 1900-2100
            raise DataError(
                f"{text!r}: year {year} is not a Solar Hijri year of a reported incident "
                "(1279-1479; this year is about 1404)"
            )


_CLOCK = r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"  # a time of day after the date
_SLASHED = re.compile(r"\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:" + _CLOCK + r")?\s*$")
_TIME_OF_DAY = re.compile(r"^\s*(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4})" + _CLOCK + r"\s*$")


def strip_time(text: str) -> str:
    """``03/27/1990 00:00:00`` -> ``03/27/1990`` (a spreadsheet's stamp of a numeric day)."""
    m = _TIME_OF_DAY.match(text)
    return m[1] if m else text


def infer_order(values) -> str | None:
    """The day/month order that every numeric date in ``values`` agrees on, or None.

    ``month-first`` when some date has a second number above 12 (``03/27/1990``) and none
    a first number above 12; ``day-first`` the other way round; None when no date tells, or
    when the dates contradict each other (then each ambiguous date is refused as usual).
    """
    day_first = month_first = False
    for v in set(values):
        m = _SLASHED.match(v) if isinstance(v, str) else None
        if not m:
            continue
        a, b = int(m[1]), int(m[2])
        if a > 12 >= b:
            day_first = True
        elif b > 12 >= a:
            month_first = True
        if day_first and month_first:
            return None
    return "day-first" if day_first else "month-first" if month_first else None


def month_span(year: int, month: int) -> tuple[dt.date, dt.date]:
    """The first and last day of a Gregorian month."""
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
