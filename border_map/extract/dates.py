"""Dates in a report, explicit or relative, resolved against the article's date.

Every date keeps the precision the words really have:

- explicit days ("26 February 2026", "Feb. 26", "2026-02-26") are days; a day without a
  year is the latest such day not after the article (a week's slack for schedules);
- weekdays ("on Thursday", "late Thursday", "Thursday's clashes") are the latest such
  weekday on or before the article date, or the next one when the sentence speaks of the
  future ("will", "is expected to"); "last Thursday" is strictly before; "Thursday last
  week" is in the previous ISO week;
- "today", "yesterday", "last night", "two days ago" are days; "overnight" is the night
  before (two days);
- "last week" is the previous ISO week (precision week), "this week" the current one,
  "earlier this week" its start to the article date, "the past week" the seven days up to
  the article; the same for months and years ("last month", "earlier this month");
- a month alone ("in October", "since August") is the latest such month not after the
  article's (precision month); "October 2025" is that month; "in 2025" that year;
- "over the weekend" is the latest Saturday–Sunday before the article.

Numeric dates are read only when unambiguous (``2026-02-26``; ``26/02/2026`` because no
month 26); ``03/04/2026`` is skipped rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .._records import compact_pickle, positional_maker
from ..incidents import DateSpan
from ..model.dates import MONTHS, month_span
from .anchors import anchor_group, skipped
from .text import Document

__all__ = ["DateMention", "find_dates", "parse_article_date"]

_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
             "saturday": 5, "sunday": 6}
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                 "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "a few": 3,
                 "several": 3}

_M = r"(january|february|march|april|may|june|july|august|september|october|november|december|" \
     r"jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
_W = r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_ORD = r"(?:st|nd|rd|th)?"

_PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (name, re.compile(rx)) for name, rx in (
        ("iso", r"\b(\d{4})-(\d{2})-(\d{2})\b"),
        ("numeric", r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b"),
        ("day_month", rf"\b(\d{{1,2}}){_ORD}(?:\s+of)?\s+{_M}(?:,?\s+(\d{{4}}))?\b"),
        ("month_day", rf"\b{_M}\s+(\d{{1,2}}){_ORD}(?:,?\s+(\d{{4}}))?\b(?!\s*(?:km|kilomet))"),
        ("month_year", rf"\b{_M},?\s+(\d{{4}})\b"),
        ("month", rf"\b(?:(in|since|during|until|till|through|throughout|by|from|before|after|"
                  rf"last|this|next|early|mid|late|end\s+of|beginning\s+of|start\s+of|"
                  rf"earlier\s+in|later\s+in)(?:\s*-\s*|\s+)){_M}(?!\s*\d)\b"),
        ("year", r"\b(in|since|during|until|by|throughout|early|late|mid)(?:\s*-\s*|\s+)"
                 r"(?:early\s+|late\s+|mid-?)?((?:19|20)\d{2})\b(?!\s*(?:km|people|fighters))"),
        ("weekday", rf"\b(?:(last|next|this|past|previous|early|late|on)\s+)?{_W}(?:'s)?"
                    rf"(?:\s+(night|morning|evening|afternoon))?"
                    rf"(?:\s+(?:of\s+)?(last|next)\s+week)?\b"),
        ("relative_day", r"\b(today|tonight|this\s+(?:morning|afternoon|evening)|"
                         r"the\s+day\s+before\s+yesterday|yesterday|last\s+night|overnight)\b"),
        ("ago", r"\b(\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a\s+few|"
                r"several)\s+(day|week|month|year)s?\s+ago\b"),
        ("relative_period", r"\b(last|previous|this|earlier\s+this|past|the\s+past|"
                            r"over\s+the\s+past|later\s+this)\s+(week|month|year)\b"),
        ("weekend", r"\b(?:over|at|during|on)\s+the\s+weekend\b|\blast\s+weekend\b"),
    )
)
_SPACES = re.compile(r"\s+")
_CAPITAL = re.compile(r"[A-Z]")
_ARTICLE_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})")
_MONTH_STARTS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                 "dec")
#: The tokens each pattern's matches begin with (see :func:`~.anchors.anchor_group`); the
#: words before a month, weekday, year or period only before one
_MONTH_LEAD = dict.fromkeys(("in", "since", "during", "until", "till", "through", "throughout",
                             "by", "from", "before", "after", "last", "this", "next", "early",
                             "mid", "late"), _MONTH_STARTS)
_PERIODS = ("week", "month", "year")
_ANCHORS = {
    "iso": anchor_group("dates.iso", digits=True),
    "numeric": anchor_group("dates.numeric", digits=True),
    "day_month": anchor_group("dates.day_month", digits=True),
    "month_day": anchor_group("dates.month_day", _MONTH_STARTS),
    "month_year": anchor_group("dates.month_year", _MONTH_STARTS),
    "month": anchor_group("dates.month", leads={
        **_MONTH_LEAD, "end": ("of",), "beginning": ("of",), "start": ("of",),
        "earlier": ("in",), "later": ("in",)}),
    "year": anchor_group("dates.year", leads=dict.fromkeys(
        ("in", "since", "during", "until", "by", "throughout", "early", "late", "mid"),
        ("early", "late", "mid", "#"))),
    "weekday": anchor_group("dates.weekday", words=tuple(_WEEKDAYS), leads=dict.fromkeys(
        ("last", "next", "this", "past", "previous", "early", "late", "on"), tuple(_WEEKDAYS))),
    "relative_day": anchor_group("dates.relative_day", words=(
        "today", "tonight", "yesterday", "overnight"), leads={
        "this": ("morning", "afternoon", "evening"), "the": ("day",), "last": ("night",)}),
    "ago": anchor_group("dates.ago", digits=True, leads={  # ("three days ago")
        "a": ("few", "day", *_PERIODS),
        **dict.fromkeys((w for w in _NUMBER_WORDS if " " not in w and w != "a"),
                        ("day", *_PERIODS))}),
    "relative_period": anchor_group("dates.relative_period", leads={
        **dict.fromkeys(("last", "previous", "this", "past"), _PERIODS),
        "earlier": ("this",), "the": ("past",), "over": ("the",), "later": ("this",)}),
    "weekend": anchor_group("dates.weekend", leads={
        **dict.fromkeys(("over", "at", "during", "on"), ("the",)), "last": ("weekend",)}),
}
assert set(_ANCHORS) == {name for name, _ in _PATTERNS}
#: A word every match of a pattern holds: without one in the document, no match.
_NEEDS = {
    "month": _ANCHORS["month_day"],  # the month
    "weekday": anchor_group("dates.weekday_word", words=tuple(_WEEKDAYS)),
    "relative_day": anchor_group("dates.day_word", words=(
        "today", "tonight", "morning", "afternoon", "evening", "yesterday", "night",
        "overnight")),
    "ago": anchor_group("dates.ago_word", words=("ago",)),
    "relative_period": anchor_group("dates.period_word", words=_PERIODS),
    "weekend": anchor_group("dates.weekend_word", words=("weekend",)),
}
_FUTURE_ANCHORS = anchor_group("dates.future", words=("will",), leads={
    "is": ("expected", "scheduled", "due"), "are": ("expected", "scheduled", "due"),
    "plan": ("to",), "plans": ("to",)})
_FUTURE = re.compile(r"\b(will|is\s+expected\s+to|are\s+expected\s+to|is\s+scheduled|"
                     r"are\s+scheduled|is\s+due\s+to|are\s+due\s+to|plans?\s+to)\b")


@compact_pickle
@dataclass(frozen=True, slots=True)
class DateMention:
    """A date in the text (span, words) resolved to a :class:`DateSpan`."""

    start: int
    end: int
    text: str
    span: DateSpan
    sentence: int
    relative: bool = True


_make_mention = positional_maker(DateMention)
_make_span = positional_maker(DateSpan)  # (DateSpan(...), its checks included)


def parse_article_date(value: str) -> dt.date | None:
    """The day of an ISO date or date-time string (``2026-02-27T08:00:00Z``), else None."""
    m = _ARTICLE_DATE.match(value or "")
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def find_dates(doc: Document, article_date: dt.date) -> list[DateMention]:
    """Every date expression in ``doc`` with its resolved span, in text order."""
    found: list[tuple[int, int, str, re.Match]] = []
    for name, pattern in _PATTERNS:
        needs = _NEEDS.get(name)
        if needs is not None and not doc.anchors(needs):
            skipped(pattern, doc.folded)
            continue
        for m in doc.scan(pattern, _ANCHORS[name]):
            found.append((m.start(), m.end(), name, m))
    # longest first, then drop overlaps
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    chosen: list[tuple[int, int, str, re.Match]] = []
    last_end = -1
    for item in found:
        if item[0] >= last_end:
            chosen.append(item)
            last_end = item[1]
    mentions = []
    futures: dict[int, bool] = {}  # sentence -> speaks of the future
    future_words = doc.anchor_sentences(_FUTURE_ANCHORS)  # (the sentences it can be said in)
    # the spans made so far: the same words resolved to the same days share one (a span is
    # frozen; making one checks its fields, ~2 us)
    spans: dict[tuple, DateSpan] = {}
    for start, end, name, m in chosen:
        sentence = doc.sentence_at(start)
        future = False
        if sentence is not None:
            future = futures.get(sentence.index)
            if future is None:
                future = futures[sentence.index] = sentence.index in future_words and \
                    doc.search(_FUTURE, _FUTURE_ANCHORS, sentence.start,
                               sentence.end) is not None
        original = doc.text[start:end]
        try:
            resolved = _RESOLVERS[name](m, article_date, future, original)
        except (ValueError, OverflowError):
            continue
        if resolved is None:
            continue
        first, last, precision, relative = resolved
        if not (1900 <= first.year <= 2100 and 1900 <= last.year <= 2100):
            continue
        text = original
        if name == "weekday" and m.group(1) == "on":
            text = original[3:]  # "on Thursday" -> "Thursday"
            start += 3
        if name == "weekday" and text[-2:] in ("'s", "’s"):
            text = text[:-2]  # "Thursday's clashes"
            end -= 2
        key = (first, last, precision, text)
        span = spans.get(key)
        if span is None:
            span = spans[key] = _make_span(first, last, precision, text)
        mentions.append(_make_mention(start, end, text, span,
                                      sentence.index if sentence else -1, relative))
    return mentions


# --------------------------------------------------------------------------- resolvers


def _day_without_year(month: int, day: int, ref: dt.date) -> dt.date:
    candidate = dt.date(ref.year, month, day)
    if candidate > ref + dt.timedelta(days=7):
        candidate = dt.date(ref.year - 1, month, day)
    return candidate


def _day(d: dt.date):
    return d, d, "day", False


def _iso(m, ref, future, original):
    return _day(dt.date(int(m[1]), int(m[2]), int(m[3])))


def _numeric(m, ref, future, original):
    a, b, year = int(m[1]), int(m[2]), int(m[3])
    if a > 12 >= b:
        return _day(dt.date(year, b, a))
    if b > 12 >= a:
        return _day(dt.date(year, a, b))
    if a == b:
        return _day(dt.date(year, a, b))
    return None  # 03/04/2026: day-first or month-first? not guessed


def _day_month(m, ref, future, original):
    if not _CAPITAL.search(original):
        return None  # "1 may" is not a date
    month = MONTHS[m[2]]
    if m[3]:
        return _day(dt.date(int(m[3]), month, int(m[1])))
    day = _day_without_year(month, int(m[1]), ref)
    return day, day, "day", True


def _month_day(m, ref, future, original):
    if not original[0].isupper():
        return None  # "may 5" as a verb
    month = MONTHS[m[1]]
    if m[3]:
        return _day(dt.date(int(m[3]), month, int(m[2])))
    first, last, precision, _ = _day(_day_without_year(month, int(m[2]), ref))
    return first, last, precision, True


def _month_year(m, ref, future, original):
    if not original[0].isupper():
        return None
    first, last = month_span(int(m[2]), MONTHS[m[1]])
    return first, last, "month", False


def _month(m, ref, future, original):
    word = original[m.start(2) - m.start():]
    if not word[:1].isupper():
        return None  # "may" the verb, "march" the walk
    month = MONTHS[m[2]]
    lead = _SPACES.sub(" ", m[1])
    if lead == "next" or (future and lead not in ("last", "since")):
        year = ref.year if month >= ref.month else ref.year + 1
    elif lead == "last" and month >= ref.month:
        year = ref.year - 1
    else:
        year = ref.year if month <= ref.month else ref.year - 1
    first, last = month_span(year, month)
    return first, last, "month", True


def _year(m, ref, future, original):
    year = int(m[2])
    return dt.date(year, 1, 1), dt.date(year, 12, 31), "year", False


def _weekday(m, ref, future, original):
    word = original[m.start(2) - m.start():]
    if not word[:1].isupper():
        return None
    lead, weekday, week = m[1], _WEEKDAYS[m[2]], m[4]
    if week in ("last", "next"):
        monday = ref - dt.timedelta(days=ref.weekday()) + dt.timedelta(
            days=-7 if week == "last" else 7)
        day = monday + dt.timedelta(days=weekday)
        return day, day, "day", True
    back = (ref.weekday() - weekday) % 7
    if lead == "next" or (future and lead not in ("last", "past", "previous")):
        ahead = (weekday - ref.weekday()) % 7 or (7 if lead == "next" else 0)
        day = ref + dt.timedelta(days=ahead)
    else:
        if lead in ("last", "past", "previous") and back == 0:
            back = 7
        day = ref - dt.timedelta(days=back)
    return day, day, "day", True


def _relative_day(m, ref, future, original):
    word = _SPACES.sub(" ", m[1])
    if word in ("today", "tonight") or word.startswith("this "):
        return ref, ref, "day", True
    if word in ("yesterday", "last night"):
        day = ref - dt.timedelta(days=1)
        return day, day, "day", True
    if word == "the day before yesterday":
        day = ref - dt.timedelta(days=2)
        return day, day, "day", True
    return ref - dt.timedelta(days=1), ref, "range", True  # overnight


def _ago(m, ref, future, original):
    raw = _SPACES.sub(" ", m[1])
    n = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
    if raw in ("a few", "several"):
        return None  # too vague to place
    unit = m[2]
    if unit == "day":
        day = ref - dt.timedelta(days=n)
        return day, day, "day", True
    if unit == "week":
        monday = ref - dt.timedelta(days=ref.weekday() + 7 * n)
        return monday, monday + dt.timedelta(days=6), "week", True
    if unit == "month":
        year, month = divmod(ref.year * 12 + ref.month - 1 - n, 12)
        first, last = month_span(year, month + 1)
        return first, last, "month", True
    return dt.date(ref.year - n, 1, 1), dt.date(ref.year - n, 12, 31), "year", True


def _relative_period(m, ref, future, original):
    lead, unit = _SPACES.sub(" ", m[1]), m[2]
    if lead in ("past", "the past", "over the past"):
        days = {"week": 6, "month": 29, "year": 364}[unit]
        return ref - dt.timedelta(days=days), ref, "range", True
    if unit == "week":
        monday = ref - dt.timedelta(days=ref.weekday())
        if lead in ("last", "previous"):
            monday -= dt.timedelta(days=7)
        elif lead == "earlier this":
            return monday, ref, ("day" if monday == ref else "range"), True
        return monday, monday + dt.timedelta(days=6), "week", True
    if unit == "month":
        year, month = ref.year, ref.month
        if lead in ("last", "previous"):
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        elif lead == "earlier this":
            first = dt.date(year, month, 1)
            return first, ref, ("day" if first == ref else "range"), True
        first, last = month_span(year, month)
        return first, last, "month", True
    year = ref.year - 1 if lead in ("last", "previous") else ref.year
    if lead == "earlier this":
        return dt.date(year, 1, 1), ref, "range", True
    return dt.date(year, 1, 1), dt.date(year, 12, 31), "year", True


def _weekend(m, ref, future, original):
    back = (ref.weekday() - 6) % 7 or (7 if ref.weekday() == 6 and "last" in m[0] else 0)
    sunday = ref - dt.timedelta(days=back)
    return sunday - dt.timedelta(days=1), sunday, "range", True


_RESOLVERS = {
    "iso": _iso, "numeric": _numeric, "day_month": _day_month, "month_day": _month_day,
    "month_year": _month_year, "month": _month, "year": _year, "weekday": _weekday,
    "relative_day": _relative_day, "ago": _ago, "relative_period": _relative_period,
    "weekend": _weekend,
}
